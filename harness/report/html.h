/* report/html.h: the HTML report: a summary per target, every vector's
 * status per target, the requirement matrix, and a page per vector with a
 * ladder diagram (SVG) of expected against actual segments. Self-contained
 * files: inline CSS, no JavaScript, nothing fetched over a network.
 */
#ifndef SYNACK_HARNESS_REPORT_HTML_H
#define SYNACK_HARNESS_REPORT_HTML_H

#include <stddef.h>

#include "report/result.h"

/* Write dir/index.html and dir/vectors/<name>.html (one per vector name
 * across the runs; the folders of the name are kept) from nruns runs, one
 * column per run (e.g. mem, tun, linux). registry_tsv (NULL to omit; a
 * missing file is the same as NULL) lists the requirements to show
 * coverage for. Directories are created as needed. Returns 0, or -1 with
 * err set. */
int report_html_write(const struct run_results *runs, size_t nruns, const char *registry_tsv,
                      const char *dir, char *err, size_t errlen);

#endif

/* report/html.h: the HTML report: a summary per target, every vector's
 * status per target, the requirement matrix, and a page per vector with a
 * ladder diagram (SVG) of expected against actual segments. Self-contained
 * files: inline CSS and one small inline script that only adds filtering
 * (everything reads without JavaScript); nothing fetched over a network.
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

struct report_html_options {
    const char *registry;  /* as registry_tsv above */
    const char *previous;  /* results JSON of an earlier run: the index says what
                            * newly fails and what was fixed since; NULL: no diff */
    const char *mutants;   /* make mutate's JSON: strength.html, the suite's strength
                            * (mutants killed, requirement rows defended); NULL: none */
};
int report_html_write_opts(const struct run_results *runs, size_t nruns,
                           const struct report_html_options *o, const char *dir, char *err,
                           size_t errlen);

/* Write dir/bench.html from the bench.json of `make bench`
 * (stack/bench/bench.py): the table of synack beside the kernel, every run,
 * and the sender's traces under loss as SVG charts. 0, or -1 with err set. */
int report_bench_html_write(const char *bench_json, const char *dir, char *err, size_t errlen);

#endif

/* report/json.h: the results JSON ("schema": "synack-results/1"), the one
 * machine-readable record of a run; every other output can be rebuilt from
 * it. The schema is documented in harness/README.md, "Results JSON".
 */
#ifndef SYNACK_HARNESS_REPORT_JSON_H
#define SYNACK_HARNESS_REPORT_JSON_H

#include <stddef.h>

#include "report/result.h"

#define REPORT_JSON_SCHEMA "synack-results/1"

/* Write r to path ("-" for stdout). Strings that are not valid UTF-8 are
 * written with U+FFFD in place of the bad bytes. Returns 0, or -1 with a
 * message in err ("results.json: Permission denied"). */
int report_json_write(const struct run_results *r, const char *path, char *err,
                      size_t errlen);

/* Read and validate path ("-" for stdin) into *out, which the caller frees
 * with run_results_free. Returns 0, or -1 with *out zeroed and a message
 * naming the file and the place:
 *   results.json: vectors[3].status: expected one of pass, fail, error,
 *   skip, xfail, xpass, got "bogus" */
int report_json_read(const char *path, struct run_results *out, char *err, size_t errlen);

#endif

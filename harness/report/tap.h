/* report/tap.h: TAP version 13 (the Test Anything Protocol), one test point
 * per vector, with a YAML diagnostics block where a vector did not pass.
 */
#ifndef SYNACK_HARNESS_REPORT_TAP_H
#define SYNACK_HARNESS_REPORT_TAP_H

#include <stddef.h>
#include <stdio.h>

#include "report/result.h"

/* "TAP version 13", the plan "1..N", then per vector: PASS "ok"; SKIP
 * "ok ... # SKIP reason"; XFAIL "not ok ... # TODO reason"; FAIL, ERROR and
 * XPASS "not ok". Each but PASS and SKIP is followed by a YAML block
 * (message, severity, file, line, field, expected, actual, times in
 * seconds); the last line is a "# " comment with the summary. */
void report_tap_print(FILE *f, const struct run_results *r);

/* report_tap_print into path ("-" for stdout). 0, or -1 with err set. */
int report_tap_write(const struct run_results *r, const char *path, char *err, size_t errlen);

#endif

/* report/junit.h: JUnit XML for CI systems (Jenkins, GitLab, GitHub
 * annotations): one <testsuite> per run, named after the target, and one
 * <testcase> per vector.
 */
#ifndef SYNACK_HARNESS_REPORT_JUNIT_H
#define SYNACK_HARNESS_REPORT_JUNIT_H

#include <stddef.h>
#include <stdio.h>

#include "report/result.h"

/* classname is the vector's folder with '/' as '.' ("handshake", or the
 * target when the name has no folder); name is the rest of the name.
 * FAIL is <failure>, ERROR <error>, SKIP <skipped>; XFAIL passes with a
 * <system-out> note; XPASS is a <failure type="xpass">. */
void report_junit_print(FILE *f, const struct run_results *r);

/* report_junit_print into path ("-" for stdout). 0, or -1 with err set. */
int report_junit_write(const struct run_results *r, const char *path, char *err,
                       size_t errlen);

#endif

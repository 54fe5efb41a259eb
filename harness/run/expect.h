/* run/expect.h: a target's expected failures (DESIGN 6). A tab-separated
 * file, one vector per line: name, expected outcome ("fail"), and the
 * reason with the RFC clause; '#' starts a comment. A listed vector that
 * fails is XFAIL; one that passes is XPASS (a failure: the list is stale). */
#ifndef SYNACK_HARNESS_EXPECT_H
#define SYNACK_HARNESS_EXPECT_H

#include <stddef.h>

#include "report/result.h"

struct expectations;

struct expectations *expectations_load(const char *path, char *err, size_t errlen);
void expectations_free(struct expectations *e);
/* Reclassify v (by v->name) if it is listed. NULL e is allowed. */
void expectations_apply(const struct expectations *e, struct vector_result *v);

#endif

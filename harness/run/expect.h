/* run/expect.h: a target's expected failures (DESIGN 6). A tab-separated
 * file, one vector per line: name, expected outcome ("fail"), and the
 * reason with the RFC clause; '#' starts a comment. A listed vector that
 * fails is XFAIL; one that passes is XPASS (a failure: the list is stale).
 * Outcome "skip" is for a vector the target cannot judge (on a real clock,
 * a kernel timer's slack that sometimes passes it and sometimes not): its
 * result, pass or fail, is reported as SKIP with the reason.
 * Outcome "unnegotiated" is for a vector of an optional extension the
 * target does not negotiate (lwIP built without timestamps, SACK, ECN):
 * learned from the handshake, it must fail at the stack's SYN or SYN-ACK
 * because that extension is absent there, and is then reported as SKIP
 * naming it; a pass is XPASS, any other failure stays a FAIL.
 *
 * A name may carry an IP family, "ip/ttl-set-by-application@ipv6": the row
 * then holds for runs of that family only (--ip_version), and wins over a
 * row without one; its outcome may also be "pass", which lifts a row of all
 * families for that family (a deviation of IPv4 alone). */
#ifndef SYNACK_HARNESS_EXPECT_H
#define SYNACK_HARNESS_EXPECT_H

#include <stddef.h>

#include "report/result.h"

struct expectations;

struct expectations *expectations_load(const char *path, char *err, size_t errlen);
void expectations_free(struct expectations *e);
/* The target's expectation file by convention: vectors/expect/<target>.tsv,
 * relative to the working directory. Returns buf holding that path when the
 * file exists (and the name fits), else NULL. `synack run` and `synack
 * coverage` read it when no --expect is given. */
const char *expectations_default_path(const char *target, char *buf, size_t len);
/* Reclassify v (by v->name) if it is listed, for a run of the family
 * ("ipv4", "ipv4-mapped-ipv6", "ipv6"). NULL e is allowed. */
void expectations_apply(const struct expectations *e, struct vector_result *v,
                        const char *family);

#endif

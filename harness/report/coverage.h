/* report/coverage.h: requirement coverage of one run: for every requirement
 * of the registry (vectors/requirements.tsv) the vectors that tag it and
 * their results, and totals per level. `synack coverage` prints it; the
 * HTML report's requirement table counts the same way.
 *
 * A requirement is covered when a vector tags it, passing when at least
 * one of its vectors passed (an expected failure does not count), and
 * failing when one of them failed, errored or passed unexpectedly.
 */
#ifndef SYNACK_HARNESS_REPORT_COVERAGE_H
#define SYNACK_HARNESS_REPORT_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "report/registry.h"
#include "report/result.h"

/* The level groups totals are kept for (req_level_group), then every
 * other level ("RULE", none) and all requirements together. */
enum cov_level { COV_MUST, COV_SHOULD, COV_MAY, COV_OTHER, COV_ALL, COV_LEVELS };

struct cov_req {
    const char *id;
    const struct req_entry *reg;          /* NULL: a tag the registry lacks */
    size_t nvec;
    const struct vector_result **vec;     /* the vectors tagging it, in run order */
    size_t pass, fail;                    /* how many passed; failed, errored or xpassed */
};

struct cov_totals {
    size_t total, testable, covered, passing; /* covered and passing: of the testable */
};

struct coverage {
    size_t nreqs;
    struct cov_req *reqs;    /* registry order, then the unknown tags sorted */
    size_t nunknown;         /* how many of reqs are tags the registry lacks (at the end) */
    struct cov_totals level[COV_LEVELS];
};

/* Build the coverage of run r against reg (which may be empty). Returns 0,
 * or -1 when out of memory. c borrows from reg and r: keep them alive. */
int coverage_build(struct coverage *c, const struct req_registry *reg,
                   const struct run_results *r);
void coverage_free(struct coverage *c);

/* "MUST", "SHOULD", "MAY", "other", "all". */
const char *coverage_level_name(enum cov_level l);
/* The group a registry entry counts in (COV_OTHER for unknown levels). */
enum cov_level coverage_level_of(const struct req_entry *e);
/* Does a vector with this status make its requirements passing? */
bool coverage_status_passes(enum result_status s);
/* Does it count as a failure (fail, error, xpass)? */
bool coverage_status_fails(enum result_status s);

#endif

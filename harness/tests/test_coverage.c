/* Unit tests for report/coverage.c: requirements of a registry against the
 * vectors of a run: covered, passing, failing, totals per level, tags the
 * registry lacks. Run from the repository root (harness/tests/data/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report/coverage.h"

#define DATA "harness/tests/data/"

static void add_vector(struct run_results *r, const char *name, enum result_status st,
                       const char *const *tags)
{
    struct vector_result *v;

    r->v = realloc(r->v, (r->count + 1) * sizeof *r->v);
    assert_non_null(r->v);
    v = &r->v[r->count++];
    vector_result_init(v);
    v->name = strdup(name);
    v->status = st;
    for (; *tags != NULL; tags++)
        assert_int_equal(vector_result_add_req(v, *tags), 0);
}

static const struct cov_req *req(const struct coverage *c, const char *id)
{
    for (size_t i = 0; i < c->nreqs; i++)
        if (strcmp(c->reqs[i].id, id) == 0)
            return &c->reqs[i];
    fail_msg("no requirement %s", id);
    return NULL;
}

/* The fixture registry has MUST-1 (not testable), MUST-10, MUST-66, MUST-99,
 * SHLD-31 and MAY-2. */
static void build(struct run_results *r)
{
    memset(r, 0, sizeof *r);
    add_vector(r, "a/pass", RESULT_PASS,
               (const char *const[]){"RFC9293:MUST-10", "RFC9293:SHLD-31", NULL});
    add_vector(r, "a/fail", RESULT_FAIL, (const char *const[]){"RFC9293:MUST-10", NULL});
    add_vector(r, "a/xfail", RESULT_XFAIL, (const char *const[]){"RFC9293:MUST-66", NULL});
    add_vector(r, "a/twice", RESULT_PASS,
               (const char *const[]){"RFC9293:MAY-2", "RFC9293:MAY-2", "X:unknown-2", NULL});
    add_vector(r, "a/unknown", RESULT_ERROR, (const char *const[]){"X:unknown-10", NULL});
}

static void test_coverage_counts_covered_passing_and_failing(void **state)
{
    struct req_registry reg;
    struct run_results r;
    struct coverage c;
    char err[256];
    (void)state;

    assert_int_equal(req_registry_read(DATA "requirements.tsv", &reg, err, sizeof err), 0);
    build(&r);
    assert_int_equal(coverage_build(&c, &reg, &r), 0);

    const struct cov_req *q = req(&c, "RFC9293:MUST-10");
    assert_int_equal(q->nvec, 2);
    assert_int_equal(q->pass, 1);
    assert_int_equal(q->fail, 1);
    q = req(&c, "RFC9293:MUST-66"); /* covered by an expected failure: not passing */
    assert_int_equal(q->nvec, 1);
    assert_int_equal(q->pass, 0);
    assert_int_equal(q->fail, 0);
    q = req(&c, "RFC9293:MAY-2"); /* a tag written twice counts once */
    assert_int_equal(q->nvec, 1);
    assert_int_equal(req(&c, "RFC9293:MUST-99")->nvec, 0);

    /* MUST: 4 rows, MUST-1 not testable; MUST-10 and MUST-66 covered, MUST-10 passing. */
    assert_int_equal(c.level[COV_MUST].total, 4);
    assert_int_equal(c.level[COV_MUST].testable, 3);
    assert_int_equal(c.level[COV_MUST].covered, 2);
    assert_int_equal(c.level[COV_MUST].passing, 1);
    assert_int_equal(c.level[COV_SHOULD].passing, 1);
    assert_int_equal(c.level[COV_MAY].passing, 1);
    assert_int_equal(c.level[COV_OTHER].total, 0);
    assert_int_equal(c.level[COV_ALL].total, 6);
    assert_int_equal(c.level[COV_ALL].testable, 5);
    assert_int_equal(c.level[COV_ALL].passing, 3);

    /* Tags the registry lacks come last, in natural order, in no total. */
    assert_int_equal(c.nunknown, 2);
    assert_string_equal(c.reqs[c.nreqs - 2].id, "X:unknown-2");
    assert_string_equal(c.reqs[c.nreqs - 1].id, "X:unknown-10");
    assert_null(c.reqs[c.nreqs - 1].reg);
    assert_int_equal(c.reqs[c.nreqs - 1].fail, 1);

    coverage_free(&c);
    run_results_free(&r);
    req_registry_free(&reg);
}

static void test_coverage_without_registry_lists_tags_only(void **state)
{
    struct req_registry reg = {0};
    struct run_results r;
    struct coverage c;
    (void)state;

    build(&r);
    assert_int_equal(coverage_build(&c, &reg, &r), 0);
    assert_int_equal(c.nreqs, c.nunknown);
    assert_int_equal(c.nreqs, 6);
    assert_int_equal(c.level[COV_ALL].total, 0);
    coverage_free(&c);
    run_results_free(&r);
}

static void test_coverage_levels_group_like_the_registry(void **state)
{
    struct req_entry e = {.level = "MUST NOT"};
    (void)state;

    assert_int_equal(coverage_level_of(&e), COV_MUST);
    e.level = "SHOULD NOT";
    assert_int_equal(coverage_level_of(&e), COV_SHOULD);
    e.level = "RULE";
    assert_int_equal(coverage_level_of(&e), COV_OTHER);
    assert_int_equal(coverage_level_of(NULL), COV_OTHER);
    assert_string_equal(coverage_level_name(COV_ALL), "all");
    assert_true(coverage_status_passes(RESULT_PASS));
    assert_false(coverage_status_passes(RESULT_XFAIL));
    assert_true(coverage_status_fails(RESULT_XPASS));
    assert_false(coverage_status_fails(RESULT_SKIP));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coverage_counts_covered_passing_and_failing),
        cmocka_unit_test(test_coverage_without_registry_lists_tags_only),
        cmocka_unit_test(test_coverage_levels_group_like_the_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

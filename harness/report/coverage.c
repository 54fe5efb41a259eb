/* report/coverage.c: requirements against the vectors of one run
 * (coverage.h). Registry order first; tags the registry lacks follow, in
 * natural order, and count in no total. */
#include "report/coverage.h"

#include <stdlib.h>
#include <string.h>

#include "report/util.h"

const char *coverage_level_name(enum cov_level l)
{
    static const char *const names[COV_LEVELS] = {"MUST", "SHOULD", "MAY", "other", "all"};

    return (unsigned)l < COV_LEVELS ? names[l] : "?";
}

enum cov_level coverage_level_of(const struct req_entry *e)
{
    const char *g = e != NULL ? req_level_group(e->level) : NULL;

    if (g == NULL)
        return COV_OTHER;
    if (strcmp(g, "MUST") == 0)
        return COV_MUST;
    if (strcmp(g, "SHOULD") == 0)
        return COV_SHOULD;
    return COV_MAY;
}

bool coverage_status_passes(enum result_status s)
{
    return s == RESULT_PASS;
}

bool coverage_status_fails(enum result_status s)
{
    return s == RESULT_FAIL || s == RESULT_ERROR || s == RESULT_XPASS;
}

static struct cov_req *find(struct coverage *c, const char *id)
{
    for (size_t i = 0; i < c->nreqs; i++)
        if (strcmp(c->reqs[i].id, id) == 0)
            return &c->reqs[i];
    return NULL;
}

static int add_vec(struct cov_req *q, const struct vector_result *v)
{
    const struct vector_result **p;

    for (size_t i = 0; i < q->nvec; i++)
        if (q->vec[i] == v) /* a tag written twice in one vector */
            return 0;
    p = realloc(q->vec, (q->nvec + 1) * sizeof *p);
    if (p == NULL)
        return -1;
    q->vec = p;
    q->vec[q->nvec++] = v;
    q->pass += coverage_status_passes(v->status);
    q->fail += coverage_status_fails(v->status);
    return 0;
}

static struct cov_req *new_req(struct coverage *c, size_t *cap, const char *id,
                               const struct req_entry *e)
{
    if (c->nreqs == *cap) {
        size_t n = *cap ? 2 * *cap : 64;
        struct cov_req *p = realloc(c->reqs, n * sizeof *p);
        if (p == NULL)
            return NULL;
        c->reqs = p;
        *cap = n;
    }
    c->reqs[c->nreqs] = (struct cov_req){.id = id, .reg = e};
    return &c->reqs[c->nreqs++];
}

static int cmp_unknown(const void *pa, const void *pb)
{
    const struct cov_req *a = pa, *b = pb;

    return rpt_natcmp(a->id, b->id);
}

static void count(struct coverage *c)
{
    for (size_t i = 0; i < c->nreqs; i++) {
        const struct cov_req *q = &c->reqs[i];
        enum cov_level levels[2] = {coverage_level_of(q->reg), COV_ALL};
        if (q->reg == NULL)
            continue;
        for (int k = 0; k < 2; k++) {
            struct cov_totals *t = &c->level[levels[k]];
            t->total++;
            if (!q->reg->testable)
                continue;
            t->testable++;
            t->covered += q->nvec > 0;
            t->passing += q->pass > 0;
        }
    }
}

int coverage_build(struct coverage *c, const struct req_registry *reg,
                   const struct run_results *r)
{
    size_t cap = 0, known;

    memset(c, 0, sizeof *c);
    for (size_t i = 0; reg != NULL && i < reg->count; i++)
        if (find(c, reg->e[i].id) == NULL && new_req(c, &cap, reg->e[i].id, &reg->e[i]) == NULL)
            goto oom;
    known = c->nreqs;
    for (size_t i = 0; r != NULL && i < r->count; i++) {
        const struct vector_result *v = &r->v[i];
        for (size_t j = 0; j < v->req_count; j++) {
            struct cov_req *q;
            if (v->reqs[j] == NULL)
                continue;
            q = find(c, v->reqs[j]);
            if (q == NULL && (q = new_req(c, &cap, v->reqs[j], NULL)) == NULL)
                goto oom;
            if (add_vec(q, v) != 0)
                goto oom;
        }
    }
    c->nunknown = c->nreqs - known;
    qsort(c->reqs + known, c->nunknown, sizeof *c->reqs, cmp_unknown);
    count(c);
    return 0;
oom:
    coverage_free(c);
    return -1;
}

void coverage_free(struct coverage *c)
{
    for (size_t i = 0; i < c->nreqs; i++)
        free(c->reqs[i].vec);
    free(c->reqs);
    memset(c, 0, sizeof *c);
}

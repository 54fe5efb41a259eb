/* report/result.c: the results model: names of the enums, totals, building
 * a vector result row by row, the one-line failure summary, freeing.
 * What is written where lives in the writers (json, junit, tap, text, html).
 */
#include "report/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    [RESULT_PASS] = "pass",   [RESULT_FAIL] = "fail",   [RESULT_ERROR] = "error",
    [RESULT_SKIP] = "skip",   [RESULT_XFAIL] = "xfail", [RESULT_XPASS] = "xpass",
};
static const char *const kind_names[] = {
    [LADDER_INBOUND] = "inbound", [LADDER_OUTBOUND] = "outbound",
    [LADDER_SYSCALL] = "syscall", [LADDER_NOTE] = "note",
};
static const char *const row_status_names[] = {
    [LADDER_OK] = "ok",                 [LADDER_MISMATCH] = "mismatch",
    [LADDER_UNEXPECTED] = "unexpected", [LADDER_MISSING] = "missing",
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, unsigned i)
{
    return i < n ? names[i] : "invalid";
}

static int index_of(const char *const *names, size_t n, const char *name, unsigned *out)
{
    for (unsigned i = 0; name != NULL && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return 0;
        }
    }
    return -1;
}

const char *result_status_name(enum result_status s)
{
    return name_of(status_names, COUNT(status_names), (unsigned)s);
}

int result_status_from_name(const char *name, enum result_status *out)
{
    unsigned i;

    if (index_of(status_names, COUNT(status_names), name, &i) != 0)
        return -1;
    *out = (enum result_status)i;
    return 0;
}

const char *ladder_kind_name(enum ladder_kind k)
{
    return name_of(kind_names, COUNT(kind_names), (unsigned)k);
}

int ladder_kind_from_name(const char *name, enum ladder_kind *out)
{
    unsigned i;

    if (index_of(kind_names, COUNT(kind_names), name, &i) != 0)
        return -1;
    *out = (enum ladder_kind)i;
    return 0;
}

const char *ladder_status_name(enum ladder_status s)
{
    return name_of(row_status_names, COUNT(row_status_names), (unsigned)s);
}

int ladder_status_from_name(const char *name, enum ladder_status *out)
{
    unsigned i;

    if (index_of(row_status_names, COUNT(row_status_names), name, &i) != 0)
        return -1;
    *out = (enum ladder_status)i;
    return 0;
}

void run_results_totals(const struct run_results *r, struct run_totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < r->count; i++) {
        switch (r->v[i].status) {
        case RESULT_PASS: t->pass++; break;
        case RESULT_FAIL: t->fail++; break;
        case RESULT_ERROR: t->error++; break;
        case RESULT_SKIP: t->skip++; break;
        case RESULT_XFAIL: t->xfail++; break;
        case RESULT_XPASS: t->xpass++; break;
        default: t->error++; break; /* a corrupt status is not a pass */
        }
    }
    t->total = r->count;
}

bool run_results_failed(const struct run_results *r)
{
    struct run_totals t;

    run_results_totals(r, &t);
    return t.fail + t.error + t.xpass > 0;
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *d;

    if (s == NULL)
        return NULL;
    d = strdup(s);
    if (d == NULL)
        *oom = true;
    return d;
}

/* arr (of count elements of size sz) with room for one more; NULL if out
 * of memory (arr is then unchanged). */
static void *grow(void *arr, size_t count, size_t sz)
{
    return realloc(arr, (count + 1) * sz);
}

static void row_free(struct ladder_row *row)
{
    free(row->expected);
    free(row->actual);
    free(row->field);
}

int vector_result_add_row(struct vector_result *v, enum ladder_kind kind,
                          enum ladder_status status, unsigned line, int64_t t_expected,
                          int64_t t_actual, const char *expected, const char *actual,
                          const char *field)
{
    struct ladder_row row = {.kind = kind, .status = status, .line = line,
                             .t_expected = t_expected, .t_actual = t_actual};
    bool oom = false;
    struct ladder_row *slot;

    row.expected = dup_or_null(expected, &oom);
    row.actual = dup_or_null(actual, &oom);
    row.field = dup_or_null(field, &oom);
    slot = oom ? NULL : grow(v->ladder, v->ladder_count, sizeof *slot);
    if (slot == NULL) {
        row_free(&row);
        return -1;
    }
    v->ladder = slot;
    v->ladder[v->ladder_count++] = row;
    return 0;
}

int vector_result_add_req(struct vector_result *v, const char *req)
{
    char *copy = req == NULL ? NULL : strdup(req);
    char **slot = copy == NULL ? NULL : grow(v->reqs, v->req_count, sizeof *slot);

    if (slot == NULL) {
        free(copy);
        return -1;
    }
    v->reqs = slot;
    v->reqs[v->req_count++] = copy;
    return 0;
}

static void finding_free(struct result_finding *f)
{
    free(f->rule);
    free(f->req);
    free(f->message);
}

int vector_result_add_finding(struct vector_result *v, const char *rule, const char *req,
                              unsigned packet, const char *message, bool expected)
{
    struct result_finding f = {NULL, NULL, packet, NULL, expected};
    bool oom = false;
    struct result_finding *slot;

    f.rule = dup_or_null(rule, &oom);
    f.req = dup_or_null(req, &oom);
    f.message = dup_or_null(message, &oom);
    slot = oom ? NULL : grow(v->findings, v->finding_count, sizeof *slot);
    if (slot == NULL) {
        finding_free(&f);
        return -1;
    }
    v->findings = slot;
    v->findings[v->finding_count++] = f;
    return 0;
}

bool vector_result_located(const struct vector_result *v)
{
    const char *m = v->message, *end;
    if (m == NULL || (end = strstr(m, ": ")) == NULL)
        return false;
    /* "file:12: ..." or "file:12:5: ...": digits, maybe twice, after a colon */
    for (int part = 0; part < 2; part++) {
        const char *d = end;
        while (d > m && d[-1] >= '0' && d[-1] <= '9')
            d--;
        if (d == end || d == m || d[-1] != ':')
            return part == 1;
        end = d - 1;
    }
    return end > m;
}

/* Should the message get "line N: " before it? Not when it has no line or
 * already starts so (the runner may write it), or with its file's name. */
static bool needs_line(const struct vector_result *v)
{
    char prefix[32];

    if (v->fail_line == 0 || vector_result_located(v))
        return false;
    snprintf(prefix, sizeof prefix, "line %u:", v->fail_line);
    return v->message == NULL || strncmp(v->message, prefix, strlen(prefix)) != 0;
}

char *vector_result_describe(const struct vector_result *v, char *buf, size_t len)
{
    if (len == 0)
        return buf;
    if (v->status == RESULT_XPASS)
        snprintf(buf, len, "passed, but listed as an expected failure%s%s",
                 v->xfail_reason != NULL ? ": " : "",
                 v->xfail_reason != NULL ? v->xfail_reason : "");
    else if (v->message != NULL && !needs_line(v))
        snprintf(buf, len, "%s", v->message);
    else if (v->message != NULL)
        snprintf(buf, len, "line %u: %s", v->fail_line, v->message);
    else if (v->fail_line != 0 && v->fail_field != NULL)
        snprintf(buf, len, "line %u: field %s", v->fail_line, v->fail_field);
    else if (v->fail_line != 0)
        snprintf(buf, len, "line %u", v->fail_line);
    else if (v->fail_field != NULL)
        snprintf(buf, len, "field %s", v->fail_field);
    else
        buf[0] = '\0';
    return buf;
}

void vector_result_init(struct vector_result *v)
{
    memset(v, 0, sizeof *v);
    v->t_expected = -1;
    v->t_actual = -1;
}

void vector_result_free(struct vector_result *v)
{
    free(v->path);
    free(v->name);
    free(v->message);
    free(v->fail_field);
    free(v->expected);
    free(v->actual);
    for (size_t i = 0; i < v->req_count; i++)
        free(v->reqs[i]);
    free(v->reqs);
    for (size_t i = 0; i < v->ladder_count; i++)
        row_free(&v->ladder[i]);
    free(v->ladder);
    for (size_t i = 0; i < v->finding_count; i++)
        finding_free(&v->findings[i]);
    free(v->findings);
    free(v->pcap_path);
    free(v->xfail_reason);
    memset(v, 0, sizeof *v);
}

void run_results_free(struct run_results *r)
{
    for (size_t i = 0; i < r->count; i++)
        vector_result_free(&r->v[i]);
    free(r->v);
    free(r->target);
    free(r->started);
    memset(r, 0, sizeof *r);
}

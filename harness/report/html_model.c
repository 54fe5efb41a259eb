/* report/html_model.c: the HTML report's view of the results: the vectors
 * of all runs merged by name (natural order), each requirement with the
 * vectors that tag it, registry order first. No HTML is written here.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

/* A vector result of one run, before merging by name. */
struct vref {
    const char *name;
    size_t run;
    const struct vector_result *v;
};

/* A requirement tag on a merged vector, before grouping by tag. */
struct tagref {
    const char *id;
    size_t vec;
};

const char *html_vec_name(const struct vector_result *v)
{
    return v->name != NULL ? v->name : v->path != NULL ? v->path : "(unnamed)";
}

static int idcmp(const char *a, const char *b)
{
    int c = rpt_natcmp(a, b);

    return c != 0 ? c : strcmp(a, b);
}

static int vref_cmp(const void *pa, const void *pb)
{
    const struct vref *a = pa, *b = pb;
    int c = idcmp(a->name, b->name);

    return c != 0 ? c : (a->run > b->run) - (a->run < b->run);
}

static int tagref_cmp(const void *pa, const void *pb)
{
    const struct tagref *a = pa, *b = pb;
    int c = idcmp(a->id, b->id);

    return c != 0 ? c : (a->vec > b->vec) - (a->vec < b->vec);
}

static bool safe_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '+' || c == '-';
}

/* "vectors/" + name + ".html", each component of name kept to
 * [A-Za-z0-9._+-] (other bytes become '_'), and "", "." and ".." made "_"
 * so a page never lands outside the report's folder. */
static char *page_path(const char *name)
{
    char *p = malloc(sizeof "vectors/" + 2 * strlen(name) + sizeof ".html");
    char *o;

    if (p == NULL)
        return NULL;
    o = stpcpy(p, "vectors/");
    for (const char *s = name;; s++) {
        size_t len = strcspn(s, "/");
        if (len == 0 || strncmp(s, "..", len) == 0) /* "", "." or ".." */
            *o++ = '_';
        for (size_t i = 0; len > 0 && strncmp(s, "..", len) != 0 && i < len; i++)
            *o++ = safe_char(s[i]) ? s[i] : '_';
        s += len;
        if (*s == '\0')
            break;
        *o++ = '/';
    }
    strcpy(o, ".html");
    return p;
}

static struct html_vec *new_vec(struct html_model *m, const char *name)
{
    struct html_vec *hv = &m->vecs[m->nvecs++];

    hv->name = name;
    hv->per_run = calloc(m->nruns, sizeof *hv->per_run);
    hv->page = page_path(name);
    return hv->per_run != NULL && hv->page != NULL ? hv : NULL;
}

/* Sort the results by name and merge those of one name into one html_vec. */
static int merge_vectors(struct html_model *m, struct vref *refs, size_t n)
{
    struct html_vec *hv = NULL;

    qsort(refs, n, sizeof *refs, vref_cmp);
    m->vecs = calloc(n > 0 ? n : 1, sizeof *m->vecs);
    if (m->vecs == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (hv == NULL || strcmp(hv->name, refs[i].name) != 0)
            hv = new_vec(m, refs[i].name);
        if (hv == NULL)
            return -1;
        if (hv->per_run[refs[i].run] == NULL) /* a name run twice: the first counts */
            hv->per_run[refs[i].run] = refs[i].v;
    }
    return 0;
}

static int collect_vectors(struct html_model *m)
{
    size_t n = 0, k = 0;
    struct vref *refs;
    int rc;

    for (size_t r = 0; r < m->nruns; r++)
        n += m->runs[r].count;
    refs = malloc((n > 0 ? n : 1) * sizeof *refs);
    if (refs == NULL)
        return -1;
    for (size_t r = 0; r < m->nruns; r++)
        for (size_t i = 0; i < m->runs[r].count; i++)
            refs[k++] = (struct vref){html_vec_name(&m->runs[r].v[i]), r, &m->runs[r].v[i]};
    rc = merge_vectors(m, refs, n);
    free(refs);
    return rc;
}

static void add_tags(struct tagref *t, size_t *k, const struct vector_result *v, size_t vec)
{
    for (size_t j = 0; v != NULL && j < v->req_count; j++)
        if (v->reqs[j] != NULL)
            t[(*k)++] = (struct tagref){v->reqs[j], vec};
}

/* Every (tag, vector) pair, each once, sorted by tag. */
static struct tagref *collect_tags(const struct html_model *m, size_t *count)
{
    size_t n = 0, k = 0;
    struct tagref *t;

    for (size_t i = 0; i < m->nvecs; i++)
        for (size_t r = 0; r < m->nruns; r++)
            n += m->vecs[i].per_run[r] != NULL ? m->vecs[i].per_run[r]->req_count : 0;
    t = malloc((n > 0 ? n : 1) * sizeof *t);
    if (t == NULL)
        return NULL;
    for (size_t i = 0; i < m->nvecs; i++)
        for (size_t r = 0; r < m->nruns; r++)
            add_tags(t, &k, m->vecs[i].per_run[r], i);
    qsort(t, k, sizeof *t, tagref_cmp);
    *count = 0;
    for (size_t i = 0; i < k; i++) /* drop repeats of a (tag, vector) pair */
        if (*count == 0 || tagref_cmp(&t[*count - 1], &t[i]) != 0)
            t[(*count)++] = t[i];
    return t;
}

/* Add requirement id with the vectors of tags[first..first+n). */
static int add_req(struct html_model *m, const char *id, const struct req_entry *e,
                   const struct tagref *tags, size_t n)
{
    struct html_req *q = &m->reqs[m->nreqs++];

    q->id = id;
    q->reg = e;
    q->vec = malloc((n > 0 ? n : 1) * sizeof *q->vec);
    if (q->vec == NULL)
        return -1;
    for (q->nvec = 0; q->nvec < n; q->nvec++)
        q->vec[q->nvec] = tags[q->nvec].vec;
    return 0;
}

/* Length of the run of tags with the same id as tags[0]. */
static size_t tag_run(const struct tagref *tags, size_t n)
{
    size_t k = 1;

    while (k < n && strcmp(tags[k].id, tags[0].id) == 0)
        k++;
    return k;
}

static int find_tag(const struct tagref *tags, size_t n, const char *id, size_t *at)
{
    for (size_t i = 0; i < n; i += tag_run(tags + i, n - i))
        if (strcmp(tags[i].id, id) == 0) {
            *at = i;
            return 0;
        }
    return -1;
}

static int build_reqs(struct html_model *m, const struct tagref *tags, size_t n, bool *used)
{
    size_t nreg = m->reg != NULL ? m->reg->count : 0, at;

    m->reqs = calloc(nreg + n + 1, sizeof *m->reqs);
    if (m->reqs == NULL)
        return -1;
    for (size_t i = 0; i < nreg; i++) {
        const struct req_entry *e = &m->reg->e[i];
        size_t k = 0;
        if (find_tag(tags, n, e->id, &at) == 0) {
            k = tag_run(tags + at, n - at);
            used[at] = true;
        }
        if (add_req(m, e->id, e, tags + (k > 0 ? at : 0), k) != 0)
            return -1;
    }
    for (size_t i = 0; i < n; i += tag_run(tags + i, n - i))
        if (!used[i] && add_req(m, tags[i].id, NULL, tags + i, tag_run(tags + i, n - i)) != 0)
            return -1;
    return 0;
}

int html_model_build(struct html_model *m, const struct run_results *runs, size_t nruns,
                     const struct req_registry *reg)
{
    struct tagref *tags;
    bool *used;
    size_t n = 0;
    int rc;

    memset(m, 0, sizeof *m);
    m->runs = runs;
    m->nruns = nruns;
    m->reg = reg;
    if (collect_vectors(m) != 0 || (tags = collect_tags(m, &n)) == NULL)
        return -1;
    used = calloc(n + 1, sizeof *used);
    rc = used == NULL ? -1 : build_reqs(m, tags, n, used);
    free(used);
    free(tags);
    return rc;
}

void html_model_free(struct html_model *m)
{
    for (size_t i = 0; i < m->nvecs; i++) {
        free(m->vecs[i].per_run);
        free(m->vecs[i].page);
    }
    free(m->vecs);
    for (size_t i = 0; i < m->nreqs; i++)
        free(m->reqs[i].vec);
    free(m->reqs);
    memset(m, 0, sizeof *m);
}

/* How bad a status is, for the worst of several. */
static int severity(enum result_status s)
{
    switch (s) {
    case RESULT_SKIP: return 1;
    case RESULT_PASS: return 2;
    case RESULT_XFAIL: return 3;
    case RESULT_ERROR: return 4;
    case RESULT_XPASS: return 5;
    default: return 6;
    }
}

int html_req_status(const struct html_model *m, const struct html_req *q, size_t r)
{
    int worst = -1;

    for (size_t i = 0; i < q->nvec; i++) {
        const struct vector_result *v = m->vecs[q->vec[i]].per_run[r];
        if (v != NULL && (worst < 0 || severity(v->status) > severity((enum result_status)worst)))
            worst = (int)v->status;
    }
    return worst;
}

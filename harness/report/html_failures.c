/* report/html_failures.c: the sections of index.html a person reads first:
 * the failures of every run grouped by what went wrong (one group per
 * message, its numbers and line made general), and what changed since a
 * previous run (newly failing, fixed, new, gone). Plain HTML: <details>
 * groups open and close without JavaScript.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

bool html_status_fails(enum result_status s)
{
    return s == RESULT_FAIL || s == RESULT_ERROR || s == RESULT_XPASS;
}

/* The message made general, so like failures group together: the leading
 * "line N:" or "frame N:" goes, every run of digits becomes N.
 * "line 14: field ack: expected 1001, got 1" -> "field ack: expected N, got N" */
char *html_failure_key(const struct vector_result *v)
{
    char msg[1024];
    const char *m = vector_result_describe(v, msg, sizeof msg);
    for (const char *pre; (pre = strncmp(m, "line ", 5) == 0    ? m + 5
                                 : strncmp(m, "frame ", 6) == 0 ? m + 6
                                                                : NULL) != NULL;) {
        const char *d = pre;
        while (isdigit((unsigned char)*d) || *d == ':')
            d++;
        if (d == pre || d[-1] != ':' || *d != ' ')
            break;
        m = d + 1;
    }
    char *key = malloc(strlen(m) + 1), *o = key;
    if (!key)
        return NULL;
    for (const char *p = m; *p;) {
        if (isdigit((unsigned char)*p)) {
            *o++ = 'N';
            while (isdigit((unsigned char)*p))
                p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    if (key[0] == '\0') {
        free(key);
        key = strdup(result_status_name(v->status));
    }
    return key;
}

struct failure {
    char *key;
    size_t vec, run;
};

static int failure_cmp(const void *pa, const void *pb)
{
    const struct failure *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    if (c)
        return c;
    return a->vec != b->vec ? (a->vec > b->vec) - (a->vec < b->vec) : (a->run > b->run) - (a->run < b->run);
}

/* Every failing (vector, run), sorted by key; *n how many. */
static struct failure *collect(const struct html_model *m, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < m->nvecs; i++)
        for (size_t r = 0; r < m->nruns; r++)
            cap += m->vecs[i].per_run[r] && html_status_fails(m->vecs[i].per_run[r]->status);
    struct failure *fl = calloc(cap ? cap : 1, sizeof *fl);
    *n = 0;
    for (size_t i = 0; fl && i < m->nvecs; i++)
        for (size_t r = 0; r < m->nruns; r++) {
            const struct vector_result *v = m->vecs[i].per_run[r];
            if (!v || !html_status_fails(v->status))
                continue;
            char *key = html_failure_key(v);
            if (key)
                fl[(*n)++] = (struct failure){key, i, r};
        }
    if (fl)
        qsort(fl, *n, sizeof *fl, failure_cmp);
    return fl;
}

struct group {
    size_t first, count;
};

static int group_cmp(const void *pa, const void *pb)
{
    const struct group *a = pa, *b = pb;
    return a->count != b->count ? (a->count < b->count) - (a->count > b->count)
                                : (a->first > b->first) - (a->first < b->first);
}

static void failure_item(FILE *f, const struct html_model *m, const struct failure *x)
{
    const struct html_vec *hv = &m->vecs[x->vec];
    const struct vector_result *v = hv->per_run[x->run];
    char msg[1024];
    fprintf(f, "<li>");
    html_vector_badge(f, v);
    fprintf(f, " <a href=\"%s\">", hv->page);
    rpt_xml(f, hv->name, 0);
    fprintf(f, "</a>");
    if (m->nruns > 1) {
        fprintf(f, " <span class=\"note\">on ");
        rpt_xml(f, html_target(&m->runs[x->run]), 0);
        fprintf(f, "</span>");
    }
    fprintf(f, " <code>");
    rpt_xml(f, vector_result_describe(v, msg, sizeof msg), 0);
    fprintf(f, "</code></li>\n");
}

void html_failures(FILE *f, const struct html_model *m)
{
    size_t n;
    struct failure *fl = collect(m, &n);
    fprintf(f, "<h2 id=\"failures\">Failures</h2>\n");
    if (!fl || n == 0) {
        fprintf(f, "<p class=\"note\">%s</p>\n",
                fl ? "No vector failed, errored or passed unexpectedly." : "(out of memory)");
        free(fl);
        return;
    }
    struct group *g = calloc(n, sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; g && i < n; i++) {
        if (i == 0 || strcmp(fl[i].key, fl[i - 1].key) != 0)
            g[ng++] = (struct group){i, 0};
        g[ng - 1].count++;
    }
    if (g)
        qsort(g, ng, sizeof *g, group_cmp);
    fprintf(f, "<p class=\"meta\">%zu failure%s in %zu group%s, grouped by what the message "
               "says (numbers and lines made general), the largest group first.</p>\n",
            n, n == 1 ? "" : "s", ng, ng == 1 ? "" : "s");
    for (size_t k = 0; k < ng; k++) {
        const struct failure *first = &fl[g[k].first];
        fprintf(f, "<details class=\"fgroup\"%s><summary><span class=\"count\">%zu</span> <code>",
                k < 8 ? " open" : "", g[k].count);
        rpt_xml(f, first->key, 0);
        fprintf(f, "</code></summary>\n<ul class=\"flist\">\n");
        for (size_t i = 0; i < g[k].count; i++)
            failure_item(f, m, &first[i]);
        fprintf(f, "</ul></details>\n");
    }
    for (size_t i = 0; i < n; i++)
        free(fl[i].key);
    free(fl);
    free(g);
}

/* ---- the previous run ---- */

static const struct vector_result *find_prev(const struct run_results *p, const char *name)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(html_vec_name(&p->v[i]), name) == 0)
            return &p->v[i];
    return NULL;
}

enum change { CH_NEWLY_FAILING, CH_FIXED, CH_STILL_FAILING, CH_NEW, CH_GONE, CH_COUNT };

static enum change classify(const struct vector_result *now, const struct vector_result *was)
{
    if (!was)
        return CH_NEW;
    if (!now)
        return CH_GONE;
    bool f_now = html_status_fails(now->status), f_was = html_status_fails(was->status);
    if (f_now && !f_was)
        return CH_NEWLY_FAILING;
    if (!f_now && f_was)
        return CH_FIXED;
    return f_now ? CH_STILL_FAILING : CH_COUNT; /* CH_COUNT: unchanged, passing */
}

static void change_row(FILE *f, const char *page, const char *name, const struct vector_result *was,
                       const struct vector_result *now)
{
    char msg[1024];
    fprintf(f, "<tr><td>");
    if (page)
        fprintf(f, "<a href=\"%s\">", page);
    rpt_xml(f, name, 0);
    fprintf(f, "%s</td><td>", page ? "</a>" : "");
    html_vector_badge(f, was);
    fprintf(f, " &#8594; ");
    html_vector_badge(f, now);
    fprintf(f, "</td><td><code>");
    const struct vector_result *said = now && html_status_fails(now->status) ? now : was;
    if (said && said->status != RESULT_PASS)
        rpt_xml(f, vector_result_describe(said, msg, sizeof msg), 0);
    fprintf(f, "</code></td></tr>\n");
}

static const char *const change_title[CH_COUNT] = {
    "newly failing", "fixed", "still failing", "new", "no longer run"};

static void change_table(FILE *f, const struct html_model *m, const struct run_results *prev,
                         size_t run, enum change which, size_t count)
{
    if (count == 0)
        return;
    fprintf(f, "<details class=\"diff diff-%d\"%s><summary>%zu %s</summary>\n<table>"
               "<thead><tr><th>vector</th><th>before &#8594; now</th><th>message</th></tr>"
               "</thead><tbody>\n",
            (int)which, which == CH_NEWLY_FAILING || which == CH_FIXED ? " open" : "", count,
            change_title[which]);
    for (size_t i = 0; which != CH_GONE && i < m->nvecs; i++) {
        const struct vector_result *now = m->vecs[i].per_run[run];
        if (now && classify(now, find_prev(prev, m->vecs[i].name)) == which)
            change_row(f, m->vecs[i].page, m->vecs[i].name, find_prev(prev, m->vecs[i].name), now);
    }
    for (size_t i = 0; which == CH_GONE && i < prev->count; i++) {
        const char *name = html_vec_name(&prev->v[i]);
        bool here = false;
        for (size_t k = 0; k < m->nvecs && !here; k++)
            here = m->vecs[k].per_run[run] && strcmp(m->vecs[k].name, name) == 0;
        if (!here)
            change_row(f, NULL, name, &prev->v[i], NULL);
    }
    fprintf(f, "</tbody></table></details>\n");
}

void html_since_previous(FILE *f, const struct html_model *m)
{
    const struct run_results *prev = m->previous;
    if (!prev)
        return;
    /* compare with the run of the same target, else the first */
    size_t run = 0;
    for (size_t r = 0; r < m->nruns; r++)
        if (prev->target && m->runs[r].target && strcmp(prev->target, m->runs[r].target) == 0) {
            run = r;
            break;
        }
    if (m->nruns == 0)
        return;
    size_t count[CH_COUNT + 1] = {0};
    for (size_t i = 0; i < m->nvecs; i++)
        if (m->vecs[i].per_run[run])
            count[classify(m->vecs[i].per_run[run], find_prev(prev, m->vecs[i].name))]++;
    for (size_t i = 0; i < prev->count; i++) {
        bool here = false;
        for (size_t k = 0; k < m->nvecs && !here; k++)
            here = m->vecs[k].per_run[run] &&
                   strcmp(m->vecs[k].name, html_vec_name(&prev->v[i])) == 0;
        count[CH_GONE] += !here;
    }
    fprintf(f, "<h2 id=\"since\">Since the previous run</h2>\n<p class=\"meta\">Target <b>");
    rpt_xml(f, html_target(&m->runs[run]), 0);
    fprintf(f, "</b> against the previous run");
    if (prev->started) {
        fprintf(f, " (started ");
        rpt_xml(f, prev->started, 0);
        fprintf(f, ")");
    }
    fprintf(f, ": <b class=\"%s\">%zu newly failing</b>, <b class=\"%s\">%zu fixed</b>, %zu still "
               "failing, %zu new, %zu no longer run, %zu passing as before.</p>\n",
            count[CH_NEWLY_FAILING] ? "bad" : "", count[CH_NEWLY_FAILING],
            count[CH_FIXED] ? "good" : "", count[CH_FIXED], count[CH_STILL_FAILING], count[CH_NEW],
            count[CH_GONE], count[CH_COUNT]);
    for (int c = 0; c < CH_COUNT; c++)
        change_table(f, m, prev, run, (enum change)c, count[c]);
}

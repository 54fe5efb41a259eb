/* report/html_reqs.c: the requirements section of index.html: coverage
 * totals per level (when a registry is given) and one row per requirement
 * with the vectors that cover it and its status on each target.
 */
#include <stdio.h>
#include <string.h>

#include "report/coverage.h"
#include "report/html_internal.h"
#include "report/util.h"

static bool in_group(const struct html_req *q, const char *group)
{
    const char *g;

    if (q->reg == NULL)
        return false;
    if (strcmp(group, "all") == 0)
        return true;
    g = req_level_group(q->reg->level);
    if (strcmp(group, "other") == 0)
        return g == NULL;
    return g != NULL && strcmp(g, group) == 0;
}

static void fraction(FILE *f, size_t n, size_t of)
{
    fprintf(f, "<td class=\"num\">%zu / %zu", n, of);
    if (of > 0)
        fprintf(f, " (%.0f%%)", 100.0 * (double)n / (double)of);
    fprintf(f, "</td>");
}

/* Has a vector of q passed on run r? (report/coverage.h: "passing") */
static bool passes_on(const struct html_model *m, const struct html_req *q, size_t r)
{
    for (size_t i = 0; i < q->nvec; i++) {
        const struct vector_result *v = m->vecs[q->vec[i]].per_run[r];
        if (v != NULL && coverage_status_passes(v->status))
            return true;
    }
    return false;
}

/* Totals of one level: requirements, testable, covered/testable, and for
 * each target passing/testable (testable, and a vector of it passed there),
 * counted as `synack coverage` counts them (report/coverage.c). */
static void level_row(FILE *f, const struct html_model *m, const char *group)
{
    size_t total = 0, testable = 0, covered = 0;

    for (size_t i = 0; i < m->nreqs; i++) {
        const struct html_req *q = &m->reqs[i];
        if (!in_group(q, group))
            continue;
        total++;
        testable += q->reg->testable;
        covered += q->reg->testable && q->nvec > 0;
    }
    if (total == 0 && strcmp(group, "other") == 0)
        return;
    fprintf(f, "<tr><th>%s</th><td class=\"num\">%zu</td><td class=\"num\">%zu</td>", group,
            total, testable);
    fraction(f, covered, testable);
    for (size_t r = 0; r < m->nruns; r++) {
        size_t passing = 0;
        for (size_t i = 0; i < m->nreqs; i++)
            passing += in_group(&m->reqs[i], group) && m->reqs[i].reg->testable &&
                       passes_on(m, &m->reqs[i], r);
        fraction(f, passing, testable);
    }
    fprintf(f, "</tr>\n");
}

static void levels(FILE *f, const struct html_model *m)
{
    static const char *const groups[] = {"MUST", "SHOULD", "MAY", "other", "all"};

    fprintf(f, "<table class=\"levels\">\n<thead><tr><th>level</th><th>requirements</th>"
               "<th>testable</th><th>covered</th>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<th>passing on ");
        rpt_xml(f, html_target(&m->runs[r]), 0);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        level_row(f, m, groups[i]);
    fprintf(f, "</tbody></table>\n<p class=\"note\">Covered: a vector tags it; passing on a "
               "target: one of its vectors passed there (an expected failure does not count). "
               "Both out of the testable requirements, as <code>synack coverage</code> "
               "counts them.</p>\n");
}

/* One covering vector: its link and a small badge per target. */
static void covering_vector(FILE *f, const struct html_model *m, const struct html_vec *hv)
{
    char title[1200], msg[1024];

    fprintf(f, "<span class=\"vl\"><a href=\"%s\">", hv->page);
    rpt_xml(f, hv->name, 0);
    fprintf(f, "</a>");
    for (size_t r = 0; r < m->nruns; r++) {
        const struct vector_result *v = hv->per_run[r];
        const char *what = v != NULL ? vector_result_describe(v, msg, sizeof msg) : "not run";
        if (what[0] == '\0')
            what = result_status_name(v->status);
        snprintf(title, sizeof title, "%s: %s", html_target(&m->runs[r]), what);
        html_badge(f, v != NULL ? (int)v->status : -1, title);
    }
    fprintf(f, "</span> ");
}

static void registry_cells(FILE *f, const struct html_req *q)
{
    if (q->reg == NULL) {
        fprintf(f, "<td></td><td></td><td class=\"note\">not in the registry</td>");
        return;
    }
    fprintf(f, "<td>");
    rpt_xml(f, q->reg->level, 0);
    fprintf(f, "</td><td>");
    rpt_xml(f, q->reg->section, 0);
    fprintf(f, "</td><td>");
    rpt_xml(f, q->reg->summary, 0);
    fprintf(f, "</td>");
}

static void req_row(FILE *f, const struct html_model *m, const struct html_req *q)
{
    bool untestable = q->reg != NULL && !q->reg->testable;

    fprintf(f, "<tr id=\"");
    html_anchor(f, "req-", q->id);
    fprintf(f, "\"%s><td><code>", q->nvec > 0 ? "" : untestable ? " class=\"untestable\""
                                                               : " class=\"uncovered\"");
    rpt_xml(f, q->id, 0);
    fprintf(f, "</code></td>");
    if (m->reg != NULL)
        registry_cells(f, q);
    fprintf(f, "<td>");
    for (size_t i = 0; i < q->nvec; i++)
        covering_vector(f, m, &m->vecs[q->vec[i]]);
    if (q->nvec == 0 && untestable) {
        fprintf(f, "<span class=\"note\">");
        rpt_xml(f, q->reg->testability, 0);
        fprintf(f, "</span>");
    } else if (q->nvec == 0)
        fprintf(f, "<b>not covered</b>");
    fprintf(f, "</td>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<td>");
        html_badge(f, html_req_status(m, q, r), q->nvec > 0 ? "the worst of its vectors" : NULL);
        fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n");
}

void html_requirements(FILE *f, const struct html_model *m)
{
    fprintf(f, "<h2 id=\"requirements\">Requirements</h2>\n");
    if (m->reg != NULL)
        levels(f, m);
    else
        fprintf(f, "<p class=\"note\">No requirement registry (vectors/requirements.tsv): "
                   "only the requirements the vectors tag are listed.</p>\n");
    if (m->nreqs == 0) {
        fprintf(f, "<p class=\"note\">No requirements.</p>\n");
        return;
    }
    fprintf(f, "<table class=\"reqs\">\n<thead><tr><th>requirement</th>");
    if (m->reg != NULL)
        fprintf(f, "<th>level</th><th>section</th><th>summary</th>");
    fprintf(f, "<th>covered by</th>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<th>");
        rpt_xml(f, html_target(&m->runs[r]), 0);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < m->nreqs; i++)
        req_row(f, m, &m->reqs[i]);
    fprintf(f, "</tbody></table>\n");
}

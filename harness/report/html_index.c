/* report/html_index.c: index.html: the summary per target, one row per
 * vector with its status on each target, and the requirement matrix with
 * coverage totals per level when a registry is given.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/text.h"
#include "report/util.h"

static void header(FILE *f, const struct html_model *m)
{
    fprintf(f, "<h1>synack conformance report</h1>\n");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<p class=\"meta\">target <b>");
        rpt_xml(f, html_target(&m->runs[r]), 0);
        fprintf(f, "</b>");
        if (m->runs[r].started != NULL) {
            fprintf(f, ", started ");
            rpt_xml(f, m->runs[r].started, 0);
        }
        fprintf(f, "</p>\n");
    }
    if (m->nruns == 0)
        fprintf(f, "<p class=\"meta\">No runs were given.</p>\n");
    if (html_has_matrix(m))
        fprintf(f, "<p class=\"meta\"><a href=\"matrix.html\">The state &#215; event "
                   "matrix</a>: the vectors of vectors/matrix/, one cell per state, segment "
                   "and position.</p>\n");
}

/* Row which of the summary: 0 total, 1 pass, 2 fail, 3 error, 4 skip, ... */
static void count_row(FILE *f, const struct html_model *m, const char *label, size_t which)
{
    struct run_totals t;

    fprintf(f, "<tr><th>%s</th>", label);
    for (size_t r = 0; r < m->nruns; r++) {
        run_results_totals(&m->runs[r], &t);
        const size_t c[] = {t.total, t.pass, t.fail, t.error, t.skip, t.xfail, t.xpass};
        fprintf(f, "<td class=\"num\">%zu</td>", c[which]);
    }
    fprintf(f, "</tr>\n");
}

/* A stacked bar of the statuses of run r (widths in percent). */
static void bar(FILE *f, const struct run_results *r)
{
    struct run_totals t;
    const size_t *n[] = {&t.pass, &t.xfail, &t.skip, &t.error, &t.xpass, &t.fail};
    const char *cls[] = {"pass", "xfail", "skip", "error", "xpass", "fail"};

    run_results_totals(r, &t);
    fprintf(f, "<div class=\"bar\">");
    for (size_t i = 0; t.total > 0 && i < sizeof n / sizeof n[0]; i++)
        if (*n[i] > 0)
            fprintf(f, "<span class=\"b-%s\" style=\"width:%.2f%%\"></span>", cls[i],
                    100.0 * (double)*n[i] / (double)t.total);
    fprintf(f, "</div>");
}

static void target_heads(FILE *f, const struct html_model *m)
{
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<th>");
        rpt_xml(f, html_target(&m->runs[r]), 0);
        fprintf(f, "</th>");
    }
}

static void verdict_row(FILE *f, const struct html_model *m)
{
    fprintf(f, "<tr><th>verdict</th>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<td>");
        html_badge(f, run_results_failed(&m->runs[r]) ? RESULT_FAIL : RESULT_PASS, NULL);
        fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n");
}

static void time_and_bar_rows(FILE *f, const struct html_model *m)
{
    fprintf(f, "<tr><th>time</th>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<td class=\"num\">");
        html_duration(f, m->runs[r].wall_ms);
        fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n<tr><th></th>");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<td>");
        bar(f, &m->runs[r]);
        fprintf(f, "</td>");
    }
    fprintf(f, "</tr>\n");
}

static void summary(FILE *f, const struct html_model *m)
{
    static const char *const labels[] = {"vectors", "passed", "failed", "errors", "skipped",
                                         "expected failures", "unexpected passes"};
    char line[256];

    fprintf(f, "<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n<thead><tr><th></th>");
    target_heads(f, m);
    fprintf(f, "</tr></thead>\n<tbody>\n");
    verdict_row(f, m);
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        count_row(f, m, labels[i], i);
    time_and_bar_rows(f, m);
    fprintf(f, "</tbody></table>\n");
    for (size_t r = 0; r < m->nruns; r++) {
        fprintf(f, "<p class=\"meta\"><b>");
        rpt_xml(f, html_target(&m->runs[r]), 0);
        fprintf(f, "</b>: ");
        rpt_xml(f, report_text_summary_line(&m->runs[r], line, sizeof line), 0);
        fprintf(f, "</p>\n");
    }
}

/* The folder part of a vector name ("" when none), as a length. */
static size_t folder_len(const char *name)
{
    const char *slash = strrchr(name, '/');

    return slash != NULL ? (size_t)(slash - name) : 0;
}

static void group_row(FILE *f, const struct html_model *m, size_t i)
{
    const char *name = m->vecs[i].name, *prev = i > 0 ? m->vecs[i - 1].name : NULL;
    size_t n = folder_len(name);
    char *folder;

    if (n == 0 || (prev != NULL && folder_len(prev) == n && strncmp(prev, name, n) == 0))
        return;
    folder = strndup(name, n);
    fprintf(f, "<tr class=\"group\"><th colspan=\"%zu\">", m->nruns + 2);
    rpt_xml(f, folder != NULL ? folder : "", 0);
    fprintf(f, "/</th></tr>\n");
    free(folder);
}

static void vector_row(FILE *f, const struct html_model *m, size_t i)
{
    const struct html_vec *hv = &m->vecs[i];
    const struct vector_result *any = NULL;

    group_row(f, m, i);
    fprintf(f, "<tr id=\"");
    html_anchor(f, "v-", hv->name);
    fprintf(f, "\"><td><a href=\"%s\">", hv->page);
    rpt_xml(f, hv->name, 0);
    fprintf(f, "</a></td>");
    for (size_t r = 0; r < m->nruns; r++) {
        const struct vector_result *v = hv->per_run[r];
        any = any != NULL ? any : v;
        fprintf(f, "<td>");
        html_vector_badge(f, v);
        if (v != NULL) {
            fprintf(f, "<span class=\"dur\">");
            html_duration(f, v->wall_ms);
            fprintf(f, "</span>");
        }
        fprintf(f, "</td>");
    }
    fprintf(f, "<td>");
    for (size_t j = 0; any != NULL && j < any->req_count; j++) {
        html_req_link(f, "", any->reqs[j]);
        fprintf(f, " ");
    }
    fprintf(f, "</td></tr>\n");
}

static void vectors(FILE *f, const struct html_model *m)
{
    fprintf(f, "<h2 id=\"vectors\">Vectors</h2>\n");
    if (m->nvecs == 0) {
        fprintf(f, "<p class=\"note\">No vectors.</p>\n");
        return;
    }
    fprintf(f, "<table class=\"vectors\">\n<thead><tr><th>vector</th>");
    target_heads(f, m);
    fprintf(f, "<th>requirements</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < m->nvecs; i++)
        vector_row(f, m, i);
    fprintf(f, "</tbody></table>\n");
}

int html_index_write(const struct html_model *m, const char *dir, char *err, size_t errlen)
{
    char *path;
    FILE *f = html_open(dir, "index.html", &path, err, errlen);

    if (f == NULL)
        return -1;
    html_page_start(f, "synack conformance report", "");
    header(f, m);
    summary(f, m);
    vectors(f, m);
    html_requirements(f, m);
    html_page_end(f);
    return html_close(f, path, err, errlen);
}

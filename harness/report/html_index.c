/* report/html_index.c: index.html: the summary per target, one row per
 * vector with its status on each target, and the requirement matrix with
 * coverage totals per level when a registry is given.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/text.h"
#include "report/util.h"

static void header(FILE *f, const struct html_model *m, const char *dir)
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
    fprintf(f, "<nav><a href=\"#summary\">summary</a> &#183; %s<a href=\"#failures\">"
               "failures</a> &#183; <a href=\"#vectors\">vectors</a> &#183; "
               "<a href=\"#requirements\">requirements</a></nav>\n",
            m->previous ? "<a href=\"#since\">since the previous run</a> &#183; " : "");
    if (html_has_matrix(m))
        fprintf(f, "<p class=\"meta\"><a href=\"matrix.html\">The state &#215; event "
                   "matrix</a>: the vectors of vectors/matrix/, one cell per state, segment "
                   "and position.</p>\n");
    if (html_has_strength(m))
        fprintf(f, "<p class=\"meta\"><a href=\"strength.html\">Suite strength</a>: the "
                   "mutants of the stack the vectors kill, and the requirement rows a killed "
                   "mutant defends.</p>\n");
    if (html_has_bench(dir))
        fprintf(f, "<p class=\"meta\"><a href=\"bench.html\">The bench</a>: make bench's "
                   "figures beside the kernel's.</p>\n");
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

static bool same_folder(const char *a, const char *b)
{
    size_t n = folder_len(a);
    return folder_len(b) == n && strncmp(a, b, n) == 0;
}

/* The statuses of vector i on every run, space-separated: "pass fail". */
static void row_statuses(FILE *f, const struct html_model *m, size_t i)
{
    for (size_t r = 0; r < m->nruns; r++) {
        const struct vector_result *v = m->vecs[i].per_run[r];
        fprintf(f, "%s%s", r ? " " : "", v ? result_status_name(v->status) : "none");
    }
}

static void vector_row(FILE *f, const struct html_model *m, size_t i)
{
    const struct html_vec *hv = &m->vecs[i];
    const struct vector_result *any = NULL;
    char msg[1024];

    fprintf(f, "<tr id=\"");
    html_anchor(f, "v-", hv->name);
    fprintf(f, "\" data-st=\"");
    row_statuses(f, m, i);
    fprintf(f, "\" data-msg=\"");
    for (size_t r = 0; r < m->nruns; r++)
        if (hv->per_run[r] && hv->per_run[r]->status != RESULT_PASS) {
            rpt_xml(f, vector_result_describe(hv->per_run[r], msg, sizeof msg), 1);
            fputc(' ', f);
        }
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

/* One folder's vectors [from, to) as a <details> of its own: closed
 * unless one of them failed, with its counts in the summary line. */
static void folder_group(FILE *f, const struct html_model *m, size_t from, size_t to)
{
    size_t n = to - from, failing = 0, pass = 0;
    for (size_t i = from; i < to; i++)
        for (size_t r = 0; r < m->nruns; r++) {
            const struct vector_result *v = m->vecs[i].per_run[r];
            failing += v && html_status_fails(v->status);
            pass += v && v->status == RESULT_PASS;
        }
    size_t len = folder_len(m->vecs[from].name);
    fprintf(f, "<details class=\"folder\"%s><summary><b>", failing ? " open" : "");
    fprintf(f, "%.*s/", (int)len, len ? m->vecs[from].name : ".");
    fprintf(f, "</b> <span class=\"note\">%zu vector%s", n, n == 1 ? "" : "s");
    if (m->nruns > 1)
        fprintf(f, " on %zu targets", m->nruns);
    fprintf(f, ": %zu passed", pass);
    if (failing)
        fprintf(f, ", <b class=\"bad\">%zu failed</b>", failing);
    fprintf(f, "</span></summary>\n<table class=\"vectors\">\n<thead><tr><th>vector</th>");
    target_heads(f, m);
    fprintf(f, "<th>requirements</th></tr></thead>\n<tbody>\n");
    for (size_t i = from; i < to; i++)
        vector_row(f, m, i);
    fprintf(f, "</tbody></table></details>\n");
}

static void vectors(FILE *f, const struct html_model *m)
{
    fprintf(f, "<h2 id=\"vectors\">Vectors</h2>\n");
    if (m->nvecs == 0) {
        fprintf(f, "<p class=\"note\">No vectors.</p>\n");
        return;
    }
    fprintf(f, "<p class=\"meta\">%zu vectors, one group per folder (a group with a "
               "failure is open).</p>\n<div id=\"filter\"></div>\n", m->nvecs);
    for (size_t i = 0, start = 0; i <= m->nvecs; i++)
        if (i == m->nvecs || (i > start && !same_folder(m->vecs[start].name, m->vecs[i].name))) {
            folder_group(f, m, start, i);
            start = i;
        }
}

/* Filtering, for a browser that runs scripts: a search box and a status
 * choice over the folder groups. Without it the page is complete. */
static const char filter_script[] =
    "<script>\n(function(){\n"
    "var box=document.getElementById('filter');if(!box)return;\n"
    "box.innerHTML='<label>filter <input id=q type=search size=40 "
    "placeholder=\"name, message or requirement\"></label> '+\n"
    "'<label><input id=fo type=checkbox> failures only</label> <span id=fc class=note>"
    "</span>';\n"
    "var q=document.getElementById('q'),fo=document.getElementById('fo'),"
    "fc=document.getElementById('fc');\n"
    "var bad=/\\b(fail|error|xpass)\\b/;\n"
    "function apply(){var t=q.value.toLowerCase(),shown=0,all=0;\n"
    "document.querySelectorAll('details.folder').forEach(function(d){var n=0;\n"
    "d.querySelectorAll('tbody tr').forEach(function(r){all++;\n"
    "var ok=(!fo.checked||bad.test(r.dataset.st))&&(!t||r.textContent.toLowerCase()"
    ".indexOf(t)>=0||r.dataset.msg.toLowerCase().indexOf(t)>=0);\n"
    "r.style.display=ok?'':'none';if(ok)n++;});\n"
    "d.style.display=n?'':'none';if(t||fo.checked)d.open=n>0;shown+=n;});\n"
    "fc.textContent=(t||fo.checked)?shown+' of '+all+' vectors':'';}\n"
    "q.addEventListener('input',apply);fo.addEventListener('change',apply);\n"
    "var h=location.hash.match(/^#q=(.*)/);if(h){q.value=decodeURIComponent(h[1]);apply();}\n"
    "})();\n</script>\n";

int html_index_write(const struct html_model *m, const char *dir, char *err, size_t errlen)
{
    char *path;
    FILE *f = html_open(dir, "index.html", &path, err, errlen);

    if (f == NULL)
        return -1;
    html_page_start(f, "synack conformance report", "");
    header(f, m, dir);
    summary(f, m);
    html_since_previous(f, m);
    html_failures(f, m);
    vectors(f, m);
    html_requirements(f, m);
    fputs(filter_script, f);
    html_page_end(f);
    return html_close(f, path, err, errlen);
}

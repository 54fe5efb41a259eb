/* report/html_vector.c: one page per vector (vectors/<name>.html): for each
 * target its status, the failure point, the capture link, the oracle's
 * findings and the ladder diagram.
 */
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

/* "../" once per folder of the page below the report's top. */
static char *root_of(const char *page)
{
    size_t ups = 0;
    char *root;

    for (const char *p = page; *p != '\0'; p++)
        ups += *p == '/';
    root = malloc(ups * 3 + 1);
    if (root != NULL) {
        root[0] = '\0';
        for (size_t i = 0; i < ups; i++)
            strcat(root, "../");
    }
    return root;
}

static void fact(FILE *f, const char *label, const char *text, bool code)
{
    if (text == NULL)
        return;
    fprintf(f, "<tr><th>%s</th><td>%s", label, code ? "<code>" : "");
    rpt_xml(f, text, 0);
    fprintf(f, "%s</td></tr>\n", code ? "</code>" : "");
}

static void fact_packet(FILE *f, const char *label, const char *text, int64_t t)
{
    char ts[32];

    if (text == NULL && t < 0)
        return;
    fprintf(f, "<tr><th>%s</th><td><code>", label);
    rpt_xml(f, text != NULL ? text : "(nothing)", 0);
    fprintf(f, "</code>");
    if (t >= 0)
        fprintf(f, " <span class=\"dur\">at %s&#160;s</span>", rpt_time_s(t, ts, sizeof ts));
    fprintf(f, "</td></tr>\n");
}

/* The capture, linked relative to the page's folder. */
static void capture(FILE *f, const char *pcap, const char *dir, const char *page)
{
    char *top = rpt_abspath(dir), *to = rpt_abspath(pcap), *from = NULL, *href = NULL;
    const char *slash = strrchr(page, '/');
    size_t n;

    if (top != NULL && to != NULL) {
        n = strlen(top) + strlen(page) + 2;
        from = malloc(n);
        if (from != NULL)
            snprintf(from, n, "%s/%.*s", top, (int)(slash - page), page);
    }
    if (from != NULL)
        href = rpt_relative_href(from, to);
    fprintf(f, "<tr><th>capture</th><td>");
    if (href != NULL) {
        fprintf(f, "<a href=\"");
        rpt_xml(f, href, 1);
        fprintf(f, "\">");
    }
    rpt_xml(f, pcap, 0);
    fprintf(f, "%s</td></tr>\n", href != NULL ? "</a>" : "");
    free(href);
    free(from);
    free(to);
    free(top);
}

static void facts(FILE *f, const struct vector_result *v, const char *dir, const char *page)
{
    char msg[1024], line[64];

    fprintf(f, "<table class=\"facts\">\n");
    fact(f, "message", vector_result_describe(v, msg, sizeof msg)[0] ? msg : NULL, false);
    if (v->status == RESULT_XFAIL || v->status == RESULT_XPASS)
        fact(f, "expected to fail", v->xfail_reason != NULL ? v->xfail_reason : "(no reason)",
             false);
    if (v->fail_line != 0) {
        snprintf(line, sizeof line, "%u", v->fail_line);
        fact(f, "script line", line, false);
    }
    fact(f, "field", v->fail_field, true);
    fact_packet(f, "expected", v->expected, v->t_expected);
    fact_packet(f, "actual", v->actual, v->t_actual);
    fprintf(f, "<tr><th>duration</th><td>");
    html_duration(f, v->wall_ms);
    if (v->script_us >= 0)
        fprintf(f, " <span class=\"dur\">(script time %s&#160;s)</span>",
                rpt_time_s(v->script_us, line, sizeof line));
    fprintf(f, "</td></tr>\n");
    if (v->pcap_path != NULL)
        capture(f, v->pcap_path, dir, page);
    fprintf(f, "</table>\n");
}

static void findings(FILE *f, const struct vector_result *v, const char *root)
{
    if (v->finding_count == 0)
        return;
    fprintf(f, "<h3>Oracle findings</h3>\n<table class=\"findings\">\n<thead><tr><th>packet</th>"
               "<th>rule</th><th>requirement</th><th>message</th><th>expected</th></tr></thead>\n"
               "<tbody>\n");
    for (size_t i = 0; i < v->finding_count; i++) {
        const struct result_finding *x = &v->findings[i];
        fprintf(f, "<tr><td class=\"num\">%u</td><td><code>", x->packet);
        rpt_xml(f, x->rule, 0);
        fprintf(f, "</code></td><td>");
        if (x->req != NULL)
            html_req_link(f, root, x->req);
        fprintf(f, "</td><td>");
        rpt_xml(f, x->message, 0);
        fprintf(f, "</td><td>%s</td></tr>\n", x->expected ? "yes (declared by the vector)" : "no");
    }
    fprintf(f, "</tbody></table>\n");
}

static void legend(FILE *f)
{
    fprintf(f, "<p class=\"legend\"><span><i class=\"sw\" style=\"color:#37474f\"></i>as "
               "expected</span><span><i class=\"sw\" style=\"color:#c62828\"></i>mismatch "
               "(actual)</span><span><i class=\"sw\" style=\"color:#546e7a;border-top-style:"
               "dashed\"></i>expected by the script</span><span><i class=\"sw\" style=\"color:"
               "#ef6c00\"></i>unexpected</span><span><i class=\"sw\" style=\"color:#9e9e9e;"
               "border-top-style:dashed\"></i>missing</span></p>\n");
}

static void run_section(FILE *f, const struct html_model *m, size_t i, size_t r,
                        const char *dir, const char *root)
{
    const struct vector_result *v = m->vecs[i].per_run[r];
    char idp[32];

    fprintf(f, "<h2 id=\"");
    html_anchor(f, "t-", html_target(&m->runs[r]));
    fprintf(f, "\">");
    rpt_xml(f, html_target(&m->runs[r]), 0);
    fprintf(f, " ");
    html_vector_badge(f, v);
    fprintf(f, "</h2>\n");
    if (v == NULL) {
        fprintf(f, "<p class=\"note\">Not run on this target.</p>\n");
        return;
    }
    facts(f, v, dir, m->vecs[i].page);
    findings(f, v, root);
    if (v->ladder_count == 0)
        return;
    fprintf(f, "<h3>Ladder</h3>\n");
    legend(f);
    snprintf(idp, sizeof idp, "r%zu-", r);
    fprintf(f, "<div class=\"ladder\">\n");
    html_ladder_svg(f, v, idp);
    fprintf(f, "</div>\n<details><summary>the same rows as a table</summary>\n");
    html_ladder_table(f, v);
    fprintf(f, "</details>\n");
}

/* Heading: name, path, requirement tags (from the first run that has it). */
static void heading(FILE *f, const struct html_model *m, size_t i, const char *root)
{
    const struct html_vec *hv = &m->vecs[i];
    const struct vector_result *any = NULL;

    for (size_t r = 0; r < m->nruns && any == NULL; r++)
        any = hv->per_run[r];
    fprintf(f, "<h1>");
    rpt_xml(f, hv->name, 0);
    fprintf(f, "</h1>\n");
    if (any != NULL && any->path != NULL) {
        fprintf(f, "<p class=\"meta\"><code>");
        rpt_xml(f, any->path, 0);
        fprintf(f, "</code></p>\n");
    }
    fprintf(f, "<p class=\"meta\">requirements: ");
    for (size_t j = 0; any != NULL && j < any->req_count; j++) {
        html_req_link(f, root, any->reqs[j]);
        fprintf(f, " ");
    }
    if (any == NULL || any->req_count == 0)
        fprintf(f, "none tagged");
    fprintf(f, "</p>\n");
}

int html_vector_write(const struct html_model *m, size_t i, const char *dir, char *err,
                      size_t errlen)
{
    const struct html_vec *hv = &m->vecs[i];
    char *root = root_of(hv->page), *path;
    FILE *f = root != NULL ? html_open(dir, hv->page, &path, err, errlen) : NULL;

    if (f == NULL) {
        free(root);
        return root != NULL ? -1 : rpt_fail(err, errlen, "%s: out of memory", hv->page);
    }
    html_page_start(f, hv->name, root);
    heading(f, m, i, root);
    for (size_t r = 0; r < m->nruns; r++)
        run_section(f, m, i, r, dir, root);
    html_page_end(f);
    free(root);
    return html_close(f, path, err, errlen);
}

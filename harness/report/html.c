/* report/html.c: report_html_write, the page frame with its inline CSS, and
 * the small pieces every page uses (badges, links, anchors). The index, the
 * vector pages and the ladder diagram are in html_index.c, html_vector.c
 * and html_ladder.c.
 */
#include "report/html.h"

#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/json.h"
#include "report/util.h"

static const char css[] =
    "body{font:14px/1.45 system-ui,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
    "margin:0 auto;max-width:1500px;padding:12px 24px 40px;color:#1d1d1f;background:#fff}\n"
    "h1{font-size:22px;margin:10px 0 4px}h1 small{font-weight:400;color:#666;font-size:14px}\n"
    "h2{font-size:18px;margin:30px 0 8px;padding-bottom:4px;border-bottom:1px solid #ddd}\n"
    "h3{font-size:15px;margin:18px 0 6px}\n"
    "a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}\n"
    "nav{font-size:13px;color:#666}\n"
    "table{border-collapse:collapse;margin:6px 0 10px}\n"
    "th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}\n"
    "thead th{background:#f3f4f6}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "tr.group th{background:#fafafa;color:#555;font-weight:600}\n"
    "code,.mono{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:12.5px;"
    "white-space:pre-wrap;word-break:break-all}\n"
    ".st{display:inline-block;min-width:3.4em;text-align:center;border-radius:3px;"
    "padding:0 5px;font-size:12px;font-weight:600;color:#fff}\n"
    ".st-pass{background:#2e7d32}.st-fail{background:#c62828}.st-error{background:#8e24aa}"
    ".st-skip{background:#8d8d8d}.st-xfail{background:#00838f}.st-xpass{background:#ef6c00}"
    ".st-none{background:none;color:#999;font-weight:400}\n"
    ".dur{color:#666;font-size:12px;margin-left:4px}\n"
    ".meta{color:#555;margin:2px 0}\n"
    ".bar{display:flex;height:10px;width:240px;border-radius:3px;overflow:hidden;"
    "background:#eee}\n.bar span{display:block;height:100%}\n"
    ".b-pass{background:#2e7d32}.b-fail{background:#c62828}.b-error{background:#8e24aa}"
    ".b-skip{background:#8d8d8d}.b-xfail{background:#00838f}.b-xpass{background:#ef6c00}\n"
    "tr.uncovered td{background:#fff5f5}tr.untestable td{color:#888}\n"
    ".note{color:#666;font-size:13px}\n"
    "table.matrix td{padding:1px 3px;white-space:nowrap}table.matrix .st{min-width:0}"
    "table.matrix tr.first>*{border-top:2px solid #bbb}\n"
    ".vl{display:inline-block;margin:0 10px 2px 0;white-space:nowrap}\n"
    ".vl .st{min-width:0;font-size:10px;padding:0 3px;margin-left:2px}\n"
    ".ladder{overflow-x:auto;border:1px solid #ddd;background:#fcfcfc;margin:6px 0}\n"
    ".ladder svg{display:block}\n"
    ".ladder text{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;font-size:12px;"
    "fill:#263238}\n"
    ".ladder .hd{font-family:system-ui,\"DejaVu Sans\",sans-serif;font-size:13px;"
    "font-weight:600}\n"
    ".ladder .gut{fill:#78909c;font-size:11px}.ladder .sub{fill:#78909c;font-size:11px}\n"
    ".ladder .life{stroke:#90a4ae;stroke-width:2}\n"
    ".ladder .a-ok{stroke:#37474f;stroke-width:1.5}\n"
    ".ladder .a-mismatch{stroke:#c62828;stroke-width:2}\n"
    ".ladder .a-unexpected{stroke:#ef6c00;stroke-width:2}\n"
    ".ladder .a-missing{stroke:#9e9e9e;stroke-width:1.5;stroke-dasharray:6 4}\n"
    ".ladder .a-expected{stroke:#546e7a;stroke-width:1.5;stroke-dasharray:6 4}\n"
    ".ladder .t-mismatch{fill:#c62828}.ladder .t-unexpected{fill:#ef6c00}"
    ".ladder .t-missing{fill:#9e9e9e}.ladder .t-expected{fill:#546e7a}\n"
    ".ladder .box{fill:#eef3f7;stroke:#78909c}.ladder .box-mismatch{fill:#fdecea;"
    "stroke:#c62828;stroke-width:2}.ladder .box-expected{fill:none;stroke:#546e7a;"
    "stroke-dasharray:6 4}.ladder .box-missing{fill:none;stroke:#9e9e9e;"
    "stroke-dasharray:6 4}.ladder .box-unexpected{fill:#fff3e0;stroke:#ef6c00}\n"
    ".ladder .note{fill:#607d8b;font-style:italic}\n"
    ".ladder .tick{stroke:#e0e0e0;stroke-width:1}.ladder .tk{fill:#9e9e9e;font-size:10px}\n"
    ".legend span{margin-right:16px;font-size:13px}\n"
    ".sw{display:inline-block;width:26px;height:0;border-top:2px solid;vertical-align:middle;"
    "margin-right:5px}\n"
    "tr.r-mismatch td{background:#fdecea}tr.r-unexpected td{background:#fff3e0}"
    "tr.r-missing td{color:#888}\n"
    "details{margin:8px 0}summary{cursor:pointer;color:#0b57d0}\n"
    "details.folder{margin:2px 0}details.folder>summary{color:#1d1d1f;padding:2px 0}\n"
    "details.folder table{margin:4px 0 10px 18px}\n"
    "details.fgroup{margin:4px 0;border-left:3px solid #c62828;padding-left:8px}\n"
    "details.fgroup>summary{color:#1d1d1f}details.fgroup code{white-space:normal}\n"
    ".count{display:inline-block;min-width:2em;text-align:right;font-weight:700;"
    "color:#c62828}\n"
    "ul.flist{margin:4px 0;padding-left:20px}ul.flist li{margin:2px 0}\n"
    ".bad{color:#c62828}.good{color:#2e7d32}\n"
    "details.diff>summary{font-weight:600}\n"
    "#filter{margin:8px 0}#filter input[type=search]{font:inherit;padding:2px 6px}\n";

void html_page_start(FILE *f, const char *title, const char *root)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>");
    rpt_xml(f, title, 0);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
    if (root[0] != '\0')
        fprintf(f, "<nav><a href=\"%sindex.html\">synack conformance report</a></nav>\n",
                root);
}

void html_page_end(FILE *f)
{
    fprintf(f, "</body>\n</html>\n");
}

void html_badge(FILE *f, int status, const char *title)
{
    const char *name = status < 0 ? "none" : result_status_name((enum result_status)status);

    fprintf(f, "<span class=\"st st-%s\"", name);
    if (title != NULL && title[0] != '\0') {
        fprintf(f, " title=\"");
        rpt_xml(f, title, 1);
        fputc('"', f);
    }
    fprintf(f, ">%s</span>", status < 0 ? "&#8212;" : name);
}

void html_vector_badge(FILE *f, const struct vector_result *v)
{
    char msg[1024];

    if (v == NULL) {
        html_badge(f, -1, "not run on this target");
        return;
    }
    html_badge(f, (int)v->status, vector_result_describe(v, msg, sizeof msg));
}

void html_duration(FILE *f, double ms)
{
    if (ms < 1000.0)
        fprintf(f, "%.1f&#160;ms", ms);
    else
        fprintf(f, "%.2f&#160;s", ms / 1000.0);
}

void html_anchor(FILE *f, const char *prefix, const char *id)
{
    fputs(prefix, f);
    for (const char *p = id; *p != '\0'; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 strchr("_.:-", c) != NULL;
        fputc(ok ? c : '_', f);
    }
}

void html_req_link(FILE *f, const char *root, const char *id)
{
    fprintf(f, "<a href=\"%sindex.html#", root);
    html_anchor(f, "req-", id);
    fprintf(f, "\">");
    rpt_xml(f, id, 0);
    fprintf(f, "</a>");
}

const char *html_target(const struct run_results *r)
{
    return r->target != NULL ? r->target : "?";
}

FILE *html_open(const char *dir, const char *rel, char **path, char *err, size_t errlen)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *slash;
    FILE *f;
    int rc;

    *path = malloc(n);
    if (*path == NULL) {
        rpt_fail(err, errlen, "%s: out of memory", dir);
        return NULL;
    }
    snprintf(*path, n, "%s/%s", dir, rel);
    slash = strrchr(*path, '/');
    *slash = '\0';
    rc = rpt_mkdirs(*path, err, errlen);
    *slash = '/';
    f = rc == 0 ? rpt_create(*path, err, errlen) : NULL;
    if (f == NULL) {
        free(*path);
        *path = NULL;
    }
    return f;
}

int html_close(FILE *f, char *path, char *err, size_t errlen)
{
    int rc = rpt_finish(f, path, err, errlen);

    free(path);
    return rc;
}

static int write_all(const struct html_model *m, const char *dir, char *err, size_t errlen)
{
    if (html_index_write(m, dir, err, errlen) != 0 || html_matrix_write(m, dir, err, errlen) != 0 ||
        html_strength_write(m, dir, err, errlen) != 0)
        return -1;
    for (size_t i = 0; i < m->nvecs; i++)
        if (html_vector_write(m, i, dir, err, errlen) != 0)
            return -1;
    return 0;
}

int report_html_write_opts(const struct run_results *runs, size_t nruns,
                           const struct report_html_options *o, const char *dir, char *err,
                           size_t errlen)
{
    struct req_registry reg;
    struct run_results prev = {0};
    struct html_model m;
    int have_reg = 0, rc;

    if (rpt_mkdirs(dir, err, errlen) != 0)
        return -1;
    if (o->registry != NULL) {
        rc = req_registry_read(o->registry, &reg, err, errlen);
        if (rc < 0)
            return -1;
        have_reg = rc == 0;
    }
    if (o->previous != NULL && report_json_read(o->previous, &prev, err, errlen) < 0) {
        if (have_reg)
            req_registry_free(&reg);
        return -1;
    }
    rc = html_model_build(&m, runs, nruns, have_reg ? &reg : NULL);
    m.previous = o->previous != NULL ? &prev : NULL;
    m.mutants = o->mutants;
    if (rc != 0)
        rpt_fail(err, errlen, "%s: out of memory", dir);
    else
        rc = write_all(&m, dir, err, errlen);
    html_model_free(&m);
    if (have_reg)
        req_registry_free(&reg);
    run_results_free(&prev);
    return rc;
}

int report_html_write(const struct run_results *runs, size_t nruns, const char *registry_tsv,
                      const char *dir, char *err, size_t errlen)
{
    struct report_html_options o = {.registry = registry_tsv};
    return report_html_write_opts(runs, nruns, &o, dir, err, errlen);
}

/* report/html_bench.c: bench.html, the page of `make bench`
 * (stack/bench/bench.py): its table of synack beside the kernel, every run
 * of every figure, and the sender's cwnd/ssthresh and srtt/rto under loss
 * drawn as inline SVG charts. Read from bench.json; nothing else.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/html.h"
#include "report/html_internal.h"
#include "report/util.h"

#define CH_W 760
#define CH_H 260
#define CH_L 70 /* left margin: the y labels */
#define CH_R 20
#define CH_T 28
#define CH_B 40
#define CH_POINTS 1400 /* most points drawn per line */

static const char *str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static void info_line(FILE *f, const json_t *info)
{
    fprintf(f, "<p class=\"meta\">started ");
    rpt_xml(f, str(info, "started"), 0);
    fprintf(f, " at commit <code>");
    rpt_xml(f, str(info, "commit"), 0);
    fprintf(f, "</code>, Linux ");
    rpt_xml(f, str(info, "kernel"), 0);
    fprintf(f, ", %lld CPUs; load average ", json_integer_value(json_object_get(info, "cpus")));
    rpt_xml(f, str(info, "load_start"), 0);
    fprintf(f, " at the start, ");
    rpt_xml(f, str(info, "load_end"), 0);
    fprintf(f, " at the end (a shared machine: read the ranges)</p>\n");
}

static void table_row(FILE *f, const json_t *r)
{
    json_t *ratio = json_object_get(r, "ratio"), *goal = json_object_get(r, "goal");
    json_t *met = json_object_get(r, "met");
    fprintf(f, "<tr><td>");
    rpt_xml(f, str(r, "label"), 0);
    fprintf(f, "</td><td class=\"num\">");
    rpt_xml(f, str(r, "synack"), 0);
    fprintf(f, "</td><td class=\"num\">");
    rpt_xml(f, str(r, "kernel"), 0);
    fprintf(f, "</td><td class=\"num\">");
    if (json_is_number(ratio))
        fprintf(f, "%.2f", json_number_value(ratio));
    fprintf(f, "</td><td>");
    if (json_is_number(goal)) {
        fprintf(f, "&#8805; %g%s ", json_number_value(goal), str(r, "kernel")[0] ? "&#215;" : "");
        if (json_is_boolean(met))
            fprintf(f, "<span class=\"%s\">%s</span>", json_is_true(met) ? "good" : "bad",
                    json_is_true(met) ? "met" : "not met");
    }
    fprintf(f, "</td><td class=\"note\">");
    rpt_xml(f, json_string_value(json_object_get(r, "note")), 0);
    fprintf(f, "</td></tr>\n");
}

static void summary(FILE *f, const json_t *rows)
{
    fprintf(f, "<h2 id=\"table\">synack beside the kernel</h2>\n<table><thead><tr><th>figure"
               "</th><th>synack</th><th>kernel</th><th>ratio</th><th>goal</th><th>note</th>"
               "</tr></thead><tbody>\n");
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
        table_row(f, r);
    fprintf(f, "</tbody></table>\n<p class=\"note\">Ranges are the lowest and highest of the "
               "runs; ratios are of the medians. A figure that could not be measured here "
               "says why.</p>\n");
}

/* One figure's runs: every key of every run as a row. */
static void runs_table(FILE *f, const char *name, const json_t *m)
{
    if (json_object_get(m, "from"))
        return; /* a column of another figure's runs, shown there */
    fprintf(f, "<h3>");
    rpt_xml(f, name, 0);
    fprintf(f, "</h3>\n");
    json_t *skipped = json_object_get(m, "skipped");
    if (skipped) {
        fprintf(f, "<p class=\"note\">not measured: ");
        rpt_xml(f, json_string_value(skipped), 0);
        fprintf(f, "</p>\n");
        return;
    }
    json_t *runs = json_object_get(m, "runs"), *run0 = json_array_get(runs, 0);
    const char *k;
    json_t *v;
    fprintf(f, "<table><thead><tr><th>run</th>");
    json_object_foreach(run0, k, v) {
        if (json_is_object(v) || json_is_array(v))
            continue;
        fprintf(f, "<th>");
        rpt_xml(f, k, 0);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr></thead><tbody>\n");
    size_t i;
    json_t *run;
    json_array_foreach(runs, i, run) {
        fprintf(f, "<tr><td class=\"num\">%zu</td>", i + 1);
        json_object_foreach(run0, k, v) {
            json_t *x = json_object_get(run, k);
            if (json_is_object(v) || json_is_array(v))
                continue;
            fprintf(f, "<td class=\"num\">");
            if (json_is_integer(x))
                fprintf(f, "%lld", json_integer_value(x));
            else if (json_is_real(x))
                fprintf(f, "%.3f", json_real_value(x));
            else if (json_is_boolean(x))
                fprintf(f, "%s", json_is_true(x) ? "yes" : "no");
            else
                rpt_xml(f, json_string_value(x), 0);
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

/* A round step for an axis from 0 to max in about n ticks. */
static double nice_step(double max, int n)
{
    double raw = max / n, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
}

struct series {
    const char *name, *color;
    int col;      /* column of the trace */
    double scale; /* value * scale is drawn */
};

/* A line chart of trace columns against column 0 (time), from 0 up. */
static void chart(FILE *f, const json_t *rows, const char *title, const char *unit,
                  const struct series *s, int ns)
{
    size_t n = json_array_size(rows), i;
    double xmax = 0, ymax = 0;
    json_t *row;
    json_array_foreach(rows, i, row) {
        double x = json_number_value(json_array_get(row, 0));
        xmax = x > xmax ? x : xmax;
        for (int k = 0; k < ns; k++) {
            double y = json_number_value(json_array_get(row, (size_t)s[k].col)) * s[k].scale;
            ymax = y > ymax ? y : ymax;
        }
    }
    if (n < 2 || xmax <= 0 || ymax <= 0)
        return;
    double xs = nice_step(xmax, 8), ys = nice_step(ymax, 5);
    ymax = ceil(ymax / ys) * ys;
    xmax = ceil(xmax / xs) * xs;
    double pw = CH_W - CH_L - CH_R, ph = CH_H - CH_T - CH_B;
    fprintf(f, "<div class=\"ladder\"><svg width=\"%d\" "
               "height=\"%d\" role=\"img\"><title>", CH_W, CH_H);
    rpt_xml(f, title, 0);
    fprintf(f, "</title>\n<text class=\"hd\" x=\"%d\" y=\"18\">", CH_L);
    rpt_xml(f, title, 0);
    fprintf(f, "</text>\n");
    for (double y = 0; y <= ymax + ys / 2; y += ys) {
        double py = CH_T + ph - y / ymax * ph;
        fprintf(f, "<line class=\"tick\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"tk\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                CH_L, py, CH_L + pw, py, CH_L - 6, py + 3, y);
    }
    for (double x = 0; x <= xmax + xs / 2; x += xs) {
        double px = CH_L + x / xmax * pw;
        fprintf(f, "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\"/>"
                   "<text class=\"tk\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                px, CH_T, px, CH_T + ph, px, CH_T + ph + 14, x);
    }
    fprintf(f, "<text class=\"sub\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time (s, "
               "virtual)</text><text class=\"sub\" x=\"12\" y=\"%d\">",
            CH_L + pw / 2, CH_H - 6, CH_T - 8);
    rpt_xml(f, unit, 0);
    fprintf(f, "</text>\n");
    for (int k = 0; k < ns; k++) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"",
                s[k].color);
        size_t stride = n / CH_POINTS + 1; /* a point per pixel or so is enough */
        json_array_foreach(rows, i, row) {
            if (i % stride != 0 && i != n - 1)
                continue;
            double x = json_number_value(json_array_get(row, 0));
            double y = json_number_value(json_array_get(row, (size_t)s[k].col)) * s[k].scale;
            fprintf(f, "%.1f,%.1f ", CH_L + x / xmax * pw, CH_T + ph - y / ymax * ph);
        }
        double lx = CH_L + 300 + 110.0 * k;
        fprintf(f, "\"/>\n<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"14\" stroke=\"%s\" "
                   "stroke-width=\"2\"/><text x=\"%.1f\" y=\"18\">%s</text>\n",
                lx, lx + 22, s[k].color, lx + 28, s[k].name);
    }
    fprintf(f, "</svg></div>\n");
}

static void traces(FILE *f, const json_t *figs)
{
    static const struct series win[] = {{"cwnd", "#1565c0", 1, 1 / 1024.0},
                                        {"ssthresh", "#ef6c00", 2, 1 / 1024.0}};
    static const struct series srtt[] = {{"srtt", "#2e7d32", 3, 1 / 1000.0}};
    static const struct series rto[] = {{"rto", "#c62828", 4, 1 / 1000.0}};
    fprintf(f, "<h2 id=\"traces\">The sender under loss</h2>\n<p class=\"note\">bench_bulk on "
               "a 20 ms path (10 ms each way) with seeded loss, sampled every 10 ms of virtual "
               "time. ssthresh 0: not set yet.</p>\n");
    const char *name;
    json_t *m;
    json_object_foreach((json_t *)figs, name, m) {
        if (strncmp(name, "loss-", 5) != 0 || json_object_get(m, "skipped"))
            continue;
        json_t *run = json_array_get(json_object_get(m, "runs"), 0);
        json_t *rows = json_object_get(json_object_get(run, "trace"), "rows");
        char t[128];
        snprintf(t, sizeof t, "%s%% loss: cwnd and ssthresh", name + 5);
        chart(f, rows, t, "KiB", win, 2);
        snprintf(t, sizeof t, "%s%% loss: srtt", name + 5);
        chart(f, rows, t, "ms", srtt, 1);
        snprintf(t, sizeof t, "%s%% loss: rto", name + 5);
        chart(f, rows, t, "ms", rto, 1);
    }
}

bool html_has_bench(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench.html", dir);
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

int report_bench_html_write(const char *bench_json, const char *dir, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(bench_json, 0, &je);
    if (!root)
        return rpt_fail(err, errlen, "%s:%d: %s", bench_json, je.line, je.text);
    json_t *figs = json_object_get(root, "figures"), *rows = json_object_get(root, "table");
    if (!json_is_object(figs) || !json_is_array(rows)) {
        json_decref(root);
        return rpt_fail(err, errlen, "%s: not the output of make bench (no table, no figures)",
                        bench_json);
    }
    char *path;
    FILE *f = html_open(dir, "bench.html", &path, err, errlen);
    if (!f) {
        json_decref(root);
        return -1;
    }
    html_page_start(f, "synack bench", "");
    fprintf(f, "<nav><a href=\"index.html\">synack conformance report</a></nav>\n"
               "<h1>synack bench <small>make bench</small></h1>\n");
    info_line(f, json_object_get(root, "info"));
    fprintf(f, "<nav><a href=\"#table\">table</a> &#183; <a href=\"#traces\">the sender under "
               "loss</a> &#183; <a href=\"#runs\">every run</a></nav>\n");
    summary(f, rows);
    traces(f, figs);
    fprintf(f, "<h2 id=\"runs\">Every run</h2>\n");
    const char *name;
    json_t *m;
    json_object_foreach(figs, name, m)
        runs_table(f, name, m);
    html_page_end(f);
    json_decref(root);
    return html_close(f, path, err, errlen);
}

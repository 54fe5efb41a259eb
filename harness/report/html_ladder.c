/* report/html_ladder.c: the ladder diagram of one vector as inline SVG:
 * the peer (script) on the left, the stack under test on the right, one
 * arrow per packet in time order, system calls (with their arguments) as
 * boxes on the stack's side. A mismatch takes two slots: the actual packet
 * solid red, then the script's expectation dashed. Rows are placed in
 * proportion to their time, as in Wireshark's flow graph, except that rows
 * closer than a slot are pushed apart so every label stays readable; a time
 * axis on the left shows the scale. Beside each packet: the window it
 * offers, and the stack's cwnd and data in flight where the target says
 * (TCP_INFO after the event), else the data in flight the wire shows. Also
 * the rows as a table, with the target's view after each row.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

enum {
    SVG_W = 1300,
    HEAD = 56,      /* header band with the column names */
    SLOT = 38,      /* height of one slot; a row takes one or two */
    X_TIME = 8,     /* left edge of the time */
    X_LINE = 140,   /* right edge of the script line number */
    X_PEER = 212,   /* the peer's lifeline */
    X_STACK = 808,  /* the stack's lifeline */
    X_APP = 832,    /* left edge of the system call boxes */
    W_APP = 460,
    LABEL_CHARS = 80, /* monospace 12px is ~7.2px a character */
    BOX_CHARS = 62,
    NOTE_CHARS = 80,
    PX_BUDGET = 40, /* pixels of pure time per row, on average */
};

/* Where each row goes: y[i] its top; the height of the whole. */
struct layout {
    int *y;
    int height;
    double px_per_us; /* the scale where rows are not pushed apart */
};

static int64_t row_time(const struct ladder_row *row)
{
    return row->t_actual >= 0 ? row->t_actual : row->t_expected;
}

static const char *row_class(enum ladder_status s)
{
    switch (s) {
    case LADDER_MISMATCH: return "mismatch";
    case LADDER_UNEXPECTED: return "unexpected";
    case LADDER_MISSING: return "missing";
    default: return "ok";
    }
}

static int row_slots(const struct ladder_row *row)
{
    return row->status == LADDER_MISMATCH && row->expected != NULL &&
                   row->kind != LADDER_NOTE
               ? 2
               : 1;
}

/* The first time of the ladder and the last (-1 when no row has one). */
static void time_span(const struct vector_result *v, int64_t *t0, int64_t *t1)
{
    *t0 = *t1 = -1;
    for (size_t i = 0; i < v->ladder_count; i++) {
        int64_t t = row_time(&v->ladder[i]);
        if (t >= 0 && *t0 < 0)
            *t0 = t;
        if (t > *t1)
            *t1 = t;
    }
}

/* Time-proportional with a floor: a row goes at its time on the scale, or
 * right under the previous row when that is lower. The scale gives the run
 * PX_BUDGET pixels of time per row, so long runs keep a sane height. */
static int layout_rows(const struct vector_result *v, struct layout *lo)
{
    lo->y = calloc(v->ladder_count ? v->ladder_count : 1, sizeof *lo->y);
    if (!lo->y)
        return -1;
    int64_t t0, t1;
    time_span(v, &t0, &t1);
    double span = t0 >= 0 && t1 > t0 ? (double)(t1 - t0) : 1.0;
    lo->px_per_us = (double)PX_BUDGET * (double)(v->ladder_count ? v->ladder_count : 1) / span;
    int next = HEAD, prev_at = HEAD;
    int64_t prev_t = t0;
    for (size_t i = 0; i < v->ladder_count; i++) {
        int64_t t = row_time(&v->ladder[i]);
        if (t < prev_t) /* a row without a time, or out of order: keep the order */
            t = prev_t;
        double want = prev_at + (double)(t - prev_t) * lo->px_per_us;
        int y = want > next ? (int)want : next;
        lo->y[i] = y;
        prev_at = y;
        prev_t = t;
        next = y + row_slots(&v->ladder[i]) * SLOT;
    }
    lo->height = next + 16;
    return 0;
}

/* The y of time t on the layout: between the rows around it. */
static double y_of_time(const struct vector_result *v, const struct layout *lo, int64_t t)
{
    size_t i = 0;
    while (i < v->ladder_count && row_time(&v->ladder[i]) < t)
        i++;
    if (i == 0)
        return HEAD;
    if (i == v->ladder_count)
        return lo->y[i - 1];
    int64_t ta = row_time(&v->ladder[i - 1]), tb = row_time(&v->ladder[i]);
    double ya = lo->y[i - 1], yb = lo->y[i];
    return tb > ta ? ya + (yb - ya) * (double)(t - ta) / (double)(tb - ta) : yb;
}

/* Ticks at a round interval (1, 2 or 5 times a power of ten), about every
 * 120 pixels where the rows leave room. */
static void time_axis(FILE *f, const struct vector_result *v, const struct layout *lo)
{
    int64_t t0, t1;
    time_span(v, &t0, &t1);
    if (t0 < 0 || t1 <= t0)
        return;
    int64_t step = 1;
    double want = (double)(t1 - t0) * 120.0 / (lo->height - HEAD);
    for (int64_t m = 1; m < INT64_MAX / 10; m *= 10) {
        step = (double)m >= want ? m : (double)(2 * m) >= want ? 2 * m : 5 * m;
        if ((double)step >= want)
            break;
    }
    double last = -1e9;
    char t[32];
    for (int64_t k = (t0 + step - 1) / step * step; k <= t1; k += step) {
        double y = y_of_time(v, lo, k);
        if (y - last < 60)
            continue;
        last = y;
        fprintf(f, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\" class=\"tick\"/>",
                X_LINE + 6, y, X_PEER, y);
        fprintf(f, "<text x=\"%d\" y=\"%.0f\" class=\"tk\" text-anchor=\"end\">%s</text>\n",
                X_PEER - 4, y - 3, rpt_time_s(k, t, sizeof t));
    }
}

/* ---- what the wire shows: window offered, data in flight ---- */

struct wire_state {
    bool stack_seq, peer_ack; /* known yet */
    int64_t snd_max;          /* the stack's highest sequence number sent + 1 (relative) */
    int64_t acked;            /* the peer's highest ACK of it */
};

/* "> P. 1:1001(1000) ack 1 win 65535 ...": flags, start, length, ack, win
 * (-1 where absent). False when the text is not a TCP packet line. */
static bool parse_packet(const char *s, char *flags, size_t flen, int64_t *start, int64_t *len,
                         int64_t *ack, int64_t *win)
{
    char fl[16];
    long long a, b, c;
    int n = 0;
    *ack = *win = -1;
    if (!s || sscanf(s, "%*c %15s %lld:%lld(%lld)%n", fl, &a, &b, &c, &n) != 4)
        return false;
    snprintf(flags, flen, "%s", fl);
    *start = a;
    *len = c;
    const char *p = strstr(s + n, " ack ");
    if (p)
        *ack = strtoll(p + 5, NULL, 10);
    p = strstr(s + n, " win ");
    if (p)
        *win = strtoll(p + 5, NULL, 10);
    return true;
}

/* The label of a packet row: "win 65535 · in flight 1000". */
static void wire_label(struct wire_state *w, const struct ladder_row *row, char *out, size_t n)
{
    char flags[16];
    int64_t start, len, ack, win;
    out[0] = '\0';
    if (!parse_packet(row->actual, flags, sizeof flags, &start, &len, &ack, &win))
        return;
    bool syn = strchr(flags, 'S') != NULL, fin = strchr(flags, 'F') != NULL;
    if (row->kind == LADDER_OUTBOUND) {
        int64_t end = start + len + syn + fin;
        if (!w->stack_seq || end > w->snd_max)
            w->snd_max = end;
        w->stack_seq = true;
    } else if (ack >= 0 && strchr(flags, '.') != NULL && (!w->peer_ack || ack > w->acked)) {
        w->acked = ack;
        w->peer_ack = true;
    }
    size_t k = 0;
    if (win >= 0)
        k += (size_t)snprintf(out, n, "%swin %" PRId64, row->kind == LADDER_INBOUND ? "peer " : "",
                              win);
    const struct ladder_tcp *t = &row->tcp;
    if (t->known && k < n) { /* the target's own figures */
        k += (size_t)snprintf(out + k, n - k, "%scwnd %u", k ? " \xc2\xb7 " : "", t->cwnd);
        if (t->ssthresh != UINT32_MAX && k < n)
            k += (size_t)snprintf(out + k, n - k, " ssthresh %u", t->ssthresh);
        if (k < n)
            snprintf(out + k, n - k, " \xc2\xb7 in flight %u", t->in_flight);
        return;
    }
    if (w->stack_seq && k < n) {
        int64_t flight = w->snd_max - (w->peer_ack ? w->acked : 0);
        if (flight >= 0)
            snprintf(out + k, n - k, "%sin flight %" PRId64, k ? " \xc2\xb7 " : "", flight);
    }
}

/* The target's view after a row, for the table: "ESTABLISHED, cwnd 4000, ..." */
static void tcp_cell(FILE *f, const struct ladder_tcp *t)
{
    char srtt[32], rto[32];
    fprintf(f, "<td>");
    if (t->known) {
        rpt_xml(f, t->state, 0);
        fprintf(f, ", cwnd %u, ssthresh ", t->cwnd);
        if (t->ssthresh == UINT32_MAX)
            fprintf(f, "&#8734;");
        else
            fprintf(f, "%u", t->ssthresh);
        fprintf(f, ", snd.wnd %u, rcv.wnd %u, in flight %u, srtt %s s, rto %s s", t->snd_wnd,
                t->rcv_wnd, t->in_flight, rpt_time_s(t->srtt_us, srtt, sizeof srtt),
                rpt_time_s(t->rto_us, rto, sizeof rto));
    }
    fprintf(f, "</td>");
}

/* A call with its arguments: the runner says "getsockopt() = 0", the
 * script "getsockopt(4, SOL_TCP, TCP_INFO, ...) = 0"; show the script's
 * call with what actually came back. */
static const char *call_text(const struct ladder_row *row, char *buf, size_t n)
{
    const char *a = row->actual, *e = row->expected;
    const char *ar = a ? strstr(a, "() = ") : NULL;
    if (!a || !e || !ar)
        return a ? a : e;
    size_t name = (size_t)(ar - a);
    if (strncmp(a, e, name) != 0 || e[name] != '(')
        return a;
    int depth = 0;
    const char *p = e + name;
    for (; *p; p++) {
        depth += *p == '(' || *p == '[' || *p == '{';
        depth -= *p == ')' || *p == ']' || *p == '}';
        if (depth == 0)
            break;
    }
    if (*p != ')')
        return a;
    snprintf(buf, n, "%.*s%s", (int)(p + 1 - e), e, ar + 2);
    return buf;
}

static void text_at(FILE *f, int x, int y, const char *cls, const char *anchor, const char *pre,
                    const char *s, size_t max)
{
    fprintf(f, "<text x=\"%d\" y=\"%d\"", x, y);
    if (cls != NULL)
        fprintf(f, " class=\"%s\"", cls);
    if (anchor != NULL)
        fprintf(f, " text-anchor=\"%s\"", anchor);
    fprintf(f, ">%s", pre != NULL ? pre : "");
    rpt_xml_cut(f, s, max);
    fprintf(f, "</text>");
}

static void defs(FILE *f, const char *idp)
{
    static const char *const cls[] = {"ok", "mismatch", "unexpected", "missing", "expected"};
    static const char *const fill[] = {"#37474f", "#c62828", "#ef6c00", "#9e9e9e", "#546e7a"};

    fprintf(f, "<defs>");
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++)
        fprintf(f, "<marker id=\"%s%s\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                   "markerWidth=\"10\" markerHeight=\"10\" markerUnits=\"userSpaceOnUse\" "
                   "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>",
                idp, cls[i], fill[i]);
    fprintf(f, "</defs>\n");
}

static void frame(FILE *f, int height)
{
    fprintf(f, "<text x=\"%d\" y=\"22\" class=\"hd\">time (s)</text>", X_TIME);
    fprintf(f, "<text x=\"%d\" y=\"22\" class=\"hd\" text-anchor=\"end\">line</text>", X_LINE);
    fprintf(f, "<text x=\"%d\" y=\"22\" class=\"hd\" text-anchor=\"middle\">peer (script)</text>",
            X_PEER);
    fprintf(f, "<text x=\"%d\" y=\"22\" class=\"hd\" text-anchor=\"middle\">stack under test"
               "</text>", X_STACK);
    fprintf(f, "<text x=\"%d\" y=\"22\" class=\"hd\" text-anchor=\"middle\">application "
               "(system calls)</text>\n", X_APP + W_APP / 2);
    fprintf(f, "<line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"%d\" class=\"life\"/>", X_PEER, X_PEER,
            height - 8);
    fprintf(f, "<line x1=\"%d\" y1=\"34\" x2=\"%d\" y2=\"%d\" class=\"life\"/>\n", X_STACK,
            X_STACK, height - 8);
}

/* The tooltip of a row: everything, uncut. */
static void tooltip(FILE *f, const struct ladder_row *row)
{
    char t[32];

    fprintf(f, "<title>");
    if (row->line != 0)
        fprintf(f, "line %u, ", row->line);
    fprintf(f, "%s, %s", ladder_kind_name(row->kind), ladder_status_name(row->status));
    if (row->field != NULL) {
        fprintf(f, " (");
        rpt_xml(f, row->field, 0);
        fprintf(f, ")");
    }
    if (row->expected != NULL) {
        fprintf(f, "\nexpected at %s s: ", rpt_time_s(row->t_expected, t, sizeof t));
        rpt_xml(f, row->expected, 0);
    }
    if (row->actual != NULL) {
        fprintf(f, "\nactual at %s s: ", rpt_time_s(row->t_actual, t, sizeof t));
        rpt_xml(f, row->actual, 0);
    }
    fprintf(f, "</title>");
}

/* Time and line number of slot 1; expected time and the field of slot 2. */
static void gutter(FILE *f, const struct ladder_row *row, int top)
{
    char t[32], ln[16];
    int64_t when = row->t_actual >= 0 ? row->t_actual : row->t_expected;

    text_at(f, X_TIME, top + 24, "gut", NULL, NULL, rpt_time_s(when, t, sizeof t), 0);
    if (row->line != 0) {
        snprintf(ln, sizeof ln, "%u", row->line);
        text_at(f, X_LINE, top + 24, "gut", "end", NULL, ln, 0);
    }
    if (row_slots(row) < 2)
        return;
    text_at(f, X_TIME, top + SLOT + 24, "gut", NULL, NULL,
            rpt_time_s(row->t_expected, t, sizeof t), 0);
    if (row->field != NULL)
        text_at(f, X_LINE, top + SLOT + 24, "t-mismatch", "end", "\xe2\x89\xa0 ", row->field, 12);
}

static void arrow(FILE *f, bool inbound, int y, const char *cls, const char *idp)
{
    int x1 = inbound ? X_PEER : X_STACK, x2 = inbound ? X_STACK : X_PEER;

    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"a-%s\" "
               "marker-end=\"url(#%s%s)\"/>",
            x1, y, x2, y, cls, idp, cls);
}

/* What a packet row says right of the stack's lifeline when it went wrong. */
static void annotation(FILE *f, const struct ladder_row *row, int top)
{
    const char *cls = row_class(row->status);
    char t[64];

    if (row->status == LADDER_OK)
        return;
    if (row->status == LADDER_MISMATCH)
        snprintf(t, sizeof t, "\xe2\x9c\x97 %s%.40s%s", row->field != NULL ? "field " : "differs",
                 row->field != NULL ? row->field : "", row->field != NULL ? " differs" : "");
    else
        snprintf(t, sizeof t, "%s", row->status == LADDER_UNEXPECTED ? "unexpected packet"
                                                                     : "missing: never sent");
    fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"t-%s\">", X_STACK + 14, top + 24, cls);
    rpt_xml(f, t, 0);
    fprintf(f, "</text>");
}

static void packet(FILE *f, const struct ladder_row *row, int top, const char *idp,
                   struct wire_state *w)
{
    char wl[64];
    wire_label(w, row, wl, sizeof wl);
    if (wl[0] && row->status == LADDER_OK)
        text_at(f, X_STACK + 14, top + 26, "sub", NULL, NULL, wl, 66);
    const char *cls = row_class(row->status);
    const char *text = row->actual != NULL ? row->actual : row->expected;
    bool in = row->kind == LADDER_INBOUND;
    int mid = (X_PEER + X_STACK) / 2;
    char tcls[32];

    snprintf(tcls, sizeof tcls, "t-%s", cls);
    arrow(f, in, top + 22, cls, idp);
    text_at(f, mid, top + 16, row->status == LADDER_OK ? NULL : tcls, "middle", NULL, text,
            LABEL_CHARS);
    annotation(f, row, top);
    if (row_slots(row) == 2) {
        arrow(f, in, top + SLOT + 22, "expected", idp);
        text_at(f, mid, top + SLOT + 16, "t-expected", "middle", "expected: ", row->expected,
                LABEL_CHARS - 10);
    } else if (row->status == LADDER_OK && row->expected != NULL && row->actual != NULL &&
               strcmp(row->expected, row->actual) != 0) {
        text_at(f, mid, top + 35, "sub", "middle", "script: ", row->expected, LABEL_CHARS);
    }
}

static void box(FILE *f, int top, const char *cls, const char *pre, const char *text)
{
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"life\"/>", X_STACK,
            top + 19, X_APP, top + 19);
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"28\" rx=\"3\" class=\"%s\"/>",
            X_APP, top + 5, W_APP, cls);
    text_at(f, X_APP + 8, top + 24, NULL, NULL, pre, text, BOX_CHARS - (pre ? strlen(pre) : 0));
}

static void syscall_box(FILE *f, const struct ladder_row *row, int top)
{
    char cls[32], call[400];

    snprintf(cls, sizeof cls, "box%s%s", row->status == LADDER_OK ? "" : "-",
             row->status == LADDER_OK ? "" : row_class(row->status));
    box(f, top, cls, NULL, call_text(row, call, sizeof call));
    if (row_slots(row) == 2)
        box(f, top + SLOT, "box-expected", "expected: ", row->expected);
}

static void note(FILE *f, const struct ladder_row *row, int top)
{
    text_at(f, (X_PEER + X_STACK) / 2, top + 24, "note", "middle", NULL,
            row->actual != NULL ? row->actual : row->expected, NOTE_CHARS);
}

void html_ladder_svg(FILE *f, const struct vector_result *v, const char *idp)
{
    struct layout lo;
    struct wire_state w = {0};

    if (layout_rows(v, &lo) < 0) {
        fprintf(f, "<p class=\"note\">(out of memory drawing the ladder)</p>\n");
        return;
    }
    fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            SVG_W, lo.height, SVG_W, lo.height);
    rpt_xml(f, html_vec_name(v), 0);
    fprintf(f, ": ladder diagram, rows placed by time</title>\n");
    defs(f, idp);
    frame(f, lo.height);
    time_axis(f, v, &lo);
    for (size_t i = 0; i < v->ladder_count; i++) {
        const struct ladder_row *row = &v->ladder[i];
        int top = lo.y[i];
        fprintf(f, "<g>");
        tooltip(f, row);
        gutter(f, row, top);
        if (row->kind == LADDER_SYSCALL)
            syscall_box(f, row, top);
        else if (row->kind == LADDER_NOTE)
            note(f, row, top);
        else
            packet(f, row, top, idp, &w);
        fprintf(f, "</g>\n");
    }
    fprintf(f, "</svg>\n");
    free(lo.y);
}

static void cell(FILE *f, const char *s, bool code)
{
    fprintf(f, "<td>%s", code ? "<code>" : "");
    rpt_xml(f, s, 0);
    fprintf(f, "%s</td>", code ? "</code>" : "");
}

void html_ladder_table(FILE *f, const struct vector_result *v)
{
    char t[32];

    fprintf(f, "<table class=\"rows\">\n<thead><tr><th>#</th><th>line</th><th>kind</th>"
               "<th>status</th><th>expected at (s)</th><th>expected</th><th>actual at (s)</th>"
               "<th>actual</th><th>field</th><th>connection after it (target)</th></tr></thead>\n"
               "<tbody>\n");
    for (size_t i = 0; i < v->ladder_count; i++) {
        const struct ladder_row *row = &v->ladder[i];
        fprintf(f, "<tr class=\"r-%s\"><td class=\"num\">%zu</td><td class=\"num\">",
                row_class(row->status), i + 1);
        if (row->line != 0)
            fprintf(f, "%u", row->line);
        fprintf(f, "</td><td>%s</td><td>%s</td>", ladder_kind_name(row->kind),
                ladder_status_name(row->status));
        fprintf(f, "<td class=\"num\">%s</td>", rpt_time_s(row->t_expected, t, sizeof t));
        cell(f, row->expected, true);
        fprintf(f, "<td class=\"num\">%s</td>", rpt_time_s(row->t_actual, t, sizeof t));
        cell(f, row->actual, true);
        cell(f, row->field, false);
        tcp_cell(f, &row->tcp);
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

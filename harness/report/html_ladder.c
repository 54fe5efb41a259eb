/* report/html_ladder.c: the ladder diagram of one vector as inline SVG:
 * the peer (script) on the left, the stack under test on the right, one
 * arrow per packet in time order, system calls as boxes on the stack's
 * side. A mismatch takes two slots: the actual packet solid red, then the
 * script's expectation dashed. Rows are evenly spaced (time is a label,
 * not a scale) so 200 rows stay readable. Also the rows as a table.
 */
#include <string.h>

#include "report/html_internal.h"
#include "report/util.h"

enum {
    SVG_W = 1180,
    HEAD = 56,      /* header band with the column names */
    SLOT = 38,      /* height of one slot; a row takes one or two */
    X_TIME = 8,     /* left edge of the time */
    X_LINE = 140,   /* right edge of the script line number */
    X_PEER = 212,   /* the peer's lifeline */
    X_STACK = 808,  /* the stack's lifeline */
    X_APP = 832,    /* left edge of the system call boxes */
    W_APP = 340,
    LABEL_CHARS = 80, /* monospace 12px is ~7.2px a character */
    BOX_CHARS = 45,
    NOTE_CHARS = 80,
};

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

static void packet(FILE *f, const struct ladder_row *row, int top, const char *idp)
{
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
    char cls[32];

    snprintf(cls, sizeof cls, "box%s%s", row->status == LADDER_OK ? "" : "-",
             row->status == LADDER_OK ? "" : row_class(row->status));
    box(f, top, cls, NULL, row->actual != NULL ? row->actual : row->expected);
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
    int height = HEAD + 16, top = HEAD;

    for (size_t i = 0; i < v->ladder_count; i++)
        height += row_slots(&v->ladder[i]) * SLOT;
    fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n<title>",
            SVG_W, height, SVG_W, height);
    rpt_xml(f, html_vec_name(v), 0);
    fprintf(f, ": ladder diagram</title>\n");
    defs(f, idp);
    frame(f, height);
    for (size_t i = 0; i < v->ladder_count; i++) {
        const struct ladder_row *row = &v->ladder[i];
        fprintf(f, "<g>");
        tooltip(f, row);
        gutter(f, row, top);
        if (row->kind == LADDER_SYSCALL)
            syscall_box(f, row, top);
        else if (row->kind == LADDER_NOTE)
            note(f, row, top);
        else
            packet(f, row, top, idp);
        fprintf(f, "</g>\n");
        top += row_slots(row) * SLOT;
    }
    fprintf(f, "</svg>\n");
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
               "<th>actual</th><th>field</th></tr></thead>\n<tbody>\n");
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
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

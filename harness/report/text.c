/* report/text.c: the terminal output of a run. Layout only; whether to use
 * colour is decided once by the caller (report_text_colour).
 */
#include "report/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "report/util.h"

#define SGR_RED "\033[31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_MAGENTA "\033[35m"
#define SGR_CYAN "\033[36m"
#define SGR_BOLD_RED "\033[1;31m"
#define SGR_BOLD_GREEN "\033[1;32m"
#define SGR_RESET "\033[0m"

bool report_text_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR");

    return isatty(fileno(f)) && (no == NULL || no[0] == '\0');
}

static const char *tag_colour(enum result_status s)
{
    switch (s) {
    case RESULT_PASS: return SGR_GREEN;
    case RESULT_FAIL: return SGR_BOLD_RED;
    case RESULT_ERROR: return SGR_MAGENTA;
    case RESULT_SKIP: return SGR_YELLOW;
    case RESULT_XFAIL: return SGR_CYAN;
    default: return SGR_BOLD_RED;
    }
}

/* "PASS  ", "ERROR ", ...: the status in capitals, six columns wide. */
static void tag(FILE *f, enum result_status s, bool colour)
{
    char up[8] = "";
    const char *name = result_status_name(s);
    size_t i;

    for (i = 0; name[i] != '\0' && i < sizeof up - 1; i++)
        up[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
    up[i] = '\0';
    fprintf(f, "%s%s%s%*s", colour ? tag_colour(s) : "", up, colour ? SGR_RESET : "",
            (int)(6 - (i < 6 ? i : 5)), "");
}

static void duration(FILE *f, double ms)
{
    if (ms < 1000.0)
        fprintf(f, " (%.1f ms)", ms);
    else
        fprintf(f, " (%.2f s)", ms / 1000.0);
}

/* "      expected  > . 1:1(0) ack 1001  at 0.200 s" */
static void detail_line(FILE *f, const char *label, const char *text, int64_t t,
                        const char *sgr)
{
    char ts[32];

    fprintf(f, "      %s%-8s%s  ", sgr, label, sgr[0] != '\0' ? SGR_RESET : "");
    rpt_oneline(f, text != NULL ? text : "(nothing)", NULL);
    if (t >= 0)
        fprintf(f, "  at %s s", rpt_time_s(t, ts, sizeof ts));
    fputc('\n', f);
}

/* The indented block under a failure: where, expected, actual. */
static void detail(FILE *f, const struct vector_result *v, bool colour)
{
    if (v->fail_line != 0 && !vector_result_located(v)) {
        fprintf(f, "      at ");
        rpt_oneline(f, v->path != NULL ? v->path : v->name, NULL);
        fprintf(f, ":%u\n", v->fail_line);
    }
    if (v->expected != NULL || v->t_expected >= 0)
        detail_line(f, "expected", v->expected, v->t_expected, colour ? SGR_GREEN : "");
    if (v->actual != NULL || v->t_actual >= 0)
        detail_line(f, "actual", v->actual, v->t_actual, colour ? SGR_RED : "");
}

/* One ladder row, for --verbose: line, time, text, and what went wrong. */
static void ladder_row(FILE *f, const struct ladder_row *row, bool colour)
{
    char ts[32], ln[16] = "";
    const char *text = row->actual != NULL ? row->actual : row->expected;
    int64_t t = row->t_actual >= 0 ? row->t_actual : row->t_expected;
    bool bad = row->status != LADDER_OK;

    if (row->line != 0)
        snprintf(ln, sizeof ln, "%u", row->line);
    fprintf(f, "        %5s  %-10s %s", ln, rpt_time_s(t, ts, sizeof ts),
            row->kind == LADDER_SYSCALL ? "app " : row->kind == LADDER_NOTE ? "note " : "");
    rpt_oneline(f, text, NULL);
    if (bad)
        fprintf(f, "  %s[%s", colour ? SGR_RED : "", ladder_status_name(row->status));
    if (bad && row->field != NULL) {
        fprintf(f, " ");
        rpt_oneline(f, row->field, NULL);
    }
    if (row->status == LADDER_MISMATCH && row->expected != NULL) {
        fprintf(f, "; expected ");
        rpt_oneline(f, row->expected, NULL);
    }
    fprintf(f, "%s%s\n", bad ? "]" : "", bad && colour ? SGR_RESET : "");
}

void report_text_vector_styled(FILE *f, const struct vector_result *v,
                               const struct report_text_style *style)
{
    char msg[1024];

    tag(f, v->status, style->colour);
    rpt_oneline(f, v->name != NULL ? v->name : v->path, NULL);
    vector_result_describe(v, msg, sizeof msg);
    if (v->status == RESULT_PASS)
        duration(f, v->wall_ms);
    else if (msg[0] != '\0') {
        fprintf(f, "  ");
        rpt_oneline(f, msg, NULL);
    }
    if (v->status == RESULT_XFAIL && v->xfail_reason != NULL) {
        fprintf(f, " (expected: ");
        rpt_oneline(f, v->xfail_reason, NULL);
        fputc(')', f);
    }
    fputc('\n', f);
    if (v->status == RESULT_FAIL || v->status == RESULT_XFAIL || v->status == RESULT_ERROR)
        detail(f, v, style->colour);
    for (size_t i = 0; style->verbose && i < v->ladder_count; i++)
        ladder_row(f, &v->ladder[i], style->colour);
}

void report_text_vector(FILE *f, const struct vector_result *v, bool verbose)
{
    struct report_text_style style = {report_text_colour(f), verbose};

    report_text_vector_styled(f, v, &style);
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

char *report_text_summary_line(const struct run_results *r, char *buf, size_t len)
{
    struct run_totals t;
    int n;

    run_results_totals(r, &t);
    n = snprintf(buf, len, "%zu %s: %zu passed, %zu failed, %zu %s, %zu skipped", t.total,
                 plural(t.total, "vector", "vectors"), t.pass, t.fail, t.error,
                 plural(t.error, "error", "errors"), t.skip);
    if (t.xfail > 0 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", %zu expected %s", t.xfail,
                      plural(t.xfail, "failure", "failures"));
    if (t.xpass > 0 && n >= 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, ", %zu unexpected %s", t.xpass,
                      plural(t.xpass, "pass", "passes"));
    size_t strict = 0;
    for (size_t i = 0; i < r->count; i++)
        strict += r->v[i].status == RESULT_FAIL && r->v[i].strict_fail;
    if (strict > 0 && n >= 0 && (size_t)n < len) /* failures packetdrill's verdict would pass */
        n += snprintf(buf + n, len - (size_t)n, " (%zu of the failures strict only)", strict);
    if (n >= 0 && (size_t)n < len) {
        if (r->wall_ms < 100.0) /* a fast suite: keep the figure readable */
            snprintf(buf + n, len - (size_t)n, " in %.1f ms", r->wall_ms);
        else
            snprintf(buf + n, len - (size_t)n, " in %.2f s", r->wall_ms / 1000.0);
    }
    return buf;
}

void report_text_summary_styled(FILE *f, const struct run_results *r,
                                const struct report_text_style *style)
{
    char line[256];
    const char *sgr = run_results_failed(r) ? SGR_BOLD_RED : SGR_BOLD_GREEN;

    report_text_summary_line(r, line, sizeof line);
    fprintf(f, "%s%s%s\n", style->colour ? sgr : "", line, style->colour ? SGR_RESET : "");
}

void report_text_summary(FILE *f, const struct run_results *r)
{
    struct report_text_style style = {report_text_colour(f), false};

    report_text_summary_styled(f, r, &style);
}

void report_text_print(FILE *f, const struct run_results *r,
                       const struct report_text_style *style)
{
    for (size_t i = 0; i < r->count; i++)
        report_text_vector_styled(f, &r->v[i], style);
    report_text_summary_styled(f, r, style);
}

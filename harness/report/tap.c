/* report/tap.c: a run as TAP 13. Descriptions stay on one line ('#' and
 * '\' escaped, as TAP requires); YAML values are double-quoted and escaped.
 */
#include "report/tap.h"

#include "report/text.h"
#include "report/util.h"

/* A YAML double-quoted scalar. */
static void yaml_str(FILE *f, const char *s)
{
    uint32_t cp;
    char buf[4];

    fputc('"', f);
    while (*s != '\0') {
        s += rpt_utf8_next(s, &cp);
        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (int)cp);
        else if (cp == '\n')
            fputs("\\n", f);
        else if (cp == '\t')
            fputs("\\t", f);
        else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
            fprintf(f, "\\x%02x", (unsigned)cp);
        else if (cp == 0xfffe || cp == 0xffff || cp == 0x2028 || cp == 0x2029)
            fprintf(f, "\\u%04x", (unsigned)cp);
        else
            fwrite(buf, 1, rpt_utf8_put(cp, buf), f);
    }
    fputc('"', f);
}

static void yaml_field(FILE *f, const char *key, const char *value)
{
    if (value == NULL)
        return;
    fprintf(f, "  %s: ", key);
    yaml_str(f, value);
    fputc('\n', f);
}

static void yaml_time(FILE *f, const char *key, int64_t us)
{
    char t[32];

    if (us >= 0)
        fprintf(f, "  %s: %s\n", key, rpt_time_s(us, t, sizeof t));
}

static void diagnostics(FILE *f, const struct vector_result *v)
{
    char msg[1024];

    fprintf(f, "  ---\n");
    yaml_field(f, "message", vector_result_describe(v, msg, sizeof msg));
    fprintf(f, "  severity: %s\n", result_status_name(v->status));
    yaml_field(f, "file", v->path);
    if (v->fail_line != 0)
        fprintf(f, "  line: %u\n", v->fail_line);
    yaml_field(f, "field", v->fail_field);
    yaml_field(f, "expected", v->expected);
    yaml_field(f, "actual", v->actual);
    yaml_time(f, "t_expected", v->t_expected);
    yaml_time(f, "t_actual", v->t_actual);
    yaml_field(f, "xfail_reason", v->xfail_reason);
    yaml_field(f, "pcap", v->pcap_path);
    fprintf(f, "  ...\n");
}

static void test_point(FILE *f, size_t n, const struct vector_result *v)
{
    char msg[1024];
    bool ok = v->status == RESULT_PASS || v->status == RESULT_SKIP;

    fprintf(f, "%s %zu - ", ok ? "ok" : "not ok", n);
    rpt_oneline(f, v->name != NULL ? v->name : v->path, "#\\");
    if (v->status == RESULT_SKIP) {
        fprintf(f, " # SKIP ");
        rpt_oneline(f, vector_result_describe(v, msg, sizeof msg), NULL);
    } else if (v->status == RESULT_XFAIL) {
        fprintf(f, " # TODO ");
        rpt_oneline(f, v->xfail_reason != NULL ? v->xfail_reason : "expected failure", NULL);
    }
    fputc('\n', f);
    if (!ok)
        diagnostics(f, v);
}

void report_tap_print(FILE *f, const struct run_results *r)
{
    char summary[256];

    fprintf(f, "TAP version 13\n1..%zu\n", r->count);
    for (size_t i = 0; i < r->count; i++)
        test_point(f, i + 1, &r->v[i]);
    fprintf(f, "# %s\n", report_text_summary_line(r, summary, sizeof summary));
}

int report_tap_write(const struct run_results *r, const char *path, char *err, size_t errlen)
{
    FILE *f = rpt_create(path, err, errlen);

    if (f == NULL)
        return -1;
    report_tap_print(f, r);
    return rpt_finish(f, path, err, errlen);
}

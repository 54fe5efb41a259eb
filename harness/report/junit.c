/* report/junit.c: a run as JUnit XML. Every string goes through rpt_xml, so
 * packet text ("<mss 1460>"), quotes and control characters stay well-formed.
 */
#include "report/junit.h"

#include <stdlib.h>
#include <string.h>

#include "report/util.h"

/* Write the folder of name as a classname (dots for slashes), or fallback. */
static void classname(FILE *f, const char *name, const char *fallback)
{
    const char *slash = name != NULL ? strrchr(name, '/') : NULL;
    char *folder = slash != NULL ? strndup(name, (size_t)(slash - name)) : NULL;

    if (folder == NULL) {
        rpt_xml(f, fallback != NULL ? fallback : "synack", 1);
        return;
    }
    for (char *p = folder; *p != '\0'; p++)
        *p = *p == '/' ? '.' : *p;
    rpt_xml(f, folder, 1);
    free(folder);
}

static const char *base_name(const char *name)
{
    const char *slash = name != NULL ? strrchr(name, '/') : NULL;

    return slash != NULL ? slash + 1 : name != NULL ? name : "";
}

/* The failure point as lines of text: where, field, expected, actual. */
static void failure_detail(FILE *f, const struct vector_result *v)
{
    char t[32];

    if (v->fail_line != 0) {
        fprintf(f, "at ");
        rpt_xml(f, v->path, 0);
        fprintf(f, ":%u\n", v->fail_line);
    }
    if (v->fail_field != NULL) {
        fprintf(f, "field:    ");
        rpt_xml(f, v->fail_field, 0);
        fputc('\n', f);
    }
    if (v->expected != NULL || v->t_expected >= 0) {
        fprintf(f, "expected: ");
        rpt_xml(f, v->expected != NULL ? v->expected : "(nothing)", 0);
        if (v->t_expected >= 0)
            fprintf(f, "  at %s s", rpt_time_s(v->t_expected, t, sizeof t));
        fputc('\n', f);
    }
    if (v->actual != NULL || v->t_actual >= 0) {
        fprintf(f, "actual:   ");
        rpt_xml(f, v->actual != NULL ? v->actual : "(nothing)", 0);
        if (v->t_actual >= 0)
            fprintf(f, "  at %s s", rpt_time_s(v->t_actual, t, sizeof t));
        fputc('\n', f);
    }
}

static void element(FILE *f, const char *tag, const char *type, const struct vector_result *v)
{
    char msg[1024];

    fprintf(f, "      <%s type=\"%s\" message=\"", tag, type);
    rpt_xml(f, vector_result_describe(v, msg, sizeof msg), 1);
    fprintf(f, "\">");
    failure_detail(f, v);
    fprintf(f, "</%s>\n", tag);
}

/* XFAIL note, capture and oracle findings, or nothing. */
static void system_out(FILE *f, const struct vector_result *v)
{
    char msg[1024];

    if (v->status != RESULT_XFAIL && v->pcap_path == NULL && v->finding_count == 0)
        return;
    fprintf(f, "      <system-out>");
    if (v->status == RESULT_XFAIL) {
        fprintf(f, "expected failure");
        if (v->xfail_reason != NULL)
            fprintf(f, " (");
        rpt_xml(f, v->xfail_reason, 0);
        fprintf(f, "%s: ", v->xfail_reason != NULL ? ")" : "");
        rpt_xml(f, vector_result_describe(v, msg, sizeof msg), 0);
        fputc('\n', f);
        failure_detail(f, v);
    }
    for (size_t i = 0; i < v->finding_count; i++) {
        const struct result_finding *x = &v->findings[i];
        fprintf(f, "oracle: packet %u: ", x->packet);
        rpt_xml(f, x->rule, 0);
        fprintf(f, "%s", x->req != NULL ? " (" : "");
        rpt_xml(f, x->req, 0);
        fprintf(f, "%s%s", x->req != NULL ? ")" : "", x->message != NULL ? ": " : "");
        rpt_xml(f, x->message, 0);
        fprintf(f, "%s\n", x->expected ? " [expected]" : "");
    }
    if (v->pcap_path != NULL) {
        fprintf(f, "capture: ");
        rpt_xml(f, v->pcap_path, 0);
        fputc('\n', f);
    }
    fprintf(f, "</system-out>\n");
}

static void testcase(FILE *f, const struct vector_result *v, const char *target)
{
    char msg[1024];

    fprintf(f, "    <testcase classname=\"");
    classname(f, v->name, target);
    fprintf(f, "\" name=\"");
    rpt_xml(f, base_name(v->name), 1);
    fprintf(f, "\" file=\"");
    rpt_xml(f, v->path, 1);
    fprintf(f, "\" time=\"%.6f\">\n", v->wall_ms / 1000.0);
    if (v->status == RESULT_FAIL)
        element(f, "failure", "fail", v);
    else if (v->status == RESULT_XPASS)
        element(f, "failure", "xpass", v);
    else if (v->status == RESULT_ERROR)
        element(f, "error", "error", v);
    else if (v->status == RESULT_SKIP) {
        fprintf(f, "      <skipped message=\"");
        rpt_xml(f, vector_result_describe(v, msg, sizeof msg), 1);
        fprintf(f, "\"/>\n");
    }
    system_out(f, v);
    fprintf(f, "    </testcase>\n");
}

static void counts(FILE *f, const struct run_results *r)
{
    struct run_totals t;

    run_results_totals(r, &t);
    fprintf(f, "tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\"",
            t.total, t.fail + t.xpass, t.error, t.skip, r->wall_ms / 1000.0);
}

void report_junit_print(FILE *f, const struct run_results *r)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"synack\" ");
    counts(f, r);
    fprintf(f, ">\n  <testsuite name=\"");
    rpt_xml(f, r->target != NULL ? r->target : "synack", 1);
    fprintf(f, "\" ");
    counts(f, r);
    if (r->started != NULL) {
        fprintf(f, " timestamp=\"");
        rpt_xml(f, r->started, 1);
        fprintf(f, "\"");
    }
    fprintf(f, ">\n");
    for (size_t i = 0; i < r->count; i++)
        testcase(f, &r->v[i], r->target);
    fprintf(f, "  </testsuite>\n</testsuites>\n");
}

int report_junit_write(const struct run_results *r, const char *path, char *err,
                       size_t errlen)
{
    FILE *f = rpt_create(path, err, errlen);

    if (f == NULL)
        return -1;
    report_junit_print(f, r);
    return rpt_finish(f, path, err, errlen);
}

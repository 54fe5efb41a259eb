/* Unit tests for the result writers (harness/report): the results model,
 * JSON round trip and validation, JUnit XML, TAP, terminal text, the
 * requirement registry and the HTML report. Run from the repository root
 * (fixtures are read from harness/tests/data/). With SYNACK_REPORT_OUT set,
 * only the fixture report is written, into that folder, and kept (for
 * harness/tests/report_browser.sh).
 */
#define _XOPEN_SOURCE 700 /* nftw, posix_openpt */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/html.h"
#include "report/html_internal.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/registry.h"
#include "report/result.h"
#include "report/tap.h"
#include "report/text.h"
#include "report/util.h"

#define DATA "harness/tests/data/"

/* A string with everything an escaper must handle (valid UTF-8). */
#define NASTY "<script>x</script> & \"dq\" 'sq' ]]> \x01\x1b[31m\t\xc3\xa9"

/* ---- helpers -------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    assert_non_null(d);
    return d;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* Setup and teardown: a fresh temporary folder in *state, removed after
 * the test whether it passed or not. */
static int make_tmpdir(void **state)
{
    const char *base = getenv("TMPDIR");
    char *dir = malloc(512);

    if (dir == NULL)
        return -1;
    snprintf(dir, 512, "%s/synack-report-XXXXXX", base != NULL ? base : "/tmp");
    if (mkdtemp(dir) == NULL) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int remove_tmpdir(void **state)
{
    int rc = nftw(*state, rm_one, 16, FTW_DEPTH | FTW_PHYS);

    free(*state);
    return rc;
}

static void join(char *out, size_t len, const char *dir, const char *rel)
{
    snprintf(out, len, "%s/%s", dir, rel);
}

/* What was written to the temporary file f, which is closed. */
static char *file_text(FILE *f)
{
    long n;
    char *buf;

    assert_int_equal(fflush(f), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Print r with a writer into a string. */
static char *print_to_string(void (*print)(FILE *, const struct run_results *),
                             const struct run_results *r)
{
    FILE *f = tmpfile();

    assert_non_null(f);
    print(f, r);
    return file_text(f);
}

/* ---- the fixture: one run of six vectors, one of each status -------------------- */

static struct vector_result *add_vector(struct run_results *r, const char *name,
                                        enum result_status st, double wall_ms)
{
    struct vector_result *v;
    char path[256];

    r->v = realloc(r->v, (r->count + 1) * sizeof *r->v);
    assert_non_null(r->v);
    v = &r->v[r->count++];
    vector_result_init(v);
    snprintf(path, sizeof path, "vectors/%s.pkt", name);
    v->path = xstrdup(path);
    v->name = xstrdup(name);
    v->status = st;
    v->wall_ms = wall_ms;
    v->script_us = 300000;
    return v;
}

static void add_reqs(struct vector_result *v, const char *a, const char *b)
{
    assert_int_equal(vector_result_add_req(v, a), 0);
    if (b != NULL)
        assert_int_equal(vector_result_add_req(v, b), 0);
}

static void passive_open(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "handshake/passive-open", RESULT_PASS, 0.4);

    add_reqs(v, "RFC9293:MUST-10", "RFC9293:SHLD-31");
    vector_result_add_row(v, LADDER_SYSCALL, LADDER_OK, 3, 0, 0, "listen(3, 1) = 0",
                          "listen(3, 1) = 0", NULL);
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 4, 100000, 100000,
                          "< S 0:0(0) win 32792 <mss 1460,nop,wscale 7>",
                          "< S 0:0(0) win 32792 <mss 1460,nop,wscale 7>", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_OK, 5, 100000, 100000,
                          "> S. 0:0(0) ack 1 <...>",
                          "> S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7>", NULL);
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 6, 200000, 200000,
                          "< . 1:1(0) ack 1 win 257", "< . 1:1(0) ack 1 win 257", NULL);
    vector_result_add_row(v, LADDER_SYSCALL, LADDER_OK, 7, 200000, 200000,
                          "accept(3, ..., ...) = 4", "accept(3, ..., ...) = 4", NULL);
}

static void rst_in_window(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "reset/rst-in-window", RESULT_FAIL, 1.25);

    add_reqs(v, "RFC5961:3.2", "RFC9293:MUST-66");
    v->message = xstrdup("line 14: field ack: expected 1001, got 1");
    v->fail_line = 14;
    v->fail_field = xstrdup("ack");
    v->expected = xstrdup("> . 1:1(0) ack 1001");
    v->actual = xstrdup("> . 1:1(0) ack 1");
    v->t_expected = 200000;
    v->t_actual = 200312;
    v->pcap_path = xstrdup("pcap/reset/rst-in-window.pcap");
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 12, 100000, 100000,
                          "< R 1:1(0) win 0", "< R 1:1(0) win 0", NULL);
    vector_result_add_row(v, LADDER_NOTE, LADDER_OK, 0, -1, 150000, NULL,
                          "retransmission timer expired", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_MISMATCH, 14, 200000, 200312,
                          "> . 1:1(0) ack 1001", "> . 1:1(0) ack 1", "ack");
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_UNEXPECTED, 0, -1, 250000, NULL,
                          "> R 1:1(0) win 0", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_MISSING, 15, 300000, -1,
                          "> F. 1:1(0) ack 1001", NULL, "packet");
    vector_result_add_row(v, LADDER_SYSCALL, LADDER_MISMATCH, 16, 300000, 300000,
                          "close(4) = 0", "close(4) = -1 EBADF", "errno");
    assert_int_equal(vector_result_add_finding(v, "rst-answers-rst", "RFC9293:MUST-66", 4,
                                               "a RST was sent in answer to a RST", false), 0);
    assert_int_equal(vector_result_add_finding(v, "window-probe-early", NULL, 5, NULL, true), 0);
}

static void bad_option(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "options/bad-option", RESULT_ERROR, 0.1);

    v->message = xstrdup("line 3: unknown TCP option 'foo'");
    v->fail_line = 3;
    v->script_us = -1;
}

static void needs_root(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "tun/needs-root", RESULT_SKIP, 0.0);

    v->message = xstrdup("needs root (CAP_NET_ADMIN)");
    v->script_us = -1;
}

static void min_rto(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "retransmit/min-rto", RESULT_XFAIL, 2.5);

    add_reqs(v, "RFC6298:2.4", NULL);
    v->message = xstrdup("packet sent too early: at 0.200000 s, expected 1.000000 s");
    v->fail_line = 9;
    v->fail_field = xstrdup("time");
    v->expected = xstrdup("> P. 1:11(10) ack 1");
    v->actual = xstrdup("> P. 1:11(10) ack 1");
    v->t_expected = 1000000;
    v->t_actual = 200000;
    v->xfail_reason = xstrdup("Linux clamps the RTO to 200 ms");
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_MISMATCH, 9, 1000000, 200000,
                          "> P. 1:11(10) ack 1", "> P. 1:11(10) ack 1", "time");
}

static void nasty(struct run_results *r)
{
    struct vector_result *v = add_vector(r, "nasty/a<b>&c\"d#e", RESULT_XPASS, 0.7);

    add_reqs(v, "RFC9293:MAY-2", NULL);
    v->xfail_reason = xstrdup("reason " NASTY);
    v->message = xstrdup("message " NASTY);
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 2, 0, 0, "< " NASTY, "< " NASTY, NULL);
}

/* Turn v into a pass: no failure, every row as expected, no findings. */
static void make_pass(struct vector_result *v)
{
    struct vector_result keep = *v;

    vector_result_init(v);
    v->path = keep.path;
    v->name = keep.name;
    v->wall_ms = keep.wall_ms;
    v->script_us = keep.script_us;
    v->reqs = keep.reqs;
    v->req_count = keep.req_count;
    keep.path = keep.name = NULL;
    keep.reqs = NULL;
    keep.req_count = 0;
    for (size_t i = 0; i < keep.ladder_count; i++) {
        const struct ladder_row *row = &keep.ladder[i];
        const char *text = row->expected != NULL ? row->expected : row->actual;
        if (row->status == LADDER_UNEXPECTED)
            continue;
        vector_result_add_row(v, row->kind, LADDER_OK, row->line, row->t_expected,
                              row->t_expected >= 0 ? row->t_expected : row->t_actual, text, text,
                              NULL);
    }
    vector_result_free(&keep);
}

/* The run the tests use; on "linux" some statuses differ and nasty is absent. */
static void build_run(struct run_results *r, const char *target)
{
    bool linux_ = strcmp(target, "linux") == 0;

    memset(r, 0, sizeof *r);
    r->target = xstrdup(target);
    r->started = xstrdup("2025-01-01T00:00:00Z");
    r->wall_ms = 210.0;
    passive_open(r);
    rst_in_window(r);
    bad_option(r);
    needs_root(r);
    min_rto(r);
    if (!linux_) {
        nasty(r);
        return;
    }
    make_pass(&r->v[1]); /* rst-in-window */
    make_pass(&r->v[3]); /* needs-root */
}

/* ---- comparing results field by field ------------------------------------------- */

static void same_str(const char *a, const char *b, const char *what)
{
    if (a == NULL || b == NULL) {
        if (a != b)
            fail_msg("%s: one is NULL (%s / %s)", what, a ? a : "NULL", b ? b : "NULL");
        return;
    }
    if (strcmp(a, b) != 0)
        fail_msg("%s: \"%s\" != \"%s\"", what, a, b);
}

static void same_row(const struct ladder_row *a, const struct ladder_row *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->line, b->line);
    assert_int_equal(a->t_expected, b->t_expected);
    assert_int_equal(a->t_actual, b->t_actual);
    same_str(a->expected, b->expected, "row expected");
    same_str(a->actual, b->actual, "row actual");
    same_str(a->field, b->field, "row field");
}

static void same_vector(const struct vector_result *a, const struct vector_result *b)
{
    same_str(a->path, b->path, "path");
    same_str(a->name, b->name, "name");
    assert_int_equal(a->status, b->status);
    same_str(a->message, b->message, "message");
    assert_int_equal(a->fail_line, b->fail_line);
    same_str(a->fail_field, b->fail_field, "fail_field");
    same_str(a->expected, b->expected, "expected");
    same_str(a->actual, b->actual, "actual");
    assert_int_equal(a->t_expected, b->t_expected);
    assert_int_equal(a->t_actual, b->t_actual);
    assert_true(a->wall_ms == b->wall_ms);
    assert_int_equal(a->script_us, b->script_us);
    assert_int_equal(a->req_count, b->req_count);
    for (size_t i = 0; i < a->req_count; i++)
        same_str(a->reqs[i], b->reqs[i], "req");
    assert_int_equal(a->ladder_count, b->ladder_count);
    for (size_t i = 0; i < a->ladder_count; i++)
        same_row(&a->ladder[i], &b->ladder[i]);
    assert_int_equal(a->finding_count, b->finding_count);
    for (size_t i = 0; i < a->finding_count; i++) {
        same_str(a->findings[i].rule, b->findings[i].rule, "finding rule");
        same_str(a->findings[i].req, b->findings[i].req, "finding req");
        assert_int_equal(a->findings[i].packet, b->findings[i].packet);
        same_str(a->findings[i].message, b->findings[i].message, "finding message");
        assert_int_equal(a->findings[i].expected, b->findings[i].expected);
    }
    same_str(a->pcap_path, b->pcap_path, "pcap_path");
    same_str(a->xfail_reason, b->xfail_reason, "xfail_reason");
}

static void same_run(const struct run_results *a, const struct run_results *b)
{
    same_str(a->target, b->target, "target");
    same_str(a->started, b->started, "started");
    assert_true(a->wall_ms == b->wall_ms);
    assert_int_equal(a->count, b->count);
    for (size_t i = 0; i < a->count; i++)
        same_vector(&a->v[i], &b->v[i]);
}

/* ---- the model ------------------------------------------------------------------ */

static void test_status_names_round_trip(void **state)
{
    (void)state;
    for (int s = RESULT_PASS; s <= RESULT_XPASS; s++) {
        enum result_status back;
        assert_int_equal(result_status_from_name(result_status_name(s), &back), 0);
        assert_int_equal(back, s);
    }
    for (int k = LADDER_INBOUND; k <= LADDER_NOTE; k++) {
        enum ladder_kind back;
        assert_int_equal(ladder_kind_from_name(ladder_kind_name(k), &back), 0);
        assert_int_equal(back, k);
    }
    for (int s = LADDER_OK; s <= LADDER_MISSING; s++) {
        enum ladder_status back;
        assert_int_equal(ladder_status_from_name(ladder_status_name(s), &back), 0);
        assert_int_equal(back, s);
    }
    enum result_status st;
    assert_string_equal(result_status_name(RESULT_XFAIL), "xfail");
    assert_int_equal(result_status_from_name("PASS", &st), -1);
    assert_int_equal(result_status_from_name(NULL, &st), -1);
    assert_string_equal(result_status_name((enum result_status)42), "invalid");
}

static void test_totals_count_each_status_and_xpass_fails_the_run(void **state)
{
    struct run_results r;
    struct run_totals t;

    (void)state;
    build_run(&r, "mem");
    run_results_totals(&r, &t);
    assert_int_equal(t.total, 6);
    assert_int_equal(t.pass, 1);
    assert_int_equal(t.fail, 1);
    assert_int_equal(t.error, 1);
    assert_int_equal(t.skip, 1);
    assert_int_equal(t.xfail, 1);
    assert_int_equal(t.xpass, 1);
    assert_true(run_results_failed(&r));
    /* Only pass, skip and xfail: the run passes. */
    r.v[1].status = r.v[2].status = RESULT_PASS;
    r.v[5].status = RESULT_XFAIL;
    assert_false(run_results_failed(&r));
    r.v[5].status = RESULT_XPASS;
    assert_true(run_results_failed(&r));
    r.v[5].status = RESULT_XFAIL;
    r.v[2].status = RESULT_ERROR;
    assert_true(run_results_failed(&r));
    run_results_free(&r);
    assert_null(r.v);
    assert_int_equal(r.count, 0);
}

static void test_add_row_copies_strings_and_allows_null(void **state)
{
    struct vector_result v;
    char exp[] = "> S. 0:0(0) ack 1", act[] = "> S. 0:0(0) ack 2";

    (void)state;
    vector_result_init(&v);
    assert_int_equal(v.t_expected, -1);
    assert_int_equal(v.t_actual, -1);
    assert_int_equal(vector_result_add_row(&v, LADDER_OUTBOUND, LADDER_MISMATCH, 7, 10, 20, exp,
                                           act, "ack"), 0);
    assert_int_equal(vector_result_add_row(&v, LADDER_NOTE, LADDER_OK, 0, -1, -1, NULL, NULL,
                                           NULL), 0);
    exp[0] = act[0] = 'X';
    assert_int_equal(v.ladder_count, 2);
    assert_string_equal(v.ladder[0].expected, "> S. 0:0(0) ack 1");
    assert_string_equal(v.ladder[0].actual, "> S. 0:0(0) ack 2");
    assert_string_equal(v.ladder[0].field, "ack");
    assert_int_equal(v.ladder[0].line, 7);
    assert_int_equal(v.ladder[0].t_actual, 20);
    assert_null(v.ladder[1].expected);
    assert_null(v.ladder[1].actual);
    assert_int_equal(vector_result_add_req(&v, "RFC9293:MUST-1"), 0);
    assert_int_equal(vector_result_add_req(&v, NULL), -1);
    assert_int_equal(v.req_count, 1);
    vector_result_free(&v);
    assert_null(v.ladder);
    assert_int_equal(v.ladder_count, 0);
}

static void test_describe_adds_line_only_when_missing(void **state)
{
    struct vector_result v;
    char buf[128];

    (void)state;
    vector_result_init(&v);
    assert_string_equal(vector_result_describe(&v, buf, sizeof buf), "");
    v.status = RESULT_FAIL;
    v.fail_line = 14;
    v.message = xstrdup("line 14: field ack: expected 1001, got 1");
    assert_string_equal(vector_result_describe(&v, buf, sizeof buf),
                        "line 14: field ack: expected 1001, got 1");
    free(v.message);
    v.message = xstrdup("field ack: expected 1001, got 1");
    assert_string_equal(vector_result_describe(&v, buf, sizeof buf),
                        "line 14: field ack: expected 1001, got 1");
    free(v.message);
    v.message = NULL;
    v.fail_field = xstrdup("ack");
    assert_string_equal(vector_result_describe(&v, buf, sizeof buf), "line 14: field ack");
    v.status = RESULT_XPASS;
    v.xfail_reason = xstrdup("kernel bug");
    assert_string_equal(vector_result_describe(&v, buf, sizeof buf),
                        "passed, but listed as an expected failure: kernel bug");
    assert_string_equal(vector_result_describe(&v, buf, 7), "passed");
    vector_result_free(&v);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void test_json_round_trip_keeps_every_field(void **state)
{
    struct run_results r, back;
    const char *dir = *state;
    char path[300], err[512];

    join(path, sizeof path, dir, "results.json");
    build_run(&r, "mem");
    assert_int_equal(report_json_write(&r, path, err, sizeof err), 0);
    if (report_json_read(path, &back, err, sizeof err) != 0)
        fail_msg("read back: %s", err);
    same_run(&r, &back);
    char *text = slurp(path);
    assert_non_null(strstr(text, "\"schema\": \"synack-results/1\""));
    assert_non_null(strstr(text, "\"wall_ms\": 0.4,"));
    assert_non_null(strstr(text, "\"t_expected_us\": null"));
    free(text);
    run_results_free(&r);
    run_results_free(&back);
}

static void test_json_empty_run_round_trips(void **state)
{
    struct run_results r = {0}, back;
    const char *dir = *state;
    char path[300], err[512];

    join(path, sizeof path, dir, "empty.json");
    r.target = xstrdup("tun");
    assert_int_equal(report_json_write(&r, path, err, sizeof err), 0);
    assert_int_equal(report_json_read(path, &back, err, sizeof err), 0);
    same_run(&r, &back);
    run_results_free(&r);
    run_results_free(&back);
}

static void test_json_invalid_utf8_is_replaced_not_refused(void **state)
{
    struct run_results r = {0}, back;
    struct vector_result *v;
    const char *dir = *state;
    char path[300], err[512];

    join(path, sizeof path, dir, "utf8.json");
    r.target = xstrdup("mem");
    v = add_vector(&r, "x/y", RESULT_FAIL, 1.0);
    v->message = xstrdup("bad \xff byte, cut \xc3");
    assert_int_equal(report_json_write(&r, path, err, sizeof err), 0);
    assert_int_equal(report_json_read(path, &back, err, sizeof err), 0);
    assert_string_equal(back.v[0].message, "bad \xef\xbf\xbd byte, cut \xef\xbf\xbd");
    run_results_free(&r);
    run_results_free(&back);
}

/* message follows the path; for errors from jansson's parser only the
 * position is ours, so the rest must merely contain `parser` (jansson's
 * wording may change between its versions). */
struct bad_json {
    const char *text;
    const char *message;
    const char *parser;
};

#define V0 "{\"path\":\"p\",\"name\":\"n\",\"status\":\"pass\""
#define HEAD "{\"schema\":\"synack-results/1\",\"target\":\"mem\","

static const struct bad_json bad_jsons[] = {
    {"not json", ":1:3: invalid JSON: ", "'[' or '{' expected"},
    {"", ":1:0: invalid JSON: ", "'[' or '{' expected"},
    {"{\"schema\":", ":1:10: invalid JSON: ", "end of file"},
    {"[1, 2]", ": expected a JSON object at the top level, got an array", NULL},
    {"{\"target\":\"mem\",\"vectors\":[]}",
     ": missing field \"schema\" (not a synack results file?)", NULL},
    {"{\"schema\":\"synack-results/2\",\"target\":\"mem\",\"vectors\":[]}",
     ": schema: expected \"synack-results/1\", got \"synack-results/2\"", NULL},
    {"{\"schema\":1}", ": schema: expected \"synack-results/1\", got an integer", NULL},
    {"{\"schema\":\"synack-results/1\",\"vectors\":[]}", ": missing field \"target\"", NULL},
    {HEAD "\"target\":5}", ":1:52: invalid JSON: ", "duplicate object key"},
    {"{\"schema\":\"synack-results/1\",\"target\":5,\"vectors\":[]}",
     ": target: expected a string, got an integer", NULL},
    {HEAD "\"vectors\":{}}", ": vectors: expected an array, got an object", NULL},
    {HEAD "\"wall_ms\":-1,\"vectors\":[]}",
     ": wall_ms: expected a non-negative number (milliseconds), got -1", NULL},
    {HEAD "\"vectors\":[3]}", ": vectors[0]: expected an object, got an integer", NULL},
    {HEAD "\"vectors\":[" V0 "},{\"path\":\"p\",\"name\":\"n\"}]}",
     ": vectors[1]: missing field \"status\"", NULL},
    {HEAD "\"vectors\":[" V0 "}," V0 "}," V0 "},{\"path\":\"p\",\"name\":\"n\",\"status\":"
          "\"bogus\"}]}",
     ": vectors[3].status: expected one of pass, fail, error, skip, xfail, xpass, got "
     "\"bogus\"", NULL},
    {HEAD "\"vectors\":[{\"path\":\"p\",\"name\":\"n\",\"status\":null}]}",
     ": vectors[0].status: expected one of pass, fail, error, skip, xfail, xpass, got null", NULL},
    {HEAD "\"vectors\":[{\"path\":7,\"name\":\"n\",\"status\":\"pass\"}]}",
     ": vectors[0].path: expected a string, got an integer", NULL},
    {HEAD "\"vectors\":[" V0 ",\"wall_ms\":\"fast\"}]}",
     ": vectors[0].wall_ms: expected a non-negative number (milliseconds), got a string", NULL},
    {HEAD "\"vectors\":[" V0 ",\"fail_line\":1.5}]}",
     ": vectors[0].fail_line: expected an integer from 0 to 4294967295, got 1.5", NULL},
    {HEAD "\"vectors\":[" V0 ",\"fail_line\":4294967296}]}",
     ": vectors[0].fail_line: expected an integer from 0 to 4294967295, got 4294967296", NULL},
    {HEAD "\"vectors\":[" V0 ",\"fail_line\":\"14\"}]}",
     ": vectors[0].fail_line: expected an integer from 0 to 4294967295, got a string", NULL},
    {HEAD "\"vectors\":[" V0 ",\"message\":[]}]}",
     ": vectors[0].message: expected a string or null, got an array", NULL},
    {HEAD "\"vectors\":[" V0 ",\"reqs\":[\"a\",7]}]}",
     ": vectors[0].reqs[1]: expected a string, got an integer", NULL},
    {HEAD "\"vectors\":[" V0 ",\"ladder\":[{\"kind\":\"inbound\",\"status\":\"ok\"},"
          "{\"kind\":\"sideways\",\"status\":\"ok\"}]}]}",
     ": vectors[0].ladder[1].kind: expected one of inbound, outbound, syscall, note, got "
     "\"sideways\"", NULL},
    {HEAD "\"vectors\":[" V0 ",\"ladder\":[{\"kind\":\"inbound\"}]}]}",
     ": vectors[0].ladder[0]: missing field \"status\"", NULL},
    {HEAD "\"vectors\":[" V0 ",\"ladder\":[{\"kind\":\"note\",\"status\":\"ok\","
          "\"t_actual_us\":-5}]}]}",
     ": vectors[0].ladder[0].t_actual_us: expected a non-negative integer (microseconds) or "
     "null, got -5", NULL},
    {HEAD "\"vectors\":[" V0 ",\"findings\":[{\"rule\":\"r\",\"expected\":\"yes\"}]}]}",
     ": vectors[0].findings[0].expected: expected true or false, got a string", NULL},
    {HEAD "\"vectors\":[" V0 ",\"findings\":[{\"packet\":1}]}]}",
     ": vectors[0].findings[0]: missing field \"rule\"", NULL},
    {HEAD "\"totals\":{\"fail\":3},\"vectors\":[" V0 "}]}",
     ": totals: fail: says 3, but the vectors have 0", NULL},
    {HEAD "\"vectors\":[{\"path\":\"a\\u0000b\",\"name\":\"n\",\"status\":\"pass\"}]}",
     ":1:73: invalid JSON: ", "\\u0000 is not allowed"},
    {"{}x", ":1:3: invalid JSON: ", "end of file expected"},
};

static void test_json_malformed_files_are_rejected_precisely(void **state)
{
    const char *dir = *state;
    char path[300], err[512], want[1024];
    struct run_results r;

    join(path, sizeof path, dir, "results.json");
    for (size_t i = 0; i < sizeof bad_jsons / sizeof bad_jsons[0]; i++) {
        spit(path, bad_jsons[i].text);
        memset(&r, 0xa5, sizeof r);
        err[0] = '\0';
        if (report_json_read(path, &r, err, sizeof err) != -1)
            fail_msg("case %zu accepted: %s", i, bad_jsons[i].text);
        snprintf(want, sizeof want, "%s%s", path, bad_jsons[i].message);
        if (bad_jsons[i].parser != NULL ? strncmp(err, want, strlen(want)) != 0 ||
                                              strstr(err, bad_jsons[i].parser) == NULL
                                        : strcmp(err, want) != 0)
            fail_msg("case %zu: %s\n got: %s\nwant: %s%s", i, bad_jsons[i].text, err, want,
                     bad_jsons[i].parser != NULL ? bad_jsons[i].parser : "");
        assert_null(r.v);
        assert_null(r.target);
        assert_int_equal(r.count, 0);
    }
}

static void test_json_deep_nesting_is_an_error_not_a_crash(void **state)
{
    const char *dir = *state;
    char path[300], err[512];
    struct run_results r;
    size_t depth = 100000;
    char *text = malloc(2 * depth + 1);

    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    join(path, sizeof path, dir, "deep.json");
    spit(path, text);
    assert_int_equal(report_json_read(path, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "maximum parsing depth reached"));
    free(text);
}

static void test_json_io_errors_name_the_file(void **state)
{
    struct run_results r = {0}, back;
    char err[512];

    (void)state;
    assert_int_equal(report_json_read("/nonexistent/results.json", &back, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/results.json: No such file or directory");
    r.target = xstrdup("mem");
    assert_int_equal(report_json_write(&r, "/nonexistent/out.json", err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/out.json: No such file or directory");
    if (access("/dev/full", W_OK) == 0) {
        assert_int_equal(report_json_write(&r, "/dev/full", err, sizeof err), -1);
        assert_string_equal(err, "/dev/full: write failed: No space left on device");
    }
    run_results_free(&r);
}

/* The committed fixtures read back as exactly the runs this file builds. */
static void test_json_fixtures_match_the_builder(void **state)
{
    static const char *const targets[] = {"mem", "linux"};
    struct run_results built, read;
    char path[256], err[512];

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, DATA "results-%s.json", targets[i]);
        if (report_json_read(path, &read, err, sizeof err) != 0)
            fail_msg("%s", err);
        build_run(&built, targets[i]);
        same_run(&built, &read);
        run_results_free(&built);
        run_results_free(&read);
    }
}

/* ---- JUnit XML ------------------------------------------------------------------- */

static void print_junit(FILE *f, const struct run_results *r)
{
    report_junit_print(f, r);
}

static void test_junit_has_one_testcase_per_vector_and_escapes(void **state)
{
    struct run_results r;
    char *xml;

    (void)state;
    build_run(&r, "mem");
    xml = print_to_string(print_junit, &r);
    assert_int_equal(count_of(xml, "<testsuite "), 1);
    assert_int_equal(count_of(xml, "<testcase "), 6);
    assert_int_equal(count_of(xml, "<failure "), 2); /* fail and xpass */
    assert_int_equal(count_of(xml, "<error "), 1);
    assert_int_equal(count_of(xml, "<skipped "), 1);
    assert_non_null(strstr(xml, "<testsuites name=\"synack\" tests=\"6\" failures=\"2\" "
                                "errors=\"1\" skipped=\"1\" time=\"0.210000\">"));
    assert_non_null(strstr(xml, "<testsuite name=\"mem\" tests=\"6\" failures=\"2\" errors=\"1\" "
                                "skipped=\"1\" time=\"0.210000\" "
                                "timestamp=\"2025-01-01T00:00:00Z\">"));
    assert_non_null(strstr(xml, "<testcase classname=\"handshake\" name=\"passive-open\" "
                                "file=\"vectors/handshake/passive-open.pkt\" time=\"0.000400\">"));
    assert_non_null(strstr(xml, "<failure type=\"fail\" message=\"line 14: field ack: expected "
                                "1001, got 1\">at vectors/reset/rst-in-window.pkt:14\n"
                                "field:    ack\n"
                                "expected: &gt; . 1:1(0) ack 1001  at 0.200 s\n"
                                "actual:   &gt; . 1:1(0) ack 1  at 0.200312 s\n</failure>"));
    /* XFAIL passes with a note; XPASS fails. */
    assert_non_null(strstr(xml, "<system-out>expected failure (Linux clamps the RTO to 200 ms): "
                                "line 9: packet sent too early"));
    assert_non_null(strstr(xml, "<failure type=\"xpass\" message=\"passed, but listed as an "
                                "expected failure: reason &lt;script&gt;x&lt;/script&gt; &amp; "
                                "&#34;dq&#34; &#39;sq&#39; ]]&gt; \xef\xbf\xbd\xef\xbf\xbd"
                                "[31m&#9;\xc3\xa9\">"));
    assert_non_null(strstr(xml, "name=\"a&lt;b&gt;&amp;c&#34;d#e\""));
    assert_non_null(strstr(xml, "oracle: packet 4: rst-answers-rst (RFC9293:MUST-66): a RST was "
                                "sent in answer to a RST\n"));
    assert_non_null(strstr(xml, "capture: pcap/reset/rst-in-window.pcap\n"));
    assert_null(strstr(xml, "\x01"));
    assert_null(strstr(xml, "<script"));
    free(xml);
    run_results_free(&r);
}

static void test_junit_is_well_formed_for_xmllint(void **state)
{
    struct run_results r;
    const char *dir = *state;
    char path[300], cmd[700], err[512];

    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        fprintf(stderr, "xmllint not installed (Debian: libxml2-utils): well-formedness not "
                        "checked\n");
        skip();
    }
    join(path, sizeof path, dir, "junit.xml");
    build_run(&r, "mem");
    assert_int_equal(report_junit_write(&r, path, err, sizeof err), 0);
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", path);
    assert_int_equal(system(cmd), 0);
    run_results_free(&r);
}

/* ---- TAP ------------------------------------------------------------------------- */

static void print_tap(FILE *f, const struct run_results *r)
{
    report_tap_print(f, r);
}

static void test_tap_lines_are_exact(void **state)
{
    static const char want[] =
        "TAP version 13\n"
        "1..6\n"
        "ok 1 - handshake/passive-open\n"
        "not ok 2 - reset/rst-in-window\n"
        "  ---\n"
        "  message: \"line 14: field ack: expected 1001, got 1\"\n"
        "  severity: fail\n"
        "  file: \"vectors/reset/rst-in-window.pkt\"\n"
        "  line: 14\n"
        "  field: \"ack\"\n"
        "  expected: \"> . 1:1(0) ack 1001\"\n"
        "  actual: \"> . 1:1(0) ack 1\"\n"
        "  t_expected: 0.200\n"
        "  t_actual: 0.200312\n"
        "  pcap: \"pcap/reset/rst-in-window.pcap\"\n"
        "  ...\n"
        "not ok 3 - options/bad-option\n"
        "  ---\n"
        "  message: \"line 3: unknown TCP option 'foo'\"\n"
        "  severity: error\n"
        "  file: \"vectors/options/bad-option.pkt\"\n"
        "  line: 3\n"
        "  ...\n"
        "ok 4 - tun/needs-root # SKIP needs root (CAP_NET_ADMIN)\n"
        "not ok 5 - retransmit/min-rto # TODO Linux clamps the RTO to 200 ms\n"
        "  ---\n"
        "  message: \"line 9: packet sent too early: at 0.200000 s, expected 1.000000 s\"\n"
        "  severity: xfail\n"
        "  file: \"vectors/retransmit/min-rto.pkt\"\n"
        "  line: 9\n"
        "  field: \"time\"\n"
        "  expected: \"> P. 1:11(10) ack 1\"\n"
        "  actual: \"> P. 1:11(10) ack 1\"\n"
        "  t_expected: 1.000\n"
        "  t_actual: 0.200\n"
        "  xfail_reason: \"Linux clamps the RTO to 200 ms\"\n"
        "  ...\n"
        "not ok 6 - nasty/a<b>&c\"d\\#e\n"
        "  ---\n"
        "  message: \"passed, but listed as an expected failure: reason <script>x</script> & "
        "\\\"dq\\\" 'sq' ]]> \\x01\\x1b[31m\\t\xc3\xa9\"\n"
        "  severity: xpass\n"
        "  file: \"vectors/nasty/a<b>&c\\\"d#e.pkt\"\n"
        "  xfail_reason: \"reason <script>x</script> & \\\"dq\\\" 'sq' ]]> \\x01\\x1b[31m\\t"
        "\xc3\xa9\"\n"
        "  ...\n"
        "# 6 vectors: 1 passed, 1 failed, 1 error, 1 skipped, 1 expected failure, "
        "1 unexpected pass in 0.21 s\n";
    struct run_results r;
    char *tap;

    (void)state;
    build_run(&r, "mem");
    tap = print_to_string(print_tap, &r);
    assert_string_equal(tap, want);
    free(tap);
    run_results_free(&r);
}

/* ---- text ------------------------------------------------------------------------ */

static void print_text_plain(FILE *f, const struct run_results *r)
{
    struct report_text_style style = {false, false};

    report_text_print(f, r, &style);
}

static void test_text_lines_are_exact(void **state)
{
    static const char want[] =
        "PASS  handshake/passive-open (0.4 ms)\n"
        "FAIL  reset/rst-in-window  line 14: field ack: expected 1001, got 1\n"
        "      at vectors/reset/rst-in-window.pkt:14\n"
        "      expected  > . 1:1(0) ack 1001  at 0.200 s\n"
        "      actual    > . 1:1(0) ack 1  at 0.200312 s\n"
        "ERROR options/bad-option  line 3: unknown TCP option 'foo'\n"
        "      at vectors/options/bad-option.pkt:3\n"
        "SKIP  tun/needs-root  needs root (CAP_NET_ADMIN)\n"
        "XFAIL retransmit/min-rto  line 9: packet sent too early: at 0.200000 s, expected "
        "1.000000 s (expected: Linux clamps the RTO to 200 ms)\n"
        "      at vectors/retransmit/min-rto.pkt:9\n"
        "      expected  > P. 1:11(10) ack 1  at 1.000 s\n"
        "      actual    > P. 1:11(10) ack 1  at 0.200 s\n"
        "XPASS nasty/a<b>&c\"d#e  passed, but listed as an expected failure: reason "
        "<script>x</script> & \"dq\" 'sq' ]]> \\x01\\x1b[31m\\x09\xc3\xa9\n"
        "6 vectors: 1 passed, 1 failed, 1 error, 1 skipped, 1 expected failure, "
        "1 unexpected pass in 0.21 s\n";
    struct run_results r;
    char *text;

    (void)state;
    build_run(&r, "mem");
    text = print_to_string(print_text_plain, &r);
    assert_string_equal(text, want);
    free(text);
    run_results_free(&r);
}

static void test_text_summary_plurals_and_verbose_ladder(void **state)
{
    struct run_results r = {0};
    struct report_text_style verbose = {false, true};
    char line[256], *buf;
    FILE *f;

    (void)state;
    r.wall_ms = 1234.0;
    add_vector(&r, "a/one", RESULT_PASS, 1.0);
    assert_string_equal(report_text_summary_line(&r, line, sizeof line),
                        "1 vector: 1 passed, 0 failed, 0 errors, 0 skipped in 1.23 s");
    run_results_free(&r);
    build_run(&r, "mem");
    f = tmpfile();
    assert_non_null(f);
    report_text_vector_styled(f, &r.v[1], &verbose);
    buf = file_text(f);
    assert_non_null(strstr(buf, "           14  0.200312   > . 1:1(0) ack 1  [mismatch ack; "
                                "expected > . 1:1(0) ack 1001]\n"));
    assert_non_null(strstr(buf, "               0.250      > R 1:1(0) win 0  [unexpected]\n"));
    assert_non_null(strstr(buf, "           15  0.300      > F. 1:1(0) ack 1001  [missing "
                                "packet]\n"));
    assert_non_null(strstr(buf, "           16  0.300      app close(4) = -1 EBADF  [mismatch "
                                "errno; expected close(4) = 0]\n"));
    free(buf);
    run_results_free(&r);
}

static void test_text_colour_only_on_a_terminal_without_no_color(void **state)
{
    struct run_results r;
    struct report_text_style colour = {true, false};
    char *buf;
    FILE *f = tmpfile(), *tty;
    int master;
    const char *saved = getenv("NO_COLOR");
    char *keep = saved != NULL ? xstrdup(saved) : NULL;

    (void)state;
    assert_false(report_text_colour(f));
    fclose(f);
    build_run(&r, "mem");
    f = tmpfile();
    assert_non_null(f);
    report_text_vector_styled(f, &r.v[1], &colour);
    buf = file_text(f);
    assert_non_null(strstr(buf, "\033[1;31mFAIL\033[0m  reset/rst-in-window"));
    free(buf);
    run_results_free(&r);
    master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
        (tty = fopen(ptsname(master), "w")) == NULL) {
        fprintf(stderr, "no pseudo-terminal: the terminal case is not checked\n");
        free(keep);
        return;
    }
    unsetenv("NO_COLOR");
    assert_true(report_text_colour(tty));
    setenv("NO_COLOR", "", 1);
    assert_true(report_text_colour(tty)); /* no-color.org: only a non-empty value counts */
    setenv("NO_COLOR", "1", 1);
    assert_false(report_text_colour(tty));
    if (keep != NULL)
        setenv("NO_COLOR", keep, 1);
    else
        unsetenv("NO_COLOR");
    free(keep);
    fclose(tty);
    close(master);
}

/* ---- registry ------------------------------------------------------------------- */

static void test_registry_is_tolerant_of_columns_comments_and_crlf(void **state)
{
    struct req_registry reg;
    const char *dir = *state;
    char path[300], err[512];

    join(path, sizeof path, dir, "requirements.tsv");
    spit(path, "# comment\r\n\r\nextra\tID\tsummary\tlevel\r\n"
               "x\tRFC9293:MUST-1\tTreat the window as unsigned\tMUST\r\n"
               "y\tRFC9293:MUST-1\tduplicate\tMAY\r\n"
               "\tRFC9293:MAY-2\n"
               "z\t\tno id\tMUST\n");
    assert_int_equal(req_registry_read(path, &reg, err, sizeof err), 0);
    assert_int_equal(reg.count, 2);
    assert_string_equal(reg.e[0].id, "RFC9293:MUST-1");
    assert_string_equal(reg.e[0].summary, "Treat the window as unsigned");
    assert_string_equal(reg.e[0].level, "MUST");
    assert_string_equal(reg.e[0].section, "");
    assert_true(reg.e[0].testable);
    assert_string_equal(reg.e[1].id, "RFC9293:MAY-2");
    assert_string_equal(reg.e[1].level, "");
    assert_non_null(req_registry_find(&reg, "RFC9293:MAY-2"));
    assert_null(req_registry_find(&reg, "RFC9293:MAY-3"));
    req_registry_free(&reg);

    spit(path, "level\tsummary\nMUST\tx\n");
    assert_int_equal(req_registry_read(path, &reg, err, sizeof err), -1);
    assert_non_null(strstr(err, "requirements.tsv:1: no \"id\" column in the header"));
    join(path, sizeof path, dir, "absent.tsv");
    assert_int_equal(req_registry_read(path, &reg, err, sizeof err), 1);
    assert_int_equal(reg.count, 0);
}

static void test_registry_fixture_and_level_groups(void **state)
{
    struct req_registry reg;
    char err[512];
    const struct req_entry *e;

    (void)state;
    assert_int_equal(req_registry_read(DATA "requirements.tsv", &reg, err, sizeof err), 0);
    e = req_registry_find(&reg, "RFC9293:MUST-1");
    assert_non_null(e);
    assert_false(e->testable);
    assert_true(req_registry_find(&reg, "RFC9293:MUST-10")->testable);
    req_registry_free(&reg);
    assert_string_equal(req_level_group("MUST NOT"), "MUST");
    assert_string_equal(req_level_group("SHLD"), "SHOULD");
    assert_string_equal(req_level_group("RFC9293:SHLD-31"), "SHOULD");
    assert_string_equal(req_level_group("optional"), "MAY");
    assert_null(req_level_group("MUSTARD"));
    assert_null(req_level_group(""));
}

/* ---- util ------------------------------------------------------------------------ */

static void test_relative_href_and_natural_order(void **state)
{
    static const char *const cases[][3] = {
        {"/r/out/vectors/a", "/r/pcap/a/x.pcap", "../../../pcap/a/x.pcap"},
        {"/r/out", "/r/out/x.pcap", "x.pcap"},
        {"/a/b", "/a/bc/x", "../bc/x"},
        {"/", "/x", "x"},
        {"/r", "/r/a b/%#?.pcap", "a%20b/%25%23%3F.pcap"},
    };
    char *h, *abs;

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h = rpt_relative_href(cases[i][0], cases[i][1]);
        assert_string_equal(h, cases[i][2]);
        free(h);
    }
    abs = rpt_abspath("/no/such/./dir/../file");
    assert_string_equal(abs, "/no/such/file");
    free(abs);
    assert_true(rpt_natcmp("RFC9293:MUST-9", "RFC9293:MUST-10") < 0);
    assert_true(rpt_natcmp("a/b2", "a/b10") < 0);
    assert_true(rpt_natcmp("b", "a") > 0);
    assert_int_equal(rpt_natcmp("x", "x"), 0);
}

/* ---- HTML ------------------------------------------------------------------------ */

static char *read_in(const char *dir, const char *rel)
{
    char path[600];

    join(path, sizeof path, dir, rel);
    return slurp(path);
}

/* Self-contained: nothing from the network, no script or style from a
 * file; an inline script may only filter what is on the page. */
static void no_network_no_script(const char *html, const char *what)
{
    if (strstr(html, "http://") || strstr(html, "https://"))
        fail_msg("%s refers to the network", what);
    if (strstr(html, "<script src") || strstr(html, "<link") || strstr(html, "@import") ||
        strstr(html, "url(http"))
        fail_msg("%s has an external script, a link or an import", what);
    if (strstr(html, "fetch(") || strstr(html, "XMLHttpRequest") || strstr(html, "import(") ||
        strstr(html, "WebSocket"))
        fail_msg("%s has a script that fetches", what);
}

static void write_two_runs(const char *dir, const char *registry)
{
    struct run_results runs[2];
    char err[512];

    build_run(&runs[0], "mem");
    build_run(&runs[1], "linux");
    if (report_html_write(runs, 2, registry, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    run_results_free(&runs[0]);
    run_results_free(&runs[1]);
}

static void test_html_index_has_summary_vectors_and_requirements(void **state)
{
    const char *dir = *state;
    char *html;

    write_two_runs(dir, DATA "requirements.tsv");
    html = read_in(dir, "index.html");
    no_network_no_script(html, "index.html");
    assert_non_null(strstr(html, "<th>mem</th><th>linux</th>"));
    assert_non_null(strstr(html, "<b>mem</b>: 6 vectors: 1 passed, 1 failed, 1 error, "
                                 "1 skipped, 1 expected failure, 1 unexpected pass in 0.21 s"));
    assert_non_null(strstr(html, "<b>linux</b>: 5 vectors: 3 passed, 0 failed, 1 error, "
                                 "0 skipped, 1 expected failure in 0.21 s"));
    assert_non_null(strstr(html, "<tr><th>passed</th><td class=\"num\">1</td>"
                                 "<td class=\"num\">3</td></tr>"));
    /* One row per vector, linked to its page; nasty names escaped. */
    assert_non_null(strstr(html, "<a href=\"vectors/handshake/passive-open.html\">"
                                 "handshake/passive-open</a>"));
    assert_non_null(strstr(html, "<a href=\"vectors/nasty/a_b__c_d_e.html\">"
                                 "nasty/a&lt;b&gt;&amp;c\"d#e</a>"));
    assert_non_null(strstr(html, "title=\"not run on this target\""));
    /* Requirements: registry rows, uncovered, untestable, tags not in it. */
    assert_non_null(strstr(html, "<tr id=\"req-RFC9293:MUST-99\" class=\"uncovered\">"));
    assert_non_null(strstr(html, "<tr id=\"req-RFC9293:MUST-1\" class=\"untestable\">"));
    assert_non_null(strstr(html, "not testable on the wire: internal arithmetic"));
    assert_non_null(strstr(html, "<tr id=\"req-RFC5961:3.2\"><td><code>RFC5961:3.2</code></td>"
                                 "<td></td><td></td><td class=\"note\">not in the registry"));
    /* Totals per level: MUST has 4 entries, 3 testable, 2 covered. */
    assert_non_null(strstr(html, "<tr><th>MUST</th><td class=\"num\">4</td><td class=\"num\">3"
                                 "</td><td class=\"num\">2 / 3 (67%)</td>"));
    assert_int_equal(count_of(html, "<tr id=\"v-"), 6);
    free(html);
}

/* strength.html from make mutate's JSON: totals, one row per mutant with
 * the vectors that killed it linked to their pages, the requirement rows
 * defended or not, the MUSTs no mutant breaks; the index links it. A file
 * that is not make mutate's is an error naming it. */
static void test_html_strength_page_from_mutate_json(void **state)
{
    const char *dir = *state;
    char path[600], err[512];
    join(path, sizeof path, dir, "mutate.json");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"schema\": \"synack-mutate/1\", \"unit_run\": true, \"mutants\": ["
          "{\"name\": \"wl_guard_off\", \"reqs\": [\"RFC9293:3.10.7.4-ack\"], \"what\": \"no <WL1> "
          "guard\", \"status\": \"killed\", \"vectors\": [\"handshake/passive-open\"], "
          "\"unit\": [], \"note\": null},"
          "{\"name\": \"cwnd_unbounded\", \"reqs\": [\"RFC5681:3.1-ss\"], \"what\": \"wraps\", "
          "\"status\": \"unit-only\", \"vectors\": [], \"unit\": [\"test_tcp_cc\"], \"note\": null},"
          "{\"name\": \"quiet\", \"reqs\": [\"RFC9293:MUST-99\"], \"what\": \"nothing seen\", "
          "\"status\": \"survived\", \"vectors\": [], \"unit\": [], \"note\": null}],"
          "\"requirements\": [{\"id\": \"RFC9293:3.10.7.4-ack\", \"level\": \"MUST\", "
          "\"mutants\": [\"wl_guard_off\"], \"defended\": true},"
          "{\"id\": \"RFC9293:MUST-99\", \"level\": \"MUST\", \"mutants\": [\"quiet\"], "
          "\"defended\": false}], \"undefended_musts\": [\"RFC9293:MUST-7\"],"
          "\"totals\": {\"killed\": 1, \"unit-only\": 1, \"survived\": 1}}\n", f);
    fclose(f);
    struct run_results run;
    build_run(&run, "mem");
    struct report_html_options o = {.mutants = path};
    if (report_html_write_opts(&run, 1, &o, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    char *html = read_in(dir, "strength.html");
    no_network_no_script(html, "strength.html");
    assert_non_null(strstr(html, "<td class=\"num\">3</td><td class=\"num\">1</td><td class="
                                 "\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1 / 2"));
    assert_non_null(strstr(html, "no &lt;WL1&gt; guard"));
    assert_non_null(strstr(html, "<a href=\"vectors/handshake/passive-open.html\">"
                                 "handshake/passive-open</a>"));
    assert_non_null(strstr(html, "test_tcp_cc"));
    assert_non_null(strstr(html, "RFC9293:MUST-7"));
    assert_int_equal(count_of(html, "not defended"), 1); /* MUST-99 */
    free(html);
    html = read_in(dir, "index.html");
    assert_non_null(strstr(html, "<a href=\"strength.html\">Suite strength</a>"));
    free(html);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"schema\": \"other\"}\n", f);
    fclose(f);
    assert_int_equal(report_html_write_opts(&run, 1, &o, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "mutate.json: not a make mutate result"));
    run_results_free(&run);
}

static void test_html_vector_page_has_ladder_findings_and_capture(void **state)
{
    const char *dir = *state;
    char *html;

    write_two_runs(dir, DATA "requirements.tsv");
    html = read_in(dir, "vectors/reset/rst-in-window.html");
    no_network_no_script(html, "rst-in-window.html");
    assert_non_null(strstr(html, "<a href=\"../../index.html\">"));
    assert_int_equal(count_of(html, "<svg "), 2); /* mem and linux */
    assert_non_null(strstr(html, "marker id=\"r0-mismatch\""));
    assert_non_null(strstr(html, "marker id=\"r1-mismatch\""));
    /* The mismatch: actual solid red, expected dashed, the field named. */
    assert_non_null(strstr(html, "class=\"a-mismatch\" marker-end=\"url(#r0-mismatch)\""));
    assert_non_null(strstr(html, "class=\"t-expected\" text-anchor=\"middle\">expected: "
                                 "&gt; . 1:1(0) ack 1001</text>"));
    assert_non_null(strstr(html, "\xe2\x9c\x97 field ack differs"));
    assert_non_null(strstr(html, "class=\"a-unexpected\""));
    assert_non_null(strstr(html, "class=\"a-missing\""));
    assert_non_null(strstr(html, "class=\"box-mismatch\""));
    assert_non_null(strstr(html, "retransmission timer expired"));
    /* Oracle findings, requirement links and the capture, relative. */
    assert_non_null(strstr(html, "<h3>Oracle findings</h3>"));
    assert_non_null(strstr(html, "<code>rst-answers-rst</code>"));
    assert_non_null(strstr(html, "<a href=\"../../index.html#req-RFC9293:MUST-66\">"));
    assert_non_null(strstr(html, "<th>capture</th><td><a href=\""));
    assert_non_null(strstr(html, "pcap/reset/rst-in-window.pcap\">"));
    assert_null(strstr(html, "href=\"/"));
    free(html);
    html = read_in(dir, "vectors/handshake/passive-open.html");
    assert_null(strstr(html, "<th>capture</th>")); /* no pcap_path, no link */
    assert_non_null(strstr(html, ">script: &gt; S. 0:0(0) ack 1 &lt;...&gt;</text>"));
    assert_non_null(strstr(html, "&lt;mss 1460,nop,wscale 7&gt;"));
    free(html);
}

static void test_html_escapes_nasty_strings_everywhere(void **state)
{
    const char *dir = *state;
    char *html;

    write_two_runs(dir, NULL);
    html = read_in(dir, "vectors/nasty/a_b__c_d_e.html");
    no_network_no_script(html, "nasty page");
    assert_non_null(strstr(html, "<title>nasty/a&lt;b&gt;&amp;c\"d#e</title>"));
    assert_non_null(strstr(html, "reason &lt;script&gt;x&lt;/script&gt; &amp; \"dq\" 'sq' "
                                 "]]&gt; \xef\xbf\xbd\xef\xbf\xbd[31m\t\xc3\xa9"));
    assert_null(strstr(html, "\x01"));
    assert_null(strstr(html, "\x1b"));
    assert_non_null(strstr(html, "Not run on this target."));
    free(html);
    html = read_in(dir, "index.html");
    assert_non_null(strstr(html, "No requirement registry"));
    assert_null(strstr(html, "<th>level</th>"));
    free(html);
}

static void test_html_pages_stay_inside_the_report_folder(void **state)
{
    struct run_results r = {0};
    const char *dir = *state;
    char err[512], path[600];
    struct stat st;

    r.target = xstrdup("mem");
    add_vector(&r, "../../escape", RESULT_PASS, 1.0);
    add_vector(&r, "/abs//x/./y", RESULT_PASS, 1.0);
    add_vector(&r, "top", RESULT_PASS, 1.0);
    assert_int_equal(report_html_write(&r, 1, DATA "no-such-registry.tsv", dir, err, sizeof err),
                     0);
    join(path, sizeof path, dir, "vectors/_/_/escape.html");
    assert_int_equal(stat(path, &st), 0);
    join(path, sizeof path, dir, "vectors/_/abs/_/x/_/y.html");
    assert_int_equal(stat(path, &st), 0);
    join(path, sizeof path, dir, "vectors/top.html");
    assert_int_equal(stat(path, &st), 0);
    run_results_free(&r);
}

static void test_html_ladder_of_200_rows(void **state)
{
    struct run_results r = {0};
    struct vector_result *v;
    const char *dir = *state;
    char err[512], text[64];
    char *html;

    r.target = xstrdup("mem");
    v = add_vector(&r, "data/bulk", RESULT_FAIL, 12.0);
    for (unsigned i = 0; i < 200; i++) {
        snprintf(text, sizeof text, "%c . %u:%u(1000) ack 1", i % 2 ? '>' : '<', i * 1000 + 1,
                 i * 1000 + 1001);
        vector_result_add_row(v, i % 2 ? LADDER_OUTBOUND : LADDER_INBOUND,
                              i == 150 ? LADDER_MISMATCH : LADDER_OK, i + 3, i * 1000,
                              i * 1000, text, text, i == 150 ? "win" : NULL);
    }
    assert_int_equal(report_html_write(&r, 1, NULL, dir, err, sizeof err), 0);
    html = read_in(dir, "vectors/data/bulk.html");
    /* rows 1 ms apart on a scale of 40 px a row: at least 201 slots of 38
     * (the mismatch takes two), no more than 40 px a row beyond that */
    const char *svg = strstr(html, "<svg width=\"1300\" height=\"");
    assert_non_null(svg);
    int height = atoi(svg + strlen("<svg width=\"1300\" height=\""));
    assert_true(height >= 56 + 16 + 201 * 38);
    assert_true(height <= 56 + 16 + 200 * 41 + 38);
    assert_int_equal(count_of(html, "<g><title>"), 200);
    assert_int_equal(count_of(html, "<tr class=\"r-"), 200);
    free(html);
    run_results_free(&r);
}

/* The tops of the rows of a ladder, in order, from the time labels. */
static size_t row_tops(const char *html, int *y, size_t max)
{
    size_t n = 0;
    for (const char *p = html; n < max && (p = strstr(p, "<text x=\"8\" y=\"")) != NULL; p++) {
        const char *end = strchr(p, '>');
        const char *gut = strstr(p, "class=\"gut\"");
        if (gut && end && gut < end)
            y[n++] = atoi(p + strlen("<text x=\"8\" y=\"")) - 24;
    }
    return n;
}

/* Rows go by time: the same time one slot apart, a long wait far lower
 * than a short one, a time axis; calls show their arguments; packets show
 * the window and the stack's data in flight. */
static void test_html_ladder_is_time_proportional_with_calls_and_flight(void **state)
{
    struct run_results r = {0};
    const char *dir = *state;
    char err[512];
    r.target = xstrdup("mem");
    struct vector_result *v = add_vector(&r, "data/timed", RESULT_PASS, 1.0);
    vector_result_add_row(v, LADDER_SYSCALL, LADDER_OK, 1, 0, 0,
                          "getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0", "getsockopt() = 0", NULL);
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 2, 0, 0, "< S 0:0(0) win 1000",
                          "< S 0:0(0) win 1000", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_OK, 3, 0, 0, "> S. 0:0(0) ack 1 <...>",
                          "> S. 0:0(0) ack 1 win 65535 <mss 1460>", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_OK, 4, 100000, 100000, "> P. 1:1001(1000) ack 1",
                          "> P. 1:1001(1000) ack 1 win 65535", NULL);
    vector_result_add_row(v, LADDER_INBOUND, LADDER_OK, 5, 10000000, 10000000, "< . 1:1(0) ack 501 win 1000",
                          "< . 1:1(0) ack 501 win 1000", NULL);
    vector_result_add_row(v, LADDER_OUTBOUND, LADDER_OK, 6, 10000000, 10000000, "> P. 1001:2001(1000) ack 1",
                          "> P. 1001:2001(1000) ack 1 win 65535", NULL);
    v->ladder[5].tcp = (struct ladder_tcp){.known = true, .state = "ESTABLISHED", .cwnd = 4000,
                                           .ssthresh = 8000, .snd_wnd = 1000, .rcv_wnd = 65535,
                                           .in_flight = 1500, .srtt_us = 100000, .rto_us = 1000000};
    /* the target's figures survive the JSON */
    char json[600];
    snprintf(json, sizeof json, "%s/timed.json", dir);
    assert_int_equal(report_json_write(&r, json, err, sizeof err), 0);
    run_results_free(&r);
    assert_int_equal(report_json_read(json, &r, err, sizeof err), 0);
    v = &r.v[0];
    assert_true(v->ladder[5].tcp.known);
    assert_false(v->ladder[4].tcp.known);
    assert_string_equal(v->ladder[5].tcp.state, "ESTABLISHED");
    assert_int_equal(v->ladder[5].tcp.ssthresh, 8000);
    assert_int_equal(v->ladder[5].tcp.rto_us, 1000000);
    assert_int_equal(report_html_write(&r, 1, NULL, dir, err, sizeof err), 0);
    char *html = read_in(dir, "vectors/data/timed.html");
    int y[8];
    assert_int_equal(row_tops(html, y, 8), 6);
    assert_int_equal(y[1] - y[0], 38); /* the same time: one slot */
    assert_int_equal(y[2] - y[1], 38);
    assert_true(y[3] - y[2] >= 38);
    assert_true(y[4] - y[3] > 5 * (y[3] - y[2])); /* 9.9 s against 0.1 s */
    assert_non_null(strstr(html, "class=\"tick\""));
    assert_non_null(strstr(html, "rows placed by time"));
    /* the call with its arguments and its actual result */
    assert_non_null(strstr(html, "getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0</text>"));
    /* the wire: the SYN-ACK puts 1 in flight, the data 1001, the ACK of 501 leaves 500 */
    assert_non_null(strstr(html, "win 65535 \xc2\xb7 in flight 1</text>"));
    assert_non_null(strstr(html, "win 65535 \xc2\xb7 in flight 1001</text>"));
    assert_non_null(strstr(html, "peer win 1000 \xc2\xb7 in flight 500</text>"));
    /* where the target says: its cwnd and in flight, in the diagram and the table */
    assert_non_null(strstr(html, "win 65535 \xc2\xb7 cwnd 4000 ssthresh 8000 \xc2\xb7 in flight 1500</text>"));
    assert_non_null(strstr(html, "<td>ESTABLISHED, cwnd 4000, ssthresh 8000, snd.wnd 1000, rcv.wnd 65535, "
                                 "in flight 1500, srtt 0.100 s, rto 1.000 s</td>"));
    free(html);
    run_results_free(&r);
}

static void test_html_errors_are_reported(void **state)
{
    struct run_results r;
    const char *dir = *state;
    char path[300], err[512];

    build_run(&r, "mem");
    join(path, sizeof path, dir, "file");
    spit(path, "x");
    assert_int_equal(report_html_write(&r, 1, NULL, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "file: exists and is not a directory"));
    join(path, sizeof path, dir, "bad.tsv");
    spit(path, "name\tidentifier\n");
    assert_int_equal(report_html_write(&r, 1, path, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad.tsv:1: no \"id\" column in the header"));
    run_results_free(&r);
}

/* The report of the committed fixtures, for the browser test (kept when
 * SYNACK_REPORT_OUT names the folder; otherwise written and removed). */
static void test_html_fixture_report(void **state)
{
    struct run_results runs[2];
    const char *out = getenv("SYNACK_REPORT_OUT");
    const char *dir = out != NULL && out[0] != '\0' ? out : *state;
    char err[512];
    char *html;

    for (size_t i = 0; i < 2; i++) {
        char path[256];
        snprintf(path, sizeof path, DATA "results-%s.json", i == 0 ? "mem" : "linux");
        if (report_json_read(path, &runs[i], err, sizeof err) != 0)
            fail_msg("%s", err);
    }
    struct report_html_options o = {.registry = DATA "requirements.tsv",
                                    .previous = DATA "results-mem-previous.json"};
    if (report_html_write_opts(runs, 2, &o, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    html = read_in(dir, "index.html");
    assert_non_null(strstr(html, "1 passed"));
    assert_non_null(strstr(html, "<b class=\"bad\">1 newly failing</b>, <b class=\"good\">1 fixed</b>"));
    free(html);
    run_results_free(&runs[0]);
    run_results_free(&runs[1]);
}

/* matrix.html: the vectors named matrix/<state>/<segment>-<position>, one
 * column per state in the protocol's order, a badge per target in a cell. */
static void test_html_matrix_page_places_vectors_by_state_segment_position(void **state)
{
    const char *dir = *state;
    struct run_results runs[2];
    char err[512], path[600];
    char *html;

    for (int k = 0; k < 2; k++) {
        memset(&runs[k], 0, sizeof runs[k]);
        runs[k].target = xstrdup(k ? "linux" : "mem");
        add_vector(&runs[k], "matrix/established/rst-ack-inside", RESULT_PASS, 0.1);
        add_vector(&runs[k], "matrix/listen/syn-fin", k ? RESULT_FAIL : RESULT_PASS, 0.1);
        add_vector(&runs[k], "matrix/established/syn", RESULT_PASS, 0.1);
        add_vector(&runs[k], "matrix/bogus", RESULT_PASS, 0.1); /* not state/segment */
        add_vector(&runs[k], "handshake/passive-open", RESULT_PASS, 0.1);
    }
    if (report_html_write(runs, 2, NULL, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    html = read_in(dir, "matrix.html");
    no_network_no_script(html, "matrix.html");
    assert_non_null(strstr(html, "<small>3 vectors</small>"));
    assert_non_null(strstr(html, "<th>listen</th><th>established</th>"));
    /* rows: syn before syn-fin before rst-ack; the RST-ACK inside ESTABLISHED */
    assert_true(strstr(html, "<th>syn</th>") < strstr(html, "<th>syn-fin</th>"));
    assert_true(strstr(html, "<th>syn-fin</th>") < strstr(html, "<th>rst-ack</th>"));
    assert_non_null(strstr(html, "<td>inside</td><td></td><td><a href=\"vectors/matrix/"
                                 "established/rst-ack-inside.html\">"));
    assert_int_equal(count_of(html, "\"st st-fail\""), 1);
    assert_int_equal(count_of(html, "class=\"st st-"), 6);
    free(html);
    html = read_in(dir, "index.html");
    assert_non_null(strstr(html, "<a href=\"matrix.html\">"));
    free(html);
    /* Without matrix vectors there is no matrix page. */
    run_results_free(&runs[1]);
    runs[0].count = 1;
    runs[0].v[0].name[0] = 'x';
    snprintf(path, sizeof path, "%s/none", dir);
    if (report_html_write(runs, 1, NULL, path, err, sizeof err) != 0)
        fail_msg("%s", err);
    snprintf(path, sizeof path, "%s/none/matrix.html", dir);
    assert_int_equal(access(path, F_OK), -1);
    runs[0].count = 5;
    run_results_free(&runs[0]);
}

/* index.html puts the failures first, one group per message made general
 * (numbers and the line), the largest first; and, given the previous run,
 * what newly fails, what was fixed, what is new and what is gone. */
static void test_html_failures_grouped_and_since_previous(void **state)
{
    const char *dir = *state;
    struct run_results now = {0}, before = {0};
    char err[512], prev_path[600];
    now.target = xstrdup("mem");
    before.target = xstrdup("mem");
    add_vector(&now, "a/ack-1", RESULT_FAIL, 0.1)->message = xstrdup("line 14: field ack: expected 1001, got 1");
    add_vector(&now, "a/ack-2", RESULT_FAIL, 0.1)->message = xstrdup("line 20: field ack: expected 2001, got 5");
    add_vector(&now, "b/win", RESULT_FAIL, 0.1)->message = xstrdup("line 3: field win: expected 10, got 20");
    add_vector(&now, "b/fixed", RESULT_PASS, 0.1);
    add_vector(&now, "b/new", RESULT_PASS, 0.1);
    add_vector(&before, "a/ack-1", RESULT_PASS, 0.1);
    add_vector(&before, "a/ack-2", RESULT_FAIL, 0.1)->message = xstrdup("line 20: field ack: expected 2001, got 4");
    add_vector(&before, "b/win", RESULT_PASS, 0.1);
    add_vector(&before, "b/fixed", RESULT_ERROR, 0.1)->message = xstrdup("boom");
    add_vector(&before, "b/gone", RESULT_PASS, 0.1);
    snprintf(prev_path, sizeof prev_path, "%s/previous.json", dir);
    if (report_json_write(&before, prev_path, err, sizeof err) != 0)
        fail_msg("%s", err);
    struct report_html_options o = {.previous = prev_path};
    if (report_html_write_opts(&now, 1, &o, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    char *html = read_in(dir, "index.html");
    no_network_no_script(html, "index.html");
    /* failures before the vectors, grouped, the group of two first */
    const char *fails = strstr(html, "<h2 id=\"failures\">");
    assert_non_null(fails);
    assert_true(fails < strstr(html, "<h2 id=\"vectors\">"));
    assert_non_null(strstr(html, "3 failures in 2 groups"));
    const char *g1 = strstr(html, "<span class=\"count\">2</span> <code>field ack: expected N, got N</code>");
    const char *g2 = strstr(html, "<span class=\"count\">1</span> <code>field win: expected N, got N</code>");
    assert_non_null(g1);
    assert_non_null(g2);
    assert_true(g1 < g2);
    /* since the previous run */
    assert_non_null(strstr(html, "<b class=\"bad\">2 newly failing</b>, <b class=\"good\">1 fixed</b>, "
                                 "1 still failing, 1 new, 1 no longer run, 0 passing as before."));
    assert_non_null(strstr(html, "<summary>2 newly failing</summary>"));
    assert_non_null(strstr(html, "<summary>1 fixed</summary>"));
    assert_non_null(strstr(html, ">b/gone<"));
    /* folders as groups: a, with failures, open; the filter's place */
    assert_non_null(strstr(html, "<details class=\"folder\" open><summary><b>a/</b>"));
    assert_non_null(strstr(html, "<div id=\"filter\"></div>"));
    free(html);
    /* a previous run that cannot be read is an error that names it */
    o.previous = "/nonexistent/previous.json";
    assert_int_equal(report_html_write_opts(&now, 1, &o, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/previous.json"));
    run_results_free(&now);
    run_results_free(&before);
}

/* The bench page (make bench): the table with ranges, ratios and goals, the
 * reason a figure is missing, every run, the traces as SVG lines; the index
 * links to it once it exists; a file that is not bench.json is refused. */
static void test_html_bench_page(void **state)
{
    const char *dir = *state;
    char path[300], err[512];

    join(path, sizeof path, dir, "bench.json");
    spit(path,
         "{\"info\": {\"started\": \"2026-01-01 00:00:00\", \"commit\": \"abc1234\", "
         "\"kernel\": \"6.1\", \"cpus\": 2, \"load_start\": \"1.0 1.0 1.0\", "
         "\"load_end\": \"2.0 1.5 1.0\"},\n"
         " \"table\": [{\"label\": \"in memory <MTU 65535>\", \"synack\": \"40.1-44.0\", "
         "\"kernel\": \"19.5\", \"ratio\": 2.15, \"goal\": 2, \"met\": true, \"note\": null},\n"
         "  {\"label\": \"over TUN\", \"synack\": \"-\", \"kernel\": \"19.5\", \"ratio\": null, "
         "\"goal\": 0.5, \"met\": null, \"note\": \"needs root & a namespace\"}],\n"
         " \"figures\": {\"mem-64k\": {\"runs\": [{\"gbps_wall\": 40.1, \"segments\": 9},"
         " {\"gbps_wall\": 44.0, \"segments\": 9}], \"min\": 40.1, \"median\": 42, \"max\": 44},\n"
         "  \"tun-in\": {\"skipped\": \"needs root & a namespace\"},\n"
         "  \"loss-1\": {\"runs\": [{\"goodput_mbps_virtual\": 7.5, \"trace\": {\"rows\": "
         "[[0, 14480, 0, 0, 1000000], [0.01, 28960, 0, 20000, 1000000], "
         "[0.02, 14480, 14480, 20000, 1000000]]}}]}}}\n");
    assert_false(html_has_bench(dir));
    if (report_bench_html_write(path, dir, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_true(html_has_bench(dir));
    char *html = read_in(dir, "bench.html");
    no_network_no_script(html, "bench.html");
    assert_non_null(strstr(html, "<tr><td>in memory &lt;MTU 65535&gt;</td><td class=\"num\">"
                                 "40.1-44.0</td><td class=\"num\">19.5</td><td class=\"num\">"
                                 "2.15</td><td>&#8805; 2&#215; <span class=\"good\">met</span>"));
    assert_non_null(strstr(html, "needs root &amp; a namespace"));
    assert_non_null(strstr(html, "load average 1.0 1.0 1.0 at the start"));
    assert_non_null(strstr(html, "<td class=\"num\">44.000</td><td class=\"num\">9</td>"));
    assert_int_equal(count_of(html, "<svg"), 3); /* cwnd/ssthresh, srtt, rto */
    assert_int_equal(count_of(html, "<polyline"), 4);
    free(html);
    /* the index of a run written beside it links to it */
    write_two_runs(dir, NULL);
    html = read_in(dir, "index.html");
    assert_non_null(strstr(html, "<a href=\"bench.html\">"));
    free(html);
    join(path, sizeof path, dir, "not-bench.json");
    spit(path, "{\"vectors\": []}");
    assert_int_equal(report_bench_html_write(path, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "not the output of make bench"));
    spit(path, "{");
    assert_int_equal(report_bench_html_write(path, dir, err, sizeof err), -1);
    assert_non_null(strstr(err, "not-bench.json:1:"));
}

#define WITH_TMPDIR(test) cmocka_unit_test_setup_teardown(test, make_tmpdir, remove_tmpdir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names_round_trip),
        cmocka_unit_test(test_totals_count_each_status_and_xpass_fails_the_run),
        cmocka_unit_test(test_add_row_copies_strings_and_allows_null),
        cmocka_unit_test(test_describe_adds_line_only_when_missing),
        WITH_TMPDIR(test_json_round_trip_keeps_every_field),
        WITH_TMPDIR(test_json_empty_run_round_trips),
        WITH_TMPDIR(test_json_invalid_utf8_is_replaced_not_refused),
        WITH_TMPDIR(test_json_malformed_files_are_rejected_precisely),
        WITH_TMPDIR(test_json_deep_nesting_is_an_error_not_a_crash),
        cmocka_unit_test(test_json_io_errors_name_the_file),
        cmocka_unit_test(test_json_fixtures_match_the_builder),
        cmocka_unit_test(test_junit_has_one_testcase_per_vector_and_escapes),
        WITH_TMPDIR(test_junit_is_well_formed_for_xmllint),
        cmocka_unit_test(test_tap_lines_are_exact),
        cmocka_unit_test(test_text_lines_are_exact),
        cmocka_unit_test(test_text_summary_plurals_and_verbose_ladder),
        cmocka_unit_test(test_text_colour_only_on_a_terminal_without_no_color),
        WITH_TMPDIR(test_registry_is_tolerant_of_columns_comments_and_crlf),
        cmocka_unit_test(test_registry_fixture_and_level_groups),
        cmocka_unit_test(test_relative_href_and_natural_order),
        WITH_TMPDIR(test_html_failures_grouped_and_since_previous),
        WITH_TMPDIR(test_html_ladder_is_time_proportional_with_calls_and_flight),
        WITH_TMPDIR(test_html_index_has_summary_vectors_and_requirements),
        WITH_TMPDIR(test_html_strength_page_from_mutate_json),
        WITH_TMPDIR(test_html_vector_page_has_ladder_findings_and_capture),
        WITH_TMPDIR(test_html_escapes_nasty_strings_everywhere),
        WITH_TMPDIR(test_html_pages_stay_inside_the_report_folder),
        WITH_TMPDIR(test_html_ladder_of_200_rows),
        WITH_TMPDIR(test_html_errors_are_reported),
        WITH_TMPDIR(test_html_bench_page),
        WITH_TMPDIR(test_html_fixture_report),
        WITH_TMPDIR(test_html_matrix_page_places_vectors_by_state_segment_position),
    };
    const char *out = getenv("SYNACK_REPORT_OUT");

    if (out != NULL && out[0] != '\0')
        cmocka_set_test_filter("test_html_fixture_report");
    return cmocka_run_group_tests(tests, NULL, NULL);
}

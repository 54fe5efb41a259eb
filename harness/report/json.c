/* report/json.c: write a run as the results JSON, and read one back with
 * every field checked. jansson does the JSON; this file owns the schema
 * (harness/README.md, "Results JSON") and the error messages.
 */
#include "report/json.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/util.h"

/* ---- writing -------------------------------------------------------------- */

static json_t *j_str(const char *s)
{
    json_t *j;
    char *clean;

    if (s == NULL)
        return json_null();
    j = json_string(s);
    if (j != NULL)
        return j;
    clean = rpt_utf8_clean(s); /* json_string refuses invalid UTF-8 */
    j = clean == NULL ? NULL : json_string(clean);
    free(clean);
    return j;
}

static json_t *j_time(int64_t us)
{
    return us < 0 ? json_null() : json_integer((json_int_t)us);
}

/* Milliseconds, rounded to the microsecond so 0.4 is written "0.4". */
static json_t *j_ms(double ms)
{
    if (!isfinite(ms))
        ms = 0.0;
    return json_real(round(ms * 1000.0) / 1000.0);
}

/* json_object_set_new fails (and frees nothing it was not given) on NULL. */
static int put(json_t *o, const char *key, json_t *v)
{
    return json_object_set_new(o, key, v) == 0 ? 0 : 1;
}

static json_t *done(json_t *o, int rc)
{
    if (rc != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The target's view of the connection after a row, or null. */
static json_t *tcp_json(const struct ladder_tcp *t)
{
    if (!t->known)
        return json_null();
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int rc = put(o, "state", json_string(t->state));
    rc |= put(o, "cwnd", json_integer(t->cwnd));
    rc |= put(o, "ssthresh", json_integer(t->ssthresh));
    rc |= put(o, "snd_wnd", json_integer(t->snd_wnd));
    rc |= put(o, "rcv_wnd", json_integer(t->rcv_wnd));
    rc |= put(o, "in_flight", json_integer(t->in_flight));
    rc |= put(o, "srtt_us", j_time(t->srtt_us));
    rc |= put(o, "rto_us", j_time(t->rto_us));
    return done(o, rc);
}

static json_t *row_json(const struct ladder_row *row)
{
    json_t *o = json_object();
    int rc;

    if (o == NULL)
        return NULL;
    rc = put(o, "kind", json_string(ladder_kind_name(row->kind)));
    rc |= put(o, "status", json_string(ladder_status_name(row->status)));
    rc |= put(o, "line", json_integer(row->line));
    rc |= put(o, "t_expected_us", j_time(row->t_expected));
    rc |= put(o, "t_actual_us", j_time(row->t_actual));
    rc |= put(o, "expected", j_str(row->expected));
    rc |= put(o, "actual", j_str(row->actual));
    rc |= put(o, "field", j_str(row->field));
    rc |= put(o, "tcp", tcp_json(&row->tcp));
    return done(o, rc);
}

static json_t *finding_json(const struct result_finding *f)
{
    json_t *o = json_object();
    int rc;

    if (o == NULL)
        return NULL;
    rc = put(o, "rule", j_str(f->rule));
    rc |= put(o, "req", j_str(f->req));
    rc |= put(o, "packet", json_integer(f->packet));
    rc |= put(o, "message", j_str(f->message));
    rc |= put(o, "expected", json_boolean(f->expected));
    return done(o, rc);
}

/* The array for v's "reqs", "ladder" or "findings" (told apart by what[0]). */
static json_t *list_json(const struct vector_result *v, const char *what)
{
    json_t *a = json_array();
    size_t n = strcmp(what, "reqs") == 0 ? v->req_count
             : strcmp(what, "ladder") == 0 ? v->ladder_count : v->finding_count;
    int rc = 0;

    for (size_t i = 0; a != NULL && i < n && rc == 0; i++) {
        json_t *e = what[0] == 'r' ? j_str(v->reqs[i])
                  : what[0] == 'l' ? row_json(&v->ladder[i]) : finding_json(&v->findings[i]);
        rc = json_array_append_new(a, e) == 0 ? 0 : 1;
    }
    return a == NULL ? NULL : done(a, rc);
}

static json_t *vector_json(const struct vector_result *v)
{
    json_t *o = json_object();
    int rc;

    if (o == NULL)
        return NULL;
    rc = put(o, "path", j_str(v->path));
    rc |= put(o, "name", j_str(v->name));
    rc |= put(o, "status", json_string(result_status_name(v->status)));
    rc |= put(o, "message", j_str(v->message));
    rc |= put(o, "fail_line", json_integer(v->fail_line));
    rc |= put(o, "strict_fail", json_boolean(v->strict_fail));
    rc |= put(o, "fail_field", j_str(v->fail_field));
    rc |= put(o, "expected", j_str(v->expected));
    rc |= put(o, "actual", j_str(v->actual));
    rc |= put(o, "t_expected_us", j_time(v->t_expected));
    rc |= put(o, "t_actual_us", j_time(v->t_actual));
    rc |= put(o, "wall_ms", j_ms(v->wall_ms));
    rc |= put(o, "script_us", j_time(v->script_us));
    rc |= put(o, "reqs", list_json(v, "reqs"));
    rc |= put(o, "ladder", list_json(v, "ladder"));
    rc |= put(o, "findings", list_json(v, "findings"));
    rc |= put(o, "pcap_path", j_str(v->pcap_path));
    rc |= put(o, "xfail_reason", j_str(v->xfail_reason));
    return done(o, rc);
}

static json_t *totals_json(const struct run_results *r)
{
    struct run_totals t;
    json_t *o = json_object();
    int rc;

    if (o == NULL)
        return NULL;
    run_results_totals(r, &t);
    rc = put(o, "total", json_integer((json_int_t)t.total));
    rc |= put(o, "pass", json_integer((json_int_t)t.pass));
    rc |= put(o, "fail", json_integer((json_int_t)t.fail));
    rc |= put(o, "error", json_integer((json_int_t)t.error));
    rc |= put(o, "skip", json_integer((json_int_t)t.skip));
    rc |= put(o, "xfail", json_integer((json_int_t)t.xfail));
    rc |= put(o, "xpass", json_integer((json_int_t)t.xpass));
    rc |= put(o, "failed", json_boolean(run_results_failed(r)));
    return done(o, rc);
}

static json_t *run_json(const struct run_results *r)
{
    json_t *o = json_object();
    json_t *vs = json_array();
    int rc = o == NULL || vs == NULL;

    for (size_t i = 0; rc == 0 && i < r->count; i++)
        rc = json_array_append_new(vs, vector_json(&r->v[i])) == 0 ? 0 : 1;
    if (rc != 0) {
        json_decref(vs);
        json_decref(o);
        return NULL;
    }
    rc = put(o, "schema", json_string(REPORT_JSON_SCHEMA));
    rc |= put(o, "target", j_str(r->target));
    rc |= put(o, "started", j_str(r->started));
    rc |= put(o, "wall_ms", j_ms(r->wall_ms));
    rc |= put(o, "totals", totals_json(r));
    rc |= put(o, "vectors", vs);
    return done(o, rc);
}

int report_json_write(const struct run_results *r, const char *path, char *err,
                      size_t errlen)
{
    json_t *root = run_json(r);
    FILE *f;
    int rc;

    if (root == NULL)
        return rpt_fail(err, errlen, "%s: out of memory building the JSON", path);
    f = rpt_create(path, err, errlen);
    if (f == NULL) {
        json_decref(root);
        return -1;
    }
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    fputc('\n', f);
    if (rpt_finish(f, path, err, errlen) != 0)
        return -1;
    if (rc != 0)
        return rpt_fail(err, errlen, "%s: write failed", path);
    return 0;
}

/* ---- reading -------------------------------------------------------------- */

/* Where the reader is, for messages: "vectors[3].ladder[2]". */
struct jr {
    const char *file;
    char *err;
    size_t errlen;
    char where[256];
};

enum { OPTIONAL = 0, REQUIRED = 1 };

static const char *jtype(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    default: return "null";
    }
}

/* A number's value ("-1", "1.5"), or what else j is ("a string"). */
static const char *jwhat(const json_t *j, char *buf, size_t len)
{
    if (json_is_integer(j))
        snprintf(buf, len, "%lld", (long long)json_integer_value(j));
    else if (json_is_real(j))
        snprintf(buf, len, "%.17g", json_real_value(j));
    else
        return jtype(j);
    return buf;
}

/* Report an error at where[.key]: "file: where.key: message". */
static int bad(struct jr *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int bad(struct jr *c, const char *key, const char *fmt, ...)
{
    char msg[512];
    const char *dot = c->where[0] != '\0' && key != NULL ? "." : "";
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->where[0] == '\0' && key == NULL)
        return rpt_fail(c->err, c->errlen, "%s: %s", c->file, msg);
    return rpt_fail(c->err, c->errlen, "%s: %s%s%s: %s", c->file, c->where, dot,
                    key != NULL ? key : "", msg);
}

/* Descend into key[i]; returns the old length of where for pop(). */
static size_t push(struct jr *c, const char *key, size_t i)
{
    size_t n = strlen(c->where);

    snprintf(c->where + n, sizeof c->where - n, "%s%s[%zu]", n > 0 ? "." : "", key, i);
    return n;
}

static void pop(struct jr *c, size_t mark)
{
    c->where[mark] = '\0';
}

/* The member key of o, or NULL (an error when required). */
static int member(struct jr *c, json_t *o, const char *key, int required, json_t **out)
{
    *out = json_object_get(o, key);
    if (*out == NULL && required)
        return bad(c, NULL, "missing field \"%s\"", key);
    return 0;
}

/* A string member; null (or absent, when optional) gives NULL. */
static int get_str(struct jr *c, json_t *o, const char *key, int required, char **out)
{
    json_t *j;

    if (member(c, o, key, required, &j) != 0)
        return -1;
    if (j == NULL || (json_is_null(j) && !required))
        return 0;
    if (!json_is_string(j))
        return bad(c, key, "expected a string%s, got %s", required ? "" : " or null", jtype(j));
    *out = strdup(json_string_value(j));
    return *out == NULL ? bad(c, key, "out of memory") : 0;
}

/* Microseconds: a non-negative integer, or null/absent for none (-1). */
static int get_us(struct jr *c, json_t *o, const char *key, int64_t *out)
{
    json_t *j = json_object_get(o, key);
    char buf[32];

    *out = -1;
    if (j == NULL || json_is_null(j))
        return 0;
    if (!json_is_integer(j) || json_integer_value(j) < 0)
        return bad(c, key, "expected a non-negative integer (microseconds) or null, got %s",
                   jwhat(j, buf, sizeof buf));
    *out = (int64_t)json_integer_value(j);
    return 0;
}

static int get_uint(struct jr *c, json_t *o, const char *key, unsigned *out)
{
    json_t *j = json_object_get(o, key);
    char buf[32];

    *out = 0;
    if (j == NULL || json_is_null(j))
        return 0;
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > UINT_MAX)
        return bad(c, key, "expected an integer from 0 to %u, got %s", UINT_MAX,
                   jwhat(j, buf, sizeof buf));
    *out = (unsigned)json_integer_value(j);
    return 0;
}

static int get_ms(struct jr *c, json_t *o, const char *key, double *out)
{
    json_t *j = json_object_get(o, key);
    char buf[32];

    *out = 0.0;
    if (j == NULL || json_is_null(j))
        return 0;
    if (!json_is_number(j) || !(json_number_value(j) >= 0.0))
        return bad(c, key, "expected a non-negative number (milliseconds), got %s",
                   jwhat(j, buf, sizeof buf));
    *out = json_number_value(j);
    return 0;
}

static int get_bool(struct jr *c, json_t *o, const char *key, bool *out)
{
    json_t *j = json_object_get(o, key);

    *out = false;
    if (j == NULL || json_is_null(j))
        return 0;
    if (!json_is_boolean(j))
        return bad(c, key, "expected true or false, got %s", jtype(j));
    *out = json_is_true(j);
    return 0;
}

/* A required string member naming one of choices; *word points into o. */
static int get_word(struct jr *c, json_t *o, const char *key, const char *choices,
                    const char **word)
{
    json_t *j;

    if (member(c, o, key, REQUIRED, &j) != 0)
        return -1;
    if (!json_is_string(j))
        return bad(c, key, "expected one of %s, got %s", choices, jtype(j));
    *word = json_string_value(j);
    return 0;
}

static int bad_word(struct jr *c, const char *key, const char *choices, const char *word)
{
    return bad(c, key, "expected one of %s, got \"%.60s%s\"", choices, word,
               strlen(word) > 60 ? "..." : "");
}

#define STATUS_CHOICES "pass, fail, error, skip, xfail, xpass"
#define KIND_CHOICES "inbound, outbound, syscall, note"
#define ROW_STATUS_CHOICES "ok, mismatch, unexpected, missing"

/* An array member: NULL with count 0 when absent or null and optional. */
static int get_array(struct jr *c, json_t *o, const char *key, int required, json_t **out)
{
    if (member(c, o, key, required, out) != 0)
        return -1;
    if (*out == NULL || (json_is_null(*out) && !required)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_array(*out))
        return bad(c, key, "expected an array, got %s", jtype(*out));
    return 0;
}

static int expect_object(struct jr *c, json_t *j)
{
    return json_is_object(j) ? 0 : bad(c, NULL, "expected an object, got %s", jtype(j));
}

static int read_tcp(struct jr *c, json_t *row, struct ladder_tcp *t)
{
    json_t *j = json_object_get(row, "tcp");
    char *state = NULL;
    t->srtt_us = t->rto_us = -1;
    if (j == NULL || json_is_null(j))
        return 0;
    if (!json_is_object(j))
        return bad(c, "tcp", "expected an object or null, got %s", jtype(j));
    if (get_str(c, j, "state", OPTIONAL, &state) || get_uint(c, j, "cwnd", &t->cwnd) ||
        get_uint(c, j, "ssthresh", &t->ssthresh) || get_uint(c, j, "snd_wnd", &t->snd_wnd) ||
        get_uint(c, j, "rcv_wnd", &t->rcv_wnd) || get_uint(c, j, "in_flight", &t->in_flight) ||
        get_us(c, j, "srtt_us", &t->srtt_us) || get_us(c, j, "rto_us", &t->rto_us)) {
        free(state);
        return -1;
    }
    snprintf(t->state, sizeof t->state, "%s", state ? state : "");
    free(state);
    t->known = true;
    return 0;
}

static int read_row(struct jr *c, json_t *j, struct ladder_row *row)
{
    const char *kind, *status;

    row->t_expected = row->t_actual = -1;
    if (expect_object(c, j) != 0 || get_word(c, j, "kind", KIND_CHOICES, &kind) != 0)
        return -1;
    if (ladder_kind_from_name(kind, &row->kind) != 0)
        return bad_word(c, "kind", KIND_CHOICES, kind);
    if (get_word(c, j, "status", ROW_STATUS_CHOICES, &status) != 0)
        return -1;
    if (ladder_status_from_name(status, &row->status) != 0)
        return bad_word(c, "status", ROW_STATUS_CHOICES, status);
    return get_uint(c, j, "line", &row->line) || get_us(c, j, "t_expected_us", &row->t_expected) ||
                   get_us(c, j, "t_actual_us", &row->t_actual) ||
                   get_str(c, j, "expected", OPTIONAL, &row->expected) ||
                   get_str(c, j, "actual", OPTIONAL, &row->actual) ||
                   get_str(c, j, "field", OPTIONAL, &row->field) || read_tcp(c, j, &row->tcp)
               ? -1
               : 0;
}

static int read_finding(struct jr *c, json_t *j, struct result_finding *f)
{
    return expect_object(c, j) || get_str(c, j, "rule", REQUIRED, &f->rule) ||
                   get_str(c, j, "req", OPTIONAL, &f->req) ||
                   get_uint(c, j, "packet", &f->packet) ||
                   get_str(c, j, "message", OPTIONAL, &f->message) ||
                   get_bool(c, j, "expected", &f->expected)
               ? -1
               : 0;
}

static int read_req(struct jr *c, json_t *j, char **req)
{
    if (!json_is_string(j))
        return bad(c, NULL, "expected a string, got %s", jtype(j));
    *req = strdup(json_string_value(j));
    return *req == NULL ? bad(c, NULL, "out of memory") : 0;
}

/* Read the array member key ("reqs", "ladder" or "findings") of o into v:
 * allocate the array, then read each element with the reader above. */
static int read_list(struct jr *c, json_t *o, const char *key, struct vector_result *v)
{
    json_t *a, *e;
    size_t i, n, mark;
    int rc = 0;

    if (get_array(c, o, key, OPTIONAL, &a) != 0)
        return -1;
    n = a == NULL ? 0 : json_array_size(a);
    if (n == 0)
        return 0;
    if (key[0] == 'r')
        rc = (v->reqs = calloc(n, sizeof *v->reqs)) == NULL;
    else if (key[0] == 'l')
        rc = (v->ladder = calloc(n, sizeof *v->ladder)) == NULL;
    else
        rc = (v->findings = calloc(n, sizeof *v->findings)) == NULL;
    if (rc != 0)
        return bad(c, key, "out of memory");
    json_array_foreach(a, i, e) {
        mark = push(c, key, i);
        if (key[0] == 'r')
            rc = read_req(c, e, &v->reqs[v->req_count++]);
        else if (key[0] == 'l')
            rc = read_row(c, e, &v->ladder[v->ladder_count++]);
        else
            rc = read_finding(c, e, &v->findings[v->finding_count++]);
        if (rc != 0)
            return -1;
        pop(c, mark);
    }
    return 0;
}

static int read_vector(struct jr *c, json_t *j, struct vector_result *v)
{
    const char *status;

    if (expect_object(c, j) != 0 || get_str(c, j, "path", REQUIRED, &v->path) != 0 ||
        get_str(c, j, "name", REQUIRED, &v->name) != 0 ||
        get_word(c, j, "status", STATUS_CHOICES, &status) != 0)
        return -1;
    if (result_status_from_name(status, &v->status) != 0)
        return bad_word(c, "status", STATUS_CHOICES, status);
    return get_str(c, j, "message", OPTIONAL, &v->message) ||
                   get_uint(c, j, "fail_line", &v->fail_line) ||
                   get_bool(c, j, "strict_fail", &v->strict_fail) ||
                   get_str(c, j, "fail_field", OPTIONAL, &v->fail_field) ||
                   get_str(c, j, "expected", OPTIONAL, &v->expected) ||
                   get_str(c, j, "actual", OPTIONAL, &v->actual) ||
                   get_us(c, j, "t_expected_us", &v->t_expected) ||
                   get_us(c, j, "t_actual_us", &v->t_actual) ||
                   get_ms(c, j, "wall_ms", &v->wall_ms) ||
                   get_us(c, j, "script_us", &v->script_us) || read_list(c, j, "reqs", v) ||
                   read_list(c, j, "ladder", v) || read_list(c, j, "findings", v) ||
                   get_str(c, j, "pcap_path", OPTIONAL, &v->pcap_path) ||
                   get_str(c, j, "xfail_reason", OPTIONAL, &v->xfail_reason)
               ? -1
               : 0;
}

static int read_vectors(struct jr *c, json_t *root, struct run_results *r)
{
    json_t *a, *e;
    size_t i, mark;

    if (get_array(c, root, "vectors", REQUIRED, &a) != 0)
        return -1;
    if (json_array_size(a) == 0)
        return 0;
    r->v = calloc(json_array_size(a), sizeof *r->v);
    if (r->v == NULL)
        return bad(c, "vectors", "out of memory");
    json_array_foreach(a, i, e) {
        vector_result_init(&r->v[i]);
        r->count++;
        mark = push(c, "vectors", i);
        if (read_vector(c, e, &r->v[i]) != 0)
            return -1;
        pop(c, mark);
    }
    return 0;
}

/* "totals" is optional; when present it must agree with the vectors. */
static int check_totals(struct jr *c, json_t *root, const struct run_results *r)
{
    static const char *const keys[] = {"total", "pass", "fail", "error", "skip", "xfail", "xpass"};
    struct run_totals t;
    const size_t *have[] = {&t.total, &t.pass, &t.fail, &t.error, &t.skip, &t.xfail, &t.xpass};
    json_t *o = json_object_get(root, "totals"), *j;

    if (o == NULL || json_is_null(o))
        return 0;
    if (!json_is_object(o))
        return bad(c, "totals", "expected an object, got %s", jtype(o));
    run_results_totals(r, &t);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        j = json_object_get(o, keys[i]);
        if (j == NULL)
            continue;
        if (!json_is_integer(j))
            return bad(c, "totals", "%s: expected an integer, got %s", keys[i], jtype(j));
        if (json_integer_value(j) != (json_int_t)*have[i])
            return bad(c, "totals", "%s: says %lld, but the vectors have %zu", keys[i],
                       (long long)json_integer_value(j), *have[i]);
    }
    return 0;
}

static int check_schema(struct jr *c, json_t *root)
{
    json_t *j = json_object_get(root, "schema");

    if (j == NULL)
        return bad(c, NULL, "missing field \"schema\" (not a synack results file?)");
    if (!json_is_string(j))
        return bad(c, "schema", "expected \"%s\", got %s", REPORT_JSON_SCHEMA, jtype(j));
    if (strcmp(json_string_value(j), REPORT_JSON_SCHEMA) != 0)
        return bad(c, "schema", "expected \"%s\", got \"%.60s\"", REPORT_JSON_SCHEMA,
                   json_string_value(j));
    return 0;
}

static int read_run(struct jr *c, json_t *root, struct run_results *r)
{
    if (!json_is_object(root))
        return bad(c, NULL, "expected a JSON object at the top level, got %s", jtype(root));
    return check_schema(c, root) || get_str(c, root, "target", REQUIRED, &r->target) ||
                   get_str(c, root, "started", OPTIONAL, &r->started) ||
                   get_ms(c, root, "wall_ms", &r->wall_ms) || read_vectors(c, root, r) ||
                   check_totals(c, root, r)
               ? -1
               : 0;
}

static json_t *load(const char *path, char *err, size_t errlen)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    json_error_t e;
    json_t *root;

    if (f == NULL) {
        rpt_fail(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    root = json_loadf(f, JSON_REJECT_DUPLICATES, &e);
    if (f != stdin)
        fclose(f);
    if (root == NULL && e.line > 0)
        rpt_fail(err, errlen, "%s:%d:%d: invalid JSON: %s", path, e.line, e.column, e.text);
    else if (root == NULL)
        rpt_fail(err, errlen, "%s: invalid JSON: %s", path, e.text);
    return root;
}

int report_json_read(const char *path, struct run_results *out, char *err, size_t errlen)
{
    struct jr c = {path, err, errlen, ""};
    json_t *root;
    int rc;

    memset(out, 0, sizeof *out);
    root = load(path, err, errlen);
    if (root == NULL)
        return -1;
    rc = read_run(&c, root, out);
    json_decref(root);
    if (rc != 0)
        run_results_free(out);
    return rc;
}

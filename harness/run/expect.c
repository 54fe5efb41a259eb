/* Expected failures per target (expect.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/expect.h"

enum expect_outcome { EXPECT_FAIL, EXPECT_SKIP, EXPECT_PASS, EXPECT_UNNEGOTIATED };

struct expect_row {
    char *name, *reason;
    char *family;                /* "ipv6" of "name@ipv6", or NULL: every family */
    enum expect_outcome outcome; /* skip: the target cannot judge the vector */
};

struct expectations {
    struct expect_row *rows;
    size_t n;
};

static char *trim(char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int add_row(struct expectations *e, const char *path, unsigned lineno, char *line,
                   char *err, size_t errlen)
{
    char *name = strtok(line, "\t");
    char *outcome = strtok(NULL, "\t");
    char *reason = strtok(NULL, "\n");
    if (!name || !outcome || !reason) {
        snprintf(err, errlen, "%s:%u: expected three tab-separated columns: vector, outcome, "
                 "reason", path, lineno);
        return -1;
    }
    outcome = trim(outcome);
    char *at = strchr(name, '@');
    enum expect_outcome oc = strcmp(outcome, "skip") == 0 ? EXPECT_SKIP
                             : strcmp(outcome, "pass") == 0 ? EXPECT_PASS
                             : strcmp(outcome, "unnegotiated") == 0 ? EXPECT_UNNEGOTIATED
                                                                   : EXPECT_FAIL;
    if (strcmp(outcome, "fail") != 0 && oc == EXPECT_FAIL) {
        snprintf(err, errlen, "%s:%u: outcome must be 'fail', 'skip', 'unnegotiated' or 'pass', "
                 "got '%s'", path, lineno, outcome);
        return -1;
    }
    if (oc == EXPECT_PASS && !at) {
        snprintf(err, errlen, "%s:%u: outcome 'pass' is for a row of one family (name@ipv6)",
                 path, lineno);
        return -1;
    }
    if (at)
        *at++ = '\0';
    struct expect_row *rows = realloc(e->rows, (e->n + 1) * sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->rows = rows;
    e->rows[e->n].name = strdup(trim(name));
    e->rows[e->n].reason = strdup(trim(reason));
    e->rows[e->n].family = at ? strdup(trim(at)) : NULL;
    e->rows[e->n].outcome = oc;
    e->n++;
    return 0;
}

struct expectations *expectations_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct expectations *e = calloc(1, sizeof *e);
    char line[2048];
    unsigned lineno = 0;
    while (e && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        if (add_row(e, path, lineno, s, err, errlen) < 0) {
            expectations_free(e);
            e = NULL;
        }
    }
    fclose(f);
    return e;
}

void expectations_free(struct expectations *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->rows[i].name);
        free(e->rows[i].reason);
        free(e->rows[i].family);
    }
    free(e->rows);
    free(e);
}

/* The row of a name for the family, else the one of every family. */
static const struct expect_row *row_for(const struct expectations *e, const char *name,
                                        const char *family)
{
    const struct expect_row *any = NULL;
    for (size_t i = 0; i < e->n; i++) {
        const struct expect_row *r = &e->rows[i];
        if (strcmp(r->name, name) != 0)
            continue;
        if (!r->family)
            any = any ? any : r;
        else if (family && strcmp(r->family, family) == 0)
            return r;
    }
    return any;
}

/* The flags of an outbound line ("> [ect0] S. 0:0(0) ..."): past "> " and
 * an IP ECN field in brackets; NULL if the line is not outbound. */
static const char *outbound_flags(const char *line, size_t *len)
{
    if (strncmp(line, "> ", 2) != 0)
        return NULL;
    line += 2;
    if (*line == '[' && strchr(line, ']'))
        line = strchr(line, ']') + 1;
    line += strspn(line, " ");
    *len = strcspn(line, " ");
    return line;
}

/* The optional extension the stack left out of its SYN or SYN-ACK where the
 * vector expected it offered (its first difference), or NULL: the failure
 * is elsewhere. */
static const char *unnegotiated_extension(const struct vector_result *v)
{
    size_t fe = 0, fa = 0;
    const char *e = v->expected ? outbound_flags(v->expected, &fe) : NULL;
    const char *a = v->actual ? outbound_flags(v->actual, &fa) : NULL;
    if (v->status != RESULT_FAIL || !e || !a || *e != 'S' || *a != 'S')
        return NULL;
    if (strstr(v->expected, "TS val") && !strstr(v->actual, "TS val"))
        return "timestamps (RFC 7323)";
    if (strstr(v->expected, "sackOK") && !strstr(v->actual, "sackOK"))
        return "SACK (RFC 2018)";
    if (memchr(e, 'E', fe) && !memchr(a, 'E', fa))
        return "ECN (RFC 3168)";
    return NULL;
}

/* "unnegotiated": the vector tests an optional extension the target does
 * not negotiate. It must fail at the stack's SYN or SYN-ACK, on that
 * extension's absence: then it is skipped, named; a pass is stale (XPASS),
 * any other failure stays a failure. */
static void apply_unnegotiated(const struct expect_row *row, struct vector_result *v)
{
    if (v->status == RESULT_PASS) {
        v->status = RESULT_XPASS;
        v->xfail_reason = strdup(row->reason);
        return;
    }
    const char *ext = unnegotiated_extension(v);
    if (!ext)
        return;
    size_t n = strlen(row->reason) + strlen(ext) + 96;
    char *msg = malloc(n);
    if (msg)
        snprintf(msg, n, "not negotiated by the target: %s, absent from its %s: %s", ext,
                 strstr(v->actual, " ack ") ? "SYN-ACK" : "SYN", row->reason);
    free(v->message);
    v->message = msg;
    v->status = RESULT_SKIP;
}

void expectations_apply(const struct expectations *e, struct vector_result *v,
                        const char *family)
{
    if (!e || !v->name)
        return;
    const struct expect_row *row = row_for(e, v->name, family);
    if (!row || row->outcome == EXPECT_PASS)
        return;
    if (row->outcome == EXPECT_UNNEGOTIATED) {
        apply_unnegotiated(row, v);
        return;
    }
    if (row->outcome == EXPECT_SKIP) {
        /* whatever happened does not count, either way */
        const char *was = v->status == RESULT_PASS ? "passed" : "failed";
        size_t n = strlen(row->reason) + 64;
        char *msg = malloc(n);
        if (msg)
            snprintf(msg, n, "not judged on this target (it %s): %s", was, row->reason);
        free(v->message);
        v->message = msg;
        v->status = RESULT_SKIP;
        return;
    }
    if (v->status == RESULT_FAIL || v->status == RESULT_ERROR)
        v->status = RESULT_XFAIL;
    else if (v->status == RESULT_PASS)
        v->status = RESULT_XPASS;
    v->xfail_reason = strdup(row->reason);
}

const char *expectations_default_path(const char *target, char *buf, size_t len)
{
    int n = snprintf(buf, len, "vectors/expect/%s.tsv", target);
    if (n < 0 || (size_t)n >= len || strchr(target, '/') != NULL)
        return NULL;
    return access(buf, R_OK) == 0 ? buf : NULL;
}

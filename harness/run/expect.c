/* Expected failures per target (expect.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/expect.h"

struct expect_row {
    char *name, *reason;
    bool skip; /* outcome "skip": the target cannot judge the vector */
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
    bool skip = strcmp(trim(outcome), "skip") == 0;
    if (strcmp(trim(outcome), "fail") != 0 && !skip) {
        snprintf(err, errlen, "%s:%u: outcome must be 'fail' or 'skip', got '%s'", path,
                 lineno, trim(outcome));
        return -1;
    }
    struct expect_row *rows = realloc(e->rows, (e->n + 1) * sizeof *rows);
    if (!rows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->rows = rows;
    e->rows[e->n].name = strdup(trim(name));
    e->rows[e->n].reason = strdup(trim(reason));
    e->rows[e->n].skip = skip;
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
    }
    free(e->rows);
    free(e);
}

void expectations_apply(const struct expectations *e, struct vector_result *v)
{
    if (!e || !v->name)
        return;
    for (size_t i = 0; i < e->n; i++) {
        if (strcmp(e->rows[i].name, v->name) != 0)
            continue;
        if (e->rows[i].skip) {
            /* whatever happened does not count, either way */
            const char *was = v->status == RESULT_PASS ? "passed" : "failed";
            size_t n = strlen(e->rows[i].reason) + 64;
            char *msg = malloc(n);
            if (msg)
                snprintf(msg, n, "not judged on this target (it %s): %s", was,
                         e->rows[i].reason);
            free(v->message);
            v->message = msg;
            v->status = RESULT_SKIP;
            return;
        }
        if (v->status == RESULT_FAIL || v->status == RESULT_ERROR)
            v->status = RESULT_XFAIL;
        else if (v->status == RESULT_PASS)
            v->status = RESULT_XPASS;
        v->xfail_reason = strdup(e->rows[i].reason);
        return;
    }
}

const char *expectations_default_path(const char *target, char *buf, size_t len)
{
    int n = snprintf(buf, len, "vectors/expect/%s.tsv", target);
    if (n < 0 || (size_t)n >= len || strchr(target, '/') != NULL)
        return NULL;
    return access(buf, R_OK) == 0 ? buf : NULL;
}

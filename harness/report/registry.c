/* report/registry.c: reading vectors/requirements.tsv. Tolerant by design:
 * unknown columns, missing optional columns and short lines are accepted
 * ("feature" stands in for a missing "summary", "testable" for "testability");
 * only a header without an id column is an error.
 */
#include "report/registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "report/util.h"

enum { COL_ID, COL_LEVEL, COL_SECTION, COL_SUMMARY, COL_TESTABILITY, COL_COUNT };
/* Header names of each column, preferred first ("|" separates aliases). */
static const char *const col_names[COL_COUNT] = {"id", "level", "section", "summary|feature",
                                                 "testability|testable"};

/* Does name match one of the '|'-separated aliases? 0 = best match. */
static int alias_rank(const char *aliases, const char *name)
{
    size_t n = strlen(name);
    int rank = 0;

    for (const char *p = aliases; *p != '\0'; rank++) {
        size_t len = strcspn(p, "|");
        if (len == n && strncasecmp(p, name, n) == 0)
            return rank;
        p += len + (p[len] == '|');
    }
    return -1;
}

/* Split line (modified) at tabs into at most max fields; returns the count. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;

    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = p;
        p = strchr(p, '\t');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

static char *trim(char *s)
{
    char *end = s + strlen(s);

    while (isspace((unsigned char)*s))
        s++;
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static bool skip_line(const char *line)
{
    while (*line == ' ' || *line == '\t')
        line++;
    return *line == '\0' || *line == '\n' || *line == '\r' || *line == '#';
}

/* Map the header's columns: col[k] is the field index of column k, or -1. */
static int read_header(char *line, int col[COL_COUNT])
{
    char *fields[256];
    size_t n = split_tabs(line, fields, 256);
    int best[COL_COUNT];

    for (int k = 0; k < COL_COUNT; k++)
        col[k] = best[k] = -1;
    for (size_t i = 0; i < n; i++) {
        char *name = trim(fields[i]);
        for (int k = 0; k < COL_COUNT; k++) {
            int rank = alias_rank(col_names[k], name);
            if (rank >= 0 && (best[k] < 0 || rank < best[k])) {
                best[k] = rank;
                col[k] = (int)i;
            }
        }
    }
    return col[COL_ID] < 0 ? -1 : 0;
}

static bool is_testable(const char *t)
{
    return strncasecmp(t, "no", 2) != 0 && strncasecmp(t, "untestable", 10) != 0;
}

static int add_entry(struct req_registry *reg, char **fields, size_t n, const int col[COL_COUNT])
{
    char *v[COL_COUNT];
    struct req_entry *e;

    for (int k = 0; k < COL_COUNT; k++)
        v[k] = col[k] >= 0 && (size_t)col[k] < n ? trim(fields[col[k]]) : "";
    if (v[COL_ID][0] == '\0' || req_registry_find(reg, v[COL_ID]) != NULL)
        return 0;
    e = realloc(reg->e, (reg->count + 1) * sizeof *e);
    if (e == NULL)
        return -1;
    reg->e = e;
    e = &reg->e[reg->count];
    e->id = strdup(v[COL_ID]);
    e->level = strdup(v[COL_LEVEL]);
    e->section = strdup(v[COL_SECTION]);
    e->summary = strdup(v[COL_SUMMARY]);
    e->testability = strdup(v[COL_TESTABILITY]);
    e->testable = is_testable(v[COL_TESTABILITY]);
    reg->count++;
    if (!e->id || !e->level || !e->section || !e->summary || !e->testability)
        return -1;
    return 0;
}

static int read_lines(FILE *f, const char *path, struct req_registry *reg, char *err,
                      size_t errlen)
{
    char *line = NULL, *fields[256];
    size_t cap = 0, lineno = 0;
    int col[COL_COUNT], rc = 0;
    bool header = false;

    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        lineno++;
        if (skip_line(line))
            continue;
        if (!header) {
            header = true;
            if (read_header(line, col) != 0)
                rc = rpt_fail(err, errlen, "%s:%zu: no \"id\" column in the header", path, lineno);
            continue;
        }
        if (add_entry(reg, fields, split_tabs(line, fields, 256), col) != 0)
            rc = rpt_fail(err, errlen, "%s:%zu: out of memory", path, lineno);
    }
    if (rc == 0 && ferror(f))
        rc = rpt_fail(err, errlen, "%s: %s", path, strerror(errno));
    free(line);
    return rc;
}

int req_registry_read(const char *path, struct req_registry *reg, char *err, size_t errlen)
{
    FILE *f;
    int rc;

    memset(reg, 0, sizeof *reg);
    f = fopen(path, "r");
    if (f == NULL && errno == ENOENT)
        return 1;
    if (f == NULL)
        return rpt_fail(err, errlen, "%s: %s", path, strerror(errno));
    rc = read_lines(f, path, reg, err, errlen);
    fclose(f);
    if (rc != 0)
        req_registry_free(reg);
    return rc;
}

void req_registry_free(struct req_registry *reg)
{
    for (size_t i = 0; i < reg->count; i++) {
        free(reg->e[i].id);
        free(reg->e[i].level);
        free(reg->e[i].section);
        free(reg->e[i].summary);
        free(reg->e[i].testability);
    }
    free(reg->e);
    memset(reg, 0, sizeof *reg);
}

const struct req_entry *req_registry_find(const struct req_registry *reg, const char *id)
{
    for (size_t i = 0; reg != NULL && i < reg->count; i++)
        if (strcmp(reg->e[i].id, id) == 0)
            return &reg->e[i];
    return NULL;
}

static bool word_is(const char *level, const char *word)
{
    size_t n = strlen(word);

    return strncasecmp(level, word, n) == 0 && !isalpha((unsigned char)level[n]);
}

const char *req_level_group(const char *level)
{
    const char *colon = level != NULL ? strrchr(level, ':') : NULL;

    if (level == NULL)
        return NULL;
    if (colon != NULL)
        level = colon + 1;
    if (word_is(level, "MUST") || word_is(level, "REQUIRED") || word_is(level, "SHALL"))
        return "MUST";
    if (word_is(level, "SHOULD") || word_is(level, "SHLD") || word_is(level, "RECOMMENDED"))
        return "SHOULD";
    if (word_is(level, "MAY") || word_is(level, "OPTIONAL"))
        return "MAY";
    return NULL;
}

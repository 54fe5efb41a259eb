/* report/registry.h: the requirement registry, vectors/requirements.tsv:
 * tab-separated, a header line naming the columns, one requirement a line.
 * Columns used: id, level, section, summary, testability (any order; other
 * columns are ignored; all but id may be missing; "feature" is read when
 * there is no "summary", "testable" when there is no "testability"). Blank lines and lines
 * starting with '#' are skipped; CRLF line ends are accepted.
 */
#ifndef SYNACK_HARNESS_REPORT_REGISTRY_H
#define SYNACK_HARNESS_REPORT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

struct req_entry {
    char *id;          /* "RFC9293:MUST-10", as vectors tag it */
    char *level;       /* "MUST", "SHOULD", "MAY", "MUST NOT", ... ("" if none) */
    char *section;     /* "3.10.7.4" */
    char *summary;     /* one line, our own words */
    char *testability; /* "" or e.g. "not testable on the wire: API only" */
    bool testable;     /* false when testability starts with "no" or "untestable" */
};

struct req_registry {
    size_t count;
    struct req_entry *e;
};

/* Read path into *reg (zeroed first). Returns 0; 1 when the file does not
 * exist (reg empty, no error); -1 with err set ("requirements.tsv:1: no
 * \"id\" column in the header") on any other problem. A repeated id keeps
 * its first line. */
int req_registry_read(const char *path, struct req_registry *reg, char *err, size_t errlen);
void req_registry_free(struct req_registry *reg);

/* The entry with this id, or NULL. */
const struct req_entry *req_registry_find(const struct req_registry *reg, const char *id);

/* The group a level counts in: "MUST" (MUST, MUST NOT, REQUIRED, SHALL),
 * "SHOULD" (SHOULD, SHOULD NOT, SHLD, RECOMMENDED), "MAY" (MAY, OPTIONAL),
 * or NULL. A tag with no registry entry ("RFC9293:SHLD-31") is grouped by
 * the word after the colon. */
const char *req_level_group(const char *level);

#endif

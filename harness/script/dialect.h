/* script/dialect.h: the dialect check. Everything in a parsed script that
 * plain packetdrill would reject or read otherwise: synack's extensions
 * (script.h's list), and what the runner takes more freely than
 * packetdrill's run_system_call.c (a bare integer as an option value, a
 * real address to bind, another number of arguments). Comments are not
 * findings: packetdrill ignores them, so @req and the other tags are
 * plain packetdrill. `synack lint-script` prints them. */
#ifndef SYNACK_HARNESS_DIALECT_H
#define SYNACK_HARNESS_DIALECT_H

#include <stddef.h>

#include "script/script.h"

struct dialect_finding {
    unsigned line, column;
    const char *kind;   /* "mutation", "tcp-info-getsockopt", ...: dialect_kinds[] */
    char message[200];  /* what it is and, where there is one, packetdrill's way */
};

/* The kinds, each with one line on packetdrill's way of saying it (or
 * that it has none), NULL-terminated: the table of harness/README.md. */
struct dialect_kind {
    const char *kind, *what, *packetdrill;
};
extern const struct dialect_kind dialect_kinds[];

/* Up to max findings of s, in line order; returns how many there are in
 * all (more than max when out was too short). */
size_t dialect_check(const struct script *s, struct dialect_finding *out, size_t max);

#endif

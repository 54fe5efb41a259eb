/* target/sysctl.h: a script's shell line read as Linux sysctl settings and
 * applied to a synack configuration (the targets that run synack have no
 * shell: a sysctl with a synack equivalent is a knob of struct
 * synack_config; anything else is a skip that names the command). One row
 * per sysctl in sysctl.c; a knob synack gains is one row more. */
#ifndef SYNACK_HARNESS_SYSCTL_H
#define SYNACK_HARNESS_SYSCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <synack/stack.h>

enum sysctl_outcome {
    SYSCTL_APPLIED,     /* every setting of the line is now in the configuration */
    SYSCTL_UNSUPPORTED, /* the line is not (only) sysctl settings synack has: why says which */
};

/* Apply the shell line cmd to c: one or more commands separated by ';',
 * '&&' or newlines, each `sysctl [-q] [-w] [-e] NAME=VALUE...` (NAME with
 * dots or slashes) or `echo VALUE > /proc/sys/NAME`. All or nothing: on
 * SYSCTL_UNSUPPORTED c is unchanged and why names the first part that is
 * not supported and the reason. */
enum sysctl_outcome sysctl_apply(struct synack_config *c, const char *cmd, char *why,
                                 size_t n);

/* The table, for the README and the tests: row i's sysctl name, what it
 * sets (or, for a fixed behaviour, why only one value is accepted); NULL
 * past the end. */
const char *sysctl_row_name(size_t i);
const char *sysctl_row_meaning(size_t i);

#endif

/* target/exec.h: making exec: targets (target/exec.c) for target_resolve. */
#ifndef SYNACK_HARNESS_EXEC_H
#define SYNACK_HARNESS_EXEC_H

#include <stddef.h>

#include "target/target.h"

/* A target running `sh -c command` per vector, called "exec:COMMAND". */
const struct target_ops *exec_target_new(const char *command, char *err, size_t errlen);
void exec_target_free(const struct target_ops *ops);

#endif

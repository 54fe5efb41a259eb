/* target/so.h: making so: targets (target/so.c) for target_resolve. */
#ifndef SYNACK_HARNESS_SO_H
#define SYNACK_HARNESS_SO_H

#include <stddef.h>

#include "target/target.h"

/* A target running the object at path with --so-flags flags, called name
 * in results. Loads the object once (in a host process) to learn its
 * clock. multihomed: the object takes more_addr=A/LEN (a second address,
 * --primary_ip), as synack's does. NULL with the reason in err. */
const struct target_ops *so_target_new(const char *name, const char *path, const char *flags,
                                       bool multihomed, char *err, size_t errlen);
void so_target_free(const struct target_ops *ops);

/* The file called name beside the running program, or $env when set. */
char *so_beside_harness(const char *env, const char *name);

#endif

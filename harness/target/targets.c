/* The table of targets. */
#include <string.h>

#include "target/target.h"

extern const struct target_ops target_mem;
extern const struct target_ops target_tun;   /* target/tun.c: synack on a real TUN device */
extern const struct target_ops target_linux; /* target/linux.c: the host kernel's TCP */

static const struct target_ops *const all_targets[] = {&target_mem, &target_tun, &target_linux};
const char *const target_names[] = {"mem", "tun", "linux", NULL};

const struct target_ops *target_find(const char *name)
{
    for (size_t i = 0; i < sizeof all_targets / sizeof all_targets[0]; i++)
        if (strcmp(all_targets[i]->name, name) == 0)
            return all_targets[i];
    return NULL;
}

/* The table of targets. */
#include <string.h>

#include "target/target.h"

extern const struct target_ops target_mem;

static const struct target_ops *const all_targets[] = {&target_mem};
const char *const target_names[] = {"mem", NULL};

const struct target_ops *target_find(const char *name)
{
    for (size_t i = 0; i < sizeof all_targets / sizeof all_targets[0]; i++)
        if (strcmp(all_targets[i]->name, name) == 0)
            return all_targets[i];
    return NULL;
}

/* The mutation build's switch (util/mutant.h): the environment variable
 * SYNACK_MUTANT names the one mutant that is on in this process; unset or
 * empty, none is. Compiled only into build/mutate/ (mk/mutate.mk), never
 * into the library users link: the one process-wide state of the stack,
 * read once, the same for every stack of the process. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mutate/mutate.h"

static const struct synack_mutant catalogue[] = {
#define SYNACK_MUTANT_ROW(n, r, w) {#n, r, w},
    SYNACK_MUTANTS(SYNACK_MUTANT_ROW)
#undef SYNACK_MUTANT_ROW
};

#define ACTIVE_UNREAD (-2)
static atomic_int active = ACTIVE_UNREAD; /* -1: none; else an enum mutant_id */

static int active_from_env(void)
{
    const char *name = getenv("SYNACK_MUTANT");
    if (!name || !*name)
        return -1;
    for (int i = 0; i < MUTANT_COUNT; i++)
        if (strcmp(catalogue[i].name, name) == 0)
            return i;
    fprintf(stderr, "SYNACK_MUTANT=%s: no such mutant (build/mutate/mutants lists them)\n", name);
    exit(2);
}

bool synack_mutant_on(enum mutant_id id)
{
    int a = atomic_load_explicit(&active, memory_order_relaxed);
    if (a == ACTIVE_UNREAD) {
        a = active_from_env(); /* every thread finds the same */
        atomic_store_explicit(&active, a, memory_order_relaxed);
    }
    return a == (int)id;
}

const struct synack_mutant *synack_mutant_get(size_t i)
{
    return i < MUTANT_COUNT ? &catalogue[i] : NULL;
}

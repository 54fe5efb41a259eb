/* The mutation build's catalogue as data, for the program that lists it
 * (mutants.c) and for make mutate (mk/mutate.py). */
#ifndef SYNACK_MUTATE_H
#define SYNACK_MUTATE_H

#include <stddef.h>

#include "util/mutant.h"

struct synack_mutant {
    const char *name, *reqs, *what;
};

/* The i-th mutant of the catalogue, NULL past the last. */
const struct synack_mutant *synack_mutant_get(size_t i);

#endif

/* build/mutate/mutants: the catalogue of the mutation build, one mutant a
 * line: name<TAB>requirement rows<TAB>what it does wrong. */
#include <stdio.h>

#include "mutate/mutate.h"

int main(void)
{
    const struct synack_mutant *m;
    for (size_t i = 0; (m = synack_mutant_get(i)) != NULL; i++)
        printf("%s\t%s\t%s\n", m->name, m->reqs, m->what);
    return 0;
}

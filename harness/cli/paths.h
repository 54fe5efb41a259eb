/* cli/paths.h: finding vectors on disk. */
#ifndef SYNACK_HARNESS_PATHS_H
#define SYNACK_HARNESS_PATHS_H

#include <stddef.h>

/* Expand files and folders (recursively, *.pkt and captures) into a sorted list of
 * paths. A missing path or a folder without vectors is an error. */
int paths_collect(char *const *args, size_t n, char ***out, size_t *count, char *err,
                  size_t errlen);
void paths_free(char **paths, size_t count);
/* mkdir -p */
int paths_mkdirs(const char *dir);

#endif

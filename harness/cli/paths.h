/* cli/paths.h: finding vectors on disk and naming them. */
#ifndef SYNACK_HARNESS_PATHS_H
#define SYNACK_HARNESS_PATHS_H

#include <stddef.h>

/* The vectors of a run: path[i] as found, name[i] what reports call it. */
struct vector_list {
    char **path, **name;
    size_t n, cap;
};

/* Expand files and folders (recursively, *.pkt and captures) into a list,
 * folders sorted. A file found twice (given twice, or inside a folder given
 * too) is listed once. Names: the path after its "vectors/" component,
 * else relative to the argument's folder (a folder argument keeps its own
 * name: "mytests/a/b"), without the extension; never absolute. Two files
 * with one name get "~2", "~3". A missing path or a folder without vectors
 * is an error. */
int paths_collect(char *const *args, size_t n, struct vector_list *out, char *err, size_t errlen);
void paths_free(struct vector_list *l);
/* The name of one vector file given as arg (the rule above). */
char *paths_vector_name(const char *arg_dir, const char *path);
/* mkdir -p */
int paths_mkdirs(const char *dir);

#endif

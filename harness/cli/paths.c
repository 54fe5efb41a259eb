/* Finding vectors: files as given, folders walked for *.pkt and captures
 * (*.pcap, *.pcapng, *.cap: pcap/replay.h), sorted so
 * every run lists them in the same order. */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/paths.h"
#include "pcap/replay.h"

struct list {
    char **v;
    size_t n, cap;
};

static int push(struct list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = strdup(s);
    if (!l->v[l->n])
        return -1;
    l->n++;
    return 0;
}

static bool is_vector(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".pkt") == 0) || pcap_is_capture_path(name);
}

static int walk(const char *dir, struct list *l, int depth, char *err, size_t errlen)
{
    if (depth > 32) {
        snprintf(err, errlen, "%s: folders nested too deep", dir);
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            rc = walk(path, l, depth + 1, err, errlen);
        else if (S_ISREG(st.st_mode) && is_vector(e->d_name) && push(l, path) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int paths_collect(char *const *args, size_t n, char ***out, size_t *count, char *err,
                  size_t errlen)
{
    struct list l = {0};
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        char arg[4096];
        snprintf(arg, sizeof arg, "%s", args[i]);
        size_t len = strlen(arg);
        while (len > 1 && arg[len - 1] == '/')
            arg[--len] = '\0';
        if (stat(arg, &st) < 0) {
            snprintf(err, errlen, "%s: %s", arg, strerror(errno));
            paths_free(l.v, l.n);
            return -1;
        }
        size_t before = l.n;
        int rc = S_ISDIR(st.st_mode) ? walk(arg, &l, 0, err, errlen) : push(&l, arg);
        if (rc == 0 && S_ISDIR(st.st_mode) && l.n == before) {
            snprintf(err, errlen, "%s: no vectors (*.pkt, *.pcap, *.pcapng) in this folder", arg);
            rc = -1;
        }
        if (rc < 0) {
            paths_free(l.v, l.n);
            return -1;
        }
        if (S_ISDIR(st.st_mode))
            qsort(l.v + before, l.n - before, sizeof *l.v, cmp);
    }
    *out = l.v;
    *count = l.n;
    return 0;
}

void paths_free(char **paths, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(paths[i]);
    free(paths);
}

int paths_mkdirs(const char *dir)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", dir);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST)
        return -1;
    return 0;
}

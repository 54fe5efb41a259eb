/* Finding vectors: files as given, folders walked for *.pkt and captures
 * (*.pcap, *.pcapng, *.cap: pcap/replay.h), sorted so every run lists them
 * in the same order; each file once, each with a relative name. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/paths.h"
#include "pcap/replay.h"

/* Identity of a file, to list it once. */
struct seen {
    dev_t *dev;
    ino_t *ino;
};

static bool is_vector(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".pkt") == 0) || pcap_is_capture_path(name);
}

static void strip_ext(char *n)
{
    char *dot = strrchr(n, '.');
    char *slash = strrchr(n, '/');
    if (dot && dot != n && (!slash || dot > slash + 1))
        *dot = '\0';
}

char *paths_vector_name(const char *arg_dir, const char *path)
{
    const char *p = path, *v;
    /* the suite's own layout: "vectors/reset/x.pkt" -> "reset/x" */
    for (const char *s = path; (v = strstr(s, "vectors/")) != NULL; s = v + 1)
        if (v == path || v[-1] == '/') {
            p = v + strlen("vectors/");
            break;
        }
    if (p == path && arg_dir) {
        /* under the folder given: keep the folder's own last component */
        size_t n = strlen(arg_dir);
        const char *base = strrchr(arg_dir, '/');
        base = base && base[1] ? base + 1 : arg_dir;
        if (strncmp(path, arg_dir, n) == 0 && path[n] == '/')
            p = strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(base, "/") == 0
                    ? path + n + 1
                    : path + (base - arg_dir);
    } else if (p == path) {
        const char *slash = strrchr(path, '/');
        if (path[0] == '/' || strncmp(path, "../", 3) == 0)
            p = slash ? slash + 1 : path; /* a file outside: its own name */
    }
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    char *n = strdup(p);
    if (n)
        strip_ext(n);
    return n;
}

static bool name_taken(const struct vector_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->name[i], name) == 0)
            return true;
    return false;
}

static int push(struct vector_list *l, struct seen *seen, const char *arg_dir, const char *path)
{
    struct stat st = {0};
    if (stat(path, &st) == 0)
        for (size_t i = 0; i < l->n; i++)
            if (seen->dev[i] == st.st_dev && seen->ino[i] == st.st_ino)
                return 0; /* the same file again */
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        char **p = realloc(l->path, cap * sizeof *p);
        if (p)
            l->path = p;
        char **nm = p ? realloc(l->name, cap * sizeof *nm) : NULL;
        if (nm)
            l->name = nm;
        dev_t *d = nm ? realloc(seen->dev, cap * sizeof *d) : NULL;
        if (d)
            seen->dev = d;
        ino_t *in = d ? realloc(seen->ino, cap * sizeof *in) : NULL;
        if (!in)
            return -1;
        seen->ino = in;
        l->cap = cap;
    }
    char *name = paths_vector_name(arg_dir, path);
    char *copy = strdup(path);
    if (!name || !copy) {
        free(name);
        free(copy);
        return -1;
    }
    for (int k = 2; name_taken(l, name) && k < 100000; k++) {
        char *alt = malloc(strlen(name) + 12);
        if (!alt) {
            free(name);
            free(copy);
            return -1;
        }
        sprintf(alt, "%s~%d", name, k);
        if (!name_taken(l, alt)) {
            free(name);
            name = alt;
            break;
        }
        free(alt);
    }
    seen->dev[l->n] = st.st_dev;
    seen->ino[l->n] = st.st_ino;
    l->path[l->n] = copy;
    l->name[l->n++] = name;
    return 0;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The vector files under dir, sorted, into found. */
static int walk(const char *dir, char ***found, size_t *nfound, int depth, char *err, size_t errlen)
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
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = walk(path, found, nfound, depth + 1, err, errlen);
        } else if (S_ISREG(st.st_mode) && is_vector(e->d_name)) {
            char **f = realloc(*found, (*nfound + 1) * sizeof *f);
            if (!f || !(f[*nfound] = strdup(path)))
                rc = -1;
            if (f)
                *found = f;
            if (rc == 0)
                (*nfound)++;
        }
    }
    closedir(d);
    return rc;
}

static int add_arg(struct vector_list *l, struct seen *seen, const char *arg, char *err,
                   size_t errlen)
{
    struct stat st;
    if (stat(arg, &st) < 0) {
        snprintf(err, errlen, "%s: %s", arg, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return push(l, seen, NULL, arg);
    char **found = NULL;
    size_t nfound = 0;
    int rc = walk(arg, &found, &nfound, 0, err, errlen);
    if (rc == 0 && nfound == 0) {
        snprintf(err, errlen, "%s: no vectors (*.pkt, *.pcap, *.pcapng) in this folder", arg);
        rc = -1;
    }
    if (rc == 0)
        qsort(found, nfound, sizeof *found, cmp);
    for (size_t i = 0; i < nfound; i++) {
        if (rc == 0)
            rc = push(l, seen, arg, found[i]);
        free(found[i]);
    }
    free(found);
    return rc;
}

int paths_collect(char *const *args, size_t n, struct vector_list *out, char *err, size_t errlen)
{
    struct vector_list l = {0};
    struct seen seen = {0};
    int rc = 0;
    snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < n && rc == 0; i++) {
        char arg[PATH_MAX];
        snprintf(arg, sizeof arg, "%s", args[i]);
        size_t len = strlen(arg);
        while (len > 1 && arg[len - 1] == '/')
            arg[--len] = '\0';
        rc = add_arg(&l, &seen, arg, err, errlen);
    }
    free(seen.dev);
    free(seen.ino);
    if (rc < 0) {
        paths_free(&l);
        return -1;
    }
    *out = l;
    return 0;
}

void paths_free(struct vector_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->path[i]);
        free(l->name[i]);
    }
    free(l->path);
    free(l->name);
    *l = (struct vector_list){0};
}

int paths_mkdirs(const char *dir)
{
    char p[PATH_MAX];
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

/* cli/batch.c: vectors run on a pool of threads (cli/batch.h). */
#define _GNU_SOURCE /* SCHED_RESET_ON_FORK */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/paths.h"
#include "pcap/replay.h"

struct pool {
    const struct batch *b;
    const struct vector_list *l;
    struct run_results *res;
    size_t next;
    pthread_mutex_t lock;
};

/* DIR/<name>.pcap, creating DIR/<folders of name>. */
static char *pcap_path_for(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 8;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s.pcap", dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    if (paths_mkdirs(p) < 0) {
        free(p);
        return NULL;
    }
    *slash = '/';
    return p;
}

static void run_one(struct pool *w, size_t i, struct python_host *py)
{
    struct vector_result *v = &w->res->v[i];
    struct run_options o = *w->b->opts;
    o.python = py;
    const char *name = w->l->name[i];
    char *pcap = w->b->pcap_dir ? pcap_path_for(w->b->pcap_dir, name) : NULL;
    o.pcap_path = pcap;
    run_vector_file(w->l->path[i], &o, v);
    /* the run's name for it: relative, unique (cli/paths.h) */
    char *own = strdup(name);
    if (own) {
        free(v->name);
        v->name = own;
    }
    static const char *const family[] = {"ipv4", "ipv4-mapped-ipv6", "ipv6"};
    expectations_apply(w->b->exp, v, family[o.ip_version % 3]);
    free(pcap);
}

/* On a real clock a run is judged to the millisecond: like packetdrill
 * (set_scheduling_priority), each runner thread takes the lowest
 * real-time priority when it may, so the other work of a loaded machine
 * does not make the runner, or a stack it runs in-process, late. What it
 * starts (sh, python3, synack-so-host) starts at normal priority. */
static void realtime_priority(const struct run_options *o)
{
    if (o->target->virtual_time || sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return; /* one CPU: a real-time thread could make the machine unresponsive */
    struct sched_param sp = {.sched_priority = sched_get_priority_min(SCHED_RR)};
    (void)sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp); /* refused: as it was */
}

static void *worker(void *arg)
{
    struct pool *w = arg;
    realtime_priority(w->b->opts);
    struct python_host *py = python_host_new(); /* this thread's python3, when needed */
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= w->res->count) {
            python_host_free(py);
            return NULL;
        }
        run_one(w, i, py);
        if (w->b->done) {
            pthread_mutex_lock(&w->lock);
            w->b->done(w->b->ctx, &w->res->v[i]);
            pthread_mutex_unlock(&w->lock);
        }
    }
}

static void run_all(struct pool *w, int jobs)
{
    pthread_t th[BATCH_MAX_JOBS];
    int started = 0;
    for (int i = 0; jobs > 1 && i < jobs && i < BATCH_MAX_JOBS; i++)
        if (pthread_create(&th[started], NULL, worker, w) == 0)
            started++;
    if (started == 0)
        worker(w);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int batch_run(const struct batch *b, const struct vector_list *l, struct run_results *res)
{
    res->v = calloc(l->n ? l->n : 1, sizeof *res->v);
    if (res->v == NULL)
        return -1;
    res->count = l->n;
    struct pool w = {.b = b, .l = l, .res = res};
    pthread_mutex_init(&w.lock, NULL);
    double t0 = now_ms();
    run_all(&w, b->jobs);
    res->wall_ms = now_ms() - t0;
    pthread_mutex_destroy(&w.lock);
    return 0;
}

const struct target_ops *batch_target(const char *cmd, const struct batch_args *b)
{
    char err[600];
    const struct target_ops *t = target_resolve(b->target, b->so_flags, err, sizeof err);
    if (!t) {
        fprintf(stderr, "%s: --target %s: %s\n", cmd, b->target, err);
        return NULL;
    }
    if (b->offload && !t->offload) {
        fprintf(stderr, "%s: --offload: target %s has no device to offload (linux has)\n", cmd,
                t->name);
        target_release(t);
        return NULL;
    }
    return t;
}

int batch_expectations(const char *cmd, const char *target, const char *file,
                       struct expectations **out)
{
    char path[300], err[512];
    const char *p = file ? file : expectations_default_path(target, path, sizeof path);
    *out = NULL;
    if (p == NULL)
        return 0;
    *out = expectations_load(p, err, sizeof err);
    if (*out == NULL) {
        fprintf(stderr, "%s: %s\n", cmd, err);
        return -1;
    }
    return 0;
}

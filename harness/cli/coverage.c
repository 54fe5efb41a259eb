/* synack coverage: which requirements of the registry the vectors cover and
 * whether they pass on a target. Runs the vectors (as `synack run` does) or
 * reads a results JSON, then prints each requirement with its level, its
 * testability and its vectors' results, and the totals per level. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/paths.h"
#include "report/coverage.h"
#include "report/json.h"
#include "run/expect.h"
#include "run/runner.h"

#define DEFAULT_REGISTRY "vectors/requirements.tsv"
#define DEFAULT_VECTORS "vectors"
#define NAMES_SHOWN 4

struct cov_args {
    const char *target, *json, *registry, *expect;
    bool verbose, allow_missing, quiet;
    int jobs;
    uint64_t seed;
};

static void usage(void)
{
    fputs("usage: synack coverage [--target T] [-j N] [--json FILE] [--registry TSV]\n"
          "                       [--expect TSV] [--seed N] [--allow-missing] [-q] [-v] [PATH...]\n",
          stderr);
}

static int parse_args(int argc, char **argv, struct cov_args *a)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'}, {"json", required_argument, NULL, 'J'},
        {"registry", required_argument, NULL, 'R'}, {"expect", required_argument, NULL, 'E'},
        {"seed", required_argument, NULL, 'S'},   {"allow-missing", no_argument, NULL, 'M'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {NULL, 0, NULL, 0},
    };
    *a = (struct cov_args){.target = "mem", .jobs = 1, .seed = 1};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:qv", longopts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 't': a->target = optarg; break;
        case 'J': a->json = optarg; break;
        case 'R': a->registry = optarg; break;
        case 'E': a->expect = optarg; break;
        case 'M': a->allow_missing = true; break;
        case 'q': a->quiet = true; break;
        case 'v': a->verbose = true; break;
        case 'S':
            a->seed = strtoull(optarg, &end, 0);
            if (!*optarg || *end) {
                fprintf(stderr, "synack coverage: --seed: not a number: '%s'\n", optarg);
                return -1;
            }
            break;
        case 'j':
            a->jobs = (int)strtol(optarg, &end, 10);
            if (!*optarg || *end || a->jobs < 1 || a->jobs > 256) {
                fprintf(stderr, "synack coverage: -j: expected 1 to 256, got '%s'\n", optarg);
                return -1;
            }
            break;
        default:
            usage();
            return -1;
        }
    }
    if (a->json && optind < argc) {
        fprintf(stderr, "synack coverage: give either --json FILE or vectors to run\n");
        return -1;
    }
    return optind;
}

/* ---- running the vectors (the path of `synack run`, without its outputs) ---- */

struct work {
    char **paths;
    const struct run_options *opts;
    const struct expectations *exp;
    struct run_results *res;
    size_t next;
    pthread_mutex_t lock;
};

static void *worker(void *arg)
{
    struct work *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= w->res->count)
            return NULL;
        run_file(w->paths[i], w->opts, &w->res->v[i]);
        expectations_apply(w->exp, &w->res->v[i]);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The target's expectation file: --expect, else vectors/expect/<target>.tsv if present. */
static struct expectations *load_expect(const struct cov_args *a, int *status)
{
    char path[300], err[512];
    const char *p = a->expect ? a->expect : expectations_default_path(a->target, path, sizeof path);
    struct expectations *e;

    if (p == NULL)
        return NULL;
    e = expectations_load(p, err, sizeof err);
    if (e == NULL) {
        fprintf(stderr, "synack coverage: %s\n", err);
        *status = 2;
    }
    return e;
}

static int run_vectors(const struct cov_args *a, char **args, size_t nargs, struct run_results *res)
{
    static char *default_args[] = {DEFAULT_VECTORS};
    const struct target_ops *target = target_find(a->target);
    char err[512], **paths = NULL;
    size_t count = 0;
    int status = 0;

    if (target == NULL) {
        fprintf(stderr, "synack coverage: unknown target '%s'\n", a->target);
        return 2;
    }
    struct expectations *exp = load_expect(a, &status);
    if (status != 0)
        return status;
    if (nargs == 0)
        args = default_args, nargs = 1;
    if (paths_collect(args, nargs, &paths, &count, err, sizeof err) < 0) {
        fprintf(stderr, "synack coverage: %s\n", err);
        expectations_free(exp);
        return 2;
    }
    *res = (struct run_results){.target = strdup(a->target), .count = count};
    res->v = calloc(count ? count : 1, sizeof *res->v);
    /* The options of `synack run` (cli/run.c), so both judge a vector alike. */
    struct run_options o = {.target = target, .seed = a->seed, .max_script_us = 3600LL * 1000000};
    struct work w = {.paths = paths, .opts = &o, .exp = exp, .res = res};
    pthread_mutex_init(&w.lock, NULL);
    double t0 = now_ms();
    if (res->v) {
        pthread_t th[256];
        int started = 0;
        for (int i = 0; a->jobs > 1 && i < a->jobs; i++)
            started += pthread_create(&th[started], NULL, worker, &w) == 0;
        if (started == 0)
            worker(&w);
        for (int i = 0; i < started; i++)
            pthread_join(th[i], NULL);
    } else {
        res->count = 0;
    }
    res->wall_ms = now_ms() - t0;
    pthread_mutex_destroy(&w.lock);
    paths_free(paths, count);
    expectations_free(exp);
    return 0;
}

/* ---- printing ---- */

static const char *vec_name(const struct vector_result *v)
{
    return v->name ? v->name : v->path ? v->path : "?";
}

/* "wire", "api", "no (harness)", ...: the testability up to its colon. */
static void short_testability(const struct cov_req *q, char *buf, size_t len)
{
    const char *t = q->reg == NULL ? "?" : q->reg->testability[0] ? q->reg->testability : "-";
    size_t n = strcspn(t, ":");
    if (n >= len)
        n = len - 1;
    memcpy(buf, t, n);
    buf[n] = '\0';
}

static void print_vectors(const struct cov_req *q, bool verbose)
{
    size_t shown = 0, other = q->nvec - q->pass - q->fail;

    printf("%zu pass", q->pass);
    if (q->fail)
        printf(", %zu FAIL", q->fail);
    if (other)
        printf(", %zu other", other);
    printf(":");
    /* failures first, then the rest in run order */
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < q->nvec; i++) {
            const struct vector_result *v = q->vec[i];
            if ((round == 0) != coverage_status_fails(v->status))
                continue;
            if (!verbose && shown == NAMES_SHOWN) {
                printf(" ... (%zu more)", q->nvec - shown);
                return;
            }
            printf(" %s", vec_name(v));
            if (v->status != RESULT_PASS)
                printf(" (%s)", result_status_name(v->status));
            shown++;
        }
}

static void print_req(const struct cov_req *q, bool verbose)
{
    char t[64];

    short_testability(q, t, sizeof t);
    printf("%-28s %-9s %-17s ", q->id, q->reg ? q->reg->level : "?", t);
    if (q->nvec > 0)
        print_vectors(q, verbose);
    else if (q->reg != NULL && !q->reg->testable)
        printf("-");
    else
        printf("NOT COVERED");
    printf("\n");
}

static void fraction(size_t n, size_t of)
{
    char buf[40];
    if (of)
        snprintf(buf, sizeof buf, "%zu/%zu (%.0f%%)", n, of, 100.0 * (double)n / (double)of);
    else
        snprintf(buf, sizeof buf, "%zu/%zu", n, of);
    printf(" %-17s", buf);
}

static void print_totals(const struct coverage *c, const char *target)
{
    printf("\n%-8s %12s %9s  %-17s %-17s\n", "level", "requirements", "testable", "covered",
           "passing on");
    printf("%-8s %12s %9s  %-17s %-17s\n", "", "", "", "", target);
    for (int l = 0; l < COV_LEVELS; l++) {
        const struct cov_totals *t = &c->level[l];
        if (l == COV_OTHER && t->total == 0)
            continue;
        printf("%-8s %12zu %9zu ", coverage_level_name((enum cov_level)l), t->total, t->testable);
        fraction(t->covered, t->testable);
        fraction(t->passing, t->testable);
        printf("\n");
    }
}

/* Testable MUSTs without a passing vector, listed; returns how many. */
static size_t missing_musts(const struct coverage *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nreqs; i++) {
        const struct cov_req *q = &c->reqs[i];
        if (!q->reg || !q->reg->testable || coverage_level_of(q->reg) != COV_MUST || q->pass)
            continue;
        printf("%s %s", n++ ? "," : "\ntestable MUSTs without a passing vector:", q->id);
    }
    if (n)
        printf("\n");
    return n;
}

int cli_coverage(int argc, char **argv)
{
    struct cov_args a;
    int first = parse_args(argc, argv, &a);
    if (first < 0)
        return 2;
    char err[512];
    struct run_results res = {0};
    int status;
    if (a.json) {
        status = report_json_read(a.json, &res, err, sizeof err) < 0 ? 2 : 0;
        if (status)
            fprintf(stderr, "synack coverage: %s\n", err);
    } else {
        status = run_vectors(&a, argv + first, (size_t)(argc - first), &res);
    }
    if (status)
        return status;
    const char *regpath = a.registry ? a.registry : DEFAULT_REGISTRY;
    struct req_registry reg;
    int rc = req_registry_read(regpath, &reg, err, sizeof err);
    if (rc < 0 || (rc == 1 && a.registry)) {
        fprintf(stderr, "synack coverage: %s\n", rc < 0 ? err : "registry not found");
        run_results_free(&res);
        return 2;
    }
    struct coverage c;
    if (coverage_build(&c, &reg, &res) != 0) {
        fprintf(stderr, "synack coverage: out of memory\n");
        req_registry_free(&reg);
        run_results_free(&res);
        return 2;
    }
    if (!a.quiet) {
        printf("%-28s %-9s %-17s %s\n", "requirement", "level", "testability", "vectors");
        for (size_t i = 0; i < c.nreqs - c.nunknown; i++)
            print_req(&c.reqs[i], a.verbose);
        if (c.nunknown)
            printf("\ntags not in the registry (%s):\n", regpath);
        for (size_t i = c.nreqs - c.nunknown; i < c.nreqs; i++)
            print_req(&c.reqs[i], a.verbose);
    }
    const char *target = res.target ? res.target : a.target;
    print_totals(&c, target);
    printf("%zu vectors on %s", res.count, target);
    if (res.wall_ms > 0)
        printf(" in %.2f s", res.wall_ms / 1e3);
    printf("\n");
    size_t missing = missing_musts(&c);
    coverage_free(&c);
    req_registry_free(&reg);
    run_results_free(&res);
    return missing && !a.allow_missing ? 1 : 0;
}

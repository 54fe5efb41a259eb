/* synack coverage: which requirements of the registry the vectors cover and
 * whether they pass on a target. Runs the vectors (as `synack run` does) or
 * reads a results JSON, then prints each requirement with its level, its
 * testability and its vectors' results, and the totals per level. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/paths.h"
#include "report/coverage.h"
#include "report/json.h"
#include "run/expect.h"
#include "run/runner.h"

#define DEFAULT_REGISTRY "vectors/requirements.tsv"
#define DEFAULT_VECTORS "vectors"
#define CMD "synack coverage"
#define NAMES_SHOWN 4

struct cov_args {
    const char *target, *json, *registry, *expect;
    bool verbose, allow_missing, quiet;
    int jobs;
    uint64_t seed;
    double max_real; /* seconds */
};

static void usage(void)
{
    fputs("usage: synack coverage [--target T] [-j N] [--json FILE] [--registry TSV]\n"
          "                       [--expect TSV] [--seed N] [--max-real-time S]\n"
          "                       [--allow-missing] [-q] [-v] [PATH...]\n",
          stderr);
}

static int parse_args(int argc, char **argv, struct cov_args *a)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'}, {"json", required_argument, NULL, 'J'},
        {"registry", required_argument, NULL, 'R'}, {"expect", required_argument, NULL, 'E'},
        {"seed", required_argument, NULL, 'S'},   {"allow-missing", no_argument, NULL, 'M'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {"max-real-time", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    *a = (struct cov_args){.target = "mem", .jobs = 1, .seed = 1, .max_real = BATCH_MAX_REAL_S};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:qv", longopts, NULL)) != -1) {
        switch (c) {
        case 't': a->target = optarg; break;
        case 'J': a->json = optarg; break;
        case 'R': a->registry = optarg; break;
        case 'E': a->expect = optarg; break;
        case 'M': a->allow_missing = true; break;
        case 'q': a->quiet = true; break;
        case 'v': a->verbose = true; break;
        case 'S':
            if (batch_parse_seed(CMD, optarg, &a->seed) < 0)
                return -1;
            break;
        case 'T':
            if (batch_parse_seconds(CMD, "--max-real-time", optarg, &a->max_real) < 0)
                return -1;
            break;
        case 'j':
            if (batch_parse_jobs(CMD, optarg, &a->jobs) < 0)
                return -1;
            break;
        default:
            usage();
            return -1;
        }
    }
    if (a->json && optind < argc) {
        fprintf(stderr, CMD ": give either --json FILE or vectors to run\n");
        return -1;
    }
    return optind;
}

/* ---- running the vectors: the engine of `synack run` (cli/batch.h) ---- */

static int run_vectors(const struct cov_args *a, char **args, size_t nargs, struct run_results *res)
{
    static char *default_args[] = {DEFAULT_VECTORS};
    const struct target_ops *target = batch_target(CMD, a->target);
    struct expectations *exp = NULL;
    char err[512], **paths = NULL;
    size_t count = 0;

    if (!target || batch_expectations(CMD, a->target, a->expect, &exp) < 0)
        return 2;
    if (nargs == 0)
        args = default_args, nargs = 1;
    if (paths_collect(args, nargs, &paths, &count, err, sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        expectations_free(exp);
        return 2;
    }
    *res = (struct run_results){.target = strdup(a->target)};
    struct run_options o = {.target = target, .seed = a->seed, .max_script_us = BATCH_MAX_SCRIPT_US,
                            .max_real_us = (int64_t)(a->max_real * 1e6)};
    struct batch b = {.opts = &o, .exp = exp, .jobs = a->jobs};
    int status = 0;
    if (batch_run(&b, paths, count, res) < 0) {
        fprintf(stderr, CMD ": out of memory\n");
        status = 2;
    }
    paths_free(paths, count);
    expectations_free(exp);
    return status;
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
            fprintf(stderr, CMD ": %s\n", err);
    } else {
        status = run_vectors(&a, argv + first, (size_t)(argc - first), &res);
    }
    if (status)
        return status;
    const char *regpath = a.registry ? a.registry : DEFAULT_REGISTRY;
    struct req_registry reg;
    int rc = req_registry_read(regpath, &reg, err, sizeof err);
    if (rc < 0 || (rc == 1 && a.registry)) {
        fprintf(stderr, CMD ": %s\n", rc < 0 ? err : "registry not found");
        run_results_free(&res);
        return 2;
    }
    struct coverage c;
    if (coverage_build(&c, &reg, &res) != 0) {
        fprintf(stderr, CMD ": out of memory\n");
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

/* synack coverage: which requirements of the registry the vectors cover and
 * whether they pass on a target. Runs the vectors (as `synack run` does) or
 * reads a results JSON, then prints each requirement with its level, its
 * testability and its vectors' results, and the totals per level. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/paths.h"
#include "report/coverage.h"
#include "report/json.h"
#include "run/expect.h"
#include "run/runner.h"

#define DEFAULT_VECTORS "vectors"
#define CMD "synack coverage"
#define NAMES_SHOWN 4

/* ---- running the vectors: the engine of `synack run` (cli/batch.h) ---- */

static int run_vectors(const struct cov_args *a, char **args, size_t nargs, struct run_results *res)
{
    static char *default_args[] = {DEFAULT_VECTORS};
    const struct target_ops *target = batch_target(CMD, &a->b);
    struct expectations *exp = NULL;
    char err[512];
    struct vector_list paths;

    if (!target)
        return CLI_EXIT_USAGE;
    if (batch_expectations(CMD, a->b.target, a->b.expect, &exp) < 0) {
        target_release(target);
        return CLI_EXIT_USAGE;
    }
    if (nargs == 0)
        args = default_args, nargs = 1;
    if (paths_collect(args, nargs, &paths, err, sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        expectations_free(exp);
        target_release(target);
        return CLI_EXIT_USAGE;
    }
    *res = (struct run_results){.target = strdup(target->name)};
    struct run_options o = {.target = target, .seed = a->b.seed, .max_script_us = BATCH_MAX_SCRIPT_US,
                            .max_real_us = (int64_t)(a->b.max_real * 1e6), .strict = a->b.strict,
                            .offload = a->b.offload,
                            .ip_version = a->b.ip_version < 0 ? SCRIPT_IPV4
                                                              : (enum script_ip_version)a->b.ip_version,
                            .ip_version_pass = a->b.ip_version >= 0,
                            .defines = a->b.defines.text, .define_count = (size_t)a->b.defines.count};
    struct batch b = {.opts = &o, .exp = exp, .jobs = a->b.jobs};
    int status = 0;
    if (batch_run(&b, &paths, res) < 0) {
        fprintf(stderr, CMD ": out of memory\n");
        status = CLI_EXIT_USAGE;
    }
    paths_free(&paths);
    expectations_free(exp);
    target_release(target);
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
    struct cov_args a = {0};
    int first;
    batch_args_default(&a.b);
    int rc = cli_parse(cli_command("coverage"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    if (a.json && first < argc) {
        fprintf(stderr, CMD ": give either --json FILE or vectors to run\n");
        return CLI_EXIT_USAGE;
    }
    const char *regpath = a.b.registry ? a.b.registry : CLI_DEFAULT_REGISTRY;
    if ((a.b.registry && !cli_readable_file(CMD, a.b.registry)) ||
        (a.json && !cli_readable_file(CMD, a.json)))
        return CLI_EXIT_USAGE;
    char err[512];
    struct req_registry reg;
    rc = req_registry_read(regpath, &reg, err, sizeof err);
    if (rc < 0 || (rc == 1 && a.b.registry)) {
        fprintf(stderr, CMD ": %s\n", rc < 0 ? err : "registry not found");
        return CLI_EXIT_USAGE;
    }
    struct run_results res = {0};
    int status;
    if (a.json) {
        status = report_json_read(a.json, &res, err, sizeof err) < 0 ? CLI_EXIT_USAGE : 0;
        if (status)
            fprintf(stderr, CMD ": %s\n", err);
    } else {
        status = run_vectors(&a, argv + first, (size_t)(argc - first), &res);
    }
    if (status) {
        req_registry_free(&reg);
        return status;
    }
    struct coverage c;
    if (coverage_build(&c, &reg, &res) != 0) {
        fprintf(stderr, CMD ": out of memory\n");
        req_registry_free(&reg);
        run_results_free(&res);
        return 2;
    }
    if (!a.b.quiet) {
        printf("%-28s %-9s %-17s %s\n", "requirement", "level", "testability", "vectors");
        for (size_t i = 0; i < c.nreqs - c.nunknown; i++)
            print_req(&c.reqs[i], a.b.verbose);
        if (c.nunknown)
            printf("\ntags not in the registry (%s):\n", regpath);
        for (size_t i = c.nreqs - c.nunknown; i < c.nreqs; i++)
            print_req(&c.reqs[i], a.b.verbose);
    }
    const char *target = res.target ? res.target : a.b.target;
    print_totals(&c, target);
    printf("%zu vectors on %s", res.count, target);
    if (res.wall_ms > 0)
        printf(" in %.2f s", res.wall_ms / 1e3);
    printf("\n");
    size_t missing = missing_musts(&c);
    coverage_free(&c);
    req_registry_free(&reg);
    run_results_free(&res);
    return missing && !a.allow_missing ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

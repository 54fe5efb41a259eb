/* synack run: find the vectors, run them on a target (in parallel with -j),
 * print each result as it finishes, then write the requested outputs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/paths.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/tap.h"
#include "report/text.h"
#include "run/expect.h"
#include "run/runner.h"

#define DEFAULT_REGISTRY "vectors/requirements.tsv"
#define CMD "synack run"

struct run_args {
    const char *target, *json, *junit, *pcap_dir, *html, *registry, *expect;
    bool tap, quiet, verbose;
    int jobs;
    uint64_t seed;
    double max_real; /* seconds */
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
    static const struct option longopts[] = {
        {"target", required_argument, NULL, 't'}, {"json", required_argument, NULL, 'J'},
        {"junit", required_argument, NULL, 'U'},  {"tap", no_argument, NULL, 'T'},
        {"pcap-dir", required_argument, NULL, 'P'}, {"html", required_argument, NULL, 'H'},
        {"registry", required_argument, NULL, 'R'}, {"seed", required_argument, NULL, 'S'},
        {"expect", required_argument, NULL, 'E'}, {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},      {"max-real-time", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0},
    };
    *a = (struct run_args){.target = "mem", .jobs = 1, .seed = 1, .max_real = BATCH_MAX_REAL_S};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:qv", longopts, NULL)) != -1) {
        switch (c) {
        case 't': a->target = optarg; break;
        case 'J': a->json = optarg; break;
        case 'U': a->junit = optarg; break;
        case 'T': a->tap = true; break;
        case 'P': a->pcap_dir = optarg; break;
        case 'H': a->html = optarg; break;
        case 'R': a->registry = optarg; break;
        case 'E': a->expect = optarg; break;
        case 'q': a->quiet = true; break;
        case 'v': a->verbose = true; break;
        case 'S':
            if (batch_parse_seed(CMD, optarg, &a->seed) < 0)
                return -1;
            break;
        case 'M':
            if (batch_parse_seconds(CMD, "--max-real-time", optarg, &a->max_real) < 0)
                return -1;
            break;
        case 'j':
            if (batch_parse_jobs(CMD, optarg, &a->jobs) < 0)
                return -1;
            break;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, CMD ": no vectors given (.pkt scripts, .pcap captures or folders of them)\n");
        return -1;
    }
    return optind;
}

static void print_result(void *ctx, const struct vector_result *v)
{
    const struct run_args *a = ctx;
    if (a->tap || a->quiet)
        return;
    report_text_vector(stdout, v, a->verbose);
    fflush(stdout);
}

static char *iso_now(void)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return strdup(buf);
}

/* Write every output asked for; returns false if one could not be written. */
static bool write_outputs(const struct run_args *a, const struct run_results *res)
{
    char err[512];
    bool ok = true;
    if (a->tap)
        report_tap_print(stdout, res);
    else
        report_text_summary(stdout, res);
    if (a->json && report_json_write(res, a->json, err, sizeof err) < 0)
        ok = false, fprintf(stderr, CMD ": %s\n", err);
    if (a->junit && report_junit_write(res, a->junit, err, sizeof err) < 0)
        ok = false, fprintf(stderr, CMD ": %s\n", err);
    if (a->html) {
        const char *reg = a->registry;
        if (!reg && access(DEFAULT_REGISTRY, R_OK) == 0)
            reg = DEFAULT_REGISTRY;
        if (report_html_write(res, 1, reg, a->html, err, sizeof err) < 0)
            ok = false, fprintf(stderr, CMD ": %s\n", err);
        else if (!a->tap)
            printf("report: %s/index.html\n", a->html);
    }
    return ok;
}

int cli_run(int argc, char **argv)
{
    struct run_args a;
    int first = parse_args(argc, argv, &a);
    if (first < 0)
        return 2;
    const struct target_ops *target = batch_target(CMD, a.target);
    struct expectations *exp = NULL;
    if (!target || batch_expectations(CMD, a.target, a.expect, &exp) < 0)
        return 2;
    char err[512], **paths = NULL;
    size_t count = 0;
    if (paths_collect(argv + first, (size_t)(argc - first), &paths, &count, err, sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        expectations_free(exp);
        return 2;
    }
    struct run_results res = {.target = strdup(a.target), .started = iso_now()};
    struct run_options o = {.target = target, .seed = a.seed, .max_script_us = BATCH_MAX_SCRIPT_US,
                            .max_real_us = (int64_t)(a.max_real * 1e6)};
    struct batch b = {.opts = &o, .exp = exp, .pcap_dir = a.pcap_dir, .jobs = a.jobs,
                      .done = print_result, .ctx = &a};
    int status = 2;
    if (batch_run(&b, paths, count, &res) < 0)
        fprintf(stderr, CMD ": out of memory\n");
    else
        status = write_outputs(&a, &res) && !run_results_failed(&res) ? 0 : 1;
    run_results_free(&res);
    paths_free(paths, count);
    expectations_free(exp);
    return status;
}

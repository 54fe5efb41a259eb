/* synack run: find the vectors, run them on a target (in parallel with -j),
 * print each result as it finishes, then write the requested outputs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/paths.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/tap.h"
#include "report/text.h"
#include "run/expect.h"
#include "run/runner.h"

#define CMD "synack run"

static void print_result(void *ctx, const struct vector_result *v)
{
    const struct run_args *a = ctx;
    if (a->tap || a->b.quiet)
        return;
    report_text_vector(stdout, v, a->b.verbose);
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

/* Every output asked for can be written: checked before the run (exit 2). */
static bool outputs_writable(const struct run_args *a)
{
    return (!a->json || cli_writable_file(CMD, "--json", a->json)) &&
           (!a->junit || cli_writable_file(CMD, "--junit", a->junit)) &&
           (!a->html || cli_writable_dir(CMD, "--html", a->html)) &&
           (!a->pcap_dir || cli_writable_dir(CMD, "--pcap-dir", a->pcap_dir)) &&
           (!a->previous || cli_readable_file(CMD, a->previous)) &&
           (!a->b.registry || cli_readable_file(CMD, a->b.registry));
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
        const char *reg = a->b.registry;
        if (!reg && access(CLI_DEFAULT_REGISTRY, R_OK) == 0)
            reg = CLI_DEFAULT_REGISTRY;
        struct report_html_options ho = {.registry = reg, .previous = a->previous};
        if (report_html_write_opts(res, 1, &ho, a->html, err, sizeof err) < 0)
            ok = false, fprintf(stderr, CMD ": %s\n", err);
        else if (!a->tap)
            printf("report: %s/index.html\n", a->html);
    }
    return ok;
}

int cli_run(int argc, char **argv)
{
    struct run_args a = {0};
    int first;
    batch_args_default(&a.b);
    int rc = cli_parse(cli_command("run"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    if (!outputs_writable(&a))
        return CLI_EXIT_USAGE;
    const struct target_ops *target = batch_target(CMD, &a.b);
    struct expectations *exp = NULL;
    if (!target)
        return CLI_EXIT_USAGE;
    if (batch_expectations(CMD, a.b.target, a.b.expect, &exp) < 0) {
        target_release(target);
        return CLI_EXIT_USAGE;
    }
    char err[512];
    struct vector_list paths;
    if (paths_collect(argv + first, (size_t)(argc - first), &paths, err, sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        expectations_free(exp);
        target_release(target);
        return CLI_EXIT_USAGE;
    }
    /* a column of its own per family in reports: "mem", "mem ipv6" */
    char tname[128];
    snprintf(tname, sizeof tname, "%s%s%s", target->name, a.b.ip_version > 0 ? " " : "",
             a.b.ip_version > 0 ? run_ip_version_name((enum script_ip_version)a.b.ip_version) : "");
    struct run_results res = {.target = strdup(tname), .started = iso_now()};
    struct run_options o = {.target = target, .seed = a.b.seed, .max_script_us = BATCH_MAX_SCRIPT_US,
                            .max_real_us = (int64_t)(a.b.max_real * 1e6), .strict = a.b.strict, .offload = a.b.offload,
                            .ip_version = a.b.ip_version < 0 ? SCRIPT_IPV4
                                                             : (enum script_ip_version)a.b.ip_version,
                            .ip_version_pass = a.b.ip_version >= 0,
                            .defines = a.b.defines.text, .define_count = (size_t)a.b.defines.count};
    struct batch b = {.opts = &o, .exp = exp, .pcap_dir = a.pcap_dir, .jobs = a.b.jobs,
                      .done = print_result, .ctx = &a};
    int status = CLI_EXIT_USAGE;
    if (batch_run(&b, &paths, &res) < 0)
        fprintf(stderr, CMD ": out of memory\n");
    else if (!write_outputs(&a, &res))
        status = CLI_EXIT_USAGE; /* an output could not be written: an I/O error */
    else
        status = run_results_failed(&res) ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    run_results_free(&res);
    paths_free(&paths);
    expectations_free(exp);
    target_release(target);
    return status;
}

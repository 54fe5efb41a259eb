/* synack report: rebuild HTML, JUnit XML or TAP from results JSON, e.g.
 * one file per target so the HTML report shows them side by side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/tap.h"
#include "report/text.h"

#define CMD "synack report"

static bool outputs_writable(const struct report_args *a)
{
    return (!a->html || cli_writable_dir(CMD, "--html", a->html)) &&
           (!a->junit || cli_writable_file(CMD, "--junit", a->junit)) &&
           (!a->registry || cli_readable_file(CMD, a->registry)) &&
           (!a->previous || cli_readable_file(CMD, a->previous)) &&
           (!a->mutants || cli_readable_file(CMD, a->mutants)) &&
           (!a->bench || cli_readable_file(CMD, a->bench));
}

int cli_report(int argc, char **argv)
{
    struct report_args a = {0};
    int first;
    int rc = cli_parse(cli_command("report"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    size_t n = (size_t)(argc - first);
    if (n == 0 && !a.bench) {
        fprintf(stderr, CMD ": missing JSON (the results of a run, or --bench JSON)\n");
        return CLI_EXIT_USAGE;
    }
    if (!a.html && !a.junit && !a.tap) {
        fprintf(stderr, CMD ": give --html DIR, --junit FILE or --tap\n");
        return CLI_EXIT_USAGE;
    }
    if (a.bench && !a.html) {
        fprintf(stderr, CMD ": --bench writes HTML: give --html DIR\n");
        return CLI_EXIT_USAGE;
    }
    if (!outputs_writable(&a))
        return CLI_EXIT_USAGE;
    struct run_results *runs = calloc(n ? n : 1, sizeof *runs);
    if (!runs) {
        fprintf(stderr, CMD ": out of memory\n");
        return CLI_EXIT_USAGE;
    }
    char err[512];
    int status = CLI_EXIT_OK;
    for (size_t i = 0; i < n && status == CLI_EXIT_OK; i++) {
        if (report_json_read(argv[first + (int)i], &runs[i], err, sizeof err) < 0) {
            fprintf(stderr, CMD ": %s\n", err);
            status = CLI_EXIT_USAGE;
        }
    }
    const char *registry = a.registry;
    if (!registry && access(CLI_DEFAULT_REGISTRY, R_OK) == 0)
        registry = CLI_DEFAULT_REGISTRY;
    struct report_html_options ho = {.registry = registry, .previous = a.previous,
                                     .mutants = a.mutants};
    if (status == 0 && a.bench && report_bench_html_write(a.bench, a.html, err, sizeof err) < 0)
        status = CLI_EXIT_USAGE, fprintf(stderr, CMD ": %s\n", err);
    else if (status == 0 && a.bench)
        printf("report: %s/bench.html\n", a.html);
    if (status == 0 && a.html && n > 0 &&
        report_html_write_opts(runs, n, &ho, a.html, err, sizeof err) < 0)
        status = CLI_EXIT_USAGE, fprintf(stderr, CMD ": %s\n", err);
    if (status == 0 && a.junit && n > 0 && report_junit_write(&runs[0], a.junit, err, sizeof err) < 0)
        status = CLI_EXIT_USAGE, fprintf(stderr, CMD ": %s\n", err);
    if (status == 0 && a.tap)
        for (size_t i = 0; i < n; i++)
            report_tap_print(stdout, &runs[i]);
    if (status == 0 && a.html && n > 0)
        printf("report: %s/index.html\n", a.html);
    for (size_t i = 0; i < n; i++)
        run_results_free(&runs[i]);
    free(runs);
    return status;
}

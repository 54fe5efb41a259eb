/* synack report: rebuild HTML, JUnit XML or TAP from results JSON, e.g.
 * one file per target so the HTML report shows them side by side. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/tap.h"
#include "report/text.h"

#define DEFAULT_REGISTRY "vectors/requirements.tsv"

int cli_report(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"html", required_argument, NULL, 'H'},
        {"junit", required_argument, NULL, 'U'},
        {"tap", no_argument, NULL, 'T'},
        {"registry", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    const char *html = NULL, *junit = NULL, *registry = NULL;
    bool tap = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'H': html = optarg; break;
        case 'U': junit = optarg; break;
        case 'T': tap = true; break;
        case 'R': registry = optarg; break;
        default: return 2;
        }
    }
    int n = argc - optind;
    if (n <= 0 || (!html && !junit && !tap)) {
        fprintf(stderr, "synack report: give --html DIR, --junit FILE or --tap, and results "
                        "JSON files\n");
        return 2;
    }
    struct run_results *runs = calloc((size_t)n, sizeof *runs);
    char err[512];
    int status = 0;
    for (int i = 0; i < n && status == 0; i++) {
        if (report_json_read(argv[optind + i], &runs[i], err, sizeof err) < 0) {
            fprintf(stderr, "synack report: %s\n", err);
            status = 2;
        }
    }
    if (status == 0 && !registry && access(DEFAULT_REGISTRY, R_OK) == 0)
        registry = DEFAULT_REGISTRY;
    if (status == 0 && html && report_html_write(runs, (size_t)n, registry, html, err, sizeof err) < 0)
        status = 1, fprintf(stderr, "synack report: %s\n", err);
    if (status == 0 && junit && report_junit_write(&runs[0], junit, err, sizeof err) < 0)
        status = 1, fprintf(stderr, "synack report: %s\n", err);
    if (status == 0 && tap)
        for (int i = 0; i < n; i++)
            report_tap_print(stdout, &runs[i]);
    if (status == 0 && html)
        printf("report: %s/index.html\n", html);
    for (int i = 0; i < n; i++)
        run_results_free(&runs[i]);
    free(runs);
    return status;
}

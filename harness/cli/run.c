/* synack run: find the vectors, run them on a target (in parallel with -j),
 * print each result as it finishes, then write the requested outputs. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/paths.h"
#include "pcap/replay.h"
#include "report/html.h"
#include "report/json.h"
#include "report/junit.h"
#include "report/tap.h"
#include "report/text.h"
#include "run/expect.h"
#include "run/runner.h"

#define DEFAULT_REGISTRY "vectors/requirements.tsv"

struct run_args {
    const char *target, *json, *junit, *pcap_dir, *html, *registry, *expect;
    bool tap, quiet, verbose;
    int jobs;
    uint64_t seed;
    double max_real; /* seconds */
};

struct work {
    const struct run_args *a;
    const struct run_options *opts;
    struct expectations *exp;
    char **paths;
    struct run_results *res;
    size_t next;
    pthread_mutex_t lock;
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
    *a = (struct run_args){.target = "mem", .jobs = 1, .seed = 1, .max_real = 600};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "j:qv", longopts, NULL)) != -1) {
        char *end = NULL;
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
            a->seed = strtoull(optarg, &end, 0);
            if (!*optarg || *end) {
                fprintf(stderr, "synack run: --seed: not a number: '%s'\n", optarg);
                return -1;
            }
            break;
        case 'M':
            a->max_real = strtod(optarg, &end);
            if (!*optarg || *end || a->max_real < 0) {
                fprintf(stderr, "synack run: --max-real-time: expected seconds, got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case 'j':
            a->jobs = (int)strtol(optarg, &end, 10);
            if (!*optarg || *end || a->jobs < 1 || a->jobs > 256) {
                fprintf(stderr, "synack run: -j: expected 1 to 256, got '%s'\n", optarg);
                return -1;
            }
            break;
        default:
            return -1;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "synack run: no vectors given (files or folders of .pkt)\n");
        return -1;
    }
    return optind;
}

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

static void run_one(struct work *w, size_t i)
{
    struct vector_result *v = &w->res->v[i];
    struct run_options o = *w->opts;
    char *name = run_vector_name(w->paths[i]);
    char *pcap = (w->a->pcap_dir && name) ? pcap_path_for(w->a->pcap_dir, name) : NULL;
    o.pcap_path = pcap;
    run_vector_file(w->paths[i], &o, v);
    expectations_apply(w->exp, v);
    free(pcap);
    free(name);
}

static void print_result(struct work *w, size_t i)
{
    if (w->a->tap || w->a->quiet)
        return;
    report_text_vector(stdout, &w->res->v[i], w->a->verbose);
    fflush(stdout);
}

static void *worker(void *arg)
{
    struct work *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        size_t i = w->next++;
        pthread_mutex_unlock(&w->lock);
        if (i >= w->res->count)
            return NULL;
        run_one(w, i);
        pthread_mutex_lock(&w->lock);
        print_result(w, i);
        pthread_mutex_unlock(&w->lock);
    }
}

static void run_all(struct work *w, int jobs)
{
    if (jobs <= 1) {
        worker(w);
        return;
    }
    pthread_t th[256];
    int started = 0;
    for (int i = 0; i < jobs; i++)
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
        ok = false, fprintf(stderr, "synack run: %s\n", err);
    if (a->junit && report_junit_write(res, a->junit, err, sizeof err) < 0)
        ok = false, fprintf(stderr, "synack run: %s\n", err);
    if (a->html) {
        const char *reg = a->registry;
        if (!reg && access(DEFAULT_REGISTRY, R_OK) == 0)
            reg = DEFAULT_REGISTRY;
        if (report_html_write(res, 1, reg, a->html, err, sizeof err) < 0)
            ok = false, fprintf(stderr, "synack run: %s\n", err);
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
    const struct target_ops *target = target_find(a.target);
    if (!target) {
        fprintf(stderr, "synack run: unknown target '%s' (known:", a.target);
        for (size_t i = 0; target_names[i]; i++)
            fprintf(stderr, " %s", target_names[i]);
        fprintf(stderr, ")\n");
        return 2;
    }
    char err[512];
    struct expectations *exp = NULL;
    char defexp[256];
    const char *expect = a.expect ? a.expect
                                  : expectations_default_path(a.target, defexp, sizeof defexp);
    if (expect && !(exp = expectations_load(expect, err, sizeof err))) {
        fprintf(stderr, "synack run: %s\n", err);
        return 2;
    }
    char **paths = NULL;
    size_t count = 0;
    if (paths_collect(argv + first, (size_t)(argc - first), &paths, &count, err, sizeof err) < 0) {
        fprintf(stderr, "synack run: %s\n", err);
        expectations_free(exp);
        return 2;
    }
    struct run_results res = {.target = strdup(a.target), .started = iso_now(), .count = count};
    res.v = calloc(count ? count : 1, sizeof *res.v);
    struct run_options o = {.target = target, .seed = a.seed, .max_script_us = 3600LL * 1000000,
                          .max_real_us = (int64_t)(a.max_real * 1e6)};
    struct work w = {.a = &a, .opts = &o, .exp = exp, .paths = paths, .res = &res};
    pthread_mutex_init(&w.lock, NULL);
    double t0 = now_ms();
    if (res.v)
        run_all(&w, a.jobs);
    res.wall_ms = now_ms() - t0;
    pthread_mutex_destroy(&w.lock);
    bool outputs_ok = write_outputs(&a, &res);
    int status = run_results_failed(&res) || !outputs_ok ? 1 : 0;
    run_results_free(&res);
    paths_free(paths, count);
    expectations_free(exp);
    return status;
}

/* cli/cli.h: the subcommands of the synack command (harness/main.c) and
 * the arguments each one takes. The options themselves, with their help,
 * are rows of one table per command in cli/commands.c (cli/opts.h). */
#ifndef SYNACK_HARNESS_CLI_H
#define SYNACK_HARNESS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#ifndef SYNACK_VERSION
#define SYNACK_VERSION "0.1.0"
#endif

#define CLI_DEFAULT_REGISTRY "vectors/requirements.tsv"

#define CLI_MAX_DEFINES 32

/* What `run` and `coverage` share: the engine of cli/batch.h. */
struct cli_defines {
    const char *text[CLI_MAX_DEFINES]; /* "NAME=VALUE", as given */
    int count;
};

struct batch_args {
    const char *target, *so_flags, *registry, *expect;
    bool quiet, verbose, strict, offload;
    int jobs;
    uint64_t seed;
    double max_real; /* seconds */
    int ip_version;  /* enum script_ip_version (packetdrill's --ip_version), -1: not given */
    struct cli_defines defines; /* -D NAME=VALUE */
};

struct run_args {
    struct batch_args b;
    const char *json, *junit, *pcap_dir, *html, *previous;
    bool tap;
};

struct cov_args {
    struct batch_args b;
    const char *json;
    bool allow_missing;
};

struct report_args {
    const char *html, *junit, *registry, *previous, *mutants, *bench;
    bool tap;
};

struct pcap2pkt_args {
    const char *meta, *out, *stack, *peer;
};

struct lint_args {
    bool json, quiet, allow_truncated, rules, only_stack;
    double skew_ms, late_ms;
    const char *stack;
};

struct lint_script_args {
    bool quiet, kinds;
    struct cli_defines defines; /* -D NAME=VALUE */
};

struct record_args {
    const char *target, *out;
};

void batch_args_default(struct batch_args *b);

/* Each takes argv starting at the subcommand's name; returns the exit status. */
int cli_run(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_coverage(int argc, char **argv);
int cli_pcap2pkt(int argc, char **argv);
int cli_lint(int argc, char **argv);
int cli_record(int argc, char **argv);
int cli_lint_script(int argc, char **argv);
int cli_version(int argc, char **argv);

#endif

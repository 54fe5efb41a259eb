/* cli/commands.c: every subcommand of synack as a table: its options with
 * their help, its operands, what it does (cli/opts.h). One place, so a new
 * option is one row, and `synack help` lists them all. */
#include <stddef.h>

#include "cli/batch.h"
#include "cli/cli.h"
#include "cli/opts.h"

void batch_args_default(struct batch_args *b)
{
    *b = (struct batch_args){.target = "mem", .jobs = 1, .seed = 1, .max_real = BATCH_MAX_REAL_S,
                             .ip_version = -1};
}

/* The options of the batch engine, as rows of a table over struct T, whose
 * member b is a struct batch_args. */
#define BATCH_OPTS(T)                                                                            \
    {"target", 0, "T", CLI_STRING, offsetof(T, b.target), NULL,                                 \
     "mem (default: synack in-process, virtual time); tun (synack on a real\n"                 \
     "TUN device) or linux (the host kernel's TCP), both on the real clock in\n"               \
     "a private network namespace (root); so:PATH (any object of packetdrill's\n"             \
     "SO interface, one process per vector, virtual time when its usleep is);\n"             \
     "lwip (lwIP 2.1, through build/liblwip-packetdrill.so)"},                                 \
    {"so-flags", 0, "S", CLI_STRING, offsetof(T, b.so_flags), NULL,                             \
     "the flags of a so: or lwip target's object (packetdrill's --so_flags)"},                 \
    {"jobs", 'j', "N", CLI_PARSE, offsetof(T, b.jobs), cli_parse_jobs,                          \
     "run N vectors at a time (default 1)"},                                                    \
    {"registry", 0, "TSV", CLI_STRING, offsetof(T, b.registry), NULL,                           \
     "requirement registry (default " CLI_DEFAULT_REGISTRY " when present)"},                  \
    {"expect", 0, "TSV", CLI_STRING, offsetof(T, b.expect), NULL,                               \
     "expected failures of this target: vector<TAB>outcome<TAB>reason\n"                       \
     "(default vectors/expect/<target>.tsv when present)"},                                     \
    {"seed", 0, "N", CLI_PARSE, offsetof(T, b.seed), cli_parse_seed,                            \
     "RNG seed of the stack on mem (default 1)"},                                               \
    {"ip_version", 0, "V", CLI_PARSE, offsetof(T, b.ip_version), cli_parse_ip_version,          \
     "ipv4 (default), ipv4-mapped-ipv6 (AF_INET6 sockets, IPv4 on the wire) or\n"            \
     "ipv6, as packetdrill's: a pass of the suite in that family (a script\n"                \
     "that names another family is skipped)"},                              \
    {"max-real-time", 0, "S", CLI_PARSE, offsetof(T, b.max_real), cli_parse_seconds,            \
     "on tun and linux, skip vectors that need more than S seconds of real\n"                  \
     "time (default 600; 0: no limit)"},                                                        \
    {"strict", 0, NULL, CLI_FLAG, offsetof(T, b.strict), NULL,                                  \
     "besides packetdrill's verdict, fail on packets no outbound line claimed,\n"              \
     "bad checksums and RFC oracle findings (strict-only failures); make\n"                   \
     "check runs the suite so"},                                                                \
    {"offload", 0, NULL, CLI_FLAG, offsetof(T, b.offload), NULL,                                \
     "linux target: its device offloads TCP segmentation and checksums as\n"                 \
     "packetdrill's does (TSO: one packet of up to 64 KB for a burst of\n"                  \
     "segments, as packetdrill's scripts expect)"},                                            \
    {"define", 'D', "NAME=VALUE", CLI_PARSE, offsetof(T, b.defines), cli_parse_define,          \
     "packetdrill's -D: NAME stands for VALUE in every script (after the\n"                    \
     "script's own --define lines; repeatable), e.g. -D TFO_COOKIE=hex"},                       \
    {"quiet", 'q', NULL, CLI_FLAG, offsetof(T, b.quiet), NULL, "quieter: the summary only"},    \
    {"verbose", 'v', NULL, CLI_FLAG, offsetof(T, b.verbose), NULL,                              \
     "more: the ladder of every failure, every vector of a requirement"}

static const struct cli_opt run_opts[] = {
    BATCH_OPTS(struct run_args),
    {"json", 0, "FILE", CLI_STRING, offsetof(struct run_args, json), NULL,
     "results as JSON (schema: harness/README.md)"},
    {"junit", 0, "FILE", CLI_STRING, offsetof(struct run_args, junit), NULL,
     "results as JUnit XML"},
    {"tap", 0, NULL, CLI_FLAG, offsetof(struct run_args, tap), NULL,
     "TAP 13 on standard output instead of text"},
    {"pcap-dir", 0, "DIR", CLI_STRING, offsetof(struct run_args, pcap_dir), NULL,
     "one capture per vector: DIR/<vector>.pcap"},
    {"html", 0, "DIR", CLI_STRING, offsetof(struct run_args, html), NULL,
     "self-contained HTML report: DIR/index.html"},
    {"previous", 0, "JSON", CLI_STRING, offsetof(struct run_args, previous), NULL,
     "results of an earlier run (--json): the HTML report says what newly fails and what was "
     "fixed since"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct cli_opt coverage_opts[] = {
    BATCH_OPTS(struct cov_args),
    {"json", 0, "FILE", CLI_STRING, offsetof(struct cov_args, json), NULL,
     "read the results of an earlier run instead of running vectors"},
    {"allow-missing", 0, NULL, CLI_FLAG, offsetof(struct cov_args, allow_missing), NULL,
     "exit 0 even when a testable MUST has no passing vector"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct cli_opt report_opts[] = {
    {"html", 0, "DIR", CLI_STRING, offsetof(struct report_args, html), NULL,
     "self-contained HTML report: DIR/index.html, the runs side by side"},
    {"junit", 0, "FILE", CLI_STRING, offsetof(struct report_args, junit), NULL,
     "JUnit XML of the first run"},
    {"tap", 0, NULL, CLI_FLAG, offsetof(struct report_args, tap), NULL,
     "TAP 13 of every run on standard output"},
    {"registry", 0, "TSV", CLI_STRING, offsetof(struct report_args, registry), NULL,
     "requirement registry (default " CLI_DEFAULT_REGISTRY " when present)"},
    {"previous", 0, "JSON", CLI_STRING, offsetof(struct report_args, previous), NULL,
     "results of an earlier run: the HTML report says what newly fails and what was fixed "
     "since (against the run of the same target)"},
    {"mutants", 0, "JSON", CLI_STRING, offsetof(struct report_args, mutants), NULL,
     "make mutate's results: the HTML report's strength.html (mutants the vectors kill, "
     "requirement rows defended)"},
    {"bench", 0, "JSON", CLI_STRING, offsetof(struct report_args, bench), NULL,
     "the bench.json of make bench: with --html, DIR/bench.html (the figures beside the "
     "kernel's and the traces under loss); no results JSON needed"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct cli_opt pcap2pkt_opts[] = {
    {"meta", 0, "FILE", CLI_STRING, offsetof(struct pcap2pkt_args, meta), NULL,
     "the capture's metadata (default: CAPTURE with .meta, when it exists)"},
    {"stack", 0, "ADDR[:PORT]", CLI_STRING, offsetof(struct pcap2pkt_args, stack), NULL,
     "the endpoint that is the stack under test (overrides the metadata)"},
    {"peer", 0, "ADDR[:PORT]", CLI_STRING, offsetof(struct pcap2pkt_args, peer), NULL,
     "the endpoint that is the script's side"},
    {"output", 'o', "FILE", CLI_STRING, offsetof(struct pcap2pkt_args, out), NULL,
     "write the script to FILE (default: standard output)"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static int parse_millis(const char *cmd, const char *opt, const char *val, void *field);

static const struct cli_opt lint_opts[] = {
    {"json", 0, NULL, CLI_FLAG, offsetof(struct lint_args, json), NULL,
     "one JSON document on standard output (\"schema\": \"synack-lint/1\")"},
    {"stack", 0, "ADDR[:PORT]", CLI_STRING, offsetof(struct lint_args, stack), NULL,
     "the stack under test: its findings are marked"},
    {"only-stack", 0, NULL, CLI_FLAG, offsetof(struct lint_args, only_stack), NULL,
     "with --stack: report only the stack's findings"},
    {"allow-truncated", 0, NULL, CLI_FLAG, offsetof(struct lint_args, allow_truncated), NULL,
     "lint a capture cut by a small snaplen (each datagram judged on what was\n"
     "captured), or cut off inside its last frame (the frames before it)"},
    {"skew", 0, "MS", CLI_PARSE, offsetof(struct lint_args, skew_ms), parse_millis,
     "the capture was taken up to MS away from the senders"},
    {"late", 0, "MS", CLI_PARSE, offsetof(struct lint_args, late_ms), parse_millis,
     "the stack's loop met its deadlines up to MS late (the process waited for\n"
     "a CPU): a delayed ACK may be that much later than 500 ms"},
    {"rules", 0, NULL, CLI_FLAG, offsetof(struct lint_args, rules), NULL,
     "list the oracle's rules and exit"},
    {"quiet", 'q', NULL, CLI_FLAG, offsetof(struct lint_args, quiet), NULL,
     "the summary of each capture only"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct cli_opt lint_script_opts[] = {
    {"quiet", 'q', NULL, CLI_FLAG, offsetof(struct lint_script_args, quiet), NULL,
     "the summary only"},
    {"kinds", 0, NULL, CLI_FLAG, offsetof(struct lint_script_args, kinds), NULL,
     "list the kinds of finding, each with packetdrill's way of saying it"},
    {"define", 'D', "NAME=VALUE", CLI_PARSE, offsetof(struct lint_script_args, defines),
     cli_parse_define, "packetdrill's -D, as synack run takes it"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static const struct cli_opt record_opts[] = {
    {"target", 0, "T", CLI_STRING, offsetof(struct record_args, target), NULL,
     "where the script runs (default linux: the host kernel's TCP; root)"},
    {"output", 'o', "OUT.pcap", CLI_STRING, offsetof(struct record_args, out), NULL,
     "the capture (default: the script's name with .pcap, here); the\n"
     "metadata goes beside it as OUT.meta"},
    {NULL, 0, NULL, 0, 0, NULL, NULL},
};

static int parse_millis(const char *cmd, const char *opt, const char *val, void *field)
{
    double ms;
    if (cli_parse_seconds(cmd, opt, val, &ms) < 0)
        return -1;
    if (ms > 10000) {
        fprintf(stderr, "%s: %s: expected milliseconds from 0 to 10000, got '%s'\n", cmd, opt, val);
        return -1;
    }
    *(double *)field = ms;
    return 0;
}

const struct cli_cmd cli_commands[] = {
    {"run", "PATH...", 1, 0,
     "Runs vectors against a target and reports each: pass, fail (script line,\n"
     "field, expected and actual), error (the vector cannot run) or skip (why).\n"
     "PATH is a .pkt script, a capture (.pcap, .pcapng with its .meta:\n"
     "vectors/pcap/README.md) or a folder of them; a file given twice runs once.\n"
     "Vectors are named by their path under vectors/, else relative to the\n"
     "argument that found them.",
     run_opts, cli_run},
    {"report", "JSON...", 0, 0,
     "Rebuilds HTML, JUnit XML or TAP from the results JSON of one or more runs\n"
     "(one per target: the HTML shows them side by side), and the bench page\n"
     "from make bench's bench.json (--bench).",
     report_opts, cli_report},
    {"coverage", "[PATH...]", 0, 0,
     "Runs the vectors (default vectors/) on a target, or reads --json FILE, and\n"
     "prints every requirement of the registry with its level, testability and\n"
     "vectors, then the totals per level. Exit 1 when a testable MUST has no\n"
     "passing vector.",
     coverage_opts, cli_coverage},
    {"pcap2pkt", "CAPTURE", 1, 1,
     "Writes the packetdrill script of one TCP conversation of CAPTURE (pcap or\n"
     "pcapng): the script a replay of it runs, to read, edit and keep. The\n"
     "metadata says which endpoint is the stack and what its application does;\n"
     "without it the side is guessed, and the script says so.",
     pcap2pkt_opts, cli_pcap2pkt},
    {"lint", "CAPTURE...", 0, 0,
     "Runs the RFC oracle over every TCP connection of each capture and prints\n"
     "its findings: frame, endpoints, rule, requirement, what was seen. A capture\n"
     "without a TCP segment has nothing to lint: it says so and fails.",
     lint_opts, cli_lint},
    {"lint-script", "PATH...", 0, 0,
     "Checks scripts against plain packetdrill's language: prints every place\n"
     "where one uses an extension of synack's or takes an argument packetdrill\n"
     "does not (file:line:column: kind: what), then how many scripts are plain\n"
     "packetdrill. Exit 1 when one is not.",
     lint_script_opts, cli_lint_script},
    {"record", "SCRIPT", 1, 1,
     "Runs SCRIPT on the target and writes the capture of the run and its\n"
     "metadata (the stack's address, the application's calls, the @req tags):\n"
     "copy both into vectors/pcap/ to make them a vector.",
     record_opts, cli_record},
    {"version", "", 0, 0, "Prints the version.", NULL, cli_version},
    {NULL, NULL, 0, 0, NULL, NULL, NULL},
};

/* synack: the conformance harness's command line.
 *
 *   synack run [options] PATH...     run vectors (files or folders of .pkt)
 *   synack report [options] JSON...  rebuild reports from results JSON
 *   synack coverage [options] [PATH...]  requirements covered, per level
 *   synack pcap2pkt | lint | record  captures: cli/capture_cmds.h
 *   synack version
 *
 * Exit status: 0 when everything passed (or was skipped or an expected
 * failure), 1 when a vector failed or errored, 2 on a usage error. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/capture_cmds.h"
#include "cli/cli.h"

static void usage(FILE *f)
{
    fputs("usage: synack run [--target mem] [-j N] [--json FILE] [--junit FILE] [--tap]\n"
          "                  [--pcap-dir DIR] [--html DIR] [--registry TSV] [--seed N]\n"
          "                  [--expect TSV] [-q] [-v] PATH...\n"
          "       synack report [--html DIR] [--junit FILE] [--tap] [--registry TSV] JSON...\n"
          "       synack coverage [--target T] [-j N] [--json FILE] [--allow-missing] [PATH...]\n"
          "       synack pcap2pkt [--meta FILE] [--stack A:P] [--peer A:P] [-o FILE] CAPTURE\n"
          "       synack lint [--json] [--stack A[:P] [--only-stack]] [--allow-truncated] CAPTURE...\n"
          "       synack record [--target linux] [-o OUT.pcap] SCRIPT\n"
          "       synack version\n"
          "Run 'synack help' for what each option does.\n",
          f);
}

static void help(void)
{
    usage(stdout);
    puts("\n"
         "run: replay packetdrill-style vectors (.pkt) and captures (.pcap, .pcapng, with\n"
         "their .meta: vectors/pcap/README.md) against a target and report\n"
         "  --target T       mem (default: synack in-process, virtual time); tun (synack\n"
         "                   on a real TUN device) or linux (the host kernel's TCP), both\n"
         "                   on the real clock in a private network namespace (root)\n"
         "  --max-real-time S  on tun and linux, skip vectors that need more than S\n"
         "                   seconds of real time (default 600; 0: no limit)\n"
         "  -j N             run N vectors at a time (default 1)\n"
         "  --json FILE      results as JSON (schema: harness/README.md)\n"
         "  --junit FILE     results as JUnit XML\n"
         "  --tap            TAP 13 on standard output instead of text\n"
         "  --pcap-dir DIR   one capture per vector: DIR/<vector>.pcap\n"
         "  --html DIR       self-contained HTML report: DIR/index.html\n"
         "  --registry TSV   requirement registry for the report\n"
         "                   (default vectors/requirements.tsv when present)\n"
         "  --expect TSV     expected failures of this target (vector, outcome, reason)\n"
         "  --seed N         RNG seed of the mem target (default 1)\n"
         "  -q, -v           quieter (summary only), or the ladder of every failure\n"
         "\n"
         "report: rebuild HTML, JUnit or TAP from one or more results JSON files\n"
         "(one per target: the HTML shows them side by side).\n"
         "\n"
         "coverage: run the vectors (default vectors/) on a target, or read --json FILE,\n"
         "and print every requirement of the registry with its level, testability and\n"
         "vectors, then the totals per level. --expect defaults to vectors/expect/T.tsv;\n"
         "-v lists every vector. Exit 1 when a testable MUST has no passing vector\n"
         "(--allow-missing: exit 0).\n"
         "\n"
         "pcap2pkt: the script a capture replays as (one conversation), to keep or edit.\n"
         "lint: the RFC oracle on any capture; --rules lists its rules. Exit 1 on findings.\n"
         "record: run a script on the linux target and save OUT.pcap and OUT.meta, a new\n"
         "capture vector.");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cli_run(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "coverage") == 0)
        return cli_coverage(argc - 1, argv + 1);
    if (strcmp(cmd, "pcap2pkt") == 0)
        return cli_pcap2pkt(argc - 1, argv + 1);
    if (strcmp(cmd, "lint") == 0)
        return cli_lint(argc - 1, argv + 1);
    if (strcmp(cmd, "record") == 0)
        return cli_record(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("synack " SYNACK_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        help();
        return 0;
    }
    fprintf(stderr, "synack: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}

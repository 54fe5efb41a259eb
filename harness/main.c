/* synack: the conformance harness's command line. The subcommands, their
 * options and help are tables in cli/commands.c; this dispatches.
 *
 *   synack CMD [options] OPERANDS...   run, report, coverage, pcap2pkt, lint, record, version
 *   synack help [CMD], synack CMD --help
 *
 * Exit status (cli/opts.h): 0 success, 1 failed vectors or findings,
 * 2 usage or I/O error. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"

/* Every command's usage line(s): every option of every command. */
static void usage(FILE *f)
{
    for (size_t i = 0; cli_commands[i].name; i++)
        cli_usage(f, &cli_commands[i]);
    fputs("       synack help [COMMAND]\n"
          "'synack COMMAND --help' says what a command and each of its options do.\n"
          "Exit status: 0 success, 1 failed vectors or findings, 2 usage or I/O error.\n",
          f);
}

static int help(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "synack help: expected at most one command\n");
        return CLI_EXIT_USAGE;
    }
    if (argc == 2) {
        const struct cli_cmd *c = cli_command(argv[1]);
        if (!c) {
            fprintf(stderr, "synack help: unknown command '%s'\n", argv[1]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
        cli_help(stdout, c);
        return CLI_EXIT_OK;
    }
    usage(stdout);
    for (size_t i = 0; cli_commands[i].name; i++) {
        printf("\n");
        cli_help(stdout, &cli_commands[i]);
    }
    return CLI_EXIT_OK;
}

int cli_version(int argc, char **argv)
{
    int first;
    int rc = cli_parse(cli_command("version"), argc, argv, NULL, &first);
    if (rc >= 0)
        return rc;
    puts("synack " SYNACK_VERSION);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return help(argc - 1, argv + 1);
    if (strcmp(cmd, "--version") == 0)
        cmd = "version";
    const struct cli_cmd *c = cli_command(cmd);
    if (c)
        return c->main(argc - 1, argv + 1);
    fprintf(stderr, "synack: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

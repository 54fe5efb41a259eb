/* cli/cli.h: the subcommands of the synack command (harness/main.c). */
#ifndef SYNACK_HARNESS_CLI_H
#define SYNACK_HARNESS_CLI_H

#ifndef SYNACK_VERSION
#define SYNACK_VERSION "0.1.0"
#endif

/* Each takes argv starting at the subcommand's name; returns the exit status. */
int cli_run(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_coverage(int argc, char **argv);

#endif

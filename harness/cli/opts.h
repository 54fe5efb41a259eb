/* cli/opts.h: the one option parser of the synack command. Each
 * subcommand is a table (struct cli_cmd): its options, operands and help
 * text. From the tables come the parsing, `synack CMD --help`, the
 * top-level usage that lists every option, and the usage errors, so every
 * subcommand keeps one convention:
 *
 *   --help, -h       usage and options on standard output, exit 0
 *   exit 0           success (every vector passed, no finding, output written)
 *   exit 1           what was judged failed (a vector failed or errored, lint
 *                    findings, a capture with nothing to judge, a MUST uncovered)
 *   exit 2           usage error, or an input that cannot be read or an output
 *                    that cannot be written, checked before any work is done
 *
 * A new option is one row in its command's table (cli/commands.c). */
#ifndef SYNACK_HARNESS_CLI_OPTS_H
#define SYNACK_HARNESS_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

enum cli_kind {
    CLI_FLAG,   /* bool at off */
    CLI_STRING, /* const char * at off */
    CLI_PARSE,  /* parse(cmd, opt, value, field at off) */
};

struct cli_opt {
    const char *name;  /* long name without "--" */
    char short_name;   /* 'j', or 0 */
    const char *arg;   /* "FILE", "N", ...; NULL for a flag */
    enum cli_kind kind;
    size_t off;        /* of the field in the command's argument struct */
    /* CLI_PARSE: 0, or -1 after "CMD: --opt: expected ..., got 'x'" */
    int (*parse)(const char *cmd, const char *opt, const char *val, void *field);
    const char *help;  /* one or more lines, without the option itself */
};

struct cli_cmd {
    const char *name;     /* "run" */
    const char *operands; /* "PATH...", "[PATH...]", "" */
    size_t min_operands, max_operands; /* max 0: no limit */
    const char *summary;  /* what the command does, a few lines */
    const struct cli_opt *opts; /* ends with a row whose name is NULL */
    int (*main)(int argc, char **argv);
};

/* Parse argv (argv[0] the command's name) into args. Returns -1 when the
 * command goes on (*first: the first operand), else the exit status:
 * 0 after --help, 2 after a usage error (said on standard error with the
 * usage line). */
int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *args, int *first);

/* "usage: synack run [--target T] ..." lines of one command. */
void cli_usage(FILE *f, const struct cli_cmd *c);
/* Usage, summary and every option with its help. */
void cli_help(FILE *f, const struct cli_cmd *c);

/* The subcommands (cli/commands.c), ending with a NULL name. */
extern const struct cli_cmd cli_commands[];
const struct cli_cmd *cli_command(const char *name);

/* Checks made before any work, each false after "CMD: PATH: why" on stderr:
 * a file can be created or overwritten; a folder exists or can be made,
 * and is writable (it is made). */
bool cli_writable_file(const char *cmd, const char *opt, const char *path);
bool cli_writable_dir(const char *cmd, const char *opt, const char *dir);
bool cli_readable_file(const char *cmd, const char *path);

/* Option values shared by several commands. */
int cli_parse_jobs(const char *cmd, const char *opt, const char *val, void *field);
int cli_parse_seed(const char *cmd, const char *opt, const char *val, void *field);
/* ipv4, ipv4-mapped-ipv6 or ipv6 into an int (enum script_ip_version). */
int cli_parse_ip_version(const char *cmd, const char *opt, const char *val, void *field);
int cli_parse_seconds(const char *cmd, const char *opt, const char *val, void *field);
/* NAME=VALUE appended to a struct cli_defines (repeatable). */
int cli_parse_define(const char *cmd, const char *opt, const char *val, void *field);

#endif

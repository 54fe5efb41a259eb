/* cli/opts.c: option parsing, usage and help from the command tables
 * (cli/opts.h), and the checks every command makes before it works. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/batch.h"
#include "cli/opts.h"
#include "cli/paths.h"

#define MAX_OPTS 40
#define USAGE_WIDTH 78

static size_t opt_count(const struct cli_cmd *c)
{
    size_t n = 0;
    while (c->opts && c->opts[n].name)
        n++;
    return n;
}

/* "[--json FILE]", "[-j N]", "[-q]": how an option shows in the usage line. */
static void opt_usage(const struct cli_opt *o, char *buf, size_t len)
{
    if (o->short_name && !o->arg)
        snprintf(buf, len, "[-%c]", o->short_name);
    else if (o->short_name)
        snprintf(buf, len, "[-%c %s]", o->short_name, o->arg);
    else if (o->arg)
        snprintf(buf, len, "[--%s %s]", o->name, o->arg);
    else
        snprintf(buf, len, "[--%s]", o->name);
}

void cli_usage(FILE *f, const struct cli_cmd *c)
{
    char head[64], item[96];
    int n = snprintf(head, sizeof head, "synack %s", c->name);
    size_t col = (size_t)fprintf(f, "usage: %s", head);
    size_t indent = 7 + (size_t)n;
    for (size_t i = 0; c->opts && c->opts[i].name; i++) {
        opt_usage(&c->opts[i], item, sizeof item);
        if (col + 1 + strlen(item) > USAGE_WIDTH)
            col = (size_t)fprintf(f, "\n%*s", (int)indent, "") - 1;
        col += (size_t)fprintf(f, " %s", item);
    }
    if (c->operands && c->operands[0]) {
        if (col + 1 + strlen(c->operands) > USAGE_WIDTH)
            fprintf(f, "\n%*s", (int)indent, "");
        fprintf(f, " %s", c->operands);
    }
    fputc('\n', f);
}

/* Words of text, wrapped to USAGE_WIDTH, lines after the first indented to
 * column indent (the first starts there already). */
static void wrap(FILE *f, const char *text, size_t indent)
{
    size_t col = indent;
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t w = strcspn(p, " \n");
        if (w == 0)
            break;
        if (col > indent && col + 1 + w > USAGE_WIDTH) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        }
        col += (size_t)fprintf(f, " %.*s", (int)w, p);
        p += w;
    }
    fputc('\n', f);
}

void cli_help(FILE *f, const struct cli_cmd *c)
{
    cli_usage(f, c);
    fprintf(f, "\n%s\n", c->summary);
    if (opt_count(c))
        fprintf(f, "\noptions:\n");
    for (size_t i = 0; c->opts && c->opts[i].name; i++) {
        const struct cli_opt *o = &c->opts[i];
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-22s", left);
        if (strlen(left) > 22)
            fprintf(f, "\n  %-22s", "");
        wrap(f, o->help, 24);
    }
    fprintf(f, "  %-22s this text, on standard output\n", "-h, --help");
    fprintf(f, "\nexit status: 0 success, 1 failed (vectors, findings), 2 usage or I/O error\n");
}

static int usage_error(const struct cli_cmd *c)
{
    cli_usage(stderr, c);
    fprintf(stderr, "'synack %s --help' says what each option does\n", c->name);
    return CLI_EXIT_USAGE;
}

static int set_opt(const struct cli_cmd *c, const struct cli_opt *o, const char *val, void *args)
{
    char cmd[64], name[64];
    void *field = (char *)args + o->off;
    snprintf(cmd, sizeof cmd, "synack %s", c->name);
    switch (o->kind) {
    case CLI_FLAG: *(bool *)field = true; return 0;
    case CLI_STRING: *(const char **)field = val; return 0;
    case CLI_PARSE:
        if (o->short_name && !o->name[0])
            snprintf(name, sizeof name, "-%c", o->short_name);
        else
            snprintf(name, sizeof name, "--%s", o->name);
        return o->parse(cmd, name, val, field);
    }
    return -1;
}

int cli_parse(const struct cli_cmd *c, int argc, char **argv, void *args, int *first)
{
    struct option longopts[MAX_OPTS + 2];
    char shorts[2 * MAX_OPTS + 4] = "+:h";
    size_t n = opt_count(c), ns = 3;
    if (n > MAX_OPTS)
        n = MAX_OPTS;
    for (size_t i = 0; i < n; i++) {
        const struct cli_opt *o = &c->opts[i];
        longopts[i] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL,
                                      (int)(256 + i)};
        if (o->short_name) {
            shorts[ns++] = o->short_name;
            if (o->arg)
                shorts[ns++] = ':';
        }
    }
    shorts[ns] = '\0';
    longopts[n] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n + 1] = (struct option){NULL, 0, NULL, 0};
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        const struct cli_opt *o = NULL;
        if (ch == 'h') {
            cli_help(stdout, c);
            return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
        if (ch >= 256 && (size_t)(ch - 256) < n)
            o = &c->opts[ch - 256];
        for (size_t i = 0; !o && i < n; i++)
            if (c->opts[i].short_name == ch)
                o = &c->opts[i];
        if (!o) {
            const char *bad = argv[optind - 1];
            if (ch == ':')
                fprintf(stderr, "synack %s: option needs a value: '%s'\n", c->name, bad);
            else if (optopt > 0 && optopt < 256)
                fprintf(stderr, "synack %s: unknown option '-%c'\n", c->name, optopt);
            else
                fprintf(stderr, "synack %s: unknown option '%s'\n", c->name, bad);
            return usage_error(c);
        }
        if (set_opt(c, o, optarg, args) < 0)
            return CLI_EXIT_USAGE;
    }
    size_t ops = (size_t)(argc - optind);
    if (ops < c->min_operands || (c->max_operands && ops > c->max_operands)) {
        if (ops < c->min_operands)
            fprintf(stderr, "synack %s: missing %s\n", c->name, c->operands);
        else
            fprintf(stderr, "synack %s: expected one %s, got %zu\n", c->name, c->operands, ops);
        return usage_error(c);
    }
    *first = optind;
    return -1;
}

const struct cli_cmd *cli_command(const char *name)
{
    for (size_t i = 0; cli_commands[i].name; i++)
        if (strcmp(cli_commands[i].name, name) == 0)
            return &cli_commands[i];
    return NULL;
}

/* ---- checks before any work ---- */

static void dir_of(const char *path, char *dir, size_t len)
{
    snprintf(dir, len, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
}

bool cli_writable_file(const char *cmd, const char *opt, const char *path)
{
    char dir[4096];
    struct stat st;
    if (!path[0]) {
        fprintf(stderr, "%s: %s: empty file name\n", cmd, opt);
        return false;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "%s: %s %s: is a folder, not a file\n", cmd, opt, path);
            return false;
        }
        if (access(path, W_OK) < 0) {
            fprintf(stderr, "%s: %s %s: cannot be written: %s\n", cmd, opt, path, strerror(errno));
            return false;
        }
        return true;
    }
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s %s: folder %s does not exist\n", cmd, opt, path, dir);
        return false;
    }
    if (access(dir, W_OK) < 0) {
        fprintf(stderr, "%s: %s %s: folder %s is not writable: %s\n", cmd, opt, path, dir,
                strerror(errno));
        return false;
    }
    return true;
}

bool cli_writable_dir(const char *cmd, const char *opt, const char *dir)
{
    struct stat st;
    if (!dir[0] || paths_mkdirs(dir) < 0) {
        fprintf(stderr, "%s: %s %s: cannot make the folder: %s\n", cmd, opt, dir,
                dir[0] ? strerror(errno) : "empty name");
        return false;
    }
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) < 0) {
        fprintf(stderr, "%s: %s %s: not a writable folder\n", cmd, opt, dir);
        return false;
    }
    return true;
}

bool cli_readable_file(const char *cmd, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
        fprintf(stderr, "%s: %s: %s\n", cmd, path, strerror(errno));
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s: is a folder, not a file\n", cmd, path);
        return false;
    }
    return true;
}

/* ---- option values ---- */

int cli_parse_jobs(const char *cmd, const char *opt, const char *val, void *field)
{
    char *end = NULL;
    long v = strtol(val, &end, 10);
    if (!*val || *end || v < 1 || v > BATCH_MAX_JOBS) {
        fprintf(stderr, "%s: %s: expected 1 to %d, got '%s'\n", cmd, opt, BATCH_MAX_JOBS, val);
        return -1;
    }
    *(int *)field = (int)v;
    return 0;
}

int cli_parse_seed(const char *cmd, const char *opt, const char *val, void *field)
{
    char *end = NULL;
    unsigned long long v = strtoull(val, &end, 0);
    if (!*val || *end || *val == '-') {
        fprintf(stderr, "%s: %s: expected a number, got '%s'\n", cmd, opt, val);
        return -1;
    }
    *(uint64_t *)field = v;
    return 0;
}

int cli_parse_define(const char *cmd, const char *opt, const char *val, void *field)
{
    struct cli_defines *d = field;
    const char *eq = strchr(val, '=');
    if (eq == NULL || eq == val) {
        fprintf(stderr, "%s: %s: expected NAME=VALUE, got '%s'\n", cmd, opt, val);
        return -1;
    }
    if (d->count == CLI_MAX_DEFINES) {
        fprintf(stderr, "%s: %s: more than %d defines\n", cmd, opt, CLI_MAX_DEFINES);
        return -1;
    }
    d->text[d->count++] = val;
    return 0;
}

int cli_parse_ip_version(const char *cmd, const char *opt, const char *val, void *field)
{
    static const char *const names[] = {"ipv4", "ipv4-mapped-ipv6", "ipv6"};
    for (int i = 0; i < 3; i++)
        if (strcmp(val, names[i]) == 0) {
            *(int *)field = i; /* SCRIPT_IPV4, SCRIPT_IPV4_MAPPED_IPV6, SCRIPT_IPV6 */
            return 0;
        }
    fprintf(stderr, "%s: %s: expected ipv4, ipv4-mapped-ipv6 or ipv6, got '%s'\n", cmd, opt, val);
    return -1;
}

int cli_parse_seconds(const char *cmd, const char *opt, const char *val, void *field)
{
    char *end = NULL;
    double v = strtod(val, &end);
    if (!*val || *end || !(v >= 0) || v > 1e6) {
        fprintf(stderr, "%s: %s: expected seconds from 0 to 1000000, got '%s'\n", cmd, opt, val);
        return -1;
    }
    *(double *)field = v;
    return 0;
}

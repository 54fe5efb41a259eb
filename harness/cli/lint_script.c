/* synack lint-script: the dialect check (script/dialect.h) of scripts and
 * folders of them: every place where a script is not plain packetdrill,
 * by line, then how many are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/paths.h"
#include "script/dialect.h"

#define CMD "synack lint-script"
#define FINDINGS_MAX 256

static void print_kinds(void)
{
    for (size_t i = 0; dialect_kinds[i].kind; i++)
        printf("%-20s %s\n%-20s packetdrill: %s\n", dialect_kinds[i].kind, dialect_kinds[i].what,
               "", dialect_kinds[i].packetdrill);
}

/* Check one script: 0 plain packetdrill, 1 findings, -1 not a script. */
static int check_one(const struct lint_script_args *a, const char *path, size_t *findings)
{
    struct script *s = NULL;
    struct script_error err;
    if (script_parse_file_defines(path, a->defines.text, (size_t)a->defines.count, &s, &err) < 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg);
        printf("%s\n", msg);
        return -1;
    }
    static struct dialect_finding f[FINDINGS_MAX];
    size_t n = dialect_check(s, f, FINDINGS_MAX);
    for (size_t i = 0; !a->quiet && i < n && i < FINDINGS_MAX; i++)
        printf("%s:%u:%u: %s: %s\n", path, f[i].line, f[i].column, f[i].kind, f[i].message);
    if (!a->quiet && n > FINDINGS_MAX)
        printf("%s: %zu more\n", path, n - FINDINGS_MAX);
    *findings += n;
    script_free(s);
    return n ? 1 : 0;
}

int cli_lint_script(int argc, char **argv)
{
    struct lint_script_args a = {0};
    int first;
    int rc = cli_parse(cli_command("lint-script"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    if (a.kinds) {
        print_kinds();
        return CLI_EXIT_OK;
    }
    if (first >= argc) {
        fprintf(stderr, CMD ": no script given\n");
        cli_usage(stderr, cli_command("lint-script"));
        return CLI_EXIT_USAGE;
    }
    struct vector_list l = {0};
    char err[512];
    if (paths_collect(argv + first, (size_t)(argc - first), &l, err, sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        return CLI_EXIT_USAGE;
    }
    size_t plain = 0, with = 0, bad = 0, findings = 0, scripts = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t len = strlen(l.path[i]);
        if (len < 4 || strcmp(l.path[i] + len - 4, ".pkt") != 0)
            continue; /* captures are not scripts */
        scripts++;
        int r = check_one(&a, l.path[i], &findings);
        plain += r == 0;
        with += r == 1;
        bad += r < 0;
    }
    paths_free(&l);
    printf("%zu scripts: %zu in plain packetdrill syntax, %zu with synack's extensions "
           "(%zu places)%s\n", scripts, plain, with, findings,
           bad ? ", some that do not parse" : "");
    return with || bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

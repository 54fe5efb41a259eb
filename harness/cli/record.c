/* synack record: run a script on the linux target (the kernel's own TCP)
 * and keep what happened as a new pcap vector: the capture of the run and
 * a metadata file derived from the script's system calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "pcap/capture.h"
#include "pcap/meta.h"
#include "pcap/translate.h"
#include "run/runner.h"
#include "script/script.h"

static const char *basename_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static char *default_out(const char *script)
{
    const char *b = basename_of(script);
    size_t n = strlen(b);
    const char *dot = strrchr(b, '.');
    if (dot && dot != b)
        n = (size_t)(dot - b);
    char *o = malloc(n + 6);
    if (o)
        snprintf(o, n + 6, "%.*s.pcap", (int)n, b);
    return o;
}

static bool int_arg(const struct script_syscall *sc, size_t i, int64_t *v)
{
    if (i >= sc->arg_count || sc->args[i]->kind != SCRIPT_EXPR_INT)
        return false;
    *v = sc->args[i]->num;
    return true;
}

static bool int_result(const struct script_syscall *sc, int64_t *v)
{
    if (!sc->result || sc->result->kind != SCRIPT_EXPR_INT)
        return false;
    *v = sc->result->num;
    return true;
}

/* Did the call on this line run (a run that failed stops early)? */
static bool ran(const struct vector_result *res, unsigned line)
{
    for (size_t i = 0; i < res->ladder_count; i++)
        if (res->ladder[i].kind == LADDER_SYSCALL && res->ladder[i].line == line &&
            res->ladder[i].t_actual >= 0)
            return true;
    return false;
}

/* The metadata: one 'app' line per call that ran and moves data or state. */
static void write_app_lines(FILE *f, const struct script *s, const struct vector_result *res)
{
    int64_t listen_fd = -1;
    bool shut = false;
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_event *ev = &s->events[i];
        if (ev->type != SCRIPT_EV_SYSCALL || !ran(res, ev->line))
            continue;
        const struct script_syscall *sc = &ev->syscall;
        const char *n = sc->name;
        int64_t fd = -1, len = 0, res = 0;
        int_arg(sc, 0, &fd);
        if (strcmp(n, "listen") == 0) {
            listen_fd = fd;
            fprintf(f, "app listen\n");
        } else if (strcmp(n, "accept") == 0) {
            fprintf(f, "app accept\n");
        } else if (strcmp(n, "connect") == 0) {
            fprintf(f, "app connect\n");
        } else if (strcmp(n, "write") == 0 || strcmp(n, "send") == 0) {
            if (int_result(sc, &res) && res > 0)
                fprintf(f, "app write %lld\n", (long long)res);
            else if (int_arg(sc, 2, &len) && len > 0)
                fprintf(f, "app write %lld\n", (long long)len);
        } else if (strcmp(n, "read") == 0 || strcmp(n, "recv") == 0) {
            if (int_result(sc, &res) && res > 0)
                fprintf(f, "app read %lld\n", (long long)res);
        } else if (strcmp(n, "shutdown") == 0) {
            fprintf(f, "app shutdown\n");
            shut = true;
        } else if (strcmp(n, "close") == 0 && fd != listen_fd) {
            /* after shutdown the FIN is out already: close() shows nothing */
            if (shut)
                fprintf(f, "app close at %.6f\n", ev->time.start_usecs / 1e6);
            else
                fprintf(f, "app close\n");
        } else if (strcmp(n, "socket") != 0 && strcmp(n, "bind") != 0) {
            fprintf(f, "# not replayed (line %u): %s(...)\n", ev->line, n);
        }
    }
}

static int write_meta(const char *path, const char *script_path, const struct script *s,
                      const char *target, const struct vector_result *res)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    char why[600];
    vector_result_describe(res, why, sizeof why);
    uint32_t a = s->options.local_ip_given ? s->options.local_ip : RUN_DEFAULT_LOCAL_IP;
    fprintf(f, "# Recorded by synack record from %s on target %s: %s%s%s.\n", script_path, target,
            result_status_name(res->status), res->message ? ": " : "", res->message ? why : "");
    fprintf(f, "description Recorded from %s on target %s.\n", basename_of(script_path), target);
    bool passive = false;
    for (size_t i = 0; i < s->event_count; i++)
        if (s->events[i].type == SCRIPT_EV_SYSCALL && strcmp(s->events[i].syscall.name, "listen") == 0)
            passive = true;
    if (passive)
        fprintf(f, "stack %u.%u.%u.%u:%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
                s->options.bind_port_given ? s->options.bind_port : SCRIPT_DEFAULT_PORT);
    else
        fprintf(f, "stack %u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    write_app_lines(f, s, res);
    fputs("# Windows and where PSH goes are each stack's own choice: not compared.\n"
          "ignore window psh\n", f);
    for (size_t i = 0; i < s->req_count; i++)
        fprintf(f, "req %s\n", s->reqs[i].tag);
    return fclose(f) == 0 ? 0 : -1;
}

int cli_record(int argc, char **argv)
{
    struct record_args a = {.target = "linux"};
    int first;
    int rc = cli_parse(cli_command("record"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    const char *target_name = a.target, *out = a.out;
    const char *script_path = argv[first];
    if (!cli_readable_file("synack record", script_path) ||
        (out && !cli_writable_file("synack record", "-o", out)))
        return CLI_EXIT_USAGE;
    const struct target_ops *target = target_find(target_name);
    if (!target) {
        fprintf(stderr, "synack record: target %s is not available\n", target_name);
        return 1;
    }
    struct script *s = NULL;
    struct script_error se;
    if (script_parse_file(script_path, &s, &se) < 0) {
        char msg[600];
        script_error_format(&se, msg, sizeof msg);
        fprintf(stderr, "synack record: %s\n", msg);
        return 1;
    }
    char *out_alloc = out ? NULL : default_out(script_path);
    const char *pcap_path = out ? out : out_alloc;
    char *meta_path = pcap_path ? pcap_meta_path_for(pcap_path) : NULL;
    int status = 1;
    if (!pcap_path || !meta_path) {
        fprintf(stderr, "synack record: out of memory\n");
        goto done;
    }
    struct vector_result res;
    vector_result_init(&res);
    struct run_options o = {.target = target, .pcap_path = pcap_path, .seed = 1,
                            .max_script_us = 3600LL * 1000000};
    run_script(s, &o, &res);
    if (res.status == RESULT_ERROR && !res.pcap_path) {
        fprintf(stderr, "synack record: %s: %s\n", script_path, res.message ? res.message : "error");
        vector_result_free(&res);
        goto done;
    }
    if (write_meta(meta_path, script_path, s, target_name, &res) < 0) {
        fprintf(stderr, "synack record: %s: cannot write\n", meta_path);
        vector_result_free(&res);
        goto done;
    }
    char why[600];
    vector_result_describe(&res, why, sizeof why);
    printf("recorded %s and %s from %s on target %s (%s%s%s)\n", pcap_path, meta_path,
           script_path, target_name, result_status_name(res.status), res.message ? ": " : "",
           res.message ? why : "");
    /* the new vector must translate; say so now rather than at its first run */
    char err[1024];
    struct capture *cap = NULL;
    struct pcap_meta *meta = NULL;
    struct pcap_script ps = {0};
    if (capture_read_file(pcap_path, 0, &cap, err, sizeof err) < 0 ||
        pcap_meta_parse_file(meta_path, &meta, err, sizeof err) < 0 ||
        pcap_translate(cap, meta, &ps, err, sizeof err) < 0)
        fprintf(stderr, "synack record: warning: the new vector does not replay as written: %s\n"
                        "edit %s\n", err, meta_path);
    else
        status = res.status == RESULT_PASS ? 0 : 1;
    pcap_script_free(&ps);
    pcap_meta_free(meta);
    capture_free(cap);
    vector_result_free(&res);
done:
    free(out_alloc);
    free(meta_path);
    script_free(s);
    return status;
}

/* synack lint: the RFC oracle (harness/oracle) on any capture, pcap or
 * pcapng: every IPv4 and IPv6 datagram in frame order, findings by frame
 * number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "oracle/oracle.h"
#include "pcap/capture.h"
#include "pcap/conv.h"

#define CMD "synack lint"

/* What the options say, parsed once. */
struct lint_opts {
    const struct lint_args *a;
    uint64_t skew_us;
    uint64_t late_us;
    bool stack_given;
    struct conv_endpoint stack;
};

static const char *from_name(enum oracle_from f)
{
    return f == ORACLE_FROM_STACK ? "stack" : f == ORACLE_FROM_PEER ? "peer" : NULL;
}

/* Who sent the packet, by --stack: the stack, its peer, or neither. */
static enum oracle_from sender(const struct lint_opts *lo, const struct cap_packet *p)
{
    struct conv_endpoint src, dst;
    uint8_t flags;
    if (!lo->stack_given || !conv_tcp_endpoints(p->data, p->len, &src, &dst, &flags))
        return ORACLE_FROM_UNKNOWN;
    if (conv_endpoint_matches(&lo->stack, &src))
        return ORACLE_FROM_STACK;
    if (conv_endpoint_matches(&lo->stack, &dst))
        return ORACLE_FROM_PEER;
    return ORACLE_FROM_UNKNOWN;
}

static void print_rules(void)
{
    for (size_t i = 0; i < oracle_rule_count(); i++) {
        const struct oracle_rule *r = oracle_rule_at(i);
        printf("%-26s %-22s %s\n", r->name, r->req, r->summary);
    }
    printf("%zu rules\n", oracle_rule_count());
}

/* Lint one capture; appends its JSON object to arr when arr is given. */
static int lint_one(const struct lint_opts *lo, const char *path, json_t *arr, size_t *total)
{
    const struct lint_args *a = lo->a;
    char err[1024];
    struct capture *cap = NULL;
    if (capture_read_file(path, a->allow_truncated ? CAPTURE_ALLOW_TRUNCATED : 0, &cap, err,
                          sizeof err) < 0) {
        fprintf(stderr, CMD ": %s\n", err);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s,s:s}", "path", path, "error", err));
        return -1;
    }
    struct oracle_config cfg;
    oracle_config_default(&cfg);
    cfg.skew_us = lo->skew_us;
    /* MUST-40 bounds the delay the stack chooses; a timer due when the
     * process had no CPU runs when it gets one (the app's report says how
     * late): that wait is the machine's, not the stack's */
    cfg.ack_delay_max_us += lo->late_us;
    struct oracle *o = oracle_new(&cfg);
    if (!o) {
        fprintf(stderr, CMD ": out of memory\n");
        capture_free(cap);
        return -1;
    }
    int64_t t0 = cap->count ? cap->pkts[0].time_us : 0;
    for (size_t i = 0; i < cap->count; i++) {
        const struct cap_packet *p = &cap->pkts[i];
        enum oracle_from from = sender(lo, p);
        int64_t t = p->time_us - t0;
        oracle_packet_number(o, p->number, p->data, p->len, (uint64_t)(t < 0 ? 0 : t), from);
    }
    int64_t end = cap->count ? cap->pkts[cap->count - 1].time_us - t0 : 0;
    oracle_finish(o, (uint64_t)(end < 0 ? 0 : end));
    struct oracle_stats st;
    oracle_stats(o, &st);
    size_t n = oracle_finding_count(o);
    json_t *findings = arr ? json_array() : NULL;
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        const struct oracle_finding *f = oracle_finding_at(o, i);
        char s[ORACLE_ENDPOINT_LEN], d[ORACLE_ENDPOINT_LEN];
        if (a->only_stack && f->from != ORACLE_FROM_STACK)
            continue;
        counted++;
        oracle_endpoint_format(&f->src, f->sport, s, sizeof s);
        oracle_endpoint_format(&f->dst, f->dport, d, sizeof d);
        if (findings) {
            json_t *j = json_pack("{s:i,s:f,s:s,s:s,s:s,s:s,s:s}", "frame", (json_int_t)f->packet,
                                  "time", f->time_us / 1e6, "rule", f->rule->name, "req",
                                  f->rule->req, "src", s, "dst", d, "message", f->message);
            if (j && from_name(f->from))
                json_object_set_new(j, "sender", json_string(from_name(f->from)));
            json_array_append_new(findings, j);
        } else if (!a->quiet) {
            printf("%s: frame %u %s > %s%s: %s (%s): %s\n", path, f->packet, s, d,
                   f->from == ORACLE_FROM_STACK ? " (stack)" : "", f->rule->name, f->rule->req,
                   f->message);
        }
    }
    if (st.tcp_segments == 0) {
        /* nothing to judge: say so, and fail as run and pcap2pkt do */
        fprintf(stderr, CMD ": %s: no TCP segment in %u frame%s (%zu IP datagram%s): nothing "
                        "to lint\n", path, cap->frames, cap->frames == 1 ? "" : "s", cap->count,
                cap->count == 1 ? "" : "s");
        if (cap->malformed)
            fprintf(stderr, CMD ": %s: %u of them malformed, the first %s\n", path,
                    cap->malformed, cap->malformed_first);
        if (arr)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:i}", "path", path, "error",
                                                 "no TCP segment", "frames",
                                                 (json_int_t)cap->frames));
        oracle_free(o);
        capture_free(cap);
        return -1;
    }
    if (cap->cut_frame && !a->json)
        printf("%s: frame %u is cut off by the end of the file: the %u complete frame%s before "
               "it %s linted\n", path, cap->cut_frame, cap->frames, cap->frames == 1 ? "" : "s",
               cap->frames == 1 ? "was" : "were");
    if (arr) {
        json_t *j = json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:o,s:i}", "path", path, "frames",
                              (json_int_t)cap->frames, "tcp_segments", (json_int_t)st.tcp_segments,
                              "connections", (json_int_t)st.connections, "offload_checksums",
                              (json_int_t)st.offload_checksums, "untracked_connections",
                              (json_int_t)st.conns_untracked, "findings", findings,
                              "findings_dropped", (json_int_t)oracle_findings_dropped(o));
        if (j && cap->malformed) {
            json_object_set_new(j, "malformed", json_integer((json_int_t)cap->malformed));
            json_object_set_new(j, "malformed_first", json_string(cap->malformed_first));
        }
        if (j && cap->cut_frame)
            json_object_set_new(j, "cut_frame", json_integer((json_int_t)cap->cut_frame));
        if (j)
            json_object_set_new(j, "readings_max", json_integer((json_int_t)st.readings_max));
        json_array_append_new(arr, j);
    } else {
        size_t all = counted + oracle_findings_dropped(o);
        printf("%s: %zu finding%s%s in %u frame%s, %u TCP segment%s, %u connection%s", path,
               all, all == 1 ? "" : "s", a->only_stack ? " of the stack" : "", cap->frames,
               cap->frames == 1 ? "" : "s", st.tcp_segments, st.tcp_segments == 1 ? "" : "s",
               st.connections, st.connections == 1 ? "" : "s");
        if (st.offload_checksums)
            printf("; %u TCP checksums left to the NIC were not judged", st.offload_checksums);
        if (cap->malformed)
            printf("; %u IP datagram%s malformed, not judged (the first %s)", cap->malformed,
                   cap->malformed == 1 ? "" : "s", cap->malformed_first);
        if (st.conns_untracked)
            printf("; segments of %u connections past the limit were not followed",
                   st.conns_untracked);
        if (st.readings_max > 1)
            printf("; up to %u readings of a connection kept where the packets were ambiguous",
                   st.readings_max);
        printf("\n");
    }
    *total += counted + oracle_findings_dropped(o);
    oracle_free(o);
    capture_free(cap);
    return 0;
}

int cli_lint(int argc, char **argv)
{
    struct lint_args a = {0};
    int first;
    int rc = cli_parse(cli_command("lint"), argc, argv, &a, &first);
    if (rc >= 0)
        return rc;
    struct lint_opts lo = {.a = &a, .skew_us = (uint64_t)(a.skew_ms * 1000),
                           .late_us = (uint64_t)(a.late_ms * 1000)};
    if (a.rules) {
        print_rules();
        return CLI_EXIT_OK;
    }
    if (a.stack) {
        if (conv_endpoint_parse(a.stack, &lo.stack) < 0) {
            fprintf(stderr, CMD ": --stack: expected ADDR[:PORT], got '%s'\n", a.stack);
            return CLI_EXIT_USAGE;
        }
        lo.stack_given = true;
    }
    if (a.only_stack && !a.stack) {
        fprintf(stderr, CMD ": --only-stack needs --stack\n");
        return CLI_EXIT_USAGE;
    }
    if (first >= argc) {
        fprintf(stderr, CMD ": no capture given\n");
        cli_usage(stderr, cli_command("lint"));
        return CLI_EXIT_USAGE;
    }
    for (int i = first; i < argc; i++)
        if (!cli_readable_file(CMD, argv[i]))
            return CLI_EXIT_USAGE;
    json_t *root = NULL, *arr = NULL;
    if (a.json) {
        root = json_object();
        arr = json_array();
        json_object_set_new(root, "schema", json_string("synack-lint/1"));
        json_object_set_new(root, "captures", arr);
    }
    size_t total = 0;
    bool unreadable = false;
    for (int i = first; i < argc; i++)
        if (lint_one(&lo, argv[i], arr, &total) < 0)
            unreadable = true;
    if (root) {
        json_object_set_new(root, "findings", json_integer((json_int_t)total));
        json_dumpf(root, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(root);
    }
    return total || unreadable ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

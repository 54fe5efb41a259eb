/* fuzz/gen/corpus.c: turn conformance scripts (vectors/) into seeds for the
 * stack fuzz target: each script's inbound packets become segment (or
 * ICMP) steps, its system calls socket-call steps, its times clock steps.
 * Numbers stay as the script wrote them, relative to the ISNs (the step
 * modes FZ_SEQ_PEER_ISN and FZ_ACK_ISS), so a seed replays the vector's
 * conversation; the fuzzer then mutates it. Expectations (outbound lines)
 * only move the clock.
 *
 *   corpus-gen OUTDIR FILE.pkt...   writes OUTDIR/<folder>-<name> per script
 *
 * `make corpus` runs it (mk/fuzz.mk); fuzz/README.md describes the format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/script.h"

#include "../stack_steps.h"

/* A script's mutation field as the stack target's, by name (the script
 * language has fields the target lacks: ip.options, ip.frag): -1 if none. */
static int fz_mut_of(enum script_mut_field m)
{
    switch (m) {
#define FZ_MUT_CASE_(name) case SCRIPT_MUT_##name: return FZ_MUT_##name;
    FZ_MUT_CASE_(IP_VERSION) FZ_MUT_CASE_(IP_IHL) FZ_MUT_CASE_(IP_TOS) FZ_MUT_CASE_(IP_LEN)
    FZ_MUT_CASE_(IP_ID) FZ_MUT_CASE_(IP_DF) FZ_MUT_CASE_(IP_MF) FZ_MUT_CASE_(IP_FRAG_OFF)
    FZ_MUT_CASE_(IP_TTL) FZ_MUT_CASE_(IP_PROTO) FZ_MUT_CASE_(IP_CSUM) FZ_MUT_CASE_(IP_SRC)
    FZ_MUT_CASE_(IP_DST) FZ_MUT_CASE_(TCP_SPORT) FZ_MUT_CASE_(TCP_DPORT) FZ_MUT_CASE_(TCP_DOFF)
    FZ_MUT_CASE_(TCP_RESERVED) FZ_MUT_CASE_(TCP_CSUM) FZ_MUT_CASE_(TCP_URG_PTR)
    FZ_MUT_CASE_(TRUNCATE)
#undef FZ_MUT_CASE_
    default: return -1;
    }
}

struct gen {
    struct fz_buf out;
    int64_t t_us;          /* script time of the last event */
    int64_t emitted_us;    /* clock time the steps have reached */
    bool remote_isn_known;
    uint32_t remote_isn;
    uint32_t script_local_isn;
    bool stack_ts_known;   /* the latest TSval of the script's stack, as written */
    uint32_t stack_ts;
    uint8_t cookie[SCRIPT_OPT_DATA_MAX]; /* the latest Fast Open cookie it gave */
    uint8_t cookie_len;
    unsigned skipped;      /* lines with no step equivalent */
};

static int64_t event_time(struct gen *g, const struct script_event *ev)
{
    const struct script_timing *tm = &ev->time;
    switch (tm->kind) {
    case SCRIPT_TIME_ABSOLUTE:
        return tm->start_usecs;
    case SCRIPT_TIME_RELATIVE:
        return g->t_us + tm->start_usecs;
    case SCRIPT_TIME_RANGE:
        return tm->relative ? g->t_us + tm->start_usecs : tm->start_usecs;
    default: /* ANY, NONE */
        return g->t_us;
    }
}

static void clock_to(struct gen *g, int64_t t)
{
    if (t > g->emitted_us) {
        int64_t d = t - g->emitted_us;
        while (d > 0) {
            uint32_t step = d > 0x7fffffff ? 0x7fffffff : (uint32_t)d;
            fz_put_clock_us(&g->out, step);
            d -= step;
        }
        g->emitted_us = t;
    }
}

/* A TSecr relative to the script's latest TSval (FZ_OPT_REL adds the
 * stack's latest on the slot). */
static uint32_t ts_ecr_rel(void *ctx, uint32_t ecr)
{
    const struct gen *g = ctx;
    return g->stack_ts_known ? ecr - g->stack_ts : ecr;
}

/* The options of a line as octets, unpadded (script_options_to_wire): as
 * many of them as fit in 40 octets, with FZ_OPT_REL's numbers: SACK edges
 * as written (relative to the ISS), TSecr relative to the stack's latest
 * TSval, a Fast Open cookie the script's stack gave as all 0xff octets. */
static uint8_t raw_options(struct gen *g, const struct script_packet *p, uint8_t *out)
{
    struct script_packet fit = *p;
    struct script_opt_map map = {.sack_offset = 0, .ts_ecr = ts_ecr_rel, .ctx = g};
    int n;
    while ((n = script_options_to_wire(&fit, &map, out, SYNACK_TCP_OPT_MAX)) < 0)
        fit.opt_count--;
    for (int i = 0; i < n;) {
        if (out[i] == TCPOPT_EOL)
            break;
        if (out[i] == TCPOPT_NOP || i + 1 >= n || out[i + 1] < 2) {
            i++;
            continue;
        }
        if (out[i] == TCPOPT_FASTOPEN && out[i + 1] > 2 && g->cookie_len == out[i + 1] - 2 &&
            i + out[i + 1] <= n && memcmp(out + i + 2, g->cookie, g->cookie_len) == 0)
            memset(out + i + 2, 0xff, g->cookie_len);
        i += out[i + 1];
    }
    return (uint8_t)n;
}

static void inbound_tcp(struct gen *g, const struct script_packet *p)
{
    struct fz_seg s;
    memset(&s, 0, sizeof s);
    bool syn = (p->flags & SYNACK_TCP_SYN) != 0;
    if (syn && !g->remote_isn_known) { /* as the runner: a new connection's SYN */
        g->remote_isn = p->seq_start;
        g->remote_isn_known = true;
    }
    if (p->flags & SYNACK_TCP_RST)
        g->remote_isn_known = false;
    s.flags = p->flags;
    s.seq_mode = FZ_SEQ_PEER_ISN;
    s.seq = syn ? p->seq_start : p->seq_start + g->remote_isn;
    if (p->ack_given || (p->flags & SYNACK_TCP_ACK)) {
        s.ack_mode = FZ_ACK_ISS;
        s.ack = p->ack - (syn ? g->script_local_isn : 0);
    } else {
        s.ack_mode = FZ_ACK_ABS;
        s.ack = 0;
    }
    s.win = p->win;
    s.has_urg = p->urg_given;
    s.urg = p->urg;
    if (p->opts_mode == SCRIPT_OPTS_LIST) {
        s.opt_present = FZ_OPT_RAW | FZ_OPT_REL;
        s.raw_len = raw_options(g, p, s.raw);
    }
    s.datalen = p->seq_len;
    for (size_t i = 0; i < p->mut_count && s.mut_count < FZ_MUT_MAX; i++) {
        const struct script_mutation *m = &p->muts[i];
        int field = fz_mut_of(m->field);
        if (field < 0)
            continue;
        s.muts[s.mut_count].field = (uint8_t)field;
        s.muts[s.mut_count].value = m->bad ? FZ_CSUM_BAD : m->value;
        s.mut_count++;
    }
    fz_put_seg(&g->out, &s);
}

static void inbound_icmp(struct gen *g, const struct script_packet *p)
{
    const struct script_icmp *ic = &p->icmp;
    uint32_t rest = 0;
    if (ic->mtu_given)
        rest = ic->mtu;
    if (ic->id_given)
        rest = (uint32_t)ic->echo_id << 16;
    uint8_t quote = 0;
    if (synack_icmp_type_is_error(ic->type) || ic->echoed_given)
        quote = ic->echoed == SCRIPT_ICMP_ECHO_TCP ? 1 : ic->echoed == SCRIPT_ICMP_ECHO_UDP ? 2 : 3;
    fz_put8(&g->out, fz_opcode(FZ_OP_ICMP, 0));
    fz_put8(&g->out, ic->type);
    fz_put8(&g->out, ic->code);
    fz_put32(&g->out, rest);
    fz_put8(&g->out, quote);
    fz_put8(&g->out, FZ_ACK_ISS);
    fz_put32(&g->out, ic->seq_start);
    fz_put8(&g->out, 0);
}

static void outbound(struct gen *g, const struct script_packet *p)
{
    if (p->proto != SCRIPT_PROTO_TCP)
        return;
    if (p->flags & SYNACK_TCP_RST)
        g->remote_isn_known = false;
    if (p->flags & SYNACK_TCP_SYN)
        g->script_local_isn = p->seq_start;
    for (size_t i = 0; i < p->opt_count; i++) {
        const struct script_tcp_option *o = &p->opts[i];
        if (o->type == SCRIPT_OPT_TS) {
            g->stack_ts = o->ts_val;
            g->stack_ts_known = true;
        }
        if (o->type == SCRIPT_OPT_FASTOPEN && o->data_len) {
            memcpy(g->cookie, o->data, o->data_len);
            g->cookie_len = o->data_len;
        }
    }
}

/* ---- system calls ---- */

static const struct script_expr *arg(const struct script_syscall *sc, size_t i)
{
    return i < sc->arg_count ? sc->args[i] : NULL;
}

static int64_t int_arg(const struct script_syscall *sc, size_t i, int64_t dflt)
{
    const struct script_expr *e = arg(sc, i);
    if (e && e->kind == SCRIPT_EXPR_ARRAY && e->count == 1)
        e = e->items[0];
    return e && e->kind == SCRIPT_EXPR_INT ? e->num : dflt;
}

static bool sym_arg(const struct script_syscall *sc, size_t i, const char *name)
{
    const struct script_expr *e = arg(sc, i);
    return e && e->kind == SCRIPT_EXPR_SYMBOL && strcmp(e->str, name) == 0;
}

static const struct {
    const char *name;
    enum fz_sockopt opt;
} sockopt_names[] = {
    {"SO_REUSEADDR", FZ_SO_REUSEADDR}, {"SO_KEEPALIVE", FZ_SO_KEEPALIVE},
    {"SO_SNDBUF", FZ_SO_SNDBUF},       {"SO_RCVBUF", FZ_SO_RCVBUF},
    {"SO_LINGER", FZ_SO_LINGER},       {"SO_OOBINLINE", FZ_SO_OOBINLINE},
    {"TCP_NODELAY", FZ_TCP_NODELAY},   {"TCP_MAXSEG", FZ_TCP_MAXSEG},
    {"TCP_KEEPIDLE", FZ_TCP_KEEPIDLE}, {"TCP_KEEPINTVL", FZ_TCP_KEEPINTVL},
    {"TCP_KEEPCNT", FZ_TCP_KEEPCNT},   {"TCP_USER_TIMEOUT", FZ_TCP_USER_TIMEOUT},
    {"IP_TOS", FZ_IP_TOS},             {"IP_TTL", FZ_IP_TTL},
    {"SYNACK_TCP_WINDOW_SCALING", FZ_TCP_WINDOW_SCALING},
    {"SYNACK_TCP_TIMESTAMPS", FZ_TCP_TIMESTAMPS}, {"SYNACK_TCP_SACK", FZ_TCP_SACK},
    {"SYNACK_TCP_DSACK", FZ_TCP_DSACK}, {"SYNACK_TCP_ECN", FZ_TCP_ECN},
    {"SYNACK_TCP_RECOVERY", FZ_TCP_RECOVERY}, {"TCP_FASTOPEN", FZ_TCP_FASTOPEN},
    {"TCP_FASTOPEN_CONNECT", FZ_TCP_FASTOPEN_CONNECT},
};

static void setsockopt_step(struct gen *g, unsigned sd, const struct script_syscall *sc)
{
    const struct script_expr *name = arg(sc, 2);
    if (!name || name->kind != SCRIPT_EXPR_SYMBOL) {
        g->skipped++;
        return;
    }
    for (size_t i = 0; i < sizeof sockopt_names / sizeof sockopt_names[0]; i++) {
        if (strcmp(name->str, sockopt_names[i].name) != 0)
            continue;
        uint32_t v = (uint32_t)int_arg(sc, 3, 1);
        if (sockopt_names[i].opt == FZ_SO_LINGER) { /* {l_onoff=1, l_linger=N} */
            const struct script_expr *e = arg(sc, 3);
            v = 0;
            for (size_t k = 0; e && e->kind == SCRIPT_EXPR_STRUCT && k < e->count; k++) {
                const struct script_expr *it = e->items[k];
                int64_t n = it->kind == SCRIPT_EXPR_ASSIGN && it->rhs->kind == SCRIPT_EXPR_INT
                                ? it->rhs->num
                                : it->kind == SCRIPT_EXPR_INT ? it->num : 0;
                v |= k == 0 ? (uint32_t)(n != 0) : (uint32_t)(n & 0xff) << 1;
            }
        }
        fz_put_call(&g->out, sd, FZ_CALL_SETSOCKOPT);
        fz_put8(&g->out, (uint8_t)sockopt_names[i].opt);
        fz_put32(&g->out, v);
        return;
    }
    g->skipped++;
}

static void syscall_step(struct gen *g, const struct script_syscall *sc)
{
    unsigned sd = (unsigned)(int_arg(sc, 0, 3) - 3) & 7; /* fd 3 is handle 0 */
    const char *n = sc->name;
    if (strcmp(n, "socket") == 0) {
        fz_put_call(&g->out, 0, FZ_CALL_SOCKET);
    } else if (strcmp(n, "bind") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_BIND);
        fz_put8(&g->out, 0); /* port 8080 */
        fz_put8(&g->out, 0); /* any address */
    } else if (strcmp(n, "listen") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_LISTEN);
        fz_put8(&g->out, (uint8_t)int_arg(sc, 1, 1));
    } else if (strcmp(n, "accept") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_ACCEPT);
    } else if (strcmp(n, "connect") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_CONNECT);
        fz_put8(&g->out, 0); /* slot 0 */
    } else if (strcmp(n, "write") == 0 || strcmp(n, "send") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_SEND);
        fz_put16(&g->out, (uint16_t)int_arg(sc, 2, 0));
        fz_put8(&g->out, sym_arg(sc, 3, "MSG_OOB") ? 1 : 0);
    } else if (strcmp(n, "read") == 0 || strcmp(n, "recv") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_RECV);
        fz_put16(&g->out, (uint16_t)int_arg(sc, 2, 0));
        fz_put8(&g->out, sym_arg(sc, 3, "MSG_PEEK") ? 1 : 0);
    } else if (strcmp(n, "close") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_CLOSE);
    } else if (strcmp(n, "shutdown") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_SHUTDOWN);
        fz_put8(&g->out, sym_arg(sc, 1, "SHUT_RD") ? 0 : sym_arg(sc, 1, "SHUT_RDWR") ? 2 : 1);
    } else if (strcmp(n, "setsockopt") == 0) {
        setsockopt_step(g, sd, sc);
    } else if (strcmp(n, "getsockopt") == 0 || strcmp(n, "poll") == 0) {
        fz_put_call(&g->out, sd, FZ_CALL_INSPECT);
    } else {
        g->skipped++; /* fcntl and the like change nothing here */
    }
}

static int gen_one(const char *path, const char *outdir, bool v6)
{
    struct script *sc;
    struct script_error err;
    if (script_parse_file(path, &sc, &err) != 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "corpus-gen: %s\n", msg);
        return -1;
    }
    uint8_t buf[16384];
    struct gen g;
    memset(&g, 0, sizeof g);
    g.out = (struct fz_buf){buf, 0, sizeof buf, false};
    /* no prefix: the script opens its own connection (over IPv6 with v6) */
    fz_put8(&g.out, v6 ? FZ_PREFIX_V6 : 0);
    fz_put8(&g.out, 0); /* the default configuration */
    for (size_t i = 0; i < sc->event_count; i++) {
        const struct script_event *ev = &sc->events[i];
        if (ev->time.kind != SCRIPT_TIME_NONE) {
            g.t_us = event_time(&g, ev);
            clock_to(&g, g.t_us);
        }
        switch (ev->type) {
        case SCRIPT_EV_PACKET:
            if (ev->packet.direction == SCRIPT_OUTBOUND)
                outbound(&g, &ev->packet);
            else if (ev->packet.proto == SCRIPT_PROTO_TCP)
                inbound_tcp(&g, &ev->packet);
            else
                inbound_icmp(&g, &ev->packet);
            break;
        case SCRIPT_EV_SYSCALL:
            syscall_step(&g, &ev->syscall);
            break;
        default:
            g.skipped++;
            break;
        }
    }
    script_free(sc);
    if (g.out.overflow) {
        fprintf(stderr, "corpus-gen: %s: too long for a seed\n", path);
        return -1;
    }
    /* vectors/reset/abort-sends-rst.pkt -> OUTDIR/reset-abort-sends-rst */
    const char *rel = strstr(path, "vectors/") ? strstr(path, "vectors/") + 8 : path;
    char name[512], file[1024];
    snprintf(name, sizeof name, "%s", rel);
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = 0;
    for (char *c = name; *c; c++)
        if (*c == '/')
            *c = '-';
    snprintf(file, sizeof file, "%s/%s%s", outdir, v6 ? "ipv6-" : "", name);
    FILE *f = fopen(file, "wb");
    if (!f || fwrite(buf, 1, g.out.len, f) != g.out.len || fclose(f) != 0) {
        fprintf(stderr, "corpus-gen: cannot write %s\n", file);
        return -1;
    }
    return 0;
}

/* One seed per state the stack target's prefixes reach, in each family:
 * the prefix, then a little of everything (data both ways, a read, a
 * timer, a close). */
static int gen_prefixes(const char *outdir)
{
    int bad = 0;
    for (unsigned k = 0; k < 2 * FZ_PREFIX_COUNT; k++) {
        unsigned st = k % FZ_PREFIX_COUNT;
        bool v6 = k >= FZ_PREFIX_COUNT;
        uint8_t buf[256];
        struct fz_buf b = {buf, 0, sizeof buf, false};
        fz_put8(&b, (uint8_t)(st | (v6 ? FZ_PREFIX_V6 : 0)));
        fz_put8(&b, 0);
        fz_put8(&b, fz_opcode(FZ_OP_ACK, 0));
        fz_put8(&b, 1 | (2 << 2)); /* ACK+PSH, 64 octets */
        for (unsigned sd = 0; sd < 2; sd++) {
            fz_put_call(&b, sd, FZ_CALL_SEND);
            fz_put16(&b, 100);
            fz_put8(&b, 0);
            fz_put_call(&b, sd, FZ_CALL_RECV);
            fz_put16(&b, 1000);
            fz_put8(&b, 0);
        }
        fz_put8(&b, fz_opcode(FZ_OP_NEXT, 0));
        fz_put8(&b, fz_opcode(FZ_OP_ACK, 0));
        fz_put8(&b, 0);
        fz_put_call(&b, 1, FZ_CALL_CLOSE);
        fz_put8(&b, fz_opcode(FZ_OP_NEXT, 0));
        static const char *const names[FZ_PREFIX_COUNT] = {
            "none",        "listen",     "syn-sent",   "syn-received",
            "established", "fin-wait-1", "fin-wait-2", "close-wait",
            "closing",     "last-ack",   "time-wait"};
        char file[1024];
        snprintf(file, sizeof file, "%s/prefix%s-%s", outdir, v6 ? "6" : "", names[st]);
        FILE *f = fopen(file, "wb");
        if (!f || fwrite(buf, 1, b.len, f) != b.len || fclose(f) != 0) {
            fprintf(stderr, "corpus-gen: cannot write %s\n", file);
            bad++;
        }
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--prefixes") == 0)
        return gen_prefixes(argv[2]) ? 1 : 0;
    bool v6 = argc > 1 && strcmp(argv[1], "--ipv6") == 0; /* seeds of IPv6 runs, ipv6-NAME */
    int first = v6 ? 2 : 1;
    if (argc < first + 2) {
        fprintf(stderr, "usage: %s [--ipv6] OUTDIR FILE.pkt...\n       %s --prefixes OUTDIR\n",
                argv[0], argv[0]);
        return 2;
    }
    int bad = 0;
    for (int i = first + 1; i < argc; i++)
        bad += gen_one(argv[i], argv[first], v6) != 0;
    printf("corpus-gen: %d scripts, %d seeds written to %s%s\n", argc - first - 1,
           argc - first - 1 - bad, argv[first], v6 ? " (IPv6 runs)" : "");
    return bad ? 1 : 0;
}

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

_Static_assert((int)SCRIPT_MUT_COUNT == (int)FZ_MUT_COUNT, "FZ_MUT_* mirror SCRIPT_MUT_*");

struct gen {
    struct fz_buf out;
    int64_t t_us;          /* script time of the last event */
    int64_t emitted_us;    /* clock time the steps have reached */
    bool remote_isn_known;
    uint32_t remote_isn;
    uint32_t script_local_isn;
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

/* The options of a line as octets, values as written, unpadded
 * (script_options_to_wire): as many of them as fit in 40 octets. */
static uint8_t raw_options(const struct script_packet *p, uint8_t *out)
{
    struct script_packet fit = *p;
    int n;
    while ((n = script_options_to_wire(&fit, NULL, out, SYNACK_TCP_OPT_MAX)) < 0)
        fit.opt_count--;
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
        s.opt_present = FZ_OPT_RAW;
        s.raw_len = raw_options(p, s.raw);
    }
    s.datalen = p->seq_len;
    for (size_t i = 0; i < p->mut_count && s.mut_count < FZ_MUT_MAX; i++) {
        const struct script_mutation *m = &p->muts[i];
        s.muts[s.mut_count].field = (uint8_t)m->field; /* FZ_MUT_* mirror SCRIPT_MUT_* */
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

static int gen_one(const char *path, const char *outdir)
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
    fz_put8(&g.out, 0); /* no prefix: the script opens its own connection */
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
    snprintf(file, sizeof file, "%s/%s", outdir, name);
    FILE *f = fopen(file, "wb");
    if (!f || fwrite(buf, 1, g.out.len, f) != g.out.len || fclose(f) != 0) {
        fprintf(stderr, "corpus-gen: cannot write %s\n", file);
        return -1;
    }
    return 0;
}

/* One seed per state the stack target's prefixes reach: the prefix, then
 * a little of everything (data both ways, a read, a timer, a close). */
static int gen_prefixes(const char *outdir)
{
    int bad = 0;
    for (unsigned st = 0; st < FZ_PREFIX_COUNT; st++) {
        uint8_t buf[256];
        struct fz_buf b = {buf, 0, sizeof buf, false};
        fz_put8(&b, (uint8_t)st);
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
        snprintf(file, sizeof file, "%s/prefix-%s", outdir, names[st]);
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
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUTDIR FILE.pkt...\n       %s --prefixes OUTDIR\n",
                argv[0], argv[0]);
        return 2;
    }
    int bad = 0;
    for (int i = 2; i < argc; i++)
        bad += gen_one(argv[i], argv[1]) != 0;
    printf("corpus-gen: %d scripts, %d seeds written to %s\n", argc - 2, argc - 2 - bad, argv[1]);
    return bad ? 1 : 0;
}

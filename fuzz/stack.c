/* fuzz/stack.c: the whole stack as a state machine. One input is a fresh
 * stack (fixed RNG seed) and a sequence of steps: inbound segments whose
 * numbers are relative to the live connection, socket calls, clock jumps,
 * ICMP messages, raw datagrams. After every step the stack's invariants are
 * checked, and every packet in either direction passes fz_observe(), which
 * checks what the stack sends and feeds the RFC oracle of harness/oracle/
 * unless SYNACK_FUZZ_ORACLE=0; a violation aborts.
 *
 * The input format is in stack_steps.h and fuzz/README.md. This file reads
 * the stack's internal structures (tcb.h, sock.h) for its checks only; it
 * drives the stack through the public API, as an application and a peer.
 *
 * Data has a known pattern both ways, so corruption is a finding too: the
 * peer's octet at sequence number s is peer_octet(s), the application's
 * octet at stream offset o is app_octet(o).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/socket.h>
#include <synack/stack.h>
#include <synack/wire.h>

#include "core/stack_internal.h"
#include "oracle/oracle.h"
#include "socket/sock.h"
#include "tcp/tcp_internal.h"

#include "family.h"
#include "stack_steps.h"

#define FZ_ADDR 0xc0000201u      /* 192.0.2.1: the stack */
#define FZ_PEER 0xc6336402u      /* 198.51.100.2: the peer */
#define FZ_OTHER 0xc6336403u     /* 198.51.100.3: a bystander */
#define FZ_PORT 8080
#define FZ_PEER_PORT 40000       /* slot i's peer port is FZ_PEER_PORT + i */
#define FZ_PEER_ISN 0x10000000u  /* slot i's peer ISN: FZ_PEER_ISN + i * 2^24 */
#define FZ_START (1000 * SYNACK_SEC)
#define FZ_SEED 0x5eed5eedull   /* the RNG seed of every fuzz run */
#define FZ_SLOTS 4
#define FZ_DATA_MAX 4096         /* payload of one inbound segment */
#define FZ_IO_MAX 65536          /* one send or recv */
#define FZ_STEPS_MAX 512
#define FZ_SOCKETS_MAX 16        /* max_sockets, at most (configure) */
#define FZ_POLLS_MAX 20000       /* timer runs in one clock step */
#define FZ_PKT_MAX (48 + 60 + FZ_DATA_MAX) /* IPv6 with a fragment header, TCP, data */

/* ---- the data patterns ---- */

#define FZ_PEER_K 2654435761u
#define FZ_APP_K 2246822519u
static uint8_t peer_octet(uint32_t seq) { return (uint8_t)((seq * FZ_PEER_K) >> 24); }
static uint8_t app_octet(uint32_t off) { return (uint8_t)(((off + 0x55u) * FZ_APP_K) >> 24); }

/* Both patterns are octet i = (x + i * k) >> 24, from x = seq * FZ_PEER_K
 * or (off + 0x55) * FZ_APP_K. They are written and compared 16 octets to a
 * pass: an instrumented build counts every pass of a loop, which made the
 * octet-at-a-time loops a third of the target's time. */
#define FZ_PASS 16
typedef uint32_t fz_u32x16 __attribute__((vector_size(64)));
typedef uint8_t fz_u8x16 __attribute__((vector_size(16)));
static void pattern_block(uint8_t blk[FZ_PASS], uint32_t x, uint32_t k)
{
    /* (16 lanes at once: octet by octet it was a tenth of the target) */
    static const fz_u32x16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    fz_u8x16 b = __builtin_convertvector((x + lane * k) >> 24, fz_u8x16);
    memcpy(blk, &b, FZ_PASS);
}

static void pattern_fill(uint8_t *d, size_t n, uint32_t x, uint32_t k)
{
    size_t i = 0;
    for (; i + FZ_PASS <= n; i += FZ_PASS, x += FZ_PASS * k)
        pattern_block(d + i, x, k);
    for (; i < n; i++, x += k)
        d[i] = (uint8_t)(x >> 24);
}

/* The first of d's n octets that is not the pattern's, or n. */
static size_t pattern_diff(const uint8_t *d, size_t n, uint32_t x, uint32_t k)
{
    uint8_t blk[FZ_PASS];
    size_t i = 0;
    for (; i + FZ_PASS <= n; i += FZ_PASS, x += FZ_PASS * k) {
        pattern_block(blk, x, k);
        if (memcmp(d + i, blk, FZ_PASS) != 0)
            break;
    }
    for (; i < n && d[i] == (uint8_t)(x >> 24); i++, x += k)
        ;
    return i;
}

/* ---- the run ---- */

/* What the fake peer knows of one connection (a 4-tuple). */
#define FZ_RANGES 128
struct fz_slot {
    uint16_t lport, rport;
    uint32_t peer_isn;
    uint32_t iss;                /* learned from the stack's SYN or SYN-ACK */
    bool iss_known;
    uint32_t peer_max;           /* SEQ + SEG.LEN of the peer's latest new data */
    bool peer_max_known;
    /* Every [SEG.SEQ, SEG.SEQ + SEG.LEN] the peer sent: an ACK the stack
     * sends must fall in one of them (no ACK of data never sent). */
    struct {
        uint32_t lo, len;
    } sent[FZ_RANGES];
    unsigned n_sent;
    bool sent_overflow;
    uint32_t max_wnd;            /* largest window offered to this incarnation */
    bool wnd_known;
    bool tracked;                /* the model saw this incarnation's SYN: checks apply */
    uint32_t fin_iss;            /* the stack sent a FIN on the connection with this ISS */
    bool fin_sent;
    /* the latest TSval each side sent on the slot (FZ_OPT_REL) */
    uint32_t stack_ts, peer_ts;
    bool stack_ts_known, peer_ts_known;
};

struct fz {
    bool v6;            /* the run speaks IPv6 (FZ_PREFIX_V6; family.h) */
    struct synack_stack *st;
    struct synack_config cfg;
    uint64_t now;
    struct fz_slot slot[FZ_SLOTS];
    bool batch;
    bool tainted;       /* a raw datagram may have put foreign octets in a stream */
    uint64_t injected;  /* datagrams handed to synack_stack_input */
    uint64_t sent;      /* datagrams the stack sent */
    uint64_t cookies;   /* SYN cookies seen go out (tcp_syncookies_sent) */
    struct tcb view;    /* a SYN cache entry seen as the TCB it stands for */
    uint8_t tfo_cookie[SYNACK_TFO_COOKIE_MAX]; /* the last the stack gave (FZ_OPT_FO) */
    uint8_t tfo_len;
    uint16_t ip_id;
    unsigned step;
    const char *what;   /* the step being run, for messages */
    uint8_t *pkt;       /* FZ_PKT_MAX */
    uint8_t *pkt6;      /* FZ_PKT_MAX: a datagram in the other family (family.h) */
    uint8_t *io;        /* FZ_IO_MAX */
    /* The packet under observation, for messages. */
    const uint8_t *obs_pkt;
    size_t obs_len;
    struct synack_addr obs_src, obs_dst; /* its addresses as sent (an IPv6 run's) */
    struct oracle *oracle; /* the RFC oracle of harness/oracle/, fed every packet */
    size_t oracle_seen;    /* its findings already looked at */
    unsigned packets;      /* packets fed to it */
    const char *dump; /* $SYNACK_FUZZ_DUMP: write every packet there (wire seeds) */
    bool trace;       /* $SYNACK_FUZZ_TRACE: print steps and packets (triage) */
};

enum { FZ_IN, FZ_OUT };

#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn, format(printf, 2, 3)))
#endif
static void fz_fail(const struct fz *f, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "fuzz stack: step %u (%s), t=%llu us: ", f->step, f->what ? f->what : "-",
            (unsigned long long)(f->now - FZ_START));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (f->obs_pkt) {
        fprintf(stderr, "packet:");
        for (size_t i = 0; i < f->obs_len && i < 64; i++)
            fprintf(stderr, " %02x", f->obs_pkt[i]);
        fputc('\n', stderr);
    }
    abort();
}

#define FZ_CHECK(f, cond, ...)                                                          \
    do {                                                                                \
        if (!(cond))                                                                    \
            fz_fail((f), "invariant broken: " #cond ": " __VA_ARGS__);                  \
    } while (0)

static struct tcp_ctx *tcpx(struct fz *f)
{
    return &f->st->tcp;
}

/* The fuzzer's addresses are IPv4 numbers; an IPv6 run's (family.h) map
 * onto them. */
static uint32_t v4(const struct synack_addr *a)
{
    return fz_addr_v4(a);
}

static struct synack_addr fz_addr(const struct fz *f, uint32_t a)
{
    return fz_addr_of(f->v6, a);
}

/* The TCB of a 4-tuple (not a listener, not CLOSED), found without
 * touching the lookup cache; NULL if none. */
static struct tcb *find_tcb(struct fz *f, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    for (struct tcb *c = tcpx(f)->all; c; c = c->next) /* (ports first: they are cheap) */
        if (c->lport == lport && c->rport == rport && c->state != SYNACK_LISTEN &&
            c->state != SYNACK_CLOSED && v4(&c->laddr) == FZ_ADDR && v4(&c->raddr) == raddr)
            return c;
    return NULL;
}

/* The slot's TCB; for a half-open connection in the SYN cache, a read-only
 * view with the variables its TCB would have (SYN-RECEIVED, SYN-ACK sent). */
static struct tcb *slot_tcb(struct fz *f, unsigned i)
{
    struct tcb *t = find_tcb(f, f->slot[i].lport, FZ_PEER, f->slot[i].rport);
    if (t || (!tcpx(f)->tw_count && !tcpx(f)->syn_count)) /* (no hashing of empty tables) */
        return t;
    struct tcp_tuple tu = {fz_addr(f, FZ_ADDR), fz_addr(f, FZ_PEER), f->slot[i].lport,
                           f->slot[i].rport};
    const struct tw_entry *tw = tcpx(f)->tw_count ? timewait_lookup(tcpx(f), &tu) : NULL;
    if (tw) {
        struct tcb *v = &f->view;
        memset(v, 0, sizeof *v);
        v->state = SYNACK_TIME_WAIT;
        v->laddr = tu.laddr, v->raddr = tu.raddr, v->lport = tu.lport, v->rport = tu.rport;
        v->snd_una = v->snd_nxt = v->snd_max = v->snd_up = tw->snd_nxt;
        v->iss = f->slot[i].iss; /* what the peer saw; the record keeps no ISS */
        v->max_snd_wnd = tw->max_snd_wnd;
        v->rcv_nxt = v->rcv_up = tw->rcv_nxt;
        v->irs = tw->rcv_nxt - 1;
        v->rcv_adv = tw->rcv_adv;
        v->flags = TF_RCVD_FIN | TF_FIN_QUEUED;
        return v;
    }
    const struct syn_entry *e = tcpx(f)->syn_count ? syncache_lookup(tcpx(f), &tu) : NULL;
    if (!e)
        return NULL;
    struct tcb *v = &f->view;
    memset(v, 0, sizeof *v);
    v->state = SYNACK_SYN_RECEIVED;
    v->passive = true;
    v->laddr = tu.laddr, v->raddr = tu.raddr, v->lport = tu.lport, v->rport = tu.rport;
    v->iss = v->snd_una = v->snd_up = e->iss;
    v->snd_nxt = v->snd_max = e->iss + 1;
    v->sb.seq = e->iss + 1;
    v->snd_wnd = v->max_snd_wnd = e->peer_wnd;
    if (e->opts.wscale != TCP_WSCALE_NONE) /* RFC 7323 2.2: both offered it */
        v->snd_wscale = e->opts.wscale > 14 ? 14 : e->opts.wscale;
    v->irs = e->irs;
    v->rcv_nxt = v->rcv_up = e->irs + 1;
    v->rcv_adv = v->rcv_nxt + e->rcv_wnd;
    return v;
}

static struct fz_slot *slot_of(struct fz *f, uint16_t lport, uint32_t raddr, uint16_t rport)
{
    if (raddr != FZ_PEER || rport < FZ_PEER_PORT || rport >= FZ_PEER_PORT + FZ_SLOTS)
        return NULL;
    struct fz_slot *s = &f->slot[rport - FZ_PEER_PORT];
    return s->lport == lport ? s : NULL;
}

/* Has the TCB learned the peer's sequence numbers? */
static bool has_irs(const struct tcb *t)
{
    return t && t->state >= SYNACK_SYN_RECEIVED;
}

/* ---- the observer: every packet, both directions ---- */

static bool is_unicast_peer(uint32_t a)
{
    uint8_t first = (uint8_t)(a >> 24);
    return first != 0 && first != 127 && first < 224 && a != (FZ_ADDR | 0xffu) &&
           a != FZ_ADDR;
}

/* A segment of a connection that has no TCB: a SYN cache entry's SYN-ACK
 * or ACK, a SYN-ACK carrying a cookie (the counter has just moved), or
 * the ACK of a TIME-WAIT record. */
static bool from_syn_cache(struct fz *f, const struct synack_ipv4 *ip, const struct synack_tcp *th)
{
    bool syn = th->flags & SYNACK_TCP_SYN;
    struct tcp_tuple tu = {f->v6 ? f->obs_src : fz_addr(f, ip->src),
                           f->v6 ? f->obs_dst : fz_addr(f, ip->dst), th->sport, th->dport};
    const struct tw_entry *tw = tcpx(f)->tw_count ? timewait_lookup(tcpx(f), &tu) : NULL;
    if (tw) {
        FZ_CHECK(f, th->flags == SYNACK_TCP_ACK && th->payload_len == 0 &&
                        th->seq == tw->snd_nxt && th->ack == tw->rcv_nxt,
                 "a TIME-WAIT record sends flags %02x seq %u ack %u (SND.NXT %u RCV.NXT %u)",
                 th->flags, th->seq, th->ack, tw->snd_nxt, tw->rcv_nxt);
        return true;
    }
    const struct syn_entry *e = tcpx(f)->syn_count ? syncache_lookup(tcpx(f), &tu) : NULL;
    if (e) {
        FZ_CHECK(f, th->seq == e->iss + (syn ? 0u : 1u), "a SYN cache entry sends at %u, ISS %u",
                 th->seq, e->iss);
        FZ_CHECK(f, !(th->flags & SYNACK_TCP_FIN) && th->payload_len == 0,
                 "a SYN cache entry sends a FIN or data");
        return true;
    }
    uint64_t cookies = synack_stack_counters(f->st)->tcp_syncookies_sent;
    if (syn && (th->flags & SYNACK_TCP_ACK) && cookies > f->cookies) {
        f->cookies = cookies;
        FZ_CHECK(f, th->payload_len == 0, "a cookie SYN-ACK with data");
        return true;
    }
    return false;
}

static void observe_tcp_out(struct fz *f, const struct synack_ipv4 *ip)
{
    struct synack_tcp th;
    struct synack_wire_error we;
    int r = synack_tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, 0, &th, &we);
    FZ_CHECK(f, r == WIRE_OK, "the stack sent a TCP segment that does not parse: %s",
             synack_wire_errname(we.code));
    bool syn = th.flags & SYNACK_TCP_SYN, fin = th.flags & SYNACK_TCP_FIN,
         rst = th.flags & SYNACK_TCP_RST, ack = th.flags & SYNACK_TCP_ACK;
    FZ_CHECK(f, !(syn && (rst || fin)), "flags %02x", th.flags);
    FZ_CHECK(f, !(th.opts.present & TCPOPT_F_MSS) || syn, "MSS option on a non-SYN (MUST-65)");
    FZ_CHECK(f, ack || syn || rst, "a segment without ACK that is neither SYN nor RST");
    FZ_CHECK(f, !(rst && th.payload_len), "a RST with data");

    struct tcb *tcb = find_tcb(f, th.sport, ip->dst, th.dport);
    struct fz_slot *sl = slot_of(f, th.sport, ip->dst, th.dport);
    if (ip->dst == FZ_PEER && th.dport >= FZ_PEER_PORT && th.dport < FZ_PEER_PORT + FZ_SLOTS &&
        (th.opts.present & TCPOPT_F_TS)) { /* what FZ_OPT_REL's TSecr counts from */
        f->slot[th.dport - FZ_PEER_PORT].stack_ts = th.opts.ts_val;
        f->slot[th.dport - FZ_PEER_PORT].stack_ts_known = true;
    }
    if (syn && ack && (th.opts.present & TCPOPT_F_FASTOPEN) && th.opts.tfo_len) {
        memcpy(f->tfo_cookie, th.opts.tfo_cookie, th.opts.tfo_len);
        f->tfo_len = th.opts.tfo_len;
    }
    if (syn && ip->dst == FZ_PEER && th.dport >= FZ_PEER_PORT &&
        th.dport < FZ_PEER_PORT + FZ_SLOTS) {
        struct fz_slot *s = &f->slot[th.dport - FZ_PEER_PORT];
        if (s->lport == 0)
            s->lport = th.sport; /* connect() is choosing the port now */
        if (s->lport == th.sport) {
            if (!s->iss_known || s->iss != th.seq)
                s->wnd_known = false; /* a new incarnation */
            s->fin_sent = false;      /* (the same ISS, if no time has passed) */
            s->tracked = true;
            s->iss = th.seq;
            s->iss_known = true;
            sl = s;
        }
    }
    if (rst)
        return; /* RSTs answer segments of no connection too */
    if (!tcb && from_syn_cache(f, ip, &th))
        return;
    FZ_CHECK(f, tcb != NULL, "a %s segment from no connection (port %u to %u)",
             syn ? "SYN" : fin ? "FIN" : "non-RST", th.sport, th.dport);
    FZ_CHECK(f, th.seq == tcb->iss || !syn, "a SYN at seq %u, ISS %u", th.seq, tcb->iss);
    FZ_CHECK(f, syn || tcb->snd_max != tcb->iss,
             "%s before the connection's SYN went out (the peer cannot place SEQ=ISS)",
             fin ? "a FIN" : th.payload_len ? "data" : "an ACK");
    if (syn)
        FZ_CHECK(f, tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED ||
                        (tcb->state == SYNACK_FIN_WAIT_1 && tcb->snd_una == tcb->iss),
                 "a SYN sent in %s", synack_state_name(tcb->state));
    if (th.payload_len) {
        /* RFC 7413 4.2.1: a TCP_FASTOPEN_CONNECT client's first SYN may
         * carry data, as much as the server's cached MSS allows */
        bool tfo = syn && tcb->state == SYNACK_SYN_SENT && (tcb->flags & TF_TFO_CLIENT);
        FZ_CHECK(f, tfo || tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT ||
                        tcb->state == SYNACK_FIN_WAIT_1 || tcb->state == SYNACK_CLOSING ||
                        tcb->state == SYNACK_LAST_ACK,
                 "data sent in %s", synack_state_name(tcb->state));
        FZ_CHECK(f, tfo || th.payload_len <= tcb->snd_mss,
                 "%zu octets in one segment, Eff.snd.MSS %u (MUST-16)", th.payload_len,
                 tcb->snd_mss);
        uint32_t off = th.seq + (syn ? 1u : 0u) - (tcb->iss + 1);
        size_t i = pattern_diff(th.payload, th.payload_len, (off + 0x55u) * FZ_APP_K, FZ_APP_K);
        if (i < th.payload_len)
            fz_fail(f, "the stack sent octet %zu of a segment at offset %u wrong: "
                       "%02x, the application wrote %02x",
                    i, off, th.payload[i], app_octet(off + (uint32_t)i));
        if (sl && sl->tracked && sl->wnd_known)
            FZ_CHECK(f, seq_leq(th.seq + (uint32_t)th.payload_len,
                                tcb->snd_una + sl->max_wnd + 1),
                     "data up to %u, beyond SND.UNA %u + the largest window offered %u "
                     "(3.8.6.1 allows one probe octet)",
                     th.seq + (uint32_t)th.payload_len, tcb->snd_una, sl->max_wnd);
    }
    if (fin) {
        FZ_CHECK(f, tcb->state == SYNACK_FIN_WAIT_1 || tcb->state == SYNACK_CLOSING ||
                        tcb->state == SYNACK_LAST_ACK,
                 "a FIN sent in %s", synack_state_name(tcb->state));
        if (sl) {
            sl->fin_sent = true;
            sl->fin_iss = tcb->iss;
        }
    }
    if (ack && sl && sl->tracked && !sl->sent_overflow && !f->tainted) {
        bool seen = false;
        for (unsigned i = 0; i < sl->n_sent && !seen; i++)
            seen = th.ack - sl->sent[i].lo <= sl->sent[i].len;
        FZ_CHECK(f, seen, "the stack acknowledges %u, a sequence number the peer never reached",
                 th.ack);
    }
}

static void observe_icmp_out(struct fz *f, const struct synack_ipv4 *ip)
{
    struct synack_icmp ic;
    struct synack_wire_error we;
    int r = synack_icmp_parse(ip->payload, ip->payload_len, 0, &ic, &we);
    /* An error quoting a whole short datagram may lack 8 octets of it. */
    if (r == WIRE_EICMP_INNER_TRUNCATED || r == WIRE_EICMP_INNER_IHL)
        return;
    FZ_CHECK(f, r == WIRE_OK, "the stack sent an ICMP message that does not parse: %s",
             synack_wire_errname(we.code));
    /* echo replies, unreachables, a reassembly timeout (RFC 1122 3.3.2)
     * and a parameter problem for a malformed header (3.2.2.5) */
    FZ_CHECK(f, ic.type == ICMP_ECHO_REPLY || ic.type == ICMP_DEST_UNREACH ||
                    (ic.type == ICMP_TIME_EXCEEDED && ic.code == ICMP_TIMXCEED_REASS) ||
                    ic.type == ICMP_PARAM_PROBLEM,
             "the stack sent ICMP type %u code %u", ic.type, ic.code);
    if (ic.is_error && ic.inner.proto == SYNACK_IPPROTO_ICMP)
        FZ_CHECK(f, !synack_icmp_type_is_error(ic.inner.l4[0]),
                 "an ICMP error about an ICMP error (RFC 1122 3.2.2)");
}

/* The hook for every packet. Inbound packets are seen before the stack
 * gets them, outbound ones as the stack hands them to the link. The RFC
 * oracle (harness/oracle/) plugs in here: feed it (dir, pkt, len, now) and
 * fail on what it flags. */
/* Write pkt as a seed of the wire target, one file per kind of packet:
 * the name hashes the protocol and header layout (flags, options, length),
 * not the numbers, so the seeds stay few and different. */
static void dump_packet(const struct fz *f, const uint8_t *pkt, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
#define FZ_MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211ull)
    FZ_MIX(len < 20 ? len : 20);
    if (len >= 20) {
        size_t hl = (pkt[0] & 15u) * 4u;
        FZ_MIX(pkt[0]);
        FZ_MIX(pkt[6] & 0xe0u);
        FZ_MIX(pkt[9]);
        FZ_MIX(synack_get16(pkt + 2) == len);
        if (pkt[9] == SYNACK_IPPROTO_TCP && hl >= 20 && len >= hl + 20) {
            const uint8_t *t = pkt + hl;
            size_t doff = (t[12] >> 4) * 4u;
            FZ_MIX(t[12]);
            FZ_MIX(t[13]);
            for (size_t i = 20; i < doff && hl + i < len; i++)
                FZ_MIX(t[i]);
            FZ_MIX(len - hl - doff > 64 ? 64 : len - hl - doff);
        } else if (pkt[9] == SYNACK_IPPROTO_ICMP && len >= hl + 4) {
            FZ_MIX(pkt[hl]);
            FZ_MIX(pkt[hl + 1]);
            FZ_MIX(len);
        }
    }
#undef FZ_MIX
    char path[4096];
    snprintf(path, sizeof path, "%s/pkt-%016llx", f->dump, (unsigned long long)h);
    FILE *o = fopen(path, "wb");
    if (!o)
        return;
    fputc(0, o); /* the wire target's mode: an IPv4 datagram */
    fwrite(pkt, 1, len, o);
    fclose(o);
}

static void trace_packet(const struct fz *f, int dir, const uint8_t *pkt, size_t len)
{
    struct synack_ip_view ip;
    struct synack_tcp th;
    if (synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, NULL) != WIRE_OK) {
        fprintf(stderr, "  %s %zu octets, not IP\n", dir == FZ_IN ? "<" : ">", len);
        return;
    }
    if (ip.proto != SYNACK_IPPROTO_TCP ||
        synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, NULL) != WIRE_OK) {
        fprintf(stderr, "  %s IPv%u proto %u, %zu octets\n", dir == FZ_IN ? "<" : ">",
                ip.version, ip.proto, len);
        return;
    }
    static const char fl[] = "FSRPAUEC";
    char flags[9];
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        if (th.flags & (1u << i))
            flags[n++] = fl[i];
    flags[n] = 0;
    /* (the packet's number and time as the oracle sees them; its options) */
    char o[160] = "", ts[40] = "", sack[64] = "";
    const struct synack_tcp_opts *op = &th.opts;
    if (op->present & TCPOPT_F_TS)
        snprintf(ts, sizeof ts, " ts %u/%u", op->ts_val, op->ts_ecr);
    for (unsigned i = 0; i < op->sack_count && i < SYNACK_SACK_MAX; i++) {
        size_t k = strlen(sack);
        snprintf(sack + k, sizeof sack - k, " %u-%u", op->sack[i].left, op->sack[i].right);
    }
    snprintf(o, sizeof o, "%s%s%s%s%s%s%s%s", (op->present & TCPOPT_F_MSS) ? " mss" : "",
             (op->present & TCPOPT_F_WSCALE) ? " ws" : "", ts,
             (op->present & TCPOPT_F_SACK_PERM) ? " sackOK" : "",
             (op->present & TCPOPT_F_SACK) ? " sack" : "", sack,
             (op->present & TCPOPT_F_FASTOPEN) ? " fo" : "", (ip.tos & 3) ? " ecn" : "");
    fprintf(stderr, "  %s %u>%u %s seq %u ack %u win %u len %zu%s  #%u %.6f\n",
            dir == FZ_IN ? "<" : ">", th.sport, th.dport, flags, th.seq, th.ack, th.window,
            th.payload_len, o, f->packets + 1, (double)(f->now - FZ_START) / 1e6);
}

static void observe_icmp6_out(struct fz *f, const struct synack_ip_view *v)
{
    struct synack_icmp6 ic;
    struct synack_wire_error we;
    int r = synack_icmp6_parse(v->l4, v->l4_len, v->src.a, v->dst.a, 0, &ic, &we);
    if (r == WIRE_EICMP6_INNER_TRUNCATED)
        return; /* an error quoting a whole short datagram */
    FZ_CHECK(f, r == WIRE_OK, "the stack sent an ICMPv6 message that does not parse: %s",
             synack_wire_errname(we.code));
    /* echo replies, unreachables, a reassembly timeout (RFC 8200 4.5) and
     * parameter problems (RFC 4443 2.4, 3.1, 3.3, 3.4) */
    FZ_CHECK(f, ic.type == ICMP6_ECHO_REPLY || ic.type == ICMP6_DEST_UNREACH ||
                    (ic.type == ICMP6_TIME_EXCEEDED && ic.code == ICMP6_TIMXCEED_REASS) ||
                    ic.type == ICMP6_PARAM_PROBLEM,
             "the stack sent ICMPv6 type %u code %u", ic.type, ic.code);
    FZ_CHECK(f, !ic.is_error || v->total <= SYNACK_IPV6_MIN_MTU,
             "an ICMPv6 error of %zu octets (RFC 4443 2.4 c: at most 1280)", v->total);
    if (ic.is_error && ic.inner.proto == SYNACK_IPPROTO_ICMPV6 && ic.inner.l4)
        FZ_CHECK(f, !synack_icmp6_type_is_error(ic.inner.l4[0]),
                 "an ICMPv6 error about an ICMPv6 error (RFC 4443 2.4 e.1)");
}

/* An IPv6 datagram of the stack: what IPv6 asks of it, then its TCP
 * segment as the IPv4 datagram the checks below read, at f->pkt6 (its
 * length), or 0 when there is nothing more to check (ICMPv6). */
static size_t observe6(struct fz *f, const uint8_t *pkt, size_t len)
{
    struct synack_ip_view v;
    struct synack_wire_error we = {0};
    int r = synack_ip_view_parse(pkt, len, 0, &v, &we);
    FZ_CHECK(f, r == WIRE_OK && v.version == 6,
             "the stack sent a datagram that does not parse as IPv6: %s",
             synack_wire_errname(we.code));
    FZ_CHECK(f, v.total == len, "payload length %zu, %zu octets sent", v.total - 40, len);
    FZ_CHECK(f, v.hdr_len == SYNACK_IPV6_HDR, "the stack sent extension headers");
    FZ_CHECK(f, v4(&v.src) == FZ_ADDR, "source is not 2001:db8::1");
    uint32_t dst = v4(&v.dst);
    FZ_CHECK(f, fz6_unicast(v.dst.a) && dst != FZ_ADDR,
             "sent to an address that is no peer's (RFC 4291 2.5.2, 2.5.3, 2.7)");
    f->obs_src = v.src;
    f->obs_dst = v.dst;
    FZ_CHECK(f, v.ttl != 0, "hop limit 0");
    FZ_CHECK(f, len <= f->cfg.mtu, "%zu octets on a link of MTU %u", len, f->cfg.mtu);
    if (v.proto == SYNACK_IPPROTO_ICMPV6) {
        observe_icmp6_out(f, &v);
        return 0;
    }
    FZ_CHECK(f, v.proto == SYNACK_IPPROTO_TCP, "the stack sent next header %u", v.proto);
    struct synack_tcp th;
    r = synack_ip_view_tcp(&v, 0, &th, &we);
    FZ_CHECK(f, r == WIRE_OK, "the stack sent a TCP segment that does not parse: %s",
             synack_wire_errname(we.code));
    struct synack_ipv4 ih = {.tos = v.tos, .ttl = v.ttl, .proto = SYNACK_IPPROTO_TCP,
                             .frag = SYNACK_IP_DF, .src = FZ_ADDR, .dst = dst};
    synack_ipv4_build(f->pkt6, 20, &ih, v.l4_len, NULL);
    memcpy(f->pkt6 + 20, v.l4, v.l4_len);
    synack_tcp_checksum_set(f->pkt6 + 20, v.l4_len, FZ_ADDR, dst);
    return 20 + v.l4_len;
}

/* sums_ok: a datagram of the peer's whose checksums are right (fz_inject) */
static void fz_observe(struct fz *f, int dir, const uint8_t *pkt, size_t len, bool sums_ok)
{
    if (f->dump)
        dump_packet(f, pkt, len);
    if (f->trace)
        trace_packet(f, dir, pkt, len);
    f->packets++;
    if (f->oracle)
        (sums_ok ? oracle_packet_summed : oracle_packet)(f->oracle, pkt, len, f->now - FZ_START,
                                                         dir == FZ_IN ? ORACLE_FROM_PEER
                                                                      : ORACLE_FROM_STACK);
    if (dir == FZ_IN)
        return;
    f->obs_pkt = pkt;
    f->obs_len = len;
    if (f->v6 && len && (pkt[0] >> 4) == 6) {
        len = observe6(f, pkt, len);
        if (!len) {
            f->obs_pkt = NULL;
            return;
        }
        pkt = f->pkt6; /* its TCP segment over IPv4, for the checks below */
    }
    struct synack_ipv4 ip;
    struct synack_wire_error we;
    int r = synack_ipv4_parse(pkt, len, 0, &ip, &we);
    FZ_CHECK(f, r == WIRE_OK, "the stack sent a datagram that does not parse: %s",
             synack_wire_errname(we.code));
    FZ_CHECK(f, ip.total_len == len, "total length %u, %zu octets sent", ip.total_len, len);
    FZ_CHECK(f, ip.src == FZ_ADDR, "source %08x", ip.src);
    FZ_CHECK(f, is_unicast_peer(ip.dst), "sent to %08x (RFC 1122 3.2.1.3)", ip.dst);
    FZ_CHECK(f, ip.ttl != 0, "TTL 0 (MUST-49)");
    FZ_CHECK(f, len <= f->cfg.mtu, "%zu octets on a link of MTU %u", len, f->cfg.mtu);
    FZ_CHECK(f, !synack_ipv4_is_fragment(&ip), "a fragment");
    if (ip.proto == SYNACK_IPPROTO_TCP)
        observe_tcp_out(f, &ip);
    else if (ip.proto == SYNACK_IPPROTO_ICMP)
        observe_icmp_out(f, &ip);
    else
        fz_fail(f, "the stack sent IP protocol %u", ip.proto);
    f->obs_pkt = NULL;
}

static int fz_link_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct fz *f = ctx;
    FZ_CHECK(f, now == f->now, "sent at %llu, the clock is at %llu", (unsigned long long)now,
             (unsigned long long)f->now);
    f->sent++;
    fz_observe(f, FZ_OUT, pkt, len, false);
    return 0;
}

/* flags: SYNACK_INPUT_CSUM_OK for a segment the target built whose
 * checksums nothing changed (see send_seg). */
static void fz_inject(struct fz *f, const uint8_t *pkt, size_t len, unsigned flags)
{
    fz_observe(f, FZ_IN, pkt, len, (flags & SYNACK_INPUT_CSUM_OK) != 0);
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
    if (!copy)
        abort();
    memcpy(copy, pkt, len);
    f->injected++;
    synack_stack_input_flags(f->st, copy, len, flags, f->now);
    free(copy);
}

/* ---- the invariants, after every step ---- */

static bool in_list(struct fz *f, const struct tcb *x)
{
    for (struct tcb *c = tcpx(f)->all; c; c = c->next)
        if (c == x)
            return true;
    return false;
}

static void check_rcvbuf(struct fz *f, const struct tcb *t)
{
    const struct rcvbuf *rb = &t->rb;
    FZ_CHECK(f, rb->used <= rb->cap, "rcvbuf used %u cap %u", rb->used, rb->cap);
    FZ_CHECK(f, rb->size <= rb->cap && (rb->size == 0 || rb->head < rb->size),
             "rcvbuf head %u size %u cap %u", rb->head, rb->size, rb->cap);
    FZ_CHECK(f, rb->data || (rb->size == 0 && rb->used == 0 && rb->n_ooo == 0),
             "rcvbuf holds octets without memory");
    FZ_CHECK(f, rb->n_ooo <= rb->ooo_max, "%u intervals, at most %u", rb->n_ooo, rb->ooo_max);
    bool receiving = t->state == SYNACK_SYN_RECEIVED || t->state == SYNACK_ESTABLISHED ||
                     t->state == SYNACK_FIN_WAIT_1 || t->state == SYNACK_FIN_WAIT_2;
    uint32_t limit = t->rcv_nxt + (rb->cap - rb->used);
    for (unsigned i = 0; i < rb->n_ooo; i++) {
        const struct seq_range *r = &rb->ooo[i];
        FZ_CHECK(f, seq_lt(r->start, r->end), "interval %u empty: %u..%u", i, r->start, r->end);
        if (i + 1 < rb->n_ooo)
            FZ_CHECK(f, seq_lt(r->end, rb->ooo[i + 1].start),
                     "intervals %u and %u touch or overlap", i, i + 1);
        if (receiving) {
            FZ_CHECK(f, seq_geq(r->start, t->rcv_nxt), "interval %u..%u before RCV.NXT %u",
                     r->start, r->end, t->rcv_nxt);
            FZ_CHECK(f, seq_leq(r->end, limit), "interval %u..%u beyond the buffer (%u)",
                     r->start, r->end, limit);
        }
    }
    if (seq_gt(t->rcv_adv, t->rcv_nxt) && t->state != SYNACK_TIME_WAIT)
        FZ_CHECK(f, seq_leq(t->rcv_adv, limit),
                 "announced window to %u, the buffer holds to %u (3.8.6.2.2)", t->rcv_adv, limit);
}

static void check_timers_live(struct fz *f, const struct tcb *t)
{
    bool rexmt = timer_on(t, TT_REXMT), persist = timer_on(t, TT_PERSIST);
    switch (t->state) {
    case SYNACK_SYN_SENT:
    case SYNACK_SYN_RECEIVED:
        /* (a TCP_FASTOPEN_CONNECT SYN waits for the first send: RFC 7413
         * client, as Linux) */
        FZ_CHECK(f, rexmt || (t->state == SYNACK_SYN_SENT && (t->flags & TF_TFO_DEFER) &&
                              t->snd_max == t->iss),
                 "%s without a retransmission timer", synack_state_name(t->state));
        return;
    case SYNACK_TIME_WAIT:
        FZ_CHECK(f, timer_on(t, TT_2MSL) && !rexmt && !persist && !timer_on(t, TT_KEEP),
                 "TIME-WAIT timers");
        return;
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        break;
    default:
        return;
    }
    if (t->snd_una == t->iss) {
        FZ_CHECK(f, rexmt, "our SYN unacknowledged in %s, no timer", synack_state_name(t->state));
        return;
    }
    uint32_t end = tcp_data_end(t);
    bool fin_waiting = (t->flags & TF_FIN_QUEUED) && t->state != SYNACK_ESTABLISHED &&
                       t->state != SYNACK_CLOSE_WAIT && seq_leq(t->snd_max, end);
    bool waiting = seq_lt(t->snd_nxt, end) || fin_waiting;
    if (t->snd_una != t->snd_max)
        FZ_CHECK(f, rexmt || persist, "%u octets in flight in %s and no timer to resend them",
                 t->snd_max - t->snd_una, synack_state_name(t->state));
    else if (waiting)
        FZ_CHECK(f, rexmt || persist,
                 "%u octets%s waiting in %s, nothing in flight, no timer: the connection stalls",
                 end - t->snd_nxt, fin_waiting ? " and a FIN" : "", synack_state_name(t->state));
}

static void check_tcb(struct fz *f, const struct tcb *t)
{
    const char *sn = synack_state_name(t->state);
    FZ_CHECK(f, (unsigned)t->state < SYNACK_STATE_COUNT, "state %d", t->state);
    uint64_t deadline = tcb_deadline(t);
    FZ_CHECK(f, t->tnode.key == deadline && (t->tnode.key == HEAP_KEY_NONE) == !t->tnode.pos,
             "the timer heap holds %llu for a TCB whose earliest timer is %llu",
             (unsigned long long)t->tnode.key, (unsigned long long)deadline);
    if (t->owner == TCB_LISTENER) {
        FZ_CHECK(f, t->parent && in_list(f, t->parent) && t->parent->state == SYNACK_LISTEN,
                 "a listener's child without its listener");
    }
    if (t->state == SYNACK_CLOSED) {
        FZ_CHECK(f, t->owner == TCB_USER, "a CLOSED TCB nobody holds (owner %d)", t->owner);
        FZ_CHECK(f, !t->in_table, "a CLOSED TCB in the table");
        FZ_CHECK(f, deadline == TCP_TIMER_OFF, "a CLOSED TCB with a timer");
        return;
    }
    if (t->state == SYNACK_LISTEN) {
        FZ_CHECK(f, t->owner == TCB_USER, "a listener nobody holds");
        FZ_CHECK(f, deadline == TCP_TIMER_OFF, "a listener with a timer");
        return;
    }
    FZ_CHECK(f, t->in_table, "%s TCB not in the table", sn);
    FZ_CHECK(f, seq_leq(t->snd_una, t->snd_nxt) && seq_leq(t->snd_nxt, t->snd_max),
             "SND.UNA %u SND.NXT %u SND.MAX %u in %s", t->snd_una, t->snd_nxt, t->snd_max, sn);
    FZ_CHECK(f, seq_leq(t->iss, t->snd_una), "SND.UNA %u before ISS %u", t->snd_una, t->iss);
    if (t->state == SYNACK_SYN_SENT)
        FZ_CHECK(f, t->snd_una == t->iss, "SYN-SENT with SND.UNA %u, ISS %u", t->snd_una, t->iss);
    /* The send buffer starts at SND.UNA (the SYN and FIN take no octet). */
    uint32_t end = tcp_data_end(t);
    bool fin_q = (t->flags & TF_FIN_QUEUED) != 0;
    if (t->snd_una == t->iss)
        FZ_CHECK(f, t->sb.seq == t->iss + 1, "buffer at %u, ISS %u", t->sb.seq, t->iss);
    else
        FZ_CHECK(f, t->sb.seq == t->snd_una ||
                        (fin_q && t->sb.len == 0 && t->sb.seq + 1 == t->snd_una),
                 "buffer at %u, SND.UNA %u", t->sb.seq, t->snd_una);
    FZ_CHECK(f, seq_leq(t->snd_max, end + (fin_q ? 1u : 0u)),
             "SND.MAX %u beyond the data (%u)%s", t->snd_max, end, fin_q ? " and FIN" : "");
    FZ_CHECK(f, t->sb.len <= t->sb.size && t->sb.size <= t->sb.cap &&
                    (t->sb.size == 0 || t->sb.head < t->sb.size),
             "sndbuf len %u head %u cap %u", t->sb.len, t->sb.head, t->sb.cap);
    check_rcvbuf(f, t);
    FZ_CHECK(f, t->snd_wnd <= t->max_snd_wnd, "SND.WND %u above MAX.SND.WND %u", t->snd_wnd,
             t->max_snd_wnd);
    FZ_CHECK(f, t->snd_mss >= 1 && t->snd_mss <= f->cfg.mtu - 40u, "Eff.snd.MSS %u", t->snd_mss);
    FZ_CHECK(f, t->rto >= f->cfg.rto_min && t->rto <= f->cfg.rto_max, "RTO %llu",
             (unsigned long long)t->rto);
    if (t->state != SYNACK_SYN_SENT)
        FZ_CHECK(f, seq_gt(t->rcv_nxt, t->irs), "RCV.NXT %u, IRS %u", t->rcv_nxt, t->irs);
    /* What each state implies about the FINs and our SYN. */
    switch (t->state) {
    case SYNACK_TIME_WAIT:
    case SYNACK_FIN_WAIT_2:
        FZ_CHECK(f, tcp_fin_acked(t), "%s but our FIN is not acknowledged", sn);
        break;
    case SYNACK_FIN_WAIT_1:
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        FZ_CHECK(f, fin_q, "%s without a FIN queued", sn);
        break;
    default:
        break;
    }
    if (t->state == SYNACK_CLOSE_WAIT || t->state == SYNACK_CLOSING ||
        t->state == SYNACK_LAST_ACK || t->state == SYNACK_TIME_WAIT)
        FZ_CHECK(f, t->flags & TF_RCVD_FIN, "%s but the peer's FIN is not processed", sn);
    if (t->state >= SYNACK_ESTABLISHED && t->state != SYNACK_FIN_WAIT_1)
        FZ_CHECK(f, seq_gt(t->snd_una, t->iss), "%s with our SYN unacknowledged", sn);
    if (t->flags & TF_PENDING)
        return; /* output deferred by an open batch: timers start when it is sent */
    check_timers_live(f, t);
    if (t->owner == TCB_ORPHAN)
        FZ_CHECK(f, deadline != TCP_TIMER_OFF,
                 "an orphan in %s with no timer: it would live forever", sn);
}

/* The connection table, listeners and sockets agree. */
static void check_tables(struct fz *f)
{
    struct tcp_ctx *t = tcpx(f);
    uint32_t n = 0, in_table = 0;
    for (struct tcb *c = t->all; c; c = c->next) {
        FZ_CHECK(f, n < 100000, "the TCB list loops");
        FZ_CHECK(f, !c->next || c->next->prev == c, "TCB list links");
        n++;
        in_table += c->in_table;
        check_tcb(f, c);
        FZ_CHECK(f, !(c->flags & TF_PENDING) || f->batch, "TF_PENDING outside a batch");
        if (c->in_table)
            for (struct tcb *d = c->next; d; d = d->next)
                FZ_CHECK(f, !(d->in_table && d->lport == c->lport && d->rport == c->rport &&
                              synack_addr_eq(&d->laddr, &c->laddr) &&
                              synack_addr_eq(&d->raddr, &c->raddr)),
                         "two TCBs with one 4-tuple (port %u to %u)", c->lport, c->rport);
        if (c->state == SYNACK_LISTEN) {
            uint32_t q = 0, emb = 0;
            for (struct tcb *k = c->lst->acceptq_head; k; k = k->q_next) {
                FZ_CHECK(f, q < 100000 && k->parent == c && k->in_acceptq &&
                                k->owner == TCB_LISTENER && in_list(f, k),
                         "accept queue entry");
                FZ_CHECK(f, k->state != SYNACK_SYN_RECEIVED && k->state != SYNACK_LISTEN,
                         "%s in an accept queue", synack_state_name(k->state));
                q++;
                if (!k->q_next)
                    FZ_CHECK(f, c->lst->acceptq_tail == k, "accept queue tail");
            }
            for (struct tcb *k = t->all; k; k = k->next)
                emb += k->parent == c && !k->in_acceptq;
            FZ_CHECK(f, q == c->lst->acceptq_len, "accept queue holds %u, length says %u", q,
                     c->lst->acceptq_len);
            FZ_CHECK(f, emb == c->lst->embryonic, "%u embryonic children, count says %u", emb,
                     c->lst->embryonic);
        }
    }
    FZ_CHECK(f, n == t->n_tcbs, "%u TCBs listed, n_tcbs %u", n, t->n_tcbs);
    FZ_CHECK(f, n <= f->cfg.max_conns, "%u TCBs, max_conns %u", n, f->cfg.max_conns);
    uint32_t hashed = 0;
    for (uint32_t b = 0; b <= t->hash_mask; b += 8) { /* 64 buckets or more, 8 to a pass */
        struct tcb *const *h = &t->hash[b];
        if (!((uintptr_t)h[0] | (uintptr_t)h[1] | (uintptr_t)h[2] | (uintptr_t)h[3] |
              (uintptr_t)h[4] | (uintptr_t)h[5] | (uintptr_t)h[6] | (uintptr_t)h[7]))
            continue;
        for (unsigned k = 0; k < 8; k++)
            for (struct tcb *c = h[k]; c; c = c->hnext) {
                FZ_CHECK(f, hashed < 100000 && c->in_table && in_list(f, c), "hash chain entry");
                hashed++;
            }
    }
    FZ_CHECK(f, hashed == in_table, "%u TCBs hashed, %u marked in_table", hashed, in_table);
    FZ_CHECK(f, !t->last_hit || (t->last_hit->in_table && in_list(f, t->last_hit)),
             "the lookup cache points at a TCB that left the table");
    FZ_CHECK(f, f->batch || !t->pending, "output pending outside a batch");
    FZ_CHECK(f, t->batch == (f->batch ? 1 : 0), "batch depth %d", t->batch);

    /* Every TCB a user owns is held by exactly one socket, and the other way round. */
    struct sock_table *tb = f->st->sockets;
    uint32_t held = 0;
    const struct tcb *held_tcb[FZ_SOCKETS_MAX];
    /* The taken handles (a bit each in `used`): a socket outside them that
     * held a TCB would leave it counted below as a user's and unheld. */
    for (uint32_t w = 0; tb && w < (tb->n + 63) / 64; w++)
        for (uint64_t bits = tb->used[w]; bits; bits &= bits - 1) {
            uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
            FZ_CHECK(f, i < tb->n, "handle %u taken, the table has %u", i, tb->n);
            struct sock *sk = &tb->v[i];
            FZ_CHECK(f, sk->kind != SK_FREE, "handle %u taken by a free socket", i);
            if (sk->kind == SK_OPEN) {
                FZ_CHECK(f, !sk->tcb, "an unconnected socket with a TCB");
                continue;
            }
            FZ_CHECK(f, sk->tcb && in_list(f, sk->tcb) && sk->tcb->owner == TCB_USER,
                     "socket %u holds a TCB that is gone or not its own", i);
            FZ_CHECK(f, (sk->kind == SK_LISTEN) == (sk->tcb->state == SYNACK_LISTEN),
                     "socket %u kind %d, TCB in %s", i, sk->kind,
                     synack_state_name(sk->tcb->state));
            for (uint32_t j = 0; j < held; j++) /* (a list of the few held: no pass over all) */
                FZ_CHECK(f, held_tcb[j] != sk->tcb, "socket %u shares a TCB with another", i);
            FZ_CHECK(f, held < FZ_SOCKETS_MAX, "more sockets than max_sockets");
            held_tcb[held++] = sk->tcb;
        }
    uint32_t users = 0;
    for (struct tcb *c = t->all; c; c = c->next)
        users += c->owner == TCB_USER;
    FZ_CHECK(f, users == held, "%u TCBs owned by users, %u held by sockets: a leak", users, held);
}

static void check_counters(struct fz *f)
{
    const struct synack_counters *c = synack_stack_counters(f->st);
    FZ_CHECK(f, c->ip_in == f->injected, "ip_in %llu, %llu injected",
             (unsigned long long)c->ip_in, (unsigned long long)f->injected);
    FZ_CHECK(f, c->ip_out == f->sent, "ip_out %llu, %llu sent", (unsigned long long)c->ip_out,
             (unsigned long long)f->sent);
    FZ_CHECK(f, c->ip_out == c->tcp_out + c->icmp_errors_sent + c->icmp_echo_replied,
             "ip_out is not the sum of what TCP and ICMP sent");
    FZ_CHECK(f, c->link_drop == 0, "link drops");
    FZ_CHECK(f, c->tcp_rst_sent <= c->tcp_out, "more RSTs than segments");
    uint64_t fates = c->ip_drop_malformed + c->ip_drop_checksum + c->ip_drop_not_ours +
                     c->ip_drop_bad_src + c->ip_drop_fragment + c->ip_frag_in +
                     c->ip6_drop_ext +
                     c->ip_drop_proto + c->icmp_in + c->tcp_drop_bcast + c->tcp_drop_checksum +
                     c->tcp_drop_bad_option + c->tcp_drop_malformed + c->tcp_in;
    /* a reassembled datagram is one more to account for */
    FZ_CHECK(f, fates == c->ip_in + c->ip_reasm_ok, "%llu datagrams in, %llu reassembled, "
             "%llu accounted for", (unsigned long long)c->ip_in,
             (unsigned long long)c->ip_reasm_ok, (unsigned long long)fates);
}

/* What the oracle says of the stack's packets (the peer is the fuzzer:
 * what it sends is judged too, and ignored). */
static void check_oracle(struct fz *f)
{
    if (!f->oracle)
        return;
    size_t n = oracle_finding_count(f->oracle);
    for (; f->oracle_seen < n; f->oracle_seen++) {
        const struct oracle_finding *o = oracle_finding_at(f->oracle, f->oracle_seen);
        if (!o || o->from != ORACLE_FROM_STACK)
            continue;
        char line[400];
        oracle_finding_format(o, line, sizeof line);
        fz_fail(f, "the RFC oracle: %s", line);
    }
}

static void check_all(struct fz *f)
{
    check_oracle(f);
    check_tables(f);
    check_counters(f);
    /* The stack's view agrees with what the peer saw it send. */
    for (unsigned i = 0; i < FZ_SLOTS; i++) {
        if (!f->slot[i].fin_sent)
            continue; /* (nothing to check or clear: no lookup) */
        struct tcb *t = slot_tcb(f, i);
        /* a new incarnation (maybe with the same ISS); or none: the next
         * TCB is one, even in ESTABLISHED at the old ISS (the ACK of a SYN
         * cookie made long ago, RFC 4987 3.6) */
        if (!t || t->state <= SYNACK_SYN_RECEIVED)
            f->slot[i].fin_sent = false;
        if (t && f->slot[i].fin_sent && f->slot[i].fin_iss == t->iss)
            FZ_CHECK(f, t->state >= SYNACK_FIN_WAIT_1 && t->state != SYNACK_CLOSE_WAIT,
                     "%s after sending a FIN", synack_state_name(t->state));
    }
}

/* ---- segments (the input is read with fz_rd8 and co., stack_steps.h) ---- */

static uint32_t seq_of(struct fz *f, unsigned si, unsigned mode, struct fz_cur *c)
{
    struct fz_slot *s = &f->slot[si];
    struct tcb *t = slot_tcb(f, si);
    uint32_t peer_next = s->peer_max_known ? s->peer_max : s->peer_isn;
    if (fz_seq_wide(mode)) {
        uint32_t v = fz_rd32(c);
        return (mode & 7) == FZ_SEQ_ABS ? v : s->peer_isn + v;
    }
    int16_t k = (int16_t)fz_rd16(c);
    uint32_t base;
    switch (mode & 7) {
    case FZ_SEQ_RCV_ADV:
        base = has_irs(t) ? seq_max(t->rcv_adv, t->rcv_nxt) : peer_next;
        break;
    case FZ_SEQ_IRS:
        base = has_irs(t) ? t->irs : s->peer_isn;
        break;
    case FZ_SEQ_PEER_MAX:
        base = peer_next;
        break;
    default:
        base = has_irs(t) ? t->rcv_nxt : peer_next;
        break;
    }
    return base + (uint32_t)(int32_t)k;
}

static uint32_t ack_of(struct fz *f, unsigned si, unsigned mode, struct fz_cur *c)
{
    struct fz_slot *s = &f->slot[si];
    struct tcb *t = slot_tcb(f, si);
    uint32_t iss = t ? t->iss : s->iss;
    if (fz_ack_wide(mode)) {
        uint32_t v = fz_rd32(c);
        return (mode & 7) == FZ_ACK_ABS ? v : iss + v;
    }
    int16_t k = (int16_t)fz_rd16(c);
    uint32_t base;
    switch (mode & 7) {
    case FZ_ACK_SND_UNA:
        base = t ? t->snd_una : iss;
        break;
    case FZ_ACK_SND_NXT:
        base = t ? t->snd_nxt : iss + 1;
        break;
    case FZ_ACK_UNA_MAXWND:
        base = t ? t->snd_una - t->max_snd_wnd : iss;
        break;
    case FZ_ACK_ISS16:
        base = iss;
        break;
    default:
        base = t ? t->snd_max : iss + 1;
        break;
    }
    return base + (uint32_t)(int32_t)k;
}

struct seg_spec {
    unsigned slot;
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win, urg;
    uint8_t opts[SYNACK_TCP_OPT_MAX];
    size_t optlen;
    uint16_t datalen;
    unsigned mut_count;
    struct {
        uint8_t field;
        uint32_t value;
    } muts[FZ_MUT_MAX];
};

/* FZ_OPT_REL on raw options (a script's): fz_raw_relative on slot si. */
static void raw_relative(struct fz *f, unsigned si, uint8_t *o, size_t n)
{
    struct fz_slot *s = &f->slot[si];
    struct fz_rel r = {s->stack_ts_known, s->iss_known, s->stack_ts, s->iss,
                       f->tfo_cookie, f->tfo_len};
    if (fz_raw_relative(&r, o, n, &s->peer_ts))
        s->peer_ts_known = true;
}

static void read_options(struct fz *f, unsigned si, struct fz_cur *c, struct seg_spec *sp)
{
    uint8_t present = fz_rd8(c);
    struct fz_slot *s = &f->slot[si];
    if (present & FZ_OPT_RAW) {
        uint8_t n = fz_rd8(c);
        n = n > SYNACK_TCP_OPT_MAX ? SYNACK_TCP_OPT_MAX : n;
        for (unsigned i = 0; i < n; i++)
            sp->opts[i] = fz_rd8(c);
        sp->optlen = n;
        if (present & FZ_OPT_REL)
            raw_relative(f, si, sp->opts, sp->optlen);
        while (sp->optlen % 4)
            sp->opts[sp->optlen++] = TCPOPT_EOL;
        return;
    }
    struct synack_tcp_opts o;
    memset(&o, 0, sizeof o);
    if (present & FZ_OPT_MSS) {
        o.present |= TCPOPT_F_MSS;
        o.mss = fz_rd16(c);
    }
    if (present & FZ_OPT_WS) {
        o.present |= TCPOPT_F_WSCALE;
        o.wscale = fz_rd8(c);
    }
    if (present & FZ_OPT_SACKOK)
        o.present |= TCPOPT_F_SACK_PERM;
    if (present & FZ_OPT_TS) {
        o.present |= TCPOPT_F_TS;
        o.ts_val = fz_rd32(c);
        o.ts_ecr = fz_rd32(c);
        if ((present & FZ_OPT_REL) && s->peer_ts_known)
            o.ts_val += s->peer_ts; /* PAWS (RFC 7323 5.3) around TS.Recent */
        if ((present & FZ_OPT_REL) && s->stack_ts_known)
            o.ts_ecr += s->stack_ts; /* RTTM (4.1) from an echo near the newest */
        s->peer_ts = o.ts_val;
        s->peer_ts_known = true;
    }
    if (present & FZ_OPT_SACK) {
        struct tcb *t = slot_tcb(f, si);
        uint32_t una = t ? t->snd_una : f->slot[si].iss;
        o.present |= TCPOPT_F_SACK;
        o.sack_count = (uint8_t)(fz_rd8(c) % SYNACK_SACK_MAX + 1);
        for (unsigned i = 0; i < o.sack_count; i++) {
            o.sack[i].left = una + (uint32_t)(int32_t)(int16_t)fz_rd16(c);
            o.sack[i].right = o.sack[i].left + fz_rd16(c);
        }
    }
    if (present & FZ_OPT_FO) { /* RFC 7413 4.1.1 */
        uint8_t n = fz_rd8(c);
        o.present |= TCPOPT_F_FASTOPEN;
        if (n == 0xff) {
            o.tfo_len = f->tfo_len ? f->tfo_len : 8;
            memcpy(o.tfo_cookie, f->tfo_cookie, sizeof o.tfo_cookie);
        } else {
            o.tfo_len = (uint8_t)(n % 19 > SYNACK_TFO_COOKIE_MAX ? SYNACK_TFO_COOKIE_MAX
                                                                  : n % 19);
            for (unsigned i = 0; i < o.tfo_len; i++)
                o.tfo_cookie[i] = fz_rd8(c);
        }
    }
    sp->optlen = synack_tcp_opts_build(sp->opts, sizeof sp->opts, &o, NULL);
    if (sp->optlen == 0 && (o.present & TCPOPT_F_SACK)) { /* too long: drop SACK */
        o.present &= ~TCPOPT_F_SACK;
        o.sack_count = 0;
        sp->optlen = synack_tcp_opts_build(sp->opts, sizeof sp->opts, &o, NULL);
    }
}

static void send_seg(struct fz *f, const struct seg_spec *sp)
{
    struct fz_slot *s = &f->slot[sp->slot];
    struct tcb *t = slot_tcb(f, sp->slot);
    uint8_t *pkt = f->pkt;
    uint8_t *tcp = pkt + 20;
    struct synack_tcp h = {.sport = s->rport, .dport = s->lport, .seq = sp->seq, .ack = sp->ack,
                           .flags = sp->flags, .window = sp->win, .urg_ptr = sp->urg};
    size_t hl = synack_tcp_build(tcp, FZ_PKT_MAX - 20, &h, sp->opts, sp->optlen, NULL);
    if (!hl)
        abort();
    bool syn = sp->flags & SYNACK_TCP_SYN;
    uint32_t data_seq = sp->seq + (syn ? 1u : 0u);
    pattern_fill(tcp + hl, sp->datalen, data_seq * FZ_PEER_K, FZ_PEER_K);
    size_t seglen = hl + sp->datalen;
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .frag = SYNACK_IP_DF,
                             .id = f->ip_id++, .src = FZ_PEER, .dst = FZ_ADDR};
    synack_ipv4_build(pkt, 20, &ih, seglen, NULL);
    size_t len = 20 + seglen;

    /* What the peer has now sent, for the observer's checks. */
    uint32_t span = sp->datalen + (syn ? 1u : 0u) + ((sp->flags & SYNACK_TCP_FIN) ? 1u : 0u);
    uint32_t end = sp->seq + span;
    if ((syn && !has_irs(t)) || !s->peer_max_known || seq_gt(end, s->peer_max)) {
        s->peer_max = end;
        s->peer_max_known = true;
    }
    unsigned k = 0;
    while (k < s->n_sent && !(s->sent[k].lo == sp->seq && s->sent[k].len >= span))
        k++;
    if (k == s->n_sent) {
        if (k < FZ_RANGES) {
            s->sent[k].lo = sp->seq;
            s->sent[k].len = span;
            s->n_sent++;
        } else {
            s->sent_overflow = true;
        }
    }
    if (sp->flags & SYNACK_TCP_ACK) {
        uint32_t w = (uint32_t)sp->win << (t && !syn ? t->snd_wscale : 0);
        if (!s->wnd_known || w > s->max_wnd)
            s->max_wnd = w;
        s->wnd_known = true;
    }

    bool ip_csum = false, tcp_csum = false;
    size_t trunc = SIZE_MAX;
    for (unsigned i = 0; i < sp->mut_count; i++)
        if (fz_apply_mutation(pkt, sp->muts[i].field, sp->muts[i].value, &ip_csum, &tcp_csum, &trunc))
            f->tainted = true; /* the TCP header moved: its octets may become payload */
    if (!tcp_csum) {
        synack_tcp_checksum_set(tcp, seglen, synack_get32(pkt + 12), synack_get32(pkt + 16));
    } else if (synack_get16(tcp + 16) == 0xbad0) {
        synack_tcp_checksum_set(tcp, seglen, synack_get32(pkt + 12), synack_get32(pkt + 16));
        synack_put16(tcp + 16, synack_get16(tcp + 16) ^ 1u);
    }
    if (!ip_csum && sp->mut_count) { /* (synack_ipv4_build summed the header) */
        synack_put16(pkt + 10, 0);
        synack_put16(pkt + 10, synack_cksum_fold(synack_cksum_add(0, pkt, 20)));
    }
    if (f->v6) { /* the same segment over IPv6 (family.h) */
        size_t grow;
        len = fz6_from_v4(pkt, len, f->pkt6, &grow);
        pkt = f->pkt6;
        if (trunc != SIZE_MAX && trunc > 20)
            trunc += grow;
    }
    if (trunc < len)
        len = trunc;
    /* A segment no mutation touched has the checksums built above: the
     * stack need not sum it again (as from a memory link that cannot
     * corrupt). Every mutated segment, and every raw datagram, is verified
     * (a checksum mutation is one of them), so the paths that drop a bad
     * checksum keep their inputs. */
    fz_inject(f, pkt, len, sp->mut_count ? 0 : SYNACK_INPUT_CSUM_OK);
}

static void step_seg(struct fz *f, unsigned si, struct fz_cur *c)
{
    struct seg_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.slot = si;
    sp.flags = fz_rd8(c);
    unsigned sm = fz_rd8(c);
    sp.seq = seq_of(f, si, sm, c);
    unsigned am = fz_rd8(c);
    sp.ack = ack_of(f, si, am, c);
    sp.win = fz_rd16(c);
    uint8_t ext = fz_rd8(c);
    if (ext & FZ_EXT_URG)
        sp.urg = fz_rd16(c);
    if (ext & FZ_EXT_OPTS)
        read_options(f, si, c, &sp);
    if (ext & FZ_EXT_DATA)
        sp.datalen = (uint16_t)(fz_rd16(c) % (FZ_DATA_MAX + 1));
    if (ext & FZ_EXT_MUTS) {
        sp.mut_count = fz_rd8(c) % (FZ_MUT_MAX + 1);
        for (unsigned i = 0; i < sp.mut_count; i++) {
            sp.muts[i].field = fz_rd8(c);
            sp.muts[i].value = fz_rd32(c);
        }
    }
    send_seg(f, &sp);
}

/* A well-behaved peer: in sequence, acknowledging everything sent. */
static void step_ack(struct fz *f, unsigned si, struct fz_cur *c)
{
    uint8_t kind = fz_rd8(c);
    struct fz_slot *s = &f->slot[si];
    struct tcb *t = slot_tcb(f, si);
    struct seg_spec sp;
    memset(&sp, 0, sizeof sp);
    sp.slot = si;
    sp.seq = has_irs(t) ? t->rcv_nxt : (s->peer_max_known ? s->peer_max : s->peer_isn);
    sp.ack = t ? t->snd_max : s->iss + 1;
    sp.win = 65535;
    static const uint8_t flags[4] = {SYNACK_TCP_ACK, SYNACK_TCP_ACK | SYNACK_TCP_PSH,
                                     SYNACK_TCP_ACK | SYNACK_TCP_FIN,
                                     SYNACK_TCP_RST | SYNACK_TCP_ACK};
    sp.flags = flags[kind & 3];
    if ((kind & 3) != 3)
        sp.datalen = (uint16_t)((kind >> 2) * 32u);
    send_seg(f, &sp);
}

/* ---- ICMP and raw datagrams ---- */

/* The ICMP message of step_icmp as ICMPv6 (family.h): the quoted IPv4
 * header of data (when quoted) becomes an IPv6 one. */
static void step_icmp6(struct fz *f, uint8_t type, uint8_t code, uint32_t rest,
                       const uint8_t *data, size_t n, bool quoted)
{
    uint8_t q[SYNACK_IPV6_HDR + 8 + 255];
    size_t qn = 0;
    if (quoted) {
        struct synack_ipv6 ih = {.hop_limit = 64, .next = data[9]};
        fz6_addr(FZ_ADDR, ih.src);
        fz6_addr(FZ_PEER, ih.dst);
        synack_ipv6_build(q, sizeof q, &ih, n - 20, NULL);
        memcpy(q + SYNACK_IPV6_HDR, data + 20, n - 20);
        qn = SYNACK_IPV6_HDR + n - 20;
    } else {
        memcpy(q, data, n);
        qn = n;
    }
    fz6_icmp_type(&type, &code, &rest);
    struct synack_ipv6 h = {.hop_limit = 64, .next = SYNACK_IPPROTO_ICMPV6};
    fz6_addr(FZ_PEER, h.src);
    fz6_addr(FZ_ADDR, h.dst);
    uint8_t *pkt = f->pkt6;
    size_t il = synack_icmp6_build(pkt + SYNACK_IPV6_HDR, FZ_PKT_MAX - SYNACK_IPV6_HDR, type, code,
                                   rest, q, qn, h.src, h.dst, NULL);
    synack_ipv6_build(pkt, SYNACK_IPV6_HDR, &h, il, NULL);
    fz_inject(f, pkt, SYNACK_IPV6_HDR + il, 0);
}

static void step_icmp(struct fz *f, unsigned si, struct fz_cur *c)
{
    struct fz_slot *s = &f->slot[si];
    uint8_t type = fz_rd8(c), code = fz_rd8(c);
    uint32_t rest = fz_rd32(c);
    uint8_t quote = fz_rd8(c) % 4;
    unsigned am = fz_rd8(c);
    uint32_t qseq = ack_of(f, si, am, c);
    uint8_t dlen = fz_rd8(c);
    uint8_t data[20 + 8 + 255];
    size_t n = 0;
    if (quote) {
        static const uint8_t proto[4] = {0, SYNACK_IPPROTO_TCP, SYNACK_IPPROTO_UDP, 255};
        struct synack_ipv4 ih = {.ttl = 64, .proto = proto[quote], .id = 1, .src = FZ_ADDR,
                                 .dst = FZ_PEER};
        synack_ipv4_build(data, 20, &ih, 20, NULL);
        synack_put16(data + 20, s->lport);
        synack_put16(data + 22, s->rport);
        synack_put32(data + 24, qseq);
        n = 28;
    }
    memset(data + n, 0, dlen);
    n += dlen;
    if (f->v6) {
        step_icmp6(f, type, code, rest, data, n, quote != 0);
        return;
    }
    uint8_t *pkt = f->pkt;
    size_t il = synack_icmp_build(pkt + 20, FZ_PKT_MAX - 20, type, code, rest, data, n, NULL);
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_ICMP, .id = f->ip_id++,
                             .src = FZ_PEER, .dst = FZ_ADDR};
    synack_ipv4_build(pkt, 20, &ih, il, NULL);
    fz_inject(f, pkt, 20 + il, 0);
}

static void step_raw(struct fz *f, unsigned mod, struct fz_cur *c)
{
    size_t len = fz_rd8(c);
    if (len > c->n - c->off)
        len = c->n - c->off;
    uint8_t *pkt = f->pkt;
    memcpy(pkt, c->p + c->off, len);
    c->off += len;
    f->tainted = true; /* its octets may land in a stream */
#ifdef SYNACK_FUZZ_NO_CHECKSUM
    bool repair6 = true;
#else
    bool repair6 = mod & 1;
#endif
    if (f->v6 && len && (pkt[0] >> 4) == 6) { /* an IPv6 datagram in an IPv6 run */
        fz6_raw(pkt, len, mod & 2, repair6);
        fz_inject(f, pkt, len, 0);
        return;
    }
    if ((mod & 2) && len >= 20) {
        synack_put32(pkt + 12, FZ_PEER);
        synack_put32(pkt + 16, FZ_ADDR);
    }
#ifdef SYNACK_FUZZ_NO_CHECKSUM
    mod |= 1; /* the flag turns checksums off: every raw datagram gets good ones */
#endif
    if ((mod & 1) && len >= 20) {
        size_t hl = (pkt[0] & 0x0fu) * 4u;
        if (hl >= 20 && hl <= len) {
            size_t total = synack_get16(pkt + 2);
            if (total > len || total < hl)
                total = len;
            uint8_t *l4 = pkt + hl;
            size_t l4len = total - hl;
            if (pkt[9] == SYNACK_IPPROTO_TCP && l4len >= 20)
                synack_tcp_checksum_set(l4, l4len, synack_get32(pkt + 12), synack_get32(pkt + 16));
            else if (pkt[9] == SYNACK_IPPROTO_ICMP && l4len >= 8) {
                synack_put16(l4 + 2, 0);
                synack_put16(l4 + 2, synack_cksum_fold(synack_cksum_add(0, l4, l4len)));
            }
            synack_put16(pkt + 10, 0);
            synack_put16(pkt + 10, synack_cksum_fold(synack_cksum_add(0, pkt, hl)));
        }
    }
    fz_inject(f, pkt, len, 0);
}

/* ---- time ---- */

static void run_due(struct fz *f)
{
    synack_stack_poll(f->st, f->now);
    uint64_t d = synack_stack_deadline(f->st);
    FZ_CHECK(f, d > f->now, "a deadline at %llu is still due after poll at %llu",
             (unsigned long long)d, (unsigned long long)f->now);
}

/* A batch groups the datagrams of one instant (synack/stack.h): it ends
 * before the clock moves, so what it held goes out when it was due. */
static void end_batch(struct fz *f)
{
    if (!f->batch)
        return;
    synack_stack_batch_end(f->st, f->now);
    f->batch = false;
}

static void advance(struct fz *f, uint64_t dt)
{
    end_batch(f);
    uint64_t end = f->now + dt;
    for (unsigned i = 0; i < FZ_POLLS_MAX; i++) {
        uint64_t d = synack_stack_deadline(f->st);
        if (d == SYNACK_TIME_NEVER || d > end)
            break;
        if (d > f->now)
            f->now = d;
        run_due(f);
        check_all(f);
    }
    f->now = end;
    run_due(f);
}

static void step_clock(struct fz *f, struct fz_cur *c)
{
    uint8_t m = fz_rd8(c);
    switch (m & 3) {
    case 0:
        advance(f, (uint64_t)(m >> 2) * 10 * SYNACK_MSEC);
        break;
    case 1:
        advance(f, (1ull << ((m >> 2) > 22 ? 22 : (m >> 2))) * SYNACK_MSEC);
        break;
    case 2:
        advance(f, 1);
        break;
    default:
        advance(f, fz_rd32(c));
        break;
    }
}

static void step_next(struct fz *f)
{
    uint64_t d = synack_stack_deadline(f->st);
    if (d == SYNACK_TIME_NEVER)
        return;
    if (d > f->now) {
        end_batch(f);
        d = synack_stack_deadline(f->st); /* what the batch sent may start a timer */
        if (d == SYNACK_TIME_NEVER)
            return;
        if (d > f->now)
            f->now = d;
    }
    run_due(f);
}

/* ---- socket calls ---- */

static const struct {
    int level, name;
} fz_sockopts[FZ_SO_COUNT] = {
    [FZ_SO_REUSEADDR] = {SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR},
    [FZ_SO_KEEPALIVE] = {SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE},
    [FZ_SO_SNDBUF] = {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF},
    [FZ_SO_RCVBUF] = {SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF},
    [FZ_SO_LINGER] = {SYNACK_SOL_SOCKET, SYNACK_SO_LINGER},
    [FZ_SO_OOBINLINE] = {SYNACK_SOL_SOCKET, SYNACK_SO_OOBINLINE},
    [FZ_TCP_NODELAY] = {SYNACK_SOL_TCP, SYNACK_TCP_NODELAY},
    [FZ_TCP_MAXSEG] = {SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG},
    [FZ_TCP_KEEPIDLE] = {SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE},
    [FZ_TCP_KEEPINTVL] = {SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL},
    [FZ_TCP_KEEPCNT] = {SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT},
    [FZ_TCP_USER_TIMEOUT] = {SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT},
    [FZ_IP_TOS] = {SYNACK_IPPROTO_IP, SYNACK_IP_TOS},
    [FZ_IP_TTL] = {SYNACK_IPPROTO_IP, SYNACK_IP_TTL},
    [FZ_SO_BOGUS] = {99, 99},
    [FZ_TCP_WINDOW_SCALING] = {SYNACK_SOL_TCP, SYNACK_TCP_WINDOW_SCALING},
    [FZ_TCP_TIMESTAMPS] = {SYNACK_SOL_TCP, SYNACK_TCP_TIMESTAMPS},
    [FZ_TCP_SACK] = {SYNACK_SOL_TCP, SYNACK_TCP_SACK},
    [FZ_TCP_DSACK] = {SYNACK_SOL_TCP, SYNACK_TCP_DSACK},
    [FZ_TCP_ECN] = {SYNACK_SOL_TCP, SYNACK_TCP_ECN},
    [FZ_TCP_RECOVERY] = {SYNACK_SOL_TCP, SYNACK_TCP_RECOVERY},
    [FZ_TCP_FASTOPEN] = {SYNACK_SOL_TCP, SYNACK_TCP_FASTOPEN},
    [FZ_TCP_FASTOPEN_CONNECT] = {SYNACK_SOL_TCP, SYNACK_TCP_FASTOPEN_CONNECT},
};

static struct tcb *sock_tcb(struct fz *f, int sd)
{
    struct sock *sk = sock_lookup(f->st, sd);
    return sk && sk->kind == SK_CONN ? sk->tcb : NULL;
}

/* STATUS and friends: nothing changes but SO_ERROR; what they say agrees. */
static void call_inspect(struct fz *f, int sd)
{
    struct synack_tcp_info ti;
    struct tcb *t = sock_tcb(f, sd);
    if (synack_socket_status(f->st, sd, &ti) == 0 && t) {
        FZ_CHECK(f, ti.state == t->state && ti.snd_una == t->snd_una &&
                        ti.unacked == t->snd_max - t->snd_una && ti.rcvbuf_used == t->rb.used,
                 "STATUS disagrees with the TCB");
    }
    int ev = synack_socket_events(f->st, sd);
    FZ_CHECK(f, !(ev & ~(SYNACK_POLLIN | SYNACK_POLLPRI | SYNACK_POLLOUT | SYNACK_POLLERR |
                         SYNACK_POLLHUP | SYNACK_POLLRDHUP)),
             "events %x", ev);
    for (unsigned i = 0; i < FZ_SO_COUNT; i++) {
        union {
            int v;
            struct synack_linger l;
            struct synack_tcp_info ti;
        } u;
        size_t len = sizeof u;
        synack_socket_getsockopt(f->st, sd, fz_sockopts[i].level, fz_sockopts[i].name, &u, &len);
        FZ_CHECK(f, len <= sizeof u, "getsockopt length %zu", len);
    }
    size_t len = sizeof ti;
    synack_socket_getsockopt(f->st, sd, SYNACK_SOL_TCP, SYNACK_TCP_INFO, &ti, &len);
    /* The counters as the table of names reads them (synack_counter_*). */
    const struct synack_counters *c = synack_stack_counters(f->st);
    uint64_t sum = 0, direct = 0;
    for (size_t i = 0; i < synack_counter_count(); i++) {
        FZ_CHECK(f, synack_counter_name(i) && synack_counter_desc(i), "counter %zu unnamed", i);
        sum += synack_counter_value(c, i);
    }
#define FZ_ADD_COUNTER(name, desc) direct += c->name;
    SYNACK_COUNTERS(FZ_ADD_COUNTER)
#undef FZ_ADD_COUNTER
    FZ_CHECK(f, sum == direct && !synack_counter_name(synack_counter_count()),
             "counter table disagrees with struct synack_counters");
    FZ_CHECK(f, synack_stack_config(f->st)->addr == FZ_ADDR, "configuration");
    struct synack_addr a;
    uint16_t p;
    synack_socket_name_addr(f->st, sd, &a, &p);
    if (synack_socket_peer_addr(f->st, sd, &a, &p) == 0 && t)
        FZ_CHECK(f, synack_addr_eq(&a, &t->raddr) && p == t->rport, "getpeername");
}

static void call_send(struct fz *f, int sd, struct fz_cur *c)
{
    uint16_t len = fz_rd16(c);
    uint8_t fl = fz_rd8(c);
    struct tcb *t = sock_tcb(f, sd);
    uint32_t off = t ? tcp_data_end(t) - (t->iss + 1) : 0;
    /* Only what the send buffer can take is written (tcp_send: sb_append);
     * without a connection, nothing (the call fails before reading). */
    uint32_t fill = t ? sb_space(&t->sb) : 0;
    fill = fill < len ? fill : len;
    pattern_fill(f->io, fill, (off + 0x55u) * FZ_APP_K, FZ_APP_K);
    int flags = ((fl & 1) ? SYNACK_MSG_OOB : 0) | ((fl & 2) ? 0x100 : 0);
    ssize_t r = synack_socket_send(f->st, sd, f->io, len, flags, f->now);
    FZ_CHECK(f, r <= (ssize_t)fill && r >= -4095, "send returned %zd for %u octets (%u fit)", r,
             len, fill);
}

static void call_recv(struct fz *f, int sd, struct fz_cur *c)
{
    uint16_t len = fz_rd16(c);
    uint8_t fl = fz_rd8(c);
    struct tcb *t = sock_tcb(f, sd);
    uint32_t from = 0;
    bool known = t && !f->tainted && t->state != SYNACK_SYN_SENT;
    if (known)
        from = t->rcv_nxt - t->rb.used - ((t->flags & TF_RCVD_FIN) ? 1u : 0u);
    int flags = ((fl & 1) ? SYNACK_MSG_PEEK : 0) | ((fl & 2) ? SYNACK_MSG_OOB : 0);
    ssize_t r = synack_socket_recv(f->st, sd, f->io, len, flags, f->now);
    FZ_CHECK(f, r <= (ssize_t)len && r >= -4095, "recv returned %zd for %u octets", r, len);
    if (r > 0)
        FZ_CHECK(f, t != NULL, "data from a socket without a connection");
    size_t i = known && r > 0 ? pattern_diff(f->io, (size_t)r, from * FZ_PEER_K, FZ_PEER_K) : 0;
    if (known && r > 0 && i < (size_t)r)
        fz_fail(f, "recv: octet %zu (sequence number %u) is %02x, the peer sent %02x", i,
                from + (uint32_t)i, f->io[i], peer_octet(from + (uint32_t)i));
}

static void step_call(struct fz *f, int sd, struct fz_cur *c)
{
    uint8_t call = fz_rd8(c) % FZ_CALL_COUNT;
    static const char *const names[FZ_CALL_COUNT] = {
        "socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown", "close",
        "abort", "setsockopt", "inspect"};
    if (f->trace)
        fprintf(stderr, "    %s(%d)\n", names[call], sd);
    int r;
    switch ((enum fz_call)call) {
    case FZ_CALL_SOCKET:
        r = f->v6 ? synack_socket_family(f->st, SYNACK_AF_INET6) : synack_socket(f->st);
        FZ_CHECK(f, r >= 0 || r == -EMFILE, "socket() = %d", r);
        break;
    case FZ_CALL_BIND: {
        uint8_t ps = fz_rd8(c), as = fz_rd8(c);
        static const uint16_t ports[3] = {FZ_PORT, 0, FZ_PORT + 1};
        uint16_t port = (ps & 3) < 3 ? ports[ps & 3] : (uint16_t)(FZ_PEER_PORT + (ps >> 2));
        static const uint32_t addrs[4] = {0, FZ_ADDR, FZ_OTHER, FZ_ADDR};
        struct synack_addr ba = fz_addr(f, addrs[as & 3]);
        synack_socket_bind_addr(f->st, sd, &ba, port);
        break;
    }
    case FZ_CALL_LISTEN:
        synack_socket_listen(f->st, sd, (int8_t)fz_rd8(c));
        break;
    case FZ_CALL_ACCEPT: {
        struct synack_addr raa = {0};
        uint16_t rp = 0;
        r = synack_socket_accept_addr(f->st, sd, &raa, &rp);
        uint32_t ra = v4(&raa);
        if (r >= 0) {
            struct tcb *t = sock_tcb(f, r);
            FZ_CHECK(f, t && v4(&t->raddr) == ra && t->rport == rp, "accept: peer");
            FZ_CHECK(f, t->state != SYNACK_SYN_RECEIVED && t->state != SYNACK_LISTEN,
                     "accept returned a connection in %s", synack_state_name(t->state));
        }
        break;
    }
    case FZ_CALL_CONNECT: {
        uint8_t a = fz_rd8(c);
        unsigned si = a & 3;
        struct fz_slot *s = &f->slot[si];
        uint32_t addr = (a & 4) ? (FZ_ADDR | 0xffu) : FZ_PEER; /* MUST-46: broadcast fails */
        uint16_t old = s->lport;
        s->lport = 0; /* the SYN tells the port (fz_observe) */
        struct synack_addr ca = fz_addr(f, addr);
        r = synack_socket_connect_addr(f->st, sd, &ca, (a & 8) ? 0 : s->rport, f->now);
        struct tcb *t = sock_tcb(f, sd);
        if (t && v4(&t->raddr) == FZ_PEER && t->rport == s->rport) {
            if (t->lport != old && (!s->iss_known || t->iss != s->iss))
                s->tracked = false; /* another, older connection: its start was not seen */
            s->lport = t->lport;
        } else if (s->lport == 0) {
            s->lport = old;
        }
        break;
    }
    case FZ_CALL_SEND:
        call_send(f, sd, c);
        break;
    case FZ_CALL_RECV:
        call_recv(f, sd, c);
        break;
    case FZ_CALL_SHUTDOWN:
        synack_socket_shutdown(f->st, sd, fz_rd8(c) % 4, f->now);
        break;
    case FZ_CALL_CLOSE:
        synack_socket_close(f->st, sd, f->now);
        break;
    case FZ_CALL_ABORT:
        synack_socket_abort(f->st, sd, f->now);
        break;
    case FZ_CALL_SETSOCKOPT: {
        unsigned o = fz_rd8(c) % FZ_SO_COUNT;
        uint32_t v = fz_rd32(c);
        if (o == FZ_SO_LINGER) {
            struct synack_linger l = {(int)(v & 1), (int)((v >> 1) & 0xff)};
            synack_socket_setsockopt(f->st, sd, fz_sockopts[o].level, fz_sockopts[o].name, &l,
                                     sizeof l, f->now);
        } else {
            int iv = (int)v;
            synack_socket_setsockopt(f->st, sd, fz_sockopts[o].level, fz_sockopts[o].name, &iv,
                                     sizeof iv, f->now);
        }
        break;
    }
    default:
        call_inspect(f, sd);
        break;
    }
}

/* ---- steps ---- */

/* The connections of the slots, for SYNACK_FUZZ_TRACE. */
static void trace_slots(struct fz *f)
{
    for (unsigned i = 0; i < FZ_SLOTS; i++) {
        struct tcb *t = slot_tcb(f, i);
        if (t)
            fprintf(stderr, "    slot %u %u>%u %s iss %u una %u nxt %u max %u wnd %u irs %u "
                            "rcv.nxt %u rcv.adv %u srtt %llu rttvar %llu rto %llu\n",
                    i, t->lport, t->rport, synack_state_name(t->state), t->iss, t->snd_una,
                    t->snd_nxt, t->snd_max, t->snd_wnd, t->irs, t->rcv_nxt, t->rcv_adv,
                    (unsigned long long)t->srtt, (unsigned long long)t->rttvar,
                    (unsigned long long)t->rto);
    }
}

static const char *const op_names[8] = {"segment", "call", "clock", "icmp",
                                        "raw",     "batch", "ack",  "next"};

static void run_steps(struct fz *f, const uint8_t *p, size_t n, bool prefix)
{
    struct fz_cur c = {p, n, 0};
    while (c.off < c.n && f->step < FZ_STEPS_MAX) {
        uint8_t opc = fz_rd8(&c);
        unsigned op = opc & 7, mod = opc >> 3;
        f->step++;
        f->what = prefix ? "prefix" : op_names[op];
        if (f->trace)
            fprintf(stderr, "step %u %s (opcode %02x) t=%llu us\n", f->step, f->what, opc,
                    (unsigned long long)(f->now - FZ_START));
        switch ((enum fz_op)op) {
        case FZ_OP_SEG:
            step_seg(f, mod & 3, &c);
            break;
        case FZ_OP_CALL:
            step_call(f, (int)(mod & 7), &c);
            break;
        case FZ_OP_CLOCK:
            step_clock(f, &c);
            break;
        case FZ_OP_ICMP:
            step_icmp(f, mod & 3, &c);
            break;
        case FZ_OP_RAW:
            step_raw(f, mod, &c);
            break;
        case FZ_OP_BATCH:
            if (f->batch) {
                end_batch(f);
            } else {
                synack_stack_batch_begin(f->st);
                f->batch = true;
            }
            break;
        case FZ_OP_ACK:
            step_ack(f, mod & 3, &c);
            break;
        case FZ_OP_NEXT:
            step_next(f);
            break;
        }
        check_all(f);
        if (f->trace)
            trace_slots(f);
    }
}

/* ---- configuration ---- */

static void configure(struct synack_config *cfg, uint8_t bits, bool v6)
{
    synack_config_default(cfg);
    cfg->addr = FZ_ADDR;
    if (v6) /* (with its IPv4 address too: a dual stack) */
        fz6_addr(FZ_ADDR, cfg->addr6);
    cfg->rng_seed = FZ_SEED; /* DESIGN 3.5: fuzz runs fix the seed */
    cfg->max_sockets = FZ_SOCKETS_MAX;
    cfg->max_conns = 16;
    static const uint32_t bufs[4] = {256 * 1024, 2048, 4096, 16384};
    cfg->sndbuf = cfg->rcvbuf = bufs[bits & FZ_CFG_BUF_MASK];
    if (bits & FZ_CFG_SMALL_MTU)
        cfg->mtu = v6 ? SYNACK_IPV6_MIN_MTU : 576; /* IPv6's least (RFC 8200 5) */
    if (bits & FZ_CFG_OOO_2)
        cfg->ooo_max = 2;
    if (bits & FZ_CFG_LOW_LIMITS)
        cfg->challenge_ack_limit = cfg->icmp_error_limit = 3;
    if (bits & FZ_CFG_FEW_CONNS) {
        cfg->max_conns = 4;
        cfg->max_sockets = 6;
        cfg->backlog_max = 2;
    }
    if (bits & FZ_CFG_SHORT_TIMERS) {
        cfg->msl = 2 * SYNACK_SEC;
        cfg->fin_wait_2 = 5 * SYNACK_SEC;
        cfg->keepalive_idle = 10 * SYNACK_SEC;
        cfg->keepalive_intvl = 5 * SYNACK_SEC;
        cfg->keepalive_cnt = 2;
        cfg->r2 = 20 * SYNACK_SEC;
        cfg->r2_syn = 30 * SYNACK_SEC;
    }
    if (bits & FZ_CFG_FAST_RTO) {
        cfg->rto_initial = cfg->rto_min = 200 * SYNACK_MSEC;
        cfg->delack = 40 * SYNACK_MSEC;
    }
}

/* What outlives one input: the stack, reset for the next one
 * (synack_stack_reset: the same packets as a new stack, without building
 * its tables again), and the target's buffers. A static, as the driver's
 * are; $SYNACK_FUZZ_FRESH=1 builds a new stack for every input instead. */
static struct {
    struct synack_stack *st;
    uint8_t *pkt, *pkt6, *io;
} fz_kept;

static void fz_stack(struct fz *f, const struct synack_link *link)
{
    const char *fresh = getenv("SYNACK_FUZZ_FRESH");
    if (fz_kept.st && fresh && strcmp(fresh, "0") != 0) {
        synack_stack_free(fz_kept.st);
        fz_kept.st = NULL;
    }
    if (fz_kept.st && synack_stack_reset(fz_kept.st, &f->cfg, link) != 0)
        abort();
    int err = 0;
    if (!fz_kept.st && !(fz_kept.st = synack_stack_new(&f->cfg, link, &err)))
        abort();
    if (!fz_kept.pkt && !(fz_kept.pkt = malloc(FZ_PKT_MAX)))
        abort();
    if (!fz_kept.pkt6 && !(fz_kept.pkt6 = malloc(FZ_PKT_MAX)))
        abort();
    if (!fz_kept.io && !(fz_kept.io = malloc(FZ_IO_MAX)))
        abort();
    f->st = fz_kept.st;
    f->pkt = fz_kept.pkt;
    f->pkt6 = fz_kept.pkt6;
    f->io = fz_kept.io;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    struct fz f;
    memset(&f, 0, sizeof f);
    f.v6 = (data[0] & FZ_PREFIX_V6) != 0;
    configure(&f.cfg, data[1], f.v6);
    f.now = FZ_START;
    /* The RFC oracle judges every packet too, with the stack's own RTO
     * bounds; $SYNACK_FUZZ_ORACLE=0 turns it off (fuzz/README.md). */
    const char *ov = getenv("SYNACK_FUZZ_ORACLE");
    if (!ov || strcmp(ov, "0") != 0) {
        struct oracle_config oc;
        oracle_config_default(&oc);
        oc.rto_min_us = f.cfg.rto_min;
        oc.rto_initial_us = f.cfg.rto_initial;
        oc.rto_max_us = f.cfg.rto_max;
        oc.stack_checksums_checked = true; /* fz_observe parses them, checksums verified */
        oc.peer_unworded = true; /* check_oracle reads only the stack's findings */
        f.oracle = oracle_new(&oc);
        if (!f.oracle)
            abort();
    }
    f.dump = getenv("SYNACK_FUZZ_DUMP");
    f.trace = getenv("SYNACK_FUZZ_TRACE") != NULL;
    for (unsigned i = 0; i < FZ_SLOTS; i++) {
        f.slot[i].lport = FZ_PORT;
        f.slot[i].rport = (uint16_t)(FZ_PEER_PORT + i);
        f.slot[i].peer_isn = FZ_PEER_ISN + (i << 24);
    }
    struct synack_link link = {.send = fz_link_send, .ctx = &f};
    fz_stack(&f, &link);

    unsigned target = data[0] % FZ_PREFIX_COUNT;
    if (target) {
        uint8_t pb[256];
        struct fz_buf b = {pb, 0, sizeof pb, false};
        fz_put_prefix(&b, (enum synack_state)target);
        run_steps(&f, pb, b.len, true);
        struct sock *l = sock_lookup(f.st, 0);
        struct tcb *t = target == SYNACK_LISTEN ? (l ? l->tcb : NULL) : slot_tcb(&f, 0);
        FZ_CHECK(&f, t && t->state == (enum synack_state)target,
                 "the prefix did not reach %s (%s)", synack_state_name(target),
                 t ? synack_state_name(t->state) : "no TCB");
    }
    run_steps(&f, data + 2, size - 2, false);
    if (f.batch) {
        end_batch(&f);
        check_all(&f);
    }
    if (f.oracle) {
        oracle_finish(f.oracle, f.now - FZ_START);
        check_oracle(&f);
        oracle_free(f.oracle);
    }
    return 0;
}

#include "driver.h"

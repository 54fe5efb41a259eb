/* fuzz/stack_steps.h: the input format of the stack target (fuzz/stack.c),
 * shared with the corpus generator (fuzz/gen/corpus.c) that writes seeds
 * in it. Decoding, and what each field means at run time, is in stack.c;
 * fuzz/README.md has the format in prose.
 *
 * An input is a 2-octet header and a sequence of steps:
 *
 *   header  [prefix] [config]
 *     prefix % 11: 0 = a fresh stack; otherwise the enum synack_state
 *       (LISTEN .. TIME-WAIT) that a scripted prefix brings slot 0 into;
 *       prefix & FZ_PREFIX_V6: the run speaks IPv6 (fuzz/family.h)
 *     config: bit flags, FZ_CFG_* below
 *   step    [opcode] [body...]   opcode & 7 is the operation, opcode >> 3
 *                                its modifiers (slot or socket)
 *
 * Multi-octet values are big-endian. A body cut short by the end of the
 * input reads as zeros; the input ends after the last complete opcode.
 */
#ifndef SYNACK_FUZZ_STACK_STEPS_H
#define SYNACK_FUZZ_STACK_STEPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <synack/socket.h>
#include <synack/wire.h>

/* ---- header ---- */

#define FZ_PREFIX_COUNT 11u
#define FZ_PREFIX_V6 0x80u

#define FZ_CFG_BUF_MASK 0x03u  /* buffers: 0 default (256 KiB), 1 2 KiB, 2 4 KiB, 3 16 KiB */
#define FZ_CFG_SMALL_MTU 0x04u /* MTU 576 (MSS 536) instead of 1500 */
#define FZ_CFG_OOO_2 0x08u     /* two out-of-order intervals instead of eight */
#define FZ_CFG_LOW_LIMITS 0x10u /* 3 challenge ACKs and 3 ICMP errors per second */
#define FZ_CFG_FEW_CONNS 0x20u /* 4 connections, 6 sockets, backlog 2 */
#define FZ_CFG_SHORT_TIMERS 0x40u /* MSL 2 s, FIN-WAIT-2 5 s, keep-alive 10/5 s x2, R2 20 s */
#define FZ_CFG_FAST_RTO 0x80u  /* RTO initial and minimum 200 ms, delayed ACK 40 ms */

/* ---- operations ---- */

enum fz_op {
    FZ_OP_SEG = 0,   /* slot = mod & 3: an inbound TCP segment, fields below */
    FZ_OP_CALL = 1,  /* sd = mod & 7: a socket call, FZ_CALL_* */
    FZ_OP_CLOCK = 2, /* [mode]: advance the clock, running the timers due */
    FZ_OP_ICMP = 3,  /* slot = mod & 3: an ICMP message quoting that connection */
    FZ_OP_RAW = 4,   /* mod bit 0: repair checksums, bit 1: our addresses; [len] bytes */
    FZ_OP_BATCH = 5, /* open a batch (synack_stack_batch_begin) or close it */
    FZ_OP_ACK = 6,   /* slot = mod & 3: [kind]: a well-behaved peer segment */
    FZ_OP_NEXT = 7,  /* jump to the next deadline and run it */
};

static inline uint8_t fz_opcode(enum fz_op op, unsigned mod)
{
    return (uint8_t)((unsigned)op | (mod << 3));
}

/* FZ_OP_SEG body:
 *   [flags] [seq mode] seq [ack mode] ack [win:2] [ext] ext fields...
 * seq and ack are 2 octets (signed) or 4 (unsigned), by mode: */
enum fz_seq_mode {
    FZ_SEQ_RCV_NXT = 0,  /* RCV.NXT + s16 */
    FZ_SEQ_PEER_ISN = 1, /* the slot's peer ISN + u32 (as a script's numbers) */
    FZ_SEQ_RCV_ADV = 2,  /* RCV.NXT + RCV.WND (the right edge) + s16 */
    FZ_SEQ_ABS = 3,      /* u32 */
    FZ_SEQ_IRS = 4,      /* IRS + s16 */
    FZ_SEQ_PEER_MAX = 5, /* the highest sequence number the peer sent + s16 */
};
enum fz_ack_mode {
    FZ_ACK_SND_UNA = 0, /* SND.UNA + s16 */
    FZ_ACK_SND_NXT = 1, /* SND.NXT + s16 */
    FZ_ACK_SND_MAX = 2, /* SND.MAX (highest sent) + s16 */
    FZ_ACK_ISS = 3,     /* ISS + u32 (as a script's numbers) */
    FZ_ACK_ABS = 4,     /* u32 */
    FZ_ACK_UNA_MAXWND = 5, /* SND.UNA - MAX.SND.WND + s16 (RFC 5961 5.2 edge) */
    FZ_ACK_ISS16 = 6,   /* ISS + s16 */
};
static inline bool fz_seq_wide(unsigned m) { m &= 7; return m == FZ_SEQ_PEER_ISN || m == FZ_SEQ_ABS; }
static inline bool fz_ack_wide(unsigned m) { m &= 7; return m == FZ_ACK_ISS || m == FZ_ACK_ABS; }

/* [ext] bits and the fields they add, in this order: */
#define FZ_EXT_URG 0x01u  /* [urg:2] the urgent pointer */
#define FZ_EXT_OPTS 0x02u /* [present] option values...; see FZ_OPT_* */
#define FZ_EXT_DATA 0x04u /* [len:2] payload octets (their values are the stack's own pattern) */
#define FZ_EXT_MUTS 0x08u /* [count] ([field] [value:4])... IP/TCP mutations, FZ_MUT_* */

/* [present] bits: */
#define FZ_OPT_MSS 0x01u    /* [mss:2] */
#define FZ_OPT_WS 0x02u     /* [shift] */
#define FZ_OPT_SACKOK 0x04u
#define FZ_OPT_TS 0x08u     /* [val:4] [ecr:4] */
#define FZ_OPT_SACK 0x10u   /* [n] ([left:2 signed, from SND.UNA] [len:2])...  (n % 4 + 1 blocks) */
#define FZ_OPT_RAW 0x20u    /* [len] [octets...]: written verbatim (padded), instead of the above */
/* Values relative to the live connection (RFC 7323, RFC 2018 as the slot
 * has them): TSecr is added to the stack's latest TSval on the slot, TSval
 * to the peer's latest (structured options; with FZ_OPT_RAW the TSval is
 * as written, as a script's), SACK edges in raw options to the stack's ISS
 * (a script's numbers). Nothing known yet: the values as given. */
#define FZ_OPT_REL 0x40u
#define FZ_OPT_FO 0x80u     /* [len]: a Fast Open option (RFC 7413): len 0xff the cookie the
                             * stack last gave, else len % 19 cookie octets [octets...] */

/* Mutations, as the harness's script extension (3) names them. Checksums
 * are recomputed afterwards unless set; truncation comes last. */
enum fz_mut {
    FZ_MUT_IP_VERSION, FZ_MUT_IP_IHL, FZ_MUT_IP_TOS, FZ_MUT_IP_LEN, FZ_MUT_IP_ID,
    FZ_MUT_IP_DF, FZ_MUT_IP_MF, FZ_MUT_IP_FRAG_OFF, FZ_MUT_IP_TTL, FZ_MUT_IP_PROTO,
    FZ_MUT_IP_CSUM, FZ_MUT_IP_SRC, FZ_MUT_IP_DST, FZ_MUT_TCP_SPORT, FZ_MUT_TCP_DPORT,
    FZ_MUT_TCP_DOFF, FZ_MUT_TCP_RESERVED, FZ_MUT_TCP_CSUM, FZ_MUT_TCP_URG_PTR,
    FZ_MUT_TRUNCATE, FZ_MUT_COUNT
};
#define FZ_MUT_MAX 8u
#define FZ_CSUM_BAD 0x10000u /* a checksum value meaning "one that does not verify" */

/* FZ_OP_CALL body: [call] args... */
enum fz_call {
    FZ_CALL_SOCKET = 0,   /* the new socket is whatever handle the stack returns */
    FZ_CALL_BIND = 1,     /* [port sel] [addr sel]: port 8080, 0, 8081, 40000+n; addr any, ours, other */
    FZ_CALL_LISTEN = 2,   /* [backlog s8] */
    FZ_CALL_ACCEPT = 3,
    FZ_CALL_CONNECT = 4,  /* [slot]: to the slot's peer port */
    FZ_CALL_SEND = 5,     /* [len:2] [flags]: bit 0 MSG_OOB, bit 1 a bad flag */
    FZ_CALL_RECV = 6,     /* [len:2] [flags]: bit 0 MSG_PEEK, bit 1 MSG_OOB */
    FZ_CALL_SHUTDOWN = 7, /* [how] (% 4: 3 is invalid) */
    FZ_CALL_CLOSE = 8,
    FZ_CALL_ABORT = 9,
    FZ_CALL_SETSOCKOPT = 10, /* [option] [value:4]; FZ_SO_* */
    FZ_CALL_INSPECT = 11, /* status, events, every getsockopt, name, peer */
    FZ_CALL_COUNT = 12
};
enum fz_sockopt {
    FZ_SO_REUSEADDR, FZ_SO_KEEPALIVE, FZ_SO_SNDBUF, FZ_SO_RCVBUF, FZ_SO_LINGER,
    FZ_SO_OOBINLINE, FZ_TCP_NODELAY, FZ_TCP_MAXSEG, FZ_TCP_KEEPIDLE, FZ_TCP_KEEPINTVL,
    FZ_TCP_KEEPCNT, FZ_TCP_USER_TIMEOUT, FZ_IP_TOS, FZ_IP_TTL, FZ_SO_BOGUS,
    /* the extensions (issue 18): values 0/1 (ECN 0-2, recovery 0-2) */
    FZ_TCP_WINDOW_SCALING, FZ_TCP_TIMESTAMPS, FZ_TCP_SACK, FZ_TCP_DSACK, FZ_TCP_ECN,
    FZ_TCP_RECOVERY, FZ_TCP_FASTOPEN, FZ_TCP_FASTOPEN_CONNECT, FZ_SO_COUNT
};

/* FZ_OP_CLOCK body: [mode]
 *   mode & 3 = 0: + (mode >> 2) * 10 ms      1: + 2^min(mode >> 2, 22) ms
 *              2: + 1 us                       3: + [us:4] */

/* FZ_OP_ICMP body: [type] [code] [rest:4] [quote] [ack mode] seq [dlen]
 *   quote % 4: 0 no quoted datagram, 1 our TCP segment to the slot (its
 *   sequence number from the ack modes above), 2 UDP, 3 quoted octets of
 *   protocol 255; dlen: extra data octets */

/* FZ_OP_ACK body: [kind]: kind & 3: 0 ACK, 1 ACK+PSH with data, 2 FIN+ACK,
 * 3 RST at RCV.NXT; data length (kind >> 2) * 32. SEQ = RCV.NXT (the
 * peer's next), ACK = SND.MAX, window 65535. */

/* ---- an encoder, for prefixes and the corpus generator ---- */

struct fz_buf {
    uint8_t *p;
    size_t len, cap;
    bool overflow;
};

static inline void fz_put8(struct fz_buf *b, uint8_t v)
{
    if (b->len < b->cap)
        b->p[b->len++] = v;
    else
        b->overflow = true;
}
static inline void fz_put16(struct fz_buf *b, uint16_t v)
{
    fz_put8(b, (uint8_t)(v >> 8));
    fz_put8(b, (uint8_t)v);
}
static inline void fz_put32(struct fz_buf *b, uint32_t v)
{
    fz_put16(b, (uint16_t)(v >> 16));
    fz_put16(b, (uint16_t)v);
}

struct fz_seg {
    unsigned slot;
    uint8_t flags;
    uint8_t seq_mode, ack_mode;
    uint32_t seq, ack;
    uint16_t win;
    bool has_urg;
    uint16_t urg;
    uint8_t opt_present; /* FZ_OPT_*; MSS, WS, TS values below (FZ_OPT_FO: a request) */
    uint16_t mss;
    uint8_t ws;
    uint32_t ts_val, ts_ecr;
    uint8_t raw_len; /* with FZ_OPT_RAW */
    uint8_t raw[40];
    uint16_t datalen;
    uint8_t mut_count;
    struct {
        uint8_t field;
        uint32_t value;
    } muts[FZ_MUT_MAX];
};

static inline void fz_put_seg(struct fz_buf *b, const struct fz_seg *s)
{
    fz_put8(b, fz_opcode(FZ_OP_SEG, s->slot & 3));
    fz_put8(b, s->flags);
    fz_put8(b, s->seq_mode);
    if (fz_seq_wide(s->seq_mode))
        fz_put32(b, s->seq);
    else
        fz_put16(b, (uint16_t)s->seq);
    fz_put8(b, s->ack_mode);
    if (fz_ack_wide(s->ack_mode))
        fz_put32(b, s->ack);
    else
        fz_put16(b, (uint16_t)s->ack);
    fz_put16(b, s->win);
    uint8_t ext = (uint8_t)((s->has_urg ? FZ_EXT_URG : 0) | (s->opt_present ? FZ_EXT_OPTS : 0) |
                            (s->datalen ? FZ_EXT_DATA : 0) | (s->mut_count ? FZ_EXT_MUTS : 0));
    fz_put8(b, ext);
    if (ext & FZ_EXT_URG)
        fz_put16(b, s->urg);
    if (ext & FZ_EXT_OPTS) {
        fz_put8(b, s->opt_present);
        if (s->opt_present & FZ_OPT_RAW) {
            fz_put8(b, s->raw_len);
            for (unsigned i = 0; i < s->raw_len && i < sizeof s->raw; i++)
                fz_put8(b, s->raw[i]);
        } else {
            if (s->opt_present & FZ_OPT_MSS)
                fz_put16(b, s->mss);
            if (s->opt_present & FZ_OPT_WS)
                fz_put8(b, s->ws);
            if (s->opt_present & FZ_OPT_TS) {
                fz_put32(b, s->ts_val);
                fz_put32(b, s->ts_ecr);
            }
            if (s->opt_present & FZ_OPT_SACK) { /* one block: SND.UNA .. +1 */
                fz_put8(b, 0);
                fz_put16(b, 0);
                fz_put16(b, 1);
            }
            if (s->opt_present & FZ_OPT_FO)
                fz_put8(b, 0);
        }
    }
    if (ext & FZ_EXT_DATA)
        fz_put16(b, s->datalen);
    if (ext & FZ_EXT_MUTS) {
        fz_put8(b, s->mut_count);
        for (unsigned i = 0; i < s->mut_count && i < FZ_MUT_MAX; i++) {
            fz_put8(b, s->muts[i].field);
            fz_put32(b, s->muts[i].value);
        }
    }
}

static inline void fz_put_call(struct fz_buf *b, unsigned sd, enum fz_call call)
{
    fz_put8(b, fz_opcode(FZ_OP_CALL, sd & 7));
    fz_put8(b, (uint8_t)call);
}

static inline void fz_put_clock_us(struct fz_buf *b, uint32_t us)
{
    fz_put8(b, fz_opcode(FZ_OP_CLOCK, 0));
    fz_put8(b, 3);
    fz_put32(b, us);
}

/* ---- the scripted prefixes (header prefix % FZ_PREFIX_COUNT) ---- */

static inline void fz_put_peer_seg(struct fz_buf *b, uint8_t flags, uint32_t seq, uint32_t ack,
                                   bool mss)
{
    struct fz_seg s;
    memset(&s, 0, sizeof s);
    s.flags = flags;
    s.seq_mode = FZ_SEQ_PEER_ISN;
    s.seq = seq;
    s.ack_mode = (flags & SYNACK_TCP_ACK) ? FZ_ACK_ISS : FZ_ACK_ABS;
    s.ack = (flags & SYNACK_TCP_ACK) ? ack : 0;
    s.win = 65535;
    if (mss) {
        s.opt_present = FZ_OPT_MSS;
        s.mss = 1460;
    }
    fz_put_seg(b, &s);
}

/* Steps that bring slot 0 into state st (probe_goto_* of the unit tests):
 * the prefixes of the stack target and of the differential target. */
static inline void fz_put_prefix(struct fz_buf *b, enum synack_state st)
{
    const uint8_t A = SYNACK_TCP_ACK, F = SYNACK_TCP_FIN;
    if (st == SYNACK_SYN_SENT) {
        fz_put_call(b, 0, FZ_CALL_SOCKET);
        fz_put_call(b, 0, FZ_CALL_CONNECT);
        fz_put8(b, 0);
        return;
    }
    fz_put_call(b, 0, FZ_CALL_SOCKET);
    fz_put_call(b, 0, FZ_CALL_BIND);
    fz_put8(b, 0);
    fz_put8(b, 0);
    fz_put_call(b, 0, FZ_CALL_LISTEN);
    fz_put8(b, 8);
    if (st == SYNACK_LISTEN)
        return;
    fz_put_peer_seg(b, SYNACK_TCP_SYN, 0, 0, true);
    if (st == SYNACK_SYN_RECEIVED)
        return;
    fz_put_peer_seg(b, A, 1, 1, false);
    fz_put_call(b, 0, FZ_CALL_ACCEPT);
    if (st == SYNACK_ESTABLISHED)
        return;
    if (st == SYNACK_CLOSE_WAIT || st == SYNACK_LAST_ACK) {
        fz_put_peer_seg(b, F | A, 1, 1, false);
        if (st == SYNACK_LAST_ACK) {
            fz_put_call(b, 1, FZ_CALL_SHUTDOWN);
            fz_put8(b, SYNACK_SHUT_WR);
        }
        return;
    }
    fz_put_call(b, 1, FZ_CALL_SHUTDOWN); /* FIN-WAIT-1 */
    fz_put8(b, SYNACK_SHUT_WR);
    if (st == SYNACK_CLOSING)
        fz_put_peer_seg(b, F | A, 1, 1, false);
    if (st == SYNACK_FIN_WAIT_2 || st == SYNACK_TIME_WAIT)
        fz_put_peer_seg(b, A, 1, 2, false);
    if (st == SYNACK_TIME_WAIT)
        fz_put_peer_seg(b, F | A, 1, 2, false);
}


/* ---- decoding: reading an input ---- */

/* An input being read; past its end every octet reads as 0. */
struct fz_cur {
    const uint8_t *p;
    size_t n, off;
};

static inline uint8_t fz_rd8(struct fz_cur *c) { return c->off < c->n ? c->p[c->off++] : 0; }
static inline uint16_t fz_rd16(struct fz_cur *c)
{
    uint16_t hi = fz_rd8(c);
    return (uint16_t)(hi << 8 | fz_rd8(c));
}
static inline uint32_t fz_rd32(struct fz_cur *c)
{
    uint32_t hi = fz_rd16(c);
    return hi << 16 | fz_rd16(c);
}

/* ---- decoding: what FZ_OPT_REL maps raw options with ---- */

/* One connection as the peer knows it from the stack's packets. */
struct fz_rel {
    bool stack_ts_known, iss_known;
    uint32_t stack_ts, iss;  /* the stack's latest TSval, its ISS */
    const uint8_t *cookie;   /* the last Fast Open cookie it gave */
    unsigned cookie_len;
};

/* FZ_OPT_REL on raw options (a script's), as the runner maps them: TSecr
 * plus the stack's latest TSval, SACK edges plus its ISS, a Fast Open
 * cookie of all 0xff octets the one the stack last gave. Returns whether
 * a timestamp option was there, its TSval (the peer's) in *peer_ts. */
static inline bool fz_raw_relative(const struct fz_rel *r, uint8_t *o, size_t n, uint32_t *peer_ts)
{
    bool ts = false;
    for (size_t i = 0; i < n;) {
        if (o[i] == TCPOPT_EOL)
            return ts;
        if (o[i] == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
            return ts;
        if (o[i] == TCPOPT_TIMESTAMP && o[i + 1] == 10) {
            if (r->stack_ts_known)
                synack_put32(o + i + 6, synack_get32(o + i + 6) + r->stack_ts);
            *peer_ts = synack_get32(o + i + 2);
            ts = true;
        }
        if (o[i] == TCPOPT_FASTOPEN && o[i + 1] - 2u == r->cookie_len && r->cookie_len) {
            bool all_ff = true;
            for (unsigned k = 0; k < r->cookie_len; k++)
                all_ff &= o[i + 2 + k] == 0xff;
            if (all_ff)
                memcpy(o + i + 2, r->cookie, r->cookie_len);
        }
        if (o[i] == TCPOPT_SACK && r->iss_known)
            for (size_t k = i + 2; k + 4 <= i + o[i + 1]; k += 4)
                synack_put32(o + k, synack_get32(o + k) + r->iss);
        i += o[i + 1];
    }
    return ts;
}

/* Set the IP and TCP header fields a mutation names (both targets'
 * segments: a 20-octet IPv4 header, then TCP); the checksums a mutation
 * sets are marked in *ipc / *tcpc, the rest settled by the caller, and
 * FZ_MUT_TRUNCATE leaves its length in *trunc. Returns whether the TCP
 * header moved or grew (IHL, data offset): its octets may become payload. */
static inline bool fz_apply_mutation(uint8_t *pkt, uint8_t field, uint32_t v, bool *ipc, bool *tcpc,
                                     size_t *trunc)
{
    uint8_t *tcp = pkt + 20;
    switch (field % FZ_MUT_COUNT) {
    case FZ_MUT_IP_VERSION: pkt[0] = (uint8_t)((v & 15) << 4 | (pkt[0] & 15)); break;
    case FZ_MUT_IP_IHL: pkt[0] = (uint8_t)((pkt[0] & 0xf0) | (v & 15)); return true;
    case FZ_MUT_IP_TOS: pkt[1] = (uint8_t)v; break;
    case FZ_MUT_IP_LEN: synack_put16(pkt + 2, (uint16_t)v); break;
    case FZ_MUT_IP_ID: synack_put16(pkt + 4, (uint16_t)v); break;
    case FZ_MUT_IP_DF: pkt[6] = (uint8_t)((pkt[6] & ~0x40) | ((v & 1) << 6)); break;
    case FZ_MUT_IP_MF: pkt[6] = (uint8_t)((pkt[6] & ~0x20) | ((v & 1) << 5)); break;
    case FZ_MUT_IP_FRAG_OFF:
        synack_put16(pkt + 6, (uint16_t)((synack_get16(pkt + 6) & 0xe000u) | (v & 0x1fffu)));
        break;
    case FZ_MUT_IP_TTL: pkt[8] = (uint8_t)v; break;
    case FZ_MUT_IP_PROTO: pkt[9] = (uint8_t)v; break;
    case FZ_MUT_IP_CSUM:
        *ipc = true;
        synack_put16(pkt + 10, 0);
        if (v >= FZ_CSUM_BAD) /* one that does not verify (not the other zero) */
            synack_put16(pkt + 10, synack_cksum_fold(synack_cksum_add(0, pkt, 20)) ^ 1u);
        else
            synack_put16(pkt + 10, (uint16_t)v);
        break;
    case FZ_MUT_IP_SRC: synack_put32(pkt + 12, v); break;
    case FZ_MUT_IP_DST: synack_put32(pkt + 16, v); break;
    case FZ_MUT_TCP_SPORT: synack_put16(tcp, (uint16_t)v); break;
    case FZ_MUT_TCP_DPORT: synack_put16(tcp + 2, (uint16_t)v); break;
    case FZ_MUT_TCP_DOFF: tcp[12] = (uint8_t)((tcp[12] & 0x0f) | (v & 15) << 4); return true;
    case FZ_MUT_TCP_RESERVED: tcp[12] = (uint8_t)((tcp[12] & 0xf0) | (v & 15)); break;
    case FZ_MUT_TCP_CSUM: /* a bad one is settled by the caller to a value that fails */
        *tcpc = true;
        synack_put16(tcp + 16, v >= FZ_CSUM_BAD ? 0xbad0 : (uint16_t)v);
        break;
    case FZ_MUT_TCP_URG_PTR: synack_put16(tcp + 18, (uint16_t)v); break;
    default: *trunc = v & 0xffffu; break;
    }
    return false;
}

#endif

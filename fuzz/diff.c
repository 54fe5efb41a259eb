/* fuzz/diff.c: differential fuzzing of synack against lwIP. One input (the
 * stack target's step language, stack_steps.h) drives both stacks through
 * packetdrill's SO interface (stack/packetdrill/packetdrill_so.h): synack's
 * object linked in (stack/packetdrill/synack_packetdrill.c, instrumented
 * with the rest of the stack) and lwIP's object (build/liblwip-packetdrill.so,
 * harness/target/lwip/) loaded with dlopen, both on a virtual clock.
 *
 * Each stack has its own peer: the same step becomes, for each, the segment
 * a script would send it, its numbers relative to what that stack has shown
 * on the wire (its ISN, the ACK and window of its last segment), as
 * packetdrill's relative numbers are. A finding aborts:
 *
 *   - the RFC oracle (harness/oracle/) flags a packet of either stack;
 *   - what the application sees differs: a call succeeds on one stack and
 *     fails on the other, or fails with another error; recv() gives data,
 *     the end of the stream or an error on one and not on the other; data
 *     received is not what the peer sent (fuzz/README.md says which
 *     differences are the stacks' own choices and not compared);
 *   - a stack crashes, hangs or breaks the interface's rules.
 *
 * lwIP keeps its state in globals and runs a thread, so every input runs
 * in a child process that starts both stacks afresh (fork per input); the
 * objects are loaded once, before the first fork. */
#define _GNU_SOURCE
/* before <netinet/tcp.h>, whose TCPOPT_ macros would clash with its enum */
#include <synack/wire.h>
#include <synack/socket.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "oracle/oracle.h"
#include "packetdrill/packetdrill_so.h"

#include "stack_steps.h"

#define DF_ADDR 0xc0000201u      /* 192.0.2.1: both stacks */
#define DF_PEER 0xc6336402u      /* 198.51.100.2: each stack's peer */
#define DF_OTHER 0xc6336403u     /* 198.51.100.3 */
#define DF_PORT 8080
#define DF_PEER_PORT 40000       /* slot i: port 40000 + i */
#define DF_PEER_ISN 0x10000000u  /* slot i's ISN: DF_PEER_ISN + i * 2^24 */
#define DF_SLOTS 4
#define DF_HANDLES 8             /* the step language's sockets (opcode >> 3 & 7) */
#define DF_DATA_MAX 4096
#define DF_IO_MAX 65536
#define DF_PKT_MAX 65536
#define DF_STEPS_MAX 512
#define DF_SLEEPS_MAX 20000      /* usleep rounds in one clock step */
#define DF_CHILD_SECONDS 20      /* a child still running after this has hung */
#define DF_R2_LEAST 100000000u  /* R2's least, 100 s (RFC 9293 3.8.3, MUST-20) */
#define DF_R2_SYN_LEAST 180000000u /* and for a SYN, 3 minutes (MUST-23) */
#define DF_TIME_MAX (2ull * 3600 * 1000000) /* virtual time an input may take: lwIP runs
                                 * its timers every 250 ms, so days of it take minutes */
#define DF_LWIP_DEFAULT "build/liblwip-packetdrill.so"

void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc);

static uint8_t peer_octet(uint32_t seq) { return (uint8_t)((seq * 2654435761u) >> 24); }
static uint8_t app_octet(uint32_t off) { return (uint8_t)(((off + 0x55u) * 2246822519u) >> 24); }

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }

/* What one stack has shown its peer on a slot's connection. */
struct df_slot {
    uint16_t lport;          /* the stack's port (8080, or what its SYN said) */
    bool iss_known;
    uint32_t iss;            /* its SYN's sequence number */
    uint32_t snd_max;        /* the highest sequence number it sent, plus one */
    uint32_t snd_last;       /* the end of its last segment (SND.NXT as seen) */
    bool ack_known;
    uint32_t rcv_nxt;        /* the ACK of its last segment */
    uint32_t num_nxt;        /* RCV.NXT the peer numbers from (common_rcv_nxt) */
    uint32_t rcv_wnd;        /* its window, scaled */
    int wscale;              /* the shift its SYN offered, -1 none */
    bool peer_wscale;        /* the peer's SYN offered window scaling */
    uint32_t peer_isn;
    bool peer_max_known;
    uint32_t peer_max;       /* the highest sequence number the peer sent, plus one */
    uint32_t peer_acked;     /* the highest ACK the peer sent (SND.UNA as the peer knows it) */
    uint32_t peer_max_wnd;   /* the largest window the peer offered */
    unsigned peer_syns;      /* SYNs the peer sent */
    bool stack_fin, peer_fin;
    uint32_t data_base;      /* the sequence number of its first octet of data */
    uint64_t syn_time;       /* when the peer's last SYN went */
    bool stack_ts_known, peer_ts_known; /* the latest TSval each side sent (FZ_OPT_REL) */
    uint32_t stack_ts, peer_ts;
    int refused;             /* the peer's last segment with text or FIN is one synack
                              * drops and lwIP takes (13: L13, 18: L18), 0 none */
    uint32_t refused_start, refused_end; /* its sequence numbers, and the one after it */
    int syn_mss;             /* the MSS of the peer's last SYN (536 without one) */
    uint64_t peer_last;      /* when the peer last sent a segment */
    bool talked;             /* the stack has sent since then */
    bool r2_passed;          /* the stack talked into the peer's silence for R2's least */
};

/* One stack under test and its application. */
struct side {
    const char *name;
    struct packetdrill_interface ifc;
    struct oracle *oracle;
    struct df_slot slot[DF_SLOTS];
    int fd[DF_HANDLES];      /* handle -> the object's socket, -1 */
    int conn_slot[DF_HANDLES]; /* the slot a connected handle talks to, -1 */
    uint32_t sent[DF_HANDLES]; /* octets the application wrote */
    uint32_t rcvd[DF_HANDLES]; /* octets it read */
    bool eof[DF_HANDLES];
    bool opened[DF_HANDLES]; /* connect(), listen() or accept() made it a TCP endpoint */
    bool bound[DF_HANDLES];  /* a bind() of it returned 0 */
    bool rd_shut[DF_HANDLES]; /* shutdown(SHUT_RD or SHUT_RDWR) of it returned 0 */
    int told[DF_HANDLES];    /* the last error a call on the handle returned */
    uint8_t tfo_cookie[SYNACK_TFO_COOKIE_MAX]; /* the last Fast Open cookie it gave */
    uint8_t tfo_len;
    uint64_t now;            /* its clock, microseconds since it started */
    uint64_t t0;             /* its gettimeofday() when it started */
    uint16_t ip_id;
    unsigned oracle_pkts;    /* packets given to its oracle */
    unsigned blind_from;     /* the number of the first datagram in that the
                              * oracle cannot read as a segment though the
                              * stack may take it as one (0: none) */
};

/* What a call gave the application, in classes both stacks can share. */
enum df_class { DF_OK, DF_DATA, DF_EOF, DF_AGAIN, DF_ERR, DF_SKIP };
struct df_out {
    enum df_class cls;
    int err;                 /* DF_ERR */
    long val;                /* DF_OK, DF_DATA: the return value */
};

struct df {
    struct side side[2];     /* [0] synack, [1] lwIP */
    bool tainted;            /* a step may have put octets in a stream that its
                              * peer's pattern does not give (raw datagrams,
                              * mutations, urgent data, a second SYN) */
    bool simopen;            /* a SYN met a SYN: lwIP has no simultaneous open
                              * (MUST-10, vectors/expect/lwip.tsv) */
    bool reopen;             /* a SYN came after both FINs: synack may reopen from
                              * TIME-WAIT (RFC 9293 3.10.7.4, RFC 6191), lwIP does not */
    bool icmp;               /* an ICMP message came: lwIP does not pass them to TCP */
    bool old_ack_synrcvd;    /* lwIP in SYN-RECEIVED got an unacceptable segment whose ACK
                              * acknowledges its SYN (L11) */
    bool syn_in_synrcvd;     /* lwIP in SYN-RECEIVED got another SYN (L7) */
    bool text_ack_unsent;    /* lwIP got text or a FIN whose ACK is beyond what it sent (L13) */
    bool late_ack_synrcvd;   /* lwIP in SYN-RECEIVED got the ACK of its SYN more than 20 s,
                              * less than 3 minutes, after the peer's SYN (L16) */
    bool mss_not_syn;        /* lwIP got an MSS option on a segment without SYN (L17) */
    bool old_ack;            /* lwIP got an ACK without text outside its window (L20) */
    bool ack_held;           /* lwIP got text or a FIN while a segment of its own waited
                              * unsent behind data in flight (L25) */
    bool syn_text_parts;     /* a SYN without ACK carried text or a FIN: calls are not
                              * compared (a SHOULD each stack reads its way) */
    bool half_space;         /* a segment of one octet (text or FIN) at lwIP's RCV.NXT +
                              * 2^31 was due: lwIP trims it as if it straddled RCV.NXT and
                              * aborts on an assertion (L22); it is not sent, and the input
                              * ends there */
    bool mss_lowered;        /* an MSS option on a segment without SYN would lower lwIP's
                              * send MSS (L17): with data queued, lwIP's segmentation
                              * then aborts on assertions ("inconsistent oversize vs.
                              * space", "mss_local is too small", "split <= mss"); it
                              * is not sent, and the input ends there */
    bool r2_silence;         /* the peer spoke again after a stack had sent into its
                              * silence for R2's least (r2_passed()): either stack may
                              * have given the connection up, so calls are not compared */
    int lwip_took;           /* lwIP acknowledged such a segment (L13, L18, L24): from there its
                              * RCV.NXT and state are not synack's; calls are not compared */
    bool rebound;            /* lwIP took a bind() of a bound socket (synack refused it):
                              * its list of bound pcbs loops, and any call that binds
                              * (bind, listen, connect) never returns (L14): the
                              * input ends there */
    bool apps_split;         /* a call not reported (the interface's own, or a known
                              * finding) succeeded on one stack only: the two
                              * applications go different ways from there */
    bool known_off;          /* SYNACK_DIFF_KNOWN=0: report what is known too */
    unsigned known_hits;
    unsigned iface_hits;
    unsigned step;
    const char *what;
    bool trace;
    uint8_t pkt[DF_PKT_MAX];
    uint8_t io[DF_IO_MAX];
};

/* Set once lwIP has taken the window of a segment whose ACK is beyond
 * SND.NXT (L21), or has been offered a zero window with data in flight
 * (L23): from then its persist timer may trip its own assertion
 * ("tcp_slowtimr: persist ticking with empty send buffer"), an abort the
 * child then reads as that known finding. Cleared before our own aborts. */
static volatile sig_atomic_t lwip_abort_known;

static void on_abort(int sig)
{
    if (lwip_abort_known)
        _exit(0);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void df_fail(const struct df *d, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void df_fail(const struct df *d, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "fuzz diff: step %u (%s), t=%llu us: %s\n", d->step, d->what ? d->what : "-",
            (unsigned long long)d->side[0].now, msg);
    lwip_abort_known = 0;
    abort();
}

/* ---- packets: what each stack sends, and what its peer sends it ---- */

static struct df_slot *slot_by_port(struct side *s, uint16_t lport, uint16_t rport)
{
    if (rport < DF_PEER_PORT || rport >= DF_PEER_PORT + DF_SLOTS)
        return NULL;
    struct df_slot *sl = &s->slot[rport - DF_PEER_PORT];
    return sl->lport == lport || sl->lport == 0 ? sl : NULL;
}

/* SYNACK_FUZZ_TRACE: each packet either way, numbers relative to each
 * side's ISN where known. */
static void trace_packet(const struct side *s, char dir, const uint8_t *pkt, size_t len,
                         uint64_t when)
{
    struct synack_ipv4 ip;
    struct synack_tcp th;
    if (synack_ipv4_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, NULL) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP ||
        synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, WIRE_PARSE_NO_CHECKSUM, &th,
                         NULL) != WIRE_OK) {
        fprintf(stderr, "    %-6s %c %zu octets (not TCP) at %llu:", s->name, dir, len,
                (unsigned long long)when);
        for (size_t i = 0; i < len && i < 80; i++)
            fprintf(stderr, " %02x", pkt[i]);
        fprintf(stderr, "\n");
        return;
    }
    uint16_t peer_port = dir == '>' ? th.dport : th.sport;
    const struct df_slot *sl = peer_port >= DF_PEER_PORT && peer_port < DF_PEER_PORT + DF_SLOTS
                                   ? &s->slot[peer_port - DF_PEER_PORT] : NULL;
    uint32_t sb = sl ? (dir == '>' ? sl->iss : sl->peer_isn) : 0;
    uint32_t ab = sl ? (dir == '>' ? sl->peer_isn : sl->iss) : 0;
    char fl[8], *f = fl;
    static const char names[] = "FSRPAU";
    for (int i = 0; i < 6; i++)
        if (th.flags & (1u << i))
            *f++ = names[i];
    *f = 0;
    fprintf(stderr, "    %-6s %c %u>%u %s seq %u ack %u win %u len %zu at %llu\n", s->name, dir,
            th.sport, th.dport, fl, th.seq - sb, th.ack - ab, th.window, th.payload_len,
            (unsigned long long)when);
}

/* A packet the stack sent: the oracle judges it, the peer learns from it. */
static void observe(struct df *d, struct side *s, const uint8_t *pkt, size_t len, long long when)
{
    s->oracle_pkts++;
    oracle_packet(s->oracle, pkt, len, (uint64_t)(when < 0 ? 0 : when), ORACLE_FROM_STACK);
    if (d->trace)
        trace_packet(s, '>', pkt, len, (uint64_t)(when < 0 ? 0 : when));
    struct synack_ipv4 ip;
    struct synack_tcp th;
    if (synack_ipv4_parse(pkt, len, 0, &ip, NULL) != WIRE_OK || ip.proto != SYNACK_IPPROTO_TCP ||
        synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th, NULL) != WIRE_OK)
        return;
    struct df_slot *sl = slot_by_port(s, th.sport, th.dport);
    if (!sl)
        return;
    bool syn = th.flags & SYNACK_TCP_SYN;
    uint32_t end = th.seq + (uint32_t)th.payload_len + (syn ? 1u : 0u) +
                   ((th.flags & SYNACK_TCP_FIN) ? 1u : 0u);
    if (syn) {
        if (!sl->iss_known || sl->iss != th.seq)
            sl->snd_max = end;
        sl->iss = th.seq;
        sl->iss_known = true;
        sl->peer_acked = th.seq; /* nothing of this incarnation acknowledged yet, even
                                  * when its ISS is the last one's (lwIP's may be) */
        sl->lport = th.sport;
        sl->wscale = (th.opts.present & TCPOPT_F_WSCALE) ? (th.opts.wscale > 14 ? 14 : th.opts.wscale)
                                                         : -1;
    }
    if (th.opts.present & TCPOPT_F_TS) {
        sl->stack_ts = th.opts.ts_val;
        sl->stack_ts_known = true;
    }
    if ((th.opts.present & TCPOPT_F_FASTOPEN) && th.opts.tfo_len) {
        s->tfo_len = th.opts.tfo_len;
        memcpy(s->tfo_cookie, th.opts.tfo_cookie, sizeof s->tfo_cookie);
    }
    if (th.flags & SYNACK_TCP_RST)
        return;
    sl->talked = true;
    if (th.flags & SYNACK_TCP_FIN)
        sl->stack_fin = true;
    if (sl->iss_known && seq_lt(sl->snd_max, end))
        sl->snd_max = end;
    sl->snd_last = end;
    if ((th.flags & SYNACK_TCP_ACK) && sl->refused && s == &d->side[1] &&
        !seq_lt(th.ack, sl->refused_end)) {
        d->lwip_took = sl->refused;
        if (d->known_off)
            df_fail(d, "lwIP acknowledged %s", sl->refused == 18 ? "text or a FIN without the ACK bit (L18)"
                                                                 : "text whose ACK is out of range (L13, L24)");
    }
    if (th.flags & SYNACK_TCP_ACK) {
        unsigned shift = !syn && sl->peer_wscale && sl->wscale > 0 ? (unsigned)sl->wscale : 0;
        sl->rcv_nxt = th.ack;
        sl->rcv_wnd = (uint32_t)th.window << shift;
        sl->ack_known = true;
    }
}

/* Take every packet the stack has queued. */
static void drain(struct df *d, struct side *s)
{
    for (unsigned i = 0; i < 100000; i++) {
        size_t n = sizeof d->pkt;
        long long when = 0;
        if (s->ifc.netdev_receive(s->ifc.userdata, d->pkt, &n, &when) < 0 || n == 0)
            return;
        if (n > sizeof d->pkt)
            df_fail(d, "%s: netdev_receive() said %zu octets were written into %zu", s->name, n,
                    sizeof d->pkt);
        observe(d, s, d->pkt, n, when - (long long)s->t0);
    }
    df_fail(d, "%s sends without end", s->name);
}

/* A datagram to the stack that synack's parser refuses for another reason
 * than a checksum or a protocol other than TCP (an option of a bad length,
 * say): the oracle cannot see it as a segment, but a stack may take it as
 * one (RFC 9293 3.1, MUST-7 lets it answer with a RST), and the oracle
 * would then judge the answer against an older segment. */
static bool oracle_cannot_read(const uint8_t *pkt, size_t len)
{
    struct synack_ipv4 ip;
    struct synack_tcp th;
    struct synack_wire_error err = {0};
    if (synack_ipv4_parse(pkt, len, 0, &ip, &err) != WIRE_OK)
        return err.code != WIRE_EIP_CHECKSUM;
    if (ip.proto != SYNACK_IPPROTO_TCP)
        return false;
    if (synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th, &err) == WIRE_OK)
        return false;
    return err.code != WIRE_ETCP_CHECKSUM;
}

static void inject(struct df *d, struct side *s, uint8_t *pkt, size_t len)
{
    if (d->trace)
        trace_packet(s, '<', pkt, len, s->now);
    s->oracle_pkts++;
    if (!s->blind_from && oracle_cannot_read(pkt, len))
        s->blind_from = s->oracle_pkts;
    oracle_packet(s->oracle, pkt, len, s->now, ORACLE_FROM_PEER);
    s->ifc.netdev_send(s->ifc.userdata, pkt, len);
    drain(d, s);
}

/* ---- the clock ---- */

static uint64_t side_clock(struct side *s)
{
    struct timeval tv;
    s->ifc.gettimeofday(s->ifc.userdata, &tv, NULL);
    return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec - s->t0;
}

/* Let dt pass on one stack's clock: its usleep runs its timers and
 * returns once it has sent something, so call it until the time is up. */
static void advance_one(struct df *d, struct side *s, uint64_t dt)
{
    uint64_t until = s->now + dt;
    unsigned i = 0;
    for (; s->now < until && i < DF_SLEEPS_MAX; i++) {
        uint64_t left = until - s->now;
        s->ifc.usleep(s->ifc.userdata, (useconds_t)(left > 3600000000u ? 3600000000u : left));
        drain(d, s);
        uint64_t t = side_clock(s);
        if (t < s->now)
            df_fail(d, "%s: its clock went back from %llu to %llu us", s->name,
                    (unsigned long long)s->now, (unsigned long long)t);
        s->now = t;
    }
    if (s->now < until)
        df_fail(d, "%s: %u sleeps did not reach %llu us (timers without end?)", s->name, i,
                (unsigned long long)until);
}

static void advance(struct df *d, uint64_t dt)
{
    if (d->side[0].now >= DF_TIME_MAX)
        return;
    if (dt > DF_TIME_MAX - d->side[0].now)
        dt = DF_TIME_MAX - d->side[0].now;
    advance_one(d, &d->side[0], dt);
    advance_one(d, &d->side[1], dt);
}

/* ---- the peer's segments ---- */

/* A segment's fields as the input gives them, before either stack's
 * numbers are applied. */
struct seg_in {
    unsigned slot;
    uint8_t flags, seq_mode, ack_mode;
    uint32_t seq_arg, ack_arg;  /* u32, or an s16 offset */
    uint16_t win, urg;
    uint8_t present, ws, raw_len, raw[40], sack_n, fo_len, fo[SYNACK_TFO_COOKIE_MAX];
    bool fo_last;            /* FZ_OPT_FO: the cookie the stack last gave */
    uint16_t mss, sack[4][2];
    uint32_t ts_val, ts_ecr;
    uint16_t datalen;
    uint8_t mut_count;
    struct { uint8_t field; uint32_t value; } muts[FZ_MUT_MAX];
};

static uint32_t peer_next(const struct df_slot *sl)
{
    return sl->peer_max_known ? sl->peer_max : sl->peer_isn;
}

static uint32_t seq_for(const struct df_slot *sl, unsigned mode, uint32_t arg)
{
    int32_t k = (int32_t)(int16_t)arg;
    switch (mode & 7) {
    case FZ_SEQ_PEER_ISN: return sl->peer_isn + arg;
    case FZ_SEQ_ABS: return arg;
    case FZ_SEQ_RCV_ADV: return (sl->ack_known ? sl->rcv_nxt + sl->rcv_wnd : peer_next(sl)) + (uint32_t)k;
    case FZ_SEQ_IRS: return sl->peer_isn + (uint32_t)k;
    case FZ_SEQ_PEER_MAX: return peer_next(sl) + (uint32_t)k;
    default: return (sl->ack_known ? sl->num_nxt : peer_next(sl)) + (uint32_t)k;
    }
}

/* A stack may acknowledge later than the other (a delayed ACK, RFC 9293
 * 3.8.6.3, MUST-40's 0.5 s): numbered from each one's last ACK, the same
 * step would put a segment at RCV.NXT on one and below it on the other.
 * The peers share their sequence space (the same ISN), so both number
 * from the later of the two ACKs while each lies within what the peer
 * sent; each keeps its own window edge. */
static void common_rcv_nxt(struct df *d, unsigned si)
{
    struct df_slot *a = &d->side[0].slot[si], *b = &d->side[1].slot[si];
    a->num_nxt = a->rcv_nxt;
    b->num_nxt = b->rcv_nxt;
    if (!a->ack_known || !b->ack_known || !a->peer_max_known || !b->peer_max_known ||
        a->peer_max != b->peer_max || a->data_base != b->data_base)
        return;
    for (int k = 0; k < 2; k++) {
        const struct df_slot *sl = k ? b : a;
        if (seq_lt(sl->rcv_nxt, sl->data_base) || seq_lt(sl->peer_max, sl->rcv_nxt))
            return;
    }
    a->num_nxt = b->num_nxt = seq_lt(a->rcv_nxt, b->rcv_nxt) ? b->rcv_nxt : a->rcv_nxt;
}

static uint32_t ack_for(const struct df_slot *sl, unsigned mode, uint32_t arg)
{
    int32_t k = (int32_t)(int16_t)arg;
    uint32_t iss = sl->iss_known ? sl->iss : 0;
    uint32_t una = sl->iss_known && seq_lt(iss, sl->peer_acked) ? sl->peer_acked : iss;
    switch (mode & 7) {
    case FZ_ACK_ISS:
    case FZ_ACK_ABS: /* each stack's ISS is its own: an absolute ACK would fall at
                      * another place in each one's space, inside one's window
                      * and outside the other's (RFC 5961 5.2), so it is read
                      * from the ISS too */
        return iss + arg;
    case FZ_ACK_SND_UNA: return una + (uint32_t)k;
    case FZ_ACK_SND_NXT: return (sl->iss_known ? sl->snd_last : iss + 1) + (uint32_t)k;
    case FZ_ACK_UNA_MAXWND: return una - sl->peer_max_wnd + (uint32_t)k;
    case FZ_ACK_ISS16: return iss + (uint32_t)k;
    default: return (sl->iss_known ? sl->snd_max : iss + 1) + (uint32_t)k;
    }
}

/* FZ_OPT_REL on raw options (a script's): fz_raw_relative on this side's slot. */
static void raw_relative(struct side *s, struct df_slot *sl, uint8_t *o, size_t n)
{
    struct fz_rel r = {sl->stack_ts_known, sl->iss_known, sl->stack_ts, sl->iss,
                       s->tfo_cookie, s->tfo_len};
    if (fz_raw_relative(&r, o, n, &sl->peer_ts))
        sl->peer_ts_known = true;
}

static size_t build_options(struct side *s, struct df_slot *sl, const struct seg_in *in,
                            uint8_t *out)
{
    if (in->present & FZ_OPT_RAW) {
        size_t n = in->raw_len;
        memcpy(out, in->raw, n);
        if (in->present & FZ_OPT_REL)
            raw_relative(s, sl, out, n);
        while (n % 4)
            out[n++] = 0;
        return n;
    }
    struct synack_tcp_opts o;
    memset(&o, 0, sizeof o);
    if (in->present & FZ_OPT_MSS) {
        o.present |= TCPOPT_F_MSS;
        o.mss = in->mss;
    }
    if (in->present & FZ_OPT_WS) {
        o.present |= TCPOPT_F_WSCALE;
        o.wscale = in->ws;
    }
    if (in->present & FZ_OPT_SACKOK)
        o.present |= TCPOPT_F_SACK_PERM;
    if (in->present & FZ_OPT_TS) {
        o.present |= TCPOPT_F_TS;
        o.ts_val = in->ts_val;
        o.ts_ecr = in->ts_ecr;
        if ((in->present & FZ_OPT_REL) && sl->peer_ts_known)
            o.ts_val += sl->peer_ts; /* PAWS (RFC 7323 5.3) around TS.Recent */
        if ((in->present & FZ_OPT_REL) && sl->stack_ts_known)
            o.ts_ecr += sl->stack_ts; /* RTTM (4.1) from an echo near the newest */
        sl->peer_ts = o.ts_val;
        sl->peer_ts_known = true;
    }
    if (in->present & FZ_OPT_SACK) {
        uint32_t una = ack_for(sl, FZ_ACK_SND_UNA, 0);
        o.present |= TCPOPT_F_SACK;
        o.sack_count = in->sack_n;
        for (unsigned i = 0; i < in->sack_n; i++) {
            o.sack[i].left = una + (uint32_t)(int32_t)(int16_t)in->sack[i][0];
            o.sack[i].right = o.sack[i].left + in->sack[i][1];
        }
    }
    if (in->present & FZ_OPT_FO) { /* RFC 7413 4.1.1 */
        o.present |= TCPOPT_F_FASTOPEN;
        if (in->fo_last) {
            o.tfo_len = s->tfo_len ? s->tfo_len : 8;
            memcpy(o.tfo_cookie, s->tfo_cookie, sizeof o.tfo_cookie);
        } else {
            o.tfo_len = in->fo_len;
            memcpy(o.tfo_cookie, in->fo, in->fo_len);
        }
    }
    size_t n = synack_tcp_opts_build(out, SYNACK_TCP_OPT_MAX, &o, NULL);
    if (n == 0 && (o.present & TCPOPT_F_SACK)) {
        o.present &= ~TCPOPT_F_SACK;
        n = synack_tcp_opts_build(out, SYNACK_TCP_OPT_MAX, &o, NULL);
    }
    return n;
}

/* SYN-RECEIVED as the peer sees it (our SYN-ACK came, no ACK of its SYN
 * sent yet), and a segment that acknowledges the SYN but whose sequence
 * number is not acceptable (RFC 9293 3.10.7.4 first, Table 6). */
static bool unacceptable_ack_of_syn(const struct df_slot *sl, const struct synack_tcp *h,
                                    uint16_t datalen)
{
    if ((h->flags & (SYNACK_TCP_ACK | SYNACK_TCP_SYN | SYNACK_TCP_RST)) != SYNACK_TCP_ACK ||
        !sl->iss_known || !sl->ack_known || seq_lt(sl->iss, sl->peer_acked) ||
        h->ack != sl->iss + 1)
        return false;
    uint32_t wnd = sl->rcv_wnd ? sl->rcv_wnd : 1, last = h->seq + (datalen ? datalen - 1u : 0u);
    bool first_in = !seq_lt(h->seq, sl->rcv_nxt) && seq_lt(h->seq, sl->rcv_nxt + wnd);
    bool last_in = !seq_lt(last, sl->rcv_nxt) && seq_lt(last, sl->rcv_nxt + wnd);
    return !(first_in || (datalen && last_in));
}

/* The MSS option a segment carries, or -1; raw options are walked as a
 * parser that stops at the first bad length does (lwIP's: an MSS before
 * the bad one counts). */
static int seg_mss(const struct seg_in *in)
{
    if (!(in->present & FZ_OPT_RAW))
        return (in->present & FZ_OPT_MSS) ? in->mss : -1;
    for (unsigned i = 0; i < in->raw_len;) {
        uint8_t kind = in->raw[i];
        if (kind == 0)
            return -1;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= in->raw_len || in->raw[i + 1] < 2)
            return -1;
        if (kind == 2 && in->raw[i + 1] == 4 && i + 4 <= in->raw_len)
            return in->raw[i + 2] << 8 | in->raw[i + 3];
        i += in->raw[i + 1];
    }
    return -1;
}

/* The segment for one stack, from its peer's view of the connection. */
/* An ACK beyond SND.NXT (L13), or below SND.UNA - MAX.SND.WND (RFC 5961
 * 5.2, lwIP's too): the segment is discarded and answered with an ACK. */
static bool ack_out_of_range(const struct df_slot *sl, uint32_t ack)
{
    uint32_t una = seq_lt(sl->iss, sl->peer_acked) ? sl->peer_acked : sl->iss;
    /* the peer's shift is not kept: with scaling, the largest it may be */
    uint32_t wnd = sl->peer_max_wnd << (sl->peer_wscale && sl->wscale >= 0 ? 14 : 0);
    return seq_lt(sl->snd_max, ack) || seq_lt(ack, una - wnd);
}

/* Has the stack sent on the slot while the peer said nothing for at least
 * R2's least? From then on it may have given the connection up (MUST-20;
 * its SYN not yet acknowledged, MUST-23's 3 minutes). */
static bool r2_passed(struct side *s, struct df_slot *sl)
{
    bool syn_acked = sl->iss_known && seq_lt(sl->iss, sl->peer_acked);
    if (sl->talked && s->now - sl->peer_last >= (syn_acked ? DF_R2_LEAST : DF_R2_SYN_LEAST))
        sl->r2_passed = true;
    return sl->r2_passed;
}

/* Do the IPv4 header and TCP checksums of a segment as it goes (mutations
 * applied) verify? Both stacks drop one that does not (RFC 791 3.1, RFC 9293
 * 3.1, MUST-2): it acknowledges nothing. */
static bool sums_valid(const uint8_t *pkt, size_t seglen)
{
    uint32_t src = synack_get32(pkt + 12), dst = synack_get32(pkt + 16);
    uint32_t tcp = synack_cksum_add(synack_cksum_pseudo(src, dst, SYNACK_IPPROTO_TCP,
                                                        (uint16_t)seglen), pkt + 20, seglen);
    return synack_cksum_fold(synack_cksum_add(0, pkt, 20)) == 0 && synack_cksum_fold(tcp) == 0;
}

/* The peer's view of SND.UNA, from an ACK that reaches the stack. */
static void peer_acks(struct df_slot *sl, uint32_t ack)
{
    if (sl->iss_known && seq_lt(sl->peer_acked, ack) && !seq_lt(sl->snd_max, ack))
        sl->peer_acked = ack;
}

/* Does the stack hold octets its application wrote, unsent, behind data
 * in flight that the segment's ACK (acceptable or not) leaves unacknowledged? */
static bool unsent_behind_flight(const struct side *s, const struct df_slot *sl, unsigned slot,
                                 uint32_t ack)
{
    uint32_t una = seq_lt(sl->peer_acked, ack) && !seq_lt(sl->snd_max, ack) ? ack : sl->peer_acked;
    if (!sl->iss_known || sl->stack_fin || !seq_lt(una, sl->snd_max))
        return false;
    for (int h = 0; h < DF_HANDLES; h++)
        if (s->conn_slot[h] == (int)slot && seq_lt(sl->snd_max, sl->iss + 1 + s->sent[h]))
            return true;
    return false;
}

static void send_seg(struct df *d, struct side *s, const struct seg_in *in)
{
    struct df_slot *sl = &s->slot[in->slot];
    if (r2_passed(s, sl))
        d->r2_silence = true;
    uint8_t opts[SYNACK_TCP_OPT_MAX + 4];
    size_t optlen = (in->present || in->raw_len) ? build_options(s, sl, in, opts) : 0;
    struct synack_tcp h = {.sport = (uint16_t)(DF_PEER_PORT + in->slot), .dport = sl->lport ? sl->lport : DF_PORT,
                           .seq = seq_for(sl, in->seq_mode, in->seq_arg),
                           .ack = ack_for(sl, in->ack_mode, in->ack_arg), .flags = in->flags,
                           .window = in->win, .urg_ptr = in->urg};
    uint8_t *pkt = d->pkt, *tcp = pkt + 20;
    /* the peer speaks, unless with an old ACK (below what it acknowledged
     * before): that answers no retransmission (R2 runs on, MUST-20) */
    if (!(in->flags & SYNACK_TCP_ACK) || !sl->iss_known || !seq_lt(h.ack, sl->peer_acked)) {
        sl->peer_last = s->now;
        sl->talked = false;
    }
    size_t hl = synack_tcp_build(tcp, DF_PKT_MAX - 20, &h, opts, optlen, NULL);
    if (!hl)
        abort();
    bool syn = in->flags & SYNACK_TCP_SYN;
    uint32_t data_seq = h.seq + (syn ? 1u : 0u);
    for (uint32_t i = 0; i < in->datalen; i++)
        tcp[hl + i] = peer_octet(data_seq + i);
    size_t seglen = hl + in->datalen, len = 20 + seglen;
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .frag = SYNACK_IP_DF,
                             .id = s->ip_id++, .src = DF_PEER, .dst = DF_ADDR};
    synack_ipv4_build(pkt, 20, &ih, seglen, NULL);
    if (s == &d->side[1]) {
        unsigned seglen = in->datalen + ((in->flags & SYNACK_TCP_FIN) ? 1u : 0u);
        if (!syn && seglen == 1 && sl->ack_known && h.seq - sl->rcv_nxt == 0x80000000u &&
            !d->known_off) {
            d->half_space = true;
            return;
        }
        if (unacceptable_ack_of_syn(sl, &h, in->datalen))
            d->old_ack_synrcvd = true;
        bool synrcvd = sl->iss_known && sl->ack_known && !seq_lt(sl->iss, sl->peer_acked);
        if (syn && (in->datalen || (in->flags & SYNACK_TCP_FIN)) &&
            !(in->flags & (SYNACK_TCP_ACK | SYNACK_TCP_RST)) && !(in->present & FZ_OPT_FO))
            d->syn_text_parts = true; /* synack queues a SYN's text or FIN (3.10.7.2:
                                       * "should be queued"), lwIP drops it, as Linux
                                       * drops text: the RCV.NXTs part */
        if (syn && synrcvd && sl->peer_syns > 0)
            d->syn_in_synrcvd = true;
        int mss = seg_mss(in);
        if (syn && mss >= 0 && sl->peer_syns > 0 && !(in->flags & SYNACK_TCP_ACK))
            d->mss_not_syn = true; /* another SYN's MSS: lwIP takes it in SYN-RECEIVED
                                    * (L7) as a new SendMSS, as L17 does */
        if (!syn && mss >= 0) {
            d->mss_not_syn = true;
            if (d->trace)
                fprintf(stderr, "    an MSS option (%d) on a segment without SYN\n", mss);
            if (mss < sl->syn_mss && sl->iss_known && !d->known_off) { /* L17 lowering it */
                d->mss_lowered = true;
                return;
            }
        }
        if (syn)
            sl->syn_mss = mss >= 0 ? mss : 536; /* RFC 9293 3.7.1 */
        /* L20: an unacceptable segment (below RCV.NXT, or past the window)
         * whose ACK field lwIP still processes */
        uint32_t wnd = sl->rcv_wnd ? sl->rcv_wnd : 1;
        if ((in->flags & (SYNACK_TCP_ACK | SYNACK_TCP_SYN | SYNACK_TCP_FIN | SYNACK_TCP_RST)) ==
                SYNACK_TCP_ACK && !in->datalen && sl->ack_known &&
            (seq_lt(h.seq, sl->rcv_nxt) || !seq_lt(h.seq, sl->rcv_nxt + wnd)))
            d->old_ack = true;
        if ((in->flags & SYNACK_TCP_ACK) && !(in->flags & SYNACK_TCP_RST) && sl->iss_known &&
            seq_lt(sl->snd_max, h.ack) && !d->known_off)
            lwip_abort_known = 1; /* L21: lwIP takes its window */
        if ((in->flags & SYNACK_TCP_ACK) && !(in->flags & SYNACK_TCP_RST) && sl->iss_known) {
            /* L23: once the peer has offered a zero window with data in
             * flight, lwIP's persist timer may run on after the data is
             * acknowledged (by a segment whose window it may or may not
             * take): an abort of lwIP's from then on is read as L23's */
            if (in->win == 0 && seq_lt(sl->peer_acked, sl->snd_max) && !d->known_off)
                lwip_abort_known = 1;
        }
        uint64_t since = s->now - sl->syn_time;
        if (synrcvd && !syn && (in->flags & SYNACK_TCP_ACK) && h.ack == sl->iss + 1 &&
            since > 20000000u && since < 180000000u)
            d->late_ack_synrcvd = true;
        if ((in->flags & SYNACK_TCP_ACK) && sl->iss_known && ack_out_of_range(sl, h.ack) &&
            (in->datalen || (in->flags & SYNACK_TCP_FIN)))
            d->text_ack_unsent = true;
        if ((in->flags & SYNACK_TCP_ACK) && !(in->flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST)) &&
            (in->datalen || (in->flags & SYNACK_TCP_FIN)) &&
            unsent_behind_flight(s, sl, in->slot, h.ack))
            d->ack_held = true;
    }
    /* what the peer has sent, for its next numbers */
    uint32_t end = h.seq + in->datalen + (syn ? 1u : 0u) + ((in->flags & SYNACK_TCP_FIN) ? 1u : 0u);
    if (!sl->peer_max_known || seq_lt(sl->peer_max, end))
        sl->peer_max = end;
    sl->peer_max_known = true;
    if (syn) {
        sl->peer_wscale = (in->present & FZ_OPT_WS) && !(in->present & FZ_OPT_RAW);
        sl->data_base = h.seq + 1;
        sl->syn_time = s->now;
        if (++sl->peer_syns > 1)
            d->tainted = true;
        if (!(in->flags & SYNACK_TCP_ACK) && sl->iss_known && !sl->ack_known)
            d->simopen = true; /* our SYN answered by a SYN */
        if (sl->stack_fin && sl->peer_fin)
            d->reopen = true;
    }
    if (in->flags & SYNACK_TCP_FIN)
        sl->peer_fin = true;
    if (!syn && !(in->flags & SYNACK_TCP_RST) && (in->datalen || (in->flags & SYNACK_TCP_FIN))) {
        /* RFC 9293 3.10.7.4 fifth: "if the ACK bit is off drop the segment"
         * (L18: text or a FIN), and drop text whose ACK is beyond SND.NXT (L13) */
        bool noack_fin = !(in->flags & SYNACK_TCP_ACK) && sl->iss_known && sl->ack_known;
        bool ack_unsent = (in->flags & SYNACK_TCP_ACK) && sl->iss_known &&
                          ack_out_of_range(sl, h.ack);
        if (noack_fin || ack_unsent) {
            sl->refused = noack_fin ? 18 : 13;
            sl->refused_start = h.seq;
            sl->refused_end = end;
        } else if (sl->refused && !seq_lt(sl->refused_start, h.seq)) {
            sl->refused = 0; /* the same octets again, rightly: lwIP may take them */
        }
    }
    if (in->mut_count || (in->flags & SYNACK_TCP_URG) || in->urg)
        d->tainted = true;
    if ((in->flags & SYNACK_TCP_ACK) && in->win > sl->peer_max_wnd)
        sl->peer_max_wnd = in->win;
    bool ipc = false, tcpc = false;
    size_t trunc = SIZE_MAX;
    for (unsigned i = 0; i < in->mut_count; i++)
        fz_apply_mutation(pkt, in->muts[i].field, in->muts[i].value, &ipc, &tcpc, &trunc);
    if (!tcpc || synack_get16(tcp + 16) == 0xbad0) {
        bool bad = tcpc;
        synack_tcp_checksum_set(tcp, seglen, synack_get32(pkt + 12), synack_get32(pkt + 16));
        if (bad)
            synack_put16(tcp + 16, synack_get16(tcp + 16) ^ 1u);
    }
    if (!ipc) {
        synack_put16(pkt + 10, 0);
        synack_put16(pkt + 10, synack_cksum_fold(synack_cksum_add(0, pkt, 20)));
    }
    if ((in->flags & SYNACK_TCP_ACK) && !(in->flags & SYNACK_TCP_RST) && sums_valid(pkt, seglen))
        peer_acks(sl, h.ack); /* a RST's ACK acknowledges nothing (3.10.7.4) */
    inject(d, s, pkt, trunc < len ? trunc : len);
}

static void read_seg(struct fz_cur *c, struct seg_in *in)
{
    in->flags = fz_rd8(c);
    in->seq_mode = fz_rd8(c);
    in->seq_arg = fz_seq_wide(in->seq_mode) ? fz_rd32(c) : fz_rd16(c);
    in->ack_mode = fz_rd8(c);
    in->ack_arg = fz_ack_wide(in->ack_mode) ? fz_rd32(c) : fz_rd16(c);
    in->win = fz_rd16(c);
    uint8_t ext = fz_rd8(c);
    if (ext & FZ_EXT_URG)
        in->urg = fz_rd16(c);
    if (ext & FZ_EXT_OPTS) {
        in->present = fz_rd8(c);
        if (in->present & FZ_OPT_RAW) {
            uint8_t n = fz_rd8(c);
            in->raw_len = n > SYNACK_TCP_OPT_MAX ? SYNACK_TCP_OPT_MAX : n;
            for (unsigned i = 0; i < in->raw_len; i++)
                in->raw[i] = fz_rd8(c);
        } else {
            if (in->present & FZ_OPT_MSS)
                in->mss = fz_rd16(c);
            if (in->present & FZ_OPT_WS)
                in->ws = fz_rd8(c);
            if (in->present & FZ_OPT_TS) {
                in->ts_val = fz_rd32(c);
                in->ts_ecr = fz_rd32(c);
            }
            if (in->present & FZ_OPT_SACK) {
                in->sack_n = (uint8_t)(fz_rd8(c) % SYNACK_SACK_MAX + 1);
                for (unsigned i = 0; i < in->sack_n; i++) {
                    in->sack[i][0] = fz_rd16(c);
                    in->sack[i][1] = fz_rd16(c);
                }
            }
            if (in->present & FZ_OPT_FO) {
                uint8_t n = fz_rd8(c);
                in->fo_last = n == 0xff;
                in->fo_len = in->fo_last ? 0 : (uint8_t)(n % 19 > SYNACK_TFO_COOKIE_MAX
                                                             ? SYNACK_TFO_COOKIE_MAX : n % 19);
                for (unsigned i = 0; i < in->fo_len; i++)
                    in->fo[i] = fz_rd8(c);
            }
        }
    }
    if (ext & FZ_EXT_DATA)
        in->datalen = (uint16_t)(fz_rd16(c) % (DF_DATA_MAX + 1));
    if (ext & FZ_EXT_MUTS) {
        in->mut_count = fz_rd8(c) % (FZ_MUT_MAX + 1);
        for (unsigned i = 0; i < in->mut_count; i++) {
            in->muts[i].field = fz_rd8(c);
            in->muts[i].value = fz_rd32(c);
        }
    }
}

static void step_seg(struct df *d, unsigned si, struct fz_cur *c)
{
    struct seg_in in;
    memset(&in, 0, sizeof in);
    in.slot = si;
    read_seg(c, &in);
    common_rcv_nxt(d, si);
    for (int k = 0; k < 2; k++)
        send_seg(d, &d->side[k], &in);
}

/* A well-behaved peer: in sequence, acknowledging everything sent. */
static void step_ack(struct df *d, unsigned si, struct fz_cur *c)
{
    uint8_t kind = fz_rd8(c);
    static const uint8_t flags[4] = {SYNACK_TCP_ACK, SYNACK_TCP_ACK | SYNACK_TCP_PSH,
                                     SYNACK_TCP_ACK | SYNACK_TCP_FIN,
                                     SYNACK_TCP_RST | SYNACK_TCP_ACK};
    struct seg_in in;
    memset(&in, 0, sizeof in);
    in.slot = si;
    in.flags = flags[kind & 3];
    in.seq_mode = FZ_SEQ_RCV_NXT;
    in.ack_mode = FZ_ACK_SND_MAX;
    in.win = 65535;
    if ((kind & 3) != 3)
        in.datalen = (uint16_t)((kind >> 2) * 32u);
    common_rcv_nxt(d, si);
    for (int k = 0; k < 2; k++)
        send_seg(d, &d->side[k], &in);
}

static void step_icmp(struct df *d, unsigned si, struct fz_cur *c)
{
    uint8_t type = fz_rd8(c), code = fz_rd8(c);
    uint32_t rest = fz_rd32(c);
    uint8_t quote = fz_rd8(c) % 4;
    unsigned am = fz_rd8(c);
    uint32_t arg = fz_ack_wide(am) ? fz_rd32(c) : fz_rd16(c);
    uint8_t dlen = fz_rd8(c);
    d->icmp = true;
    for (int k = 0; k < 2; k++) {
        struct side *s = &d->side[k];
        struct df_slot *sl = &s->slot[si];
        uint8_t data[20 + 8 + 255];
        size_t n = 0;
        if (quote) {
            static const uint8_t proto[4] = {0, SYNACK_IPPROTO_TCP, SYNACK_IPPROTO_UDP, 255};
            struct synack_ipv4 ih = {.ttl = 64, .proto = proto[quote], .id = 1, .src = DF_ADDR,
                                     .dst = DF_PEER};
            synack_ipv4_build(data, 20, &ih, 20, NULL);
            synack_put16(data + 20, sl->lport ? sl->lport : DF_PORT);
            synack_put16(data + 22, (uint16_t)(DF_PEER_PORT + si));
            synack_put32(data + 24, ack_for(sl, am, arg));
            n = 28;
        }
        memset(data + n, 0, dlen);
        n += dlen;
        size_t il = synack_icmp_build(d->pkt + 20, DF_PKT_MAX - 20, type, code, rest, data, n, NULL);
        struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_ICMP, .id = s->ip_id++,
                                 .src = DF_PEER, .dst = DF_ADDR};
        synack_ipv4_build(d->pkt, 20, &ih, il, NULL);
        inject(d, s, d->pkt, 20 + il);
    }
}

/* A raw datagram: the same octets to both (checksums and addresses as
 * the modifiers ask). */
static void step_raw(struct df *d, unsigned mod, struct fz_cur *c)
{
    size_t len = fz_rd8(c);
    if (len > c->n - c->off)
        len = c->n - c->off;
    uint8_t raw[256];
    memcpy(raw, c->p + c->off, len);
    c->off += len;
    if ((mod & 2) && len >= 20) {
        synack_put32(raw + 12, DF_PEER);
        synack_put32(raw + 16, DF_ADDR);
    }
    if ((mod & 1) && len >= 20) {
        size_t hl = (raw[0] & 0x0fu) * 4u;
        if (hl >= 20 && hl <= len) {
            size_t total = synack_get16(raw + 2);
            if (total > len || total < hl)
                total = len;
            if (raw[9] == SYNACK_IPPROTO_TCP && total - hl >= 20)
                synack_tcp_checksum_set(raw + hl, total - hl, synack_get32(raw + 12),
                                        synack_get32(raw + 16));
            synack_put16(raw + 10, 0);
            synack_put16(raw + 10, synack_cksum_fold(synack_cksum_add(0, raw, hl)));
        }
    }
    if (len == 0)
        return;
    d->tainted = true;
    for (int k = 0; k < 2; k++) {
        memcpy(d->pkt, raw, len);
        inject(d, &d->side[k], d->pkt, len);
    }
}

static void step_clock(struct df *d, struct fz_cur *c)
{
    uint8_t m = fz_rd8(c);
    switch (m & 3) {
    case 0: advance(d, (uint64_t)(m >> 2) * 10000u); break;
    case 1: advance(d, (1ull << ((m >> 2) > 22 ? 22 : (m >> 2))) * 1000u); break;
    case 2: advance(d, 1); break;
    default: advance(d, fz_rd32(c)); break;
    }
}

/* The next timer: until synack sends its next packet (within a minute;
 * the objects do not tell their deadlines), the same time on lwIP. */
static void step_next(struct df *d)
{
    struct side *s = &d->side[0];
    if (s->now >= DF_TIME_MAX)
        return;
    uint64_t t0 = s->now;
    s->ifc.usleep(s->ifc.userdata, 60000000u);
    drain(d, s);
    s->now = side_clock(s);
    advance_one(d, &d->side[1], s->now - t0);
}

/* ---- the application: socket calls on both stacks ---- */

static const char *errname(int e)
{
    switch (e) {
    case EAGAIN: return "EAGAIN";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ENOTCONN: return "ENOTCONN";
    case EISCONN: return "EISCONN";
    case ECONNRESET: return "ECONNRESET";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNABORTED: return "ECONNABORTED";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPIPE: return "EPIPE";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EMFILE: return "EMFILE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case EACCES: return "EACCES";
    case ENOTSOCK: return "ENOTSOCK";
    default: return NULL;
    }
}

static void out_text(const struct df_out *o, char *buf, size_t n)
{
    const char *en;
    switch (o->cls) {
    case DF_OK: snprintf(buf, n, "%ld", o->val); break;
    case DF_DATA: snprintf(buf, n, "%ld octets", o->val); break;
    case DF_EOF: snprintf(buf, n, "0 (end of stream)"); break;
    case DF_AGAIN: snprintf(buf, n, "-1 EAGAIN"); break;
    case DF_SKIP: snprintf(buf, n, "(not made)"); break;
    default:
        en = errname(o->err);
        if (en)
            snprintf(buf, n, "-1 %s", en);
        else
            snprintf(buf, n, "-1 errno %d", o->err);
        break;
    }
}

static struct df_out outcome(long r, int err)
{
    struct df_out o = {DF_OK, 0, r};
    if (r < 0) {
        o.cls = err == EAGAIN || err == EWOULDBLOCK ? DF_AGAIN : DF_ERR;
        o.err = err;
    }
    return o;
}

static int free_handle(const struct side *s)
{
    for (int h = 0; h < DF_HANDLES; h++)
        if (s->fd[h] < 0)
            return h;
    return -1;
}

static void sockaddr_of(struct sockaddr_in *a, uint32_t addr, uint16_t port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(addr);
}

/* The arguments of one call, read once for both stacks. */
struct call_in {
    unsigned call, h;
    uint8_t a, b;
    uint16_t len;
    uint32_t v;
};

/* Both stacks with lwIP's extensions as Debian builds it: window scaling
 * (RFC 7323 2) on; timestamps, SACK, D-SACK and ECN off. Comparing what
 * one stack has and the other lacks would find nothing but that. */
static void extensions_as_lwip(struct side *s, int fd)
{
    static const int off[] = {SYNACK_TCP_TIMESTAMPS, SYNACK_TCP_SACK, SYNACK_TCP_DSACK,
                              SYNACK_TCP_ECN};
    int zero = 0;
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        s->ifc.setsockopt(s->ifc.userdata, fd, IPPROTO_TCP, off[i], &zero, sizeof zero);
}

static struct df_out call_socket(struct side *s)
{
    int h = free_handle(s);
    if (h < 0)
        return (struct df_out){DF_SKIP, 0, 0};
    errno = 0;
    int fd = s->ifc.socket(s->ifc.userdata, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct df_out o = outcome(fd, errno);
    if (fd >= 0) {
        s->ifc.fcntl(s->ifc.userdata, fd, F_SETFL, O_RDWR | O_NONBLOCK);
        extensions_as_lwip(s, fd);
        s->fd[h] = fd;
        s->conn_slot[h] = -1;
        s->sent[h] = s->rcvd[h] = 0;
        s->eof[h] = false;
        s->opened[h] = false;
        s->bound[h] = false;
        s->rd_shut[h] = false;
        s->told[h] = 0;
        o.val = h; /* the handle, not the object's number */
    }
    return o;
}

static struct df_out call_accept(struct side *s, int fd)
{
    int h = free_handle(s);
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    errno = 0;
    int r = s->ifc.accept(s->ifc.userdata, fd, (struct sockaddr *)&a, &al);
    struct df_out o = outcome(r, errno);
    if (r < 0)
        return o;
    if (h < 0) { /* no handle left for it: gone again */
        s->ifc.close(s->ifc.userdata, r);
        return (struct df_out){DF_SKIP, 0, 0};
    }
    s->ifc.fcntl(s->ifc.userdata, r, F_SETFL, O_RDWR | O_NONBLOCK);
    s->fd[h] = r;
    unsigned port = ntohs(a.sin_port);
    s->conn_slot[h] = port >= DF_PEER_PORT && port < DF_PEER_PORT + DF_SLOTS
                          ? (int)(port - DF_PEER_PORT) : -1;
    s->sent[h] = s->rcvd[h] = 0;
    s->eof[h] = false;
    s->opened[h] = true;
    s->told[h] = 0;
    o.val = h;
    return o;
}

static struct df_out call_send(struct df *d, struct side *s, int h, const struct call_in *in)
{
    for (uint32_t i = 0; i < in->len; i++)
        d->io[i] = app_octet(s->sent[h] + i);
    int flags = MSG_DONTWAIT | MSG_NOSIGNAL | ((in->a & 1) ? MSG_OOB : 0);
    errno = 0;
    ssize_t r = s->ifc.send(s->ifc.userdata, s->fd[h], d->io, in->len, flags);
    if (r > (ssize_t)in->len)
        df_fail(d, "%s: send() = %zd for %u octets", s->name, r, in->len);
    if (r > 0)
        s->sent[h] += (uint32_t)r;
    return outcome(r, errno);
}

/* What the application read is what its peer sent, octet for octet. */
static void check_data(struct df *d, struct side *s, int h, ssize_t r, int flags)
{
    int si = s->conn_slot[h];
    if (d->tainted || si < 0 || (flags & MSG_OOB))
        return;
    uint32_t from = s->slot[si].data_base + s->rcvd[h];
    for (ssize_t i = 0; i < r; i++)
        if (d->io[i] != peer_octet(from + (uint32_t)i))
            df_fail(d, "%s: recv: octet %zd (sequence number %u) is %02x, the peer sent %02x",
                    s->name, i, from + (uint32_t)i, d->io[i], peer_octet(from + (uint32_t)i));
}

static struct df_out call_recv(struct df *d, struct side *s, int h, const struct call_in *in)
{
    int flags = MSG_DONTWAIT | ((in->a & 1) ? MSG_PEEK : 0) | ((in->a & 2) ? MSG_OOB : 0);
    errno = 0;
    ssize_t r = s->ifc.recv(s->ifc.userdata, s->fd[h], d->io, in->len, flags);
    if (r > (ssize_t)in->len)
        df_fail(d, "%s: recv() = %zd for %u octets", s->name, r, in->len);
    struct df_out o = outcome(r, errno);
    if (r == 0 && in->len > 0) {
        o.cls = DF_EOF;
        s->eof[h] = true;
    }
    if (r > 0) {
        o.cls = DF_DATA;
        if (s == &d->side[1])
            flags &= ~MSG_OOB; /* lwIP ignores the flag: in-band data, read */
        check_data(d, s, h, r, flags);
        if (!(flags & (MSG_PEEK | MSG_OOB)))
            s->rcvd[h] += (uint32_t)r;
    }
    return o;
}

static const struct {
    int level, name;
} df_sockopts[FZ_SO_COUNT] = {
    /* options both stacks have and mean alike; the others are no-ops here,
     * since one stack alone changing its window or MSS is no divergence */
    [FZ_SO_REUSEADDR] = {SOL_SOCKET, SO_REUSEADDR},
    [FZ_SO_KEEPALIVE] = {SOL_SOCKET, SO_KEEPALIVE},
    [FZ_SO_LINGER] = {SOL_SOCKET, SO_LINGER},
    [FZ_TCP_NODELAY] = {IPPROTO_TCP, TCP_NODELAY},
    [FZ_TCP_KEEPIDLE] = {IPPROTO_TCP, TCP_KEEPIDLE},
    [FZ_TCP_KEEPINTVL] = {IPPROTO_TCP, TCP_KEEPINTVL},
    [FZ_TCP_KEEPCNT] = {IPPROTO_TCP, TCP_KEEPCNT},
};

static struct df_out call_setsockopt(struct side *s, int fd, const struct call_in *in)
{
    unsigned o = in->a % FZ_SO_COUNT;
    if (!df_sockopts[o].level)
        return (struct df_out){DF_SKIP, 0, 0};
    if (o == FZ_SO_LINGER) {
        struct linger l = {(int)(in->v & 1), (int)((in->v >> 1) & 0xff)};
        s->ifc.setsockopt(s->ifc.userdata, fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    } else {
        int iv = (int)(in->v % 100000u); /* seconds and counts both take */
        s->ifc.setsockopt(s->ifc.userdata, fd, df_sockopts[o].level, df_sockopts[o].name, &iv,
                          sizeof iv);
    }
    return (struct df_out){DF_SKIP, 0, 0}; /* what each accepts is its own business */
}

static struct df_out call_one(struct df *d, struct side *s, const struct call_in *in)
{
    if (in->call == FZ_CALL_SOCKET)
        return call_socket(s);
    int fd = s->fd[in->h];
    if (fd < 0)
        return (struct df_out){DF_SKIP, 0, 0}; /* no socket behind the handle */
    void *u = s->ifc.userdata;
    struct sockaddr_in a;
    int r;
    errno = 0;
    switch (in->call) {
    case FZ_CALL_BIND: {
        static const uint16_t ports[3] = {DF_PORT, 0, DF_PORT + 1};
        uint16_t port = (in->a & 3) < 3 ? ports[in->a & 3] : (uint16_t)(DF_PEER_PORT + (in->a >> 2));
        static const uint32_t addrs[4] = {0, DF_ADDR, DF_OTHER, DF_ADDR};
        sockaddr_of(&a, addrs[in->b & 3], port);
        r = s->ifc.bind(u, fd, (struct sockaddr *)&a, sizeof a);
        return outcome(r, errno);
    }
    case FZ_CALL_LISTEN:
        s->opened[in->h] = true;
        r = s->ifc.listen(u, fd, (int8_t)in->a);
        return outcome(r, errno);
    case FZ_CALL_ACCEPT:
        return call_accept(s, fd);
    case FZ_CALL_CONNECT: {
        unsigned si = in->a & 3;
        sockaddr_of(&a, (in->a & 4) ? (DF_ADDR | 0xffu) : DF_PEER,
                    (in->a & 8) ? 0 : (uint16_t)(DF_PEER_PORT + si));
        uint16_t lport = s->slot[si].lport;
        s->slot[si].lport = 0; /* its SYN says which port */
        s->opened[in->h] = true;
        r = s->ifc.connect(u, fd, (struct sockaddr *)&a, sizeof a);
        struct df_out o = outcome(r, errno);
        bool started = r == 0 || o.err == EINPROGRESS;
        drain(d, s);
        if (s->slot[si].lport == 0) /* no SYN went: the slot stays as it was */
            s->slot[si].lport = started || !lport ? DF_PORT : lport;
        if (started) /* a refused connect() (EISCONN, say) leaves the handle's */
            s->conn_slot[in->h] = (int)si;
        return o;
    }
    case FZ_CALL_SEND:
        return call_send(d, s, (int)in->h, in);
    case FZ_CALL_RECV:
        return call_recv(d, s, (int)in->h, in);
    case FZ_CALL_SHUTDOWN:
        r = s->ifc.shutdown(u, fd, in->a % 4);
        if (r == 0 && (in->a % 4 == SHUT_RD || in->a % 4 == SHUT_RDWR))
            s->rd_shut[in->h] = true;
        return outcome(r, errno);
    case FZ_CALL_CLOSE:
    case FZ_CALL_ABORT:
        if (in->call == FZ_CALL_ABORT) { /* packetdrill's ABORT: linger 0, then close */
            struct linger l = {1, 0};
            s->ifc.setsockopt(u, fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        r = s->ifc.close(u, fd);
        s->fd[in->h] = -1;
        return outcome(r, errno);
    case FZ_CALL_SETSOCKOPT:
        return call_setsockopt(s, fd, in);
    default: { /* inspect: the pending error the application reads */
        int v = 0;
        socklen_t vl = sizeof v;
        r = s->ifc.getsockopt(u, fd, SOL_SOCKET, SO_ERROR, &v, &vl);
        struct df_out o = outcome(r, errno);
        if (r == 0 && v) {
            o.cls = DF_ERR;
            o.err = v;
        }
        return o;
    }
    }
}

static void read_call(struct fz_cur *c, unsigned h, struct call_in *in)
{
    memset(in, 0, sizeof *in);
    in->call = fz_rd8(c) % FZ_CALL_COUNT;
    in->h = h;
    switch (in->call) {
    case FZ_CALL_BIND: in->a = fz_rd8(c); in->b = fz_rd8(c); break;
    case FZ_CALL_LISTEN: case FZ_CALL_CONNECT: case FZ_CALL_SHUTDOWN: in->a = fz_rd8(c); break;
    case FZ_CALL_SEND: case FZ_CALL_RECV: in->len = fz_rd16(c); in->a = fz_rd8(c); break;
    case FZ_CALL_SETSOCKOPT: in->a = fz_rd8(c); in->v = fz_rd32(c); break;
    default: break;
    }
}

static const char *const call_names[FZ_CALL_COUNT] = {
    "socket", "bind", "listen", "accept", "connect", "send", "recv", "shutdown", "close",
    "abort", "setsockopt", "getsockopt(SO_ERROR)"};

/* The RFC's signals to the user behind an errno (RFC 9293 3.10.7,
 * 3.10.8): "connection reset" (BSD says ECONNREFUSED for a reset in
 * SYN-SENT, lwIP ECONNRESET) and "connection aborted due to user timeout"
 * (ETIMEDOUT, lwIP ECONNABORTED); 0 for the other errors, whose names the
 * RFC leaves to the interface. */
static int signal_of(int err)
{
    if (err == ECONNRESET || err == ECONNREFUSED)
        return 1;
    if (err == ETIMEDOUT || err == ECONNABORTED)
        return 2;
    return 0;
}

static bool same_error(int a, int b)
{
    return a == b || signal_of(a) == signal_of(b);
}

/* SO_ERROR: a pending error is cleared when a call reports it on BSD
 * (synack), kept on lwIP; an error the application was told already is
 * no difference. */
static bool same_pending(const struct df_out *a, const struct df_out *b, int told_a, int told_b)
{
    if (a->cls == DF_ERR && b->cls == DF_ERR)
        return same_error(a->err, b->err);
    if (a->cls == DF_ERR)
        return told_b && same_error(a->err, told_b);
    if (b->cls == DF_ERR)
        return told_a && same_error(b->err, told_a);
    return true;
}

/* Outcomes the stacks may differ in without either being wrong. */
static bool same_outcome(const struct df *d, const struct call_in *in, const struct df_out *a,
                         const struct df_out *b)
{
    if (a->cls == DF_SKIP || b->cls == DF_SKIP)
        return a->cls == b->cls || in->call == FZ_CALL_SETSOCKOPT;
    if (in->call == FZ_CALL_INSPECT)
        return same_pending(a, b, d->side[0].told[in->h], d->side[1].told[in->h]);
    if (in->call == FZ_CALL_SEND) /* how much a send buffer holds is the stack's */
        return (a->cls == DF_ERR) == (b->cls == DF_ERR) &&
               (a->cls != DF_ERR || same_error(a->err, b->err));
    if (a->cls != b->cls)
        return false;
    /* EINPROGRESS is no error: the OPEN has started (RFC 9293 3.9.1.1) */
    if (a->cls == DF_ERR && (a->err == EINPROGRESS) != (b->err == EINPROGRESS))
        return false;
    if (a->cls == DF_ERR)
        return same_error(a->err, b->err);
    if (in->call == FZ_CALL_SOCKET || in->call == FZ_CALL_ACCEPT)
        return a->val == b->val; /* the same handle */
    return true; /* DF_OK, DF_DATA: counts are each stack's own */
}

/* The state TCP_INFO gives for a handle, or -1. */
static int handle_state(struct side *s, int h)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (s->fd[h] < 0 ||
        s->ifc.getsockopt(s->ifc.userdata, s->fd[h], IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    return ti.tcpi_state;
}

/* ---- what the campaigns found and triaged ---- */

/* One finding, before it is reported. */
struct finding {
    bool oracle;             /* else a divergence of a call */
    int side;                /* oracle: whose packet */
    const char *rule;        /* oracle: the rule */
    const struct call_in *in;/* divergence: the call and the two outcomes */
    const struct df_out *o;
    int state[2];            /* TCP_INFO state of the handle on each stack, -1 */
    bool icmp;               /* the input has sent an ICMP message */
    bool old_ack_synrcvd, syn_in_synrcvd, text_ack_unsent, late_ack_synrcvd, mss_not_syn,
        old_ack, ack_held;
    int lwip_took;
                             /* struct df's */
    bool after_unsent_ack;   /* oracle: an ack-of-unsent-data of lwIP came before */
    bool never_opened;       /* the handle: no connect(), listen() or accept() on either */
    bool r2_passed[2];       /* the handle's slot on each stack: r2_passed() */
    bool was_opened;         /* the handle was a TCP endpoint on both before the call */
    bool fin_sent;           /* a stack had sent its FIN on the handle's connection */
    bool rd_shut;            /* the handle's reading side was shut on a stack */
    bool eof_read;           /* a stack's application had read the end of the stream */
};

enum { LX_SYN_SENT = 2, LX_CLOSE = 7, LX_LISTEN = 10 }; /* Linux's TCP_INFO state numbers */

static bool synsent_send(const struct finding *f)
{
    return !f->oracle && f->in->call == FZ_CALL_SEND && f->o[1].cls == DF_ERR &&
           f->o[0].cls != DF_ERR && f->state[1] == LX_SYN_SENT;
}

static bool closed_reports_error(const struct finding *f)
{
    if (f->oracle || (f->in->call != FZ_CALL_RECV && f->in->call != FZ_CALL_INSPECT))
        return false;
    bool clean = f->o[0].cls == DF_EOF || (f->in->call == FZ_CALL_INSPECT && f->o[0].cls == DF_OK);
    return clean && f->o[1].cls == DF_ERR &&
           (f->o[1].err == ENOTCONN || f->o[1].err == ECONNRESET) &&
           (f->state[1] < 0 || f->state[1] == LX_CLOSE);
}

static bool syn_gives_up(const struct finding *f)
{
    return !f->oracle && f->o[1].cls == DF_ERR &&
           (signal_of(f->o[1].err) == 2 || f->o[1].err == ENOTCONN) && f->state[0] == LX_SYN_SENT;
}

static bool icmp_ignored(const struct finding *f)
{
    if (f->oracle || !f->icmp)
        return false;
    bool synack_told = f->o[0].cls == DF_ERR && signal_of(f->o[0].err);
    bool lwip_told = f->o[1].cls == DF_ERR && signal_of(f->o[1].err);
    return synack_told && !lwip_told;
}

static bool old_segment_completes(const struct finding *f)
{
    return !f->oracle && f->in->call == FZ_CALL_ACCEPT && f->old_ack_synrcvd &&
           f->o[0].cls == DF_AGAIN && f->o[1].cls == DF_OK;
}

static bool half_open_given_up(const struct finding *f)
{
    return !f->oracle && f->in->call == FZ_CALL_ACCEPT && f->late_ack_synrcvd &&
           f->o[0].cls == DF_OK && f->o[1].cls != DF_OK;
}

static bool broadcast_open_started(const struct finding *f)
{
    return !f->oracle && f->in->call == FZ_CALL_CONNECT && (f->in->a & 12) == 4 &&
           f->o[1].cls == DF_ERR && f->o[1].err == EINPROGRESS && f->o[0].cls == DF_ERR &&
           f->o[0].err != EINPROGRESS;
}

static bool unconnected_recv_waits(const struct finding *f)
{
    return !f->oracle && f->in->call == FZ_CALL_RECV && f->never_opened &&
           f->o[0].cls == DF_ERR && f->o[0].err == ENOTCONN && f->o[1].cls == DF_AGAIN;
}

static bool lwip_rule(const struct finding *f, const char *rule)
{
    return f->oracle && f->side == 1 && strcmp(f->rule, rule) == 0;
}
static bool rto_early(const struct finding *f) { return lwip_rule(f, "retransmit-before-rto"); }
static bool syn_no_backoff(const struct finding *f) { return lwip_rule(f, "rto-no-backoff"); }
static bool window_kept(const struct finding *f) { return lwip_rule(f, "data-beyond-window"); }
static bool syn_taken(const struct finding *f) { return lwip_rule(f, "ack-of-unsent-data"); }
static bool rst_from_ack_field(const struct finding *f) { return lwip_rule(f, "rst-seq-unacceptable"); }

/* lwIP has a connection or data synack does not: accept() or recv() */
static bool lwip_gets_more(const struct finding *f)
{
    if (f->oracle)
        return false;
    if (f->in->call == FZ_CALL_ACCEPT)
        return f->o[0].cls == DF_AGAIN && f->o[1].cls == DF_OK;
    return f->in->call == FZ_CALL_RECV && f->o[0].cls != DF_DATA && f->o[0].cls != DF_EOF &&
           (f->o[1].cls == DF_DATA || f->o[1].cls == DF_EOF);
}

/* L7: after a SYN in SYN-RECEIVED synack is back in LISTEN (a passive
 * OPEN, 3.10.7.4 fourth) and lwIP is not: which handshake completes next,
 * and so what accept() gives, differs either way */
static bool syn_in_synrcvd_taken(const struct finding *f)
{
    if (syn_taken(f) || ((f->syn_in_synrcvd || f->after_unsent_ack) &&
                         lwip_rule(f, "ack-delayed")))
        return true; /* it acknowledged a sequence number the peer never sent */
    if (!f->syn_in_synrcvd || f->oracle)
        return false;
    bool accept_differs = f->in->call == FZ_CALL_ACCEPT &&
                          (f->o[0].cls == DF_OK) != (f->o[1].cls == DF_OK);
    return accept_differs || lwip_gets_more(f);
}

static bool text_of_ack_too_new(const struct finding *f)
{
    return (f->text_ack_unsent && lwip_gets_more(f)) ||
           (f->lwip_took == 13 && lwip_rule(f, "ack-delayed"));
}

static bool mss_of_non_syn_taken(const struct finding *f)
{
    return f->mss_not_syn && lwip_rule(f, "segment-exceeds-mss");
}

/* lwIP acknowledges the FIN it took without an ACK bit; the peer's next
 * ACK then acknowledges what lwIP says it got late */
static bool fin_without_ack_taken(const struct finding *f)
{
    return f->lwip_took == 18 && lwip_rule(f, "ack-delayed");
}

/* an unacceptable segment's ACK field processed (counted as a duplicate
 * ACK, its window taken): a retransmission the oracle reads as before the
 * RTO */
static bool old_ack_counted(const struct finding *f)
{
    return f->old_ack && (lwip_rule(f, "rto-below-minimum") || rto_early(f));
}

/* text or a FIN came while lwIP held a segment unsent behind data in
 * flight: its ACK waits for lwIP's next segment, its retransmission */
static bool ack_held_by_unsent(const struct finding *f)
{
    return f->ack_held && lwip_rule(f, "ack-delayed");
}

/* Each is lwIP's and has a vector that fails on lwIP (vectors/expect/lwip.tsv)
 * and a section in fuzz/README.md ("Differential fuzzing against lwIP"). */
static const struct {
    const char *id;
    bool (*match)(const struct finding *f);
} known[] = {
    {"L1 send() in SYN-SENT is refused (RFC 9293 3.10.2)", synsent_send},
    {"L2 an error after a clean close (RFC 9293 3.10.7.4 LAST-ACK)", closed_reports_error},
    {"L3 SYN retransmissions not backed off (RFC 6298 5.5)", syn_no_backoff},
    {"L4 an active OPEN given up in 20 s (MUST-23)", syn_gives_up},
    {"L5 retransmission before the RTO (RFC 6298 2.2, 5.3)", rto_early},
    {"L6 a window shrunk by a segment with the same SEQ and ACK is ignored (3.10.7.4 fifth)",
     window_kept},
    {"L7 a SYN at RCV.NXT in SYN-RECEIVED acknowledged (3.10.7.4 fourth, RFC 5961 4.2)",
     syn_in_synrcvd_taken},
    {"L8 ICMP errors not passed to TCP (RFC 9293 3.9.2.2, MUST-54)", icmp_ignored},
    {"L9 a RST's SEQ from the ACK field of a segment without ACK (RFC 9293 3.10.7.1)",
     rst_from_ack_field},
    {"L11 an unacceptable segment acknowledging the SYN completes SYN-RECEIVED (3.10.7.4 first)",
     old_segment_completes},
    {"L12 RECEIVE without a connection says nothing yet (RFC 9293 3.10.3, CLOSED)",
     unconnected_recv_waits},
    {"L13 the text or FIN of a segment whose ACK is beyond SND.NXT taken (3.10.7.4 fifth)",
     text_of_ack_too_new},
    {"L15 an OPEN to a broadcast address started (RFC 9293 3.9.1.1, MUST-46)",
     broadcast_open_started},
    {"L16 a passive OPEN's SYN-ACK given up within 3 minutes (RFC 9293 3.8.3, MUST-23)",
     half_open_given_up},
    {"L17 an MSS option on a segment without SYN raises the send MSS (3.7.1, MUST-16)",
     mss_of_non_syn_taken},
    {"L18 text or a FIN without the ACK bit taken on a synchronized connection (3.10.7.4 fifth)",
     fin_without_ack_taken},
    {"L20 an unacceptable segment's ACK field processed (3.10.7.4 first, RFC 5681 2)",
     old_ack_counted},
    {"L25 text or a FIN not acknowledged while lwIP holds a segment unsent behind data in flight "
     "(3.8.6.3, MUST-40)",
     ack_held_by_unsent},
};

/* Both fail, one saying "connection reset" and the other that the
 * connection does not exist: after a RST a SEND or RECEIVE may get either
 * (RFC 9293 3.10.7.4: the "reset" response to those outstanding, then
 * CLOSED's "connection does not exist", 3.10.2, 3.10.3), the unsolicited
 * reset signal being SO_ERROR's. */
static bool reset_or_gone(const struct df_out *o)
{
    if (o[0].cls != DF_ERR || o[1].cls != DF_ERR)
        return false;
    for (int k = 0; k < 2; k++)
        if (signal_of(o[k].err) == 1 && (o[1 - k].err == ENOTCONN || o[1 - k].err == EPIPE))
            return true;
    return false;
}

/* Calls whose outcome is the sockets interface's, not the RFC's: bind()
 * (RFC 9293 has no BIND: OPEN names the local socket; POSIX's rules on
 * rebinding or foreign addresses), accept() giving a connection on neither
 * (EAGAIN, or which errno for a socket that is not listening or for a
 * queued connection that was reset), shutdown() of a socket that has no
 * synchronized connection (RFC 9293's CLOSE is allowed in LISTEN and
 * SYN-SENT; what shutdown() says there is the interface's), send() or
 * recv() of no octets (nothing for TCP to do), MSG_OOB (BSD's reading
 * of the urgent pointer, RFC 6093; lwIP has none and ignores the flag), and
 * connect() to port 0 (reserved, RFC 6335 6: synack refuses it, lwIP sends
 * the SYN; no RFC 9293 rule). */
static bool interface_only(const struct finding *f)
{
    const struct df_out *o = f->o;
    switch (f->in->call) {
    case FZ_CALL_BIND: return true;
    case FZ_CALL_ACCEPT: /* neither gives a connection: EAGAIN, or an errno for a
                          * socket not listening or a queued connection reset;
                          * or one reports a queued connection that was reset
                          * (POSIX's ECONNABORTED, lwIP's ENOTCONN) where the other
                          * dropped it and gives the next */
        for (int k = 0; k < 2; k++)
            if (o[k].cls == DF_ERR && (o[k].err == ECONNABORTED || o[k].err == ENOTCONN ||
                                       o[k].err == ECONNRESET))
                return true;
        return (o[0].cls == DF_ERR || o[0].cls == DF_AGAIN) &&
               (o[1].cls == DF_ERR || o[1].cls == DF_AGAIN);
    case FZ_CALL_CONNECT: /* to port 0; or failing on both on a socket that is a
                           * TCP endpoint already (no OPEN: EISCONN, EALREADY or
                           * a pending error, as the interface has it) */
        return (f->in->a & 8) != 0 || (f->was_opened && o[0].cls == DF_ERR &&
                                       o[1].cls == DF_ERR && o[0].err != EINPROGRESS &&
                                       o[1].err != EINPROGRESS);
    case FZ_CALL_SEND: return f->in->len == 0 || (f->in->a & 1) || reset_or_gone(o);
    case FZ_CALL_RECV: /* of nothing; MSG_OOB; or after shutdown(SHUT_RD): POSIX
                        * leaves what a read then says to the interface (0 on BSD
                        * and synack, ENOTCONN on lwIP); RFC 9293 has no half
                        * CLOSE for receiving */
        /* after the end of the stream was read, RECEIVE gets "error:
         * connection closing" (3.10.3, CLOSE-WAIT and after; lwIP: ENOTCONN)
         * or, as on BSD, the end again */
        return f->in->len == 0 || (f->in->a & 2) || f->rd_shut || reset_or_gone(o) ||
               (f->eof_read && (o[0].cls == DF_EOF || o[1].cls == DF_EOF) &&
                (o[0].cls == DF_ERR || o[1].cls == DF_ERR));
    case FZ_CALL_SHUTDOWN: /* after our FIN, CLOSE may say "connection closing"
                            * or ok (RFC 9293 3.10.4, FIN-WAIT-1 and after) */
        if (f->fin_sent)
            return true;
        for (int k = 0; k < 2; k++)
            if (f->state[k] < 0 || f->state[k] == LX_LISTEN || f->state[k] == LX_SYN_SENT ||
                f->state[k] == LX_CLOSE)
                return true;
        return f->never_opened;
    default: return false;
    }
}

/* A connection given up by a timeout on one stack only, after that stack
 * had sent into the peer's silence for at least 100 s: R2 is each stack's
 * own above that least (RFC 9293 3.8.3, MUST-20; RFC 1122 4.2.3.5), so
 * one stack retransmitting or probing for longer is no finding. */
static bool own_r2(const struct finding *f)
{
    if (f->oracle)
        return false;
    for (int k = 0; k < 2; k++) {
        const struct df_out *a = &f->o[k], *b = &f->o[1 - k];
        if (a->cls == DF_ERR && signal_of(a->err) == 2 && f->r2_passed[k] &&
            !(b->cls == DF_ERR && signal_of(b->err) == 2))
            return true;
    }
    return false;
}

/* Report a finding unless it is one of the known ones. */
static void finding(struct df *d, const struct finding *f, const char *text)
{
    for (size_t i = 0; !d->known_off && i < sizeof known / sizeof known[0]; i++)
        if (known[i].match(f)) {
            if (d->trace)
                fprintf(stderr, "    known: %s: %s\n", known[i].id, text);
            d->known_hits++;
            return;
        }
    df_fail(d, "%s", text);
}

static bool handle_r2_passed(struct side *s, unsigned h)
{
    int si = s->conn_slot[h];
    return si >= 0 && r2_passed(s, &s->slot[si]);
}

static void step_call(struct df *d, unsigned h, struct fz_cur *c)
{
    struct call_in in;
    read_call(c, h, &in);
    d->what = call_names[in.call];
    bool r2[2] = {handle_r2_passed(&d->side[0], h), handle_r2_passed(&d->side[1], h)};
    bool was_opened = d->side[0].opened[h] && d->side[1].opened[h];
    bool eof_read = d->side[0].eof[h] || d->side[1].eof[h];
    bool fin_sent = false;
    for (int k = 0; k < 2; k++) {
        int si = d->side[k].conn_slot[h];
        fin_sent = fin_sent || (si >= 0 && d->side[k].slot[si].stack_fin);
    }
    int lsi = d->side[1].conn_slot[h];
    bool lwip_fin = lsi >= 0 && d->side[1].slot[lsi].stack_fin;
    struct df_out o[2];
    for (int k = 0; k < 2; k++) {
        o[k] = call_one(d, &d->side[k], &in);
        drain(d, &d->side[k]);
    }
    if (in.call == FZ_CALL_ABORT && lsi >= 0 && !lwip_fin && d->side[1].slot[lsi].stack_fin) {
        /* L19: lwIP closes with a FIN where ABORT sends a RST (RFC 9293
         * 3.10.5): its connection lives on, synack's is gone */
        if (d->known_off)
            df_fail(d, "lwIP closes with a FIN on ABORT (SO_LINGER 0, then close)");
        d->known_hits++;
        d->apps_split = true;
        if (d->trace)
            fprintf(stderr, "    known: L19 ABORT (SO_LINGER 0) closes with a FIN\n");
    }
    if (d->trace) {
        char t0[64], t1[64];
        out_text(&o[0], t0, sizeof t0);
        out_text(&o[1], t1, sizeof t1);
        fprintf(stderr, "    %s(%u): synack %s, lwIP %s\n", call_names[in.call], h, t0, t1);
    }
    /* L14: lwIP took a bind() of a socket it had bound already */
    if (in.call == FZ_CALL_BIND && o[1].cls == DF_OK && d->side[1].bound[in.h])
        d->rebound = true;
    for (int k = 0; k < 2; k++)
        if (in.call == FZ_CALL_BIND && o[k].cls == DF_OK)
            d->side[k].bound[in.h] = true;
    /* after a datagram synack's parser refuses, lwIP may have taken it as a
     * segment (RFC 9293 3.1, MUST-7): the connections may differ from there */
    bool blind = d->side[0].blind_from || d->side[1].blind_from;
    /* L13: lwIP takes text whose ACK is beyond SND.NXT even where its answer
     * does not show it (it acknowledges the old RCV.NXT first): a RST at
     * synack's RCV.NXT may then miss lwIP's */
    bool text_parts = d->text_ack_unsent && !d->known_off;
    bool same = d->simopen || d->reopen || d->apps_split || blind || d->lwip_took ||
                d->r2_silence || d->syn_text_parts || text_parts ||
                same_outcome(d, &in, &o[0], &o[1]);
    for (int k = 0; k < 2; k++)
        if (o[k].cls == DF_ERR && in.call != FZ_CALL_INSPECT)
            d->side[k].told[in.h] = o[k].err;
    if (!same) {
        char t0[64], t1[64], text[300];
        out_text(&o[0], t0, sizeof t0);
        out_text(&o[1], t1, sizeof t1);
        snprintf(text, sizeof text, "divergence: %s on handle %u: synack %s, lwIP %s",
                 call_names[in.call], h, t0, t1);
        struct finding f = {.in = &in, .o = o, .icmp = d->icmp,
                            .old_ack_synrcvd = d->old_ack_synrcvd,
                            .syn_in_synrcvd = d->syn_in_synrcvd,
                            .text_ack_unsent = d->text_ack_unsent,
                            .late_ack_synrcvd = d->late_ack_synrcvd,
                            .never_opened = !d->side[0].opened[h] && !d->side[1].opened[h],
                            .r2_passed = {r2[0], r2[1]}, .was_opened = was_opened,
                            .fin_sent = fin_sent,
                            .rd_shut = d->side[0].rd_shut[h] || d->side[1].rd_shut[h],
                            .eof_read = eof_read,
                            .state = {handle_state(&d->side[0], (int)h),
                                      handle_state(&d->side[1], (int)h)}};
        bool ok0 = (o[0].cls != DF_ERR && o[0].cls != DF_AGAIN) || o[0].err == EINPROGRESS;
        bool ok1 = (o[1].cls != DF_ERR && o[1].cls != DF_AGAIN) || o[1].err == EINPROGRESS;
        if (own_r2(&f)) {
            d->iface_hits++;
            d->apps_split = true; /* the connection is gone on one stack only */
            if (d->trace)
                fprintf(stderr, "    each stack's own R2: %s\n", text);
        } else if (interface_only(&f)) {
            d->iface_hits++;
            if (d->trace)
                fprintf(stderr, "    the interface's: %s\n", text);
        } else {
            finding(d, &f, text); /* returns only if known */
        }
        if (ok0 != ok1)
            d->apps_split = true; /* compare no more calls */
    }
}

/* The data each application read is what its peer sent, octet for octet:
 * checked while no step may have put other octets in the stream. */

/* ---- steps ---- */

static void run_steps(struct df *d, const uint8_t *p, size_t n, bool prefix)
{
    static const char *const op_names[8] = {"segment", "call", "clock", "icmp",
                                            "raw",     "batch", "ack",  "next"};
    struct fz_cur c = {p, n, 0};
    while (c.off < c.n && d->step < DF_STEPS_MAX && !d->rebound && !d->half_space &&
           !d->mss_lowered) {
        uint8_t opc = fz_rd8(&c);
        unsigned op = opc & 7, mod = opc >> 3;
        d->step++;
        d->what = prefix ? "prefix" : op_names[op];
        if (d->trace)
            fprintf(stderr, "step %u %s t=%llu/%llu us\n", d->step, d->what,
                    (unsigned long long)d->side[0].now, (unsigned long long)d->side[1].now);
        switch ((enum fz_op)op) {
        case FZ_OP_SEG: step_seg(d, mod & 3, &c); break;
        case FZ_OP_CALL: step_call(d, mod & 7, &c); break;
        case FZ_OP_CLOCK: step_clock(d, &c); break;
        case FZ_OP_ICMP: step_icmp(d, mod & 3, &c); break;
        case FZ_OP_RAW: step_raw(d, mod, &c); break;
        case FZ_OP_BATCH: break; /* synack's batches: no SO interface for them */
        case FZ_OP_ACK: step_ack(d, mod & 3, &c); break;
        case FZ_OP_NEXT: step_next(d); break;
        }
    }
}

/* ---- one input, in a process of its own ---- */

static void check_oracle(struct df *d, struct side *s)
{
    if ((d->simopen || d->reopen) && s == &d->side[1])
        return; /* lwIP has no simultaneous open: what follows is known to differ */
    oracle_finish(s->oracle, s->now);
    bool unsent_ack = false;
    for (size_t i = 0; i < oracle_finding_count(s->oracle); i++) {
        const struct oracle_finding *f = oracle_finding_at(s->oracle, i);
        if (f->from != ORACLE_FROM_STACK || (s->blind_from && f->packet > s->blind_from))
            continue; /* the peer's, or after a segment the oracle could not read */
        char text[500];
        snprintf(text, sizeof text, "%s: oracle: packet %u at %llu us: %s (%s): %s", s->name,
                 f->packet, (unsigned long long)f->time_us, f->rule->name, f->rule->req,
                 f->message);
        struct finding fd = {.oracle = true, .side = s == &d->side[1], .rule = f->rule->name,
                             .mss_not_syn = d->mss_not_syn, .syn_in_synrcvd = d->syn_in_synrcvd,
                             .lwip_took = d->lwip_took, .old_ack = d->old_ack,
                             .ack_held = d->ack_held,
                             .after_unsent_ack = unsent_ack, .state = {-1, -1}};
        finding(d, &fd, text);
        unsent_ack = unsent_ack || strcmp(f->rule->name, "ack-of-unsent-data") == 0;
    }
}

static void side_open(struct side *s, const char *name, packetdrill_interface_init_t init,
                      const char *flags)
{
    memset(s, 0, sizeof *s);
    s->name = name;
    init(flags, &s->ifc);
    if (!s->ifc.socket || !s->ifc.netdev_send || !s->ifc.usleep) {
        fprintf(stderr, "fuzz diff: %s: the object's interface is incomplete\n", name);
        abort();
    }
    s->oracle = oracle_new(NULL);
    if (!s->oracle)
        abort();
    for (int h = 0; h < DF_HANDLES; h++)
        s->fd[h] = s->conn_slot[h] = -1;
    for (unsigned i = 0; i < DF_SLOTS; i++) {
        s->slot[i].lport = DF_PORT;
        s->slot[i].wscale = -1;
        s->slot[i].peer_isn = DF_PEER_ISN + (i << 24);
    }
    s->t0 = 0;
    s->t0 = side_clock(s);
    s->now = 0;
}

static void run_input(struct df *d, packetdrill_interface_init_t lwip_init, const uint8_t *data,
                      size_t size)
{
    const char *flags = (data[1] & FZ_CFG_SMALL_MTU) ? "clock=virtual,mtu=576" : "clock=virtual";
    side_open(&d->side[0], "synack", packetdrill_interface_init, flags);
    side_open(&d->side[1], "lwIP", lwip_init, flags);
    unsigned target = data[0] % FZ_PREFIX_COUNT;
    if (target) {
        uint8_t pb[256];
        struct fz_buf b = {pb, 0, sizeof pb, false};
        fz_put_prefix(&b, (enum synack_state)target);
        run_steps(d, pb, b.len, true);
        /* both reached the state (Linux's numbering of TCP_INFO's states) */
        static const int linux_state[FZ_PREFIX_COUNT] = {0, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6};
        int h = target == SYNACK_LISTEN || target == SYNACK_SYN_SENT || target == SYNACK_SYN_RECEIVED
                    ? 0 : 1;
        for (int k = 0; k < 2 && target != SYNACK_SYN_RECEIVED; k++) {
            int st = handle_state(&d->side[k], h);
            if (st != linux_state[target])
                df_fail(d, "%s: the prefix did not reach %s (TCP_INFO state %d)",
                        d->side[k].name, synack_state_name((enum synack_state)target), st);
        }
    }
    run_steps(d, data + 2, size - 2, false);
    d->what = "end";
    check_oracle(d, &d->side[0]);
    check_oracle(d, &d->side[1]);
}

/* lwIP's object, loaded once per process (before any fork). */
static packetdrill_interface_init_t lwip_object(void)
{
    static packetdrill_interface_init_t init;
    if (init)
        return init;
    const char *path = getenv("SYNACK_DIFF_LWIP");
    if (!path)
        path = DF_LWIP_DEFAULT;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "fuzz diff: cannot load lwIP's object %s: %s (make lwip, or set "
                "SYNACK_DIFF_LWIP)\n", path, dlerror());
        exit(2);
    }
    init = (packetdrill_interface_init_t)(uintptr_t)dlsym(h, "packetdrill_interface_init");
    if (!init) {
        fprintf(stderr, "fuzz diff: %s has no packetdrill_interface_init\n", path);
        exit(2);
    }
    return init;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    packetdrill_interface_init_t lwip_init = lwip_object();
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        alarm(DF_CHILD_SECONDS);
        lwip_abort_known = 0;
        signal(SIGABRT, on_abort); /* the parent names the input */
        static struct df d; /* 128 KiB of buffers: not on the stack */
        d.trace = getenv("SYNACK_FUZZ_TRACE") != NULL;
        const char *kv = getenv("SYNACK_DIFF_KNOWN");
        d.known_off = kv && strcmp(kv, "0") == 0;
        run_input(&d, lwip_init, data, size);
        _exit(0);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            abort();
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
        fprintf(stderr, "fuzz diff: the input ran more than %d s: a stack hangs\n",
                DF_CHILD_SECONDS);
        abort();
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        abort(); /* the child said what it found */
    return 0;
}

#include "driver.h"

/* The transmission control block (RFC 9293 3.3.1) and the per-stack TCP
 * context. Field names are the RFC's variables in lower case. The TCP code
 * owns these; the socket layer holds TCB pointers and calls tcp.h. */
#ifndef SYNACK_TCP_TCB_H
#define SYNACK_TCP_TCB_H

#include <stdbool.h>
#include <stdint.h>

#include <synack/socket.h>
#include <synack/stack.h>
#include <synack/wire.h>

#include "tcp/tcp_buf.h"
#include "util/heap.h"
#include "util/ratelimit.h"
#include "util/rng.h"
#include "util/siphash.h"

/* Timers are absolute deadlines; TCP_TIMER_OFF when not running. */
enum tcp_timer {
    TT_REXMT,   /* retransmission (RFC 6298), also SYN and SYN-ACK */
    TT_PERSIST, /* zero-window probe (3.8.6.1) */
    TT_DELACK,  /* delayed ACK (3.8.6.3) */
    TT_KEEP,    /* keep-alive (3.8.4) */
    TT_2MSL,    /* TIME-WAIT (3.6.1), or an orphan's FIN-WAIT-2 limit */
    TT_RACK,    /* RACK reordering window (RFC 8985 6.3) */
    TT_TLP,     /* tail loss probe (RFC 8985 7.2) */
    TT_PACE,    /* the next paced segment may leave (tcp_cc_ext.pace_next) */
    TT_COUNT
};
#define TCP_TIMER_OFF UINT64_MAX

/* tcb->flags */
#define TF_ACKNOW 0x0001u      /* send an ACK at the next output */
#define TF_FIN_QUEUED 0x0002u  /* CLOSE: a FIN follows the queued data */
#define TF_RCVD_FIN 0x0004u    /* the peer's FIN is processed (end of stream) */
#define TF_FIN_PENDING 0x0008u /* the peer's FIN is held beyond a gap (rcv_fin_seq) */
#define TF_NODELAY 0x0010u     /* Nagle off (MUST-17) */
#define TF_KEEPALIVE 0x0020u   /* keep-alives on (MUST-24, off by default: MUST-25) */
#define TF_SHUT_RD 0x0040u     /* the application will read no more */
#define TF_PENDING 0x0080u     /* on the context's output list */
#define TF_RTT_TIMING 0x0100u  /* rtt_seq is being timed */
#define TF_SYN_LOST 0x0200u    /* our SYN was retransmitted (RFC 6298 5.7) */
#define TF_PROBE_AHEAD 0x0400u /* SND.MAX moved by the octet of a window probe alone */
#define TF_WND_UPDATE 0x0800u  /* our window opened enough to announce (3.8.6.2.2) */
#define TF_IN_RECOVERY 0x1000u /* fast recovery (RFC 5681 3.2, RFC 6582) */
#define TF_PERSIST 0x2000u     /* probing a zero window */
#define TF_CONNECTED 0x4000u   /* reached ESTABLISHED once (for connect()) */
#define TF_HAVE_RTT 0x8000u    /* srtt/rttvar hold a measurement */
#define TF_LINGER0 0x10000u    /* SO_LINGER with 0 s: close aborts */
#define TF_RCV_MSS_SENT 0x20000u
#define TF_SWS_OVERRIDE 0x40000u /* the override timeout of 3.8.6.2.1 (4) fired */
#define TF_R1_ADVICE 0x80000u  /* soft_error holds the R1 report (SHLD-9) */
#define TF_DSACK 0x100000u     /* the next ACK reports dsack (RFC 2883) */
#define TF_ICMP_HARD_ABORT 0x200000u /* unreachable 2, 3 abort when synchronized (SHLD-26) */
#define TF_ECE_PENDING 0x800000u /* a CE arrived: ECE on our ACKs until CWR (RFC 3168 6.1.3) */
#define TF_SEND_CWR 0x1000000u /* cwnd was reduced for ECE: CWR on the next new data */
#define TF_TFO_DEFER 0x2000000u   /* RFC 7413 client: the SYN waits for the first send */
#define TF_TFO_CLIENT 0x10000000u /* RFC 7413 client: TCP_FASTOPEN_CONNECT */
#define TF_TFO_PENDING 0x4000000u /* RFC 7413 server: counted in the listener's tfo_pending */
#define TF_TFO_SYN_DATA 0x8000000u /* data went with the SYN and was taken (TCPI_OPT_SYN_DATA) */
#define TF_IN_LOSS 0x400000u   /* recovery after an RTO (scoreboard: RFC 6675 5.1) */
#define TF_RESCUE_RXT 0x20000000u /* RFC 6675 NextSeg (4): RescueRxt = RecoveryPoint, this
                                   * recovery's rescue retransmission went */
#define TF_ECN_SEEN 0x40000000u /* a CE mark arrived (TCPI_OPT_ECN_SEEN; counted in tcp_ecn_ce_rcvd) */
#define TF_RCVBUF_AUTO 0x80000000u /* no SO_RCVBUF: rb may grow to rcvbuf_max (tcp_rcvbuf_grow) */
/* IP_MTU_DISCOVER (RFC 1191), zero the default: DONT sends without DF and
 * ignores ICMP's MTU; PROBE sends with DF and ignores it too (the path is
 * left to RFC 4821); WANT and DO: DF and path MTU discovery. */
enum tcp_pmtudisc { PMTUD_WANT, PMTUD_DONT, PMTUD_DO, PMTUD_PROBE };

/* What a TCB takes from its socket or its listener. */
#define TF_USER_FLAGS (TF_NODELAY | TF_KEEPALIVE | TF_LINGER0 | TF_ICMP_HARD_ABORT | TF_RCVBUF_AUTO)

/* tcb->opt_offer (what our SYN offers or our SYN-ACK may accept) and
 * tcb->opt_on (what both SYNs settled): the extensions of a connection. */
#define TO_WSCALE 0x01u /* RFC 7323 2 */
#define TO_TS 0x02u     /* RFC 7323 3 */
#define TO_SACK 0x04u   /* RFC 2018 */
#define TO_DSACK 0x08u  /* RFC 2883: a receiver's own choice, not negotiated */
#define TO_ECN 0x10u    /* RFC 3168: asked for by our SYN (offer), in use (on) */
#define TO_ECN_OK 0x20u /* RFC 3168: a peer's request is accepted (offer only) */

enum tcb_owner {
    TCB_ORPHAN = 0, /* nobody will read it: it lives until CLOSED */
    TCB_USER,       /* a socket holds it */
    TCB_LISTENER,   /* a passive child not yet accepted */
};

/* A segment in flight, as the sender's scoreboard keeps it (RFC 6675 2,
 * RFC 8985 5.2): its sequence space, its last transmission, and what the
 * receiver and loss detection said of it. */
#define TXS_SACKED 0x01u  /* the receiver holds it (SACK) */
#define TXS_LOST 0x02u    /* deemed lost: to be retransmitted */
#define TXS_RXT 0x04u     /* retransmitted since it was deemed lost */
#define TXS_EVER_RXT 0x08u /* retransmitted at some time (RACK's ambiguity) */
#define TXS_APP_LIMITED 0x10u /* sent while the application limited the rate (P.is_app_limited) */
/* The delivery-rate fields (draft-cheng-iccrg-delivery-rate-estimation
 * 3.2), kept only for a congestion control that samples rates (tcp_rate.c):
 * P.delivered, and P.delivered_time and P.first_send_time as how long
 * before the last transmission they were (microseconds, clamped). */
struct tx_seg {
    uint32_t start, end;
    uint64_t xmit;
    uint32_t delivered;
    uint32_t since_delivered, since_first_send;
    uint8_t flags;
};
/* The scoreboard: the segments from SND.UNA to SND.MAX, in order, as a
 * ring that grows up to a bound (tcp_scoreboard.c). */
struct txmap {
    struct tx_seg *v;
    uint32_t cap, head, n;
    uint32_t rxt_count; /* entries sent more than once (TXS_EVER_RXT) */
};

struct tcp_ctx;
struct tcp_cc_ops;
struct tcp_recovery_ops;
struct syn_entry;

/* A listener's own state, allocated by LISTEN and freed with its TCB (a
 * connection has none: tcb->lst is NULL). */
struct tcb_listen {
    /* Passive open: children of a listener (MUST-11). */
    struct tcb *acceptq_head, *acceptq_tail;
    struct tcb *embryo_head; /* half-open children with a TCB (SYN with text) */
    /* Half-open connections in the SYN cache, oldest first. */
    struct syn_entry *syn_head, *syn_tail;
    uint64_t cookie_sent; /* when a SYN cookie last went out (TCP_TIMER_OFF: never) */
    uint32_t acceptq_len, embryonic, backlog, syn_len;
    /* RFC 7413 Fast Open: the queue limit, the pending count, the key */
    uint32_t tfo_qlen, tfo_pending;
    struct siphash_key tfo_key;
    bool tfo_key_set;
};

/* The fields are ordered so that the struct has no holes (an idle
 * connection costs what its TCB costs: keep it so when adding one). */
struct tcb {
    enum synack_state state;
    enum tcb_owner owner;
    uint32_t flags;
    uint16_t lport, rport;
    struct synack_addr laddr, raddr; /* family: the connection's (IPv4 as ::ffff:0:0/96) */
    /* Readiness (socket/events.c): the socket layer's handle watching this
     * TCB (-1: none), and its place on the context's touched list, which
     * collects the watched TCBs a segment, a timer or an ICMP error may
     * have made ready, so the socket layer need not ask every one. */
    int watch_sd;
    struct tcb *touched_next, **touched_pprev;

    struct tcb *hnext;       /* hash chain of the connection table */
    struct tcb *lnext;       /* hash chain of the listeners (by port) */
    struct tcb *prev, *next; /* list of all TCBs of the context */
    struct tcb *pending_next;
    /* Passive open: a child's listener, and its place in the listener's
     * accept queue or embryo list; a listener's own part. */
    struct tcb *parent;
    struct tcb *q_next;
    struct tcb_listen *lst;

    /* RFC 9293 3.3.1: send sequence variables */
    uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_up, snd_wl1, snd_wl2;
    uint32_t snd_max;     /* highest sequence number sent + 1 */
    uint32_t max_snd_wnd; /* RFC 5961 5.2 MAX.SND.WND */
    /* receive sequence variables; RCV.WND = rcv_adv - rcv_nxt */
    uint32_t irs, rcv_nxt, rcv_up, rcv_adv;
    uint32_t rcv_fin_seq; /* with TF_FIN_PENDING */
    uint32_t dupack_seq;  /* end of the last zero-length segment past a hole we answered */

    /* MSS (3.7.1) */
    uint16_t snd_mss;  /* effective send MSS (MUST-16) */
    uint16_t peer_mss; /* SendMSS: the peer's option, or 536 (MUST-15) */
    uint16_t rcv_mss;  /* what we announce (MUST-67) */
    uint16_t user_mss; /* TCP_MAXSEG, 0 if unset */
    uint16_t pmtu;     /* path MTU lowered by ICMP (RFC 1191); 0: the link's */
    /* Extensions (tcp_opts.c): offered, and settled by both SYNs */
    uint8_t opt_offer, opt_on;     /* TO_* */
    uint8_t recovery;              /* enum synack_recovery */
    uint8_t snd_wscale, rcv_wscale; /* RFC 7323 2: Snd.Wind.Shift, Rcv.Wind.Shift */
    uint8_t n_sack_recent;
    /* TCP_USER_TIMEOUT: R2 override (MUST-21), 0 = default; in
     * milliseconds, as the option (an int: at most 2^31 - 1) */
    uint32_t user_timeout_ms;
    uint64_t pmtu_at;  /* when pmtu was lowered: raised again pmtu_expires later (RFC 1191 6.3) */
    /* RFC 7323 3-5: timestamps */
    uint32_t ts_offset;      /* our TSval = 1 ms clock + ts_offset */
    uint32_t ts_recent;      /* TS.Recent */
    uint64_t ts_recent_age;  /* when TS.Recent was set (PAWS, 5.5) */
    uint32_t last_ack_sent;  /* Last.ACK.sent */
    uint32_t delack_octets;  /* received since our last ACK (3.8.6.3) */
    /* RFC 2018 4 receiver: blocks last reported, most recent first
     * (n_sack_recent of them); RFC 2883: a duplicate to report */
    struct seq_range sack_recent[SYNACK_SACK_MAX];
    struct seq_range dsack;

    /* Buffers; sb holds octets from sb.seq on. */
    struct sndbuf sb;
    struct rcvbuf rb;

    uint64_t timer[TT_COUNT];
    struct heap_node tnode; /* the earliest of timer[] in the context's heap */

    /* RFC 6298, in microseconds. An RTT sample is clamped to UINT32_MAX
     * (71 min, beyond any R2) and RTO to rto_max (at most 1 hour). */
    uint32_t srtt, rttvar, rto;
    uint32_t rtt_seq;
    uint64_t rtt_start;
    uint32_t backoff;     /* consecutive RTO expiries */
    uint32_t rtx_count;   /* retransmissions of the segment at SND.UNA */
    uint64_t rtx_first;   /* when that segment was first retransmitted (R2) */
    uint64_t total_retrans;

    /* RFC 5681, RFC 6582; the algorithm behind cc (tcp_cc.c) */
    const struct tcp_cc_ops *cc;
    uint32_t cwnd, ssthresh;
    uint32_t dupacks;
    uint32_t recover;     /* NewReno: SND.NXT when recovery began */
    uint32_t bytes_acked; /* congestion avoidance accumulator */
    uint32_t lt_sent;     /* octets sent by limited transmit (RFC 3042) */
    uint64_t last_data_send; /* restart after idle (RFC 5681 4.1): data, not ACKs */
    uint64_t cc_priv[4];  /* the algorithm's own state (struct tcp_cubic) */

    /* Loss detection and recovery (tcp_recovery.c) and, with SACK, the
     * scoreboard (tcp_scoreboard.c): octets SACKed, deemed lost, and
     * retransmitted since (RFC 6675 SetPipe). */
    const struct tcp_recovery_ops *rec;
    struct txmap txm;
    uint32_t sacked_out, lost_out, retrans_out;
    uint32_t high_sacked;  /* the highest octet SACKed + 1 */
    uint32_t sack_dupacks; /* RFC 6675 DupAcks: ACKs with new SACK information */
    uint32_t ecn_recover;  /* RFC 3168 6.1.2: no second reduction before this is acked */
    uint32_t dsacks_rcvd;  /* D-SACK blocks received (RFC 2883), saturating */
    uint32_t tlp_probes;   /* RFC 8985 7: probes sent, saturating (TCP_INFO) */
    /* RFC 8985 RACK; RTTs in microseconds, clamped like srtt */
    uint64_t rack_xmit;    /* RACK.xmit_ts: the latest sent of what was delivered */
    uint32_t rack_end;     /* RACK.end_seq */
    uint32_t rack_rtt;     /* RACK.rtt */
    uint32_t rack_min_rtt; /* RACK.min_RTT (0: none yet) */
    uint32_t rack_fack;    /* the highest end delivered: reordering below it */
    uint32_t rack_dsack_round; /* SND.MAX when reo_wnd_mult last grew */
    uint32_t tlp_end;      /* RFC 8985 7: TLP.end_seq */
    /* RFC 7413 Fast Open (tcp_fastopen.c): the socket's net.ipv4.tcp_fastopen
     * bits; the cookie our SYN or SYN-ACK carries (tfo_opt: the option goes
     * at all). A listener's queue and key are in lst. */
    uint16_t tfo_mode;
    uint8_t rack_reo_mult; /* RACK.reo_wnd_mult */
    uint8_t rack_recoveries; /* recoveries since the mult last grew (reset at 16) */
    bool rack_reord;       /* RACK.reord */
    bool tlp_out;          /* TLP: a probe is outstanding (TLP.end_seq valid) */
    bool tlp_rxt;          /* TLP.is_retrans */
    bool tfo_opt;
    uint8_t tfo_len;
    uint8_t tfo_cookie[SYNACK_TFO_COOKIE_MAX];
    bool in_lhash, port_held;
    bool passive;          /* a child of a listener */
    /* RFC 6675 NextSeg (3): octets retransmitted while not deemed lost;
     * SetPipe counts them twice, (a) and (b) (tcp_scoreboard.c) */
    uint32_t rxt_unlost_out;

    /* Zero-window probing and keep-alive */
    uint64_t keep_idle, keep_intvl;
    uint64_t last_rcv; /* last segment from the peer */
    uint16_t persist_backoff; /* zero-window probes sent (up to 31) */
    uint16_t probe_unanswered_s; /* the first window probe sent since last_rcv, in
                                  * seconds (wrapping every 18 hours) */
    uint32_t keep_cnt, keep_probes;
    uint32_t rcv_seg_max;  /* largest segment received: "full-sized" (SHLD-19) */

    /* The application's buffer left for text to land in (SYNACK_MSG_POST):
     * in-order text goes straight there while rb holds nothing, so it is
     * copied once instead of twice. Text in it comes before rb's. The
     * stack forgets it when the application closes or shuts reading. */
    uint8_t *post;
    uint32_t post_len, post_fill;
    int error;      /* pending SO_ERROR, a negative errno */
    int soft_error; /* last ICMP soft error (SHLD-25) */
    bool reset;     /* ended by RST (or abort): reads fail rather than EOF (MUST-12) */
    uint8_t tos, ttl;
    uint8_t pmtudisc; /* enum tcp_pmtudisc (IP_MTU_DISCOVER) */
    bool mtu_probing; /* RFC 4821 black-hole detection */
    bool v6only;      /* IPV6_V6ONLY: a :: listener takes no IPv4 */
    bool in_table;
    bool in_acceptq;
};

/* Output of a segment: TCP writes its header after TCP_IP_HEADROOM octets of
 * pkt, and its text after the header or, for a link that takes pieces
 * (TCP_LINK_SENDV), leaves the text in the send buffer and points at it;
 * then it calls ip_output, which writes the IP header into the headroom
 * (IPv6's 40 octets, or IPv4's 20 at its end). */
#define TCP_IP_HEADROOM 40u
#define TCP_LINK_SENDV 0x100u /* tcp_ctx.link_caps: the link has sendv (with SYNACK_LINK_*) */
struct tcp_out {
    uint8_t *pkt;
    size_t hlen;                 /* the TCP header */
    size_t len;                  /* the segment: header and text */
    struct synack_iov text[2];   /* the text in the send buffer (TCP_LINK_SENDV) */
    unsigned ntext;
    uint8_t pkt_flags;           /* SYNACK_PKT_CSUM_PARTIAL, SYNACK_PKT_GSO */
    uint16_t gso_size;
    const struct synack_addr *src, *dst;
    uint8_t tos, ttl;
    bool df;                     /* RFC 1191 3: Don't Fragment (IPv4) */
};
typedef void (*tcp_ip_output_fn)(void *ctx, const struct tcp_out *o, uint64_t now);

/* What a peer's SYN offered (3.7.1; RFC 7323 2, 3; RFC 2018 2). The stack
 * uses the MSS today; the rest is kept for window scaling, timestamps and
 * SACK, so that a connection born in the SYN cache gets them too. */
#define TCP_WSCALE_NONE 0xffu
struct tcp_syn_opts {
    uint16_t mss;    /* 0: no MSS option */
    uint8_t wscale;  /* TCP_WSCALE_NONE: no window scale option */
    bool sack_ok;
    bool ts_ok;
    uint32_t ts_val;
    bool ecn; /* RFC 3168 6.1.1: a SYN with ECE and CWR, a SYN-ACK with ECE alone */
    bool tfo; /* RFC 7413: a Fast Open option (a request or a cookie) */
};

/* A half-open passive connection in SYN-RECEIVED as a compact record (the
 * SYN cache, tcp_syncache.c): no buffers and no TCB until the handshake
 * completes. */
struct syn_entry {
    struct heap_node timer;    /* the next SYN-ACK retransmission, or the end */
    struct syn_entry *hnext;   /* hash chain on the 4-tuple */
    struct syn_entry *lprev, *lnext; /* the listener's entries, oldest first */
    struct tcb *listener;
    struct synack_addr laddr, raddr;
    uint16_t lport, rport;
    uint32_t irs, iss;
    uint16_t peer_wnd;  /* SEG.WND of the SYN (a SYN's window is never scaled) */
    uint16_t rcv_wnd;   /* the window our SYN-ACK announced */
    uint8_t rtx;        /* SYN-ACK retransmissions so far */
    bool fin;           /* the SYN carried a FIN, held for ESTABLISHED (3.10.7.2) */
    struct tcp_syn_opts opts;
    uint64_t sent;      /* the first SYN-ACK: RTT sample unless retransmitted (Karn) */
    uint64_t rtx_first; /* the first retransmission: R2 counts from it (MUST-20) */
};

/* A connection in TIME-WAIT that nobody holds, as a compact record in a
 * table of its own (tcp_timewait.c): what 3.10.7.4 needs to answer the
 * peer for 2*MSL, nothing more. */
struct tw_entry {
    struct tw_entry *hnext;      /* hash chain on the 4-tuple */
    struct tw_entry *prev, *next; /* oldest first: expiry order */
    struct synack_addr laddr, raddr;
    uint16_t lport, rport;
    uint32_t snd_nxt;            /* SND.NXT = SND.UNA: our FIN is acknowledged */
    uint32_t max_snd_wnd;        /* RFC 5961 5.2 */
    uint32_t rcv_nxt, rcv_adv;   /* RCV.NXT after the peer's FIN; the right edge offered */
    uint32_t space;              /* receive buffer room when TIME-WAIT began */
    uint16_t sws_step;           /* min(RCV.BUFF/2, Eff.snd.MSS): receiver SWS (MUST-39) */
    uint8_t rcv_wscale, tos, ttl;
    bool ts_on;                  /* timestamps settled (RFC 7323 3): PAWS, RFC 6191 */
    uint32_t ts_offset, ts_recent;
    uint64_t expire;             /* 2*MSL from the peer's last FIN (MUST-13) */
};

/* RFC 1191 6.2: a path MTU learnt from ICMP, per destination. */
#define TCP_PMTU_CACHE 16
struct pmtu_cached {
    struct synack_addr dst;
    uint16_t mtu; /* 0: a free slot */
    uint64_t at;  /* when it was learnt: it expires pmtu_expires later (6.3) */
};

/* RFC 7413 4.1.3: a server's cookie, as a client caches it. */
#define TCP_TFO_CACHE 32
struct tfo_cached {
    struct synack_addr addr;
    uint16_t mss;
    uint8_t len; /* 0: a free slot */
    uint8_t cookie[SYNACK_TFO_COOKIE_MAX];
    uint64_t stamp; /* the oldest goes first */
};

struct tcp_ctx {
    const struct synack_config *cfg;
    struct synack_counters *cnt;
    struct rng *rng;
    struct siphash_key isn_key, port_key, ts_key, tfo_key;
    struct tfo_cached tfo_cache[TCP_TFO_CACHE];
    struct pmtu_cached pmtu_cache[TCP_PMTU_CACHE];
    uint64_t tfo_stamp;
    uint32_t port_next;

    struct tcb **hash; /* established, SYN-*, closing, TIME-WAIT: by 4-tuple */
    struct tcb *last_hit; /* one-entry lookup cache: bulk traffic is one connection */
    uint32_t hash_mask;
    struct tcb *lhash[64]; /* listeners by local port */
    uint32_t *port_refs;   /* TCBs and TIME-WAIT records per local port (65536, lazily) */
    struct tcb *all;   /* every TCB, listeners included */
    uint32_t n_tcbs;
    uint32_t n_orphans; /* TCBs nobody holds (closed by the application) */
    uint64_t rcvbuf_auto_used; /* receive buffers' autotuned growth (rcvbuf_auto_mem) */

    tcp_ip_output_fn ip_output;
    void *out_ctx;
    unsigned link_caps; /* TCP_LINK_SENDV | SYNACK_LINK_* of the stack's link */
    uint32_t tso_max;   /* SYNACK_LINK_TSO: the longest datagram the link cuts */
    uint8_t *pkt;
    size_t pkt_cap;

    struct tcb *pending; /* TCBs with output to flush */
    struct tcb *touched; /* watched TCBs whose readiness may have changed */
    int batch;

    struct rate_limit chack_limit; /* challenge ACKs (RFC 5961 7) */
    struct rate_limit rst_limit;   /* RSTs for segments of no connection */

    struct heap timers; /* TCBs by their earliest timer (tcp_timer.c) */

    /* TIME-WAIT records by 4-tuple, oldest first. */
    struct tw_entry **tw_hash;
    uint32_t tw_mask, tw_count;
    struct tw_entry *tw_head, *tw_tail;

    /* The SYN cache: half-open passive connections by 4-tuple. */
    struct syn_entry **syn_hash;
    uint32_t syn_mask, syn_count;
    struct heap syn_timers;
};

#endif

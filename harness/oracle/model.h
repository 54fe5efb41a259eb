/* oracle/model.h: the model the RFC oracle keeps of what it watches, shared
 * by the files of harness/oracle/. oracle.h is the public side.
 *
 * THE MODEL
 *
 * Per 4-tuple (struct o_tuple), the connection incarnation now in use
 * (struct o_inc): each side's ISN and, as far as the packets show, its
 * state as RFC 9293 3.10 has it (struct o_side: what it sent, what it
 * acknowledged, the window it offered, its FIN, its RST, its RFC 6298
 * timer; o_side_state() names the state), the options the two SYNs
 * negotiated (struct o_neg), and the SYNs at other ISNs a side sent that
 * may start the next incarnation (o_side.pend). A SYN-ACK answering such a
 * SYN, or a SYN after the incarnation ended (closed by a RST that took
 * effect, ABORTed, both FINs acknowledged, or its sender back in a fresh
 * SYN-SENT within one tick of the ISN clock), starts a new incarnation on
 * the tuple (incarnation.c); the old one is forgotten, its number counted.
 *
 * Where the packets leave the state ambiguous, the tuple holds up to
 * ORACLE_WORLDS incarnations at once, one per legal reading (a "world"):
 * a step that meets two readings it cannot tell apart names the choice
 * (enum o_reading) and the packet is judged in a copy of the world for
 * each (oracle.c, judge_tuple). A finding about a packet of the stack
 * rules out the readings that give it when another reading gives none
 * (the stack is judged by the most favourable legal reading), and so does
 * a packet no side could send in a reading (o_refute: a side that was
 * reset sends nothing of that incarnation); a finding is reported only
 * when every reading gives it. Worlds that come out the same merge. The
 * retransmission timer keeps its readings inside o_side (o_side.alt, a
 * set of timer states), the same idea at lower cost, because every
 * segment of the other side may or may not have clocked a retransmission.
 *
 * THE STEPS
 *
 * Each segment is judged by RFC 9293 3.10.7's steps, in the RFC's order,
 * one file per step or group of steps; each rule a small function citing
 * its requirement id (rules.c lists the rules: name, id, summary):
 *
 *   header.c       the header alone: reserved bits, MSS on a non-SYN,
 *                  option syntax (MUST-65, MUST-68, MUST-69)
 *   incarnation.c  which incarnation a segment belongs to (3.10.7.2-3,
 *                  3.10.7.4 fourth, RFC 5961 4.2, RFC 6528, RFC 6191)
 *   seq.c          first check: the sender's own sequence space (3.10.7.4)
 *   rst.c          second check: RST (3.10.7.1-4, RFC 5961 3.2)
 *   syn.c          SYN: ISN and the options offered (3.10.7.2-4)
 *   ack.c          fifth check: ACK, SND.UNA, the window (3.10.7.4)
 *   text.c         sixth and seventh: URG and the segment text; the window
 *                  and MSS (SHLD-15, MUST-16); MUST-40's delayed ACK
 *   fin.c          eighth: FIN (3.10.7.4)
 *   timing.c       RFC 6298: RTT samples, the RTO, backoff
 *   options.c      the extension RFCs, as o_ext tables (below): RFC 7323,
 *                  RFC 2018
 *   ecn.c          RFC 3168's o_ext
 *
 * EXTENDING
 *
 * A new RFC's rules (window scaling, timestamps and PAWS, SACK, ECN, Fast
 * Open, ...) go in one file with one `struct o_ext` (hooks called at the
 * steps above, each optional) listed in oracle_exts[] (options.c), their
 * rules in enum oracle_rule_id and rules.c's table, what the SYNs
 * negotiated in struct o_neg and what a side offered in struct o_offer.
 * Every rule cites a requirement id of vectors/requirements.tsv.
 *
 * Precision first: a rule that needs state the packets may not show stays
 * silent rather than guess; no function here reads a clock or a global.
 */
#ifndef SYNACK_HARNESS_ORACLE_MODEL_H
#define SYNACK_HARNESS_ORACLE_MODEL_H

#include <stddef.h>

#include <synack/wire.h>

#include "oracle/oracle.h"

/* ---- sequence arithmetic (RFC 1982 style) ---- */

static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
/* a in [start, start + len) */
static inline bool seq_in(uint32_t a, uint32_t start, uint32_t len) { return a - start < len; }

/* ---- the rules (rules.c) ---- */

enum oracle_rule_id {
    RULE_ACK_UNSENT,
    RULE_BEYOND_WINDOW,
    RULE_SEQ_OUTSIDE,
    RULE_RST_ANSWERS_RST,
    RULE_RST_UNACCEPTABLE,
    RULE_DATA_AFTER_FIN,
    RULE_MSS_NON_SYN,
    RULE_EXCEEDS_MSS,
    RULE_WSCALE,
    RULE_TS,
    RULE_SACK,
    RULE_RTO_MIN,
    RULE_RTO_EARLY,
    RULE_RTO_BACKOFF,
    RULE_ACK_DELAYED,
    RULE_IP_CSUM,
    RULE_TCP_CSUM,
    RULE_RESERVED,
    RULE_BAD_OPTIONS,
    RULE_TS_ECHO,
    RULE_TS_BACKWARDS,
    RULE_SACK_BLOCK,
    RULE_ECN_UNNEGOTIATED,
    RULE_ECT_SYN,
    RULE_ECT_PURE_ACK,
    RULE_COUNT
};

const struct oracle_rule *oracle_rule_id(enum oracle_rule_id id);

/* ---- what each side sent and acknowledged ---- */

#define ORACLE_SEGS 32   /* transmissions remembered per sender, for RTT and retransmissions */
#define ORACLE_DEBTS 16  /* ACKs a receiver owes, for the 500 ms rule */
#define ORACLE_HOLES 4
#define ORACLE_ALTS 4    /* readings of a retransmission timer */
/* eight: a side in SYN-RECEIVED that an in-window SYN sends back to LISTEN
 * without a word (RFC 9293 3.10.7.4 fourth check) answers the next SYN,
 * which may follow several it dropped */
#define ORACLE_PENDS 8
#define ORACLE_WORLDS 4  /* readings of a tuple kept at once */

/* One transmission of [seq, end) (SYN and FIN count one each). */
struct o_seg {
    uint32_t seq, end;
    uint64_t first_tx, last_tx;
    unsigned last_pkt;          /* packet number of its last transmission */
    unsigned tx;                /* transmissions so far */
};

/* Octets a sender skipped: [start, end) was jumped over by the segment of
 * `packet`. Reordering or loss before the capture point look the same
 * until the hole is filled; one never filled is a finding at the end. */
struct o_hole {
    uint32_t start, end;
    unsigned packet;
    uint64_t time;
};

/* Data a receiver has to acknowledge, and since when. */
struct o_debt {
    uint32_t end;
    uint64_t since;
    unsigned packet;
};

/* RTT sampling policies RFC 6298 allows (section 3: at least one sample
 * per RTT, none from a retransmitted segment) */
enum o_rtt_policy {
    RTT_NEWEST,   /* every ACK of new data: the newest segment it covers */
    RTT_OLDEST,   /* every ACK of new data: the oldest segment it covers (Linux) */
    RTT_TIMED,    /* one segment timed at a time, sampled when acknowledged (BSD, synack) */
    RTT_TIMED_SYN, /* the same, its SYN-ACK timed however late it is acknowledged (a TCB
                    * from the SYN on, no SYN cookie) */
    RTT_TSECR,    /* RFC 7323 4: every ACK of new data, from its TSecr (the time its
                   * sender first sent that TSval), each sample weighted by 1 /
                   * ExpectedSamples (Appendix G) */
    RTT_POLICIES
};

struct o_rtt {
    bool have;
    int64_t srtt, rttvar;       /* microseconds */
};

/* One reading of a sender's retransmission timer (see o_side.alt). */
struct o_timer {
    uint64_t start, interval;   /* timer_start, last_interval */
    unsigned pkt, backoff;      /* timer_pkt, backoff */
};

/* What a side's SYN offered (RFC 9293 3.7.1, RFC 7323, RFC 2018, RFC
 * 3168: ecn is ECE and CWR on a SYN, ECE alone on a SYN-ACK). */
struct o_offer {
    bool mss_present, ws_present, sackok, ts, ecn;
    uint16_t mss;
    uint8_t ws;                 /* at most 14 (RFC 7323 2.3) */
};

/* What both SYNs negotiated, per incarnation. */
struct o_neg {
    bool scaled;                /* both SYNs offered window scaling (RFC 7323 2.2) */
    bool accecn;                /* the SYN asked for AccECN (AE, CWR, ECE) */
    bool sack;                  /* both SYNs offered SACK-permitted (RFC 2018 3) */
    bool ecn;                   /* ECN set up by the SYNs (RFC 3168 6.1.1) */
};

#define ORACLE_TS_TX 64 /* TSvals remembered per sender, with when each was first sent */

/* A side's timestamp clock as its segments show it (RFC 7323 3.2, 5.4). */
struct o_ts {
    bool known;                 /* it sent a timestamps option */
    uint32_t max;               /* the highest TSval it sent: the most it can be echoed */
    bool new_known;
    uint32_t new_val;           /* the TSval of its last segment that sent new
                                 * sequence numbers (data, SYN, FIN): later ones carry
                                 * no less, whatever the network reordered */
    /* the latest distinct TSvals on segments that can be acknowledged, and
     * when each first went: what an RTTM sample (RFC 7323 4.1) counts from
     * (a ring of ntx, the next at next; two arrays, no padding to compare) */
    unsigned ntx, next;
    uint32_t tx_val[ORACLE_TS_TX];
    uint64_t tx_t[ORACLE_TS_TX];
};

/* A SYN with another ISN than the incarnation's: a candidate for the next
 * incarnation (see o_side.pend). */
struct o_pend {
    uint32_t seq, end;
    uint64_t time;
    unsigned pkt;
    uint8_t reserved, flags;
    struct synack_tcp_opts opts;
};

/* A side's state by RFC 9293 3.3.2, as far as the packets show it. */
enum o_state {
    OS_NONE,          /* nothing of it seen (LISTEN, CLOSED, or a capture's blind spot) */
    OS_SYN_SENT,      /* its SYN sent, no SYN of the other side acknowledged */
    OS_SYN_RECEIVED,  /* the other side's SYN acknowledged, its own not yet */
    OS_ESTABLISHED,   /* both SYNs acknowledged, no FIN */
    OS_FIN_SENT,      /* its FIN sent (FIN-WAIT-1/2, CLOSING, LAST-ACK) */
    OS_FIN_BOTH,      /* both FINs sent, the other's acknowledged (CLOSING,
                       * LAST-ACK, TIME-WAIT) */
    OS_CLOSED,        /* it sent a RST that ended it (ABORT), or was reset */
};

/* One side of an incarnation, as the wire shows it. */
struct o_side {
    struct synack_addr addr;
    uint16_t port;
    /* its SYN: ISN and the options it offered */
    bool syn_seen;
    uint32_t iss;
    uint64_t iss_time;          /* when a SYN at that ISN was first seen */
    uint16_t syn_win;           /* the window its first SYN offered (never scaled,
                                 * RFC 7323 2.2); 0: not known */
    struct o_offer offer;
    /* what it sent */
    bool sent_any;
    uint32_t snd_max;           /* highest sequence number sent, plus one */
    bool fin_sent;
    uint32_t fin_seq;
    /* what it told the other side, as a receiver */
    bool acked;                 /* it has sent an ACK */
    uint32_t ack_last;          /* the last ACK field it sent: its RCV.NXT */
    uint32_t wnd_last;          /* the last window it offered, scaled, on an ACK the
                                 * data sender takes (not an old one) */
    uint32_t wnd_adv;           /* the last window it offered on any ACK: its RCV.WND */
    uint32_t wnd_max;           /* the largest */
    uint32_t wnd_rfc;           /* the window by SND.WL1/WL2 (3.10.7.4 fifth) */
    uint32_t wl1, wl2;
    bool wl_known;
    uint16_t raw_win_last;
    bool edge_known;
    uint32_t edge_max;          /* the highest right edge it offered */
    /* as a sender: what was acknowledged, and RFC 6298 timing */
    bool una_known;
    uint32_t snd_una;
    bool retracted;             /* probe octets out when a closed window opened */
    bool probe_sent;            /* it sent data while the window was closed ... */
    uint64_t probe_tx;          /* ... first at this time, packet probe_pkt */
    unsigned probe_pkt;
    bool timer_on;
    uint64_t timer_start;
    unsigned timer_pkt;         /* the packet that started it */
    unsigned backoff;           /* timeouts since the last ACK of new data */
    uint64_t last_interval;     /* of the last timeout */
    /* a retransmission that came with a segment of the other side but
     * late enough for the timer may be either: the timer state had it
     * been the timer's, kept until a later timeout tells. Several such
     * retransmissions in a row give several readings (an answer, then a
     * timeout; a timeout, then an answer; ...), all kept */
    size_t nalt;
    struct o_timer alt[ORACLE_ALTS];
    /* RFC 6298 lets a sender time any segment, at least once per RTT
     * (section 3): one estimator per sampling policy in use, and a
     * retransmission is early only before the smallest RTO of them */
    struct o_rtt est[RTT_POLICIES];
    bool timing;                /* RTT_TIMED: a segment is being timed */
    uint32_t timed_seq;
    uint64_t timed_tx;
    /* in SYN-RECEIVED it met an in-window SYN, which may have sent it back
     * to LISTEN without a word (RFC 9293 3.10.7.4 fourth, MUST-11): the
     * reading READ_BACK_TO_LISTEN, split off at its next SYN-ACK (the first
     * segment the two readings judge apart), ruled out by a segment of it
     * without SYN or RST before that (a side in LISTEN sends none) */
    bool may_listen;
    bool have_rtt;              /* any sample */
    int64_t rtt_min;            /* the smallest sample */
    unsigned last_trigger;      /* packet number of the last segment that may clock
                                 * out a retransmission (an ACK of new data, a
                                 * duplicate ACK, SACK, a window update, a SYN) */
    uint64_t last_trigger_time;
    size_t nsegs;
    size_t nholes;
    size_t ndebts;              /* as a receiver: ACKs owed */
    /* a SYN with another ISN while the incarnation seemed alive: RFC 5961
     * 4.2's case (answered by a challenge ACK), or a new incarnation on
     * the 4-tuple after the old one died unseen (answered by a SYN-ACK,
     * or by a RST from a closed port). Several are kept: the other side
     * may answer any of them (one it dropped, one it answered late in a
     * batch), not only the last; when the list is full the first stays
     * (the one a side in SYN-RECEIVED answers) and of the others the one
     * least recently sent goes (a SYN sent again counts from its last copy) */
    size_t npend;
    /* it ended its incarnation with a RST: an ABORT (<SEQ=SND.NXT><CTL=RST>,
     * RFC 9293 3.10.5), or any RST in a synchronized state (3.5.2 group 3
     * sends none but those): its timer stops, and its next SYN-ACK at its
     * old ISN answers a new incarnation's SYN */
    bool aborted;
    /* a RST of the other side took effect at it: it sends nothing more of
     * this incarnation but RSTs (and SYNs that start the next) */
    bool reset;
    /* its latest segment with SYN (and without RST), of any ISN */
    bool has_syn;
    uint8_t syn_flags;
    uint32_t syn_seq, syn_end, syn_ack;
    unsigned syn_pkt;
    uint64_t syn_time;
    /* its latest bare SYN (no ACK, no RST) at its ISN: a SYN-ACK of its
     * own at another ISN after it, dropped, does not unmake it */
    bool has_bare_syn;
    unsigned bare_syn_pkt;
    uint64_t bare_syn_time;
    /* the furthest end of its SYNs at its ISN, past the data and FIN on
     * them: a receiver queues a SYN's text and FIN (RFC 9293 3.10.7.2), so
     * a SYN-ACK answering that SYN after SYNs at other ISNs still owes it */
    uint32_t iss_syn_end;
    /* its last packet, for rst-answers-rst */
    enum oracle_from from;      /* as the caller said */
    bool has_last;
    uint8_t last_flags;
    uint32_t last_seq, last_ack, last_len, last_end;
    unsigned last_pkt;          /* its number */
    uint64_t last_time;
    /* its timestamp clock; then the arrays, last (o_side_clear clears
     * only what comes before them, their counts among it: no array is
     * read past its count) */
    struct o_ts ts;
    struct o_seg segs[ORACLE_SEGS];
    struct o_hole holes[ORACLE_HOLES];
    struct o_debt debts[ORACLE_DEBTS];
    struct o_pend pend[ORACLE_PENDS];
};

/* What o_side_clear clears: all before the arrays (ts.tx_val on). */
#define O_SIDE_HEAD offsetof(struct o_side, ts.tx_val)

/* One incarnation of a connection: the two sides and what they agreed. */
struct o_inc {
    struct o_side e[2];         /* e[0] sent the first packet seen */
    struct o_neg neg;
    bool closed;                /* a RST took effect */
    unsigned number;            /* 1 for the first incarnation seen on the tuple */
};

/* A 4-tuple: its incarnation, in each reading the packets leave open. */
struct o_tuple {
    size_t nworlds;
    struct o_inc *world[ORACLE_WORLDS];
};

/* The choices a step may meet (a bit each): the default reading is the
 * bit clear, the other is judged in a copy of the world. */
enum o_reading {
    READ_SYN_STARTS_ANEW = 1u << 0,  /* a SYN at its sender's ISS starts a new incarnation */
    READ_SYN_NEW_ISN = 1u << 1,      /* a SYN at another ISN starts one at once */
    READ_SEG_DROPPED = 1u << 2,      /* a segment past the announced window was dropped */
    READ_BACK_TO_LISTEN = 1u << 3,   /* an in-window SYN sent a passive side in
                                      * SYN-RECEIVED back to LISTEN (o_side.may_listen) */
    READ_COUNT_BITS = 4
};

/* ---- the oracle ---- */

struct oracle {
    struct oracle_config cfg;
    struct o_tuple **conns;
    size_t nconns;
    struct o_tuple *last;       /* the tuple of the last segment */
    uint32_t *slots;            /* hash of 4-tuples: index + 1, 0 when empty */
    size_t nslots;
    struct oracle_finding *findings;
    size_t nfindings, cap_findings, dropped;
    struct oracle_stats st;
    unsigned next_number;
    bool sums_known;            /* oracle_packet_summed's datagram */
    /* the packet being looked at */
    unsigned pkt;
    uint64_t now;
    enum oracle_from from;
    struct synack_addr src, dst;
    uint16_t sport, dport;
    /* the world being judged: the reading it takes, and what it met */
    unsigned reading, readings_met;
    bool refuted;
};

void o_finding(struct oracle *o, enum oracle_rule_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Does this world take reading r? Notes that the step met the choice. */
static inline bool o_either(struct oracle *o, enum o_reading r)
{
    o->readings_met |= r;
    return (o->reading & r) != 0;
}

/* The world being judged cannot be: no side could have sent this packet. */
static inline void o_refute(struct oracle *o)
{
    o->refuted = true;
}

/* ---- one segment under judgement ---- */

struct segv {
    const struct synack_tcp *th;
    uint8_t flags;
    uint32_t seq, len, data_start, end;   /* end: seq + SYN + len + FIN */
    size_t ip_opts;                       /* IPv4 options, IPv6 extension headers */
    bool v6;                              /* over IPv6 */
    uint8_t ecn;                          /* the IP header's ECN field (RFC 3168 5) */
    unsigned exts;                        /* bit i: oracle_exts[i] concerns it */
};

#define HAS(v, f) (((v)->flags & (f)) != 0)

/* What a hook of an extension sees: the segment and both sides. */
struct o_judge {
    struct oracle *o;
    struct o_inc *c;
    struct o_side *s, *r;       /* its sender and its receiver */
    const struct segv *v;
};

/* An extension RFC's rules: hooks the steps call, each may be NULL. */
struct o_ext {
    const char *rfc;
    void (*header)(struct o_judge *j);   /* every segment, before any state */
    void (*syn)(struct o_judge *j);      /* a side's first SYN (or SYN-ACK) of
                                          * the incarnation: s->offer is set */
    void (*segment)(struct o_judge *j);  /* a segment past the sequence check,
                                          * both SYNs seen */
    void (*sent)(struct o_judge *j);     /* every segment whose checksums verify,
                                          * its incarnation picked, before the
                                          * steps (s->snd_max is still the old) */
    /* Can header, segment or sent act on this segment at all (its options,
     * flags, ECN field: the segment alone says)? NULL: always. They are
     * called only then, so a segment is judged only by the rules it can
     * concern (o_ext_concerns, once per segment, not per reading). */
    bool (*concerns)(const struct segv *v);
};
extern const struct o_ext *const oracle_exts[];
unsigned o_ext_concerns(const struct segv *v);
void o_ext_header(struct o_judge *j);
void o_ext_syn(struct o_judge *j);
void o_ext_segment(struct o_judge *j);
void o_ext_sent(struct o_judge *j);
/* options.c: an RTTM sample for r from s's ACK of new data (RFC 7323 4) */
void o_ts_rtt(struct oracle *o, const struct o_side *s, struct o_side *r,
              const struct synack_tcp *th);

/* ---- the steps, by file ---- */

/* header.c */
void o_check_header(struct oracle *o, const struct o_inc *c, const struct segv *v);

/* incarnation.c */
enum o_state o_side_state(const struct o_inc *c, const struct o_side *s);
bool o_synchronized(const struct o_side *s, const struct o_side *r);
struct o_pend *o_pend_find(struct o_side *s, uint32_t seq);
void o_pend_add(struct o_side *s, const struct o_pend *p);
unsigned o_syn_readings(const struct oracle *o, const struct o_side *s, const struct o_side *r,
                        const struct synack_tcp *th);
void o_side_clear(struct o_side *s);
bool o_inc_same(const struct o_inc *a, const struct o_inc *b);
void o_inc_copy(struct o_inc *d, const struct o_inc *c);
void o_inc_reset(struct o_inc *c, const struct synack_addr *src, uint16_t sport,
                 const struct synack_addr *dst, uint16_t dport);
/* Picks the incarnation of this segment, starting a new one when it says
 * so; *s and *r are its sender and receiver in it. */
void o_inc_select(struct oracle *o, struct o_inc *c, struct o_side **s, struct o_side **r,
                  const struct synack_tcp *th);
void o_remember_last(struct oracle *o, struct o_side *s, const struct segv *v);
void o_syn_may_send_to_listen(const struct o_inc *c, struct o_side *r, const struct segv *v);
bool o_synack_may_be_new(const struct o_side *s, const struct o_side *r,
                         const struct synack_tcp *th);

/* seq.c */
bool o_beyond_reach(const struct o_side *s, const struct o_side *r, const struct segv *v);
bool o_check_sequence(struct oracle *o, struct o_side *s, const struct o_side *r,
                      const struct segv *v);
void o_hole_acked(struct o_side *s, uint32_t ack);
unsigned o_hole_fill(struct o_side *s, uint32_t seq, uint32_t end);

/* rst.c */
void o_check_rst(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
                 const struct segv *v);

/* syn.c */
void o_on_syn(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
              const struct segv *v);
void o_offer_from_opts(struct o_offer *f, const struct synack_tcp_opts *op);
void o_offer_again(struct o_offer *f, const struct synack_tcp_opts *op, bool v6);

/* ack.c */
bool o_acks_unsent(const struct o_side *r, uint32_t ack);
bool o_ack_maybe_dropped(const struct o_side *s, const struct o_side *r, const struct segv *v);
void o_on_ack(struct oracle *o, const struct o_inc *c, struct o_side *s, struct o_side *r,
              const struct segv *v);

/* text.c */
void o_check_window_mss(struct oracle *o, const struct o_inc *c, const struct o_side *s,
                        const struct o_side *r, const struct segv *v);
void o_on_send(struct oracle *o, const struct o_inc *c, struct o_side *s, struct o_side *r,
               const struct segv *v);
void o_debt_pay(struct oracle *o, struct o_side *r, const struct o_side *d, uint32_t ack);

/* fin.c */
void o_check_fin(struct oracle *o, const struct o_side *s, const struct segv *v);
void o_on_fin(struct o_side *s, const struct segv *v);

/* timing.c */
uint64_t o_rto_estimate(const struct oracle *o, const struct o_side *s);
void o_rtt_sample(struct o_side *s, enum o_rtt_policy k, int64_t r);
void o_rtt_sample_weighted(struct o_side *s, enum o_rtt_policy k, int64_t r, uint32_t n);
void o_check_timeout(struct oracle *o, struct o_side *s);
void o_timer_clocked(struct oracle *o, struct o_side *s, bool answer);
void o_timer_rearmed(struct oracle *o, struct o_side *s);
void o_timer_window_opens(struct o_side *s, bool one_rule);

#endif

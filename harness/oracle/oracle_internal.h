/* Shared by the files of harness/oracle: rule ids and the per-connection
 * view the checker keeps. */
#ifndef SYNACK_HARNESS_ORACLE_INTERNAL_H
#define SYNACK_HARNESS_ORACLE_INTERNAL_H

#include <synack/wire.h>

#include "oracle/oracle.h"

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
    RULE_COUNT
};

const struct oracle_rule *oracle_rule_id(enum oracle_rule_id id);

#define ORACLE_SEGS 32   /* transmissions remembered per sender, for RTT and retransmissions */
#define ORACLE_DEBTS 16  /* ACKs a receiver owes, for the 500 ms rule */

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
#define ORACLE_HOLES 4

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
    RTT_POLICIES
};

struct o_rtt {
    bool have;
    int64_t srtt, rttvar;       /* microseconds */
};

/* One reading of a sender's retransmission timer (see o_ep.alt). */
struct o_timer {
    uint64_t start, interval;   /* timer_start, last_interval */
    unsigned pkt, backoff;      /* timer_pkt, backoff */
};
#define ORACLE_ALTS 4

/* A SYN with another ISN than the connection's (see o_ep.pend). */
struct o_pend {
    uint32_t seq, end;
    uint64_t time;
    unsigned pkt;
    uint8_t reserved, flags;
    struct synack_tcp_opts opts;
};
/* eight: a side in SYN-RECEIVED that an in-window SYN sends back to LISTEN
 * without a word (RFC 9293 3.10.7.4 fourth check) answers the next SYN,
 * which may follow several it dropped */
#define ORACLE_PENDS 8

/* One endpoint of a connection, as the wire shows it. */
struct o_ep {
    uint32_t addr;
    uint16_t port;
    /* its SYN: ISN and the options it offered */
    bool syn_seen;
    uint32_t iss;
    bool opt_mss, opt_ws, opt_sackok, opt_ts, accecn;
    uint16_t mss;
    uint8_t ws;
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
    bool have_rtt;              /* any sample */
    int64_t rtt_min;            /* the smallest sample */
    unsigned last_trigger;      /* packet number of the last segment that may clock
                                 * out a retransmission (an ACK of new data, a
                                 * duplicate ACK, SACK, a window update, a SYN) */
    uint64_t last_trigger_time;
    size_t nsegs;
    struct o_seg segs[ORACLE_SEGS];
    size_t nholes;
    struct o_hole holes[ORACLE_HOLES];
    /* as a receiver: ACKs owed */
    size_t ndebts;
    struct o_debt debts[ORACLE_DEBTS];
    /* a SYN with another ISN while the connection seemed alive: RFC 5961
     * 4.2's case (answered by a challenge ACK), or a new connection on the
     * 4-tuple after the old one died unseen (answered by a SYN-ACK, or by a
     * RST from a closed port). Several are kept: the other side may answer
     * any of them (one it dropped, one it answered late in a batch), not
     * only the last; when the list is full the first stays (the one a side
     * in SYN-RECEIVED answers) and of the others the one least recently
     * sent goes (a SYN sent again counts from its last copy) */
    size_t npend;
    struct o_pend pend[ORACLE_PENDS];
    /* it ended its connection with a RST: an ABORT (<SEQ=SND.NXT><CTL=RST>,
     * RFC 9293 3.10.5), or any RST in a synchronized state (3.5.2 group 3
     * sends none but those): its timer stops, and its next SYN-ACK at its
     * old ISN answers a new connection's SYN */
    bool aborted;
    /* its latest segment with SYN (and without RST), of any ISN */
    bool has_syn;
    uint8_t syn_flags;
    uint32_t syn_seq, syn_end;
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
};

struct o_conn {
    struct o_ep e[2];           /* e[0] sent the first packet seen */
    bool scaled;                /* both SYNs offered window scaling */
    bool accecn;                /* the SYN asked for AccECN (AE, CWR, ECE) */
    bool closed;                /* a RST took effect */
};

#endif

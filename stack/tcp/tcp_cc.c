/* Congestion control (RFC 9293 3.8.2, MUST-19): slow start, congestion
 * avoidance, the timeout response, fast retransmit and fast recovery
 * (RFC 5681) with NewReno partial acknowledgments (RFC 6582), limited
 * transmit (RFC 3042) and restart after idle (RFC 5681 4.1).
 *
 * Loss recovery (duplicate ACKs, recovery episodes, windows the RFCs fix)
 * is generic and lives here; how cwnd grows and how far ssthresh falls is
 * the algorithm's, behind struct tcp_cc_ops (tcp_internal.h): NewReno's
 * here, CUBIC's in tcp_cubic.c. */
#include <string.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

uint32_t cc_flight_size(const struct tcb *tcb)
{
    return tcb->snd_max - tcb->snd_una;
}

/* ---- NewReno's algorithm part: RFC 5681 3.1 ---- */

static void reno_init(struct tcb *tcb)
{
    (void)tcb; /* no state beyond cwnd, ssthresh and bytes_acked */
}

/* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t reno_ssthresh(struct tcb *tcb, uint32_t flight)
{
    uint32_t half = flight / 2;
    uint32_t floor = 2u * tcb->snd_mss;
    return half > floor ? half : floor;
}

void cc_slow_start(struct tcb *tcb, uint32_t acked)
{
    uint32_t smss = tcb->snd_mss;
    tcb->cwnd += acked < smss ? acked : smss;
}

void cc_reno_cong_avoid(struct tcb *tcb, uint32_t acked, uint64_t now)
{
    (void)now;
    uint32_t smss = tcb->snd_mss;
    if (tcb->cwnd < tcb->ssthresh) {
        cc_slow_start(tcb, acked);
        return;
    }
    /* congestion avoidance: one SMSS per cwnd of acknowledged octets
     * (appropriate byte counting), never more than SMSS per RTT */
    tcb->bytes_acked += acked;
    if (tcb->bytes_acked >= tcb->cwnd) {
        tcb->bytes_acked -= tcb->cwnd;
        tcb->cwnd += smss;
    }
}

const struct tcp_cc_ops tcp_cc_newreno = {
    .name = "reno", /* Linux's name for RFC 5681 with RFC 6582 recovery */
    .id = SYNACK_CONGESTION_NEWRENO,
    .init = reno_init,
    .ssthresh = reno_ssthresh,
    .cong_avoid = cc_reno_cong_avoid,
    .hystart = true,
};

const struct tcp_cc_ops *tcp_cc_of(uint8_t id)
{
    switch (id) {
    case SYNACK_CONGESTION_CUBIC:
        return &tcp_cc_cubic;
    case SYNACK_CONGESTION_BBR:
        return &tcp_cc_bbr;
    default:
        return &tcp_cc_newreno;
    }
}

int tcp_congestion_by_name(const char *name, size_t len)
{
    for (uint8_t id = 0; id <= SYNACK_CONGESTION_BBR; id++) {
        const char *n = tcp_cc_of(id)->name;
        size_t nl = strlen(n);
        if ((len == nl || (len > nl && name[nl] == '\0')) && memcmp(name, n, nl) == 0)
            return id;
    }
    return -1;
}

const char *tcp_congestion_name(uint8_t id)
{
    return tcp_cc_of(id)->name;
}

/* ---- HyStart++ (RFC 9406) in the initial slow start ---- */

#define HS_MIN_RTT_THRESH (4 * SYNACK_MSEC)  /* MIN_RTT_THRESH */
#define HS_MAX_RTT_THRESH (16 * SYNACK_MSEC) /* MAX_RTT_THRESH */
#define HS_MIN_RTT_DIVISOR 8u
#define HS_N_RTT_SAMPLE 8u
#define HS_CSS_GROWTH_DIVISOR 4u
#define HS_CSS_ROUNDS 5u

_Static_assert(sizeof(struct tcp_hystart) <= sizeof(((struct tcb *)0)->cc_priv),
               "struct tcp_hystart fits in tcb->cc_priv");

struct tcp_hystart *tcp_hystart_of(struct tcb *tcb)
{
    return (struct tcp_hystart *)(void *)tcb->cc_priv;
}

/* RFC 9406 4.3: only in the initial slow start. */
static bool hystart_live(const struct tcb *tcb)
{
    return tcb->cc && tcb->cc->hystart && tcb->ssthresh == UINT32_MAX &&
           (tcb->flags & TF_CONNECTED);
}

/* The initial slow start is over: the algorithm starts from a clean state. */
static void hystart_end(struct tcb *tcb)
{
    memset(tcb->cc_priv, 0, sizeof tcb->cc_priv);
    tcb->cc->init(tcb);
}

uint32_t cc_ssthresh(struct tcb *tcb, uint32_t flight)
{
    if (hystart_live(tcb))
        hystart_end(tcb);
    return tcb->cc->ssthresh(tcb, flight);
}

/* 4.2: currentRoundMinRTT and rttSampleCount; with N_RTT_SAMPLE samples
 * of this round and the last round's minimum, a rise of RttThresh
 * (lastRoundMinRTT / 8 within [4 ms, 16 ms]) leaves slow start for CSS,
 * and in CSS a minimum below the baseline goes back to slow start. */
void cc_rtt_sample(struct tcb *tcb, uint64_t r)
{
    if (!hystart_live(tcb))
        return;
    struct tcp_hystart *h = tcp_hystart_of(tcb);
    uint32_t rtt = r == 0 ? 1 : r > UINT32_MAX ? UINT32_MAX : (uint32_t)r;
    if (!h->current_round_min_rtt || rtt < h->current_round_min_rtt)
        h->current_round_min_rtt = rtt;
    if (h->rtt_samples < UINT8_MAX)
        h->rtt_samples++;
    if (h->rtt_samples < HS_N_RTT_SAMPLE || !h->last_round_min_rtt)
        return;
    if (h->in_css) {
        if (h->current_round_min_rtt < h->css_baseline_min_rtt) {
            h->in_css = false; /* the rise was spurious: slow start again */
            h->css_baseline_min_rtt = 0;
        }
        return;
    }
    uint32_t thresh = h->last_round_min_rtt / HS_MIN_RTT_DIVISOR;
    if (thresh > HS_MAX_RTT_THRESH)
        thresh = HS_MAX_RTT_THRESH;
    if (thresh < HS_MIN_RTT_THRESH)
        thresh = HS_MIN_RTT_THRESH;
    if ((uint64_t)h->current_round_min_rtt >= (uint64_t)h->last_round_min_rtt + thresh) {
        h->css_baseline_min_rtt = h->current_round_min_rtt;
        h->in_css = true;
        h->css_rounds = 0;
    }
}

/* Each ACK of new data in the initial slow start: a round ends when
 * SND.UNA passes windowEnd. In CSS cwnd grows a quarter of slow start's;
 * after CSS_ROUNDS rounds of it, ssthresh = cwnd: congestion avoidance.
 * Returns whether the growth was done here. */
static bool hystart_on_ack(struct tcb *tcb, uint32_t acked)
{
    struct tcp_hystart *h = tcp_hystart_of(tcb);
    if (!h->started || !seq_lt(tcb->snd_una, h->window_end)) {
        if (h->started && h->in_css)
            h->css_rounds++;
        h->started = true;
        h->window_end = tcb->snd_max;
        h->last_round_min_rtt = h->current_round_min_rtt;
        h->current_round_min_rtt = 0;
        h->rtt_samples = 0;
    }
    if (!h->in_css)
        return false;
    if (h->css_rounds >= HS_CSS_ROUNDS) {
        tcb->ssthresh = tcb->cwnd;
        hystart_end(tcb);
        return false;
    }
    uint32_t smss = tcb->snd_mss, n = acked < smss ? acked : smss;
    uint32_t add = n / HS_CSS_GROWTH_DIVISOR;
    tcb->cwnd += add ? add : 1;
    return true;
}

void tcp_cc_release(struct tcb *tcb)
{
    if (tcb->cc && tcb->cc->release)
        tcb->cc->release(tcb);
}

/* An algorithm with state of its own (BBR) may find no memory for it:
 * the connection goes on with NewReno, and the caller says so. */
static bool cc_algo_init(struct tcb *tcb)
{
    if (hystart_live(tcb))
        memset(tcb->cc_priv, 0, sizeof tcb->cc_priv); /* HyStart++ from its start */
    tcb->cc->init(tcb);
    if (!tcb->cc->ext || tcb->cc_priv[0])
        return true;
    tcb->cc = &tcp_cc_newreno;
    tcb->cc->init(tcb);
    return false;
}

bool tcp_set_congestion(struct tcb *tcb, uint8_t id)
{
    const struct tcp_cc_ops *cc = tcp_cc_of(id);
    if (cc == tcb->cc)
        return true;
    tcp_cc_release(tcb);
    memset(tcb->cc_priv, 0, sizeof tcb->cc_priv); /* the old one's (or HyStart++'s) */
    tcb->cc = cc;
    if (tcb->flags & TF_CONNECTED) /* cc_init ran: cwnd and ssthresh stay */
        return cc_algo_init(tcb);
    return true;
}

static void cc_event(struct tcb *tcb, enum tcp_cc_event ev)
{
    if (hystart_live(tcb))
        return; /* nothing of the algorithm's has begun */
    if (tcb->cc->event)
        tcb->cc->event(tcb, ev);
}

/* ---- generic ---- */

/* RFC 5681 3.1: initial window; one segment if the SYN or SYN-ACK was lost. */
static uint32_t cc_initial_window(const struct tcb *tcb)
{
    uint32_t smss = tcb->snd_mss;
    if (tcb->flags & TF_SYN_LOST)
        return smss;
    if (smss > 2190)
        return 2 * smss;
    if (smss > 1095)
        return 3 * smss;
    return 4 * smss;
}

/* The most cwnd can be put to use: no more than the send buffer holds can
 * be in flight, plus the SYN or FIN and the slack of an initial window.
 * Without the bound, slow start with no loss to stop it (ssthresh starts
 * at UINT32_MAX) wraps cwnd after 4 to 8 GiB; with it, cwnd stays at most
 * buf_max + IW, far below 2^32 (config_check: buf_max <= 1 GiB). */
static uint32_t cc_cwnd_max(const struct tcb *tcb)
{
    return tcb->sb.cap + cc_initial_window(tcb);
}

static void cc_cwnd_bound(struct tcb *tcb)
{
    uint32_t max = cc_cwnd_max(tcb);
    if (tcb->cwnd > max && !MUTANT(cwnd_unbounded))
        tcb->cwnd = max;
}

void cc_grow(struct tcb *tcb, uint32_t acked, uint64_t now)
{
    if (!acked) /* the SYN and the FIN take no window (RFC 5681 3.1) */
        return;
    if (!(hystart_live(tcb) && hystart_on_ack(tcb, acked)))
        tcb->cc->cong_avoid(tcb, acked, now);
    cc_cwnd_bound(tcb);
}

bool cc_init(struct tcb *tcb)
{
    if (!tcb->cc)
        tcb->cc = &tcp_cc_newreno;
    tcb->cwnd = MUT(no_initial_slow_start, 1u << 30, cc_initial_window(tcb));
    tcb->ssthresh = UINT32_MAX; /* "arbitrarily high" */
    tcb->dupacks = 0;
    tcb->bytes_acked = 0;
    tcb->lt_sent = 0;
    tcb->recover = tcb->iss; /* RFC 6582 3.2 step 1: recover starts at the ISS */
    tcb->flags &= ~TF_IN_RECOVERY;
    return cc_algo_init(tcb);
}

void cc_model_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!tcb->cc->on_ack)
        return;
    tcb->cc->on_ack(t, tcb, now);
    cc_cwnd_bound(tcb);
}

/* RFC 6582 3.2 step 3, full acknowledgment: deflate to
 * min(ssthresh, max(FlightSize, SMSS) + SMSS), option (1), which keeps a
 * burst from following recovery, and leave recovery. */
static void cc_exit_recovery(struct tcb *tcb)
{
    uint32_t flight = cc_flight_size(tcb);
    uint32_t w = (flight > tcb->snd_mss ? flight : tcb->snd_mss) + tcb->snd_mss;
    tcb->cwnd = MUT(newreno_exit_full, tcb->cwnd, tcb->ssthresh < w ? tcb->ssthresh : w);
    tcb->flags &= ~TF_IN_RECOVERY;
    tcb->dupacks = 0;
    tcb->bytes_acked = 0;
}

/* RFC 6582 3.2 step 4, partial acknowledgment: retransmit the next hole,
 * deflate by the octets acknowledged, add back one SMSS if at least one
 * SMSS was acknowledged; recovery goes on. */
static void cc_partial_ack(struct tcp_ctx *t, struct tcb *tcb, uint32_t acked, uint64_t now)
{
    tcp_retransmit_first(t, tcb, now);
    t->cnt->tcp_fast_retransmits++;
    tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
    if (acked >= tcb->snd_mss)
        tcb->cwnd += tcb->snd_mss;
    if (tcb->cwnd < tcb->snd_mss)
        tcb->cwnd = tcb->snd_mss;
    tcb->dupacks = 0; /* new data acknowledged: duplicates count afresh */
}

void cc_on_ack(struct tcp_ctx *t, struct tcb *tcb, uint32_t ack, uint32_t acked, uint64_t now)
{
    tcb->lt_sent = 0;
    if (tcb->flags & TF_IN_RECOVERY) {
        if (seq_geq(ack, tcb->recover))
            cc_exit_recovery(tcb);
        else
            cc_partial_ack(t, tcb, acked, now);
        return;
    }
    tcb->dupacks = 0;
    cc_grow(tcb, acked, now);
}

/* RFC 5681 3.2 steps 2 and 3 (with RFC 6582 3.2 step 2): ssthresh from
 * the FlightSize before limited transmit, retransmit SND.UNA, inflate. */
static void cc_fast_retransmit(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint32_t flight = cc_flight_size(tcb);
    flight = flight > tcb->lt_sent ? flight - tcb->lt_sent : 0;
    tcb->ssthresh = cc_ssthresh(tcb, flight);
    tcb->recover = tcb->snd_max;
    tcp_retransmit_first(t, tcb, now);
    t->cnt->tcp_fast_retransmits++;
    tcb->cwnd = tcb->ssthresh + 3u * tcb->snd_mss;
    cc_cwnd_bound(tcb);
    tcb->lt_sent = 0;
    tcb->flags |= TF_IN_RECOVERY;
}

/* RFC 5681 3.2 step 4: inflate by one SMSS per duplicate ACK, each a
 * segment that left the network. Each reports a distinct segment above the
 * hole, so since the last ACK of new data there can be no more of them than
 * full segments outstanding beyond SND.UNA: past that a duplicate ACK is
 * credited nothing and counted, and a receiver flooding them cannot open
 * cwnd (RFC 5681 5; Savage et al. 1999, duplicate-ACK spoofing). */
static void cc_inflate(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->dupacks < UINT32_MAX)
        tcb->dupacks++;
    if ((uint64_t)tcb->dupacks * tcb->snd_mss >= cc_flight_size(tcb) &&
        !MUTANT(dupack_flood_credited)) {
        t->cnt->tcp_dupacks_not_credited++;
        return;
    }
    tcb->cwnd += tcb->snd_mss;
    cc_cwnd_bound(tcb);
}

void cc_on_dupack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    t->cnt->tcp_dupacks++;
    if (tcb->flags & TF_IN_RECOVERY) {
        cc_inflate(t, tcb);
        return;
    }
    tcb->dupacks++;
    if (tcb->dupacks != 3)
        return; /* 1 and 2: limited transmit, in cc_send_window */
    /* RFC 6582 3.2 step 2: no new recovery until the ACK covers recover. */
    if (!seq_gt(tcb->snd_una, tcb->recover))
        return;
    cc_fast_retransmit(t, tcb, now);
}

void cc_on_rto(struct tcp_ctx *t, struct tcb *tcb)
{
    (void)t;
    /* RFC 5681 3.1: ssthresh only on the first timeout of a segment */
    if (tcb->rtx_count == 0)
        tcb->ssthresh = cc_ssthresh(tcb, cc_flight_size(tcb));
    tcb->cwnd = MUT(rto_keeps_cwnd, tcb->cwnd, tcb->snd_mss); /* loss window: one segment */
    tcb->bytes_acked = 0;
    tcb->dupacks = 0;
    tcb->lt_sent = 0;
    tcb->recover = tcb->snd_max; /* RFC 6582 3.2 step 4 after a timeout */
    tcb->flags &= ~TF_IN_RECOVERY;
    cc_event(tcb, CC_EV_RTO);
}

/* RFC 5681 3.2 step 1 (RFC 3042): on the first and second duplicate ACK,
 * previously unsent data up to cwnd + 2*SMSS; cwnd itself is unchanged. */
uint32_t cc_send_window(const struct tcb *tcb)
{
    if ((tcb->flags & TF_IN_RECOVERY) || tcb->dupacks == 0 || tcb->dupacks > 2 ||
        tcb->snd_nxt != tcb->snd_max)
        return tcb->cwnd;
    return tcb->cwnd + tcb->dupacks * (uint32_t)tcb->snd_mss;
}

/* What went beyond cwnd on a duplicate ACK is limited transmit: it must not
 * count in the FlightSize of the third (RFC 5681 3.2 step 2). */
void cc_on_send(struct tcb *tcb)
{
    if (tcb->dupacks == 0 || (tcb->flags & TF_IN_RECOVERY))
        return;
    uint32_t out = tcb->snd_nxt - tcb->snd_una;
    if (out > tcb->cwnd && out - tcb->cwnd > tcb->lt_sent)
        tcb->lt_sent = out - tcb->cwnd;
}

/* RFC 5681 4.1: no data sent for longer than one RTO: restart from
 * RW = min(IW, cwnd). Only data counts, not ACKs or received segments. */
void cc_restart_after_idle(const struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->snd_una != tcb->snd_max || tcb->last_data_send == 0)
        return;
    if (now - tcb->last_data_send <= rto_current(t, tcb))
        return;
    uint32_t iw = cc_initial_window(tcb);
    if (tcb->cwnd > iw)
        tcb->cwnd = iw;
    cc_event(tcb, CC_EV_IDLE);
}

/* ---- ECN (RFC 3168 6.1.2, 6.1.3) ---- */

void cc_ecn_input(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg)
{
    if (!(tcb->opt_on & TO_ECN))
        return;
    if (SEG_HAS(seg, SYNACK_TCP_CWR))
        tcb->flags &= ~TF_ECE_PENDING; /* the sender has reacted */
    if (seg->ecn == 3u) { /* CE: ECE on our ACKs until CWR comes */
        tcb->flags |= TF_ECE_PENDING;
        tcb->flags |= TF_ECN_SEEN;
        t->cnt->tcp_ecn_ce_rcvd++;
    }
}

void cc_on_ece(struct tcp_ctx *t, struct tcb *tcb)
{
    /* The response to a loss (RFC 5681 eq. 4 through the algorithm), at
     * most once per window of data and not within a loss recovery, which
     * reduced cwnd already; CWR on the next new data tells the receiver. */
    if ((tcb->flags & (TF_IN_RECOVERY | TF_IN_LOSS)) || seq_lt(tcb->snd_una, tcb->ecn_recover))
        return;
    uint32_t flight = cc_flight_size(tcb);
    tcb->ssthresh = cc_ssthresh(tcb, flight < tcb->cwnd ? flight : tcb->cwnd);
    tcb->cwnd = tcb->ssthresh;
    tcb->bytes_acked = 0;
    tcb->ecn_recover = tcb->snd_max;
    tcb->flags |= TF_SEND_CWR;
    t->cnt->tcp_ecn_reductions++;
}

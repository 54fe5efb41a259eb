/* Congestion control (RFC 9293 3.8.2, MUST-19): slow start, congestion
 * avoidance, the timeout response, fast retransmit and fast recovery
 * (RFC 5681) with NewReno partial acknowledgments (RFC 6582).
 *
 * Loss recovery (duplicate ACKs, recovery episodes) is generic and lives
 * here; how cwnd grows and how far it falls is the algorithm's, behind
 * struct tcp_cc_ops, so another algorithm (CUBIC) is one more table. */
#include "tcp/tcp_internal.h"

struct tcp_cc_ops {
    const char *name;
    /* ssthresh after a loss (RFC 5681 eq. 4) */
    uint32_t (*ssthresh)(const struct tcb *tcb);
    /* cwnd growth for acked octets outside recovery (RFC 5681 3.1) */
    void (*cong_avoid)(struct tcb *tcb, uint32_t acked);
};

uint32_t cc_flight_size(const struct tcb *tcb)
{
    return tcb->snd_max - tcb->snd_una;
}

/* RFC 5681 eq. 4: ssthresh = max(FlightSize / 2, 2*SMSS). */
static uint32_t reno_ssthresh(const struct tcb *tcb)
{
    uint32_t half = cc_flight_size(tcb) / 2;
    uint32_t floor = 2u * tcb->snd_mss;
    return half > floor ? half : floor;
}

static void reno_cong_avoid(struct tcb *tcb, uint32_t acked)
{
    uint32_t smss = tcb->snd_mss;
    if (tcb->cwnd < tcb->ssthresh) {
        /* slow start, eq. 2: cwnd += min(N, SMSS) */
        tcb->cwnd += acked < smss ? acked : smss;
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

static const struct tcp_cc_ops cc_newreno = {
    .name = "newreno",
    .ssthresh = reno_ssthresh,
    .cong_avoid = reno_cong_avoid,
};

static const struct tcp_cc_ops *cc_ops(const struct tcb *tcb)
{
    (void)tcb;
    return &cc_newreno;
}

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

void cc_init(struct tcb *tcb)
{
    tcb->cwnd = cc_initial_window(tcb);
    tcb->ssthresh = UINT32_MAX; /* "arbitrarily high" */
    tcb->dupacks = 0;
    tcb->bytes_acked = 0;
    tcb->recover = tcb->iss; /* RFC 6582 3.2: recover starts at the ISS */
    tcb->flags &= ~TF_IN_RECOVERY;
}

/* RFC 6582 3.2 step 3: full acknowledgment ends recovery. */
static void cc_exit_recovery(struct tcb *tcb)
{
    uint32_t flight = cc_flight_size(tcb) + tcb->snd_mss;
    tcb->cwnd = tcb->ssthresh < flight ? tcb->ssthresh : flight;
    tcb->flags &= ~TF_IN_RECOVERY;
    tcb->dupacks = 0;
    tcb->bytes_acked = 0;
}

void cc_on_ack(struct tcp_ctx *t, struct tcb *tcb, uint32_t ack, uint32_t acked, uint64_t now)
{
    if (tcb->flags & TF_IN_RECOVERY) {
        if (seq_geq(ack, tcb->recover)) {
            cc_exit_recovery(tcb);
            return;
        }
        /* RFC 6582 3.2 step 4, partial ACK: retransmit the next hole,
         * deflate by the octets acknowledged, add back one SMSS. */
        tcp_retransmit_first(t, tcb, now);
        t->cnt->tcp_fast_retransmits++;
        tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : 0;
        if (acked >= tcb->snd_mss)
            tcb->cwnd += tcb->snd_mss;
        if (tcb->cwnd < tcb->snd_mss)
            tcb->cwnd = tcb->snd_mss;
        return;
    }
    tcb->dupacks = 0;
    cc_ops(tcb)->cong_avoid(tcb, acked);
}

void cc_on_dupack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    t->cnt->tcp_dupacks++;
    if (tcb->flags & TF_IN_RECOVERY) {
        tcb->cwnd += tcb->snd_mss; /* RFC 5681 3.2 step 4: inflate */
        return;
    }
    tcb->dupacks++;
    if (tcb->dupacks < 3)
        return; /* limited transmit (RFC 3042) is in the output's window */
    if (tcb->dupacks > 3)
        return;
    /* RFC 6582 3.2 step 2: no new recovery until SND.UNA passes recover. */
    if (!seq_gt(tcb->snd_una, tcb->recover))
        return;
    /* RFC 5681 3.2 steps 2-3: ssthresh, retransmit, cwnd = ssthresh + 3*SMSS */
    tcb->ssthresh = cc_ops(tcb)->ssthresh(tcb);
    tcb->recover = tcb->snd_max;
    tcp_retransmit_first(t, tcb, now);
    t->cnt->tcp_fast_retransmits++;
    tcb->cwnd = tcb->ssthresh + 3u * tcb->snd_mss;
    tcb->flags |= TF_IN_RECOVERY;
}

void cc_on_rto(struct tcp_ctx *t, struct tcb *tcb)
{
    (void)t;
    /* RFC 5681 3.1: ssthresh only on the first timeout of a segment */
    if (tcb->rtx_count == 0)
        tcb->ssthresh = cc_ops(tcb)->ssthresh(tcb);
    tcb->cwnd = tcb->snd_mss; /* loss window: one segment */
    tcb->bytes_acked = 0;
    tcb->dupacks = 0;
    tcb->recover = tcb->snd_max; /* RFC 6582 3.2 step 1 after a timeout */
    tcb->flags &= ~TF_IN_RECOVERY;
}

/* RFC 5681 4.1: after an idle period longer than RTO, restart from
 * RW = min(IW, cwnd). */
void cc_restart_after_idle(const struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->snd_una != tcb->snd_max || tcb->last_send == 0)
        return;
    if (now - tcb->last_send <= rto_current(t, tcb))
        return;
    uint32_t iw = cc_initial_window(tcb);
    if (tcb->cwnd > iw)
        tcb->cwnd = iw;
}

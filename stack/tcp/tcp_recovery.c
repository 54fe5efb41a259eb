/* Loss detection and recovery behind struct tcp_recovery_ops: NewReno on
 * duplicate ACKs (RFC 5681 3.2, RFC 6582; tcp_cc.c), RFC 6675 on the SACK
 * scoreboard, and RACK-TLP (RFC 8985), the default when SACK is in use.
 * How far cwnd falls and how it grows stays the congestion control's
 * (struct tcp_cc_ops); what was sent and SACKed is tcp_scoreboard.c's. */
#include "tcp/tcp_internal.h"

#define DUPTHRESH 3u                  /* RFC 6675 2, RFC 5681 */
#define WC_DEL_ACK_T (200 * SYNACK_MSEC) /* RFC 8985 7.2: worst-case delayed ACK */

/* ---- NewReno: the duplicate-ACK algorithms of tcp_cc.c ---- */

static void newreno_on_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                           const struct tcp_ack_info *a, uint64_t now)
{
    if (a->advanced)
        cc_on_ack(t, tcb, seg->ack, a->acked, now);
    else if (a->dupack)
        cc_on_dupack(t, tcb, now);
}

static void newreno_on_rto(struct tcp_ctx *t, struct tcb *tcb)
{
    cc_on_rto(t, tcb);
    /* Go back to SND.UNA (RFC 5681 3.1, RFC 6298 5.4, as BSD does): what
     * follows the first segment is resent as ACKs open cwnd again. */
    if (tcb->snd_una != tcb->iss)
        tcb->snd_nxt = tcb->snd_una;
}

static void no_timer(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w, uint64_t now)
{
    (void)t, (void)tcb, (void)w, (void)now;
}

static void no_send(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    (void)t, (void)tcb, (void)now;
}

const struct tcp_recovery_ops tcp_rec_newreno = {
    .name = "newreno",
    .scoreboard = false,
    .on_ack = newreno_on_ack,
    .on_rto = newreno_on_rto,
    .on_timer = no_timer,
    .on_send = no_send,
};

/* ---- what RFC 6675 and RACK share ---- */

static bool recovering(const struct tcb *tcb)
{
    return (tcb->flags & (TF_IN_RECOVERY | TF_IN_LOSS)) != 0;
}

/* RFC 6675 4 (4.1, 4.2): RecoveryPoint = HighData, ssthresh = cwnd from
 * the congestion control's response to FlightSize. FlightSize counts the
 * octets SACKed and those lost, and may be far above cwnd after SACKs let
 * new data go: halving it could raise cwnd. It is taken at most cwnd (as
 * Linux halves cwnd). The retransmissions follow in the output, cwnd -
 * pipe permitting, the first at once (4.3). */
static void enter_recovery(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint32_t flight = tcb->snd_max - tcb->snd_una;
    tcb->recover = tcb->snd_max;
    tcb->ssthresh = cc_ssthresh(tcb, flight < tcb->cwnd ? flight : tcb->cwnd);
    tcb->cwnd = tcb->ssthresh;
    tcb->bytes_acked = 0;
    tcb->flags |= TF_IN_RECOVERY;
    tcb->flags &= ~(TF_RTT_TIMING | TF_RESCUE_RXT); /* RescueRxt: none in this recovery yet */
    if (tcb->rack_recoveries < UINT8_MAX)
        tcb->rack_recoveries++;
    tcb->tlp_out = false; /* a loss episode of its own now */
    timer_stop(t, tcb, TT_TLP);
    tcp_sb_retransmit_first_lost(t, tcb, now);
}

/* (A) An ACK for RecoveryPoint ends recovery; after fast recovery cwnd
 * is ssthresh (RFC 5681 3.2 step 6), after an RTO slow start goes on. */
static void maybe_exit_recovery(struct tcb *tcb)
{
    if (!recovering(tcb) || seq_lt(tcb->snd_una, tcb->recover))
        return;
    if ((tcb->flags & TF_IN_RECOVERY) && tcb->cwnd > tcb->ssthresh)
        tcb->cwnd = tcb->ssthresh;
    tcb->flags &= ~(TF_IN_RECOVERY | TF_IN_LOSS);
    tcb->sack_dupacks = 0;
}

/* cwnd grows for new data acknowledged outside fast recovery, the ACK
 * that ends it included (cwnd is ssthresh throughout RFC 6675 recovery,
 * never inflated; Linux grows on that ACK too); in the recovery after an
 * RTO it slow-starts back (RFC 5681 3.1). */
static void grow(struct tcb *tcb, const struct tcp_ack_info *a, uint64_t now)
{
    if (!(tcb->flags & TF_IN_RECOVERY))
        cc_grow(tcb, a->acked, now);
}

/* Anything deemed lost starts a recovery unless one is under way for
 * data sent before it (RFC 6675 5, RFC 6582 step 2 likewise). */
static void maybe_enter_recovery(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!tcb->lost_out || recovering(tcb) || seq_lt(tcb->snd_una, tcb->recover))
        return;
    t->cnt->tcp_recoveries++;
    enter_recovery(t, tcb, now);
}

static void sb_on_rto(struct tcp_ctx *t, struct tcb *tcb)
{
    cc_on_rto(t, tcb); /* ssthresh, a loss window of one segment, recover = SND.MAX */
    tcp_sb_rto(tcb);
    /* RFC 6675 5.1: this recovery ends at RecoveryPoint; no other begins
     * before it. What is lost is resent from the board, which holds all
     * that was sent: a go-back left by a closed window (SND.NXT below
     * SND.MAX) would send it a second time. */
    tcb->snd_nxt = tcb->snd_max;
    tcb->flags |= TF_IN_LOSS;
    tcb->sack_dupacks = 0;
    tcb->tlp_out = false;
    timer_stop(t, tcb, TT_RACK);
    timer_stop(t, tcb, TT_TLP);
}

/* ---- RFC 6675: IsLost() over the scoreboard ---- */

/* Mark lost every segment below which DupThresh discontiguous SACKed
 * runs, or more than (DupThresh - 1) * SMSS SACKed octets, lie (IsLost);
 * after DupThresh duplicate ACKs the first hole at least (Update()). */
static void rfc6675_mark_lost(struct tcb *tcb)
{
    uint32_t sacked = 0, runs = 0;
    bool in_run = false;
    for (uint32_t i = tcb->txm.n; i-- > 0;) {
        struct tx_seg *s = tcp_sb_seg(tcb, i);
        if (s->flags & TXS_SACKED) {
            sacked += s->end - s->start;
            if (!in_run)
                runs++;
            in_run = true;
            continue;
        }
        in_run = false;
        bool lost = runs >= DUPTHRESH || sacked > (DUPTHRESH - 1u) * tcb->snd_mss;
        if (!lost && i == 0 && tcb->sack_dupacks >= DUPTHRESH && sacked)
            lost = true;
        if (lost && !(s->flags & TXS_LOST))
            tcp_sb_set(tcb, s, (uint8_t)(s->flags | TXS_LOST));
    }
}

static void rfc6675_on_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                           const struct tcp_ack_info *a, uint64_t now)
{
    bool dsack;
    uint32_t fresh = tcp_sb_ack(t, tcb, seg, &dsack, now);
    maybe_exit_recovery(tcb);
    grow(tcb, a, now);
    if (a->advanced)
        tcb->sack_dupacks = 0;
    else if (fresh || a->dupack) /* RFC 6675 2: a duplicate ACK, SACK-aware */
        tcb->sack_dupacks++;
    if (fresh || tcb->sack_dupacks >= DUPTHRESH)
        rfc6675_mark_lost(tcb);
    maybe_enter_recovery(t, tcb, now);
    cc_model_ack(t, tcb, now);
}

const struct tcp_recovery_ops tcp_rec_rfc6675 = {
    .name = "rfc6675",
    .scoreboard = true,
    .on_ack = rfc6675_on_ack,
    .on_rto = sb_on_rto,
    .on_timer = no_timer,
    .on_send = no_send,
};

/* ---- RFC 8985 RACK ---- */

/* RACK_sent_after(t1, seq1, t2, seq2) */
static bool sent_after(uint64_t t1, uint32_t seq1, uint64_t t2, uint32_t seq2)
{
    return t1 > t2 || (t1 == t2 && seq_gt(seq1, seq2));
}

void tcp_rack_delivered(struct tcp_ctx *t, struct tcb *tcb, const struct tx_seg *s,
                        const struct tcp_seg *seg, uint64_t now)
{
    (void)t;
    uint64_t rtt = now - s->xmit;
    if (rtt > UINT32_MAX)
        rtt = UINT32_MAX; /* RACK's RTTs are kept like srtt (tcb.h) */
    if (s->flags & TXS_EVER_RXT) {
        /* 6.2 step 2: the original, not the retransmission, may be what
         * arrived: the echo is older than it, or the RTT implausibly short. */
        const struct synack_tcp_opts *o = seg->opts;
        if ((tcb->opt_on & TO_TS) && (o->present & TCPOPT_F_TS) &&
            seq_lt(o->ts_ecr, tcp_ts_now(tcb, s->xmit)))
            return;
        if (tcb->rack_min_rtt && rtt < tcb->rack_min_rtt)
            return;
    } else if (seq_lt(s->end, tcb->rack_fack)) {
        tcb->rack_reord = true; /* 6.2 step 3: delivered below what was */
    }
    if (seq_gt(s->end, tcb->rack_fack))
        tcb->rack_fack = s->end;
    if (!tcb->rack_min_rtt || rtt < tcb->rack_min_rtt)
        tcb->rack_min_rtt = (uint32_t)rtt; /* the connection's minimum (6.2: recent) */
    if (sent_after(s->xmit, s->end, tcb->rack_xmit, tcb->rack_end)) {
        tcb->rack_rtt = (uint32_t)rtt;
        tcb->rack_xmit = s->xmit;
        tcb->rack_end = s->end;
    }
}

/* 6.2 step 4: the reordering window. */
static uint64_t rack_reo_wnd(const struct tcb *tcb)
{
    if (!tcb->rack_reord &&
        (recovering(tcb) || tcb->sacked_out >= DUPTHRESH * (uint32_t)tcb->snd_mss))
        return 0;
    uint64_t w = (uint64_t)tcb->rack_reo_mult * tcb->rack_min_rtt / 4;
    return (tcb->flags & TF_HAVE_RTT) && w > tcb->srtt ? tcb->srtt : w;
}

/* 6.2 step 5 (RACK_detect_loss): a segment sent before one that was
 * delivered is lost once RACK.rtt + reo_wnd has passed since it went.
 * Returns how long until the next such deadline, 0 if none. */
static uint64_t rack_detect_loss(struct tcb *tcb, uint64_t now)
{
    if (!tcb->rack_xmit)
        return 0;
    uint64_t reo = rack_reo_wnd(tcb), wait = 0;
    for (uint32_t i = 0; i < tcb->txm.n; i++) {
        struct tx_seg *s = tcp_sb_seg(tcb, i);
        if ((s->flags & TXS_SACKED) || (s->flags & (TXS_LOST | TXS_RXT)) == TXS_LOST)
            continue; /* delivered, or lost and not yet sent again */
        if (!sent_after(tcb->rack_xmit, tcb->rack_end, s->xmit, s->end)) {
            /* Sent in sequence order: what was never sent again lies later
             * still. Only a retransmission further on could be older. */
            if (!tcb->txm.rxt_count && !(s->flags & TXS_EVER_RXT))
                break;
            continue;
        }
        uint64_t due = s->xmit + tcb->rack_rtt + reo;
        if (due <= now)
            tcp_sb_set(tcb, s, (uint8_t)((s->flags & TXS_EVER_RXT) | TXS_LOST));
        else if (due - now > wait)
            wait = due - now;
    }
    return wait;
}

/* 6.2 step 4: a D-SACK shows reordering the window did not wait out:
 * widen it, once per round trip; back to one after 16 recoveries. */
static void rack_dsack(struct tcb *tcb)
{
    if (tcb->rack_recoveries >= 16) {
        tcb->rack_reo_mult = 1;
        tcb->rack_recoveries = 0;
    }
    if (seq_lt(tcb->snd_una, tcb->rack_dsack_round))
        return;
    tcb->rack_dsack_round = tcb->snd_max;
    if (tcb->rack_reo_mult < UINT8_MAX)
        tcb->rack_reo_mult++;
    tcb->rack_recoveries = 0;
}

static void rack_run(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint64_t wait = rack_detect_loss(tcb, now);
    if (wait)
        timer_set(t, tcb, TT_RACK, now + wait); /* 6.3: the reordering timer */
    else
        timer_stop(t, tcb, TT_RACK);
    maybe_enter_recovery(t, tcb, now);
}

/* ---- RFC 8985 7: tail loss probes ---- */

static void tlp_schedule(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    timer_stop(t, tcb, TT_TLP);
    if (tcb->tlp_out || recovering(tcb) || tcb->snd_una == tcb->snd_max ||
        tcb->state != SYNACK_ESTABLISHED || !(tcb->flags & TF_HAVE_RTT))
        return;
    /* 7.2: PTO = 2 * SRTT, more when one segment is out (its ACK may be
     * delayed), never after the RTO would fire. */
    uint64_t pto = 2 * (uint64_t)tcb->srtt;
    if (tcb->snd_max - tcb->snd_una <= tcb->snd_mss)
        pto += WC_DEL_ACK_T;
    if (!pto)
        pto = 1;
    uint64_t at = now + pto;
    if (timer_on(tcb, TT_REXMT) && at >= tcb->timer[TT_REXMT])
        return;
    timer_set(t, tcb, TT_TLP, at);
}

/* 7.3: the probe: a new segment if the window lets one go, else the last
 * segment again; the RTO is restarted behind it. */
static void tlp_fire(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->tlp_out || recovering(tcb) || tcb->snd_una == tcb->snd_max || !tcb->txm.n)
        return;
    uint32_t before = tcb->snd_max;
    tcb->tlp_rxt = !tcp_send_probe_segment(t, tcb, now);
    if (tcb->tlp_rxt)
        tcp_sb_retransmit(t, tcb, tcb->txm.n - 1, now);
    if (tcb->tlp_rxt || tcb->snd_max != before) {
        tcb->tlp_out = true;
        tcb->tlp_end = tcb->snd_max;
        if (tcb->tlp_probes < UINT32_MAX)
            tcb->tlp_probes++;
        t->cnt->tcp_tlp_probes++;
    }
    timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
}

/* 7.4: the probe's outcome. A D-SACK of a retransmitted probe says the
 * original arrived: nothing was lost. Its ACK without one says the probe
 * repaired a lost tail: the congestion control responds as to a loss. */
static void tlp_on_ack(struct tcp_ctx *t, struct tcb *tcb, bool dsack)
{
    if (!tcb->tlp_out)
        return;
    if (tcb->tlp_rxt && dsack) {
        tcb->tlp_out = false;
        return;
    }
    if (seq_lt(tcb->snd_una, tcb->tlp_end))
        return;
    if (tcb->tlp_rxt) {
        tcb->ssthresh = cc_ssthresh(tcb, tcb->cwnd);
        tcb->cwnd = tcb->ssthresh;
        t->cnt->tcp_tlp_recoveries++;
    }
    tcb->tlp_out = false;
}

static void rack_on_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                        const struct tcp_ack_info *a, uint64_t now)
{
    bool dsack;
    uint32_t fresh = tcp_sb_ack(t, tcb, seg, &dsack, now);
    if (dsack)
        rack_dsack(tcb);
    tlp_on_ack(t, tcb, dsack);
    maybe_exit_recovery(tcb);
    grow(tcb, a, now);
    if (a->advanced || fresh || dsack)
        rack_run(t, tcb, now);
    cc_model_ack(t, tcb, now);
    tlp_schedule(t, tcb, now);
}

static void rack_on_timer(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w, uint64_t now)
{
    if (w == TT_RACK)
        rack_run(t, tcb, now);
    else if (w == TT_TLP)
        tlp_fire(t, tcb, now);
    tcp_output(t, tcb, now);
}

static void rack_on_send(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    tlp_schedule(t, tcb, now); /* 7.2: armed again after new data goes */
}

const struct tcp_recovery_ops tcp_rec_rack = {
    .name = "rack-tlp",
    .scoreboard = true,
    .on_ack = rack_on_ack,
    .on_rto = sb_on_rto,
    .on_timer = rack_on_timer,
    .on_send = rack_on_send,
};

/* ---- choosing ---- */

void tcp_rec_select(struct tcb *tcb)
{
    /* The scoreboard algorithms need SACK; without it NewReno. */
    if (!(tcb->opt_on & TO_SACK) || tcb->recovery == SYNACK_RECOVERY_NEWRENO)
        tcb->rec = &tcp_rec_newreno;
    else if (tcb->recovery == SYNACK_RECOVERY_SACK)
        tcb->rec = &tcp_rec_rfc6675;
    else
        tcb->rec = &tcp_rec_rack;
    tcb->rack_reo_mult = 1;
    tcb->rack_fack = tcb->rack_end = tcb->rack_dsack_round = tcb->snd_una;
    tcb->high_sacked = tcb->snd_una;
    tcb->ecn_recover = tcb->snd_una;
}

/* BBR, a model-based congestion control (draft-ietf-ccwg-bbr; the
 * loss-recovery rules of draft-cardwell-iccrg-bbr-congestion-control-00)
 * behind struct tcp_cc_ops: the sender measures the bottleneck bandwidth
 * (a windowed maximum of delivery-rate samples, tcp_rate.c) and the
 * round-trip propagation time (a windowed minimum of RTT samples), paces
 * at gain x bandwidth, and bounds what is in flight to gain x their
 * product. Random loss below 2% of a round is not taken for congestion:
 * cwnd is held to packet conservation during a recovery and restored
 * after it.
 *
 * States: Startup (gain 2.77 until the bandwidth stops growing by 25% for
 * three rounds, or a round loses more than 2% in 6 losses or more), Drain
 * (pace below the bandwidth until the queue Startup made is gone),
 * ProbeBW (DOWN 0.75 until one BDP is in flight, CRUISE 1 until a probe is
 * due after 2-3 s or as many rounds as Reno needs to regrow a BDP, UP
 * 1.25 for a round trip), and ProbeRTT (4 segments for 200 ms and a round
 * after 10 s without a lower RTT). When the rounds' loss rate, smoothed
 * over about eight rounds, passes 2%, the upper bound inflight_hi becomes
 * 0.7 x what was in flight, raised by a quarter per round of probing up,
 * and outside probing bw_lo the latest round's rate (at most 0.7 x lower at
 * once), tried again at the next probe. Samples need the scoreboard
 * (SACK); without SACK the connection grows cwnd as NewReno does and is
 * not paced.
 *
 * Simpler than the draft's BBRv3: no REFILL phase and DOWN at 0.75 (0.9
 * there), the loss rate smoothed over rounds (each rate sample's there),
 * inflight_hi from what is in flight when the loss is seen (not each
 * packet's tx_in_flight) and raised by a quarter per round (not 1, 2,
 * 4... segments), no inflight_lo, no ECN response, the max filter
 * over 10 rounds (two probe cycles there), ProbeRTT after 10 s with 4
 * segments (5 s with half the BDP there). Octets, microseconds. */
#include <stdlib.h>

#include "tcp/tcp_internal.h"

#define BBR_STARTUP_PACING_GAIN 2.77 /* 4 ln 2: the rate doubles each round */
#define BBR_STARTUP_CWND_GAIN 2.0
#define BBR_DRAIN_PACING_GAIN 0.35   /* about 1 / 2.89: Startup's queue goes in a round */
#define BBR_CWND_GAIN 2.0            /* ProbeBW: room for delayed and stretched ACKs */
#define BBR_PACING_MARGIN 0.99       /* pace 1% below the estimate: no standing queue */
#define BBR_BW_ROUNDS 10             /* BtlBw max filter: the last 10 rounds */
#define BBR_MIN_RTT_WINDOW (10 * SYNACK_SEC) /* RTprop min filter, and ProbeRTT's interval */
#define BBR_PROBE_RTT_TIME (200 * SYNACK_MSEC)
#define BBR_MIN_PIPE_SEGS 4u         /* BBRMinPipeCwnd */
#define BBR_FULL_BW_GROWTH 1.25      /* Startup: a round must grow the bandwidth 25% */
#define BBR_FULL_BW_ROUNDS 3u
#define BBR_CYCLE_LEN 3
#define BBR_PROBE_WAIT (2 * SYNACK_SEC) /* BBRProbeBWWaitTime: 2 s, plus up to 1 s */
#define BBR_RENO_ROUNDS 63u          /* and at most 63 rounds or a BDP of segments */
#define BBR_LOSS_THRESH 0.02         /* BBRLossThresh: a round losing more is congestion */
#define BBR_BETA 0.7                 /* BBRBeta: inflight_hi's floor, x the BDP */
#define BBR_STARTUP_LOSS_EVENTS 6u   /* Startup ends on loss after this many losses in a round */
#define BBR_NO_RTT UINT32_MAX

/* ProbeBW's gain cycle: probe up (UP), drain what that queued (DOWN),
 * cruise (CRUISE) until the next probe is due. */
enum { BBR_UP, BBR_DOWN, BBR_CRUISE };
static const double bbr_cycle_gain[BBR_CYCLE_LEN] = {1.25, 0.75, 1};

struct tcp_bbr {
    struct tcp_cc_ext ext; /* first: tcp_cc_ext() points here */
    enum tcp_bbr_state state;
    double pacing_gain, cwnd_gain;
    uint64_t bw_round[BBR_BW_ROUNDS]; /* the highest sample of each of the last rounds */
    uint64_t max_bw;                  /* BBR.max_bw (BtlBw), octets per second */
    uint32_t min_rtt;                 /* BBR.min_rtt (RTprop), BBR_NO_RTT: none */
    uint64_t min_rtt_stamp;
    uint64_t round_count, next_round_delivered;
    bool round_start;
    bool filled_pipe;
    uint64_t full_bw;
    uint32_t full_bw_count;
    uint32_t cycle_idx;
    uint64_t cycle_stamp, cycle_round;
    uint64_t probe_rtt_done_stamp;
    bool probe_rtt_round_done;
    uint32_t prior_cwnd;
    bool in_recovery, packet_conservation;
    uint64_t conservation_round;
    uint32_t iw;
    /* BBRv3's upper bound from loss (draft-ietf-ccwg-bbr 5.3.3.5): what
     * a round lost and delivered, and the in-flight level at which loss
     * passed BBRLossThresh (UINT32_MAX: none seen). */
    uint32_t inflight_hi;
    uint64_t round_lost, round_delivered;
    uint32_t round_loss_events;
    double loss_ewma; /* the rounds' loss rate, smoothed (1/8 per round) */
    uint64_t bw_lo;     /* BBR.bw_lo: the bandwidth bound from loss (UINT64_MAX: none) */
    uint64_t bw_latest; /* BBR.bw_latest: the highest sample of this round */
};

_Static_assert(sizeof(struct tcp_bbr *) <= sizeof(((struct tcb *)0)->cc_priv),
               "a pointer to struct tcp_bbr fits in tcb->cc_priv");

static struct tcp_bbr *bbr_of(const struct tcb *tcb)
{
    return (struct tcp_bbr *)(uintptr_t)tcb->cc_priv[0];
}

struct tcp_cc_ext *tcp_cc_ext(const struct tcb *tcb)
{
    return tcb->cc && tcb->cc->ext ? (struct tcp_cc_ext *)(void *)bbr_of(tcb) : NULL;
}

static uint32_t bbr_mss(const struct tcb *tcb)
{
    return tcb->snd_mss;
}

/* ---- the model ---- */

/* The bandwidth the model uses: the max filter's, below bw_lo. */
static uint64_t bbr_bw(const struct tcp_bbr *b)
{
    return b->bw_lo < b->max_bw ? b->bw_lo : b->max_bw;
}

/* BBRBDPMultiple: gain x max_bw x min_rtt, octets; IW until both are known. */
static uint32_t bbr_bdp(const struct tcp_bbr *b, double gain)
{
    if (b->min_rtt == BBR_NO_RTT || !b->max_bw)
        return b->iw;
    double bdp = gain * (double)bbr_bw(b) * b->min_rtt / SYNACK_SEC;
    return bdp >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)bdp;
}

/* BBRInflight: the BDP and three segments for the sender's and the
 * receiver's batching (the draft's quanta). */
static uint32_t bbr_inflight(const struct tcb *tcb, const struct tcp_bbr *b, double gain)
{
    uint64_t w = (uint64_t)bbr_bdp(b, gain) + 3u * bbr_mss(tcb);
    return w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

/* BBRUpdateRound: a round trip ends when a segment sent after its start
 * is delivered. */
static void bbr_update_round(struct tcp_bbr *b, const struct tcp_rate *r)
{
    b->round_start = false;
    if (!r->newly_acked || r->prior_delivered < b->next_round_delivered)
        return;
    b->next_round_delivered = r->delivered;
    b->round_count++;
    b->round_start = true;
    b->bw_round[b->round_count % BBR_BW_ROUNDS] = 0;
}

/* BBRUpdateMaxBw: the max filter over the last rounds; an application-
 * limited sample counts only when it is higher than the estimate. */
static void bbr_update_max_bw(struct tcp_bbr *b, const struct tcp_rate *r, bool valid)
{
    if (!valid || !r->rate || (r->is_app_limited && r->rate < b->max_bw))
        return;
    uint64_t *slot = &b->bw_round[b->round_count % BBR_BW_ROUNDS];
    if (r->rate > *slot)
        *slot = r->rate;
    b->max_bw = 0;
    for (int i = 0; i < BBR_BW_ROUNDS; i++)
        if (b->bw_round[i] > b->max_bw)
            b->max_bw = b->bw_round[i];
}

/* BBRUpdateMinRTT: the min filter over 10 s; expired, any sample takes it
 * (and ProbeRTT follows). Returns whether it had expired. */
static bool bbr_update_min_rtt(struct tcp_bbr *b, const struct tcp_rate *r, uint64_t now)
{
    if (!b->min_rtt_stamp)
        b->min_rtt_stamp = now;
    bool expired = now > b->min_rtt_stamp + BBR_MIN_RTT_WINDOW;
    if (r->rs_rtt && (r->rs_rtt < b->min_rtt || expired)) {
        b->min_rtt = r->rs_rtt > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)r->rs_rtt;
        b->min_rtt_stamp = now;
    }
    return expired;
}

/* ---- the states ---- */

static void bbr_enter_startup(struct tcp_bbr *b)
{
    b->state = BBR_STARTUP;
    b->pacing_gain = BBR_STARTUP_PACING_GAIN;
    b->cwnd_gain = BBR_STARTUP_CWND_GAIN;
}

static void bbr_advance_cycle(struct tcp_bbr *b, uint64_t now)
{
    b->cycle_idx = (b->cycle_idx + 1) % BBR_CYCLE_LEN;
    b->cycle_stamp = now;
    b->cycle_round = b->round_count;
    b->pacing_gain = bbr_cycle_gain[b->cycle_idx];
    if (b->pacing_gain > 1.0)
        b->bw_lo = UINT64_MAX; /* probing up: the loss bound is tried again */
}


/* ProbeBW begins at a phase other than the draining one, chosen per
 * connection so that flows sharing a bottleneck do not probe in step. */
static void bbr_enter_probe_bw(struct tcp_bbr *b, uint64_t now)
{
    b->state = BBR_PROBE_BW;
    b->cwnd_gain = BBR_CWND_GAIN;
    b->cycle_idx = BBR_UP;
    bbr_advance_cycle(b, now); /* DOWN first: what Startup queued goes */
}

/* BBRCheckStartupFullBandwidth: three rounds without 25% more. */
static void bbr_check_full_pipe(struct tcp_bbr *b, const struct tcp_rate *r)
{
    if (b->filled_pipe || !b->round_start || r->is_app_limited)
        return;
    if ((double)b->max_bw >= (double)b->full_bw * BBR_FULL_BW_GROWTH) {
        b->full_bw = b->max_bw;
        b->full_bw_count = 0;
        return;
    }
    if (++b->full_bw_count >= BBR_FULL_BW_ROUNDS)
        b->filled_pipe = true;
}

static void bbr_check_drain(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe, uint64_t now)
{
    if (b->state == BBR_STARTUP && b->filled_pipe) {
        b->state = BBR_DRAIN;
        b->pacing_gain = BBR_DRAIN_PACING_GAIN;
        b->cwnd_gain = BBR_STARTUP_CWND_GAIN;
    }
    if (b->state == BBR_DRAIN && pipe <= bbr_inflight(tcb, b, 1.0))
        bbr_enter_probe_bw(b, now);
}

/* When the next probe is due (BBRIsTimeToProbeBW): 2 to 3 s after the
 * last (the jitter per connection, so that flows do not probe in step),
 * or sooner after as many rounds as a Reno flow needs to regrow a BDP
 * (at most 63): a flow that lost to BBR's probe has had the time to
 * recover its share. */
static bool bbr_probe_due(const struct tcb *tcb, const struct tcp_bbr *b, uint64_t now)
{
    uint64_t wait = BBR_PROBE_WAIT + (tcb->iss % SYNACK_SEC);
    uint32_t bdp_segs = bbr_bdp(b, 1.0) / bbr_mss(tcb);
    uint32_t rounds = bdp_segs < BBR_RENO_ROUNDS ? bdp_segs : BBR_RENO_ROUNDS;
    return now - b->cycle_stamp >= wait || b->round_count - b->cycle_round >= rounds;
}

/* BBRIsNextCyclePhase: probing up lasts min_rtt and until a loss or 1.25
 * BDP in flight; draining until the BDP is reached; cruising until a
 * probe is due. */
static void bbr_update_cycle(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe,
                             uint32_t newly_lost, uint64_t now)
{
    if (b->state != BBR_PROBE_BW)
        return;
    bool full = b->min_rtt != BBR_NO_RTT && now - b->cycle_stamp > b->min_rtt;
    bool next;
    if (b->pacing_gain > 1.0)
        next = full && (newly_lost || pipe >= bbr_inflight(tcb, b, b->pacing_gain));
    else if (b->pacing_gain < 1.0)
        next = full || pipe <= bbr_inflight(tcb, b, 1.0);
    else
        next = bbr_probe_due(tcb, b, now);
    if (next)
        bbr_advance_cycle(b, now);
}

/* Loss as congestion (after BBRv3's BBRIsInflightTooHigh, BBRLossThresh
 * 2%): the loss rate of each round, smoothed over about eight rounds, so
 * that random loss below 2% (whose per-round rate scatters above it when
 * rounds are short) is not taken for congestion. Above it: inflight_hi =
 * 0.7 x what is in flight, and outside probing up bw_lo = the latest
 * round's rate (at most 0.7 x lower at once); probing up ends. The average
 * starts again after each such cut. Each round of probing up without one
 * raises inflight_hi by a quarter. In Startup a round losing more than 2%
 * in 6 losses or more ends it (BBRCheckStartupHighLoss). */
static void bbr_loss_cut(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe, uint64_t now)
{
    uint32_t hi = (uint32_t)(BBR_BETA * (double)pipe), floor = BBR_MIN_PIPE_SEGS * bbr_mss(tcb);
    b->inflight_hi = hi > floor ? hi : floor;
    b->loss_ewma = 0;
    if (b->state != BBR_PROBE_BW)
        return;
    if (b->pacing_gain > 1.0) {
        bbr_advance_cycle(b, now); /* probing found the limit: down */
        return;
    }
    double lo = b->bw_lo == UINT64_MAX ? (double)b->max_bw : (double)b->bw_lo;
    lo *= BBR_BETA;
    b->bw_lo = (double)b->bw_latest > lo ? b->bw_latest : (uint64_t)lo;
}

static void bbr_round_loss(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe, uint64_t now)
{
    uint64_t sent = b->round_lost + b->round_delivered;
    if (sent)
        b->loss_ewma += ((double)b->round_lost / (double)sent - b->loss_ewma) / 8;
    if (b->state == BBR_PROBE_BW && b->loss_ewma > BBR_LOSS_THRESH) {
        bbr_loss_cut(tcb, b, pipe, now);
    } else if (b->state == BBR_PROBE_BW && b->pacing_gain > 1.0 && b->inflight_hi != UINT32_MAX) {
        uint64_t up = (uint64_t)b->inflight_hi + b->inflight_hi / 4 + bbr_mss(tcb);
        b->inflight_hi = up >= UINT32_MAX ? UINT32_MAX : (uint32_t)up;
    }
    b->round_lost = b->round_delivered = 0;
    b->bw_latest = 0;
    b->round_loss_events = 0;
}

static void bbr_check_loss(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe, uint64_t now)
{
    const struct tcp_rate *r = &b->ext.rate;
    if (b->round_start)
        bbr_round_loss(tcb, b, pipe, now);
    if (r->rate > b->bw_latest)
        b->bw_latest = r->rate;
    b->round_lost += r->newly_lost;
    b->round_delivered += r->newly_acked;
    if (r->newly_lost)
        b->round_loss_events++;
    if (b->state == BBR_STARTUP && b->round_loss_events >= BBR_STARTUP_LOSS_EVENTS &&
        (double)b->round_lost > BBR_LOSS_THRESH * (double)(b->round_lost + b->round_delivered)) {
        b->filled_pipe = true; /* BBRCheckStartupHighLoss */
        bbr_loss_cut(tcb, b, pipe, now);
    }
}

/* The cwnd saved before a recovery or ProbeRTT, restored after it. */
static void bbr_save_cwnd(const struct tcb *tcb, struct tcp_bbr *b)
{
    if (!b->in_recovery && b->state != BBR_PROBE_RTT)
        b->prior_cwnd = tcb->cwnd;
    else if (tcb->cwnd > b->prior_cwnd)
        b->prior_cwnd = tcb->cwnd;
}

static void bbr_restore_cwnd(struct tcb *tcb, const struct tcp_bbr *b)
{
    if (b->prior_cwnd > tcb->cwnd)
        tcb->cwnd = b->prior_cwnd;
}

/* BBRCheckProbeRTT and BBRHandleProbeRTT: after 10 s without a lower RTT,
 * at most 4 segments in flight for 200 ms and a round trip, so the queue
 * drains and the path's own RTT shows; then back to ProbeBW (or Startup). */
static void bbr_probe_rtt(struct tcb *tcb, struct tcp_bbr *b, bool expired, uint32_t pipe,
                          uint64_t now)
{
    struct tcp_rate *r = &b->ext.rate;
    if (b->state != BBR_PROBE_RTT && expired) {
        bbr_save_cwnd(tcb, b);
        b->state = BBR_PROBE_RTT;
        b->pacing_gain = 1.0;
        b->cwnd_gain = 1.0;
        b->probe_rtt_done_stamp = 0;
    }
    if (b->state != BBR_PROBE_RTT)
        return;
    tcp_rate_app_limited(r, pipe); /* its samples are not the path's */
    if (!b->probe_rtt_done_stamp && pipe <= BBR_MIN_PIPE_SEGS * bbr_mss(tcb)) {
        b->probe_rtt_done_stamp = now + BBR_PROBE_RTT_TIME;
        b->probe_rtt_round_done = false;
        b->next_round_delivered = r->delivered;
        return;
    }
    if (!b->probe_rtt_done_stamp)
        return;
    if (b->round_start)
        b->probe_rtt_round_done = true;
    if (!b->probe_rtt_round_done || now <= b->probe_rtt_done_stamp)
        return;
    b->min_rtt_stamp = now;
    bbr_restore_cwnd(tcb, b);
    if (b->filled_pipe)
        bbr_enter_probe_bw(b, now);
    else
        bbr_enter_startup(b);
}

/* ---- the control parameters ---- */

/* BBRSetPacingRateWithGain: never lower before the pipe is full. */
static void bbr_set_pacing_rate(struct tcp_bbr *b)
{
    if (!b->max_bw)
        return;
    double rate = b->pacing_gain * (double)bbr_bw(b) * BBR_PACING_MARGIN;
    uint64_t r = rate < 1.0 ? 1 : (uint64_t)rate;
    if (b->filled_pipe || r > b->ext.pacing_rate)
        b->ext.pacing_rate = r;
}

/* Recovery (draft-cardwell-iccrg-bbr-congestion-control-00 4.2.3.4): on
 * the way in cwnd was set to what is in flight plus a segment (ssthresh);
 * during the first round only what was delivered goes out again; each
 * loss takes its octets off; on the way out the cwnd before is restored.
 * An isolated loss therefore costs no lasting reduction. */
static void bbr_modulate_for_recovery(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe)
{
    const struct tcp_rate *r = &b->ext.rate;
    bool rec = (tcb->flags & (TF_IN_RECOVERY | TF_IN_LOSS)) != 0;
    if (rec && !b->in_recovery) {
        b->in_recovery = true;
        b->packet_conservation = true;
        b->conservation_round = b->round_count;
    } else if (!rec && b->in_recovery) {
        b->in_recovery = false;
        b->packet_conservation = false;
        bbr_restore_cwnd(tcb, b);
        return;
    }
    if (!rec)
        return;
    if (b->round_count > b->conservation_round)
        b->packet_conservation = false; /* a round trip has passed */
    uint32_t mss = bbr_mss(tcb);
    if (r->newly_lost)
        tcb->cwnd = tcb->cwnd > r->newly_lost + mss ? tcb->cwnd - r->newly_lost : mss;
    if (b->packet_conservation && tcb->cwnd < pipe + r->newly_acked)
        tcb->cwnd = pipe + r->newly_acked;
}

/* BBRSetCwnd. */
static void bbr_set_cwnd(struct tcb *tcb, struct tcp_bbr *b, uint32_t pipe)
{
    const struct tcp_rate *r = &b->ext.rate;
    uint32_t target = bbr_inflight(tcb, b, b->cwnd_gain);
    uint32_t floor = BBR_MIN_PIPE_SEGS * bbr_mss(tcb);
    bbr_modulate_for_recovery(tcb, b, pipe);
    if (!b->packet_conservation) {
        uint64_t grown = (uint64_t)tcb->cwnd + r->newly_acked;
        if (b->filled_pipe)
            tcb->cwnd = (uint32_t)(grown < target ? grown : target);
        else if (tcb->cwnd < target || r->delivered < b->iw)
            tcb->cwnd = grown > UINT32_MAX ? UINT32_MAX : (uint32_t)grown;
        if (tcb->cwnd < floor)
            tcb->cwnd = floor;
    }
    if (b->inflight_hi < tcb->cwnd) /* BBRBoundCwndForModel */
        tcb->cwnd = b->inflight_hi > floor ? b->inflight_hi : floor;
    if (b->state == BBR_PROBE_RTT && tcb->cwnd > floor)
        tcb->cwnd = floor;
}

/* BBRUpdateOnACK: every ACK, in recovery too. */
static void bbr_on_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    (void)t;
    struct tcp_bbr *b = bbr_of(tcb);
    if (!b)
        return;
    struct tcp_rate *r = &b->ext.rate;
    bool valid = tcp_rate_sample(r, b->min_rtt == BBR_NO_RTT ? 0 : b->min_rtt);
    uint32_t pipe = tcp_sb_pipe(tcb);
    bbr_update_round(b, r);
    bbr_update_max_bw(b, r, valid);
    bbr_check_loss(tcb, b, pipe, now);
    bbr_check_full_pipe(b, r);
    bbr_check_drain(tcb, b, pipe, now);
    bbr_update_cycle(tcb, b, pipe, r->newly_lost, now);
    bool expired = bbr_update_min_rtt(b, r, now);
    bbr_probe_rtt(tcb, b, expired, pipe, now);
    bbr_set_pacing_rate(b);
    bbr_set_cwnd(tcb, b, pipe);
    r->rs_rtt = 0;
}

bool tcp_bbr_view(const struct tcb *tcb, struct tcp_bbr_view *v)
{
    const struct tcp_bbr *b = tcb->cc == &tcp_cc_bbr ? bbr_of(tcb) : NULL;
    if (!b)
        return false;
    *v = (struct tcp_bbr_view){.state = b->state, .filled_pipe = b->filled_pipe,
                               .max_bw = b->max_bw, .pacing_rate = b->ext.pacing_rate,
                               .min_rtt = b->min_rtt, .round_count = b->round_count};
    return true;
}

/* ---- struct tcp_cc_ops ---- */

static void bbr_release(struct tcb *tcb)
{
    free(bbr_of(tcb));
    tcb->cc_priv[0] = 0;
}

/* BBRInit: Startup, paced at 2.77 x IW per SRTT (per ms without one). */
static void bbr_init(struct tcb *tcb)
{
    struct tcp_bbr *b = bbr_of(tcb);
    if (!b)
        b = malloc(sizeof *b);
    if (!b)
        return; /* tcp_cc_init_failed: the caller falls back */
    *b = (struct tcp_bbr){.min_rtt = BBR_NO_RTT, .iw = tcb->cwnd, .inflight_hi = UINT32_MAX,
                          .bw_lo = UINT64_MAX};
    tcb->cc_priv[0] = (uint64_t)(uintptr_t)b;
    if (tcb->flags & TF_HAVE_RTT)
        b->min_rtt = tcb->srtt ? tcb->srtt : 1;
    bbr_enter_startup(b);
    uint64_t rtt = b->min_rtt != BBR_NO_RTT ? b->min_rtt : SYNACK_MSEC;
    b->ext.pacing_rate = (uint64_t)(BBR_STARTUP_PACING_GAIN * tcb->cwnd * SYNACK_SEC / rtt);
    b->ext.rate.delivered = 0;
}

/* Entering a recovery (or a timeout, an ECN-Echo, a repaired tail loss):
 * cwnd becomes what is in flight plus one segment; the cwnd before is
 * kept to be restored. */
static uint32_t bbr_ssthresh(struct tcb *tcb, uint32_t flight)
{
    (void)flight;
    struct tcp_bbr *b = bbr_of(tcb);
    if (b)
        bbr_save_cwnd(tcb, b);
    uint32_t pipe = tcb->rec->scoreboard ? tcp_sb_pipe(tcb) : cc_flight_size(tcb);
    return pipe + bbr_mss(tcb);
}

/* Without SACK there are no rate samples: NewReno's growth (RFC 5681). */
static void bbr_cong_avoid(struct tcb *tcb, uint32_t acked, uint64_t now)
{
    if (tcb->rec->scoreboard && bbr_of(tcb))
        return; /* bbr_on_ack sets cwnd */
    cc_reno_cong_avoid(tcb, acked, now);
}

const struct tcp_cc_ops tcp_cc_bbr = {
    .name = "bbr",
    .id = SYNACK_CONGESTION_BBR,
    .init = bbr_init,
    .ssthresh = bbr_ssthresh,
    .cong_avoid = bbr_cong_avoid,
    .on_ack = bbr_on_ack,
    .release = bbr_release,
    .ext = true,
};

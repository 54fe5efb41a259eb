/* CUBIC (RFC 9438) behind struct tcp_cc_ops: the window as a cubic
 * function of the time since the last congestion event, the Reno-friendly
 * region, fast convergence and beta_cubic 0.7. Slow start, loss detection
 * and recovery stay the generic ones (tcp_cc.c, tcp_recovery.c).
 *
 * Windows are kept in octets; the RFC's formulas are in segments (SMSS)
 * and seconds, and tcp_cubic_k / tcp_cubic_window compute them as written. */
#include "tcp/tcp_internal.h"

#define CUBIC_C 0.4    /* RFC 9438 4.1, 5: C, segments per second cubed */
#define CUBIC_BETA 0.7 /* RFC 9438 4.6: beta_cubic */
/* RFC 9438 4.3: alpha_cubic, the additive increase that makes the AIMD of
 * W_est as fast as Reno's on average with beta_cubic's smaller reduction. */
#define CUBIC_ALPHA (3.0 * (1.0 - CUBIC_BETA) / (1.0 + CUBIC_BETA))

_Static_assert(sizeof(struct tcp_cubic) <= sizeof(((struct tcb *)0)->cc_priv),
               "struct tcp_cubic fits in tcb->cc_priv");

struct tcp_cubic *tcp_cubic_of(struct tcb *tcb)
{
    return (struct tcp_cubic *)(void *)tcb->cc_priv;
}

/* The real cube root (of a negative number too), by Newton's method: the
 * stack does not link libm. */
static double cube_root(double x)
{
    if (x == 0)
        return 0;
    double a = x < 0 ? -x : x, y = a > 1 ? a : 1;
    for (int i = 0; i < 200; i++) {
        double next = (2 * y + a / (y * y)) / 3;
        if (next >= y) /* decreasing from above the root until it stops */
            break;
        y = next;
    }
    return x < 0 ? -y : y;
}

/* RFC 9438 4.2, Figure 2: K = cubic_root((W_max - cwnd_epoch) / C). */
double tcp_cubic_k(double w_max, double cwnd_epoch)
{
    return cube_root((w_max - cwnd_epoch) / CUBIC_C);
}

/* RFC 9438 4.2, Figure 1: W_cubic(t) = C * (t - K)^3 + W_max. */
double tcp_cubic_window(double t, double k, double w_max)
{
    double d = t - k;
    return CUBIC_C * d * d * d + w_max;
}

static uint32_t octets(double w)
{
    if (!(w > 0))
        return 0;
    return w >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)w;
}

static void cubic_init(struct tcb *tcb)
{
    *tcp_cubic_of(tcb) = (struct tcp_cubic){.t_epoch = 0};
}

/* RFC 9438 4.6 and 4.7: a congestion event (loss, ECN-Echo, a repaired
 * tail loss). W_max remembers the window it happened at, lowered further
 * when it came below the last one (fast convergence: another flow is
 * taking a share); the next stage starts afresh. */
static uint32_t cubic_ssthresh(struct tcb *tcb, uint32_t flight)
{
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    if (tcb->cwnd < c->w_max)
        c->w_max = octets(tcb->cwnd * (1.0 + CUBIC_BETA) / 2.0);
    else
        c->w_max = tcb->cwnd;
    c->cwnd_prior = tcb->cwnd;
    c->t_epoch = 0;
    uint32_t ss = octets((double)flight * CUBIC_BETA); /* ssthresh = flight_size * beta_cubic */
    uint32_t floor = 2u * tcb->snd_mss;
    return ss > floor ? ss : floor;
}

/* The stage begins: K from W_max and cwnd_epoch (4.2), W_est from cwnd
 * (4.3); after a timeout W_max = cwnd_epoch, so K = 0 (4.8). */
static void cubic_epoch_start(struct tcb *tcb, struct tcp_cubic *c, uint64_t now)
{
    double smss = tcb->snd_mss;
    c->t_epoch = now ? now : 1;
    c->cwnd_epoch = tcb->cwnd;
    c->w_est = tcb->cwnd;
    if (!c->w_max) /* after a timeout (or before any loss) */
        c->w_max = tcb->cwnd;
    double k = tcp_cubic_k(c->w_max / smss, c->cwnd_epoch / smss) * SYNACK_SEC;
    c->k_us = k > INT32_MAX ? INT32_MAX : k < -INT32_MAX ? -INT32_MAX : (int32_t)k;
}

/* RFC 9438 4.3-4.5, on each ACK of new data in congestion avoidance. */
static void cubic_avoid(struct tcb *tcb, struct tcp_cubic *c, uint32_t acked, uint64_t now)
{
    if (!c->t_epoch)
        cubic_epoch_start(tcb, c, now);
    double smss = tcb->snd_mss, cwnd = tcb->cwnd;
    double t = (double)(now - c->t_epoch) / SYNACK_SEC, k = (double)c->k_us / SYNACK_SEC;
    double rtt = (tcb->flags & TF_HAVE_RTT) ? (double)tcb->srtt / SYNACK_SEC : 0;
    /* 4.3: W_est grows by alpha_cubic segments per window acknowledged,
     * by 1 once it has reached cwnd_prior */
    double alpha = c->w_est >= c->cwnd_prior ? 1.0 : CUBIC_ALPHA;
    c->w_est += alpha * smss * acked / cwnd;
    if (c->w_est > (double)UINT32_MAX)
        c->w_est = UINT32_MAX;
    double w_cubic = tcp_cubic_window(t, k, c->w_max / smss) * smss;
    if (w_cubic < c->w_est) { /* the Reno-friendly region: cwnd = W_est */
        if (c->w_est > cwnd)
            tcb->cwnd = octets(c->w_est);
        return;
    }
    /* 4.4, 4.5: concave and convex regions alike: aim at W_cubic one RTT
     * ahead, at least cwnd and at most 1.5 cwnd, and close
     * (target - cwnd) / cwnd of the gap per segment acknowledged */
    double target = tcp_cubic_window(t + rtt, k, c->w_max / smss) * smss;
    if (target < cwnd)
        target = cwnd;
    if (target > 1.5 * cwnd)
        target = 1.5 * cwnd;
    tcb->cwnd = octets(cwnd + (target - cwnd) * acked / cwnd);
}

static void cubic_cong_avoid(struct tcb *tcb, uint32_t acked, uint64_t now)
{
    if (tcb->cwnd < tcb->ssthresh) {
        cc_slow_start(tcb, acked); /* 4.10 */
        return;
    }
    /* 5.8: an application- (or receiver-) limited sender does not grow
     * cwnd: what was in flight before this ACK (the output filled cwnd
     * after the last one, if it had the data and the window) left a
     * segment of it unused. t leaves that time out: the stage begins
     * again from this cwnd, toward the same W_max, once cwnd is used. */
    uint64_t flight = (uint64_t)cc_flight_size(tcb) + acked;
    if (flight + tcb->snd_mss <= tcb->cwnd) {
        tcp_cubic_of(tcb)->t_epoch = 0;
        return;
    }
    cubic_avoid(tcb, tcp_cubic_of(tcb), acked, now);
}

static void cubic_event(struct tcb *tcb, enum tcp_cc_event ev)
{
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    if (ev == CC_EV_RTO)
        c->w_max = 0; /* 4.8: W_max is cwnd where the next stage begins */
    /* An RTO or a restart after idle (RFC 5681 4.1): the stage begins
     * again when cwnd next grows in congestion avoidance, so t counts
     * neither the idle nor the lost time (W_cubic would leap). */
    c->t_epoch = 0;
}

const struct tcp_cc_ops tcp_cc_cubic = {
    .name = "cubic",
    .id = SYNACK_CONGESTION_CUBIC,
    .init = cubic_init,
    .ssthresh = cubic_ssthresh,
    .cong_avoid = cubic_cong_avoid,
    .hystart = true,
    .event = cubic_event,
};

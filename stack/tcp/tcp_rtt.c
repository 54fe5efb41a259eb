/* Round-trip time estimation and the retransmission timeout (RFC 6298,
 * RFC 9293 3.8.1). Times are microseconds. Karn's algorithm (MUST-18) lives
 * where samples are taken: only segments never retransmitted are timed. */
#include "tcp/tcp_internal.h"
#include "util/mutant.h"

#define RTT_G 1000u /* clock granularity term G: 1 ms (RFC 6298 4) */

static uint64_t clamp_rto(const struct tcp_ctx *t, uint64_t rto)
{
    if (rto < t->cfg->rto_min) /* RFC 6298 2.4: round up to RTO_MIN (1 s) */
        rto = t->cfg->rto_min;
    if (rto > t->cfg->rto_max) /* RFC 6298 2.5: a cap of at least 60 s */
        rto = t->cfg->rto_max;
    return rto;
}

/* RFC 6298 2.1: before any sample, RTO = 1 s. */
void rtt_init(const struct tcp_ctx *t, struct tcb *tcb)
{
    tcb->srtt = 0;
    tcb->rttvar = 0;
    tcb->rto = MUT(initial_rto_200ms, 200u * SYNACK_MSEC, (uint32_t)t->cfg->rto_initial); /* =< 1 hour */
    tcb->backoff = 0;
    tcb->flags &= ~TF_HAVE_RTT;
}

void rtt_sample(const struct tcp_ctx *t, struct tcb *tcb, uint64_t r)
{
    rtt_sample_weighted(t, tcb, r, 1);
}

void rtt_sample_weighted(const struct tcp_ctx *t, struct tcb *tcb, uint64_t r, uint32_t n)
{
    if (n == 0)
        n = 1;
    if (r > UINT32_MAX)
        r = UINT32_MAX; /* 71 minutes: beyond any R2 (tcb.h) */
    if (!(tcb->flags & TF_HAVE_RTT)) {
        /* RFC 6298 2.2: SRTT <- R, RTTVAR <- R/2 */
        tcb->srtt = (uint32_t)r;
        tcb->rttvar = (uint32_t)(r / 2);
        tcb->flags |= TF_HAVE_RTT;
    } else {
        /* RFC 6298 2.3: RTTVAR first, with the old SRTT; beta 1/4, alpha
         * 1/8, each divided by n (RFC 7323 Appendix G) */
        uint64_t srtt = tcb->srtt, rttvar = tcb->rttvar; /* no overflow in 64 bits */
        uint64_t delta = srtt > r ? srtt - r : r - srtt;
        tcb->rttvar = (uint32_t)(((4 * (uint64_t)n - 1) * rttvar + delta) / (4 * (uint64_t)n));
        tcb->srtt = (uint32_t)(((8 * (uint64_t)n - 1) * srtt + r) / (8 * (uint64_t)n));
    }
    /* RTO <- SRTT + max(G, K*RTTVAR), K = 4 */
    uint64_t var = 4 * (uint64_t)tcb->rttvar;
    tcb->rto = (uint32_t)clamp_rto(t, tcb->srtt + (var > RTT_G ? var : RTT_G)); /* =< rto_max */
    tcb->backoff = 0; /* a valid sample ends Karn's backed-off RTO */
    cc_rtt_sample(tcb, r);
}

/* RFC 6298 5.5: RTO <- RTO * 2, up to the maximum. */
void rto_backoff(const struct tcp_ctx *t, struct tcb *tcb)
{
    if (rto_current(t, tcb) < t->cfg->rto_max && !MUTANT(rto_no_backoff))
        tcb->backoff++;
}

uint64_t rto_current(const struct tcp_ctx *t, const struct tcb *tcb)
{
    uint64_t rto = tcb->rto;
    for (uint32_t i = 0; i < tcb->backoff && rto < t->cfg->rto_max; i++)
        rto *= 2;
    return rto > t->cfg->rto_max ? t->cfg->rto_max : rto;
}

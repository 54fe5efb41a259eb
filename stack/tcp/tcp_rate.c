/* Delivery-rate estimation (draft-cheng-iccrg-delivery-rate-estimation-02)
 * for a model-based congestion control (BBR, tcp_bbr.c): each segment
 * remembers how much had been delivered, and when, as it was sent; when it
 * is delivered, the octets delivered since over the longer of the send and
 * the ACK intervals is a sample of the delivery rate. The per-segment state
 * lives in the scoreboard's entries (struct tx_seg), so rates are sampled
 * only when SACK is in use. Octets, microseconds; rates in octets/s. */
#include "tcp/tcp_internal.h"

static uint32_t clamp32(uint64_t v)
{
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* 3.2 "Upon transmitting a data packet". */
void tcp_rate_sent(struct tcp_rate *r, struct tx_seg *s, bool idle, uint64_t now)
{
    if (idle) /* nothing in flight: the intervals start afresh */
        r->first_send_time = r->delivered_time = now;
    s->delivered = (uint32_t)r->delivered;
    s->since_delivered = clamp32(now - r->delivered_time);
    s->since_first_send = clamp32(now - r->first_send_time);
    if (r->app_limited)
        s->flags |= TXS_APP_LIMITED;
    else
        s->flags &= (uint8_t)~TXS_APP_LIMITED;
}

/* The octets delivered when s was sent, as a 64-bit count: its 32 bits
 * are the low bits of C.delivered then, at most 4 GiB ago. */
static uint64_t seg_delivered(const struct tcp_rate *r, const struct tx_seg *s)
{
    return r->delivered - (uint32_t)((uint32_t)r->delivered - s->delivered);
}

/* 3.3 UpdateRateSample(P): the sample is taken from the most recently
 * sent of the segments this ACK delivers. */
void tcp_rate_delivered(struct tcp_rate *r, struct tx_seg *s, uint64_t now)
{
    uint64_t p_delivered = seg_delivered(r, s);
    uint32_t len = s->end - s->start;
    r->delivered += len;
    r->delivered_time = now;
    r->acked_pending += len;
    if (r->has_data && p_delivered < r->prior_delivered)
        return;
    r->has_data = true;
    r->prior_delivered = p_delivered;
    r->prior_time = s->xmit - s->since_delivered;
    r->is_app_limited = (s->flags & TXS_APP_LIMITED) != 0;
    r->send_elapsed = s->since_first_send;
    r->ack_elapsed = now - r->prior_time;
    r->first_send_time = s->xmit;
    r->rs_rtt = (s->flags & TXS_EVER_RXT) ? 0 : now - s->xmit;
}

/* 3.3 GenerateRateSample(): after every segment the ACK delivered. The
 * ACK's counts start again for the next one. */
bool tcp_rate_sample(struct tcp_rate *r, uint32_t min_rtt)
{
    if (r->app_limited && r->delivered > r->app_limited)
        r->app_limited = 0; /* the limited stretch is delivered */
    r->newly_acked = r->acked_pending;
    r->acked_pending = 0;
    r->newly_lost = clamp32(r->lost - r->lost_before);
    r->lost_before = r->lost;
    r->rate = 0;
    r->interval = 0;
    bool ok = r->has_data;
    r->has_data = false;
    if (!ok)
        return false;
    /* The longer interval: a burst of ACKs (ACK compression) or of sends
     * cannot make the rate look higher than the path's. */
    uint64_t interval = r->send_elapsed > r->ack_elapsed ? r->send_elapsed : r->ack_elapsed;
    r->rs_delivered = r->delivered - r->prior_delivered;
    if (!interval || interval < min_rtt)
        return false; /* shorter than a round trip: not a sample of the path */
    r->interval = interval;
    r->rate = r->rs_delivered * SYNACK_SEC / interval;
    return true;
}

/* 3.4: nothing left to send and room in cwnd: the samples until what is
 * in flight now is delivered measure the application, not the path. */
void tcp_rate_app_limited(struct tcp_rate *r, uint32_t pipe)
{
    uint64_t mark = r->delivered + pipe;
    r->app_limited = mark ? mark : 1;
}

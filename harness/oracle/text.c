/* RFC 9293 3.10.7.4, sixth and seventh steps: URG and the segment text,
 * from the sender's side. New data stays within the window the receiver
 * offered (SHLD-15) and the MSS it announced (MUST-16); a transmission of
 * what was sent before is a retransmission, judged by timing.c when the
 * timer made it; the receiver owes an ACK within 500 ms (MUST-40). The
 * urgent pointer has no rule: RFC 9293 3.8.5 leaves what it points at to
 * the sender. */
#include "oracle/model.h"

/* The receiver's window and MSS. */
void o_check_window_mss(struct oracle *o, const struct o_inc *c, const struct o_side *s,
                        const struct o_side *r, const struct segv *v)
{
    if (v->len == 0 || HAS(v, SYNACK_TCP_RST))
        return;
    uint32_t dend = v->data_start + v->len;
    bool new_data = !s->sent_any || seq_gt(dend, s->snd_max);
    if (new_data && r->edge_known && !c->closed) {
        /* SND.WND is an offset from SND.UNA (RFC 9293 3.10.7.4 fifth
         * check): an ACK too old by SND.WL1/WL2 to set the window still
         * moves SND.UNA, and the right edge with it */
        uint32_t edge = r->edge_max;
        if (r->wl_known && seq_gt(r->ack_last + r->wnd_rfc, edge))
            edge = r->ack_last + r->wnd_rfc;
        uint32_t over = dend - edge;
        bool probe = over == 1 && (r->wnd_last == 0 || r->wnd_rfc == 0); /* into a closed window */
        if ((int32_t)over > 0 && !probe)
            o_finding(o, RULE_BEYOND_WINDOW, "data up to %u octets beyond the right edge the "
                    "receiver offered (window %u at ACK relative %u)", over, r->wnd_last,
                    s->syn_seen ? r->ack_last - s->iss : r->ack_last);
    }
    if (r->syn_seen && !(r->offer.mss_present && r->offer.mss == 0)) {
        /* MUST-15: without the option, 536 (IPv4) or 1220 (IPv6) */
        long send_mss = r->offer.mss_present ? r->offer.mss : v->v6 ? 1220 : 536;
        long limit = send_mss + 20 - (long)v->th->doff * 4 - (long)v->ip_opts;
        if ((long)v->len > limit)
            o_finding(o, RULE_EXCEEDS_MSS, "%u octets of data; the receiver's MSS %ld allows %ld "
                    "with these headers", v->len, send_mss, limit);
    }
}

static struct o_seg *seg_find(struct o_side *s, uint32_t seq)
{
    for (size_t i = 0; i < s->nsegs; i++)
        if (seq_ge(seq, s->segs[i].seq) && seq_lt(seq, s->segs[i].end))
            return &s->segs[i];
    return NULL;
}

static void debt_add(struct o_side *r, uint32_t end, uint64_t now, unsigned pkt)
{
    for (size_t i = 0; i < r->ndebts; i++)
        if (r->debts[i].end == end)
            return;
    if (r->ndebts < ORACLE_DEBTS)
        r->debts[r->ndebts++] = (struct o_debt){end, now, pkt};
}

/* The sender sent from seq again: the receiver may only have it now, and
 * what came after it was out of order there until now. */
static void debt_retime(struct o_side *r, uint32_t seq, uint64_t now)
{
    for (size_t i = 0; i < r->ndebts; i++)
        if (seq_gt(r->debts[i].end, seq))
            r->debts[i].since = now;
}

/* r acknowledges up to ack what its peer d sent. The capture may be
 * taken at d, a round trip away from r: the smallest RTT sample of d's
 * data is allowed on top of the 500 ms. */
void o_debt_pay(struct oracle *o, struct o_side *r, const struct o_side *d, uint32_t ack)
{
    uint64_t path = d->have_rtt ? (uint64_t)d->rtt_min : 0;
    size_t k = 0;
    for (size_t i = 0; i < r->ndebts; i++) {
        struct o_debt *db = &r->debts[i];
        if (!seq_le(db->end, ack)) {
            r->debts[k++] = *db;
            continue;
        }
        uint64_t delay = o->now - db->since;
        if (delay > o->cfg.ack_delay_max_us + o->cfg.slack_us + path)
            o_finding(o, RULE_ACK_DELAYED, "acknowledges what packet %u carried %.3f s after it "
                    "arrived (at most 0.5 s)", db->packet, delay / 1e6);
    }
    r->ndebts = k;
}

/* With SACK a sender may run RACK-TLP (RFC 8985): a tail loss probe sends
 * the last segment again after a PTO of about two SRTTs (7.2), no later
 * than the RTO, and restarts the RTO behind it (7.3). The last segment
 * sent again before any timeout in the episode may be that probe */
static bool tail_loss_probe(const struct o_inc *c, const struct o_side *s, const struct segv *v,
                            const struct o_seg *g)
{
    /* (the last segment sent again may be shorter than it was: its
     * options grew, SACK blocks among them, in the same MSS) */
    bool last = v->end == s->snd_max || (g && g->end == s->snd_max);
    return c->neg.sack && s->backoff == 0 && last && !HAS(v, SYNACK_TCP_SYN);
}

/* A retransmission: what may have clocked it out (an ACK, s->last_trigger;
 * for a SYN or SYN-ACK sent again, any segment of the other side, since an
 * unacceptable one in SYN-SENT or SYN-RECEIVED is answered so), or the
 * timer, whose rules it then answers to. */
static void send_again(struct oracle *o, const struct o_inc *c, struct o_side *s,
                       struct o_side *r, const struct segv *v, bool probing)
{
    struct o_seg *g = seg_find(s, v->seq);
    unsigned trig = s->last_trigger;
    uint64_t trig_t = s->last_trigger_time;
    if (HAS(v, SYNACK_TCP_SYN) && r->has_last && r->last_pkt > trig) {
        trig = r->last_pkt;
        trig_t = r->last_time;
    }
    /* clocked since the data last went out (in packet order: times may
     * tie); for data no longer remembered, since the timer (re)started,
     * the ACK that restarted it included */
    bool clocked = g ? trig > g->last_pkt : trig >= s->timer_pkt;
    uint64_t prev_t = g ? g->last_tx : s->timer_start;
    if (o->cfg.skew_us && trig && trig_t + 2 * o->cfg.skew_us >= prev_t)
        clocked = true; /* the ACK may have reached the sender after the data left */
    bool tlp = tail_loss_probe(c, s, v, g);
    if (tlp) { /* the probe's own timer, not the RTO's: an answer, which rearms it */
        clocked = true;
        trig_t = o->now;
    }
    uint32_t una = s->una_known ? s->snd_una : s->iss;
    if (!probing && s->timer_on && v->seq == una) {
        /* an answer to the ACK comes with it; long after it and late
         * enough for the timer, it is the timer's: counted for backoff */
        bool answer = o->now <= trig_t + o->cfg.slack_us + 2 * o->cfg.skew_us;
        /* with SACK, RACK's reordering timer sends a loss an ACK showed up
         * to reo_wnd (at most SRTT) after it (RFC 8985 6.2, 6.3): an answer */
        answer |= c->neg.sack && o->now <= trig_t + o_rto_estimate(o, s) + o->cfg.slack_us;
        if (!clocked) {
            o_check_timeout(o, s);
        } else { /* with the other side's segment, but late enough for the
                  * timer: either (a timer firing just after a segment it
                  * dropped); long after it, the timer's */
            o_timer_clocked(o, s, answer);
            if (answer)
                o_timer_rearmed(o, s);
        }
    } else if (tlp && s->timer_on) {
        o_timer_rearmed(o, s); /* a probe past SND.UNA: the RTO restarts behind it */
    }
    if (g) {
        g->last_pkt = o->pkt;
        g->last_tx = o->now;
        g->tx++;
    }
    s->timing = false; /* RTT_TIMED: Karn, what is timed may have gone again */
    debt_retime(r, v->seq, o->now);
}

/* A first transmission (or a late copy of one: `late`, the packet that
 * jumped over it), or retracted probe octets sent again. */
static void send_first(struct oracle *o, const struct o_inc *c, struct o_side *s,
                       const struct segv *v, unsigned late, bool probing, bool retracted)
{
    /* A probe into a closed window is answered when the window opens,
     * not an RTT later: BSD does not time it (tcp_output, t_force), and
     * no estimator here samples it (RFC 6298 3 leaves which segments
     * to time to the sender) */
    /* (nor octets a closed window retracted: the stack may count them as
     * sent before, and by Karn's rule times none of them) */
    bool untimed = late || probing || retracted;
    if (!s->timing && !untimed) { /* RTT_TIMED: time this one */
        s->timing = true;
        s->timed_seq = v->seq;
        s->timed_tx = o->now;
    }
    if (!s->timer_on) { /* RFC 6298 5.1 (the readings of a timer that ran
                         * on by another rule stay: o_timer_window_opens) */
        s->timer_on = true;
        s->timer_start = o->now;
        s->timer_pkt = o->pkt;
    } else if (c->neg.sack && s->backoff == 0 && !HAS(v, SYNACK_TCP_SYN)) {
        /* a tail loss probe may send new data, and restarts the RTO behind
         * it (RFC 8985 7.3): a reading in which it did */
        o_timer_rearmed(o, s);
    } else if (retracted && seq_lt(v->seq, s->snd_max)) {
        /* retracted octets again, with the timer on (an ACK restarted
         * it, RFC 6298 5.3): a first transmission, or the timer's
         * retransmission of octets a stack counts as sent */
        o_timer_clocked(o, s, true);
    }
    if (s->nsegs < ORACLE_SEGS) /* a late copy: sent before the hole showed */
        s->segs[s->nsegs++] = (struct o_seg){v->seq, v->end, o->now, o->now,
                                             late ? late : o->pkt,
                                             untimed ? 2u : 1u};
    /* (tx 2: no sample from it) */
}

/* MUST-40: the receiver owes an ACK for new in-order data or a FIN ... */
static void send_owes_ack(struct oracle *o, const struct o_inc *c, const struct o_side *s,
                          struct o_side *r, const struct segv *v)
{
    uint32_t dend = v->data_start + v->len;
    /* (a FIN at or past the right edge the receiver last announced lies
     * outside its window: trimmed, RFC 9293 3.10.7.4 first check, so not
     * owed) */
    bool fin_in = HAS(v, SYNACK_TCP_FIN) && r->acked && seq_lt(dend, r->ack_last + r->wnd_adv);
    uint32_t owed = dend + (fin_in ? 1 : 0);
    /* ... once the handshake is over for it: before its SYN is
     * acknowledged a receiver queues what comes (3.10.7.4), without ACKs */
    bool synced = s->acked && seq_ge(s->ack_last, r->iss + 1) && !HAS(v, SYNACK_TCP_SYN);
    /* ... and on a segment with ACK: one without is dropped unread (RFC 9293
     * 3.10.7.4 fifth check) */
    synced = synced && HAS(v, SYNACK_TCP_ACK);
    if ((v->len || fin_in) && s->syn_seen && r->syn_seen && r->acked && synced &&
        !c->closed && seq_gt(owed, r->ack_last) && seq_le(v->seq, s->snd_max) &&
        r->edge_known && seq_le(dend, r->edge_max))
        debt_add(r, owed, o->now, o->pkt);
}

/* s sends sequence space (data, SYN or FIN). */
void o_on_send(struct oracle *o, const struct o_inc *c, struct o_side *s, struct o_side *r,
               const struct segv *v)
{
    if (HAS(v, SYNACK_TCP_SYN) && v->seq != s->iss)
        return; /* a SYN with another ISN is not part of this stream */
    unsigned late = o_hole_fill(s, v->seq, v->end); /* reordered, or lost before the capture */
    if (late)
        debt_retime(r, v->seq, o->now);
    /* (retracted octets were sent before: past SND.MAX it is new data) */
    bool retracted = s->retracted && s->una_known && v->seq == s->snd_una &&
                     seq_lt(v->seq, s->snd_max);
    s->retracted = false;
    bool probing = r->acked && (r->wnd_last == 0 || r->wnd_rfc == 0); /* a closed window */
    if (probing && v->len && !s->probe_sent) { /* (o_timer_window_opens) */
        s->probe_sent = true;
        s->probe_tx = o->now;
        s->probe_pkt = o->pkt;
    }
    bool retx = !late && !retracted && s->sent_any && seq_lt(v->seq, s->snd_max) &&
                (!s->una_known || seq_gt(v->end, s->snd_una));
    if (retx)
        send_again(o, c, s, r, v, probing);
    else
        send_first(o, c, s, v, late, probing, retracted);
    send_owes_ack(o, c, s, r, v);
}

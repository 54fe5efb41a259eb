/* RFC 9293 3.10.7.4, fifth check: ACK. What the ACK tells of its sender
 * as a receiver (RCV.NXT, the window it offers, by the SND.WL1/WL2 rule
 * and by Linux's) and what it does to the other side as a sender
 * (SND.UNA, RTT samples, the retransmission timer, what it may clock
 * out); an ACK of sequence numbers never sent is a finding
 * (ack-of-unsent-data). */
#include "oracle/model.h"

bool o_acks_unsent(const struct o_side *r, uint32_t ack)
{
    return r->syn_seen && r->sent_any && seq_gt(ack, r->snd_max);
}

/* r's SYN not acknowledged yet: an ACK at or before its ISS (one 2^31
 * away is before it by RFC 1982) is not acceptable in SYN-SENT or
 * SYN-RECEIVED (RFC 9293 3.10.7.3 first check, 3.10.7.4 fifth check). r
 * answers it with a RST and drops it: it offers no window */
static bool refused_in_handshake(const struct o_side *r, uint32_t ack)
{
    return r->syn_seen && r->una_known && r->snd_una == r->iss && seq_le(ack, r->iss);
}

/* s's segment lies wholly before the RCV.NXT r announced: r finds it not
 * acceptable and drops it after sending an ACK, its ACK field and window
 * unread (RFC 9293 3.10.7.4 first check; Linux drops what ends before the
 * RCV.NXT of its last window update) */
static bool before_rcv_nxt(const struct o_side *s, const struct o_side *r, const struct segv *v)
{
    /* (its last sequence number, end - 1, before RCV.NXT; an empty one's
     * SEG.SEQ before it) */
    bool before = v->end != v->seq ? seq_le(v->end, r->ack_last) : seq_lt(v->seq, r->ack_last);
    return !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST) && s->syn_seen && r->acked &&
           seq_ge(r->ack_last, s->iss + 1) && before;
}

/* ... or starts beyond any window r could have open: further past its
 * RCV.NXT than the largest window it offered (65535 at least, the most
 * an unscaled field says). Not acceptable either (first check, all four
 * cases): dropped unread */
static bool beyond_rcv_wnd(const struct o_side *s, const struct o_side *r, const struct segv *v)
{
    uint32_t reach = r->wnd_max > 65535 ? r->wnd_max : 65535;
    return !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST) && s->syn_seen && r->acked &&
           seq_ge(r->ack_last, s->iss + 1) && seq_ge(v->seq, r->ack_last + reach);
}

/* s's segment starts past the right edge r last announced (RCV.NXT +
 * RCV.WND) but within the window r could have opened since without a word
 * (RFC 9293 3.8.6.2.2 lets a receiver open it unannounced), or lies behind
 * octets r may have taken (above): r took it or dropped it (first check),
 * the wire does not say which. It matters when its ACK would move r's
 * SND.UNA: both readings are kept (READ_SEG_DROPPED) */
/* ... or it lies wholly before octets s sent earlier into r's window,
 * which r has not acknowledged yet: had r taken them, its RCV.NXT is past
 * this segment, which fails the same test (3.10.7.4 first check) */
static bool behind_unacked_text(const struct o_side *s, const struct o_side *r,
                                const struct segv *v)
{
    uint32_t wnd = r->wnd_adv ? r->wnd_adv : 1, taken = s->snd_max; /* RCV.NXT at most */
    for (size_t i = 0; i < s->nholes; i++) /* (not past an octet never sent) */
        if (seq_lt(s->holes[i].start, taken))
            taken = s->holes[i].start;
    bool behind = v->end != v->seq ? seq_le(v->end, taken) : seq_lt(v->seq, taken);
    return s->sent_any && seq_gt(taken, r->ack_last) && behind && seq_in(v->seq, r->ack_last, wnd);
}

bool o_ack_maybe_dropped(const struct o_side *s, const struct o_side *r, const struct segv *v)
{
    /* (first what is cheap and mostly false: an ACK that would move SND.UNA) */
    if (!HAS(v, SYNACK_TCP_ACK) || HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST) || !r->sent_any ||
        !r->una_known || !seq_gt(v->th->ack, r->snd_una) || !seq_le(v->th->ack, r->snd_max) ||
        !s->syn_seen || !r->acked || !seq_ge(r->ack_last, s->iss + 1))
        return false;
    uint32_t edge = r->ack_last + r->wnd_adv;
    bool past = r->wnd_adv ? seq_ge(v->seq, edge) : seq_gt(v->seq, r->ack_last);
    return (past || behind_unacked_text(s, r, v)) && !beyond_rcv_wnd(s, r, v);
}

/* The window by RFC 9293 3.10.7.4's SND.WL1/WL2 rule opens now, though
 * the window field did not change: the segment that first carried it was
 * older than SND.WL1 and left the window closed at the sender, this one
 * updates it (Linux's view opened with the first) */
static bool wl_rule_opens(const struct o_side *s, bool was_closed, uint32_t wnd_rfc_before,
                          uint32_t wnd, bool outside)
{
    return !outside && wnd && was_closed && wnd_rfc_before == 0 && s->wnd_rfc != 0;
}

/* What the ACK did to the window as the data sender sees it. */
struct ack_window {
    bool stale;        /* on a segment outside RCV.NXT's window: dropped unread */
    bool outside;      /* outside SND.UNA =< SEG.ACK =< SND.NXT: no window update */
    bool changed;      /* a window update */
    bool rfc_opens;    /* ... by the SND.WL1/WL2 rule alone */
    bool opens;        /* a closed window opens */
    bool one_rule;     /* ... that only one of the two rules had closed */
    uint32_t wnd;
};

/* s as a receiver: RCV.NXT, the window it offers, its highest right edge. */
static struct ack_window ack_window(const struct o_inc *c, struct o_side *s, const struct o_side *r,
                                    const struct segv *v, bool dropped)
{
    const struct synack_tcp *th = v->th;
    uint32_t ack = th->ack;
    struct ack_window w = {0};
    unsigned shift = (!HAS(v, SYNACK_TCP_SYN) && c->neg.scaled) ? s->offer.ws : 0;
    w.wnd = (uint32_t)th->window << shift;
    /* An ACK outside SND.UNA =< SEG.ACK =< SND.NXT updates no window at
     * the sender (RFC 9293 3.10.7.4 fifth check; Linux ignores an old ACK
     * too): an old one (or one half the sequence space away, which is old
     * by RFC 1982 too) neither closes nor opens the window the data sender
     * uses, nor offers it a right edge (once it knows one) */
    w.stale = dropped || before_rcv_nxt(s, r, v) || beyond_rcv_wnd(s, r, v);
    w.outside = w.stale || (s->acked && s->wl_known && s->edge_known && r->sent_any &&
                            ((r->una_known && seq_lt(ack, r->snd_una)) ||
                             seq_gt(ack, r->snd_max)));
    w.changed = s->acked && !w.outside && w.wnd != s->wnd_last;
    bool was_closed = s->acked && (s->wnd_last == 0 || s->wnd_rfc == 0);
    w.one_rule = was_closed && (s->wnd_last != 0 || s->wnd_rfc != 0);
    if (!s->acked || seq_gt(ack, s->ack_last))
        s->ack_last = ack; /* RCV.NXT never goes back: an older ACK is an old segment */
    s->acked = true;
    if (!w.outside)
        s->wnd_last = w.wnd;
    s->wnd_adv = w.wnd;
    /* The window the data sender takes: stacks differ (RFC 9293 3.10.7.4's
     * SND.WL1/WL2 rule, or Linux's, which also takes it when the ACK moves
     * on), so both are kept and a window closed by either counts as closed */
    uint32_t wnd_rfc_before = s->wnd_rfc;
    if (!w.outside &&
        (!s->wl_known || seq_lt(s->wl1, v->seq) || (s->wl1 == v->seq && seq_le(s->wl2, ack)))) {
        s->wnd_rfc = w.wnd;
        s->wl1 = v->seq;
        s->wl2 = ack;
        s->wl_known = true;
    }
    if (w.wnd > s->wnd_max)
        s->wnd_max = w.wnd;
    s->raw_win_last = th->window;
    uint32_t edge = ack + w.wnd;
    if (!w.outside && (!s->edge_known || seq_gt(edge, s->edge_max)))
        s->edge_max = edge;
    s->edge_known = true;
    w.rfc_opens = wl_rule_opens(s, was_closed, wnd_rfc_before, w.wnd, w.outside);
    w.opens = (w.changed && w.wnd && s->wnd_rfc && was_closed) || w.rfc_opens;
    return w;
}

/* r's SYN-ACK, sent once and acknowledged late: a stack that answers with
 * a SYN cookie keeps no state to time it by (RFC 4987 3.6), and its RTO
 * stays at the initial one (RFC 6298 2.1), which the sample alone would
 * raise once it passes a third of it (2.2: RTO = R + 4 R/2). Past that the
 * wire cannot tell: RTT_TIMED_SYN takes the sample (a stack with a TCB for
 * the SYN-ACK), the other policies do not. (A SYN of an active opener is
 * always timed: it has a TCB from the start.) */
static bool syn_untimed(const struct oracle *o, const struct o_side *r, uint32_t seq, uint64_t tx)
{
    return seq == r->iss && r->has_syn && (r->syn_flags & SYNACK_TCP_ACK) &&
           o->now - tx > o->cfg.rto_initial_us / 3;
}

/* An ACK of new data: SND.UNA moves, RTT samples (Karn, RFC 6298 3: none
 * from an ACK that covers anything sent twice, nor while the timer is
 * backed off: the ACK may have waited for a retransmission to fill a
 * hole), the timer restarts (5.2, 5.3). */
static void ack_new_data(struct oracle *o, const struct o_side *s, struct o_side *r,
                         const struct synack_tcp *th)
{
    uint32_t ack = th->ack;
    o_ts_rtt(o, s, r, th); /* RFC 7323 4: before SND.UNA moves (the flight) */
    int64_t newest = -1, oldest = -1;
    bool ambiguous = r->backoff > 0;
    size_t k = 0;
    for (size_t i = 0; i < r->nsegs; i++) {
        struct o_seg *g = &r->segs[i];
        if (seq_lt(g->seq, ack) && (g->tx > 1 || syn_untimed(o, r, g->seq, g->first_tx)))
            ambiguous = true;
        if (seq_le(g->end, ack)) {
            newest = (int64_t)(o->now - g->first_tx); /* (in the order sent) */
            if (oldest < 0)
                oldest = newest;
            continue;
        }
        if (seq_lt(g->seq, ack))
            g->seq = ack;
        r->segs[k++] = *g;
    }
    r->nsegs = k;
    if (newest >= 0 && !ambiguous) {
        o_rtt_sample(r, RTT_NEWEST, newest);
        o_rtt_sample(r, RTT_OLDEST, oldest);
    }
    if (r->timing && seq_gt(ack, r->timed_seq)) {
        if (!syn_untimed(o, r, r->timed_seq, r->timed_tx))
            o_rtt_sample(r, RTT_TIMED, (int64_t)(o->now - r->timed_tx));
        o_rtt_sample(r, RTT_TIMED_SYN, (int64_t)(o->now - r->timed_tx));
        r->timing = false;
    }
    r->snd_una = ack;
    r->una_known = true;
    o_hole_acked(r, ack);
    r->backoff = 0;
    r->nalt = 0;
    r->timer_on = seq_lt(ack, r->snd_max); /* 5.2, 5.3 */
    r->timer_start = o->now;
    r->timer_pkt = o->pkt;
}

/* The window closed with r's segments in flight: their ACK may wait for it
 * to open (RFC 9293 3.8.6.1), so their RTT is not the path's, and a
 * sender may stop timing them (BSD does): no sample from any of them */
static void window_closed(struct o_side *r)
{
    r->timing = false;
    for (size_t i = 0; i < r->nsegs; i++)
        if (r->segs[i].tx < 2)
            r->segs[i].tx = 2;
}

/* r's view of s's ACK: SND.UNA, the timer, RTT samples, what may clock
 * out data */
static void ack_at_sender(struct oracle *o, const struct o_side *s, struct o_side *r,
                          const struct segv *v, const struct ack_window *pw)
{
    struct ack_window w = *pw;
    uint32_t ack = v->th->ack;
    if (!r->sent_any || seq_gt(ack, r->snd_max) || w.stale)
        return;
    if (r->una_known && seq_lt(ack, r->snd_una))
        return; /* an old ACK: ignored (3.10.7.4 fifth), nothing it can clock out */
    bool trigger = w.changed || w.rfc_opens || (v->th->opts.present & TCPOPT_F_SACK);
    if (!r->una_known || seq_gt(ack, r->snd_una)) {
        ack_new_data(o, s, r, v->th);
        trigger = true;
    } else if (ack == r->snd_una && v->len == 0 && !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_FIN) &&
               seq_gt(r->snd_max, r->snd_una) && !w.changed) {
        trigger = true; /* a duplicate ACK (RFC 5681 2) */
    } else if (ack == r->snd_max) {
        /* all r sent is acknowledged: its timer is off (RFC 6298 5.2), also
         * when an earlier ACK of it seemed to be taken and r sent its
         * SYN-ACK again (a listener whose accept queue was full dropped
         * that ACK), which ran the timer anew */
        r->timer_on = false;
    }
    if (w.opens) {
        /* a closed window opens: probing (the persist timer, RFC 9293
         * 3.8.6.1) ends. The probe octets may count as never sent (synack's
         * choice): their next transmission is the first, and starts the
         * retransmission timer */
        /* (by the rule that never closed it, the stack was not probing:
         * its retransmission timer runs on, a reading kept) */
        o_timer_window_opens(r, w.one_rule);
        r->retracted = seq_gt(r->snd_max, ack);
    }
    if (trigger) {
        r->last_trigger = o->pkt;
        r->last_trigger_time = o->now;
    }
}
/* s's segment carries an ACK: s as a receiver, r as the sender of data. */
void o_on_ack(struct oracle *o, const struct o_inc *c, struct o_side *s, struct o_side *r,
              const struct segv *v)
{
    uint32_t ack = v->th->ack;
    if (o_acks_unsent(r, ack)) {
        o_finding(o, RULE_ACK_UNSENT,
                  "acknowledges up to relative %u; the other side sent up to %u", ack - r->iss,
                  r->snd_max - r->iss);
        return; /* the receiver drops it (3.10.7.4 fifth): nothing to learn */
    }
    if (refused_in_handshake(r, ack))
        return;
    if (r->syn_seen && !r->acked && !s->syn_seen && !HAS(v, SYNACK_TCP_SYN))
        return; /* r has sent only SYNs, s no SYN: r is in SYN-SENT, which drops a
                 * segment without SYN or RST (RFC 9293 3.10.7.3): SND.UNA stays */
    bool dropped = o_ack_maybe_dropped(s, r, v) && o_either(o, READ_SEG_DROPPED);
    bool was_closed = s->acked && (s->wnd_last == 0 || s->wnd_rfc == 0);
    struct ack_window w = ack_window(c, s, r, v, dropped);
    bool closed = !w.outside && (s->wnd_last == 0 || s->wnd_rfc == 0);
    if (closed && was_closed)
        window_closed(r);
    o_debt_pay(o, s, r, ack);
    ack_at_sender(o, s, r, v, &w);
    if (closed) /* (an ACK that closes it still times what it acknowledges) */
        window_closed(r);
}

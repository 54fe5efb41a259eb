/* RFC 9293 3.10.7, second check: RST. Whether a RST takes effect (it
 * closes the incarnation) or misses (RFC 5961 3.2: in a synchronized
 * state only SEG.SEQ = RCV.NXT resets, elsewhere in the window it gets a
 * challenge ACK, outside it is dropped); and the rules on the RSTs a side
 * sends: never in answer to a RST (rst-answers-rst), and in a
 * synchronized state one that can take effect (rst-seq-unacceptable). */
#include "oracle/model.h"

/* <SEQ=SEG.ACK><CTL=RST>: the answer to the other side's last segment, an
 * unacceptable ACK, in LISTEN, SYN-SENT or SYN-RECEIVED (RFC 9293 3.10.7.2,
 * 3.10.7.3, 3.10.7.4 fifth check). Its sender stays where it was: in
 * SYN-RECEIVED it still holds the SYN it answers, text and FIN with it */
static bool answers_an_ack(const struct o_side *r, const struct segv *v)
{
    return r->has_last && (r->last_flags & SYNACK_TCP_ACK) && v->seq == r->last_ack;
}

/* The furthest RCV.NXT the other side can have reached in s's stream:
 * all s sent, but no further than the first octets s skipped (a hole),
 * since RCV.NXT moves only over contiguous octets (RFC 9293 3.10.7.4) */
static uint32_t rcv_nxt_reach(const struct o_side *s)
{
    uint32_t reach = s->snd_max;
    for (size_t i = 0; i < s->nholes; i++)
        if (seq_lt(s->holes[i].start, reach))
            reach = s->holes[i].start;
    return reach;
}

/* s has sent nothing but its SYN, once, with text (and perhaps FIN): r
 * takes none of it, or at least the text within the window its own SYN
 * offered, and the FIN with it when all the text fits (RFC 9293 3.10.7.3,
 * sixth and eighth steps). Can RCV.NXT not be `seq` then? */
static bool rst_inside_syn_text(const struct o_side *s, const struct o_side *r, uint32_t seq)
{
    const struct o_seg *g = &s->segs[0];
    if (s->nsegs != 1 || g->seq != s->iss || g->tx != 1 || g->end != rcv_nxt_reach(s) ||
        r->syn_win == 0) /* (an empty segment past it leaves a hole, nothing more) */
        return false;
    uint32_t edge = s->iss + 1 + r->syn_win;
    bool fin = s->fin_sent && s->fin_seq + 1 == g->end;
    uint32_t text_end = fin ? s->fin_seq : g->end;
    uint32_t taken = seq_lt(edge, text_end) ? edge : text_end;
    if (seq_gt(seq, s->iss + 1) && seq_lt(seq, taken))
        return true;
    return fin && seq == s->fin_seq && seq_lt(s->fin_seq, edge);
}

/* s's SYN came to r in SYN-SENT: a SYN-ACK of r's SYN makes it
 * ESTABLISHED, a SYN SYN-RECEIVED (RFC 9293 3.10.7.3 fifth check), its
 * answer perhaps not on the wire yet (a batch, a delayed ACK). There a RST
 * resets only at RCV.NXT exactly (RFC 5961 3.2), which lies past s's SYN
 * and within what s sent (not inside a SYN's text r took whole): a RST
 * elsewhere misses it and is dropped or challenged */
static bool rst_misses_after_its_syn(const struct o_side *s, const struct o_side *r,
                                     const struct segv *v)
{
    bool took_syn = s->syn_seen && ((s->acked && seq_ge(s->ack_last, r->iss + 1)) ||
                                    (s->has_syn && r->has_syn && s->syn_pkt > r->syn_pkt &&
                                     s->syn_seq == s->iss));
    return took_syn && s->sent_any &&
           (seq_lt(v->seq, s->iss + 1) || seq_gt(v->seq, rcv_nxt_reach(s)) ||
            rst_inside_syn_text(s, r, v->seq));
}

/* A RST while r's SYNs of a new connection are pending, and no SYN of s
 * came since the first of them: r is still in SYN-SENT, where a RST takes
 * effect only with an acceptable ACK, ISS < SEG.ACK =< SND.NXT; without
 * ACK, or with another, it is dropped (RFC 9293 3.10.7.3 first and second
 * checks). One that acknowledges none of them: they stay pending */
static bool rst_refused_in_syn_sent(const struct o_side *s, const struct o_side *r,
                                    const struct segv *v)
{
    if (r->npend == 0)
        return false;
    for (size_t i = 0; i < r->npend; i++) {
        if (s->has_syn && s->syn_pkt > r->pend[i].pkt)
            return false; /* r may be in SYN-RECEIVED, where the RST's SEQ counts */
        if (HAS(v, SYNACK_TCP_ACK) && seq_gt(v->th->ack, r->pend[i].seq) &&
            seq_le(v->th->ack, r->pend[i].end))
            return false;
    }
    return true;
}

/* s's RST at the RCV.NXT r last acknowledged, with octets of s sent past
 * it: r may have taken them in order without acknowledging them yet (a
 * delayed ACK), its RCV.NXT then past the RST, which falls outside the
 * window and is dropped (RFC 9293 3.10.7.4 first check, RFC 5961 3.2).
 * Whether it reset r the wire does not tell */
static bool rst_may_miss_unacked_data(const struct o_side *s, const struct o_side *r,
                                      const struct segv *v)
{
    return s->sent_any && seq_gt(s->snd_max, v->seq) && v->seq == r->ack_last;
}

/* The answer to a SYN from a closed port (<SEQ=0><ACK=SEG.SEQ+1>), or a
 * RST while r's SYN of a new incarnation is pending: it belongs to that
 * SYN, whose answer's ISS the wire has not shown, and is not judged.
 * Returns true when it was such a RST. */
static bool rst_of_a_pending_syn(struct o_inc *c, const struct o_side *s, struct o_side *r,
                                 const struct segv *v)
{
    const struct synack_tcp *th = v->th;
    /* the SYN's sender accepts it by its ACK, whatever came before (but
     * once its SYN took it past SYN-SENT, only at RCV.NXT) */
    bool answers_syn = HAS(v, SYNACK_TCP_ACK) &&
                       (o_pend_find(r, th->ack - 1) ||
                        (r->has_last && (r->last_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) ==
                                            SYNACK_TCP_SYN && th->ack == r->last_seq + 1 &&
                         !rst_misses_after_its_syn(s, r, v)));
    if (!answers_syn && !r->npend)
        return false;
    /* <SEQ=SEG.ACK><CTL=RST> refusing r's unacceptable ACK leaves its
     * sender where it was (RFC 9293 3.10.7.2-4): nothing ends */
    if (!answers_syn && answers_an_ack(r, v))
        return true;
    if (answers_syn || !rst_refused_in_syn_sent(s, r, v))
        r->npend = 0;
    c->closed = true;
    return true;
}

/* RFC 9293 3.10.7.1: in answer to a RST, just after one and numbered from
 * it, when there is no connection left to abort (the RST closed it, or
 * there was none: with one, <SEQ=SND.NXT><CTL=RST> may be an ABORT that
 * happened then) */
static void check_rst_answers_rst(struct oracle *o, const struct o_inc *c, const struct o_side *s,
                                  const struct o_side *r, const struct segv *v)
{
    if (!(c->closed || !s->syn_seen) || !r->has_last || !(r->last_flags & SYNACK_TCP_RST) ||
        (s->has_last && s->last_time > r->last_time) ||
        o->now - r->last_time > 10000 + o->cfg.slack_us)
        return;
    bool from_ack = (r->last_flags & SYNACK_TCP_ACK) && v->seq == r->last_ack;
    bool from_seq = HAS(v, SYNACK_TCP_ACK) && v->th->ack == r->last_seq + r->last_len;
    if (from_ack || from_seq)
        o_finding(o, RULE_RST_ANSWERS_RST, "answers the RST of %.3f ms before",
                  (o->now - r->last_time) / 1e3);
}

/* RFC 5961 3.2 in a synchronized state: a RST a correct stack sends can
 * take effect; an exact match resets. One at the RCV.NXT r last
 * acknowledged with octets of s past it may miss: taken as missed (the
 * reading that judges what follows; the other closes the incarnation and
 * judges almost nothing, so it would stand for ever) */
static void rst_synchronized(struct oracle *o, struct o_inc *c, const struct o_side *s,
                             struct o_side *r, const struct segv *v, bool reply)
{
    uint32_t wnd = r->wnd_adv ? r->wnd_adv : 1;
    uint32_t off = v->seq - r->ack_last;
    /* in the window, or SND.NXT with data still in flight (ABORT's
     * <SEQ=SND.NXT><CTL=RST>, 3.10.5): what a correct stack sends */
    bool in_flight = seq_ge(v->seq, r->ack_last) && seq_le(v->seq, s->snd_max);
    if (off >= wnd && !in_flight && !reply)
        o_finding(o, RULE_RST_UNACCEPTABLE, "RST at relative %u; the receiver expects %u with "
                "a window of %u", v->seq - s->iss, r->ack_last - s->iss, r->wnd_adv);
    if (v->seq != r->ack_last)
        return;
    if (!rst_may_miss_unacked_data(s, r, v)) {
        c->closed = true;
        r->reset = true;
    }
}

/* Not synchronized. Once r has acknowledged a SYN of s, r is in
 * SYN-RECEIVED, where a RST resets at RCV.NXT exactly, with or without
 * ACK, and one elsewhere in the window gets a challenge ACK (RFC 9293
 * 3.10.7.4 second check, RFC 5961 3.2). Before, r is in SYN-SENT, which
 * takes a RST only with an ACK of its SYN (3.10.7.3): a SYN refused */
static void rst_in_handshake(struct o_inc *c, const struct o_side *s, struct o_side *r,
                             const struct segv *v)
{
    bool syn_received = s->syn_seen && r->acked && seq_ge(r->ack_last, s->iss + 1);
    bool resets;
    if (syn_received)
        resets = v->seq == r->ack_last;
    else
        resets = HAS(v, SYNACK_TCP_ACK) && r->syn_seen && v->th->ack == r->iss + 1 &&
                 !rst_misses_after_its_syn(s, r, v);
    if (resets) {
        c->closed = true;
        r->reset = true;
    }
}

void o_check_rst(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
                 const struct segv *v)
{
    if (rst_of_a_pending_syn(c, s, r, v))
        return;
    check_rst_answers_rst(o, c, s, r, v);
    /* <SEQ=SEG.ACK><CTL=RST> answering the other side's last segment: the
     * number it gave as its own RCV.NXT (3.10.7.1 to 3.10.7.3) */
    bool reply = answers_an_ack(r, v);
    /* ... or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> answering one without ACK */
    reply |= r->has_last && !(r->last_flags & SYNACK_TCP_ACK) && v->seq == 0 &&
             HAS(v, SYNACK_TCP_ACK) && v->th->ack == r->last_end;
    /* both SYNs seen and each acknowledged by the other side */
    bool synchronized = o_synchronized(s, r);
    /* a RST that answers nothing is an ABORT, and in a synchronized state
     * a RST is never an answer (3.5.2 group 3): its sender is CLOSED (3.10.5) */
    if (s->syn_seen && (synchronized || !reply)) {
        s->aborted = true;
        s->timer_on = false; /* nothing is left to retransmit: a SYN at its
                              * old ISN now is a new incarnation's first */
        s->nalt = 0;
    }
    if (c->closed)
        return;
    if (synchronized)
        rst_synchronized(o, c, s, r, v, reply);
    else
        rst_in_handshake(c, s, r, v);
}

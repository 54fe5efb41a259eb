/* SYN (RFC 9293 3.10.7.2-4): a side's ISN and the options its SYN offered;
 * a SYN at another ISN is kept as a candidate for a new incarnation
 * (o_side.pend, incarnation.c decides). The rules on what the options
 * allow are the extensions' (options.c). */
#include "oracle/model.h"

void o_offer_from_opts(struct o_offer *f, const struct synack_tcp_opts *op)
{
    f->mss_present = op->present & TCPOPT_F_MSS;
    f->mss = op->mss;
    f->ws_present = op->present & TCPOPT_F_WSCALE;
    f->ws = op->wscale > 14 ? 14 : op->wscale; /* RFC 7323 2.3 */
    f->sackok = op->present & TCPOPT_F_SACK_PERM;
    f->ts = op->present & TCPOPT_F_TS;
}

/* The same ISN with other options: a retransmission (the receiver keeps
 * the first), or a new connection after the other side went back to
 * LISTEN without a word (an in-window SYN in SYN-RECEIVED, RFC 9293
 * 3.10.7.4 fourth, MUST-11) or refused the first with a RST (a closed
 * port), which takes this one. The wire cannot tell them apart: what any
 * copy offered may be answered (RFC 7323 2.2, 3.2; RFC 2018 3), and the
 * largest MSS offered is the limit (MUST-16 judged leniently) */
void o_offer_again(struct o_offer *f, const struct synack_tcp_opts *op, bool v6)
{
    bool mss = op->present & TCPOPT_F_MSS;
    unsigned none = v6 ? 1220u : 536u; /* no option (RFC 9293 3.7.1, MUST-15; RFC 8200 5) */
    /* (an MSS of 0 leaves the limit to the stack: from then on none is judged) */
    if (!(f->mss_present && f->mss == 0) &&
        ((mss && op->mss == 0) || (mss ? op->mss : none) > (f->mss_present ? f->mss : none))) {
        f->mss_present = mss;
        f->mss = mss ? op->mss : 0;
    }
    if ((op->present & TCPOPT_F_WSCALE) && !f->ws_present) {
        f->ws_present = true;
        f->ws = op->wscale > 14 ? 14 : op->wscale;
    }
    f->sackok |= (op->present & TCPOPT_F_SACK_PERM) != 0;
    f->ts |= (op->present & TCPOPT_F_TS) != 0;
}

/* A SYN of a side whose ISN is known: sent again, or at another ISN. */
static void syn_again(struct oracle *o, struct o_side *s, const struct segv *v)
{
    const struct synack_tcp_opts *op = &v->th->opts;
    if (v->seq != s->iss && !HAS(v, SYNACK_TCP_ACK)) {
        /* kept aside until the other side's answer tells which incarnation
         * it belongs to (a SYN may carry data and FIN: end is past them) */
        struct o_pend p = {v->seq, v->end, o->now, o->pkt, v->th->reserved, v->flags, *op};
        o_pend_add(s, &p);
    } else if (v->seq == s->iss && !HAS(v, SYNACK_TCP_ACK)) {
        o_offer_again(&s->offer, op, v->v6);
    }
}

/* The first SYN of s in this incarnation: what came before it was of an
 * older one (a capture picked up mid-stream), on both sides. */
static void syn_forgets_before(struct o_side *s, struct o_side *r)
{
    if (s->sent_any) {
        s->sent_any = false;
        s->fin_sent = false;
        s->nsegs = 0;
        s->nholes = 0;
        s->timer_on = false;
        s->nalt = 0;
    }
    if (r->acked) { /* nothing can acknowledge a stream before its SYN */
        r->acked = false;
        r->edge_known = false;
        r->wl_known = false;
        r->ndebts = 0;
    }
}

void o_on_syn(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
              const struct segv *v)
{
    /* the other side may answer any SYN with a SYN-ACK at its own ISN:
     * simultaneous open, or a retransmitted SYN */
    r->last_trigger = o->pkt;
    r->last_trigger_time = o->now;
    if (s->syn_seen) {
        syn_again(o, s, v);
        return;
    }
    syn_forgets_before(s, r);
    s->syn_seen = true;
    s->iss = v->seq;
    s->iss_time = o->now;
    s->iss_syn_end = v->end;
    s->syn_win = v->th->window;
    s->snd_una = v->seq; /* nothing acknowledged yet: an ACK of ISS is not new */
    s->una_known = true;
    o_offer_from_opts(&s->offer, &v->th->opts);
    struct o_judge j = {o, c, s, r, v};
    o_ext_syn(&j);
}

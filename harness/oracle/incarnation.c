/* Which incarnation of its 4-tuple a segment belongs to (model.h): the
 * SYNs at other ISNs a side sent (candidates, o_side.pend), the answer
 * that makes one of them the new incarnation (a SYN-ACK acknowledging it,
 * RFC 9293 3.10.7.2-3), and the signs that the old incarnation is over
 * (RFC 9293 3.10.5 ABORT, 3.10.7.4 TIME-WAIT and RFC 6191, RFC 5961 4.2,
 * RFC 6528's clock-driven ISNs, which a new incarnation may share). */
#include <stddef.h>
#include <string.h>

#include "oracle/model.h"

/* Each side's SYN acknowledged by the other, as far as the packets show:
 * both are in ESTABLISHED or a later state */
bool o_synchronized(const struct o_side *s, const struct o_side *r)
{
    return s->syn_seen && r->syn_seen && r->acked && seq_ge(r->ack_last, s->iss + 1) &&
           s->acked && seq_ge(s->ack_last, r->iss + 1);
}

/* A side's state by RFC 9293 3.3.2, as far as the packets show it. */
enum o_state o_side_state(const struct o_inc *c, const struct o_side *s)
{
    const struct o_side *r = s == &c->e[0] ? &c->e[1] : &c->e[0];
    if (s->aborted || c->closed)
        return OS_CLOSED;
    if (!s->syn_seen)
        return OS_NONE;
    bool took_syn = r->syn_seen && s->acked && seq_ge(s->ack_last, r->iss + 1);
    bool own_acked = r->acked && seq_ge(r->ack_last, s->iss + 1);
    if (!took_syn)
        return OS_SYN_SENT;
    if (!own_acked)
        return OS_SYN_RECEIVED;
    if (!s->fin_sent)
        return OS_ESTABLISHED;
    if (r->fin_sent && seq_gt(s->ack_last, r->fin_seq))
        return OS_FIN_BOTH;
    return OS_FIN_SENT;
}

/* The pending SYN of s with this sequence number, or NULL. */
struct o_pend *o_pend_find(struct o_side *s, uint32_t seq)
{
    for (size_t i = 0; i < s->npend; i++)
        if (s->pend[i].seq == seq)
            return &s->pend[i];
    return NULL;
}

/* Copies of one SYN may offer different options; the receiver answers
 * the copy it took, which the wire does not say: what any copy offered
 * may be answered (RFC 7323 2.2, 3.2; RFC 2018 3), and the largest MSS
 * bounds the segments (MUST-16, leniently, as syn.c does for the ISS) */
static void opts_merge(struct synack_tcp_opts *into, const struct synack_tcp_opts *from)
{
    uint32_t offers = TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM | TCPOPT_F_TS;
    bool from_mss = from->present & TCPOPT_F_MSS, into_mss = into->present & TCPOPT_F_MSS;
    /* (no MSS option: 536, RFC 9293 3.7.1) */
    if ((from_mss ? from->mss : 536u) > (into_mss ? into->mss : 536u)) {
        into->present = (into->present & ~(uint32_t)TCPOPT_F_MSS) | (from->present & TCPOPT_F_MSS);
        into->mss = from->mss;
    }
    if ((from->present & TCPOPT_F_WSCALE) && !(into->present & TCPOPT_F_WSCALE))
        into->wscale = from->wscale;
    if ((from->present & TCPOPT_F_TS) && !(into->present & TCPOPT_F_TS)) {
        into->ts_val = from->ts_val;
        into->ts_ecr = from->ts_ecr;
    }
    into->present |= from->present & offers;
}

void o_pend_add(struct o_side *s, const struct o_pend *p)
{
    struct o_pend *old = o_pend_find(s, p->seq);
    if (old) {
        /* the same SYN again: the latest copy, but the text and FIN of an
         * earlier one may be queued (RFC 9293 3.10.7.2): the furthest end */
        uint32_t end = seq_gt(old->end, p->end) ? old->end : p->end;
        struct o_pend again = *p;
        again.end = end;
        opts_merge(&again.opts, &old->opts);
        size_t i = (size_t)(old - s->pend);
        if (i > 0) { /* as recent as its last copy: the last to go */
            memmove(&s->pend[i], &s->pend[i + 1], (s->npend - i - 1) * sizeof s->pend[0]);
            old = &s->pend[s->npend - 1];
        }
        *old = again;
        return;
    }
    if (s->npend == ORACLE_PENDS) {
        /* the first stays: a side in SYN-RECEIVED for it drops the SYNs
         * that follow outside its window (RFC 9293 3.10.7.4 first check)
         * and answers it, however many come; the second oldest goes */
        memmove(&s->pend[1], &s->pend[2], (ORACLE_PENDS - 2) * sizeof s->pend[0]);
        s->npend--;
    }
    s->pend[s->npend++] = *p;
}

/* A side as new: all but its arrays cleared, their counts 0 (model.h). */
void o_side_clear(struct o_side *s)
{
    memset(s, 0, O_SIDE_HEAD);
}

/* The arrays' elements field by field (their padding is never written). */
static bool holes_same(const struct o_hole *a, const struct o_hole *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].packet != b[i].packet ||
            a[i].time != b[i].time)
            return false;
    return true;
}

static bool debts_same(const struct o_debt *a, const struct o_debt *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].end != b[i].end || a[i].since != b[i].since || a[i].packet != b[i].packet)
            return false;
    return true;
}

/* (the options up to their last field, eol_offset: not the padding after it) */
#define O_OPTS_FIELDS (offsetof(struct synack_tcp_opts, eol_offset) + 1)

static bool pends_same(const struct o_pend *a, const struct o_pend *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].seq != b[i].seq || a[i].end != b[i].end || a[i].time != b[i].time ||
            a[i].pkt != b[i].pkt || a[i].reserved != b[i].reserved || a[i].flags != b[i].flags ||
            memcmp(&a[i].opts, &b[i].opts, O_OPTS_FIELDS) != 0)
            return false;
    return true;
}

/* Two readings alike: the same fields, each array the same up to its count. */
static bool side_same(const struct o_side *a, const struct o_side *b)
{
    return memcmp(a, b, O_SIDE_HEAD) == 0 &&
           memcmp(a->ts.tx_val, b->ts.tx_val, a->ts.ntx * sizeof a->ts.tx_val[0]) == 0 &&
           memcmp(a->ts.tx_t, b->ts.tx_t, a->ts.ntx * sizeof a->ts.tx_t[0]) == 0 &&
           memcmp(a->segs, b->segs, a->nsegs * sizeof a->segs[0]) == 0 &&
           holes_same(a->holes, b->holes, a->nholes) && debts_same(a->debts, b->debts, a->ndebts) &&
           pends_same(a->pend, b->pend, a->npend);
}

bool o_inc_same(const struct o_inc *a, const struct o_inc *b)
{
    return a->closed == b->closed && a->number == b->number &&
           memcmp(&a->neg, &b->neg, sizeof a->neg) == 0 && side_same(&a->e[0], &b->e[0]) &&
           side_same(&a->e[1], &b->e[1]);
}

/* A copy of a reading: each array only up to its count. */
static void side_copy(struct o_side *d, const struct o_side *s)
{
    memcpy(d, s, O_SIDE_HEAD);
    memcpy(d->ts.tx_val, s->ts.tx_val, s->ts.ntx * sizeof s->ts.tx_val[0]);
    memcpy(d->ts.tx_t, s->ts.tx_t, s->ts.ntx * sizeof s->ts.tx_t[0]);
    memcpy(d->segs, s->segs, s->nsegs * sizeof s->segs[0]);
    memcpy(d->holes, s->holes, s->nholes * sizeof s->holes[0]);
    memcpy(d->debts, s->debts, s->ndebts * sizeof s->debts[0]);
    memcpy(d->pend, s->pend, s->npend * sizeof s->pend[0]);
}

void o_inc_copy(struct o_inc *d, const struct o_inc *c)
{
    side_copy(&d->e[0], &c->e[0]);
    side_copy(&d->e[1], &c->e[1]);
    d->neg = c->neg;
    d->closed = c->closed;
    d->number = c->number;
}

/* A new incarnation on the same 4-tuple: forget the old one, keep the
 * order of the sides, count it. */
void o_inc_reset(struct o_inc *c, const struct synack_addr *src, uint16_t sport,
                 const struct synack_addr *dst, uint16_t dport)
{
    unsigned number = c->number;
    struct synack_addr a = *src, b = *dst; /* src and dst may point into c */
    o_side_clear(&c->e[0]);
    o_side_clear(&c->e[1]);
    memset(&c->neg, 0, sizeof c->neg);
    c->closed = false;
    c->number = number + 1;
    c->e[0].addr = a;
    c->e[0].port = sport;
    c->e[1].addr = b;
    c->e[1].port = dport;
}

/* One side starts over (its address and who sends for it stay). */
static void side_restart(struct o_side *s)
{
    struct synack_addr addr = s->addr;
    uint16_t port = s->port;
    enum oracle_from from = s->from;
    o_side_clear(s);
    s->addr = addr;
    s->port = port;
    s->from = from;
}

void o_remember_last(struct oracle *o, struct o_side *s, const struct segv *v)
{
    s->from = o->from;
    s->has_last = true;
    s->last_pkt = o->pkt;
    s->last_flags = v->flags;
    s->last_seq = v->seq;
    s->last_ack = v->th->ack;
    s->last_len = v->len;
    s->last_end = v->end;
    s->last_time = o->now;
    if (HAS(v, SYNACK_TCP_SYN) && !HAS(v, SYNACK_TCP_RST)) {
        s->has_syn = true;
        s->syn_flags = v->flags;
        s->syn_seq = v->seq;
        s->syn_end = v->end;
        s->syn_ack = v->th->ack;
        s->syn_pkt = o->pkt;
        s->syn_time = o->now;
        if (!HAS(v, SYNACK_TCP_ACK) && s->syn_seen && v->seq == s->iss) {
            s->has_bare_syn = true;
            s->bare_syn_pkt = o->pkt;
            s->bare_syn_time = o->now;
        }
        /* (copies may differ: the text and FIN of any may be queued) */
        if (s->syn_seen && v->seq == s->iss && seq_gt(v->end, s->iss_syn_end))
            s->iss_syn_end = v->end;
    }
}

/* s's SYN-ACK at its old ISS after r acknowledged that ISS and then sent a
 * RST: s left SYN-RECEIVED when the ACK came and never sends that SYN-ACK
 * again in the old connection (a SYN in a synchronized state gets a
 * challenge ACK, RFC 5961 4.2, RFC 9293 3.10.7.4 fourth check). The RST
 * reset it: at RCV.NXT exactly (RFC 5961 3.2), which may lie past r's
 * last ACKed octet when s took in-order data it has not acknowledged yet,
 * so the wire may not show it. The SYN-ACK answers a new connection,
 * whose ISS may be the old one (RFC 6528: ISNs follow a clock) */
static bool synack_after_acked_then_rst(const struct o_side *s, const struct o_side *r)
{
    return r->aborted && r->acked && seq_ge(r->ack_last, s->iss + 1);
}

/* s's SYN-ACK at its old ISS after both FINs went and s acknowledged
 * r's: s is in CLOSING, LAST-ACK or TIME-WAIT, or closed, never to send a
 * SYN in that connection again. An ABORT there deletes the TCB without a
 * RST (RFC 9293 3.10.5), and in TIME-WAIT a new SYN may open a new
 * connection (3.10.7.4, RFC 6191); its ISS may be the old one (RFC 6528:
 * ISNs follow a clock). The SYN-ACK answers that new connection */
static bool synack_after_fin_acked(const struct o_side *s, const struct o_side *r)
{
    return s->fin_sent && r->fin_sent && s->acked && seq_gt(s->ack_last, r->fin_seq);
}

/* r's latest SYN is a SYN-ACK at another ISN than its ISS, or one that
 * acknowledges no SYN of s, after a bare SYN at its ISS that came after
 * s's last SYN: the other side drops that SYN-ACK (in SYN-RECEIVED it is
 * out of the window, or gets a challenge ACK: RFC 9293 3.10.7.4 first and
 * fourth checks; in SYN-SENT an unacceptable ACK gets a RST, 3.10.7.3),
 * and the bare SYN is still the one a SYN-ACK of s answers */
static bool bare_syn_before_synack_elsewhere(const struct o_side *s, const struct o_side *r)
{
    bool acks_syn = (s->syn_seen && r->syn_ack == s->iss + 1) ||
                    o_pend_find((struct o_side *)s, r->syn_ack - 1);
    return r->has_syn && (r->syn_flags & SYNACK_TCP_ACK) && (r->syn_seq != r->iss || !acks_syn) &&
           r->has_bare_syn && r->bare_syn_pkt < r->syn_pkt &&
           (!s->has_syn || r->bare_syn_pkt > s->syn_pkt);
}

/* That SYN is s's latest SYN (o_remember_last's), unless s sent one since:
 * a side started over forgot it, and r_in_syn_sent asks which side's SYN
 * went last */
static void syn_remembered(struct o_side *s, const struct o_pend *mine)
{
    if (!s->has_syn || mine->pkt > s->syn_pkt) {
        s->has_syn = true;
        s->syn_flags = mine->flags;
        s->syn_seq = mine->seq;
        s->syn_end = mine->end;
        s->syn_ack = 0;
        s->syn_pkt = mine->pkt;
        s->syn_time = mine->time;
    }
    bool bare = !(mine->flags & (SYNACK_TCP_ACK | SYNACK_TCP_RST));
    if (bare && (!s->has_bare_syn || mine->pkt > s->bare_syn_pkt)) {
        s->has_bare_syn = true;
        s->bare_syn_pkt = mine->pkt;
        s->bare_syn_time = mine->time;
    }
}

/* Side s starts over from its own pending SYN `mine` (a new connection on
 * the 4-tuple): that SYN is its first segment, in flight since it was
 * sent, with the retransmission timer running from then (RFC 6298 5.1). */
static void start_from_own_syn(struct oracle *o, struct o_inc *c, struct o_side *s,
                               struct o_side *r, const struct o_pend *mine)
{
    struct synack_tcp mth = {.seq = mine->seq, .flags = mine->flags, .opts = mine->opts};
    struct segv mv = {.th = &mth, .flags = mine->flags, .seq = mine->seq,
                      .data_start = mine->seq + 1, .end = mine->end};
    o_on_syn(o, c, s, r, &mv);
    s->sent_any = true;
    s->snd_max = mine->end;
    s->iss_syn_end = mine->end;
    s->timer_on = true;
    s->timer_start = mine->time;
    s->timer_pkt = mine->pkt;
    s->segs[0] = (struct o_seg){mine->seq, mine->end, mine->time, mine->time, mine->pkt, 1};
    s->nsegs = 1;
    s->iss_time = mine->time;
    syn_remembered(s, mine);
}

/* s's newest pending SYN (another ISN than its ISS), r's bare SYN after
 * it, r's last segment an ACK of it, and now a segment of s without SYN at
 * that SYN's end: s took r's SYN in SYN-SENT (simultaneous open, RFC 9293 3.10.7.3)
 * and r's ACK before its SYN-ACK went out (a batch): the SYN already
 * acknowledged, only the ACK is left to send. Or r's bare SYN went first,
 * r has acknowledged nothing, and s's segment acknowledges r's SYN
 * exactly from within that SYN's sequence space: r took s's SYN in
 * SYN-SENT and s's ACK came before r's SYN-ACK went out. s's connection is that SYN's; the pending SYN, not the old
 * ISS, numbers its data */
static const struct o_pend *pend_taken_up(const struct o_side *s, const struct o_side *r,
                                          const struct synack_tcp *th)
{
    if ((th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST | SYNACK_TCP_ACK)) != SYNACK_TCP_ACK ||
        s->npend == 0 || !r->syn_seen || !r->has_bare_syn)
        return NULL;
    const struct o_pend *p = &s->pend[s->npend - 1];
    bool after_r_acked = r->has_last && (r->last_flags & SYNACK_TCP_ACK) &&
                         th->seq == p->end && r->last_ack == p->end &&
                         r->bare_syn_pkt >= p->pkt && seq_gt(th->ack, r->iss);
    /* (a bare SYN of s at its ISS between r's SYN and that one reached r
     * in SYN-SENT first, and r took it: the later SYN finds r in
     * SYN-RECEIVED, outside its window, 3.10.7.4 first check) */
    bool took_earlier = s->has_bare_syn && s->bare_syn_pkt > r->bare_syn_pkt &&
                        s->bare_syn_pkt < p->pkt;
    bool acks_r_syn = r->bare_syn_pkt < p->pkt && !r->acked && th->ack == r->iss + 1 &&
                      seq_gt(th->seq, p->seq) && seq_le(th->seq, p->end) && !took_earlier;
    return after_r_acked || acks_r_syn ? p : NULL;
}

/* s's ACK (no SYN) of r's pending SYN, past all r sent in this
 * incarnation, s's bare SYN at its ISS sent before that SYN: s took it in
 * SYN-SENT (a simultaneous open, RFC 9293 3.10.7.3) and r's ACK of s's SYN
 * came before s's SYN-ACK went out (a batch), so only the ACK is left to
 * send. r's connection is that SYN's */
static const struct o_pend *pend_acked_after_own_syn(struct o_side *s, struct o_side *r,
                                                     const struct synack_tcp *th)
{
    if ((th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST | SYNACK_TCP_ACK)) != SYNACK_TCP_ACK ||
        r->npend == 0 || !s->has_bare_syn || !o_acks_unsent(r, th->ack))
        return NULL;
    const struct o_pend *p = o_pend_find(r, th->ack - 1);
    for (size_t i = 0; !p && i < r->npend; i++)
        if (r->pend[i].end == th->ack)
            p = &r->pend[i];
    return p && s->bare_syn_pkt < p->pkt ? p : NULL;
}

/* The options of s's bare SYN at its ISS, which offered s->offer (syn.c's
 * offer_from_opts, back), its TSval the highest s sent (that SYN's or
 * later): what the other side may echo (RFC 7323 3.2). */
static void opts_of_bare_syn(struct synack_tcp_opts *op, const struct o_side *s)
{
    const struct o_offer *f = &s->offer;
    op->ts_val = s->ts.max;
    op->present = (f->mss_present ? TCPOPT_F_MSS : 0) | (f->ws_present ? TCPOPT_F_WSCALE : 0) |
                  (f->sackok ? TCPOPT_F_SACK_PERM : 0) | (f->ts ? TCPOPT_F_TS : 0);
    op->mss = f->mss;
    op->wscale = f->ws;
}

/* ... and its flags (RFC 3168 6.1.1: ECE and CWR asked for ECN). */
static uint8_t syn_flags_of_offer(const struct o_offer *f)
{
    return SYNACK_TCP_SYN | (f->ecn ? SYNACK_TCP_ECE | SYNACK_TCP_CWR : 0);
}

/* r's latest SYN a SYN without ACK, sent after s's latest SYN: r is in
 * SYN-SENT (or sent its SYN again), whatever else it sent since (a peer
 * may send anything). After its own SYN-ACK (a simultaneous open) r is in
 * SYN-RECEIVED for s's first ISN, and so it is when s's SYN came after
 * r's (RFC 9293 3.10.7.3 fourth: its SYN-ACK may not be on the wire yet);
 * a SYN-ACK at another ISN is then outside its window: answered by an ACK
 * of the first (3.10.7.4 first check), not a new incarnation. Returns
 * that SYN's packet number and time, or false. */
static bool r_in_syn_sent(const struct o_side *s, const struct o_side *r, unsigned *pkt,
                          uint64_t *time)
{
    bool bare = r->has_syn && (r->syn_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) ==
                SYNACK_TCP_SYN && (!s->has_syn || r->syn_pkt > s->syn_pkt);
    *pkt = r->syn_pkt;
    *time = r->syn_time;
    if (!bare && bare_syn_before_synack_elsewhere(s, r)) {
        bare = true;
        *pkt = r->bare_syn_pkt;
        *time = r->bare_syn_time;
    }
    return bare;
}

/* A SYN-ACK at the old ISS whose ACK is below the RCV.NXT its sender
 * already acknowledged: RCV.NXT never goes back in an incarnation, so it
 * answers a SYN that reused its ISN after the old one ended (both sides
 * may reuse theirs: RFC 6528's ISNs follow a clock). So does one after
 * the old incarnation ended by a RST (its sender's ABORT, or one that
 * took effect): there is no old SYN-ACK left to send again */
static bool synack_at_old_iss_is_new(bool closed, const struct o_side *s, const struct o_side *r,
                                     const struct synack_tcp *th)
{
    return s->syn_seen && th->seq == s->iss &&
           ((s->acked && seq_gt(s->ack_last, th->ack)) || s->aborted || closed ||
            synack_after_acked_then_rst(s, r) || synack_after_fin_acked(s, r));
}

/* A SYN-ACK with a new ISS (or one at the old ISS that is new, above) for
 * a SYN of r that reused its ISN (a new incarnation after the old one
 * ended): that SYN is pending as if it had another ISN */
static void synack_answers_reused_isn(const struct o_inc *c, const struct o_side *s,
                                      struct o_side *r, const struct synack_tcp *th)
{
    unsigned syn_pkt;
    uint64_t syn_time;
    if (o_pend_find(r, th->ack - 1) || !s->syn_seen || !r->syn_seen || th->ack != r->iss + 1 ||
        (th->seq == s->iss && !synack_at_old_iss_is_new(c->closed, s, r, th)) ||
        !r_in_syn_sent(s, r, &syn_pkt, &syn_time))
        return;
    uint32_t end = r->iss_syn_end; /* its data, if any, whatever SYNs came since */
    struct o_pend p = {r->iss, end, syn_time, syn_pkt, 0, syn_flags_of_offer(&r->offer), {0}};
    opts_of_bare_syn(&p.opts, r);
    o_pend_add(r, &p);
}

/* s's SYN-ACK is at the ISS of its own bare SYN, and s has acknowledged
 * nothing yet: that SYN went first (a simultaneous open, RFC 9293
 * 3.10.7.3), and its retransmission timer runs since (RFC 6298 5.1). An
 * ACK of that SYN may have come before: without SYN it is dropped in
 * SYN-SENT (3.10.7.3 fifth), and once taken in SYN-RECEIVED no SYN-ACK
 * follows, so this SYN-ACK says it moved nothing. So it is when that bare
 * SYN is the last segment s sent, after it acknowledged: a side sends no
 * bare SYN once it took the other's SYN, so the SYN opened a new
 * connection at the same ISS (an OPEN after an ABORT, within one tick of
 * the ISN clock) */
static bool own_syn_unanswered(const struct o_side *s, const struct synack_tcp *th)
{
    bool last_is_bare_syn = s->has_last && s->last_pkt == s->bare_syn_pkt;
    return s->syn_seen && s->has_bare_syn && th->seq == s->iss && (!s->acked || last_is_bare_syn);
}

/* s's SYN-ACK answers r's SYN of a new incarnation at s's old ISS: what
 * it offers is s's offer in this one (RFC 7323 2.2, 3.2; RFC 2018 3),
 * judged against r's SYN as a first SYN-ACK is (options.c) */
static void answer_offers(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
                          const struct synack_tcp *th)
{
    struct segv v = {.th = th, .flags = th->flags, .seq = th->seq, .data_start = th->seq + 1,
                     .end = th->seq + 1};
    struct o_judge j = {o, c, s, r, &v};
    o_offer_from_opts(&s->offer, &th->opts);
    o_ext_syn(&j);
}

/* A SYN reaches r in SYN-RECEIVED, passive (r sent no SYN of its own),
 * inside its window: r may go back to LISTEN without a word (RFC 9293
 * 3.10.7.4 fourth, MUST-11; a SYN at its sender's ISN too when its text
 * reaches the window) */
void o_syn_may_send_to_listen(const struct o_inc *c, struct o_side *r, const struct segv *v)
{
    if (!HAS(v, SYNACK_TCP_SYN) || o_side_state(c, r) != OS_SYN_RECEIVED || r->has_bare_syn ||
        !r->acked)
        return;
    uint32_t last = v->end - 1, wnd = r->wnd_adv ? r->wnd_adv : 1;
    if (seq_in(v->seq, r->ack_last, wnd) || (v->end != v->seq + 1 && seq_in(last, r->ack_last, wnd)))
        r->may_listen = true;
}

/* s's SYN-ACK at its ISS answers r's SYN at r's ISS after s may have gone
 * back to LISTEN: a copy of the old one (RFC 6298 3: Karn's rule, no
 * sample), or the first of a new connection at the same ISS (the ISN clock
 * has not ticked, RFC 6528), timed, its options answering r's latest SYN
 * (RFC 7323 2.2, 3.2; RFC 2018 3): both readings (READ_BACK_TO_LISTEN) */
bool o_synack_may_be_new(const struct o_side *s, const struct o_side *r,
                         const struct synack_tcp *th)
{
    uint8_t ctl = SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST;
    return s->may_listen && (th->flags & ctl) == (SYNACK_TCP_SYN | SYNACK_TCP_ACK) &&
           th->seq == s->iss && th->ack == r->iss + 1 && r->has_last &&
           r->last_seq == r->iss && (r->last_flags & ctl) == SYNACK_TCP_SYN;
}

/* The pending SYN `syn` of r opened a new incarnation, answered by s's
 * SYN-ACK: start over from it; or, when the answer keeps its sender's ISS
 * (a simultaneous open whose SYN came again with another ISN), start over
 * on that side only. Returns the incarnation's sides anew in *ps, *pr. */
static void inc_from_pending(struct oracle *o, struct o_inc *c, struct o_side **ps,
                             struct o_side **pr, const struct synack_tcp *th, bool old_iss_new)
{
    struct o_side *s = *ps, *r = *pr;
    struct o_pend syn = *o_pend_find(r, th->ack - 1), mine = {0};
    enum oracle_from syn_from = r->from;
    const struct o_pend *sp = o_pend_find(s, th->seq);
    bool own = sp != NULL; /* a simultaneous open anew */
    if (own)
        mine = *sp;
    else if (own_syn_unanswered(s, th)) { /* ... or at its ISS, not answered yet */
        own = true;
        mine = (struct o_pend){s->iss, s->iss_syn_end, s->iss_time, s->bare_syn_pkt,
                               0, syn_flags_of_offer(&s->offer), {0}};
        opts_of_bare_syn(&mine.opts, s);
    }
    bool keep_s = s->syn_seen && th->seq == s->iss && !old_iss_new;
    struct o_ts r_ts = r->ts; /* what r sent after that SYN was judged in the old one */
    if (keep_s) {
        side_restart(r);
    } else {
        o_inc_reset(c, &r->addr, r->port, &s->addr, s->port);
        r = &c->e[0];
        s = &c->e[1];
    }
    struct synack_tcp sth = {.seq = syn.seq, .flags = syn.flags,
                             .reserved = syn.reserved, .opts = syn.opts};
    struct segv sv = {.th = &sth, .flags = syn.flags, .seq = syn.seq,
                      .data_start = syn.seq + 1, .end = syn.seq + 1};
    o_on_syn(o, c, r, s, &sv);
    if (r_ts.known) /* its TSvals, this SYN's among them, may be echoed (RFC 7323 3.2) */
        r->ts = r_ts;
    r->sent_any = true;
    r->snd_max = syn.end;
    r->iss_syn_end = syn.end;
    r->iss_time = syn.time;
    r->from = syn_from;
    if (r->nsegs == 0) { /* the SYN-ACK acknowledges that SYN: an RTT sample
                          * of the policies that time any segment sent once
                          * (its last copy's; RTT_TIMED, Karn's, takes none) */
        r->segs[0] = (struct o_seg){syn.seq, syn.end, syn.time, syn.time, syn.pkt, 1};
        r->nsegs = 1;
    }
    /* this side's own new SYN went out first: its timer runs since (a side
     * kept as it was, in SYN-SENT, has it running already: retransmissions
     * of that SYN restarted it and backed it off, RFC 6298 5.5) */
    if (own && !(keep_s && !s->acked))
        start_from_own_syn(o, c, s, r, &mine);
    if (keep_s) /* ... its SYN-ACK's options are this incarnation's offer */
        answer_offers(o, c, s, r, th);
    else if (own) /* ... or its SYN's or its SYN-ACK's, whichever r took */
        o_offer_again(&s->offer, &th->opts, s->addr.family == SYNACK_AF_INET6);
    *ps = s;
    *pr = r;
}

/* A bare SYN at s's ISS that may be the first of a new incarnation, not
 * the old SYN sent again: s's incarnation ended (a RST reset it, or it
 * sent one: RFC 9293 3.10.5, 3.10.7), or the ISN clock has not ticked
 * since its first SYN at that ISS (RFC 9293 3.4.1, RFC 6528): a CLOSE, an
 * ABORT or an ICMP error in SYN-SENT deletes the TCB without a word
 * (3.10.4, 3.10.5, RFC 5461), so does a SYN cache dropping a half-open
 * connection (RFC 4987 3.3), and a connect() then picks the same ISS. The
 * packets cannot tell it from the old SYN sent again (early): both
 * readings are kept (READ_SYN_STARTS_ANEW) until one is ruled out.
 * A bare SYN at another ISN is a new incarnation's first segment for its
 * sender (a TCP has one connection per 4-tuple: it sends a new SYN only
 * once the old one is gone, R2 or an ABORT may end it without a word), or
 * the other side keeps the old one and answers with a challenge ACK (RFC
 * 5961 4.2) until the answer tells: both readings (READ_SYN_NEW_ISN; the
 * old reading keeps it pending, o_side.pend), or only the new one when
 * the other side is the peer of a harness run (a script or a fuzzer),
 * whose view proves nothing. Neither for a SYN of that peer: its SYN
 * stays the old one's or pending. Returns the reading the SYN opens, or 0 */
/* The other side is the peer of a harness run (a script or a fuzzer):
 * what it holds proves nothing of the incarnation. */
static bool side_is_peer(const struct o_side *r)
{
    return r->has_last && r->from == ORACLE_FROM_PEER;
}

/* A bare SYN of s at another ISN than its ISS, not a copy of one pending. */
static bool syn_new_isn(const struct oracle *o, const struct o_side *s,
                        const struct synack_tcp *th)
{
    return (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) == SYNACK_TCP_SYN &&
           s->syn_seen && o->from != ORACLE_FROM_PEER && th->seq != s->iss &&
           !o_pend_find((struct o_side *)s, th->seq);
}

unsigned o_syn_readings(const struct oracle *o, const struct o_side *s, const struct o_side *r,
                        const struct synack_tcp *th)
{
    if (syn_new_isn(o, s, th))
        return side_is_peer(r) ? 0 : READ_SYN_NEW_ISN;
    if ((th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) != SYNACK_TCP_SYN ||
        !s->syn_seen || o->from == ORACLE_FROM_PEER || th->seq != s->iss)
        return 0;
    if (s->reset || s->aborted || o->now - s->iss_time < o->cfg.isn_tick_us)
        return READ_SYN_STARTS_ANEW;
    return 0;
}

/* s's first bare SYN after a RST ended the incarnation, r's SYN in it (a
 * closed port refused r's SYN, RFC 9293 3.10.7.1, or a RST reset it) and
 * no SYN of r pending for a next one: neither side holds anything of it,
 * and the SYN opens the next one, in which r's old ISN and the options it
 * offered count for nothing */
static bool first_syn_after_close(const struct o_inc *c, const struct o_side *s,
                                  const struct o_side *r, const struct synack_tcp *th)
{
    return c->closed && !s->syn_seen && r->syn_seen && r->npend == 0 &&
           (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) == SYNACK_TCP_SYN;
}

void o_inc_select(struct oracle *o, struct o_inc *c, struct o_side **ps, struct o_side **pr,
                  const struct synack_tcp *th)
{
    struct o_side *s = *ps, *r = *pr;
    if (!(th->flags & SYNACK_TCP_SYN) && s->npend == 0 && r->npend == 0)
        return; /* only a SYN, or an ACK that takes up a pending SYN, picks another */
    if (first_syn_after_close(c, s, r, th)) {
        bool first = s == &c->e[0];
        o_inc_reset(c, &c->e[0].addr, c->e[0].port, &c->e[1].addr, c->e[1].port);
        s = *ps = first ? &c->e[0] : &c->e[1];
        r = *pr = first ? &c->e[1] : &c->e[0];
    }
    unsigned anew = o_syn_readings(o, s, r, th);
    if (anew == 0 && syn_new_isn(o, s, th) && side_is_peer(r))
        anew = READ_SYN_NEW_ISN; /* no reading of the peer's to keep */
    else if (anew && !o_either(o, anew))
        anew = 0;
    if (anew == READ_SYN_STARTS_ANEW) {
        /* its stream starts over from this SYN */
        side_restart(s);
        c->closed = false;
        c->number++;
    } else if (anew == READ_SYN_NEW_ISN) {
        /* a new incarnation: this SYN is its first segment */
        bool first = s == &c->e[0];
        o_inc_reset(c, &c->e[0].addr, c->e[0].port, &c->e[1].addr, c->e[1].port);
        s = first ? &c->e[0] : &c->e[1];
        r = first ? &c->e[1] : &c->e[0];
        *ps = s;
        *pr = r;
    }
    bool synack = (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) ==
                  (SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    bool old_iss_new = synack && synack_at_old_iss_is_new(c->closed, s, r, th);
    if (synack)
        synack_answers_reused_isn(c, s, r, th);
    if (o_synack_may_be_new(s, r, th)) {
        s->may_listen = false;
        if (o_either(o, READ_BACK_TO_LISTEN))
            side_restart(s); /* its first segment of a new connection */
    }
    const struct o_pend *sq = pend_taken_up(s, r, th);
    if (sq) { /* s's side starts over from that SYN, its timer running since */
        struct o_pend mine = *sq;
        side_restart(s);
        start_from_own_syn(o, c, s, r, &mine);
    }
    const struct o_pend *rq = pend_acked_after_own_syn(s, r, th);
    if (rq) { /* ... and so does r's, from the SYN s acknowledges */
        struct o_pend theirs = *rq;
        side_restart(r);
        start_from_own_syn(o, c, r, s, &theirs);
    }
    if (synack && o_pend_find(r, th->ack - 1))
        inc_from_pending(o, c, ps, pr, th, old_iss_new);
}

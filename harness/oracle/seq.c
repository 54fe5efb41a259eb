/* RFC 9293 3.10.7.4, first check, from the sender's side: a segment lies
 * in its sender's own sequence space, after its ISN and within reach of
 * what it sent before (seq-outside-own-space); octets it skipped are
 * holes until they come (reordering or loss before the capture point)
 * or the receiver acknowledges past them. */
#include "oracle/model.h"

/* Further beyond all s sent than any window r offered: not of s's stream. */
bool o_beyond_reach(const struct o_side *s, const struct o_side *r, const struct segv *v)
{
    uint32_t reach = r->wnd_max > 65535 ? r->wnd_max : 65535;
    return s->sent_any && seq_gt(v->seq, s->snd_max + reach);
}

/* Returns false for a segment that is not of the sender's stream at all
 * (before its ISN, or further beyond all it sent than any window the
 * receiver offered): a finding, and nothing else is learnt from it. */
bool o_check_sequence(struct oracle *o, struct o_side *s, const struct o_side *r,
                      const struct segv *v)
{
    if (!s->syn_seen || HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST))
        return true;
    if (seq_lt(v->seq, s->iss)) {
        o_finding(o, RULE_SEQ_OUTSIDE, "sequence number %u is %u before the sender's ISN %u",
                  v->seq, s->iss - v->seq, s->iss);
        /* ... but octets after the SYN in it are taken: the receiver trims
         * what is old and processes the rest (RFC 9293 3.10.7.4 first check).
         * Only when it reaches past ISN + 1: a segment half the sequence
         * space away is both before the ISN and after it by RFC 1982, and
         * its receiver finds no octet of it in the window */
        return v->end - v->seq > s->iss + 1 - v->seq;
    }
    if (o_beyond_reach(s, r, v)) {
        o_finding(o, RULE_SEQ_OUTSIDE, "sequence number relative %u is beyond all it sent "
                "(relative %u) by more than any window offered", v->seq - s->iss,
                s->snd_max - s->iss);
        return false;
    }
    if (s->sent_any && seq_gt(v->seq, s->snd_max) && s->nholes < ORACLE_HOLES)
        s->holes[s->nholes++] = (struct o_hole){s->snd_max, v->seq, o->pkt, o->now};
    o_check_fin(o, s, v);
    return true;
}

/* [seq, end) goes out: does it fill (part of) a hole? Trim what it fills,
 * and return the packet that first jumped over it (the copy now seen went
 * out before that one), or 0. */
unsigned o_hole_fill(struct o_side *s, uint32_t seq, uint32_t end)
{
    unsigned filled = 0;
    size_t k = 0;
    for (size_t i = 0; i < s->nholes; i++) {
        struct o_hole h = s->holes[i];
        if (seq_lt(seq, h.end) && seq_gt(end, h.start)) {
            if (!filled || h.packet < filled)
                filled = h.packet;
            if (seq_le(seq, h.start))
                h.start = end;           /* the front is filled */
            else
                h.end = seq;             /* the back is filled (the front stays open) */
        }
        if (seq_lt(h.start, h.end))
            s->holes[k++] = h;
    }
    s->nholes = k;
    return filled;
}

/* The receiver acknowledged past a hole: it was sent, the capture missed it. */
void o_hole_acked(struct o_side *s, uint32_t ack)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nholes; i++)
        if (!seq_gt(ack, s->holes[i].start))
            s->holes[k++] = s->holes[i];
    s->nholes = k;
}

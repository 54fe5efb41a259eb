/* The extension RFCs, one struct o_ext each: RFC 7323 (window scaling,
 * timestamps: negotiation, the echo, the clock) and RFC 2018 (SACK:
 * negotiation, the blocks) here, RFC 3168 (ECN) in ecn.c. A new RFC's
 * rules go in a table like these, listed in oracle_exts[] (model.h says
 * how). */
#include <stddef.h>

#include "oracle/model.h"

/* ---- RFC 7323: window scaling and timestamps ---- */

static void rfc7323_header(struct o_judge *j)
{
    const struct synack_tcp *th = j->v->th;
    /* 2.2: the option is sent only on a SYN */
    if (!HAS(j->v, SYNACK_TCP_SYN) && (th->opts.present & TCPOPT_F_WSCALE))
        o_finding(j->o, RULE_WSCALE, "window scale option (%u) on a segment without SYN",
                  th->opts.wscale);
}

static void rfc7323_syn(struct o_judge *j)
{
    const struct o_offer *mine = &j->s->offer, *theirs = &j->r->offer;
    if (!j->r->syn_seen)
        return;
    if (HAS(j->v, SYNACK_TCP_ACK)) { /* 2.2, 3.2: a SYN-ACK offers only what the SYN did */
        if (mine->ws_present && !theirs->ws_present)
            o_finding(j->o, RULE_WSCALE, "SYN-ACK offers window scaling; the SYN did not");
        if (mine->ts && !theirs->ts)
            o_finding(j->o, RULE_TS, "SYN-ACK carries timestamps; the SYN did not");
    }
    j->c->neg.scaled = mine->ws_present && theirs->ws_present; /* 2.2 */
}

/* A TSval s sent: the most the other side may echo (3.2). */
static void ts_sent(struct o_side *s, uint32_t tsval)
{
    if (!s->ts.known || seq_gt(tsval, s->ts.max))
        s->ts.max = tsval;
    s->ts.known = true;
}

/* The first SYN of a side in the incarnation (also one it starts from a
 * pending SYN, which the sent hook saw in the old one): its TSval starts
 * the clock's record. */
static void rfc7323_syn_ts(struct o_judge *j)
{
    const struct synack_tcp_opts *op = &j->v->th->opts;
    rfc7323_syn(j);
    if (!(op->present & TCPOPT_F_TS))
        return;
    ts_sent(j->s, op->ts_val);
    j->s->ts.new_known = true;
    j->s->ts.new_val = op->ts_val;
}

/* Does v send sequence numbers s never sent before (data, SYN or FIN
 * beyond SND.MAX, a SYN of its incarnation)? Reordering in the network
 * cannot make a segment sent earlier look so after a later one. */
static bool sends_new(const struct o_side *s, const struct segv *v)
{
    if (HAS(v, SYNACK_TCP_RST) || v->end == v->seq)
        return false;
    if (HAS(v, SYNACK_TCP_SYN) && s->syn_seen && v->seq != s->iss)
        return false; /* a SYN at another ISN: another incarnation's */
    return !s->sent_any || seq_gt(v->end, s->snd_max);
}

/* The TSval of a segment that can be acknowledged, and when it first went
 * (4.1: what an RTTM sample counts from). */
static void ts_tx_note(struct o_side *s, uint32_t tsval, uint64_t now)
{
    unsigned last = (s->ts.next + ORACLE_TS_TX - 1) % ORACLE_TS_TX;
    if (s->ts.ntx && s->ts.tx_val[last] == tsval)
        return;
    s->ts.tx_val[s->ts.next] = tsval;
    s->ts.tx_t[s->ts.next] = now;
    s->ts.next = (s->ts.next + 1) % ORACLE_TS_TX;
    if (s->ts.ntx < ORACLE_TS_TX)
        s->ts.ntx++;
}

/* Is tsval one r sent on a segment the capture remembers? The highest
 * TSval is by serial arithmetic (RFC 1982), which a clock that jumps by
 * 2^31 or more (a new incarnation's SYN may start anywhere, RFC 7323 5.4)
 * leaves behind */
static bool ts_tx_seen(const struct o_side *r, uint32_t tsval)
{
    for (unsigned i = 0; i < r->ts.ntx; i++)
        if (r->ts.tx_val[i] == tsval)
            return true;
    return false;
}

/* 4.1, 4.2, Appendix G: an ACK of new data with a TSecr gives the sender
 * an RTT sample, also for a segment sent twice (the echo tells which
 * copy), weighted by 1 / ExpectedSamples, ceil(FlightSize / (2 SMSS)).
 * The sample counts from when r first sent the TSval echoed; one the
 * capture no longer remembers gives none. */
void o_ts_rtt(struct oracle *o, const struct o_side *s, struct o_side *r,
              const struct synack_tcp *th)
{
    if (!(th->opts.present & TCPOPT_F_TS) || th->opts.ts_ecr == 0 || !s->offer.ts ||
        !r->offer.ts || !r->una_known)
        return;
    for (unsigned i = 0; i < r->ts.ntx; i++) {
        unsigned k = (r->ts.next + ORACLE_TS_TX - 1 - i) % ORACLE_TS_TX;
        if (r->ts.tx_val[k] != th->opts.ts_ecr)
            continue;
        uint32_t smss = s->offer.mss_present && s->offer.mss ? s->offer.mss : 536;
        uint32_t flight = r->snd_max - r->snd_una, per = 2 * smss;
        o_rtt_sample_weighted(r, RTT_TSECR, (int64_t)(o->now - r->ts.tx_t[k]),
                              flight > per ? (flight + per - 1) / per : 1);
        return;
    }
}

/* Every segment: TSecr echoes a TSval the other side sent (3.2), and the
 * sender's clock does not go back (5.4: the timestamp clock; PAWS, 5.3,
 * rests on it). Judged on what the capture shows: TSecr against the
 * highest TSval seen (a capture on the path sees every TSval the receiver
 * could have), TSval only on segments sending new sequence numbers, which
 * reordering cannot put before an earlier one. */
static void rfc7323_sent(struct o_judge *j)
{
    const struct synack_tcp_opts *op = &j->v->th->opts;
    struct o_side *s = j->s;
    const struct o_side *r = j->r;
    if (!(op->present & TCPOPT_F_TS))
        return;
    if (HAS(j->v, SYNACK_TCP_ACK) && r->syn_seen && r->offer.ts && r->ts.known &&
        seq_gt(op->ts_ecr, r->ts.max) && !ts_tx_seen(r, op->ts_ecr))
        o_finding(j->o, RULE_TS_ECHO, "TSecr %u echoes no TSval the other side sent (the "
                  "highest was %u)", op->ts_ecr, r->ts.max);
    if (sends_new(s, j->v)) {
        if (s->ts.new_known && seq_lt(op->ts_val, s->ts.new_val))
            o_finding(j->o, RULE_TS_BACKWARDS, "TSval %u on new sequence numbers is below the "
                      "%u of earlier ones: the timestamp clock went back", op->ts_val,
                      s->ts.new_val);
        s->ts.new_known = true;
        s->ts.new_val = op->ts_val;
    }
    if (j->v->end != j->v->seq && !HAS(j->v, SYNACK_TCP_RST))
        ts_tx_note(s, op->ts_val, j->o->now);
    ts_sent(s, op->ts_val);
}

static void rfc7323_segment(struct o_judge *j)
{
    /* 3.2: timestamps on a non-SYN only when both SYNs carried them */
    if ((j->v->th->opts.present & TCPOPT_F_TS) && !(j->s->offer.ts && j->r->offer.ts))
        o_finding(j->o, RULE_TS, "timestamps option on a connection whose SYNs did not both "
                "carry one");
}

/* (header: a window scale option; sent, segment: timestamps) */
static bool rfc7323_concerns(const struct segv *v)
{
    return (v->th->opts.present & (TCPOPT_F_WSCALE | TCPOPT_F_TS)) != 0;
}

static const struct o_ext rfc7323 = {"RFC 7323", rfc7323_header, rfc7323_syn_ts, rfc7323_segment,
                                     rfc7323_sent, rfc7323_concerns};

/* ---- RFC 2018: SACK ---- */

static void rfc2018_syn(struct o_judge *j)
{
    /* 3: SACK-permitted on a SYN-ACK only in answer to one on the SYN */
    if (j->r->syn_seen && HAS(j->v, SYNACK_TCP_ACK) && j->s->offer.sackok &&
        !j->r->offer.sackok)
        o_finding(j->o, RULE_SACK, "SYN-ACK carries SACK-permitted; the SYN did not");
    if (j->r->syn_seen)
        j->c->neg.sack = j->s->offer.sackok && j->r->offer.sackok;
}

/* RFC 2883 4: the first block below the cumulative ACK reports a segment
 * that came again, whatever it carried: one whose sequence numbers lie
 * more than 2^31 behind the data sender's furthest (RFC 1982: "after" it)
 * is still below the ACK, an old one the receiver dropped */
static bool dsack_below_ack(const struct o_judge *j, unsigned i, uint32_t right)
{
    return i == 0 && HAS(j->v, SYNACK_TCP_ACK) && seq_le(right, j->v->th->ack);
}

/* 3: a block is [Left Edge, Right Edge) of octets the data sender sent,
 * held above the cumulative ACK; RFC 2883 4: only the first may report a
 * duplicate (D-SACK), below the ACK or inside a later block. */
static void sack_blocks(struct o_judge *j)
{
    const struct synack_tcp *th = j->v->th;
    const struct o_side *r = j->r;
    for (unsigned i = 0; i < th->opts.sack_count && i < SYNACK_SACK_MAX; i++) {
        uint32_t left = th->opts.sack[i].left, right = th->opts.sack[i].right;
        if (!seq_lt(left, right))
            o_finding(j->o, RULE_SACK_BLOCK, "SACK block %u (%u-%u relative) is empty or "
                      "reversed", i + 1, left - r->iss, right - r->iss);
        else if (r->sent_any && seq_gt(right, r->snd_max) && !dsack_below_ack(j, i, right))
            o_finding(j->o, RULE_SACK_BLOCK, "SACK block %u reaches relative %u; the other side "
                      "sent up to %u", i + 1, right - r->iss, r->snd_max - r->iss);
        else if (i > 0 && HAS(j->v, SYNACK_TCP_ACK) && seq_le(right, th->ack))
            o_finding(j->o, RULE_SACK_BLOCK, "SACK block %u (%u-%u relative) lies below the "
                      "cumulative ACK %u and is not the first (a D-SACK)", i + 1, left - r->iss,
                      right - r->iss, th->ack - r->iss);
    }
}

static void rfc2018_segment(struct o_judge *j)
{
    if (!(j->v->th->opts.present & TCPOPT_F_SACK))
        return;
    /* 3: SACK blocks only to a receiver that sent SACK-permitted */
    if (!j->r->offer.sackok)
        o_finding(j->o, RULE_SACK, "SACK blocks to a receiver that did not send SACK-permitted");
    else
        sack_blocks(j);
}

static bool rfc2018_concerns(const struct segv *v)
{
    return (v->th->opts.present & TCPOPT_F_SACK) != 0;
}

static const struct o_ext rfc2018 = {"RFC 2018", NULL, rfc2018_syn, rfc2018_segment, NULL,
                                     rfc2018_concerns};

extern const struct o_ext oracle_rfc3168; /* ecn.c */

const struct o_ext *const oracle_exts[] = {&rfc7323, &rfc2018, &oracle_rfc3168, NULL};

/* ---- calling them ---- */

unsigned o_ext_concerns(const struct segv *v)
{
    unsigned m = 0;
    for (unsigned i = 0; oracle_exts[i]; i++)
        if (!oracle_exts[i]->concerns || oracle_exts[i]->concerns(v))
            m |= 1u << i;
    return m;
}

void o_ext_header(struct o_judge *j)
{
    for (unsigned i = 0; oracle_exts[i]; i++)
        if ((j->v->exts >> i & 1) && oracle_exts[i]->header)
            oracle_exts[i]->header(j);
}

void o_ext_syn(struct o_judge *j)
{
    for (const struct o_ext *const *e = oracle_exts; *e; e++)
        if ((*e)->syn)
            (*e)->syn(j);
}

void o_ext_sent(struct o_judge *j)
{
    for (unsigned i = 0; oracle_exts[i]; i++)
        if ((j->v->exts >> i & 1) && oracle_exts[i]->sent)
            oracle_exts[i]->sent(j);
}

/* A segment without SYN once both SYNs of the incarnation are seen. */
void o_ext_segment(struct o_judge *j)
{
    if (HAS(j->v, SYNACK_TCP_SYN) || !j->s->syn_seen || !j->r->syn_seen)
        return;
    for (unsigned i = 0; oracle_exts[i]; i++)
        if ((j->v->exts >> i & 1) && oracle_exts[i]->segment)
            oracle_exts[i]->segment(j);
}

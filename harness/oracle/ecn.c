/* RFC 3168 (ECN) as an extension (options.c lists it): the setup on the
 * SYNs (6.1.1: ECE and CWR on the SYN, ECE alone on the SYN-ACK), and
 * what a connection that did not set it up, or a segment that may not be
 * ECN-capable, never carries. A connection whose SYN asked for AccECN
 * (the AE bit, o_neg.accecn) uses the flags and the field otherwise and
 * is not judged here. */
#include "oracle/model.h"

static bool offers_ecn(const struct segv *v)
{
    bool ece = HAS(v, SYNACK_TCP_ECE), cwr = HAS(v, SYNACK_TCP_CWR);
    return HAS(v, SYNACK_TCP_ACK) ? ece && !cwr : ece && cwr;
}

static bool pure_syn(const struct segv *v)
{
    return (v->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) == SYNACK_TCP_SYN;
}

/* 6.1.1: a SYN is never sent ECN-capable (a SYN-ACK may be: RFC 5562). */
static void rfc3168_header(struct o_judge *j)
{
    if (!j->c->neg.accecn && pure_syn(j->v) && j->v->ecn)
        o_finding(j->o, RULE_ECT_SYN, "a SYN sent with ECN field %u (ECN-capable or CE)",
                  j->v->ecn);
}

static void rfc3168_syn(struct o_judge *j)
{
    j->s->offer.ecn = offers_ecn(j->v);
    if (j->r->syn_seen)
        j->c->neg.ecn = j->s->offer.ecn && j->r->offer.ecn;
}

/* A SYN sent again may drop the setup (Linux does, after a timeout); the
 * answer may be to any copy. */
static void rfc3168_sent(struct o_judge *j)
{
    if (!pure_syn(j->v) || !j->s->syn_seen || j->v->seq != j->s->iss || !offers_ecn(j->v))
        return;
    j->s->offer.ecn = true;
    if (j->r->syn_seen)
        j->c->neg.ecn = j->r->offer.ecn;
}

static void rfc3168_segment(struct o_judge *j)
{
    const struct segv *v = j->v;
    if (j->c->neg.accecn)
        return;
    if (!j->c->neg.ecn) { /* 6.1.1: no ECT, no ECE, no CWR without the setup */
        if (v->ecn)
            o_finding(j->o, RULE_ECN_UNNEGOTIATED, "ECN field %u on a connection whose SYNs "
                      "did not set ECN up", v->ecn);
        if (HAS(v, SYNACK_TCP_ECE | SYNACK_TCP_CWR))
            o_finding(j->o, RULE_ECN_UNNEGOTIATED, "%s on a connection whose SYNs did not set "
                      "ECN up", HAS(v, SYNACK_TCP_ECE) ? "ECE" : "CWR");
        return;
    }
    /* 6.1.4: a pure ACK (no data, no SYN, no FIN) is not ECN-capable */
    if (v->ecn && v->len == 0 && !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_FIN | SYNACK_TCP_RST))
        o_finding(j->o, RULE_ECT_PURE_ACK, "a segment without data sent with ECN field %u",
                  v->ecn);
}

/* (the ECN field, ECE or CWR) */
static bool rfc3168_concerns(const struct segv *v)
{
    return v->ecn || HAS(v, SYNACK_TCP_ECE | SYNACK_TCP_CWR);
}

const struct o_ext oracle_rfc3168 = {"RFC 3168", rfc3168_header, rfc3168_syn, rfc3168_segment,
                                     rfc3168_sent, rfc3168_concerns};

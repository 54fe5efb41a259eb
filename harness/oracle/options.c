/* The extension RFCs, one struct o_ext each: RFC 7323 (window scaling,
 * timestamps) and RFC 2018 (SACK) as negotiated on the SYNs. A new RFC's
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

static void rfc7323_segment(struct o_judge *j)
{
    /* 3.2: timestamps on a non-SYN only when both SYNs carried them */
    if ((j->v->th->opts.present & TCPOPT_F_TS) && !(j->s->offer.ts && j->r->offer.ts))
        o_finding(j->o, RULE_TS, "timestamps option on a connection whose SYNs did not both "
                "carry one");
}

static const struct o_ext rfc7323 = {"RFC 7323", rfc7323_header, rfc7323_syn, rfc7323_segment};

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

static void rfc2018_segment(struct o_judge *j)
{
    /* 3: SACK blocks only to a receiver that sent SACK-permitted */
    if ((j->v->th->opts.present & TCPOPT_F_SACK) && !j->r->offer.sackok)
        o_finding(j->o, RULE_SACK, "SACK blocks to a receiver that did not send SACK-permitted");
}

static const struct o_ext rfc2018 = {"RFC 2018", NULL, rfc2018_syn, rfc2018_segment};

const struct o_ext *const oracle_exts[] = {&rfc7323, &rfc2018, NULL};

/* ---- calling them ---- */

void o_ext_header(struct o_judge *j)
{
    for (const struct o_ext *const *e = oracle_exts; *e; e++)
        if ((*e)->header)
            (*e)->header(j);
}

void o_ext_syn(struct o_judge *j)
{
    for (const struct o_ext *const *e = oracle_exts; *e; e++)
        if ((*e)->syn)
            (*e)->syn(j);
}

/* A segment without SYN once both SYNs of the incarnation are seen. */
void o_ext_segment(struct o_judge *j)
{
    if (HAS(j->v, SYNACK_TCP_SYN) || !j->s->syn_seen || !j->r->syn_seen)
        return;
    for (const struct o_ext *const *e = oracle_exts; *e; e++)
        if ((*e)->segment)
            (*e)->segment(j);
}

/* The options of a connection: what its SYN offers and what both SYNs
 * settle (MSS, RFC 7323 window scale and timestamps, RFC 2018
 * SACK-permitted), the options every later segment carries, and the
 * timestamp rules of RFC 7323: TS.Recent, PAWS and RTTM. The SYN cache's
 * half-open entries use the same rules without a TCB. */
#include <string.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

#define TCP_MAX_WSCALE 14u                        /* RFC 7323 2.3 */
#define PAWS_IDLE (24ull * 24 * 3600 * SYNACK_SEC) /* RFC 7323 5.5: 24 days */
#define TS_OPT_LEN 12u                            /* NOP NOP TS, or SACK-perm TS */

uint8_t tcp_ext_from_config(const struct synack_config *c)
{
    uint8_t e = 0;
    e |= c->window_scaling ? TO_WSCALE : 0;
    e |= c->timestamps ? TO_TS : 0;
    e |= c->sack ? TO_SACK : 0;
    e |= c->dsack ? TO_DSACK : 0;
    e |= c->ecn == 1 ? TO_ECN : 0;
    e |= c->ecn ? TO_ECN_OK : 0;
    return (uint8_t)e;
}

/* RFC 7323 2.3: the smallest shift that lets the window cover the whole
 * receive buffer, at most 14. */
static uint8_t wscale_for(uint32_t rcvbuf)
{
    uint8_t s = 0;
    while (s < TCP_MAX_WSCALE && (65535u << s) < rcvbuf)
        s++;
    return s;
}

uint8_t tcp_wscale_for(uint32_t rcvbuf)
{
    return wscale_for(rcvbuf);
}

/* RFC 7323 2.3: the shift for the connection's buffer, or the larger one
 * set when it was made (rcv_wscale_min: for the largest buffer it may
 * have, Linux's tcp_rmem max); a listener's for the connections it takes. */
static uint8_t wscale_of(const struct tcb *tcb)
{
    uint8_t w = wscale_for(tcb->rb.cap);
    return w > tcb->rcv_wscale ? w : tcb->rcv_wscale;
}

/* RFC 7323 7.1: TSval = clock + F(4-tuple, secret), so the clock of a
 * 4-tuple moves forward across its incarnations (RFC 6191) and reveals
 * nothing of the host's uptime. */
static uint32_t ts_offset_of(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    if (t->cfg->timestamps == 2)
        return 0; /* Linux's tcp_timestamps 2: the clock itself, no offset */
    uint32_t k[9];
    size_t n = tcp_addr_words(&tu->laddr, &tu->raddr, k);
    k[n++] = (uint32_t)tu->lport << 16 | tu->rport;
    return (uint32_t)siphash24(&t->ts_key, k, n * sizeof *k);
}

static uint32_t ts_clock(uint64_t now)
{
    return (uint32_t)(now / SYNACK_MSEC); /* 1 ms per tick (RFC 7323 5.4) */
}

uint32_t tcp_ts_now(const struct tcb *tcb, uint64_t now)
{
    return ts_clock(now) + tcb->ts_offset;
}

void tcp_syn_prepare(const struct tcp_ctx *t, struct tcb *tcb)
{
    struct tcp_tuple tu = {tcb->laddr, tcb->raddr, tcb->lport, tcb->rport};
    tcb->rcv_mss = tcp_our_mss(t, tcb->raddr.family, tcb->user_mss);
    tcb->rcv_wscale = wscale_of(tcb);
    tcb->snd_wscale = 0;
    tcb->ts_offset = ts_offset_of(t, &tu);
}

/* ---- the peer's SYN ---- */

void tcp_syn_opts_take(struct tcp_ctx *t, const struct tcp_seg *seg, struct tcp_syn_opts *o)
{
    const struct synack_tcp_opts *in = seg->opts;
    *o = (struct tcp_syn_opts){.wscale = TCP_WSCALE_NONE};
    if (in->present & TCPOPT_F_MSS) {
        if (in->mss == 0)
            t->cnt->tcp_mss_zero++; /* cannot be honoured: as if absent */
        else
            o->mss = in->mss;
    }
    if (in->present & TCPOPT_F_WSCALE)
        o->wscale = in->wscale;
    o->sack_ok = (in->present & TCPOPT_F_SACK_PERM) != 0;
    o->ts_ok = (in->present & TCPOPT_F_TS) != 0;
    o->ts_val = in->ts_val;
    o->tfo = (in->present & TCPOPT_F_FASTOPEN) != 0;
    /* RFC 3168 6.1.1: an ECN-setup SYN has ECE and CWR; an ECN-setup
     * SYN-ACK ECE alone (a SYN-ACK with both is not one). */
    uint8_t ec = seg->flags & (SYNACK_TCP_ECE | SYNACK_TCP_CWR);
    o->ecn = SEG_HAS(seg, SYNACK_TCP_ACK) ? ec == SYNACK_TCP_ECE
                                          : ec == (SYNACK_TCP_ECE | SYNACK_TCP_CWR);
}

/* What a SYN with these options offers, as TO_* bits. */
static uint8_t syn_ext(const struct tcp_syn_opts *o)
{
    uint8_t e = 0;
    e |= o->wscale != TCP_WSCALE_NONE ? TO_WSCALE : 0;
    e |= o->ts_ok ? TO_TS : 0;
    e |= o->sack_ok ? TO_SACK : 0;
    return (uint8_t)e;
}

/* An extension is in use when both SYNs carried it (RFC 7323 2.2, 3.2;
 * RFC 2018 2): ours offered it and the peer's did too. ECN: our SYN asked
 * and the SYN-ACK agreed, or the peer's SYN asked and we accept (RFC 3168
 * 6.1.1). */
static uint8_t settled(uint8_t offer, const struct tcp_syn_opts *o, bool syn_ack)
{
    uint8_t on = (uint8_t)(offer & syn_ext(o) & (TO_WSCALE | TO_TS | TO_SACK));
    if ((on & TO_SACK) && (offer & TO_DSACK))
        on |= TO_DSACK;
    if (o->ecn && (offer & (syn_ack ? TO_ECN : TO_ECN_OK)))
        on |= TO_ECN;
    return on;
}

void tcp_syn_opts_apply(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_syn_opts *o,
                        uint64_t now)
{
    tcb->peer_mss = o->mss ? MUT(mss_opt_ignored, 536, o->mss)
                           : MUT(mss_default_not_536, 1460, tcp_default_mss(tcb)); /* MUST-14, MUST-15 */
    tcb->opt_on = settled(tcb->opt_offer, o, tcb->state == SYNACK_SYN_SENT);
    if (tcb->opt_on & TO_WSCALE) {
        tcb->snd_wscale = o->wscale;
        if (o->wscale > TCP_MAX_WSCALE) { /* RFC 7323 2.3: use 14, and count it */
            t->cnt->tcp_wscale_clamped++;
            tcb->snd_wscale = TCP_MAX_WSCALE;
        }
    } else {
        tcb->snd_wscale = tcb->rcv_wscale = 0;
    }
    if (tcb->opt_on & TO_TS) {
        tcb->ts_recent = o->ts_val;
        tcb->ts_recent_age = now;
    }
    tcb->last_ack_sent = tcb->rcv_nxt;
    tcp_update_snd_mss(t, tcb);
    tcp_pmtu_from_cache(t, tcb, now); /* RFC 1191 6.2 */
}

void tcp_syn_options(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                     uint64_t now)
{
    struct tcp_syn_opts o;
    tcp_syn_opts_take(t, seg, &o);
    tcp_syn_opts_apply(t, tcb, &o, now);
}

/* ---- the options we send ---- */

uint32_t tcp_opts_overhead(const struct tcb *tcb)
{
    return (tcb->opt_on & TO_TS) ? TS_OPT_LEN : 0u;
}

uint32_t tcp_seg_room(const struct tcb *tcb)
{
    /* SACK blocks go in data segments too (RFC 2018 4): the text shrinks
     * so that the segment stays within the MSS (RFC 6691). */
    uint32_t extra = tcp_sack_optlen(tcb);
    return tcb->snd_mss > extra + 1u ? tcb->snd_mss - extra : 1u;
}

/* A SYN (ext: what it offers) or SYN-ACK (ext: what is settled). */
static void syn_fill(uint8_t ext, uint16_t mss, uint8_t wscale, struct synack_tcp_opts *o)
{
    if (!MUTANT(syn_without_mss))
        o->present |= TCPOPT_F_MSS; /* MUST-14; SHLD-5 and MAY-3: always */
    o->mss = mss;
    if (ext & TO_WSCALE) {
        o->present |= TCPOPT_F_WSCALE;
        o->wscale = wscale;
    }
    if (ext & TO_SACK)
        o->present |= TCPOPT_F_SACK_PERM;
}

/* RFC 7323 3.2: TSecr is TS.Recent when the ACK bit is on, else 0. */
static void ts_fill(uint32_t tsval, uint32_t tsecr, uint8_t flags, struct synack_tcp_opts *o)
{
    o->present |= TCPOPT_F_TS;
    o->ts_val = tsval;
    o->ts_ecr = (flags & SYNACK_TCP_ACK) ? tsecr : 0;
}

void tcp_opts_fill(const struct tcp_ctx *t, const struct tcb *tcb, uint8_t flags,
                   struct synack_tcp_opts *o, uint64_t now)
{
    (void)t;
    *o = (struct synack_tcp_opts){0};
    /* A SYN offers; a SYN-ACK (ours in SYN-RECEIVED) carries only what the
     * peer's SYN offered too (RFC 7323 2.2, 3.2; RFC 2018 2). */
    uint8_t ext = tcb->opt_on;
    if ((flags & SYNACK_TCP_SYN) && tcb->state == SYNACK_SYN_SENT)
        ext = tcb->opt_offer;
    if ((flags & SYNACK_TCP_SYN) || MUTANT(mss_on_every_segment))
        syn_fill((flags & SYNACK_TCP_SYN) ? ext : 0, tcb->rcv_mss, tcb->rcv_wscale, o);
    if ((flags & SYNACK_TCP_SYN) && tcb->tfo_opt) { /* RFC 7413 4.1.1 */
        o->present |= TCPOPT_F_FASTOPEN;
        o->tfo_len = tcb->tfo_len;
        memcpy(o->tfo_cookie, tcb->tfo_cookie, tcb->tfo_len);
    }
    /* Every segment once negotiated, a RST included (3.2: MUST, SHOULD). */
    if (ext & TO_TS)
        ts_fill(tcp_ts_now(tcb, now), tcb->ts_recent, flags, o);
    /* RFC 2018 3, 4: blocks on every ACK while data is held out of order. */
    if ((tcb->opt_on & TO_SACK) && (flags & SYNACK_TCP_ACK) &&
        !(flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST)))
        tcp_sack_fill(tcb, o);
}

void tcp_syn_ack_opts(const struct tcp_ctx *t, const struct tcb *l, const struct tcp_tuple *tu,
                      const struct tcp_syn_opts *peer, uint8_t flags, struct synack_tcp_opts *o,
                      uint64_t now)
{
    *o = (struct synack_tcp_opts){0};
    uint8_t ext = settled(l->opt_offer, peer, false);
    if (flags & SYNACK_TCP_SYN) {
        syn_fill(ext, tcp_our_mss(t, tu->raddr.family, l->user_mss), wscale_of(l), o);
        tcp_tfo_syn_ack_opt(t, l, tu, peer, o);
    }
    if (ext & TO_TS)
        ts_fill(ts_clock(now) + ts_offset_of(t, tu), peer->ts_val, flags, o);
}

/* ---- timestamps on arrival (RFC 7323 3.2, 4.3, 5.3) ---- */

bool tcp_ts_check(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg, uint64_t now)
{
    if (!(tcb->opt_on & TO_TS) || SEG_HAS(seg, SYNACK_TCP_RST))
        return true;
    if (!(seg->opts->present & TCPOPT_F_TS)) {
        /* RFC 7323 3.2: SHOULD silently drop; MUST NOT abort. */
        t->cnt->tcp_ts_missing++;
        return false;
    }
    uint32_t tsval = seg->opts->ts_val;
    if (!seq_lt(tsval, tcb->ts_recent))
        return true;
    if (now - tcb->ts_recent_age > PAWS_IDLE) {
        /* RFC 7323 5.5: idle more than 24 days, TS.Recent is invalid */
        tcb->ts_recent = tsval;
        tcb->ts_recent_age = now;
        return true;
    }
    /* RFC 7323 5.3 R1 (PAWS): not acceptable; ACK it and drop it. */
    t->cnt->tcp_paws_drop++;
    tcb->flags |= TF_ACKNOW;
    tcp_output_later(t, tcb);
    return false;
}

void tcp_ts_update(struct tcb *tcb, const struct tcp_seg *seg, uint64_t now)
{
    /* RFC 7323 4.3 (3), 5.3 R3: SEG.TSval >= TS.Recent and
     * SEG.SEQ =< Last.ACK.sent: the segment the next ACK answers first. */
    if (!(tcb->opt_on & TO_TS) || !(seg->opts->present & TCPOPT_F_TS))
        return;
    if (seq_geq(seg->opts->ts_val, tcb->ts_recent) && seq_leq(seg->seq, tcb->last_ack_sent)) {
        tcb->ts_recent = seg->opts->ts_val;
        tcb->ts_recent_age = now;
    }
}

bool tcp_ts_rtt(const struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                uint32_t flight, uint64_t now)
{
    /* RFC 7323 4.1, 4.2: an ACK that advances SND.UNA; its TSecr echoes
     * the TSval of the segment it answers, retransmitted or not. */
    if (!(tcb->opt_on & TO_TS) || !(seg->opts->present & TCPOPT_F_TS) || seg->opts->ts_ecr == 0)
        return false;
    uint32_t ago = tcp_ts_now(tcb, now) - seg->opts->ts_ecr;
    if (ago > (uint32_t)(t->cfg->rto_max / SYNACK_MSEC) * 2u)
        return false; /* an echo we never sent, or from the future */
    /* Appendix G: several samples per RTT weigh 1/ExpectedSamples each. */
    uint32_t per = 2u * tcb->snd_mss;
    uint32_t expected = flight > per ? (flight + per - 1) / per : 1;
    rtt_sample_weighted(t, tcb, (uint64_t)ago * SYNACK_MSEC, expected);
    return true;
}

/* ---- RFC 6191: a SYN reopening a TIME-WAIT connection ---- */

bool tcp_time_wait_syn_ok(const struct tcp_tw_view *v, const struct tcp_seg *seg)
{
    /* With timestamps on both incarnations, a TSval above the last one
     * seen; with equal TSvals or without timestamps, a sequence number
     * above RCV.NXT (RFC 6191 2, MAY-2). */
    if (v->ts_on && (seg->opts->present & TCPOPT_F_TS)) {
        if (seq_gt(seg->opts->ts_val, v->ts_recent))
            return true;
        if (seg->opts->ts_val != v->ts_recent)
            return false;
    }
    return seq_gt(seg->seq, v->rcv_nxt);
}

uint32_t tcp_ts_clock_at(uint32_t ts_offset, uint64_t now)
{
    return ts_clock(now) + ts_offset;
}

uint32_t tcp_ts_offset(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    return ts_offset_of(t, tu);
}

/* ---- ECN (RFC 3168 6.1) ---- */

uint8_t tcp_syn_ecn_flags(const struct tcb *tcb)
{
    if (tcb->state == SYNACK_SYN_SENT) /* 6.1.1: an ECN-setup SYN */
        return (tcb->opt_offer & TO_ECN) ? SYNACK_TCP_ECE | SYNACK_TCP_CWR : 0;
    return (tcb->opt_on & TO_ECN) ? SYNACK_TCP_ECE : 0; /* an ECN-setup SYN-ACK */
}

uint8_t tcp_syn_ack_ecn_flags(const struct tcb *l, const struct tcp_syn_opts *peer)
{
    return (settled(l->opt_offer, peer, false) & TO_ECN) ? SYNACK_TCP_ECE : 0;
}

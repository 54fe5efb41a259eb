/* The sender's scoreboard (RFC 6675 2-3, RFC 8985 5.2): every segment
 * between SND.UNA and SND.MAX with its last transmission time and what the
 * receiver's SACK blocks and loss detection said of it, and the octet
 * counts SetPipe needs. It is kept only when SACK is in use and the
 * recovery algorithm reads it; loss detection itself is tcp_recovery.c's. */
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_internal.h"

#define TXMAP_MIN 64u

static struct tx_seg *txs_at(const struct txmap *m, uint32_t i)
{
    return &m->v[(m->head + i) % m->cap];
}

struct tx_seg *tcp_sb_seg(const struct tcb *tcb, uint32_t i)
{
    return i < tcb->txm.n ? txs_at(&tcb->txm, i) : NULL;
}

/* Bounded memory (DESIGN 3.4): one entry per 128 octets of send buffer,
 * and a few; a connection sending smaller segments waits for ACKs. */
static uint32_t txmap_bound(const struct tcb *tcb)
{
    return tcb->sb.cap / 128u + TXMAP_MIN;
}

static bool txmap_grow(struct txmap *m, uint32_t bound)
{
    uint32_t cap = m->cap ? m->cap * 2u : TXMAP_MIN;
    if (cap > bound)
        cap = bound;
    if (cap <= m->cap)
        return false;
    struct tx_seg *v = malloc((size_t)cap * sizeof *v);
    if (!v)
        return false;
    for (uint32_t i = 0; i < m->n; i++)
        v[i] = *txs_at(m, i);
    free(m->v);
    m->v = v;
    m->cap = cap;
    m->head = 0;
    return true;
}

void tcp_sb_free(struct tcb *tcb)
{
    free(tcb->txm.v);
    tcb->txm = (struct txmap){0};
    tcb->sacked_out = tcb->lost_out = tcb->retrans_out = tcb->rxt_unlost_out = 0;
}

uint32_t tcp_sb_room(const struct tcb *tcb)
{
    uint32_t bound = txmap_bound(tcb);
    return tcb->txm.n < bound ? bound - tcb->txm.n : 0;
}

/* ---- flags and the counts of SetPipe ---- */

static uint32_t seglen(const struct tx_seg *s)
{
    return s->end - s->start;
}

static void count(struct tcb *tcb, const struct tx_seg *s, int sign)
{
    uint32_t len = seglen(s);
    uint32_t *c[3] = {NULL, NULL, NULL};
    if (s->flags & TXS_SACKED) {
        c[0] = &tcb->sacked_out;
    } else if (s->flags & TXS_LOST) {
        c[0] = &tcb->lost_out;
        if (s->flags & TXS_RXT)
            c[1] = &tcb->retrans_out;
    } else if (s->flags & TXS_RXT) {
        c[0] = &tcb->rxt_unlost_out; /* NextSeg (3): not deemed lost */
    }
    for (int i = 0; i < 3 && c[i]; i++)
        *c[i] = sign > 0 ? *c[i] + len : *c[i] - len;
    if (s->flags & TXS_EVER_RXT)
        tcb->txm.rxt_count = sign > 0 ? tcb->txm.rxt_count + 1 : tcb->txm.rxt_count - 1;
}

void tcp_sb_set(struct tcb *tcb, struct tx_seg *s, uint8_t flags)
{
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    if (x && (flags & TXS_LOST) && !(s->flags & TXS_LOST))
        x->rate.lost += seglen(s); /* rs.newly_lost */
    count(tcb, s, -1);
    s->flags = flags;
    count(tcb, s, +1);
}

uint32_t tcp_sb_pipe(const struct tcb *tcb)
{
    /* RFC 6675 SetPipe: octets outstanding, less those SACKed or deemed
     * lost (a), plus those retransmitted since (b) (RFC 8985 6.1
     * likewise); one retransmitted by NextSeg (3), not deemed lost, counts
     * by (a) and by (b). */
    uint32_t out = tcb->snd_max - tcb->snd_una;
    uint32_t gone = tcb->sacked_out + tcb->lost_out;
    uint32_t pipe = out > gone ? out - gone : 0;
    return pipe + tcb->retrans_out + tcb->rxt_unlost_out;
}

/* ---- what was sent ---- */

/* The first entry whose end lies beyond seq (binary search). */
static uint32_t txmap_find(const struct txmap *m, uint32_t seq)
{
    uint32_t lo = 0, hi = m->n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (seq_leq(txs_at(m, mid)->end, seq))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void tcp_sb_sent(struct tcp_ctx *t, struct tcb *tcb, uint32_t seq, uint32_t end, uint64_t now)
{
    struct txmap *m = &tcb->txm;
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    bool idle = x && tcp_sb_pipe(tcb) == 0; /* nothing in flight before it */
    if (m->n == 0 || !seq_lt(seq, txs_at(m, m->n - 1)->end)) {
        if (m->n == m->cap && !txmap_grow(m, txmap_bound(tcb))) {
            t->cnt->tcp_txmap_full++; /* tcp_sb_room said no: not reached */
            return;
        }
        m->n++;
        struct tx_seg *s = txs_at(m, m->n - 1);
        *s = (struct tx_seg){.start = seq, .end = end, .xmit = now};
        if (x)
            tcp_rate_sent(&x->rate, s, idle, now);
        return;
    }
    /* A retransmission: each entry it covers was sent again now. */
    for (uint32_t i = txmap_find(m, seq); i < m->n; i++) {
        struct tx_seg *s = txs_at(m, i);
        if (!seq_lt(s->start, end))
            break;
        s->xmit = now;
        uint8_t f = s->flags | TXS_EVER_RXT;
        if (f & TXS_LOST)
            f |= TXS_RXT;
        tcp_sb_set(tcb, s, f);
        if (x)
            tcp_rate_sent(&x->rate, s, idle, now);
    }
}

int tcp_sb_split(struct tcb *tcb, uint32_t i, uint32_t len)
{
    /* The entry at i becomes [start, start+len) and the rest after it: a
     * retransmission must fit what a segment can carry now. */
    struct txmap *m = &tcb->txm;
    if (m->n == m->cap && !txmap_grow(m, txmap_bound(tcb) + 1u))
        return -1;
    m->n++;
    for (uint32_t k = m->n - 1; k > i + 1; k--)
        *txs_at(m, k) = *txs_at(m, k - 1);
    struct tx_seg *a = txs_at(m, i), *b = txs_at(m, i + 1);
    count(tcb, a, -1);
    *b = *a;
    a->end = a->start + len;
    b->start = a->end;
    count(tcb, a, +1);
    count(tcb, b, +1);
    return 0;
}

/* ---- what the receiver said ---- */

/* s is delivered (cumulatively or SACKed) for the first time. */
static void delivered(struct tcp_ctx *t, struct tcb *tcb, struct tx_seg *s,
                      const struct tcp_seg *seg, uint64_t now)
{
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    if (x)
        tcp_rate_delivered(&x->rate, s, now);
    tcp_rack_delivered(t, tcb, s, seg, now);
}

/* Drop the entries SND.UNA has passed; each is delivered unless it was
 * SACKed before (RACK: RFC 8985 6.2 step 2). */
static void ack_cumulative(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                           uint64_t now)
{
    struct txmap *m = &tcb->txm;
    while (m->n) {
        struct tx_seg *s = txs_at(m, 0);
        if (seq_leq(s->end, tcb->snd_una)) {
            if (!(s->flags & TXS_SACKED))
                delivered(t, tcb, s, seg, now);
            tcp_sb_set(tcb, s, 0);
            m->head = (m->head + 1) % m->cap;
            m->n--;
            continue;
        }
        if (seq_lt(s->start, tcb->snd_una)) { /* acknowledged in part */
            uint8_t f = s->flags;
            tcp_sb_set(tcb, s, 0);
            s->start = tcb->snd_una;
            tcp_sb_set(tcb, s, f);
        }
        break;
    }
    if (m->n == 0 && m->cap > TXMAP_MIN) {
        free(m->v); /* idle: the memory goes back, as the buffers' does */
        *m = (struct txmap){0};
    }
}

/* RFC 2883 4 (and 5): a first block below the cumulative ACK, or inside
 * the second block, reports a duplicate. */
static bool is_dsack(const struct synack_tcp_opts *o, uint32_t ack)
{
    const struct synack_sack_block *b = &o->sack[0];
    if (seq_leq(b->right, ack))
        return true;
    return o->sack_count > 1 && seq_geq(b->left, o->sack[1].left) &&
           seq_leq(b->right, o->sack[1].right);
}

/* Mark the entries inside one block SACKed; returns the octets newly so. */
static uint32_t sack_block(struct tcp_ctx *t, struct tcb *tcb, uint32_t left, uint32_t right,
                           const struct tcp_seg *seg, uint64_t now)
{
    struct txmap *m = &tcb->txm;
    uint32_t fresh = 0;
    for (uint32_t i = txmap_find(m, left); i < m->n; i++) {
        struct tx_seg *s = txs_at(m, i);
        if (!seq_leq(s->end, right))
            break;
        if (seq_lt(s->start, left) || (s->flags & TXS_SACKED))
            continue; /* only part of it (segments stay whole), or known */
        fresh += seglen(s);
        delivered(t, tcb, s, seg, now);
        tcp_sb_set(tcb, s, TXS_SACKED | (s->flags & TXS_EVER_RXT));
    }
    if (seq_gt(right, tcb->high_sacked))
        tcb->high_sacked = right;
    return fresh;
}

uint32_t tcp_sb_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg, bool *dsack,
                    uint64_t now)
{
    *dsack = false;
    ack_cumulative(t, tcb, seg, now);
    const struct synack_tcp_opts *o = seg->opts;
    if (!(o->present & TCPOPT_F_SACK) || !o->sack_count)
        return 0;
    uint32_t fresh = 0;
    for (unsigned i = 0; i < o->sack_count; i++) {
        const struct synack_sack_block *b = &o->sack[i];
        if (i == 0 && is_dsack(o, seg->ack)) {
            *dsack = true;
            if (tcb->dsacks_rcvd < UINT32_MAX)
                tcb->dsacks_rcvd++;
            t->cnt->tcp_dsack_rcvd++;
            continue;
        }
        /* RFC 2018 3: a block is of octets sent and not yet acknowledged;
         * anything else is ignored and counted, never trusted. */
        if (!seq_lt(b->left, b->right) || seq_lt(b->left, seg->ack) ||
            seq_gt(b->right, tcb->snd_max)) {
            t->cnt->tcp_sack_bad_block++;
            continue;
        }
        fresh += sack_block(t, tcb, b->left, b->right, seg, now);
    }
    return fresh;
}

void tcp_sb_rto(struct tcb *tcb)
{
    /* Everything not SACKed is deemed lost and goes again (RFC 6675 5.1).
     * SACK information is kept (5.1: it still helps); after a second RTO
     * in a row it is dropped as the receiver may have reneged (RFC 2018
     * 5.1, 8). */
    bool renege = tcb->rtx_count > 0;
    for (uint32_t i = 0; i < tcb->txm.n; i++) {
        struct tx_seg *s = txs_at(&tcb->txm, i);
        if (renege || !(s->flags & TXS_SACKED))
            tcp_sb_set(tcb, s, TXS_LOST | (s->flags & TXS_EVER_RXT));
    }
    if (renege)
        tcb->high_sacked = tcb->snd_una;
}

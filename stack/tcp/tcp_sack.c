/* SACK as a receiver (RFC 2018 4, RFC 2883): the blocks our ACKs carry,
 * built from the out-of-order intervals the receive buffer holds, the
 * most recently changed first, and the D-SACK block reporting a
 * duplicate. What a sender does with the blocks it receives is in
 * tcp_scoreboard.c. */
#include "tcp/tcp_internal.h"

/* The held interval containing seq, or NULL. */
static const struct seq_range *held_at(const struct rcvbuf *rb, uint32_t seq)
{
    for (unsigned i = 0; i < rb->n_ooo; i++)
        if (seq_leq(rb->ooo[i].start, seq) && seq_lt(seq, rb->ooo[i].end))
            return &rb->ooo[i];
    return NULL;
}

void tcp_sack_note(struct tcb *tcb, uint32_t start, uint32_t end)
{
    /* RFC 2018 4: the first block is the one holding the segment that
     * triggered this ACK; the others repeat the most recent ones. Entries
     * that now lie in the same interval, or in none, are dropped. */
    const struct seq_range *now = held_at(&tcb->rb, start);
    struct seq_range keep[SYNACK_SACK_MAX];
    unsigned n = 0;
    keep[n++] = (struct seq_range){start, end};
    for (unsigned i = 0; i < tcb->n_sack_recent && n < SYNACK_SACK_MAX; i++) {
        const struct seq_range *r = held_at(&tcb->rb, tcb->sack_recent[i].start);
        if (r && r != now)
            keep[n++] = tcb->sack_recent[i];
    }
    for (unsigned i = 0; i < n; i++)
        tcb->sack_recent[i] = keep[i];
    tcb->n_sack_recent = (uint8_t)n;
}

void tcp_sack_dup(struct tcp_ctx *t, struct tcb *tcb, uint32_t start, uint32_t end)
{
    /* RFC 2883 4: the first block of the next ACK reports the duplicate. */
    if (!(tcb->opt_on & TO_DSACK) || start == end)
        return;
    tcb->dsack = (struct seq_range){start, end};
    tcb->flags |= TF_DSACK | TF_ACKNOW;
    t->cnt->tcp_dsack_sent++;
}

/* A block already in o; a D-SACK block (first) does not count: the block
 * that holds the duplicate follows it even when they are equal, which is
 * how the sender tells a D-SACK (RFC 2883 4). */
static bool block_known(const struct tcb *tcb, const struct synack_tcp_opts *o,
                        const struct seq_range *r)
{
    for (unsigned i = (tcb->flags & TF_DSACK) ? 1u : 0u; i < o->sack_count; i++)
        if (o->sack[i].left == r->start && o->sack[i].right == r->end)
            return true;
    return false;
}

static void add_block(const struct tcb *tcb, struct synack_tcp_opts *o,
                      const struct seq_range *r, unsigned max)
{
    if (o->sack_count < max && !block_known(tcb, o, r)) {
        o->sack[o->sack_count].left = r->start;
        o->sack[o->sack_count].right = r->end;
        o->sack_count++;
    }
}

void tcp_sack_fill(const struct tcb *tcb, struct synack_tcp_opts *o)
{
    /* 40 octets of options: four blocks, three beside timestamps. */
    unsigned max = (o->present & TCPOPT_F_TS) ? 3u : 4u;
    if (tcb->flags & TF_DSACK)
        add_block(tcb, o, &tcb->dsack, max);
    for (unsigned i = 0; i < tcb->n_sack_recent; i++) {
        const struct seq_range *r = held_at(&tcb->rb, tcb->sack_recent[i].start);
        if (r)
            add_block(tcb, o, r, max);
    }
    /* As many distinct blocks as fit (RFC 2018 4), the rest in order. */
    for (unsigned i = 0; i < tcb->rb.n_ooo; i++)
        add_block(tcb, o, &tcb->rb.ooo[i], max);
    if (o->sack_count)
        o->present |= TCPOPT_F_SACK;
}

uint32_t tcp_sack_optlen(const struct tcb *tcb)
{
    if (!(tcb->opt_on & TO_SACK))
        return 0;
    struct synack_tcp_opts o = {.present = (tcb->opt_on & TO_TS) ? TCPOPT_F_TS : 0};
    tcp_sack_fill(tcb, &o);
    return o.sack_count ? 4u + 8u * o.sack_count : 0u;
}

void tcp_sack_ooo_dup(struct tcp_ctx *t, struct tcb *tcb, uint32_t start, uint32_t end)
{
    /* Octets of [start, end) held already: the first such run is a
     * duplicate (RFC 2883 4.1.2 and 4.1.3: reported with the block that
     * holds it right after). */
    for (unsigned i = 0; i < tcb->rb.n_ooo; i++) {
        const struct seq_range *r = &tcb->rb.ooo[i];
        uint32_t s = seq_max(start, r->start), e = seq_min(end, r->end);
        if (seq_lt(s, e)) {
            tcp_sack_dup(t, tcb, s, e);
            return;
        }
    }
}

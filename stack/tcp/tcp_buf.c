/* Ring buffers for the send queue and the receive queue (tcp_buf.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_buf.h"
#include "tcp/tcp_seq.h"

/* Copy n octets into a ring of capacity cap starting at index pos. */
static void ring_write(uint8_t *ring, uint32_t cap, uint32_t pos, const uint8_t *src, uint32_t n)
{
    uint32_t first = cap - pos < n ? cap - pos : n;
    memcpy(ring + pos, src, first);
    if (n > first)
        memcpy(ring, src + first, n - first);
}

static void ring_read(const uint8_t *ring, uint32_t cap, uint32_t pos, uint8_t *dst, uint32_t n)
{
    uint32_t first = cap - pos < n ? cap - pos : n;
    memcpy(dst, ring + pos, first);
    if (n > first)
        memcpy(dst + first, ring, n - first);
}

static uint32_t ring_pos(uint32_t cap, uint32_t head, uint32_t off)
{
    uint64_t p = (uint64_t)head + off;
    return (uint32_t)(p % cap);
}

/* Reallocate a ring to newcap octets, linearised from head; the first
 * keep octets are preserved. */
static int ring_resize(uint8_t **ring, uint32_t *cap, uint32_t *head, uint32_t keep,
                       uint32_t newcap)
{
    uint8_t *n = malloc(newcap ? newcap : 1);
    if (!n)
        return -ENOMEM;
    if (keep)
        ring_read(*ring, *cap, *head, n, keep);
    free(*ring);
    *ring = n;
    *cap = newcap;
    *head = 0;
    return 0;
}

/* ---- send buffer ---- */

int sb_init(struct sndbuf *sb, uint32_t cap)
{
    memset(sb, 0, sizeof *sb);
    sb->data = malloc(cap ? cap : 1);
    if (!sb->data)
        return -ENOMEM;
    sb->cap = cap;
    return 0;
}

void sb_destroy(struct sndbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->cap = sb->len = sb->head = 0;
}

uint32_t sb_append(struct sndbuf *sb, const uint8_t *src, uint32_t n)
{
    if (n > sb_space(sb))
        n = sb_space(sb);
    if (n)
        ring_write(sb->data, sb->cap, ring_pos(sb->cap, sb->head, sb->len), src, n);
    sb->len += n;
    return n;
}

void sb_drop(struct sndbuf *sb, uint32_t n)
{
    if (n > sb->len)
        n = sb->len;
    sb->head = sb->cap ? ring_pos(sb->cap, sb->head, n) : 0;
    sb->len -= n;
}

void sb_copy(const struct sndbuf *sb, uint32_t off, uint8_t *dst, uint32_t n)
{
    if (n)
        ring_read(sb->data, sb->cap, ring_pos(sb->cap, sb->head, off), dst, n);
}

int sb_resize(struct sndbuf *sb, uint32_t cap)
{
    if (cap < sb->len)
        cap = sb->len;
    return ring_resize(&sb->data, &sb->cap, &sb->head, sb->len, cap);
}

/* ---- receive buffer ---- */

int rb_init(struct rcvbuf *rb, uint32_t cap, uint8_t ooo_max)
{
    memset(rb, 0, sizeof *rb);
    rb->data = malloc(cap ? cap : 1);
    rb->ooo = calloc(ooo_max ? ooo_max : 1, sizeof *rb->ooo);
    if (!rb->data || !rb->ooo) {
        rb_destroy(rb);
        return -ENOMEM;
    }
    rb->cap = cap;
    rb->ooo_max = ooo_max;
    return 0;
}

void rb_destroy(struct rcvbuf *rb)
{
    free(rb->data);
    free(rb->ooo);
    rb->data = NULL;
    rb->ooo = NULL;
    rb->cap = rb->used = rb->head = 0;
    rb->n_ooo = 0;
}

/* Copy the octets of [s, e) that no held interval covers (first copy wins). */
static void rb_copy_gaps(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t s, uint32_t e,
                         const uint8_t *src)
{
    uint32_t cur = s;
    for (unsigned i = 0; i < rb->n_ooo && seq_lt(cur, e); i++) {
        const struct seq_range *r = &rb->ooo[i];
        if (seq_leq(r->end, cur))
            continue;
        if (seq_geq(r->start, e))
            break;
        if (seq_lt(cur, r->start)) {
            uint32_t pos = ring_pos(rb->cap, rb->head, rb->used + (cur - rcv_nxt));
            ring_write(rb->data, rb->cap, pos, src + (cur - s), r->start - cur);
        }
        cur = r->end;
    }
    if (seq_lt(cur, e)) {
        uint32_t pos = ring_pos(rb->cap, rb->head, rb->used + (cur - rcv_nxt));
        ring_write(rb->data, rb->cap, pos, src + (cur - s), e - cur);
    }
}

/* Merge [s, e) into the interval set; -1 if it needs a slot and none is free. */
static int rb_ooo_insert(struct rcvbuf *rb, uint32_t s, uint32_t e)
{
    unsigned i = 0, n = rb->n_ooo;
    while (i < n && seq_lt(rb->ooo[i].end, s))
        i++;
    unsigned j = i; /* [i, j) overlap or touch [s, e) */
    while (j < n && seq_leq(rb->ooo[j].start, e))
        j++;
    if (i == j) {
        if (n == rb->ooo_max)
            return -1;
        memmove(&rb->ooo[i + 1], &rb->ooo[i], (n - i) * sizeof rb->ooo[0]);
        rb->ooo[i] = (struct seq_range){s, e};
        rb->n_ooo++;
        return 0;
    }
    rb->ooo[i].start = seq_min(rb->ooo[i].start, s);
    rb->ooo[i].end = seq_max(rb->ooo[j - 1].end, e);
    memmove(&rb->ooo[i + 1], &rb->ooo[j], (n - j) * sizeof rb->ooo[0]);
    rb->n_ooo = (uint8_t)(n - (j - i - 1));
    return 0;
}

/* Would [s, e) need a new interval slot (it touches no held interval)? */
static bool rb_ooo_needs_slot(const struct rcvbuf *rb, uint32_t s, uint32_t e)
{
    for (unsigned i = 0; i < rb->n_ooo; i++)
        if (seq_leq(rb->ooo[i].start, e) && seq_geq(rb->ooo[i].end, s))
            return false;
    return true;
}

int rb_hold(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t seq, const uint8_t *src, uint32_t len)
{
    uint32_t end = seq + len;
    if (rb->n_ooo == rb->ooo_max && rb_ooo_needs_slot(rb, seq, end))
        return -1; /* bounded: drop, nothing stored */
    rb_copy_gaps(rb, rcv_nxt, seq, end, src);
    rb_ooo_insert(rb, seq, end);
    return 0;
}

int64_t rb_store(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t seq, const uint8_t *src,
                 uint32_t len)
{
    uint32_t end = seq + len;
    if (seq != rcv_nxt)
        return rb_hold(rb, rcv_nxt, seq, src, len);
    rb_copy_gaps(rb, rcv_nxt, seq, end, src);
    /* In order: absorb every held interval that now touches the left edge. */
    while (rb->n_ooo && seq_leq(rb->ooo[0].start, end)) {
        end = seq_max(end, rb->ooo[0].end);
        memmove(&rb->ooo[0], &rb->ooo[1], (rb->n_ooo - 1u) * sizeof rb->ooo[0]);
        rb->n_ooo--;
    }
    uint32_t adv = end - rcv_nxt;
    rb->used += adv;
    return adv;
}

uint32_t rb_read(struct rcvbuf *rb, uint8_t *dst, uint32_t n, bool peek)
{
    if (n > rb->used)
        n = rb->used;
    if (n && dst)
        ring_read(rb->data, rb->cap, rb->head, dst, n);
    if (!peek) {
        rb->head = ring_pos(rb->cap, rb->head, n);
        rb->used -= n;
    }
    return n;
}

int rb_resize(struct rcvbuf *rb, uint32_t cap)
{
    /* Out-of-order octets live anywhere in the ring: keep all of it. */
    uint32_t keep = rb->cap;
    if (cap < rb->cap) {
        uint32_t need = rb->used;
        if (rb->n_ooo)
            return -EBUSY;
        if (cap < need)
            cap = need;
        keep = need;
    }
    return ring_resize(&rb->data, &rb->cap, &rb->head, keep, cap);
}

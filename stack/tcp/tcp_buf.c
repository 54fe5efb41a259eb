/* Ring buffers for the send queue and the receive queue (tcp_buf.h):
 * allocated on first use, grown by doubling up to their capacity. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

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

static uint32_t ring_pos(uint32_t size, uint32_t head, uint32_t off)
{
    uint64_t p = (uint64_t)head + off;
    return size ? (uint32_t)(p % size) : 0;
}

/* Reallocate a ring to newsize octets, linearised from head; the first
 * keep octets are preserved. */
static int ring_resize(uint8_t **ring, uint32_t *size, uint32_t *head, uint32_t keep,
                       uint32_t newsize)
{
    uint8_t *n = malloc(newsize ? newsize : 1);
    if (!n)
        return -ENOMEM;
    if (keep)
        ring_read(*ring, *size, *head, n, keep);
    free(*ring);
    *ring = n;
    *size = newsize;
    *head = 0;
    return 0;
}

#define RING_MIN 2048u

/* The size to grow a ring of size have to, to hold need octets: doubling
 * from RING_MIN, never past cap (need =< cap). */
static uint32_t ring_grow(uint32_t have, uint32_t last, uint32_t need, uint32_t cap)
{
    uint64_t n = have ? have : last > RING_MIN ? last : RING_MIN;
    while (n < need)
        n *= 2;
    return n > cap ? cap : (uint32_t)n;
}

/* ---- send buffer ---- */

void sb_init(struct sndbuf *sb, uint32_t cap)
{
    memset(sb, 0, sizeof *sb);
    sb->cap = cap;
}

void sb_destroy(struct sndbuf *sb)
{
    free(sb->data);
    sb->data = NULL;
    sb->cap = sb->size = sb->len = sb->head = 0;
}

void sb_release(struct sndbuf *sb)
{
    if (sb->len || !sb->data)
        return;
    sb->last = sb->size;
    free(sb->data);
    sb->data = NULL;
    sb->size = sb->head = 0;
}

uint32_t sb_append(struct sndbuf *sb, const uint8_t *src, uint32_t n)
{
    if (n > sb_space(sb))
        n = sb_space(sb);
    if (sb->len + n > sb->size &&
        ring_resize(&sb->data, &sb->size, &sb->head, sb->len,
                    ring_grow(sb->size, sb->last, sb->len + n, sb->cap)) < 0)
        n = sb->size - sb->len; /* no memory: what fits */
    if (n)
        ring_write(sb->data, sb->size, ring_pos(sb->size, sb->head, sb->len), src, n);
    sb->len += n;
    return n;
}

void sb_drop(struct sndbuf *sb, uint32_t n)
{
    if (n > sb->len)
        n = sb->len;
    sb->head = ring_pos(sb->size, sb->head, n);
    sb->len -= n;
}

unsigned sb_pieces(const struct sndbuf *sb, uint32_t off, uint32_t n, const uint8_t *base[2],
                   uint32_t len[2])
{
    if (!n)
        return 0;
    uint32_t pos = ring_pos(sb->size, sb->head, off);
    uint32_t first = sb->size - pos < n ? sb->size - pos : n;
    base[0] = sb->data + pos;
    len[0] = first;
    base[1] = sb->data;
    len[1] = n - first;
    return first < n ? 2 : 1;
}

uint32_t sb_copy_sum(const struct sndbuf *sb, uint32_t off, uint8_t *dst, uint32_t n,
                     uint32_t sum, size_t at)
{
    const uint8_t *base[2];
    uint32_t len[2];
    unsigned k = sb_pieces(sb, off, n, base, len);
    for (unsigned i = 0; i < k; i++) {
        sum = synack_cksum_copy(sum, dst, base[i], len[i], at);
        dst += len[i];
        at += len[i];
    }
    return sum;
}

int sb_resize(struct sndbuf *sb, uint32_t cap)
{
    if (cap < sb->len)
        cap = sb->len;
    sb->cap = cap;
    if (sb->size <= cap)
        return 0;
    if (!sb->len) {
        sb_release(sb);
        return 0;
    }
    return ring_resize(&sb->data, &sb->size, &sb->head, sb->len, cap);
}

/* ---- receive buffer ---- */

void rb_init(struct rcvbuf *rb, uint32_t cap, uint16_t ooo_max)
{
    memset(rb, 0, sizeof *rb);
    rb->cap = cap;
    rb->ooo_max = ooo_max;
}

void rb_destroy(struct rcvbuf *rb)
{
    free(rb->data);
    free(rb->ooo);
    rb->data = NULL;
    rb->ooo = NULL;
    rb->cap = rb->size = rb->used = rb->head = 0;
    rb->n_ooo = 0;
}

void rb_release(struct rcvbuf *rb)
{
    if (rb->used || rb->n_ooo || !rb->data)
        return;
    rb->last = rb->size;
    free(rb->data);
    free(rb->ooo);
    rb->data = NULL;
    rb->ooo = NULL;
    rb->size = rb->head = 0;
}

/* Room in the ring for octets up to end (rcv_nxt =< end): grow it, keeping
 * what is read-ahead and held out of order. */
static int rb_reserve(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t end)
{
    uint64_t need = (uint64_t)rb->used + (end - rcv_nxt);
    if (need <= rb->size)
        return 0;
    if (need > rb->cap)
        return -1;
    uint32_t keep = rb->used;
    if (rb->n_ooo)
        keep += rb->ooo[rb->n_ooo - 1].end - rcv_nxt;
    return ring_resize(&rb->data, &rb->size, &rb->head, keep,
                       ring_grow(rb->size, rb->last, (uint32_t)need, rb->cap)) < 0 ? -1 : 0;
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
            uint32_t pos = ring_pos(rb->size, rb->head, rb->used + (cur - rcv_nxt));
            ring_write(rb->data, rb->size, pos, src + (cur - s), r->start - cur);
        }
        cur = r->end;
    }
    if (seq_lt(cur, e)) {
        uint32_t pos = ring_pos(rb->size, rb->head, rb->used + (cur - rcv_nxt));
        ring_write(rb->data, rb->size, pos, src + (cur - s), e - cur);
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
    rb->n_ooo = (uint16_t)(n - (j - i - 1));
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
    if (!rb->ooo && !(rb->ooo = calloc(rb->ooo_max ? rb->ooo_max : 1, sizeof *rb->ooo)))
        return -1;
    if (len && rb_reserve(rb, rcv_nxt, end) < 0)
        return -1;
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
    if (len && rb_reserve(rb, rcv_nxt, end) < 0)
        return -1;
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
        ring_read(rb->data, rb->size, rb->head, dst, n);
    if (!peek) {
        rb->head = ring_pos(rb->size, rb->head, n);
        rb->used -= n;
    }
    return n;
}

int rb_resize(struct rcvbuf *rb, uint32_t cap)
{
    /* Out-of-order octets live anywhere in the ring: keep all of it. */
    if (cap < rb->cap) {
        if (rb->n_ooo)
            return -EBUSY;
        if (cap < rb->used)
            cap = rb->used;
    }
    rb->cap = cap;
    if (rb->size <= cap)
        return 0;
    if (!rb->used) {
        rb_release(rb);
        return 0;
    }
    return ring_resize(&rb->data, &rb->size, &rb->head, rb->used, cap);
}

int rb_ooo_limit(struct rcvbuf *rb, uint16_t ooo_max)
{
    if (ooo_max <= rb->ooo_max)
        return 0;
    if (rb->ooo) { /* allocated with the first hole: keep what it holds */
        struct seq_range *o = realloc(rb->ooo, ooo_max * sizeof *o);
        if (!o)
            return -ENOMEM;
        rb->ooo = o;
    }
    rb->ooo_max = ooo_max;
    return 0;
}

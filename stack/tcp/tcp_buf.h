/* Send and receive buffers (DESIGN 4, "buffers carry sequence space").
 *
 * The send buffer is the retransmission queue: octets from SND.UNA onward,
 * acknowledged ones dropped from the front, segments copied (and
 * checksummed in the same pass) out of it for every (re)transmission. The receive buffer holds the in-order octets the
 * application has not read, followed by out-of-order octets stored at their
 * sequence offset, with a small bounded set of received intervals (SHLD-31).
 *
 * Both are allocated on first use and grow (doubling, from 2 KiB) up to
 * their capacity, SO_SNDBUF and SO_RCVBUF; an empty one gives its memory
 * back (sb_release, rb_release), so an idle connection holds none, and
 * starts again at the size it had (one allocation per burst, not a
 * doubling series).
 */
#ifndef SYNACK_TCP_BUF_H
#define SYNACK_TCP_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sndbuf {
    uint8_t *data; /* NULL until the first octet */
    uint32_t cap;  /* the most it may hold: SO_SNDBUF */
    uint32_t size; /* allocated (the ring's modulus) */
    uint32_t last; /* the size it had when released: where it starts again */
    uint32_t head; /* ring index of the oldest unacknowledged octet */
    uint32_t len;  /* octets held */
    uint32_t seq;  /* the sequence number of the octet at head (the TCB's, kept here) */
};

void sb_init(struct sndbuf *sb, uint32_t cap);
void sb_destroy(struct sndbuf *sb);
/* Give the memory back when nothing is held. */
void sb_release(struct sndbuf *sb);
static inline uint32_t sb_space(const struct sndbuf *sb) { return sb->cap - sb->len; }
/* Append up to n octets; returns how many fit (fewer when memory runs out). */
uint32_t sb_append(struct sndbuf *sb, const uint8_t *src, uint32_t n);
/* Forget n acknowledged octets from the front. */
void sb_drop(struct sndbuf *sb, uint32_t n);
/* Where the n octets starting at offset off from the front lie: one piece,
 * or two when they wrap around the ring. Returns how many pieces. */
unsigned sb_pieces(const struct sndbuf *sb, uint32_t off, uint32_t n, const uint8_t *base[2],
                   uint32_t len[2]);
/* Copy n octets starting at offset off from the front into dst, adding
 * them to a checksum on the way (one pass); at is dst's offset in the
 * checksummed data. Returns the sum. */
uint32_t sb_copy_sum(const struct sndbuf *sb, uint32_t off, uint8_t *dst, uint32_t n,
                     uint32_t sum, size_t at);
/* Change capacity (never below len); 0 or -ENOMEM. */
int sb_resize(struct sndbuf *sb, uint32_t cap);

/* A received interval [start, end) of sequence space. */
struct seq_range {
    uint32_t start, end;
};

struct rcvbuf {
    uint8_t *data; /* NULL until the first octet */
    uint32_t cap;  /* the most it may hold: SO_RCVBUF */
    uint32_t size; /* allocated (the ring's modulus) */
    uint32_t last; /* the size it had when released: where it starts again */
    uint32_t head; /* ring index of the next octet for the application */
    uint32_t used; /* in-order octets not yet read */
    uint16_t n_ooo, ooo_max;
    struct seq_range *ooo; /* sorted, disjoint, not adjacent, at or beyond RCV.NXT;
                            * allocated with the first one */
};

void rb_init(struct rcvbuf *rb, uint32_t cap, uint16_t ooo_max);
void rb_destroy(struct rcvbuf *rb);
/* Give the memory back when nothing is held, in order or not. */
void rb_release(struct rcvbuf *rb);
/* Room for octets at or beyond RCV.NXT: the receive window we can offer. */
static inline uint32_t rb_space(const struct rcvbuf *rb) { return rb->cap - rb->used; }
/* Store len octets at seq (rcv_nxt =< seq, seq+len =< rcv_nxt + rb_space).
 * Octets already held are kept (the first copy wins). Returns how far
 * RCV.NXT advances (0 when the octets are out of order), or -1 when they
 * are out of order and no interval slot is free, or memory ran out
 * (nothing stored). */
int64_t rb_store(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t seq, const uint8_t *src,
                 uint32_t len);
/* Store len octets at seq as held (out of order), even at RCV.NXT: they
 * join the stream at the next rb_store at RCV.NXT (a zero-length one
 * pulls them in). 0, or -1 when no interval slot is free or memory ran out. */
int rb_hold(struct rcvbuf *rb, uint32_t rcv_nxt, uint32_t seq, const uint8_t *src, uint32_t len);
/* Copy up to n in-order octets to dst; consume them unless peek. */
uint32_t rb_read(struct rcvbuf *rb, uint8_t *dst, uint32_t n, bool peek);
/* Forget everything out of order (e.g. on abort). */
static inline void rb_ooo_clear(struct rcvbuf *rb) { rb->n_ooo = 0; }
int rb_resize(struct rcvbuf *rb, uint32_t cap);
/* Raise the interval limit to ooo_max (never lowered); 0 or -ENOMEM. */
int rb_ooo_limit(struct rcvbuf *rb, uint16_t ooo_max);

#endif

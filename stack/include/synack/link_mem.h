/* synack/link_mem.h: two link ends joined in memory, with seeded
 * impairments (loss, duplication, reordering, corruption, delay, rate).
 *
 * Packets sent on end 0 arrive at end 1 and the other way round, at a
 * virtual time the caller drives: synack_memlink_deadline() says when the
 * next packet is due and synack_memlink_pump() hands the due ones to the
 * two stacks. Every random choice comes from the link's own seed.
 */
#ifndef SYNACK_LINK_MEM_H
#define SYNACK_LINK_MEM_H

#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

struct synack_memlink;

struct synack_memlink_config {
    uint64_t seed;
    double loss;          /* probability a packet is lost */
    double duplicate;     /* probability a packet is delivered twice */
    double reorder;       /* probability a packet is held back by reorder_delay */
    double corrupt;       /* probability one bit of a packet is flipped */
    uint64_t delay;       /* one-way delay, microseconds */
    uint64_t reorder_delay; /* extra delay of a reordered packet (default: delay + 1 ms) */
    uint64_t rate_bps;    /* serialisation rate per direction; 0 = unlimited */
    size_t queue_limit;   /* packets in flight per direction (default 10000); more are dropped */
    /* Checksum offload, as the kernel's loopback: a link that cannot corrupt
     * (corrupt must be 0) vouches for what it carries, so the stacks on it
     * neither complete TCP checksums (they stay partial on the wire, as a
     * tap sees them) nor check them (synack_memlink_pump). Off: every
     * checksum is computed (the link completes the stack's partial ones in
     * the pass that copies the datagram) and checked. */
    bool csum_offload;
    /* TCP segmentation offload, as a NIC's: the stacks hand over up to 64 KiB
     * of text at once (SYNACK_LINK_TSO, SYNACK_LINK_TSO6: either family) and
     * the link cuts it into segments of the size they ask for, each whole on
     * the wire (and to a tap). */
    bool tso;
};

/* A perfect link: no impairment, no delay, no rate limit, seed 1,
 * queue_limit 10000, reorder_delay 0 (which means delay + 1 ms). Set the
 * fields wanted after it; the defaults stay right as fields are added. */
void synack_memlink_config_default(struct synack_memlink_config *cfg);
/* 0, or -EINVAL when a probability is outside 0..1 or csum_offload is
 * asked of a link that corrupts. */
int synack_memlink_config_check(const struct synack_memlink_config *cfg);

struct synack_memlink_stats {
    uint64_t sent, delivered, lost, duplicated, reordered, corrupted, queue_drops;
};

/* A tap sees every packet as it is sent (end = the sending end). */
typedef void (*synack_tap_fn)(void *ctx, int end, const uint8_t *pkt, size_t len, uint64_t now);

/* cfg NULL: the defaults. NULL when out of memory, or when cfg is out of
 * range (a probability outside 0..1). */
struct synack_memlink *synack_memlink_new(const struct synack_memlink_config *cfg);
void synack_memlink_free(struct synack_memlink *l);
/* The link a stack on end 0 or 1 sends through. */
struct synack_link synack_memlink_end(struct synack_memlink *l, int end);
void synack_memlink_set_tap(struct synack_memlink *l, synack_tap_fn fn, void *ctx);
/* When the next packet is due, or SYNACK_TIME_NEVER. */
uint64_t synack_memlink_deadline(const struct synack_memlink *l);
/* Deliver every packet due at `now`: deliver(ctx, to_end, pkt, len, now). */
size_t synack_memlink_deliver(struct synack_memlink *l, uint64_t now,
                              void (*deliver)(void *ctx, int to_end, const uint8_t *pkt,
                                              size_t len, uint64_t now),
                              void *ctx);
/* synack_memlink_deliver into stacks[0] and stacks[1] (either may be NULL). */
size_t synack_memlink_pump(struct synack_memlink *l, uint64_t now, struct synack_stack *stacks[2]);
const struct synack_memlink_stats *synack_memlink_stats(const struct synack_memlink *l);

#ifdef __cplusplus
}
#endif
#endif

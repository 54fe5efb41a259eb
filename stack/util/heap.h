/* A binary min-heap of nodes embedded in their owners (timers: the TCBs'
 * earliest deadlines, the SYN cache's retransmissions). The earliest key
 * is read in O(1); a key set, moved or removed costs O(log N). */
#ifndef SYNACK_UTIL_HEAP_H
#define SYNACK_UTIL_HEAP_H

#include <stdbool.h>
#include <stdint.h>

#define HEAP_KEY_NONE UINT64_MAX /* a node with this key is not in the heap */

struct heap_node {
    uint64_t key;
    uint32_t pos; /* index + 1 in the heap; 0 when not in it */
};

struct heap {
    struct heap_node **v;
    uint32_t n, cap;
};

/* Set node's key: insert it, move it, or (HEAP_KEY_NONE) remove it.
 * Returns false, with the heap unchanged, when growing the array failed. */
bool heap_set(struct heap *h, struct heap_node *node, uint64_t key);
static inline struct heap_node *heap_min(const struct heap *h) { return h->n ? h->v[0] : 0; }
static inline uint64_t heap_min_key(const struct heap *h) { return h->n ? h->v[0]->key : HEAP_KEY_NONE; }
/* Room for n nodes, so that heap_set cannot fail below that; false when
 * there is no memory for it. */
bool heap_reserve(struct heap *h, uint32_t n);
void heap_free(struct heap *h);

#endif

/* The in-memory link: a heap of packets in flight ordered by delivery
 * time (FIFO among equal times), with seeded impairments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/link_mem.h>

#include "util/rng.h"

struct inflight {
    uint64_t due;
    uint64_t order; /* ties keep sending order */
    int to;
    size_t len;
    uint8_t *data;
};

struct memlink_end {
    struct synack_memlink *l;
    int end;
    uint64_t busy_until; /* rate limit: when the sender's "wire" is free */
    size_t queued;       /* packets in flight from this end */
};

#define POOL_MAX 1024
#define BUF_MIN 2048

struct synack_memlink {
    struct synack_memlink_config cfg;
    uint8_t *pool[POOL_MAX]; /* spare packet buffers of BUF_MIN octets */
    size_t npool;
    struct rng rng;
    struct memlink_end ends[2];
    struct inflight *heap;
    size_t n, cap;
    uint64_t order;
    synack_tap_fn tap;
    void *tap_ctx;
    struct synack_memlink_stats st;
};

static bool heap_less(const struct inflight *a, const struct inflight *b)
{
    return a->due < b->due || (a->due == b->due && a->order < b->order);
}

static void heap_swap(struct inflight *h, size_t i, size_t j)
{
    struct inflight t = h[i];
    h[i] = h[j];
    h[j] = t;
}

static int heap_push(struct synack_memlink *l, struct inflight p)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct inflight *h = realloc(l->heap, cap * sizeof *h);
        if (!h)
            return -1;
        l->heap = h;
        l->cap = cap;
    }
    size_t i = l->n++;
    l->heap[i] = p;
    while (i > 0 && heap_less(&l->heap[i], &l->heap[(i - 1) / 2])) {
        heap_swap(l->heap, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static struct inflight heap_pop(struct synack_memlink *l)
{
    struct inflight top = l->heap[0];
    l->heap[0] = l->heap[--l->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->n)
            break;
        if (c + 1 < l->n && heap_less(&l->heap[c + 1], &l->heap[c]))
            c++;
        if (!heap_less(&l->heap[c], &l->heap[i]))
            break;
        heap_swap(l->heap, i, c);
        i = c;
    }
    return top;
}

static bool chance(struct synack_memlink *l, double p)
{
    if (p <= 0)
        return false;
    return (double)(rng_next(&l->rng) >> 11) * (1.0 / 9007199254740992.0) < p;
}

static uint8_t *buf_get(struct synack_memlink *l, size_t len)
{
    if (len <= BUF_MIN && l->npool)
        return l->pool[--l->npool];
    return malloc(len > BUF_MIN ? len : BUF_MIN);
}

static void buf_put(struct synack_memlink *l, uint8_t *b, size_t len)
{
    if (len <= BUF_MIN && l->npool < POOL_MAX)
        l->pool[l->npool++] = b;
    else
        free(b);
}

static void enqueue(struct memlink_end *e, const uint8_t *pkt, size_t len, uint64_t due,
                    bool corrupt)
{
    struct synack_memlink *l = e->l;
    if (e->queued >= l->cfg.queue_limit) {
        l->st.queue_drops++;
        return;
    }
    struct inflight p = {.due = due, .order = l->order++, .to = 1 - e->end, .len = len};
    p.data = buf_get(l, len);
    if (!p.data) {
        l->st.queue_drops++;
        return;
    }
    memcpy(p.data, pkt, len);
    if (corrupt && len) {
        size_t bit = rng_below(&l->rng, (uint32_t)(len * 8));
        p.data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        l->st.corrupted++;
    }
    if (heap_push(l, p) < 0) {
        buf_put(l, p.data, len);
        l->st.queue_drops++;
        return;
    }
    e->queued++;
}

static int memlink_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct memlink_end *e = ctx;
    struct synack_memlink *l = e->l;
    l->st.sent++;
    if (l->tap)
        l->tap(l->tap_ctx, e->end, pkt, len, now);
    uint64_t depart = now;
    if (l->cfg.rate_bps) {
        if (e->busy_until > depart)
            depart = e->busy_until;
        depart += (uint64_t)len * 8u * 1000000u / l->cfg.rate_bps;
        e->busy_until = depart;
    }
    if (chance(l, l->cfg.loss)) {
        l->st.lost++;
        return 0; /* lost on the wire: the sender does not know */
    }
    uint64_t due = depart + l->cfg.delay;
    if (chance(l, l->cfg.reorder)) {
        due += l->cfg.reorder_delay;
        l->st.reordered++;
    }
    enqueue(e, pkt, len, due, chance(l, l->cfg.corrupt));
    if (chance(l, l->cfg.duplicate)) {
        l->st.duplicated++;
        enqueue(e, pkt, len, due, false);
    }
    return 0;
}

void synack_memlink_config_default(struct synack_memlink_config *cfg)
{
    *cfg = (struct synack_memlink_config){.seed = 1, .queue_limit = 10000};
}

static bool probability(double p)
{
    return p >= 0.0 && p <= 1.0; /* false for NaN too */
}

int synack_memlink_config_check(const struct synack_memlink_config *cfg)
{
    return probability(cfg->loss) && probability(cfg->duplicate) &&
                   probability(cfg->reorder) && probability(cfg->corrupt)
               ? 0
               : -EINVAL;
}

struct synack_memlink *synack_memlink_new(const struct synack_memlink_config *cfg)
{
    if (cfg && synack_memlink_config_check(cfg) < 0)
        return NULL;
    struct synack_memlink *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    if (cfg)
        l->cfg = *cfg;
    else
        synack_memlink_config_default(&l->cfg);
    if (l->cfg.queue_limit == 0)
        l->cfg.queue_limit = 10000;
    if (l->cfg.reorder_delay == 0)
        l->cfg.reorder_delay = l->cfg.delay + 1000;
    rng_seed(&l->rng, l->cfg.seed);
    for (int i = 0; i < 2; i++)
        l->ends[i] = (struct memlink_end){.l = l, .end = i};
    return l;
}

void synack_memlink_free(struct synack_memlink *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->heap[i].data);
    for (size_t i = 0; i < l->npool; i++)
        free(l->pool[i]);
    free(l->heap);
    free(l);
}

struct synack_link synack_memlink_end(struct synack_memlink *l, int end)
{
    return (struct synack_link){memlink_send, &l->ends[end ? 1 : 0]};
}

void synack_memlink_set_tap(struct synack_memlink *l, synack_tap_fn fn, void *ctx)
{
    l->tap = fn;
    l->tap_ctx = ctx;
}

uint64_t synack_memlink_deadline(const struct synack_memlink *l)
{
    return l->n ? l->heap[0].due : SYNACK_TIME_NEVER;
}

size_t synack_memlink_deliver(struct synack_memlink *l, uint64_t now,
                              void (*deliver)(void *ctx, int to_end, const uint8_t *pkt,
                                              size_t len, uint64_t now),
                              void *ctx)
{
    size_t count = 0;
    while (l->n && l->heap[0].due <= now) {
        struct inflight p = heap_pop(l);
        l->ends[1 - p.to].queued--;
        l->st.delivered++;
        deliver(ctx, p.to, p.data, p.len, now);
        buf_put(l, p.data, p.len);
        count++;
    }
    return count;
}

static void deliver_to_stack(void *ctx, int to, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_stack **stacks = ctx;
    if (stacks[to])
        synack_stack_input(stacks[to], pkt, len, now);
}

size_t synack_memlink_pump(struct synack_memlink *l, uint64_t now, struct synack_stack *stacks[2])
{
    return synack_memlink_deliver(l, now, deliver_to_stack, stacks);
}

const struct synack_memlink_stats *synack_memlink_stats(const struct synack_memlink *l)
{
    return &l->st;
}

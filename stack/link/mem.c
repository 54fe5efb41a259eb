/* The in-memory link: a heap of packets in flight ordered by delivery
 * time (FIFO among equal times), with seeded impairments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/link_mem.h>
#include <synack/wire.h>

#include "link/gso.h"
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

/* Spare packet buffers, in two sizes: a datagram at MTU 1500 and the
 * largest one (MTU 65535). */
#define POOL_MAX 1024
#define BUF_MIN 2048
#define BIG_MAX 64
#define BUF_BIG 65536

struct synack_memlink {
    struct synack_memlink_config cfg;
    uint8_t *pool[POOL_MAX]; /* of BUF_MIN octets */
    size_t npool;
    uint8_t *big[BIG_MAX];   /* of BUF_BIG octets */
    size_t nbig;
    struct rng rng;
    struct memlink_end ends[2];
    struct inflight *heap;
    size_t n, cap;
    uint64_t order;
    synack_tap_fn tap;
    void *tap_ctx;
    uint8_t *gso_buf; /* GSO_SEG_MAX octets: one segment being cut (tso) */
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
    if (len <= BUF_MIN)
        return l->npool ? l->pool[--l->npool] : malloc(BUF_MIN);
    if (len <= BUF_BIG)
        return l->nbig ? l->big[--l->nbig] : malloc(BUF_BIG);
    return malloc(len);
}

static void buf_put(struct synack_memlink *l, uint8_t *b, size_t len)
{
    if (len <= BUF_MIN && l->npool < POOL_MAX)
        l->pool[l->npool++] = b;
    else if (len > BUF_MIN && len <= BUF_BIG && l->nbig < BIG_MAX)
        l->big[l->nbig++] = b;
    else
        free(b);
}

/* Queue a packet in flight (the link owns buf from here). */
static void enqueue(struct memlink_end *e, uint8_t *buf, size_t len, uint64_t due)
{
    struct synack_memlink *l = e->l;
    if (e->queued >= l->cfg.queue_limit) {
        buf_put(l, buf, len);
        l->st.queue_drops++;
        return;
    }
    struct inflight p = {.due = due, .order = l->order++, .to = 1 - e->end, .len = len, .data = buf};
    if (heap_push(l, p) < 0) {
        buf_put(l, buf, len);
        l->st.queue_drops++;
        return;
    }
    e->queued++;
}

static uint8_t *copy_of(struct synack_memlink *l, const uint8_t *pkt, size_t len)
{
    uint8_t *b = buf_get(l, len);
    if (b)
        memcpy(b, pkt, len);
    return b;
}

/* The datagram made whole in a buffer of the link's, its checksum
 * completed on the way when the stack left it partial (in the same pass
 * as the copy, as a NIC does) unless the link vouches for what it
 * carries and nobody will check it (csum_offload). */
static uint8_t *gather(struct synack_memlink *l, const struct synack_pkt *p)
{
    uint8_t *b = buf_get(l, p->len);
    if (!b)
        return NULL;
    bool csum = (p->flags & SYNACK_PKT_CSUM_PARTIAL) && !l->cfg.csum_offload;
    size_t at = 0, cs = p->csum_start;
    uint32_t sum = 0;
    for (unsigned i = 0; i < p->niov && i < SYNACK_PKT_IOV_MAX; i++) {
        const uint8_t *src = p->iov[i].base;
        size_t n = p->iov[i].len, plain = 0;
        if (!csum || at + n <= cs)
            plain = n;
        else if (at < cs)
            plain = cs - at;
        memcpy(b + at, src, plain);
        if (plain < n)
            sum = synack_cksum_copy(sum, b + at + plain, src + plain, n - plain, at + plain - cs);
        at += n;
    }
    if (csum)
        synack_put16(b + cs + p->csum_offset, synack_cksum_fold(sum));
    return b;
}

/* One datagram onto the wire: the tap sees it as sent, then the seeded
 * impairments decide its fate. The link owns buf. */
static int transmit(struct memlink_end *e, uint8_t *buf, size_t len, uint64_t now)
{
    struct synack_memlink *l = e->l;
    l->st.sent++;
    if (l->tap)
        l->tap(l->tap_ctx, e->end, buf, len, now);
    uint64_t depart = now;
    if (l->cfg.rate_bps) {
        if (e->busy_until > depart)
            depart = e->busy_until;
        depart += (uint64_t)len * 8u * 1000000u / l->cfg.rate_bps;
        e->busy_until = depart;
    }
    if (chance(l, l->cfg.loss)) {
        l->st.lost++;
        buf_put(l, buf, len);
        return 0; /* lost on the wire: the sender does not know */
    }
    uint64_t due = depart + l->cfg.delay;
    if (chance(l, l->cfg.reorder)) {
        due += l->cfg.reorder_delay;
        l->st.reordered++;
    }
    /* the seeded choices in their order: corruption (and its bit), then a
     * duplicate, which is a clean copy */
    bool corrupt = chance(l, l->cfg.corrupt) && len && e->queued < l->cfg.queue_limit;
    size_t bit = corrupt ? rng_below(&l->rng, (uint32_t)(len * 8)) : 0;
    bool dup = chance(l, l->cfg.duplicate);
    uint8_t *copy = dup ? copy_of(l, buf, len) : NULL;
    if (corrupt) {
        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        l->st.corrupted++;
    }
    enqueue(e, buf, len, due);
    if (dup) {
        l->st.duplicated++;
        if (copy)
            enqueue(e, copy, len, due);
        else
            l->st.queue_drops++;
    }
    return 0;
}

static int memlink_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct memlink_end *e = ctx;
    uint8_t *b = copy_of(e->l, pkt, len);
    if (!b) {
        e->l->st.sent++;
        e->l->st.queue_drops++;
        return 0;
    }
    return transmit(e, b, len, now);
}

struct cut {
    struct memlink_end *e;
    uint64_t now;
};

static void send_segment(void *ctx, const uint8_t *seg, size_t len)
{
    struct cut *c = ctx;
    memlink_send(c->e, seg, len, c->now);
}

static int memlink_sendv(void *ctx, const struct synack_pkt *p, uint64_t now)
{
    struct memlink_end *e = ctx;
    if ((p->flags & SYNACK_PKT_GSO) && e->l->cfg.tso) { /* cut as a NIC would */
        struct cut c = {e, now};
        if (!e->l->gso_buf && !(e->l->gso_buf = malloc(GSO_SEG_MAX)))
            return -1;
        return gso_segment(p, e->l->gso_buf, send_segment, &c) < 0 ? -1 : 0;
    }
    uint8_t *b = gather(e->l, p);
    if (!b) {
        e->l->st.sent++;
        e->l->st.queue_drops++;
        return 0;
    }
    return transmit(e, b, p->len, now);
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
    if (!probability(cfg->loss) || !probability(cfg->duplicate) ||
        !probability(cfg->reorder) || !probability(cfg->corrupt))
        return -EINVAL;
    /* a link that corrupts cannot vouch for a checksum it did not check */
    return cfg->csum_offload && cfg->corrupt > 0 ? -EINVAL : 0;
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
    for (size_t i = 0; i < l->nbig; i++)
        free(l->big[i]);
    free(l->heap);
    free(l->gso_buf);
    free(l);
}

struct synack_link synack_memlink_end(struct synack_memlink *l, int end)
{
    return (struct synack_link){.send = memlink_send, .ctx = &l->ends[end ? 1 : 0],
                                .sendv = memlink_sendv,
                                .offload = SYNACK_LINK_CSUM |
                                           (l->cfg.tso ? SYNACK_LINK_TSO | SYNACK_LINK_TSO6 : 0),
                                .tso_max = l->cfg.tso ? GSO_SEG_MAX : 0};
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

struct pump {
    struct synack_stack **stacks;
    unsigned flags; /* SYNACK_INPUT_CSUM_OK with csum_offload */
};

static void deliver_to_stack(void *ctx, int to, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct pump *p = ctx;
    if (p->stacks[to])
        synack_stack_input_flags(p->stacks[to], pkt, len, p->flags, now);
}

size_t synack_memlink_pump(struct synack_memlink *l, uint64_t now, struct synack_stack *stacks[2])
{
    struct pump p = {stacks, l->cfg.csum_offload ? SYNACK_INPUT_CSUM_OK : 0};
    return synack_memlink_deliver(l, now, deliver_to_stack, &p);
}

const struct synack_memlink_stats *synack_memlink_stats(const struct synack_memlink *l)
{
    return &l->st;
}

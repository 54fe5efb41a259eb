/* The mem target: synack linked in-process, with a virtual clock that jumps
 * straight to the next stack deadline, so a vector that waits out
 * TIME-WAIT runs in microseconds. Deterministic for a given seed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/stack.h>

#include "target/synack_host.h"

#define MEM_QUEUE_MAX 4096 /* packets the stack may send before the runner reads them */

struct mem_packet {
    int64_t when;
    size_t len;
    uint8_t *data;
};

struct target {
    struct synack_host host; /* first (target/synack_host.h) */
    int64_t now;
    struct mem_packet q[MEM_QUEUE_MAX];
    size_t head, count;
    uint64_t dropped;
};

static uint64_t mem_stack_now(const struct target *t) { return (uint64_t)t->now; }

/* The stack's link: queue what it sends, stamped with the virtual time. */
static int mem_link_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct target *t = ctx;
    if (t->count == MEM_QUEUE_MAX) {
        t->dropped++;
        return -1;
    }
    struct mem_packet *p = &t->q[(t->head + t->count) % MEM_QUEUE_MAX];
    p->data = malloc(len ? len : 1);
    if (!p->data)
        return -1;
    memcpy(p->data, pkt, len);
    p->len = len;
    p->when = (int64_t)now;
    t->count++;
    return 0;
}

static int mem_open(struct target **out, const struct target_config *cfg, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    struct synack_config c;
    synack_host_config(&c, cfg);
    struct synack_link link = {.send = mem_link_send, .ctx = t};
    t->host.now = mem_stack_now;
    if (synack_host_start(t, &c, &link, err, n) < 0) {
        free(t);
        return -1;
    }
    *out = t;
    return 0;
}

static void mem_close(struct target *t)
{
    if (!t)
        return;
    synack_stack_free(t->host.stack);
    for (size_t i = 0; i < t->count; i++)
        free(t->q[(t->head + i) % MEM_QUEUE_MAX].data);
    free(t);
}

static int64_t mem_now(struct target *t)
{
    return t->now;
}

static bool mem_wait(struct target *t, int64_t until)
{
    while (t->count == 0) {
        uint64_t d = synack_stack_deadline(t->host.stack);
        if (d == SYNACK_TIME_NEVER || (int64_t)d > until) {
            if (until > t->now)
                t->now = until;
            break;
        }
        if ((int64_t)d > t->now)
            t->now = (int64_t)d;
        synack_stack_poll(t->host.stack, (uint64_t)t->now);
        break; /* a timer may have ended a call the runner waits for: let it look */
    }
    return t->count > 0;
}

static int mem_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    synack_stack_input(t->host.stack, pkt, len, (uint64_t)t->now);
    return 0;
}

static bool mem_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    if (t->count == 0)
        return false;
    struct mem_packet *p = &t->q[t->head];
    size_t n = p->len < cap ? p->len : cap;
    memcpy(buf, p->data, n);
    *len = n;
    *when = p->when;
    free(p->data);
    t->head = (t->head + 1) % MEM_QUEUE_MAX;
    t->count--;
    return true;
}

const struct target_ops target_mem = {
    .name = "mem",
    .virtual_time = true,
    .ipv6 = true,
    .multihomed = true,
    .open = mem_open,
    .close = mem_close,
    .now = mem_now,
    .wait = mem_wait,
    .inject = mem_inject,
    .recv = mem_recv,
    SYNACK_HOST_SOCKET_OPS,
};

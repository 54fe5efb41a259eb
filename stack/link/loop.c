/* The main loop helper (synack/loop.h): link, timers, events, deadline.
 * It owns no socket and no packet; it calls the public API in the order
 * every program over synack needs. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <synack/link_tun.h>
#include <synack/loop.h>

struct loop_stack {
    struct synack_stack *s;
    synack_loop_fn fn;
    void *ctx;
};

struct synack_loop {
    struct loop_stack st[SYNACK_LOOP_MAX_STACKS];
    size_t n;
    struct synack_memlink *link;
    bool stopped;
};

struct synack_loop *synack_loop_new(void)
{
    return calloc(1, sizeof(struct synack_loop));
}

void synack_loop_free(struct synack_loop *lp)
{
    free(lp);
}

int synack_loop_add_stack(struct synack_loop *lp, struct synack_stack *s, synack_loop_fn fn,
                          void *ctx)
{
    if (!lp || !s)
        return -EINVAL;
    if (lp->n == SYNACK_LOOP_MAX_STACKS)
        return -ENOSPC;
    lp->st[lp->n++] = (struct loop_stack){s, fn, ctx};
    return 0;
}

void synack_loop_set_memlink(struct synack_loop *lp, struct synack_memlink *link)
{
    lp->link = link;
}

void synack_loop_stop(struct synack_loop *lp)
{
    lp->stopped = true;
}

/* Step 3: every stack's ready sockets to its callback, in calls of at
 * most SYNACK_LOOP_MAX_EVENTS, until a call finds none (what a callback
 * did may have made more ready: a socket it accepted and watched, with
 * data already there) or SYNACK_LOOP_MAX_ROUNDS calls were made (a busy
 * turn must not keep the link waiting: the device drops what arrives
 * while its queue is full). */
static void hand_events(struct synack_loop *lp, uint64_t now)
{
    struct synack_event ev[SYNACK_LOOP_MAX_EVENTS];
    for (size_t i = 0; i < lp->n && !lp->stopped; i++) {
        const struct loop_stack *ls = &lp->st[i];
        if (!ls->fn)
            continue;
        for (int round = 0; round < SYNACK_LOOP_MAX_ROUNDS && !lp->stopped; round++) {
            int n = synack_stack_events(ls->s, ev, SYNACK_LOOP_MAX_EVENTS);
            if (n > 0)
                ls->fn(ls->ctx, ls->s, ev, (size_t)n, now);
            if (n <= 0)
                break;
        }
    }
}

static uint64_t deadline(const struct synack_loop *lp)
{
    uint64_t t = lp->link ? synack_memlink_deadline(lp->link) : SYNACK_TIME_NEVER;
    for (size_t i = 0; i < lp->n; i++) {
        uint64_t d = synack_stack_deadline(lp->st[i].s);
        if (d < t)
            t = d;
    }
    return t;
}

uint64_t synack_loop_turn(struct synack_loop *lp, uint64_t now)
{
    if (lp->link && lp->n >= 2) {
        struct synack_stack *ends[2] = {lp->st[0].s, lp->st[1].s};
        synack_memlink_pump(lp->link, now, ends);
    }
    for (size_t i = 0; i < lp->n; i++)
        if (synack_stack_deadline(lp->st[i].s) <= now)
            synack_stack_poll(lp->st[i].s, now);
    hand_events(lp, now);
    return deadline(lp);
}

enum synack_loop_end synack_loop_run(struct synack_loop *lp, uint64_t *now, uint64_t until)
{
    lp->stopped = false;
    for (;;) {
        uint64_t next = synack_loop_turn(lp, *now);
        if (lp->stopped)
            return SYNACK_LOOP_STOPPED;
        if (next == SYNACK_TIME_NEVER)
            return SYNACK_LOOP_IDLE;
        if (next > until)
            return SYNACK_LOOP_LIMIT;
        if (next > *now)
            *now = next; /* a deadline in the past is due now */
    }
}

int synack_loop_run_tun(struct synack_loop *lp, struct synack_tun *t, uint64_t until)
{
    if (!lp || !t || lp->n == 0)
        return -EINVAL;
    lp->stopped = false;
    hand_events(lp, synack_clock_now()); /* what is ready before the first wait */
    while (!lp->stopped) {
        if (synack_clock_now() >= until)
            return SYNACK_LOOP_LIMIT;
        int r = synack_tun_run(t, lp->st[0].s, until); /* wait, input, the stack's timers */
        if (r < 0)
            return r;
        uint64_t now = synack_clock_now();
        for (size_t i = 1; i < lp->n; i++)
            if (synack_stack_deadline(lp->st[i].s) <= now)
                synack_stack_poll(lp->st[i].s, now);
        hand_events(lp, now);
    }
    return SYNACK_LOOP_STOPPED;
}

/* Readiness as a list, in epoll's model (synack/socket.h): the application
 * watches the sockets it cares about and asks which are ready, instead of
 * asking every socket every turn. It owns the watch list and the ready
 * queue; what is ready is tcp_events() of each watched TCB, as
 * synack_socket_events says.
 *
 * The cost follows what happened, not what is watched (epoll's ready
 * list): a watched socket is looked at when its TCB was touched (TCP's
 * touched list: a segment, a timer, an ICMP error), when the application
 * called on it, or while it stays ready (level-triggered). */
#include <errno.h>
#include <stdlib.h>

#include <synack/socket.h>

#include "core/stack_internal.h"
#include "socket/sock.h"

#define WATCH_BITS                                                                              \
    (SYNACK_POLLIN | SYNACK_POLLPRI | SYNACK_POLLOUT | SYNACK_POLLERR | SYNACK_POLLHUP |       \
     SYNACK_POLLRDHUP)

static int ready_of(struct synack_stack *s, int sd, const struct sock *sk)
{
    /* POLLERR and POLLHUP are always reported, as poll(2) and epoll do */
    int mask = (sk->watch & WATCH_BITS) | SYNACK_POLLERR | SYNACK_POLLHUP;
    return synack_socket_events(s, sd) & mask;
}

/* ---- the ready queue: watched sockets to look at, oldest first ---- */

static void queue_push(struct sock_table *tb, int sd)
{
    struct sock *sk = &tb->v[sd];
    if (sk->queued)
        return;
    sk->queued = true;
    sk->rnext = -1;
    sk->rprev = tb->rtail;
    if (tb->rtail >= 0)
        tb->v[tb->rtail].rnext = sd;
    else
        tb->rhead = sd;
    tb->rtail = sd;
}

static void queue_remove(struct sock_table *tb, int sd)
{
    struct sock *sk = &tb->v[sd];
    if (!sk->queued)
        return;
    if (sk->rprev >= 0)
        tb->v[sk->rprev].rnext = sk->rnext;
    else
        tb->rhead = sk->rnext;
    if (sk->rnext >= 0)
        tb->v[sk->rnext].rprev = sk->rprev;
    else
        tb->rtail = sk->rprev;
    sk->queued = false;
}

int synack_socket_watch(struct synack_stack *s, int sd, int events, void *user)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (events & ~(WATCH_BITS | SYNACK_WATCH_EDGE))
        return -EINVAL;
    struct sock_table *tb = s->sockets;
    if (events == 0) {
        sock_unwatch(s, sd);
        return 0;
    }
    if (!sk->watch) {
        if (!tb->watched) {
            tb->watched = calloc(tb->n, sizeof *tb->watched);
            if (!tb->watched)
                return -ENOMEM;
        }
        sk->watch_idx = tb->nwatched;
        tb->watched[tb->nwatched++] = sd; /* at most one entry per handle: fits in n */
    }
    sk->watch = events;
    sk->user = user;
    sk->reported = 0; /* a new watch reports what is ready now, even edge-triggered */
    sock_tcb_changed(s, sd);
    return 0;
}

void sock_unwatch(struct synack_stack *s, int sd)
{
    struct sock_table *tb = s->sockets;
    struct sock *sk = sock_lookup(s, sd);
    if (!sk || !sk->watch)
        return;
    /* O(1): the last entry takes its place */
    int last = tb->watched[--tb->nwatched];
    tb->watched[sk->watch_idx] = last;
    tb->v[last].watch_idx = sk->watch_idx;
    queue_remove(tb, sd);
    if (sk->tcb)
        tcp_watch(sk->tcb, -1);
    sk->watch = 0;
    sk->user = NULL;
    sk->reported = 0;
}

void sock_tcb_changed(struct synack_stack *s, int sd)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk || !sk->watch)
        return;
    if (sk->tcb)
        tcp_watch(sk->tcb, sd);
    queue_push(s->sockets, sd);
}

/* After the application's own call on sd (recv, send, accept, shutdown):
 * an edge-triggered watch compares what becomes ready next with the state
 * the call left, as epoll's EPOLLET after a read to EAGAIN; either kind is
 * looked at again (a shutdown may have made it ready). */
void sock_rearm(struct synack_stack *s, int sd)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk || !sk->watch)
        return;
    if (sk->watch & SYNACK_WATCH_EDGE)
        sk->reported = ready_of(s, sd, sk);
    queue_push(s->sockets, sd);
}

/* The touched TCBs' watchers join the queue. A TCB's handle is set while
 * that handle watches it and cleared when it stops; checked all the same,
 * so that a stale one can only cost a look, never report another socket. */
static void take_touched(struct synack_stack *s)
{
    struct tcb *tcb;
    while ((tcb = tcp_touched_pop(&s->tcp))) {
        struct sock *sk = sock_lookup(s, tcb->watch_sd);
        if (sk && sk->watch && sk->tcb == tcb)
            queue_push(s->sockets, tcb->watch_sd);
    }
}

int synack_stack_events(struct synack_stack *s, struct synack_event *ev, size_t max)
{
    if (!s || (!ev && max))
        return -EINVAL;
    struct sock_table *tb = s->sockets;
    if (!tb || tb->nwatched == 0 || max == 0)
        return 0;
    take_touched(s);
    size_t n = 0;
    /* Each queued socket once: a level-triggered one still ready goes to
     * the back (looked at again next call), so a small max is fair. */
    int end = tb->rtail;
    for (bool last = tb->rhead < 0; !last && n < max;) {
        int sd = tb->rhead;
        last = sd == end;
        struct sock *sk = &tb->v[sd];
        queue_remove(tb, sd);
        int ready = ready_of(s, sd, sk);
        bool edge = (sk->watch & SYNACK_WATCH_EDGE) != 0;
        bool report = ready && !(edge && ready == sk->reported);
        sk->reported = ready;
        if (report)
            ev[n++] = (struct synack_event){.sd = sd, .events = ready, .user = sk->user};
        if (ready && !edge)
            queue_push(tb, sd);
    }
    return (int)n;
}

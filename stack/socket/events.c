/* Readiness as a list, in epoll's model (synack/socket.h): the application
 * watches the sockets it cares about and asks which are ready, instead of
 * asking every socket every turn. It owns the watch list only; what is
 * ready is tcp_events() of each watched TCB, as synack_socket_events says. */
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
    sk->watch = 0;
    sk->user = NULL;
    sk->reported = 0;
}

/* After the application's own call on sd (recv, send, accept): an
 * edge-triggered watch compares what becomes ready next with the state the
 * call left, as epoll's EPOLLET after a read to EAGAIN. */
void sock_rearm(struct synack_stack *s, int sd)
{
    struct sock *sk = sock_lookup(s, sd);
    if (sk && (sk->watch & SYNACK_WATCH_EDGE))
        sk->reported = ready_of(s, sd, sk);
}

int synack_stack_events(struct synack_stack *s, struct synack_event *ev, size_t max)
{
    if (!s || (!ev && max))
        return -EINVAL;
    struct sock_table *tb = s->sockets;
    if (!tb || tb->nwatched == 0 || max == 0)
        return 0;
    size_t n = 0;
    uint32_t count = tb->nwatched;
    /* start after where the last full call stopped, so a small max is fair */
    uint32_t start = tb->cursor < count ? tb->cursor : 0;
    for (uint32_t k = 0; k < count && n < max; k++) {
        uint32_t i = (start + k) % count;
        int sd = tb->watched[i];
        struct sock *sk = &tb->v[sd];
        int ready = ready_of(s, sd, sk);
        if ((sk->watch & SYNACK_WATCH_EDGE) && ready == sk->reported)
            continue;
        sk->reported = ready;
        if (!ready)
            continue;
        ev[n++] = (struct synack_event){.sd = sd, .events = ready, .user = sk->user};
        tb->cursor = i + 1;
    }
    return (int)n;
}

/* epoll_create, epoll_ctl, epoll_wait. A target with epoll operations
 * (linux) keeps the sets itself, as the kernel does, edge-triggered too;
 * for the others the runner emulates them over the target's readiness
 * (sock_events): level-triggered, EPOLLONESHOT honoured; edge-triggered
 * (EPOLLET) and EPOLLEXCLUSIVE are not emulated and skip the vector,
 * naming them. Checks as packetdrill's run_system_call.c: the event's fd
 * names the fd argument, and epoll_wait compares the first event. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/call.h"

#define EPOLL_ITEMS_MAX 32
#define EPOLL_CTL_ADD_LINUX 1
#define EPOLL_CTL_DEL_LINUX 2
#define EPOLL_CTL_MOD_LINUX 3
#define EPOLLEXCLUSIVE_LINUX (1u << 28)
#define EPOLLONESHOT_LINUX (1u << 30)
#define EPOLLET_LINUX (1u << 31)
#define EPOLL_ALWAYS (SYNACK_POLLERR | SYNACK_POLLHUP) /* reported unasked */

struct epoll_item {
    int64_t fd;
    uint32_t events;
    const char *data_kind; /* "fd", "ptr", "u32", "u64" */
    uint64_t data;
    bool disabled;         /* EPOLLONESHOT after its report, until MOD */
};

struct run_epoll {
    size_t n;
    struct epoll_item item[EPOLL_ITEMS_MAX];
};

static struct run_epoll *epoll_of(struct runner *r, int64_t fd)
{
    return fd >= 0 && fd < RUN_MAX_FDS ? r->epoll[fd] : NULL;
}

void sys_epoll_create(struct call *c)
{
    int64_t size;
    if (!call_arg_int(c, 0, &size))
        return;
    if (size <= 0)
        return call_result(c, -EINVAL);
    if (c->r->ops->epoll_create) { /* the target's own: a handle like a socket's */
        int ep = c->r->ops->epoll_create(c->r->t);
        if (ep < 0)
            return call_result(c, ep);
        return call_map_new_fd(c, ep);
    }
    struct run_epoll *ep = calloc(1, sizeof *ep);
    if (!ep) {
        run_error(c->r, c->ev, "out of memory");
        c->bad = true;
        return;
    }
    call_map_new_fd(c, RUN_FD_EPOLL);
    if (c->bad) {
        free(ep);
        return;
    }
    c->r->epoll[c->ret] = ep;
}

/* {events=E, fd=F} (or ptr=, u32=, u64=) */
static bool epoll_event_of(struct call *c, const struct script_expr *e, struct epoll_item *it)
{
    int64_t v;
    if (e->kind != SCRIPT_EXPR_STRUCT || e->count != 2 ||
        e->items[0]->kind != SCRIPT_EXPR_ASSIGN || e->items[1]->kind != SCRIPT_EXPR_ASSIGN ||
        strcmp(e->items[0]->lhs->str, "events") != 0)
        return call_bad_arg(c, e, "expected {events=E, fd=F} (or ptr=, u32=, u64=), got");
    const char *kind = e->items[1]->lhs->str;
    if (strcmp(kind, "fd") && strcmp(kind, "ptr") && strcmp(kind, "u32") && strcmp(kind, "u64"))
        return call_bad_arg(c, e->items[1], "expected fd=, ptr=, u32= or u64=, got");
    if (!call_eval_int(c, e->items[0]->rhs, &v))
        return false;
    it->events = (uint32_t)v;
    if (!call_eval_int(c, e->items[1]->rhs, &v))
        return false;
    it->data_kind = strcmp(kind, "fd") == 0 ? "fd" : strcmp(kind, "ptr") == 0 ? "ptr"
                    : strcmp(kind, "u32") == 0 ? "u32" : "u64";
    it->data = (uint64_t)v;
    return true;
}

static struct epoll_item *find_item(struct run_epoll *ep, int64_t fd)
{
    for (size_t i = 0; i < ep->n; i++)
        if (ep->item[i].fd == fd)
            return &ep->item[i];
    return NULL;
}

static bool unemulated(struct call *c, uint32_t events)
{
    if (!(events & (EPOLLET_LINUX | EPOLLEXCLUSIVE_LINUX)))
        return false;
    run_skip(c->r, c->ev, "unsupported on this target: %s (the runner emulates "
             "level-triggered epoll)", (events & EPOLLET_LINUX) ? "EPOLLET" : "EPOLLEXCLUSIVE");
    c->bad = true;
    return true;
}

void sys_epoll_ctl(struct call *c)
{
    int64_t epfd, op, fd;
    struct epoll_item it = {0};
    if (!call_arg_int(c, 0, &epfd) || !call_arg_int(c, 1, &op) || !call_arg_int(c, 2, &fd))
        return;
    bool with_event = op != EPOLL_CTL_DEL_LINUX || c->sc->args[3]->kind != SCRIPT_EXPR_ELLIPSIS;
    if (c->sc->arg_count < 4 || (with_event && !epoll_event_of(c, c->sc->args[3], &it)))
        return (void)(c->bad || call_bad_arg(c, NULL, "expected (epfd, op, fd, event)"));
    if (with_event && strcmp(it.data_kind, "fd") == 0 && (int64_t)it.data != fd)
        return (void)call_bad_arg(c, c->sc->args[3], "the event's fd is not the fd argument:");
    if (c->r->ops->epoll_ctl) {
        int ep = epfd >= 0 && epfd < RUN_MAX_FDS ? c->r->fd_map[epfd] : -1;
        int sd = fd >= 0 && fd < RUN_MAX_FDS ? c->r->fd_map[fd] : -1;
        return call_result(c, c->r->ops->epoll_ctl(c->r->t, ep, (int)op, sd, it.events, it.data));
    }
    struct run_epoll *ep = epoll_of(c->r, epfd);
    if (!ep)
        return call_result(c, epfd >= 0 && epfd < RUN_MAX_FDS && c->r->fd_map[epfd] >= 0
                                  ? -EINVAL : -EBADF);
    if (fd < 0 || fd >= RUN_MAX_FDS || c->r->fd_map[fd] < 0)
        return call_result(c, fd == epfd ? -EINVAL : -EBADF);
    if (with_event && unemulated(c, it.events))
        return;
    struct epoll_item *old = find_item(ep, fd);
    it.fd = fd;
    switch (op) {
    case EPOLL_CTL_ADD_LINUX:
        if (old)
            return call_result(c, -EEXIST);
        if (ep->n == EPOLL_ITEMS_MAX)
            return call_result(c, -ENOSPC);
        ep->item[ep->n++] = it;
        return call_result(c, 0);
    case EPOLL_CTL_MOD_LINUX:
        if (!old)
            return call_result(c, -ENOENT);
        *old = it;
        return call_result(c, 0);
    case EPOLL_CTL_DEL_LINUX:
        if (!old)
            return call_result(c, -ENOENT);
        *old = ep->item[--ep->n];
        return call_result(c, 0);
    default:
        return call_result(c, -EINVAL);
    }
}

/* What epoll_wait reports now: how many events (the first into *first),
 * or -errno. The target's own sets, else the emulation. */
static long ready_events(struct call *c, int64_t epfd, int64_t max,
                         struct target_epoll_event *first)
{
    if (c->r->ops->epoll_wait) {
        struct target_epoll_event ev[64];
        int ep = epfd >= 0 && epfd < RUN_MAX_FDS ? c->r->fd_map[epfd] : -1;
        int n = c->r->ops->epoll_wait(c->r->t, ep, ev, max < 64 ? (int)max : 64);
        if (n > 0)
            *first = ev[0];
        return n;
    }
    struct run_epoll *ep = epoll_of(c->r, epfd);
    if (!ep)
        return -EBADF;
    long ready = 0;
    for (size_t i = 0; i < ep->n && ready < max; i++) {
        struct epoll_item *it = &ep->item[i];
        int sd = c->r->fd_map[it->fd];
        int ev = it->disabled || sd < 0 ? 0 : c->r->ops->sock_events(c->r->t, sd);
        uint32_t got = (uint32_t)ev & ((it->events & 0xffff) | EPOLL_ALWAYS);
        if (!got)
            continue;
        if (ready++ == 0)
            *first = (struct target_epoll_event){got, it->data};
        if (it->events & EPOLLONESHOT_LINUX)
            it->disabled = true;
    }
    return ready;
}

/* epoll_wait(epfd, {events=E, fd=F}, maxevents, timeout_ms) */
void sys_epoll_wait(struct call *c)
{
    int64_t epfd, maxevents, timeout;
    struct epoll_item want = {0};
    if (!call_arg_int(c, 0, &epfd) || c->sc->arg_count < 4 ||
        !epoll_event_of(c, c->sc->args[1], &want) || !call_arg_int(c, 2, &maxevents) ||
        !call_arg_int(c, 3, &timeout))
        return (void)(c->bad || call_bad_arg(c, NULL, "expected (epfd, event, max, timeout)"));
    if (maxevents <= 0)
        return call_result(c, -EINVAL);
    struct target_epoll_event first = {0, 0};
    long ready = ready_events(c, epfd, maxevents, &first);
    if (ready < 0)
        return call_result(c, ready);
    if (ready == 0 && timeout != 0) {
        int64_t started = c->retry ? c->r->pending.started : run_now(c->r);
        if (timeout < 0 || run_now(c->r) < started + timeout * 1000) {
            c->blocked = true;
            return;
        }
    }
    call_result(c, ready);
    if (ready == 0)
        return;
    if (want.events != first.events || want.data != first.data) {
        char exp[400], act[100];
        script_syscall_format(c->sc, exp, sizeof exp);
        snprintf(act, sizeof act, "{events=0x%x, %s=%llu}", first.events, want.data_kind,
                 (unsigned long long)first.data);
        int64_t now = run_now(c->r);
        run_fail(c->r, c->ev, "event", exp, act, now, now,
                 "epoll_wait: first event expected {events=0x%x, %s=%llu}, got %s",
                 want.events, want.data_kind, (unsigned long long)want.data, act);
        c->bad = true;
    }
}

bool epoll_close(struct runner *r, int64_t fd)
{
    struct run_epoll *ep = epoll_of(r, fd);
    if (ep) {
        free(ep);
        r->epoll[fd] = NULL;
        r->fd_map[fd] = -1;
        return true;
    }
    for (int i = 0; i < RUN_MAX_FDS; i++) /* a closed socket leaves every set */
        if (r->epoll[i] && find_item(r->epoll[i], fd))
            *find_item(r->epoll[i], fd) = r->epoll[i]->item[--r->epoll[i]->n];
    return false;
}

void epoll_free_all(struct runner *r)
{
    for (int i = 0; i < RUN_MAX_FDS; i++) {
        free(r->epoll[i]);
        r->epoll[i] = NULL;
    }
}

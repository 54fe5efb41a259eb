/* System call lines: evaluate the arguments, call the target's socket API,
 * compare the result and errno. Target sockets are non-blocking; a call on
 * a socket the script has not made non-blocking, that would block, waits
 * (the runner retries it as time passes) and its return time is checked
 * against START...END when the script gives END. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run/call.h"

#define O_NONBLOCK_LINUX 04000
#define O_RDWR_LINUX 2
#define IO_CHUNK RUN_IO_CHUNK


/* ---- evaluating arguments ---- */

bool call_bad_arg(struct call *c, const struct script_expr *e, const char *what)
{
    char text[200] = "";
    if (e)
        script_expr_format(e, text, sizeof text);
    run_error(c->r, c->ev, "%s: %s %s", c->sc->name, what, text);
    c->bad = true;
    return false;
}

/* An integer: a number, a symbol, a | of them, or [x] around one. */
bool call_eval_int(struct call *c, const struct script_expr *e, int64_t *v)
{
    switch (e->kind) {
    case SCRIPT_EXPR_INT:
        *v = e->num;
        return true;
    case SCRIPT_EXPR_SYMBOL: {
        const char *def;
        if (symbol_value(e->str, v))
            return true;
        if (run_define_value(c->r->s, e->str, &def)) { /* --define NAME=VALUE */
            char *end;
            long long n = strtoll(def, &end, 0);
            if (*def && *end == '\0') {
                *v = n;
                return true;
            }
            if (symbol_value(def, v))
                return true;
        }
        return call_bad_arg(c, e, "unknown symbol");
    }
    case SCRIPT_EXPR_OR: {
        int64_t acc = 0, x;
        for (size_t i = 0; i < e->count; i++) {
            if (!call_eval_int(c, e->items[i], &x))
                return false;
            acc |= x;
        }
        *v = acc;
        return true;
    }
    case SCRIPT_EXPR_ARRAY:
        if (e->count == 1)
            return call_eval_int(c, e->items[0], v);
        return call_bad_arg(c, e, "expected one value in");
    case SCRIPT_EXPR_CALL:
        if (strcmp(e->str, "htons") == 0 && e->count == 1)
            return call_eval_int(c, e->items[0], v);
        return call_bad_arg(c, e, "unsupported function in");
    default:
        return call_bad_arg(c, e, "expected an integer, got");
    }
}

bool call_arg_int(struct call *c, size_t i, int64_t *v)
{
    if (i >= c->sc->arg_count)
        return call_bad_arg(c, NULL, "missing argument");
    return call_eval_int(c, c->sc->args[i], v);
}

/* An address of the wire as the run's sockets name it: an IPv4 one as
 * ::ffff:a.b.c.d in an AF_INET6 socket (ipv4-mapped-ipv6, RFC 3493 3.7). */
struct synack_addr call_socket_addr(const struct runner *r, struct synack_addr a)
{
    if (r->domain == SYNACK_AF_INET6)
        a.family = SYNACK_AF_INET6;
    return a;
}

/* A sockaddr_in: `...` means the default, or {sin_port=htons(P), sin_addr=inet_addr("A")}.
 * An address given is IPv4 (an AF_INET6 socket gets it as ::ffff:a.b.c.d). */
bool call_eval_sockaddr(struct call *c, const struct script_expr *e, struct synack_addr *addr,
                        uint16_t *port)
{
    if (e->kind == SCRIPT_EXPR_ELLIPSIS)
        return true;
    if (e->kind != SCRIPT_EXPR_STRUCT)
        return call_bad_arg(c, e, "expected a socket address, got");
    for (size_t i = 0; i < e->count; i++) {
        const struct script_expr *f = e->items[i];
        if (f->kind != SCRIPT_EXPR_ASSIGN || f->lhs->kind != SCRIPT_EXPR_SYMBOL)
            return call_bad_arg(c, f, "expected field=value in the address, got");
        const char *name = f->lhs->str;
        int64_t v;
        if (strcmp(name, "sin_port") == 0) {
            if (!call_eval_int(c, f->rhs, &v))
                return false;
            *port = (uint16_t)v;
        } else if (strcmp(name, "sin_addr") == 0) {
            const struct script_expr *x = f->rhs;
            uint32_t a4;
            if (c->r->local.family == SYNACK_AF_INET6) {
                run_skip(c->r, c->ev, "an IPv4 address in a sockaddr: the script is for IPv4, "
                         "not for an ipv6 run");
                c->bad = true;
                return false;
            }
            if (x->kind == SCRIPT_EXPR_CALL && strcmp(x->str, "inet_addr") == 0 &&
                x->count == 1 && x->items[0]->kind == SCRIPT_EXPR_STRING) {
                if (!synack_ipv4_addr_from_text(x->items[0]->str, strlen(x->items[0]->str), &a4))
                    return call_bad_arg(c, x, "bad address");
                *addr = call_socket_addr(c->r, synack_addr_from_v4(a4));
            } else if (call_eval_int(c, x, &v)) {
                *addr = call_socket_addr(c->r, synack_addr_from_v4((uint32_t)v));
            } else {
                return false;
            }
        } else if (strcmp(name, "sa_family") != 0 && strcmp(name, "sin_family") != 0) {
            return call_bad_arg(c, f, "unknown address field");
        }
    }
    return true;
}

/* The target socket of a script fd argument. */
bool call_arg_fd(struct call *c, size_t i, int *sd, int64_t *fd)
{
    if (!call_arg_int(c, i, fd))
        return false;
    if (*fd < 0 || *fd >= RUN_MAX_FDS || c->r->fd_map[*fd] < 0) {
        *sd = -1; /* an unknown fd: the target reports EBADF */
        return true;
    }
    *sd = c->r->fd_map[*fd];
    return true;
}

bool call_blocking(struct call *c, int64_t fd)
{
    return fd >= 0 && fd < RUN_MAX_FDS && !c->r->fd_nonblock[fd];
}

/* Record a target result: >= 0, or -errno. */
void call_result(struct call *c, long rc)
{
    c->ret = rc < 0 ? -1 : rc;
    c->err = rc < 0 ? (int)-rc : 0;
}

/* The script fd a new socket gets: the expected result, else the lowest free. */
void call_map_new_fd(struct call *c, int sd)
{
    struct runner *r = c->r;
    const struct script_expr *x = c->sc->result;
    int64_t fd = -1;
    if (x && x->kind == SCRIPT_EXPR_INT && x->num >= 0 && x->num < RUN_MAX_FDS)
        fd = x->num;
    for (int i = 3; fd < 0 && i < RUN_MAX_FDS; i++)
        if (r->fd_map[i] == -1)
            fd = i;
    if (fd < 0) {
        run_error(r, c->ev, "too many sockets");
        c->bad = true;
        return;
    }
    r->fd_map[fd] = sd;
    r->fd_nonblock[fd] = false;
    r->fd_listening[fd] = false;
    c->ret = fd;
}

/* ---- the calls ---- */

/* An optional integer argument: `...` or missing keeps *v. */
bool call_arg_int_or(struct call *c, size_t i, int64_t *v)
{
    if (i >= c->sc->arg_count || c->sc->args[i]->kind == SCRIPT_EXPR_ELLIPSIS)
        return true;
    return call_arg_int(c, i, v);
}

#define SOCK_TYPE_MASK 0xf      /* Linux: the type without SOCK_NONBLOCK, SOCK_CLOEXEC */
#define IPPROTO_MAX_LINUX 263
#define IPPROTO_MPTCP_LINUX 262 /* RFC 8684, Linux's MPTCP sockets */

/* socket(domain, type, protocol), checked as Linux's inet_create() does,
 * for the one kind of socket these targets open: TCP. `...` for the domain
 * is the run's (packetdrill's --ip_version). */
static void sys_socket(struct call *c)
{
    int64_t domain = c->r->domain, type = 1, proto = 0;
    if (!call_arg_int_or(c, 0, &domain) || !call_arg_int_or(c, 1, &type) || !call_arg_int_or(c, 2, &proto))
        return;
    if (domain != SYNACK_AF_INET && domain != SYNACK_AF_INET6)
        return call_result(c, -EAFNOSUPPORT);
    if ((type & SOCK_TYPE_MASK) != 1) { /* only SOCK_STREAM */
        run_skip(c->r, c->ev, "unsupported on this target: socket type %lld (TCP only)",
                 (long long)(type & SOCK_TYPE_MASK));
        c->bad = true;
        return;
    }
    if (proto < 0 || proto >= IPPROTO_MAX_LINUX)
        return call_result(c, -EINVAL);
    if (proto == IPPROTO_MPTCP_LINUX && !c->r->ops->sock_socket_mptcp) {
        run_skip(c->r, c->ev, "unsupported on this target: IPPROTO_MPTCP");
        c->bad = true;
        return;
    }
    if (proto != 0 && proto != 6 && proto != IPPROTO_MPTCP_LINUX)
        return call_result(c, -EPROTONOSUPPORT);
    int sd = proto == IPPROTO_MPTCP_LINUX ? c->r->ops->sock_socket_mptcp(c->r->t, (int)domain)
                                          : c->r->ops->sock_socket(c->r->t, (int)domain);
    if (sd == -EAFNOSUPPORT && domain == SYNACK_AF_INET6) {
        run_skip(c->r, c->ev, "unsupported on this target: AF_INET6 sockets");
        c->bad = true;
        return;
    }
    if (sd < 0) {
        call_result(c, sd);
        return;
    }
    call_map_new_fd(c, sd);
    if (!c->bad) {
        c->r->sut = (int)c->ret; /* packetdrill's socket under test */
        /* a new socket under test: its connection's first SYN gives the
         * script's ISN again (packetdrill keeps one per socket) */
        struct conn_map *m = &c->r->map;
        if (m->local_isn_known && !m->new_socket) { /* the connection it leaves */
            m->left[m->left_count % RUN_LEFT_MAX].local_port = m->local_port;
            m->left[m->left_count % RUN_LEFT_MAX].remote_port = m->remote_port;
            m->left_count++;
        }
        m->remote_isn_known = false;
        m->new_socket = true;
    }
    if (!c->bad && (type & 04000))
        c->r->fd_nonblock[c->ret] = true;
}

static void sys_bind(struct call *c)
{
    int sd;
    int64_t fd;
    struct synack_addr addr = call_socket_addr(c->r, c->r->local);
    uint16_t port = c->r->bind_port;
    if (!call_arg_fd(c, 0, &sd, &fd) || c->sc->arg_count < 2 ||
        !call_eval_sockaddr(c, c->sc->args[1], &addr, &port))
        return;
    c->r->map.local_port = port;
    call_result(c, c->r->ops->sock_bind(c->r->t, sd, &addr, port));
}

static void sys_listen(struct call *c)
{
    int sd;
    int64_t fd, backlog = 1;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &backlog))
        return;
    call_result(c, c->r->ops->sock_listen(c->r->t, sd, (int)backlog));
    if (c->ret == 0 && fd >= 0 && fd < RUN_MAX_FDS)
        c->r->fd_listening[fd] = true;
}

static void sys_accept(struct call *c)
{
    int sd;
    int64_t fd;
    if (!call_arg_fd(c, 0, &sd, &fd))
        return;
    int rc = c->r->ops->sock_accept(c->r->t, sd);
    if (rc == -EAGAIN && call_blocking(c, fd)) {
        c->blocked = true;
        return;
    }
    if (rc < 0) {
        call_result(c, rc);
        return;
    }
    call_map_new_fd(c, rc);
    if (!c->bad) {
        c->r->sut = (int)c->ret;
        c->r->sut_child_line = 0;
    }
}

static void sys_connect(struct call *c)
{
    int sd;
    int64_t fd;
    struct synack_addr addr = call_socket_addr(c->r, c->r->remote);
    uint16_t port = c->r->connect_port;
    if (!call_arg_fd(c, 0, &sd, &fd) || c->sc->arg_count < 2 ||
        !call_eval_sockaddr(c, c->sc->args[1], &addr, &port))
        return;
    if (!c->retry)
        c->r->map.remote_port = port;
    int rc = c->r->ops->sock_connect(c->r->t, sd, &addr, port);
    if (call_blocking(c, fd)) {
        if (rc == -EINPROGRESS || rc == -EALREADY) {
            c->blocked = true; /* a blocking connect waits for the handshake */
            return;
        }
        if (c->retry && rc == -EISCONN)
            rc = 0;
    }
    call_result(c, rc);
}

/* A buffer argument written NULL (or 0): the kernel answers EFAULT when
 * it has octets to copy. */
bool call_null_buffer(const struct call *c, size_t i)
{
    const struct script_expr *e = i < c->sc->arg_count ? c->sc->args[i] : NULL;
    return e && ((e->kind == SCRIPT_EXPR_SYMBOL && strcmp(e->str, "NULL") == 0) ||
                 (e->kind == SCRIPT_EXPR_INT && e->num == 0));
}

bool call_unsupported(struct call *c, long rc, int errno_unsupported, const char *what)
{
    int want;
    if (rc != -errno_unsupported ||
        (c->sc->errno_name && errno_value(c->sc->errno_name, &want) && want == errno_unsupported))
        return false;
    run_skip(c->r, c->ev, "unsupported on this target: %s", what);
    c->bad = true;
    return true;
}

/* What argument i says, as written ("MSG_MORE|MSG_DONTWAIT"). */
static const char *arg_text(const struct call *c, size_t i, char *buf, size_t n)
{
    buf[0] = '\0';
    if (i < c->sc->arg_count)
        script_expr_format(c->sc->args[i], buf, n);
    return buf;
}

#define LINUX_TCP_SYN_SENT 2 /* tcpi_state values */
#define LINUX_TCP_CLOSE 7

static int64_t tcp_state(struct call *c, int sd)
{
    struct target_tcpi ti;
    if (run_tcpi(c->r, sd, &ti) < 0)
        return -1;
    for (size_t i = 0; i < ti.count; i++)
        if (strcmp(ti.f[i].name, "tcpi_state") == 0)
            return (int64_t)ti.f[i].value;
    return -1;
}

/* A blocking send whose data went out with the SYN (Fast Open: MSG_FASTOPEN,
 * TCP_FASTOPEN_CONNECT) returns, in Linux, once the handshake is over
 * (tcp_sendmsg_fastopen waits in the connect): the call is sent without
 * blocking, so while the socket is in SYN-SENT it waits here (true). */
bool call_await_connect(struct call *c, int sd, int64_t fd, size_t done, int flags)
{
    if (!call_blocking(c, fd) || (flags & SYNACK_MSG_DONTWAIT) ||
        tcp_state(c, sd) != LINUX_TCP_SYN_SENT)
        return false;
    c->r->pending.done = done;
    c->r->pending.connecting = true;
    c->blocked = true;
    return true;
}

/* The handshake a blocking send waits for: still going (false, blocked),
 * failed (false: the call fails with the socket's error, what the kernel's
 * connect returned), or over (true: the rest of the data is sent). */
static bool connect_over(struct call *c, int sd)
{
    int64_t state = tcp_state(c, sd);
    if (state == LINUX_TCP_SYN_SENT) {
        c->blocked = true;
        return false;
    }
    c->r->pending.connecting = false;
    if (state != LINUX_TCP_CLOSE)
        return true;
    int err = 0;
    size_t n = sizeof err;
    if (c->r->ops->sock_getsockopt(c->r->t, sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &n) < 0 ||
        err <= 0)
        err = ECONNRESET;
    call_result(c, -err);
    return false;
}

/* A blocking send on a socket not yet connected (Fast Open connects with
 * it) on a target that can block in the kernel on a thread of its own, as
 * packetdrill's blocking calls do: the kernel's own wait (its delayed ACK
 * for the writer in sk_stream_wait_connect, the rest of the data sent
 * once connected) is then the one judged. True when it took the call. */
bool call_send_threaded(struct call *c, int sd, int64_t fd, const struct target_msg *m, int flags)
{
    struct runner *r = c->r;
    if (c->retry) {
        if (!r->pending.threaded)
            return false;
    } else {
        int64_t state = tcp_state(c, sd);
        if (!r->ops->sock_send_start || !call_blocking(c, fd) || (flags & SYNACK_MSG_DONTWAIT) ||
            m->controllen || (state != LINUX_TCP_SYN_SENT && state != LINUX_TCP_CLOSE))
            return false;
        int e = r->ops->sock_send_start(r->t, sd, m, flags);
        if (e < 0)
            return false; /* emulated instead */
        r->pending.threaded = true;
    }
    ssize_t rc;
    bool done = r->ops->sock_send_done(r->t, &rc);
    for (int i = 0; !c->retry && !done && i < 20; i++) { /* one that does not block: now */
        nanosleep(&(struct timespec){0, 100000}, NULL);
        done = r->ops->sock_send_done(r->t, &rc);
    }
    if (!done) {
        c->blocked = true;
        return true;
    }
    r->pending.threaded = false;
    call_result(c, (long)rc);
    return true;
}

void call_send_bytes(struct call *c, int sd, int64_t fd, size_t len, int flags, size_t flags_arg)
{
    static const uint8_t zeros[IO_CHUNK];
    struct target_msg whole = {.len = len};
    if (call_send_threaded(c, sd, fd, &whole, flags))
        return;
    size_t done = c->retry ? c->r->pending.done : 0;
    if (c->retry && c->r->pending.connecting && !connect_over(c, sd))
        return;
    while (done < len) {
        size_t n = len - done > IO_CHUNK ? IO_CHUNK : len - done;
        ssize_t rc = c->r->ops->sock_send(c->r->t, sd, zeros, n, flags);
        if (rc == -EAGAIN && call_blocking(c, fd) && !(flags & SYNACK_MSG_DONTWAIT)) {
            c->r->pending.done = done;
            c->blocked = true;
            return;
        }
        char what[200];
        if (done == 0 && flags && call_unsupported(c, rc, EOPNOTSUPP,
                                                   arg_text(c, flags_arg, what, sizeof what)))
            return;
        if (rc < 0) {
            call_result(c, done ? (long)done : (long)rc);
            return;
        }
        done += (size_t)rc;
        if (rc > 0 && done == (size_t)rc && call_await_connect(c, sd, fd, done, flags))
            return;
        if (rc == 0 || !call_blocking(c, fd) || (flags & SYNACK_MSG_DONTWAIT))
            break; /* non-blocking: a short write is the answer */
    }
    call_result(c, (long)done);
}

void call_recv_bytes(struct call *c, int sd, int64_t fd, size_t len, int flags, size_t flags_arg)
{
    size_t want = len > IO_CHUNK ? IO_CHUNK : len;
    ssize_t rc = c->r->ops->sock_recv(c->r->t, sd, c->r->io, want, flags);
    if (rc == -EAGAIN && call_blocking(c, fd) && !(flags & SYNACK_MSG_DONTWAIT)) {
        c->blocked = true;
        return;
    }
    char what[200];
    if (flags && call_unsupported(c, rc, EOPNOTSUPP, arg_text(c, flags_arg, what, sizeof what)))
        return;
    call_result(c, (long)rc);
}

/* read, recv, write, send: the same arguments; NULL with a length faults. */
static void data_call(struct call *c, bool send, bool with_flags)
{
    int sd;
    int64_t fd, len, flags = 0;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 2, &len) ||
        (with_flags && c->sc->arg_count > 3 && !call_arg_int(c, 3, &flags)))
        return;
    if (sd >= 0 && len > 0 && call_null_buffer(c, 1))
        return call_result(c, -EFAULT);
    size_t n = len < 0 ? 0 : (size_t)len;
    if (send)
        call_send_bytes(c, sd, fd, n, (int)flags, 3);
    else
        call_recv_bytes(c, sd, fd, n, (int)flags, 3);
}

static void sys_close(struct call *c)
{
    int sd;
    int64_t fd;
    if (!call_arg_fd(c, 0, &sd, &fd))
        return;
    if (epoll_close(c->r, fd))
        return call_result(c, 0);
    call_result(c, c->r->ops->sock_close(c->r->t, sd));
    if (c->ret == 0 && fd >= 0 && fd < RUN_MAX_FDS) {
        c->r->fd_map[fd] = -1;
        c->r->fd_listening[fd] = false;
    }
}

static void sys_shutdown(struct call *c)
{
    int sd;
    int64_t fd, how;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &how))
        return;
    call_result(c, c->r->ops->sock_shutdown(c->r->t, sd, (int)how));
}

static void sys_fcntl(struct call *c)
{
    int sd;
    int64_t fd, cmd, flags = 0;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &cmd))
        return;
    if (sd < 0) {
        call_result(c, -EBADF);
        return;
    }
    if (cmd == 3) { /* F_GETFL */
        call_result(c, O_RDWR_LINUX | (c->r->fd_nonblock[fd] ? O_NONBLOCK_LINUX : 0));
        return;
    }
    if (cmd != 4 || !call_arg_int(c, 2, &flags)) { /* F_SETFL */
        if (!c->bad)
            call_bad_arg(c, c->sc->args[1], "only F_GETFL and F_SETFL are supported, got");
        return;
    }
    c->r->fd_nonblock[fd] = (flags & O_NONBLOCK_LINUX) != 0;
    call_result(c, 0);
}

/* ---- options (sockopt.c in spirit; kept here to share the evaluator) ---- */

/* An option value as the script gives it: an integer ([v] or v), a linger
 * struct ({onoff=N, linger=N} as packetdrill writes it; {l_onoff=N,
 * l_linger=N} too), or a string (passed as written, as packetdrill does). */
struct optval {
    uint8_t buf[256];
    size_t len;
};

static bool linger_value(struct call *c, const struct script_expr *e, struct optval *o)
{
    struct synack_linger l = {0, 0};
    for (size_t i = 0; i < e->count; i++) {
        const struct script_expr *f = e->items[i];
        int64_t v;
        if (f->kind != SCRIPT_EXPR_ASSIGN || f->lhs->kind != SCRIPT_EXPR_SYMBOL ||
            !call_eval_int(c, f->rhs, &v))
            return c->bad ? false : call_bad_arg(c, f, "expected field=value, got");
        const char *n = f->lhs->str;
        if (strcmp(n, "onoff") == 0 || strcmp(n, "l_onoff") == 0)
            l.l_onoff = (int)v;
        else if (strcmp(n, "linger") == 0 || strcmp(n, "l_linger") == 0)
            l.l_linger = (int)v;
        else
            return call_bad_arg(c, f, "unknown linger field");
    }
    memcpy(o->buf, &l, sizeof l);
    o->len = sizeof l;
    return true;
}

static bool option_value(struct call *c, const struct script_expr *e, struct optval *o)
{
    if (e->kind == SCRIPT_EXPR_STRUCT)
        return linger_value(c, e, o);
    if (e->kind == SCRIPT_EXPR_STRING) {
        o->len = strlen(e->str);
        if (o->len > sizeof o->buf)
            return call_bad_arg(c, e, "option string too long:");
        memcpy(o->buf, e->str, o->len);
        return true;
    }
    int64_t v;
    if (!call_eval_int(c, e, &v))
        return false;
    int iv = (int)v;
    memcpy(o->buf, &iv, sizeof iv);
    o->len = sizeof iv;
    return true;
}

/* "setsockopt(SOL_TCP, TCP_CORK)": the option as the script names it. */
static const char *option_text(const struct call *c, char *buf, size_t n)
{
    char level[100] = "", name[100] = "";
    if (c->sc->arg_count > 2) {
        script_expr_format(c->sc->args[1], level, sizeof level);
        script_expr_format(c->sc->args[2], name, sizeof name);
    }
    snprintf(buf, n, "%s(%s, %s)", c->sc->name, level, name);
    return buf;
}

static void sys_setsockopt(struct call *c)
{
    int sd;
    int64_t fd, level, name, optlen = -1;
    struct optval o;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &level) ||
        !call_arg_int(c, 2, &name))
        return;
    if (c->sc->arg_count < 4)
        return (void)call_bad_arg(c, NULL, "missing option value");
    if (!option_value(c, c->sc->args[3], &o) || !call_arg_int_or(c, 4, &optlen))
        return;
    size_t len = optlen >= 0 && (size_t)optlen < o.len ? (size_t)optlen : o.len;
    int rc = c->r->ops->sock_setsockopt(c->r->t, sd, (int)level, (int)name, o.buf, len);
    char what[220];
    if (!call_unsupported(c, rc, ENOPROTOOPT, option_text(c, what, sizeof what)))
        call_result(c, rc);
}

/* A field of the TCP_INFO extension: Linux's names as the target knows
 * them (run_tcpi), and synack's own synack_soft_error, the last ICMP soft
 * error as an errno (SHLD-25; Linux has no such field). 1 known, 0 a field
 * the target cannot know (skipped), -1 not a field (an error). */
static int tcp_info_field(struct call *c, int sd, const struct target_tcpi *ti,
                          const char *name, int64_t *v)
{
    uint64_t u;
    if (strcmp(name, "synack_soft_error") == 0) {
        struct synack_tcp_info info;
        if (c->r->ops->sock_info(c->r->t, sd, &info) < 0)
            return 0;
        *v = -(int64_t)info.soft_error;
        return 1;
    }
    if (tcpi_get(ti, name, &u)) {
        *v = (int64_t)u;
        return 1;
    }
    return tcpi_exported(name) ? 0 : -1;
}

/* The call as the script wrote it with argument 3 (the option value) as
 * the stack gave it: "getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0". */
static void getsockopt_actual(const struct call *c, const char *value, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "%s(", c->sc->name);
    for (size_t i = 0; i < c->sc->arg_count && k < n; i++) {
        if (i)
            k += (size_t)snprintf(out + k, n - k, ", ");
        if (k >= n)
            break;
        if (i == 3)
            k += (size_t)snprintf(out + k, n - k, "%s", value);
        else
            k += (size_t)script_expr_format(c->sc->args[i], out + k, n - k);
    }
    if (k < n)
        snprintf(out + k, n - k, ") = %ld", c->ret);
}

static void check_tcp_info(struct call *c, int sd, const struct script_expr *e)
{
    struct target_tcpi info;
    int rc = run_tcpi(c->r, sd, &info);
    call_result(c, rc);
    if (rc < 0 || e->kind == SCRIPT_EXPR_ELLIPSIS)
        return;
    if (e->kind != SCRIPT_EXPR_STRUCT)
        return (void)call_bad_arg(c, e, "expected {tcpi_...=value} for TCP_INFO, got");
    for (size_t k = 0; k < e->count; k++) {
        const struct script_expr *f = e->items[k];
        int64_t want, got;
        if (f->kind != SCRIPT_EXPR_ASSIGN || f->lhs->kind != SCRIPT_EXPR_SYMBOL)
            return (void)call_bad_arg(c, f, "expected tcpi_field=value, got");
        int known = tcp_info_field(c, sd, &info, f->lhs->str, &got);
        if (known < 0)
            return (void)call_bad_arg(c, f, "unknown TCP_INFO field");
        if (known == 0) {
            run_skip(c->r, c->ev, "TCP_INFO field %s is not known on target %s", f->lhs->str,
                     c->r->ops->name);
            c->bad = true;
            return;
        }
        if (!call_eval_int(c, f->rhs, &want))
            return;
        /* On a real clock a measured time carries the path's jitter: the
         * RTT fields get the script's timing tolerance there. */
        bool measured = strcmp(f->lhs->str, "tcpi_rtt") == 0 ||
                        strcmp(f->lhs->str, "tcpi_rttvar") == 0 ||
                        strcmp(f->lhs->str, "tcpi_rto") == 0;
        int64_t slack = measured && !c->r->ops->virtual_time ? c->r->tolerance : 0;
        if (got < want - slack || got > want + slack) {
            char exp[400], act[400];
            int64_t now = run_now(c->r);
            char val[100];
            script_syscall_format(c->sc, exp, sizeof exp);
            snprintf(val, sizeof val, "{%s=%lld}", f->lhs->str, (long long)got);
            getsockopt_actual(c, val, act, sizeof act);
            run_fail(c->r, c->ev, f->lhs->str, exp, act, now, now,
                     "getsockopt TCP_INFO %s: expected %lld, got %lld", f->lhs->str,
                     (long long)want, (long long)got);
            c->bad = true;
            return;
        }
    }
}

static void getsockopt_mismatch(struct call *c, const char *field, const char *val,
                                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void getsockopt_mismatch(struct call *c, const char *field, const char *val,
                                const char *fmt, ...)
{
    char exp[400], act[400], msg[400];
    int64_t now = run_now(c->r);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    script_syscall_format(c->sc, exp, sizeof exp);
    getsockopt_actual(c, val, act, sizeof act);
    run_fail(c->r, c->ev, field, exp, act, now, now, "%s", msg);
    c->bad = true;
}

/* getsockopt(fd, level, name, VALUE, [LEN]): VALUE [v], "string" or ...;
 * the length the option gave is checked against LEN, as packetdrill does. */
static void sys_getsockopt(struct call *c)
{
    int sd;
    int64_t fd, level, name, want, optlen = 4;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &level) ||
        !call_arg_int(c, 2, &name))
        return;
    if (c->sc->arg_count < 4)
        return (void)call_bad_arg(c, NULL, "missing option value");
    const struct script_expr *e = c->sc->args[3];
    if (level == SYNACK_SOL_TCP && name == SYNACK_TCP_INFO && e->kind != SCRIPT_EXPR_ELLIPSIS)
        return check_tcp_info(c, sd, e);
    bool len_given = c->sc->arg_count > 4 && c->sc->args[4]->kind != SCRIPT_EXPR_ELLIPSIS;
    if (len_given && !call_arg_int(c, 4, &optlen))
        return;
    uint8_t buf[512] = {0};
    size_t len = optlen < 0 ? 0 : (size_t)optlen > sizeof buf ? sizeof buf : (size_t)optlen;
    int rc = c->r->ops->sock_getsockopt(c->r->t, sd, (int)level, (int)name, buf, &len);
    char what[220], val[300];
    if (call_unsupported(c, rc, ENOPROTOOPT, option_text(c, what, sizeof what)))
        return;
    call_result(c, rc);
    if (rc < 0)
        return;
    if (len_given && (int64_t)len != optlen) {
        snprintf(val, sizeof val, "(%zu octets)", len);
        return getsockopt_mismatch(c, "optlen", val, "getsockopt optlen: expected %lld, got %zu",
                                   (long long)optlen, len);
    }
    if (e->kind == SCRIPT_EXPR_STRING) {
        size_t wl = strlen(e->str);
        if (wl != len || memcmp(buf, e->str, wl) != 0) {
            snprintf(val, sizeof val, "\"%.*s\"", (int)len, (const char *)buf);
            getsockopt_mismatch(c, "optval", val, "getsockopt value: expected \"%s\", got %s",
                                e->str, val);
        }
        return;
    }
    if (e->kind == SCRIPT_EXPR_ELLIPSIS || !call_eval_int(c, e, &want))
        return;
    int v;
    memcpy(&v, buf, sizeof v);
    if (v != (int32_t)(uint32_t)want) { /* an int, as packetdrill compares: [0xffffffff] is -1 */
        const char *en = (name == SYNACK_SO_ERROR) ? errno_name(v) : NULL;
        snprintf(val, sizeof val, "[%d]", v);
        getsockopt_mismatch(c, "optval", val, "getsockopt value: expected %lld, got %d%s%s",
                            (long long)want, v, en ? " " : "", en ? en : "");
    }
}

/* poll([{fd=F, events=E, revents=R}, ...], n, timeout_ms) */
static void sys_poll(struct call *c)
{
    int64_t timeout = 0;
    if (c->sc->arg_count < 3 || c->sc->args[0]->kind != SCRIPT_EXPR_ARRAY ||
        !call_arg_int(c, 2, &timeout)) {
        if (!c->bad)
            call_bad_arg(c, NULL, "expected poll([{fd=..., events=..., revents=...}], n, timeout)");
        return;
    }
    const struct script_expr *arr = c->sc->args[0];
    long ready = 0;
    for (size_t i = 0; i < arr->count && !c->bad; i++) {
        const struct script_expr *pfd = arr->items[i];
        int64_t fd = -1, events = 0, revents = -1;
        for (size_t k = 0; pfd->kind == SCRIPT_EXPR_STRUCT && k < pfd->count; k++) {
            const struct script_expr *f = pfd->items[k];
            if (f->kind != SCRIPT_EXPR_ASSIGN || f->lhs->kind != SCRIPT_EXPR_SYMBOL)
                continue;
            int64_t *dst = strcmp(f->lhs->str, "fd") == 0       ? &fd
                           : strcmp(f->lhs->str, "events") == 0 ? &events
                                                                : &revents;
            if (!call_eval_int(c, f->rhs, dst))
                return;
        }
        int sd = fd >= 0 && fd < RUN_MAX_FDS ? c->r->fd_map[fd] : -1;
        int ev = sd < 0 ? 0x020 : c->r->ops->sock_events(c->r->t, sd);
        int got = ev & (int)(events | SYNACK_POLLERR | SYNACK_POLLHUP | 0x020);
        if (got)
            ready++;
        if (got && revents >= 0 && got != revents) {
            run_fail(c->r, c->ev, "revents", NULL, NULL, -1, run_now(c->r),
                     "poll fd %lld: revents expected 0x%llx, got 0x%x", (long long)fd,
                     (long long)revents, got);
            c->bad = true;
        }
    }
    if (ready == 0 && timeout != 0) {
        int64_t started = c->retry ? c->r->pending.started : run_now(c->r);
        if (timeout < 0 || run_now(c->r) < started + timeout * 1000) {
            c->blocked = true;
            return;
        }
    }
    call_result(c, ready);
}

static const struct {
    const char *name;
    void (*fn)(struct call *c);
} calls[] = {
    {"socket", sys_socket}, {"bind", sys_bind}, {"listen", sys_listen},
    {"accept", sys_accept}, {"connect", sys_connect}, {"close", sys_close},
    {"shutdown", sys_shutdown}, {"fcntl", sys_fcntl}, {"setsockopt", sys_setsockopt},
    {"getsockopt", sys_getsockopt}, {"poll", sys_poll}, {"sendto", sys_sendto},
    {"sendmsg", sys_sendmsg}, {"recvmsg", sys_recvmsg},
    {"writev", sys_writev}, {"readv", sys_readv}, {"ioctl", sys_ioctl},
    {"epoll_create", sys_epoll_create}, {"epoll_ctl", sys_epoll_ctl},
    {"epoll_wait", sys_epoll_wait}, {"pipe", sys_pipe}, {"splice", sys_splice},
};

static void sys_write_plain(struct call *c) { data_call(c, true, false); }
static void sys_send(struct call *c) { data_call(c, true, true); }
static void sys_read_plain(struct call *c) { data_call(c, false, false); }
static void sys_recv(struct call *c) { data_call(c, false, true); }

static void (*find_call(const char *name))(struct call *)
{
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        if (strcmp(calls[i].name, name) == 0)
            return calls[i].fn;
    if (strcmp(name, "write") == 0)
        return sys_write_plain;
    if (strcmp(name, "send") == 0)
        return sys_send;
    if (strcmp(name, "read") == 0)
        return sys_read_plain;
    if (strcmp(name, "recv") == 0 || strcmp(name, "recvfrom") == 0)
        return sys_recv; /* recvfrom's address arguments are packetdrill's `...` */
    return NULL;
}

/* ---- outcome ---- */

static void actual_text(const struct call *c, char *out, size_t n)
{
    const char *en = c->ret == -1 ? errno_name(c->err) : NULL;
    if (c->ret == -1)
        snprintf(out, n, "%s() = -1 %s", c->sc->name, en ? en : "?");
    else
        snprintf(out, n, "%s() = %ld", c->sc->name, c->ret);
}

/* Compare with `= RESULT [ERRNO]`; the return time with END if given. */
static void check_result(struct call *c, int64_t started)
{
    struct runner *r = c->r;
    const struct script_expr *x = c->sc->result;
    char exp[400], act[200];
    script_syscall_format(c->sc, exp, sizeof exp);
    actual_text(c, act, sizeof act);
    bool ok = true;
    const char *field = "return";
    if (x && x->kind != SCRIPT_EXPR_ELLIPSIS) {
        int64_t want;
        struct call tmp = *c;
        if (!call_eval_int(&tmp, x, &want)) {
            c->bad = true;
            return;
        }
        ok = want == c->ret;
        if (ok && c->ret == -1 && c->sc->errno_name) {
            int e;
            ok = errno_value(c->sc->errno_name, &e) && e == c->err;
            field = "errno";
        }
    }
    int64_t now = run_now(r);
    const struct script_timing *tm = &c->ev->time;
    vector_result_add_row(r->res, LADDER_SYSCALL, ok ? LADDER_OK : LADDER_MISMATCH, c->ev->line,
                          started, now, exp, act, ok ? NULL : field);
    if (!ok) {
        run_fail(r, c->ev, field, exp, act, started, now, "%s: expected %s, got %s", field,
                 exp, act);
        return;
    }
    if (tm->blocking) {
        int64_t end = tm->relative ? started - tm->start_usecs + tm->block_end_usecs
                                   : r->epoch + tm->block_end_usecs;
        /* on a real clock packetdrill's tolerance of a blocking call's
         * return counts from its start (its percentage of the time it
         * blocked); virtual time is exact but for the absolute one */
        int64_t tol = r->ops->virtual_time ? r->tolerance : run_tolerance(r, end - started);
        if (now < end - tol || now > end + tol)
            run_fail(r, c->ev, "time", exp, act, end, now,
                     "%s returned at %.6f s, expected %.6f s (tolerance %.6f s)", c->sc->name,
                     now / 1e6, end / 1e6, tol / 1e6);
    }
}

enum call_outcome syscall_run(struct runner *r, const struct script_event *ev)
{
    struct call c = {.r = r, .ev = ev, .sc = &ev->syscall};
    c.retry = r->pending.active && r->pending.ev == ev;
    int e;
    if (c.sc->errno_name && !errno_value(c.sc->errno_name, &e)) {
        run_error(r, ev, "unknown errno name '%s'", c.sc->errno_name);
        return CALL_FAILED;
    }
    void (*fn)(struct call *) = find_call(c.sc->name);
    if (!fn && run_call_known(c.sc->name)) {
        run_skip(r, ev, "unsupported on this target: %s()", c.sc->name);
        return CALL_FAILED;
    }
    if (!fn) {
        run_error(r, ev, "unknown system call '%s'", c.sc->name);
        return CALL_FAILED;
    }
    int64_t called = run_now(r); /* a call may take time to block (a thread to start) */
    fn(&c);
    if (c.bad || r->failed || c.blocked) {
        free(c.ctx); /* a retry makes it again */
        c.ctx = NULL;
    }
    if (c.bad || r->failed) {
        r->pending.active = false;
        return CALL_FAILED;
    }
    if (c.blocked) {
        if (!c.retry)
            r->pending = (struct pending_call){true, ev, called, r->pending.done,
                                               r->pending.connecting, r->pending.threaded};
        return CALL_BLOCKED;
    }
    int64_t started = c.retry ? r->pending.started : called;
    r->pending.active = false;
    r->pending.done = 0;
    r->pending.connecting = false;
    r->pending.threaded = false;
    check_result(&c, started);
    if (c.after && !r->failed && !c.bad && c.ret >= 0)
        c.after(&c);
    free(c.ctx);
    return r->failed ? CALL_FAILED : CALL_DONE;
}

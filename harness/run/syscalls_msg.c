/* Message calls and vectors (packetdrill's run_system_call.c semantics):
 * sendto, sendmsg, recvmsg with msghdr, iovec and control
 * messages, writev, readv, ioctl. A target with sock_sendmsg/sock_recvmsg
 * (linux) gets the call as the kernel takes it; on the others what a
 * plain send or receive says is mapped onto sock_send/sock_recv and the
 * rest (TCP Fast Open, control messages) skips the vector, naming it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/errqueue.h>

#include "run/call.h"

#define MSG_FASTOPEN_LINUX 0x20000000
#define MSG_CONTROL_MAX 1024 /* as packetdrill's MSGHDR_MAX_CONTROLLEN */
#define IOV_MAX_SCRIPT 64

/* ---- iovecs: [{..., N}, {iov_base=..., iov_len=N}] ---- */

static bool iov_len_of(struct call *c, const struct script_expr *e, int64_t *len)
{
    if (e->kind != SCRIPT_EXPR_STRUCT || e->count != 2)
        return call_bad_arg(c, e, "expected an iovec {..., LEN}, got");
    const struct script_expr *x = e->items[1];
    if (x->kind == SCRIPT_EXPR_ASSIGN) {
        if (x->lhs->kind != SCRIPT_EXPR_SYMBOL || strcmp(x->lhs->str, "iov_len") != 0)
            return call_bad_arg(c, x, "expected iov_len=LEN, got");
        x = x->rhs;
    }
    if (!call_eval_int(c, x, len))
        return false;
    if (*len < 0)
        return call_bad_arg(c, x, "negative iov_len");
    return true;
}

/* The octets of an iovec array, checked against its count as packetdrill does. */
static bool iov_total(struct call *c, const struct script_expr *arr, int64_t count,
                      size_t *total)
{
    if (arr->kind != SCRIPT_EXPR_ARRAY)
        return call_bad_arg(c, arr, "expected an iovec array, got");
    if (count != (int64_t)arr->count) {
        char msg[100];
        snprintf(msg, sizeof msg, "iov count %lld does not match the %zu-element array",
                 (long long)count, arr->count);
        return call_bad_arg(c, arr, msg);
    }
    *total = 0;
    for (size_t i = 0; i < arr->count; i++) {
        int64_t len;
        if (!iov_len_of(c, arr->items[i], &len))
            return false;
        *total += (size_t)len;
    }
    return true;
}

static void vec_call(struct call *c, bool send)
{
    int sd;
    int64_t fd, count;
    size_t total;
    if (!call_arg_fd(c, 0, &sd, &fd) || c->sc->arg_count < 3 || !call_arg_int(c, 2, &count) ||
        !iov_total(c, c->sc->args[1], count, &total))
        return (void)(c->bad || call_bad_arg(c, NULL, "expected (fd, iovec array, count)"));
    if (send)
        call_send_bytes(c, sd, fd, total, 0, 0);
    else
        call_recv_bytes(c, sd, fd, total, 0, 0);
}

void sys_writev(struct call *c) { vec_call(c, true); }
void sys_readv(struct call *c) { vec_call(c, false); }

/* ---- the message path ---- */

/* Send through sock_sendmsg (its first octets carry the name and the
 * control messages), the rest of a blocking call as send() does. */
static void send_msg(struct call *c, int sd, int64_t fd, const struct target_msg *m, int flags)
{
    if (call_send_threaded(c, sd, fd, m, flags))
        return;
    size_t done = c->retry ? c->r->pending.done : 0;
    if (done == 0) {
        struct target_msg part = *m;
        part.len = m->len > RUN_IO_CHUNK ? RUN_IO_CHUNK : m->len;
        ssize_t rc = c->r->ops->sock_sendmsg(c->r->t, sd, &part, flags);
        bool wait = rc == -EAGAIN || ((flags & MSG_FASTOPEN_LINUX) && rc == -EINPROGRESS);
        if (wait && call_blocking(c, fd) && !(flags & SYNACK_MSG_DONTWAIT)) {
            c->blocked = true; /* a blocking TFO sendto waits for the handshake */
            return;
        }
        if (rc > 0 && call_await_connect(c, sd, fd, (size_t)rc, flags))
            return;
        if (rc < 0 || (size_t)rc == m->len || !call_blocking(c, fd) ||
            (flags & SYNACK_MSG_DONTWAIT)) /* a short write is the answer */
            return call_result(c, (long)rc);
        done = (size_t)rc;
    }
    bool retry = c->retry;
    c->r->pending.done = done;
    c->retry = true; /* go on from done */
    call_send_bytes(c, sd, fd, m->len, 0, 0);
    c->retry = retry;
}

/* sendto(fd, ..., len, flags, ..., ...): packetdrill passes its connect
 * address, which a TCP socket uses only for Fast Open (MSG_FASTOPEN). */
void sys_sendto(struct call *c)
{
    int sd;
    int64_t fd, len, flags, family = -1;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 2, &len) || !call_arg_int(c, 3, &flags))
        return;
    /* sendto(..., AF_UNSPEC, ...): packetdrill sends to an AF_UNSPEC sockaddr */
    if (c->sc->arg_count > 4 && c->sc->args[4]->kind == SCRIPT_EXPR_SYMBOL &&
        !call_arg_int(c, 4, &family))
        return;
    bool unspec = family == 0;
    if (unspec && !c->r->ops->sock_sendmsg) {
        run_skip(c->r, c->ev, "unsupported on this target: sendto() to an AF_UNSPEC address");
        c->bad = true;
        return;
    }
    if (sd >= 0 && len > 0 && call_null_buffer(c, 1))
        return call_result(c, -EFAULT);
    if (len < 0)
        len = 0;
    if (!c->retry && (flags & MSG_FASTOPEN_LINUX)) /* it connects */
        c->r->map.remote_port = c->r->connect_port;
    if (c->r->ops->sock_sendmsg) {
        struct target_msg m = {.name_given = true, .unspec = unspec,
                               .addr = call_socket_addr(c->r, c->r->remote),
                               .port = c->r->connect_port, .len = (size_t)len};
        return send_msg(c, sd, fd, &m, (int)flags);
    }
    if (flags & MSG_FASTOPEN_LINUX) {
        run_skip(c->r, c->ev, "unsupported on this target: MSG_FASTOPEN (TCP Fast Open)");
        c->bad = true;
        return;
    }
    call_send_bytes(c, sd, fd, (size_t)len, (int)flags, 3);
}

/* ---- msghdr: {msg_name(...)=..., msg_iov(N)=[...], msg_flags=F[, msg_control=[...]]} ---- */

struct msghdr_spec {
    size_t len;                            /* octets of the iovecs */
    bool flags_given;
    int64_t flags;                         /* msg_flags */
    const struct script_expr *control;     /* the cmsg array, or NULL */
};

static bool msghdr_of(struct call *c, const struct script_expr *e, struct msghdr_spec *h)
{
    memset(h, 0, sizeof *h);
    if (e->kind != SCRIPT_EXPR_STRUCT)
        return call_bad_arg(c, e, "expected a msghdr {msg_name(...)=..., msg_iov(N)=[...], "
                                  "msg_flags=F}, got");
    for (size_t i = 0; i < e->count; i++) {
        const struct script_expr *f = e->items[i];
        if (f->kind != SCRIPT_EXPR_ASSIGN)
            return call_bad_arg(c, f, "expected field=value in the msghdr, got");
        const char *name = f->lhs->str;
        int64_t n = 0;
        if (strcmp(name, "msg_name") == 0)
            continue; /* always (...)=...: packetdrill's connect address */
        if (strcmp(name, "msg_iov") == 0) {
            if (f->lhs->kind != SCRIPT_EXPR_CALL || f->lhs->count != 1 ||
                !call_eval_int(c, f->lhs->items[0], &n) || !iov_total(c, f->rhs, n, &h->len))
                return c->bad || call_bad_arg(c, f, "expected msg_iov(N)=[...], got");
        } else if (strcmp(name, "msg_flags") == 0) {
            if (!call_eval_int(c, f->rhs, &h->flags))
                return false;
            h->flags_given = true;
        } else if (strcmp(name, "msg_control") == 0) {
            if (f->rhs->kind != SCRIPT_EXPR_ARRAY)
                return call_bad_arg(c, f, "expected msg_control=[...], got");
            h->control = f->rhs->count ? f->rhs : NULL;
        } else {
            return call_bad_arg(c, f, "unknown msghdr field");
        }
    }
    return true;
}

/* ---- control messages: {cmsg_level=L, cmsg_type=T, cmsg_data=D} ---- */

enum cmsg_data_kind { CMSG_INT, CMSG_EXT_ERR, CMSG_TIMESTAMPING, CMSG_OTHER };

static const struct script_expr *field(const struct script_expr *s, const char *name)
{
    for (size_t i = 0; s->kind == SCRIPT_EXPR_STRUCT && i < s->count; i++) {
        const struct script_expr *f = s->items[i];
        if (f->kind == SCRIPT_EXPR_ASSIGN && f->lhs->kind == SCRIPT_EXPR_SYMBOL &&
            strcmp(f->lhs->str, name) == 0)
            return f->rhs;
    }
    return NULL;
}

static enum cmsg_data_kind data_kind(const struct script_expr *d)
{
    if (d->kind != SCRIPT_EXPR_STRUCT)
        return d->kind == SCRIPT_EXPR_ARRAY ? CMSG_OTHER : CMSG_INT;
    if (field(d, "ee_errno"))
        return CMSG_EXT_ERR;
    if (field(d, "scm_sec"))
        return CMSG_TIMESTAMPING;
    return CMSG_OTHER; /* SCM_TIMESTAMPING_OPT_STATS' attribute list */
}

static bool field_int(struct call *c, const struct script_expr *s, const char *name, int64_t *v)
{
    const struct script_expr *x = field(s, name);
    if (!x)
        return call_bad_arg(c, s, name);
    return call_eval_int(c, x, v);
}

/* Lay out the script's control messages as Linux does, into buf (room n).
 * The length, or -1 (the line cannot run, c->bad set). */
static long cmsg_build(struct call *c, const struct script_expr *arr, uint8_t *buf, size_t n)
{
    struct msghdr h = {.msg_control = buf, .msg_controllen = n};
    memset(buf, 0, n);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&h);
    size_t used = 0;
    for (size_t i = 0; i < arr->count; i++) {
        const struct script_expr *e = arr->items[i], *d = field(e, "cmsg_data");
        int64_t level, type, v;
        if (!cm || !d || !field_int(c, e, "cmsg_level", &level) ||
            !field_int(c, e, "cmsg_type", &type))
            return c->bad ? -1 : (call_bad_arg(c, e, "expected {cmsg_level=L, cmsg_type=T, "
                                                     "cmsg_data=D}, got"), -1);
        size_t len = 0;
        cm->cmsg_level = (int)level;
        cm->cmsg_type = (int)type;
        switch (data_kind(d)) {
        case CMSG_INT: {
            if (!call_eval_int(c, d, &v))
                return -1;
            int iv = (int)v;
            len = sizeof iv;
            memcpy(CMSG_DATA(cm), &iv, len);
            break;
        }
        case CMSG_EXT_ERR: {
            struct sock_extended_err ee;
            int64_t x[6];
            static const char *const names[] = {"ee_errno", "ee_origin", "ee_type",
                                                "ee_code", "ee_info", "ee_data"};
            for (int k = 0; k < 6; k++)
                if (!field_int(c, d, names[k], &x[k]))
                    return -1;
            memset(&ee, 0, sizeof ee);
            ee.ee_errno = (uint32_t)x[0];
            ee.ee_origin = (uint8_t)x[1];
            ee.ee_type = (uint8_t)x[2];
            ee.ee_code = (uint8_t)x[3];
            ee.ee_info = (uint32_t)x[4];
            ee.ee_data = (uint32_t)x[5];
            len = sizeof ee + (level == IPPROTO_IP ? sizeof(struct sockaddr_in)
                                                   : sizeof(struct sockaddr_in6));
            memcpy(CMSG_DATA(cm), &ee, sizeof ee);
            break;
        }
        case CMSG_TIMESTAMPING: {
            struct timespec ts[3];
            int64_t sec, nsec;
            if (!field_int(c, d, "scm_sec", &sec) || !field_int(c, d, "scm_nsec", &nsec))
                return -1;
            memset(ts, 0, sizeof ts);
            ts[0].tv_sec = (time_t)sec;
            ts[0].tv_nsec = (long)nsec;
            len = sizeof ts;
            memcpy(CMSG_DATA(cm), ts, len);
            break;
        }
        case CMSG_OTHER:
            run_skip(c->r, c->ev, "unsupported on this target: control message data %s",
                     "other than an integer, sock_extended_err or scm_timestamping");
            c->bad = true;
            return -1;
        }
        cm->cmsg_len = CMSG_LEN(len);
        used += CMSG_SPACE(len);
        h.msg_controllen = used < n ? n : used; /* CMSG_NXTHDR looks within it */
        cm = CMSG_NXTHDR(&h, cm);
    }
    return (long)used;
}

/* ---- sendmsg ---- */

void sys_sendmsg(struct call *c)
{
    int sd;
    int64_t fd, flags;
    struct msghdr_spec h;
    if (!call_arg_fd(c, 0, &sd, &fd) || c->sc->arg_count < 3 ||
        !msghdr_of(c, c->sc->args[1], &h) || !call_arg_int(c, 2, &flags))
        return (void)(c->bad || call_bad_arg(c, NULL, "expected (fd, msghdr, flags)"));
    if (h.flags_given && h.flags != 0)
        return (void)call_bad_arg(c, c->sc->args[1], "sendmsg ignores msg_flags (write 0):");
    uint8_t *buf = c->r->io; /* the runner's scratch (receives use it, sends do not) */
    long clen = h.control ? cmsg_build(c, h.control, buf, MSG_CONTROL_MAX) : 0;
    if (clen < 0)
        return;
    if (!c->retry && (flags & MSG_FASTOPEN_LINUX)) /* it connects */
        c->r->map.remote_port = c->r->connect_port;
    if (c->r->ops->sock_sendmsg) {
        struct target_msg m = {.name_given = true, .addr = call_socket_addr(c->r, c->r->remote),
                               .port = c->r->connect_port, .len = h.len,
                               .control = buf, .controllen = (size_t)clen};
        return send_msg(c, sd, fd, &m, (int)flags);
    }
    const char *what = (flags & MSG_FASTOPEN_LINUX) ? "MSG_FASTOPEN (TCP Fast Open)"
                       : clen ? "control messages (msg_control)" : NULL;
    if (what) {
        run_skip(c->r, c->ev, "unsupported on this target: %s", what);
        c->bad = true;
        return;
    }
    call_send_bytes(c, sd, fd, h.len, (int)flags, 2);
}

/* ---- recvmsg ---- */

struct recvmsg_check {
    struct msghdr_spec want;
    int msg_flags;
    size_t controllen;
    uint8_t control[MSG_CONTROL_MAX];
    uint8_t expected[MSG_CONTROL_MAX];
};

static void cmsg_fail(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cmsg_fail(struct call *c, const char *fmt, ...)
{
    char msg[300], exp[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    script_syscall_format(c->sc, exp, sizeof exp);
    int64_t now = run_now(c->r);
    run_fail(c->r, c->ev, "cmsg", exp, msg, now, now, "recvmsg: %s", msg);
}

/* packetdrill's comparison of a timestamp: an expected time of 0 is not
 * checked; another is script time, compared within the tolerance with the
 * kernel's CLOCK_REALTIME stamp. */
static bool stamps_match(struct call *c, const struct timespec *want, const struct timespec *got,
                         int i)
{
    for (int k = 0; k < 3; k++) {
        if (!want[k].tv_sec && !want[k].tv_nsec)
            continue;
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t real_now = now.tv_sec * 1000000LL + now.tv_nsec / 1000;
        int64_t zero = real_now - (run_now(c->r) - c->r->epoch); /* script time 0 */
        int64_t exp = zero + want[k].tv_sec * 1000000LL + want[k].tv_nsec / 1000;
        int64_t act = got[k].tv_sec * 1000000LL + got[k].tv_nsec / 1000;
        if (act < exp - c->r->tolerance || act > exp + c->r->tolerance) {
            cmsg_fail(c, "timestamp %d of cmsg %d: expected %.6f s, got %.6f s", k, i,
                      (exp - zero) / 1e6, (act - zero) / 1e6);
            return false;
        }
    }
    return true;
}

static bool cmsg_data_match(struct call *c, const struct cmsghdr *e, const struct cmsghdr *a,
                            int i)
{
    size_t n = e->cmsg_len - CMSG_LEN(0);
    const uint8_t *ed = CMSG_DATA(e), *ad = CMSG_DATA(a);
    if ((e->cmsg_level == IPPROTO_IP && e->cmsg_type == IP_RECVERR) ||
        (e->cmsg_level == IPPROTO_IPV6 && e->cmsg_type == IPV6_RECVERR)) {
        struct sock_extended_err x, y;
        memcpy(&x, ed, sizeof x);
        memcpy(&y, ad, sizeof y);
        if (x.ee_errno != y.ee_errno || x.ee_origin != y.ee_origin || x.ee_type != y.ee_type ||
            x.ee_code != y.ee_code || x.ee_info != y.ee_info || x.ee_data != y.ee_data) {
            cmsg_fail(c, "extended error of cmsg %d: expected errno %u origin %u type %u code %u "
                      "info %u data %u, got errno %u origin %u type %u code %u info %u data %u",
                      i, x.ee_errno, x.ee_origin, x.ee_type, x.ee_code, x.ee_info, x.ee_data,
                      y.ee_errno, y.ee_origin, y.ee_type, y.ee_code, y.ee_info, y.ee_data);
            return false;
        }
        return true;
    }
    if (e->cmsg_level == SOL_SOCKET && e->cmsg_type == SCM_TIMESTAMPING) {
        struct timespec w[3], g[3];
        memcpy(w, ed, sizeof w);
        memcpy(g, ad, sizeof g);
        return stamps_match(c, w, g, i);
    }
    if (memcmp(ed, ad, n) != 0) {
        int x = 0, y = 0;
        memcpy(&x, ed, n < sizeof x ? n : sizeof x);
        memcpy(&y, ad, n < sizeof y ? n : sizeof y);
        cmsg_fail(c, "data of cmsg %d: expected %d, got %d", i, x, y);
        return false;
    }
    return true;
}

/* The control messages that came against those the script expects: level,
 * type, length, data, in order (packetdrill's cmsg_expect_eq). */
static void cmsg_compare(struct call *c, struct recvmsg_check *k, size_t elen)
{
    struct msghdr e = {.msg_control = k->expected, .msg_controllen = elen};
    struct msghdr a = {.msg_control = k->control, .msg_controllen = k->controllen};
    struct cmsghdr *ec = elen ? CMSG_FIRSTHDR(&e) : NULL;
    struct cmsghdr *ac = k->controllen ? CMSG_FIRSTHDR(&a) : NULL;
    int i = 0;
    for (; ec && ac; ec = CMSG_NXTHDR(&e, ec), ac = CMSG_NXTHDR(&a, ac), i++) {
        if (ec->cmsg_level != ac->cmsg_level || ec->cmsg_type != ac->cmsg_type ||
            ec->cmsg_len != ac->cmsg_len)
            return cmsg_fail(c, "cmsg %d: expected level %d type %d length %zu, got level %d "
                             "type %d length %zu", i, ec->cmsg_level, ec->cmsg_type,
                             (size_t)ec->cmsg_len, ac->cmsg_level, ac->cmsg_type,
                             (size_t)ac->cmsg_len);
        if (!cmsg_data_match(c, ec, ac, i))
            return;
    }
    if (ac)
        cmsg_fail(c, "received more than the %d control messages expected", i);
    else if (ec)
        cmsg_fail(c, "received only %d control messages, more expected", i);
}

static void recvmsg_after(struct call *c)
{
    struct recvmsg_check *k = c->ctx;
    if (k->want.flags_given && k->msg_flags != (int)k->want.flags) {
        char exp[400], act[64];
        script_syscall_format(c->sc, exp, sizeof exp);
        snprintf(act, sizeof act, "msg_flags=0x%x", k->msg_flags);
        int64_t now = run_now(c->r);
        run_fail(c->r, c->ev, "msg_flags", exp, act, now, now,
                 "recvmsg: msg_flags expected 0x%llx, got 0x%x",
                 (unsigned long long)k->want.flags, k->msg_flags);
        return;
    }
    long elen = k->want.control ? cmsg_build(c, k->want.control, k->expected,
                                             sizeof k->expected) : 0;
    if (elen >= 0)
        cmsg_compare(c, k, (size_t)elen);
}

void sys_recvmsg(struct call *c)
{
    int sd;
    int64_t fd, flags;
    struct recvmsg_check *k = calloc(1, sizeof *k);
    if (!k) {
        run_error(c->r, c->ev, "out of memory");
        c->bad = true;
        return;
    }
    c->ctx = k;
    c->after = recvmsg_after;
    if (!call_arg_fd(c, 0, &sd, &fd) || c->sc->arg_count < 3 ||
        !msghdr_of(c, c->sc->args[1], &k->want) || !call_arg_int(c, 2, &flags))
        return (void)(c->bad || call_bad_arg(c, NULL, "expected (fd, msghdr, flags)"));
    if (!c->r->ops->sock_recvmsg) /* no control messages, and TCP sets no msg_flags */
        return call_recv_bytes(c, sd, fd, k->want.len, (int)flags, 2);
    struct target_msg m = {.len = k->want.len, .control = k->control,
                           .controllen = sizeof k->control};
    ssize_t rc = c->r->ops->sock_recvmsg(c->r->t, sd, &m, (int)flags);
    if (rc == -EAGAIN && call_blocking(c, fd) && !(flags & (MSG_ERRQUEUE | MSG_DONTWAIT))) {
        c->blocked = true;
        return;
    }
    k->msg_flags = m.msg_flags;
    k->controllen = rc >= 0 ? m.controllen : 0;
    call_result(c, (long)rc);
}

/* ---- ioctl(fd, REQUEST, [VALUE]) ---- */

void sys_ioctl(struct call *c)
{
    int sd;
    int64_t fd, req, want = 0;
    if (!call_arg_fd(c, 0, &sd, &fd) || !call_arg_int(c, 1, &req))
        return;
    bool check = c->sc->arg_count > 2 && c->sc->args[2]->kind != SCRIPT_EXPR_ELLIPSIS;
    if (check && !call_arg_int(c, 2, &want))
        return;
    char what[120], name[100] = "";
    script_expr_format(c->sc->args[1], name, sizeof name);
    snprintf(what, sizeof what, "ioctl %s", name);
    if (!c->r->ops->sock_ioctl) {
        run_skip(c->r, c->ev, "unsupported on this target: %s", what);
        c->bad = true;
        return;
    }
    int v = 0;
    int rc = c->r->ops->sock_ioctl(c->r->t, sd, (unsigned long)req, &v);
    if (call_unsupported(c, rc, ENOTTY, what))
        return;
    call_result(c, rc);
    if (rc == 0 && check && v != want) {
        char exp[400], act[64];
        script_syscall_format(c->sc, exp, sizeof exp);
        snprintf(act, sizeof act, "[%d]", v);
        int64_t now = run_now(c->r);
        run_fail(c->r, c->ev, "optval", exp, act, now, now,
                 "ioctl %s value: expected %lld, got %d", name, (long long)want, v);
        c->bad = true;
    }
}

/* ---- pipe([R, W]) and splice(in, 0, out, 0, len, flags) ---- */

void sys_pipe(struct call *c)
{
    const struct script_expr *a = c->sc->arg_count == 1 ? c->sc->args[0] : NULL;
    int64_t fd[2];
    if (!a || a->kind != SCRIPT_EXPR_ARRAY || a->count != 2 ||
        !call_eval_int(c, a->items[0], &fd[0]) || !call_eval_int(c, a->items[1], &fd[1]))
        return (void)(c->bad || call_bad_arg(c, a, "expected pipe([READ_FD, WRITE_FD]), got"));
    if (!c->r->ops->pipe) {
        run_skip(c->r, c->ev, "unsupported on this target: pipe()");
        c->bad = true;
        return;
    }
    for (int i = 0; i < 2; i++)
        if (fd[i] < 0 || fd[i] >= RUN_MAX_FDS || c->r->fd_map[fd[i]] != -1)
            return (void)call_bad_arg(c, a->items[i], "fd in use or out of range:");
    int ends[2];
    int rc = c->r->ops->pipe(c->r->t, ends);
    if (rc == 0)
        for (int i = 0; i < 2; i++) {
            c->r->fd_map[fd[i]] = ends[i];
            c->r->fd_nonblock[fd[i]] = false;
            c->r->fd_listening[fd[i]] = false;
        }
    call_result(c, rc);
}

void sys_splice(struct call *c)
{
    int in, out;
    int64_t fin, fout, off_in, off_out, len, flags;
    if (!call_arg_fd(c, 0, &in, &fin) || !call_arg_int(c, 1, &off_in) ||
        !call_arg_fd(c, 2, &out, &fout) || !call_arg_int(c, 3, &off_out) ||
        !call_arg_int(c, 4, &len) || !call_arg_int(c, 5, &flags))
        return;
    if (off_in || off_out) /* packetdrill passes them as pointers: only NULL means anything */
        return (void)call_bad_arg(c, c->sc->args[off_in ? 1 : 3], "offsets other than 0:");
    if (!c->r->ops->splice) {
        run_skip(c->r, c->ev, "unsupported on this target: splice()");
        c->bad = true;
        return;
    }
    ssize_t rc = c->r->ops->splice(c->r->t, in, out, len < 0 ? 0 : (size_t)len, (unsigned)flags);
    if (rc == -EAGAIN && call_blocking(c, fin) && !(flags & 2 /* SPLICE_F_NONBLOCK */)) {
        c->blocked = true;
        return;
    }
    call_result(c, (long)rc);
}

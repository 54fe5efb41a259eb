/* The BSD-like socket API (synack/socket.h) over the TCP user calls.
 * It owns socket handles, binding and options; connection state is the
 * TCB's. Every error is a negative errno with its BSD meaning. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <synack/socket.h>

#include "core/stack_internal.h"
#include "socket/sock.h"
#include "util/mutant.h"

/* Every socket goes (their TCBs are TCP's to free). keep
 * (synack_stack_reset): the table stays, empty, for max_sockets handles. */
static void sockets_free(struct synack_stack *s, bool keep)
{
    struct sock_table *tb = s->sockets;
    if (!tb)
        return;
    if (keep) {
        for (uint32_t i = 0; i < tb->n; i++)
            if (tb->v[i].kind != SK_FREE && tb->v[i].bound)
                tb->ports[tb->v[i].lport] = (struct port_use){0};
        uint32_t n = s->cfg.max_sockets;
        if (n != tb->n) {
            free(tb->v);
            free(tb->used);
            free(tb->watched);
            tb->watched = NULL;
            tb->v = calloc(n, sizeof *tb->v);
            tb->used = calloc((n + 63) / 64, sizeof *tb->used);
            tb->n = n;
        } else {
            memset(tb->v, 0, n * sizeof *tb->v);
            memset(tb->used, 0, (n + 63) / 64 * sizeof *tb->used);
        }
        tb->nwatched = 0;
        tb->rhead = tb->rtail = -1;
        tb->hint = 0;
        if (tb->v && tb->used)
            return;
    }
    free(tb->watched);
    free(tb->v);
    free(tb->used);
    free(tb->ports);
    free(tb);
    s->sockets = NULL;
}

static struct sock_table *table(struct synack_stack *s)
{
    if (s->sockets)
        return s->sockets;
    struct sock_table *tb = calloc(1, sizeof *tb);
    if (!tb)
        return NULL;
    tb->v = calloc(s->cfg.max_sockets, sizeof *tb->v);
    tb->used = calloc((s->cfg.max_sockets + 63) / 64, sizeof *tb->used);
    tb->ports = calloc(65536, sizeof *tb->ports);
    if (!tb->v || !tb->used || !tb->ports) {
        free(tb->v);
        free(tb->used);
        free(tb->ports);
        free(tb);
        return NULL;
    }
    tb->n = s->cfg.max_sockets;
    tb->rhead = tb->rtail = -1;
    s->sockets = tb;
    s->sockets_free = sockets_free;
    return tb;
}

struct sock *sock_lookup(struct synack_stack *s, int sd)
{
    if (!s || !s->sockets || sd < 0 || (uint32_t)sd >= s->sockets->n)
        return NULL;
    struct sock *sk = &s->sockets->v[sd];
    return sk->kind == SK_FREE ? NULL : sk;
}

void sock_port_account(struct synack_stack *s, const struct sock *sk, int dir)
{
    if (!sk->bound)
        return;
    struct port_use *u = &s->sockets->ports[sk->lport];
    uint32_t d = (uint32_t)dir; /* +1 or -1, modulo 2^32 */
    u->bound += d;
    u->noreuse += sk->reuseaddr ? 0 : d;
    u->listen += sk->kind == SK_LISTEN ? d : 0;
    u->explicit += sk->explicit ? d : 0;
}

/* The lowest free handle, like file descriptors: a bit per handle, 64 at
 * a time from the lowest word that may have one free. */
static int handle_take(struct sock_table *tb)
{
    uint32_t words = (tb->n + 63) / 64;
    for (uint32_t w = tb->hint; w < words; w++) {
        if (tb->used[w] == UINT64_MAX)
            continue;
        uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(~tb->used[w]);
        if (i >= tb->n)
            break;
        tb->used[w] |= 1ull << (i % 64);
        tb->hint = w;
        return (int)i;
    }
    tb->hint = words;
    return -EMFILE;
}

static void handle_give_back(struct sock_table *tb, uint32_t i)
{
    tb->used[i / 64] &= ~(1ull << (i % 64));
    if (i / 64 < tb->hint)
        tb->hint = i / 64;
}

static int sock_alloc(struct synack_stack *s, uint16_t family)
{
    struct sock_table *tb = table(s);
    if (!tb)
        return -ENOMEM;
    int i = handle_take(tb);
    if (i >= 0) {
        struct sock *sk = &tb->v[i];
        memset(sk, 0, sizeof *sk);
        sk->kind = SK_OPEN;
        sk->family = family;
        sk->laddr = synack_addr_any(family);
        sk->sndbuf = s->cfg.sndbuf;
        sk->rcvbuf = s->cfg.rcvbuf;
        sk->keep_idle = s->cfg.keepalive_idle;
        sk->keep_intvl = s->cfg.keepalive_intvl;
        sk->keep_cnt = s->cfg.keepalive_cnt;
        if (MUTANT(keepalive_on_by_default))
            sk->flags |= TF_KEEPALIVE;
        sk->ttl = s->cfg.ttl;
        sk->ext = tcp_ext_from_config(&s->cfg);
        sk->recovery = s->cfg.recovery;
        sk->congestion = s->cfg.congestion;
        sk->tfo_mode = s->cfg.fastopen;
        if (s->cfg.icmp_hard_abort)
            sk->flags |= TF_ICMP_HARD_ABORT;
        sk->mtu_probing = s->cfg.mtu_probing;
    }
    return i;
}

int synack_socket_family(struct synack_stack *s, int family)
{
    if (!s)
        return -EINVAL;
    if (family != SYNACK_AF_INET && family != SYNACK_AF_INET6)
        return -EAFNOSUPPORT;
    return sock_alloc(s, (uint16_t)family);
}

int synack_socket(struct synack_stack *s)
{
    return synack_socket_family(s, SYNACK_AF_INET);
}

/* ---- addresses ---- */

/* An address the user gives a socket, as the stack holds it: an AF_INET6
 * socket's IPv4-mapped address is IPv4 (RFC 3493 3.7), unless
 * IPV6_V6ONLY. */
static int addr_in(const struct sock *sk, const struct synack_addr *a, struct synack_addr *out)
{
    if (!a)
        return -EFAULT;
    if (a->family != sk->family)
        return -EAFNOSUPPORT;
    *out = synack_addr_unmap(*a);
    if (out->family != sk->family && sk->v6only)
        return -EAFNOSUPPORT;
    return 0;
}

/* An address the stack reports to a socket: IPv4-mapped for an AF_INET6
 * socket (RFC 3493 3.7). */
static void addr_out(const struct sock *sk, const struct synack_addr *a, struct synack_addr *out)
{
    if (!out)
        return;
    *out = *a;
    if (out->family == SYNACK_AF_INET && sk->family == SYNACK_AF_INET6)
        out->family = SYNACK_AF_INET6;
}

/* MUST-44: the source IP selects for a connection to raddr (RFC 1122
 * 3.3.4.3 (A): ours on the peer's subnet, else our first); false when the
 * stack has no address of raddr's family. */
static bool source_addr(const struct synack_stack *s, const struct synack_addr *raddr,
                        struct synack_addr *out)
{
    static const uint8_t none[16];
    if (raddr->family == SYNACK_AF_INET) {
        uint32_t r = synack_addr_v4(raddr);
        *out = synack_addr_from_v4(MUT(source_not_selected, s->host.addr[0],
                                       ip_select_src(&s->host, r)));
        return true;
    }
    *out = synack_addr_from_v6(MUT(source_not_selected, s->host6.addr[0],
                                   ip6_select_src(&s->host6, raddr->a)));
    return memcmp(s->cfg.addr6, none, 16) != 0;
}

static bool is_local(const struct synack_stack *s, const struct synack_addr *a)
{
    if (a->family == SYNACK_AF_INET)
        return ip_is_ours(&s->host, synack_addr_v4(a));
    return ip6_is_ours(&s->host6, a->a);
}

/* ---- binding ---- */

/* Would (laddr, port) clash with another socket or a TCB? With
 * SO_REUSEADDR on both, only a listener clashes (as in BSD and Linux).
 * Ports are counted per stack, not per address: every socket on the port
 * overlaps, whichever of the stack's addresses it is bound to. */
static bool port_taken(struct synack_stack *s, const struct sock *me,
                       const struct synack_addr *laddr, uint16_t port)
{
    const struct port_use *u = &s->sockets->ports[port]; /* me is not bound yet */
    if (me->reuseaddr ? (u->noreuse || u->listen) : u->bound)
        return true;
    return tcp_port_in_use(&s->tcp, laddr, port, me->reuseaddr);
}

struct port_probe {
    struct synack_stack *s;
    const struct sock *me;
    const struct synack_addr *laddr;
};

/* A port for connect(): not one a socket has bound explicitly or a
 * listener uses; the same port to other peers is fine (tcp_ephemeral_port
 * keeps the 4-tuple unique). */
static bool ephemeral_taken(void *ctx, uint16_t port)
{
    struct port_probe *p = ctx;
    if (p->s->sockets->ports[port].explicit)
        return true;
    return tcp_port_in_use(&p->s->tcp, p->laddr, port, true);
}

/* bind() of a checked, unmapped address. */
static int sock_bind(struct synack_stack *s, struct sock *sk, const struct synack_addr *addr,
                     uint16_t port)
{
    if (sk->bound || sk->kind != SK_OPEN)
        return -EINVAL;
    if (!synack_addr_is_any(addr) && !is_local(s, addr))
        return -EADDRNOTAVAIL;
    if (port == 0) {
        struct port_probe p = {s, sk, addr};
        struct synack_addr none = synack_addr_any(addr->family);
        int r = tcp_ephemeral_port(&s->tcp, addr, &none, 0, ephemeral_taken, &p);
        if (r < 0)
            return r;
        port = (uint16_t)r;
    } else if (port_taken(s, sk, addr, port)) {
        return -EADDRINUSE;
    }
    sk->bound = true;
    sk->explicit = true;
    sk->laddr = *addr;
    sk->lport = port;
    sock_port_account(s, sk, +1);
    return 0;
}

int synack_socket_bind_addr(struct synack_stack *s, int sd, const struct synack_addr *addr,
                            uint16_t port)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    struct synack_addr a;
    int r = addr_in(sk, addr, &a);
    return r < 0 ? r : sock_bind(s, sk, &a, port);
}

int synack_socket_bind(struct synack_stack *s, int sd, uint32_t addr, uint16_t port)
{
    struct synack_addr a = synack_addr_from_v4(addr);
    return synack_socket_bind_addr(s, sd, &a, port);
}

static struct tcp_open_params open_params(const struct synack_stack *s, const struct sock *sk)
{
    return (struct tcp_open_params){
        .laddr = sk->laddr,
        .lport = sk->lport,
        .sndbuf = sk->sndbuf,
        .rcvbuf = sk->rcvbuf,
        .rcv_wscale_min = sk->rcvbuf_set ? 0 : tcp_wscale_for(s->cfg.rcvbuf_max),
        .user_mss = sk->user_mss,
        /* no SO_RCVBUF: the buffer grows as needed up to rcvbuf_max */
        .flags = sk->flags | (!sk->rcvbuf_set && s->cfg.rcvbuf_max > sk->rcvbuf ? TF_RCVBUF_AUTO : 0),
        .ext = sk->ext,
        .recovery = sk->recovery,
        .congestion = sk->congestion,
        .tfo_mode = sk->tfo_mode,
        .tfo_connect = sk->tfo_connect,
        .keep_idle = sk->keep_idle,
        .keep_intvl = sk->keep_intvl,
        .keep_cnt = sk->keep_cnt,
        .user_timeout = sk->user_timeout,
        .tos = sk->tos,
        .ttl = sk->ttl,
        .pmtudisc = sk->pmtudisc,
        .mtu_probing = sk->mtu_probing,
        .v6only = sk->v6only,
    };
}

int synack_socket_listen(struct synack_stack *s, int sd, int backlog)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (backlog < 1)
        backlog = 1;
    if ((uint32_t)backlog > s->cfg.backlog_max)
        backlog = (int)s->cfg.backlog_max;
    if (sk->kind == SK_LISTEN) {
        sk->tcb->lst->backlog = (uint32_t)backlog;
        return 0;
    }
    if (sk->kind != SK_OPEN)
        return -EINVAL;
    if (!sk->bound) {
        struct synack_addr any = synack_addr_any(sk->family);
        int r = sock_bind(s, sk, &any, 0);
        if (r < 0)
            return r;
    }
    if (tcp_port_in_use(&s->tcp, &sk->laddr, sk->lport, true))
        return -EADDRINUSE;
    struct tcp_open_params p = open_params(s, sk); /* a wildcard listen stays wildcard */
    p.backlog = (uint32_t)backlog;
    int r = tcp_open_passive(&s->tcp, &p, &sk->tcb);
    if (r < 0)
        return r;
    tcp_tfo_configure(sk->tcb, sk->tfo_mode, sk->tfo_qlen, sk->tfo_key_set ? sk->tfo_key : NULL);
    sock_port_account(s, sk, -1);
    sk->kind = SK_LISTEN;
    sock_port_account(s, sk, +1);
    sock_tcb_changed(s, sd);
    return 0;
}

int synack_socket_accept_addr(struct synack_stack *s, int sd, struct synack_addr *raddr,
                              uint16_t *rport)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind != SK_LISTEN)
        return -EINVAL;
    if (!sk->tcb->lst->acceptq_head)
        return -EAGAIN;
    int nsd = sock_alloc(s, sk->family);
    if (nsd < 0)
        return nsd;
    sk = &s->sockets->v[sd]; /* (the table does not move, but be exact) */
    struct sock *nk = &s->sockets->v[nsd];
    struct tcb *c = tcp_accept(&s->tcp, sk->tcb);
    *nk = *sk; /* options are inherited; the listener's watch is not */
    nk->watch = nk->reported = 0;
    nk->queued = false;
    nk->user = NULL;
    nk->kind = SK_CONN;
    nk->bound = true;
    nk->explicit = false;
    nk->laddr = c->laddr;
    nk->lport = c->lport;
    nk->tcb = c;
    sock_port_account(s, nk, +1);
    addr_out(nk, &c->raddr, raddr);
    if (rport)
        *rport = c->rport;
    sock_rearm(s, sd);
    return nsd;
}

int synack_socket_accept(struct synack_stack *s, int sd, uint32_t *raddr, uint16_t *rport)
{
    struct synack_addr a;
    int r = synack_socket_accept_addr(s, sd, &a, rport);
    if (r >= 0 && raddr)
        *raddr = synack_addr_v4(&a);
    return r;
}

/* ---- connect ---- */

static bool remote_addr_valid(const struct synack_stack *s, const struct synack_addr *a)
{
    /* MUST-46: an OPEN to a broadcast or multicast address is an error. */
    if (MUTANT(connect_to_broadcast))
        return !synack_addr_is_any(a);
    if (a->family == SYNACK_AF_INET6) {
        static const uint8_t loopback[16] = {[15] = 1};
        return !synack_addr_is_any(a) && !ip6_is_multicast(a->a) &&
               memcmp(a->a, loopback, 16) != 0;
    }
    uint32_t addr = synack_addr_v4(a);
    return addr != 0 && ip_classify_dst(&s->host, addr) != IP_DST_BROADCAST &&
           !ip_is_multicast(addr) && (addr >> 24) != 127;
}

/* connect() on a socket that already has a connection. */
static int connect_again(struct synack_stack *s, struct sock *sk, uint64_t now)
{
    struct tcb *tcb = sk->tcb;
    switch (tcb->state) {
    case SYNACK_SYN_SENT:
    case SYNACK_SYN_RECEIVED:
        return -EALREADY;
    case SYNACK_CLOSED: {
        int e = tcp_take_error(tcb);
        if (!e)
            return (tcb->flags & TF_CONNECTED) ? -EISCONN : -ECONNABORTED;
        tcp_watch(tcb, -1);
        tcp_release(&s->tcp, tcb, now); /* the attempt failed: start afresh next time */
        sk->tcb = NULL;
        sk->kind = SK_OPEN;
        sock_tcb_changed(s, (int)(sk - s->sockets->v));
        return e;
    }
    default:
        return -EISCONN;
    }
}

int synack_socket_connect_addr(struct synack_stack *s, int sd, const struct synack_addr *raddr,
                               uint16_t port, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind == SK_LISTEN)
        return -EISCONN;
    if (sk->kind == SK_CONN)
        return connect_again(s, sk, now);
    struct synack_addr addr, laddr;
    int e = addr_in(sk, raddr, &addr);
    if (e < 0)
        return e;
    if (!remote_addr_valid(s, &addr))
        return -ENETUNREACH;
    if (port == 0)
        return -EADDRNOTAVAIL;
    if (synack_addr_is_any(&sk->laddr) || MUTANT(open_local_addr_ignored)) { /* MUST-44 */
        if (!source_addr(s, &addr, &laddr))
            return -ENETUNREACH; /* no address of the peer's family */
    } else if (sk->laddr.family != addr.family) {
        return -ENETUNREACH; /* bound to an address of the other family */
    } else {
        laddr = sk->laddr;
    }
    uint16_t lport = sk->lport;
    if (!sk->bound) {
        struct port_probe p = {s, sk, &laddr};
        int r = tcp_ephemeral_port(&s->tcp, &laddr, &addr, port, ephemeral_taken, &p);
        if (r < 0)
            return r;
        lport = (uint16_t)r;
    } else if (tcp_conn_exists(&s->tcp, &laddr, lport, &addr, port)) {
        return -EADDRINUSE; /* that exact connection exists (e.g. in TIME-WAIT) */
    }
    struct tcp_open_params p = open_params(s, sk);
    p.laddr = laddr;
    p.lport = lport;
    p.raddr = addr;
    p.rport = port;
    int r = tcp_open_active(&s->tcp, &p, &sk->tcb, now);
    if (r < 0)
        return r;
    if (!sk->bound) {
        sk->bound = true;
        sk->laddr = laddr;
        sk->lport = lport;
        sock_port_account(s, sk, +1);
    }
    sk->kind = SK_CONN;
    /* TCP_FASTOPEN_CONNECT (RFC 7413, as Linux): 0 at once; the SYN goes
     * with the first send */
    sock_tcb_changed(s, sd);
    return tcp_tfo_deferred(sk->tcb) ? 0 : -EINPROGRESS;
}

int synack_socket_connect(struct synack_stack *s, int sd, uint32_t addr, uint16_t port,
                          uint64_t now)
{
    struct synack_addr a = synack_addr_from_v4(addr);
    return synack_socket_connect_addr(s, sd, &a, port, now);
}

/* ---- data ---- */

ssize_t synack_socket_send(struct synack_stack *s, int sd, const void *buf, size_t len,
                           int flags, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind != SK_CONN)
        return -ENOTCONN; /* never connected (POSIX send: ENOTCONN, as BSD) */
    if (!buf && len)
        return -EFAULT;
    if (flags & ~(SYNACK_MSG_OOB | SYNACK_MSG_DONTWAIT | SYNACK_MSG_NOSIGNAL))
        return -EOPNOTSUPP;
    ssize_t n = tcp_send(&s->tcp, sk->tcb, buf, len, (flags & SYNACK_MSG_OOB) != 0, now);
    sock_rearm(s, sd);
    return n;
}

ssize_t synack_socket_recv(struct synack_stack *s, int sd, void *buf, size_t len, int flags,
                           uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind != SK_CONN)
        return -ENOTCONN;
    if (!buf && len)
        return -EFAULT;
    if (flags & SYNACK_MSG_OOB)
        return -EINVAL; /* urgent data is delivered inline (RFC 6093) */
    if (flags & ~(SYNACK_MSG_PEEK | SYNACK_MSG_DONTWAIT | SYNACK_MSG_NOSIGNAL | SYNACK_MSG_POST))
        return -EOPNOTSUPP;
    if ((flags & SYNACK_MSG_POST) && (flags & SYNACK_MSG_PEEK))
        return -EINVAL;
    ssize_t n = tcp_receive(&s->tcp, sk->tcb, buf, len, (flags & SYNACK_MSG_PEEK) != 0,
                            (flags & SYNACK_MSG_POST) != 0, now);
    sock_rearm(s, sd);
    return n;
}

int synack_socket_shutdown(struct synack_stack *s, int sd, int how, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (how < SYNACK_SHUT_RD || how > SYNACK_SHUT_RDWR)
        return -EINVAL;
    if (sk->kind != SK_CONN)
        return -ENOTCONN;
    if (sk->tcb->state == SYNACK_CLOSED && !(sk->tcb->flags & TF_CONNECTED))
        return -ENOTCONN;
    if (how != SYNACK_SHUT_WR)
        tcp_shutdown_read(&s->tcp, sk->tcb);
    int r = how != SYNACK_SHUT_RD ? tcp_close(&s->tcp, sk->tcb, now) : 0;
    sock_rearm(s, sd);
    return r;
}

static void sock_release(struct synack_stack *s, struct sock *sk, uint64_t now)
{
    sock_unwatch(s, (int)(sk - s->sockets->v));
    if (sk->tcb)
        tcp_release(&s->tcp, sk->tcb, now);
    sock_port_account(s, sk, -1);
    handle_give_back(s->sockets, (uint32_t)(sk - s->sockets->v));
    memset(sk, 0, sizeof *sk);
}

int synack_socket_close(struct synack_stack *s, int sd, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind == SK_LISTEN) {
        tcp_abort(&s->tcp, sk->tcb, now);
    } else if (sk->kind == SK_CONN && sk->tcb->state != SYNACK_CLOSED) {
        /* SO_LINGER 0 aborts; so does unread data (SHLD-3: a RST shows it was lost). */
        if ((sk->flags & TF_LINGER0) || (sk->tcb->rb.used > 0 && !MUTANT(close_unread_fin)))
            tcp_abort(&s->tcp, sk->tcb, now);
        else
            tcp_close(&s->tcp, sk->tcb, now);
    }
    sock_release(s, sk, now);
    return 0;
}

int synack_socket_abort(struct synack_stack *s, int sd, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->tcb && sk->tcb->state != SYNACK_CLOSED)
        tcp_abort(&s->tcp, sk->tcb, now);
    sock_release(s, sk, now);
    return 0;
}

int synack_socket_events(struct synack_stack *s, int sd)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return SYNACK_POLLERR; /* like POLLNVAL: nothing to wait for */
    if (!sk->tcb)
        return SYNACK_POLLHUP | SYNACK_POLLOUT;
    return tcp_events(sk->tcb);
}

int synack_stack_usage(struct synack_stack *s, struct synack_stack_usage *u)
{
    if (!s || !u)
        return -EINVAL;
    memset(u, 0, sizeof *u);
    tcp_usage(&s->tcp, u);
    const struct sock_table *tb = s->sockets;
    for (uint32_t w = 0; tb && w < (tb->n + 63) / 64; w++)
        u->sockets += (uint32_t)__builtin_popcountll(tb->used[w]);
    u->watched = tb ? tb->nwatched : 0;
    return 0;
}

int synack_socket_status(struct synack_stack *s, int sd, struct synack_tcp_info *info)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (!info)
        return -EFAULT;
    if (!sk->tcb) {
        memset(info, 0, sizeof *info);
        info->state = SYNACK_CLOSED;
        return 0;
    }
    tcp_status(&s->tcp, sk->tcb, info);
    return 0;
}

int synack_socket_name_addr(struct synack_stack *s, int sd, struct synack_addr *addr,
                            uint16_t *port)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    addr_out(sk, sk->tcb ? &sk->tcb->laddr : &sk->laddr, addr);
    if (port)
        *port = sk->lport;
    return 0;
}

int synack_socket_peer_addr(struct synack_stack *s, int sd, struct synack_addr *addr,
                            uint16_t *port)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    if (sk->kind != SK_CONN)
        return -ENOTCONN;
    addr_out(sk, &sk->tcb->raddr, addr);
    if (port)
        *port = sk->tcb->rport;
    return 0;
}

int synack_socket_name(struct synack_stack *s, int sd, uint32_t *addr, uint16_t *port)
{
    struct synack_addr a;
    int r = synack_socket_name_addr(s, sd, &a, port);
    if (r == 0 && addr)
        *addr = a.family == SYNACK_AF_INET ? synack_addr_v4(&a) : 0;
    return r;
}

int synack_socket_peer(struct synack_stack *s, int sd, uint32_t *addr, uint16_t *port)
{
    struct synack_addr a;
    int r = synack_socket_peer_addr(s, sd, &a, port);
    if (r == 0 && addr)
        *addr = a.family == SYNACK_AF_INET ? synack_addr_v4(&a) : 0;
    return r;
}

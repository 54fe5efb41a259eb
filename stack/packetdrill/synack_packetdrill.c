/* libsynack-packetdrill.so: synack behind packetdrill's SO-testing
 * interface, so that `packetdrill --so_filename=libsynack-packetdrill.so
 * script.pkt` runs a script against synack instead of the kernel.
 *
 * packetdrill's datagrams go straight into the stack (netdev_send) and
 * what the stack sends is queued for netdev_receive; the socket calls map
 * onto the synack_ API with libc conventions (-1 and errno, blocking
 * unless O_NONBLOCK or MSG_DONTWAIT). Socket numbers are real file
 * descriptors (a memfd each), because packetdrill close(2)s the sockets a
 * script leaves open. One lock guards the stack; packetdrill calls from
 * two threads (its main thread and its blocking-syscall thread).
 *
 * Time is real by default: a thread runs the stack's timers on
 * CLOCK_MONOTONIC, and gettimeofday and usleep are that same clock. With
 * clock=virtual (synack's so: target) there is no thread: usleep moves
 * the stack's clock from deadline to deadline and returns as soon as the
 * stack has sent something, and netdev_receive returns at once.
 *
 * Flags (--so_flags, comma or space separated):
 *   addr=A          synack's address: give packetdrill --local_ip=A (192.0.2.1)
 *   more_addr=A/LEN another IPv4 address of synack, on a /LEN subnet (a
 *                   multihomed host: synack's harness gives it with --primary_ip)
 *   mtu=N           (1500); packetdrill's --mtu does not reach an object
 *   seed=N          the stack's RNG seed (1)
 *   clock=real|virtual  (real)
 *   idle_timeout=S  netdev_receive gives up after S s when the stack has no
 *                   timer pending that sends (2): an expected packet that
 *                   cannot come
 *   max_wait=S      ... and after S s in any case (600)
 *   verbose         say what the shim does, on stderr
 */
#define _GNU_SOURCE
/* before <netinet/tcp.h>, whose TCPOPT_ macros would clash with its enum */
#include <synack/wire.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <synack/socket.h>
#include <synack/stack.h>

#include "packetdrill/packetdrill_so.h"
#include "packetdrill/pdso_enosys.h"
#include "packetdrill/pdso_fds.h"

#define EXPORT __attribute__((visibility("default")))
#define QUEUE_MAX 4096
#define MAX_WILD 16         /* peers that addressed a bound-only socket as 0.0.0.0 */

struct outpkt {
    long long when;         /* gettimeofday clock, microseconds */
    size_t len;
    uint8_t *data;
};

struct peer {
    uint32_t addr;
    uint16_t port;
};

struct shim {
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* the stack's state changed: packets, readiness, deadline */
    pthread_t timer;
    bool timer_running, stop;
    bool virtual_clock;
    uint64_t vnow;          /* the virtual clock, microseconds */
    struct synack_stack *s;
    uint32_t addr;
    uint64_t epoch;         /* realtime - monotonic, microseconds */
    double idle_timeout, max_wait;
    int verbose;
    bool warned_addr;
    struct pdso_fds fds;    /* synack socket numbers <-> real descriptors */
    bool nonblock[PDSO_FDS_MAX];
    struct peer wild[MAX_WILD];
    size_t nwild;
    struct outpkt q[QUEUE_MAX];
    size_t qhead, qcount;
    uint64_t qdropped;
};

/* ---- clock ---- */

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The time the stack is given: the virtual clock, or the real one. */
static uint64_t stack_now(const struct shim *sh)
{
    return sh->virtual_clock ? sh->vnow : mono_us();
}

static void abs_timespec(uint64_t mono_deadline, struct timespec *ts)
{
    ts->tv_sec = (time_t)(mono_deadline / 1000000u);
    ts->tv_nsec = (long)(mono_deadline % 1000000u) * 1000;
}

/* Wait on the condition until something changes or the deadline. */
static void wait_until(struct shim *sh, uint64_t deadline)
{
    if (deadline == SYNACK_TIME_NEVER) {
        pthread_cond_wait(&sh->cv, &sh->mu);
        return;
    }
    struct timespec ts;
    abs_timespec(deadline, &ts);
    pthread_cond_timedwait(&sh->cv, &sh->mu, &ts);
}

static void *timer_main(void *arg)
{
    struct shim *sh = arg;
    pthread_mutex_lock(&sh->mu);
    while (!sh->stop) {
        uint64_t now = mono_us();
        uint64_t d = synack_stack_deadline(sh->s);
        if (d <= now) {
            synack_stack_poll(sh->s, now);
            pthread_cond_broadcast(&sh->cv);
            continue;
        }
        uint64_t cap = now + SYNACK_SEC;
        wait_until(sh, d < cap ? d : cap);
    }
    pthread_mutex_unlock(&sh->mu);
    return NULL;
}

/* ---- the link: queue what the stack sends ---- */

/* ---- bound-only sockets: packetdrill's 0.0.0.0 ---- */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* Set the IPv4 address at off (12: source, 16: destination) of an IPv4
 * datagram, keeping the IP and the TCP or UDP checksum right (RFC 1624). */
static void set_addr(uint8_t *pkt, size_t len, size_t off, uint32_t to)
{
    uint32_t from = get32(pkt + off);
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    put16(pkt + 10, synack_cksum_update32(get16(pkt + 10), from, to));
    bool first = (get16(pkt + 6) & 0x1fff) == 0; /* the transport header is in it */
    size_t csum = pkt[9] == SYNACK_IPPROTO_TCP ? 16 : pkt[9] == SYNACK_IPPROTO_UDP ? 6 : 0;
    if (first && csum && len >= ihl + csum + 2 && !(csum == 6 && get16(pkt + ihl + 6) == 0))
        put16(pkt + ihl + csum, synack_cksum_update32(get16(pkt + ihl + csum), from, to));
    for (int i = 0; i < 4; i++)
        pkt[off + i] = (uint8_t)(to >> (24 - 8 * i));
}

static bool is_ipv4(const uint8_t *pkt, size_t len)
{
    return len >= 20 && (pkt[0] >> 4) == 4 && (size_t)(pkt[0] & 15) * 4 >= 20 &&
           (size_t)(pkt[0] & 15) * 4 <= len;
}

static uint16_t src_port(const uint8_t *pkt, size_t len)
{
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    return len >= ihl + 4 && (pkt[9] == SYNACK_IPPROTO_TCP || pkt[9] == SYNACK_IPPROTO_UDP)
               ? get16(pkt + ihl) : 0;
}

static uint16_t dst_port(const uint8_t *pkt, size_t len)
{
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    return len >= ihl + 4 && (pkt[9] == SYNACK_IPPROTO_TCP || pkt[9] == SYNACK_IPPROTO_UDP)
               ? get16(pkt + ihl + 2) : 0;
}

static bool is_wild(const struct shim *sh, uint32_t addr, uint16_t port)
{
    for (size_t i = 0; i < sh->nwild; i++)
        if (sh->wild[i].addr == addr && sh->wild[i].port == port)
            return true;
    return false;
}

/* packetdrill sends to 0.0.0.0 for a socket that is only bound (it has no
 * local address yet in packetdrill's books) and looks for the answer from
 * 0.0.0.0: take the datagram as ours and answer that peer in kind. */
static void wildcard_in(struct shim *sh, uint8_t *pkt, size_t len)
{
    uint32_t src = get32(pkt + 12);
    uint16_t port = src_port(pkt, len);
    if (!is_wild(sh, src, port) && sh->nwild < MAX_WILD)
        sh->wild[sh->nwild++] = (struct peer){src, port};
    set_addr(pkt, len, 16, sh->addr);
}

static int shim_link_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct shim *sh = ctx;
    if (sh->qcount == QUEUE_MAX) {
        sh->qdropped++;
        return -1;
    }
    struct outpkt *p = &sh->q[(sh->qhead + sh->qcount) % QUEUE_MAX];
    p->data = malloc(len ? len : 1);
    if (!p->data)
        return -1;
    memcpy(p->data, pkt, len);
    if (sh->nwild && is_ipv4(pkt, len) && is_wild(sh, get32(pkt + 16), dst_port(pkt, len)))
        set_addr(p->data, len, 12, 0);
    p->len = len;
    p->when = (long long)(now + sh->epoch);
    sh->qcount++;
    pthread_cond_broadcast(&sh->cv);
    return 0;
}

/* ---- helpers ---- */

static int fail(int e)
{
    errno = e;
    return -1;
}

/* The synack socket packetdrill knows as fd, or -1. */
static int sd_of(const struct shim *sh, int fd)
{
    return pdso_fd_sock(&sh->fds, fd);
}

/* A descriptor for the new synack socket sd, or -errno. */
static int fd_new(struct shim *sh, int sd, bool nonblock)
{
    int fd = pdso_fd_new(&sh->fds, sd);
    if (fd >= 0)
        sh->nonblock[sd] = nonblock;
    return fd;
}

static int ret_int(int rc)
{
    return rc < 0 ? fail(-rc) : rc;
}

static ssize_t ret_ssize(ssize_t rc)
{
    return rc < 0 ? fail((int)-rc) : rc;
}

static bool blocking(struct shim *sh, int sd, int flags)
{
    return !(flags & MSG_DONTWAIT) && !sh->nonblock[sd];
}

#define LOCKED(sh) for (int once_ = (pthread_mutex_lock(&(sh)->mu), 1); once_; \
                        once_ = (pthread_cond_broadcast(&(sh)->cv), pthread_mutex_unlock(&(sh)->mu), 0))

/* ---- the interface ---- */

static int pd_socket(void *u, int domain, int type, int protocol)
{
    struct shim *sh = u;
    if (domain != AF_INET)
        return fail(EAFNOSUPPORT);
    if ((type & 0xf) != SOCK_STREAM || (protocol != 0 && protocol != IPPROTO_TCP))
        return fail(EPROTONOSUPPORT);
    int rc, fd = -1;
    LOCKED(sh) {
        rc = synack_socket(sh->s);
        if (rc >= 0 && (fd = fd_new(sh, rc, (type & SOCK_NONBLOCK) != 0)) < 0) {
            synack_socket_close(sh->s, rc, stack_now(sh));
            rc = fd;
        }
    }
    return rc < 0 ? fail(-rc) : fd;
}

static bool sin_of(const struct sockaddr *a, socklen_t len, uint32_t *addr, uint16_t *port)
{
    if (!a || len < sizeof(struct sockaddr_in) || a->sa_family != AF_INET)
        return false;
    struct sockaddr_in sin;
    memcpy(&sin, a, sizeof sin);
    *addr = ntohl(sin.sin_addr.s_addr);
    *port = ntohs(sin.sin_port);
    return true;
}

static void fill_sin(struct sockaddr *a, socklen_t *len, uint32_t addr, uint16_t port)
{
    if (!a || !len)
        return;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(addr);
    sin.sin_port = htons(port);
    memcpy(a, &sin, *len < sizeof sin ? *len : sizeof sin);
    *len = sizeof sin;
}

static int pd_bind(void *u, int fd, const struct sockaddr *a, socklen_t len)
{
    struct shim *sh = u;
    uint32_t addr;
    uint16_t port;
    int sd = sd_of(sh, fd);
    if (sd < 0)
        return fail(EBADF);
    if (!sin_of(a, len, &addr, &port))
        return fail(EINVAL);
    int rc;
    LOCKED(sh) rc = synack_socket_bind(sh->s, sd, addr, port);
    return ret_int(rc);
}

static int pd_listen(void *u, int fd, int backlog)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    LOCKED(sh) rc = synack_socket_listen(sh->s, sd, backlog);
    return ret_int(rc);
}

static int pd_accept(void *u, int fd, struct sockaddr *a, socklen_t *len)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    uint32_t raddr = 0;
    uint16_t rport = 0;
    LOCKED(sh) {
        for (;;) {
            rc = synack_socket_accept(sh->s, sd, &raddr, &rport);
            if (rc != -EAGAIN || !blocking(sh, sd, 0))
                break;
            wait_until(sh, SYNACK_TIME_NEVER);
        }
        int nfd;
        if (rc >= 0 && (nfd = fd_new(sh, rc, false)) < 0) {
            synack_socket_abort(sh->s, rc, stack_now(sh));
            rc = nfd;
        } else if (rc >= 0) {
            rc = nfd;
        }
    }
    if (rc < 0)
        return fail(-rc);
    fill_sin(a, len, raddr, rport);
    return rc;
}

static int pd_connect(void *u, int fd, const struct sockaddr *a, socklen_t len)
{
    struct shim *sh = u;
    uint32_t addr;
    uint16_t port;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    if (!sin_of(a, len, &addr, &port))
        return fail(EAFNOSUPPORT);
    LOCKED(sh) {
        rc = synack_socket_connect(sh->s, sd, addr, port, stack_now(sh));
        if (rc == -EINPROGRESS && blocking(sh, sd, 0)) {
            int ev;
            while (!((ev = synack_socket_events(sh->s, sd)) & (SYNACK_POLLOUT | SYNACK_POLLERR)))
                wait_until(sh, SYNACK_TIME_NEVER);
            int err = 0;
            size_t l = sizeof err;
            synack_socket_getsockopt(sh->s, sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &l);
            rc = err ? -err : 0;
        }
    }
    return ret_int(rc);
}

static ssize_t do_recv(struct shim *sh, int fd, void *buf, size_t len, int flags)
{
    int sd = sd_of(sh, fd);
    if (sd < 0)
        return fail(EBADF);
    ssize_t rc;
    int sflags = flags & (SYNACK_MSG_PEEK | SYNACK_MSG_OOB);
    LOCKED(sh) {
        for (;;) {
            rc = synack_socket_recv(sh->s, sd, buf, len, sflags, stack_now(sh));
            if (rc != -EAGAIN || !blocking(sh, sd, flags))
                break;
            wait_until(sh, SYNACK_TIME_NEVER);
        }
    }
    return ret_ssize(rc);
}

static ssize_t do_send(struct shim *sh, int fd, const void *buf, size_t len, int flags)
{
    int sd = sd_of(sh, fd);
    if (sd < 0)
        return fail(EBADF);
    ssize_t rc = 0;
    size_t done = 0;
    int sflags = flags & SYNACK_MSG_OOB;
    LOCKED(sh) {
        for (;;) {
            rc = synack_socket_send(sh->s, sd, (const uint8_t *)buf + done, len - done, sflags,
                                    stack_now(sh));
            if (rc > 0)
                done += (size_t)rc;
            if (done == len || (rc < 0 && rc != -EAGAIN) || !blocking(sh, sd, flags))
                break;
            wait_until(sh, SYNACK_TIME_NEVER); /* a blocking write sends it all */
        }
    }
    if (done > 0)
        return (ssize_t)done;
    return ret_ssize(rc);
}

static ssize_t pd_read(void *u, int fd, void *buf, size_t n) { return do_recv(u, fd, buf, n, 0); }
static ssize_t pd_recv(void *u, int fd, void *buf, size_t n, int f) { return do_recv(u, fd, buf, n, f); }
static ssize_t pd_write(void *u, int fd, const void *buf, size_t n) { return do_send(u, fd, buf, n, 0); }
static ssize_t pd_send(void *u, int fd, const void *buf, size_t n, int f) { return do_send(u, fd, buf, n, f); }

static ssize_t pd_recvfrom(void *u, int fd, void *buf, size_t n, int f, struct sockaddr *a,
                           socklen_t *len)
{
    ssize_t r = do_recv(u, fd, buf, n, f);
    if (r >= 0 && a && len) {
        struct shim *sh = u;
        uint32_t addr = 0;
        uint16_t port = 0;
        LOCKED(sh) synack_socket_peer(sh->s, sd_of(sh, fd), &addr, &port);
        fill_sin(a, len, addr, port);
    }
    return r;
}

static ssize_t pd_sendto(void *u, int fd, const void *buf, size_t n, int f,
                         const struct sockaddr *a, socklen_t len)
{
    (void)a;
    (void)len;
    return do_send(u, fd, buf, n, f); /* connected: the address is ignored, as TCP does */
}

static size_t iov_total(const struct iovec *iov, int cnt)
{
    size_t t = 0;
    for (int i = 0; i < cnt; i++)
        t += iov[i].iov_len;
    return t;
}

static ssize_t do_recvv(struct shim *sh, int fd, const struct iovec *iov, int cnt, int flags)
{
    size_t total = iov_total(iov, cnt);
    uint8_t *tmp = malloc(total ? total : 1);
    if (!tmp)
        return fail(ENOMEM);
    ssize_t r = do_recv(sh, fd, tmp, total, flags);
    for (int i = 0, off = 0; r > 0 && i < cnt && off < r; i++) {
        size_t take = iov[i].iov_len < (size_t)(r - off) ? iov[i].iov_len : (size_t)(r - off);
        memcpy(iov[i].iov_base, tmp + off, take);
        off += (int)take;
    }
    free(tmp);
    return r;
}

static ssize_t do_sendv(struct shim *sh, int fd, const struct iovec *iov, int cnt, int flags)
{
    size_t total = iov_total(iov, cnt), off = 0;
    uint8_t *tmp = malloc(total ? total : 1);
    if (!tmp)
        return fail(ENOMEM);
    for (int i = 0; i < cnt; i++) {
        memcpy(tmp + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    ssize_t r = do_send(sh, fd, tmp, total, flags);
    free(tmp);
    return r;
}

static ssize_t pd_readv(void *u, int fd, const struct iovec *iov, int cnt) { return do_recvv(u, fd, iov, cnt, 0); }
static ssize_t pd_writev(void *u, int fd, const struct iovec *iov, int cnt) { return do_sendv(u, fd, iov, cnt, 0); }

static ssize_t pd_recvmsg(void *u, int fd, struct msghdr *m, int f)
{
    m->msg_controllen = 0;
    m->msg_flags = 0;
    m->msg_namelen = 0;
    return do_recvv(u, fd, m->msg_iov, (int)m->msg_iovlen, f);
}

static ssize_t pd_sendmsg(void *u, int fd, const struct msghdr *m, int f)
{
    return do_sendv(u, fd, m->msg_iov, (int)m->msg_iovlen, f);
}

static int pd_fcntl(void *u, int fd, int cmd, ...)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd);
    if (sd < 0)
        return fail(EBADF);
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    int rc = 0;
    LOCKED(sh) {
        if (cmd == F_GETFL)
            rc = O_RDWR | (sh->nonblock[sd] ? O_NONBLOCK : 0);
        else if (cmd == F_SETFL)
            sh->nonblock[sd] = (arg & O_NONBLOCK) != 0;
        else
            rc = -EINVAL;
    }
    return ret_int(rc);
}

static int pd_ioctl(void *u, int fd, unsigned long req, ...)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd);
    if (sd < 0)
        return fail(EBADF);
    va_list ap;
    va_start(ap, req);
    int *out = va_arg(ap, int *);
    va_end(ap);
    if (req != FIONREAD && req != TIOCOUTQ)
        return fail(ENOTTY);
    struct synack_tcp_info i;
    int rc;
    LOCKED(sh) rc = synack_socket_status(sh->s, sd, &i);
    if (rc < 0)
        return fail(-rc);
    *out = (int)(req == FIONREAD ? i.rcvbuf_used : i.sndbuf_used); /* SIOCINQ, SIOCOUTQ */
    return 0;
}

static int pd_close(void *u, int fd)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    LOCKED(sh) {
        rc = synack_socket_close(sh->s, sd, stack_now(sh));
        pdso_fd_forget(&sh->fds, sd);
    }
    return ret_int(rc);
}

static int pd_shutdown(void *u, int fd, int how)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    LOCKED(sh) rc = synack_socket_shutdown(sh->s, sd, how, stack_now(sh));
    return ret_int(rc);
}

/* synack's STATUS as Linux's struct tcp_info, which is what scripts check. */
static void to_tcp_info(const struct synack_tcp_info *i, struct tcp_info *t)
{
    static const uint8_t linux_state[SYNACK_STATE_COUNT] = {7, 10, 2, 3, 1, 4, 5, 8, 11, 9, 6};
    uint32_t mss = i->snd_mss ? i->snd_mss : 1;
    memset(t, 0, sizeof *t);
    t->tcpi_state = i->state < SYNACK_STATE_COUNT ? linux_state[i->state] : 7;
    t->tcpi_retransmits = (uint8_t)i->retransmits;
    t->tcpi_backoff = (uint8_t)i->backoff;
    t->tcpi_snd_wscale = i->snd_wscale & 15;
    t->tcpi_rcv_wscale = i->rcv_wscale & 15;
    t->tcpi_options = i->options; /* the same bits (SYNACK_TCPI_OPT_*) */
    t->tcpi_rto = (uint32_t)i->rto_us;
    t->tcpi_snd_mss = i->snd_mss;
    t->tcpi_rcv_mss = i->rcv_mss;
    t->tcpi_unacked = (i->unacked + mss - 1) / mss;
    t->tcpi_rtt = (uint32_t)i->srtt_us;
    t->tcpi_rttvar = (uint32_t)i->rttvar_us;
    t->tcpi_snd_ssthresh = i->ssthresh == UINT32_MAX ? 0x7fffffff : i->ssthresh / mss;
    t->tcpi_snd_cwnd = i->cwnd / mss;
    t->tcpi_total_retrans = (uint32_t)i->total_retrans;
}

static int pd_getsockopt(void *u, int fd, int level, int name, void *val, socklen_t *len)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    if (level == IPPROTO_TCP && name == TCP_INFO) {
        struct synack_tcp_info i;
        LOCKED(sh) rc = synack_socket_status(sh->s, sd, &i);
        if (rc < 0)
            return fail(-rc);
        struct tcp_info t;
        to_tcp_info(&i, &t);
        socklen_t n = *len < sizeof t ? *len : (socklen_t)sizeof t;
        memcpy(val, &t, n);
        *len = n;
        return 0;
    }
    size_t l = *len;
    LOCKED(sh) rc = synack_socket_getsockopt(sh->s, sd, level, name, val, &l);
    if (rc < 0)
        return fail(-rc);
    *len = (socklen_t)l;
    return 0;
}

static int pd_setsockopt(void *u, int fd, int level, int name, const void *val, socklen_t len)
{
    struct shim *sh = u;
    int sd = sd_of(sh, fd), rc;
    if (sd < 0)
        return fail(EBADF);
    LOCKED(sh) rc = synack_socket_setsockopt(sh->s, sd, level, name, val, len, stack_now(sh));
    return ret_int(rc);
}

static int pd_poll(void *u, struct pollfd *fds, nfds_t n, int timeout)
{
    struct shim *sh = u;
    int ready = 0;
    LOCKED(sh) {
        uint64_t deadline =
            timeout < 0 ? SYNACK_TIME_NEVER : stack_now(sh) + (uint64_t)timeout * 1000u;
        for (;;) {
            ready = 0;
            for (nfds_t i = 0; i < n; i++) {
                int sd = sd_of(sh, fds[i].fd);
                int ev = sd < 0 ? POLLNVAL : synack_socket_events(sh->s, sd);
                fds[i].revents = (short)(ev & (fds[i].events | POLLERR | POLLHUP | POLLNVAL));
                if (fds[i].revents)
                    ready++;
            }
            if (ready || stack_now(sh) >= deadline)
                break;
            /* a virtual clock moves only in usleep, which wakes us */
            wait_until(sh, sh->virtual_clock ? SYNACK_TIME_NEVER : deadline);
        }
    }
    return ready;
}

/* Is dst synack's address, or one of its more_addrs? */
static bool stack_has_addr(const struct shim *sh, uint32_t dst)
{
    const struct synack_config *c = synack_stack_config(sh->s);
    struct synack_addr a = synack_addr_from_v4(dst);
    for (size_t i = 0; i < SYNACK_MORE_ADDRS; i++)
        if (synack_addr_eq(&c->more_addrs[i].addr, &a))
            return true;
    return dst == sh->addr;
}

static int pd_netdev_send(void *u, const void *buf, size_t count)
{
    struct shim *sh = u;
    uint8_t *copy = NULL;
    if (is_ipv4(buf, count) && get32((const uint8_t *)buf + 16) == 0) {
        if (!(copy = malloc(count)))
            return fail(ENOMEM);
        memcpy(copy, buf, count);
        LOCKED(sh) wildcard_in(sh, copy, count);
        buf = copy;
    }
    if (count >= 20 && !sh->warned_addr) {
        const uint8_t *p = buf;
        uint32_t dst = get32(p + 16);
        if ((p[0] >> 4) == 4 && !stack_has_addr(sh, dst)) {
            sh->warned_addr = true;
            fprintf(stderr, "synack-packetdrill: packetdrill sends to %u.%u.%u.%u but synack "
                            "is %u.%u.%u.%u: run packetdrill with --local_ip=%u.%u.%u.%u "
                            "(or --so_flags=addr=...)\n", p[16], p[17], p[18], p[19],
                    sh->addr >> 24, (sh->addr >> 16) & 255, (sh->addr >> 8) & 255,
                    sh->addr & 255, sh->addr >> 24, (sh->addr >> 16) & 255,
                    (sh->addr >> 8) & 255, sh->addr & 255);
        }
    }
    LOCKED(sh) synack_stack_input(sh->s, buf, count, stack_now(sh));
    free(copy);
    return 0;
}

/* The oldest queued datagram into buf; false if none. */
static bool dequeue(struct shim *sh, void *buf, size_t *count, long long *time_usecs)
{
    if (!sh->qcount)
        return false;
    struct outpkt *p = &sh->q[sh->qhead];
    size_t n = p->len < *count ? p->len : *count;
    memcpy(buf, p->data, n);
    *count = n;
    *time_usecs = p->when;
    free(p->data);
    sh->qhead = (sh->qhead + 1) % QUEUE_MAX;
    sh->qcount--;
    return true;
}

static int pd_netdev_receive(void *u, void *buf, size_t *count, long long *time_usecs)
{
    struct shim *sh = u;
    uint64_t start = mono_us();
    uint64_t hard = start + (uint64_t)(sh->max_wait * 1e6);
    uint64_t idle_limit = (uint64_t)(sh->idle_timeout * 1e6);
    bool got = false;
    if (sh->virtual_clock) {
        /* nothing is sent while the virtual clock stands still */
        LOCKED(sh) got = dequeue(sh, buf, count, time_usecs);
        if (!got)
            *count = 0;
        return 0;
    }
    LOCKED(sh) {
        uint64_t idle_since = start;
        for (;;) {
            if ((got = dequeue(sh, buf, count, time_usecs)))
                break;
            uint64_t now = mono_us();
            /* No timer pending that sends (a TIME-WAIT timer sends
             * nothing): nothing can come unless a call makes it. */
            if (synack_stack_deadline_output(sh->s) != SYNACK_TIME_NEVER)
                idle_since = now;
            if (now >= hard || now - idle_since >= idle_limit)
                break;
            uint64_t next = idle_since + idle_limit < hard ? idle_since + idle_limit : hard;
            wait_until(sh, next);
        }
    }
    if (!got) {
        fprintf(stderr, "synack-packetdrill: synack sent nothing in %.1f s and has nothing "
                        "scheduled: the expected packet will not come\n",
                (mono_us() - start) / 1e6);
        *count = 0;
    }
    return 0;
}

/* The virtual clock: run the stack's timers from deadline to deadline up
 * to us from now, returning early once the stack has sent something
 * (packetdrill calls usleep again until its time has come). */
static void virtual_sleep(struct shim *sh, useconds_t us)
{
    uint64_t until = sh->vnow + us;
    size_t before = sh->qcount;
    while (sh->qcount == before) {
        uint64_t d = synack_stack_deadline(sh->s);
        if (d == SYNACK_TIME_NEVER || d > until) {
            sh->vnow = until;
            break;
        }
        if (d > sh->vnow)
            sh->vnow = d;
        synack_stack_poll(sh->s, sh->vnow);
    }
}

static int pd_usleep(void *u, useconds_t us)
{
    struct shim *sh = u;
    if (sh->virtual_clock) {
        LOCKED(sh) virtual_sleep(sh, us);
        return 0;
    }
    struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    return 0;
}

static int pd_gettimeofday(void *u, struct timeval *tv, struct timezone *tz)
{
    struct shim *sh = u;
    (void)tz;
    uint64_t t;
    LOCKED(sh) t = stack_now(sh) + sh->epoch;
    tv->tv_sec = (time_t)(t / 1000000u);
    tv->tv_usec = (suseconds_t)(t % 1000000u);
    return 0;
}

static void pd_free(void *u)
{
    struct shim *sh = u;
    if (!sh)
        return;
    if (sh->timer_running) {
        pthread_mutex_lock(&sh->mu);
        sh->stop = true;
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
        pthread_join(sh->timer, NULL);
    }
    pdso_fds_close_all(&sh->fds);
    synack_stack_free(sh->s);
    while (sh->qcount) {
        free(sh->q[sh->qhead].data);
        sh->qhead = (sh->qhead + 1) % QUEUE_MAX;
        sh->qcount--;
    }
    pthread_cond_destroy(&sh->cv);
    pthread_mutex_destroy(&sh->mu);
    free(sh);
}

/* ---- flags and init ---- */

/* more_addr=A/LEN: one more address of the stack (synack_config.more_addrs). */
static bool more_addr_flag(struct synack_config *c, const char *v)
{
    unsigned b[4], len;
    char extra;
    if (sscanf(v, "%u.%u.%u.%u/%u%c", &b[0], &b[1], &b[2], &b[3], &len, &extra) != 5 ||
        b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255 || len < 1 || len > 32)
        return false;
    for (size_t i = 0; i < SYNACK_MORE_ADDRS; i++)
        if (c->more_addrs[i].addr.family == 0) {
            c->more_addrs[i].addr = synack_addr_from_v4(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
            c->more_addrs[i].prefix_len = (uint8_t)len;
            return true;
        }
    return false; /* more than SYNACK_MORE_ADDRS */
}

static bool parse_flags(struct shim *sh, struct synack_config *c, const char *flags)
{
    char *copy = strdup(flags ? flags : "");
    bool ok = copy != NULL;
    for (char *save = NULL, *kv = ok ? strtok_r(copy, ", ", &save) : NULL; kv && ok;
         kv = strtok_r(NULL, ", ", &save)) {
        char *eq = strchr(kv, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        char *end = NULL;
        if (strcmp(kv, "addr") == 0) {
            unsigned b[4];
            char extra;
            ok = sscanf(v, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &extra) == 4 &&
                 b[0] < 256 && b[1] < 256 && b[2] < 256 && b[3] < 256;
            c->addr = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
        } else if (strcmp(kv, "more_addr") == 0) {
            ok = more_addr_flag(c, v);
        } else if (strcmp(kv, "mtu") == 0) {
            long m = strtol(v, &end, 10);
            ok = *v && !*end && m >= 68 && m <= 65535;
            c->mtu = (uint16_t)m;
        } else if (strcmp(kv, "seed") == 0) {
            c->rng_seed = strtoull(v, &end, 0);
            ok = *v && !*end;
        } else if (strcmp(kv, "clock") == 0) {
            ok = strcmp(v, "virtual") == 0 || strcmp(v, "real") == 0;
            sh->virtual_clock = strcmp(v, "virtual") == 0;
        } else if (strcmp(kv, "idle_timeout") == 0) {
            sh->idle_timeout = strtod(v, &end);
            ok = *v && !*end && sh->idle_timeout > 0;
        } else if (strcmp(kv, "max_wait") == 0) {
            sh->max_wait = strtod(v, &end);
            ok = *v && !*end && sh->max_wait > 0;
        } else if (strcmp(kv, "verbose") == 0) {
            sh->verbose = 1;
        } else {
            ok = false;
        }
        if (!ok)
            fprintf(stderr, "synack-packetdrill: bad flag '%s%s%s' (known: addr=A, more_addr=A/LEN, mtu=N, clock=real|virtual, "
                            "seed=N, idle_timeout=S, max_wait=S, verbose)\n",
                    kv, eq ? "=" : "", v);
    }
    free(copy);
    return ok;
}

EXPORT void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
    memset(ifc, 0, sizeof *ifc);
    struct shim *sh = calloc(1, sizeof *sh);
    if (!sh) {
        fprintf(stderr, "synack-packetdrill: out of memory\n");
        abort();
    }
    struct synack_config c;
    synack_config_default(&c);
    c.addr = 0xc0000201u; /* 192.0.2.1, synack's own convention */
    c.rng_seed = 1;
    sh->idle_timeout = 2;
    sh->max_wait = 600;
    if (!parse_flags(sh, &c, flags))
        abort(); /* packetdrill offers no way to refuse: stop before running the script */
    pthread_mutex_init(&sh->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sh->cv, &ca);
    pthread_condattr_destroy(&ca);
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    sh->epoch = (uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u - mono_us();
    struct synack_link link = {.send = shim_link_send, .ctx = sh};
    int e = 0;
    sh->s = synack_stack_new(&c, &link, &e);
    if (!sh->s) {
        fprintf(stderr, "synack-packetdrill: cannot create the stack: %s\n", strerror(-e));
        abort();
    }
    sh->addr = c.addr;
    pdso_fds_init(&sh->fds);
    /* A virtual clock starts at 0, as the mem target's does. */
    if (!sh->virtual_clock && pthread_create(&sh->timer, NULL, timer_main, sh) != 0) {
        fprintf(stderr, "synack-packetdrill: cannot start the timer thread\n");
        abort();
    }
    sh->timer_running = !sh->virtual_clock;
    if (sh->verbose)
        fprintf(stderr, "synack-packetdrill: synack at %u.%u.%u.%u, MTU %u, %s clock\n",
                c.addr >> 24, (c.addr >> 16) & 255, (c.addr >> 8) & 255, c.addr & 255, c.mtu,
                sh->virtual_clock ? "virtual" : "real");

    ifc->userdata = sh;
    ifc->free = pd_free;
    ifc->socket = pd_socket;
    ifc->bind = pd_bind;
    ifc->listen = pd_listen;
    ifc->accept = pd_accept;
    ifc->connect = pd_connect;
    ifc->read = pd_read;
    ifc->readv = pd_readv;
    ifc->recv = pd_recv;
    ifc->recvfrom = pd_recvfrom;
    ifc->recvmsg = pd_recvmsg;
    ifc->write = pd_write;
    ifc->writev = pd_writev;
    ifc->send = pd_send;
    ifc->sendto = pd_sendto;
    ifc->sendmsg = pd_sendmsg;
    ifc->fcntl = pd_fcntl;
    ifc->ioctl = pd_ioctl;
    ifc->close = pd_close;
    ifc->shutdown = pd_shutdown;
    ifc->getsockopt = pd_getsockopt;
    ifc->setsockopt = pd_setsockopt;
    ifc->poll = pd_poll;
    ifc->netdev_send = pd_netdev_send;
    ifc->netdev_receive = pd_netdev_receive;
    ifc->usleep = pd_usleep;
    ifc->gettimeofday = pd_gettimeofday;
    pdso_enosys(ifc);
}

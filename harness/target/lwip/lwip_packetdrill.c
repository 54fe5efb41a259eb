/* liblwip-packetdrill.so: lwIP (Debian's liblwip, 2.1: NO_SYS=0, the
 * sockets API, the tcpip thread, core locking) behind packetdrill's SO
 * interface (stack/packetdrill/packetdrill_so.h), so packetdrill and
 * synack's `--target lwip` (harness/target/so.c) test it like any stack.
 * Our own glue; lwIP itself is the packaged library, unchanged.
 *
 * - One lwIP per process (lwIP's state is global): init refuses a second.
 * - A network interface with the stack's address: what lwIP sends through
 *   it (netif->output) is queued for netdev_receive; what packetdrill
 *   sends (netdev_send) goes to ip_input with the core lock held, so it is
 *   processed before the call returns.
 * - Clock: lwIP reads time through sys_now(), which this object defines
 *   (the library's own is interposable). clock=real: CLOCK_MONOTONIC, and
 *   the tcpip thread runs lwIP's timers. clock=virtual: the clock moves only
 *   in usleep, which runs lwIP's timeouts (sys_check_timeouts, core lock
 *   held) from deadline to deadline and returns once lwIP has sent
 *   something; netdev_receive returns at once.
 * - Socket numbers are real descriptors (pdso_fds.h) mapped to lwIP's own.
 * - TCP_INFO is read from the connection's tcp_pcb (lwIP has none): state,
 *   RTO and RTT (500 ms ticks), MSS, cwnd, ssthresh, retransmissions.
 *
 * Flags (--so_flags, comma or space separated): addr=A (192.0.2.1),
 * mtu=N (1500), clock=real|virtual (real), idle_timeout=S (2: real clock,
 * netdev_receive gives up after S s without a packet), verbose. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* struct tcp_info. lwIP includes it too (posix/inet.h), after its own
 * options define TCP_MSS, which <netinet/tcp.h> also defines: included
 * first, with its TCP_MSS dropped, the guard keeps it from coming back. */
#include <netinet/tcp.h>
#undef TCP_MSS

#include "lwip/api.h"
#include "lwip/init.h"
#include "lwip/ip.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/priv/sockets_priv.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/sockets.h"
#include "lwip/tcp.h"
#include "lwip/tcpip.h"
#include "lwip/timeouts.h"

#include <synack/socket.h>

#include "packetdrill/packetdrill_so.h"
#include "packetdrill/pdso_enosys.h"
#include "packetdrill/pdso_fds.h"

#define EXPORT __attribute__((visibility("default")))
#define QUEUE_MAX 4096
#define PKT_MAX 65535
#define TICK_US 500000 /* lwIP's slow timer: TCP_SLOW_INTERVAL, the unit of its RTO */

struct outpkt {
    long long when;
    size_t len;
    uint8_t *data;
};

struct lw {
    pthread_mutex_t mu;      /* the queue (taken inside the core lock, never around it) */
    pthread_cond_t cv;       /* a packet was queued */
    bool virtual_clock, verbose;
    _Atomic uint64_t vnow;   /* the virtual clock, microseconds */
    uint64_t epoch;          /* gettimeofday - the clock */
    double idle_timeout;
    uint32_t addr;
    uint16_t mtu;
    struct netif netif;
    struct outpkt q[QUEUE_MAX];
    size_t qhead, qcount;
    uint64_t qdropped, not_ipv4;
    struct pdso_fds fds;     /* lwIP socket numbers <-> real descriptors */
};

static struct lw lw;
static atomic_bool lw_taken;

/* ---- the clock ---- */

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_us(void)
{
    return lw.virtual_clock ? atomic_load(&lw.vnow) : mono_us();
}

/* lwIP's clock, in milliseconds: every timeout it keeps is on it. */
EXPORT u32_t sys_now(void)
{
    return (u32_t)(now_us() / 1000u);
}

/* ---- the network interface ---- */

static err_t lw_output(struct netif *n, struct pbuf *p, const ip4_addr_t *next_hop)
{
    (void)n;
    (void)next_hop; /* a point-to-point link: everything goes to the harness */
    uint8_t *data = malloc(p->tot_len ? p->tot_len : 1);
    if (!data)
        return ERR_MEM;
    size_t len = pbuf_copy_partial(p, data, p->tot_len, 0);
    pthread_mutex_lock(&lw.mu);
    if (lw.qcount == QUEUE_MAX) {
        lw.qdropped++;
        free(data);
    } else {
        lw.q[(lw.qhead + lw.qcount) % QUEUE_MAX] =
            (struct outpkt){(long long)(now_us() + lw.epoch), len, data};
        lw.qcount++;
        pthread_cond_broadcast(&lw.cv);
    }
    pthread_mutex_unlock(&lw.mu);
    return ERR_OK;
}

/* IPv6 (lwIP's router solicitations, MLD) is not part of the tests. */
static err_t lw_output_ip6(struct netif *n, struct pbuf *p, const ip6_addr_t *next_hop)
{
    (void)n;
    (void)p;
    (void)next_hop;
    lw.not_ipv4++;
    return ERR_OK;
}

static err_t lw_netif_init(struct netif *n)
{
    n->name[0] = 'p';
    n->name[1] = 'd';
    n->mtu = lw.mtu;
    n->output = lw_output;
    n->output_ip6 = lw_output_ip6;
    n->flags = 0; /* no ARP, no IGMP, no MLD: IP datagrams only */
    return ERR_OK;
}

static size_t queued(void)
{
    pthread_mutex_lock(&lw.mu);
    size_t n = lw.qcount;
    pthread_mutex_unlock(&lw.mu);
    return n;
}

/* ---- helpers ---- */

static int fail(int e)
{
    errno = e;
    return -1;
}

/* The lwIP socket of a descriptor, or -1 (EBADF). */
static int ls_of(int fd)
{
    pthread_mutex_lock(&lw.mu);
    int s = pdso_fd_sock(&lw.fds, fd);
    pthread_mutex_unlock(&lw.mu);
    return s;
}

#define LS(fd)                                                                 \
    int ls = ls_of(fd);                                                        \
    if (ls < 0)                                                                \
        return fail(EBADF)

/* A descriptor for a new lwIP socket, closing it when there is none. */
static int fd_for(int ls)
{
    if (ls < 0)
        return -1;
    pthread_mutex_lock(&lw.mu);
    int fd = pdso_fd_new(&lw.fds, ls);
    pthread_mutex_unlock(&lw.mu);
    if (fd < 0) {
        lwip_close(ls);
        return fail(-fd);
    }
    return fd;
}

/* ---- the interface: sockets ---- */

static int pd_socket(void *u, int domain, int type, int protocol)
{
    (void)u;
    if (domain != AF_INET)
        return fail(EAFNOSUPPORT);
    int ls = lwip_socket(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), protocol);
    if (ls >= 0 && (type & SOCK_NONBLOCK))
        lwip_fcntl(ls, F_SETFL, O_NONBLOCK);
    return fd_for(ls);
}

static int pd_bind(void *u, int fd, const struct sockaddr *a, socklen_t len)
{
    (void)u;
    LS(fd);
    return lwip_bind(ls, a, len);
}

static int pd_listen(void *u, int fd, int backlog)
{
    (void)u;
    LS(fd);
    return lwip_listen(ls, backlog);
}

static int pd_accept(void *u, int fd, struct sockaddr *a, socklen_t *len)
{
    (void)u;
    LS(fd);
    return fd_for(lwip_accept(ls, a, len));
}

static int pd_connect(void *u, int fd, const struct sockaddr *a, socklen_t len)
{
    (void)u;
    LS(fd);
    return lwip_connect(ls, a, len);
}

static ssize_t pd_read(void *u, int fd, void *buf, size_t n)
{
    (void)u;
    LS(fd);
    return lwip_read(ls, buf, n);
}

static ssize_t pd_readv(void *u, int fd, const struct iovec *iov, int cnt)
{
    (void)u;
    LS(fd);
    return lwip_readv(ls, iov, cnt);
}

static ssize_t pd_recv(void *u, int fd, void *buf, size_t n, int flags)
{
    (void)u;
    LS(fd);
    return lwip_recv(ls, buf, n, flags);
}

static ssize_t pd_recvfrom(void *u, int fd, void *buf, size_t n, int flags, struct sockaddr *a,
                           socklen_t *len)
{
    (void)u;
    LS(fd);
    return lwip_recvfrom(ls, buf, n, flags, a, len);
}

static ssize_t pd_recvmsg(void *u, int fd, struct msghdr *m, int flags)
{
    (void)u;
    LS(fd);
    return lwip_recvmsg(ls, m, flags);
}

static ssize_t pd_write(void *u, int fd, const void *buf, size_t n)
{
    (void)u;
    LS(fd);
    return lwip_write(ls, buf, n);
}

static ssize_t pd_writev(void *u, int fd, const struct iovec *iov, int cnt)
{
    (void)u;
    LS(fd);
    return lwip_writev(ls, iov, cnt);
}

static ssize_t pd_send(void *u, int fd, const void *buf, size_t n, int flags)
{
    (void)u;
    LS(fd);
    /* lwIP refuses flags it does not know; there are no signals here */
    return lwip_send(ls, buf, n, flags & ~MSG_NOSIGNAL);
}

static ssize_t pd_sendto(void *u, int fd, const void *buf, size_t n, int flags,
                         const struct sockaddr *a, socklen_t len)
{
    (void)u;
    LS(fd);
    return lwip_sendto(ls, buf, n, flags & ~MSG_NOSIGNAL, a, len);
}

static ssize_t pd_sendmsg(void *u, int fd, const struct msghdr *m, int flags)
{
    (void)u;
    LS(fd);
    return lwip_sendmsg(ls, m, flags & ~MSG_NOSIGNAL);
}

static int pd_fcntl(void *u, int fd, int cmd, ...)
{
    (void)u;
    LS(fd);
    va_list ap;
    va_start(ap, cmd);
    int arg = va_arg(ap, int);
    va_end(ap);
    return lwip_fcntl(ls, cmd, arg);
}

static int pd_ioctl(void *u, int fd, unsigned long req, ...)
{
    (void)u;
    LS(fd);
    va_list ap;
    va_start(ap, req);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    return lwip_ioctl(ls, (long)req, arg);
}

static int pd_close(void *u, int fd)
{
    (void)u;
    LS(fd);
    int rc = lwip_close(ls);
    int e = errno;
    pthread_mutex_lock(&lw.mu);
    pdso_fd_forget(&lw.fds, ls);
    pthread_mutex_unlock(&lw.mu);
    errno = e;
    return rc;
}

static int pd_shutdown(void *u, int fd, int how)
{
    (void)u;
    LS(fd);
    return lwip_shutdown(ls, how);
}

/* Linux's tcpi_state of an lwIP state (enum tcp_state). */
static uint8_t linux_state(enum tcp_state st)
{
    static const uint8_t map[] = {
        [CLOSED] = 7,     [LISTEN] = 10,     [SYN_SENT] = 2,   [SYN_RCVD] = 3,
        [ESTABLISHED] = 1, [FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8,
        [CLOSING] = 11,   [LAST_ACK] = 9,    [TIME_WAIT] = 6,
    };
    return (unsigned)st < sizeof map ? map[st] : 7;
}

/* TCP_INFO from the connection's tcp_pcb, read with the core lock held. */
static int tcp_info_of(int ls, struct tcp_info *ti)
{
    memset(ti, 0, sizeof *ti);
    LOCK_TCPIP_CORE();
    struct lwip_sock *s = lwip_socket_dbg_get_socket(ls);
    struct netconn *c = s ? s->conn : NULL;
    bool tcp = c && NETCONNTYPE_GROUP(netconn_type(c)) == NETCONN_TCP;
    const struct tcp_pcb *pcb = tcp ? c->pcb.tcp : NULL;
    ti->tcpi_state = pcb ? linux_state(pcb->state) : 7; /* no pcb: closed */
    if (pcb && pcb->state != LISTEN) {
        uint32_t mss = pcb->mss ? pcb->mss : 1;
        unsigned unacked = 0;
        for (const struct tcp_seg *seg = pcb->unacked; seg; seg = seg->next)
            unacked++;
        ti->tcpi_rto = (uint32_t)pcb->rto * TICK_US;
        ti->tcpi_rtt = (uint32_t)(pcb->sa >> 3) * TICK_US;
        ti->tcpi_rttvar = (uint32_t)(pcb->sv >> 2) * TICK_US;
        ti->tcpi_snd_mss = pcb->mss;
        ti->tcpi_rcv_mss = TCP_MSS;
        ti->tcpi_snd_cwnd = pcb->cwnd / mss;
        ti->tcpi_snd_ssthresh = pcb->ssthresh / mss;
        ti->tcpi_unacked = unacked;
        ti->tcpi_retransmits = pcb->nrtx;
        ti->tcpi_backoff = pcb->nrtx;
        ti->tcpi_snd_wscale = pcb->snd_scale;
        ti->tcpi_rcv_wscale = pcb->rcv_scale;
    }
    UNLOCK_TCPIP_CORE();
    return s ? 0 : fail(EBADF);
}

static int pd_getsockopt(void *u, int fd, int level, int name, void *val, socklen_t *len)
{
    (void)u;
    LS(fd);
    if (level == IPPROTO_TCP && name == TCP_INFO) {
        struct tcp_info ti;
        if (tcp_info_of(ls, &ti) < 0)
            return -1;
        socklen_t n = *len < sizeof ti ? *len : (socklen_t)sizeof ti;
        memcpy(val, &ti, n);
        *len = n;
        return 0;
    }
    return lwip_getsockopt(ls, level, name, val, len);
}

/* synack's per-socket switches of the TCP extensions (<synack/socket.h>):
 * lwIP's are fixed when it is built, so a switch set to what lwIP does
 * anyway is taken, and any other value refused (ENOPROTOOPT: the runner
 * skips the vector, naming the option). */
static int extension_switch(int name, const void *val, socklen_t len)
{
    int on;
    switch (name) {
    case SYNACK_TCP_WINDOW_SCALING: on = LWIP_WND_SCALE; break;      /* RFC 7323 2 */
    case SYNACK_TCP_TIMESTAMPS: on = LWIP_TCP_TIMESTAMPS; break;     /* RFC 7323 3 */
    case SYNACK_TCP_SACK: on = LWIP_TCP_SACK_OUT; break;             /* RFC 2018 */
    case SYNACK_TCP_DSACK: case SYNACK_TCP_ECN: on = 0; break;       /* RFC 2883, 3168 */
    default: return -2;
    }
    if (len != sizeof(int))
        return fail(EINVAL);
    int want;
    memcpy(&want, val, sizeof want);
    return (want != 0) == (on != 0) ? 0 : fail(ENOPROTOOPT);
}

static int pd_setsockopt(void *u, int fd, int level, int name, const void *val, socklen_t len)
{
    (void)u;
    LS(fd);
    if (level == IPPROTO_TCP) {
        int r = extension_switch(name, val, len);
        if (r != -2)
            return r;
    }
    return lwip_setsockopt(ls, level, name, val, len);
}

static int pd_poll(void *u, struct pollfd *fds, nfds_t n, int timeout)
{
    (void)u;
    struct pollfd mine[64];
    if (n > 64)
        return fail(EINVAL);
    for (nfds_t i = 0; i < n; i++) {
        mine[i] = fds[i];
        mine[i].fd = ls_of(fds[i].fd); /* lwIP's own poll: -1 is skipped */
    }
    int rc = lwip_poll(mine, n, timeout);
    for (nfds_t i = 0; i < n; i++)
        fds[i].revents = mine[i].fd < 0 && fds[i].fd >= 0 ? POLLNVAL : mine[i].revents;
    return rc;
}

/* ---- the interface: packets and time ---- */

static int pd_netdev_send(void *u, const void *buf, size_t count)
{
    (void)u;
    if (count == 0 || count > PKT_MAX)
        return fail(EINVAL);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)count, PBUF_RAM);
    if (!p)
        return fail(ENOMEM);
    pbuf_take(p, buf, (u16_t)count);
    LOCK_TCPIP_CORE();
    if (lw.netif.input(p, &lw.netif) != ERR_OK)
        pbuf_free(p);
    UNLOCK_TCPIP_CORE();
    return 0;
}

static bool dequeue(void *buf, size_t *count, long long *when)
{
    if (!lw.qcount)
        return false;
    struct outpkt *p = &lw.q[lw.qhead];
    size_t n = p->len < *count ? p->len : *count;
    memcpy(buf, p->data, n);
    *count = n;
    *when = p->when;
    free(p->data);
    lw.qhead = (lw.qhead + 1) % QUEUE_MAX;
    lw.qcount--;
    return true;
}

static int pd_netdev_receive(void *u, void *buf, size_t *count, long long *when)
{
    (void)u;
    bool got;
    pthread_mutex_lock(&lw.mu);
    if (lw.virtual_clock) {
        got = dequeue(buf, count, when); /* nothing is sent while time stands still */
    } else {
        uint64_t give_up = mono_us() + (uint64_t)(lw.idle_timeout * 1e6);
        while (!(got = dequeue(buf, count, when)) && mono_us() < give_up) {
            struct timespec ts = {.tv_sec = (time_t)(give_up / 1000000u),
                                  .tv_nsec = (long)(give_up % 1000000u) * 1000};
            pthread_cond_timedwait(&lw.cv, &lw.mu, &ts);
        }
    }
    pthread_mutex_unlock(&lw.mu);
    if (!got)
        *count = 0;
    return 0;
}

/* The virtual clock: lwIP's timeouts from deadline to deadline up to us
 * from now; back as soon as lwIP has sent something. */
static void virtual_sleep(useconds_t us)
{
    LOCK_TCPIP_CORE();
    uint64_t until = atomic_load(&lw.vnow) + us;
    size_t before = queued();
    while (queued() == before) {
        u32_t ms = sys_timeouts_sleeptime();
        uint64_t next = ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE
                            ? UINT64_MAX
                            : ((uint64_t)sys_now() + ms) * 1000u;
        if (next > until) {
            atomic_store(&lw.vnow, until);
            break;
        }
        if (next > atomic_load(&lw.vnow))
            atomic_store(&lw.vnow, next);
        sys_check_timeouts();
    }
    UNLOCK_TCPIP_CORE();
}

static int pd_usleep(void *u, useconds_t us)
{
    (void)u;
    if (lw.virtual_clock) {
        virtual_sleep(us);
        return 0;
    }
    struct timespec ts = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
    return 0;
}

static int pd_gettimeofday(void *u, struct timeval *tv, struct timezone *tz)
{
    (void)u;
    (void)tz;
    uint64_t t = now_us() + lw.epoch;
    tv->tv_sec = (time_t)(t / 1000000u);
    tv->tv_usec = (suseconds_t)(t % 1000000u);
    return 0;
}

/* lwIP has no way to stop: free closes our descriptors; the process ends. */
static void pd_free(void *u)
{
    (void)u;
    pthread_mutex_lock(&lw.mu);
    pdso_fds_close_all(&lw.fds);
    pthread_mutex_unlock(&lw.mu);
}

/* ---- flags and init ---- */

static bool parse_flags(const char *flags)
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
        unsigned b[4];
        char extra;
        if (strcmp(kv, "addr") == 0) {
            ok = sscanf(v, "%u.%u.%u.%u%c", &b[0], &b[1], &b[2], &b[3], &extra) == 4 &&
                 b[0] < 256 && b[1] < 256 && b[2] < 256 && b[3] < 256;
            lw.addr = b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
        } else if (strcmp(kv, "mtu") == 0) {
            long m = strtol(v, &end, 10);
            ok = *v && !*end && m >= 576 && m <= PKT_MAX;
            lw.mtu = (uint16_t)m;
        } else if (strcmp(kv, "clock") == 0) {
            ok = strcmp(v, "virtual") == 0 || strcmp(v, "real") == 0;
            lw.virtual_clock = strcmp(v, "virtual") == 0;
        } else if (strcmp(kv, "idle_timeout") == 0) {
            lw.idle_timeout = strtod(v, &end);
            ok = *v && !*end && lw.idle_timeout > 0;
        } else if (strcmp(kv, "verbose") == 0) {
            lw.verbose = true;
        } else {
            ok = false;
        }
        if (!ok)
            fprintf(stderr, "lwip-packetdrill: bad flag '%s%s%s' (known: addr=A, mtu=N, "
                            "clock=real|virtual, idle_timeout=S, verbose)\n",
                    kv, eq ? "=" : "", v);
    }
    free(copy);
    return ok;
}

static void tcpip_ready(void *arg)
{
    sys_sem_signal((sys_sem_t *)arg);
}

static void start_lwip(void)
{
    sys_sem_t ready;
    if (sys_sem_new(&ready, 0) != ERR_OK) {
        fprintf(stderr, "lwip-packetdrill: cannot make a semaphore\n");
        abort();
    }
    tcpip_init(tcpip_ready, &ready);
    sys_sem_wait(&ready);
    sys_sem_free(&ready);
    ip4_addr_t ip, mask, gw;
    ip4_addr_set_u32(&ip, lwip_htonl(lw.addr));
    ip4_addr_set_u32(&mask, lwip_htonl(0xffffff00u));
    ip4_addr_set_zero(&gw);
    LOCK_TCPIP_CORE();
    bool ok = netif_add(&lw.netif, &ip, &mask, &gw, NULL, lw_netif_init, ip_input) != NULL;
    if (ok) {
        netif_set_default(&lw.netif); /* every peer is behind it */
        netif_set_up(&lw.netif);
        netif_set_link_up(&lw.netif);
    }
    UNLOCK_TCPIP_CORE();
    if (!ok) {
        fprintf(stderr, "lwip-packetdrill: netif_add failed\n");
        abort();
    }
}

EXPORT void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
    memset(ifc, 0, sizeof *ifc);
    if (atomic_exchange(&lw_taken, true)) {
        fprintf(stderr, "lwip-packetdrill: lwIP's state is global: one instance per process\n");
        abort();
    }
    lw.addr = 0xc0000201u; /* 192.0.2.1 */
    lw.mtu = 1500;
    lw.idle_timeout = 2;
    if (!parse_flags(flags))
        abort(); /* packetdrill offers no way to refuse */
    pthread_mutex_init(&lw.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&lw.cv, &ca);
    pthread_condattr_destroy(&ca);
    pdso_fds_init(&lw.fds);
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    lw.epoch = (uint64_t)rt.tv_sec * 1000000u + (uint64_t)rt.tv_nsec / 1000u - now_us();
    start_lwip();
    if (lw.verbose)
        fprintf(stderr, "lwip-packetdrill: lwIP %s at %u.%u.%u.%u, MTU %u, %s clock\n",
                LWIP_VERSION_STRING, lw.addr >> 24, (lw.addr >> 16) & 255, (lw.addr >> 8) & 255,
                lw.addr & 255, lw.mtu, lw.virtual_clock ? "virtual" : "real");
    ifc->userdata = &lw;
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

/* The linux target: the host kernel's TCP, tested as packetdrill does in
 * its local mode. A private network namespace holds a TUN device with the
 * stack-under-test's address; the harness holds the device's descriptor,
 * so what it writes arrives at the kernel on the device and what the
 * kernel sends there is read back. System calls run on real kernel
 * sockets, opened in that namespace. Real clock.
 *
 * The namespace is fresh: the kernel's defaults for a new namespace,
 * IPv6 off, and a default route through the device, so whatever the
 * kernel sends, to any address, is seen.
 *
 * With target_config.offload the device offloads as packetdrill's does
 * (TUNSETOFFLOAD: checksums, TSO for IPv4 and IPv6, with ECN): the kernel
 * hands a burst of segments to it as one packet of up to 64 KB, which is
 * what packetdrill's scripts expect (`> P. 1:5841(5840)`), and leaves the
 * TCP checksum for the device to fill, which sniff() does as a NIC would
 * (target/offload.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/sock_diag.h>

#include <synack/link_tun.h>
#include <synack/socket.h>

#include "target/linux_info.h"
#include "target/netns.h"
#include "target/offload.h"
#include "target/pktq.h"
#include "target/target.h"

#define LINUX_MAX_SOCKS 64
#define BUSY_SLICE_US 1000 /* wait slice while a socket reports an error or hang-up */

struct target {
    struct netns ns;
    struct synack_tun *tun;    /* only for creating and configuring the device */
    int fd;                    /* the device: write = inject, read = sniff */
    bool offload;              /* TSO and checksum offload on the device */
    int socks[LINUX_MAX_SOCKS];
    size_t nsocks;
    uint64_t t0;
    struct pktq out;
    uint64_t not_ipv4;
    unsigned long long rto_min_us; /* the namespace's net.ipv4.tcp_rto_min_us */
    struct blocking_send {      /* sock_send_start's thread */
        bool active;
        atomic_bool started, done;
        atomic_int tid;         /* the thread's, to see it sleep in the kernel */
        pthread_t thread;
        int sd, flags, fl;      /* fl: the socket's file flags, restored after */
        struct sockaddr_storage to;
        socklen_t tolen;
        size_t len;
        ssize_t rc;
    } blk;
    uint8_t buf[65536];
};

static void blocking_join(struct target *t)
{
    if (!t->blk.active)
        return;
    pthread_join(t->blk.thread, NULL);
    fcntl(t->blk.sd, F_SETFL, t->blk.fl);
    t->blk.active = false;
}

static void linux_close(struct target *t)
{
    if (!t)
        return;
    if (t->blk.active && !atomic_load(&t->blk.done))
        shutdown(t->blk.sd, SHUT_RDWR); /* wakes the blocked send */
    blocking_join(t);
    for (size_t i = 0; i < t->nsocks; i++)
        close(t->socks[i]);
    synack_tun_close(t->tun);
    netns_close(&t->ns);
    pktq_clear(&t->out);
    free(t);
}

/* The layout of the kernel's struct in6_ifreq (<linux/ipv6.h>, which
 * clashes with <netinet/in.h>). */
struct kernel_in6_ifreq {
    struct in6_addr addr;
    uint32_t prefix_len;
    int ifindex;
};

/* --primary_ip: the script's address as a second one on tun0, on a /24
 * (an alias, tun0:1) or a /64, after the first. */
static int second_address(const struct synack_addr *a, char *err, size_t n)
{
    bool v6 = a->family == SYNACK_AF_INET6;
    int sock = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rc = sock < 0 ? -1 : 0;
    if (rc == 0 && v6) {
        struct kernel_in6_ifreq r = {.prefix_len = 64, .ifindex = (int)if_nametoindex("tun0")};
        memcpy(&r.addr, a->a, 16);
        rc = ioctl(sock, SIOCSIFADDR, &r);
        /* tentative until the kernel's address work has run, even without
         * DAD (as synack_tun_configure waits for the first): up to 2 s */
        struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
        memcpy(&sa.sin6_addr, a->a, 16);
        for (int i = 0; rc == 0 && i < 200; i++) {
            if (bind(sock, (struct sockaddr *)&sa, sizeof sa) == 0)
                break;
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
        }
    } else if (rc == 0) {
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        snprintf(ifr.ifr_name, IFNAMSIZ, "tun0:1");
        struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(synack_addr_v4(a))};
        memcpy(&ifr.ifr_addr, &sin, sizeof sin);
        rc = ioctl(sock, SIOCSIFADDR, &ifr);
        sin.sin_addr.s_addr = htonl(0xffffff00u);
        memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
        if (rc == 0)
            rc = ioctl(sock, SIOCSIFNETMASK, &ifr);
    }
    if (rc < 0)
        snprintf(err, n, "a second address on tun0 (--primary_ip): %s", strerror(errno));
    if (sock >= 0)
        close(sock);
    return rc;
}

static int linux_open(struct target **out, const struct target_config *cfg, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    if (netns_create(&t->ns, err, n) < 0) {
        free(t);
        return -1;
    }
    /* IPv6 only for an ipv6 run, without duplicate address detection
     * (the address is usable at once) or router solicitations. */
    bool v6 = cfg->local.family == SYNACK_AF_INET6;
    netns_sysctl("net/ipv6/conf/default/disable_ipv6", v6 ? "0" : "1");
    netns_sysctl("net/ipv6/conf/all/disable_ipv6", v6 ? "0" : "1");
    netns_sysctl("net/ipv6/conf/all/accept_dad", "0");
    netns_sysctl("net/ipv6/conf/default/accept_dad", "0");
    netns_sysctl("net/ipv6/conf/default/router_solicitations", "0");
    /* the kernel's RTO floor (TCP_RTO_MIN, 200 ms, before the sysctl) */
    if (netns_sysctl_read("net/ipv4/tcp_rto_min_us", &t->rto_min_us) < 0)
        t->rto_min_us = 200000;
    /* Everything else is the kernel's default for a new namespace: the
     * extensions (RFC 7323, RFC 2018) are on, as they are in synack; a
     * vector turns them off with synack's switches (linux_setsockopt). */
    struct synack_tun_config tc = {.name = "tun0"};
    t->tun = synack_tun_open(&tc, err, n);
    const struct synack_addr *first = cfg->primary.family ? &cfg->primary : &cfg->local;
    struct synack_tun_addr ta = {
        .kernel_addr = v6 ? 0 : synack_addr_v4(first),
        .prefix_len = 24,
        .mtu = cfg->mtu,
        .default_route = true,
    };
    if (v6)
        memcpy(ta.kernel_addr6, first->a, 16);
    bool ok = t->tun && synack_tun_configure(t->tun, &ta, err, n) == 0;
    if (ok && cfg->primary.family)
        ok = second_address(&cfg->local, err, n) == 0;
    netns_leave(&t->ns);
    if (!ok) {
        linux_close(t);
        return -1;
    }
    t->fd = synack_tun_fd(t->tun);
    t->offload = cfg->offload;
    if (t->offload && ioctl(t->fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN) < 0) {
        snprintf(err, n, "TUNSETOFFLOAD: %s", strerror(errno));
        linux_close(t);
        return -1;
    }
    t->t0 = synack_clock_now();
    *out = t;
    return 0;
}

static uint64_t linux_rto_min_us(struct target *t)
{
    return t->rto_min_us;
}

static int64_t linux_now(struct target *t)
{
    return (int64_t)(synack_clock_now() - t->t0);
}

/* What the kernel sends that no script is about: anything but IPv4 and
 * IPv6, and ICMPv6 multicast listener reports (RFC 3810) and neighbour
 * discovery (RFC 4861), which it sends on its own when the device comes up
 * (a TUN device has no link layer, so no exchange needs them). */
static bool of_a_test(const uint8_t *p, size_t len)
{
    if ((p[0] >> 4) == 4)
        return true;
    if ((p[0] >> 4) != 6 || len < 40)
        return false;
    uint8_t next = p[6];
    size_t off = 40;
    if (next == 0 && off + 2 <= len) { /* MLD reports carry a hop-by-hop Router Alert */
        next = p[off];
        off += (p[off + 1] + 1u) * 8u;
    }
    if (next != 58 || off >= len) /* ICMPv6 */
        return true;
    return !(p[off] >= 130 && p[off] <= 143); /* MLD (130-132, 143), ND (133-137) */
}

static void sniff(struct target *t)
{
    for (;;) {
        ssize_t r = read(t->fd, t->buf, sizeof t->buf);
        if (r <= 0)
            return;
        if (!of_a_test(t->buf, (size_t)r)) {
            t->not_ipv4++; /* the kernel's own IPv6 housekeeping */
            continue;
        }
        if (t->offload)
            offload_tcp_checksum(t->buf, (size_t)r);
        pktq_push(&t->out, t->buf, (size_t)r, linux_now(t));
    }
}

/* The readiness of a kernel socket now. */
static int events_now(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP};
    return poll(&p, 1, 0) > 0 ? p.revents : 0;
}

/* Sleep until the kernel sends a packet, a socket's readiness changes
 * (a blocking call the runner emulates may now complete), or until. */
static bool linux_wait(struct target *t, int64_t until)
{
    uint64_t until_abs = t->t0 + (uint64_t)(until < 0 ? 0 : until);
    sniff(t);
    if (t->out.count)
        return true;
    struct pollfd p[1 + LINUX_MAX_SOCKS];
    nfds_t np = 0;
    p[np++] = (struct pollfd){.fd = t->fd, .events = POLLIN};
    bool slice = false;
    for (size_t i = 0; i < t->nsocks; i++) {
        int ev = events_now(t->socks[i]);
        if (ev & (POLLERR | POLLHUP | POLLNVAL)) {
            slice = true; /* poll would return at once: look again soon */
            continue;
        }
        short want = 0;
        if (!(ev & POLLIN))
            want |= POLLIN;
        if (!(ev & POLLOUT))
            want |= POLLOUT;
        if (!(ev & POLLPRI))
            want |= POLLPRI;
        if (want)
            p[np++] = (struct pollfd){.fd = t->socks[i], .events = want};
    }
    uint64_t now = synack_clock_now();
    uint64_t d = until_abs > now ? until_abs - now : 0;
    if (slice && d > BUSY_SLICE_US)
        d = BUSY_SLICE_US;
    struct timespec ts = {.tv_sec = (time_t)(d / 1000000u), .tv_nsec = (long)(d % 1000000u) * 1000};
    ppoll(p, np, &ts, NULL);
    sniff(t);
    return t->out.count > 0;
}

static int linux_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    ssize_t w = write(t->fd, pkt, len);
    if (w < 0)
        return -errno;
    return 0;
}

static bool linux_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    if (t->out.count == 0)
        sniff(t);
    return pktq_pop(&t->out, buf, cap, len, when);
}

/* ---- system calls on kernel sockets ---- */

static bool ours(const struct target *t, int sd)
{
    for (size_t i = 0; i < t->nsocks; i++)
        if (t->socks[i] == sd)
            return true;
    return false;
}

static void forget(struct target *t, int sd)
{
    for (size_t i = 0; i < t->nsocks; i++)
        if (t->socks[i] == sd) {
            t->socks[i] = t->socks[--t->nsocks];
            return;
        }
}

static int keep(struct target *t, int fd)
{
    if (t->nsocks == LINUX_MAX_SOCKS) {
        close(fd);
        return -EMFILE;
    }
    t->socks[t->nsocks++] = fd;
    return fd;
}

#define CHECK_SD(t, sd)                                                                            \
    do {                                                                                           \
        if (!ours(t, sd))                                                                          \
            return -EBADF;                                                                         \
    } while (0)

static int socket_of(struct target *t, int domain, int proto)
{
    if (netns_enter(&t->ns) < 0)
        return -EPERM;
    int fd = socket(domain == SYNACK_AF_INET6 ? AF_INET6 : AF_INET,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    int e = errno;
    netns_leave(&t->ns);
    return fd < 0 ? -e : keep(t, fd);
}

static int linux_socket(struct target *t, int domain)
{
    return socket_of(t, domain, IPPROTO_TCP);
}

static int linux_socket_mptcp(struct target *t, int domain)
{
    return socket_of(t, domain, 262); /* IPPROTO_MPTCP (RFC 8684) */
}

/* A sockaddr of either family; returns its length. */
static socklen_t sockaddr_of(const struct synack_addr *a, uint16_t port,
                             struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (a->family == SYNACK_AF_INET6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, a->a, 16);
        s6->sin6_port = htons(port);
        return sizeof *s6;
    }
    struct sockaddr_in *s = (struct sockaddr_in *)ss;
    s->sin_family = AF_INET;
    s->sin_addr.s_addr = htonl(synack_addr_v4(a));
    s->sin_port = htons(port);
    return sizeof *s;
}

static int linux_bind(struct target *t, int sd, const struct synack_addr *a, uint16_t p)
{
    CHECK_SD(t, sd);
    struct sockaddr_storage s;
    socklen_t n = sockaddr_of(a, p, &s);
    return bind(sd, (struct sockaddr *)&s, n) < 0 ? -errno : 0;
}

static int linux_listen(struct target *t, int sd, int b)
{
    CHECK_SD(t, sd);
    return listen(sd, b) < 0 ? -errno : 0;
}

static int linux_accept(struct target *t, int sd)
{
    CHECK_SD(t, sd);
    int fd = accept4(sd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    return fd < 0 ? -errno : keep(t, fd);
}

static int linux_connect(struct target *t, int sd, const struct synack_addr *a, uint16_t p)
{
    CHECK_SD(t, sd);
    struct sockaddr_storage s;
    socklen_t n = sockaddr_of(a, p, &s);
    return connect(sd, (struct sockaddr *)&s, n) < 0 ? -errno : 0;
}

static ssize_t linux_send(struct target *t, int sd, const void *b, size_t n, int f)
{
    CHECK_SD(t, sd);
    ssize_t r = send(sd, b, n, f | MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0 && errno == ENOTSOCK && f == 0) /* a pipe's end (non-blocking) */
        r = write(sd, b, n);
    return r < 0 ? -errno : r;
}

static ssize_t linux_recv_sock(struct target *t, int sd, void *b, size_t n, int f)
{
    CHECK_SD(t, sd);
    ssize_t r = recv(sd, b, n, f | MSG_DONTWAIT);
    if (r < 0 && errno == ENOTSOCK && f == 0) /* a pipe's end (non-blocking) */
        r = read(sd, b, n);
    return r < 0 ? -errno : r;
}

static int linux_shutdown(struct target *t, int sd, int how)
{
    CHECK_SD(t, sd);
    return shutdown(sd, how) < 0 ? -errno : 0;
}

static int linux_close_sock(struct target *t, int sd)
{
    CHECK_SD(t, sd);
    forget(t, sd);
    return close(sd) < 0 ? -errno : 0;
}

/* synack's per-socket switches of the TCP extensions have no Linux
 * equivalent but the sysctls whose values they take: set the vector's
 * namespace's, which every connection made after it reads. */
static const char *extension_sysctl(int level, int name)
{
    if (level != SYNACK_SOL_TCP)
        return NULL;
    switch (name) {
    case SYNACK_TCP_WINDOW_SCALING: return "net/ipv4/tcp_window_scaling";
    case SYNACK_TCP_TIMESTAMPS: return "net/ipv4/tcp_timestamps";
    case SYNACK_TCP_SACK: return "net/ipv4/tcp_sack";
    case SYNACK_TCP_DSACK: return "net/ipv4/tcp_dsack";
    case SYNACK_TCP_ECN: return "net/ipv4/tcp_ecn";
    case SYNACK_TCP_FASTOPEN_MODE: return "net/ipv4/tcp_fastopen";
    default: return NULL;
    }
}

static int linux_setsockopt(struct target *t, int sd, int level, int name, const void *v, size_t n)
{
    CHECK_SD(t, sd);
    const char *sysctl = extension_sysctl(level, name);
    if (sysctl) {
        int val;
        if (n < sizeof val)
            return -EINVAL;
        memcpy(&val, v, sizeof val);
        char text[16];
        snprintf(text, sizeof text, "%d", val);
        if (netns_enter(&t->ns) < 0)
            return -EPERM;
        int r = netns_sysctl(sysctl, text);
        netns_leave(&t->ns);
        return r;
    }
    return setsockopt(sd, level, name, v, (socklen_t)n) < 0 ? -errno : 0;
}

static int linux_getsockopt(struct target *t, int sd, int level, int name, void *v, size_t *n)
{
    CHECK_SD(t, sd);
    socklen_t l = (socklen_t)*n;
    if (getsockopt(sd, level, name, v, &l) < 0)
        return -errno;
    *n = l;
    return 0;
}

static int linux_events(struct target *t, int sd)
{
    if (!ours(t, sd))
        return SYNACK_POLLERR;
    int ev = events_now(sd);
    return ev & (SYNACK_POLLIN | SYNACK_POLLPRI | SYNACK_POLLOUT | SYNACK_POLLERR |
                 SYNACK_POLLHUP | SYNACK_POLLRDHUP);
}

static int linux_info(struct target *t, int sd, struct synack_tcp_info *i)
{
    CHECK_SD(t, sd);
    struct tcp_info ti;
    socklen_t l = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(sd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
        return -errno;
    linux_info_convert(&ti, i);
    return 0;
}

/* The kernel's TCP_INFO as it is, and SO_MEMINFO, for python blocks. */
static int linux_tcpi(struct target *t, int sd, struct target_tcpi *out)
{
    CHECK_SD(t, sd);
    uint8_t buf[512];
    socklen_t l = sizeof buf;
    memset(buf, 0, sizeof buf);
    if (getsockopt(sd, IPPROTO_TCP, TCP_INFO, buf, &l) < 0)
        return -errno;
    tcpi_from_linux(buf, l, out);
    uint32_t mem[SK_MEMINFO_VARS];
    l = sizeof mem;
    if (getsockopt(sd, SOL_SOCKET, SO_MEMINFO, mem, &l) == 0)
        tcpi_add_meminfo(mem, l / sizeof mem[0], out);
    return 0;
}

static ssize_t linux_sendmsg(struct target *t, int sd, const struct target_msg *m, int flags)
{
    CHECK_SD(t, sd);
    static const uint8_t zeros[65536];
    struct sockaddr_storage to;
    socklen_t tolen = sockaddr_of(&m->addr, m->port, &to);
    if (m->unspec)
        to.ss_family = AF_UNSPEC; /* the kernel's answer to it is the point */
    struct iovec iov = {(void *)zeros, m->len < sizeof zeros ? m->len : sizeof zeros};
    struct msghdr h = {.msg_name = m->name_given ? &to : NULL,
                       .msg_namelen = m->name_given ? tolen : 0,
                       .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = m->controllen ? m->control : NULL,
                       .msg_controllen = m->controllen};
    ssize_t r = sendmsg(sd, &h, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    return r < 0 ? -errno : r;
}

static const uint8_t send_zeros[65536];

static void *blocking_send_run(void *arg)
{
    struct target *t = arg;
    struct iovec iov = {(void *)send_zeros, t->blk.len};
    struct msghdr h = {.msg_name = t->blk.tolen ? &t->blk.to : NULL, .msg_namelen = t->blk.tolen,
                       .msg_iov = &iov, .msg_iovlen = 1};
    atomic_store(&t->blk.tid, (int)gettid());
    atomic_store(&t->blk.started, true);
    ssize_t r = sendmsg(t->blk.sd, &h, t->blk.flags | MSG_NOSIGNAL);
    t->blk.rc = r < 0 ? -errno : r;
    atomic_store(&t->blk.done, true);
    return NULL;
}

/* The blocking send's thread is asleep in the kernel (it blocks), or done. */
static bool blocking_asleep(struct target *t)
{
    if (atomic_load(&t->blk.done))
        return true;
    if (!atomic_load(&t->blk.started))
        return false;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", atomic_load(&t->blk.tid));
    FILE *f = fopen(path, "r");
    if (!f)
        return atomic_load(&t->blk.done);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *state = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return state && (state[2] == 'S' || state[2] == 'D');
}

/* Until the kernel has done what does not block (the SYN is out) and the
 * call either returned or sleeps: a loaded machine may be slow to run the
 * thread, and the script's next event must not overtake it (1 s at most). */
static void blocking_settle(struct target *t)
{
    for (int i = 0; i < 10000 && !blocking_asleep(t); i++) {
        struct timespec step = {0, 100000};
        nanosleep(&step, NULL);
    }
}

static int linux_send_start(struct target *t, int sd, const struct target_msg *m, int flags)
{
    CHECK_SD(t, sd);
    if (t->blk.active || m->controllen || m->len > sizeof send_zeros)
        return -EINVAL;
    t->blk.sd = sd;
    t->blk.flags = flags & ~MSG_DONTWAIT;
    t->blk.len = m->len;
    t->blk.tolen = m->name_given ? sockaddr_of(&m->addr, m->port, &t->blk.to) : 0;
    if (m->unspec)
        t->blk.to.ss_family = AF_UNSPEC;
    t->blk.fl = fcntl(sd, F_GETFL);
    if (t->blk.fl < 0 || fcntl(sd, F_SETFL, t->blk.fl & ~O_NONBLOCK) < 0)
        return -errno;
    atomic_store(&t->blk.done, false);
    atomic_store(&t->blk.started, false);
    int e = pthread_create(&t->blk.thread, NULL, blocking_send_run, t);
    if (e != 0) {
        fcntl(sd, F_SETFL, t->blk.fl);
        return -e;
    }
    t->blk.active = true;
    blocking_settle(t);
    return 0;
}

static bool linux_send_done(struct target *t, ssize_t *rc)
{
    if (!t->blk.active)
        return false;
    blocking_settle(t); /* woken by what the script did: let it run */
    if (!atomic_load(&t->blk.done))
        return false;
    blocking_join(t);
    *rc = t->blk.rc;
    return true;
}

static ssize_t linux_recvmsg(struct target *t, int sd, struct target_msg *m, int flags)
{
    CHECK_SD(t, sd);
    struct sockaddr_storage from;
    struct iovec iov = {t->buf, m->len < sizeof t->buf ? m->len : sizeof t->buf};
    struct msghdr h = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                       .msg_iovlen = 1, .msg_control = m->controllen ? m->control : NULL,
                       .msg_controllen = m->controllen};
    ssize_t r = recvmsg(sd, &h, flags | MSG_DONTWAIT);
    if (r < 0)
        return -errno;
    m->controllen = h.msg_controllen;
    m->msg_flags = h.msg_flags;
    return r;
}

static int linux_ioctl(struct target *t, int sd, unsigned long request, int *val)
{
    CHECK_SD(t, sd);
    return ioctl(sd, request, val) < 0 ? -errno : 0;
}

static int linux_epoll_create(struct target *t)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);
    return fd < 0 ? -errno : keep(t, fd);
}

static int linux_epoll_ctl(struct target *t, int ep, int op, int sd, uint32_t events,
                           uint64_t data)
{
    CHECK_SD(t, ep);
    CHECK_SD(t, sd);
    struct epoll_event ev = {.events = events, .data.u64 = data};
    return epoll_ctl(ep, op, sd, &ev) < 0 ? -errno : 0;
}

static int linux_epoll_wait(struct target *t, int ep, struct target_epoll_event *out, int max)
{
    CHECK_SD(t, ep);
    struct epoll_event ev[64];
    int n = epoll_wait(ep, ev, max < 64 ? max : 64, 0);
    if (n < 0)
        return -errno;
    for (int i = 0; i < n; i++)
        out[i] = (struct target_epoll_event){ev[i].events, ev[i].data.u64};
    return n;
}

static int linux_pipe(struct target *t, int ends[2])
{
    if (t->nsocks + 2 > LINUX_MAX_SOCKS)
        return -EMFILE;
    if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    keep(t, ends[0]);
    keep(t, ends[1]);
    return 0;
}

static ssize_t linux_splice(struct target *t, int in, int out, size_t len, unsigned flags)
{
    CHECK_SD(t, in);
    CHECK_SD(t, out);
    ssize_t r = splice(in, NULL, out, NULL, len, flags | SPLICE_F_NONBLOCK);
    return r < 0 ? -errno : r;
}

/* A shell line as packetdrill runs it: /bin/sh in the vector's namespace,
 * from the script's folder (as root: the script is trusted, as with
 * packetdrill). */
#define SHELL_TIMEOUT_MS 120000

static int linux_shell(struct target *t, const char *cmd, const char *cwd, char *why, size_t n)
{
    char out[400];
    int st = netns_shell(&t->ns, cmd, cwd, SHELL_TIMEOUT_MS, out, sizeof out);
    if (st == 0)
        return TARGET_SHELL_DONE;
    for (char *p = out; *p; p++)
        if (*p == '\n')
            *p = *(p + 1) ? ' ' : '\0';
    if (st < 0)
        snprintf(why, n, "cannot run /bin/sh: %s", strerror(-st));
    else
        snprintf(why, n, "exit status %d%s%s", st, out[0] ? ": " : "", out);
    return TARGET_SHELL_FAILED;
}

const struct target_ops target_linux = {
    .name = "linux",
    .virtual_time = false,
    .offload = true,
    .ipv6 = true,
    .multihomed = true,
    .accecn = true, /* Linux 6.18: net.ipv4.tcp_ecn 3 (RFC 9768) */
    .sock_socket_mptcp = linux_socket_mptcp,
    .open = linux_open,
    .close = linux_close,
    .now = linux_now,
    .wait = linux_wait,
    .inject = linux_inject,
    .recv = linux_recv,
    .sock_socket = linux_socket,
    .sock_bind = linux_bind,
    .sock_listen = linux_listen,
    .sock_accept = linux_accept,
    .sock_connect = linux_connect,
    .sock_send = linux_send,
    .sock_recv = linux_recv_sock,
    .sock_shutdown = linux_shutdown,
    .sock_close = linux_close_sock,
    .sock_setsockopt = linux_setsockopt,
    .sock_getsockopt = linux_getsockopt,
    .sock_events = linux_events,
    .sock_info = linux_info,
    .shell = linux_shell,
    .sock_tcpi = linux_tcpi,
    .sock_sendmsg = linux_sendmsg,
    .sock_send_start = linux_send_start,
    .sock_send_done = linux_send_done,
    .sock_recvmsg = linux_recvmsg,
    .sock_ioctl = linux_ioctl,
    .epoll_create = linux_epoll_create,
    .epoll_ctl = linux_epoll_ctl,
    .epoll_wait = linux_epoll_wait,
    .pipe = linux_pipe,
    .splice = linux_splice,
    .rto_min_us = linux_rto_min_us,
};

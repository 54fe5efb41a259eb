/* The TUN link (IFF_TUN | IFF_NO_PI, with IFF_VNET_HDR offloads) and the
 * real-clock event loop. Owns the device descriptor, the ioctls that
 * configure the kernel's side, and the optional impairment stage; the
 * stack itself stays sans-I/O. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/virtio_net.h>

#include <synack/link_tun.h>
#include <synack/wire.h>

#include "link/gso.h"
#include "link/tun_ring.h"

#define VNET_HDR ((int)sizeof(struct virtio_net_hdr))
#define TUN_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4) /* TSO for IPv4: link/gso.c cuts TCP/IPv4 */

#define TUN_BUF 65536
#define TUN_BATCH 64 /* datagrams read before the stack answers (MUST-58) */
/* Batches read per call while the device has more: the kernel's queue
 * (txqueuelen datagrams) drops what arrives while it is full, so a turn
 * drains it rather than leave it to the next wait; bounded, so timers and
 * the application still get their turn under a flood. */
#define TUN_DRAIN_BATCHES 16

struct synack_tun {
    int fd;
    char name[IFNAMSIZ];
    bool created;
    struct synack_tun_stats st;
    struct synack_pcap *pcap;
    uint64_t pcap_epoch;               /* realtime - monotonic, for pcap timestamps */
    struct synack_memlink *impair;     /* end 0: the device, end 1: the stack */
    enum synack_tun_dir impair_dir;
    struct synack_link impair_from_dev, impair_from_stack;
    struct synack_stack *stack;        /* where the impairment stage delivers */
    uint64_t due;                      /* the earliest deadline when the last turn ended */
    bool vnet;                         /* IFF_VNET_HDR: a virtio_net_hdr before each datagram */
    bool offload;                      /* TUNSETOFFLOAD took checksum and TSO */
    struct tun_ring *ring;             /* io_uring: batched reads and writes (cfg->batch) */
    unsigned ring_reads;               /* reads the next batch submits */
    uint8_t buf[VNET_HDR + TUN_BUF];
    uint8_t seg[GSO_SEG_MAX];          /* one segment cut in software (captures, impairment) */
};

uint64_t synack_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t realtime_offset(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t real = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    return real - synack_clock_now();
}

/* TUNSETIFF, with IFF_VNET_HDR when offloads are asked for (and plain
 * when the kernel refuses that); then the offloads themselves. */
static int set_iff(struct synack_tun *t, struct ifreq *ifr, bool offload)
{
    if (offload) {
        struct ifreq v = *ifr;
        v.ifr_flags |= IFF_VNET_HDR;
        if (ioctl(t->fd, TUNSETIFF, &v) == 0) {
            *ifr = v;
            t->vnet = true;
            t->offload = ioctl(t->fd, TUNSETOFFLOAD, (unsigned long)TUN_OFFLOADS) == 0;
            return 0;
        }
    }
    if (ioctl(t->fd, TUNSETIFF, ifr) < 0)
        return -1;
    /* a persistent device keeps the offloads a former user set, and would
     * hand this descriptor datagrams larger than the MTU */
    ioctl(t->fd, TUNSETOFFLOAD, 0ul);
    return 0;
}

struct synack_tun *synack_tun_open(const struct synack_tun_config *cfg, char *err, size_t n)
{
    const char *name = cfg && cfg->name ? cfg->name : "";
    if (strlen(name) >= IFNAMSIZ) {
        snprintf(err, n, "device name '%s' is longer than %d characters", name, IFNAMSIZ - 1);
        return NULL;
    }
    struct synack_tun *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    bool existed = name[0] && if_nametoindex(name) != 0;
    t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (t->fd < 0) {
        int e = errno;
        snprintf(err, n, "/dev/net/tun: %s%s", strerror(e),
                 e == EACCES || e == EPERM ? " (creating a TUN device needs CAP_NET_ADMIN)" : "");
        free(t);
        return NULL;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (set_iff(t, &ifr, cfg && cfg->offload) < 0) {
        int e = errno;
        if (e == EINVAL && existed)
            snprintf(err, n, "%s exists but is not a TUN device without packet information "
                     "(create it with: ip tuntap add dev %s mode tun)", name, name);
        else if (e == EPERM || e == EBUSY)
            snprintf(err, n, "TUNSETIFF %s: %s (%s)", name[0] ? name : "synack%d", strerror(e),
                     e == EPERM ? "needs CAP_NET_ADMIN, or a device owned by this user"
                                : "another process holds the device");
        else
            snprintf(err, n, "TUNSETIFF %s: %s", name[0] ? name : "synack%d", strerror(e));
        close(t->fd);
        free(t);
        return NULL;
    }
    memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
    t->name[IFNAMSIZ - 1] = '\0';
    t->created = !existed;
    if (cfg && cfg->batch)
        t->ring = tun_ring_new(t->fd, TUN_BATCH, sizeof t->buf);
    t->ring_reads = TUN_BATCH;
    t->pcap_epoch = realtime_offset();
    t->due = SYNACK_TIME_NEVER;
    return t;
}

static void flush(struct synack_tun *t);

void synack_tun_close(struct synack_tun *t)
{
    if (!t)
        return;
    if (t->ring) {
        flush(t);
        tun_ring_free(t->ring);
    }
    if (t->fd >= 0)
        close(t->fd);
    synack_memlink_free(t->impair);
    free(t);
}

int synack_tun_fd(const struct synack_tun *t) { return t->fd; }
const char *synack_tun_name(const struct synack_tun *t) { return t->name; }
bool synack_tun_created(const struct synack_tun *t) { return t->created; }
bool synack_tun_offload(const struct synack_tun *t) { return t->offload; }
bool synack_tun_batched(const struct synack_tun *t) { return t->ring != NULL; }
const struct synack_tun_stats *synack_tun_stats(const struct synack_tun *t) { return &t->st; }

/* ---- configuring the kernel's side ---- */

static void set_sin(struct sockaddr *sa, uint32_t addr)
{
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(addr);
    memcpy(sa, &sin, sizeof sin);
}

static int if_ioctl(int sock, unsigned long req, struct ifreq *ifr, const char *what,
                    const char *dev, char *err, size_t n)
{
    if (ioctl(sock, req, ifr) == 0)
        return 0;
    int e = errno;
    snprintf(err, n, "%s on %s: %s", what, dev, strerror(e));
    return -e;
}

/* Linux's struct in6_ifreq (<linux/ipv6.h>, which cannot be included
 * beside <netinet/in.h>): the same layout. */
struct tun_in6_ifreq {
    struct in6_addr addr;
    uint32_t prefixlen;
    int ifindex;
};

static bool is_zero16(const uint8_t *a)
{
    for (int i = 0; i < 16; i++)
        if (a[i])
            return false;
    return true;
}

/* An IPv6 address is tentative until the kernel's address work has run,
 * even without duplicate address detection (RFC 4862 5.4): wait, up to 2 s,
 * until a socket can be bound to it. */
static int await_v6(struct synack_tun *t, const uint8_t addr[16], char *err, size_t n)
{
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
    memcpy(&sa.sin6_addr, addr, 16);
    for (int i = 0; i < 200; i++) {
        int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0)
            break;
        int r = bind(s, (struct sockaddr *)&sa, sizeof sa);
        close(s);
        if (r == 0)
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    snprintf(err, n, "IPv6 address on %s still not usable after 2 s (duplicate address "
             "detection on?)", t->name);
    return -EADDRNOTAVAIL;
}

/* The kernel's IPv6 address on the device and, asked for, the IPv6
 * default route through it (SIOCSIFADDR, SIOCADDRT on an AF_INET6 socket). */
static int configure_v6(struct synack_tun *t, const struct synack_tun_addr *a, char *err,
                        size_t n)
{
    int sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int ifindex = (int)if_nametoindex(t->name);
    if (sock < 0 || ifindex == 0) {
        int e = errno;
        snprintf(err, n, "IPv6 on %s: %s", t->name, strerror(e));
        if (sock >= 0)
            close(sock);
        return -e;
    }
    struct tun_in6_ifreq r6 = {.prefixlen = a->prefix6_len ? a->prefix6_len : 64,
                               .ifindex = ifindex};
    memcpy(&r6.addr, a->kernel_addr6, 16);
    int rc = 0;
    if (ioctl(sock, SIOCSIFADDR, &r6) < 0 && errno != EEXIST) {
        rc = -errno;
        snprintf(err, n, "SIOCSIFADDR (IPv6) on %s: %s", t->name, strerror(-rc));
    }
    if (rc == 0 && a->default_route) {
        struct in6_rtmsg rt;
        memset(&rt, 0, sizeof rt);
        rt.rtmsg_flags = RTF_UP;
        rt.rtmsg_metric = 1;
        rt.rtmsg_ifindex = ifindex;
        if (ioctl(sock, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
            rc = -errno;
            snprintf(err, n, "IPv6 default route via %s: %s", t->name, strerror(-rc));
        }
    }
    close(sock);
    return rc ? rc : await_v6(t, a->kernel_addr6, err, n);
}

int synack_tun_configure(struct synack_tun *t, const struct synack_tun_addr *a, char *err,
                         size_t n)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        int e = errno;
        snprintf(err, n, "socket: %s", strerror(e));
        return -e;
    }
    struct ifreq ifr;
    int rc = 0;
#define IFR_RESET() (memset(&ifr, 0, sizeof ifr), memcpy(ifr.ifr_name, t->name, IFNAMSIZ))
    if (a->mtu) {
        IFR_RESET();
        ifr.ifr_mtu = a->mtu;
        rc = if_ioctl(sock, SIOCSIFMTU, &ifr, "SIOCSIFMTU", t->name, err, n);
    }
    if (rc == 0 && a->txqueuelen) {
        IFR_RESET();
        ifr.ifr_qlen = (int)a->txqueuelen;
        rc = if_ioctl(sock, SIOCSIFTXQLEN, &ifr, "SIOCSIFTXQLEN", t->name, err, n);
    }
    if (rc == 0 && a->kernel_addr) {
        IFR_RESET();
        set_sin(&ifr.ifr_addr, a->kernel_addr);
        rc = if_ioctl(sock, SIOCSIFADDR, &ifr, "SIOCSIFADDR", t->name, err, n);
        if (rc == 0 && a->peer_addr) {
            IFR_RESET();
            set_sin(&ifr.ifr_dstaddr, a->peer_addr);
            rc = if_ioctl(sock, SIOCSIFDSTADDR, &ifr, "SIOCSIFDSTADDR", t->name, err, n);
        } else if (rc == 0 && a->prefix_len && a->prefix_len < 32) {
            uint32_t mask = ~0u << (32 - a->prefix_len);
            IFR_RESET();
            set_sin(&ifr.ifr_netmask, mask);
            rc = if_ioctl(sock, SIOCSIFNETMASK, &ifr, "SIOCSIFNETMASK", t->name, err, n);
            if (rc == 0) {
                IFR_RESET();
                set_sin(&ifr.ifr_broadaddr, a->kernel_addr | ~mask);
                rc = if_ioctl(sock, SIOCSIFBRDADDR, &ifr, "SIOCSIFBRDADDR", t->name, err, n);
            }
        }
    }
    if (rc == 0) {
        IFR_RESET();
        rc = if_ioctl(sock, SIOCGIFFLAGS, &ifr, "SIOCGIFFLAGS", t->name, err, n);
        if (rc == 0 && !(ifr.ifr_flags & IFF_UP)) {
            ifr.ifr_flags |= IFF_UP;
            rc = if_ioctl(sock, SIOCSIFFLAGS, &ifr, "SIOCSIFFLAGS", t->name, err, n);
        }
    }
#undef IFR_RESET
    if (rc == 0 && a->default_route) {
        struct rtentry rt;
        memset(&rt, 0, sizeof rt);
        set_sin(&rt.rt_dst, 0);
        set_sin(&rt.rt_genmask, 0);
        set_sin(&rt.rt_gateway, 0);
        rt.rt_flags = RTF_UP;
        rt.rt_dev = t->name;
        if (ioctl(sock, SIOCADDRT, &rt) < 0 && errno != EEXIST) {
            rc = -errno;
            snprintf(err, n, "default route via %s: %s", t->name, strerror(-rc));
        }
    }
    close(sock);
    if (rc == 0 && !is_zero16(a->kernel_addr6))
        rc = configure_v6(t, a, err, n);
    return rc;
}

/* ---- moving datagrams ---- */

static void record(struct synack_tun *t, const uint8_t *pkt, size_t len, uint64_t now)
{
    if (t->pcap)
        synack_pcap_write(t->pcap, pkt, len, now + t->pcap_epoch);
}

struct seg_to {
    struct synack_tun *t;
    uint64_t now;
};

static void record_seg(void *ctx, const uint8_t *seg, size_t len)
{
    struct seg_to *c = ctx;
    record(c->t, seg, len, c->now);
}

static void impair_seg(void *ctx, const uint8_t *seg, size_t len)
{
    struct seg_to *c = ctx;
    c->t->impair_from_stack.send(c->t->impair_from_stack.ctx, seg, len, c->now);
}

/* A datagram that is more than one segment, or whose checksum is partial,
 * as it would be on a wire: cut and checksummed in software (the capture
 * shows what the peer and an observer would see; the impairment stage
 * loses segments, not batches of them). */
static bool needs_cut(const struct synack_pkt *p)
{
    return (p->flags & (SYNACK_PKT_GSO | SYNACK_PKT_CSUM_PARTIAL)) != 0;
}

static void complete_csum(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h);

/* A datagram link/gso.c does not cut (IPv6): its pieces in t->seg, a
 * partial checksum completed, as the peer gets it. Its length. */
static size_t flatten(struct synack_tun *t, const struct synack_pkt *p)
{
    size_t n = 0;
    for (unsigned i = 0; i < p->niov && n + p->iov[i].len <= sizeof t->seg; i++) {
        memcpy(t->seg + n, p->iov[i].base, p->iov[i].len);
        n += p->iov[i].len;
    }
    struct virtio_net_hdr h = {.csum_start = p->csum_start, .csum_offset = p->csum_offset};
    if (p->flags & SYNACK_PKT_CSUM_PARTIAL)
        h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    complete_csum(t->seg, n, &h);
    return n;
}

static void record_pkt(struct synack_tun *t, const struct synack_pkt *p, uint64_t now)
{
    struct seg_to c = {t, now};
    if (!t->pcap)
        return;
    if (p->niov == 1 && !needs_cut(p))
        record(t, p->iov[0].base, p->len, now);
    else if (gso_segment(p, t->seg, record_seg, &c) < 0)
        record(t, t->seg, flatten(t, p), now);
}

/* The device's header for a datagram: what is left for the kernel to do. */
static struct virtio_net_hdr vnet_hdr(const struct synack_pkt *p)
{
    struct virtio_net_hdr h = {0};
    if (p->flags & SYNACK_PKT_CSUM_PARTIAL) {
        h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h.csum_start = p->csum_start;
        h.csum_offset = p->csum_offset;
    }
    const uint8_t *ip = p->iov[0].base;
    size_t ihl = (ip[0] & 0x0fu) * 4u;
    if ((p->flags & SYNACK_PKT_GSO) && p->iov[0].len >= ihl + 20) {
        h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
        if (ip[ihl + 13] & SYNACK_TCP_CWR)
            h.gso_type |= VIRTIO_NET_HDR_GSO_ECN; /* CWR on the first segment only */
        h.gso_size = p->gso_size;
        h.hdr_len = (uint16_t)(ihl + (ip[ihl + 12] >> 4) * 4u);
    }
    return h;
}

/* The queued writes and `reads` reads in one call (the ring's); what
 * failed among the writes, counted when it was queued, counted again as
 * an error now. The reads submitted, or -errno. */
static int submit(struct synack_tun *t, unsigned reads)
{
    uint64_t ok = 0, failed = 0;
    int n = tun_ring_submit(t->ring, reads, &ok, &failed);
    t->st.tx -= failed;
    t->st.tx_errors += failed;
    return n;
}

static void flush(struct synack_tun *t)
{
    if (t->ring && tun_ring_pending(t->ring))
        submit(t, 0);
}

void synack_tun_flush(struct synack_tun *t)
{
    flush(t);
}

/* One datagram to the device: queued on the ring (out with the next
 * submit), or written now. */
static ssize_t dev_out(struct synack_tun *t, const struct iovec *iov, int n, size_t len)
{
    if (t->ring && !tun_ring_write(t->ring, iov, n, len)) {
        flush(t); /* the queue was full, or the datagram is long: in order */
        if (tun_ring_write(t->ring, iov, n, len))
            return (ssize_t)len;
    } else if (t->ring) {
        return (ssize_t)len;
    }
    return writev(t->fd, iov, n);
}

static int dev_writev(struct synack_tun *t, const struct synack_pkt *p)
{
    struct virtio_net_hdr h = vnet_hdr(p);
    struct iovec iov[1 + SYNACK_PKT_IOV_MAX];
    int n = 0;
    if (t->vnet)
        iov[n++] = (struct iovec){&h, sizeof h};
    for (unsigned i = 0; i < p->niov && i < SYNACK_PKT_IOV_MAX; i++)
        iov[n++] = (struct iovec){(void *)p->iov[i].base, p->iov[i].len};
    size_t len = (t->vnet ? sizeof h : 0) + p->len;
    if (dev_out(t, iov, n, len) != (ssize_t)len) {
        t->st.tx_errors++;
        return -1;
    }
    t->st.tx++;
    t->st.tx_bytes += p->len;
    if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE)
        t->st.tx_gso++;
    return 0;
}

static int dev_write(struct synack_tun *t, const uint8_t *pkt, size_t len)
{
    struct synack_pkt p = gso_whole(pkt, len);
    return dev_writev(t, &p);
}

static int tun_sendv(void *ctx, const struct synack_pkt *p, uint64_t now)
{
    struct synack_tun *t = ctx;
    record_pkt(t, p, now); /* as the stack sent it, before any impairment */
    if (t->impair && t->impair_dir != SYNACK_TUN_TO_STACK) {
        struct seg_to c = {t, now};
        if (p->niov == 1 && !needs_cut(p)) /* ICMP, or a segment as it is */
            return t->impair_from_stack.send(t->impair_from_stack.ctx, p->iov[0].base, p->len,
                                             now);
        if (gso_segment(p, t->seg, impair_seg, &c) < 0) /* IPv6: whole */
            return t->impair_from_stack.send(t->impair_from_stack.ctx, t->seg, flatten(t, p),
                                             now);
        return 0;
    }
    return dev_writev(t, p);
}

static int tun_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_pkt p = gso_whole(pkt, len);
    return tun_sendv(ctx, &p, now);
}

struct synack_link synack_tun_link(struct synack_tun *t)
{
    if (!t->offload)
        return (struct synack_link){.send = tun_send, .ctx = t};
    return (struct synack_link){.send = tun_send, .ctx = t, .sendv = tun_sendv,
                                .offload = SYNACK_LINK_CSUM | SYNACK_LINK_TSO,
                                .tso_max = GSO_SEG_MAX};
}

void synack_tun_set_pcap(struct synack_tun *t, struct synack_pcap *p)
{
    t->pcap = p;
}

int synack_tun_impair(struct synack_tun *t, const struct synack_memlink_config *cfg,
                      enum synack_tun_dir dir)
{
    if (cfg && synack_memlink_config_check(cfg) < 0)
        return -EINVAL;
    struct synack_memlink *l = synack_memlink_new(cfg);
    if (!l)
        return -ENOMEM;
    synack_memlink_free(t->impair);
    t->impair = l;
    t->impair_dir = dir;
    /* the stage loses segments, not the kernel's batches of them: no more
     * of those from the device (what the stack sends is cut in software) */
    if (t->offload && dir != SYNACK_TUN_TO_DEVICE)
        ioctl(t->fd, TUNSETOFFLOAD, 0ul);
    t->impair_from_dev = synack_memlink_end(l, 0);
    t->impair_from_stack = synack_memlink_end(l, 1);
    return 0;
}

const struct synack_memlink_stats *synack_tun_impair_stats(const struct synack_tun *t)
{
    return t->impair ? synack_memlink_stats(t->impair) : NULL;
}

/* The impairment stage hands a datagram on: to end 1 is the stack, to end
 * 0 the device. */
static void impair_deliver(void *ctx, int to, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_tun *t = ctx;
    if (to == 1) {
        record(t, pkt, len, now); /* as the stack receives it, after the impairment */
        if (t->stack)
            synack_stack_input(t->stack, pkt, len, now);
    } else {
        dev_write(t, pkt, len);
    }
}

/* What the device's header says of a datagram read: the checksum is good
 * or the kernel's own (left partial), it is more than one segment. */
static unsigned from_device(struct synack_tun *t, const struct virtio_net_hdr *h,
                            struct synack_pkt *p)
{
    unsigned in = 0;
    if (h->flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
        in |= SYNACK_INPUT_CSUM_OK;
    if (h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
        p->flags |= SYNACK_PKT_CSUM_PARTIAL;
    if ((h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) {
        p->flags |= SYNACK_PKT_GSO;
        p->gso_size = h->gso_size;
        t->st.rx_gso++;
    }
    return in;
}

static void impair_in_seg(void *ctx, const uint8_t *seg, size_t len)
{
    struct seg_to *c = ctx;
    c->t->impair_from_dev.send(c->t->impair_from_dev.ctx, seg, len, c->now);
}

/* IPv4, and IPv6 for a dual-stack stack (synack_config.addr6 set). */
static bool stack_runs_version(const struct synack_stack *s, unsigned version)
{
    static const uint8_t none[16];
    return version == 4 ||
           (version == 6 && memcmp(synack_stack_config(s)->addr6, none, 16) != 0);
}

/* A checksum the kernel left partial, completed as a NIC would (for
 * IPv6, which the stack checks itself): the sum of every octet from
 * csum_start to the end, stored complemented at csum_start + csum_offset. */
static void complete_csum(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h)
{
    size_t at = (size_t)h->csum_start + h->csum_offset;
    if (!(h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || h->csum_start >= len || at + 2 > len)
        return;
    uint16_t sum = synack_cksum_fold(synack_cksum_add(0, pkt + h->csum_start,
                                                      len - h->csum_start)); /* complemented */
    synack_put16(pkt + at, sum);
}

/* One datagram read from the device: to the stack (whole: it takes the
 * kernel's segments as they come), or cut into the impairment stage. */
static void input_one(struct synack_tun *t, struct synack_stack *s, uint8_t *pkt, size_t len,
                      const struct virtio_net_hdr *h, bool *batch, uint64_t now)
{
    if (!stack_runs_version(s, pkt[0] >> 4)) {
        record(t, pkt, len, now);
        t->st.rx_not_ipv4++; /* IPv6 the kernel emits on the device, for one */
        return;
    }
    if ((pkt[0] >> 4) != 4) { /* IPv6: never a GSO batch (no TSO6 asked for) */
        complete_csum(pkt, len, h);
        record(t, pkt, len, now);
        if (t->impair && t->impair_dir != SYNACK_TUN_TO_DEVICE) {
            t->impair_from_dev.send(t->impair_from_dev.ctx, pkt, len, now);
            return;
        }
        if (!*batch) {
            synack_stack_batch_begin(s);
            *batch = true;
        }
        synack_stack_input(s, pkt, len, now);
        return;
    }
    struct synack_pkt p = gso_whole(pkt, len);
    unsigned in = from_device(t, h, &p);
    if (t->impair && t->impair_dir != SYNACK_TUN_TO_DEVICE) {
        struct seg_to c = {t, now};
        if (!needs_cut(&p) || gso_segment(&p, t->seg, impair_in_seg, &c) < 0)
            t->impair_from_dev.send(t->impair_from_dev.ctx, pkt, len, now);
        return;
    }
    record_pkt(t, &p, now);
    if (!*batch) {
        synack_stack_batch_begin(s);
        *batch = true;
    }
    synack_stack_input_flags(s, pkt, len, in, now);
}

/* A read of r octets into buf (the device's header first, with
 * offloads) to the stack; false when it carried no datagram. */
static bool input_read(struct synack_tun *t, struct synack_stack *s, uint8_t *buf, size_t r,
                       bool *batch, uint64_t now)
{
    size_t hl = t->vnet ? VNET_HDR : 0;
    if (r <= hl) {
        t->st.rx_errors++; /* a header and nothing after it */
        return false;
    }
    size_t len = r - hl;
    t->st.rx++;
    t->st.rx_bytes += len;
    struct virtio_net_hdr h = {0};
    if (t->vnet)
        memcpy(&h, buf, sizeof h);
    input_one(t, s, buf + hl, len, &h, batch, now);
    return true;
}

/* A failed read: nothing waiting (*empty), or an error counted. */
static int read_failed(struct synack_tun *t, int e, bool *empty)
{
    *empty = true;
    if (e == EAGAIN || e == EWOULDBLOCK)
        return 0;
    t->st.rx_errors++;
    return -e;
}

/* One batch through the ring: the queued writes and some reads in one
 * call (as many as the last batch read and as many again, 4 to
 * TUN_BATCH: a read that finds nothing costs the kernel little, but not
 * nothing), then what they read into s, in order. 0 or -errno. */
static int input_ring(struct synack_tun *t, struct synack_stack *s, uint64_t now, bool *empty,
                      bool *batch, int *count)
{
    int rc = 0;
    int n = submit(t, t->ring_reads);
    if (n < 0)
        return read_failed(t, -n, empty);
    for (int i = 0; i < n; i++) {
        uint8_t *buf;
        long r = tun_ring_result(t->ring, (unsigned)i, &buf);
        int e = r < 0 ? read_failed(t, (int)-r, empty) : 0;
        if (e)
            rc = e;
        else if (r > 0)
            *count += input_read(t, s, buf, (size_t)r, batch, now);
    }
    unsigned next = 2u * (unsigned)*count;
    t->ring_reads = next < 4 ? 4 : next > TUN_BATCH ? TUN_BATCH : next;
    return rc;
}

/* One batch of read(2)s, one datagram each. 0 or -errno. */
static int input_reads(struct synack_tun *t, struct synack_stack *s, uint64_t now, bool *empty,
                       bool *batch, int *count)
{
    while (*count < TUN_BATCH) {
        ssize_t r = read(t->fd, t->buf, sizeof t->buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return read_failed(t, errno, empty);
        if (r == 0) {
            *empty = true;
            return 0;
        }
        *count += input_read(t, s, t->buf, (size_t)r, batch, now);
    }
    return 0;
}

/* One batch: up to TUN_BATCH datagrams into s. The count read, or -errno;
 * *empty when the device had no more. */
static int input_batch(struct synack_tun *t, struct synack_stack *s, uint64_t now, bool *empty)
{
    int count = 0;
    bool batch = false;
    *empty = false;
    int rc = t->ring ? input_ring(t, s, now, empty, &batch, &count)
                     : input_reads(t, s, now, empty, &batch, &count);
    if (batch)
        synack_stack_batch_end(s, now);
    return count ? count : rc;
}

int synack_tun_input(struct synack_tun *t, struct synack_stack *s, uint64_t now)
{
    t->stack = s;
    int total = 0;
    bool empty = false;
    for (int b = 0; b < TUN_DRAIN_BATCHES && !empty; b++) {
        int n = input_batch(t, s, now, &empty);
        if (n < 0)
            return total ? total : n;
        total += n;
    }
    if (!empty)
        t->st.rx_full_turns++;
    flush(t); /* what the stack answered */
    return total;
}

uint64_t synack_tun_deadline(const struct synack_tun *t, const struct synack_stack *s)
{
    uint64_t d = synack_stack_deadline(s);
    if (t->impair) {
        uint64_t i = synack_memlink_deadline(t->impair);
        if (i < d)
            d = i;
    }
    return d;
}

/* How late the loop met a deadline: the process waited for a CPU, or the
 * application was away from the loop. The stack's timers wait for it. */
static void note_late(struct synack_tun *t, uint64_t due, uint64_t now)
{
    if (due != SYNACK_TIME_NEVER && now > due && now - due > t->st.late_max)
        t->st.late_max = now - due;
}

int synack_tun_run(struct synack_tun *t, struct synack_stack *s, uint64_t until)
{
    t->stack = s;
    uint64_t now = synack_clock_now();
    uint64_t wake = synack_tun_deadline(t, s);
    uint64_t due = wake < t->due ? wake : t->due;
    if (until < wake)
        wake = until;
    struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
    int n;
    flush(t); /* what the application sent since the last turn, before sleeping */
    if (wake <= now) {
        n = poll(&pfd, 1, 0);
    } else if (wake == SYNACK_TIME_NEVER) {
        n = ppoll(&pfd, 1, NULL, NULL);
    } else {
        uint64_t d = wake - now;
        struct timespec ts = {.tv_sec = (time_t)(d / 1000000u),
                              .tv_nsec = (long)(d % 1000000u) * 1000};
        n = ppoll(&pfd, 1, &ts, NULL);
    }
    if (n < 0)
        return errno == EINTR ? -EINTR : -errno;
    now = synack_clock_now();
    note_late(t, due, now);
    int got = 0;
    if (n > 0 && (pfd.revents & POLLIN))
        got = synack_tun_input(t, s, now);
    else if (n > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)))
        return -EIO; /* the device went away */
    if (t->impair)
        synack_memlink_deliver(t->impair, now, impair_deliver, t);
    if (synack_stack_deadline(s) <= now)
        synack_stack_poll(s, now);
    flush(t);
    t->due = synack_tun_deadline(t, s);
    return got;
}

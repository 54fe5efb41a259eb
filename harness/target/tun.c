/* The tun target: synack on a real TUN device, in a private network
 * namespace, on the real clock. The stack owns the device's descriptor;
 * the harness stands on the kernel's side of the device with a packet
 * socket: what it injects is transmitted by the kernel through the TUN
 * driver to the stack, and what the stack writes is received by the kernel
 * on the device, where the packet socket sniffs it. The namespace has no
 * address and no forwarding, so the kernel itself answers nothing. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <synack/link_tun.h>
#include <synack/socket.h>

#include "target/netns.h"
#include "target/pktq.h"
#include "target/synack_host.h"
#include "target/target.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define INJECT_WAIT_US 20000 /* how long an injected packet may take to reach the stack */

struct target {
    struct synack_host host; /* first (target/synack_host.h) */
    struct netns ns;
    struct synack_tun *tun;
    int psock;       /* AF_PACKET on the device: inject and sniff */
    int ifindex;
    uint64_t t0;     /* synack_clock_now() at open: target time 0 */
    struct pktq out;
    uint64_t not_ipv4;
    uint8_t buf[65536];
};

static uint64_t tun_stack_now(const struct target *t)
{
    (void)t;
    return synack_clock_now();
}

static int64_t rel(const struct target *t, uint64_t abs) { return (int64_t)(abs - t->t0); }

static void tun_close(struct target *t)
{
    if (!t)
        return;
    synack_stack_free(t->host.stack);
    synack_tun_close(t->tun);
    if (t->psock >= 0)
        close(t->psock);
    netns_close(&t->ns);
    pktq_clear(&t->out);
    free(t);
}

static int tun_open(struct target **out, const struct target_config *cfg, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    t->psock = -1;
    if (netns_create(&t->ns, err, n) < 0) {
        free(t);
        return -1;
    }
    /* IPv6 off before the device exists: no router solicitations. */
    netns_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    netns_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
    struct synack_tun_config tc = {.name = "synack0"};
    t->tun = synack_tun_open(&tc, err, n);
    struct synack_tun_addr ta = {.mtu = cfg->mtu};
    int ok = t->tun && synack_tun_configure(t->tun, &ta, err, n) == 0;
    if (ok) {
        t->ifindex = (int)if_nametoindex(synack_tun_name(t->tun));
        t->psock = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
        struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                                  .sll_ifindex = t->ifindex};
        int one = 1;
        if (t->psock < 0 || bind(t->psock, (struct sockaddr *)&sll, sizeof sll) < 0) {
            snprintf(err, n, "packet socket on %s: %s", synack_tun_name(t->tun), strerror(errno));
            ok = 0;
        } else {
            /* Our own injections are not the stack's output (pkttype checked too). */
            setsockopt(t->psock, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
        }
    }
    netns_leave(&t->ns);
    if (!ok) {
        tun_close(t);
        return -1;
    }
    struct synack_config c;
    synack_host_config(&c, cfg);
    struct synack_link link = synack_tun_link(t->tun);
    t->host.now = tun_stack_now;
    if (synack_host_start(t, &c, &link, err, n) < 0) {
        tun_close(t);
        return -1;
    }
    t->t0 = synack_clock_now();
    *out = t;
    return 0;
}

static int64_t tun_now(struct target *t)
{
    return rel(t, synack_clock_now());
}

/* Take what the kernel received from the stack on the device. */
static void sniff(struct target *t)
{
    /* the stack's IPv6 too (the namespace's own IPv6 is off: none of the kernel's) */
    pktq_sniff(&t->out, t->psock, t->buf, sizeof t->buf, tun_now(t), true, &t->not_ipv4);
}

/* One wait on the device, the packet socket and the stack's deadline. */
static bool turn(struct target *t, uint64_t until_abs)
{
    uint64_t now = synack_clock_now();
    uint64_t wake = synack_stack_deadline(t->host.stack);
    if (until_abs < wake)
        wake = until_abs;
    struct pollfd p[2] = {{.fd = synack_tun_fd(t->tun), .events = POLLIN},
                          {.fd = t->psock, .events = POLLIN}};
    struct timespec ts = {0, 0};
    if (wake > now) {
        uint64_t d = wake - now;
        ts.tv_sec = (time_t)(d / 1000000u);
        ts.tv_nsec = (long)(d % 1000000u) * 1000;
    }
    int rc = ppoll(p, 2, &ts, NULL);
    now = synack_clock_now();
    bool input = false;
    if (rc > 0 && (p[0].revents & POLLIN))
        input = synack_tun_input(t->tun, t->host.stack, now) > 0;
    if (synack_stack_deadline(t->host.stack) <= now)
        synack_stack_poll(t->host.stack, now);
    if (rc > 0 && (p[1].revents & POLLIN))
        sniff(t);
    return input;
}

static bool tun_wait(struct target *t, int64_t until)
{
    uint64_t until_abs = t->t0 + (uint64_t)(until < 0 ? 0 : until);
    while (t->out.count == 0) {
        /* Input to the stack may unblock a pending call: let the runner look. */
        if (turn(t, until_abs))
            break;
        if (synack_clock_now() >= until_abs)
            break;
    }
    sniff(t);
    return t->out.count > 0;
}

static int tun_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    uint16_t proto = len && (pkt[0] >> 4) == 6 ? ETH_P_IPV6 : ETH_P_IP;
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(proto),
                             .sll_ifindex = t->ifindex};
    if (sendto(t->psock, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0)
        return -errno;
    /* The kernel hands it to the TUN driver at once; let the stack take it
     * now, so a call that follows at the same script time sees its effect. */
    struct pollfd p = {.fd = synack_tun_fd(t->tun), .events = POLLIN};
    struct timespec ts = {0, INJECT_WAIT_US * 1000L};
    if (ppoll(&p, 1, &ts, NULL) > 0)
        synack_tun_input(t->tun, t->host.stack, synack_clock_now());
    return 0;
}

static bool tun_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    if (t->out.count == 0)
        sniff(t);
    return pktq_pop(&t->out, buf, cap, len, when);
}

const struct target_ops target_tun = {
    .name = "tun",
    .virtual_time = false,
    .ipv6 = true,
    .multihomed = true,
    .open = tun_open,
    .close = tun_close,
    .now = tun_now,
    .wait = tun_wait,
    .inject = tun_inject,
    .recv = tun_recv,
    SYNACK_HOST_SOCKET_OPS,
};

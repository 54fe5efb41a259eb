/* synflood: spoofed TCP segments into a network device with AF_PACKET, for
 * the interop test's flood step and `make stress`. Run it inside the test's
 * own namespace, on the TUN device synack reads: every datagram written to
 * the device goes to synack, nowhere else.
 *
 *   synflood DEV DST PORT COUNT [syn|ack|rst] [SEED]
 *
 * Sources are drawn from 198.51.100.10-250 (RFC 5737) with random ports and
 * sequence numbers; DST must lie in a documentation range too. Prints the
 * count sent and the rate. Exit 0 when all were sent, 1 otherwise. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256
#define PKT_LEN 44 /* IPv4 20 + TCP 20 + MSS option 4 */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static uint16_t fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static int documentation_addr(uint32_t a)
{
    return (a >> 8) == 0xc00002u || (a >> 8) == 0xc63364u; /* 192.0.2/24, 198.51.100/24 */
}

static void build(uint8_t *p, uint32_t dst, uint16_t dport, uint8_t flags)
{
    uint32_t src = 0xc6336400u | (10 + rnd() % 241); /* 198.51.100.10-250 */
    memset(p, 0, PKT_LEN);
    p[0] = 0x45;
    put16(p + 2, PKT_LEN);
    put16(p + 4, (uint16_t)rnd());
    p[8] = 64;
    p[9] = 6;
    put32(p + 12, src);
    put32(p + 16, dst);
    put16(p + 10, fold(sum16(p, 20, 0)));
    uint8_t *t = p + 20;
    put16(t, (uint16_t)(1024 + rnd() % 64000));
    put16(t + 2, dport);
    put32(t + 4, rnd() << 16 ^ rnd());
    if (flags != 0x02)
        put32(t + 8, rnd() << 16 ^ rnd());
    t[12] = 6 << 4; /* 24 octets of header */
    t[13] = flags;
    put16(t + 14, 65535);
    t[20] = 2; /* MSS 1460 */
    t[21] = 4;
    put16(t + 22, 1460);
    uint8_t pseudo[12];
    memcpy(pseudo, p + 12, 8);
    pseudo[8] = 0;
    pseudo[9] = 6;
    put16(pseudo + 10, 24);
    put16(t + 16, fold(sum16(t, 24, sum16(pseudo, 12, 0))));
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: synflood DEV DST PORT COUNT [syn|ack|rst] [SEED]\n");
        return 2;
    }
    struct in_addr in;
    if (inet_pton(AF_INET, argv[2], &in) != 1 || !documentation_addr(ntohl(in.s_addr))) {
        fprintf(stderr, "synflood: %s: not an address of 192.0.2.0/24 or 198.51.100.0/24\n",
                argv[2]);
        return 2;
    }
    uint32_t dst = ntohl(in.s_addr);
    uint16_t port = (uint16_t)atoi(argv[3]);
    unsigned long count = strtoul(argv[4], NULL, 10);
    const char *kind = argc > 5 ? argv[5] : "syn";
    uint8_t flags = !strcmp(kind, "ack") ? 0x10 : !strcmp(kind, "rst") ? 0x04 : 0x02;
    rng_state = argc > 6 ? strtoull(argv[6], NULL, 10) * 2654435761u + 1 : 88172645463325252ull;
    unsigned ifindex = if_nametoindex(argv[1]);
    if (!ifindex) {
        fprintf(stderr, "synflood: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
    if (fd < 0) {
        fprintf(stderr, "synflood: AF_PACKET socket: %s\n", strerror(errno));
        return 1;
    }
    int sndbuf = 8 << 20;
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = (int)ifindex};
    static uint8_t pkts[BATCH][PKT_LEN];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned long sent = 0;
    int stalls = 0;
    while (sent < count) {
        unsigned n = count - sent < BATCH ? (unsigned)(count - sent) : BATCH;
        for (unsigned i = 0; i < n; i++) {
            build(pkts[i], dst, port, flags);
            iov[i] = (struct iovec){pkts[i], PKT_LEN};
            msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &ll,
                                                   .msg_namelen = sizeof ll,
                                                   .msg_iov = &iov[i],
                                                   .msg_iovlen = 1}};
        }
        int r = sendmmsg(fd, msgs, n, 0);
        if (r < 0) {
            if ((errno == ENOBUFS || errno == EAGAIN) && stalls++ < 100000) {
                usleep(50);
                continue;
            }
            fprintf(stderr, "synflood: sendmmsg: %s after %lu\n", strerror(errno), sent);
            break;
        }
        sent += (unsigned long)r;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("synflood: %lu %s segments to %s:%u in %.3f s (%.0f/s)\n", sent, kind, argv[2], port,
           secs, secs > 0 ? sent / secs : 0.0);
    close(fd);
    return sent == count ? 0 : 1;
}

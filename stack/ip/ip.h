/* IPv4 host rules (RFC 1122 3.2.1) and datagram output, and the ICMP a host
 * sends (RFC 1122 3.2.2): pure functions over addresses and buffers. The
 * dispatch layer (stack/core) applies them. */
#ifndef SYNACK_IP_IP_H
#define SYNACK_IP_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>
#include <synack/wire.h>

/* Our addresses of a family: the configuration's addr (addr6) first, then
 * those of more_addrs (RFC 1122 3.3.4: a multihomed host). */
#define IP_HOST_ADDRS (1 + SYNACK_MORE_ADDRS)

struct ip_host {
    uint32_t addr[IP_HOST_ADDRS];       /* 0: unused */
    uint8_t prefix_len[IP_HOST_ADDRS];
};

enum ip_dst_kind {
    IP_DST_OURS,      /* our unicast address */
    IP_DST_BROADCAST, /* limited or directed broadcast of our subnet */
    IP_DST_OTHER,     /* not for us (multicast included: we join no group) */
};

/* RFC 1122 3.2.1.3: where a datagram is addressed. */
enum ip_dst_kind ip_classify_dst(const struct ip_host *h, uint32_t dst);
/* Is a one of our addresses? */
bool ip_is_ours(const struct ip_host *h, uint32_t a);
/* RFC 1122 3.3.4.3 (A): the source for a datagram to dst: the first of our
 * addresses whose subnet holds dst, else our first address. */
uint32_t ip_select_src(const struct ip_host *h, uint32_t dst);
/* RFC 1122 3.2.1.3 (a)-(g): can src be the source of a datagram we accept?
 * Not 0, not broadcast, not multicast, not loopback, not class E, and not
 * our own address (a datagram from outside cannot come from us). */
bool ip_src_valid(const struct ip_host *h, uint32_t src);
/* Does src name a single host (RFC 1122 3.2.2)? Same rules as ip_src_valid. */
static inline bool ip_src_is_single_host(const struct ip_host *h, uint32_t src)
{
    return ip_src_valid(h, src);
}
static inline bool ip_is_multicast(uint32_t a) { return (a >> 28) == 0xe; }

/* RFC 1122 3.2.2: may an ICMP error answer this datagram? */
bool icmp_error_allowed(const struct ip_host *h, const struct synack_ipv4 *ip);

/* An ICMP error (destination unreachable, time exceeded, ...) quoting the
 * datagram orig: its IP header and as much of the rest as fits in a
 * 576-octet reply, at least 8 octets (RFC 1122 3.2.2). rest: octets 4-7
 * (a parameter problem's pointer in the top octet, else 0). Writes the
 * ICMP message at buf; returns its length or 0. */
size_t icmp_build_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                        const uint8_t *orig, size_t orig_len);
/* The echo reply to req (RFC 792; RFC 1122 3.2.2.6: same identifier,
 * sequence number and data). Returns the ICMP message length or 0. */
size_t icmp_build_echo_reply(uint8_t *buf, size_t cap, const struct synack_icmp *req);

#endif

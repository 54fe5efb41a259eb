/* IPv6 host rules (RFC 8200, RFC 4291 addressing) and the ICMPv6 a host
 * sends (RFC 4443): pure functions over addresses and buffers. The
 * dispatch layer (stack/core) applies them. */
#ifndef SYNACK_IP_IP6_H
#define SYNACK_IP_IP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/wire.h>

#include "ip/ip.h"

struct ip6_host {
    uint8_t addr[IP_HOST_ADDRS][16];   /* all zero: unused */
    uint8_t prefix_len[IP_HOST_ADDRS]; /* addr6's: 64 (RFC 4291 2.5.4) */
};

/* RFC 4291 2.7: ff00::/8. */
static inline bool ip6_is_multicast(const uint8_t a[16])
{
    return a[0] == 0xff;
}

/* Where a packet is addressed: our address, or the all-nodes multicast
 * address ff02::1 (RFC 4291 2.7.1, which every node joins), or other
 * (RFC 8200 has no broadcast). */
enum ip_dst_kind ip6_classify_dst(const struct ip6_host *h, const uint8_t dst[16]);
/* Is a one of our addresses? */
bool ip6_is_ours(const struct ip6_host *h, const uint8_t a[16]);
/* The source for a packet to dst: the first of our addresses whose subnet
 * holds dst, else our first (RFC 1122 3.3.4.3 (A), as for IPv4). */
const uint8_t *ip6_select_src(const struct ip6_host *h, const uint8_t dst[16]);
/* Can src be the source of a packet we accept? Not unspecified (::), not
 * loopback (::1, RFC 4291 2.5.3: never sent outside a node), not multicast,
 * not IPv4-mapped (RFC 4291 2.5.5.2: never on the wire, RFC 6890), not our
 * own address. */
bool ip6_src_valid(const struct ip6_host *h, const uint8_t src[16]);
/* RFC 4443 2.4 (e): may an ICMPv6 error of this type and code answer the
 * packet pkt (its fixed header, then its chain c)? Never an ICMPv6 error,
 * never a source that is not a single node; to multicast only Packet Too
 * Big and a Parameter Problem code 2 for an option of action 10. */
bool icmp6_error_allowed(const struct ip6_host *h, const uint8_t *pkt, size_t len,
                         const struct synack_ipv6_chain *c, uint8_t type, uint8_t code);

/* An ICMPv6 error quoting the packet orig: as much of it as fits in the
 * minimum MTU, 1280 octets, with the IPv6 header (RFC 4443 2.4 (c)). rest:
 * octets 4-7 (MTU, pointer, or 0). Returns the message length or 0. */
size_t icmp6_build_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                         const uint8_t *orig, size_t orig_len, const uint8_t src[16],
                         const uint8_t dst[16]);

#endif

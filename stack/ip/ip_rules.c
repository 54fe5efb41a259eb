/* IPv4 addressing rules for a host (RFC 1122 3.2.1.3). */
#include "ip/ip.h"

static uint32_t subnet_mask(uint8_t prefix_len)
{
    return prefix_len == 0 ? 0 : ~0u << (32 - prefix_len);
}

/* Address i's directed broadcast is a? */
static bool is_directed_broadcast_of(const struct ip_host *h, size_t i, uint32_t a)
{
    uint32_t m = subnet_mask(h->prefix_len[i]);
    return h->addr[i] && h->prefix_len[i] < 31 && (a & m) == (h->addr[i] & m) &&
           (a & ~m) == ~m;
}

static bool is_directed_broadcast(const struct ip_host *h, uint32_t a)
{
    for (size_t i = 0; i < IP_HOST_ADDRS; i++)
        if (is_directed_broadcast_of(h, i, a))
            return true;
    return false;
}

bool ip_is_ours(const struct ip_host *h, uint32_t a)
{
    for (size_t i = 0; a && i < IP_HOST_ADDRS; i++)
        if (h->addr[i] == a)
            return true;
    return false;
}

uint32_t ip_select_src(const struct ip_host *h, uint32_t dst)
{
    for (size_t i = 0; i < IP_HOST_ADDRS; i++) {
        uint32_t m = subnet_mask(h->prefix_len[i]);
        if (h->addr[i] && (dst & m) == (h->addr[i] & m))
            return h->addr[i];
    }
    return h->addr[0];
}

enum ip_dst_kind ip_classify_dst(const struct ip_host *h, uint32_t dst)
{
    if (ip_is_ours(h, dst))
        return IP_DST_OURS;
    if (dst == 0xffffffffu || is_directed_broadcast(h, dst))
        return IP_DST_BROADCAST;
    return IP_DST_OTHER;
}

bool ip_src_valid(const struct ip_host *h, uint32_t src)
{
    uint8_t first = (uint8_t)(src >> 24);
    if (first == 0)           /* (a), (b): this network */
        return false;
    if (first == 127)         /* (g): loopback never appears outside a host */
        return false;
    if (first >= 224)         /* multicast (class D) and class E, and (c) */
        return false;
    if (is_directed_broadcast(h, src)) /* (d)-(f) */
        return false;
    if (ip_is_ours(h, src))   /* ours, from outside: a spoof (the "land" attack, */
        return false;         /* a SYN the stack would answer to itself) */
    return true;
}

bool icmp_error_allowed(const struct ip_host *h, const struct synack_ipv4 *ip)
{
    if (ip_classify_dst(h, ip->dst) != IP_DST_OURS)
        return false; /* to broadcast or multicast */
    if (ip->frag & SYNACK_IP_OFFMASK)
        return false; /* a non-initial fragment */
    if (!ip_src_is_single_host(h, ip->src))
        return false;
    if (ip->proto == SYNACK_IPPROTO_ICMP && ip->payload_len >= 1 &&
        synack_icmp_type_is_error(ip->payload[0]))
        return false; /* an ICMP error */
    return true;
}

/* IPv6 addressing rules for a host (RFC 4291, RFC 8200) and the ICMPv6
 * errors it may send (RFC 4443 2.4). */
#include <string.h>

#include "ip/ip6.h"

#define ICMP6_ERROR_MAX (SYNACK_IPV6_MIN_MTU - SYNACK_IPV6_HDR) /* RFC 4443 2.4 (c) */

static const uint8_t all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static bool is_zero(const uint8_t *a, size_t n);

bool ip6_is_ours(const struct ip6_host *h, const uint8_t a[16])
{
    for (size_t i = 0; i < IP_HOST_ADDRS; i++)
        if (!is_zero(h->addr[i], 16) && !memcmp(a, h->addr[i], 16))
            return true;
    return false;
}

/* Do a and b agree in their first n bits? */
static bool same_prefix(const uint8_t *a, const uint8_t *b, unsigned n)
{
    unsigned whole = n / 8, rest = n % 8;
    if (memcmp(a, b, whole) != 0)
        return false;
    uint8_t m = (uint8_t)(0xffu << (8 - rest));
    return rest == 0 || ((a[whole] ^ b[whole]) & m) == 0;
}

const uint8_t *ip6_select_src(const struct ip6_host *h, const uint8_t dst[16])
{
    for (size_t i = 0; i < IP_HOST_ADDRS; i++)
        if (!is_zero(h->addr[i], 16) && same_prefix(h->addr[i], dst, h->prefix_len[i]))
            return h->addr[i];
    return h->addr[0];
}

enum ip_dst_kind ip6_classify_dst(const struct ip6_host *h, const uint8_t dst[16])
{
    if (ip6_is_ours(h, dst))
        return IP_DST_OURS;
    if (!memcmp(dst, all_nodes, 16))
        return IP_DST_BROADCAST; /* the multicast group every node is in */
    return IP_DST_OTHER;
}

static bool is_zero(const uint8_t *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i])
            return false;
    return true;
}

bool ip6_src_valid(const struct ip6_host *h, const uint8_t src[16])
{
    if (is_zero(src, 15) && src[15] <= 1) /* :: and ::1 */
        return false;
    if (ip6_is_multicast(src))
        return false;
    if (is_zero(src, 10) && src[10] == 0xff && src[11] == 0xff) /* ::ffff:0:0/96 */
        return false;
    return !ip6_is_ours(h, src); /* ours, from outside: a spoof */
}

bool icmp6_error_allowed(const struct ip6_host *h, const uint8_t *pkt, size_t len,
                         const struct synack_ipv6_chain *c, uint8_t type, uint8_t code)
{
    if (len < SYNACK_IPV6_HDR || !ip6_src_valid(h, pkt + 8))
        return false; /* (e.6): not a single node (or unspecified) */
    if (c->proto == SYNACK_IPPROTO_ICMPV6 && c->l4_off < len &&
        synack_icmp6_type_is_error(pkt[c->l4_off]))
        return false; /* (e.1): an ICMPv6 error */
    if (ip6_is_multicast(pkt + 24)) /* (e.3) */
        return type == ICMP6_PACKET_TOO_BIG ||
               (type == ICMP6_PARAM_PROBLEM && code == ICMP6_PARAMPROB_OPTION &&
                c->opt_action == 2);
    return true;
}

size_t icmp6_build_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                         const uint8_t *orig, size_t orig_len, const uint8_t src[16],
                         const uint8_t dst[16])
{
    size_t quote = orig_len;
    if (quote > ICMP6_ERROR_MAX - 8u)
        quote = ICMP6_ERROR_MAX - 8u;
    if (cap >= 8 && quote > cap - 8)
        quote = cap - 8;
    return synack_icmp6_build(buf, cap, type, code, rest, orig, quote, src, dst, NULL);
}

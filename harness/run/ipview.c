/* Datagrams of either IP version as the runner reads and writes them: a
 * view of the header that matters to a script (addresses, protocol, TTL or
 * hop limit, TOS or traffic class, the upper layer), and the ICMPv6
 * counterparts of the ICMP types scripts name. */
#include <string.h>

#include "run/run_internal.h"

static int view4(const uint8_t *pkt, size_t len, unsigned flags, struct ip_view *v,
                 struct synack_wire_error *err)
{
    struct synack_ipv4 ip;
    int e = synack_ipv4_parse(pkt, len, flags, &ip, err);
    if (e != WIRE_OK)
        return e;
    v->version = 4;
    v->src = synack_addr_from_v4(ip.src);
    v->dst = synack_addr_from_v4(ip.dst);
    v->proto = ip.proto;
    v->ttl = ip.ttl;
    v->tos = ip.tos;
    v->total = ip.total_len;
    v->fragment = synack_ipv4_is_fragment(&ip);
    v->l4 = ip.payload;
    v->l4_len = ip.payload_len;
    return WIRE_OK;
}

static int view6(const uint8_t *pkt, size_t len, struct ip_view *v, struct synack_wire_error *err)
{
    struct synack_ipv6 ip;
    struct synack_ipv6_chain c;
    int e = synack_ipv6_parse(pkt, len, 0, &ip, err);
    if (e == WIRE_OK)
        e = synack_ipv6_chain_parse(pkt, SYNACK_IPV6_HDR + ip.payload_len, &c, err);
    if (e != WIRE_OK)
        return e;
    v->version = 6;
    v->src = synack_addr_from_v6(ip.src);
    v->dst = synack_addr_from_v6(ip.dst);
    v->proto = c.proto;
    v->ttl = ip.hop_limit;
    v->tos = ip.tclass;
    v->total = SYNACK_IPV6_HDR + ip.plen;
    v->fragment = c.frag && (c.frag_offset || c.frag_more);
    v->l4 = pkt + c.l4_off;
    v->l4_len = SYNACK_IPV6_HDR + ip.payload_len - c.l4_off;
    return WIRE_OK;
}

int ip_view_parse(const uint8_t *pkt, size_t len, unsigned flags, struct ip_view *v,
                  struct synack_wire_error *err)
{
    memset(v, 0, sizeof *v);
    if (len >= 1 && (pkt[0] >> 4) == 6)
        return view6(pkt, len, v, err);
    return view4(pkt, len, flags, v, err);
}

int ip_view_tcp(const struct ip_view *v, unsigned flags, struct synack_tcp *th,
                struct synack_wire_error *err)
{
    if (v->version == 6)
        return synack_tcp_parse6(v->l4, v->l4_len, v->src.a, v->dst.a, flags, th, err);
    return synack_tcp_parse(v->l4, v->l4_len, synack_addr_v4(&v->src), synack_addr_v4(&v->dst),
                            flags, th, err);
}

/* RFC 4443's counterparts of the ICMP messages scripts name (RFC 792). */
bool icmp_type_to_v6(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6)
{
    static const struct { uint8_t type, code, t6, c6; } map[] = {
        {ICMP_ECHO_REPLY, 0, ICMP6_ECHO_REPLY, 0},
        {ICMP_ECHO_REQUEST, 0, ICMP6_ECHO_REQUEST, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NET, ICMP6_DEST_UNREACH, ICMP6_UNREACH_NOROUTE},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADDR},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_NEXTHDR},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, ICMP6_DEST_UNREACH, ICMP6_UNREACH_PORT},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, ICMP6_PACKET_TOO_BIG, 0},
        {ICMP_DEST_UNREACH, 9, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN},  /* net prohibited */
        {ICMP_DEST_UNREACH, 10, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN}, /* host prohibited */
        {ICMP_DEST_UNREACH, 13, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN}, /* filtered */
        {ICMP_TIME_EXCEEDED, 0, ICMP6_TIME_EXCEEDED, ICMP6_TIMXCEED_HOPLIMIT},
        {ICMP_TIME_EXCEEDED, 1, ICMP6_TIME_EXCEEDED, ICMP6_TIMXCEED_REASS},
        {ICMP_PARAM_PROBLEM, 0, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_HEADER},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].type == type && map[i].code == code) {
            *t6 = map[i].t6;
            *c6 = map[i].c6;
            return true;
        }
    return false;
}

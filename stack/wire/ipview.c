/* A datagram of either IP version as one view (wire.h, synack_ip_view):
 * IPv4's header, or IPv6's with its extension header chain walked to the
 * upper layer (RFC 8200 4). */
#include <string.h>

#include "wire_err.h"

static int view4(const uint8_t *pkt, size_t len, unsigned flags, struct synack_ip_view *v,
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
    v->hdr_len = (size_t)ip.ihl * 4;
    v->fragment = synack_ipv4_is_fragment(&ip);
    v->l4 = ip.payload;
    v->l4_len = ip.payload_len;
    return WIRE_OK;
}

static int view6(const uint8_t *pkt, size_t len, struct synack_ip_view *v,
                 struct synack_wire_error *err)
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
    v->hdr_len = c.l4_off;
    v->fragment = c.frag && (c.frag_offset || c.frag_more);
    v->l4 = pkt + c.l4_off;
    v->l4_len = SYNACK_IPV6_HDR + ip.payload_len - c.l4_off;
    return WIRE_OK;
}

int synack_ip_view_parse(const uint8_t *pkt, size_t len, unsigned flags,
                         struct synack_ip_view *v, struct synack_wire_error *err)
{
    memset(v, 0, sizeof *v);
    if (len >= 1 && (pkt[0] >> 4) == 6)
        return view6(pkt, len, v, err);
    return view4(pkt, len, flags, v, err);
}

int synack_ip_view_tcp(const struct synack_ip_view *v, unsigned flags, struct synack_tcp *th,
                       struct synack_wire_error *err)
{
    if (v->version == 6)
        return synack_tcp_parse6(v->l4, v->l4_len, v->src.a, v->dst.a, flags, th, err);
    return synack_tcp_parse(v->l4, v->l4_len, synack_addr_v4(&v->src), synack_addr_v4(&v->dst),
                            flags, th, err);
}

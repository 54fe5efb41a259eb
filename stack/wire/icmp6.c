/* ICMPv6 messages (RFC 4443): echo, and the error messages that carry as
 * much of the invoking packet as fits in the minimum MTU. The checksum
 * covers the IPv6 pseudo-header (RFC 4443 2.3). */
#include <string.h>

#include "wire_err.h"

/* The invoking packet: its fixed header, then its extension headers up to
 * the upper layer, as far as the quote goes. */
static int icmp6_parse_inner(const uint8_t *msg, size_t len, struct synack_icmp6 *out,
                             struct synack_wire_error *err)
{
    const uint8_t *ip = msg + 8;
    size_t iplen = len - 8;
    if (iplen < SYNACK_IPV6_HDR)
        return wire_fail(err, WIRE_EICMP6_INNER_TRUNCATED, len);
    if ((ip[0] >> 4) != 6)
        return wire_fail(err, WIRE_EICMP6_INNER_VERSION, 8);
    memcpy(out->inner.src, ip + 8, 16);
    memcpy(out->inner.dst, ip + 24, 16);
    out->inner.plen = synack_get16(ip + 4);
    struct synack_ipv6_chain c;
    if (synack_ipv6_chain_parse(ip, iplen, &c, NULL) != WIRE_OK || c.routing ||
        (c.frag && c.frag_offset != 0)) {
        out->inner.proto = SYNACK_IPPROTO_NONE; /* the quote stops inside its headers */
        return WIRE_OK;
    }
    out->inner.proto = c.proto;
    if (c.l4_off + 8u <= iplen) {
        out->inner.l4 = ip + c.l4_off;
        out->inner.l4_len = iplen - c.l4_off;
    }
    return WIRE_OK;
}

int synack_icmp6_parse(const uint8_t *msg, size_t len, const uint8_t src[16],
                       const uint8_t dst[16], unsigned flags, struct synack_icmp6 *out,
                       struct synack_wire_error *err)
{
    if (len < 8)
        return wire_fail(err, WIRE_EICMP6_TRUNCATED, len);
    uint32_t ps = synack_cksum_pseudo6(src, dst, SYNACK_IPPROTO_ICMPV6, (uint32_t)len);
    if (!(flags & WIRE_PARSE_NO_CHECKSUM) && synack_cksum_fold(synack_cksum_add(ps, msg, len)) != 0)
        return wire_fail(err, WIRE_EICMP6_CHECKSUM, 2);
    memset(out, 0, sizeof *out);
    out->type = msg[0];
    out->code = msg[1];
    out->checksum = synack_get16(msg + 2);
    out->rest = synack_get32(msg + 4);
    out->echo_id = synack_get16(msg + 4);
    out->echo_seq = synack_get16(msg + 6);
    out->data = msg + 8;
    out->data_len = len - 8;
    out->is_error = synack_icmp6_type_is_error(out->type);
    if (!out->is_error)
        return WIRE_OK;
    out->mtu = out->rest;
    out->pointer = out->rest;
    return icmp6_parse_inner(msg, len, out, err);
}

size_t synack_icmp6_build(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                          const uint8_t *data, size_t data_len, const uint8_t src[16],
                          const uint8_t dst[16], struct synack_wire_error *err)
{
    if (cap < 8 || data_len > cap - 8) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    buf[0] = type;
    buf[1] = code;
    synack_put16(buf + 2, 0);
    synack_put32(buf + 4, rest);
    if (data_len)
        memmove(buf + 8, data, data_len);
    uint32_t ps = synack_cksum_pseudo6(src, dst, SYNACK_IPPROTO_ICMPV6, (uint32_t)(8 + data_len));
    synack_put16(buf + 2, synack_cksum_fold(synack_cksum_add(ps, buf, 8 + data_len)));
    return 8 + data_len;
}

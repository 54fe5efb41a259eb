/* ICMP messages (RFC 792, RFC 1122 3.2.2): echo, and the error messages
 * that carry the original IP header plus 8 octets of its payload. */
#include <string.h>

#include "wire_err.h"

static int icmp_parse_inner(const uint8_t *msg, size_t len, struct synack_icmp *out,
                            struct synack_wire_error *err)
{
    const uint8_t *ip = msg + 8;
    size_t iplen = len - 8;
    if (iplen < 20 + 8)
        return wire_fail(err, WIRE_EICMP_INNER_TRUNCATED, len);
    if ((ip[0] >> 4) != 4)
        return wire_fail(err, WIRE_EICMP_INNER_VERSION, 8);
    unsigned ihl = ip[0] & 0x0fu;
    if (ihl < 5 || ihl * 4u > iplen) /* wire.h: below 5 or past the message */
        return wire_fail(err, WIRE_EICMP_INNER_IHL, 8);
    if (ihl * 4u + 8u > iplen)
        return wire_fail(err, WIRE_EICMP_INNER_TRUNCATED, len);
    out->inner.ihl = (uint8_t)ihl;
    out->inner.proto = ip[9];
    out->inner.total_len = synack_get16(ip + 2);
    out->inner.src = synack_get32(ip + 12);
    out->inner.dst = synack_get32(ip + 16);
    out->inner.l4 = ip + ihl * 4u;
    out->inner.l4_len = iplen - ihl * 4u;
    return WIRE_OK;
}

int synack_icmp_parse(const uint8_t *msg, size_t len, unsigned flags,
                      struct synack_icmp *out, struct synack_wire_error *err)
{
    if (len < 8)
        return wire_fail(err, WIRE_EICMP_TRUNCATED, len);
    if (!(flags & WIRE_PARSE_NO_CHECKSUM) && synack_cksum_fold(synack_cksum_add(0, msg, len)) != 0)
        return wire_fail(err, WIRE_EICMP_CHECKSUM, 2);
    memset(out, 0, sizeof *out);
    out->type = msg[0];
    out->code = msg[1];
    out->checksum = synack_get16(msg + 2);
    out->rest = synack_get32(msg + 4);
    out->echo_id = synack_get16(msg + 4);
    out->echo_seq = synack_get16(msg + 6);
    out->data = msg + 8;
    out->data_len = len - 8;
    out->is_error = synack_icmp_type_is_error(out->type);
    if (!out->is_error)
        return WIRE_OK;
    out->pointer = msg[4];
    out->next_hop_mtu = synack_get16(msg + 6);
    return icmp_parse_inner(msg, len, out, err);
}

size_t synack_icmp_build(uint8_t *buf, size_t cap, uint8_t type, uint8_t code,
                         uint32_t rest, const uint8_t *data, size_t data_len,
                         struct synack_wire_error *err)
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
    synack_put16(buf + 2, synack_cksum_fold(synack_cksum_add(0, buf, 8 + data_len)));
    return 8 + data_len;
}

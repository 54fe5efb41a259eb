/* IPv4 header parse and build (RFC 791), and addresses as text. Checks the header against the
 * buffer, and its options (ipv4_options.c); the host rules about what to accept (RFC 1122 3.2.1) live in
 * stack/ip/, not here. */
#include <string.h>

#include "wire_err.h"

int synack_ipv4_parse(const uint8_t *buf, size_t len, unsigned flags,
                      struct synack_ipv4 *out, struct synack_wire_error *err)
{
    if (len < 20)
        return wire_fail(err, WIRE_EIP_TRUNCATED, len);
    if ((buf[0] >> 4) != 4)
        return wire_fail(err, WIRE_EIP_VERSION, 0);
    unsigned ihl = buf[0] & 0x0fu;
    if (ihl < 5)
        return wire_fail(err, WIRE_EIP_IHL_SMALL, 0);
    size_t hlen = ihl * 4u;
    if (hlen > len)
        return wire_fail(err, WIRE_EIP_IHL_OVERRUN, 0);
    uint16_t total = synack_get16(buf + 2);
    if (total < hlen)
        return wire_fail(err, WIRE_EIP_TOTLEN_SMALL, 2);
    if (total > len)
        return wire_fail(err, WIRE_EIP_TOTLEN_OVERRUN, 2);
    if (!(flags & WIRE_PARSE_NO_CHECKSUM) && synack_cksum_fold(synack_cksum_add(0, buf, hlen)) != 0)
        return wire_fail(err, WIRE_EIP_CHECKSUM, 10);

    out->ihl = (uint8_t)ihl;
    out->tos = buf[1];
    out->total_len = total;
    out->id = synack_get16(buf + 4);
    out->frag = synack_get16(buf + 6);
    out->ttl = buf[8];
    out->proto = buf[9];
    out->checksum = synack_get16(buf + 10);
    out->src = synack_get32(buf + 12);
    out->dst = synack_get32(buf + 16);
    out->options = buf + 20;
    out->options_len = hlen - 20;
    out->payload = buf + hlen;
    out->payload_len = total - hlen;
    struct synack_wire_error oerr;
    if (synack_ipv4_opts_parse(out->options, out->options_len, &out->opts, &oerr) != WIRE_OK)
        return wire_fail(err, oerr.code, 20 + oerr.offset);
    return WIRE_OK;
}

size_t synack_ipv4_build(uint8_t *buf, size_t cap, const struct synack_ipv4 *h,
                         size_t payload_len, struct synack_wire_error *err)
{
    if (cap < 20) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    if (payload_len > 65535u - 20u) {
        wire_fail(err, WIRE_EBUILD_FIELD, 2);
        return 0;
    }
    buf[0] = 0x45;
    buf[1] = h->tos;
    synack_put16(buf + 2, (uint16_t)(20 + payload_len));
    synack_put16(buf + 4, h->id);
    synack_put16(buf + 6, h->frag);
    buf[8] = h->ttl;
    buf[9] = h->proto;
    synack_put16(buf + 10, 0);
    synack_put32(buf + 12, h->src);
    synack_put32(buf + 16, h->dst);
    synack_put16(buf + 10, synack_cksum_fold(synack_cksum_add(0, buf, 20)));
    return 20;
}

bool synack_ipv4_addr_from_text(const char *s, size_t n, uint32_t *addr)
{
    uint32_t a = 0;
    size_t i = 0;

    for (int octet = 0; octet < 4; octet++) {
        unsigned v = 0, digits = 0;
        if (octet > 0 && (i >= n || s[i++] != '.'))
            return false;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i++] - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255)
            return false;
        a = a << 8 | v;
    }
    if (i != n)
        return false;
    *addr = a;
    return true;
}

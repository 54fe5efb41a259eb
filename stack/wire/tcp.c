/* TCP header parse and build (RFC 9293 3.1). The checksum covers the
 * pseudo-header (MUST-2, MUST-3); options are decoded by tcp_options.c. */
#include <string.h>

#include "wire_err.h"

static void tcp_fixed_fields(const uint8_t *seg, struct synack_tcp *out)
{
    out->sport = synack_get16(seg);
    out->dport = synack_get16(seg + 2);
    out->seq = synack_get32(seg + 4);
    out->ack = synack_get32(seg + 8);
    out->doff = seg[12] >> 4;
    out->reserved = seg[12] & 0x0fu;
    out->flags = seg[13];
    out->window = synack_get16(seg + 14);
    out->checksum = synack_get16(seg + 16);
    out->urg_ptr = synack_get16(seg + 18);
}

static int tcp_parse(const uint8_t *seg, size_t len, uint32_t pseudo, unsigned flags,
                     struct synack_tcp *out, struct synack_wire_error *err)
{
    if (len < SYNACK_TCP_HDR_MIN)
        return wire_fail(err, WIRE_ETCP_TRUNCATED, len);
    if (len > 65535u)
        return wire_fail(err, WIRE_ETCP_TOO_LONG, 65535u);
    tcp_fixed_fields(seg, out);
    if (out->doff < 5)
        return wire_fail(err, WIRE_ETCP_DOFF_SMALL, 12);
    size_t hlen = out->doff * 4u;
    if (hlen > len)
        return wire_fail(err, WIRE_ETCP_DOFF_OVERRUN, 12);
    if (!(flags & WIRE_PARSE_NO_CHECKSUM) &&
        synack_cksum_fold(synack_cksum_add(pseudo, seg, len)) != 0)
        return wire_fail(err, WIRE_ETCP_CHECKSUM, 16);
    out->options = seg + SYNACK_TCP_HDR_MIN;
    out->options_len = hlen - SYNACK_TCP_HDR_MIN;
    out->payload = seg + hlen;
    out->payload_len = len - hlen;
    struct synack_wire_error oerr;
    int r = synack_tcp_opts_parse(out->options, out->options_len, &out->opts, &oerr);
    if (r != WIRE_OK)
        return wire_fail(err, oerr.code, SYNACK_TCP_HDR_MIN + oerr.offset);
    return WIRE_OK;
}

int synack_tcp_parse(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                     unsigned flags, struct synack_tcp *out,
                     struct synack_wire_error *err)
{
    uint32_t ps = synack_cksum_pseudo(src, dst, SYNACK_IPPROTO_TCP, (uint16_t)len);
    return tcp_parse(seg, len, ps, flags, out, err);
}

int synack_tcp_parse6(const uint8_t *seg, size_t len, const uint8_t src[16],
                      const uint8_t dst[16], unsigned flags, struct synack_tcp *out,
                      struct synack_wire_error *err)
{
    uint32_t ps = synack_cksum_pseudo6(src, dst, SYNACK_IPPROTO_TCP, (uint32_t)len);
    return tcp_parse(seg, len, ps, flags, out, err);
}

size_t synack_tcp_build(uint8_t *buf, size_t cap, const struct synack_tcp *h,
                        const uint8_t *options, size_t optlen,
                        struct synack_wire_error *err)
{
    if (optlen > SYNACK_TCP_OPT_MAX || optlen % 4 != 0) {
        wire_fail(err, WIRE_EBUILD_OPTSPACE, SYNACK_TCP_HDR_MIN);
        return 0;
    }
    size_t hlen = SYNACK_TCP_HDR_MIN + optlen;
    if (cap < hlen) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    synack_put16(buf, h->sport);
    synack_put16(buf + 2, h->dport);
    synack_put32(buf + 4, h->seq);
    synack_put32(buf + 8, h->ack);
    buf[12] = (uint8_t)((hlen / 4) << 4 | (h->reserved & 0x0fu));
    buf[13] = h->flags;
    synack_put16(buf + 14, h->window);
    synack_put16(buf + 16, 0);
    synack_put16(buf + 18, h->urg_ptr);
    if (optlen)
        memcpy(buf + SYNACK_TCP_HDR_MIN, options, optlen);
    return hlen;
}

void synack_tcp_checksum_set(uint8_t *seg, size_t seglen, uint32_t src, uint32_t dst)
{
    synack_put16(seg + 16, 0);
    uint32_t sum = synack_cksum_pseudo(src, dst, SYNACK_IPPROTO_TCP, (uint16_t)seglen);
    synack_put16(seg + 16, synack_cksum_fold(synack_cksum_add(sum, seg, seglen)));
}

bool synack_tcp_checksum_ok(const uint8_t *seg, size_t seglen, uint32_t src, uint32_t dst)
{
    if (seglen < SYNACK_TCP_HDR_MIN || seglen > 65535u)
        return false;
    uint32_t sum = synack_cksum_pseudo(src, dst, SYNACK_IPPROTO_TCP, (uint16_t)seglen);
    return synack_cksum_fold(synack_cksum_add(sum, seg, seglen)) == 0;
}

void synack_tcp_checksum_set6(uint8_t *seg, size_t seglen, const uint8_t src[16],
                              const uint8_t dst[16])
{
    synack_put16(seg + 16, 0);
    uint32_t sum = synack_cksum_pseudo6(src, dst, SYNACK_IPPROTO_TCP, (uint32_t)seglen);
    synack_put16(seg + 16, synack_cksum_fold(synack_cksum_add(sum, seg, seglen)));
}

/* TCP segmentation and checksum completion in software (gso.h): what a
 * NIC's TSO and checksum offload do, for links that must show or impair
 * each segment on its own. */
#include <stdbool.h>
#include <string.h>

#include <synack/wire.h>

#include "link/gso.h"

#define HDR_MAX 120u /* IPv4 with options (IPv6), TCP with options */

/* n octets from offset off of p's pieces into dst, summed on the way as
 * the octets at offset `at` of the checksummed data. Returns the sum. */
static uint32_t gather(const struct synack_pkt *p, size_t off, uint8_t *dst, size_t n,
                       uint32_t sum, size_t at)
{
    for (unsigned i = 0; i < p->niov && i < SYNACK_PKT_IOV_MAX && n; i++) {
        const struct synack_iov *v = &p->iov[i];
        if (off >= v->len) {
            off -= v->len;
            continue;
        }
        size_t k = v->len - off < n ? v->len - off : n;
        sum = synack_cksum_copy(sum, dst, v->base + off, k, at);
        dst += k;
        at += k;
        n -= k;
        off = 0;
    }
    return sum;
}

struct synack_pkt gso_whole(const uint8_t *dgram, size_t len)
{
    return (struct synack_pkt){.iov = {{dgram, len}}, .niov = 1, .len = len};
}

/* The IP header of segment k of hdr + n octets: IPv4's total length,
 * identification (counting up) and checksum, or IPv6's payload length
 * (RFC 8200 3: there is no identification outside a fragment header). */
static void ip_header(uint8_t *ip, const uint8_t *h, size_t ihl, size_t hdr, size_t n, unsigned k)
{
    if ((h[0] >> 4) == 6) {
        synack_put16(ip + 4, (uint16_t)(hdr + n - SYNACK_IPV6_HDR));
        return;
    }
    synack_put16(ip + 2, (uint16_t)(hdr + n));
    synack_put16(ip + 4, (uint16_t)(synack_get16(h + 4) + k));
    synack_put16(ip + 10, 0);
    synack_put16(ip + 10, synack_cksum_fold(synack_cksum_add(0, ip, ihl)));
}

/* The pseudo-header sum of a segment with tcp_len octets of TCP. */
static uint32_t pseudo(const uint8_t *h, size_t tcp_len)
{
    if ((h[0] >> 4) == 6)
        return synack_cksum_pseudo6(h + 8, h + 24, SYNACK_IPPROTO_TCP, (uint32_t)tcp_len);
    return synack_cksum_pseudo(synack_get32(h + 12), synack_get32(h + 16), SYNACK_IPPROTO_TCP,
                               (uint16_t)tcp_len);
}

/* One segment: the headers h (ihl + thl octets) made right for n octets of
 * text from offset off, number k of the datagram. */
static size_t one_segment(const struct synack_pkt *p, const uint8_t *h, size_t ihl, size_t thl,
                          size_t off, size_t n, unsigned k, bool last, uint8_t *buf)
{
    size_t hdr = ihl + thl;
    memcpy(buf, h, hdr);
    uint8_t *tcp = buf + ihl;
    ip_header(buf, h, ihl, hdr, n, k);
    synack_put32(tcp + 4, synack_get32(h + ihl + 4) + (uint32_t)off);
    uint8_t f = h[ihl + 13];
    if (!last)
        f &= (uint8_t)~(SYNACK_TCP_FIN | SYNACK_TCP_PSH);
    if (k)
        f &= (uint8_t)~SYNACK_TCP_CWR;
    tcp[13] = f;
    synack_put16(tcp + 16, 0);
    uint32_t sum = synack_cksum_add(pseudo(h, thl + n), tcp, thl);
    sum = gather(p, hdr + off, buf + hdr, n, sum, thl);
    synack_put16(tcp + 16, synack_cksum_fold(sum));
    return hdr + n;
}

int gso_segment(const struct synack_pkt *p, uint8_t *buf,
                void (*emit)(void *ctx, const uint8_t *seg, size_t len), void *ctx)
{
    uint8_t h[HDR_MAX];
    size_t have = p->len < HDR_MAX ? p->len : HDR_MAX;
    gather(p, 0, h, have, 0, 0);
    size_t ihl;
    if (have >= 60 && (h[0] >> 4) == 6 && h[6] == SYNACK_IPPROTO_TCP)
        ihl = SYNACK_IPV6_HDR; /* (the stack sends no extension headers) */
    else if (have >= 40 && (h[0] >> 4) == 4 && h[9] == SYNACK_IPPROTO_TCP)
        ihl = (h[0] & 0x0fu) * 4u;
    else
        return -1;
    if (ihl < 20 || ihl + 20 > have)
        return -1;
    size_t thl = (h[ihl + 12] >> 4) * 4u;
    if (thl < 20 || ihl + thl > have)
        return -1;
    size_t text = p->len - ihl - thl;
    size_t mss = (p->flags & SYNACK_PKT_GSO) && p->gso_size ? p->gso_size : text;
    if (ihl + thl + (mss < text ? mss : text) > GSO_SEG_MAX)
        return -1; /* a segment would not fit the caller's buffer */
    unsigned k = 0;
    size_t off = 0;
    do {
        size_t n = text - off < mss ? text - off : mss;
        bool last = off + n >= text;
        emit(ctx, buf, one_segment(p, h, ihl, thl, off, n, k++, last, buf));
        off += n;
    } while (off < text);
    return (int)k;
}

/* Test helpers: IPv4/TCP and IPv6/TCP segments and pcap files built in
 * memory, so tests can make well-formed and malformed captures byte by byte. Header-only;
 * included by test_pcap.c and test_oracle.c. */
#ifndef SYNACK_TESTS_PCAP_BUILD_H
#define SYNACK_TESTS_PCAP_BUILD_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#define PB_STACK 0xc0000201u /* 192.0.2.1 */
#define PB_PEER 0xc6336402u  /* 198.51.100.2 */
#define PB_LINKTYPE_RAW 101u
#define PB_LINKTYPE_ETHERNET 1u
#define PB_LINKTYPE_SLL 113u
#define PB_LINKTYPE_NULL 0u

struct pbuf {
    uint8_t *b;
    size_t n, cap;
};

static inline void pb_put(struct pbuf *p, const void *data, size_t n)
{
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 4096;
        while (cap < p->n + n)
            cap *= 2;
        p->b = realloc(p->b, cap);
        if (!p->b)
            abort();
        p->cap = cap;
    }
    memcpy(p->b + p->n, data, n);
    p->n += n;
}

static inline void pb_le32(struct pbuf *p, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    pb_put(p, b, 4);
}

static inline void pb_le16(struct pbuf *p, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    pb_put(p, b, 2);
}

/* The pcap file header (little-endian, microseconds). */
static inline void pcap_header(struct pbuf *p, uint32_t linktype, uint32_t snaplen)
{
    pb_le32(p, 0xa1b2c3d4u);
    pb_le16(p, 2);
    pb_le16(p, 4);
    pb_le32(p, 0);
    pb_le32(p, 0);
    pb_le32(p, snaplen);
    pb_le32(p, linktype);
}

/* One record: caplen octets of frame captured out of len. */
static inline void pcap_record(struct pbuf *p, uint64_t t_us, const uint8_t *frame,
                               size_t caplen, size_t len)
{
    pb_le32(p, (uint32_t)(t_us / 1000000));
    pb_le32(p, (uint32_t)(t_us % 1000000));
    pb_le32(p, (uint32_t)caplen);
    pb_le32(p, (uint32_t)len);
    pb_put(p, frame, caplen);
}

/* A TCP/IPv4 datagram with zero payload octets and correct checksums. */
static inline size_t seg_build(uint8_t *buf, size_t cap, uint32_t src, uint16_t sport,
                               uint32_t dst, uint16_t dport, uint8_t flags, uint32_t seq,
                               uint32_t ack, uint16_t win, const uint8_t *opts, size_t optlen,
                               size_t payload)
{
    struct synack_tcp h;
    memset(&h, 0, sizeof h);
    h.sport = sport;
    h.dport = dport;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.window = win;
    uint8_t *seg = buf + 20;
    size_t hl = synack_tcp_build(seg, cap - 20, &h, opts, optlen, NULL);
    memset(seg + hl, 0, payload);
    synack_tcp_checksum_set(seg, hl + payload, src, dst);
    struct synack_ipv4 ih;
    memset(&ih, 0, sizeof ih);
    ih.id = 1;
    ih.frag = SYNACK_IP_DF;
    ih.ttl = 64;
    ih.proto = SYNACK_IPPROTO_TCP;
    ih.src = src;
    ih.dst = dst;
    synack_ipv4_build(buf, cap, &ih, hl + payload, NULL);
    return 20 + hl + payload;
}

/* The IPv6 address of an IPv4 one in these tests: PB_STACK is 2001:db8::1,
 * PB_PEER 2001:db8:1::2, any other 2001:db8:2::a.b.c.d. */
static inline void pb_addr6(uint32_t v4, uint8_t out[16])
{
    memset(out, 0, 16);
    out[0] = 0x20, out[1] = 0x01, out[2] = 0x0d, out[3] = 0xb8;
    if (v4 == PB_STACK) {
        out[15] = 1;
    } else if (v4 == PB_PEER) {
        out[5] = 1, out[15] = 2;
    } else {
        out[5] = 2;
        synack_put32(out + 12, v4);
    }
}

/* The TCP/IPv4 datagram pkt4 as TCP/IPv6 (RFC 8200): the addresses of
 * pb_addr6, traffic class and hop limit from TOS and TTL, `ext` octets (a
 * multiple of 8, 0 for none) of destination options (PadN) before the TCP
 * header, the checksum over IPv6's pseudo-header. Returns its length. */
static inline size_t seg_to_v6(uint8_t *out, size_t cap, const uint8_t *pkt4, size_t n4,
                               size_t ext)
{
    size_t ihl = (size_t)(pkt4[0] & 15) * 4, tcp = n4 - ihl;
    if (cap < SYNACK_IPV6_HDR + ext + tcp)
        abort();
    struct synack_ipv6 h;
    memset(&h, 0, sizeof h);
    h.tclass = pkt4[1];
    h.hop_limit = pkt4[8];
    h.next = ext ? SYNACK_IPPROTO_DSTOPTS : SYNACK_IPPROTO_TCP;
    pb_addr6(synack_get32(pkt4 + 12), h.src);
    pb_addr6(synack_get32(pkt4 + 16), h.dst);
    synack_ipv6_build(out, cap, &h, ext + tcp, NULL);
    if (ext) {
        uint8_t *d = out + SYNACK_IPV6_HDR;
        memset(d, 0, ext);
        d[0] = SYNACK_IPPROTO_TCP;
        d[1] = (uint8_t)(ext / 8 - 1);
        d[2] = 1; /* PadN over the rest */
        d[3] = (uint8_t)(ext - 4);
    }
    uint8_t *seg = out + SYNACK_IPV6_HDR + ext;
    memcpy(seg, pkt4 + ihl, tcp);
    synack_tcp_checksum_set6(seg, tcp, h.src, h.dst);
    return SYNACK_IPV6_HDR + ext + tcp;
}

/* Rewrite the TCP checksum of a datagram (either version; IPv6 without
 * extension headers) after its fields changed. */
static inline void seg_fix_checksum(uint8_t *pkt, size_t len)
{
    if ((pkt[0] >> 4) == 6) {
        synack_tcp_checksum_set6(pkt + SYNACK_IPV6_HDR, len - SYNACK_IPV6_HDR, pkt + 8, pkt + 24);
        return;
    }
    size_t ihl = (size_t)(pkt[0] & 15) * 4;
    synack_tcp_checksum_set(pkt + ihl, len - ihl, synack_get32(pkt + 12), synack_get32(pkt + 16));
}

#endif

/* fuzz/family.h: the stack target (fuzz/stack.c) in IPv6. A run whose
 * prefix octet has FZ_PREFIX_V6 set gives the stack an IPv6 address and
 * AF_INET6 sockets; the model of the peer and the target's checks keep
 * IPv4's numbers, and this file turns what the peer builds into IPv6 on the
 * wire (RFC 8200: addresses, fragment header, checksums over IPv6's
 * pseudo-header, ICMP as ICMPv6, RFC 4443) and the stack's addresses back.
 * The RFC oracle sees the IPv6 datagrams themselves.
 *
 * Addresses (RFC 3849's prefix): 192.0.2.1, the stack, is 2001:db8::1;
 * 198.51.100.2, the peer, 2001:db8:1::2; 192.0.2.255 (the broadcast a
 * connect must refuse) ff02::1; 0 the unspecified ::; any other a.b.c.d
 * 2001:db8:2::a.b.c.d.
 */
#ifndef SYNACK_FUZZ_FAMILY_H
#define SYNACK_FUZZ_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <synack/wire.h>

#define FZ6_STACK 0xc0000201u     /* as FZ_ADDR */
#define FZ6_PEER 0xc6336402u      /* as FZ_PEER */
#define FZ6_BCAST 0xc00002ffu     /* FZ_ADDR | 0xff */

static inline void fz6_addr(uint32_t a, uint8_t out[16])
{
    uint8_t first = (uint8_t)(a >> 24);
    memset(out, 0, 16);
    if (a == 0)
        return;                               /* :: */
    if (first == 127) {
        out[15] = 1;                          /* ::1 */
    } else if (a == FZ6_BCAST) {
        out[0] = 0xff, out[1] = 0x02, out[15] = 1; /* ff02::1, all nodes */
    } else if (first >= 224) {
        out[0] = 0xff, out[1] = 0x0e;         /* ff0e::a.b.c.d, multicast */
        synack_put32(out + 12, a);
    } else {
        out[0] = 0x20, out[1] = 0x01, out[2] = 0x0d, out[3] = 0xb8;
        if (a == FZ6_STACK) {
            out[15] = 1;
        } else if (a == FZ6_PEER) {
            out[5] = 1, out[15] = 2;
        } else {
            out[5] = 2;
            synack_put32(out + 12, a);
        }
    }
}

/* The IPv4 number of an address of fz6_addr's; any other (a raw
 * datagram's) a number of 10.0.0.0/8 of its own, a unicast one. */
static inline uint32_t fz6_addr_v4(const uint8_t a[16])
{
    static const uint32_t known[] = {0, 0x7f000001u, FZ6_STACK, FZ6_PEER, FZ6_BCAST};
    uint8_t x[16];
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        fz6_addr(known[i], x);
        if (memcmp(a, x, 16) == 0)
            return known[i];
    }
    uint32_t low = synack_get32(a + 12);
    uint8_t first = (uint8_t)(low >> 24);
    fz6_addr(0xe0000000u, x); /* ff0e::/96 */
    if (memcmp(a, x, 12) == 0 && first >= 224)
        return low;
    fz6_addr(0x01000000u, x); /* 2001:db8:2::/96 */
    if (memcmp(a, x, 12) == 0 && first != 0 && first != 127 && first < 224)
        return low;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ a[i]) * 16777619u;
    return 0x0a000000u | (h & 0xffffffu);
}

/* May the stack send to a (RFC 4291): not unspecified, loopback,
 * multicast or IPv4-mapped. */
static inline bool fz6_unicast(const uint8_t a[16])
{
    static const uint8_t zero[16];
    return a[0] != 0xff && memcmp(a, zero, 15) != 0 && !synack_addr_is_v4mapped(a);
}

/* The address a of either family as the fuzzer's IPv4 number. */
static inline uint32_t fz_addr_v4(const struct synack_addr *a)
{
    if (a->family == SYNACK_AF_INET6) {
        struct synack_addr u = synack_addr_unmap(*a);
        return u.family == SYNACK_AF_INET ? synack_addr_v4(&u) : fz6_addr_v4(a->a);
    }
    return synack_addr_v4(a);
}

/* The IPv4 number a as an address of the run's family. */
static inline struct synack_addr fz_addr_of(bool v6, uint32_t a)
{
    if (!v6)
        return synack_addr_from_v4(a);
    if (a == 0)
        return synack_addr_any(SYNACK_AF_INET6);
    uint8_t x[16];
    fz6_addr(a, x);
    return synack_addr_from_v6(x);
}

/* Does the TCP checksum of the IPv4 datagram p (n octets, TCP at 20, as
 * the target's segments are built) verify? */
static inline bool fz6_tcp_csum_ok(const uint8_t *p, size_t n)
{
    uint32_t sum = synack_cksum_pseudo(synack_get32(p + 12), synack_get32(p + 16),
                                       SYNACK_IPPROTO_TCP, (uint16_t)(n - 20));
    return synack_cksum_fold(synack_cksum_add(sum, p + 20, n - 20)) == 0;
}

/* The peer's TCP/IPv4 datagram p (n octets, whatever its mutations did to
 * it) as IPv6, written at out (n + 28 octets): version 4 becomes 6 (and 6
 * becomes 4), TOS and TTL traffic class and hop limit, the total length
 * the payload length it implies (more than there is when it said more), a
 * fragment (MF or an offset) a fragment header with its offset, M flag and
 * identification; the payload from IHL on. The TCP checksum verifies over
 * IPv6's pseudo-header exactly when it verified over IPv4's. Returns the
 * length; *grow is what the header grew by (for a truncation after it). */
static inline size_t fz6_from_v4(const uint8_t *p, size_t n, uint8_t *out, size_t *grow)
{
    size_t ihl = (size_t)(p[0] & 15) * 4, off = (ihl >= 20 && ihl <= n) ? ihl : 20;
    size_t body = n - off;
    uint16_t frag = synack_get16(p + 6), tot = synack_get16(p + 2);
    bool fragment = (frag & (SYNACK_IP_MF | SYNACK_IP_OFFMASK)) != 0;
    size_t fh = fragment ? 8 : 0;
    size_t plen = tot >= off ? tot - off + fh : body + fh + 1;
    unsigned v = p[0] >> 4;
    out[0] = (uint8_t)(((v == 4 ? 6u : v == 6 ? 4u : v) << 4) | (p[1] >> 4));
    out[1] = (uint8_t)(p[1] << 4);
    out[2] = out[3] = 0;
    synack_put16(out + 4, (uint16_t)(plen > 65535 ? 65535 : plen));
    uint8_t upper = p[9] == SYNACK_IPPROTO_ICMP ? SYNACK_IPPROTO_ICMPV6 : p[9];
    out[6] = fragment ? SYNACK_IPPROTO_FRAGMENT : upper;
    out[7] = p[8];
    fz6_addr(synack_get32(p + 12), out + 8);
    fz6_addr(synack_get32(p + 16), out + 24);
    if (fragment) { /* RFC 8200 4.5 */
        uint8_t *h = out + SYNACK_IPV6_HDR;
        h[0] = upper;
        h[1] = 0;
        synack_put16(h + 2, (uint16_t)(((frag & SYNACK_IP_OFFMASK) << 3) |
                                       ((frag & SYNACK_IP_MF) ? 1u : 0u)));
        synack_put32(h + 4, synack_get16(p + 4));
    }
    uint8_t *l4 = out + SYNACK_IPV6_HDR + fh;
    memcpy(l4, p + off, body);
    if (upper == SYNACK_IPPROTO_TCP && !(frag & SYNACK_IP_OFFMASK) && body >= 18 && n >= 20) {
        bool ok = fz6_tcp_csum_ok(p, n);
        synack_tcp_checksum_set6(l4, body, out + 8, out + 24);
        if (!ok)
            synack_put16(l4 + 16, synack_get16(l4 + 16) ^ 1u);
    }
    *grow = SYNACK_IPV6_HDR + fh - off;
    return SYNACK_IPV6_HDR + fh + body;
}

/* The ICMPv6 message (RFC 4443) an ICMP type and code of the target's
 * input stands for, so that a seed means the same in either family; types
 * it does not know go through as ICMPv6 types. rest is adjusted (a packet
 * too big's MTU, a parameter problem's pointer). */
static inline void fz6_icmp_type(uint8_t *type, uint8_t *code, uint32_t *rest)
{
    uint8_t t = *type, c = *code;
    if (t == ICMP_ECHO_REQUEST || t == ICMP_ECHO_REPLY) {
        *type = t == ICMP_ECHO_REQUEST ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY;
        *code = 0;
    } else if (t == ICMP_DEST_UNREACH && c == ICMP_UNREACH_NEEDFRAG) {
        *type = ICMP6_PACKET_TOO_BIG, *code = 0;
        *rest &= 0xffffu; /* the next-hop MTU */
    } else if (t == ICMP_DEST_UNREACH && c == ICMP_UNREACH_PROTOCOL) {
        *type = ICMP6_PARAM_PROBLEM, *code = ICMP6_PARAMPROB_NEXTHDR;
        *rest = 6;        /* the Next Header field */
    } else if (t == ICMP_DEST_UNREACH) {
        static const uint8_t codes[16] = {ICMP6_UNREACH_NOROUTE, ICMP6_UNREACH_ADDR, 0,
                                          ICMP6_UNREACH_PORT, 0, 0, ICMP6_UNREACH_NOROUTE,
                                          ICMP6_UNREACH_ADDR, 0, ICMP6_UNREACH_ADMIN,
                                          ICMP6_UNREACH_ADMIN, 0, 0, ICMP6_UNREACH_ADMIN};
        *type = ICMP6_DEST_UNREACH, *code = codes[c & 15];
    } else if (t == ICMP_TIME_EXCEEDED) {
        *type = ICMP6_TIME_EXCEEDED;
    } else if (t == ICMP_PARAM_PROBLEM) {
        *type = ICMP6_PARAM_PROBLEM, *code = ICMP6_PARAMPROB_HEADER;
        *rest >>= 24;     /* ICMPv4's pointer is an octet, ICMPv6's a word */
    }
}

/* A raw datagram in an IPv6 run: our addresses (peer to stack) written in
 * when `ours`, the TCP or ICMPv6 checksum found through the extension
 * headers repaired when `repair`. */
static inline void fz6_raw(uint8_t *pkt, size_t len, bool ours, bool repair)
{
    if (len < SYNACK_IPV6_HDR)
        return;
    if (ours) {
        fz6_addr(FZ6_PEER, pkt + 8);
        fz6_addr(FZ6_STACK, pkt + 24);
    }
    struct synack_ipv6_chain ch;
    size_t total = SYNACK_IPV6_HDR + synack_get16(pkt + 4);
    if (!repair || total > len || synack_ipv6_chain_parse(pkt, total, &ch, NULL) != WIRE_OK)
        return;
    uint8_t *l4 = pkt + ch.l4_off;
    size_t l4len = total - ch.l4_off;
    if (ch.proto == SYNACK_IPPROTO_TCP && l4len >= 20) {
        synack_tcp_checksum_set6(l4, l4len, pkt + 8, pkt + 24);
    } else if (ch.proto == SYNACK_IPPROTO_ICMPV6 && l4len >= 8) {
        synack_put16(l4 + 2, 0);
        uint32_t sum = synack_cksum_pseudo6(pkt + 8, pkt + 24, SYNACK_IPPROTO_ICMPV6,
                                            (uint32_t)l4len);
        synack_put16(l4 + 2, synack_cksum_fold(synack_cksum_add(sum, l4, l4len)));
    }
}

#endif

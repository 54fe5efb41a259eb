/* fuzz/wire.c: the wire parsers and builders (stack/wire/), with round trips.
 * It owns nothing but the checks: parse, build what was parsed, parse the
 * result, and compare; a difference or a broken promise of wire.h aborts.
 *
 * Input: one mode octet, then the bytes to parse.
 *   mode & 3:    0 an IP datagram: IPv4 (TCP or ICMP inside, by protocol)
 *                or, version 6, IPv6 (its extension header chain, then TCP
 *                or ICMPv6),
 *                1 a TCP segment, 2 an ICMP message, 3 a TCP option space
 *   mode & 4:    repair the checksums before parsing (the check still runs
 *                and must pass), so the fuzzer gets past it
 *   mode >> 3:   which header word the RFC 1624 incremental update changes
 * Built with -DSYNACK_FUZZ_NO_CHECKSUM, every parse skips checksums
 * (WIRE_PARSE_NO_CHECKSUM); by default they are verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#define SRC 0xc6336402u /* 198.51.100.2 */
#define DST 0xc0000201u /* 192.0.2.1 */

#ifdef SYNACK_FUZZ_NO_CHECKSUM
#define PARSE_FLAGS WIRE_PARSE_NO_CHECKSUM
#else
#define PARSE_FLAGS 0u
#endif

#define FUZZ_TARGET "wire"
#include "check.h"

/* wire.h: every error has a message, a name, and an offset inside the input. */
static void check_error(int r, const struct synack_wire_error *err, size_t len)
{
    CHECK(r > WIRE_OK && r < WIRE_ERR_COUNT, "code %d", r);
    CHECK(err->code == (enum synack_wire_err)r, "err.code %d, returned %d", err->code, r);
    CHECK(err->offset <= (len > 65535u ? 65535u : len), "%s at offset %u of %zu",
          synack_wire_errname(err->code), err->offset, len);
    CHECK(synack_wire_strerror(err->code) && synack_wire_errname(err->code), "names");
    char msg[128];
    CHECK(synack_wire_error_format(err, msg, sizeof msg) > 0, "format");
}

static bool cksum_ok(const uint8_t *p, size_t n, uint32_t pseudo)
{
    return synack_cksum_fold(synack_cksum_add(pseudo, p, n)) == 0;
}

/* Are all octets zero but the checksum? Then the one's complement sum is
 * +0 and only a full computation gives the right 0xffff: eqn. 3 of
 * RFC 1624 gives 0x0000 (its section 3 assumes data that is not all zero). */
static bool all_zero_but(const uint8_t *p, size_t n, size_t csum_off)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] && i != csum_off && i != csum_off + 1)
            return false;
    return true;
}

/* RFC 1624: after changing one 16-bit word among the first `words` octets
 * of a verified buffer of n octets and updating its checksum incrementally,
 * the buffer still verifies; the same for a 32-bit field. */
static void check_incremental(uint8_t *p, size_t n, size_t words, size_t csum_off,
                              unsigned word, uint32_t pseudo, uint16_t val)
{
    if (words < 2)
        return;
    size_t w = (word % (words / 2)) * 2;
    if (w == csum_off)
        return;
    uint16_t old = synack_get16(p + w);
    uint16_t hc = synack_get16(p + csum_off);
    synack_put16(p + w, val);
    synack_put16(p + csum_off, synack_cksum_update16(hc, old, val));
    if (pseudo == 0 && all_zero_but(p, n, csum_off))
        return;
    CHECK(cksum_ok(p, n, pseudo), "update16 of word %zu: %04x -> %04x", w, old, val);
    if (w + 4 <= words && (w + 4 <= csum_off || w >= csum_off + 2)) {
        uint32_t old32 = synack_get32(p + w);
        uint32_t new32 = old32 ^ ((uint32_t)val << 16 | 0x5a5au);
        hc = synack_get16(p + csum_off);
        synack_put32(p + w, new32);
        synack_put16(p + csum_off, synack_cksum_update32(hc, old32, new32));
        if (pseudo == 0 && all_zero_but(p, n, csum_off))
            return;
        CHECK(cksum_ok(p, n, pseudo), "update32 at %zu", w);
    }
}

/* A rebuilt buffer equals the original octet for octet, except that a
 * checksum may be written as either zero of one's complement (0x0000 or
 * 0xffff: both verify, RFC 1624 3). */
static bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n, size_t csum_off)
{
    for (size_t i = 0; i < n; i++) {
        if (i == csum_off || i == csum_off + 1)
            continue;
        if (a[i] != b[i])
            return false;
    }
    uint16_t x = synack_get16(a + csum_off), y = synack_get16(b + csum_off);
    return x == y || (uint16_t)(x ^ y) == 0xffffu;
}

/* ---- TCP options ---- */

static void check_opts_equal(const struct synack_tcp_opts *a, const struct synack_tcp_opts *b,
                             uint32_t mask)
{
    CHECK((a->present & mask) == (b->present & mask), "present %x vs %x", a->present,
          b->present);
    uint32_t p = a->present & mask;
    if (p & TCPOPT_F_MSS)
        CHECK(a->mss == b->mss, "mss %u vs %u", a->mss, b->mss);
    if (p & TCPOPT_F_WSCALE)
        CHECK(a->wscale == b->wscale, "wscale");
    if (p & TCPOPT_F_TS)
        CHECK(a->ts_val == b->ts_val && a->ts_ecr == b->ts_ecr, "timestamps");
    if (p & TCPOPT_F_SACK) {
        CHECK(a->sack_count == b->sack_count, "sack count %u vs %u", a->sack_count,
              b->sack_count);
        for (unsigned i = 0; i < a->sack_count; i++)
            CHECK(a->sack[i].left == b->sack[i].left && a->sack[i].right == b->sack[i].right,
                  "sack block %u", i);
    }
}

/* Walk the space, put every option back, and compare with the original;
 * encode the decoded options (Linux layout) and decode them again. */
static void fuzz_options(const uint8_t *opts, size_t len)
{
    struct synack_tcp_opts o;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_tcp_opts_parse(opts, len, &o, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        CHECK(r >= WIRE_ETCP_OPT_TRUNCATED && r <= WIRE_ETCP_TS_LEN, "%s is not an option error",
              synack_wire_errname(err.code));
        return;
    }
    CHECK(o.sack_count <= SYNACK_SACK_MAX, "sack_count %u", o.sack_count);
    CHECK(!(o.dup & ~o.present), "dup %x present %x", o.dup, o.present);

    uint8_t out[64];
    size_t off = 0, n = 0;
    struct synack_tcp_opt opt;
    int k;
    while ((k = synack_tcp_opt_next(opts, len, &off, &opt, &err)) == 1) {
        CHECK(opt.offset < len && opt.offset + (size_t)opt.len <= len, "option bounds");
        size_t w = synack_tcp_opt_put(out + n, sizeof out - n, &opt, NULL);
        CHECK(w == opt.len, "put wrote %zu of %u", w, opt.len);
        CHECK(memcmp(out + n, opts + opt.offset, w) == 0, "put differs at %u", opt.offset);
        n += w;
    }
    CHECK(k == 0, "the walk fails where the parse did not");
    CHECK(n <= len, "walked past the end");

    uint8_t built[SYNACK_TCP_OPT_MAX];
    size_t bl = synack_tcp_opts_build(built, sizeof built, &o, &err);
    if (bl == 0 && (o.present & (TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM |
                                 TCPOPT_F_TS | TCPOPT_F_SACK))) {
        CHECK(err.code == WIRE_EBUILD_OPTSPACE, "build failed with %s",
              synack_wire_errname(err.code));
        return;
    }
    CHECK(bl % 4 == 0 && bl <= SYNACK_TCP_OPT_MAX, "built %zu octets", bl);
    struct synack_tcp_opts o2;
    CHECK(synack_tcp_opts_parse(built, bl, &o2, NULL) == WIRE_OK, "built options do not parse");
    uint32_t known = TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM | TCPOPT_F_TS;
    if (o.sack_count)
        known |= TCPOPT_F_SACK;
    check_opts_equal(&o, &o2, known);
    CHECK(o2.dup == 0 && o2.unknown_count == 0, "built options have extras");
}

/* ---- TCP ---- */

static void fuzz_tcp(uint8_t *seg, size_t len, uint32_t src, uint32_t dst, bool repair,
                     unsigned word)
{
    if (repair && len >= SYNACK_TCP_HDR_MIN && len <= 65535u)
        synack_tcp_checksum_set(seg, len, src, dst);
    struct synack_tcp th;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_tcp_parse(seg, len, src, dst, PARSE_FLAGS, &th, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        if (r != WIRE_ETCP_CHECKSUM && len >= SYNACK_TCP_HDR_MIN)
            fuzz_options(seg + SYNACK_TCP_HDR_MIN,
                         (len - SYNACK_TCP_HDR_MIN) < SYNACK_TCP_OPT_MAX
                             ? len - SYNACK_TCP_HDR_MIN : SYNACK_TCP_OPT_MAX);
        return;
    }
    bool verified = !(PARSE_FLAGS & WIRE_PARSE_NO_CHECKSUM);
    size_t hlen = th.doff * 4u;
    CHECK(th.doff >= 5 && hlen <= len, "doff %u len %zu", th.doff, len);
    CHECK(th.options == seg + 20 && th.options_len == hlen - 20, "options view");
    CHECK(th.payload == seg + hlen && th.payload_len == len - hlen, "payload view");
    fuzz_options(th.options, th.options_len);

    /* Build what was parsed; it must parse to the same fields. */
    uint8_t *out = malloc(len);
    if (!out)
        abort();
    size_t bl = synack_tcp_build(out, len, &th, th.options, th.options_len, &err);
    CHECK(bl == hlen, "build gave %zu, header is %zu", bl, hlen);
    memcpy(out + hlen, th.payload, th.payload_len);
    synack_tcp_checksum_set(out, len, src, dst);
    CHECK(synack_tcp_checksum_ok(out, len, src, dst), "checksum_set does not verify");
    struct synack_tcp t2;
    r = synack_tcp_parse(out, len, src, dst, 0, &t2, &err);
    CHECK(r == WIRE_OK, "rebuilt segment: %s", synack_wire_errname(err.code));
    CHECK(t2.sport == th.sport && t2.dport == th.dport && t2.seq == th.seq && t2.ack == th.ack &&
              t2.doff == th.doff && t2.reserved == th.reserved && t2.flags == th.flags &&
              t2.window == th.window && t2.urg_ptr == th.urg_ptr &&
              t2.payload_len == th.payload_len,
          "fixed fields differ after a round trip");
    check_opts_equal(&th.opts, &t2.opts, ~0u);
    CHECK(th.opts.dup == t2.opts.dup && th.opts.unknown_count == t2.opts.unknown_count &&
              th.opts.eol_offset == t2.opts.eol_offset,
          "option bookkeeping differs");
    if (verified)
        CHECK(same_bytes(out, seg, len, 16), "a verified segment is not rebuilt octet for octet");
    uint32_t pseudo = synack_cksum_pseudo(src, dst, SYNACK_IPPROTO_TCP, (uint16_t)len);
    check_incremental(out, len, hlen, 16, word, pseudo, (uint16_t)(th.seq ^ th.window));
    free(out);
}

/* ---- ICMP ---- */

static void fuzz_icmp(uint8_t *msg, size_t len, bool repair, unsigned word)
{
    if (repair && len >= 8) {
        synack_put16(msg + 2, 0);
        synack_put16(msg + 2, synack_cksum_fold(synack_cksum_add(0, msg, len)));
    }
    struct synack_icmp ic;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_icmp_parse(msg, len, PARSE_FLAGS, &ic, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        return;
    }
    CHECK(ic.data == msg + 8 && ic.data_len == len - 8, "data view");
    CHECK(ic.is_error == synack_icmp_type_is_error(ic.type), "is_error");
    if (ic.is_error) {
        CHECK(ic.inner.ihl >= 5 && ic.inner.l4 == msg + 8 + ic.inner.ihl * 4u &&
                  ic.inner.l4_len >= 8 && ic.inner.l4 + ic.inner.l4_len == msg + len,
              "inner view");
    }
    uint8_t *out = malloc(len);
    if (!out)
        abort();
    size_t bl = synack_icmp_build(out, len, ic.type, ic.code, ic.rest, ic.data, ic.data_len,
                                  &err);
    CHECK(bl == len, "build gave %zu of %zu", bl, len);
    struct synack_icmp i2;
    r = synack_icmp_parse(out, len, 0, &i2, &err);
    CHECK(r == WIRE_OK, "rebuilt message: %s", synack_wire_errname(err.code));
    CHECK(i2.type == ic.type && i2.code == ic.code && i2.rest == ic.rest &&
              i2.echo_id == ic.echo_id && i2.echo_seq == ic.echo_seq &&
              i2.data_len == ic.data_len && i2.pointer == ic.pointer &&
              i2.next_hop_mtu == ic.next_hop_mtu,
          "fields differ after a round trip");
    if (ic.is_error)
        CHECK(i2.inner.ihl == ic.inner.ihl && i2.inner.proto == ic.inner.proto &&
                  i2.inner.src == ic.inner.src && i2.inner.dst == ic.inner.dst &&
                  i2.inner.total_len == ic.inner.total_len && i2.inner.l4_len == ic.inner.l4_len,
              "inner header differs after a round trip");
    if (!(PARSE_FLAGS & WIRE_PARSE_NO_CHECKSUM))
        CHECK(same_bytes(out, msg, len, 2), "a verified message is not rebuilt octet for octet");
    check_incremental(out, len, len, 2, word, 0, (uint16_t)ic.rest);
    free(out);
}

/* ---- IPv4 ---- */

static void fuzz_ipv4(uint8_t *buf, size_t len, bool repair, unsigned word)
{
    if (repair && len >= 20 && (buf[0] & 0x0f) >= 5 && (buf[0] & 0x0fu) * 4u <= len) {
        size_t hl = (buf[0] & 0x0fu) * 4u;
        synack_put16(buf + 10, 0);
        synack_put16(buf + 10, synack_cksum_fold(synack_cksum_add(0, buf, hl)));
    }
    struct synack_ipv4 ip;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_ipv4_parse(buf, len, PARSE_FLAGS, &ip, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        return;
    }
    size_t hl = ip.ihl * 4u;
    CHECK(ip.ihl >= 5 && ip.ihl <= 15 && hl <= ip.total_len && ip.total_len <= len, "lengths");
    CHECK(ip.options == buf + 20 && ip.options_len == hl - 20, "options view");
    CHECK(ip.payload == buf + hl && ip.payload_len == ip.total_len - hl, "payload view");
    CHECK(synack_ipv4_is_fragment(&ip) == ((ip.frag & 0x3fffu) != 0), "is_fragment");

    uint8_t *out = malloc(20 + ip.payload_len);
    if (!out)
        abort();
    size_t bl = synack_ipv4_build(out, 20 + ip.payload_len, &ip, ip.payload_len, &err);
    CHECK(bl == 20, "build gave %zu", bl);
    memcpy(out + 20, ip.payload, ip.payload_len);
    struct synack_ipv4 i2;
    r = synack_ipv4_parse(out, 20 + ip.payload_len, 0, &i2, &err);
    CHECK(r == WIRE_OK, "rebuilt header: %s", synack_wire_errname(err.code));
    CHECK(i2.tos == ip.tos && i2.id == ip.id && i2.frag == ip.frag && i2.ttl == ip.ttl &&
              i2.proto == ip.proto && i2.src == ip.src && i2.dst == ip.dst &&
              i2.payload_len == ip.payload_len && i2.ihl == 5 &&
              i2.total_len == 20 + ip.payload_len,
          "fields differ after a round trip");
    if (ip.ihl == 5 && !(PARSE_FLAGS & WIRE_PARSE_NO_CHECKSUM))
        CHECK(same_bytes(out, buf, 20, 10), "a verified header is not rebuilt octet for octet");
    check_incremental(out, 20, 20, 10, word, 0, ip.id ^ ip.frag);
    free(out);

    /* The payload, as the stack would see it (a copy of exactly its size). */
    uint8_t *pl = malloc(ip.payload_len ? ip.payload_len : 1);
    if (!pl)
        abort();
    memcpy(pl, ip.payload, ip.payload_len);
    if (ip.proto == SYNACK_IPPROTO_TCP)
        fuzz_tcp(pl, ip.payload_len, ip.src, ip.dst, repair, word);
    else if (ip.proto == SYNACK_IPPROTO_ICMP)
        fuzz_icmp(pl, ip.payload_len, repair, word);
    free(pl);
}

/* ---- IPv6 ---- */

/* The chain's offsets stay inside the datagram and in the order RFC 8200 4
 * gives them. */
static void check_chain(const struct synack_ipv6_chain *c, size_t len)
{
    CHECK(c->l4_off >= SYNACK_IPV6_HDR && c->l4_off <= len, "l4_off %u of %zu", c->l4_off, len);
    CHECK(c->proto_ptr < c->l4_off, "proto_ptr %u, l4_off %u", c->proto_ptr, c->l4_off);
    CHECK(!c->frag || (c->frag_hdr_off + 8u <= c->l4_off && c->frag_ptr < c->frag_hdr_off),
          "fragment header at %u", c->frag_hdr_off);
    CHECK(!c->routing || (c->rt_off == c->l4_off && c->rt_segleft != 0), "routing header");
    CHECK(!c->opt_off || (c->opt_off >= SYNACK_IPV6_HDR + 2u && c->opt_off < c->l4_off &&
                          c->opt_action >= 1 && c->opt_action <= 3),
          "option at %u", c->opt_off);
}

static void fuzz_tcp6(uint8_t *seg, size_t len, const uint8_t *src, const uint8_t *dst, bool repair)
{
    if (repair && len >= SYNACK_TCP_HDR_MIN && len <= 65535u)
        synack_tcp_checksum_set6(seg, len, src, dst);
    struct synack_tcp th;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_tcp_parse6(seg, len, src, dst, PARSE_FLAGS, &th, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        CHECK(!(repair && r == WIRE_ETCP_CHECKSUM), "a repaired checksum does not verify");
        return;
    }
    CHECK(th.payload == seg + th.doff * 4u && th.payload_len == len - th.doff * 4u, "views");
}

static void fuzz_icmp6(uint8_t *msg, size_t len, const uint8_t *src, const uint8_t *dst,
                       bool repair)
{
    if (repair && len >= 8) {
        synack_put16(msg + 2, 0);
        uint32_t ps = synack_cksum_pseudo6(src, dst, SYNACK_IPPROTO_ICMPV6, (uint32_t)len);
        synack_put16(msg + 2, synack_cksum_fold(synack_cksum_add(ps, msg, len)));
    }
    struct synack_icmp6 ic;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_icmp6_parse(msg, len, src, dst, PARSE_FLAGS, &ic, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        return;
    }
    CHECK(ic.data == msg + 8 && ic.data_len == len - 8, "data view");
    CHECK(!ic.inner.l4 || (ic.inner.l4 >= msg + 8 + SYNACK_IPV6_HDR && ic.inner.l4_len >= 8 &&
                           ic.inner.l4 + ic.inner.l4_len == msg + len),
          "inner view");
    uint8_t *out = malloc(len);
    if (!out)
        abort();
    size_t n = synack_icmp6_build(out, len, ic.type, ic.code, ic.rest, ic.data, ic.data_len, src,
                                  dst, NULL);
    CHECK(n == len, "rebuilt %zu of %zu", n, len);
    CHECK(synack_icmp6_parse(out, n, src, dst, 0, &ic, NULL) == WIRE_OK, "rebuilt message");
    free(out);
}

static void fuzz_ipv6(uint8_t *buf, size_t len, bool repair)
{
    struct synack_ipv6 ip;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_ipv6_parse(buf, len, 0, &ip, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, len);
        return;
    }
    size_t n = SYNACK_IPV6_HDR + ip.payload_len;
    uint8_t hdr[SYNACK_IPV6_HDR];
    CHECK(synack_ipv6_build(hdr, sizeof hdr, &ip, ip.payload_len, NULL) == SYNACK_IPV6_HDR &&
              memcmp(hdr, buf, SYNACK_IPV6_HDR) == 0,
          "a header is not rebuilt octet for octet");
    struct synack_ipv6_chain c;
    r = synack_ipv6_chain_parse(buf, n, &c, &err);
    if (r != WIRE_OK) {
        check_error(r, &err, n);
        return;
    }
    check_chain(&c, n);
    if (c.routing || (c.frag && (c.frag_offset || c.frag_more)))
        return;
    uint8_t *pl = malloc(n - c.l4_off ? n - c.l4_off : 1);
    if (!pl)
        abort();
    memcpy(pl, buf + c.l4_off, n - c.l4_off);
    if (c.proto == SYNACK_IPPROTO_TCP)
        fuzz_tcp6(pl, n - c.l4_off, ip.src, ip.dst, repair);
    else if (c.proto == SYNACK_IPPROTO_ICMPV6)
        fuzz_icmp6(pl, n - c.l4_off, ip.src, ip.dst, repair);
    free(pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 70000)
        return 0;
    uint8_t mode = data[0];
    size_t len = size - 1;
    uint8_t *buf = malloc(len ? len : 1); /* writable, exactly len octets */
    if (!buf)
        abort();
    memcpy(buf, data + 1, len);
    bool repair = (mode & 4) != 0;
    unsigned word = mode >> 3;
    switch (mode & 3) {
    case 0: /* an IP datagram, by its version */
        if (len && (buf[0] >> 4) == 6)
            fuzz_ipv6(buf, len, repair);
        else
            fuzz_ipv4(buf, len, repair, word);
        break;
    case 1:
        fuzz_tcp(buf, len, SRC, DST, repair, word);
        break;
    case 2:
        fuzz_icmp(buf, len, repair, word);
        break;
    default:
        fuzz_options(buf, len < SYNACK_TCP_OPT_MAX ? len : SYNACK_TCP_OPT_MAX);
        break;
    }
    free(buf);
    return 0;
}

#include "driver.h"

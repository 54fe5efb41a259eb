/* IPv6 and ICMPv6 on the wire (stack/wire/ipv6.c, icmp6.c): the header
 * against the buffer, the extension header chain as RFC 8200 4 orders it,
 * the options' action bits, fragment and routing headers, the pseudo-
 * header checksum of TCP and ICMPv6, and the invoking packet of an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <synack/wire.h>

static const uint8_t SRC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* A datagram: the fixed header naming `next`, then plen octets of p. */
static size_t datagram(uint8_t *buf, uint8_t next, const uint8_t *p, size_t plen)
{
    struct synack_ipv6 h = {.tclass = 0xb8, .flow = 0x12345, .next = next, .hop_limit = 64};
    memcpy(h.src, SRC, 16);
    memcpy(h.dst, DST, 16);
    assert_int_equal(synack_ipv6_build(buf, 2048, &h, plen, NULL), 40);
    memcpy(buf + 40, p, plen);
    return 40 + plen;
}

static void test_header_round_trip(void **state)
{
    (void)state;
    uint8_t b[2048], pl[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    size_t n = datagram(b, SYNACK_IPPROTO_TCP, pl, sizeof pl);
    struct synack_ipv6 ip;
    assert_int_equal(synack_ipv6_parse(b, n + 3, 0, &ip, NULL), WIRE_OK); /* link padding */
    assert_int_equal(ip.tclass, 0xb8);
    assert_int_equal(ip.flow, 0x12345);
    assert_int_equal(ip.next, SYNACK_IPPROTO_TCP);
    assert_int_equal(ip.hop_limit, 64);
    assert_memory_equal(ip.src, SRC, 16);
    assert_memory_equal(ip.dst, DST, 16);
    assert_int_equal(ip.payload_len, 8);
    assert_ptr_equal(ip.payload, b + 40);
    struct synack_wire_error e;
    assert_int_equal(synack_ipv6_parse(b, 39, 0, &ip, &e), WIRE_EIP6_TRUNCATED);
    assert_int_equal(synack_ipv6_parse(b, n - 1, 0, &ip, &e), WIRE_EIP6_PLEN_OVERRUN);
    assert_int_equal(e.offset, 4);
    b[0] = 0x45;
    assert_int_equal(synack_ipv6_parse(b, n, 0, &ip, &e), WIRE_EIP6_VERSION);
    struct synack_ipv6 big = {.flow = 0x100000};
    assert_int_equal(synack_ipv6_build(b, sizeof b, &big, 0, &e), 0);
    assert_int_equal(e.code, WIRE_EBUILD_FIELD);
}

/* Hop-by-hop (PadN), destination options (Pad1s), then TCP. */
static void test_chain_reaches_the_upper_layer(void **state)
{
    (void)state;
    uint8_t p[] = {SYNACK_IPPROTO_DSTOPTS, 0, 1, 4, 0, 0, 0, 0,          /* HBH, PadN 4 */
                   SYNACK_IPPROTO_TCP, 0, 0, 0, 0, 0, 0, 0,              /* DST, Pad1 x6 */
                   0x1f, 0x90, 0x9c, 0x40};                              /* TCP ports */
    uint8_t b[2048];
    size_t n = datagram(b, SYNACK_IPPROTO_HOPOPTS, p, sizeof p);
    struct synack_ipv6_chain c;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_true(c.hbh);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(c.l4_off, 56);
    assert_int_equal(c.proto_ptr, 48); /* the destination options' Next Header */
    assert_int_equal(c.opt_off, 0);
    assert_false(c.frag || c.routing);
}

/* RFC 8200 4.3: hop-by-hop anywhere but first is an error at the Next
 * Header field that names it (a Parameter Problem code 1 points there). */
static void test_hop_by_hop_not_first_is_an_error(void **state)
{
    (void)state;
    uint8_t p[] = {SYNACK_IPPROTO_HOPOPTS, 0, 1, 4, 0, 0, 0, 0,
                   SYNACK_IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0};
    uint8_t b[2048];
    size_t n = datagram(b, SYNACK_IPPROTO_DSTOPTS, p, sizeof p);
    struct synack_ipv6_chain c;
    struct synack_wire_error e;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, &e), WIRE_EIP6_HBH_NOT_FIRST);
    assert_int_equal(e.offset, 40);
}

/* RFC 8200 4.2: the first unknown option whose two high bits are not 00;
 * an unknown 00 option is skipped; a length past the header is an error. */
static void test_option_actions_and_malformed_options(void **state)
{
    (void)state;
    uint8_t p[] = {SYNACK_IPPROTO_TCP, 1, 0x1e, 2, 0, 0, 0x9e, 2, 0, 0, 0x5e, 0, 0, 0, 0, 0,
                   0x1f, 0x90, 0x9c, 0x40};
    uint8_t b[2048];
    size_t n = datagram(b, SYNACK_IPPROTO_DSTOPTS, p, sizeof p);
    struct synack_ipv6_chain c;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_int_equal(c.opt_off, 40 + 6);
    assert_int_equal(c.opt_action, 2);
    p[3] = 20; /* the 0x1e option runs past its header */
    n = datagram(b, SYNACK_IPPROTO_DSTOPTS, p, sizeof p);
    struct synack_wire_error e;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, &e), WIRE_EIP6_OPT_OVERRUN);
    assert_int_equal(e.offset, 40 + 3);
    uint8_t q[] = {SYNACK_IPPROTO_TCP, 0, 0, 0, 0, 0, 0, 0x1e}; /* a type, no length */
    n = datagram(b, SYNACK_IPPROTO_DSTOPTS, q, sizeof q);
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, &e), WIRE_EIP6_OPT_TRUNCATED);
    uint8_t r[] = {SYNACK_IPPROTO_TCP, 1, 0, 0, 0, 0, 0, 0}; /* 16 octets said, 8 there */
    n = datagram(b, SYNACK_IPPROTO_DSTOPTS, r, sizeof r);
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, &e), WIRE_EIP6_EXT_TRUNCATED);
}

/* RFC 8200 4.4: a routing header with Segments Left 0 is ignored; with
 * Segments Left the walk stops there (type 0 is deprecated, RFC 5095). */
static void test_routing_header(void **state)
{
    (void)state;
    uint8_t p[] = {SYNACK_IPPROTO_TCP, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                   0, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0x90, 0x9c, 0x40};
    uint8_t b[2048];
    size_t n = datagram(b, SYNACK_IPPROTO_ROUTING, p, sizeof p);
    struct synack_ipv6_chain c;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_false(c.routing);
    assert_int_equal(c.proto, SYNACK_IPPROTO_TCP);
    p[3] = 1; /* type 0, one segment left */
    n = datagram(b, SYNACK_IPPROTO_ROUTING, p, sizeof p);
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_true(c.routing);
    assert_int_equal(c.rt_type, 0);
    assert_int_equal(c.rt_segleft, 1);
    assert_int_equal(c.rt_off, 40);
    assert_int_equal(c.proto, SYNACK_IPPROTO_ROUTING);
}

/* RFC 8200 4.5: a first fragment's headers are walked on; a later
 * fragment's data is not headers. */
static void test_fragment_header(void **state)
{
    (void)state;
    uint8_t p[] = {SYNACK_IPPROTO_TCP, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef,
                   0x1f, 0x90, 0x9c, 0x40, 0, 0, 0, 0};
    uint8_t b[2048];
    size_t n = datagram(b, SYNACK_IPPROTO_FRAGMENT, p, sizeof p);
    struct synack_ipv6_chain c;
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_true(c.frag && c.frag_more);
    assert_int_equal(c.frag_offset, 0);
    assert_int_equal(c.frag_id, 0xdeadbeef);
    assert_int_equal(c.frag_hdr_off, 40);
    assert_int_equal(c.frag_ptr, 6);
    assert_int_equal(c.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(c.l4_off, 48);
    p[2] = 0x05;
    p[3] = 0x38; /* offset 167 units = 1336 octets, no M */
    n = datagram(b, SYNACK_IPPROTO_FRAGMENT, p, sizeof p);
    assert_int_equal(synack_ipv6_chain_parse(b, n, &c, NULL), WIRE_OK);
    assert_int_equal(c.frag_offset, 1336);
    assert_false(c.frag_more);
    assert_int_equal(c.l4_off, 48); /* data, whatever it looks like */
    assert_int_equal(c.proto, SYNACK_IPPROTO_TCP);
    struct synack_wire_error e;
    assert_int_equal(synack_ipv6_chain_parse(b, 44, &c, &e), WIRE_EIP6_EXT_TRUNCATED);
}

static void test_tcp_over_ipv6_checksum(void **state)
{
    (void)state;
    uint8_t seg[24] = {0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff};
    synack_tcp_checksum_set6(seg, 20, SRC, DST);
    struct synack_tcp th;
    assert_int_equal(synack_tcp_parse6(seg, 20, SRC, DST, 0, &th, NULL), WIRE_OK);
    assert_int_equal(th.sport, 40000);
    assert_int_equal(th.flags, SYNACK_TCP_SYN);
    struct synack_wire_error e;
    assert_int_equal(synack_tcp_parse6(seg, 20, DST, DST, 0, &th, &e), WIRE_ETCP_CHECKSUM);
    /* the same octets do not verify under IPv4's pseudo-header */
    assert_int_equal(synack_tcp_parse(seg, 20, 0xc6336402u, 0xc0000201u, 0, &th, &e),
                     WIRE_ETCP_CHECKSUM);
}

static void test_icmp6_echo_and_checksum(void **state)
{
    (void)state;
    uint8_t m[64], data[4] = {'p', 'i', 'n', 'g'};
    size_t n = synack_icmp6_build(m, sizeof m, ICMP6_ECHO_REQUEST, 0, 0x00070001u, data, 4,
                                  SRC, DST, NULL);
    assert_int_equal(n, 12);
    struct synack_icmp6 ic;
    assert_int_equal(synack_icmp6_parse(m, n, SRC, DST, 0, &ic, NULL), WIRE_OK);
    assert_int_equal(ic.type, ICMP6_ECHO_REQUEST);
    assert_int_equal(ic.echo_id, 7);
    assert_int_equal(ic.echo_seq, 1);
    assert_int_equal(ic.data_len, 4);
    assert_false(ic.is_error);
    struct synack_wire_error e;
    assert_int_equal(synack_icmp6_parse(m, n, SRC, SRC, 0, &ic, &e), WIRE_EICMP6_CHECKSUM);
    assert_int_equal(synack_icmp6_parse(m, 7, SRC, DST, 0, &ic, &e), WIRE_EICMP6_TRUNCATED);
}

/* A packet too big quoting our TCP segment, through a destination options
 * header: the MTU, and the segment's ports and sequence number. */
static void test_icmp6_error_finds_the_invoking_segment(void **state)
{
    (void)state;
    uint8_t inner[2048];
    uint8_t p[] = {SYNACK_IPPROTO_TCP, 0, 1, 4, 0, 0, 0, 0,
                   0x1f, 0x90, 0x9c, 0x40, 0x11, 0x22, 0x33, 0x44};
    size_t in = datagram(inner, SYNACK_IPPROTO_DSTOPTS, p, sizeof p);
    memcpy(inner + 8, DST, 16); /* it went from us (DST) to the peer */
    memcpy(inner + 24, SRC, 16);
    uint8_t m[2048];
    size_t n = synack_icmp6_build(m, sizeof m, ICMP6_PACKET_TOO_BIG, 0, 1280, inner, in, SRC, DST,
                                  NULL);
    struct synack_icmp6 ic;
    assert_int_equal(synack_icmp6_parse(m, n, SRC, DST, 0, &ic, NULL), WIRE_OK);
    assert_true(ic.is_error);
    assert_int_equal(ic.mtu, 1280);
    assert_int_equal(ic.inner.proto, SYNACK_IPPROTO_TCP);
    assert_non_null(ic.inner.l4);
    assert_int_equal(synack_get32(ic.inner.l4 + 4), 0x11223344u);
    assert_memory_equal(ic.inner.src, DST, 16);
    /* cut inside the invoking packet's header */
    n = synack_icmp6_build(m, sizeof m, ICMP6_PACKET_TOO_BIG, 0, 1280, inner, 30, SRC, DST, NULL);
    struct synack_wire_error e;
    assert_int_equal(synack_icmp6_parse(m, n, SRC, DST, 0, &ic, &e), WIRE_EICMP6_INNER_TRUNCATED);
    /* cut inside its TCP header: no l4 */
    n = synack_icmp6_build(m, sizeof m, ICMP6_PACKET_TOO_BIG, 0, 1280, inner, 52, SRC, DST, NULL);
    assert_int_equal(synack_icmp6_parse(m, n, SRC, DST, 0, &ic, NULL), WIRE_OK);
    assert_null(ic.inner.l4);
}

/* ---- addresses ---- */

static void check_text(const char *in, const char *canonical, uint16_t family)
{
    struct synack_addr a;
    assert_true(synack_addr_parse(in, strlen(in), &a));
    assert_int_equal(a.family, family);
    char out[64];
    assert_int_equal(synack_addr_format(&a, out, sizeof out), (int)strlen(canonical));
    assert_string_equal(out, canonical);
    struct synack_addr b;
    assert_true(synack_addr_parse(out, strlen(out), &b));
    assert_true(synack_addr_eq(&a, &b));
}

/* RFC 4291 2.2 in, RFC 5952 out. */
static void test_address_text(void **state)
{
    (void)state;
    check_text("192.0.2.1", "192.0.2.1", SYNACK_AF_INET);
    check_text("2001:db8::1", "2001:db8::1", SYNACK_AF_INET6);
    check_text("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1", SYNACK_AF_INET6);
    check_text("::", "::", SYNACK_AF_INET6);
    check_text("::1", "::1", SYNACK_AF_INET6);
    check_text("1::", "1::", SYNACK_AF_INET6);
    check_text("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1", SYNACK_AF_INET6); /* 5952 4.2.3 */
    check_text("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1", SYNACK_AF_INET6); /* 4.2.2 */
    check_text("::ffff:192.0.2.1", "::ffff:192.0.2.1", SYNACK_AF_INET6);
    check_text("::ffff:c000:201", "::ffff:192.0.2.1", SYNACK_AF_INET6);
    check_text("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0", SYNACK_AF_INET6);
    static const char *const bad[] = {"", ":", ":1", "1:", "1:::2", "1::2::3", "12345::",
                                      "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "g::1",
                                      "::1.2.3", "1.2.3.4.5", "2001:db8::1 ", "::ffff:1.2.3.256"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct synack_addr a = {.family = 77};
        assert_false(synack_addr_parse(bad[i], strlen(bad[i]), &a));
        assert_int_equal(a.family, 77);
    }
}

/* IPv4 as ::ffff:a.b.c.d (RFC 4291 2.5.5.2); an IPv4-mapped AF_INET6
 * address unmaps to the AF_INET one (RFC 3493 3.7). */
static void test_address_families(void **state)
{
    (void)state;
    struct synack_addr v4 = synack_addr_from_v4(0xc0000201u);
    assert_int_equal(v4.family, SYNACK_AF_INET);
    assert_int_equal(synack_addr_v4(&v4), 0xc0000201u);
    assert_true(synack_addr_is_v4mapped(v4.a));
    struct synack_addr m;
    assert_true(synack_addr_parse("::ffff:192.0.2.1", 16, &m));
    assert_false(synack_addr_eq(&m, &v4));
    struct synack_addr u = synack_addr_unmap(m);
    assert_true(synack_addr_eq(&u, &v4));
    struct synack_addr six = synack_addr_from_v6(DST);
    assert_int_equal(synack_addr_unmap(six).family, SYNACK_AF_INET6);
    struct synack_addr s6 = synack_addr_from_v6(SRC), d6 = synack_addr_from_v6(DST);
    assert_int_equal(synack_cksum_pseudo_addr(&s6, &d6, SYNACK_IPPROTO_TCP, 20),
                     synack_cksum_pseudo6(SRC, DST, SYNACK_IPPROTO_TCP, 20));
    struct synack_addr s4 = synack_addr_from_v4(0xc6336402u);
    assert_int_equal(synack_cksum_pseudo_addr(&s4, &v4, SYNACK_IPPROTO_TCP, 20),
                     synack_cksum_pseudo(0xc6336402u, 0xc0000201u, SYNACK_IPPROTO_TCP, 20));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip),
        cmocka_unit_test(test_chain_reaches_the_upper_layer),
        cmocka_unit_test(test_hop_by_hop_not_first_is_an_error),
        cmocka_unit_test(test_option_actions_and_malformed_options),
        cmocka_unit_test(test_routing_header),
        cmocka_unit_test(test_fragment_header),
        cmocka_unit_test(test_tcp_over_ipv6_checksum),
        cmocka_unit_test(test_icmp6_echo_and_checksum),
        cmocka_unit_test(test_icmp6_error_finds_the_invoking_segment),
        cmocka_unit_test(test_address_text),
        cmocka_unit_test(test_address_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

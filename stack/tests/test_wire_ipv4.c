/* Unit tests of the IPv4 header parser and builder (stack/wire/ipv4.c):
 * each error at its offset, a real header, round trips over a table of
 * headers, options and link padding, and every truncation of a packet. */
#include <stdlib.h>
#include <string.h>

#include "support/wire_testutil.h"

/* The classic example header (a UDP datagram of 115 octets, DF, TTL 64,
 * 192.168.0.1 -> 192.168.0.199) with its correct checksum b861. */
static const char example_hdr[] =
    "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

/* buf holds a valid header of hlen octets (checksum set) in a packet of
 * total octets; recompute the checksum after a test edits the header. */
static void reset_checksum(uint8_t *buf, size_t hlen)
{
    buf[10] = buf[11] = 0;
    synack_put16(buf + 10, synack_cksum_fold(synack_cksum_add(0, buf, hlen)));
}

static size_t example_packet(uint8_t *buf, size_t cap)
{
    assert_true(cap >= 115);
    memset(buf, 0xa5, 115);
    wt_hex(buf, cap, example_hdr);
    return 115;
}

/* ---- errors, each at its offset ---------------------------------------- */

static void test_ipv4_fewer_than_20_octets_is_truncated_at_the_end(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, 19, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_TRUNCATED, 19);
    rc = synack_ipv4_parse(b, 0, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_TRUNCATED, 0);
}

static void test_ipv4_version_6_is_rejected_at_offset_0(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    b[0] = 0x65;
    reset_checksum(b, 20);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, sizeof b, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_VERSION, 0);
    b[0] = 0x05; /* version 0 */
    rc = synack_ipv4_parse(b, sizeof b, WIRE_PARSE_NO_CHECKSUM, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_VERSION, 0);
}

static void test_ipv4_ihl_below_5_is_rejected_at_offset_0(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        b[0] = (uint8_t)(0x40 | ihl);
        struct synack_ipv4 ip;
        struct synack_wire_error err;
        int rc = synack_ipv4_parse(b, sizeof b, WIRE_PARSE_NO_CHECKSUM, &ip, &err);
        assert_wire_err(rc, err, WIRE_EIP_IHL_SMALL, 0);
    }
}

static void test_ipv4_ihl_past_the_buffer_is_rejected_at_offset_0(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    b[0] = 0x4f; /* 60 octets of header */
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, 59, WIRE_PARSE_NO_CHECKSUM, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_IHL_OVERRUN, 0);
    b[0] = 0x46; /* 24: exactly fits a 24-octet buffer, but total length is 115 */
    rc = synack_ipv4_parse(b, 23, WIRE_PARSE_NO_CHECKSUM, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_IHL_OVERRUN, 0);
}

static void test_ipv4_total_length_below_the_header_is_rejected_at_offset_2(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    synack_put16(b + 2, 19);
    reset_checksum(b, 20);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, sizeof b, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_TOTLEN_SMALL, 2);
    /* with options: total length 20 is below IHL*4 = 24 */
    b[0] = 0x46;
    synack_put16(b + 2, 20);
    rc = synack_ipv4_parse(b, sizeof b, WIRE_PARSE_NO_CHECKSUM, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_TOTLEN_SMALL, 2);
}

static void test_ipv4_total_length_past_the_buffer_is_rejected_at_offset_2(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, 114, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_TOTLEN_OVERRUN, 2);
}

static void test_ipv4_bad_header_checksum_is_rejected_at_offset_10(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    b[8] = 63; /* TTL changed, checksum not updated */
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    int rc = synack_ipv4_parse(b, sizeof b, 0, &ip, &err);
    assert_wire_err(rc, err, WIRE_EIP_CHECKSUM, 10);
    /* the payload is not covered: corrupting it changes nothing */
    b[8] = 64;
    b[100] ^= 0xff;
    assert_int_equal(synack_ipv4_parse(b, sizeof b, 0, &ip, &err), WIRE_OK);
}

static void test_ipv4_no_checksum_flag_accepts_a_bad_checksum(void **state)
{
    (void)state;
    uint8_t b[115];
    example_packet(b, sizeof b);
    b[11] ^= 1;
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(b, sizeof b, WIRE_PARSE_NO_CHECKSUM, &ip, &err), WIRE_OK);
    assert_int_equal(ip.checksum, 0xb860);
}

static void test_ipv4_build_into_fewer_than_20_octets_is_a_space_error(void **state)
{
    (void)state;
    uint8_t b[20];
    struct synack_ipv4 h = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP};
    struct synack_wire_error err;
    size_t n = synack_ipv4_build(b, 19, &h, 0, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    assert_int_equal(synack_ipv4_build(b, 20, &h, 0, &err), 20);
}

static void test_ipv4_build_with_payload_over_65515_is_a_field_error_at_offset_2(void **state)
{
    (void)state;
    uint8_t b[20];
    struct synack_ipv4 h = {.ttl = 64, .proto = SYNACK_IPPROTO_UDP};
    struct synack_wire_error err;
    size_t n = synack_ipv4_build(b, sizeof b, &h, 65516, &err);
    assert_build_err(n, err, WIRE_EBUILD_FIELD, 2);
    assert_int_equal(synack_ipv4_build(b, sizeof b, &h, 65515, &err), 20);
    assert_int_equal(synack_get16(b + 2), 65535);
}

/* ---- a real header ------------------------------------------------------ */

static void test_ipv4_parses_every_field_of_a_real_header(void **state)
{
    (void)state;
    uint8_t b[120];
    example_packet(b, sizeof b);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    /* 5 octets of link padding after the datagram */
    assert_int_equal(synack_ipv4_parse(b, 120, 0, &ip, &err), WIRE_OK);
    assert_int_equal(ip.ihl, 5);
    assert_int_equal(ip.tos, 0);
    assert_int_equal(ip.total_len, 115);
    assert_int_equal(ip.id, 0);
    assert_int_equal(ip.frag, SYNACK_IP_DF);
    assert_false(synack_ipv4_is_fragment(&ip));
    assert_int_equal(ip.ttl, 64);
    assert_int_equal(ip.proto, SYNACK_IPPROTO_UDP);
    assert_int_equal(ip.checksum, 0xb861);
    assert_int_equal(ip.src, 0xc0a80001u);
    assert_int_equal(ip.dst, 0xc0a800c7u);
    assert_int_equal(ip.options_len, 0);
    assert_ptr_equal(ip.payload, b + 20);
    assert_int_equal(ip.payload_len, 95); /* padding excluded */
}

static void test_ipv4_options_are_exposed_and_the_payload_follows_them(void **state)
{
    (void)state;
    uint8_t b[32];
    /* IHL 6: a router alert option (94 04 00 00), then 8 octets of payload */
    wt_hex(b, sizeof b,
           "46 00 00 20 ab cd 00 00 01 02 00 00 c0 00 02 01 c6 33 64 02"
           "94 04 00 00 de ad be ef 01 02 03 04");
    reset_checksum(b, 24);
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(b, sizeof b, 0, &ip, &err), WIRE_OK);
    assert_int_equal(ip.ihl, 6);
    assert_ptr_equal(ip.options, b + 20);
    assert_int_equal(ip.options_len, 4);
    assert_int_equal(ip.options[0], 0x94);
    assert_ptr_equal(ip.payload, b + 24);
    assert_int_equal(ip.payload_len, 8);
    /* the checksum covers the options too */
    b[22] = 1;
    assert_int_equal(synack_ipv4_parse(b, sizeof b, 0, &ip, &err), WIRE_EIP_CHECKSUM);
}

/* ---- options (RFC 791 3.1): each malformed shape at its octet ---------- */

/* A SYN-sized datagram 192.0.2.1 <- 198.51.100.2 whose header holds the
 * option octets given (hex, a multiple of 4), checksum set. */
static size_t with_options(uint8_t *b, size_t cap, const char *opts_hex)
{
    uint8_t o[40];
    size_t n = wt_hex(o, sizeof o, opts_hex);
    assert_int_equal(n % 4, 0);
    size_t hl = 20 + n, total = hl + 8;
    assert_true(cap >= total);
    wt_hex(b, cap, "45 00 00 00 ab cd 00 00 40 06 00 00 c6 33 64 02 c0 00 02 01");
    b[0] = (uint8_t)(0x40 | hl / 4);
    synack_put16(b + 2, (uint16_t)total);
    memcpy(b + 20, o, n);
    memset(b + hl, 0x5a, 8);
    reset_checksum(b, hl);
    return total;
}

static void test_ipv4_malformed_options_are_rejected_each_at_its_octet(void **state)
{
    (void)state;
    static const struct {
        const char *opts;
        enum synack_wire_err code;
        uint32_t off; /* from the start of the header */
    } cases[] = {
        {"07 00 00 00", WIRE_EIP_OPTLEN_ZERO, 21},    /* issue 14's example */
        {"82 01 00 00", WIRE_EIP_OPTLEN_ONE, 21},
        {"01 99 0c 00", WIRE_EIP_OPTLEN_OVERRUN, 22}, /* length 12 in 4 octets */
        {"01 01 01 07", WIRE_EIP_OPT_TRUNCATED, 23},  /* no room for a length */
        {"01 01 01 01 01 01 01 99", WIRE_EIP_OPT_TRUNCATED, 27},
        {"07 02 00 00", WIRE_EIP_OPT_ROUTE, 21},      /* no room for the pointer */
        {"83 07 03 00 00 00 00 00", WIRE_EIP_OPT_ROUTE, 22}, /* pointer below 4 */
        {"07 07 05 00 00 00 00 00", WIRE_EIP_OPT_ROUTE, 22}, /* 3 octets left */
        {"89 0b 09 00 00 00 00 00 00 00 00 00", WIRE_EIP_OPT_ROUTE, 22}, /* 3 left */
        {"44 03 05 00", WIRE_EIP_OPT_TS, 21},         /* no oflw/flg octet */
        {"44 08 04 00 00 00 00 00", WIRE_EIP_OPT_TS, 22}, /* pointer below 5 */
        {"44 0c 09 01 00 00 00 00 00 00 00 00", WIRE_EIP_OPT_TS, 22}, /* half a pair */
        {"07 03 04 07 03 04 00 00", WIRE_EIP_OPT_DUP, 23},
        {"44 04 05 00 44 04 05 00", WIRE_EIP_OPT_DUP, 24},
        {"83 03 04 89 03 04 00 00", WIRE_EIP_OPT_DUP, 23}, /* loose and strict */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[80];
        size_t n = with_options(b, sizeof b, cases[i].opts);
        struct synack_ipv4 ip;
        struct synack_wire_error err;
        int rc = synack_ipv4_parse(b, n, 0, &ip, &err);
        if (rc != (int)cases[i].code || err.code != cases[i].code || err.offset != cases[i].off)
            fail_msg("options %s: %s at %u, expected %s at %u", cases[i].opts,
                     synack_wire_errname((enum synack_wire_err)rc), (unsigned)err.offset,
                     synack_wire_errname(cases[i].code), (unsigned)cases[i].off);
        /* the rest of the view is there, for a Parameter Problem */
        assert_int_equal(ip.src, 0xc6336402u);
        assert_int_equal(ip.dst, 0xc0000201u);
        assert_int_equal(ip.proto, SYNACK_IPPROTO_TCP);
        assert_ptr_equal(ip.payload, b + n - 8);
        assert_int_equal(ip.payload_len, 8);
    }
}

static void test_ipv4_well_formed_options_are_decoded_and_unknown_ones_counted(void **state)
{
    (void)state;
    uint8_t b[80];
    /* NOP, experimental 158 (len 4), record route with room for one address,
     * timestamp (flag 1, overflow 3) that is full, loose source route that
     * is complete, EOL, then octets EOL makes padding */
    size_t n = with_options(b, sizeof b,
                            "01 9e 04 ab cd 07 07 04 00 00 00 00"
                            "44 0c 0d 31 00 00 00 00 00 00 00 00"
                            "83 07 08 c6 33 64 01 00 ff ff ff ff");
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(b, n, 0, &ip, &err), WIRE_OK);
    const struct synack_ipv4_opts *o = &ip.opts;
    assert_int_equal(o->present, SYNACK_IPOPT_F_RR | SYNACK_IPOPT_F_TS | SYNACK_IPOPT_F_SRR |
                                     SYNACK_IPOPT_F_EOL);
    assert_int_equal(o->unknown_count, 1);
    assert_int_equal(o->rr.offset, 5);
    assert_int_equal(o->rr.len, 7);
    assert_int_equal(o->rr.pointer, 4);
    assert_int_equal(o->ts.offset, 12);
    assert_int_equal(o->ts.pointer, 13); /* beyond the length: full */
    assert_int_equal(o->ts_flags, 1);
    assert_int_equal(o->ts_overflow, 3);
    assert_int_equal(o->srr_kind, SYNACK_IPOPT_LSRR);
    assert_int_equal(o->srr.offset, 24);
    assert_int_equal(o->srr.pointer, 8);
    /* no options: nothing present */
    n = with_options(b, sizeof b, "");
    assert_int_equal(synack_ipv4_parse(b, n, 0, &ip, &err), WIRE_OK);
    assert_int_equal(ip.opts.present, 0);
    assert_int_equal(ip.opts.unknown_count, 0);
}

/* Every option space of 4 octets drawn from the values that matter (EOL,
 * NOP, the known types, small and large lengths and pointers) parses or
 * fails with an option error at an octet of the option space. */
static void test_ipv4_every_small_option_space_parses_or_fails_at_an_option_octet(void **state)
{
    (void)state;
    static const uint8_t v[] = {0, 1, 2, 3, 4, 5, 7, 8, 0x44, 0x83, 0x89, 0xff};
    enum { K = sizeof v };
    size_t ok = 0, bad = 0;
    for (unsigned i = 0; i < K * K * K * K; i++) {
        uint8_t b[40];
        size_t n = with_options(b, sizeof b, "00 00 00 00");
        for (unsigned k = 0, x = i; k < 4; k++, x /= K)
            b[20 + k] = v[x % K];
        reset_checksum(b, 24);
        struct synack_ipv4 ip;
        struct synack_wire_error err = {WIRE_OK, 0};
        int rc = synack_ipv4_parse(b, n, 0, &ip, &err);
        if (rc == WIRE_OK) {
            ok++;
            continue;
        }
        bad++;
        assert_true(rc >= WIRE_EIP_OPT_TRUNCATED && rc <= WIRE_EIP_OPT_DUP);
        assert_in_range(err.offset, 20, 23);
    }
    assert_true(ok > 0 && bad > 0);
}

static void test_ipv4_fragment_test_sees_mf_and_offset_but_not_df(void **state)
{
    (void)state;
    struct synack_ipv4 ip = {.frag = SYNACK_IP_DF};
    assert_false(synack_ipv4_is_fragment(&ip));
    ip.frag = SYNACK_IP_MF;
    assert_true(synack_ipv4_is_fragment(&ip));
    ip.frag = 1; /* offset 8, last fragment */
    assert_true(synack_ipv4_is_fragment(&ip));
    ip.frag = SYNACK_IP_RF;
    assert_false(synack_ipv4_is_fragment(&ip));
}

/* ---- round trip ----------------------------------------------------------- */

struct ip_case {
    uint8_t tos;
    uint16_t id, frag;
    uint8_t ttl, proto;
    uint32_t src, dst;
    size_t payload_len;
};

static const struct ip_case ip_cases[] = {
    {0, 0, 0, 0, 0, 0, 0, 0},
    {0x00, 0x1c46, SYNACK_IP_DF, 64, SYNACK_IPPROTO_TCP, 0xc0000201u, 0xc6336402u, 40},
    {0x10, 0xffff, SYNACK_IP_MF | 0x0123, 255, SYNACK_IPPROTO_ICMP, 0xc6336402u, 0xc0000201u, 1},
    {0xb8, 0x8000, SYNACK_IP_OFFMASK, 1, SYNACK_IPPROTO_UDP, 0xffffffffu, 0xffffffffu, 1480},
    {0xff, 0x0001, SYNACK_IP_RF | SYNACK_IP_DF, 128, 253, 0x0a000001u, 0xe0000001u, 3},
    {0x02, 0x7fff, 0xffff, 30, 0xff, 0x7f000001u, 0x00000000u, 65515},
};

static void test_ipv4_build_then_parse_gives_the_same_fields(void **state)
{
    (void)state;
    uint8_t *b = malloc(65535);
    assert_non_null(b);
    for (size_t i = 0; i < sizeof ip_cases / sizeof ip_cases[0]; i++) {
        const struct ip_case *c = &ip_cases[i];
        struct synack_ipv4 h = {.tos = c->tos, .id = c->id, .frag = c->frag, .ttl = c->ttl,
                                .proto = c->proto, .src = c->src, .dst = c->dst,
                                /* ignored by the builder */
                                .ihl = 9, .total_len = 7, .checksum = 0x1234};
        struct synack_wire_error err;
        memset(b, (int)i, 65535);
        assert_int_equal(synack_ipv4_build(b, 65535, &h, c->payload_len, &err), 20);
        struct synack_ipv4 ip;
        size_t len = 20 + c->payload_len;
        assert_int_equal(synack_ipv4_parse(b, len, 0, &ip, &err), WIRE_OK);
        assert_int_equal(ip.ihl, 5);
        assert_int_equal(ip.tos, c->tos);
        assert_int_equal(ip.total_len, len);
        assert_int_equal(ip.id, c->id);
        assert_int_equal(ip.frag, c->frag);
        assert_int_equal(ip.ttl, c->ttl);
        assert_int_equal(ip.proto, c->proto);
        assert_int_equal(ip.src, c->src);
        assert_int_equal(ip.dst, c->dst);
        assert_int_equal(ip.options_len, 0);
        assert_ptr_equal(ip.payload, b + 20);
        assert_int_equal(ip.payload_len, c->payload_len);
        /* the stored checksum is the one the header verifies with */
        assert_int_equal(ip.checksum, synack_get16(b + 10));
        assert_int_equal(b[0], 0x45);
    }
    free(b);
}

static void test_ipv4_build_reproduces_the_real_header_byte_for_byte(void **state)
{
    (void)state;
    uint8_t want[20], got[20];
    wt_hex(want, sizeof want, example_hdr);
    struct synack_ipv4 h = {.tos = 0, .id = 0, .frag = SYNACK_IP_DF, .ttl = 64,
                            .proto = SYNACK_IPPROTO_UDP, .src = 0xc0a80001u,
                            .dst = 0xc0a800c7u};
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_build(got, sizeof got, &h, 95, &err), 20);
    assert_memory_equal(got, want, 20);
}

/* ---- truncation ------------------------------------------------------------ */

/* Every strict prefix of a valid datagram fails with the error its length
 * implies, read from an exact-size heap copy (ASan sees any overread). */
static void test_ipv4_every_prefix_of_a_packet_fails_cleanly(void **state)
{
    (void)state;
    uint8_t pkts[2][64];
    size_t lens[2];
    /* plain header + 12 octets; IHL 7 with 8 octets of options + 4 */
    lens[0] = wt_hex(pkts[0], 64, "45 00 00 20 00 01 00 00 40 06 00 00 c0 00 02 01 c6 33 64 02"
                                  "00 01 02 03 04 05 06 07 08 09 0a 0b");
    lens[1] = wt_hex(pkts[1], 64, "47 00 00 20 00 01 00 00 40 06 00 00 c0 00 02 01 c6 33 64 02"
                                  "01 01 01 01 44 04 05 00 aa bb cc dd");
    reset_checksum(pkts[0], 20);
    reset_checksum(pkts[1], 28);
    for (int k = 0; k < 2; k++) {
        size_t hlen = (pkts[k][0] & 0x0fu) * 4u;
        for (size_t n = 0; n <= lens[k]; n++) {
            uint8_t *p = wt_copy_exact(pkts[k], n);
            struct synack_ipv4 ip;
            struct synack_wire_error err = {WIRE_OK, 0};
            int rc = synack_ipv4_parse(p, n, 0, &ip, &err);
            if (n < 20)
                assert_wire_err(rc, err, WIRE_EIP_TRUNCATED, n);
            else if (n < hlen)
                assert_wire_err(rc, err, WIRE_EIP_IHL_OVERRUN, 0);
            else if (n < lens[k])
                assert_wire_err(rc, err, WIRE_EIP_TOTLEN_OVERRUN, 2);
            else
                assert_int_equal(rc, WIRE_OK);
            free(p);
        }
    }
}

static bool addr_text(const char *s, uint32_t *a)
{
    return synack_ipv4_addr_from_text(s, strlen(s), a);
}

static void test_ipv4_addr_text_takes_exactly_four_decimal_octets(void **state)
{
    (void)state;
    uint32_t a = 0;
    assert_true(addr_text("192.0.2.1", &a));
    assert_int_equal(a, 0xc0000201u);
    assert_true(addr_text("0.0.0.0", &a));
    assert_int_equal(a, 0);
    assert_true(addr_text("255.255.255.255", &a));
    assert_int_equal(a, 0xffffffffu);
    /* Only the n characters given count: "198.51.100.2" inside a longer line. */
    assert_true(synack_ipv4_addr_from_text("198.51.100.2:8080", 12, &a));
    assert_int_equal(a, 0xc6336402u);

    static const char *const bad[] = {
        "", "1.2.3", "1.2.3.4.", "1.2.3.4.5", "256.0.0.1", "1.2.3.1000", "0001.2.3.4",
        "+1.2.3.4", "-1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "1..2.3", "1.2.3.x", "0x1.2.3.4",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        a = 0x5a5a5a5au;
        assert_false(addr_text(bad[i], &a));
        assert_int_equal(a, 0x5a5a5a5au); /* untouched */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipv4_fewer_than_20_octets_is_truncated_at_the_end),
        cmocka_unit_test(test_ipv4_version_6_is_rejected_at_offset_0),
        cmocka_unit_test(test_ipv4_ihl_below_5_is_rejected_at_offset_0),
        cmocka_unit_test(test_ipv4_ihl_past_the_buffer_is_rejected_at_offset_0),
        cmocka_unit_test(test_ipv4_total_length_below_the_header_is_rejected_at_offset_2),
        cmocka_unit_test(test_ipv4_total_length_past_the_buffer_is_rejected_at_offset_2),
        cmocka_unit_test(test_ipv4_bad_header_checksum_is_rejected_at_offset_10),
        cmocka_unit_test(test_ipv4_no_checksum_flag_accepts_a_bad_checksum),
        cmocka_unit_test(test_ipv4_build_into_fewer_than_20_octets_is_a_space_error),
        cmocka_unit_test(test_ipv4_build_with_payload_over_65515_is_a_field_error_at_offset_2),
        cmocka_unit_test(test_ipv4_parses_every_field_of_a_real_header),
        cmocka_unit_test(test_ipv4_options_are_exposed_and_the_payload_follows_them),
        cmocka_unit_test(test_ipv4_malformed_options_are_rejected_each_at_its_octet),
        cmocka_unit_test(test_ipv4_well_formed_options_are_decoded_and_unknown_ones_counted),
        cmocka_unit_test(test_ipv4_every_small_option_space_parses_or_fails_at_an_option_octet),
        cmocka_unit_test(test_ipv4_fragment_test_sees_mf_and_offset_but_not_df),
        cmocka_unit_test(test_ipv4_build_then_parse_gives_the_same_fields),
        cmocka_unit_test(test_ipv4_build_reproduces_the_real_header_byte_for_byte),
        cmocka_unit_test(test_ipv4_every_prefix_of_a_packet_fails_cleanly),
        cmocka_unit_test(test_ipv4_addr_text_takes_exactly_four_decimal_octets),
    };
    return cmocka_run_group_tests_name("wire_ipv4", tests, NULL, NULL);
}

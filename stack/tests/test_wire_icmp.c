/* Unit tests of the ICMP parser and builder (stack/wire/icmp.c): each error
 * at its offset, real echo and port unreachable messages, round trips of
 * echo and error messages, and every truncation of a message. */
#include <stdlib.h>
#include <string.h>

#include "support/wire_testutil.h"

/* An echo request, id 1, seq 11, 32 octets of data, 192.0.2.1 -> 198.51.100.2.
 * Checksums derived with python3 (sum of 16-bit big-endian words, folded,
 * complemented) and confirmed by tshark -o ip.check_checksum:TRUE:
 * ICMP 0x4d50 "[correct]", IP 0x4d8a "[correct]". */
static const char echo_hex[] =
    "45 00 00 3c 01 00 00 00 80 01 4d 8a c0 00 02 01 c6 33 64 02"
    "08 00 4d 50 00 01 00 0b 61 62 63 64 65 66 67 68 69 6a 6b 6c"
    "6d 6e 6f 70 71 72 73 74 75 76 77 61 62 63 64 65 66 67 68 69";

/* Port unreachable from 198.51.100.2 quoting the IP header and first 8
 * octets of the SYN in wt_syn_hex; derived and confirmed the same way:
 * ICMP 0xb385, IP 0x8bce. */
static const char unreach_hex[] =
    "45 c0 00 38 02 00 00 00 40 01 8b ce c6 33 64 02 c0 00 02 01"
    "03 03 b3 85 00 00 00 00"
    "45 00 00 3c 1c 46 40 00 40 06 32 3f c0 00 02 01 c6 33 64 02"
    "b2 6e 00 50 3a 4b 5c 6d";

/* Parse an ICMP message from an exact-size heap copy; *copy is kept so the
 * caller can look at the view, and freed by the caller. */
static int icmp_parse_copy(const uint8_t *msg, size_t len, unsigned flags,
                           struct synack_icmp *out, struct synack_wire_error *err,
                           uint8_t **copy)
{
    *copy = wt_copy_exact(msg, len);
    err->code = WIRE_OK;
    err->offset = 0;
    return synack_icmp_parse(*copy, len, flags, out, err);
}

/* An ICMP error message quoting an IPv4 header of ihl words (options filled
 * with NOPs) and l4_len octets of a TCP header. Returns the message length. */
static size_t error_msg(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                        uint8_t ihl, size_t l4_len)
{
    uint8_t quote[60 + 64];
    assert_true(ihl * 4u + l4_len <= sizeof quote);
    memset(quote, 0x01, sizeof quote);
    struct synack_ipv4 ih = {.ttl = 1, .proto = SYNACK_IPPROTO_TCP, .src = 0xc0000201u,
                             .dst = 0xcb007105u, .id = 7};
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_build(quote, sizeof quote, &ih, 1000, &err), 20);
    quote[0] = (uint8_t)(0x40 | ihl);
    for (size_t i = 0; i < l4_len; i++)
        quote[ihl * 4u + i] = (uint8_t)(0xa0 + i);
    size_t n = synack_icmp_build(buf, cap, type, code, rest, quote, ihl * 4u + l4_len, &err);
    assert_int_equal(n, 8 + ihl * 4u + l4_len);
    return n;
}

/* ---- errors, each at its offset ------------------------------------------- */

static void test_icmp_fewer_than_8_octets_is_truncated_at_the_end(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, echo_hex);
    struct synack_icmp m;
    struct synack_wire_error err;
    uint8_t *c;
    int rc = icmp_parse_copy(p + 20, 7, 0, &m, &err, &c);
    assert_wire_err(rc, err, WIRE_EICMP_TRUNCATED, 7);
    free(c);
    rc = icmp_parse_copy(p + 20, 0, 0, &m, &err, &c);
    assert_wire_err(rc, err, WIRE_EICMP_TRUNCATED, 0);
    free(c);
}

static void test_icmp_bad_checksum_is_rejected_at_offset_2(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, echo_hex);
    struct synack_icmp m;
    struct synack_wire_error err;
    p[59] ^= 0x80; /* the last data octet: the checksum covers the data */
    int rc = synack_icmp_parse(p + 20, 40, 0, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_CHECKSUM, 2);
    /* an odd-length message: the checksum covers the padded last octet */
    uint8_t buf[16];
    static const uint8_t data[3] = {1, 2, 3};
    size_t n = synack_icmp_build(buf, sizeof buf, ICMP_ECHO_REQUEST, 0, 0x00050006u, data, 3,
                                 &err);
    assert_int_equal(n, 11);
    assert_int_equal(synack_icmp_parse(buf, n, 0, &m, &err), WIRE_OK);
    buf[10] = 4;
    rc = synack_icmp_parse(buf, n, 0, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_CHECKSUM, 2);
}

static void test_icmp_no_checksum_flag_accepts_a_bad_checksum(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, echo_hex);
    p[22] = p[23] = 0;
    struct synack_icmp m;
    struct synack_wire_error err;
    assert_int_equal(synack_icmp_parse(p + 20, 40, WIRE_PARSE_NO_CHECKSUM, &m, &err), WIRE_OK);
    assert_int_equal(m.checksum, 0);
    assert_int_equal(m.echo_seq, 11);
}

static void test_icmp_error_without_ip_header_and_8_octets_is_truncated_at_the_end(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct synack_icmp m;
    struct synack_wire_error err;
    uint8_t *c;
    /* 20 + 7 octets quoted */
    size_t n = error_msg(buf, sizeof buf, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0, 5, 7);
    int rc = icmp_parse_copy(buf, n, 0, &m, &err, &c);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, 35);
    free(c);
    /* nothing quoted at all */
    n = synack_icmp_build(buf, sizeof buf, ICMP_TIME_EXCEEDED, 0, 0, NULL, 0, &err);
    rc = icmp_parse_copy(buf, n, 0, &m, &err, &c);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, 8);
    free(c);
    /* IHL 6: the header fits, but only 4 octets of its payload follow */
    n = error_msg(buf, sizeof buf, ICMP_SOURCE_QUENCH, 0, 0, 6, 4);
    rc = icmp_parse_copy(buf, n, 0, &m, &err, &c);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, 36);
    free(c);
}

static void test_icmp_embedded_header_not_ipv4_is_rejected_at_offset_8(void **state)
{
    (void)state;
    uint8_t p[56];
    wt_hex(p, sizeof p, unreach_hex);
    uint8_t *msg = p + 20;
    msg[8] = 0x65; /* version 6 */
    struct synack_icmp m;
    struct synack_wire_error err;
    int rc = synack_icmp_parse(msg, 36, WIRE_PARSE_NO_CHECKSUM, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_VERSION, 8);
}

static void test_icmp_embedded_ihl_below_5_is_rejected_at_offset_8(void **state)
{
    (void)state;
    uint8_t p[56];
    wt_hex(p, sizeof p, unreach_hex);
    uint8_t *msg = p + 20;
    for (uint8_t ihl = 0; ihl < 5; ihl++) {
        msg[8] = (uint8_t)(0x40 | ihl);
        struct synack_icmp m;
        struct synack_wire_error err;
        int rc = synack_icmp_parse(msg, 36, WIRE_PARSE_NO_CHECKSUM, &m, &err);
        assert_wire_err(rc, err, WIRE_EICMP_INNER_IHL, 8);
    }
}

/* wire.h: WIRE_EICMP_INNER_IHL is "embedded IHL below 5 or past the message" */
static void test_icmp_embedded_ihl_past_the_message_is_rejected_at_offset_8(void **state)
{
    (void)state;
    uint8_t p[56];
    wt_hex(p, sizeof p, unreach_hex);
    uint8_t *msg = p + 20;
    msg[8] = 0x4f; /* 60 octets of header in a 28-octet quote */
    struct synack_icmp m;
    struct synack_wire_error err;
    int rc = synack_icmp_parse(msg, 36, WIRE_PARSE_NO_CHECKSUM, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_IHL, 8);
    char text[96];
    synack_wire_error_format(&err, text, sizeof text);
    assert_string_equal(text, "icmp: embedded IHL below 5 or past the end of the message at offset 8");
    msg[8] = 0x48; /* 32 octets in 28 */
    rc = synack_icmp_parse(msg, 36, WIRE_PARSE_NO_CHECKSUM, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_IHL, 8);
    msg[8] = 0x47; /* 28 in 28: the header fits, the 8 octets do not */
    rc = synack_icmp_parse(msg, 36, WIRE_PARSE_NO_CHECKSUM, &m, &err);
    assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, 36);
}

static void test_icmp_build_into_a_short_buffer_is_a_space_error(void **state)
{
    (void)state;
    uint8_t buf[16];
    static const uint8_t data[9] = {0};
    struct synack_wire_error err;
    size_t n = synack_icmp_build(buf, 7, ICMP_ECHO_REQUEST, 0, 0, NULL, 0, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    n = synack_icmp_build(buf, 16, ICMP_ECHO_REQUEST, 0, 0, data, 9, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    assert_int_equal(synack_icmp_build(buf, 16, ICMP_ECHO_REQUEST, 0, 0, data, 8, &err), 16);
    assert_int_equal(synack_icmp_build(buf, 8, ICMP_ECHO_REPLY, 0, 0, NULL, 0, &err), 8);
}

/* ---- real messages -------------------------------------------------------- */

static void test_icmp_real_echo_request_verifies_and_parses(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, echo_hex);
    struct synack_ipv4 ip;
    struct synack_icmp m;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(p, 60, 0, &ip, &err), WIRE_OK);
    assert_int_equal(ip.proto, SYNACK_IPPROTO_ICMP);
    assert_int_equal(synack_icmp_parse(ip.payload, ip.payload_len, 0, &m, &err), WIRE_OK);
    assert_int_equal(m.type, ICMP_ECHO_REQUEST);
    assert_int_equal(m.code, 0);
    assert_int_equal(m.checksum, 0x4d50);
    assert_int_equal(m.rest, 0x0001000bu);
    assert_int_equal(m.echo_id, 1);
    assert_int_equal(m.echo_seq, 11);
    assert_false(m.is_error);
    assert_ptr_equal(m.data, p + 28);
    assert_int_equal(m.data_len, 32);
    assert_memory_equal(m.data, "abcdefghijklmnopqrstuvwabcdefghi", 32);

    /* and the builder writes the same octets */
    uint8_t out[40];
    size_t n = synack_icmp_build(out, sizeof out, ICMP_ECHO_REQUEST, 0, 0x0001000bu,
                                 (const uint8_t *)"abcdefghijklmnopqrstuvwabcdefghi", 32, &err);
    assert_int_equal(n, 40);
    assert_memory_equal(out, p + 20, 40);
}

static void test_icmp_real_port_unreachable_quotes_the_syn(void **state)
{
    (void)state;
    uint8_t p[56];
    wt_hex(p, sizeof p, unreach_hex);
    struct synack_ipv4 ip;
    struct synack_icmp m;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(p, 56, 0, &ip, &err), WIRE_OK);
    assert_int_equal(synack_icmp_parse(ip.payload, ip.payload_len, 0, &m, &err), WIRE_OK);
    assert_int_equal(m.type, ICMP_DEST_UNREACH);
    assert_int_equal(m.code, ICMP_UNREACH_PORT);
    assert_int_equal(m.checksum, 0xb385);
    assert_true(m.is_error);
    assert_int_equal(m.next_hop_mtu, 0);
    assert_int_equal(m.inner.ihl, 5);
    assert_int_equal(m.inner.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(m.inner.total_len, 60);
    assert_int_equal(m.inner.src, WT_SYN_SRC);
    assert_int_equal(m.inner.dst, WT_SYN_DST);
    assert_ptr_equal(m.inner.l4, p + 48);
    assert_int_equal(m.inner.l4_len, 8);
    assert_int_equal(synack_get16(m.inner.l4), 45678);
    assert_int_equal(synack_get16(m.inner.l4 + 2), 80);
    assert_int_equal(synack_get32(m.inner.l4 + 4), 0x3a4b5c6du);

    /* the builder, quoting the first 28 octets of the SYN */
    uint8_t syn[60], out[36];
    wt_hex(syn, sizeof syn, wt_syn_hex);
    size_t n = synack_icmp_build(out, sizeof out, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0,
                                 syn, 28, &err);
    assert_int_equal(n, 36);
    assert_memory_equal(out, p + 20, 36);
}

/* ---- round trips ------------------------------------------------------------ */

static void test_icmp_echo_build_then_parse_round_trips(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        uint16_t id, seq;
        size_t len;
    } cases[] = {
        {ICMP_ECHO_REQUEST, 0, 0, 0},       {ICMP_ECHO_REPLY, 1, 1, 1},
        {ICMP_ECHO_REQUEST, 0xffff, 2, 2},  {ICMP_ECHO_REPLY, 0x1234, 0xffff, 55},
        {ICMP_ECHO_REQUEST, 77, 512, 56},   {ICMP_ECHO_REPLY, 0x8000, 0x7fff, 1472},
    };
    static uint8_t data[1472];
    static uint8_t buf[1480];
    struct wt_rng r = {792};
    wt_rng_fill(&r, data, sizeof data);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_wire_error err;
        uint32_t rest = (uint32_t)cases[i].id << 16 | cases[i].seq;
        size_t n = synack_icmp_build(buf, sizeof buf, cases[i].type, 0, rest, data,
                                     cases[i].len, &err);
        assert_int_equal(n, 8 + cases[i].len);
        struct synack_icmp m;
        uint8_t *c;
        assert_int_equal(icmp_parse_copy(buf, n, 0, &m, &err, &c), WIRE_OK);
        assert_int_equal(m.type, cases[i].type);
        assert_int_equal(m.code, 0);
        assert_false(m.is_error);
        assert_int_equal(m.rest, rest);
        assert_int_equal(m.echo_id, cases[i].id);
        assert_int_equal(m.echo_seq, cases[i].seq);
        assert_ptr_equal(m.data, c + 8);
        assert_int_equal(m.data_len, cases[i].len);
        assert_memory_equal(m.data, data, cases[i].len);
        free(c);
    }
}

/* An echo reply built in place over the request's own data (overlapping
 * source and destination), as a responder does. */
static void test_icmp_echo_reply_can_be_built_in_place(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, echo_hex);
    uint8_t *msg = p + 20;
    struct synack_icmp m;
    struct synack_wire_error err;
    assert_int_equal(synack_icmp_parse(msg, 40, 0, &m, &err), WIRE_OK);
    size_t n = synack_icmp_build(msg, 40, ICMP_ECHO_REPLY, 0, m.rest, m.data, m.data_len, &err);
    assert_int_equal(n, 40);
    assert_int_equal(synack_icmp_parse(msg, 40, 0, &m, &err), WIRE_OK);
    assert_int_equal(m.type, ICMP_ECHO_REPLY);
    assert_int_equal(m.echo_id, 1);
    assert_int_equal(m.echo_seq, 11);
    assert_memory_equal(m.data, "abcdefghijklmnopqrstuvwabcdefghi", 32);
    /* only the type changed: the checksum moved by 0x0800 */
    assert_int_equal(m.checksum, 0x4d50 + 0x0800);
}

static void test_icmp_error_messages_build_then_parse_round_trip(void **state)
{
    (void)state;
    static const struct {
        uint8_t type, code;
        uint32_t rest;
        uint8_t ihl;
        size_t l4_len;
        uint8_t pointer;
        uint16_t mtu;
    } cases[] = {
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NET, 0, 5, 8, 0, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0, 5, 9, 0, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, 0, 6, 8, 0, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0, 5, 20, 0, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, 1400, 5, 8, 0, 1400},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, 0xffff, 15, 8, 0, 0xffff},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_SRCFAIL, 0, 5, 64, 0, 0},
        {ICMP_SOURCE_QUENCH, 0, 0, 5, 8, 0, 0},
        {ICMP_TIME_EXCEEDED, 0, 0, 7, 8, 0, 0},
        {ICMP_TIME_EXCEEDED, 1, 0, 5, 40, 0, 0},
        {ICMP_PARAM_PROBLEM, 0, 9u << 24, 5, 8, 9, 0},
        {ICMP_PARAM_PROBLEM, 0, 0xffu << 24, 15, 64, 0xff, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[8 + 60 + 64];
        size_t n = error_msg(buf, sizeof buf, cases[i].type, cases[i].code, cases[i].rest,
                             cases[i].ihl, cases[i].l4_len);
        struct synack_icmp m;
        struct synack_wire_error err;
        uint8_t *c;
        assert_int_equal(icmp_parse_copy(buf, n, 0, &m, &err, &c), WIRE_OK);
        assert_int_equal(m.type, cases[i].type);
        assert_int_equal(m.code, cases[i].code);
        assert_int_equal(m.rest, cases[i].rest);
        assert_true(m.is_error);
        if (cases[i].type == ICMP_PARAM_PROBLEM)
            assert_int_equal(m.pointer, cases[i].pointer);
        if (cases[i].type == ICMP_DEST_UNREACH && cases[i].code == ICMP_UNREACH_NEEDFRAG)
            assert_int_equal(m.next_hop_mtu, cases[i].mtu);
        assert_int_equal(m.inner.ihl, cases[i].ihl);
        assert_int_equal(m.inner.proto, SYNACK_IPPROTO_TCP);
        assert_int_equal(m.inner.total_len, 1020);
        assert_int_equal(m.inner.src, 0xc0000201u);
        assert_int_equal(m.inner.dst, 0xcb007105u);
        assert_ptr_equal(m.inner.l4, c + 8 + cases[i].ihl * 4u);
        assert_int_equal(m.inner.l4_len, cases[i].l4_len);
        assert_int_equal(m.inner.l4[0], 0xa0);
        assert_int_equal(m.inner.l4[cases[i].l4_len - 1], 0xa0 + cases[i].l4_len - 1);
        /* the quote is also the message's data */
        assert_ptr_equal(m.data, c + 8);
        assert_int_equal(m.data_len, n - 8);
        free(c);
    }
}

/* Only unreachable, source quench, time exceeded and parameter problem carry
 * a quoted header (RFC 1122 3.2.2); other types are not checked for one. */
static void test_icmp_other_types_parse_without_a_quoted_header(void **state)
{
    (void)state;
    static const uint8_t types[] = {5, 9, 10, 13, 14, 17, 18, 255};
    static const uint8_t junk[4] = {0xff, 0xff, 0xff, 0xff};
    for (size_t i = 0; i < sizeof types; i++) {
        uint8_t buf[12];
        struct synack_wire_error err;
        size_t n = synack_icmp_build(buf, sizeof buf, types[i], 0, 0x01020304u, junk, 4, &err);
        struct synack_icmp m;
        uint8_t *c;
        assert_int_equal(icmp_parse_copy(buf, n, 0, &m, &err, &c), WIRE_OK);
        assert_false(m.is_error);
        assert_int_equal(m.type, types[i]);
        assert_int_equal(m.rest, 0x01020304u);
        assert_int_equal(m.data_len, 4);
        free(c);
    }
    assert_true(synack_icmp_type_is_error(ICMP_DEST_UNREACH));
    assert_true(synack_icmp_type_is_error(ICMP_SOURCE_QUENCH));
    assert_true(synack_icmp_type_is_error(ICMP_TIME_EXCEEDED));
    assert_true(synack_icmp_type_is_error(ICMP_PARAM_PROBLEM));
    assert_false(synack_icmp_type_is_error(ICMP_ECHO_REQUEST));
    assert_false(synack_icmp_type_is_error(ICMP_ECHO_REPLY));
    assert_false(synack_icmp_type_is_error(5));
}

/* ---- truncation -------------------------------------------------------------- */

/* IPv4 + ICMP: the echo request, the port unreachable, a needfrag quoting
 * a header with options and 20 octets of TCP, and a time exceeded quoting
 * a header of 60 octets. */
#define NPKTS 4
static size_t truncation_packets(uint8_t pkts[NPKTS][128], size_t lens[NPKTS])
{
    lens[0] = wt_hex(pkts[0], 128, echo_hex);
    lens[1] = wt_hex(pkts[1], 128, unreach_hex);
    size_t n2 = error_msg(pkts[2] + 20, 108, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, 1280, 6, 20);
    size_t n3 = error_msg(pkts[3] + 20, 108, ICMP_TIME_EXCEEDED, 0, 0, 15, 8);
    struct synack_ipv4 ih = {.ttl = 255, .proto = SYNACK_IPPROTO_ICMP, .src = 0xcb007101u,
                             .dst = 0xc0000201u};
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_build(pkts[2], 20, &ih, n2, &err), 20);
    assert_int_equal(synack_ipv4_build(pkts[3], 20, &ih, n3, &err), 20);
    lens[2] = 20 + n2;
    lens[3] = 20 + n3;
    return NPKTS;
}

static void test_icmp_every_prefix_of_ipv4_icmp_packets_fails_cleanly(void **state)
{
    (void)state;
    uint8_t pkts[NPKTS][128];
    size_t lens[NPKTS];
    size_t count = truncation_packets(pkts, lens);
    for (size_t k = 0; k < count; k++) {
        for (size_t n = 0; n <= lens[k]; n++) {
            uint8_t *p = wt_copy_exact(pkts[k], n);
            struct synack_ipv4 ip;
            struct synack_wire_error err = {WIRE_OK, 0};
            int rc = synack_ipv4_parse(p, n, 0, &ip, &err);
            if (n < 20) {
                assert_wire_err(rc, err, WIRE_EIP_TRUNCATED, n);
            } else if (n < lens[k]) {
                assert_wire_err(rc, err, WIRE_EIP_TOTLEN_OVERRUN, 2);
            } else {
                assert_int_equal(rc, WIRE_OK);
                struct synack_icmp m;
                assert_int_equal(synack_icmp_parse(ip.payload, ip.payload_len, 0, &m, &err),
                                 WIRE_OK);
            }
            free(p);
        }
    }
}

/* Every prefix of each ICMP message alone gives the error its length
 * implies; a quote longer than IP header + 8 octets may be cut short. */
static void test_icmp_every_prefix_of_a_message_parses_cleanly(void **state)
{
    (void)state;
    uint8_t pkts[NPKTS][128];
    size_t lens[NPKTS];
    size_t count = truncation_packets(pkts, lens);
    for (size_t k = 0; k < count; k++) {
        const uint8_t *msg = pkts[k] + 20;
        size_t len = lens[k] - 20;
        bool is_error = synack_icmp_type_is_error(msg[0]);
        size_t ihl4 = is_error ? (msg[8] & 0x0fu) * 4u : 0;
        for (size_t n = 0; n <= len; n++) {
            struct synack_icmp m;
            struct synack_wire_error err;
            uint8_t *c;
            int rc = icmp_parse_copy(msg, n, WIRE_PARSE_NO_CHECKSUM, &m, &err, &c);
            if (n < 8) {
                assert_wire_err(rc, err, WIRE_EICMP_TRUNCATED, n);
            } else if (is_error && n < 8 + 28) {
                assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, n);
            } else if (is_error && n < 8 + ihl4) {
                assert_wire_err(rc, err, WIRE_EICMP_INNER_IHL, 8);
            } else if (is_error && n < 8 + ihl4 + 8) {
                assert_wire_err(rc, err, WIRE_EICMP_INNER_TRUNCATED, n);
            } else {
                assert_int_equal(rc, WIRE_OK);
                assert_ptr_equal(m.data + m.data_len, c + n);
                if (is_error)
                    assert_ptr_equal(m.inner.l4 + m.inner.l4_len, c + n);
            }
            free(c);
            /* with the checksum: an error unless the message is whole */
            rc = icmp_parse_copy(msg, n, 0, &m, &err, &c);
            assert_wire_clean(rc, err, n);
            if (n == len)
                assert_int_equal(rc, WIRE_OK);
            else
                assert_int_not_equal(rc, WIRE_OK);
            free(c);
        }
    }
}

/* Random messages of every length, biased towards error types with a
 * plausible quote: a clean result and views inside the copy. */
static void test_icmp_random_messages_parse_cleanly(void **state)
{
    (void)state;
    struct wt_rng r = {1122};
    uint8_t raw[80];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = wt_rng_below(&r, sizeof raw + 1);
        wt_rng_fill(&r, raw, n);
        if (n > 0 && wt_rng_below(&r, 2))
            raw[0] = (uint8_t)(3 + wt_rng_below(&r, 10));
        if (n > 8 && wt_rng_below(&r, 2))
            raw[8] = (uint8_t)(0x40 | wt_rng_below(&r, 16));
        struct synack_icmp m;
        struct synack_wire_error err;
        uint8_t *c;
        int rc = icmp_parse_copy(raw, n, WIRE_PARSE_NO_CHECKSUM, &m, &err, &c);
        assert_wire_clean(rc, err, n);
        if (rc == WIRE_OK && m.is_error) {
            assert_true(m.inner.l4 >= c + 28 && m.inner.l4 + m.inner.l4_len == c + n);
            assert_true(m.inner.l4_len >= 8);
        }
        free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icmp_fewer_than_8_octets_is_truncated_at_the_end),
        cmocka_unit_test(test_icmp_bad_checksum_is_rejected_at_offset_2),
        cmocka_unit_test(test_icmp_no_checksum_flag_accepts_a_bad_checksum),
        cmocka_unit_test(test_icmp_error_without_ip_header_and_8_octets_is_truncated_at_the_end),
        cmocka_unit_test(test_icmp_embedded_header_not_ipv4_is_rejected_at_offset_8),
        cmocka_unit_test(test_icmp_embedded_ihl_below_5_is_rejected_at_offset_8),
        cmocka_unit_test(test_icmp_embedded_ihl_past_the_message_is_rejected_at_offset_8),
        cmocka_unit_test(test_icmp_build_into_a_short_buffer_is_a_space_error),
        cmocka_unit_test(test_icmp_real_echo_request_verifies_and_parses),
        cmocka_unit_test(test_icmp_real_port_unreachable_quotes_the_syn),
        cmocka_unit_test(test_icmp_echo_build_then_parse_round_trips),
        cmocka_unit_test(test_icmp_echo_reply_can_be_built_in_place),
        cmocka_unit_test(test_icmp_error_messages_build_then_parse_round_trip),
        cmocka_unit_test(test_icmp_other_types_parse_without_a_quoted_header),
        cmocka_unit_test(test_icmp_every_prefix_of_ipv4_icmp_packets_fails_cleanly),
        cmocka_unit_test(test_icmp_every_prefix_of_a_message_parses_cleanly),
        cmocka_unit_test(test_icmp_random_messages_parse_cleanly),
    };
    return cmocka_run_group_tests_name("wire_icmp", tests, NULL, NULL);
}

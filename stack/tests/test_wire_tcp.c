/* Unit tests of the TCP header and option parser and builders
 * (stack/wire/tcp.c, tcp_options.c) and of the error texts (errors.c):
 * each error at its offset, option edge cases, round trips, truncation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/wire_testutil.h"

#define SRC WT_SYN_SRC
#define DST WT_SYN_DST

/* A segment from a fixed header h, raw options and payload, checksummed. */
static size_t segment(uint8_t *buf, size_t cap, const struct synack_tcp *h,
                      const uint8_t *opts, size_t optlen, const uint8_t *payload,
                      size_t payload_len)
{
    struct synack_wire_error err = {WIRE_OK, 0};
    size_t hlen = synack_tcp_build(buf, cap, h, opts, optlen, &err);
    assert_int_equal(err.code, WIRE_OK);
    assert_int_equal(hlen, 20 + optlen);
    assert_true(cap - hlen >= payload_len);
    if (payload_len)
        memcpy(buf + hlen, payload, payload_len);
    synack_tcp_checksum_set(buf, hlen + payload_len, SRC, DST);
    return hlen + payload_len;
}

/* An ACK segment carrying the option space written in hex (a multiple of 4
 * octets), for tests of option parsing through synack_tcp_parse. */
static size_t segment_with_opts(uint8_t *buf, size_t cap, const char *opts_hex)
{
    uint8_t opts[SYNACK_TCP_OPT_MAX];
    size_t optlen = wt_hex(opts, sizeof opts, opts_hex);
    struct synack_tcp h = {.sport = 1000, .dport = 2000, .seq = 1, .ack = 2,
                           .flags = SYNACK_TCP_ACK, .window = 100};
    return segment(buf, cap, &h, opts, optlen, NULL, 0);
}

/* Parse an option space given in hex from an exact-size heap copy. */
static int opts_parse_hex(const char *hex, struct synack_tcp_opts *o,
                          struct synack_wire_error *err)
{
    uint8_t raw[512];
    size_t n = wt_hex(raw, sizeof raw, hex);
    uint8_t *p = wt_copy_exact(raw, n);
    err->code = WIRE_OK;
    err->offset = 0;
    int rc = synack_tcp_opts_parse(p, n, o, err);
    free(p);
    return rc;
}

/* ---- fixed header errors ------------------------------------------------- */

static void test_tcp_fewer_than_20_octets_is_truncated_at_the_end(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    struct synack_tcp t;
    struct synack_wire_error err;
    int rc = synack_tcp_parse(p + 20, 19, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_TRUNCATED, 19);
    rc = synack_tcp_parse(p + 20, 0, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_TRUNCATED, 0);
    /* no checksum verifies on fewer octets than a header */
    assert_false(synack_tcp_checksum_ok(p + 20, 19, SRC, DST));
}

static void test_tcp_segment_longer_than_65535_octets_is_rejected(void **state)
{
    (void)state;
    uint8_t *seg = calloc(65536, 1);
    assert_non_null(seg);
    seg[12] = 0x50;
    struct synack_tcp t;
    struct synack_wire_error err;
    int rc = synack_tcp_parse(seg, 65536, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_TOO_LONG, 65535);
    assert_false(synack_tcp_checksum_ok(seg, 65536, SRC, DST));
    assert_int_equal(synack_tcp_parse(seg, 65535, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err),
                     WIRE_OK);
    free(seg);
}

static void test_tcp_data_offset_below_5_is_rejected_at_offset_12(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    for (uint8_t doff = 0; doff < 5; doff++) {
        p[32] = (uint8_t)(doff << 4);
        struct synack_tcp t;
        struct synack_wire_error err;
        int rc = synack_tcp_parse(p + 20, 40, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err);
        assert_wire_err(rc, err, WIRE_ETCP_DOFF_SMALL, 12);
    }
}

static void test_tcp_data_offset_past_the_segment_is_rejected_at_offset_12(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    struct synack_tcp t;
    struct synack_wire_error err;
    /* doff 10 (40 octets) in 39 */
    int rc = synack_tcp_parse(p + 20, 39, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_DOFF_OVERRUN, 12);
    /* doff 15 (60 octets) in 40 */
    p[32] = 0xf0;
    rc = synack_tcp_parse(p + 20, 40, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_DOFF_OVERRUN, 12);
}

static void test_tcp_bad_checksum_is_rejected_at_offset_16(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    struct synack_tcp t;
    struct synack_wire_error err;
    /* the captured SYN verifies between its own addresses only */
    assert_int_equal(synack_tcp_parse(p + 20, 40, SRC, DST, 0, &t, &err), WIRE_OK);
    int rc = synack_tcp_parse(p + 20, 40, SRC, DST + 1, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_CHECKSUM, 16);
    p[59] ^= 0x04; /* one bit of the WS option */
    rc = synack_tcp_parse(p + 20, 40, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_CHECKSUM, 16);
}

static void test_tcp_no_checksum_flag_accepts_a_bad_checksum(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    p[36] ^= 0xff;
    struct synack_tcp t;
    struct synack_wire_error err;
    assert_int_equal(synack_tcp_parse(p + 20, 40, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err),
                     WIRE_OK);
    assert_int_equal(t.checksum, 0x2a11);
    assert_false(synack_tcp_checksum_ok(p + 20, 40, SRC, DST));
}

/* ---- the captured SYN ------------------------------------------------------ */

static void test_tcp_captured_syn_parses_every_field_and_option(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    struct synack_ipv4 ip;
    struct synack_tcp t;
    struct synack_wire_error err;
    assert_int_equal(synack_ipv4_parse(p, 60, 0, &ip, &err), WIRE_OK);
    assert_int_equal(ip.proto, SYNACK_IPPROTO_TCP);
    assert_int_equal(synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &t, &err),
                     WIRE_OK);
    assert_int_equal(t.sport, 45678);
    assert_int_equal(t.dport, 80);
    assert_int_equal(t.seq, 0x3a4b5c6du);
    assert_int_equal(t.ack, 0);
    assert_int_equal(t.doff, 10);
    assert_int_equal(t.reserved, 0);
    assert_int_equal(t.flags, SYNACK_TCP_SYN);
    assert_int_equal(t.window, 64240);
    assert_int_equal(t.checksum, 0xd511);
    assert_int_equal(t.urg_ptr, 0);
    assert_ptr_equal(t.options, p + 40);
    assert_int_equal(t.options_len, 20);
    assert_ptr_equal(t.payload, p + 60);
    assert_int_equal(t.payload_len, 0);
    assert_int_equal(t.opts.present,
                     TCPOPT_F_MSS | TCPOPT_F_SACK_PERM | TCPOPT_F_TS | TCPOPT_F_WSCALE);
    assert_int_equal(t.opts.dup, 0);
    assert_int_equal(t.opts.mss, 1460);
    assert_int_equal(t.opts.wscale, 7);
    assert_int_equal(t.opts.ts_val, 1000000);
    assert_int_equal(t.opts.ts_ecr, 0);
    assert_int_equal(t.opts.sack_count, 0);
    assert_int_equal(t.opts.unknown_count, 0);
}

static void test_tcp_build_reproduces_the_captured_syn_byte_for_byte(void **state)
{
    (void)state;
    uint8_t want[60], got[60];
    wt_hex(want, sizeof want, wt_syn_hex);
    struct synack_tcp h = {.sport = 45678, .dport = 80, .seq = 0x3a4b5c6d,
                           .flags = SYNACK_TCP_SYN, .window = 64240,
                           /* ignored by the builder */
                           .doff = 3, .checksum = 0xbeef};
    struct synack_tcp_opts o = {
        .present = TCPOPT_F_MSS | TCPOPT_F_SACK_PERM | TCPOPT_F_TS | TCPOPT_F_WSCALE,
        .mss = 1460, .wscale = 7, .ts_val = 1000000, .ts_ecr = 0};
    struct synack_ipv4 ih = {.id = 0x1c46, .frag = SYNACK_IP_DF, .ttl = 64,
                             .proto = SYNACK_IPPROTO_TCP, .src = SRC, .dst = DST};
    struct synack_wire_error err;
    uint8_t opts[40];
    size_t optlen = synack_tcp_opts_build(opts, sizeof opts, &o, &err);
    assert_int_equal(optlen, 20);
    assert_int_equal(synack_tcp_build(got + 20, 40, &h, opts, optlen, &err), 40);
    assert_int_equal(synack_get16(got + 36), 0); /* left zero for checksum_set */
    synack_tcp_checksum_set(got + 20, 40, SRC, DST);
    assert_int_equal(synack_ipv4_build(got, 60, &ih, 40, &err), 20);
    assert_memory_equal(got, want, 60);
}

/* ---- option errors: each its own code, at the offset of the bad octet ------ */

static void test_tcp_option_length_zero_is_rejected_at_its_offset(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    int rc = opts_parse_hex("01 01 08 00", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ZERO, 3);
    rc = opts_parse_hex("fe 00 00 00", &o, &err); /* an unknown kind too (MUST-7) */
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ZERO, 1);
    /* in a segment the offset counts from the start of the TCP header */
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "01 01 08 00");
    struct synack_tcp t;
    rc = synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ZERO, 23);
}

static void test_tcp_option_length_one_is_rejected_at_its_offset(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    int rc = opts_parse_hex("02 01 05 b4", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ONE, 1);
    rc = opts_parse_hex("01 1e 01 00", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ONE, 2);
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "01 1e 01 00");
    struct synack_tcp t;
    rc = synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_ONE, 22);
}

static void test_tcp_option_length_past_the_end_is_rejected_at_its_offset(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    /* timestamps of 10 octets with only 2 left */
    int rc = opts_parse_hex("01 01 08 0a", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_OVERRUN, 3);
    /* an unknown kind one octet too long */
    rc = opts_parse_hex("01 fd 04 00", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_OVERRUN, 2);
    /* ... while exactly reaching the end is fine */
    rc = opts_parse_hex("01 fd 03 00", &o, &err);
    assert_int_equal(rc, WIRE_OK);
    assert_int_equal(o.unknown_count, 1);
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "02 04 05 b4 01 01 08 0a");
    struct synack_tcp t;
    rc = synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_OVERRUN, 27);
}

static void test_tcp_option_kind_as_the_last_octet_is_truncated_at_its_offset(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    int rc = opts_parse_hex("01 01 01 02", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPT_TRUNCATED, 3);
    rc = opts_parse_hex("fe", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPT_TRUNCATED, 0);
    /* EOL and NOP have no length octet, so as the last octet they are fine */
    assert_int_equal(opts_parse_hex("01 01 01 01", &o, &err), WIRE_OK);
    assert_int_equal(opts_parse_hex("01 01 01 00", &o, &err), WIRE_OK);
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "01 01 01 08");
    struct synack_tcp t;
    rc = synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPT_TRUNCATED, 23);
}

/* Known kinds with a length that does not fit them: one code per kind,
 * at the offset of the length octet. */
static void test_tcp_known_kind_with_wrong_length_has_its_own_code(void **state)
{
    (void)state;
    static const struct {
        const char *hex;
        enum synack_wire_err code;
        uint32_t offset;
    } cases[] = {
        {"02 02 01 01", WIRE_ETCP_MSS_LEN, 1},
        {"02 03 05 01", WIRE_ETCP_MSS_LEN, 1},
        {"01 02 05 05 b4 00 01 01", WIRE_ETCP_MSS_LEN, 2},
        {"02 06 05 b4 00 00", WIRE_ETCP_MSS_LEN, 1},
        {"03 02 01 01", WIRE_ETCP_WSCALE_LEN, 1},
        {"01 01 03 04 07 00 01 01", WIRE_ETCP_WSCALE_LEN, 3},
        {"04 03 00 01", WIRE_ETCP_SACKOK_LEN, 1},
        {"01 04 04 00 00 01 01 01", WIRE_ETCP_SACKOK_LEN, 2},
        {"05 02 01 01", WIRE_ETCP_SACK_LEN, 1},  /* no blocks */
        {"01 01 05 02", WIRE_ETCP_SACK_LEN, 3},
        {"05 03 00 01", WIRE_ETCP_SACK_LEN, 1},
        {"05 09 00 00 00 01 00 00 00", WIRE_ETCP_SACK_LEN, 1},
        {"05 0b 00 00 00 01 00 00 00 02 00", WIRE_ETCP_SACK_LEN, 1},
        {"05 11 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00", WIRE_ETCP_SACK_LEN, 1},
        {"08 02 01 01", WIRE_ETCP_TS_LEN, 1},
        {"08 09 00 00 00 01 00 00 00", WIRE_ETCP_TS_LEN, 1},
        {"08 0b 00 00 00 01 00 00 00 02 00", WIRE_ETCP_TS_LEN, 1},
        /* the bad option after good ones */
        {"02 04 05 b4 01 01 08 0a 00 00 00 01 00 00 00 02 03 04 07 00", WIRE_ETCP_WSCALE_LEN, 17},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_tcp_opts o;
        struct synack_wire_error err;
        int rc = opts_parse_hex(cases[i].hex, &o, &err);
        assert_wire_err(rc, err, cases[i].code, cases[i].offset);
    }
}

/* SACK with 5 blocks needs 42 octets: past a segment's 40-octet option
 * space, and the wrong length for SACK in a longer space. */
static void test_tcp_sack_with_five_blocks_is_rejected(void **state)
{
    (void)state;
    uint8_t space[42] = {TCPOPT_SACK, 42};
    for (int i = 2; i < 42; i++)
        space[i] = (uint8_t)i;
    uint8_t *p = wt_copy_exact(space, sizeof space);
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    int rc = synack_tcp_opts_parse(p, sizeof space, &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_SACK_LEN, 1);
    free(p);

    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg,
                                 "01 01 05 2a 00 00 00 01 00 00 00 02 00 00 00 03 00 00 00 04"
                                 "00 00 00 05 00 00 00 06 00 00 00 07 00 00 00 08 00 00 00 09");
    struct synack_tcp t;
    rc = synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err);
    assert_wire_err(rc, err, WIRE_ETCP_OPTLEN_OVERRUN, 23);
}

/* ---- option edge cases ------------------------------------------------------- */

static void test_tcp_eol_followed_by_garbage_parses_with_pad_nonzero(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    /* after EOL: what would be a TS of length 2 and an MSS of length 0 */
    assert_int_equal(opts_parse_hex("02 04 05 b4 00 08 02 02 00 01 01 01", &o, &err), WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_MSS | TCPOPT_F_EOL | TCPOPT_F_PAD_NONZERO);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.eol_offset, 4);
    /* a single non-zero octet at the very end is enough */
    assert_int_equal(opts_parse_hex("00 00 00 01", &o, &err), WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_EOL | TCPOPT_F_PAD_NONZERO);
    assert_int_equal(o.eol_offset, 0);
    /* and through a segment */
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "01 00 fe 00");
    struct synack_tcp t;
    assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
    assert_int_equal(t.opts.present, TCPOPT_F_EOL | TCPOPT_F_PAD_NONZERO);
    assert_int_equal(t.opts.eol_offset, 1);
    assert_int_equal(t.opts.unknown_count, 0);
}

static void test_tcp_eol_followed_by_zeros_parses_without_pad_nonzero(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    assert_int_equal(opts_parse_hex("02 04 05 b4 01 00 00 00", &o, &err), WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_MSS | TCPOPT_F_EOL);
    assert_int_equal(o.eol_offset, 5);
    /* EOL as the last octet */
    assert_int_equal(opts_parse_hex("01 01 01 00", &o, &err), WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_EOL);
    assert_int_equal(o.eol_offset, 3);
    /* no EOL: the flag stays clear */
    assert_int_equal(opts_parse_hex("01 01 01 01", &o, &err), WIRE_OK);
    assert_int_equal(o.present, 0);
}

/* The iterator's contract: 0 at the end, after EOL or when the space is
 * used up, whatever follows the EOL. */
static void test_tcp_option_iterator_ends_after_eol(void **state)
{
    (void)state;
    uint8_t raw[4];
    wt_hex(raw, sizeof raw, "01 00 02 00"); /* NOP EOL, then an MSS of length 0 */
    uint8_t *p = wt_copy_exact(raw, 4);
    size_t off = 0;
    struct synack_tcp_opt opt;
    struct synack_wire_error err = {WIRE_OK, 0};
    assert_int_equal(synack_tcp_opt_next(p, 4, &off, &opt, &err), 1);
    assert_int_equal(opt.kind, TCPOPT_NOP);
    assert_int_equal(opt.offset, 0);
    assert_int_equal(synack_tcp_opt_next(p, 4, &off, &opt, &err), 1);
    assert_int_equal(opt.kind, TCPOPT_EOL);
    assert_int_equal(opt.len, 1);
    assert_int_equal(opt.offset, 1);
    assert_int_equal(synack_tcp_opt_next(p, 4, &off, &opt, &err), 0);
    assert_int_equal(synack_tcp_opt_next(p, 4, &off, &opt, &err), 0);
    assert_int_equal(err.code, WIRE_OK);
    free(p);
}

static void test_tcp_option_iterator_reports_offsets_within_the_space(void **state)
{
    (void)state;
    uint8_t raw[12];
    wt_hex(raw, sizeof raw, "01 02 04 05 b4 fe 02 03 03 0e 01 00");
    static const struct {
        uint8_t kind, len, offset;
    } want[] = {{1, 1, 0}, {2, 4, 1}, {254, 2, 5}, {3, 3, 7}, {1, 1, 10}, {0, 1, 11}};
    size_t off = 0;
    struct synack_tcp_opt opt;
    struct synack_wire_error err;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(synack_tcp_opt_next(raw, sizeof raw, &off, &opt, &err), 1);
        assert_int_equal(opt.kind, want[i].kind);
        assert_int_equal(opt.len, want[i].len);
        assert_int_equal(opt.offset, want[i].offset);
        if (opt.len > 1)
            assert_ptr_equal(opt.data, raw + want[i].offset + 2);
    }
    assert_int_equal(synack_tcp_opt_next(raw, sizeof raw, &off, &opt, &err), 0);
    /* an error from the iterator is at an offset within the space */
    wt_hex(raw, sizeof raw, "01 01 01 01 01 01 01 01 01 01 08 00");
    off = 0;
    int r;
    while ((r = synack_tcp_opt_next(raw, sizeof raw, &off, &opt, &err)) == 1)
        ;
    assert_int_equal(r, -1);
    assert_wire_err(err.code, err, WIRE_ETCP_OPTLEN_ZERO, 11);
}

/* MUST-64: options may begin on any octet boundary. */
static void test_tcp_options_are_decoded_at_any_alignment(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    /* NOP MSS WS TS SACK-perm SACK(1) EOL, packed with no padding */
    assert_int_equal(opts_parse_hex("01 02 04 05 b4 03 03 0e 08 0a 11 22 33 44 55 66 77 88"
                                    "04 02 05 0a 00 00 10 00 00 00 20 00 00 00 00 00",
                                    &o, &err),
                     WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_TS |
                                    TCPOPT_F_SACK_PERM | TCPOPT_F_SACK | TCPOPT_F_EOL);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.wscale, 14);
    assert_int_equal(o.ts_val, 0x11223344u);
    assert_int_equal(o.ts_ecr, 0x55667788u);
    assert_int_equal(o.sack_count, 1);
    assert_int_equal(o.sack[0].left, 0x1000);
    assert_int_equal(o.sack[0].right, 0x2000);
    assert_int_equal(o.eol_offset, 30);

    /* timestamps after 0..30 NOPs, in a segment, from an exact-size copy */
    for (size_t k = 0; k <= 30; k++) {
        uint8_t opts[40];
        memset(opts, TCPOPT_NOP, sizeof opts);
        opts[k] = TCPOPT_TIMESTAMP;
        opts[k + 1] = 10;
        synack_put32(opts + k + 2, 0xa0b0c0d0u + (uint32_t)k);
        synack_put32(opts + k + 6, (uint32_t)k);
        size_t optlen = (k + 10 + 3) & ~(size_t)3;
        uint8_t buf[60];
        struct synack_tcp h = {.sport = 1, .dport = 2, .flags = SYNACK_TCP_ACK};
        size_t n = segment(buf, sizeof buf, &h, opts, optlen, NULL, 0);
        uint8_t *seg = wt_copy_exact(buf, n);
        struct synack_tcp t;
        assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
        assert_int_equal(t.opts.present, TCPOPT_F_TS);
        assert_int_equal(t.opts.ts_val, 0xa0b0c0d0u + k);
        assert_int_equal(t.opts.ts_ecr, k);
        free(seg);
    }
}

static void test_tcp_duplicate_options_first_wins_and_set_dup(void **state)
{
    (void)state;
    struct synack_tcp_opts o;
    struct synack_wire_error err;
    assert_int_equal(opts_parse_hex("02 04 05 b4 02 04 02 18 03 03 07 03 03 02 04 02 04 02",
                                    &o, &err),
                     WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM);
    assert_int_equal(o.dup, TCPOPT_F_MSS | TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM);
    assert_int_equal(o.mss, 1460);
    assert_int_equal(o.wscale, 7);

    assert_int_equal(opts_parse_hex("08 0a 00 00 00 01 00 00 00 02 08 0a 00 00 00 03 00 00 00 04"
                                    "05 0a 00 00 00 0a 00 00 00 0b 05 0a 00 00 00 0c 00 00 00 0d",
                                    &o, &err),
                     WIRE_OK);
    assert_int_equal(o.present, TCPOPT_F_TS | TCPOPT_F_SACK);
    assert_int_equal(o.dup, TCPOPT_F_TS | TCPOPT_F_SACK);
    assert_int_equal(o.ts_val, 1);
    assert_int_equal(o.ts_ecr, 2);
    assert_int_equal(o.sack_count, 1);
    assert_int_equal(o.sack[0].left, 10);
    assert_int_equal(o.sack[0].right, 11);

    /* a duplicate is still length-checked */
    int rc = opts_parse_hex("02 04 05 b4 02 03 00 01", &o, &err);
    assert_wire_err(rc, err, WIRE_ETCP_MSS_LEN, 5);
    /* no duplicate, no dup bit */
    assert_int_equal(opts_parse_hex("02 04 05 b4 01 01 04 02", &o, &err), WIRE_OK);
    assert_int_equal(o.dup, 0);
}

static void test_tcp_mss_of_zero_parses_as_zero(void **state)
{
    (void)state;
    uint8_t seg[60];
    size_t n = segment_with_opts(seg, sizeof seg, "02 04 00 00");
    struct synack_tcp t;
    struct synack_wire_error err;
    assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
    assert_int_equal(t.opts.present, TCPOPT_F_MSS);
    assert_int_equal(t.opts.mss, 0);
}

/* RFC 7323 2.3 limits the shift to 14; clamping is the stack's job, the
 * parser reports what was received. */
static void test_tcp_wscale_15_and_above_parse_as_received(void **state)
{
    (void)state;
    static const uint8_t shifts[] = {0, 14, 15, 16, 255};
    for (size_t i = 0; i < sizeof shifts; i++) {
        uint8_t opts[4] = {TCPOPT_NOP, TCPOPT_WSCALE, 3, shifts[i]};
        uint8_t seg[60];
        struct synack_tcp h = {.flags = SYNACK_TCP_SYN};
        size_t n = segment(seg, sizeof seg, &h, opts, 4, NULL, 0);
        struct synack_tcp t;
        struct synack_wire_error err;
        assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
        assert_int_equal(t.opts.present, TCPOPT_F_WSCALE);
        assert_int_equal(t.opts.wscale, shifts[i]);
    }
}

/* MUST-6: an option of unknown kind is skipped by its length and counted. */
static void test_tcp_unknown_kinds_are_skipped_by_length_and_counted(void **state)
{
    (void)state;
    uint8_t seg[60];
    /* MD5 (19, 18 octets), a TFO cookie request (34, len 2: decoded,
     * RFC 7413), kind 6 (len 6), experimental 254 (len 4), then an MSS
     * that must still be decoded */
    size_t n = segment_with_opts(seg, sizeof seg,
                                 "13 12 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
                                 "22 02 06 06 ff ff ff ff fe 04 f9 89 02 04 02 18 01 01");
    struct synack_tcp t;
    struct synack_wire_error err;
    assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
    assert_int_equal(t.opts.unknown_count, 3);
    assert_int_equal(t.opts.present, TCPOPT_F_MSS | TCPOPT_F_FASTOPEN);
    assert_int_equal(t.opts.tfo_len, 0);
    assert_int_equal(t.opts.mss, 536);
    /* an unknown kind's length may hide octets that look like options */
    struct synack_tcp_opts o;
    assert_int_equal(opts_parse_hex("fd 06 02 00 08 00 02 04 05 78", &o, &err), WIRE_OK);
    assert_int_equal(o.unknown_count, 1);
    assert_int_equal(o.present, TCPOPT_F_MSS);
    assert_int_equal(o.mss, 1400);
    /* the 8-bit count saturates rather than wrapping (a long option space) */
    uint8_t many[600];
    for (size_t i = 0; i < sizeof many; i += 2)
        many[i] = 0xfe, many[i + 1] = 2;
    assert_int_equal(synack_tcp_opts_parse(many, sizeof many, &o, &err), WIRE_OK);
    assert_int_equal(o.unknown_count, 255);
}

/* ---- builders' errors ------------------------------------------------------ */

static void test_tcp_build_with_more_than_40_option_octets_is_an_optspace_error(void **state)
{
    (void)state;
    uint8_t buf[100];
    uint8_t opts[44];
    memset(opts, TCPOPT_NOP, sizeof opts);
    struct synack_tcp h = {.sport = 1, .dport = 2};
    struct synack_wire_error err;
    size_t n = synack_tcp_build(buf, sizeof buf, &h, opts, 44, &err);
    assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 20);
    /* not a multiple of 4 either */
    n = synack_tcp_build(buf, sizeof buf, &h, opts, 6, &err);
    assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 20);
    assert_int_equal(synack_tcp_build(buf, sizeof buf, &h, opts, 40, &err), 60);
    assert_int_equal(buf[12] >> 4, 15);
}

static void test_tcp_opts_build_over_40_octets_is_an_optspace_error(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct synack_wire_error err;
    /* MSS 4 + SACK-perm/TS 12 + WS 4 + SACK(4) 36 = 56 */
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_TS | TCPOPT_F_SACK_PERM |
                                           TCPOPT_F_WSCALE | TCPOPT_F_SACK,
                                .sack_count = 4};
    size_t n = synack_tcp_opts_build(buf, sizeof buf, &o, &err);
    assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 0);
    /* TS 12 + SACK(4) 36 = 48 */
    o.present = TCPOPT_F_TS | TCPOPT_F_SACK;
    n = synack_tcp_opts_build(buf, sizeof buf, &o, &err);
    assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 0);
    /* TS 12 + SACK(3) 28 = 40 fits */
    o.sack_count = 3;
    assert_int_equal(synack_tcp_opts_build(buf, sizeof buf, &o, &err), 40);
    /* five SACK blocks are more than the struct can hold */
    o.present = TCPOPT_F_SACK;
    o.sack_count = 5;
    n = synack_tcp_opts_build(buf, sizeof buf, &o, &err);
    assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 0);
}

static void test_tcp_builders_report_a_short_buffer_as_a_space_error(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct synack_wire_error err;
    uint8_t opts[4] = {1, 1, 1, 1};
    struct synack_tcp h = {.sport = 1};
    size_t n = synack_tcp_build(buf, 23, &h, opts, 4, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    n = synack_tcp_build(buf, 19, &h, NULL, 0, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);

    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_WSCALE, .mss = 1};
    n = synack_tcp_opts_build(buf, 7, &o, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    assert_int_equal(synack_tcp_opts_build(buf, 8, &o, &err), 8);

    struct synack_tcp_opt nop = {.kind = TCPOPT_NOP, .len = 1};
    n = synack_tcp_opt_put(buf, 0, &nop, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    static const uint8_t mss[2] = {0x05, 0xb4};
    struct synack_tcp_opt m = {.kind = TCPOPT_MSS, .len = 4, .data = mss};
    n = synack_tcp_opt_put(buf, 3, &m, &err);
    assert_build_err(n, err, WIRE_EBUILD_SPACE, 0);
    assert_int_equal(synack_tcp_opt_put(buf, 4, &m, &err), 4);
}

static void test_tcp_opt_put_with_length_below_2_is_a_field_error_at_offset_1(void **state)
{
    (void)state;
    uint8_t buf[8];
    struct synack_wire_error err;
    for (uint8_t len = 0; len < 2; len++) {
        struct synack_tcp_opt opt = {.kind = TCPOPT_MSS, .len = len};
        size_t n = synack_tcp_opt_put(buf, sizeof buf, &opt, &err);
        assert_build_err(n, err, WIRE_EBUILD_FIELD, 1);
    }
    /* length 2 (no data) is a valid encoding of any kind */
    struct synack_tcp_opt sp = {.kind = TCPOPT_SACK_PERM, .len = 2};
    assert_int_equal(synack_tcp_opt_put(buf, sizeof buf, &sp, &err), 2);
    assert_int_equal(buf[0], TCPOPT_SACK_PERM);
    assert_int_equal(buf[1], 2);
}

/* ---- round trips ------------------------------------------------------------- */

/* Linux's layout, octet by octet, for each option alone. */
static void test_tcp_opts_build_uses_the_linux_layout(void **state)
{
    (void)state;
    static const struct {
        struct synack_tcp_opts o;
        const char *hex;
    } cases[] = {
        {{.present = 0}, ""},
        {{.present = TCPOPT_F_MSS, .mss = 1460}, "02 04 05 b4"},
        {{.present = TCPOPT_F_SACK_PERM}, "01 01 04 02"},
        {{.present = TCPOPT_F_TS, .ts_val = 1, .ts_ecr = 2},
         "01 01 08 0a 00 00 00 01 00 00 00 02"},
        {{.present = TCPOPT_F_TS | TCPOPT_F_SACK_PERM, .ts_val = 3, .ts_ecr = 4},
         "04 02 08 0a 00 00 00 03 00 00 00 04"},
        {{.present = TCPOPT_F_WSCALE, .wscale = 14}, "01 03 03 0e"},
        {{.present = TCPOPT_F_SACK, .sack_count = 1, .sack = {{0x10, 0x20}}},
         "01 01 05 0a 00 00 00 10 00 00 00 20"},
        {{.present = TCPOPT_F_MSS | TCPOPT_F_SACK_PERM | TCPOPT_F_WSCALE, .mss = 536,
          .wscale = 2},
         "02 04 02 18 01 01 04 02 01 03 03 02"},
        /* SACK with no blocks is left out */
        {{.present = TCPOPT_F_SACK, .sack_count = 0}, ""},
        /* flags the builder does not encode are ignored */
        {{.present = TCPOPT_F_EOL | TCPOPT_F_PAD_NONZERO}, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t want[40], got[40];
        size_t wn = wt_hex(want, sizeof want, cases[i].hex);
        struct synack_wire_error err = {WIRE_OK, 0};
        size_t n = synack_tcp_opts_build(got, sizeof got, &cases[i].o, &err);
        assert_int_equal(err.code, WIRE_OK);
        assert_int_equal(n, wn);
        assert_memory_equal(got, want, wn);
    }
}

struct tcp_case {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t reserved, flags;
    uint16_t window, urg_ptr;
};

static const struct tcp_case tcp_cases[] = {
    {0, 0, 0, 0, 0, 0, 0, 0},
    {45678, 80, 0x3a4b5c6du, 0, 0, SYNACK_TCP_SYN, 64240, 0},
    {80, 45678, 0xffffffffu, 0x3a4b5c6eu, 0, SYNACK_TCP_SYN | SYNACK_TCP_ACK, 65535, 0},
    {65535, 1, 0x80000000u, 0x7fffffffu, 0, SYNACK_TCP_ACK | SYNACK_TCP_PSH, 1, 0},
    {443, 50000, 1, 2, 0, SYNACK_TCP_FIN | SYNACK_TCP_ACK, 502, 0},
    {22, 1022, 12345, 67890, 0, SYNACK_TCP_RST, 0, 0},
    {1, 65535, 0xdeadbeefu, 0xfeedfaceu, 0, SYNACK_TCP_URG | SYNACK_TCP_ACK, 8192, 0xffff},
    {5000, 5001, 42, 43, 0, SYNACK_TCP_ECE | SYNACK_TCP_CWR | SYNACK_TCP_SYN, 29200, 0},
    {7, 9, 100, 200, 0x0f, 0xff, 0x1234, 0x5678}, /* every flag and reserved bit */
    {8, 10, 1, 1, 0x05, 0x00, 2, 3},
};

/* Option set number k of the 80 combinations of MSS, WS, SACK-perm, TS and
 * 0..4 SACK blocks, with values that vary with k. */
static struct synack_tcp_opts option_set(unsigned k)
{
    static const uint16_t mss[] = {0, 536, 1460, 65535, 1};
    static const uint8_t ws[] = {0, 7, 14, 15};
    struct synack_tcp_opts o;
    memset(&o, 0, sizeof o);
    unsigned mask = k % 16, nsack = k / 16;
    if (mask & 1)
        o.present |= TCPOPT_F_MSS, o.mss = mss[k % 5];
    if (mask & 2)
        o.present |= TCPOPT_F_WSCALE, o.wscale = ws[k % 4];
    if (mask & 4)
        o.present |= TCPOPT_F_SACK_PERM;
    if (mask & 8)
        o.present |= TCPOPT_F_TS, o.ts_val = 0xfffffff0u + k, o.ts_ecr = k * 0x01010101u;
    if (nsack) {
        o.present |= TCPOPT_F_SACK;
        o.sack_count = (uint8_t)nsack;
        for (unsigned i = 0; i < nsack; i++) {
            o.sack[i].left = 0x10000000u * i + k;
            o.sack[i].right = 0xf0000000u - i - k;
        }
    }
    return o;
}

/* The octets option_set(k) needs, worked out independently of the builder. */
static size_t option_set_len(const struct synack_tcp_opts *o)
{
    size_t n = 0;
    n += (o->present & TCPOPT_F_MSS) ? 4 : 0;                   /* MSS */
    n += (o->present & TCPOPT_F_TS) ? 12                         /* (SP|NOP NOP) TS */
         : (o->present & TCPOPT_F_SACK_PERM) ? 4 : 0;            /* NOP NOP SP */
    n += (o->present & TCPOPT_F_WSCALE) ? 4 : 0;                /* NOP WS */
    n += o->sack_count ? 4 + 8u * o->sack_count : 0;             /* NOP NOP SACK */
    return n;
}

static void assert_opts_equal(const struct synack_tcp_opts *got, const struct synack_tcp_opts *want)
{
    assert_int_equal(got->present, want->present);
    assert_int_equal(got->dup, 0);
    assert_int_equal(got->unknown_count, 0);
    if (want->present & TCPOPT_F_MSS)
        assert_int_equal(got->mss, want->mss);
    if (want->present & TCPOPT_F_WSCALE)
        assert_int_equal(got->wscale, want->wscale);
    if (want->present & TCPOPT_F_TS) {
        assert_int_equal(got->ts_val, want->ts_val);
        assert_int_equal(got->ts_ecr, want->ts_ecr);
    }
    assert_int_equal(got->sack_count, want->sack_count);
    for (unsigned i = 0; i < want->sack_count; i++) {
        assert_int_equal(got->sack[i].left, want->sack[i].left);
        assert_int_equal(got->sack[i].right, want->sack[i].right);
    }
}

/* Every combination that fits in 40 octets builds to the expected length
 * and parses back to the same options; every other one is OPTSPACE. */
static void test_tcp_opts_build_then_parse_round_trips_every_combination(void **state)
{
    (void)state;
    unsigned fit = 0, too_long = 0;
    for (unsigned k = 0; k < 80; k++) {
        struct synack_tcp_opts o = option_set(k);
        size_t want = option_set_len(&o);
        uint8_t buf[40];
        struct synack_wire_error err = {WIRE_OK, 0};
        size_t n = synack_tcp_opts_build(buf, sizeof buf, &o, &err);
        if (want > 40) {
            assert_build_err(n, err, WIRE_EBUILD_OPTSPACE, 0);
            too_long++;
            continue;
        }
        fit++;
        assert_int_equal(err.code, WIRE_OK);
        assert_int_equal(n, want);
        assert_int_equal(n % 4, 0);
        uint8_t *p = wt_copy_exact(buf, n);
        struct synack_tcp_opts back;
        assert_int_equal(synack_tcp_opts_parse(p, n, &back, &err), WIRE_OK);
        assert_opts_equal(&back, &o);
        free(p);
    }
    assert_int_equal(fit + too_long, 80);
    assert_true(fit > 40 && too_long > 0);
}

/* Headers x option sets x payload lengths: build, checksum, parse. */
static void test_tcp_segments_build_then_parse_give_the_same_fields(void **state)
{
    (void)state;
    static const size_t payload_lens[] = {0, 1, 2, 537, 1460};
    static uint8_t payload[1460];
    struct wt_rng r = {9293};
    wt_rng_fill(&r, payload, sizeof payload);
    static uint8_t buf[20 + 40 + 1460];
    for (size_t c = 0; c < sizeof tcp_cases / sizeof tcp_cases[0]; c++) {
        const struct tcp_case *tc = &tcp_cases[c];
        struct synack_tcp h = {.sport = tc->sport, .dport = tc->dport, .seq = tc->seq,
                               .ack = tc->ack, .reserved = tc->reserved, .flags = tc->flags,
                               .window = tc->window, .urg_ptr = tc->urg_ptr};
        for (unsigned k = 0; k < 80; k++) {
            struct synack_tcp_opts o = option_set(k);
            uint8_t opts[40];
            struct synack_wire_error err;
            size_t optlen = synack_tcp_opts_build(opts, sizeof opts, &o, &err);
            if (optlen == 0 && option_set_len(&o) != 0)
                continue; /* does not fit; covered above */
            for (size_t pl = 0; pl < sizeof payload_lens / sizeof payload_lens[0]; pl++) {
                size_t plen = payload_lens[pl];
                size_t n = segment(buf, sizeof buf, &h, opts, optlen, payload, plen);
                struct synack_tcp t;
                assert_int_equal(synack_tcp_parse(buf, n, SRC, DST, 0, &t, &err), WIRE_OK);
                assert_int_equal(t.sport, tc->sport);
                assert_int_equal(t.dport, tc->dport);
                assert_int_equal(t.seq, tc->seq);
                assert_int_equal(t.ack, tc->ack);
                assert_int_equal(t.reserved, tc->reserved);
                assert_int_equal(t.flags, tc->flags);
                assert_int_equal(t.window, tc->window);
                assert_int_equal(t.urg_ptr, tc->urg_ptr);
                assert_int_equal(t.doff, 5 + optlen / 4);
                assert_int_equal(t.checksum, synack_get16(buf + 16));
                assert_ptr_equal(t.options, buf + 20);
                assert_int_equal(t.options_len, optlen);
                assert_ptr_equal(t.payload, buf + 20 + optlen);
                assert_int_equal(t.payload_len, plen);
                assert_memory_equal(t.payload, payload, plen);
                assert_opts_equal(&t.opts, &o);
            }
        }
    }
}

/* Arbitrary option lists written with synack_tcp_opt_put come back from
 * the iterator unchanged, and decode as the first occurrence of each. */
struct opt_spec {
    uint8_t kind, len;
    uint8_t data[32];
};

struct opt_list {
    size_t n;
    struct opt_spec o[12];
};

static const struct opt_list opt_lists[] = {
    {1, {{TCPOPT_EOL, 1, {0}}}},
    {5, {{TCPOPT_NOP, 1, {0}}, {TCPOPT_NOP, 1, {0}}, {TCPOPT_TIMESTAMP, 10, {0, 0, 0, 1, 0, 0, 0, 2}},
         {TCPOPT_NOP, 1, {0}}, {TCPOPT_WSCALE, 3, {14}}}},
    {3, {{TCPOPT_MSS, 4, {0x05, 0xb4}}, {30, 6, {0x00, 0x81, 1, 2}}, /* MPTCP-like */
         {TCPOPT_SACK, 18, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4}}}},
    {3, {{254, 2, {0}}, {253, 4, {0xf9, 0x89}}, {TCPOPT_MSS, 4, {0x02, 0x18}}}},
    /* unaligned, 19 octets */
    {4, {{TCPOPT_WSCALE, 3, {0}}, {TCPOPT_SACK_PERM, 2, {0}}, {TCPOPT_MSS, 4, {0xff, 0xff}},
         {TCPOPT_TIMESTAMP, 10, {0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}}}},
    /* duplicates: first wins */
    {4, {{TCPOPT_MSS, 4, {0x05, 0xb4}}, {TCPOPT_MSS, 4, {0x02, 0x18}},
         {TCPOPT_WSCALE, 3, {3}}, {TCPOPT_WSCALE, 3, {4}}}},
    /* EOL ends the list; what follows is padding the test appends */
    {3, {{TCPOPT_SACK_PERM, 2, {0}}, {TCPOPT_NOP, 1, {0}}, {TCPOPT_EOL, 1, {0}}}},
    {2, {{TCPOPT_SACK, 34, {0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0, 6,
                            0, 0, 0, 7, 0, 0, 0, 8}},
         {TCPOPT_NOP, 1, {0}}}},
    {12, {{1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}},
          {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}, {1, 1, {0}}}},
    {3, {{19, 18, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
         {34, 10, {0xc0, 0xff, 0xee, 0, 1, 2, 3, 4}}, {TCPOPT_SACK_PERM, 2, {0}}}},
};

static uint32_t kind_flag(uint8_t kind)
{
    switch (kind) {
    case TCPOPT_MSS: return TCPOPT_F_MSS;
    case TCPOPT_WSCALE: return TCPOPT_F_WSCALE;
    case TCPOPT_SACK_PERM: return TCPOPT_F_SACK_PERM;
    case TCPOPT_SACK: return TCPOPT_F_SACK;
    case TCPOPT_TIMESTAMP: return TCPOPT_F_TS;
    case TCPOPT_FASTOPEN: return TCPOPT_F_FASTOPEN;
    default: return 0;
    }
}

static void test_tcp_opt_put_lists_round_trip_through_iterator_and_parse(void **state)
{
    (void)state;
    for (size_t li = 0; li < sizeof opt_lists / sizeof opt_lists[0]; li++) {
        const struct opt_list *L = &opt_lists[li];
        uint8_t space[40];
        size_t len = 0;
        struct synack_wire_error err = {WIRE_OK, 0};
        for (size_t i = 0; i < L->n; i++) {
            struct synack_tcp_opt opt = {.kind = L->o[i].kind, .len = L->o[i].len,
                                         .data = L->o[i].data};
            size_t w = synack_tcp_opt_put(space + len, sizeof space - len, &opt, &err);
            assert_int_equal(w, L->o[i].len);
            len += w;
        }
        size_t listed = len;
        while (len % 4)
            space[len++] = TCPOPT_EOL; /* pad */

        /* the iterator gives back each option, at its offset */
        size_t off = 0, at = 0, i = 0;
        struct synack_tcp_opt opt;
        int r;
        while ((r = synack_tcp_opt_next(space, len, &off, &opt, &err)) == 1) {
            if (i == L->n) { /* the padding: EOLs */
                assert_int_equal(opt.kind, TCPOPT_EOL);
                assert_int_equal(opt.offset, at);
                break;
            }
            assert_int_equal(opt.kind, L->o[i].kind);
            assert_int_equal(opt.len, L->o[i].len);
            assert_int_equal(opt.offset, at);
            if (opt.len > 2)
                assert_memory_equal(opt.data, L->o[i].data, opt.len - 2u);
            at += opt.len;
            i++;
            if (opt.kind == TCPOPT_EOL)
                break;
        }
        assert_true(r >= 0);
        assert_true(i == L->n || L->o[i - 1].kind == TCPOPT_EOL);
        assert_true(at == listed || L->o[i - 1].kind == TCPOPT_EOL);

        /* the decoder: first occurrence of each known kind, unknown counted */
        struct synack_tcp_opts want;
        memset(&want, 0, sizeof want);
        uint8_t unknown = 0;
        uint32_t dup = 0;
        bool eol = false;
        for (i = 0; i < L->n && !eol; i++) {
            const struct opt_spec *s = &L->o[i];
            uint32_t f = kind_flag(s->kind);
            if (s->kind == TCPOPT_EOL)
                eol = true;
            else if (s->kind != TCPOPT_NOP && f == 0)
                unknown++;
            else if (f && (want.present & f))
                dup |= f;
            else if (f) {
                want.present |= f;
                if (f == TCPOPT_F_MSS)
                    want.mss = synack_get16(s->data);
                if (f == TCPOPT_F_WSCALE)
                    want.wscale = s->data[0];
                if (f == TCPOPT_F_TS)
                    want.ts_val = synack_get32(s->data), want.ts_ecr = synack_get32(s->data + 4);
                if (f == TCPOPT_F_FASTOPEN) {
                    want.tfo_len = (uint8_t)(s->len - 2);
                    memcpy(want.tfo_cookie, s->data, want.tfo_len);
                }
                if (f == TCPOPT_F_SACK) {
                    want.sack_count = (uint8_t)((s->len - 2) / 8);
                    for (unsigned b = 0; b < want.sack_count; b++) {
                        want.sack[b].left = synack_get32(s->data + 8 * b);
                        want.sack[b].right = synack_get32(s->data + 8 * b + 4);
                    }
                }
            }
        }
        if (eol || len > listed)
            want.present |= TCPOPT_F_EOL;

        uint8_t seg[60];
        struct synack_tcp h = {.sport = 9, .dport = 10, .flags = SYNACK_TCP_SYN};
        size_t n = segment(seg, sizeof seg, &h, space, len, NULL, 0);
        struct synack_tcp t;
        assert_int_equal(synack_tcp_parse(seg, n, SRC, DST, 0, &t, &err), WIRE_OK);
        assert_int_equal(t.opts.present, want.present);
        assert_int_equal(t.opts.dup, dup);
        assert_int_equal(t.opts.unknown_count, unknown);
        assert_int_equal(t.opts.mss, want.mss);
        assert_int_equal(t.opts.wscale, want.wscale);
        assert_int_equal(t.opts.ts_val, want.ts_val);
        assert_int_equal(t.opts.tfo_len, want.tfo_len);
        assert_memory_equal(t.opts.tfo_cookie, want.tfo_cookie, want.tfo_len ? want.tfo_len : 1);
        assert_int_equal(t.opts.ts_ecr, want.ts_ecr);
        assert_int_equal(t.opts.sack_count, want.sack_count);
        for (unsigned b = 0; b < want.sack_count; b++) {
            assert_int_equal(t.opts.sack[b].left, want.sack[b].left);
            assert_int_equal(t.opts.sack[b].right, want.sack[b].right);
        }
    }
}

/* ---- truncation ------------------------------------------------------------- */

/* IPv4 + TCP packets: the captured SYN; a data segment with TS and three
 * SACK blocks; a bare ACK with one octet; unaligned and unknown options. */
static size_t truncation_packets(uint8_t pkts[4][1600], size_t lens[4])
{
    lens[0] = wt_hex(pkts[0], 1600, wt_syn_hex);

    static uint8_t payload[1000];
    struct wt_rng r = {793};
    wt_rng_fill(&r, payload, sizeof payload);
    struct synack_tcp h = {.sport = 80, .dport = 45678, .seq = 0x01020304u,
                           .ack = 0x3a4b5c6eu, .flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH,
                           .window = 501};
    struct synack_tcp_opts o = {.present = TCPOPT_F_TS | TCPOPT_F_SACK, .ts_val = 77,
                                .ts_ecr = 1000000, .sack_count = 3,
                                .sack = {{100, 200}, {300, 400}, {500, 600}}};
    lens[1] = wt_ipv4_tcp(pkts[1], 1600, DST, SRC, &h, &o, payload, sizeof payload);

    h.flags = SYNACK_TCP_ACK;
    lens[2] = wt_ipv4_tcp(pkts[2], 1600, SRC, DST, &h, NULL, payload, 1);

    struct synack_tcp_opts none = {.present = 0};
    lens[3] = wt_ipv4_tcp(pkts[3], 1600, SRC, DST, &h, &none, payload, 3);
    /* swap in 16 octets of options by hand: NOP MSS(odd) unknown(5) WS EOL */
    uint8_t opts[16];
    wt_hex(opts, sizeof opts, "01 02 04 05 b4 fd 05 01 02 03 03 03 09 00 00 00");
    memmove(pkts[3] + 56, pkts[3] + 40, 3);
    memcpy(pkts[3] + 40, opts, 16);
    pkts[3][32] = 0x90;
    lens[3] += 16;
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .src = SRC, .dst = DST};
    struct synack_wire_error err;
    synack_ipv4_build(pkts[3], 20, &ih, lens[3] - 20, &err);
    synack_tcp_checksum_set(pkts[3] + 20, lens[3] - 20, SRC, DST);
    return 4;
}

/* Every strict prefix of every IPv4 + TCP packet fails, from exact-size
 * heap copies; the whole packet parses at both layers. */
static void test_tcp_every_prefix_of_ipv4_tcp_packets_fails_cleanly(void **state)
{
    (void)state;
    static uint8_t pkts[4][1600];
    size_t lens[4];
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
                struct synack_tcp t;
                rc = synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &t, &err);
                assert_int_equal(rc, WIRE_OK);
            }
            free(p);
        }
    }
}

/* Every prefix of every TCP segment alone: the error its length implies,
 * or (without checksum) a shorter payload; never a read past the copy. */
static void test_tcp_every_prefix_of_a_segment_parses_cleanly(void **state)
{
    (void)state;
    static uint8_t pkts[4][1600];
    size_t lens[4];
    size_t count = truncation_packets(pkts, lens);
    for (size_t k = 0; k < count; k++) {
        const uint8_t *seg = pkts[k] + 20;
        size_t seglen = lens[k] - 20;
        size_t hlen = (seg[12] >> 4) * 4u;
        for (size_t n = 0; n <= seglen; n++) {
            uint8_t *p = wt_copy_exact(seg, n);
            struct synack_tcp t;
            struct synack_wire_error err = {WIRE_OK, 0};
            int rc = synack_tcp_parse(p, n, SRC, DST, WIRE_PARSE_NO_CHECKSUM, &t, &err);
            if (n < 20) {
                assert_wire_err(rc, err, WIRE_ETCP_TRUNCATED, n);
            } else if (n < hlen) {
                assert_wire_err(rc, err, WIRE_ETCP_DOFF_OVERRUN, 12);
            } else {
                assert_int_equal(rc, WIRE_OK);
                assert_int_equal(t.payload_len, n - hlen);
            }
            /* with the checksum: an error unless the segment is whole */
            rc = synack_tcp_parse(p, n, k == 1 ? DST : SRC, k == 1 ? SRC : DST, 0, &t, &err);
            assert_wire_clean(rc, err, n);
            if (n < seglen)
                assert_int_not_equal(rc, WIRE_OK);
            else
                assert_int_equal(rc, WIRE_OK);
            free(p);
        }
    }
}

/* Every prefix of every option space: a clean result, every option the
 * iterator yields inside the prefix. */
static void test_tcp_every_prefix_of_an_option_space_parses_cleanly(void **state)
{
    (void)state;
    static uint8_t pkts[4][1600];
    size_t lens[4];
    size_t count = truncation_packets(pkts, lens);
    for (size_t k = 0; k < count; k++) {
        const uint8_t *opts = pkts[k] + 40;
        size_t optlen = (pkts[k][32] >> 4) * 4u - 20;
        for (size_t n = 0; n <= optlen; n++) {
            uint8_t *p = wt_copy_exact(opts, n);
            struct synack_tcp_opts o;
            struct synack_wire_error err = {WIRE_OK, 0};
            int rc = synack_tcp_opts_parse(p, n, &o, &err);
            assert_wire_clean(rc, err, n);
            if (n == optlen)
                assert_int_equal(rc, WIRE_OK);
            size_t off = 0;
            struct synack_tcp_opt opt;
            int r;
            while ((r = synack_tcp_opt_next(p, n, &off, &opt, &err)) == 1)
                assert_true((size_t)opt.offset + opt.len <= n);
            assert_true(r == 0 || err.offset < n);
            free(p);
        }
    }
}

/* Random option spaces of every length from exact-size copies: the parser
 * gives a clean result and agrees with a walk of the iterator. */
static void test_tcp_random_option_spaces_parse_cleanly(void **state)
{
    (void)state;
    struct wt_rng r = {0x6464};
    uint8_t raw[40];
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = wt_rng_below(&r, 41);
        wt_rng_fill(&r, raw, n);
        /* bias towards plausible kinds and lengths */
        for (size_t i = 0; i < n; i++)
            if (wt_rng_below(&r, 2))
                raw[i] = (uint8_t)wt_rng_below(&r, 12);
        uint8_t *p = wt_copy_exact(raw, n);
        struct synack_tcp_opts o;
        struct synack_wire_error err = {WIRE_OK, 0};
        int rc = synack_tcp_opts_parse(p, n, &o, &err);
        assert_wire_clean(rc, err, n);
        if (rc == WIRE_OK)
            assert_in_range(o.sack_count, 0, SYNACK_SACK_MAX);
        free(p);
    }
}

/* ---- error texts (errors.c) ---------------------------------------------- */

static void test_wire_error_format_gives_the_message_and_the_offset(void **state)
{
    (void)state;
    char buf[128];
    struct synack_wire_error e = {WIRE_ETCP_OPTLEN_ZERO, 3};
    int n = synack_wire_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "tcp option: length 0 at offset 3");
    assert_int_equal(n, (int)strlen("tcp option: length 0 at offset 3"));

    /* from a real parse: the option's length octet in the segment */
    uint8_t seg[60];
    size_t len = segment_with_opts(seg, sizeof seg, "01 01 08 00");
    struct synack_tcp t;
    assert_int_equal(synack_tcp_parse(seg, len, SRC, DST, 0, &t, &e), WIRE_ETCP_OPTLEN_ZERO);
    synack_wire_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "tcp option: length 0 at offset 23");

    e.code = WIRE_EIP_CHECKSUM;
    e.offset = 10;
    synack_wire_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "ipv4: bad header checksum at offset 10");

    /* a short buffer is truncated and terminated; the length is still whole */
    char small[10];
    e.code = WIRE_ETCP_OPTLEN_ZERO;
    e.offset = 3;
    n = synack_wire_error_format(&e, small, sizeof small);
    assert_string_equal(small, "tcp optio");
    assert_int_equal(n, 32);
    /* an unknown code formats too */
    e.code = WIRE_ERR_COUNT;
    synack_wire_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "unknown error at offset 3");
}

static void test_wire_every_code_has_a_distinct_name_and_message(void **state)
{
    (void)state;
    for (int a = 0; a < WIRE_ERR_COUNT; a++) {
        const char *name = synack_wire_errname((enum synack_wire_err)a);
        const char *msg = synack_wire_strerror((enum synack_wire_err)a);
        assert_non_null(name);
        assert_non_null(msg);
        assert_int_equal(strncmp(name, "WIRE_", 5), 0);
        assert_true(strlen(msg) > 0);
        assert_string_not_equal(msg, "unknown error");
        for (int b = 0; b < a; b++) {
            assert_string_not_equal(name, synack_wire_errname((enum synack_wire_err)b));
            assert_string_not_equal(msg, synack_wire_strerror((enum synack_wire_err)b));
        }
    }
    assert_string_equal(synack_wire_errname(WIRE_ETCP_OPTLEN_ZERO), "WIRE_ETCP_OPTLEN_ZERO");
    assert_string_equal(synack_wire_errname(WIRE_EBUILD_FIELD), "WIRE_EBUILD_FIELD");
    assert_string_equal(synack_wire_strerror(WIRE_OK), "no error");
    assert_string_equal(synack_wire_strerror(WIRE_ERR_COUNT), "unknown error");
    assert_string_equal(synack_wire_errname(WIRE_ERR_COUNT), "WIRE_EUNKNOWN");
    assert_string_equal(synack_wire_strerror((enum synack_wire_err)-1), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_fewer_than_20_octets_is_truncated_at_the_end),
        cmocka_unit_test(test_tcp_segment_longer_than_65535_octets_is_rejected),
        cmocka_unit_test(test_tcp_data_offset_below_5_is_rejected_at_offset_12),
        cmocka_unit_test(test_tcp_data_offset_past_the_segment_is_rejected_at_offset_12),
        cmocka_unit_test(test_tcp_bad_checksum_is_rejected_at_offset_16),
        cmocka_unit_test(test_tcp_no_checksum_flag_accepts_a_bad_checksum),
        cmocka_unit_test(test_tcp_captured_syn_parses_every_field_and_option),
        cmocka_unit_test(test_tcp_build_reproduces_the_captured_syn_byte_for_byte),
        cmocka_unit_test(test_tcp_option_length_zero_is_rejected_at_its_offset),
        cmocka_unit_test(test_tcp_option_length_one_is_rejected_at_its_offset),
        cmocka_unit_test(test_tcp_option_length_past_the_end_is_rejected_at_its_offset),
        cmocka_unit_test(test_tcp_option_kind_as_the_last_octet_is_truncated_at_its_offset),
        cmocka_unit_test(test_tcp_known_kind_with_wrong_length_has_its_own_code),
        cmocka_unit_test(test_tcp_sack_with_five_blocks_is_rejected),
        cmocka_unit_test(test_tcp_eol_followed_by_garbage_parses_with_pad_nonzero),
        cmocka_unit_test(test_tcp_eol_followed_by_zeros_parses_without_pad_nonzero),
        cmocka_unit_test(test_tcp_option_iterator_ends_after_eol),
        cmocka_unit_test(test_tcp_option_iterator_reports_offsets_within_the_space),
        cmocka_unit_test(test_tcp_options_are_decoded_at_any_alignment),
        cmocka_unit_test(test_tcp_duplicate_options_first_wins_and_set_dup),
        cmocka_unit_test(test_tcp_mss_of_zero_parses_as_zero),
        cmocka_unit_test(test_tcp_wscale_15_and_above_parse_as_received),
        cmocka_unit_test(test_tcp_unknown_kinds_are_skipped_by_length_and_counted),
        cmocka_unit_test(test_tcp_build_with_more_than_40_option_octets_is_an_optspace_error),
        cmocka_unit_test(test_tcp_opts_build_over_40_octets_is_an_optspace_error),
        cmocka_unit_test(test_tcp_builders_report_a_short_buffer_as_a_space_error),
        cmocka_unit_test(test_tcp_opt_put_with_length_below_2_is_a_field_error_at_offset_1),
        cmocka_unit_test(test_tcp_opts_build_uses_the_linux_layout),
        cmocka_unit_test(test_tcp_opts_build_then_parse_round_trips_every_combination),
        cmocka_unit_test(test_tcp_segments_build_then_parse_give_the_same_fields),
        cmocka_unit_test(test_tcp_opt_put_lists_round_trip_through_iterator_and_parse),
        cmocka_unit_test(test_tcp_every_prefix_of_ipv4_tcp_packets_fails_cleanly),
        cmocka_unit_test(test_tcp_every_prefix_of_a_segment_parses_cleanly),
        cmocka_unit_test(test_tcp_every_prefix_of_an_option_space_parses_cleanly),
        cmocka_unit_test(test_tcp_random_option_spaces_parse_cleanly),
        cmocka_unit_test(test_wire_error_format_gives_the_message_and_the_offset),
        cmocka_unit_test(test_wire_every_code_has_a_distinct_name_and_message),
    };
    return cmocka_run_group_tests_name("wire_tcp", tests, NULL, NULL);
}

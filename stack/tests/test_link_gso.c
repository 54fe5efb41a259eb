/* Unit tests of segmentation in software (stack/link/gso.c): a TCP/IPv4
 * (and a TCP/IPv6) datagram in pieces, its checksum partial, cut into
 * segments as a NIC's TSO would cut it, each checked field by field and by
 * its checksums. */
#include <string.h>

#include "link/gso.h"
#include "support/wire_testutil.h"

#define SRC 0xc0000201u
#define DST 0xc6336402u

struct got {
    uint8_t seg[8][2000];
    size_t len[8];
    unsigned n;
};

static void keep(void *ctx, const uint8_t *seg, size_t len)
{
    struct got *g = ctx;
    assert_true(g->n < 8 && len <= sizeof g->seg[0]);
    memcpy(g->seg[g->n], seg, len);
    g->len[g->n++] = len;
}

/* A datagram: IPv4 header, TCP header with 12 octets of options, text. */
static size_t build(uint8_t *b, const uint8_t *text, size_t n, uint8_t flags)
{
    struct synack_ipv4 ip = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .id = 0xfffe, .src = SRC,
                             .dst = DST};
    static const uint8_t opts[12] = {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
    struct synack_tcp th = {.sport = 80, .dport = 40000, .seq = 0xfffffff0u, .ack = 77,
                            .flags = flags, .window = 1000};
    size_t hl = synack_tcp_build(b + 20, 100, &th, opts, sizeof opts, NULL);
    if (n)
        memcpy(b + 20 + hl, text, n);
    synack_ipv4_build(b, 20, &ip, hl + n, NULL);
    /* the partial checksum a stack with checksum offload leaves */
    uint32_t ps = synack_cksum_pseudo(SRC, DST, SYNACK_IPPROTO_TCP, (uint16_t)(hl + n));
    synack_put16(b + 36, (uint16_t)~synack_cksum_fold(ps));
    return 20 + hl + n;
}

static void test_gso_cuts_text_into_segments_with_their_headers(void **state)
{
    (void)state;
    static uint8_t text[3001], dgram[4000], buf[GSO_SEG_MAX];
    struct wt_rng r = {9};
    wt_rng_fill(&r, text, sizeof text);
    size_t len = build(dgram, text, sizeof text,
                       SYNACK_TCP_ACK | SYNACK_TCP_PSH | SYNACK_TCP_FIN | SYNACK_TCP_CWR);
    /* in pieces as the stack hands them: headers, then the text at an odd cut */
    struct synack_pkt p = {.iov = {{dgram, 52}, {dgram + 52, 777}, {dgram + 829, len - 829}},
                           .niov = 3, .len = len,
                           .flags = SYNACK_PKT_CSUM_PARTIAL | SYNACK_PKT_GSO,
                           .csum_start = 20, .csum_offset = 16, .gso_size = 1000};
    struct got g = {.n = 0};
    assert_int_equal(gso_segment(&p, buf, keep, &g), 4);
    assert_int_equal(g.n, 4);
    size_t off = 0;
    for (unsigned k = 0; k < 4; k++) {
        struct synack_ipv4 ip;
        struct synack_tcp th;
        assert_int_equal(synack_ipv4_parse(g.seg[k], g.len[k], 0, &ip, NULL), WIRE_OK);
        assert_int_equal(ip.id, (uint16_t)(0xfffe + k)); /* counting up, wrapping */
        assert_int_equal(synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th,
                                          NULL), WIRE_OK); /* the checksum verifies */
        size_t want = k < 3 ? 1000 : 1;
        assert_int_equal(th.payload_len, want);
        assert_int_equal(th.seq, 0xfffffff0u + (uint32_t)off);
        assert_int_equal(th.ack, 77);
        assert_int_equal(th.options_len, 12);
        uint8_t f = SYNACK_TCP_ACK | (k == 0 ? SYNACK_TCP_CWR : 0) |
                    (k == 3 ? SYNACK_TCP_PSH | SYNACK_TCP_FIN : 0);
        assert_int_equal(th.flags, f);
        assert_memory_equal(th.payload, text + off, want);
        off += want;
    }
}

/* Without GSO the datagram is one segment: the partial checksum is made
 * whole and nothing else changes. Not TCP: refused, nothing sent. */
static void test_gso_completes_one_segment_and_refuses_what_it_cannot_cut(void **state)
{
    (void)state;
    static uint8_t dgram[200], buf[GSO_SEG_MAX];
    size_t len = build(dgram, (const uint8_t *)"abcdefg", 7, SYNACK_TCP_ACK | SYNACK_TCP_PSH);
    struct synack_pkt p = gso_whole(dgram, len);
    p.flags = SYNACK_PKT_CSUM_PARTIAL;
    struct got g = {.n = 0};
    assert_int_equal(gso_segment(&p, buf, keep, &g), 1);
    assert_int_equal(g.len[0], len);
    assert_true(synack_tcp_checksum_ok(g.seg[0] + 20, len - 20, SRC, DST));
    assert_memory_equal(g.seg[0], dgram, 36); /* all but the checksum as it was */
    assert_memory_equal(g.seg[0] + 38, dgram + 38, len - 38);
    /* an empty segment (a pure ACK) is one segment too */
    len = build(dgram, NULL, 0, SYNACK_TCP_ACK);
    p = gso_whole(dgram, len);
    assert_int_equal(gso_segment(&p, buf, keep, &g), 1);
    assert_true(synack_tcp_checksum_ok(g.seg[1] + 20, len - 20, SRC, DST));
    dgram[9] = SYNACK_IPPROTO_ICMP;
    assert_int_equal(gso_segment(&p, buf, keep, &g), -1);
    dgram[9] = SYNACK_IPPROTO_TCP;
    dgram[0] = 0x65; /* version 6 */
    assert_int_equal(gso_segment(&p, buf, keep, &g), -1);
    dgram[0] = 0x45;
    p.len = 39; /* shorter than the headers */
    assert_int_equal(gso_segment(&p, buf, keep, &g), -1);
    assert_int_equal(g.n, 2);
}

/* IPv6 (TSO6): the payload length of each segment, the TCP checksum over
 * IPv6's pseudo-header, no identification to count. */
static void test_gso_cuts_ipv6(void **state)
{
    (void)state;
    static uint8_t text[2500], dgram[3000], buf[GSO_SEG_MAX];
    struct wt_rng r = {5};
    wt_rng_fill(&r, text, sizeof text);
    struct synack_ipv6 ip = {.hop_limit = 64, .next = SYNACK_IPPROTO_TCP, .tclass = 2};
    ip.src[0] = ip.dst[0] = 0x20, ip.src[1] = ip.dst[1] = 0x01;
    ip.src[15] = 1, ip.dst[15] = 2;
    struct synack_tcp th = {.sport = 80, .dport = 40000, .seq = 1000, .ack = 77,
                            .flags = SYNACK_TCP_ACK | SYNACK_TCP_PSH, .window = 1000};
    size_t hl = synack_tcp_build(dgram + 40, 100, &th, NULL, 0, NULL);
    memcpy(dgram + 40 + hl, text, sizeof text);
    synack_ipv6_build(dgram, 40, &ip, hl + sizeof text, NULL);
    uint32_t ps = synack_cksum_pseudo6(ip.src, ip.dst, SYNACK_IPPROTO_TCP,
                                       (uint32_t)(hl + sizeof text));
    synack_put16(dgram + 56, (uint16_t)~synack_cksum_fold(ps));
    size_t len = 40 + hl + sizeof text;
    struct synack_pkt p = {.iov = {{dgram, 60}, {dgram + 60, len - 60}}, .niov = 2, .len = len,
                           .flags = SYNACK_PKT_CSUM_PARTIAL | SYNACK_PKT_GSO,
                           .csum_start = 40, .csum_offset = 16, .gso_size = 1220};
    struct got g = {.n = 0};
    assert_int_equal(gso_segment(&p, buf, keep, &g), 3);
    size_t off = 0;
    for (unsigned k = 0; k < 3; k++) {
        struct synack_ipv6 v;
        struct synack_tcp t;
        assert_int_equal(synack_ipv6_parse(g.seg[k], g.len[k], 0, &v, NULL), WIRE_OK);
        assert_int_equal(v.plen, g.len[k] - 40);
        assert_int_equal(v.tclass, 2);
        assert_int_equal(synack_tcp_parse6(v.payload, v.payload_len, v.src, v.dst, 0, &t, NULL),
                         WIRE_OK); /* the checksum verifies */
        size_t want = k < 2 ? 1220 : 60;
        assert_int_equal(t.payload_len, want);
        assert_int_equal(t.seq, 1000 + (uint32_t)off);
        assert_int_equal(t.flags, SYNACK_TCP_ACK | (k == 2 ? SYNACK_TCP_PSH : 0));
        assert_memory_equal(t.payload, text + off, want);
        off += want;
    }
    dgram[6] = SYNACK_IPPROTO_DSTOPTS; /* an extension header: not cut */
    assert_int_equal(gso_segment(&p, buf, keep, &g), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gso_cuts_text_into_segments_with_their_headers),
        cmocka_unit_test(test_gso_completes_one_segment_and_refuses_what_it_cannot_cut),
        cmocka_unit_test(test_gso_cuts_ipv6),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

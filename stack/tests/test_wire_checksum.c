/* Unit tests of the Internet checksum (stack/wire/checksum.c): RFC 1071
 * known values, odd lengths, split and unaligned sums, the TCP
 * pseudo-header, and RFC 1624 incremental update against recomputation. */
#include <string.h>

#include "support/wire_testutil.h"

/* Reference: RFC 1071 section 1 written the slow, obvious way (16-bit
 * big-endian words, odd octet padded with zero, carries folded at the end). */
static uint16_t ref_checksum(const uint8_t *p, size_t len, uint32_t start)
{
    uint64_t s = start;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        s += (uint32_t)p[len - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

static void test_cksum_rfc1071_section3_example_sums_to_ddf2_checksum_220d(void **state)
{
    (void)state;
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    uint32_t sum = synack_cksum_add(0, b, sizeof b);
    assert_int_equal(synack_cksum_fold(sum), 0x220d);
    assert_int_equal((uint16_t)~synack_cksum_fold(sum), 0xddf2);
    /* the RFC's unfolded 2ddf0 folds the same way */
    assert_int_equal(synack_cksum_fold(0x2ddf0), 0x220d);
}

static void test_cksum_real_ipv4_header_verifies_and_recomputes_to_b861(void **state)
{
    (void)state;
    uint8_t h[20];
    wt_hex(h, sizeof h, "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7");
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, h, sizeof h)), 0);
    h[10] = h[11] = 0;
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, h, sizeof h)), 0xb861);
}

/* wt_syn_hex (support/wire_testutil.c): a SYN whose checksums were derived
 * with python3 and confirmed by tshark, independently of synack. */
static void test_cksum_tcp_syn_with_pseudo_header_is_d511(void **state)
{
    (void)state;
    uint8_t p[60];
    assert_int_equal(wt_hex(p, sizeof p, wt_syn_hex), 60);
    uint8_t *seg = p + 20;
    assert_true(synack_tcp_checksum_ok(seg, 40, WT_SYN_SRC, WT_SYN_DST));
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, p, 20)), 0);

    /* recompute by hand: pseudo-header sum, then the segment */
    seg[16] = seg[17] = 0;
    uint32_t sum = synack_cksum_pseudo(WT_SYN_SRC, WT_SYN_DST, SYNACK_IPPROTO_TCP, 40);
    assert_int_equal(synack_cksum_fold(synack_cksum_add(sum, seg, 40)), 0xd511);
    /* and through the setter */
    synack_tcp_checksum_set(seg, 40, WT_SYN_SRC, WT_SYN_DST);
    assert_int_equal(synack_get16(seg + 16), 0xd511);
    /* the wrong addresses do not verify */
    assert_false(synack_tcp_checksum_ok(seg, 40, WT_SYN_SRC + 1, WT_SYN_DST));
    assert_false(synack_tcp_checksum_ok(seg, 40, WT_SYN_DST, WT_SYN_SRC + 0x100));
}

static void test_cksum_pseudo_header_sums_addresses_protocol_and_length(void **state)
{
    (void)state;
    uint32_t s = synack_cksum_pseudo(WT_SYN_SRC, WT_SYN_DST, SYNACK_IPPROTO_TCP, 40);
    assert_int_equal(s, 0xc000u + 0x0201u + 0xc633u + 0x6402u + 6u + 40u);
    /* the same as summing the 12-octet pseudo-header bytes */
    static const uint8_t ph[12] = {192, 0, 2, 1, 198, 51, 100, 2, 0, 6, 0, 40};
    assert_int_equal(synack_cksum_fold(s), synack_cksum_fold(synack_cksum_add(0, ph, 12)));
}

static void test_cksum_odd_length_pads_the_last_octet_with_zero(void **state)
{
    (void)state;
    static const uint8_t one[] = {0xab};
    static const uint8_t three[] = {0x01, 0x02, 0x03};
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, one, 1)), (uint16_t)~0xab00);
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, three, 3)), (uint16_t)~0x0402);
    /* nothing summed: the sum is zero, the checksum all ones */
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, three, 0)), 0xffff);
    /* every odd length up to 99, against the reference */
    struct wt_rng r = {1071};
    uint8_t b[99];
    wt_rng_fill(&r, b, sizeof b);
    for (size_t n = 1; n <= sizeof b; n += 2)
        assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b, n)), ref_checksum(b, n, 0));
}

static void test_cksum_fold_propagates_carries_end_around(void **state)
{
    (void)state;
    assert_int_equal(synack_cksum_fold(0), 0xffff);
    assert_int_equal(synack_cksum_fold(0xffff), 0x0000);
    assert_int_equal(synack_cksum_fold(0x1fffe), 0x0000); /* ffff + ffff */
    assert_int_equal(synack_cksum_fold(0x10000), 0xfffe); /* carry of 1 */
    assert_int_equal(synack_cksum_fold(0xffffffffu), 0x0000);
    assert_int_equal(synack_cksum_fold(0x12345678u), (uint16_t)~(0x1234 + 0x5678));
}

static void test_cksum_matches_reference_for_random_buffers_of_every_length(void **state)
{
    (void)state;
    struct wt_rng r = {0x5eed};
    uint8_t b[300];
    for (int iter = 0; iter < 20; iter++) {
        wt_rng_fill(&r, b, sizeof b);
        for (size_t n = 0; n <= sizeof b; n++)
            assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b, n)), ref_checksum(b, n, 0));
    }
    /* all ones: every word is ffff, the sum must stay "negative zero" */
    memset(b, 0xff, sizeof b);
    for (size_t n = 2; n <= sizeof b; n += 2)
        assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b, n)), 0x0000);
}

static void test_cksum_of_unaligned_data_equals_aligned(void **state)
{
    (void)state;
    struct wt_rng r = {7};
    _Alignas(16) uint8_t src[200];
    _Alignas(16) uint8_t shifted[216];
    wt_rng_fill(&r, src, sizeof src);
    uint16_t want = synack_cksum_fold(synack_cksum_add(0, src, sizeof src));
    for (size_t a = 0; a < 16; a++) {
        memcpy(shifted + a, src, sizeof src);
        assert_int_equal(synack_cksum_fold(synack_cksum_add(0, shifted + a, sizeof src)), want);
    }
}

static void test_cksum_split_into_even_pieces_equals_one_call(void **state)
{
    (void)state;
    struct wt_rng r = {0x1624};
    uint8_t b[257];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = wt_rng_below(&r, sizeof b + 1);
        wt_rng_fill(&r, b, n);
        uint16_t whole = synack_cksum_fold(synack_cksum_add(0, b, n));
        /* cut at random even offsets; only the last piece may be odd */
        uint32_t sum = 0;
        size_t off = 0;
        while (off < n) {
            size_t piece = 2 * wt_rng_below(&r, 40);
            if (piece > n - off)
                piece = n - off;
            sum = synack_cksum_add(sum, b + off, piece);
            off += piece;
        }
        assert_int_equal(synack_cksum_fold(sum), whole);
    }
}

/* The wide paths (AVX2, AVX-512 where the CPU has them: 64 and 128 octets
 * a turn, from 128 and 256 octets) and the copy in one pass: long data of
 * every length class, at every alignment, against the reference. */
static void test_cksum_long_data_at_any_alignment_equals_reference(void **state)
{
    (void)state;
    struct wt_rng r = {0x4f1d};
    static uint8_t b[70000 + 64];
    wt_rng_fill(&r, b, sizeof b);
    static const size_t lens[] = {127, 128, 129, 255, 256, 257, 383, 1460, 1461, 9000,
                                  65495, 65535, 70000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        for (size_t a = 0; a < 64; a += 7)
            assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b + a, lens[i])),
                             ref_checksum(b + a, lens[i], 0));
    /* all ones in every lane: the sums of the lanes must not wrap */
    memset(b, 0xff, sizeof b);
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b, 65536)), 0x0000);
}

static void test_cksum_copy_copies_and_sums_in_one_pass(void **state)
{
    (void)state;
    struct wt_rng r = {0x1071};
    static uint8_t src[66000], dst[66000 + 2];
    wt_rng_fill(&r, src, sizeof src);
    for (int iter = 0; iter < 300; iter++) {
        size_t n = iter < 100 ? wt_rng_below(&r, 600) : wt_rng_below(&r, sizeof src);
        size_t a = wt_rng_below(&r, 2); /* the destination's alignment too */
        memset(dst, 0xa5, sizeof dst);
        uint32_t sum = synack_cksum_copy(5, dst + a, src, n, 0);
        assert_memory_equal(dst + a, src, n);
        assert_int_equal(dst[a + n], 0xa5); /* not a octet more */
        assert_int_equal(synack_cksum_fold(sum), ref_checksum(src, n, 5));
    }
}

/* A ring's two halves: the second starts wherever the first ends, odd
 * offsets included; `at` says where, and the whole comes out right. */
static void test_cksum_copy_of_pieces_at_odd_offsets_equals_one_call(void **state)
{
    (void)state;
    struct wt_rng r = {0x2b};
    static uint8_t src[3000], dst[3000];
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = wt_rng_below(&r, sizeof src + 1);
        wt_rng_fill(&r, src, n);
        uint32_t sum = 0;
        size_t off = 0;
        while (off < n) {
            size_t piece = wt_rng_below(&r, 700);
            if (piece > n - off)
                piece = n - off;
            sum = synack_cksum_copy(sum, dst + off, src + off, piece, off);
            off += piece;
        }
        assert_memory_equal(dst, src, n);
        assert_int_equal(synack_cksum_fold(sum), ref_checksum(src, n, 0));
    }
}

/* RFC 1624 section 3: eqn. 2 would give ffff ("negative zero") where a
 * full recomputation gives 0000; eqn. 3 must give 0000. */
static void test_cksum_update16_gives_0000_not_ffff_when_the_new_sum_is_ffff(void **state)
{
    (void)state;
    uint8_t b[4] = {0x55, 0x55, 0x00, 0x00}; /* a word, then the checksum field */
    uint16_t hc = synack_cksum_fold(synack_cksum_add(0, b, 4));
    assert_int_equal(hc, 0xaaaa);
    uint16_t upd = synack_cksum_update16(hc, 0x5555, 0xffff);
    b[0] = b[1] = 0xff;
    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, b, 4)), 0x0000);
    assert_int_equal(upd, 0x0000);
}

/* A random header-like buffer with its checksum at offset 10 (as IPv4). */
static uint16_t cksum_with_field_zero(uint8_t *b, size_t len)
{
    b[10] = b[11] = 0;
    return synack_cksum_fold(synack_cksum_add(0, b, len));
}

static void test_cksum_update16_equals_full_recompute_for_random_changes(void **state)
{
    (void)state;
    struct wt_rng r = {0xc0ffee};
    uint8_t b[60];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 20 + 2 * wt_rng_below(&r, 21);
        wt_rng_fill(&r, b, len);
        uint16_t hc = cksum_with_field_zero(b, len);
        /* change 1..4 random 16-bit fields other than the checksum */
        unsigned changes = 1 + wt_rng_below(&r, 4);
        for (unsigned c = 0; c < changes; c++) {
            size_t at;
            do
                at = 2 * wt_rng_below(&r, (uint32_t)len / 2);
            while (at == 10);
            uint16_t old = synack_get16(b + at);
            uint16_t nv = (uint16_t)wt_rng_next(&r);
            if (iter % 7 == 0)
                nv = (uint16_t)~old; /* the largest possible change */
            synack_put16(b + at, nv);
            hc = synack_cksum_update16(hc, old, nv);
        }
        assert_int_equal(hc, cksum_with_field_zero(b, len));
    }
}

static void test_cksum_update32_equals_full_recompute_for_random_changes(void **state)
{
    (void)state;
    struct wt_rng r = {0xfeedface};
    uint8_t b[60];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 20 + 4 * wt_rng_below(&r, 11);
        wt_rng_fill(&r, b, len);
        uint16_t hc = cksum_with_field_zero(b, len);
        size_t at;
        do /* a 32-bit field at any even offset that misses the checksum */
            at = 2 * wt_rng_below(&r, (uint32_t)(len - 2) / 2);
        while (at == 8 || at == 10);
        uint32_t old = synack_get32(b + at);
        uint32_t nv = (uint32_t)wt_rng_next(&r);
        synack_put32(b + at, nv);
        assert_int_equal(synack_cksum_update32(hc, old, nv), cksum_with_field_zero(b, len));
    }
}

/* NAT-style rewrite of the SYN's source address and port: both checksums
 * updated incrementally must verify, and equal a full recomputation. */
static void test_cksum_incremental_nat_rewrite_of_syn_still_verifies(void **state)
{
    (void)state;
    uint8_t p[60];
    wt_hex(p, sizeof p, wt_syn_hex);
    uint8_t *seg = p + 20;
    uint32_t new_src = 0xc0000263u; /* 192.0.2.99 */
    uint16_t new_port = 61000;

    uint16_t ipck = synack_cksum_update32(synack_get16(p + 10), WT_SYN_SRC, new_src);
    uint16_t tcpck = synack_cksum_update32(synack_get16(seg + 16), WT_SYN_SRC, new_src);
    tcpck = synack_cksum_update16(tcpck, synack_get16(seg), new_port);
    synack_put32(p + 12, new_src);
    synack_put16(p + 10, ipck);
    synack_put16(seg, new_port);
    synack_put16(seg + 16, tcpck);

    assert_int_equal(synack_cksum_fold(synack_cksum_add(0, p, 20)), 0);
    assert_true(synack_tcp_checksum_ok(seg, 40, new_src, WT_SYN_DST));
    synack_tcp_checksum_set(seg, 40, new_src, WT_SYN_DST);
    assert_int_equal(synack_get16(seg + 16), tcpck);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cksum_rfc1071_section3_example_sums_to_ddf2_checksum_220d),
        cmocka_unit_test(test_cksum_real_ipv4_header_verifies_and_recomputes_to_b861),
        cmocka_unit_test(test_cksum_tcp_syn_with_pseudo_header_is_d511),
        cmocka_unit_test(test_cksum_pseudo_header_sums_addresses_protocol_and_length),
        cmocka_unit_test(test_cksum_odd_length_pads_the_last_octet_with_zero),
        cmocka_unit_test(test_cksum_fold_propagates_carries_end_around),
        cmocka_unit_test(test_cksum_matches_reference_for_random_buffers_of_every_length),
        cmocka_unit_test(test_cksum_of_unaligned_data_equals_aligned),
        cmocka_unit_test(test_cksum_long_data_at_any_alignment_equals_reference),
        cmocka_unit_test(test_cksum_copy_copies_and_sums_in_one_pass),
        cmocka_unit_test(test_cksum_copy_of_pieces_at_odd_offsets_equals_one_call),
        cmocka_unit_test(test_cksum_split_into_even_pieces_equals_one_call),
        cmocka_unit_test(test_cksum_update16_gives_0000_not_ffff_when_the_new_sum_is_ffff),
        cmocka_unit_test(test_cksum_update16_equals_full_recompute_for_random_changes),
        cmocka_unit_test(test_cksum_update32_equals_full_recompute_for_random_changes),
        cmocka_unit_test(test_cksum_incremental_nat_rewrite_of_syn_still_verifies),
    };
    return cmocka_run_group_tests_name("wire_checksum", tests, NULL, NULL);
}

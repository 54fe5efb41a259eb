/* IPv4 reassembly (stack/ip/ip_reasm.c) through the stack's input path:
 * fragments of a peer's TCP segment in any order become the segment
 * (RFC 1122 3.3.2); overlaps, oversize, tiny first fragments and bad
 * fragments drop the datagram, counted; the timeout answers with ICMP time
 * exceeded when the first fragment came; the limits hold under a flood of
 * incomplete datagrams while a legitimate one still gets through. */
#include <stdlib.h>
#include <string.h>

#include "support/conn.h"

#define DGRAM_MAX 65535u

/* The whole datagram of a peer segment: flags, relative seq/ack, len
 * octets of data (a pattern, or the pattern xor `mix`). */
struct dgram {
    uint8_t *b;
    size_t len;
};

static uint8_t pattern(size_t i, uint8_t mix)
{
    return (uint8_t)((i * 7 + 3) ^ mix);
}

static struct dgram peer_segment(struct probe *p, uint8_t flags, size_t len, uint8_t mix)
{
    struct dgram d = {malloc(DGRAM_MAX), 0};
    uint8_t *data = malloc(len ? len : 1);
    assert_non_null(d.b);
    assert_non_null(data);
    for (size_t i = 0; i < len; i++)
        data[i] = pattern(i, mix);
    d.len = probe_build_tcp(d.b, DGRAM_MAX, p->peer_addr, p->cfg.addr, p->peer_port, p->port,
                            flags, p->peer_isn + p->pseq, p->stack_isn + p->pack, 65535, NULL,
                            data, len);
    free(data);
    return d;
}

/* Inject payload octets [off, end) of d as a fragment with id and MF. */
static void frag_id(struct probe *p, const struct dgram *d, size_t off, size_t end, bool mf,
                    uint16_t id)
{
    size_t n = end - off;
    uint8_t *f = malloc(20 + n);
    assert_non_null(f);
    memcpy(f, d->b, 20);
    memcpy(f + 20, d->b + 20 + off, n);
    synack_put16(f + 2, (uint16_t)(20 + n));
    synack_put16(f + 4, id);
    synack_put16(f + 6, (uint16_t)((mf ? SYNACK_IP_MF : 0) | (off / 8)));
    synack_put16(f + 10, 0);
    synack_put16(f + 10, synack_cksum_fold(synack_cksum_add(0, f, 20)));
    probe_inject_raw(p, f, 20 + n);
    free(f);
}

static void frag(struct probe *p, const struct dgram *d, size_t off, size_t end, bool mf)
{
    frag_id(p, d, off, end, mf, 77);
}

/* Payload octets [off, end), the last fragment when end is the whole. */
static void frag_auto(struct probe *p, const struct dgram *d, size_t off, size_t end)
{
    frag(p, d, off, end, end < d->len - 20);
}

static void expect_data_acked(struct probe *p, size_t len, uint8_t mix)
{
    probe_expect(p, ACK, p->pack, p->pseq + len);
    uint8_t *got = malloc(len);
    assert_non_null(got);
    assert_int_equal(synack_socket_recv(p->st, p->sd, got, len, 0, p->now), (ssize_t)len);
    for (size_t i = 0; i < len; i++)
        assert_int_equal(got[i], pattern(i, mix));
    free(got);
    p->pseq += (uint32_t)len;
}

/* ---- whole datagrams ---- */

static void test_in_order_fragments_are_reassembled(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    probe_expect_none(p);
    frag_auto(p, &d, 512, 1020);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    assert_int_equal(CNT(p, ip_frag_in), 2);
    probe_advance(p, 300 * MSEC); /* the delayed ACK */
    expect_data_acked(p, 1000, 0);
    assert_int_equal(probe_deadline_in(p), SYNACK_TIME_NEVER);
    free(d.b);
}

static void test_out_of_order_fragments_are_reassembled(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1400, 0);
    frag_auto(p, &d, 960, 1420); /* the last first */
    frag_auto(p, &d, 480, 960);
    frag_auto(p, &d, 0, 480);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 1400, 0);
    free(d.b);
}

/* RFC 8200 4.5 (applied to IPv4): an exact duplicate is dropped, the
 * datagram kept. */
static void test_duplicate_fragment_is_dropped_datagram_kept(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &d, 256, 512); /* inside what came, same octets */
    assert_int_equal(CNT(p, ip_reasm_dup), 2);
    frag_auto(p, &d, 512, 1020);
    frag_auto(p, &d, 512, 1020); /* after delivery: a new datagram, never complete */
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 1000, 0);
    free(d.b);
}

/* The largest datagram IPv4 carries, in 4096-octet fragments, last first. */
static void test_largest_datagram_is_reassembled(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 65535 - 40, 0);
    assert_int_equal(d.len, 65535);
    size_t pl = d.len - 20;
    for (size_t k = (pl - 1) / 4096 + 1; k-- > 0;)
        frag_auto(p, &d, k * 4096, k * 4096 + 4096 < pl ? k * 4096 + 4096 : pl);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 65535 - 40, 0);
    free(d.b);
}

/* ---- dropped datagrams ---- */

/* RFC 5722 4, applied to IPv4: an overlap drops the whole datagram, and its
 * fragments still to come; another datagram is unaffected. */
static void test_overlap_drops_whole_datagram(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &d, 504, 1020); /* 8 octets twice */
    assert_int_equal(CNT(p, ip_reasm_drop_overlap), 1);
    frag_auto(p, &d, 512, 1020); /* the right one, too late */
    assert_int_equal(CNT(p, ip_reasm_drop_dead), 1);
    assert_int_equal(CNT(p, ip_reasm_ok), 0);
    probe_advance(p, 300 * MSEC);
    probe_expect_none(p);
    frag_id(p, &d, 0, 512, true, 78); /* a new id: reassembled */
    frag_id(p, &d, 512, 1020, false, 78);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 1000, 0);
    free(d.b);
}

/* Same range, other octets: not a duplicate but the teardrop's cousin. */
static void test_rewritten_fragment_drops_whole_datagram(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    struct dgram e = peer_segment(p, ACK | PSH, 1000, 0x55);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &e, 0, 512);
    frag_auto(p, &d, 512, 1020);
    assert_int_equal(CNT(p, ip_reasm_drop_overlap), 1);
    assert_int_equal(CNT(p, ip_reasm_ok), 0);
    probe_advance(p, 300 * MSEC);
    probe_expect_none(p);
    free(d.b);
    free(e.b);
}

/* The ping of death: offset + length past 65535 octets. */
static void test_datagram_past_65535_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    uint8_t f[20 + 40];
    memcpy(f, d.b, 20);
    memset(f + 20, 0, 40);
    synack_put16(f + 2, sizeof f);
    synack_put16(f + 6, 65512 / 8); /* ends at 65552 + 20 */
    synack_put16(f + 10, 0);
    synack_put16(f + 10, synack_cksum_fold(synack_cksum_add(0, f, 20)));
    probe_inject_raw(p, f, sizeof f);
    assert_int_equal(CNT(p, ip_reasm_drop_oversize), 1);
    probe_advance(p, 300 * MSEC);
    probe_expect_none(p);
    free(d.b);
}

/* EMTU_R configured at 576 (RFC 1122 3.3.2's floor): a 1040-octet datagram
 * is dropped, a 576-octet one reassembled. */
static void test_datagram_past_emtu_r_is_dropped(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.reasm_dgram_max = 576;
    conn_reinit(p, &c);
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &d, 512, 1020);
    assert_int_equal(CNT(p, ip_reasm_drop_too_big), 1);
    free(d.b);
    d = peer_segment(p, ACK | PSH, 576 - 40, 0);
    frag_id(p, &d, 0, 256, true, 79);
    frag_id(p, &d, 256, 556, false, 79);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 576 - 40, 0);
    free(d.b);
}

/* RFC 1858 3, RFC 3128: a first fragment that cuts the TCP header (here
 * 8 octets: ports and sequence number only; then 16: the flags, but not
 * the whole header; then 24 of a header with 4 octets of options). */
static void test_tiny_first_fragment_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 8);
    assert_int_equal(CNT(p, ip_reasm_drop_tiny), 1);
    frag_auto(p, &d, 8, 1020);
    assert_int_equal(CNT(p, ip_reasm_drop_dead), 1);
    frag_id(p, &d, 0, 16, true, 81);
    assert_int_equal(CNT(p, ip_reasm_drop_tiny), 2);
    d.b[20 + 12] = 6 << 4; /* data offset 6: 24 octets of header */
    frag_id(p, &d, 0, 24, true, 82);
    assert_int_equal(CNT(p, ip_reasm_drop_tiny), 2);
    frag_id(p, &d, 0, 16, true, 83);
    assert_int_equal(CNT(p, ip_reasm_drop_tiny), 3);
    assert_int_equal(CNT(p, ip_reasm_ok), 0);
    probe_advance(p, 300 * MSEC);
    probe_expect_none(p);
    free(d.b);
}

/* Fragments must agree on the end; every fragment but the last is made of
 * 8-octet units, and none is empty (RFC 791 3.2). */
static void test_inconsistent_and_malformed_fragments(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag(p, &d, 512, 1020, false);
    frag(p, &d, 256, 1016, false); /* a second last fragment, elsewhere */
    assert_int_equal(CNT(p, ip_reasm_drop_inconsistent), 1);
    frag_id(p, &d, 512, 800, false, 90);
    frag_id(p, &d, 0, 1016, true, 90); /* more to come, past that end */
    assert_int_equal(CNT(p, ip_reasm_drop_inconsistent), 2);
    frag_id(p, &d, 0, 500, true, 91); /* 500 is not a multiple of 8 */
    frag_id(p, &d, 512, 512, true, 91); /* empty */
    assert_int_equal(CNT(p, ip_reasm_drop_malformed), 2);
    assert_int_equal(CNT(p, ip_reasm_ok), 0);
    free(d.b);
}

/* More disjoint pieces than a datagram may hold (IP_REASM_RUNS). */
static void test_scattered_datagram_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1400, 0);
    for (size_t off = 16; off < 1400; off += 16)
        frag(p, &d, off, off + 8, true); /* every other 8 octets */
    assert_int_equal(CNT(p, ip_reasm_drop_scattered), 1);
    assert_int_equal(CNT(p, ip_reasm_ok), 0);
    free(d.b);
}

/* ---- timeout (RFC 1122 3.3.2) ---- */

static void test_timeout_sends_time_exceeded_when_first_came(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    uint64_t t0 = p->now;
    frag_auto(p, &d, 0, 512);
    assert_int_equal(probe_deadline_in(p), 60 * SEC);
    probe_advance(p, 60 * SEC - 1);
    probe_expect_none(p);
    probe_advance(p, 1);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(k->when, t0 + 60 * SEC);
    assert_int_equal(k->icmp.type, ICMP_TIME_EXCEEDED);
    assert_int_equal(k->icmp.code, ICMP_TIMXCEED_REASS);
    assert_int_equal(k->ip.dst, PROBE_PEER);
    /* the first fragment's header and 8 octets: ports, sequence number */
    assert_int_equal(k->icmp.data_len, 28);
    assert_memory_equal(k->icmp.data + 12, d.b + 12, 8);
    assert_memory_equal(k->icmp.data + 20, d.b + 20, 8);
    assert_int_equal(synack_get16(k->icmp.data + 6), SYNACK_IP_MF);
    assert_int_equal(CNT(p, ip_reasm_timeout), 1);
    probe_expect_none(p);
    /* the last fragment alone: discarded at the timeout, no ICMP */
    frag_auto(p, &d, 512, 1020);
    probe_advance(p, 61 * SEC);
    assert_int_equal(CNT(p, ip_reasm_timeout), 2);
    probe_expect_none(p);
    assert_int_equal(probe_deadline_in(p), SYNACK_TIME_NEVER);
    free(d.b);
}

/* The connection does not notice: the peer's retransmission (here as one
 * datagram) is taken. */
static void test_timeout_then_retransmission(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.reasm_timeout = 120 * SEC;
    conn_reinit(p, &c);
    probe_goto_established(p);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 512, 1020);
    assert_int_equal(probe_deadline_in(p), 120 * SEC);
    probe_advance(p, 120 * SEC);
    probe_expect_none(p); /* no first fragment: nothing to quote */
    probe_inject_raw(p, d.b, d.len);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 1000, 0);
    free(d.b);
}

/* ---- limits ---- */

/* A flood of incomplete datagrams (all first fragments, other ids) fills
 * the table and the memory; the oldest give way, so a datagram sent whole
 * is still reassembled, and no more than the budget is ever held. */
static void test_flood_of_partial_datagrams_leaves_room(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.reasm_max = 16;
    c.reasm_mem_max = 65535 + 60 + 8 * 1024;
    conn_reinit(p, &c);
    probe_goto_established(p);
    struct dgram big = peer_segment(p, ACK | PSH, 1400, 0);
    for (uint16_t id = 1000; id < 1400; id++) {
        frag_id(p, &big, 0, 8 * 100, true, id);
        frag_id(p, &big, 8 * 120, 8 * 130, true, id);
    }
    assert_true(CNT(p, ip_reasm_evicted) >= 400 - 16);
    struct dgram d = peer_segment(p, ACK | PSH, 1000, 0);
    frag_auto(p, &d, 0, 512);
    frag_auto(p, &d, 512, 1020);
    assert_int_equal(CNT(p, ip_reasm_ok), 1);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 1000, 0);
    /* a datagram longer than the budget left while one big one is held */
    struct dgram huge = peer_segment(p, ACK | PSH, 60000, 0);
    frag_id(p, &huge, 0, 8 * 1000, true, 2000);
    frag_id(p, &huge, 8 * 7000, 60020, false, 2000); /* the partial ones give way */
    frag_id(p, &huge, 8 * 1000, 8 * 7000, true, 2000);
    assert_int_equal(CNT(p, ip_reasm_ok), 2);
    probe_advance(p, 300 * MSEC);
    expect_data_acked(p, 60000, 0);
    free(big.b);
    free(d.b);
    free(huge.b);
}

/* ---- other protocols ---- */

/* An echo request in two fragments is answered (RFC 1122 3.2.2.6). */
static void test_fragmented_echo_request_is_answered(void **state)
{
    struct probe *p = *state;
    uint8_t b[20 + 8 + 800];
    uint8_t msg[8 + 800];
    for (size_t i = 0; i < 800; i++)
        msg[8 + i] = pattern(i, 0);
    size_t n = synack_icmp_build(msg, sizeof msg, ICMP_ECHO_REQUEST, 0, 0x12340001u, msg + 8,
                                 800, NULL);
    assert_int_equal(n, sizeof msg);
    struct synack_ipv4 h = {.ttl = 64, .proto = SYNACK_IPPROTO_ICMP, .id = 5, .src = PROBE_PEER,
                            .dst = PROBE_ADDR};
    assert_int_equal(synack_ipv4_build(b, sizeof b, &h, n, NULL), 20);
    memcpy(b + 20, msg, n);
    struct dgram d = {b, sizeof b};
    frag_id(p, &d, 400, 808, false, 5);
    frag_id(p, &d, 0, 400, true, 5);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(k->icmp.type, ICMP_ECHO_REPLY);
    assert_int_equal(k->icmp.data_len, 800);
    assert_memory_equal(k->icmp.data, msg + 8, 800);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order_fragments_are_reassembled, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_order_fragments_are_reassembled, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_fragment_is_dropped_datagram_kept, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_largest_datagram_is_reassembled, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_overlap_drops_whole_datagram, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_fragment_drops_whole_datagram, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_datagram_past_65535_is_dropped, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_datagram_past_emtu_r_is_dropped, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_tiny_first_fragment_is_dropped, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_and_malformed_fragments, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_scattered_datagram_is_dropped, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_sends_time_exceeded_when_first_came, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_timeout_then_retransmission, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_flood_of_partial_datagrams_leaves_room, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_fragmented_echo_request_is_answered, conn_setup, conn_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

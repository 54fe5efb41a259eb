/* What the receiver acknowledges and when, and what the sender packs into
 * a segment: delayed ACK (SHLD-18, SHLD-19, MUST-40), immediate ACKs for
 * out-of-order data and filled gaps (RFC 5681 4.2), out-of-order data held
 * at its offset in a bounded set of intervals (SHLD-31), overlapping and
 * duplicate segments trimmed (RFC 9293 3.10.7.4), ACK aggregation over a
 * batch (MUST-58, MUST-59), Nagle (SHLD-7, MUST-17) and PSH (MUST-60,
 * MUST-61, SHLD-27). One stack, a fake peer, virtual time. */
#include <errno.h>

#include "support/conn.h"

#define SEG 1460u

/* The peer's stream: octet i of it is stream[i - 1] (relative seq i). */
static const uint8_t *stream;

static void peer_data(struct probe *p, uint32_t seq, uint32_t len)
{
    probe_inject(p, ACK, seq, 1, stream + seq - 1, len);
}

static void setup_conn(struct probe *p)
{
    stream = conn_pattern(64 * 1024);
    conn_establish(p, 0, 1460, 65535);
}

/* recv() everything and compare it with the stream from relative seq 1. */
static void expect_stream(struct probe *p, uint32_t len)
{
    static uint8_t buf[64 * 1024];
    assert_int_equal(synack_socket_recv(p->st, p->sd, buf, sizeof buf, 0, p->now), len);
    assert_memory_equal(buf, stream, len);
}

static int discard(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)ctx, (void)pkt, (void)len, (void)now;
    return 0;
}

/* SHLD-18, MUST-40: one segment alone is ACKed by the delayed-ACK timer,
 * 200 ms after it arrived (under 500 ms); a configuration of 500 ms or
 * more is refused. */
static void test_delayed_ack_is_sent_within_500_ms(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    uint64_t t0 = p->now;
    peer_data(p, 1, 100);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_expect(p, ACK, 1, 101);
    assert_int_equal(k->when, t0 + 200 * MSEC);
    assert_true(k->when - t0 < 500 * MSEC);
    assert_int_equal(CNT(p, tcp_delayed_acks), 1);

    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    struct synack_link nolink = {.send = discard, .ctx = NULL};
    int err = 0;
    c.delack = 500 * MSEC;
    assert_null(synack_stack_new(&c, &nolink, &err));
    assert_int_equal(err, -EINVAL);
    c.delack = 499 * MSEC;
    struct synack_stack *s = synack_stack_new(&c, &nolink, &err);
    assert_non_null(s);
    synack_stack_free(s);
}

/* The 500 ms run from the first unacknowledged segment: a second, smaller
 * one does not restart the timer (RFC 5681 4.2). */
static void test_delayed_ack_timer_runs_from_the_first_unacked_segment(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    uint64_t t0 = p->now;
    peer_data(p, 1, 1000);
    p->now += 150 * MSEC;
    peer_data(p, 1001, 100);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_expect(p, ACK, 1, 1101);
    assert_int_equal(k->when, t0 + 200 * MSEC);
}

/* SHLD-19: an ACK at least every second full-sized segment, at once. */
static void test_ack_at_least_every_second_full_sized_segment(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    for (uint32_t i = 0; i < 6; i++) {
        peer_data(p, 1 + i * SEG, SEG);
        if (i % 2 == 0)
            probe_expect_none(p);
        else
            probe_expect(p, ACK, 1, 1 + (i + 1) * SEG);
    }
    assert_int_equal(CNT(p, tcp_delayed_acks), 0);
    expect_stream(p, 6 * SEG);
}

/* RFC 5681 4.2 (and 3.2), SHLD-31: each segment above a gap is held and
 * answered at once by a duplicate ACK; one that fills part of the gap is
 * ACKed at once; the one that fills the rest too, covering everything. */
static void test_out_of_order_dup_acks_and_gap_fill_acks_are_immediate(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    peer_data(p, 1 + 2 * SEG, SEG); /* hole [1, 2921) */
    probe_expect(p, ACK, 1, 1);
    peer_data(p, 1 + 3 * SEG, SEG);
    probe_expect(p, ACK, 1, 1);
    assert_int_equal(conn_info(p).ooo_intervals, 1);
    assert_int_equal(CNT(p, tcp_ooo_segments), 2);
    peer_data(p, 1, SEG); /* part of the gap */
    probe_expect(p, ACK, 1, 1 + SEG);
    peer_data(p, 1 + SEG, SEG); /* the rest */
    probe_expect(p, ACK, 1, 1 + 4 * SEG);
    probe_expect_none(p);
    assert_int_equal(conn_info(p).ooo_intervals, 0);
    expect_stream(p, 4 * SEG);
}

/* RFC 9293 3.10.7.4 first and seventh: a duplicate is not acceptable and
 * is answered by an ACK; a segment that overlaps received data is trimmed
 * to its new octets; overlaps among held out-of-order data keep every
 * octet once, at its offset. */
static void test_overlapping_and_duplicate_segments_are_trimmed(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    peer_data(p, 1, 1000);
    probe_drain(p);
    peer_data(p, 1, 1000); /* a duplicate */
    probe_expect(p, ACK, 1, 1001);
    assert_int_equal(CNT(p, tcp_unacceptable), 1);
    peer_data(p, 501, 1000); /* half old, half new */
    assert_int_equal(conn_info(p).rcv_nxt - conn_info(p).irs, 1501);
    peer_data(p, 3001, 1000); /* held: [3001, 4001) */
    peer_data(p, 2501, 1000); /* overlaps it: [2501, 4001) */
    peer_data(p, 3501, 1000); /* and again: [2501, 4501) */
    peer_data(p, 2701, 100);  /* inside */
    assert_int_equal(conn_info(p).ooo_intervals, 1);
    peer_data(p, 1001, 1600); /* fills [1501, 2501) and more */
    assert_int_equal(conn_info(p).rcv_nxt - conn_info(p).irs, 4501);
    probe_drain(p);
    expect_stream(p, 4500);
}

/* SHLD-31 with bounded memory (DESIGN 3.4): the set of held intervals has
 * ooo_max (64 by default) slots; a segment that needs one more is dropped
 * and counted, still answered by a duplicate ACK, and sent again later it
 * is taken. */
static void test_out_of_order_intervals_are_bounded(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    assert_int_equal(c.ooo_max, 64);
    setup_conn(p);
    uint32_t n = c.ooo_max + 1u;
    for (uint32_t i = 0; i < n; i++) { /* holes before each */
        peer_data(p, 1 + (2 * i + 1) * 100, 100);
        probe_expect(p, ACK, 1, 1);
    }
    assert_int_equal(conn_info(p).ooo_intervals, c.ooo_max);
    assert_int_equal(CNT(p, tcp_ooo_drop_full), 1);
    for (uint32_t i = 0; i < n; i++) /* every hole filled in order */
        peer_data(p, 1 + 2 * i * 100, 100);
    probe_drain(p);
    assert_int_equal(conn_info(p).rcv_nxt - conn_info(p).irs, 1 + (2 * n - 1) * 100);
    peer_data(p, 1 + (2 * n - 1) * 100, 100); /* the dropped one, again */
    probe_drain(p);
    expect_stream(p, 2 * n * 100);
}

/* MUST-58, MUST-59: segments handed over in one batch are all processed
 * before any ACK goes: four full segments get one ACK, not two; three
 * out-of-order segments one duplicate ACK; out-of-order data and the
 * segment that fills the gap one ACK for all. Without a batch, each
 * segment is answered as it comes. */
static void test_segments_of_a_batch_get_one_aggregate_ack(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    synack_stack_batch_begin(p->st);
    for (uint32_t i = 0; i < 4; i++)
        peer_data(p, 1 + i * SEG, SEG);
    probe_expect_none(p);
    synack_stack_batch_end(p->st, p->now);
    probe_expect(p, ACK, 1, 1 + 4 * SEG);
    probe_expect_none(p);

    synack_stack_batch_begin(p->st);
    for (uint32_t i = 5; i < 8; i++)
        peer_data(p, 1 + i * SEG, SEG);
    synack_stack_batch_end(p->st, p->now);
    probe_expect(p, ACK, 1, 1 + 4 * SEG);
    probe_expect_none(p);

    synack_stack_batch_begin(p->st);
    peer_data(p, 1 + 9 * SEG, SEG);
    peer_data(p, 1 + 4 * SEG, SEG);
    peer_data(p, 1 + 8 * SEG, SEG);
    synack_stack_batch_end(p->st, p->now);
    probe_expect(p, ACK, 1, 1 + 10 * SEG);
    probe_expect_none(p);

    for (uint32_t i = 10; i < 14; i++) /* no batch: an ACK every second segment */
        peer_data(p, 1 + i * SEG, SEG);
    probe_expect(p, ACK, 1, 1 + 12 * SEG);
    probe_expect(p, ACK, 1, 1 + 14 * SEG);
    probe_expect_none(p);
    expect_stream(p, 14 * SEG);
}

/* RFC 5681 4.2: never more than one ACK per incoming segment (other than
 * window updates): ten segments above a gap, ten duplicate ACKs. */
static void test_at_most_one_ack_per_segment(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    for (uint32_t i = 1; i <= 10; i++)
        peer_data(p, 1 + i * 100, 100);
    for (int i = 0; i < 10; i++)
        probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    peer_data(p, 1, 100);
    probe_expect(p, ACK, 1, 1101);
    probe_expect_none(p);
}

/* SHLD-7, 3.7.4: while data is unacknowledged, small writes wait and go
 * together when the ACK comes, the segment pushed; a full segment goes at
 * once. MUST-17: TCP_NODELAY sends each write as it comes. */
static void test_nagle_coalesces_small_writes_and_nodelay_turns_it_off(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    conn_send(p, "aaaaaaaaaa", 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    conn_send(p, "bbbbbbbbbb", 10);
    conn_send(p, "cccccccccc", 10);
    conn_send(p, "dddddddddd", 10);
    probe_expect_none(p);
    conn_ack(p, 11);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, 11, 1, 30);
    assert_memory_equal(k->th.payload, "bbbbbbbbbbccccccccccdddddddddd", 30);
    conn_send(p, conn_pattern(SEG + 100), SEG + 100);
    probe_expect_len(p, ACK, 41, 1, SEG); /* a full segment is not held */
    probe_expect_none(p);                 /* the 100 wait */
    conn_ack(p, 41 + SEG);
    probe_expect_len(p, ACK | PSH, 41 + SEG, 1, 100);
    conn_ack(p, 141 + SEG);
    conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 1);
    conn_send(p, "e", 1);
    probe_expect_len(p, ACK | PSH, 141 + SEG, 1, 1);
    conn_send(p, "f", 1);
    probe_expect_len(p, ACK | PSH, 142 + SEG, 1, 1);
}

/* MUST-60, MUST-61, SHLD-27: every write is pushed; the PSH bit is set on
 * the segment that empties the buffer and on no other, and successive
 * pushes collapse into the largest segments the window allows. */
static void test_psh_only_on_the_segment_that_empties_the_buffer(void **state)
{
    struct probe *p = *state;
    setup_conn(p);
    const uint8_t *d = conn_pattern(4000);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0); /* closed: let three writes queue */
    conn_send(p, d, 1000);
    conn_send(p, d + 1000, 1000);
    conn_send(p, d + 2000, 1000);
    probe_expect_none(p);
    probe_inject_win(p, ACK, 1, 1, 65535, NULL, 0);
    probe_expect_len(p, ACK, 1, 1, SEG);
    probe_expect_len(p, ACK, 1 + SEG, 1, SEG);
    probe_expect_none(p); /* the small rest waits for the ACK (Nagle) */
    conn_ack(p, 1 + 2 * SEG);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, 1 + 2 * SEG, 1, 3000 - 2 * SEG);
    assert_memory_equal(k->th.payload, d + 2 * SEG, 3000 - 2 * SEG);
    probe_expect_none(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_delayed_ack_is_sent_within_500_ms),
        T(test_delayed_ack_timer_runs_from_the_first_unacked_segment),
        T(test_ack_at_least_every_second_full_sized_segment),
        T(test_out_of_order_dup_acks_and_gap_fill_acks_are_immediate),
        T(test_overlapping_and_duplicate_segments_are_trimmed),
        T(test_out_of_order_intervals_are_bounded),
        T(test_segments_of_a_batch_get_one_aggregate_ack),
        T(test_at_most_one_ack_per_segment),
        T(test_nagle_coalesces_small_writes_and_nodelay_turns_it_off),
        T(test_psh_only_on_the_segment_that_empties_the_buffer),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Congestion control (RFC 5681, RFC 6582, RFC 3042; RFC 9293 3.8.2,
 * MUST-19): the initial window, slow start, congestion avoidance, the
 * timeout response, fast retransmit and fast recovery with NewReno
 * partial acknowledgments, limited transmit, restart after idle, and the
 * table of functions an algorithm plugs into. One stack and a fake peer;
 * cwnd and ssthresh are read from STATUS after every step. */
#include <errno.h>

#include "support/conn.h"

/* Only to plug a test algorithm into a connection (the last test). */
#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

#define MSS 1000u

static uint32_t cwnd(struct probe *p) { return conn_info(p).cwnd; }
static uint32_t ssthresh(struct probe *p) { return conn_info(p).ssthresh; }

/* Expect full segments starting at seq, n of them, then nothing. */
static void expect_segments(struct probe *p, uint32_t seq, int n)
{
    for (int i = 0; i < n; i++) {
        struct probe_pkt *k = probe_pop(p);
        assert_non_null(k);
        assert_int_equal(k->seq, seq + (uint32_t)i * MSS);
        assert_int_equal(k->th.payload_len, MSS);
    }
    probe_expect_none(p);
}

static void dupack(struct probe *p, uint32_t ack)
{
    conn_ack(p, ack);
}

/* A connection with MSS 1000 (IW 4 segments) and `total` octets queued;
 * the first IW segments are on the wire and checked. */
static void start(struct probe *p, size_t total)
{
    conn_establish(p, 0, MSS, 65535);
    conn_send(p, conn_pattern(total), total);
    expect_segments(p, 1, 4);
}

/* RFC 5681 3.1: IW = 2, 3 or 4 segments by SMSS, and the handshake's ACK
 * does not add to it (cwnd is exactly IW). ssthresh starts "arbitrarily
 * high". */
static void test_initial_window_follows_smss(void **state)
{
    struct probe *p = *state;
    static const struct {
        uint16_t mtu, mss;
        int segs;
    } cases[] = {{1500, 536, 4}, {1500, 1095, 4}, {1500, 1096, 3}, {1500, 1460, 3},
                 {9000, 2190, 3}, {9000, 2191, 2}, {9000, 4000, 2}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_config c;
        synack_config_default(&c);
        c.mtu = cases[i].mtu;
        conn_reinit(p, &c);
        conn_establish(p, 0, cases[i].mss, 65535);
        assert_int_equal(cwnd(p), cases[i].segs * cases[i].mss);
        assert_int_equal(ssthresh(p), UINT32_MAX);
        conn_send(p, conn_pattern(20000), 20000);
        for (int s = 0; s < cases[i].segs; s++)
            probe_expect_len(p, ACK, 1 + (uint32_t)s * cases[i].mss, 1, cases[i].mss);
        probe_expect_none(p);
    }
}

/* RFC 5681 3.1: when the SYN-ACK was lost, the initial window is one
 * segment. */
static void test_initial_window_is_one_segment_after_a_lost_syn_ack(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = MSS};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->pseq = 1;
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(cwnd(p), MSS);
    conn_send(p, conn_pattern(5000), 5000);
    expect_segments(p, 1, 1);
    conn_ack(p, 1001);
    expect_segments(p, 1001, 2);
}

/* The same for an active open whose SYN was lost. */
static void test_initial_window_is_one_segment_after_a_lost_syn(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN, 0, PROBE_ANY);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = MSS};
    struct probe_seg s = {.flags = SYN | ACK, .seq = 0, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    probe_expect(p, ACK, 1, 1);
    p->pseq = 1;
    assert_int_equal(cwnd(p), MSS);
    conn_send(p, conn_pattern(5000), 5000);
    expect_segments(p, 1, 1);
}

/* RFC 5681 3.1 eq. 2: in slow start each ACK adds min(N, SMSS): half a
 * segment acknowledged adds half, three segments add one SMSS. */
static void test_slow_start_adds_min_of_acked_and_smss_per_ack(void **state)
{
    struct probe *p = *state;
    start(p, 40000);
    conn_ack(p, 501);
    assert_int_equal(cwnd(p), 4 * MSS + 500);
    expect_segments(p, 4001, 1); /* flight 3500, cwnd 4500 */
    conn_ack(p, 3501);
    assert_int_equal(cwnd(p), 5 * MSS + 500);
    expect_segments(p, 5001, 4); /* flight 1500: 4000 more */
}

/* RFC 5681 3.1 eq. 4 and the loss window: a timeout sets ssthresh to
 * max(FlightSize/2, 2*SMSS), from FlightSize, not cwnd, and cwnd to one
 * segment; slow start then runs up to ssthresh and congestion avoidance
 * takes over, adding one SMSS per cwnd of acknowledged octets. */
static void test_timeout_sets_ssthresh_from_flight_then_slow_start_then_avoidance(void **state)
{
    struct probe *p = *state;
    start(p, 8000);
    conn_ack(p, 2001); /* cwnd 5000; 3 more out */
    expect_segments(p, 4001, 3);
    conn_ack(p, 3001); /* cwnd 6000; the last one out */
    expect_segments(p, 7001, 1);
    assert_int_equal(cwnd(p), 6 * MSS);
    /* FlightSize 5000 (3001..8001): ssthresh 2500, not cwnd/2 = 3000 */
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 3001, 1, MSS);
    probe_expect_none(p);
    assert_int_equal(ssthresh(p), 2500);
    assert_int_equal(cwnd(p), MSS);
    conn_ack(p, 4001); /* slow start: 2000 */
    assert_int_equal(cwnd(p), 2 * MSS);
    expect_segments(p, 4001, 2); /* back from SND.UNA (go-back) */
    conn_ack(p, 5001); /* slow start: 3000 > ssthresh */
    assert_int_equal(cwnd(p), 3 * MSS);
    expect_segments(p, 6001, 2);
    uint32_t acks[] = {6001, 7001, 8001};
    uint32_t want[] = {3 * MSS, 3 * MSS, 4 * MSS}; /* +1 SMSS per 3000 acked */
    for (int i = 0; i < 3; i++) {
        conn_ack(p, acks[i]);
        assert_int_equal(cwnd(p), want[i]);
        probe_drain(p);
    }
}

/* A full exchange of RFC 5681 3.2 with RFC 3042 and RFC 6582:
 * - dupacks 1 and 2 each send one new segment; cwnd is unchanged;
 * - the third sets ssthresh = FlightSize/2 without those two segments,
 *   retransmits SND.UNA and sets cwnd = ssthresh + 3*SMSS;
 * - every further dupack adds one SMSS, and new data goes when it fits;
 * - the ACK of everything up to recover deflates cwnd to ssthresh. */
static void test_fast_retransmit_and_recovery_by_the_numbers(void **state)
{
    struct probe *p = *state;
    start(p, 40000);
    conn_ack(p, 1001);
    expect_segments(p, 4001, 2);
    conn_ack(p, 2001);
    expect_segments(p, 6001, 2); /* 2001..8001 in flight, cwnd 6000 */
    dupack(p, 2001);
    expect_segments(p, 8001, 1); /* limited transmit */
    assert_int_equal(cwnd(p), 6 * MSS);
    dupack(p, 2001);
    expect_segments(p, 9001, 1);
    assert_int_equal(cwnd(p), 6 * MSS);
    dupack(p, 2001);
    expect_segments(p, 2001, 1); /* fast retransmit */
    assert_int_equal(ssthresh(p), 3 * MSS); /* FlightSize 6000 without the 2000 of LT */
    assert_int_equal(cwnd(p), 3 * MSS + 3 * MSS);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 1);
    dupack(p, 2001);
    assert_int_equal(cwnd(p), 7 * MSS);
    probe_expect_none(p); /* flight 8000 */
    dupack(p, 2001);
    dupack(p, 2001);
    assert_int_equal(cwnd(p), 9 * MSS);
    expect_segments(p, 10001, 1);
    dupack(p, 2001);
    expect_segments(p, 11001, 1);
    conn_ack(p, 10001); /* covers recover (10001): leave recovery */
    assert_int_equal(cwnd(p), ssthresh(p)); /* min(3000, max(2000, SMSS) + SMSS) */
    assert_int_equal(cwnd(p), 3 * MSS);
    expect_segments(p, 12001, 1);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 1);
    assert_int_equal(CNT(p, tcp_retransmits), 0);
}

/* RFC 6582 3.2 step 3 option (1): after a full ACK with nothing left in
 * flight, cwnd is max(FlightSize, SMSS) + SMSS, not a burst of ssthresh. */
static void test_full_ack_with_nothing_in_flight_leaves_two_segments(void **state)
{
    struct probe *p = *state;
    start(p, 8000);
    conn_ack(p, 1001);
    expect_segments(p, 4001, 2);
    conn_ack(p, 2001);
    expect_segments(p, 6001, 2); /* all 8000 sent */
    for (int i = 0; i < 3; i++)
        dupack(p, 2001);
    expect_segments(p, 2001, 1);
    assert_int_equal(ssthresh(p), 3 * MSS);
    conn_ack(p, 8001);
    assert_int_equal(cwnd(p), 2 * MSS);
}

/* RFC 6582 3.2 step 4: a partial ACK retransmits the next hole at once,
 * deflates cwnd by what it acknowledged and adds one SMSS back, and
 * recovery goes on (a further dupack inflates, it does not start another
 * fast retransmit). */
static void test_newreno_partial_ack_retransmits_the_next_hole(void **state)
{
    struct probe *p = *state;
    start(p, 4000);
    for (int i = 0; i < 3; i++)
        dupack(p, 1);
    expect_segments(p, 1, 1);
    assert_int_equal(ssthresh(p), 2 * MSS);
    assert_int_equal(cwnd(p), 5 * MSS);
    conn_ack(p, 2001); /* partial: recover is 4001 */
    expect_segments(p, 2001, 1);
    assert_int_equal(cwnd(p), 5 * MSS - 2 * MSS + MSS);
    dupack(p, 2001);
    assert_int_equal(cwnd(p), 5 * MSS);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 2); /* the first, and the partial ACK's */
    conn_ack(p, 4001);
    assert_int_equal(cwnd(p), 2 * MSS); /* full ACK, nothing in flight */
}

/* RFC 6582 3.2 step 2: after a timeout, recover is SND.MAX, and duplicate
 * ACKs below it do not start fast retransmit (they are the echo of the
 * go-back retransmissions, not a new loss). */
static void test_no_fast_retransmit_until_an_ack_covers_recover(void **state)
{
    struct probe *p = *state;
    start(p, 4000);
    assert_true(probe_to_deadline(p));
    expect_segments(p, 1, 1);
    conn_ack(p, 1001);
    expect_segments(p, 1001, 2);
    uint32_t st = ssthresh(p);
    for (int i = 0; i < 4; i++)
        dupack(p, 1001);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 0);
    assert_int_equal(ssthresh(p), st);
}

/* RFC 5681 2: a duplicate ACK carries no data, no SYN or FIN, the same
 * ACK and the same window, with data outstanding; anything else is not
 * counted towards fast retransmit. */
static void test_only_true_duplicate_acks_count(void **state)
{
    struct probe *p = *state;
    start(p, 4000);
    probe_inject(p, ACK, 1, 1, "x", 1); /* data */
    probe_inject_win(p, ACK, 2, 1, 60000, NULL, 0); /* another window */
    probe_inject_win(p, ACK, 2, 1, 50000, NULL, 0);
    probe_inject_win(p, ACK, 2, 1, 40000, NULL, 0);
    probe_drain(p);
    assert_int_equal(CNT(p, tcp_dupacks), 0);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 0);
    for (int i = 0; i < 3; i++)
        probe_inject_win(p, ACK, 2, 1, 40000, NULL, 0);
    assert_int_equal(CNT(p, tcp_dupacks), 3);
    expect_segments(p, 1, 1);
}

/* RFC 5681 4.1: after more than one RTO without sending data, cwnd is
 * cut to RW = min(IW, cwnd) before sending; the ACKs we send meanwhile
 * for the peer's data do not count as sending. Idle for less than an RTO,
 * cwnd stays. */
static void test_restart_after_idle_cuts_cwnd_to_the_initial_window(void **state)
{
    struct probe *p = *state;
    start(p, 8000);
    conn_ack(p, 4001);
    expect_segments(p, 4001, 4);
    conn_ack(p, 8001);
    assert_int_equal(cwnd(p), 6 * MSS);
    p->now += 500 * MSEC; /* less than an RTO (1 s) */
    conn_send(p, conn_pattern(8000), 8000);
    expect_segments(p, 8001, 6);
    conn_ack(p, 14001);
    expect_segments(p, 14001, 2);
    conn_ack(p, 16001);
    uint32_t before = cwnd(p);
    assert_true(before > 4 * MSS);
    for (int i = 0; i < 8; i++) { /* 4 s of the peer's data, each ACKed 200 ms later */
        probe_advance(p, 500 * MSEC);
        probe_inject(p, ACK | PSH, p->pseq, 16001, "abcdefghij", 10);
        p->pseq += 10;
    }
    probe_advance(p, 300 * MSEC);
    probe_drain(p);
    assert_int_equal(CNT(p, tcp_delayed_acks), 8);
    conn_send(p, conn_pattern(8000), 8000);
    expect_segments(p, 16001, 4);
    assert_int_equal(cwnd(p), 4 * MSS);
}

/* ---- the interface an algorithm plugs into ---- */

/* A transfer of more than 2^32 octets with no loss: ssthresh stays
 * "arbitrarily high" (UINT32_MAX), so slow start never ends, and cwnd, a
 * count of octets, grew by one SMSS per ACK until it wrapped (at 8 GiB
 * with delayed ACKs: 4294447240 -> 4380). It now stops at what the send
 * buffer can use, SO_SNDBUF + IW, and never falls without a loss. The
 * ACKs go to cc_on_ack as input processing hands them (4.3 GiB through the
 * probe would take minutes); the whole path is bench_bulk's, past 16 GiB. */
static void test_cwnd_stays_bounded_past_2_32_octets_without_loss(void **state)
{
    struct probe *p = *state;
    start(p, 40000);
    struct tcb *tcb = probe_tcb(p);
    assert_non_null(tcb);
    uint32_t max = p->cfg.sndbuf + 4 * MSS, prev = cwnd(p), ack = tcb->snd_una;
    uint64_t total = 0;
    for (; total < (1ull << 32) + (1ull << 30); total += MSS) {
        ack += MSS;
        cc_on_ack(&p->st->tcp, tcb, ack, MSS, p->now);
        assert_true(tcb->cwnd >= prev); /* no loss: never down */
        assert_true(tcb->cwnd <= max);
        prev = tcb->cwnd;
    }
    assert_int_equal(cwnd(p), max);
    assert_int_equal(ssthresh(p), UINT32_MAX);
    /* a smaller SO_SNDBUF lowers the bound at the next ACK */
    conn_setopt(p, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 65536);
    cc_on_ack(&p->st->tcp, tcb, ack + MSS, MSS, p->now);
    assert_int_equal(cwnd(p), 65536 + 4 * MSS);
}

/* RFC 5681 3.2 step 4 inflates cwnd by one SMSS per duplicate ACK; a
 * receiver that floods them (Savage et al. 1999) opened cwnd without bound
 * (100000 of them: 100 MB; 4.3 million wrap it). Each duplicate ACK
 * reports a distinct segment above the hole: once there are as many as
 * segments outstanding, the rest are credited nothing and counted. cwnd
 * stays within ssthresh + FlightSize, the flood draws out at most what is
 * queued (as a receiver ACKing that fast could anyway), and the connection
 * goes on once the hole is acknowledged. */
static void test_duplicate_ack_flood_in_recovery_inflates_only_by_segments_outstanding(
    void **state)
{
    struct probe *p = *state;
    start(p, 50000);
    conn_ack(p, 1001);
    expect_segments(p, 4001, 2);
    dupack(p, 1001);
    dupack(p, 1001); /* limited transmit: 6001, 7001 */
    expect_segments(p, 6001, 2);
    dupack(p, 1001);
    expect_segments(p, 1001, 1); /* fast retransmit; 1001..8001 out */
    assert_int_equal(ssthresh(p), 2500);
    assert_int_equal(cwnd(p), 2500 + 3 * MSS);
    for (int i = 0; i < 100000; i++) {
        dupack(p, 1001);
        probe_drain(p);
        assert_true(cwnd(p) <= ssthresh(p) + conn_info(p).unacked);
    }
    struct synack_tcp_info ti = conn_info(p);
    assert_int_equal(ti.unacked, 49000); /* everything queued went, once */
    assert_true(cwnd(p) <= ssthresh(p) + 49000);
    assert_true(CNT(p, tcp_dupacks_not_credited) >= 100000 - 50);
    assert_int_equal(CNT(p, tcp_fast_retransmits), 1);
    conn_ack(p, 50001); /* everything: recovery ends */
    assert_int_equal(cwnd(p), 2 * MSS); /* min(ssthresh, max(0, SMSS) + SMSS) */
    conn_send(p, conn_pattern(5000), 5000);
    expect_segments(p, 50001, 2); /* and the connection goes on */
}

static int calls_init, calls_ssthresh, calls_avoid;

static void fixed_init(struct tcb *tcb)
{
    calls_init++;
    tcb->cwnd = 2 * tcb->snd_mss;
}

static uint32_t fixed_ssthresh(struct tcb *tcb, uint32_t flight)
{
    (void)flight;
    calls_ssthresh++;
    return 7 * tcb->snd_mss;
}

static void fixed_avoid(struct tcb *tcb, uint32_t acked, uint64_t now)
{
    (void)tcb;
    (void)acked;
    (void)now;
    calls_avoid++;
}

static const struct tcp_cc_ops cc_fixed = {
    .name = "fixed", .init = fixed_init, .ssthresh = fixed_ssthresh, .cong_avoid = fixed_avoid,
};

/* MAY-18: another algorithm is one more struct tcp_cc_ops; the state
 * machine calls it for the initial window, growth and the loss response,
 * and keeps the RFC 5681 parts (the loss window after a timeout). */
static void test_an_algorithm_is_a_table_of_functions(void **state)
{
    struct probe *p = *state;
    assert_string_equal(tcp_cc_newreno.name, "reno");
    probe_goto_syn_sent(p);
    struct tcb *tcb = probe_tcb(p);
    assert_non_null(tcb);
    assert_ptr_equal(tcb->cc, &tcp_cc_newreno);
    tcb->cc = &cc_fixed;
    calls_init = calls_ssthresh = calls_avoid = 0;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYN | ACK, .seq = 0, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    probe_expect(p, ACK, 1, 1);
    p->pseq = 1;
    assert_int_equal(calls_init, 1);
    assert_int_equal(calls_avoid, 0); /* the ACK of our SYN is no growth */
    assert_int_equal(cwnd(p), 2 * 1460);
    conn_send(p, conn_pattern(10000), 10000);
    probe_expect_len(p, ACK, 1, 1, 1460);
    probe_expect_len(p, ACK, 1461, 1, 1460);
    probe_expect_none(p);
    conn_ack(p, 1461);
    assert_int_equal(calls_avoid, 1);
    probe_drain(p);
    assert_true(probe_to_deadline(p));
    assert_int_equal(calls_ssthresh, 1);
    assert_int_equal(ssthresh(p), 7 * 1460);
    assert_int_equal(cwnd(p), 1460);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_initial_window_follows_smss),
        T(test_initial_window_is_one_segment_after_a_lost_syn_ack),
        T(test_initial_window_is_one_segment_after_a_lost_syn),
        T(test_slow_start_adds_min_of_acked_and_smss_per_ack),
        T(test_timeout_sets_ssthresh_from_flight_then_slow_start_then_avoidance),
        T(test_fast_retransmit_and_recovery_by_the_numbers),
        T(test_full_ack_with_nothing_in_flight_leaves_two_segments),
        T(test_newreno_partial_ack_retransmits_the_next_hole),
        T(test_no_fast_retransmit_until_an_ack_covers_recover),
        T(test_only_true_duplicate_acks_count),
        T(test_restart_after_idle_cuts_cwnd_to_the_initial_window),
        T(test_cwnd_stays_bounded_past_2_32_octets_without_loss),
        T(test_duplicate_ack_flood_in_recovery_inflates_only_by_segments_outstanding),
        T(test_an_algorithm_is_a_table_of_functions),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

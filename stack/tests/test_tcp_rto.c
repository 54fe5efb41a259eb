/* The retransmission timer (RFC 6298, RFC 9293 3.8.1 and 3.8.3): SRTT,
 * RTTVAR and RTO from samples, Karn's algorithm (MUST-18), exponential
 * backoff up to the maximum, the timer's start, restart and stop, the
 * 3 s RTO after a lost SYN, R1 and R2 for data and SYNs (MUST-20 to
 * MUST-23, SHLD-9 to SHLD-11). One stack and a fake peer, virtual time:
 * every retransmission is checked at its exact microsecond. */
#include <errno.h>

#include "support/conn.h"

static const uint8_t data10[10] = "0123456789";

/* Send 10 octets now; the segment leaves at once. Returns when it left. */
static uint64_t send10(struct probe *p, uint32_t seq)
{
    conn_send(p, data10, sizeof data10);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, seq, p->pseq, 10);
    return k->when;
}

/* Run to the next deadline, which must be at `at`, and expect the 10
 * octets at seq to be retransmitted then. */
static void expect_rexmit_at(struct probe *p, uint64_t at, uint32_t seq)
{
    assert_int_equal(synack_stack_deadline(p->st), at); /* never early (RFC 6298 5) */
    assert_int_equal(synack_stack_deadline_output(p->st), at); /* and it sends */
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, seq, p->pseq, 10);
    assert_int_equal(k->when, at);
    assert_memory_equal(k->th.payload, data10, 10);
    probe_expect_none(p);
}

/* RFC 6298 2.1-2.4, 5.5: RTO 1 s, then 2, 4, 8 and 16 s; the backed-off
 * RTO stays for the next segment until an ACK of data never retransmitted
 * gives a sample (RFC 6298 5, "collapsing" RTO; RFC 9293 3.8.2). */
static void test_rto_series_1_2_4_8_s_then_collapses_after_a_new_sample(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 100 * MSEC, 1460, 65535);
    assert_int_equal(conn_info(p).rto_us, SEC); /* 100 ms + 4*50 ms, rounded up to 1 s */
    uint64_t t0 = send10(p, 1);
    uint64_t at = t0;
    for (uint64_t rto = SEC; rto <= 8 * SEC; rto *= 2) {
        at += rto;
        expect_rexmit_at(p, at, 1);
        assert_int_equal(conn_info(p).rto_us, 2 * rto);
    }
    assert_int_equal(CNT(p, tcp_retransmits), 4);
    p->now = at + 100 * MSEC;
    conn_ack(p, 11); /* ambiguous: no sample (Karn) */
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER); /* 5.2 */
    assert_int_equal(conn_info(p).rto_us, 16 * SEC);
    uint64_t t1 = send10(p, 11);
    assert_int_equal(synack_stack_deadline(p->st), t1 + 16 * SEC);
    p->now = t1 + 200 * MSEC;
    conn_ack(p, 21); /* a valid sample: RTO is computed afresh */
    assert_int_equal(conn_info(p).rto_us, SEC);
    uint64_t t2 = send10(p, 21);
    assert_int_equal(synack_stack_deadline(p->st), t2 + SEC);
}

/* RFC 6298 2.2 and 2.3 with alpha 1/8, beta 1/4, K 4: RTTVAR is updated
 * before SRTT, with the old SRTT; when K*RTTVAR rounds to 0 the variance
 * term is the clock granularity G (1 ms) (RFC 6298 4). A small minimum RTO
 * lets the values show. */
static void test_rtt_samples_follow_rfc6298_formulas(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.rto_min = 1;
    conn_reinit(p, &c);
    conn_establish(p, 300 * MSEC, 1460, 65535);
    struct synack_tcp_info ti = conn_info(p);
    assert_int_equal(ti.srtt_us, 300000); /* 2.2: SRTT <- R */
    assert_int_equal(ti.rttvar_us, 150000); /* RTTVAR <- R/2 */
    assert_int_equal(ti.rto_us, 900000); /* SRTT + 4*RTTVAR */
    send10(p, 1);
    p->now += 500 * MSEC;
    conn_ack(p, 11);
    ti = conn_info(p);
    /* 2.3: RTTVAR = 3/4*150 + 1/4*|300-500| = 162.5 ms (with the new SRTT
     * it would be 156.25), then SRTT = 7/8*300 + 1/8*500 = 325 ms */
    assert_int_equal(ti.rttvar_us, 162500);
    assert_int_equal(ti.srtt_us, 325000);
    assert_int_equal(ti.rto_us, 325000 + 4 * 162500);
    uint32_t seq = 11;
    for (int i = 0; i < 100 && conn_info(p).rttvar_us > 0; i++, seq += 10) {
        send10(p, seq);
        p->now += 325 * MSEC;
        conn_ack(p, seq + 10);
    }
    ti = conn_info(p);
    assert_int_equal(ti.rttvar_us, 0);
    assert_int_equal(ti.srtt_us, 325000);
    assert_int_equal(ti.rto_us, 325000 + 1000); /* RFC 6298 4: max(G, K*RTTVAR) */
}

/* RFC 6298 2.5: RTO doubles up to the maximum (60 s here, the least the
 * RFC allows) and stays there. R2 is set out of the way. */
static void test_rto_doubles_up_to_the_60_s_maximum(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.r2 = 1000 * SEC;
    conn_reinit(p, &c);
    conn_establish(p, 0, 1460, 65535);
    uint64_t at = send10(p, 1);
    static const uint64_t gaps[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        at += gaps[i] * SEC;
        expect_rexmit_at(p, at, 1);
    }
    assert_int_equal(conn_info(p).rto_us, 60 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
}

/* Karn's algorithm (MUST-18, RFC 6298 3): the ACK of a retransmitted
 * segment gives no RTT sample, however it is timed; SRTT and RTTVAR keep
 * their values and the RTO stays backed off. */
static void test_karn_no_rtt_sample_from_a_retransmitted_segment(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 100 * MSEC, 1460, 65535);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + SEC, 1);
    p->now += 10 * MSEC; /* 10 ms after the retransmission, 1.01 s after the original */
    conn_ack(p, 11);
    struct synack_tcp_info ti = conn_info(p);
    assert_int_equal(ti.srtt_us, 100000);
    assert_int_equal(ti.rttvar_us, 50000);
    assert_int_equal(ti.rto_us, 2 * SEC);
    assert_int_equal(ti.backoff, 1);
}

/* Karn for the handshake: a retransmitted SYN-ACK is not timed either. */
static void test_karn_no_rtt_sample_from_a_retransmitted_syn_ack(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN | ACK, 0, 1);
    p->now += 50 * MSEC;
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(conn_info(p).srtt_us, 0);
    assert_int_equal(conn_info(p).rttvar_us, 0);
}

/* RFC 6298 5.1-5.3: a send starts the timer only if it is not running;
 * an ACK of new data restarts it; the ACK of everything stops it. */
static void test_timer_starts_once_restarts_on_ack_and_stops_when_all_acked(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 1);
    uint64_t t0 = send10(p, 1);
    assert_int_equal(synack_stack_deadline(p->st), t0 + SEC);
    p->now += 500 * MSEC;
    send10(p, 11);
    assert_int_equal(synack_stack_deadline(p->st), t0 + SEC); /* 5.1: already running */
    p->now += 300 * MSEC;
    conn_ack(p, 11);
    assert_int_equal(synack_stack_deadline(p->st), p->now + SEC); /* 5.3 */
    conn_ack(p, 21);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER); /* 5.2 */
}

/* RFC 6298 5.7: the SYN was retransmitted, so once the handshake is done
 * the RTO is 3 s, not the 1 s of 2.1; the next retransmission waits 3 s. */
static void test_rto_is_3_s_after_a_lost_syn(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN, 0, PROBE_ANY);
    p->now += 50 * MSEC;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYN | ACK, .seq = 0, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    probe_expect(p, ACK, 1, 1);
    p->pseq = 1;
    assert_int_equal(conn_info(p).rto_us, 3 * SEC);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + 3 * SEC, 1);
    expect_rexmit_at(p, t0 + 9 * SEC, 1);
}

/* The same for a passive open whose SYN-ACK went unanswered once. */
static void test_rto_is_3_s_after_a_lost_syn_ack(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(conn_info(p).rto_us, 3 * SEC);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + 3 * SEC, 1);
}

/* R1 (MUST-20 (b), SHLD-9, SHLD-10): after the third retransmission the
 * application is told of the delivery problem (STATUS soft_error); R2
 * (MUST-20 (c), SHLD-11): the connection ends, at least 100 s on, with
 * ETIMEDOUT and without a RST (the peer is not answering). */
static void test_r1_after_three_retransmissions_then_r2_ends_with_etimedout(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + 1 * SEC, 1);
    expect_rexmit_at(p, t0 + 3 * SEC, 1);
    assert_int_equal(conn_info(p).soft_error, 0);
    assert_int_equal(CNT(p, tcp_r1_reached), 0);
    expect_rexmit_at(p, t0 + 7 * SEC, 1);
    assert_int_equal(conn_info(p).soft_error, -ETIMEDOUT);
    assert_int_equal(CNT(p, tcp_r1_reached), 1);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    expect_rexmit_at(p, t0 + 15 * SEC, 1);
    expect_rexmit_at(p, t0 + 31 * SEC, 1);
    expect_rexmit_at(p, t0 + 63 * SEC, 1);
    assert_true(probe_to_deadline(p)); /* the next expiry: 122 s after the first retransmission */
    probe_expect_none(p);
    assert_int_equal(p->now, t0 + 123 * SEC);
    assert_true(p->now - t0 >= 100 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len), 0);
    assert_int_equal(err, ETIMEDOUT);
    assert_int_equal(CNT(p, tcp_conn_timeout), 1);
    assert_int_equal(CNT(p, tcp_rst_sent), 0);
}

/* The R1 report lasts only as long as the problem: an ACK of new data
 * clears it (SHLD-9, "when R1 is reached and before R2"). */
static void test_r1_report_is_cleared_when_the_peer_answers(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + 1 * SEC, 1);
    expect_rexmit_at(p, t0 + 3 * SEC, 1);
    expect_rexmit_at(p, t0 + 7 * SEC, 1);
    assert_int_equal(conn_info(p).soft_error, -ETIMEDOUT);
    conn_ack(p, 11);
    assert_int_equal(conn_info(p).soft_error, 0);
    assert_int_equal(conn_info(p).retransmits, 0);
}

/* MUST-21: the application sets R2 per connection (TCP_USER_TIMEOUT):
 * 10 s ends it at the first expiry 10 s after the first retransmission;
 * an hour keeps it well past the default 100 s. */
static void test_user_timeout_sets_r2_for_the_connection(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT, 10000);
    uint64_t t0 = send10(p, 1);
    expect_rexmit_at(p, t0 + 1 * SEC, 1);
    expect_rexmit_at(p, t0 + 3 * SEC, 1);
    expect_rexmit_at(p, t0 + 7 * SEC, 1);
    assert_true(probe_to_deadline(p));
    probe_expect_none(p);
    assert_int_equal(p->now, t0 + 15 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ETIMEDOUT);

    conn_reinit(p, NULL);
    conn_establish(p, 0, 1460, 65535);
    conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT, 3600 * 1000);
    t0 = send10(p, 1);
    probe_advance(p, 600 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, tcp_conn_timeout), 0);
}

/* MUST-22, MUST-23: a SYN is retransmitted by the same mechanism (1, 2,
 * 4, ... s, at most 60 s apart), the application hears of it at R1, and
 * the attempt lasts at least 3 minutes before it fails with ETIMEDOUT. */
static void test_syn_is_retransmitted_for_at_least_three_minutes(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    uint64_t t0 = p->now;
    static const uint64_t at[] = {1, 3, 7, 15, 31, 63, 123};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        assert_int_equal(synack_stack_deadline(p->st), t0 + at[i] * SEC);
        assert_true(probe_to_deadline(p));
        struct probe_pkt *k = probe_expect(p, SYN, 0, PROBE_ANY);
        assert_int_equal(k->when, t0 + at[i] * SEC);
        assert_int_equal(conn_info(p).soft_error, i >= 2 ? -ETIMEDOUT : 0);
    }
    assert_true(probe_to_deadline(p));
    probe_expect_none(p);
    assert_true(p->now - t0 >= 180 * SEC);
    assert_int_equal(p->now, t0 + 183 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLERR);
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len), 0);
    assert_int_equal(err, ETIMEDOUT);
}

/* After a timeout the sender goes back to SND.UNA, but an ACK it sends
 * meanwhile carries <SEQ=SND.NXT> as the RFC means it, the next new
 * sequence number: the peer has seen everything below it, and a
 * zero-length segment left of RCV.NXT fails the peer's acceptability test
 * (3.10.7.4 first), ACK field and all. Found by test_tcp_lossy.c. */
static void test_ack_after_a_timeout_carries_the_highest_snd_nxt(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    const uint8_t *buf = conn_pattern(3 * 1460);
    conn_send(p, buf, 3 * 1460);
    probe_expect_len(p, ACK, 1, 1, 1460);
    probe_expect_len(p, ACK, 1461, 1, 1460);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 1, 1, 1460); /* back to SND.UNA */
    probe_inject(p, ACK | PSH, 1, 1, data10, 10); /* the peer's data, acking nothing new */
    assert_true(probe_to_deadline(p));        /* the delayed ACK */
    probe_expect(p, ACK, 4381, 11);
    probe_expect_none(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_rto_series_1_2_4_8_s_then_collapses_after_a_new_sample),
        T(test_rtt_samples_follow_rfc6298_formulas),
        T(test_rto_doubles_up_to_the_60_s_maximum),
        T(test_karn_no_rtt_sample_from_a_retransmitted_segment),
        T(test_karn_no_rtt_sample_from_a_retransmitted_syn_ack),
        T(test_timer_starts_once_restarts_on_ack_and_stops_when_all_acked),
        T(test_rto_is_3_s_after_a_lost_syn),
        T(test_rto_is_3_s_after_a_lost_syn_ack),
        T(test_r1_after_three_retransmissions_then_r2_ends_with_etimedout),
        T(test_r1_report_is_cleared_when_the_peer_answers),
        T(test_user_timeout_sets_r2_for_the_connection),
        T(test_syn_is_retransmitted_for_at_least_three_minutes),
        T(test_ack_after_a_timeout_carries_the_highest_snd_nxt),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

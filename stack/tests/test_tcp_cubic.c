/* CUBIC (RFC 9438): the formulas of 4.2 as written, the window a TCB's
 * congestion avoidance follows over time (concave, convex, Reno-friendly),
 * the reduction and fast convergence of 4.6 and 4.7, the stage after a
 * timeout (4.8), and the choice on the wire: config.congestion and
 * TCP_CONGESTION, a loss answered with ssthresh = 0.7 FlightSize. */
#include <errno.h>

#include "support/conn.h"

/* The algorithm's state is what is tested. */
#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

#define MSS 1000u

static void near(double got, double want, double tol)
{
    if (got < want - tol || got > want + tol)
        fail_msg("got %.9f, want %.9f +- %g", got, want, tol);
}

/* RFC 9438 4.2, Figure 2 with C = 0.4: K = cbrt((W_max - cwnd_epoch) / C);
 * Figure 1 passes through cwnd_epoch at t = 0 and W_max at t = K. */
static void test_k_and_w_cubic_are_the_rfc_formulas(void **state)
{
    (void)state;
    near(tcp_cubic_k(100, 70), 4.217163326508746, 1e-9); /* cbrt(75) */
    near(tcp_cubic_k(1000, 700), 9.085602964160698, 1e-9); /* cbrt(750) */
    near(tcp_cubic_k(70, 100), -4.217163326508746, 1e-9); /* cwnd_epoch above W_max */
    near(tcp_cubic_k(50, 50), 0, 1e-12);
    double k = tcp_cubic_k(100, 70);
    near(tcp_cubic_window(0, k, 100), 70, 1e-9);
    near(tcp_cubic_window(k, k, 100), 100, 1e-12);
    near(tcp_cubic_window(k + 2, k, 100), 100 + 0.4 * 8, 1e-9); /* convex past K */
    near(tcp_cubic_window(k - 1, k, 100), 100 - 0.4, 1e-9);     /* concave before */
}

/* A TCB of its own, in congestion avoidance at cwnd octets, SRTT rtt. */
static struct tcb *cubic_tcb(uint32_t cwnd, uint64_t rtt)
{
    struct tcb *tcb = calloc(1, sizeof *tcb);
    assert_non_null(tcb);
    tcb->snd_mss = MSS;
    tcb->cc = &tcp_cc_cubic;
    tcb->cc->init(tcb);
    tcb->cwnd = cwnd;
    tcb->ssthresh = UINT32_MAX;
    tcb->srtt = rtt;
    tcb->flags |= TF_HAVE_RTT;
    tcb->snd_max = 1u << 30; /* cwnd-limited: far more in flight than cwnd (RFC 9438 5.8) */
    return tcb;
}

/* The reduction (4.6) at cwnd, as enter_recovery does it. */
static void loss(struct tcb *tcb)
{
    tcb->ssthresh = tcb->cc->ssthresh(tcb, tcb->cwnd);
    tcb->cwnd = tcb->ssthresh;
}

/* One round trip of ACKs, one per segment of cwnd, spread over it. */
static uint64_t round_trip(struct tcb *tcb, uint64_t now, uint64_t rtt)
{
    uint32_t n = tcb->cwnd / MSS;
    for (uint32_t i = 0; i < n; i++)
        tcb->cc->cong_avoid(tcb, MSS, now + rtt * i / n);
    return now + rtt;
}

/* 4.6: ssthresh = FlightSize * 0.7 (2 segments at least), W_max = cwnd,
 * cwnd_prior = cwnd; then 4.2-4.5: from the first ACK in congestion
 * avoidance K = cbrt((100 - 70) / 0.4) s, the window rises concave to
 * W_max by t = K and convex beyond it, never more than 1.5 cwnd a round. */
static void test_window_follows_w_cubic_through_k(void **state)
{
    (void)state;
    uint64_t rtt = 100 * MSEC;
    struct tcb *tcb = cubic_tcb(100 * MSS, rtt);
    loss(tcb);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    assert_int_equal(tcb->ssthresh, 70 * MSS);
    assert_int_equal(tcb->cwnd, 70 * MSS);
    near(c->w_max, 100 * MSS, 0);
    assert_int_equal(c->cwnd_prior, 100 * MSS);
    uint64_t t0 = 10 * SEC, now = t0;
    now = round_trip(tcb, now, rtt);
    near(c->k_us, 4217163, 1); /* cbrt(75) s, in microseconds */
    assert_int_equal(c->t_epoch, t0);
    assert_int_equal(c->cwnd_epoch, 70 * MSS);
    double k_us = c->k_us;
    while (now < t0 + (uint64_t)k_us) { /* concave: below W_max, growing */
        uint32_t before = tcb->cwnd;
        now = round_trip(tcb, now, rtt);
        assert_true(tcb->cwnd >= before);
        assert_true(tcb->cwnd <= 100 * MSS + MSS);
    }
    /* at t = K it has reached W_max (it aims one RTT ahead) */
    near(tcb->cwnd, 100 * MSS, 2 * MSS);
    /* convex: 2 s past K, W_cubic(t + RTT) = 100 + 0.4 * 2.1^3 segments */
    while (now < t0 + (uint64_t)k_us + 2 * SEC)
        now = round_trip(tcb, now, rtt);
    double t = (double)(now - t0) / SEC;
    near(tcb->cwnd, tcp_cubic_window(t, c->k_us / 1e6, 100) * MSS, 2.5 * MSS);
    assert_true(tcb->cwnd > 102 * MSS);
    free(tcb);
}

/* 4.3: where W_cubic(t) is below W_est, cwnd is W_est, which grows by
 * alpha_cubic = 3 * 0.3 / 1.7 segments per round trip of ACKs. A small
 * window (W_max 10 segments) and a short RTT put the flow there: W_est
 * gains 0.53 segments per 20 ms, W_cubic about 4.6 per second. */
static void test_reno_friendly_region_grows_by_alpha_per_round_trip(void **state)
{
    (void)state;
    uint64_t rtt = 20 * MSEC;
    struct tcb *tcb = cubic_tcb(10 * MSS, rtt);
    loss(tcb);
    assert_int_equal(tcb->cwnd, 7 * MSS);
    uint64_t now = SEC;
    for (int i = 0; i < 4; i++)
        now = round_trip(tcb, now, rtt);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    double alpha = 3.0 * (1 - 0.7) / (1 + 0.7);
    /* W_cubic at 80 ms: 10 + 0.4 (0.08 - cbrt(7.5))^3 = 7.35 segments < W_est */
    assert_true(tcp_cubic_window(0.08, c->k_us / 1e6, 10) * MSS < c->w_est);
    assert_int_equal(tcb->cwnd, (uint32_t)c->w_est);
    /* 4 rounds of cwnd/MSS ACKs each (7, a little less than cwnd): a
     * little less than 4 alpha segments */
    near(tcb->cwnd, 7 * MSS + 4 * alpha * MSS, 0.3 * MSS);
    free(tcb);
}

/* 4.3: once W_est reaches cwnd_prior, alpha_cubic is 1: Reno's pace. */
static void test_reno_friendly_alpha_becomes_one_at_cwnd_prior(void **state)
{
    (void)state;
    uint64_t rtt = 10 * MSEC; /* W_cubic stays below W_est all along */
    struct tcb *tcb = cubic_tcb(10 * MSS, rtt);
    loss(tcb);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    uint64_t now = SEC;
    while (c->w_est < c->cwnd_prior)
        now = round_trip(tcb, now, rtt);
    uint32_t before = tcb->cwnd;
    now = round_trip(tcb, now, rtt);
    now = round_trip(tcb, now, rtt);
    near(tcb->cwnd - before, 2 * MSS, 0.25 * MSS);
    free(tcb);
}

/* 4.7 fast convergence: a loss below the last W_max sets W_max to
 * cwnd * (1 + 0.7) / 2, releasing bandwidth to a newer flow; at or above
 * it, W_max = cwnd. */
static void test_fast_convergence_lowers_w_max(void **state)
{
    (void)state;
    struct tcb *tcb = cubic_tcb(100 * MSS, 100 * MSEC);
    loss(tcb); /* W_max 100 segments, cwnd 70 */
    tcb->cwnd = 80 * MSS;
    loss(tcb);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    near(c->w_max, 80 * MSS * 1.7 / 2, 1e-6);
    assert_int_equal(tcb->cwnd, 56 * MSS);
    tcb->cwnd = 90 * MSS; /* above the lowered W_max (68): W_max = cwnd */
    loss(tcb);
    near(c->w_max, 90 * MSS, 0);
    assert_int_equal(tcb->cc->ssthresh(tcb, 2 * MSS), 2 * MSS); /* the floor */
    free(tcb);
}

/* 4.8: the first stage after a timeout starts with K = 0 and W_max = the
 * cwnd it starts at; an idle restart (RFC 5681 4.1) starts a stage anew. */
static void test_after_a_timeout_k_is_zero(void **state)
{
    (void)state;
    struct tcb *tcb = cubic_tcb(100 * MSS, 100 * MSEC);
    tcb->ssthresh = tcb->cc->ssthresh(tcb, tcb->cwnd);
    tcb->cwnd = MSS;
    tcb->cc->event(tcb, CC_EV_RTO);
    tcb->cwnd = tcb->ssthresh; /* slow start has run up to ssthresh */
    tcb->cc->cong_avoid(tcb, MSS, 5 * SEC);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    near(c->k_us, 0, 0);
    near(c->w_max, 70 * MSS, 0);
    near(c->w_est, 70 * MSS + 3.0 * 0.3 / 1.7 * MSS / 70, 1e-6);
    tcb->cc->event(tcb, CC_EV_IDLE);
    assert_int_equal(c->t_epoch, 0);
    tcb->cc->cong_avoid(tcb, MSS, 60 * SEC);
    assert_int_equal(c->t_epoch, 60 * SEC);
    near(c->k_us, tcp_cubic_k((double)c->w_max / MSS, (double)c->cwnd_epoch / MSS) * SEC, 1);
    free(tcb);
}

/* Below ssthresh CUBIC slow-starts as RFC 5681 does (4.10). */
static void test_slow_start_is_rfc5681s(void **state)
{
    (void)state;
    struct tcb *tcb = cubic_tcb(4 * MSS, 100 * MSEC);
    tcb->cc->cong_avoid(tcb, 500, SEC);
    assert_int_equal(tcb->cwnd, 4 * MSS + 500);
    tcb->cc->cong_avoid(tcb, 3000, SEC);
    assert_int_equal(tcb->cwnd, 5 * MSS + 500);
    free(tcb);
}

static void expect_segments(struct probe *p, uint32_t seq, int n)
{
    for (int i = 0; i < n; i++)
        probe_expect_len(p, ACK, seq + (uint32_t)i * MSS, 1, MSS);
    probe_expect_none(p);
}

/* On the wire, chosen by config.congestion: 6000 octets in flight, three
 * duplicate ACKs; ssthresh = 0.7 FlightSize (4200, NewReno's would be
 * 3000) and cwnd = ssthresh + 3 SMSS in NewReno's fast recovery. */
static void test_config_cubic_answers_a_loss_with_beta_0_7(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.congestion = SYNACK_CONGESTION_CUBIC;
    conn_reinit(p, &c);
    conn_establish(p, 0, MSS, 65535);
    assert_int_equal(conn_info(p).congestion, SYNACK_CONGESTION_CUBIC);
    conn_send(p, conn_pattern(40000), 40000);
    expect_segments(p, 1, 4);
    conn_ack(p, 1001);
    expect_segments(p, 4001, 2);
    conn_ack(p, 2001);
    expect_segments(p, 6001, 2);
    conn_ack(p, 2001);
    expect_segments(p, 8001, 1); /* limited transmit */
    conn_ack(p, 2001);
    expect_segments(p, 9001, 1);
    conn_ack(p, 2001);
    expect_segments(p, 2001, 1); /* fast retransmit */
    assert_int_equal(conn_info(p).ssthresh, 4200);
    assert_int_equal(conn_info(p).cwnd, 4200 + 3 * MSS);
}

/* RFC 9438 5.8 on the wire: in congestion avoidance (ssthresh = cwnd =
 * 4 segments), an application sending one segment per round trip for 2 s
 * leaves cwnd unused: cwnd stays 4 segments (W_cubic from W_max = cwnd
 * would have grown it by 0.4 x 2^3 = 3.2 segments) and the stage has not
 * begun. Once the application fills cwnd, ACKs grow it again. */
static void test_no_growth_while_application_limited(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.congestion = SYNACK_CONGESTION_CUBIC;
    conn_reinit(p, &c);
    conn_establish(p, 100 * MSEC, MSS, 65535);
    struct tcb *tcb = probe_tcb(p);
    tcb->ssthresh = tcb->cwnd; /* congestion avoidance from the start */
    assert_int_equal(tcb->cwnd, 4 * MSS);
    uint32_t seq = 1;
    for (int i = 0; i < 20; i++) {
        conn_send(p, conn_pattern(MSS), MSS);
        probe_expect_len(p, PSH | ACK, seq, 1, MSS);
        probe_expect_none(p);
        seq += MSS;
        p->now += 100 * MSEC;
        conn_ack(p, seq);
        assert_int_equal(tcb->cwnd, 4 * MSS);
        assert_int_equal(tcp_cubic_of(tcb)->t_epoch, 0);
    }
    conn_send(p, conn_pattern(8 * MSS), 8 * MSS);
    expect_segments(p, seq, 4);
    for (int i = 0; i < 4; i++) {
        p->now += 25 * MSEC;
        seq += MSS;
        conn_ack(p, seq);
        probe_drain(p);
    }
    assert_true(tcb->cwnd > 4 * MSS);
}

/* TCP_CONGESTION as Linux has it: a name, read back NUL-padded; an
 * unknown one is ENOENT and changes nothing; STATUS says which runs. */
static void test_tcp_congestion_sets_and_reads_the_name(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, MSS, 65535);
    char name[16];
    size_t len = sizeof name;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, name, &len),
                     0);
    assert_int_equal(len, 16);
    assert_string_equal(name, "reno");
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "cubic", 5, p->now),
                     0);
    assert_int_equal(conn_info(p).congestion, SYNACK_CONGESTION_CUBIC);
    len = 5;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, name, &len),
                     0);
    assert_int_equal(len, 5);
    assert_memory_equal(name, "cubic", 5);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "vegas", 6, p->now),
                     -ENOENT);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "cubicx", 6, p->now),
                     -ENOENT);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "cub", 3, p->now),
                     -ENOENT);
    assert_int_equal(conn_info(p).congestion, SYNACK_CONGESTION_CUBIC);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "reno\0\0", 6, p->now),
                     0);
    assert_int_equal(conn_info(p).congestion, SYNACK_CONGESTION_NEWRENO);
}

/* A bad config.congestion is refused by name. */
static void test_config_refuses_an_unknown_congestion(void **state)
{
    (void)state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = 0xc0000201u;
    assert_null(synack_config_check(&c));
    assert_int_equal(c.congestion, SYNACK_CONGESTION_NEWRENO);
    c.congestion = SYNACK_CONGESTION_BBR + 1;
    assert_non_null(synack_config_check(&c));
    assert_non_null(strstr(synack_config_check(&c), "congestion"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        cmocka_unit_test(test_k_and_w_cubic_are_the_rfc_formulas),
        cmocka_unit_test(test_window_follows_w_cubic_through_k),
        cmocka_unit_test(test_reno_friendly_region_grows_by_alpha_per_round_trip),
        cmocka_unit_test(test_reno_friendly_alpha_becomes_one_at_cwnd_prior),
        cmocka_unit_test(test_fast_convergence_lowers_w_max),
        cmocka_unit_test(test_after_a_timeout_k_is_zero),
        cmocka_unit_test(test_slow_start_is_rfc5681s),
        cmocka_unit_test(test_config_refuses_an_unknown_congestion),
        T(test_config_cubic_answers_a_loss_with_beta_0_7),
        T(test_no_growth_while_application_limited),
        T(test_tcp_congestion_sets_and_reads_the_name),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

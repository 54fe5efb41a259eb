/* HyStart++ (RFC 9406) in the initial slow start of NewReno and CUBIC:
 * rounds of ACKs with chosen RTTs drive a TCB's slow start (a rise of the
 * round's minimum RTT by RttThresh leaves it for Conservative Slow Start,
 * a fall back below the baseline returns to it, CSS_ROUNDS rounds of CSS
 * end it with ssthresh = cwnd, a loss ends it as usual); then two stacks
 * over a 10 Mbit/s path with a deep buffer: slow start ends on the
 * queue's delay, before any loss. */
#include <stdlib.h>
#include <string.h>

#include "support/pair.h"
#include "support/probe.h"

#include "core/stack_internal.h"
#include "socket/sock.h"
#include "tcp/tcp_internal.h"

#define MSS 1000u
#define MS SYNACK_MSEC

/* A TCB in its initial slow start, 10 segments in flight. */
static struct tcb *ss_tcb(const struct tcp_cc_ops *cc)
{
    struct tcb *tcb = calloc(1, sizeof *tcb);
    assert_non_null(tcb);
    tcb->snd_mss = MSS;
    tcb->cc = cc;
    tcb->flags = TF_CONNECTED;
    tcb->sb.cap = 1u << 30; /* cwnd's bound: far away */
    tcb->snd_una = 1000;
    assert_true(cc_init(tcb));
    tcb->cwnd = 10 * MSS;
    tcb->snd_nxt = tcb->snd_max = tcb->snd_una + tcb->cwnd;
    return tcb;
}

/* One round as HyStart++ counts it (until SND.UNA passes windowEnd):
 * each ACK acknowledges a segment and is an RTT sample of rtt; new data
 * goes as cwnd allows. *acks says how many ACKs; returns the growth. */
static uint32_t round_trip(struct tcb *tcb, uint64_t rtt, uint64_t *now, uint32_t *acks)
{
    struct tcp_hystart *h = tcp_hystart_of(tcb);
    uint32_t before = tcb->cwnd, we = h->started ? h->window_end : 0, n = 0;
    do {
        *now += rtt / 16;
        cc_rtt_sample(tcb, rtt);
        tcb->snd_una += MSS;
        cc_grow(tcb, MSS, *now);
        tcb->snd_nxt = tcb->snd_max = tcb->snd_una + tcb->cwnd / MSS * MSS;
        if (!we)
            we = h->window_end;
        n++;
    } while (seq_lt(tcb->snd_una, we));
    if (acks)
        *acks = n;
    return tcb->cwnd - before;
}

/* 4.2: three rounds at 100 ms, slow start doubling; a round at 115 ms
 * (RttThresh = 100 / 8 = 12.5 ms) enters CSS at its 8th sample: a quarter
 * of the growth; at the end of its fifth round in CSS (CSS_ROUNDS)
 * ssthresh = cwnd. */
static void test_delay_rise_leaves_slow_start(void **state)
{
    (void)state;
    struct tcb *tcb = ss_tcb(&tcp_cc_newreno);
    uint64_t now = 0;
    uint32_t n;
    for (int i = 0; i < 3; i++) {
        uint32_t g = round_trip(tcb, 100 * MS, &now, &n);
        assert_int_equal(g, n * MSS);
    }
    assert_false(tcp_hystart_of(tcb)->in_css);
    uint32_t grew = round_trip(tcb, 115 * MS, &now, &n);
    assert_true(tcp_hystart_of(tcb)->in_css);
    /* 8 ACKs of slow start, the rest at a quarter */
    assert_int_equal(grew, 7 * MSS + (n - 7) * (MSS / 4)); /* the 8th sample's ACK at a quarter */
    for (int i = 0; i < 3; i++) {
        uint32_t g = round_trip(tcb, 115 * MS, &now, &n);
        assert_int_equal(g, n * (MSS / 4));
        assert_int_equal(tcb->ssthresh, UINT32_MAX);
    }
    /* the fifth round in CSS (the one it began in counts) ends it:
     * ssthresh = cwnd, congestion avoidance */
    round_trip(tcb, 115 * MS, &now, &n);
    assert_int_equal(tcb->ssthresh, tcb->cwnd);
    free(tcb);
}

/* An RTT that does not rise (1 ms a round) never leaves slow start. */
static void test_steady_rtt_keeps_slow_start(void **state)
{
    (void)state;
    struct tcb *tcb = ss_tcb(&tcp_cc_newreno);
    uint64_t now = 0;
    uint32_t n;
    for (int i = 0; i < 8; i++) {
        uint32_t g = round_trip(tcb, (100 + (uint64_t)i) * MS, &now, &n);
        assert_int_equal(g, n * MSS);
    }
    assert_int_equal(tcb->ssthresh, UINT32_MAX);
    free(tcb);
}

/* In CSS a round whose minimum is below the baseline was a spurious rise:
 * back to slow start (4.2), after that round's 8 samples. */
static void test_css_back_to_slow_start_when_rtt_falls(void **state)
{
    (void)state;
    struct tcb *tcb = ss_tcb(&tcp_cc_newreno);
    uint64_t now = 0;
    uint32_t n;
    for (int i = 0; i < 3; i++)
        round_trip(tcb, 100 * MS, &now, &n);
    round_trip(tcb, 130 * MS, &now, &n);
    assert_true(tcp_hystart_of(tcb)->in_css);
    uint32_t grew = round_trip(tcb, 100 * MS, &now, &n);
    assert_false(tcp_hystart_of(tcb)->in_css);
    assert_int_equal(grew, 7 * (MSS / 4) + (n - 7) * MSS);
    assert_int_equal(tcb->ssthresh, UINT32_MAX);
    free(tcb);
}

/* A loss in CSS ends HyStart++ as in slow start: CUBIC's state was
 * HyStart++'s and starts clean, ssthresh = 0.7 FlightSize, W_max = cwnd. */
static void test_loss_ends_it_and_cubic_starts_clean(void **state)
{
    (void)state;
    struct tcb *tcb = ss_tcb(&tcp_cc_cubic);
    uint64_t now = 0;
    for (int i = 0; i < 3; i++)
        round_trip(tcb, 100 * MS, &now, NULL);
    round_trip(tcb, 130 * MS, &now, NULL);
    assert_true(tcp_hystart_of(tcb)->in_css);
    uint32_t cwnd = tcb->cwnd;
    tcb->ssthresh = cc_ssthresh(tcb, cwnd);
    struct tcp_cubic *c = tcp_cubic_of(tcb);
    assert_int_equal(tcb->ssthresh, (uint32_t)(cwnd * 0.7));
    assert_int_equal(c->w_max, cwnd);
    assert_int_equal(c->cwnd_prior, cwnd);
    assert_int_equal(c->t_epoch, 0);
    free(tcb);
}

/* On the wire: NewReno and CUBIC from one stack to another over 10 Mbit/s,
 * 20 ms, and a buffer of 1000 packets (far more than the BDP of 17): the
 * queue's delay ends slow start (ssthresh set) before any loss, at about
 * 124 KB and a 44 ms SRTT; without HyStart++ slow start went on for the
 * 10 s (cwnd at the send buffer's bound, SRTT 215 ms). */
static void slow_start_ends_before_loss(uint8_t cc)
{
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.congestion = cc;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = 10 * MS;
    lc.rate_bps = 10000000;
    lc.queue_limit = 1000;
    struct pair p;
    int srv, cli;
    assert_int_equal(pair_init(&p, &cfg, &lc), 0);
    assert_true(pair_connect(&p, 6200, &srv, &cli) >= 0);
    struct tcb *tcb = p.st[0]->sockets->v[srv].tcb;
    static uint8_t buf[65536];
    uint64_t start = p.now;
    do {
        while (synack_socket_send(p.st[0], srv, buf, sizeof buf, 0, p.now) > 0)
            ;
        while (synack_socket_recv(p.st[1], cli, buf, sizeof buf, 0, p.now) > 0)
            ;
    } while (tcb->ssthresh == UINT32_MAX && tcb->total_retrans == 0 &&
             pair_step(&p, start + 10 * SYNACK_SEC));
    print_message("%s: slow start ended at cwnd %u, SRTT %u us\n", cc ? "cubic" : "reno", tcb->cwnd,
                  tcb->srtt);
    if (tcb->ssthresh == UINT32_MAX || tcb->total_retrans)
        fail_msg("%s: ssthresh %u, %llu retransmissions", cc ? "cubic" : "reno", tcb->ssthresh,
                 (unsigned long long)tcb->total_retrans);
    pair_free(&p);
}

static void test_on_the_wire_slow_start_ends_before_loss(void **state)
{
    (void)state;
    slow_start_ends_before_loss(SYNACK_CONGESTION_NEWRENO);
    slow_start_ends_before_loss(SYNACK_CONGESTION_CUBIC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_rise_leaves_slow_start),
        cmocka_unit_test(test_steady_rtt_keeps_slow_start),
        cmocka_unit_test(test_css_back_to_slow_start_when_rtt_falls),
        cmocka_unit_test(test_loss_ends_it_and_cubic_starts_clean),
        cmocka_unit_test(test_on_the_wire_slow_start_ends_before_loss),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

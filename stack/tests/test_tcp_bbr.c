/* BBR (draft-ietf-ccwg-bbr, tcp_bbr.c) between two stacks on a memory link
 * in virtual time: a 10 Mbit/s bottleneck with a 20 ms RTT. Startup ends
 * once the bandwidth stops growing and the estimate is the bottleneck's;
 * after 10 s without a lower RTT ProbeRTT holds 4 segments for 200 ms and
 * a round trip; a loss is answered without a lasting cut of cwnd; beside
 * NewReno, CUBIC or another BBR neither flow starves. The
 * pacing gaps on the wire are vectors/congestion/bbr-paces-*.pkt's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "support/pair.h"
#include "support/probe.h"

#include "core/stack_internal.h"
#include "socket/sock.h"
#include "tcp/tcp_internal.h"

#define RATE_BPS 10000000ull  /* the bottleneck: 10 Mbit/s */
#define ONE_WAY (10 * SYNACK_MSEC)
#define PORT 6100

struct bulk {
    struct pair p;
    int srv, cli;
    uint64_t received;
};

static void bulk_init(struct bulk *b, double loss, uint64_t seed, uint8_t cc)
{
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.congestion = cc;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = ONE_WAY;
    lc.rate_bps = RATE_BPS;
    lc.queue_limit = 100; /* a bottleneck with a buffer of 100 packets */
    lc.loss = loss;
    lc.seed = seed;
    memset(b, 0, sizeof *b);
    assert_int_equal(pair_init(&b->p, &cfg, &lc), 0);
    assert_true(pair_connect(&b->p, PORT, &b->srv, &b->cli) >= 0);
}

/* The sender's TCB (stack 0's accepted socket). */
static struct tcb *sender(struct bulk *b)
{
    return b->p.st[0]->sockets->v[b->srv].tcb;
}

/* Keep the sender's buffer full and read everything at the receiver. */
static void pump(struct bulk *b)
{
    static uint8_t buf[65536];
    while (synack_socket_send(b->p.st[0], b->srv, buf, sizeof buf, 0, b->p.now) > 0)
        ;
    ssize_t r;
    while ((r = synack_socket_recv(b->p.st[1], b->cli, buf, sizeof buf, 0, b->p.now)) > 0)
        b->received += (uint64_t)r;
}

static struct tcp_bbr_view view(struct bulk *b)
{
    struct tcp_bbr_view v;
    assert_true(tcp_bbr_view(sender(b), &v));
    return v;
}

/* One event of the link or a stack, the applications after it. */
static bool step(struct bulk *b, uint64_t limit)
{
    pump(b);
    return pair_step(&b->p, limit);
}

/* Startup doubles the rate each round until three rounds bring less than
 * 25% more; then Drain, then ProbeBW. The estimate is the bottleneck's
 * rate (less the headers: 1460 of 1500 octets), and the pacing rate follows
 * it within ProbeBW's gains (0.75 to 1.25, less 1%). */
static void test_startup_ends_when_the_bandwidth_stops_growing(void **state)
{
    (void)state;
    struct bulk b;
    bulk_init(&b, 0, 1, SYNACK_CONGESTION_BBR);
    uint64_t start = b.p.now, left_startup = 0;
    bool drained = false;
    while (step(&b, start + 5 * SYNACK_SEC)) {
        struct tcp_bbr_view v = view(&b);
        if (!left_startup && v.state != BBR_STARTUP)
            left_startup = b.p.now;
        if (v.state == BBR_PROBE_BW)
            drained = true;
    }
    struct tcp_bbr_view v = view(&b);
    assert_true(v.filled_pipe);
    assert_true(left_startup > start);
    assert_true(left_startup - start < SYNACK_SEC); /* about 10 rounds of 20 ms */
    assert_true(drained);
    double path = RATE_BPS / 8.0 * 1460 / 1500;
    if (v.max_bw < 0.9 * path || v.max_bw > 1.1 * path)
        fail_msg("max_bw %llu octets/s, the path's %.0f", (unsigned long long)v.max_bw, path);
    if (v.pacing_rate < 0.7 * path || v.pacing_rate > 1.3 * path)
        fail_msg("pacing_rate %llu, the path's %.0f", (unsigned long long)v.pacing_rate, path);
    /* the goodput over the 5 s is most of the path's */
    double goodput = (double)b.received / 5.0;
    if (goodput < 0.8 * path)
        fail_msg("goodput %.0f octets/s, the path's %.0f", goodput, path);
    pair_free(&b.p);
}

/* The queue BBR keeps (cwnd 2 BDP) never shows a lower RTT than the
 * handshake's, so 10 s after it ProbeRTT begins: cwnd 4 segments while it
 * lasts, at least 200 ms; then ProbeBW again with the cwnd before. */
static void test_probe_rtt_after_10_s_holds_4_segments(void **state)
{
    (void)state;
    struct bulk b;
    bulk_init(&b, 0, 1, SYNACK_CONGESTION_BBR);
    uint64_t start = b.p.now, entered = 0, left = 0;
    uint32_t max_cwnd_in = 0, cwnd_before = 0;
    while (step(&b, start + 13 * SYNACK_SEC)) {
        struct tcp_bbr_view v = view(&b);
        struct tcb *tcb = sender(&b);
        if (v.state == BBR_PROBE_RTT) {
            if (!entered)
                entered = b.p.now;
            else if (tcb->cwnd > max_cwnd_in)
                max_cwnd_in = tcb->cwnd;
        } else if (entered && !left) {
            left = b.p.now;
            /* the cwnd before, restored (the model's target may have
             * moved a little meanwhile: 95% here) */
            if ((double)tcb->cwnd < 0.9 * cwnd_before)
                fail_msg("cwnd %u after ProbeRTT, %u before", tcb->cwnd, cwnd_before);
        } else if (!entered) {
            cwnd_before = tcb->cwnd;
        }
    }
    if (!entered || entered - start < 10 * SYNACK_SEC || entered - start > 11 * SYNACK_SEC)
        fail_msg("ProbeRTT at %.3f s", (double)(entered - start) / SYNACK_SEC);
    assert_int_equal(max_cwnd_in, 4u * sender(&b)->snd_mss);
    assert_true(left > entered);
    assert_true(left - entered >= 200 * SYNACK_MSEC);
    assert_true(left - entered < 400 * SYNACK_MSEC);
    assert_true(cwnd_before > 8u * sender(&b)->snd_mss);
    pair_free(&b.p);
}

/* Loss recoveries at 1% random loss, once the pipe is full: cwnd after
 * each recovery is at least 90% of cwnd before the loss (the model's
 * target may have moved meanwhile). NewReno's would be about half. */
static unsigned recoveries_cut(uint8_t cc, unsigned *episodes)
{
    struct bulk b;
    bulk_init(&b, 0.01, 7, cc);
    uint64_t start = b.p.now;
    uint32_t before = 0, prev = 0;
    bool in = false;
    unsigned cut = 0;
    *episodes = 0;
    while (step(&b, start + 5 * SYNACK_SEC)) {
        struct tcb *tcb = sender(&b);
        bool rec = (tcb->flags & (TF_IN_RECOVERY | TF_IN_LOSS)) != 0;
        if (rec && !in)
            before = prev;
        if (!rec && in && b.p.now - start > SYNACK_SEC) {
            (*episodes)++;
            if ((double)tcb->cwnd < 0.9 * before)
                cut++;
        }
        in = rec;
        prev = tcb->cwnd;
    }
    pair_free(&b.p);
    return cut;
}

static void test_a_loss_costs_no_lasting_cut(void **state)
{
    (void)state;
    unsigned n, cut = recoveries_cut(SYNACK_CONGESTION_BBR, &n);
    if (n < 5 || cut > n / 10)
        fail_msg("bbr: %u of %u recoveries cut cwnd", cut, n);
    /* the check itself: NewReno halves */
    unsigned cut_reno = recoveries_cut(SYNACK_CONGESTION_NEWRENO, &n);
    if (n < 5 || cut_reno < n / 2)
        fail_msg("reno: %u of %u recoveries cut cwnd", cut_reno, n);
}

/* TCP_CONGESTION "bbr" on an established connection starts the model
 * from its cwnd; another name frees it. */
static void test_tcp_congestion_bbr_and_back(void **state)
{
    (void)state;
    struct bulk b;
    bulk_init(&b, 0, 1, SYNACK_CONGESTION_NEWRENO);
    struct tcp_bbr_view v;
    assert_false(tcp_bbr_view(sender(&b), &v));
    assert_int_equal(synack_socket_setsockopt(b.p.st[0], b.srv, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "bbr", 3, b.p.now),
                     0);
    assert_true(tcp_bbr_view(sender(&b), &v));
    assert_int_equal(v.state, BBR_STARTUP);
    char name[16] = {0};
    size_t len = sizeof name;
    assert_int_equal(synack_socket_getsockopt(b.p.st[0], b.srv, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, name, &len),
                     0);
    assert_string_equal(name, "bbr");
    uint64_t start = b.p.now;
    while (step(&b, start + SYNACK_SEC))
        ;
    assert_true(b.received > 0);
    assert_int_equal(synack_socket_setsockopt(b.p.st[0], b.srv, SYNACK_SOL_TCP,
                                              SYNACK_TCP_CONGESTION, "reno", 4, b.p.now),
                     0);
    assert_false(tcp_bbr_view(sender(&b), &v));
    pair_free(&b.p);
}

/* Two flows share the bottleneck: BBR beside NewReno (or BBR), 30 s; the
 * shares are printed, and neither may starve the other: each gets at least
 * 10% of what went through. One run per buffer depth (queue_limit 10, a
 * shallow buffer below the BDP of 17 packets, and 100, a deep one). */
static void share(uint8_t cc_a, uint8_t cc_b, size_t queue, double *a, double *b)
{
    struct synack_config cfg;
    synack_config_default(&cfg);
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = ONE_WAY;
    lc.rate_bps = RATE_BPS;
    lc.queue_limit = queue;
    struct pair p;
    int srv[2], cli[2];
    uint64_t got[2] = {0, 0};
    assert_int_equal(pair_init(&p, &cfg, &lc), 0);
    const char *names[] = {"reno", "cubic", "bbr"};
    uint8_t ccs[2] = {cc_a, cc_b};
    for (int i = 0; i < 2; i++) {
        assert_true(pair_connect(&p, (uint16_t)(PORT + 10 + i), &srv[i], &cli[i]) >= 0);
        assert_int_equal(synack_socket_setsockopt(p.st[0], srv[i], SYNACK_SOL_TCP,
                                                  SYNACK_TCP_CONGESTION, names[ccs[i]],
                                                  strlen(names[ccs[i]]), p.now),
                         0);
    }
    uint64_t start = p.now;
    static uint8_t buf[65536];
    do {
        for (int i = 0; i < 2; i++) {
            while (synack_socket_send(p.st[0], srv[i], buf, sizeof buf, 0, p.now) > 0)
                ;
            ssize_t r;
            while ((r = synack_socket_recv(p.st[1], cli[i], buf, sizeof buf, 0, p.now)) > 0)
                got[i] += (uint64_t)r;
        }
    } while (pair_step(&p, start + 30 * SYNACK_SEC));
    *a = (double)got[0] * 8 / 30 / 1e6;
    *b = (double)got[1] * 8 / 30 / 1e6;
    pair_free(&p);
}

static void test_shares_the_bottleneck_without_starving(void **state)
{
    (void)state;
    static const size_t queues[] = {10, 100};
    static const uint8_t others[] = {SYNACK_CONGESTION_NEWRENO, SYNACK_CONGESTION_CUBIC,
                                     SYNACK_CONGESTION_BBR};
    for (size_t q = 0; q < 2; q++)
        for (size_t o = 0; o < 3; o++) {
            double a, b;
            share(SYNACK_CONGESTION_BBR, others[o], queues[q], &a, &b);
            print_message("bbr %.2f Mbit/s beside %s %.2f Mbit/s (queue %zu packets)\n", a,
                          others[o] == SYNACK_CONGESTION_NEWRENO ? "reno"
                          : others[o] == SYNACK_CONGESTION_CUBIC ? "cubic" : "bbr",
                          b, queues[q]);
            if (a < 0.1 * (a + b) || b < 0.1 * (a + b))
                fail_msg("a flow starved: %.2f and %.2f Mbit/s", a, b);
        }
}

/* Fill the sender's buffer; read at the receiver only when `read`. */
static bool step_reading(struct bulk *b, uint64_t limit, bool read)
{
    static uint8_t buf[65536];
    while (synack_socket_send(b->p.st[0], b->srv, buf, sizeof buf, 0, b->p.now) > 0)
        ;
    ssize_t r;
    while (read && (r = synack_socket_recv(b->p.st[1], b->cli, buf, sizeof buf, 0, b->p.now)) > 0)
        b->received += (uint64_t)r;
    return pair_step(&b->p, limit);
}

/* A receiver that stops reading for two minutes (its window closed, the
 * sender probing it) and then reads again: the model's rounds of one
 * probe octet each must not leave the sender paced at the probes' rate.
 * Within 10 s of the window opening it is back near the path's rate. */
static void test_a_long_zero_window_does_not_collapse_the_rate(void **state)
{
    (void)state;
    struct bulk b;
    bulk_init(&b, 0, 1, SYNACK_CONGESTION_BBR);
    uint64_t t0 = b.p.now;
    while (step_reading(&b, t0 + 5 * SYNACK_SEC, true))
        ;
    while (step_reading(&b, t0 + 125 * SYNACK_SEC, false))
        ;
    b.p.now = t0 + 125 * SYNACK_SEC; /* the next probe may be later */
    struct tcp_bbr_view v = view(&b);
    uint64_t before = b.received;
    while (step_reading(&b, t0 + 135 * SYNACK_SEC, true))
        ;
    double path = RATE_BPS / 8.0 * 1460 / 1500;
    double got = (double)(b.received - before) / 10.0;
    if (got < 0.5 * path)
        fail_msg("%.0f octets/s in the 10 s after the window opened (the path's %.0f; "
                 "at the opening max_bw %llu, pacing %llu)",
                 got, path, (unsigned long long)v.max_bw, (unsigned long long)v.pacing_rate);
    pair_free(&b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_long_zero_window_does_not_collapse_the_rate),
        cmocka_unit_test(test_startup_ends_when_the_bandwidth_stops_growing),
        cmocka_unit_test(test_probe_rtt_after_10_s_holds_4_segments),
        cmocka_unit_test(test_a_loss_costs_no_lasting_cut),
        cmocka_unit_test(test_tcp_congestion_bbr_and_back),
        cmocka_unit_test(test_shares_the_bottleneck_without_starving),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

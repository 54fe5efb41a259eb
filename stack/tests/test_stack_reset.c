/* synack_stack_reset: a used stack, reset, sends octet for octet what a new
 * stack sends and counts what it counts, whatever it held before (sockets,
 * connections in every table, timers, fragments, another configuration);
 * a bad configuration is refused with the stack left as it was. */
#include <errno.h>

#include "support/conn.h"

#define LOG_MAX (1u << 20)

/* The link: every datagram the stack sends, one after another, each
 * preceded by its length and time. */
struct wire_log {
    uint8_t *b;
    size_t len;
};

static int log_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct wire_log *w = ctx;
    assert_true(w->len + len + 16 <= LOG_MAX);
    memcpy(w->b + w->len, &len, sizeof len);
    memcpy(w->b + w->len + 8, &now, sizeof now);
    memcpy(w->b + w->len + 16, pkt, len);
    w->len += 16 + len;
    return 0;
}

static void seg(struct synack_stack *s, uint16_t sport, uint8_t flags, uint32_t seq, uint32_t ack,
                const void *data, size_t len, uint64_t now)
{
    uint8_t pkt[2048];
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    size_t n = probe_build_tcp(pkt, sizeof pkt, PROBE_PEER, PROBE_ADDR, sport, 8080, flags, seq,
                               ack, 65535, (flags & SYN) ? &o : NULL, data, len);
    synack_stack_input(s, pkt, n, now);
}

/* The ISN the stack put in its latest datagram (a SYN-ACK). */
static uint32_t last_seq(const struct wire_log *w)
{
    size_t at = 0, last = 0;
    while (at < w->len) {
        size_t n;
        memcpy(&n, w->b + at, sizeof n);
        last = at;
        at += 16 + n;
    }
    const uint8_t *ip = w->b + last + 16;
    return synack_get32(ip + 20 + 4);
}

/* A bit of everything: a listener with an accepted connection that
 * exchanges data and closes, half-open connections in the SYN cache, a
 * TIME-WAIT record, an active open, a fragment waiting for the rest, and
 * the timers of all of them. */
static void life(struct synack_stack *s, struct wire_log *w, uint64_t *now)
{
    int l = synack_socket(s);
    assert_true(l >= 0);
    assert_int_equal(synack_socket_bind(s, l, 0, 8080), 0);
    assert_int_equal(synack_socket_listen(s, l, 8), 0);
    seg(s, 40000, SYN, 1000, 0, NULL, 0, *now);
    uint32_t iss = last_seq(w);
    *now += 10 * MSEC;
    seg(s, 40000, ACK, 1001, iss + 1, "hello", 5, *now);
    int c = synack_socket_accept(s, l, NULL, NULL);
    assert_true(c >= 0);
    char buf[16];
    assert_int_equal(synack_socket_recv(s, c, buf, sizeof buf, 0, *now), 5);
    assert_int_equal(synack_socket_send(s, c, "world", 5, 0, *now), 5);
    assert_int_equal(synack_socket_close(s, c, *now), 0);
    *now += 10 * MSEC;
    seg(s, 40000, ACK | FIN, 1006, iss + 7, NULL, 0, *now); /* our FIN acknowledged: TIME-WAIT */
    for (uint16_t p = 40001; p < 40004; p++)
        seg(s, p, SYN, 5000u * p, 0, NULL, 0, *now); /* left in the SYN cache */
    int a = synack_socket(s);
    assert_true(a >= 0);
    assert_int_equal(synack_socket_connect(s, a, PROBE_PEER, 80, *now), -EINPROGRESS);
    uint8_t frag[28] = {0x45, 0, 0, 28, 0, 7, 0x20, 0, 64, 6}; /* MF, offset 0 */
    synack_put32(frag + 12, PROBE_PEER);
    synack_put32(frag + 16, PROBE_ADDR);
    synack_put16(frag + 10, synack_cksum_fold(synack_cksum_add(0, frag, 20)));
    synack_stack_input(s, frag, sizeof frag, *now);
    for (int i = 0; i < 5; i++) {
        uint64_t d = synack_stack_deadline(s);
        if (d != SYNACK_TIME_NEVER && d > *now)
            *now = d;
        synack_stack_poll(s, *now);
    }
}

static void base(struct synack_config *c)
{
    synack_config_default(c);
    c->addr = PROBE_ADDR;
    c->rng_seed = 42;
}

/* Another configuration in every knob the tables are sized by. */
static void other(struct synack_config *c)
{
    base(c);
    c->max_sockets = 7;
    c->max_conns = 300;
    c->syncache_max = 64;
    c->timewait_max = 100;
    c->reasm_max = 3;
    c->mtu = 576;
    c->rng_seed = 7;
}

static void run(const struct synack_config *before, struct wire_log *w)
{
    struct synack_config cfg;
    base(&cfg);
    struct synack_link link = {.send = log_send, .ctx = w};
    struct synack_stack *s = synack_stack_new(before ? before : &cfg, &link, NULL);
    assert_non_null(s);
    uint64_t now = 1000 * SEC;
    if (before) {
        life(s, w, &now); /* left with everything in it */
        w->len = 0;
        assert_int_equal(synack_stack_reset(s, &cfg, &link), 0);
    }
    now = 1000 * SEC;
    life(s, w, &now);
    struct synack_counters cnt = *synack_stack_counters(s);
    struct synack_stack_usage u;
    synack_stack_usage(s, &u);
    synack_stack_free(s);
    log_send(w, (const uint8_t *)&cnt, sizeof cnt, 0);
    log_send(w, (const uint8_t *)&u, sizeof u, 0);
}

static void expect_like_new(const struct synack_config *before)
{
    struct wire_log fresh = {malloc(LOG_MAX), 0}, reset = {malloc(LOG_MAX), 0};
    assert_non_null(fresh.b);
    assert_non_null(reset.b);
    run(NULL, &fresh);
    run(before, &reset);
    assert_true(fresh.len > 1000);
    assert_int_equal(reset.len, fresh.len);
    assert_memory_equal(reset.b, fresh.b, fresh.len);
    free(fresh.b);
    free(reset.b);
}

static void test_reset_after_a_life_sends_what_a_new_stack_sends(void **state)
{
    (void)state;
    struct synack_config c;
    base(&c);
    expect_like_new(&c);
}

static void test_reset_from_another_configuration_sends_what_a_new_stack_sends(void **state)
{
    (void)state;
    struct synack_config c;
    other(&c);
    expect_like_new(&c);
}

static void test_reset_refuses_a_bad_configuration_and_keeps_the_stack(void **state)
{
    (void)state;
    struct wire_log w = {malloc(LOG_MAX), 0};
    assert_non_null(w.b);
    struct synack_config c, bad;
    base(&c);
    base(&bad);
    bad.max_conns = 0;
    struct synack_link link = {.send = log_send, .ctx = &w};
    struct synack_stack *s = synack_stack_new(&c, &link, NULL);
    assert_non_null(s);
    uint64_t now = 1000 * SEC;
    life(s, &w, &now);
    struct synack_stack_usage u;
    synack_stack_usage(s, &u);
    assert_int_equal(synack_stack_reset(s, &bad, &link), -EINVAL);
    assert_int_equal(synack_stack_reset(s, &c, NULL), -EINVAL);
    assert_int_equal(synack_stack_reset(NULL, &c, &link), -EINVAL);
    /* what life() leaves, which the other tests reset */
    assert_true(u.conns >= 2 && u.timewait == 1 && u.syncache == 3 && u.sockets == 2);
    assert_int_equal(synack_stack_counters(s)->ip_frag_in, 1);
    struct synack_stack_usage v;
    synack_stack_usage(s, &v);
    assert_memory_equal(&v, &u, sizeof u);
    assert_int_equal(synack_stack_reset(s, &c, &link), 0);
    synack_stack_usage(s, &v);
    struct synack_stack_usage none = {0};
    assert_memory_equal(&v, &none, sizeof v);
    assert_int_equal(synack_stack_counters(s)->ip_in, 0);
    synack_stack_free(s);
    free(w.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reset_after_a_life_sends_what_a_new_stack_sends),
        cmocka_unit_test(test_reset_from_another_configuration_sends_what_a_new_stack_sends),
        cmocka_unit_test(test_reset_refuses_a_bad_configuration_and_keeps_the_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

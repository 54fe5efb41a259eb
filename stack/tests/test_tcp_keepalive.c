/* Keep-alives (RFC 9293 3.8.4, MUST-24 to MUST-29, SHLD-12): off by
 * default, on and off per connection, an idle time of two hours unless
 * configured, sent only when idle, <SEQ=SND.NXT-1><ACK=RCV.NXT> without
 * data, and no single unanswered probe taken for a dead peer. One stack,
 * a fake peer, virtual time. */
#include <errno.h>

#include "support/conn.h"

static void set_keepalive(struct probe *p, int idle, int intvl, int cnt)
{
    if (idle)
        conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE, idle);
    if (intvl)
        conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL, intvl);
    if (cnt)
        conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT, cnt);
    conn_setopt(p, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 1);
}

static int getopt_int(struct probe *p, int level, int name)
{
    int v = -1;
    size_t len = sizeof v;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, level, name, &v, &len), 0);
    return v;
}

/* Run to the next deadline, which must be at `at`, and expect a probe:
 * SEQ = SND.NXT - 1 (relative 0 here), no data (SHLD-12). */
static void expect_keepalive_at(struct probe *p, uint64_t at)
{
    assert_int_equal(synack_stack_deadline(p->st), at);
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_expect_len(p, ACK, 0, p->pseq, 0);
    assert_int_equal(k->when, at);
    probe_expect_none(p);
}

/* MUST-25: off by default; three idle hours pass in silence. */
static void test_keepalive_is_off_by_default(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    assert_int_equal(getopt_int(p, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE), 0);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    probe_advance(p, 3 * 3600 * SEC);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_keepalive_probes), 0);
}

/* MUST-28: turned on without an idle time, the first probe goes after two
 * hours of silence, not before. */
static void test_default_idle_time_is_two_hours(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    assert_int_equal(getopt_int(p, SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE), 7200);
    uint64_t t0 = p->now;
    set_keepalive(p, 0, 0, 0);
    expect_keepalive_at(p, t0 + 7200 * SEC);
    conn_ack(p, 1);
    expect_keepalive_at(p, p->now + 7200 * SEC);
}

/* MUST-24, MUST-27: per connection, on and off, with its own interval. */
static void test_keepalive_is_switched_per_connection_with_its_interval(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    uint64_t t0 = p->now;
    set_keepalive(p, 60, 0, 0);
    expect_keepalive_at(p, t0 + 60 * SEC);
    conn_ack(p, 1);
    conn_setopt(p, SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 0);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    probe_advance(p, 3600 * SEC);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_keepalive_probes), 1);
}

/* MUST-26: only when no sent data is outstanding and nothing was received
 * for the interval: retransmissions of unacknowledged data go, probes do
 * not; any segment received starts the interval again. */
static void test_keepalive_only_when_idle(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    set_keepalive(p, 10, 5, 3);
    conn_send(p, "0123456789", 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    uint64_t t0 = p->now;
    while (p->now < t0 + 40 * SEC) { /* retransmissions at 1, 3, 7, 15, 31 s */
        assert_true(probe_to_deadline(p));
        while (probe_pending(p))
            probe_expect_len(p, ACK | PSH, 1, 1, 10);
    }
    assert_int_equal(CNT(p, tcp_keepalive_probes), 0);
    p->now = t0 + 45 * SEC;
    conn_ack(p, 11);
    uint64_t t1 = p->now;
    probe_advance(p, 8 * SEC);
    probe_inject(p, ACK, 1, 11, NULL, 0); /* heard from the peer: idle again from here */
    p->pseq = 1;
    struct probe_pkt *k;
    assert_int_equal(synack_stack_deadline(p->st), t1 + 18 * SEC);
    assert_true(probe_to_deadline(p));
    k = probe_expect_len(p, ACK, 10, 1, 0); /* SND.NXT - 1 = 10 */
    assert_int_equal(k->when, t1 + 18 * SEC);
}

/* MUST-29: unanswered probes are not a dead peer: after two lost probes
 * an answer puts the connection back to idle; only KEEPCNT unanswered in
 * a row end it (ETIMEDOUT, with a RST). */
static void test_lost_probes_are_tolerated_until_keepcnt(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    uint64_t t0 = p->now;
    set_keepalive(p, 60, 10, 3);
    expect_keepalive_at(p, t0 + 60 * SEC);
    expect_keepalive_at(p, t0 + 70 * SEC);
    p->now = t0 + 75 * SEC;
    conn_ack(p, 1);
    expect_keepalive_at(p, t0 + 135 * SEC);
    expect_keepalive_at(p, t0 + 145 * SEC);
    expect_keepalive_at(p, t0 + 155 * SEC);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_true(probe_to_deadline(p));
    assert_int_equal(p->now, t0 + 165 * SEC);
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    uint8_t b[1];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 1, 0, p->now), -ETIMEDOUT);
    assert_int_equal(CNT(p, tcp_keepalive_probes), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_keepalive_is_off_by_default),
        T(test_default_idle_time_is_two_hours),
        T(test_keepalive_is_switched_per_connection_with_its_interval),
        T(test_keepalive_only_when_idle),
        T(test_lost_probes_are_tolerated_until_keepcnt),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

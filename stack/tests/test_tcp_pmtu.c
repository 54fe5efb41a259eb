/* Path MTU discovery on the sending side (RFC 1191 3, 6.3; RFC 4821 7.7):
 * DF on what TCP sends unless IP_PMTUDISC_DONT, the socket options
 * IP_MTU_DISCOVER and IP_MTU, and black-hole detection's limits. The
 * ICMP side (fragmentation needed lowering the MSS) is test_stack_input.c's;
 * what a peer sees on the wire is vectors/pmtu/. */
#include <errno.h>
#include <string.h>

#include "support/conn.h"

static int getint(struct probe *p, int sd, int level, int name, int *v)
{
    size_t len = sizeof *v;
    return synack_socket_getsockopt(p->st, sd, level, name, v, &len);
}

static int setint(struct probe *p, int sd, int level, int name, int v)
{
    return synack_socket_setsockopt(p->st, sd, level, name, &v, sizeof v, p->now);
}

static bool df_of(const struct probe_pkt *k)
{
    return (k->ip.frag & SYNACK_IP_DF) != 0;
}

/* RFC 1191 3: DF on every segment, the handshake's and a RST's included. */
static void test_segments_carry_df(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(df_of(k));
    probe_free(p);
    probe_init(p, NULL);
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, "x", 1, 0, p->now), 1);
    k = probe_expect(p, ACK | PSH, 1, 1);
    assert_true(df_of(k));
    /* a segment to a closed port: the RST carries DF too */
    p->port = 4444;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    k = probe_expect(p, RST | ACK, PROBE_ANY, PROBE_ANY);
    assert_true(df_of(k));
}

/* IP_PMTUDISC_DONT: no DF on the connection's segments. */
static void test_dont_sends_without_df(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(setint(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER,
                            SYNACK_IP_PMTUDISC_DONT), 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, "x", 1, 0, p->now), 1);
    struct probe_pkt *k = probe_expect(p, ACK | PSH, 1, 1);
    assert_false(df_of(k));
}

/* A listener's choice goes to its children (the SYN-ACK without DF too). */
static void test_dont_inherited_from_listener(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    assert_int_equal(setint(p, p->lsd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER,
                            SYNACK_IP_PMTUDISC_DONT), 0);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_false(df_of(k));
}

static void test_mtu_discover_values(void **state)
{
    struct probe *p = *state;
    int sd = synack_socket(p->st), v = -1;
    assert_int_equal(getint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER, &v), 0);
    assert_int_equal(v, SYNACK_IP_PMTUDISC_WANT); /* Linux's default too */
    for (int want = 0; want <= SYNACK_IP_PMTUDISC_PROBE; want++) {
        assert_int_equal(setint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER, want), 0);
        assert_int_equal(getint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER, &v), 0);
        assert_int_equal(v, want);
    }
    assert_int_equal(setint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER, 4), -EINVAL);
    assert_int_equal(setint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER, -1), -EINVAL);
    /* IP_MTU: the path's, of a connected socket only (as Linux) */
    assert_int_equal(getint(p, sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU, &v), -ENOTCONN);
    probe_goto_established(p);
    assert_int_equal(getint(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU, &v), 0);
    assert_int_equal(v, 1500);
}

/* Black-hole detection is off by default, and on by the stack's
 * mtu_probing or the socket option. */
static void test_mtu_probing_default_and_option(void **state)
{
    struct probe *p = *state;
    int sd = synack_socket(p->st), v = -1;
    assert_int_equal(getint(p, sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(setint(p, sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, 1), 0);
    assert_int_equal(getint(p, sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, &v), 0);
    assert_int_equal(v, 1);
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.mtu_probing = 1;
    conn_reinit(p, &c);
    sd = synack_socket(p->st);
    assert_int_equal(getint(p, sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, &v), 0);
    assert_int_equal(v, 1);
}

/* The next retransmission by timeout: its sequence number and length. */
static size_t next_rto_segment(struct probe *p, uint32_t seq)
{
    probe_advance(p, probe_deadline_in(p));
    struct probe_pkt *k = probe_pop(p);
    if (!k)
        fail_msg("no retransmission of %u (connection state %d)", seq, probe_conn_state(p));
    assert_true(k->is_tcp);
    assert_int_equal(k->seq, seq);
    return k->th.payload_len;
}

static void lose_until_r1(struct probe *p, uint32_t len)
{
    for (int i = 0; i < 2; i++)
        assert_int_equal(next_rto_segment(p, 1), len);
    next_rto_segment(p, 1);
}

/* Full-sized segments vanish: after R1 timeouts the path MTU is 1024, and
 * after R1 more at that size it is pmtu_min. */
static void test_blackhole_steps(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(setint(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, 1), 0);
    char buf[1460] = {0};
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, sizeof buf, 0, p->now), 1460);
    probe_expect_len(p, ACK | PSH, 1, 1, 1460);
    lose_until_r1(p, 1460);
    assert_int_equal(p->last.th.payload_len, 1024 - 40);
    assert_int_equal(CNT(p, tcp_pmtu_blackhole), 1);
    int v;
    assert_int_equal(getint(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU, &v), 0);
    assert_int_equal(v, 1024);
    /* the rest gets through; a later loss at that size: pmtu_min, 552 */
    probe_inject(p, ACK, 1, 1 + 984, NULL, 0);
    probe_expect_len(p, ACK | PSH, 1 + 984, 1, 1460 - 984);
    probe_inject(p, ACK, 1, 1461, NULL, 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, 984, 0, p->now), 984);
    probe_expect_len(p, ACK | PSH, 1461, 1, 984);
    for (int i = 0; i < 3; i++)
        assert_int_equal(next_rto_segment(p, 1461), i < 2 ? 984 : 552 - 40);
    assert_int_equal(CNT(p, tcp_pmtu_blackhole), 2);
}

/* Never below pmtu_min (here 1400, above search_low): the first full-stop
 * timeout goes down to it, the next finds nothing lower. */
static void test_blackhole_floor_is_pmtu_min(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.pmtu_min = 1400;
    c.mtu_probing = 1;
    conn_reinit(p, &c);
    probe_goto_established(p);
    char buf[1460] = {0};
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, sizeof buf, 0, p->now), 1460);
    probe_expect_len(p, ACK | PSH, 1, 1, 1460);
    lose_until_r1(p, 1460);
    assert_int_equal(p->last.th.payload_len, 1400 - 40);
    probe_inject(p, ACK, 1, 1361, NULL, 0);
    probe_expect_len(p, ACK | PSH, 1361, 1, 100);
    probe_inject(p, ACK, 1, 1461, NULL, 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, 1360, 0, p->now), 1360);
    probe_expect_len(p, ACK | PSH, 1461, 1, 1360);
    for (int i = 0; i < 3; i++)
        assert_int_equal(next_rto_segment(p, 1461), 1360);
    assert_int_equal(CNT(p, tcp_pmtu_blackhole), 1);
}

/* Without the option, or with IP_PMTUDISC_DONT, nothing changes. */
static void test_blackhole_off_changes_nothing(void **state)
{
    struct probe *p = *state;
    for (int dont = 0; dont < 2; dont++) {
        probe_free(p);
        probe_init(p, NULL);
        probe_goto_established(p);
        if (dont) {
            assert_int_equal(setint(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_MTU_PROBING, 1), 0);
            assert_int_equal(setint(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_MTU_DISCOVER,
                                    SYNACK_IP_PMTUDISC_DONT), 0);
        }
        char buf[1460] = {0};
        assert_int_equal(synack_socket_send(p->st, p->sd, buf, sizeof buf, 0, p->now), 1460);
        probe_expect_len(p, ACK | PSH, 1, 1, 1460);
        lose_until_r1(p, 1460);
        assert_int_equal(p->last.th.payload_len, 1460);
        assert_int_equal(CNT(p, tcp_pmtu_blackhole), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_segments_carry_df, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_dont_sends_without_df, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_dont_inherited_from_listener, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_mtu_discover_values, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_mtu_probing_default_and_option, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_blackhole_steps, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_blackhole_floor_is_pmtu_min, conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_blackhole_off_changes_nothing, conn_setup, conn_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

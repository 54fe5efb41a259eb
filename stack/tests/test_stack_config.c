/* The configuration's bounds (synack_config_check, core/config.c): each
 * rejected configuration is named in the reason and refused by
 * synack_stack_new with -EINVAL, the bound itself is accepted, and a stack
 * at every upper bound at once still serves a connection whose timers back
 * off to their caps without wrapping. */
#include <errno.h>

#include "support/conn.h"

static int discard(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)ctx, (void)pkt, (void)len, (void)now;
    return 0;
}

static void base(struct synack_config *c)
{
    synack_config_default(c);
    c->addr = PROBE_ADDR;
}

/* The reason starts with the knob's name, and the stack is refused. */
static void expect_refused(const struct synack_config *c, const char *knob)
{
    const char *why = synack_config_check(c);
    assert_non_null(why);
    if (strncmp(why, knob, strlen(knob)) != 0)
        fail_msg("expected a reason naming %s, got \"%s\"", knob, why);
    struct synack_link link = {.send = discard};
    int e = 0;
    assert_null(synack_stack_new(c, &link, &e));
    assert_int_equal(e, -EINVAL);
}

static void expect_accepted(const struct synack_config *c)
{
    const char *why = synack_config_check(c);
    if (why)
        fail_msg("refused: %s", why);
    struct synack_link link = {.send = discard};
    int e = 0;
    struct synack_stack *s = synack_stack_new(c, &link, &e);
    assert_non_null(s);
    synack_stack_free(s);
}

#define HOUR (3600 * SEC)
#define DAY (24 * HOUR)

/* Each time knob at its bound is taken, one microsecond more is refused by
 * name: MSL, RTO_MAX, R2 and the rest reach now + 2*MSL, RTO << 16 and the
 * like, which a larger value could wrap. */
static void test_every_time_has_an_upper_bound_named_in_the_error(void **state)
{
    (void)state;
    static const struct {
        const char *knob;
        size_t off;
        uint64_t max;
    } cases[] = {
#define C(f, max) {#f, offsetof(struct synack_config, f), max}
        C(msl, HOUR),           C(rto_max, HOUR),         C(rto_syn_lost, HOUR),
        C(r2, DAY),             C(r2_syn, DAY),           C(persist_max, HOUR),
        C(fin_wait_2, DAY),     C(keepalive_idle, 32767 * SEC),
        C(keepalive_intvl, 32767 * SEC),                  C(pmtu_expires, DAY),
        C(reasm_timeout, HOUR),
#undef C
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_config c;
        base(&c);
        uint64_t v = cases[i].max;
        memcpy((char *)&c + cases[i].off, &v, sizeof v);
        expect_accepted(&c);
        v++;
        memcpy((char *)&c + cases[i].off, &v, sizeof v);
        expect_refused(&c, cases[i].knob);
        v = UINT64_MAX;
        memcpy((char *)&c + cases[i].off, &v, sizeof v);
        expect_refused(&c, cases[i].knob);
    }
}

/* RFC 6298: rto_min <= rto_initial <= rto_max; each way of breaking it is
 * named. */
static void test_rto_bounds_are_cross_checked(void **state)
{
    (void)state;
    struct synack_config c;
    base(&c);
    c.rto_initial = c.rto_min - 1;
    expect_refused(&c, "rto_initial");
    base(&c);
    c.rto_initial = c.rto_max + 1;
    expect_refused(&c, "rto_initial");
    base(&c);
    c.rto_max = c.rto_min - 1;
    expect_refused(&c, "rto_max");
    base(&c);
    c.rto_min = c.rto_initial = c.rto_max; /* all equal: taken */
    expect_accepted(&c);
    base(&c);
    c.rto_min = 0;
    expect_refused(&c, "rto_min");
    base(&c);
    c.msl = 0;
    expect_refused(&c, "msl");
    base(&c);
    c.delack = 500 * MSEC;
    expect_refused(&c, "delack");
}

/* Buffers: a window is at most 65535 << 14 octets (RFC 7323 2.3), so
 * neither a buffer nor cwnd, which is bounded by the send buffer, comes
 * near 2^32. keepalive_cnt has TCP_KEEPCNT's bound. */
static void test_buffers_and_counts_are_bounded(void **state)
{
    (void)state;
    static const struct {
        const char *knob;
        size_t off;
    } bufs[] = {{"sndbuf", offsetof(struct synack_config, sndbuf)},
                {"rcvbuf", offsetof(struct synack_config, rcvbuf)},
                {"sndbuf, rcvbuf, buf_max", offsetof(struct synack_config, buf_max)},
                {"sndbuf, rcvbuf, buf_max, rcvbuf_max", offsetof(struct synack_config, rcvbuf_max)}};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) {
        struct synack_config c;
        base(&c);
        uint32_t v = 1u << 30;
        memcpy((char *)&c + bufs[i].off, &v, sizeof v);
        expect_accepted(&c);
        v++;
        memcpy((char *)&c + bufs[i].off, &v, sizeof v);
        expect_refused(&c, i < 2 ? "sndbuf, rcvbuf" : bufs[i].knob);
    }
    struct synack_config c;
    base(&c);
    c.keepalive_cnt = 127;
    expect_accepted(&c);
    c.keepalive_cnt = 128;
    expect_refused(&c, "keepalive_cnt");
    base(&c);
    c.addr = 0;
    expect_refused(&c, "addr");
    base(&c);
    c.mtu = 67;
    expect_refused(&c, "mtu");
    base(&c);
    c.ephemeral_hi = (uint16_t)(c.ephemeral_lo - 1);
    expect_refused(&c, "ephemeral_lo");
    base(&c);
    c.recovery = 3;
    expect_refused(&c, "recovery");
    base(&c);
    c.reasm_mem_max = c.reasm_dgram_max;
    expect_refused(&c, "reasm_mem_max");
}

/* Attack the bounds: every time at its maximum at once, and a connection
 * whose peer never answers. The RTO backs off to rto_max (1 hour) and
 * stays there, every deadline lies ahead of now, none wraps; the
 * connection gives up after R2 (1 day) as it should. */
static void test_a_stack_at_every_upper_bound_still_times_out_in_order(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    base(&c);
    c.msl = c.rto_max = c.rto_syn_lost = c.persist_max = HOUR;
    c.r2 = c.r2_syn = c.fin_wait_2 = c.pmtu_expires = DAY;
    c.keepalive_idle = c.keepalive_intvl = 32767 * SEC;
    c.rto_initial = HOUR;
    conn_reinit(p, &c);
    conn_establish(p, 0, 1000, 65535);
    conn_send(p, conn_pattern(1000), 1000);
    probe_expect_len(p, PSH | ACK, 1, 1, 1000);
    uint64_t t0 = p->now, last = p->now;
    int rexmt = 0;
    while (probe_conn_state(p) == SYNACK_ESTABLISHED && rexmt < 100) {
        uint64_t in = probe_deadline_in(p);
        assert_true(in > 0 && in <= HOUR);
        assert_true(probe_to_deadline(p));
        assert_true(p->now > last);
        last = p->now;
        if (probe_pop(p))
            rexmt++;
    }
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    /* the handshake's sample set RTO to rto_min (1 s): 12 back-offs to
     * 2048 s, then one an hour until R2, a day after the first */
    assert_true(rexmt >= 33 && rexmt <= 36);
    assert_true(p->now - t0 >= DAY && p->now - t0 <= DAY + 2 * HOUR);
}

/* The SYN-ACK's TSval for a SYN from port sport carrying timestamps, at
 * the probe's time. */
static uint32_t syn_ack_tsval(struct probe *p, uint16_t sport)
{
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_TS, .mss = 1460,
                                .ts_val = 1000};
    p->peer_port = sport;
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(k->th.opts.present & TCPOPT_F_TS);
    return k->th.opts.ts_val;
}

/* more_addrs (a multihomed host): each refused configuration is named;
 * the fourth extra address of either family is taken. */
static void test_more_addrs_are_checked(void **state)
{
    (void)state;
    static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 1};
    struct synack_config c;
    base(&c);
    c.more_addrs[0] = (struct synack_ifaddr){synack_addr_from_v4(0xc6336401u), 24};
    c.more_addrs[3] = (struct synack_ifaddr){synack_addr_from_v4(0xcb007101u), 32};
    expect_accepted(&c);
    c.more_addrs[1] = c.more_addrs[0];
    expect_refused(&c, "more_addrs: an address given twice");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(c.addr), 24};
    expect_refused(&c, "more_addrs: an IPv4 address that is addr");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xe0000001u), 24};
    expect_refused(&c, "more_addrs: an IPv4 address that is addr"); /* multicast */
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xc6336409u), 33};
    expect_refused(&c, "more_addrs: an IPv4 prefix_len");
    /* RFC 1122 3.2.1.3: no host part of all 0s or 1s; an address that is
     * another prefix's broadcast would make that broadcast ours (a SYN to
     * it answered, MUST-57) */
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xcb0071ffu), 24};
    expect_refused(&c, "more_addrs: an IPv4 address whose host part");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xcb007100u), 24};
    expect_refused(&c, "more_addrs: an IPv4 address whose host part");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(PROBE_ADDR | 0xffu), 32};
    expect_refused(&c, "more_addrs: an IPv4 address that is the broadcast");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xc63364ffu), 32};
    expect_refused(&c, "more_addrs: an IPv4 address that is the broadcast"); /* [0]'s /24 */
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(PROBE_ADDR + 1), 32};
    c.addr = (PROBE_ADDR & ~0xffu) | 0x7fu; /* addr the broadcast of [1]'s /25 */
    c.more_addrs[1].prefix_len = 25;
    expect_refused(&c, "more_addrs: an IPv4 address that is the broadcast");
    c.addr = PROBE_ADDR;
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v4(0xcb0072ffu), 31};
    expect_accepted(&c); /* RFC 3021: a /31 has no broadcast */
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v6(b6), 64};
    expect_refused(&c, "more_addrs: an IPv6 address without addr6");
    memcpy(c.addr6, a6, 16);
    expect_accepted(&c);
    c.more_addrs[1].prefix_len = 0;
    expect_refused(&c, "more_addrs: an IPv6 prefix_len");
    c.more_addrs[1] = (struct synack_ifaddr){synack_addr_from_v6(a6), 64};
    expect_refused(&c, "more_addrs: an IPv6 address that is addr6");
    c.more_addrs[1].addr.family = 7;
    expect_refused(&c, "more_addrs: a family other than");
}

/* timestamps 2 (Linux's tcp_timestamps 2): TSval is the 1 ms clock itself
 * for every connection; 1 (the default) adds each connection its own
 * random offset (RFC 7323 7.1); 3 is refused by name. */
static void test_timestamps_2_sends_the_clock_without_an_offset(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    base(&c);
    c.timestamps = 3;
    assert_non_null(strstr(synack_config_check(&c), "timestamps"));
    c.timestamps = 2;
    conn_reinit(p, &c);
    probe_listen(p);
    p->now = 123456 * MSEC;
    assert_int_equal(syn_ack_tsval(p, 40000), 123456);
    assert_int_equal(syn_ack_tsval(p, 40001), 123456);
    base(&c);
    conn_reinit(p, &c);
    probe_listen(p);
    p->now = 123456 * MSEC;
    uint32_t a = syn_ack_tsval(p, 40000), b = syn_ack_tsval(p, 40001);
    assert_true(a != 123456 || b != 123456);
    assert_int_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_time_has_an_upper_bound_named_in_the_error),
        cmocka_unit_test(test_rto_bounds_are_cross_checked),
        cmocka_unit_test(test_buffers_and_counts_are_bounded),
        cmocka_unit_test(test_more_addrs_are_checked),
        cmocka_unit_test_setup_teardown(test_a_stack_at_every_upper_bound_still_times_out_in_order,
                                        conn_setup, conn_teardown),
        cmocka_unit_test_setup_teardown(test_timestamps_2_sends_the_clock_without_an_offset,
                                        conn_setup, conn_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

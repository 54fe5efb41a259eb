/* Urgent data (RFC 9293 3.8.5, as RFC 6093 settled it): the urgent
 * pointer points to the octet after the urgent data (MUST-62), urgent
 * data of any length (MUST-31), the application told when urgent data
 * arrives or the pointer advances (MUST-32) and how much is left to read
 * (MUST-33), robustness to odd pointers. Urgent data is delivered in line.
 * One stack, a fake peer, virtual time. */
#include <errno.h>

#include "support/conn.h"

static void send_oob(struct probe *p, const void *buf, size_t len)
{
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, len, SYNACK_MSG_OOB, p->now),
                     (ssize_t)len);
}

static void peer_urgent(struct probe *p, uint32_t seq, const void *data, uint32_t len,
                        uint16_t up)
{
    struct probe_seg u = {.flags = ACK | PSH | URG, .seq = seq, .ack = 1, .win = 65535,
                          .urg = up, .data = data, .len = len};
    probe_inject_seg(p, &u);
}

static bool pollpri(struct probe *p)
{
    return (synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI) != 0;
}

/* MUST-62, MUST-31: 5000 urgent octets over five segments; each carries
 * URG and the offset from its own SEG.SEQ to the octet after the urgent
 * data. Data sent after it is not urgent. */
static void test_long_urgent_data_points_past_its_last_octet_in_every_segment(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    send_oob(p, conn_pattern(5000), 5000);
    for (uint32_t seq = 1; seq < 4001; seq += 1000) {
        struct probe_pkt *k = probe_expect_len(p, ACK | URG, seq, 1, 1000);
        assert_int_equal(k->th.urg_ptr, 5001 - seq);
    }
    probe_expect_none(p);
    conn_ack(p, 4001);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH | URG, 4001, 1, 1000);
    assert_int_equal(k->th.urg_ptr, 1000);
    conn_ack(p, 5001);
    conn_send(p, "n", 1);
    k = probe_expect_len(p, ACK | PSH, 5001, 1, 1);
    assert_int_equal(k->th.urg_ptr, 0);
}

/* MUST-31 beyond what 16 bits reach: while the end of the urgent data is
 * more than 65535 octets ahead, the pointer says 65535 (the farthest it
 * can), URG stays set, and it becomes exact once in reach. */
static void test_urgent_data_longer_than_the_pointer_field(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.sndbuf = 1 << 20;
    conn_reinit(p, &c);
    conn_establish(p, 0, 1000, 65535);
    size_t n = 70000;
    uint8_t *big = malloc(n);
    assert_non_null(big);
    memset(big, 'u', n);
    send_oob(p, big, n);
    free(big);
    uint32_t next = 1, acked = 1;
    while (next < 1 + n) {
        while (probe_pending(p)) {
            struct probe_pkt *k = probe_pop(p);
            assert_true(k->th.flags & URG);
            uint32_t off = 1 + (uint32_t)n - k->seq;
            assert_int_equal(k->th.urg_ptr, off > 65535 ? 65535 : off);
            next = k->seq + (uint32_t)k->th.payload_len;
        }
        if (next == acked)
            break;
        conn_ack(p, next);
        acked = next;
    }
    assert_int_equal(next, 1 + n);
}

/* The urgent pointer never recedes (3.8.5): a second urgent send moves it
 * on; ordinary data after it leaves it where it is. */
static void test_urgent_pointer_never_recedes(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    conn_setopt(p, SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 1);
    send_oob(p, "ab", 2);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH | URG, 1, 1, 2);
    assert_int_equal(k->th.urg_ptr, 2);
    conn_send(p, "cd", 2);
    k = probe_expect_len(p, ACK | PSH, 3, 1, 2); /* after the urgent data: none */
    send_oob(p, "ef", 2);
    k = probe_expect_len(p, ACK | PSH | URG, 5, 1, 2);
    assert_int_equal(k->th.urg_ptr, 2);
    assert_int_equal(conn_info(p).snd_up - conn_info(p).iss, 7);
}

/* MUST-32, MUST-33: the application is told (SYNACK_POLLPRI) when urgent
 * data arrives with none pending, learns how much is left to read
 * (STATUS urgent_pending) as it reads in line, sees the pointer advance,
 * and is back to normal when it has read past the pointer. */
static void test_urgent_data_is_signalled_and_counted_until_read(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    peer_urgent(p, 1, "UUUUnnnn", 8, 4);
    assert_true(pollpri(p));
    assert_int_equal(conn_info(p).urgent_pending, 4);
    uint8_t b[64];
    conn_recv(p, b, 3);
    assert_int_equal(conn_info(p).urgent_pending, 1);
    assert_true(pollpri(p));
    peer_urgent(p, 9, "VVVVVV", 6, 6); /* the pointer advances to 15 */
    assert_int_equal(conn_info(p).urgent_pending, 11);
    assert_int_equal(conn_info(p).rcv_up - conn_info(p).irs, 15);
    conn_recv(p, b, 11);
    assert_memory_equal(b, "UnnnnVVVVVV", 11);
    assert_int_equal(conn_info(p).urgent_pending, 0);
    assert_false(pollpri(p));
    peer_urgent(p, 15, "W", 1, 1); /* none pending: a new signal */
    assert_true(pollpri(p));
    assert_int_equal(conn_info(p).urgent_pending, 1);
    /* in line: MSG_OOB reads nothing apart */
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 1, SYNACK_MSG_OOB, p->now), -EINVAL);
}

/* The pointer may lie beyond what has arrived ("urgent mode" until
 * RCV.NXT catches up, 3.8.5): the count covers it. */
static void test_urgent_pointer_ahead_of_the_data_received(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    peer_urgent(p, 1, "0123456789", 10, 2000);
    assert_true(pollpri(p));
    assert_int_equal(conn_info(p).urgent_pending, 2000);
    uint8_t b[16];
    conn_recv(p, b, 10);
    assert_int_equal(conn_info(p).urgent_pending, 1990);
    assert_true(pollpri(p));
}

/* "A TCP receiver should be robust to invalid urgent pointer values"
 * (3.8.5): a pointer of 0 points at no urgent data; a pointer behind the
 * current one does not move it back; an URG on a duplicate segment is
 * not taken; after the peer's FIN URG is ignored (3.10.7.4 sixth). */
static void test_odd_urgent_pointers_are_harmless(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    peer_urgent(p, 1, "abcd", 4, 0);
    assert_false(pollpri(p));
    assert_int_equal(conn_info(p).urgent_pending, 0);
    peer_urgent(p, 5, "efgh", 4, 4); /* pointer 9 */
    peer_urgent(p, 9, "ijkl", 4, 1); /* pointer 10: not behind... */
    assert_int_equal(conn_info(p).rcv_up - conn_info(p).irs, 10);
    peer_urgent(p, 9, "ijklmnop", 8, 0); /* ...this one is (9): ignored */
    assert_int_equal(conn_info(p).rcv_up - conn_info(p).irs, 10);
    peer_urgent(p, 1, "abcd", 4, 1000); /* a duplicate: unacceptable */
    assert_int_equal(conn_info(p).rcv_up - conn_info(p).irs, 10);
    probe_drain(p);
    uint8_t b[32];
    conn_recv(p, b, 16);
    assert_false(pollpri(p));
    probe_inject(p, ACK | FIN, 17, 1, NULL, 0);
    probe_drain(p);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSE_WAIT);
    struct probe_seg u = {.flags = ACK | URG, .seq = 18, .ack = 1, .win = 65535, .urg = 50};
    probe_inject_seg(p, &u);
    assert_false(pollpri(p));
    assert_int_equal(conn_info(p).urgent_pending, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_long_urgent_data_points_past_its_last_octet_in_every_segment),
        T(test_urgent_data_longer_than_the_pointer_field),
        T(test_urgent_pointer_never_recedes),
        T(test_urgent_data_is_signalled_and_counted_until_read),
        T(test_urgent_pointer_ahead_of_the_data_received),
        T(test_odd_urgent_pointers_are_harmless),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

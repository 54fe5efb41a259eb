/* Connection memory: buffers allocated on first use, grown up to
 * SO_SNDBUF/SO_RCVBUF, given back when empty; what an idle connection
 * holds. One stack, a fake peer, virtual time. */
#include "support/conn.h"

#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

static struct tcb *conn_tcb(struct probe *p)
{
    struct tcb *t = tcb_lookup(&p->st->tcp, p->cfg.addr, p->port, p->peer_addr, p->peer_port);
    assert_non_null(t);
    return t;
}

/* A new connection holds no buffer memory; the window it offers is still
 * its SO_RCVBUF (capped at 65535 on the SYN-ACK). */
static void test_a_new_connection_holds_no_buffers(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    struct tcb *t = conn_tcb(p);
    assert_null(t->sb.data);
    assert_null(t->rb.data);
    assert_null(t->rb.ooo);
    struct synack_tcp_info ti = conn_info(p);
    assert_int_equal(ti.sndbuf_size, p->cfg.sndbuf);
    assert_int_equal(ti.rcvbuf_size, p->cfg.rcvbuf);
}

/* The send buffer grows with what is queued, up to SO_SNDBUF, and goes
 * when everything is acknowledged; the receive buffer likewise when the
 * application has read everything. */
static void test_buffers_grow_on_use_and_go_when_empty(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    struct tcb *t = conn_tcb(p);
    int small = 3000; /* SO_SNDBUF: the most the ring may grow to */
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF,
                                              &small, sizeof small, p->now),
                     0);
    conn_send(p, conn_pattern(100), 100);
    assert_non_null(t->sb.data);
    assert_int_equal(t->sb.size, 2048);
    probe_expect_len(p, ACK | PSH, 1, 1, 100);
    conn_ack(p, 101);
    assert_null(t->sb.data); /* all acknowledged */
    assert_int_equal(synack_socket_send(p->st, p->sd, conn_pattern(5000), 5000, 0, p->now),
                     3000);
    assert_int_equal(t->sb.size, 3000);
    probe_drain(p);
    /* receive: held until read, then freed */
    probe_inject(p, ACK | PSH, 1, 101, "hello", 5);
    assert_non_null(t->rb.data);
    char buf[8];
    conn_recv(p, buf, 5);
    assert_null(t->rb.data);
}

/* Out-of-order data needs the ring (and the interval set) up to its
 * offset; the octets before it arrive later and the stream is whole. */
static void test_out_of_order_data_grows_the_ring_to_its_offset(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    struct tcb *t = conn_tcb(p);
    const uint8_t *d = conn_pattern(30000);
    probe_inject(p, ACK | PSH, 1 + 20000, 1, d + 20000, 1000);
    probe_expect(p, ACK, 1, 1);
    assert_non_null(t->rb.ooo);
    assert_true(t->rb.size >= 21000);
    for (uint32_t off = 0; off < 20000; off += 1000)
        probe_inject(p, ACK, 1 + off, 1, d + off, 1000);
    probe_drain(p);
    static uint8_t got[21000];
    conn_recv(p, got, 21000);
    assert_memory_equal(got, d, 21000);
    assert_null(t->rb.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_a_new_connection_holds_no_buffers),
        T(test_buffers_grow_on_use_and_go_when_empty),
        T(test_out_of_order_data_grows_the_ring_to_its_offset),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

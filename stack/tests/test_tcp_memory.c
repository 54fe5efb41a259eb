/* Connection memory: buffers allocated on first use, grown up to
 * SO_SNDBUF/SO_RCVBUF, given back when empty; what an idle connection
 * holds. One stack, a fake peer, virtual time. */
#include <errno.h>

#include "support/conn.h"

#include "core/stack_internal.h"
#include "socket/sock.h"
#include "tcp/tcp_internal.h"

/* The stack's calloc is wrapped in this test (Makefile: -Wl,--wrap=calloc):
 * the next allocation of fail_size octets fails, as when memory runs out. */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static size_t fail_size, failed;
void *__wrap_calloc(size_t n, size_t size)
{
    if (fail_size && n * size == fail_size) {
        fail_size = 0;
        failed++;
        return NULL;
    }
    return __real_calloc(n, size);
}

static struct tcb *conn_tcb(struct probe *p)
{
    struct tcb *t = probe_tcb(p);
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

/* A passive connection from peer port `port`, accepted and closed by the
 * application at once: our FIN goes. */
static void accept_and_close(struct probe *p, uint16_t port)
{
    p->peer_port = port;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    probe_expect(p, ACK | FIN, 1, 1);
}

/* ... and through to TIME-WAIT as an orphan: the peer's FIN follows. */
static void one_time_wait(struct probe *p, uint16_t port)
{
    accept_and_close(p, port);
    probe_inject(p, ACK | FIN, 1, 2, NULL, 0);
    probe_expect(p, ACK, 2, 2);
    assert_int_equal(probe_conn_state(p), SYNACK_TIME_WAIT);
}

/* TIME-WAIT records live outside max_conns: more connections than
 * max_conns go through TIME-WAIT one after another, all served; past
 * timewait_max the oldest record goes first (counted). */
static void test_time_wait_is_outside_max_conns_and_bounded(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.max_conns = 4;
    c.timewait_max = 8;
    conn_reinit(p, &c);
    probe_listen(p);
    for (uint16_t i = 0; i < 20; i++)
        one_time_wait(p, (uint16_t)(30000 + i));
    assert_int_equal(CNT(p, tcp_conn_limit), 0);
    assert_int_equal(p->st->tcp.tw_count, 8);
    assert_int_equal(CNT(p, tcp_timewait_evicted), 12);
    assert_int_equal(probe_tcb_count(p), 1);
    p->peer_port = 30000; /* the oldest: gone, its ACK meets LISTEN */
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    p->peer_port = 30019; /* the newest: still there, answers an old segment */
    assert_int_equal(probe_conn_state(p), SYNACK_TIME_WAIT);
    probe_inject(p, ACK, 2, 2, NULL, 0);
    probe_expect_none(p); /* acceptable, nothing to say */
    probe_inject(p, ACK, 1, 2, NULL, 0);
    probe_expect(p, ACK, 2, 2); /* old: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
    probe_inject(p, ACK | FIN, 1, 2, NULL, 0); /* the FIN again: ACK, 2*MSL anew */
    probe_expect(p, ACK, 2, 2);
}

/* MAY-2 from a record: a SYN above RCV.NXT reopens the connection with an
 * ISS above the old SND.NXT; an old SYN gets an ACK and reopens nothing.
 * A record also keeps its port in use for bind(). */
static void test_time_wait_record_reopens_and_holds_its_port(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    one_time_wait(p, 30000);
    uint32_t old_isn = p->stack_isn;
    probe_inject(p, SYN, 1, 0, NULL, 0); /* SEG.SEQ = RCV.NXT - 1: not above it */
    probe_expect(p, ACK, 2, 2);
    assert_int_equal(CNT(p, tcp_timewait_reopened), 0);
    p->peer_isn += 100000;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(k->th.seq - old_isn > 65535u && k->th.seq - old_isn < 0x80000000u);
    assert_int_equal(CNT(p, tcp_timewait_reopened), 1);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
    /* the port of a record is in use for a bind without SO_REUSEADDR */
    p->peer_port = 30001;
    p->peer_isn -= 100000;
    one_time_wait(p, 30001);
    assert_int_equal(synack_socket_close(p->st, p->lsd, p->now), 0);
    int sd = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, sd, 0, p->port), -EADDRINUSE);
}

/* A SYN reopening a TIME-WAIT record needs a SYN cache entry (a cookie
 * cannot keep its ISS above the old one): with the listener's backlog full
 * of legitimate half-open connections it goes past the backlog, evicting
 * none of them (each still completes); at syncache_max it is dropped and
 * counted, and the peer's next SYN gets in once there is room. */
static void test_reopening_time_wait_evicts_no_half_open(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.syncache_max = 9; /* the backlog (8) and one */
    conn_reinit(p, &c);
    probe_listen(p);
    one_time_wait(p, 30000);
    uint32_t isn[8];
    for (uint16_t i = 0; i < 8; i++) { /* the backlog of legitimate half-open ones */
        p->peer_port = (uint16_t)(31000 + i);
        p->stack_isn_known = false;
        probe_inject(p, SYN, 0, 0, NULL, 0);
        isn[i] = probe_expect(p, SYN | ACK, 0, 1)->th.seq;
    }
    p->peer_port = 30000; /* reopens: past the backlog, within syncache_max */
    p->peer_isn += 100000;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(CNT(p, tcp_timewait_reopened), 1);
    assert_int_equal(CNT(p, tcp_syncache_evicted), 0);
    assert_int_equal(p->st->tcp.syn_count, 9);
    p->peer_isn -= 100000;
    one_time_wait(p, 30001); /* a second record; the cache is at syncache_max */
    p->peer_isn += 100000;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_syncache_dropped), 1);
    assert_int_equal(CNT(p, tcp_syncache_evicted), 0);
    p->peer_isn -= 100000;
    for (uint16_t i = 0; i < 8; i++) { /* every legitimate one completes */
        p->peer_port = (uint16_t)(31000 + i);
        p->stack_isn = isn[i];
        p->stack_isn_known = true;
        probe_inject(p, ACK, 1, 1, NULL, 0);
        probe_expect_none(p);
        assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    }
    assert_int_equal(CNT(p, tcp_syncookies_bad), 0);
    p->peer_port = 30001; /* room now: the SYN sent again reopens */
    p->peer_isn += 100000;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(CNT(p, tcp_timewait_reopened), 2);
}

/* Past max_conns (the application holds its connections): a handshake
 * that finds no room is not completed (its SYN cache entry stays; counted
 * tcp_conn_limit), the connections held still work, and once one of them
 * finishes (its TIME-WAIT a record) the waiting client gets in with its
 * next ACK. */
static void test_past_max_conns_a_waiting_client_gets_in(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.max_conns = 3; /* the listener and two */
    conn_reinit(p, &c);
    probe_listen(p);
    int sd[3];
    uint32_t isn[3];
    for (int i = 0; i < 3; i++) {
        p->peer_port = (uint16_t)(30000 + i);
        p->stack_isn_known = false;
        probe_inject(p, SYN, 0, 0, NULL, 0);
        isn[i] = probe_expect(p, SYN | ACK, 0, 1)->th.seq;
        probe_inject(p, ACK, 1, 1, NULL, 0);
        probe_expect_none(p);
        sd[i] = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    }
    assert_true(sd[0] >= 0 && sd[1] >= 0);
    assert_int_equal(sd[2], -EAGAIN);
    assert_int_equal(CNT(p, tcp_conn_limit), 1);
    assert_int_equal(p->st->tcp.syn_count, 1); /* the third waits in the cache */
    p->peer_port = 30000; /* a held connection still takes data */
    p->stack_isn = isn[0];
    probe_inject(p, ACK | PSH, 1, 1, "abc", 3);
    char b[8];
    assert_int_equal(synack_socket_recv(p->st, sd[0], b, sizeof b, 0, p->now), 3);
    probe_drain(p);
    p->peer_port = 30001; /* another finishes: closed, the peer's FIN, a record */
    p->stack_isn = isn[1];
    assert_int_equal(synack_socket_close(p->st, sd[1], p->now), 0);
    probe_expect(p, ACK | FIN, 1, 1);
    probe_inject(p, ACK | FIN, 1, 2, NULL, 0);
    probe_expect(p, ACK, 2, 2);
    assert_int_equal(probe_tcb_count(p), 2);
    p->peer_port = 30002; /* the waiting client's ACK again: in */
    p->stack_isn = isn[2];
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    assert_int_equal(CNT(p, tcp_conn_limit), 1);
}

/* Connections closed by the application that the peer never lets finish
 * (it does not acknowledge our FIN) are bounded by orphan_max: past it a
 * close resets the connection (counted); new clients are still served. */
static void test_orphans_past_the_limit_are_reset(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.orphan_max = 2;
    conn_reinit(p, &c);
    probe_listen(p);
    for (uint16_t i = 0; i < 3; i++)
        accept_and_close(p, (uint16_t)(30000 + i));
    /* the third: its FIN went, then the RST of the limit */
    probe_expect(p, RST, 2, PROBE_ANY);
    assert_int_equal(CNT(p, tcp_orphan_limit), 1);
    assert_int_equal(p->st->tcp.n_orphans, 2);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    p->peer_port = 31000; /* a new client */
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
}

/* With timestamps (RFC 7323), a record keeps TS.Recent: its ACKs carry
 * TSecr = TS.Recent, a segment with an older TSval fails PAWS (ACKed,
 * dropped, counted), and a SYN with a newer TSval reopens the connection
 * even at an old sequence number (RFC 6191). */
static void test_time_wait_record_keeps_timestamps(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_TS, .mss = 1460,
                                .ts_val = 1000};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(k->th.opts.present & TCPOPT_F_TS);
    uint32_t our_ts = k->th.opts.ts_val;
    o = (struct synack_tcp_opts){.present = TCPOPT_F_TS, .ts_val = 1001, .ts_ecr = our_ts};
    s = (struct probe_seg){.flags = ACK, .seq = 1, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    probe_expect(p, ACK | FIN, 1, 1);
    o.ts_val = 1002;
    s = (struct probe_seg){.flags = ACK | FIN, .seq = 1, .ack = 2, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    k = probe_expect(p, ACK, 2, 2);
    assert_int_equal(k->th.opts.ts_ecr, 1002);
    assert_int_equal(p->st->tcp.tw_count, 1);
    /* PAWS: an older TSval */
    o.ts_val = 900;
    s = (struct probe_seg){.flags = ACK, .seq = 2, .ack = 2, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    k = probe_expect(p, ACK, 2, 2);
    assert_int_equal(k->th.opts.ts_ecr, 1002);
    assert_int_equal(CNT(p, tcp_paws_drop), 1);
    /* RFC 6191: a newer TSval reopens, whatever the sequence number */
    o = (struct synack_tcp_opts){.present = TCPOPT_F_MSS | TCPOPT_F_TS, .mss = 1460,
                                 .ts_val = 5000};
    s = (struct probe_seg){.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(CNT(p, tcp_timewait_reopened), 1);
    assert_int_equal(p->st->tcp.tw_count, 0);
}

/* What only a listener uses (its queues, SYN cache list, Fast Open queue
 * and key) is allocated by LISTEN and goes with the listener: a connection
 * has none, so an idle connection does not pay for it. The TCB and the
 * socket stay within what makes an idle connection end cost under 1 KiB
 * (bench_conns: all/end). */
static void test_a_listeners_part_is_its_own(void **state)
{
    struct probe *p = *state;
    assert_true(sizeof(struct tcb) <= 760); /* 768 octets of heap with malloc's header */
    assert_true(sizeof(struct sock) <= 152);
    probe_goto_syn_received(p);
    struct tcb *l = p->st->sockets->v[p->lsd].tcb;
    assert_non_null(l->lst);
    assert_int_equal(l->lst->backlog, 8);
    assert_int_equal(synack_socket_listen(p->st, p->lsd, 3), 0); /* listen again: the backlog */
    assert_int_equal(l->lst->backlog, 3);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_null(conn_tcb(p)->lst);
    /* the listener closes: its part goes with it (LeakSanitizer under SAN=1) */
    assert_int_equal(synack_socket_close(p->st, p->lsd, p->now), 0);
    assert_int_equal(probe_tcb_count(p), 1);
    assert_int_equal(CNT(p, tcp_nomem), 0);
}

/* No memory for a listener's part: listen() fails with ENOMEM, counted
 * (tcp_nomem), nothing is left behind (no TCB, the port free), and the same
 * socket listens when memory is back and serves a client. */
static void test_listen_without_memory_fails_counted_then_serves(void **state)
{
    struct probe *p = *state;
    p->lsd = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, p->lsd, 0, p->port), 0);
    fail_size = sizeof(struct tcb_listen);
    failed = 0;
    assert_int_equal(synack_socket_listen(p->st, p->lsd, 8), -ENOMEM);
    assert_int_equal(failed, 1);
    assert_int_equal(CNT(p, tcp_nomem), 1);
    assert_int_equal(probe_tcb_count(p), 0);
    probe_inject(p, SYN, 0, 0, NULL, 0); /* not listening: RST */
    probe_expect(p, RST | ACK, 0, 1);
    assert_int_equal(synack_socket_listen(p->st, p->lsd, 8), 0);
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    assert_int_equal(CNT(p, tcp_nomem), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_a_listeners_part_is_its_own),
        T(test_listen_without_memory_fails_counted_then_serves),
        T(test_a_new_connection_holds_no_buffers),
        T(test_buffers_grow_on_use_and_go_when_empty),
        T(test_out_of_order_data_grows_the_ring_to_its_offset),
        T(test_time_wait_is_outside_max_conns_and_bounded),
        T(test_time_wait_record_reopens_and_holds_its_port),
        T(test_reopening_time_wait_evicts_no_half_open),
        T(test_past_max_conns_a_waiting_client_gets_in),
        T(test_orphans_past_the_limit_are_reset),
        T(test_time_wait_record_keeps_timestamps),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

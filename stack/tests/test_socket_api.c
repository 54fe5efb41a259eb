/* The socket API (synack/socket.h) against misuse and through a
 * connection's life: every call on a bad handle and in each wrong state
 * returns its BSD errno; SO_ERROR; every option round-trips and takes
 * effect on the wire; readiness events from socket() to close. The peer
 * is the fake one of support/probe.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "support/conn.h"

static int setopt_int(struct probe *p, int sd, int level, int name, int v)
{
    return synack_socket_setsockopt(p->st, sd, level, name, &v, sizeof v, p->now);
}

static int getopt_int(struct probe *p, int sd, int level, int name, int *v)
{
    size_t len = sizeof *v;
    int r = synack_socket_getsockopt(p->st, sd, level, name, v, &len);
    if (r == 0)
        assert_int_equal(len, sizeof *v);
    return r;
}

static int so_error(struct probe *p, int sd)
{
    int v = -1;
    assert_int_equal(getopt_int(p, sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &v), 0);
    return v;
}

/* ---- bad handles: EBADF from every call ---- */

static void test_every_call_on_a_bad_handle_is_ebadf(void **state)
{
    struct probe *p = *state;
    int closed = synack_socket(p->st);
    assert_true(closed >= 0);
    assert_int_equal(synack_socket_close(p->st, closed, p->now), 0);
    const int bad[] = {-1, -100, 1 << 20, (int)p->cfg.max_sockets, closed};
    uint8_t b[8];
    int v = 1;
    size_t len = sizeof v;
    struct synack_tcp_info ti;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int sd = bad[i];
        assert_int_equal(synack_socket_bind(p->st, sd, 0, 1234), -EBADF);
        assert_int_equal(synack_socket_listen(p->st, sd, 1), -EBADF);
        assert_int_equal(synack_socket_accept(p->st, sd, NULL, NULL), -EBADF);
        assert_int_equal(synack_socket_connect(p->st, sd, PROBE_PEER, 80, p->now), -EBADF);
        assert_int_equal(synack_socket_send(p->st, sd, b, sizeof b, 0, p->now), -EBADF);
        assert_int_equal(synack_socket_recv(p->st, sd, b, sizeof b, 0, p->now), -EBADF);
        assert_int_equal(synack_socket_shutdown(p->st, sd, SYNACK_SHUT_WR, p->now), -EBADF);
        assert_int_equal(synack_socket_close(p->st, sd, p->now), -EBADF);
        assert_int_equal(synack_socket_abort(p->st, sd, p->now), -EBADF);
        assert_int_equal(synack_socket_setsockopt(p->st, sd, SYNACK_SOL_SOCKET,
                                                  SYNACK_SO_REUSEADDR, &v, sizeof v, p->now),
                         -EBADF);
        assert_int_equal(synack_socket_getsockopt(p->st, sd, SYNACK_SOL_SOCKET,
                                                  SYNACK_SO_REUSEADDR, &v, &len),
                         -EBADF);
        assert_int_equal(synack_socket_status(p->st, sd, &ti), -EBADF);
        assert_int_equal(synack_socket_name(p->st, sd, NULL, NULL), -EBADF);
        assert_int_equal(synack_socket_peer(p->st, sd, NULL, NULL), -EBADF);
        assert_int_equal(synack_socket_events(p->st, sd), SYNACK_POLLERR);
    }
}

/* Handles are the lowest free ones, up to max_sockets (then EMFILE). */
static void test_socket_handles_are_lowest_free_and_bounded(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.max_sockets = 3;
    probe_free(p);
    probe_init(p, &cfg);
    assert_int_equal(synack_socket(p->st), 0);
    assert_int_equal(synack_socket(p->st), 1);
    assert_int_equal(synack_socket(p->st), 2);
    assert_int_equal(synack_socket(p->st), -EMFILE);
    assert_int_equal(synack_socket_close(p->st, 1, p->now), 0);
    assert_int_equal(synack_socket(p->st), 1);
    assert_int_equal(synack_socket(NULL), -EINVAL);
}

/* ---- bind ---- */

static void test_bind_errors(void **state)
{
    struct probe *p = *state;
    int a = synack_socket(p->st), b = synack_socket(p->st), c = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, a, 0, 8000), 0);
    assert_int_equal(synack_socket_bind(p->st, a, 0, 8001), -EINVAL); /* bound already */
    assert_int_equal(synack_socket_bind(p->st, b, 0, 8000), -EADDRINUSE);
    assert_int_equal(synack_socket_bind(p->st, b, PROBE_ADDR, 8000), -EADDRINUSE);
    assert_int_equal(synack_socket_bind(p->st, b, 0xc0000263u, 8002), -EADDRNOTAVAIL);
    assert_int_equal(synack_socket_bind(p->st, b, PROBE_ADDR, 8002), 0);
    /* port 0: an ephemeral port from the configured range */
    assert_int_equal(synack_socket_bind(p->st, c, 0, 0), 0);
    uint16_t port = 0;
    uint32_t addr = 1;
    assert_int_equal(synack_socket_name(p->st, c, &addr, &port), 0);
    assert_int_equal(addr, 0);
    assert_true(port >= p->cfg.ephemeral_lo && port <= p->cfg.ephemeral_hi);
    /* a listener cannot be bound again */
    assert_int_equal(synack_socket_listen(p->st, a, 4), 0);
    assert_int_equal(synack_socket_bind(p->st, a, 0, 9000), -EINVAL);
}

/* SO_REUSEADDR on both lets two sockets share a port unless one listens. */
static void test_bind_with_reuseaddr(void **state)
{
    struct probe *p = *state;
    int a = synack_socket(p->st), b = synack_socket(p->st), c = synack_socket(p->st);
    for (int sd = a; sd <= c; sd++)
        assert_int_equal(setopt_int(p, sd, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(synack_socket_bind(p->st, a, 0, 8000), 0);
    assert_int_equal(synack_socket_bind(p->st, b, 0, 8000), 0);
    assert_int_equal(synack_socket_listen(p->st, a, 4), 0);
    assert_int_equal(synack_socket_bind(p->st, c, 0, 8000), -EADDRINUSE);
    assert_int_equal(synack_socket_listen(p->st, b, 4), -EADDRINUSE);
}

/* ---- listen and accept ---- */

static void test_listen_and_accept_errors(void **state)
{
    struct probe *p = *state;
    int s = synack_socket(p->st);
    /* accept on a socket that does not listen */
    assert_int_equal(synack_socket_accept(p->st, s, NULL, NULL), -EINVAL);
    /* listen without bind picks a port */
    assert_int_equal(synack_socket_listen(p->st, s, 0), 0);
    uint16_t port = 0;
    assert_int_equal(synack_socket_name(p->st, s, NULL, &port), 0);
    assert_true(port != 0);
    /* listen again only changes the backlog */
    assert_int_equal(synack_socket_listen(p->st, s, 100000), 0);
    /* empty queue */
    assert_int_equal(synack_socket_accept(p->st, s, NULL, NULL), -EAGAIN);
    /* a listener does not connect, send or receive */
    uint8_t b[4];
    assert_int_equal(synack_socket_connect(p->st, s, PROBE_PEER, 80, p->now), -EISCONN);
    assert_int_equal(synack_socket_send(p->st, s, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_recv(p->st, s, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_shutdown(p->st, s, SYNACK_SHUT_RDWR, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_peer(p->st, s, NULL, NULL), -ENOTCONN);
    /* accept on a connected socket */
    probe_goto_established_active(p);
    assert_int_equal(synack_socket_accept(p->st, p->sd, NULL, NULL), -EINVAL);
    assert_int_equal(synack_socket_listen(p->st, p->sd, 1), -EINVAL);
}

/* Closing a listener resets the connections it has not handed out. */
static void test_close_listener_resets_unaccepted_connections(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_ESTABLISHED);
    assert_true(synack_socket_events(p->st, p->lsd) & SYNACK_POLLIN);
    assert_int_equal(synack_socket_close(p->st, p->lsd, p->now), 0);
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(probe_tcb_count(p), 0);
    /* the port is free again */
    int s = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, s, 0, PROBE_PORT), 0);
}

/* ---- connect ---- */

/* MUST-46: an OPEN to a broadcast or multicast address is an error. */
static void test_connect_to_broadcast_or_multicast_is_enetunreach(void **state)
{
    struct probe *p = *state;
    const uint32_t bad[] = {
        0xffffffffu, /* limited broadcast */
        0xc00002ffu, /* 192.0.2.255: our subnet's broadcast */
        0xe0000001u, /* 224.0.0.1 */
        0xeffffffau, /* 239.255.255.250 */
        0x00000000u, /* 0.0.0.0 */
        0x7f000001u, /* 127.0.0.1 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int s = synack_socket(p->st);
        assert_int_equal(synack_socket_connect(p->st, s, bad[i], 80, p->now), -ENETUNREACH);
        assert_int_equal(synack_socket_close(p->st, s, p->now), 0);
    }
    probe_expect_none(p);
    int s = synack_socket(p->st);
    assert_int_equal(synack_socket_connect(p->st, s, PROBE_PEER, 0, p->now), -EADDRNOTAVAIL);
}

static void test_connect_in_progress_then_connected(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p); /* asserts -EINPROGRESS */
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EALREADY);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    /* data may be queued before the handshake completes (3.10.2) */
    assert_int_equal(synack_socket_send(p->st, p->sd, "early", 5, 0, p->now), 5);
    probe_expect_none(p);
    assert_int_equal(synack_socket_peer(p->st, p->sd, NULL, NULL), 0);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYN | ACK, .seq = 0, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    probe_expect_len(p, ACK | PSH, 1, 1, 5); /* the queued data carries the ACK */
    assert_int_equal(so_error(p, p->sd), 0);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EISCONN);
    uint32_t raddr;
    uint16_t rport;
    assert_int_equal(synack_socket_peer(p->st, p->sd, &raddr, &rport), 0);
    assert_int_equal(raddr, PROBE_PEER);
    assert_int_equal(rport, p->peer_port);
}

/* A refused connect: SO_ERROR says so once; connect() again reports it
 * and the socket may then try afresh. */
static void test_connect_refused_reports_econnrefused_once(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, RST | ACK, 0, 1, NULL, 0);
    int ev = synack_socket_events(p->st, p->sd);
    assert_true(ev & SYNACK_POLLERR);
    assert_true(ev & SYNACK_POLLOUT);
    assert_int_equal(so_error(p, p->sd), ECONNREFUSED);
    assert_int_equal(so_error(p, p->sd), 0);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLERR);
    uint8_t b[4];
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), -ENOTCONN);
}

static void test_connect_again_after_refusal_retries(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, RST | ACK, 0, 1, NULL, 0);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -ECONNREFUSED);
    p->stack_isn_known = false;
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EINPROGRESS);
    probe_expect(p, SYN, 0, PROBE_ANY);
}

/* connect() from a bound port to a 4-tuple still in TIME-WAIT. */
static void test_connect_to_a_tuple_in_time_wait_is_eaddrinuse(void **state)
{
    struct probe *p = *state;
    probe_goto_established_active(p);
    probe_goto_fin_wait_1(p);
    probe_goto_fin_wait_2(p);
    probe_goto_time_wait(p);
    int s = synack_socket(p->st);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 1), 0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    assert_int_equal(synack_socket_bind(p->st, s, 0, p->port), 0);
    assert_int_equal(synack_socket_connect(p->st, s, p->peer_addr, p->peer_port, p->now),
                     -EADDRINUSE);
}

/* ---- send, recv, shutdown ---- */

static void test_send_and_recv_on_an_unconnected_socket_are_enotconn(void **state)
{
    struct probe *p = *state;
    int s = synack_socket(p->st);
    uint8_t b[4];
    assert_int_equal(synack_socket_send(p->st, s, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_recv(p->st, s, b, sizeof b, 0, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_shutdown(p->st, s, SYNACK_SHUT_WR, p->now), -ENOTCONN);
    assert_int_equal(synack_socket_peer(p->st, s, NULL, NULL), -ENOTCONN);
    assert_int_equal(synack_socket_events(p->st, s), SYNACK_POLLOUT | SYNACK_POLLHUP);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, s, &ti), 0);
    assert_int_equal(ti.state, SYNACK_CLOSED);
    assert_int_equal(synack_socket_status(p->st, s, NULL), -EFAULT);
}

static void test_send_recv_argument_errors(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint8_t b[4];
    assert_int_equal(synack_socket_send(p->st, p->sd, NULL, 4, 0, p->now), -EFAULT);
    assert_int_equal(synack_socket_recv(p->st, p->sd, NULL, 4, 0, p->now), -EFAULT);
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0x100, p->now), -EOPNOTSUPP);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0x100, p->now), -EOPNOTSUPP);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, SYNACK_MSG_OOB, p->now),
                     -EINVAL);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, 3, p->now), -EINVAL);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, -1, p->now), -EINVAL);
    /* zero-length calls are harmless */
    assert_int_equal(synack_socket_send(p->st, p->sd, NULL, 0, 0, p->now), 0);
    assert_int_equal(synack_socket_recv(p->st, p->sd, NULL, 0, 0, p->now), 0);
    probe_expect_none(p);
}

static void test_recv_empty_is_eagain_and_peek_keeps_data(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint8_t b[16];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    probe_inject(p, ACK | PSH, 1, 1, "abcdef", 6);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 3, SYNACK_MSG_PEEK, p->now), 3);
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, SYNACK_MSG_DONTWAIT, p->now),
                     6);
    assert_memory_equal(b, "abcdef", 6);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
}

/* SYNACK_MSG_POST: with nothing to read, the buffer stays with the stack
 * and in-order text lands in it straight (rb stays empty); the next recv
 * with that buffer returns it; text rb already holds, and text that came
 * out of order, is read from rb first, in sequence order. */
static void test_posted_buffer_takes_in_order_text_straight(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint8_t post[64], b[64];
    memset(post, '.', sizeof post);
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, 10, SYNACK_MSG_POST, p->now),
                     -EAGAIN);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLIN);
    probe_inject(p, ACK | PSH, 1, 1, "abcdef", 6);
    assert_memory_equal(post, "abcdef....", 10); /* straight there */
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_int_equal(ti.rcvbuf_used, 0);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLIN);
    /* more than the buffer's room: the rest waits in rb, after it */
    probe_inject(p, ACK | PSH, 7, 1, "ghijklmn", 8);
    assert_memory_equal(post, "abcdefghij", 10);
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_int_equal(ti.rcvbuf_used, 4);
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, 10, SYNACK_MSG_POST, p->now), 10);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, SYNACK_MSG_POST, p->now), 4);
    assert_memory_equal(b, "klmn", 4);
    /* posted again; out of order text goes to rb; the gap filled, all of
     * it is read from rb in order */
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, sizeof post, SYNACK_MSG_POST,
                                        p->now), -EAGAIN);
    probe_inject(p, ACK | PSH, 18, 1, "rst", 3);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLIN);
    probe_inject(p, ACK | PSH, 15, 1, "opq", 3);
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, sizeof post, SYNACK_MSG_POST,
                                        p->now), 6);
    assert_memory_equal(post, "opqrst", 6);
    /* read into another buffer: copied out of the posted one, in pieces */
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, sizeof post, SYNACK_MSG_POST,
                                        p->now), -EAGAIN);
    probe_inject(p, ACK | PSH, 21, 1, "uvwxyz", 6);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 4, 0, p->now), 4);
    assert_memory_equal(b, "uvwx", 4);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 2);
    assert_memory_equal(b, "yz", 2);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 4, SYNACK_MSG_POST | SYNACK_MSG_PEEK,
                                        p->now), -EINVAL);
}

/* A posted buffer is the application's again after a recv without the
 * flag, shutdown(SHUT_RD) or close: text that comes later never lands in
 * it. */
static void test_posted_buffer_is_given_back(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint8_t post[16], b[16];
    memset(post, '.', sizeof post);
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, sizeof post, SYNACK_MSG_POST,
                                        p->now), -EAGAIN);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    probe_inject(p, ACK | PSH, 1, 1, "abc", 3);
    assert_int_equal(post[0], '.');
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 3);
    assert_int_equal(synack_socket_recv(p->st, p->sd, post, sizeof post, SYNACK_MSG_POST,
                                        p->now), -EAGAIN);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_RD, p->now), 0);
    probe_inject(p, ACK | PSH, 4, 1, "def", 3);
    assert_int_equal(post[0], '.');
}

/* ... and close: a heap buffer that ASan watches is freed after it. */
static void test_posted_buffer_is_forgotten_at_close(void **state)
{
    struct probe *p = *state;
    uint8_t *heap = malloc(16);
    assert_non_null(heap);
    probe_goto_established(p);
    assert_int_equal(synack_socket_recv(p->st, p->sd, heap, 16, SYNACK_MSG_POST, p->now),
                     -EAGAIN);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    free(heap);
    probe_inject(p, ACK | PSH, 1, 1, "ghi", 3);
}

/* A full send buffer: EAGAIN, and no POLLOUT until ACKs drain it. */
static void test_send_on_a_full_buffer_is_eagain(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    assert_int_equal(setopt_int(p, p->lsd, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 4096), 0);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0); /* zero window: nothing leaves */
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    static uint8_t big[8192];
    assert_int_equal(synack_socket_send(p->st, p->sd, big, sizeof big, 0, p->now), 4096);
    assert_int_equal(synack_socket_send(p->st, p->sd, big, sizeof big, 0, p->now), -EAGAIN);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    probe_expect_none(p);
}

/* After shutdown(SHUT_WR): EPIPE; reads go on. */
static void test_send_after_shutdown_wr_is_epipe(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect(p, FIN | ACK, 1, 1);
    uint8_t b[8];
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -EPIPE);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    /* a second shutdown sends no second FIN */
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect_none(p);
    probe_inject(p, ACK | PSH, 1, 2, "more", 4);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 4);
}

/* After a reset: the error once (ECONNRESET), then EPIPE for sends and
 * end of stream for reads (MUST-12). */
static void test_after_reset_econnreset_once_then_epipe(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, RST, 1, 0, NULL, 0);
    uint8_t b[8];
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -ECONNRESET);
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -EPIPE);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
    assert_int_equal(so_error(p, p->sd), 0);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EISCONN);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_RDWR, p->now), 0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    probe_expect_none(p);
}

/* Data received before the reset is still read, then the error (MUST-12). */
static void test_data_before_reset_is_read_then_econnreset(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, ACK | PSH, 1, 1, "last", 4);
    probe_inject(p, RST, 5, 0, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 4);
    assert_memory_equal(b, "last", 4);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ECONNRESET);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
}

/* shutdown(SHUT_RD): reads end at once. */
static void test_shutdown_rd_ends_reads(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, ACK | PSH, 1, 1, "xyz", 3);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_RD, p->now), 0);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLIN);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    /* writing still works */
    assert_int_equal(synack_socket_send(p->st, p->sd, "w", 1, 0, p->now), 1);
}

/* close() with SO_LINGER {1, 0} aborts with RST; abort() too. */
static void test_linger_zero_close_and_abort_send_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct synack_linger l = {1, 0};
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER,
                                              &l, sizeof l, p->now),
                     0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(probe_tcb_count(p), 1);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), -EBADF);
    /* abort() on a connecting socket just deletes it (3.10.5: SYN-SENT) */
    probe_goto_syn_sent(p);
    assert_int_equal(synack_socket_abort(p->st, p->sd, p->now), 0);
    probe_expect_none(p);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* ---- options ---- */

static void test_every_option_round_trips(void **state)
{
    struct probe *p = *state;
    int s = synack_socket(p->st);
    int v;
    struct {
        int level, name, set, want;
    } cases[] = {
        {SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 1, 1},
        {SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 0, 0},
        {SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 7, 1},
        {SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 0, 0},
        {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 100000, 100000},
        {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 10, 2048},           /* floor */
        {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 1 << 30, 16 << 20},  /* buf_max */
        {SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, 50000, 50000},
        {SYNACK_SOL_SOCKET, SYNACK_SO_OOBINLINE, 1, 1},
        {SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 1, 1},
        {SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 0, 0},
        {SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG, 1000, 1000},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE, 30, 30},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL, 7, 7},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT, 4, 4},
        {SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT, 15000, 15000},
        {SYNACK_IPPROTO_IP, SYNACK_IP_TOS, 0x28, 0x28},
        {SYNACK_IPPROTO_IP, SYNACK_IP_TTL, 17, 17},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(setopt_int(p, s, cases[i].level, cases[i].name, cases[i].set), 0);
        v = -12345;
        assert_int_equal(getopt_int(p, s, cases[i].level, cases[i].name, &v), 0);
        if (v != cases[i].want)
            fail_msg("option %d/%d: set %d, got %d, want %d", cases[i].level, cases[i].name,
                     cases[i].set, v, cases[i].want);
    }
    /* defaults of a fresh socket */
    int f = synack_socket(p->st);
    struct {
        int level, name, want;
    } defs[] = {
        {SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR, 0},
        {SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE, 0}, /* MUST-25: off by default */
        {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 256 * 1024},
        {SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, 256 * 1024},
        {SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, 0},
        {SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 0},     /* Nagle on (SHLD-7) */
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE, 7200}, /* MUST-28: at least 2 h */
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL, 75},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT, 9},
        {SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT, 0},
        {SYNACK_IPPROTO_IP, SYNACK_IP_TOS, 0},
        {SYNACK_IPPROTO_IP, SYNACK_IP_TTL, 64},
    };
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        v = -12345;
        assert_int_equal(getopt_int(p, f, defs[i].level, defs[i].name, &v), 0);
        if (v != defs[i].want)
            fail_msg("default %d/%d: got %d, want %d", defs[i].level, defs[i].name, v,
                     defs[i].want);
    }
    /* SO_LINGER is a struct */
    struct synack_linger l = {1, 5}, g = {0, 0};
    size_t len = sizeof g;
    assert_int_equal(synack_socket_setsockopt(p->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &l,
                                              sizeof l, p->now),
                     0);
    assert_int_equal(
        synack_socket_getsockopt(p->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &g, &len), 0);
    assert_int_equal(len, sizeof g);
    assert_int_equal(g.l_onoff, 1);
    assert_int_equal(g.l_linger, 5);
    /* TCP_INFO is get-only */
    struct synack_tcp_info ti;
    len = sizeof ti;
    assert_int_equal(synack_socket_getsockopt(p->st, s, SYNACK_SOL_TCP, SYNACK_TCP_INFO, &ti, &len),
                     0);
    assert_int_equal(ti.state, SYNACK_CLOSED);
}

static void test_unknown_options_are_enoprotoopt(void **state)
{
    struct probe *p = *state;
    int s = synack_socket(p->st);
    int v = 1;
    size_t len = sizeof v;
    const struct {
        int level, name;
    } unknown[] = {
        {SYNACK_SOL_SOCKET, 99}, {SYNACK_SOL_TCP, 99}, {SYNACK_IPPROTO_IP, 99}, {17, 1},
        {-1, SYNACK_SO_REUSEADDR},
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_int_equal(synack_socket_setsockopt(p->st, s, unknown[i].level, unknown[i].name, &v,
                                                  sizeof v, p->now),
                         -ENOPROTOOPT);
        len = sizeof v;
        assert_int_equal(synack_socket_getsockopt(p->st, s, unknown[i].level, unknown[i].name,
                                                  &v, &len),
                         -ENOPROTOOPT);
    }
    /* read-only options cannot be set */
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, 0), -ENOPROTOOPT);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_INFO, 0), -ENOPROTOOPT);
    /* out-of-band data is always inline (RFC 6093) */
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_SOCKET, SYNACK_SO_OOBINLINE, 0), -ENOPROTOOPT);
}

static void test_short_or_bad_option_values_are_einval(void **state)
{
    struct probe *p = *state;
    int s = synack_socket(p->st);
    short tiny = 1;
    const struct {
        int level, name;
    } ints[] = {
        {SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR}, {SYNACK_SOL_SOCKET, SYNACK_SO_KEEPALIVE},
        {SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF},    {SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF},
        {SYNACK_SOL_TCP, SYNACK_TCP_NODELAY},     {SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE},    {SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL},
        {SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT},     {SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT},
        {SYNACK_IPPROTO_IP, SYNACK_IP_TOS},       {SYNACK_IPPROTO_IP, SYNACK_IP_TTL},
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        assert_int_equal(synack_socket_setsockopt(p->st, s, ints[i].level, ints[i].name, &tiny,
                                                  sizeof tiny, p->now),
                         -EINVAL);
        assert_int_equal(synack_socket_setsockopt(p->st, s, ints[i].level, ints[i].name, NULL,
                                                  sizeof(int), p->now),
                         -EINVAL);
        size_t len = sizeof tiny;
        assert_int_equal(synack_socket_getsockopt(p->st, s, ints[i].level, ints[i].name, &tiny,
                                                  &len),
                         -EINVAL);
        assert_int_equal(
            synack_socket_getsockopt(p->st, s, ints[i].level, ints[i].name, &tiny, NULL),
            -EINVAL);
    }
    struct synack_linger l = {1, 0};
    size_t len = sizeof l - 1;
    assert_int_equal(synack_socket_setsockopt(p->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &l,
                                              sizeof l - 1, p->now),
                     -EINVAL);
    assert_int_equal(
        synack_socket_getsockopt(p->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_LINGER, &l, &len),
        -EINVAL);
    struct synack_tcp_info ti;
    len = sizeof ti - 1;
    assert_int_equal(synack_socket_getsockopt(p->st, s, SYNACK_SOL_TCP, SYNACK_TCP_INFO, &ti, &len),
                     -EINVAL);
    len = sizeof tiny;
    assert_int_equal(
        synack_socket_getsockopt(p->st, s, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &tiny, &len),
        -EINVAL);
    /* values out of range */
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_SOCKET, SYNACK_SO_SNDBUF, 0), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, -5), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG, 10), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE, 0), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL, 40000), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT, 0), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_SOL_TCP, SYNACK_TCP_USER_TIMEOUT, -1), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_IPPROTO_IP, SYNACK_IP_TTL, 0), -EINVAL);
    assert_int_equal(setopt_int(p, s, SYNACK_IPPROTO_IP, SYNACK_IP_TOS, 256), -EINVAL);
}

/* Options shape what goes on the wire: TOS and TTL in the IP header
 * (MUST-48, MUST-49), TCP_MAXSEG and SO_RCVBUF in the SYN. */
static void test_options_take_effect_on_the_wire(void **state)
{
    struct probe *p = *state;
    p->sd = synack_socket(p->st);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_TOS, 0x48), 0);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_TTL, 9), 0);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG, 1200), 0);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, 30000), 0);
    assert_int_equal(synack_socket_connect(p->st, p->sd, PROBE_PEER, 8080, p->now), -EINPROGRESS);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->th.flags, SYN);
    assert_int_equal(k->ip.tos, 0x48);
    assert_int_equal(k->ip.ttl, 9);
    assert_int_equal(k->th.opts.mss, 1200);
    assert_int_equal(k->th.window, 30000);
    /* TCP_MAXSEG shapes the SYN: too late once connecting */
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG, 1000), -EISCONN);
    /* a TOS change applies to what follows */
    uint16_t lport;
    assert_int_equal(synack_socket_name(p->st, p->sd, NULL, &lport), 0);
    p->port = lport;
    p->peer_port = 8080;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYN | ACK, .seq = 0, .ack = 1, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    k = probe_expect(p, ACK, 1, 1);
    assert_int_equal(k->ip.tos, 0x48);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_IPPROTO_IP, SYNACK_IP_TOS, 0x10), 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, "t", 1, 0, p->now), 1);
    k = probe_expect_len(p, ACK | PSH, 1, 1, 1);
    assert_int_equal(k->ip.tos, 0x10);
    assert_int_equal(k->ip.ttl, 9);
    /* TCP_MAXSEG reads the effective send MSS once connected */
    int v = 0;
    assert_int_equal(getopt_int(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_MAXSEG, &v), 0);
    assert_int_equal(v, 1200);
}

/* TCP_NODELAY (MUST-17): with Nagle a second small segment waits for the
 * ACK of the first; without, it goes at once. */
static void test_nodelay_turns_nagle_off(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, "a", 1, 0, p->now), 1);
    probe_expect_len(p, ACK | PSH, 1, 1, 1);
    assert_int_equal(synack_socket_send(p->st, p->sd, "b", 1, 0, p->now), 1);
    probe_expect_none(p); /* Nagle holds it */
    /* setting TCP_NODELAY releases what Nagle held */
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_NODELAY, 1), 0);
    probe_expect_len(p, ACK | PSH, 2, 1, 1);
    assert_int_equal(synack_socket_send(p->st, p->sd, "c", 1, 0, p->now), 1);
    probe_expect_len(p, ACK | PSH, 3, 1, 1);
}

/* SO_RCVBUF made smaller on a live connection must not take back window
 * already announced (3.8.6.2.2, SHLD-14): data the peer may send in that
 * window still fits. */
static void test_rcvbuf_shrink_keeps_the_announced_window(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_int_equal(ti.rcv_wnd, 65535);
    assert_int_equal(setopt_int(p, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, 2048), 0);
    static uint8_t data[4 * 1460], got[4 * 1460];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    for (uint32_t i = 0; i < 4; i++)
        probe_inject(p, ACK | PSH, 1 + i * 1460, 1, data + i * 1460, 1460);
    size_t n = 0;
    for (;;) {
        ssize_t r = synack_socket_recv(p->st, p->sd, got + n, sizeof got - n, 0, p->now);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    assert_int_equal(n, sizeof data);
    assert_memory_equal(got, data, sizeof data);
    /* the right edge never moved left (SHLD-14) */
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_true(ti.rcv_nxt + ti.rcv_wnd - PROBE_PEER_ISN >= 1 + 65535);
}

/* ---- readiness through a connection's life ---- */

static void test_events_through_a_passive_connections_life(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    assert_int_equal(synack_socket_events(p->st, p->lsd), 0);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(synack_socket_events(p->st, p->lsd), 0); /* not yet established */
    probe_inject(p, ACK, 1, 1, NULL, 0);
    assert_int_equal(synack_socket_events(p->st, p->lsd), SYNACK_POLLIN);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(synack_socket_events(p->st, p->lsd), 0);
    assert_int_equal(synack_socket_events(p->st, p->sd), SYNACK_POLLOUT);
    probe_inject(p, ACK | PSH, 1, 1, "data", 4);
    assert_int_equal(synack_socket_events(p->st, p->sd), SYNACK_POLLOUT | SYNACK_POLLIN);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 4);
    assert_int_equal(synack_socket_events(p->st, p->sd), SYNACK_POLLOUT);
    /* urgent data: POLLPRI (MUST-32) */
    struct probe_seg u = {.flags = ACK | PSH | URG, .seq = 5, .ack = 1, .win = 65535,
                          .urg = 2, .data = "!!", .len = 2};
    probe_inject_seg(p, &u);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 2);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
    /* the peer's FIN */
    probe_inject(p, FIN | ACK, 7, 1, NULL, 0);
    assert_int_equal(synack_socket_events(p->st, p->sd),
                     SYNACK_POLLOUT | SYNACK_POLLIN | SYNACK_POLLRDHUP);
    /* our FIN: both directions done */
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    assert_int_equal(synack_socket_events(p->st, p->sd),
                     SYNACK_POLLIN | SYNACK_POLLRDHUP | SYNACK_POLLHUP);
    probe_drain(p);
    probe_inject(p, ACK, 8, 2, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    int ev = synack_socket_events(p->st, p->sd);
    assert_true(ev & SYNACK_POLLHUP);
    assert_false(ev & SYNACK_POLLERR);
}

static void test_events_through_an_active_connection_and_a_reset(void **state)
{
    struct probe *p = *state;
    p->sd = synack_socket(p->st);
    assert_int_equal(synack_socket_events(p->st, p->sd), SYNACK_POLLOUT | SYNACK_POLLHUP);
    probe_free(p);
    probe_init(p, NULL);
    probe_goto_syn_sent(p);
    assert_int_equal(synack_socket_events(p->st, p->sd), 0);
    probe_inject(p, SYN | ACK, 0, 1, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    assert_int_equal(synack_socket_events(p->st, p->sd), SYNACK_POLLOUT);
    probe_inject(p, RST, 1, 0, NULL, 0);
    assert_int_equal(synack_socket_events(p->st, p->sd),
                     SYNACK_POLLIN | SYNACK_POLLOUT | SYNACK_POLLERR | SYNACK_POLLHUP);
    assert_int_equal(so_error(p, p->sd), ECONNRESET);
    assert_int_equal(synack_socket_events(p->st, p->sd),
                     SYNACK_POLLIN | SYNACK_POLLOUT | SYNACK_POLLHUP);
}

/* STATUS (3.10.6) reports the TCB. */
static void test_status_reports_the_tcb(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, "12345", 5, 0, p->now), 5);
    probe_expect_len(p, ACK | PSH, 1, 1, 5);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(synack_addr_v4(&ti.laddr), PROBE_ADDR);
    assert_int_equal(synack_addr_v4(&ti.raddr), PROBE_PEER);
    assert_int_equal(ti.lport, PROBE_PORT);
    assert_int_equal(ti.rport, PROBE_PEER_PORT);
    assert_int_equal(ti.snd_una, p->stack_isn + 1);
    assert_int_equal(ti.snd_nxt, p->stack_isn + 6);
    assert_int_equal(ti.unacked, 5);
    assert_int_equal(ti.sndbuf_used, 5);
    assert_int_equal(ti.rto_us, SYNACK_SEC);
    assert_int_equal(ti.rcv_wnd, 65535);
    assert_int_equal(ti.rcvbuf_size, 256 * 1024);
    assert_true(ti.cwnd >= 1460);
    assert_int_equal(ti.ssthresh, UINT32_MAX);
    struct synack_tcp_info t2;
    size_t len = sizeof t2;
    assert_int_equal(
        synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_INFO, &t2, &len), 0);
    assert_memory_equal(&ti, &t2, sizeof ti);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_call_on_a_bad_handle_is_ebadf),
        T(test_socket_handles_are_lowest_free_and_bounded),
        T(test_bind_errors),
        T(test_bind_with_reuseaddr),
        T(test_listen_and_accept_errors),
        T(test_close_listener_resets_unaccepted_connections),
        T(test_connect_to_broadcast_or_multicast_is_enetunreach),
        T(test_connect_in_progress_then_connected),
        T(test_connect_refused_reports_econnrefused_once),
        T(test_connect_again_after_refusal_retries),
        T(test_connect_to_a_tuple_in_time_wait_is_eaddrinuse),
        T(test_send_and_recv_on_an_unconnected_socket_are_enotconn),
        T(test_send_recv_argument_errors),
        T(test_recv_empty_is_eagain_and_peek_keeps_data),
        T(test_posted_buffer_takes_in_order_text_straight),
        T(test_posted_buffer_is_given_back),
        T(test_posted_buffer_is_forgotten_at_close),
        T(test_send_on_a_full_buffer_is_eagain),
        T(test_send_after_shutdown_wr_is_epipe),
        T(test_after_reset_econnreset_once_then_epipe),
        T(test_data_before_reset_is_read_then_econnreset),
        T(test_shutdown_rd_ends_reads),
        T(test_linger_zero_close_and_abort_send_rst),
        T(test_every_option_round_trips),
        T(test_unknown_options_are_enoprotoopt),
        T(test_short_or_bad_option_values_are_einval),
        T(test_options_take_effect_on_the_wire),
        T(test_nodelay_turns_nagle_off),
        T(test_rcvbuf_shrink_keeps_the_announced_window),
        T(test_events_through_a_passive_connections_life),
        T(test_events_through_an_active_connection_and_a_reset),
        T(test_status_reports_the_tcb),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

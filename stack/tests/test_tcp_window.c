/* Managing the window (RFC 9293 3.8.6): zero-window probing with backoff
 * that never gives up while the probes are answered (MUST-35 to MUST-37,
 * SHLD-29, SHLD-30), a peer that shrinks its window (MUST-34, SHLD-15 to
 * SHLD-17), sender and receiver silly window syndrome avoidance (MUST-38,
 * MUST-39), our window never shrinking (SHLD-14), and RST and URG taken
 * even when our window is zero (MUST-66). One stack, a fake peer, virtual
 * time. */
#include <errno.h>

#include "support/conn.h"

#include "core/stack_internal.h"

/* Run to the next deadline, which must be at `at`: a window probe of one
 * octet at seq with the value `octet`. */
static void expect_probe_at(struct probe *p, uint64_t at, uint32_t seq, uint8_t octet)
{
    assert_int_equal(synack_stack_deadline(p->st), at);
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->when, at);
    assert_int_equal(k->seq, seq);
    assert_int_equal(k->th.payload_len, 1);
    assert_int_equal(k->th.payload[0], octet);
    probe_expect_none(p);
}

/* 3.8.6.1: with the window closed the first probe goes after one RTO
 * (SHLD-29), the interval doubles (SHLD-30) up to persist_max (60 s), each
 * probe is one octet of new data (MUST-36), and as long as they are
 * answered the connection stays open (MUST-37): here for an hour. When the
 * window opens, the data goes at once. */
static void test_zero_window_probes_back_off_and_last_an_hour(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    const uint8_t *data = conn_pattern(10);
    conn_send(p, data, 10);
    probe_expect_none(p);
    uint64_t t0 = p->now, at = t0, gap = SEC;
    int probes = 0;
    while (at + gap <= t0 + 3600 * SEC) {
        at += gap;
        expect_probe_at(p, at, 1, data[0]);
        probe_inject_win(p, ACK, 1, 1, 0, NULL, 0); /* answered: still zero */
        probes++;
        gap = gap * 2 > 60 * SEC ? 60 * SEC : gap * 2;
    }
    assert_int_equal(probes, 6 + 58); /* 1, 3, 7, 15, 31, 63 s, then every 60 s */
    assert_int_equal(CNT(p, tcp_window_probes), probes);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, tcp_conn_timeout), 0);
    probe_inject_win(p, ACK, 1, 1, 65535, NULL, 0);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, 1, 1, 10);
    assert_memory_equal(k->th.payload, data, 10);
    conn_ack(p, 11);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* A peer that answers nothing at all is given up after R2 (bounded
 * resources); MUST-37 protects only a peer that answers. */
static void test_zero_window_with_a_silent_peer_ends_after_r2(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    conn_send(p, "x", 1);
    uint64_t t0 = p->now;
    while (probe_sock_state(p) != SYNACK_CLOSED && probe_to_deadline(p))
        probe_drain(p);
    assert_true(p->now - t0 >= p->cfg.r2);
    uint8_t b[1];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 1, 0, p->now), -ETIMEDOUT);
}

/* MUST-34, SHLD-15, SHLD-16: the peer moves its right edge left of data
 * in flight. No new data goes; what is retransmitted stays within
 * SND.UNA + SND.WND. */
static void test_peer_shrinking_its_window_stops_new_data(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 10000);
    const uint8_t *data = conn_pattern(8000);
    conn_send(p, data, 8000);
    for (uint32_t s = 1; s < 4001; s += 1000)
        probe_expect_len(p, ACK, s, 1, 1000);
    probe_expect_none(p);
    probe_inject_win(p, ACK, 1, 1001, 1000, NULL, 0); /* right edge 2001 < SND.NXT 4001 */
    probe_expect_none(p);
    conn_send(p, data, 100);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p)); /* the RTO: old data, inside the window */
    struct probe_pkt *k = probe_expect_len(p, ACK, 1001, 1, 1000);
    assert_memory_equal(k->th.payload, data + 1000, 1000);
    probe_expect_none(p);
    probe_inject_win(p, ACK, 1, 2001, 1000, NULL, 0);
    k = probe_expect_len(p, ACK, 2001, 1, 1000);
    assert_memory_equal(k->th.payload, data + 2000, 1000);
    probe_expect_none(p);
}

/* MUST-35, SHLD-17: the peer shrinks its window to zero over data in
 * flight. That data is probed for, not timed out: the peer answering
 * keeps the connection open far past R2, and when the window opens the
 * data is sent again from SND.UNA. */
static void test_window_shrunk_to_zero_is_probed_not_timed_out(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    const uint8_t *data = conn_pattern(3 * 1460);
    conn_send(p, data, 3 * 1460);
    probe_expect_len(p, ACK, 1, 1, 1460);
    probe_expect_len(p, ACK, 1461, 1, 1460);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    probe_inject_win(p, ACK, 1, 1461, 0, NULL, 0);
    uint64_t t0 = p->now, at = t0, gap = SEC;
    while (at + gap <= t0 + 400 * SEC) {
        at += gap;
        expect_probe_at(p, at, 1461, data[1460]);
        probe_inject_win(p, ACK, 1, 1461, 0, NULL, 0);
        gap = gap * 2 > 60 * SEC ? 60 * SEC : gap * 2;
    }
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, tcp_conn_timeout), 0);
    assert_int_equal(CNT(p, tcp_retransmits), 0);
    probe_inject_win(p, ACK, 1, 1461, 65535, NULL, 0);
    struct probe_pkt *k = probe_expect_len(p, ACK, 1461, 1, 1460);
    assert_memory_equal(k->th.payload, data + 1460, 1460);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    probe_expect_none(p);
    conn_ack(p, 4381);
    assert_int_equal(conn_info(p).unacked, 0);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* The same when, still at a zero window, the peer acknowledges part of
 * what is in flight: the rest is still probed for, not retransmitted
 * towards R2. */
static void test_partial_ack_at_a_zero_window_keeps_probing(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    const uint8_t *data = conn_pattern(3 * 1460);
    conn_send(p, data, 3 * 1460);
    probe_drain(p);
    probe_inject_win(p, ACK, 1, 1461, 0, NULL, 0);
    p->now += 200 * MSEC;
    probe_inject_win(p, ACK, 1, 2921, 0, NULL, 0);
    uint64_t t0 = p->now;
    while (p->now < t0 + 300 * SEC) {
        assert_true(probe_to_deadline(p));
        struct probe_pkt *k = probe_expect_len(p, ACK, 2921, 1, 1);
        assert_int_equal(k->th.payload[0], data[2920]);
        probe_inject_win(p, ACK, 1, 2921, 0, NULL, 0);
    }
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, tcp_retransmits), 0);
    probe_inject_win(p, ACK, 1, 2921, 65535, NULL, 0);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    conn_ack(p, 4381);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* MUST-38, 3.8.6.2.1: with nothing in flight, a usable window smaller
 * than both a segment and Fs = 1/2 of the largest window seen holds the
 * data until the override timeout (0.1 to 1.0 s: ours is min(RTO, 1 s));
 * half the largest window (rule 3) goes at once. */
static void test_sender_sws_avoidance_rules(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    probe_inject_win(p, ACK, 1, 1, 300, NULL, 0);
    conn_send(p, conn_pattern(1000), 1000);
    probe_expect_none(p);
    uint64_t t0 = p->now;
    assert_int_equal(synack_stack_deadline(p->st), t0 + SEC);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 1, 1, 300);
    probe_expect_none(p);

    conn_reinit(p, NULL);
    conn_establish(p, 0, 1460, 1000); /* Max(SND.WND) = 1000 */
    conn_send(p, conn_pattern(2000), 2000);
    probe_expect_len(p, ACK, 1, 1, 1000); /* rule 3: 1000 >= 1/2 * 1000 */
    probe_expect_none(p);
    probe_inject_win(p, ACK, 1, 1001, 400, NULL, 0); /* 400 < 500: wait */
    probe_expect_none(p);
    t0 = p->now;
    assert_true(probe_to_deadline(p));
    assert_true(p->now - t0 >= 100 * MSEC && p->now - t0 <= SEC);
    probe_expect_len(p, ACK, 1001, 1, 400);
}

/* Receive the peer's octets [from, to) in segments of at most 1000. */
static void peer_sends_upto(struct probe *p, uint32_t to)
{
    const uint8_t *data = conn_pattern(to);
    while (p->pseq < to) {
        uint32_t n = to - p->pseq < 1000 ? to - p->pseq : 1000;
        probe_inject(p, ACK, p->pseq, 1, data + p->pseq, n);
        p->pseq += n;
    }
}

/* The last segment the stack sent, after running the timers for 300 ms. */
static struct probe_pkt *last_ack(struct probe *p)
{
    probe_advance(p, 300 * MSEC);
    struct probe_pkt *k = NULL;
    while (probe_pending(p))
        k = probe_pop(p);
    assert_non_null(k);
    return k;
}

/* MUST-39, 3.8.6.2.2: the right edge stays until the space not yet
 * offered reaches min(RCV.BUFF/2, Eff.snd.MSS) (here 1000), and then the
 * whole free space is offered. */
static void test_receiver_sws_moves_the_right_edge_by_at_least_a_segment(void **state)
{
    struct probe *p = *state;
    conn_establish_rcvbuf(p, 0, 1000, 65535, 4096);
    peer_sends_upto(p, 1 + 4096);
    struct probe_pkt *k = last_ack(p);
    assert_int_equal(k->ack, 4097);
    assert_int_equal(k->th.window, 0);
    uint8_t buf[4096];
    conn_recv(p, buf, 500);
    probe_expect_none(p); /* 500 < 1000: the edge stays */
    assert_int_equal(conn_info(p).rcv_wnd, 0);
    conn_recv(p, buf, 600);
    k = probe_expect(p, ACK, 1, 4097);
    assert_int_equal(k->th.window, 1100); /* RCV.BUFF - RCV.USER */
    conn_recv(p, buf, 2996);
    k = probe_expect(p, ACK, 1, 4097);
    assert_int_equal(k->th.window, 4096);
}

/* SHLD-14: a smaller SO_RCVBUF does not take back the window announced:
 * the right edge stays where it was as data arrives. */
static void test_our_window_never_shrinks(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1000, 65535);
    conn_setopt(p, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF, 2048);
    peer_sends_upto(p, 1 + 1000);
    struct probe_pkt *k = last_ack(p);
    assert_int_equal(k->ack, 1001);
    assert_int_equal(k->th.window, 65535 - 1000);
    peer_sends_upto(p, 1 + 3000);
    k = last_ack(p);
    assert_int_equal(k->ack, 3001);
    assert_int_equal(k->th.window, 65535 - 3000);
}

/* The window a SYN-ACK offers is what the buffer holds, whatever the
 * peer's ISN (RCV.WND starts at RCV.NXT, 3.10.7.2). */
static void test_syn_ack_window_fits_the_buffer_for_any_peer_isn(void **state)
{
    struct probe *p = *state;
    static const uint32_t isns[] = {0, 0x7fffffffu, 0x80000001u, 0xf0000000u, 0xffffffffu};
    for (size_t i = 0; i < sizeof isns / sizeof isns[0]; i++) {
        conn_reinit(p, NULL);
        p->peer_isn = isns[i];
        probe_listen(p);
        int rcvbuf = 4096;
        assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET,
                                                  SYNACK_SO_RCVBUF, &rcvbuf, sizeof rcvbuf,
                                                  p->now),
                         0);
        struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535};
        probe_inject_seg(p, &s);
        p->stack_isn_known = false;
        struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
        assert_int_equal(k->th.window, 4096);
    }
}

/* 3.8.6.1: a receiver with a zero window still answers with its next
 * expected sequence number and window 0; MUST-66: it still takes the URG
 * and RST of segments at RCV.NXT. */
static void test_zero_window_still_acks_and_takes_urg_and_rst(void **state)
{
    struct probe *p = *state;
    conn_establish_rcvbuf(p, 0, 1000, 65535, 2048);
    peer_sends_upto(p, 1 + 2048);
    struct probe_pkt *k = last_ack(p);
    assert_int_equal(k->th.window, 0);
    probe_inject(p, ACK, 2049, 1, "0123456789", 10);
    k = probe_expect(p, ACK, 1, 2049);
    assert_int_equal(k->th.window, 0);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
    struct probe_seg u = {.flags = ACK | URG, .seq = 2049, .ack = 1, .win = 65535, .urg = 5};
    probe_inject_seg(p, &u);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
    assert_int_equal(conn_info(p).urgent_pending, 2048 + 5);
    struct probe_seg ud = {.flags = ACK | URG | PSH, .seq = 2049, .ack = 1, .win = 65535,
                           .urg = 10, .data = "0123456789", .len = 10};
    probe_inject_seg(p, &ud); /* the text is dropped, the pointer taken */
    k = probe_expect(p, ACK, 1, 2049);
    assert_int_equal(k->th.window, 0);
    assert_int_equal(conn_info(p).urgent_pending, 2048 + 10);
    probe_inject(p, RST, 2049, 0, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len), 0);
    assert_int_equal(err, ECONNRESET);
}

/* ---- receive buffer autotuning (tcp_rcvbuf_grow) ---- */

/* A stack whose receive buffer starts at 8 KiB and may grow to 64 KiB
 * (rcvbuf_max; the window scale is chosen for it), holding ooo_max 2
 * intervals; a passive open with window scaling (the peer's shift 0, its
 * MSS 1000) and SO_RCVBUF so_rcvbuf on the listener (0: none). Returns
 * the stack's shift and sets *edge to the right edge it offered. */
static uint8_t establish_autotuned(struct probe *p, int so_rcvbuf, uint32_t *edge)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.rcvbuf = 8192;
    c.rcvbuf_max = 65536;
    c.ooo_max = 2;
    conn_reinit(p, &c);
    probe_listen(p);
    if (so_rcvbuf)
        assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET,
                                                  SYNACK_SO_RCVBUF, &so_rcvbuf,
                                                  sizeof so_rcvbuf, p->now),
                         0);
    p->peer_win = 65535;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_WSCALE, .mss = 1000};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(k->th.opts.present & TCPOPT_F_WSCALE);
    uint8_t shift = k->th.opts.wscale;
    *edge = 1u + k->th.window; /* never scaled in a SYN */
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    p->pseq = p->pack = 1;
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    return shift;
}

/* The peer sends the stream from *seq up to edge in segments of 1000
 * octets; returns the right edge the stack's last ACK offers. */
static uint32_t peer_fills_window(struct probe *p, uint32_t *seq, uint32_t edge, uint8_t shift)
{
    const uint8_t *data = conn_pattern(1 << 17);
    struct probe_pkt *k = NULL;
    while (*seq < edge) {
        uint32_t n = edge - *seq < 1000 ? edge - *seq : 1000;
        probe_inject(p, ACK, *seq, 1, data + *seq - 1, n);
        *seq += n;
        while (probe_pending(p))
            k = probe_pop(p);
    }
    assert_non_null(k);
    return k->ack + ((uint32_t)k->th.window << shift);
}

/* One round trip through loss: the first segment of the window is lost,
 * the rest fills the window past it, then the hole is filled and the
 * application reads everything. Returns the edge offered after. */
static uint32_t peer_round_with_a_hole(struct probe *p, uint32_t *seq, uint32_t edge,
                                       uint8_t shift)
{
    static uint8_t buf[1 << 17];
    uint32_t hole = *seq;
    *seq += 1000;
    peer_fills_window(p, seq, edge, shift);
    probe_inject(p, ACK, hole, 1, conn_pattern(1 << 17) + hole - 1, 1000);
    synack_socket_recv(p->st, p->sd, buf, sizeof buf, 0, p->now);
    struct probe_pkt *k = NULL;
    while (probe_pending(p))
        k = probe_pop(p);
    assert_non_null(k);
    return k->ack + ((uint32_t)k->th.window << shift);
}

/* Through loss the peer fills the window past a hole each round trip
 * while the application reads all it can: the window, not the application,
 * limits it, so once a buffer's worth has been delivered in order the
 * buffer doubles (and the window with it) each time the peer reaches the
 * edge, up to rcvbuf_max (64 KiB). */
static void test_receive_buffer_grows_while_the_window_limits_the_peer(void **state)
{
    struct probe *p = *state;
    uint32_t edge;
    uint8_t shift = establish_autotuned(p, 0, &edge);
    assert_int_equal(edge, 1 + 8192);
    uint32_t seq = 1, want[] = {8192, 16384, 32768, 65536, 65536};
    for (unsigned r = 0; r < 5; r++) {
        edge = peer_round_with_a_hole(p, &seq, edge, shift);
        assert_int_equal(conn_info(p).rcvbuf_size, want[r]);
        assert_int_equal(edge, seq + want[r]); /* the whole buffer offered */
    }
    assert_int_equal(CNT(p, tcp_rcvbuf_grown), 3);
    assert_int_equal(CNT(p, tcp_ooo_drop_full), 0);
}

/* Attack: a peer that keeps [1, 1001) open and fills the window past it
 * again and again grows nothing (nothing was delivered in order), and the
 * stream is whole when the hole fills. */
static void test_receive_buffer_does_not_grow_for_a_peer_holding_a_hole(void **state)
{
    struct probe *p = *state;
    uint32_t edge;
    uint8_t shift = establish_autotuned(p, 0, &edge);
    uint32_t seq = 1001;
    for (unsigned r = 0; r < 3; r++) {
        assert_int_equal(peer_fills_window(p, &seq, edge, shift), 1 + 8192);
        seq = 1001; /* and again: duplicates */
    }
    assert_int_equal(conn_info(p).rcvbuf_size, 8192);
    assert_int_equal(CNT(p, tcp_rcvbuf_grown), 0);
    probe_inject(p, ACK, 1, 1, conn_pattern(1000), 1000); /* the hole fills */
    static uint8_t buf[8192];
    assert_int_equal(synack_socket_recv(p->st, p->sd, buf, sizeof buf, 0, p->now), 8192);
    assert_memory_equal(buf, conn_pattern(8192), 8192);
}

/* No growth when SO_RCVBUF set the size, nor when the application is the
 * limit (what it has not read fills the buffer). */
static void test_receive_buffer_does_not_grow_when_set_or_not_read(void **state)
{
    struct probe *p = *state;
    uint32_t edge;
    uint8_t shift = establish_autotuned(p, 8192, &edge);
    uint32_t seq = 1;
    for (unsigned r = 0; r < 3; r++)
        edge = peer_round_with_a_hole(p, &seq, edge, shift);
    assert_int_equal(conn_info(p).rcvbuf_size, 8192);

    shift = establish_autotuned(p, 0, &edge);
    seq = 1; /* in order, nothing read */
    peer_fills_window(p, &seq, edge, shift);
    assert_int_equal(conn_info(p).rcvbuf_size, 8192);
    assert_int_equal(conn_info(p).rcvbuf_used, 8192);
    assert_int_equal(CNT(p, tcp_rcvbuf_grown), 0);
}

/* SHLD-31 with the larger window: the interval limit grows with the
 * buffer, one per eight full segments (64 KiB / (8 x 1460): 5), so what
 * arrives past five holes is kept where ooo_max (2) would drop it. */
static void test_out_of_order_limit_grows_with_the_buffer(void **state)
{
    struct probe *p = *state;
    uint32_t edge;
    uint8_t shift = establish_autotuned(p, 0, &edge);
    uint32_t seq = 1;
    for (unsigned r = 0; r < 4; r++)
        edge = peer_round_with_a_hole(p, &seq, edge, shift);
    assert_int_equal(conn_info(p).rcvbuf_size, 65536);
    const uint8_t *data = conn_pattern(1 << 17);
    for (unsigned i = 0; i < 5; i++) { /* five holes of 1000 */
        uint32_t s = seq + 1000 + 2000 * i;
        probe_inject(p, ACK, s, 1, data + s - 1, 1000);
    }
    assert_int_equal(conn_info(p).ooo_intervals, 5);
    assert_int_equal(CNT(p, tcp_ooo_drop_full), 0);
    uint32_t s = seq + 1000 + 2000 * 5; /* a sixth: past the limit */
    probe_inject(p, ACK, s, 1, data + s - 1, 1000);
    assert_int_equal(CNT(p, tcp_ooo_drop_full), 1);
}

/* A passive open from peer port `port` on the listener of
 * establish_autotuned's stack; sets *edge to the right edge offered and
 * returns the accepted socket (p->stack_isn is its ISS). */
static int accept_autotuned(struct probe *p, uint16_t port, uint32_t *edge)
{
    p->peer_port = port;
    p->stack_isn_known = false;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS | TCPOPT_F_WSCALE, .mss = 1000};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    *edge = 1u + probe_expect(p, SYN | ACK, 0, 1)->th.window;
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    int sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(sd >= 0);
    return sd;
}

/* DESIGN 4 against autotuning: peers on eight connections each deliver
 * through loss what grows their buffer round after round (the application
 * reads all, as a server does), then keep a hole open and fill the window
 * past it, so every buffer would be held at rcvbuf_max (64 KiB: 512 KiB,
 * for max_conns of them rcvbuf_max each). Growth stops where
 * rcvbuf_auto_mem (all doubled once, six twice) is spent, counted; a
 * legitimate client is still served, and grows once the attackers'
 * connections are gone. */
static void test_receive_buffer_growth_is_bounded_stack_wide(void **state)
{
    enum { N = 8 };
    struct probe *p = *state;
    uint32_t edge;
    uint8_t shift = establish_autotuned(p, 0, &edge);
    uint32_t budget = N * 8192 + 6 * 16384;
    struct synack_config c = p->cfg;
    c.rcvbuf_auto_mem = budget;
    conn_reinit(p, &c);
    probe_listen(p);
    uint32_t isn[N], seq[N], right[N];
    int sd[N];
    for (int i = 0; i < N; i++) {
        sd[i] = accept_autotuned(p, (uint16_t)(30000 + i), &right[i]);
        isn[i] = p->stack_isn;
        seq[i] = 1;
    }
    for (unsigned r = 0; r < 5; r++)
        for (int i = 0; i < N; i++) {
            p->peer_port = (uint16_t)(30000 + i);
            p->stack_isn = isn[i];
            p->sd = sd[i];
            if (r < 4) {
                right[i] = peer_round_with_a_hole(p, &seq[i], right[i], shift);
            } else { /* the hole stays open: the buffer is held */
                uint32_t s = seq[i] + 1000;
                peer_fills_window(p, &s, right[i], shift);
            }
        }
    uint64_t held = 0;
    for (const struct tcb *t = p->st->tcp.all; t; t = t->next)
        held += t->rb.size;
    if (held > N * 8192u + budget)
        fail_msg("%llu octets held", (unsigned long long)held);
    assert_true(p->st->tcp.rcvbuf_auto_used <= budget);
    uint64_t refused = CNT(p, tcp_rcvbuf_grow_refused);
    assert_true(refused > 0);

    p->sd = accept_autotuned(p, 31000, &edge); /* a client: served, not grown */
    uint32_t isn_legit = p->stack_isn, s = 1;
    for (unsigned r = 0; r < 2; r++) {
        edge = peer_round_with_a_hole(p, &s, edge, shift);
        assert_int_equal(edge, s + 8192); /* all read, the whole buffer offered */
    }
    assert_true(CNT(p, tcp_rcvbuf_grow_refused) > refused);
    for (int i = 0; i < N; i++) { /* the attackers' connections end */
        p->peer_port = (uint16_t)(30000 + i);
        p->stack_isn = isn[i];
        probe_inject(p, RST, seq[i], 0, NULL, 0); /* at RCV.NXT: the hole */
        assert_int_equal(synack_socket_close(p->st, sd[i], p->now), 0);
    }
    assert_int_equal(p->st->tcp.rcvbuf_auto_used, 0);
    p->peer_port = 31000;
    p->stack_isn = isn_legit;
    edge = peer_round_with_a_hole(p, &s, edge, shift);
    assert_int_equal(conn_info(p).rcvbuf_size, 16384); /* grows again */
    assert_int_equal(p->st->tcp.rcvbuf_auto_used, 16384 - 8192);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_zero_window_probes_back_off_and_last_an_hour),
        T(test_zero_window_with_a_silent_peer_ends_after_r2),
        T(test_peer_shrinking_its_window_stops_new_data),
        T(test_window_shrunk_to_zero_is_probed_not_timed_out),
        T(test_partial_ack_at_a_zero_window_keeps_probing),
        T(test_sender_sws_avoidance_rules),
        T(test_receiver_sws_moves_the_right_edge_by_at_least_a_segment),
        T(test_our_window_never_shrinks),
        T(test_syn_ack_window_fits_the_buffer_for_any_peer_isn),
        T(test_zero_window_still_acks_and_takes_urg_and_rst),
        T(test_receive_buffer_grows_while_the_window_limits_the_peer),
        T(test_receive_buffer_does_not_grow_for_a_peer_holding_a_hole),
        T(test_receive_buffer_does_not_grow_when_set_or_not_read),
        T(test_out_of_order_limit_grows_with_the_buffer),
        T(test_receive_buffer_growth_is_bounded_stack_wide),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

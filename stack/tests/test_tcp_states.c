/* The TCP state machine cell by cell: RFC 9293 3.10.7 SEGMENT ARRIVES for
 * each state and kind of arriving segment, with RFC 5961's checks, the
 * TIME-WAIT timer, simultaneous open and close, and half-close. One stack,
 * a fake peer (support/probe.h), virtual time; every test asserts what
 * goes out on the wire, the state and what the API reports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "support/conn.h"
#include "core/stack_internal.h"

static const uint8_t data10[10] = "0123456789";

static struct synack_tcp_info status(struct probe *p)
{
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    return ti;
}

/* The peer's data reaches the application; the delayed ACK follows. */
static void peer_sends(struct probe *p, const void *data, size_t len)
{
    probe_inject(p, ACK | PSH, p->pseq, p->pack, data, len);
    p->pseq += (uint32_t)len;
}

static void expect_recv(struct probe *p, const void *want, size_t len)
{
    uint8_t buf[4096];
    assert_true(len <= sizeof buf);
    ssize_t n = synack_socket_recv(p->st, p->sd, buf, sizeof buf, 0, p->now);
    assert_int_equal(n, len);
    assert_memory_equal(buf, want, len);
}

/* ======================================================================
 * 3.10.7.1 CLOSED: no TCB
 * ====================================================================== */

/* "An incoming segment containing a RST is discarded." */
static void test_closed_rcv_rst_is_dropped_silently(void **state)
{
    struct probe *p = *state;
    probe_inject(p, RST, 5, 0, NULL, 0);
    probe_inject(p, RST | ACK, 5, 77, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_drop_rst_no_conn), 2);
    assert_int_equal(CNT(p, tcp_rst_sent), 0);
}

/* "If the ACK bit is on, <SEQ=SEG.ACK><CTL=RST>" (3.10.7.1) */
static void test_closed_rcv_ack_gets_rst_with_seq_seg_ack(void **state)
{
    struct probe *p = *state;
    probe_inject(p, ACK, 5, 0x12345678, data10, sizeof data10);
    struct probe_pkt *k = probe_expect(p, RST, 0x12345678, PROBE_ANY);
    assert_int_equal(k->th.ack, 0);
    assert_int_equal(k->th.payload_len, 0);
    assert_int_equal(k->th.dport, PROBE_PEER_PORT);
    assert_int_equal(k->th.sport, PROBE_PORT);
    assert_int_equal(k->ip.dst, PROBE_PEER);
    assert_int_equal(CNT(p, tcp_rst_closed_port), 1);
}

/* "If the ACK bit is off, sequence number zero is used,
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>" (3.10.7.1); SEG.LEN counts
 * SYN and FIN. */
static void test_closed_rcv_no_ack_gets_rst_ack_seq_zero_ack_seq_plus_len(void **state)
{
    struct probe *p = *state;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_expect(p, RST | ACK, PROBE_ANY, 1);
    assert_int_equal(k->th.seq, 0);
    /* text and FIN: SEG.LEN = 10 + 1 */
    probe_inject(p, FIN | PSH, 100, 0, data10, sizeof data10);
    k = probe_expect(p, RST | ACK, PROBE_ANY, 111);
    assert_int_equal(k->th.seq, 0);
    /* SYN with text */
    probe_inject(p, SYN, 0, 0, data10, sizeof data10);
    probe_expect(p, RST | ACK, PROBE_ANY, 11);
    assert_int_equal(CNT(p, tcp_rst_sent), 3);
}

/* ======================================================================
 * 3.10.7.2 LISTEN
 * ====================================================================== */

/* "An incoming RST should be ignored." */
static void test_listen_rcv_rst_is_ignored(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    probe_inject(p, RST, 0, 0, NULL, 0);
    probe_inject(p, RST | ACK, 0, 9, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_listen_drop_rst), 2);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* "Any acknowledgment is bad ... <SEQ=SEG.ACK><CTL=RST>" */
static void test_listen_rcv_ack_gets_rst(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    probe_inject(p, ACK, 3, 0xabcdef01, NULL, 0);
    struct probe_pkt *k = probe_expect(p, RST, 0xabcdef01, PROBE_ANY);
    assert_int_equal(k->th.ack, 0);
    /* a SYN with ACK is "ACK-bearing" too */
    probe_inject(p, SYN | ACK, 0, 0x55, NULL, 0);
    probe_expect(p, RST, 0x55, PROBE_ANY);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* Third: SYN -> <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS
 * (MUST-14, MUST-67: MTU 1500 - 40), SYN-RECEIVED, remembered as passive. */
static void test_listen_rcv_syn_gets_syn_ack_with_mss(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1000};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 4000, .opts = &o};
    probe_inject_seg(p, &s);
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_true(k->th.opts.present & TCPOPT_F_MSS);
    assert_int_equal(k->th.opts.mss, 1460);
    assert_int_equal(k->th.window, 65535);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
    /* complete it and see the peer's MSS and window taken (MUST-15, MUST-16) */
    probe_inject_win(p, ACK, 1, 1, 4000, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(ti.passive, 1);
    assert_int_equal(ti.snd_mss, 1000);
    assert_int_equal(ti.rcv_mss, 1460);
    assert_int_equal(ti.snd_wnd, 4000);
    assert_int_equal(ti.irs, PROBE_PEER_ISN);
    assert_int_equal(ti.iss, p->stack_isn);
}

/* An MSS option of 0 is treated as absent: the default 536 (MUST-15). */
static void test_listen_rcv_syn_with_mss_zero_uses_536(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 0};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(status(p).snd_mss, 536);
    assert_int_equal(CNT(p, tcp_mss_zero), 1);
    /* and without any option: 536 as well */
    p->peer_port++;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, PROBE_ANY, 1);
}

/* Fourth: "other text or control ... drop the segment and return." */
static void test_listen_rcv_segment_without_syn_rst_or_ack_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    probe_inject(p, FIN, 0, 0, NULL, 0);
    probe_inject(p, PSH, 0, 0, data10, sizeof data10);
    probe_inject(p, 0, 0, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_listen_drop_other), 3);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* Text on a SYN is queued and delivered once ESTABLISHED (3.10.7.2). */
static void test_listen_rcv_syn_with_text_delivers_it_after_the_handshake(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    probe_inject(p, SYN, 0, 0, data10, sizeof data10);
    probe_expect(p, SYN | ACK, 0, 1); /* the text is not acknowledged yet */
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect(p, ACK, 1, 11); /* now it is */
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    p->pseq = 11;
    p->pack = 1;
    expect_recv(p, data10, sizeof data10);
}

/* The listen backlog bounds the connections nobody has accepted yet: with
 * that many queued, SYNs are dropped and counted. Half-open connections do
 * not count against it (they live in the SYN cache: test_tcp_syncache.c). */
static void test_listen_accept_queue_full_drops_syns_and_counts(void **state)
{
    struct probe *p = *state;
    p->lsd = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, p->lsd, 0, PROBE_PORT), 0);
    assert_int_equal(synack_socket_listen(p->st, p->lsd, 2), 0);
    for (int i = 0; i < 2; i++) {
        p->peer_port = (uint16_t)(PROBE_PEER_PORT + i);
        p->stack_isn_known = false;
        probe_inject(p, SYN, 0, 0, NULL, 0);
        probe_expect(p, SYN | ACK, 0, 1);
        probe_inject(p, ACK, 1, 1, NULL, 0);
        probe_expect_none(p);
    }
    p->peer_port = PROBE_PEER_PORT + 2;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_listen_overflow), 1);
    assert_int_equal(probe_tcb_count(p), 3);
    /* one accepted: room again */
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
}

/* ======================================================================
 * 3.10.7.3 SYN-SENT
 * ====================================================================== */

/* "If SEG.ACK =< ISS or SEG.ACK > SND.NXT, send a reset <SEQ=SEG.ACK><CTL=RST>" */
static void test_syn_sent_rcv_ack_at_iss_gets_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN | ACK, 0, 0, NULL, 0);
    probe_expect(p, RST, 0, PROBE_ANY);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
    assert_int_equal(CNT(p, tcp_syn_sent_bad_ack), 1);
}

static void test_syn_sent_rcv_ack_above_snd_nxt_gets_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, ACK, 0, 2, NULL, 0);
    probe_expect(p, RST, 2, PROBE_ANY);
    probe_inject(p, SYN | ACK, 0, (uint32_t)-100, NULL, 0);
    probe_expect(p, RST, (uint32_t)-100, PROBE_ANY);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
}

/* "... (unless the RST bit is set, if so drop the segment and return)" */
static void test_syn_sent_rcv_rst_with_bad_ack_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, RST | ACK, 0, 5, NULL, 0);
    probe_inject(p, RST | ACK, 0, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EALREADY);
}

/* "If the ACK was acceptable, then signal to the user 'error: connection
 * reset' ... enter CLOSED state" : connect() reports ECONNREFUSED. */
static void test_syn_sent_rcv_rst_with_acceptable_ack_refuses_the_connection(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, RST | ACK, 0, 1, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLERR);
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len),
                     0);
    assert_int_equal(err, ECONNREFUSED);
    assert_int_equal(CNT(p, tcp_conn_refused), 1);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
}

/* "Otherwise (no ACK), drop the segment and return." */
static void test_syn_sent_rcv_rst_without_ack_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, RST, 0, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
}

/* Fourth: SYN with an acceptable ACK: ESTABLISHED and
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; connect() then reports EISCONN. */
static void test_syn_sent_rcv_syn_ack_establishes_and_acks(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    probe_inject_win(p, SYN | ACK, 0, 1, 3000, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(ti.passive, 0);
    assert_int_equal(ti.snd_wnd, 3000);
    assert_int_equal(ti.snd_una, p->stack_isn + 1);
    assert_int_equal(ti.rcv_nxt, PROBE_PEER_ISN + 1);
    assert_int_equal(ti.snd_mss, 536); /* no MSS option from the peer (MUST-15) */
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EISCONN);
}

/* A SYN-ACK carrying text: "continue processing at the sixth step". */
static void test_syn_sent_rcv_syn_ack_with_text_delivers_it(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN | ACK, 0, 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, 11);
    p->pseq = 11;
    expect_recv(p, data10, sizeof data10);
}

/* SYN without ACK: simultaneous open (MUST-10): SYN-RECEIVED and
 * <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; the peer's ACK completes it. */
static void test_syn_sent_rcv_syn_alone_is_simultaneous_open(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_SYN_RECEIVED);
    assert_int_equal(ti.passive, 0);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    /* The peer's SYN-ACK (Figure 7 line 6) repeats its SYN and acknowledges
     * ours: the duplicate SYN is trimmed and the ACK completes the open,
     * with nothing sent (not another SYN-ACK: two stacks would trade them
     * forever). */
    probe_inject(p, SYN | ACK, 0, 1, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLOUT);
    /* a retransmission of that SYN-ACK is now an old duplicate: ACKed */
    probe_inject(p, SYN | ACK, 0, 1, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    /* data flows */
    p->pseq = 1;
    p->pack = 1;
    assert_int_equal(synack_socket_send(p->st, p->sd, "hi", 2, 0, p->now), 2);
    probe_expect_len(p, ACK | PSH, 1, 1, 2);
}

/* Fifth: "if neither of the SYN or RST bits is set, then drop the segment" */
static void test_syn_sent_rcv_neither_syn_nor_rst_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, ACK, 0, 1, NULL, 0);
    probe_inject(p, FIN | ACK, 0, 1, NULL, 0);
    probe_inject(p, PSH, 0, 0, data10, sizeof data10);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
    assert_int_equal(CNT(p, tcp_syn_sent_drop), 3);
}

/* ======================================================================
 * 3.10.7.4 first: the four cases of the acceptability test (Table 6)
 * ====================================================================== */

/* A connection whose receive window is 0: a 2048-octet buffer, filled. */
static void goto_established_zero_window(struct probe *p)
{
    probe_listen(p);
    int v = 2048;
    /* children inherit the listener's buffer size */
    assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF,
                                              &v, sizeof v, p->now),
                     0);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(k->th.window, 2048);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    p->pseq = p->pack = 1;
    static uint8_t fill[2048];
    peer_sends(p, fill, sizeof fill);
    assert_true(probe_to_deadline(p));
    k = probe_expect(p, ACK, 1, 2049);
    assert_int_equal(k->th.window, 0);
    assert_int_equal(status(p).rcv_wnd, 0);
}

/* Length 0, window 0: acceptable only when SEG.SEQ = RCV.NXT. */
static void test_established_zero_length_zero_window_accepts_only_rcv_nxt(void **state)
{
    struct probe *p = *state;
    goto_established_zero_window(p);
    uint64_t bad = CNT(p, tcp_unacceptable);
    probe_inject_win(p, ACK, p->pseq, 1, 1234, NULL, 0); /* acceptable: the window is taken */
    probe_expect_none(p);
    assert_int_equal(status(p).snd_wnd, 1234);
    assert_int_equal(CNT(p, tcp_unacceptable), bad);
    probe_inject_win(p, ACK, p->pseq + 1, 1, 999, NULL, 0); /* not acceptable: ACK */
    probe_expect(p, ACK, 1, p->pseq);
    assert_int_equal(status(p).snd_wnd, 1234);
    probe_inject_win(p, ACK, p->pseq - 1, 1, 999, NULL, 0);
    probe_expect(p, ACK, 1, p->pseq);
    assert_int_equal(CNT(p, tcp_unacceptable), bad + 2);
}

/* Length 0, window > 0: RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND. */
static void test_established_zero_length_open_window_accepts_inside_window(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint32_t wnd = status(p).rcv_wnd;
    assert_int_equal(wnd, 65535);
    probe_inject(p, ACK, 1, 1, NULL, 0);              /* left edge */
    probe_expect_none(p);
    probe_inject(p, ACK, 1 + wnd - 1, 1, NULL, 0);    /* last octet of the window */
    probe_expect(p, ACK, 1, 1); /* acceptable, past RCV.NXT: a duplicate ACK (RFC 5681 4.2) */
    assert_int_equal(CNT(p, tcp_unacceptable), 0);
    probe_inject(p, ACK, 1 + wnd, 1, NULL, 0);        /* right edge: outside */
    probe_expect(p, ACK, 1, 1);
    probe_inject(p, ACK, 0, 1, NULL, 0);              /* left of RCV.NXT */
    probe_expect(p, ACK, 1, 1);
    assert_int_equal(CNT(p, tcp_unacceptable), 2);
}

/* Length > 0, window 0: not acceptable; with SEG.SEQ = RCV.NXT the ACK is
 * still processed ("special allowance", MUST-66) but the text dropped. */
static void test_established_text_into_zero_window_is_not_accepted(void **state)
{
    struct probe *p = *state;
    goto_established_zero_window(p);
    uint32_t rcv_nxt = p->pseq;
    probe_inject_win(p, ACK | PSH, rcv_nxt, 1, 777, data10, sizeof data10);
    probe_expect(p, ACK, 1, rcv_nxt);
    assert_int_equal(status(p).snd_wnd, 777); /* the ACK field was processed */
    probe_inject(p, ACK | PSH, rcv_nxt + 5, 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, rcv_nxt);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.rcv_nxt, PROBE_PEER_ISN + rcv_nxt);
    assert_int_equal(ti.rcvbuf_used, 2048);
}

/* Length > 0, window > 0: the first or the last octet in the window; only
 * the new part of a straddling segment is taken. */
static void test_established_text_straddling_the_left_edge_is_trimmed(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    peer_sends(p, "abcde", 5);
    /* octets 1..10: 1..5 old, 6..10 new */
    probe_inject(p, ACK | PSH, 1, 1, "abcdeFGHIJ", 10);
    p->pseq = 11;
    expect_recv(p, "abcdeFGHIJ", 10);
    /* entirely old: a duplicate, answered by an ACK */
    probe_drain(p);
    probe_inject(p, ACK | PSH, 1, 1, "abcdeFGHIJ", 10);
    probe_expect(p, ACK, 1, 11);
    assert_int_equal(CNT(p, tcp_unacceptable), 1);
}

static void test_established_text_beyond_the_window_is_not_accepted(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint32_t wnd = status(p).rcv_wnd;
    probe_inject(p, ACK | PSH, 1 + wnd, 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, 1);
    /* the last octet in the window is acceptable: held out of order,
     * answered by a duplicate ACK at once (RFC 5681 4.2) */
    probe_inject(p, ACK | PSH, 1 + wnd - 1, 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, 1);
    assert_int_equal(status(p).ooo_intervals, 1);
    assert_int_equal(CNT(p, tcp_unacceptable), 1);
}

/* ======================================================================
 * 3.10.7.4 second: RST (RFC 5961 3.2)
 * ====================================================================== */

/* 2) RST exactly at RCV.NXT resets, as the state says. */
static void rst_exact(struct probe *p, enum synack_state st)
{
    probe_goto(p, st);
    probe_inject(p, RST, p->pseq, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
}

/* ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2, CLOSE-WAIT: "any outstanding
 * RECEIVEs and SEND should receive 'reset' responses" (MUST-12): recv
 * reports ECONNRESET once; send then fails with EPIPE. */
static void expect_reset_reported(struct probe *p)
{
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    int ev = synack_socket_events(p->st, p->sd);
    assert_true(ev & SYNACK_POLLERR);
    assert_true(ev & SYNACK_POLLHUP);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ECONNRESET);
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -EPIPE);
    assert_int_equal(CNT(p, tcp_conn_reset), 1);
}

static void test_established_rcv_rst_at_rcv_nxt_resets(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_ESTABLISHED);
    expect_reset_reported(p);
}

static void test_fin_wait_1_rcv_rst_at_rcv_nxt_resets(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_FIN_WAIT_1);
    expect_reset_reported(p);
}

static void test_fin_wait_2_rcv_rst_at_rcv_nxt_resets(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_FIN_WAIT_2);
    expect_reset_reported(p);
}

static void test_close_wait_rcv_rst_at_rcv_nxt_resets(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_CLOSE_WAIT);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    uint8_t b[4];
    /* the FIN came first: the stream ended; the reset is still reported */
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len),
                     0);
    assert_int_equal(err, ECONNRESET);
    assert_int_equal(synack_socket_send(p->st, p->sd, b, sizeof b, 0, p->now), -EPIPE);
}

/* CLOSING, LAST-ACK, TIME-WAIT: "enter the CLOSED state, delete the TCB". */
static void test_closing_rcv_rst_at_rcv_nxt_closes(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_CLOSING);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
}

static void test_last_ack_rcv_rst_at_rcv_nxt_closes(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_LAST_ACK);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
}

static void test_time_wait_rcv_rst_at_rcv_nxt_closes(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_TIME_WAIT);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* SYN-RECEIVED from a passive OPEN: "return this connection to LISTEN";
 * the user is not told, the listener goes on. */
static void test_syn_received_passive_rcv_rst_returns_to_listen(void **state)
{
    struct probe *p = *state;
    rst_exact(p, SYNACK_SYN_RECEIVED);
    assert_int_equal(CNT(p, tcp_back_to_listen), 1);
    assert_int_equal(probe_tcb_count(p), 1);
    assert_int_equal(synack_socket_accept(p->st, p->lsd, NULL, NULL), -EAGAIN);
    /* the listener still takes connections, this one too */
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, PROBE_ANY, 1);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
}

/* SYN-RECEIVED from an active OPEN: "the connection was refused". */
static void test_syn_received_active_rcv_rst_refuses_the_connection(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, RST, 1, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -ECONNREFUSED);
}

/* 3) RST in the window but not at RCV.NXT: challenge ACK, no change. */
static void rst_in_window(struct probe *p, enum synack_state st)
{
    probe_goto(p, st);
    probe_inject(p, RST, p->pseq + 1000, 0, NULL, 0);
    if (st == SYNACK_SYN_RECEIVED)
        probe_expect(p, ACK, 1, p->pseq);
    else
        probe_expect(p, ACK, p->pack, p->pseq);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), st);
    assert_int_equal(CNT(p, tcp_challenge_ack_rst), 1);
}

static void test_rst_in_window_not_at_rcv_nxt_gets_challenge_ack_in_every_state(void **state)
{
    (void)state;
    static const enum synack_state states[] = {
        SYNACK_SYN_RECEIVED, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2,
        SYNACK_CLOSE_WAIT,   SYNACK_CLOSING,     SYNACK_LAST_ACK,   SYNACK_TIME_WAIT,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        rst_in_window(p, states[i]);
        probe_free(p);
        free(p);
    }
}

/* 1) RST outside the window: silently dropped. */
static void test_rst_outside_window_is_dropped_in_every_state(void **state)
{
    (void)state;
    static const enum synack_state states[] = {
        SYNACK_SYN_RECEIVED, SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2,
        SYNACK_CLOSE_WAIT,   SYNACK_CLOSING,     SYNACK_LAST_ACK,   SYNACK_TIME_WAIT,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        probe_goto(p, states[i]);
        probe_inject(p, RST, p->pseq + 70000, 0, NULL, 0);
        probe_inject(p, RST, p->pseq - 1, 0, NULL, 0);
        probe_inject(p, RST | ACK, p->pseq - 1, p->pack, NULL, 0);
        probe_expect_none(p);
        assert_int_equal(probe_conn_state(p), states[i]);
        assert_int_equal(CNT(p, tcp_rst_out_of_window), 3);
        probe_free(p);
        free(p);
    }
}

/* ======================================================================
 * 3.10.7.4 fourth: SYN (RFC 5961 4.2, MUST-11)
 * ====================================================================== */

/* In a synchronized state a SYN gets a challenge ACK and is dropped. */
static void test_syn_in_synchronized_state_gets_challenge_ack(void **state)
{
    (void)state;
    static const enum synack_state states[] = {
        SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT,
        SYNACK_CLOSING,     SYNACK_LAST_ACK,   SYNACK_TIME_WAIT,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        probe_goto(p, states[i]);
        /* in the window (TIME-WAIT: not above RCV.NXT, so no reopen) */
        uint32_t seq = states[i] == SYNACK_TIME_WAIT ? p->pseq : p->pseq + 100;
        probe_inject(p, SYN, seq, 0, NULL, 0);
        probe_expect(p, ACK, p->pack, p->pseq);
        probe_expect_none(p);
        assert_int_equal(probe_conn_state(p), states[i]);
        assert_int_equal(CNT(p, tcp_challenge_ack_syn), 1);
        /* outside the window: "an ACK would have been sent in the first step" */
        probe_inject(p, SYN, p->pseq - 1000, 0, NULL, 0);
        probe_expect(p, ACK, p->pack, p->pseq);
        assert_int_equal(probe_conn_state(p), states[i]);
        probe_free(p);
        free(p);
    }
}

/* SYN-RECEIVED from LISTEN: an in-window SYN returns it to LISTEN (MUST-11). */
static void test_syn_received_passive_rcv_syn_in_window_returns_to_listen(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    probe_inject(p, SYN, 1, 0, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_back_to_listen), 1);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* SYN-RECEIVED: an unacceptable segment (a retransmitted SYN) is answered
 * by <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (3.10.7.4 first), not by the
 * SYN-ACK (Linux repeats its SYN-ACK here); the SYN-ACK itself goes again
 * only on the retransmission timeout. */
static void test_syn_received_rcv_retransmitted_syn_gets_ack(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
}

/* SYN-RECEIVED, fifth: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>. */
static void test_syn_received_rcv_bad_ack_gets_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    probe_inject(p, ACK, 1, 5, NULL, 0);
    probe_expect(p, RST, 5, PROBE_ANY);
    probe_inject(p, ACK, 1, 0, NULL, 0); /* acks nothing: SND.UNA < SEG.ACK fails */
    probe_expect(p, RST, 0, PROBE_ANY);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
    assert_int_equal(CNT(p, tcp_syn_rcvd_bad_ack), 2);
    /* a segment without ACK is dropped */
    probe_inject(p, PSH, 1, 0, data10, sizeof data10);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_drop_no_ack), 1);
}

/* SYN-RECEIVED: the SYN-ACK is retransmitted on timeout (RFC 6298, 1 s). */
static void test_syn_received_retransmits_syn_ack_after_rto(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    assert_int_equal(probe_deadline_in(p), SYNACK_SEC);
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(probe_deadline_in(p), 2 * SYNACK_SEC);
}

/* ======================================================================
 * 3.10.7.4 fifth: the ACK field
 * ====================================================================== */

/* "If the ACK acks something not yet sent (SEG.ACK > SND.NXT), then send
 * an ACK, drop the segment, and return." Its text is not taken. */
static void test_established_rcv_ack_too_new_is_acked_and_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, ACK | PSH, 1, 2, data10, sizeof data10);
    probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    uint8_t b[16];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    assert_int_equal(CNT(p, tcp_ack_too_new), 1);
    assert_int_equal(status(p).snd_una, p->stack_isn + 1);
}

/* RFC 5961 5.2: SEG.ACK < SND.UNA - MAX.SND.WND is discarded with an ACK;
 * an old ACK inside MAX.SND.WND is fine and its text is taken. */
static void test_established_rcv_ack_too_old_is_acked_and_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint32_t max_wnd = status(p).max_snd_wnd;
    assert_int_equal(max_wnd, 65535);
    probe_inject(p, ACK | PSH, 1, 1 - max_wnd - 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, 1);
    uint8_t b[16];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -EAGAIN);
    assert_int_equal(CNT(p, tcp_challenge_ack_ack), 1);
    /* exactly SND.UNA - MAX.SND.WND is acceptable */
    probe_inject(p, ACK | PSH, 1, 1 - max_wnd, data10, sizeof data10);
    p->pseq = 11;
    expect_recv(p, data10, sizeof data10);
}

/* A duplicate ACK with data outstanding is counted (RFC 5681 2), not answered. */
static void test_established_rcv_duplicate_ack_is_counted(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_dupacks), 2);
    /* a changed window is a window update, not a duplicate */
    probe_inject_win(p, ACK, 1, 1, 30000, NULL, 0);
    assert_int_equal(CNT(p, tcp_dupacks), 2);
    probe_inject(p, ACK, 1, 11, NULL, 0);
    assert_int_equal(status(p).unacked, 0);
}

/* "If (SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK)),
 * set SND.WND <- SEG.WND ..." : old segments do not move the window. */
static void test_established_window_update_follows_wl1_and_wl2(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    /* newer sequence number: taken */
    peer_sends(p, "xy", 2);
    probe_inject_win(p, ACK, 3, 1, 5000, NULL, 0);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.snd_wnd, 5000);
    assert_int_equal(ti.snd_wl1, PROBE_PEER_ISN + 3);
    assert_int_equal(ti.snd_wl2, p->stack_isn + 1);
    /* older sequence number (a reordered segment): ignored */
    probe_inject_win(p, ACK, 1, 1, 100, NULL, 0);
    assert_int_equal(status(p).snd_wnd, 5000);
    /* same SEG.SEQ, newer SEG.ACK: taken */
    probe_inject_win(p, ACK, 3, 11, 6000, NULL, 0);
    ti = status(p);
    assert_int_equal(ti.snd_wnd, 6000);
    assert_int_equal(ti.snd_wl2, p->stack_isn + 11);
    /* same SEG.SEQ, older SEG.ACK (still acceptable): ignored */
    probe_inject_win(p, ACK, 3, 5, 7000, NULL, 0);
    assert_int_equal(status(p).snd_wnd, 6000);
    assert_int_equal(status(p).max_snd_wnd, 65535);
}

/* CLOSING: "if the ACK acknowledges our FIN, then enter the TIME-WAIT
 * state; otherwise, ignore the segment". */
static void test_closing_rcv_ack_of_fin_enters_time_wait(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_CLOSING);
    probe_inject(p, ACK, p->pseq, p->pack - 1, NULL, 0); /* not our FIN */
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSING);
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
    assert_int_equal(probe_deadline_in(p), 2 * p->cfg.msl);
}

/* LAST-ACK: "If our FIN is now acknowledged, delete the TCB, enter the
 * CLOSED state"; afterwards the 4-tuple gets RSTs (3.10.7.1). */
static void test_last_ack_rcv_ack_of_fin_closes(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_LAST_ACK);
    probe_inject(p, ACK, p->pseq, p->pack - 1, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_LAST_ACK);
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    assert_int_equal(probe_tcb_count(p), 1); /* the listener */
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    probe_expect(p, RST, p->pack, PROBE_ANY);
}

/* After LAST-ACK closed, a copy of the peer's FIN sent before our FIN
 * reached it (SEG.ACK = our FIN's number) gets <SEQ=SEG.ACK><CTL=RST>
 * (3.10.7.1): one below the SND.NXT the connection had, and right (the
 * interop test's "RST at relative 111; the receiver expects 112", seen
 * in a capture taken before the impairment stage reordered the copy). */
static void test_closed_after_last_ack_answers_a_late_fin_copy_at_seg_ack(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_LAST_ACK);
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    probe_inject(p, FIN | ACK, p->pseq - 1, p->pack - 1, NULL, 0);
    probe_expect(p, RST, p->pack - 1, PROBE_ANY);
    probe_expect_none(p);
}

/* FIN-WAIT-1: the ACK of our FIN moves to FIN-WAIT-2. */
static void test_fin_wait_1_rcv_ack_of_fin_enters_fin_wait_2(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_FIN_WAIT_1);
    probe_inject(p, ACK, p->pseq, p->pack - 1, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_1);
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
    probe_expect_none(p);
}

/* ======================================================================
 * 3.10.7.4 eighth: the FIN in each state
 * ====================================================================== */

static void test_established_rcv_fin_enters_close_wait_and_ends_the_stream(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, FIN | ACK | PSH, 1, 1, data10, sizeof data10);
    probe_expect(p, ACK, 1, 12);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSE_WAIT);
    int ev = synack_socket_events(p->st, p->sd);
    assert_true(ev & SYNACK_POLLIN);
    assert_true(ev & SYNACK_POLLRDHUP);
    assert_true(ev & SYNACK_POLLOUT); /* we may still send */
    p->pseq = 12;
    expect_recv(p, data10, sizeof data10);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
    /* CLOSE-WAIT still sends */
    assert_int_equal(synack_socket_send(p->st, p->sd, "z", 1, 0, p->now), 1);
    probe_expect_len(p, ACK | PSH, 1, 12, 1);
}

/* SYN-RECEIVED: a FIN with the handshake's ACK: ESTABLISHED, then CLOSE-WAIT. */
static void test_syn_received_rcv_fin_with_ack_enters_close_wait(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    probe_inject(p, FIN | ACK, 1, 1, NULL, 0);
    probe_expect(p, ACK, 1, 2);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSE_WAIT);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
}

/* FIN-WAIT-1: a FIN that does not ack ours: CLOSING; then the ACK: TIME-WAIT. */
static void test_fin_wait_1_rcv_fin_enters_closing(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_FIN_WAIT_1);
    probe_goto_closing(p);
    probe_expect_none(p);
}

/* FIN-WAIT-1: a FIN that acks ours: TIME-WAIT at once, other timers off. */
static void test_fin_wait_1_rcv_fin_ack_enters_time_wait(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_FIN_WAIT_1);
    probe_inject(p, FIN | ACK, p->pseq, p->pack, NULL, 0);
    p->pseq++;
    probe_expect(p, ACK, p->pack, p->pseq);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
    assert_int_equal(probe_deadline_in(p), 2 * p->cfg.msl);
}

static void test_fin_wait_2_rcv_fin_enters_time_wait(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_FIN_WAIT_2);
    probe_goto_time_wait(p);
    assert_int_equal(probe_deadline_in(p), 2 * p->cfg.msl);
}

/* CLOSE-WAIT, CLOSING, LAST-ACK: a retransmitted FIN is old: ACK, remain. */
static void test_retransmitted_fin_is_acked_and_the_state_kept(void **state)
{
    (void)state;
    static const enum synack_state states[] = {SYNACK_CLOSE_WAIT, SYNACK_CLOSING,
                                               SYNACK_LAST_ACK};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        probe_goto(p, states[i]);
        probe_inject(p, FIN | ACK, p->pseq - 1, p->pack - (states[i] != SYNACK_CLOSE_WAIT),
                     NULL, 0);
        probe_expect(p, ACK, p->pack, p->pseq);
        probe_expect_none(p);
        assert_int_equal(probe_sock_state(p), states[i]);
        probe_free(p);
        free(p);
    }
}

/* ======================================================================
 * TIME-WAIT (3.6.1, MUST-13)
 * ====================================================================== */

static void test_time_wait_lasts_2msl_then_closes(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_TIME_WAIT);
    uint64_t end = p->now + 2 * p->cfg.msl;
    /* the 2MSL timer is pending, and it sends nothing when it expires */
    assert_int_equal(synack_stack_deadline(p->st), end);
    assert_int_equal(synack_stack_deadline_output(p->st), SYNACK_TIME_NEVER);
    probe_advance(p, 2 * p->cfg.msl - 1);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
    probe_advance(p, 1);
    assert_int_equal(p->now, end);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_timewait_expired), 1);
    probe_expect_none(p);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* "The only thing that can arrive in this state is a retransmission of
 * the remote FIN. Acknowledge it, and restart the 2 MSL timeout." */
static void test_time_wait_rcv_retransmitted_fin_restarts_2msl(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_TIME_WAIT);
    probe_advance(p, p->cfg.msl);
    probe_inject(p, FIN | ACK, p->pseq - 1, p->pack, NULL, 0);
    probe_expect(p, ACK, p->pack, p->pseq);
    assert_int_equal(probe_deadline_in(p), 2 * p->cfg.msl);
    probe_advance(p, 2 * p->cfg.msl - 1);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
    probe_advance(p, 1);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
}

/* An orphaned TIME-WAIT (socket closed) becomes a compact record (its TCB
 * is freed at once) and ends at expiry. */
static void test_time_wait_orphan_is_freed_at_expiry(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_TIME_WAIT);
    assert_int_equal(probe_tcb_count(p), 2);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_TIME_WAIT);
    assert_int_equal(probe_tcb_count(p), 1);
    assert_int_equal(p->st->tcp.tw_count, 1);
    probe_advance(p, 2 * p->cfg.msl);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(p->st->tcp.tw_count, 0);
    assert_int_equal(CNT(p, tcp_timewait_expired), 1);
}

/* MAY-2: a new SYN above RCV.NXT reopens a TIME-WAIT connection when a
 * listener is there, with an ISS above the old SND.NXT. */
static void test_time_wait_rcv_new_syn_above_rcv_nxt_reopens(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_TIME_WAIT);
    uint32_t old_iss = p->stack_isn;
    uint32_t old_nxt = old_iss + p->pack;
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_inject(p, SYN, p->pseq + 1000, 0, NULL, 0);
    p->stack_isn_known = false;
    struct probe_pkt *k = probe_expect(p, SYN | ACK, 0, p->pseq + 1001);
    assert_true((int32_t)(k->th.seq - old_nxt) > 0);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
}

/* ======================================================================
 * Simultaneous close (3.6, figure 13) and half-close (3.6.1)
 * ====================================================================== */

static void test_simultaneous_close_goes_through_closing_to_time_wait(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect(p, FIN | ACK, 1, 1);
    /* the peer's FIN crossed ours: it acks only up to our FIN */
    probe_inject(p, FIN | ACK, 1, 1, NULL, 0);
    probe_expect(p, ACK, 2, 2);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSING);
    /* the peer's ACK of our FIN */
    probe_inject(p, ACK, 2, 2, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
    probe_advance(p, 2 * p->cfg.msl);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
}

/* After shutdown(SHUT_WR) the connection still receives (FIN-WAIT-2). */
static void test_half_close_keeps_receiving_after_shutdown_wr(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_FIN_WAIT_2);
    assert_int_equal(synack_socket_send(p->st, p->sd, "x", 1, 0, p->now), -EPIPE);
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    peer_sends(p, big, 1460);
    peer_sends(p, big + 1460, 1460);
    probe_expect(p, ACK, p->pack, p->pseq); /* every second full segment */
    peer_sends(p, big + 2920, 80);
    uint8_t got[3000];
    ssize_t n = synack_socket_recv(p->st, p->sd, got, sizeof got, 0, p->now);
    assert_int_equal(n, 3000);
    assert_memory_equal(got, big, 3000);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
    probe_goto_time_wait(p);
    assert_int_equal(synack_socket_recv(p->st, p->sd, got, sizeof got, 0, p->now), 0);
}

/* The peer half-closes; we keep sending in CLOSE-WAIT and close later. */
static void test_half_close_by_peer_then_our_close_goes_through_last_ack(void **state)
{
    struct probe *p = *state;
    probe_goto(p, SYNACK_CLOSE_WAIT);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, p->pack, p->pseq, 10);
    p->pack += 10;
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect(p, FIN | ACK, p->pack, p->pseq);
    p->pack++;
    assert_int_equal(probe_conn_state(p), SYNACK_LAST_ACK);
    probe_inject(p, ACK, p->pseq, p->pack, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* ======================================================================
 * RFC 5961 7: the challenge-ACK budget is stack-wide, per second
 * ====================================================================== */

static void test_challenge_acks_are_rate_limited_per_second(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.challenge_ack_limit = 2;
    conn_reinit(p, &cfg);
    probe_goto_established(p);
    for (int i = 0; i < 5; i++)
        probe_inject(p, RST, 100 + (uint32_t)i, 0, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_challenge_ack_rst), 5);
    assert_int_equal(CNT(p, tcp_challenge_ack_limited), 3);
    /* SYNs draw on the same budget */
    probe_inject(p, SYN, 50, 0, NULL, 0);
    probe_expect_none(p);
    /* past the budget the connection's own data is still taken and
     * answered: the limit holds challenge ACKs only */
    probe_inject(p, ACK | PSH, 1, 1, "data", 4);
    char b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 4);
    assert_int_equal(synack_socket_send(p->st, p->sd, "ok", 2, 0, p->now), 2);
    probe_expect_len(p, ACK | PSH, 1, 5, 2);
    probe_inject(p, ACK, 5, 3, NULL, 0);
    /* a second later the budget is back */
    probe_advance(p, SYNACK_SEC);
    probe_inject(p, SYN, 50, 0, NULL, 0);
    probe_expect(p, ACK, 3, 5);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
}

/* ======================================================================
 * Closing with unread data, and data for a closed application (SHLD-3)
 * ====================================================================== */

static void test_close_with_unread_data_sends_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    peer_sends(p, data10, sizeof data10);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect(p, RST, 1, PROBE_ANY);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(probe_tcb_count(p), 1);
}

static void test_data_after_close_is_answered_by_rst(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect(p, FIN | ACK, 1, 1);
    probe_inject(p, ACK | PSH, 1, 2, data10, sizeof data10);
    probe_expect(p, RST, 2, PROBE_ANY);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_data_after_close), 1);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* An orphaned FIN-WAIT-2 does not wait forever. */
static void test_orphan_fin_wait_2_times_out(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect(p, FIN | ACK, 1, 1);
    probe_inject(p, ACK, 1, 2, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_FIN_WAIT_2);
    assert_int_equal(probe_deadline_in(p), p->cfg.fin_wait_2);
    probe_advance(p, p->cfg.fin_wait_2);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_fin_wait_2_timeout), 1);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* ======================================================================
 * Active open paths
 * ====================================================================== */

/* Simultaneous open, then close() in SYN-RECEIVED (3.10.4: the FIN waits
 * for ESTABLISHED) and our SYN-ACK lost: the retransmission is the SYN-ACK
 * again, never data from before the ISS. */
static void test_simultaneous_open_close_in_syn_received_retransmits_syn_ack(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect_none(p); /* no FIN before our SYN is acknowledged */
    assert_true(probe_to_deadline(p));
    probe_expect(p, SYN | ACK, 0, 1);
    probe_expect_none(p);
    /* the ACK of our SYN releases the FIN */
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect(p, FIN | ACK, 1, 1);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_1);
    probe_inject(p, ACK, 1, 2, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
}

/* The SYN is retransmitted with backoff; after R2 for a SYN (MUST-23, at
 * least 3 minutes) connect() fails with ETIMEDOUT. */
static void test_syn_sent_gives_up_after_r2_syn(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    uint64_t start = p->now;
    int syns = 0;
    while (probe_sock_state(p) == SYNACK_SYN_SENT && probe_to_deadline(p)) {
        struct probe_pkt *k;
        while ((k = probe_pop(p)) != NULL) {
            assert_int_equal(k->th.flags, SYN);
            assert_int_equal(k->seq, 0);
            syns++;
        }
    }
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_true(p->now - start >= p->cfg.r2_syn);
    assert_true(syns >= 3);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -ETIMEDOUT);
}

/* ======================================================================
 * Out-of-order text and a FIN beyond a gap (SHLD-31)
 * ====================================================================== */

static void test_established_fin_beyond_a_gap_waits_for_the_gap(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject(p, FIN | ACK | PSH, 11, 1, "KLMNOPQRST", 10);
    probe_expect(p, ACK, 1, 1); /* a duplicate ACK at once (RFC 5681 4.2) */
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(status(p).ooo_intervals, 1);
    probe_inject(p, ACK | PSH, 1, 1, "ABCDEFGHIJ", 10);
    probe_expect(p, ACK, 1, 22); /* the gap filled: text and FIN acknowledged */
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSE_WAIT);
    p->pseq = 22;
    expect_recv(p, "ABCDEFGHIJKLMNOPQRST", 20);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 0);
}

/* ======================================================================
 * Timeouts (3.10.8; RFC 6298; 3.8.4; 3.8.6.1)
 * ====================================================================== */

/* RETRANSMISSION TIMEOUT: the segment at the front again after RTO (1 s
 * before any sample, RFC 6298 2.1), the timer doubled (5.5). */
static void test_established_retransmits_after_rto_with_backoff(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    assert_int_equal(probe_deadline_in(p), SYNACK_SEC);
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH, 1, 1, 10);
    assert_memory_equal(k->th.payload, data10, 10);
    assert_int_equal(probe_deadline_in(p), 2 * SYNACK_SEC);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    assert_int_equal(probe_deadline_in(p), 4 * SYNACK_SEC);
    assert_int_equal(CNT(p, tcp_retransmits), 2);
    probe_inject(p, ACK, 1, 11, NULL, 0);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    assert_int_equal(status(p).unacked, 0);
}

/* R2 (MUST-20): retransmission gives up after r2 with ETIMEDOUT. */
static void test_established_gives_up_after_r2(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    uint64_t start = p->now;
    while (probe_sock_state(p) != SYNACK_CLOSED && probe_to_deadline(p))
        probe_drain(p);
    assert_true(p->now - start >= p->cfg.r2);
    assert_true(p->now - start < p->cfg.r2 + p->cfg.rto_max + SYNACK_SEC);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ETIMEDOUT);
    assert_int_equal(CNT(p, tcp_conn_timeout), 1);
}

/* A zero window is probed (3.8.6.1, SHLD-29: after one RTO) and the data
 * flows when it opens; an answered probe never times out (MUST-37). */
static void test_zero_window_is_probed_until_it_opens(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    assert_int_equal(status(p).snd_wnd, 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_none(p);
    assert_int_equal(probe_deadline_in(p), SYNACK_SEC);
    for (int i = 0; i < 200; i++) { /* well past R2: the peer keeps answering */
        assert_true(probe_to_deadline(p));
        struct probe_pkt *k = probe_expect_len(p, ACK, 1, 1, 1);
        assert_int_equal(k->th.payload[0], '0');
        probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    }
    assert_true(CNT(p, tcp_window_probes) >= 200);
    assert_true(probe_deadline_in(p) <= p->cfg.persist_max);
    probe_inject_win(p, ACK, 1, 1, 1000, NULL, 0);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    probe_inject(p, ACK, 1, 11, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(status(p).unacked, 0);
}

/* Keep-alive (3.8.4): off by default (MUST-25); when on, after the idle
 * time <SEQ=SND.NXT-1><ACK=RCV.NXT> (SHLD-12); an answer resets it; the
 * connection dies only after KEEPCNT unanswered probes (MUST-29). */
static void test_keepalive_probes_an_idle_connection_then_gives_up(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    int on = 1, idle = 10, intvl = 5, cnt = 3;
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_KEEPIDLE,
                                              &idle, sizeof idle, p->now), 0);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_KEEPINTVL,
                                              &intvl, sizeof intvl, p->now), 0);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_KEEPCNT,
                                              &cnt, sizeof cnt, p->now), 0);
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_SOCKET,
                                              SYNACK_SO_KEEPALIVE, &on, sizeof on, p->now), 0);
    assert_int_equal(probe_deadline_in(p), 10 * SYNACK_SEC);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 0, 1, 0);
    probe_inject(p, ACK, 1, 1, NULL, 0); /* answered: idle again */
    assert_int_equal(probe_deadline_in(p), 10 * SYNACK_SEC);
    for (int i = 0; i < 3; i++) {
        assert_true(probe_to_deadline(p));
        probe_expect_len(p, ACK, 0, 1, 0);
        assert_int_equal(probe_deadline_in(p), 5 * SYNACK_SEC);
    }
    assert_true(probe_to_deadline(p));
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    uint8_t b[4];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -ETIMEDOUT);
    assert_int_equal(CNT(p, tcp_keepalive_probes), 4);
}

/* Delayed ACK (3.8.6.3): within 200 ms (MUST-40), at least every second
 * full-sized segment (SHLD-19). */
static void test_delayed_ack_fires_after_200ms(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    peer_sends(p, data10, sizeof data10);
    probe_expect_none(p);
    assert_int_equal(probe_deadline_in(p), 200 * SYNACK_MSEC);
    assert_true(probe_to_deadline(p));
    probe_expect(p, ACK, 1, 11);
    assert_int_equal(CNT(p, tcp_delayed_acks), 1);
    /* our data piggybacks the ACK instead */
    peer_sends(p, data10, sizeof data10);
    assert_int_equal(synack_socket_send(p->st, p->sd, "r", 1, 0, p->now), 1);
    probe_expect_len(p, ACK | PSH, 1, 21, 1);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_delayed_acks), 1);
}

/* After an RTO the sender goes back to SND.UNA (RFC 5681 3.1, RFC 6298
 * 5.4): once the retransmitted segment is acknowledged, the rest of the
 * lost window follows in slow start, without waiting for more RTOs. */
static void test_rto_goes_back_to_snd_una_and_resends_the_rest(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    static uint8_t buf[3 * 1460];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, sizeof buf, 0, p->now), sizeof buf);
    probe_expect_len(p, ACK, 1, 1, 1460); /* initial window: 3 segments (RFC 5681 3.1) */
    probe_expect_len(p, ACK, 1461, 1, 1460);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p)); /* all three lost */
    probe_expect_len(p, ACK, 1, 1, 1460);
    probe_expect_none(p);
    assert_int_equal(status(p).cwnd, 1460);
    probe_inject(p, ACK, 1, 1461, NULL, 0);
    /* cwnd 2 segments: both remaining segments again, at once */
    struct probe_pkt *k = probe_expect_len(p, ACK, 1461, 1, 1460);
    assert_memory_equal(k->th.payload, buf + 1460, 1460);
    probe_expect_len(p, ACK | PSH, 2921, 1, 1460);
    probe_expect_none(p);
    probe_inject(p, ACK, 1, 4381, NULL, 0);
    assert_int_equal(status(p).unacked, 0);
    assert_int_equal(CNT(p, tcp_retransmits), 1);
}

/* A retransmission that takes along octets Nagle held back (never sent
 * before) moves SND.MAX with them: the peer's ACK of those octets must be
 * acceptable (3.10.7.4 fifth), not "an ACK of something not yet sent". */
static void test_retransmission_with_held_data_is_acknowledged(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data10, sizeof data10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
    static uint8_t more[100];
    memset(more, 'm', sizeof more);
    assert_int_equal(synack_socket_send(p->st, p->sd, more, sizeof more, 0, p->now), 100);
    probe_expect_none(p); /* Nagle: a small segment waits for the ACK */
    assert_true(probe_to_deadline(p));
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->seq, 1);
    assert_int_equal(k->th.payload_len, 110); /* the held 100 octets ride along */
    assert_memory_equal(k->th.payload + 10, more, 100);
    probe_inject(p, ACK, 1, 111, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(status(p).unacked, 0);
    assert_int_equal(status(p).sndbuf_used, 0);
    assert_int_equal(CNT(p, tcp_ack_too_new), 0);
}

/* A retransmission stays within the peer's window for octets never sent. */
static void test_retransmission_does_not_send_new_data_beyond_the_window(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    int one = 1;
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP, SYNACK_TCP_NODELAY,
                                              &one, sizeof one, p->now), 0);
    static uint8_t buf[1000];
    memset(buf, 'w', sizeof buf);
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, 100, 0, p->now), 100);
    probe_expect_len(p, ACK | PSH, 1, 1, 100);
    probe_inject_win(p, ACK, 1, 1, 100, NULL, 0); /* the window is now these 100 */
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, 900, 0, p->now), 900);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 1, 1, 100);
    probe_expect_none(p);
}

/* Sender SWS avoidance (3.8.6.2.1, MUST-38) holds a segment smaller than
 * both the MSS and half the largest window seen, but only until the
 * override timeout: a peer that keeps offering a small window still gets
 * the data. */
static void test_small_window_is_used_after_the_override_timeout(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    probe_inject_win(p, ACK, 1, 1, 300, NULL, 0);
    static uint8_t buf[1000];
    memset(buf, 's', sizeof buf);
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, sizeof buf, 0, p->now), 1000);
    probe_expect_none(p); /* 300 < MSS and < 65535 / 2: wait */
    assert_true(probe_deadline_in(p) <= SYNACK_SEC);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 1, 1, 300);
    probe_expect_none(p);
    probe_inject_win(p, ACK, 1, 301, 300, NULL, 0);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK, 301, 1, 300);
    probe_inject_win(p, ACK, 1, 601, 65535, NULL, 0);
    probe_expect_len(p, ACK | PSH, 601, 1, 400);
}

/* SYN-RECEIVED of an active open: an in-window SYN is handled "per the
 * directions for synchronized states" (3.10.7.4 fourth): challenge ACK. */
static void test_syn_received_active_rcv_syn_in_window_gets_challenge_ack(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, SYN, 5, 0, NULL, 0);
    probe_expect(p, ACK, 1, 1);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_RECEIVED);
    assert_int_equal(CNT(p, tcp_challenge_ack_syn), 1);
}

/* SEND with the urgent flag: URG set and the urgent pointer at the octet
 * after the urgent data (MUST-62, RFC 6093), for as long as SND.UP is
 * ahead of the segment. */
static void test_send_oob_sets_urg_and_the_urgent_pointer(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, "abc", 3, SYNACK_MSG_OOB, p->now), 3);
    struct probe_pkt *k = probe_expect_len(p, ACK | PSH | SYNACK_TCP_URG, 1, 1, 3);
    assert_int_equal(k->th.urg_ptr, 3);
    probe_inject(p, ACK, 1, 4, NULL, 0);
    assert_int_equal(synack_socket_send(p->st, p->sd, "d", 1, 0, p->now), 1);
    k = probe_expect_len(p, ACK | PSH, 4, 1, 1);
    assert_int_equal(k->th.urg_ptr, 0);
}

/* Receiving urgent data: STATUS counts it until it is read (MUST-33). */
static void test_rcv_urgent_data_is_reported_until_read(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    struct probe_seg u = {.flags = ACK | PSH | SYNACK_TCP_URG, .seq = 1, .ack = 1,
                          .win = 65535, .urg = 4, .data = "UUUUnnnn", .len = 8};
    probe_inject_seg(p, &u);
    assert_int_equal(status(p).urgent_pending, 4);
    assert_true(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, 2, 0, p->now), 2);
    assert_int_equal(status(p).urgent_pending, 2);
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 6);
    assert_int_equal(status(p).urgent_pending, 0);
    assert_false(synack_socket_events(p->st, p->sd) & SYNACK_POLLPRI);
}

/* "If the ACK acks something not yet sent ... send an ACK, drop the
 * segment" in every synchronized state after SYN-RECEIVED. */
static void test_ack_too_new_is_acked_and_dropped_in_every_state(void **state)
{
    (void)state;
    static const enum synack_state states[] = {
        SYNACK_ESTABLISHED, SYNACK_FIN_WAIT_1, SYNACK_FIN_WAIT_2, SYNACK_CLOSE_WAIT,
        SYNACK_CLOSING,     SYNACK_LAST_ACK,   SYNACK_TIME_WAIT,
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        probe_goto(p, states[i]);
        probe_inject(p, ACK, p->pseq, p->pack + 1, NULL, 0);
        probe_expect(p, ACK, p->pack, p->pseq);
        probe_expect_none(p);
        assert_int_equal(probe_conn_state(p), states[i]);
        assert_int_equal(CNT(p, tcp_ack_too_new), 1);
        probe_free(p);
        free(p);
    }
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
    const struct CMUnitTest tests[] = {
        T(test_closed_rcv_rst_is_dropped_silently),
        T(test_closed_rcv_ack_gets_rst_with_seq_seg_ack),
        T(test_closed_rcv_no_ack_gets_rst_ack_seq_zero_ack_seq_plus_len),
        T(test_listen_rcv_rst_is_ignored),
        T(test_listen_rcv_ack_gets_rst),
        T(test_listen_rcv_syn_gets_syn_ack_with_mss),
        T(test_listen_rcv_syn_with_mss_zero_uses_536),
        T(test_listen_rcv_segment_without_syn_rst_or_ack_is_dropped),
        T(test_listen_rcv_syn_with_text_delivers_it_after_the_handshake),
        T(test_listen_accept_queue_full_drops_syns_and_counts),
        T(test_syn_sent_rcv_ack_at_iss_gets_rst),
        T(test_syn_sent_rcv_ack_above_snd_nxt_gets_rst),
        T(test_syn_sent_rcv_rst_with_bad_ack_is_dropped),
        T(test_syn_sent_rcv_rst_with_acceptable_ack_refuses_the_connection),
        T(test_syn_sent_rcv_rst_without_ack_is_dropped),
        T(test_syn_sent_rcv_syn_ack_establishes_and_acks),
        T(test_syn_sent_rcv_syn_ack_with_text_delivers_it),
        T(test_syn_sent_rcv_syn_alone_is_simultaneous_open),
        T(test_syn_sent_rcv_neither_syn_nor_rst_is_dropped),
        T(test_established_zero_length_zero_window_accepts_only_rcv_nxt),
        T(test_established_zero_length_open_window_accepts_inside_window),
        T(test_established_text_into_zero_window_is_not_accepted),
        T(test_established_text_straddling_the_left_edge_is_trimmed),
        T(test_established_text_beyond_the_window_is_not_accepted),
        T(test_established_rcv_rst_at_rcv_nxt_resets),
        T(test_fin_wait_1_rcv_rst_at_rcv_nxt_resets),
        T(test_fin_wait_2_rcv_rst_at_rcv_nxt_resets),
        T(test_close_wait_rcv_rst_at_rcv_nxt_resets),
        T(test_closing_rcv_rst_at_rcv_nxt_closes),
        T(test_last_ack_rcv_rst_at_rcv_nxt_closes),
        T(test_time_wait_rcv_rst_at_rcv_nxt_closes),
        T(test_syn_received_passive_rcv_rst_returns_to_listen),
        T(test_syn_received_active_rcv_rst_refuses_the_connection),
        T(test_rst_in_window_not_at_rcv_nxt_gets_challenge_ack_in_every_state),
        T(test_rst_outside_window_is_dropped_in_every_state),
        T(test_syn_in_synchronized_state_gets_challenge_ack),
        T(test_syn_received_passive_rcv_syn_in_window_returns_to_listen),
        T(test_syn_received_rcv_retransmitted_syn_gets_ack),
        T(test_syn_received_rcv_bad_ack_gets_rst),
        T(test_syn_received_retransmits_syn_ack_after_rto),
        T(test_established_rcv_ack_too_new_is_acked_and_dropped),
        T(test_established_rcv_ack_too_old_is_acked_and_dropped),
        T(test_established_rcv_duplicate_ack_is_counted),
        T(test_established_window_update_follows_wl1_and_wl2),
        T(test_closing_rcv_ack_of_fin_enters_time_wait),
        T(test_last_ack_rcv_ack_of_fin_closes),
        T(test_closed_after_last_ack_answers_a_late_fin_copy_at_seg_ack),
        T(test_fin_wait_1_rcv_ack_of_fin_enters_fin_wait_2),
        T(test_established_rcv_fin_enters_close_wait_and_ends_the_stream),
        T(test_syn_received_rcv_fin_with_ack_enters_close_wait),
        T(test_fin_wait_1_rcv_fin_enters_closing),
        T(test_fin_wait_1_rcv_fin_ack_enters_time_wait),
        T(test_fin_wait_2_rcv_fin_enters_time_wait),
        T(test_retransmitted_fin_is_acked_and_the_state_kept),
        T(test_time_wait_lasts_2msl_then_closes),
        T(test_time_wait_rcv_retransmitted_fin_restarts_2msl),
        T(test_time_wait_orphan_is_freed_at_expiry),
        T(test_time_wait_rcv_new_syn_above_rcv_nxt_reopens),
        T(test_simultaneous_close_goes_through_closing_to_time_wait),
        T(test_half_close_keeps_receiving_after_shutdown_wr),
        T(test_half_close_by_peer_then_our_close_goes_through_last_ack),
        T(test_challenge_acks_are_rate_limited_per_second),
        T(test_close_with_unread_data_sends_rst),
        T(test_data_after_close_is_answered_by_rst),
        T(test_orphan_fin_wait_2_times_out),
        T(test_simultaneous_open_close_in_syn_received_retransmits_syn_ack),
        T(test_syn_sent_gives_up_after_r2_syn),
        T(test_established_fin_beyond_a_gap_waits_for_the_gap),
        T(test_established_retransmits_after_rto_with_backoff),
        T(test_established_gives_up_after_r2),
        T(test_zero_window_is_probed_until_it_opens),
        T(test_keepalive_probes_an_idle_connection_then_gives_up),
        T(test_delayed_ack_fires_after_200ms),
        T(test_rto_goes_back_to_snd_una_and_resends_the_rest),
        T(test_retransmission_with_held_data_is_acknowledged),
        T(test_retransmission_does_not_send_new_data_beyond_the_window),
        T(test_small_window_is_used_after_the_override_timeout),
        T(test_syn_received_active_rcv_syn_in_window_gets_challenge_ack),
        T(test_send_oob_sets_urg_and_the_urgent_pointer),
        T(test_rcv_urgent_data_is_reported_until_read),
        T(test_ack_too_new_is_acked_and_dropped_in_every_state),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

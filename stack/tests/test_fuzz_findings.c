/* Stack bugs the fuzz targets found (fuzz/README.md), one case each, so
 * they stay fixed; the input that found each one is replayed by `make
 * fuzz-regress` from corpus/regress/stack/ under the name given here. One
 * stack, a fake peer, virtual time. */
#include <errno.h>

#include "support/conn.h"

#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

/* corpus/regress/stack/syn-text-then-ack-with-same-text. Text that came
 * with the SYN joins the stream when the handshake completes; the ACK that
 * completes it may carry the same octets again (the peer retransmits
 * them, our SYN-ACK did not acknowledge them). Those are duplicates now
 * and must be trimmed (RFC 9293 3.10.7.4, first check); they were stored
 * as an out-of-order interval behind RCV.NXT, at a ring offset computed
 * from a negative distance. */
static void test_syn_text_repeated_by_the_completing_ack_is_a_duplicate(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    int rcvbuf = 3000; /* not a power of two: the offsets of a misplaced octet differ */
    assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF,
                                              &rcvbuf, sizeof rcvbuf, p->now),
                     0);
    const uint8_t *data = conn_pattern(100);
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .data = data, .len = 100};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1); /* the text waits for ESTABLISHED */
    probe_inject(p, ACK | PSH, 1, 1, data, 100);
    probe_expect(p, ACK, 1, 101);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    struct synack_tcp_info ti = conn_info(p);
    assert_int_equal(ti.ooo_intervals, 0);
    assert_int_equal(ti.rcvbuf_used, 100);
    assert_int_equal(CNT(p, tcp_ooo_segments), 0);
    uint8_t got[200];
    assert_int_equal(synack_socket_recv(p->st, p->sd, got, sizeof got, 0, p->now), 100);
    assert_memory_equal(got, data, 100);
}

/* corpus/regress/stack/persist-probe-fin-after-fin-acked. RFC 9293
 * 3.8.6.1: a zero window is probed with the next octet. When the peer
 * takes that octet and nothing more is queued, probing ends; the persist
 * timer used to fire again and, with no data left, probe with a FIN that
 * no CLOSE had asked for (3.10.4), in ESTABLISHED. */
static void test_acked_probe_octet_ends_probing_without_a_fin(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    conn_send(p, "x", 1);
    probe_expect_none(p);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK | PSH, 1, 1, 1); /* the probe: the one octet */
    probe_inject_win(p, ACK, 1, 2, 0, NULL, 0); /* taken; the window stays shut */
    probe_advance(p, 600 * SEC);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    probe_inject_win(p, ACK, 1, 2, 65535, NULL, 0);
    conn_send(p, "yz", 2);
    probe_expect_len(p, ACK | PSH, 2, 1, 2);
}

/* The same after a CLOSE: the FIN sent as the probe is acknowledged, the
 * connection is in FIN-WAIT-2, and no second FIN follows. */
static void test_acked_fin_probe_is_not_sent_again_in_fin_wait_2(void **state)
{
    struct probe *p = *state;
    conn_establish(p, 0, 1460, 65535);
    probe_inject_win(p, ACK, 1, 1, 0, NULL, 0);
    conn_send(p, "x", 1);
    assert_true(probe_to_deadline(p));
    probe_expect_len(p, ACK | PSH, 1, 1, 1);
    probe_inject_win(p, ACK, 1, 2, 0, NULL, 0);
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect_none(p); /* the window is shut: the FIN waits for a probe */
    assert_true(probe_to_deadline(p));
    probe_expect(p, ACK | FIN, 2, 1);
    probe_inject_win(p, ACK, 1, 3, 0, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
    probe_advance(p, 600 * SEC);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
}

/* corpus/regress/stack/syn-received-ack-half-the-space-away. In SYN-
 * RECEIVED before the SYN-ACK has gone out (its output waits for the end
 * of a batch, MUST-58), SND.UNA = SND.NXT = ISS and no ACK is acceptable.
 * An ACK of ISS + 2^31 passed both seq_lt(SND.UNA, SEG.ACK) and
 * seq_leq(SEG.ACK, SND.NXT) (a comparison RFC 1982 3.2 leaves undefined)
 * and completed the handshake with our SYN never sent. RFC 9293
 * 3.10.7.4, fifth, SYN-RECEIVED: it is answered by <SEQ=SEG.ACK><CTL=RST>.
 * (A SYN with text gets a TCB whose SYN-ACK a batch holds; a SYN without
 * goes to the SYN cache, whose SYN-ACK goes at once.) */
static void test_ack_half_the_space_away_does_not_complete_the_handshake(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    synack_stack_batch_begin(p->st);
    probe_inject(p, SYN, 0, 0, "x", 1);
    struct tcb *t = probe_tcb(p);
    assert_non_null(t);
    assert_int_equal(t->state, SYNACK_SYN_RECEIVED);
    uint32_t iss = t->iss;
    p->stack_isn = 0; /* the helpers' ack is absolute from here */
    probe_inject(p, ACK, 1, iss + 0x80000000u, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
    assert_int_equal(CNT(p, tcp_syn_rcvd_bad_ack), 1);
    synack_stack_batch_end(p->st, p->now);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->th.flags, RST); /* <SEQ=SEG.ACK><CTL=RST> */
    assert_int_equal(k->th.seq, iss + 0x80000000u);
    k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->th.flags, SYN | ACK);
    assert_int_equal(k->th.seq, iss);
    probe_expect_none(p);
}

/* A batch holds the SYN-ACK of a simultaneous open; the peer's SYN again,
 * at RCV.NXT, must be answered (RFC 5961 4.2): the first packet out is
 * the SYN-ACK <SEQ=ISS><ACK=RCV.NXT>, and the batch's end sends no other. */
static void second_syn_gets_the_held_syn_ack_once(struct probe *p)
{
    probe_inject(p, SYN, 1, 0, NULL, 0);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->th.flags, SYN | ACK);
    assert_int_equal(k->seq, 0);
    assert_int_equal(k->ack, 1);
    synack_stack_batch_end(p->st, p->now);
    while ((k = probe_pop(p)) != NULL)
        assert_false(k->th.flags & SYN); /* no second SYN-ACK */
}

/* corpus/regress/stack/ack-before-the-syn-ack-in-a-batch. A connect()
 * and the peer's SYN in one batch (MUST-58): a simultaneous open
 * (3.10.7.3) whose SYN has not gone out yet. A second SYN, at RCV.NXT,
 * gets a challenge ACK at once (RFC 5961 4.2); it went out as a bare
 * <SEQ=ISS><ACK=RCV.NXT><CTL=ACK>, before the peer had seen our SYN. The
 * SYN-ACK is that answer: it goes first, and once. */
static void test_answer_before_the_syn_ack_is_the_syn_ack(void **state)
{
    struct probe *p = *state;
    synack_stack_batch_begin(p->st);
    probe_connect(p);
    probe_expect_none(p); /* the SYN waits for the batch's end */
    probe_inject(p, SYN, 0, 0, NULL, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_RECEIVED);
    probe_expect_none(p);
    second_syn_gets_the_held_syn_ack_once(p);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_RECEIVED);
}

/* corpus/regress/stack/ack-before-the-syn-ack-after-close. The same in
 * the FIN-WAIT-1 that a CLOSE in SYN-RECEIVED leads to (3.10.4), the
 * SYN-ACK still held: the challenge ACK went out as <SEQ=ISS><CTL=ACK>. */
static void test_answer_after_close_before_the_syn_ack_is_the_syn_ack(void **state)
{
    struct probe *p = *state;
    synack_stack_batch_begin(p->st);
    probe_connect(p);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    assert_int_equal(synack_socket_close(p->st, p->sd, p->now), 0);
    p->sd = -1;
    probe_expect_none(p);
    second_syn_gets_the_held_syn_ack_once(p);
}

/* ABORT of a connection whose SYN-ACK a batch still holds (here: its
 * listener closes): the peer has seen nothing of it, so there is nothing
 * to reset; <SEQ=ISS><CTL=RST> used to go out. (A SYN with text: it gets
 * a TCB, whose SYN-ACK waits for the batch's end.) */
static void test_abort_before_the_syn_ack_sends_nothing(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    synack_stack_batch_begin(p->st);
    probe_inject(p, SYN, 0, 0, "x", 1);
    assert_int_equal(synack_socket_close(p->st, p->lsd, p->now), 0);
    synack_stack_batch_end(p->st, p->now);
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_rst_unsent), 1);
    assert_int_equal(CNT(p, tcp_rst_sent), 0);
}

/* corpus/regress/stack/syn-cache-window-beyond-child-buffer. The SYN
 * cache answers with the window of the listener's buffer as it is then
 * (RFC 4987 3.3); when the handshake completes the child takes the
 * listener's buffer as it is now. A smaller SO_RCVBUF set in between left
 * the child announcing a right edge its buffer could not hold, a window
 * shrunk in all but name (RFC 9293 3.8.6.2.2, SHLD-14). */
static void test_child_keeps_the_window_its_syn_ack_announced(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1); /* 65535: the listener's default buffer */
    int rcvbuf = 2048;
    assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET, SYNACK_SO_RCVBUF,
                                              &rcvbuf, sizeof rcvbuf, p->now),
                     0);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    struct synack_tcp_info ti = conn_info(p);
    assert_true(ti.rcv_wnd <= ti.rcvbuf_size - ti.rcvbuf_used);
    assert_true(ti.rcv_wnd >= 65535 - 1); /* the right edge stays where it was */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_syn_text_repeated_by_the_completing_ack_is_a_duplicate),
        T(test_acked_probe_octet_ends_probing_without_a_fin),
        T(test_acked_fin_probe_is_not_sent_again_in_fin_wait_2),
        T(test_ack_half_the_space_away_does_not_complete_the_handshake),
        T(test_answer_before_the_syn_ack_is_the_syn_ack),
        T(test_answer_after_close_before_the_syn_ack_is_the_syn_ack),
        T(test_abort_before_the_syn_ack_sends_nothing),
        T(test_child_keeps_the_window_its_syn_ack_announced),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

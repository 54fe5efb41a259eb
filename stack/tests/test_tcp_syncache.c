/* The SYN flood defence (RFC 4987 3.3, 3.6): half-open connections in the
 * SYN cache, SYN cookies when it is full, the limits pushed past, and a
 * legitimate client served all the same. One stack, a fake peer, virtual
 * time. */
#include <errno.h>

#include "support/conn.h"

#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

#define FLOOD_SRC 0xc6336400u /* 198.51.100.0: spoofed sources .10 to .250 */

/* One spoofed SYN from source i (an address and a port of its own). */
static void spoofed_syn(struct probe *p, uint32_t i)
{
    uint8_t buf[128];
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    size_t n = probe_build_tcp(buf, sizeof buf, FLOOD_SRC | (10 + i % 241), p->cfg.addr,
                               (uint16_t)(1024 + i / 241), p->port, SYN, i * 7919u, 0, 65535,
                               &o, NULL, 0);
    probe_inject_raw(p, buf, n);
}

static void flood(struct probe *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        spoofed_syn(p, i);
    probe_drain(p); /* the SYN-ACKs to the spoofed sources */
}

static void listen_backlog(struct probe *p, int backlog)
{
    p->lsd = synack_socket(p->st);
    assert_int_equal(synack_socket_bind(p->st, p->lsd, 0, p->port), 0);
    assert_int_equal(synack_socket_listen(p->st, p->lsd, backlog), 0);
}

/* The legitimate client: SYN with MSS mss, SYN-ACK, ACK, accepted. */
static struct synack_tcp_info legit_connect(struct probe *p, uint16_t mss)
{
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = mss};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = 65535, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    return conn_info(p);
}

/* Half-open connections cost no TCB: a listen backlog of them sit in the
 * cache; more SYNs get cookies and leave nothing behind; the legitimate
 * client connects at once, by cookie, with its MSS. */
static void test_flood_fills_the_cache_then_cookies_serve_the_client(void **state)
{
    struct probe *p = *state;
    listen_backlog(p, 128);
    flood(p, 100000);
    assert_int_equal(CNT(p, tcp_syncache_added), 128);
    assert_int_equal(CNT(p, tcp_syncookies_sent), 100000 - 128);
    assert_int_equal(p->st->tcp.syn_count, 128);
    assert_int_equal(probe_tcb_count(p), 1); /* the listener alone */
    assert_int_equal(CNT(p, tcp_listen_overflow), 0);
    struct synack_tcp_info ti = legit_connect(p, 1460);
    assert_int_equal(ti.snd_mss, 1460);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 1);
    /* every SYN that reached the listener was answered: none lost here */
    assert_int_equal(CNT(p, tcp_listen_syn), 100001);
    assert_int_equal(CNT(p, tcp_syncache_added) + CNT(p, tcp_syncookies_sent), 100001);
    /* data both ways */
    p->pseq = p->pack = 1;
    conn_send(p, "hello", 5);
    probe_expect_len(p, ACK | PSH, 1, 1, 5);
}

/* The MSS a cookie carries: the peer's, rounded down to the table's. */
static void test_cookie_carries_the_mss(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.syncookies = 2; /* always */
    conn_reinit(p, &c);
    listen_backlog(p, 8);
    static const uint16_t offered[] = {1460, 1452, 1300, 536, 100};
    static const uint16_t carried[] = {1460, 1452, 1200, 536, 64};
    for (unsigned i = 0; i < 5; i++) {
        p->peer_port = (uint16_t)(PROBE_PEER_PORT + i);
        assert_int_equal(legit_connect(p, offered[i]).snd_mss, carried[i]);
    }
    assert_int_equal(CNT(p, tcp_syncookies_ok), 5);
    assert_int_equal(CNT(p, tcp_syncache_added), 0);
    /* without an MSS option the cookie carries the default, 536 (MUST-15) */
    p->peer_port = PROBE_PEER_PORT + 9;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_int_equal(conn_info(p).snd_mss, 536);
}

/* A SYN without timestamps gets a cookie SYN-ACK without them, so the
 * completing ACK's TSecr echoes none of ours: a timestamps option on it
 * (here TSecr 17, nowhere near our clock) neither turns timestamps on nor
 * says the peer's window scale or SACK (RFC 7323 3.2: on only when both
 * SYNs carried them). Fuzz stack, 60-minute campaign of session 3:
 * corpus/regress/stack/syncookie-ack-with-ts-after-syn-without */
static void test_cookie_ack_with_timestamps_after_a_syn_without(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.syncookies = 2; /* always */
    conn_reinit(p, &c);
    listen_backlog(p, 8);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    assert_false(p->last.th.opts.present & TCPOPT_F_TS);
    struct synack_tcp_opts ts = {.present = TCPOPT_F_TS, .ts_val = 1100, .ts_ecr = 17};
    struct probe_seg s = {.flags = ACK, .seq = 1, .ack = 1, .win = 32792, .opts = &ts};
    probe_inject_seg(p, &s);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 1);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    assert_int_equal(conn_info(p).options & SYNACK_TCPI_OPT_TIMESTAMPS, 0);
    conn_send(p, "x", 1);
    probe_expect(p, ACK | PSH, 1, 1);
    assert_false(p->last.th.opts.present & TCPOPT_F_TS);
}

/* A forged cookie (wrong ISS, wrong IRS, another tuple) and a stale one are
 * answered as LISTEN answers any ACK, <SEQ=SEG.ACK><CTL=RST>, and counted;
 * no connection is made. */
static void test_forged_or_stale_cookie_gets_rst_and_is_counted(void **state)
{
    struct probe *p = *state;
    listen_backlog(p, 1);
    flood(p, 1); /* the cache is full: cookies from here on */
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 2, NULL, 0); /* ISS + 2: not our cookie */
    probe_expect(p, RST, 2, PROBE_ANY);
    probe_inject(p, ACK, 2, 1, NULL, 0); /* the right cookie, another IRS */
    probe_expect(p, RST, 1, PROBE_ANY);
    /* the right cookie with another MSS index (bits 24-26): an ISS never
     * sent (fuzz stack, 60-minute campaign of session 3, 6 inputs) */
    probe_inject(p, ACK, 1, 1 + (5u << 24), NULL, 0);
    probe_expect(p, RST, 1 + (5u << 24), PROBE_ANY);
    p->peer_port++;
    probe_inject(p, ACK, 1, 1, NULL, 0); /* another 4-tuple */
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(CNT(p, tcp_syncookies_bad), 4);
    p->peer_port--;
    p->now += 200 * SEC; /* three periods on: stale */
    flood(p, 2);         /* cookies are out again: ACKs are checked */
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect(p, RST, 1, PROBE_ANY);
    assert_int_equal(CNT(p, tcp_syncookies_bad), 5);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 0);
    assert_int_equal(synack_socket_accept(p->st, p->lsd, NULL, NULL), -EAGAIN);
}

/* Every other MSS index (ISS +- n << 24) and every other period
 * (ISS + k << 27) of a cookie this SYN got: forged ISSs, each refused with
 * LISTEN's RST and counted (the MAC covers the index and the period, RFC
 * 4987 3.6); the cookie itself then completes the connection. */
static void test_cookie_with_another_index_or_period_is_refused(void **state)
{
    struct probe *p = *state;
    listen_backlog(p, 1);
    flood(p, 1);
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    uint32_t forged[7 * 2 + 31], n = 0;
    for (uint32_t i = 1; i < 8; i++) {
        forged[n++] = 1 + (i << 24);
        forged[n++] = 1 - (i << 24);
    }
    for (uint32_t k = 1; k < 32; k++)
        forged[n++] = 1 + (k << 27);
    for (uint32_t i = 0; i < n; i++) {
        probe_inject(p, ACK, 1, forged[i], NULL, 0);
        probe_expect(p, RST, forged[i], PROBE_ANY);
    }
    assert_int_equal(CNT(p, tcp_syncookies_bad), n);
    assert_int_equal(synack_socket_accept(p->st, p->lsd, NULL, NULL), -EAGAIN);
    probe_inject(p, ACK, 1, 1, NULL, 0); /* the cookie sent */
    probe_expect_none(p);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 1);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
}

/* syncookies 0: a full cache evicts its oldest entry for the new SYN; the
 * evicted peer's ACK finds no connection. */
static void test_without_cookies_the_oldest_entry_is_evicted(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.syncookies = 0;
    conn_reinit(p, &c);
    listen_backlog(p, 2);
    for (int i = 0; i < 3; i++) {
        p->peer_port = (uint16_t)(PROBE_PEER_PORT + i);
        probe_inject(p, SYN, 0, 0, NULL, 0);
        p->stack_isn_known = false;
        probe_expect(p, SYN | ACK, 0, 1);
    }
    assert_int_equal(CNT(p, tcp_syncache_evicted), 1);
    assert_int_equal(CNT(p, tcp_syncookies_sent), 0);
    assert_int_equal(p->st->tcp.syn_count, 2);
    p->peer_port = PROBE_PEER_PORT; /* the oldest, evicted */
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect(p, RST, PROBE_ANY, PROBE_ANY);
    p->peer_port = PROBE_PEER_PORT + 2; /* the newest completes */
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
}

/* The stack-wide limit holds across listeners: past syncache_max, even a
 * listener with room in its backlog answers by cookie. */
static void test_stack_wide_limit_across_listeners(void **state)
{
    struct probe *p = *state;
    struct synack_config c = p->cfg;
    c.syncache_max = 3;
    conn_reinit(p, &c);
    listen_backlog(p, 100);
    flood(p, 10);
    assert_int_equal(p->st->tcp.syn_count, 3);
    p->port = 81;
    listen_backlog(p, 100);
    struct synack_tcp_info ti = legit_connect(p, 1400);
    assert_int_equal(ti.snd_mss, 1400);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 1);
    assert_int_equal(p->st->tcp.syn_count, 3);
}

/* An entry's SYN-ACK goes again at 1, 3, 7, 15, 31, 63 and 123 s (RFC 6298
 * 5.5, capped at 60 s) and the entry is given up 180 s after the first
 * retransmission (MUST-20), with no RST. */
static void test_entry_retransmits_its_syn_ack_then_gives_up(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    uint64_t t0 = p->now;
    static const unsigned at[] = {1, 3, 7, 15, 31, 63, 123};
    for (unsigned i = 0; i < 7; i++) {
        assert_true(probe_to_deadline(p));
        assert_int_equal(p->now - t0, at[i] * SEC);
        probe_expect(p, SYN | ACK, 0, 1);
    }
    assert_true(probe_to_deadline(p));
    assert_int_equal(p->now - t0, 183 * SEC);
    probe_expect_none(p);
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_syncache_timeout), 1);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
}

/* A listener that closes takes its half-open connections along: their ACK
 * then meets a closed port. */
static void test_closing_the_listener_drops_its_entries(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_received(p);
    assert_int_equal(synack_socket_close(p->st, p->lsd, p->now), 0);
    assert_int_equal(p->st->tcp.syn_count, 0);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect(p, RST, 1, PROBE_ANY);
}

static void syn_from(struct probe *p, uint16_t port)
{
    p->peer_port = port;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
}

/* A full accept queue: a completing ACK is dropped (counted) and its entry
 * kept; once the application accepts, the SYN-ACK sent again draws the ACK
 * that completes it. A cookie's ACK is dropped the same way and the next
 * one (here with data) completes it. */
static void test_completing_ack_waits_for_room_in_the_accept_queue(void **state)
{
    struct probe *p = *state;
    listen_backlog(p, 2);
    syn_from(p, 1001);
    uint32_t isn_a = p->stack_isn;
    syn_from(p, 1002);
    uint32_t isn_b = p->stack_isn;
    p->peer_port = 1001, p->stack_isn = isn_a;
    probe_inject(p, ACK, 1, 1, NULL, 0); /* queue 1 of 2 */
    syn_from(p, 1003);                   /* an entry again */
    uint32_t isn_c = p->stack_isn;
    syn_from(p, 1004);                   /* the cache is full: a cookie */
    uint32_t isn_d = p->stack_isn;
    p->peer_port = 1002, p->stack_isn = isn_b;
    probe_inject(p, ACK, 1, 1, NULL, 0); /* queue 2 of 2 */
    p->peer_port = 1003, p->stack_isn = isn_c;
    probe_inject(p, ACK, 1, 1, NULL, 0); /* dropped, entry kept */
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
    p->peer_port = 1004, p->stack_isn = isn_d;
    probe_inject(p, ACK, 1, 1, NULL, 0); /* dropped */
    assert_int_equal(probe_conn_state(p), SYNACK_CLOSED);
    assert_int_equal(CNT(p, tcp_listen_overflow), 2);
    probe_expect_none(p);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    assert_true(synack_socket_accept(p->st, p->lsd, NULL, NULL) >= 0);
    probe_inject(p, ACK | PSH, 1, 1, "d", 1); /* the cookie's peer sends data */
    assert_int_equal(probe_conn_state(p), SYNACK_ESTABLISHED);
    assert_true(probe_to_deadline(p)); /* the entry's SYN-ACK again, and the delayed ACK */
    p->peer_port = 1003, p->stack_isn = isn_c;
    probe_drain(p);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    assert_int_equal(probe_conn_state(p), SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, tcp_syncache_completed), 3);
    assert_int_equal(CNT(p, tcp_syncookies_ok), 1);
}

/* Text on a SYN needs buffers: a listener gives a TCB to a backlog of such
 * SYNs; beyond that the SYN goes to the cache (or gets a cookie) and its
 * text is not acknowledged: the SYN-ACK covers the SYN alone, and the peer
 * sends the text again. */
static void test_text_on_a_syn_beyond_the_backlog_is_not_acknowledged(void **state)
{
    struct probe *p = *state;
    listen_backlog(p, 1);
    p->peer_port = PROBE_PEER_PORT + 5;
    probe_inject(p, SYN, 0, 0, "early", 5); /* a TCB holds this one's text */
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(probe_tcb_count(p), 2);
    p->peer_port = PROBE_PEER_PORT;
    probe_inject(p, SYN, 0, 0, "hello", 5);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    assert_int_equal(CNT(p, tcp_syn_text_dropped), 1);
    assert_int_equal(CNT(p, tcp_syncache_added), 1);
    probe_inject(p, ACK | PSH, 1, 1, "hello", 5);
    assert_true(probe_to_deadline(p)); /* the delayed ACK */
    probe_expect(p, ACK, 1, 6);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    char buf[16];
    assert_int_equal(synack_socket_recv(p->st, p->sd, buf, sizeof buf, 0, p->now), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
        T(test_flood_fills_the_cache_then_cookies_serve_the_client),
        T(test_cookie_carries_the_mss),
        T(test_cookie_ack_with_timestamps_after_a_syn_without),
        T(test_forged_or_stale_cookie_gets_rst_and_is_counted),
        T(test_cookie_with_another_index_or_period_is_refused),
        T(test_without_cookies_the_oldest_entry_is_evicted),
        T(test_stack_wide_limit_across_listeners),
        T(test_entry_retransmits_its_syn_ack_then_gives_up),
        T(test_closing_the_listener_drops_its_entries),
        T(test_completing_ack_waits_for_room_in_the_accept_queue),
        T(test_text_on_a_syn_beyond_the_backlog_is_not_acknowledged),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

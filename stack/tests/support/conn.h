/* Test support for the tests built on support/probe.h (the state machine,
 * the socket API, the input path, the reliability tests): short names for
 * what they do again and again. Header only. */
#ifndef SYNACK_TEST_CONN_H
#define SYNACK_TEST_CONN_H

#include <stdlib.h>
#include <string.h>

#include "support/probe.h"

#define SYN SYNACK_TCP_SYN
#define ACK SYNACK_TCP_ACK
#define FIN SYNACK_TCP_FIN
#define RST SYNACK_TCP_RST
#define PSH SYNACK_TCP_PSH
#define URG SYNACK_TCP_URG
#define SEC SYNACK_SEC
#define MSEC SYNACK_MSEC

static inline int conn_setup(void **state)
{
    struct probe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    probe_init(p, NULL);
    *state = p;
    return 0;
}

static inline int conn_teardown(void **state)
{
    struct probe *p = *state;
    probe_free(p);
    free(p);
    return 0;
}

/* Start again with a configuration of the test's own. */
static inline void conn_reinit(struct probe *p, const struct synack_config *cfg)
{
    probe_free(p);
    probe_init(p, cfg);
}

static inline uint64_t conn_cnt_of(struct probe *p, size_t off)
{
    uint64_t v;
    memcpy(&v, (const char *)probe_cnt(p) + off, sizeof v);
    return v;
}
#define CNT(p, name) conn_cnt_of((p), offsetof(struct synack_counters, name))

static inline struct synack_tcp_info conn_info(struct probe *p)
{
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    return ti;
}

/* Passive open whose handshake takes rtt: the stack times its SYN-ACK, so
 * SRTT = rtt, RTTVAR = rtt/2 after it (RFC 6298 2.2). The peer's MSS is
 * mss, its window win; the listener's SO_RCVBUF is rcvbuf (0: default). */
static inline void conn_establish_rcvbuf(struct probe *p, uint64_t rtt, uint16_t mss,
                                         uint16_t win, int rcvbuf)
{
    probe_listen(p);
    if (rcvbuf)
        assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_SOCKET,
                                                  SYNACK_SO_RCVBUF, &rcvbuf, sizeof rcvbuf,
                                                  p->now),
                         0);
    p->peer_win = win;
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = mss};
    struct probe_seg s = {.flags = SYN, .seq = 0, .win = win, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    p->now += rtt;
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_expect_none(p);
    p->pseq = 1;
    p->pack = 1;
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
}

static inline void conn_establish(struct probe *p, uint64_t rtt, uint16_t mss, uint16_t win)
{
    conn_establish_rcvbuf(p, rtt, mss, win, 0);
}

/* send() all of buf, which must fit the send buffer. */
static inline void conn_send(struct probe *p, const void *buf, size_t len)
{
    assert_int_equal(synack_socket_send(p->st, p->sd, buf, len, 0, p->now), (ssize_t)len);
}

/* Octets numbered from 0 so that a misplaced one shows. */
static inline const uint8_t *conn_pattern(size_t len)
{
    static uint8_t buf[1 << 17];
    assert_true(len <= sizeof buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 7 + i / 251);
    return buf;
}

static inline void conn_setopt(struct probe *p, int level, int name, int v)
{
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, level, name, &v, sizeof v, p->now),
                     0);
}

/* The peer acknowledges up to ack (relative), with its window. */
static inline void conn_ack(struct probe *p, uint32_t ack)
{
    probe_inject(p, ACK, p->pseq, ack, NULL, 0);
}

/* recv() exactly len octets. */
static inline void conn_recv(struct probe *p, void *buf, size_t len)
{
    assert_int_equal(synack_socket_recv(p->st, p->sd, buf, len, 0, p->now), (ssize_t)len);
}

#endif

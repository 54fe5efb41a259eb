/* Test support: one stack (192.0.2.1) whose link captures every outbound
 * datagram into a queue (checksums verified as it is sent), and a fake
 * peer that injects crafted TCP segments. Sequence numbers given to the
 * helpers are relative: the peer's to its ISN (its SYN is 0), the stack's
 * to the ISN learned from the stack's SYN or SYN-ACK. Virtual time only.
 *
 * The probe_goto_* helpers bring one connection into each RFC 9293 state
 * and keep p->pseq (the peer's next relative sequence number) and p->pack
 * (what the peer acknowledges: the stack's next relative sequence number)
 * up to date. Tests include cmocka through this header. */
#ifndef SYNACK_TEST_PROBE_H
#define SYNACK_TEST_PROBE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <synack/synack.h>

#define PROBE_ADDR 0xc0000201u       /* 192.0.2.1: the stack */
#define PROBE_PEER 0xc6336402u       /* 198.51.100.2: the fake peer */
#define PROBE_PEER_LAN 0xc0000202u   /* 192.0.2.2: a peer on the stack's subnet */
#define PROBE_PORT 80                /* the stack's listening port */
#define PROBE_PEER_PORT 40000        /* the peer's port */
#define PROBE_PEER_ISN 0x10000000u   /* the peer's ISN (relative 0) */
#define PROBE_START (1000 * SYNACK_SEC) /* virtual time at probe_init */
#define PROBE_ANY UINT64_MAX          /* a field not to compare */
#define PROBE_PKT_MAX 4096

/* One captured outbound datagram; the views point into data, so it must
 * not be copied by value. */
struct probe_pkt {
    uint8_t data[PROBE_PKT_MAX];
    size_t len;
    uint64_t when;
    struct synack_ipv4 ip;
    bool is_tcp, is_icmp;
    struct synack_tcp th;  /* when is_tcp */
    uint32_t seq, ack;     /* relative: seq to the stack's ISN, ack to the peer's */
    struct synack_icmp icmp; /* when is_icmp */
};

struct probe_raw {
    uint8_t *data;
    size_t len;
    uint64_t when;
};

struct probe {
    struct synack_stack *st;
    struct synack_config cfg;
    uint64_t now;
    /* outbound queue */
    struct probe_raw *q;
    size_t qhead, qlen, qcap;
    size_t sent_total;
    struct probe_pkt last; /* what the last probe_pop/probe_expect returned */
    /* the connection under test */
    uint32_t peer_addr;
    uint16_t peer_port, port;
    uint32_t peer_isn, stack_isn;
    bool stack_isn_known;
    uint32_t pseq, pack; /* relative; see above */
    uint16_t peer_win;   /* window the helpers announce */
    int lsd, sd;         /* listener and connection sockets, -1 if none */
};

/* A stack with cfg (NULL: defaults) at PROBE_ADDR. */
void probe_init(struct probe *p, const struct synack_config *cfg);
void probe_free(struct probe *p);

/* ---- injecting ---- */

/* A TCP segment from the peer: relative seq (to the peer's ISN) and ack
 * (to the stack's ISN), window, data, options (NULL: none). */
struct probe_seg {
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win;
    uint16_t urg;
    const void *data;
    size_t len;
    const struct synack_tcp_opts *opts;
};
void probe_inject_seg(struct probe *p, const struct probe_seg *s);
/* The usual case: flags, relative seq and ack, window p->peer_win. */
void probe_inject(struct probe *p, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
                  size_t len);
/* Same with an explicit window. */
void probe_inject_win(struct probe *p, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                      const void *data, size_t len);
/* A whole datagram as given (no checks). */
void probe_inject_raw(struct probe *p, const uint8_t *pkt, size_t len);
/* Build a TCP datagram src -> dst with absolute fields, both checksums right.
 * Returns its length. */
size_t probe_build_tcp(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
                       uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                       const struct synack_tcp_opts *opts, const void *data, size_t len);

/* ---- outbound ---- */

size_t probe_pending(const struct probe *p);
/* Pop the oldest outbound datagram into p->last; NULL when there is none. */
struct probe_pkt *probe_pop(struct probe *p);
/* Drop everything queued. */
void probe_drain(struct probe *p);

/* Pop one TCP segment and compare: flags exactly, seq (relative to the
 * stack's ISN) and ack (relative to the peer's ISN) unless PROBE_ANY. */
#define probe_expect(p, flags, seq, ack) \
    probe_expect_at((p), (flags), (seq), (ack), PROBE_ANY, __FILE__, __LINE__)
/* ... and the number of payload octets. */
#define probe_expect_len(p, flags, seq, ack, len) \
    probe_expect_at((p), (flags), (seq), (ack), (len), __FILE__, __LINE__)
struct probe_pkt *probe_expect_at(struct probe *p, uint8_t flags, uint64_t seq, uint64_t ack,
                                  uint64_t len, const char *file, int line);
/* Nothing outbound. */
#define probe_expect_none(p) probe_expect_none_at((p), __FILE__, __LINE__)
void probe_expect_none_at(struct probe *p, const char *file, int line);
/* "SYN,ACK" style names for messages. */
const char *probe_flags_str(uint8_t flags, char *buf, size_t cap);

/* ---- time ---- */

/* Run the timers due at the stack's deadline, if it is at or before
 * limit; returns whether it did. */
bool probe_step(struct probe *p, uint64_t limit);
/* Jump to the stack's next deadline and run it; false if there is none. */
bool probe_to_deadline(struct probe *p);
/* Advance by dt, running every deadline on the way. */
void probe_advance(struct probe *p, uint64_t dt);
/* Time until the stack's next deadline (SYNACK_TIME_NEVER if none). */
uint64_t probe_deadline_in(const struct probe *p);

/* ---- state ---- */

/* The state of the connection under test, looked up in the stack's
 * connection table by its 4-tuple (it works for sockets, orphans and
 * unaccepted children alike); SYNACK_CLOSED when there is no TCB. */
enum synack_state probe_conn_state(struct probe *p);
/* The TCB of the connection under test, or NULL. */
struct tcb *probe_tcb(struct probe *p);
/* synack_socket_status of p->sd. */
enum synack_state probe_sock_state(struct probe *p);
/* Number of TCBs in the stack (listeners included). */
uint32_t probe_tcb_count(struct probe *p);
const struct synack_counters *probe_cnt(const struct probe *p);

/* ---- bringing a connection into a state ---- */

/* A listener on p->port (p->lsd). */
void probe_listen(struct probe *p);
/* Passive open: listen, inject a SYN (MSS 1460), expect the SYN-ACK and
 * learn the stack's ISN. The child is not accepted yet. */
void probe_goto_syn_received(struct probe *p);
/* ... the peer's ACK; accepted into p->sd. */
void probe_goto_established(struct probe *p);
/* Active open to the peer: connect() p->sd, expect the SYN, learn the ISN. */
/* socket() and connect() to the peer's port 8080 (p->sd, p->port); the
 * SYN is not read. */
void probe_connect(struct probe *p);
void probe_goto_syn_sent(struct probe *p);
/* ... the peer's SYN-ACK; expect the ACK. */
void probe_goto_established_active(struct probe *p);
/* From ESTABLISHED: shutdown(SHUT_WR), expect the FIN. */
void probe_goto_fin_wait_1(struct probe *p);
/* ... the peer ACKs the FIN. */
void probe_goto_fin_wait_2(struct probe *p);
/* From FIN-WAIT-1: the peer's FIN without ACK of ours; expect the ACK. */
void probe_goto_closing(struct probe *p);
/* From FIN-WAIT-2: the peer's FIN; expect the ACK. */
void probe_goto_time_wait(struct probe *p);
/* From ESTABLISHED: the peer's FIN; expect the ACK. */
void probe_goto_close_wait(struct probe *p);
/* From CLOSE-WAIT: shutdown(SHUT_WR), expect the FIN. */
void probe_goto_last_ack(struct probe *p);

/* One of the above by state (passive open), for tables of tests. */
void probe_goto(struct probe *p, enum synack_state st);

#endif

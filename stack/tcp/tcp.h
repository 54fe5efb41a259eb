/* The TCP module's interface to the layers above it: the dispatch layer
 * (stack/core) hands it segments, ICMP errors and the clock; the socket
 * layer (stack/socket) makes the user calls of RFC 9293 3.10.1-3.10.6.
 * TCP sends through the ip_output function it is given and never calls up. */
#ifndef SYNACK_TCP_TCP_H
#define SYNACK_TCP_TCP_H

#include <sys/types.h>

#include "tcp/tcb.h"

int tcp_ctx_init(struct tcp_ctx *t, const struct synack_config *cfg,
                 struct synack_counters *cnt, struct rng *rng, tcp_ip_output_fn out,
                 void *out_ctx);
/* t as tcp_ctx_init leaves it, for cfg: every TCB, record and timer goes,
 * and the tables that fit the new cfg are kept (they are empty then). On
 * an error t holds nothing (tcp_ctx_destroy may still be called). */
int tcp_ctx_reset(struct tcp_ctx *t, const struct synack_config *cfg,
                  struct synack_counters *cnt, struct rng *rng, tcp_ip_output_fn out,
                  void *out_ctx);
void tcp_ctx_destroy(struct tcp_ctx *t);

/* ---- from the dispatch layer ---- */

/* A checked segment th from src to dst (host order), both unicast. */
/* ecn: the ECN field of the IP header (RFC 3168 5). */
void tcp_input(struct tcp_ctx *t, const struct synack_addr *src, const struct synack_addr *dst,
               uint8_t ecn, const struct synack_tcp *th, uint64_t now);
#ifdef SYNACK_MUTATION
/* The mutant bad_option_closes_listener (MUST-7): the listener on
 * (laddr, lport), if any, is closed. */
void tcp_mutant_close_listener(struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport);
#endif
/* An ICMP error whose embedded datagram is TCP (RFC 9293 3.9.2.2). */
void tcp_icmp_error(struct tcp_ctx *t, const struct synack_icmp *icmp, uint64_t now);
/* An ICMPv6 error whose invoking packet is TCP (RFC 4443 2.4 (c)). */
void tcp_icmp6_error(struct tcp_ctx *t, const struct synack_icmp6 *icmp, uint64_t now);
void tcp_poll(struct tcp_ctx *t, uint64_t now);
uint64_t tcp_deadline(const struct tcp_ctx *t);
/* ... of the timers that send a segment when they expire (all but TT_2MSL). */
uint64_t tcp_deadline_output(const struct tcp_ctx *t);
/* Output is collected while a batch is open and sent at its end (MUST-59). */
void tcp_batch_begin(struct tcp_ctx *t);
void tcp_batch_end(struct tcp_ctx *t, uint64_t now);

/* ---- from the socket layer: user calls ---- */

/* The path MTU a connection sends with (RFC 1191): the link's until ICMP
 * or black-hole detection lowered it (IP_MTU). */
uint32_t tcp_pmtu(const struct tcp_ctx *t, const struct tcb *tcb);

struct tcp_open_params {
    struct synack_addr laddr, raddr;
    uint16_t lport, rport;
    uint32_t sndbuf, rcvbuf;
    uint8_t rcv_wscale_min; /* RFC 7323 2.3: at least this shift (the one for
                             * synack_config.rcvbuf_max: tcp_wscale_for) */
    uint16_t user_mss;
    uint32_t flags; /* TF_NODELAY, TF_KEEPALIVE, TF_LINGER0 */
    uint8_t ext;      /* TO_*: the extensions to offer */
    uint8_t recovery; /* enum synack_recovery */
    uint8_t congestion; /* enum synack_congestion */
    uint16_t tfo_mode; /* RFC 7413: net.ipv4.tcp_fastopen bits */
    bool tfo_connect;  /* TCP_FASTOPEN_CONNECT: the SYN waits for the first send */
    uint64_t keep_idle, keep_intvl;
    uint32_t keep_cnt;
    uint64_t user_timeout;
    uint8_t tos, ttl;
    uint8_t pmtudisc; /* enum tcp_pmtudisc */
    bool mtu_probing; /* RFC 4821 black-hole detection */
    bool v6only;      /* IPV6_V6ONLY: a :: listener takes no IPv4 */
    uint32_t backlog;
};

/* OPEN (3.10.1), active: a new TCB in SYN-SENT with the SYN sent. */
int tcp_open_active(struct tcp_ctx *t, const struct tcp_open_params *p, struct tcb **out,
                    uint64_t now);
/* OPEN, passive: a new TCB in LISTEN. */
int tcp_open_passive(struct tcp_ctx *t, const struct tcp_open_params *p, struct tcb **out);
/* The next established child of a listener, now owned by the caller. */
struct tcb *tcp_accept(struct tcp_ctx *t, struct tcb *listener);
/* SEND (3.10.2): octets queued, or a negative errno. */
ssize_t tcp_send(struct tcp_ctx *t, struct tcb *tcb, const void *buf, size_t len, bool urgent,
                 uint64_t now);
/* RECEIVE (3.10.3): octets read, 0 at end of stream, or a negative errno.
 * post: when nothing is there, keep buf for the text to land in. */
ssize_t tcp_receive(struct tcp_ctx *t, struct tcb *tcb, void *buf, size_t len, bool peek,
                    bool post, uint64_t now);
/* The first octet the application has not read (RCV.NXT less what waits
 * for it in rb and in a posted buffer). */
uint32_t tcp_read_seq(const struct tcb *tcb);
/* CLOSE (3.10.4): no more sends; a FIN follows the queued data. */
int tcp_close(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The application will not read again; data that arrives is answered by RST (SHLD-3). */
void tcp_shutdown_read(struct tcp_ctx *t, struct tcb *tcb);
/* ABORT (3.10.5). */
int tcp_abort(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The socket lets go of tcb; it finishes on its own or is freed now. */
void tcp_release(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* STATUS (3.10.6). */
void tcp_status(const struct tcp_ctx *t, const struct tcb *tcb, struct synack_tcp_info *info);
/* TCP_FASTOPEN_CONNECT: connected in appearance, the SYN not sent yet. */
bool tcp_tfo_deferred(const struct tcb *tcb);
/* SYNACK_POLL* readiness. */
int tcp_events(const struct tcb *tcb);
/* Readiness for the socket layer's watch list: which handle watches tcb
 * (-1: none), and the watched TCBs touched since the last pop, each once. */
void tcp_watch(struct tcb *tcb, int sd);
struct tcb *tcp_touched_pop(struct tcp_ctx *t);
/* The TCP part of synack_stack_usage (conns to syncache). */
void tcp_usage(const struct tcp_ctx *t, struct synack_stack_usage *u);
/* Return and clear the pending error (SO_ERROR). */
int tcp_take_error(struct tcb *tcb);
/* Buffer sizes, options that take effect at once. */
int tcp_set_buffers(struct tcp_ctx *t, struct tcb *tcb, uint32_t sndbuf, uint32_t rcvbuf,
                    uint64_t now);
void tcp_set_nodelay(struct tcp_ctx *t, struct tcb *tcb, bool on, uint64_t now);
/* TCP_CONGESTION: the enum synack_congestion of a name ("reno", "cubic",
 * "bbr"; not NUL-terminated, len octets at most), or -1; the name of one;
 * switch a connection to one (an established one starts it from its cwnd;
 * false: no memory for its state, NewReno instead). */
int tcp_congestion_by_name(const char *name, size_t len);
const char *tcp_congestion_name(uint8_t id);
bool tcp_set_congestion(struct tcb *tcb, uint8_t id);
void tcp_set_keepalive(struct tcp_ctx *t, struct tcb *tcb, bool on, uint64_t idle,
                       uint64_t intvl, uint32_t cnt, uint64_t now);

/* RFC 7413: a socket's Fast Open settings reach its TCB (a listener's
 * queue and key). */
void tcp_tfo_configure(struct tcb *tcb, uint16_t mode, uint32_t qlen, const uint8_t *key16);

/* The extensions a new socket offers: the configuration's TO_* bits. */
uint8_t tcp_ext_from_config(const struct synack_config *cfg);
/* RFC 7323 2.3: the smallest shift whose window covers rcvbuf (at most 14). */
uint8_t tcp_wscale_for(uint32_t rcvbuf);

/* Is (laddr, lport) used by a TCB? A wildcard laddr matches any. */
bool tcp_port_in_use(const struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport,
                     bool listeners_only);
/* Does a TCB with exactly this 4-tuple exist (TIME-WAIT included)? */
bool tcp_conn_exists(struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport,
                     const struct synack_addr *raddr, uint16_t rport);
/* RFC 6056 algorithm 3: a local port for (laddr, raddr, rport), or -EADDRNOTAVAIL. */
int tcp_ephemeral_port(struct tcp_ctx *t, const struct synack_addr *laddr,
                       const struct synack_addr *raddr, uint16_t rport,
                       bool (*taken)(void *ctx, uint16_t port), void *ctx);

#endif

/* Socket handles and their options: shared by socket.c and sockopt.c. */
#ifndef SYNACK_SOCKET_SOCK_H
#define SYNACK_SOCKET_SOCK_H

#include <synack/socket.h>

#include "core/stack_internal.h"

enum sock_kind {
    SK_FREE = 0,
    SK_OPEN,   /* created, maybe bound */
    SK_LISTEN, /* tcb is the listener */
    SK_CONN,   /* tcb is the connection */
};

/* The fields are ordered so that the struct has no holes (a socket is
 * part of what each connection costs). */
struct sock {
    enum sock_kind kind;
    /* options, applied when the TCB is created */
    uint32_t sndbuf, rcvbuf;
    uint32_t flags; /* TF_NODELAY, TF_KEEPALIVE, TF_LINGER0, TF_ICMP_HARD_ABORT */
    struct tcb *tcb;
    uint64_t keep_idle, keep_intvl;
    uint64_t user_timeout;
    void *user;     /* readiness list (events.c): for whom */
    struct synack_addr laddr; /* bound to, unmapped; unspecified: none yet, or the wildcard */
    uint16_t lport;
    uint16_t family; /* SYNACK_AF_INET or SYNACK_AF_INET6 */
    uint16_t user_mss;
    /* RFC 7413 Fast Open: the tcp_fastopen bits, TCP_FASTOPEN (a
     * listener's queue), TCP_FASTOPEN_CONNECT, TCP_FASTOPEN_KEY */
    uint16_t tfo_mode;
    bool tfo_connect, tfo_key_set;
    uint8_t tfo_key[16];
    bool bound;    /* has a local port (bind, connect or accept) */
    bool explicit; /* the port came from bind() (listen's included) */
    bool v6only;   /* IPV6_V6ONLY */
    bool reuseaddr;
    bool rcvbuf_set; /* SO_RCVBUF: the window scale is for that buffer, not rcvbuf_max */
    uint8_t ext;      /* TO_*: the TCP extensions to offer */
    uint8_t recovery; /* enum synack_recovery */
    uint8_t congestion; /* enum synack_congestion */
    uint8_t tos, ttl;
    uint8_t pmtudisc; /* enum tcp_pmtudisc (IP_MTU_DISCOVER) */
    bool mtu_probing; /* SYNACK_TCP_MTU_PROBING (RFC 4821) */
    uint32_t tfo_qlen;
    struct synack_linger linger;
    uint32_t keep_cnt;
    /* readiness list (events.c): what is watched, last reported */
    int watch;
    int reported;
    uint32_t watch_idx; /* its place in sock_table.watched, while watched */
    bool queued;        /* on the ready queue (rprev, rnext: handles, -1 at the ends) */
    int rprev, rnext;
};

/* What the bound sockets of one local port are: port_taken and
 * ephemeral_taken decide from these counts, not by walking the sockets. */
struct port_use {
    uint32_t bound, noreuse, listen, explicit;
};

struct sock_table {
    struct sock *v;
    uint32_t n;
    int *watched;      /* handles with watch != 0, in no order (events.c) */
    uint32_t nwatched;
    int rhead, rtail;  /* the ready queue: watched handles to look at (-1: empty) */
    uint64_t *used;   /* a bit per handle: taken */
    uint32_t hint;    /* no free handle below word hint of used */
    struct port_use *ports; /* 65536 */
};

/* Take sk's part out of its port's counts (dir -1) or put it in (+1):
 * around every change of bound, lport, reuseaddr, kind or explicit. */
void sock_port_account(struct synack_stack *s, const struct sock *sk, int dir);

/* The socket behind handle sd, or NULL. */
struct sock *sock_lookup(struct synack_stack *s, int sd);
/* A socket handle goes away, or is reused (accept): forget its watch. */
void sock_unwatch(struct synack_stack *s, int sd);
/* After a call that changes what is ready (recv, send, accept). */
void sock_rearm(struct synack_stack *s, int sd);
/* sd's TCB was made or let go (listen, connect): a watch follows it, and
 * sd is looked at on the next synack_stack_events. */
void sock_tcb_changed(struct synack_stack *s, int sd);

#endif

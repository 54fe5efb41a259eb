/* synack/socket.h: the BSD-like, non-blocking socket API over a stack.
 *
 * Sockets are small integers (handles) private to one stack. Every call
 * returns a value >= 0 on success or a negative errno (-ECONNREFUSED,
 * -EAGAIN, -EINPROGRESS, ...), with BSD semantics. Nothing blocks: a caller
 * that wants blocking waits for readiness (synack_stack_events, or
 * synack_socket_events on one socket) and calls again.
 *
 * Option levels, names and flags use the Linux numeric values, so code that
 * knows <sys/socket.h> reads naturally; the SYNACK_ names below are what
 * this header guarantees.
 *
 * Which calls take `now`, and why: a call takes the time (microseconds, on
 * the clock given to synack_stack_poll; it never goes backwards) exactly
 * when it may send a segment or start a timer, since the stack reads no
 * clock of its own: connect (the SYN, its retransmission timer), send
 * (data, the RTO), recv (a read that opens the window may announce it),
 * shutdown and close (the FIN, or a RST), abort (a RST), setsockopt (a
 * larger SO_RCVBUF is announced; TCP_NODELAY sends what Nagle held).
 * socket, bind, listen, accept, getsockopt, the readiness calls, status,
 * name and peer send nothing and take no time: LISTEN is silent, and
 * accept() hands over a connection the stack has already established.
 *
 * What each call does in each state (RFC 9293 3.10; "new" is a socket that
 * has neither connected nor listened; "closed" a connection that ended):
 *
 *   call       new          LISTEN     SYN-SENT, SYN-RCVD    ESTABLISHED, CLOSE-WAIT   FIN-WAIT-*, CLOSING,      closed (reset, refused,
 *                                                                                      LAST-ACK, TIME-WAIT       timed out, or done)
 *   connect    -EINPROGRESS -EISCONN   -EALREADY             -EISCONN                  -EISCONN                  the error once (-ECONNREFUSED,
 *              (SYN sent)                                                                                        -ETIMEDOUT, ...), then a new attempt;
 *                                                                                                                -EISCONN after a connection
 *   send       -ENOTCONN    -ENOTCONN  queued: the octets    octets taken (some or     -EPIPE (after our FIN)    the error once (-ECONNRESET, ...),
 *                                      taken, sent once      all), -EAGAIN when the                              then -EPIPE (-ENOTCONN if it
 *                                      ESTABLISHED           send buffer is full                                 never connected)
 *   recv       -ENOTCONN    -ENOTCONN  -EAGAIN               octets, -EAGAIN when none octets, then 0 at the     octets left, then the error once,
 *                                                            yet, 0 after the peer's   peer's FIN                then 0 (-ENOTCONN if it never
 *                                                            FIN                                                 connected)
 *   shutdown   -ENOTCONN    -ENOTCONN  WR in SYN-SENT: the   WR: FIN after the queued  RD only                   0 (-ENOTCONN if it never connected)
 *                                      attempt is deleted    data; RD: unread data is
 *                                      (CLOSE there, 3.10.4);discarded
 *                                      in SYN-RCVD: FIN after
 *                                      the queued data
 *   close      0            0, aborts  SYN-SENT: deleted;    FIN after the queued      0 (the FIN is out)        0
 *                           the queue  SYN-RCVD: FIN after   data; unread data, or
 *                                      the data              SO_LINGER 0: RST (SHLD-3)
 *   abort      0            0          0 (SYN-RCVD: RST)     RST, 0                    RST in FIN-WAIT-*, 0      0
 *   accept     -EINVAL      a socket,  -EINVAL               -EINVAL                   -EINVAL                   -EINVAL
 *                           -EAGAIN
 *
 * After close() or abort() the handle is free (-EBADF, and socket() may
 * hand it out again); the connection finishes in the background. A closed
 * connection's socket stays until closed: status reads SYNACK_CLOSED and
 * events report POLLHUP (and POLLERR while an error is pending).
 */
#ifndef SYNACK_SOCKET_H
#define SYNACK_SOCKET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <synack/addr.h>
#include <synack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* RFC 9293 3.3.2 connection states. */
enum synack_state {
    SYNACK_CLOSED = 0,
    SYNACK_LISTEN,
    SYNACK_SYN_SENT,
    SYNACK_SYN_RECEIVED,
    SYNACK_ESTABLISHED,
    SYNACK_FIN_WAIT_1,
    SYNACK_FIN_WAIT_2,
    SYNACK_CLOSE_WAIT,
    SYNACK_CLOSING,
    SYNACK_LAST_ACK,
    SYNACK_TIME_WAIT,
    SYNACK_STATE_COUNT
};
/* "SYN-RECEIVED", as the RFC spells it. */
const char *synack_state_name(enum synack_state st);

/* Levels and option names (Linux values). */
#define SYNACK_SOL_SOCKET 1
#define SYNACK_SO_REUSEADDR 2
#define SYNACK_SO_ERROR 4
#define SYNACK_SO_SNDBUF 7
#define SYNACK_SO_RCVBUF 8
#define SYNACK_SO_KEEPALIVE 9
#define SYNACK_SO_OOBINLINE 10
#define SYNACK_SO_LINGER 13
#define SYNACK_IPPROTO_IP 0
#define SYNACK_IP_TOS 1          /* MUST-48: the Diffserv field we send */
#define SYNACK_IP_TTL 2
#define SYNACK_IP_MTU_DISCOVER 10 /* an int, one of these (RFC 1191): */
#define SYNACK_IP_PMTUDISC_DONT 0 /*   no DF, ICMP's MTU ignored (routers fragment) */
#define SYNACK_IP_PMTUDISC_WANT 1 /*   DF and path MTU discovery (the default) */
#define SYNACK_IP_PMTUDISC_DO 2   /*   the same (Linux: never fragment locally either) */
#define SYNACK_IP_PMTUDISC_PROBE 3 /*  DF, ICMP's MTU ignored: the link MTU, black-hole
                                    *   detection alone (SYNACK_TCP_MTU_PROBING) */
#define SYNACK_IP_MTU 14          /* getsockopt: the path MTU of a connected socket */
#define SYNACK_IPPROTO_IPV6 41    /* the same for an AF_INET6 socket (RFC 3493 5): */
#define SYNACK_IPV6_UNICAST_HOPS 16 /* IP_TTL's kin: the Hop Limit (-1: the default) */
#define SYNACK_IPV6_MTU_DISCOVER 23 /* IP_MTU_DISCOVER's values */
#define SYNACK_IPV6_MTU 24
#define SYNACK_IPV6_V6ONLY 26     /* 0 (default) or 1: :: takes no IPv4 connection */
#define SYNACK_IPV6_TCLASS 67     /* IP_TOS's kin: the Traffic Class (-1: the default) */
#define SYNACK_SOL_TCP 6
#define SYNACK_TCP_NODELAY 1     /* MUST-17 */
#define SYNACK_TCP_MAXSEG 2
#define SYNACK_TCP_KEEPIDLE 4    /* seconds */
#define SYNACK_TCP_KEEPINTVL 5   /* seconds */
#define SYNACK_TCP_KEEPCNT 6
#define SYNACK_TCP_INFO 11       /* struct synack_tcp_info (getsockopt only) */
#define SYNACK_TCP_USER_TIMEOUT 18 /* milliseconds: R2 for this connection (MUST-21) */
/* getsockopt only, synack's own: the last ICMP soft error of the connection
 * as a (positive) errno, 0 if none (SHLD-25); what STATUS's soft_error says,
 * for callers that read TCP_INFO the Linux way (packetdrill's SO interface) */
#define SYNACK_TCP_SOFT_ERROR 0x5ac1
#define SYNACK_TCP_CONGESTION 13 /* the congestion control by name, as Linux: "reno", "cubic"
                                  * (enum synack_congestion; unknown: ENOENT) */
#define SYNACK_TCP_FASTOPEN 23   /* listener: queue length of Fast Open connections (RFC 7413) */
#define SYNACK_TCP_FASTOPEN_CONNECT 30 /* connect() returns at once; the SYN carries the first send */
#define SYNACK_TCP_FASTOPEN_KEY 33 /* a listener's 16-octet cookie key (cookies as Linux makes them) */

/* synack's own switches of the TCP extensions, per socket, set before
 * connect() or listen() (Linux has only the sysctls named in
 * struct synack_config, whose values they take). */
#define SYNACK_TCP_WINDOW_SCALING 0x5301 /* 0 or 1: offer RFC 7323 window scaling */
#define SYNACK_TCP_TIMESTAMPS 0x5302     /* 0 or 1: offer RFC 7323 timestamps */
#define SYNACK_TCP_SACK 0x5303           /* 0 or 1: offer RFC 2018 SACK */
#define SYNACK_TCP_DSACK 0x5304          /* 0 or 1: report duplicates (RFC 2883) */
#define SYNACK_TCP_ECN 0x5305            /* 0 off, 1 ask and accept, 2 accept (RFC 3168) */
#define SYNACK_TCP_RECOVERY 0x5306       /* enum synack_recovery */
#define SYNACK_TCP_FASTOPEN_MODE 0x5307  /* net.ipv4.tcp_fastopen bits: 1 client, 2 server,
                                          * 4 client data without a cookie, 0x200 server
                                          * takes data without a cookie (RFC 7413) */

/* synack's own, an int: nonzero makes Destination Unreachable 2 and 3 abort
 * this connection in a synchronized state too (RFC 9293 SHLD-26); zero
 * treats them there as soft errors (RFC 5927 5.2, as Linux and FreeBSD).
 * The default is the stack's icmp_hard_abort; a listener's is inherited. */
#define SYNACK_TCP_ICMP_HARD_ABORT 0x5ac2
/* synack's own, an int: nonzero turns on RFC 4821's black-hole detection for
 * this connection (Linux has the sysctl tcp_mtu_probing): after R1 timeouts
 * in a row with segments above the base MSS and no ICMP, the path MTU is
 * taken down to 1024 (RFC 4821 7.2's search_low), then to pmtu_min.
 * The default is the stack's mtu_probing; a listener's is inherited. */
#define SYNACK_TCP_MTU_PROBING 0x5ac3

struct synack_linger {
    int l_onoff;
    int l_linger; /* seconds; 0 with l_onoff makes close() abort with RST */
};

/* shutdown() */
#define SYNACK_SHUT_RD 0
#define SYNACK_SHUT_WR 1
#define SYNACK_SHUT_RDWR 2

/* send()/recv() flags */
#define SYNACK_MSG_OOB 0x1       /* send: urgent data (SND.UP); recv: not supported */
#define SYNACK_MSG_PEEK 0x2
#define SYNACK_MSG_DONTWAIT 0x40 /* accepted; every call is non-blocking */
#define SYNACK_MSG_NOSIGNAL 0x4000 /* accepted; there are no signals */
/* recv: when nothing is there yet, leave buf with the stack (-EAGAIN): the
 * in-order text that arrives lands in it straight, one copy instead of two
 * (receive into the application's buffer where it waits), and the socket
 * becomes readable. The next recv returns it, not copied again when it is
 * given the same buf; until then buf is the stack's (close, shutdown of
 * reading, or a recv without this flag gives it back). Not with PEEK. */
#define SYNACK_MSG_POST 0x10000

/* Readiness (poll(2) values) */
#define SYNACK_POLLIN 0x001
#define SYNACK_POLLPRI 0x002     /* urgent data pending (MUST-32) */
#define SYNACK_POLLOUT 0x004
#define SYNACK_POLLERR 0x008
#define SYNACK_POLLHUP 0x010
#define SYNACK_POLLRDHUP 0x2000

/* What STATUS reports (RFC 9293 3.10.6), in the spirit of Linux TCP_INFO. */
struct synack_tcp_info {
    uint8_t state;                 /* enum synack_state */
    uint8_t passive;               /* opened by LISTEN (MUST-11) */
    uint8_t snd_wscale, rcv_wscale;
    uint8_t options;               /* SYNACK_TCPI_OPT_*: what both SYNs negotiated */
    uint8_t recovery;              /* enum synack_recovery in use */
    uint8_t congestion;            /* enum synack_congestion in use */
    struct synack_addr laddr, raddr; /* the connection's family (IPv4: AF_INET) */
    uint16_t lport, rport;
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, snd_up;
    uint32_t irs, rcv_nxt, rcv_wnd, rcv_up;
    uint32_t snd_mss;              /* effective send MSS (MUST-16) */
    uint32_t rcv_mss;              /* the MSS we announced */
    uint32_t max_snd_wnd;          /* RFC 5961 MAX.SND.WND */
    uint64_t srtt_us, rttvar_us, rto_us;
    uint32_t cwnd, ssthresh;       /* bytes */
    uint32_t backoff;              /* RTO doublings in a row */
    uint32_t retransmits;          /* retransmissions of the current segment */
    uint64_t total_retrans;
    uint32_t unacked;              /* SND.NXT - SND.UNA */
    uint32_t sndbuf_used, sndbuf_size;
    uint32_t rcvbuf_used, rcvbuf_size;
    uint32_t ooo_intervals;
    uint32_t urgent_pending;       /* octets of urgent data not yet read (MUST-33) */
    int32_t soft_error;            /* last ICMP soft error (negative errno) or 0 (SHLD-25) */
    uint32_t ts_recent;            /* RFC 7323 TS.Recent */
    uint32_t sacked_out;           /* octets SACKed above SND.UNA (RFC 6675 scoreboard) */
    uint32_t lost_out;             /* octets deemed lost, not yet acknowledged */
    uint32_t pipe;                 /* RFC 6675 SetPipe (the flight without a scoreboard) */
    uint64_t dsacks;               /* D-SACK blocks received (RFC 2883) */
    uint64_t tlp_probes;           /* tail loss probes sent (RFC 8985 7) */
    uint64_t rack_min_rtt_us;      /* RFC 8985 RACK.min_RTT */
    uint8_t rack_reord;            /* RFC 8985 RACK.reord: reordering seen */
    uint8_t in_recovery;           /* fast recovery (1) or recovery after an RTO (2) */
};

/* synack_tcp_info.options: Linux's tcpi_options bits. */
#define SYNACK_TCPI_OPT_TIMESTAMPS 0x01
#define SYNACK_TCPI_OPT_SACK 0x02
#define SYNACK_TCPI_OPT_WSCALE 0x04
#define SYNACK_TCPI_OPT_ECN 0x08
#define SYNACK_TCPI_OPT_ECN_SEEN 0x10
#define SYNACK_TCPI_OPT_SYN_DATA 0x20

/* An AF_INET socket; its addresses are IPv4 addresses in host order. */
int synack_socket(struct synack_stack *s);
int synack_socket_bind(struct synack_stack *s, int sd, uint32_t addr, uint16_t port);
int synack_socket_listen(struct synack_stack *s, int sd, int backlog);
/* Returns a new socket; *raddr and *rport (may be NULL) get the peer. */
int synack_socket_accept(struct synack_stack *s, int sd, uint32_t *raddr, uint16_t *rport);
/* -EINPROGRESS while the handshake runs; the outcome is in SO_ERROR and
 * synack_socket_events (POLLOUT, or POLLERR). Calling again after success
 * returns -EISCONN; while in progress -EALREADY. */
int synack_socket_connect(struct synack_stack *s, int sd, uint32_t addr, uint16_t port,
                          uint64_t now);
ssize_t synack_socket_send(struct synack_stack *s, int sd, const void *buf, size_t len,
                           int flags, uint64_t now);
/* 0 at end of stream; -EAGAIN when nothing is there yet. */
ssize_t synack_socket_recv(struct synack_stack *s, int sd, void *buf, size_t len, int flags,
                           uint64_t now);
int synack_socket_shutdown(struct synack_stack *s, int sd, int how, uint64_t now);
/* CLOSE (RFC 9293 3.10.4); the connection finishes in the background. */
int synack_socket_close(struct synack_stack *s, int sd, uint64_t now);
/* ABORT (RFC 9293 3.10.5): RST if synchronized, and release the socket. */
int synack_socket_abort(struct synack_stack *s, int sd, uint64_t now);
int synack_socket_setsockopt(struct synack_stack *s, int sd, int level, int name,
                             const void *val, size_t len, uint64_t now);
int synack_socket_getsockopt(struct synack_stack *s, int sd, int level, int name, void *val,
                             size_t *len);
/* SYNACK_POLL* bits that are ready now: POLLIN (data, the peer's FIN, a
 * pending error, or a connection to accept), POLLOUT (send would take
 * octets; also once closed, where send fails rather than blocks), POLLERR,
 * POLLHUP (closed, or both FINs), POLLRDHUP (the peer's FIN), POLLPRI. */
int synack_socket_events(struct synack_stack *s, int sd);

/* Readiness as a list, in epoll's model, so an application that has many
 * sockets asks once per turn which are ready instead of asking each:
 *
 *     synack_socket_watch(s, listener, SYNACK_POLLIN, &my_listener);
 *     ...
 *     struct synack_event ev[64];
 *     int n = synack_stack_events(s, ev, 64);
 *     for (int i = 0; i < n; i++) handle(ev[i].sd, ev[i].events, ev[i].user);
 *
 * synack_socket_watch(s, sd, events, user) watches sd for the SYNACK_POLL*
 * bits in events (POLLERR and POLLHUP are always reported) with user handed
 * back in each event; events 0 stops watching, and watching again replaces
 * the bits and the pointer. -EBADF for a bad handle, -EINVAL for unknown
 * bits. A socket from accept() starts unwatched; close() and abort() stop
 * the watch. By default a watch is level-triggered: every call reports the
 * socket while it is ready. With SYNACK_WATCH_EDGE it is reported once when
 * watched, then when a bit becomes ready that was not ready after the last
 * report or the application's last recv, send or accept on it (epoll's
 * EPOLLET): read until -EAGAIN and write until -EAGAIN, as with epoll, or
 * what is left is not reported again.
 *
 * synack_stack_events fills at most max events and returns how many, each
 * watched socket at most once; when more are ready than max, the next call
 * goes on from where this one stopped. Its cost is what happened, not what
 * is watched (epoll's ready list): a check for each watched socket that a
 * segment, a timer or an ICMP error touched, or the application called on,
 * since the last call, and for each level-triggered one still ready.
 * Watching and unwatching are O(1). Take it after synack_stack_input/poll
 * (or synack_loop_run, which hands the events to a callback). */
#define SYNACK_WATCH_EDGE 0x40000000
struct synack_event {
    int sd;
    int events; /* SYNACK_POLL* bits ready, of those watched */
    void *user;
};
int synack_socket_watch(struct synack_stack *s, int sd, int events, void *user);
int synack_stack_events(struct synack_stack *s, struct synack_event *ev, size_t max);
/* What the stack holds now, each beside the limit of struct synack_config
 * that bounds it: which states a server's connections pile up in under
 * churn or attack. It walks every TCB: a look from time to time, not a
 * call for every turn. -EINVAL for NULL. */
struct synack_stack_usage {
    uint32_t conns;                      /* TCBs, listeners included (max_conns) */
    uint32_t state[SYNACK_STATE_COUNT];  /* those TCBs by state */
    uint32_t orphans;    /* closed by the application, still finishing (orphan_max) */
    uint32_t unaccepted; /* in a listener's accept queue (its backlog) */
    uint32_t timewait;   /* TIME-WAIT records, not TCBs (timewait_max) */
    uint32_t syncache;   /* half-open entries in the SYN cache (syncache_max) */
    uint32_t sockets;    /* handles in use (max_sockets) */
    uint32_t watched;    /* of those, watched (synack_socket_watch) */
};
int synack_stack_usage(struct synack_stack *s, struct synack_stack_usage *u);
/* STATUS (RFC 9293 3.10.6). */
int synack_socket_status(struct synack_stack *s, int sd, struct synack_tcp_info *info);
int synack_socket_name(struct synack_stack *s, int sd, uint32_t *addr, uint16_t *port);
int synack_socket_peer(struct synack_stack *s, int sd, uint32_t *addr, uint16_t *port);

/* Sockets of either family, addresses as struct synack_addr (the calls
 * above are these with IPv4 addresses). An AF_INET6 socket (RFC 3493)
 * reaches IPv4 peers through IPv4-mapped addresses, ::ffff:a.b.c.d: it
 * connects to one over IPv4, and bound to :: it accepts IPv4 connections
 * too unless SYNACK_IPV6_V6ONLY; the addresses it reports for them are
 * IPv4-mapped (family AF_INET6). An AF_INET socket takes and gives
 * AF_INET addresses only (-EAFNOSUPPORT). The unspecified address
 * (synack_addr_any) binds to every address of the socket's family. The
 * stack's addresses are its configuration's addr and addr6; a port is not
 * shared between the families (bind on port 80 of one makes it taken in
 * the other). */
int synack_socket_family(struct synack_stack *s, int family);
int synack_socket_bind_addr(struct synack_stack *s, int sd, const struct synack_addr *addr,
                            uint16_t port);
int synack_socket_connect_addr(struct synack_stack *s, int sd, const struct synack_addr *addr,
                               uint16_t port, uint64_t now);
int synack_socket_accept_addr(struct synack_stack *s, int sd, struct synack_addr *raddr,
                              uint16_t *rport);
int synack_socket_name_addr(struct synack_stack *s, int sd, struct synack_addr *addr,
                            uint16_t *port);
int synack_socket_peer_addr(struct synack_stack *s, int sd, struct synack_addr *addr,
                            uint16_t *port);

#ifdef __cplusplus
}
#endif
#endif

/* Shared by the files of harness/run: the state of one run. */
#ifndef SYNACK_HARNESS_RUN_INTERNAL_H
#define SYNACK_HARNESS_RUN_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>

#include <synack/link_pcap.h>
#include <synack/wire.h>

#include "run/runner.h"

#define RUN_MAX_FDS 64
#define RUN_PKT_MAX 65536
#define RUN_IO_CHUNK 65536
#define RUN_TS_MAP 64     /* outbound TS vals remembered for the ecr mapping */
#define RUN_MPTCP_KEYS 4  /* MPTCP key names a script uses (ckey, skey) */
#define RUN_HELD_MAX 1024 /* packets sent while no outbound line waited */
#define RUN_FD_EPOLL (-2) /* fd_map of a script fd that is an epoll set (epoll.c) */

/* The one connection a script talks about, in packetdrill's terms: the
 * stack is "local", the script is "remote". */
#define RUN_LEFT_MAX 16

struct conn_map {
    uint16_t local_port, remote_port;
    bool local_port_known;     /* passive: bind_port; active: learned from the SYN */
    bool local_isn_known;
    uint32_t live_local_isn;   /* the stack's ISN, from its SYN or SYN-ACK */
    uint32_t script_local_isn; /* what the script wrote for that SYN */
    /* A SYN of the stack's with another ISN (a new incarnation, e.g. a
     * TIME-WAIT reopened): its ISN less the one before, modulo 2^32, in
     * the script's numbers the old connection's relative ISN of the new
     * one (python: synack_isn_advance). */
    bool isn_advance_known;
    uint32_t isn_advance;
    uint32_t remote_isn;       /* the script's ISN: its SYN's sequence number */
    bool remote_isn_known;     /* set by the first SYN of a connection; a RST
                                * either way ends the connection, socket()
                                * starts a new one */
    bool new_socket;           /* socket() since the last connection began */
    struct {                   /* connections of sockets the script moved on from */
        uint16_t local_port, remote_port;
    } left[RUN_LEFT_MAX];      /* (packetdrill judges only the socket under test's) */
    unsigned left_count;       /* ever left; the last RUN_LEFT_MAX are kept */
    unsigned passive_conns;    /* connections the script's SYN opened */
    /* The right edge of the window the stack announced last, for the
     * script's wnd_edge (script.h, extension (7)): the ACK plus the window
     * of its last segment with ACK, the window scaled by the shift its SYN
     * offered when the script's SYN offered window scaling too (RFC 7323
     * 2.2; a SYN's own window is never scaled, 2.2). */
    bool edge_known;
    uint32_t live_edge;
    int stack_wscale;          /* the shift the stack's SYN offered, -1: none */
    bool script_wscale;        /* the script's SYN offered window scaling */
    /* The stack's TCP timestamps (packetdrill's mapping): the TS val the
     * script wrote for an outbound packet -> the live one, so an inbound
     * TS ecr that names a script value echoes the live clock instead. */
    bool ts_known;
    uint32_t ts_first_script, ts_first_live;
    unsigned ts_count;
    struct { uint32_t script, live; } ts_map[RUN_TS_MAP];
    /* MPTCP keys by the names the script gives them (ckey, skey): the value
     * a line wrote or the stack's packet carried last (mptcp.c). */
    unsigned mptcp_key_count;
    struct { char name[16]; uint64_t value; } mptcp_keys[RUN_MPTCP_KEYS];
};

/* A packet the stack sent while the script was at another line: the next
 * outbound line takes it (packetdrill's sniffer queue). */
struct held_packet {
    uint8_t *data;
    size_t len;
    int64_t when;
};

/* The first failure only the strict checks find (run_options.strict). */
struct strict_note {
    bool set;
    unsigned line;
    char field[32];
    char message[600];
    char actual[512];
    int64_t when;
};

/* A blocking system call waiting to complete. */
struct pending_call {
    bool active;
    const struct script_event *ev;
    int64_t started;
    size_t done;               /* octets written so far (blocking write) */
    bool connecting;           /* a blocking send whose data went with the SYN waits
                                * for the handshake (Linux's Fast Open connect) */
    bool threaded;             /* the target runs it on a thread (sock_send_start) */
};

struct runner {
    const struct script *s;
    const struct run_options *o;
    const struct target_ops *ops;
    struct target *t;
    struct vector_result *res;
    struct conn_map map;
    /* The addresses on the wire (IPv4 for ipv4 and ipv4-mapped-ipv6, IPv6
     * for ipv6) and the family of the sockets the script opens (packetdrill's
     * --ip_version: AF_INET6 for ipv4-mapped-ipv6 and ipv6). */
    struct synack_addr local, remote;
    struct synack_addr primary; /* --primary_ip (run_addresses) */
    int domain;
    uint16_t mtu;              /* of the target's link (run_addresses_of) */
    uint16_t bind_port, connect_port;
    int64_t tolerance;
    double tolerance_pct;      /* of the time since the previous event (packetdrill's
                                * --tolerance_percent) */
    int64_t last_time;         /* target time of the previous event */
    int64_t epoch;             /* target time of script time 0: on a real clock, moved on
                                * by the time shell lines take (packetdrill runs them
                                * outside the script's time) */
    int fd_map[RUN_MAX_FDS];   /* script fd -> target socket, -1 if none */
    bool fd_nonblock[RUN_MAX_FDS];
    struct pending_call pending;
    const struct script_event *current; /* the event running (for a target's fault) */
    struct synack_pcap *pcap;
    struct oracle *oracle;     /* the RFC oracle watching every packet (runner.c) */
    struct held_packet *held;  /* RUN_HELD_MAX slots, oldest at held_head */
    size_t held_head, held_count;
    struct strict_note strict; /* what only the strict checks found */
    int sut;                   /* the socket under test (packetdrill's): the script fd of
                                * the last socket() or accept(), -1 before any */
    unsigned sut_child_line;   /* a SYN to a listening SUT at this line made a child
                                * that accept() has not returned yet (0: none) */
    bool fd_listening[RUN_MAX_FDS];
    struct py_blocks *py;      /* python blocks so far (python.c) */
    struct run_epoll *epoll[RUN_MAX_FDS]; /* the epoll sets by script fd (epoll.c) */
    uint16_t ip_id;
    char mptcp_why[160];       /* why an inbound MPTCP option was not built ("": it was) */
    bool failed;               /* the result is decided: stop */
    uint8_t buf[RUN_PKT_MAX];
    uint8_t io[RUN_IO_CHUNK]; /* what read() reads into */
};

/* ---- datagrams of either version: <synack/wire.h>, synack_ip_view ---- */
/* The ICMPv6 type and code (RFC 4443) an ICMP line means in an ipv6 run:
 * echo, unreachable (net, host, port, prohibited; protocol becomes a
 * parameter problem, frag_needed packet too big), time exceeded, parameter
 * problem. False for a message IPv6 has none of (source quench, ...). */
bool icmp_type_to_v6(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6);

/* ---- outcome (runner.c) ---- */
/* Fail at ev (may be NULL) with a message; the first failure wins. */
void run_fail(struct runner *r, const struct script_event *ev, const char *field,
              const char *expected, const char *actual, int64_t t_exp, int64_t t_act,
              const char *fmt, ...) __attribute__((format(printf, 8, 9)));
/* Note what only the strict checks find (the first one is kept). */
void run_strict(struct runner *r, const struct script_event *ev, const char *field,
                const char *actual, int64_t when, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The vector cannot run (bad script for this target, environment). */
void run_error(struct runner *r, const struct script_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The vector cannot run on this target, for a named reason: a skip. */
void run_skip(struct runner *r, const struct script_event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After an event that added ladder rows past rows_before: the target's
 * view of the connection on the last of them (sample.c). */
void run_sample_tcp(struct runner *r, size_t rows_before);
/* Every packet of the run, either way: into the capture and the oracle. */
void run_record(struct runner *r, const uint8_t *pkt, size_t len, int64_t when, bool from_stack);
/* The two halves of run_record (fragments: each is captured, the oracle
 * gets the datagram they make). */
void run_capture(struct runner *r, const uint8_t *pkt, size_t len, int64_t when);
void run_oracle(struct runner *r, const uint8_t *pkt, size_t len, int64_t when, bool from_stack);
int64_t run_now(struct runner *r);
/* packetdrill's timing tolerance for an event `span` after what it is
 * timed from (runner.c). */
int64_t run_tolerance(const struct runner *r, int64_t span);
/* Let time pass to `until`, retrying a pending call, failing on any
 * packet the stack sends meanwhile. False once the run has failed. */
bool run_advance(struct runner *r, int64_t until);

/* ---- inbound packets (inbound.c) ---- */
/* Remember that the script's TS val `script` was `live` on the wire. */
void inbound_ts_learn(struct runner *r, uint32_t script, uint32_t live);
/* Build the datagram for an inbound packet line into r->buf. */
int inbound_build(struct runner *r, const struct script_event *ev, size_t *len);
/* The line as it was sent: wnd_edge (extension (7)) resolved to the number
 * the script's side used, relative to its ISN. */
void inbound_describe_sent(const struct runner *r, const struct script_packet *p, char *out,
                           size_t n);
/* Record and inject it (as fragments when the line has ip.frag). */
void inbound_inject(struct runner *r, const struct script_event *ev, size_t len, int64_t now);

/* ---- outbound packets (outbound.c) ---- */
/* Compare one packet the stack sent with the expectation ev; on mismatch
 * call run_fail. Learns the stack's ISN and port from SYNs. */
bool outbound_match(struct runner *r, const struct script_event *ev, const uint8_t *pkt,
                    size_t len, int64_t when);
/* Every packet the stack sends, claimed or not: note the right edge of
 * the window it announced (conn_map.live_edge). */
/* A packet of the connection the script left for a new socket (packetdrill
 * does not judge it). */
bool outbound_of_left_connection(const struct runner *r, const uint8_t *pkt, size_t len);
void outbound_learn_window(struct runner *r, const uint8_t *pkt, size_t len);
/* The packet in script syntax with relative numbers: "> S. 0:0(0) ack 1 win ...". */
void outbound_describe(struct runner *r, const uint8_t *pkt, size_t len, char *out, size_t n);

/* ---- MPTCP's MP_CAPABLE (mptcp.c) ---- */

struct mptcp_mpc {
    uint8_t version, flags;
    unsigned nkeys;
    char name[2][16];
    bool given[2];
    uint64_t value[2];
};
/* A plain mpcapable option's text (no mpcdatalen); false for anything else. */
bool mptcp_mpc_parse(const char *text, struct mptcp_mpc *m);
/* Its octets (kind, length, ...) into out (at most 20); 0 with why when a
 * key named without a value has none yet. */
size_t mptcp_mpc_build(struct runner *r, const struct mptcp_mpc *m, uint8_t *out, char *why,
                       size_t n);
/* The option's data (after kind and length) against the line's; learns the
 * keys named without a value. */
bool mptcp_mpc_match(struct runner *r, const struct mptcp_mpc *m, const uint8_t *data,
                     size_t len, char *why, size_t n);

/* ---- system calls (syscalls.c) ---- */
enum call_outcome { CALL_DONE, CALL_BLOCKED, CALL_FAILED };
/* Run (or retry, when r->pending names ev) a system call event. */
enum call_outcome syscall_run(struct runner *r, const struct script_event *ev);

/* ---- TCP_INFO and python blocks (python.c) ---- */
/* The socket's TCP_INFO as Linux names it: the target's sock_tcpi, else
 * what its sock_info says. 0 or -errno. */
int run_tcpi(struct runner *r, int sd, struct target_tcpi *out);
/* At a python block's time: take the socket under test's TCP_INFO. */
void python_event(struct runner *r, const struct script_event *ev);
/* After the last event, when nothing failed: run every block with python3. */
void python_finish(struct runner *r);
void python_free(struct runner *r);

/* ---- names resolved before a run (resolve.c) ---- */
/* 0, or -1 with err's line, column and message set (file left as it is). */
int run_resolve(const struct script *s, struct script_error *err);
bool run_call_known(const char *name);   /* a system call packetdrill has */
bool run_define_value(const struct script *s, const char *name, const char **value);

/* ---- symbols (symbols.c) ---- */
bool symbol_value(const char *name, int64_t *v);
const char *errno_name(int e);      /* "ECONNREFUSED", or NULL */
bool errno_value(const char *name, int *e);

#endif

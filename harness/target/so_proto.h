/* target/so_proto.h: what the so: target (target/so.c, in the harness)
 * and synack-so-host (target/so_host.c, one process per vector, holding
 * the object under test) say to each other over a SOCK_SEQPACKET socket
 * pair. One request, one reply, in order; the harness bounds each wait,
 * so an object that crashes or hangs costs one vector, not the run.
 *
 * A request is a struct so_req and `len` octets of data; a reply is a
 * struct so_rep and `len` octets. Times are the object's gettimeofday
 * clock in microseconds (or CLOCK_MONOTONIC when it has no clock hooks).
 * Socket results follow libc: ret -1 with err = errno. */
#ifndef SYNACK_HARNESS_SO_PROTO_H
#define SYNACK_HARNESS_SO_PROTO_H

#include <stdint.h>

#define SO_HOST_FD 3            /* the host's end of the socket pair */
#define SO_MSG_MAX (65536 + 64) /* the largest message either way */

enum so_op {
    SO_OP_INIT = 1,   /* data: "PATH\0FLAGS\0"; a: SO_CLOCK_*; reply flags: SO_HAS_* */
    SO_OP_NOW,        /* ret: the object's time */
    SO_OP_WAIT,       /* t: until; ret 1 when a packet waits, 0 at `until` */
    SO_OP_INJECT,     /* data: a datagram for netdev_send */
    SO_OP_RECV,       /* ret 1 and data, when: the oldest datagram the object sent; 0: none */
    SO_OP_SOCKET,     /* a: type flags (SOCK_NONBLOCK is always added) */
    SO_OP_BIND,       /* a: fd; data: struct sockaddr_in */
    SO_OP_LISTEN,     /* a: fd, b: backlog */
    SO_OP_ACCEPT,     /* a: fd */
    SO_OP_CONNECT,    /* a: fd; data: struct sockaddr_in */
    SO_OP_SEND,       /* a: fd, b: flags; data */
    SO_OP_RECVMSG,    /* a: fd, b: length, c: flags; reply data */
    SO_OP_SHUTDOWN,   /* a: fd, b: how */
    SO_OP_CLOSE,      /* a: fd */
    SO_OP_SETSOCKOPT, /* a: fd, b: level, c: name; data: value */
    SO_OP_GETSOCKOPT, /* a: fd, b: level, c: name, d: length; reply data */
    SO_OP_EVENTS,     /* a: fd; ret: poll revents now */
    SO_OP_FREE,       /* the object's free(); the host exits after replying */
};

/* How the host runs the object's clock (SO_OP_INIT's a). */
enum so_clock {
    SO_CLOCK_PROBE = 0, /* find out: the reply says SO_HAS_VIRTUAL or not */
    SO_CLOCK_VIRTUAL,   /* the object's usleep moves its clock: wait through it */
    SO_CLOCK_REAL,      /* real time: a thread sniffs netdev_receive */
};

#define SO_HAS_CLOCK 1u   /* usleep and gettimeofday are set */
#define SO_HAS_VIRTUAL 2u /* usleep moved the clock without real time passing */
#define SO_REP_LIE 4u     /* instead of a result: what the object got wrong (data) */

struct so_req {
    uint32_t op;
    int32_t a, b, c, d;
    int64_t t;
    uint32_t len;
};

struct so_rep {
    int64_t ret;
    int32_t err;
    uint32_t flags;
    int64_t when;
    uint32_t len;
};

#endif

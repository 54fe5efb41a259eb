/* target/target.h: what a vector runs against (DESIGN 5.2). A target is a
 * stack plus a clock: the runner injects packets, collects the packets the
 * stack sends, makes socket calls, and lets time pass. Adding a target
 * (tun, linux, lwIP) is one more table of these functions.
 *
 * Times are microseconds since the target was opened. Socket calls return
 * a value >= 0 or a negative errno; option levels, names and flags are the
 * SYNACK_ ones of <synack/socket.h> (Linux values). Sockets are always
 * non-blocking: the runner emulates blocking calls.
 */
#ifndef SYNACK_HARNESS_TARGET_H
#define SYNACK_HARNESS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <synack/socket.h>
#include <synack/addr.h>

#include "target/tcpi.h"

struct target;

struct target_config {
    struct synack_addr local;  /* the stack under test (its family is the wire's) */
    struct synack_addr remote; /* the script's side */
    struct synack_addr primary; /* --primary_ip: the stack's first address, local
                                 * another (family 0: none; target_ops.multihomed) */
    uint16_t mtu;
    bool offload;        /* TSO and checksum offload on the device (target_ops.offload) */
    uint64_t seed;       /* for targets with an RNG (mem) */
    const void *spec;    /* the target_ops' spec (the runner passes it on) */
    const char *app;     /* the script's @app profile, or NULL (exec target) */
};

/* A message call (sendto, sendmsg, recvmsg) as the kernel takes it, for
 * what sock_send and sock_recv cannot say: an address to connect to (TCP
 * Fast Open's sendto), control messages (Linux's cmsghdr layout), and the
 * msg_flags a receive returns. The data is len zero octets to send, or
 * room for len octets to receive. */
struct target_msg {
    bool name_given;
    bool unspec;        /* send: the name is an AF_UNSPEC sockaddr (sendto(..., AF_UNSPEC, ...)) */
    struct synack_addr addr;
    uint16_t port;
    size_t len;
    uint8_t *control;   /* send: the messages; receive: room for them */
    size_t controllen;  /* receive: set to what arrived */
    int msg_flags;      /* receive: set */
};

/* One event of an epoll set: what is ready and the data it was added with. */
struct target_epoll_event {
    uint32_t events;
    uint64_t data;
};

struct target_ops {
    const char *name;
    bool virtual_time;   /* time only moves when the runner waits */
    bool offload;        /* has a device that can offload TCP segmentation and checksums
                          * as packetdrill's (target_config.offload) */
    bool ipv6;           /* runs scripts over IPv6 (--ip_version ipv6); without it
                          * the runner skips them, naming the target */
    bool multihomed;     /* can give the stack a second address (--primary_ip,
                          * target_config.primary); without it the runner skips
                          * such scripts */
    bool accecn;         /* its stack negotiates AccECN (RFC 9768): the runner builds and
                          * matches the AE flag, ACE values and the AccECN option;
                          * without it a script with them is skipped, naming the target */
    /* What a target made from an argument runs (so:PATH, exec:COMMAND):
     * given to open() as cfg->spec. NULL for the fixed targets. */
    const void *spec;
    int (*open)(struct target **t, const struct target_config *cfg, char *err, size_t errlen);
    void (*close)(struct target *t);
    int64_t (*now)(struct target *t);
    /* Let time pass until `until`, returning as soon as the stack has sent
     * a packet; true if one is waiting. */
    bool (*wait)(struct target *t, int64_t until);
    int (*inject)(struct target *t, const uint8_t *pkt, size_t len);
    /* Take the oldest packet the stack sent (copied to buf) and when. */
    bool (*recv)(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when);

    /* domain: SYNACK_AF_INET or SYNACK_AF_INET6; a target without IPv6
     * returns -EAFNOSUPPORT for the latter. Addresses are of the socket's
     * family (an AF_INET6 socket reaches IPv4 through ::ffff:a.b.c.d). */
    int (*sock_socket)(struct target *t, int domain);
    /* Optional: an MPTCP socket (Linux's IPPROTO_MPTCP, RFC 8684); without
     * it the runner skips a script that asks for one, naming it. */
    int (*sock_socket_mptcp)(struct target *t, int domain);
    int (*sock_bind)(struct target *t, int sd, const struct synack_addr *addr, uint16_t port);
    int (*sock_listen)(struct target *t, int sd, int backlog);
    int (*sock_accept)(struct target *t, int sd);
    int (*sock_connect)(struct target *t, int sd, const struct synack_addr *addr, uint16_t port);
    ssize_t (*sock_send)(struct target *t, int sd, const void *buf, size_t len, int flags);
    ssize_t (*sock_recv)(struct target *t, int sd, void *buf, size_t len, int flags);
    int (*sock_shutdown)(struct target *t, int sd, int how);
    int (*sock_close)(struct target *t, int sd);
    int (*sock_setsockopt)(struct target *t, int sd, int level, int name, const void *val,
                           size_t len);
    int (*sock_getsockopt)(struct target *t, int sd, int level, int name, void *val,
                           size_t *len);
    int (*sock_events)(struct target *t, int sd); /* SYNACK_POLL* */
    int (*sock_info)(struct target *t, int sd, struct synack_tcp_info *info);

    /* Optional. Why the target can no longer run this vector (the stack
     * under test crashed, hung, or broke the interface's rules), or NULL.
     * Once it says so, every call fails and the runner reports it as the
     * vector's error, at the event that was running. */
    const char *(*fault)(struct target *t);

    /* Optional. Run one of the script's shell lines (a backquoted command)
     * as this target can: cwd is the script's folder. TARGET_SHELL_DONE;
     * TARGET_SHELL_SKIP when the target has no way to run it (why: the
     * reason); TARGET_SHELL_FAILED when it ran and failed (why: the exit
     * status and the first words of its output). Without this op, every
     * shell line skips the vector. */
    int (*shell)(struct target *t, const char *cmd, const char *cwd, char *why, size_t n);
    /* Optional. The socket's TCP_INFO as Linux names its fields
     * (target/tcpi.h): every field the target knows. Without it the runner
     * takes what sock_info says (tcpi_from_status). 0 or -errno. */
    int (*sock_tcpi)(struct target *t, int sd, struct target_tcpi *out);
    /* Optional. Message calls with the kernel's semantics (Linux flag and
     * option values); without them the runner maps what it can onto
     * sock_send and sock_recv and skips the rest, naming it. Octets, or
     * -errno. */
    ssize_t (*sock_sendmsg)(struct target *t, int sd, const struct target_msg *m, int flags);
    ssize_t (*sock_recvmsg)(struct target *t, int sd, struct target_msg *m, int flags);
    /* Optional. A send that blocks in the kernel, as packetdrill's thread
     * makes it: sock_send_start runs sendmsg (m without control messages)
     * on a thread of its own with the socket blocking, at most one at a
     * time (0, or -errno if it cannot start); sock_send_done is true, with
     * the call's result (octets or -errno), once it has returned. */
    int (*sock_send_start)(struct target *t, int sd, const struct target_msg *m, int flags);
    bool (*sock_send_done)(struct target *t, ssize_t *rc);
    /* Optional. ioctl(sd, request, &int) (SIOCINQ, SIOCOUTQ, ...): 0 with
     * *val set, or -errno. */
    int (*sock_ioctl)(struct target *t, int sd, unsigned long request, int *val);
    /* Optional. epoll as the kernel keeps it (edge-triggered too); without
     * them the runner emulates level-triggered epoll over sock_events. A
     * set is a handle like a socket's (sock_close closes it). epoll_wait
     * never waits: the ready events now, at most max; -errno on error. */
    int (*epoll_create)(struct target *t);
    int (*epoll_ctl)(struct target *t, int ep, int op, int sd, uint32_t events, uint64_t data);
    int (*epoll_wait)(struct target *t, int ep, struct target_epoll_event *ev, int max);
    /* Optional. pipe() and splice() as the kernel does them: a pipe's ends
     * are handles like sockets' (sock_send and sock_recv write and read
     * them, sock_close closes them); splice moves up to len octets without
     * waiting. 0 / octets, or -errno. */
    int (*pipe)(struct target *t, int ends[2]);
    ssize_t (*splice)(struct target *t, int in, int out, size_t len, unsigned flags);
    /* Optional. The shortest RTO the stack under test keeps, in us, when
     * it is not RFC 6298 2.4's 1 s: the runner's RFC oracle judges the
     * stack's retransmission timers from it, so that one deviation of 2.4
     * (judged by the vectors that test it) does not fail every vector
     * whose stack retransmits. Without it, or 0: RFC 6298's. */
    uint64_t (*rto_min_us)(struct target *t);
    /* A target made from an argument frees itself (target_release). */
    void (*release)(const struct target_ops *self);
};

enum { TARGET_SHELL_DONE = 0, TARGET_SHELL_SKIP = 1, TARGET_SHELL_FAILED = -1 };

/* The target called name ("mem", ...), or NULL. */
const struct target_ops *target_find(const char *name);
/* Names of every target, NULL-terminated, for messages; then the forms
 * that take an argument (target_forms: "so:PATH", "exec:'COMMAND'"). */
extern const char *const target_names[];
extern const char *const target_forms[];

/* The target a --target argument names: a fixed one (target_find), "lwip",
 * "so:PATH" (an object of packetdrill's SO interface, target/so.c) or
 * "exec:COMMAND" (a stack that is a program, target/exec.c; it has no
 * sock_* calls). flags is --so-flags (so: and lwip only; NULL for none).
 * NULL with the reason in err. Release what it returns with target_release. */
const struct target_ops *target_resolve(const char *arg, const char *flags, char *err,
                                        size_t errlen);
void target_release(const struct target_ops *ops);

#endif

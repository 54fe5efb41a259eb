/* run/call.h: one system call line being run, and the helpers the files of
 * run/ that implement calls share (syscalls.c: sockets and options;
 * syscalls_msg.c: message calls, vectors, ioctl; epoll.c: epoll). */
#ifndef SYNACK_HARNESS_CALL_H
#define SYNACK_HARNESS_CALL_H

#include "run/run_internal.h"

struct call {
    struct runner *r;
    const struct script_event *ev;
    const struct script_syscall *sc;
    bool retry;       /* this is a retry of the pending call */
    long ret;         /* the result, as the script sees it */
    int err;          /* errno when ret == -1 */
    bool blocked;
    bool bad;         /* the line cannot be run (run_error or run_skip called) */
    /* Checked once the result and errno matched (recvmsg's msg_flags and
     * control messages, as packetdrill orders them); its state in ctx. */
    void (*after)(struct call *c);
    void *ctx;
};

/* An error about argument e (may be NULL): the line cannot run. False. */
bool call_bad_arg(struct call *c, const struct script_expr *e, const char *what);
/* An integer: a number, a symbol, a | of them, [x], htons(x). */
bool call_eval_int(struct call *c, const struct script_expr *e, int64_t *v);
bool call_arg_int(struct call *c, size_t i, int64_t *v);
/* An optional integer argument: `...` or missing keeps *v. */
bool call_arg_int_or(struct call *c, size_t i, int64_t *v);
/* A sockaddr_in: `...` keeps the defaults in *addr, *port. */
bool call_eval_sockaddr(struct call *c, const struct script_expr *e, struct synack_addr *addr,
                        uint16_t *port);
/* An address of the wire as the run's sockets name it (an AF_INET6 socket
 * takes IPv4 ones as ::ffff:a.b.c.d). */
struct synack_addr call_socket_addr(const struct runner *r, struct synack_addr a);
/* The target socket of a script fd argument (-1 for none: EBADF). */
bool call_arg_fd(struct call *c, size_t i, int *sd, int64_t *fd);
/* The script has not made fd non-blocking: a call that would block waits. */
bool call_blocking(struct call *c, int64_t fd);
/* A blocking send that connected (Fast Open) waits for the handshake: true
 * when it now waits (c->blocked). */
bool call_await_connect(struct call *c, int sd, int64_t fd, size_t done, int flags);
/* A blocking send that connects, run by the target on a thread of its own
 * (target_ops.sock_send_start): true when it took the call. */
bool call_send_threaded(struct call *c, int sd, int64_t fd, const struct target_msg *m, int flags);
/* Record a target result: >= 0, or -errno. */
void call_result(struct call *c, long rc);
/* The script fd a new socket gets: the expected result, else the lowest free. */
void call_map_new_fd(struct call *c, int sd);
/* Argument i is NULL (or 0): a buffer the kernel faults on. */
bool call_null_buffer(const struct call *c, size_t i);
/* Send len zero octets, or receive up to len octets, with flags (written
 * as argument flags_arg), emulating a blocking call; a flag the target
 * does not support skips the vector, naming it. */
void call_send_bytes(struct call *c, int sd, int64_t fd, size_t len, int flags,
                     size_t flags_arg);
void call_recv_bytes(struct call *c, int sd, int64_t fd, size_t len, int flags,
                     size_t flags_arg);
/* rc is the target's "not supported" (EOPNOTSUPP for flags, ENOPROTOOPT
 * for options) and the script expects another outcome: skip the vector,
 * naming what (argument what_arg, as written). True when skipped. */
bool call_unsupported(struct call *c, long rc, int errno_unsupported, const char *what);

/* The calls of syscalls_msg.c and epoll.c. */
void sys_sendto(struct call *c);
void sys_sendmsg(struct call *c);
void sys_recvmsg(struct call *c);
void sys_writev(struct call *c);
void sys_readv(struct call *c);
void sys_ioctl(struct call *c);
void sys_pipe(struct call *c);
void sys_splice(struct call *c);
void sys_epoll_create(struct call *c);
void sys_epoll_ctl(struct call *c);
void sys_epoll_wait(struct call *c);
/* close() of an epoll fd: true when fd was one (and is now closed). */
bool epoll_close(struct runner *r, int64_t fd);
void epoll_free_all(struct runner *r);

#endif

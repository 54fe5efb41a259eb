/* target/synack_host.h: the socket calls of the targets that run synack
 * itself (mem and tun). Such a target's struct target begins with a
 * struct synack_host: its stack and where the stack's `now` comes from
 * (the virtual clock for mem, the real clock for tun). SYNACK_HOST_SOCKET_OPS
 * fills the sock_* members of its target_ops. */
#ifndef SYNACK_HARNESS_TARGET_SYNACK_HOST_H
#define SYNACK_HARNESS_TARGET_SYNACK_HOST_H

#include <synack/socket.h>
#include <synack/stack.h>

#include "target/target.h"

struct synack_host {
    struct synack_stack *stack;
    /* The time to pass to the stack's entry points, in its microseconds. */
    uint64_t (*now)(const struct target *t);
    struct synack_link link; /* the stack's link, kept to make it again */
    unsigned sockets;        /* sockets made so far */
};

/* The stack's configuration for a run: the defaults, the run's MTU and
 * seed, and its local address; an IPv6 run's stack is dual-stack, its IPv4
 * address 192.0.2.1 (a TEST-NET-1 address no script of that run names). */
void synack_host_config(struct synack_config *c, const struct target_config *cfg);
/* Make the host's stack: 0, or -1 with the reason in err. */
int synack_host_start(struct target *t, const struct synack_config *c,
                      const struct synack_link *link, char *err, size_t n);
/* A shell line (target_ops.shell): the sysctl settings synack has
 * (target/sysctl.h), applied by making the stack again with them, which
 * is only done while it has neither a socket nor a packet yet. */
int synack_host_shell(struct target *t, const char *cmd, const char *cwd, char *why, size_t n);

int synack_host_socket(struct target *t, int domain);
int synack_host_bind(struct target *t, int sd, const struct synack_addr *addr, uint16_t port);
int synack_host_listen(struct target *t, int sd, int backlog);
int synack_host_accept(struct target *t, int sd);
int synack_host_connect(struct target *t, int sd, const struct synack_addr *addr, uint16_t port);
ssize_t synack_host_send(struct target *t, int sd, const void *buf, size_t len, int flags);
ssize_t synack_host_recv(struct target *t, int sd, void *buf, size_t len, int flags);
int synack_host_shutdown(struct target *t, int sd, int how);
int synack_host_close(struct target *t, int sd);
int synack_host_setsockopt(struct target *t, int sd, int level, int name, const void *val,
                           size_t len);
int synack_host_getsockopt(struct target *t, int sd, int level, int name, void *val,
                           size_t *len);
int synack_host_events(struct target *t, int sd);
int synack_host_info(struct target *t, int sd, struct synack_tcp_info *info);
int synack_host_ioctl(struct target *t, int sd, unsigned long request, int *val);

#define SYNACK_HOST_SOCKET_OPS                                                    \
    .sock_socket = synack_host_socket, .sock_bind = synack_host_bind,             \
    .sock_listen = synack_host_listen, .sock_accept = synack_host_accept,         \
    .sock_connect = synack_host_connect, .sock_send = synack_host_send,           \
    .sock_recv = synack_host_recv, .sock_shutdown = synack_host_shutdown,         \
    .sock_close = synack_host_close, .sock_setsockopt = synack_host_setsockopt,   \
    .sock_getsockopt = synack_host_getsockopt, .sock_events = synack_host_events, \
    .sock_info = synack_host_info, .shell = synack_host_shell,      \
    .sock_ioctl = synack_host_ioctl

#endif

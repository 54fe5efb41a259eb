/* target/synack_host.c: the BSD-like calls of a target running synack,
 * passed to its socket API with the target's notion of now. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target/synack_host.h"
#include "target/sysctl.h"

/* A struct target of these targets starts with its struct synack_host (C11
 * 6.7.2.1: a pointer to a structure, converted, points to its first member). */
static const struct synack_host *host(const struct target *t)
{
    return (const struct synack_host *)t;
}
static struct synack_host *host_rw(struct target *t) { return (struct synack_host *)t; }
static struct synack_stack *stk(const struct target *t) { return host(t)->stack; }
static uint64_t now(const struct target *t) { return host(t)->now(t); }

void synack_host_config(struct synack_config *c, const struct target_config *cfg)
{
    synack_config_default(c);
    c->mtu = cfg->mtu;
    c->rng_seed = cfg->seed;
    /* --primary_ip: the stack's first address; the script's is another */
    const struct synack_addr *first = cfg->primary.family ? &cfg->primary : &cfg->local;
    if (cfg->local.family == SYNACK_AF_INET6) {
        memcpy(c->addr6, first->a, 16);
        c->addr = 0xc0000201u; /* 192.0.2.1 */
    } else {
        c->addr = synack_addr_v4(first);
    }
    if (cfg->primary.family)
        c->more_addrs[0] = (struct synack_ifaddr){
            cfg->local, cfg->local.family == SYNACK_AF_INET6 ? 64 : 24};
}

int synack_host_start(struct target *t, const struct synack_config *c,
                      const struct synack_link *link, char *err, size_t n)
{
    struct synack_host *h = host_rw(t);
    int e = 0;
    struct synack_stack *s = synack_stack_new(c, link, &e);
    if (!s) {
        const char *why = e == -EINVAL ? synack_config_check(c) : NULL;
        snprintf(err, n, "cannot create the stack: %s", why ? why : strerror(-e));
        return -1;
    }
    synack_stack_free(h->stack);
    h->stack = s;
    h->link = *link;
    return 0;
}

int synack_host_shell(struct target *t, const char *cmd, const char *cwd, char *why, size_t n)
{
    (void)cwd;
    struct synack_host *h = host_rw(t);
    struct synack_config c = *synack_stack_config(h->stack);
    char reason[300];
    if (sysctl_apply(&c, cmd, reason, sizeof reason) != SYSCTL_APPLIED) {
        snprintf(why, n, "%s", reason);
        return TARGET_SHELL_SKIP;
    }
    const struct synack_counters *k = synack_stack_counters(h->stack);
    if (h->sockets || k->ip_in || k->ip_out) {
        snprintf(why, n, "sysctl settings after the first socket or packet (the stack takes "
                 "its configuration when it starts)");
        return TARGET_SHELL_SKIP;
    }
    struct synack_link link = h->link;
    if (synack_host_start(t, &c, &link, reason, sizeof reason) < 0) {
        snprintf(why, n, "%s", reason);
        return TARGET_SHELL_SKIP;
    }
    return TARGET_SHELL_DONE;
}

/* Sockets of either family: the stack takes and gives synack_addr values
 * of the socket's family (an AF_INET6 socket reaches IPv4 through
 * ::ffff:a.b.c.d, as the script's ipv4-mapped-ipv6 pass writes them). */
int synack_host_socket(struct target *t, int domain)
{
    int sd = synack_socket_family(stk(t), domain);
    if (sd >= 0)
        host_rw(t)->sockets++;
    return sd;
}
int synack_host_bind(struct target *t, int sd, const struct synack_addr *addr, uint16_t port)
{
    return synack_socket_bind_addr(stk(t), sd, addr, port);
}
int synack_host_listen(struct target *t, int sd, int backlog)
{
    return synack_socket_listen(stk(t), sd, backlog);
}
int synack_host_accept(struct target *t, int sd)
{
    return synack_socket_accept(stk(t), sd, NULL, NULL);
}
int synack_host_connect(struct target *t, int sd, const struct synack_addr *addr, uint16_t port)
{
    return synack_socket_connect_addr(stk(t), sd, addr, port, now(t));
}
ssize_t synack_host_send(struct target *t, int sd, const void *buf, size_t len, int flags)
{
    return synack_socket_send(stk(t), sd, buf, len, flags, now(t));
}
ssize_t synack_host_recv(struct target *t, int sd, void *buf, size_t len, int flags)
{
    return synack_socket_recv(stk(t), sd, buf, len, flags, now(t));
}
int synack_host_shutdown(struct target *t, int sd, int how)
{
    return synack_socket_shutdown(stk(t), sd, how, now(t));
}
int synack_host_close(struct target *t, int sd) { return synack_socket_close(stk(t), sd, now(t)); }
int synack_host_setsockopt(struct target *t, int sd, int level, int name, const void *val,
                           size_t len)
{
    return synack_socket_setsockopt(stk(t), sd, level, name, val, len, now(t));
}
int synack_host_getsockopt(struct target *t, int sd, int level, int name, void *val,
                           size_t *len)
{
    return synack_socket_getsockopt(stk(t), sd, level, name, val, len);
}
int synack_host_events(struct target *t, int sd) { return synack_socket_events(stk(t), sd); }
int synack_host_info(struct target *t, int sd, struct synack_tcp_info *info)
{
    return synack_socket_status(stk(t), sd, info);
}

/* ioctl: SIOCINQ (FIONREAD) and SIOCOUTQ, as Linux's tcp_ioctl answers
 * them from STATUS; anything else is -ENOTTY (the runner names it). */
#define SIOCINQ_LINUX 0x541b
#define SIOCOUTQ_LINUX 0x5411

int synack_host_ioctl(struct target *t, int sd, unsigned long request, int *val)
{
    if (request != SIOCINQ_LINUX && request != SIOCOUTQ_LINUX)
        return -ENOTTY;
    struct synack_tcp_info i;
    int rc = synack_socket_status(stk(t), sd, &i);
    if (rc < 0)
        return rc;
    if (i.state == SYNACK_LISTEN)
        return -EINVAL;
    if (i.state == SYNACK_SYN_SENT || i.state == SYNACK_SYN_RECEIVED) {
        *val = 0;
        return 0;
    }
    if (request == SIOCINQ_LINUX) {
        *val = (int)i.rcvbuf_used; /* in order, not yet read */
        return 0;
    }
    /* Linux counts write_seq - snd_una: the queued FIN until it is acked */
    bool fin = i.state == SYNACK_FIN_WAIT_1 || i.state == SYNACK_CLOSING ||
               i.state == SYNACK_LAST_ACK;
    *val = (int)i.sndbuf_used + (fin ? 1 : 0);
    return 0;
}

/* Two stacks over a memory link in virtual time (see pair.h). */
#include <errno.h>
#include <string.h>

#include "support/pair.h"

int pair_init(struct pair *p, const struct synack_config *cfg, const struct synack_memlink_config *lc)
{
    memset(p, 0, sizeof *p);
    struct synack_memlink_config dl = {.seed = 7};
    p->link = synack_memlink_new(lc ? lc : &dl);
    if (!p->link)
        return -ENOMEM;
    for (int i = 0; i < 2; i++) {
        struct synack_config c;
        if (cfg)
            c = *cfg;
        else
            synack_config_default(&c);
        c.addr = i ? PAIR_ADDR1 : PAIR_ADDR0;
        if (c.addr6[0])
            c.addr6[15] = (uint8_t)(c.addr6[15] + i); /* dual-stack: ...::1 and ...::2 */
        c.rng_seed = (cfg ? cfg->rng_seed : 1) + (uint64_t)i * 1000;
        struct synack_link l = synack_memlink_end(p->link, i);
        int err = 0;
        p->st[i] = synack_stack_new(&c, &l, &err);
        if (!p->st[i])
            return err;
    }
    p->now = 1000000; /* start at 1 s: time 0 is not special, but readable */
    return 0;
}

void pair_free(struct pair *p)
{
    for (int i = 0; i < 2; i++)
        synack_stack_free(p->st[i]);
    synack_memlink_free(p->link);
    memset(p, 0, sizeof *p);
}

bool pair_step(struct pair *p, uint64_t limit)
{
    uint64_t t = synack_memlink_deadline(p->link);
    for (int i = 0; i < 2; i++) {
        uint64_t d = synack_stack_deadline(p->st[i]);
        if (d < t)
            t = d;
    }
    if (t == SYNACK_TIME_NEVER || t > limit)
        return false;
    if (t > p->now)
        p->now = t;
    synack_memlink_pump(p->link, p->now, p->st);
    for (int i = 0; i < 2; i++)
        synack_stack_poll(p->st[i], p->now);
    return true;
}

bool pair_run_until(struct pair *p, bool (*cond)(struct pair *p, void *ctx), void *ctx,
                    uint64_t limit)
{
    while (!cond(p, ctx)) {
        if (!pair_step(p, limit))
            return cond(p, ctx);
    }
    return true;
}

struct accept_ctx {
    int lsd, srv, cli;
};

static bool accepted(struct pair *p, void *ctx)
{
    struct accept_ctx *a = ctx;
    if (a->srv < 0)
        a->srv = synack_socket_accept(p->st[0], a->lsd, NULL, NULL);
    if (a->srv == -EAGAIN)
        a->srv = -1;
    return a->srv >= 0 && (synack_socket_events(p->st[1], a->cli) & SYNACK_POLLOUT);
}

static int connect_family(struct pair *p, uint16_t port, int *srv, int *cli, uint16_t family)
{
    struct synack_addr any = synack_addr_any(family), to = synack_addr_from_v4(PAIR_ADDR0);
    if (family == SYNACK_AF_INET6)
        to = synack_addr_from_v6(synack_stack_config(p->st[0])->addr6);
    int lsd = synack_socket_family(p->st[0], family);
    if (lsd < 0 || synack_socket_bind_addr(p->st[0], lsd, &any, port) < 0 ||
        synack_socket_listen(p->st[0], lsd, 16) < 0)
        return -1;
    struct accept_ctx a = {lsd, -1, synack_socket_family(p->st[1], family)};
    if (a.cli < 0 || synack_socket_connect_addr(p->st[1], a.cli, &to, port, p->now) != -EINPROGRESS)
        return -1;
    if (!pair_run_until(p, accepted, &a, p->now + 60 * SYNACK_SEC))
        return -1;
    *srv = a.srv;
    *cli = a.cli;
    return lsd;
}

int pair_connect(struct pair *p, uint16_t port, int *srv, int *cli)
{
    return connect_family(p, port, srv, cli, SYNACK_AF_INET);
}

int pair_connect6(struct pair *p, uint16_t port, int *srv, int *cli)
{
    return connect_family(p, port, srv, cli, SYNACK_AF_INET6);
}

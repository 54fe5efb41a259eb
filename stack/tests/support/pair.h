/* Test support: two stacks joined by a memory link, driven in virtual
 * time. Stack 0 is 192.0.2.1, stack 1 is 192.0.2.2; with cfg->addr6 set
 * both are dual-stack, stack 1 at addr6 + 1 (2001:db8::1 and ::2). */
#ifndef SYNACK_TEST_PAIR_H
#define SYNACK_TEST_PAIR_H

#include <stdbool.h>
#include <synack/synack.h>

#define PAIR_ADDR0 0xc0000201u /* 192.0.2.1 */
#define PAIR_ADDR1 0xc0000202u /* 192.0.2.2 */

struct pair {
    struct synack_memlink *link;
    struct synack_stack *st[2];
    uint64_t now;
};

/* cfg may be NULL (defaults); lc may be NULL (a perfect link). */
int pair_init(struct pair *p, const struct synack_config *cfg, const struct synack_memlink_config *lc);
void pair_free(struct pair *p);
/* Jump to the next event at or before limit and process it; false if none. */
bool pair_step(struct pair *p, uint64_t limit);
/* Step until cond(p, ctx) holds (true) or limit passes (false). */
bool pair_run_until(struct pair *p, bool (*cond)(struct pair *p, void *ctx), void *ctx,
                    uint64_t limit);
/* A connected socket pair: a listener on stack 0 port, a client on stack 1.
 * Returns 0 and the accepted socket (on 0) and the client (on 1). */
int pair_connect(struct pair *p, uint16_t port, int *srv, int *cli);
/* The same over IPv6 (both stacks dual-stack: cfg->addr6 set). */
int pair_connect6(struct pair *p, uint16_t port, int *srv, int *cli);

#endif

/* Initial sequence numbers (RFC 9293 3.4.1, from RFC 6528) and ephemeral
 * ports (RFC 6056 algorithm 3), both keyed by per-stack secrets drawn
 * from the stack's RNG when it is created. */
#include <errno.h>

#include "tcp/tcp_internal.h"

/* ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M
 * the 4 microsecond clock (MUST-8) and F SipHash-2-4 under a secret key
 * that never leaves the stack (MUST-9, SHLD-1). */
size_t tcp_addr_words(const struct synack_addr *x, const struct synack_addr *y, uint32_t k[8])
{
    if (x->family != SYNACK_AF_INET6 && y->family != SYNACK_AF_INET6) {
        k[0] = synack_addr_v4(x);
        k[1] = synack_addr_v4(y);
        return 2;
    }
    for (unsigned i = 0; i < 4; i++) {
        k[i] = synack_get32(x->a + 4 * i);
        k[4 + i] = synack_get32(y->a + 4 * i);
    }
    return 8;
}

uint32_t tcp_isn(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint64_t now)
{
    uint32_t k[9];
    size_t n = tcp_addr_words(&tu->laddr, &tu->raddr, k);
    k[n++] = (uint32_t)tu->lport << 16 | tu->rport;
    uint32_t f = (uint32_t)siphash24(&t->isn_key, k, n * sizeof *k);
    uint32_t m = (uint32_t)(now / 4);
    return m + f;
}

int tcp_ephemeral_port(struct tcp_ctx *t, const struct synack_addr *laddr,
                       const struct synack_addr *raddr, uint16_t rport,
                       bool (*taken)(void *ctx, uint16_t port), void *ctx)
{
    uint32_t lo = t->cfg->ephemeral_lo, hi = t->cfg->ephemeral_hi;
    uint32_t num = hi - lo + 1;
    uint32_t k[9];
    size_t n = tcp_addr_words(laddr, raddr, k);
    k[n++] = rport;
    uint32_t offset = (uint32_t)siphash24(&t->port_key, k, n * sizeof *k);
    for (uint32_t count = num; count > 0; count--) {
        uint16_t port = (uint16_t)(lo + (t->port_next + offset) % num);
        t->port_next++;
        struct tcp_tuple tu = {*laddr, *raddr, port, rport};
        if (tcp_tuple_state(t, &tu) != SYNACK_CLOSED)
            continue;
        if (taken && taken(ctx, port))
            continue;
        return port;
    }
    return -EADDRNOTAVAIL;
}

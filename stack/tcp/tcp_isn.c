/* Initial sequence numbers (RFC 9293 3.4.1, from RFC 6528) and ephemeral
 * ports (RFC 6056 algorithm 3), both keyed by per-stack secrets drawn
 * from the stack's RNG when it is created. */
#include <errno.h>

#include "tcp/tcp_internal.h"

/* ISN = M + F(localip, localport, remoteip, remoteport, secretkey), with M
 * the 4 microsecond clock (MUST-8) and F SipHash-2-4 under a secret key
 * that never leaves the stack (MUST-9, SHLD-1). */
uint32_t tcp_isn(const struct tcp_ctx *t, uint32_t laddr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, uint64_t now)
{
    uint32_t k[3] = {laddr, raddr, (uint32_t)lport << 16 | rport};
    uint32_t f = (uint32_t)siphash24(&t->isn_key, k, sizeof k);
    uint32_t m = (uint32_t)(now / 4);
    return m + f;
}

int tcp_ephemeral_port(struct tcp_ctx *t, uint32_t laddr, uint32_t raddr, uint16_t rport,
                       bool (*taken)(void *ctx, uint16_t port), void *ctx)
{
    uint32_t lo = t->cfg->ephemeral_lo, hi = t->cfg->ephemeral_hi;
    uint32_t num = hi - lo + 1;
    uint32_t k[3] = {laddr, raddr, rport};
    uint32_t offset = (uint32_t)siphash24(&t->port_key, k, sizeof k);
    for (uint32_t count = num; count > 0; count--) {
        uint16_t port = (uint16_t)(lo + (t->port_next + offset) % num);
        t->port_next++;
        struct tcp_tuple tu = {laddr, raddr, port, rport};
        if (tcp_tuple_state(t, &tu) != SYNACK_CLOSED)
            continue;
        if (taken && taken(ctx, port))
            continue;
        return port;
    }
    return -EADDRNOTAVAIL;
}

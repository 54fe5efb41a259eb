/* SYN cookies (RFC 4987 3.6): a SYN-ACK whose ISS encodes what the
 * connection needs, so the listener keeps no state for it. Keyed with the
 * stack's ISN secret (RFC 6528's F(), tcp_isn.c), domain-separated.
 *
 *   ISS = t mod 32 (5 bits) | MSS index (3 bits) | MAC (24 bits)
 *
 * t counts 64 s periods; MAC = SipHash(secret; 4-tuple, the peer's ISN, t,
 * the MSS index). A cookie is good for two periods after the one that made
 * it (64-192 s). Including the peer's ISN means a cookie cannot be replayed
 * from another sequence space; including the MSS index, that an ACK cannot
 * pick another MSS, nor complete a connection at an ISS never sent.
 *
 * What the ISS cannot carry, the peer's window scale and SACK-permitted,
 * rides as Linux's does in the low 6 bits of the cookie SYN-ACK's TSval
 * (the peer's shift in 4 bits, 15 for none; SACK-permitted; ECN, RFC
 * 3168) and comes back in the TSecr of the completing ACK. Without
 * timestamps a cookie SYN-ACK offers neither, and the connection runs
 * without both (RFC 7323 2.2, RFC 2018 2: on only when both sides offered
 * them). */
#include "tcp/tcp_internal.h"

#define COOKIE_PERIOD (64 * SYNACK_SEC)
#define COOKIE_MAX_AGE 2
#define COOKIE_T_SHIFT 27
#define COOKIE_MSS_SHIFT 24
#define COOKIE_MAC_MASK 0xffffffu

/* The MSS values a cookie can carry; the peer's is rounded down to one
 * (an MSS below 64 gets no cookie). */
static const uint16_t cookie_mss[8] = {64, 536, 1200, 1360, 1400, 1440, 1452, 1460};

static uint32_t cookie_mac(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint32_t irs,
                           uint32_t period, uint32_t mss_index)
{
    uint32_t k[13] = {0x636f6f6bu /* "cook" */};
    size_t n = 1 + tcp_addr_words(&tu->laddr, &tu->raddr, k + 1);
    k[n++] = (uint32_t)tu->lport << 16 | tu->rport;
    k[n++] = irs;
    k[n++] = period;
    k[n++] = mss_index;
    return (uint32_t)siphash24(&t->isn_key, k, n * sizeof *k) & COOKIE_MAC_MASK;
}

bool tcp_syncookie_make(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint32_t irs,
                        uint16_t peer_mss, uint64_t now, uint32_t *cookie)
{
    if (peer_mss < cookie_mss[0])
        return false;
    unsigned i = 7;
    while (cookie_mss[i] > peer_mss)
        i--;
    uint32_t period = (uint32_t)(now / COOKIE_PERIOD);
    *cookie = (period & 31u) << COOKIE_T_SHIFT | (uint32_t)i << COOKIE_MSS_SHIFT |
              cookie_mac(t, tu, irs, period, i);
    return true;
}

bool tcp_syncookie_check(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint32_t irs,
                         uint32_t cookie, uint64_t now, uint16_t *mss)
{
    uint32_t period = (uint32_t)(now / COOKIE_PERIOD);
    uint32_t age = (period - (cookie >> COOKIE_T_SHIFT)) & 31u;
    if (age > COOKIE_MAX_AGE || age > period)
        return false; /* stale, or from the future */
    uint32_t index = (cookie >> COOKIE_MSS_SHIFT) & 7u;
    if ((cookie & COOKIE_MAC_MASK) != cookie_mac(t, tu, irs, period - age, index))
        return false;
    *mss = cookie_mss[index];
    return true;
}

#define COOKIE_TS_MASK 0x3fu
#define COOKIE_TS_WS_NONE 0xfu
#define COOKIE_TS_SACK 0x10u
#define COOKIE_TS_ECN 0x20u

bool tcp_syncookie_opts(const struct tcp_syn_opts *peer, bool ecn, struct synack_tcp_opts *o)
{
    if (!(o->present & TCPOPT_F_TS)) {
        o->present &= ~(TCPOPT_F_WSCALE | TCPOPT_F_SACK_PERM);
        return false;
    }
    uint32_t bits = COOKIE_TS_WS_NONE;
    if (o->present & TCPOPT_F_WSCALE)
        bits = peer->wscale < 14 ? peer->wscale : 14;
    if (o->present & TCPOPT_F_SACK_PERM)
        bits |= COOKIE_TS_SACK;
    if (ecn)
        bits |= COOKIE_TS_ECN;
    uint32_t tsval = (o->ts_val & ~COOKIE_TS_MASK) | bits;
    if (seq_gt(tsval, o->ts_val))
        tsval -= COOKIE_TS_MASK + 1; /* never ahead of our clock */
    o->ts_val = tsval;
    return true;
}

/* A cookie lives 64-192 s, and its TSval may be 63 ticks behind the clock. */
#define COOKIE_TS_SPAN (256u * 1000u)

void tcp_syncookie_ack_opts(const struct tcp_ctx *t, const struct tcp_tuple *tu,
                            const struct tcp_seg *seg, struct tcp_syn_opts *o, uint64_t now)
{
    if (!(seg->opts->present & TCPOPT_F_TS))
        return;
    /* Our SYN-ACK carried a TSval only if the SYN offered timestamps: a
     * TSecr that is no recent value of this tuple's clock echoes none of
     * ours, and the connection runs without them (RFC 7323 3.2) */
    uint32_t clock = tcp_ts_clock_at(tcp_ts_offset(t, tu), now);
    if (seq_gt(seg->opts->ts_ecr, clock) || clock - seg->opts->ts_ecr > COOKIE_TS_SPAN)
        return;
    uint32_t bits = seg->opts->ts_ecr & COOKIE_TS_MASK;
    if ((bits & 0xfu) != COOKIE_TS_WS_NONE)
        o->wscale = (uint8_t)(bits & 0xfu);
    o->sack_ok = (bits & COOKIE_TS_SACK) != 0;
    o->ecn = (bits & COOKIE_TS_ECN) != 0;
    o->ts_ok = true;
    o->ts_val = seg->opts->ts_val;
}

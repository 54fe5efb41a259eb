/* A stack's configuration: its defaults and its bounds. Every knob is
 * checked here once, so the code that uses it can add, double and shift
 * without overflowing: times stay far below 2^64 microseconds, buffers and
 * windows below 2^31 octets. */
#include <stddef.h>
#include <string.h>

#include "core/stack_internal.h"
#include "util/mutant.h"

void synack_config_default(struct synack_config *c)
{
    memset(c, 0, sizeof *c);
    c->prefix_len = 24;
    c->mtu = 1500;
    c->pmtu_min = 552;
    c->pmtu_expires = 600 * SYNACK_SEC;
    c->ttl = 64;
    c->rng_seed = 1;
    c->max_sockets = 1024;
    c->max_conns = 1024;
    c->backlog_max = 128;
    c->syncache_max = 4096;
    c->syncookies = 1;
    c->timewait_max = 16384;
    c->orphan_max = 4096;
    c->sndbuf = 256 * 1024;
    c->rcvbuf = 256 * 1024;
    c->rcvbuf_auto_mem = 64u << 20;
    c->buf_max = 16 * 1024 * 1024;
    /* 8 dropped a quarter of what came past the holes of 3% loss and 5%
     * reordering (interop 3r), each sent again; 64 (512 octets, taken at
     * the first hole) dropped none there. */
    c->ooo_max = 64;
    c->msl = 120 * SYNACK_SEC;
    c->rto_initial = 1 * SYNACK_SEC;
    c->rto_min = 1 * SYNACK_SEC;
    c->rto_max = 60 * SYNACK_SEC;
    c->rto_syn_lost = 3 * SYNACK_SEC;
    c->r1 = 3;
    c->r2 = 100 * SYNACK_SEC;
    c->r2_syn = 180 * SYNACK_SEC;
    c->delack = 200 * SYNACK_MSEC;
    c->persist_max = 60 * SYNACK_SEC;
    c->fin_wait_2 = 60 * SYNACK_SEC;
    c->keepalive_idle = MUT(keepalive_default_short, 60, 2 * 3600) * SYNACK_SEC;
    c->keepalive_intvl = 75 * SYNACK_SEC;
    c->keepalive_cnt = 9;
    c->challenge_ack_limit = 1000;
    c->icmp_error_limit = 100;
    c->rst_limit = 200;
    c->ephemeral_lo = 49152;
    c->ephemeral_hi = 65535;
    c->reasm_max = 64;
    c->reasm_mem_max = 1024 * 1024;
    c->reasm_dgram_max = 65535;
    c->reasm_timeout = 60 * SYNACK_SEC;
    c->window_scaling = 1;
    c->timestamps = 1;
    c->sack = 1;
    c->dsack = 1;
    c->ecn = 2;
    c->fastopen = 1;
    c->recovery = SYNACK_RECOVERY_RACK;
    c->congestion = SYNACK_CONGESTION_NEWRENO;
}

#define HOUR (3600 * SYNACK_SEC)
#define DAY (24 * HOUR)
#define BUF_LIMIT (1u << 30) /* the largest window: 65535 << 14 (RFC 7323 2.3) */

/* Upper bounds on times: each reaches `now + x`, `x << backoff` (at most
 * 16) or `2 * x` somewhere, so none may be large enough to wrap. */
static const struct {
    const char *why;
    size_t off;
    uint64_t max;
} time_max[] = {
#define T(field, max, why) {#field ": " why, offsetof(struct synack_config, field), max}
    T(msl, HOUR, "above 1 hour (TIME-WAIT is 2*MSL; RFC 9293 3.4.2 takes 2 minutes)"),
    T(rto_max, HOUR, "above 1 hour (RFC 6298 2.5 asks at least 60 s)"),
    T(rto_syn_lost, HOUR, "above 1 hour (RFC 6298 5.7: 3 s)"),
    T(r2, DAY, "above 1 day (SHLD-11: at least 100 s)"),
    T(r2_syn, DAY, "above 1 day (MUST-23: at least 3 minutes)"),
    T(persist_max, HOUR, "above 1 hour"),
    T(fin_wait_2, DAY, "above 1 day"),
    T(keepalive_idle, 32767 * SYNACK_SEC, "above 32767 s (TCP_KEEPIDLE's bound)"),
    T(keepalive_intvl, 32767 * SYNACK_SEC, "above 32767 s (TCP_KEEPINTVL's bound)"),
    T(pmtu_expires, DAY, "above 1 day (RFC 1191 6.3: 10 minutes)"),
    T(reasm_timeout, HOUR, "above 1 hour (RFC 1122 3.3.2: 60 to 120 s)"),
#undef T
};

static const char *check_times(const struct synack_config *c)
{
    for (size_t i = 0; i < sizeof time_max / sizeof time_max[0]; i++) {
        uint64_t v;
        memcpy(&v, (const char *)c + time_max[i].off, sizeof v);
        if (v > time_max[i].max)
            return time_max[i].why;
    }
    if (c->rto_min == 0 || c->rto_initial == 0 || c->msl == 0)
        return c->msl ? "rto_min, rto_initial: 0" : "msl: 0";
    if (c->rto_max < c->rto_min)
        return "rto_max: below rto_min";
    if (c->rto_initial < c->rto_min || c->rto_initial > c->rto_max)
        return "rto_initial: outside rto_min..rto_max (RFC 6298 2.1, 2.4, 2.5)";
    if (c->delack >= 500 * SYNACK_MSEC)
        return "delack: 500 ms or more (MUST-40)";
    if (c->keepalive_cnt == 0 || c->keepalive_idle == 0 || c->keepalive_intvl == 0)
        return "keepalive_idle, keepalive_intvl, keepalive_cnt: 0";
    if (c->keepalive_cnt > 127)
        return "keepalive_cnt: above 127 (TCP_KEEPCNT's bound)";
    return NULL;
}

static const uint8_t no_addr6[16]; /* addr6 unset: no IPv6 */

/* a is the directed broadcast of net/len (none for /31 and /32, RFC 3021;
 * another entry's len may not be checked yet: above 32 it has none). */
static bool v4_is_broadcast_of(uint32_t a, uint32_t net, uint8_t len)
{
    if (len == 0 || len >= 31)
        return false;
    uint32_t m = ~0u << (32 - len);
    return (a & m) == (net & m) && (a & ~m) == ~m;
}

/* An extra IPv4 address: no host part of all 0s or 1s (RFC 1122 3.2.1.3),
 * nor the broadcast of another of the stack's prefixes, nor a prefix whose
 * broadcast is another address: ip_classify_dst would take that broadcast
 * for ours (and answer a SYN to it, MUST-57). */
static const char *check_more_v4(const struct synack_config *c, size_t i)
{
    const struct synack_ifaddr *m = &c->more_addrs[i];
    uint32_t a = synack_addr_v4(&m->addr);
    uint32_t host = m->prefix_len == 32 ? 0 : ~(~0u << (32 - m->prefix_len));
    if (m->prefix_len < 31 && ((a & host) == 0 || (a & host) == host))
        return "more_addrs: an IPv4 address whose host part is all 0s or all 1s "
               "(RFC 1122 3.2.1.3)";
    if (v4_is_broadcast_of(a, c->addr, c->prefix_len) ||
        v4_is_broadcast_of(c->addr, a, m->prefix_len))
        return "more_addrs: an IPv4 address that is the broadcast of another prefix, or "
               "whose prefix's broadcast is addr";
    for (size_t k = 0; k < SYNACK_MORE_ADDRS; k++) {
        const struct synack_ifaddr *o = &c->more_addrs[k];
        if (k != i && o->addr.family == SYNACK_AF_INET &&
            v4_is_broadcast_of(a, synack_addr_v4(&o->addr), o->prefix_len))
            return "more_addrs: an IPv4 address that is the broadcast of another prefix";
    }
    return NULL;
}

/* more_addrs: unicast, of a family the stack has, each once. */
static const char *check_more_addrs(const struct synack_config *c)
{
    for (size_t i = 0; i < SYNACK_MORE_ADDRS; i++) {
        const struct synack_ifaddr *m = &c->more_addrs[i];
        if (m->addr.family == 0)
            continue;
        if (m->addr.family == SYNACK_AF_INET) {
            uint32_t a = synack_addr_v4(&m->addr);
            if (m->prefix_len == 0 || m->prefix_len > 32)
                return "more_addrs: an IPv4 prefix_len outside 1..32";
            if (a == c->addr || (a >> 24) == 0 || (a >> 24) == 127 || (a >> 24) >= 224)
                return "more_addrs: an IPv4 address that is addr, 0/8, loopback, multicast "
                       "or class E (RFC 1122 3.2.1.3)";
            const char *why = check_more_v4(c, i);
            if (why)
                return why;
        } else if (m->addr.family == SYNACK_AF_INET6) {
            if (memcmp(c->addr6, no_addr6, 16) == 0)
                return "more_addrs: an IPv6 address without addr6";
            if (m->prefix_len == 0 || m->prefix_len > 128)
                return "more_addrs: an IPv6 prefix_len outside 1..128";
            if (ip6_is_multicast(m->addr.a) || synack_addr_is_v4mapped(m->addr.a) ||
                memcmp(m->addr.a, no_addr6, 16) == 0 || memcmp(m->addr.a, c->addr6, 16) == 0)
                return "more_addrs: an IPv6 address that is addr6, multicast, IPv4-mapped or ::";
        } else {
            return "more_addrs: a family other than SYNACK_AF_INET, SYNACK_AF_INET6 or 0";
        }
        for (size_t k = 0; k < i; k++)
            if (synack_addr_eq(&c->more_addrs[k].addr, &m->addr))
                return "more_addrs: an address given twice";
    }
    return NULL;
}

static const char *check_sizes(const struct synack_config *c)
{
    if (c->addr == 0)
        return "addr: 0 (required)";
    if (c->mtu < 68 || c->pmtu_min < 68)
        return "mtu, pmtu_min: below 68 (RFC 791: 68 octets pass every link; RFC 1191 3)";
    if (c->prefix_len > 32)
        return "prefix_len: above 32";
    if (memcmp(c->addr6, no_addr6, 16) != 0 &&
        (ip6_is_multicast(c->addr6) || synack_addr_is_v4mapped(c->addr6)))
        return "addr6: multicast or IPv4-mapped (a unicast IPv6 address, or all zero)";
    if (memcmp(c->addr6, no_addr6, 16) != 0 && c->mtu < SYNACK_IPV6_MIN_MTU)
        return "mtu: below 1280 with addr6 set (RFC 8200 5)";
    const char *why = check_more_addrs(c);
    if (why)
        return why;
    if (c->max_conns == 0 || c->max_sockets == 0)
        return "max_conns, max_sockets: 0";
    if (c->sndbuf == 0 || c->rcvbuf == 0)
        return "sndbuf, rcvbuf: 0";
    if (c->sndbuf > BUF_LIMIT || c->rcvbuf > BUF_LIMIT || c->buf_max > BUF_LIMIT ||
        c->rcvbuf_max > BUF_LIMIT)
        return "sndbuf, rcvbuf, buf_max, rcvbuf_max: above 1 GiB (the largest window, "
               "RFC 7323 2.3)";
    if (c->ephemeral_lo == 0 || c->ephemeral_hi < c->ephemeral_lo)
        return "ephemeral_lo, ephemeral_hi: not a range of ports";
    if (c->reasm_max && (c->reasm_dgram_max < 576 || c->reasm_dgram_max > 65535 ||
                         c->reasm_timeout == 0))
        return "reasm_dgram_max, reasm_timeout: outside 576..65535, or 0 (RFC 1122 3.3.2)";
    if (c->reasm_max && c->reasm_mem_max < c->reasm_dgram_max + IP_REASM_HDR_MAX)
        return "reasm_mem_max: below one datagram of reasm_dgram_max";
    return NULL;
}

static const char *check_switches(const struct synack_config *c)
{
    if (c->syncookies > 2)
        return "syncookies: above 2";
    if (c->window_scaling > 1 || c->sack > 1 || c->dsack > 1)
        return "window_scaling, sack, dsack: not 0 or 1";
    if (c->timestamps > 2)
        return "timestamps: above 2";
    if (c->ecn > 2)
        return "ecn: above 2";
    if (c->recovery > SYNACK_RECOVERY_RACK)
        return "recovery: not an enum synack_recovery";
    if (c->congestion > SYNACK_CONGESTION_BBR)
        return "congestion: not an enum synack_congestion";
    return NULL;
}

const char *synack_config_check(const struct synack_config *c)
{
    const char *why = check_sizes(c);
    if (!why)
        why = check_times(c);
    if (!why)
        why = check_switches(c);
    return why;
}

/* ICMP errors for TCP (RFC 9293 3.9.2.2, MUST-54 to MUST-56, SHLD-25,
 * SHLD-26), checked against the connection's sequence space first
 * (RFC 5927 4.1) so a blind attacker cannot abort it. Fragmentation needed
 * is path-MTU information (RFC 1191), never an abort; protocol and port
 * unreachable abort a synchronized connection only when asked to (RFC 5927
 * 5.2 otherwise, as Linux and FreeBSD). */
#include <errno.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

/* Errno for a destination unreachable code, as BSD and Linux report it. */
static int unreach_errno(uint8_t code)
{
    switch (code) {
    case ICMP_UNREACH_NET: return -ENETUNREACH;
    case ICMP_UNREACH_HOST: return -EHOSTUNREACH;
    case ICMP_UNREACH_PROTOCOL: return -ENOPROTOOPT;
    case ICMP_UNREACH_PORT: return -ECONNREFUSED;
    case ICMP_UNREACH_NEEDFRAG: return -EMSGSIZE;
    case ICMP_UNREACH_SRCFAIL: return -EOPNOTSUPP;
    default: return -EHOSTUNREACH;
    }
}

static bool is_hard_error(const struct synack_icmp *icmp)
{
    /* SHLD-26 names codes 2-4; 4 is path-MTU information (RFC 1191,
     * tcp_icmp_needfrag), so protocol and port unreachable remain. */
    return icmp->type == ICMP_DEST_UNREACH &&
           (icmp->code == ICMP_UNREACH_PROTOCOL || icmp->code == ICMP_UNREACH_PORT);
}

/* RFC 9293 3.5: ESTABLISHED and every state after it. */
static bool is_synchronized(const struct tcb *tcb)
{
    return tcb->state >= SYNACK_ESTABLISHED;
}

/* ---- path MTU (RFC 1191) ---- */

/* RFC 1191 7, Table 7-1: the plateaus of the MTUs in use. */
static const uint16_t pmtu_plateaus[] = {65535, 32000, 17914, 8166, 4352, 2002,
                                         1492,  1006,  508,   296,  68};

/* RFC 1191 5: an old-style message (next-hop MTU 0) names no MTU; the
 * greatest plateau below the quoted datagram's Total Length stands for it,
 * that length first taken as a 4.2BSD router's (which adds the header
 * length) when it is not below the current estimate. 0 when none is. */
static uint32_t pmtu_old_style(const struct synack_icmp *icmp, uint32_t pmtu)
{
    uint32_t len = icmp->inner.total_len;
    if (len >= pmtu)
        len = len > 4u * icmp->inner.ihl ? len - 4u * icmp->inner.ihl : 0;
    for (size_t i = 0; i < sizeof pmtu_plateaus / sizeof pmtu_plateaus[0]; i++)
        if (pmtu_plateaus[i] < len)
            return pmtu_plateaus[i];
    return 0;
}

/* Destination unreachable, fragmentation needed (code 4), or ICMPv6
 * Packet Too Big (RFC 8201): the datagram quoted was too big for a link of
 * the path. The MTU it names (mtu; 0 for an old-style message, icmp given)
 * is taken when it is plausible: below the connection's path MTU (RFC 1191
 * 3: never raised; 6.4: any other message is ignored), not below pmtu_min
 * (RFC 1191 3: never below 68; RFC 5927 7: a tiny MTU throttles a
 * connection for an attacker) or 1280 over IPv6 (RFC 8201 4: discarded),
 * and below the quoted datagram that was too big for it (quoted_len).
 * Segments carry DF (RFC 1191 3) unless IP_PMTUDISC_DONT, which, like
 * IP_PMTUDISC_PROBE, ignores the message. The estimate is the
 * destination's: the connections to it take it, and those to come start
 * from it (6.2, tcp_pmtu_learnt); raised again after pmtu_expires (6.3,
 * tcp_pmtu_age). */
static void pmtu_report(struct tcp_ctx *t, struct tcb *tcb, const struct synack_icmp *icmp,
                        uint32_t mtu, uint32_t quoted_len, uint64_t now)
{
    if (tcb->pmtudisc == PMTUD_DONT || tcb->pmtudisc == PMTUD_PROBE) {
        t->cnt->icmp_pmtu_off++;
        return;
    }
    uint32_t pmtu = tcp_path_mtu(t, tcb);
    if (icmp && !mtu)
        mtu = pmtu_old_style(icmp, pmtu);
    if (mtu < tcp_pmtu_floor(t, tcb) || mtu >= pmtu || mtu >= quoted_len) {
        t->cnt->icmp_pmtu_ignored++;
        return;
    }
    t->cnt->icmp_pmtu_lowered++;
    tcp_pmtu_learnt(t, tcb, mtu, now);
    /* RFC 1191 6.4: the quoted datagram was dropped; send again at once,
     * in the smaller segments, one segment from SND.UNA, the rest as ACKs
     * come back (go-back as after a timeout, cwnd untouched). */
    if (tcb->snd_una != tcb->snd_max && seq_gt(tcb->snd_una, tcb->iss)) {
        tcb->snd_nxt = tcb->snd_una;
        tcp_retransmit_first(t, tcb, now);
    }
}

/* ---- the entry ---- */

/* The connection whose segment an error quotes (l4: its first 8 octets,
 * from our side of the 4-tuple), when its sequence number is one the
 * connection may have sent (RFC 5927 4.1: SND.UNA =< SEG.SEQ < SND.NXT). */
static struct tcb *quoted_tcb(struct tcp_ctx *t, const struct synack_addr *src,
                              const struct synack_addr *dst, const uint8_t *l4)
{
    struct tcp_tuple tu = {*src, *dst, synack_get16(l4), synack_get16(l4 + 2)};
    uint32_t seq = synack_get32(l4 + 4);
    struct tcb *tcb = tcb_lookup(t, &tu);
    if (!tcb) {
        t->cnt->icmp_drop_no_conn++;
        return NULL;
    }
    if (!seq_in_window(seq, tcb->snd_una, tcb->snd_max) &&
        !(tcb->snd_una == tcb->snd_max && seq == tcb->snd_una)) {
        t->cnt->icmp_drop_bad_seq++; /* RFC 5927 4.1: SND.UNA =< SEG.SEQ < SND.NXT */
        return NULL;
    }
    t->cnt->icmp_to_tcp++;
    tcb_touch(t, tcb);
    return tcb;
}

/* A soft error is kept for the user (MUST-56: no abort; SHLD-25); a hard
 * one aborts (SHLD-26) unless synchronized (RFC 5927 5.2). */
static void error_report(struct tcp_ctx *t, struct tcb *tcb, int err, bool hard, bool quench)
{
    if (hard && is_synchronized(tcb) && !(tcb->flags & TF_ICMP_HARD_ABORT)) {
        t->cnt->icmp_hard_as_soft++; /* RFC 5927 5.2: the blind reset attack */
        hard = false;
    }
    if (!hard && !MUTANT(soft_icmp_aborts)) {
        if (MUTANT(source_quench_acted_on) && quench)
            tcb->cwnd = tcb->snd_mss; /* RFC 1122 4.2.3.9's old advice */
        tcb->soft_error = err; /* MUST-56: no abort; SHLD-25: reported */
        t->cnt->icmp_soft_errors++;
        return;
    }
    t->cnt->icmp_hard_aborts++; /* SHLD-26 */
    if (tcb->state == SYNACK_SYN_RECEIVED && tcb->passive) {
        tcb_closed(t, tcb);
        return;
    }
    tcb_drop(t, tcb, err);
}

void tcp_icmp_error(struct tcp_ctx *t, const struct synack_icmp *icmp, uint64_t now)
{
    if (icmp->type == ICMP_SOURCE_QUENCH && !MUTANT(source_quench_acted_on)) {
        t->cnt->icmp_source_quench++; /* MUST-55: silently discard */
        return;
    }
    struct synack_addr src = synack_addr_from_v4(icmp->inner.src);
    struct synack_addr dst = synack_addr_from_v4(icmp->inner.dst);
    struct tcb *tcb = quoted_tcb(t, &src, &dst, icmp->inner.l4);
    if (!tcb)
        return;
    if (icmp->type == ICMP_DEST_UNREACH && icmp->code == ICMP_UNREACH_NEEDFRAG) {
        pmtu_report(t, tcb, icmp, icmp->next_hop_mtu, icmp->inner.total_len, now);
        return;
    }
    int err = icmp->type == ICMP_DEST_UNREACH ? unreach_errno(icmp->code) : -EHOSTUNREACH;
    error_report(t, tcb, err, is_hard_error(icmp), icmp->type == ICMP_SOURCE_QUENCH);
}

/* ICMPv6 (RFC 4443 3, as RFC 5927 and RFC 8201 take it): Packet Too Big
 * is path-MTU information (RFC 8201 4, a next-hop MTU below 1280 is
 * ignored); port unreachable and an unrecognized Next Header are hard,
 * like their IPv4 kin; the rest are soft. Errno values as Linux's. */
void tcp_icmp6_error(struct tcp_ctx *t, const struct synack_icmp6 *icmp, uint64_t now)
{
    if (!icmp->inner.l4 || icmp->inner.l4_len < 8) {
        t->cnt->icmp_drop_no_conn++;
        return;
    }
    struct synack_addr src = synack_addr_from_v6(icmp->inner.src);
    struct synack_addr dst = synack_addr_from_v6(icmp->inner.dst);
    struct tcb *tcb = quoted_tcb(t, &src, &dst, icmp->inner.l4);
    if (!tcb)
        return;
    int err = -EHOSTUNREACH;
    bool hard = false;
    switch (icmp->type) {
    case ICMP6_PACKET_TOO_BIG:
        pmtu_report(t, tcb, NULL, icmp->mtu, 40u + icmp->inner.plen, now);
        return;
    case ICMP6_DEST_UNREACH:
        err = icmp->code == ICMP6_UNREACH_NOROUTE  ? -ENETUNREACH
              : icmp->code == ICMP6_UNREACH_PORT   ? -ECONNREFUSED
              : icmp->code == ICMP6_UNREACH_ADMIN || icmp->code > ICMP6_UNREACH_PORT ? -EACCES
                                                    : -EHOSTUNREACH;
        hard = icmp->code == ICMP6_UNREACH_PORT;
        break;
    case ICMP6_PARAM_PROBLEM:
        err = -EPROTO;
        hard = icmp->code == ICMP6_PARAMPROB_NEXTHDR;
        break;
    default:
        break;
    }
    error_report(t, tcb, err, hard, false);
}

/* ICMP errors for TCP (RFC 9293 3.9.2.2, MUST-54 to MUST-56, SHLD-25,
 * SHLD-26), checked against the connection's sequence space first
 * (RFC 5927 4.1) so a blind attacker cannot abort it. */
#include <errno.h>

#include "tcp/tcp_internal.h"

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
    /* Destination unreachable codes 2-4 are hard; the rest is soft. */
    return icmp->type == ICMP_DEST_UNREACH && icmp->code >= ICMP_UNREACH_PROTOCOL &&
           icmp->code <= ICMP_UNREACH_NEEDFRAG;
}

void tcp_icmp_error(struct tcp_ctx *t, const struct synack_icmp *icmp, uint64_t now)
{
    (void)now;
    if (icmp->type == ICMP_SOURCE_QUENCH) {
        t->cnt->icmp_source_quench++; /* MUST-55: silently discard */
        return;
    }
    const uint8_t *l4 = icmp->inner.l4; /* our segment: ports and sequence number */
    uint16_t sport = synack_get16(l4), dport = synack_get16(l4 + 2);
    uint32_t seq = synack_get32(l4 + 4);
    struct tcb *tcb = tcb_lookup(t, icmp->inner.src, sport, icmp->inner.dst, dport);
    if (!tcb) {
        t->cnt->icmp_drop_no_conn++;
        return;
    }
    if (!seq_in_window(seq, tcb->snd_una, tcb->snd_max) &&
        !(tcb->snd_una == tcb->snd_max && seq == tcb->snd_una)) {
        t->cnt->icmp_drop_bad_seq++;
        return;
    }
    t->cnt->icmp_to_tcp++;
    int err = icmp->type == ICMP_DEST_UNREACH ? unreach_errno(icmp->code) : -EHOSTUNREACH;
    if (!is_hard_error(icmp)) {
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

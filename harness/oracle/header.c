/* The header alone, before any state: reserved bits, an MSS option on a
 * segment without SYN, option syntax. Checksums and options that do not
 * parse are oracle.c's (they decide what the rest may learn). */
#include "oracle/model.h"

/* RFC 9293 3.1: reserved bits are zero (the AE bit once AccECN is asked). */
static void check_reserved(struct oracle *o, const struct o_inc *c, const struct synack_tcp *th)
{
    uint8_t bad = th->reserved & (c->neg.accecn ? 0x0e : 0x0f);
    if (bad)
        o_finding(o, RULE_RESERVED, "reserved bits 0x%x set in the TCP header", bad);
}

void o_check_header(struct oracle *o, const struct o_inc *c, const struct segv *v)
{
    const struct synack_tcp *th = v->th;
    check_reserved(o, c, th);
    /* MUST-65: MSS only on a SYN */
    if (!HAS(v, SYNACK_TCP_SYN) && (th->opts.present & TCPOPT_F_MSS))
        o_finding(o, RULE_MSS_NON_SYN, "MSS option (%u) on a segment without SYN", th->opts.mss);
    /* MUST-69: padding after EOL is zero */
    if (th->opts.present & TCPOPT_F_PAD_NONZERO)
        o_finding(o, RULE_BAD_OPTIONS, "non-zero octets after the EOL option (MUST-69)");
}

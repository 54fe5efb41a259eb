/* Outbound packets: what the stack sent against what the script expects,
 * field by field (DESIGN 5.1): checksums, addresses, flags, seq, length,
 * ack, window when given, urgent pointer, options in order (<...> skips
 * them), IP info when given. Also describes a packet in script syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_internal.h"

/* ---- describing a packet ---- */

/* Options as the script would write them. */
static void options_from_wire(const struct synack_tcp *th, struct script_packet *sp,
                              struct script_tcp_option *opts, size_t max, uint32_t sack_off)
{
    sp->opts_mode = th->options_len ? SCRIPT_OPTS_LIST : SCRIPT_OPTS_NONE;
    sp->opt_count = script_options_from_wire(th->options, th->options_len, sack_off, opts, max);
    sp->opts = opts;
}

/* Relative numbers of a packet the stack sent, as outbound_match sees them. */
static uint32_t rel_seq(const struct runner *r, const struct synack_tcp *th)
{
    bool syn = th->flags & SYNACK_TCP_SYN;
    if (!r->map.local_isn_known)
        return syn ? 0 : th->seq;
    return th->seq - r->map.live_local_isn + (syn ? r->map.script_local_isn : 0);
}

static uint32_t rel_ack(const struct runner *r, const struct synack_tcp *th)
{
    return (th->flags & SYNACK_TCP_SYN) ? th->ack : th->ack - r->map.remote_isn;
}

static void describe_tcp(struct runner *r, const struct synack_tcp *th, char *out, size_t n)
{
    struct script_packet sp;
    struct script_tcp_option opts[40];
    memset(&sp, 0, sizeof sp);
    sp.direction = SCRIPT_OUTBOUND;
    sp.proto = SCRIPT_PROTO_TCP;
    sp.flags = th->flags;
    sp.ae = (th->reserved & SCRIPT_TCP_AE) != 0;
    sp.seq_start = rel_seq(r, th);
    sp.seq_len = (uint16_t)th->payload_len;
    sp.seq_end = sp.seq_start + sp.seq_len;
    sp.ack_given = (th->flags & SYNACK_TCP_ACK) != 0;
    sp.ack = rel_ack(r, th);
    sp.win_given = true;
    sp.win = th->window;
    sp.urg_given = (th->flags & SYNACK_TCP_URG) != 0;
    sp.urg = th->urg_ptr;
    options_from_wire(th, &sp, opts, 40, (th->flags & SYNACK_TCP_SYN) ? 0 : r->map.remote_isn);
    script_packet_format(&sp, out, n);
}

/* An ICMPv6 message in words: RFC 4443's type and code numbers. */
static void describe_icmp6(const struct synack_ip_view *v, char *out, size_t n)
{
    struct synack_icmp6 ic;
    if (synack_icmp6_parse(v->l4, v->l4_len, v->src.a, v->dst.a, WIRE_PARSE_NO_CHECKSUM, &ic,
                           NULL)) {
        snprintf(out, n, "> icmp6 (malformed)");
        return;
    }
    snprintf(out, n, "> icmp6 type_%u code_%u", ic.type, ic.code);
}

void outbound_describe(struct runner *r, const uint8_t *pkt, size_t len, char *out, size_t n)
{
    struct synack_ip_view ip;
    struct synack_wire_error we;
    char e[128];
    if (synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, &we) != WIRE_OK) {
        synack_wire_error_format(&we, e, sizeof e);
        snprintf(out, n, "> (malformed: %s)", e);
        return;
    }
    if (ip.proto == SYNACK_IPPROTO_ICMPV6 && ip.version == 6)
        return describe_icmp6(&ip, out, n);
    if (ip.proto == SYNACK_IPPROTO_ICMP) {
        struct synack_icmp ic;
        if (synack_icmp_parse(ip.l4, ip.l4_len, WIRE_PARSE_NO_CHECKSUM, &ic, &we)) {
            snprintf(out, n, "> icmp (malformed)");
            return;
        }
        const char *tn = script_icmp_type_name(ic.type), *cn = script_icmp_code_name(ic.type, ic.code);
        snprintf(out, n, "> icmp %s%s%s", tn ? tn : "?", cn ? " " : "", cn ? cn : "");
        return;
    }
    struct synack_tcp th;
    if (ip.proto != SYNACK_IPPROTO_TCP ||
        synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, &we) != WIRE_OK) {
        snprintf(out, n, "> (ip protocol %u, %zu octets)", ip.proto, len);
        return;
    }
    describe_tcp(r, &th, out, n);
}

/* packetdrill judges the packets of the socket under test alone
 * (run_packet.c's sniffing skips the others): a packet of a connection the
 * script left for a new socket (its ports, not a SYN: the FIN of a close()
 * the script does not list) is for no line, unless it is the ports of the
 * connection under test too. (A line that writes its ports, synack's
 * extension, takes the packet of those ports: the runner does not call
 * this for it.) */
bool outbound_of_left_connection(const struct runner *r, const uint8_t *pkt, size_t len)
{
    const struct conn_map *m = &r->map;
    struct synack_ip_view ip;
    struct synack_tcp th;
    if (m->left_count == 0 ||
        synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, NULL) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP ||
        synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, NULL) != WIRE_OK ||
        (th.flags & SYNACK_TCP_SYN))
        return false;
    if (!m->new_socket && th.sport == m->local_port && th.dport == m->remote_port)
        return false; /* the connection under test's */
    unsigned n = m->left_count < RUN_LEFT_MAX ? m->left_count : RUN_LEFT_MAX;
    for (unsigned i = 0; i < n; i++)
        if (m->left[i].local_port == th.sport && m->left[i].remote_port == th.dport)
            return true;
    return false;
}

/* ---- the window the stack announced (wnd_edge) ---- */

void outbound_learn_window(struct runner *r, const uint8_t *pkt, size_t len)
{
    struct synack_ip_view ip;
    struct synack_tcp th;
    if (synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, NULL) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP ||
        synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, NULL) != WIRE_OK)
        return;
    if (th.dport != r->map.remote_port ||
        (r->map.local_port_known && th.sport != r->map.local_port))
        return; /* another connection's */
    bool syn = th.flags & SYNACK_TCP_SYN;
    if (syn)
        r->map.stack_wscale = (th.opts.present & TCPOPT_F_WSCALE)
                                  ? (th.opts.wscale > 14 ? 14 : th.opts.wscale) : -1;
    if (!(th.flags & SYNACK_TCP_ACK) || (th.flags & SYNACK_TCP_RST))
        return;
    /* RFC 7323 2.2: scaled once both SYNs offered it, never in a SYN */
    unsigned shift = !syn && r->map.script_wscale && r->map.stack_wscale > 0
                         ? (unsigned)r->map.stack_wscale : 0;
    r->map.live_edge = th.ack + ((uint32_t)th.window << shift);
    r->map.edge_known = true;
}

/* ---- matching ---- */

struct match {
    struct runner *r;
    const struct script_event *ev;
    int64_t when;
    char actual[512], expected[512];
};

static bool mismatch(struct match *m, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool mismatch(struct match *m, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    run_fail(m->r, m->ev, field, m->expected, m->actual, -1, m->when, "field %s: %s", field, msg);
    return false;
}

static void flags_text(uint8_t f, bool ae, char *out)
{
    static const struct { uint8_t bit; char c; } letters[] = {
        {SYNACK_TCP_FIN, 'F'}, {SYNACK_TCP_SYN, 'S'}, {SYNACK_TCP_RST, 'R'}, {SYNACK_TCP_PSH, 'P'},
        {SYNACK_TCP_URG, 'U'}, {SYNACK_TCP_ECE, 'E'}, {SYNACK_TCP_CWR, 'W'}, {SYNACK_TCP_ACK, '.'},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++) {
        if (letters[i].bit == SYNACK_TCP_ACK && ae)
            out[n++] = 'A'; /* AccECN's AE (RFC 9768 3.2.2) */
        if (f & letters[i].bit)
            out[n++] = letters[i].c;
    }
    if (n == 0)
        out[n++] = '-';
    out[n] = '\0';
}

static bool match_ip(struct match *m, const struct script_packet *p, const struct synack_ip_view *ip,
                     size_t len)
{
    struct runner *r = m->r;
    if (!synack_addr_eq(&ip->src, &r->local) || !synack_addr_eq(&ip->dst, &r->remote)) {
        char s[48], d[48], ls[48], rd[48];
        synack_addr_format(&ip->src, s, sizeof s);
        synack_addr_format(&ip->dst, d, sizeof d);
        synack_addr_format(&r->local, ls, sizeof ls);
        synack_addr_format(&r->remote, rd, sizeof rd);
        return mismatch(m, "ip address", "sent from %s to %s, expected %s to %s", s, d, ls, rd);
    }
    if (ip->total != len)
        return mismatch(m, "ip length", "total length %zu, datagram is %zu octets",
                        ip->total, len);
    if (p->ip.ttl_given && ip->ttl != p->ip.ttl)
        return mismatch(m, "ttl", "expected %u, got %u", p->ip.ttl, ip->ttl);
    if (p->ip.tos_given && ip->tos != p->ip.tos)
        return mismatch(m, "tos", "expected 0x%02x, got 0x%02x", p->ip.tos, ip->tos);
    static const uint8_t ecn_bits[] = {0, 0, 1, 2, 3, 0};
    uint8_t ecn = ip->tos & 3;
    if (p->ip.ecn == SCRIPT_ECN_ECT01 && ecn != 1 && ecn != 2)
        return mismatch(m, "ecn", "expected ECT(0) or ECT(1), got %u", ecn);
    if (p->ip.ecn != SCRIPT_ECN_UNSPEC && p->ip.ecn != SCRIPT_ECN_ECT01 &&
        ecn != ecn_bits[p->ip.ecn])
        return mismatch(m, "ecn", "expected %u, got %u", ecn_bits[p->ip.ecn], ecn);
    return true;
}

/* An ICMP line in an ipv6 run: its ICMPv6 counterpart (icmp_type_to_v6). */
static bool match_icmp6(struct match *m, const struct script_packet *p, const struct synack_ip_view *ip)
{
    struct synack_icmp6 ic;
    uint8_t t6, c6;
    if (!icmp_type_to_v6(p->icmp.type, p->icmp.code, &t6, &c6))
        return mismatch(m, "icmp type", "ICMP type %u code %u has no ICMPv6 counterpart",
                        p->icmp.type, p->icmp.code);
    if (ip->proto != SYNACK_IPPROTO_ICMPV6)
        return mismatch(m, "protocol", "expected ICMPv6, got next header %u", ip->proto);
    int e = synack_icmp6_parse(ip->l4, ip->l4_len, ip->src.a, ip->dst.a, WIRE_PARSE_NO_CHECKSUM,
                               &ic, NULL);
    if (e != WIRE_OK)
        return mismatch(m, "icmp", "%s", synack_wire_strerror((enum synack_wire_err)e));
    if (ic.type != t6 || ic.code != c6)
        return mismatch(m, "icmp type", "expected ICMPv6 type %u code %u, got type %u code %u",
                        t6, c6, ic.type, ic.code);
    if (p->icmp.mtu_given && ic.mtu != p->icmp.mtu)
        return mismatch(m, "mtu", "expected %u, got %u", p->icmp.mtu, ic.mtu);
    return true;
}

static bool match_icmp(struct match *m, const struct script_packet *p, const struct synack_ip_view *ip)
{
    struct synack_icmp ic;
    struct synack_wire_error we;
    if (ip->version == 6)
        return match_icmp6(m, p, ip);
    if (ip->proto != SYNACK_IPPROTO_ICMP)
        return mismatch(m, "protocol", "expected ICMP, got IP protocol %u", ip->proto);
    int e = synack_icmp_parse(ip->l4, ip->l4_len, WIRE_PARSE_NO_CHECKSUM, &ic, &we);
    if (e != WIRE_OK)
        return mismatch(m, "icmp", "%s", synack_wire_strerror((enum synack_wire_err)e));
    if (ic.type != p->icmp.type || ic.code != p->icmp.code)
        return mismatch(m, "icmp type", "expected type %u code %u, got type %u code %u",
                        p->icmp.type, p->icmp.code, ic.type, ic.code);
    if (p->icmp.mtu_given && ic.next_hop_mtu != p->icmp.mtu)
        return mismatch(m, "mtu", "expected %u, got %u", p->icmp.mtu, ic.next_hop_mtu);
    return true;
}

/* Learn the stack's ISN and port from its SYN or SYN-ACK. */
static void learn_from_syn(struct runner *r, const struct script_packet *p,
                           const struct synack_tcp *th)
{
    if (th->flags & SYNACK_TCP_RST)
        r->map.remote_isn_known = false; /* the connection ends */
    if (!(th->flags & SYNACK_TCP_SYN))
        return;
    if (r->map.local_isn_known && th->seq != r->map.live_local_isn) {
        r->map.isn_advance = th->seq - r->map.live_local_isn;
        r->map.isn_advance_known = true;
    }
    r->map.live_local_isn = th->seq;
    r->map.script_local_isn = p->seq_start;
    r->map.local_isn_known = true;
    if (!(th->flags & SYNACK_TCP_ACK)) {
        r->map.local_port = th->sport; /* an active open: its ephemeral port */
        r->map.new_socket = false;
    }
}

/* The script's TS val for this packet -> the stack's live one. */
static void learn_ts(struct runner *r, const struct script_packet *p, const struct synack_tcp *th)
{
    if (!(th->opts.present & TCPOPT_F_TS) || p->opts_mode != SCRIPT_OPTS_LIST)
        return;
    for (size_t i = 0; i < p->opt_count; i++)
        if (p->opts[i].type == SCRIPT_OPT_TS) {
            inbound_ts_learn(r, p->opts[i].ts_val, th->opts.ts_val);
            return;
        }
}

/* --tcp_ts_tick_usecs (packetdrill's run_packet.c): the live TS val taken
 * into script space from the first one seen, and failed when it is more
 * ticks off the script's than the tolerance allows: --tolerance_usecs, or
 * --tolerance_percent of the time since the script's start if larger (the
 * clock drifts with the whole run, not since the last event). Without it
 * TS val is the stack's clock and not compared. */
static bool ts_val_in_ticks(struct match *m, size_t i, uint32_t want, uint32_t live)
{
    const struct script_options *so = &m->r->s->options;
    const struct conn_map *c = &m->r->map;
    if (!so->tcp_ts_tick_usecs_given || so->tcp_ts_tick_usecs <= 0 || !c->ts_known)
        return true;
    uint32_t got = c->ts_first_script + (live - c->ts_first_live);
    int64_t ticks = (int32_t)(got - want);
    int64_t tol = run_tolerance(m->r, m->when - m->r->epoch);
    if ((ticks < 0 ? -ticks : ticks) * so->tcp_ts_tick_usecs <= tol)
        return true;
    return mismatch(m, "options", "option %zu: TS val %u, expected %u (%lld ticks of %lld us "
                    "off, more than the tolerance of %lld us)", i + 1, got, want,
                    (long long)ticks, (long long)so->tcp_ts_tick_usecs, (long long)tol);
}

static bool match_one_option(struct match *m, size_t i, const struct script_tcp_option *e,
                             const struct synack_tcp_opt *a, uint32_t sack_off)
{
    if (e->kind != a->kind)
        return mismatch(m, "options", "option %zu: expected kind %u, got kind %u", i + 1,
                        e->kind, a->kind);
    switch (e->type) {
    case SCRIPT_OPT_MSS:
        if (a->len != 4 || synack_get16(a->data) != e->mss)
            return mismatch(m, "options", "option %zu: expected mss %u, got %u", i + 1, e->mss,
                            a->len == 4 ? synack_get16(a->data) : 0);
        return true;
    case SCRIPT_OPT_WSCALE:
        if (a->len != 3 || a->data[0] != e->wscale)
            return mismatch(m, "options", "option %zu: expected wscale %u", i + 1, e->wscale);
        return true;
    case SCRIPT_OPT_SACK:
        if (a->len != 2 + 8 * e->sack_count)
            return mismatch(m, "options", "option %zu: expected %u SACK blocks", i + 1,
                            e->sack_count);
        for (unsigned b = 0; b < e->sack_count; b++)
            if (synack_get32(a->data + 8 * b) - sack_off != e->sack[b].left ||
                synack_get32(a->data + 8 * b + 4) - sack_off != e->sack[b].right)
                return mismatch(m, "options", "option %zu: SACK block %u differs", i + 1, b + 1);
        return true;
    case SCRIPT_OPT_TS:
        if (a->len != 10 || synack_get32(a->data + 4) != e->ts_ecr)
            return mismatch(m, "options", "option %zu: TS ecr differs", i + 1);
        return ts_val_in_ticks(m, i, e->ts_val, synack_get32(a->data));
    case SCRIPT_OPT_GENERIC:
        if (a->len != e->len || (e->data_len && memcmp(a->data, e->data, e->data_len)))
            return mismatch(m, "options", "option %zu: kind %u differs", i + 1, e->kind);
        return true;
    case SCRIPT_OPT_MPTCP: { /* MP_CAPABLE (RFC 8684 3.1): keys named are learned */
        struct mptcp_mpc mpc;
        char why[160];
        if (!mptcp_mpc_parse(e->text, &mpc) ||
            !mptcp_mpc_match(m->r, &mpc, a->data, a->len - 2u, why, sizeof why))
            return mismatch(m, "options", "option %zu: %s", i + 1,
                            mptcp_mpc_parse(e->text, &mpc) ? why : "MPTCP option not matched");
        return true;
    }
    case SCRIPT_OPT_ACCECN: /* RFC 9768 3.2.3: the counters as written, in the kind's order */
        if (a->len != e->len || memcmp(a->data, e->data, e->data_len))
            return mismatch(m, "options", "option %zu: AccECN counters differ", i + 1);
        return true;
    case SCRIPT_OPT_FASTOPEN: /* a request (FO) or the cookie written (RFC 7413) */
        if (a->len != e->len || memcmp(a->data, e->data, e->data_len))
            return mismatch(m, "options", "option %zu: expected FO with %u octets of cookie%s",
                            i + 1, e->data_len, a->len == e->len ? " as written" : "");
        return true;
    default:
        return true;
    }
}

static bool match_options(struct match *m, const struct script_packet *p,
                          const struct synack_tcp *th)
{
    if (p->opts_mode == SCRIPT_OPTS_ANY)
        return true;
    if (p->opts_mode == SCRIPT_OPTS_NONE) {
        if (th->options_len)
            return mismatch(m, "options", "expected none, got %zu octets", th->options_len);
        return true;
    }
    uint32_t sack_off = (th->flags & SYNACK_TCP_SYN) ? 0 : m->r->map.remote_isn;
    size_t off = 0;
    struct synack_tcp_opt a;
    for (size_t i = 0; i < p->opt_count; i++) {
        if (synack_tcp_opt_next(th->options, th->options_len, &off, &a, NULL) != 1)
            return mismatch(m, "options", "expected %zu options, got %zu", p->opt_count, i);
        if (!match_one_option(m, i, &p->opts[i], &a, sack_off))
            return false;
    }
    for (size_t k = off; k < th->options_len; k++) /* padding after the list must be zero */
        if (th->options[k] != 0)
            return mismatch(m, "options", "more options than the %zu expected", p->opt_count);
    return true;
}

static bool match_tcp_fields(struct match *m, const struct script_packet *p,
                             const struct synack_tcp *th)
{
    struct runner *r = m->r;
    char fe[12], fa[12];
    /* @ignore psh; @ignore extra-psh: unwritten, allowed; written, required */
    uint8_t ign = r->s->ignore_flags | (uint8_t)(r->s->extra_flags & ~p->flags);
    bool ae = (th->reserved & SCRIPT_TCP_AE) != 0;
    flags_text(p->flags, p->ae, fe);
    flags_text(th->flags, ae, fa);
    if ((th->flags & ~ign) != (p->flags & ~ign) || ae != p->ae)
        return mismatch(m, "flags", "expected %s, got %s", fe, fa);
    uint32_t seq = rel_seq(r, th);
    if (seq != p->seq_start)
        return mismatch(m, "seq", "expected %u, got %u", p->seq_start, seq);
    if (th->payload_len != p->seq_len)
        return mismatch(m, "len", "expected %u octets of data, got %zu", p->seq_len, th->payload_len);
    if ((p->flags & SYNACK_TCP_ACK) && rel_ack(r, th) != p->ack)
        return mismatch(m, "ack", "expected %u, got %u", p->ack, rel_ack(r, th));
    if (p->win_given && th->window != p->win)
        return mismatch(m, "win", "expected %u, got %u", p->win, th->window);
    if ((p->urg_given || (p->flags & SYNACK_TCP_URG)) && th->urg_ptr != p->urg)
        return mismatch(m, "urg", "expected %u, got %u", p->urg, th->urg_ptr);
    if (th->reserved & ~SCRIPT_TCP_AE)
        return mismatch(m, "reserved", "reserved bits 0x%x set", th->reserved & ~SCRIPT_TCP_AE);
    return match_options(m, p, th);
}

/* Checksums are a strict check: packetdrill does not verify them. */
static void check_checksums(struct runner *r, const struct script_event *ev, const uint8_t *pkt,
                            size_t len, int64_t when, const char *actual)
{
    struct synack_ip_view ip;
    struct synack_tcp th;
    struct synack_icmp ic;
    struct synack_icmp6 ic6;
    struct synack_wire_error we;
    int e = synack_ip_view_parse(pkt, len, 0, &ip, &we);
    if (e == WIRE_EIP_CHECKSUM) {
        run_strict(r, ev, "ip checksum", actual, when, "field ip checksum: does not verify");
        return;
    }
    if (e != WIRE_OK || ip.fragment)
        return;
    if (ip.proto == SYNACK_IPPROTO_TCP && synack_ip_view_tcp(&ip, 0, &th, &we) == WIRE_ETCP_CHECKSUM)
        run_strict(r, ev, "tcp checksum", actual, when,
                   "field tcp checksum: does not verify (MUST-2)");
    if (ip.version == 4 && ip.proto == SYNACK_IPPROTO_ICMP &&
        synack_icmp_parse(ip.l4, ip.l4_len, 0, &ic, &we) == WIRE_EICMP_CHECKSUM)
        run_strict(r, ev, "icmp checksum", actual, when, "field icmp checksum: does not verify");
    if (ip.version == 6 && ip.proto == SYNACK_IPPROTO_ICMPV6 &&
        synack_icmp6_parse(ip.l4, ip.l4_len, ip.src.a, ip.dst.a, 0, &ic6, &we) ==
            WIRE_EICMP6_CHECKSUM)
        run_strict(r, ev, "icmp checksum", actual, when,
                   "field icmpv6 checksum: does not verify (RFC 4443 2.3)");
}

bool outbound_match(struct runner *r, const struct script_event *ev, const uint8_t *pkt,
                    size_t len, int64_t when)
{
    const struct script_packet *p = &ev->packet;
    struct match m = {.r = r, .ev = ev, .when = when};
    script_packet_format(p, m.expected, sizeof m.expected);
    outbound_describe(r, pkt, len, m.actual, sizeof m.actual);
    struct synack_ip_view ip;
    struct synack_wire_error we;
    check_checksums(r, ev, pkt, len, when, m.actual);
    int e = synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, &we);
    if (e != WIRE_OK)
        return mismatch(&m, "ip", "%s", synack_wire_strerror((enum synack_wire_err)e));
    if (!match_ip(&m, p, &ip, len))
        return false;
    if (p->proto == SCRIPT_PROTO_ICMP)
        return match_icmp(&m, p, &ip);
    if (ip.proto != SYNACK_IPPROTO_TCP)
        return mismatch(&m, "protocol", "expected TCP, got IP protocol %u", ip.proto);
    struct synack_tcp th;
    e = synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, &we);
    if (e != WIRE_OK)
        return mismatch(&m, "tcp", "%s", synack_wire_strerror((enum synack_wire_err)e));
    learn_from_syn(r, p, &th);
    learn_ts(r, p, &th);
    outbound_describe(r, pkt, len, m.actual, sizeof m.actual); /* now with the ISN known */
    if (!p->ports_given && (th.sport != r->map.local_port || th.dport != r->map.remote_port))
        return mismatch(&m, "ports", "expected %u>%u, got %u>%u", r->map.local_port,
                        r->map.remote_port, th.sport, th.dport);
    if (p->ports_given && (th.sport != p->sport || th.dport != p->dport))
        return mismatch(&m, "ports", "expected %u>%u, got %u>%u", p->sport, p->dport, th.sport,
                        th.dport);
    return match_tcp_fields(&m, p, &th);
}

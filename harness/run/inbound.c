/* Inbound packets: from a script line to the datagram injected into the
 * stack. Sequence numbers are made live as packetdrill does (SYNs
 * absolute, the rest relative to each side's ISN); mutations (synack's
 * extension) are applied last, then checksums, then truncation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run/run_internal.h"

#define IP_HDR 20u

void inbound_ts_learn(struct runner *r, uint32_t script, uint32_t live)
{
    struct conn_map *m = &r->map;
    if (!m->ts_known) {
        m->ts_known = true;
        m->ts_first_script = script;
        m->ts_first_live = live;
    }
    unsigned k = m->ts_count++ % RUN_TS_MAP;
    m->ts_map[k].script = script;
    m->ts_map[k].live = live;
}

/* An inbound TS ecr: the live value of the outbound TS val it names, else
 * one interpolated from the first mapping (packetdrill's rule), else as
 * written (the stack has sent no timestamp yet). */
static uint32_t ts_ecr_live(void *ctx, uint32_t ecr)
{
    const struct runner *r = ctx;
    const struct conn_map *m = &r->map;
    unsigned n = m->ts_count < RUN_TS_MAP ? m->ts_count : RUN_TS_MAP;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = (m->ts_count - 1 - i) % RUN_TS_MAP; /* the latest first */
        if (m->ts_map[k].script == ecr)
            return m->ts_map[k].live;
    }
    return m->ts_known ? ecr - m->ts_first_script + m->ts_first_live : ecr;
}

/* An MPTCP option of an inbound line: MP_CAPABLE with the keys it names. */
static size_t mptcp_live(void *ctx, const struct script_tcp_option *o, uint8_t *out)
{
    struct runner *r = ctx;
    struct mptcp_mpc m;
    char why[160] = "";
    size_t n = mptcp_mpc_parse(o->text, &m) ? mptcp_mpc_build(r, &m, out, why, sizeof why) : 0;
    if (n == 0) {
        snprintf(r->mptcp_why, sizeof r->mptcp_why, "%s", why[0] ? why : "MPTCP option not built");
        out[0] = o->kind;
        out[1] = 2;
        return 2;
    }
    return n;
}

/* The options of a line as octets, in the order written, padded with zero
 * (EOL) octets to a multiple of 4. -1 with an error when over 40. */
static int build_options(struct runner *r, const struct script_event *ev, uint8_t *out,
                         size_t *outlen)
{
    const struct script_packet *p = &ev->packet;
    bool syn = (p->flags & SYNACK_TCP_SYN) != 0;
    struct script_opt_map map = {
        .sack_offset = syn ? r->map.live_local_isn - r->map.script_local_isn : r->map.live_local_isn,
        .ts_ecr = ts_ecr_live,
        .mptcp = mptcp_live,
        .ctx = r,
    };
    r->mptcp_why[0] = '\0';
    int n = script_options_to_wire(p, &map, out, SYNACK_TCP_OPT_MAX);
    if (n < 0) {
        run_error(r, ev, "TCP options take more than 40 octets");
        return -1;
    }
    if (r->mptcp_why[0]) {
        run_error(r, ev, "%s", r->mptcp_why);
        return -1;
    }
    while (n % 4)
        out[n++] = TCPOPT_EOL;
    *outlen = (size_t)n;
    return 0;
}

static uint8_t ip_tos_of(const struct script_packet *p)
{
    if (p->ip.tos_given)
        return p->ip.tos;
    switch (p->ip.ecn) {
    case SCRIPT_ECN_ECT1: return 0x01;
    case SCRIPT_ECN_ECT0: return 0x02;
    case SCRIPT_ECN_CE: return 0x03;
    default: return 0;
    }
}

/* IPv6 runs: the fixed header, the traffic class and hop limit as TOS and
 * TTL. */
static bool v6(const struct runner *r)
{
    return r->local.family == SYNACK_AF_INET6;
}

static size_t ip_hlen(const struct runner *r)
{
    return v6(r) ? SYNACK_IPV6_HDR : IP_HDR;
}

static size_t ip_header(struct runner *r, const struct script_packet *p, uint8_t proto,
                        size_t payload)
{
    if (v6(r)) {
        struct synack_ipv6 h6 = {.tclass = ip_tos_of(p), .hop_limit = p->ip.ttl_given ? p->ip.ttl : 64,
                                 .next = proto == SYNACK_IPPROTO_ICMP ? SYNACK_IPPROTO_ICMPV6 : proto};
        memcpy(h6.src, r->remote.a, 16);
        memcpy(h6.dst, r->local.a, 16);
        return synack_ipv6_build(r->buf, sizeof r->buf, &h6, payload, NULL);
    }
    struct synack_ipv4 h = {
        .tos = ip_tos_of(p),
        .id = r->ip_id++,
        .frag = p->frag_count ? 0 : SYNACK_IP_DF, /* a datagram to fragment has no DF */
        .ttl = p->ip.ttl_given ? p->ip.ttl : 64,
        .proto = proto,
        .src = synack_addr_v4(&r->remote),
        .dst = synack_addr_v4(&r->local),
    };
    return synack_ipv4_build(r->buf, sizeof r->buf, &h, payload, NULL);
}

/* The live values of a TCP line's sequence and acknowledgment numbers. */
static void live_numbers(struct runner *r, const struct script_packet *p, uint32_t *seq,
                         uint32_t *ack)
{
    bool syn = (p->flags & SYNACK_TCP_SYN) != 0;
    if (syn && !r->map.remote_isn_known) { /* a new connection's SYN: absolute */
        r->map.remote_isn = p->seq_start;
        r->map.remote_isn_known = true;
    }
    if (p->flags & SYNACK_TCP_RST)
        r->map.remote_isn_known = false; /* the next SYN starts a new connection */
    *seq = p->seq_edge ? r->map.live_edge + p->seq_start /* extension (7) */
           : syn       ? p->seq_start
                       : p->seq_start + r->map.remote_isn;
    *ack = 0;
    if (p->ack_given || (p->flags & SYNACK_TCP_ACK))
        *ack = p->ack + (syn ? r->map.live_local_isn - r->map.script_local_isn
                             : r->map.live_local_isn);
}

void inbound_describe_sent(const struct runner *r, const struct script_packet *p, char *out,
                           size_t n)
{
    struct script_packet sent = *p;
    if (p->proto == SCRIPT_PROTO_TCP && p->seq_edge) {
        uint32_t base = r->map.live_edge - ((p->flags & SYNACK_TCP_SYN) ? 0 : r->map.remote_isn);
        sent.seq_edge = false;
        sent.seq_start = base + p->seq_start;
        sent.seq_end = base + p->seq_end;
    }
    script_packet_format(&sent, out, n);
}

static bool offers_wscale(const struct script_packet *p)
{
    for (size_t i = 0; i < p->opt_count; i++)
        if (p->opts[i].type == SCRIPT_OPT_WSCALE)
            return true;
    return false;
}

/* packetdrill gives each passive connection of a new socket a port of its
 * own (next_ephemeral_port), so that a connection an earlier socket still
 * has is not the one the new SYN reaches. */
static void passive_port(struct runner *r, const struct script_packet *p)
{
    if (!(p->flags & SYNACK_TCP_SYN) || (p->flags & SYNACK_TCP_ACK) || !r->map.new_socket)
        return;
    if (r->map.passive_conns++ > 0 && !p->ports_given)
        r->map.remote_port++;
    r->map.new_socket = false;
}

static int build_tcp(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    uint8_t opts[SYNACK_TCP_OPT_MAX + 4];
    size_t optlen;
    passive_port(r, p);
    if (build_options(r, ev, opts, &optlen) < 0)
        return -1;
    struct synack_tcp h = {
        .sport = p->ports_given ? p->sport : r->map.remote_port,
        .dport = p->ports_given ? p->dport : r->map.local_port,
        .reserved = p->ae ? SCRIPT_TCP_AE : 0, /* RFC 9768 3.2.2: AE, next to CWR */
        .flags = p->flags,
        .window = p->win,
        .urg_ptr = p->urg_given ? p->urg : 0,
    };
    if (p->seq_edge && !r->map.edge_known) {
        run_error(r, ev, "%s: the stack has announced no window yet (no segment with ACK "
                  "from it)", SCRIPT_WND_EDGE);
        return -1;
    }
    if (p->flags & SYNACK_TCP_SYN)
        r->map.script_wscale = offers_wscale(p);
    live_numbers(r, p, &h.seq, &h.ack);
    size_t seglen = SYNACK_TCP_HDR_MIN + optlen + p->seq_len, ihl = ip_hlen(r);
    if (ihl + seglen > sizeof r->buf) {
        run_error(r, ev, "packet too long");
        return -1;
    }
    uint8_t *seg = r->buf + ihl;
    size_t hl = synack_tcp_build(seg, sizeof r->buf - ihl, &h, opts, optlen, NULL);
    memset(seg + hl, 0, p->seq_len); /* the payload: zeros, like packetdrill */
    uint32_t ps = synack_cksum_pseudo_addr(&r->remote, &r->local, SYNACK_IPPROTO_TCP,
                                           (uint32_t)seglen);
    synack_put16(seg + 16, synack_cksum_fold(synack_cksum_add(ps, seg, seglen)));
    ip_header(r, p, SYNACK_IPPROTO_TCP, seglen);
    *len = ihl + seglen;
    return 0;
}

/* The datagram an ICMP error quotes: one the stack sent to the script. */
static size_t icmp_quote(struct runner *r, const struct script_icmp *ic, uint8_t *q)
{
    uint8_t proto = ic->echoed == SCRIPT_ICMP_ECHO_TCP ? SYNACK_IPPROTO_TCP
                    : ic->echoed == SCRIPT_ICMP_ECHO_UDP ? SYNACK_IPPROTO_UDP
                                                         : 255;
    size_t ihl = ip_hlen(r);
    if (v6(r)) {
        struct synack_ipv6 h6 = {.next = proto, .hop_limit = 64};
        memcpy(h6.src, r->local.a, 16);
        memcpy(h6.dst, r->remote.a, 16);
        synack_ipv6_build(q, ihl, &h6, 20u + ic->len, NULL);
    } else {
        struct synack_ipv4 h = {.id = 1, .ttl = 64, .proto = proto,
                                .src = synack_addr_v4(&r->local), .dst = synack_addr_v4(&r->remote)};
        synack_ipv4_build(q, ihl, &h, 20u + ic->len, NULL);
    }
    memset(q + ihl, 0, 8);
    if (ic->echoed == SCRIPT_ICMP_ECHO_TCP) { /* ports and sequence number: RFC 792 */
        synack_put16(q + ihl, r->map.local_port);
        synack_put16(q + ihl + 2, r->map.remote_port);
        synack_put32(q + ihl + 4, ic->seq_start + r->map.live_local_isn);
    }
    return ihl + 8;
}

static int build_icmp(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    const struct script_icmp *ic = &p->icmp;
    uint8_t data[64];
    size_t dlen = 0;
    uint32_t rest = 0;
    if (synack_icmp_type_is_error(ic->type) || ic->echoed_given)
        dlen = icmp_quote(r, ic, data);
    if (ic->mtu_given)
        rest = ic->mtu;
    if (ic->id_given)
        rest = (uint32_t)ic->echo_id << 16;
    size_t ihl = ip_hlen(r), n;
    if (v6(r)) { /* the ICMPv6 counterpart (icmp_type_to_v6) */
        uint8_t t6, c6;
        if (!icmp_type_to_v6(ic->type, ic->code, &t6, &c6)) {
            run_skip(r, ev, "ICMP type %u code %u has no ICMPv6 counterpart", ic->type, ic->code);
            return -1;
        }
        n = synack_icmp6_build(r->buf + ihl, sizeof r->buf - ihl, t6, c6, rest, data, dlen,
                               r->remote.a, r->local.a, NULL);
    } else {
        n = synack_icmp_build(r->buf + ihl, sizeof r->buf - ihl, ic->type, ic->code, rest, data,
                              dlen, NULL);
    }
    ip_header(r, p, SYNACK_IPPROTO_ICMP, n);
    *len = ihl + n;
    return 0;
}

/* ---- mutations ---- */

enum csum_mode { CSUM_COMPUTE, CSUM_GIVEN, CSUM_BAD };

struct mut_state {
    enum csum_mode ip, l4;
    size_t trunc;
};

static void set16(uint8_t *p, uint32_t v) { synack_put16(p, (uint16_t)v); }

/* Set one field; checksums are only noted here and settled afterwards.
 * hl: the header length ip.options made (the TCP header follows it). */
static void apply_mutation(uint8_t *pkt, size_t hl, const struct script_mutation *m,
                           struct mut_state *st)
{
    uint8_t *tcp = pkt + hl;
    switch (m->field) {
    case SCRIPT_MUT_IP_VERSION: pkt[0] = (uint8_t)((m->value << 4) | (pkt[0] & 0x0f)); break;
    case SCRIPT_MUT_IP_IHL: pkt[0] = (uint8_t)((pkt[0] & 0xf0) | m->value); break;
    case SCRIPT_MUT_IP_TOS: pkt[1] = (uint8_t)m->value; break;
    case SCRIPT_MUT_IP_LEN: set16(pkt + 2, m->value); break;
    case SCRIPT_MUT_IP_ID: set16(pkt + 4, m->value); break;
    case SCRIPT_MUT_IP_DF: pkt[6] = (uint8_t)((pkt[6] & ~0x40) | (m->value ? 0x40 : 0)); break;
    case SCRIPT_MUT_IP_MF: pkt[6] = (uint8_t)((pkt[6] & ~0x20) | (m->value ? 0x20 : 0)); break;
    case SCRIPT_MUT_IP_FRAG_OFF: set16(pkt + 6, (synack_get16(pkt + 6) & 0xe000u) | m->value); break;
    case SCRIPT_MUT_IP_TTL: pkt[8] = (uint8_t)m->value; break;
    case SCRIPT_MUT_IP_PROTO: pkt[9] = (uint8_t)m->value; break;
    case SCRIPT_MUT_IP_CSUM:
        st->ip = m->bad ? CSUM_BAD : CSUM_GIVEN;
        set16(pkt + 10, m->value);
        break;
    case SCRIPT_MUT_IP_SRC: synack_put32(pkt + 12, m->value); break;
    case SCRIPT_MUT_IP_DST: synack_put32(pkt + 16, m->value); break;
    case SCRIPT_MUT_TCP_SPORT: set16(tcp, m->value); break;
    case SCRIPT_MUT_TCP_DPORT: set16(tcp + 2, m->value); break;
    case SCRIPT_MUT_TCP_DOFF: tcp[12] = (uint8_t)((m->value << 4) | (tcp[12] & 0x0f)); break;
    case SCRIPT_MUT_TCP_RESERVED: tcp[12] = (uint8_t)((tcp[12] & 0xf0) | m->value); break;
    case SCRIPT_MUT_TCP_CSUM:
        st->l4 = m->bad ? CSUM_BAD : CSUM_GIVEN;
        set16(tcp + 16, m->value);
        break;
    case SCRIPT_MUT_TCP_URG_PTR: set16(tcp + 18, m->value); break;
    case SCRIPT_MUT_TRUNCATE: st->trunc = m->value; break;
    case SCRIPT_MUT_IP_OPTIONS: break; /* inserted before the others (insert_ip_options) */
    case SCRIPT_MUT_IP_FRAG: break; /* at injection: inbound_inject */
    case SCRIPT_MUT_COUNT: break;
    }
}

/* Compute a checksum field over [start, start+n) (with the TCP pseudo-
 * header when pseudo), then flip it when the script asked for a bad one. */
static void settle_checksum(uint8_t *field, const uint8_t *start, size_t n, uint32_t pseudo,
                            enum csum_mode mode)
{
    if (mode == CSUM_GIVEN)
        return;
    synack_put16(field, 0);
    uint16_t c = synack_cksum_fold(synack_cksum_add(pseudo, start, n));
    /* off by 0x100: a sum that cannot fold to zero, whatever c is */
    synack_put16(field, mode == CSUM_BAD ? (uint16_t)(c ^ 0x100u) : c);
}

/* ip.options: the octets after the fixed header, IHL and total length grown
 * to hold them (the checksum is settled with the others). Returns the
 * header length, 0 when the datagram would pass 65535 octets. */
static size_t insert_ip_options(struct runner *r, const struct script_packet *p, size_t *len)
{
    for (size_t i = 0; i < p->mut_count; i++) {
        const struct script_mutation *m = &p->muts[i];
        if (m->field != SCRIPT_MUT_IP_OPTIONS)
            continue;
        size_t n = m->value; /* a multiple of 4, at most 40: the parser checked */
        if (*len + n > 65535u)
            return 0;
        memmove(r->buf + IP_HDR + n, r->buf + IP_HDR, *len - IP_HDR);
        memcpy(r->buf + IP_HDR, m->data, n);
        r->buf[0] = (uint8_t)(0x40 | (IP_HDR + n) / 4);
        *len += n;
        synack_put16(r->buf + 2, (uint16_t)*len);
        return IP_HDR + n;
    }
    return IP_HDR;
}

/* An ipv6 run: the fields IPv6 has (version, traffic class as ip.tos,
 * payload length as ip.len, hop limit as ip.ttl, next header as ip.proto),
 * TCP's after the 40-octet header; the IPv4-only ones skip the vector. */
static int apply_mutations6(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    struct mut_state st = {CSUM_COMPUTE, CSUM_COMPUTE, SIZE_MAX};
    uint8_t *pkt = r->buf;
    for (size_t i = 0; i < p->mut_count; i++) {
        const struct script_mutation *m = &p->muts[i];
        switch (m->field) {
        case SCRIPT_MUT_IP_VERSION: pkt[0] = (uint8_t)((m->value << 4) | (pkt[0] & 0x0f)); break;
        case SCRIPT_MUT_IP_TOS:
            pkt[0] = (uint8_t)((pkt[0] & 0xf0) | (m->value >> 4));
            pkt[1] = (uint8_t)((pkt[1] & 0x0f) | ((m->value & 0xf) << 4));
            break;
        case SCRIPT_MUT_IP_LEN: set16(pkt + 4, m->value); break;
        case SCRIPT_MUT_IP_TTL: pkt[7] = (uint8_t)m->value; break;
        case SCRIPT_MUT_IP_PROTO: pkt[6] = (uint8_t)m->value; break;
        case SCRIPT_MUT_IP_IHL: case SCRIPT_MUT_IP_ID: case SCRIPT_MUT_IP_DF:
        case SCRIPT_MUT_IP_MF: case SCRIPT_MUT_IP_FRAG_OFF: case SCRIPT_MUT_IP_CSUM:
        case SCRIPT_MUT_IP_SRC: case SCRIPT_MUT_IP_DST: case SCRIPT_MUT_IP_OPTIONS:
            run_skip(r, ev, "mutation %s is of IPv4's header: not in an ipv6 run",
                     script_mutation_name(m->field));
            return -1;
        default:
            apply_mutation(pkt, SYNACK_IPV6_HDR, m, &st);
        }
    }
    uint8_t *l4 = pkt + SYNACK_IPV6_HDR;
    size_t l4len = *len - SYNACK_IPV6_HDR;
    uint8_t next = p->proto == SCRIPT_PROTO_TCP ? SYNACK_IPPROTO_TCP : SYNACK_IPPROTO_ICMPV6;
    uint32_t ph = synack_cksum_pseudo6(pkt + 8, pkt + 24, next, (uint32_t)l4len);
    settle_checksum(l4 + (p->proto == SCRIPT_PROTO_TCP ? 16 : 2), l4, l4len, ph, st.l4);
    if (st.trunc < *len)
        *len = st.trunc;
    return 0;
}

static int apply_mutations(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    struct mut_state st = {CSUM_COMPUTE, CSUM_COMPUTE, SIZE_MAX};
    if (v6(r))
        return apply_mutations6(r, ev, len);
    size_t hl = insert_ip_options(r, p, len);
    if (hl == 0) {
        run_error(r, ev, "packet too long for its ip.options");
        return -1;
    }
    for (size_t i = 0; i < p->mut_count; i++)
        apply_mutation(r->buf, hl, &p->muts[i], &st);
    uint8_t *l4 = r->buf + hl;
    size_t l4len = *len - hl;
    if (p->proto == SCRIPT_PROTO_TCP) {
        uint32_t ph = synack_cksum_pseudo(synack_get32(r->buf + 12), synack_get32(r->buf + 16),
                                          SYNACK_IPPROTO_TCP, (uint16_t)l4len);
        settle_checksum(l4 + 16, l4, l4len, ph, st.l4);
    } else {
        settle_checksum(l4 + 2, l4, l4len, 0, st.l4);
    }
    settle_checksum(r->buf + 10, r->buf, hl, 0, st.ip);
    if (st.trunc < *len)
        *len = st.trunc;
    return 0;
}

int inbound_build(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    int rc = p->proto == SCRIPT_PROTO_TCP ? build_tcp(r, ev, len) : build_icmp(r, ev, len);
    if (rc == 0 && p->mut_count)
        rc = apply_mutations(r, ev, len);
    return rc;
}

/* ---- fragments (ip.frag) ---- */

/* Would a correct receiver get the whole datagram from these ranges, taken
 * in order? They tile the payload before any range meets another (an
 * exact repeat of a range is a duplicate), and the first holds the
 * transport header (RFC 1858). Only then is the datagram handed to the
 * oracle, which does not reassemble; otherwise the receiver drops it. */
static bool frags_make_datagram(const struct script_packet *p, size_t plen, size_t l4hdr)
{
    uint8_t *seen = calloc(plen ? plen : 1, 1);
    bool ok = seen != NULL;
    for (size_t i = 0; ok && i < p->frag_count; i++) {
        const struct script_frag *f = &p->frags[i];
        size_t end = f->to_end ? plen : f->end;
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = p->frags[j].start == f->start && p->frags[j].to_end == f->to_end &&
                     (f->to_end || p->frags[j].end == f->end);
        if (repeat)
            continue;
        ok = !(f->start == 0 && end < l4hdr);
        for (size_t k = f->start; ok && k < end; k++)
            ok = !seen[k]++;
    }
    for (size_t k = 0; ok && k < plen; k++)
        ok = seen[k];
    free(seen);
    return ok;
}

/* IPv6 (RFC 8200 4.5): the fixed header (the unfragmentable part), a
 * fragment header naming the upper layer, the fragment's octets. */
static size_t build_fragment6(const struct runner *r, size_t plen, size_t start, size_t end,
                              uint32_t id, uint8_t *out)
{
    const size_t h = SYNACK_IPV6_HDR;
    memcpy(out, r->buf, h);
    out[6] = SYNACK_IPPROTO_FRAGMENT;
    synack_put16(out + 4, (uint16_t)(8 + end - start));
    out[h] = r->buf[6];
    out[h + 1] = 0;
    synack_put16(out + h + 2, (uint16_t)(start | (end < plen ? 1 : 0)));
    synack_put32(out + h + 4, id);
    memcpy(out + h + 8, r->buf + h + start, end - start);
    return h + 8 + end - start;
}

/* One fragment: payload octets [start, end) of the datagram in r->buf. */
static size_t build_fragment(const struct runner *r, size_t hlen, size_t plen, size_t start,
                             size_t end, uint8_t *out)
{
    memcpy(out, r->buf, hlen);
    memcpy(out + hlen, r->buf + hlen + start, end - start);
    uint16_t frag = synack_get16(r->buf + 6) & (SYNACK_IP_DF | SYNACK_IP_RF);
    synack_put16(out + 2, (uint16_t)(hlen + end - start));
    synack_put16(out + 6, (uint16_t)(frag | (end < plen ? SYNACK_IP_MF : 0) | start / 8));
    settle_checksum(out + 10, out, hlen, 0, CSUM_COMPUTE);
    return hlen + end - start;
}

/* Hand the datagram to the target. One a real device cannot carry (longer
 * than its link's MTU: the mem target has none) skips the vector with the
 * reason, any other refusal is the vector's error: never a datagram lost
 * without a word, to surface later as a packet the stack did not send. */
static void inject(struct runner *r, const struct script_event *ev, const uint8_t *pkt, size_t n)
{
    int e = r->ops->inject(r->t, pkt, n);
    if (e == -EMSGSIZE)
        run_skip(r, ev, "target %s cannot send a datagram of %zu octets: longer than its "
                 "link's MTU", r->ops->name, n);
    else if (e < 0)
        run_error(r, ev, "target %s refused a datagram of %zu octets: %s", r->ops->name, n,
                  strerror(-e));
}

static void inject_fragments(struct runner *r, const struct script_event *ev, size_t len,
                             int64_t now)
{
    const struct script_packet *p = &ev->packet;
    size_t hlen = v6(r) ? SYNACK_IPV6_HDR : (r->buf[0] & 0x0fu) * 4u, plen = len - hlen;
    uint32_t id6 = 0x5a000000u | r->ip_id++; /* IPv6's 32-bit identification */
    for (size_t i = 0; i < p->frag_count; i++) {
        const struct script_frag *f = &p->frags[i];
        if (f->start >= plen || (!f->to_end && f->end > plen)) {
            run_error(r, ev, "ip.frag: fragment %zu (from octet %u) runs past the %zu octets "
                      "of the datagram's payload", i + 1, f->start, plen);
            return;
        }
    }
    uint8_t *out = malloc(RUN_PKT_MAX);
    if (!out) {
        run_error(r, ev, "out of memory");
        return;
    }
    for (size_t i = 0; i < p->frag_count && !r->failed; i++) {
        const struct script_frag *f = &p->frags[i];
        size_t end = f->to_end ? plen : f->end;
        size_t n = v6(r) ? build_fragment6(r, plen, f->start, end, id6, out)
                         : build_fragment(r, hlen, plen, f->start, end, out);
        run_capture(r, out, n, now);
        inject(r, ev, out, n);
    }
    free(out);
    size_t l4hdr = p->proto == SCRIPT_PROTO_TCP ? (r->buf[hlen + 12] >> 4) * 4u : 8u;
    if (frags_make_datagram(p, plen, l4hdr))
        run_oracle(r, r->buf, len, now, false);
}

void inbound_inject(struct runner *r, const struct script_event *ev, size_t len, int64_t now)
{
    if (ev->packet.frag_count) {
        inject_fragments(r, ev, len, now);
        return;
    }
    run_record(r, r->buf, len, now, false);
    inject(r, ev, r->buf, len);
}

/* Inbound packets: from a script line to the datagram injected into the
 * stack. Sequence numbers are made live as packetdrill does (SYNs
 * absolute, the rest relative to each side's ISN); mutations (synack's
 * extension) are applied last, then checksums, then truncation. */
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
        .ctx = r,
    };
    int n = script_options_to_wire(p, &map, out, SYNACK_TCP_OPT_MAX);
    if (n < 0) {
        run_error(r, ev, "TCP options take more than 40 octets");
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

static size_t ip_header(struct runner *r, const struct script_packet *p, uint8_t proto,
                        size_t payload)
{
    struct synack_ipv4 h = {
        .tos = ip_tos_of(p),
        .id = r->ip_id++,
        .frag = p->frag_count ? 0 : SYNACK_IP_DF, /* a datagram to fragment has no DF */
        .ttl = p->ip.ttl_given ? p->ip.ttl : 64,
        .proto = proto,
        .src = r->remote_ip,
        .dst = r->local_ip,
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
    *seq = syn ? p->seq_start : p->seq_start + r->map.remote_isn;
    *ack = 0;
    if (p->ack_given || (p->flags & SYNACK_TCP_ACK))
        *ack = p->ack + (syn ? r->map.live_local_isn - r->map.script_local_isn
                             : r->map.live_local_isn);
}

static int build_tcp(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    uint8_t opts[SYNACK_TCP_OPT_MAX + 4];
    size_t optlen;
    if (build_options(r, ev, opts, &optlen) < 0)
        return -1;
    struct synack_tcp h = {
        .sport = p->ports_given ? p->sport : r->map.remote_port,
        .dport = p->ports_given ? p->dport : r->map.local_port,
        .flags = p->flags,
        .window = p->win,
        .urg_ptr = p->urg_given ? p->urg : 0,
    };
    live_numbers(r, p, &h.seq, &h.ack);
    size_t seglen = SYNACK_TCP_HDR_MIN + optlen + p->seq_len;
    if (IP_HDR + seglen > sizeof r->buf) {
        run_error(r, ev, "packet too long");
        return -1;
    }
    uint8_t *seg = r->buf + IP_HDR;
    size_t hl = synack_tcp_build(seg, sizeof r->buf - IP_HDR, &h, opts, optlen, NULL);
    memset(seg + hl, 0, p->seq_len); /* the payload: zeros, like packetdrill */
    synack_tcp_checksum_set(seg, seglen, r->remote_ip, r->local_ip);
    ip_header(r, p, SYNACK_IPPROTO_TCP, seglen);
    *len = IP_HDR + seglen;
    return 0;
}

/* The datagram an ICMP error quotes: one the stack sent to the script. */
static size_t icmp_quote(struct runner *r, const struct script_icmp *ic, uint8_t *q)
{
    uint8_t proto = ic->echoed == SCRIPT_ICMP_ECHO_TCP ? SYNACK_IPPROTO_TCP
                    : ic->echoed == SCRIPT_ICMP_ECHO_UDP ? SYNACK_IPPROTO_UDP
                                                         : 255;
    struct synack_ipv4 h = {.id = 1, .ttl = 64, .proto = proto, .src = r->local_ip,
                            .dst = r->remote_ip};
    synack_ipv4_build(q, 20, &h, 20u + ic->len, NULL);
    memset(q + 20, 0, 8);
    if (ic->echoed == SCRIPT_ICMP_ECHO_TCP) { /* ports and sequence number: RFC 792 */
        synack_put16(q + 20, r->map.local_port);
        synack_put16(q + 22, r->map.remote_port);
        synack_put32(q + 24, ic->seq_start + r->map.live_local_isn);
    }
    return 28;
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
    size_t n = synack_icmp_build(r->buf + IP_HDR, sizeof r->buf - IP_HDR, ic->type, ic->code,
                                 rest, data, dlen, NULL);
    ip_header(r, p, SYNACK_IPPROTO_ICMP, n);
    *len = IP_HDR + n;
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

static int apply_mutations(struct runner *r, const struct script_event *ev, size_t *len)
{
    const struct script_packet *p = &ev->packet;
    struct mut_state st = {CSUM_COMPUTE, CSUM_COMPUTE, SIZE_MAX};
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

static void inject_fragments(struct runner *r, const struct script_event *ev, size_t len,
                             int64_t now)
{
    const struct script_packet *p = &ev->packet;
    size_t hlen = (r->buf[0] & 0x0fu) * 4u, plen = len - hlen;
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
    for (size_t i = 0; i < p->frag_count; i++) {
        const struct script_frag *f = &p->frags[i];
        size_t n = build_fragment(r, hlen, plen, f->start, f->to_end ? plen : f->end, out);
        run_capture(r, out, n, now);
        r->ops->inject(r->t, out, n);
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
    r->ops->inject(r->t, r->buf, len);
}

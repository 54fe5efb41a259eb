/* The stack instance (dispatch): the input path link -> wire -> IPv4 host
 * rules -> TCP or ICMP, the output path TCP/ICMP -> IPv4 header -> link,
 * timers across all connections, counters. No clock, no system calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/stack_internal.h"
#include "util/mutant.h"

#define ICMP_BUF_SIZE (20u + (s->cfg.mtu > 576u ? s->cfg.mtu : 576u))

/* TCP's output: the IPv4 header goes into the headroom, then the link. */
static void stack_ip_output(void *ctx, uint8_t *pkt, size_t seglen, uint32_t src, uint32_t dst,
                            uint8_t tos, uint8_t ttl, bool df, uint64_t now)
{
    struct synack_stack *s = ctx;
    struct synack_ipv4 h = {
        .tos = tos,
        .id = s->ip_id++,
        .frag = df ? SYNACK_IP_DF : 0, /* RFC 1191 3 */
        .ttl = ttl ? ttl : s->cfg.ttl,
        .proto = SYNACK_IPPROTO_TCP,
        .src = src,
        .dst = dst,
    };
    synack_ipv4_build(pkt, TCP_IP_HEADROOM, &h, seglen, NULL);
    s->cnt.ip_out++;
    if (s->link.send(s->link.ctx, pkt, TCP_IP_HEADROOM + seglen, now) != 0)
        s->cnt.link_drop++;
}

struct synack_stack *synack_stack_new(const struct synack_config *cfg,
                                      const struct synack_link *link, int *err)
{
    int e = (!cfg || !link || !link->send) ? -EINVAL : (synack_config_check(cfg) ? -EINVAL : 0);
    struct synack_stack *s = e ? NULL : calloc(1, sizeof *s);
    if (!e && !s)
        e = -ENOMEM;
    if (e) {
        if (err)
            *err = e;
        return NULL;
    }
    s->cfg = *cfg;
    s->link = *link;
    s->host = (struct ip_host){cfg->addr, cfg->prefix_len};
    rng_seed(&s->rng, cfg->rng_seed);
    s->ip_id = (uint16_t)rng_next(&s->rng);
    s->icmp_buf = malloc(ICMP_BUF_SIZE);
    struct ip_reasm_cfg rc = {cfg->reasm_max, cfg->reasm_mem_max, cfg->reasm_dgram_max,
                              cfg->reasm_timeout};
    e = s->icmp_buf ? ip_reasm_init(&s->reasm, &rc, &s->cnt) : -ENOMEM;
    if (!e && (e = tcp_ctx_init(&s->tcp, &s->cfg, &s->cnt, &s->rng, stack_ip_output, s)))
        ip_reasm_destroy(&s->reasm);
    if (e) {
        free(s->icmp_buf);
        free(s);
        if (err)
            *err = e;
        return NULL;
    }
    return s;
}

void synack_stack_free(struct synack_stack *s)
{
    if (!s)
        return;
    if (s->sockets_free)
        s->sockets_free(s);
    tcp_ctx_destroy(&s->tcp);
    ip_reasm_destroy(&s->reasm);
    free(s->icmp_buf);
    free(s);
}

/* ---- ICMP ---- */

static bool icmp_rate_ok(struct synack_stack *s, uint64_t now)
{
    if (rate_limit_take(&s->icmp_limit, s->cfg.icmp_error_limit, now))
        return true;
    s->cnt.icmp_errors_ratelimited++;
    return false;
}

static void icmp_send(struct synack_stack *s, uint32_t dst, size_t icmp_len, uint64_t now)
{
    struct synack_ipv4 h = {
        .id = s->ip_id++,
        .ttl = s->cfg.ttl,
        .proto = SYNACK_IPPROTO_ICMP,
        .src = s->cfg.addr,
        .dst = dst,
    };
    synack_ipv4_build(s->icmp_buf, 20, &h, icmp_len, NULL);
    s->cnt.ip_out++;
    if (s->link.send(s->link.ctx, s->icmp_buf, 20 + icmp_len, now) != 0)
        s->cnt.link_drop++;
}

/* An ICMP error quoting the datagram ip (at pkt, its first len octets):
 * protocol unreachable (RFC 1122 3.2.2.1), reassembly time exceeded (3.3.2). */
static void icmp_send_error(struct synack_stack *s, const struct synack_ipv4 *ip,
                            const uint8_t *pkt, size_t len, uint8_t type, uint8_t code,
                            uint32_t rest, uint64_t now)
{
    if (!icmp_error_allowed(&s->host, ip) || !icmp_rate_ok(s, now))
        return;
    size_t cap = (s->cfg.mtu < 576u ? s->cfg.mtu : 576u) - 20u; /* within the MTU */
    size_t n = icmp_build_error(s->icmp_buf + 20, cap, type, code, rest, pkt, len);
    if (n) {
        s->cnt.icmp_errors_sent++;
        icmp_send(s, ip->src, n, now);
    }
}

static void icmp_input(struct synack_stack *s, const struct synack_ipv4 *ip, enum ip_dst_kind k,
                       uint64_t now)
{
    struct synack_icmp icmp;
    s->cnt.icmp_in++;
    if (synack_icmp_parse(ip->payload, ip->payload_len, 0, &icmp, NULL) != WIRE_OK) {
        s->cnt.icmp_drop_malformed++;
        return;
    }
    if (icmp.type == ICMP_ECHO_REQUEST) {
        if (k != IP_DST_OURS)
            return; /* RFC 1122 3.2.2.6: echo to broadcast MAY be discarded */
        size_t n = icmp_build_echo_reply(s->icmp_buf + 20, s->cfg.mtu - 20u, &icmp);
        if (n) { /* longer requests than our buffer are not answered */
            s->cnt.icmp_echo_replied++;
            icmp_send(s, ip->src, n, now);
        }
        return;
    }
    if (!icmp.is_error || k != IP_DST_OURS)
        return;
    if (icmp.inner.proto != SYNACK_IPPROTO_TCP || icmp.inner.src != s->cfg.addr) {
        s->cnt.icmp_drop_no_conn++;
        return;
    }
    if (!MUTANT(icmp_not_delivered))
        tcp_icmp_error(&s->tcp, &icmp, now); /* MUST-54 */
}

/* ---- TCP ---- */

static void tcp_dispatch(struct synack_stack *s, const struct synack_ipv4 *ip,
                         enum ip_dst_kind k, uint64_t now)
{
    if (k != IP_DST_OURS && !MUTANT(tcp_to_broadcast_accepted)) {
        s->cnt.tcp_drop_bcast++; /* MUST-57: no TCP to broadcast or multicast */
        return;
    }
    struct synack_tcp th;
    struct synack_wire_error we;
    int r = synack_tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, 0, &th, &we);
    if (r == WIRE_ETCP_CHECKSUM && MUTANT(checksum_not_checked))
        r = synack_tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, WIRE_PARSE_NO_CHECKSUM, &th, &we);
    if (r == WIRE_ETCP_CHECKSUM) {
        s->cnt.tcp_drop_checksum++; /* MUST-3 */
        return;
    }
    if (r >= WIRE_ETCP_OPT_TRUNCATED && r <= WIRE_ETCP_TS_LEN) {
        /* MUST-7: an illegal option length is handled by dropping the
         * segment (counted); the connection is left alone. */
        s->cnt.tcp_drop_bad_option++;
        return;
    }
    if (r != WIRE_OK) {
        s->cnt.tcp_drop_malformed++;
        return;
    }
    tcp_input(&s->tcp, ip->src, ip->dst, ip->tos & 3u, &th, now);
}

/* ---- input path ---- */

/* A whole datagram, to its protocol. */
static void ip_deliver(struct synack_stack *s, const struct synack_ipv4 *ip, const uint8_t *pkt,
                       enum ip_dst_kind k, uint64_t now)
{
    if (ip->proto == SYNACK_IPPROTO_TCP) {
        tcp_dispatch(s, ip, k, now);
    } else if (ip->proto == SYNACK_IPPROTO_ICMP) {
        icmp_input(s, ip, k, now);
    } else {
        s->cnt.ip_drop_proto++;
        icmp_send_error(s, ip, pkt, ip->ihl * 4u + ip->payload_len, ICMP_DEST_UNREACH,
                        ICMP_UNREACH_PROTOCOL, 0, now);
    }
}

/* A datagram that did not parse: counted, and a malformed option (RFC 791
 * 3.1; RFC 1122 3.2.1.8 ignores only well-formed ones) answered with a
 * Parameter Problem naming its octet (RFC 1122 3.2.2.5, SHOULD). */
static void ip_drop_unparsed(struct synack_stack *s, const struct synack_ipv4 *ip,
                             const uint8_t *pkt, const struct synack_wire_error *we, uint64_t now)
{
    if (we->code == WIRE_EIP_CHECKSUM) {
        s->cnt.ip_drop_checksum++; /* RFC 1122 3.2.1.2: silently discard */
    } else if (we->code >= WIRE_EIP_OPT_TRUNCATED && we->code <= WIRE_EIP_OPT_DUP) {
        s->cnt.ip_drop_bad_option++;
        icmp_send_error(s, ip, pkt, ip->ihl * 4u + ip->payload_len, ICMP_PARAM_PROBLEM, 0,
                        we->offset << 24, now);
    } else {
        s->cnt.ip_drop_malformed++; /* 3.2.1.1: version 4 only */
    }
}

void synack_stack_input(struct synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_ipv4 ip;
    struct synack_wire_error we;
    s->cnt.ip_in++;
    if (synack_ipv4_parse(pkt, len, 0, &ip, &we) != WIRE_OK) {
        ip_drop_unparsed(s, &ip, pkt, &we, now);
        return;
    }
    if (MUTANT(ip_options_dropped) && ip.ihl > 5) {
        s->cnt.ip_drop_malformed++;
        return;
    }
    enum ip_dst_kind k = ip_classify_dst(&s->host, ip.dst);
    if (k == IP_DST_OTHER) {
        s->cnt.ip_drop_not_ours++; /* 3.2.1.3: not destined for this host */
        return;
    }
    if (!ip_src_valid(&s->host, ip.src) && !MUTANT(bad_source_accepted)) {
        s->cnt.ip_drop_bad_src++; /* 3.2.1.3; MUST-63 */
        return;
    }
    if (synack_ipv4_is_fragment(&ip)) { /* RFC 1122 3.3.2: MUST reassemble */
        struct ip_frag f;
        ip_frag_from_ipv4(pkt, &ip, &f);
        if (!ip_reasm_input(&s->reasm, &f, now, &pkt, &len))
            return;
        if (synack_ipv4_parse(pkt, len, 0, &ip, NULL) != WIRE_OK)
            return; /* not reached: the header is the first fragment's, checked */
    }
    ip_deliver(s, &ip, pkt, k, now);
}

void synack_stack_batch_begin(struct synack_stack *s)
{
    tcp_batch_begin(&s->tcp);
}

void synack_stack_batch_end(struct synack_stack *s, uint64_t now)
{
    tcp_batch_end(&s->tcp, now);
}

/* RFC 1122 3.3.2: a datagram that timed out after its first fragment came
 * is answered with ICMP time exceeded, fragment reassembly time exceeded,
 * quoting that fragment's header and 8 octets of its data (RFC 792). */
static void reasm_timed_out(void *ctx, const struct ip_reasm_quote *q, uint64_t now)
{
    struct synack_stack *s = ctx;
    if (q->version != 4)
        return;
    uint8_t quote[IP_REASM_HDR_MAX + IP_REASM_QUOTE_DATA];
    size_t dlen = q->len < IP_REASM_QUOTE_DATA ? q->len : IP_REASM_QUOTE_DATA;
    memcpy(quote, q->hdr, q->hlen);
    memcpy(quote + q->hlen, q->data, dlen);
    struct synack_ipv4 ip = {
        .ihl = (uint8_t)(quote[0] & 0x0f),
        .frag = synack_get16(quote + 6),
        .proto = quote[9],
        .src = synack_get32(quote + 12),
        .dst = synack_get32(quote + 16),
        .payload = quote + q->hlen,
        .payload_len = dlen,
    };
    icmp_send_error(s, &ip, quote, q->hlen + dlen, ICMP_TIME_EXCEEDED, ICMP_TIMXCEED_REASS, 0,
                    now);
}

void synack_stack_poll(struct synack_stack *s, uint64_t now)
{
    ip_reasm_expire(&s->reasm, now, reasm_timed_out, s);
    tcp_poll(&s->tcp, now);
}

uint64_t synack_stack_deadline(const struct synack_stack *s)
{
    uint64_t t = tcp_deadline(&s->tcp), r = ip_reasm_deadline(&s->reasm);
    return r < t ? r : t;
}

uint64_t synack_stack_deadline_output(const struct synack_stack *s)
{
    return tcp_deadline_output(&s->tcp);
}

const struct synack_counters *synack_stack_counters(const struct synack_stack *s)
{
    return &s->cnt;
}

const struct synack_config *synack_stack_config(const struct synack_stack *s)
{
    return &s->cfg;
}

/* ---- counter names ---- */

static const struct {
    const char *name, *desc;
    size_t off;
} counter_table[] = {
#define SYNACK_COUNTER_ROW(n, d) {#n, d, offsetof(struct synack_counters, n)},
    SYNACK_COUNTERS(SYNACK_COUNTER_ROW)
#undef SYNACK_COUNTER_ROW
};

size_t synack_counter_count(void)
{
    return sizeof counter_table / sizeof counter_table[0];
}

const char *synack_counter_name(size_t i)
{
    return i < synack_counter_count() ? counter_table[i].name : NULL;
}

const char *synack_counter_desc(size_t i)
{
    return i < synack_counter_count() ? counter_table[i].desc : NULL;
}

uint64_t synack_counter_value(const struct synack_counters *c, size_t i)
{
    if (i >= synack_counter_count())
        return 0;
    uint64_t v;
    memcpy(&v, (const char *)c + counter_table[i].off, sizeof v);
    return v;
}

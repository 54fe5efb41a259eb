/* The stack instance (dispatch): the input path link -> wire -> IPv4 or
 * IPv6 host rules -> TCP, ICMP or ICMPv6, the output path TCP/ICMP -> IP
 * header -> link, timers across all connections, counters. No clock, no
 * system calls. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/stack_internal.h"
#include "util/mutant.h"

/* An ICMP message with its IP header: an echo reply fills the MTU, an
 * ICMPv6 error up to 1280 octets (RFC 4443 2.4 (c)). */
#define ICMP_BUF_SIZE (40u + (s->cfg.mtu > 1280u ? s->cfg.mtu : 1280u))

static const uint8_t no_addr6[16]; /* addr6 unset: no IPv6 */

static void link_send(struct synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now)
{
    s->cnt.ip_out++;
    if ((pkt[0] >> 4) == 6)
        s->cnt.ip6_out++;
    if (s->link.send(s->link.ctx, pkt, len, now) != 0)
        s->cnt.link_drop++;
}

/* A TCP segment after its IP header (iph octets at ip) to the link:
 * whole, or in pieces (the text from the send buffer) to a link that
 * takes them. */
static void link_send_segment(struct synack_stack *s, uint8_t *ip, size_t iph,
                              const struct tcp_out *o, uint64_t now)
{
    if (!s->link.sendv) {
        link_send(s, ip, iph + o->len, now);
        return;
    }
    s->cnt.ip_out++;
    if (iph == SYNACK_IPV6_HDR)
        s->cnt.ip6_out++;
    struct synack_pkt p = {.iov = {{ip, iph + o->hlen}},
                           .niov = 1 + o->ntext,
                           .len = iph + o->len,
                           .flags = o->pkt_flags,
                           .csum_start = (uint16_t)iph,
                           .csum_offset = 16,
                           .gso_size = o->gso_size};
    for (unsigned i = 0; i < o->ntext; i++)
        p.iov[1 + i] = o->text[i];
    if (s->link.sendv(s->link.ctx, &p, now) != 0)
        s->cnt.link_drop++;
}

#ifdef SYNACK_MUTATION
/* The mutant ip_picks_source (MUST-45): IP stamps its own choice of source
 * (ip_select_src) on every IPv4 segment after the SYN, whatever the
 * connection's address; the TCP checksum follows (RFC 1624), so only the
 * address is wrong. */
static uint32_t mutant_ip_picks_source(struct synack_stack *s, const struct tcp_out *o)
{
    uint8_t *seg = o->pkt + TCP_IP_HEADROOM;
    uint32_t was = synack_addr_v4(o->src), src = ip_select_src(&s->host, synack_addr_v4(o->dst));
    if ((seg[13] & SYNACK_TCP_SYN) || src == was)
        return was;
    uint16_t c = synack_get16(seg + 16);
    bool partial = o->pkt_flags & SYNACK_PKT_CSUM_PARTIAL; /* the field holds ~sum */
    c = synack_cksum_update32(partial ? (uint16_t)~c : c, was, src);
    synack_put16(seg + 16, partial ? (uint16_t)~c : c);
    return src;
}
#endif

/* TCP's output: the IP header goes into the headroom (its last 20 octets
 * for IPv4), then the link. IPv6 has no DF: a host never fragments a
 * segment (RFC 8200 5, RFC 8201), and sends no flow label (RFC 6437: 0
 * when none is set). */
static void stack_ip_output(void *ctx, const struct tcp_out *o, uint64_t now)
{
    struct synack_stack *s = ctx;
    if (o->dst->family == SYNACK_AF_INET6) {
        struct synack_ipv6 h = {.tclass = o->tos,
                                .next = SYNACK_IPPROTO_TCP,
                                .hop_limit = o->ttl ? o->ttl : s->cfg.ttl};
        memcpy(h.src, o->src->a, 16);
        memcpy(h.dst, o->dst->a, 16);
        synack_ipv6_build(o->pkt, TCP_IP_HEADROOM, &h, o->len, NULL);
        link_send_segment(s, o->pkt, SYNACK_IPV6_HDR, o, now);
        return;
    }
    uint32_t src = synack_addr_v4(o->src);
#ifdef SYNACK_MUTATION
    if (MUTANT(ip_picks_source))
        src = mutant_ip_picks_source(s, o);
#endif
    struct synack_ipv4 h = {
        .tos = o->tos,
        .id = s->ip_id++,
        .frag = o->df ? SYNACK_IP_DF : 0, /* RFC 1191 3 */
        .ttl = o->ttl ? o->ttl : s->cfg.ttl,
        .proto = SYNACK_IPPROTO_TCP,
        .src = src,
        .dst = synack_addr_v4(o->dst),
    };
    uint8_t *ip = o->pkt + TCP_IP_HEADROOM - 20u;
    synack_ipv4_build(ip, 20u, &h, o->len, NULL);
    link_send_segment(s, ip, 20u, o, now);
}

/* What TCP may hand the link: pieces, partial checksums, and segments it
 * cuts (TSO, which needs a partial checksum to fill in, as Linux's does). */
static void link_caps(struct tcp_ctx *t, const struct synack_link *link)
{
    t->link_caps = TCP_LINK_SENDV | (link->offload & SYNACK_LINK_CSUM);
    if ((link->offload & SYNACK_LINK_TSO) && (link->offload & SYNACK_LINK_CSUM) &&
        link->tso_max > TCP_IP_HEADROOM + 60u) {
        t->link_caps |= SYNACK_LINK_TSO | (link->offload & SYNACK_LINK_TSO6);
        t->tso_max = link->tso_max > 65535u ? 65535u : link->tso_max;
    }
}

/* Our addresses of each family: addr (addr6) first, then more_addrs. */
static void hosts_setup(struct synack_stack *s, const struct synack_config *cfg)
{
    memset(&s->host, 0, sizeof s->host);
    memset(&s->host6, 0, sizeof s->host6);
    s->host.addr[0] = cfg->addr;
    s->host.prefix_len[0] = cfg->prefix_len;
    memcpy(s->host6.addr[0], cfg->addr6, 16);
    s->host6.prefix_len[0] = 64; /* RFC 4291 2.5.4 */
    for (size_t i = 0; i < SYNACK_MORE_ADDRS; i++) {
        const struct synack_ifaddr *m = &cfg->more_addrs[i];
        if (m->addr.family == SYNACK_AF_INET) {
            s->host.addr[1 + i] = synack_addr_v4(&m->addr);
            s->host.prefix_len[1 + i] = m->prefix_len;
        } else if (m->addr.family == SYNACK_AF_INET6) {
            memcpy(s->host6.addr[1 + i], m->addr.a, 16);
            s->host6.prefix_len[1 + i] = m->prefix_len;
        }
    }
}

/* Everything synack_stack_new sets but the stack and its ICMP buffer:
 * on a zeroed stack it makes one, on a used one it resets it. */
static int stack_setup(struct synack_stack *s, const struct synack_config *cfg,
                       const struct synack_link *link)
{
    s->cfg = *cfg;
    s->link = *link;
    memset(&s->cnt, 0, sizeof s->cnt);
    hosts_setup(s, cfg);
    s->ipv6 = memcmp(cfg->addr6, no_addr6, 16) != 0;
    rng_seed(&s->rng, cfg->rng_seed);
    s->ip_id = (uint16_t)rng_next(&s->rng);
    s->icmp_limit = (struct rate_limit){0};
    struct ip_reasm_cfg rc = {cfg->reasm_max, cfg->reasm_mem_max, cfg->reasm_dgram_max,
                              cfg->reasm_timeout};
    int e = ip_reasm_reset(&s->reasm, &rc, &s->cnt);
    if (!e)
        e = tcp_ctx_reset(&s->tcp, &s->cfg, &s->cnt, &s->rng, stack_ip_output, s);
    if (!e && link->sendv)
        link_caps(&s->tcp, link);
    return e;
}

static int args_check(const struct synack_config *cfg, const struct synack_link *link)
{
    return (!cfg || !link || !link->send || synack_config_check(cfg)) ? -EINVAL : 0;
}

struct synack_stack *synack_stack_new(const struct synack_config *cfg,
                                      const struct synack_link *link, int *err)
{
    int e = args_check(cfg, link);
    struct synack_stack *s = e ? NULL : calloc(1, sizeof *s);
    if (!e && !s)
        e = -ENOMEM;
    if (!e) {
        s->cfg = *cfg; /* ICMP_BUF_SIZE */
        s->icmp_buf = malloc(ICMP_BUF_SIZE);
        e = s->icmp_buf ? stack_setup(s, cfg, link) : -ENOMEM;
    }
    if (e) {
        synack_stack_free(s);
        if (err)
            *err = e;
        return NULL;
    }
    return s;
}

int synack_stack_reset(struct synack_stack *s, const struct synack_config *cfg,
                       const struct synack_link *link)
{
    int e = s ? args_check(cfg, link) : -EINVAL;
    if (e)
        return e;
    size_t icmp_size = ICMP_BUF_SIZE;
    s->cfg = *cfg;
    if (icmp_size != ICMP_BUF_SIZE) {
        free(s->icmp_buf);
        if (!(s->icmp_buf = malloc(ICMP_BUF_SIZE)))
            return -ENOMEM;
    }
    if (s->sockets_free)
        s->sockets_free(s, true); /* before TCP: the sockets' TCBs go with it */
    return stack_setup(s, cfg, link);
}

void synack_stack_free(struct synack_stack *s)
{
    if (!s)
        return;
    if (s->sockets_free)
        s->sockets_free(s, false);
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

/* ICMP from src, the address the datagram it answers was sent to (RFC 1122
 * 3.2.2.6 for an echo reply). */
static void icmp_send(struct synack_stack *s, uint32_t src, uint32_t dst, size_t icmp_len,
                      uint64_t now)
{
    struct synack_ipv4 h = {
        .id = s->ip_id++,
        .ttl = s->cfg.ttl,
        .proto = SYNACK_IPPROTO_ICMP,
        .src = src,
        .dst = dst,
    };
    synack_ipv4_build(s->icmp_buf, 20, &h, icmp_len, NULL);
    link_send(s, s->icmp_buf, 20 + icmp_len, now);
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
        icmp_send(s, ip->dst, ip->src, n, now);
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
            icmp_send(s, ip->dst, ip->src, n, now);
        }
        return;
    }
    if (!icmp.is_error || k != IP_DST_OURS)
        return;
    if (icmp.inner.proto != SYNACK_IPPROTO_TCP || !ip_is_ours(&s->host, icmp.inner.src)) {
        s->cnt.icmp_drop_no_conn++;
        return;
    }
    if (!MUTANT(icmp_not_delivered))
        tcp_icmp_error(&s->tcp, &icmp, now); /* MUST-54 */
}

/* ---- TCP ---- */

#ifdef SYNACK_MUTATION
/* The mutant mss_word_aligned_only (MUST-64): the options read one 32-bit
 * word at a time, as a parser that trusts senders to align them would; an
 * MSS option that does not begin on a word boundary goes unseen. */
static void mutant_mss_unaligned(struct synack_tcp *th)
{
    struct synack_tcp_opt opt;
    size_t off = 0;
    while (synack_tcp_opt_next(th->options, th->options_len, &off, &opt, NULL) == 1)
        if (opt.kind == TCPOPT_MSS && opt.offset % 4 != 0)
            th->opts.present &= ~TCPOPT_F_MSS;
}
#endif

/* A segment synack_tcp_parse(6) returned r for, to TCP when it is whole. */
static void tcp_parsed(struct synack_stack *s, int r, const struct synack_addr *src,
                       const struct synack_addr *dst, uint8_t ecn, struct synack_tcp *th,
                       uint64_t now)
{
    if (r >= WIRE_ETCP_OPT_TRUNCATED && r <= WIRE_ETCP_TS_LEN) {
        /* MUST-7: an illegal option length is handled by dropping the
         * segment (counted); the connection is left alone. */
        s->cnt.tcp_drop_bad_option++;
#ifdef SYNACK_MUTATION
        if (MUTANT(bad_option_closes_listener))
            tcp_mutant_close_listener(&s->tcp, dst, th->dport);
#endif
        return;
    }
    if (r != WIRE_OK) {
        s->cnt.tcp_drop_malformed++;
        return;
    }
#ifdef SYNACK_MUTATION
    if (MUTANT(mss_word_aligned_only))
        mutant_mss_unaligned(th);
#endif
    tcp_input(&s->tcp, src, dst, ecn, th, now);
}

static void tcp_dispatch(struct synack_stack *s, const struct synack_ipv4 *ip,
                         enum ip_dst_kind k, unsigned in_flags, uint64_t now)
{
    if (k != IP_DST_OURS && !MUTANT(tcp_to_broadcast_accepted)) {
        s->cnt.tcp_drop_bcast++; /* MUST-57: no TCP to broadcast or multicast */
        return;
    }
    struct synack_tcp th;
    struct synack_wire_error we;
    unsigned pf = (in_flags & SYNACK_INPUT_CSUM_OK) ? WIRE_PARSE_NO_CHECKSUM : 0;
    int r = synack_tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, pf, &th, &we);
    if (r == WIRE_ETCP_CHECKSUM && MUTANT(checksum_not_checked))
        r = synack_tcp_parse(ip->payload, ip->payload_len, ip->src, ip->dst, WIRE_PARSE_NO_CHECKSUM, &th, &we);
    if (r == WIRE_ETCP_CHECKSUM) {
        s->cnt.tcp_drop_checksum++; /* MUST-3 */
        return;
    }
    struct synack_addr src = synack_addr_from_v4(ip->src), dst = synack_addr_from_v4(ip->dst);
    tcp_parsed(s, r, &src, &dst, ip->tos & 3u, &th, now);
}

/* ---- input path ---- */

/* A whole datagram, to its protocol. */
static void ip_deliver(struct synack_stack *s, const struct synack_ipv4 *ip, const uint8_t *pkt,
                       enum ip_dst_kind k, unsigned in_flags, uint64_t now)
{
    if (ip->proto == SYNACK_IPPROTO_TCP) {
        tcp_dispatch(s, ip, k, in_flags, now);
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

/* ---- IPv6 (RFC 8200) ---- */

/* ICMPv6 answering a packet to to: from to when it is ours, else from the
 * address we would use towards dst (to the all-nodes group). */
static const uint8_t *icmp6_src(const struct synack_stack *s, const uint8_t to[16],
                                const uint8_t dst[16])
{
    return ip6_is_ours(&s->host6, to) ? to : ip6_select_src(&s->host6, dst);
}

static void icmp6_send(struct synack_stack *s, const uint8_t src[16], const uint8_t dst[16],
                       size_t icmp_len, uint64_t now)
{
    struct synack_ipv6 h = {.next = SYNACK_IPPROTO_ICMPV6, .hop_limit = s->cfg.ttl};
    memcpy(h.src, src, 16);
    memcpy(h.dst, dst, 16);
    synack_ipv6_build(s->icmp_buf, SYNACK_IPV6_HDR, &h, icmp_len, NULL);
    link_send(s, s->icmp_buf, SYNACK_IPV6_HDR + icmp_len, now);
}

/* An ICMPv6 error quoting the packet pkt (len octets, its chain c), under
 * RFC 4443 2.4 (e)'s rules and the rate limit of (f). */
static void icmp6_send_error(struct synack_stack *s, const uint8_t *pkt, size_t len,
                             const struct synack_ipv6_chain *c, uint8_t type, uint8_t code,
                             uint32_t rest, uint64_t now)
{
    if (!icmp6_error_allowed(&s->host6, pkt, len, c, type, code) || !icmp_rate_ok(s, now))
        return;
    size_t cap = (s->cfg.mtu < SYNACK_IPV6_MIN_MTU ? s->cfg.mtu : SYNACK_IPV6_MIN_MTU) -
                 SYNACK_IPV6_HDR;
    const uint8_t *src = icmp6_src(s, pkt + 24, pkt + 8);
    size_t n = icmp6_build_error(s->icmp_buf + SYNACK_IPV6_HDR, cap, type, code, rest, pkt, len,
                                 src, pkt + 8);
    if (n) {
        s->cnt.icmp_errors_sent++;
        icmp6_send(s, src, pkt + 8, n, now);
    }
}

/* RFC 4443: echo requests answered (4.1: to the all-nodes group too, from
 * our unicast address); errors about our TCP segments to TCP (2.4 (c)).
 * Neighbour discovery and MLD are not ours to answer (no link layer). */
static void icmp6_input(struct synack_stack *s, const struct synack_ipv6 *ip,
                        const uint8_t *l4, size_t l4_len, enum ip_dst_kind k, uint64_t now)
{
    struct synack_icmp6 m;
    s->cnt.icmp_in++;
    if (synack_icmp6_parse(l4, l4_len, ip->src, ip->dst, 0, &m, NULL) != WIRE_OK) {
        s->cnt.icmp_drop_malformed++;
        return;
    }
    if (m.type == ICMP6_ECHO_REQUEST) {
        const uint8_t *src = icmp6_src(s, ip->dst, ip->src);
        size_t n = synack_icmp6_build(s->icmp_buf + SYNACK_IPV6_HDR,
                                      s->cfg.mtu - SYNACK_IPV6_HDR, ICMP6_ECHO_REPLY, 0, m.rest,
                                      m.data, m.data_len, src, ip->src, NULL);
        if (n) { /* longer requests than the MTU are not answered */
            s->cnt.icmp_echo_replied++;
            icmp6_send(s, src, ip->src, n, now);
        }
        return;
    }
    if (!m.is_error || k != IP_DST_OURS)
        return;
    if (m.inner.proto != SYNACK_IPPROTO_TCP || !ip6_is_ours(&s->host6, m.inner.src)) {
        s->cnt.icmp_drop_no_conn++;
        return;
    }
    tcp_icmp6_error(&s->tcp, &m, now);
}

static void tcp6_dispatch(struct synack_stack *s, const struct synack_ipv6 *ip,
                          const uint8_t *l4, size_t l4_len, enum ip_dst_kind k, uint64_t now)
{
    if (k != IP_DST_OURS) {
        s->cnt.tcp_drop_bcast++; /* no TCP to multicast */
        return;
    }
    struct synack_tcp th;
    int r = synack_tcp_parse6(l4, l4_len, ip->src, ip->dst, 0, &th, NULL);
    if (r == WIRE_ETCP_CHECKSUM) {
        s->cnt.tcp_drop_checksum++; /* MUST-3; RFC 8200 8.1 */
        return;
    }
    struct synack_addr src = synack_addr_from_v6(ip->src), dst = synack_addr_from_v6(ip->dst);
    tcp_parsed(s, r, &src, &dst, ip->tclass & 3u, &th, now);
}

/* What the extension headers ask (RFC 8200 4): an option whose action
 * bits say discard (4.2), with a Parameter Problem code 2 when they say so;
 * a routing header with Segments Left, whose type a host does not route
 * (4.4; type 0 is deprecated, RFC 5095): Parameter Problem code 0 at its
 * Routing Type. True when the packet goes on. */
static bool ip6_chain_ok(struct synack_stack *s, const uint8_t *pkt, size_t len,
                         const struct synack_ipv6_chain *c, uint64_t now)
{
    if (c->opt_off) {
        s->cnt.ip6_drop_ext++;
        if (c->opt_action == 2 || (c->opt_action == 3 && !ip6_is_multicast(pkt + 24)))
            icmp6_send_error(s, pkt, len, c, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_OPTION,
                             c->opt_off, now);
        return false;
    }
    if (c->routing) {
        s->cnt.ip6_drop_ext++;
        icmp6_send_error(s, pkt, len, c, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_HEADER,
                         c->rt_off + 2u, now);
        return false;
    }
    return true;
}

/* A whole packet (reassembled, or never fragmented), to its protocol; an
 * unknown one answered with Parameter Problem code 1 naming the Next
 * Header field (RFC 8200 4, RFC 4443 3.4). */
static void ip6_deliver(struct synack_stack *s, const uint8_t *pkt, size_t len,
                        const struct synack_ipv6_chain *c, enum ip_dst_kind k, uint64_t now)
{
    struct synack_ipv6 ip;
    synack_ipv6_parse(pkt, len, 0, &ip, NULL); /* checked by the caller */
    const uint8_t *l4 = pkt + c->l4_off;
    size_t l4_len = len - c->l4_off;
    if (c->proto == SYNACK_IPPROTO_TCP) {
        tcp6_dispatch(s, &ip, l4, l4_len, k, now);
    } else if (c->proto == SYNACK_IPPROTO_ICMPV6) {
        icmp6_input(s, &ip, l4, l4_len, k, now);
    } else {
        s->cnt.ip_drop_proto++;
        if (c->proto != SYNACK_IPPROTO_NONE) /* No Next Header: nothing follows (4.7) */
            icmp6_send_error(s, pkt, len, c, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_NEXTHDR,
                             c->proto_ptr, now);
    }
}

static void ip6_input(struct synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_ipv6 ip;
    struct synack_ipv6_chain c;
    s->cnt.ip6_in++;
    if (synack_ipv6_parse(pkt, len, 0, &ip, NULL) != WIRE_OK) {
        s->cnt.ip_drop_malformed++;
        return;
    }
    len = SYNACK_IPV6_HDR + ip.payload_len; /* without the link's padding */
    enum ip_dst_kind k = ip6_classify_dst(&s->host6, ip.dst);
    if (k == IP_DST_OTHER) {
        s->cnt.ip_drop_not_ours++;
        return;
    }
    if (!ip6_src_valid(&s->host6, ip.src)) {
        s->cnt.ip_drop_bad_src++; /* RFC 4291 2.5.2, 2.5.3, 2.5.5.2, 2.7 */
        return;
    }
    if (synack_ipv6_chain_parse(pkt, len, &c, NULL) != WIRE_OK) {
        s->cnt.ip_drop_malformed++; /* a header runs past the packet (RFC 7112 for a first
                                       fragment) */
        return;
    }
    if (!ip6_chain_ok(s, pkt, len, &c, now))
        return;
    if (c.frag) { /* RFC 8200 4.5 */
        struct ip_frag f;
        ip_frag_from_ipv6(pkt, len, &c, &f);
        if (!ip_reasm_input(&s->reasm, &f, now, &pkt, &len))
            return;
        if (synack_ipv6_chain_parse(pkt, len, &c, NULL) != WIRE_OK) {
            s->cnt.ip_drop_malformed++;
            return;
        }
        if (!ip6_chain_ok(s, pkt, len, &c, now))
            return;
    }
    ip6_deliver(s, pkt, len, &c, k, now);
}

void synack_stack_input(struct synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now)
{
    synack_stack_input_flags(s, pkt, len, 0, now);
}

void synack_stack_input_flags(struct synack_stack *s, const uint8_t *pkt, size_t len,
                              unsigned flags, uint64_t now)
{
    struct synack_ipv4 ip;
    struct synack_wire_error we;
    s->cnt.ip_in++;
    if (s->ipv6 && len && (pkt[0] >> 4) == 6) { /* else not version 4: malformed */
        ip6_input(s, pkt, len, now);
        return;
    }
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
        flags = 0; /* what the link said was of one fragment */
    }
    ip_deliver(s, &ip, pkt, k, flags, now);
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
static void reasm6_timed_out(struct synack_stack *s, const struct ip_reasm_quote *q,
                             uint64_t now)
{
    uint8_t quote[SYNACK_IPV6_MIN_MTU];
    size_t n = q->hlen, room = sizeof quote - n - 8u;
    memcpy(quote, q->hdr, n);
    memcpy(quote + n, q->frag, 8);
    memcpy(quote + n + 8, q->data, q->len < room ? q->len : room);
    n += 8u + (q->len < room ? q->len : room);
    struct synack_ipv6_chain c;
    if (synack_ipv6_chain_parse(quote, n, &c, NULL) != WIRE_OK)
        memset(&c, 0, sizeof c);
    icmp6_send_error(s, quote, n, &c, ICMP6_TIME_EXCEEDED, ICMP6_TIMXCEED_REASS, 0, now);
}

static void reasm_timed_out(void *ctx, const struct ip_reasm_quote *q, uint64_t now)
{
    struct synack_stack *s = ctx;
    if (q->version == 6) { /* RFC 8200 4.5: the same, in ICMPv6 */
        reasm6_timed_out(s, q, now);
        return;
    }
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

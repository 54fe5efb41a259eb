/* One stack and a fake peer that crafts segments (see probe.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/probe.h"

/* Only to find a TCB by its 4-tuple when no socket names it (a passive
 * child in SYN-RECEIVED, an orphan after close). */
#include "core/stack_internal.h"
#include "tcp/tcp_internal.h"

/* ---- the capturing link ---- */

/* An ICMP error about a datagram with fewer than 8 octets of payload
 * quotes all of it (RFC 792: "Internet Header + 64 bits of Original Data"
 * is the most, not a minimum). The parser wants 8 octets to find a
 * connection, so it calls such a message truncated; accept it when the
 * checksum is right and the quote is the whole original datagram. */
static bool icmp_quotes_whole_datagram(int r, const struct synack_icmp *icmp)
{
    if (r != WIRE_EICMP_INNER_TRUNCATED || icmp->data_len < 20)
        return false;
    return synack_get16(icmp->data + 2) == icmp->data_len;
}

/* Every datagram the stack sends must parse with its checksums verified
 * (IPv4 header, TCP with the pseudo-header, ICMP): MUST-2. */
static void verify_outbound(const uint8_t *pkt, size_t len)
{
    struct synack_ipv4 ip;
    struct synack_wire_error err = {WIRE_OK, 0};
    int r = synack_ipv4_parse(pkt, len, 0, &ip, &err);
    if (r != WIRE_OK)
        fail_msg("outbound datagram: %s at %u", synack_wire_strerror(err.code), err.offset);
    assert_int_equal(ip.total_len, len);
    assert_false(synack_ipv4_is_fragment(&ip));
    if (ip.proto == SYNACK_IPPROTO_TCP) {
        struct synack_tcp th;
        r = synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th, &err);
        if (r != WIRE_OK)
            fail_msg("outbound TCP: %s at %u", synack_wire_strerror(err.code), err.offset);
        /* MUST-65: MSS only in SYNs */
        if (!(th.flags & SYNACK_TCP_SYN))
            assert_false(th.opts.present & TCPOPT_F_MSS);
    } else if (ip.proto == SYNACK_IPPROTO_ICMP) {
        struct synack_icmp icmp;
        r = synack_icmp_parse(ip.payload, ip.payload_len, 0, &icmp, &err);
        if (r != WIRE_OK && !icmp_quotes_whole_datagram(r, &icmp))
            fail_msg("outbound ICMP: %s at %u", synack_wire_strerror(err.code), err.offset);
    } else {
        fail_msg("outbound datagram of protocol %u", ip.proto);
    }
}

static int probe_link_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct probe *p = ctx;
    verify_outbound(pkt, len);
    assert_true(len <= PROBE_PKT_MAX);
    if (p->qhead + p->qlen == p->qcap) {
        if (p->qhead > 0) {
            memmove(p->q, p->q + p->qhead, p->qlen * sizeof *p->q);
            p->qhead = 0;
        } else {
            size_t cap = p->qcap ? p->qcap * 2 : 64;
            struct probe_raw *q = realloc(p->q, cap * sizeof *q);
            assert_non_null(q);
            p->q = q;
            p->qcap = cap;
        }
    }
    struct probe_raw *r = &p->q[p->qhead + p->qlen++];
    r->data = malloc(len);
    assert_non_null(r->data);
    memcpy(r->data, pkt, len);
    r->len = len;
    r->when = now;
    p->sent_total++;
    return 0;
}

void probe_init(struct probe *p, const struct synack_config *cfg)
{
    memset(p, 0, sizeof *p);
    if (cfg)
        p->cfg = *cfg;
    else
        synack_config_default(&p->cfg);
    p->cfg.addr = PROBE_ADDR;
    struct synack_link link = {.send = probe_link_send, .ctx = p};
    int err = 0;
    p->st = synack_stack_new(&p->cfg, &link, &err);
    assert_non_null(p->st);
    p->now = PROBE_START;
    p->peer_addr = PROBE_PEER;
    p->peer_port = PROBE_PEER_PORT;
    p->port = PROBE_PORT;
    p->peer_isn = PROBE_PEER_ISN;
    p->peer_win = 65535;
    p->lsd = p->sd = -1;
}

void probe_free(struct probe *p)
{
    synack_stack_free(p->st);
    for (size_t i = 0; i < p->qlen; i++)
        free(p->q[p->qhead + i].data);
    free(p->q);
    memset(p, 0, sizeof *p);
}

/* ---- injecting ---- */

size_t probe_build_tcp(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint16_t sport,
                       uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                       const struct synack_tcp_opts *opts, const void *data, size_t len)
{
    struct synack_wire_error err = {WIRE_OK, 0};
    uint8_t ob[SYNACK_TCP_OPT_MAX];
    size_t optlen = 0;
    if (opts) {
        optlen = synack_tcp_opts_build(ob, sizeof ob, opts, &err);
        assert_int_equal(err.code, WIRE_OK);
    }
    assert_true(cap >= 20 + 20 + optlen + len);
    struct synack_tcp h = {.sport = sport, .dport = dport, .seq = seq, .ack = ack,
                           .flags = flags, .window = win};
    size_t hlen = synack_tcp_build(buf + 20, cap - 20, &h, ob, optlen, &err);
    assert_int_not_equal(hlen, 0);
    if (len)
        memcpy(buf + 20 + hlen, data, len);
    synack_tcp_checksum_set(buf + 20, hlen + len, src, dst);
    struct synack_ipv4 ip = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .frag = SYNACK_IP_DF,
                             .id = 0x4242, .src = src, .dst = dst};
    assert_int_equal(synack_ipv4_build(buf, cap, &ip, hlen + len, &err), 20);
    return 20 + hlen + len;
}

void probe_inject_seg(struct probe *p, const struct probe_seg *s)
{
    uint8_t *buf = malloc(PROBE_PKT_MAX);
    assert_non_null(buf);
    size_t n = probe_build_tcp(buf, PROBE_PKT_MAX, p->peer_addr, p->cfg.addr, p->peer_port,
                               p->port, s->flags, p->peer_isn + s->seq, p->stack_isn + s->ack,
                               s->win, s->opts, s->data, s->len);
    if (s->urg) /* the urgent pointer: rewrite it and the checksum */
        synack_put16(buf + 20 + 18, s->urg);
    synack_tcp_checksum_set(buf + 20, n - 20, p->peer_addr, p->cfg.addr);
    synack_stack_input(p->st, buf, n, p->now);
    free(buf);
}

void probe_inject_win(struct probe *p, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t win,
                      const void *data, size_t len)
{
    struct probe_seg s = {.flags = flags, .seq = seq, .ack = ack, .win = win, .data = data,
                          .len = len};
    probe_inject_seg(p, &s);
}

void probe_inject(struct probe *p, uint8_t flags, uint32_t seq, uint32_t ack, const void *data,
                  size_t len)
{
    probe_inject_win(p, flags, seq, ack, p->peer_win, data, len);
}

void probe_inject_raw(struct probe *p, const uint8_t *pkt, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees any overread */
    assert_non_null(copy);
    if (len)
        memcpy(copy, pkt, len);
    synack_stack_input(p->st, copy, len, p->now);
    free(copy);
}

/* ---- outbound ---- */

size_t probe_pending(const struct probe *p)
{
    return p->qlen;
}

struct probe_pkt *probe_pop(struct probe *p)
{
    if (p->qlen == 0)
        return NULL;
    struct probe_raw r = p->q[p->qhead++];
    p->qlen--;
    if (p->qlen == 0)
        p->qhead = 0;
    struct probe_pkt *k = &p->last;
    memset(k, 0, sizeof *k);
    memcpy(k->data, r.data, r.len);
    k->len = r.len;
    k->when = r.when;
    free(r.data);
    assert_int_equal(synack_ipv4_parse(k->data, k->len, 0, &k->ip, NULL), WIRE_OK);
    if (k->ip.proto == SYNACK_IPPROTO_TCP) {
        k->is_tcp = true;
        assert_int_equal(synack_tcp_parse(k->ip.payload, k->ip.payload_len, k->ip.src,
                                          k->ip.dst, 0, &k->th, NULL),
                         WIRE_OK);
        if ((k->th.flags & SYNACK_TCP_SYN) && !p->stack_isn_known) {
            p->stack_isn = k->th.seq;
            p->stack_isn_known = true;
        }
        k->seq = k->th.seq - p->stack_isn;
        k->ack = k->th.ack - p->peer_isn;
    } else if (k->ip.proto == SYNACK_IPPROTO_ICMP) {
        k->is_icmp = true;
        int r = synack_icmp_parse(k->ip.payload, k->ip.payload_len, 0, &k->icmp, NULL);
        if (r != WIRE_OK)
            assert_true(icmp_quotes_whole_datagram(r, &k->icmp));
    }
    return k;
}

void probe_drain(struct probe *p)
{
    while (probe_pop(p))
        ;
}

const char *probe_flags_str(uint8_t flags, char *buf, size_t cap)
{
    static const char *const names[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < 8; i++) {
        if (!(flags & (1u << i)))
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", names[i]);
        if (w < 0 || (size_t)w >= cap - n)
            break;
        n += (size_t)w;
    }
    if (!n)
        snprintf(buf, cap, "none");
    return buf;
}

struct probe_pkt *probe_expect_at(struct probe *p, uint8_t flags, uint64_t seq, uint64_t ack,
                                  uint64_t len, const char *file, int line)
{
    char want[48], got[48];
    struct probe_pkt *k = probe_pop(p);
    if (!k) {
        print_error("%s:%d: expected a %s segment, the stack sent nothing\n", file, line,
                       probe_flags_str(flags, want, sizeof want));
        _fail(file, line);
    }
    if (!k->is_tcp) {
        print_error("%s:%d: expected a %s segment, got IP protocol %u\n", file, line,
                       probe_flags_str(flags, want, sizeof want), k->ip.proto);
        _fail(file, line);
    }
    if (k->th.flags != flags) {
        print_error("%s:%d: expected flags %s, got %s (seq %u ack %u len %zu)\n", file, line,
                       probe_flags_str(flags, want, sizeof want),
                       probe_flags_str(k->th.flags, got, sizeof got), k->seq, k->ack,
                       k->th.payload_len);
        _fail(file, line);
    }
    if (seq != PROBE_ANY && k->seq != (uint32_t)seq) {
        print_error("%s:%d: %s: expected seq %u, got %u\n", file, line,
                       probe_flags_str(flags, want, sizeof want), (uint32_t)seq, k->seq);
        _fail(file, line);
    }
    if (ack != PROBE_ANY && k->ack != (uint32_t)ack) {
        print_error("%s:%d: %s: expected ack %u, got %u\n", file, line,
                       probe_flags_str(flags, want, sizeof want), (uint32_t)ack, k->ack);
        _fail(file, line);
    }
    if (len != PROBE_ANY && k->th.payload_len != len) {
        print_error("%s:%d: %s: expected %u octets of data, got %zu\n", file, line,
                       probe_flags_str(flags, want, sizeof want), (unsigned)len,
                       k->th.payload_len);
        _fail(file, line);
    }
    /* Addressed to the peer, from our address */
    _assert_int_equal(k->ip.src, p->cfg.addr, file, line);
    return k;
}

void probe_expect_none_at(struct probe *p, const char *file, int line)
{
    char got[48];
    struct probe_pkt *k = probe_pop(p);
    if (!k)
        return;
    if (k->is_tcp)
        print_error("%s:%d: expected nothing, the stack sent %s seq %u ack %u len %zu\n",
                       file, line, probe_flags_str(k->th.flags, got, sizeof got), k->seq,
                       k->ack, k->th.payload_len);
    else
        print_error("%s:%d: expected nothing, the stack sent IP protocol %u\n", file, line,
                       k->ip.proto);
    _fail(file, line);
}

/* ---- time ---- */

bool probe_step(struct probe *p, uint64_t limit)
{
    uint64_t d = synack_stack_deadline(p->st);
    if (d == SYNACK_TIME_NEVER || d > limit)
        return false;
    if (d > p->now)
        p->now = d;
    synack_stack_poll(p->st, p->now);
    return true;
}

bool probe_to_deadline(struct probe *p)
{
    return probe_step(p, SYNACK_TIME_NEVER - 1);
}

void probe_advance(struct probe *p, uint64_t dt)
{
    uint64_t end = p->now + dt;
    for (int guard = 0; guard < 1000000 && probe_step(p, end); guard++)
        ;
    p->now = end;
    synack_stack_poll(p->st, p->now);
}

uint64_t probe_deadline_in(const struct probe *p)
{
    uint64_t d = synack_stack_deadline(p->st);
    if (d == SYNACK_TIME_NEVER)
        return d;
    return d > p->now ? d - p->now : 0;
}

/* ---- state ---- */

static struct tcp_tuple probe_tuple(const struct probe *p)
{
    return (struct tcp_tuple){synack_addr_from_v4(p->cfg.addr), synack_addr_from_v4(p->peer_addr),
                              p->port, p->peer_port};
}

struct tcb *probe_tcb(struct probe *p)
{
    struct tcp_tuple tu = probe_tuple(p);
    return tcb_lookup(&p->st->tcp, &tu);
}

enum synack_state probe_conn_state(struct probe *p)
{
    struct tcp_tuple tu = probe_tuple(p);
    return tcp_tuple_state(&p->st->tcp, &tu);
}

enum synack_state probe_sock_state(struct probe *p)
{
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    return (enum synack_state)ti.state;
}

uint32_t probe_tcb_count(struct probe *p)
{
    return p->st->tcp.n_tcbs;
}

const struct synack_counters *probe_cnt(const struct probe *p)
{
    return synack_stack_counters(p->st);
}

/* ---- bringing a connection into a state ---- */

void probe_listen(struct probe *p)
{
    p->lsd = synack_socket(p->st);
    assert_true(p->lsd >= 0);
    assert_int_equal(synack_socket_bind(p->st, p->lsd, 0, p->port), 0);
    assert_int_equal(synack_socket_listen(p->st, p->lsd, 8), 0);
}

void probe_goto_syn_received(struct probe *p)
{
    probe_listen(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYNACK_TCP_SYN, .seq = 0, .win = p->peer_win, .opts = &o};
    probe_inject_seg(p, &s);
    p->stack_isn_known = false;
    struct probe_pkt *k = probe_expect(p, SYNACK_TCP_SYN | SYNACK_TCP_ACK, 0, 1);
    assert_true(k->th.opts.present & TCPOPT_F_MSS);
    p->pseq = 1;
    p->pack = 1;
    assert_int_equal(probe_conn_state(p), SYNACK_SYN_RECEIVED);
}

void probe_goto_established(struct probe *p)
{
    probe_goto_syn_received(p);
    probe_inject(p, SYNACK_TCP_ACK, p->pseq, p->pack, NULL, 0);
    probe_expect_none(p);
    uint32_t raddr = 0;
    uint16_t rport = 0;
    p->sd = synack_socket_accept(p->st, p->lsd, &raddr, &rport);
    assert_true(p->sd >= 0);
    assert_int_equal(raddr, p->peer_addr);
    assert_int_equal(rport, p->peer_port);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
}

void probe_connect(struct probe *p)
{
    p->port = 0;
    p->peer_port = 8080;
    p->sd = synack_socket(p->st);
    assert_true(p->sd >= 0);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EINPROGRESS);
    uint16_t lport = 0;
    assert_int_equal(synack_socket_name(p->st, p->sd, NULL, &lport), 0);
    p->port = lport;
    p->stack_isn_known = false;
}

void probe_goto_syn_sent(struct probe *p)
{
    probe_connect(p);
    struct probe_pkt *k = probe_expect(p, SYNACK_TCP_SYN, 0, PROBE_ANY);
    assert_true(k->th.opts.present & TCPOPT_F_MSS);
    assert_int_equal(k->th.sport, p->port);
    p->pack = 1;
    p->pseq = 0;
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
}

void probe_goto_established_active(struct probe *p)
{
    probe_goto_syn_sent(p);
    struct synack_tcp_opts o = {.present = TCPOPT_F_MSS, .mss = 1460};
    struct probe_seg s = {.flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK, .seq = 0, .ack = 1,
                          .win = p->peer_win, .opts = &o};
    probe_inject_seg(p, &s);
    p->pseq = 1;
    probe_expect(p, SYNACK_TCP_ACK, 1, 1);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
}

void probe_goto_fin_wait_1(struct probe *p)
{
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect(p, SYNACK_TCP_FIN | SYNACK_TCP_ACK, p->pack, p->pseq);
    p->pack++;
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_1);
}

void probe_goto_fin_wait_2(struct probe *p)
{
    probe_inject(p, SYNACK_TCP_ACK, p->pseq, p->pack, NULL, 0);
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_FIN_WAIT_2);
}

void probe_goto_closing(struct probe *p)
{
    probe_inject(p, SYNACK_TCP_FIN | SYNACK_TCP_ACK, p->pseq, p->pack - 1, NULL, 0);
    p->pseq++;
    probe_expect(p, SYNACK_TCP_ACK, p->pack, p->pseq);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSING);
}

void probe_goto_time_wait(struct probe *p)
{
    probe_inject(p, SYNACK_TCP_FIN | SYNACK_TCP_ACK, p->pseq, p->pack, NULL, 0);
    p->pseq++;
    probe_expect(p, SYNACK_TCP_ACK, p->pack, p->pseq);
    assert_int_equal(probe_sock_state(p), SYNACK_TIME_WAIT);
}

void probe_goto_close_wait(struct probe *p)
{
    probe_inject(p, SYNACK_TCP_FIN | SYNACK_TCP_ACK, p->pseq, p->pack, NULL, 0);
    p->pseq++;
    probe_expect(p, SYNACK_TCP_ACK, p->pack, p->pseq);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSE_WAIT);
}

void probe_goto_last_ack(struct probe *p)
{
    assert_int_equal(synack_socket_shutdown(p->st, p->sd, SYNACK_SHUT_WR, p->now), 0);
    probe_expect(p, SYNACK_TCP_FIN | SYNACK_TCP_ACK, p->pack, p->pseq);
    p->pack++;
    assert_int_equal(probe_sock_state(p), SYNACK_LAST_ACK);
}

void probe_goto(struct probe *p, enum synack_state st)
{
    switch (st) {
    case SYNACK_LISTEN:
        probe_listen(p);
        return;
    case SYNACK_SYN_SENT:
        probe_goto_syn_sent(p);
        return;
    case SYNACK_SYN_RECEIVED:
        probe_goto_syn_received(p);
        return;
    default:
        break;
    }
    probe_goto_established(p);
    switch (st) {
    case SYNACK_ESTABLISHED:
        return;
    case SYNACK_FIN_WAIT_1:
        probe_goto_fin_wait_1(p);
        return;
    case SYNACK_FIN_WAIT_2:
        probe_goto_fin_wait_1(p);
        probe_goto_fin_wait_2(p);
        return;
    case SYNACK_CLOSING:
        probe_goto_fin_wait_1(p);
        probe_goto_closing(p);
        return;
    case SYNACK_TIME_WAIT:
        probe_goto_fin_wait_1(p);
        probe_goto_fin_wait_2(p);
        probe_goto_time_wait(p);
        return;
    case SYNACK_CLOSE_WAIT:
        probe_goto_close_wait(p);
        return;
    case SYNACK_LAST_ACK:
        probe_goto_close_wait(p);
        probe_goto_last_ack(p);
        return;
    default:
        fail_msg("probe_goto: no way to %s", synack_state_name(st));
    }
}

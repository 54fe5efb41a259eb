/* The input path against bad input (stack/core/stack.c, stack/ip/,
 * stack/tcp/tcp_icmp.c): every malformed or unwanted datagram is dropped
 * and counted, never answered where RFC 1122 says not to, never a crash;
 * ICMP echo and the ICMP errors a host receives, handed to the connection
 * they name (MUST-54 to MUST-56, SHLD-25, SHLD-26, RFC 5927); and a seeded
 * loop of random and mutated datagrams with memory staying bounded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "support/conn.h"
#include "support/wire_testutil.h"

#define ROUTER 0xc6336401u /* 198.51.100.1: where ICMP errors come from */

/* Counters other than the ones named must not move: a snapshot. */
static struct synack_counters snap(struct probe *p)
{
    return *probe_cnt(p);
}

/* Exactly the counter named (and ip_in, and tcp_in/icmp_in when the
 * datagram got that far) moved by one since before. */
static void assert_only(struct probe *p, const struct synack_counters *before, size_t off,
                        const char *name)
{
    size_t n = synack_counter_count();
    const struct synack_counters *now = probe_cnt(p);
    for (size_t i = 0; i < n; i++) {
        const char *cn = synack_counter_name(i);
        uint64_t a = synack_counter_value(before, i), b = synack_counter_value(now, i);
        if (!strcmp(cn, "ip_in") || !strcmp(cn, "tcp_in") || !strcmp(cn, "icmp_in"))
            continue;
        uint64_t want = a;
        if (offsetof(struct synack_counters, ip_in) + i * sizeof(uint64_t) == off)
            want = a + 1;
        if (b != want)
            fail_msg("counter %s: %llu -> %llu (expected only %s to count)", cn,
                     (unsigned long long)a, (unsigned long long)b, name);
    }
}
#define ASSERT_ONLY(p, before, name) \
    assert_only((p), (before), offsetof(struct synack_counters, name), #name)

/* An IPv4 datagram: 20-octet header, payload as given. */
static size_t ip_datagram(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t proto,
                          uint16_t frag, const void *payload, size_t len)
{
    struct synack_ipv4 h = {.ttl = 64, .proto = proto, .frag = frag, .id = 77, .src = src,
                            .dst = dst};
    assert_true(cap >= 20 + len);
    memmove(buf + 20, payload, len);
    assert_int_equal(synack_ipv4_build(buf, cap, &h, len, NULL), 20);
    return 20 + len;
}

/* A TCP datagram from the peer to the stack, absolute fields. */
static size_t tcp_datagram(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst, uint8_t flags,
                           uint32_t seq, uint32_t ack)
{
    return probe_build_tcp(buf, cap, src, dst, PROBE_PEER_PORT, PROBE_PORT, flags, seq, ack,
                           65535, NULL, NULL, 0);
}

static void fix_ip_checksum(uint8_t *pkt)
{
    size_t hlen = (pkt[0] & 0x0fu) * 4u;
    synack_put16(pkt + 10, 0);
    synack_put16(pkt + 10, synack_cksum_fold(synack_cksum_add(0, pkt, hlen)));
}

/* ---- IPv4 (RFC 1122 3.2.1) ---- */

static void test_malformed_ipv4_is_dropped_and_counted(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    uint8_t good[64];
    size_t n = tcp_datagram(good, sizeof good, PROBE_PEER, PROBE_ADDR, SYN, 1, 0);
    uint8_t b[64];
    struct synack_counters before;

    /* fewer than 20 octets, and nothing at all */
    for (size_t len = 0; len < 20; len++) {
        before = snap(p);
        probe_inject_raw(p, good, len);
        ASSERT_ONLY(p, &before, ip_drop_malformed);
    }
    /* version 6 */
    memcpy(b, good, n);
    b[0] = 0x65;
    fix_ip_checksum(b);
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, ip_drop_malformed);
    /* IHL 4 */
    memcpy(b, good, n);
    b[0] = 0x44;
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, ip_drop_malformed);
    /* IHL past the buffer */
    memcpy(b, good, n);
    b[0] = 0x4f;
    before = snap(p);
    probe_inject_raw(p, b, 40);
    ASSERT_ONLY(p, &before, ip_drop_malformed);
    /* total length below the header, and past the buffer */
    memcpy(b, good, n);
    synack_put16(b + 2, 19);
    fix_ip_checksum(b);
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, ip_drop_malformed);
    memcpy(b, good, n);
    synack_put16(b + 2, (uint16_t)(n + 1));
    fix_ip_checksum(b);
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, ip_drop_malformed);
    /* bad header checksum (RFC 1122 3.2.1.2: silently discard) */
    memcpy(b, good, n);
    b[10] ^= 0x01;
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, ip_drop_checksum);
    probe_expect_none(p);
    /* link padding after the total length is ignored: the SYN is fine */
    memcpy(b, good, n);
    memset(b + n, 0xee, 6);
    probe_inject_raw(p, b, n + 6);
    probe_expect(p, SYN | ACK, PROBE_ANY, PROBE_ANY);
}

/* RFC 1122 3.2.1.3: not addressed to us (multicast included: no group). */
static void test_datagram_not_for_us_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    const uint32_t dsts[] = {0xc0000202u, 0xc6336402u, 0xe0000001u, 0xe00000fbu};
    for (size_t i = 0; i < sizeof dsts / sizeof dsts[0]; i++) {
        uint8_t b[64];
        size_t n = tcp_datagram(b, sizeof b, PROBE_PEER, dsts[i], SYN, 1, 0);
        struct synack_counters before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, ip_drop_not_ours);
    }
    probe_expect_none(p);
}

/* MUST-63 and RFC 1122 3.2.1.3 (a)-(g): invalid sources are dropped,
 * never answered: 0/8, 127/8, multicast, limited and directed broadcast,
 * class E. */
static void test_invalid_source_addresses_are_dropped(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    const uint32_t srcs[] = {
        0x00000000u, 0x00010203u, 0x7f000001u, 0x7fffffffu, 0xe0000001u, 0xefffffffu,
        0xffffffffu, 0xc00002ffu, 0xf0000001u,
    };
    for (size_t i = 0; i < sizeof srcs / sizeof srcs[0]; i++) {
        uint8_t b[64];
        /* a SYN to a listener: it would be answered if it got through */
        size_t n = tcp_datagram(b, sizeof b, srcs[i], PROBE_ADDR, SYN, 1, 0);
        struct synack_counters before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, ip_drop_bad_src);
        /* and an unknown protocol: no ICMP error to such a source */
        uint8_t q[40];
        n = ip_datagram(q, sizeof q, srcs[i], PROBE_ADDR, 99, 0, "abcdefgh", 8);
        before = snap(p);
        probe_inject_raw(p, q, n);
        ASSERT_ONLY(p, &before, ip_drop_bad_src);
    }
    probe_expect_none(p);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* MUST-57: TCP to a broadcast address is silently discarded (no SYN-ACK,
 * no RST). */
static void test_tcp_to_broadcast_is_dropped_silently(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    const uint32_t dsts[] = {0xffffffffu, 0xc00002ffu};
    const uint8_t flags[] = {SYN, ACK, FIN};
    for (size_t i = 0; i < 2; i++) {
        for (size_t f = 0; f < 3; f++) {
            uint8_t b[64];
            size_t n = probe_build_tcp(b, sizeof b, PROBE_PEER_LAN, dsts[i], PROBE_PEER_PORT,
                                       PROBE_PORT, flags[f], 1, 1, 65535, NULL, NULL, 0);
            struct synack_counters before = snap(p);
            probe_inject_raw(p, b, n);
            ASSERT_ONLY(p, &before, tcp_drop_bcast);
            /* to a closed port: no RST either */
            synack_put16(b + 22, 4444);
            synack_tcp_checksum_set(b + 20, n - 20, PROBE_PEER_LAN, dsts[i]);
            before = snap(p);
            probe_inject_raw(p, b, n);
            ASSERT_ONLY(p, &before, tcp_drop_bcast);
        }
    }
    probe_expect_none(p);
    assert_int_equal(probe_tcb_count(p), 1);
}

/* With reassembly off (reasm_max 0), fragments are dropped: MF set or an
 * offset. Reassembly itself: test_ip_reasm.c. */
static void test_fragments_are_dropped_when_reassembly_is_off(void **state)
{
    struct probe *p = *state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = PROBE_ADDR;
    c.reasm_max = 0;
    conn_reinit(p, &c);
    probe_listen(p);
    const uint16_t frags[] = {SYNACK_IP_MF, 1, SYNACK_IP_MF | 8, 0x1fff,
                              SYNACK_IP_DF | SYNACK_IP_MF};
    for (size_t i = 0; i < sizeof frags / sizeof frags[0]; i++) {
        uint8_t b[64];
        size_t n = tcp_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYN, 1, 0);
        synack_put16(b + 6, frags[i]);
        fix_ip_checksum(b);
        struct synack_counters before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, ip_drop_fragment);
    }
    probe_expect_none(p);
    /* DF alone is not a fragment */
    uint8_t b[64];
    size_t n = tcp_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYN, 1, 0);
    probe_inject_raw(p, b, n);
    probe_expect(p, SYN | ACK, PROBE_ANY, PROBE_ANY);
}

/* ---- TCP header (RFC 9293 3.1) ---- */

static void test_malformed_tcp_is_dropped_without_reply(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    uint8_t good[64], b[64];
    size_t n = tcp_datagram(good, sizeof good, PROBE_PEER, PROBE_ADDR, SYN, 1, 0);
    struct synack_counters before;
    /* a TCP header shorter than 20 octets */
    for (size_t len = 0; len < 20; len++) {
        size_t m = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_TCP, 0,
                               good + 20, len);
        before = snap(p);
        probe_inject_raw(p, b, m);
        ASSERT_ONLY(p, &before, tcp_drop_malformed);
    }
    /* data offset below 5 and past the segment */
    for (int doff = 0; doff < 16; doff++) {
        if (doff == 5)
            continue;
        memcpy(b, good, n);
        b[32] = (uint8_t)(doff << 4);
        synack_tcp_checksum_set(b + 20, n - 20, PROBE_PEER, PROBE_ADDR);
        before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, tcp_drop_malformed);
    }
    probe_expect_none(p);
}

/* MUST-3: a bad checksum drops the segment, whatever it is. */
static void test_bad_tcp_checksum_is_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    const uint8_t flags[] = {SYN, ACK, RST, FIN | ACK, ACK | PSH};
    for (size_t f = 0; f < sizeof flags; f++) {
        uint8_t b[80];
        size_t n = probe_build_tcp(b, sizeof b, PROBE_PEER, PROBE_ADDR, PROBE_PEER_PORT,
                                   PROBE_PORT, flags[f], PROBE_PEER_ISN + 1, p->stack_isn + 1,
                                   65535, NULL, "datadata", 8);
        b[n - 1] ^= 0x40; /* a data octet */
        struct synack_counters before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, tcp_drop_checksum);
        b[n - 1] ^= 0x40;
        b[36] ^= 0x01; /* the checksum itself */
        before = snap(p);
        probe_inject_raw(p, b, n);
        ASSERT_ONLY(p, &before, tcp_drop_checksum);
    }
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    uint8_t r[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, r, sizeof r, 0, p->now), -EAGAIN);
}

/* SYNACK_INPUT_CSUM_OK: the link vouches for the TCP checksum (a memory
 * link that cannot corrupt, the kernel's own segment through TUN), so it is
 * not checked: a segment whose checksum field holds only the pseudo-header
 * sum (what a sender with checksum offload leaves) is taken. Without the
 * flag the same segment is dropped (MUST-3); the IPv4 header checksum is
 * checked either way. */
static void test_csum_ok_input_skips_only_the_tcp_checksum(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    uint8_t b[80];
    size_t n = probe_build_tcp(b, sizeof b, PROBE_PEER, PROBE_ADDR, PROBE_PEER_PORT, PROBE_PORT,
                               ACK | PSH, PROBE_PEER_ISN + 1, p->stack_isn + 1, 65535, NULL,
                               "datadata", 8);
    uint32_t ps = synack_cksum_pseudo(PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_TCP,
                                      (uint16_t)(n - 20));
    synack_put16(b + 36, (uint16_t)~synack_cksum_fold(ps)); /* partial, as offloaded */
    struct synack_counters before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, tcp_drop_checksum);
    b[10] ^= 0x01; /* the IPv4 header checksum */
    before = snap(p);
    synack_stack_input_flags(p->st, b, n, SYNACK_INPUT_CSUM_OK, p->now);
    ASSERT_ONLY(p, &before, ip_drop_checksum);
    b[10] ^= 0x01;
    synack_stack_input_flags(p->st, b, n, SYNACK_INPUT_CSUM_OK, p->now);
    uint8_t r[16];
    assert_int_equal(synack_socket_recv(p->st, p->sd, r, sizeof r, 0, p->now), 8);
    assert_memory_equal(r, "datadata", 8);
    assert_int_equal(synack_stack_counters(p->st)->tcp_drop_checksum, 1);
}

/* MUST-7: an illegal option length drops the segment (counted); the
 * connection it names is left alone. */
static void test_illegal_option_lengths_are_dropped(void **state)
{
    struct probe *p = *state;
    probe_goto_established(p);
    static const uint8_t bad_opts[][8] = {
        {2, 0, 0, 0},          /* length 0 */
        {8, 1, 0, 0},          /* length 1 */
        {1, 1, 1, 9, 6, 0, 0}, /* runs past the option space */
        {2, 3, 5, 0},          /* MSS of length 3 */
        {3, 2, 1, 1},          /* window scale of length 2 */
        {4, 3, 0, 1},          /* SACK-permitted of length 3 */
        {5, 3, 0, 0},          /* SACK of length 3 */
        {8, 8, 0, 0, 0, 0, 0, 0}, /* timestamps of length 8 */
        {1, 1, 1, 2},          /* kind with no room for its length */
    };
    const size_t lens[] = {4, 4, 8, 4, 4, 4, 4, 8, 4};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint8_t b[80];
        struct synack_tcp h = {.sport = PROBE_PEER_PORT, .dport = PROBE_PORT,
                               .seq = PROBE_PEER_ISN + 1, .ack = p->stack_isn + 1,
                               .flags = ACK | PSH, .window = 65535};
        size_t hl = synack_tcp_build(b + 20, sizeof b - 20, &h, bad_opts[i], lens[i], NULL);
        assert_int_not_equal(hl, 0);
        memcpy(b + 20 + hl, "evil", 4);
        synack_tcp_checksum_set(b + 20, hl + 4, PROBE_PEER, PROBE_ADDR);
        struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .src = PROBE_PEER,
                                 .dst = PROBE_ADDR};
        synack_ipv4_build(b, sizeof b, &ih, hl + 4, NULL);
        struct synack_counters before = snap(p);
        probe_inject_raw(p, b, 20 + hl + 4);
        ASSERT_ONLY(p, &before, tcp_drop_bad_option);
    }
    probe_expect_none(p);
    assert_int_equal(probe_sock_state(p), SYNACK_ESTABLISHED);
    uint8_t r[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, r, sizeof r, 0, p->now), -EAGAIN);
    /* and the same on a SYN to a listener: no SYN-ACK, no TCB */
    uint8_t b[80];
    struct synack_tcp h = {.sport = 999, .dport = PROBE_PORT, .seq = 5, .flags = SYN,
                           .window = 65535};
    size_t hl = synack_tcp_build(b + 20, sizeof b - 20, &h, bad_opts[0], 4, NULL);
    synack_tcp_checksum_set(b + 20, hl, PROBE_PEER, PROBE_ADDR);
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .src = PROBE_PEER,
                             .dst = PROBE_ADDR};
    synack_ipv4_build(b, sizeof b, &ih, hl, NULL);
    probe_inject_raw(p, b, 20 + hl);
    probe_expect_none(p);
    assert_int_equal(probe_tcb_count(p), 2);
}

/* Options in any alignment and unknown kinds are fine (MUST-64, MUST-6). */
static void test_odd_but_legal_options_are_accepted(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    /* NOP, unknown kind 99 of length 3, MSS at an odd offset, EOL */
    static const uint8_t opts[12] = {1, 99, 3, 0xaa, 2, 4, 0x02, 0x18, 0, 0, 0, 0};
    uint8_t b[80];
    struct synack_tcp h = {.sport = PROBE_PEER_PORT, .dport = PROBE_PORT, .seq = PROBE_PEER_ISN,
                           .flags = SYN, .window = 65535};
    size_t hl = synack_tcp_build(b + 20, sizeof b - 20, &h, opts, sizeof opts, NULL);
    synack_tcp_checksum_set(b + 20, hl, PROBE_PEER, PROBE_ADDR);
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .src = PROBE_PEER,
                             .dst = PROBE_ADDR};
    synack_ipv4_build(b, sizeof b, &ih, hl, NULL);
    probe_inject_raw(p, b, 20 + hl);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    assert_int_equal(ti.snd_mss, 0x218);
}

/* ---- protocols other than TCP and ICMP (RFC 1122 3.2.2.1) ---- */

static void test_unknown_protocol_gets_icmp_protocol_unreachable(void **state)
{
    struct probe *p = *state;
    uint8_t b[128];
    uint8_t payload[40];
    for (size_t i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)i;
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_UDP, 0, payload,
                           sizeof payload);
    probe_inject_raw(p, b, n);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(k->ip.src, PROBE_ADDR);
    assert_int_equal(k->ip.dst, PROBE_PEER);
    assert_int_equal(k->icmp.type, ICMP_DEST_UNREACH);
    assert_int_equal(k->icmp.code, ICMP_UNREACH_PROTOCOL);
    /* it quotes the whole (short) datagram */
    assert_int_equal(k->icmp.data_len, n);
    assert_memory_equal(k->icmp.data, b, n);
    assert_int_equal(CNT(p, ip_drop_proto), 1);
    assert_int_equal(CNT(p, icmp_errors_sent), 1);
    /* a long datagram is quoted so that the reply stays within 576 octets */
    static uint8_t big[1400];
    n = ip_datagram(big, sizeof big, PROBE_PEER, PROBE_ADDR, 99, 0, big + 20, sizeof big - 20);
    probe_inject_raw(p, big, n);
    k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->len <= 576);
    assert_true(k->icmp.data_len >= 28);
    assert_memory_equal(k->icmp.data, big, 28);
}

/* RFC 1122 3.2.2: no ICMP error about a broadcast datagram, an ICMP error,
 * or a datagram from an address that is not one host. */
static void test_no_icmp_error_where_rfc1122_forbids_it(void **state)
{
    struct probe *p = *state;
    uint8_t b[128];
    /* to broadcast */
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER_LAN, 0xffffffffu, 99, 0, "12345678", 8);
    probe_inject_raw(p, b, n);
    n = ip_datagram(b, sizeof b, PROBE_PEER_LAN, 0xc00002ffu, 99, 0, "12345678", 8);
    probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, ip_drop_proto), 2);
    /* an ICMP error is not answered by one (whatever it names) */
    uint8_t inner[28];
    ip_datagram(inner, sizeof inner, PROBE_ADDR, PROBE_PEER, 99, 0, "12345678", 8);
    uint8_t m[64];
    size_t ml = synack_icmp_build(m, sizeof m, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0, inner,
                                  sizeof inner, NULL);
    n = ip_datagram(b, sizeof b, ROUTER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
    probe_inject_raw(p, b, n);
    probe_expect_none(p);
    assert_int_equal(CNT(p, icmp_errors_sent), 0);
}

/* A SYN with IPv4 options, to dst: the options after the fixed header. */
static size_t syn_with_ip_options(uint8_t *b, size_t cap, uint32_t dst, const uint8_t *opts,
                                  size_t optlen)
{
    uint8_t seg[64];
    size_t n = tcp_datagram(seg, sizeof seg, PROBE_PEER, dst, SYN, 1, 0);
    assert_true(cap >= n + optlen && optlen % 4 == 0);
    memcpy(b, seg, 20);
    memcpy(b + 20, opts, optlen);
    memcpy(b + 20 + optlen, seg + 20, n - 20);
    b[0] = (uint8_t)(0x45 + optlen / 4);
    synack_put16(b + 2, (uint16_t)(n + optlen));
    fix_ip_checksum(b);
    return n + optlen;
}

/* A malformed IPv4 option drops the datagram, counted, with a Parameter
 * Problem pointing at the octet (RFC 791 3.1, RFC 1122 3.2.2.5); never to
 * a broadcast address (RFC 1122 3.2.2). A well-formed unknown option is
 * ignored (RFC 1122 3.2.1.8). */
static void test_malformed_ip_option_is_dropped_with_parameter_problem(void **state)
{
    struct probe *p = *state;
    probe_listen(p);
    static const uint8_t zero_len[4] = {7, 0, 0, 0}, unknown[4] = {0x9e, 4, 0xab, 0xcd};
    uint8_t b[96];
    size_t n = syn_with_ip_options(b, sizeof b, PROBE_ADDR, zero_len, 4);
    probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, ip_drop_bad_option), 1);
    assert_int_equal(CNT(p, tcp_in), 0);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(k->icmp.type, ICMP_PARAM_PROBLEM);
    assert_int_equal(k->icmp.code, 0);
    assert_int_equal(k->icmp.pointer, 21); /* the length octet */
    assert_int_equal(k->icmp.inner.src, PROBE_PEER);
    probe_expect_none(p);
    n = syn_with_ip_options(b, sizeof b, 0xffffffffu, zero_len, 4);
    probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, ip_drop_bad_option), 2);
    probe_expect_none(p);
    n = syn_with_ip_options(b, sizeof b, PROBE_ADDR, unknown, 4);
    probe_inject_raw(p, b, n);
    probe_expect(p, SYN | ACK, 0, PROBE_ANY);
    assert_int_equal(CNT(p, ip_drop_bad_option), 2);
}

/* ICMP errors are rate-limited (RFC 1122 3.2.2, icmp_error_limit/s). */
static void test_icmp_errors_are_rate_limited(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.icmp_error_limit = 3;
    probe_free(p);
    probe_init(p, &cfg);
    uint8_t b[64];
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, 99, 0, "12345678", 8);
    for (int i = 0; i < 5; i++)
        probe_inject_raw(p, b, n);
    assert_int_equal(probe_pending(p), 3);
    assert_int_equal(CNT(p, icmp_errors_ratelimited), 2);
    probe_drain(p);
    p->now += SYNACK_SEC;
    probe_inject_raw(p, b, n);
    assert_int_equal(probe_pending(p), 1);
}

/* RSTs for segments of no connection are rate-limited (rst_limit/s), to a
 * closed port and to a listener alike; the budget is back a second later,
 * and UINT32_MAX lifts the limit. */
static void stray_acks(struct probe *p, uint16_t dport, int count)
{
    uint8_t b[64];
    for (int i = 0; i < count; i++) {
        size_t n = probe_build_tcp(b, sizeof b, PROBE_PEER, PROBE_ADDR, PROBE_PEER_PORT, dport,
                                   ACK, 100, 5000 + (uint32_t)i, 65535, NULL, NULL, 0);
        probe_inject_raw(p, b, n);
    }
}

static void test_rsts_for_no_connection_are_rate_limited(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    assert_int_equal(cfg.rst_limit, 200);
    cfg.rst_limit = 3;
    probe_free(p);
    probe_init(p, &cfg);
    probe_listen(p);
    stray_acks(p, 9, 2);          /* closed port */
    stray_acks(p, PROBE_PORT, 3); /* the listener: 3.10.7.2 second */
    assert_int_equal(probe_pending(p), 3);
    assert_int_equal(CNT(p, tcp_rst_sent), 3);
    assert_int_equal(CNT(p, tcp_rst_closed_port), 2);
    assert_int_equal(CNT(p, tcp_rst_ratelimited), 2);
    probe_expect(p, RST, 5000, PROBE_ANY);
    probe_drain(p);
    p->now += SYNACK_SEC - 1; /* still the same second */
    stray_acks(p, 9, 1);
    probe_expect_none(p);
    p->now += 1;
    stray_acks(p, 9, 1);
    probe_expect(p, RST, 5000, PROBE_ANY);
    cfg.rst_limit = UINT32_MAX;
    probe_free(p);
    probe_init(p, &cfg);
    stray_acks(p, 9, 500);
    assert_int_equal(probe_pending(p), 500);
    assert_int_equal(CNT(p, tcp_rst_ratelimited), 0);
}

/* The listener's client, at the probe's port: SYN, SYN-ACK, ACK, accepted,
 * and a request answered (data both ways). */
static void legit_client(struct probe *p, uint16_t port)
{
    p->peer_port = port;
    p->stack_isn_known = false;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK | PSH, 1, 1, "GET", 3);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(p->sd >= 0);
    char b[8];
    assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), 3);
    assert_int_equal(synack_socket_send(p->st, p->sd, "OK", 2, 0, p->now), 2);
    probe_expect_len(p, ACK | PSH, 1, 4, 2);
}

/* Past rst_limit (a flood of stray ACKs), the limit holds only for RSTs to
 * segments of no connection: a client is served, and its connection's
 * ABORT still sends its RST. */
static void test_past_the_rst_limit_a_client_is_served(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.rst_limit = 3;
    conn_reinit(p, &cfg);
    probe_listen(p);
    stray_acks(p, PROBE_PORT, 1000);
    assert_int_equal(CNT(p, tcp_rst_ratelimited), 997);
    probe_drain(p);
    legit_client(p, 40000);
    assert_int_equal(synack_socket_abort(p->st, p->sd, p->now), 0);
    probe_expect(p, RST, 3, PROBE_ANY); /* 3.10.5: <SEQ=SND.NXT><CTL=RST> */
    assert_int_equal(CNT(p, tcp_rst_ratelimited), 997);
}

/* Past icmp_error_limit (a flood of datagrams for a protocol we lack),
 * echo requests are still answered (replies are not errors) and a client
 * is served. */
static void test_past_the_icmp_error_limit_echo_and_a_client_are_served(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.icmp_error_limit = 3;
    conn_reinit(p, &cfg);
    probe_listen(p);
    uint8_t b[160];
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, 99, 0, "12345678", 8);
    for (int i = 0; i < 1000; i++)
        probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, icmp_errors_sent), 3);
    assert_int_equal(CNT(p, icmp_errors_ratelimited), 997);
    probe_drain(p);
    uint8_t m[64];
    size_t ml = synack_icmp_build(m, sizeof m, ICMP_ECHO_REQUEST, 0, 0x12340001u,
                                  (const uint8_t *)"ping", 4, NULL);
    n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
    probe_inject_raw(p, b, n);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(CNT(p, icmp_echo_replied), 1);
    legit_client(p, 40001);
}

/* ---- ICMP echo (RFC 1122 3.2.2.6) ---- */

static void test_icmp_echo_request_gets_a_reply(void **state)
{
    struct probe *p = *state;
    uint8_t m[128], b[160];
    static const char data[] = "synack ping payload, 32 octets!";
    size_t ml = synack_icmp_build(m, sizeof m, ICMP_ECHO_REQUEST, 0, 0x12340007u,
                                  (const uint8_t *)data, sizeof data, NULL);
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
    probe_inject_raw(p, b, n);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_true(k->is_icmp);
    assert_int_equal(k->ip.dst, PROBE_PEER);
    assert_int_equal(k->icmp.type, ICMP_ECHO_REPLY);
    assert_int_equal(k->icmp.code, 0);
    assert_int_equal(k->icmp.echo_id, 0x1234);
    assert_int_equal(k->icmp.echo_seq, 7);
    assert_int_equal(k->icmp.data_len, sizeof data);
    assert_memory_equal(k->icmp.data, data, sizeof data);
    assert_int_equal(CNT(p, icmp_echo_replied), 1);
    /* to broadcast: not answered (MAY) */
    n = ip_datagram(b, sizeof b, PROBE_PEER_LAN, 0xffffffffu, SYNACK_IPPROTO_ICMP, 0, m, ml);
    probe_inject_raw(p, b, n);
    probe_expect_none(p);
    /* a bad ICMP checksum or a truncated message: dropped, counted */
    m[ml - 1] ^= 1;
    n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
    struct synack_counters before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, icmp_drop_malformed);
    n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, 7);
    before = snap(p);
    probe_inject_raw(p, b, n);
    ASSERT_ONLY(p, &before, icmp_drop_malformed);
    probe_expect_none(p);
}

/* A maximum-size echo request (MTU) is answered in full. */
static void test_icmp_echo_of_full_mtu_is_answered(void **state)
{
    struct probe *p = *state;
    static uint8_t m[1480], b[1500];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (uint8_t)(i ^ 0x5a);
    size_t ml = synack_icmp_build(m, sizeof m, ICMP_ECHO_REQUEST, 0, 1, m + 8, sizeof m - 8, NULL);
    size_t n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
    assert_int_equal(n, 1500);
    probe_inject_raw(p, b, n);
    struct probe_pkt *k = probe_pop(p);
    assert_non_null(k);
    assert_int_equal(k->len, 1500);
    assert_int_equal(k->icmp.type, ICMP_ECHO_REPLY);
}

/* ---- ICMP errors for TCP (RFC 9293 3.9.2.2) ---- */

/* An ICMP error from the router quoting our segment to the peer with
 * sequence number seq (absolute) from port sport, in a datagram of
 * quoted_len octets; rest: octets 4-7 (the next-hop MTU of code 4). */
static size_t icmp_error_full(uint8_t *b, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                              uint16_t quoted_len, uint16_t sport, uint16_t dport, uint32_t seq)
{
    uint8_t inner[20 + 8];
    uint8_t l4[8];
    synack_put16(l4, sport);
    synack_put16(l4 + 2, dport);
    synack_put32(l4 + 4, seq);
    struct synack_ipv4 ih = {.ttl = 1, .proto = SYNACK_IPPROTO_TCP, .src = PROBE_ADDR,
                             .dst = PROBE_PEER};
    memcpy(inner + 20, l4, 8);
    synack_ipv4_build(inner, sizeof inner, &ih, quoted_len - 20u, NULL);
    uint8_t m[64];
    size_t ml = synack_icmp_build(m, sizeof m, type, code, rest, inner, sizeof inner, NULL);
    return ip_datagram(b, cap, ROUTER, PROBE_ADDR, SYNACK_IPPROTO_ICMP, 0, m, ml);
}

static size_t icmp_error(uint8_t *b, size_t cap, uint8_t type, uint8_t code, uint16_t sport,
                         uint16_t dport, uint32_t seq)
{
    return icmp_error_full(b, cap, type, code, 0, 60, sport, dport, seq); /* 40 octets of TCP */
}

/* An established connection with 10 octets unacknowledged. */
static void goto_established_with_data_in_flight(struct probe *p)
{
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, "0123456789", 10, 0, p->now), 10);
    probe_expect_len(p, ACK | PSH, 1, 1, 10);
}

static void inject_icmp(struct probe *p, uint8_t type, uint8_t code, uint32_t rel_seq)
{
    uint8_t b[128];
    size_t n = icmp_error(b, sizeof b, type, code, p->port, p->peer_port, p->stack_isn + rel_seq);
    probe_inject_raw(p, b, n);
}

static struct synack_tcp_info status(struct probe *p)
{
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, p->sd, &ti), 0);
    return ti;
}

/* MUST-55: source quench is silently discarded. */
static void test_icmp_source_quench_is_ignored(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    uint32_t cwnd = status(p).cwnd;
    inject_icmp(p, ICMP_SOURCE_QUENCH, 0, 1);
    probe_expect_none(p);
    assert_int_equal(CNT(p, icmp_source_quench), 1);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(ti.cwnd, cwnd);
    assert_int_equal(ti.soft_error, 0);
}

/* MUST-56: soft errors (unreachable 0, 1, 5; time exceeded; parameter
 * problem) do not abort; SHLD-25: they are reported in STATUS. */
static void test_icmp_soft_errors_do_not_abort_but_are_reported(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    const struct {
        uint8_t type, code;
        int err;
    } soft[] = {
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NET, -ENETUNREACH},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, -EHOSTUNREACH},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_SRCFAIL, -EOPNOTSUPP},
        {ICMP_TIME_EXCEEDED, 0, -EHOSTUNREACH},
        {ICMP_PARAM_PROBLEM, 0, -EHOSTUNREACH},
    };
    for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++) {
        inject_icmp(p, soft[i].type, soft[i].code, 5);
        struct synack_tcp_info ti = status(p);
        assert_int_equal(ti.state, SYNACK_ESTABLISHED);
        assert_int_equal(ti.soft_error, soft[i].err);
    }
    probe_expect_none(p);
    assert_int_equal(CNT(p, icmp_soft_errors), 5);
    assert_int_equal(CNT(p, icmp_hard_aborts), 0);
    /* no pending error for the application: it is advice */
    int e = -1;
    size_t len = sizeof e;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &e, &len),
                     0);
    assert_int_equal(e, 0);
    /* data still flows */
    probe_inject(p, ACK, 1, 11, NULL, 0);
    assert_int_equal(status(p).unacked, 0);
}

/* SHLD-26, asked for (icmp_hard_abort): unreachable codes 2 and 3 abort a
 * synchronized connection with the matching errno. */
static void test_icmp_hard_errors_abort_with_the_right_errno(void **state)
{
    (void)state;
    const struct {
        uint8_t code;
        int err;
    } hard[] = {
        {ICMP_UNREACH_PROTOCOL, ENOPROTOOPT},
        {ICMP_UNREACH_PORT, ECONNREFUSED},
    };
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.icmp_hard_abort = 1;
    for (size_t i = 0; i < sizeof hard / sizeof hard[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, &cfg);
        goto_established_with_data_in_flight(p);
        inject_icmp(p, ICMP_DEST_UNREACH, hard[i].code, 1);
        probe_expect_none(p); /* no RST: the path is what failed */
        assert_int_equal(status(p).state, SYNACK_CLOSED);
        uint8_t b[4];
        assert_int_equal(synack_socket_recv(p->st, p->sd, b, sizeof b, 0, p->now), -hard[i].err);
        assert_int_equal(CNT(p, icmp_hard_aborts), 1);
        probe_free(p);
        free(p);
    }
}

/* By default, codes 2 and 3 in a synchronized state are soft errors (RFC
 * 5927 5.2: the blind reset of issue 14), reported (SHLD-25); code 4 is
 * never an abort. The socket option turns SHLD-26's abort on and off per
 * connection, and a listener passes it to the connections it accepts. */
static void test_icmp_hard_errors_are_soft_when_synchronized_unless_asked(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    int v = 1;
    size_t len = sizeof v;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_ICMP_HARD_ABORT, &v, &len), 0);
    assert_int_equal(v, 0);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 1);
    assert_int_equal(status(p).state, SYNACK_ESTABLISHED);
    assert_int_equal(status(p).soft_error, -ECONNREFUSED);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, 5);
    assert_int_equal(status(p).soft_error, -ENOPROTOOPT);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, 5);
    assert_int_equal(status(p).state, SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, icmp_hard_as_soft), 2);
    assert_int_equal(CNT(p, icmp_hard_aborts), 0);
    probe_expect_none(p);
    /* asked for on this connection: SHLD-26's abort */
    v = 1;
    assert_int_equal(synack_socket_setsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_ICMP_HARD_ABORT, &v, sizeof v, p->now), 0);
    v = 0;
    assert_int_equal(synack_socket_getsockopt(p->st, p->sd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_ICMP_HARD_ABORT, &v, &len), 0);
    assert_int_equal(v, 1);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 1);
    assert_int_equal(status(p).state, SYNACK_CLOSED);
    assert_int_equal(CNT(p, icmp_hard_aborts), 1);
}

/* A second connection from the next peer port, accepted, with one octet in
 * flight; the probe then names it (peer port, ISN). */
static int accept_second_connection(struct probe *p)
{
    p->peer_port = PROBE_PEER_PORT + 1;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    int second = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    assert_true(second >= 0);
    assert_int_equal(synack_socket_send(p->st, second, "x", 1, 0, p->now), 1);
    probe_drain(p);
    return second;
}

static void test_icmp_hard_abort_option_is_inherited_from_the_listener(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    int first = p->sd, v = 1;
    assert_int_equal(synack_socket_setsockopt(p->st, p->lsd, SYNACK_SOL_TCP,
                                              SYNACK_TCP_ICMP_HARD_ABORT, &v, sizeof v, p->now), 0);
    /* a second connection, accepted after the listener asked for it */
    int second = accept_second_connection(p);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, 1);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, second, &ti), 0);
    assert_int_equal(ti.state, SYNACK_CLOSED);
    assert_int_equal(CNT(p, icmp_hard_aborts), 1);
    /* the first was accepted before: soft */
    p->peer_port = PROBE_PEER_PORT;
    assert_int_equal(synack_socket_status(p->st, first, &ti), 0);
    p->stack_isn = ti.iss;
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, 1);
    assert_int_equal(synack_socket_status(p->st, first, &ti), 0);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(CNT(p, icmp_hard_as_soft), 1);
}

/* ---- fragmentation needed: path-MTU information (RFC 1191) ---- */

static void inject_needfrag(struct probe *p, uint16_t mtu, uint16_t quoted_len, uint32_t rel_seq)
{
    uint8_t b[128];
    size_t n = icmp_error_full(b, sizeof b, ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, mtu,
                               quoted_len, p->port, p->peer_port, p->stack_isn + rel_seq);
    probe_inject_raw(p, b, n);
}

/* ESTABLISHED (the peer's MSS 1460) with one full-sized segment in flight. */
static void goto_established_with_full_segment(struct probe *p)
{
    static const uint8_t data[1460];
    probe_goto_established(p);
    assert_int_equal(synack_socket_send(p->st, p->sd, data, sizeof data, 0, p->now), 1460);
    probe_expect_len(p, ACK | PSH, 1, 1, 1460);
}

/* A plausible MTU lowers the MSS, and the dropped segment goes again at
 * once, one segment of the new size, cwnd untouched (RFC 1191 6.4); the
 * same message again changes nothing and sends nothing (RFC 1191 6.4:
 * not every Datagram Too Big); the rest goes with the ACK. */
static void test_icmp_frag_needed_lowers_the_mss_and_sends_again_once(void **state)
{
    struct probe *p = *state;
    goto_established_with_full_segment(p);
    uint32_t cwnd = status(p).cwnd;
    inject_needfrag(p, 1000, 1500, 1);
    probe_expect_len(p, ACK, 1, 1, 960);
    probe_expect_none(p);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(ti.snd_mss, 960);
    assert_int_equal(ti.cwnd, cwnd);
    assert_int_equal(ti.soft_error, 0);
    assert_int_equal(CNT(p, icmp_pmtu_lowered), 1);
    inject_needfrag(p, 1000, 1500, 1);
    inject_needfrag(p, 1200, 1500, 1);
    probe_expect_none(p);
    assert_int_equal(CNT(p, icmp_pmtu_ignored), 2);
    probe_inject(p, ACK, 1, 961, NULL, 0);
    probe_expect_len(p, ACK | PSH, 961, 1, 500);
    /* lower again: a second router further on */
    inject_needfrag(p, 600, 1000, 961);
    probe_expect_len(p, ACK | PSH, 961, 1, 500);
    assert_int_equal(status(p).snd_mss, 560);
}

/* RFC 1191 6.2: the estimate is the destination's. A new connection to the
 * same peer starts from it (960-octet segments without an ICMP of its
 * own), one to another peer from the link's MTU, and once pmtu_expires has
 * passed (6.3) a new connection to the peer starts from the link's again. */
static void test_icmp_frag_needed_is_kept_for_the_destination(void **state)
{
    struct probe *p = *state;
    static const uint8_t data[1460];
    goto_established_with_full_segment(p);
    inject_needfrag(p, 1000, 1500, 1);
    probe_expect_len(p, ACK, 1, 1, 960);
    probe_goto_established_active(p); /* to the same peer, port 8080 */
    assert_int_equal(CNT(p, tcp_pmtu_cached), 1);
    assert_int_equal(status(p).snd_mss, 960);
    assert_int_equal(synack_socket_send(p->st, p->sd, data, sizeof data, 0, p->now), 1460);
    probe_expect_len(p, ACK, 1, 1, 960);
    probe_inject(p, ACK, 1, 961, NULL, 0); /* (Nagle holds the rest until then) */
    probe_expect_len(p, ACK | PSH, 961, 1, 500);
    p->peer_addr = PROBE_PEER_LAN; /* another destination */
    probe_goto_established_active(p);
    assert_int_equal(status(p).snd_mss, 1460);
    assert_int_equal(CNT(p, tcp_pmtu_cached), 1);
    p->peer_addr = PROBE_PEER;
    probe_advance(p, p->cfg.pmtu_expires);
    probe_drain(p); /* what the others sent meanwhile */
    probe_goto_established_active(p);
    assert_int_equal(status(p).snd_mss, 1460);
    assert_int_equal(CNT(p, tcp_pmtu_cached), 1);
}

/* Implausible MTUs are ignored, and nothing is sent: below pmtu_min (552)
 * or 68, not below the path MTU (RFC 1191 3: never raised), not below the
 * datagram the message says was too big. */
static void test_icmp_frag_needed_with_an_implausible_mtu_is_ignored(void **state)
{
    (void)state;
    static const struct {
        uint16_t mtu, quoted;
    } bad[] = {{67, 1500}, {68, 1500}, {551, 1500}, {1500, 1500}, {1600, 1500},
               {65535, 1500}, {1000, 1000}, {1000, 800}, {0, 600}, {0, 2100}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, NULL);
        goto_established_with_full_segment(p);
        inject_needfrag(p, bad[i].mtu, bad[i].quoted, 1);
        probe_expect_none(p);
        struct synack_tcp_info ti = status(p);
        assert_int_equal(ti.state, SYNACK_ESTABLISHED);
        assert_int_equal(ti.snd_mss, 1460);
        assert_int_equal(CNT(p, icmp_pmtu_ignored), 1);
        assert_int_equal(CNT(p, icmp_hard_aborts), 0);
        probe_free(p);
        free(p);
    }
}

/* MTU 0 (a router older than RFC 1191): the greatest plateau below the
 * quoted length (RFC 1191 5, 7), the length less the header when it is not
 * below the path MTU (4.2BSD routers add it). */
static void test_icmp_frag_needed_without_an_mtu_takes_the_plateau(void **state)
{
    (void)state;
    static const struct {
        uint16_t quoted, mss;
    } cases[] = {{1500, 966}, {1200, 966}, {1007, 966}, {1006, 468}, {1520, 1452}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct synack_config cfg;
        synack_config_default(&cfg);
        cfg.pmtu_min = 508;
        struct probe *p = calloc(1, sizeof *p);
        assert_non_null(p);
        probe_init(p, &cfg);
        goto_established_with_full_segment(p);
        inject_needfrag(p, 0, cases[i].quoted, 1);
        probe_expect_len(p, ACK, 1, 1, cases[i].mss);
        assert_int_equal(status(p).snd_mss, cases[i].mss);
        probe_free(p);
        free(p);
    }
}

static int link_discard(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)ctx, (void)pkt, (void)len, (void)now;
    return 0;
}

/* pmtu_min is the floor: set to 68 (RFC 1191 3), an MTU of 68 is taken
 * (MSS 28); below 68 the configuration is refused. */
static void test_icmp_frag_needed_floor_is_pmtu_min(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    assert_int_equal(cfg.pmtu_min, 552);
    cfg.pmtu_min = 67;
    int e = 0;
    struct synack_link link = {.send = link_discard, .ctx = NULL};
    assert_null(synack_stack_new(&cfg, &link, &e));
    assert_int_equal(e, -EINVAL);
    cfg.pmtu_min = 68;
    probe_free(p);
    probe_init(p, &cfg);
    goto_established_with_full_segment(p);
    inject_needfrag(p, 68, 1500, 1);
    probe_expect_len(p, ACK, 1, 1, 28);
    assert_int_equal(status(p).snd_mss, 28);
}

/* Code 4 never aborts, in SYN-SENT either (a SYN is never too big). */
static void test_icmp_frag_needed_for_a_syn_is_ignored(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    inject_needfrag(p, 576, 44, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
    assert_int_equal(CNT(p, icmp_pmtu_ignored), 1);
}

/* A port unreachable for our SYN: connect() fails with ECONNREFUSED. */
static void test_icmp_port_unreachable_for_a_syn_fails_connect(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_CLOSED);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -ECONNREFUSED);
}

/* RFC 5927 4.1: an ICMP error whose sequence number is outside
 * SND.UNA..SND.NXT cannot be about our segments: ignored. */
static void test_icmp_with_sequence_outside_the_window_is_ignored(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    const uint32_t bad[] = {0, 11, 12, 100000, (uint32_t)-5};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, bad[i]);
        inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, bad[i]);
    }
    assert_int_equal(CNT(p, icmp_drop_bad_seq), 10);
    struct synack_tcp_info ti = status(p);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    assert_int_equal(ti.soft_error, 0);
    /* the edges inside: SND.UNA and SND.NXT - 1 */
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 1);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 10);
    assert_int_equal(CNT(p, icmp_soft_errors), 2);
}

/* MUST-54: the error goes to the connection it names, and only to it. */
static void test_icmp_error_reaches_only_the_connection_it_names(void **state)
{
    struct probe *p = *state;
    goto_established_with_data_in_flight(p);
    int first = p->sd;
    uint32_t first_isn = p->stack_isn;
    /* a second connection from another peer port */
    int second = accept_second_connection(p);
    /* hard error for the second, which asks for SHLD-26's abort */
    int one = 1;
    assert_int_equal(synack_socket_setsockopt(p->st, second, SYNACK_SOL_TCP,
                                              SYNACK_TCP_ICMP_HARD_ABORT, &one, sizeof one, p->now), 0);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 1);
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(p->st, second, &ti), 0);
    assert_int_equal(ti.state, SYNACK_CLOSED);
    assert_int_equal(synack_socket_status(p->st, first, &ti), 0);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    /* naming no connection: a port nobody uses, or another source */
    uint8_t b[128];
    size_t n = icmp_error(b, sizeof b, ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, 4444,
                          PROBE_PEER_PORT, first_isn + 1);
    probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, icmp_drop_no_conn), 1);
    /* a quoted datagram that was not TCP or not from us */
    synack_put32(b + 20 + 8 + 12, 0xc0000209u);
    synack_put16(b + 20 + 8 + 10, 0);
    synack_put16(b + 20 + 8 + 10,
                 synack_cksum_fold(synack_cksum_add(0, b + 20 + 8, 20)));
    synack_put16(b + 22, 0);
    synack_put16(b + 22, synack_cksum_fold(synack_cksum_add(0, b + 20, n - 20)));
    probe_inject_raw(p, b, n);
    assert_int_equal(CNT(p, icmp_drop_no_conn), 2);
    assert_int_equal(synack_socket_status(p->st, first, &ti), 0);
    assert_int_equal(ti.state, SYNACK_ESTABLISHED);
    probe_expect_none(p);
}

/* SHLD-25 with R2: a SYN that only ever drew host unreachables fails with
 * that error rather than ETIMEDOUT, as BSD and Linux report it. */
static void test_soft_error_explains_a_connect_timeout(void **state)
{
    struct probe *p = *state;
    probe_goto_syn_sent(p);
    inject_icmp(p, ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, 0);
    assert_int_equal(probe_sock_state(p), SYNACK_SYN_SENT);
    while (probe_sock_state(p) == SYNACK_SYN_SENT && probe_to_deadline(p))
        probe_drain(p);
    assert_int_equal(synack_socket_connect(p->st, p->sd, p->peer_addr, p->peer_port, p->now),
                     -EHOSTUNREACH);
}

/* ---- random and mutated input ---- */

static void fix_checksums(uint8_t *b, size_t n)
{
    if (n < 20 || (b[0] >> 4) != 4)
        return;
    size_t hl = (b[0] & 0x0fu) * 4u;
    if (hl < 20 || hl > n)
        return;
    size_t tot = synack_get16(b + 2);
    if (tot < hl || tot > n)
        return;
    fix_ip_checksum(b);
    uint32_t src = synack_get32(b + 12), dst = synack_get32(b + 16);
    if (b[9] == SYNACK_IPPROTO_TCP && tot - hl >= 20)
        synack_tcp_checksum_set(b + hl, tot - hl, src, dst);
    else if (b[9] == SYNACK_IPPROTO_ICMP && tot - hl >= 8) {
        synack_put16(b + hl + 2, 0);
        synack_put16(b + hl + 2, synack_cksum_fold(synack_cksum_add(0, b + hl, tot - hl)));
    }
}

/* A fresh connection from the next peer port, for the fuzz loop to aim
 * at; false when the stack cannot take one now (limits reached). */
static bool fuzz_reconnect(struct probe *p, uint16_t *next_port)
{
    if (p->sd >= 0)
        synack_socket_close(p->st, p->sd, p->now);
    p->sd = -1;
    for (int c; (c = synack_socket_accept(p->st, p->lsd, NULL, NULL)) >= 0;)
        synack_socket_close(p->st, c, p->now);
    probe_drain(p);
    p->peer_port = (*next_port)++;
    if (*next_port < 20000)
        *next_port = 20000;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    struct probe_pkt *k = probe_pop(p);
    if (!k || !k->is_tcp || k->th.flags != (SYN | ACK))
        return false;
    p->stack_isn = k->th.seq;
    probe_drain(p);
    probe_inject(p, ACK, 1, 1, NULL, 0);
    probe_drain(p);
    p->sd = synack_socket_accept(p->st, p->lsd, NULL, NULL);
    return p->sd >= 0;
}

/* Thousands of datagrams, some random, most mutations of valid ones
 * aimed at the live connection (relative to its real sequence numbers),
 * with checksums fixed so they reach TCP; time moves and the application
 * reads and writes. Nothing crashes (ASan/UBSan builds check memory), the
 * number of TCBs stays within max_conns, and the stack keeps working. */
static void test_random_and_mutated_input_is_survived(void **state)
{
    struct probe *p = *state;
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.max_conns = 6;
    cfg.max_sockets = 32;
    cfg.rcvbuf = cfg.sndbuf = 8192;
    probe_free(p);
    probe_init(p, &cfg);
    probe_goto_established(p);
    struct wt_rng rng = {0x5eed5eedu};
    static uint8_t b[2048];
    static const uint8_t flagset[] = {SYN, ACK, RST, FIN, SYN | ACK, FIN | ACK, RST | ACK,
                                      ACK | PSH, 0, 0xff, SYN | FIN, SYN | RST};
    uint32_t max_tcbs = 0, reconnects = 0, live_steps = 0;
    uint16_t next_port = 20000;
    for (int i = 0; i < 20000; i++) {
        struct synack_tcp_info ti;
        bool live = synack_socket_status(p->st, p->sd, &ti) == 0 && ti.state != SYNACK_CLOSED;
        if (!live && wt_rng_below(&rng, 4) == 0) {
            reconnects++;
            live = fuzz_reconnect(p, &next_port) &&
                   synack_socket_status(p->st, p->sd, &ti) == 0 && ti.state != SYNACK_CLOSED;
        }
        live_steps += live;
        uint32_t kind = wt_rng_below(&rng, 10);
        size_t n;
        if (kind == 0) { /* pure noise */
            n = wt_rng_below(&rng, 120);
            wt_rng_fill(&rng, b, n);
            if (wt_rng_below(&rng, 2)) {
                b[0] = 0x45;
                fix_checksums(b, n);
            }
        } else if (kind <= 6) { /* a TCP segment near the live connection */
            uint32_t seq = live ? ti.rcv_nxt : PROBE_PEER_ISN;
            uint32_t ack = live ? ti.snd_una : p->stack_isn;
            if (wt_rng_below(&rng, 2)) /* in the window, often exactly at RCV.NXT */
                seq += wt_rng_below(&rng, 3) ? 0 : wt_rng_below(&rng, 3000);
            else
                seq += (uint32_t)wt_rng_below(&rng, 140000) - 70000;
            if (live && wt_rng_below(&rng, 2))
                ack += wt_rng_below(&rng, ti.snd_max - ti.snd_una + 2);
            else
                ack += (uint32_t)wt_rng_below(&rng, 200) - 100;
            uint16_t port = (uint16_t)(wt_rng_below(&rng, 4) ? p->peer_port
                                                             : 1000 + wt_rng_below(&rng, 20));
            uint8_t fl = flagset[wt_rng_below(&rng, sizeof flagset)];
            size_t dl = wt_rng_below(&rng, 4) ? 0 : wt_rng_below(&rng, 1500);
            static uint8_t data[1500];
            wt_rng_fill(&rng, data, dl);
            struct synack_tcp_opts o = {.present = TCPOPT_F_MSS,
                                        .mss = (uint16_t)wt_rng_below(&rng, 3000)};
            n = probe_build_tcp(b, sizeof b, PROBE_PEER, PROBE_ADDR, port, PROBE_PORT, fl, seq,
                                ack, (uint16_t)wt_rng_next(&rng),
                                wt_rng_below(&rng, 3) ? NULL : &o, data, dl);
            if (fl & SYNACK_TCP_URG)
                synack_put16(b + 38, (uint16_t)wt_rng_next(&rng));
            /* mutate a few octets, mostly in the headers */
            for (uint32_t m = wt_rng_below(&rng, 4); m > 0; m--) {
                size_t at = wt_rng_below(&rng, (uint32_t)(n < 64 ? n : 64));
                b[at] = (uint8_t)wt_rng_next(&rng);
            }
            if (wt_rng_below(&rng, 8))
                fix_checksums(b, n);
            if (wt_rng_below(&rng, 10) == 0)
                n = wt_rng_below(&rng, (uint32_t)n + 1); /* truncated */
        } else if (kind <= 8) { /* an ICMP error about the connection */
            n = icmp_error(b, sizeof b, (uint8_t)wt_rng_below(&rng, 14),
                           (uint8_t)wt_rng_below(&rng, 6), p->port, p->peer_port,
                           (live ? ti.snd_una : p->stack_isn) + wt_rng_below(&rng, 20) - 10);
            if (wt_rng_below(&rng, 3) == 0) {
                b[20 + 8 + wt_rng_below(&rng, 28)] ^= (uint8_t)(1u << wt_rng_below(&rng, 8));
                fix_checksums(b, n);
            }
        } else { /* another protocol, or an option-heavy SYN */
            n = ip_datagram(b, sizeof b, PROBE_PEER, PROBE_ADDR, (uint8_t)wt_rng_next(&rng), 0,
                            b + 100, wt_rng_below(&rng, 200));
        }
        probe_inject_raw(p, b, n);
        /* the application and the clock */
        uint32_t act = wt_rng_below(&rng, 16);
        if (act == 0) {
            p->now += wt_rng_below(&rng, 3 * (uint32_t)SYNACK_SEC);
            synack_stack_poll(p->st, p->now);
        } else if (act == 1) {
            uint8_t r[512];
            synack_socket_recv(p->st, p->sd, r, sizeof r, 0, p->now);
        } else if (act == 2) {
            synack_socket_send(p->st, p->sd, b, wt_rng_below(&rng, sizeof b), 0, p->now);
        } else if (act == 3) {
            int c = synack_socket_accept(p->st, p->lsd, NULL, NULL);
            if (c >= 0 && wt_rng_below(&rng, 2))
                synack_socket_close(p->st, c, p->now);
        }
        probe_drain(p); /* every outbound datagram was checked as it left */
        /* the live connection's variables stay consistent */
        if (synack_socket_status(p->st, p->sd, &ti) == 0 && ti.state != SYNACK_CLOSED &&
            ti.state != SYNACK_LISTEN) {
            if ((int32_t)(ti.snd_nxt - ti.snd_una) < 0 || (int32_t)(ti.snd_max - ti.snd_nxt) < 0)
                fail_msg("step %d, %s: SND.UNA %u SND.NXT %u SND.MAX %u out of order", i,
                         synack_state_name((enum synack_state)ti.state), ti.snd_una - ti.iss,
                         ti.snd_nxt - ti.iss, ti.snd_max - ti.iss);
            assert_true(ti.rcvbuf_used <= ti.rcvbuf_size);
            assert_true(ti.sndbuf_used <= ti.sndbuf_size);
            assert_true(ti.ooo_intervals <= cfg.ooo_max);
            assert_true(ti.rcvbuf_used + ti.rcv_wnd <= ti.rcvbuf_size);
        }
        uint32_t tcbs = probe_tcb_count(p);
        if (tcbs > max_tcbs)
            max_tcbs = tcbs;
        assert_true(tcbs <= cfg.max_conns);
    }
    print_message("fuzz: %llu in, %llu out, at most %u TCBs, %llu conn-limit refusals, "
                  "%u reconnects, %u steps with a live connection\n",
                  (unsigned long long)CNT(p, ip_in), (unsigned long long)CNT(p, ip_out),
                  max_tcbs, (unsigned long long)CNT(p, tcp_conn_limit), reconnects, live_steps);
    print_message("fuzz: %llu reached TCP\n", (unsigned long long)CNT(p, tcp_in));
    assert_true(CNT(p, tcp_in) > 5000);
    assert_true(live_steps > 5000);
    /* afterwards: the application lets go, everything times out, nothing
     * is left but the listener, and it still takes a connection */
    for (int c; (c = synack_socket_accept(p->st, p->lsd, NULL, NULL)) >= 0;)
        synack_socket_close(p->st, c, p->now);
    for (int sd = 0; sd < (int)cfg.max_sockets; sd++)
        if (sd != p->lsd)
            synack_socket_close(p->st, sd, p->now);
    for (int i = 0; i < 100000 && probe_to_deadline(p); i++)
        probe_drain(p);
    probe_drain(p);
    assert_int_equal(synack_stack_deadline(p->st), SYNACK_TIME_NEVER);
    assert_int_equal(probe_tcb_count(p), 1);
    p->peer_port = 60000;
    probe_inject(p, SYN, 0, 0, NULL, 0);
    p->stack_isn_known = false;
    probe_expect(p, SYN | ACK, 0, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)
    const struct CMUnitTest tests[] = {
        T(test_malformed_ipv4_is_dropped_and_counted),
        T(test_datagram_not_for_us_is_dropped),
        T(test_invalid_source_addresses_are_dropped),
        T(test_tcp_to_broadcast_is_dropped_silently),
        T(test_fragments_are_dropped_when_reassembly_is_off),
        T(test_malformed_tcp_is_dropped_without_reply),
        T(test_bad_tcp_checksum_is_dropped),
        T(test_csum_ok_input_skips_only_the_tcp_checksum),
        T(test_illegal_option_lengths_are_dropped),
        T(test_odd_but_legal_options_are_accepted),
        T(test_unknown_protocol_gets_icmp_protocol_unreachable),
        T(test_no_icmp_error_where_rfc1122_forbids_it),
        T(test_malformed_ip_option_is_dropped_with_parameter_problem),
        T(test_icmp_errors_are_rate_limited),
        T(test_rsts_for_no_connection_are_rate_limited),
        T(test_past_the_rst_limit_a_client_is_served),
        T(test_past_the_icmp_error_limit_echo_and_a_client_are_served),
        T(test_icmp_echo_request_gets_a_reply),
        T(test_icmp_echo_of_full_mtu_is_answered),
        T(test_icmp_source_quench_is_ignored),
        T(test_icmp_soft_errors_do_not_abort_but_are_reported),
        T(test_icmp_hard_errors_abort_with_the_right_errno),
        T(test_icmp_hard_errors_are_soft_when_synchronized_unless_asked),
        T(test_icmp_hard_abort_option_is_inherited_from_the_listener),
        T(test_icmp_frag_needed_lowers_the_mss_and_sends_again_once),
        T(test_icmp_frag_needed_is_kept_for_the_destination),
        T(test_icmp_frag_needed_with_an_implausible_mtu_is_ignored),
        T(test_icmp_frag_needed_without_an_mtu_takes_the_plateau),
        T(test_icmp_frag_needed_floor_is_pmtu_min),
        T(test_icmp_frag_needed_for_a_syn_is_ignored),
        T(test_icmp_port_unreachable_for_a_syn_fails_connect),
        T(test_icmp_with_sequence_outside_the_window_is_ignored),
        T(test_icmp_error_reaches_only_the_connection_it_names),
        T(test_soft_error_explains_a_connect_timeout),
        T(test_random_and_mutated_input_is_survived),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Dual-stack sockets (RFC 3493) over two stacks in memory: a connection
 * over IPv6 end to end, an AF_INET6 listener on :: taking IPv4 through
 * IPv4-mapped addresses unless IPV6_V6ONLY, and the family errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "support/pair.h"

static struct synack_addr v6(uint8_t last)
{
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = last};
    return synack_addr_from_v6(a);
}

static int setup(void **state)
{
    static struct pair p;
    struct synack_config c;
    synack_config_default(&c);
    struct synack_addr a = v6(1);
    memcpy(c.addr6, a.a, 16); /* stack 0 2001:db8::1, stack 1 2001:db8::2 */
    assert_int_equal(pair_init(&p, &c, NULL), 0);
    *state = &p;
    return 0;
}

static int teardown(void **state)
{
    pair_free(*state);
    return 0;
}

/* A listener on stack 0 port 80: AF_INET6 on ::, V6ONLY as given. */
static int listen6(struct pair *p, int v6only)
{
    int l = synack_socket_family(p->st[0], SYNACK_AF_INET6);
    struct synack_addr any = synack_addr_any(SYNACK_AF_INET6);
    assert_true(l >= 0);
    assert_int_equal(synack_socket_setsockopt(p->st[0], l, SYNACK_IPPROTO_IPV6, SYNACK_IPV6_V6ONLY,
                                              &v6only, sizeof v6only, p->now),
                     0);
    assert_int_equal(synack_socket_bind_addr(p->st[0], l, &any, 80), 0);
    assert_int_equal(synack_socket_listen(p->st[0], l, 8), 0);
    return l;
}

struct wait_ctx {
    int sd;
    int events;
};

static bool client_ready(struct pair *p, void *ctx)
{
    struct wait_ctx *w = ctx;
    return (synack_socket_events(p->st[1], w->sd) & w->events) != 0;
}

static void test_ipv6_connection_carries_data(void **state)
{
    struct pair *p = *state;
    int l = listen6(p, 1);
    int c = synack_socket_family(p->st[1], SYNACK_AF_INET6);
    struct synack_addr to = v6(1);
    assert_int_equal(synack_socket_connect_addr(p->st[1], c, &to, 80, p->now), -EINPROGRESS);
    struct wait_ctx w = {c, SYNACK_POLLOUT};
    assert_true(pair_run_until(p, client_ready, &w, p->now + 10 * SYNACK_SEC));
    struct synack_addr peer;
    uint16_t port;
    int s = synack_socket_accept_addr(p->st[0], l, &peer, &port);
    assert_true(s >= 0);
    struct synack_addr want = v6(2);
    assert_true(synack_addr_eq(&peer, &want));
    assert_int_equal(synack_socket_send(p->st[1], c, "hello", 5, 0, p->now), 5);
    while (pair_step(p, p->now + SYNACK_SEC))
        ;
    char buf[8];
    assert_int_equal(synack_socket_recv(p->st[0], s, buf, sizeof buf, 0, p->now), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_true(synack_stack_counters(p->st[1])->ip6_out >= 3);
    assert_int_equal(synack_stack_counters(p->st[1])->ip6_out,
                     synack_stack_counters(p->st[1])->ip_out); /* nothing went over IPv4 */
}

/* :: takes IPv4 unless V6ONLY (RFC 3493 5.3); the peer is then reported
 * IPv4-mapped, ::ffff:192.0.2.2 (3.7). */
static void ipv4_client(struct pair *p, int v6only, int *lsd, int *cli)
{
    *lsd = listen6(p, v6only);
    *cli = synack_socket(p->st[1]);
    assert_int_equal(synack_socket_connect(p->st[1], *cli, PAIR_ADDR0, 80, p->now), -EINPROGRESS);
    struct wait_ctx w = {*cli, SYNACK_POLLOUT | SYNACK_POLLERR | SYNACK_POLLHUP};
    assert_true(pair_run_until(p, client_ready, &w, p->now + 10 * SYNACK_SEC));
}

static void test_dual_stack_listener_takes_ipv4_mapped(void **state)
{
    struct pair *p = *state;
    int l, c;
    ipv4_client(p, 0, &l, &c);
    struct synack_addr peer;
    uint16_t port;
    int s = synack_socket_accept_addr(p->st[0], l, &peer, &port);
    assert_true(s >= 0);
    assert_int_equal(peer.family, SYNACK_AF_INET6);
    assert_true(synack_addr_is_v4mapped(peer.a));
    struct synack_addr unmapped = synack_addr_unmap(peer);
    assert_int_equal(synack_addr_v4(&unmapped), PAIR_ADDR1);
    assert_int_equal(synack_stack_counters(p->st[0])->ip6_out, 0); /* IPv4 on the wire */
}

static void test_v6only_listener_refuses_ipv4(void **state)
{
    struct pair *p = *state;
    int l, c;
    ipv4_client(p, 1, &l, &c);
    assert_int_equal(synack_socket_accept_addr(p->st[0], l, NULL, NULL), -EAGAIN);
    int err = 0;
    size_t len = sizeof err;
    assert_int_equal(synack_socket_getsockopt(p->st[1], c, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR,
                                              &err, &len),
                     0);
    assert_int_equal(err, ECONNREFUSED); /* the SYN found no listener: RST */
}

static void test_family_mismatch_is_eafnosupport(void **state)
{
    struct pair *p = *state;
    struct synack_addr a6 = v6(1), a4 = synack_addr_from_v4(PAIR_ADDR0);
    int s4 = synack_socket(p->st[1]);
    assert_int_equal(synack_socket_connect_addr(p->st[1], s4, &a6, 80, p->now), -EAFNOSUPPORT);
    int s6 = synack_socket_family(p->st[1], SYNACK_AF_INET6);
    assert_int_equal(synack_socket_connect_addr(p->st[1], s6, &a4, 80, p->now), -EAFNOSUPPORT);
    int one = 1;
    assert_int_equal(synack_socket_setsockopt(p->st[1], s6, SYNACK_IPPROTO_IPV6,
                                              SYNACK_IPV6_V6ONLY, &one, sizeof one, p->now),
                     0);
    struct synack_addr mapped = synack_addr_from_v6((uint8_t[16]){[10] = 0xff, [11] = 0xff, 192, 0, 2, 1});
    assert_int_equal(synack_socket_connect_addr(p->st[1], s6, &mapped, 80, p->now), -EAFNOSUPPORT);
    assert_int_equal(synack_socket_family(p->st[1], 99), -EAFNOSUPPORT);
}

/* ---- a multihomed stack (synack_config.more_addrs) ---- */

struct last_pkt {
    uint8_t b[1600];
    size_t len;
};

static int keep_last(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)now;
    struct last_pkt *l = ctx;
    l->len = len < sizeof l->b ? len : sizeof l->b;
    memcpy(l->b, pkt, l->len);
    return 0;
}

/* connect() to `to` from an unbound socket: the source of its SYN, which
 * the socket's name repeats. */
static struct synack_addr syn_source(struct synack_stack *s, struct last_pkt *l,
                                     const struct synack_addr *to)
{
    int sd = synack_socket_family(s, to->family);
    assert_true(sd >= 0);
    assert_int_equal(synack_socket_connect_addr(s, sd, to, 80, 1000000), -EINPROGRESS);
    struct synack_addr src, name;
    if (to->family == SYNACK_AF_INET6)
        src = synack_addr_from_v6(l->b + 8);
    else
        src = synack_addr_from_v4((uint32_t)l->b[12] << 24 | (uint32_t)l->b[13] << 16 |
                                  (uint32_t)l->b[14] << 8 | l->b[15]);
    uint16_t port;
    assert_int_equal(synack_socket_name_addr(s, sd, &name, &port), 0);
    assert_true(synack_addr_eq(&src, &name));
    return src;
}

/* MUST-44 (RFC 1122 3.3.4.3 (A)): an active open with no local address
 * takes ours on the peer's subnet, else our first, in either family;
 * bind() takes any address of ours (MUST-43) and no other. */
static void test_multihomed_source_selection_and_bind(void **state)
{
    (void)state;
    struct synack_config c;
    synack_config_default(&c);
    c.addr = 0xc0000201u; /* 192.0.2.1/24, then 198.51.100.1/24 */
    struct synack_addr first6 = v6(1), second6 = v6(1), far6 = v6(9), near6 = v6(9);
    second6.a[5] = near6.a[5] = 5; /* 2001:db8:5::/64 */
    far6.a[5] = 9;
    memcpy(c.addr6, first6.a, 16);
    c.more_addrs[0] = (struct synack_ifaddr){synack_addr_from_v4(0xc6336401u), 24};
    c.more_addrs[1] = (struct synack_ifaddr){second6, 64};
    struct last_pkt l = {.len = 0};
    struct synack_link link = {.send = keep_last, .ctx = &l};
    int e = 0;
    struct synack_stack *s = synack_stack_new(&c, &link, &e);
    assert_non_null(s);
    struct synack_addr near4 = synack_addr_from_v4(0xc6336409u),
                       far4 = synack_addr_from_v4(0xcb007109u);
    struct synack_addr got = syn_source(s, &l, &near4);
    assert_int_equal(synack_addr_v4(&got), 0xc6336401u);
    got = syn_source(s, &l, &far4);
    assert_int_equal(synack_addr_v4(&got), 0xc0000201u);
    got = syn_source(s, &l, &near6);
    assert_true(synack_addr_eq(&got, &second6));
    got = syn_source(s, &l, &far6);
    assert_true(synack_addr_eq(&got, &first6));
    int b = synack_socket_family(s, SYNACK_AF_INET6);
    struct synack_addr other6 = v6(1);
    other6.a[5] = 6;
    assert_int_equal(synack_socket_bind_addr(s, b, &other6, 81), -EADDRNOTAVAIL);
    assert_int_equal(synack_socket_bind_addr(s, b, &second6, 81), 0);
    synack_stack_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ipv6_connection_carries_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dual_stack_listener_takes_ipv4_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v6only_listener_refuses_ipv4, setup, teardown),
        cmocka_unit_test_setup_teardown(test_family_mismatch_is_eafnosupport, setup, teardown),
        cmocka_unit_test(test_multihomed_source_selection_and_bind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

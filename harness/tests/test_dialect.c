/* The dialect check (script/dialect.h): each kind of finding on a script
 * that has it, at its line and column, and none on plain packetdrill. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "script/dialect.h"

static const char *const handshake =
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000>\n"
    "+0  > S. 0:0(0) ack 1 <mss 1460>\n"
    "+.1 < . 1:1(0) ack 1 win 32792\n"
    "+0  accept(3, ..., ...) = 4\n";

static size_t check(const char *tail, struct dialect_finding *f, size_t max)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s%s", handshake, tail);
    struct script *s = NULL;
    struct script_error err;
    if (script_parse_buffer(buf, strlen(buf), "t.pkt", &s, &err) < 0)
        fail_msg("does not parse: %s", err.message);
    size_t n = dialect_check(s, f, max);
    script_free(s);
    return n;
}

static void test_plain_packetdrill_has_no_finding(void **state)
{
    (void)state;
    struct dialect_finding f[4];
    assert_int_equal(check("+0  setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
                           "+0  setsockopt(4, SOL_TCP, TCP_CONGESTION, \"reno\", 4) = 0\n"
                           "+0  getsockopt(4, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n"
                           "+0  %{ assert tcpi_state == TCP_ESTABLISHED }%\n"
                           "+0  `sysctl -q net.ipv4.tcp_sack=0`\n"
                           "+0  < P. 1:11(10) ack 1 win 32792 urg 5 <nop,nop,TS val 1 ecr 0>\n"
                           "+0  send(4, ..., 10, 0) = 10\n"
                           "// @req RFC9293:MUST-10\n",
                           f, 4), 0);
}

static void test_each_kind_is_found_where_it_is(void **state)
{
    (void)state;
    static const struct {
        const char *line, *kind;
        unsigned column;
    } cases[] = {
        {"+0 < . 1:1(0) ack 1 win 32792 <kind 99 len 2>\n", "generic-option", 1},
        {"+0 < . 1:1(0) ack 1 win 32792 {ip.ttl=0}\n", "mutation", 32},
        {"+0 < P. 1:11(10) urg 5 ack 1 win 32792\n", "field-order", 1},
        {"+0 < P. wnd_edge:wnd_edge+1(1) ack 1 win 32792\n", "window-edge", 1},
        {"+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED}, [4]) = 0\n",
         "tcp-info-getsockopt", 37},
        {"+0 getsockopt(4, SOL_SOCKET, SO_ERROR, ..., [4]) = 0\n", "getsockopt-value", 40},
        {"+0 getsockopt(4, SOL_SOCKET, SO_ERROR, [0], 4) = 0\n", "getsockopt-optlen", 45},
        {"+0 setsockopt(4, SOL_SOCKET, SO_KEEPALIVE, 1, 4) = 0\n", "option-value", 44},
        {"+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0\n",
         "linger-struct", 41},
        {"+0 connect(4, {sin_port=htons(9), sin_addr=inet_addr(\"192.0.2.255\")}, ...) = 0\n",
         "address-argument", 15},
        {"+0 send(4, ..., 10) = 10\n", "argument-count", 1},
        {"+0 setsockopt(4, SOL_TCP, SYNACK_TCP_SACK, [0], 4) = 0\n", "synack-symbol", 27},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dialect_finding f[4];
        size_t n = check(cases[i].line, f, 4);
        if (n != 1 || strcmp(f[0].kind, cases[i].kind) != 0 || f[0].line != 8 ||
            f[0].column != cases[i].column)
            fail_msg("%s: %zu findings, first %s at 8:%u", cases[i].line, n,
                     n ? f[0].kind : "-", n ? f[0].column : 0);
    }
}

/* Every kind has its row in the table (the README's table of extensions). */
static void test_every_kind_says_packetdrills_way(void **state)
{
    (void)state;
    size_t n = 0;
    for (; dialect_kinds[n].kind; n++)
        assert_true(strlen(dialect_kinds[n].what) > 5 && strlen(dialect_kinds[n].packetdrill) > 3);
    assert_int_equal(n, 13);
}

/* --primary_ip, a header option of synack's own, at its line and column. */
static void test_primary_ip_is_found(void **state)
{
    (void)state;
    const char *src = "--primary_ip=192.0.2.1\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
    struct script *s = NULL;
    struct script_error err;
    if (script_parse_buffer(src, strlen(src), "t.pkt", &s, &err) < 0)
        fail_msg("does not parse: %s", err.message);
    struct dialect_finding f[2];
    assert_int_equal(dialect_check(s, f, 2), 1);
    assert_string_equal(f[0].kind, "primary-ip");
    assert_int_equal(f[0].line, 1);
    script_free(s);
}

/* More findings than room: counted, not written past the end. */
static void test_findings_past_room_are_counted(void **state)
{
    (void)state;
    struct dialect_finding f[1];
    assert_int_equal(check("+0 send(4, ..., 10) = 10\n+0 send(4, ..., 10) = 10\n", f, 1), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_packetdrill_has_no_finding),
        cmocka_unit_test(test_each_kind_is_found_where_it_is),
        cmocka_unit_test(test_every_kind_says_packetdrills_way),
        cmocka_unit_test(test_primary_ip_is_found),
        cmocka_unit_test(test_findings_past_room_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

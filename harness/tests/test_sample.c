/* The target's view of the connection on the ladder (run/sample.c): on the
 * mem target, rows after the connection exists carry its TCP_INFO (state,
 * cwnd, in flight), rows before it carry nothing, and a send shows the
 * octets in flight until they are acknowledged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "run/runner.h"
#include "script/script.h"

static const char script[] =
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000>\n"
    "+0  > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 32792\n"
    "+0  accept(3, ..., ...) = 4\n"
    "+0  write(4, ..., 1000) = 1000\n"
    "+0  > P. 1:1001(1000) ack 1\n"
    "+.1 < . 1:1(0) ack 1001 win 32792\n";

static void test_rows_carry_the_targets_tcp_state(void **state)
{
    (void)state;
    struct script *s;
    struct script_error e;
    assert_int_equal(script_parse_buffer(script, strlen(script), "t.pkt", &s, &e), 0);
    struct run_options o = {.target = target_find("mem"), .seed = 1,
                            .max_script_us = 3600LL * 1000000};
    struct vector_result res;
    vector_result_init(&res);
    run_script(s, &o, &res);
    assert_int_equal(res.status, RESULT_PASS);
    assert_int_equal(res.ladder_count, 10);
    for (size_t i = 0; i < 6; i++) /* before accept: no connection socket yet */
        assert_false(res.ladder[i].tcp.known);
    const struct ladder_tcp *after_accept = &res.ladder[6].tcp;
    assert_true(after_accept->known);
    assert_string_equal(after_accept->state, "ESTABLISHED");
    assert_true(after_accept->cwnd >= 1000);
    assert_int_equal(after_accept->in_flight, 0);
    assert_int_equal(res.ladder[8].tcp.in_flight, 1000); /* the data is out */
    assert_int_equal(res.ladder[9].tcp.in_flight, 0);    /* and acknowledged */
    assert_int_equal(res.ladder[9].tcp.snd_wnd, 32792);
    vector_result_free(&res);
    script_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_carry_the_targets_tcp_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

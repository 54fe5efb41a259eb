/* The so: target: synack's own object runs a script as mem does, and a
 * stack under test that crashes, hangs, exits or breaks the interface's
 * rules (harness/tests/objects/misbehave.c, wrapped around synack's
 * object) gives the vector a precise error naming the line and the call,
 * while the harness and the next vector carry on. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run/runner.h"

static char build[PATH_MAX / 2];  /* build/ (or build-san/) */
static char synack_so[PATH_MAX];  /* libsynack-packetdrill.so */
static char bad_so[PATH_MAX];     /* libmisbehave-packetdrill.so */

static const char *const handshake =
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000>\n"
    "+0  > S. 0:0(0) ack 1 <mss 1460>\n"
    "+.1 < . 1:1(0) ack 1 win 32792\n"
    "+0  accept(3, ..., ...) = 4\n";

static const char *const data_in =
    "+.1 < P. 1:11(10) ack 1 win 32792\n"
    "+0  read(4, ..., 100) = 10\n"
    "+.2 > . 1:1(0) ack 11\n";

static void run_on(const struct target_ops *ops, const char *text, struct vector_result *res)
{
    memset(res, 0, sizeof *res);
    res->t_expected = res->t_actual = -1;
    struct script *s = NULL;
    struct script_error err;
    assert_int_equal(script_parse_buffer(text, strlen(text), "test.pkt", &s, &err), 0);
    struct run_options o = {.target = ops, .seed = 1, .max_script_us = 3600LL * 1000000};
    run_script(s, &o, res);
    script_free(s);
}

/* Run handshake + more on misbehave.so with these fault flags. */
static void run_bad(const char *faults, const char *more, struct vector_result *res)
{
    char flags[2 * PATH_MAX], err[600], spec[PATH_MAX + 3], text[4096];
    snprintf(flags, sizeof flags, "inner=%s,clock=virtual,%s", synack_so, faults);
    snprintf(spec, sizeof spec, "so:%s", bad_so);
    const struct target_ops *ops = target_resolve(spec, flags, err, sizeof err);
    if (!ops)
        fail_msg("target_resolve: %s", err);
    snprintf(text, sizeof text, "%s%s", handshake, more);
    run_on(ops, text, res);
    target_release(ops);
}

static void test_synack_object_runs_a_script_on_a_virtual_clock(void **state)
{
    (void)state;
    char spec[PATH_MAX + 3], err[600], text[4096];
    snprintf(spec, sizeof spec, "so:%s", synack_so);
    const struct target_ops *ops = target_resolve(spec, "clock=virtual", err, sizeof err);
    assert_non_null(ops);
    assert_true(ops->virtual_time);
    assert_string_equal(ops->name, "so:libsynack-packetdrill.so");
    struct vector_result r;
    snprintf(text, sizeof text, "%s%s", handshake, data_in);
    run_on(ops, text, &r);
    assert_int_equal(r.status, RESULT_PASS);
    assert_int_equal(r.script_us, 400000); /* the delayed ACK at exactly +200 ms */
    vector_result_free(&r);
    target_release(ops);
}

static void test_real_clock_object_is_a_real_time_target(void **state)
{
    (void)state;
    char spec[PATH_MAX + 3], err[600];
    snprintf(spec, sizeof spec, "so:%s", synack_so);
    const struct target_ops *ops = target_resolve(spec, NULL, err, sizeof err);
    assert_non_null(ops);
    assert_false(ops->virtual_time);
    target_release(ops);
}

static void expect_error(struct vector_result *r, unsigned line, const char *message)
{
    assert_int_equal(r->status, RESULT_ERROR);
    assert_int_equal(r->fail_line, line);
    assert_string_equal(r->message, message);
}

static void test_crash_in_a_call_is_that_vectors_error(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("crash=recv", data_in, &r);
    expect_error(&r, 9, "line 9: the stack under test crashed: SIGSEGV in recv()");
    vector_result_free(&r);
}

static void test_crash_while_injecting_names_netdev_send(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("crash=netdev_send", "", &r);
    expect_error(&r, 4, "line 4: the stack under test crashed: SIGSEGV in netdev_send()");
    vector_result_free(&r);
}

static void test_hang_is_cut_after_the_call_timeout(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("hang=accept", "", &r);
    expect_error(&r, 7, "line 7: the stack under test did not return from accept() within 1 s");
    assert_true(r.wall_ms < 5000);
    vector_result_free(&r);
}

static void test_exit_reports_status_and_last_words(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("exit=listen", "", &r);
    expect_error(&r, 3, "line 3: the stack under test exited with status 3 in listen() "
                        "(its last words: \"misbehave: giving up in listen\")");
    vector_result_free(&r);
}

static void test_datagram_larger_than_the_buffer_is_a_broken_rule(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("lie=size", "", &r);
    expect_error(&r, 5, "line 5: the stack under test broke the interface: netdev_receive() "
                        "said 65636 octets were written into a buffer of 65536");
    vector_result_free(&r);
}

static void test_packet_stamped_in_the_future_is_a_broken_rule(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("lie=time", "", &r);
    expect_error(&r, 5, "line 5: the stack under test broke the interface: netdev_receive() "
                        "stamped a packet at 3600.000000 s, outside its clock's "
                        "0.000000..0.000000 s");
    vector_result_free(&r);
}

static void test_garbage_datagram_fails_the_vector_without_harm(void **state)
{
    (void)state;
    struct vector_result r;
    run_bad("lie=garbage", "", &r);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_int_equal(r.fail_line, 5);
    assert_non_null(r.message);
    vector_result_free(&r);
}

static void test_next_vector_runs_after_a_crash(void **state)
{
    (void)state;
    char flags[2 * PATH_MAX], err[600], spec[PATH_MAX + 3], text[4096];
    snprintf(flags, sizeof flags, "inner=%s,clock=virtual,crash=recv", synack_so);
    snprintf(spec, sizeof spec, "so:%s", bad_so);
    const struct target_ops *ops = target_resolve(spec, flags, err, sizeof err);
    assert_non_null(ops);
    struct vector_result r;
    snprintf(text, sizeof text, "%s%s", handshake, data_in);
    run_on(ops, text, &r);
    assert_int_equal(r.status, RESULT_ERROR);
    vector_result_free(&r);
    run_on(ops, handshake, &r); /* no recv: this one passes, in a fresh process */
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    target_release(ops);
}

static void test_crash_in_init_refuses_the_target(void **state)
{
    (void)state;
    char flags[2 * PATH_MAX], err[600], spec[PATH_MAX + 3];
    snprintf(flags, sizeof flags, "inner=%s,crash=init", synack_so);
    snprintf(spec, sizeof spec, "so:%s", bad_so);
    assert_null(target_resolve(spec, flags, err, sizeof err));
    assert_string_equal(err, "the stack under test crashed: SIGSEGV in packetdrill_interface_init()");
}

static void test_missing_object_and_non_objects_are_refused(void **state)
{
    (void)state;
    char err[600];
    assert_null(target_resolve("so:/nonexistent/lib.so", NULL, err, sizeof err));
    assert_string_equal(err, "/nonexistent/lib.so: No such file or directory");
    assert_null(target_resolve("so:/etc/passwd", NULL, err, sizeof err));
    assert_non_null(strstr(err, "/etc/passwd: "));
    assert_null(target_resolve("mem", "clock=virtual", err, sizeof err));
    assert_string_equal(err, "--so-flags is for the so: and lwip targets, not mem");
}

int main(void)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return 1;
    self[n] = '\0';
    /* build/harness/tests/test_so_target -> build */
    for (int i = 0; i < 3; i++)
        *strrchr(self, '/') = '\0';
    if (strlen(self) >= sizeof build)
        return 1;
    memcpy(build, self, strlen(self) + 1);
    snprintf(synack_so, sizeof synack_so, "%s/libsynack-packetdrill.so", build);
    snprintf(bad_so, sizeof bad_so, "%s/harness/tests/libmisbehave-packetdrill.so", build);
    char host[PATH_MAX + 32];
    snprintf(host, sizeof host, "%s/synack-so-host", build);
    setenv("SYNACK_SO_HOST", host, 0);
    setenv("SYNACK_SO_CALL_TIMEOUT", "1", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synack_object_runs_a_script_on_a_virtual_clock),
        cmocka_unit_test(test_real_clock_object_is_a_real_time_target),
        cmocka_unit_test(test_crash_in_a_call_is_that_vectors_error),
        cmocka_unit_test(test_crash_while_injecting_names_netdev_send),
        cmocka_unit_test(test_hang_is_cut_after_the_call_timeout),
        cmocka_unit_test(test_exit_reports_status_and_last_words),
        cmocka_unit_test(test_datagram_larger_than_the_buffer_is_a_broken_rule),
        cmocka_unit_test(test_packet_stamped_in_the_future_is_a_broken_rule),
        cmocka_unit_test(test_garbage_datagram_fails_the_vector_without_harm),
        cmocka_unit_test(test_next_vector_runs_after_a_crash),
        cmocka_unit_test(test_crash_in_init_refuses_the_target),
        cmocka_unit_test(test_missing_object_and_non_objects_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

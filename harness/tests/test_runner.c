/* The runner on the mem target: passing scripts pass, a wrong expectation
 * fails naming the line and field, an extra packet fails, bad scripts and
 * unsupported constructs are errors (not failures), blocking calls are
 * timed, and the pcap of a run holds both directions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run/run_internal.h"
#include "run/runner.h"

static const char *const handshake =
    "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0  bind(3, ..., ...) = 0\n"
    "+0  listen(3, 1) = 0\n"
    "+0  < S 0:0(0) win 32792 <mss 1000>\n"
    "+0  > S. 0:0(0) ack 1 <mss 1460>\n"
    "+.1 < . 1:1(0) ack 1 win 32792\n"
    "+0  accept(3, ..., ...) = 4\n";

/* mem as a target without IPv6 (as tun, so: and lwip are): ipv6 runs
 * skipped, AF_INET6 sockets refused. */
static int v4_only_socket(struct target *t, int domain)
{
    return domain == SYNACK_AF_INET ? target_find("mem")->sock_socket(t, domain) : -EAFNOSUPPORT;
}
static struct target_ops mem_v4_only;
static const struct target_ops *run_target; /* NULL: mem */

static const struct target_ops *v4_only_target(void)
{
    mem_v4_only = *target_find("mem");
    mem_v4_only.name = "mem-ipv4";
    mem_v4_only.ipv6 = false;
    mem_v4_only.sock_socket = v4_only_socket;
    return &mem_v4_only;
}

/* Parse text (handshake prefix when with_handshake) and run it on mem (or
 * run_target), with packetdrill's verdict or (strict) the strict checks
 * added. */
static void run_text_mode(const char *text, bool with_handshake, struct vector_result *res,
                          const char *pcap, bool strict)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "%s%s", with_handshake ? handshake : "", text);
    memset(res, 0, sizeof *res);
    res->t_expected = res->t_actual = -1;
    struct script *s = NULL;
    struct script_error err;
    if (script_parse_buffer(buf, strlen(buf), "test.pkt", &s, &err) < 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg);
        res->status = RESULT_ERROR;
        res->message = strdup(msg);
        return;
    }
    struct run_options o = {.target = run_target ? run_target : target_find("mem"), .seed = 1,
                            .max_script_us = 3600LL * 1000000, .pcap_path = pcap,
                            .strict = strict};
    run_script(s, &o, res);
    script_free(s);
}

static void run_text(const char *text, bool with_handshake, struct vector_result *res,
                     const char *pcap)
{
    run_text_mode(text, with_handshake, res, pcap, false);
}

static void test_correct_script_passes(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    assert_null(r.message);
    assert_true(r.ladder_count >= 9);
    vector_result_free(&r);
}

static void test_wrong_ack_fails_naming_line_and_field(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 7\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.message, "line 9: field ack: expected 7, got 1");
    assert_int_equal(r.fail_line, 9);
    assert_string_equal(r.fail_field, "ack");
    assert_non_null(r.expected);
    assert_non_null(r.actual);
    assert_non_null(strstr(r.actual, "P. 1:11(10) ack 1"));
    vector_result_free(&r);
}

/* Extension (7): wnd_edge is the right edge of the window the stack's
 * last segment announced (synack announces 65535 octets after IRS+1): a
 * segment whose first octet is the window's last is acceptable and held,
 * one at the edge is not; a SO_RCVBUF of 2048 moves the edge with it; and
 * before the stack has announced a window the script cannot name it. */
static void test_window_edge_follows_the_stack(void **state)
{
    (void)state;
    struct vector_result r;
    run_text_mode("+.1 < P. wnd_edge-1:wnd_edge+9(10) ack 1 win 32792\n"
                  "+0  > . 1:1(0) ack 1\n"
                  "+.1 < P. wnd_edge:wnd_edge+10(10) ack 1 win 32792\n"
                  "+0  > . 1:1(0) ack 1\n"
                  "+.1 < P. 1:1(0) ack 1 win 32792\n", true, &r, NULL, true);
    assert_int_equal(r.status, RESULT_PASS);
    bool seen = false;
    for (size_t i = 0; i < r.ladder_count; i++)
        if (r.ladder[i].line == 8) {
            assert_string_equal(r.ladder[i].expected,
                                "< P. wnd_edge-1:wnd_edge+9(10) ack 1 win 32792");
            assert_string_equal(r.ladder[i].actual, "< P. 65535:65545(10) ack 1 win 32792");
            seen = true;
        }
    assert_true(seen);
    vector_result_free(&r);
    /* a stack whose window is 2048: the same line lands at 2048 */
    run_text_mode("0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                  "+0  setsockopt(3, SOL_SOCKET, SO_RCVBUF, [2048], 4) = 0\n"
                  "+0  bind(3, ..., ...) = 0\n"
                  "+0  listen(3, 1) = 0\n"
                  "+0  < S 0:0(0) win 32792 <mss 1000>\n"
                  "+0  > S. 0:0(0) ack 1 win 2048 <mss 1460>\n"
                  "+.1 < . 1:1(0) ack 1 win 32792\n"
                  "+0  accept(3, ..., ...) = 4\n"
                  "+.1 < P. wnd_edge-1:wnd_edge+9(10) ack 1 win 32792\n"
                  "+0  > . 1:1(0) ack 1\n", false, &r, NULL, true);
    assert_int_equal(r.status, RESULT_PASS);
    assert_string_equal(r.ladder[8].actual, "< P. 2048:2058(10) ack 1 win 32792");
    vector_result_free(&r);
    /* the edge named wrongly: data at the edge itself is not taken, and a
     * script expecting it taken fails */
    run_text_mode("+.1 < P. wnd_edge:wnd_edge+10(10) ack 1 win 32792\n"
                  "+0  > . 1:1(0) ack 65546\n", true, &r, NULL, true);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.fail_field, "ack");
    vector_result_free(&r);
    run_text_mode("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                  "+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                  "+0 < S wnd_edge:wnd_edge(0) win 32792\n", false, &r, NULL, true);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_string_equal(r.message, "line 4: wnd_edge: the stack has announced no window yet "
                        "(no segment with ACK from it)");
    vector_result_free(&r);
}

/* With window scaling on both SYNs, the edge is the window shifted by the
 * stack's own shift (RFC 7323 2.2); its SYN-ACK's window is not. */
static void test_window_edge_scaled(void **state)
{
    (void)state;
    struct vector_result r;
    run_text_mode("0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                  "+0  bind(3, ..., ...) = 0\n"
                  "+0  listen(3, 1) = 0\n"
                  "+0  < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>\n"
                  "+0  > S. 0:0(0) ack 1 <...>\n"
                  "+0  < P. wnd_edge-1:wnd_edge+9(10) ack 1 win 32792\n"
                  "+0  > . 1:1(0) ack 1 <...>\n"
                  "+.1 < . 1:1(0) ack 1 win 32792\n"
                  "+0  accept(3, ..., ...) = 4\n"
                  "+0  write(4, ..., 1) = 1\n"
                  "+0  > P. 1:2(1) ack 1 <...>\n"
                  "+.1 < P. wnd_edge-1:wnd_edge+9(10) ack 2 win 32792\n"
                  "+0  > . 2:2(0) ack 1 <...>\n", false, &r, NULL, true);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
}

/* @ignore extra-psh: a PSH the line does not write is allowed, one it
 * writes is still required; without the tag both are mismatches. */
static void test_ignore_extra_psh(void **state)
{
    (void)state;
    struct vector_result r;
    const char *unwritten = "+0 write(4, ..., 10) = 10\n+0 > . 1:11(10) ack 1\n";
    run_text(unwritten, true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.fail_field, "flags");
    vector_result_free(&r);
    char buf[512];
    snprintf(buf, sizeof buf, "// @ignore extra-psh\n%s", unwritten);
    run_text(buf, true, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    run_text("// @ignore extra-psh\n+0 write(4, ..., 2000) = 2000\n"
             "+0 > P. 1:1001(1000) ack 1\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.message, "line 10: field flags: expected P., got .");
    vector_result_free(&r);
}

static void test_wrong_window_fails_on_win(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 1\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.fail_field, "win");
    vector_result_free(&r);
}

/* The script's --tolerance_percent is the share of the time since the
 * previous event a packet may come early or late (packetdrill's; 12.5 by
 * default): the retransmission comes after the RTO, 1 s; expected 1.2 s
 * after the write, it is 200 ms early, outside 12.5% (150 ms), inside 25%. */
static void test_tolerance_percent_is_the_scripts(void **state)
{
    (void)state;
    const char *lines = "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n"
                        "+1.2 > P. 1:11(10) ack 1\n";
    char text[2048];
    struct vector_result r;
    for (int pct = 0; pct <= 25; pct += 25) {
        snprintf(text, sizeof text, "%s%s%s", pct ? "--tolerance_percent=25\n" : "", handshake,
                 lines);
        run_text(text, false, &r, NULL);
        assert_int_equal(r.status, pct ? RESULT_PASS : RESULT_FAIL);
        if (!pct)
            assert_non_null(strstr(r.message, "packet sent too early"));
        vector_result_free(&r);
    }
}

/* Verdict semantics (packetdrill's by default, strict on request). */

/* A packet after the script's last expected one: packetdrill does not judge
 * it; the strict checks fail it, as a failure of their own class. */
static void test_packet_after_last_expected_passes_unless_strict(void **state)
{
    (void)state;
    struct vector_result r;
    const char *text = "+0 write(4, ..., 10) = 10\n+.1 < . 1:1(0) ack 11 win 32792\n";
    run_text_mode(text, true, &r, NULL, false);
    assert_int_equal(r.status, RESULT_PASS);
    assert_false(r.strict_fail);
    bool shown = false; /* the packet is in the ladder all the same */
    for (size_t i = 0; i < r.ladder_count; i++)
        shown |= r.ladder[i].status == LADDER_UNEXPECTED && strstr(r.ladder[i].actual, "P. 1:11(10)");
    assert_true(shown);
    vector_result_free(&r);
    run_text_mode(text, true, &r, NULL, true);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_true(r.strict_fail);
    assert_non_null(strstr(r.message, "strict: unexpected packet"));
    assert_non_null(strstr(r.message, "P. 1:11(10)"));
    vector_result_free(&r);
}

/* An extra packet before an expected one is what that line is compared
 * with (packetdrill's sniffer queue): a failure in both modes. */
static void test_extra_packet_before_an_expected_one_fails_both_ways(void **state)
{
    (void)state;
    for (int strict = 0; strict < 2; strict++) {
        struct vector_result r;
        run_text_mode("+0 write(4, ..., 10) = 10\n+0 close(4) = 0\n+0 > F. 11:11(0) ack 1\n",
                      true, &r, NULL, strict);
        assert_int_equal(r.status, RESULT_FAIL);
        assert_false(r.strict_fail);
        assert_int_equal(r.fail_line, 10);
        assert_string_equal(r.fail_field, "flags");
        assert_non_null(strstr(r.actual, "P. 1:11(10)"));
        vector_result_free(&r);
    }
}

/* A SYN sent by a non-blocking connect, listed after a setsockopt at the
 * same time, is that line's packet, in both modes. */
static void test_syn_listed_after_setsockopt_is_expected(void **state)
{
    (void)state;
    for (int strict = 0; strict < 2; strict++) {
        struct vector_result r;
        run_text_mode("0 socket(..., SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_TCP) = 3\n"
                      /* a SYN with the MSS alone: the extensions are not the point */
                      "+0 setsockopt(3, SOL_TCP, SYNACK_TCP_WINDOW_SCALING, [0], 4) = 0\n"
                      "+0 setsockopt(3, SOL_TCP, SYNACK_TCP_TIMESTAMPS, [0], 4) = 0\n"
                      "+0 setsockopt(3, SOL_TCP, SYNACK_TCP_SACK, [0], 4) = 0\n"
                      "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                      "+0 setsockopt(3, SOL_SOCKET, SO_KEEPALIVE, [1], 4) = 0\n"
                      "+0 > S 0:0(0) <mss 1460>\n", false, &r, NULL, strict);
        assert_int_equal(r.status, RESULT_PASS);
        vector_result_free(&r);
    }
}

/* socket() checks its domain, type and protocol as Linux does; NULL
 * buffers are EFAULT; a packetdrill call this runner lacks is a named skip. */
static void test_socket_arguments_and_null_buffers(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("0 socket(AF_UNIX, SOCK_STREAM, 0) = -1 EAFNOSUPPORT (Address family not supported)\n"
             "+0 socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) = -1 EPROTONOSUPPORT (Protocol not supported)\n"
             "+0 socket(AF_INET, SOCK_STREAM, 12345) = -1 EINVAL (Invalid argument)\n"
             "+0 socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3\n", false, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    run_text("+0 write(4, NULL, 1000) = -1 EFAULT (Bad address)\n"
             "+0 read(4, NULL, 1000) = -1 EFAULT (Bad address)\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    run_text("+0 write(4, NULL, 1000) = 1000\n", true, &r, NULL); /* the test can fail */
    assert_int_equal(r.status, RESULT_FAIL);
    vector_result_free(&r);
    run_text("0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n", false, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS); /* mem is dual-stack */
    vector_result_free(&r);
    run_target = v4_only_target();
    run_text("0 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3\n", false, &r, NULL);
    run_target = NULL;
    assert_int_equal(r.status, RESULT_SKIP);
    assert_non_null(strstr(r.message, "unsupported on this target: AF_INET6"));
    vector_result_free(&r);
    run_text("+0 sendfile(4, 5, NULL, 10) = 10\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_SKIP);
    assert_non_null(strstr(r.message, "unsupported on this target: sendfile()"));
    vector_result_free(&r);
}

/* Names are resolved when the file is read: an unknown symbol deep in a
 * script is an error at its line and column before anything runs. */
static void test_unknown_names_are_errors_before_the_run(void **state)
{
    (void)state;
    static const struct { const char *line, *msg; } cases[] = {
        {"+9 setsockopt(3, SOL_TCP, TCP_NOPE, [1], 4) = 0\n", ":2:27: unknown symbol 'TCP_NOPE'"},
        {"+9 frobnicate(3) = 0\n", ":2:4: unknown system call 'frobnicate'"},
        {"+9 close(3) = -1 ENOPE (x)\n", ":2:4: unknown errno name 'ENOPE'"},
        {"+9 bind(3, {sin_port=ntohs(1)}, 16) = 0\n", ":2:22: unknown function 'ntohs'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[] = "/tmp/synack-resolve-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fprintf(f, "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n%s", cases[i].line);
        fclose(f);
        struct run_options o = {.target = target_find("mem"), .seed = 1,
                                .max_script_us = 3600LL * 1000000};
        struct vector_result r;
        run_file(path, &o, &r);
        unlink(path);
        assert_int_equal(r.status, RESULT_ERROR);
        assert_non_null(strstr(r.message, cases[i].msg));
        assert_int_equal(r.ladder_count, 0); /* nothing ran */
        vector_result_free(&r);
    }
}

static void test_packet_sent_late_fails_on_timing(void **state)
{
    (void)state;
    struct vector_result r;
    /* the delayed ACK comes at +200 ms, not at +0 */
    run_text("+0 < P. 1:101(100) ack 1 win 32792\n+0 > . 1:1(0) ack 101\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_non_null(strstr(r.message, "expected packet not sent"));
    vector_result_free(&r);
}

static void test_bad_syntax_is_an_error_not_a_failure(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 > P. 1:11 ack 1\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_non_null(strstr(r.message, "test.pkt:8:"));
    vector_result_free(&r);
}

/* Python blocks as packetdrill runs them: TCP_INFO of the socket under
 * test at each block's time, the code run at the end in one namespace. */
static void test_python_blocks_see_each_snapshot(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%\n"
             "+0 %{\n"
             "mss = tcpi_snd_mss\n"
             "unacked_before = tcpi_unacked\n"
             "}%\n"
             "+0 write(4, ..., 1000) = 1000\n"
             "+0 > P. 1:1001(1000) ack 1\n"
             "+0 %{ assert (unacked_before, tcpi_unacked, mss) == (0, 1, 1000) }%\n",
             true, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
}

static void test_python_assertion_fails_with_line_and_values(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 %{\n"
             "x = 1\n"
             "assert tcpi_snd_cwnd == 99, 'cwnd'\n"
             "}%\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_int_equal(r.fail_line, 10);
    assert_string_equal(r.message, "line 10: python: assertion failed: assert tcpi_snd_cwnd == "
                                   "99, 'cwnd'; message: cwnd; values: tcpi_snd_cwnd=4");
    assert_string_equal(r.fail_field, "python");
    vector_result_free(&r);
}

/* A variable packetdrill defines that mem cannot know skips; a name nobody
 * defines, a syntax error or an exception is an error; no socket yet, or
 * one accept() has not returned, is an error as in packetdrill. */
static void test_python_outcomes_other_than_pass_and_fail(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool handshake;
        enum result_status st;
        const char *msg;
    } cases[] = {
        {"+0 %{ assert tcpi_delivered == 1 }%\n", true, RESULT_SKIP,
         "line 8: python: tcpi_delivered is not known on target mem"},
        {"+0 %{ assert tcpi_nosuch == 1 }%\n", true, RESULT_ERROR,
         "line 8: python: NameError: name 'tcpi_nosuch' is not defined"},
        {"+0 %{ assert 1 == }%\n", true, RESULT_ERROR, "line 8: python: SyntaxError"},
        {"+0 %{\n\nx = 1 / 0\n}%\n", true, RESULT_ERROR,
         "line 10: python: ZeroDivisionError: division by zero"},
        {"0 %{ assert True }%\n", false, RESULT_ERROR, "line 1: python block: no socket"},
        {"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n"
         "+0 listen(3, 1) = 0\n+0 < S 0:0(0) win 32792 <mss 1000>\n"
         "+0 > S. 0:0(0) ack 1 <mss 1460>\n+0 %{ assert True }%\n", false, RESULT_ERROR,
         "the connection the SYN of line 4 opened is not accept()ed yet"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct vector_result r;
        run_text(cases[i].text, cases[i].handshake, &r, NULL);
        if (r.status != cases[i].st || !strstr(r.message, cases[i].msg))
            fail_msg("case %zu: status %d, %s", i, (int)r.status, r.message);
        vector_result_free(&r);
    }
}

/* A sysctl synack has changes the stack's configuration: a receive buffer
 * of 5000 octets is the SYN-ACK's window. */
static void test_sysctl_line_configures_the_stack(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("`sysctl -q net.ipv4.tcp_rmem=\"4096 5000 8192\" net.ipv4.tcp_sack=0`\n"
             "0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
             "+0  bind(3, ..., ...) = 0\n"
             "+0  listen(3, 1) = 0\n"
             "+0  < S 0:0(0) win 32792 <mss 1000>\n"
             "+0  > S. 0:0(0) ack 1 win 5000 <mss 1460>\n", false, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
}

/* Anything else skips the vector naming the command and why. */
static void test_shell_line_synack_cannot_run_is_a_named_skip(void **state)
{
    (void)state;
    static const char *const lines[][2] = {
        {"0 `sysctl -q net.ipv4.tcp_moderate_rcvbuf=1`\n",
         "shell command not supported on target mem: sysctl -q net.ipv4.tcp_moderate_rcvbuf=1 "
         "(net.ipv4.tcp_moderate_rcvbuf=1: synack does not autotune its buffers)"},
        {"`../common/defaults.sh`\n", "(../common/defaults.sh is not sysctl)"},
        {"0 `sysctl -q net.ipv4.tcp_foo=1`\n", "(net.ipv4.tcp_foo: no synack equivalent)"},
        {"0 `sysctl -q net.ipv4.tcp_fin_timeout=$X`\n", "(shell syntax beyond plain commands)"},
        {"0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 `sysctl -q net.ipv4.tcp_fin_timeout=5`\n",
         "(sysctl settings after the first socket or packet"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct vector_result r;
        run_text(lines[i][0], false, &r, NULL);
        assert_int_equal(r.status, RESULT_SKIP);
        assert_non_null(strstr(r.message, "shell command not supported on target mem: "));
        if (!strstr(r.message, lines[i][1]))
            fail_msg("%s: %s", lines[i][0], r.message);
        vector_result_free(&r);
    }
}

static void test_unsupported_syscall_is_a_named_skip(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 splice(4, 0, 5, 0, 10, 0) = 10\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_SKIP);
    assert_non_null(strstr(r.message, "unsupported on this target: splice()"));
    vector_result_free(&r);
}

static void test_wrong_errno_fails(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0 read(4, ..., 10) = -1 ECONNRESET (Connection reset by peer)\n"
             "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n",
             true, &r, NULL);
    /* read blocks (no data), so it has not returned when the script ends */
    assert_int_equal(r.status, RESULT_ERROR);
    vector_result_free(&r);
    run_text("+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
             "+0 read(4, ..., 10) = -1 ECONNRESET (Connection reset by peer)\n",
             true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.fail_field, "errno");
    assert_non_null(strstr(r.actual, "EAGAIN"));
    vector_result_free(&r);
}

static void test_blocking_read_returns_at_end_time(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("+0...0.200 read(4, ..., 100) = 100\n"
             "+.2 < P. 1:101(100) ack 1 win 32792\n"
             "+.2 > . 1:1(0) ack 101\n",
             true, &r, NULL);
    if (r.status != RESULT_PASS)
        print_message("%s\n", r.message);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    /* the same read expected to return later than it does */
    run_text("+0...0.400 read(4, ..., 100) = 100\n"
             "+.2 < P. 1:101(100) ack 1 win 32792\n"
             "+.2 > . 1:1(0) ack 101\n",
             true, &r, NULL);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.fail_field, "time");
    vector_result_free(&r);
}

static void test_mutation_bad_checksum_is_dropped(void **state)
{
    (void)state;
    struct vector_result r;
    /* with a bad TCP checksum the SYN is dropped: no RST from the closed port */
    run_text("0 < S 0:0(0) win 100 {tcp.csum=bad}\n+0 < S 0:0(0) win 100\n"
             "+0 > R. 0:0(0) ack 1\n",
             false, &r, NULL);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
}

static void test_time_going_backwards_is_an_error(void **state)
{
    (void)state;
    struct vector_result r;
    run_text("0.5 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0.1 close(3) = 0\n", false, &r,
             NULL);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_non_null(strstr(r.message, "time goes backwards"));
    vector_result_free(&r);
}

static void test_pcap_holds_both_directions(void **state)
{
    (void)state;
    char dir[] = "/tmp/synack-runner-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/run.pcap", dir);
    struct vector_result r;
    run_text("+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n", true, &r, path);
    assert_int_equal(r.status, RESULT_PASS);
    assert_string_equal(r.pcap_path, path);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    /* 24-octet header + 5 packets (S, S., ., P., plus the accept's ACK) each with a 16-octet record */
    assert_true(size > 24 + 4 * (16 + 40));
    vector_result_free(&r);
    unlink(path);
    rmdir(dir);
}

/* The fragments of an ip.frag line, as the capture has them: frag field
 * and length of each IPv4 fragment (MF or an offset), in order. */
static size_t pcap_fragments(const char *path, uint16_t *frag, uint16_t *len, uint16_t *id,
                             size_t max)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t hdr[24], rec[16], pkt[2048];
    size_t n = 0;
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t incl = (uint32_t)rec[8] | (uint32_t)rec[9] << 8 | (uint32_t)rec[10] << 16 |
                        (uint32_t)rec[11] << 24; /* little-endian, as written here */
        assert_true(incl <= sizeof pkt);
        assert_int_equal(fread(pkt, 1, incl, f), incl);
        uint16_t fr = synack_get16(pkt + 6);
        if ((fr & (SYNACK_IP_MF | SYNACK_IP_OFFMASK)) && n < max) {
            frag[n] = fr;
            len[n] = synack_get16(pkt + 2);
            id[n++] = synack_get16(pkt + 4);
        }
    }
    fclose(f);
    return n;
}

static void test_ip_frag_sends_fragments_in_order_written(void **state)
{
    (void)state;
    char dir[] = "/tmp/synack-runner-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/run.pcap", dir);
    struct vector_result r;
    /* strict: the oracle is given the datagram, so the ACK is of data sent */
    run_text_mode("+0 < P. 1:101(100) ack 1 win 32792 {ip.frag=64:,0:64,0:64}\n"
                  "+.2 > . 1:1(0) ack 101\n", true, &r, path, true);
    if (r.status != RESULT_PASS)
        print_message("%s\n", r.message);
    assert_int_equal(r.status, RESULT_PASS);
    uint16_t frag[4], len[4], id[4];
    assert_int_equal(pcap_fragments(path, frag, len, id, 4), 3);
    assert_int_equal(frag[0], 64 / 8);               /* the last: no MF, no DF */
    assert_int_equal(len[0], 20 + 120 - 64);
    assert_int_equal(frag[1], SYNACK_IP_MF);         /* the first, then its duplicate */
    assert_int_equal(len[1], 20 + 64);
    assert_int_equal(frag[2], SYNACK_IP_MF);
    assert_true(id[0] == id[1] && id[1] == id[2]);
    vector_result_free(&r);
    unlink(path);
    rmdir(dir);
}

static void test_ip_frag_overlap_is_not_given_to_the_oracle(void **state)
{
    (void)state;
    struct vector_result r;
    /* dropped by the stack; the oracle would flag an ACK of it as data never
     * sent had it been told of a datagram */
    run_text_mode("+0 < P. 1:101(100) ack 1 win 32792 {ip.frag=0:64,56:}\n"
                  "+1 < P. 1:101(100) ack 1 win 32792\n"
                  "+.2 > . 1:1(0) ack 101\n", true, &r, NULL, true);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    run_text("+0 < P. 1:101(100) ack 1 win 32792 {ip.frag=0:64,64:128}\n", true, &r, NULL);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_non_null(strstr(r.message, "runs past the 120 octets"));
    vector_result_free(&r);
}

/* packetdrill's --ip_version: the wire and socket families, the defaults of
 * each, the script's own option first, and addresses of the wrong family. */
static void test_ip_version_addresses(void **state)
{
    (void)state;
    static const char *const scripts[] = {
        "0 close(3) = -1\n",
        "--ip_version=ipv6\n0 close(3) = -1\n",
        "--local_ip=2001:db8::5\n0 close(3) = -1\n",
        "--ip_version=ipv6\n--local_ip=192.0.2.7\n0 close(3) = -1\n",
        "--ip_version=ipv6\n--mtu=1400\n0 close(3) = -1\n",
        "--remote_ip=192.0.2.1\n0 close(3) = -1\n",
        "--local_ip=198.51.100.2\n0 close(3) = -1\n",
    };
    struct script *s[7];
    struct script_error err;
    for (int i = 0; i < 7; i++)
        assert_int_equal(script_parse_buffer(scripts[i], strlen(scripts[i]), "t.pkt", &s[i], &err), 0);
    struct run_addresses a;
    char why[200], text[64];
    assert_true(run_addresses_of(s[0], SCRIPT_IPV4, &a, why, sizeof why));
    assert_int_equal(a.domain, SYNACK_AF_INET);
    assert_int_equal(a.local.family, SYNACK_AF_INET);
    assert_int_equal(synack_addr_v4(&a.local), RUN_DEFAULT_LOCAL_IP);
    assert_int_equal(a.mtu, 1500);
    assert_true(run_addresses_of(s[0], SCRIPT_IPV4_MAPPED_IPV6, &a, why, sizeof why));
    assert_int_equal(a.domain, SYNACK_AF_INET6); /* AF_INET6 sockets, IPv4 on the wire */
    assert_int_equal(a.local.family, SYNACK_AF_INET);
    assert_true(run_addresses_of(s[0], SCRIPT_IPV6, &a, why, sizeof why));
    assert_int_equal(a.domain, SYNACK_AF_INET6);
    synack_addr_format(&a.local, text, sizeof text);
    assert_string_equal(text, "2001:db8::1");
    synack_addr_format(&a.remote, text, sizeof text);
    assert_string_equal(text, "2001:db8:1::2");
    assert_int_equal(a.mtu, 1520); /* the MSS of an IPv4 script: 1460 */
    assert_true(run_addresses_of(s[1], SCRIPT_IPV4, &a, why, sizeof why)); /* the script's wins */
    assert_int_equal(a.local.family, SYNACK_AF_INET6);
    assert_false(run_addresses_of(s[2], SCRIPT_IPV4, &a, why, sizeof why));
    assert_non_null(strstr(why, "an IPv6 --local_ip in an ipv4 run"));
    assert_false(run_addresses_of(s[3], SCRIPT_IPV4, &a, why, sizeof why));
    assert_non_null(strstr(why, "192.0.2.7 is not an IPv6 address"));
    assert_true(run_addresses_of(s[4], SCRIPT_IPV4, &a, why, sizeof why));
    assert_int_equal(a.mtu, 1400); /* given: kept */
    /* one side given as the other side's default: the sides swap defaults */
    assert_true(run_addresses_of(s[5], SCRIPT_IPV4, &a, why, sizeof why));
    assert_int_equal(synack_addr_v4(&a.remote), RUN_DEFAULT_LOCAL_IP);
    assert_int_equal(synack_addr_v4(&a.local), RUN_DEFAULT_REMOTE_IP);
    assert_true(run_addresses_of(s[6], SCRIPT_IPV4, &a, why, sizeof why));
    assert_int_equal(synack_addr_v4(&a.local), RUN_DEFAULT_REMOTE_IP);
    assert_int_equal(synack_addr_v4(&a.remote), RUN_DEFAULT_LOCAL_IP);
    for (int i = 0; i < 7; i++)
        script_free(s[i]);
}

/* A target without IPv6 skips an ipv6 run, naming itself. */
static void test_ipv6_skipped_on_a_target_without_it(void **state)
{
    (void)state;
    struct vector_result r;
    run_target = v4_only_target();
    run_text("--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n", false, &r,
             NULL);
    run_target = NULL;
    assert_int_equal(r.status, RESULT_SKIP);
    assert_non_null(strstr(r.message, "target mem-ipv4 does not run IPv6"));
    vector_result_free(&r);
    run_text("--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n", false, &r,
             NULL);
    assert_int_equal(r.status, RESULT_PASS); /* mem runs it */
    vector_result_free(&r);
}

/* mem as a target whose stack negotiates AccECN, to see what the runner
 * puts on the wire for AccECN's flags and option. */
static const struct target_ops *accecn_target(void)
{
    static struct target_ops ops;
    ops = *target_find("mem");
    ops.name = "mem-accecn";
    ops.accecn = true;
    return &ops;
}

/* Whether the capture holds an IPv4 TCP segment with these flags, reserved
 * bits and (when opt) these first option octets. */
static bool pcap_has_segment(const char *path, uint8_t flags, uint8_t reserved, const uint8_t *opt,
                             size_t optlen)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t hdr[24], rec[16], pkt[2048];
    bool found = false;
    assert_int_equal(fread(hdr, 1, sizeof hdr, f), sizeof hdr);
    while (!found && fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t incl = (uint32_t)rec[8] | (uint32_t)rec[9] << 8 | (uint32_t)rec[10] << 16 |
                        (uint32_t)rec[11] << 24;
        assert_true(incl <= sizeof pkt);
        assert_int_equal(fread(pkt, 1, incl, f), incl);
        const uint8_t *th = pkt + 4 * (pkt[0] & 0x0f);
        found = pkt[9] == SYNACK_IPPROTO_TCP && th[13] == flags && (th[12] & 0x0f) == reserved &&
                (!opt || ((th[12] >> 4) * 4u >= 20 + optlen && memcmp(th + 20, opt, optlen) == 0));
    }
    fclose(f);
    return found;
}

/* AccECN (RFC 9768 3.2.2, 3.2.3): 'A' and an ACE value's top bit are the AE
 * bit, the rest of the value CWR and ECE; the option is built as written.
 * A target whose stack does not negotiate AccECN skips, naming itself. */
static void test_accecn_on_the_wire(void **state)
{
    (void)state;
    static const char text[] = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                               "+0 bind(3, ..., ...) = 0\n"
                               "+0 listen(3, 1) = 0\n"
                               "+0 < SEWA 0:0(0) win 32792 <mss 1000>\n"
                               "+.1 < .6 1:1(0) ack 1 win 32792 <ECN e0b 1 ceb 0 e1b 1,nop>\n";
    static const uint8_t accecn[] = {172, 11, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1};
    char dir[] = "/tmp/synack-runner-XXXXXX", path[256];
    struct vector_result r;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/run.pcap", dir);
    run_target = accecn_target();
    run_text(text, false, &r, path);
    run_target = NULL;
    assert_int_equal(r.status, RESULT_PASS);
    assert_true(pcap_has_segment(path, SYNACK_TCP_SYN | SYNACK_TCP_ECE | SYNACK_TCP_CWR, 1, NULL, 0));
    assert_true(pcap_has_segment(path, SYNACK_TCP_ACK | SYNACK_TCP_CWR, 1, accecn, sizeof accecn));
    assert_false(pcap_has_segment(path, SYNACK_TCP_ACK | SYNACK_TCP_CWR, 0, NULL, 0));
    vector_result_free(&r);
    unlink(path);
    rmdir(dir);
    run_text(text, false, &r, NULL);
    assert_int_equal(r.status, RESULT_SKIP);
    assert_non_null(strstr(r.message, "line 4: AccECN (the AE flag, ACE values, the AccECN "
                                      "option) is not negotiated by target mem's stack"));
    vector_result_free(&r);
}

/* MP_CAPABLE's text (RFC 8684 3.1): version, flags by name or number, keys
 * with or without values; anything more (mpcdatalen, DSS) is not built. */
static void test_mptcp_mpc_parse(void **state)
{
    (void)state;
    struct mptcp_mpc m;
    assert_true(mptcp_mpc_parse("mpcapable v1 flags[flag_h] nokey", &m));
    assert_true(m.version == 1 && m.flags == 0x01 && m.nkeys == 0);
    assert_true(mptcp_mpc_parse("mpcapable v0 flags[flag_a,flag_b,flag_h] key[ckey=3,skey=0x20]", &m));
    assert_true(m.version == 0 && m.flags == 0xc1 && m.nkeys == 2);
    assert_true(m.given[0] && m.value[0] == 3 && m.given[1] && m.value[1] == 0x20);
    assert_string_equal(m.name[1], "skey");
    assert_true(mptcp_mpc_parse("mpcapable v1 flags 0x41 key[skey]", &m));
    assert_true(m.flags == 0x41 && m.nkeys == 1 && !m.given[0]);
    assert_false(mptcp_mpc_parse("mpcapable v1 flags[flag_h] key[ckey,skey] mpcdatalen 100", &m));
    assert_false(mptcp_mpc_parse("mpcapable v2 flags[flag_h] nokey", &m));
    assert_false(mptcp_mpc_parse("mpcapable v1 flags[flag_z] nokey", &m));
    assert_false(mptcp_mpc_parse("mpcapable v1 flags 0x141 nokey", &m));
    assert_false(mptcp_mpc_parse("mpcapable v1 flags[flag_h] key[a,b,c]", &m));
    assert_false(mptcp_mpc_parse("dss dack8=1 nocs", &m));
    assert_false(mptcp_mpc_parse(NULL, &m));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_script_passes),
        cmocka_unit_test(test_wrong_ack_fails_naming_line_and_field),
        cmocka_unit_test(test_wrong_window_fails_on_win),
        cmocka_unit_test(test_window_edge_follows_the_stack),
        cmocka_unit_test(test_window_edge_scaled),
        cmocka_unit_test(test_ignore_extra_psh),
        cmocka_unit_test(test_tolerance_percent_is_the_scripts),
        cmocka_unit_test(test_packet_after_last_expected_passes_unless_strict),
        cmocka_unit_test(test_extra_packet_before_an_expected_one_fails_both_ways),
        cmocka_unit_test(test_syn_listed_after_setsockopt_is_expected),
        cmocka_unit_test(test_socket_arguments_and_null_buffers),
        cmocka_unit_test(test_unknown_names_are_errors_before_the_run),
        cmocka_unit_test(test_packet_sent_late_fails_on_timing),
        cmocka_unit_test(test_bad_syntax_is_an_error_not_a_failure),
        cmocka_unit_test(test_python_blocks_see_each_snapshot),
        cmocka_unit_test(test_python_assertion_fails_with_line_and_values),
        cmocka_unit_test(test_python_outcomes_other_than_pass_and_fail),
        cmocka_unit_test(test_sysctl_line_configures_the_stack),
        cmocka_unit_test(test_shell_line_synack_cannot_run_is_a_named_skip),
        cmocka_unit_test(test_unsupported_syscall_is_a_named_skip),
        cmocka_unit_test(test_wrong_errno_fails),
        cmocka_unit_test(test_blocking_read_returns_at_end_time),
        cmocka_unit_test(test_mutation_bad_checksum_is_dropped),
        cmocka_unit_test(test_time_going_backwards_is_an_error),
        cmocka_unit_test(test_pcap_holds_both_directions),
        cmocka_unit_test(test_ip_frag_sends_fragments_in_order_written),
        cmocka_unit_test(test_ip_version_addresses),
        cmocka_unit_test(test_ipv6_skipped_on_a_target_without_it),
        cmocka_unit_test(test_accecn_on_the_wire),
        cmocka_unit_test(test_mptcp_mpc_parse),
        cmocka_unit_test(test_ip_frag_overlap_is_not_given_to_the_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

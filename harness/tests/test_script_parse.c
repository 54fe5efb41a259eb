/* Unit tests for the segment-script parser (harness/script): every construct
 * of packetdrill's language with its fields, synack's extensions, malformed
 * scripts with exact positions and messages, format/parse round trips, the
 * sample scripts in harness/tests/scripts/, and robustness on hostile input.
 * Run from the repository root (the samples are opened by relative path).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>

#include "script/script.h"

#define SAMPLES "harness/tests/scripts/"

/* ---- helpers -------------------------------------------------------------------- */

static struct script *parse_ok(const char *text)
{
    struct script *s = NULL;
    struct script_error err;
    char msg[512];

    if (script_parse_buffer(text, strlen(text), "t.pkt", &s, &err) != 0) {
        script_error_format(&err, msg, sizeof msg);
        fail_msg("unexpected parse error: %s\nin: %s", msg, text);
    }
    assert_non_null(s);
    return s;
}

/* Parse a script of one event and return it (the script is in *sp). */
static struct script_event *parse_one(const char *text, struct script **sp)
{
    *sp = parse_ok(text);
    assert_int_equal((*sp)->event_count, 1);
    return &(*sp)->events[0];
}

static struct script_packet *parse_pkt(const char *text, struct script **sp)
{
    struct script_event *ev = parse_one(text, sp);
    assert_int_equal(ev->type, SCRIPT_EV_PACKET);
    return &ev->packet;
}

static struct script_syscall *parse_call(const char *text, struct script **sp)
{
    struct script_event *ev = parse_one(text, sp);
    assert_int_equal(ev->type, SCRIPT_EV_SYSCALL);
    return &ev->syscall;
}

static void expect_error_len(const char *text, size_t len, unsigned line, unsigned column,
                             const char *message)
{
    struct script *s = (struct script *)1;
    struct script_error err;

    assert_int_equal(script_parse_buffer(text, len, "t.pkt", &s, &err), -1);
    assert_null(s);
    assert_string_equal(err.file, "t.pkt");
    assert_string_equal(err.message, message);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
}

static void expect_error(const char *text, unsigned line, unsigned column, const char *message)
{
    expect_error_len(text, strlen(text), line, column, message);
}

static void assert_expr(const struct script_expr *e, enum script_expr_kind kind, const char *str)
{
    assert_non_null(e);
    assert_int_equal(e->kind, kind);
    if (str)
        assert_string_equal(e->str, str);
}

static void assert_int_expr(const struct script_expr *e, int64_t v)
{
    assert_non_null(e);
    assert_int_equal(e->kind, SCRIPT_EXPR_INT);
    assert_true(e->num == v);
}

/* ---- header options ----------------------------------------------------------------- */

static void test_options_all_given(void **state)
{
    struct script *s = parse_ok("--tolerance_usecs=10000\n--mss=1000\n--mtu=1400\n"
                                "--local_ip=192.0.2.1\n--remote_ip=192.0.2.2\n"
                                "--bind_port=8081\n--connect_port=9090\n--ip_version=ipv4\n"
                                "0 close(3) = 0\n");
    const struct script_options *o = &s->options;
    (void)state;
    assert_true(o->tolerance_usecs_given && o->tolerance_usecs == 10000);
    assert_true(o->mss_given && o->mss == 1000);
    assert_true(o->mtu_given && o->mtu == 1400);
    assert_true(o->local_ip_given && o->local_ip == 0xc0000201u);
    assert_true(o->remote_ip_given && o->remote_ip == 0xc0000202u);
    assert_true(o->bind_port_given && o->bind_port == 8081);
    assert_true(o->connect_port_given && o->connect_port == 9090);
    assert_true(o->ip_version_given);
    assert_string_equal(s->path, "t.pkt");
    script_free(s);
}

static void test_options_defaults_when_absent(void **state)
{
    struct script *s = parse_ok("0 close(3) = 0\n");
    const struct script_options *o = &s->options;
    (void)state;
    assert_false(o->tolerance_usecs_given || o->mss_given || o->mtu_given || o->local_ip_given ||
                 o->remote_ip_given || o->bind_port_given || o->connect_port_given ||
                 o->ip_version_given);
    assert_int_equal(o->tolerance_usecs, 4000);
    assert_int_equal(o->bind_port, 8080);
    assert_int_equal(o->connect_port, 8080);
    assert_int_equal(o->mtu, 1500);
    assert_int_equal(o->mss, 0);
    assert_int_equal(o->local_ip, 0);
    script_free(s);
}

/* ---- comments and requirement tags ------------------------------------------------------------ */

static void test_comments_and_req_tags(void **state)
{
    struct script *s = parse_ok("// @req RFC9293:MUST-10 RFC9293:SHLD-31\n"
                                "/* a block comment\n"
                                "   @req RFC5961:3.2, RFC6298:5.5 */\n"
                                "0 close(3) = 0 // trailing @req RFC1122:4.2.2.13\n"
                                "// not a tag: foo@req x, @requires y\n"
                                "+0 /* inside */ close(4) = 0\n");
    (void)state;
    assert_int_equal(s->event_count, 2);
    assert_int_equal(s->req_count, 5);
    assert_string_equal(s->reqs[0].tag, "RFC9293:MUST-10");
    assert_int_equal(s->reqs[0].line, 1);
    assert_int_equal(s->reqs[0].column, 9);
    assert_string_equal(s->reqs[1].tag, "RFC9293:SHLD-31");
    assert_int_equal(s->reqs[1].column, 25);
    assert_string_equal(s->reqs[2].tag, "RFC5961:3.2");
    assert_int_equal(s->reqs[2].line, 3);
    assert_string_equal(s->reqs[3].tag, "RFC6298:5.5");
    assert_int_equal(s->reqs[3].line, 3);
    assert_string_equal(s->reqs[4].tag, "RFC1122:4.2.2.13");
    assert_int_equal(s->reqs[4].line, 4);
    assert_int_equal(s->events[1].line, 6);
    script_free(s);
}

static void test_utf8_in_comments_and_strings_is_fine(void **state)
{
    struct script *s = parse_ok("// caf\xc3\xa9 \xe2\x9c\x93\n0 write(4, \"\xc3\xa9t\xc3\xa9\", 5) = 5\r\n");
    (void)state;
    assert_string_equal(s->events[0].syscall.args[1]->str, "\xc3\xa9t\xc3\xa9");
    script_free(s);
}

/* ---- timing ------------------------------------------------------------------------------ */

static void test_timing_forms(void **state)
{
    struct script *s = parse_ok("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                "0.100 close(3) = 0\n"
                                "+0.3 close(3) = 0\n"
                                "+.1 close(3) = 0\n"
                                "* > S 0:0(0)\n"
                                "1.5~2.25 > S 0:0(0)\n"
                                "+0.1~+0.2 > S 0:0(0)\n"
                                "3 close(3) = 0\n");
    const struct script_event *e = s->events;
    (void)state;
    assert_int_equal(s->event_count, 8);
    assert_int_equal(e[0].time.kind, SCRIPT_TIME_ABSOLUTE);
    assert_true(e[0].time.start_usecs == 0);
    assert_int_equal(e[1].time.kind, SCRIPT_TIME_ABSOLUTE);
    assert_false(e[1].time.relative);
    assert_true(e[1].time.start_usecs == 100000 && e[1].time.end_usecs == 100000);
    assert_int_equal(e[2].time.kind, SCRIPT_TIME_RELATIVE);
    assert_true(e[2].time.relative);
    assert_true(e[2].time.start_usecs == 300000); /* exact, not 299999 */
    assert_true(e[3].time.start_usecs == 100000);
    assert_int_equal(e[4].time.kind, SCRIPT_TIME_ANY);
    assert_int_equal(e[5].time.kind, SCRIPT_TIME_RANGE);
    assert_false(e[5].time.relative);
    assert_true(e[5].time.start_usecs == 1500000 && e[5].time.end_usecs == 2250000);
    assert_int_equal(e[6].time.kind, SCRIPT_TIME_RANGE);
    assert_true(e[6].time.relative);
    assert_true(e[6].time.start_usecs == 100000 && e[6].time.end_usecs == 200000);
    assert_true(e[7].time.start_usecs == 3000000);
    for (int i = 0; i < 8; i++)
        assert_false(e[i].time.blocking);
    script_free(s);
}

static void test_timing_blocking(void **state)
{
    struct script *s = parse_ok("0.000...0.100 accept(3, ..., ...) = 4\n"
                                "+.1...0.200 read(4, ..., 2000) = 2000\n"
                                "+0...0.000 read(4, ..., 1000) = 1000\n");
    const struct script_event *e = s->events;
    (void)state;
    assert_true(e[0].time.blocking);
    assert_int_equal(e[0].time.kind, SCRIPT_TIME_ABSOLUTE);
    assert_true(e[0].time.start_usecs == 0 && e[0].time.block_end_usecs == 100000);
    /* Relative: END is on the same base as START (packetdrill run.c). */
    assert_int_equal(e[1].time.kind, SCRIPT_TIME_RELATIVE);
    assert_true(e[1].time.start_usecs == 100000 && e[1].time.block_end_usecs == 200000);
    assert_true(e[2].time.blocking && e[2].time.block_end_usecs == 0);
    script_free(s);
}

/* ---- TCP packets ----------------------------------------------------------------------------- */

static void test_packet_inbound_syn_with_every_option(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "+.1 < S 0:0(0) win 32792 <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7,eol,sack 1:2 3:4>\n", &s);
    const struct script_tcp_option *o = p->opts;
    (void)state;
    assert_int_equal(p->direction, SCRIPT_INBOUND);
    assert_int_equal(p->proto, SCRIPT_PROTO_TCP);
    assert_int_equal(p->flags, SYNACK_TCP_SYN);
    assert_true(p->seq_start == 0 && p->seq_end == 0 && p->seq_len == 0);
    assert_false(p->ack_given);
    assert_true(p->win_given && p->win == 32792);
    assert_false(p->urg_given || p->ports_given || p->ip_given);
    assert_int_equal(p->opts_mode, SCRIPT_OPTS_LIST);
    assert_int_equal(p->opt_count, 7);
    assert_int_equal(o[0].type, SCRIPT_OPT_MSS);
    assert_int_equal(o[0].kind, 2);
    assert_int_equal(o[0].len, 4);
    assert_int_equal(o[0].mss, 1460);
    assert_int_equal(o[1].type, SCRIPT_OPT_SACK_PERM);
    assert_int_equal(o[1].kind, 4);
    assert_int_equal(o[2].type, SCRIPT_OPT_TS);
    assert_true(o[2].ts_val == 100 && o[2].ts_ecr == 0);
    assert_int_equal(o[2].len, 10);
    assert_int_equal(o[3].type, SCRIPT_OPT_NOP);
    assert_int_equal(o[4].type, SCRIPT_OPT_WSCALE);
    assert_int_equal(o[4].wscale, 7);
    assert_int_equal(o[5].type, SCRIPT_OPT_EOL);
    assert_int_equal(o[6].type, SCRIPT_OPT_SACK);
    assert_int_equal(o[6].sack_count, 2);
    assert_true(o[6].sack[0].left == 1 && o[6].sack[0].right == 2);
    assert_true(o[6].sack[1].left == 3 && o[6].sack[1].right == 4);
    assert_int_equal(o[6].len, 18);
    assert_int_equal(script_packet_options_len(p), 4 + 2 + 10 + 1 + 3 + 1 + 18);
    script_free(s);
}

static void test_packet_outbound_fields(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt("+0 > P. 1:1001(1000) ack 1 urg 7\n", &s);
    (void)state;
    assert_int_equal(p->direction, SCRIPT_OUTBOUND);
    assert_int_equal(p->flags, SYNACK_TCP_PSH | SYNACK_TCP_ACK);
    assert_true(p->seq_start == 1 && p->seq_end == 1001 && p->seq_len == 1000);
    assert_true(p->ack_given && p->ack == 1);
    assert_false(p->win_given); /* outbound: window unchecked when omitted */
    assert_true(p->urg_given && p->urg == 7);
    assert_int_equal(p->opts_mode, SCRIPT_OPTS_NONE);
    assert_int_equal(p->opt_count, 0);
    assert_int_equal(p->mut_count, 0);
    script_free(s);
}

/* Extension (7): sequence numbers from the stack's window edge, printed
 * back as written; only the script's own packets take them. */
static void test_packet_window_edge(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt("+0 < P. wnd_edge-1:wnd_edge+9(10) ack 1 win 9\n", &s);
    char out[200];
    (void)state;
    assert_true(p->seq_edge);
    assert_int_equal((int32_t)p->seq_start, -1);
    assert_int_equal((int32_t)p->seq_end, 9);
    assert_int_equal(p->seq_len, 10);
    script_packet_format(p, out, sizeof out);
    assert_string_equal(out, "< P. wnd_edge-1:wnd_edge+9(10) ack 1 win 9");
    script_free(s);
    p = parse_pkt("+0 < R wnd_edge:wnd_edge(0) win 0\n", &s);
    assert_true(p->seq_edge && p->seq_start == 0 && p->seq_end == 0);
    script_packet_format(p, out, sizeof out);
    assert_string_equal(out, "< R wnd_edge:wnd_edge(0) win 0");
    script_free(s);
    expect_error("+0 > . wnd_edge:wnd_edge(0) ack 1\n", 1, 8,
                 "wnd_edge is for packets the script sends: an outbound line gives the "
                 "stack's own numbers");
    expect_error("+0 < . wnd_edge:wnd_edge+9(10) ack 1 win 9\n", 1, 28,
                 "payload length 10 does not match end - start = 9");
    expect_error("+0 < . wnd_edge:10(10) ack 1 win 9\n", 1, 17,
                 "expected sequence end as wnd_edge+N or wnd_edge-N, got '10'");
    expect_error("+0 < . wnd_edge+70000:wnd_edge+70000(0) ack 1 win 9\n", 1, 17,
                 "offset after '+' '70000' out of range (0..65535)");
}

static void test_packet_flags(void **state)
{
    static const struct {
        const char *text;
        uint8_t flags;
    } cases[] = {
        { "S", SYNACK_TCP_SYN },
        { ".", SYNACK_TCP_ACK },
        { "F", SYNACK_TCP_FIN },
        { "P", SYNACK_TCP_PSH },
        { "R", SYNACK_TCP_RST },
        { "U", SYNACK_TCP_URG },
        { "E", SYNACK_TCP_ECE },
        { "W", SYNACK_TCP_CWR },
        { "S.", SYNACK_TCP_SYN | SYNACK_TCP_ACK },
        { "F.", SYNACK_TCP_FIN | SYNACK_TCP_ACK },
        { "P.", SYNACK_TCP_PSH | SYNACK_TCP_ACK },
        { "R.", SYNACK_TCP_RST | SYNACK_TCP_ACK },
        { "SEW", SYNACK_TCP_SYN | SYNACK_TCP_ECE | SYNACK_TCP_CWR },
        { "SE.", SYNACK_TCP_SYN | SYNACK_TCP_ECE | SYNACK_TCP_ACK },
        { "FPU.", SYNACK_TCP_FIN | SYNACK_TCP_PSH | SYNACK_TCP_URG | SYNACK_TCP_ACK },
        { "-", 0 },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[64];
        struct script *s;
        snprintf(line, sizeof line, "0 < %s 1:1(0) win 1\n", cases[i].text);
        assert_int_equal(parse_pkt(line, &s)->flags, cases[i].flags);
        script_free(s);
    }
}

static void test_packet_option_modes(void **state)
{
    struct script *s = parse_ok("0 > S. 0:0(0) ack 1 <...>\n"
                                "+0 > . 1:1(0) ack 1\n"
                                "+0 > . 1:1(0) ack 1 <nop>\n");
    (void)state;
    assert_int_equal(s->events[0].packet.opts_mode, SCRIPT_OPTS_ANY);
    assert_int_equal(s->events[1].packet.opts_mode, SCRIPT_OPTS_NONE);
    assert_int_equal(s->events[2].packet.opts_mode, SCRIPT_OPTS_LIST);
    assert_int_equal(s->events[2].packet.opt_count, 1);
    script_free(s);
}

static void test_packet_ip_info_and_ports(void **state)
{
    struct script *s = parse_ok("0 < [ect0] . 1:1(0) ack 1 win 257\n"
                                "+0 < [ECT1] . 1:1(0) ack 1 win 257\n"
                                "+0 < (tos 0x10) S 0:0(0) win 1\n"
                                "+0 < [ce, ttl 64] S 0:0(0) win 1\n"
                                "+0 > [ect01] . 1:1(0) ack 1\n"
                                "+0 > [noecn] . 1:1(0) ack 1\n"
                                "+0 < 8080>40000 S 0:0(0) win 1\n");
    const struct script_event *e = s->events;
    (void)state;
    assert_true(e[0].packet.ip_given);
    assert_int_equal(e[0].packet.ip.ecn, SCRIPT_ECN_ECT0);
    assert_int_equal(e[1].packet.ip.ecn, SCRIPT_ECN_ECT1);
    assert_true(e[2].packet.ip.tos_given && e[2].packet.ip.tos == 0x10);
    assert_int_equal(e[2].packet.ip.ecn, SCRIPT_ECN_UNSPEC);
    assert_int_equal(e[3].packet.ip.ecn, SCRIPT_ECN_CE);
    assert_true(e[3].packet.ip.ttl_given && e[3].packet.ip.ttl == 64);
    assert_int_equal(e[4].packet.ip.ecn, SCRIPT_ECN_ECT01);
    assert_int_equal(e[5].packet.ip.ecn, SCRIPT_ECN_NOECN);
    assert_true(e[6].packet.ports_given && e[6].packet.sport == 8080 && e[6].packet.dport == 40000);
    assert_int_equal(e[6].packet.flags, SYNACK_TCP_SYN);
    script_free(s);
}

/* ---- ICMP ----------------------------------------------------------------------------------------- */

static void test_icmp_forms(void **state)
{
    struct script *s = parse_ok("0 < icmp unreachable port_unreachable [1:1001(1000)]\n"
                                "+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n"
                                "+0 < icmp echo_reply id 9\n"
                                "+0 < icmp type_42 code_7 [udp (8)]\n"
                                "+0 < icmp time_exceeded [raw (28)]\n"
                                "+0 > icmp unreachable protocol_unreachable\n");
    const struct script_icmp *ic;
    (void)state;
    ic = &s->events[0].packet.icmp;
    assert_int_equal(s->events[0].packet.proto, SCRIPT_PROTO_ICMP);
    assert_true(ic->type == 3 && ic->code == 3);
    assert_false(ic->mtu_given || ic->id_given);
    assert_true(ic->echoed_given && ic->echoed == SCRIPT_ICMP_ECHO_TCP);
    assert_true(ic->seq_start == 1 && ic->seq_end == 1001 && ic->len == 1000);
    ic = &s->events[1].packet.icmp;
    assert_true(ic->type == 3 && ic->code == 4 && ic->mtu_given && ic->mtu == 1200);
    ic = &s->events[2].packet.icmp;
    assert_true(ic->type == 0 && ic->code == 0 && ic->id_given && ic->echo_id == 9);
    assert_false(ic->echoed_given);
    ic = &s->events[3].packet.icmp;
    assert_true(ic->type == 42 && ic->code == 7);
    assert_true(ic->echoed == SCRIPT_ICMP_ECHO_UDP && ic->len == 8);
    ic = &s->events[4].packet.icmp;
    assert_true(ic->type == 11 && ic->echoed == SCRIPT_ICMP_ECHO_RAW && ic->len == 28);
    assert_int_equal(s->events[5].packet.direction, SCRIPT_OUTBOUND);
    assert_true(s->events[5].packet.icmp.code == 2);
    assert_string_equal(script_icmp_type_name(3), "unreachable");
    assert_string_equal(script_icmp_code_name(3, 4), "frag_needed");
    assert_null(script_icmp_type_name(42));
    script_free(s);
}

/* ---- synack extensions ------------------------------------------------------------------------------ */

static void test_generic_tcp_options(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "0 < S 0:0(0) win 1 <kind 30 len 0,kind 99 len 1 data 0xDEADbeef,kind 253 data 0102,kind 7>\n", &s);
    const struct script_tcp_option *o = p->opts;
    (void)state;
    assert_int_equal(p->opt_count, 4);
    assert_int_equal(o[0].type, SCRIPT_OPT_GENERIC);
    assert_true(o[0].kind == 30 && o[0].len == 0 && o[0].len_given && o[0].data_len == 0);
    assert_true(o[1].kind == 99 && o[1].len == 1 && o[1].len_given && o[1].data_len == 4);
    assert_memory_equal(o[1].data, "\xde\xad\xbe\xef", 4);
    assert_true(o[2].kind == 253 && o[2].len == 4 && !o[2].len_given && o[2].data_len == 2);
    assert_memory_equal(o[2].data, "\x01\x02", 2);
    assert_true(o[3].kind == 7 && o[3].len == 2 && o[3].data_len == 0);
    assert_int_equal(script_packet_options_len(p), 2 + 6 + 4 + 2);
    script_free(s);
}

static void test_fast_open_and_md5_options(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "0 > S 0:0(0) <mss 1460,FO 0123456789abcdef,FOEXP aabb,FO,md5 00112233445566778899aabbccddeeff>\n", &s);
    const struct script_tcp_option *o = p->opts;
    uint8_t wire[64];
    struct script_tcp_option back[8];
    char text[256];
    int n;
    (void)state;
    assert_int_equal(p->opt_count, 5);
    assert_true(o[1].type == SCRIPT_OPT_FASTOPEN && o[1].kind == 34 && o[1].len == 10 &&
                o[1].data_len == 8);
    assert_memory_equal(o[1].data, "\x01\x23\x45\x67\x89\xab\xcd\xef", 8);
    assert_true(o[2].type == SCRIPT_OPT_FASTOPEN_EXP && o[2].kind == 254 && o[2].len == 6);
    assert_true(o[3].type == SCRIPT_OPT_FASTOPEN && o[3].len == 2 && o[3].data_len == 0);
    assert_true(o[4].type == SCRIPT_OPT_MD5 && o[4].kind == 19 && o[4].len == 18);
    n = script_options_to_wire(p, NULL, wire, sizeof wire);
    assert_int_equal(n, 4 + 10 + 6 + 2 + 18);
    assert_memory_equal(wire + 14, "\xfe\x06\xf9\x89\xaa\xbb", 6); /* RFC 7413 experimental form */
    assert_int_equal(script_options_from_wire(wire, (size_t)n, 0, back, 8), 5);
    assert_int_equal(back[2].type, SCRIPT_OPT_FASTOPEN_EXP);
    assert_memory_equal(back[2].data, "\xaa\xbb", 2);
    assert_int_equal(back[4].type, SCRIPT_OPT_MD5);
    script_packet_format(p, text, sizeof text);
    assert_string_equal(text, "> S 0:0(0) <mss 1460,FO 0123456789abcdef,FOEXP aabb,FO,"
                              "md5 00112233445566778899aabbccddeeff>");
    script_free(s);
}

/* AccECN's option (RFC 9768 3.2.3): the counters in either kind's order,
 * on the wire and back, printed as written; another order is an error. */
static void test_accecn_option(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "0 > . 1:1(0) ack 1 <ECN e1b 1 ceb 0 e0b 101,nop,ECN e0b 1 ceb 0 e1b 1,nop,ECN e0b 5>\n",
        &s);
    const struct script_tcp_option *o = p->opts;
    uint8_t wire[64];
    struct script_tcp_option back[8];
    char text[256];
    (void)state;
    assert_int_equal(p->opt_count, 5);
    assert_true(o[0].type == SCRIPT_OPT_ACCECN && o[0].kind == 174 && o[0].len == 11);
    assert_true(o[2].type == SCRIPT_OPT_ACCECN && o[2].kind == 172 && o[2].len == 11);
    assert_true(o[4].kind == 172 && o[4].len == 5);
    assert_true(script_packet_has_option(p, SCRIPT_OPT_ACCECN));
    int n = script_options_to_wire(p, NULL, wire, sizeof wire);
    assert_int_equal(n, 11 + 1 + 11 + 1 + 5);
    assert_memory_equal(wire, "\xae\x0b\x00\x00\x01\x00\x00\x00\x00\x00\x65", 11);
    assert_int_equal(script_options_from_wire(wire, (size_t)n, 0, back, 8), 5);
    assert_int_equal(back[0].type, SCRIPT_OPT_ACCECN);
    assert_int_equal(back[4].kind, 172);
    script_packet_format(p, text, sizeof text);
    assert_string_equal(text, "> . 1:1(0) ack 1 <ECN e1b 1 ceb 0 e0b 101,nop,"
                              "ECN e0b 1 ceb 0 e1b 1,nop,ECN e0b 5>");
    script_free(s);
    expect_error("0 > . 1:1(0) ack 1 <ECN ceb 1>\n", 1, 25, "AccECN fields go e0b ceb e1b (kind 172) or e1b ceb e0b (kind 174)");
    expect_error("0 > . 1:1(0) ack 1 <ECN e0b 16777216>\n", 1, 29,
                 "24-bit counter after an AccECN field '16777216' out of range (0..16777215)");
}

/* AccECN's flags (RFC 9768 3.2.2): 'A' is AE; a digit is an ACE value whose
 * bits are AE, CWR, ECE, never written beside E, W or A; printed back as
 * the bits. */
static void test_accecn_flags(void **state)
{
    static const struct { const char *line; uint8_t flags; bool ae; const char *back; } cases[] = {
        {"0 > SEWA 0:0(0)\n", SYNACK_TCP_SYN | SYNACK_TCP_ECE | SYNACK_TCP_CWR, true,
         "> SEWA 0:0(0)"},
        {"0 > P5. 1:2(1) ack 1\n", SYNACK_TCP_PSH | SYNACK_TCP_ECE | SYNACK_TCP_ACK, true,
         "> PEA. 1:2(1) ack 1"},
        {"0 > .6 1:1(0) ack 1\n", SYNACK_TCP_CWR | SYNACK_TCP_ACK, true, "> WA. 1:1(0) ack 1"},
        {"0 > .1 1:1(0) ack 1\n", SYNACK_TCP_ECE | SYNACK_TCP_ACK, false, "> E. 1:1(0) ack 1"},
        {"0 > .0 1:1(0) ack 1\n", SYNACK_TCP_ACK, false, "> . 1:1(0) ack 1"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct script *s;
        char text[128];
        struct script_packet *p = parse_pkt(cases[i].line, &s);
        assert_true(p->ae_flag);
        assert_int_equal(p->flags, cases[i].flags);
        assert_int_equal(p->ae, cases[i].ae);
        script_packet_format(p, text, sizeof text);
        assert_string_equal(text, cases[i].back);
        script_free(s);
    }
    expect_error("0 > E5. 1:1(0) ack 1\n", 1, 6, "ACE value '5' beside E, W or A in TCP flags");
    expect_error("0 > P5E. 1:1(0) ack 1\n", 1, 7, "flag 'E' beside an ACE value in TCP flags");
    expect_error("0 > .56 1:1(0) ack 1\n", 1, 7, "flag '6' beside an ACE value in TCP flags");
}

/* Constructs that parse so the runner can name why it skips them. */
static void test_packetdrill_lines_the_runner_skips(void **state)
{
    struct script *s;
    struct script_packet *p;
    (void)state;
    p = parse_pkt("0 < udp 53>40000 (100)\n", &s);
    assert_true(p->proto == SCRIPT_PROTO_UDP && p->ports_given && p->udp_len == 100);
    script_free(s);
    p = parse_pkt("0 < ipv4 192.0.2.2 > 192.0.2.1: S 0:0(0) win 1\n", &s);
    assert_true(p->encap && p->flags == SYNACK_TCP_SYN);
    script_free(s);
    p = parse_pkt("0 < ipv6 2001:db8::2 > 2001:db8::1: gre: S 0:0(0) win 1\n", &s);
    assert_true(p->encap && p->win == 1);
    script_free(s);
    p = parse_pkt("0 < addr[caddr1] > addr[saddr1] S 0:0(0) win 1\n", &s);
    assert_true(p->mptcp_addrs && p->flags == SYNACK_TCP_SYN);
    script_free(s);
    p = parse_pkt("0 > > addr[saddr] S 0:0(0)\n", &s);
    assert_true(p->mptcp_addrs && p->flags == SYNACK_TCP_SYN);
    script_free(s);
    expect_error("0 < addr[c1] addr[s1] S 0:0(0) win 1\n", 1, 14,
                 "expected '>' between the addr[...] of a subflow, got 'addr'");
    expect_error("0 > > addr[1] S 0:0(0)\n", 1, 12, "expected an address name in addr[...], got '1'");
    p = parse_pkt("0 < . 1:1(0) win 1 { mut tcp mss; trun ip 4 8 }\n", &s);
    assert_true(p->fuzz_given);
    script_free(s);
    p = parse_pkt("0 > . 1:1(0) urg 3 win 9 ack 1\n", &s);
    assert_true(p->fields_reordered && p->urg == 3 && p->win == 9 && p->ack == 1);
    script_free(s);
    p = parse_pkt("0 > . 1:1(0) ack 1 win 9 urg 3\n", &s);
    assert_false(p->fields_reordered);
    script_free(s);
}

/* packetdrill's -D NAME=VALUE: the value stands in for the name in option
 * data and as an ICMP code; the script's own --define comes after and wins;
 * a malformed one is an error, as is a name that is not defined. */
static void test_command_line_defines(void **state)
{
    static const char *const defs[] = {"COOKIE=0102030405060708", "CODE=host_unreachable",
                                       "TWICE=aaaa"};
    static const char text[] = "--define=TWICE=bbbb\n"
                               "0 < S 0:0(0) win 100 <FO COOKIE,nop,nop>\n"
                               "+0 < icmp unreachable CODE [0:10(10)]\n"
                               "+0 < S 0:0(0) win 100 <FOEXP TWICE>\n";
    struct script *s = NULL;
    struct script_error err;
    (void)state;
    assert_int_equal(script_parse_buffer_defines(text, strlen(text), "t.pkt", defs, 3, &s, &err), 0);
    const struct script_tcp_option *o = &s->events[0].packet.opts[0];
    assert_int_equal(o->data_len, 8);
    assert_true(o->data[0] == 1 && o->data[7] == 8 && o->len == 10);
    assert_int_equal(s->events[1].packet.icmp.code, 1); /* host unreachable */
    o = &s->events[2].packet.opts[0];
    assert_true(o->data_len == 2 && o->data[0] == 0xbb);
    script_free(s);
    assert_int_equal(script_parse_buffer("0 < S 0:0(0) win 1 <FO COOKIE>\n", 31, "t.pkt", &s, &err), -1);
    assert_string_equal(err.message, "bad hex digit 'O' in option data");
    static const char *const bad[] = {"COOKIE=zz"};
    assert_int_equal(script_parse_buffer_defines("0 < S 0:0(0) win 1 <FO COOKIE>\n", 31, "t.pkt", bad,
                                                 1, &s, &err), -1);
    assert_string_equal(err.message, "bad hex digit 'z' in option data (the value of COOKIE)");
    static const char *const noeq[] = {"COOKIE"};
    assert_int_equal(script_parse_buffer_defines("0 close(3) = 0\n", 15, "t.pkt", noeq, 1, &s, &err),
                     -1);
    assert_string_equal(err.message, "-D needs NAME=VALUE, got 'COOKIE'");
}

/* Every command-line option of packetdrill parses in a header. */
static void test_packetdrill_header_options(void **state)
{
    struct script *s = parse_ok(
        "--ip_version=ipv6 --local_ip=fd3d::1 --remote_ip=2001:db8::2\n"
        "--tcp_ts_tick_usecs=1000 --strict_segments --tcp_ts_ecr_scaled\n"
        "--tolerance_percent=25 --define=PROTO=IPPROTO_TCP --define=CC=\"reno\"\n"
        "--so_filename=x.so --so_flags=\"a b\" --non_fatal=packet,syscall --dry_run\n"
        "0 close(3) = 0\n");
    const struct script_options *o = &s->options;
    (void)state;
    assert_int_equal(o->ip_version, SCRIPT_IPV6);
    assert_true(o->local_ip_v6 && o->remote_ip_v6);
    assert_true(o->tcp_ts_tick_usecs_given && o->tcp_ts_tick_usecs == 1000);
    assert_true(o->strict_segments && o->tcp_ts_ecr_scaled);
    assert_true(o->tolerance_percent > 24.9 && o->tolerance_percent < 25.1);
    assert_int_equal(s->define_count, 2);
    assert_string_equal(s->defines[0].name, "PROTO");
    assert_string_equal(s->defines[0].value, "IPPROTO_TCP");
    assert_string_equal(s->defines[1].value, "\"reno\"");
    assert_int_equal(o->given_count, 13);
    assert_string_equal(o->given[10].name, "so_flags");
    assert_string_equal(o->given[10].value, "a b");
    assert_null(o->given[12].value); /* --dry_run */
    script_free(s);
    s = parse_ok("0 close(3) = 0\n");
    assert_int_equal(s->options.ip_version, SCRIPT_IPV4);
    assert_true(s->options.tolerance_percent == SCRIPT_DEFAULT_TOLERANCE_PERCENT);
    script_free(s);
}

static void test_mutation_list(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "0 < . 1:1(0) ack 1 win 257 {ip.ttl=0, ip.version=5, ip.ihl=4, ip.tos=0x10, ip.id=7, "
        "ip.df=1, ip.mf=1, ip.frag_off=8191, ip.proto=17, ip.src=192.0.2.9, ip.dst=198.51.100.1, "
        "ip.len=20, ip.csum=bad, tcp.csum=4660, tcp.doff=4, tcp.reserved=15, tcp.sport=1, "
        "tcp.dport=2, tcp.urg_ptr=3, truncate=30}\n", &s);
    static const struct {
        enum script_mut_field field;
        uint32_t value;
    } want[] = {
        { SCRIPT_MUT_IP_TTL, 0 },        { SCRIPT_MUT_IP_VERSION, 5 },  { SCRIPT_MUT_IP_IHL, 4 },
        { SCRIPT_MUT_IP_TOS, 0x10 },     { SCRIPT_MUT_IP_ID, 7 },       { SCRIPT_MUT_IP_DF, 1 },
        { SCRIPT_MUT_IP_MF, 1 },         { SCRIPT_MUT_IP_FRAG_OFF, 8191 },
        { SCRIPT_MUT_IP_PROTO, 17 },     { SCRIPT_MUT_IP_SRC, 0xc0000209u },
        { SCRIPT_MUT_IP_DST, 0xc6336401u }, { SCRIPT_MUT_IP_LEN, 20 }, { SCRIPT_MUT_IP_CSUM, 0 },
        { SCRIPT_MUT_TCP_CSUM, 4660 },   { SCRIPT_MUT_TCP_DOFF, 4 },    { SCRIPT_MUT_TCP_RESERVED, 15 },
        { SCRIPT_MUT_TCP_SPORT, 1 },     { SCRIPT_MUT_TCP_DPORT, 2 },   { SCRIPT_MUT_TCP_URG_PTR, 3 },
        { SCRIPT_MUT_TRUNCATE, 30 },
    };
    (void)state;
    assert_int_equal(p->mut_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < p->mut_count; i++) {
        assert_int_equal(p->muts[i].field, want[i].field);
        assert_int_equal(p->muts[i].value, want[i].value);
        assert_int_equal(p->muts[i].bad, want[i].field == SCRIPT_MUT_IP_CSUM);
        assert_int_equal(p->muts[i].line, 1);
    }
    assert_int_equal(p->muts[0].column, 29);
    assert_string_equal(script_mutation_name(SCRIPT_MUT_TCP_URG_PTR), "tcp.urg_ptr");
    assert_true(script_mutation_is_tcp(SCRIPT_MUT_TCP_DOFF));
    assert_false(script_mutation_is_tcp(SCRIPT_MUT_TRUNCATE));
    script_free(s);
}

static void test_mutation_ip_options_takes_hex_words(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt("0 < S 0:0(0) win 1 {ip.ttl=9, ip.options=0x9e04ABcd07000000}\n", &s);
    static const uint8_t want[] = {0x9e, 0x04, 0xab, 0xcd, 0x07, 0x00, 0x00, 0x00};
    char buf[256];
    (void)state;
    assert_int_equal(p->mut_count, 2);
    assert_int_equal(p->muts[1].field, SCRIPT_MUT_IP_OPTIONS);
    assert_int_equal(p->muts[1].value, sizeof want);
    assert_memory_equal(p->muts[1].data, want, sizeof want);
    assert_true(script_packet_format(p, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "{ip.ttl=9, ip.options=9e04abcd07000000}"));
    script_free(s);
}

static void test_fragment_list(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt(
        "0 < P. 1:1001(1000) ack 1 win 257 {ip.id=7, ip.frag=512:,0:256,256:512, ip.ttl=9}\n", &s);
    (void)state;
    assert_int_equal(p->mut_count, 3);
    assert_int_equal(p->muts[1].field, SCRIPT_MUT_IP_FRAG);
    assert_int_equal(p->muts[2].field, SCRIPT_MUT_IP_TTL);
    assert_int_equal(p->frag_count, 3);
    assert_true(p->frags[0].start == 512 && p->frags[0].to_end);
    assert_true(p->frags[1].start == 0 && p->frags[1].end == 256 && !p->frags[1].to_end);
    assert_true(p->frags[2].start == 256 && p->frags[2].end == 512 && !p->frags[2].to_end);
    script_free(s);
}

static void test_mutations_on_icmp(void **state)
{
    struct script *s;
    struct script_packet *p = parse_pkt("0 < icmp unreachable port_unreachable [1:1(0)] {ip.ttl=1, ip.csum=bad}\n", &s);
    (void)state;
    assert_int_equal(p->mut_count, 2);
    assert_int_equal(p->muts[1].field, SCRIPT_MUT_IP_CSUM);
    assert_true(p->muts[1].bad);
    script_free(s);
}

/* ---- system calls -------------------------------------------------------------------------------------- */

static void test_syscall_socket_and_friends(void **state)
{
    struct script *s = parse_ok("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                                "+0 bind(3, ..., ...) = 0\n"
                                "+0 listen(3, 1) = 0\n"
                                "+0 accept(3, ..., ...) = 4\n"
                                "+0 shutdown(4, SHUT_WR) = 0\n"
                                "+0 close(4) = 0\n");
    const struct script_syscall *c;
    (void)state;
    c = &s->events[0].syscall;
    assert_string_equal(c->name, "socket");
    assert_int_equal(c->arg_count, 3);
    assert_expr(c->args[0], SCRIPT_EXPR_ELLIPSIS, NULL);
    assert_expr(c->args[1], SCRIPT_EXPR_SYMBOL, "SOCK_STREAM");
    assert_expr(c->args[2], SCRIPT_EXPR_SYMBOL, "IPPROTO_TCP");
    assert_int_expr(c->result, 3);
    assert_null(c->errno_name);
    assert_null(c->note);
    c = &s->events[1].syscall;
    assert_int_equal(c->arg_count, 5);
    assert_expr(c->args[3], SCRIPT_EXPR_ARRAY, NULL);
    assert_int_equal(c->args[3]->count, 1);
    assert_int_expr(c->args[3]->items[0], 1);
    assert_int_expr(c->args[4], 4);
    assert_string_equal(s->events[2].syscall.name, "bind");
    assert_string_equal(s->events[3].syscall.name, "listen");
    assert_int_expr(s->events[4].syscall.result, 4);
    assert_expr(s->events[5].syscall.args[1], SCRIPT_EXPR_SYMBOL, "SHUT_WR");
    assert_int_equal(s->events[6].syscall.arg_count, 1);
    script_free(s);
}

static void test_syscall_connect_errno_and_note(void **state)
{
    struct script *s;
    struct script_syscall *c = parse_call(
        "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n", &s);
    (void)state;
    assert_int_expr(c->result, -1);
    assert_string_equal(c->errno_name, "EINPROGRESS");
    assert_string_equal(c->note, "Operation now in progress");
    script_free(s);
}

static void test_syscall_data_calls(void **state)
{
    struct script *s = parse_ok("0 write(4, ..., 1000) = 1000\n"
                                "+0 read(4, ..., 1000) = 1000\n"
                                "+0 send(4, ..., 10, 0) = 10\n"
                                "+0 recv(4, ..., 10, MSG_PEEK) = -1 EAGAIN (Resource temporarily unavailable)\n"
                                "+0 write(4, \"abc\" \"def\"..., 6) = 6\n"
                                "+0 read(4, ..., 0x10) = 0 (end of stream)\n");
    const struct script_event *e = s->events;
    (void)state;
    assert_int_expr(e[0].syscall.args[2], 1000);
    assert_int_expr(e[1].syscall.result, 1000);
    assert_string_equal(e[2].syscall.name, "send");
    assert_string_equal(e[3].syscall.name, "recv");
    assert_string_equal(e[3].syscall.errno_name, "EAGAIN");
    assert_expr(e[4].syscall.args[1], SCRIPT_EXPR_STRING, "abcdef");
    assert_true(e[4].syscall.args[1]->prefix);
    assert_int_expr(e[5].syscall.args[2], 16);
    assert_true(e[5].syscall.args[2]->hex);
    assert_null(e[5].syscall.errno_name);
    assert_string_equal(e[5].syscall.note, "end of stream");
    script_free(s);
}

static void test_syscall_or_expression(void **state)
{
    struct script *s;
    struct script_syscall *c = parse_call("0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK|0x800) = 0\n", &s);
    const struct script_expr *or = c->args[2];
    (void)state;
    assert_expr(or, SCRIPT_EXPR_OR, NULL);
    assert_int_equal(or->count, 3);
    assert_expr(or->items[0], SCRIPT_EXPR_SYMBOL, "O_RDWR");
    assert_expr(or->items[1], SCRIPT_EXPR_SYMBOL, "O_NONBLOCK");
    assert_int_expr(or->items[2], 0x800);
    script_free(s);
}

static void test_syscall_poll_struct(void **state)
{
    struct script *s;
    struct script_syscall *c = parse_call(
        "0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1\n", &s);
    const struct script_expr *st;
    (void)state;
    assert_expr(c->args[0], SCRIPT_EXPR_ARRAY, NULL);
    st = c->args[0]->items[0];
    assert_expr(st, SCRIPT_EXPR_STRUCT, NULL);
    assert_int_equal(st->count, 3);
    assert_expr(st->items[0], SCRIPT_EXPR_ASSIGN, NULL);
    assert_expr(st->items[0]->lhs, SCRIPT_EXPR_SYMBOL, "fd");
    assert_int_expr(st->items[0]->rhs, 4);
    assert_expr(st->items[1]->rhs, SCRIPT_EXPR_OR, NULL);
    assert_int_equal(st->items[1]->rhs->count, 2);
    assert_expr(st->items[2]->rhs, SCRIPT_EXPR_SYMBOL, "POLLIN");
    script_free(s);
}

static void test_syscall_getsockopt_forms(void **state)
{
    struct script *s = parse_ok(
        "0 getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0\n"
        "+0 getsockopt(4, SOL_TCP, TCP_INFO, {tcpi_state=TCP_ESTABLISHED, tcpi_rto=200000, "
        "tcpi_options=TCPI_OPT_SACK|TCPI_OPT_WSCALE}, 232) = 0\n");
    const struct script_expr *info;
    (void)state;
    assert_expr(s->events[0].syscall.args[3]->items[0], SCRIPT_EXPR_SYMBOL, "ECONNREFUSED");
    assert_expr(s->events[0].syscall.args[4], SCRIPT_EXPR_ARRAY, NULL);
    info = s->events[1].syscall.args[3];
    assert_expr(info, SCRIPT_EXPR_STRUCT, NULL);
    assert_int_equal(info->count, 3);
    assert_expr(info->items[0]->lhs, SCRIPT_EXPR_SYMBOL, "tcpi_state");
    assert_expr(info->items[0]->rhs, SCRIPT_EXPR_SYMBOL, "TCP_ESTABLISHED");
    assert_int_expr(info->items[1]->rhs, 200000);
    assert_expr(info->items[2]->rhs, SCRIPT_EXPR_OR, NULL);
    script_free(s);
}

static void test_syscall_calls_and_sockaddr(void **state)
{
    struct script *s;
    struct script_syscall *c = parse_call(
        "0 connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0\n",
        &s);
    const struct script_expr *sa = c->args[1], *port, *addr;
    (void)state;
    assert_expr(sa, SCRIPT_EXPR_STRUCT, NULL);
    port = sa->items[1]->rhs;
    assert_expr(port, SCRIPT_EXPR_CALL, "htons");
    assert_int_equal(port->count, 1);
    assert_int_expr(port->items[0], 8080);
    addr = sa->items[2]->rhs;
    assert_expr(addr, SCRIPT_EXPR_CALL, "inet_addr");
    assert_expr(addr->items[0], SCRIPT_EXPR_STRING, "192.0.2.1");
    assert_false(addr->items[0]->prefix);
    script_free(s);
}

static void test_syscall_msghdr_and_empty(void **state)
{
    struct script *s = parse_ok(
        "0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0}, 0) = 100\n"
        "+0 getpid() = ...\n"
        "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
        "+0 ioctl(4, FIONREAD, []) = -0x1\n");
    const struct script_expr *m = s->events[0].syscall.args[1];
    (void)state;
    assert_expr(m->items[0]->lhs, SCRIPT_EXPR_CALL, "msg_name");
    assert_expr(m->items[0]->rhs, SCRIPT_EXPR_ELLIPSIS, NULL);
    assert_expr(m->items[1]->lhs, SCRIPT_EXPR_CALL, "msg_iov");
    assert_expr(m->items[1]->rhs->items[0], SCRIPT_EXPR_STRUCT, NULL);
    assert_int_equal(s->events[1].syscall.arg_count, 0);
    assert_expr(s->events[1].syscall.result, SCRIPT_EXPR_ELLIPSIS, NULL);
    assert_int_equal(s->events[3].syscall.args[2]->count, 0);
    assert_int_expr(s->events[3].syscall.result, -1);
    script_free(s);
}

static void test_syscall_format(void **state)
{
    static const char *const lines[] = {
        "connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)",
        "poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLIN}], 1, 0) = 1",
        "connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"192.0.2.1\")}, 16) = 0",
        "write(4, \"abc\"..., 3) = 3",
        "fcntl(3, F_SETFL, 0x800) = 0",
        "getpid() = ...",
    };
    (void)state;
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char in[256], out[256];
        struct script *s;
        snprintf(in, sizeof in, "0 %s\n", lines[i]);
        script_syscall_format(parse_call(in, &s), out, sizeof out);
        assert_string_equal(out, lines[i]);
        script_free(s);
    }
}

/* ---- commands, python, events ----------------------------------------------------------------------------- */

static void test_commands_and_python(void **state)
{
    struct script *s = parse_ok("`./defaults.sh\nmore`\n"
                                "0 `sysctl -q net.ipv4.tcp_sack=1`\n"
                                "+0 %{\nassert tcpi_rto == 200000\n}%\n"
                                "+0 %{ print(1) }%\n"
                                "`cleanup`\n");
    const struct script_event *e = s->events;
    (void)state;
    assert_int_equal(s->event_count, 5);
    assert_int_equal(e[0].type, SCRIPT_EV_COMMAND);
    assert_int_equal(e[0].time.kind, SCRIPT_TIME_NONE);
    assert_string_equal(e[0].text, "./defaults.sh\nmore");
    assert_int_equal(e[1].type, SCRIPT_EV_COMMAND);
    assert_int_equal(e[1].time.kind, SCRIPT_TIME_ABSOLUTE);
    assert_string_equal(e[1].text, "sysctl -q net.ipv4.tcp_sack=1");
    assert_int_equal(e[2].type, SCRIPT_EV_PYTHON);
    assert_string_equal(e[2].text, "\nassert tcpi_rto == 200000\n");
    assert_string_equal(e[3].text, "print(1)");
    assert_int_equal(e[4].time.kind, SCRIPT_TIME_NONE);
    assert_string_equal(e[4].text, "cleanup");
    script_free(s);
}

static void test_event_position_and_source(void **state)
{
    struct script *s = parse_ok("// header\n"
                                "   +0 < S 0:0(0) win 1 <mss 1460>   // trailing comment\n"
                                "\t+0 write(4,\n\t  ..., 10) = 10\n");
    (void)state;
    assert_int_equal(s->events[0].line, 2);
    assert_int_equal(s->events[0].column, 4);
    assert_string_equal(s->events[0].source, "+0 < S 0:0(0) win 1 <mss 1460>");
    assert_int_equal(s->events[1].line, 3);
    assert_int_equal(s->events[1].column, 2);
    assert_string_equal(s->events[1].source, "+0 write(4,\n\t  ..., 10) = 10");
    script_free(s);
}

static void test_error_format(void **state)
{
    struct script *s;
    struct script_error err;
    char buf[256];
    (void)state;
    assert_int_equal(script_parse_buffer("0 < SQ 0:0(0) win 1\n", 20, "x.pkt", &s, &err), -1);
    script_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "x.pkt:1:6: unknown flag 'Q' in TCP flags");
    assert_int_equal(script_parse_file("harness/tests/scripts/does-not-exist.pkt", &s, &err), -1);
    assert_null(s);
    script_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "harness/tests/scripts/does-not-exist.pkt: cannot open: No such file or directory");
}

/* ---- sample scripts ------------------------------------------------------------------------------------------ */

static struct script *parse_sample(const char *name)
{
    struct script *s = NULL;
    struct script_error err;
    char path[256], msg[512];

    snprintf(path, sizeof path, SAMPLES "%s", name);
    if (script_parse_file(path, &s, &err) != 0) {
        script_error_format(&err, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    assert_string_equal(s->path, path);
    return s;
}

static void test_sample_passive_open(void **state)
{
    struct script *s = parse_sample("passive-open-data-close.pkt");
    const struct script_event *e = s->events;
    (void)state;
    assert_true(s->options.local_ip_given && s->options.local_ip == 0xc0000201u);
    assert_int_equal(s->options.tolerance_usecs, 10000);
    assert_int_equal(s->event_count, 20);
    assert_int_equal(s->req_count, 2);
    assert_string_equal(s->reqs[1].tag, "RFC9293:3.6");
    assert_int_equal(e[4].type, SCRIPT_EV_PACKET);
    assert_int_equal(e[4].packet.opt_count, 5);
    assert_int_equal(e[5].packet.opts_mode, SCRIPT_OPTS_ANY);
    assert_int_equal(e[9].time.kind, SCRIPT_TIME_RANGE);
    assert_true(e[9].time.start_usecs == 40000 && e[9].time.end_usecs == 200000);
    assert_int_equal(e[19].packet.flags, SYNACK_TCP_ACK);
    assert_int_equal(e[19].line, 38);
    script_free(s);
}

static void test_sample_active_open(void **state)
{
    struct script *s = parse_sample("active-open.pkt");
    const struct script_event *e = s->events;
    (void)state;
    assert_int_equal(s->event_count, 20);
    assert_int_equal(e[0].type, SCRIPT_EV_COMMAND);
    assert_int_equal(e[0].time.kind, SCRIPT_TIME_NONE);
    assert_string_equal(e[3].syscall.errno_name, "EINPROGRESS");
    assert_true(e[11].time.blocking && e[11].time.block_end_usecs == 150000);
    assert_string_equal(e[18].syscall.errno_name, "ECONNRESET");
    assert_int_equal(s->req_count, 2);
    script_free(s);
}

static void test_sample_malformed_input(void **state)
{
    struct script *s = parse_sample("malformed-input.pkt");
    const struct script_event *e = s->events;
    (void)state;
    assert_int_equal(s->event_count, 23);
    assert_int_equal(e[8].packet.opts[2].type, SCRIPT_OPT_GENERIC);
    assert_true(e[8].packet.opts[2].len_given && e[8].packet.opts[2].len == 0);
    assert_int_equal(e[11].packet.muts[0].field, SCRIPT_MUT_TCP_CSUM);
    assert_int_equal(e[14].packet.muts[0].field, SCRIPT_MUT_TRUNCATE);
    assert_int_equal(e[20].packet.proto, SCRIPT_PROTO_ICMP);
    assert_int_equal(e[22].type, SCRIPT_EV_PYTHON);
    script_free(s);
}

static void test_sample_bad_syntax(void **state)
{
    struct script *s;
    struct script_error err;
    (void)state;
    assert_int_equal(script_parse_file(SAMPLES "bad-syntax.pkt", &s, &err), -1);
    assert_string_equal(err.file, SAMPLES "bad-syntax.pkt");
    assert_int_equal(err.line, 7);
    assert_int_equal(err.column, 15);
    assert_string_equal(err.message, "expected '(' after sequence end, got 'win'");
}

/* ---- robustness --------------------------------------------------------------------------------------------- */

static char *repeat(const char *head, const char *unit, size_t n, const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *b = malloc(hl + ul * n + tl + 1), *w = b;

    assert_non_null(b);
    memcpy(w, head, hl);
    w += hl;
    for (size_t i = 0; i < n; i++, w += ul)
        memcpy(w, unit, ul);
    memcpy(w, tail, tl + 1);
    return b;
}

static void test_nesting_limit(void **state)
{
    char *ok = repeat("0 f(", "[", 31, "1");
    char *deep = repeat("0 f(", "[", 32, "1");
    char *huge = repeat("0 f(", "{", 200000, "");
    char *text = repeat(ok, "]", 31, ") = 0\n");
    struct script *s = parse_ok(text);
    (void)state;
    script_free(s);
    free(text);
    expect_error(deep, 1, 36, "nesting too deep (more than 32 levels)");
    expect_error(huge, 1, 36, "nesting too deep (more than 32 levels)");
    free(ok);
    free(deep);
    free(huge);
    text = repeat("0 f({", "a=", 40, "1}) = 0\n");
    expect_error(text, 1, 67, "nesting too deep (more than 32 levels)");
    free(text);
}

/* Long inputs parse in linear time: these would take minutes if quadratic. */
static void test_long_inputs(void **state)
{
    char *many = repeat("0 close(3) = 0\n", "+0 < . 1:1(0) ack 1 win 1\n", 100000, "");
    char *ors = repeat("0 f(A", "|B", 200000, ") = 0\n");
    char *strs = repeat("0 f(\"x\"", " \"yz\"", 200000, ") = 0\n");
    char *comment = repeat("// ", "long comment ", 200000, "\n0 close(3) = 0\n");
    struct script *s;
    (void)state;
    s = parse_ok(many);
    assert_int_equal(s->event_count, 100001);
    script_free(s);
    s = parse_ok(ors);
    assert_int_equal(s->events[0].syscall.args[0]->count, 200001);
    script_free(s);
    s = parse_ok(strs);
    assert_int_equal(strlen(s->events[0].syscall.args[0]->str), 1 + 2 * 200000);
    script_free(s);
    s = parse_ok(comment);
    script_free(s);
    free(many);
    free(ors);
    free(strs);
    free(comment);
}

static char *read_sample(const char *name, size_t *len)
{
    char path[256];
    FILE *f;
    char *b = malloc(1 << 16);

    snprintf(path, sizeof path, SAMPLES "%s", name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_non_null(b);
    *len = fread(b, 1, (1 << 16) - 1, f);
    fclose(f);
    return b;
}

/* Every prefix and thousands of byte-level mutations of the samples yield
 * a script or an error (ASan/UBSan builds catch crashes and leaks). */
static void test_hostile_bytes_never_crash(void **state)
{
    static const char *const names[] = { "passive-open-data-close.pkt", "active-open.pkt",
                                          "malformed-input.pkt" };
    static const char noise[] = "<>()[]{}.,:=|~+*-\"`%/@ \n\t0123456789xSPFR\x80\xff";
    uint32_t seed = 12345;
    (void)state;
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        size_t len;
        char *orig = read_sample(names[f], &len), *buf = malloc(len + 16);
        assert_non_null(buf);
        for (size_t n = 0; n <= len; n++) {
            struct script *s;
            struct script_error err;
            if (script_parse_buffer(orig, n, "p", &s, &err) == 0)
                script_free(s);
        }
        for (int round = 0; round < 3000; round++) {
            struct script *s;
            struct script_error err;
            memcpy(buf, orig, len);
            for (int k = 0; k < 1 + round % 4; k++) {
                seed = seed * 1103515245u + 12345u;
                buf[(seed >> 8) % len] = noise[(seed >> 20) % (sizeof noise - 1)];
            }
            if (script_parse_buffer(buf, len, "m", &s, &err) == 0)
                script_free(s);
        }
        free(buf);
        free(orig);
    }
}

/* ---- malformed scripts: exact line, column and message -------------------------------------------------------- */

struct bad_case {
    const char *name;
    const char *text;
    unsigned line, column;
    const char *message;
    size_t len; /* 0: strlen(text) */
};

static const struct bad_case bad_cases[] = {
    { "unknown flag", "0 < SQ 0:0(0) win 1\n", 1, 6, "unknown flag 'Q' in TCP flags", 0 },
    { "missing flags", "0 < 0:0(0) win 1\n", 1, 5, "expected TCP flags, got '0'", 0 },
    { "missing colon in seq", "0 < S 0 0(0) win 1\n", 1, 9, "expected ':' after sequence start, got '0'", 0 },
    { "len disagrees with end-start", "0 < S. 1:1001(100) ack 1 win 1\n", 1, 15,
      "payload length 100 does not match end - start = 1000", 0 },
    { "seq out of range", "0 > . 1:4294967296(0)\n", 1, 9,
      "sequence end after ':' '4294967296' out of range (0..4294967295)", 0 },
    { "unterminated comment", "0 close(3) = 0\n/* never closed\n+0 close(4) = 0\n", 2, 1,
      "unterminated comment", 0 },
    { "unterminated string", "0 write(4, \"abc, 3) = 3\n", 1, 12, "unterminated string", 0 },
    { "unterminated command", "0 `echo hi\n", 1, 3, "unterminated command '`'", 0 },
    { "unterminated python", "0 %{ print(1)\n", 1, 3, "unterminated python block '%{'", 0 },
    { "bad time: malformed number", "0.1.2 close(3) = 0\n", 1, 1, "malformed number '0.1.2'", 0 },
    { "bad time: word", "0 close(3) = 0\nsoon close(3) = 0\n", 2, 1, "expected time, got 'soon'", 0 },
    { "bad time: negative", "-1 close(3) = 0\n", 1, 1, "negative time '-1'", 0 },
    { "bad time: below a microsecond", "0.0000001 close(3) = 0\n", 1, 1,
      "time '0.0000001' is finer than a microsecond", 0 },
    { "range backwards", "0.2~0.1 > S 0:0(0)\n", 1, 5,
      "time range is backwards: end '0.1' is before the start", 0 },
    { "relative range with absolute end", "+0.1~0.2 > S 0:0(0)\n", 1, 6,
      "expected '+' after '~' in a relative time range, got '0.2'", 0 },
    { "absolute range with relative end", "0.1~+0.2 > S 0:0(0)\n", 1, 5,
      "time range mixes an absolute start and a relative end", 0 },
    { "range on inbound packet", "0.1~0.2 < S 0:0(0) win 1\n", 1, 1,
      "a time range can only be used with outbound packets", 0 },
    { "star on syscall", "* close(3) = 0\n", 1, 1, "event time '*' can only be used with outbound packets", 0 },
    { "blocking end before start", "1...0.5 read(4, ..., 1) = 1\n", 1, 5,
      "blocking end time '0.5' is before the start time", 0 },
    { "blocking end on a packet", "0...1 > S 0:0(0)\n", 1, 2, "a blocking end time '...' is only for system calls", 0 },
    { "unknown option", "--tolerance_pct=10\n0 close(3) = 0\n", 1, 1,
      "unknown option --tolerance_pct (not one of packetdrill's)", 0 },
    { "flag option with a value", "--strict_segments=1\n0 close(3) = 0\n", 1, 1,
      "option --strict_segments takes no value", 0 },
    { "bad percentage", "--tolerance_percent=101\n0 close(3) = 0\n", 1, 21,
      "bad value '101' for --tolerance_percent (expected a percentage 0..100)", 0 },
    { "define without equals", "--define=FOO\n0 close(3) = 0\n", 1, 10,
      "--define needs NAME=VALUE, got 'FOO'", 0 },
    { "encap without psp", "0 < encap gre . 1:1(0) ack 1 win 1\n", 1, 11,
      "expected 'psp' after 'encap', got 'gre'", 0 },
    { "psp without spi", "0 < encap psp 12 . 1:1(0) ack 1 win 1\n", 1, 15,
      "expected 'spi' after 'psp', got '12'", 0 },
    { "psp vc without value", "0 < encap psp spi 1, vc . 1:1(0) ack 1 win 1\n", 1, 25,
      "expected a virtualization cookie after 'vc', got '.'", 0 },
    { "psp tunnel without colon", "0 < ipv4 2.2.2.2 > 1.1.1.1: psp spi 1 . 1:1(0) ack 1 win 1\n", 1,
      39, "expected ':' after the PSP header, got '.'", 0 },
    { "mptcp option unbalanced", "0 < S 0:0(0) win 1 <mpcapable v1 flags]>\n", 1, 39,
      "unbalanced ']' in an MPTCP option", 0 },
    { "mptcp option without end", "0 < S 0:0(0) win 1 <mpcapable v1 key[a\n", 1, 21,
      "MPTCP option mpcapable without its end (',' or '>') on the line", 0 },
    { "bad ip version", "--ip_version=ipv5\n0 close(3) = 0\n", 1, 14,
      "bad value 'ipv5' for --ip_version (expected ipv4, ipv4-mapped-ipv6 or ipv6)", 0 },
    { "bad option value", "--mss=0x10\n0 close(3) = 0\n", 1, 7,
      "bad value '0x10' for --mss (expected an integer 1..65535)", 0 },
    { "bad option address", "--local_ip=192.0.2.300\n0 close(3) = 0\n", 1, 12,
      "bad value '192.0.2.300' for --local_ip (expected an IP address)", 0 },
    { "option without value", "--mss\n0 close(3) = 0\n", 1, 1, "option --mss needs a value (--mss=VALUE)", 0 },
    { "option twice", "--mss=1000\n--mss=1000\n0 close(3) = 0\n", 2, 1, "option --mss given twice", 0 },
    { "option after events", "0 close(3) = 0\n--mss=1000\n", 2, 1,
      "option '--mss' must come before the first event", 0 },
    { "unsupported syscall argument form", "0 connect(3, 192.0.2.1, 16) = 0\n", 1, 14,
      "unsupported argument form '192.0.2.1' (write inet_addr(\"...\"))", 0 },
    { "float argument", "0 f(0.5) = 0\n", 1, 5, "unsupported argument form '0.5': a number with a fraction", 0 },
    { "bad expression", "0 f(4, +) = 0\n", 1, 8, "expected expression, got '+'", 0 },
    { "missing argument separator", "0 f(4 5) = 0\n", 1, 7,
      "expected ',' or ')' in system call arguments, got '5'", 0 },
    { "long token quoted whole characters", "0 f(4 \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9" "bbbbbbbbbb\") = 0\n",
      1, 7, "expected ',' or ')' in system call arguments, got '\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'", 0 },
    { "missing '=' after syscall", "0 close(3) 0\n", 1, 12, "expected '=' after the system call, got '0'", 0 },
    { "syscall without parens", "0 close 3 = 0\n", 1, 9, "expected '(' after system call name 'close', got '3'", 0 },
    { "unterminated note", "0 connect(3, ..., ...) = -1 EINPROGRESS (Operation\n", 1, 41,
      "unterminated note: expected ')' on the same line", 0 },
    { "integer overflow", "0 f(99999999999999999999) = 0\n", 1, 5, "integer '99999999999999999999' out of range", 0 },
    { "options list not closed", "0 > S 0:0(0) <mss 1460,nop\n", 1, 27,
      "expected ',' or '>' in TCP options, got end of file", 0 },
    { "options list not closed before next event", "0 > S 0:0(0) <mss 1460\n+0 close(3) = 0\n", 1, 23,
      "expected ',' or '>' in TCP options at the end of the line, got '+' on line 2", 0 },
    { "empty options list", "0 > S 0:0(0) <>\n", 1, 15, "expected TCP option, got '>'", 0 },
    { "unknown TCP option", "0 > S 0:0(0) <mss 1460,foo 3>\n", 1, 24, "unknown TCP option 'foo'", 0 },
    { "fast open cookie with 0x", "0 > S 0:0(0) <FO 0xabcd>\n", 1, 18,
      "FO takes hex digits without 0x", 0 },
    { "fast open cookie too long", "0 > S 0:0(0) <FOEXP 00112233445566778899aabbccddeeff"
      "00112233445566778899aabbccddeeff0011223344>\n", 1, 15,
      "FO cookie of 37 octets is longer than 36", 0 },
    { "fast open cookie odd", "0 > S 0:0(0) <FOEXP abc>\n", 1, 21,
      "odd number of hex digits in option data", 0 },
    { "md5 without digest", "0 > S 0:0(0) <md5>\n", 1, 18, "expected hex digest after 'md5', got '>'", 0 },
    { "TS without ecr", "0 > S 0:0(0) <TS val 1>\n", 1, 23, "expected 'ecr' after TS val, got '>'", 0 },
    { "five SACK blocks", "0 > . 1:1(0) <sack 1:2 3:4 5:6 7:8 9:10>\n", 1, 36, "more than 4 SACK blocks", 0 },
    { "mss out of range", "0 > S 0:0(0) <mss 65536>\n", 1, 19, "integer after 'mss' '65536' out of range (0..65535)", 0 },
    { "odd hex data", "0 < S 0:0(0) win 1 <kind 99 data 123>\n", 1, 34, "odd number of hex digits in option data", 0 },
    { "bad hex data", "0 < S 0:0(0) win 1 <kind 99 data 12zz>\n", 1, 36, "bad hex digit 'z' in option data", 0 },
    { "option data too long", "0 < S 0:0(0) win 1 <kind 99 data 0x"
      "0001020304050607080910111213141516171819202122232425262728293031323334353637383940>\n",
      1, 34, "option data longer than 38 octets", 0 },
    { "options over 40 octets", "0 < S 0:0(0) win 1 <TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,TS val 1 ecr 2,nop>\n",
      1, 20, "TCP options take 41 octets, more than 40", 0 },
    { "any options inbound", "0 < S 0:0(0) win 1 <...>\n", 1, 20,
      "<...> for TCP options can only be used with outbound packets", 0 },
    { "win without number", "0 < S 0:0(0) win <mss 1460>\n", 1, 18, "expected integer after 'win', got '<'", 0 },
    { "win out of range", "0 < S 0:0(0) win 65536\n", 1, 18, "integer after 'win' '65536' out of range (0..65535)", 0 },
    { "ack given twice", "0 > . 1:1(0) ack 1 ack 2\n", 1, 20, "'ack' given twice", 0 },
    { "inbound without window", "0 < S 0:0(0)\n", 1, 3, "window must be specified for inbound packets", 0 },
    { "ect01 inbound", "0 < [ect01] S 0:0(0) win 1\n", 1, 3, "[ect01] can only be used with outbound packets", 0 },
    { "ecn and tos together", "0 > [ect0, tos 0x10] S 0:0(0)\n", 1, 12,
      "more than one ECN codepoint or tos in IP info", 0 },
    { "ttl out of range", "0 > [ttl 300] S 0:0(0)\n", 1, 10, "integer after 'ttl' '300' out of range (0..255)", 0 },
    { "flowlabel", "0 > (flowlabel 0x1) S 0:0(0)\n", 1, 6, "flowlabel is IPv6-only: not supported", 0 },
    { "ip info not closed", "0 > [ect0 S 0:0(0)\n", 1, 11, "expected ',' or ']' in IP info, got 'S'", 0 },
    { "udp without length", "0 < udp 8080>40000\n", 1, 19,
      "expected '(' before the UDP payload length, got end of file", 0 },
    { "udp with ecn", "0 < [ect0] udp (10)\n", 1, 12, "ECN can only be used with TCP packets", 0 },
    { "encapsulation without colon", "0 < ipv4 192.0.2.1 > 192.0.2.2 S 0:0(0) win 1\n", 1, 32,
      "expected ':' after the encapsulation header, got 'S'", 0 },
    { "gre without colon", "0 < gre sum 0\n", 1, 5,
      "encapsulation 'gre' without its ':' on the same line", 0 },
    { "unknown icmp type", "0 < icmp unreach port_unreachable\n", 1, 10, "unknown ICMP type 'unreach'", 0 },
    { "unknown icmp code", "0 < icmp unreachable port_closed\n", 1, 22,
      "unknown ICMP code 'port_closed' for type 'unreachable'", 0 },
    { "icmp mtu on port unreachable", "0 < icmp unreachable port_unreachable mtu 1200\n", 1, 39,
      "ICMP mtu is only valid for unreachable frag_needed", 0 },
    { "mutation on outbound", "0 > . 1:1(0) {ip.ttl=0}\n", 1, 14, "mutations can only be applied to inbound packets", 0 },
    { "unknown mutation field", "0 < . 1:1(0) win 1 {ip.hops=0}\n", 1, 21, "unknown mutation field 'ip.hops'", 0 },
    { "mutation given twice", "0 < . 1:1(0) win 1 {ip.ttl=0, ip.ttl=1}\n", 1, 31, "mutation 'ip.ttl' given twice", 0 },
    { "ip.options not in words", "0 < . 1:1(0) win 1 {ip.options=070000}\n", 1, 32,
      "'ip.options' takes a multiple of 4 octets (the header grows in 32-bit words), got 3", 0 },
    { "ip.options too long", "0 < . 1:1(0) win 1 {ip.options=0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}\n", 1, 32, "ip.options longer than 40 octets", 0 },
    { "ip.options bad hex", "0 < . 1:1(0) win 1 {ip.options=07zz0000}\n", 1, 34, "bad hex digit 'z' in ip.options", 0 },
    { "mutation value out of range", "0 < . 1:1(0) win 1 {ip.ttl=256}\n", 1, 28,
      "an integer for 'ip.ttl' '256' out of range (0..255)", 0 },
    { "mutation bad address", "0 < . 1:1(0) win 1 {ip.src=1.2.3.256}\n", 1, 28,
      "expected an IPv4 address for 'ip.src', got '1.2.3.256'", 0 },
    { "mutation bad checksum", "0 < . 1:1(0) win 1 {tcp.csum=good}\n", 1, 30,
      "expected 'bad' or an integer for 'tcp.csum', got 'good'", 0 },
    { "tcp mutation on icmp", "0 < icmp echo_reply {tcp.doff=1}\n", 1, 22, "mutation 'tcp.doff' needs a TCP packet", 0 },
    { "fragment not at a multiple of 8", "0 < . 1:1(0) win 1 {ip.frag=0:12,12:}\n", 1, 34,
      "a fragment starts at a multiple of 8 octets (the offset is in 8-octet units), not at 12", 0 },
    { "fragment ending before it starts", "0 < . 1:1(0) win 1 {ip.frag=8:8}\n", 1, 31,
      "a fragment ends after it starts: 8:8", 0 },
    { "fragment without colon", "0 < . 1:1(0) win 1 {ip.frag=8}\n", 1, 30,
      "expected ':' after a fragment's first octet, got '}'", 0 },
    { "fragments and truncate", "0 < . 1:1(0) win 1 {ip.frag=0:8,8:, truncate=30}\n", 1, 20,
      "ip.frag and truncate cannot be combined", 0 },
    { "mutation list not closed", "0 < . 1:1(0) win 1 {ip.ttl=0\n", 1, 29,
      "expected ',' or '}' in mutation list, got end of file", 0 },
    { "packetdrill fuzz syntax not closed", "0 < . 1:1(0) win 1 { mut tcp\n", 1, 20,
      "unclosed '{' of fuzz parameters", 0 },
    { "malformed req tag", "// @req RFC9293-MUST-10\n0 close(3) = 0\n", 1, 9,
      "malformed requirement tag 'RFC9293-MUST-10' (expected NAME:ID)", 0 },
    { "req without tag", "0 close(3) = 0 /* @req */\n", 1, 19, "@req without a requirement tag", 0 },
    { "untimed command in the middle", "0 close(3) = 0\n`echo`\n+0 close(4) = 0\n", 2, 1,
      "a command without a time must be the first or the last event", 0 },
    { "no events", "--mss=1000\n// nothing\n", 3, 1, "expected an event, got end of file", 0 },
    { "not an action", "0 ; 1\n", 1, 3, "expected a packet, a system call, a command or a python block, got ';'", 0 },
    { "NUL byte", "0 close(3)\0 = 0\n", 1, 11, "NUL byte in script", 16 },
    { "invalid UTF-8", "0 close(3) = 0 // caf\xff\n", 1, 22, "invalid UTF-8 byte 0xff", 0 },
    { "overlong UTF-8", "// \xc0\xaf\n0 close(3) = 0\n", 1, 4, "invalid UTF-8 byte 0xc0", 0 },
    { "non-ASCII outside comments", "0 clos\xc3\xa9(3) = 0\n", 1, 7, "unexpected non-ASCII character", 0 },
    { "control character", "0 close(3) =\x01 0\n", 1, 13, "unexpected control character 0x01", 0 },
};

static void test_malformed(void **state)
{
    const struct bad_case *c = *state;
    expect_error_len(c->text, c->len ? c->len : strlen(c->text), c->line, c->column, c->message);
}

/* ---- round trip: parse, format, parse again ------------------------------------------------------------------- */

struct trip_case {
    const char *in;
    const char *canonical; /* NULL: same as in */
};

static const struct trip_case trip_cases[] = {
    { "< S 0:0(0) win 32792 <mss 1000,sackOK,TS val 100 ecr 0,nop,wscale 7>", NULL },
    { "> S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>", NULL },
    { "< . 1:1(0) ack 1 win 257", NULL },
    { "> P. 1:1001(1000) ack 1", NULL },
    { "> F. 1001:1001(0) ack 1 <...>", NULL },
    { "< R 1:1(0) win 0", NULL },
    { "< R. 1:1(0) ack 1 win 0", NULL },
    { "< SEW 0:0(0) win 65535", NULL },
    { "> SE. 0:0(0) ack 1", NULL },
    { "< .SEW 0:0(0) win 1", "< SEW. 0:0(0) win 1" },
    { "< - 5:5(0) win 0", NULL },
    { "< UP. 1:2(1) ack 1 win 100 urg 1", "< PU. 1:2(1) ack 1 win 100 urg 1" },
    { "< [ect0] . 1:1(0) ack 1 win 257", NULL },
    { "> [ect01] . 1:1(0) ack 1", NULL },
    { "< (tos 0x10) S 0:0(0) win 1", "< [tos 0x10] S 0:0(0) win 1" },
    { "< [ttl 1] S 0:0(0) win 1", NULL },
    { "< [CE, ttl 64] . 1:1(0) ack 1 win 1", "< [ce, ttl 64] . 1:1(0) ack 1 win 1" },
    { "< 8080>40000 S 0:0(0) win 1", NULL },
    { "< . 1:1(0) ack 1 win 257 <sack 1461:2921 4381:5841,nop,nop>", NULL },
    { "< S 0:0(0) win 1 <kind 99 len 1 data deadbeef,eol>", NULL },
    { "< S 0:0(0) win 1 <kind 30 len 0>", NULL },
    { "< S 0:0(0) win 1 <kind 253 data 0x0102>", "< S 0:0(0) win 1 <kind 253 data 0102>" },
    { "< . 1:1(0) ack 1 win 257 {ip.ttl=0, ip.version=5, ip.ihl=4, ip.tos=3, ip.id=7, ip.df=1, "
      "ip.mf=1, ip.frag_off=8191, ip.proto=17, ip.src=192.0.2.9, ip.dst=198.51.100.1, ip.len=20, "
      "ip.csum=bad, tcp.csum=bad, tcp.doff=4, tcp.reserved=15, tcp.sport=1, tcp.dport=2, "
      "tcp.urg_ptr=3, truncate=30}", NULL },
    { "< P. 1:1001(1000) ack 1 win 257 {ip.id=7, ip.frag=512:,0:512,0:512, ip.ttl=3}", NULL },
    { "< P. 1:1001(1000) ack 1 win 257 {ip.frag=0:8,8:}", NULL },
    { "< . 1:1(0) ack 1 win 257 {ip.csum=0x1234,tcp.csum=0}", "< . 1:1(0) ack 1 win 257 {ip.csum=4660, tcp.csum=0}" },
    { "< icmp unreachable port_unreachable [1:1001(1000)]", NULL },
    { "< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]", NULL },
    { "< icmp echo_reply id 9", NULL },
    { "< icmp type_42 code_7 [udp (8)]", NULL },
    { "< icmp time_exceeded code_1 [raw (28)] {ip.ttl=1}", NULL },
    { "< icmp unreachable code_0", "< icmp unreachable net_unreachable" },
    { "> icmp unreachable protocol_unreachable", NULL },
    { "< [ect1] icmp source_quench", NULL },
    { "> . 4294967295:4294967295(0) ack 4294967295", NULL },
    { "< P. 0:65535(65535) ack 1 win 65535 urg 65535 <TS val 4294967295 ecr 4294967295>", NULL },
};

static void assert_same_packet(const struct script_packet *a, const struct script_packet *b)
{
    assert_int_equal(a->direction, b->direction);
    assert_int_equal(a->proto, b->proto);
    assert_int_equal(a->ip_given, b->ip_given);
    assert_memory_equal(&a->ip, &b->ip, sizeof a->ip);
    assert_true(a->ports_given == b->ports_given && a->sport == b->sport && a->dport == b->dport);
    assert_int_equal(a->flags, b->flags);
    assert_true(a->seq_start == b->seq_start && a->seq_end == b->seq_end && a->seq_len == b->seq_len);
    assert_true(a->ack_given == b->ack_given && a->ack == b->ack);
    assert_true(a->win_given == b->win_given && a->win == b->win);
    assert_true(a->urg_given == b->urg_given && a->urg == b->urg);
    assert_int_equal(a->opts_mode, b->opts_mode);
    assert_int_equal(a->opt_count, b->opt_count);
    if (a->opt_count)
        assert_memory_equal(a->opts, b->opts, a->opt_count * sizeof a->opts[0]);
    assert_memory_equal(&a->icmp, &b->icmp, sizeof a->icmp);
    assert_int_equal(a->frag_count, b->frag_count);
    for (size_t i = 0; i < a->frag_count; i++) {
        assert_int_equal(a->frags[i].start, b->frags[i].start);
        assert_int_equal(a->frags[i].end, b->frags[i].end);
        assert_int_equal(a->frags[i].to_end, b->frags[i].to_end);
    }
    assert_int_equal(a->mut_count, b->mut_count);
    for (size_t i = 0; i < a->mut_count; i++) {
        assert_int_equal(a->muts[i].field, b->muts[i].field);
        assert_int_equal(a->muts[i].bad, b->muts[i].bad);
        assert_int_equal(a->muts[i].value, b->muts[i].value);
    }
}

static void test_round_trip(void **state)
{
    const struct trip_case *c = *state;
    char line[1024], out[1024], again[1024];
    struct script *s1, *s2;
    const struct script_packet *p1, *p2;
    int n;

    snprintf(line, sizeof line, "0 %s\n", c->in);
    p1 = parse_pkt(line, &s1);
    n = script_packet_format(p1, out, sizeof out);
    assert_int_equal(n, (int)strlen(out));
    assert_string_equal(out, c->canonical ? c->canonical : c->in);
    snprintf(again, sizeof again, "0 %s\n", out);
    p2 = parse_pkt(again, &s2);
    assert_same_packet(p1, p2);
    /* A short buffer gets a truncated, terminated prefix and the full length. */
    assert_int_equal(script_packet_format(p1, again, 8), n);
    assert_int_equal(strlen(again), 7);
    assert_memory_equal(again, out, 7);
    script_free(s1);
    script_free(s2);
}

/* ---- main ------------------------------------------------------------------------------------------------------ */

static struct CMUnitTest *table_tests(const void *cases, size_t count, size_t size, size_t name_off,
                                      CMUnitTestFunction fn)
{
    struct CMUnitTest *t = calloc(count, sizeof *t);

    for (size_t i = 0; t != NULL && i < count; i++) {
        const char *c = (const char *)cases + i * size;
        memcpy(&t[i].name, c + name_off, sizeof t[i].name);
        t[i].test_func = fn;
        t[i].initial_state = (void *)c;
    }
    return t;
}

/* Every script of the language folder parses (harness/tests/language/:
 * one script per construct of packetdrill's language), and prints back
 * each of its packets as text that parses to the same packet. */
/* The folder's -D NAME=VALUE lines (harness/tests/language/defines). */
static size_t language_defines(const char *dir, char lines[][128], const char **defs, size_t max)
{
    char path[512];
    snprintf(path, sizeof path, "%s/defines", dir);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    assert_non_null(f);
    while (n < max && fgets(lines[n], 128, f)) {
        lines[n][strcspn(lines[n], "\n")] = '\0';
        if (lines[n][0] != '\0' && lines[n][0] != '#') {
            defs[n] = lines[n];
            n++;
        }
    }
    fclose(f);
    return n;
}

static void test_language_scripts_parse(void **state)
{
    (void)state;
    const char *dir = "harness/tests/language";
    DIR *d = opendir(dir);
    if (!d)
        skip(); /* run from elsewhere than the tree's top */
    char lines[16][128];
    const char *defs[16];
    size_t ndefs = language_defines(dir, lines, defs, 16);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".pkt") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct script *s = NULL;
        struct script_error err;
        if (script_parse_file_defines(path, defs, ndefs, &s, &err) < 0) {
            char msg[600];
            script_error_format(&err, msg, sizeof msg);
            closedir(d);
            fail_msg("%s", msg);
        }
        for (size_t i = 0; i < s->event_count; i++) {
            const struct script_event *ev = &s->events[i];
            if (ev->type != SCRIPT_EV_PACKET)
                continue;
            char text[512], again[512];
            script_packet_format(&ev->packet, text, sizeof text);
            struct script *t = NULL;
            char line[600];
            snprintf(line, sizeof line, "0 %s\n", text);
            if (script_parse_buffer(line, strlen(line), "again.pkt", &t, &err) == 0) {
                script_packet_format(&t->events[0].packet, again, sizeof again);
                assert_string_equal(text, again);
                script_free(t);
            }
        }
        script_free(s);
        n++;
    }
    closedir(d);
    assert_true(n >= 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_all_given),
        cmocka_unit_test(test_options_defaults_when_absent),
        cmocka_unit_test(test_comments_and_req_tags),
        cmocka_unit_test(test_utf8_in_comments_and_strings_is_fine),
        cmocka_unit_test(test_timing_forms),
        cmocka_unit_test(test_timing_blocking),
        cmocka_unit_test(test_packet_inbound_syn_with_every_option),
        cmocka_unit_test(test_packet_outbound_fields),
        cmocka_unit_test(test_packet_flags),
        cmocka_unit_test(test_packet_option_modes),
        cmocka_unit_test(test_packet_ip_info_and_ports),
        cmocka_unit_test(test_icmp_forms),
        cmocka_unit_test(test_generic_tcp_options),
        cmocka_unit_test(test_fast_open_and_md5_options),
        cmocka_unit_test(test_accecn_option),
        cmocka_unit_test(test_accecn_flags),
        cmocka_unit_test(test_packetdrill_lines_the_runner_skips),
        cmocka_unit_test(test_packetdrill_header_options),
        cmocka_unit_test(test_mutation_list),
        cmocka_unit_test(test_mutation_ip_options_takes_hex_words),
        cmocka_unit_test(test_fragment_list),
        cmocka_unit_test(test_mutations_on_icmp),
        cmocka_unit_test(test_packet_window_edge),
        cmocka_unit_test(test_syscall_socket_and_friends),
        cmocka_unit_test(test_syscall_connect_errno_and_note),
        cmocka_unit_test(test_syscall_data_calls),
        cmocka_unit_test(test_syscall_or_expression),
        cmocka_unit_test(test_syscall_poll_struct),
        cmocka_unit_test(test_syscall_getsockopt_forms),
        cmocka_unit_test(test_syscall_calls_and_sockaddr),
        cmocka_unit_test(test_syscall_msghdr_and_empty),
        cmocka_unit_test(test_syscall_format),
        cmocka_unit_test(test_commands_and_python),
        cmocka_unit_test(test_event_position_and_source),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_sample_passive_open),
        cmocka_unit_test(test_sample_active_open),
        cmocka_unit_test(test_sample_malformed_input),
        cmocka_unit_test(test_sample_bad_syntax),
        cmocka_unit_test(test_command_line_defines),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_long_inputs),
        cmocka_unit_test(test_hostile_bytes_never_crash),
        cmocka_unit_test(test_language_scripts_parse),
    };
    size_t nbad = sizeof bad_cases / sizeof bad_cases[0];
    size_t ntrip = sizeof trip_cases / sizeof trip_cases[0];
    struct CMUnitTest *bad = table_tests(bad_cases, nbad, sizeof bad_cases[0],
                                         offsetof(struct bad_case, name), test_malformed);
    struct CMUnitTest *trip = table_tests(trip_cases, ntrip, sizeof trip_cases[0],
                                          offsetof(struct trip_case, in), test_round_trip);
    int failed;

    if (bad == NULL || trip == NULL)
        return 1;
    failed = cmocka_run_group_tests_name("script_parse", tests, NULL, NULL);
    failed += _cmocka_run_group_tests("script_parse_malformed", bad, nbad, NULL, NULL);
    failed += _cmocka_run_group_tests("script_parse_round_trip", trip, ntrip, NULL, NULL);
    free(bad);
    free(trip);
    return failed != 0;
}

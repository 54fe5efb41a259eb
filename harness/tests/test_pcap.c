/* Pcap vectors: reading captures (every link type, pcap and pcapng) and
 * refusing broken ones with a precise message; choosing a conversation;
 * the metadata file; the translation into a script, which must not depend
 * on the ISNs the capture happened to use; replay on mem; @ignore psh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "pcap/capture.h"
#include "pcap/conv.h"
#include "pcap/meta.h"
#include "pcap/replay.h"
#include "pcap/translate.h"
#include "tests/pcap_build.h"

static char err[1024];

/* ---- a synthetic conversation: passive open, request, answer, close ---- */

struct cseg {
    uint64_t t;
    bool from_stack;
    uint8_t flags;
    uint32_t seq, ack; /* relative */
    size_t len;
    bool mss;
};

static const struct cseg conversation[] = {
    {0, false, SYNACK_TCP_SYN, 0, 0, 0, true},
    {20, true, SYNACK_TCP_SYN | SYNACK_TCP_ACK, 0, 1, 0, true},
    {100, false, SYNACK_TCP_ACK, 1, 1, 0, false},
    {100000, false, SYNACK_TCP_PSH | SYNACK_TCP_ACK, 1, 1, 100, false},
    {100100, true, SYNACK_TCP_PSH | SYNACK_TCP_ACK, 1, 101, 200, false},
    {100200, false, SYNACK_TCP_ACK, 101, 201, 0, false},
    {200000, true, SYNACK_TCP_FIN | SYNACK_TCP_ACK, 201, 101, 0, false},
    {200100, false, SYNACK_TCP_FIN | SYNACK_TCP_ACK, 101, 202, 0, false},
    {200200, true, SYNACK_TCP_ACK, 202, 102, 0, false},
};

static const char conversation_meta[] =
    "app listen\napp accept\napp read 100\napp write 200\napp close\nignore window\n";

/* The conversation as a raw-IP pcap, with these ISNs, at this epoch. */
static void conversation_pcap(struct pbuf *p, uint32_t peer_isn, uint32_t stack_isn,
                              uint64_t epoch)
{
    pcap_header(p, PB_LINKTYPE_RAW, 65535);
    for (size_t i = 0; i < sizeof conversation / sizeof conversation[0]; i++) {
        const struct cseg *c = &conversation[i];
        uint8_t pkt[2048], mss[4] = {2, 4, 0x05, 0xb4};
        uint32_t my = c->from_stack ? stack_isn : peer_isn, their = c->from_stack ? peer_isn : stack_isn;
        size_t n = seg_build(pkt, sizeof pkt, c->from_stack ? PB_STACK : PB_PEER,
                             c->from_stack ? 8080 : 40000, c->from_stack ? PB_PEER : PB_STACK,
                             c->from_stack ? 40000 : 8080, c->flags, my + c->seq,
                             (c->flags & SYNACK_TCP_ACK) ? their + c->ack : 0,
                             c->from_stack ? 65535 : 64240, c->mss ? mss : NULL, c->mss ? 4 : 0,
                             c->len);
        pcap_record(p, epoch + c->t, pkt, n, n);
    }
}

/* The same conversation over IPv6 (2001:db8::1 the stack, 2001:db8:1::2
 * the peer), each segment with `ext` octets of destination options. */
static void conversation_pcap6(struct pbuf *p, uint32_t peer_isn, uint32_t stack_isn,
                               size_t ext)
{
    struct pbuf v4 = {0};
    conversation_pcap(&v4, peer_isn, stack_isn, 0);
    pcap_header(p, PB_LINKTYPE_RAW, 65535);
    for (size_t off = 24; off < v4.n;) { /* each record of the IPv4 capture, converted */
        uint32_t t = v4.b[off] | v4.b[off + 1] << 8 | v4.b[off + 2] << 16 |
                     (uint32_t)v4.b[off + 3] << 24;
        uint32_t us = v4.b[off + 4] | v4.b[off + 5] << 8 | v4.b[off + 6] << 16 |
                      (uint32_t)v4.b[off + 7] << 24;
        size_t n = v4.b[off + 8] | v4.b[off + 9] << 8;
        uint8_t pkt[2048];
        size_t m = seg_to_v6(pkt, sizeof pkt, v4.b + off + 16, n, ext);
        pcap_record(p, (uint64_t)t * 1000000 + us, pkt, m, m);
        off += 16 + n;
    }
    free(v4.b);
}

static struct capture *read_buf(const struct pbuf *p, unsigned flags)
{
    struct capture *c = NULL;
    err[0] = '\0';
    if (capture_read_buffer(p->b, p->n, "t.pcap", flags, &c, err, sizeof err) < 0)
        return NULL;
    return c;
}

/* ---- reading ---- */

static void test_reads_raw_ip_capture(void **state)
{
    (void)state;
    struct pbuf p = {0};
    conversation_pcap(&p, 1000, 5000, 1700000000000000ull);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    assert_int_equal(c->count, 9);
    assert_int_equal(c->frames, 9);
    assert_int_equal(c->pkts[3].number, 4);
    assert_int_equal(c->pkts[3].len, 140);
    assert_true(c->pkts[1].time_us == 1700000000000020ll);
    capture_free(c);
    free(p.b);
}

static void test_reads_ethernet_and_linux_cooked(void **state)
{
    (void)state;
    uint8_t pkt[4096], frame[300];
    size_t n = seg_build(pkt, sizeof pkt, PB_PEER, 1, PB_STACK, 2, SYNACK_TCP_SYN, 7, 0, 100, NULL, 0, 0);
    /* Ethernet with a VLAN tag, padded to the 60-octet minimum */
    struct pbuf e = {0};
    pcap_header(&e, PB_LINKTYPE_ETHERNET, 65535);
    memset(frame, 0, sizeof frame);
    frame[12] = 0x81, frame[13] = 0x00, frame[16] = 0x08, frame[17] = 0x00;
    memcpy(frame + 18, pkt, n);
    pcap_record(&e, 1, frame, 18 + n + 6, 18 + n + 6);
    /* an ARP frame, skipped */
    frame[12] = 0x08, frame[13] = 0x06;
    pcap_record(&e, 2, frame, 42, 42);
    struct capture *c = read_buf(&e, 0);
    assert_non_null(c);
    assert_int_equal(c->count, 1);
    assert_int_equal(c->skipped, 1);
    assert_int_equal(c->pkts[0].len, n); /* padding trimmed by the IPv4 length */
    assert_memory_equal(c->pkts[0].data, pkt, n);
    capture_free(c);
    /* Linux cooked v1: protocol at octet 14 */
    struct pbuf s = {0};
    pcap_header(&s, PB_LINKTYPE_SLL, 65535);
    memset(frame, 0, 16);
    frame[14] = 0x08, frame[15] = 0x00;
    memcpy(frame + 16, pkt, n);
    pcap_record(&s, 1, frame, 16 + n, 16 + n);
    c = read_buf(&s, 0);
    assert_non_null(c);
    assert_int_equal(c->count, 1);
    assert_int_equal(c->linktype, DLT_LINUX_SLL);
    capture_free(c);
    free(e.b);
    free(s.b);
}

/* pcapng: section header, one interface (raw IP), one enhanced packet. */
static void test_reads_pcapng(void **state)
{
    (void)state;
    uint8_t pkt[4096];
    size_t n = seg_build(pkt, sizeof pkt, PB_PEER, 1, PB_STACK, 2, SYNACK_TCP_SYN, 7, 0, 100, NULL, 0, 0);
    struct pbuf p = {0};
    pb_le32(&p, 0x0a0d0d0a), pb_le32(&p, 28), pb_le32(&p, 0x1a2b3c4d);
    pb_le16(&p, 1), pb_le16(&p, 0), pb_le32(&p, 0xffffffff), pb_le32(&p, 0xffffffff);
    pb_le32(&p, 28);
    pb_le32(&p, 1), pb_le32(&p, 20), pb_le16(&p, PB_LINKTYPE_RAW), pb_le16(&p, 0);
    pb_le32(&p, 65535), pb_le32(&p, 20);
    size_t padded = (n + 3) & ~(size_t)3;
    uint64_t t = 1700000000123456ull;
    pb_le32(&p, 2), pb_le32(&p, (uint32_t)(32 + padded)), pb_le32(&p, 0);
    pb_le32(&p, (uint32_t)(t >> 32)), pb_le32(&p, (uint32_t)t);
    pb_le32(&p, (uint32_t)n), pb_le32(&p, (uint32_t)n);
    pb_put(&p, pkt, n);
    uint8_t zero[4] = {0};
    pb_put(&p, zero, padded - n);
    pb_le32(&p, (uint32_t)(32 + padded));
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    assert_true(c->pcapng);
    assert_int_equal(c->count, 1);
    assert_true(c->pkts[0].time_us == (int64_t)t);
    capture_free(c);
    free(p.b);
}

/* ---- malformed captures: one precise message each ---- */

static void test_empty_file(void **state)
{
    (void)state;
    struct pbuf p = {0};
    assert_null(read_buf(&p, 0));
    assert_string_equal(err, "t.pcap: empty file: not a capture");
}

static void test_wrong_magic(void **state)
{
    (void)state;
    struct pbuf p = {0};
    pb_put(&p, "<html><body>not a capture</body></html>", 39);
    assert_null(read_buf(&p, 0));
    assert_string_equal(err, "t.pcap: not a pcap or pcapng file (first octets 0x3c68746d)");
    free(p.b);
}

static void test_truncated_file_header(void **state)
{
    (void)state;
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    p.n = 10;
    assert_null(read_buf(&p, 0));
    assert_non_null(strstr(err, "t.pcap: truncated file ("));
    assert_non_null(strstr(err, "only got 6"));
    free(p.b);
}

static void test_truncated_packet(void **state)
{
    (void)state;
    struct pbuf p = {0};
    conversation_pcap(&p, 1, 2, 0);
    p.n -= 30; /* the last record is cut in the middle */
    assert_null(read_buf(&p, 0));
    assert_non_null(strstr(err, "t.pcap: frame 9: truncated file ("));
    free(p.b);
}

static void test_snaplen_truncated_packet(void **state)
{
    (void)state;
    uint8_t pkt[300];
    size_t n = seg_build(pkt, sizeof pkt, PB_PEER, 1, PB_STACK, 2, SYNACK_TCP_ACK, 7, 9, 100, NULL, 0, 100);
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    pcap_record(&p, 0, pkt, n, n);
    pcap_record(&p, 1, pkt, 64, n);
    assert_null(read_buf(&p, 0));
    assert_string_equal(err, "t.pcap: frame 2: only 64 of the 140 octets of its IPv4 datagram "
                             "were captured (snaplen 64); capture with a larger snaplen "
                             "(tcpdump -s 0)");
    struct capture *c = read_buf(&p, CAPTURE_ALLOW_TRUNCATED);
    assert_non_null(c);
    assert_int_equal(c->pkts[1].len, 64);
    assert_int_equal(c->pkts[1].wire_len, 140);
    capture_free(c);
    free(p.b);
}

static void test_unsupported_link_type(void **state)
{
    (void)state;
    struct pbuf p = {0};
    pcap_header(&p, 105, 65535); /* IEEE 802.11 */
    assert_null(read_buf(&p, 0));
    assert_non_null(strstr(err, "t.pcap: link type 105 (IEEE802_11) is not supported"));
    free(p.b);
}

static void test_capture_without_tcp(void **state)
{
    (void)state;
    uint8_t pkt[64];
    struct synack_ipv4 ih = {.ttl = 64, .proto = SYNACK_IPPROTO_ICMP, .src = PB_PEER, .dst = PB_STACK};
    size_t n = synack_ipv4_build(pkt, sizeof pkt, &ih, 8, NULL);
    memset(pkt + n, 0, 8);
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    pcap_record(&p, 0, pkt, n + 8, n + 8);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    struct conv_list cl;
    assert_int_equal(conv_find(c, &cl, err, sizeof err), -1);
    assert_string_equal(err, "t.pcap: no TCP segment in 1 frames (1 IP datagrams)");
    capture_free(c);
    free(p.b);
}

static void test_two_conversations_need_a_selector(void **state)
{
    (void)state;
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    for (unsigned i = 0; i < 4; i++) { /* interleaved: 40000, 40001, 40000, 40001 */
        uint8_t pkt[100];
        size_t n = seg_build(pkt, sizeof pkt, PB_PEER, (uint16_t)(40000 + i % 2), PB_STACK, 8080,
                             i < 2 ? SYNACK_TCP_SYN : SYNACK_TCP_ACK, 1, 1, 100, NULL, 0, 0);
        pcap_record(&p, i, pkt, n, n);
    }
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    struct pcap_meta *m = pcap_meta_new();
    struct pcap_script ps;
    assert_int_equal(pcap_translate(c, m, &ps, err, sizeof err), -1);
    assert_string_equal(err, "t.pcap: 2 TCP conversations; choose one with 'peer ADDR:PORT' in "
                             "the metadata (or --peer): 198.51.100.2:40000 <> 192.0.2.1:8080 "
                             "(2 packets, frames 1-3); 198.51.100.2:40001 <> 192.0.2.1:8080 "
                             "(2 packets, frames 2-4)");
    pcap_meta_free(m);
    /* with a selector it is fine */
    const char sel[] = "peer 198.51.100.2:40001\n";
    assert_int_equal(pcap_meta_parse_buffer(sel, strlen(sel), "t.meta", &m, err, sizeof err), 0);
    assert_int_equal(pcap_translate(c, m, &ps, err, sizeof err), 0);
    assert_non_null(strstr(ps.text, "its peer 198.51.100.2:40001"));
    pcap_script_free(&ps);
    pcap_meta_free(m);
    capture_free(c);
    free(p.b);
}

static void test_reader_never_reads_outside_the_buffer(void **state)
{
    (void)state;
    /* every prefix of a good capture is either read or refused, never a crash
     * (ASan would see a stray read) */
    struct pbuf p = {0};
    conversation_pcap(&p, 1, 2, 0);
    for (size_t n = 0; n <= p.n; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, p.b, n);
        struct capture *c = NULL;
        int rc = capture_read_buffer(copy, n, "t.pcap", 0, &c, err, sizeof err);
        assert_true(rc == 0 || (c == NULL && err[0]));
        capture_free(c);
        free(copy);
    }
    free(p.b);
}

/* ---- metadata ---- */

static void expect_meta_error(const char *text, const char *message)
{
    struct pcap_meta *m = NULL;
    assert_int_equal(pcap_meta_parse_buffer(text, strlen(text), "x.meta", &m, err, sizeof err), -1);
    assert_null(m);
    assert_string_equal(err, message);
}

static void test_meta_errors_are_precise(void **state)
{
    (void)state;
    expect_meta_error("app listen\napp jump\n",
                      "x.meta:2: app: unknown call 'jump' (known: listen, connect, accept, "
                      "write, read, shutdown, close)");
    expect_meta_error("app write\n", "x.meta:1: app write: expected a number of octets");
    expect_meta_error("app read 0\n", "x.meta:1: app read: expected 1 to 100000000 octets, got '0'");
    expect_meta_error("app close at soon\n",
                      "x.meta:1: at: expected seconds from 0 to 1e+06, got 'soon'");
    expect_meta_error("stack 192.0.2.300:80\n",
                      "x.meta:1: stack: expected an address and optional port "
                      "(192.0.2.1:8080, [2001:db8::1]:8080), got '192.0.2.300:80'");
    expect_meta_error("peer [2001:db8::2]\n",
                      "x.meta:1: peer: expected an address and optional port "
                      "(192.0.2.1:8080, [2001:db8::1]:8080), got '[2001:db8::2]'");
    expect_meta_error("stack 192.0.2.1\nstack 192.0.2.2\n", "x.meta:2: stack given twice");
    expect_meta_error("tolerance -1\n", "x.meta:1: tolerance: expected seconds from 0 to 10, got '-1'");
    expect_meta_error("ignore colour\n",
                      "x.meta:1: ignore: unknown field 'colour' (window, options, psh)");
    expect_meta_error("req RFC9293\n",
                      "x.meta:1: req: malformed requirement tag 'RFC9293' (expected NAME:ID)");
    expect_meta_error("oracle-expect Bad_Rule\n",
                      "x.meta:1: oracle-expect: malformed rule name 'Bad_Rule'");
    expect_meta_error("speed 3\n",
                      "x.meta:1: unknown item 'speed' (known: description, stack, peer, app, "
                      "tolerance, time-scale, ignore, req, oracle-expect)");
}

static void test_meta_parses_everything(void **state)
{
    (void)state;
    const char text[] = "# a comment\r\ndescription two\ndescription lines  \n"
                        "stack 192.0.2.1:8080\npeer 198.51.100.2\napp listen\napp accept\n"
                        "app write 10 at 0.5 # trailing comment\ntolerance 0.01\n"
                        "time-scale 2\nignore window psh\nreq RFC9293:MUST-10 RFC5961:3.2\n"
                        "oracle-expect ack-delayed\n";
    struct pcap_meta *m;
    assert_int_equal(pcap_meta_parse_buffer(text, strlen(text), "x.meta", &m, err, sizeof err), 0);
    assert_string_equal(m->description, "two lines");
    assert_true(m->stack_given && m->stack.port == 8080 &&
                synack_addr_v4(&m->stack.addr) == PB_STACK);
    assert_true(m->peer_given && m->peer.port == 0);
    assert_int_equal(m->app_count, 3);
    assert_true(m->app[2].kind == META_APP_WRITE && m->app[2].n == 10 && m->app[2].at_given &&
                m->app[2].at_us == 500000);
    assert_true(m->tolerance_us == 10000 && m->time_scale == 2.0);
    assert_true(m->ignore_window && m->ignore_psh && !m->ignore_options);
    assert_int_equal(m->req_count, 2);
    assert_string_equal(m->oracle_expect[0], "ack-delayed");
    pcap_meta_free(m);
    char *mp = pcap_meta_path_for("dir.v1/x.pcapng");
    assert_string_equal(mp, "dir.v1/x.meta");
    free(mp);
}

/* ---- translation and replay ---- */

static struct pcap_meta *meta_of(const char *text)
{
    struct pcap_meta *m = NULL;
    assert_int_equal(pcap_meta_parse_buffer(text, strlen(text), "t.meta", &m, err, sizeof err), 0);
    return m;
}

static char *translate_conversation(uint32_t peer_isn, uint32_t stack_isn, uint64_t epoch)
{
    struct pbuf p = {0};
    conversation_pcap(&p, peer_isn, stack_isn, epoch);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    struct pcap_meta *m = meta_of(conversation_meta);
    struct pcap_script ps;
    assert_int_equal(pcap_translate(c, m, &ps, err, sizeof err), 0);
    char *text = strdup(ps.text);
    pcap_script_free(&ps);
    pcap_meta_free(m);
    capture_free(c);
    free(p.b);
    return text;
}

static void test_translation_writes_the_script(void **state)
{
    (void)state;
    char *t = translate_conversation(1000, 5000, 0);
    assert_non_null(strstr(t, "--bind_port=8080\n"));
    assert_non_null(strstr(t, "0.000000 < S 0:0(0) win 64240 <mss 1460>\n"));
    assert_non_null(strstr(t, "0.000020 > S. 0:0(0) ack 1 <mss 1460>\n"));
    assert_non_null(strstr(t, "0.000100 accept(3, ..., ...) = 4\n"));
    assert_non_null(strstr(t, "0.100000 read(4, ..., 100) = 100\n"));
    assert_non_null(strstr(t, "0.100100 write(4, ..., 200) = 200\n0.100100 > P. 1:201(200) ack 101\n"));
    assert_non_null(strstr(t, "0.200000 close(4) = 0\n0.200000 > F. 201:201(0) ack 101\n"));
    free(t);
}

/* The same conversation at other ISNs (and another epoch, one ISN near
 * the wrap) makes the same script: nothing depends on the numbers used. */
static void test_isn_shift_translates_identically(void **state)
{
    (void)state;
    char *a = translate_conversation(1000, 5000, 0);
    char *b = translate_conversation(0xfffffff0u, 123456789u, 1600000000000000ull);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static char *write_temp(const char *suffix, const void *data, size_t n)
{
    char *path = malloc(64);
    snprintf(path, 64, "/tmp/synack-test-pcap-%d%s", (int)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

static void run_capture(const struct pbuf *p, const char *meta, struct vector_result *res)
{
    char *cp = write_temp(".pcap", p->b, p->n);
    char *mp = write_temp(".meta", meta, strlen(meta));
    struct run_options o = {.target = target_find("mem"), .seed = 1,
                            .max_script_us = 3600LL * 1000000};
    pcap_run_file(cp, &o, res);
    unlink(cp);
    unlink(mp);
    free(cp);
    free(mp);
}

static void assert_same_ladder(const struct vector_result *a, const struct vector_result *b)
{
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->ladder_count, b->ladder_count);
    for (size_t i = 0; i < a->ladder_count; i++) {
        const struct ladder_row *x = &a->ladder[i], *y = &b->ladder[i];
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->status, y->status);
        assert_int_equal(x->line, y->line);
        assert_true(x->t_actual == y->t_actual);
        assert_string_equal(x->actual ? x->actual : "", y->actual ? y->actual : "");
    }
}

static void test_time_scale_stretches_the_capture(void **state)
{
    (void)state;
    struct pbuf p = {0};
    conversation_pcap(&p, 1000, 5000, 0);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    char meta[256];
    snprintf(meta, sizeof meta, "%stime-scale 2\ntolerance 0.010\n", conversation_meta);
    struct pcap_meta *m = meta_of(meta);
    struct pcap_script ps;
    assert_int_equal(pcap_translate(c, m, &ps, err, sizeof err), 0);
    assert_non_null(strstr(ps.text, "--tolerance_usecs=10000\n"));
    assert_non_null(strstr(ps.text, "0.200000 read(4, ..., 100) = 100\n"));
    assert_non_null(strstr(ps.text, "0.400000 > F. 201:201(0) ack 101\n"));
    pcap_script_free(&ps);
    pcap_meta_free(m);
    /* and it still replays: nothing here hangs on the stack's timers */
    struct vector_result r;
    run_capture(&p, meta, &r);
    assert_int_equal(r.status, RESULT_PASS);
    vector_result_free(&r);
    capture_free(c);
    free(p.b);
}

static void test_replay_passes_and_isn_shift_replays_identically(void **state)
{
    (void)state;
    struct pbuf p1 = {0}, p2 = {0};
    conversation_pcap(&p1, 1000, 5000, 0);
    conversation_pcap(&p2, 0x7ffffff0u, 0xdeadbeefu, 1600000000000000ull);
    struct vector_result a, b;
    run_capture(&p1, conversation_meta, &a);
    run_capture(&p2, conversation_meta, &b);
    assert_int_equal(a.status, RESULT_PASS);
    assert_same_ladder(&a, &b);
    vector_result_free(&a);
    vector_result_free(&b);
    free(p1.b);
    free(p2.b);
}

/* A committed Linux capture, every sequence number shifted by an
 * arbitrary amount (each side its own), replays exactly as before. */
static void test_linux_capture_shifted_replays_identically(void **state)
{
    (void)state;
    const char *path = "vectors/pcap/passive-request-response.pcapng";
    const char *meta = "vectors/pcap/passive-request-response.meta";
    struct capture *c = NULL;
    if (capture_read_file(path, 0, &c, err, sizeof err) < 0) {
        print_message("skipped: %s\n", err);
        skip();
    }
    FILE *mf = fopen(meta, "rb");
    assert_non_null(mf);
    char mtext[4096];
    size_t mn = fread(mtext, 1, sizeof mtext - 1, mf);
    fclose(mf);
    mtext[mn] = '\0';
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    for (size_t i = 0; i < c->count; i++) {
        uint8_t pkt[2048];
        size_t n = c->pkts[i].len;
        memcpy(pkt, c->pkts[i].data, n);
        uint8_t *tcp = pkt + (pkt[0] & 15) * 4;
        bool from_stack = synack_get32(pkt + 12) == PB_STACK;
        uint32_t dseq = from_stack ? 0x9abcdef0u : 0x13579bdfu, dack = from_stack ? 0x13579bdfu : 0x9abcdef0u;
        synack_put32(tcp + 4, synack_get32(tcp + 4) + dseq);
        if (tcp[13] & SYNACK_TCP_ACK)
            synack_put32(tcp + 8, synack_get32(tcp + 8) + dack);
        seg_fix_checksum(pkt, n);
        pcap_record(&p, (uint64_t)c->pkts[i].time_us, pkt, n, n);
    }
    struct vector_result a, b;
    struct run_options o = {.target = target_find("mem"), .seed = 1,
                            .max_script_us = 3600LL * 1000000};
    pcap_run_file(path, &o, &a);
    run_capture(&p, mtext, &b);
    assert_int_equal(a.status, RESULT_PASS);
    assert_same_ladder(&a, &b);
    vector_result_free(&a);
    vector_result_free(&b);
    capture_free(c);
    free(p.b);
}

static void test_replay_failure_names_the_frame(void **state)
{
    (void)state;
    struct pbuf p = {0};
    conversation_pcap(&p, 1000, 5000, 0);
    /* a second write the capture does not show */
    struct vector_result r;
    const char meta[] = "app listen\napp accept\napp read 100\napp write 200\napp write 50\n"
                        "app close\nignore window\n";
    run_capture(&p, meta, &r);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_non_null(strstr(r.message, ".meta:5: app write: the capture does not show it happen "
                                      "(the stack never sends those octets); give its time with "
                                      "'at SECONDS'"));
    vector_result_free(&r);
    /* a write the stack answers differently: the frame and the field */
    run_capture(&p, "app listen\napp accept\napp read 100\napp write 150\napp close\n"
                    "ignore window\n", &r);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.message, "frame 5: field len: expected 200 octets of data, got 150");
    assert_int_equal(r.fail_line, 0);
    vector_result_free(&r);
    /* windows compared unless the metadata says otherwise */
    run_capture(&p, "app listen\napp accept\napp read 100\napp write 200\napp close\n", &r);
    assert_int_equal(r.status, RESULT_FAIL);
    assert_string_equal(r.message, "frame 5: field win: expected 65535, got 65435");
    vector_result_free(&r);
    free(p.b);
}

static void test_missing_capture_is_an_error(void **state)
{
    (void)state;
    struct vector_result r;
    struct run_options o = {.target = target_find("mem"), .seed = 1,
                            .max_script_us = 3600LL * 1000000};
    pcap_run_file("/nonexistent/x.pcap", &o, &r);
    assert_int_equal(r.status, RESULT_ERROR);
    assert_string_equal(r.message, "/nonexistent/x.pcap: No such file or directory");
    vector_result_free(&r);
}

/* ---- @ignore psh ---- */

static void test_ignore_psh_tag(void **state)
{
    (void)state;
    const char *base = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                       "+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                       "+0 < S 0:0(0) win 32792 <mss 1000>\n+0 > S. 0:0(0) ack 1 <mss 1460>\n"
                       "+.1 < . 1:1(0) ack 1 win 32792\n+0 accept(3, ..., ...) = 4\n"
                       "+0 write(4, ..., 10) = 10\n+0 > . 1:11(10) ack 1\n";
    for (int ignore = 0; ignore < 2; ignore++) {
        char text[2048];
        snprintf(text, sizeof text, "%s%s", ignore ? "// @ignore psh\n" : "", base);
        struct script *s;
        struct script_error se;
        assert_int_equal(script_parse_buffer(text, strlen(text), "t.pkt", &s, &se), 0);
        assert_int_equal(s->ignore_flags, ignore ? SYNACK_TCP_PSH : 0);
        struct vector_result r;
        vector_result_init(&r);
        struct run_options o = {.target = target_find("mem"), .seed = 1,
                                .max_script_us = 3600LL * 1000000};
        run_script(s, &o, &r);
        assert_int_equal(r.status, ignore ? RESULT_PASS : RESULT_FAIL);
        vector_result_free(&r);
        script_free(s);
    }
    struct script *s;
    struct script_error se;
    const char bad[] = "// @ignore urg\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
    assert_int_equal(script_parse_buffer(bad, strlen(bad), "t.pkt", &s, &se), -1);
    assert_string_equal(se.message, "@ignore: unknown field 'urg' (known: psh, extra-psh)");
}

/* ---- TS ecr on the live clock: a fake target whose "stack" answers a
 * SYN with a SYN-ACK carrying TS val 5000, where the script wrote 700 ---- */

struct fake {
    int64_t now;
    bool sent;
    uint8_t last_in[256];
    size_t last_in_len;
};

static int fake_open(struct target **t, const struct target_config *cfg, char *e, size_t n)
{
    (void)cfg, (void)e, (void)n;
    *t = (struct target *)calloc(1, sizeof(struct fake));
    return 0;
}
static void fake_close(struct target *t) { free(t); }
static int64_t fake_now(struct target *t) { return ((struct fake *)t)->now; }
static bool fake_wait(struct target *t, int64_t until)
{
    struct fake *f = (struct fake *)t;
    if (until > f->now)
        f->now = until;
    return false;
}
static int fake_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    struct fake *f = (struct fake *)t;
    memcpy(f->last_in, pkt, len < sizeof f->last_in ? len : sizeof f->last_in);
    f->last_in_len = len;
    return 0;
}
static bool fake_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    struct fake *f = (struct fake *)t;
    if (f->sent || f->last_in_len == 0)
        return false;
    f->sent = true;
    uint8_t opts[12] = {1, 1, 8, 10};
    synack_put32(opts + 4, 5000);
    synack_put32(opts + 8, 100);
    *len = seg_build(buf, cap, PB_STACK, 8080, PB_PEER, 40000, SYNACK_TCP_SYN | SYNACK_TCP_ACK,
                     12345, 1, 1000, opts, sizeof opts, 0);
    *when = f->now;
    return true;
}

static void test_ts_ecr_follows_the_live_clock(void **state)
{
    (void)state;
    static const struct target_ops fake_ops = {
        .name = "fake", .virtual_time = true, .open = fake_open, .close = fake_close,
        .now = fake_now, .wait = fake_wait, .inject = fake_inject, .recv = fake_recv,
    };
    const char text[] = "0 < S 0:0(0) win 1000 <nop,nop,TS val 100 ecr 0>\n"
                        "+0 > S. 0:0(0) ack 1 win 1000 <nop,nop,TS val 700 ecr 100>\n"
                        "+0 < . 1:1(0) ack 1 win 1000 <nop,nop,TS val 200 ecr 700>\n";
    struct script *s;
    struct script_error se;
    assert_int_equal(script_parse_buffer(text, strlen(text), "t.pkt", &s, &se), 0);
    struct vector_result r;
    vector_result_init(&r);
    char path[64];
    snprintf(path, sizeof path, "/tmp/synack-test-ts-%d.pcap", (int)getpid());
    struct run_options o = {.target = &fake_ops, .seed = 1, .max_script_us = 1000000,
                            .pcap_path = path};
    run_script(s, &o, &r);
    assert_int_equal(r.status, RESULT_PASS);
    /* the run's capture: the ACK went out echoing 5000, and acking 12346 */
    struct capture *c = NULL;
    assert_int_equal(capture_read_file(path, 0, &c, err, sizeof err), 0);
    assert_int_equal(c->count, 3);
    struct synack_ipv4 ip;
    struct synack_tcp th;
    assert_int_equal(synack_ipv4_parse(c->pkts[2].data, c->pkts[2].len, 0, &ip, NULL), WIRE_OK);
    assert_int_equal(synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th, NULL),
                     WIRE_OK);
    assert_int_equal(th.opts.ts_val, 200);
    assert_int_equal(th.opts.ts_ecr, 5000);
    assert_int_equal(th.ack, 12346);
    capture_free(c);
    unlink(path);
    vector_result_free(&r);
    script_free(s);
}


/* ---- IPv6 captures ---- */

static void test_reads_ipv6_on_every_link_type(void **state)
{
    (void)state;
    uint8_t pkt4[300], pkt[400], frame[500];
    size_t n4 = seg_build(pkt4, sizeof pkt4, PB_PEER, 1, PB_STACK, 2, SYNACK_TCP_SYN, 7, 0, 100,
                          NULL, 0, 0);
    size_t n = seg_to_v6(pkt, sizeof pkt, pkt4, n4, 8);
    /* Ethernet, EtherType 0x86dd, padded: trimmed by the payload length */
    struct pbuf e = {0};
    pcap_header(&e, PB_LINKTYPE_ETHERNET, 65535);
    memset(frame, 0, sizeof frame);
    frame[12] = 0x86, frame[13] = 0xdd;
    memcpy(frame + 14, pkt, n);
    pcap_record(&e, 1, frame, 14 + n + 10, 14 + n + 10);
    struct capture *c = read_buf(&e, 0);
    assert_non_null(c);
    assert_int_equal(c->count, 1);
    assert_int_equal(c->skipped, 0);
    assert_int_equal(c->pkts[0].len, n);
    assert_memory_equal(c->pkts[0].data, pkt, n);
    capture_free(c);
    /* BSD loopback: AF_INET6 is 30 on macOS (little-endian), 10 on Linux */
    static const uint8_t families[][4] = {{30, 0, 0, 0}, {0, 0, 0, 10}, {24, 0, 0, 0}};
    for (size_t i = 0; i < 3; i++) {
        struct pbuf b = {0};
        pcap_header(&b, PB_LINKTYPE_NULL, 65535);
        memcpy(frame, families[i], 4);
        memcpy(frame + 4, pkt, n);
        pcap_record(&b, 1, frame, 4 + n, 4 + n);
        c = read_buf(&b, 0);
        assert_non_null(c);
        assert_int_equal(c->count, 1);
        capture_free(c);
        free(b.b);
    }
    /* Linux cooked v1 */
    struct pbuf s = {0};
    pcap_header(&s, PB_LINKTYPE_SLL, 65535);
    memset(frame, 0, 16);
    frame[14] = 0x86, frame[15] = 0xdd;
    memcpy(frame + 16, pkt, n);
    pcap_record(&s, 1, frame, 16 + n, 16 + n);
    c = read_buf(&s, 0);
    assert_non_null(c);
    assert_int_equal(c->count, 1);
    struct conv_list cl;
    assert_int_equal(conv_find(c, &cl, err, sizeof err), 0);
    char a[CONV_ENDPOINT_LEN], b[CONV_ENDPOINT_LEN];
    assert_string_equal(conv_endpoint_str(&cl.v[0].a, a, sizeof a), "[2001:db8:1::2]:1");
    assert_string_equal(conv_endpoint_str(&cl.v[0].b, b, sizeof b), "[2001:db8::1]:2");
    conv_list_free(&cl);
    capture_free(c);
    free(e.b);
    free(s.b);
}

/* A datagram whose IPv6 header does not parse is kept, counted and named. */
static void test_malformed_ipv6_is_named(void **state)
{
    (void)state;
    uint8_t pkt4[300], pkt[400];
    size_t n4 = seg_build(pkt4, sizeof pkt4, PB_PEER, 1, PB_STACK, 2, SYNACK_TCP_SYN, 7, 0, 100,
                          NULL, 0, 0);
    size_t n = seg_to_v6(pkt, sizeof pkt, pkt4, n4, 8);
    pkt[SYNACK_IPV6_HDR + 1] = 5; /* the destination options claim 48 octets */
    struct pbuf p = {0};
    pcap_header(&p, PB_LINKTYPE_RAW, 65535);
    pcap_record(&p, 0, pkt, n, n);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    assert_int_equal(c->malformed, 1);
    struct conv_list cl;
    assert_int_equal(conv_find(c, &cl, err, sizeof err), -1);
    assert_string_equal(err, "t.pcap: no TCP segment in 1 frames (1 IP datagrams, 1 of them "
                             "malformed, the first frame 1: ipv6: extension header runs "
                             "past the payload at offset 40)");
    capture_free(c);
    /* cut by the snaplen: the IPv6 datagram's length is known */
    struct pbuf q = {0};
    n = seg_to_v6(pkt, sizeof pkt, pkt4, n4, 0);
    pcap_header(&q, PB_LINKTYPE_RAW, 65535);
    pcap_record(&q, 0, pkt, 48, n);
    assert_null(read_buf(&q, 0));
    assert_string_equal(err, "t.pcap: frame 1: only 48 of the 60 octets of its IPv6 datagram "
                             "were captured (snaplen 48); capture with a larger snaplen "
                             "(tcpdump -s 0)");
    free(p.b);
    free(q.b);
}

static void test_endpoints_of_either_family(void **state)
{
    (void)state;
    struct conv_endpoint ep;
    char buf[CONV_ENDPOINT_LEN];
    assert_int_equal(conv_endpoint_parse("[2001:db8::1]:8080", &ep), 0);
    assert_int_equal(ep.port, 8080);
    assert_string_equal(conv_endpoint_str(&ep, buf, sizeof buf), "[2001:db8::1]:8080");
    assert_int_equal(conv_endpoint_parse("2001:DB8:0::1", &ep), 0);
    assert_int_equal(ep.port, 0);
    assert_string_equal(conv_endpoint_str(&ep, buf, sizeof buf), "2001:db8::1");
    assert_int_equal(conv_endpoint_parse("192.0.2.1:80", &ep), 0);
    assert_string_equal(conv_endpoint_str(&ep, buf, sizeof buf), "192.0.2.1:80");
    static const char *const bad[] = {"[2001:db8::1]", "[2001:db8::1]:", "[2001:db8::1]:0",
                                      "[192.0.2.1]:80", "2001:db8::1:80:", "192.0.2.1:",
                                      "192.0.2.1:65536", "[2001:db8::1]x80", "::ffff:1.2.3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (conv_endpoint_parse(bad[i], &ep) == 0)
            fail_msg("'%s' parsed", bad[i]);
}

/* An IPv6 capture becomes an ipv6 script (its own family), with IPv6's
 * MTU for the MSS it saw, and replays on mem as the IPv4 one does. */
static void test_ipv6_capture_translates_and_replays(void **state)
{
    (void)state;
    struct pbuf p = {0};
    conversation_pcap6(&p, 1000, 5000, 8);
    struct capture *c = read_buf(&p, 0);
    assert_non_null(c);
    struct pcap_meta *m = meta_of(conversation_meta);
    struct pcap_script ps;
    assert_int_equal(pcap_translate(c, m, &ps, err, sizeof err), 0);
    assert_non_null(strstr(ps.text, "--ip_version=ipv6\n--local_ip=2001:db8::1\n"
                                    "--remote_ip=2001:db8:1::2\n"));
    assert_non_null(strstr(ps.text, "--mtu=1520\n"));
    assert_non_null(strstr(ps.text, "its peer [2001:db8:1::2]:40000"));
    assert_non_null(strstr(ps.text, "0.100100 write(4, ..., 200) = 200\n0.100100 > P. 1:201(200) ack 101\n"));
    pcap_script_free(&ps);
    pcap_meta_free(m);
    capture_free(c);
    struct vector_result r;
    run_capture(&p, conversation_meta, &r);
    if (r.status != RESULT_PASS)
        fail_msg("replay: %s", r.message ? r.message : "");
    vector_result_free(&r);
    free(p.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_raw_ip_capture),
        cmocka_unit_test(test_reads_ethernet_and_linux_cooked),
        cmocka_unit_test(test_reads_pcapng),
        cmocka_unit_test(test_empty_file),
        cmocka_unit_test(test_wrong_magic),
        cmocka_unit_test(test_truncated_file_header),
        cmocka_unit_test(test_truncated_packet),
        cmocka_unit_test(test_snaplen_truncated_packet),
        cmocka_unit_test(test_unsupported_link_type),
        cmocka_unit_test(test_capture_without_tcp),
        cmocka_unit_test(test_two_conversations_need_a_selector),
        cmocka_unit_test(test_reader_never_reads_outside_the_buffer),
        cmocka_unit_test(test_meta_errors_are_precise),
        cmocka_unit_test(test_meta_parses_everything),
        cmocka_unit_test(test_translation_writes_the_script),
        cmocka_unit_test(test_isn_shift_translates_identically),
        cmocka_unit_test(test_time_scale_stretches_the_capture),
        cmocka_unit_test(test_replay_passes_and_isn_shift_replays_identically),
        cmocka_unit_test(test_linux_capture_shifted_replays_identically),
        cmocka_unit_test(test_replay_failure_names_the_frame),
        cmocka_unit_test(test_missing_capture_is_an_error),
        cmocka_unit_test(test_ignore_psh_tag),
        cmocka_unit_test(test_ts_ecr_follows_the_live_clock),
        cmocka_unit_test(test_reads_ipv6_on_every_link_type),
        cmocka_unit_test(test_malformed_ipv6_is_named),
        cmocka_unit_test(test_endpoints_of_either_family),
        cmocka_unit_test(test_ipv6_capture_translates_and_replays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

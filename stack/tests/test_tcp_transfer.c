/* Two stacks over the memory link (support/pair.h) in virtual time: bulk
 * transfer both ways at once, verified octet by octet; the three ways to
 * close; simultaneous open between two real stacks; a lossy, duplicating,
 * reordering, corrupting link; and a recorded capture that tshark reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/pair.h"

/* Only to count TCBs (orphans in TIME-WAIT have no socket to ask). */
#include "core/stack_internal.h"

#define PORT 5001
#define MIB (1024u * 1024u)

static uint32_t tcb_count(struct synack_stack *s)
{
    return s->tcp.n_tcbs;
}

/* The octet at offset i of the stream in direction d: a cheap hash, so a
 * misplaced, duplicated or lost octet shows. */
static uint8_t pattern(int d, uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull ^ (uint64_t)(d + 1) * 0xbf58476d1ce4e5b9ull;
    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

/* One direction of a transfer: what was sent, what arrived and checked. */
struct flow {
    struct synack_stack *from, *to;
    int sd_from, sd_to;
    int dir;
    uint64_t total, sent, received;
    bool eof;
    uint64_t mismatch_at; /* UINT64_MAX: none */
    uint8_t *post;        /* a buffer the reader leaves posted (SYNACK_MSG_POST), or NULL */
    size_t post_len;
};

static void flow_init(struct flow *f, struct pair *p, int from, int sd_from, int sd_to, int dir,
                      uint64_t total)
{
    memset(f, 0, sizeof *f);
    f->from = p->st[from];
    f->to = p->st[1 - from];
    f->sd_from = sd_from;
    f->sd_to = sd_to;
    f->dir = dir;
    f->total = total;
    f->mismatch_at = UINT64_MAX;
}

/* Let the applications run: send what fits, read and check what came. */
static void flow_pump(struct flow *f, uint64_t now)
{
    uint8_t buf[16384];
    while (f->sent < f->total) {
        size_t n = sizeof buf;
        if (n > f->total - f->sent)
            n = (size_t)(f->total - f->sent);
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(f->dir, f->sent + i);
        ssize_t r = synack_socket_send(f->from, f->sd_from, buf, n, 0, now);
        if (r == -EAGAIN)
            break;
        assert_true(r > 0);
        f->sent += (uint64_t)r;
    }
    uint8_t *in = f->post ? f->post : buf;
    for (;;) {
        ssize_t r = f->post ? synack_socket_recv(f->to, f->sd_to, in, f->post_len,
                                                 SYNACK_MSG_POST, now)
                            : synack_socket_recv(f->to, f->sd_to, in, sizeof buf, 0, now);
        if (r == -EAGAIN)
            break;
        assert_true(r >= 0);
        if (r == 0) {
            f->eof = true;
            break;
        }
        for (ssize_t i = 0; i < r; i++)
            if (in[i] != pattern(f->dir, f->received + (uint64_t)i) &&
                f->mismatch_at == UINT64_MAX)
                f->mismatch_at = f->received + (uint64_t)i;
        f->received += (uint64_t)r;
    }
}

static bool flow_done(const struct flow *f)
{
    return f->received >= f->total;
}

/* Run flows until they are complete (true) or limit passes (false). */
static bool run_flows(struct pair *p, struct flow *fl, int n, uint64_t limit)
{
    for (;;) {
        bool done = true;
        for (int i = 0; i < n; i++) {
            flow_pump(&fl[i], p->now);
            done = done && flow_done(&fl[i]);
        }
        if (done)
            return true;
        if (!pair_step(p, limit))
            return false;
    }
}

/* Counters that must stay 0 on a perfect link. */
static void assert_clean_counters(struct synack_stack *s)
{
    const struct synack_counters *c = synack_stack_counters(s);
    assert_int_equal(c->ip_drop_malformed, 0);
    assert_int_equal(c->ip_drop_checksum, 0);
    assert_int_equal(c->ip_drop_not_ours, 0);
    assert_int_equal(c->ip_drop_bad_src, 0);
    assert_int_equal(c->link_drop, 0);
    assert_int_equal(c->tcp_drop_malformed, 0);
    assert_int_equal(c->tcp_drop_checksum, 0);
    assert_int_equal(c->tcp_drop_bad_option, 0);
    assert_int_equal(c->tcp_unacceptable, 0);
    assert_int_equal(c->tcp_rst_sent, 0);
    assert_int_equal(c->tcp_retransmits, 0);
    assert_int_equal(c->tcp_fast_retransmits, 0);
    assert_int_equal(c->tcp_ooo_segments, 0);
    assert_int_equal(c->tcp_ooo_drop_full, 0);
    assert_int_equal(c->tcp_challenge_ack_rst, 0);
    assert_int_equal(c->tcp_challenge_ack_syn, 0);
    assert_int_equal(c->tcp_challenge_ack_ack, 0);
    assert_int_equal(c->tcp_ack_too_new, 0);
    assert_int_equal(c->tcp_conn_reset, 0);
    assert_int_equal(c->tcp_conn_timeout, 0);
}

static enum synack_state sock_state(struct synack_stack *s, int sd)
{
    struct synack_tcp_info ti;
    assert_int_equal(synack_socket_status(s, sd, &ti), 0);
    return (enum synack_state)ti.state;
}

/* Step until nothing is left to do (every timer and packet done). */
static void run_idle(struct pair *p, uint64_t limit)
{
    while (pair_step(p, limit))
        ;
}

/* A 1 Gbit/s link with 1 ms one-way delay. */
static void pair_fast(struct pair *p)
{
    struct synack_memlink_config lc = {.seed = 11, .delay = 1000, .rate_bps = 1000000000ull};
    assert_int_equal(pair_init(p, NULL, &lc), 0);
}

/* Closing with shutdown(SHUT_WR), first one side then the other: the
 * sockets stay, so each state is visible; the one that closed first
 * waits 2*MSL in TIME-WAIT (MUST-13), the other goes through LAST-ACK. */
static void close_in_turn(struct pair *p, int first, int sd[2])
{
    int second = 1 - first;
    uint64_t msl = synack_stack_config(p->st[0])->msl;
    assert_int_equal(synack_socket_shutdown(p->st[first], sd[first], SYNACK_SHUT_WR, p->now), 0);
    assert_int_equal(sock_state(p->st[first], sd[first]), SYNACK_FIN_WAIT_1);
    run_idle(p, p->now + 10 * SYNACK_MSEC);
    assert_int_equal(sock_state(p->st[first], sd[first]), SYNACK_FIN_WAIT_2);
    assert_int_equal(sock_state(p->st[second], sd[second]), SYNACK_CLOSE_WAIT);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p->st[second], sd[second], b, sizeof b, 0, p->now), 0);
    uint64_t fin2 = p->now; /* the FIN that starts TIME-WAIT leaves now */
    assert_int_equal(synack_socket_shutdown(p->st[second], sd[second], SYNACK_SHUT_WR, p->now),
                     0);
    assert_int_equal(sock_state(p->st[second], sd[second]), SYNACK_LAST_ACK);
    run_idle(p, p->now + 10 * SYNACK_MSEC);
    assert_int_equal(sock_state(p->st[second], sd[second]), SYNACK_CLOSED);
    assert_int_equal(sock_state(p->st[first], sd[first]), SYNACK_TIME_WAIT);
    assert_int_equal(synack_socket_recv(p->st[first], sd[first], b, sizeof b, 0, p->now), 0);
    run_idle(p, SYNACK_TIME_NEVER - 1);
    assert_int_equal(sock_state(p->st[first], sd[first]), SYNACK_CLOSED);
    /* TIME-WAIT began when that FIN arrived, 1 ms (the link's delay) later */
    assert_int_equal(p->now - fin2, 2 * msl + SYNACK_MSEC);
    assert_int_equal(synack_stack_counters(p->st[first])->tcp_timewait_expired, 1);
}

static void transfer_posted(struct pair *p, int srv, int cli, uint64_t total, size_t post_len)
{
    struct flow fl[2];
    flow_init(&fl[0], p, 1, cli, srv, 0, total); /* client -> server */
    flow_init(&fl[1], p, 0, srv, cli, 1, total); /* server -> client */
    for (int i = 0; post_len && i < 2; i++) {
        fl[i].post = malloc(post_len); /* exact size: ASan sees a write past it */
        fl[i].post_len = post_len;
        assert_non_null(fl[i].post);
    }
    assert_true(run_flows(p, fl, 2, p->now + 600 * SYNACK_SEC));
    for (int i = 0; i < 2; i++) {
        assert_int_equal(fl[i].mismatch_at, UINT64_MAX);
        assert_int_equal(fl[i].received, total);
    }
    /* posted buffers stay posted: take them back before they go */
    for (int i = 0; post_len && i < 2; i++) {
        uint8_t b[1];
        assert_int_equal(synack_socket_recv(fl[i].to, fl[i].sd_to, b, 0, 0, p->now), 0);
        free(fl[i].post);
    }
}

static void transfer_both_ways(struct pair *p, int srv, int cli, uint64_t total)
{
    transfer_posted(p, srv, cli, total, 0);
}

/* 10 MiB each way at once, then the client closes first. */
static void test_ten_mib_each_way_arrive_exact_then_client_closes_first(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    uint64_t t0 = p.now;
    transfer_both_ways(&p, srv, cli, 10 * MIB);
    /* 2 x 10 MiB over 1 Gbit/s in each direction: well under 2 s virtual */
    assert_true(p.now - t0 < 2 * SYNACK_SEC);
    for (int i = 0; i < 2; i++)
        assert_clean_counters(p.st[i]);
    int sd[2] = {srv, cli};
    close_in_turn(&p, 1, sd);
    for (int i = 0; i < 2; i++) {
        assert_clean_counters(p.st[i]);
        assert_int_equal(synack_socket_close(p.st[i], sd[i], p.now), 0);
    }
    assert_int_equal(synack_socket_close(p.st[0], lsd, p.now), 0);
    assert_int_equal(tcb_count(p.st[0]), 0);
    assert_int_equal(tcb_count(p.st[1]), 0);
    pair_free(&p);
}

/* The server closes first: it is the one left in TIME-WAIT. */
static void test_transfer_then_server_closes_first(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    transfer_both_ways(&p, srv, cli, 1 * MIB);
    int sd[2] = {srv, cli};
    close_in_turn(&p, 0, sd);
    for (int i = 0; i < 2; i++)
        assert_clean_counters(p.st[i]);
    pair_free(&p);
}

/* close() rather than shutdown(): the TCBs finish as orphans and are
 * freed, TIME-WAIT included. */
static void test_close_releases_every_tcb_after_time_wait(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    transfer_both_ways(&p, srv, cli, 256 * 1024);
    assert_int_equal(synack_socket_close(p.st[1], cli, p.now), 0);
    run_idle(&p, p.now + 10 * SYNACK_MSEC);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p.st[0], srv, b, sizeof b, 0, p.now), 0);
    assert_int_equal(synack_socket_close(p.st[0], srv, p.now), 0);
    run_idle(&p, p.now + 10 * SYNACK_MSEC);
    assert_int_equal(tcb_count(p.st[0]), 1); /* the listener */
    assert_int_equal(tcb_count(p.st[1]), 0); /* TIME-WAIT is a record, not a TCB */
    assert_int_equal(p.st[1]->tcp.tw_count, 1);
    run_idle(&p, SYNACK_TIME_NEVER - 1);
    assert_int_equal(p.st[1]->tcp.tw_count, 0);
    for (int i = 0; i < 2; i++)
        assert_clean_counters(p.st[i]);
    pair_free(&p);
}

/* Simultaneous close (3.6, Figure 13): both FINs cross; both sides go
 * through CLOSING to TIME-WAIT and then CLOSED. */
static void test_simultaneous_close_both_sides_reach_closed(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    transfer_both_ways(&p, srv, cli, 100 * 1024);
    run_idle(&p, p.now + SYNACK_SEC); /* let the last ACKs settle */
    int sd[2] = {srv, cli};
    for (int i = 0; i < 2; i++)
        assert_int_equal(synack_socket_shutdown(p.st[i], sd[i], SYNACK_SHUT_WR, p.now), 0);
    /* both FINs are on the wire before either arrives (1 ms delay) */
    assert_true(pair_step(&p, p.now + 5 * SYNACK_MSEC));
    for (int i = 0; i < 2; i++)
        assert_int_equal(sock_state(p.st[i], sd[i]), SYNACK_CLOSING);
    run_idle(&p, p.now + 10 * SYNACK_MSEC);
    for (int i = 0; i < 2; i++)
        assert_int_equal(sock_state(p.st[i], sd[i]), SYNACK_TIME_WAIT);
    run_idle(&p, SYNACK_TIME_NEVER - 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sock_state(p.st[i], sd[i]), SYNACK_CLOSED);
        assert_int_equal(synack_stack_counters(p.st[i])->tcp_timewait_expired, 1);
        assert_clean_counters(p.st[i]);
    }
    pair_free(&p);
}

/* Simultaneous open between two stacks (MUST-10, Figure 7): both connect
 * at once from fixed ports; both reach ESTABLISHED and data flows. */
static void test_simultaneous_open_between_two_stacks_establishes(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int sd[2];
    for (int i = 0; i < 2; i++) {
        sd[i] = synack_socket(p.st[i]);
        assert_true(sd[i] >= 0);
        assert_int_equal(synack_socket_bind(p.st[i], sd[i], 0, (uint16_t)(7000 + i)), 0);
    }
    assert_int_equal(synack_socket_connect(p.st[0], sd[0], PAIR_ADDR1, 7001, p.now),
                     -EINPROGRESS);
    assert_int_equal(synack_socket_connect(p.st[1], sd[1], PAIR_ADDR0, 7000, p.now),
                     -EINPROGRESS);
    uint64_t limit = p.now + 10 * SYNACK_SEC;
    size_t steps = 0;
    while ((sock_state(p.st[0], sd[0]) != SYNACK_ESTABLISHED ||
            sock_state(p.st[1], sd[1]) != SYNACK_ESTABLISHED) &&
           pair_step(&p, limit))
        steps++;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sock_state(p.st[i], sd[i]), SYNACK_ESTABLISHED);
        assert_true(synack_socket_events(p.st[i], sd[i]) & SYNACK_POLLOUT);
    }
    assert_true(steps < 20);
    /* no SYN-ACK storm: a handful of segments each */
    assert_true(synack_stack_counters(p.st[0])->tcp_out <= 4);
    assert_true(synack_stack_counters(p.st[1])->tcp_out <= 4);
    struct flow fl[2];
    flow_init(&fl[0], &p, 0, sd[0], sd[1], 0, 64 * 1024);
    flow_init(&fl[1], &p, 1, sd[1], sd[0], 1, 64 * 1024);
    assert_true(run_flows(&p, fl, 2, p.now + 60 * SYNACK_SEC));
    assert_int_equal(fl[0].mismatch_at, UINT64_MAX);
    assert_int_equal(fl[1].mismatch_at, UINT64_MAX);
    pair_free(&p);
}

/* 1 MiB each way over a link that loses 2%, duplicates 1%, reorders 2%
 * and corrupts 0.5% of packets (seeded): complete and exact; every
 * corrupted packet is caught by a checksum (MUST-3) or the parser. */
static void test_lossy_link_transfer_completes_exact(void **state)
{
    (void)state;
    struct synack_memlink_config lc = {
        .seed = 2024, .loss = 0.02, .duplicate = 0.01, .reorder = 0.02, .corrupt = 0.005,
        .delay = 5000, .rate_bps = 100000000ull,
    };
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, &lc), 0);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    uint64_t t0 = p.now;
    transfer_both_ways(&p, srv, cli, 1 * MIB);
    uint64_t took = p.now - t0;
    print_message("lossy: 2 x 1 MiB in %.3f s virtual\n", (double)took / 1e6);
    assert_true(took < 120 * SYNACK_SEC);
    const struct synack_memlink_stats *ls = synack_memlink_stats(p.link);
    assert_true(ls->lost > 0 && ls->duplicated > 0 && ls->reordered > 0 && ls->corrupted > 0);
    /* close both ways and drain the link */
    int sd[2] = {srv, cli};
    for (int i = 0; i < 2; i++)
        assert_int_equal(synack_socket_shutdown(p.st[i], sd[i], SYNACK_SHUT_WR, p.now), 0);
    run_idle(&p, SYNACK_TIME_NEVER - 1);
    uint64_t caught = 0, retrans = 0;
    for (int i = 0; i < 2; i++) {
        const struct synack_counters *c = synack_stack_counters(p.st[i]);
        assert_int_equal(sock_state(p.st[i], sd[i]), SYNACK_CLOSED);
        assert_int_equal(c->tcp_conn_reset, 0);
        assert_int_equal(c->tcp_conn_timeout, 0);
        caught += c->ip_drop_checksum + c->ip_drop_malformed + c->tcp_drop_checksum +
                  c->tcp_drop_malformed;
        retrans += c->tcp_retransmits + c->tcp_fast_retransmits;
    }
    assert_int_equal(caught, ls->corrupted);
    assert_true(retrans > 0);
    pair_free(&p);
}


/* What a tap on the link saw of the TCP segments with text: the longest,
 * and how many carried a checksum that does not verify. */
struct seen {
    size_t longest;
    unsigned bad_csum, segments, v6;
};

static void tap_seen(void *ctx, int end, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)end, (void)now;
    struct seen *s = ctx;
    struct synack_ip_view ip;
    struct synack_tcp th;
    if (synack_ip_view_parse(pkt, len, 0, &ip, NULL) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP ||
        synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &th, NULL) != WIRE_OK ||
        th.payload_len == 0)
        return;
    s->segments++;
    s->v6 += ip.version == 6;
    if (len > s->longest)
        s->longest = len;
    if (synack_ip_view_tcp(&ip, 0, &th, NULL) != WIRE_OK)
        s->bad_csum++;
}

/* MTU 65535 on the memory link (as the kernel's loopback): 64 KiB
 * segments, 4 MiB each way over a lossy, reordering link, exact. Without
 * the link's checksum offload every segment on the wire verifies (the
 * link completes the stack's partial checksums as it copies); with it
 * they stay partial (none verifies) and the receivers take them on the
 * link's word, dropping none. */
static void mtu_65535_transfer(bool offload)
{
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.mtu = 65535;
    struct synack_memlink_config lc = {.seed = 65535, .loss = 0.03, .reorder = 0.02,
                                       .delay = 1000, .csum_offload = offload};
    struct pair p;
    assert_int_equal(pair_init(&p, &cfg, &lc), 0);
    struct seen seen = {0};
    synack_memlink_set_tap(p.link, tap_seen, &seen);
    int srv, cli;
    assert_true(pair_connect(&p, PORT, &srv, &cli) >= 0);
    transfer_both_ways(&p, srv, cli, 4 * MIB);
    assert_int_equal(seen.longest, 65535);
    assert_int_equal(seen.bad_csum, offload ? seen.segments : 0);
    uint64_t retrans = 0;
    for (int i = 0; i < 2; i++) {
        const struct synack_counters *c = synack_stack_counters(p.st[i]);
        assert_int_equal(c->tcp_drop_checksum, 0);
        retrans += c->tcp_retransmits + c->tcp_fast_retransmits;
    }
    assert_true(retrans > 0);
    pair_free(&p);
}

static void test_mtu_65535_segments_exact_with_checksums(void **state)
{
    (void)state;
    mtu_65535_transfer(false);
}

static void test_mtu_65535_segments_exact_with_checksum_offload(void **state)
{
    (void)state;
    mtu_65535_transfer(true);
}

/* The readers leave their buffers posted (SYNACK_MSG_POST), of a size that
 * cuts segments anywhere: over a link that loses, reorders, duplicates and
 * corrupts, both streams arrive exact (in-order text straight into the
 * buffer, the rest through rb, in sequence order). */
static void test_lossy_link_transfer_into_posted_buffers_exact(void **state)
{
    (void)state;
    struct synack_memlink_config lc = {
        .seed = 2025, .loss = 0.02, .duplicate = 0.01, .reorder = 0.02, .corrupt = 0.005,
        .delay = 5000, .rate_bps = 100000000ull,
    };
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, &lc), 0);
    int srv, cli;
    assert_true(pair_connect(&p, PORT, &srv, &cli) >= 0);
    transfer_posted(&p, srv, cli, 1 * MIB, 3001);
    pair_free(&p);
}

/* TSO: a link that cuts segments (the memory link's tso, as a NIC's) gets
 * up to 64 KiB of text at once, every datagram with its segment size; on
 * the wire every segment fits the MTU, and over a lossy, reordering link
 * both streams arrive exact. A wrapper counts what the stacks hand over. */
struct tso_count {
    struct synack_link inner;
    unsigned gso, longest;
};

static int counting_sendv(void *ctx, const struct synack_pkt *pkt, uint64_t now)
{
    struct tso_count *c = ctx;
    if (pkt->flags & SYNACK_PKT_GSO) {
        c->gso++;
        assert_true(pkt->gso_size > 0 && pkt->gso_size <= 1460);
        assert_true(pkt->len <= 65535);
    }
    if (pkt->len > c->longest)
        c->longest = (unsigned)pkt->len;
    return c->inner.sendv(c->inner.ctx, pkt, now);
}

static int counting_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct tso_count *c = ctx;
    return c->inner.send(c->inner.ctx, pkt, len, now);
}

/* over IPv6 (v6: SYNACK_LINK_TSO6, MSS 1440) or IPv4 */
static void tso_transfer(bool v6)
{
    struct synack_memlink_config lc = {.seed = 4, .loss = 0.01, .reorder = 0.02,
                                       .delay = 1000, .tso = true};
    struct pair p = {.now = SYNACK_SEC};
    struct tso_count cnt[2];
    assert_non_null(p.link = synack_memlink_new(&lc));
    for (int i = 0; i < 2; i++) {
        struct synack_config c;
        synack_config_default(&c);
        c.addr = i ? PAIR_ADDR1 : PAIR_ADDR0;
        c.rng_seed = 1 + (uint64_t)i * 1000;
        if (v6) { /* 2001:db8::1 and ::2 */
            c.addr6[0] = 0x20, c.addr6[1] = 0x01, c.addr6[2] = 0x0d, c.addr6[3] = 0xb8;
            c.addr6[15] = (uint8_t)(1 + i);
        }
        cnt[i] = (struct tso_count){.inner = synack_memlink_end(p.link, i)};
        assert_true(cnt[i].inner.offload & SYNACK_LINK_TSO);
        assert_true(cnt[i].inner.offload & SYNACK_LINK_TSO6);
        struct synack_link l = {.send = counting_send, .ctx = &cnt[i], .sendv = counting_sendv,
                                .offload = cnt[i].inner.offload,
                                .tso_max = cnt[i].inner.tso_max};
        int err;
        assert_non_null(p.st[i] = synack_stack_new(&c, &l, &err));
    }
    struct seen seen = {0};
    synack_memlink_set_tap(p.link, tap_seen, &seen);
    int srv, cli;
    assert_true((v6 ? pair_connect6 : pair_connect)(&p, PORT, &srv, &cli) >= 0);
    transfer_both_ways(&p, srv, cli, 4 * MIB);
    assert_true(seen.longest <= 1500);
    assert_int_equal(seen.bad_csum, 0);
    assert_int_equal(seen.v6, v6 ? seen.segments : 0);
    uint64_t retrans = 0;
    for (int i = 0; i < 2; i++) {
        assert_true(cnt[i].gso > 10);
        assert_true(cnt[i].longest > 4 * 1460); /* ACK-clocked: a few segments at once */
        retrans += synack_stack_counters(p.st[i])->tcp_retransmits +
                   synack_stack_counters(p.st[i])->tcp_fast_retransmits;
    }
    assert_true(retrans > 0);
    pair_free(&p);
}

static void test_tso_segments_cut_by_the_link_arrive_exact(void **state)
{
    (void)state;
    tso_transfer(false);
}

static void test_tso_over_ipv6_segments_arrive_exact(void **state)
{
    (void)state;
    tso_transfer(true);
}

/* A link that corrupts cannot vouch for checksums: offload is refused. */
static void test_checksum_offload_refused_on_a_corrupting_link(void **state)
{
    (void)state;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.csum_offload = true;
    assert_int_equal(synack_memlink_config_check(&lc), 0);
    lc.corrupt = 0.001;
    assert_int_equal(synack_memlink_config_check(&lc), -EINVAL);
    assert_null(synack_memlink_new(&lc));
}

/* close() right after a large send: the orphan still delivers every
 * octet, then the FIN (3.10.4: "queue ... FIN after the data"). */
static void test_close_after_send_delivers_everything_then_eof(void **state)
{
    (void)state;
    struct pair p;
    pair_fast(&p);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    struct flow f;
    flow_init(&f, &p, 1, cli, srv, 0, 200 * 1024);
    flow_pump(&f, p.now); /* fills the 256 KiB send buffer at once */
    assert_int_equal(f.sent, 200 * 1024);
    assert_int_equal(synack_socket_close(p.st[1], cli, p.now), 0);
    while (!f.eof && pair_step(&p, p.now + 60 * SYNACK_SEC)) {
        uint8_t buf[16384];
        for (;;) {
            ssize_t r = synack_socket_recv(p.st[0], srv, buf, sizeof buf, 0, p.now);
            if (r <= 0) {
                f.eof = r == 0;
                break;
            }
            for (ssize_t i = 0; i < r; i++)
                if (buf[i] != pattern(0, f.received + (uint64_t)i) && f.mismatch_at == UINT64_MAX)
                    f.mismatch_at = f.received + (uint64_t)i;
            f.received += (uint64_t)r;
        }
    }
    assert_true(f.eof);
    assert_int_equal(f.received, 200 * 1024);
    assert_int_equal(f.mismatch_at, UINT64_MAX);
    assert_int_equal(synack_socket_close(p.st[0], srv, p.now), 0);
    run_idle(&p, SYNACK_TIME_NEVER - 1);
    assert_int_equal(tcb_count(p.st[0]), 1);
    assert_int_equal(tcb_count(p.st[1]), 0);
    for (int i = 0; i < 2; i++)
        assert_clean_counters(p.st[i]);
    pair_free(&p);
}

/* ---- pcap recording, read back by tshark ---- */

static bool have_tshark(void)
{
    return system("command -v tshark >/dev/null 2>&1") == 0;
}

/* Run tshark -r path; stdout into out, stderr into err. Returns its exit
 * status. */
static int run_tshark(const char *path, char *out, size_t outcap, char *err, size_t errcap)
{
    char errpath[] = "/tmp/synack-tshark-err-XXXXXX";
    int efd = mkstemp(errpath);
    assert_true(efd >= 0);
    close(efd);
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -r '%s' 2>'%s'", path,
             errpath);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, outcap - 1, f);
    out[n] = 0;
    int st = pclose(f);
    FILE *e = fopen(errpath, "r");
    assert_non_null(e);
    n = fread(err, 1, errcap - 1, e);
    err[n] = 0;
    fclose(e);
    unlink(errpath);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tshark run as root says so on stderr; that line is not about the file. */
static void strip_root_warning(char *err)
{
    static const char w[] = "Running as user \"root\" and group \"root\". This could be dangerous.\n";
    char *at = strstr(err, w);
    if (at)
        memmove(at, at + sizeof w - 1, strlen(at + sizeof w - 1) + 1);
}

static size_t count_lines_with(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *l = text; l && *l;) {
        const char *eol = strchr(l, '\n');
        size_t len = eol ? (size_t)(eol - l) : strlen(l);
        for (const char *q = l; q + strlen(needle) <= l + len; q++)
            if (memcmp(q, needle, strlen(needle)) == 0) {
                n++;
                break;
            }
        l = eol ? eol + 1 : NULL;
    }
    return n;
}

static void test_pcap_of_a_short_connection_opens_in_tshark(void **state)
{
    (void)state;
    char path[] = "/tmp/synack-test-XXXXXX.pcap";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    char errbuf[256];
    struct synack_pcap *pc = synack_pcap_open(path, errbuf);
    if (!pc)
        fail_msg("pcap open: %s", errbuf);
    struct pair p;
    pair_fast(&p);
    synack_memlink_set_tap(p.link, synack_pcap_tap, pc);
    int srv, cli;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    assert_int_equal(synack_socket_send(p.st[1], cli, "hello", 5, 0, p.now), 5);
    run_idle(&p, p.now + SYNACK_SEC);
    uint8_t b[16];
    assert_int_equal(synack_socket_recv(p.st[0], srv, b, sizeof b, 0, p.now), 5);
    assert_int_equal(synack_socket_send(p.st[0], srv, "world!", 6, 0, p.now), 6);
    run_idle(&p, p.now + SYNACK_SEC);
    assert_int_equal(synack_socket_recv(p.st[1], cli, b, sizeof b, 0, p.now), 6);
    assert_int_equal(synack_socket_close(p.st[1], cli, p.now), 0);
    run_idle(&p, p.now + SYNACK_SEC);
    assert_int_equal(synack_socket_close(p.st[0], srv, p.now), 0);
    run_idle(&p, p.now + SYNACK_SEC);
    size_t sent = synack_memlink_stats(p.link)->sent;
    synack_memlink_set_tap(p.link, NULL, NULL);
    assert_int_equal(synack_pcap_close(pc), 0);
    pair_free(&p);
    assert_true(sent >= 9); /* 3 handshake, 2 data + ACKs, 2 FIN + ACKs */

    if (!have_tshark()) {
        unlink(path);
        print_message("skipped: tshark is not installed (apt-get install tshark)\n");
        skip();
    }
    static char out[65536], err[4096];
    int rc = run_tshark(path, out, sizeof out, err, sizeof err);
    unlink(path);
    strip_root_warning(err);
    if (rc != 0 || err[0])
        fail_msg("tshark exit %d, stderr: %s", rc, err);
    size_t lines = 0;
    for (const char *c = out; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, sent);
    assert_int_equal(count_lines_with(out, "[SYN]"), 1);
    assert_int_equal(count_lines_with(out, "[SYN, ACK]"), 1);
    assert_int_equal(count_lines_with(out, "Len=5"), 1);
    assert_int_equal(count_lines_with(out, "Len=6"), 1);
    assert_int_equal(count_lines_with(out, "[FIN, ACK]"), 2);
    assert_int_equal(count_lines_with(out, "[RST"), 0);
    assert_int_equal(count_lines_with(out, "INCORRECT"), 0);
    assert_int_equal(count_lines_with(out, "Malformed"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_mib_each_way_arrive_exact_then_client_closes_first),
        cmocka_unit_test(test_transfer_then_server_closes_first),
        cmocka_unit_test(test_close_releases_every_tcb_after_time_wait),
        cmocka_unit_test(test_close_after_send_delivers_everything_then_eof),
        cmocka_unit_test(test_simultaneous_close_both_sides_reach_closed),
        cmocka_unit_test(test_simultaneous_open_between_two_stacks_establishes),
        cmocka_unit_test(test_lossy_link_transfer_completes_exact),
        cmocka_unit_test(test_mtu_65535_segments_exact_with_checksums),
        cmocka_unit_test(test_lossy_link_transfer_into_posted_buffers_exact),
        cmocka_unit_test(test_mtu_65535_segments_exact_with_checksum_offload),
        cmocka_unit_test(test_checksum_offload_refused_on_a_corrupting_link),
        cmocka_unit_test(test_tso_segments_cut_by_the_link_arrive_exact),
        cmocka_unit_test(test_tso_over_ipv6_segments_arrive_exact),
        cmocka_unit_test(test_pcap_of_a_short_connection_opens_in_tshark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

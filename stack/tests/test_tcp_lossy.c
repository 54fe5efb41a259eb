/* Two stacks over a bad memory link (seeded: 5% loss, 2% duplication, 5%
 * reordering, 1% corruption), in virtual time: a large transfer each way
 * at once must arrive complete and identical, which is the sum of every
 * reliability mechanism of RFC 9293 3.8 and RFC 5681 working together.
 *
 * The streams are compared by digest: the sender hashes what send()
 * accepted, the receiver what recv() returned. 100 MiB each way takes
 * about 0.2 s of wall time (0.6 s under SAN=1) and about 20 minutes of
 * virtual time. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "support/pair.h"
#include "support/probe.h"

#define MIB (1024ull * 1024ull)
#define LOSSY_TOTAL (100 * MIB)
#define PORT 6001
#define CHUNK 65536

/* A streaming 64-bit digest (FNV-1a over 8-octet words, with a tail). */
struct digest {
    uint64_t h, n;
    uint8_t tail[8];
    unsigned tlen;
};

static void digest_init(struct digest *d)
{
    memset(d, 0, sizeof *d);
    d->h = 0xcbf29ce484222325ull;
}

static void digest_word(struct digest *d, uint64_t w)
{
    d->h = (d->h ^ w) * 0x100000001b3ull;
    d->h ^= d->h >> 29;
}

static void digest_add(struct digest *d, const uint8_t *b, size_t len)
{
    d->n += len;
    while (len && d->tlen) {
        d->tail[d->tlen++] = *b++;
        len--;
        if (d->tlen == 8) {
            uint64_t w;
            memcpy(&w, d->tail, 8);
            digest_word(d, w);
            d->tlen = 0;
        }
    }
    for (; len >= 8; b += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        digest_word(d, w);
    }
    while (len--)
        d->tail[d->tlen++] = *b++;
}

static uint64_t digest_final(const struct digest *d)
{
    struct digest c = *d;
    for (unsigned i = 0; i < c.tlen; i++)
        digest_word(&c, c.tail[i] | (uint64_t)(i + 1) << 56);
    digest_word(&c, c.n);
    return c.h;
}

/* One direction: a pseudo-random stream (xorshift64*) and its digests. */
struct stream {
    struct synack_stack *from, *to;
    int sd_from, sd_to;
    uint64_t total, sent, received;
    uint64_t rng;
    uint8_t stage[CHUNK];
    size_t stage_off, stage_len; /* generated, not yet accepted by send() */
    struct digest dsent, drecv;
    bool eof;
};

static void stream_init(struct stream *s, struct pair *p, int from, int sd_from, int sd_to,
                        uint64_t seed, uint64_t total)
{
    memset(s, 0, sizeof *s);
    s->from = p->st[from];
    s->to = p->st[1 - from];
    s->sd_from = sd_from;
    s->sd_to = sd_to;
    s->total = total;
    s->rng = seed;
    digest_init(&s->dsent);
    digest_init(&s->drecv);
}

static void stream_refill(struct stream *s)
{
    uint64_t left = s->total - s->sent;
    size_t n = left < CHUNK ? (size_t)left : CHUNK;
    for (size_t i = 0; i < n; i += 8) {
        s->rng ^= s->rng >> 12;
        s->rng ^= s->rng << 25;
        s->rng ^= s->rng >> 27;
        uint64_t w = s->rng * 0x2545f4914f6cdd1dull;
        memcpy(s->stage + i, &w, 8);
    }
    s->stage_off = 0;
    s->stage_len = n;
}

/* How a run goes: the link, and how the applications and the driver
 * behave. */
struct scenario {
    struct synack_memlink_config link;
    uint64_t total;       /* octets each way */
    int rcvbuf;           /* SO_RCVBUF of both ends (0: default) */
    size_t read_max;      /* octets an application reads per read_every (0: all) */
    uint64_t read_every;
    bool batch;           /* hand over what arrives together in one batch (MUST-59) */
};

/* The sending application: send what fits. */
static void stream_send(struct stream *s, uint64_t now)
{
    while (s->sent < s->total) {
        if (s->stage_len == 0)
            stream_refill(s);
        ssize_t r = synack_socket_send(s->from, s->sd_from, s->stage + s->stage_off,
                                       s->stage_len, 0, now);
        if (r == -EAGAIN)
            break;
        if (r <= 0)
            fail_msg("send: %zd after %llu octets", r, (unsigned long long)s->sent);
        digest_add(&s->dsent, s->stage + s->stage_off, (size_t)r);
        s->stage_off += (size_t)r;
        s->stage_len -= (size_t)r;
        s->sent += (uint64_t)r;
    }
}

/* Both applications: send what fits, read what came (at most `max`, 0:
 * all of it). */
static void stream_pump(struct stream *s, uint64_t now, size_t max)
{
    stream_send(s, now);
    static uint8_t buf[CHUNK];
    size_t left = max ? max : (size_t)-1;
    while (left) {
        ssize_t r = synack_socket_recv(s->to, s->sd_to, buf, left < CHUNK ? left : CHUNK, 0,
                                       now);
        if (r == -EAGAIN)
            break;
        if (r < 0)
            fail_msg("recv: %zd after %llu octets", r, (unsigned long long)s->received);
        if (r == 0) {
            s->eof = true;
            break;
        }
        digest_add(&s->drecv, buf, (size_t)r);
        s->received += (uint64_t)r;
        left -= (size_t)r;
    }
}

static struct synack_stack *batch_to[2];

static void deliver(void *ctx, int to, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)ctx;
    synack_stack_input(batch_to[to], pkt, len, now);
}

/* pair_step, with everything due at once handed over in one batch. */
static bool step_batched(struct pair *p, uint64_t limit)
{
    uint64_t t = synack_memlink_deadline(p->link);
    for (int i = 0; i < 2; i++) {
        uint64_t d = synack_stack_deadline(p->st[i]);
        t = d < t ? d : t;
    }
    if (t == SYNACK_TIME_NEVER || t > limit)
        return false;
    if (t > p->now)
        p->now = t;
    batch_to[0] = p->st[0];
    batch_to[1] = p->st[1];
    for (int i = 0; i < 2; i++)
        synack_stack_batch_begin(p->st[i]);
    synack_memlink_deliver(p->link, p->now, deliver, NULL);
    for (int i = 0; i < 2; i++)
        synack_stack_batch_end(p->st[i], p->now);
    for (int i = 0; i < 2; i++)
        synack_stack_poll(p->st[i], p->now);
    return true;
}

/* Both ways at once until both streams are complete; then the checks. */
static void run(const struct scenario *sc)
{
    struct pair p;
    struct synack_config c;
    synack_config_default(&c);
    if (sc->rcvbuf)
        c.rcvbuf = (uint32_t)sc->rcvbuf;
    assert_int_equal(pair_init(&p, &c, &sc->link), 0);
    int srv, cli;
    assert_true(pair_connect(&p, PORT, &srv, &cli) >= 0);
    static struct stream s[2];
    stream_init(&s[0], &p, 1, cli, srv, 0x1234567u, sc->total);
    stream_init(&s[1], &p, 0, srv, cli, 0x89abcdefu, sc->total);
    uint64_t t0 = p.now, next_read = p.now;
    for (;;) {
        size_t max = 0; /* all */
        if (sc->read_every && p.now < next_read) {
            for (int i = 0; i < 2; i++)
                stream_send(&s[i], p.now);
        } else {
            if (sc->read_every) {
                max = sc->read_max;
                next_read = p.now + sc->read_every;
            }
            for (int i = 0; i < 2; i++)
                stream_pump(&s[i], p.now, max);
        }
        if (s[0].received == sc->total && s[1].received == sc->total)
            break;
        uint64_t limit = sc->read_every ? next_read : t0 + 100000 * SYNACK_SEC;
        bool stepped = sc->batch ? step_batched(&p, limit) : pair_step(&p, limit);
        if (!stepped && sc->read_every)
            p.now = next_read;
        else if (!stepped)
            fail_msg("stalled: %llu and %llu of %llu octets",
                     (unsigned long long)s[0].received, (unsigned long long)s[1].received,
                     (unsigned long long)sc->total);
        if (p.now - t0 > 100000 * SYNACK_SEC)
            fail_msg("no end after 100000 s of virtual time");
    }
    const struct synack_memlink_stats *ls = synack_memlink_stats(p.link);
    uint64_t caught = 0, rtx = 0, probes = 0;
    for (int i = 0; i < 2; i++) {
        const struct synack_counters *k = synack_stack_counters(p.st[i]);
        caught += k->ip_drop_checksum + k->ip_drop_malformed + k->tcp_drop_checksum +
                  k->tcp_drop_malformed;
        rtx += k->tcp_retransmits + k->tcp_fast_retransmits;
        probes += k->tcp_window_probes;
        assert_int_equal(k->tcp_conn_reset, 0);
        assert_int_equal(k->tcp_conn_timeout, 0);
    }
    print_message("lossy: 2 x %.1f MiB in %.1f s virtual; link: %llu sent, %llu lost, %llu "
                  "duplicated, %llu reordered, %llu corrupted; %llu retransmissions, %llu "
                  "window probes\n",
                  (double)sc->total / MIB, (double)(p.now - t0) / 1e6,
                  (unsigned long long)ls->sent, (unsigned long long)ls->lost,
                  (unsigned long long)ls->duplicated, (unsigned long long)ls->reordered,
                  (unsigned long long)ls->corrupted, (unsigned long long)rtx,
                  (unsigned long long)probes);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(s[i].dsent.n, sc->total);
        assert_int_equal(s[i].drecv.n, sc->total);
        assert_int_equal(digest_final(&s[i].drecv), digest_final(&s[i].dsent));
    }
    assert_int_equal(caught, ls->corrupted); /* every flipped bit caught (MUST-3) */
    assert_true(ls->lost > 0 && ls->duplicated > 0 && ls->reordered > 0);
    assert_true(rtx > 0);
    pair_free(&p);
}

/* 100 MiB each way over 5% loss, 2% duplication, 5% reordering and 1%
 * corruption, 5 ms each way at 1 Gbit/s: identical, complete. */
static void test_lossy_link_both_ways_arrives_identical(void **state)
{
    (void)state;
    struct scenario sc = {
        .link = {.seed = 4, .loss = 0.05, .duplicate = 0.02, .reorder = 0.05, .corrupt = 0.01,
                 .delay = 5 * SYNACK_MSEC, .rate_bps = 1000000000ull},
        .total = LOSSY_TOTAL,
    };
    run(&sc);
}

/* The same link without a rate limit, so packets arrive in bursts handed
 * over as batches (MUST-58, MUST-59), with 16 KiB receive buffers and
 * applications that read 16 KiB every 2 s, slower than the link:
 * zero windows, probes and window updates, all under loss. */
static void test_lossy_link_with_batches_and_slow_readers(void **state)
{
    (void)state;
    struct scenario sc = {
        .link = {.seed = 9, .loss = 0.05, .duplicate = 0.02, .reorder = 0.05, .corrupt = 0.01,
                 .delay = 5 * SYNACK_MSEC},
        .total = 1 * MIB,
        .rcvbuf = 16384,
        .read_max = 16384,
        .read_every = 2 * SYNACK_SEC,
        .batch = true,
    };
    run(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lossy_link_both_ways_arrives_identical),
        cmocka_unit_test(test_lossy_link_with_batches_and_slow_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

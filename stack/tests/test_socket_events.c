/* Readiness as a list (synack_socket_watch, synack_stack_events): only
 * watched sockets are reported, level- or edge-triggered, fairly when more
 * are ready than asked for; accepted sockets start unwatched; a closed
 * handle is forgotten; bad arguments get their errno. Two stacks over the
 * memory link (support/pair.h). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "support/pair.h"

#define PORT 7000

static int events_of(struct synack_stack *s, int sd, struct synack_event *ev, int n, int *count)
{
    *count = 0;
    int bits = 0;
    for (int i = 0; i < n; i++)
        if (ev[i].sd == sd) {
            bits |= ev[i].events;
            (*count)++;
        }
    (void)s;
    return bits;
}

static void test_only_watched_sockets_are_reported(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    int srv, cli, marker;
    int lsd = pair_connect(&p, PORT, &srv, &cli);
    assert_true(lsd >= 0);
    struct synack_event ev[8];
    /* nothing watched: nothing reported, though the client can write */
    assert_true(synack_socket_events(p.st[1], cli) & SYNACK_POLLOUT);
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0);
    assert_int_equal(synack_socket_watch(p.st[1], cli, SYNACK_POLLOUT, &marker), 0);
    int n = synack_stack_events(p.st[1], ev, 8);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].sd, cli);
    assert_int_equal(ev[0].events, SYNACK_POLLOUT);
    assert_ptr_equal(ev[0].user, &marker);
    /* level-triggered: reported again while it stays ready */
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 1);
    /* watching for POLLIN only: no data yet, nothing */
    assert_int_equal(synack_socket_watch(p.st[1], cli, SYNACK_POLLIN, NULL), 0);
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0);
    /* data from the server makes it readable */
    assert_int_equal(synack_socket_send(p.st[0], srv, "hello", 5, 0, p.now), 5);
    while (pair_step(&p, p.now + SYNACK_SEC) && !(synack_socket_events(p.st[1], cli) & SYNACK_POLLIN))
        ;
    n = synack_stack_events(p.st[1], ev, 8);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].events, SYNACK_POLLIN);
    /* events 0 stops the watch */
    assert_int_equal(synack_socket_watch(p.st[1], cli, 0, NULL), 0);
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0);
    pair_free(&p);
}

static void test_edge_triggered_reports_changes_only(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    int srv, cli;
    assert_true(pair_connect(&p, PORT, &srv, &cli) >= 0);
    struct synack_event ev[8];
    assert_int_equal(synack_socket_watch(p.st[1], cli, SYNACK_POLLIN | SYNACK_WATCH_EDGE, NULL), 0);
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0);
    assert_int_equal(synack_socket_send(p.st[0], srv, "abc", 3, 0, p.now), 3);
    while (pair_step(&p, p.now + SYNACK_SEC))
        ;
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 1);
    /* unread data: not reported again */
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0);
    uint8_t b[8];
    assert_int_equal(synack_socket_recv(p.st[1], cli, b, sizeof b, 0, p.now), 3);
    /* drained by the application, then more data: reported, though the
     * ready bits are the same as at the last report */
    assert_int_equal(synack_socket_send(p.st[0], srv, "de", 2, 0, p.now), 2);
    while (pair_step(&p, p.now + SYNACK_SEC))
        ;
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 1);
    assert_int_equal(synack_socket_recv(p.st[1], cli, b, sizeof b, 0, p.now), 2);
    assert_int_equal(synack_stack_events(p.st[1], ev, 8), 0); /* not ready: nothing to say */
    /* the peer's FIN: readable again (end of stream), and POLLRDHUP not watched */
    assert_int_equal(synack_socket_close(p.st[0], srv, p.now), 0);
    while (pair_step(&p, p.now + SYNACK_SEC))
        ;
    int count;
    int bits = events_of(p.st[1], cli, ev, synack_stack_events(p.st[1], ev, 8), &count);
    assert_int_equal(count, 1);
    assert_int_equal(bits, SYNACK_POLLIN);
    assert_int_equal(synack_socket_recv(p.st[1], cli, b, sizeof b, 0, p.now), 0);
    pair_free(&p);
}

static void test_listener_watch_is_not_inherited_and_close_forgets(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    int lsd = synack_socket(p.st[0]);
    assert_int_equal(synack_socket_bind(p.st[0], lsd, 0, PORT), 0);
    assert_int_equal(synack_socket_listen(p.st[0], lsd, 8), 0);
    int tag;
    assert_int_equal(synack_socket_watch(p.st[0], lsd, SYNACK_POLLIN, &tag), 0);
    int cli = synack_socket(p.st[1]);
    assert_int_equal(synack_socket_connect(p.st[1], cli, PAIR_ADDR0, PORT, p.now), -EINPROGRESS);
    struct synack_event ev[8];
    int n = 0;
    while (n == 0 && pair_step(&p, p.now + SYNACK_SEC))
        n = synack_stack_events(p.st[0], ev, 8);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].sd, lsd);
    assert_ptr_equal(ev[0].user, &tag);
    int srv = synack_socket_accept(p.st[0], lsd, NULL, NULL);
    assert_true(srv >= 0);
    /* the accepted socket is writable but unwatched; the queue is empty */
    assert_true(synack_socket_events(p.st[0], srv) & SYNACK_POLLOUT);
    assert_int_equal(synack_stack_events(p.st[0], ev, 8), 0);
    /* a closed handle is forgotten, and a new socket on it starts unwatched */
    assert_int_equal(synack_socket_watch(p.st[0], srv, SYNACK_POLLOUT, NULL), 0);
    assert_int_equal(synack_stack_events(p.st[0], ev, 8), 1);
    assert_int_equal(synack_socket_abort(p.st[0], srv, p.now), 0);
    assert_int_equal(synack_stack_events(p.st[0], ev, 8), 0);
    int again = synack_socket(p.st[0]);
    assert_int_equal(again, srv); /* the lowest free handle */
    assert_int_equal(synack_stack_events(p.st[0], ev, 8), 0);
    pair_free(&p);
}

/* Many sockets ready, a small max: every one is reported within a few calls. */
static void test_small_max_is_fair(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    enum { N = 10 };
    int sd[N], seen[N] = {0};
    for (int i = 0; i < N; i++) {
        sd[i] = synack_socket(p.st[1]);
        assert_true(sd[i] >= 0);
        /* a new socket is not connected: POLLHUP, always reported */
        assert_int_equal(synack_socket_watch(p.st[1], sd[i], SYNACK_POLLIN, NULL), 0);
    }
    struct synack_event ev[3];
    for (int round = 0; round < 4; round++) {
        int n = synack_stack_events(p.st[1], ev, 3);
        assert_true(n >= 1 && n <= 3);
        for (int k = 0; k < n; k++) {
            assert_true(ev[k].events & SYNACK_POLLHUP);
            seen[ev[k].sd - sd[0]]++;
        }
    }
    for (int i = 0; i < N; i++)
        assert_true(seen[i] >= 1);
    pair_free(&p);
}

/* Unwatching takes a socket off in O(1) (the last entry takes its place):
 * after closes and unwatches in an order that moves entries around, the
 * others are each still reported once, and the usage counts them. */
static void test_unwatch_keeps_the_others(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    enum { N = 6 };
    int sd[N];
    for (int i = 0; i < N; i++) {
        sd[i] = synack_socket(p.st[1]);
        assert_int_equal(synack_socket_watch(p.st[1], sd[i], SYNACK_POLLIN, NULL), 0);
    }
    assert_int_equal(synack_socket_close(p.st[1], sd[0], p.now), 0); /* sd[5] moves first */
    assert_int_equal(synack_socket_watch(p.st[1], sd[5], 0, NULL), 0); /* the moved one */
    assert_int_equal(synack_socket_close(p.st[1], sd[2], p.now), 0);
    assert_int_equal(synack_socket_watch(p.st[1], sd[2 + 1], 0, NULL), 0);
    assert_int_equal(synack_socket_watch(p.st[1], sd[3], SYNACK_POLLIN, NULL), 0); /* back */
    struct synack_event ev[N];
    int n = synack_stack_events(p.st[1], ev, N);
    assert_int_equal(n, 3);
    int seen[N] = {0};
    for (int k = 0; k < n; k++)
        seen[ev[k].sd - sd[0]]++;
    assert_int_equal(seen[1] + seen[3] + seen[4], 3);
    assert_int_equal(seen[1] * seen[3] * seen[4], 1);
    struct synack_stack_usage u;
    assert_int_equal(synack_stack_usage(p.st[1], &u), 0);
    assert_int_equal(u.watched, 3);
    assert_int_equal(u.sockets, 4);
    assert_int_equal(synack_stack_usage(NULL, &u), -EINVAL);
    pair_free(&p);
}

/* Step the pair until stack st reports sd (with bits) or limit passes. */
static int wait_event(struct pair *p, int st, int sd, uint64_t limit)
{
    struct synack_event ev[64];
    do {
        int n = synack_stack_events(p->st[st], ev, 64);
        for (int i = 0; i < n; i++)
            if (ev[i].sd == sd)
                return ev[i].events;
            else
                fail_msg("socket %d reported (0x%x), not %d", ev[i].sd, ev[i].events, sd);
    } while (pair_step(p, limit));
    return 0;
}

/* The stack looks only at sockets something happened to (the touched
 * list): among idle watched connections, each way a socket becomes ready
 * without a call of its own is reported, and nothing else: a segment
 * (data sent and acknowledged: POLLOUT back; the peer's RST), the
 * handshake a socket watched before connect() completes, a timer (a
 * connection given up after R2). */
static void test_what_the_stack_does_is_reported(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    enum { IDLE = 20 };
    int srv[IDLE], cli[IDLE];
    for (int i = 0; i < IDLE; i++) {
        assert_true(pair_connect(&p, (uint16_t)(PORT + 1 + i), &srv[i], &cli[i]) >= 0);
        assert_int_equal(synack_socket_watch(p.st[0], srv[i], SYNACK_POLLIN, NULL), 0);
        assert_int_equal(synack_socket_watch(p.st[1], cli[i], SYNACK_POLLIN, NULL), 0);
    }
    int s0, c0;
    assert_true(pair_connect(&p, PORT, &s0, &c0) >= 0);
    /* the send buffer full, POLLOUT watched: back when the peer reads */
    static char big[64 * 1024];
    while (synack_socket_send(p.st[1], c0, big, sizeof big, 0, p.now) > 0)
        while (pair_step(&p, p.now + SYNACK_SEC))
            ;
    assert_int_equal(synack_socket_watch(p.st[1], c0, SYNACK_POLLOUT, NULL), 0);
    struct synack_event ev[64];
    assert_int_equal(synack_stack_events(p.st[1], ev, 64), 0);
    while (synack_socket_recv(p.st[0], s0, big, sizeof big, 0, p.now) > 0)
        ;
    assert_int_equal(wait_event(&p, 1, c0, p.now + 5 * SYNACK_SEC), SYNACK_POLLOUT);
    /* the peer's RST */
    assert_int_equal(synack_socket_watch(p.st[0], s0, SYNACK_POLLIN, NULL), 0);
    while (synack_socket_recv(p.st[0], s0, big, sizeof big, 0, p.now) > 0)
        ;
    assert_int_equal(synack_stack_events(p.st[0], ev, 64), 0);
    assert_int_equal(synack_socket_abort(p.st[1], c0, p.now), 0);
    assert_true(wait_event(&p, 0, s0, p.now + SYNACK_SEC) & SYNACK_POLLERR);
    assert_int_equal(synack_socket_close(p.st[0], s0, p.now), 0);
    /* watched before connect(): the handshake's end is reported */
    int c1 = synack_socket(p.st[1]);
    assert_int_equal(synack_socket_watch(p.st[1], c1, SYNACK_POLLOUT, NULL), 0);
    assert_int_equal(synack_socket_connect(p.st[1], c1, PAIR_ADDR0, PORT + 1, p.now),
                     -EINPROGRESS);
    assert_int_equal(synack_stack_events(p.st[1], ev, 64), 0); /* SYN-SENT: nothing yet */
    assert_int_equal(wait_event(&p, 1, c1, p.now + SYNACK_SEC), SYNACK_POLLOUT);
    assert_int_equal(synack_socket_watch(p.st[1], c1, 0, NULL), 0);
    /* a timer: a SYN nobody answers (no listener's stack: the address is
     * not 0's), given up after R2 */
    int c2 = synack_socket(p.st[1]);
    assert_int_equal(synack_socket_watch(p.st[1], c2, SYNACK_POLLOUT, NULL), 0);
    assert_int_equal(synack_socket_connect(p.st[1], c2, 0xc0000263u, 80, p.now), -EINPROGRESS);
    assert_true(wait_event(&p, 1, c2, p.now + 300 * SYNACK_SEC) & SYNACK_POLLERR);
    pair_free(&p);
}

/* A listener looked at (not ready) before the handshake ends is reported
 * when the connection joins its accept queue: over a link with a delay, so
 * that the SYN and the ACK arrive in different steps. */
static void test_listener_reported_when_a_connection_arrives(void **state)
{
    (void)state;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = 10 * SYNACK_MSEC;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, &lc), 0);
    int lsd = synack_socket(p.st[0]);
    assert_int_equal(synack_socket_bind(p.st[0], lsd, 0, PORT), 0);
    assert_int_equal(synack_socket_listen(p.st[0], lsd, 8), 0);
    assert_int_equal(synack_socket_watch(p.st[0], lsd, SYNACK_POLLIN, NULL), 0);
    struct synack_event ev[4];
    assert_int_equal(synack_stack_events(p.st[0], ev, 4), 0);
    int cli = synack_socket(p.st[1]);
    assert_int_equal(synack_socket_connect(p.st[1], cli, PAIR_ADDR0, PORT, p.now), -EINPROGRESS);
    int steps = 0;
    while (pair_step(&p, p.now + SYNACK_SEC) && synack_stack_events(p.st[0], ev, 4) == 0)
        steps++;
    assert_true(steps >= 1); /* the SYN came in a step of its own */
    assert_int_equal(ev[0].sd, lsd);
    assert_int_equal(ev[0].events, SYNACK_POLLIN);
    pair_free(&p);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct pair p;
    assert_int_equal(pair_init(&p, NULL, NULL), 0);
    int sd = synack_socket(p.st[0]);
    struct synack_event ev[1];
    assert_int_equal(synack_socket_watch(p.st[0], 999, SYNACK_POLLIN, NULL), -EBADF);
    assert_int_equal(synack_socket_watch(p.st[0], -1, SYNACK_POLLIN, NULL), -EBADF);
    assert_int_equal(synack_socket_watch(p.st[0], sd, 0x100000, NULL), -EINVAL);
    assert_int_equal(synack_stack_events(p.st[0], NULL, 4), -EINVAL);
    assert_int_equal(synack_stack_events(p.st[0], ev, 0), 0);
    assert_int_equal(synack_stack_events(NULL, ev, 1), -EINVAL);
    pair_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_watched_sockets_are_reported),
        cmocka_unit_test(test_edge_triggered_reports_changes_only),
        cmocka_unit_test(test_listener_watch_is_not_inherited_and_close_forgets),
        cmocka_unit_test(test_small_max_is_fair),
        cmocka_unit_test(test_unwatch_keeps_the_others),
        cmocka_unit_test(test_what_the_stack_does_is_reported),
        cmocka_unit_test(test_listener_reported_when_a_connection_arrives),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

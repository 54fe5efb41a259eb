/* The loop helper (synack/loop.h): how a run ends (stopped, idle, past its
 * limit), callbacks get only their stack's ready sockets at the turn's
 * time, and its limits. Two stacks over the memory link. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>

#include <cmocka.h>

#include <synack/synack.h>

#define A 0xc0000201u
#define B 0xc0000202u

struct seen {
    struct synack_stack *expect;
    int calls, accepted;
    uint64_t last_now;
    struct synack_loop *stop_at_accept;
};

static void on_events(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    struct seen *w = ctx;
    assert_ptr_equal(s, w->expect);
    assert_true(n >= 1);
    assert_true(now >= w->last_now);
    w->last_now = now;
    w->calls++;
    for (size_t i = 0; i < n; i++)
        if (synack_socket_accept(s, ev[i].sd, NULL, NULL) >= 0) {
            w->accepted++;
            if (w->stop_at_accept)
                synack_loop_stop(w->stop_at_accept);
        }
}

static struct synack_stack *stack_on(struct synack_memlink *l, int end, uint32_t addr)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    struct synack_link link = synack_memlink_end(l, end);
    int e;
    struct synack_stack *s = synack_stack_new(&c, &link, &e);
    assert_non_null(s);
    return s;
}

static void test_run_ends_stopped_idle_or_at_its_limit(void **state)
{
    (void)state;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = 5 * SYNACK_MSEC;
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct synack_stack *a = stack_on(l, 0, A), *b = stack_on(l, 1, B);
    struct synack_loop *lp = synack_loop_new();
    struct seen sa = {.expect = a}, sb = {.expect = b, .stop_at_accept = lp};
    assert_int_equal(synack_loop_add_stack(lp, a, on_events, &sa), 0);
    assert_int_equal(synack_loop_add_stack(lp, b, on_events, &sb), 0);
    synack_loop_set_memlink(lp, l);
    uint64_t now = 0;
    /* nothing scheduled at all: idle at once */
    assert_int_equal(synack_loop_run(lp, &now, SYNACK_SEC), SYNACK_LOOP_IDLE);
    int lsd = synack_socket(b);
    assert_int_equal(synack_socket_bind(b, lsd, 0, 80), 0);
    assert_int_equal(synack_socket_listen(b, lsd, 4), 0);
    assert_int_equal(synack_socket_watch(b, lsd, SYNACK_POLLIN, NULL), 0);
    int csd = synack_socket(a);
    assert_int_equal(synack_socket_connect(a, csd, B, 80, now), -EINPROGRESS);
    /* a limit before the SYN arrives (5 ms): the run stops short */
    assert_int_equal(synack_loop_run(lp, &now, 2 * SYNACK_MSEC), SYNACK_LOOP_LIMIT);
    assert_int_equal(sb.accepted, 0);
    /* the server's callback accepts and stops the loop */
    assert_int_equal(synack_loop_run(lp, &now, 10 * SYNACK_SEC), SYNACK_LOOP_STOPPED);
    assert_int_equal(sb.accepted, 1);
    assert_int_equal(now, 15 * SYNACK_MSEC); /* SYN in at 5 ms, SYN-ACK at 10, ACK at 15 */
    assert_int_equal(sa.calls, 0); /* the client watches nothing */
    synack_loop_free(lp);
    synack_stack_free(a);
    synack_stack_free(b);
    synack_memlink_free(l);
}

/* A callback that accepts a connection and watches it is handed the data
 * that came with the handshake's ACK in the same turn, not at the next
 * deadline: the loop asks again while a call finds sockets ready. */
struct server {
    int lsd, marker;
    uint64_t accepted_at, data_at;
    struct synack_loop *lp;
};

static void on_server(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    struct server *sv = ctx;
    for (size_t i = 0; i < n; i++) {
        char b[8];
        if (ev[i].sd == sv->lsd) {
            int sd = synack_socket_accept(s, sv->lsd, NULL, NULL);
            assert_true(sd >= 0);
            assert_int_equal(synack_socket_watch(s, sd, SYNACK_POLLIN, &sv->marker), 0);
            sv->accepted_at = now;
        } else if (ev[i].user == &sv->marker &&
                   synack_socket_recv(s, ev[i].sd, b, sizeof b, 0, now) == 2) {
            sv->data_at = now;
            synack_loop_stop(sv->lp);
        }
    }
}

static void test_a_socket_accepted_in_a_turn_is_handed_in_that_turn(void **state)
{
    (void)state;
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = 5 * SYNACK_MSEC;
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct synack_stack *a = stack_on(l, 0, A), *b = stack_on(l, 1, B);
    struct synack_loop *lp = synack_loop_new();
    struct server sv = {.lp = lp};
    assert_int_equal(synack_loop_add_stack(lp, a, NULL, NULL), 0);
    assert_int_equal(synack_loop_add_stack(lp, b, on_server, &sv), 0);
    synack_loop_set_memlink(lp, l);
    sv.lsd = synack_socket(b);
    assert_int_equal(synack_socket_bind(b, sv.lsd, 0, 80), 0);
    assert_int_equal(synack_socket_listen(b, sv.lsd, 4), 0);
    assert_int_equal(synack_socket_watch(b, sv.lsd, SYNACK_POLLIN, NULL), 0);
    uint64_t now = 0;
    int csd = synack_socket(a);
    assert_int_equal(synack_socket_connect(a, csd, B, 80, now), -EINPROGRESS);
    assert_int_equal(synack_socket_send(a, csd, "hi", 2, 0, now), 2); /* goes with the ACK */
    assert_int_equal(synack_loop_run(lp, &now, 10 * SYNACK_SEC), SYNACK_LOOP_STOPPED);
    assert_int_equal(sv.accepted_at, 15 * SYNACK_MSEC);
    assert_int_equal(sv.data_at, sv.accepted_at);
    synack_loop_free(lp);
    synack_stack_free(a);
    synack_stack_free(b);
    synack_memlink_free(l);
}

static void test_limits_and_bad_arguments(void **state)
{
    (void)state;
    struct synack_memlink *l = synack_memlink_new(NULL);
    struct synack_stack *a = stack_on(l, 0, A);
    struct synack_loop *lp = synack_loop_new();
    assert_int_equal(synack_loop_add_stack(lp, NULL, NULL, NULL), -EINVAL);
    for (int i = 0; i < SYNACK_LOOP_MAX_STACKS; i++)
        assert_int_equal(synack_loop_add_stack(lp, a, NULL, NULL), 0);
    assert_int_equal(synack_loop_add_stack(lp, a, NULL, NULL), -ENOSPC);
    assert_int_equal(synack_loop_turn(lp, 0), SYNACK_TIME_NEVER);
    synack_loop_free(lp);
    /* a memory link out of range is refused */
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.loss = 1.5;
    assert_int_equal(synack_memlink_config_check(&lc), -EINVAL);
    assert_null(synack_memlink_new(&lc));
    lc.loss = 0.5;
    assert_int_equal(synack_memlink_config_check(&lc), 0);
    synack_stack_free(a);
    synack_memlink_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_ends_stopped_idle_or_at_its_limit),
        cmocka_unit_test(test_a_socket_accepted_in_a_turn_is_handed_in_that_turn),
        cmocka_unit_test(test_limits_and_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

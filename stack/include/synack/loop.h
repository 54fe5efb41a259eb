/* synack/loop.h: the main loop of a program over synack, so it need not
 * work out the dance itself. Each turn:
 *
 *   1. deliver what the link has due (the memory link, or the TUN device),
 *   2. run each stack's due timers (synack_stack_poll),
 *   3. hand each stack's ready watched sockets (synack_stack_events) to the
 *      application's callback, which does its work (accept, recv, send...);
 *      calls of up to SYNACK_LOOP_MAX_EVENTS while one finds any (a socket
 *      the callback accepted and watched is handed in the same turn), at
 *      most SYNACK_LOOP_MAX_ROUNDS, so a turn handles what a burst made ready,
 *   4. jump (virtual clock) or sleep (real clock) to the earliest deadline
 *      of the link and the stacks.
 *
 *     struct synack_loop *lp = synack_loop_new();
 *     synack_loop_add_stack(lp, client, on_client, &app);   // end 0 of the link
 *     synack_loop_add_stack(lp, server, on_server, &app);   // end 1
 *     synack_loop_set_memlink(lp, link);
 *     uint64_t now = 0;
 *     synack_loop_run(lp, &now, 600 * SYNACK_SEC);  // until a callback calls synack_loop_stop
 *
 * The callbacks get the sockets the application watches
 * (synack_socket_watch, <synack/socket.h>); their calls take the `now`
 * they are given. The loop is outside the sans-I/O core: on a memory link
 * it only moves a virtual clock; over TUN (synack_loop_run_tun) it sleeps
 * in ppoll(2) and reads the real clock (synack_clock_now).
 */
#ifndef SYNACK_LOOP_H
#define SYNACK_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include <synack/link_mem.h>
#include <synack/socket.h>
#include <synack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYNACK_LOOP_MAX_STACKS 16
#define SYNACK_LOOP_MAX_EVENTS 64 /* handed to a callback per call */
#define SYNACK_LOOP_MAX_ROUNDS 16 /* calls per stack and turn, while one finds any */

struct synack_loop;
struct synack_tun;

/* The ready watched sockets of stack s at `now` (n >= 1). */
typedef void (*synack_loop_fn)(void *ctx, struct synack_stack *s, const struct synack_event *ev,
                               size_t n, uint64_t now);

/* NULL when out of memory. */
struct synack_loop *synack_loop_new(void);
void synack_loop_free(struct synack_loop *lp);
/* Add a stack; fn (may be NULL) gets its events. 0, or -ENOSPC past
 * SYNACK_LOOP_MAX_STACKS, -EINVAL for a NULL stack. */
int synack_loop_add_stack(struct synack_loop *lp, struct synack_stack *s, synack_loop_fn fn,
                          void *ctx);
/* The memory link between the first two stacks added (end 0 to the
 * first). */
void synack_loop_set_memlink(struct synack_loop *lp, struct synack_memlink *link);
/* One turn at `now` (steps 1 to 3). Returns the earliest deadline after
 * it, or SYNACK_TIME_NEVER when nothing is scheduled. */
uint64_t synack_loop_turn(struct synack_loop *lp, uint64_t now);
/* Make synack_loop_run or synack_loop_run_tun return after this turn. */
void synack_loop_stop(struct synack_loop *lp);

enum synack_loop_end {
    SYNACK_LOOP_STOPPED = 0, /* synack_loop_stop was called */
    SYNACK_LOOP_IDLE = 1,    /* nothing is scheduled: nothing will ever happen */
    SYNACK_LOOP_LIMIT = 2,   /* the next deadline is past `until` */
};
/* Virtual clock: turns from *now, jumping to each deadline, until stopped,
 * idle, or past `until`; *now is the time of the last turn. */
enum synack_loop_end synack_loop_run(struct synack_loop *lp, uint64_t *now, uint64_t until);
/* Real clock, the first stack over a TUN device (synack_tun_run): turns
 * until stopped or until `until` (synack_clock_now() time; SYNACK_TIME_NEVER:
 * no limit). Returns a synack_loop_end, or -errno when the device fails or
 * a signal interrupts the wait (-EINTR). */
int synack_loop_run_tun(struct synack_loop *lp, struct synack_tun *t, uint64_t until);

#ifdef __cplusplus
}
#endif
#endif

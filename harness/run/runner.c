/* The runner's main loop: event times, waiting, unexpected packets, the
 * outcome. Packets are built in inbound.c, matched in outbound.c, and
 * system calls run in syscalls.c. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oracle/oracle.h"
#include "run/call.h"

#define RUN_STEP_LIMIT 50000000L /* waits per vector before declaring a stall */

static char *dupstr(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int64_t run_now(struct runner *r)
{
    return r->ops->now(r->t);
}

/* Why the target lost its stack under test (target_ops.fault), or NULL. */
static const char *target_fault(const struct runner *r)
{
    return r->t && r->ops->fault ? r->ops->fault(r->t) : NULL;
}

static void set_outcome(struct runner *r, enum result_status st, const struct script_event *ev,
                        const char *field, const char *expected, const char *actual,
                        int64_t t_exp, int64_t t_act, const char *msg)
{
    struct vector_result *v = r->res;
    const char *fault = target_fault(r);
    if (fault && st != RESULT_SKIP) {
        /* a crash or hang explains whatever went wrong after it */
        st = RESULT_ERROR;
        ev = ev ? ev : r->current;
        field = expected = actual = NULL;
        t_exp = t_act = -1;
        msg = fault;
    }
    r->failed = true;
    v->status = st;
    char line[1200];
    if (ev)
        snprintf(line, sizeof line, "line %u: %s", ev->line, msg);
    else
        snprintf(line, sizeof line, "%s", msg);
    v->message = dupstr(line);
    v->fail_line = ev ? ev->line : 0;
    v->fail_field = dupstr(field);
    v->expected = dupstr(expected);
    v->actual = dupstr(actual);
    v->t_expected = t_exp;
    v->t_actual = t_act;
}

void run_fail(struct runner *r, const struct script_event *ev, const char *field,
              const char *expected, const char *actual, int64_t t_exp, int64_t t_act,
              const char *fmt, ...)
{
    if (r->failed)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_outcome(r, RESULT_FAIL, ev, field, expected, actual, t_exp, t_act, msg);
}

void run_error(struct runner *r, const struct script_event *ev, const char *fmt, ...)
{
    if (r->failed)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_outcome(r, RESULT_ERROR, ev, NULL, NULL, NULL, -1, -1, msg);
}

void run_strict(struct runner *r, const struct script_event *ev, const char *field,
                const char *actual, int64_t when, const char *fmt, ...)
{
    struct strict_note *n = &r->strict;
    if (n->set)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->message, sizeof n->message, fmt, ap);
    va_end(ap);
    n->set = true;
    n->line = ev ? ev->line : 0;
    snprintf(n->field, sizeof n->field, "%s", field);
    snprintf(n->actual, sizeof n->actual, "%s", actual ? actual : "");
    n->when = when;
}

void run_skip(struct runner *r, const struct script_event *ev, const char *fmt, ...)
{
    if (r->failed)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_outcome(r, RESULT_SKIP, ev, NULL, NULL, NULL, -1, -1, msg);
}

void run_capture(struct runner *r, const uint8_t *pkt, size_t len, int64_t when)
{
    if (r->pcap)
        synack_pcap_write(r->pcap, pkt, len, (uint64_t)(when < 0 ? 0 : when));
}

void run_oracle(struct runner *r, const uint8_t *pkt, size_t len, int64_t when, bool from_stack)
{
    if (r->oracle)
        oracle_packet(r->oracle, pkt, len, (uint64_t)(when < 0 ? 0 : when),
                      from_stack ? ORACLE_FROM_STACK : ORACLE_FROM_PEER);
}

void run_record(struct runner *r, const uint8_t *pkt, size_t len, int64_t when, bool from_stack)
{
    run_capture(r, pkt, len, when);
    run_oracle(r, pkt, len, when, from_stack);
}

/* Take the next packet the stack sent, record it, describe it. */
static bool take_packet(struct runner *r, size_t *len, int64_t *when, char *desc, size_t n)
{
    if (!r->ops->recv(r->t, r->buf, sizeof r->buf, len, when))
        return false;
    run_record(r, r->buf, *len, *when, true);
    outbound_learn_window(r, r->buf, *len);
    outbound_describe(r, r->buf, *len, desc, n);
    return true;
}

/* Keep a packet no outbound line waits for yet: the next one takes it. */
static void hold_packet(struct runner *r, size_t len, int64_t when)
{
    if (r->held_count == RUN_HELD_MAX) {
        run_error(r, NULL, "the stack sent more than %d packets that no outbound line took",
                  RUN_HELD_MAX);
        return;
    }
    struct held_packet *h = &r->held[(r->held_head + r->held_count) % RUN_HELD_MAX];
    h->data = malloc(len ? len : 1);
    if (!h->data) {
        run_error(r, NULL, "out of memory");
        return;
    }
    memcpy(h->data, r->buf, len);
    h->len = len;
    h->when = when;
    r->held_count++;
}

/* The oldest held packet into r->buf, or the next one from the target. */
static bool next_packet(struct runner *r, size_t *len, int64_t *when, char *desc, size_t n)
{
    if (r->held_count == 0)
        return take_packet(r, len, when, desc, n);
    struct held_packet *h = &r->held[r->held_head];
    memcpy(r->buf, h->data, h->len);
    *len = h->len;
    *when = h->when;
    free(h->data);
    r->held_head = (r->held_head + 1) % RUN_HELD_MAX;
    r->held_count--;
    outbound_describe(r, r->buf, *len, desc, n);
    return true;
}

static void retry_pending(struct runner *r)
{
    if (r->pending.active && !r->failed)
        syscall_run(r, r->pending.ev);
}

/* Let the target's time pass; false (the vector's error set) if it lost
 * its stack meanwhile. */
static bool target_wait(struct runner *r, int64_t until)
{
    r->ops->wait(r->t, until);
    const char *fault = target_fault(r);
    if (fault)
        run_error(r, NULL, "%s", fault);
    return !fault;
}

/* A blocking send waiting for its handshake (pending.connecting) ends
 * when the socket leaves SYN-SENT, and one on the target's thread
 * (pending.threaded) when the kernel returns: a real-clock target does
 * not signal either when no packet says it (a SYN timeout, a delayed
 * ACK): look every millisecond, so its return is timed as the kernel's. */
#define RUN_CONNECT_POLL_US 1000

static int64_t pending_step(struct runner *r, int64_t until)
{
    if (!r->pending.active || !(r->pending.connecting || r->pending.threaded) ||
        r->ops->virtual_time)
        return until;
    int64_t next = run_now(r) + RUN_CONNECT_POLL_US;
    return next < until ? next : until;
}

bool run_advance(struct runner *r, int64_t until)
{
    for (long steps = 0; !r->failed; steps++) {
        retry_pending(r);
        size_t len;
        int64_t when;
        char desc[512];
        while (!r->failed && take_packet(r, &len, &when, desc, sizeof desc))
            hold_packet(r, len, when);
        if (r->failed || run_now(r) >= until)
            break;
        if (steps > RUN_STEP_LIMIT) {
            run_error(r, NULL, "the target made no progress (stalled timers?)");
            break;
        }
        target_wait(r, pending_step(r, until));
    }
    return !r->failed;
}

/* Packets no outbound line took: shown in the ladder; packetdrill does not
 * judge them, the strict checks do. */
static void unclaimed_packets(struct runner *r)
{
    char desc[512];
    size_t len;
    int64_t when;
    while (r->held_count > 0 && next_packet(r, &len, &when, desc, sizeof desc)) {
        vector_result_add_row(r->res, LADDER_OUTBOUND, LADDER_UNEXPECTED, 0, -1, when, NULL,
                              desc, NULL);
        run_strict(r, NULL, "packet", desc, when, "unexpected packet at %.6f s: %s", when / 1e6,
                   desc);
    }
}

/* ---- event times ---- */

struct window {
    int64_t t;      /* when the event is due */
    int64_t lo, hi; /* when an outbound packet may come */
};

/* packetdrill's tolerance for an event due `span` after the one it is
 * timed from: --tolerance_usecs, or --tolerance_percent of the span when
 * that is more. */
int64_t run_tolerance(const struct runner *r, int64_t span)
{
    int64_t pct = (int64_t)((double)(span > 0 ? span : 0) * r->tolerance_pct / 100.0);
    return pct > r->tolerance ? pct : r->tolerance;
}

static int64_t tolerance_for(const struct runner *r, int64_t t)
{
    return run_tolerance(r, t - r->last_time);
}

static bool event_window(struct runner *r, const struct script_event *ev, struct window *w)
{
    const struct script_timing *tm = &ev->time;
    int64_t base = tm->relative ? r->last_time : r->epoch;
    switch (tm->kind) {
    case SCRIPT_TIME_ANY:
        w->t = run_now(r);
        w->lo = INT64_MIN;
        w->hi = r->o->max_script_us;
        return true;
    case SCRIPT_TIME_NONE:
        w->t = w->lo = w->hi = r->last_time;
        return true;
    case SCRIPT_TIME_RELATIVE:
    case SCRIPT_TIME_ABSOLUTE:
    case SCRIPT_TIME_RANGE:
        break;
    }
    w->t = base + tm->start_usecs;
    if (w->t < r->last_time) {
        run_error(r, ev, "time goes backwards: %.6f s is before the previous event at %.6f s",
                  w->t / 1e6, r->last_time / 1e6);
        return false;
    }
    int64_t end = base + tm->end_usecs;
    int64_t tol = tolerance_for(r, end);
    w->lo = w->t - tol;
    w->hi = end + tol;
    return true;
}

/* ---- one event of each kind ---- */

static void run_inbound(struct runner *r, const struct script_event *ev, const struct window *w)
{
    if (!run_advance(r, w->t))
        return;
    size_t len;
    if (inbound_build(r, ev, &len) < 0)
        return;
    char desc[512], sent[512];
    script_packet_format(&ev->packet, desc, sizeof desc);
    inbound_describe_sent(r, &ev->packet, sent, sizeof sent);
    vector_result_add_row(r->res, LADDER_INBOUND, LADDER_OK, ev->line, w->t, run_now(r), desc,
                          sent, NULL);
    inbound_inject(r, ev, len, run_now(r));
    r->last_time = w->t;
    const struct script_packet *p = &ev->packet;
    if (p->proto == SCRIPT_PROTO_TCP && (p->flags & SYNACK_TCP_SYN) && !(p->flags & SYNACK_TCP_ACK)
        && r->sut >= 0 && r->fd_listening[r->sut])
        r->sut_child_line = ev->line; /* packetdrill's child socket, until accept() */
}

static void run_outbound(struct runner *r, const struct script_event *ev, const struct window *w)
{
    char exp[512], desc[512];
    script_packet_format(&ev->packet, exp, sizeof exp);
    for (long steps = 0; !r->failed; steps++) {
        retry_pending(r);
        size_t len;
        int64_t when;
        if (next_packet(r, &len, &when, desc, sizeof desc)) {
            if (!ev->packet.ports_given && outbound_of_left_connection(r, r->buf, len)) {
                vector_result_add_row(r->res, LADDER_OUTBOUND, LADDER_UNEXPECTED, 0, -1, when,
                                      NULL, desc, NULL);
                run_strict(r, NULL, "packet", desc, when, "unexpected packet at %.6f s (of "
                           "the connection before the socket under test): %s", when / 1e6, desc);
                continue;
            }
            if (when < w->lo) {
                vector_result_add_row(r->res, LADDER_OUTBOUND, LADDER_MISMATCH, ev->line, w->t,
                                      when, exp, desc, "time");
                run_fail(r, ev, "time", exp, desc, w->t, when,
                         "packet sent too early: at %.6f s, expected %.6f s (tolerance %.6f s)",
                         when / 1e6, w->t / 1e6, (w->t - w->lo) / 1e6);
                return;
            }
            bool ok = outbound_match(r, ev, r->buf, len, when);
            vector_result_add_row(r->res, LADDER_OUTBOUND, ok ? LADDER_OK : LADDER_MISMATCH,
                                  ev->line, w->t, when, exp, desc,
                                  ok ? NULL : r->res->fail_field);
            bool exact = ev->time.kind == SCRIPT_TIME_ABSOLUTE ||
                         ev->time.kind == SCRIPT_TIME_RELATIVE;
            r->last_time = exact ? w->t : when;
            return;
        }
        if (run_now(r) >= w->hi || steps > RUN_STEP_LIMIT) {
            vector_result_add_row(r->res, LADDER_OUTBOUND, LADDER_MISSING, ev->line, w->t, -1,
                                  exp, NULL, "packet");
            run_fail(r, ev, "packet", exp, NULL, w->t, -1,
                     "expected packet not sent by %.6f s: %s", w->hi / 1e6, exp);
            return;
        }
        target_wait(r, pending_step(r, w->hi));
    }
}

static void run_syscall_event(struct runner *r, const struct script_event *ev,
                              const struct window *w)
{
    if (!run_advance(r, w->t)) /* a blocking call before it may end meanwhile */
        return;
    /* the kernel's thread may need a moment to return from what the last
     * event did (a RST injected): give it up to RUN_CONNECT_POLL_US * 10 */
    for (int i = 0; r->pending.active && r->pending.threaded && !r->failed && i < 10; i++) {
        target_wait(r, run_now(r) + RUN_CONNECT_POLL_US);
        retry_pending(r);
    }
    if (r->pending.active) {
        run_error(r, ev, "a system call starts while the blocking call of line %u is still "
                         "running (one blocking call at a time is supported)",
                  r->pending.ev->line);
        return;
    }
    r->last_time = w->t;
    syscall_run(r, ev);
}

/* The folder of the script: a shell line's working directory. */
static void script_folder(const struct runner *r, char *out, size_t n)
{
    const char *slash = strrchr(r->s->path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else if (slash == r->s->path)
        snprintf(out, n, "/");
    else
        snprintf(out, n, "%.*s", (int)(slash - r->s->path), r->s->path);
}

/* A backquoted shell line, at its time, by the target (target_ops.shell):
 * packetdrill runs it and stops the script when it fails. */
static void run_shell_event(struct runner *r, const struct script_event *ev,
                            const struct window *w)
{
    if (!run_advance(r, w->t))
        return;
    r->last_time = w->t;
    char cwd[512], why[600] = "no way to run shell commands", exp[600];
    script_folder(r, cwd, sizeof cwd);
    int64_t started = run_now(r);
    int rc = r->ops->shell ? r->ops->shell(r->t, ev->text, cwd, why, sizeof why)
                           : TARGET_SHELL_SKIP;
    if (!r->ops->virtual_time) { /* the command's own time is not the script's */
        int64_t spent = run_now(r) - started;
        r->epoch += spent;
        r->last_time += spent;
    }
    snprintf(exp, sizeof exp, "`%s`", ev->text);
    vector_result_add_row(r->res, LADDER_SYSCALL, rc == TARGET_SHELL_DONE ? LADDER_OK
                          : LADDER_MISMATCH, ev->line, w->t, run_now(r), exp,
                          rc == TARGET_SHELL_DONE ? exp : why, rc == TARGET_SHELL_DONE ? NULL
                          : "shell");
    if (rc == TARGET_SHELL_SKIP)
        run_skip(r, ev, "shell command not supported on target %s: %s (%s)", r->ops->name,
                 ev->text, why);
    else if (rc != TARGET_SHELL_DONE)
        run_error(r, ev, "shell command `%s` failed: %s", ev->text, why);
}

/* A python block: its snapshot at its time; the code runs at the end. */
static void run_python_event(struct runner *r, const struct script_event *ev,
                             const struct window *w)
{
    if (!run_advance(r, w->t))
        return;
    r->last_time = w->t;
    python_event(r, ev);
}

static void run_event(struct runner *r, const struct script_event *ev)
{
    struct window w;
    if (!event_window(r, ev, &w))
        return;
    if (w.t > r->o->max_script_us) {
        run_error(r, ev, "event at %.6f s is past the run's limit", w.t / 1e6);
        return;
    }
    if (ev->type == SCRIPT_EV_SYSCALL)
        run_syscall_event(r, ev, &w);
    else if (ev->type == SCRIPT_EV_COMMAND)
        run_shell_event(r, ev, &w);
    else if (ev->type == SCRIPT_EV_PYTHON)
        run_python_event(r, ev, &w);
    else if (ev->packet.direction == SCRIPT_INBOUND)
        run_inbound(r, ev, &w);
    else
        run_outbound(r, ev, &w);
}

/* ---- setup and the end of a run ---- */

static void runner_init(struct runner *r, const struct script *s, const struct run_options *o,
                        struct vector_result *res)
{
    const struct script_options *so = &s->options;
    r->s = s;
    r->o = o;
    r->ops = o->target;
    r->res = res;
    r->bind_port = so->bind_port_given ? so->bind_port : SCRIPT_DEFAULT_PORT;
    r->connect_port = so->connect_port_given ? so->connect_port : SCRIPT_DEFAULT_PORT;
    r->tolerance = so->tolerance_usecs_given ? so->tolerance_usecs : SCRIPT_DEFAULT_TOLERANCE_USECS;
    r->tolerance_pct = so->tolerance_percent_given ? so->tolerance_percent
                                                   : SCRIPT_DEFAULT_TOLERANCE_PERCENT;
    r->map.local_port = r->bind_port;
    r->map.remote_port = RUN_DEFAULT_REMOTE_PORT;
    /* a program that connects (@app connect ADDR:PORT) talks to that port,
     * as connect() would have said */
    unsigned short app_port;
    if (s->app && sscanf(s->app, "connect %*[0-9.]:%hu", &app_port) == 1)
        r->map.remote_port = app_port;
    for (int i = 0; i < RUN_MAX_FDS; i++)
        r->fd_map[i] = -1;
    r->sut = -1;
    r->map.stack_wscale = -1;
    r->held = calloc(RUN_HELD_MAX, sizeof *r->held);
    res->req_count = s->req_count;
    res->reqs = calloc(s->req_count ? s->req_count : 1, sizeof *res->reqs);
    for (size_t i = 0; res->reqs && i < s->req_count; i++)
        res->reqs[i] = dupstr(s->reqs[i].tag);
    if (!res->reqs)
        res->req_count = 0;
}

/* The findings of the RFC oracle on the stack's packets (DESIGN 5.4): each
 * one fails the vector unless the script declares it (@oracle-expect). */
static bool oracle_expected(const struct runner *r, const char *rule)
{
    for (size_t i = 0; i < r->s->oracle_expect_count; i++)
        if (strcmp(r->s->oracle_expect[i].tag, rule) == 0)
            return true;
    return false;
}

static bool oracle_check_names(struct runner *r)
{
    for (size_t i = 0; i < r->s->oracle_expect_count; i++)
        if (!oracle_rule_find(r->s->oracle_expect[i].tag)) {
            run_error(r, NULL, "line %u: @oracle-expect: no oracle rule is called '%s'",
                      r->s->oracle_expect[i].line, r->s->oracle_expect[i].tag);
            return false;
        }
    return true;
}

static void oracle_judge(struct runner *r)
{
    oracle_finish(r->oracle, (uint64_t)(r->t ? run_now(r) : 0));
    const struct oracle_finding *first = NULL;
    for (size_t i = 0; i < oracle_finding_count(r->oracle); i++) {
        const struct oracle_finding *f = oracle_finding_at(r->oracle, i);
        if (f->from != ORACLE_FROM_STACK)
            continue; /* the script's own packets are its business */
        /* with TSO the device, not the stack, cuts a packet into segments */
        bool expected = oracle_expected(r, f->rule->name) ||
                        (r->o->offload && strcmp(f->rule->name, "segment-exceeds-mss") == 0);
        vector_result_add_finding(r->res, f->rule->name, f->rule->req, f->packet, f->message,
                                  expected);
        if (!expected && !first)
            first = f;
    }
    if (first) /* packetdrill has no oracle: a strict check */
        run_strict(r, NULL, "oracle", NULL, (int64_t)first->time_us,
                   "oracle: packet %u: %s (%s): %s", first->packet, first->rule->name,
                   first->rule->req, first->message);
}

static bool runner_open(struct runner *r)
{
    char err[256] = "";
    struct target_config tc = {
        .local = r->local,
        .remote = r->remote,
        .primary = r->primary,
        .mtu = r->mtu,
        .offload = r->o->offload,
        .seed = r->o->seed,
        .spec = r->ops->spec,
        .app = r->s->app,
    };
    if (!oracle_check_names(r))
        return false;
    if (r->ops->open(&r->t, &tc, err, sizeof err) < 0) {
        run_error(r, NULL, "target %s: %s", r->ops->name, err);
        return false;
    }
    struct oracle_config oc;
    oracle_config_default(&oc);
    uint64_t floor = r->ops->rto_min_us ? r->ops->rto_min_us(r->t) : 0;
    if (floor > 0 && floor < oc.rto_min_us) /* the stack's own floor (target_ops) */
        oc.rto_min_us = floor;
    r->oracle = oracle_new(&oc); /* without memory for it, the run goes on unwatched */
    if (r->o->pcap_path) {
        r->pcap = synack_pcap_open(r->o->pcap_path, err);
        if (!r->pcap) {
            run_error(r, NULL, "pcap: %s", err);
            return false;
        }
        r->res->pcap_path = dupstr(r->o->pcap_path);
    }
    return true;
}

/* A vector packetdrill passes that the strict checks fail. */
static void strict_verdict(struct runner *r)
{
    const struct strict_note *n = &r->strict;
    if (r->failed || !r->o->strict || !n->set)
        return;
    char msg[700];
    snprintf(msg, sizeof msg, "strict: %s", n->message);
    set_outcome(r, RESULT_FAIL, NULL, n->field, NULL, n->actual[0] ? n->actual : NULL, -1,
                n->when, msg);
    r->res->fail_line = n->line;
    r->res->strict_fail = true;
}

static void runner_finish(struct runner *r)
{
    /* what the stack sent at the last event: on a real clock, what comes
     * within the tolerance of it (a kernel may hand its answer to the
     * device just after the call that caused it returned) */
    if (!r->failed)
        run_advance(r, r->last_time + (r->ops->virtual_time ? 0 : r->tolerance));
    if (!r->failed)
        unclaimed_packets(r);
    if (!r->failed && r->pending.active)
        run_fail(r, r->pending.ev, "return", NULL, NULL, -1, -1,
                 "blocking call did not return before the script ended");
    python_finish(r); /* packetdrill runs the code once the script has run */
    python_free(r);
    epoll_free_all(r);
    r->res->script_us = r->t ? run_now(r) : 0;
    if (r->oracle) {
        oracle_judge(r);
        oracle_free(r->oracle);
        r->oracle = NULL;
    }
    if (!r->failed && target_fault(r))
        run_error(r, NULL, "%s", target_fault(r));
    strict_verdict(r);
    if (!r->failed)
        r->res->status = RESULT_PASS;
    for (; r->held_count > 0; r->held_count--) {
        free(r->held[r->held_head].data);
        r->held_head = (r->held_head + 1) % RUN_HELD_MAX;
    }
    free(r->held);
    if (r->pcap)
        synack_pcap_close(r->pcap);
    if (r->t)
        r->ops->close(r->t);
}

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* When the script's last event is due: how long it runs at least. */
static int64_t script_end_us(const struct script *s)
{
    int64_t last = 0;
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_timing *tm = &s->events[i].time;
        int64_t base = tm->relative ? last : 0, t = last;
        if (tm->kind == SCRIPT_TIME_RELATIVE || tm->kind == SCRIPT_TIME_ABSOLUTE ||
            tm->kind == SCRIPT_TIME_RANGE)
            t = base + tm->end_usecs;
        if (tm->blocking && base + tm->block_end_usecs > t)
            t = base + tm->block_end_usecs;
        if (t > last)
            last = t;
    }
    return last;
}

/* packetdrill options that change what a run means, which this runner
 * does not do: the vector is skipped, naming the option. Options about
 * packetdrill's own process (--so_filename, --wire_*, --verbose, ...) or
 * its addresses on a real network (--gateway_ip, --netmask_ip, --speed)
 * do not change the verdict and are taken as read. --tcp_ts_ecr_scaled is
 * what the runner always does (an inbound TS ecr naming no TS val the stack
 * sent is interpolated from the first one, ts_ecr_live; packetdrill stops
 * there without the option). */
static const char *const options_not_run[] = {
    "non_fatal", "init_scripts", "is_anyip", "code_command", "code_format", "code_sockopt",
};

/* AccECN (RFC 9768) in a packet line: the AE flag or an ACE value, or the
 * AccECN option, which only a target whose stack negotiates it runs. */
static bool packet_accecn(const struct script_packet *p)
{
    return p->ae_flag || script_packet_has_option(p, SCRIPT_OPT_ACCECN);
}

/* An MPTCP option the runner does not build (all but a plain MP_CAPABLE:
 * DSS, ADD_ADDR, MP_JOIN, mpcdatalen). */
static bool mptcp_unbuilt(const struct script_packet *p)
{
    struct mptcp_mpc m;
    for (size_t i = 0; i < p->opt_count; i++)
        if (p->opts[i].type == SCRIPT_OPT_MPTCP && !mptcp_mpc_parse(p->opts[i].text, &m))
            return true;
    return false;
}

/* Why this script cannot run on this target, or NULL. */
static const char *script_unsupported(const struct script *s, const struct target_ops *ops,
                                      char *why, size_t n)
{
    const struct script_options *so = &s->options;
    for (size_t i = 0; i < so->given_count; i++)
        for (size_t k = 0; k < sizeof options_not_run / sizeof options_not_run[0]; k++)
            if (strcmp(so->given[i].name, options_not_run[k]) == 0) {
                snprintf(why, n, "line %u: option --%s is not supported", so->given[i].line,
                         so->given[i].name);
                return why;
            }
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_event *ev = &s->events[i];
        if (ev->type != SCRIPT_EV_PACKET)
            continue;
        const struct script_packet *p = &ev->packet;
        const char *what = p->proto == SCRIPT_PROTO_UDP ? "UDP packet lines are"
                           : p->psp                     ? "PSP encapsulation (psp spi N) is"
                           : p->encap                   ? "encapsulated packets (ipv4/ipv6/gre/mpls) are"
                           : p->mptcp_addrs ? "MPTCP subflow addresses (addr[NAME]) are"
                           : mptcp_unbuilt(p)
                               ? "MPTCP options other than MP_CAPABLE (dss, add_address, mp_join, mpcdatalen...) are"
                           : p->fuzz_given              ? "packetdrill's fuzz parameters are"
                                                        : NULL;
        if (what) {
            snprintf(why, n, "line %u: %s not supported", ev->line, what);
            return why;
        }
        if (!ops->accecn && packet_accecn(p)) {
            snprintf(why, n, "line %u: AccECN (the AE flag, ACE values, the AccECN option) is not "
                     "negotiated by target %s's stack", ev->line, ops->name);
            return why;
        }
    }
    return NULL;
}

/* A script is for a stack with socket calls (system call lines) or for a
 * stack that is a program (an @app profile, the exec target): the other
 * kind of target skips it, naming why. */
static const char *script_wrong_kind(const struct script *s, const struct target_ops *ops,
                                     char *why, size_t n)
{
    bool calls = ops->sock_socket != NULL;
    if (s->app && calls) {
        snprintf(why, n, "line %u: @app: the script is for a stack that is a program "
                 "(--target exec:COMMAND); target %s runs system calls", s->app_line, ops->name);
        return why;
    }
    for (size_t i = 0; !calls && i < s->event_count; i++)
        if (s->events[i].type == SCRIPT_EV_SYSCALL) {
            snprintf(why, n, "line %u: %s(): system calls cannot run on target %s, a stack "
                     "that is a program (what it does is declared with @app)",
                     s->events[i].line, s->events[i].syscall.name, ops->name);
            return why;
        }
    return NULL;
}

/* The run's addresses and socket family (--ip_version), or why the script
 * cannot run in it: a script of another family in a pass of one, an
 * address of the other family, a target without IPv6. */
static const char *run_family(struct runner *r, const struct script *s,
                              const struct run_options *o, char *why, size_t n)
{
    const struct script_options *so = &s->options;
    struct run_addresses ra;
    if (o->ip_version_pass && so->ip_version_given && so->ip_version != o->ip_version) {
        snprintf(why, n, "the script is for %s (--ip_version), the pass is %s",
                 run_ip_version_name(so->ip_version), run_ip_version_name(o->ip_version));
        return why;
    }
    if (!run_addresses_of(s, o->ip_version, &ra, why, n))
        return why;
    if (ra.local.family == SYNACK_AF_INET6 && !o->target->ipv6) {
        snprintf(why, n, "target %s does not run IPv6 (--ip_version ipv6)", o->target->name);
        return why;
    }
    if (ra.primary.family && !o->target->multihomed) {
        snprintf(why, n, "target %s cannot give the stack a second address (--primary_ip)",
                 o->target->name);
        return why;
    }
    r->primary = ra.primary;
    r->local = ra.local;
    r->remote = ra.remote;
    r->domain = ra.domain;
    r->mtu = ra.mtu;
    return NULL;
}

/* packetdrill's --dry_run: the script is parsed, nothing is run. */
static bool dry_run(const struct script *s)
{
    for (size_t i = 0; i < s->options.given_count; i++)
        if (strcmp(s->options.given[i].name, "dry_run") == 0)
            return true;
    return false;
}

void run_script(const struct script *s, const struct run_options *o, struct vector_result *res)
{
    double t0 = wall_ms();
    struct runner *r = calloc(1, sizeof *r);
    if (!r) {
        res->status = RESULT_ERROR;
        res->message = dupstr("out of memory");
        return;
    }
    runner_init(r, s, o, res);
    int64_t need = script_end_us(s);
    char why[300];
    const char *unsupported = run_family(r, s, o, why, sizeof why);
    if (!unsupported)
        unsupported = script_unsupported(s, o->target, why, sizeof why);
    if (!unsupported)
        unsupported = script_wrong_kind(s, o->target, why, sizeof why);
    if (dry_run(s)) { /* it parsed, which is all packetdrill checks then */
        res->status = RESULT_PASS;
        res->message = dupstr("--dry_run: parsed, not run");
        r->failed = true; /* nothing more to judge */
    } else if (unsupported) {
        set_outcome(r, RESULT_SKIP, NULL, NULL, NULL, NULL, -1, -1, unsupported);
    } else if (!o->target->virtual_time && o->max_real_us > 0 && need > o->max_real_us) {
        char msg[200];
        snprintf(msg, sizeof msg, "needs %.0f s of real time, more than the %.0f s allowed "
                 "(--max-real-time)", need / 1e6, o->max_real_us / 1e6);
        set_outcome(r, RESULT_SKIP, NULL, NULL, NULL, NULL, -1, -1, msg);
    } else if (!r->held) {
        set_outcome(r, RESULT_ERROR, NULL, NULL, NULL, NULL, -1, -1, "out of memory");
    } else if (runner_open(r))
        for (size_t i = 0; i < s->event_count && !r->failed; i++) {
            size_t rows = res->ladder_count;
            r->current = &s->events[i];
            run_event(r, r->current);
            run_sample_tcp(r, rows);
            if (target_fault(r))
                run_error(r, r->current, "%s", target_fault(r));
        }
    runner_finish(r);
    res->wall_ms = wall_ms() - t0;
    free(r);
}

/* "vectors/handshake/passive-open.pkt" -> "handshake/passive-open" */
char *run_vector_name(const char *path)
{
    const char *p = path;
    const char *v = strstr(p, "vectors/");
    if (v)
        p = v + strlen("vectors/");
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    char *n = dupstr(p);
    char *dot = n ? strrchr(n, '.') : NULL;
    if (dot && strchr(dot, '/') == NULL)
        *dot = '\0';
    return n;
}

void run_file(const char *path, const struct run_options *o, struct vector_result *res)
{
    memset(res, 0, sizeof *res);
    res->path = dupstr(path);
    res->name = run_vector_name(path);
    res->t_expected = res->t_actual = -1;
    struct script *s = NULL;
    struct script_error err;
    double t0 = wall_ms();
    if (script_parse_file_defines(path, o->defines, o->define_count, &s, &err) < 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg); /* file:line:column: ... */
        res->status = RESULT_ERROR;
        res->message = dupstr(msg);
        res->fail_line = err.line;
        res->wall_ms = wall_ms() - t0;
        return;
    }
    if (run_resolve(s, &err) < 0) {
        char msg[600];
        script_error_format(&err, msg, sizeof msg);
        res->status = RESULT_ERROR;
        res->message = dupstr(msg);
        res->fail_line = err.line;
    } else
        run_script(s, o, res);
    script_free(s);
}

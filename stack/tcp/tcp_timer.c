/* Timeouts (RFC 9293 3.10.8, 3.8.1, 3.8.3, 3.8.4, 3.8.6.1, 3.8.6.3, 3.6.1).
 * Timers are deadlines in the TCB; each TCB's earliest is its key in a
 * binary heap (util/heap.c), so the next deadline costs O(1) and a due
 * timer O(log N), however many connections there are. */
#include <errno.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

uint64_t tcb_deadline(const struct tcb *tcb)
{
    uint64_t d = TCP_TIMER_OFF;
    for (int i = 0; i < TT_COUNT; i++)
        if (tcb->timer[i] < d)
            d = tcb->timer[i];
    return d;
}

/* The heap holds a node per TCB with a timer; room for every TCB is
 * reserved when it is allocated (tcb_alloc), so this cannot fail. */
static void timer_sync(struct tcp_ctx *t, struct tcb *tcb)
{
    uint64_t d = tcb_deadline(tcb);
    if (d != tcb->tnode.key)
        heap_set(&t->timers, &tcb->tnode, d);
}

void timer_set(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w, uint64_t at)
{
    tcb->timer[w] = at;
    timer_sync(t, tcb);
}

void timer_stop(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w)
{
    tcb->timer[w] = TCP_TIMER_OFF;
    timer_sync(t, tcb);
}

void timers_stop_all(struct tcp_ctx *t, struct tcb *tcb)
{
    for (int i = 0; i < TT_COUNT; i++)
        tcb->timer[i] = TCP_TIMER_OFF;
    timer_sync(t, tcb);
}

static bool is_syn_state(const struct tcb *tcb)
{
    return tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED;
}

/* R2 (MUST-20): the time after which retransmission gives up; an
 * application's TCP_USER_TIMEOUT overrides it (MUST-21); a SYN gets at
 * least three minutes (MUST-23). */
static uint64_t r2_limit(const struct tcp_ctx *t, const struct tcb *tcb)
{
    if (tcb->user_timeout_ms && !MUTANT(user_timeout_ignored))
        return (uint64_t)tcb->user_timeout_ms * SYNACK_MSEC;
    return is_syn_state(tcb) ? MUT(syn_gives_up_early, t->cfg->r2_syn / 2, t->cfg->r2_syn) : t->cfg->r2;
}

static int timeout_error(const struct tcb *tcb)
{
    /* Like BSD and Linux, a soft ICMP error seen meanwhile explains the
     * timeout better than ETIMEDOUT does (SHLD-25). */
    return tcb->soft_error ? tcb->soft_error : -ETIMEDOUT;
}

/* RETRANSMISSION TIMEOUT (3.10.8; RFC 6298 5.4-5.6). */
static bool timeout_rexmt(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->snd_una == tcb->snd_max && !is_syn_state(tcb))
        return true;
    if (tcb->rtx_count == 0)
        tcb->rtx_first = now;
    if (tcb->rtx_count > 0 && now - tcb->rtx_first >= r2_limit(t, tcb) && !MUTANT(r2_never)) {
        t->cnt->tcp_conn_timeout++; /* no RST: the peer has stopped answering */
        tcb_drop(t, tcb, timeout_error(tcb));
        return false;
    }
    if (tcb->rtx_count + 1 == t->cfg->r1) {
        /* R1 (MUST-20, SHLD-9, SHLD-10): tell the application there is a
         * delivery problem; we have no routing to give negative advice to. */
        t->cnt->tcp_r1_reached++;
        if (!tcb->soft_error) {
            tcb->soft_error = -ETIMEDOUT;
            tcb->flags |= TF_R1_ADVICE;
        }
        if (!is_syn_state(tcb))
            tcp_pmtu_blackhole(t, tcb, now); /* RFC 4821 7.7 */
    }
    tcb->rec->on_rto(t, tcb); /* cwnd, ssthresh; what goes again */
    rto_backoff(t, tcb);
    tcb->rtx_count++;
    t->cnt->tcp_retransmits++;
    if (is_syn_state(tcb))
        tcb->flags |= TF_SYN_LOST; /* RFC 6298 5.7, RFC 5681 3.1 */
    tcb->flags &= ~(TF_RTT_TIMING | TF_PERSIST);
    timer_stop(t, tcb, TT_PERSIST);
    /* The segment at SND.UNA goes now (RFC 6298 5.4). What follows it goes
     * as ACKs open cwnd again: from SND.UNA on (NewReno, as BSD: left at
     * SND.MAX, every further hole would wait for an RTO of its own), or
     * from the scoreboard (RFC 6675 5.1). */
    tcp_retransmit_first(t, tcb, now);
    return true;
}

/* Probes unanswered for R2 (MUST-20): counted, as retransmissions are,
 * from the first probe the peer left unanswered, not from its last
 * segment, so one lost answer at the 60 s interval does not end a
 * connection whose peer keeps answering (MUST-37). */
static bool probes_unanswered(const struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint16_t now_s = (uint16_t)(now / SYNACK_SEC);
    uint16_t rcv_s = (uint16_t)(tcb->last_rcv / SYNACK_SEC);
    if ((int16_t)(uint16_t)(tcb->probe_unanswered_s - rcv_s) <= 0) {
        tcb->probe_unanswered_s = now_s; /* this probe is the first since */
        return false;
    }
    /* to the second; an R2 beyond 18 hours is never reached here */
    return (uint64_t)(uint16_t)(now_s - tcb->probe_unanswered_s) * SYNACK_SEC >= r2_limit(t, tcb);
}

/* Zero-window probe (3.8.6.1): with exponential backoff (SHLD-30), for as
 * long as the peer keeps answering (MUST-37). */
static bool timeout_persist(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->snd_wnd > 0) {
        /* The window is open but sender SWS avoidance held the data: this
         * is the override timeout of 3.8.6.2.1 (4) (MUST-38): send what
         * the window allows, small or not. */
        tcp_persist_end(t, tcb);
        tcb->flags |= TF_SWS_OVERRIDE;
        tcp_output(t, tcb, now);
        tcb->flags &= ~TF_SWS_OVERRIDE;
        return true;
    }
    if (!tcp_output_waiting(tcb)) {
        /* The probe was acknowledged and nothing is left to send: probing
         * ends (3.8.6.1); a probe now would be a FIN nobody asked for. */
        tcp_persist_end(t, tcb);
        return true;
    }
    if (probes_unanswered(t, tcb, now) || (MUTANT(persist_gives_up) && tcb->persist_backoff >= 3)) {
        t->cnt->tcp_conn_timeout++; /* probes unanswered for R2 */
        tcb_drop(t, tcb, timeout_error(tcb));
        return false;
    }
    tcp_send_window_probe(t, tcb, now);
    timer_set(t, tcb, TT_PERSIST, now + tcp_persist_next(t, tcb));
    return true;
}

/* Keep-alive (3.8.4): only when idle (MUST-26); unanswered probes are not
 * fatal until keep_cnt of them in a row (MUST-29). */
static bool timeout_keepalive(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!(tcb->flags & TF_KEEPALIVE))
        return true;
    if ((tcb->snd_una != tcb->snd_max || tcb->sb.len > 0) && !MUTANT(keepalive_while_busy)) {
        timer_set(t, tcb, TT_KEEP, now + tcb->keep_idle); /* data outstanding: not idle */
        return true;
    }
    if (tcb->keep_probes >= tcb->keep_cnt + MUT(keepcnt_plus_one, 1u, 0u)) {
        t->cnt->tcp_conn_timeout++;
        tcp_send_rst(t, tcb, now);
        tcb_drop(t, tcb, timeout_error(tcb));
        return false;
    }
    tcb->keep_probes++;
    tcp_send_keepalive(t, tcb, now);
    timer_set(t, tcb, TT_KEEP, now + tcb->keep_intvl);
    return true;
}

void tcp_keepalive_reset(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    (void)t;
    tcb->keep_probes = 0;
    tcb->last_rcv = now;
    if ((tcb->flags & TF_KEEPALIVE) && tcb->state >= SYNACK_ESTABLISHED &&
        tcb->state != SYNACK_TIME_WAIT)
        timer_set(t, tcb, TT_KEEP, now + tcb->keep_idle);
    else
        timer_stop(t, tcb, TT_KEEP);
}

void tcp_enter_time_wait(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    tcb_set_state(t, tcb, SYNACK_TIME_WAIT);
    timers_stop_all(t, tcb);
    timer_set(t, tcb, TT_2MSL, now + 2 * t->cfg->msl); /* MUST-13 */
    sb_drop(&tcb->sb, tcb->sb.len); /* nothing is sent again */
    sb_release(&tcb->sb);
    /* Once its last ACK is out, a TCB nobody holds becomes a TIME-WAIT
     * record (tcp_flush; it is on the output list now). */
}

static bool timeout_2msl(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->state == SYNACK_TIME_WAIT)
        t->cnt->tcp_timewait_expired++;
    else
        t->cnt->tcp_fin_wait_2_timeout++;
    tcb_closed(t, tcb);
    return false;
}

/* Run every due timer; stops early when the TCB is gone. */
void tcp_timers_run(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    tcb_touch(t, tcb);
    for (int w = 0; w < TT_COUNT; w++) {
        if (tcb->timer[w] > now)
            continue;
        timer_stop(t, tcb, (enum tcp_timer)w);
        bool alive = true;
        switch ((enum tcp_timer)w) {
        case TT_REXMT:
            alive = timeout_rexmt(t, tcb, now);
            break;
        case TT_PERSIST:
            alive = timeout_persist(t, tcb, now);
            break;
        case TT_DELACK:
            t->cnt->tcp_delayed_acks++;
            tcp_send_ack(t, tcb, now);
            break;
        case TT_KEEP:
            alive = timeout_keepalive(t, tcb, now);
            break;
        case TT_2MSL:
            alive = timeout_2msl(t, tcb);
            break;
        case TT_RACK:
        case TT_TLP:
            tcb->rec->on_timer(t, tcb, (enum tcp_timer)w, now);
            break;
        case TT_PACE: /* the next paced segment's time has come */
            tcp_output(t, tcb, now);
            break;
        case TT_COUNT:
            break;
        }
        if (!alive || tcb->state == SYNACK_CLOSED)
            return;
    }
}

void tcp_poll(struct tcp_ctx *t, uint64_t now)
{
    tcp_batch_begin(t);
    syncache_poll(t, now);
    timewait_poll(t, now);
    /* Each TCB run either moves its key past now or leaves the heap; the
     * budget ends the loop even if a timer were re-armed at now. */
    struct heap_node *n;
    for (uint32_t budget = t->timers.n; budget && (n = heap_min(&t->timers)) && n->key <= now;
         budget--)
        tcp_timers_run(t, tcb_of_tnode(n), now);
    tcp_batch_end(t, now);
}

uint64_t tcp_deadline(const struct tcp_ctx *t)
{
    uint64_t d = syncache_deadline(t);
    uint64_t tw = timewait_deadline(t);
    uint64_t tcbs = heap_min_key(&t->timers);
    if (tw < d)
        d = tw;
    return tcbs < d ? tcbs : d;
}

/* A walk of every TCB: for callers that wait for output in a test (the
 * packetdrill shim), not for an event loop. SYN cache entries count: their
 * timer sends the SYN-ACK again. */
uint64_t tcp_deadline_output(const struct tcp_ctx *t)
{
    uint64_t d = syncache_deadline(t);
    for (const struct tcb *tcb = t->all; tcb; tcb = tcb->next)
        for (int i = 0; i < TT_COUNT; i++)
            if (i != TT_2MSL && tcb->timer[i] < d)
                d = tcb->timer[i];
    return d;
}

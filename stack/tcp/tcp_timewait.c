/* TIME-WAIT (RFC 9293 3.6.1, 3.10.7.4) for connections nobody holds: a
 * compact record in a table of its own, outside max_conns, bounded by
 * timewait_max (the oldest goes first), expiring in order. A TCB in
 * TIME-WAIT that a socket still holds stays a TCB until it is released.
 * With timestamps, the record keeps TS.Recent and its TSval offset: PAWS
 * (RFC 7323 5.3), the TSecr of its ACKs (3.2) and RFC 6191's reopening. */
#include <errno.h>
#include <stdlib.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

int timewait_init(struct tcp_ctx *t)
{
    uint32_t buckets = 64;
    while (buckets < t->cfg->timewait_max && buckets < (1u << 18))
        buckets <<= 1;
    if (t->tw_hash && t->tw_mask == buckets - 1)
        return 0; /* kept by tcp_ctx_reset, empty */
    free(t->tw_hash);
    t->tw_hash = calloc(buckets, sizeof *t->tw_hash);
    t->tw_mask = buckets - 1;
    return t->tw_hash ? 0 : -ENOMEM;
}

static uint32_t tw_bucket(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    return tcp_tuple_hash(t, tu) & t->tw_mask;
}

static struct tcp_tuple tw_tuple(const struct tw_entry *tw)
{
    return (struct tcp_tuple){tw->laddr, tw->raddr, tw->lport, tw->rport};
}

struct tw_entry *timewait_lookup(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    if (!t->tw_count)
        return NULL;
    for (struct tw_entry *e = t->tw_hash[tw_bucket(t, tu)]; e; e = e->hnext)
        if (e->lport == tu->lport && e->rport == tu->rport && tcp_addr_eq(&e->laddr, &tu->laddr) &&
            tcp_addr_eq(&e->raddr, &tu->raddr))
            return e;
    return NULL;
}

static void fifo_unlink(struct tcp_ctx *t, struct tw_entry *tw)
{
    if (tw->prev)
        tw->prev->next = tw->next;
    else
        t->tw_head = tw->next;
    if (tw->next)
        tw->next->prev = tw->prev;
    else
        t->tw_tail = tw->prev;
    tw->prev = tw->next = NULL;
}

/* In expiry order, from the tail: a new record or a restart expires last
 * (O(1)); a TCB a socket held in TIME-WAIT for a while may go further in. */
static void fifo_insert(struct tcp_ctx *t, struct tw_entry *tw)
{
    struct tw_entry *after = t->tw_tail;
    while (after && after->expire > tw->expire)
        after = after->prev;
    tw->prev = after;
    tw->next = after ? after->next : t->tw_head;
    if (tw->next)
        tw->next->prev = tw;
    else
        t->tw_tail = tw;
    if (after)
        after->next = tw;
    else
        t->tw_head = tw;
}

void timewait_remove(struct tcp_ctx *t, struct tw_entry *tw)
{
    struct tcp_tuple tu = tw_tuple(tw);
    for (struct tw_entry **pp = &t->tw_hash[tw_bucket(t, &tu)]; *pp; pp = &(*pp)->hnext) {
        if (*pp == tw) {
            *pp = tw->hnext;
            break;
        }
    }
    fifo_unlink(t, tw);
    t->tw_count--;
    tcp_port_unref(t, tw->lport);
    free(tw);
}

void timewait_clear(struct tcp_ctx *t)
{
    while (t->tw_head)
        timewait_remove(t, t->tw_head);
}

void timewait_destroy(struct tcp_ctx *t)
{
    timewait_clear(t);
    free(t->tw_hash);
    t->tw_hash = NULL;
}

bool timewait_from_tcb(struct tcp_ctx *t, struct tcb *tcb)
{
    if (t->tw_count >= t->cfg->timewait_max) {
        if (!t->tw_head)
            return false; /* timewait_max 0: TCBs it is */
        t->cnt->tcp_timewait_evicted++; /* the oldest goes first */
        timewait_remove(t, t->tw_head);
    }
    struct tw_entry *tw = calloc(1, sizeof *tw);
    if (!tw || !tcp_port_ref(t, tcb->lport)) {
        free(tw);
        return false;
    }
    tw->laddr = tcb->laddr;
    tw->raddr = tcb->raddr;
    tw->lport = tcb->lport;
    tw->rport = tcb->rport;
    tw->snd_nxt = tcb->snd_max;
    tw->max_snd_wnd = tcb->max_snd_wnd;
    tw->rcv_nxt = tcb->rcv_nxt;
    tw->rcv_adv = tcb->rcv_adv;
    tw->space = rb_space(&tcb->rb);
    uint32_t half = tcb->rb.cap / 2;
    uint32_t step = half < tcb->snd_mss ? half : tcb->snd_mss;
    tw->sws_step = (uint16_t)(step > 0xffffu ? 0xffffu : step);
    tw->rcv_wscale = tcb->rcv_wscale;
    tw->tos = tcb->tos;
    tw->ttl = tcb->ttl;
    tw->expire = tcb->timer[TT_2MSL];
    tw->ts_on = (tcb->opt_on & TO_TS) != 0;
    tw->ts_offset = tcb->ts_offset;
    tw->ts_recent = tcb->ts_recent;
    struct tcp_tuple tu = tw_tuple(tw);
    uint32_t b = tw_bucket(t, &tu);
    tw->hnext = t->tw_hash[b];
    t->tw_hash[b] = tw;
    fifo_insert(t, tw);
    t->tw_count++;
    tcb_orphan(t, tcb);
    tcb_free(t, tcb);
    return true;
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, with the window a TCB would offer. */
static void tw_send_ack(struct tcp_ctx *t, struct tw_entry *tw, uint64_t now)
{
    uint32_t cur = seq_gt(tw->rcv_adv, tw->rcv_nxt) ? tw->rcv_adv - tw->rcv_nxt : 0;
    uint32_t wnd = tcp_window_to_offer(tw->space, 65535u << tw->rcv_wscale, cur, tw->sws_step);
    uint16_t field = (uint16_t)(wnd >> tw->rcv_wscale);
    tw->rcv_adv = tw->rcv_nxt + ((uint32_t)field << tw->rcv_wscale);
    struct synack_tcp_opts o = {0};
    if (tw->ts_on) { /* RFC 7323 3.2: on every segment once settled */
        o.present = TCPOPT_F_TS;
        o.ts_val = tcp_ts_clock_at(tw->ts_offset, now);
        o.ts_ecr = tw->ts_recent;
    }
    struct tcp_bare b = {.src = tw->laddr, .dst = tw->raddr, .sport = tw->lport,
                         .dport = tw->rport, .seq = tw->snd_nxt, .ack = tw->rcv_nxt,
                         .flags = SYNACK_TCP_ACK, .wnd = field, .tos = tw->tos, .ttl = tw->ttl,
                         .opts = tw->ts_on ? &o : NULL};
    tcp_send_bare(t, &b, now);
}

static void tw_challenge_ack(struct tcp_ctx *t, struct tw_entry *tw, uint64_t now)
{
    if (tcp_challenge_ack_allowed(t, now))
        tw_send_ack(t, tw, now);
}

/* The remote FIN again: ACK it and restart the 2 MSL timeout. */
static void tw_restart(struct tcp_ctx *t, struct tw_entry *tw, uint64_t now)
{
    tw->expire = now + MUT(time_wait_one_msl, 1u, 2u) * t->cfg->msl;
    fifo_unlink(t, tw);
    fifo_insert(t, tw);
}

/* First, check sequence number; false when the segment is done. */
static bool tw_check_sequence(struct tcp_ctx *t, struct tw_entry *tw, struct tcp_seg *seg,
                              bool *ack_now, uint64_t now)
{
    uint32_t wnd = seq_gt(tw->rcv_adv, tw->rcv_nxt) ? tw->rcv_adv - tw->rcv_nxt : 0;
    if (tcp_seq_acceptable(seg->seq, seg->len, tw->rcv_nxt, wnd))
        return true;
    if (wnd == 0 && seg->seq == tw->rcv_nxt) {
        *ack_now = true; /* MUST-66: the controls count, the text does not */
        return true;
    }
    t->cnt->tcp_unacceptable++;
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        t->cnt->tcp_rst_out_of_window++; /* RFC 5961 3.2 1) */
        return false;
    }
    if (SEG_HAS(seg, SYNACK_TCP_FIN) && seg->seq + seg->len == tw->rcv_nxt &&
        !MUTANT(timewait_fin_no_restart))
        tw_restart(t, tw, now);
    tw_send_ack(t, tw, now);
    return false;
}

/* RFC 7323 3.2 and 5.3 R1, before the sequence number: a segment without
 * a timestamp is dropped; one older than TS.Recent is acknowledged and
 * dropped (the 24-day rule of 5.5 cannot apply within 2*MSL). */
static bool tw_check_ts(struct tcp_ctx *t, struct tw_entry *tw, const struct tcp_seg *seg,
                        uint64_t now)
{
    if (!tw->ts_on || SEG_HAS(seg, SYNACK_TCP_RST))
        return true;
    if (!(seg->opts->present & TCPOPT_F_TS)) {
        t->cnt->tcp_ts_missing++;
        return false;
    }
    if (!seq_lt(seg->opts->ts_val, tw->ts_recent))
        return true;
    t->cnt->tcp_paws_drop++;
    tw_send_ack(t, tw, now);
    return false;
}

void timewait_input(struct tcp_ctx *t, struct tw_entry *tw, struct tcp_seg *seg, uint64_t now)
{
    bool ack_now = false;
    if (!tw_check_ts(t, tw, seg, now) || !tw_check_sequence(t, tw, seg, &ack_now, now))
        return;
    /* R3: the segment the next ACK answers first sets TS.Recent (4.3 (3)) */
    if (tw->ts_on && (seg->opts->present & TCPOPT_F_TS) &&
        seq_geq(seg->opts->ts_val, tw->ts_recent) && seq_leq(seg->seq, tw->rcv_nxt))
        tw->ts_recent = seg->opts->ts_val;
    uint32_t wnd = seq_gt(tw->rcv_adv, tw->rcv_nxt) ? tw->rcv_adv - tw->rcv_nxt : 0;
    if (SEG_HAS(seg, SYNACK_TCP_RST)) { /* second (RFC 5961 3.2) */
        if (seg->seq == tw->rcv_nxt) {
            timewait_remove(t, tw); /* TIME-WAIT: enter CLOSED, delete the TCB */
        } else if (seq_in_window(seg->seq, tw->rcv_nxt, tw->rcv_nxt + wnd)) {
            t->cnt->tcp_challenge_ack_rst++;
            tw_challenge_ack(t, tw, now);
        } else {
            t->cnt->tcp_rst_out_of_window++;
        }
        return;
    }
    if (SEG_HAS(seg, SYNACK_TCP_SYN)) { /* fourth (RFC 5961 4.2) */
        t->cnt->tcp_challenge_ack_syn++;
        tw_challenge_ack(t, tw, now);
        return;
    }
    if (!SEG_HAS(seg, SYNACK_TCP_ACK)) {
        t->cnt->tcp_drop_no_ack++;
        return;
    }
    /* fifth: (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT (RFC 5961 5.2) */
    if (seq_gt(seg->ack, tw->snd_nxt) || seq_lt(seg->ack, tw->snd_nxt - tw->max_snd_wnd)) {
        if (seq_gt(seg->ack, tw->snd_nxt))
            t->cnt->tcp_ack_too_new++;
        else
            t->cnt->tcp_challenge_ack_ack++;
        tw_challenge_ack(t, tw, now);
        return;
    }
    /* Text is ignored in TIME-WAIT; the FIN was processed already. */
    if (ack_now)
        tw_send_ack(t, tw, now);
}

void timewait_poll(struct tcp_ctx *t, uint64_t now)
{
    while (t->tw_head && t->tw_head->expire <= now) {
        t->cnt->tcp_timewait_expired++;
        timewait_remove(t, t->tw_head);
    }
}

uint64_t timewait_deadline(const struct tcp_ctx *t)
{
    return t->tw_head ? t->tw_head->expire : TCP_TIMER_OFF;
}

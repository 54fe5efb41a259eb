/* SEGMENT ARRIVES in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2,
 * CLOSE-WAIT, CLOSING, LAST-ACK and TIME-WAIT (RFC 9293 3.10.7.4), in the
 * RFC's order: sequence number, RST, (security), SYN, ACK, URG, text, FIN.
 * One function per step; RFC 5961's checks are in the RST, SYN and ACK
 * steps. */
#include <errno.h>
#include <string.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

static uint32_t rcv_wnd(const struct tcb *tcb)
{
    return seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
}

/* Table 6: the four cases of the acceptability test. */
bool tcp_seq_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t wnd)
{
    if (len == 0)
        return wnd == 0 ? seq == rcv_nxt : seq_in_window(seq, rcv_nxt, rcv_nxt + wnd);
    if (wnd == 0)
        return false;
    return seq_in_window(seq, rcv_nxt, rcv_nxt + wnd) ||
           seq_in_window(seq + len - 1, rcv_nxt, rcv_nxt + wnd);
}

/* Keep only the text inside [RCV.NXT, RCV.NXT+RCV.WND); a FIN survives
 * only if all the text before it does. */
static void seg_trim(const struct tcb *tcb, struct tcp_seg *seg, uint32_t wnd)
{
    if (seq_lt(seg->data_seq, tcb->rcv_nxt)) {
        uint32_t cut = tcb->rcv_nxt - seg->data_seq;
        if (cut >= seg->datalen) {
            if (cut > seg->datalen)
                seg->flags &= (uint8_t)~SYNACK_TCP_FIN; /* an old FIN */
            cut = seg->datalen;
        }
        seg->data += cut;
        seg->datalen -= cut;
        seg->data_seq += cut;
    }
    uint32_t right = tcb->rcv_nxt + wnd;
    if (seq_gt(seg->data_seq + seg->datalen, right) && !MUTANT(text_no_trim)) {
        seg->datalen = seq_gt(right, seg->data_seq) ? right - seg->data_seq : 0;
        seg->flags &= (uint8_t)~SYNACK_TCP_FIN;
    } else if (SEG_HAS(seg, SYNACK_TCP_FIN) && seg->data_seq + seg->datalen == right) {
        seg->flags &= (uint8_t)~SYNACK_TCP_FIN; /* no room for the FIN itself */
    }
}

/* Text of seg below RCV.NXT arrived before: a duplicate (RFC 2883). */
static void note_old_text(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg)
{
    if (seg->datalen && seq_lt(seg->data_seq, tcb->rcv_nxt))
        tcp_sack_dup(t, tcb, seg->data_seq, seq_min(seg->data_seq + seg->datalen, tcb->rcv_nxt));
}

/* First, check sequence number. Returns false when the segment is done. */
static bool tcp_check_sequence(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                               uint64_t now)
{
    uint32_t wnd = rcv_wnd(tcb);
    if (tcp_seq_acceptable(seg->seq, seg->len, tcb->rcv_nxt, wnd)) {
        note_old_text(t, tcb, seg);
        seg_trim(tcb, seg, wnd);
        return true;
    }
    if (wnd == 0 && seg->seq == tcb->rcv_nxt && !MUTANT(rst_dropped_at_zero_window)) {
        /* "special allowance ... to accept valid ACKs, URGs, and RSTs"
         * (MUST-66): process the controls, drop the text, tell the peer. */
        seg->datalen = 0;
        seg->flags &= (uint8_t)~SYNACK_TCP_FIN;
        tcb->flags |= TF_ACKNOW;
        return true;
    }
    t->cnt->tcp_unacceptable++;
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        t->cnt->tcp_rst_out_of_window++; /* RFC 5961 3.2 1): silently drop */
        return false;
    }
    if (tcb->state == SYNACK_TIME_WAIT && SEG_HAS(seg, SYNACK_TCP_FIN) &&
        seg->seq + seg->len == tcb->rcv_nxt && !MUTANT(timewait_fin_no_restart))
        timer_set(t, tcb, TT_2MSL, now + 2 * t->cfg->msl); /* the remote FIN again */
    /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> (in SYN-RECEIVED: the SYN-ACK) */
    if (seq_leq(seg->data_seq + seg->datalen, tcb->rcv_nxt))
        note_old_text(t, tcb, seg);
    tcb->flags |= TF_ACKNOW;
    tcp_output_later(t, tcb);
    return false;
}

/* Simultaneous open (Figure 7 line 6, MUST-10): in SYN-RECEIVED the peer's
 * SYN-ACK repeats the SYN we hold (SEG.SEQ = IRS) and acknowledges ours.
 * Its SYN lies left of the window and is trimmed ("trimming off any
 * portions that lie outside the window (including SYN and FIN)"), so what
 * remains is an ACK at RCV.NXT that completes the handshake. */
static void trim_duplicate_syn(const struct tcb *tcb, struct tcp_seg *seg)
{
    if (tcb->snd_una != tcb->iss || !SEG_HAS(seg, SYNACK_TCP_SYN) ||
        !SEG_HAS(seg, SYNACK_TCP_ACK) || SEG_HAS(seg, SYNACK_TCP_RST) || seg->seq != tcb->irs ||
        !seq_in_window(seg->ack, tcb->snd_una + 1, tcb->snd_max + 1))
        return;
    seg->flags &= (uint8_t)~SYNACK_TCP_SYN;
    seg->seq++;
    seg->len--;
}

/* SYN-RECEIVED reached from LISTEN goes back to LISTEN (MUST-11): the
 * embryonic TCB is deleted and the listener carries on. */
static void back_to_listen(struct tcp_ctx *t, struct tcb *tcb)
{
    t->cnt->tcp_back_to_listen++;
    tcb_closed(t, tcb);
}

/* Second, check the RST bit (with RFC 5961 3.2). */
static void tcp_check_rst(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                          uint64_t now)
{
    if (seg->seq != tcb->rcv_nxt) {
        if (!seq_in_window(seg->seq, tcb->rcv_nxt, tcb->rcv_nxt + rcv_wnd(tcb))) {
            t->cnt->tcp_rst_out_of_window++; /* 1) outside: silently drop */
            return;
        }
        t->cnt->tcp_challenge_ack_rst++; /* 3) inside but not exact: challenge */
        tcp_send_challenge_ack(t, tcb, now);
        return;
    }
    /* 2) exactly RCV.NXT: reset, as the state says */
    switch (tcb->state) {
    case SYNACK_SYN_RECEIVED:
        if (tcb->passive || MUTANT(synrcvd_forgets_origin)) {
            back_to_listen(t, tcb);
        } else {
            t->cnt->tcp_conn_refused++;
            tcb_drop(t, tcb, -ECONNREFUSED);
        }
        return;
    case SYNACK_ESTABLISHED:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_FIN_WAIT_2:
    case SYNACK_CLOSE_WAIT:
        t->cnt->tcp_conn_reset++;
        tcb_drop(t, tcb, -ECONNRESET);
        return;
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        /* 3.10.7.4 says only "enter CLOSED"; but our FIN, and maybe data
         * before it, is unacknowledged and now never will be: an
         * application still holding the socket (after shutdown) learns
         * it from SO_ERROR, as on Linux and FreeBSD (MUST-12). */
        t->cnt->tcp_conn_reset++;
        tcb_drop(t, tcb, MUT(rst_not_reported, 0, -ECONNRESET));
        return;
    default: /* TIME-WAIT: everything was acknowledged */
        tcb_closed(t, tcb);
        return;
    }
}

/* Fourth, check the SYN bit (with RFC 5961 4.2). */
static void tcp_check_syn(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->state == SYNACK_SYN_RECEIVED && tcb->passive) {
        back_to_listen(t, tcb);
        return;
    }
    t->cnt->tcp_challenge_ack_syn++;
    tcp_send_challenge_ack(t, tcb, now);
}

/* Fifth, SYN-RECEIVED: an acceptable ACK completes the handshake. */
static bool syn_received_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                             uint64_t now)
{
    /* SND.UNA < SEG.ACK =< SND.NXT, as a window: with nothing sent yet it is
     * empty, where seq_lt and seq_leq would both hold for an ACK 2^31 away
     * (RFC 1982 3.2 leaves that comparison undefined). */
    if (!seq_in_window(seg->ack, tcb->snd_una + 1, tcb->snd_max + 1)) {
        t->cnt->tcp_syn_rcvd_bad_ack++;
        tcp_send_rst_reply(t, seg, now); /* <SEQ=SEG.ACK><CTL=RST> */
        return false;
    }
    tcp_established(t, tcb, now);
    tcb->snd_wnd = seg->wnd;
    tcb->snd_wl1 = seg->seq;
    tcb->snd_wl2 = seg->ack;
    if (seg->wnd > tcb->max_snd_wnd)
        tcb->max_snd_wnd = seg->wnd;
    if (tcb->passive)
        tcb_child_established(t, tcb);
    /* Text held since the SYN joins the stream now. */
    int64_t adv = rb_store(&tcb->rb, tcb->rcv_nxt, tcb->rcv_nxt, NULL, 0);
    if (adv > 0) {
        tcb->rcv_nxt += (uint32_t)adv;
        tcb->flags |= TF_ACKNOW;
    }
    return true;
}

/* Octets of data among those SEG.ACK acknowledges: not our SYN, which
 * must not grow cwnd (RFC 5681 3.1), nor our FIN. */
static uint32_t data_acked(const struct tcb *tcb, uint32_t ack)
{
    uint32_t acked = ack - tcb->snd_una;
    if (tcb->snd_una == tcb->iss)
        acked--;
    uint32_t end = tcp_data_end(tcb);
    if ((tcb->flags & TF_FIN_QUEUED) && seq_gt(ack, end) && !seq_gt(tcb->snd_una, end))
        acked--;
    return acked;
}

/* New data acknowledged: SND.UNA <- SEG.ACK, the queue shrinks, the RTT is
 * sampled (Karn), the timer restarts (RFC 6298 5.2, 5.3). */
static uint32_t ack_new_data(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                             uint64_t now)
{
    uint32_t acked = data_acked(tcb, seg->ack);
    if (seq_gt(seg->ack, tcb->sb.seq)) {
        uint32_t n = seg->ack - tcb->sb.seq;
        if (n > tcb->sb.len)
            n = tcb->sb.len;
        sb_drop(&tcb->sb, n);
        sb_release(&tcb->sb); /* all acknowledged: the memory goes */
        tcb->sb.seq += n;
    }
    if (tcp_ts_rtt(t, tcb, seg, tcb->snd_max - tcb->snd_una, now)) {
        tcb->flags &= ~TF_RTT_TIMING; /* RTTM (RFC 7323 4) */
    } else if ((tcb->flags & TF_RTT_TIMING) && seq_gt(seg->ack, tcb->rtt_seq)) {
        rtt_sample(t, tcb, now - tcb->rtt_start);
        tcb->flags &= ~TF_RTT_TIMING;
    }
    tcb->snd_una = seg->ack;
    if (seq_lt(tcb->snd_nxt, tcb->snd_una))
        tcb->snd_nxt = tcb->snd_una;
    if (seq_lt(tcb->snd_up, tcb->snd_una))
        tcb->snd_up = tcb->snd_una;
    tcb->rtx_count = 0;
    if (tcb->flags & TF_R1_ADVICE) { /* the delivery problem is over (SHLD-9) */
        tcb->flags &= ~TF_R1_ADVICE;
        if (tcb->soft_error == -ETIMEDOUT)
            tcb->soft_error = 0;
    }
    if (tcb->snd_una == tcb->snd_max)
        timer_stop(t, tcb, TT_REXMT);
    else if (!(tcb->flags & TF_PERSIST) || timer_on(tcb, TT_REXMT))
        /* RFC 6298 5.3; a closed window has probes instead (SHLD-17), but
         * a timer that runs (a retransmission went since) restarts too */
        timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
    return acked;
}

/* RFC 5681 2: a duplicate ACK meets all five conditions. The octet of a
 * zero-window probe is not outstanding data (3.8.6.1): the ACKs that
 * answer probes are not duplicates, or three of them would start a fast
 * retransmit into the closed window. */
static bool is_dupack(const struct tcb *tcb, const struct tcp_seg *seg)
{
    return tcb->snd_max != tcb->snd_una && !(tcb->flags & TF_PERSIST) && seg->datalen == 0 &&
           !SEG_HAS(seg, SYNACK_TCP_SYN | SYNACK_TCP_FIN) && seg->ack == tcb->snd_una &&
           seg->wnd == tcb->snd_wnd;
}

/* SND.WND update, guarded by SND.WL1 and SND.WL2 against old segments. */
static void update_send_window(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                               uint64_t now)
{
    if (!(seq_lt(tcb->snd_wl1, seg->seq) ||
          (tcb->snd_wl1 == seg->seq && seq_leq(tcb->snd_wl2, seg->ack))) && !MUTANT(wl_guard_off))
        return;
    tcb->snd_wnd = seg->wnd;
    tcb->snd_wl1 = seg->seq;
    tcb->snd_wl2 = seg->ack;
    if (seg->wnd > tcb->max_snd_wnd)
        tcb->max_snd_wnd = seg->wnd;
    if (seg->wnd > 0 && (tcb->flags & TF_PERSIST))
        tcp_persist_end(t, tcb); /* the window opened: probing ends */
    else if (seg->wnd == 0 && tcb->snd_max != tcb->snd_una && !(tcb->flags & TF_PERSIST))
        tcp_window_closed(t, tcb, now); /* shrunk to zero over our data (MUST-34, MUST-35) */
}

/* Fifth, check the ACK field, for ESTABLISHED and the states after it.
 * Returns false when the segment needs no further processing. */
bool tcp_process_ack(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg, uint64_t now)
{
    /* RFC 5961 5.2: (SND.UNA - MAX.SND.WND) =< SEG.ACK =< SND.NXT, else
     * discard and ACK. SND.NXT here is the highest we have sent. */
    if (seq_gt(seg->ack, tcb->snd_max) ||
        seq_lt(seg->ack, tcb->snd_una - tcb->max_snd_wnd)) {
        if (seq_gt(seg->ack, tcb->snd_max))
            t->cnt->tcp_ack_too_new++;
        else
            t->cnt->tcp_challenge_ack_ack++;
        tcp_send_challenge_ack(t, tcb, now);
        return false;
    }
    /* The loss detection and recovery of the connection (tcp_recovery.c)
     * sees every acceptable ACK: NewReno its duplicates, the scoreboard
     * its SACK blocks too. */
    struct tcp_ack_info a = {.advanced = seq_gt(seg->ack, tcb->snd_una),
                             .dupack = is_dupack(tcb, seg)};
    if (a.advanced)
        a.acked = ack_new_data(t, tcb, seg, now);
    if (seq_geq(seg->ack, tcb->snd_una))
        tcb->rec->on_ack(t, tcb, seg, &a, now);
    if ((tcb->opt_on & TO_ECN) && SEG_HAS(seg, SYNACK_TCP_ECE))
        cc_on_ece(t, tcb);
    if (seq_leq(tcb->snd_una, seg->ack))
        update_send_window(t, tcb, seg, now);
    tcp_output_later(t, tcb);
    return true;
}

/* Fifth, the per-state part after the ESTABLISHED processing. */
static bool ack_state_transitions(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    switch (tcb->state) {
    case SYNACK_FIN_WAIT_1:
        if (tcp_fin_acked(tcb)) {
            tcb_set_state(t, tcb, SYNACK_FIN_WAIT_2);
            timer_stop(t, tcb, TT_REXMT);
            if (tcb->owner == TCB_ORPHAN) /* nobody can read: do not wait forever */
                timer_set(t, tcb, TT_2MSL, now + t->cfg->fin_wait_2);
        }
        return true;
    case SYNACK_CLOSING:
        if (tcp_fin_acked(tcb)) {
            tcp_enter_time_wait(t, tcb, now);
            return true;
        }
        return false; /* otherwise ignore the segment */
    case SYNACK_LAST_ACK:
        if (tcp_fin_acked(tcb)) {
            tcb_closed(t, tcb);
            return false;
        }
        return true;
    default:
        return true;
    }
}

void tcp_input_synchronized(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                            uint64_t now)
{
    if (MUTANT(window_signed) && seg->wnd > 32767)
        seg->wnd = 0;
    if (!SEG_HAS(seg, SYNACK_TCP_SYN))
        seg->wnd <<= tcb->snd_wscale;
    trim_duplicate_syn(tcb, seg);
    if (!tcp_ts_check(t, tcb, seg, now)) /* RFC 7323 5.3 R1, before the sequence number */
        return;
    if (!tcp_check_sequence(t, tcb, seg, now))
        return;
    tcp_ts_update(tcb, seg, now); /* R3 */
    tcb->last_rcv = now;
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        tcp_check_rst(t, tcb, seg, now);
        return;
    }
    if (SEG_HAS(seg, SYNACK_TCP_SYN)) {
        tcp_check_syn(t, tcb, now);
        return;
    }
    if (!SEG_HAS(seg, SYNACK_TCP_ACK)) {
        t->cnt->tcp_drop_no_ack++;
        return;
    }
    /* SYN-RECEIVED rules while our SYN is unacknowledged: also in
     * FIN-WAIT-1 entered by a CLOSE in SYN-RECEIVED (3.10.4). */
    if (tcb->snd_una == tcb->iss) {
        if (!syn_received_ack(t, tcb, seg, now))
            return;
        /* Text queued with the SYN has just joined the stream: what of
         * this segment it covers is a duplicate now (3.10.7.4 first). */
        seg_trim(tcb, seg, rcv_wnd(tcb));
    }
    cc_ecn_input(t, tcb, seg); /* RFC 3168 6.1.3 */
    if (!tcp_process_ack(t, tcb, seg, now))
        return;
    if (!ack_state_transitions(t, tcb, now))
        return;
    tcp_keepalive_reset(t, tcb, now);
    tcp_input_text_and_fin(t, tcb, seg, now);
}

/* ---- sixth to eighth: URG, text, FIN ---- */

static bool receiving_text(const struct tcb *tcb)
{
    return tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_FIN_WAIT_1 ||
           tcb->state == SYNACK_FIN_WAIT_2;
}

/* Sixth, check the URG bit: RCV.UP <- max(RCV.UP, SEG.UP). The
 * application sees SYNACK_POLLPRI while RCV.UP is ahead of what it has
 * read, and how far ahead in STATUS (MUST-32, MUST-33; tcp_user.c). */
static void tcp_process_urg(struct tcb *tcb, const struct tcp_seg *seg)
{
    if (!SEG_HAS(seg, SYNACK_TCP_URG) || !receiving_text(tcb) || MUTANT(urg_ignored))
        return;
    uint32_t up = seg->seq + seg->up; /* the octet after the urgent data (MUST-62) */
    if (seq_gt(up, tcb->rcv_up))
        tcb->rcv_up = up;
}

/* Delayed ACK (3.8.6.3): ACK at least every second full-sized segment
 * (SHLD-19), otherwise within the delayed-ACK timeout (MUST-40). */
static void ack_in_order_data(struct tcp_ctx *t, struct tcb *tcb, uint32_t len, uint64_t now)
{
    if (len > tcb->rcv_seg_max)
        tcb->rcv_seg_max = len;
    tcb->delack_octets += len;
    if (tcb->delack_octets >= 2u * tcb->rcv_seg_max) {
        tcb->flags |= TF_ACKNOW;
        return;
    }
    if (!timer_on(tcb, TT_DELACK))
        timer_set(t, tcb, TT_DELACK, now + MUT(delack_600ms, 600 * SYNACK_MSEC, t->cfg->delack));
}

/* Seventh, process the segment text. */
/* RFC 5681 4.2 (and SHLD-31 for data): a segment above RCV.NXT shows the
 * peer sent what has not arrived; a zero-length one (its duplicate ACK, a
 * FIN past a hole) is answered at once by a duplicate ACK too (Linux does
 * for a FIN there, not for a bare ACK). Once per segment end: two stacks each missing the
 * other's data would otherwise bounce ACKs until the holes fill. */
static void ack_segment_past_hole(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg)
{
    uint32_t end = seg->seq + seg->len;
    if (!receiving_text(tcb) || !seq_gt(seg->seq, tcb->rcv_nxt) || end == tcb->dupack_seq)
        return;
    tcb->dupack_seq = end;
    t->cnt->tcp_dupacks_sent++;
    tcb->flags |= TF_ACKNOW;
    tcp_output_later(t, tcb);
}

/* In-order text goes straight into the application's posted buffer while
 * nothing waits before it in rb (SYNACK_MSG_POST). Returns the octets
 * placed there; the rest goes to rb. */
static uint32_t place_in_post(struct tcb *tcb, const struct tcp_seg *seg)
{
    if (!tcb->post || tcb->rb.used || tcb->rb.n_ooo || seg->data_seq != tcb->rcv_nxt)
        return 0;
    uint32_t n = tcb->post_len - tcb->post_fill;
    if (n > seg->datalen)
        n = seg->datalen;
    memcpy(tcb->post + tcb->post_fill, seg->data, n);
    tcb->post_fill += n;
    return n;
}

/* Receive buffer autotuning (no SO_RCVBUF; Linux grows its buffer up to
 * tcp_rmem's maximum too, from what the application reads per RTT): when
 * the peer's text reaches within a segment of the right edge we offered,
 * that edge is as far as the buffer allows, and the application has read
 * all but less than a quarter of it, the window and not the application
 * limits the peer: the buffer doubles, up to rcvbuf_max (the window scale
 * was chosen for it), and the out-of-order interval limit with it, one per
 * eight full segments of buffer (SHLD-31: what arrives past the holes of a
 * larger window is kept, not dropped). Only once the connection has
 * delivered a buffer's worth in order: a peer that keeps a hole open and
 * fills the window past it grows nothing. */
static void tcp_rcvbuf_grow(struct tcp_ctx *t, struct tcb *tcb, uint32_t end)
{
    struct rcvbuf *rb = &tcb->rb;
    uint32_t max = t->cfg->rcvbuf_max, mss = tcb->rcv_mss ? tcb->rcv_mss : 536u;
    uint64_t limit = (uint64_t)TCP_MAX_WIN << tcb->rcv_wscale;
    if (!(tcb->flags & TF_RCVBUF_AUTO) || rb->cap >= max || rb->cap >= limit ||
        seq_lt(end + mss, tcb->rcv_adv) ||
        seq_lt(tcb->rcv_adv + mss, tcb->rcv_nxt + rb_space(rb)) ||
        tcb->rcv_nxt - tcb->irs - 1u < rb->cap ||
        (uint64_t)rb->used + tcb->post_fill >= rb->cap / 4u)
        return;
    uint64_t cap = (uint64_t)rb->cap * 2u;
    cap = cap < max ? cap : max;
    cap = cap < limit ? cap : limit;
    if (t->rcvbuf_auto_used + (cap - rb->cap) > t->cfg->rcvbuf_auto_mem) {
        t->cnt->tcp_rcvbuf_grow_refused++; /* DESIGN 4: the stack's bound */
        return;
    }
    uint64_t n = cap / (8u * mss);
    n = n < UINT16_MAX ? n : UINT16_MAX;
    if (n > rb->ooo_max && rb_ooo_limit(rb, (uint16_t)n) < 0)
        return;
    uint32_t before = tcp_rcvbuf_grown(t, tcb);
    rb_resize(rb, (uint32_t)cap); /* grows: cannot fail (the ring grows when used) */
    t->rcvbuf_auto_used += tcp_rcvbuf_grown(t, tcb) - before;
    t->cnt->tcp_rcvbuf_grown++;
}

static bool tcp_process_text(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                             uint64_t now)
{
    if (seg->datalen == 0) {
        ack_segment_past_hole(t, tcb, seg);
        return true;
    }
    if (!receiving_text(tcb))
        return true; /* in CLOSE-WAIT and later: ignore the text */
    if (tcb->owner == TCB_ORPHAN || (tcb->flags & TF_SHUT_RD)) {
        /* Nobody will read it: RST to show the data was lost (SHLD-3). */
        t->cnt->tcp_data_after_close++;
        tcp_send_rst(t, tcb, now);
        tcb_drop(t, tcb, -ECONNRESET);
        return false;
    }
    uint16_t held = tcb->rb.n_ooo;
    uint32_t end = seg->data_seq + seg->datalen;
    if (seq_gt(seg->data_seq, tcb->rcv_nxt) && MUTANT(ooo_text_dropped)) {
        tcb->flags |= TF_ACKNOW;
        tcp_output_later(t, tcb);
        return true;
    }
    if (seq_gt(seg->data_seq, tcb->rcv_nxt))
        tcp_sack_ooo_dup(t, tcb, seg->data_seq, end);
    uint32_t placed = place_in_post(tcb, seg);
    int64_t adv = placed;
    if (placed < seg->datalen) {
        int64_t r = rb_store(&tcb->rb, tcb->rcv_nxt + placed, seg->data_seq + placed,
                             seg->data + placed, seg->datalen - placed);
        if (r > 0 || !placed)
            adv += r; /* the rest, when rb had no room, comes again (it is not ACKed) */
    }
    if (adv < 0) {
        t->cnt->tcp_ooo_drop_full++;
        tcb->flags |= TF_ACKNOW;
    } else if (adv == 0) {
        /* Held out of order (SHLD-31); a duplicate ACK at once (RFC 5681 4.2),
         * its first SACK block the one holding this segment (RFC 2018 4). */
        t->cnt->tcp_ooo_segments++;
        tcp_sack_note(tcb, seg->data_seq, end);
        tcb->flags |= TF_ACKNOW;
    } else {
        tcb->rcv_nxt += (uint32_t)adv;
        if (held)
            tcb->flags |= TF_ACKNOW; /* a gap filled: ACK at once (RFC 5681 4.2) */
        else
            ack_in_order_data(t, tcb, seg->datalen, now);
    }
    if (adv >= 0)
        tcp_rcvbuf_grow(t, tcb, end);
    tcp_output_later(t, tcb);
    return true;
}

/* Eighth, the FIN: RCV.NXT advances over it, the application sees the end
 * of the stream, and the state moves on. */
static void tcp_process_fin(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    tcb->flags &= ~TF_FIN_PENDING;
    tcb->flags |= TF_RCVD_FIN | TF_ACKNOW;
    tcb->rcv_nxt++;
    tcp_output_later(t, tcb);
    switch (tcb->state) {
    case SYNACK_SYN_RECEIVED:
    case SYNACK_ESTABLISHED:
        tcb_set_state(t, tcb, SYNACK_CLOSE_WAIT);
        break;
    case SYNACK_FIN_WAIT_1:
        if (tcp_fin_acked(tcb))
            tcp_enter_time_wait(t, tcb, now);
        else
            tcb_set_state(t, tcb, SYNACK_CLOSING);
        break;
    case SYNACK_FIN_WAIT_2:
    case SYNACK_TIME_WAIT:
        tcp_enter_time_wait(t, tcb, now); /* (re)start the 2 MSL timeout */
        break;
    default: /* CLOSE-WAIT, CLOSING, LAST-ACK: remain */
        break;
    }
}

void tcp_input_text_and_fin(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                            uint64_t now)
{
    tcp_process_urg(tcb, seg);
    if (!tcp_process_text(t, tcb, seg, now))
        return;
    if (SEG_HAS(seg, SYNACK_TCP_FIN) && !(tcb->flags & TF_RCVD_FIN)) {
        uint32_t fin_seq = seg->data_seq + seg->datalen;
        if (seq_gt(fin_seq, tcb->rcv_nxt)) {
            tcb->flags |= TF_FIN_PENDING; /* beyond a gap: wait for it */
            tcb->rcv_fin_seq = fin_seq;
            return;
        }
        if (fin_seq == tcb->rcv_nxt) {
            tcp_process_fin(t, tcb, now);
            return;
        }
    }
    if ((tcb->flags & TF_FIN_PENDING) && tcb->rcv_fin_seq == tcb->rcv_nxt)
        tcp_process_fin(t, tcb, now);
}

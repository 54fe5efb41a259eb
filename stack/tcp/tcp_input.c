/* SEGMENT ARRIVES (RFC 9293 3.10.7): the entry point, demultiplexing to a
 * TCB, and the states without a synchronized sequence space: CLOSED
 * (3.10.7.1), LISTEN (3.10.7.2) and SYN-SENT (3.10.7.3). The other states
 * are in tcp_input_sync.c. */
#include <errno.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

/* ---- 3.10.7.1 CLOSED ---- */

static void tcp_input_closed(struct tcp_ctx *t, const struct tcp_seg *seg, uint64_t now)
{
    /* All data is discarded; a RST is discarded; anything else is
     * answered with a RST the sender will accept. */
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        t->cnt->tcp_drop_rst_no_conn++;
        return;
    }
    if (tcp_send_rst_no_conn(t, seg, now))
        t->cnt->tcp_rst_closed_port++;
}

/* Text or FIN carried by a SYN is held in the receive buffer, out of
 * order at RCV.NXT, until the connection is ESTABLISHED ("queued for
 * processing later"). */
void tcp_hold_syn_text(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg)
{
    uint32_t len = seg->datalen;
    uint32_t room = rb_space(&tcb->rb);
    bool fin = SEG_HAS(seg, SYNACK_TCP_FIN);
    if (len > room) {
        len = room;
        fin = false; /* the FIN lies beyond what we keep */
    }
    if (len && rb_hold(&tcb->rb, tcb->rcv_nxt, tcb->rcv_nxt, seg->data, len) < 0) {
        t->cnt->tcp_ooo_drop_full++;
        return;
    }
    if (fin) {
        tcb->flags |= TF_FIN_PENDING;
        tcb->rcv_fin_seq = tcb->rcv_nxt + len;
    }
}

/* ---- 3.10.7.2 LISTEN ---- */

struct tcb *tcp_passive_child(struct tcp_ctx *t, struct tcb *l, const struct tcp_passive *po,
                              uint64_t now)
{
    struct tcp_open_params p = {
        .laddr = po->tu.laddr, /* fill in what the listen left unspecified */
        .lport = po->tu.lport,
        .raddr = po->tu.raddr,
        .rport = po->tu.rport,
        .sndbuf = l->sb.cap,
        .rcvbuf = l->rb.cap,
        .rcv_wscale_min = l->rcv_wscale, /* what the listener's SYN-ACK offered */
        .user_mss = l->user_mss,
        .flags = l->flags,
        .ext = l->opt_offer,
        .recovery = l->recovery,
        .congestion = l->cc->id,
        .tfo_mode = l->tfo_mode,
        .keep_idle = l->keep_idle,
        .keep_intvl = l->keep_intvl,
        .keep_cnt = l->keep_cnt,
        .user_timeout = (uint64_t)l->user_timeout_ms * SYNACK_MSEC,
        .tos = l->tos,
        .ttl = l->ttl,
        .pmtudisc = l->pmtudisc,
        .mtu_probing = l->mtu_probing,
    };
    int err;
    struct tcb *c = tcb_alloc(t, &p, &err);
    if (!c)
        return NULL;
    c->passive = true; /* MUST-11 */
    tcb_child_add(l, c);
    /* RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ; nothing offered yet: RCV.WND starts empty */
    c->irs = c->dupack_seq = po->irs;
    c->rcv_nxt = po->irs + 1;
    c->rcv_up = c->rcv_adv = c->rcv_nxt;
    c->iss = po->iss;
    c->snd_una = c->snd_nxt = c->snd_max = c->snd_up = c->iss;
    c->sb.seq = c->iss + 1;
    c->snd_wnd = c->max_snd_wnd = po->peer_wnd;
    c->snd_wl1 = po->irs;
    c->snd_wl2 = c->iss;
    tcp_syn_prepare(t, c);
    tcp_syn_opts_apply(t, c, &po->opts, now);
    tcb_set_state(t, c, SYNACK_SYN_RECEIVED);
    tcb_hash_insert(t, c);
    return c;
}

/* Third, a SYN. Text (or a FIN) with it is "queued for processing later":
 * that needs buffers, so such a SYN gets a TCB while the listener has
 * fewer than its backlog of them; every other SYN, and those beyond, go to
 * the SYN cache or get a cookie (tcp_syncache.c), their text dropped. */
static void listen_syn(struct tcp_ctx *t, struct tcb *l, struct tcp_seg *seg,
                       const uint32_t *iss_floor, uint64_t now)
{
    t->cnt->tcp_listen_syn++;
    if (l->lst->acceptq_len >= l->lst->backlog) {
        t->cnt->tcp_listen_overflow++; /* nobody accepts: no new handshakes */
        return;
    }
    if (MUTANT(listener_busy_while_syn_received) && (l->lst->syn_len || l->lst->embryonic))
        return;
    struct tcp_passive po = {.tu = {seg->dst, seg->src, seg->dport, seg->sport},
                             .irs = seg->seq,
                             .peer_wnd = (uint16_t)seg->wnd};
    po.iss = tcp_isn(t, &po.tu, now);
    if (iss_floor && !seq_gt(po.iss, *iss_floor) && !MUTANT(timewait_iss_no_floor))
        po.iss = *iss_floor + 1; /* MAY-2 (1): above the old incarnation */
    tcp_syn_opts_take(t, seg, &po.opts);
    if (tcp_tfo_server_syn(t, l, seg, &po, now))
        return; /* RFC 7413: its data taken at once */
    /* A Fast Open SYN whose data was not taken goes to the cache: its
     * SYN-ACK gives a cookie and acknowledges the SYN alone (4.2.2). */
    if (seg->datalen && l->lst->embryonic < l->lst->backlog && t->cfg->syncookies < 2 &&
        !tcp_tfo_listener_asked(l, &po.opts)) {
        struct tcb *c = tcp_passive_child(t, l, &po, now);
        if (c) {
            c->last_rcv = now;
            tcp_hold_syn_text(t, c, seg);
            tcp_output_later(t, c);
        }
        return;
    }
    syncache_syn(t, l, seg, &po, iss_floor != NULL, now);
}

static void tcp_input_listen(struct tcp_ctx *t, struct tcb *l, struct tcp_seg *seg,
                             const uint32_t *iss_floor, uint64_t now)
{
    /* First, check for a RST: it cannot be valid. */
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        t->cnt->tcp_listen_drop_rst++;
        return;
    }
    /* Second, check for an ACK: <SEQ=SEG.ACK><CTL=RST>, unless it is the
     * ACK of a SYN-ACK that carried a cookie (RFC 4987 3.6). */
    if (SEG_HAS(seg, SYNACK_TCP_ACK)) {
        if (!syncache_cookie_ack(t, l, seg, now))
            tcp_send_rst_no_conn(t, seg, now);
        return;
    }
    /* Fourth: other text or control without SYN is dropped. */
    if (!SEG_HAS(seg, SYNACK_TCP_SYN)) {
        t->cnt->tcp_listen_drop_other++;
        return;
    }
    listen_syn(t, l, seg, iss_floor, now);
}

/* ---- 3.10.7.3 SYN-SENT ---- */

void tcp_established(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* A CLOSE issued in SYN-RECEIVED waited for this (3.10.4). */
    if ((tcb->flags & TF_FIN_QUEUED) && tcb->state == SYNACK_SYN_RECEIVED)
        tcb_set_state(t, tcb, SYNACK_FIN_WAIT_1);
    else if (tcb->state == SYNACK_SYN_SENT || tcb->state == SYNACK_SYN_RECEIVED)
        tcb_set_state(t, tcb, SYNACK_ESTABLISHED);
    tcb->flags |= TF_CONNECTED;
    if (!cc_init(tcb))
        t->cnt->tcp_nomem++; /* its algorithm's state: NewReno instead */
    tcp_rec_select(tcb);
    tcp_tfo_child_done(tcb);
    if ((tcb->flags & TF_SYN_LOST) && tcb->rto < t->cfg->rto_syn_lost) {
        tcb->rto = (uint32_t)t->cfg->rto_syn_lost; /* RFC 6298 5.7; =< 1 hour (config.c) */
        tcb->backoff = 0;
    }
    tcb->rtx_count = 0;
    if (tcb->snd_una == tcb->snd_max)
        timer_stop(t, tcb, TT_REXMT);
    tcp_keepalive_reset(t, tcb, now);
}

static void syn_sent_take_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                              uint64_t now)
{
    /* SND.UNA advances to SEG.ACK; the SYN leaves the retransmission queue. */
    if ((tcb->flags & TF_RTT_TIMING) && seq_gt(seg->ack, tcb->rtt_seq)) {
        rtt_sample(t, tcb, now - tcb->rtt_start);
        tcb->flags &= ~TF_RTT_TIMING;
    }
    if (seq_gt(seg->ack, tcb->sb.seq)) { /* data our SYN carried (RFC 7413) */
        uint32_t n = seg->ack - tcb->sb.seq;
        sb_drop(&tcb->sb, n < tcb->sb.len ? n : tcb->sb.len);
        tcb->sb.seq = seg->ack;
    }
    tcb->snd_una = seg->ack;
    if (seq_lt(tcb->snd_nxt, tcb->snd_una))
        tcb->snd_nxt = tcb->snd_una;
    tcp_tfo_syn_ack(t, tcb, seg);
}

static void tcp_input_syn_sent(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                               uint64_t now)
{
    bool ack = SEG_HAS(seg, SYNACK_TCP_ACK);
    /* First, check the ACK bit: SEG.ACK =< ISS or SEG.ACK > SND.NXT is bad. */
    if (ack && (seq_leq(seg->ack, tcb->iss) || seq_gt(seg->ack, tcb->snd_max))) {
        t->cnt->tcp_syn_sent_bad_ack++;
        if (!SEG_HAS(seg, SYNACK_TCP_RST))
            tcp_send_rst_reply(t, seg, now); /* <SEQ=SEG.ACK><CTL=RST> */
        return;
    }
    /* Second, check the RST bit. RCV.NXT is not known yet in SYN-SENT, so
     * the RFC 5961 exact-match test cannot apply; an RST that acknowledges
     * our SYN is the peer refusing the connection. */
    if (SEG_HAS(seg, SYNACK_TCP_RST)) {
        if (ack) {
            t->cnt->tcp_conn_refused++;
            tcb_drop(t, tcb, -ECONNREFUSED);
        } else {
            t->cnt->tcp_syn_sent_drop++;
        }
        return;
    }
    /* Fifth, neither SYN nor RST: drop. */
    if (!SEG_HAS(seg, SYNACK_TCP_SYN)) {
        t->cnt->tcp_syn_sent_drop++;
        return;
    }
    /* Fourth, the SYN bit. */
    tcb->irs = tcb->dupack_seq = seg->seq;
    tcb->rcv_nxt = seg->seq + 1;
    tcb->rcv_up = tcb->rcv_nxt;
    tcb->rcv_adv = tcb->rcv_nxt;
    tcb->last_rcv = now;
    tcp_syn_options(t, tcb, seg, now);
    if (ack)
        syn_sent_take_ack(t, tcb, seg, now);
    tcb->snd_wnd = seg->wnd; /* the window of a SYN is never scaled */
    tcb->max_snd_wnd = seg->wnd;
    tcb->snd_wl1 = seg->seq;
    tcb->snd_wl2 = seg->ack;
    if (seq_gt(tcb->snd_una, tcb->iss)) {
        /* Our SYN is acknowledged: ESTABLISHED, <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
        tcp_established(t, tcb, now);
        if (tcb->snd_una != tcb->snd_max) { /* SYN data left (RFC 7413 4.2.1) */
            if (seg->wnd == 0)
                tcp_window_closed(t, tcb, now); /* probed, not timed out (MUST-35) */
            else /* the ACK of new data restarts the timer (RFC 6298 5.3) */
                timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
        }
        tcb->flags |= TF_ACKNOW;
        tcp_output_later(t, tcb);
        if (seg->datalen || SEG_HAS(seg, SYNACK_TCP_FIN | SYNACK_TCP_URG)) {
            /* continue at the sixth step of 3.10.7.4 with what follows the SYN */
            seg->data_seq = seg->seq + 1;
            uint32_t wnd = rb_space(&tcb->rb);
            if (seg->datalen > wnd) {
                seg->datalen = wnd;
                seg->flags &= (uint8_t)~SYNACK_TCP_FIN;
            }
            tcp_input_text_and_fin(t, tcb, seg, now);
        }
        return;
    }
    /* Simultaneous open (MUST-10): SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>. */
    if (MUTANT(simultaneous_open_rst)) {
        tcp_send_rst(t, tcb, now);
        tcb_drop(t, tcb, -ECONNRESET);
        return;
    }
    tcb_set_state(t, tcb, SYNACK_SYN_RECEIVED);
    tcb->snd_wl2 = tcb->iss;
    tcb->snd_nxt = tcb->iss; /* our SYN goes again, now with the ACK */
    tcp_hold_syn_text(t, tcb, seg);
    tcp_output_later(t, tcb);
}

/* MAY-2: a new SYN for a connection in TIME-WAIT reopens it when its
 * timestamp, or else its sequence number, is above everything of the old
 * incarnation (RFC 6191, SHLD-4) and a listener is there to take it; the
 * new ISS then lies above the old SND.NXT (as Linux does: SND.NXT +
 * 65535 + 2). Returns the listener. */
static struct tcb *time_wait_reopen(struct tcp_ctx *t, const struct tcp_tw_view *v,
                                    const struct tcp_seg *seg, uint32_t *iss_floor)
{
    if (seg->flags != SYNACK_TCP_SYN || !tcp_time_wait_syn_ok(v, seg))
        return NULL;
    struct tcb *l = tcb_lookup_listener(t, &seg->dst, seg->dport);
    if (!l)
        return NULL;
    *iss_floor = v->snd_nxt + 65535u + 1u;
    t->cnt->tcp_timewait_reopened++;
    return l;
}

/* ---- entry ---- */

static void seg_from_header(struct tcp_seg *seg, const struct synack_addr *src,
                            const struct synack_addr *dst, const struct synack_tcp *th)
{
    seg->src = *src;
    seg->dst = *dst;
    seg->sport = th->sport;
    seg->dport = th->dport;
    seg->seq = th->seq;
    seg->ack = th->ack;
    seg->wnd = th->window;
    seg->up = th->urg_ptr;
    seg->flags = th->flags;
    seg->data = th->payload;
    seg->datalen = (uint32_t)th->payload_len;
    seg->len = seg->datalen + ((th->flags & SYNACK_TCP_SYN) ? 1u : 0u) +
               ((th->flags & SYNACK_TCP_FIN) ? 1u : 0u);
    seg->data_seq = seg->seq + ((th->flags & SYNACK_TCP_SYN) ? 1u : 0u);
    static const struct synack_tcp_opts none;
    seg->opts = MUTANT(options_on_syn_only) && !(th->flags & SYNACK_TCP_SYN) ? &none : &th->opts;
}

#ifdef SYNACK_MUTATION
/* RFC 9293 3.1 suggests resetting the connection an illegal option length
 * came on; this mutant applies it to a listener too, which is no
 * connection: the server is gone (MUST-7 asks that the segment be survived). */
void tcp_mutant_close_listener(struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport)
{
    struct tcb *l = tcb_lookup_listener(t, laddr, lport);
    if (l)
        tcb_drop(t, l, -ECONNABORTED);
}
#endif

void tcp_input(struct tcp_ctx *t, const struct synack_addr *src, const struct synack_addr *dst,
               uint8_t ecn, const struct synack_tcp *th, uint64_t now)
{
    struct tcp_seg seg;
    seg_from_header(&seg, src, dst, th);
    seg.ecn = ecn;
    t->cnt->tcp_in++;
    uint32_t iss_floor, *floor = NULL;
    struct tcp_tuple tu = {*dst, *src, th->dport, th->sport};
    struct tcb *tcb = tcb_lookup(t, &tu);
    if (tcb && tcb->state == SYNACK_TIME_WAIT) {
        struct tcp_tw_view v = {tcb->opt_on & TO_TS, tcb->ts_recent, tcb->rcv_nxt, tcb->snd_max};
        struct tcb *l = time_wait_reopen(t, &v, &seg, &iss_floor);
        if (l) {
            tcb_closed(t, tcb);
            tcb = l;
            floor = &iss_floor;
        }
    } else if (!tcb) {
        struct tw_entry *tw = timewait_lookup(t, &tu);
        if (tw) {
            struct tcp_tw_view v = {tw->ts_on, tw->ts_recent, tw->rcv_nxt, tw->snd_nxt};
            tcb = time_wait_reopen(t, &v, &seg, &iss_floor);
            if (!tcb) {
                timewait_input(t, tw, &seg, now);
                goto out;
            }
            timewait_remove(t, tw);
            floor = &iss_floor;
        }
    }
    if (!tcb) {
        struct syn_entry *e = syncache_lookup(t, &tu);
        if (e) {
            syncache_input(t, e, &seg, now);
            goto out;
        }
        tcb = tcb_lookup_listener(t, dst, th->dport);
    }
    if (tcb && tcb->state != SYNACK_LISTEN)
        tcb_touch(t, tcb); /* before: the segment may free it (then it leaves the list) */
    if (!tcb)
        tcp_input_closed(t, &seg, now);
    else if (tcb->state == SYNACK_LISTEN)
        tcp_input_listen(t, tcb, &seg, floor, now);
    else if (tcb->state == SYNACK_SYN_SENT)
        tcp_input_syn_sent(t, tcb, &seg, now);
    else
        tcp_input_synchronized(t, tcb, &seg, now);
out:
    if (!t->batch)
        tcp_flush(t, now);
}

void tcp_kick(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    tcp_output_later(t, tcb);
    if (!t->batch)
        tcp_flush(t, now);
}

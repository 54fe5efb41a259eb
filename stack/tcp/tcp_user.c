/* User calls (RFC 9293 3.10.1-3.10.6): OPEN, SEND, RECEIVE, CLOSE, ABORT,
 * STATUS, as the socket layer makes them. Errors are negative errnos with
 * BSD meanings; the RFC's error strings are quoted beside them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

const char *synack_state_name(enum synack_state st)
{
    static const char *const names[SYNACK_STATE_COUNT] = {
        "CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
        "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT",
    };
    return (unsigned)st < SYNACK_STATE_COUNT ? names[st] : "?";
}

/* OPEN, active (3.10.1): select ISS, send <SEQ=ISS><CTL=SYN>, SYN-SENT. */
int tcp_open_active(struct tcp_ctx *t, const struct tcp_open_params *p, struct tcb **out,
                    uint64_t now)
{
    int err;
    struct tcb *tcb = tcb_alloc(t, p, &err);
    if (!tcb)
        return err; /* "insufficient resources" */
    struct tcp_tuple tu = {p->laddr, p->raddr, p->lport, p->rport};
    tcb->iss = tcp_isn(t, &tu, now);
    tcb->snd_una = tcb->snd_nxt = tcb->snd_max = tcb->snd_up = tcb->iss;
    tcb->sb.seq = tcb->iss + 1;
    tcp_syn_prepare(t, tcb);
    tcb->peer_mss = tcp_default_mss(tcb);
    tcp_update_snd_mss(t, tcb);
    tcp_pmtu_from_cache(t, tcb, now); /* RFC 1191 6.2 */
    tcb->passive = false;
    tcb_set_state(t, tcb, SYNACK_SYN_SENT);
    tcb_hash_insert(t, tcb);
    *out = tcb;
    tcp_tfo_connect(t, tcb);
    tcp_kick(t, tcb, now); /* the SYN, unless it waits for data (RFC 7413) */
    return 0;
}

/* The mutant listen_forgets_port (MUST-41): the connections on lport are
 * dropped, as if the port's state were made anew. */
static void forget_port(struct tcp_ctx *t, uint16_t lport)
{
    for (struct tcb *c = t->all, *next; c; c = next) {
        next = c->next;
        if (c->lport == lport && c->state != SYNACK_LISTEN && c->state != SYNACK_CLOSED)
            tcb_drop(t, c, -ECONNRESET);
    }
}

/* OPEN, passive: LISTEN. The buffers' capacities are the children's. */
int tcp_open_passive(struct tcp_ctx *t, const struct tcp_open_params *p, struct tcb **out)
{
    int err;
    struct tcb *tcb = tcb_alloc(t, p, &err);
    if (!tcb)
        return err;
    if (!(tcb->lst = calloc(1, sizeof *tcb->lst))) {
        t->cnt->tcp_nomem++;
        tcb_free(t, tcb);
        return -ENOMEM;
    }
    tcb->lst->backlog = p->backlog;
    tcb->lst->cookie_sent = TCP_TIMER_OFF;
    if (MUTANT(listen_forgets_port))
        forget_port(t, p->lport);
    tcb_set_state(t, tcb, SYNACK_LISTEN);
    tcb_listen_insert(t, tcb);
    *out = tcb;
    return 0;
}

struct tcb *tcp_accept(struct tcp_ctx *t, struct tcb *listener)
{
    (void)t;
    if (listener->state != SYNACK_LISTEN)
        return NULL;
    return tcb_acceptq_pop(listener);
}

/* A closed TCB's first error, then EPIPE (or ENOTCONN if it never connected). */
static int closed_error(struct tcb *tcb, int never)
{
    int e = tcp_take_error(tcb);
    if (e)
        return e;
    return (tcb->flags & TF_CONNECTED) ? -EPIPE : never;
}

/* SEND (3.10.2). */
ssize_t tcp_send(struct tcp_ctx *t, struct tcb *tcb, const void *buf, size_t len, bool urgent,
                 uint64_t now)
{
    switch (tcb->state) {
    case SYNACK_CLOSED:
        return closed_error(tcb, -ENOTCONN); /* "connection does not exist" */
    case SYNACK_LISTEN:
        return -ENOTCONN;
    case SYNACK_SYN_SENT:
    case SYNACK_SYN_RECEIVED: /* queued until ESTABLISHED */
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
        break;
    default:
        return -EPIPE; /* "connection closing" */
    }
    if (tcb->flags & TF_FIN_QUEUED)
        return -EPIPE;
    if (len > UINT32_MAX)
        len = UINT32_MAX;
    uint32_t n = sb_append(&tcb->sb, buf, (uint32_t)len);
    if (n == 0)
        return len ? -EAGAIN : 0; /* "insufficient resources": the buffer is full */
    if (urgent)
        tcb->snd_up = tcp_data_end(tcb); /* after the last urgent octet (MUST-62) */
    tcp_kick(t, tcb, now);
    return n;
}

/* After a read the window may have opened enough to be worth announcing
 * (3.8.6.2.2): at least two segments, or half the buffer, or from zero. */
static void maybe_window_update(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->state != SYNACK_ESTABLISHED && tcb->state != SYNACK_FIN_WAIT_1 &&
        tcb->state != SYNACK_FIN_WAIT_2)
        return;
    uint32_t cur = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    uint32_t wnd = tcp_rcv_window(tcb);
    if (wnd <= cur)
        return;
    uint32_t grow = wnd - cur;
    if (cur == 0 || grow >= 2u * tcb->rcv_mss || grow >= tcb->rb.cap / 2) {
        tcb->flags |= TF_WND_UPDATE;
        tcp_kick(t, tcb, now);
    }
}

uint32_t tcp_read_seq(const struct tcb *tcb)
{
    return tcb->rcv_nxt - tcb->rb.used - tcb->post_fill;
}

/* Text that landed in the posted buffer: it is read first. Read into the
 * posted buffer itself, it is not copied; read whole, the buffer is the
 * application's again. */
static uint32_t take_posted(struct tcb *tcb, uint8_t *buf, uint32_t n, bool peek)
{
    if (n > tcb->post_fill)
        n = tcb->post_fill;
    if (buf != tcb->post)
        memcpy(buf, tcb->post, n);
    if (peek)
        return n;
    tcb->post_fill -= n;
    if (tcb->post_fill)
        memmove(tcb->post, tcb->post + n, tcb->post_fill);
    else
        tcb->post = NULL;
    return n;
}

/* RECEIVE (3.10.3). */
ssize_t tcp_receive(struct tcp_ctx *t, struct tcb *tcb, void *buf, size_t len, bool peek,
                    bool post, uint64_t now)
{
    if (tcb->state == SYNACK_LISTEN)
        return -ENOTCONN;
    uint32_t want = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    if (tcb->post_fill)
        return want ? take_posted(tcb, buf, want, peek) : 0;
    tcb->post = NULL; /* the application has its buffer back: posted again below */
    if (tcb->rb.used > 0 && !(tcb->flags & TF_SHUT_RD)) {
        uint32_t n = rb_read(&tcb->rb, buf, want, peek);
        uint32_t read_seq = tcp_read_seq(tcb);
        if (seq_lt(tcb->rcv_up, read_seq) || MUTANT(urg_cleared_by_any_read))
            tcb->rcv_up = read_seq; /* keep RCV.UP within 2^31 of the stream */
        if (!peek) {
            maybe_window_update(t, tcb, now);
            rb_release(&tcb->rb); /* when it is empty */
        }
        return n;
    }
    if ((tcb->flags & TF_RCVD_FIN) || (tcb->flags & TF_SHUT_RD))
        return 0; /* end of stream */
    if (tcb->state == SYNACK_CLOSED) {
        int e = tcp_take_error(tcb);
        if (e)
            return e; /* "connection reset" (MUST-12) */
        return (tcb->flags & TF_CONNECTED) ? 0 : -ENOTCONN;
    }
    if (post && want && !peek) { /* the text to come lands in buf */
        tcb->post = buf;
        tcb->post_len = want;
        tcb->post_fill = 0;
    }
    return len ? -EAGAIN : 0; /* queued in spirit: come back when readable */
}

/* CLOSE (3.10.4). */
int tcp_close(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    switch (tcb->state) {
    case SYNACK_CLOSED:
        return (tcb->flags & TF_CONNECTED) || tcb->error ? 0 : -ENOTCONN;
    case SYNACK_LISTEN:
    case SYNACK_SYN_SENT:
        return tcp_abort(t, tcb, now); /* delete the TCB */
    case SYNACK_SYN_RECEIVED:
        tcb->flags |= TF_FIN_QUEUED;
        if (tcb->sb.len == 0)
            tcb_set_state(t, tcb, SYNACK_FIN_WAIT_1);
        break;
    case SYNACK_ESTABLISHED:
        tcb->flags |= TF_FIN_QUEUED;
        tcb_set_state(t, tcb, SYNACK_FIN_WAIT_1);
        break;
    case SYNACK_CLOSE_WAIT:
        tcb->flags |= TF_FIN_QUEUED;
        tcb_set_state(t, tcb, SYNACK_LAST_ACK);
        break;
    default: /* FIN-WAIT-*, CLOSING, LAST-ACK, TIME-WAIT: no second FIN */
        return 0;
    }
    tcp_kick(t, tcb, now);
    return 0;
}

void tcp_shutdown_read(struct tcp_ctx *t, struct tcb *tcb)
{
    (void)t;
    tcb->flags |= TF_SHUT_RD;
    tcb->post = NULL; /* what landed there is discarded too */
    tcb->post_fill = 0;
    rb_read(&tcb->rb, NULL, tcb->rb.used, false); /* what is queued is discarded */
    rb_release(&tcb->rb);
}

/* Abort every child of a listener (3.10.5 for each): each leaves the
 * listener's lists as it goes. */
static void abort_children(struct tcp_ctx *t, struct tcb *l, uint64_t now)
{
    struct tcb *c;
    while ((c = l->lst->acceptq_head ? l->lst->acceptq_head : l->lst->embryo_head)) {
        if (tcp_abort(t, c, now) < 0)
            tcb_free(t, c); /* already CLOSED: just delete */
    }
}

/* ABORT (3.10.5). */
int tcp_abort(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    switch (tcb->state) {
    case SYNACK_CLOSED:
        return -ENOTCONN;
    case SYNACK_LISTEN:
        abort_children(t, tcb, now);
        break;
    case SYNACK_SYN_RECEIVED:
    case SYNACK_ESTABLISHED:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_FIN_WAIT_2:
    case SYNACK_CLOSE_WAIT:
        tcp_send_rst(t, tcb, now); /* <SEQ=SND.NXT><CTL=RST> */
        break;
    default: /* SYN-SENT, CLOSING, LAST-ACK, TIME-WAIT: just delete */
        break;
    }
    sb_drop(&tcb->sb, tcb->sb.len);
    sb_release(&tcb->sb);
    rb_ooo_clear(&tcb->rb);
    rb_release(&tcb->rb);
    tcb_closed(t, tcb);
    return 0;
}

void tcp_release(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->state == SYNACK_TIME_WAIT && !(tcb->flags & TF_PENDING)) {
        tcb_orphan(t, tcb);
        if (timewait_from_tcb(t, tcb))
            return; /* freed: a record stays */
    }
    if (tcb->state != SYNACK_CLOSED && tcb->state != SYNACK_TIME_WAIT &&
        t->n_orphans >= t->cfg->orphan_max) {
        /* Too many connections nobody holds: this one ends now, with a
         * RST so the peer knows (as Linux does past tcp_max_orphans). */
        t->cnt->tcp_orphan_limit++;
        tcp_abort(t, tcb, now);
    }
    tcb_orphan(t, tcb);
    if (tcb->state == SYNACK_CLOSED) {
        tcb_free(t, tcb);
        return;
    }
    if (tcb->state == SYNACK_FIN_WAIT_2)
        timer_set(t, tcb, TT_2MSL, now + t->cfg->fin_wait_2);
}

/* STATUS (3.10.6). */
void tcp_status(const struct tcp_ctx *t, const struct tcb *tcb, struct synack_tcp_info *i)
{
    memset(i, 0, sizeof *i);
    i->state = (uint8_t)tcb->state;
    i->passive = tcb->passive;
    i->snd_wscale = tcb->snd_wscale;
    i->rcv_wscale = (tcb->opt_on & TO_WSCALE) ? tcb->rcv_wscale : 0;
    i->options = (uint8_t)(((tcb->opt_on & TO_TS) ? SYNACK_TCPI_OPT_TIMESTAMPS : 0) |
                           ((tcb->opt_on & TO_SACK) ? SYNACK_TCPI_OPT_SACK : 0) |
                           ((tcb->opt_on & TO_WSCALE) ? SYNACK_TCPI_OPT_WSCALE : 0) |
                           ((tcb->opt_on & TO_ECN) ? SYNACK_TCPI_OPT_ECN : 0) |
                           ((tcb->flags & TF_ECN_SEEN) ? SYNACK_TCPI_OPT_ECN_SEEN : 0));
    i->recovery = tcb->recovery;
    i->congestion = tcb->cc->id;
    i->ts_recent = tcb->ts_recent;
    i->sacked_out = tcb->sacked_out;
    i->lost_out = tcb->lost_out;
    i->pipe = tcb->rec->scoreboard ? tcp_sb_pipe(tcb) : tcb->snd_max - tcb->snd_una;
    i->dsacks = tcb->dsacks_rcvd;
    i->tlp_probes = tcb->tlp_probes;
    i->rack_min_rtt_us = tcb->rack_min_rtt;
    i->rack_reord = tcb->rack_reord;
    i->in_recovery = (tcb->flags & TF_IN_RECOVERY) ? 1 : (tcb->flags & TF_IN_LOSS) ? 2 : 0;
    if (tcb->flags & TF_TFO_SYN_DATA)
        i->options |= SYNACK_TCPI_OPT_SYN_DATA; /* RFC 7413: the SYN's data was taken */
    i->laddr = tcb->laddr;
    i->raddr = tcb->raddr;
    i->lport = tcb->lport;
    i->rport = tcb->rport;
    i->iss = tcb->iss;
    i->snd_una = tcb->snd_una;
    i->snd_nxt = tcb->snd_nxt;
    i->snd_max = tcb->snd_max;
    i->snd_wnd = tcb->snd_wnd;
    i->snd_wl1 = tcb->snd_wl1;
    i->snd_wl2 = tcb->snd_wl2;
    i->snd_up = tcb->snd_up;
    i->irs = tcb->irs;
    i->rcv_nxt = tcb->rcv_nxt;
    i->rcv_wnd = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    i->rcv_up = tcb->rcv_up;
    i->snd_mss = tcb->snd_mss;
    i->rcv_mss = tcb->rcv_mss;
    i->max_snd_wnd = tcb->max_snd_wnd;
    i->srtt_us = tcb->srtt;
    i->rttvar_us = tcb->rttvar;
    i->rto_us = rto_current(t, tcb); /* backed off, at most the maximum */
    i->cwnd = tcb->cwnd;
    i->ssthresh = tcb->ssthresh;
    i->backoff = tcb->backoff;
    i->retransmits = tcb->rtx_count;
    i->total_retrans = tcb->total_retrans;
    i->unacked = tcb->snd_max - tcb->snd_una;
    i->sndbuf_used = tcb->sb.len;
    i->sndbuf_size = tcb->sb.cap;
    i->rcvbuf_used = tcb->rb.used;
    i->rcvbuf_size = tcb->rb.cap;
    i->ooo_intervals = tcb->rb.n_ooo;
    uint32_t read_seq = tcp_read_seq(tcb);
    i->urgent_pending = seq_gt(tcb->rcv_up, read_seq) ? tcb->rcv_up - read_seq : 0;
    i->soft_error = tcb->soft_error;
}

bool tcp_tfo_deferred(const struct tcb *tcb)
{
    return tcb->state == SYNACK_SYN_SENT && (tcb->flags & TF_TFO_DEFER) &&
           tcb->snd_max == tcb->iss;
}

int tcp_events(const struct tcb *tcb)
{
    int ev = 0;
    if (tcb->state == SYNACK_LISTEN)
        return tcb->lst->acceptq_len ? SYNACK_POLLIN : 0;
    bool closed = tcb->state == SYNACK_CLOSED;
    if (tcb->rb.used || tcb->post_fill || (tcb->flags & (TF_RCVD_FIN | TF_SHUT_RD)) || closed)
        ev |= SYNACK_POLLIN;
    if (tcb->flags & TF_RCVD_FIN)
        ev |= SYNACK_POLLRDHUP;
    if ((tcb->state == SYNACK_ESTABLISHED || tcb->state == SYNACK_CLOSE_WAIT) &&
        !(tcb->flags & TF_FIN_QUEUED) && sb_space(&tcb->sb) > 0)
        ev |= SYNACK_POLLOUT;
    if (tcp_tfo_deferred(tcb))
        ev |= SYNACK_POLLOUT; /* RFC 7413: the first send makes the SYN */
    if (tcb->error)
        ev |= SYNACK_POLLERR;
    if (closed || ((tcb->flags & TF_RCVD_FIN) && (tcb->flags & TF_FIN_QUEUED)))
        ev |= SYNACK_POLLHUP;
    if (closed)
        ev |= SYNACK_POLLOUT; /* as BSD and Linux: a write does not block, it fails */
    uint32_t read_seq = tcp_read_seq(tcb);
    if (seq_gt(tcb->rcv_up, read_seq) && tcb->state != SYNACK_CLOSED && !MUTANT(urg_no_pollpri))
        ev |= SYNACK_POLLPRI; /* urgent data ahead (MUST-32) */
    return ev;
}

int tcp_take_error(struct tcb *tcb)
{
    int e = tcb->error;
    tcb->error = 0;
    return e;
}

int tcp_set_buffers(struct tcp_ctx *t, struct tcb *tcb, uint32_t sndbuf, uint32_t rcvbuf,
                    uint64_t now)
{
    if (rcvbuf) {
        tcp_rcvbuf_uncharge(t, tcb);
        tcb->flags &= ~TF_RCVBUF_AUTO; /* the application's size stays */
    }
    if (tcb->state == SYNACK_LISTEN) {
        if (sndbuf)
            tcb->sb.cap = sndbuf;
        if (rcvbuf)
            tcb->rb.cap = rcvbuf;
        return 0;
    }
    if (sndbuf && sb_resize(&tcb->sb, sndbuf) < 0)
        return -ENOMEM;
    /* The window already announced is not taken back (3.8.6.2.2, SHLD-14):
     * the peer may fill it, so the buffer keeps room for it. */
    uint32_t wnd = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    if (rcvbuf && rcvbuf < tcb->rb.used + wnd)
        rcvbuf = tcb->rb.used + wnd;
    if (rcvbuf && rb_resize(&tcb->rb, rcvbuf) < 0)
        return -ENOMEM;
    maybe_window_update(t, tcb, now);
    return 0;
}

void tcp_set_nodelay(struct tcp_ctx *t, struct tcb *tcb, bool on, uint64_t now)
{
    if (on) {
        tcb->flags |= TF_NODELAY;
        tcp_kick(t, tcb, now); /* what Nagle held goes now */
    } else {
        tcb->flags &= ~TF_NODELAY;
    }
}

void tcp_set_keepalive(struct tcp_ctx *t, struct tcb *tcb, bool on, uint64_t idle,
                       uint64_t intvl, uint32_t cnt, uint64_t now)
{
    if (on)
        tcb->flags |= TF_KEEPALIVE;
    else
        tcb->flags &= ~TF_KEEPALIVE;
    tcb->keep_idle = idle;
    tcb->keep_intvl = intvl;
    tcb->keep_cnt = cnt;
    if (tcb->state != SYNACK_LISTEN)
        tcp_keepalive_reset(t, tcb, now);
}

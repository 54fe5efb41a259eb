/* Output: what a TCB sends and when (RFC 9293 3.7, 3.8.6, 3.10), and the
 * construction of every segment. Input and timers decide that something is
 * due; this file decides what goes on the wire. */
#include <string.h>

#include "tcp/tcp_internal.h"
#include "util/mutant.h"

/* ---- the window we announce (3.8.6.2.2, SHLD-14) ---- */

uint32_t tcp_window_to_offer(uint32_t space, uint32_t max, uint32_t cur, uint32_t step)
{
    uint32_t wnd = space < max ? space : max;
    if (wnd <= cur)
        return cur; /* never move the right edge left (SHLD-14) */
    /* Receiver SWS avoidance: move the right edge only by at least
     * min(RCV.BUFF / 2, Eff.snd.MSS) (MUST-39). */
    if (wnd - cur < step && !MUTANT(receiver_sws_off))
        return cur;
    return wnd;
}

uint32_t tcp_rcv_window(const struct tcb *tcb)
{
    uint32_t cur = seq_gt(tcb->rcv_adv, tcb->rcv_nxt) ? tcb->rcv_adv - tcb->rcv_nxt : 0;
    uint32_t half = tcb->rb.cap / 2;
    return tcp_window_to_offer(rb_space(&tcb->rb), TCP_MAX_WIN << tcb->rcv_wscale, cur,
                               half < tcb->snd_mss ? half : tcb->snd_mss);
}

/* ---- building and sending one segment ---- */

/* The window field for wnd octets, scaled by Rcv.Wind.Shift. Rounding
 * down could move the right edge left of what was offered (RFC 7323 2.4):
 * round up instead when the buffer has the room. */
static uint16_t window_field(const struct tcb *tcb, uint32_t wnd)
{
    uint8_t s = tcb->rcv_wscale;
    uint32_t f = wnd >> s;
    if ((f << s) < wnd && f < TCP_MAX_WIN && ((f + 1) << s) <= rb_space(&tcb->rb))
        f++;
    return (uint16_t)(f > TCP_MAX_WIN ? TCP_MAX_WIN : f);
}

/* The urgent pointer of a segment starting at seq (MUST-62: SND.UP points
 * to the octet after the urgent data). */
static void set_urgent(const struct tcb *tcb, uint32_t seq, struct synack_tcp *h)
{
    if (!seq_gt(tcb->snd_up, seq) || !seq_gt(tcb->snd_up, tcb->snd_una))
        return;
    uint32_t off = tcb->snd_up - seq - MUT(urg_ptr_at_last_octet, 1u, 0u);
    h->flags |= SYNACK_TCP_URG;
    h->urg_ptr = (uint16_t)(off > 0xffffu ? 0xffffu : off);
}

/* Send [seq, seq+len) of the send buffer with flags; SYN and FIN are taken
 * from flags. Every segment but the first SYN carries an ACK. */
/* RFC 3168 6.1: on an ECN connection ECE rides on every ACK while a CE
 * mark waits for the sender's CWR (6.1.3); the first new data after a
 * reduction carries CWR (6.1.2); new data, and only new data, goes ECN-
 * capable (ECT(0)): not SYNs (6.1.1), pure ACKs, retransmissions (6.1.5)
 * or window probes (6.1.6). Returns the IP TOS octet to send. */
static uint8_t ecn_mark(struct tcb *tcb, uint32_t seq, uint8_t *flags, uint32_t len)
{
    uint8_t tos = tcb->tos & (uint8_t)~3u;
    if (!(tcb->opt_on & TO_ECN) || (*flags & SYNACK_TCP_SYN))
        return tcb->tos;
    if ((tcb->flags & TF_ECE_PENDING) && (*flags & SYNACK_TCP_ACK))
        *flags |= SYNACK_TCP_ECE;
    bool fresh = len && !seq_lt(seq, tcb->snd_max) && !(tcb->flags & TF_PERSIST);
    if (!fresh)
        return tos;
    if (tcb->flags & TF_SEND_CWR) {
        *flags |= SYNACK_TCP_CWR;
        tcb->flags &= ~TF_SEND_CWR;
    }
    return tos | 2u; /* ECT(0) */
}

/* The checksum over the pseudo-header of either family (RFC 9293 3.1,
 * RFC 8200 8.1). */
static void seg_checksum(uint8_t *seg, size_t len, const struct synack_addr *src,
                         const struct synack_addr *dst)
{
    if (dst->family == SYNACK_AF_INET6)
        synack_tcp_checksum_set6(seg, len, src->a, dst->a);
    else
        synack_tcp_checksum_set(seg, len, synack_addr_v4(src), synack_addr_v4(dst));
}

/* The segment's text and its checksum (MUST-2). A link that takes pieces
 * gets the text where it lies in the send buffer, and the checksum to
 * complete when it can (SYNACK_LINK_CSUM); otherwise the text is copied
 * after the header and checksummed in the same pass. */
static void segment_text(const struct tcp_ctx *t, const struct tcb *tcb, struct tcp_out *o,
                         uint32_t off)
{
    uint8_t *seg = o->pkt + TCP_IP_HEADROOM;
    uint32_t len = (uint32_t)(o->len - o->hlen);
    uint32_t sum = synack_cksum_pseudo_addr(o->src, o->dst, SYNACK_IPPROTO_TCP, (uint32_t)o->len);
    if (!(t->link_caps & TCP_LINK_SENDV)) {
        if (MUTANT(checksum_over_header_only))
            sum = synack_cksum_pseudo_addr(o->src, o->dst, SYNACK_IPPROTO_TCP,
                                           (uint32_t)o->hlen);
        sum = synack_cksum_add(sum, seg, o->hlen);
        uint32_t all = sb_copy_sum(&tcb->sb, off, seg + o->hlen, len, sum, o->hlen);
        synack_put16(seg + 16, synack_cksum_fold(MUT(checksum_over_header_only, sum, all)));
        return;
    }
    const uint8_t *base[2];
    uint32_t n[2];
    o->ntext = sb_pieces(&tcb->sb, off, len, base, n);
    for (unsigned i = 0; i < o->ntext; i++)
        o->text[i] = (struct synack_iov){base[i], n[i]};
    if (t->link_caps & SYNACK_LINK_CSUM) {
        synack_put16(seg + 16, (uint16_t)~synack_cksum_fold(sum)); /* the pseudo-header's */
        o->pkt_flags |= SYNACK_PKT_CSUM_PARTIAL;
        return;
    }
    sum = synack_cksum_add(sum, seg, o->hlen);
    for (unsigned i = 0, at = (unsigned)o->hlen; i < o->ntext; at += n[i], i++)
        sum = synack_cksum_add_at(sum, base[i], n[i], at);
    synack_put16(seg + 16, synack_cksum_fold(sum));
}

#ifdef SYNACK_MUTATION
/* The mutant sackok_without_length (MUST-68): SACK-permitted, which has no
 * data, written as its kind octet alone as if it were NOP (a NOP before it
 * keeps the option area's size). */
static void mutant_sackok_bare(uint8_t *opts, size_t optlen)
{
    struct synack_tcp_opt opt;
    size_t off = 0;
    while (synack_tcp_opt_next(opts, optlen, &off, &opt, NULL) == 1)
        if (opt.kind == TCPOPT_SACK_PERM) {
            opts[opt.offset] = TCPOPT_NOP;
            opts[opt.offset + 1] = TCPOPT_SACK_PERM;
            return;
        }
}
#endif

/* Send [seq, seq+len); longer than gso, the link cuts it into segments of
 * gso octets of text each (TSO). */
static void tcp_xmit_gso(struct tcp_ctx *t, struct tcb *tcb, uint32_t seq, uint8_t flags,
                         uint32_t len, uint32_t gso, uint64_t now)
{
    uint8_t *seg = t->pkt + TCP_IP_HEADROOM;
    uint8_t tos = ecn_mark(tcb, seq, &flags, len);
    uint8_t opts[SYNACK_TCP_OPT_MAX];
    struct synack_tcp_opts o;
    tcp_opts_fill(t, tcb, flags, &o, now);
    size_t optlen = synack_tcp_opts_build(opts, sizeof opts, &o, NULL);
    if (MUTANT(option_padding_not_zero) && optlen && optlen + 4 <= sizeof opts) {
        memcpy(opts + optlen, "\0\xff\xff\xff", 4); /* EOL, then garbage */
        optlen += 4;
    }
#ifdef SYNACK_MUTATION
    if (MUTANT(sackok_without_length))
        mutant_sackok_bare(opts, optlen);
#endif
    struct synack_tcp h = {
        .sport = tcb->lport,
        .dport = tcb->rport,
        .seq = seq,
        .flags = flags,
    };
    if (flags & (SYNACK_TCP_ACK | SYNACK_TCP_SYN)) {
        uint32_t wnd = tcp_rcv_window(tcb);
        uint32_t announced;
        if (flags & SYNACK_TCP_SYN) { /* the window of a SYN is never scaled (RFC 7323 2.2) */
            h.window = (uint16_t)(wnd > TCP_MAX_WIN ? TCP_MAX_WIN : wnd);
            announced = h.window;
        } else {
            h.window = window_field(tcb, wnd);
            announced = (uint32_t)h.window << tcb->rcv_wscale;
        }
        if (seq_gt(tcb->rcv_nxt + announced, tcb->rcv_adv) || (flags & SYNACK_TCP_SYN))
            tcb->rcv_adv = tcb->rcv_nxt + announced;
    }
    if (flags & SYNACK_TCP_ACK) {
        h.ack = tcb->rcv_nxt;
        tcb->last_ack_sent = tcb->rcv_nxt; /* RFC 7323 4.3 Last.ACK.sent */
        tcb->flags &= ~(TF_ACKNOW | TF_WND_UPDATE | TF_DSACK);
        tcb->delack_octets = 0;
        timer_stop(t, tcb, TT_DELACK);
    }
    if (len)
        set_urgent(tcb, seq, &h);
    size_t hlen = synack_tcp_build(seg, t->pkt_cap - TCP_IP_HEADROOM, &h, opts, optlen, NULL);
    struct tcp_out out = {.pkt = t->pkt, .hlen = hlen, .len = hlen + len, .src = &tcb->laddr,
                          .dst = &tcb->raddr, .tos = tos, .ttl = tcb->ttl,
                          /* RFC 1191 3: DF on what we send, unless IP_PMTUDISC_DONT */
                          .df = tcb->pmtudisc != PMTUD_DONT};
    if (gso && len > gso) {
        out.pkt_flags |= SYNACK_PKT_GSO;
        out.gso_size = (uint16_t)gso;
    }
    /* the text after a SYN starts one further (RFC 7413 data) */
    segment_text(t, tcb, &out, seq + ((flags & SYNACK_TCP_SYN) ? 1u : 0u) - tcb->sb.seq);
    t->cnt->tcp_out++;
    if (len || (flags & (SYNACK_TCP_SYN | SYNACK_TCP_FIN)))
        tcb->last_data_send = now;
    t->ip_output(t->out_ctx, &out, now);
}

static void tcp_xmit(struct tcp_ctx *t, struct tcb *tcb, uint32_t seq, uint8_t flags,
                     uint32_t len, uint64_t now)
{
    tcp_xmit_gso(t, tcb, seq, flags, len, 0, now);
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. The RFC's SND.NXT never moves back;
 * ours does after a timeout (go-back to SND.UNA), so SND.MAX stands for it:
 * an ACK at a SEQ the peer has already passed fails its acceptability test
 * (3.10.7.4 first) and is dropped, ACK field and window with it (as BSD). */
/* Forward: the SYN a TCB has yet to send. */
static void output_syn(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);

/* Our SYN-ACK is due but not sent yet (held by an open batch), in
 * SYN-RECEIVED or in the FIN-WAIT-1 a CLOSE there leads to (3.10.4): the
 * peer cannot place <SEQ=ISS> before it has seen our SYN. */
static bool syn_ack_waiting(const struct tcb *tcb)
{
    return tcb->state != SYNACK_SYN_SENT && tcb->snd_una == tcb->iss &&
           tcb->snd_nxt == tcb->iss;
}

void tcp_send_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* In SYN-RECEIVED <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> answers what
     * is unacceptable (3.10.7.4 first); while the SYN-ACK itself still
     * waits, the SYN-ACK is that answer and goes now. */
    if (syn_ack_waiting(tcb)) {
        output_syn(t, tcb, now);
        return;
    }
    tcp_xmit(t, tcb, tcb->snd_max, SYNACK_TCP_ACK, 0, now);
}

/* RFC 5961 7: a stack-wide budget of challenge ACKs per second. */
bool tcp_challenge_ack_allowed(struct tcp_ctx *t, uint64_t now)
{
    if (!rate_limit_take(&t->chack_limit, t->cfg->challenge_ack_limit, now)) {
        t->cnt->tcp_challenge_ack_limited++;
        return false;
    }
    return true;
}

void tcp_send_challenge_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcp_challenge_ack_allowed(t, now))
        tcp_send_ack(t, tcb, now);
}

void tcp_send_bare(struct tcp_ctx *t, const struct tcp_bare *b, uint64_t now)
{
    uint8_t *seg = t->pkt + TCP_IP_HEADROOM;
    uint8_t opts[SYNACK_TCP_OPT_MAX];
    size_t optlen = b->opts ? synack_tcp_opts_build(opts, sizeof opts, b->opts, NULL) : 0;
#ifdef SYNACK_MUTATION
    if (MUTANT(sackok_without_length))
        mutant_sackok_bare(opts, optlen);
#endif
    struct synack_tcp h = {.sport = b->sport, .dport = b->dport, .seq = b->seq, .ack = b->ack,
                           .flags = b->flags, .window = b->wnd};
    size_t hlen = synack_tcp_build(seg, t->pkt_cap - TCP_IP_HEADROOM, &h, opts, optlen, NULL);
    seg_checksum(seg, hlen, &b->src, &b->dst);
    t->cnt->tcp_out++;
    if (b->flags & SYNACK_TCP_RST)
        t->cnt->tcp_rst_sent++;
    struct tcp_out o = {.pkt = t->pkt, .hlen = hlen, .len = hlen, .src = &b->src,
                        .dst = &b->dst, .tos = b->tos, .ttl = b->ttl, .df = !b->no_df};
    t->ip_output(t->out_ctx, &o, now);
}

static void send_rst_raw(struct tcp_ctx *t, struct synack_addr src, struct synack_addr dst, uint16_t sport,
                         uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
                         uint8_t tos, uint8_t ttl, uint64_t now)
{
    struct tcp_bare b = {.src = src, .dst = dst, .sport = sport, .dport = dport, .seq = seq,
                         .ack = ack, .flags = flags, .tos = tos, .ttl = ttl};
    tcp_send_bare(t, &b, now);
}

/* RFC 9293 3.10.7.1: a RST the sender of seg will find acceptable. */
void tcp_send_rst_reply(struct tcp_ctx *t, const struct tcp_seg *seg, uint64_t now)
{
    if (SEG_HAS(seg, SYNACK_TCP_RST))
        return; /* never answer a RST with a RST */
    if (SEG_HAS(seg, SYNACK_TCP_ACK))
        send_rst_raw(t, seg->dst, seg->src, seg->dport, seg->sport, seg->ack, 0,
                     SYNACK_TCP_RST, 0, t->cfg->ttl, now);
    else
        send_rst_raw(t, seg->dst, seg->src, seg->dport, seg->sport, 0, seg->seq + seg->len,
                     SYNACK_TCP_RST | SYNACK_TCP_ACK, 0, t->cfg->ttl, now);
}

/* The RST of 3.10.7.1 (and of an ACK to a listener, 3.10.7.2) for a
 * segment that matches no connection, under the stack-wide rst_limit:
 * unlimited, every stray segment would be reflected. False when the
 * limit kept it back (counted). */
bool tcp_send_rst_no_conn(struct tcp_ctx *t, const struct tcp_seg *seg, uint64_t now)
{
    if (!rate_limit_take(&t->rst_limit, t->cfg->rst_limit, now)) {
        t->cnt->tcp_rst_ratelimited++;
        return false;
    }
    tcp_send_rst_reply(t, seg, now);
    return true;
}

/* RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST>. */
void tcp_send_rst(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* A connection that has sent nothing, not even its SYN (a SYN-ACK held
     * by a batch), is unknown to the peer: <SEQ=ISS> would reset nothing. */
    if (tcb->snd_max == tcb->iss) {
        t->cnt->tcp_rst_unsent++;
        return;
    }
    struct synack_tcp_opts o; /* timestamps: RFC 7323 3.2 (SHOULD) */
    tcp_opts_fill(t, tcb, SYNACK_TCP_RST, &o, now);
    struct tcp_bare b = {.src = tcb->laddr, .dst = tcb->raddr, .sport = tcb->lport,
                         .dport = tcb->rport, .flags = SYNACK_TCP_RST,
                         .seq = MUT(abort_rst_at_una, tcb->snd_una, tcb->snd_max),
                         .tos = tcb->tos, .ttl = tcb->ttl, .opts = &o};
    tcp_send_bare(t, &b, now);
}

/* ---- effective MSS (3.7.1) ---- */

uint16_t tcp_our_mss(const struct tcp_ctx *t, uint16_t family, uint16_t user_mss)
{
    /* MMS_R - 20 (MUST-67): the IP header (20 or 40, RFC 8200 8.3) and TCP's */
    uint32_t mss = t->cfg->mtu - (family == SYNACK_AF_INET6 ? 60u : MUT(mss_announced_mtu_minus_20, 20u, 40u));
    if (user_mss && user_mss < mss)
        mss = user_mss;
    return (uint16_t)mss;
}

void tcp_update_snd_mss(const struct tcp_ctx *t, struct tcb *tcb)
{
    /* Eff.snd.MSS = min(SendMSS+20, MMS_S) - TCPhdrsize - IPoptionsize (MUST-16),
     * with MMS_S = path MTU - 20 (RFC 1191 6.1; - 40 over IPv6, RFC 8200 8.3); TCPhdrsize counts the
     * options every segment carries (timestamps: RFC 7323 3.2, RFC 6691). */
    uint32_t mms_s = tcp_path_mtu(t, tcb) - tcp_ip_hlen(tcb);
    uint32_t send = (uint32_t)tcb->peer_mss + 20u;
    uint32_t eff = (send < mms_s ? send : mms_s) - 20u;
    if (tcb->user_mss && tcb->user_mss < eff)
        eff = tcb->user_mss;
    uint32_t opts = MUT(eff_mss_ignores_options, 0u, tcp_opts_overhead(tcb));
    eff = eff > opts ? eff - opts : 0;
    tcb->snd_mss = (uint16_t)(eff ? eff : 1);
}

/* ---- when to send data: sender SWS avoidance and Nagle ---- */

/* Octets the window allows beyond SND.NXT: min(SND.WND, cwnd) from SND.UNA
 * (RFC 5681 2), cwnd with limited transmit's allowance (RFC 3042); with the
 * scoreboard, cwnd less pipe (RFC 6675 SetPipe). Never negative when the
 * peer shrinks its window (MUST-34), so nothing new is sent then
 * (SHLD-15). A tail loss probe is bound by the peer's window alone (RFC
 * 8985 7.3). */
static uint32_t usable_window(const struct tcb *tcb, bool probe)
{
    uint32_t used = tcb->snd_nxt - tcb->snd_una;
    uint32_t rwnd = tcb->snd_wnd > used || MUTANT(shrunk_window_wraps) ? tcb->snd_wnd - used : 0;
    if (probe)
        return rwnd;
    uint32_t room;
    if (tcb->rec->scoreboard) {
        uint32_t pipe = tcp_sb_pipe(tcb);
        room = tcb->cwnd > pipe ? tcb->cwnd - pipe : 0;
    } else {
        uint32_t cwnd = cc_send_window(tcb);
        room = cwnd > used ? cwnd - used : 0;
    }
    return rwnd < room ? rwnd : room;
}

/* RFC 9293 3.8.6.2.1 (MUST-38) with the Nagle algorithm (3.7.4, SHLD-7) for
 * a segment of len < Eff.snd.MSS octets. Every SEND is pushed here. */
static bool small_segment_ok(const struct tcb *tcb, uint32_t len, uint32_t unsent)
{
    bool idle = tcb->snd_nxt == tcb->snd_una && tcb->snd_max == tcb->snd_una && !MUTANT(nagle_holds_when_idle);
    if (MUTANT(sender_sws_off))
        return true;
    if (len == unsent && (idle || (tcb->flags & TF_NODELAY)))
        return true; /* all queued data goes now, and Nagle permits */
    if (tcb->max_snd_wnd && len >= tcb->max_snd_wnd / 2 && (idle || (tcb->flags & TF_NODELAY)))
        return true; /* at least Fs = 1/2 of the largest window seen */
    return false;
}

static bool may_send_data(const struct tcb *tcb)
{
    switch (tcb->state) {
    case SYNACK_ESTABLISHED:
    case SYNACK_CLOSE_WAIT:
    case SYNACK_FIN_WAIT_1:
    case SYNACK_CLOSING:
    case SYNACK_LAST_ACK:
        return tcb->snd_una != tcb->iss; /* our SYN is acknowledged */
    default:
        return false;
    }
}

static void start_rexmt_timer(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!timer_on(tcb, TT_REXMT))
        timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
}

/* With a link that cuts segments (TSO): new data goes as many segments at
 * once as the window, the link and the scoreboard take, one datagram the
 * link cuts into segments of `room` octets. Only whole segments, but for
 * the last of the data when Nagle would let it go (TCP_NODELAY): a small
 * one is held as it would be alone (3.7.4). */
static uint32_t tso_len(const struct tcp_ctx *t, const struct tcb *tcb, uint32_t room,
                        uint32_t unsent, uint32_t win)
{
    uint32_t segs = (t->tso_max - TCP_IP_HEADROOM - 60u) / room; /* 60: the longest header */
    if (tcb->rec->scoreboard && tcp_sb_room(tcb) < segs)
        segs = tcp_sb_room(tcb); /* one entry per segment, as without TSO */
    uint64_t len = (uint64_t)segs * room;
    if (len > unsent)
        len = unsent;
    if (len > win)
        len = win;
    if (len > room && len % room && !(len == unsent && (tcb->flags & TF_NODELAY)))
        len -= len % room;
    return (uint32_t)len;
}

/* Send one data and/or FIN segment at SND.NXT if the rules allow; returns
 * whether it did (and may go on). */
static bool output_one(struct tcp_ctx *t, struct tcb *tcb, uint64_t now, bool probe)
{
    uint32_t end = tcp_data_end(tcb);
    uint32_t unsent = seq_lt(tcb->snd_nxt, end) ? end - tcb->snd_nxt : 0;
    uint32_t win = usable_window(tcb, probe);
    uint32_t room = tcp_seg_room(tcb);
    uint32_t len = unsent < room ? unsent : room;
    if (len > win)
        len = win;
    if (len == room && (t->link_caps & SYNACK_LINK_TSO) && !probe &&
        !seq_lt(tcb->snd_nxt, tcb->snd_max) &&
        (tcb->raddr.family != SYNACK_AF_INET6 || (t->link_caps & SYNACK_LINK_TSO6)))
        len = tso_len(t, tcb, room, unsent, win);
    /* The FIN follows the last octet and needs one unit of window. */
    bool fin = (tcb->flags & TF_FIN_QUEUED) && tcb->state != SYNACK_ESTABLISHED &&
               tcb->state != SYNACK_CLOSE_WAIT && len == unsent && win > len &&
               seq_leq(tcb->snd_nxt, end);
    if (len == 0 && !fin)
        return false;
    if (!probe && !tcp_pace_ok(t, tcb, now))
        return false;
    /* Octets sent before (a go-back after a timeout or a smaller path MTU)
     * go again whatever their size, as BSD does: SWS avoidance and Nagle
     * are about new data. */
    bool resend = seq_lt(tcb->snd_nxt, tcb->snd_max);
    if (len > 0 && len < room && !fin && !resend && !(tcb->flags & TF_SWS_OVERRIDE) &&
        !small_segment_ok(tcb, len, unsent))
        return false;
    uint8_t flags = SYNACK_TCP_ACK;
    if (len && len == unsent && !MUTANT(psh_never))
        flags |= SYNACK_TCP_PSH; /* the last buffered segment (MUST-61) */
    if (fin)
        flags |= SYNACK_TCP_FIN;
    uint32_t seq = tcb->snd_nxt;
    bool fresh = !seq_lt(seq, tcb->snd_max);
    if (fresh && tcb->rec->scoreboard && !tcp_sb_room(tcb)) {
        t->cnt->tcp_txmap_full++; /* the board's bound: wait for ACKs */
        return false;
    }
    tcp_xmit_gso(t, tcb, seq, flags, len, room, now);
    tcp_paced(tcb, len, now);
    for (uint32_t off = 0; tcb->rec->scoreboard && (off < len || off == 0); off += room) {
        uint32_t n = len - off < room ? len - off : room; /* an entry per segment */
        tcp_sb_sent(t, tcb, seq + off, seq + off + n + (fin && off + n == len ? 1u : 0u), now);
    }
    tcb->snd_nxt = seq + len + (fin ? 1u : 0u);
    if (seq_gt(tcb->snd_nxt, tcb->snd_max))
        tcb->snd_max = tcb->snd_nxt;
    if (fresh && !(tcb->flags & TF_RTT_TIMING) && !(tcb->opt_on & TO_TS)) {
        /* Karn: time only new data; with timestamps every ACK times (RFC 7323 4) */
        tcb->flags |= TF_RTT_TIMING;
        tcb->rtt_seq = seq;
        tcb->rtt_start = now;
    }
    cc_on_send(tcb);
    start_rexmt_timer(t, tcb, now);
    if (fresh)
        tcb->rec->on_send(t, tcb, now);
    return !fin;
}

/* ---- retransmissions from the scoreboard (RFC 6675, RFC 8985) ---- */

void tcp_sb_retransmit(struct tcp_ctx *t, struct tcb *tcb, uint32_t i, uint64_t now)
{
    struct tx_seg *s = tcp_sb_seg(tcb, i);
    uint32_t data_end = tcp_data_end(tcb), room = tcp_seg_room(tcb);
    uint32_t stop = seq_min(s->end, data_end);
    uint32_t len = seq_gt(stop, s->start) ? stop - s->start : 0;
    if (len > room) { /* blocks in our ACKs left less room than it had */
        if (tcp_sb_split(tcb, i, room) < 0)
            return;
        s = tcp_sb_seg(tcb, i);
        len = room;
    }
    bool fin = (tcb->flags & TF_FIN_QUEUED) && s->end == data_end + 1 &&
               s->start + len == data_end;
    if (!len && !fin)
        return;
    uint8_t flags = SYNACK_TCP_ACK | (fin ? SYNACK_TCP_FIN : 0);
    if (len && s->start + len == data_end)
        flags |= SYNACK_TCP_PSH;
    uint32_t start = s->start;
    tcb->flags &= ~TF_RTT_TIMING; /* Karn (MUST-18) */
    tcp_xmit(t, tcb, start, flags, len, now);
    tcp_paced(tcb, len, now);
    tcp_sb_sent(t, tcb, start, start + len + (fin ? 1u : 0u), now);
    /* a go-back left by a closed window (SND.NXT below SND.MAX) must not
     * send these octets a second time in the same burst */
    uint32_t end = start + len + (fin ? 1u : 0u);
    if (seq_leq(start, tcb->snd_nxt) && seq_lt(tcb->snd_nxt, end))
        tcb->snd_nxt = end;
    start_rexmt_timer(t, tcb, now);
}

static bool lost_unsent(const struct tx_seg *s)
{
    return (s->flags & (TXS_LOST | TXS_RXT | TXS_SACKED)) == TXS_LOST;
}

/* Octets deemed lost and not yet sent again: none, no scan. */
static bool lost_waiting(const struct tcb *tcb)
{
    return tcb->lost_out != tcb->retrans_out;
}

void tcp_sb_retransmit_first_lost(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    for (uint32_t i = 0; lost_waiting(tcb) && i < tcb->txm.n; i++) {
        if (lost_unsent(tcp_sb_seg(tcb, i))) {
            tcb->total_retrans++;
            t->cnt->tcp_fast_retransmits++;
            tcp_sb_retransmit(t, tcb, i, now);
            return;
        }
    }
}

/* RFC 6675 (C) with NextSeg() rule 1, RFC 8985 6.1: the segments deemed
 * lost go first, lowest first, while cwnd - pipe holds a segment; new data
 * (rule 2) follows in output_one. */
static void sb_output_lost(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    for (uint32_t i = 0; lost_waiting(tcb) && i < tcb->txm.n; i++) {
        if (!lost_unsent(tcp_sb_seg(tcb, i)))
            continue;
        if (tcp_sb_pipe(tcb) + tcb->snd_mss > tcb->cwnd || !tcp_pace_ok(t, tcb, now))
            return;
        tcb->total_retrans++;
        t->cnt->tcp_fast_retransmits++;
        tcp_sb_retransmit(t, tcb, i, now);
    }
}

/* ---- pacing, for a congestion control that sets a rate (BBR) ---- */

bool tcp_pace_ok(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    if (!x || !x->pacing_rate || !tcb->rec->scoreboard || x->pace_next <= now * 1000u)
        return true;
    timer_set(t, tcb, TT_PACE, (x->pace_next + 999u) / 1000u);
    return false;
}

/* len octets left now: the next may follow len / pacing_rate later
 * (nanoseconds, so that 1460 octets at 400 Mbit/s, 29.2 us, do not round
 * to 29). A sender that was held by something else earns no burst. */
void tcp_paced(struct tcb *tcb, uint32_t len, uint64_t now)
{
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    if (!x || !x->pacing_rate || !len)
        return;
    if (x->pace_next < now * 1000u)
        x->pace_next = now * 1000u;
    x->pace_next += (uint64_t)len * 1000000000u / x->pacing_rate;
}

/* draft-cheng-iccrg-delivery-rate-estimation 3.4: all queued data is out
 * and cwnd has room: the application, not the path, limits the rate. */
static void rate_app_limited(struct tcb *tcb)
{
    struct tcp_cc_ext *x = tcp_cc_ext(tcb);
    if (!x || !tcb->rec->scoreboard || tcp_output_waiting(tcb) || lost_waiting(tcb))
        return;
    uint32_t pipe = tcp_sb_pipe(tcb);
    if (pipe < tcb->cwnd)
        tcp_rate_app_limited(&x->rate, pipe);
}

/* ---- RFC 6675 NextSeg() rules (3) and (4) ---- */

/* Rule (3): the first unSACKed segment above HighRxt (the last one
 * retransmitted since it was deemed lost, or by this rule) and below the
 * highest octet SACKed; txm.n if none. */
static uint32_t next_seg_rule3(const struct tcb *tcb)
{
    uint32_t from = 0, n = tcb->txm.n;
    for (uint32_t i = 0; i < n; i++)
        if (tcp_sb_seg(tcb, i)->flags & TXS_RXT)
            from = i + 1;
    for (uint32_t i = from; i < n; i++) {
        const struct tx_seg *s = tcp_sb_seg(tcb, i);
        if (!seq_lt(s->start, tcb->high_sacked))
            break;
        if (!(s->flags & (TXS_SACKED | TXS_LOST)))
            return i;
    }
    return n;
}

/* Rule (4): the segment that holds the highest unSACKed octet, unless
 * this recovery retransmitted it already (the first lost segment may be
 * the highest unSACKed one: sending it again rescues nothing). */
static uint32_t next_seg_rescue(const struct tcb *tcb)
{
    for (uint32_t i = tcb->txm.n; i-- > 0;) {
        uint8_t f = tcp_sb_seg(tcb, i)->flags;
        if (!(f & TXS_SACKED))
            return (f & TXS_RXT) ? tcb->txm.n : i;
    }
    return tcb->txm.n;
}

static void sb_rexmit(struct tcp_ctx *t, struct tcb *tcb, uint32_t i, uint64_t now)
{
    tcb->total_retrans++;
    t->cnt->tcp_fast_retransmits++;
    tcp_sb_retransmit(t, tcb, i, now);
}

/* RFC 6675 (C) in its own recovery, once rule (1) found nothing deemed
 * lost waiting and rule (2) no new data the peer's window takes, while
 * cwnd - pipe holds a segment: rule (3) sends what lies below the highest
 * SACKed octet and is not yet deemed lost (it then counts twice in pipe),
 * and failing that rule (4) one rescue retransmission per recovery of the
 * highest unSACKed segment (RescueRxt = RecoveryPoint; HighRxt stays). */
static void sb_output_rules_3_4(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (tcb->rec != &tcp_rec_rfc6675 || !(tcb->flags & TF_IN_RECOVERY) || lost_waiting(tcb))
        return;
    uint32_t used = tcb->snd_nxt - tcb->snd_una;
    if (tcp_output_waiting(tcb) && tcb->snd_wnd > used)
        return; /* rule (2) has data to send: cwnd held it */
    while (tcp_sb_pipe(tcb) + tcb->snd_mss <= tcb->cwnd && tcp_pace_ok(t, tcb, now)) {
        uint32_t i = next_seg_rule3(tcb);
        if (i < tcb->txm.n) {
            sb_rexmit(t, tcb, i, now);
            struct tx_seg *s = tcp_sb_seg(tcb, i);
            tcp_sb_set(tcb, s, (uint8_t)(s->flags | TXS_RXT)); /* HighRxt */
            continue;
        }
        i = next_seg_rescue(tcb);
        if ((tcb->flags & TF_RESCUE_RXT) || i == tcb->txm.n)
            return;
        tcb->flags |= TF_RESCUE_RXT;
        sb_rexmit(t, tcb, i, now);
        return;
    }
}

bool tcp_send_probe_segment(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint32_t before = tcb->snd_max;
    tcb->flags |= TF_SWS_OVERRIDE; /* one segment, small or not */
    output_one(t, tcb, now, true);
    tcb->flags &= ~TF_SWS_OVERRIDE;
    return tcb->snd_max != before;
}

/* Data, or the FIN, queued and not yet sent. */
bool tcp_output_waiting(const struct tcb *tcb)
{
    uint32_t end = tcp_data_end(tcb);
    return seq_lt(tcb->snd_nxt, end) ||
           ((tcb->flags & TF_FIN_QUEUED) && tcb->snd_nxt == end &&
            tcb->state != SYNACK_ESTABLISHED && tcb->state != SYNACK_CLOSE_WAIT);
}

/* The interval before the next zero-window probe: one RTO, doubling
 * (SHLD-29, SHLD-30), at most persist_max. */
static uint64_t persist_interval(const struct tcp_ctx *t, const struct tcb *tcb)
{
    uint32_t b = tcb->persist_backoff < 16 ? tcb->persist_backoff : 16;
    uint64_t rto = rto_current(t, tcb);
    return rto > t->cfg->persist_max >> b ? t->cfg->persist_max : rto << b; /* no wrap */
}

/* Something is queued that the window does not let go, and no
 * retransmission timer runs to release it: the persist timer. With a zero
 * window it probes (3.8.6.1, MUST-36); with a small one it is the override
 * timeout of 3.8.6.2.1 (4), "in the range 0.1 - 1.0 seconds" (MUST-38). */
static void arm_persist(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!tcp_output_waiting(tcb) || timer_on(tcb, TT_REXMT) || timer_on(tcb, TT_PERSIST) ||
        !may_send_data(tcb))
        return;
    if (tcb->snd_wnd > 0) {
        uint64_t rto = rto_current(t, tcb);
        timer_set(t, tcb, TT_PERSIST, now + (rto < SYNACK_SEC ? rto : SYNACK_SEC));
        return;
    }
    if (MUTANT(zero_window_not_probed))
        return;
    if (!(tcb->flags & TF_PERSIST)) {
        tcb->flags |= TF_PERSIST;
        tcb->persist_backoff = 0;
    }
    timer_set(t, tcb, TT_PERSIST, now + persist_interval(t, tcb));
}

uint64_t tcp_persist_next(const struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->persist_backoff < 31)
        tcb->persist_backoff++;
    return persist_interval(t, tcb);
}

/* The peer closed its window with our data in flight, moving the right
 * edge left of it (3.8.6). That data is not lost, so the retransmission
 * timer must not count it towards R2 (SHLD-17); probe the window instead
 * (MUST-35) and send again from SND.UNA when it opens (as BSD does). */
void tcp_window_closed(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    timer_stop(t, tcb, TT_REXMT);
    tcb->rtx_count = 0;
    tcb->snd_nxt = tcb->snd_una;
    tcb->flags &= ~TF_RTT_TIMING; /* what is timed will go again (Karn) */
    tcb->flags |= TF_PERSIST;
    tcb->persist_backoff = 0;
    timer_set(t, tcb, TT_PERSIST, now + persist_interval(t, tcb));
}

static void output_syn(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint8_t flags = SYNACK_TCP_SYN | tcp_syn_ecn_flags(tcb);
    uint32_t len = 0;
    if (tcb->state != SYNACK_SYN_SENT)
        flags |= SYNACK_TCP_ACK; /* SYN-RECEIVED: <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
    else
        len = tcp_tfo_syn_data(t, tcb, now); /* RFC 7413 4.2.1: data on our first SYN */
    tcp_xmit(t, tcb, tcb->iss, flags, len, now);
    if (len)
        tcb->flags |= TF_TFO_SYN_DATA;
    if (tcb->snd_nxt == tcb->iss)
        tcb->snd_nxt = tcb->iss + 1 + len;
    bool first = tcb->snd_max == tcb->iss;
    if (seq_gt(tcb->snd_nxt, tcb->snd_max))
        tcb->snd_max = tcb->snd_nxt;
    if (first) {
        tcb->flags |= TF_RTT_TIMING;
        tcb->rtt_seq = tcb->iss;
        tcb->rtt_start = now;
    } else {
        tcb->flags &= ~TF_RTT_TIMING; /* Karn (MUST-18) */
    }
    start_rexmt_timer(t, tcb, now);
}

void tcp_output(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    switch (tcb->state) {
    case SYNACK_CLOSED:
    case SYNACK_LISTEN:
        return;
    case SYNACK_SYN_SENT:
        /* TCP_FASTOPEN_CONNECT: the SYN waits for the first send (RFC 7413) */
        if (tcb->snd_nxt == tcb->iss && !((tcb->flags & TF_TFO_DEFER) && !tcb->sb.len))
            output_syn(t, tcb, now);
        return;
    case SYNACK_SYN_RECEIVED:
        /* The SYN-ACK goes first (and again on a timeout); an unacceptable
         * segment, a repeated SYN included, is answered as in every
         * synchronized state: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
         * (3.10.7.4 first). Linux repeats its SYN-ACK to a repeated SYN. */
        if (tcb->snd_nxt == tcb->iss)
            output_syn(t, tcb, now);
        else if (tcb->flags & TF_ACKNOW)
            tcp_send_ack(t, tcb, now);
        tcb->flags &= ~TF_ACKNOW;
        return;
    default:
        break;
    }
    if (tcb->snd_una == tcb->iss && tcb->snd_nxt == tcb->iss) {
        output_syn(t, tcb, now); /* FIN-WAIT-1 entered from SYN-RECEIVED, SYN lost */
        return;
    }
    tcp_pmtu_age(t, tcb, now);
    if (may_send_data(tcb)) {
        cc_restart_after_idle(t, tcb, now);
        if (tcb->rec->scoreboard)
            sb_output_lost(t, tcb, now);
        while (output_one(t, tcb, now, false))
            ;
        if (tcb->rec->scoreboard)
            sb_output_rules_3_4(t, tcb, now);
        rate_app_limited(tcb);
        arm_persist(t, tcb, now);
    }
    if (tcb->flags & (TF_ACKNOW | TF_WND_UPDATE))
        tcp_send_ack(t, tcb, now);
}

void tcp_retransmit_first(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!MUTANT(karn_fast_rexmt))
        tcb->flags &= ~TF_RTT_TIMING; /* Karn (MUST-18): no sample across a retransmission */
    tcb->total_retrans++;
    /* Our SYN is unacknowledged: it is what is retransmitted, also in
     * FIN-WAIT-1 entered from SYN-RECEIVED (3.10.4); there is no data
     * before ISS+1. */
    if (tcb->snd_una == tcb->iss) {
        uint32_t nxt = tcb->snd_nxt;
        tcb->snd_nxt = tcb->iss;
        output_syn(t, tcb, now);
        tcb->snd_nxt = nxt;
        return;
    }
    if (tcb->rec->scoreboard && tcb->txm.n && tcp_sb_seg(tcb, 0)->start == tcb->snd_una) {
        tcp_sb_retransmit(t, tcb, 0, now); /* the board's first segment */
        timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
        return;
    }
    uint32_t end = tcp_data_end(tcb);
    uint32_t len = seq_lt(tcb->snd_una, end) ? end - tcb->snd_una : 0;
    if (len > tcp_seg_room(tcb))
        len = tcp_seg_room(tcb);
    /* Octets sent before go again (they were inside the window then:
     * MUST-34); octets never sent only as far as SND.WND allows now. A Fast
     * Open SYN's data went before any window was offered: of it, only what
     * the largest window offered covers (RFC 7413 4.2.1, SHLD-15). */
    uint32_t sent_end = seq_min(tcb->snd_max, end);
    uint32_t sent = seq_gt(sent_end, tcb->snd_una) ? sent_end - tcb->snd_una : 0;
    if (sent > tcb->max_snd_wnd)
        sent = tcb->max_snd_wnd;
    uint32_t allowed = sent > tcb->snd_wnd ? sent : tcb->snd_wnd;
    if (len > allowed)
        len = allowed;
    uint8_t flags = SYNACK_TCP_ACK;
    if (len && tcb->snd_una + len == end)
        flags |= SYNACK_TCP_PSH;
    bool fin = (tcb->flags & TF_FIN_QUEUED) && tcb->snd_una + len == end &&
               seq_gt(tcb->snd_max, end);
    if (fin)
        flags |= SYNACK_TCP_FIN;
    if (len == 0 && !fin)
        return;
    tcp_xmit(t, tcb, tcb->snd_una, flags, len, now);
    uint32_t seg_end = tcb->snd_una + len + (fin ? 1u : 0u);
    if (seq_gt(seg_end, tcb->snd_nxt))
        tcb->snd_nxt = seg_end;
    /* Octets Nagle had held may have gone along: they are sent now, and
     * the ACK for them must be acceptable (3.10.7.4 fifth). */
    if (seq_gt(tcb->snd_nxt, tcb->snd_max))
        tcb->snd_max = tcb->snd_nxt;
    timer_set(t, tcb, TT_REXMT, now + rto_current(t, tcb));
}

void tcp_send_window_probe(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* 3.8.6.1: one octet of new data (or the FIN) beyond the closed window,
     * or of old data if the window shrank over it. SND.NXT does not move,
     * so an unanswered probe is not a retransmission and the connection
     * stays open while probes are answered (MUST-37); SND.MAX covers the
     * octet so that an ACK of it is acceptable. */
    uint32_t end = tcp_data_end(tcb);
    t->cnt->tcp_window_probes++;
    if (seq_lt(tcb->snd_nxt, end))
        tcp_xmit(t, tcb, tcb->snd_nxt,
                 SYNACK_TCP_ACK | (tcb->snd_nxt + 1 == end ? SYNACK_TCP_PSH : 0), 1, now);
    else
        tcp_xmit(t, tcb, tcb->snd_nxt, SYNACK_TCP_ACK | SYNACK_TCP_FIN, 0, now);
    if (seq_gt(tcb->snd_nxt + 1, tcb->snd_max)) {
        tcb->snd_max = tcb->snd_nxt + 1;
        tcb->flags |= TF_PROBE_AHEAD;
    }
}

void tcp_persist_end(struct tcp_ctx *t, struct tcb *tcb)
{
    tcb->flags &= ~TF_PERSIST;
    timer_stop(t, tcb, TT_PERSIST);
    tcb->persist_backoff = 0;
    /* The probe octet beyond SND.NXT was never "sent" as far as SND.NXT
     * goes: it goes again with the data. Left in SND.MAX it would look
     * unacknowledged forever, and Nagle (3.7.4) would then hold a small
     * segment with nothing in flight to release it. */
    if ((tcb->flags & TF_PROBE_AHEAD) && tcb->snd_max == tcb->snd_nxt + 1)
        tcb->snd_max = tcb->snd_nxt;
    tcb->flags &= ~TF_PROBE_AHEAD;
}

void tcp_send_keepalive(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* 3.8.4: <SEQ=SND.NXT-1><ACK=RCV.NXT>, no data (SHLD-12). */
    t->cnt->tcp_keepalive_probes++;
    tcp_xmit(t, tcb, tcb->snd_max - 1, SYNACK_TCP_ACK, 0, now);
}

/* ---- deferred output (MUST-58, MUST-59) ---- */

void tcp_output_later(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->flags & TF_PENDING)
        return;
    tcb->flags |= TF_PENDING;
    tcb->pending_next = t->pending;
    t->pending = tcb;
}

void tcp_flush(struct tcp_ctx *t, uint64_t now)
{
    while (t->pending) {
        struct tcb *tcb = t->pending;
        t->pending = tcb->pending_next;
        tcb->pending_next = NULL;
        tcb->flags &= ~TF_PENDING;
        tcp_output(t, tcb, now);
        if (tcb->state == SYNACK_TIME_WAIT && tcb->owner != TCB_USER)
            timewait_from_tcb(t, tcb); /* the TCB goes, a record stays */
    }
}

void tcp_batch_begin(struct tcp_ctx *t)
{
    t->batch++;
}

void tcp_batch_end(struct tcp_ctx *t, uint64_t now)
{
    if (t->batch > 0)
        t->batch--;
    if (t->batch == 0)
        tcp_flush(t, now);
}

/* ---- path MTU (RFC 1191 6.3, RFC 4821 7.7) ---- */

uint32_t tcp_pmtu(const struct tcp_ctx *t, const struct tcb *tcb)
{
    return tcp_path_mtu(t, tcb);
}

void tcp_pmtu_set(struct tcp_ctx *t, struct tcb *tcb, uint32_t mtu, uint64_t now)
{
    tcb->pmtu = (uint16_t)mtu;
    tcb->pmtu_at = now;
    tcp_update_snd_mss(t, tcb);
}

/* RFC 1191 6.3: an estimate that was lowered goes back to the link's MTU
 * after pmtu_expires (a route may have changed back); a path still too
 * narrow sends its ICMP again. Checked when there is something to send. */
void tcp_pmtu_age(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    if (!tcb->pmtu || now - tcb->pmtu_at < t->cfg->pmtu_expires)
        return;
    t->cnt->tcp_pmtu_raised++;
    tcp_pmtu_set(t, tcb, 0, now);
}

/* RFC 1191 6.2: "the IP layer should associate each PMTU value that it has
 * learned with a specific path", and a new connection on that path starts
 * from it instead of losing a segment to learn it again. TCP_PMTU_CACHE
 * destinations, the one learnt longest ago replaced; an entry lives as
 * long as the estimate (pmtu_expires, 6.3). Only a message validated
 * against a connection (tcp_icmp.c) gets here. */
static struct pmtu_cached *pmtu_entry(struct tcp_ctx *t, const struct synack_addr *dst,
                                      uint64_t now)
{
    for (unsigned i = 0; i < TCP_PMTU_CACHE; i++) {
        struct pmtu_cached *e = &t->pmtu_cache[i];
        if (e->mtu && now - e->at >= t->cfg->pmtu_expires)
            e->mtu = 0; /* expired */
        if (e->mtu && synack_addr_eq(&e->dst, dst))
            return e;
    }
    return NULL;
}

static bool pmtu_applies(const struct tcb *c)
{
    return c->pmtudisc != PMTUD_DONT && c->pmtudisc != PMTUD_PROBE &&
           c->state != SYNACK_LISTEN && c->state != SYNACK_CLOSED;
}

void tcp_pmtu_learnt(struct tcp_ctx *t, struct tcb *tcb, uint32_t mtu, uint64_t now)
{
    struct pmtu_cached *e = pmtu_entry(t, &tcb->raddr, now);
    if (!e) { /* a free slot, else the oldest */
        e = &t->pmtu_cache[0];
        for (unsigned i = 1; i < TCP_PMTU_CACHE && e->mtu; i++)
            if (!t->pmtu_cache[i].mtu || t->pmtu_cache[i].at < e->at)
                e = &t->pmtu_cache[i];
    }
    *e = (struct pmtu_cached){tcb->raddr, (uint16_t)mtu, now};
    tcp_pmtu_set(t, tcb, mtu, now);
    for (struct tcb *c = t->all; c; c = c->next) /* the others on the path */
        if (c != tcb && pmtu_applies(c) && synack_addr_eq(&c->raddr, &tcb->raddr) &&
            tcp_path_mtu(t, c) > mtu && mtu >= tcp_pmtu_floor(t, c))
            tcp_pmtu_set(t, c, mtu, now);
}

void tcp_pmtu_from_cache(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    struct pmtu_cached *e = pmtu_entry(t, &tcb->raddr, now);
    if (!e || tcb->pmtudisc == PMTUD_DONT || tcb->pmtudisc == PMTUD_PROBE ||
        e->mtu >= tcp_path_mtu(t, tcb) || e->mtu < tcp_pmtu_floor(t, tcb))
        return;
    t->cnt->tcp_pmtu_cached++;
    tcb->pmtu = e->mtu;
    tcb->pmtu_at = e->at; /* it expires with the entry */
    tcp_update_snd_mss(t, tcb);
}

/* RFC 4821 7.7: a full-stop timeout with no ICMP to explain it may be a
 * black hole swallowing the larger packets: the path MTU goes down to
 * search_low, 1024 (7.2), then to pmtu_min (1280 over IPv6). */
#define PLPMTUD_SEARCH_LOW 1024u

void tcp_pmtu_blackhole(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    uint32_t pmtu = tcp_path_mtu(t, tcb), low = PLPMTUD_SEARCH_LOW;
    if (!tcb->mtu_probing || tcb->pmtudisc == PMTUD_DONT)
        return;
    if (low < tcp_pmtu_floor(t, tcb) || pmtu <= low)
        low = tcp_pmtu_floor(t, tcb);
    if (pmtu <= low)
        return;
    t->cnt->tcp_pmtu_blackhole++;
    tcp_pmtu_set(t, tcb, low, now);
}

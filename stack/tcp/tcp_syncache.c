/* The SYN cache and SYN cookies at work (RFC 4987 3.3, 3.6): a listener's
 * half-open connections are compact records (struct syn_entry) until the
 * ACK of our SYN-ACK arrives, when a TCB is made and the segment goes on
 * through SEGMENT ARRIVES in SYN-RECEIVED (tcp_input_sync.c). Here: the
 * SYN-RECEIVED checks of 3.10.7.4 that need no TCB, the SYN-ACK and its
 * retransmission, eviction and the limits. The cookie itself is in
 * tcp_syncookie.c. */
#include <errno.h>
#include <stdlib.h>

#include "tcp/tcp_internal.h"

int syncache_init(struct tcp_ctx *t)
{
    uint32_t buckets = 64;
    while (buckets < t->cfg->syncache_max && buckets < (1u << 16))
        buckets <<= 1;
    if (t->syn_hash && t->syn_mask == buckets - 1)
        return 0; /* kept by tcp_ctx_reset, empty */
    free(t->syn_hash);
    t->syn_hash = calloc(buckets, sizeof *t->syn_hash);
    t->syn_mask = buckets - 1;
    return t->syn_hash ? 0 : -ENOMEM;
}

static uint32_t syn_bucket(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    return tcp_tuple_hash(t, tu) & t->syn_mask;
}

struct syn_entry *syncache_lookup(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    if (!t->syn_count)
        return NULL;
    for (struct syn_entry *e = t->syn_hash[syn_bucket(t, tu)]; e; e = e->hnext)
        if (e->lport == tu->lport && e->rport == tu->rport && tcp_addr_eq(&e->laddr, &tu->laddr) &&
            tcp_addr_eq(&e->raddr, &tu->raddr))
            return e;
    return NULL;
}

static void entry_free(struct tcp_ctx *t, struct syn_entry *e)
{
    struct tcp_tuple tu = {e->laddr, e->raddr, e->lport, e->rport};
    for (struct syn_entry **pp = &t->syn_hash[syn_bucket(t, &tu)]; *pp; pp = &(*pp)->hnext) {
        if (*pp == e) {
            *pp = e->hnext;
            break;
        }
    }
    struct tcb *l = e->listener;
    if (e->lprev)
        e->lprev->lnext = e->lnext;
    else
        l->lst->syn_head = e->lnext;
    if (e->lnext)
        e->lnext->lprev = e->lprev;
    else
        l->lst->syn_tail = e->lprev;
    l->lst->syn_len--;
    t->syn_count--;
    heap_set(&t->syn_timers, &e->timer, HEAP_KEY_NONE);
    free(e);
}

void syncache_clear(struct tcp_ctx *t)
{
    for (uint32_t b = 0; t->syn_count && b <= t->syn_mask; b++)
        while (t->syn_hash[b])
            entry_free(t, t->syn_hash[b]);
}

void syncache_destroy(struct tcp_ctx *t)
{
    syncache_clear(t);
    free(t->syn_hash);
    t->syn_hash = NULL;
    heap_free(&t->syn_timers);
}

void syncache_listener_gone(struct tcp_ctx *t, struct tcb *l)
{
    while (l->lst && l->lst->syn_head)
        entry_free(t, l->lst->syn_head);
}

/* ---- what a half-open connection sends ---- */

/* The window a SYN-ACK announces: what a new TCB would (3.8.6.2.2). */
static uint16_t syn_ack_window(const struct tcb *l)
{
    return (uint16_t)(l->rb.cap < 65535u ? l->rb.cap : 65535u);
}

/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> with our MSS (MUST-14) and what
 * both SYNs settle (tcp_opts.c); a cookie's keeps what it cannot hold in
 * the ISS in its TSval (tcp_syncookie.c). */
static void send_syn_ack(struct tcp_ctx *t, const struct tcb *l, const struct tcp_tuple *tu,
                         uint32_t iss, uint32_t irs, uint16_t wnd,
                         const struct tcp_syn_opts *peer, bool cookie, uint64_t now)
{
    struct synack_tcp_opts o;
    tcp_syn_ack_opts(t, l, tu, peer, SYNACK_TCP_SYN | SYNACK_TCP_ACK, &o, now);
    uint8_t ecn = tcp_syn_ack_ecn_flags(l, peer); /* RFC 3168 6.1.1 */
    if (cookie)
        ecn = tcp_syncookie_opts(peer, ecn != 0, &o) ? ecn : 0;
    struct tcp_bare b = {.src = tu->laddr, .dst = tu->raddr, .sport = tu->lport,
                         .dport = tu->rport, .seq = iss, .ack = irs + 1,
                         .flags = SYNACK_TCP_SYN | SYNACK_TCP_ACK | ecn,
                         .wnd = wnd,
                         .tos = l->tos, .ttl = l->ttl,
                         .no_df = l->pmtudisc == PMTUD_DONT, .opts = &o};
    tcp_send_bare(t, &b, now);
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: SND.NXT is ISS+1 once the SYN-ACK is out. */
static void entry_send_ack(struct tcp_ctx *t, const struct syn_entry *e, uint64_t now)
{
    struct tcp_tuple tu = {e->laddr, e->raddr, e->lport, e->rport};
    struct synack_tcp_opts o; /* timestamps, if settled (RFC 7323 3.2) */
    tcp_syn_ack_opts(t, e->listener, &tu, &e->opts, SYNACK_TCP_ACK, &o, now);
    struct tcp_bare b = {.src = e->laddr, .dst = e->raddr, .sport = e->lport, .dport = e->rport,
                         .seq = e->iss + 1, .ack = e->irs + 1,
                         .flags = SYNACK_TCP_ACK, .wnd = e->rcv_wnd, .tos = e->listener->tos,
                         .ttl = e->listener->ttl,
                         .no_df = e->listener->pmtudisc == PMTUD_DONT, .opts = &o};
    tcp_send_bare(t, &b, now);
}

static uint64_t entry_rto(const struct tcp_ctx *t, const struct syn_entry *e)
{
    uint64_t rto = t->cfg->rto_initial;
    for (unsigned i = 0; i < e->rtx && rto < t->cfg->rto_max; i++)
        rto *= 2; /* RFC 6298 5.5 */
    return rto < t->cfg->rto_max ? rto : t->cfg->rto_max;
}

/* ---- a SYN to a listener: an entry, or a cookie ---- */

/* Room for one more entry of l: false when the SYN gets a cookie or is
 * dropped instead. */
static bool make_room(struct tcp_ctx *t, struct tcb *l)
{
    if (l->lst->syn_len < l->lst->backlog && t->syn_count < t->cfg->syncache_max)
        return true;
    if (t->cfg->syncookies)
        return false;
    if (!l->lst->syn_head) {
        t->cnt->tcp_syncache_dropped++; /* the stack's cache is full of others' */
        return false;
    }
    t->cnt->tcp_syncache_evicted++; /* the oldest goes (RFC 4987 3.3) */
    entry_free(t, l->lst->syn_head);
    return true;
}

static void entry_add(struct tcp_ctx *t, struct tcb *l, const struct tcp_passive *po, bool fin,
                      uint64_t now)
{
    struct syn_entry *e = calloc(1, sizeof *e);
    if (!e)
        return; /* no memory: the SYN is dropped, the peer sends it again */
    e->listener = l;
    e->laddr = po->tu.laddr;
    e->raddr = po->tu.raddr;
    e->lport = po->tu.lport;
    e->rport = po->tu.rport;
    e->irs = po->irs;
    e->iss = po->iss;
    e->peer_wnd = po->peer_wnd;
    e->rcv_wnd = syn_ack_window(l);
    e->fin = fin;
    e->opts = po->opts;
    e->sent = now;
    e->rtx_first = TCP_TIMER_OFF;
    if (!heap_set(&t->syn_timers, &e->timer, now + entry_rto(t, e))) {
        free(e);
        return;
    }
    uint32_t b = syn_bucket(t, &po->tu);
    e->hnext = t->syn_hash[b];
    t->syn_hash[b] = e;
    e->lprev = l->lst->syn_tail;
    if (l->lst->syn_tail)
        l->lst->syn_tail->lnext = e;
    else
        l->lst->syn_head = e;
    l->lst->syn_tail = e;
    l->lst->syn_len++;
    t->syn_count++;
    t->cnt->tcp_syncache_added++;
    send_syn_ack(t, l, &po->tu, e->iss, e->irs, e->rcv_wnd, &e->opts, false, now);
}

void syncache_syn(struct tcp_ctx *t, struct tcb *l, const struct tcp_seg *seg,
                  const struct tcp_passive *po, bool must_keep, uint64_t now)
{
    if (seg->datalen)
        t->cnt->tcp_syn_text_dropped++; /* not acknowledged: the peer sends it again */
    bool fin = SEG_HAS(seg, SYNACK_TCP_FIN) && seg->datalen == 0;
    /* A reopened TIME-WAIT connection needs its ISS above the old one (MAY-2):
     * an entry, never a cookie. It may go past the listener's backlog (which
     * only decides when cookies start, as Linux's request queue), not past
     * syncache_max: there it is dropped, counted, and the peer sends its SYN
     * again, rather than evict a legitimate half-open connection (unless
     * cookies are off and eviction is the policy). */
    if (must_keep) {
        if (t->syn_count < t->cfg->syncache_max ||
            (t->cfg->syncookies == 0 && make_room(t, l)))
            entry_add(t, l, po, fin, now);
        else if (t->cfg->syncookies)
            t->cnt->tcp_syncache_dropped++;
        return;
    }
    if (t->cfg->syncookies < 2 && make_room(t, l)) {
        entry_add(t, l, po, fin, now);
        return;
    }
    if (t->cfg->syncookies == 0)
        return; /* counted by make_room */
    /* RFC 4987 3.6: the state goes into the ISS; nothing is kept. A FIN
     * with the SYN is not kept either: the peer sends it again. */
    uint32_t cookie;
    if (!tcp_syncookie_make(t, &po->tu, po->irs, po->opts.mss ? po->opts.mss : po->tu.raddr.family == SYNACK_AF_INET6 ? 1220 : 536, now,
                            &cookie)) {
        t->cnt->tcp_syncache_dropped++;
        return;
    }
    t->cnt->tcp_syncookies_sent++;
    l->lst->cookie_sent = now;
    send_syn_ack(t, l, &po->tu, cookie, po->irs, syn_ack_window(l), &po->opts, true, now);
}

/* ---- the handshake completes: a TCB ---- */

/* The TCB the entry stands for, as LISTEN would have made it and with the
 * SYN-ACK sent; the caller runs the segment through SYN-RECEIVED. */
static struct tcb *entry_to_tcb(struct tcp_ctx *t, struct syn_entry *e, uint64_t now)
{
    struct tcp_passive po = {.tu = {e->laddr, e->raddr, e->lport, e->rport},
                             .irs = e->irs,
                             .iss = e->iss,
                             .peer_wnd = e->peer_wnd,
                             .opts = e->opts};
    struct tcb *c = tcp_passive_child(t, e->listener, &po, now);
    if (!c)
        return NULL; /* max_conns or memory: the entry stays, the peer will retry */
    c->snd_nxt = c->snd_max = e->iss + 1; /* our SYN is out */
    c->rcv_adv = c->rcv_nxt + e->rcv_wnd;
    /* the window the SYN-ACK announced stays (3.8.6.2.2, SHLD-14), though
     * the listener's buffer was made smaller since */
    if (c->rb.cap < e->rcv_wnd)
        rb_resize(&c->rb, e->rcv_wnd);
    if (e->fin) {
        c->flags |= TF_FIN_PENDING;
        c->rcv_fin_seq = c->rcv_nxt;
    }
    if (e->rtx == 0) { /* Karn (MUST-18): time the SYN-ACK only if sent once */
        c->flags |= TF_RTT_TIMING;
        c->rtt_seq = e->iss;
        c->rtt_start = e->sent;
    } else {
        c->flags |= TF_SYN_LOST; /* RFC 6298 5.7 */
        c->backoff = e->rtx;
        c->rtx_count = e->rtx;
        c->rtx_first = e->rtx_first;
    }
    timer_set(t, c, TT_REXMT, e->timer.key);
    t->cnt->tcp_syncache_completed++;
    return c;
}

/* Is the accept queue full? Then the ACK is dropped and the peer's next
 * segment (or our next SYN-ACK) tries again, as Linux does. */
static bool acceptq_full(struct tcp_ctx *t, const struct tcb *l)
{
    if (l->lst->acceptq_len < l->lst->backlog)
        return false;
    t->cnt->tcp_listen_overflow++;
    return true;
}

static void entry_to_listen(struct tcp_ctx *t, struct syn_entry *e)
{
    t->cnt->tcp_back_to_listen++; /* MUST-11 */
    entry_free(t, e);
}

/* SEGMENT ARRIVES in SYN-RECEIVED for an entry (3.10.7.4), the checks that
 * need no TCB: sequence number, RST, SYN, the ACK bit and its range. An
 * acceptable ACK makes the TCB, which takes the whole segment. */
void syncache_input(struct tcp_ctx *t, struct syn_entry *e, struct tcp_seg *seg, uint64_t now)
{
    uint32_t rcv_nxt = e->irs + 1;
    /* The peer's SYN-ACK repeating its SYN (simultaneous open) is trimmed
     * to an ACK by SYN-RECEIVED itself (tcp_input_sync.c). */
    bool syn_repeat = SEG_HAS(seg, SYNACK_TCP_SYN) && SEG_HAS(seg, SYNACK_TCP_ACK) &&
                      !SEG_HAS(seg, SYNACK_TCP_RST) && seg->seq == e->irs &&
                      seg->ack == e->iss + 1;
    if (!syn_repeat) {
        /* First, check sequence number (Table 6). */
        if (!tcp_seq_acceptable(seg->seq, seg->len, rcv_nxt, e->rcv_wnd) &&
            !(e->rcv_wnd == 0 && seg->seq == rcv_nxt)) {
            t->cnt->tcp_unacceptable++;
            if (SEG_HAS(seg, SYNACK_TCP_RST))
                t->cnt->tcp_rst_out_of_window++; /* RFC 5961 3.2 1) */
            else
                entry_send_ack(t, e, now);
            return;
        }
        /* Second, the RST bit (RFC 5961 3.2). */
        if (SEG_HAS(seg, SYNACK_TCP_RST)) {
            if (seg->seq == rcv_nxt) {
                entry_to_listen(t, e);
            } else {
                t->cnt->tcp_challenge_ack_rst++;
                if (tcp_challenge_ack_allowed(t, now))
                    entry_send_ack(t, e, now);
            }
            return;
        }
        /* Fourth, the SYN bit: a passive SYN-RECEIVED returns to LISTEN. */
        if (SEG_HAS(seg, SYNACK_TCP_SYN)) {
            entry_to_listen(t, e);
            return;
        }
        if (!SEG_HAS(seg, SYNACK_TCP_ACK)) {
            t->cnt->tcp_drop_no_ack++;
            return;
        }
        /* Fifth: SND.UNA < SEG.ACK =< SND.NXT, else <SEQ=SEG.ACK><CTL=RST>. */
        if (seg->ack != e->iss + 1) {
            t->cnt->tcp_syn_rcvd_bad_ack++;
            tcp_send_rst_reply(t, seg, now);
            return;
        }
    }
    if (acceptq_full(t, e->listener))
        return;
    struct tcb *c = entry_to_tcb(t, e, now);
    if (!c)
        return;
    entry_free(t, e);
    tcp_input_synchronized(t, c, seg, now);
}

/* LISTEN, an ACK: it may complete a handshake whose SYN got a cookie.
 * Returns true when it did (the segment is then processed), false when the
 * ACK is LISTEN's to answer with a RST. */
bool syncache_cookie_ack(struct tcp_ctx *t, struct tcb *l, struct tcp_seg *seg, uint64_t now)
{
    /* Only while cookies may be out: sent in the last two periods, or
     * always on (a stale cookie is refused by its age anyway). */
    if (t->cfg->syncookies == 0 || SEG_HAS(seg, SYNACK_TCP_SYN | SYNACK_TCP_RST))
        return false;
    if (t->cfg->syncookies == 1 &&
        (l->lst->cookie_sent == TCP_TIMER_OFF || now - l->lst->cookie_sent > 192 * SYNACK_SEC))
        return false;
    struct tcp_passive po = {.tu = {seg->dst, seg->src, seg->dport, seg->sport},
                             .irs = seg->seq - 1,
                             .iss = seg->ack - 1};
    uint16_t mss;
    if (!tcp_syncookie_check(t, &po.tu, po.irs, po.iss, now, &mss)) {
        t->cnt->tcp_syncookies_bad++;
        return false;
    }
    if (acceptq_full(t, l))
        return true; /* dropped: the peer's next segment is a cookie ACK too */
    po.opts = (struct tcp_syn_opts){.mss = mss, .wscale = TCP_WSCALE_NONE};
    tcp_syncookie_ack_opts(t, &po.tu, seg, &po.opts, now); /* what our TSval kept, echoed */
    po.peer_wnd = (uint16_t)(seg->wnd > 65535u ? 65535u : seg->wnd);
    struct tcb *c = tcp_passive_child(t, l, &po, now);
    if (!c)
        return true; /* max_conns: dropped and counted there */
    c->snd_nxt = c->snd_max = po.iss + 1;
    c->rcv_adv = c->rcv_nxt + syn_ack_window(l);
    timer_set(t, c, TT_REXMT, now + rto_current(t, c)); /* as if our SYN-ACK had just gone */
    t->cnt->tcp_syncookies_ok++;
    tcp_input_synchronized(t, c, seg, now);
    return true;
}

/* ---- timers: SYN-ACK retransmission (RFC 6298 5.4-5.6), R2 ---- */

static void entry_timeout(struct tcp_ctx *t, struct syn_entry *e, uint64_t now)
{
    if (e->rtx > 0 && now - e->rtx_first >= t->cfg->r2_syn) {
        t->cnt->tcp_conn_timeout++; /* MUST-20: no RST, the peer is silent */
        t->cnt->tcp_syncache_timeout++;
        entry_free(t, e);
        return;
    }
    if (e->rtx == 0)
        e->rtx_first = now;
    if (e->rtx < UINT8_MAX)
        e->rtx++;
    t->cnt->tcp_retransmits++;
    struct tcp_tuple tu = {e->laddr, e->raddr, e->lport, e->rport};
    send_syn_ack(t, e->listener, &tu, e->iss, e->irs, e->rcv_wnd, &e->opts, false, now);
    heap_set(&t->syn_timers, &e->timer, now + entry_rto(t, e));
}

void syncache_poll(struct tcp_ctx *t, uint64_t now)
{
    /* Each entry re-arms later than now or goes: the loop ends. */
    struct heap_node *n;
    while ((n = heap_min(&t->syn_timers)) && n->key <= now)
        entry_timeout(t, (struct syn_entry *)n, now); /* the node is the entry's first member */
}

uint64_t syncache_deadline(const struct tcp_ctx *t)
{
    return heap_min_key(&t->syn_timers);
}

/* The connection table: TCB allocation and lifetime, the hash on the
 * 4-tuple, listeners and their queues. It does not process segments. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_internal.h"

static void listen_remove(struct tcp_ctx *t, struct tcb *l);
static void tcb_port_release(struct tcp_ctx *t, struct tcb *tcb);

int tcp_ctx_init(struct tcp_ctx *t, const struct synack_config *cfg,
                 struct synack_counters *cnt, struct rng *rng, tcp_ip_output_fn out,
                 void *out_ctx)
{
    memset(t, 0, sizeof *t);
    return tcp_ctx_reset(t, cfg, cnt, rng, out, out_ctx);
}

/* Every TCB, TIME-WAIT record and half-open connection goes: the hashes
 * are left empty, the port counts at 0, the timer heaps without a node. */
static void ctx_empty(struct tcp_ctx *t)
{
    syncache_clear(t);
    timewait_clear(t);
    while (t->all) {
        tcb_orphan(t, t->all);
        tcb_free(t, t->all);
    }
}

/* The connection hash for cfg: t's when it has the size (it is empty). */
static int ctx_hash(struct tcp_ctx *t, const struct synack_config *cfg)
{
    uint32_t buckets = 64;
    while (buckets < cfg->max_conns && buckets < (1u << 20))
        buckets <<= 1;
    if (t->hash && t->hash_mask == buckets - 1)
        return 0;
    free(t->hash);
    t->hash = calloc(buckets, sizeof *t->hash);
    t->hash_mask = buckets - 1;
    /* Its pages are touched now, where the cost of sizing the table for
     * max_conns belongs: else the first connections pay a page fault each
     * (they land at random: 1 MiB for 100,000). */
    for (size_t i = 0; t->hash && i < buckets; i += 4096 / sizeof *t->hash)
        ((struct tcb *volatile *)t->hash)[i] = NULL;
    return t->hash ? 0 : -ENOMEM;
}

int tcp_ctx_reset(struct tcp_ctx *t, const struct synack_config *cfg,
                  struct synack_counters *cnt, struct rng *rng, tcp_ip_output_fn out,
                  void *out_ctx)
{
    ctx_empty(t);
    struct tcp_ctx keep = *t;
    memset(t, 0, sizeof *t);
    t->hash = keep.hash, t->hash_mask = keep.hash_mask;
    t->syn_hash = keep.syn_hash, t->syn_mask = keep.syn_mask;
    t->tw_hash = keep.tw_hash, t->tw_mask = keep.tw_mask;
    t->port_refs = keep.port_refs;
    t->timers = keep.timers, t->syn_timers = keep.syn_timers;
    t->cfg = cfg;
    t->cnt = cnt;
    t->rng = rng;
    t->ip_output = out;
    t->out_ctx = out_ctx;
    t->isn_key = (struct siphash_key){rng_next(rng), rng_next(rng)};
    t->port_key = (struct siphash_key){rng_next(rng), rng_next(rng)};
    t->port_next = (uint32_t)rng_next(rng);
    t->ts_key = (struct siphash_key){rng_next(rng), rng_next(rng)};
    t->tfo_key = (struct siphash_key){rng_next(rng), rng_next(rng)};
    t->pkt_cap = TCP_IP_HEADROOM + 60u + cfg->mtu;
    t->pkt = keep.pkt && keep.pkt_cap == t->pkt_cap ? keep.pkt : NULL;
    if (!t->pkt) {
        free(keep.pkt);
        t->pkt = malloc(t->pkt_cap);
    }
    if (ctx_hash(t, cfg) < 0 || !t->pkt || syncache_init(t) < 0 || timewait_init(t) < 0) {
        tcp_ctx_destroy(t);
        return -ENOMEM;
    }
    return 0;
}

void tcp_ctx_destroy(struct tcp_ctx *t)
{
    ctx_empty(t);
    syncache_destroy(t);
    timewait_destroy(t);
    free(t->hash);
    free(t->pkt);
    heap_free(&t->timers);
    free(t->port_refs);
    t->port_refs = NULL;
    t->hash = NULL;
    t->pkt = NULL;
}

uint32_t tcp_tuple_hash(const struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    uint32_t k[9];
    size_t n = tcp_addr_words(&tu->laddr, &tu->raddr, k);
    k[n++] = (uint32_t)tu->lport << 16 | tu->rport;
    return (uint32_t)siphash24(&t->port_key, k, n * sizeof *k);
}

static uint32_t tuple_hash(const struct tcp_ctx *t, const struct tcb *tcb)
{
    struct tcp_tuple tu = {tcb->laddr, tcb->raddr, tcb->lport, tcb->rport};
    return tcp_tuple_hash(t, &tu) & t->hash_mask;
}

struct tcb *tcb_alloc(struct tcp_ctx *t, const struct tcp_open_params *p, int *err)
{
    if (t->n_tcbs >= t->cfg->max_conns) {
        t->cnt->tcp_conn_limit++;
        *err = -ENOBUFS;
        return NULL;
    }
    struct tcb *tcb = calloc(1, sizeof *tcb);
    if (!tcb || !heap_reserve(&t->timers, t->n_tcbs + 1)) {
        free(tcb);
        *err = -ENOMEM;
        return NULL;
    }
    tcb->tnode.key = HEAP_KEY_NONE;
    tcb->watch_sd = -1;
    if (!tcp_port_ref(t, p->lport)) {
        free(tcb);
        *err = -ENOMEM;
        return NULL;
    }
    tcb->port_held = true;
    sb_init(&tcb->sb, p->sndbuf); /* allocated on first use */
    rb_init(&tcb->rb, p->rcvbuf, t->cfg->ooo_max);
    tcb->laddr = p->laddr;
    tcb->lport = p->lport;
    tcb->raddr = p->raddr;
    tcb->rport = p->rport;
    tcb->flags = p->flags & TF_USER_FLAGS;
    tcb->user_mss = p->user_mss;
    tcb->rcv_wscale = p->rcv_wscale_min; /* tcp_syn_prepare may raise it */
    tcb->opt_offer = p->ext;
    tcb->recovery = p->recovery;
    tcb->tfo_mode = p->tfo_mode;
    if (p->tfo_connect)
        tcb->flags |= TF_TFO_CLIENT;
    tcb->keep_idle = p->keep_idle;
    tcb->keep_intvl = p->keep_intvl;
    tcb->keep_cnt = p->keep_cnt;
    tcb->user_timeout_ms = (uint32_t)(p->user_timeout / SYNACK_MSEC); /* set in ms */
    tcb->tos = p->tos;
    tcb->ttl = p->ttl;
    tcb->pmtudisc = p->pmtudisc;
    tcb->mtu_probing = p->mtu_probing;
    tcb->v6only = p->v6only;
    tcb->owner = TCB_USER;
    tcb->cc = tcp_cc_of(p->congestion);
    tcb->rec = &tcp_rec_newreno; /* until ESTABLISHED settles SACK */
    timers_stop_all(t, tcb);
    rtt_init(t, tcb);
    tcb->next = t->all;
    if (t->all)
        t->all->prev = tcb;
    t->all = tcb;
    t->n_tcbs++;
    return tcb;
}

static void pending_unlink(struct tcp_ctx *t, struct tcb *tcb)
{
    for (struct tcb **pp = &t->pending; *pp; pp = &(*pp)->pending_next) {
        if (*pp == tcb) {
            *pp = tcb->pending_next;
            break;
        }
    }
    tcb->flags &= ~TF_PENDING;
}

static void acceptq_unlink(struct tcb *parent, struct tcb *tcb)
{
    struct tcb *prev = NULL;
    for (struct tcb *c = parent->lst->acceptq_head; c; prev = c, c = c->q_next) {
        if (c != tcb)
            continue;
        if (prev)
            prev->q_next = c->q_next;
        else
            parent->lst->acceptq_head = c->q_next;
        if (parent->lst->acceptq_tail == c)
            parent->lst->acceptq_tail = prev;
        parent->lst->acceptq_len--;
        return;
    }
}

/* Off the listener's list of half-open TCBs (at most its backlog long). */
static void embryo_unlink(struct tcb *parent, struct tcb *tcb)
{
    for (struct tcb **pp = &parent->lst->embryo_head; *pp; pp = &(*pp)->q_next) {
        if (*pp == tcb) {
            *pp = tcb->q_next;
            parent->lst->embryonic--;
            return;
        }
    }
}

/* A passive child leaves its listener: unaccepted, or accepted by a socket. */
static void child_detach(struct tcb *tcb)
{
    struct tcb *parent = tcb->parent;
    if (!parent)
        return;
    tcp_tfo_child_done(tcb);
    if (tcb->owner == TCB_LISTENER) {
        if (tcb->in_acceptq)
            acceptq_unlink(parent, tcb);
        else
            embryo_unlink(parent, tcb);
    }
    tcb->in_acceptq = false;
    tcb->parent = NULL;
    tcb->q_next = NULL;
}

void tcb_child_add(struct tcb *l, struct tcb *c)
{
    c->parent = l;
    c->owner = TCB_LISTENER;
    c->q_next = l->lst->embryo_head;
    l->lst->embryo_head = c;
    l->lst->embryonic++;
}

void tcb_orphan(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->owner == TCB_ORPHAN)
        return;
    child_detach(tcb); /* an unaccepted child leaves its listener's lists */
    tcb->post = NULL;   /* the application's buffer is no longer ours to fill */
    tcb->owner = TCB_ORPHAN;
    t->n_orphans++;
}

void tcb_free(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->owner == TCB_ORPHAN)
        t->n_orphans--;
    /* Children still attached become orphans that finish on their own. */
    struct tcb *c;
    while (tcb->lst && (c = tcb->lst->acceptq_head ? tcb->lst->acceptq_head
                                                    : tcb->lst->embryo_head)) {
        child_detach(c);
        tcb_orphan(t, c);
    }
    child_detach(tcb);
    listen_remove(t, tcb);
    tcb_port_release(t, tcb);
    syncache_listener_gone(t, tcb);
    if (tcb->in_table)
        tcb_hash_remove(t, tcb);
    if (tcb->flags & TF_PENDING)
        pending_unlink(t, tcb);
    tcb_untouch(tcb);
    if (tcb->prev)
        tcb->prev->next = tcb->next;
    else
        t->all = tcb->next;
    if (tcb->next)
        tcb->next->prev = tcb->prev;
    t->n_tcbs--;
    heap_set(&t->timers, &tcb->tnode, HEAP_KEY_NONE);
    sb_destroy(&tcb->sb);
    tcp_sb_free(tcb);
    tcp_cc_release(tcb);
    tcp_rcvbuf_uncharge(t, tcb);
    rb_destroy(&tcb->rb);
    free(tcb->lst);
    free(tcb);
}

void tcp_usage(const struct tcp_ctx *t, struct synack_stack_usage *u)
{
    u->conns = t->n_tcbs;
    u->orphans = t->n_orphans;
    u->timewait = t->tw_count;
    u->syncache = t->syn_count;
    for (const struct tcb *c = t->all; c; c = c->next) {
        if (c->state < SYNACK_STATE_COUNT)
            u->state[c->state]++;
        if (c->state == SYNACK_LISTEN)
            u->unaccepted += c->lst->acceptq_len;
    }
}

void tcb_hash_insert(struct tcp_ctx *t, struct tcb *tcb)
{
    uint32_t h = tuple_hash(t, tcb);
    tcb->hnext = t->hash[h];
    t->hash[h] = tcb;
    tcb->in_table = true;
}

void tcb_hash_remove(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->state == SYNACK_LISTEN || !tcb->in_table) {
        tcb->in_table = false;
        return;
    }
    if (t->last_hit == tcb)
        t->last_hit = NULL;
    uint32_t h = tuple_hash(t, tcb);
    for (struct tcb **pp = &t->hash[h]; *pp; pp = &(*pp)->hnext) {
        if (*pp == tcb) {
            *pp = tcb->hnext;
            break;
        }
    }
    tcb->in_table = false;
    tcb->hnext = NULL;
}

static bool tcb_is(const struct tcb *c, const struct tcp_tuple *tu)
{
    return c->lport == tu->lport && c->rport == tu->rport && tcp_addr_eq(&c->laddr, &tu->laddr) &&
           tcp_addr_eq(&c->raddr, &tu->raddr);
}

struct tcb *tcb_lookup(struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    const struct tcb *c = t->last_hit;
    if (c && tcb_is(c, tu))
        return t->last_hit;
    uint32_t h = tcp_tuple_hash(t, tu) & t->hash_mask;
    for (struct tcb *e = t->hash[h]; e; e = e->hnext) {
        if (tcb_is(e, tu)) {
            t->last_hit = e;
            return e;
        }
    }
    return NULL;
}

/* ---- listeners, by port ---- */

void tcb_listen_insert(struct tcp_ctx *t, struct tcb *l)
{
    struct tcb **b = &t->lhash[l->lport & 63u];
    l->lnext = *b;
    *b = l;
    l->in_lhash = true;
}

static void listen_remove(struct tcp_ctx *t, struct tcb *l)
{
    if (!l->in_lhash)
        return;
    for (struct tcb **pp = &t->lhash[l->lport & 63u]; *pp; pp = &(*pp)->lnext) {
        if (*pp == l) {
            *pp = l->lnext;
            break;
        }
    }
    l->in_lhash = false;
}

/* Does a listener's address take a segment to laddr? Its own address; the
 * wildcard of laddr's family; :: also IPv4, unless IPV6_V6ONLY (RFC 3493
 * 3.7, 5.3). */
static bool listener_takes(const struct tcb *l, const struct synack_addr *laddr)
{
    if (!synack_addr_is_any(&l->laddr))
        return tcp_addr_eq(&l->laddr, laddr);
    return l->laddr.family == laddr->family ||
           (l->laddr.family == SYNACK_AF_INET6 && !l->v6only);
}

struct tcb *tcb_lookup_listener(const struct tcp_ctx *t, const struct synack_addr *laddr,
                                uint16_t lport)
{
    struct tcb *wild = NULL;
    for (struct tcb *c = t->lhash[lport & 63u]; c; c = c->lnext) {
        if (c->lport != lport || !listener_takes(c, laddr))
            continue;
        if (!synack_addr_is_any(&c->laddr))
            return c;
        if (!wild || c->laddr.family == laddr->family)
            wild = c; /* the wildcard of the segment's own family first */
    }
    return wild;
}

/* ---- local ports in use: a count per port ---- */

bool tcp_port_ref(struct tcp_ctx *t, uint16_t lport)
{
    if (!t->port_refs && !(t->port_refs = calloc(65536, sizeof *t->port_refs)))
        return false;
    t->port_refs[lport]++;
    return true;
}

void tcp_port_unref(struct tcp_ctx *t, uint16_t lport)
{
    if (t->port_refs && t->port_refs[lport])
        t->port_refs[lport]--;
}

static void tcb_port_release(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->port_held)
        tcp_port_unref(t, tcb->lport);
    tcb->port_held = false;
}

/* Every TCB on lport overlaps (the stack has one address of each family,
 * and a port is not shared between them); listeners overlap when their
 * addresses do (either a wildcard, or the same). */
bool tcp_port_in_use(const struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport,
                     bool listeners_only)
{
    if (!listeners_only)
        return t->port_refs && t->port_refs[lport] > 0;
    for (const struct tcb *c = t->lhash[lport & 63u]; c; c = c->lnext)
        if (c->lport == lport && (synack_addr_is_any(laddr) || synack_addr_is_any(&c->laddr) ||
                                  tcp_addr_eq(&c->laddr, laddr)))
            return true;
    return false;
}

void tcb_set_state(struct tcp_ctx *t, struct tcb *tcb, enum synack_state st)
{
    if (st == SYNACK_ESTABLISHED && tcb->state != SYNACK_ESTABLISHED) {
        t->cnt->tcp_conn_established++;
        tcb->flags |= TF_CONNECTED;
    }
    tcb->state = st;
}

void tcb_closed(struct tcp_ctx *t, struct tcb *tcb)
{
    tcb->state = SYNACK_CLOSED;
    listen_remove(t, tcb);
    tcb_port_release(t, tcb);
    syncache_listener_gone(t, tcb); /* a listener's half-open connections go too */
    timers_stop_all(t, tcb);
    if (tcb->in_table)
        tcb_hash_remove(t, tcb);
    if (tcb->owner == TCB_USER)
        return; /* the socket still reads the outcome; tcp_release frees */
    tcb_free(t, tcb);
}

void tcb_drop(struct tcp_ctx *t, struct tcb *tcb, int err)
{
    /* "All segment queues should be flushed"; octets already delivered
     * in order stay readable, then the error is reported (MUST-12). */
    if (tcb->error == 0)
        tcb->error = err;
    tcb->reset = true;
    sb_drop(&tcb->sb, tcb->sb.len);
    sb_release(&tcb->sb);
    rb_ooo_clear(&tcb->rb);
    rb_release(&tcb->rb);
    tcb_closed(t, tcb);
}

void tcb_touch(struct tcp_ctx *t, struct tcb *tcb)
{
    if (tcb->watch_sd < 0 || tcb->touched_pprev)
        return;
    tcb->touched_next = t->touched;
    if (t->touched)
        t->touched->touched_pprev = &tcb->touched_next;
    t->touched = tcb;
    tcb->touched_pprev = &t->touched;
}

void tcb_untouch(struct tcb *tcb)
{
    if (!tcb->touched_pprev)
        return;
    *tcb->touched_pprev = tcb->touched_next;
    if (tcb->touched_next)
        tcb->touched_next->touched_pprev = tcb->touched_pprev;
    tcb->touched_next = NULL;
    tcb->touched_pprev = NULL;
}

struct tcb *tcp_touched_pop(struct tcp_ctx *t)
{
    struct tcb *tcb = t->touched;
    if (tcb)
        tcb_untouch(tcb);
    return tcb;
}

void tcp_watch(struct tcb *tcb, int sd)
{
    tcb->watch_sd = sd;
    if (sd < 0)
        tcb_untouch(tcb);
}

void tcb_child_established(struct tcp_ctx *t, struct tcb *tcb)
{
    struct tcb *parent = tcb->parent;
    if (!parent || tcb->owner != TCB_LISTENER || tcb->in_acceptq)
        return; /* a Fast Open child is queued before its handshake ends */
    tcb_touch(t, parent); /* a connection to accept */
    embryo_unlink(parent, tcb);
    tcb->q_next = NULL;
    if (parent->lst->acceptq_tail)
        parent->lst->acceptq_tail->q_next = tcb;
    else
        parent->lst->acceptq_head = tcb;
    parent->lst->acceptq_tail = tcb;
    parent->lst->acceptq_len++;
    tcb->in_acceptq = true;
}

struct tcb *tcb_acceptq_pop(struct tcb *listener)
{
    struct tcb *c = listener->lst->acceptq_head;
    if (!c)
        return NULL;
    child_detach(c);
    c->owner = TCB_USER;
    return c;
}

enum synack_state tcp_tuple_state(struct tcp_ctx *t, const struct tcp_tuple *tu)
{
    struct tcb *tcb = tcb_lookup(t, tu);
    if (tcb)
        return tcb->state;
    if (syncache_lookup(t, tu))
        return SYNACK_SYN_RECEIVED;
    if (timewait_lookup(t, tu))
        return SYNACK_TIME_WAIT;
    return SYNACK_CLOSED;
}

bool tcp_conn_exists(struct tcp_ctx *t, const struct synack_addr *laddr, uint16_t lport,
                     const struct synack_addr *raddr, uint16_t rport)
{
    struct tcp_tuple tu = {*laddr, *raddr, lport, rport};
    return tcp_tuple_state(t, &tu) != SYNACK_CLOSED;
}

/* TCP Fast Open (RFC 7413): a server's cookies and the SYNs whose data it
 * takes at once, and a client's cookie cache and the data its SYN
 * carries. Cookies are SipHash-2-4 of the client's and the server's
 * addresses under the stack's secret, or under a listener's
 * TCP_FASTOPEN_KEY, computed as Linux computes them, so a key gives the
 * same cookie on both. */
#include <string.h>

#include "tcp/tcp_internal.h"

#define TFO_COOKIE_LEN 8u     /* Linux's, and within RFC 7413 4.1.1's 4 to 16 */
#define TFO_CLIENT 0x1u       /* net.ipv4.tcp_fastopen bits */
#define TFO_SERVER 0x2u
#define TFO_CLIENT_NO_COOKIE 0x4u
#define TFO_SERVER_NO_COOKIE 0x200u

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

void tcp_tfo_configure(struct tcb *tcb, uint16_t mode, uint32_t qlen, const uint8_t *key16)
{
    tcb->tfo_mode = mode;
    if (!tcb->lst)
        return; /* the queue and the key are a listener's */
    tcb->lst->tfo_qlen = qlen;
    if (key16) {
        tcb->lst->tfo_key = (struct siphash_key){le64(key16), le64(key16 + 8)};
        tcb->lst->tfo_key_set = true;
    }
}

/* ---- the server: cookies (RFC 7413 4.1.2) ---- */

static void make_cookie(const struct tcp_ctx *t, const struct tcb *l,
                        const struct synack_addr *client, const struct synack_addr *server,
                        uint8_t out[TFO_COOKIE_LEN])
{
    /* MAC over the addresses, as the SYN's IP header has them: 4 octets
     * each for IPv4, 16 for IPv6 */
    uint8_t d[32];
    size_t n = client->family == SYNACK_AF_INET ? 4 : 16;
    memcpy(d, client->a + 16 - n, n);
    memcpy(d + n, server->a + 16 - n, n);
    uint64_t h = siphash24(l->lst->tfo_key_set ? &l->lst->tfo_key : &t->tfo_key, d, 2 * n);
    for (unsigned i = 0; i < TFO_COOKIE_LEN; i++)
        out[i] = (uint8_t)(h >> (8 * i));
}

static bool server_on(const struct tcb *l)
{
    return l->lst && (l->tfo_mode & TFO_SERVER) && l->lst->tfo_qlen > 0;
}

bool tcp_tfo_listener_asked(const struct tcb *l, const struct tcp_syn_opts *peer)
{
    return peer->tfo && server_on(l);
}

void tcp_tfo_syn_ack_opt(const struct tcp_ctx *t, const struct tcb *l,
                         const struct tcp_tuple *tu, const struct tcp_syn_opts *peer,
                         struct synack_tcp_opts *o)
{
    /* 4.1.2: a SYN with a cookie request or a cookie (valid or not) gets
     * a valid cookie back, from a listener that does Fast Open. */
    if (!peer->tfo || !server_on(l))
        return;
    o->present |= TCPOPT_F_FASTOPEN;
    o->tfo_len = TFO_COOKIE_LEN;
    make_cookie(t, l, &tu->raddr, &tu->laddr, o->tfo_cookie);
}

/* 4.2.2: the SYN's cookie is valid (or none is asked for). */
static bool cookie_ok(const struct tcp_ctx *t, const struct tcb *l, const struct tcp_seg *seg)
{
    if (l->tfo_mode & TFO_SERVER_NO_COOKIE)
        return true;
    const struct synack_tcp_opts *o = seg->opts;
    if (!(o->present & TCPOPT_F_FASTOPEN) || o->tfo_len != TFO_COOKIE_LEN)
        return false;
    uint8_t want[TFO_COOKIE_LEN];
    make_cookie(t, l, &seg->src, &seg->dst, want);
    return memcmp(want, o->tfo_cookie, TFO_COOKIE_LEN) == 0;
}

bool tcp_tfo_server_syn(struct tcp_ctx *t, struct tcb *l, const struct tcp_seg *seg,
                        const struct tcp_passive *po, uint64_t now)
{
    if (!server_on(l) || (!seg->datalen && !SEG_HAS(seg, SYNACK_TCP_FIN)))
        return false;
    if (!cookie_ok(t, l, seg)) {
        t->cnt->tcp_tfo_cookie_bad++; /* 4.2.2: the data waits for the handshake */
        return false;
    }
    if (l->lst->tfo_pending >= l->lst->tfo_qlen) {
        t->cnt->tcp_tfo_overflow++; /* 5.1: a bounded number of pending TFO connections */
        return false;
    }
    struct tcb *c = tcp_passive_child(t, l, po, now);
    if (!c)
        return false;
    c->last_rcv = now;
    /* 4.2.2: the data is accepted now, acknowledged by the SYN-ACK, and the
     * connection goes to the application before the handshake ends. */
    uint32_t len = seg->datalen <= rb_space(&c->rb) ? seg->datalen : rb_space(&c->rb);
    int64_t adv = len ? rb_store(&c->rb, c->rcv_nxt, c->rcv_nxt, seg->data, len) : 0;
    if (adv < 0)
        adv = 0;
    c->rcv_nxt += (uint32_t)adv;
    if (SEG_HAS(seg, SYNACK_TCP_FIN) && (uint32_t)adv == seg->datalen) {
        c->flags |= TF_FIN_PENDING;
        c->rcv_fin_seq = c->rcv_nxt;
    }
    c->rcv_up = c->rcv_adv = c->rcv_nxt;
    /* a valid cookie is not given again (as Linux) */
    c->flags |= TF_TFO_PENDING | TF_TFO_SYN_DATA;
    l->lst->tfo_pending++;
    tcb_child_established(t, c); /* accept() returns it in SYN-RECEIVED */
    t->cnt->tcp_tfo_accepted++;
    tcp_output_later(t, c);
    return true;
}

void tcp_tfo_child_done(struct tcb *c)
{
    if (!(c->flags & TF_TFO_PENDING))
        return;
    c->flags &= ~TF_TFO_PENDING;
    if (c->parent && c->parent->lst->tfo_pending)
        c->parent->lst->tfo_pending--;
}

/* ---- the client: the cookie cache and the SYN's data (4.1.3, 4.2.1) ---- */

static struct tfo_cached *cache_find(struct tcp_ctx *t, const struct synack_addr *addr)
{
    for (unsigned i = 0; i < TCP_TFO_CACHE; i++)
        if (t->tfo_cache[i].len && tcp_addr_eq(&t->tfo_cache[i].addr, addr))
            return &t->tfo_cache[i];
    return NULL;
}

/* Remember a server's cookie and MSS (4.1.3), in place of the oldest. */
static void cache_put(struct tcp_ctx *t, const struct synack_addr *addr,
                      const struct synack_tcp_opts *o, uint16_t mss)
{
    struct tfo_cached *e = cache_find(t, addr);
    if (!e) {
        e = &t->tfo_cache[0];
        for (unsigned i = 1; i < TCP_TFO_CACHE; i++)
            if (t->tfo_cache[i].stamp < e->stamp)
                e = &t->tfo_cache[i];
    }
    e->addr = *addr;
    e->len = o->tfo_len;
    memcpy(e->cookie, o->tfo_cookie, o->tfo_len);
    e->mss = mss;
    e->stamp = ++t->tfo_stamp;
}

static bool client_on(const struct tcb *tcb)
{
    return (tcb->flags & TF_TFO_CLIENT) && (tcb->tfo_mode & TFO_CLIENT);
}

void tcp_tfo_connect(struct tcp_ctx *t, struct tcb *tcb)
{
    /* As Linux: connect() waits for the first send only when that send
     * can go in the SYN: a cookie is cached, or none is needed. */
    if (client_on(tcb) &&
        (cache_find(t, &tcb->raddr) || (tcb->tfo_mode & TFO_CLIENT_NO_COOKIE)))
        tcb->flags |= TF_TFO_DEFER;
}

/* The text a SYN with these options has room for: Eff.snd.MSS = min(SendMSS
 * + 20, MMS_S) - TCPhdrsize - IPoptionsize (RFC 9293 3.7.1, MUST-16), the
 * header with the SYN's own options (the cookie's among them) */
static uint32_t syn_room(struct tcp_ctx *t, struct tcb *tcb, uint32_t send_mss, uint64_t now)
{
    struct synack_tcp_opts o;
    uint8_t b[SYNACK_TCP_OPT_MAX];
    tcp_opts_fill(t, tcb, SYNACK_TCP_SYN, &o, now);
    uint32_t hdr = 20u + (uint32_t)synack_tcp_opts_build(b, sizeof b, &o, NULL);
    uint32_t ip = tcb->raddr.family == SYNACK_AF_INET6 ? 40u : 20u;
    uint32_t mtu = tcp_path_mtu(t, tcb), mms_s = mtu > ip ? mtu - ip : 0;
    uint32_t eff = send_mss + 20u < mms_s ? send_mss + 20u : mms_s;
    return eff > hdr ? eff - hdr : 1u;
}

uint32_t tcp_tfo_syn_data(struct tcp_ctx *t, struct tcb *tcb, uint64_t now)
{
    /* Only the first SYN: a SYN sent again carries neither data nor the
     * option (4.2.1: the data goes after the handshake). */
    tcb->tfo_opt = false;
    if (!client_on(tcb) || tcb->snd_max != tcb->iss)
        return 0;
    struct tfo_cached *e = cache_find(t, &tcb->raddr);
    uint32_t mss = e && e->mss ? e->mss : tcp_default_mss(tcb); /* the server's, if known (MUST-15) */
    if (e) { /* the cookie, and the data with it */
        tcb->tfo_opt = true;
        tcb->tfo_len = e->len;
        memcpy(tcb->tfo_cookie, e->cookie, e->len);
        uint32_t room = syn_room(t, tcb, mss, now);
        return tcb->sb.len < room ? tcb->sb.len : room;
    }
    uint32_t room = syn_room(t, tcb, mss, now);
    uint32_t len = tcb->sb.len < room ? tcb->sb.len : room;
    if (tcb->tfo_mode & TFO_CLIENT_NO_COOKIE)
        return len; /* data without a cookie, and without the option (as Linux) */
    tcb->tfo_opt = true; /* 4.1.1: a request for a cookie */
    tcb->tfo_len = 0;
    return 0;
}

void tcp_tfo_syn_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg)
{
    const struct synack_tcp_opts *o = seg->opts;
    if ((o->present & TCPOPT_F_FASTOPEN) && o->tfo_len >= 4) /* 4.1.1: 4 to 16 octets */
        cache_put(t, &tcb->raddr, o, tcb->peer_mss);
    if (!(tcb->flags & TF_TFO_SYN_DATA))
        return;
    /* 4.2.1: data the SYN-ACK does not acknowledge goes again after the
     * handshake, as ordinary data. */
    if (seq_lt(tcb->snd_una, tcb->snd_nxt)) {
        tcb->snd_nxt = tcb->snd_una;
        tcb->flags &= ~TF_TFO_SYN_DATA;
        t->cnt->tcp_tfo_syn_data_refused++;
    }
}

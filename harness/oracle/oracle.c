/* The RFC oracle (oracle.h): its life cycle and findings, the table of
 * 4-tuples with the readings (worlds) each keeps, and the way of one
 * datagram: parsed, checksums judged, its incarnation picked, then RFC
 * 9293 3.10.7's steps in order (model.h says which file has each). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#include "oracle/model.h"

/* ---- configuration, life cycle ---- */

void oracle_config_default(struct oracle_config *c)
{
    memset(c, 0, sizeof *c); /* every field, stack_checksums_checked too (UBSan: a bool left unset) */
    c->rto_min_us = 1000000;
    c->rto_initial_us = 1000000;
    c->rto_max_us = 60000000;
    c->ack_delay_max_us = 500000;
    c->slack_us = 5000;
    c->skew_us = 0;
    c->isn_tick_us = 4;
    c->max_conns = 4096;
    c->max_findings = 10000;
}

struct oracle *oracle_new(const struct oracle_config *cfg)
{
    struct oracle *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    if (cfg)
        o->cfg = *cfg;
    else
        oracle_config_default(&o->cfg);
    if (o->cfg.max_conns == 0)
        o->cfg.max_conns = 1;
    return o;
}

static void tuple_free(struct o_tuple *t)
{
    for (size_t w = 0; w < t->nworlds; w++)
        free(t->world[w]);
    free(t);
}

void oracle_free(struct oracle *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->nconns; i++)
        tuple_free(o->conns[i]);
    free(o->conns);
    free(o->slots);
    free(o->findings);
    free(o);
}

size_t oracle_finding_count(const struct oracle *o) { return o->nfindings; }
size_t oracle_findings_dropped(const struct oracle *o) { return o->dropped; }

const struct oracle_finding *oracle_finding_at(const struct oracle *o, size_t i)
{
    return i < o->nfindings ? &o->findings[i] : NULL;
}

void oracle_stats(const struct oracle *o, struct oracle_stats *st)
{
    *st = o->st;
    st->connections = (unsigned)o->nconns;
}

/* ---- findings ---- */

void o_finding(struct oracle *o, enum oracle_rule_id id, const char *fmt, ...)
{
    if (o->nfindings >= o->cfg.max_findings) {
        o->dropped++;
        return;
    }
    if (o->nfindings == o->cap_findings) {
        size_t cap = o->cap_findings ? o->cap_findings * 2 : 16;
        struct oracle_finding *f = realloc(o->findings, cap * sizeof *f);
        if (!f) {
            o->dropped++;
            return;
        }
        o->findings = f;
        o->cap_findings = cap;
    }
    struct oracle_finding *f = &o->findings[o->nfindings++];
    memset(f, 0, sizeof *f);
    f->rule = oracle_rule_id(id);
    f->packet = o->pkt;
    f->time_us = o->now;
    f->from = o->from;
    f->src = o->src;
    f->dst = o->dst;
    f->sport = o->sport;
    f->dport = o->dport;
    if (o->from == ORACLE_FROM_PEER && o->cfg.peer_unworded)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

int oracle_endpoint_format(const struct synack_addr *a, uint16_t port, char *buf, size_t len)
{
    char t[64];
    synack_addr_format(a, t, sizeof t);
    if (a->family == SYNACK_AF_INET6)
        return snprintf(buf, len, "[%s]:%u", t, port);
    return snprintf(buf, len, "%s:%u", t, port);
}

int oracle_finding_format(const struct oracle_finding *f, char *buf, size_t len)
{
    char s[ORACLE_ENDPOINT_LEN], d[ORACLE_ENDPOINT_LEN];
    oracle_endpoint_format(&f->src, f->sport, s, sizeof s);
    oracle_endpoint_format(&f->dst, f->dport, d, sizeof d);
    return snprintf(buf, len, "packet %u %s > %s: %s (%s): %s", f->packet, s, d, f->rule->name,
                    f->rule->req, f->message);
}

/* ---- the table of 4-tuples ---- */

/* An endpoint: its address (either family, IPv4 as ::ffff:a.b.c.d, so
 * one comparison serves both) and port. */
struct o_ep {
    const struct synack_addr *addr;
    uint16_t port;
};

static uint64_t addr_fold(const struct synack_addr *a)
{
    uint64_t k = a->family;
    for (int i = 0; i < 16; i++)
        k = (k ^ a->a[i]) * 0x100000001b3ull; /* FNV-1a */
    return k;
}

static uint32_t tuple_hash(struct o_ep a, struct o_ep b)
{
    uint64_t k = (addr_fold(a.addr) * 31 + addr_fold(b.addr)) ^
                 ((uint64_t)a.port << 16 | b.port) * 0x9e3779b97f4a7c15ull;
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 32;
    return (uint32_t)k;
}

static bool ep_is(const struct o_side *x, struct o_ep e)
{
    return x->port == e.port && synack_addr_eq(&x->addr, e.addr);
}

static bool tuple_is(const struct o_tuple *t, struct o_ep a, struct o_ep b)
{
    const struct o_side *x = &t->world[0]->e[0], *y = &t->world[0]->e[1];
    return (ep_is(x, a) && ep_is(y, b)) || (ep_is(x, b) && ep_is(y, a));
}

/* Canonical order, so both directions hash alike. */
static uint32_t conn_hash(struct o_ep a, struct o_ep b)
{
    int c = memcmp(a.addr, b.addr, sizeof *a.addr);
    bool swap = c > 0 || (c == 0 && a.port > b.port);
    return swap ? tuple_hash(b, a) : tuple_hash(a, b);
}

static uint32_t side_hash(const struct o_side *x)
{
    return conn_hash((struct o_ep){&x[0].addr, x[0].port}, (struct o_ep){&x[1].addr, x[1].port});
}

static bool rehash(struct oracle *o, size_t n)
{
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return false;
    for (size_t i = 0; i < o->nconns; i++) {
        size_t h = side_hash(o->conns[i]->world[0]->e) & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
    }
    free(o->slots);
    o->slots = s;
    o->nslots = n;
    return true;
}

static struct o_tuple *tuple_find_or_add(struct oracle *o, struct o_ep src, struct o_ep dst)
{
    if (o->nslots) {
        size_t h = conn_hash(src, dst) & (o->nslots - 1);
        for (; o->slots[h]; h = (h + 1) & (o->nslots - 1))
            if (tuple_is(o->conns[o->slots[h] - 1], src, dst))
                return o->conns[o->slots[h] - 1];
    }
    if (o->nconns >= o->cfg.max_conns) {
        o->st.conns_untracked++;
        return NULL;
    }
    if ((o->nconns + 1) * 2 > o->nslots && !rehash(o, o->nslots ? o->nslots * 2 : 64))
        return NULL;
    if (o->nconns % 64 == 0) {
        struct o_tuple **v = realloc(o->conns, (o->nconns + 64) * sizeof *v);
        if (!v)
            return NULL;
        o->conns = v;
    }
    struct o_tuple *t = calloc(1, sizeof *t);
    struct o_inc *c = malloc(sizeof *c); /* (o_inc_reset clears all but the arrays,
                                           * which are read only up to their counts) */
    if (!t || !c) {
        free(t);
        free(c);
        return NULL;
    }
    c->number = 0;
    o_inc_reset(c, src.addr, src.port, dst.addr, dst.port);
    t->world[0] = c;
    t->nworlds = 1;
    if (!o->st.readings_max)
        o->st.readings_max = 1;
    o->conns[o->nconns] = t;
    size_t h = conn_hash(src, dst) & (o->nslots - 1);
    while (o->slots[h])
        h = (h + 1) & (o->nslots - 1);
    o->slots[h] = (uint32_t)++o->nconns;
    return t;
}

/* The tuple of this segment, new if need be; NULL past max_conns. */
static struct o_tuple *tuple_get(struct oracle *o, struct o_ep src, struct o_ep dst)
{
    if (o->last && tuple_is(o->last, src, dst)) /* most packets are the last one's */
        return o->last;
    struct o_tuple *t = tuple_find_or_add(o, src, dst);
    if (t)
        o->last = t;
    return t;
}

/* ---- one segment in one world: RFC 9293 3.10.7's steps ---- */

/* A segment whose checksum fails (or whose options do not parse): the
 * receiver drops it, so only the sender's numbers count, when they are of
 * its stream at all (a corrupted sequence number, before the ISN or far
 * beyond, is no octet it sent) */
static void judge_corrupted(struct o_side *s, const struct o_side *r, const struct segv *v)
{
    bool own = !s->syn_seen || (!seq_le(v->end, s->iss + 1) && !o_beyond_reach(s, r, v));
    if (own && !HAS(v, SYNACK_TCP_RST) && (!s->sent_any || seq_gt(v->end, s->snd_max))) {
        s->snd_max = v->end;
        s->sent_any = true;
    }
}

/* A SYN-ACK that does not acknowledge the SYN of a side in SYN-SENT (r has
 * sent only SYNs) is refused with a RST and discarded (RFC 9293 3.10.7.3,
 * SEG.ACK =< ISS or SEG.ACK > SND.NXT): its ISN is not s's. Returns true
 * when it was one (judged: its ACK of unsent data, and nothing else) */
static bool synack_refused_in_syn_sent(struct oracle *o, struct o_inc *c, struct o_side *s,
                                       struct o_side *r, const struct segv *v)
{
    bool synack = (v->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) ==
                  (SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    uint32_t ack = v->th->ack;
    if (!synack || s->syn_seen || !r->syn_seen || !r->sent_any || r->acked ||
        !(seq_le(ack, r->iss) || seq_gt(ack, r->snd_max)))
        return false;
    if (seq_gt(ack, r->snd_max))
        o_on_ack(o, c, s, r, v);
    return true;
}

/* The steps from the sequence check on, for a segment without RST. */
static void judge_steps(struct oracle *o, struct o_inc *c, struct o_side *s, struct o_side *r,
                        const struct segv *v)
{
    if (!c->closed) {
        if (!o_check_sequence(o, s, r, v))
            return;
        o_check_window_mss(o, c, s, r, v);
    }
    /* a SYN at another ISN than its sender's, answering no pending SYN:
     * a synchronized receiver answers it with a challenge ACK and drops it
     * (RFC 9293 3.10.7.4 fourth check, RFC 5961 4.2), one in SYN-RECEIVED
     * goes back to LISTEN: its ACK and window count for nothing (an ACK of
     * unsent data is still its sender's fault) */
    bool other_isn = HAS(v, SYNACK_TCP_SYN) && s->syn_seen && v->seq != s->iss;
    /* ... and so does a receiver both of whose SYNs were acknowledged
     * (ESTABLISHED and after) any SYN, at its sender's ISN too */
    bool syn_challenged = other_isn || (HAS(v, SYNACK_TCP_SYN) && o_synchronized(s, r));
    o_syn_may_send_to_listen(c, r, v);
    if (HAS(v, SYNACK_TCP_ACK) && !c->closed &&
        (!syn_challenged || o_acks_unsent(r, v->th->ack)))
        o_on_ack(o, c, s, r, v);
    if (!c->closed && (v->len || HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_FIN)))
        o_on_send(o, c, s, r, v);
    o_on_fin(s, v);
    if (!other_isn && (!s->sent_any || seq_gt(v->end, s->snd_max))) {
        s->snd_max = v->end; /* (a SYN with another ISN is not of this stream) */
        s->sent_any = true;
    }
}

/* A segment as every reading sees it: its datagram, its header, and what
 * the steps read of them (built once, whatever the readings). */
struct o_pkt {
    const struct synack_ip_view *ip;
    const struct synack_tcp *th;
    bool corrupted;             /* the receiver drops it (a checksum, the options) */
    struct segv v;
};

static void pkt_of(struct o_pkt *p, const struct synack_ip_view *ip, const struct synack_tcp *th,
                   bool corrupted)
{
    size_t fixed = ip->version == 6 ? SYNACK_IPV6_HDR : 20;
    *p = (struct o_pkt){ip, th, corrupted,
                        {.th = th, .flags = th->flags, .seq = th->seq,
                         .len = (uint32_t)th->payload_len, .ip_opts = ip->hdr_len - fixed,
                         .ecn = (uint8_t)(ip->tos & 3), .v6 = ip->version == 6}};
    p->v.data_start = p->v.seq + (HAS(&p->v, SYNACK_TCP_SYN) ? 1 : 0);
    p->v.end = p->v.data_start + p->v.len + (HAS(&p->v, SYNACK_TCP_FIN) ? 1 : 0);
    p->v.exts = o_ext_concerns(&p->v);
}

/* Which side of c sent the segment: 0 or 1. */
static int sender_index(const struct o_inc *c, const struct o_pkt *p)
{
    return (c->e[0].port == p->th->sport && synack_addr_eq(&c->e[0].addr, &p->ip->src)) ? 0 : 1;
}

static void judge_segment(struct oracle *o, struct o_inc *c, const struct o_pkt *p)
{
    const struct synack_tcp *th = p->th;
    const struct segv *v = &p->v;
    int si = sender_index(c, p);
    struct o_side *s = &c->e[si], *r = &c->e[1 - si];
    o_inc_select(o, c, &s, &r, th);
    struct o_judge j = {o, c, s, r, v};
    bool pure_syn = (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) ==
                    SYNACK_TCP_SYN;
    if (pure_syn && (th->reserved & 1) && HAS(v, SYNACK_TCP_CWR) && HAS(v, SYNACK_TCP_ECE))
        c->neg.accecn = true; /* AccECN asked for: AE is a flag from now on */
    o_check_header(o, c, v);
    o_ext_header(&j);
    if (p->corrupted) {
        judge_corrupted(s, r, v);
        return;
    }
    o_ext_sent(&j);
    if (s->reset && !HAS(v, SYNACK_TCP_RST | SYNACK_TCP_SYN))
        o_refute(o); /* reset, it has nothing of this incarnation to send */
    if (!HAS(v, SYNACK_TCP_RST | SYNACK_TCP_SYN))
        s->may_listen = false; /* not in LISTEN, which sends none (READ_BACK_TO_LISTEN) */
    if (!synack_refused_in_syn_sent(o, c, s, r, v)) {
        if (HAS(v, SYNACK_TCP_SYN) && !HAS(v, SYNACK_TCP_RST))
            o_on_syn(o, c, s, r, v);
        o_ext_segment(&j);
        if (HAS(v, SYNACK_TCP_RST))
            o_check_rst(o, c, s, r, v);
        else
            judge_steps(o, c, s, r, v);
    }
    o_remember_last(o, s, v);
}

/* ---- the readings of a tuple (model.h: worlds) ---- */

/* Could a step meet a choice of readings on this segment? Only then is the
 * world copied before it is judged. The steps that call o_either:
 * incarnation.c on a bare SYN (o_syn_readings) and on a SYN-ACK after an
 * in-window SYN (o_synack_may_be_new), ack.c on an ACK past the announced
 * window (o_ack_maybe_dropped). */
static bool may_fork(const struct oracle *o, const struct o_inc *c, const struct o_pkt *p)
{
    int si = sender_index(c, p);
    const struct o_side *s = &c->e[si], *r = &c->e[1 - si];
    if (p->th->flags & SYNACK_TCP_SYN)
        return o_syn_readings(o, s, r, p->th) != 0 || o_synack_may_be_new(s, r, p->th);
    return o_ack_maybe_dropped(s, r, &p->v);
}

/* A reading after this segment, and what it gave. */
struct o_cand {
    struct o_inc *w;
    size_t first, count;        /* its findings in o->findings */
    size_t dropped;             /* and those past max_findings */
    unsigned ruling;            /* findings about a packet not the peer's */
    bool refuted;
};

/* Judge the segment in w under reading `reading`. */
static void judge_in(struct oracle *o, struct o_inc *w, unsigned reading, const struct o_pkt *p)
{
    o->reading = reading;
    o->readings_met = 0;
    o->refuted = false;
    judge_segment(o, w, p);
}

/* ... as one of several readings: its findings go after the others. */
static struct o_cand judge_world(struct oracle *o, struct o_inc *w, unsigned reading,
                                 const struct o_pkt *p)
{
    struct o_cand k = {w, o->nfindings, 0, o->dropped, 0, false};
    judge_in(o, w, reading, p);
    k.count = o->nfindings - k.first;
    k.dropped = o->dropped - k.dropped;
    k.refuted = o->refuted;
    for (size_t i = k.first; i < o->nfindings; i++)
        if (o->findings[i].from != ORACLE_FROM_PEER)
            k.ruling++;
    return k;
}

/* Which readings stay: those no packet refutes, and of them those that
 * give no finding about the stack when any does (else all of them). */
static bool cand_keep(const struct o_cand *k, bool any_clean, bool any_unrefuted)
{
    if (any_unrefuted && k->refuted)
        return false;
    return !any_clean || k->ruling == 0;
}

/* Keep the readings that stand (merging those that came out the same)
 * and report the findings of the one of them with the fewest. */
static void resolve(struct oracle *o, struct o_tuple *t, struct o_cand *k, size_t n,
                    size_t mark, size_t dropped)
{
    bool any_clean = false, any_unrefuted = false;
    for (size_t i = 0; i < n; i++) {
        any_unrefuted |= !k[i].refuted;
        any_clean |= !k[i].refuted && k[i].ruling == 0;
    }
    t->nworlds = 0;
    const struct o_cand *best = NULL;
    for (size_t i = 0; i < n; i++) {
        bool keep = cand_keep(&k[i], any_clean, any_unrefuted) && t->nworlds < ORACLE_WORLDS;
        for (size_t w = 0; keep && w < t->nworlds; w++)
            keep = !o_inc_same(t->world[w], k[i].w);
        if (keep && (!best || k[i].count < best->count))
            best = &k[i];
        if (keep)
            t->world[t->nworlds++] = k[i].w;
        else
            free(k[i].w);
    }
    if (t->nworlds > o->st.readings_max)
        o->st.readings_max = (unsigned)t->nworlds;
    if (best && best->count)
        memmove(&o->findings[mark], &o->findings[best->first],
                best->count * sizeof o->findings[0]);
    o->nfindings = mark + (best ? best->count : 0);
    o->dropped = dropped + (best ? best->dropped : 0);
}

/* One segment of a tuple, in each of its readings; a reading the segment
 * splits (o_either) is judged in a copy for each choice. The readings the
 * tuple had come first, the new ones after them (the first to go when
 * there are more than ORACLE_WORLDS). */
static void judge_tuple(struct oracle *o, struct o_tuple *t, const struct o_pkt *p)
{
    if (t->nworlds == 1 && !may_fork(o, t->world[0], p)) { /* the usual case */
        judge_in(o, t->world[0], 0, p);
        return;
    }
    struct o_cand k[ORACLE_WORLDS * (READ_COUNT_BITS + 1)];
    struct o_inc *before[ORACLE_WORLDS];
    unsigned met[ORACLE_WORLDS];
    size_t n = 0, nw = t->nworlds, mark = o->nfindings, dropped = o->dropped;
    for (size_t w = 0; w < nw; w++) {
        before[w] = may_fork(o, t->world[w], p) ? malloc(sizeof *before[w]) : NULL;
        if (before[w])
            o_inc_copy(before[w], t->world[w]);
        k[n++] = judge_world(o, t->world[w], 0, p);
        met[w] = o->readings_met;
    }
    for (size_t w = 0; w < nw; w++) {
        for (unsigned b = 0; before[w] && b < READ_COUNT_BITS; b++) {
            struct o_inc *alt = (met[w] & (1u << b)) ? malloc(sizeof *alt) : NULL;
            if (!alt)
                continue;
            o_inc_copy(alt, before[w]);
            k[n++] = judge_world(o, alt, 1u << b, p);
        }
        free(before[w]);
    }
    resolve(o, t, k, n, mark, dropped);
}

/* ---- one datagram ---- */

/* Did the sender leave the checksum to the NIC? Linux then puts the
 * folded, uncomplemented pseudo-header sum in the field (of either
 * family's pseudo-header), and a capture on the sending host shows it as
 * it was handed to the device. */
static bool checksum_offloaded(const struct synack_ip_view *ip, const uint8_t *seg)
{
    uint16_t field = synack_get16(seg + 16);
    uint32_t ph = synack_cksum_pseudo_addr(&ip->src, &ip->dst, SYNACK_IPPROTO_TCP,
                                           (uint32_t)ip->l4_len);
    uint16_t partial = (uint16_t)~synack_cksum_fold(ph);
    return field == partial;
}

/* The fixed header when the options do not parse. */
static bool header_only(const struct synack_ip_view *ip, struct synack_tcp *th)
{
    const uint8_t *p = ip->l4;
    memset(th, 0, sizeof *th);
    if (ip->l4_len < 20)
        return false;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < 20 || hl > ip->l4_len)
        return false;
    th->sport = synack_get16(p);
    th->dport = synack_get16(p + 2);
    th->seq = synack_get32(p + 4);
    th->ack = synack_get32(p + 8);
    th->doff = (uint8_t)(hl / 4);
    th->reserved = p[12] & 0x0f;
    th->flags = p[13];
    th->window = synack_get16(p + 14);
    th->checksum = synack_get16(p + 16);
    th->urg_ptr = synack_get16(p + 18);
    th->payload = p + hl;
    th->payload_len = ip->l4_len - hl;
    return true;
}

/* The TCP header of a datagram, its checksum judged; *bad when the
 * receiver drops it (a checksum that fails, options that do not parse:
 * only the sender's numbers are learnt from it). False: nothing to judge. */
/* The parse flags for this packet: checksums the caller verified are not
 * summed again (oracle_config.stack_checksums_checked), nor those it
 * knows to be right (oracle_packet_summed). */
static unsigned sum_flags(const struct oracle *o)
{
    return o->sums_known || (o->from == ORACLE_FROM_STACK && o->cfg.stack_checksums_checked) ?
               WIRE_PARSE_NO_CHECKSUM : 0;
}

static bool tcp_of(struct oracle *o, const struct synack_ip_view *ip, struct synack_tcp *th,
                   bool *bad)
{
    struct synack_wire_error we;
    int e = synack_ip_view_tcp(ip, sum_flags(o), th, &we);
    if (e == WIRE_ETCP_CHECKSUM) {
        if (checksum_offloaded(ip, ip->l4)) {
            o->st.offload_checksums++;
        } else {
            *bad = true;
            o_finding(o, RULE_TCP_CSUM, "TCP checksum 0x%04x does not verify%s",
                      synack_get16(ip->l4 + 16),
                      ip->version == 6 ? " (with the IPv6 pseudo-header)" : "");
        }
        e = synack_ip_view_tcp(ip, WIRE_PARSE_NO_CHECKSUM, th, &we);
    }
    if (e >= WIRE_ETCP_OPT_TRUNCATED && e <= WIRE_ETCP_TS_LEN) {
        char msg[96];
        synack_wire_error_format(&we, msg, sizeof msg);
        o_finding(o, RULE_BAD_OPTIONS, "%s", msg);
        /* receivers differ (drop it, as synack, or skip the options) */
        *bad = true;
        return header_only(ip, th);
    }
    return e == WIRE_OK;
}

/* The datagram as either family's view; *ip_bad when IPv4's header
 * checksum fails (the view is then read without it). */
static int view_of(const struct oracle *o, const uint8_t *pkt, size_t len,
                   struct synack_ip_view *ip, bool *ip_bad)
{
    struct synack_wire_error we;
    int e = synack_ip_view_parse(pkt, len, sum_flags(o), ip, &we);
    *ip_bad = e == WIRE_EIP_CHECKSUM;
    if (*ip_bad)
        e = synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, ip, &we);
    return e;
}

void oracle_packet_number(struct oracle *o, unsigned number, const uint8_t *pkt, size_t len,
                          uint64_t time_us, enum oracle_from from)
{
    o->st.packets++;
    o->next_number = number + 1;
    o->pkt = number;
    o->now = time_us;
    o->from = from;
    struct synack_ip_view ip;
    bool ip_bad;
    int e = view_of(o, pkt, len, &ip, &ip_bad);
    if (e != WIRE_OK || ip.proto != SYNACK_IPPROTO_TCP || ip.fragment || ip.l4_len < 20) {
        if (e == WIRE_OK && ip_bad) {
            o->src = ip.src, o->dst = ip.dst, o->sport = o->dport = 0;
            o_finding(o, RULE_IP_CSUM, "IPv4 header checksum 0x%04x does not verify",
                      synack_get16(pkt + 10));
        }
        return;
    }
    o->st.tcp_segments++;
    o->src = ip.src;
    o->dst = ip.dst;
    o->sport = synack_get16(ip.l4);
    o->dport = synack_get16(ip.l4 + 2);
    if (ip_bad) /* RFC 1122 3.2.1.2 */
        o_finding(o, RULE_IP_CSUM, "IPv4 header checksum 0x%04x does not verify",
                  synack_get16(pkt + 10));
    struct synack_tcp th;
    bool tcp_bad = false;
    if (!tcp_of(o, &ip, &th, &tcp_bad))
        return;
    struct o_tuple *t = tuple_get(o, (struct o_ep){&ip.src, th.sport},
                                  (struct o_ep){&ip.dst, th.dport});
    struct o_pkt p;
    pkt_of(&p, &ip, &th, ip_bad || tcp_bad);
    if (t)
        judge_tuple(o, t, &p);
}

void oracle_packet(struct oracle *o, const uint8_t *pkt, size_t len, uint64_t time_us,
                   enum oracle_from from)
{
    oracle_packet_number(o, o->next_number ? o->next_number : 1, pkt, len, time_us, from);
}

void oracle_packet_summed(struct oracle *o, const uint8_t *pkt, size_t len, uint64_t time_us,
                          enum oracle_from from)
{
    o->sums_known = true;
    oracle_packet(o, pkt, len, time_us, from);
    o->sums_known = false;
}

/* Holes a sender left and never filled, though it went on long enough to
 * have retransmitted them (an RTO), in the tuple's first reading. Unpaid
 * ACK debts, on the other hand, are not findings: the receiver may have
 * dropped the data (a full buffer, a closed application); only a late ACK
 * is one. */
static void finish_holes(struct oracle *o, struct o_inc *c)
{
    for (int side = 0; side < 2; side++) {
        struct o_side *s = &c->e[side], *r = &c->e[1 - side];
        for (size_t k = 0; k < s->nholes; k++) {
            const struct o_hole *h = &s->holes[k];
            if (s->last_time < h->time + o_rto_estimate(o, s) + o->cfg.slack_us)
                continue;
            o->pkt = h->packet;
            o->now = h->time;
            o->src = s->addr, o->sport = s->port, o->dst = r->addr, o->dport = r->port;
            o->from = s->from;
            o_finding(o, RULE_SEQ_OUTSIDE, "sequence number relative %u: octets %u to %u were "
                    "never sent, before or after", h->end - s->iss, h->start - s->iss,
                    h->end - 1 - s->iss);
        }
        s->nholes = 0;
    }
}

void oracle_finish(struct oracle *o, uint64_t end_us)
{
    (void)end_us;
    for (size_t i = 0; i < o->nconns; i++)
        finish_holes(o, o->conns[i]->world[0]);
}

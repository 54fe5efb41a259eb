/* The RFC oracle: follows each TCP connection in both directions and checks
 * every segment against the rules of rules.c. One function per concern:
 * the header (checksums, reserved bits, options), the SYN's negotiation,
 * the sequence space, the window and MSS, RSTs, the ACK field, RFC 6298
 * retransmission timing and the 500 ms delayed-ACK bound. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#include "oracle/oracle_internal.h"

struct oracle {
    struct oracle_config cfg;
    struct o_conn **conns;
    size_t nconns;
    uint32_t *slots;            /* hash of 4-tuples: index + 1, 0 when empty */
    size_t nslots;
    struct oracle_finding *findings;
    size_t nfindings, cap_findings, dropped;
    struct oracle_stats st;
    unsigned next_number;
    /* the packet being looked at */
    unsigned pkt;
    uint64_t now;
    enum oracle_from from;
    uint32_t src, dst;
    uint16_t sport, dport;
};

/* ---- sequence arithmetic (RFC 1982 style) ---- */

static bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* ---- configuration, life cycle ---- */

void oracle_config_default(struct oracle_config *c)
{
    c->rto_min_us = 1000000;
    c->rto_initial_us = 1000000;
    c->rto_max_us = 60000000;
    c->ack_delay_max_us = 500000;
    c->slack_us = 5000;
    c->skew_us = 0;
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

void oracle_free(struct oracle *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->nconns; i++)
        free(o->conns[i]);
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

static void finding(struct oracle *o, enum oracle_rule_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void finding(struct oracle *o, enum oracle_rule_id id, const char *fmt, ...)
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
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
}

int oracle_finding_format(const struct oracle_finding *f, char *buf, size_t len)
{
    uint32_t s = f->src, d = f->dst;
    return snprintf(buf, len, "packet %u %u.%u.%u.%u:%u > %u.%u.%u.%u:%u: %s (%s): %s", f->packet,
                    s >> 24, (s >> 16) & 255, (s >> 8) & 255, s & 255, f->sport, d >> 24,
                    (d >> 16) & 255, (d >> 8) & 255, d & 255, f->dport, f->rule->name,
                    f->rule->req, f->message);
}

/* ---- the connection table ---- */

static uint32_t tuple_hash(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
    uint64_t k = ((uint64_t)a << 32 | b) ^ ((uint64_t)ap << 16 | bp) * 0x9e3779b97f4a7c15ull;
    k ^= k >> 29;
    k *= 0xbf58476d1ce4e5b9ull;
    k ^= k >> 32;
    return (uint32_t)k;
}

static bool conn_is(const struct o_conn *c, uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
    const struct o_ep *x = &c->e[0], *y = &c->e[1];
    return (x->addr == a && x->port == ap && y->addr == b && y->port == bp) ||
           (x->addr == b && x->port == bp && y->addr == a && y->port == ap);
}

/* Canonical order, so both directions hash alike. */
static uint32_t conn_hash(uint32_t a, uint16_t ap, uint32_t b, uint16_t bp)
{
    bool swap = a > b || (a == b && ap > bp);
    return swap ? tuple_hash(b, bp, a, ap) : tuple_hash(a, ap, b, bp);
}

static bool rehash(struct oracle *o, size_t n)
{
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return false;
    for (size_t i = 0; i < o->nconns; i++) {
        const struct o_conn *c = o->conns[i];
        size_t h = conn_hash(c->e[0].addr, c->e[0].port, c->e[1].addr, c->e[1].port) & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = (uint32_t)i + 1;
    }
    free(o->slots);
    o->slots = s;
    o->nslots = n;
    return true;
}

/* The connection of this segment, new if need be; NULL past max_conns. */
static struct o_conn *conn_get(struct oracle *o, uint32_t src, uint16_t sport, uint32_t dst,
                               uint16_t dport)
{
    if (o->nslots) {
        size_t h = conn_hash(src, sport, dst, dport) & (o->nslots - 1);
        for (; o->slots[h]; h = (h + 1) & (o->nslots - 1))
            if (conn_is(o->conns[o->slots[h] - 1], src, sport, dst, dport))
                return o->conns[o->slots[h] - 1];
    }
    if (o->nconns >= o->cfg.max_conns) {
        o->st.conns_untracked++;
        return NULL;
    }
    if ((o->nconns + 1) * 2 > o->nslots && !rehash(o, o->nslots ? o->nslots * 2 : 64))
        return NULL;
    if (o->nconns % 64 == 0) {
        struct o_conn **v = realloc(o->conns, (o->nconns + 64) * sizeof *v);
        if (!v)
            return NULL;
        o->conns = v;
    }
    struct o_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->e[0].addr = src;
    c->e[0].port = sport;
    c->e[1].addr = dst;
    c->e[1].port = dport;
    o->conns[o->nconns] = c;
    size_t h = conn_hash(src, sport, dst, dport) & (o->nslots - 1);
    while (o->slots[h])
        h = (h + 1) & (o->nslots - 1);
    o->slots[h] = (uint32_t)++o->nconns;
    return c;
}

/* A new connection on the same 4-tuple: forget the old one, keep the order. */
static void conn_reset(struct o_conn *c, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
    memset(c, 0, sizeof *c);
    c->e[0].addr = src;
    c->e[0].port = sport;
    c->e[1].addr = dst;
    c->e[1].port = dport;
}

/* ---- RFC 6298 ---- */

static uint64_t rto_of(const struct oracle *o, const struct o_rtt *e)
{
    uint64_t rto = o->cfg.rto_initial_us;
    if (e->have) {
        int64_t var = 4 * e->rttvar;
        if (var < 1000)
            var = 1000; /* G: a clock granularity of 1 ms */
        rto = (uint64_t)(e->srtt + var);
    }
    if (rto < o->cfg.rto_min_us)
        rto = o->cfg.rto_min_us;
    if (rto > o->cfg.rto_max_us)
        rto = o->cfg.rto_max_us;
    return rto;
}

/* The smallest RTO any of the sampling policies gives; *which: that one. */
static uint64_t rto_estimate_by(const struct oracle *o, const struct o_ep *s, int *which)
{
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < RTT_POLICIES; k++) {
        uint64_t rto = rto_of(o, &s->est[k]);
        if (rto < best) {
            best = rto;
            if (which)
                *which = k;
        }
    }
    return best;
}

static uint64_t rto_estimate(const struct oracle *o, const struct o_ep *s)
{
    return rto_estimate_by(o, s, NULL);
}

static void rtt_sample(struct o_ep *s, enum o_rtt_policy k, int64_t r)
{
    if (r < 0)
        return;
    if (r > (INT64_C(1) << 40))
        r = INT64_C(1) << 40; /* 12 days, far above any RTO: 7 * SRTT stays in range */
    if (!s->have_rtt || r < s->rtt_min)
        s->rtt_min = r;
    s->have_rtt = true;
    struct o_rtt *e = &s->est[k];
    if (!e->have) { /* 2.2 */
        e->srtt = r;
        e->rttvar = r / 2;
        e->have = true;
        return;
    }
    int64_t d = e->srtt - r; /* 2.3: RTTVAR first, from the old SRTT */
    e->rttvar = (3 * e->rttvar + (d < 0 ? -d : d)) / 4;
    e->srtt = (7 * e->srtt + r) / 8;
}

/* How long the timer must run before this timeout: the RTO (at least
 * RFC 6298 2.4's minimum) before any backoff; after one, 5.5's doubling
 * (a timer fires late, never early, so the interval grows by at least
 * half), up to the cap. */
static uint64_t timeout_needed(const struct oracle *o, const struct o_ep *s)
{
    if (s->backoff == 0)
        return rto_estimate(o, s);
    uint64_t need = s->last_interval + s->last_interval / 2;
    return need < o->cfg.rto_max_us ? need : o->cfg.rto_max_us; /* 2.5: a cap of 60 s or more */
}

/* A retransmission made by the timer. */
static void timeout_happened(struct oracle *o, struct o_ep *s, uint64_t elapsed)
{
    s->backoff++;
    s->last_interval = elapsed;
    s->timer_start = o->now;
    s->timer_pkt = o->pkt;
}

/* The timer state of s as one reading (o_ep.alt), and back. */
static struct o_timer timer_get(const struct o_ep *s)
{
    return (struct o_timer){s->timer_start, s->last_interval, s->timer_pkt, s->backoff};
}

static void timer_put(struct o_ep *s, struct o_timer t)
{
    s->timer_start = t.start;
    s->last_interval = t.interval;
    s->timer_pkt = t.pkt;
    s->backoff = t.backoff;
}

/* The rule a timeout now breaks under the timer state of s, or RULE_COUNT. */
static enum oracle_rule_id timeout_fault(const struct oracle *o, const struct o_ep *s)
{
    uint64_t elapsed = o->now - s->timer_start, slack = o->cfg.slack_us;
    if (s->backoff == 0) {
        if (elapsed + slack < o->cfg.rto_min_us)
            return RULE_RTO_MIN;
        if (elapsed + slack < rto_estimate(o, s))
            return RULE_RTO_EARLY;
    } else if (elapsed + slack < timeout_needed(o, s)) {
        return RULE_RTO_BACKOFF;
    }
    return RULE_COUNT;
}

/* The rule a timeout now breaks under reading t, or RULE_COUNT. */
static enum oracle_rule_id reading_fault(const struct oracle *o, struct o_ep *s, struct o_timer t)
{
    struct o_timer mine = timer_get(s);
    timer_put(s, t);
    enum oracle_rule_id fault = timeout_fault(o, s);
    timer_put(s, mine);
    return fault;
}

/* Is it late enough now for the timer under reading t? */
static bool reading_late(const struct oracle *o, struct o_ep *s, struct o_timer t)
{
    struct o_timer mine = timer_get(s);
    timer_put(s, t);
    bool late = o->now - s->timer_start + o->cfg.slack_us >= timeout_needed(o, s);
    timer_put(s, mine);
    return late;
}

/* The timer fires now under every reading of s: all restart now, and the
 * one with the shortest interval stands for all (RFC 6298 5.5: the next
 * timeout must wait 1.5 times the interval, so it asks the least). */
static void timer_fired(struct oracle *o, struct o_ep *s)
{
    struct o_timer best = timer_get(s);
    for (size_t i = 0; i < s->nalt; i++)
        if (o->now - s->alt[i].start < o->now - best.start)
            best = s->alt[i];
    timer_put(s, best);
    s->nalt = 0;
    timeout_happened(o, s, o->now - s->timer_start);
}

/* A retransmission the timer made: is it early? Under several readings of
 * earlier retransmissions (o_ep.alt), it is a finding only when it is
 * early under all; the readings it refutes are dropped. */
static void check_timeout(struct oracle *o, struct o_ep *s)
{
    enum oracle_rule_id fault = timeout_fault(o, s);
    if (s->nalt) {
        struct o_timer ok[ORACLE_ALTS + 1];
        size_t nok = 0;
        if (fault == RULE_COUNT)
            ok[nok++] = timer_get(s);
        for (size_t i = 0; i < s->nalt; i++)
            if (reading_fault(o, s, s->alt[i]) == RULE_COUNT)
                ok[nok++] = s->alt[i];
        if (nok) { /* another reading was the right one: those that agree stay */
            fault = RULE_COUNT;
            timer_put(s, ok[0]);
            for (size_t i = 1; i < nok; i++)
                s->alt[i - 1] = ok[i];
            s->nalt = nok - 1;
        } else {
            s->nalt = 0;
        }
    }
    uint64_t elapsed = o->now - s->timer_start;
    if (fault == RULE_RTO_MIN) {
        finding(o, RULE_RTO_MIN, "retransmitted %.3f s after the retransmission timer "
                "started; the RTO is at least %.3f s", elapsed / 1e6, o->cfg.rto_min_us / 1e6);
    } else if (fault == RULE_RTO_EARLY) {
        int k = 0;
        uint64_t rto = rto_estimate_by(o, s, &k);
        finding(o, RULE_RTO_EARLY, "retransmitted %.3f s after the timer started; the RTO "
                "from the RTT samples is %.3f s (SRTT %.3f s, RTTVAR %.3f s)", elapsed / 1e6,
                rto / 1e6, s->est[k].srtt / 1e6, s->est[k].rttvar / 1e6);
    } else if (fault == RULE_RTO_BACKOFF) {
        finding(o, RULE_RTO_BACKOFF, "retransmission %u came %.3f s after the one before, "
                "which had waited %.3f s: the RTO did not back off", s->backoff + 1,
                elapsed / 1e6, s->last_interval / 1e6);
    }
    timer_fired(o, s);
}

/* A retransmission that a segment of the other side may have clocked out
 * came late enough for the timer under some readings. Right with that
 * segment (an answer), it may be either: every reading stays, and one is
 * added in which the timer fired (of those it is late enough for, the
 * shortest interval, which asks the least of the next timeout); the
 * oldest added goes when there is no room. Long after it, it is the
 * timer's: the readings it is too early for go. */
static void timer_clocked(struct oracle *o, struct o_ep *s, bool answer)
{
    struct o_timer all[ORACLE_ALTS + 1];
    size_t n = 0, nlate = 0;
    all[n++] = timer_get(s);
    for (size_t i = 0; i < s->nalt; i++)
        all[n++] = s->alt[i];
    struct o_timer fired = {0};
    for (size_t i = 0; i < n; i++) {
        if (!reading_late(o, s, all[i]))
            continue;
        if (!nlate++ || o->now - all[i].start < fired.interval)
            fired = (struct o_timer){o->now, o->now - all[i].start, o->pkt, all[i].backoff + 1};
    }
    if (!nlate)
        return;
    if (!answer) {
        timer_put(s, fired);
        s->nalt = 0;
        return;
    }
    if (s->nalt == ORACLE_ALTS) {
        memmove(&s->alt[0], &s->alt[1], (ORACLE_ALTS - 1) * sizeof s->alt[0]);
        s->nalt--;
    }
    s->alt[s->nalt++] = fired;
}

/* A retransmission that answers the other side's segment (a fast
 * retransmit, RFC 5681 3.2) may also restart the timer: RFC 6298 5.1 asks
 * only that it run, and Linux rearms it whenever it sends the first
 * unacknowledged segment again. A reading in which it restarted now, with
 * its backoff as it was, is added (it only puts the next timeout later). */
static void timer_rearmed(struct oracle *o, struct o_ep *s)
{
    if (s->nalt == ORACLE_ALTS) {
        memmove(&s->alt[0], &s->alt[1], (ORACLE_ALTS - 1) * sizeof s->alt[0]);
        s->nalt--;
    }
    s->alt[s->nalt++] = (struct o_timer){o->now, s->last_interval, o->pkt, s->backoff};
}

/* The pending SYN of s with this sequence number, or NULL. */
static struct o_pend *pend_find(struct o_ep *s, uint32_t seq)
{
    for (size_t i = 0; i < s->npend; i++)
        if (s->pend[i].seq == seq)
            return &s->pend[i];
    return NULL;
}

static void pend_add(struct o_ep *s, const struct o_pend *p)
{
    struct o_pend *old = pend_find(s, p->seq);
    if (old) {
        /* the same SYN again: the latest copy, but the text and FIN of an
         * earlier one may be queued (RFC 9293 3.10.7.2): the furthest end */
        uint32_t end = seq_gt(old->end, p->end) ? old->end : p->end;
        struct o_pend again = *p;
        again.end = end;
        size_t i = (size_t)(old - s->pend);
        if (i > 0) { /* as recent as its last copy: the last to go */
            memmove(&s->pend[i], &s->pend[i + 1], (s->npend - i - 1) * sizeof s->pend[0]);
            old = &s->pend[s->npend - 1];
        }
        *old = again;
        return;
    }
    if (s->npend == ORACLE_PENDS) {
        /* the first stays: a side in SYN-RECEIVED for it drops the SYNs
         * that follow outside its window (RFC 9293 3.10.7.4 first check)
         * and answers it, however many come; the second oldest goes */
        memmove(&s->pend[1], &s->pend[2], (ORACLE_PENDS - 2) * sizeof s->pend[0]);
        s->npend--;
    }
    s->pend[s->npend++] = *p;
}

static struct o_seg *seg_find(struct o_ep *s, uint32_t seq)
{
    for (size_t i = 0; i < s->nsegs; i++)
        if (seq_ge(seq, s->segs[i].seq) && seq_lt(seq, s->segs[i].end))
            return &s->segs[i];
    return NULL;
}

/* ---- delayed ACKs (MUST-40) ---- */

static void debt_add(struct o_ep *r, uint32_t end, uint64_t now, unsigned pkt)
{
    for (size_t i = 0; i < r->ndebts; i++)
        if (r->debts[i].end == end)
            return;
    if (r->ndebts < ORACLE_DEBTS)
        r->debts[r->ndebts++] = (struct o_debt){end, now, pkt};
}

/* The sender sent from seq again: the receiver may only have it now, and
 * what came after it was out of order there until now. */
static void debt_retime(struct o_ep *r, uint32_t seq, uint64_t now)
{
    for (size_t i = 0; i < r->ndebts; i++)
        if (seq_gt(r->debts[i].end, seq))
            r->debts[i].since = now;
}

/* r acknowledges up to ack what its peer d sent. The capture may be
 * taken at d, a round trip away from r: the smallest RTT sample of d's
 * data is allowed on top of the 500 ms. */
static void debt_pay(struct oracle *o, struct o_ep *r, const struct o_ep *d, uint32_t ack)
{
    uint64_t path = d->have_rtt ? (uint64_t)d->rtt_min : 0;
    size_t k = 0;
    for (size_t i = 0; i < r->ndebts; i++) {
        struct o_debt *db = &r->debts[i];
        if (!seq_le(db->end, ack)) {
            r->debts[k++] = *db;
            continue;
        }
        uint64_t delay = o->now - db->since;
        if (delay > o->cfg.ack_delay_max_us + o->cfg.slack_us + path)
            finding(o, RULE_ACK_DELAYED, "acknowledges what packet %u carried %.3f s after it "
                    "arrived (at most 0.5 s)", db->packet, delay / 1e6);
    }
    r->ndebts = k;
}

/* ---- holes in a sender's stream ---- */

/* [seq, end) goes out: does it fill (part of) a hole? Trim what it fills,
 * and return the packet that first jumped over it (the copy now seen went
 * out before that one), or 0. */
static unsigned hole_fill(struct o_ep *s, uint32_t seq, uint32_t end)
{
    unsigned filled = 0;
    size_t k = 0;
    for (size_t i = 0; i < s->nholes; i++) {
        struct o_hole h = s->holes[i];
        if (seq_lt(seq, h.end) && seq_gt(end, h.start)) {
            if (!filled || h.packet < filled)
                filled = h.packet;
            if (seq_le(seq, h.start))
                h.start = end;           /* the front is filled */
            else
                h.end = seq;             /* the back is filled (the front stays open) */
        }
        if (seq_lt(h.start, h.end))
            s->holes[k++] = h;
    }
    s->nholes = k;
    return filled;
}

/* The receiver acknowledged past a hole: it was sent, the capture missed it. */
static void hole_acked(struct o_ep *s, uint32_t ack)
{
    size_t k = 0;
    for (size_t i = 0; i < s->nholes; i++)
        if (!seq_gt(ack, s->holes[i].start))
            s->holes[k++] = s->holes[i];
    s->nholes = k;
}

/* ---- the checks ---- */

struct segv {
    const struct synack_tcp *th;
    uint8_t flags;
    uint32_t seq, len, data_start, end;   /* end: seq + SYN + len + FIN */
    size_t ip_opts;
};

#define HAS(v, f) (((v)->flags & (f)) != 0)

/* Header-only rules: reserved bits, options without state. */
static void check_header(struct oracle *o, const struct o_conn *c, const struct segv *v)
{
    const struct synack_tcp *th = v->th;
    uint8_t bad = th->reserved & (c->accecn ? 0x0e : 0x0f);
    if (bad)
        finding(o, RULE_RESERVED, "reserved bits 0x%x set in the TCP header", bad);
    if (!HAS(v, SYNACK_TCP_SYN) && (th->opts.present & TCPOPT_F_MSS))
        finding(o, RULE_MSS_NON_SYN, "MSS option (%u) on a segment without SYN", th->opts.mss);
    if (!HAS(v, SYNACK_TCP_SYN) && (th->opts.present & TCPOPT_F_WSCALE))
        finding(o, RULE_WSCALE, "window scale option (%u) on a segment without SYN",
                th->opts.wscale);
    if (th->opts.present & TCPOPT_F_PAD_NONZERO)
        finding(o, RULE_BAD_OPTIONS, "non-zero octets after the EOL option (MUST-69)");
}

/* A SYN: the ISN and options; a SYN-ACK offers only what the SYN offered. */
static void on_syn(struct oracle *o, struct o_conn *c, struct o_ep *s, struct o_ep *r,
                   const struct segv *v)
{
    const struct synack_tcp_opts *op = &v->th->opts;
    /* the other side may answer any SYN with a SYN-ACK at its own ISN:
     * simultaneous open, or a retransmitted SYN */
    r->last_trigger = o->pkt;
    r->last_trigger_time = o->now;
    if (s->syn_seen) {
        /* a retransmission, or a SYN with another ISN: kept aside until the
         * other side's answer tells which connection it belongs to */
        if (v->seq != s->iss && !HAS(v, SYNACK_TCP_ACK)) {
            /* (a SYN may carry data and FIN: end is past them) */
            struct o_pend p = {v->seq, v->end, o->now, o->pkt, v->th->reserved, v->flags, *op};
            pend_add(s, &p);
        } else if (v->seq == s->iss && !HAS(v, SYNACK_TCP_ACK) && (op->present & TCPOPT_F_MSS) &&
                   !(s->opt_mss && s->mss == 0) && op->mss > (s->opt_mss ? s->mss : 536)) {
            /* The same ISN with another MSS: a retransmission (the receiver
             * keeps the first), or a new connection after the other side
             * went back to LISTEN without a word (an in-window SYN in
             * SYN-RECEIVED, RFC 9293 3.10.7.4 fourth, MUST-11), which takes
             * this one. The wire cannot tell them apart: the largest MSS
             * offered with this ISN is the limit (MUST-16 judged leniently) */
            s->opt_mss = true;
            s->mss = op->mss;
        }
        return;
    }
    if (s->sent_any) {
        /* segments before it were of an older connection (a capture picked
         * up mid-stream): this SYN starts the sender's stream anew */
        s->sent_any = false;
        s->fin_sent = false;
        s->nsegs = 0;
        s->nholes = 0;
        s->timer_on = false;
    }
    if (r->acked) {
        /* ... and so were the other side's ACKs and windows (nothing can
         * acknowledge a stream before its SYN) */
        r->acked = false;
        r->edge_known = false;
        r->wl_known = false;
        r->ndebts = 0;
    }
    s->syn_seen = true;
    s->iss = v->seq;
    s->iss_syn_end = v->end;
    s->snd_una = v->seq; /* nothing acknowledged yet: an ACK of ISS is not new */
    s->una_known = true;
    s->opt_mss = op->present & TCPOPT_F_MSS;
    s->mss = op->mss;
    s->opt_ws = op->present & TCPOPT_F_WSCALE;
    s->ws = op->wscale > 14 ? 14 : op->wscale; /* RFC 7323 2.3 */
    s->opt_sackok = op->present & TCPOPT_F_SACK_PERM;
    s->opt_ts = op->present & TCPOPT_F_TS;
    if (HAS(v, SYNACK_TCP_ACK) && r->syn_seen) {
        if (s->opt_ws && !r->opt_ws)
            finding(o, RULE_WSCALE, "SYN-ACK offers window scaling; the SYN did not");
        if (s->opt_ts && !r->opt_ts)
            finding(o, RULE_TS, "SYN-ACK carries timestamps; the SYN did not");
        if (s->opt_sackok && !r->opt_sackok)
            finding(o, RULE_SACK, "SYN-ACK carries SACK-permitted; the SYN did not");
    }
    if (r->syn_seen)
        c->scaled = s->opt_ws && r->opt_ws;
}

static void check_negotiated(struct oracle *o, const struct o_ep *s, const struct o_ep *r,
                             const struct segv *v)
{
    const struct synack_tcp_opts *op = &v->th->opts;
    if (HAS(v, SYNACK_TCP_SYN) || !s->syn_seen || !r->syn_seen)
        return;
    if ((op->present & TCPOPT_F_TS) && !(s->opt_ts && r->opt_ts))
        finding(o, RULE_TS, "timestamps option on a connection whose SYNs did not both carry one");
    if ((op->present & TCPOPT_F_SACK) && !r->opt_sackok)
        finding(o, RULE_SACK, "SACK blocks to a receiver that did not send SACK-permitted");
}

/* Further beyond all s sent than any window r offered: not of s's stream. */
static bool beyond_reach(const struct o_ep *s, const struct o_ep *r, const struct segv *v)
{
    uint32_t reach = r->wnd_max > 65535 ? r->wnd_max : 65535;
    return s->sent_any && seq_gt(v->seq, s->snd_max + reach);
}

/* The sender's own sequence space. */
/* Returns false for a segment that is not of the sender's stream at all
 * (before its ISN, or further beyond all it sent than any window the
 * receiver offered): a finding, and nothing else is learnt from it. */
static bool check_sequence(struct oracle *o, struct o_ep *s, const struct o_ep *r,
                           const struct segv *v)
{
    if (!s->syn_seen || HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST))
        return true;
    if (seq_lt(v->seq, s->iss)) {
        finding(o, RULE_SEQ_OUTSIDE, "sequence number %u is %u before the sender's ISN %u",
                v->seq, s->iss - v->seq, s->iss);
        /* ... but octets after the SYN in it are taken: the receiver trims
         * what is old and processes the rest (RFC 9293 3.10.7.4 first check).
         * Only when it reaches past ISN + 1: a segment half the sequence
         * space away is both before the ISN and after it by RFC 1982, and
         * its receiver finds no octet of it in the window */
        return v->end - v->seq > s->iss + 1 - v->seq;
    }
    if (beyond_reach(s, r, v)) {
        finding(o, RULE_SEQ_OUTSIDE, "sequence number relative %u is beyond all it sent "
                "(relative %u) by more than any window offered", v->seq - s->iss,
                s->snd_max - s->iss);
        return false;
    }
    if (s->sent_any && seq_gt(v->seq, s->snd_max) && s->nholes < ORACLE_HOLES)
        s->holes[s->nholes++] = (struct o_hole){s->snd_max, v->seq, o->pkt, o->now};
    if (s->fin_sent) {
        uint32_t dend = v->data_start + v->len;
        if (v->len && seq_gt(dend, s->fin_seq))
            finding(o, RULE_DATA_AFTER_FIN, "data up to relative %u after its FIN at relative %u",
                    dend - s->iss, s->fin_seq - s->iss);
        else if (HAS(v, SYNACK_TCP_FIN) && dend != s->fin_seq)
            finding(o, RULE_DATA_AFTER_FIN, "FIN at relative %u after its FIN at relative %u",
                    dend - s->iss, s->fin_seq - s->iss);
    }
    return true;
}

/* The receiver's window and MSS. */
static void check_window_mss(struct oracle *o, const struct o_conn *c, const struct o_ep *s,
                             const struct o_ep *r, const struct segv *v)
{
    if (v->len == 0 || HAS(v, SYNACK_TCP_RST))
        return;
    uint32_t dend = v->data_start + v->len;
    bool new_data = !s->sent_any || seq_gt(dend, s->snd_max);
    if (new_data && r->edge_known && !c->closed) {
        /* SND.WND is an offset from SND.UNA (RFC 9293 3.10.7.4 fifth
         * check): an ACK too old by SND.WL1/WL2 to set the window still
         * moves SND.UNA, and the right edge with it */
        uint32_t edge = r->edge_max;
        if (r->wl_known && seq_gt(r->ack_last + r->wnd_rfc, edge))
            edge = r->ack_last + r->wnd_rfc;
        uint32_t over = dend - edge;
        bool probe = over == 1 && (r->wnd_last == 0 || r->wnd_rfc == 0); /* into a closed window */
        if ((int32_t)over > 0 && !probe)
            finding(o, RULE_BEYOND_WINDOW, "data up to %u octets beyond the right edge the "
                    "receiver offered (window %u at ACK relative %u)", over, r->wnd_last,
                    s->syn_seen ? r->ack_last - s->iss : r->ack_last);
    }
    if (r->syn_seen && !(r->opt_mss && r->mss == 0)) {
        long send_mss = r->opt_mss ? r->mss : 536; /* MUST-15 */
        long limit = send_mss + 20 - (long)v->th->doff * 4 - (long)v->ip_opts;
        if ((long)v->len > limit)
            finding(o, RULE_EXCEEDS_MSS, "%u octets of data; the receiver's MSS %ld allows %ld "
                    "with these headers", v->len, send_mss, limit);
    }
}

/* <SEQ=SEG.ACK><CTL=RST>: the answer to the other side's last segment, an
 * unacceptable ACK, in LISTEN, SYN-SENT or SYN-RECEIVED (RFC 9293 3.10.7.2,
 * 3.10.7.3, 3.10.7.4 fifth check). Its sender stays where it was: in
 * SYN-RECEIVED it still holds the SYN it answers, text and FIN with it */
static bool answers_an_ack(const struct o_ep *r, const struct segv *v)
{
    return r->has_last && (r->last_flags & SYNACK_TCP_ACK) && v->seq == r->last_ack;
}

/* s's SYN came to r in SYN-SENT: a SYN-ACK of r's SYN makes it
 * ESTABLISHED, a SYN SYN-RECEIVED (RFC 9293 3.10.7.3 fifth check), its
 * answer perhaps not on the wire yet (a batch, a delayed ACK). There a RST
 * resets only at RCV.NXT exactly (RFC 5961 3.2), which lies past s's SYN
 * and within what s sent: a RST elsewhere misses it and is dropped or
 * challenged */
static bool rst_misses_after_its_syn(const struct o_ep *s, const struct o_ep *r,
                                     const struct segv *v)
{
    bool took_syn = s->syn_seen && ((s->acked && seq_ge(s->ack_last, r->iss + 1)) ||
                                    (s->has_syn && r->has_syn && s->syn_pkt > r->syn_pkt &&
                                     s->syn_seq == s->iss));
    return took_syn && s->sent_any && (seq_lt(v->seq, s->iss + 1) || seq_gt(v->seq, s->snd_max));
}

/* A RST while r's SYNs of a new connection are pending, and no SYN of s
 * came since the first of them: r is still in SYN-SENT, where a RST takes
 * effect only with an acceptable ACK, ISS < SEG.ACK =< SND.NXT; without
 * ACK, or with another, it is dropped (RFC 9293 3.10.7.3 first and second
 * checks). One that acknowledges none of them: they stay pending */
static bool rst_refused_in_syn_sent(const struct o_ep *s, const struct o_ep *r,
                                    const struct segv *v)
{
    if (r->npend == 0)
        return false;
    for (size_t i = 0; i < r->npend; i++) {
        if (s->has_syn && s->syn_pkt > r->pend[i].pkt)
            return false; /* r may be in SYN-RECEIVED, where the RST's SEQ counts */
        if (HAS(v, SYNACK_TCP_ACK) && seq_gt(v->th->ack, r->pend[i].seq) &&
            seq_le(v->th->ack, r->pend[i].end))
            return false;
    }
    return true;
}

/* s's RST at the RCV.NXT r last acknowledged, with octets of s sent past
 * it: r may have taken them in order without acknowledging them yet (a
 * delayed ACK), its RCV.NXT then past the RST, which falls outside the
 * window and is dropped (RFC 9293 3.10.7.4 first check, RFC 5961 3.2).
 * Whether it reset r the wire does not tell */
static bool rst_may_miss_unacked_data(const struct o_ep *s, const struct o_ep *r,
                                      const struct segv *v)
{
    return s->sent_any && seq_gt(s->snd_max, v->seq) && v->seq == r->ack_last;
}

static void check_rst(struct oracle *o, struct o_conn *c, struct o_ep *s,
                      struct o_ep *r, const struct segv *v)
{
    const struct synack_tcp *th = v->th;
    /* the answer to a SYN from a closed port (<SEQ=0><ACK=SEG.SEQ+1>): the
     * SYN's sender accepts it by its ACK, whatever came before (but once
     * its SYN took it past SYN-SENT, only at RCV.NXT) */
    bool answers_syn = HAS(v, SYNACK_TCP_ACK) &&
                       (pend_find(r, th->ack - 1) ||
                        (r->has_last && (r->last_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) ==
                                            SYNACK_TCP_SYN && th->ack == r->last_seq + 1 &&
                         !rst_misses_after_its_syn(s, r, v)));
    if (answers_syn || r->npend) {
        /* (with a SYN of a new connection pending, a RST may belong to that
         * connection, whose ISS the wire has not shown: not judged) */
        if (answers_syn || (!answers_an_ack(r, v) && !rst_refused_in_syn_sent(s, r, v)))
            r->npend = 0;
        c->closed = true;
        return;
    }
    /* in answer to a RST: just after one, numbered from it, when there is
     * no connection left to abort (the RST closed it, or there was none:
     * with one, <SEQ=SND.NXT><CTL=RST> may be an ABORT that happened then) */
    if ((c->closed || !s->syn_seen) && r->has_last && (r->last_flags & SYNACK_TCP_RST) &&
        (!s->has_last || s->last_time <= r->last_time) &&
        o->now - r->last_time <= 10000 + o->cfg.slack_us) {
        bool from_ack = (r->last_flags & SYNACK_TCP_ACK) && v->seq == r->last_ack;
        bool from_seq = HAS(v, SYNACK_TCP_ACK) && th->ack == r->last_seq + r->last_len;
        if (from_ack || from_seq)
            finding(o, RULE_RST_ANSWERS_RST, "answers the RST of %.3f ms before", (o->now - r->last_time) / 1e3);
    }
    /* <SEQ=SEG.ACK><CTL=RST> answering the other side's last segment: the
     * number it gave as its own RCV.NXT (3.10.7.1 to 3.10.7.3) */
    bool reply = answers_an_ack(r, v);
    /* ... or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> answering one without ACK */
    reply |= r->has_last && !(r->last_flags & SYNACK_TCP_ACK) && v->seq == 0 &&
             HAS(v, SYNACK_TCP_ACK) && th->ack == r->last_end;
    /* both SYNs seen and each acknowledged by the other side */
    bool synchronized = s->syn_seen && r->syn_seen && r->acked &&
                        seq_ge(r->ack_last, s->iss + 1) && s->acked &&
                        seq_ge(s->ack_last, r->iss + 1);
    /* a RST that answers nothing is an ABORT, and in a synchronized state
     * a RST is never an answer (3.5.2 group 3): its sender is CLOSED (3.10.5) */
    if (s->syn_seen && (synchronized || !reply)) {
        s->aborted = true;
        s->timer_on = false; /* nothing is left to retransmit: a SYN at its
                              * old ISN now is a new connection's first */
        s->nalt = 0;
    }
    if (c->closed)
        return;
    if (synchronized) {
        uint32_t wnd = r->wnd_adv ? r->wnd_adv : 1;
        uint32_t off = v->seq - r->ack_last;
        /* in the window, or SND.NXT with data still in flight (ABORT's
         * <SEQ=SND.NXT><CTL=RST>, 3.10.5): what a correct stack sends */
        bool in_flight = seq_ge(v->seq, r->ack_last) && seq_le(v->seq, s->snd_max);
        if (off >= wnd && !in_flight && !reply)
            finding(o, RULE_RST_UNACCEPTABLE, "RST at relative %u; the receiver expects %u with "
                    "a window of %u", v->seq - s->iss, r->ack_last - s->iss, r->wnd_adv);
        if (v->seq == r->ack_last && !rst_may_miss_unacked_data(s, r, v))
            c->closed = true; /* RFC 5961 3.2: an exact match resets */
    } else if (HAS(v, SYNACK_TCP_ACK) && r->syn_seen && th->ack == r->iss + 1) {
        /* a SYN refused (r in SYN-SENT takes a RST whose ACK acknowledges
         * its SYN, 3.10.7.3); but once r has acknowledged a SYN of s, r is
         * in SYN-RECEIVED, where a RST resets only at RCV.NXT exactly and
         * one elsewhere in the window is answered by a challenge ACK
         * (RFC 9293 3.10.7.4 second check, RFC 5961 3.2) */
        bool syn_received = s->syn_seen && r->acked && seq_ge(r->ack_last, s->iss + 1);
        if (syn_received ? v->seq == r->ack_last : !rst_misses_after_its_syn(s, r, v))
            c->closed = true;
    }
}

static bool acks_unsent(const struct o_ep *r, uint32_t ack)
{
    return r->syn_seen && r->sent_any && seq_gt(ack, r->snd_max);
}

/* r's SYN not acknowledged yet: an ACK at or before its ISS (one 2^31
 * away is before it by RFC 1982) is not acceptable in SYN-SENT or
 * SYN-RECEIVED (RFC 9293 3.10.7.3 first check, 3.10.7.4 fifth check). r
 * answers it with a RST and drops it: it offers no window */
static bool refused_in_handshake(const struct o_ep *r, uint32_t ack)
{
    return r->syn_seen && r->una_known && r->snd_una == r->iss && seq_le(ack, r->iss);
}

/* s's segment lies wholly before the RCV.NXT r announced: r finds it not
 * acceptable and drops it after sending an ACK, its ACK field and window
 * unread (RFC 9293 3.10.7.4 first check; Linux drops what ends before the
 * RCV.NXT of its last window update) */
static bool before_rcv_nxt(const struct o_ep *s, const struct o_ep *r, const struct segv *v)
{
    return !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_RST) && s->syn_seen && r->acked &&
           seq_ge(r->ack_last, s->iss + 1) && seq_lt(v->end, r->ack_last);
}

/* The window by RFC 9293 3.10.7.4's SND.WL1/WL2 rule opens now, though
 * the window field did not change: the segment that first carried it was
 * older than SND.WL1 and left the window closed at the sender, this one
 * updates it (Linux's view opened with the first) */
static bool wl_rule_opens(const struct o_ep *s, bool was_closed, uint32_t wnd_rfc_before,
                          uint32_t wnd, bool outside)
{
    return !outside && wnd && was_closed && wnd_rfc_before == 0 && s->wnd_rfc != 0;
}

/* s's segment carries an ACK: s as a receiver, r as the sender of data. */
static void on_ack(struct oracle *o, const struct o_conn *c, struct o_ep *s, struct o_ep *r,
                   const struct segv *v)
{
    const struct synack_tcp *th = v->th;
    uint32_t ack = th->ack;
    if (acks_unsent(r, ack)) {
        finding(o, RULE_ACK_UNSENT, "acknowledges up to relative %u; the other side sent up to %u",
                ack - r->iss, r->snd_max - r->iss);
        return; /* the receiver drops it (3.10.7.4 fifth): nothing to learn */
    }
    if (refused_in_handshake(r, ack))
        return;
    if (r->syn_seen && !r->acked && !s->syn_seen && !HAS(v, SYNACK_TCP_SYN))
        return; /* r has sent only SYNs, s no SYN: r is in SYN-SENT, which drops a
                 * segment without SYN or RST (RFC 9293 3.10.7.3): SND.UNA stays */
    unsigned shift = (!HAS(v, SYNACK_TCP_SYN) && c->scaled) ? s->ws : 0;
    uint32_t wnd = (uint32_t)th->window << shift;
    /* An ACK outside SND.UNA =< SEG.ACK =< SND.NXT updates no window at
     * the sender (RFC 9293 3.10.7.4 fifth check; Linux ignores an old ACK
     * too): an old one (or one half the sequence space away, which is old
     * by RFC 1982 too) neither closes nor opens the window the data sender
     * uses, nor offers it a right edge (once it knows one) */
    bool stale = before_rcv_nxt(s, r, v);
    bool outside = stale || (s->acked && s->wl_known && s->edge_known && r->sent_any &&
                             ((r->una_known && seq_lt(ack, r->snd_una)) || seq_gt(ack, r->snd_max)));
    bool wnd_changed = s->acked && !outside && wnd != s->wnd_last;
    bool was_closed = s->acked && (s->wnd_last == 0 || s->wnd_rfc == 0);
    if (!s->acked || seq_gt(ack, s->ack_last))
        s->ack_last = ack; /* RCV.NXT never goes back: an older ACK is an old segment */
    s->acked = true;
    if (!outside)
        s->wnd_last = wnd;
    s->wnd_adv = wnd;
    /* The window the data sender takes: stacks differ (RFC 9293 3.10.7.4's
     * SND.WL1/WL2 rule, or Linux's, which also takes it when the ACK moves
     * on), so both are kept and a window closed by either counts as closed */
    uint32_t wnd_rfc_before = s->wnd_rfc;
    if (outside) {
        /* nothing */
    } else if (!s->wl_known || seq_lt(s->wl1, v->seq) || (s->wl1 == v->seq && seq_le(s->wl2, ack))) {
        s->wnd_rfc = wnd;
        s->wl1 = v->seq;
        s->wl2 = ack;
        s->wl_known = true;
    }
    if (wnd > s->wnd_max)
        s->wnd_max = wnd;
    s->raw_win_last = th->window;
    uint32_t edge = ack + wnd;
    if (!outside && (!s->edge_known || seq_gt(edge, s->edge_max)))
        s->edge_max = edge;
    s->edge_known = true;
    debt_pay(o, s, r, ack);
    if (!r->sent_any || seq_gt(ack, r->snd_max) || stale)
        return;
    /* r's view: SND.UNA, the timer, RTT samples, what may clock out data */
    if (r->una_known && seq_lt(ack, r->snd_una))
        return; /* an old ACK: ignored (3.10.7.4 fifth), nothing it can clock out */
    bool rfc_opens = wl_rule_opens(s, was_closed, wnd_rfc_before, wnd, outside);
    bool trigger = wnd_changed || rfc_opens || (th->opts.present & TCPOPT_F_SACK);
    bool opens = (wnd_changed && wnd && s->wnd_rfc && was_closed) || rfc_opens;
    if (!r->una_known || seq_gt(ack, r->snd_una)) {
        /* Karn (RFC 6298 3): no sample from an ACK that covers anything
         * sent twice, nor while the timer is backed off (the ACK may have
         * waited for a retransmission to fill a hole) */
        int64_t newest = -1, oldest = -1;
        bool ambiguous = r->backoff > 0;
        size_t k = 0;
        for (size_t i = 0; i < r->nsegs; i++) {
            struct o_seg *g = &r->segs[i];
            if (seq_lt(g->seq, ack) && g->tx > 1)
                ambiguous = true;
            if (seq_le(g->end, ack)) {
                newest = (int64_t)(o->now - g->first_tx); /* (in the order sent) */
                if (oldest < 0)
                    oldest = newest;
                continue;
            }
            if (seq_lt(g->seq, ack))
                g->seq = ack;
            r->segs[k++] = *g;
        }
        r->nsegs = k;
        if (newest >= 0 && !ambiguous) {
            rtt_sample(r, RTT_NEWEST, newest);
            rtt_sample(r, RTT_OLDEST, oldest);
        }
        if (r->timing && seq_gt(ack, r->timed_seq)) {
            rtt_sample(r, RTT_TIMED, (int64_t)(o->now - r->timed_tx));
            r->timing = false;
        }
        r->snd_una = ack;
        r->una_known = true;
        hole_acked(r, ack);
        r->backoff = 0;
        r->nalt = 0;
        r->timer_on = seq_lt(ack, r->snd_max); /* 5.2, 5.3 */
        r->timer_start = o->now;
        r->timer_pkt = o->pkt;
        trigger = true;
    } else if (ack == r->snd_una && v->len == 0 && !HAS(v, SYNACK_TCP_SYN | SYNACK_TCP_FIN) &&
               seq_gt(r->snd_max, r->snd_una) && !wnd_changed) {
        trigger = true; /* a duplicate ACK (RFC 5681 2) */
    }
    if (opens) {
        /* a closed window opens: probing (the persist timer, RFC 9293
         * 3.8.6.1) ends. The probe octets may count as never sent (synack's
         * choice): their next transmission is the first, and starts the
         * retransmission timer */
        r->timer_on = false;
        r->backoff = 0;
        r->nalt = 0;
        r->retracted = seq_gt(r->snd_max, ack);
    }
    if (trigger) {
        r->last_trigger = o->pkt;
        r->last_trigger_time = o->now;
    }
}

/* s sends sequence space (data, SYN or FIN). */
static void on_send(struct oracle *o, const struct o_conn *c, struct o_ep *s, struct o_ep *r,
                    const struct segv *v)
{
    if (HAS(v, SYNACK_TCP_SYN) && v->seq != s->iss)
        return; /* a SYN with another ISN is not part of this stream */
    unsigned late = hole_fill(s, v->seq, v->end); /* reordered, or lost before the capture */
    if (late)
        debt_retime(r, v->seq, o->now);
    bool retracted = s->retracted && s->una_known && v->seq == s->snd_una;
    s->retracted = false;
    bool probing = r->acked && (r->wnd_last == 0 || r->wnd_rfc == 0); /* a closed window */
    bool retx = !late && !retracted && s->sent_any && seq_lt(v->seq, s->snd_max) &&
                (!s->una_known || seq_gt(v->end, s->snd_una));
    if (retx) {
        struct o_seg *g = seg_find(s, v->seq);
        /* What may clock this out: an ACK (s->last_trigger); for a SYN or
         * SYN-ACK sent again, any segment of the other side (an
         * unacceptable one in SYN-SENT or SYN-RECEIVED is answered so) */
        unsigned trig = s->last_trigger;
        uint64_t trig_t = s->last_trigger_time;
        if (HAS(v, SYNACK_TCP_SYN) && r->has_last && r->last_pkt > trig) {
            trig = r->last_pkt;
            trig_t = r->last_time;
        }
        /* clocked since the data last went out (in packet order: times may
         * tie); for data no longer remembered, since the timer (re)started,
         * the ACK that restarted it included */
        bool clocked = g ? trig > g->last_pkt : trig >= s->timer_pkt;
        uint64_t prev_t = g ? g->last_tx : s->timer_start;
        if (o->cfg.skew_us && trig && trig_t + 2 * o->cfg.skew_us >= prev_t)
            clocked = true; /* the ACK may have reached the sender after the data left */
        uint32_t una = s->una_known ? s->snd_una : s->iss;
        if (!probing && s->timer_on && v->seq == una) {
            /* an answer to the ACK comes with it; long after it and late
             * enough for the timer, it is the timer's: counted for backoff */
            bool answer = o->now <= trig_t + o->cfg.slack_us + 2 * o->cfg.skew_us;
            if (!clocked)
                check_timeout(o, s);
            else { /* with the other side's segment, but late enough for the
                    * timer: either (a timer firing just after a segment it
                    * dropped); long after it, the timer's */
                timer_clocked(o, s, answer);
                if (answer)
                    timer_rearmed(o, s);
            }
        }
        if (g) {
            g->last_pkt = o->pkt;
            g->last_tx = o->now;
            g->tx++;
        }
        s->timing = false; /* RTT_TIMED: Karn, what is timed may have gone again */
        debt_retime(r, v->seq, o->now);
    } else {
        /* A probe into a closed window is answered when the window opens,
         * not an RTT later: BSD does not time it (tcp_output, t_force), and
         * no estimator here samples it (RFC 6298 3 leaves which segments
         * to time to the sender) */
        if (!s->timing && !late && !probing) { /* RTT_TIMED: time this one */
            s->timing = true;
            s->timed_seq = v->seq;
            s->timed_tx = o->now;
        }
        if (!s->timer_on) { /* 5.1 */
            s->timer_on = true;
            s->nalt = 0;
            s->timer_start = o->now;
            s->timer_pkt = o->pkt;
        } else if (retracted && seq_lt(v->seq, s->snd_max)) {
            /* retracted octets again, with the timer on (an ACK restarted
             * it, RFC 6298 5.3): a first transmission, or the timer's
             * retransmission of octets a stack counts as sent */
            timer_clocked(o, s, true);
        }
        if (s->nsegs < ORACLE_SEGS) /* a late copy: sent before the hole showed */
            s->segs[s->nsegs++] = (struct o_seg){v->seq, v->end, o->now, o->now,
                                                 late ? late : o->pkt,
                                                 late || probing ? 2u : 1u}; /* (2: no sample) */
    }
    /* the receiver owes an ACK for new in-order data or a FIN (MUST-40) */
    uint32_t owed = v->data_start + v->len + (HAS(v, SYNACK_TCP_FIN) ? 1 : 0);
    /* ... once the handshake is over for it: before its SYN is
     * acknowledged a receiver queues what comes (3.10.7.4), without ACKs */
    bool synced = s->acked && seq_ge(s->ack_last, r->iss + 1) && !HAS(v, SYNACK_TCP_SYN);
    /* ... and on a segment with ACK: one without is dropped unread (RFC 9293
     * 3.10.7.4 fifth check) */
    synced = synced && HAS(v, SYNACK_TCP_ACK);
    if ((v->len || HAS(v, SYNACK_TCP_FIN)) && s->syn_seen && r->syn_seen && r->acked && synced &&
        !c->closed && seq_gt(owed, r->ack_last) && seq_le(v->seq, s->snd_max) &&
        r->edge_known && seq_le(v->data_start + v->len, r->edge_max))
        debt_add(r, owed, o->now, o->pkt);
}

static void remember_last(struct oracle *o, struct o_ep *s, const struct segv *v, uint64_t now)
{
    s->from = o->from;
    s->has_last = true;
    s->last_pkt = o->pkt;
    s->last_flags = v->flags;
    s->last_seq = v->seq;
    s->last_ack = v->th->ack;
    s->last_len = v->len;
    s->last_end = v->end;
    s->last_time = now;
    if (HAS(v, SYNACK_TCP_SYN) && !HAS(v, SYNACK_TCP_RST)) {
        s->has_syn = true;
        s->syn_flags = v->flags;
        s->syn_seq = v->seq;
        s->syn_end = v->end;
        s->syn_pkt = o->pkt;
        s->syn_time = now;
        if (!HAS(v, SYNACK_TCP_ACK) && s->syn_seen && v->seq == s->iss) {
            s->has_bare_syn = true;
            s->bare_syn_pkt = o->pkt;
            s->bare_syn_time = now;
        }
        /* (copies may differ: the text and FIN of any may be queued) */
        if (s->syn_seen && v->seq == s->iss && seq_gt(v->end, s->iss_syn_end))
            s->iss_syn_end = v->end;
    }
}

/* s's SYN-ACK at its old ISS after r acknowledged that ISS and then sent a
 * RST: s left SYN-RECEIVED when the ACK came and never sends that SYN-ACK
 * again in the old connection (a SYN in a synchronized state gets a
 * challenge ACK, RFC 5961 4.2, RFC 9293 3.10.7.4 fourth check). The RST
 * reset it: at RCV.NXT exactly (RFC 5961 3.2), which may lie past r's
 * last ACKed octet when s took in-order data it has not acknowledged yet,
 * so the wire may not show it. The SYN-ACK answers a new connection,
 * whose ISS may be the old one (RFC 6528: ISNs follow a clock) */
static bool synack_after_acked_then_rst(const struct o_ep *s, const struct o_ep *r)
{
    return r->aborted && r->acked && seq_ge(r->ack_last, s->iss + 1);
}

/* s's SYN-ACK at its old ISS after both FINs went and s acknowledged
 * r's: s is in CLOSING, LAST-ACK or TIME-WAIT, or closed, never to send a
 * SYN in that connection again. An ABORT there deletes the TCB without a
 * RST (RFC 9293 3.10.5), and in TIME-WAIT a new SYN may open a new
 * connection (3.10.7.4, RFC 6191); its ISS may be the old one (RFC 6528:
 * ISNs follow a clock). The SYN-ACK answers that new connection */
static bool synack_after_fin_acked(const struct o_ep *s, const struct o_ep *r)
{
    return s->fin_sent && r->fin_sent && s->acked && seq_gt(s->ack_last, r->fin_seq);
}

/* r's latest SYN is a SYN-ACK at another ISN than its ISS, after a bare
 * SYN at its ISS that came after s's last SYN: the other side drops that
 * SYN-ACK (in SYN-RECEIVED it is out of the window, or gets a challenge
 * ACK: RFC 9293 3.10.7.4 first and fourth checks), and the bare SYN is
 * still the one a SYN-ACK of s answers */
static bool bare_syn_before_synack_elsewhere(const struct o_ep *s, const struct o_ep *r)
{
    return r->has_syn && (r->syn_flags & SYNACK_TCP_ACK) && r->syn_seq != r->iss &&
           r->has_bare_syn && r->bare_syn_pkt < r->syn_pkt &&
           (!s->has_syn || r->bare_syn_pkt > s->syn_pkt);
}
/* Side s starts over from its own pending SYN `mine` (a new connection on
 * the 4-tuple): that SYN is its first segment, in flight since it was
 * sent, with the retransmission timer running from then (RFC 6298 5.1). */
static void start_from_own_syn(struct oracle *o, struct o_conn *c, struct o_ep *s,
                               struct o_ep *r, const struct o_pend *mine)
{
    struct synack_tcp mth = {.seq = mine->seq, .flags = mine->flags, .opts = mine->opts};
    struct segv mv = {.th = &mth, .flags = mine->flags, .seq = mine->seq,
                      .data_start = mine->seq + 1, .end = mine->end};
    on_syn(o, c, s, r, &mv);
    s->sent_any = true;
    s->snd_max = mine->end;
    s->iss_syn_end = mine->end;
    s->timer_on = true;
    s->timer_start = mine->time;
    s->timer_pkt = mine->pkt;
    s->segs[0] = (struct o_seg){mine->seq, mine->end, mine->time, mine->time, mine->pkt, 1};
    s->nsegs = 1;
}


/* s's newest pending SYN (another ISN than its ISS), r's bare SYN after
 * it, r's last segment an ACK of it, and now a segment of s without SYN at
 * that SYN's
 * end: s took r's SYN in SYN-SENT (simultaneous open, RFC 9293 3.10.7.3)
 * and r's ACK before its SYN-ACK went out (a batch): the SYN already
 * acknowledged, only the ACK is left to send. s's connection is that
 * SYN's; the pending SYN, not the old ISS, numbers its data */
static const struct o_pend *pend_taken_up(const struct o_ep *s, const struct o_ep *r,
                                          const struct synack_tcp *th)
{
    if ((th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST | SYNACK_TCP_ACK)) != SYNACK_TCP_ACK ||
        s->npend == 0 || !r->has_last || !(r->last_flags & SYNACK_TCP_ACK) || !r->syn_seen ||
        !r->has_bare_syn)
        return NULL;
    const struct o_pend *p = &s->pend[s->npend - 1];
    if (th->seq != p->end || r->last_ack != p->end || r->bare_syn_pkt < p->pkt ||
        !seq_gt(th->ack, r->iss))
        return NULL;
    return p;
}

static void segment(struct oracle *o, const struct synack_ipv4 *ip, const struct synack_tcp *th,
                    bool checksum_bad)
{
    struct o_conn *c = conn_get(o, ip->src, th->sport, ip->dst, th->dport);
    if (!c)
        return;
    bool pure_syn = (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) == SYNACK_TCP_SYN;
    int si = (c->e[0].addr == ip->src && c->e[0].port == th->sport) ? 0 : 1;
    struct o_ep *s = &c->e[si], *r = &c->e[1 - si];
    bool synack = (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK | SYNACK_TCP_RST)) ==
                  (SYNACK_TCP_SYN | SYNACK_TCP_ACK);
    /* r's latest SYN a SYN without ACK, sent after s's latest SYN: r is in
     * SYN-SENT (or sent its SYN again), whatever else it sent since (a
     * peer may send anything). After its own SYN-ACK (a simultaneous open)
     * r is in SYN-RECEIVED for s's first ISN, and so it is when s's SYN
     * came after r's (RFC 9293 3.10.7.3 fourth: its SYN-ACK may not be on
     * the wire yet); a SYN-ACK at another ISN is then outside its window:
     * answered by an ACK of the first (3.10.7.4 first check), not a new
     * connection */
    bool r_bare_syn = r->has_syn && (r->syn_flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) ==
                      SYNACK_TCP_SYN && (!s->has_syn || r->syn_pkt > s->syn_pkt);
    unsigned r_syn_pkt = r->syn_pkt;
    uint64_t r_syn_time = r->syn_time;
    if (!r_bare_syn && bare_syn_before_synack_elsewhere(s, r)) {
        r_bare_syn = true;
        r_syn_pkt = r->bare_syn_pkt;
        r_syn_time = r->bare_syn_time;
    }
    /* a SYN-ACK at the old ISS whose ACK is below the RCV.NXT its sender
     * already acknowledged: RCV.NXT never goes back in a connection, so it
     * answers a SYN that reused its ISN after the old one ended (both sides
     * may reuse theirs: RFC 6528's ISNs follow a clock). So does one after
     * the old connection ended by a RST (its sender's ABORT, or one that
     * took effect): there is no old SYN-ACK left to send again */
    bool rcv_back = synack && s->syn_seen && th->seq == s->iss &&
                    ((s->acked && seq_gt(s->ack_last, th->ack)) || s->aborted || c->closed ||
                     synack_after_acked_then_rst(s, r) || synack_after_fin_acked(s, r));
    if (synack && !pend_find(r, th->ack - 1) && s->syn_seen &&
        (th->seq != s->iss || rcv_back) && r->syn_seen && th->ack == r->iss + 1 && r_bare_syn) {
        /* a SYN-ACK with a new ISS for a SYN that reused its ISN (a new
         * connection after the old one ended): as if that SYN were pending */
        uint32_t end = r->iss_syn_end; /* its data, if any, whatever SYNs came since */
        struct o_pend p = {r->iss, end, r_syn_time, r_syn_pkt, 0, SYNACK_TCP_SYN, {0}};
        p.opts.present = (r->opt_mss ? TCPOPT_F_MSS : 0) | (r->opt_ws ? TCPOPT_F_WSCALE : 0) |
                         (r->opt_sackok ? TCPOPT_F_SACK_PERM : 0) | (r->opt_ts ? TCPOPT_F_TS : 0);
        p.opts.mss = r->mss;
        p.opts.wscale = r->ws;
        pend_add(r, &p);
    }
    const struct o_pend *sq = pend_taken_up(s, r, th);
    if (sq) { /* s's side starts over from that SYN, its timer running since */
        struct o_pend mine = *sq;
        uint32_t addr = s->addr;
        uint16_t port = s->port;
        enum oracle_from from = s->from;
        memset(s, 0, sizeof *s);
        s->addr = addr;
        s->port = port;
        s->from = from;
        start_from_own_syn(o, c, s, r, &mine);
    }
    const struct o_pend *rp = synack ? pend_find(r, th->ack - 1) : NULL;
    if (rp) {
        /* the pending SYN opened a new connection: start over from it; or,
         * when the answer keeps its sender's ISS (a simultaneous open whose
         * SYN came again with another ISN), start over on that side only */
        struct o_pend syn = *rp, mine = {0};
        enum oracle_from syn_from = r->from;
        const struct o_pend *sp = pend_find(s, th->seq);
        bool own = sp != NULL; /* a simultaneous open anew */
        if (own)
            mine = *sp;
        if (s->syn_seen && th->seq == s->iss && !rcv_back) {
            uint32_t addr = r->addr;
            uint16_t port = r->port;
            memset(r, 0, sizeof *r);
            r->addr = addr;
            r->port = port;
        } else {
            conn_reset(c, r->addr, r->port, s->addr, s->port);
            r = &c->e[0];
            s = &c->e[1];
        }
        struct synack_tcp sth = {.seq = syn.seq, .flags = syn.flags,
                                 .reserved = syn.reserved, .opts = syn.opts};
        struct segv sv = {.th = &sth, .flags = syn.flags, .seq = syn.seq,
                          .data_start = syn.seq + 1, .end = syn.seq + 1};
        on_syn(o, c, r, s, &sv);
        r->sent_any = true;
        r->snd_max = syn.end;
        r->iss_syn_end = syn.end;
        r->from = syn_from;
        if (own) /* this side's own new SYN went out first: its timer runs since */
            start_from_own_syn(o, c, s, r, &mine);
    }
    struct segv v = {.th = th, .flags = th->flags, .seq = th->seq,
                     .len = (uint32_t)th->payload_len, .ip_opts = ip->options_len};
    v.data_start = v.seq + (HAS(&v, SYNACK_TCP_SYN) ? 1 : 0);
    v.end = v.data_start + v.len + (HAS(&v, SYNACK_TCP_FIN) ? 1 : 0);

    if (pure_syn && (th->reserved & 1) && HAS(&v, SYNACK_TCP_CWR) && HAS(&v, SYNACK_TCP_ECE))
        c->accecn = true; /* AccECN asked for: AE is a flag from now on */
    check_header(o, c, &v);
    if (checksum_bad) { /* the receiver drops it: only the sender's numbers count */
        /* ... when they are of its stream at all: a corrupted sequence
         * number (before the ISN, or far beyond) is no octet it sent */
        bool own = !s->syn_seen || (!seq_le(v.end, s->iss + 1) && !beyond_reach(s, r, &v));
        if (own && !HAS(&v, SYNACK_TCP_RST) && (!s->sent_any || seq_gt(v.end, s->snd_max))) {
            s->snd_max = v.end;
            s->sent_any = true;
        }
        return;
    }
    /* a SYN-ACK that does not acknowledge the SYN of a side in SYN-SENT
     * (r has sent only SYNs) is refused with a RST and discarded (RFC 9293
     * 3.10.7.3, SEG.ACK =< ISS or SEG.ACK > SND.NXT): its ISN is not s's */
    if (synack && !s->syn_seen && r->syn_seen && r->sent_any && !r->acked &&
        (seq_le(th->ack, r->iss) || seq_gt(th->ack, r->snd_max))) {
        if (seq_gt(th->ack, r->snd_max))
            on_ack(o, c, s, r, &v); /* its ACK of unsent data, and nothing else */
        remember_last(o, s, &v, o->now);
        return;
    }
    if (HAS(&v, SYNACK_TCP_SYN) && !HAS(&v, SYNACK_TCP_RST))
        on_syn(o, c, s, r, &v);
    check_negotiated(o, s, r, &v);
    if (HAS(&v, SYNACK_TCP_RST)) {
        check_rst(o, c, s, r, &v);
        remember_last(o, s, &v, o->now);
        return;
    }
    if (!c->closed) {
        if (!check_sequence(o, s, r, &v)) {
            remember_last(o, s, &v, o->now);
            return;
        }
        check_window_mss(o, c, s, r, &v);
    }
    /* a SYN at another ISN than its sender's, answering no pending SYN:
     * a synchronized receiver answers it with a challenge ACK and drops it
     * (RFC 9293 3.10.7.4 fourth check, RFC 5961 4.2), one in SYN-RECEIVED
     * goes back to LISTEN: its ACK and window count for nothing (an ACK of
     * unsent data is still its sender's fault) */
    bool other_isn = HAS(&v, SYNACK_TCP_SYN) && s->syn_seen && v.seq != s->iss;
    if (HAS(&v, SYNACK_TCP_ACK) && !c->closed && (!other_isn || acks_unsent(r, th->ack)))
        on_ack(o, c, s, r, &v);
    if (!c->closed && (v.len || HAS(&v, SYNACK_TCP_SYN | SYNACK_TCP_FIN)))
        on_send(o, c, s, r, &v);
    if (HAS(&v, SYNACK_TCP_FIN) && !s->fin_sent && !HAS(&v, SYNACK_TCP_SYN)) {
        s->fin_sent = true;
        s->fin_seq = v.data_start + v.len;
    }
    if (!other_isn && (!s->sent_any || seq_gt(v.end, s->snd_max))) {
        s->snd_max = v.end; /* (a SYN with another ISN is not of this stream) */
        s->sent_any = true;
    }
    remember_last(o, s, &v, o->now);
}

/* ---- one datagram ---- */

/* Did the sender leave the checksum to the NIC? Linux then puts the
 * folded, uncomplemented pseudo-header sum in the field, and a capture on
 * the sending host shows it as it was handed to the device. */
static bool checksum_offloaded(const struct synack_ipv4 *ip, const uint8_t *seg)
{
    uint16_t field = synack_get16(seg + 16);
    uint32_t ph = synack_cksum_pseudo(ip->src, ip->dst, SYNACK_IPPROTO_TCP, (uint16_t)ip->payload_len);
    uint16_t partial = (uint16_t)~synack_cksum_fold(ph);
    return field == partial;
}

/* The fixed header when the options do not parse. */
static bool header_only(const struct synack_ipv4 *ip, struct synack_tcp *th)
{
    const uint8_t *p = ip->payload;
    memset(th, 0, sizeof *th);
    if (ip->payload_len < 20)
        return false;
    size_t hl = (size_t)(p[12] >> 4) * 4;
    if (hl < 20 || hl > ip->payload_len)
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
    th->payload_len = ip->payload_len - hl;
    return true;
}

void oracle_packet_number(struct oracle *o, unsigned number, const uint8_t *pkt, size_t len,
                          uint64_t time_us, enum oracle_from from)
{
    o->st.packets++;
    o->next_number = number + 1;
    o->pkt = number;
    o->now = time_us;
    o->from = from;
    struct synack_ipv4 ip;
    struct synack_wire_error we;
    int e = synack_ipv4_parse(pkt, len, 0, &ip, &we);
    bool ip_bad = e == WIRE_EIP_CHECKSUM;
    if (ip_bad)
        e = synack_ipv4_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, &we);
    if (e != WIRE_OK || ip.proto != SYNACK_IPPROTO_TCP || synack_ipv4_is_fragment(&ip) ||
        ip.payload_len < 20) {
        if (e == WIRE_OK && ip_bad) {
            o->src = ip.src, o->dst = ip.dst, o->sport = o->dport = 0;
            finding(o, RULE_IP_CSUM, "IPv4 header checksum 0x%04x does not verify", ip.checksum);
        }
        return;
    }
    o->st.tcp_segments++;
    o->src = ip.src;
    o->dst = ip.dst;
    o->sport = synack_get16(ip.payload);
    o->dport = synack_get16(ip.payload + 2);
    if (ip_bad)
        finding(o, RULE_IP_CSUM, "IPv4 header checksum 0x%04x does not verify", ip.checksum);
    struct synack_tcp th;
    e = synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, 0, &th, &we);
    bool tcp_bad = false;
    if (e == WIRE_ETCP_CHECKSUM) {
        if (checksum_offloaded(&ip, ip.payload))
            o->st.offload_checksums++;
        else {
            tcp_bad = true;
            finding(o, RULE_TCP_CSUM, "TCP checksum 0x%04x does not verify",
                    synack_get16(ip.payload + 16));
        }
        e = synack_tcp_parse(ip.payload, ip.payload_len, ip.src, ip.dst, WIRE_PARSE_NO_CHECKSUM,
                             &th, &we);
    }
    if (e >= WIRE_ETCP_OPT_TRUNCATED && e <= WIRE_ETCP_TS_LEN) {
        char msg[96];
        synack_wire_error_format(&we, msg, sizeof msg);
        finding(o, RULE_BAD_OPTIONS, "%s", msg);
        if (!header_only(&ip, &th))
            return;
        /* receivers differ (drop it, as synack, or skip the options): only
         * the sender's numbers are learnt from it, as for a bad checksum */
        tcp_bad = true;
    } else if (e != WIRE_OK) {
        return;
    }
    segment(o, &ip, &th, ip_bad || tcp_bad);
}

void oracle_packet(struct oracle *o, const uint8_t *pkt, size_t len, uint64_t time_us,
                   enum oracle_from from)
{
    oracle_packet_number(o, o->next_number ? o->next_number : 1, pkt, len, time_us, from);
}

void oracle_finish(struct oracle *o, uint64_t end_us)
{
    /* Holes a sender left and never filled, though it went on long enough
     * to have retransmitted them (an RTO). Unpaid ACK debts, on the other
     * hand, are not findings: the receiver may have dropped the data (a full
     * buffer, a closed application); only a late ACK is one. */
    (void)end_us;
    for (size_t i = 0; i < o->nconns; i++) {
        struct o_conn *c = o->conns[i];
        for (int side = 0; side < 2; side++) {
            struct o_ep *s = &c->e[side], *r = &c->e[1 - side];
            for (size_t k = 0; k < s->nholes; k++) {
                const struct o_hole *h = &s->holes[k];
                if (s->last_time < h->time + rto_estimate(o, s) + o->cfg.slack_us)
                    continue;
                o->pkt = h->packet;
                o->now = h->time;
                o->src = s->addr, o->sport = s->port, o->dst = r->addr, o->dport = r->port;
                o->from = s->from;
                finding(o, RULE_SEQ_OUTSIDE, "sequence number relative %u: octets %u to %u were "
                        "never sent, before or after", h->end - s->iss, h->start - s->iss,
                        h->end - 1 - s->iss);
            }
            s->nholes = 0;
        }
    }
}

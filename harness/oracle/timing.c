/* RFC 6298 as the wire shows it: RTT samples under each sampling policy a
 * sender may use, the RTO they give, the retransmission timer's readings
 * (o_side.alt) and the rules rto-below-minimum, retransmit-before-rto and
 * rto-no-backoff. Which transmission is a retransmission is text.c's. */
#include <string.h>

#include "oracle/model.h"

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
static uint64_t rto_estimate_by(const struct oracle *o, const struct o_side *s, int *which)
{
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < RTT_POLICIES; k++) {
        if (k == RTT_TSECR && !s->est[k].have)
            continue; /* no RTTM sample: a sender without timestamps */
        uint64_t rto = rto_of(o, &s->est[k]);
        if (rto < best) {
            best = rto;
            if (which)
                *which = k;
        }
    }
    return best;
}

uint64_t o_rto_estimate(const struct oracle *o, const struct o_side *s)
{
    return rto_estimate_by(o, s, NULL);
}

void o_rtt_sample(struct o_side *s, enum o_rtt_policy k, int64_t r)
{
    o_rtt_sample_weighted(s, k, r, 1);
}

/* RFC 6298 2.3 with alpha and beta divided by n (RFC 7323 Appendix G). */
void o_rtt_sample_weighted(struct o_side *s, enum o_rtt_policy k, int64_t r, uint32_t n)
{
    if (n == 0)
        n = 1;
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
    int64_t d = e->srtt - r, w = n; /* 2.3: RTTVAR first, from the old SRTT */
    e->rttvar = ((4 * w - 1) * e->rttvar + (d < 0 ? -d : d)) / (4 * w);
    e->srtt = ((8 * w - 1) * e->srtt + r) / (8 * w);
}

/* How long the timer must run before this timeout: the RTO (at least
 * RFC 6298 2.4's minimum) before any backoff; after one, 5.5's doubling
 * (a timer fires late, never early, so the interval grows by at least
 * half), up to the cap. */
static uint64_t timeout_needed(const struct oracle *o, const struct o_side *s)
{
    if (s->backoff == 0)
        return o_rto_estimate(o, s);
    uint64_t need = s->last_interval + s->last_interval / 2;
    return need < o->cfg.rto_max_us ? need : o->cfg.rto_max_us; /* 2.5: a cap of 60 s or more */
}

/* A retransmission made by the timer. */
static void timeout_happened(struct oracle *o, struct o_side *s, uint64_t elapsed)
{
    s->backoff++;
    s->last_interval = elapsed;
    s->timer_start = o->now;
    s->timer_pkt = o->pkt;
}

/* The timer state of s as one reading (o_side.alt), and back. */
static struct o_timer timer_get(const struct o_side *s)
{
    return (struct o_timer){s->timer_start, s->last_interval, s->timer_pkt, s->backoff};
}

static void timer_put(struct o_side *s, struct o_timer t)
{
    s->timer_start = t.start;
    s->last_interval = t.interval;
    s->timer_pkt = t.pkt;
    s->backoff = t.backoff;
}

/* The rule a timeout now breaks under the timer state of s, or RULE_COUNT. */
static enum oracle_rule_id timeout_fault(const struct oracle *o, const struct o_side *s)
{
    uint64_t elapsed = o->now - s->timer_start, slack = o->cfg.slack_us;
    if (s->backoff == 0) {
        if (elapsed + slack < o->cfg.rto_min_us)
            return RULE_RTO_MIN;
        if (elapsed + slack < o_rto_estimate(o, s))
            return RULE_RTO_EARLY;
    } else if (elapsed + slack < timeout_needed(o, s)) {
        return RULE_RTO_BACKOFF;
    }
    return RULE_COUNT;
}

/* The rule a timeout now breaks under reading t, or RULE_COUNT. */
static enum oracle_rule_id reading_fault(const struct oracle *o, struct o_side *s, struct o_timer t)
{
    struct o_timer mine = timer_get(s);
    timer_put(s, t);
    enum oracle_rule_id fault = timeout_fault(o, s);
    timer_put(s, mine);
    return fault;
}

/* Is it late enough now for the timer under reading t? */
static bool reading_late(const struct oracle *o, struct o_side *s, struct o_timer t)
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
static void timer_fired(struct oracle *o, struct o_side *s)
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
 * earlier retransmissions (o_side.alt), it is a finding only when it is
 * early under all; the readings it refutes are dropped. */
void o_check_timeout(struct oracle *o, struct o_side *s)
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
        o_finding(o, RULE_RTO_MIN, "retransmitted %.3f s after the retransmission timer "
                "started; the RTO is at least %.3f s", elapsed / 1e6, o->cfg.rto_min_us / 1e6);
    } else if (fault == RULE_RTO_EARLY) {
        int k = 0;
        uint64_t rto = rto_estimate_by(o, s, &k);
        o_finding(o, RULE_RTO_EARLY, "retransmitted %.3f s after the timer started; the RTO "
                "from the RTT samples is %.3f s (SRTT %.3f s, RTTVAR %.3f s)", elapsed / 1e6,
                rto / 1e6, s->est[k].srtt / 1e6, s->est[k].rttvar / 1e6);
    } else if (fault == RULE_RTO_BACKOFF) {
        o_finding(o, RULE_RTO_BACKOFF, "retransmission %u came %.3f s after the one before, "
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
void o_timer_clocked(struct oracle *o, struct o_side *s, bool answer)
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
void o_timer_rearmed(struct oracle *o, struct o_side *s)
{
    struct o_timer now = {o->now, s->last_interval, o->pkt, s->backoff};
    for (size_t i = 0; i < s->nalt; i++) /* (one a segment before it added) */
        if (s->alt[i].start == now.start && s->alt[i].interval == now.interval &&
            s->alt[i].backoff == now.backoff)
            return;
    if (s->nalt == ORACLE_ALTS) {
        memmove(&s->alt[0], &s->alt[1], (ORACLE_ALTS - 1) * sizeof s->alt[0]);
        s->nalt--;
    }
    s->alt[s->nalt++] = now;
}


/* A closed window opens: probing ends and the timer stops (ack.c). When
 * one of the two window rules never closed it (`one_rule`), the timer as
 * it ran stays a reading: the stack that follows that rule retransmits
 * by it. So does one started by data sent while the window was closed (a
 * stack that stopped its timer when the window closed starts it with any
 * segment of data, RFC 6298 5.1, a probe or a retransmission, and keeps
 * it running when the window opens while data is outstanding); an ACK
 * of new data after it restarted it (5.3). The next transmission starts
 * the timer and keeps the readings. */
void o_timer_window_opens(struct o_side *s, bool one_rule)
{
    struct o_timer ran = timer_get(s);
    bool keep = one_rule && s->timer_on, sent = s->probe_sent && s->timer_on;
    if (sent) /* (the later of the data sent and the ACK that restarted it) */
        s->alt[0] = s->timer_start > s->probe_tx
                        ? (struct o_timer){s->timer_start, 0, s->timer_pkt, 0}
                        : (struct o_timer){s->probe_tx, 0, s->probe_pkt, 0};
    s->timer_on = false;
    s->backoff = 0;
    s->nalt = sent ? 1 : 0;
    s->probe_sent = false;
    if (keep)
        s->alt[s->nalt++] = ran;
}

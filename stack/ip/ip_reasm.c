/* IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2) with today's safety rules:
 * an overlap drops the whole datagram (RFC 5722, applied to IPv4), a first
 * fragment too small for the transport header is refused (RFC 1858,
 * RFC 3128). Received octets are kept as sorted runs, RFC 815's holes
 * seen from the other side, bounded per datagram. No clock: `now` comes in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip/ip_reasm.h"

#define IP_MAX_LEN 65535u
#define IP_MIN_HDR 20u
#define GROW_STEP 2048u

struct frag {
    uint32_t off, end; /* payload octets [off, end) of the datagram */
    bool mf;
    const uint8_t *data;
};

enum place { PLACE_NEW, PLACE_DUP, PLACE_OVERLAP, PLACE_SCATTERED };

int ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                  struct synack_counters *cnt)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    r->cnt = cnt;
    if (cfg->max_dgrams && !(r->slots = calloc(cfg->max_dgrams, sizeof *r->slots)))
        return -ENOMEM;
    return 0;
}

static void done_free(struct ip_reasm *r)
{
    free(r->done);
    r->mem -= r->done_size;
    r->done = NULL;
    r->done_size = 0;
}

static void buf_free(struct ip_reasm *r, struct reasm_dgram *d)
{
    if (d->buf)
        r->mem -= IP_REASM_HEADROOM + d->cap;
    free(d->buf);
    d->buf = NULL;
    d->cap = 0;
}

static void release(struct ip_reasm *r, struct reasm_dgram *d)
{
    buf_free(r, d);
    if (d->older)
        d->older->newer = d->newer;
    else
        r->oldest = d->newer;
    if (d->newer)
        d->newer->older = d->older;
    else
        r->newest = d->older;
    memset(d, 0, sizeof *d);
    r->used--;
}

void ip_reasm_destroy(struct ip_reasm *r)
{
    done_free(r);
    while (r->oldest)
        release(r, r->oldest);
    free(r->slots);
    r->slots = NULL;
}

/* A dropped datagram keeps its slot, without its buffer, until it expires:
 * its fragments still to come are discarded too (RFC 5722 4). */
static void kill(struct ip_reasm *r, struct reasm_dgram *d, uint64_t *counter)
{
    (*counter)++;
    buf_free(r, d);
    d->dead = true;
    d->nruns = 0;
}

/* RFC 791 3.2: a datagram is named by source, destination, protocol, id. */
static struct reasm_dgram *find(const struct ip_reasm *r, const struct synack_ipv4 *ip)
{
    for (struct reasm_dgram *d = r->oldest; d; d = d->newer)
        if (d->id == ip->id && d->src == ip->src && d->dst == ip->dst && d->proto == ip->proto)
            return d;
    return NULL;
}

static struct reasm_dgram *create(struct ip_reasm *r, const struct synack_ipv4 *ip, uint64_t now)
{
    if (r->used == r->cfg.max_dgrams) {
        r->cnt->ip_reasm_evicted++; /* the oldest makes room */
        release(r, r->oldest);
    }
    struct reasm_dgram *d = r->slots;
    while (d->in_use)
        d++;
    d->in_use = true;
    d->id = ip->id;
    d->src = ip->src;
    d->dst = ip->dst;
    d->proto = ip->proto;
    d->expires = now + r->cfg.timeout; /* fixed, from the first fragment (3.3.2) */
    d->older = r->newest;
    if (r->newest)
        r->newest->newer = d;
    else
        r->oldest = d;
    r->newest = d;
    r->used++;
    return d;
}

/* RFC 1858 3, RFC 3128: a first fragment that cannot hold the whole TCP
 * header (or an ICMP header) leaves a later one to write the flags a
 * filter judged. (RFC 1858 4's offset-8 rule adds nothing here: such a
 * fragment overlaps any first fragment that holds the header.) */
static bool tiny_fragment(const struct synack_ipv4 *ip, const struct frag *f)
{
    if (f->off != 0)
        return false;
    if (ip->proto == SYNACK_IPPROTO_TCP) {
        uint32_t need = SYNACK_TCP_HDR_MIN;
        if (f->end > 12 && (f->data[12] >> 4) * 4u > need)
            need = (f->data[12] >> 4) * 4u;
        return f->end < need;
    }
    return ip->proto == SYNACK_IPPROTO_ICMP && f->end < 8;
}

/* Every fragment must agree on where the datagram ends. */
static bool end_consistent(const struct reasm_dgram *d, const struct frag *f)
{
    if (f->mf)
        return !d->last_seen || f->end <= d->total;
    if (d->last_seen)
        return f->end == d->total;
    return d->nruns == 0 || d->runs[d->nruns - 1].end <= f->end;
}

/* The counter of the rule a fragment breaks, or NULL. */
static uint64_t *fragment_fault(const struct ip_reasm *r, const struct reasm_dgram *d,
                                const struct synack_ipv4 *ip, const struct frag *f)
{
    struct synack_counters *c = r->cnt;
    if (IP_MIN_HDR + f->end > IP_MAX_LEN)
        return &c->ip_reasm_drop_oversize; /* the "ping of death" */
    if (IP_MIN_HDR + f->end > r->cfg.dgram_max)
        return &c->ip_reasm_drop_too_big; /* beyond EMTU_R (3.3.2) */
    if (tiny_fragment(ip, f))
        return &c->ip_reasm_drop_tiny;
    if (!end_consistent(d, f))
        return &c->ip_reasm_drop_inconsistent;
    return NULL;
}

/* Give up the oldest datagram other than keep; false when there is none. */
static bool evict_other(struct ip_reasm *r, const struct reasm_dgram *keep)
{
    struct reasm_dgram *v = r->oldest == keep ? keep->newer : r->oldest;
    if (!v)
        return false;
    r->cnt->ip_reasm_evicted++;
    release(r, v);
    return true;
}

/* Room for payload octets [0, need), within the stack's budget. */
static bool grow(struct ip_reasm *r, struct reasm_dgram *d, uint32_t need)
{
    if (need <= d->cap)
        return true;
    uint32_t want = d->last_seen ? d->total : (need + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
    if (want > r->cfg.dgram_max - IP_MIN_HDR) /* need is within it (fragment_fault) */
        want = r->cfg.dgram_max - IP_MIN_HDR;
    size_t add = want - d->cap + (d->buf ? 0 : IP_REASM_HEADROOM);
    while (r->mem + add > r->cfg.mem_max)
        if (!evict_other(r, d))
            return false;
    uint8_t *nb = realloc(d->buf, IP_REASM_HEADROOM + want);
    if (!nb)
        return false;
    d->buf = nb;
    d->cap = want;
    r->mem += add;
    return true;
}

/* Insert [off, end) among the runs: new octets, an exact repeat of octets
 * held (a duplicate), or an overlap. */
static enum place place(struct reasm_dgram *d, const struct frag *f)
{
    uint8_t i = 0, n = d->nruns;
    while (i < n && d->runs[i].end < f->off)
        i++;
    struct reasm_run *r = &d->runs[i];
    if (i < n && r->start < f->end && r->end > f->off) {
        bool inside = r->start <= f->off && f->end <= r->end;
        return inside && !memcmp(d->buf + IP_REASM_HEADROOM + f->off, f->data, f->end - f->off)
                   ? PLACE_DUP : PLACE_OVERLAP;
    }
    bool left = i < n && r->end == f->off;
    uint8_t j = left ? i + 1 : i;
    if (j < n && d->runs[j].start < f->end)
        return PLACE_OVERLAP;
    bool right = j < n && d->runs[j].start == f->end;
    if (left && right) {
        r->end = d->runs[j].end;
        memmove(&d->runs[j], &d->runs[j + 1], (size_t)(n - j - 1) * sizeof *r);
        d->nruns--;
    } else if (left) {
        r->end = f->end;
    } else if (right) {
        d->runs[j].start = f->off;
    } else {
        if (n == IP_REASM_RUNS)
            return PLACE_SCATTERED;
        memmove(&d->runs[i + 1], &d->runs[i], (size_t)(n - i) * sizeof *r);
        *r = (struct reasm_run){f->off, f->end};
        d->nruns++;
    }
    return PLACE_NEW;
}

static bool complete(const struct reasm_dgram *d)
{
    return d->first_seen && d->last_seen && d->nruns == 1 && d->runs[0].start == 0 &&
           d->runs[0].end == d->total;
}

/* The first fragment's header in front of the payload: total length,
 * no MF, offset 0, a new checksum. The buffer moves to r->done. */
static bool deliver(struct ip_reasm *r, struct reasm_dgram *d, const uint8_t **out,
                    size_t *out_len)
{
    uint32_t len = d->hlen + d->total;
    if (len > IP_MAX_LEN || len > r->cfg.dgram_max) {
        kill(r, d, len > IP_MAX_LEN ? &r->cnt->ip_reasm_drop_oversize
                                    : &r->cnt->ip_reasm_drop_too_big);
        return false;
    }
    uint8_t *p = d->buf + IP_REASM_HEADROOM - d->hlen;
    memcpy(p, d->quote, d->hlen);
    synack_put16(p + 2, (uint16_t)len);
    synack_put16(p + 6, synack_get16(p + 6) & (SYNACK_IP_DF | SYNACK_IP_RF));
    synack_put16(p + 10, 0);
    synack_put16(p + 10, synack_cksum_fold(synack_cksum_add(0, p, d->hlen)));
    r->done = d->buf;
    r->done_size = IP_REASM_HEADROOM + d->cap;
    d->buf = NULL;
    d->cap = 0;
    release(r, d);
    r->cnt->ip_reasm_ok++;
    *out = p;
    *out_len = len;
    return true;
}

/* The new octets go in; the first fragment's header is kept. */
static void store(struct reasm_dgram *d, const uint8_t *pkt, const struct synack_ipv4 *ip,
                  const struct frag *f)
{
    memcpy(d->buf + IP_REASM_HEADROOM + f->off, f->data, f->end - f->off);
    if (f->off == 0) {
        d->first_seen = true;
        d->hlen = (uint8_t)(ip->ihl * 4u);
        memcpy(d->quote, pkt, d->hlen);
        d->quote_len = (uint8_t)(d->hlen + (f->end < 8 ? f->end : 8));
        memcpy(d->quote + d->hlen, f->data, d->quote_len - d->hlen);
    }
    if (!f->mf) {
        d->last_seen = true;
        d->total = f->end;
    }
}

bool ip_reasm_input(struct ip_reasm *r, const uint8_t *pkt, const struct synack_ipv4 *ip,
                    uint64_t now, const uint8_t **out, size_t *out_len)
{
    done_free(r);
    if (!r->slots) {
        r->cnt->ip_drop_fragment++; /* reassembly off (reasm_max 0) */
        return false;
    }
    r->cnt->ip_frag_in++;
    struct frag f = {.off = (ip->frag & SYNACK_IP_OFFMASK) * 8u, .mf = ip->frag & SYNACK_IP_MF,
                     .data = ip->payload};
    f.end = f.off + (uint32_t)ip->payload_len;
    if (ip->payload_len == 0 || (f.mf && ip->payload_len % 8)) {
        r->cnt->ip_reasm_drop_malformed++; /* RFC 791 3.2: 8-octet units but the last */
        return false;
    }
    struct reasm_dgram *d = find(r, ip);
    if (d && d->dead) {
        r->cnt->ip_reasm_drop_dead++;
        return false;
    }
    d = d ? d : create(r, ip, now);
    uint64_t *fault = fragment_fault(r, d, ip, &f);
    if (fault) {
        kill(r, d, fault);
        return false;
    }
    if (!grow(r, d, f.end)) {
        kill(r, d, &r->cnt->ip_reasm_drop_nomem);
        return false;
    }
    switch (place(d, &f)) {
    case PLACE_DUP:
        r->cnt->ip_reasm_dup++; /* RFC 8200 4.5: an exact duplicate may just go */
        return false;
    case PLACE_OVERLAP:
        kill(r, d, &r->cnt->ip_reasm_drop_overlap);
        return false;
    case PLACE_SCATTERED:
        kill(r, d, &r->cnt->ip_reasm_drop_scattered);
        return false;
    case PLACE_NEW:
        break;
    }
    store(d, pkt, ip, &f);
    return complete(d) && deliver(r, d, out, out_len);
}

void ip_reasm_expire(struct ip_reasm *r, uint64_t now, ip_reasm_timeout_fn timed_out, void *ctx)
{
    done_free(r);
    while (r->oldest && r->oldest->expires <= now) {
        struct reasm_dgram *d = r->oldest;
        if (!d->dead) {
            r->cnt->ip_reasm_timeout++; /* RFC 1122 3.3.2: discard, and tell the source */
            if (d->first_seen && timed_out)
                timed_out(ctx, d->quote, d->quote_len, now);
        }
        release(r, d);
    }
}

uint64_t ip_reasm_deadline(const struct ip_reasm *r)
{
    return r->oldest ? r->oldest->expires : SYNACK_TIME_NEVER;
}

/* Reassembly of IPv4 (RFC 791 3.2, RFC 1122 3.3.2) and IPv6 (RFC 8200
 * 4.5) with today's safety rules: an overlap drops the whole datagram
 * (RFC 5722, applied to IPv4 too), a first fragment too small for the
 * transport header is refused (RFC 1858, RFC 3128). Received octets are
 * kept as sorted runs, RFC 815's holes seen from the other side, bounded
 * per datagram. No clock: `now` comes in. */
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

#define HEADROOM IP_REASM_HDR_MAX

enum place { PLACE_NEW, PLACE_DUP, PLACE_OVERLAP, PLACE_SCATTERED };

int ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                  struct synack_counters *cnt)
{
    memset(r, 0, sizeof *r);
    return ip_reasm_reset(r, cfg, cnt);
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
        r->mem -= HEADROOM + d->cap;
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

int ip_reasm_reset(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                   struct synack_counters *cnt)
{
    done_free(r);
    while (r->oldest)
        release(r, r->oldest); /* which zeroes the slot */
    struct reasm_dgram *slots = r->slots;
    if (slots && r->cfg.max_dgrams != cfg->max_dgrams) {
        free(slots);
        slots = NULL;
    }
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    r->cnt = cnt;
    r->slots = slots;
    if (cfg->max_dgrams && !r->slots && !(r->slots = calloc(cfg->max_dgrams, sizeof *r->slots)))
        return -ENOMEM;
    return 0;
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

/* RFC 791 3.2: an IPv4 datagram is named by source, destination, protocol
 * and identification; RFC 8200 4.5: an IPv6 one without the protocol. */
static uint8_t key_proto(const struct ip_frag *f)
{
    return f->version == 4 ? f->proto : 0;
}

static struct reasm_dgram *find(const struct ip_reasm *r, const struct ip_frag *f)
{
    for (struct reasm_dgram *d = r->oldest; d; d = d->newer)
        if (d->id == f->id && d->version == f->version && d->key_proto == key_proto(f) &&
            !memcmp(d->src, f->src, 16) && !memcmp(d->dst, f->dst, 16))
            return d;
    return NULL;
}

static struct reasm_dgram *create(struct ip_reasm *r, const struct ip_frag *f, uint64_t now)
{
    if (r->used == r->cfg.max_dgrams) {
        r->cnt->ip_reasm_evicted++; /* the oldest makes room */
        release(r, r->oldest);
    }
    struct reasm_dgram *d = r->slots;
    while (d->in_use)
        d++;
    d->in_use = true;
    d->version = f->version;
    d->key_proto = key_proto(f);
    d->id = f->id;
    memcpy(d->src, f->src, 16);
    memcpy(d->dst, f->dst, 16);
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

void ip_frag_from_ipv4(const uint8_t *pkt, const struct synack_ipv4 *ip, struct ip_frag *f)
{
    memset(f, 0, sizeof *f);
    f->version = 4;
    synack_put32(f->src, ip->src);
    synack_put32(f->dst, ip->dst);
    f->id = ip->id;
    f->proto = ip->proto;
    f->off = (ip->frag & SYNACK_IP_OFFMASK) * 8u;
    f->mf = ip->frag & SYNACK_IP_MF;
    f->data = ip->payload;
    f->len = ip->payload_len;
    f->hdr = pkt;
    f->hlen = ip->ihl * 4u;
}

/* RFC 1858 3, RFC 3128: a first fragment that cannot hold the whole TCP
 * header (or an ICMP header) leaves a later one to write the flags a
 * filter judged. (RFC 1858 4's offset-8 rule adds nothing here: such a
 * fragment overlaps any first fragment that holds the header.) */
static bool tiny_fragment(uint8_t proto, const struct frag *f)
{
    if (f->off != 0)
        return false;
    if (proto == SYNACK_IPPROTO_TCP) {
        uint32_t need = SYNACK_TCP_HDR_MIN;
        if (f->end > 12 && (f->data[12] >> 4) * 4u > need)
            need = (f->data[12] >> 4) * 4u;
        return f->end < need;
    }
    return (proto == SYNACK_IPPROTO_ICMP || proto == SYNACK_IPPROTO_ICMPV6) && f->end < 8;
}

void ip_frag_from_ipv6(const uint8_t *pkt, size_t len, const struct synack_ipv6_chain *c,
                       struct ip_frag *f)
{
    memset(f, 0, sizeof *f);
    f->version = 6;
    memcpy(f->src, pkt + 8, 16);
    memcpy(f->dst, pkt + 24, 16);
    f->id = c->frag_id;
    f->proto = pkt[c->frag_hdr_off]; /* the fragment header's Next Header */
    f->off = c->frag_offset;
    f->mf = c->frag_more;
    f->data = pkt + c->frag_hdr_off + 8;
    f->len = len - (c->frag_hdr_off + 8u);
    f->hdr = pkt;
    f->hlen = c->frag_hdr_off;
    f->nh_ptr = c->frag_ptr;
}

static uint32_t min_header(uint8_t version)
{
    return version == 4 ? IP_MIN_HDR : SYNACK_IPV6_HDR;
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
                                const struct ip_frag *fr, const struct frag *f)
{
    struct synack_counters *c = r->cnt;
    /* the length field counts the whole (IPv4) or the payload (IPv6) */
    if ((fr->version == 4 ? IP_MIN_HDR : 0) + f->end > IP_MAX_LEN)
        return &c->ip_reasm_drop_oversize; /* the "ping of death" */
    if (min_header(fr->version) + f->end > r->cfg.dgram_max)
        return &c->ip_reasm_drop_too_big; /* beyond EMTU_R (3.3.2) */
    if (fr->hlen > IP_REASM_HDR_MAX)
        return &c->ip_reasm_drop_malformed;
    if (tiny_fragment(fr->proto, f))
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
    if (want > r->cfg.dgram_max - min_header(d->version)) /* need is (fragment_fault) */
        want = r->cfg.dgram_max - min_header(d->version);
    size_t add = want - d->cap + (d->buf ? 0 : HEADROOM);
    while (r->mem + add > r->cfg.mem_max)
        if (!evict_other(r, d))
            return false;
    uint8_t *nb = realloc(d->buf, HEADROOM + want);
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
        return inside && !memcmp(d->buf + HEADROOM + f->off, f->data, f->end - f->off)
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

/* The unfragmentable part in front of the payload, fixed up: IPv4's total
 * length, no MF, offset 0, a new checksum (RFC 791 3.2); IPv6's payload
 * length, and the offset-zero fragment's Next Header where the fragment
 * header was named (RFC 8200 4.5). */
static uint32_t fix_header(const struct reasm_dgram *d, uint8_t *p)
{
    memcpy(p, d->hdr, d->hlen);
    if (d->version == 6) {
        uint32_t plen = d->hlen - SYNACK_IPV6_HDR + d->total;
        synack_put16(p + 4, (uint16_t)plen);
        p[d->nh_ptr] = d->next;
        return SYNACK_IPV6_HDR + plen;
    }
    uint32_t len = d->hlen + d->total;
    synack_put16(p + 2, (uint16_t)len);
    synack_put16(p + 6, synack_get16(p + 6) & (SYNACK_IP_DF | SYNACK_IP_RF));
    synack_put16(p + 10, 0);
    synack_put16(p + 10, synack_cksum_fold(synack_cksum_add(0, p, d->hlen)));
    return len;
}

/* The whole datagram; its buffer moves to r->done. */
static bool deliver(struct ip_reasm *r, struct reasm_dgram *d, const uint8_t **out,
                    size_t *out_len)
{
    uint32_t len = d->hlen + d->total;
    uint32_t counted = d->version == 6 ? len - SYNACK_IPV6_HDR : len; /* the length field */
    if (counted > IP_MAX_LEN || len > r->cfg.dgram_max) {
        kill(r, d, counted > IP_MAX_LEN ? &r->cnt->ip_reasm_drop_oversize
                                        : &r->cnt->ip_reasm_drop_too_big);
        return false;
    }
    uint8_t *p = d->buf + HEADROOM - d->hlen;
    fix_header(d, p);
    r->done = d->buf;
    r->done_size = HEADROOM + d->cap;
    d->buf = NULL;
    d->cap = 0;
    release(r, d);
    r->cnt->ip_reasm_ok++;
    *out = p;
    *out_len = len;
    return true;
}

/* The new octets go in; the offset-zero fragment's unfragmentable part
 * and protocol are kept. */
static void store(struct reasm_dgram *d, const struct ip_frag *fr, const struct frag *f)
{
    memcpy(d->buf + HEADROOM + f->off, f->data, f->end - f->off);
    if (f->off == 0) {
        d->first_seen = true;
        d->first_len = f->end;
        d->hlen = (uint8_t)fr->hlen;
        d->nh_ptr = fr->nh_ptr;
        d->next = fr->proto;
        memcpy(d->hdr, fr->hdr, fr->hlen);
    }
    if (!f->mf) {
        d->last_seen = true;
        d->total = f->end;
    }
}

bool ip_reasm_input(struct ip_reasm *r, const struct ip_frag *fr, uint64_t now,
                    const uint8_t **out, size_t *out_len)
{
    done_free(r);
    if (!r->slots) {
        r->cnt->ip_drop_fragment++; /* reassembly off (reasm_max 0) */
        return false;
    }
    r->cnt->ip_frag_in++;
    struct frag f = {.off = fr->off, .end = fr->off + (uint32_t)fr->len, .mf = fr->mf,
                     .data = fr->data};
    if (fr->len == 0 || (f.mf && fr->len % 8)) {
        r->cnt->ip_reasm_drop_malformed++; /* RFC 791 3.2: 8-octet units but the last */
        return false;
    }
    struct reasm_dgram *d = find(r, fr);
    if (d && d->dead) {
        r->cnt->ip_reasm_drop_dead++;
        return false;
    }
    d = d ? d : create(r, fr, now);
    uint64_t *fault = fragment_fault(r, d, fr, &f);
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
    store(d, fr, &f);
    return complete(d) && deliver(r, d, out, out_len);
}

/* The offset-zero fragment as it came (IPv6: with its fragment header). */
static void quote_of(const struct reasm_dgram *d, uint8_t frag[8], struct ip_reasm_quote *q)
{
    q->version = d->version;
    q->hdr = d->hdr;
    q->hlen = d->hlen;
    q->frag = NULL;
    q->data = d->buf + HEADROOM;
    q->len = d->first_len;
    if (d->version == 6) {
        frag[0] = d->next;
        frag[1] = 0;
        synack_put16(frag + 2, 1); /* offset 0, more fragments */
        synack_put32(frag + 4, d->id);
        q->frag = frag;
    }
}

void ip_reasm_expire(struct ip_reasm *r, uint64_t now, ip_reasm_timeout_fn timed_out, void *ctx)
{
    done_free(r);
    while (r->oldest && r->oldest->expires <= now) {
        struct reasm_dgram *d = r->oldest;
        if (!d->dead) {
            r->cnt->ip_reasm_timeout++; /* RFC 1122 3.3.2: discard, and tell the source */
            uint8_t frag[8];
            struct ip_reasm_quote q;
            quote_of(d, frag, &q);
            if (d->first_seen && timed_out)
                timed_out(ctx, &q, now);
        }
        release(r, d);
    }
}

uint64_t ip_reasm_deadline(const struct ip_reasm *r)
{
    return r->oldest ? r->oldest->expires : SYNACK_TIME_NEVER;
}

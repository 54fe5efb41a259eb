/* fuzz/ip_reasm.c: IPv4 and IPv6 reassembly (stack/ip/ip_reasm.c) alone, with
 * the invariants the stack relies on: limits held, memory returned, every
 * datagram delivered made of octets sent since its key's last delivery (so
 * none is delivered twice), none past 65535 octets or EMTU_R, overlapping
 * octets that differ never delivered, and the table's own bookkeeping
 * (runs sorted and apart, expiry order, buffers accounted).
 *
 * Input: one configuration octet, then steps, each an opcode octet:
 *   config:  max_dgrams 1 + (c & 7); EMTU_R 576 when c & 8, else 65535;
 *            mem_max EMTU_R + 60 + ((c >> 4) & 3) x 16 KiB; timeout 1 s
 *            when c & 0x40, else 60 s.
 *   op & 3 = 0, 1: a fragment: [key] [off:2] [len:2] [flags]
 *            key & 3: identification, key & 4: protocol TCP or ICMP(v6),
 *            key & 8: one of two sources, key & 16: IPv6 (a fragment
 *            header) rather than IPv4; off: 13-bit offset in 8-octet
 *            units; len: payload octets (cut to fit 65535 with the header);
 *            flags & 1: MF, & 2: the octets' variant (overlaps that differ),
 *            (flags >> 2) & 7: IPv4: words of IP options (NOPs) in the
 *            header; IPv6: odd, a hop-by-hop header before the fragment
 *            header (the unfragmentable part).
 *            Octet i of a datagram's payload is pattern(key, i, variant).
 *   op & 3 = 2: the clock moves by the next octet x 250 ms, expiring what is due.
 *   op & 3 = 3: the clock jumps to the reassembly deadline, expiring it.
 * At the end, the clock jumps past every timeout: nothing may be left.
 */
#include <stdlib.h>
#include <string.h>

#include "ip/ip_reasm.h"

#define FUZZ_TARGET "ip_reasm"
#include "check.h"

#define KEYS 32
#define TRACK_MAX 256 /* fragments remembered per key since its last delivery */
#define DST 0xc0000201u /* 192.0.2.1 */

struct sent {
    uint32_t off, end;
    uint8_t variant;
};

struct fz {
    struct ip_reasm r;
    struct ip_reasm_cfg cfg;
    struct synack_counters cnt;
    uint64_t now;
    uint64_t frags;
    struct sent *sent[KEYS]; /* since the key's last delivery */
    size_t nsent[KEYS];
    bool overflow[KEYS];     /* more than TRACK_MAX: delivery not judged */
    uint8_t pkt[SYNACK_IPV6_HDR + 65536]; /* an IPv6 payload of 65535 */
    uint8_t covered[65536];
};

static const uint8_t V6_DST[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static uint8_t key_version(unsigned k) { return k & 16 ? 6 : 4; }
static uint32_t key_src(unsigned k) { return k & 8 ? 0xc6336402u : 0xc6336403u; }
static uint8_t key_proto(unsigned k)
{
    return k & 4 ? (k & 16 ? SYNACK_IPPROTO_ICMPV6 : SYNACK_IPPROTO_ICMP) : SYNACK_IPPROTO_TCP;
}
/* IPv6's key has no protocol (RFC 8200 4.5): its protocol bit goes into the id */
static uint32_t key_id(unsigned k) { return k & 16 ? 0x10000100u + (k & 7) : 0x100u + (k & 3); }

/* The key's source as reassembly keeps it: IPv4's four octets first. */
static void key_src16(unsigned k, uint8_t out[16])
{
    memset(out, 0, 16);
    if (key_version(k) == 4) {
        synack_put32(out, key_src(k));
        return;
    }
    memcpy(out, V6_DST, 16);
    out[15] = k & 8 ? 2 : 3;
}

static uint8_t pattern(unsigned k, uint32_t i, uint8_t variant)
{
    uint32_t x = (i + 1) * 2654435761u ^ (k * 40503u) ^ (variant ? 0xa5a5a5a5u : 0);
    return (uint8_t)(x >> 13);
}

static unsigned key_of(uint8_t version, const uint8_t src[16], uint8_t proto, uint32_t id)
{
    bool second = version == 4 ? synack_get32(src) == 0xc6336402u : src[15] == 2;
    return (version == 6 ? 16u : 0u) | (second ? 8u : 0u) |
           (proto == SYNACK_IPPROTO_TCP ? 0u : 4u) | (id & 3u);
}

/* ---- the table's own bookkeeping ---- */

static void check_table(const struct fz *f)
{
    const struct ip_reasm *r = &f->r;
    size_t mem = r->done_size, n = 0;
    uint64_t prev = 0;
    for (const struct reasm_dgram *d = r->oldest; d; d = d->newer, n++) {
        CHECK(d->in_use, "a free slot in the list");
        CHECK(d->newer ? d->newer->older == d : r->newest == d, "links");
        CHECK(d->expires >= prev, "expiry order: %llu after %llu",
              (unsigned long long)d->expires, (unsigned long long)prev);
        CHECK(d->expires <= f->now + f->cfg.timeout && d->expires > f->now,
              "a datagram past its time is held");
        prev = d->expires;
        CHECK(!d->dead || (!d->buf && d->nruns == 0), "a dropped datagram holds octets");
        CHECK(d->nruns <= IP_REASM_RUNS, "%u runs", d->nruns);
        mem += d->buf ? IP_REASM_HDR_MAX + d->cap : 0;
        CHECK(d->version == 4 || d->version == 6, "version %u", d->version);
        for (unsigned i = 0; i < d->nruns; i++) {
            CHECK(d->runs[i].start < d->runs[i].end && d->runs[i].end <= d->cap,
                  "run %u [%u, %u) in %u", i, d->runs[i].start, d->runs[i].end, d->cap);
            CHECK(i == 0 || d->runs[i - 1].end < d->runs[i].start, "runs %u and %u touch", i - 1,
                  i);
        }
        CHECK(!d->last_seen || d->nruns == 0 || d->runs[d->nruns - 1].end <= d->total,
              "octets past the end");
    }
    CHECK(n == r->used && n <= f->cfg.max_dgrams, "%zu listed, %u used, %u allowed", n, r->used,
          f->cfg.max_dgrams);
    CHECK(mem == r->mem, "buffers of %zu octets, %zu accounted", mem, r->mem);
    CHECK(r->mem <= f->cfg.mem_max, "%zu octets held, limit %u", r->mem, f->cfg.mem_max);
    CHECK(ip_reasm_deadline(r) == (r->oldest ? r->oldest->expires : SYNACK_TIME_NEVER),
          "deadline");
}

/* ---- a delivered datagram ---- */

/* Every payload octet was sent since the key's last delivery, and every
 * fragment sent that covers it agrees on its value. */
static void check_payload(struct fz *f, unsigned k, const uint8_t *pl, uint32_t len)
{
    memset(f->covered, 0, len);
    for (size_t j = 0; j < f->nsent[k]; j++) {
        const struct sent *s = &f->sent[k][j];
        for (uint32_t i = s->off; i < s->end && i < len; i++) {
            CHECK(pl[i] == pattern(k, i, s->variant),
                  "octet %u delivered though fragments sent for it differ", i);
            f->covered[i] = 1;
        }
    }
    for (uint32_t i = 0; i < len; i++)
        CHECK(f->covered[i], "octet %u of key %u delivered without a fragment sent since the "
              "last delivery (delivered twice?)", i, k);
}

/* The datagram delivered parses as one, not a fragment, and is its key's. */
static unsigned delivered_key(const uint8_t *out, size_t len, const uint8_t **pl, size_t *pl_len)
{
    if ((out[0] >> 4) == 4) {
        struct synack_ipv4 ip;
        int e = synack_ipv4_parse(out, len, 0, &ip, NULL);
        CHECK(e == WIRE_OK, "the datagram delivered does not parse: %s", synack_wire_errname(e));
        CHECK(ip.total_len == len && !synack_ipv4_is_fragment(&ip), "a fragment delivered");
        CHECK(ip.dst == DST, "dst");
        *pl = ip.payload;
        *pl_len = ip.payload_len;
        uint8_t src[16] = {0};
        synack_put32(src, ip.src);
        return key_of(4, src, ip.proto, ip.id);
    }
    struct synack_ipv6 ip;
    struct synack_ipv6_chain c;
    int e = synack_ipv6_parse(out, len, 0, &ip, NULL);
    CHECK(e == WIRE_OK && SYNACK_IPV6_HDR + ip.plen == len, "the packet delivered does not "
          "parse: %s", synack_wire_errname(e));
    CHECK(synack_ipv6_chain_parse(out, len, &c, NULL) == WIRE_OK && !c.frag, "a fragment header "
          "left in the packet delivered");
    CHECK(!memcmp(ip.dst, V6_DST, 16), "dst");
    *pl = out + c.l4_off;
    *pl_len = len - c.l4_off;
    /* the id is not in the packet any more: the only datagram of its source
     * and protocol whose fragments are awaited has it */
    return key_of(6, ip.src, c.proto, 0);
}

static void check_delivered(struct fz *f, const uint8_t *out, size_t len, unsigned k_frag)
{
    CHECK(len <= f->cfg.dgram_max, "%zu octets delivered, EMTU_R %u", len, f->cfg.dgram_max);
    CHECK(len <= 65535 + ((out[0] >> 4) == 6 ? SYNACK_IPV6_HDR : 0), "%zu octets delivered", len);
    const uint8_t *pl;
    size_t pl_len;
    unsigned k = delivered_key(out, len, &pl, &pl_len);
    CHECK((k & ~3u) == (k_frag & ~3u) && (key_version(k) == 6 || k == k_frag),
          "key %u delivered by a fragment of key %u", k, k_frag);
    k = k_frag; /* IPv6's id is gone; the fragment that completed it names it */
    if (!f->overflow[k])
        check_payload(f, k, pl, (uint32_t)pl_len);
    f->nsent[k] = 0;
    f->overflow[k] = false;
}

/* ---- steps ---- */

/* A key whose datagram the table no longer holds alive (dropped, evicted,
 * timed out) starts over: its octets sent so far can join no delivery. */
static void forget_gone(struct fz *f)
{
    for (unsigned k = 0; k < KEYS; k++) {
        uint8_t src[16];
        key_src16(k, src);
        uint8_t kp = key_version(k) == 4 ? key_proto(k) : 0;
        const struct reasm_dgram *d = f->r.oldest;
        while (d && !(d->version == key_version(k) && !memcmp(d->src, src, 16) &&
                      d->key_proto == kp && d->id == key_id(k)))
            d = d->newer;
        if (!d || d->dead) {
            f->nsent[k] = 0;
            f->overflow[k] = false;
        }
    }
}

static void remember(struct fz *f, unsigned k, uint32_t off, uint32_t end, uint8_t variant)
{
    if (f->nsent[k] == TRACK_MAX) {
        f->overflow[k] = true;
        return;
    }
    if (!f->sent[k] && !(f->sent[k] = malloc(TRACK_MAX * sizeof(struct sent))))
        abort();
    f->sent[k][f->nsent[k]++] = (struct sent){off, end, variant};
}

static size_t build_fragment4(struct fz *f, unsigned k, uint32_t off, uint32_t len, uint8_t fl)
{
    unsigned words = (fl >> 2) & 7;
    size_t hlen = 20 + words * 4u;
    struct synack_ipv4 h = {.id = (uint16_t)key_id(k), .ttl = 64, .proto = key_proto(k),
                            .src = key_src(k), .dst = DST,
                            .frag = (uint16_t)((fl & 1 ? SYNACK_IP_MF : 0) | (off / 8))};
    if (len > 65535 - hlen)
        len = (uint32_t)(65535 - hlen);
    synack_ipv4_build(f->pkt, 20, &h, 0, NULL);
    f->pkt[0] = (uint8_t)(0x40 | (hlen / 4));
    synack_put16(f->pkt + 2, (uint16_t)(hlen + len));
    memset(f->pkt + 20, TCPOPT_NOP, hlen - 20); /* NOP is 1 in IP too (RFC 791) */
    synack_put16(f->pkt + 10, 0);
    synack_put16(f->pkt + 10, synack_cksum_fold(synack_cksum_add(0, f->pkt, hlen)));
    for (uint32_t i = 0; i < len; i++)
        f->pkt[hlen + i] = pattern(k, off + i, fl & 2);
    return hlen + len;
}

/* An IPv6 fragment: the header, a hop-by-hop header when flags ask for
 * one, the fragment header, the data. */
static size_t build_fragment6(struct fz *f, unsigned k, uint32_t off, uint32_t len, uint8_t fl)
{
    bool hbh = (fl >> 2) & 1;
    size_t ext = hbh ? 8 : 0, hlen = SYNACK_IPV6_HDR + ext + 8;
    if (len > 65535 - (hlen - SYNACK_IPV6_HDR))
        len = (uint32_t)(65535 - (hlen - SYNACK_IPV6_HDR));
    struct synack_ipv6 h = {.next = hbh ? SYNACK_IPPROTO_HOPOPTS : SYNACK_IPPROTO_FRAGMENT,
                            .hop_limit = 64};
    key_src16(k, h.src);
    memcpy(h.dst, V6_DST, 16);
    synack_ipv6_build(f->pkt, SYNACK_IPV6_HDR, &h, hlen - SYNACK_IPV6_HDR + len, NULL);
    uint8_t *x = f->pkt + SYNACK_IPV6_HDR;
    if (hbh) {
        static const uint8_t hop[8] = {SYNACK_IPPROTO_FRAGMENT, 0, 1, 4, 0, 0, 0, 0};
        memcpy(x, hop, 8);
        x += 8;
    }
    x[0] = key_proto(k);
    x[1] = 0;
    synack_put16(x + 2, (uint16_t)((off & 0xfff8u) | (fl & 1)));
    synack_put32(x + 4, key_id(k));
    for (uint32_t i = 0; i < len; i++)
        f->pkt[hlen + i] = pattern(k, off + i, fl & 2);
    return hlen + len;
}

/* The fragment built, as reassembly takes it; false for a whole datagram. */
static bool as_fragment(struct fz *f, unsigned k, size_t len, struct ip_frag *fr)
{
    if (key_version(k) == 4) {
        struct synack_ipv4 ip;
        CHECK(synack_ipv4_parse(f->pkt, len, 0, &ip, NULL) == WIRE_OK, "the fragment built");
        if (!synack_ipv4_is_fragment(&ip))
            return false; /* a whole datagram never goes to reassembly */
        ip_frag_from_ipv4(f->pkt, &ip, fr);
        return true;
    }
    struct synack_ipv6_chain c;
    CHECK(synack_ipv6_chain_parse(f->pkt, len, &c, NULL) == WIRE_OK && c.frag, "the fragment");
    ip_frag_from_ipv6(f->pkt, len, &c, fr);
    return true; /* RFC 8200 4.5: even an atomic fragment is the stack's to pass on */
}

static size_t step_fragment(struct fz *f, const uint8_t *p, size_t n)
{
    if (n < 6)
        return n;
    unsigned k = p[0] & (KEYS - 1);
    uint32_t off = (synack_get16(p + 1) & SYNACK_IP_OFFMASK) * 8u;
    size_t len = key_version(k) == 4 ? build_fragment4(f, k, off, synack_get16(p + 3), p[5])
                                     : build_fragment6(f, k, off, synack_get16(p + 3), p[5]);
    struct ip_frag fr;
    if (!as_fragment(f, k, len, &fr))
        return 6;
    if (fr.off == 0 && !fr.mf)
        return 6; /* IPv6 atomic fragment (RFC 6946): not for the table */
    f->frags++;
    /* RFC 791, RFC 8200 4.5: 8-octet units but the last, none empty */
    if (fr.len && !(fr.mf && fr.len % 8))
        remember(f, k, off, off + (uint32_t)fr.len, p[5] & 2);
    const uint8_t *out;
    size_t out_len;
    if (ip_reasm_input(&f->r, &fr, f->now, &out, &out_len))
        check_delivered(f, out, out_len, k);
    CHECK(f->cnt.ip_frag_in == f->frags, "ip_frag_in %llu, %llu fragments",
          (unsigned long long)f->cnt.ip_frag_in, (unsigned long long)f->frags);
    return 6;
}

/* RFC 1122 3.3.2, RFC 8200 4.5: time exceeded quotes a first fragment
 * that came, as it came. */
static void on_timeout(void *ctx, const struct ip_reasm_quote *q, uint64_t now)
{
    struct fz *f = ctx;
    CHECK(now == f->now, "a timeout reported at another time");
    CHECK(q->len >= 8 && q->len % 8 == 0, "first fragment of %zu octets", q->len);
    unsigned k;
    if (q->version == 4) {
        CHECK(!q->frag && q->hlen >= 20 && q->hlen <= 60 &&
                  q->hlen == (q->hdr[0] & 0x0fu) * 4u, "quote header");
        CHECK((synack_get16(q->hdr + 6) & SYNACK_IP_OFFMASK) == 0, "quote of a later fragment");
        CHECK(synack_get16(q->hdr + 6) & SYNACK_IP_MF, "quote of a whole datagram");
        CHECK(synack_cksum_fold(synack_cksum_add(0, q->hdr, q->hlen)) == 0, "quote checksum");
        uint8_t src[16] = {0};
        memcpy(src, q->hdr + 12, 4);
        k = key_of(4, src, q->hdr[9], synack_get16(q->hdr + 4));
    } else {
        CHECK(q->version == 6 && q->frag && q->hlen >= SYNACK_IPV6_HDR && (q->hdr[0] >> 4) == 6,
              "quote header");
        CHECK(synack_get16(q->frag + 2) == 1, "quote of a later fragment");
        k = key_of(6, q->hdr + 8, q->frag[0], synack_get32(q->frag + 4));
    }
    for (size_t i = 0; i < q->len; i++)
        CHECK(q->data[i] == pattern(k, (uint32_t)i, 0) || q->data[i] == pattern(k, (uint32_t)i, 2),
              "quoted octet %zu is not of the datagram", i);
}

static void expire(struct fz *f, uint64_t to)
{
    CHECK(to >= f->now, "time goes back");
    f->now = to;
    ip_reasm_expire(&f->r, f->now, on_timeout, f);
    CHECK(ip_reasm_deadline(&f->r) > f->now, "a deadline left behind");
}

static void run(struct fz *f, const uint8_t *data, size_t size)
{
    size_t i = 1;
    while (i < size) {
        uint8_t op = data[i++];
        switch (op & 3) {
        case 0:
        case 1:
            i += step_fragment(f, data + i, size - i);
            break;
        case 2:
            if (i < size)
                expire(f, f->now + data[i++] * 250 * SYNACK_MSEC);
            break;
        default:
            if (ip_reasm_deadline(&f->r) != SYNACK_TIME_NEVER)
                expire(f, ip_reasm_deadline(&f->r));
            break;
        }
        check_table(f);
        forget_gone(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 100000)
        return 0;
    struct fz *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    uint8_t c = data[0];
    f->cfg.max_dgrams = 1 + (c & 7u);
    f->cfg.dgram_max = c & 8 ? 576 : 65535;
    f->cfg.mem_max = f->cfg.dgram_max + IP_REASM_HDR_MAX + ((c >> 4) & 3u) * 16384u;
    f->cfg.timeout = c & 0x40 ? SYNACK_SEC : 60 * SYNACK_SEC;
    f->now = 1000 * SYNACK_SEC;
    CHECK(ip_reasm_init(&f->r, &f->cfg, &f->cnt) == 0, "init");
    run(f, data, size);
    expire(f, f->now + f->cfg.timeout);
    CHECK(f->r.used == 0 && f->r.mem == 0 && !f->r.oldest, "memory not returned after the "
          "timeout: %u datagrams, %zu octets", f->r.used, f->r.mem);
    ip_reasm_destroy(&f->r);
    for (unsigned k = 0; k < KEYS; k++)
        free(f->sent[k]);
    free(f);
    return 0;
}

#include "driver.h"

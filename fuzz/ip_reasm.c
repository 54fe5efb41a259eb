/* fuzz/ip_reasm.c: IPv4 reassembly (stack/ip/ip_reasm.c) on its own, with
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
 *            key & 3: identification, key & 4: protocol TCP or ICMP,
 *            key & 8: one of two sources; off: 13-bit offset in 8-octet
 *            units; len: payload octets (cut to fit 65535 with the header);
 *            flags & 1: MF, & 2: the octets' variant (overlaps that differ),
 *            (flags >> 2) & 7: words of IP options (NOPs) in the header.
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

#define KEYS 16
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
    uint8_t pkt[65536];
    uint8_t covered[65536];
};

static uint32_t key_src(unsigned k) { return k & 8 ? 0xc6336402u : 0xc6336403u; }
static uint8_t key_proto(unsigned k) { return k & 4 ? SYNACK_IPPROTO_ICMP : SYNACK_IPPROTO_TCP; }
static uint16_t key_id(unsigned k) { return (uint16_t)(0x100 + (k & 3)); }

static uint8_t pattern(unsigned k, uint32_t i, uint8_t variant)
{
    uint32_t x = (i + 1) * 2654435761u ^ (k * 40503u) ^ (variant ? 0xa5a5a5a5u : 0);
    return (uint8_t)(x >> 13);
}

static unsigned key_of(uint32_t src, uint8_t proto, uint16_t id)
{
    return (src == 0xc6336402u ? 8u : 0u) | (proto == SYNACK_IPPROTO_ICMP ? 4u : 0u) |
           (id & 3u);
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
        CHECK(d->version == 4, "version %u", d->version);
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

static void check_delivered(struct fz *f, const uint8_t *out, size_t len)
{
    struct synack_ipv4 ip;
    struct synack_wire_error err;
    CHECK(len <= 65535 && len <= f->cfg.dgram_max, "%zu octets delivered, EMTU_R %u", len,
          f->cfg.dgram_max);
    int e = synack_ipv4_parse(out, len, 0, &ip, &err);
    CHECK(e == WIRE_OK, "the datagram delivered does not parse: %s", synack_wire_errname(e));
    CHECK(ip.total_len == len && !synack_ipv4_is_fragment(&ip), "a fragment delivered");
    CHECK(ip.dst == DST, "dst");
    unsigned k = key_of(ip.src, ip.proto, ip.id);
    CHECK(key_src(k) == ip.src && key_proto(k) == ip.proto && key_id(k) == ip.id, "key");
    if (!f->overflow[k])
        check_payload(f, k, ip.payload, (uint32_t)ip.payload_len);
    f->nsent[k] = 0;
    f->overflow[k] = false;
}

/* ---- steps ---- */

/* A key whose datagram the table no longer holds alive (dropped, evicted,
 * timed out) starts over: its octets sent so far can join no delivery. */
static void forget_gone(struct fz *f)
{
    for (unsigned k = 0; k < KEYS; k++) {
        const struct reasm_dgram *d = f->r.oldest;
        while (d && !(synack_get32(d->src) == key_src(k) && d->key_proto == key_proto(k) &&
                      d->id == key_id(k)))
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

static size_t build_fragment(struct fz *f, unsigned k, uint32_t off, uint32_t len, uint8_t fl)
{
    unsigned words = (fl >> 2) & 7;
    size_t hlen = 20 + words * 4u;
    struct synack_ipv4 h = {.id = key_id(k), .ttl = 64, .proto = key_proto(k), .src = key_src(k),
                            .dst = DST, .frag = (uint16_t)((fl & 1 ? SYNACK_IP_MF : 0) | (off / 8))};
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

static size_t step_fragment(struct fz *f, const uint8_t *p, size_t n)
{
    if (n < 6)
        return n;
    unsigned k = p[0] & (KEYS - 1);
    uint32_t off = (synack_get16(p + 1) & SYNACK_IP_OFFMASK) * 8u;
    size_t len = build_fragment(f, k, off, synack_get16(p + 3), p[5]);
    struct synack_ipv4 ip;
    CHECK(synack_ipv4_parse(f->pkt, len, 0, &ip, NULL) == WIRE_OK, "the fragment built");
    if (!synack_ipv4_is_fragment(&ip))
        return 6; /* a whole datagram never goes to reassembly */
    f->frags++;
    bool mf = ip.frag & SYNACK_IP_MF; /* RFC 791: 8-octet units but the last, none empty */
    if (ip.payload_len && !(mf && ip.payload_len % 8))
        remember(f, k, off, off + (uint32_t)ip.payload_len, p[5] & 2);
    const uint8_t *out;
    size_t out_len;
    struct ip_frag fr;
    ip_frag_from_ipv4(f->pkt, &ip, &fr);
    if (ip_reasm_input(&f->r, &fr, f->now, &out, &out_len))
        check_delivered(f, out, out_len);
    CHECK(f->cnt.ip_frag_in == f->frags, "ip_frag_in %llu, %llu fragments",
          (unsigned long long)f->cnt.ip_frag_in, (unsigned long long)f->frags);
    return 6;
}

/* RFC 1122 3.3.2: time exceeded quotes a first fragment that came. */
static void on_timeout(void *ctx, const struct ip_reasm_quote *q, uint64_t now)
{
    struct fz *f = ctx;
    CHECK(now == f->now, "a timeout reported at another time");
    CHECK(q->version == 4 && !q->frag, "version %u", q->version);
    CHECK(q->hlen >= 20 && q->hlen <= 60 && q->hlen == (q->hdr[0] & 0x0fu) * 4u, "quote header");
    CHECK(q->len >= 8 && q->len % 8 == 0, "first fragment of %zu octets", q->len);
    CHECK((synack_get16(q->hdr + 6) & SYNACK_IP_OFFMASK) == 0, "quote of a later fragment");
    CHECK(synack_get16(q->hdr + 6) & SYNACK_IP_MF, "quote of a whole datagram");
    CHECK(synack_cksum_fold(synack_cksum_add(0, q->hdr, q->hlen)) == 0, "quote checksum");
    unsigned k = key_of(synack_get32(q->hdr + 12), q->hdr[9], synack_get16(q->hdr + 4));
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

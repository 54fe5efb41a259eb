/* Reassembly (IPv4: RFC 791 3.2, RFC 1122 3.3.2; IPv6: RFC 8200 4.5):
 * fragments are held per datagram (source, destination, identification,
 * and IPv4's protocol) in a bounded table until the datagram is whole,
 * dropped, or times out. It owns the
 * fragment buffers and their limits; the dispatch layer (stack/core) feeds
 * it fragments, runs its deadline, and sends the ICMP it asks for. */
#ifndef SYNACK_IP_REASM_H
#define SYNACK_IP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>
#include <synack/wire.h>

#define IP_REASM_RUNS 64     /* disjoint runs of octets held per datagram */
#define IP_REASM_HDR_MAX 128u /* the unfragmentable part: IPv4's header (60 at
                               * most), or IPv6's and its extension headers
                               * before the fragment header */
#define IP_REASM_QUOTE_DATA 8u /* first-fragment octets an ICMP error quotes at least */

/* One fragment, of either version: what reassembly needs of it. */
struct ip_frag {
    uint8_t version;          /* 4 or 6 */
    uint8_t src[16], dst[16]; /* IPv4: the first 4 octets */
    uint32_t id;              /* IPv4's 16-bit identification, or IPv6's 32 */
    uint8_t proto;            /* IPv4: the protocol; IPv6: the fragment header's Next Header */
    uint32_t off;             /* in octets */
    bool mf;
    const uint8_t *data;      /* the fragment's data */
    size_t len;
    const uint8_t *hdr;       /* the unfragmentable part, as received */
    size_t hlen;
    uint16_t nh_ptr;          /* IPv6: where in hdr the Next Header naming the fragment header is */
};

/* What an ICMP time exceeded quotes of a datagram that timed out: the first
 * fragment, as received (IPv6: frag is its fragment header). */
struct ip_reasm_quote {
    uint8_t version;
    const uint8_t *hdr;
    size_t hlen;
    const uint8_t *frag;      /* IPv6: 8 octets; IPv4: NULL */
    const uint8_t *data;      /* the first fragment's data */
    size_t len;
};

struct ip_reasm_cfg {
    uint32_t max_dgrams; /* datagrams being reassembled at once; 0: reassembly off */
    uint32_t mem_max;    /* octets of buffers across all of them */
    uint32_t dgram_max;  /* the longest datagram reassembled, header included (EMTU_R) */
    uint64_t timeout;    /* from the first fragment that arrived (fixed: RFC 1122 3.3.2) */
};

struct reasm_run {
    uint32_t start, end; /* payload octets [start, end) received */
};

/* One datagram in the making, or a dropped one kept until its timeout so
 * that its late fragments are discarded too (RFC 5722 4: "including those
 * not yet received"). */
struct reasm_dgram {
    bool in_use, dead;
    bool first_seen, last_seen;
    uint8_t version;
    uint8_t key_proto;           /* IPv4's protocol is part of the key (RFC 791); IPv6's is not */
    uint8_t next;                /* the offset-zero fragment's protocol (RFC 8200 4.5) */
    uint32_t id;
    uint8_t src[16], dst[16];
    uint32_t total;              /* payload length, once the last fragment came */
    uint32_t first_len;          /* octets of the offset-zero fragment */
    uint64_t expires;
    uint8_t hlen;                /* of the offset-zero fragment's unfragmentable part */
    uint16_t nh_ptr;
    uint8_t hdr[IP_REASM_HDR_MAX];
    uint8_t *buf;                /* IP_REASM_HDR_MAX + cap octets */
    uint32_t cap;                /* payload octets buf can hold */
    uint8_t nruns;
    struct reasm_run runs[IP_REASM_RUNS]; /* sorted, apart (adjacent runs merge) */
    struct reasm_dgram *older, *newer;    /* arrival order, which is expiry order */
};

struct ip_reasm {
    struct ip_reasm_cfg cfg;
    struct synack_counters *cnt;
    struct reasm_dgram *slots;   /* cfg.max_dgrams of them */
    uint32_t used;
    struct reasm_dgram *oldest, *newest;
    size_t mem;                  /* octets of buffers held, the delivered one included */
    uint8_t *done;               /* the last datagram delivered, freed by the next call */
    size_t done_size;
};

/* Called for a datagram that timed out after its first fragment came. */
typedef void (*ip_reasm_timeout_fn)(void *ctx, const struct ip_reasm_quote *q, uint64_t now);

int ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                  struct synack_counters *cnt);
void ip_reasm_destroy(struct ip_reasm *r);
/* r as ip_reasm_init leaves it, for cfg: every datagram goes, the slots
 * stay when there are as many. */
int ip_reasm_reset(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                   struct synack_counters *cnt);

/* The fragment of an IPv4 datagram ip, parsed from pkt. */
void ip_frag_from_ipv4(const uint8_t *pkt, const struct synack_ipv4 *ip, struct ip_frag *f);
/* The fragment of an IPv6 packet of len octets (its payload length's)
 * whose chain c has a fragment header. */
void ip_frag_from_ipv6(const uint8_t *pkt, size_t len, const struct synack_ipv6_chain *c,
                       struct ip_frag *f);

/* One fragment (counted as ip_drop_fragment when reassembly is off).
 * Returns true with the whole datagram in *out, *out_len (the
 * unfragmentable part, fixed up: IPv4 with its total length, no MF,
 * offset 0 and a fresh checksum; IPv6 with its payload length and the
 * fragment header gone; valid until the next call), false when the
 * fragment was held or dropped (counted either way). */
bool ip_reasm_input(struct ip_reasm *r, const struct ip_frag *f, uint64_t now,
                    const uint8_t **out, size_t *out_len);

/* Give up the datagrams whose time has come (RFC 1122 3.3.2, RFC 8200 4.5). */
void ip_reasm_expire(struct ip_reasm *r, uint64_t now, ip_reasm_timeout_fn timed_out, void *ctx);
uint64_t ip_reasm_deadline(const struct ip_reasm *r);

#endif

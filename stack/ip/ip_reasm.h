/* IPv4 reassembly (RFC 791 3.2, RFC 1122 3.3.2): fragments are held per
 * datagram (source, destination, protocol, identification) in a bounded
 * table until the datagram is whole, dropped, or times out. It owns the
 * fragment buffers and their limits; the dispatch layer (stack/core) feeds
 * it fragments, runs its deadline, and sends the ICMP it asks for. */
#ifndef SYNACK_IP_REASM_H
#define SYNACK_IP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>
#include <synack/wire.h>

#define IP_REASM_RUNS 64      /* disjoint runs of octets held per datagram */
#define IP_REASM_HEADROOM 60u /* room for the first fragment's header (IHL 15) */
#define IP_REASM_QUOTE (IP_REASM_HEADROOM + 8u)

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
    uint8_t proto;
    uint16_t id;
    uint32_t src, dst;
    uint32_t total;              /* payload length, once the last fragment came */
    uint64_t expires;
    uint8_t hlen;                /* of the first fragment's header */
    uint8_t quote[IP_REASM_QUOTE]; /* its header and first 8 payload octets, for ICMP */
    uint8_t quote_len;
    uint8_t *buf;                /* IP_REASM_HEADROOM + cap octets */
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

/* Called for a datagram that timed out after its first fragment came:
 * quote is that fragment's header and up to 8 octets of its payload. */
typedef void (*ip_reasm_timeout_fn)(void *ctx, const uint8_t *quote, size_t len, uint64_t now);

int ip_reasm_init(struct ip_reasm *r, const struct ip_reasm_cfg *cfg,
                  struct synack_counters *cnt);
void ip_reasm_destroy(struct ip_reasm *r);

/* One fragment (ip, parsed from pkt; MF set or an offset; counted as
 * ip_drop_fragment when reassembly is off). Returns true
 * with the whole datagram in *out, *out_len (a valid IPv4 datagram with a
 * fresh header checksum, valid until the next call), false when the
 * fragment was held or dropped (counted either way). */
bool ip_reasm_input(struct ip_reasm *r, const uint8_t *pkt, const struct synack_ipv4 *ip,
                    uint64_t now, const uint8_t **out, size_t *out_len);

/* Give up the datagrams whose time has come (RFC 1122 3.3.2). */
void ip_reasm_expire(struct ip_reasm *r, uint64_t now, ip_reasm_timeout_fn timed_out, void *ctx);
uint64_t ip_reasm_deadline(const struct ip_reasm *r);

#endif

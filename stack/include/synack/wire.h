/* synack/wire.h: parse and build IPv4, TCP (with every option) and ICMP.
 *
 * Pure functions over caller-owned buffers: no state, no allocation. A parse
 * either fills a checked view (pointers into the caller's buffer, lengths
 * already bounded) or returns a specific error code with the offset of the
 * offending byte. Nothing past a parser reads unchecked bytes.
 *
 * Multi-byte fields in the views are in host byte order.
 */
#ifndef SYNACK_WIRE_H
#define SYNACK_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/addr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/* One code per malformed case. The message of each (synack_wire_strerror)
 * names the field; synack_wire_error_format adds the offset. */
enum synack_wire_err {
    WIRE_OK = 0,
    /* IPv4 (RFC 791, RFC 1122 3.2.1) */
    WIRE_EIP_TRUNCATED,          /* fewer than 20 octets */
    WIRE_EIP_VERSION,            /* version is not 4 */
    WIRE_EIP_IHL_SMALL,          /* IHL below 5 */
    WIRE_EIP_IHL_OVERRUN,        /* IHL*4 past the end of the buffer */
    WIRE_EIP_TOTLEN_SMALL,       /* total length below IHL*4 */
    WIRE_EIP_TOTLEN_OVERRUN,     /* total length past the end of the buffer */
    WIRE_EIP_CHECKSUM,           /* header checksum does not verify */
    /* IPv4 options (RFC 791 3.1; RFC 1122 3.2.1.8) */
    WIRE_EIP_OPT_TRUNCATED,      /* option type with no room for its length octet */
    WIRE_EIP_OPTLEN_ZERO,        /* option length 0 */
    WIRE_EIP_OPTLEN_ONE,         /* option length 1: shorter than type+length */
    WIRE_EIP_OPTLEN_OVERRUN,     /* option length runs past the header */
    WIRE_EIP_OPT_ROUTE,          /* record or source route: length below 3, pointer
                                  * below 4 or at a partial address */
    WIRE_EIP_OPT_TS,             /* timestamp: length below 4, pointer below 5 or at
                                  * a partial entry */
    WIRE_EIP_OPT_DUP,            /* a second record route, timestamp or source route */
    /* TCP (RFC 9293 3.1) */
    WIRE_ETCP_TRUNCATED,         /* fewer than 20 octets */
    WIRE_ETCP_DOFF_SMALL,        /* data offset below 5 */
    WIRE_ETCP_DOFF_OVERRUN,      /* data offset past the end of the segment */
    WIRE_ETCP_CHECKSUM,          /* checksum with pseudo-header does not verify */
    WIRE_ETCP_TOO_LONG,          /* longer than 65535 octets: no IPv4 datagram carries it */
    /* TCP options (RFC 9293 3.1, 3.2; RFC 7323; RFC 2018) */
    WIRE_ETCP_OPT_TRUNCATED,     /* option kind with no room for its length octet */
    WIRE_ETCP_OPTLEN_ZERO,       /* option length 0 (MUST-7) */
    WIRE_ETCP_OPTLEN_ONE,        /* option length 1: shorter than kind+length */
    WIRE_ETCP_OPTLEN_OVERRUN,    /* option length runs past the option space */
    WIRE_ETCP_MSS_LEN,           /* MSS length is not 4 */
    WIRE_ETCP_WSCALE_LEN,        /* window scale length is not 3 */
    WIRE_ETCP_SACKOK_LEN,        /* SACK-permitted length is not 2 */
    WIRE_ETCP_SACK_LEN,          /* SACK length is not 2 + 8n with n in 1..4 */
    WIRE_ETCP_TS_LEN,            /* timestamps length is not 10 */
    /* ICMP (RFC 792, RFC 1122 3.2.2) */
    WIRE_EICMP_TRUNCATED,        /* fewer than 8 octets */
    WIRE_EICMP_CHECKSUM,         /* checksum does not verify */
    WIRE_EICMP_INNER_TRUNCATED,  /* error message without IP header + 8 octets */
    WIRE_EICMP_INNER_VERSION,    /* embedded header is not IPv4 */
    WIRE_EICMP_INNER_IHL,        /* embedded IHL below 5 or past the message */
    /* IPv6 (RFC 8200) */
    WIRE_EIP6_TRUNCATED,         /* fewer than 40 octets */
    WIRE_EIP6_VERSION,           /* version is not 6 */
    WIRE_EIP6_PLEN_OVERRUN,      /* payload length past the end of the buffer */
    WIRE_EIP6_EXT_TRUNCATED,     /* an extension header runs past the payload */
    WIRE_EIP6_HBH_NOT_FIRST,     /* hop-by-hop options not right after the header */
    WIRE_EIP6_OPT_TRUNCATED,     /* an option type without its length octet */
    WIRE_EIP6_OPT_OVERRUN,       /* an option's length runs past its header */
    /* ICMPv6 (RFC 4443) */
    WIRE_EICMP6_TRUNCATED,       /* fewer than 8 octets */
    WIRE_EICMP6_CHECKSUM,        /* checksum with pseudo-header does not verify */
    WIRE_EICMP6_INNER_TRUNCATED, /* error without the invoking packet's header and 8 octets */
    WIRE_EICMP6_INNER_VERSION,   /* invoking packet is not IPv6 */
    /* building */
    WIRE_EBUILD_SPACE,           /* the output buffer is too small */
    WIRE_EBUILD_OPTSPACE,        /* options exceed the 40 octets TCP allows */
    WIRE_EBUILD_FIELD,           /* a field value cannot be encoded */
    WIRE_ERR_COUNT
};

struct synack_wire_error {
    enum synack_wire_err code;
    uint32_t offset; /* octet offset of the offending field in the parsed buffer */
};

/* "tcp option: length 0"; never NULL, "unknown error" for a bad code. */
const char *synack_wire_strerror(enum synack_wire_err code);
/* Short stable name, e.g. "WIRE_ETCP_OPTLEN_ZERO", for counters and JSON. */
const char *synack_wire_errname(enum synack_wire_err code);
/* "tcp option: length 0 at offset 3" into buf; returns snprintf's result. */
int synack_wire_error_format(const struct synack_wire_error *err, char *buf, size_t len);

/* Parse flags. */
#define WIRE_PARSE_NO_CHECKSUM 0x1u /* skip checksum verification (harness, fuzzing) */

/* ---- Internet checksum: RFC 1071, incremental update RFC 1624 ----------- */

/* Add len octets to a running 32-bit sum (any alignment, odd lengths ok;
 * an odd length must only be the last piece). */
uint32_t synack_cksum_add(uint32_t sum, const void *data, size_t len);
/* The same for a piece at offset `at` of the checksummed data: a piece may
 * start at an odd offset (the second half of a ring), and then only the
 * parity of `at` matters; any piece may have an odd length. */
uint32_t synack_cksum_add_at(uint32_t sum, const void *data, size_t len, size_t at);
/* Copy len octets from src to dst and add them to the sum in one pass (RFC
 * 1071 4.1); at as above. */
uint32_t synack_cksum_copy(uint32_t sum, void *dst, const void *src, size_t len, size_t at);
/* Fold and complement: the value to put in a checksum field. */
uint16_t synack_cksum_fold(uint32_t sum);
/* The TCP/UDP pseudo-header sum (RFC 9293 3.1) for addresses in host order. */
uint32_t synack_cksum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for a 16-bit field m -> m'. */
uint16_t synack_cksum_update16(uint16_t hc, uint16_t old_val, uint16_t new_val);
uint16_t synack_cksum_update32(uint16_t hc, uint32_t old_val, uint32_t new_val);

/* ---- IPv4 ------------------------------------------------------------- */

#define SYNACK_IPPROTO_ICMP 1
#define SYNACK_IPPROTO_TCP 6
#define SYNACK_IPPROTO_UDP 17

#define SYNACK_IP_DF 0x4000u
#define SYNACK_IP_MF 0x2000u
#define SYNACK_IP_RF 0x8000u
#define SYNACK_IP_OFFMASK 0x1fffu

/* IPv4 option types (RFC 791 3.1). Other types are skipped by their length
 * (RFC 1122 3.2.1.8); EOL and NOP are the only single octets. */
#define SYNACK_IPOPT_EOL 0
#define SYNACK_IPOPT_NOP 1
#define SYNACK_IPOPT_RR 7      /* record route */
#define SYNACK_IPOPT_TS 68     /* internet timestamp */
#define SYNACK_IPOPT_LSRR 131  /* loose source and record route */
#define SYNACK_IPOPT_SSRR 137  /* strict source and record route */

/* Bits of synack_ipv4_opts.present. */
#define SYNACK_IPOPT_F_RR 0x1u
#define SYNACK_IPOPT_F_TS 0x2u
#define SYNACK_IPOPT_F_SRR 0x4u /* a source route, loose or strict (srr_kind) */
#define SYNACK_IPOPT_F_EOL 0x8u

/* Where an option lies: offset of its type octet in the option space, its
 * length, and its pointer (RFC 791: from the option's first octet, 1-based;
 * beyond the length when the route or timestamp area is full). */
struct synack_ipv4_optref {
    uint8_t offset, len, pointer;
};

/* The options of an IPv4 header, checked and decoded; parsed, not acted on. */
struct synack_ipv4_opts {
    uint32_t present;
    uint8_t unknown_count;  /* well-formed options of other types (ignored) */
    struct synack_ipv4_optref rr, ts, srr;
    uint8_t srr_kind;       /* SYNACK_IPOPT_LSRR or SYNACK_IPOPT_SSRR */
    uint8_t ts_flags;       /* the timestamp's flg (0, 1, 3) and oflw nibbles */
    uint8_t ts_overflow;
};

struct synack_ipv4 {
    uint8_t ihl;          /* in 32-bit words, 5..15 */
    uint8_t tos;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag;        /* flags and offset as on the wire (SYNACK_IP_DF...) */
    uint8_t ttl;
    uint8_t proto;
    uint16_t checksum;    /* as received */
    uint32_t src, dst;
    const uint8_t *options; /* ihl*4-20 octets */
    size_t options_len;
    struct synack_ipv4_opts opts; /* decoded (synack_ipv4_opts_parse) */
    const uint8_t *payload; /* total_len - ihl*4 octets (link padding excluded) */
    size_t payload_len;
};

/* Parse and check an IPv4 header, its options included. On an option error
 * (WIRE_EIP_OPT*, WIRE_EIP_OPTLEN_*) every other field of *out is filled, so
 * a host can still answer with a Parameter Problem naming err->offset. */
int synack_ipv4_parse(const uint8_t *buf, size_t len, unsigned flags,
                      struct synack_ipv4 *out, struct synack_wire_error *err);
/* Check and decode an IPv4 option space of len octets (at most 40): every
 * option's length against the space, record route, timestamp and source
 * routes against their layout, each of those at most once (RFC 791 3.1).
 * Offsets in err are relative to the option space. */
int synack_ipv4_opts_parse(const uint8_t *opts, size_t len, struct synack_ipv4_opts *o,
                           struct synack_wire_error *err);
static inline bool synack_ipv4_is_fragment(const struct synack_ipv4 *ip)
{
    return (ip->frag & (SYNACK_IP_MF | SYNACK_IP_OFFMASK)) != 0;
}
/* Write a 20-octet header (no options) at buf for payload_len octets of
 * payload, computing the checksum; ihl/total_len/checksum/options in h are
 * ignored. Returns 20 or 0 with err set. */
size_t synack_ipv4_build(uint8_t *buf, size_t cap, const struct synack_ipv4 *h,
                         size_t payload_len, struct synack_wire_error *err);
/* The n characters at s as a dotted-quad address ("192.0.2.1": four decimal
 * octets of one to three digits, nothing else), in host order. False, and
 * *addr untouched, for anything else: signs, spaces, 256, "1.2.3". */
bool synack_ipv4_addr_from_text(const char *s, size_t n, uint32_t *addr);

/* ---- TCP -------------------------------------------------------------- */

#define SYNACK_TCP_FIN 0x01u
#define SYNACK_TCP_SYN 0x02u
#define SYNACK_TCP_RST 0x04u
#define SYNACK_TCP_PSH 0x08u
#define SYNACK_TCP_ACK 0x10u
#define SYNACK_TCP_URG 0x20u
#define SYNACK_TCP_ECE 0x40u
#define SYNACK_TCP_CWR 0x80u
#define SYNACK_TCP_HDR_MIN 20u
#define SYNACK_TCP_OPT_MAX 40u

enum synack_tcp_optkind {
    TCPOPT_EOL = 0,
    TCPOPT_NOP = 1,
    TCPOPT_MSS = 2,
    TCPOPT_WSCALE = 3,
    TCPOPT_SACK_PERM = 4,
    TCPOPT_SACK = 5,
    TCPOPT_TIMESTAMP = 8,
    TCPOPT_FASTOPEN = 34, /* RFC 7413 */
};

/* Bits of synack_tcp_opts.present (and .dup). */
#define TCPOPT_F_MSS 0x01u
#define TCPOPT_F_WSCALE 0x02u
#define TCPOPT_F_SACK_PERM 0x04u
#define TCPOPT_F_SACK 0x08u
#define TCPOPT_F_TS 0x10u
#define TCPOPT_F_EOL 0x20u
#define TCPOPT_F_PAD_NONZERO 0x40u /* non-zero octets after EOL (MUST-69 broken by the sender) */
#define TCPOPT_F_FASTOPEN 0x80u /* a Fast Open option: a cookie request (no cookie) or a cookie */

#define SYNACK_TFO_COOKIE_MAX 16 /* RFC 7413 4.1.1: 4 to 16 octets */

#define SYNACK_SACK_MAX 4

struct synack_sack_block {
    uint32_t left, right;
};

/* The options TCP understands, decoded. The first occurrence of a
 * duplicated option wins; dup records which kinds appeared twice. */
struct synack_tcp_opts {
    uint32_t present;
    uint32_t dup;
    uint16_t mss;
    uint8_t wscale;       /* as received; RFC 7323 2.3 clamping is the stack's job */
    uint8_t sack_count;
    struct synack_sack_block sack[SYNACK_SACK_MAX];
    uint32_t ts_val, ts_ecr;
    uint8_t tfo_len;       /* octets of Fast Open cookie (0: a cookie request) */
    uint8_t tfo_cookie[SYNACK_TFO_COOKIE_MAX];
    uint8_t unknown_count; /* options of other kinds, skipped by length (MUST-6) */
    uint8_t eol_offset;    /* offset of EOL within the option space, if present */
};

/* One option as found by the iterator: kind, total length (1 for EOL/NOP),
 * and its data (length-2 octets after kind and length). */
struct synack_tcp_opt {
    uint8_t kind;
    uint8_t len;
    const uint8_t *data;
    uint8_t offset; /* offset of the kind octet within the option space */
};

struct synack_tcp {
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t doff;       /* in 32-bit words */
    uint8_t reserved;   /* the 4 reserved bits (RFC 9293 3.1) */
    uint8_t flags;      /* CWR ECE URG ACK PSH RST SYN FIN */
    uint16_t window;
    uint16_t checksum;  /* as received */
    uint16_t urg_ptr;
    const uint8_t *options; /* doff*4-20 octets */
    size_t options_len;
    struct synack_tcp_opts opts;
    const uint8_t *payload;
    size_t payload_len;
};

/* Parse a TCP segment of len octets carried between src and dst (host
 * order; used for the checksum). Options are decoded and checked. */
int synack_tcp_parse(const uint8_t *seg, size_t len, uint32_t src, uint32_t dst,
                     unsigned flags, struct synack_tcp *out,
                     struct synack_wire_error *err);

/* Walk an option space. *off starts at 0. Returns 1 with *opt filled, 0 at
 * the end (after EOL or when the space is used up), or -1 with err set.
 * Offsets in err are relative to the option space. */
int synack_tcp_opt_next(const uint8_t *opts, size_t len, size_t *off,
                        struct synack_tcp_opt *opt, struct synack_wire_error *err);

/* Decode an option space into o (calls synack_tcp_opt_next). */
int synack_tcp_opts_parse(const uint8_t *opts, size_t len, struct synack_tcp_opts *o,
                          struct synack_wire_error *err);

/* Append one option (kind, and for kinds other than EOL/NOP the data of
 * opt->len - 2 octets) at buf. Returns octets written or 0 with err set. */
size_t synack_tcp_opt_put(uint8_t *buf, size_t cap, const struct synack_tcp_opt *opt,
                          struct synack_wire_error *err);

/* Encode the options present in o in the layout Linux uses (MSS; SACK-perm
 * with timestamps; NOP NOP TS; NOP WS; NOP NOP SACK; Fast Open), padded with NOPs to a
 * multiple of 4. Returns octets written (0..40) or 0 with err set. */
size_t synack_tcp_opts_build(uint8_t *buf, size_t cap, const struct synack_tcp_opts *o,
                             struct synack_wire_error *err);

/* Write a TCP header at buf: the fixed 20 octets from h (doff, checksum and
 * options fields of h are ignored) followed by optlen octets of options
 * (a multiple of 4, at most 40). The checksum field is left zero; call
 * synack_tcp_checksum_set once the payload follows the header. Returns the
 * header length or 0 with err set. */
size_t synack_tcp_build(uint8_t *buf, size_t cap, const struct synack_tcp *h,
                        const uint8_t *options, size_t optlen,
                        struct synack_wire_error *err);
/* Compute and store the checksum of the seglen-octet segment at seg. */
void synack_tcp_checksum_set(uint8_t *seg, size_t seglen, uint32_t src, uint32_t dst);
bool synack_tcp_checksum_ok(const uint8_t *seg, size_t seglen, uint32_t src, uint32_t dst);

/* ---- ICMP ------------------------------------------------------------- */

enum synack_icmp_type {
    ICMP_ECHO_REPLY = 0,
    ICMP_DEST_UNREACH = 3,
    ICMP_SOURCE_QUENCH = 4,
    ICMP_ECHO_REQUEST = 8,
    ICMP_TIME_EXCEEDED = 11,
    ICMP_PARAM_PROBLEM = 12,
};

/* Destination unreachable codes (RFC 792, RFC 1122 3.2.2.1). */
enum synack_icmp_unreach_code {
    ICMP_UNREACH_NET = 0,
    ICMP_UNREACH_HOST = 1,
    ICMP_UNREACH_PROTOCOL = 2,
    ICMP_UNREACH_PORT = 3,
    ICMP_UNREACH_NEEDFRAG = 4,
    ICMP_UNREACH_SRCFAIL = 5,
};

/* Time exceeded codes (RFC 792). */
enum synack_icmp_timxceed_code {
    ICMP_TIMXCEED_INTRANS = 0, /* time to live exceeded in transit */
    ICMP_TIMXCEED_REASS = 1,   /* fragment reassembly time exceeded */
};

struct synack_icmp {
    uint8_t type, code;
    uint16_t checksum;
    uint32_t rest;           /* octets 4..7: id/seq, pointer, next-hop MTU */
    /* echo request and reply */
    uint16_t echo_id, echo_seq;
    const uint8_t *data;     /* octets after the 8-octet header */
    size_t data_len;
    /* error messages (unreach, quench, time exceeded, param problem):
     * the embedded IP header and the first 8 octets of its payload */
    bool is_error;
    uint8_t pointer;         /* parameter problem */
    uint16_t next_hop_mtu;   /* unreach/needfrag (RFC 1191) */
    struct {
        uint8_t ihl, proto;
        uint16_t total_len;
        uint32_t src, dst;
        const uint8_t *l4;   /* at least 8 octets of the original payload */
        size_t l4_len;
    } inner;
};

int synack_icmp_parse(const uint8_t *msg, size_t len, unsigned flags,
                      struct synack_icmp *out, struct synack_wire_error *err);
static inline bool synack_icmp_type_is_error(uint8_t type)
{
    return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
           type == ICMP_TIME_EXCEEDED || type == ICMP_PARAM_PROBLEM;
}
/* Write an ICMP message: the 8-octet header from type/code/rest followed by
 * data_len octets of data, with the checksum. Returns total length or 0. */
size_t synack_icmp_build(uint8_t *buf, size_t cap, uint8_t type, uint8_t code,
                         uint32_t rest, const uint8_t *data, size_t data_len,
                         struct synack_wire_error *err);

/* ---- IPv6 (RFC 8200) ----------------------------------------------------- */

#define SYNACK_IPPROTO_HOPOPTS 0
#define SYNACK_IPPROTO_ROUTING 43
#define SYNACK_IPPROTO_FRAGMENT 44
#define SYNACK_IPPROTO_ICMPV6 58
#define SYNACK_IPPROTO_NONE 59
#define SYNACK_IPPROTO_DSTOPTS 60
#define SYNACK_IPV6_HDR 40u
#define SYNACK_IPV6_MIN_MTU 1280u /* RFC 8200 5 */

struct synack_ipv6 {
    uint8_t tclass;          /* traffic class (DSCP and ECN) */
    uint32_t flow;           /* flow label, 20 bits */
    uint16_t plen;           /* payload length as on the wire */
    uint8_t next;            /* Next Header of the fixed header */
    uint8_t hop_limit;
    uint8_t src[16], dst[16];
    const uint8_t *payload;  /* plen octets after the fixed header (link padding excluded) */
    size_t payload_len;
};

/* The fixed header, checked against the buffer (jumbograms, RFC 2675, are
 * not supported: a payload length of 0 is an empty payload). */
int synack_ipv6_parse(const uint8_t *buf, size_t len, unsigned flags, struct synack_ipv6 *out,
                      struct synack_wire_error *err);
/* Write the 40-octet header at buf for payload_len octets of payload (plen,
 * payload in h ignored). Returns 40 or 0 with err set. */
size_t synack_ipv6_build(uint8_t *buf, size_t cap, const struct synack_ipv6 *h,
                         size_t payload_len, struct synack_wire_error *err);

/* The extension header chain of a datagram (RFC 8200 4), walked up to the
 * upper-layer header, a fragment header with a non-zero offset (what
 * follows is fragment data), a routing header with Segments Left, or No
 * Next Header. Offsets are from the start of the datagram. What the chain
 * asks of a host (discard, ICMP) is the IP layer's to act on. */
struct synack_ipv6_chain {
    uint8_t proto;            /* the header the walk stopped at (59: none) */
    uint16_t l4_off;          /* its offset */
    uint16_t proto_ptr;       /* offset of the Next Header field that named it */
    uint8_t count;            /* extension headers walked */
    bool hbh;                 /* hop-by-hop options (right after the fixed header) */
    bool frag;                /* a fragment header: */
    uint16_t frag_hdr_off;    /*   its offset: the unfragmentable part ends there */
    uint16_t frag_ptr;        /*   offset of the Next Header field that names it */
    uint16_t frag_offset;     /*   fragment offset, in octets */
    bool frag_more;           /*   M flag */
    uint32_t frag_id;
    bool routing;             /* a routing header with Segments Left (the walk stopped there) */
    uint8_t rt_type, rt_segleft;
    uint16_t rt_off;
    /* The first option (hop-by-hop or destination) whose type's two high
     * bits ask for the datagram to be discarded (RFC 8200 4.2): */
    uint16_t opt_off;         /* offset of its type octet, 0 if none */
    uint8_t opt_action;       /* 1 discard; 2 and ICMP; 3 and ICMP unless to multicast */
};

int synack_ipv6_chain_parse(const uint8_t *pkt, size_t len, struct synack_ipv6_chain *c,
                            struct synack_wire_error *err);

/* The TCP/UDP/ICMPv6 pseudo-header sum of either family. */
uint32_t synack_cksum_pseudo_addr(const struct synack_addr *src, const struct synack_addr *dst,
                                  uint8_t proto, uint32_t len);
/* The pseudo-header sum of TCP, UDP and ICMPv6 over IPv6 (RFC 8200 8.1). */
uint32_t synack_cksum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
                              uint32_t len);
/* TCP over IPv6: as synack_tcp_parse, with the IPv6 pseudo-header. */
int synack_tcp_parse6(const uint8_t *seg, size_t len, const uint8_t src[16],
                      const uint8_t dst[16], unsigned flags, struct synack_tcp *out,
                      struct synack_wire_error *err);
void synack_tcp_checksum_set6(uint8_t *seg, size_t seglen, const uint8_t src[16],
                              const uint8_t dst[16]);

/* ---- ICMPv6 (RFC 4443) ------------------------------------------------------ */

enum synack_icmp6_type {
    ICMP6_DEST_UNREACH = 1,
    ICMP6_PACKET_TOO_BIG = 2,
    ICMP6_TIME_EXCEEDED = 3,
    ICMP6_PARAM_PROBLEM = 4,
    ICMP6_ECHO_REQUEST = 128,
    ICMP6_ECHO_REPLY = 129,
};

enum synack_icmp6_code {
    ICMP6_UNREACH_NOROUTE = 0,
    ICMP6_UNREACH_ADMIN = 1,
    ICMP6_UNREACH_BEYONDSCOPE = 2,
    ICMP6_UNREACH_ADDR = 3,
    ICMP6_UNREACH_PORT = 4,
    ICMP6_TIMXCEED_HOPLIMIT = 0,
    ICMP6_TIMXCEED_REASS = 1,
    ICMP6_PARAMPROB_HEADER = 0,   /* erroneous header field */
    ICMP6_PARAMPROB_NEXTHDR = 1,  /* unrecognized Next Header */
    ICMP6_PARAMPROB_OPTION = 2,   /* unrecognized IPv6 option */
    ICMP6_PARAMPROB_CHAIN = 3,    /* first fragment without the whole header chain (RFC 7112) */
};

struct synack_icmp6 {
    uint8_t type, code;
    uint16_t checksum;
    uint32_t rest;           /* octets 4..7: id/seq, MTU, pointer */
    uint16_t echo_id, echo_seq;
    const uint8_t *data;     /* octets after the 8-octet header */
    size_t data_len;
    bool is_error;           /* types 0..127 */
    uint32_t mtu;            /* packet too big */
    uint32_t pointer;        /* parameter problem */
    struct {                 /* error messages: the invoking packet */
        uint8_t src[16], dst[16];
        uint16_t plen;
        uint8_t proto;       /* its upper layer, found through its extension headers */
        const uint8_t *l4;   /* at least 8 octets of it, or NULL when the quote stops short */
        size_t l4_len;
    } inner;
};

/* An ICMPv6 message of len octets between src and dst (the checksum covers
 * the IPv6 pseudo-header). */
int synack_icmp6_parse(const uint8_t *msg, size_t len, const uint8_t src[16],
                       const uint8_t dst[16], unsigned flags, struct synack_icmp6 *out,
                       struct synack_wire_error *err);
static inline bool synack_icmp6_type_is_error(uint8_t type)
{
    return type < 128;
}
/* The 8-octet header from type/code/rest and data_len octets of data, with
 * the checksum over the pseudo-header of src and dst. Returns the length or 0. */
size_t synack_icmp6_build(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                          const uint8_t *data, size_t data_len, const uint8_t src[16],
                          const uint8_t dst[16], struct synack_wire_error *err);

/* ---- a datagram of either version (readers of captures and tests) ------- */

/* What a reader of IPv4 and IPv6 alike needs: addresses, the upper layer
 * (IPv6: after the extension header chain), TTL or hop limit, TOS or
 * traffic class. The stack's own input path does not use it (it acts on
 * each header); the harness, its captures, the oracle and the fuzz
 * targets do, so that every reader walks the chain the same way. */
struct synack_ip_view {
    uint8_t version;          /* 4 or 6 */
    struct synack_addr src, dst;
    uint8_t proto;            /* the upper layer; IPv6: where the chain walk stopped
                               * (a fragment header with an offset, a routing header
                               * with Segments Left, No Next Header: not TCP) */
    uint8_t ttl, tos;         /* IPv6: hop limit, traffic class */
    size_t total;             /* the length its header says (IPv6: 40 + payload length) */
    size_t hdr_len;           /* octets before the upper layer: IPv4's header with its
                               * options, IPv6's with its extension headers */
    bool fragment;            /* a fragment (first or not) */
    const uint8_t *l4;        /* the upper layer's octets */
    size_t l4_len;
};
/* By the version nibble. flags: WIRE_PARSE_NO_CHECKSUM (IPv4's header
 * checksum; IPv6 has none). The errors are the family's (WIRE_EIP_*,
 * WIRE_EIP6_*). */
int synack_ip_view_parse(const uint8_t *pkt, size_t len, unsigned flags,
                         struct synack_ip_view *v, struct synack_wire_error *err);
/* Its upper layer as TCP, with the pseudo-header of its version. */
int synack_ip_view_tcp(const struct synack_ip_view *v, unsigned flags, struct synack_tcp *th,
                       struct synack_wire_error *err);

/* ---- byte order helpers (no alignment assumptions) ---------------------- */

static inline uint16_t synack_get16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t synack_get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void synack_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void synack_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

#ifdef __cplusplus
}
#endif
#endif

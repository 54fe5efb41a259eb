/* script/script.h: the parsed form of a segment script (packetdrill's language).
 *
 * The parser turns a .pkt file into this AST and checks everything that can
 * be checked without running it; the runner executes it. The parser never
 * evaluates syscall arguments or relative sequence numbers: expressions
 * stay trees with symbols as strings, and seq/ack values are kept exactly
 * as written. Left to the runner (packetdrill checks them while running
 * too): the first event at time 0, absolute times going backwards, syscall
 * names and argument meanings, padding options to a multiple of 4 octets.
 *
 * ---- The language --------------------------------------------------------
 *
 * packetdrill's, as its lexer.l/parser.y define it:
 *
 *   --tolerance_usecs=10000             header options, before any event
 *   // comment   and   / * comment * /  (the runner never sees comments)
 *   0.100 ...    +0.1 ...    * ...      absolute, relative, any time
 *   0.1~0.2 ...  +0.1~+0.2 ...          time ranges (outbound packets only)
 *   +0...0.100 read(4, ..., 10) = 10    blocking call; END is on the same
 *                                       base as START (packetdrill run.c:
 *                                       a relative event's end time gets
 *                                       the same offset as its start)
 *   +0 < S 0:0(0) win 32792 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>
 *   +0 > S. 0:0(0) ack 1 <...>          inbound '<' / outbound '>' TCP
 *   +0 < [ect0] . 1:1(0) ack 1 win 257  IP info: [ect0] [ect1] [ce]
 *                                       [noecn] [ect01] [tos 0x10] [ttl 64]
 *                                       in [] or (), comma separated
 *   +0 < 8080>40000 S 0:0(0) win 1      explicit ports (packetdrill's form)
 *   +0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]
 *                                       ICMP (type, code, mtu, id, echoed),
 *                                       inbound or outbound
 *   +0 bind(3, ..., ...) = 0            system calls; = result [ERRNO] [(note)]
 *   +0 `sysctl -q net.ipv4.tcp_sack=1`  shell command (also untimed, as the
 *                                       first or last event of a script)
 *   +0 %{ assert tcpi_rto > 0 }%        python block (run by run/python.c)
 *   < udp 8080>40000 (100)              UDP: parsed; the runner skips the vector
 *   < ipv4 A > B: ... , gre: ..., mpls (label N, tc N, [S], ttl N):
 *                                       encapsulation prefixes: parsed; the
 *                                       runner skips the vector
 *
 * Flags: F S R P U E W and '.' (ACK), in any order; '-' alone is no flag;
 * AccECN's 'A' (the AE bit) parses, and the runner skips such a vector.
 * Seq: start:end(len) with end == start + len. An inbound TCP packet must
 * give `win` (as packetdrill requires); `<...>`, '*' and time ranges are for
 * outbound packets only (likewise). Options: eol, nop, mss N, wscale N,
 * sackOK, sack L:R (1 to 4 blocks), TS val N ecr N, FO [HEX] (RFC 7413,
 * kind 34), FOEXP [HEX] (kind 254, magic 0xf989), md5 HEX (RFC 2385, kind
 * 19), ECN [e0b N] [ceb N] [e1b N] (AccECN's option, RFC 9768: kind 172 in
 * that order, 174 with e1b first; 24-bit counters; the runner skips a
 * vector with it, as with AccECN's flags); at most 40 octets. ack, win and urg come in that order in
 * packetdrill; another order parses and is flagged by the dialect check.
 * Header options: every option packetdrill's command line has (config.c),
 * as --name=value or --name; unknown names are an error.
 * packetdrill has no empty list `<>`, so it is an error here too. An errno
 * name and a (note) after a syscall result must be on the result's line.
 *
 * ---- synack extensions ---------------------------------------------------
 *
 * They use syntax packetdrill rejects, so no ordinary script changes meaning.
 *
 * (1) Requirement tags in comments (packetdrill ignores comments):
 *       // @req RFC9293:MUST-10 RFC9293:SHLD-31
 *     Every token after @req up to the end of the line (or of the comment),
 *     separated by spaces or commas, must have the form NAME:ID, where NAME
 *     is [A-Za-z0-9_]+ and ID is [A-Za-z0-9_.-]+ ending in a letter or digit
 *     (RFC5961:3.2, RFC6298:5.5). They are collected in script->reqs.
 *
 * (2) A generic TCP option inside <...>, for unknown kinds and malformed
 *     options:   kind K [len L] [data HEX]
 *     writes the kind octet K, then the length octet L verbatim (so 0, 1 or
 *     a length past the option space can be injected), then the data octets
 *     (HEX: an even number of hex digits, optional 0x, at most 38 octets).
 *     Without `len` the length octet is 2 + the number of data octets.
 *
 * (3) A mutation list at the end of an inbound packet line (TCP or ICMP),
 *     applied to the packet the line describes once it is built:
 *       +0 < . 1:1(0) ack 1 win 257 {ip.ttl=0, tcp.csum=bad, truncate=30}
 *     Fields and values: see SCRIPT_MUTATIONS below; each at most once.
 *     The runner sets the fields in the order written, then recomputes the
 *     checksums the list does not set itself (so {ip.ttl=0} tests the TTL,
 *     not the checksum), then applies truncate=N: the datagram is cut to its
 *     first N octets, no length field changed. ip.csum and tcp.csum take
 *     `bad` (a value that does not verify) or a number written verbatim;
 *     ip.src and ip.dst take dotted quads. ip.options=HEX (a multiple of 4
 *     octets, at most 40) goes in first, whatever its place in the list:
 *     the octets verbatim after the fixed IPv4 header, IHL and total length
 *     grown to hold them, so malformed IPv4 options can be sent
 *     ({ip.options=07000000}: record route of length 0).
 *     ip.frag=START:END,START:END,...,START: sends the datagram, once
 *     built, as fragments, one per range, in the order written, at the
 *     line's time: each carries payload octets [START, END) (END omitted:
 *     to the end) with the datagram's header, its identification, offset
 *     START/8, MF unless the range reaches the end, DF cleared (unless
 *     ip.df=1 is written) and its own header checksum. START is a multiple
 *     of 8; ranges may repeat (duplicates), overlap or leave holes, so
 *     reassembly is tested from scripts. Not with truncate.
 *
 * (4) Findings of the RFC oracle the vector expects, in comments:
 *       // @oracle-expect rst-seq-unacceptable ack-delayed
 *     Rule names are [a-z0-9-]+ (the runner checks they name rules of
 *     harness/oracle); collected in script->oracle_expect. An expected
 *     finding does not fail the vector; it is allowed, not required.
 *
 * (5) Fields an outbound packet is not compared on, in comments:
 *       // @ignore psh
 *     `psh`: the PSH flag (where to set it is the sender's choice, RFC 9293
 *     3.9.1.2); pcap vectors of another stack use it. Collected in
 *     script->ignore_flags.
 *       // @ignore extra-psh
 *     a PSH the stack sets where the line writes none is not a mismatch
 *     (RFC 9293 3.9.1.2 lets a sender set it on any segment); a line that
 *     writes P still needs it (MUST-61: on the segment that empties the
 *     send buffer). Collected in script->extra_flags.
 *
 * (6) What the application does, for a stack that is a program (the exec
 *     target, harness/target/exec.c), in a comment, once per script:
 *       // @app listen 8080 echo
 *       // @app connect 198.51.100.2:8080 get /
 *     `listen PORT` or `connect ADDR:PORT`, then words the program's
 *     command reads from $SYNACK_APP. Collected in script->app (its words
 *     joined by one space) and script->app_line. A script with @app runs
 *     only on the exec target; one with system calls only on the others.
 *
 * (7) A sequence number the script sends, written from the right edge of
 *     the window the stack under test announced last (inbound TCP lines):
 *       +0 < P. wnd_edge-1:wnd_edge+9(10) ack 1 win 32792
 *     `wnd_edge` is the ACK plus the window (scaled by the stack's shift
 *     when both SYNs carried window scale, RFC 7323 2.2) of the last
 *     segment the stack sent on the connection, relative to the script's
 *     ISN; `wnd_edge+N` and `wnd_edge-N` add an offset (0..65535), both ends
 *     name it and the length is theirs. So a vector placed at or past the
 *     window's edge judges the acceptability test (RFC 9293 3.10.7.4,
 *     Table 6) on any stack, whatever window it chose. Kept in
 *     script_packet.seq_edge with seq_start and seq_end as the offsets.
 *
 * ---- What parses but does not run ------------------------------------------
 *
 *   The parser takes the whole of packetdrill's grammar. What the runner
 *   cannot do on a target it skips with the reason (IPv6 scripts, UDP
 *   lines, encapsulation, AccECN, packetdrill's `{ mut ... }` fuzz syntax).
 *
 * Positions: lines and columns are 1-based; a column counts bytes.
 */
#ifndef SYNACK_HARNESS_SCRIPT_H
#define SYNACK_HARNESS_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/wire.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits ---------------------------------------------------------- */

#define SCRIPT_MAX_DEPTH 32        /* nesting of (), [], {} and name= in a syscall
                                    * line; its argument list is the first level */
#define SCRIPT_OPT_DATA_MAX 38     /* data octets of a generic option */
#define SCRIPT_TIME_MAX_SECS 1000000000LL /* times above this are an error */

/* ---- header options -------------------------------------------------- */

enum script_ip_version {
    SCRIPT_IPV4,             /* ipv4 */
    SCRIPT_IPV4_MAPPED_IPV6, /* ipv4-mapped-ipv6 */
    SCRIPT_IPV6,             /* ipv6 */
};

/* Every option the parser accepts, with packetdrill's defaults when not
 * given. Addresses are in host byte order, 0 when not given (the runner
 * picks its own). */
struct script_options {
    int64_t tolerance_usecs;   bool tolerance_usecs_given; /* default 4000 */
    uint16_t mss;              bool mss_given;             /* default 0: stack's own */
    uint16_t mtu;              bool mtu_given;             /* default 1500 */
    uint32_t local_ip;         bool local_ip_given;        /* the stack under test */
    uint32_t remote_ip;        bool remote_ip_given;       /* the script's side */
    uint16_t bind_port;        bool bind_port_given;       /* default 8080 */
    uint16_t connect_port;     bool connect_port_given;    /* default 8080 */
    enum script_ip_version ip_version; bool ip_version_given; /* default ipv4 */
    bool local_ip_v6, remote_ip_v6; /* --local_ip/--remote_ip named IPv6 addresses
                                     * (the runner skips: IPv4 only) */
    int64_t tcp_ts_tick_usecs; bool tcp_ts_tick_usecs_given; /* unset or 0: TS val
                                    * unchecked, else checked in ticks (outbound.c) */
    double tolerance_percent;  bool tolerance_percent_given; /* default 12.5 */
    bool strict_segments;      /* --strict_segments */
    bool tcp_ts_ecr_scaled;    /* --tcp_ts_ecr_scaled */
    /* Every option as written, in order (the typed fields above are the
     * ones the runner uses; the rest are kept for the runner's checks and
     * the dialect report). */
    size_t given_count;
    struct script_option_given *given;
};

struct script_option_given {
    char *name;                /* "tcp_ts_tick_usecs" (without the dashes) */
    char *value;               /* "1000", or NULL for a flag */
    unsigned line, column;
};

/* --define NAME=VALUE: the symbol table packetdrill's lexer substitutes. */
struct script_define {
    char *name, *value;        /* value as written: "IPPROTO_TCP", "\"reno\"" */
};

#define SCRIPT_DEFAULT_TOLERANCE_USECS 4000
#define SCRIPT_WND_EDGE "wnd_edge" /* extension (7) */
#define SCRIPT_DEFAULT_PORT 8080
#define SCRIPT_DEFAULT_MTU 1500
#define SCRIPT_DEFAULT_TOLERANCE_PERCENT 12.5

/* ---- timing ------------------------------------------------------------ */

enum script_time_kind {
    SCRIPT_TIME_ABSOLUTE, /* 0.100 */
    SCRIPT_TIME_RELATIVE, /* +0.1: after the previous event */
    SCRIPT_TIME_ANY,      /* *: whenever it happens (outbound packets) */
    SCRIPT_TIME_RANGE,    /* 0.1~0.2, or +0.1~+0.2 when .relative */
    SCRIPT_TIME_NONE,     /* untimed command: first or last event only */
};

struct script_timing {
    enum script_time_kind kind;
    bool relative;         /* RELATIVE, or a RANGE written +a~+b */
    int64_t start_usecs;   /* the time; for RANGE the lower bound */
    int64_t end_usecs;     /* RANGE: upper bound (>= start); else == start */
    bool blocking;         /* a syscall written START...END */
    int64_t block_end_usecs; /* END: absolute when the event is absolute,
                              * else on the same base as a relative start */
};

/* ---- packets ----------------------------------------------------------- */

enum script_direction {
    SCRIPT_INBOUND,  /* '<': the script injects it into the stack */
    SCRIPT_OUTBOUND, /* '>': the stack must send it */
};

enum script_proto {
    SCRIPT_PROTO_TCP,
    SCRIPT_PROTO_ICMP,
    SCRIPT_PROTO_UDP,  /* `udp [SPORT>DPORT] (LEN)`: parsed, not run */
};

/* IP info: [ect0], (tos 0x10), [ttl 64], ... */
enum script_ecn {
    SCRIPT_ECN_UNSPEC, /* not written: not checked / not set */
    SCRIPT_ECN_NOECN,  /* [noecn] 00 */
    SCRIPT_ECN_ECT1,   /* [ect1]  01 */
    SCRIPT_ECN_ECT0,   /* [ect0]  10 */
    SCRIPT_ECN_CE,     /* [ce]    11 */
    SCRIPT_ECN_ECT01,  /* [ect01]: ECT(0) or ECT(1), outbound only */
};

struct script_ip_info {
    enum script_ecn ecn;
    bool tos_given;  uint8_t tos;  /* the whole TOS octet; never with ecn */
    bool ttl_given;  uint8_t ttl;
};

/* How the TCP options of a packet line were written. */
enum script_opts_mode {
    SCRIPT_OPTS_NONE, /* nothing written: the segment carries no options */
    SCRIPT_OPTS_LIST, /* <a,b,...>: exactly these (packetdrill has no <>) */
    SCRIPT_OPTS_ANY,  /* <...>: not checked (outbound only) */
};

enum script_opt_type {
    SCRIPT_OPT_EOL,      /* eol */
    SCRIPT_OPT_NOP,      /* nop */
    SCRIPT_OPT_MSS,      /* mss N */
    SCRIPT_OPT_WSCALE,   /* wscale N */
    SCRIPT_OPT_SACK_PERM,/* sackOK */
    SCRIPT_OPT_SACK,     /* sack L:R [L:R ...] */
    SCRIPT_OPT_TS,       /* TS val N ecr N */
    SCRIPT_OPT_GENERIC,  /* kind K [len L] [data HEX] (synack extension) */
    SCRIPT_OPT_FASTOPEN, /* FO [HEX]: kind 34, the cookie in data (RFC 7413) */
    SCRIPT_OPT_FASTOPEN_EXP, /* FOEXP [HEX]: kind 254, magic 0xf989, cookie */
    SCRIPT_OPT_MD5,      /* md5 HEX: kind 19, the digest in data (RFC 2385) */
    SCRIPT_OPT_ACCECN,   /* ECN e0b N ceb N e1b N: kind 172 (or 174, e1b first), the
                          * counters in data, 3 octets each, in the kind's order */
    SCRIPT_OPT_MPTCP,    /* an MPTCP option (RFC 8684, kind 30) in packetdrill's MPTCP
                          * syntax: `mpcapable v1 flags[flag_h] key[ckey,skey]`, `dss ...`,
                          * `add_address ...`, `mp_join_syn ...`: kept as written (text),
                          * not built; the runner skips a vector with one */
};

/* AccECN's AE flag (RFC 9768 3.2.2): the lowest of synack_tcp.reserved's bits */
#define SCRIPT_TCP_AE 0x01u
#define SCRIPT_TCPOPT_MPTCP 30
#define SCRIPT_TCPOPT_MD5 19
#define SCRIPT_TCPOPT_FASTOPEN 34
#define SCRIPT_TCPOPT_EXP 254
#define SCRIPT_TCPOPT_ACCECN0 172 /* RFC 9768 3.2.3: EE0B, ECEB, EE1B */
#define SCRIPT_TCPOPT_ACCECN1 174 /* EE1B, ECEB, EE0B */
#define SCRIPT_FASTOPEN_MAGIC 0xf989
/* octets of a FO cookie: the option space less kind and length, as packetdrill
 * takes it (RFC 7413 4.1.1 bounds a valid cookie to 4..16; scripts test
 * longer ones); FOEXP has 2 fewer (its magic) */
#define SCRIPT_FASTOPEN_COOKIE_MAX 38
#define SCRIPT_MD5_DIGEST_MAX 16

struct script_tcp_option {
    enum script_opt_type type;
    uint8_t kind;     /* the kind octet, for every type */
    uint8_t len;      /* the length octet written (1 for eol and nop,
                       * which have none); GENERIC: L or 2 + data_len */
    bool len_given;   /* GENERIC: `len L` was written */
    uint16_t mss;
    uint8_t wscale;
    uint32_t ts_val, ts_ecr;
    uint8_t sack_count;
    struct synack_sack_block sack[SYNACK_SACK_MAX];
    uint8_t data_len; /* GENERIC; FASTOPEN(_EXP): cookie; MD5: digest */
    uint8_t data[SCRIPT_OPT_DATA_MAX];
    char *text;       /* MPTCP: the option as written, blanks collapsed (owned) */
};

/* ICMP: `icmp TYPE [CODE] [mtu N] [id N] [ECHOED]`. TYPE is a name
 * (echo_reply, unreachable, source_quench, redirect, echo_request,
 * time_exceeded, parameter_problem, timestamp_request, timestamp_reply,
 * information_request, information_reply, address_mask_request,
 * address_mask_reply) or type_N; CODE is a name for unreachable
 * (net_unreachable ... precedence_cutoff, as packetdrill) or code_N;
 * no CODE means 0. ECHOED is [start:end(len)] (a TCP header whose seq is
 * start, followed by len octets), [udp (N)] or [raw (N)]; without it
 * packetdrill echoes TCP 0:0(0). */
enum script_icmp_echo {
    SCRIPT_ICMP_ECHO_TCP,
    SCRIPT_ICMP_ECHO_UDP,
    SCRIPT_ICMP_ECHO_RAW,
};

struct script_icmp {
    uint8_t type, code;
    bool mtu_given;  uint16_t mtu;     /* only for unreachable frag_needed */
    bool id_given;   uint16_t echo_id;
    bool echoed_given;
    enum script_icmp_echo echoed;
    uint32_t seq_start, seq_end;       /* TCP */
    uint16_t len;                      /* TCP payload, UDP or RAW octets */
};

/* Mutations (synack extension (3)). X(NAME, "text", value kind, max). Adding
 * a field is one line here plus its case in the runner. */
#define SCRIPT_MUTATIONS(X)                                   \
    X(IP_VERSION,   "ip.version",   SCRIPT_MUTV_NUM,  15)     \
    X(IP_IHL,       "ip.ihl",       SCRIPT_MUTV_NUM,  15)     \
    X(IP_TOS,       "ip.tos",       SCRIPT_MUTV_NUM,  0xff)   \
    X(IP_LEN,       "ip.len",       SCRIPT_MUTV_NUM,  0xffff) \
    X(IP_ID,        "ip.id",        SCRIPT_MUTV_NUM,  0xffff) \
    X(IP_DF,        "ip.df",        SCRIPT_MUTV_NUM,  1)      \
    X(IP_MF,        "ip.mf",        SCRIPT_MUTV_NUM,  1)      \
    X(IP_FRAG_OFF,  "ip.frag_off",  SCRIPT_MUTV_NUM,  0x1fff) \
    X(IP_TTL,       "ip.ttl",       SCRIPT_MUTV_NUM,  0xff)   \
    X(IP_PROTO,     "ip.proto",     SCRIPT_MUTV_NUM,  0xff)   \
    X(IP_CSUM,      "ip.csum",      SCRIPT_MUTV_CSUM, 0xffff) \
    X(IP_SRC,       "ip.src",       SCRIPT_MUTV_ADDR, 0xffffffff) \
    X(IP_DST,       "ip.dst",       SCRIPT_MUTV_ADDR, 0xffffffff) \
    X(IP_OPTIONS,   "ip.options",   SCRIPT_MUTV_HEX,  40)     \
    X(TCP_SPORT,    "tcp.sport",    SCRIPT_MUTV_NUM,  0xffff) \
    X(TCP_DPORT,    "tcp.dport",    SCRIPT_MUTV_NUM,  0xffff) \
    X(TCP_DOFF,     "tcp.doff",     SCRIPT_MUTV_NUM,  15)     \
    X(TCP_RESERVED, "tcp.reserved", SCRIPT_MUTV_NUM,  15)     \
    X(TCP_CSUM,     "tcp.csum",     SCRIPT_MUTV_CSUM, 0xffff) \
    X(TCP_URG_PTR,  "tcp.urg_ptr",  SCRIPT_MUTV_NUM,  0xffff) \
    X(TRUNCATE,     "truncate",     SCRIPT_MUTV_NUM,  0xffff) \
    X(IP_FRAG,      "ip.frag",      SCRIPT_MUTV_FRAGS, 0xffff)

enum script_mut_value {
    SCRIPT_MUTV_NUM,  /* an integer 0..max */
    SCRIPT_MUTV_ADDR, /* a dotted quad */
    SCRIPT_MUTV_CSUM, /* `bad` or an integer 0..max */
    SCRIPT_MUTV_HEX,  /* hex octets (optional 0x), a multiple of 4, at most max */
    SCRIPT_MUTV_FRAGS, /* START:END or START: (to the end), comma separated:
                        * the ranges go to script_packet.frags */
};

/* One fragment of an ip.frag mutation: payload octets [start, end) of
 * the datagram the line builds; to_end: up to its end (END omitted). */
struct script_frag {
    uint16_t start, end;
    bool to_end;
};
#define SCRIPT_FRAG_MAX 256 /* fragments of one line */

#define SCRIPT_MUT_ENUM_(name, text, kind, max) SCRIPT_MUT_##name,
enum script_mut_field {
    SCRIPT_MUTATIONS(SCRIPT_MUT_ENUM_)
    SCRIPT_MUT_COUNT
};
#undef SCRIPT_MUT_ENUM_

struct script_mutation {
    enum script_mut_field field;
    bool bad;        /* CSUM written as `bad` (value is then 0) */
    uint32_t value;  /* the number, or the address in host byte order */
    uint8_t data[40]; /* HEX: the octets, value of them */
    unsigned line, column; /* of the field name, for the runner's messages */
};

/* "ip.ttl" for SCRIPT_MUT_IP_TTL; "?" for an out-of-range value. */
const char *script_mutation_name(enum script_mut_field field);
/* Fields starting "tcp." need a TCP packet. */
bool script_mutation_is_tcp(enum script_mut_field field);

struct script_packet {
    enum script_direction direction;
    enum script_proto proto;
    bool ip_given;                 /* an [..] or (..) IP info was written */
    struct script_ip_info ip;

    /* TCP */
    bool ports_given;  uint16_t sport, dport; /* packetdrill's `SPORT>DPORT` */
    uint8_t flags;                 /* SYNACK_TCP_* bits; 0 when written '-' */
    bool ae_flag;                  /* AccECN notation: 'A' or an ACE value 0..7 */
    bool ae;                       /* the AE bit (RFC 9768 3.2.2: 'A', or bit 2 of an
                                    * ACE value, whose bits 1 and 0 are CWR and ECE) */
    bool fields_reordered;         /* ack/win/urg not in packetdrill's order */
    bool encap;                    /* an ipv4/ipv6/gre/mpls/psp prefix was written */
    bool psp;                      /* one of them PSP: `psp spi N[, vc N]:` (tunnel
                                    * mode) or `encap psp spi N[, vc N]` (transport) */
    bool fuzz_given;               /* packetdrill's { mut ... } fuzz syntax */
    bool mptcp_addrs;              /* MPTCP subflow addresses before the flags:
                                    * `addr[NAME] > addr[NAME]` or `> addr[NAME]` */
    uint32_t seq_start, seq_end;   /* as written: the runner makes them relative */
    bool seq_edge;                 /* extension (7): seq_start and seq_end are offsets
                                    * (two's complement) from SCRIPT_WND_EDGE */
    uint16_t seq_len;
    bool ack_given;  uint32_t ack;  /* `ack N`; packetdrill's default is 0 */
    bool win_given;  uint16_t win;  /* always given inbound; outbound: not
                                     * given means the window is unchecked */
    bool urg_given;  uint16_t urg;  /* `urg N`; default 0 */
    enum script_opts_mode opts_mode;
    size_t opt_count;
    struct script_tcp_option *opts;

    /* ICMP */
    struct script_icmp icmp;

    /* UDP */
    uint16_t udp_len;

    /* synack extension (3), inbound only */
    size_t mut_count;
    struct script_mutation *muts;
    size_t frag_count;             /* the ranges of ip.frag, in order */
    struct script_frag *frags;
};

/* Octets the options take on the wire, before padding (0..40). The parser
 * does not require a multiple of 4: the runner pads (with zero octets). */
size_t script_packet_options_len(const struct script_packet *pkt);
/* Whether the packet's option list has an option of this type. */
bool script_packet_has_option(const struct script_packet *pkt, enum script_opt_type type);

/* Options on the wire as the script's list, in order (EOL ends it), at
 * most max of them; known kinds of the wrong length come out GENERIC.
 * SACK block edges have sack_offset subtracted (to make them relative). */
size_t script_options_from_wire(const uint8_t *opts, size_t len, uint32_t sack_offset,
                                struct script_tcp_option *out, size_t max);
/* How script values become live ones when options are written: SACK block
 * edges get sack_offset added; a TS ecr goes through ts_ecr when set. */
struct script_opt_map {
    uint32_t sack_offset;
    uint32_t (*ts_ecr)(void *ctx, uint32_t ecr);
    /* an MPTCP option's octets (kind and length too) into out, at most 40;
     * 0 when it cannot be built (the caller has said why) */
    size_t (*mptcp)(void *ctx, const struct script_tcp_option *o, uint8_t *out);
    void *ctx;
};
/* The script's options as octets, in the order written, unpadded (map may
 * be NULL: values as written). Returns the length, or -1 past cap. */
int script_options_to_wire(const struct script_packet *p, const struct script_opt_map *map,
                           uint8_t *out, size_t cap);

/* Print the packet back in script syntax, without the time, e.g.
 * "< S. 0:0(0) ack 1 win 65535 <mss 1460,nop,wscale 7> {ip.ttl=0}".
 * The text parses back to the same packet. snprintf's contract: returns the
 * length of the whole text, writes at most len-1 characters and a NUL. */
int script_packet_format(const struct script_packet *pkt, char *buf, size_t len);

/* ---- system calls ---------------------------------------------------------- */

enum script_expr_kind {
    SCRIPT_EXPR_ELLIPSIS, /* ... : anything / the runner fills it in */
    SCRIPT_EXPR_INT,      /* 42, -1, 0x1f */
    SCRIPT_EXPR_STRING,   /* "abc" (adjacent strings are joined); "abc"... */
    SCRIPT_EXPR_SYMBOL,   /* SOCK_STREAM, O_NONBLOCK, TCP_ESTABLISHED ... */
    SCRIPT_EXPR_OR,       /* a|b|c: items[] */
    SCRIPT_EXPR_ASSIGN,   /* name=value inside a list or struct: lhs, rhs */
    SCRIPT_EXPR_ARRAY,    /* [a, b]: items[] (may be empty) */
    SCRIPT_EXPR_STRUCT,   /* {a, b} or {fd=4, events=POLLIN}: items[] */
    SCRIPT_EXPR_CALL,     /* htons(8080), inet_addr("192.0.2.1"): str, items[] */
};

struct script_expr {
    enum script_expr_kind kind;
    unsigned line, column;
    int64_t num;        /* INT */
    bool hex;           /* INT written in hex */
    char *str;          /* STRING text as written between the quotes
                         * (escapes kept, as packetdrill); SYMBOL or CALL name */
    bool prefix;        /* STRING followed by ...: a prefix */
    struct script_expr *lhs, *rhs;   /* ASSIGN: lhs is a SYMBOL or CALL */
    size_t count;
    struct script_expr **items;      /* OR, ARRAY, STRUCT, CALL arguments */
};

struct script_syscall {
    char *name;                /* any name: the runner rejects what it lacks */
    size_t arg_count;
    struct script_expr **args;
    struct script_expr *result;
    char *errno_name;          /* "EINPROGRESS" or NULL */
    char *note;                /* "Operation now in progress" or NULL */
};

/* "connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)";
 * snprintf's contract. */
int script_syscall_format(const struct script_syscall *sc, char *buf, size_t len);
int script_expr_format(const struct script_expr *e, char *buf, size_t len);

/* ---- events and the script --------------------------------------------- */

enum script_event_type {
    SCRIPT_EV_PACKET,
    SCRIPT_EV_SYSCALL,
    SCRIPT_EV_COMMAND, /* `...`: text is the command line */
    SCRIPT_EV_PYTHON,  /* %{ ... }%: text is the code, trimmed of spaces and
                        * tabs at both ends (as packetdrill); run/python.c */
};

struct script_event {
    unsigned line, column;   /* where the event starts (its time) */
    char *source;            /* its text as written, from the time to its last
                              * token (no trailing comment; newlines kept),
                              * for failure messages */
    struct script_timing time;
    enum script_event_type type;
    union {
        struct script_packet packet;
        struct script_syscall syscall;
        char *text;          /* COMMAND, PYTHON */
    };
};

struct script_req_tag {
    char *tag;               /* "RFC9293:MUST-10" */
    unsigned line, column;
};

struct script {
    char *path;              /* as given to the parse call */
    struct script_options options;
    size_t event_count;
    struct script_event *events;
    size_t req_count;
    struct script_req_tag *reqs;
    size_t oracle_expect_count;          /* extension (4): @oracle-expect */
    struct script_req_tag *oracle_expect;/* rule names ("rto-below-minimum") */
    uint8_t ignore_flags;                /* extension (5): TCP flags not compared
                                          * in outbound packets (@ignore psh) */
    uint8_t extra_flags;                 /* extension (5): TCP flags an outbound packet
                                          * may carry unwritten (@ignore extra-psh) */
    char *app;                           /* extension (6): @app words, or NULL */
    unsigned app_line;
    size_t define_count;                 /* --define NAME=VALUE */
    struct script_define *defines;
};

/* ---- parsing ---------------------------------------------------------------- */

struct script_error {
    char file[256];          /* truncated if longer */
    unsigned line, column;   /* 0 when the error is not about a position */
    char message[256];       /* "expected ':' after sequence start, got '1001'" */
};

/* "file:line:column: message", or "file: message" without a position. */
int script_error_format(const struct script_error *err, char *buf, size_t len);

/* Parse a whole script. On success return 0 and set *out (free it with
 * script_free); on error return -1, set *out to NULL and fill *err. Any
 * input yields one or the other: no crash, no leak, bounded recursion. */
int script_parse_file(const char *path, struct script **out, struct script_error *err);
int script_parse_buffer(const char *buf, size_t len, const char *name,
                        struct script **out, struct script_error *err);
/* The same with count "NAME=VALUE" defines given before the script
 * (packetdrill's command-line -D); the script's own --define lines come
 * after them, and the last one of a name wins. */
int script_parse_file_defines(const char *path, const char *const *defines, size_t count,
                              struct script **out, struct script_error *err);
int script_parse_buffer_defines(const char *buf, size_t len, const char *name,
                                const char *const *defines, size_t count,
                                struct script **out, struct script_error *err);
void script_free(struct script *s);

/* Names for messages and reports. */
const char *script_icmp_type_name(uint8_t type);               /* NULL if unnamed */
const char *script_icmp_code_name(uint8_t type, uint8_t code); /* NULL if unnamed */

#ifdef __cplusplus
}
#endif

#endif

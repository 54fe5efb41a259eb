/* oracle/oracle.h: the RFC oracle (DESIGN 5.4), a passive checker.
 *
 * It follows both directions of every TCP connection in a stream of IPv4
 * and IPv6 datagrams (IPv6's extension headers walked to TCP, its
 * pseudo-header in the checksum) and keeps its own view of each endpoint as far as the wire
 * shows it: ISN, SND.UNA and SND.NXT (the highest sequence number sent),
 * the window and MSS each side announced, window scaling, timestamps and
 * SACK as negotiated, FIN and RST, an RFC 6298 estimate of the RTO from the
 * RTT samples it can take. From that it reports what no correct stack
 * sends (the rules: oracle_rule_at), each finding with the packet's number,
 * the rule and the requirement id of vectors/requirements.tsv.
 *
 * Precision first: a rule that needs state the capture may not show (a
 * connection picked up mid-stream, a receiver that may have dropped data)
 * stays silent rather than guess. Findings cost nothing to ignore in a
 * harness run only when they are right.
 *
 * Streaming and self-contained (no harness state, no globals), so a fuzz
 * target can run one per input:
 *
 *     struct oracle *o = oracle_new(NULL);
 *     oracle_packet(o, pkt, len, now_us, ORACLE_FROM_STACK);  (each packet)
 *     oracle_finish(o, now_us);
 *     for (size_t i = 0; i < oracle_finding_count(o); i++)
 *         if (oracle_finding_at(o, i)->from == ORACLE_FROM_STACK) abort();
 *     oracle_free(o);
 */
#ifndef SYNACK_HARNESS_ORACLE_H
#define SYNACK_HARNESS_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/addr.h>

/* Who sent a packet. A harness run knows; a capture (synack lint) does not,
 * and then both sides are judged alike. */
enum oracle_from {
    ORACLE_FROM_UNKNOWN = -1,
    ORACLE_FROM_PEER = 0,
    ORACLE_FROM_STACK = 1,
};

struct oracle_rule {
    const char *name;     /* "ack-of-unsent-data" */
    const char *req;      /* "RFC9293:3.10.7.4-ack": an id of vectors/requirements.tsv */
    const char *summary;  /* what it flags, in a line */
};

size_t oracle_rule_count(void);
const struct oracle_rule *oracle_rule_at(size_t i);   /* NULL past the end */
const struct oracle_rule *oracle_rule_find(const char *name);

struct oracle_config {
    uint64_t rto_min_us;       /* RFC 6298 2.4: 1 s */
    uint64_t rto_initial_us;   /* RFC 6298 2.1: 1 s */
    uint64_t rto_max_us;       /* the cap backoff may stop at (2.5 allows >= 60 s): 60 s */
    uint64_t ack_delay_max_us; /* MUST-40: 500 ms */
    uint64_t slack_us;         /* timing slack for capture timestamps: 5 ms */
    uint64_t skew_us;          /* how far the capture point may be from the senders
                                * (each way): an ACK seen up to twice this before a
                                * transmission may have reached the sender after
                                * it. 0 in harness runs (the capture is the wire at
                                * the stack); synack lint --skew sets it */
    uint64_t isn_tick_us;      /* the ISN clock's tick (RFC 9293 3.4.1: M, 4 us): a
                                * side that picks its ISN again within one tick
                                * picks the same one */
    size_t max_conns;          /* connections followed at once (65536) */
    size_t max_findings;       /* findings kept; more are only counted (10000) */
    bool stack_checksums_checked; /* the caller verifies the checksums of the stack's
                                * packets itself and fails on a bad one (the fuzz
                                * target does): the oracle does not sum them again,
                                * and ip-checksum / tcp-checksum are the caller's for
                                * them (false) */
    bool peer_unworded;        /* findings about the peer's packets are kept and
                                * counted but not worded (message ""): a caller that
                                * reads only the stack's (the fuzz target) saves the
                                * formatting (false) */
};
void oracle_config_default(struct oracle_config *c);

struct oracle_finding {
    const struct oracle_rule *rule;
    unsigned packet;           /* 1-based number of the offending packet */
    uint64_t time_us;
    enum oracle_from from;     /* who sent it, as the caller said */
    struct synack_addr src, dst; /* its addresses (either family) and ports */
    uint16_t sport, dport;
    char message[240];         /* one line in words, with the numbers */
};

struct oracle;

/* A new oracle (cfg NULL: the defaults); NULL if out of memory. */
struct oracle *oracle_new(const struct oracle_config *cfg);
void oracle_free(struct oracle *o);

/* One IPv4 or IPv6 datagram (by its version nibble), as sent, at time_us
 * (any epoch, never decreasing).
 * Packets are numbered 1, 2, ... in the order given; oracle_packet_number
 * gives the number instead (a capture's frame number, for synack lint). */
void oracle_packet(struct oracle *o, const uint8_t *pkt, size_t len, uint64_t time_us,
                   enum oracle_from from);
void oracle_packet_number(struct oracle *o, unsigned number, const uint8_t *pkt, size_t len,
                          uint64_t time_us, enum oracle_from from);
/* The same for a datagram whose checksums the caller knows to be right
 * (it built them, and nothing changed it since): they are not summed. */
void oracle_packet_summed(struct oracle *o, const uint8_t *pkt, size_t len, uint64_t time_us,
                          enum oracle_from from);
/* The stream ends at end_us (rules waiting on a deadline settle). */
void oracle_finish(struct oracle *o, uint64_t end_us);

size_t oracle_finding_count(const struct oracle *o);
const struct oracle_finding *oracle_finding_at(const struct oracle *o, size_t i);
/* Findings beyond max_findings, counted but not kept. */
size_t oracle_findings_dropped(const struct oracle *o);

/* Facts about the stream, for a summary. */
struct oracle_stats {
    unsigned packets, tcp_segments, connections;
    unsigned offload_checksums; /* TCP checksums left to the NIC (not judged) */
    unsigned conns_untracked;   /* past max_conns */
    unsigned readings_max;      /* the most readings of one connection held at once
                                 * (model.h: where the packets left it ambiguous) */
};
void oracle_stats(const struct oracle *o, struct oracle_stats *st);

/* "packet 7 192.0.2.1:8080 > 198.51.100.2:40000: rule (REQ): message";
 * IPv6 endpoints as "[2001:db8::1]:8080". */
int oracle_finding_format(const struct oracle_finding *f, char *buf, size_t len);
/* One endpoint as findings print it: "192.0.2.1:80", "[2001:db8::1]:80". */
#define ORACLE_ENDPOINT_LEN 56
int oracle_endpoint_format(const struct synack_addr *a, uint16_t port, char *buf, size_t len);

#endif

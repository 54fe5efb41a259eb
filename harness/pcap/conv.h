/* pcap/conv.h: the TCP conversations of a capture (one per pair of
 * endpoints) and choosing one of them. Owns the grouping and the selector;
 * what a conversation means for replay is translate.h's business. */
#ifndef SYNACK_HARNESS_CONV_H
#define SYNACK_HARNESS_CONV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/addr.h>

#include "pcap/capture.h"

struct conv_endpoint {
    struct synack_addr addr; /* IPv4 or IPv6 (synack/addr.h) */
    uint16_t port;           /* 0 in a selector: any port */
};

/* The endpoints and flags of the TCP segment in an IPv4 or IPv6 datagram
 * (IPv6: after its extension headers); false if it holds none (another
 * protocol, a fragment, a header that does not parse). */
bool conv_tcp_endpoints(const uint8_t *pkt, size_t len, struct conv_endpoint *src,
                        struct conv_endpoint *dst, uint8_t *flags);
/* Is ep the endpoint sel names (sel's port 0: any port)? */
bool conv_endpoint_matches(const struct conv_endpoint *sel, const struct conv_endpoint *ep);

struct conversation {
    struct conv_endpoint a, b; /* a sent the first SYN (or, without one, the first packet) */
    size_t count;
    size_t *idx;               /* indices into capture->pkts, in capture order */
};

struct conv_list {
    size_t count;
    struct conversation *v;
};

/* Group the TCP segments of c. A capture without any is an error
 * ("x.pcap: no TCP segment in 12 frames (3 IP datagrams)"). */
int conv_find(const struct capture *c, struct conv_list *out, char *err, size_t errlen);
void conv_list_free(struct conv_list *l);

/* Does the conversation have ep as one of its endpoints? */
bool conv_has(const struct conversation *cv, const struct conv_endpoint *ep);

/* Choose the one conversation with endpoint `stack` (when given) and
 * endpoint `peer` (when given). None, or more than one without a way to
 * tell them apart, is an error that lists them. */
int conv_select(const struct capture *c, const struct conv_list *l,
                const struct conv_endpoint *stack, const struct conv_endpoint *peer,
                const struct conversation **out, char *err, size_t errlen);

/* "192.0.2.1:8080" (or "192.0.2.1" for port 0), "[2001:db8::1]:8080" (or
 * "2001:db8::1") into buf (CONV_ENDPOINT_LEN octets hold any). */
#define CONV_ENDPOINT_LEN 56
char *conv_endpoint_str(const struct conv_endpoint *ep, char *buf, size_t len);
/* Parse "ADDR[:PORT]" (IPv4), "[ADDR]:PORT" or "ADDR" (IPv6); 0 or -1. */
int conv_endpoint_parse(const char *s, struct conv_endpoint *ep);

#endif

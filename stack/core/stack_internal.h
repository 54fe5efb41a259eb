/* The stack instance: the dispatch layer of DESIGN 3.8. It owns the
 * configuration, the RNG, the counters and the TCP context; the socket
 * layer (above it) reaches the TCP context through here. */
#ifndef SYNACK_CORE_STACK_INTERNAL_H
#define SYNACK_CORE_STACK_INTERNAL_H

#include <synack/stack.h>

#include "ip/ip.h"
#include "ip/ip6.h"
#include "ip/ip_reasm.h"
#include "tcp/tcp.h"
#include "util/ratelimit.h"
#include "util/rng.h"

struct sock_table;

struct synack_stack {
    struct synack_config cfg;
    struct synack_link link;
    struct synack_counters cnt;
    struct rng rng;
    struct ip_host host;
    struct ip6_host host6; /* addr6 all zero: no IPv6 */
    bool ipv6;
    struct tcp_ctx tcp;
    struct ip_reasm reasm;
    uint16_t ip_id;
    struct rate_limit icmp_limit; /* ICMP errors sent (icmp_error_limit) */
    uint8_t *icmp_buf;    /* IPv4 header + ICMP reply */
    /* Owned by the socket layer; freed through sockets_free. */
    struct sock_table *sockets;
    /* keep (synack_stack_reset): every socket goes, the table stays
     * when max_sockets has not changed */
    void (*sockets_free)(struct synack_stack *s, bool keep);
};

#endif

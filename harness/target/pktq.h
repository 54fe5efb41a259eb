/* target/pktq.h: the packets a real-time target has seen the stack send,
 * oldest first, each stamped with its target time. Bounded: past
 * PKTQ_MAX the newest are dropped and counted. */
#ifndef SYNACK_HARNESS_PKTQ_H
#define SYNACK_HARNESS_PKTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKTQ_MAX 4096

struct pktq_item {
    int64_t when;
    size_t len;
    uint8_t *data;
};

struct pktq {
    struct pktq_item q[PKTQ_MAX];
    size_t head, count;
    uint64_t dropped;
};

bool pktq_push(struct pktq *q, const uint8_t *pkt, size_t len, int64_t when);
/* Copy the oldest into buf (truncated to cap) and drop it; false if empty. */
bool pktq_pop(struct pktq *q, uint8_t *buf, size_t cap, size_t *len, int64_t *when);
void pktq_clear(struct pktq *q);

/* Queue every IPv4 datagram (and IPv6 packet, with ipv6) waiting on psock,
 * an AF_PACKET socket on the kernel's side of a TUN device (what the stack
 * wrote to the device), stamped now; our own injections (outgoing) are
 * passed over, anything else counted in *not_ipv4. buf is scratch space of
 * cap octets. */
void pktq_sniff(struct pktq *q, int psock, uint8_t *buf, size_t cap, int64_t now, bool ipv6,
                uint64_t *not_ipv4);

#endif

/* target/offload.h: what a device with checksum offload does to the
 * packets the kernel hands it (the linux target's --offload). */
#ifndef SYNACK_HARNESS_OFFLOAD_H
#define SYNACK_HARNESS_OFFLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Fill the TCP checksum of an IPv4 or IPv6 packet as the device would:
 * the kernel leaves the field holding the pseudo-header's sum. A TSO
 * packet is summed whole. Anything else is left as it is. */
void offload_tcp_checksum(uint8_t *pkt, size_t len);

#endif

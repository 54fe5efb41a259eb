/* Segmentation and checksums in software, for links (TCP segmentation
 * offload done by the link rather than a NIC): a TCP/IPv4 or TCP/IPv6
 * datagram (no extension headers) handed over in pieces, its checksum
 * maybe partial (SYNACK_PKT_CSUM_PARTIAL), its text maybe longer than one
 * segment (SYNACK_PKT_GSO), comes out as whole datagrams of at most
 * gso_size octets of text each, every checksum complete. Internal to stack/link (the TUN device's captures and
 * impairment stage, the memory link's TSO) and its tests. */
#ifndef SYNACK_LINK_GSO_H
#define SYNACK_LINK_GSO_H

#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>

/* The longest datagram gso_emit hands over: a whole IPv4 datagram (a
 * longer IPv6 one is not cut: -1). */
#define GSO_SEG_MAX 65535u

/* Each segment of p in order, whole, in a buffer of the caller's of at
 * least GSO_SEG_MAX octets (valid during the call): the IP and TCP
 * headers of p with the total length, the identification (counting up
 * from p's), the sequence number and both checksums made right (IPv6: the
 * payload length and the TCP checksum over its pseudo-header); PSH and
 * FIN only on the last segment, CWR only on the first (RFC 3168 6.1.2:
 * once). Without SYNACK_PKT_GSO, p is one segment. Returns how many
 * segments, or -1 when p is not a TCP datagram that can be cut (its
 * headers short or in more than its first piece's reach): then nothing
 * was emitted. */
int gso_segment(const struct synack_pkt *p, uint8_t *buf,
                void (*emit)(void *ctx, const uint8_t *seg, size_t len), void *ctx);

/* A contiguous datagram as one piece. */
struct synack_pkt gso_whole(const uint8_t *dgram, size_t len);

#endif

/* synack/link_pcap.h: record packets to a pcap file (libpcap, raw IPv4
 * link type) that Wireshark and tshark open: directly, as a tap on a memory
 * link, or as a tee wrapped around any link. Timestamps are the stack's
 * `now` in microseconds (virtual time starts near the epoch). */
#ifndef SYNACK_LINK_PCAP_H
#define SYNACK_LINK_PCAP_H

#include <stddef.h>
#include <stdint.h>

#include <synack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

struct synack_pcap;

/* Open path for writing; NULL with a message in errbuf (256 octets) on failure. */
struct synack_pcap *synack_pcap_open(const char *path, char *errbuf);
int synack_pcap_write(struct synack_pcap *p, const uint8_t *pkt, size_t len, uint64_t now);
/* Flush and close; returns 0, or -1 if a write failed. */
int synack_pcap_close(struct synack_pcap *p);
/* A tap for synack_memlink_set_tap (ctx is the struct synack_pcap *). */
void synack_pcap_tap(void *ctx, int end, const uint8_t *pkt, size_t len, uint64_t now);

/* A tee: packets sent through the returned link are recorded, then passed
 * to inner; call synack_pcap_tee_input for packets coming in. */
struct synack_pcap_tee {
    struct synack_pcap *pcap;
    struct synack_link inner;
};
struct synack_link synack_pcap_tee_link(struct synack_pcap_tee *tee);
void synack_pcap_tee_input(struct synack_pcap_tee *tee, const uint8_t *pkt, size_t len,
                           uint64_t now);

#ifdef __cplusplus
}
#endif
#endif

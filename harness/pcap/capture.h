/* pcap/capture.h: a capture file read into memory, as the IP datagrams
 * (IPv4 and IPv6) it holds. Owns reading pcap and pcapng (through
 * libpcap) and taking off the link header (Ethernet, raw IP, Linux cooked
 * v1 and v2, BSD loopback); it knows nothing of TCP (conv.h groups the
 * segments into conversations).
 *
 * Every malformed input gets one precise message naming the file and, when
 * it is about one frame, the frame's number as Wireshark counts it:
 *   "x.pcap: not a pcap or pcapng file (first octets 0x3c68746d)"
 *   "x.pcap: frame 7: only 96 of 1514 octets captured (snaplen 96) ..."
 */
#ifndef SYNACK_HARNESS_CAPTURE_H
#define SYNACK_HARNESS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds, so that any input (a fuzzer's included) reads in bounded memory. */
#define CAPTURE_MAX_FRAMES 2000000u
#define CAPTURE_MAX_BYTES (256u << 20)

/* Flags of the read calls. */
#define CAPTURE_ALLOW_TRUNCATED 0x1u /* keep datagrams cut short by the snaplen
                                      * (len < wire_len) instead of failing, and
                                      * the frames before a file's cut-off end */

struct cap_packet {
    unsigned number;      /* frame number in the file, 1-based */
    int64_t time_us;      /* timestamp: microseconds since the epoch */
    const uint8_t *data;  /* the IPv4 or IPv6 datagram, link header removed */
    size_t len;           /* octets of it captured (link padding removed) */
    size_t wire_len;      /* octets it had on the wire */
};

struct capture {
    char *name;           /* the path, or the name given for a buffer */
    int linktype;         /* DLT_ value of the file */
    bool pcapng;          /* pcapng rather than pcap */
    unsigned frames;      /* frames in the file */
    unsigned skipped;     /* frames that are not IP (ARP, LLDP, ...) */
    unsigned cut_frame;   /* with CAPTURE_ALLOW_TRUNCATED: the frame the file
                           * ends inside of (kept out), else 0 */
    unsigned malformed;   /* IP datagrams whose header does not parse (kept, so
                           * frame numbers stay; readers find no TCP in them) */
    char malformed_first[128]; /* "frame 7: ipv6: payload length past ..." */
    size_t count;         /* IP datagrams: pkts[0 .. count-1] */
    struct cap_packet *pkts;
    uint8_t *store;       /* the datagrams' octets */
};

/* Read a capture file. Returns 0 and sets *out (free with capture_free),
 * or -1 with a message in err ("NAME: ...") and *out NULL. */
int capture_read_file(const char *path, unsigned flags, struct capture **out, char *err,
                      size_t errlen);

/* The same from memory (what the fuzz target of the pcap reader calls):
 * len octets at buf, called name in messages. Never reads outside buf. */
int capture_read_buffer(const void *buf, size_t len, const char *name, unsigned flags,
                        struct capture **out, char *err, size_t errlen);

void capture_free(struct capture *c);

/* "Ethernet", "raw IP", "Linux cooked", ...; "unknown" for others. */
const char *capture_linktype_name(int linktype);

#endif

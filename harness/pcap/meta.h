/* pcap/meta.h: the metadata file beside a capture vector (x.pcap ->
 * x.meta): which endpoint is the stack, what its application does, how
 * strictly to compare, which requirements the capture shows. The format is
 * documented in vectors/pcap/README.md; this file owns parsing it.
 *
 * One item per line, '#' starts a comment:
 *
 *   description Linux answers a SYN to a closed port with RST|ACK
 *   stack 192.0.2.1:8080        the endpoint under test (default: the side
 *                               that received the first SYN)
 *   peer 198.51.100.2:40000     picks the conversation when there are several
 *   app listen                  application calls, in order (see below)
 *   app accept
 *   app read 100
 *   app write 200 at 0.5        'at T': at T seconds into the conversation
 *   app close
 *   tolerance 0.010             timing tolerance in seconds (default 0.004)
 *   time-scale 2                peer packets at 2x their recorded times
 *   ignore window               do not compare the stack's window field
 *   ignore options              do not compare the stack's TCP options
 *   ignore psh                  do not compare the stack's PSH flag
 *   req RFC9293:MUST-10 ...     requirement tags
 *   oracle-expect RULE ...      RFC oracle findings the vector expects
 */
#ifndef SYNACK_HARNESS_META_H
#define SYNACK_HARNESS_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcap/conv.h"

#define META_MAX_APP 256
#define META_MAX_LINE 1024

enum meta_app_kind {
    META_APP_LISTEN,   /* socket, bind to the stack's port, listen */
    META_APP_CONNECT,  /* socket, non-blocking connect to the peer */
    META_APP_ACCEPT,
    META_APP_WRITE,    /* n octets */
    META_APP_READ,     /* n octets */
    META_APP_SHUTDOWN, /* SHUT_WR */
    META_APP_CLOSE,
};

struct meta_app {
    enum meta_app_kind kind;
    uint32_t n;        /* WRITE, READ */
    bool at_given;
    int64_t at_us;     /* microseconds from the conversation's first packet */
    unsigned line;     /* in the metadata file */
};

struct pcap_meta {
    char *path;              /* of the metadata file, or NULL when there is none */
    char *description;
    bool stack_given;  struct conv_endpoint stack;
    bool peer_given;   struct conv_endpoint peer;
    size_t app_count;
    struct meta_app app[META_MAX_APP];
    bool tolerance_given; int64_t tolerance_us;
    double time_scale;       /* 1.0 by default */
    bool ignore_window, ignore_options, ignore_psh;
    size_t req_count;
    char **reqs;
    size_t expect_count;
    char **oracle_expect;
};

/* Parse a metadata file. 0, or -1 with "path:line: message" in err. */
int pcap_meta_parse_file(const char *path, struct pcap_meta **out, char *err, size_t errlen);
int pcap_meta_parse_buffer(const char *buf, size_t len, const char *name,
                           struct pcap_meta **out, char *err, size_t errlen);
/* Metadata with every default: for a capture without a metadata file. */
struct pcap_meta *pcap_meta_new(void);
void pcap_meta_free(struct pcap_meta *m);

/* "listen", "write", ... */
const char *meta_app_name(enum meta_app_kind k);

/* The metadata path for a capture: x.pcap or x.pcapng -> x.meta. Malloc'd. */
char *pcap_meta_path_for(const char *capture_path);

#endif

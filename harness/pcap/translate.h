/* pcap/translate.h: a capture and its metadata as a packetdrill script.
 *
 * This is how a capture is replayed: the peer's packets become inbound
 * lines at their recorded times, the stack's packets become outbound
 * expectations, the application's calls (metadata) become system calls
 * placed where the capture shows their effect. The text is parsed and run
 * by the ordinary runner, so captures and scripts share one matching path,
 * and `synack pcap2pkt` prints the very script a replay runs.
 *
 * Numbers are written as packetdrill writes them: each side's SYN at 0,
 * everything else relative to that side's ISN (raw when a side sent no
 * SYN in the capture); SACK blocks relative to the ISN they refer to; TS
 * values as captured (the runner maps TS ecr onto the live stack's clock).
 * The runner rewrites the live numbers, so a capture replays the same
 * whatever ISNs it happened to use.
 */
#ifndef SYNACK_HARNESS_TRANSLATE_H
#define SYNACK_HARNESS_TRANSLATE_H

#include <stddef.h>

#include "pcap/capture.h"
#include "pcap/meta.h"

struct pcap_script {
    char *text;              /* the script, NUL-terminated */
    size_t len;
    size_t lines;            /* lines of text */
    unsigned *line_frame;    /* [line-1]: capture frame of the packet on that line, or 0 */
    unsigned *line_meta;     /* [line-1]: metadata line of the app call on that line, or 0 */
    struct conv_endpoint stack, peer;
};

/* Translate the conversation of cap that meta selects (meta may be a
 * default one from pcap_meta_new). 0, or -1 with a message in err. */
int pcap_translate(const struct capture *cap, const struct pcap_meta *meta,
                   struct pcap_script *out, char *err, size_t errlen);
void pcap_script_free(struct pcap_script *ps);

#endif

#include <synack/wire.h>

#include "target/offload.h"

void offload_tcp_checksum(uint8_t *p, size_t len)
{
    if (len >= 20 && (p[0] >> 4) == 4 && p[9] == SYNACK_IPPROTO_TCP) {
        size_t ihl = (size_t)(p[0] & 15) * 4, tot = synack_get16(p + 2);
        if (ihl >= 20 && tot <= len && tot >= ihl + SYNACK_TCP_HDR_MIN)
            synack_tcp_checksum_set(p + ihl, tot - ihl, synack_get32(p + 12), synack_get32(p + 16));
    } else if (len >= 60 && (p[0] >> 4) == 6 && p[6] == SYNACK_IPPROTO_TCP) {
        size_t plen = synack_get16(p + 4);
        if (plen >= SYNACK_TCP_HDR_MIN && 40 + plen <= len)
            synack_tcp_checksum_set6(p + 40, plen, p + 8, p + 24);
    }
}

/* ICMP messages a host sends: echo replies and errors. */
#include "ip/ip.h"

#define ICMP_REPLY_MAX 576u /* the whole reply datagram stays within 576 octets */

size_t icmp_build_error(uint8_t *buf, size_t cap, uint8_t type, uint8_t code, uint32_t rest,
                        const uint8_t *orig, size_t orig_len)
{
    size_t quote = orig_len;
    if (quote > ICMP_REPLY_MAX - 20u - 8u)
        quote = ICMP_REPLY_MAX - 20u - 8u;
    if (cap >= 8 && quote > cap - 8)
        quote = cap - 8;
    return synack_icmp_build(buf, cap, type, code, rest, orig, quote, NULL);
}

size_t icmp_build_echo_reply(uint8_t *buf, size_t cap, const struct synack_icmp *req)
{
    uint32_t rest = (uint32_t)req->echo_id << 16 | req->echo_seq;
    return synack_icmp_build(buf, cap, ICMP_ECHO_REPLY, 0, rest, req->data, req->data_len, NULL);
}

/* The ICMPv6 counterparts of the ICMP types scripts name (datagrams of
 * either version are read through <synack/wire.h>'s synack_ip_view). */
#include <string.h>

#include "run/run_internal.h"

/* RFC 4443's counterparts of the ICMP messages scripts name (RFC 792). */
bool icmp_type_to_v6(uint8_t type, uint8_t code, uint8_t *t6, uint8_t *c6)
{
    static const struct { uint8_t type, code, t6, c6; } map[] = {
        {ICMP_ECHO_REPLY, 0, ICMP6_ECHO_REPLY, 0},
        {ICMP_ECHO_REQUEST, 0, ICMP6_ECHO_REQUEST, 0},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NET, ICMP6_DEST_UNREACH, ICMP6_UNREACH_NOROUTE},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_HOST, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADDR},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PROTOCOL, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_NEXTHDR},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_PORT, ICMP6_DEST_UNREACH, ICMP6_UNREACH_PORT},
        {ICMP_DEST_UNREACH, ICMP_UNREACH_NEEDFRAG, ICMP6_PACKET_TOO_BIG, 0},
        {ICMP_DEST_UNREACH, 9, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN},  /* net prohibited */
        {ICMP_DEST_UNREACH, 10, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN}, /* host prohibited */
        {ICMP_DEST_UNREACH, 13, ICMP6_DEST_UNREACH, ICMP6_UNREACH_ADMIN}, /* filtered */
        {ICMP_TIME_EXCEEDED, 0, ICMP6_TIME_EXCEEDED, ICMP6_TIMXCEED_HOPLIMIT},
        {ICMP_TIME_EXCEEDED, 1, ICMP6_TIME_EXCEEDED, ICMP6_TIMXCEED_REASS},
        {ICMP_PARAM_PROBLEM, 0, ICMP6_PARAM_PROBLEM, ICMP6_PARAMPROB_HEADER},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].type == type && map[i].code == code) {
            *t6 = map[i].t6;
            *c6 = map[i].c6;
            return true;
        }
    return false;
}

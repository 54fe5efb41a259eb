/* synack/addr.h: an IPv4 or IPv6 address and its family as one value, and
 * its text. Pure functions (stack/wire/addr.c); <synack/wire.h> includes
 * this header and adds the pseudo-header sum of either family. */
#ifndef SYNACK_ADDR_H
#define SYNACK_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYNACK_AF_INET 2   /* the Linux values of AF_INET and AF_INET6 */
#define SYNACK_AF_INET6 10

/* An IPv4 or an IPv6 address with its family, as one value (STYLE:
 * addresses are values of their own type). An IPv4 address is held in the
 * IPv4-mapped form of RFC 4291 2.5.5.2, ::ffff:a.b.c.d, so that one
 * comparison, one hash and one copy serve both families. */
struct synack_addr {
    uint16_t family;  /* SYNACK_AF_INET or SYNACK_AF_INET6 */
    uint8_t a[16];
};

/* The address a in host order, as an IPv4 address. */
struct synack_addr synack_addr_from_v4(uint32_t a);
/* The 16 octets a as an IPv6 address (an IPv4-mapped one stays IPv6: see
 * synack_addr_unmap). */
struct synack_addr synack_addr_from_v6(const uint8_t a[16]);
/* The IPv4 address of an AF_INET address, host order. */
uint32_t synack_addr_v4(const struct synack_addr *a);
bool synack_addr_eq(const struct synack_addr *x, const struct synack_addr *y);
/* The unspecified address of a family (0.0.0.0 or ::), a socket's
 * wildcard; a zeroed struct (family 0) is unspecified too. */
struct synack_addr synack_addr_any(uint16_t family);
bool synack_addr_is_any(const struct synack_addr *a);
/* ::ffff:0:0/96 (RFC 4291 2.5.5.2). */
bool synack_addr_is_v4mapped(const uint8_t a[16]);
/* An IPv4-mapped AF_INET6 address as the AF_INET address it maps (RFC 3493
 * 3.7: an AF_INET6 socket reaches IPv4 peers through them); others as given. */
struct synack_addr synack_addr_unmap(struct synack_addr a);
/* The n characters at s as an address: a dotted quad (AF_INET), or IPv6
 * text of RFC 4291 2.2 (AF_INET6; "::" and a trailing dotted quad taken).
 * False, *out untouched, for anything else. */
bool synack_addr_parse(const char *s, size_t n, struct synack_addr *out);
/* The address as text: a dotted quad, or RFC 5952's canonical IPv6 text
 * (lower case, the longest run of zero groups as "::"). snprintf's contract. */
int synack_addr_format(const struct synack_addr *a, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif

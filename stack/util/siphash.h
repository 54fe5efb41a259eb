/* SipHash-2-4 (Aumasson and Bernstein, 2012): the keyed PRF behind the ISN
 * (RFC 6528 F()) and ephemeral port selection (RFC 6056 alg. 3). */
#ifndef SYNACK_UTIL_SIPHASH_H
#define SYNACK_UTIL_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

struct siphash_key {
    uint64_t k0, k1;
};

uint64_t siphash24(const struct siphash_key *key, const void *data, size_t len);

#endif

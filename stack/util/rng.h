/* The stack's one RNG (DESIGN 3.5): xoshiro256** seeded through
 * splitmix64. Deterministic for a given seed; not for secrets by itself,
 * but the secrets it yields are only ever used through SipHash. */
#ifndef SYNACK_UTIL_RNG_H
#define SYNACK_UTIL_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

void rng_seed(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) for n > 0. */
uint32_t rng_below(struct rng *r, uint32_t n);

#endif

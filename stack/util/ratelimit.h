/* A budget of events per second, stack-wide: ICMP errors sent (RFC 1122
 * 3.2.2), challenge ACKs (RFC 5961 7), RSTs for segments of no connection.
 * A one-second window opens at the first event; a zeroed struct is fresh. */
#ifndef SYNACK_UTIL_RATELIMIT_H
#define SYNACK_UTIL_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct rate_limit {
    uint64_t window; /* start of the current second (microseconds) */
    uint32_t count;  /* events let through in it */
};

/* May one more event go at `now` with a budget of per_sec a second? Counts
 * it when it may. A budget of 0 lets nothing through. */
static inline bool rate_limit_take(struct rate_limit *rl, uint32_t per_sec, uint64_t now)
{
    if (rl->count == 0 || now - rl->window >= 1000000u) {
        rl->window = now;
        rl->count = 0;
    }
    if (rl->count >= per_sec)
        return false;
    rl->count++;
    return true;
}

#endif

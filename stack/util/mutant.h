/* Mutation testing of the suite (make mutate; harness/README.md, "Mutation
 * testing"): each mutant is one named, RFC-cited wrong behaviour a site in
 * the stack can switch on. Only the mutation build (-DSYNACK_MUTATION,
 * build/mutate/) compiles the switch; everywhere else MUTANT() is the
 * constant 0 and MUT() its right-hand side, so the library users link holds
 * no trace of it. A site is one line: `if (MUTANT(name)) ...` or
 * `x = MUT(name, wrong, right);`. */
#ifndef SYNACK_UTIL_MUTANT_H
#define SYNACK_UTIL_MUTANT_H

#ifdef SYNACK_MUTATION
#include <stdbool.h>

/* The catalogue: X(name, requirement rows it breaks, what it does wrong).
 * The rows are ids of vectors/requirements.tsv, blank-separated; a mutant
 * the suite kills defends them. */
#define SYNACK_MUTANTS(X)                                                                     \
    X(abort_rst_at_una, "RFC9293:3.10.4-abort",                                               \
      "RFC 9293 3.10.4: ABORT's RST carries SND.UNA, not <SEQ=SND.NXT><CTL=RST>")             \
    X(karn_fast_rexmt, "RFC9293:MUST-18 RFC6298:3",                                          \
      "RFC 6298 3 (Karn): fast retransmit keeps timing the retransmitted segment")            \
    X(wl_guard_off, "RFC9293:3.10.7.4-ack",                                                   \
      "RFC 9293 3.10.7.4 fifth: the window is updated without the SND.WL1/SND.WL2 guard")      \
    X(text_no_trim, "RFC9293:3.10.7.4-seq RFC9293:3.10.7.4-text",                             \
      "RFC 9293 3.10.7.4 first: text beyond RCV.NXT+RCV.WND is kept, not trimmed")             \
    X(newreno_exit_full, "RFC5681:3.2-deflate",                                                \
      "RFC 6582 3.2 step 3: leaving recovery keeps the inflated cwnd instead of deflating")    \
    X(timewait_fin_no_restart, "RFC9293:MUST-13",                                             \
      "RFC 9293 3.10.7.4 eighth: a retransmitted FIN in TIME-WAIT does not restart 2 MSL")     \
    X(timewait_iss_no_floor, "RFC9293:MAY-2 RFC6191:2",                                                   \
      "RFC 9293 3.10.7.4 / RFC 6191: a SYN reopening TIME-WAIT gets an ISS below the old SND.NXT") \
    X(keepcnt_plus_one, "RFC9293:MUST-29",                                                    \
      "RFC 9293 3.8.4: keep-alive gives up after KEEPCNT + 1 unanswered probes")              \
    X(cwnd_unbounded, "RFC5681:3.1-ss",                                                        \
      "RFC 5681 3.1: slow start with no loss grows cwnd past what the send buffer can use, until it wraps") \
    X(dupack_flood_credited, "RFC5681:3.2-inflate",                                            \
      "RFC 5681 3.2 step 4, 5: every duplicate ACK inflates cwnd, beyond the segments outstanding")

enum mutant_id {
#define SYNACK_MUTANT_ENUM(name, reqs, what) MUTANT_##name,
    SYNACK_MUTANTS(SYNACK_MUTANT_ENUM)
#undef SYNACK_MUTANT_ENUM
    MUTANT_COUNT
};

/* Whether mutant id is the one SYNACK_MUTANT names (stack/mutate/mutant.c). */
bool synack_mutant_on(enum mutant_id id);
#define MUTANT(name) synack_mutant_on(MUTANT_##name)
#else
#define MUTANT(name) 0
#endif

#define MUT(name, wrong, right) (MUTANT(name) ? (wrong) : (right))

#endif

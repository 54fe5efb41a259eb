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
      "RFC 5681 3.2 step 4, 5: every duplicate ACK inflates cwnd, beyond the segments outstanding") \
    X(mss_opt_ignored, "RFC9293:MUST-4 RFC9293:MUST-14 RFC9293:MUST-16",              \
      "RFC 9293 3.7.1: the peer's MSS option is ignored (536 used)") \
    X(mss_default_not_536, "RFC9293:MUST-15",                          \
      "RFC 9293 3.7.1: without an MSS option the send MSS is 1460, not 536") \
    X(syn_without_mss, "RFC9293:MUST-14",                              \
      "RFC 9293 3.7.1: the SYN carries no MSS option") \
    X(mss_on_every_segment, "RFC9293:MUST-65",                         \
      "RFC 9293 3.2: the MSS option also rides on segments without SYN") \
    X(eff_mss_ignores_options, "RFC9293:MUST-16",                      \
      "RFC 9293 3.7.1: Eff.snd.MSS does not subtract the options every segment carries") \
    X(mss_announced_mtu_minus_20, "RFC9293:MUST-67",                   \
      "RFC 9293 3.7.1: the MSS announced is MTU - 20, not MMS_R - 20 = MTU - 40") \
    X(nodelay_ignored, "RFC9293:MUST-17",                              \
      "RFC 9293 3.7.4: TCP_NODELAY is accepted but Nagle stays on") \
    X(rto_no_backoff, "RFC9293:MUST-19 RFC6298:5.5",                   \
      "RFC 6298 5.5: the RTO does not double on expiry") \
    X(r2_never, "RFC9293:MUST-20",                                     \
      "RFC 9293 3.8.3: retransmission never gives up: R2 is never checked") \
    X(user_timeout_ignored, "RFC9293:MUST-21",                         \
      "RFC 9293 3.8.3: TCP_USER_TIMEOUT is accepted but R2 stays the default") \
    X(syn_gives_up_early, "RFC9293:MUST-23 RFC9293:MUST-22",           \
      "RFC 9293 3.8.3: a SYN is retransmitted for half of R2 for a SYN (90 s), under 3 minutes") \
    X(keepalive_while_busy, "RFC9293:MUST-26",                         \
      "RFC 9293 3.8.4: keep-alives go while data is outstanding, not only when idle") \
    X(keepalive_off_ignored, "RFC9293:MUST-24",                        \
      "RFC 9293 3.8.4: SO_KEEPALIVE is accepted but changes nothing") \
    X(keepidle_ignored, "RFC9293:MUST-27",                             \
      "RFC 9293 3.8.4: TCP_KEEPIDLE and TCP_KEEPINTVL are accepted but not applied") \
    X(keepalive_default_short, "RFC9293:MUST-28",                      \
      "RFC 9293 3.8.4: the default keep-alive idle time is 60 s, not at least 2 hours") \
    X(urg_ignored, "RFC9293:MUST-30 RFC9293:MUST-31",                  \
      "RFC 9293 3.10.7.4 sixth: the URG bit of a received segment is ignored") \
    X(urg_ptr_at_last_octet, "RFC9293:MUST-62",                        \
      "RFC 9293 3.8.5: the urgent pointer sent points at the last urgent octet, not the one after") \
    X(urg_no_pollpri, "RFC9293:MUST-32",                               \
      "RFC 9293 3.8.5: the application is not told (POLLPRI) that urgent data arrived") \
    X(zero_window_not_probed, "RFC9293:MUST-36 RFC9293:MUST-35",       \
      "RFC 9293 3.8.6.1: a zero window is never probed") \
    X(persist_gives_up, "RFC9293:MUST-37",                             \
      "RFC 9293 3.8.6.1: the connection is dropped after 3 answered zero-window probes") \
    X(sender_sws_off, "RFC9293:MUST-38",                               \
      "RFC 9293 3.8.6.2.1: sender SWS avoidance and Nagle off: every small segment goes at once") \
    X(receiver_sws_off, "RFC9293:MUST-39",                             \
      "RFC 9293 3.8.6.2.2: the right edge moves by any amount (receiver SWS avoidance off)") \
    X(delack_600ms, "RFC9293:MUST-40",                                 \
      "RFC 9293 3.8.6.3: a delayed ACK waits 600 ms, past the 0.5 s bound") \
    X(window_signed, "RFC9293:MUST-1",                                 \
      "RFC 9293 3.1: a window field above 32767 is taken as negative (zero)") \
    X(checksum_not_checked, "RFC9293:MUST-3",                          \
      "RFC 9293 3.1: a segment whose checksum fails is processed") \
    X(simultaneous_open_rst, "RFC9293:MUST-10",                        \
      "RFC 9293 3.5: SYN-SENT answers a SYN without ACK with a RST (no simultaneous open)") \
    X(synrcvd_forgets_origin, "RFC9293:MUST-11",                   \
      "RFC 9293 3.10.7.4: a RST in SYN-RECEIVED of an active (simultaneous) open closes it silently as if passive: connect is not refused") \
    X(rst_not_reported, "RFC9293:MUST-12",                             \
      "RFC 9293 3.10.7.4: a connection reset in FIN-WAIT/CLOSING is closed silently, no ECONNRESET") \
    X(rst_dropped_at_zero_window, "RFC9293:MUST-66",                   \
      "RFC 9293 3.10.7.4: with a zero receive window a segment at RCV.NXT is dropped, its RST and ACK unprocessed") \
    X(connect_to_broadcast, "RFC9293:MUST-46",                         \
      "RFC 9293 3.9.1: an OPEN to a broadcast or multicast address is accepted") \
    X(tos_ignored, "RFC9293:MUST-48",                                  \
      "RFC 9293 3.9.1: IP_TOS is accepted but the segments keep the old Diffserv field") \
    X(ttl_ignored, "RFC9293:MUST-49",                                  \
      "RFC 9293 3.9.1: IP_TTL is accepted but the segments keep the default TTL") \
    X(source_quench_acted_on, "RFC9293:MUST-55",                       \
      "RFC 9293 3.9.2.2 (RFC 6633): ICMP Source Quench cuts cwnd to one segment, not silently discarded") \
    X(soft_icmp_aborts, "RFC9293:MUST-56",                             \
      "RFC 9293 3.9.2.2: Destination Unreachable 0, 1, 5, Time Exceeded and Parameter Problem abort the connection") \
    X(icmp_not_delivered, "RFC9293:MUST-54 RFC9293:MUST-47",           \
      "RFC 9293 3.9.2.2: ICMP errors never reach the connection they name") \
    X(tcp_to_broadcast_accepted, "RFC9293:MUST-57",                    \
      "RFC 9293 3.9.2.1: segments to a broadcast or multicast address are processed") \
    X(psh_never, "RFC9293:MUST-61",                                    \
      "RFC 9293 3.9.1: the last segment of the data written carries no PSH") \
    X(bad_source_accepted, "RFC9293:MUST-63",                          \
      "RFC 9293 3.9.2.1: a segment from a broadcast or multicast source is processed") \
    X(options_on_syn_only, "RFC9293:MUST-5",                           \
      "RFC 9293 3.1: options on segments without SYN are ignored") \
    X(unknown_option_ends_list, "RFC9293:MUST-6",                      \
      "RFC 9293 3.1: an option of unknown kind ends the option list (what follows is not read)") \
    X(time_wait_one_msl, "RFC9293:MUST-13",                            \
      "RFC 9293 3.10.7.4: TIME-WAIT lasts 1 MSL, not 2 MSL") \
    X(keepalive_on_by_default, "RFC9293:MUST-25",                      \
      "RFC 9293 3.8.4: keep-alives are on by default") \
    X(ip_options_dropped, "RFC9293:MUST-50",                           \
      "RFC 9293 3.9.2.1: datagrams carrying IP options are dropped, not their options ignored") \
    X(nagle_holds_when_idle, "RFC9293:MUST-60",                        \
      "RFC 9293 3.7.4, 3.9.1: a small write waits even with nothing in flight (held until the override timer)") \
    X(urg_cleared_by_any_read, "RFC9293:MUST-33",                      \
      "RFC 9293 3.8.5: any read clears the urgent mark, though urgent data remains unread") \
    X(shrunk_window_wraps, "RFC9293:MUST-34",                          \
      "RFC 9293 3.8.6: a window shrunk below what is in flight wraps the usable window: new data is sent") \
    X(listener_busy_while_syn_received, "RFC9293:MUST-42",             \
      "RFC 9293 3.9.1.1: a listener with a connection in SYN-RECEIVED answers no other SYN") \
    X(checksum_over_header_only, "RFC9293:MUST-2",                     \
      "RFC 9293 3.1: the checksum of a segment with text covers the header only") \
    X(option_padding_not_zero, "RFC9293:MUST-69",                      \
      "RFC 9293 3.1: the option area is padded past an EOL with non-zero octets") \
    X(listen_forgets_port, "RFC9293:MUST-41",                          \
      "RFC 9293 3.9.1.1: a passive OPEN takes its port over, forgetting the connections on it") \
    X(no_initial_slow_start, "RFC2525:2.1",                            \
      "RFC 2525 2.1: a new connection's window is the peer's, not the initial window") \
    X(rto_keeps_cwnd, "RFC2525:2.2 RFC2525:2.14",                      \
      "RFC 2525 2.2, 2.14: a retransmission timeout keeps cwnd, so the whole window goes again") \
    X(ooo_text_dropped, "RFC2525:2.5",                                 \
      "RFC 2525 2.5: text past a hole is dropped, not held (it must come again)") \
    X(initial_rto_200ms, "RFC2525:2.7",                                \
      "RFC 2525 2.7: before any RTT sample the RTO is 200 ms, not 1 s") \
    X(close_unread_fin, "RFC2525:2.17",                                \
      "RFC 2525 2.17: close() with unread data sends a FIN, not a RST") \
    X(bad_option_closes_listener, "RFC9293:MUST-7",                    \
      "RFC 9293 3.1: an illegal option length in a SYN closes the listener it reached (the suggested reset applied to LISTEN)") \
    X(mss_word_aligned_only, "RFC9293:MUST-64",                        \
      "RFC 9293 3.2: options are read a 32-bit word at a time: an MSS option off a word boundary goes unseen") \
    X(sackok_without_length, "RFC9293:MUST-68",                        \
      "RFC 9293 3.1: SACK-permitted is sent as its kind octet alone, like NOP (no length octet)") \
    X(open_local_addr_ignored, "RFC9293:MUST-43",                      \
      "RFC 9293 3.9.1.1: connect() ignores the local address the socket was bound to: IP selects one") \
    X(source_not_selected, "RFC9293:MUST-44",                          \
      "RFC 9293 3.9.1.1, RFC 1122 3.3.4.3: an active open with no local address takes the stack's first address, not the one on the peer's subnet") \
    X(ip_picks_source, "RFC9293:MUST-45",                              \
      "RFC 9293 3.9.1.1: after the SYN, IP stamps its own choice of source on a connection's segments, not the connection's local address")

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

/* synack/stack.h: a stack instance, its configuration, its link and counters.
 *
 * The stack is sans-I/O: it never reads a clock, sleeps or makes a system
 * call. Every entry point takes `now` in microseconds (any epoch, but one
 * that only moves forward); packets leave through the link's send callback;
 * synack_stack_deadline() says when synack_stack_poll() must next be called.
 * No global state: many stacks live in one process.
 */
#ifndef SYNACK_STACK_H
#define SYNACK_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/addr.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SYNACK_TIME_NEVER UINT64_MAX
#define SYNACK_SEC 1000000ull
#define SYNACK_MSEC 1000ull

struct synack_stack;

/* A datagram in pieces (synack_link.sendv): its headers, then the TCP text
 * where it lies in the send buffer (a ring's two halves), so that the
 * stack does not copy it. Every piece is valid only during the call. */
struct synack_iov {
    const uint8_t *base;
    size_t len;
};
#define SYNACK_PKT_IOV_MAX 3
struct synack_pkt {
    struct synack_iov iov[SYNACK_PKT_IOV_MAX];
    unsigned niov;
    size_t len;           /* the datagram's length: its pieces together */
    uint8_t flags;        /* SYNACK_PKT_* */
    /* SYNACK_PKT_CSUM_PARTIAL: the 16 bits at csum_start + csum_offset hold
     * the pseudo-header sum, folded and not complemented; the link sums
     * every octet from csum_start to the end and stores the complement
     * there, or hands the datagram to a receiver that checks no checksum
     * (Linux's CHECKSUM_PARTIAL, virtio's NEEDS_CSUM). */
    uint16_t csum_start, csum_offset;
    /* SYNACK_PKT_GSO: a TCP segment longer than the path takes; the link
     * cuts its text into segments of gso_size octets (each with the header,
     * sequence numbers moved on, PSH and FIN only on the last, CWR only on
     * the first), as TCP segmentation offload does. */
    uint16_t gso_size;
};
#define SYNACK_PKT_CSUM_PARTIAL 0x1u
#define SYNACK_PKT_GSO 0x2u

/* Where packets go. send() gets one whole IPv4 datagram; the buffer is only
 * valid during the call. A non-zero return is counted as a link drop.
 * A link may also take datagrams in pieces (sendv, optional): the stack
 * then hands it segments' text by reference, and `offload` says what else
 * sendv does for it (SYNACK_LINK_*). Initialise it by field name
 * ({.send = f, .ctx = c}): the fields not named are zero. */
struct synack_link {
    int (*send)(void *ctx, const uint8_t *pkt, size_t len, uint64_t now);
    void *ctx;
    int (*sendv)(void *ctx, const struct synack_pkt *pkt, uint64_t now);
    unsigned offload;     /* what sendv takes: SYNACK_LINK_CSUM, SYNACK_LINK_TSO(6) */
    uint32_t tso_max;     /* SYNACK_LINK_TSO: the longest datagram sendv takes */
};
#define SYNACK_LINK_CSUM 0x1u /* completes SYNACK_PKT_CSUM_PARTIAL checksums */
#define SYNACK_LINK_TSO 0x2u  /* cuts SYNACK_PKT_GSO TCP/IPv4 datagrams into segments */
#define SYNACK_LINK_TSO6 0x4u /* ... and TCP/IPv6 ones (with SYNACK_LINK_TSO) */

/* An address of ours beside addr and addr6 (a multihomed host, RFC 1122
 * 3.3.4): an IPv4 or IPv6 unicast address and its subnet's prefix length. */
struct synack_ifaddr {
    struct synack_addr addr;  /* family 0: the entry is unused */
    uint8_t prefix_len;       /* IPv4 1..32, IPv6 1..128 */
};
#define SYNACK_MORE_ADDRS 4

/* Every knob has a default (synack_config_default); times in microseconds. */
struct synack_config {
    uint32_t addr;            /* our IPv4 address, host order (required) */
    uint8_t prefix_len;       /* of our subnet, for directed broadcast (24) */
    uint8_t addr6[16];        /* our IPv6 address (RFC 8200), all zero: none (the
                               * default); IPv6 then needs mtu >= 1280; its
                               * subnet is taken as /64 (RFC 4291 2.5.4) */
    /* More addresses of ours, either family (none by default; an IPv6 one
     * needs addr6). Segments to any of them are ours; bind() takes any of
     * them (MUST-43); connect() on a socket bound to none takes the first
     * of addr (addr6) and these, in order, whose subnet holds the peer, else
     * addr (addr6) (MUST-44, RFC 1122 3.3.4.3); a connection keeps its
     * address (MUST-45). */
    struct synack_ifaddr more_addrs[SYNACK_MORE_ADDRS];
    uint16_t mtu;             /* of the link (1500); MSS sent = mtu - 40 (MUST-67),
                               * mtu - 60 over IPv6 */
    uint16_t pmtu_min;        /* a Destination Unreachable code 4 naming a next-hop MTU
                               * below this is ignored (552, Linux's floor; at least 68,
                               * RFC 1191 3; RFC 5927 7: a tiny MTU is an attack) */
    uint8_t ttl;              /* of datagrams we send (64; MUST-49) */
    uint64_t rng_seed;        /* the one RNG (ISN secret, ports); fix it in tests */

    uint32_t max_sockets;     /* socket handles (1024) */
    uint32_t max_conns;       /* TCBs, TIME-WAIT and orphans included (1024) */
    uint32_t backlog_max;     /* cap on listen() backlog (128) */
    /* SYN flood defence (RFC 4987). A listener's half-open connections are
     * compact records in the SYN cache, at most its listen() backlog of
     * them and syncache_max in the stack. When the cache is full, a SYN is
     * answered with a SYN cookie (syncookies 1) or evicts the listener's
     * oldest entry (0); syncookies 2 answers every SYN with a cookie. */
    uint32_t syncache_max;    /* half-open connections in the stack (4096) */
    uint8_t syncookies;       /* 0 never, 1 when the cache is full (1), 2 always */
    /* TIME-WAIT connections nobody holds are compact records outside
     * max_conns; past this many the oldest goes first (16384). */
    uint32_t timewait_max;
    /* Connections the application has closed that are still finishing
     * (FIN-WAIT, CLOSING, LAST-ACK); past this many a close resets the
     * connection instead (4096). They count against max_conns too. */
    uint32_t orphan_max;
    uint32_t sndbuf;          /* default send buffer per connection (256 KiB) */
    uint32_t rcvbuf;          /* default receive buffer per connection (256 KiB) */
    /* The receive buffer the window scale is chosen to cover when larger
     * than the connection's own (Linux: tcp_rmem's maximum, which its
     * autotuning may grow to); 0: the buffer itself. A socket whose
     * SO_RCVBUF is set uses its buffer (0). Above rcvbuf, a connection
     * without SO_RCVBUF grows its buffer up to this while the window, not
     * the application, limits the peer (doubling each time the peer
     * reaches the right edge with less than a quarter unread, once a
     * buffer's worth was delivered in order), and its out-of-order
     * interval limit to one per eight segments of it. Worst case:
     * max_conns x rcvbuf plus rcvbuf_auto_mem. */
    uint32_t rcvbuf_max;
    /* What autotuning may add to receive buffers, all connections together
     * (64 MiB; Linux bounds its buffers stack-wide by tcp_mem): a peer that
     * drives every connection to rcvbuf_max gets no more than this past
     * max_conns x rcvbuf; growth past it is refused and counted. */
    uint32_t rcvbuf_auto_mem;
    uint32_t buf_max;         /* cap for SO_SNDBUF/SO_RCVBUF (16 MiB) */
    uint8_t ooo_max;          /* out-of-order intervals held per connection (64) */

    uint64_t msl;             /* maximum segment lifetime (120 s; TIME-WAIT = 2*MSL) */
    uint64_t rto_initial;     /* RFC 6298 2.1 (1 s) */
    uint64_t rto_min;         /* RFC 6298 2.4 (1 s) */
    uint64_t rto_max;         /* RFC 6298 2.5, at least 60 s (60 s) */
    uint64_t rto_syn_lost;    /* RFC 6298 5.7: RTO after a lost SYN (3 s) */
    uint32_t r1;              /* retransmissions before soft-error advice (3; SHLD-10) */
    uint64_t r2;              /* give up on data after this long (100 s; SHLD-11) */
    uint64_t r2_syn;          /* give up on a SYN after this long (180 s; MUST-23) */
    uint64_t delack;          /* delayed ACK timeout (200 ms; MUST-40: < 500 ms) */
    uint64_t persist_max;     /* cap on the zero-window probe interval (60 s) */
    uint64_t fin_wait_2;      /* orphaned FIN-WAIT-2 lifetime (60 s) */
    uint64_t keepalive_idle;  /* default TCP_KEEPIDLE (2 h; MUST-28) */
    uint64_t keepalive_intvl; /* default TCP_KEEPINTVL (75 s) */
    uint32_t keepalive_cnt;   /* default TCP_KEEPCNT (9; MUST-29) */
    uint32_t challenge_ack_limit; /* challenge ACKs per second, stack-wide (1000; RFC 5961 7) */
    uint32_t icmp_error_limit;    /* ICMP errors sent per second (100) */
    uint32_t rst_limit;           /* RSTs per second answering segments of no connection,
                                   * stack-wide (200; 0: none, UINT32_MAX: no limit) */
    uint64_t pmtu_expires;        /* a path MTU ICMP lowered goes back to the link's after
                                   * this (600 s: RFC 1191 6.3's 10 minutes, Linux's
                                   * mtu_expires) */
    uint8_t mtu_probing;          /* 1: RFC 4821 black-hole detection on new sockets
                                   * (0; SYNACK_TCP_MTU_PROBING per socket) */
    uint8_t icmp_hard_abort;      /* 1: Destination Unreachable 2 and 3 abort a synchronized
                                   * connection too (SHLD-26). 0 (default): they are soft
                                   * errors there, as in Linux and FreeBSD (RFC 5927 5.2);
                                   * they abort in SYN-SENT and SYN-RECEIVED either way.
                                   * Per socket: SYNACK_TCP_ICMP_HARD_ABORT (socket.h) */
    uint16_t ephemeral_lo, ephemeral_hi; /* RFC 6056 range (49152..65535) */
    uint32_t reasm_max;       /* datagrams reassembled at once (64; 0: fragments dropped) */
    uint32_t reasm_mem_max;   /* octets of fragment buffers, all datagrams (1 MiB) */
    uint32_t reasm_dgram_max; /* longest datagram reassembled, EMTU_R (65535; >= 576) */
    uint64_t reasm_timeout;   /* from the first fragment (60 s; RFC 1122 3.3.2: 60-120 s) */

    /* TCP extensions: each is negotiated per connection and can be switched
     * per socket (<synack/socket.h>). Defaults are Linux's; each knob is
     * named after the Linux sysctl net.ipv4.tcp_<name> it mirrors. */
    uint8_t window_scaling;   /* RFC 7323 2: offer window scaling (1) */
    uint8_t timestamps;       /* RFC 7323 3: offer timestamps (1); TSval is a 1 ms clock
                               * plus a per-connection random offset (RFC 7323 7.1),
                               * with 2 the clock alone (Linux's tcp_timestamps 2) */
    uint8_t sack;             /* RFC 2018: offer SACK-permitted (1) */
    uint8_t dsack;            /* RFC 2883: report duplicate segments in SACK (1) */
    uint8_t ecn;              /* RFC 3168: 0 off, 1 ask and accept, 2 accept only (2) */
    uint16_t fastopen;        /* RFC 7413, Linux's bits: 1 client, 2 server,
                               * 0x200 server without a cookie (1) */
    uint8_t recovery;         /* loss recovery, enum synack_recovery (RACK-TLP) */
    uint8_t congestion;       /* congestion control, enum synack_congestion (NewReno;
                               * Linux's tcp_congestion_control, a name there) */
};

/* Congestion control of a connection (config.congestion; per socket the
 * Linux way, TCP_CONGESTION with the name: "reno", "cubic" or "bbr"). */
enum synack_congestion {
    SYNACK_CONGESTION_NEWRENO = 0, /* RFC 5681 with RFC 6582 ("reno") */
    SYNACK_CONGESTION_CUBIC = 1,   /* RFC 9438 ("cubic") */
    SYNACK_CONGESTION_BBR = 2,     /* model-based, draft-ietf-ccwg-bbr ("bbr"); needs SACK */
};

/* Loss detection and recovery of a connection (config.recovery and the
 * socket option SYNACK_TCP_RECOVERY). Without SACK every choice is NewReno. */
enum synack_recovery {
    SYNACK_RECOVERY_NEWRENO = 0, /* RFC 5681 3.2 with RFC 6582: duplicate ACKs */
    SYNACK_RECOVERY_SACK = 1,    /* RFC 6675: the SACK scoreboard, DupThresh */
    SYNACK_RECOVERY_RACK = 2,    /* RFC 8985 RACK-TLP: time-based, tail loss probes */
};

void synack_config_default(struct synack_config *cfg);
/* Whether the stack can run with cfg: NULL, or the knobs at fault and the
 * bound they break ("rto_initial: outside rto_min..rto_max ..."). Every time
 * has an upper bound (MSL 1 hour, RTO_MAX 1 hour, R2 1 day, keep-alive
 * 32767 s, ...) and every buffer one of 1 GiB, so no timer or window
 * computation can wrap. synack_stack_new refuses the same with -EINVAL. */
const char *synack_config_check(const struct synack_config *cfg);

/* Counters: one per drop reason and per limit reached. The X-macro lets
 * callers iterate over names and descriptions. */
#define SYNACK_COUNTERS(X)                                                                \
    X(ip_in, "IP datagrams received (IPv4 and IPv6)")                                     \
    X(ip_out, "IP datagrams sent (IPv4 and IPv6)")                                        \
    X(ip6_in, "IPv6 packets received (of ip_in; without addr6 they are malformed IPv4)")  \
    X(ip6_out, "IPv6 packets sent (of ip_out)")                                           \
    X(ip6_drop_ext, "IPv6 packets dropped: an extension header or option asks it (RFC 8200 4)") \
    X(ip_drop_malformed, "datagrams dropped: malformed IPv4 header")                      \
    X(ip_drop_checksum, "datagrams dropped: bad IPv4 header checksum")                    \
    X(ip_drop_bad_option, "datagrams dropped: malformed IPv4 option (RFC 791 3.1)")       \
    X(ip_drop_not_ours, "datagrams dropped: not addressed to us (RFC 1122 3.2.1.3)")      \
    X(ip_drop_bad_src, "datagrams dropped: invalid source address (MUST-63)")             \
    X(ip_drop_fragment, "fragments dropped: reassembly off (reasm_max 0)")                 \
    X(ip_frag_in, "fragments received for reassembly (RFC 791 3.2)")                      \
    X(ip_reasm_ok, "datagrams reassembled (RFC 1122 3.3.2)")                              \
    X(ip_reasm_dup, "duplicate fragments dropped, their datagram kept (RFC 8200 4.5)")    \
    X(ip_reasm_drop_malformed, "fragments dropped: empty, or not 8-octet units before the last") \
    X(ip_reasm_drop_overlap, "datagrams dropped: overlapping fragments (RFC 5722 rule)")  \
    X(ip_reasm_drop_oversize, "datagrams dropped: longer than 65535 octets")              \
    X(ip_reasm_drop_too_big, "datagrams dropped: longer than reasm_dgram_max (EMTU_R)")   \
    X(ip_reasm_drop_tiny, "datagrams dropped: tiny first fragment (RFC 1858, RFC 3128)")  \
    X(ip_reasm_drop_inconsistent, "datagrams dropped: fragments disagree on the end")     \
    X(ip_reasm_drop_scattered, "datagrams dropped: more disjoint pieces than held")       \
    X(ip_reasm_drop_nomem, "datagrams dropped: no room within reasm_mem_max")             \
    X(ip_reasm_drop_dead, "fragments of a dropped datagram discarded (RFC 5722 4)")       \
    X(ip_reasm_evicted, "datagrams given up, the oldest first, to make room")             \
    X(ip_reasm_timeout, "datagrams given up: reassembly timeout (RFC 1122 3.3.2)")        \
    X(ip_drop_proto, "datagrams dropped: protocol not supported")                         \
    X(link_drop, "datagrams the link refused to send")                                    \
    X(icmp_in, "ICMP messages received")                                                  \
    X(icmp_drop_malformed, "ICMP messages dropped: malformed")                            \
    X(icmp_echo_replied, "ICMP echo requests answered")                                   \
    X(icmp_errors_sent, "ICMP error messages sent")                                       \
    X(icmp_errors_ratelimited, "ICMP error messages not sent: rate limit")                \
    X(icmp_to_tcp, "ICMP errors handed to a TCP connection (MUST-54)")                    \
    X(icmp_drop_no_conn, "ICMP errors naming no connection of ours")                      \
    X(icmp_drop_bad_seq, "ICMP errors with a sequence number outside SND.UNA..SND.NXT")   \
    X(icmp_source_quench, "ICMP source quench silently discarded (MUST-55)")              \
    X(icmp_soft_errors, "ICMP soft errors reported to the application (SHLD-25)")         \
    X(icmp_hard_aborts, "connections aborted by an ICMP hard error (SHLD-26)")            \
    X(icmp_hard_as_soft, "ICMP hard errors (unreachable 2, 3) kept soft: synchronized (RFC 5927 5.2)") \
    X(icmp_pmtu_lowered, "ICMP fragmentation needed that lowered a path MTU (RFC 1191)")   \
    X(icmp_pmtu_ignored, "ICMP fragmentation needed ignored: MTU implausible (RFC 1191 3)") \
    X(icmp_pmtu_off, "ICMP fragmentation needed ignored: IP_PMTUDISC_DONT or _PROBE")      \
    X(tcp_pmtu_raised, "path MTUs back to the link's after pmtu_expires (RFC 1191 6.3)") \
    X(tcp_pmtu_blackhole, "path MTUs lowered by black-hole detection (RFC 4821 7.7)")     \
    X(tcp_pmtu_cached, "path MTUs taken from the destination's cache (RFC 1191 6.2)")     \
    X(tcp_in, "TCP segments received")                                                    \
    X(tcp_out, "TCP segments sent")                                                       \
    X(tcp_drop_malformed, "segments dropped: malformed TCP header")                       \
    X(tcp_drop_checksum, "segments dropped: bad TCP checksum (MUST-3)")                   \
    X(tcp_drop_bad_option, "segments dropped: illegal option length (MUST-7)")            \
    X(tcp_drop_bcast, "segments dropped: to or from a broadcast or multicast address")    \
    X(tcp_rst_sent, "RST segments sent")                                                  \
    X(tcp_rst_unsent, "RSTs of an ABORT not sent: the connection had sent nothing yet")  \
    X(tcp_rst_closed_port, "RSTs sent for segments to a closed port (3.10.7.1)")          \
    X(tcp_rst_ratelimited, "RSTs for segments of no connection not sent: rst_limit")      \
    X(tcp_drop_rst_no_conn, "RSTs for no connection, dropped (3.10.7.1)")                 \
    X(tcp_listen_drop_rst, "RSTs to a listener, ignored (3.10.7.2)")                      \
    X(tcp_listen_drop_other, "segments to a listener without SYN or ACK, dropped")        \
    X(tcp_listen_syn, "SYNs to a listener: each answered, or dropped and counted below")  \
    X(tcp_listen_overflow, "SYNs or handshake ACKs dropped: accept queue full")           \
    X(tcp_syncache_added, "half-open connections entered in the SYN cache")               \
    X(tcp_syncache_evicted, "SYN cache entries evicted for a newer SYN (syncookies 0)")    \
    X(tcp_syncache_dropped, "SYNs dropped: SYN cache full (cookies off, or a reopening)")   \
    X(tcp_syncache_completed, "handshakes completed from the SYN cache")                  \
    X(tcp_syncache_timeout, "SYN cache entries given up after R2 (no ACK)")               \
    X(tcp_syn_text_dropped, "SYN text not kept: no room for a TCB (the peer resends it)") \
    X(tcp_syncookies_sent, "SYN-ACKs carrying a SYN cookie (RFC 4987 3.6)")               \
    X(tcp_syncookies_ok, "connections completed by a valid SYN cookie")                   \
    X(tcp_syncookies_bad, "ACKs to a listener with a forged or stale cookie (RST sent)")   \
    X(tcp_conn_limit, "connections refused: max_conns reached")                           \
    X(tcp_nomem, "TCP state not allocated: no memory (the call failed with ENOMEM)")       \
    X(tcp_syn_sent_bad_ack, "SYN-SENT: unacceptable ACK")                                 \
    X(tcp_syn_sent_drop, "SYN-SENT: segments without SYN or RST, or RST without ACK")     \
    X(tcp_unacceptable, "segments failing the acceptability test (3.10.7.4 first)")       \
    X(tcp_rst_out_of_window, "RSTs outside the window, dropped (RFC 5961 3.2)")           \
    X(tcp_challenge_ack_rst, "challenge ACKs for an in-window RST (RFC 5961 3.2)")        \
    X(tcp_challenge_ack_syn, "challenge ACKs for a SYN (RFC 5961 4.2)")                   \
    X(tcp_challenge_ack_ack, "ACKs for an unacceptable ACK (RFC 5961 5.2)")               \
    X(tcp_challenge_ack_limited, "challenge ACKs not sent: rate limit (RFC 5961 7)")      \
    X(tcp_drop_no_ack, "segments without ACK in a synchronized state, dropped")           \
    X(tcp_ack_too_new, "ACKs for data not yet sent")                                      \
    X(tcp_syn_rcvd_bad_ack, "SYN-RECEIVED: unacceptable ACK answered with RST")           \
    X(tcp_back_to_listen, "SYN-RECEIVED connections returned to LISTEN (MUST-11)")        \
    X(tcp_conn_reset, "connections reset by the peer")                                    \
    X(tcp_conn_refused, "connections refused by the peer")                                \
    X(tcp_conn_established, "connections established")                                    \
    X(tcp_conn_timeout, "connections given up after R2 (MUST-20)")                        \
    X(tcp_r1_reached, "retransmissions reaching R1 (SHLD-9)")                             \
    X(tcp_mss_zero, "MSS options of 0 ignored (default 536 used)")                        \
    X(tcp_wscale_clamped, "window scale options above 14 taken as 14 (RFC 7323 2.3)")     \
    X(tcp_ts_missing, "segments without timestamps on a timestamp connection, dropped (RFC 7323 3.2)") \
    X(tcp_paws_drop, "segments failing PAWS, dropped and acknowledged (RFC 7323 5.3)")    \
    X(tcp_ooo_segments, "out-of-order segments held (SHLD-31)")                           \
    X(tcp_ooo_drop_full, "out-of-order segments dropped: interval set full")              \
    X(tcp_rcvbuf_grown, "receive buffers doubled: the window limited the peer (no SO_RCVBUF)") \
    X(tcp_rcvbuf_grow_refused, "receive buffers not doubled: rcvbuf_auto_mem spent")       \
    X(tcp_data_after_close, "data for a closed application (RST sent, SHLD-3)")           \
    X(tcp_retransmits, "segments retransmitted on timeout")                               \
    X(tcp_fast_retransmits, "segments retransmitted by fast retransmit")                  \
    X(tcp_dupacks, "duplicate ACKs received")                                             \
    X(tcp_dupacks_not_credited, "duplicate ACKs in fast recovery beyond the segments outstanding: cwnd not inflated (RFC 5681 5)") \
    X(tcp_dsack_rcvd, "D-SACK blocks received (RFC 2883)")                                \
    X(tcp_sack_bad_block, "SACK blocks outside SND.UNA..SND.NXT, ignored (RFC 2018 3)")   \
    X(tcp_recoveries, "loss recoveries entered from the SACK scoreboard (RFC 6675, RFC 8985)") \
    X(tcp_tlp_probes, "tail loss probes sent (RFC 8985 7)")                               \
    X(tcp_tlp_recoveries, "tail losses repaired by a probe (RFC 8985 7.4)")               \
    X(tcp_txmap_full, "new segments held back: the scoreboard's bound reached")           \
    X(tcp_ecn_ce_rcvd, "segments received with CE (RFC 3168)")                             \
    X(tcp_ecn_reductions, "cwnd reductions for ECE (RFC 3168 6.1.2)")                     \
    X(tcp_tfo_accepted, "SYNs whose data a Fast Open listener took (RFC 7413)")          \
    X(tcp_tfo_cookie_bad, "Fast Open SYNs with data and no valid cookie: data not taken")  \
    X(tcp_tfo_overflow, "Fast Open SYNs beyond the listener's TCP_FASTOPEN queue")        \
    X(tcp_tfo_syn_data_refused, "our SYN's data not acknowledged: sent again (RFC 7413 4.2.1)") \
    X(tcp_dsack_sent, "duplicates reported in a D-SACK block (RFC 2883)")                \
    X(tcp_dupacks_sent, "duplicate ACKs sent for zero-length segments past a hole (RFC 5681 4.2)") \
    X(tcp_window_probes, "zero-window probes sent")                                       \
    X(tcp_keepalive_probes, "keep-alive probes sent")                                     \
    X(tcp_delayed_acks, "ACKs sent by the delayed-ACK timer")                             \
    X(tcp_timewait_expired, "TIME-WAIT connections closed after 2*MSL")                   \
    X(tcp_timewait_evicted, "TIME-WAIT records ended early: timewait_max reached")         \
    X(tcp_timewait_reopened, "TIME-WAIT connections reopened by a new SYN (MAY-2)")        \
    X(tcp_orphan_limit, "connections reset at close: orphan_max reached")                 \
    X(tcp_fin_wait_2_timeout, "orphaned FIN-WAIT-2 connections closed")

struct synack_counters {
#define SYNACK_COUNTER_FIELD(name, desc) uint64_t name;
    SYNACK_COUNTERS(SYNACK_COUNTER_FIELD)
#undef SYNACK_COUNTER_FIELD
};

/* Name and description of counter i (0 .. synack_counter_count()-1), and
 * its value in c; NULL/0 past the end. */
size_t synack_counter_count(void);
const char *synack_counter_name(size_t i);
const char *synack_counter_desc(size_t i);
uint64_t synack_counter_value(const struct synack_counters *c, size_t i);

/* Create a stack. Returns NULL and sets *err (negative errno: -EINVAL for a
 * bad configuration, -ENOMEM) when it cannot. */
struct synack_stack *synack_stack_new(const struct synack_config *cfg,
                                      const struct synack_link *link, int *err);
void synack_stack_free(struct synack_stack *s);
/* Make s what synack_stack_new(cfg, link) would return, keeping the memory
 * that fits: every socket, connection, timer and counter goes, and the
 * RNG starts again from cfg's seed, so the same calls then give the same
 * packets (fuzz targets reset one stack per input instead of building
 * one). 0, -EINVAL for a bad configuration (s unchanged), or -ENOMEM,
 * after which s may only be freed. */
int synack_stack_reset(struct synack_stack *s, const struct synack_config *cfg,
                       const struct synack_link *link);

/* One inbound IPv4 datagram. The stack answers through the link before
 * returning (or at synack_stack_batch_end when a batch is open). */
void synack_stack_input(struct synack_stack *s, const uint8_t *pkt, size_t len, uint64_t now);
/* The same, with what the link knows of it (SYNACK_INPUT_*). */
void synack_stack_input_flags(struct synack_stack *s, const uint8_t *pkt, size_t len,
                              unsigned flags, uint64_t now);
/* The TCP checksum needs no check: the link verified it, or nothing on the
 * way can have changed the datagram (a memory link that cannot corrupt, a
 * TUN device handing over the kernel's own segment), as Linux's
 * CHECKSUM_UNNECESSARY. Never for a link that may corrupt. */
#define SYNACK_INPUT_CSUM_OK 0x1u

/* Process several datagrams before sending any ACK (MUST-58, MUST-59):
 * batch_begin, input..., batch_end, all with the same `now`: a batch is
 * the datagrams that arrived together. What it holds back is sent at
 * batch_end; end it before time moves on (a poll or an input at a later
 * `now`), or its answers leave late. */
void synack_stack_batch_begin(struct synack_stack *s);
void synack_stack_batch_end(struct synack_stack *s, uint64_t now);

/* Run the timers that are due at `now` and send what they produce. */
void synack_stack_poll(struct synack_stack *s, uint64_t now);

/* The earliest time at which synack_stack_poll has work, or SYNACK_TIME_NEVER. */
uint64_t synack_stack_deadline(const struct synack_stack *s);
/* The earliest deadline of a timer that sends a segment when it expires
 * (retransmission, zero-window probe, delayed ACK, keep-alive), or
 * SYNACK_TIME_NEVER: the others (TIME-WAIT, the FIN-WAIT-2 limit) end
 * connections silently. A caller waiting for the stack to send knows from
 * it when nothing will come. */
uint64_t synack_stack_deadline_output(const struct synack_stack *s);

const struct synack_counters *synack_stack_counters(const struct synack_stack *s);
const struct synack_config *synack_stack_config(const struct synack_stack *s);

#ifdef __cplusplus
}
#endif
#endif

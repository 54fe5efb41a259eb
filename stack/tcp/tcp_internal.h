/* Functions shared by the files of stack/tcp; not for the layers above. */
#ifndef SYNACK_TCP_INTERNAL_H
#define SYNACK_TCP_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "tcp/tcp.h"
#include "tcp/tcp_seq.h"

/* A received segment, as SEGMENT ARRIVES sees it (RFC 9293 3.10.7). */
struct tcp_seg {
    struct synack_addr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint32_t data_seq;     /* sequence number of the first octet of text */
    uint32_t wnd;          /* SEG.WND, already scaled */
    uint16_t up;
    uint8_t flags;
    const uint8_t *data;
    uint32_t datalen;      /* octets of text */
    uint32_t len;          /* SEG.LEN: text plus SYN plus FIN */
    const struct synack_tcp_opts *opts;
    uint8_t ecn;           /* the IP ECN field: 3 is CE (RFC 3168 5) */
};

#define SEG_HAS(seg, f) (((seg)->flags & (f)) != 0)
#define TCP_MAX_WIN 65535u /* the window field (before RFC 7323 scaling) */

/* A connection's 4-tuple, from our side. */
struct tcp_tuple {
    struct synack_addr laddr, raddr;
    uint16_t lport, rport;
};

/* What a passive child starts from: its SYN, and the ISS chosen for it. */
struct tcp_passive {
    struct tcp_tuple tu;
    uint32_t irs, iss;
    uint16_t peer_wnd;
    struct tcp_syn_opts opts;
};

/* ---- connection table: tcp_table.c ---- */
struct tcb *tcb_alloc(struct tcp_ctx *t, const struct tcp_open_params *p, int *err);
void tcb_free(struct tcp_ctx *t, struct tcb *tcb);
/* What autotuning added to tcb's receive buffer, charged to
 * rcvbuf_auto_mem: without SO_RCVBUF (TF_RCVBUF_AUTO) the buffer starts at
 * config.rcvbuf and only tcp_rcvbuf_grow raises it (the TCB has no room
 * for a count of its own: test_a_listeners_part_is_its_own). */
static inline uint32_t tcp_rcvbuf_grown(const struct tcp_ctx *t, const struct tcb *tcb)
{
    return (tcb->flags & TF_RCVBUF_AUTO) && tcb->rb.cap > t->cfg->rcvbuf
               ? tcb->rb.cap - t->cfg->rcvbuf
               : 0;
}

/* Give it back (the TCB freed, or sized by SO_RCVBUF: before the flag goes). */
static inline void tcp_rcvbuf_uncharge(struct tcp_ctx *t, struct tcb *tcb)
{
    t->rcvbuf_auto_used -= tcp_rcvbuf_grown(t, tcb);
}
/* Nobody will hold tcb again: it finishes on its own (counted in n_orphans). */
void tcb_orphan(struct tcp_ctx *t, struct tcb *tcb);
void tcb_hash_insert(struct tcp_ctx *t, struct tcb *tcb);
void tcb_hash_remove(struct tcp_ctx *t, struct tcb *tcb);
struct tcb *tcb_lookup(struct tcp_ctx *t, const struct tcp_tuple *tu);
/* The listener a segment to (laddr, lport) belongs to: bound to laddr, or
 * to the wildcard of its family, or to :: without IPV6_V6ONLY. */
struct tcb *tcb_lookup_listener(const struct tcp_ctx *t, const struct synack_addr *laddr,
                                uint16_t lport);
/* The state of the connection with this 4-tuple, wherever it is kept
 * (a TCB, the SYN cache); CLOSED when there is none. */
enum synack_state tcp_tuple_state(struct tcp_ctx *t, const struct tcp_tuple *tu);
/* A listener joins the listener hash (tcb_closed and tcb_free take it out). */
void tcb_listen_insert(struct tcp_ctx *t, struct tcb *l);
/* One more (or one fewer) TCB or TIME-WAIT record on local port lport. */
bool tcp_port_ref(struct tcp_ctx *t, uint16_t lport);
void tcp_port_unref(struct tcp_ctx *t, uint16_t lport);
/* The keyed hash of a 4-tuple (before masking). */
uint32_t tcp_tuple_hash(const struct tcp_ctx *t, const struct tcp_tuple *tu);
/* Enter CLOSED: out of the table, timers off; freed unless a socket holds it. */
void tcb_closed(struct tcp_ctx *t, struct tcb *tcb);
/* Set state, with the bookkeeping some transitions need. */
void tcb_set_state(struct tcp_ctx *t, struct tcb *tcb, enum synack_state st);
/* Report a fatal error to the user and enter CLOSED (ECONNRESET, ...). */
void tcb_drop(struct tcp_ctx *t, struct tcb *tcb, int err);
/* A new passive child of l, half-open (on l's embryo list). */
void tcb_child_add(struct tcb *l, struct tcb *c);
/* A passive child reached ESTABLISHED: move it to its listener's queue. */
void tcb_child_established(struct tcp_ctx *t, struct tcb *tcb);
/* A watched TCB's readiness may have changed (a segment, a timer, an ICMP
 * error for it): onto the touched list, once. Off it when freed. */
void tcb_touch(struct tcp_ctx *t, struct tcb *tcb);
void tcb_untouch(struct tcb *tcb);

/* ---- ISN and ports: tcp_isn.c ---- */
uint32_t tcp_isn(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint64_t now);
/* Two addresses as words of a keyed hash's input: an IPv4 pair as 2 words
 * (the key IPv4 always had), any other pair as 8. Returns the words
 * written at k. */
size_t tcp_addr_words(const struct synack_addr *x, const struct synack_addr *y, uint32_t k[8]);
static inline bool tcp_addr_eq(const struct synack_addr *x, const struct synack_addr *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}
static inline bool tcp_tuple_eq(const struct tcp_tuple *x, const struct tcp_tuple *y)
{
    return x->lport == y->lport && x->rport == y->rport && tcp_addr_eq(&x->laddr, &y->laddr) &&
           tcp_addr_eq(&x->raddr, &y->raddr);
}

/* ---- SYN cookies: tcp_syncookie.c (RFC 4987 3.6) ---- */
/* The ISS for a SYN answered without state; false when the peer's MSS is
 * too small for one. */
bool tcp_syncookie_make(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint32_t irs,
                        uint16_t peer_mss, uint64_t now, uint32_t *cookie);
/* Is cookie (SEG.ACK - 1) ours for this tuple and IRS (SEG.SEQ - 1), and
 * recent? Then *mss is the MSS it carries. */
bool tcp_syncookie_check(const struct tcp_ctx *t, const struct tcp_tuple *tu, uint32_t irs,
                         uint32_t cookie, uint64_t now, uint16_t *mss);
/* A cookie SYN-ACK's options: WS, SACK-permitted and ECN kept in the
 * TSval's low bits (true), or, without timestamps, not offered (false). */
bool tcp_syncookie_opts(const struct tcp_syn_opts *peer, bool ecn, struct synack_tcp_opts *o);
/* The peer's WS and SACK-permitted back from the TSecr of a cookie's ACK. */
void tcp_syncookie_ack_opts(const struct tcp_ctx *t, const struct tcp_tuple *tu,
                            const struct tcp_seg *seg, struct tcp_syn_opts *o, uint64_t now);

/* ---- the SYN cache: tcp_syncache.c ---- */
/* The hash for cfg's syncache_max (an empty one of that size is kept). */
int syncache_init(struct tcp_ctx *t);
/* Every half-open connection goes; the hash stays. */
void syncache_clear(struct tcp_ctx *t);
void syncache_destroy(struct tcp_ctx *t);
struct syn_entry *syncache_lookup(const struct tcp_ctx *t, const struct tcp_tuple *tu);
/* LISTEN, a SYN (3.10.7.2 third): an entry and a SYN-ACK, or a cookie.
 * must_keep: an entry even when the cache is full (MAY-2's ISS floor). */
void syncache_syn(struct tcp_ctx *t, struct tcb *l, const struct tcp_seg *seg,
                  const struct tcp_passive *po, bool must_keep, uint64_t now);
/* SEGMENT ARRIVES for an entry (SYN-RECEIVED). */
void syncache_input(struct tcp_ctx *t, struct syn_entry *e, struct tcp_seg *seg, uint64_t now);
/* LISTEN, an ACK: true when it was a good cookie and made the connection. */
bool syncache_cookie_ack(struct tcp_ctx *t, struct tcb *l, struct tcp_seg *seg, uint64_t now);
/* A listener closes: its half-open connections go with it. */
void syncache_listener_gone(struct tcp_ctx *t, struct tcb *l);
void syncache_poll(struct tcp_ctx *t, uint64_t now);
uint64_t syncache_deadline(const struct tcp_ctx *t);

/* ---- TIME-WAIT records: tcp_timewait.c ---- */
/* The hash for cfg's timewait_max (an empty one of that size is kept). */
int timewait_init(struct tcp_ctx *t);
/* Every record goes; the hash stays. */
void timewait_clear(struct tcp_ctx *t);
void timewait_destroy(struct tcp_ctx *t);
struct tw_entry *timewait_lookup(const struct tcp_ctx *t, const struct tcp_tuple *tu);
/* A TCB in TIME-WAIT that nobody holds becomes a record and is freed;
 * false (the TCB stays) when there is no memory for one. */
bool timewait_from_tcb(struct tcp_ctx *t, struct tcb *tcb);
/* SEGMENT ARRIVES in TIME-WAIT for a record (3.10.7.4). */
void timewait_input(struct tcp_ctx *t, struct tw_entry *tw, struct tcp_seg *seg, uint64_t now);
/* The record's end (MAY-2: a new SYN reopens the connection). */
void timewait_remove(struct tcp_ctx *t, struct tw_entry *tw);
void timewait_poll(struct tcp_ctx *t, uint64_t now);
uint64_t timewait_deadline(const struct tcp_ctx *t);

/* ---- input: tcp_input.c, tcp_input_sync.c ---- */
/* The acceptability test of 3.10.7.4 first (Table 6). */
bool tcp_seq_acceptable(uint32_t seq, uint32_t len, uint32_t rcv_nxt, uint32_t wnd);
/* A passive child of l in SYN-RECEIVED, in the table, nothing sent yet. */
struct tcb *tcp_passive_child(struct tcp_ctx *t, struct tcb *l, const struct tcp_passive *po,
                              uint64_t now);
void tcp_input_synchronized(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                            uint64_t now);
/* Steps six to eight of 3.10.7.4 (URG, text, FIN), also used from SYN-SENT. */
void tcp_input_text_and_fin(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg,
                            uint64_t now);
/* Entering ESTABLISHED (from SYN-SENT or SYN-RECEIVED). */
void tcp_established(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Text (and a FIN) that came with a SYN, held until ESTABLISHED (3.10.7.2). */
void tcp_hold_syn_text(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg);
/* ---- options: tcp_opts.c ---- */
/* Before our first SYN: the MSS and window shift to announce, the TS clock. */
void tcp_syn_prepare(const struct tcp_ctx *t, struct tcb *tcb);
/* Options of a SYN: read them (MSS 0 counted as absent); apply them to a
 * TCB: the send MSS (3.7.1) and what both SYNs settle; or both. */
void tcp_syn_opts_take(struct tcp_ctx *t, const struct tcp_seg *seg, struct tcp_syn_opts *o);
void tcp_syn_opts_apply(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_syn_opts *o,
                        uint64_t now);
void tcp_syn_options(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                     uint64_t now);
/* The options of a segment we send with these flags (o zeroed first). */
void tcp_opts_fill(const struct tcp_ctx *t, const struct tcb *tcb, uint8_t flags,
                   struct synack_tcp_opts *o, uint64_t now);
/* The SYN-ACK (or ACK) options of a SYN cache entry of listener l. */
void tcp_syn_ack_opts(const struct tcp_ctx *t, const struct tcb *l, const struct tcp_tuple *tu,
                      const struct tcp_syn_opts *peer, uint8_t flags, struct synack_tcp_opts *o,
                      uint64_t now);
/* Text a data segment sent now may carry: the MSS less SACK blocks. */
uint32_t tcp_seg_room(const struct tcb *tcb);
/* ---- SACK as a receiver: tcp_sack.c (RFC 2018 4, RFC 2883) ---- */
/* Out-of-order text [start, end) was held: its block goes first. */
void tcp_sack_note(struct tcb *tcb, uint32_t start, uint32_t end);
/* A duplicate [start, end) arrived: the next ACK reports it (D-SACK). */
void tcp_sack_dup(struct tcp_ctx *t, struct tcb *tcb, uint32_t start, uint32_t end);
/* The part of [start, end) already held out of order, as a D-SACK. */
void tcp_sack_ooo_dup(struct tcp_ctx *t, struct tcb *tcb, uint32_t start, uint32_t end);
/* The blocks of an ACK into o (after its timestamps). */
void tcp_sack_fill(const struct tcb *tcb, struct synack_tcp_opts *o);
/* Octets the SACK option of the next ACK takes. */
uint32_t tcp_sack_optlen(const struct tcb *tcb);
/* RFC 3168 6.1.1: the ECE and CWR of our SYN or SYN-ACK; of a SYN cache
 * entry's SYN-ACK. */
uint8_t tcp_syn_ecn_flags(const struct tcb *tcb);
uint8_t tcp_syn_ack_ecn_flags(const struct tcb *l, const struct tcp_syn_opts *peer);
/* ---- Fast Open: tcp_fastopen.c (RFC 7413) ---- */
/* The cookie a listener's SYN-ACK gives a SYN that asked (4.1.2). */
void tcp_tfo_syn_ack_opt(const struct tcp_ctx *t, const struct tcb *l,
                         const struct tcp_tuple *tu, const struct tcp_syn_opts *peer,
                         struct synack_tcp_opts *o);
/* A SYN with data and a valid cookie: a connection that has taken it. */
bool tcp_tfo_server_syn(struct tcp_ctx *t, struct tcb *l, const struct tcp_seg *seg,
                        const struct tcp_passive *po, uint64_t now);
/* Did this SYN ask a Fast Open listener for Fast Open? */
bool tcp_tfo_listener_asked(const struct tcb *l, const struct tcp_syn_opts *peer);
/* A Fast Open child leaves SYN-RECEIVED: its listener's count goes down. */
void tcp_tfo_child_done(struct tcb *c);
/* connect() with TCP_FASTOPEN_CONNECT: does the SYN wait for data? */
void tcp_tfo_connect(struct tcp_ctx *t, struct tcb *tcb);
/* The octets of data our first SYN carries (and its cookie, in the TCB). */
uint32_t tcp_tfo_syn_data(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* A SYN-ACK arrived in SYN-SENT: its cookie, and the SYN's data taken or not. */
void tcp_tfo_syn_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg);
/* Octets of options every data segment carries (timestamps). */
uint32_t tcp_opts_overhead(const struct tcb *tcb);
/* Our TSval now (RFC 7323 5.4). */
uint32_t tcp_ts_now(const struct tcb *tcb, uint64_t now);
/* RFC 7323 3.2 and 5.3 R1 (PAWS): false when the segment is to be dropped. */
bool tcp_ts_check(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg, uint64_t now);
/* RFC 7323 5.3 R3: TS.Recent from an acceptable segment. */
void tcp_ts_update(struct tcb *tcb, const struct tcp_seg *seg, uint64_t now);
/* RFC 7323 4 (RTTM): an RTT sample from the TSecr of an ACK of new data. */
bool tcp_ts_rtt(const struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                uint32_t flight, uint64_t now);
/* RFC 6191: may this SYN reopen the TIME-WAIT connection tcb? */
/* What RFC 6191 needs of a connection in TIME-WAIT, a TCB's or a record's. */
struct tcp_tw_view {
    bool ts_on;
    uint32_t ts_recent, rcv_nxt, snd_nxt;
};
bool tcp_time_wait_syn_ok(const struct tcp_tw_view *v, const struct tcp_seg *seg);
/* Our TSval now for a connection whose offset is ts_offset. */
uint32_t tcp_ts_clock_at(uint32_t ts_offset, uint64_t now);
uint32_t tcp_ts_offset(const struct tcp_ctx *t, const struct tcp_tuple *tu);
/* RFC 9293 3.10.7.4 "fifth": the ACK field in ESTABLISHED and later states. */
bool tcp_process_ack(struct tcp_ctx *t, struct tcb *tcb, struct tcp_seg *seg, uint64_t now);

/* Output soon: at the end of the current entry point, or of the batch. */
void tcp_kick(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Remove and return the head of a listener's accept queue. */
struct tcb *tcb_acceptq_pop(struct tcb *listener);

/* ---- output: tcp_output.c ---- */
/* Mark a TCB as having output; sent at the end of the current entry. */
void tcp_output_later(struct tcp_ctx *t, struct tcb *tcb);
void tcp_flush(struct tcp_ctx *t, uint64_t now);
/* Send whatever the TCB may send now: SYN, data, FIN, ACK. */
void tcp_output(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> now. */
void tcp_send_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* A challenge ACK under the stack-wide rate limit (RFC 5961 7). */
void tcp_send_challenge_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Whether the rate limit lets one more challenge ACK go (and counts it). */
bool tcp_challenge_ack_allowed(struct tcp_ctx *t, uint64_t now);
/* A segment without text that belongs to no TCB: a RST, or what the SYN
 * cache and TIME-WAIT records send (SYN-ACK, ACK). */
struct tcp_bare {
    struct synack_addr src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t wnd;
    uint8_t tos, ttl;
    bool no_df;        /* IP_PMTUDISC_DONT: without DF */
    const struct synack_tcp_opts *opts;
};
void tcp_send_bare(struct tcp_ctx *t, const struct tcp_bare *b, uint64_t now);
/* RST in reply to seg, per 3.10.7.1: <SEQ=SEG.ACK><CTL=RST> or
 * <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. */
void tcp_send_rst_reply(struct tcp_ctx *t, const struct tcp_seg *seg, uint64_t now);
/* The same for a segment of no connection, under the rst_limit (a RST
 * segment is never answered: the caller has dropped it). */
bool tcp_send_rst_no_conn(struct tcp_ctx *t, const struct tcp_seg *seg, uint64_t now);
/* <SEQ=SND.NXT><CTL=RST> for an ABORT. */
void tcp_send_rst(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Retransmit the segment at SND.UNA (timeout or fast retransmit). */
void tcp_retransmit_first(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Retransmit scoreboard entry i; the first deemed lost and not yet sent
 * again; a tail loss probe's new segment (false if none could go). */
void tcp_sb_retransmit(struct tcp_ctx *t, struct tcb *tcb, uint32_t i, uint64_t now);
void tcp_sb_retransmit_first_lost(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
bool tcp_send_probe_segment(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The window to offer: the room, at most max, never left of the current
 * right edge (cur octets from RCV.NXT), moved by at least step (MUST-39). */
uint32_t tcp_window_to_offer(uint32_t space, uint32_t max, uint32_t cur, uint32_t step);
/* Window to announce now (receiver SWS avoidance, never shrinking). */
uint32_t tcp_rcv_window(const struct tcb *tcb);
/* Send one keep-alive or zero-window probe. */
void tcp_send_keepalive(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
void tcp_send_window_probe(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The peer's window opened: stop probing and forget the probe octet. */
void tcp_persist_end(struct tcp_ctx *t, struct tcb *tcb);
/* Data, or a FIN, queued beyond SND.NXT. */
bool tcp_output_waiting(const struct tcb *tcb);
/* Back off the probe interval and return it (SHLD-30). */
uint64_t tcp_persist_next(const struct tcp_ctx *t, struct tcb *tcb);
/* The peer shrank its window to zero over data in flight (3.8.6, SHLD-17). */
void tcp_window_closed(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The MSS we announce: MMS_R - 20 (MUST-67), at most TCP_MAXSEG. */
/* The MSS we announce: MMS_R - 20 (MUST-67), the link's MTU less 40, less
 * 60 over IPv6 (RFC 8200 8.3); TCP_MAXSEG lowers it. */
uint16_t tcp_our_mss(const struct tcp_ctx *t, uint16_t family, uint16_t user_mss);
/* Effective send MSS (MUST-16). */
void tcp_update_snd_mss(const struct tcp_ctx *t, struct tcb *tcb);
/* Path MTU (tcp_output.c): set it (0: the link's) with the effective MSS;
 * raise it again after pmtu_expires (RFC 1191 6.3); lower it after a
 * full-stop timeout when black-hole detection is on (RFC 4821 7.7). */
void tcp_pmtu_set(struct tcp_ctx *t, struct tcb *tcb, uint32_t mtu, uint64_t now);
void tcp_pmtu_age(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
void tcp_pmtu_blackhole(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* RFC 1191 6.2: the estimate ICMP gave for tcb's destination, for every
 * connection to it (those open now, lowered with it, and those to come);
 * and a new connection's start from it. */
void tcp_pmtu_learnt(struct tcp_ctx *t, struct tcb *tcb, uint32_t mtu, uint64_t now);
void tcp_pmtu_from_cache(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* The IP header a connection's segments go in, without options: 20
 * octets for IPv4, 40 for IPv6 (RFC 8200 3). */
static inline uint32_t tcp_ip_hlen(const struct tcb *tcb)
{
    return tcb->raddr.family == SYNACK_AF_INET6 ? 40u : 20u;
}
/* The send MSS when the peer's SYN names none: 536 (RFC 9293 3.7.1,
 * MUST-15), 1220 over IPv6 (RFC 8200 5's 1280 less 60). */
static inline uint16_t tcp_default_mss(const struct tcb *tcb)
{
    return tcb->raddr.family == SYNACK_AF_INET6 ? 1220u : 536u;
}
/* The least path MTU a connection takes: pmtu_min (RFC 1191 3), and
 * 1280 over IPv6 (RFC 8200 5, RFC 8201 4). */
static inline uint32_t tcp_pmtu_floor(const struct tcp_ctx *t, const struct tcb *tcb)
{
    return tcb->raddr.family == SYNACK_AF_INET6 ? 1280u : t->cfg->pmtu_min;
}
/* The path MTU a connection sends with: the link's until ICMP lowered it. */
static inline uint32_t tcp_path_mtu(const struct tcp_ctx *t, const struct tcb *tcb)
{
    return tcb->pmtu ? tcb->pmtu : t->cfg->mtu;
}
/* The sequence number that ends the data queued so far. */
static inline uint32_t tcp_data_end(const struct tcb *tcb) { return tcb->sb.seq + tcb->sb.len; }
static inline bool tcp_fin_acked(const struct tcb *tcb)
{
    return (tcb->flags & TF_FIN_QUEUED) && tcb->snd_una == tcp_data_end(tcb) + 1;
}

/* ---- timers: tcp_timer.c ---- */
/* A TCB's timers are deadlines in tcb->timer; its earliest is its key in
 * the context's timer heap, kept in step by every change through these. */
void timer_set(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w, uint64_t at);
void timer_stop(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w);
static inline bool timer_on(const struct tcb *tcb, enum tcp_timer w) { return tcb->timer[w] != TCP_TIMER_OFF; }
void timers_stop_all(struct tcp_ctx *t, struct tcb *tcb);
static inline struct tcb *tcb_of_tnode(struct heap_node *n)
{
    return (struct tcb *)(void *)((char *)n - offsetof(struct tcb, tnode));
}
uint64_t tcb_deadline(const struct tcb *tcb);
void tcp_timers_run(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Start TIME-WAIT: 2*MSL, all other timers off (3.10.7.4 eighth). */
void tcp_enter_time_wait(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* Restart the keep-alive idle timer when the peer is heard from. */
void tcp_keepalive_reset(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);

/* ---- RTT and RTO: tcp_rtt.c (RFC 6298) ---- */
void rtt_init(const struct tcp_ctx *t, struct tcb *tcb);
void rtt_sample(const struct tcp_ctx *t, struct tcb *tcb, uint64_t r);
/* One of n samples expected in this RTT (RFC 7323 Appendix G); n = 1 is rtt_sample. */
void rtt_sample_weighted(const struct tcp_ctx *t, struct tcb *tcb, uint64_t r, uint32_t n);
void rto_backoff(const struct tcp_ctx *t, struct tcb *tcb);
uint64_t rto_current(const struct tcp_ctx *t, const struct tcb *tcb);

/* ---- congestion control: tcp_cc.c (RFC 5681, RFC 6582, RFC 3042) ---- */
/* What a congestion control algorithm decides: how cwnd grows and how far
 * ssthresh falls. Loss detection, fast retransmit, NewReno recovery, the
 * timeout response and the initial and restart windows are generic
 * (tcp_cc.c), so CUBIC (RFC 9438) is one more table of these. */
/* What else an algorithm may want to hear of (tcp_cc_ops.event). */
enum tcp_cc_event {
    CC_EV_RTO,  /* the retransmission timer expired (RFC 5681 3.1) */
    CC_EV_IDLE, /* cwnd restarts after idle (RFC 5681 4.1) */
};
struct tcp_cc_ops {
    const char *name; /* Linux's name for it (TCP_CONGESTION) */
    uint8_t id;       /* enum synack_congestion */
    /* The connection is established; cwnd and ssthresh hold IW and "high". */
    void (*init)(struct tcb *tcb);
    /* ssthresh after a loss, given the FlightSize that counts (RFC 5681 eq. 4). */
    uint32_t (*ssthresh)(struct tcb *tcb, uint32_t flight);
    /* cwnd growth for acked new octets outside recovery (RFC 5681 3.1). */
    void (*cong_avoid)(struct tcb *tcb, uint32_t acked, uint64_t now);
    /* Optional: a timeout or a restart after idle, after the generic response. */
    void (*event)(struct tcb *tcb, enum tcp_cc_event ev);
    /* Optional, for a model-based algorithm that samples delivery rates
     * and paces (struct tcp_cc_ext; BBR): every ACK, in recovery too,
     * after loss detection; and the release of its state. */
    void (*on_ack)(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
    void (*release)(struct tcb *tcb);
    bool ext; /* keeps a struct tcp_cc_ext (tcp_cc_ext) */
    bool hystart; /* its initial slow start is RFC 9406's HyStart++ (tcp_cc.c) */
};
/* HyStart++ (RFC 9406): its state, in cc_priv during the initial slow
 * start only (ssthresh still "arbitrarily high"; RFC 9406 4.3), when the
 * algorithm keeps nothing there yet; all zero is its start. RTTs in
 * microseconds, 0 standing for "infinity". */
struct tcp_hystart {
    uint32_t window_end;           /* windowEnd: SND.MAX when the round began */
    uint32_t last_round_min_rtt;   /* lastRoundMinRTT */
    uint32_t current_round_min_rtt; /* currentRoundMinRTT */
    uint32_t css_baseline_min_rtt; /* cssBaselineMinRtt */
    uint8_t rtt_samples;           /* rttSampleCount (saturating) */
    uint8_t css_rounds;            /* rounds begun in CSS */
    bool started, in_css;          /* a round is counted; Conservative Slow Start */
};
struct tcp_hystart *tcp_hystart_of(struct tcb *tcb);
/* An RTT sample (RFC 6298's, tcp_rtt.c), for HyStart++. */
void cc_rtt_sample(struct tcb *tcb, uint64_t r);
/* ssthresh after a loss: the algorithm's (ends HyStart++ first). */
uint32_t cc_ssthresh(struct tcb *tcb, uint32_t flight);
extern const struct tcp_cc_ops tcp_cc_newreno, tcp_cc_cubic, tcp_cc_bbr;
/* The algorithm's state is about to go (the TCB is freed, or another is chosen). */
void tcp_cc_release(struct tcb *tcb);
/* BBR's model as tests see it (tcp_bbr.c); false: no BBR state. */
enum tcp_bbr_state { BBR_STARTUP, BBR_DRAIN, BBR_PROBE_BW, BBR_PROBE_RTT };
struct tcp_bbr_view {
    enum tcp_bbr_state state;
    bool filled_pipe;
    uint64_t max_bw, pacing_rate; /* octets per second */
    uint32_t min_rtt;             /* microseconds (UINT32_MAX: none) */
    uint64_t round_count;
};
bool tcp_bbr_view(const struct tcb *tcb, struct tcp_bbr_view *v);

/* ---- delivery-rate estimation: tcp_rate.c (draft-cheng-iccrg-delivery-rate-estimation) ---- */
/* The connection's part (C.*) and the last ACK's rate sample (rs.*). */
struct tcp_rate {
    uint64_t delivered;       /* C.delivered: octets delivered so far */
    uint64_t delivered_time;  /* C.delivered_time */
    uint64_t first_send_time; /* C.first_send_time */
    uint64_t app_limited;     /* C.app_limited: delivered mark the limit lasts until; 0: none */
    uint64_t lost;            /* octets ever deemed lost (for rs.newly_lost) */
    /* rs: the sample of the last ACK */
    uint64_t prior_delivered; /* rs.prior_delivered */
    uint64_t prior_time;      /* rs.prior_time */
    uint64_t send_elapsed, ack_elapsed; /* rs.send_elapsed, rs.ack_elapsed */
    uint64_t rs_delivered;    /* rs.delivered */
    uint64_t interval;        /* rs.interval (0: no valid sample) */
    uint64_t rate;            /* rs.delivery_rate, octets per second (0: none) */
    uint64_t rs_rtt;          /* RTT of the newest delivered segment never resent (0: none) */
    uint32_t newly_acked, newly_lost; /* rs.newly_acked, rs.newly_lost, octets */
    uint32_t acked_pending;   /* delivered by the ACK being processed */
    uint64_t lost_before;     /* lost at the start of this ACK */
    bool has_data, is_app_limited;
};
/* What a model-based algorithm keeps beside its own state: rates and pacing. */
struct tcp_cc_ext {
    struct tcp_rate rate;
    uint64_t pacing_rate; /* octets per second; 0: not paced */
    uint64_t pace_next;   /* nanoseconds: when the next segment may leave */
};
/* The connection's ext, or NULL when its algorithm keeps none. */
struct tcp_cc_ext *tcp_cc_ext(const struct tcb *tcb);
/* A segment (new or again) goes now; nothing was in flight before it: idle. */
void tcp_rate_sent(struct tcp_rate *r, struct tx_seg *s, bool idle, uint64_t now);
/* Segment s was delivered (cumulatively or SACKed) now. */
void tcp_rate_delivered(struct tcp_rate *r, struct tx_seg *s, uint64_t now);
/* After an ACK's deliveries: the rate sample (false: none valid). */
bool tcp_rate_sample(struct tcp_rate *r, uint32_t min_rtt);
/* The application has no more to send with pipe octets in flight. */
void tcp_rate_app_limited(struct tcp_rate *r, uint32_t pipe);
/* Pacing (tcp_output.c): may data go now? And len octets went. */
bool tcp_pace_ok(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
void tcp_paced(struct tcb *tcb, uint32_t len, uint64_t now);
/* The algorithm of an enum synack_congestion (NewReno for an unknown one). */
const struct tcp_cc_ops *tcp_cc_of(uint8_t id);
/* RFC 5681 3.1 slow start, eq. 2: cwnd += min(N, SMSS). */
void cc_slow_start(struct tcb *tcb, uint32_t acked);
/* RFC 5681 3.1: NewReno's growth, slow start and congestion avoidance. */
void cc_reno_cong_avoid(struct tcb *tcb, uint32_t acked, uint64_t now);
/* RFC 9438 4.2, in segments and seconds: K (Figure 2) and W_cubic(t) (Figure 1). */
double tcp_cubic_k(double w_max, double cwnd_epoch);
double tcp_cubic_window(double t, double k, double w_max);
/* CUBIC's state (tcp_cubic.c), in tcb->cc_priv (32 octets); windows in octets. */
struct tcp_cubic {
    double w_est;        /* W_est (RFC 9438 4.3) */
    uint64_t t_epoch;    /* t_epoch: the congestion avoidance stage began (0: not yet) */
    uint32_t w_max;      /* W_max: the window before the last reduction; 0 after a
                          * timeout: the next stage starts from its cwnd, K = 0 (4.8) */
    int32_t k_us;        /* K, microseconds (below 0 when cwnd_epoch is above W_max) */
    uint32_t cwnd_epoch; /* cwnd_epoch: cwnd when the stage began */
    uint32_t cwnd_prior; /* cwnd_prior: cwnd before the last reduction */
};
struct tcp_cubic *tcp_cubic_of(struct tcb *tcb);

/* ---- loss detection and recovery: tcp_recovery.c ---- */
/* What an acceptable ACK did, for the recovery algorithm. */
struct tcp_ack_info {
    bool advanced;  /* SND.UNA moved */
    uint32_t acked; /* octets of data it newly acknowledges */
    bool dupack;    /* a duplicate ACK (RFC 5681 2) */
};
/* Loss detection and recovery: NewReno on duplicate ACKs, RFC 6675 on the
 * SACK scoreboard, or RACK-TLP (RFC 8985), per connection. */
struct tcp_recovery_ops {
    const char *name;
    bool scoreboard; /* keeps the scoreboard (tcp_scoreboard.c); needs SACK */
    /* After SND.UNA moved (or not) and before the send window is updated. */
    void (*on_ack)(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg,
                   const struct tcp_ack_info *a, uint64_t now);
    /* The retransmission timer expired; the segment at SND.UNA goes next. */
    void (*on_rto)(struct tcp_ctx *t, struct tcb *tcb);
    /* TT_RACK or TT_TLP expired. */
    void (*on_timer)(struct tcp_ctx *t, struct tcb *tcb, enum tcp_timer w, uint64_t now);
    /* New data went out. */
    void (*on_send)(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
};
extern const struct tcp_recovery_ops tcp_rec_newreno, tcp_rec_rfc6675, tcp_rec_rack;
/* The connection is established: its algorithm, from SACK and its choice. */
void tcp_rec_select(struct tcb *tcb);
/* RACK (RFC 8985 6.2): segment s was delivered (cumulatively or SACKed). */
void tcp_rack_delivered(struct tcp_ctx *t, struct tcb *tcb, const struct tx_seg *s,
                        const struct tcp_seg *seg, uint64_t now);

/* ---- the scoreboard: tcp_scoreboard.c ---- */
struct tx_seg *tcp_sb_seg(const struct tcb *tcb, uint32_t i);
void tcp_sb_free(struct tcb *tcb);
/* How many new segments may still be recorded (the board's bound)? */
uint32_t tcp_sb_room(const struct tcb *tcb);
/* Set the flags of s, keeping the octet counts. */
void tcp_sb_set(struct tcb *tcb, struct tx_seg *s, uint8_t flags);
/* RFC 6675 SetPipe. */
uint32_t tcp_sb_pipe(const struct tcb *tcb);
/* [seq, end) went out now: new, or again. */
void tcp_sb_sent(struct tcp_ctx *t, struct tcb *tcb, uint32_t seq, uint32_t end, uint64_t now);
/* Cut entry i after len octets; 0 or -1 (no memory). */
int tcp_sb_split(struct tcb *tcb, uint32_t i, uint32_t len);
/* The cumulative ACK and the SACK blocks of seg; the octets newly SACKed. */
uint32_t tcp_sb_ack(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg, bool *dsack,
                    uint64_t now);
/* An RTO: everything not SACKed is lost (RFC 6675 5.1). */
void tcp_sb_rto(struct tcb *tcb);

/* false: the algorithm's state found no memory; NewReno instead. */
bool cc_init(struct tcb *tcb);
/* After an ACK's loss detection, for an algorithm with on_ack (BBR). */
void cc_model_ack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* An ACK moved SND.UNA to ack, acknowledging acked octets of data (called after). */
void cc_on_ack(struct tcp_ctx *t, struct tcb *tcb, uint32_t ack, uint32_t acked, uint64_t now);
/* A duplicate ACK (RFC 5681 2). */
void cc_on_dupack(struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* cwnd growth for `acked` new octets: the algorithm's, then bounded by what
 * the send buffer can use (RFC 5681 3.1; tcp_cc.c). */
void cc_grow(struct tcb *tcb, uint32_t acked, uint64_t now);
/* The retransmission timer expired (RFC 5681 3.1 eq. 4). */
void cc_on_rto(struct tcp_ctx *t, struct tcb *tcb);
/* Before sending after idle (RFC 5681 4.1). */
void cc_restart_after_idle(const struct tcp_ctx *t, struct tcb *tcb, uint64_t now);
/* cwnd as the output sees it: with limited transmit's two segments (RFC 3042). */
uint32_t cc_send_window(const struct tcb *tcb);
/* New data went out up to SND.NXT (limited transmit bookkeeping). */
void cc_on_send(struct tcb *tcb);
uint32_t cc_flight_size(const struct tcb *tcb);
/* RFC 3168 6.1.3: a segment's CE mark and CWR flag, as a receiver. */
void cc_ecn_input(struct tcp_ctx *t, struct tcb *tcb, const struct tcp_seg *seg);
/* RFC 3168 6.1.2: an ACK with ECE, as a sender. */
void cc_on_ece(struct tcp_ctx *t, struct tcb *tcb);

#endif

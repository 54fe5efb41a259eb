/* synack/link_tun.h: a Linux TUN device as a link (IFF_TUN | IFF_NO_PI:
 * raw IPv4 datagrams, no packet information header), non-blocking, and the
 * event loop that drives a stack over it on a real clock.
 *
 * The device is created, or attached to when it already exists (a
 * persistent device made by `ip tuntap add ... mode tun`). The kernel sees
 * what the stack sends as datagrams arriving on the device, and routes to
 * the device what it sends to the stack's address.
 *
 *     struct synack_tun *t = synack_tun_open(&tc, err, sizeof err);
 *     struct synack_link link = synack_tun_link(t);
 *     struct synack_stack *s = synack_stack_new(&cfg, &link, &e);
 *     for (;;) {
 *         synack_tun_run(t, s, SYNACK_TIME_NEVER); // input, timers
 *         ... socket calls with now = synack_clock_now() ...
 *     }
 *
 * An impairment stage (seeded loss, reordering, delay, duplication: the
 * memory link's engine on the real clock) can sit between the device and
 * the stack, for use where the kernel's netem qdisc is not available.
 */
#ifndef SYNACK_LINK_TUN_H
#define SYNACK_LINK_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <synack/link_mem.h>
#include <synack/link_pcap.h>
#include <synack/stack.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The real clock the loop uses: CLOCK_MONOTONIC in microseconds. */
uint64_t synack_clock_now(void);

struct synack_tun;

struct synack_tun_config {
    const char *name;   /* device to create or attach; NULL or "" lets the kernel pick */
    /* Offloads (off unless asked for): the device is opened with
     * IFF_VNET_HDR and TUNSETOFFLOAD (checksum, TSO for IPv4), so the kernel
     * hands the stack its TCP segments uncut, up to 64 KiB at once with
     * their checksums left partial (the kernel's own, trusted), and takes
     * the stack's the same way (SYNACK_LINK_TSO, SYNACK_LINK_CSUM): one read
     * or write moves up to 45 segments. When the kernel refuses either, the
     * device runs without (synack_tun_offload says which). Off: one
     * datagram per read and write, every checksum in software, and the
     * descriptor carries bare datagrams (what the harness's targets read). */
    bool offload;
    /* Batched I/O (off unless asked for): io_uring, one system call for
     * the writes queued since the last and up to 64 reads. A TUN
     * descriptor moves one datagram per read(2) or write(2) (it has no
     * recvmmsg; readv of several buffers is still one datagram), so this is
     * what batching it can mean. What the stack sends waits on the ring
     * until synack_tun_run next reads, ends its turn or is entered again
     * (before it sleeps), or synack_tun_flush; a long datagram (more than
     * 2 KiB: the offloads' batches) is written at once, after the queue.
     * Where the kernel has no io_uring for the process, one call per
     * datagram as without (synack_tun_batched says which). */
    bool batch;
};

/* What the kernel's side of a device gets (synack_tun_configure). */
struct synack_tun_addr {
    uint32_t kernel_addr; /* the kernel's address on the device, host order (0: leave) */
    uint32_t peer_addr;   /* point-to-point: the far end (the stack's address), or 0 */
    uint8_t prefix_len;   /* without a peer: the subnet, with its broadcast address */
    uint16_t mtu;         /* 0: leave */
    bool default_route;   /* route everything through the device (private namespaces only),
                           * IPv6 too when kernel_addr6 is set */
    uint8_t kernel_addr6[16]; /* the kernel's IPv6 address on the device (all zero: none);
                               * the namespace must have IPv6 on (and DAD off, or the
                               * address is tentative for a while) */
    uint8_t prefix6_len;  /* of kernel_addr6 (0: 64) */
    uint32_t txqueuelen;  /* the kernel's queue of datagrams toward the stack (0: leave;
                           * a TUN device starts with 500): what arrives while it is
                           * full is dropped before the stack sees it (the device's
                           * tx_dropped), so a server facing bursts wants more */
};

struct synack_tun_stats {
    uint64_t rx, rx_bytes;      /* datagrams read from the device */
    uint64_t tx, tx_bytes;      /* datagrams written to the device */
    uint64_t rx_errors;         /* reads that failed (other than "nothing there") */
    uint64_t tx_errors;         /* writes that failed: counted, the datagram is lost */
    uint64_t rx_not_ipv4;       /* datagrams read of a version the stack does not run
                                 * (not IPv4, nor IPv6 with addr6 set): ignored */
    uint64_t rx_gso, tx_gso;    /* of rx and tx: TCP datagrams of more than one segment
                                 * (the kernel's, or the stack's, cut by the other) */
    uint64_t rx_full_turns;     /* turns that read their most (16 x 64) and left more on
                                 * the device: the stack not keeping up with it */
    uint64_t late_max;          /* the most synack_tun_run met a deadline late (us):
                                 * the process waiting for a CPU, or the application
                                 * away from the loop; the stack's timers wait too */
};

/* Create or attach a TUN device. NULL with a message in err on failure
 * (no permission, /dev/net/tun missing, a device of that name that is not
 * an IFF_TUN | IFF_NO_PI device). */
struct synack_tun *synack_tun_open(const struct synack_tun_config *cfg, char *err, size_t errlen);
/* Close the descriptor; a device the call created goes away with it. */
void synack_tun_close(struct synack_tun *t);

int synack_tun_fd(const struct synack_tun *t);
const char *synack_tun_name(const struct synack_tun *t);
/* True if synack_tun_open created the device, false if it attached. */
bool synack_tun_created(const struct synack_tun *t);
/* Whether the device runs with offloads (IFF_VNET_HDR, TUNSETOFFLOAD). */
bool synack_tun_offload(const struct synack_tun *t);
/* Whether reads and writes go through io_uring (synack_tun_config.batch). */
bool synack_tun_batched(const struct synack_tun *t);
/* Write what waits on the ring now (nothing to do without batching). */
void synack_tun_flush(struct synack_tun *t);
const struct synack_tun_stats *synack_tun_stats(const struct synack_tun *t);

/* Give the kernel's side of the device an address, the MTU, and bring it
 * up (SIOCSIF* ioctls in the caller's network namespace). 0 or -errno with
 * a message in err. */
int synack_tun_configure(struct synack_tun *t, const struct synack_tun_addr *a, char *err,
                         size_t errlen);

/* The link a stack sends through: each datagram is one write(2) (with
 * offloads, up to 64 KiB of segments the kernel cuts), or with batching
 * queued on the ring and written with the others. */
struct synack_link synack_tun_link(struct synack_tun *t);

/* Record every datagram the stack sends and every one it receives, as the
 * stack has them: at the stack's side of the impairment stage, stamped
 * with the `now` the stack was given (what synack lint judges the stack
 * by: a packet the stage drops on its way in is not there, one it drops
 * on its way out is). NULL stops. The tun does not own p. */
void synack_tun_set_pcap(struct synack_tun *t, struct synack_pcap *p);

/* Which way the impairment stage acts. TO_STACK is what netem on the
 * device's root qdisc does: it impairs what the kernel sends. */
enum synack_tun_dir {
    SYNACK_TUN_BOTH = 0,
    SYNACK_TUN_TO_STACK,  /* datagrams read from the device */
    SYNACK_TUN_TO_DEVICE, /* datagrams the stack sends */
};

/* Impair the traffic between the device and the stack with the memory
 * link's seeded engine (loss, duplicate, reorder, corrupt, delay, rate),
 * on the real clock, in one direction or both. 0, -EINVAL (a probability
 * outside 0..1) or -ENOMEM. Call before
 * the first datagram. */
int synack_tun_impair(struct synack_tun *t, const struct synack_memlink_config *cfg,
                      enum synack_tun_dir dir);
/* What the impairment stage did so far, or NULL when there is none. */
const struct synack_memlink_stats *synack_tun_impair_stats(const struct synack_tun *t);

/* Read every datagram waiting on the device into s, as one batch
 * (synack_stack_batch_begin/end). Returns the number read or -errno. */
int synack_tun_input(struct synack_tun *t, struct synack_stack *s, uint64_t now);

/* The event loop's one turn: sleep until the device is readable, the
 * stack's (or the impairment stage's) next deadline, or `until`
 * (synack_clock_now() time; SYNACK_TIME_NEVER: no limit), whichever comes
 * first; then feed what arrived to the stack and run its due timers.
 * Returns the number of datagrams read (0 when woken by a deadline),
 * -EINTR when a signal interrupted the wait, or another -errno. */
int synack_tun_run(struct synack_tun *t, struct synack_stack *s, uint64_t until);

/* When synack_tun_run has work without new input: the earliest of the
 * stack's and the impairment stage's deadlines. */
uint64_t synack_tun_deadline(const struct synack_tun *t, const struct synack_stack *s);

#ifdef __cplusplus
}
#endif
#endif

/* Batched reads and writes on a TUN descriptor through io_uring, internal
 * to stack/link/tun.c.
 *
 * A TUN descriptor moves one datagram per read(2) or write(2): it has no
 * recvmmsg/sendmmsg, and readv/writev of several buffers is still one
 * datagram. What io_uring gives is one system call for many of them: the
 * writes the stack queued since the last call and up to `reads` reads go
 * to the kernel together, and each read takes one datagram. The
 * descriptor is non-blocking, so every request completes within the call
 * (a read with nothing waiting ends in -EAGAIN), in the order submitted.
 * The kernel's own work per datagram (its buffers, the copy, its IP
 * input for what the stack writes) stays what it was. */
#ifndef SYNACK_LINK_TUN_RING_H
#define SYNACK_LINK_TUN_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define TUN_RING_WRITES 64     /* writes queued before they go out on their own */
#define TUN_RING_WRITE_MAX 2048 /* longer datagrams are written at once, the queue first */

struct tun_ring;

/* A ring on fd with `reads` read buffers of rlen octets each; NULL when
 * the kernel has no io_uring for this process (then the caller reads and
 * writes one datagram per call). */
struct tun_ring *tun_ring_new(int fd, unsigned reads, size_t rlen);
void tun_ring_free(struct tun_ring *r);

/* Queue one datagram (the pieces copied now); false when it is longer
 * than TUN_RING_WRITE_MAX or the queue is full (the caller submits, then
 * queues it again or writes it itself). */
bool tun_ring_write(struct tun_ring *r, const struct iovec *iov, int n, size_t len);

/* Submit the queued writes and `reads` reads (at most the ring's) in one
 * call. Returns how many reads were submitted (their results by
 * tun_ring_result) or -errno; *tx_ok and *tx_failed count the writes. */
int tun_ring_submit(struct tun_ring *r, unsigned reads, uint64_t *tx_ok, uint64_t *tx_failed);

/* Read i of the last submit: the datagram's length (its buffer in *buf),
 * or -errno (-EAGAIN: nothing was waiting). */
long tun_ring_result(const struct tun_ring *r, unsigned i, uint8_t **buf);

/* Writes queued and not yet submitted. */
unsigned tun_ring_pending(const struct tun_ring *r);

#endif

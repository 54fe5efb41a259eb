/* Batched TUN reads and writes through io_uring (tun_ring.h), with the
 * kernel's interface alone (<linux/io_uring.h>: the rings are shared
 * memory, the queue's tail and the completions' head are published with
 * release stores and read with acquire loads). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/fs.h>
#include <linux/io_uring.h>

#include "link/tun_ring.h"

#define RING_ENTRIES 256 /* at least TUN_RING_WRITES + the reads */

struct tun_ring {
    int fd, ring_fd;
    void *sq_map, *cq_map;
    size_t sq_len, cq_len;
    struct io_uring_sqe *sqes;
    size_t sqes_len;
    unsigned *sq_head, *sq_tail, *sq_array, sq_mask, sq_entries;
    unsigned *cq_head, *cq_tail, cq_mask;
    struct io_uring_cqe *cqes;
    unsigned reads;           /* read buffers */
    size_t rlen;
    uint8_t *rbuf;            /* reads x rlen */
    long *rres;               /* the last submit's read results */
    unsigned nwrites;         /* queued */
    uint32_t wlen[TUN_RING_WRITES];
    uint8_t wbuf[TUN_RING_WRITES][TUN_RING_WRITE_MAX];
};

static int ring_setup(unsigned entries, struct io_uring_params *p)
{
    return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int ring_enter(int fd, unsigned submit, unsigned wait)
{
    return (int)syscall(__NR_io_uring_enter, fd, submit, wait,
                        wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
}

static bool ring_map(struct tun_ring *r, const struct io_uring_params *p)
{
    r->sq_len = p->sq_off.array + p->sq_entries * sizeof(unsigned);
    r->cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
    bool single = p->features & IORING_FEAT_SINGLE_MMAP;
    if (single && r->cq_len > r->sq_len)
        r->sq_len = r->cq_len;
    r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     r->ring_fd, IORING_OFF_SQ_RING);
    if (r->sq_map == MAP_FAILED)
        return r->sq_map = NULL, false;
    r->cq_map = single ? r->sq_map
                       : mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                              r->ring_fd, IORING_OFF_CQ_RING);
    if (r->cq_map == MAP_FAILED)
        return r->cq_map = NULL, false;
    r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
    r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                   r->ring_fd, IORING_OFF_SQES);
    if (r->sqes == MAP_FAILED)
        return r->sqes = NULL, false;
    uint8_t *sq = r->sq_map, *cq = r->cq_map;
    r->sq_head = (unsigned *)(sq + p->sq_off.head);
    r->sq_tail = (unsigned *)(sq + p->sq_off.tail);
    r->sq_mask = *(unsigned *)(sq + p->sq_off.ring_mask);
    r->sq_array = (unsigned *)(sq + p->sq_off.array);
    r->sq_entries = p->sq_entries;
    r->cq_head = (unsigned *)(cq + p->cq_off.head);
    r->cq_tail = (unsigned *)(cq + p->cq_off.tail);
    r->cq_mask = *(unsigned *)(cq + p->cq_off.ring_mask);
    r->cqes = (struct io_uring_cqe *)(cq + p->cq_off.cqes);
    return true;
}

struct tun_ring *tun_ring_new(int fd, unsigned reads, size_t rlen)
{
    if (reads + TUN_RING_WRITES > RING_ENTRIES)
        return NULL;
    struct tun_ring *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fd = fd;
    r->reads = reads;
    r->rlen = rlen;
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    r->ring_fd = ring_setup(RING_ENTRIES, &p);
    r->rbuf = malloc((size_t)reads * rlen);
    r->rres = calloc(reads, sizeof *r->rres);
    if (r->ring_fd < 0 || !r->rbuf || !r->rres || !ring_map(r, &p)) {
        tun_ring_free(r);
        return NULL;
    }
    return r;
}

void tun_ring_free(struct tun_ring *r)
{
    if (!r)
        return;
    if (r->sqes)
        munmap(r->sqes, r->sqes_len);
    if (r->cq_map && r->cq_map != r->sq_map)
        munmap(r->cq_map, r->cq_len);
    if (r->sq_map)
        munmap(r->sq_map, r->sq_len);
    if (r->ring_fd >= 0)
        close(r->ring_fd);
    free(r->rbuf);
    free(r->rres);
    free(r);
}

unsigned tun_ring_pending(const struct tun_ring *r)
{
    return r->nwrites;
}

/* user_data: reads are their index, writes have the top bit set. */
#define WRITE_TAG (1ull << 63)

static void queue(struct tun_ring *r, unsigned *tail, uint8_t op, void *buf, size_t len,
                  uint64_t tag)
{
    unsigned i = *tail & r->sq_mask;
    struct io_uring_sqe *e = &r->sqes[i];
    memset(e, 0, sizeof *e);
    e->opcode = op;
    e->fd = r->fd;
    e->addr = (uint64_t)(uintptr_t)buf;
    e->len = (uint32_t)len;
    e->off = (uint64_t)-1; /* a character device: no file position */
    e->rw_flags = RWF_NOWAIT; /* nothing waiting: -EAGAIN, never a read left pending */
    e->user_data = tag;
    r->sq_array[i] = i;
    (*tail)++;
}

int tun_ring_submit(struct tun_ring *r, unsigned reads, uint64_t *tx_ok, uint64_t *tx_failed)
{
    if (reads > r->reads)
        reads = r->reads;
    unsigned tail = *r->sq_tail; /* only this thread moves it */
    for (unsigned i = 0; i < r->nwrites; i++)
        queue(r, &tail, IORING_OP_WRITE, r->wbuf[i], r->wlen[i], WRITE_TAG | i);
    for (unsigned i = 0; i < reads; i++) {
        queue(r, &tail, IORING_OP_READ, r->rbuf + (size_t)i * r->rlen, r->rlen, i);
        r->rres[i] = -EAGAIN;
    }
    unsigned n = r->nwrites + reads;
    __atomic_store_n(r->sq_tail, tail, __ATOMIC_RELEASE);
    r->nwrites = 0;
    if (n == 0)
        return 0;
    /* every request completes within the call (a non-blocking descriptor):
     * wait for them all (again after a signal, submitting what the kernel
     * has not taken yet), then reap them in the order the kernel ran them */
    unsigned head = *r->cq_head, done = 0;
    while (done < n) {
        unsigned ctail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
        if (head == ctail) {
            unsigned unsent = tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
            if (ring_enter(r->ring_fd, unsent, n - done) < 0 && errno != EINTR)
                return -errno;
            continue;
        }
        for (; head != ctail; head++, done++) {
            const struct io_uring_cqe *c = &r->cqes[head & r->cq_mask];
            if (c->user_data & WRITE_TAG) {
                unsigned w = (unsigned)(c->user_data & ~WRITE_TAG);
                (c->res == (int)r->wlen[w] ? (*tx_ok)++ : (*tx_failed)++);
            } else if (c->user_data < reads) {
                r->rres[c->user_data] = c->res;
            }
        }
        __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
    }
    return (int)reads;
}

long tun_ring_result(const struct tun_ring *r, unsigned i, uint8_t **buf)
{
    *buf = r->rbuf + (size_t)i * r->rlen;
    return r->rres[i];
}

bool tun_ring_write(struct tun_ring *r, const struct iovec *iov, int n, size_t len)
{
    if (len > TUN_RING_WRITE_MAX || r->nwrites == TUN_RING_WRITES)
        return false;
    uint8_t *at = r->wbuf[r->nwrites];
    for (int i = 0; i < n; i++) {
        memcpy(at, iov[i].iov_base, iov[i].iov_len);
        at += iov[i].iov_len;
    }
    r->wlen[r->nwrites++] = (uint32_t)len;
    return true;
}

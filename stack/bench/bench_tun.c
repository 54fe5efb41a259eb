/* synack over a real TUN device against the Linux kernel's TCP: a bulk
 * transfer one way, timed at the receiver from its first octet to the end
 * of the stream.
 *
 *   bench_tun [--mib N] [--dir to-synack|from-synack] [--plain] [--no-batch] [--json]
 *
 * The process makes a network namespace of its own (unshare), so the
 * device, the kernel's address on it (198.51.100.2) and synack's
 * (192.0.2.1) exist only while it runs and vanish with it. synack runs in
 * the main thread on its event loop (synack_tun_run); the kernel's side is
 * a second thread with ordinary blocking sockets. --plain opens the device
 * without offloads (one datagram per read and write); --no-batch makes one
 * system call per datagram instead of io_uring's batches. Needs root: exits
 * 77 with the reason when it cannot make the namespace or the device. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <synack/link_tun.h>
#include <synack/synack.h>

#define SYNACK_ADDR 0xc0000201u /* 192.0.2.1 */
#define KERNEL_ADDR 0xc6336402u /* 198.51.100.2 */
#define PORT 5001
#define CHUNK (256 * 1024)

struct opts {
    uint64_t total;
    bool to_synack, plain, no_batch, json;
};

struct kside { /* the kernel's thread */
    const struct opts *o;
    int lfd;            /* from-synack: the kernel listens */
    double seconds;     /* from-synack: first octet to end of stream */
    uint64_t received;
    int err;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(addr);
    return a;
}

/* to-synack: connect and write o->total octets, then close. */
static void kernel_send(struct kside *k)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin_of(SYNACK_ADDR, PORT);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        k->err = errno;
        return;
    }
    static char buf[CHUNK];
    memset(buf, 'k', sizeof buf);
    for (uint64_t sent = 0; sent < k->o->total;) {
        size_t n = k->o->total - sent < sizeof buf ? (size_t)(k->o->total - sent) : sizeof buf;
        ssize_t w = write(fd, buf, n);
        if (w <= 0) {
            k->err = errno;
            break;
        }
        sent += (uint64_t)w;
    }
    close(fd);
}

/* from-synack: accept one connection and read it to its end. */
static void kernel_receive(struct kside *k)
{
    int fd = accept(k->lfd, NULL, NULL);
    if (fd < 0) {
        k->err = errno;
        return;
    }
    static char buf[CHUNK];
    double t0 = 0;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        if (!k->received)
            t0 = now_s();
        k->received += (uint64_t)r;
    }
    k->seconds = now_s() - t0;
    if (r < 0)
        k->err = errno;
    close(fd);
}

static void *kernel_thread(void *arg)
{
    struct kside *k = arg;
    if (k->o->to_synack)
        kernel_send(k);
    else
        kernel_receive(k);
    return NULL;
}

static int kernel_listen(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    struct sockaddr_in a = sin_of(KERNEL_ADDR, PORT);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0)
        return -1;
    return fd;
}

/* ---- synack's side ---- */

struct sside {
    struct synack_stack *s;
    int sd;              /* the connection */
    int lsd;             /* to-synack: the listener */
    uint64_t moved;      /* octets sent or received */
    double t0, seconds;  /* first octet to the end of the stream (to-synack) */
    bool done;
};

static void synack_receive(struct sside *x, uint64_t now)
{
    static uint8_t buf[CHUNK];
    if (x->sd < 0 && (x->sd = synack_socket_accept(x->s, x->lsd, NULL, NULL)) < 0)
        return;
    ssize_t n;
    /* the buffer waits with the stack: the text lands in it straight */
    while ((n = synack_socket_recv(x->s, x->sd, buf, sizeof buf, SYNACK_MSG_POST, now)) > 0) {
        if (!x->moved)
            x->t0 = now_s();
        x->moved += (uint64_t)n;
    }
    if (n == 0 || (n < 0 && n != -EAGAIN)) {
        x->seconds = now_s() - x->t0;
        synack_socket_close(x->s, x->sd, now);
        x->done = true;
    }
}

static void synack_send(struct sside *x, const struct opts *o, uint64_t now)
{
    static uint8_t buf[CHUNK];
    if (x->moved == 0)
        memset(buf, 's', sizeof buf);
    while (x->moved < o->total) {
        size_t want = o->total - x->moved < sizeof buf ? (size_t)(o->total - x->moved) : sizeof buf;
        ssize_t n = synack_socket_send(x->s, x->sd, buf, want, 0, now);
        if (n <= 0)
            return;
        x->moved += (uint64_t)n;
    }
    if (!x->done) {
        synack_socket_close(x->s, x->sd, now);
        x->done = true;
    }
}

static int die77(const char *what, const char *why)
{
    printf("bench_tun: skipped: %s: %s\n", what, why);
    return 77;
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"mib", required_argument, NULL, 'm'}, {"dir", required_argument, NULL, 'd'},
        {"plain", no_argument, NULL, 'p'},     {"json", no_argument, NULL, 'j'},
        {"no-batch", no_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.total = 512ull << 20, .to_synack = true};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'm')
            o->total = strtoull(optarg, NULL, 10) << 20;
        else if (c == 'd' && !strcmp(optarg, "to-synack"))
            o->to_synack = true;
        else if (c == 'd' && !strcmp(optarg, "from-synack"))
            o->to_synack = false;
        else if (c == 'p')
            o->plain = true;
        else if (c == 'j')
            o->json = true;
        else if (c == 'b')
            o->no_batch = true;
        else {
            fprintf(stderr, "usage: bench_tun [--mib N] [--dir to-synack|from-synack] "
                            "[--plain] [--no-batch] [--json]\n");
            exit(2);
        }
    }
}

static struct synack_tun *open_device(const struct opts *o, char *err, size_t n)
{
    struct synack_tun_config tc = {.name = "sbench0", .offload = !o->plain,
                                   .batch = !o->no_batch};
    struct synack_tun *t = synack_tun_open(&tc, err, n);
    if (!t)
        return NULL;
    struct synack_tun_addr ta = {.kernel_addr = KERNEL_ADDR, .peer_addr = SYNACK_ADDR,
                                 .mtu = 1500};
    if (synack_tun_configure(t, &ta, err, n) < 0) {
        synack_tun_close(t);
        return NULL;
    }
    return t;
}

static struct synack_stack *make_stack(struct synack_tun *t)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = SYNACK_ADDR;
    c.sndbuf = c.rcvbuf = 4 * 1024 * 1024; /* as the kernel's autotuning reaches */
    c.rng_seed = 1;
    struct synack_link link = synack_tun_link(t);
    int e;
    return synack_stack_new(&c, &link, &e);
}

/* Run the transfer; 0, or 1 on a failure (said on stderr). */
static int transfer(const struct opts *o, struct synack_tun *t, struct synack_stack *s,
                    struct kside *k, struct sside *x)
{
    uint64_t now = synack_clock_now();
    *x = (struct sside){.s = s, .sd = -1, .lsd = -1};
    if (o->to_synack) {
        x->lsd = synack_socket(s);
        synack_socket_bind(s, x->lsd, 0, PORT);
        synack_socket_listen(s, x->lsd, 4);
    } else if ((k->lfd = kernel_listen()) < 0) {
        perror("bench_tun: kernel listen");
        return 1;
    }
    pthread_t th;
    if (pthread_create(&th, NULL, kernel_thread, k) != 0)
        return 1;
    if (!o->to_synack) {
        x->sd = synack_socket(s);
        synack_socket_connect(s, x->sd, KERNEL_ADDR, PORT, now);
    }
    uint64_t limit = now + 600 * SYNACK_SEC;
    while (now < limit && !(x->done && (o->to_synack || synack_stack_deadline_output(s) ==
                                                            SYNACK_TIME_NEVER))) {
        int r = synack_tun_run(t, s, now + 100 * SYNACK_MSEC);
        if (r < 0 && r != -EINTR) {
            fprintf(stderr, "bench_tun: device: %s\n", strerror(-r));
            break;
        }
        now = synack_clock_now();
        if (o->to_synack)
            synack_receive(x, now);
        else
            synack_send(x, o, now);
    }
    pthread_join(th, NULL);
    if (k->lfd >= 0)
        close(k->lfd);
    if (k->err)
        fprintf(stderr, "bench_tun: kernel side: %s\n", strerror(k->err));
    return k->err ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    if (unshare(CLONE_NEWNET) < 0)
        return die77("a network namespace of its own (unshare)", strerror(errno));
    char err[256];
    struct synack_tun *t = open_device(&o, err, sizeof err);
    if (!t)
        return die77("the TUN device", err);
    struct synack_stack *s = make_stack(t);
    struct kside k = {.o = &o, .lfd = -1};
    struct sside x;
    int rc = s ? transfer(&o, t, s, &k, &x) : 1;
    uint64_t got = o.to_synack ? x.moved : k.received;
    double secs = o.to_synack ? x.seconds : k.seconds;
    if (rc == 0 && got != o.total) {
        fprintf(stderr, "bench_tun: %llu of %llu octets arrived\n", (unsigned long long)got,
                (unsigned long long)o.total);
        rc = 1;
    }
    const struct synack_tun_stats *ts = synack_tun_stats(t);
    if (rc == 0 && o.json)
        printf("{\"dir\": \"%s\", \"mib\": %llu, \"offload\": %s, \"batched\": %s, \"gbps\": %.3f, "
               "\"reads\": %llu, \"writes\": %llu}\n",
               o.to_synack ? "to-synack" : "from-synack", (unsigned long long)(o.total >> 20),
               synack_tun_offload(t) ? "true" : "false", synack_tun_batched(t) ? "true" : "false",
               got * 8 / secs / 1e9,
               (unsigned long long)ts->rx,
               (unsigned long long)ts->tx);
    else if (rc == 0)
        printf("tun %s, %llu MiB: %.2f Gbit/s (%llu reads, %llu writes of the device)\n",
               o.to_synack ? "kernel -> synack" : "synack -> kernel",
               (unsigned long long)(o.total >> 20), got * 8 / secs / 1e9,
               (unsigned long long)ts->rx, (unsigned long long)ts->tx);
    synack_stack_free(s);
    synack_tun_close(t);
    return rc;
}

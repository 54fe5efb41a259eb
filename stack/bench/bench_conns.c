/* Many connections in one stack: two stacks over the memory link, one
 * opening N idle connections to the other, one handshake at a time, as an
 * event loop would run them (deadline and poll after every exchange).
 * Prints, at each level, the handshakes per second of the last 1,000
 * connections and the heap bytes per connection (both ends together and
 * per end: malloc's in-use figure, so buffers and tables count whether
 * touched or not) and the resident memory per connection (both ends).
 * heap/end is what the heap grew by since the stacks, their tables and the
 * listeners were made; all/end counts those too (the tables sized for N
 * connections: sockets, hash buckets), so at N it is the whole cost of a
 * connection end.
 *
 *   bench_conns [N] [client-seed]          (N: 100000 by default)
 *
 * The server listens on as many ports as the client's ephemeral range
 * needs (one 4-tuple per connection). Figures, not assertions. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synack/synack.h>

#define ADDR_SRV 0xc0000201u /* 192.0.2.1 */
#define ADDR_CLI 0xc0000202u /* 192.0.2.2 */
#define PORT_BASE 8000
#define PER_PORT 50000u /* connections per server port (ephemeral range 1024..65535) */
#define WINDOW 1000u    /* handshakes per rate sample */

/* The process's CPU time: the machine's other work does not count (two
 * stacks and the memory link run in this one thread). */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Resident pages of the process, in octets (what the kernel gave it). */
static size_t rss(void)
{
    unsigned long size = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    return res * 4096;
}

static struct synack_stack *make_stack(struct synack_memlink *l, int end, uint32_t addr,
                                       uint32_t n)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    c.rng_seed = 42 + (uint64_t)end;
    c.max_conns = n + 64;
    c.max_sockets = n + 64;
    c.ephemeral_lo = 1024;
    int err;
    struct synack_link link = synack_memlink_end(l, end);
    struct synack_stack *s = synack_stack_new(&c, &link, &err);
    if (!s) {
        fprintf(stderr, "bench_conns: stack: %s\n", strerror(-err));
        exit(1);
    }
    return s;
}

/* Run both stacks until nothing is due: packets in flight and timers. */
static void settle(struct synack_memlink *l, struct synack_stack *st[2], uint64_t now)
{
    for (int guard = 0; guard < 64; guard++) {
        size_t n = synack_memlink_pump(l, now, st);
        int polled = 0;
        for (int i = 0; i < 2; i++) {
            if (synack_stack_deadline(st[i]) <= now) {
                synack_stack_poll(st[i], now);
                polled = 1;
            }
        }
        if (n == 0 && !polled)
            return;
    }
}

static int is_level(uint32_t n)
{
    static const uint32_t levels[] = {1000,  2000,  5000,  10000, 15000, 20000,
                                      30000, 50000, 75000, 100000, 150000, 200000};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if (levels[i] == n)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
    if (n < WINDOW)
        n = WINDOW;
    struct synack_memlink_config lc = {.seed = 1, .queue_limit = 100000};
    struct synack_memlink *l = synack_memlink_new(&lc);
    size_t heap0 = heap_in_use();
    double made0 = cpu_seconds();
    struct synack_stack *st[2] = {make_stack(l, 0, ADDR_CLI, n), make_stack(l, 1, ADDR_SRV, n)};
    uint64_t now = SYNACK_SEC;
    uint32_t ports = (n + PER_PORT - 1) / PER_PORT;
    int *lsd = calloc(ports, sizeof *lsd);
    for (uint32_t p = 0; p < ports; p++) {
        lsd[p] = synack_socket(st[1]);
        if (synack_socket_bind(st[1], lsd[p], 0, (uint16_t)(PORT_BASE + p)) < 0 ||
            synack_socket_listen(st[1], lsd[p], 128) < 0) {
            fprintf(stderr, "bench_conns: listen on %u failed\n", PORT_BASE + p);
            return 1;
        }
    }
    /* Both stacks' socket tables exist before the first connection (the
     * client's is made by its first socket), so heap/end is the same
     * figure for both ends: what a connection adds. */
    int probe = synack_socket(st[0]);
    if (probe < 0 || synack_socket_close(st[0], probe, now) < 0) {
        fprintf(stderr, "bench_conns: socket: %s\n", strerror(-probe));
        return 1;
    }
    size_t heap1 = heap_in_use(), rss1 = rss();
    /* Making the stacks touches the tables sized for N (the connection
     * hash): a cost of the configuration, not of the first connections. */
    printf("bench_conns: %u idle connections between two stacks in memory "
           "(stacks and listeners: %zu octets, made in %.1f ms)\n",
           n, heap1 - heap0, (cpu_seconds() - made0) * 1e3);
    printf("%10s %14s %16s %14s %14s %14s\n", "conns", "handshakes/s", "heap/conn(2)",
           "heap/end", "rss/conn(2)", "all/end");
    /* CPU time after every WINDOW handshakes; the rate at a level is over
     * its last fifth (at least WINDOW handshakes), outside the measuring. */
    double *at = calloc(n / WINDOW + 1, sizeof *at);
    double spent = 0, t0 = cpu_seconds();
    for (uint32_t i = 1; i <= n; i++) {
        uint32_t port = PORT_BASE + (i - 1) / PER_PORT;
        int sd = synack_socket(st[0]);
        int r = sd < 0 ? sd : synack_socket_connect(st[0], sd, ADDR_SRV, (uint16_t)port, now);
        if (r != -EINPROGRESS) {
            fprintf(stderr, "bench_conns: connect %u: %s\n", i, strerror(-r));
            return 1;
        }
        settle(l, st, now);
        int a = synack_socket_accept(st[1], lsd[(i - 1) / PER_PORT], NULL, NULL);
        if (a < 0) {
            fprintf(stderr, "bench_conns: connection %u not accepted: %s\n", i, strerror(-a));
            return 1;
        }
        now += 10; /* 10 us of virtual time per handshake */
        if (i % WINDOW == 0) {
            spent += cpu_seconds() - t0;
            at[i / WINDOW] = spent;
            if (is_level(i)) {
                uint32_t w = i / 5 > WINDOW ? i / 5 / WINDOW * WINDOW : WINDOW;
                double rate = w / (spent - at[(i - w) / WINDOW]);
                size_t heap = heap_in_use() - heap1;
                double res = (double)(rss() - rss1) / i;
                double all = (double)(heap_in_use() - heap0) / i / 2;
                printf("%10u %14.0f %16.0f %14.0f %14.0f %14.0f\n", i, rate, (double)heap / i,
                       (double)heap / i / 2, res, all);
                fflush(stdout);
            }
            t0 = cpu_seconds();
        }
    }
    const struct synack_counters *c = synack_stack_counters(st[1]);
    printf("server: %llu established, %llu refused for max_conns, %llu listen overflows\n",
           (unsigned long long)c->tcp_conn_established, (unsigned long long)c->tcp_conn_limit,
           (unsigned long long)c->tcp_listen_overflow);
    synack_stack_free(st[0]);
    synack_stack_free(st[1]);
    synack_memlink_free(l);
    free(lsd);
    free(at);
    return 0;
}

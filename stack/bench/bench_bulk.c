/* Bulk transfer benchmark: one stack sends to another over the memory
 * link in virtual time, and we measure the wall-clock cost. Prints the
 * goodput in Gbit/s and the CPU time per data segment.
 *
 *   bench_bulk [MiB] [loss%] [trace.csv|-] [delay_ms rate_mbit buf_kib [ws]]
 *
 * With a loss rate, the link drops that fraction of packets (seeded) and
 * the figure is the goodput under loss; the CSV, when asked for, samples
 * cwnd, ssthresh, srtt and rto of the sender every 10 ms of virtual time
 * (header line: time_s,cwnd_bytes,ssthresh_bytes,srtt_us,rto_us). A path
 * (one-way delay, rate, both ends' buffers) gives the goodput as a share
 * of the path's rate; ws 0 runs it with window scaling off (RFC 7323).
 * SYNACK_BENCH_SEED picks another seed for the link (1). Every run prints
 * the largest cwnd seen (after every turn of the loop) and the last:
 * past 8 GiB without loss it wrapped once (4294447240 -> 4380); it stays
 * within the send buffer + IW now. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synack/synack.h>

#define ADDR_A 0xc0000201u /* 192.0.2.1 */
#define ADDR_B 0xc0000202u /* 192.0.2.2 */

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t buf_octets = 1024 * 1024;
static uint8_t window_scaling = 1;

static struct synack_stack *make_stack(struct synack_memlink *l, int end, uint32_t addr)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    c.rng_seed = 42 + (uint64_t)end;
    c.mtu = 1500;
    c.sndbuf = c.rcvbuf = buf_octets;
    c.window_scaling = window_scaling;
    struct synack_link link = synack_memlink_end(l, end);
    int err;
    struct synack_stack *s = synack_stack_new(&c, &link, &err);
    if (!s) {
        fprintf(stderr, "bench: stack: %s\n", strerror(-err));
        exit(1);
    }
    return s;
}

static uint64_t next_event(struct synack_memlink *l, struct synack_stack *st[2])
{
    uint64_t t = synack_memlink_deadline(l);
    for (int i = 0; i < 2; i++) {
        uint64_t d = synack_stack_deadline(st[i]);
        if (d < t)
            t = d;
    }
    return t;
}

int main(int argc, char **argv)
{
    uint64_t total = (argc > 1 ? strtoull(argv[1], NULL, 10) : 1024) << 20;
    double loss = argc > 2 ? atof(argv[2]) / 100.0 : 0.0;
    FILE *trace = NULL;
    double rate_mbit = argc > 5 ? atof(argv[5]) : 0;
    uint64_t delay_ms = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
    if (argc > 6)
        buf_octets = (uint32_t)strtoul(argv[6], NULL, 10) * 1024u;
    if (argc > 7)
        window_scaling = (uint8_t)atoi(argv[7]);
    if (argc > 3 && strcmp(argv[3], "-") != 0 && !(trace = fopen(argv[3], "w"))) {
        fprintf(stderr, "bench: %s: %s\n", argv[3], strerror(errno));
        return 1;
    }
    if (trace) /* ssthresh 0: not set yet ("arbitrarily high", RFC 5681 3.1) */
        fprintf(trace, "time_s,cwnd_bytes,ssthresh_bytes,srtt_us,rto_us\n");
    /* SYNACK_BENCH_SEED: another seed for the link's losses (default 1) */
    const char *seed = getenv("SYNACK_BENCH_SEED");
    struct synack_memlink_config lc = {.seed = seed ? strtoull(seed, NULL, 10) : 1, .loss = loss};
    if (loss > 0)
        lc.delay = 10 * SYNACK_MSEC; /* a path with an RTT, so recovery has something to do */
    if (argc > 4) {
        lc.delay = delay_ms * SYNACK_MSEC;
        lc.rate_bps = (uint64_t)(rate_mbit * 1e6);
    }
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct synack_stack *st[2] = {make_stack(l, 0, ADDR_A), make_stack(l, 1, ADDR_B)};
    uint64_t now = SYNACK_SEC;

    int lsd = synack_socket(st[1]);
    synack_socket_bind(st[1], lsd, 0, 5001);
    synack_socket_listen(st[1], lsd, 4);
    int cli = synack_socket(st[0]);
    synack_socket_connect(st[0], cli, ADDR_B, 5001, now);
    int srv = -1;

    static uint8_t buf[256 * 1024];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 7 + 3);
    uint64_t sent = 0, received = 0, last_sample = 0;
    uint32_t cwnd_max = 0, cwnd_last = 0;
    double t0 = wall_seconds();
    uint64_t v0 = now;
    while (received < total) {
        if (srv < 0)
            srv = synack_socket_accept(st[1], lsd, NULL, NULL);
        if (srv == -EAGAIN)
            srv = -1;
        while (sent < total) {
            size_t want = total - sent < sizeof buf ? (size_t)(total - sent) : sizeof buf;
            ssize_t n = synack_socket_send(st[0], cli, buf, want, 0, now);
            if (n <= 0)
                break;
            sent += (uint64_t)n;
        }
        if (srv >= 0) {
            ssize_t n;
            while ((n = synack_socket_recv(st[1], srv, buf, sizeof buf, 0, now)) > 0)
                received += (uint64_t)n;
        }
        struct synack_tcp_info ti;
        if (synack_socket_status(st[0], cli, &ti) == 0) {
            cwnd_last = ti.cwnd;
            cwnd_max = ti.cwnd > cwnd_max ? ti.cwnd : cwnd_max;
        }
        if (trace && now - last_sample >= 10 * SYNACK_MSEC) {
            last_sample = now;
            fprintf(trace, "%.6f,%u,%u,%llu,%llu\n", (now - v0) / 1e6, ti.cwnd,
                    ti.ssthresh == UINT32_MAX ? 0 : ti.ssthresh, (unsigned long long)ti.srtt_us,
                    (unsigned long long)ti.rto_us);
        }
        uint64_t t = next_event(l, st);
        if (t == SYNACK_TIME_NEVER) {
            fprintf(stderr, "bench: stalled at %llu of %llu octets\n",
                    (unsigned long long)received, (unsigned long long)total);
            return 1;
        }
        if (t > now)
            now = t;
        synack_memlink_pump(l, now, st);
        synack_stack_poll(st[0], now);
        synack_stack_poll(st[1], now);
    }
    double secs = wall_seconds() - t0;
    const struct synack_counters *c = synack_stack_counters(st[0]);
    uint64_t segs = c->tcp_out;
    printf("bulk %llu MiB, MTU 1500, loss %.1f%%: %.2f Gbit/s wall, %.0f ns per segment "
           "(%llu segments, %llu retransmitted), %.3f s virtual\n",
           (unsigned long long)(total >> 20), loss * 100, total * 8 / secs / 1e9,
           secs * 1e9 / (double)segs, (unsigned long long)segs,
           (unsigned long long)(c->tcp_retransmits + c->tcp_fast_retransmits),
           (now - v0) / 1e6);
    printf("cwnd: at most %u octets, %u at the end (send buffer %u KiB)\n", cwnd_max, cwnd_last,
           buf_octets / 1024);
    double goodput = total * 8 / ((now - v0) / 1e6) / 1e6;
    if (argc > 4)
        printf("path %llu ms RTT, %.0f Mbit/s, %u KiB buffers, window scaling %s: goodput "
               "%.2f Mbit/s of virtual time, %.0f%% of the path\n",
               (unsigned long long)(2 * delay_ms), rate_mbit, buf_octets / 1024,
               window_scaling ? "on" : "off", goodput, 100 * goodput / rate_mbit);
    else if (loss > 0)
        printf("goodput under %.1f%% loss: %.2f Mbit/s of virtual time\n", loss * 100, goodput);
    if (trace)
        fclose(trace);
    synack_stack_free(st[0]);
    synack_stack_free(st[1]);
    synack_memlink_free(l);
    return 0;
}

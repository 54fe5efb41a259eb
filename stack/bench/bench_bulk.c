/* Bulk transfer benchmark: one stack sends to another over the memory
 * link in virtual time, and we measure the wall-clock and CPU cost (both
 * stacks and the link run in this one thread, on one core). Prints the
 * goodput in Gbit/s and the CPU time per data segment.
 *
 *   bench_bulk [--mib N] [--mtu N] [--buf KIB] [--offload] [--plain-recv] [--loss PCT]
 *              [--trace CSV] [--delay MS --rate MBIT [--no-wscale]] [--cc reno|cubic|bbr] [--json]
 *
 * --mtu sets both stacks' MTU (1500; up to 65535), --buf their send and
 * receive buffers (the stack's default, 256 KiB: the data then stays in
 * the CPU's caches; 1 MiB halves the figure at MTU 65535 on this machine).
 * --offload puts the link's checksum offload on (<synack/link_mem.h>: a
 * link that cannot corrupt vouches for what it carries, as the kernel's
 * loopback does); without it every segment is checksummed and verified.
 * The receiving application waits with its buffer posted (SYNACK_MSG_POST:
 * the text lands in it straight) unless --plain-recv. With a loss rate the
 * link drops that fraction of packets (seeded) on a 20 ms path and the
 * figure is the goodput under loss; the CSV samples cwnd, ssthresh, srtt
 * and rto of the sender every 10 ms of virtual time (header line:
 * time_s,cwnd_bytes,ssthresh_bytes,srtt_us,rto_us). A path (one-way delay,
 * rate, both ends' buffers) gives the goodput as a share of the path's
 * rate; --no-wscale runs it with window scaling off (RFC 7323).
 * --cc picks the congestion control of both stacks (config.congestion:
 * RFC 5681 "reno", RFC 9438 "cubic", or "bbr" (draft-ietf-ccwg-bbr); the
 * stack's default without it).
 * SYNACK_BENCH_SEED picks another seed for the link (1). --json prints one
 * JSON object instead of the sentence (stack/bench/bench.py reads it).
 * Every run prints the largest cwnd seen (after every turn of the loop)
 * and the last: past 8 GiB without loss it wrapped once (4294447240 ->
 * 4380); it stays within the send buffer + IW now. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synack/synack.h>

#define ADDR_A 0xc0000201u /* 192.0.2.1 */
#define ADDR_B 0xc0000202u /* 192.0.2.2 */
#define APP_BUF (256 * 1024)

struct opts {
    uint64_t total;
    unsigned mtu, buf_kib, delay_ms;
    bool offload, json, no_wscale, plain_recv;
    int cc; /* enum synack_congestion, -1: the default */
    double loss, rate_mbit;
    const char *trace;
};

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct synack_stack *make_stack(struct synack_memlink *l, int end, uint32_t addr,
                                       const struct opts *o)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    c.rng_seed = 42 + (uint64_t)end;
    c.mtu = (uint16_t)o->mtu;
    if (o->buf_kib)
        c.sndbuf = c.rcvbuf = o->buf_kib * 1024;
    c.window_scaling = !o->no_wscale;
    if (o->cc >= 0)
        c.congestion = (uint8_t)o->cc;
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

static void usage(void)
{
    fprintf(stderr, "usage: bench_bulk [--mib N] [--mtu N] [--buf KIB] [--offload] "
                    "[--plain-recv] [--loss PCT] [--trace CSV] [--delay MS --rate MBIT "
                    "[--no-wscale]] [--cc reno|cubic|bbr] [--json]\n");
    exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"mib", required_argument, NULL, 'm'},   {"mtu", required_argument, NULL, 'u'},
        {"offload", no_argument, NULL, 'o'},     {"loss", required_argument, NULL, 'l'},
        {"trace", required_argument, NULL, 't'}, {"json", no_argument, NULL, 'j'},
        {"delay", required_argument, NULL, 'd'}, {"rate", required_argument, NULL, 'R'},
        {"buf", required_argument, NULL, 'b'},   {"no-wscale", no_argument, NULL, 'W'},
        {"plain-recv", no_argument, NULL, 'r'},  {"cc", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    *o = (struct opts){.total = 1024ull << 20, .mtu = 1500, .cc = -1};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'm': o->total = strtoull(optarg, NULL, 10) << 20; break;
        case 'u': o->mtu = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'o': o->offload = true; break;
        case 'l': o->loss = atof(optarg) / 100.0; break;
        case 't': o->trace = optarg; break;
        case 'j': o->json = true; break;
        case 'd': o->delay_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'R': o->rate_mbit = atof(optarg); break;
        case 'b': o->buf_kib = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'W': o->no_wscale = true; break;
        case 'r': o->plain_recv = true; break;
        case 'c':
            if (strcmp(optarg, "reno") == 0)
                o->cc = SYNACK_CONGESTION_NEWRENO;
            else if (strcmp(optarg, "cubic") == 0)
                o->cc = SYNACK_CONGESTION_CUBIC;
            else if (strcmp(optarg, "bbr") == 0)
                o->cc = SYNACK_CONGESTION_BBR;
            else
                usage();
            break;
        default: usage();
        }
    }
    if (optind != argc || o->total == 0 || o->mtu < 576 || o->mtu > 65535 ||
        o->buf_kib > 16384 || o->rate_mbit < 0)
        usage();
}

struct run {
    uint64_t now, v0, received;
    double wall, cpu;
    uint32_t cwnd_max, cwnd_last; /* the sender's, after every turn */
};

static void sample(FILE *trace, struct synack_stack *s, int sd, uint64_t now, uint64_t v0)
{
    struct synack_tcp_info ti;
    synack_socket_status(s, sd, &ti);
    fprintf(trace, "%.6f,%u,%u,%llu,%llu\n", (now - v0) / 1e6, ti.cwnd,
            ti.ssthresh == UINT32_MAX ? 0 : ti.ssthresh, (unsigned long long)ti.srtt_us,
            (unsigned long long)ti.rto_us);
}

/* Move o->total octets from st[0] to st[1]; the application on each side
 * sends or reads as much as it can at every turn of the loop. */
static void transfer(const struct opts *o, struct synack_memlink *l, struct synack_stack *st[2],
                     FILE *trace, struct run *r)
{
    uint64_t now = SYNACK_SEC;
    int lsd = synack_socket(st[1]);
    synack_socket_bind(st[1], lsd, 0, 5001);
    synack_socket_listen(st[1], lsd, 4);
    int cli = synack_socket(st[0]);
    synack_socket_connect(st[0], cli, ADDR_B, 5001, now);
    int srv = -1;
    static uint8_t out[APP_BUF], in[APP_BUF];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    uint64_t sent = 0, received = 0, last_sample = 0;
    double w0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    *r = (struct run){.v0 = now};
    while (received < o->total) {
        if (srv < 0 && (srv = synack_socket_accept(st[1], lsd, NULL, NULL)) < 0)
            srv = -1;
        while (sent < o->total) {
            size_t want = o->total - sent < sizeof out ? (size_t)(o->total - sent) : sizeof out;
            ssize_t n = synack_socket_send(st[0], cli, out, want, 0, now);
            if (n <= 0)
                break;
            sent += (uint64_t)n;
        }
        ssize_t n;
        int rf = o->plain_recv ? 0 : SYNACK_MSG_POST;
        while (srv >= 0 && (n = synack_socket_recv(st[1], srv, in, sizeof in, rf, now)) > 0)
            received += (uint64_t)n;
        struct synack_tcp_info ti;
        if (synack_socket_status(st[0], cli, &ti) == 0) {
            r->cwnd_last = ti.cwnd;
            r->cwnd_max = ti.cwnd > r->cwnd_max ? ti.cwnd : r->cwnd_max;
        }
        if (trace && now - last_sample >= 10 * SYNACK_MSEC) {
            sample(trace, st[0], cli, now, r->v0);
            last_sample = now;
        }
        uint64_t t = next_event(l, st);
        if (t == SYNACK_TIME_NEVER) {
            fprintf(stderr, "bench: stalled at %llu of %llu octets\n",
                    (unsigned long long)received, (unsigned long long)o->total);
            exit(1);
        }
        if (t > now)
            now = t;
        synack_memlink_pump(l, now, st);
        synack_stack_poll(st[0], now);
        synack_stack_poll(st[1], now);
    }
    r->wall = clock_s(CLOCK_MONOTONIC) - w0;
    r->cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    r->now = now;
    r->received = received;
}

static void report(const struct opts *o, const struct run *r, const struct synack_counters *c)
{
    double virt = (r->now - r->v0) / 1e6;
    uint64_t segs = c->tcp_out;
    uint64_t rexmt = c->tcp_retransmits + c->tcp_fast_retransmits;
    double goodput = o->total * 8 / virt / 1e6;
    if (o->json) {
        printf("{\"mib\": %llu, \"mtu\": %u, \"offload\": %s, \"loss_pct\": %.2f, "
               "\"gbps_wall\": %.3f, \"gbps_cpu\": %.3f, \"ns_per_segment\": %.1f, "
               "\"segments\": %llu, \"retransmitted\": %llu, \"virtual_s\": %.6f, "
               "\"goodput_mbps_virtual\": %.3f, \"cwnd_max\": %u, \"cwnd_last\": %u",
               (unsigned long long)(o->total >> 20), o->mtu, o->offload ? "true" : "false",
               o->loss * 100, o->total * 8 / r->wall / 1e9, o->total * 8 / r->cpu / 1e9,
               r->cpu * 1e9 / (double)segs, (unsigned long long)segs,
               (unsigned long long)rexmt, virt, goodput, r->cwnd_max, r->cwnd_last);
        if (o->rate_mbit > 0)
            printf(", \"rtt_ms\": %u, \"rate_mbit\": %.0f, \"buf_kib\": %u, \"wscale\": %s, "
                   "\"path_pct\": %.1f",
                   2 * o->delay_ms, o->rate_mbit, o->buf_kib, o->no_wscale ? "false" : "true",
                   100 * goodput / o->rate_mbit);
        printf("}\n");
        return;
    }
    printf("bulk %llu MiB, MTU %u, checksums %s, loss %.1f%%: %.2f Gbit/s wall, %.2f Gbit/s "
           "per CPU second, %.0f ns per segment (%llu segments, %llu retransmitted), %.3f s "
           "virtual\n",
           (unsigned long long)(o->total >> 20), o->mtu, o->offload ? "offloaded" : "on",
           o->loss * 100, o->total * 8 / r->wall / 1e9, o->total * 8 / r->cpu / 1e9,
           r->cpu * 1e9 / (double)segs, (unsigned long long)segs, (unsigned long long)rexmt,
           virt);
    printf("cwnd: at most %u octets, %u at the end\n", r->cwnd_max, r->cwnd_last);
    if (o->rate_mbit > 0)
        printf("path %u ms RTT, %.0f Mbit/s, %u KiB buffers, window scaling %s: goodput "
               "%.2f Mbit/s of virtual time, %.0f%% of the path\n",
               2 * o->delay_ms, o->rate_mbit, o->buf_kib ? o->buf_kib : 256,
               o->no_wscale ? "off" : "on", goodput, 100 * goodput / o->rate_mbit);
    else if (o->loss > 0)
        printf("goodput under %.1f%% loss: %.2f Mbit/s of virtual time\n", o->loss * 100,
               goodput);
}

int main(int argc, char **argv)
{
    struct opts o;
    parse(argc, argv, &o);
    FILE *trace = NULL;
    if (o.trace && !(trace = fopen(o.trace, "w"))) {
        fprintf(stderr, "bench: %s: %s\n", o.trace, strerror(errno));
        return 1;
    }
    if (trace) /* ssthresh 0: not set yet ("arbitrarily high", RFC 5681 3.1) */
        fprintf(trace, "time_s,cwnd_bytes,ssthresh_bytes,srtt_us,rto_us\n");
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    const char *seed = getenv("SYNACK_BENCH_SEED"); /* another seed for the link (1) */
    if (seed)
        lc.seed = strtoull(seed, NULL, 10);
    lc.loss = o.loss;
    lc.csum_offload = o.offload;
    if (o.loss > 0)
        lc.delay = 10 * SYNACK_MSEC; /* a path with an RTT, so recovery has something to do */
    if (o.delay_ms || o.rate_mbit > 0) {
        lc.delay = o.delay_ms * SYNACK_MSEC;
        lc.rate_bps = (uint64_t)(o.rate_mbit * 1e6);
    }
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct synack_stack *st[2] = {make_stack(l, 0, ADDR_A, &o), make_stack(l, 1, ADDR_B, &o)};
    struct run r;
    transfer(&o, l, st, trace, &r);
    report(&o, &r, synack_stack_counters(st[0]));
    if (trace)
        fclose(trace);
    synack_stack_free(st[0]);
    synack_stack_free(st[1]);
    synack_memlink_free(l);
    return 0;
}

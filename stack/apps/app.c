/* What the apps share: options, the stack on a TUN device, the loop. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "app.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

bool app_stopping(void)
{
    return stop_requested != 0;
}

void app_init(struct app *a, const char *prog)
{
    memset(a, 0, sizeof *a);
    a->prog = prog;
    a->tun_name = "synack0";
    a->addr = 0xc0000201u; /* 192.0.2.1 */
    a->peer = 0xc6336402u; /* 198.51.100.2 */
    a->mtu = 1500;
    a->congestion = -1;
}

void app_format_ipv4(uint32_t a, char *out, size_t n)
{
    snprintf(out, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

void app_format_endpoint(const struct synack_addr *a, uint16_t port, char *out, size_t n)
{
    struct synack_addr u = synack_addr_unmap(*a);
    char t[64];
    synack_addr_format(&u, t, sizeof t);
    snprintf(out, n, u.family == SYNACK_AF_INET6 ? "[%s]:%u" : "%s:%u", t, port);
}

static bool ipv6_arg(const char *prog, const char *opt, const char *arg, struct synack_addr *out)
{
    struct synack_addr a;
    if (synack_addr_parse(arg, strlen(arg), &a) && a.family == SYNACK_AF_INET6) {
        *out = a;
        return true;
    }
    fprintf(stderr, "%s: %s: not an IPv6 address: '%s'\n", prog, opt, arg);
    return false;
}

void app_format_size(double b, char *out, size_t n)
{
    if (b >= 1024.0 * 1024 * 1024)
        snprintf(out, n, "%.1f GiB", b / (1024.0 * 1024 * 1024));
    else if (b >= 1024.0 * 1024)
        snprintf(out, n, "%.1f MiB", b / (1024.0 * 1024));
    else if (b >= 1024.0)
        snprintf(out, n, "%.1f KiB", b / 1024.0);
    else
        snprintf(out, n, "%.0f B", b);
}

/* "5ms", "200us", "1s", "3" (milliseconds) -> microseconds */
static bool parse_duration(const char *s, uint64_t *us)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || v < 0)
        return false;
    double scale = 1000.0;
    if (strcmp(end, "us") == 0)
        scale = 1.0;
    else if (strcmp(end, "ms") == 0 || *end == '\0')
        scale = 1000.0;
    else if (strcmp(end, "s") == 0)
        scale = 1e6;
    else
        return false;
    *us = (uint64_t)(v * scale);
    return true;
}

/* A probability: "0.03" or "3%". */
static bool parse_prob(const char *s, double *p)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s)
        return false;
    if (*end == '%') {
        v /= 100.0;
        end++;
    }
    if (*end || v < 0 || v > 1)
        return false;
    *p = v;
    return true;
}

bool app_parse_impair(const char *spec, struct synack_memlink_config *cfg,
                      enum synack_tun_dir *dir)
{
    struct synack_memlink_config c = {.seed = 1};
    char *copy = strdup(spec);
    if (!copy)
        return false;
    bool ok = true;
    for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv && ok;
         kv = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            ok = false;
            break;
        }
        *eq = '\0';
        const char *k = kv, *v = eq + 1;
        if (strcmp(k, "loss") == 0)
            ok = parse_prob(v, &c.loss);
        else if (strcmp(k, "reorder") == 0)
            ok = parse_prob(v, &c.reorder);
        else if (strcmp(k, "dup") == 0)
            ok = parse_prob(v, &c.duplicate);
        else if (strcmp(k, "corrupt") == 0)
            ok = parse_prob(v, &c.corrupt);
        else if (strcmp(k, "delay") == 0)
            ok = parse_duration(v, &c.delay);
        else if (strcmp(k, "reorder_delay") == 0)
            ok = parse_duration(v, &c.reorder_delay);
        else if (strcmp(k, "dir") == 0) {
            if (strcmp(v, "in") == 0)
                *dir = SYNACK_TUN_TO_STACK;
            else if (strcmp(v, "out") == 0)
                *dir = SYNACK_TUN_TO_DEVICE;
            else if (strcmp(v, "both") == 0)
                *dir = SYNACK_TUN_BOTH;
            else
                ok = false;
        } else if (strcmp(k, "seed") == 0) {
            char *end;
            c.seed = strtoull(v, &end, 0);
            ok = *v && !*end;
        } else
            ok = false;
    }
    free(copy);
    if (ok)
        *cfg = c;
    return ok;
}

bool app_option(struct app *a, int code, const char *arg)
{
    char *end;
    switch (code - APP_OPT_BASE) {
    case 0:
        a->tun_name = arg;
        return true;
    case 1:
        if (synack_ipv4_addr_from_text(arg, strlen(arg), &a->addr))
            return true;
        fprintf(stderr, "%s: --addr: not an IPv4 address: '%s'\n", a->prog, arg);
        return false;
    case 2:
        if (synack_ipv4_addr_from_text(arg, strlen(arg), &a->peer))
            return true;
        fprintf(stderr, "%s: --peer: not an IPv4 address: '%s'\n", a->prog, arg);
        return false;
    case 3: {
        long m = strtol(arg, &end, 10);
        if (*arg && !*end && m >= 576 && m <= 65535) {
            a->mtu = (uint16_t)m;
            return true;
        }
        fprintf(stderr, "%s: --mtu: expected 576 to 65535, got '%s'\n", a->prog, arg);
        return false;
    }
    case 4:
        a->pcap_path = arg;
        return true;
    case 5:
        if (app_parse_impair(arg, &a->impair, &a->impair_dir)) {
            a->impaired = true;
            return true;
        }
        fprintf(stderr, "%s: --impair: expected key=value,... with keys loss, reorder, dup, "
                        "corrupt (0..1 or N%%), delay, reorder_delay (5ms, 200us), seed, "
                        "dir (in, out, both); got '%s'\n", a->prog, arg);
        return false;
    case 6:
        a->seed = strtoull(arg, &end, 0);
        if (*arg && !*end)
            return true;
        fprintf(stderr, "%s: --seed: not a number: '%s'\n", a->prog, arg);
        return false;
    case 7:
        return ipv6_arg(a->prog, "--addr6", arg, &a->addr6);
    case 8:
        return ipv6_arg(a->prog, "--peer6", arg, &a->peer6);
    case 9:
        static const char *const names[] = {"reno", "cubic", "bbr"}; /* enum synack_congestion */
        for (uint8_t id = 0; id < sizeof names / sizeof names[0]; id++)
            if (strcmp(arg, names[id]) == 0) {
                a->congestion = id;
                return true;
            }
        fprintf(stderr, "%s: --cc: expected reno, cubic or bbr, got '%s'\n", a->prog, arg);
        return false;
    case 10:
        a->no_offload = true;
        return true;
    case 11:
        a->no_batch = true;
        return true;
    default:
        return false;
    }
}

bool app_start(struct app *a)
{
    char err[256];
    /* the peer is the kernel: its TSO and checksum offload (IFF_VNET_HDR) */
    struct synack_tun_config tc = {.name = a->tun_name, .offload = !a->no_offload,
                                   .batch = !a->no_batch};
    a->tun = synack_tun_open(&tc, err, sizeof err);
    if (!a->tun) {
        fprintf(stderr, "%s: %s\n", a->prog, err);
        return false;
    }
    /* A device we created gets the kernel's side configured; an existing
     * one (made by synack-ns or `ip tuntap`) is only brought up. */
    struct synack_tun_addr ta = {.mtu = 0};
    if (synack_tun_created(a->tun)) {
        ta.kernel_addr = a->peer;
        ta.peer_addr = a->addr;
        ta.mtu = a->mtu;
        ta.txqueuelen = APP_TXQUEUELEN;
        if (a->peer6.family == SYNACK_AF_INET6)
            memcpy(ta.kernel_addr6, a->peer6.a, 16);
    }
    if (synack_tun_configure(a->tun, &ta, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n", a->prog, err);
        return false;
    }
    if (a->pcap_path) {
        a->pcap = synack_pcap_open(a->pcap_path, err);
        if (!a->pcap) {
            fprintf(stderr, "%s: --pcap: %s\n", a->prog, err);
            return false;
        }
        synack_tun_set_pcap(a->tun, a->pcap);
    }
    if (a->impaired && synack_tun_impair(a->tun, &a->impair, a->impair_dir) < 0) {
        fprintf(stderr, "%s: out of memory\n", a->prog);
        return false;
    }
    struct synack_config c;
    synack_config_default(&c);
    c.addr = a->addr;
    if (a->addr6.family == SYNACK_AF_INET6)
        memcpy(c.addr6, a->addr6.a, 16);
    c.mtu = a->mtu;
    if (a->congestion >= 0)
        c.congestion = (uint8_t)a->congestion;
    if (!synack_tun_created(a->tun)) {
        /* Use the device's MTU: the kernel will not send more. */
        char path[128];
        snprintf(path, sizeof path, "/sys/class/net/%s/mtu", synack_tun_name(a->tun));
        FILE *f = fopen(path, "r");
        unsigned m = 0;
        if (f && fscanf(f, "%u", &m) == 1 && m >= 576 && m <= 65535)
            c.mtu = (uint16_t)m;
        if (f)
            fclose(f);
    }
    if (a->max_conns) {
        /* A server's connections: as many sockets, and a listen backlog (the
         * SYN cache and the accept queue) of a quarter, as Linux's somaxconn
         * (4096) at most, for the bursts while the loop waits for a CPU. */
        c.max_conns = c.max_sockets = a->max_conns;
        c.backlog_max = a->max_conns / 4 < 4096 ? a->max_conns / 4 : 4096;
    }
    c.rng_seed = a->seed;
    if (!a->seed && getrandom(&c.rng_seed, sizeof c.rng_seed, 0) != sizeof c.rng_seed)
        c.rng_seed = synack_clock_now();
    /* Room for bulk transfer over a device with no real RTT. */
    c.sndbuf = 1u << 20;
    c.rcvbuf = 1u << 20;
    c.rcvbuf_max = a->rcvbuf_max;
    struct synack_link link = synack_tun_link(a->tun);
    int e = 0;
    a->stack = synack_stack_new(&c, &link, &e);
    if (!a->stack) {
        fprintf(stderr, "%s: cannot create the stack: %s\n", a->prog, strerror(-e));
        return false;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return true;
}

bool app_turn(struct app *a, uint64_t until)
{
    if (stop_requested)
        return false;
    int rc = synack_tun_run(a->tun, a->stack, until);
    if (rc == -EINTR)
        return !stop_requested;
    if (rc < 0) {
        fprintf(stderr, "%s: %s: %s\n", a->prog, synack_tun_name(a->tun), strerror(-rc));
        return false;
    }
    return true;
}

void app_report(struct app *a)
{
    if (!a->tun)
        return;
    const struct synack_tun_stats *st = synack_tun_stats(a->tun);
    fprintf(stderr, "%s: %s: %llu datagrams read, %llu written, %llu write errors; "
                    "deadlines met up to %.3f s late\n", a->prog, synack_tun_name(a->tun),
            (unsigned long long)st->rx, (unsigned long long)st->tx,
            (unsigned long long)st->tx_errors, st->late_max / 1e6);
    if (synack_tun_batched(a->tun))
        fprintf(stderr, "%s: %s: batched: io_uring\n", a->prog, synack_tun_name(a->tun));
    if (synack_tun_offload(a->tun))
        fprintf(stderr, "%s: %s: offloads on: %llu of the datagrams read and %llu of those "
                        "written were batches of segments\n", a->prog, synack_tun_name(a->tun),
                (unsigned long long)st->rx_gso, (unsigned long long)st->tx_gso);
    /* What the kernel dropped before synack saw it: its queue toward the
     * device was full (the namespace's view of the device). */
    char path[128];
    snprintf(path, sizeof path, "/sys/class/net/%s/statistics/tx_dropped", synack_tun_name(a->tun));
    FILE *f = fopen(path, "r");
    unsigned long long dropped;
    if (f && fscanf(f, "%llu", &dropped) == 1)
        fprintf(stderr, "%s: %s: %llu datagrams dropped by the kernel before synack (its queue "
                        "to the device full; since the device was made), %llu turns left "
                        "datagrams waiting\n", a->prog,
                synack_tun_name(a->tun), dropped, (unsigned long long)st->rx_full_turns);
    if (f)
        fclose(f);
    const struct synack_memlink_stats *im = synack_tun_impair_stats(a->tun);
    if (im)
        fprintf(stderr, "%s: impairment: %llu passed, %llu lost, %llu reordered, "
                        "%llu duplicated\n", a->prog, (unsigned long long)im->sent,
                (unsigned long long)im->lost, (unsigned long long)im->reordered,
                (unsigned long long)im->duplicated);
    if (a->stack && a->verbose > 1) {
        const struct synack_counters *c = synack_stack_counters(a->stack);
        for (size_t i = 0; i < synack_counter_count(); i++) {
            uint64_t v = synack_counter_value(c, i);
            if (v)
                fprintf(stderr, "  %-28s %llu\n", synack_counter_name(i), (unsigned long long)v);
        }
    }
}

void app_report_usage(struct app *a)
{
    struct synack_stack_usage u;
    if (!a->stack || synack_stack_usage(a->stack, &u) < 0)
        return;
    const struct synack_config *c = synack_stack_config(a->stack);
    fprintf(stderr, "%s: usage: %u conns of %u (", a->prog, u.conns, c->max_conns);
    const char *sep = "";
    for (int st = 0; st < SYNACK_STATE_COUNT; st++)
        if (u.state[st]) {
            fprintf(stderr, "%s%s %u", sep, synack_state_name(st), u.state[st]);
            sep = ", ";
        }
    fprintf(stderr, "), %u orphans of %u, %u unaccepted, %u TIME-WAIT records of %u, "
                    "%u SYN cache of %u, %u sockets of %u (%u watched)\n",
            u.orphans, c->orphan_max, u.unaccepted, u.timewait, c->timewait_max, u.syncache,
            c->syncache_max, u.sockets, c->max_sockets, u.watched);
}

void app_stop(struct app *a)
{
    synack_stack_free(a->stack);
    a->stack = NULL;
    synack_tun_close(a->tun);
    a->tun = NULL;
    if (a->pcap)
        synack_pcap_close(a->pcap);
    a->pcap = NULL;
}

/* synack-relay: the kernel sending to the kernel through synack's
 * impairment stage, the yardstick for the kernel sending to synack through
 * it (stack/bench/lossy.sh).
 *
 *   synack-relay NS_A DEV_A NS_B DEV_B --impair SPEC
 *
 * Opens the TUN device DEV_A of network namespace NS_A and DEV_B of NS_B
 * (each made by `synack-ns up`; a namespace is /var/run/netns/NAME) and
 * forwards datagrams between them until SIGINT or SIGTERM: what A's kernel
 * sends passes the stage SPEC describes (--impair's syntax, as synack-get
 * takes it; its dir is not used) on its way to B; what B's kernel sends
 * goes to A at once, as `--impair ...,dir=in` leaves synack's own sending
 * alone. The stage's counts go to standard error at the end. Needs root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <synack/link_mem.h>

#include "app.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

/* DEV in namespace NS, non-blocking; -1 with a message when it cannot. */
static int tun_in(const char *ns, const char *dev)
{
    char path[256];
    snprintf(path, sizeof path, "/var/run/netns/%s", ns);
    int n = open(path, O_RDONLY | O_CLOEXEC);
    if (n < 0 || setns(n, CLONE_NEWNET) < 0) {
        fprintf(stderr, "synack-relay: namespace %s: %s\n", ns, strerror(errno));
        if (n >= 0)
            close(n);
        return -1;
    }
    close(n);
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    struct ifreq r = {.ifr_flags = IFF_TUN | IFF_NO_PI};
    snprintf(r.ifr_name, IFNAMSIZ, "%s", dev);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &r) < 0) {
        fprintf(stderr, "synack-relay: %s in %s: %s\n", dev, ns, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

struct relay {
    int a, b; /* the devices' descriptors */
    struct synack_memlink *stage;
    struct synack_link from_a; /* the stage's end 0: toward B (end 1) */
    uint64_t a_to_b, b_to_a, write_errors;
};

static void put(struct relay *r, int fd, const uint8_t *pkt, size_t len)
{
    if (write(fd, pkt, len) != (ssize_t)len)
        r->write_errors++; /* the kernel's queue full: a loss of its own */
}

/* The stage hands a datagram on: to end 1 is B. */
static void deliver(void *ctx, int to, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)now;
    struct relay *r = ctx;
    put(r, to == 1 ? r->b : r->a, pkt, len);
}

/* Everything waiting on both devices: A's into the stage, B's to A. */
static void drain(struct relay *r, uint64_t now)
{
    static uint8_t buf[65536];
    ssize_t n;
    while ((n = read(r->a, buf, sizeof buf)) > 0) {
        r->from_a.send(r->from_a.ctx, buf, (size_t)n, now);
        r->a_to_b++;
    }
    while ((n = read(r->b, buf, sizeof buf)) > 0) {
        put(r, r->a, buf, (size_t)n);
        r->b_to_a++;
    }
}

static void run(struct relay *r)
{
    while (!stopping) {
        uint64_t now = synack_clock_now(), due = synack_memlink_deadline(r->stage);
        uint64_t wait = due == SYNACK_TIME_NEVER ? 100000u : due <= now ? 0 : due - now;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000000u),
                              .tv_nsec = (long)(wait % 1000000u) * 1000};
        struct pollfd p[2] = {{.fd = r->a, .events = POLLIN}, {.fd = r->b, .events = POLLIN}};
        if (ppoll(p, 2, &ts, NULL) < 0 && errno != EINTR)
            break;
        drain(r, synack_clock_now());
        synack_memlink_deliver(r->stage, synack_clock_now(), deliver, r);
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: synack-relay NS_A DEV_A NS_B DEV_B --impair SPEC\n");
    return APP_EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"impair", required_argument, NULL, 'i'},
                                             {NULL, 0, NULL, 0}};
    struct synack_memlink_config cfg;
    enum synack_tun_dir dir = SYNACK_TUN_TO_STACK; /* not used */
    bool impaired = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c != 'i' || !app_parse_impair(optarg, &cfg, &dir)) {
            fprintf(stderr, "synack-relay: --impair: expected loss=..,reorder=..,delay=..,seed=..\n");
            return usage();
        }
        impaired = true;
    }
    if (argc - optind != 4 || !impaired)
        return usage();
    struct relay r = {0};
    r.a = tun_in(argv[optind], argv[optind + 1]);
    r.b = r.a < 0 ? -1 : tun_in(argv[optind + 2], argv[optind + 3]);
    r.stage = r.b < 0 ? NULL : synack_memlink_new(&cfg);
    if (!r.stage)
        return APP_EXIT_SETUP;
    r.from_a = synack_memlink_end(r.stage, 0);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    run(&r);
    const struct synack_memlink_stats *s = synack_memlink_stats(r.stage);
    fprintf(stderr,
            "synack-relay: %llu datagrams A -> B (%llu lost, %llu reordered), %llu B -> A, "
            "%llu write errors\n",
            (unsigned long long)r.a_to_b, (unsigned long long)s->lost,
            (unsigned long long)s->reordered, (unsigned long long)r.b_to_a,
            (unsigned long long)r.write_errors);
    synack_memlink_free(r.stage);
    return APP_EXIT_OK;
}

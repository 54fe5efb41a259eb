/* The Linux kernel's side of bench_conns: N idle connections between two
 * network namespaces over a veth pair, opened one handshake at a time, and
 * the handshakes per second of the last 1,000 at each level, with the
 * kernel's slab memory per connection (both ends; /proc/meminfo "Slab", so
 * other work on the machine shows in it). A process holds one descriptor
 * per connection end and RLIMIT_NOFILE may be below N (raising it needs
 * CAP_SYS_RESOURCE): each side is then a chain of processes, each holding
 * as many connections as the limit allows and handing on to a child of
 * its own (which closes the copies of its parent's descriptors).
 *
 *   kernel_conns [N]            (root; N 100000 by default)
 *
 * The namespaces (synack-kc-PID-a, -b) and the veth pair live only while
 * it runs: it deletes them on every exit. Addresses 192.0.2.1 (server) and
 * 192.0.2.2 (client), RFC 5737. Exit 77 when it cannot run here. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PORT_BASE 8000
/* Connections per server port: with many more towards one address and
 * port, connect() spends its time searching the ephemeral range for a free
 * port (50,000 of 64,512: under 50 handshakes/s), which is not what is
 * measured here. */
#define PER_PORT 10000u
#define WINDOW 1000u

static char ns_a[64], ns_b[64];
static pid_t server = -1, main_pid;

static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void cleanup(void)
{
    if (getpid() != main_pid)
        return; /* a process of a chain: its parent is still there */
    close_range(3, ~0u, 0); /* the connections: sh needs descriptors to start */
    if (server > 0) {
        kill(-server, SIGKILL); /* its process group: the chain of acceptors */
        kill(server, SIGKILL);  /* in case it had not made its group yet */
        waitpid(server, NULL, 0);
        server = -1;
    }
    if (ns_a[0])
        sh("ip netns del %s 2>/dev/null", ns_a);
    if (ns_b[0])
        sh("ip netns del %s 2>/dev/null", ns_b);
}

static void on_signal(int sig)
{
    (void)sig;
    exit(130); /* atexit cleans up */
}

static int enter_ns(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "/var/run/netns/%s", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
        return -1;
    close(fd);
    return 0;
}

/* Descriptors for n connections per process, as many as the limits allow. */
static rlim_t raise_nofile(rlim_t n)
{
    struct rlimit r = {n, n};
    if (setrlimit(RLIMIT_NOFILE, &r) < 0 && getrlimit(RLIMIT_NOFILE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_NOFILE, &r);
    }
    getrlimit(RLIMIT_NOFILE, &r);
    return r.rlim_cur;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long slab_kb(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Slab: %ld kB", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
}

/* A process of a chain that holds `quota` connections passes on: the
 * child closes its copies of the parent's connections (descriptors from
 * `first`) and goes on; the parent keeps them until the child ends. */
static void hand_on(int first)
{
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "kernel_conns: fork: %s\n", strerror(errno));
        _exit(1);
    }
    if (child == 0) {
        close_range((unsigned)first, ~0u, 0);
        return;
    }
    int st = 1;
    waitpid(child, &st, 0);
    if (getpid() == main_pid)
        exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
    _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
}

/* In namespace a: listen on the ports, accept everything, keep it open
 * (a chain of processes of `quota` connections each). */
static void serve(uint32_t n, uint32_t quota, int ready)
{
    setpgid(0, 0); /* the chain is killed as one group */
    uint32_t ports = (n + PER_PORT - 1) / PER_PORT;
    int *l = calloc(ports, sizeof *l);
    for (uint32_t p = 0; p < ports; p++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(PORT_BASE + p)};
        inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
        int one = 1;
        l[p] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        setsockopt(l[p], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(l[p], (struct sockaddr *)&a, sizeof a) < 0 || listen(l[p], 4096) < 0)
            _exit(1);
    }
    if (write(ready, "r", 1) != 1)
        _exit(1);
    int first = l[ports - 1] + 1;
    for (uint32_t got = 0, mine = 0; got < n;) {
        int progress = 0;
        for (uint32_t p = 0; p < ports && mine < quota; p++)
            while (mine < quota && accept4(l[p], NULL, NULL, SOCK_NONBLOCK) >= 0) {
                got++;
                mine++;
                progress = 1;
            }
        if (mine == quota && got < n) {
            hand_on(first); /* the parent waits there for ever (killed) */
            mine = 0;
        } else if (!progress) {
            usleep(100);
        }
    }
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 100000;
    if (geteuid() != 0) {
        printf("kernel_conns: skipped: needs root (network namespaces)\n");
        return 77;
    }
    main_pid = getpid();
    snprintf(ns_a, sizeof ns_a, "synack-kc-%d-a", (int)getpid());
    snprintf(ns_b, sizeof ns_b, "synack-kc-%d-b", (int)getpid());
    atexit(cleanup);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (sh("ip netns add %s && ip netns add %s && "
           "ip link add kc0a netns %s type veth peer name kc0b netns %s && "
           "ip -n %s addr add 192.0.2.1/24 dev kc0a && ip -n %s link set kc0a up && "
           "ip -n %s link set lo up && ip -n %s addr add 192.0.2.2/24 dev kc0b && "
           "ip -n %s link set kc0b up && ip -n %s link set lo up && "
           "ip netns exec %s sysctl -qw 'net.ipv4.ip_local_port_range=1024 65535'",
           ns_a, ns_b, ns_a, ns_b, ns_a, ns_a, ns_a, ns_b, ns_b, ns_b, ns_b) != 0) {
        printf("kernel_conns: skipped: cannot set up two namespaces with a veth pair\n");
        return 77;
    }
    rlim_t fds = raise_nofile(n + 1024);
    uint32_t quota = n;
    if (fds < n + 64) {
        quota = fds > 1064 ? (uint32_t)(fds - 64) / WINDOW * WINDOW : WINDOW;
        printf("kernel_conns: RLIMIT_NOFILE is %lu here (raising it needs CAP_SYS_RESOURCE): "
               "each side is %u processes of up to %u connections\n", (unsigned long)fds,
               (n + quota - 1) / quota, quota);
    }
    int pfd[2];
    if (pipe(pfd) < 0)
        return 1;
    fflush(stdout); /* not printed again by the server's chain */
    server = fork();
    if (server == 0) {
        if (enter_ns(ns_a) < 0)
            _exit(1);
        serve(n, quota, pfd[1]);
    }
    char c;
    if (read(pfd[0], &c, 1) != 1 || enter_ns(ns_b) < 0) {
        fprintf(stderr, "kernel_conns: the server did not start\n");
        return 1;
    }
    usleep(200000);
    long slab0 = slab_kb();
    printf("kernel_conns: %u idle connections over veth between two namespaces (%s)\n", n,
           "Linux kernel");
    printf("%10s %14s %16s\n", "conns", "handshakes/s", "slab/conn(2)");
    double t0 = wall();
    int first = -1;
    for (uint32_t i = 1; i <= n; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons(PORT_BASE + (i - 1) / PER_PORT)};
        inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            fprintf(stderr, "kernel_conns: connection %u: %s\n", i, strerror(errno));
            if (getpid() != main_pid)
                _exit(1);
            return 1;
        }
        if (first < 0)
            first = fd;
        if (i % WINDOW == 0) {
            double t1 = wall();
            static const uint32_t levels[] = {1000, 2000, 5000, 10000, 15000, 20000,
                                              30000, 50000, 75000, 100000};
            for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++)
                if (levels[k] == i)
                    printf("%10u %14.0f %16.0f\n", i, WINDOW / (t1 - t0),
                           (double)(slab_kb() - slab0) * 1024 / i);
            fflush(stdout);
            if (i % quota == 0 && i < n)
                hand_on(first); /* the child goes on from here */
            t0 = wall();
        }
    }
    if (getpid() != main_pid)
        _exit(0);
    return 0;
}

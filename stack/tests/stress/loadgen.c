/* loadgen: short HTTP/1.0 requests from the kernel's side at a fixed rate
 * (make stress): each connection connects, sends a GET, reads to the
 * server's close and closes. Every 10 s it prints the requests started,
 * done and failed in those 10 s, the worst connect time, how many connects
 * took a second or more (a SYN or SYN-ACK lost and sent again), its own
 * CPU time and the RSS and CPU time of a process to watch (the server).
 *
 *   loadgen ADDR PORT PATH RATE SECONDS [PID]
 *
 * ADDR must be in 192.0.2.0/24 or 198.51.100.0/24 (RFC 5737). At most
 * 16,384 requests in flight (a request the rate asks for beyond that is
 * counted as not started); one that takes more than 5 s counts as failed.
 * epoll, so its own cost per turn is what happened, not what is in flight.
 * Exit 0 when none failed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLIGHT 16384
#define TIMEOUT 5.0
#define START_BURST 256

struct req {
    int fd; /* -1: the slot is free */
    double start;
    int connected;
};

struct window {
    unsigned long started, done, failed, skipped, slow;
    unsigned long late; /* turns more than 0.1 s of starts behind the rate */
    double worst;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* VmRSS (kB) and utime+stime (s) of pid, from /proc. */
static void proc_of(int pid, long *rss, double *cpu)
{
    char path[64], line[512];
    *rss = -1;
    *cpu = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", rss) == 1)
            break;
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    f = fopen(path, "r");
    unsigned long ut, st;
    if (f && fgets(line, sizeof line, f)) {
        const char *p = strrchr(line, ')'); /* the name may hold spaces */
        if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
                        &st) == 2)
            *cpu = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
    }
    if (f)
        fclose(f);
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static struct req rq[MAX_FLIGHT];
static int free_slots[MAX_FLIGHT], nfree;
/* Requests in the order they started, the oldest times out first; an
 * entry whose slot finished (or was taken again) is passed over. */
#define ORDER 131072u
static struct {
    int slot;
    double start;
} order[ORDER];
static unsigned head, tail;

static void finish(int ep, int i, int ok, struct window *w)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, rq[i].fd, NULL);
    close(rq[i].fd);
    rq[i].fd = -1;
    free_slots[nfree++] = i;
    ok ? w->done++ : w->failed++;
}

static void start(int ep, const struct sockaddr_in *sa, double t, struct window *w)
{
    w->started++;
    if (nfree == 0) {
        w->skipped++;
        return;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || (connect(fd, (const struct sockaddr *)sa, sizeof *sa) < 0 &&
                   errno != EINPROGRESS)) {
        if (fd >= 0)
            close(fd);
        w->failed++;
        return;
    }
    int i = free_slots[--nfree];
    rq[i] = (struct req){fd, t, 0};
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    order[tail % ORDER].slot = i;
    order[tail++ % ORDER].start = t;
}

static void on_ready(int ep, int i, uint32_t evs, const char *get, int getlen, double t,
                     struct window *w)
{
    struct req *r = &rq[i];
    if (r->fd < 0)
        return;
    if (!r->connected) {
        int err = 0;
        socklen_t el = sizeof err;
        getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err || write(r->fd, get, (size_t)getlen) != getlen) {
            finish(ep, i, 0, w);
            return;
        }
        r->connected = 1;
        double c = t - r->start;
        if (c > w->worst)
            w->worst = c;
        if (c >= 1.0)
            w->slow++;
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_MOD, r->fd, &ev);
        return;
    }
    if (!(evs & (EPOLLIN | EPOLLERR | EPOLLHUP)))
        return;
    char buf[4096];
    ssize_t k = read(r->fd, buf, sizeof buf);
    if (k == 0)
        finish(ep, i, 1, w);
    else if (k < 0 && errno != EAGAIN)
        finish(ep, i, 0, w);
}

/* Requests older than TIMEOUT fail; slots already finished are passed over. */
static void expire(int ep, double t, struct window *w)
{
    while (head != tail) {
        int i = order[head % ORDER].slot;
        bool live = rq[i].fd >= 0 && rq[i].start == order[head % ORDER].start;
        if (live && t - rq[i].start <= TIMEOUT && tail - head < ORDER)
            return;
        if (live)
            finish(ep, i, 0, w);
        head++;
    }
}

static void report(double t, double t0, struct window *w, struct window *all, int pid)
{
    long rss = -1;
    double cpu = -1;
    if (pid)
        proc_of(pid, &rss, &cpu);
    printf("loadgen: %4.0f s: %lu started, %lu done, %lu failed, %lu not started; connects "
           "worst %.1f ms, %lu of 1 s or more; %lu turns behind; loadgen cpu %.1f s; server "
           "rss %ld kB, cpu %.1f s\n",
           t - t0, w->started, w->done, w->failed, w->skipped, w->worst * 1e3, w->slow, w->late,
           self_cpu(), rss, cpu);
    fflush(stdout);
    all->started += w->started;
    all->done += w->done;
    all->failed += w->failed;
    all->skipped += w->skipped;
    all->slow += w->slow;
    all->late += w->late;
    if (w->worst > all->worst)
        all->worst = w->worst;
    *w = (struct window){0};
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: loadgen ADDR PORT PATH RATE SECONDS [PID]\n");
        return 2;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
        fprintf(stderr, "loadgen: %s: not an IPv4 address\n", argv[1]);
        return 2;
    }
    uint32_t a = ntohl(sa.sin_addr.s_addr);
    if ((a >> 8) != 0xc00002u && (a >> 8) != 0xc63364u) {
        fprintf(stderr, "loadgen: %s: not in 192.0.2.0/24 or 198.51.100.0/24\n", argv[1]);
        return 2;
    }
    char get[256];
    int getlen = snprintf(get, sizeof get, "GET %s HTTP/1.0\r\n\r\n", argv[3]);
    double rate = atof(argv[4]), secs = atof(argv[5]);
    int pid = argc > 6 ? atoi(argv[6]) : 0;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0 || rate <= 0 || secs <= 0) {
        fprintf(stderr, "loadgen: %s\n", ep < 0 ? strerror(errno) : "RATE and SECONDS > 0");
        return 2;
    }
    for (int i = 0; i < MAX_FLIGHT; i++) {
        rq[i].fd = -1;
        free_slots[nfree++] = MAX_FLIGHT - 1 - i;
    }
    struct window w = {0}, all = {0};
    unsigned long offered = 0;
    double t0 = now_s(), next_report = t0 + 10;
    struct epoll_event evs[256];
    for (;;) {
        double t = now_s();
        /* start what the rate asks for by now, at most START_BURST a turn:
         * a generator behind its schedule (waiting for a CPU) that started
         * all it owes at once would leave the connections it has waiting
         * (their GET not written), and they hold its ports; what it could
         * not start on time is counted late */
        unsigned long due = t - t0 < secs ? (unsigned long)((t - t0) * rate) : offered;
        for (int k = 0; k < START_BURST && offered < due; k++) {
            start(ep, &sa, t, &w);
            offered++;
        }
        if (due > offered + (unsigned long)rate / 10)
            w.late++;
        if (t - t0 >= secs && offered >= due && nfree == MAX_FLIGHT)
            break;
        int n = epoll_wait(ep, evs, 256, 1);
        t = now_s();
        for (int k = 0; k < n; k++)
            on_ready(ep, (int)evs[k].data.u32, evs[k].events, get, getlen, t, &w);
        expire(ep, t, &w);
        if (t >= next_report) {
            report(t, t0, &w, &all, pid);
            next_report += 10;
        }
    }
    double t = now_s();
    report(t, t0, &w, &all, pid);
    printf("loadgen: %lu requests in %.1f s (%.0f/s asked for %.0f/s): %lu done (%.0f/s), "
           "%lu failed, %lu not started (%d in flight); connects worst %.1f ms, %lu of 1 s or "
           "more\n",
           all.started, t - t0, all.started / (t - t0), rate, all.done, all.done / (t - t0),
           all.failed, all.skipped, MAX_FLIGHT, all.worst * 1e3, all.slow);
    return all.failed || all.skipped ? 1 : 0;
}

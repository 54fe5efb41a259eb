/* loadgen: short HTTP/1.0 requests from the kernel's side at a fixed rate
 * (make stress): each connection connects, sends a GET, reads to the
 * server's close and closes. Every 10 s it prints the requests done and
 * failed, the worst connect time, and the RSS of a process to watch.
 *
 *   loadgen ADDR PORT PATH RATE SECONDS [PID]
 *
 * ADDR must be in 192.0.2.0/24 or 198.51.100.0/24 (RFC 5737). At most
 * 4,096 requests in flight; one that takes more than 5 s counts as
 * failed. Exit 0 when none failed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLIGHT 4096

struct req {
    int fd;
    double start;
    int connected;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(int pid)
{
    char path[64], line[256];
    long v = -1;
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
            break;
    if (f)
        fclose(f);
    return v;
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
    static struct req rq[MAX_FLIGHT];
    static struct pollfd pf[MAX_FLIGHT];
    int n = 0;
    unsigned long started = 0, done = 0, failed = 0;
    double worst = 0, t0 = now_s(), next_report = t0 + 10;
    while (now_s() - t0 < secs || n > 0) {
        double t = now_s();
        /* start what the rate allows, up to MAX_FLIGHT in flight */
        while (t - t0 < secs && started < (unsigned long)((t - t0) * rate) && n < MAX_FLIGHT) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            if (fd < 0 || (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 &&
                           errno != EINPROGRESS)) {
                if (fd >= 0)
                    close(fd);
                failed++;
                started++;
                continue;
            }
            rq[n] = (struct req){fd, t, 0};
            pf[n] = (struct pollfd){fd, POLLOUT, 0};
            n++;
            started++;
        }
        poll(pf, (nfds_t)n, 1);
        t = now_s();
        for (int i = 0; i < n;) {
            struct req *r = &rq[i];
            int finished = 0, ok = 0;
            if (!r->connected && (pf[i].revents & (POLLOUT | POLLERR | POLLHUP))) {
                int err = 0;
                socklen_t el = sizeof err;
                getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &el);
                if (err || write(r->fd, get, (size_t)getlen) != getlen) {
                    finished = 1;
                } else {
                    r->connected = 1;
                    if (t - r->start > worst)
                        worst = t - r->start;
                    pf[i].events = POLLIN;
                }
            } else if (r->connected && (pf[i].revents & (POLLIN | POLLERR | POLLHUP))) {
                char buf[4096];
                ssize_t k = read(r->fd, buf, sizeof buf);
                if (k == 0) {
                    finished = ok = 1;
                } else if (k < 0 && errno != EAGAIN) {
                    finished = 1;
                }
            }
            if (!finished && t - r->start > 5.0)
                finished = 1;
            pf[i].revents = 0;
            if (finished) {
                close(r->fd);
                ok ? done++ : failed++;
                rq[i] = rq[--n];
                pf[i] = pf[n];
                continue;
            }
            i++;
        }
        if (t >= next_report) {
            printf("loadgen: %4.0f s: %lu done, %lu failed, worst connect %.1f ms, rss %ld kB\n",
                   t - t0, done, failed, worst * 1e3, pid ? rss_kb(pid) : -1L);
            fflush(stdout);
            worst = 0;
            next_report += 10;
        }
    }
    printf("loadgen: %lu requests in %.1f s (%.0f/s): %lu done, %lu failed\n", done + failed,
           now_s() - t0, (done + failed) / (now_s() - t0), done, failed);
    return failed ? 1 : 0;
}

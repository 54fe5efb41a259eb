/* pdso_check: drive libsynack-packetdrill.so the way packetdrill does
 * (dlopen, packetdrill_interface_init, socket calls from two threads,
 * netdev_send / netdev_receive, the clock), since packetdrill itself is
 * not packaged for Debian. Usage: pdso_check path/to/libsynack-packetdrill.so
 * Exit 0 when every check holds; the first failure is printed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "packetdrill_so.h"

static struct packetdrill_interface ifc;
static int checks;

#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        checks++;                                                                                \
        if (!(cond)) {                                                                           \
            fprintf(stderr, "pdso_check: line %d: %s: ", __LINE__, #cond);                       \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
            exit(1);                                                                             \
        }                                                                                        \
    } while (0)

#define STACK_IP 0xc0000201u  /* 192.0.2.1 */
#define PEER_IP 0xc6336402u   /* 198.51.100.2 */
#define PEER_PORT 40000
#define PORT 8080
#define PEER_ISN 1000u

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

/* An IPv4 + TCP datagram from the peer to the stack. */
static size_t segment(uint8_t *b, uint8_t flags, uint32_t seq, uint32_t ack, size_t payload)
{
    size_t tl = 20 + 20 + payload;
    memset(b, 0, tl);
    b[0] = 0x45;
    put16(b + 2, (uint16_t)tl);
    b[8] = 64;
    b[9] = 6;
    put32(b + 12, PEER_IP);
    put32(b + 16, STACK_IP);
    put16(b + 10, csum(b, 20, 0));
    uint8_t *t = b + 20;
    put16(t, PEER_PORT);
    put16(t + 2, PORT);
    put32(t + 4, seq);
    put32(t + 8, ack);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 32792);
    memset(t + 20, 'a', payload);
    uint8_t ph[12];
    put32(ph, PEER_IP);
    put32(ph + 4, STACK_IP);
    ph[8] = 0;
    ph[9] = 6;
    put16(ph + 10, (uint16_t)(20 + payload));
    uint32_t s = 0;
    for (int i = 0; i < 12; i += 2)
        s += get16(ph + i);
    put16(t + 16, csum(t, 20 + payload, s));
    return tl;
}

static long long now_us(void)
{
    struct timeval tv;
    ifc.gettimeofday(ifc.userdata, &tv, NULL);
    return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* The next datagram from the stack: TCP flags, seq, ack, payload length. */
static size_t receive(uint8_t *flags, uint32_t *seq, uint32_t *ack)
{
    uint8_t b[2048];
    size_t n = sizeof b;
    long long when = 0, before = now_us();
    CHECK(ifc.netdev_receive(ifc.userdata, b, &n, &when) == 0, "netdev_receive failed");
    CHECK(n >= 40 && (b[0] >> 4) == 4 && b[9] == 6, "expected an IPv4 TCP datagram, got %zu octets", n);
    CHECK(when >= before - 2000000 && when <= now_us() + 1000, "time_usecs %lld is off the clock", when);
    CHECK(get32(b + 12) == STACK_IP && get32(b + 16) == PEER_IP, "addresses");
    const uint8_t *t = b + (b[0] & 15) * 4;
    *flags = t[13];
    *seq = get32(t + 4);
    *ack = get32(t + 8);
    return get16(b + 2) - (size_t)(b[0] & 15) * 4 - (size_t)(t[12] >> 4) * 4;
}

/* A socket that is only bound: packetdrill sends to 0.0.0.0 and expects
 * the answer from 0.0.0.0 (here a RST: nothing listens). */
static void check_bound_only(void *u)
{
    int s = ifc.socket(u, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(PORT + 1)};
    CHECK(ifc.bind(u, s, (struct sockaddr *)&sin, sizeof sin) == 0, "bind: %s", strerror(errno));
    uint8_t b[2048];
    size_t n = segment(b, 0x02, PEER_ISN, 0, 0);
    put16(b + 20 + 2, PORT + 1);
    put32(b + 16, 0);
    put16(b + 10, 0);
    put16(b + 10, csum(b, 20, 0));
    uint8_t ph[12] = {0};
    put32(ph, PEER_IP);
    ph[9] = 6;
    put16(ph + 10, 20);
    uint32_t sum = 0;
    for (int i = 0; i < 12; i += 2)
        sum += get16(ph + i);
    put16(b + 20 + 16, 0);
    put16(b + 20 + 16, csum(b + 20, 20, sum));
    CHECK(ifc.netdev_send(u, b, n) == 0, "SYN to 0.0.0.0");
    n = sizeof b;
    long long when;
    CHECK(ifc.netdev_receive(u, b, &n, &when) == 0 && n >= 40, "answer to 0.0.0.0: %zu", n);
    CHECK(get32(b + 12) == 0 && get32(b + 16) == PEER_IP, "answer from 0.0.0.0");
    CHECK(csum(b, 20, 0) == 0, "IP checksum of the answer");
    CHECK((b[20 + 13] & 0x04) && get32(b + 20 + 8) == PEER_ISN + 1, "a RST: flags 0x%x",
          b[20 + 13]);
    put32(ph, 0);
    put32(ph + 4, PEER_IP);
    sum = 0;
    for (int i = 0; i < 12; i += 2)
        sum += get16(ph + i);
    CHECK(csum(b + 20, 20, sum) == 0, "TCP checksum of the answer");
    CHECK(ifc.close(u, s) == 0, "close");
}

/* clock=virtual: the clock moves only in usleep, which runs the timers
 * and returns once the stack has sent something. */
static void check_virtual_clock(packetdrill_interface_init_t init)
{
    init("clock=virtual,seed=7", &ifc);
    void *u = ifc.userdata;
    struct timespec r0, r1;
    clock_gettime(CLOCK_MONOTONIC, &r0);
    long long t0 = now_us();
    CHECK(ifc.usleep(u, 5000000) == 0, "usleep");
    clock_gettime(CLOCK_MONOTONIC, &r1);
    CHECK(now_us() - t0 == 5000000, "virtual usleep(5 s) moved the clock %lld us", now_us() - t0);
    CHECK(r1.tv_sec - r0.tv_sec < 2, "virtual usleep(5 s) took real seconds");
    int s = ifc.socket(u, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, IPPROTO_TCP);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(PEER_PORT),
                              .sin_addr.s_addr = htonl(PEER_IP)};
    CHECK(ifc.connect(u, s, (struct sockaddr *)&sin, sizeof sin) == -1 && errno == EINPROGRESS,
          "non-blocking connect");
    uint8_t b[2048];
    size_t n = sizeof b;
    long long when, sent;
    CHECK(ifc.netdev_receive(u, b, &n, &sent) == 0 && n >= 40 && b[33] == 0x02, "SYN");
    n = sizeof b;
    CHECK(ifc.netdev_receive(u, b, &n, &when) == 0 && n == 0, "nothing more, at once");
    long long t1 = now_us();
    ifc.usleep(u, 30000000);
    CHECK(now_us() - t1 == 1000000, "usleep returned at the retransmission: %lld us",
          now_us() - t1);
    n = sizeof b;
    CHECK(ifc.netdev_receive(u, b, &n, &when) == 0 && n >= 40 && b[33] == 0x02 &&
              when == sent + 1000000, "the SYN again, 1 s later: %lld", when - sent);
    ifc.close(u, s);
    ifc.free(u);
}

static int child_fd;
static char child_buf[64];
static ssize_t child_ret;

static void *blocking_reader(void *arg)
{
    (void)arg;
    child_ret = ifc.read(ifc.userdata, child_fd, child_buf, sizeof child_buf);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pdso_check LIB.so\n");
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CHECK(h != NULL, "dlopen: %s", dlerror());
    packetdrill_interface_init_t init = (packetdrill_interface_init_t)dlsym(h, "packetdrill_interface_init");
    CHECK(init != NULL, "no packetdrill_interface_init in %s", argv[1]);
    init("addr=192.0.2.1,seed=7,idle_timeout=0.3", &ifc);
    void *u = ifc.userdata;
    CHECK(ifc.socket && ifc.netdev_receive && ifc.gettimeofday && ifc.splice, "interface not filled in");

    /* the clock: usleep sleeps on the clock gettimeofday reads */
    long long t0 = now_us();
    ifc.usleep(u, 20000);
    long long slept = now_us() - t0;
    CHECK(slept >= 20000 && slept < 500000, "usleep(20 ms) took %lld us", slept);

    /* passive open */
    int ls = ifc.socket(u, AF_INET, SOCK_STREAM, IPPROTO_TCP);
    /* packetdrill close(2)s the sockets a script leaves open */
    CHECK(ls >= 0 && fcntl(ls, F_GETFD) >= 0, "socket = %d, not a real descriptor", ls);
    CHECK(ifc.socket(u, AF_INET6, SOCK_STREAM, 0) == -1 && errno == EAFNOSUPPORT, "IPv6 refused");
    int one = 1;
    CHECK(ifc.setsockopt(u, ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0, "SO_REUSEADDR");
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(PORT),
                              .sin_addr.s_addr = htonl(STACK_IP)};
    CHECK(ifc.bind(u, ls, (struct sockaddr *)&sin, sizeof sin) == 0, "bind: %s", strerror(errno));
    CHECK(ifc.listen(u, ls, 1) == 0, "listen");
    CHECK(ifc.fcntl(u, ls, F_SETFL, O_NONBLOCK) == 0, "F_SETFL");
    CHECK(ifc.fcntl(u, ls, F_GETFL) & O_NONBLOCK, "F_GETFL");
    CHECK(ifc.accept(u, ls, NULL, NULL) == -1 && errno == EAGAIN, "non-blocking accept: EAGAIN");
    CHECK(ifc.fcntl(u, ls, F_SETFL, 0) == 0, "F_SETFL 0");

    uint8_t b[2048];
    uint8_t fl;
    uint32_t seq, ack;
    CHECK(ifc.netdev_send(u, b, segment(b, 0x02, PEER_ISN, 0, 0)) == 0, "send SYN");
    size_t n = receive(&fl, &seq, &ack);
    CHECK(fl == 0x12 && ack == PEER_ISN + 1 && n == 0, "SYN-ACK: flags 0x%x ack %u", fl, ack);
    uint32_t isn = seq;
    ifc.netdev_send(u, b, segment(b, 0x10, PEER_ISN + 1, isn + 1, 0));
    struct sockaddr_in peer;
    socklen_t pl = sizeof peer;
    int c = ifc.accept(u, ls, (struct sockaddr *)&peer, &pl);
    CHECK(c >= 0 && fcntl(c, F_GETFD) >= 0, "accept = %d (%s)", c, strerror(errno));
    CHECK(ntohs(peer.sin_port) == PEER_PORT && ntohl(peer.sin_addr.s_addr) == PEER_IP, "peer address");

    struct tcp_info ti;
    socklen_t tl = sizeof ti;
    CHECK(ifc.getsockopt(u, c, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0, "TCP_INFO");
    CHECK(ti.tcpi_state == 1 /* TCP_ESTABLISHED */, "tcpi_state %u", ti.tcpi_state);

    /* data out */
    char data[100];
    memset(data, 'x', sizeof data);
    CHECK(ifc.write(u, c, data, sizeof data) == 100, "write");
    n = receive(&fl, &seq, &ack);
    CHECK(n == 100 && seq == isn + 1 && (fl & 0x10), "data segment: %zu octets", n);
    ifc.netdev_send(u, b, segment(b, 0x10, PEER_ISN + 1, isn + 101, 0));

    /* data in, to a reader blocked in another thread (packetdrill's syscall thread) */
    child_fd = c;
    pthread_t th;
    pthread_create(&th, NULL, blocking_reader, NULL);
    ifc.usleep(u, 50000);
    ifc.netdev_send(u, b, segment(b, 0x18, PEER_ISN + 1, isn + 101, 50));
    pthread_join(th, NULL);
    CHECK(child_ret == 50, "blocking read returned %zd", child_ret);

    /* the delayed ACK comes from the timer thread, ~200 ms later */
    long long before = now_us();
    n = receive(&fl, &seq, &ack);
    CHECK(n == 0 && fl == 0x10 && ack == PEER_ISN + 51, "ACK of the data: flags 0x%x ack %u", fl, ack);
    CHECK(now_us() - before > 100000, "the delayed ACK came at once");

    /* poll and non-blocking read: nothing there */
    struct pollfd p = {.fd = c, .events = POLLIN};
    CHECK(ifc.poll(u, &p, 1, 50) == 0, "poll: nothing readable");
    p.events = POLLOUT;
    CHECK(ifc.poll(u, &p, 1, 0) == 1 && (p.revents & POLLOUT), "poll: writable");
    CHECK(ifc.recv(u, c, data, sizeof data, MSG_DONTWAIT) == -1 && errno == EAGAIN, "EAGAIN");

    /* nothing scheduled: netdev_receive gives up instead of hanging */
    n = sizeof b;
    long long when;
    CHECK(ifc.netdev_receive(u, b, &n, &when) == 0 && n == 0, "idle netdev_receive: %zu", n);

    /* close: FIN; the peer's FIN: TIME-WAIT */
    CHECK(ifc.close(u, c) == 0, "close");
    n = receive(&fl, &seq, &ack);
    CHECK(fl == 0x11 && seq == isn + 101, "FIN: flags 0x%x", fl);
    ifc.netdev_send(u, b, segment(b, 0x11, PEER_ISN + 51, isn + 102, 0));
    n = receive(&fl, &seq, &ack);
    CHECK(fl == 0x10 && ack == PEER_ISN + 52, "ACK of the peer's FIN: flags 0x%x", fl);
    /* a TIME-WAIT timer sends nothing: the idle timeout still fires */
    n = sizeof b;
    before = now_us();
    CHECK(ifc.netdev_receive(u, b, &n, &when) == 0 && n == 0, "idle in TIME-WAIT: %zu", n);
    CHECK(now_us() - before < 2000000, "idle in TIME-WAIT took %lld us", now_us() - before);
    int foreign = open("/dev/null", O_RDONLY);
    CHECK(ifc.close(u, foreign) == -1 && errno == EBADF, "close of a foreign fd: EBADF");
    close(foreign);
    check_bound_only(u);
    /* the listener is left open and close(2)d, as packetdrill does at the end */
    CHECK(close(ls) == 0, "close(2) of a socket: %s", strerror(errno));
    ifc.free(u);
    check_virtual_clock(init);
    dlclose(h);
    printf("pdso_check: %d checks passed\n", checks);
    return 0;
}

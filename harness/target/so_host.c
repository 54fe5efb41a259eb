/* synack-so-host: one process per vector for the so: and lwip targets. It
 * dlopen()s an object implementing packetdrill's SO interface
 * (stack/packetdrill/packetdrill_so.h), calls its init function, and then
 * makes the calls the harness asks for over the socket pair on fd 3
 * (target/so_proto.h). Whatever the object does (crash, hang, exit) ends
 * this process only; the harness sees it and reports it for that vector.
 *
 * Before each call into the object the host writes the call's name into
 * the page shared with the harness on fd 4, so the harness can say which
 * call crashed or hung.
 *
 * Clock: with SO_CLOCK_VIRTUAL the object's usleep moves its clock and
 * netdev_receive returns at once (nothing can be sent while time stands
 * still); with SO_CLOCK_REAL a thread sits in netdev_receive, as
 * packetdrill's sniffer does, and queues what it gets. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "packetdrill/packetdrill_so.h"
#include "target/pktq.h"
#include "target/so_proto.h"

#define PROBE_SLEEP_US 50000 /* usleep asked of the object to tell its clock */
#define SNIFF_IDLE_US 1000   /* the sniffer's pause after netdev_receive gave nothing */
#define PKT_CAP 65536

struct host {
    int fd;
    char *doing;             /* the call in progress, shared with the harness */
    struct packetdrill_interface ifc;
    enum so_clock clock;
    pthread_mutex_t mu;      /* q and lie (the sniffer adds to q) */
    pthread_cond_t cv;
    struct pktq q;
    bool sniffing;
    char lie[200];           /* what the object got wrong, reported on the next reply */
    pthread_t sniffer;
    uint8_t in[SO_MSG_MAX + 1], out[SO_MSG_MAX], pkt[PKT_CAP];
    uint8_t got[PKT_CAP];    /* netdev_receive's buffer (the sniffer's, in real time) */
};

static void doing(struct host *h, const char *call)
{
    if (h->doing)
        snprintf(h->doing, 64, "%s", call);
}

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static bool has_clock(const struct host *h)
{
    return h->ifc.usleep && h->ifc.gettimeofday;
}

/* The object's time, or the monotonic clock when it has none. */
static int64_t obj_now(struct host *h)
{
    if (!has_clock(h))
        return (int64_t)mono_us();
    struct timeval tv = {0, 0};
    doing(h, "gettimeofday");
    h->ifc.gettimeofday(h->ifc.userdata, &tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static void obj_sleep(struct host *h, int64_t us)
{
    if (us <= 0)
        return;
    if (us > 1000000000)
        us = 1000000000; /* usleep takes a useconds_t: sleep in pieces */
    if (has_clock(h)) {
        doing(h, "usleep");
        h->ifc.usleep(h->ifc.userdata, (useconds_t)us);
        return;
    }
    struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
}

/* One netdev_receive: true with a datagram queued. Called with mu held in
 * virtual mode (the only caller); the sniffer calls it without. */
static bool receive_one(struct host *h)
{
    size_t count = PKT_CAP;
    long long when = 0;
    doing(h, "netdev_receive");
    int rc = h->ifc.netdev_receive(h->ifc.userdata, h->got, &count, &when);
    if (rc != 0 || count == 0)
        return false; /* packetdrill tries again; so do we */
    pthread_mutex_lock(&h->mu);
    if (count > PKT_CAP)
        snprintf(h->lie, sizeof h->lie, "netdev_receive() said %zu octets were written into a "
                 "buffer of %d", count, PKT_CAP);
    else
        pktq_push(&h->q, h->got, count, (int64_t)when);
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    return count <= PKT_CAP;
}

static void *sniffer_main(void *arg)
{
    struct host *h = arg;
    for (;;) {
        if (!receive_one(h)) {
            struct timespec ts = {0, SNIFF_IDLE_US * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

/* ---- replies ---- */

/* A lie the object told (found by a call or the sniffer) replaces the
 * reply: the harness reports it as the vector's error. */
static void reply(struct host *h, int64_t ret, int err, uint32_t flags, int64_t when,
                  const void *data, size_t len)
{
    char lie[sizeof h->lie];
    pthread_mutex_lock(&h->mu);
    memcpy(lie, h->lie, sizeof lie);
    pthread_mutex_unlock(&h->mu);
    if (lie[0]) {
        ret = -1, err = EPROTO, flags = SO_REP_LIE, when = 0;
        data = lie, len = strlen(lie);
    }
    struct so_rep r = {.ret = ret, .err = err, .flags = flags, .when = when, .len = (uint32_t)len};
    memcpy(h->out, &r, sizeof r);
    if (len)
        memcpy(h->out + sizeof r, data, len);
    doing(h, "");
    if (send(h->fd, h->out, sizeof r + len, MSG_NOSIGNAL) < 0)
        _exit(0); /* the harness has gone */
}

static void reply_rc(struct host *h, long rc)
{
    reply(h, rc, rc < 0 ? errno : 0, 0, 0, NULL, 0);
}

/* A call the object does not implement. */
#define NEED(h, member, name)                                                  \
    do {                                                                       \
        if (!(h)->ifc.member) {                                                \
            reply(h, -1, ENOSYS, 0, 0, NULL, 0);                               \
            return;                                                            \
        }                                                                      \
        doing(h, name);                                                        \
    } while (0)

/* ---- init ---- */

static void probe_clock(struct host *h)
{
    int64_t t1 = obj_now(h);
    uint64_t m1 = mono_us();
    obj_sleep(h, PROBE_SLEEP_US);
    int64_t t2 = obj_now(h);
    uint64_t m2 = mono_us();
    h->clock = t2 - t1 >= PROBE_SLEEP_US && m2 - m1 < PROBE_SLEEP_US / 2 ? SO_CLOCK_VIRTUAL
                                                                         : SO_CLOCK_REAL;
}

static void op_init(struct host *h, const struct so_req *q, const char *data)
{
    const char *path = data;
    const char *flags = data + strnlen(data, q->len) + 1;
    if ((size_t)(flags - data) >= q->len || !memchr(flags, '\0', q->len - (size_t)(flags - data))) {
        reply(h, -1, EINVAL, 0, 0, "malformed init request", 22);
        return;
    }
    /* No RTLD_DEEPBIND (packetdrill's): the sanitizers refuse it, and this
     * process exports nothing an object could bind to by mistake. */
    doing(h, "dlopen");
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *e = dlerror();
        reply(h, -1, ENOENT, 0, 0, e, strlen(e));
        return;
    }
    packetdrill_interface_init_t init =
        (packetdrill_interface_init_t)dlsym(handle, "packetdrill_interface_init");
    if (!init) {
        const char *e = "the object has no packetdrill_interface_init";
        reply(h, -1, ENOENT, 0, 0, e, strlen(e));
        return;
    }
    doing(h, "packetdrill_interface_init");
    init(flags, &h->ifc);
    if (!h->ifc.netdev_send || !h->ifc.netdev_receive || !h->ifc.socket) {
        const char *e = "packetdrill_interface_init left netdev_send, netdev_receive or socket unset";
        reply(h, -1, EINVAL, 0, 0, e, strlen(e));
        return;
    }
    h->clock = (enum so_clock)q->a;
    if (h->clock == SO_CLOCK_PROBE)
        has_clock(h) ? probe_clock(h) : (void)(h->clock = SO_CLOCK_REAL);
    if (h->clock == SO_CLOCK_VIRTUAL && !has_clock(h)) {
        const char *e = "virtual time asked of an object without usleep and gettimeofday";
        reply(h, -1, EINVAL, 0, 0, e, strlen(e));
        return;
    }
    if (h->clock == SO_CLOCK_REAL) {
        h->sniffing = pthread_create(&h->sniffer, NULL, sniffer_main, h) == 0;
        if (!h->sniffing) {
            reply(h, -1, EAGAIN, 0, 0, "cannot start the sniffer thread", 31);
            return;
        }
    }
    uint32_t fl = (has_clock(h) ? SO_HAS_CLOCK : 0) | (h->clock == SO_CLOCK_VIRTUAL ? SO_HAS_VIRTUAL : 0);
    reply(h, 0, 0, fl, obj_now(h), NULL, 0);
}

/* ---- time and packets ---- */

static bool queued(struct host *h)
{
    pthread_mutex_lock(&h->mu);
    bool any = h->q.count > 0;
    pthread_mutex_unlock(&h->mu);
    return any;
}

static void op_wait(struct host *h, int64_t until)
{
    if (h->clock == SO_CLOCK_VIRTUAL) {
        for (;;) {
            if (queued(h) || receive_one(h))
                return reply(h, 1, 0, 0, obj_now(h), NULL, 0);
            int64_t now = obj_now(h);
            if (now >= until)
                return reply(h, 0, 0, 0, now, NULL, 0);
            obj_sleep(h, until - now);
        }
    }
    pthread_mutex_lock(&h->mu);
    for (;;) {
        if (h->q.count)
            break;
        int64_t now = obj_now(h);
        if (now >= until)
            break;
        uint64_t d = mono_us() + (uint64_t)(until - now);
        struct timespec ts = {.tv_sec = (time_t)(d / 1000000u), .tv_nsec = (long)(d % 1000000u) * 1000};
        pthread_cond_timedwait(&h->cv, &h->mu, &ts);
    }
    bool any = h->q.count > 0;
    pthread_mutex_unlock(&h->mu);
    reply(h, any, 0, 0, obj_now(h), NULL, 0);
}

static void op_recv(struct host *h)
{
    if (h->clock == SO_CLOCK_VIRTUAL && !queued(h))
        receive_one(h);
    size_t len = 0;
    int64_t when = 0;
    pthread_mutex_lock(&h->mu);
    bool got = pktq_pop(&h->q, h->pkt, PKT_CAP, &len, &when);
    pthread_mutex_unlock(&h->mu);
    reply(h, got, 0, 0, when, got ? h->pkt : NULL, got ? len : 0);
}

/* ---- socket calls ---- */

static void set_nonblock(struct host *h, int fd)
{
    if (!h->ifc.fcntl || fd < 0)
        return;
    doing(h, "fcntl");
    int fl = h->ifc.fcntl(h->ifc.userdata, fd, F_GETFL);
    h->ifc.fcntl(h->ifc.userdata, fd, F_SETFL, (fl < 0 ? 0 : fl) | O_NONBLOCK);
}

static bool sin_arg(struct host *h, const struct so_req *q, const uint8_t *data,
                    struct sockaddr_in *sin)
{
    if (q->len != sizeof *sin) {
        reply(h, -1, EINVAL, 0, 0, NULL, 0);
        return false;
    }
    memcpy(sin, data, sizeof *sin);
    return true;
}

static void op_socket(struct host *h, const struct so_req *q)
{
    doing(h, "socket");
    int fd = h->ifc.socket(h->ifc.userdata, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | q->a,
                           IPPROTO_TCP);
    int e = errno;
    set_nonblock(h, fd);
    reply(h, fd, fd < 0 ? e : 0, 0, 0, NULL, 0);
}

static void op_accept(struct host *h, const struct so_req *q)
{
    NEED(h, accept, "accept");
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int fd = h->ifc.accept(h->ifc.userdata, q->a, (struct sockaddr *)&sin, &len);
    int e = errno;
    set_nonblock(h, fd);
    reply(h, fd, fd < 0 ? e : 0, 0, 0, NULL, 0);
}

static void op_sockopt(struct host *h, const struct so_req *q, const uint8_t *data)
{
    if (q->op == SO_OP_SETSOCKOPT) {
        NEED(h, setsockopt, "setsockopt");
        reply_rc(h, h->ifc.setsockopt(h->ifc.userdata, q->a, q->b, q->c, data, q->len));
        return;
    }
    NEED(h, getsockopt, "getsockopt");
    socklen_t len = q->d < 0 || q->d > PKT_CAP ? PKT_CAP : (socklen_t)q->d;
    memset(h->pkt, 0, len);
    int rc = h->ifc.getsockopt(h->ifc.userdata, q->a, q->b, q->c, h->pkt, &len);
    int e = errno;
    if (rc == 0 && len > PKT_CAP) {
        snprintf(h->lie, sizeof h->lie, "getsockopt() said it wrote %u octets into %d",
                 (unsigned)len, q->d);
        len = 0;
    }
    reply(h, rc, rc < 0 ? e : 0, 0, 0, h->pkt, rc < 0 ? 0 : len);
}

static void op_events(struct host *h, const struct so_req *q)
{
    NEED(h, poll, "poll");
    struct pollfd p = {.fd = q->a, .events = POLLIN | POLLOUT | POLLPRI | POLLRDHUP};
    int rc = h->ifc.poll(h->ifc.userdata, &p, 1, 0);
    reply(h, rc < 0 ? rc : p.revents, rc < 0 ? errno : 0, 0, 0, NULL, 0);
}

static void op_data(struct host *h, const struct so_req *q, const uint8_t *data)
{
    if (q->op == SO_OP_SEND) {
        NEED(h, send, "send");
        reply_rc(h, h->ifc.send(h->ifc.userdata, q->a, data, q->len, q->b | MSG_DONTWAIT));
        return;
    }
    NEED(h, recv, "recv");
    size_t want = q->b < 0 ? 0 : (size_t)q->b > PKT_CAP ? PKT_CAP : (size_t)q->b;
    ssize_t rc = h->ifc.recv(h->ifc.userdata, q->a, h->pkt, want, q->c | MSG_DONTWAIT);
    int e = errno;
    if (rc > (ssize_t)want) {
        snprintf(h->lie, sizeof h->lie, "recv() returned %zd for a buffer of %zu", rc, want);
        rc = (ssize_t)want;
    }
    reply(h, rc, rc < 0 ? e : 0, 0, 0, h->pkt, rc > 0 ? (size_t)rc : 0);
}

/* The object's free(), then exit. With the sniffer thread inside
 * netdev_receive the object cannot be freed under it (packetdrill never
 * calls the two at once): the process just ends, which frees it all. */
static void op_free(struct host *h)
{
    if (h->ifc.free && !h->sniffing) {
        doing(h, "free");
        h->ifc.free(h->ifc.userdata);
    }
    reply(h, 0, 0, 0, 0, NULL, 0);
    _exit(0);
}

static void dispatch(struct host *h, const struct so_req *q, const uint8_t *d)
{
    struct sockaddr_in sin;
    switch ((enum so_op)q->op) {
    case SO_OP_INIT: return op_init(h, q, (const char *)d);
    case SO_OP_NOW: return reply(h, obj_now(h), 0, 0, 0, NULL, 0);
    case SO_OP_WAIT: return op_wait(h, q->t);
    case SO_OP_INJECT:
        doing(h, "netdev_send");
        return reply_rc(h, h->ifc.netdev_send(h->ifc.userdata, d, q->len));
    case SO_OP_RECV: return op_recv(h);
    case SO_OP_SOCKET: return op_socket(h, q);
    case SO_OP_BIND:
        if (!sin_arg(h, q, d, &sin))
            return;
        NEED(h, bind, "bind");
        return reply_rc(h, h->ifc.bind(h->ifc.userdata, q->a, (struct sockaddr *)&sin, sizeof sin));
    case SO_OP_LISTEN:
        NEED(h, listen, "listen");
        return reply_rc(h, h->ifc.listen(h->ifc.userdata, q->a, q->b));
    case SO_OP_ACCEPT: return op_accept(h, q);
    case SO_OP_CONNECT:
        if (!sin_arg(h, q, d, &sin))
            return;
        NEED(h, connect, "connect");
        return reply_rc(h, h->ifc.connect(h->ifc.userdata, q->a, (struct sockaddr *)&sin, sizeof sin));
    case SO_OP_SEND:
    case SO_OP_RECVMSG: return op_data(h, q, d);
    case SO_OP_SHUTDOWN:
        NEED(h, shutdown, "shutdown");
        return reply_rc(h, h->ifc.shutdown(h->ifc.userdata, q->a, q->b));
    case SO_OP_CLOSE:
        NEED(h, close, "close");
        return reply_rc(h, h->ifc.close(h->ifc.userdata, q->a));
    case SO_OP_SETSOCKOPT:
    case SO_OP_GETSOCKOPT: return op_sockopt(h, q, d);
    case SO_OP_EVENTS: return op_events(h, q);
    case SO_OP_FREE: return op_free(h);
    }
    reply(h, -1, EINVAL, 0, 0, "unknown request", 15);
}

int main(void)
{
    static struct host h;
    h.fd = SO_HOST_FD;
    signal(SIGPIPE, SIG_IGN);
    /* A crash of the object is a death by its signal, which the harness
     * reports; not a sanitizer's report and exit, even in SAN builds. */
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], SIG_DFL);
    void *page = mmap(NULL, 64, PROT_READ | PROT_WRITE, MAP_SHARED, SO_HOST_FD + 1, 0);
    h.doing = page == MAP_FAILED ? NULL : page;
    pthread_mutex_init(&h.mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h.cv, &ca);
    for (;;) {
        ssize_t n = recv(h.fd, h.in, sizeof h.in, 0);
        if (n <= 0)
            return 0;
        struct so_req q;
        if ((size_t)n < sizeof q)
            return 2;
        memcpy(&q, h.in, sizeof q);
        if (q.len != (size_t)n - sizeof q)
            return 2;
        h.in[n] = 0;
        dispatch(&h, &q, h.in + sizeof q);
    }
}

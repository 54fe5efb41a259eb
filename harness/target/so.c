/* The so: and lwip targets: any stack built as an object of packetdrill's
 * SO interface (stack/packetdrill/packetdrill_so.h), driven like mem.
 * Packets go through the object's netdev_send / netdev_receive, the
 * script's calls through its table, and time through its usleep and
 * gettimeofday when it has them.
 *
 * The object never runs in the harness: each vector gets a process of its
 * own, synack-so-host (target/so_host.c), which loads the object and
 * makes the calls asked of it over a socket pair (target/so_proto.h).
 * Global state in the object is thus fresh for every vector, and a crash,
 * a hang (no reply within SO_CALL_TIMEOUT_S) or a broken rule of the
 * interface ends that process and becomes the vector's error, with the
 * call it happened in; the run goes on.
 *
 * When the object's clock is virtual (its usleep moves it without real
 * time passing: probed once, when the target is resolved), the target is
 * virtual_time like mem; otherwise real time, like tun and linux. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/last_words.h"
#include "target/linux_info.h"
#include "target/so.h"
#include "target/so_proto.h"
#include "target/target.h"

#define SO_CALL_TIMEOUT_S 10      /* a call into the object that takes longer is a hang
                                   * ($SYNACK_SO_CALL_TIMEOUT seconds, if set) */
#define SO_DEFAULT_MTU 1500       /* what objects assume unless told (mtu=N) */
#define SO_DEFAULT_ADDR 0xc0000201u /* 192.0.2.1, likewise (addr=A) */
#define SO_DEAD_GRACE_MS 1000     /* how long a host that closed its end may take to exit */

struct so_spec {
    int timeout_s; /* SO_CALL_TIMEOUT_S */
    char *name;    /* "so:libx.so" or "lwip": the target's name in results */
    char *path;    /* the object */
    char *flags;   /* --so-flags, "" for none */
    char *host;    /* the synack-so-host program */
    enum so_clock clock;
};

struct target {
    const struct so_spec *spec;
    pid_t pid;
    int fd;          /* the harness's end of the socket pair */
    int errfd;       /* the host's standard error (a memfd) */
    char *doing;     /* the call in progress in the host (shared page) */
    int64_t t0;      /* the object's time when the vector started */
    int64_t now;     /* the object's time at the last reply that said it */
    bool dead;
    char fault[700];
    uint8_t msg[SO_MSG_MAX];
};

/* ---- the host process ---- */

static const char *call_name(const struct target *t)
{
    return t->doing && t->doing[0] ? t->doing : NULL;
}

/* The host is gone or must go: reap it and say why in t->fault. */
static void die(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void die(struct target *t, const char *fmt, ...)
{
    if (t->dead)
        return;
    t->dead = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->fault, sizeof t->fault, fmt, ap);
    va_end(ap);
}

static void reap(struct target *t, bool kill_it)
{
    if (t->pid <= 0)
        return;
    int st = 0;
    pid_t w = 0;
    for (int i = 0; !kill_it && i < SO_DEAD_GRACE_MS && (w = waitpid(t->pid, &st, WNOHANG)) == 0; i++)
        usleep(1000);
    if (w == 0) {
        kill(t->pid, SIGKILL);
        w = waitpid(t->pid, &st, 0);
    }
    t->pid = -1;
    if (t->dead || w <= 0)
        return;
    char words[300], in[100];
    last_words(t->errfd, words, sizeof words);
    const char *call = call_name(t);
    if (call)
        snprintf(in, sizeof in, "in %s()", call);
    else
        snprintf(in, sizeof in, "between calls (in a thread of its own)");
    if (WIFSIGNALED(st)) {
        const char *sig = sigabbrev_np(WTERMSIG(st));
        die(t, "the stack under test crashed: SIG%s %s%s", sig ? sig : "?", in, words);
    } else if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && call && strcmp(call, "exec") == 0) {
        die(t, "cannot run %s%s", t->spec->host, words);
    } else {
        die(t, "the stack under test exited with status %d %s%s", WEXITSTATUS(st), in, words);
    }
}

static int moved_up(int fd)
{
    return fcntl(fd, F_DUPFD, SO_HOST_FD + 2);
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(int sock, int page, int err, const char *host)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int s = moved_up(sock), p = moved_up(page), e = moved_up(err);
    if (s < 0 || p < 0 || e < 0 || dup2(s, SO_HOST_FD) < 0 || dup2(p, SO_HOST_FD + 1) < 0 ||
        dup2(e, 2) < 0)
        _exit(126);
    execl(host, "synack-so-host", (char *)NULL);
    _exit(127);
}

static int spawn(struct target *t, char *err, size_t n)
{
    int sp[2];
    t->fd = t->errfd = -1;
    int page = memfd_create("synack-so-doing", MFD_CLOEXEC);
    t->errfd = memfd_create("synack-so-stderr", MFD_CLOEXEC);
    if (page < 0 || t->errfd < 0 || ftruncate(page, 64) < 0 ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        snprintf(err, n, "cannot set up the host process: %s", strerror(errno));
        if (page >= 0)
            close(page);
        return -1;
    }
    void *m = mmap(NULL, 64, PROT_READ | PROT_WRITE, MAP_SHARED, page, 0);
    t->doing = m == MAP_FAILED ? NULL : m;
    if (t->doing)
        strcpy(t->doing, "exec");
    t->pid = fork();
    if (t->pid == 0)
        child(sp[1], page, t->errfd, t->spec->host);
    close(sp[1]);
    close(page);
    t->fd = sp[0];
    if (t->pid < 0) {
        snprintf(err, n, "fork: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- one call ---- */

/* Send q (and data), wait for the reply; its data (up to cap) into out.
 * -1 when the host died, hung or lied: t->fault says which. */
static int rpc(struct target *t, struct so_req *q, const void *data, struct so_rep *r, void *out,
               size_t cap, size_t *outlen, int64_t extra_us)
{
    if (t->dead)
        return -1;
    struct iovec iov[2] = {{q, sizeof *q}, {(void *)data, q->len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = q->len ? 2 : 1};
    if (sendmsg(t->fd, &mh, MSG_NOSIGNAL) < 0) {
        reap(t, false);
        return -1;
    }
    int64_t ms = t->spec->timeout_s * 1000LL + (extra_us > 0 ? extra_us / 1000 : 0);
    struct pollfd p = {.fd = t->fd, .events = POLLIN};
    int pr;
    while ((pr = poll(&p, 1, ms > INT_MAX ? INT_MAX : (int)ms)) < 0 && errno == EINTR)
        ;
    if (pr == 0) {
        char what[80];
        snprintf(what, sizeof what, "%s", call_name(t) ? call_name(t) : "its calls");
        die(t, "the stack under test did not return from %s%s within %d s", what,
            call_name(t) ? "()" : "", t->spec->timeout_s);
        reap(t, true);
        return -1;
    }
    ssize_t got = recv(t->fd, t->msg, sizeof t->msg, 0);
    if (got < (ssize_t)sizeof *r) {
        reap(t, false);
        return -1;
    }
    memcpy(r, t->msg, sizeof *r);
    size_t len = (size_t)got - sizeof *r;
    if (r->len != len) {
        die(t, "synack-so-host sent a malformed reply");
        reap(t, true);
        return -1;
    }
    if (r->flags & SO_REP_LIE) {
        die(t, "the stack under test broke the interface: %.*s", (int)len, t->msg + sizeof *r);
        reap(t, true);
        return -1;
    }
    size_t take = len < cap ? len : cap;
    if (out && take)
        memcpy(out, t->msg + sizeof *r, take);
    if (outlen)
        *outlen = take;
    return 0;
}

/* A call with integer arguments and no data back: its result or -errno. */
static long call(struct target *t, enum so_op op, int a, int b, int c, const void *data, size_t len)
{
    struct so_req q = {.op = op, .a = a, .b = b, .c = c, .len = (uint32_t)len};
    struct so_rep r;
    if (rpc(t, &q, data, &r, NULL, 0, NULL, 0) < 0)
        return -EIO;
    return r.ret < 0 ? -(long)(r.err ? r.err : EIO) : (long)r.ret;
}

/* ---- open, close, time, packets ---- */

static const char *fmt_ip(uint32_t a, char *buf)
{
    sprintf(buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

/* The flags: --so-flags, then what the script sets that the object cannot
 * otherwise learn (packetdrill's --mtu and --local_ip never reach it). */
static void init_flags(const struct so_spec *sp, const struct target_config *cfg, char *out,
                       size_t n)
{
    char ip[16];
    int k = snprintf(out, n, "%s", sp->flags);
    if (cfg->mtu && cfg->mtu != SO_DEFAULT_MTU)
        k += snprintf(out + k, n - (size_t)k, "%smtu=%u", k ? "," : "", cfg->mtu);
    uint32_t local = synack_addr_v4(&cfg->local);
    if (cfg->primary.family == SYNACK_AF_INET && (size_t)k < n) /* --primary_ip */
        k += snprintf(out + k, n - (size_t)k, "%saddr=%s", k ? "," : "",
                      fmt_ip(synack_addr_v4(&cfg->primary), ip));
    if (cfg->primary.family == SYNACK_AF_INET && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, ",more_addr=%s/24", fmt_ip(local, ip));
    else if (cfg->local.family == SYNACK_AF_INET && local != SO_DEFAULT_ADDR && (size_t)k < n)
        snprintf(out + k, n - (size_t)k, "%saddr=%s", k ? "," : "", fmt_ip(local, ip));
}

static int host_init(struct target *t, enum so_clock clock, const char *flags, uint32_t *rflags,
                     char *err, size_t n)
{
    size_t pl = strlen(t->spec->path) + 1, fl = strlen(flags) + 1;
    char *data = malloc(pl + fl);
    if (!data) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    memcpy(data, t->spec->path, pl);
    memcpy(data + pl, flags, fl);
    struct so_req q = {.op = SO_OP_INIT, .a = clock, .len = (uint32_t)(pl + fl)};
    struct so_rep r;
    char text[400];
    size_t tl = 0;
    /* A real clock is probed with one usleep: allow for it. */
    int rc = rpc(t, &q, data, &r, text, sizeof text - 1, &tl, 1000000);
    free(data);
    if (rc < 0) {
        snprintf(err, n, "%s", t->fault);
        return -1;
    }
    text[tl] = '\0';
    if (r.ret < 0) {
        snprintf(err, n, "%s: %s", t->spec->path, tl ? text : strerror(r.err));
        return -1;
    }
    *rflags = r.flags;
    t->t0 = t->now = r.when;
    return 0;
}

static void so_close(struct target *t)
{
    if (!t)
        return;
    if (!t->dead && t->pid > 0) {
        struct so_req q = {.op = SO_OP_FREE};
        struct so_rep r;
        rpc(t, &q, NULL, &r, NULL, 0, NULL, 0);
    }
    if (t->fd >= 0)
        close(t->fd);
    reap(t, false);
    if (t->errfd >= 0)
        close(t->errfd);
    if (t->doing)
        munmap(t->doing, 64);
    free(t);
}

static int so_open(struct target **out, const struct target_config *cfg, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    t->spec = cfg->spec;
    t->pid = -1;
    char flags[1024];
    init_flags(t->spec, cfg, flags, sizeof flags);
    uint32_t rflags = 0;
    if (spawn(t, err, n) < 0 || host_init(t, t->spec->clock, flags, &rflags, err, n) < 0) {
        so_close(t);
        return -1;
    }
    *out = t;
    return 0;
}

static bool virtual_clock(const struct target *t)
{
    return t->spec->clock == SO_CLOCK_VIRTUAL;
}

static int64_t so_now(struct target *t)
{
    if (t->dead || virtual_clock(t))
        return t->now - t->t0; /* a virtual clock moves only in wait() */
    struct so_req q = {.op = SO_OP_NOW};
    struct so_rep r;
    if (rpc(t, &q, NULL, &r, NULL, 0, NULL, 0) == 0)
        t->now = r.ret;
    return t->now - t->t0;
}

static bool so_wait(struct target *t, int64_t until)
{
    int64_t now = so_now(t);
    struct so_req q = {.op = SO_OP_WAIT, .t = t->t0 + until};
    struct so_rep r;
    int64_t real = virtual_clock(t) || until < now ? 0 : until - now;
    if (rpc(t, &q, NULL, &r, NULL, 0, NULL, real) < 0)
        return false;
    t->now = r.when;
    return r.ret > 0;
}

static int so_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    return (int)call(t, SO_OP_INJECT, 0, 0, 0, pkt, len);
}

static bool so_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    struct so_req q = {.op = SO_OP_RECV};
    struct so_rep r;
    if (rpc(t, &q, NULL, &r, buf, cap, len, 0) < 0 || r.ret <= 0)
        return false;
    /* A packet is sent at a time the object's clock has reached. */
    if (r.when < t->t0 || (virtual_clock(t) && r.when > t->now)) {
        die(t, "the stack under test broke the interface: netdev_receive() stamped a packet "
               "at %.6f s, outside its clock's %.6f..%.6f s",
            (r.when - t->t0) / 1e6, 0.0, (t->now - t->t0) / 1e6);
        reap(t, true);
        return false;
    }
    *when = r.when - t->t0;
    return true;
}

static const char *so_fault(struct target *t)
{
    return t->dead ? t->fault : NULL;
}

/* ---- socket calls ---- */

static struct sockaddr_in sin_of(uint32_t addr, uint16_t port)
{
    struct sockaddr_in s;
    memset(&s, 0, sizeof s);
    s.sin_family = AF_INET;
    s.sin_addr.s_addr = htonl(addr);
    s.sin_port = htons(port);
    return s;
}

/* IPv4 only for now: an AF_INET6 socket or address is -EAFNOSUPPORT. */
static int so_socket(struct target *t, int domain)
{
    if (domain != SYNACK_AF_INET)
        return -EAFNOSUPPORT;
    return (int)call(t, SO_OP_SOCKET, 0, 0, 0, NULL, 0);
}

static int so_bind(struct target *t, int sd, const struct synack_addr *addr, uint16_t port)
{
    if (addr->family != SYNACK_AF_INET)
        return -EAFNOSUPPORT;
    struct sockaddr_in s = sin_of(synack_addr_v4(addr), port);
    return (int)call(t, SO_OP_BIND, sd, 0, 0, &s, sizeof s);
}

static int so_listen(struct target *t, int sd, int backlog)
{
    return (int)call(t, SO_OP_LISTEN, sd, backlog, 0, NULL, 0);
}

static int so_accept(struct target *t, int sd) { return (int)call(t, SO_OP_ACCEPT, sd, 0, 0, NULL, 0); }

static int so_connect(struct target *t, int sd, const struct synack_addr *addr, uint16_t port)
{
    if (addr->family != SYNACK_AF_INET)
        return -EAFNOSUPPORT;
    struct sockaddr_in s = sin_of(synack_addr_v4(addr), port);
    return (int)call(t, SO_OP_CONNECT, sd, 0, 0, &s, sizeof s);
}

static ssize_t so_send(struct target *t, int sd, const void *buf, size_t len, int flags)
{
    if (len > SO_MSG_MAX - sizeof(struct so_req))
        len = SO_MSG_MAX - sizeof(struct so_req);
    return call(t, SO_OP_SEND, sd, flags, 0, buf, len);
}

static ssize_t so_recv_sock(struct target *t, int sd, void *buf, size_t len, int flags)
{
    struct so_req q = {.op = SO_OP_RECVMSG, .a = sd, .b = (int)(len > 65536 ? 65536 : len), .c = flags};
    struct so_rep r;
    if (rpc(t, &q, NULL, &r, buf, len, NULL, 0) < 0)
        return -EIO;
    return r.ret < 0 ? -(ssize_t)(r.err ? r.err : EIO) : (ssize_t)r.ret;
}

static int so_shutdown(struct target *t, int sd, int how)
{
    return (int)call(t, SO_OP_SHUTDOWN, sd, how, 0, NULL, 0);
}

static int so_close_sock(struct target *t, int sd) { return (int)call(t, SO_OP_CLOSE, sd, 0, 0, NULL, 0); }

static int so_setsockopt(struct target *t, int sd, int level, int name, const void *val, size_t len)
{
    return (int)call(t, SO_OP_SETSOCKOPT, sd, level, name, val, len);
}

static int so_getsockopt(struct target *t, int sd, int level, int name, void *val, size_t *len)
{
    struct so_req q = {.op = SO_OP_GETSOCKOPT, .a = sd, .b = level, .c = name, .d = (int)*len};
    struct so_rep r;
    if (rpc(t, &q, NULL, &r, val, *len, len, 0) < 0)
        return -EIO;
    return r.ret < 0 ? -(r.err ? r.err : EIO) : 0;
}

static int so_events(struct target *t, int sd)
{
    long ev = call(t, SO_OP_EVENTS, sd, 0, 0, NULL, 0);
    return ev < 0 ? SYNACK_POLLERR : (int)ev;
}

static int so_info(struct target *t, int sd, struct synack_tcp_info *info)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    size_t len = sizeof ti;
    int rc = so_getsockopt(t, sd, IPPROTO_TCP, TCP_INFO, &ti, &len);
    if (rc < 0)
        return rc;
    linux_info_convert(&ti, info);
    /* synack's own, which Linux's tcp_info has no room for: objects that
     * do not know it say ENOPROTOOPT */
    int soft = 0;
    len = sizeof soft;
    if (so_getsockopt(t, sd, SYNACK_SOL_TCP, SYNACK_TCP_SOFT_ERROR, &soft, &len) == 0)
        info->soft_error = -soft;
    return 0;
}

static const struct target_ops so_template = {
    .open = so_open,
    .close = so_close,
    .now = so_now,
    .wait = so_wait,
    .inject = so_inject,
    .recv = so_recv,
    .sock_socket = so_socket,
    .sock_bind = so_bind,
    .sock_listen = so_listen,
    .sock_accept = so_accept,
    .sock_connect = so_connect,
    .sock_send = so_send,
    .sock_recv = so_recv_sock,
    .sock_shutdown = so_shutdown,
    .sock_close = so_close_sock,
    .sock_setsockopt = so_setsockopt,
    .sock_getsockopt = so_getsockopt,
    .sock_events = so_events,
    .sock_info = so_info,
    .fault = so_fault,
};

/* ---- resolving: which program, which clock ---- */

/* NAME beside the running program (build/synack -> build/NAME). */
static char *beside_self(const char *name)
{
    char self[PATH_MAX];
    ssize_t r = readlink("/proc/self/exe", self, sizeof self - 1);
    if (r <= 0)
        return NULL;
    self[r] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return NULL;
    *slash = '\0';
    char *out = malloc(strlen(self) + strlen(name) + 2);
    if (out)
        sprintf(out, "%s/%s", self, name);
    return out;
}

char *so_beside_harness(const char *env, const char *name)
{
    const char *e = getenv(env);
    return e && *e ? strdup(e) : beside_self(name);
}

static void spec_free(struct so_spec *sp)
{
    if (!sp)
        return;
    free(sp->name);
    free(sp->path);
    free(sp->flags);
    free(sp->host);
    free(sp);
}

/* Load the object once to learn its clock: a virtual clock makes the
 * target virtual_time. The object's own complaints are the error. */
static int probe(struct so_spec *sp, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    t->spec = sp;
    t->pid = -1;
    uint32_t rflags = 0;
    int rc = spawn(t, err, n);
    if (rc == 0)
        rc = host_init(t, SO_CLOCK_PROBE, sp->flags, &rflags, err, n);
    so_close(t);
    sp->clock = rflags & SO_HAS_VIRTUAL ? SO_CLOCK_VIRTUAL : SO_CLOCK_REAL;
    return rc;
}

const struct target_ops *so_target_new(const char *name, const char *path, const char *flags,
                                       bool multihomed, char *err, size_t n)
{
    struct so_spec *sp = calloc(1, sizeof *sp);
    struct target_ops *ops = calloc(1, sizeof *ops);
    if (!sp || !ops || !(sp->name = strdup(name)) || !(sp->path = strdup(path)) ||
        !(sp->flags = strdup(flags ? flags : ""))) {
        snprintf(err, n, "out of memory");
        goto fail;
    }
    const char *tmo = getenv("SYNACK_SO_CALL_TIMEOUT");
    sp->timeout_s = tmo && atoi(tmo) > 0 ? atoi(tmo) : SO_CALL_TIMEOUT_S;
    sp->host = so_beside_harness("SYNACK_SO_HOST", "synack-so-host");
    if (!sp->host || access(sp->host, X_OK) < 0) {
        snprintf(err, n, "the so: target needs synack-so-host beside synack (or SYNACK_SO_HOST): "
                 "%s: %s", sp->host ? sp->host : "?", strerror(errno));
        goto fail;
    }
    if (access(path, R_OK) < 0) {
        snprintf(err, n, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (probe(sp, err, n) < 0)
        goto fail;
    *ops = so_template;
    ops->name = sp->name;
    ops->virtual_time = sp->clock == SO_CLOCK_VIRTUAL;
    ops->multihomed = multihomed;
    ops->spec = sp;
    ops->release = so_target_free;
    return ops;
fail:
    spec_free(sp);
    free(ops);
    return NULL;
}

void so_target_free(const struct target_ops *ops)
{
    if (!ops)
        return;
    spec_free((struct so_spec *)ops->spec);
    free((struct target_ops *)ops);
}

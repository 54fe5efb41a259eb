/* The exec target: a stack that is a program (`--target exec:'COMMAND'`),
 * tested as a black box over a TUN device, the way TCP-over-TUN projects
 * run. Each vector gets a private network namespace (target/netns.h) with
 * a persistent TUN device, tun0, that nobody holds; COMMAND is started
 * there (`sh -c`) with the device and addresses in its environment, and
 * attaches to tun0 as its link. The harness stands on the kernel's side
 * of the device, as the tun target does: an AF_PACKET socket injects the
 * script's packets and sniffs what the program writes. The kernel side
 * has no address, so the kernel answers nothing itself.
 *
 * The program's application is what the script declares (// @app listen
 * 8080 echo): the program reads it from $SYNACK_APP; the script holds
 * packet lines only (system call lines are a named skip, runner.c).
 *
 * Environment of COMMAND: SYNACK_TUN (tun0), SYNACK_ADDR (the stack's
 * address, the script's --local_ip), SYNACK_PEER (the script's side),
 * SYNACK_MTU, SYNACK_APP (the @app words, "" without), SYNACK_PORT (the
 * port to listen on or connect to) and, for `connect`, SYNACK_REMOTE
 * (ADDR:PORT). Real clock. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/exec.h"
#include "target/last_words.h"
#include "target/netns.h"
#include "target/pktq.h"
#include "target/target.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define EXEC_DEV "tun0"
#define EXEC_ATTACH_US 5000000 /* how long the program may take to attach to the device */
#define EXEC_SETTLE_US 100000  /* after it attached: time to listen before time 0 */
#define EXEC_TERM_US 1000000   /* SIGTERM, then this long before SIGKILL */
#define EXEC_ENV_MAX 512

extern char **environ;

struct exec_spec {
    char *name;    /* "exec:COMMAND" */
    char *command;
};

struct target {
    const struct exec_spec *spec;
    struct netns ns;
    int ctl;       /* an AF_INET socket in the namespace: device ioctls */
    int psock;     /* AF_PACKET on the device: inject and sniff */
    int ifindex;
    int outfd;     /* the program's stdout and stderr (a memfd) */
    pid_t pid;     /* the program's process group */
    int status;    /* once reaped */
    bool reaped;
    uint64_t t0;
    struct pktq out;
    uint64_t not_ipv4;
    char fault[400];
    uint8_t buf[65536];
};

static uint64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* ---- the application profile ---- */

static bool parse_addr_port(const char *s, uint32_t *addr, uint16_t *port)
{
    unsigned a, b, c, d, p;
    char extra;
    if (sscanf(s, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &p, &extra) != 5 || a > 255 || b > 255 ||
        c > 255 || d > 255 || p == 0 || p > 65535)
        return false;
    *addr = a << 24 | b << 16 | c << 8 | d;
    *port = (uint16_t)p;
    return true;
}

/* "listen PORT ..." or "connect ADDR:PORT ...": the port, and the remote. */
static bool parse_app(const char *app, char *port, size_t pn, char *remote, size_t rn)
{
    char role[16], where[64];
    port[0] = remote[0] = '\0';
    if (!app)
        return true;
    if (sscanf(app, "%15s %63s", role, where) != 2)
        return false;
    if (strcmp(role, "listen") == 0) {
        char *end;
        long p = strtol(where, &end, 10);
        if (*end || p < 1 || p > 65535)
            return false;
        snprintf(port, pn, "%ld", p);
        return true;
    }
    uint32_t addr;
    uint16_t p;
    if (strcmp(role, "connect") != 0 || !parse_addr_port(where, &addr, &p))
        return false;
    snprintf(port, pn, "%u", p);
    snprintf(remote, rn, "%s", where);
    return true;
}

/* ---- the program ---- */

/* Reap the program if it has ended; a death by a signal is the fault. */
static bool program_gone(struct target *t)
{
    if (t->reaped)
        return true;
    if (t->pid <= 0 || waitpid(t->pid, &t->status, WNOHANG) != t->pid)
        return false;
    t->reaped = true;
    if (WIFSIGNALED(t->status)) {
        char words[300];
        last_words(t->outfd, words, sizeof words);
        const char *sig = sigabbrev_np(WTERMSIG(t->status));
        snprintf(t->fault, sizeof t->fault, "the stack under test crashed: SIG%s%s",
                 sig ? sig : "?", words);
    }
    return true;
}

static void env_add(char **env, size_t *n, char *storage, size_t *used, size_t cap,
                    const char *key, const char *val)
{
    int k = snprintf(storage + *used, cap - *used, "%s=%s", key, val ? val : "");
    if (k < 0 || (size_t)k >= cap - *used || *n + 1 >= EXEC_ENV_MAX)
        return;
    env[(*n)++] = storage + *used;
    *used += (size_t)k + 1;
}

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(const char *command, char **env, int outfd)
{
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0 || dup2(outfd, 1) < 0 || dup2(outfd, 2) < 0)
        _exit(126);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    execve("/bin/sh", argv, env);
    _exit(127);
}

static int start_program(struct target *t, const struct target_config *cfg, char *err, size_t n)
{
    char port[8], remote[72], addr[48], peer[48], mtu[8];
    if (!parse_app(cfg->app, port, sizeof port, remote, sizeof remote)) {
        snprintf(err, n, "@app: expected 'listen PORT ...' or 'connect ADDR:PORT ...', got '%s'",
                 cfg->app);
        return -1;
    }
    synack_addr_format(&cfg->local, addr, sizeof addr);
    synack_addr_format(&cfg->remote, peer, sizeof peer);
    snprintf(mtu, sizeof mtu, "%u", cfg->mtu);
    static const char *const ours[] = {"SYNACK_TUN=", "SYNACK_ADDR=", "SYNACK_PEER=", "SYNACK_MTU=",
                                       "SYNACK_APP=", "SYNACK_PORT=", "SYNACK_REMOTE="};
    char *env[EXEC_ENV_MAX], storage[4096];
    size_t ne = 0, used = 0;
    for (char **e = environ; *e && ne + 8 < EXEC_ENV_MAX; e++) {
        bool shadowed = false;
        for (size_t k = 0; k < sizeof ours / sizeof ours[0]; k++)
            shadowed |= strncmp(*e, ours[k], strlen(ours[k])) == 0;
        if (!shadowed)
            env[ne++] = *e;
    }
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_TUN", EXEC_DEV);
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_ADDR", addr);
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_PEER", peer);
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_MTU", mtu);
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_APP", cfg->app ? cfg->app : "");
    env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_PORT", port);
    if (remote[0])
        env_add(env, &ne, storage, &used, sizeof storage, "SYNACK_REMOTE", remote);
    env[ne] = NULL;
    t->pid = fork(); /* in the vector's namespace: the thread is there now */
    if (t->pid == 0)
        child(t->spec->command, env, t->outfd);
    if (t->pid < 0) {
        snprintf(err, n, "fork: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- the device ---- */

/* tun0, persistent, up, with the MTU: the program attaches to it. */
static int make_device(struct target *t, uint16_t mtu, char *err, size_t n)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", EXEC_DEV);
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
        snprintf(err, n, "TUN device %s: %s", EXEC_DEV, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd); /* persistent: it stays, unattached, until the namespace goes */
    t->ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", EXEC_DEV);
    ifr.ifr_mtu = mtu;
    if (t->ctl < 0 || ioctl(t->ctl, SIOCSIFMTU, &ifr) < 0 || ioctl(t->ctl, SIOCGIFFLAGS, &ifr) < 0) {
        snprintf(err, n, "%s: %s", EXEC_DEV, strerror(errno));
        return -1;
    }
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(t->ctl, SIOCSIFFLAGS, &ifr) < 0) {
        snprintf(err, n, "%s up: %s", EXEC_DEV, strerror(errno));
        return -1;
    }
    t->ifindex = (int)if_nametoindex(EXEC_DEV);
    t->psock = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
                              .sll_ifindex = t->ifindex};
    int one = 1;
    if (t->psock < 0 || bind(t->psock, (struct sockaddr *)&sll, sizeof sll) < 0) {
        snprintf(err, n, "packet socket on %s: %s", EXEC_DEV, strerror(errno));
        return -1;
    }
    setsockopt(t->psock, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    return 0;
}

/* The device's carrier: up while a program holds it (the TUN driver turns
 * it on when a queue attaches and off when the last one goes). */
static bool attached(const struct target *t)
{
    struct ethtool_value link = {.cmd = ETHTOOL_GLINK};
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", EXEC_DEV);
    ifr.ifr_data = (void *)&link;
    return ioctl(t->ctl, SIOCETHTOOL, &ifr) == 0 && link.data;
}

/* Until the program holds the device (its carrier is up), or gives up. */
static int await_attach(struct target *t, char *err, size_t n)
{
    uint64_t give_up = mono_us() + EXEC_ATTACH_US;
    while (!attached(t)) {
        if (program_gone(t)) {
            char words[300];
            last_words(t->outfd, words, sizeof words);
            snprintf(err, n, "the stack under test ended (%s %d) before it attached to %s%s",
                     WIFSIGNALED(t->status) ? "signal" : "status",
                     WIFSIGNALED(t->status) ? WTERMSIG(t->status) : WEXITSTATUS(t->status),
                     EXEC_DEV, words);
            return -1;
        }
        if (mono_us() >= give_up) {
            snprintf(err, n, "the stack under test did not attach to %s within %d s", EXEC_DEV,
                     EXEC_ATTACH_US / 1000000);
            return -1;
        }
        usleep(2000);
    }
    usleep(EXEC_SETTLE_US);
    return 0;
}

/* ---- the target ---- */

static void exec_close(struct target *t)
{
    if (!t)
        return;
    if (t->pid > 0 && !program_gone(t)) {
        kill(-t->pid, SIGTERM);
        uint64_t give_up = mono_us() + EXEC_TERM_US;
        while (!program_gone(t) && mono_us() < give_up)
            usleep(2000);
        if (!t->reaped) {
            kill(-t->pid, SIGKILL);
            waitpid(t->pid, &t->status, 0);
        }
    }
    if (t->pid > 0)
        kill(-t->pid, SIGKILL); /* what it left behind in its group */
    if (t->psock >= 0)
        close(t->psock);
    if (t->ctl >= 0)
        close(t->ctl);
    if (t->outfd >= 0)
        close(t->outfd);
    netns_close(&t->ns);
    pktq_clear(&t->out);
    free(t);
}

static int exec_open(struct target **out, const struct target_config *cfg, char *err, size_t n)
{
    struct target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    t->spec = cfg->spec;
    t->psock = t->ctl = t->outfd = -1;
    if (netns_create(&t->ns, err, n) < 0) {
        free(t);
        return -1;
    }
    netns_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    netns_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
    t->outfd = memfd_create("synack-exec-output", MFD_CLOEXEC);
    int rc = t->outfd < 0 ? (snprintf(err, n, "memfd: %s", strerror(errno)), -1)
                          : make_device(t, cfg->mtu, err, n);
    if (rc == 0)
        rc = start_program(t, cfg, err, n);
    netns_leave(&t->ns);
    if (rc == 0)
        rc = await_attach(t, err, n);
    if (rc < 0) {
        exec_close(t);
        return -1;
    }
    t->t0 = mono_us();
    *out = t;
    return 0;
}

static int64_t exec_now(struct target *t)
{
    return (int64_t)(mono_us() - t->t0);
}

static void sniff(struct target *t)
{
    pktq_sniff(&t->out, t->psock, t->buf, sizeof t->buf, exec_now(t), false, &t->not_ipv4);
}

static bool exec_wait(struct target *t, int64_t until)
{
    sniff(t);
    program_gone(t);
    if (t->out.count)
        return true;
    int64_t now = exec_now(t);
    if (until > now) {
        int64_t d = until - now;
        struct timespec ts = {.tv_sec = d / 1000000, .tv_nsec = (long)(d % 1000000) * 1000};
        struct pollfd p = {.fd = t->psock, .events = POLLIN};
        ppoll(&p, 1, &ts, NULL);
    }
    sniff(t);
    return t->out.count > 0;
}

static int exec_inject(struct target *t, const uint8_t *pkt, size_t len)
{
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = t->ifindex};
    return sendto(t->psock, pkt, len, 0, (struct sockaddr *)&to, sizeof to) < 0 ? -errno : 0;
}

static bool exec_recv(struct target *t, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    if (t->out.count == 0)
        sniff(t);
    return pktq_pop(&t->out, buf, cap, len, when);
}

static const char *exec_fault(struct target *t)
{
    program_gone(t);
    return t->fault[0] ? t->fault : NULL;
}

/* No socket calls: the program is the application (runner.c skips system
 * call lines on a target without sock_socket). */
static const struct target_ops exec_template = {
    .virtual_time = false,
    .open = exec_open,
    .close = exec_close,
    .now = exec_now,
    .wait = exec_wait,
    .inject = exec_inject,
    .recv = exec_recv,
    .fault = exec_fault,
    .release = exec_target_free,
};

const struct target_ops *exec_target_new(const char *command, char *err, size_t n)
{
    struct exec_spec *sp = calloc(1, sizeof *sp);
    struct target_ops *ops = calloc(1, sizeof *ops);
    if (!sp || !ops) {
        free(sp);
        free(ops);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    *ops = exec_template;
    ops->spec = sp;
    size_t nl = strlen(command) + 6;
    sp->command = strdup(command);
    sp->name = malloc(nl);
    if (!sp->command || !sp->name) {
        exec_target_free(ops);
        snprintf(err, n, "out of memory");
        return NULL;
    }
    snprintf(sp->name, nl, "exec:%s", command);
    ops->name = sp->name;
    return ops;
}

void exec_target_free(const struct target_ops *ops)
{
    if (!ops)
        return;
    struct exec_spec *sp = (struct exec_spec *)ops->spec;
    if (sp) {
        free(sp->name);
        free(sp->command);
        free(sp);
    }
    free((struct target_ops *)ops);
}

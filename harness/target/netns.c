/* Private network namespaces for the tun and linux targets: unshare in the
 * calling thread only (a network namespace is per thread), remember the way
 * home, never name the namespace (so nothing outlives the target). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "target/netns.h"

int netns_create(struct netns *n, char *err, size_t len)
{
    n->home = n->own = -1;
    n->home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (n->home < 0) {
        snprintf(err, len, "/proc/thread-self/ns/net: %s", strerror(errno));
        return -1;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        int e = errno;
        snprintf(err, len, "cannot create a network namespace: %s%s", strerror(e),
                 e == EPERM ? " (the tun and linux targets need root: CAP_SYS_ADMIN and "
                              "CAP_NET_ADMIN)" : "");
        netns_close(n);
        return -1;
    }
    n->own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (n->own < 0) {
        snprintf(err, len, "/proc/thread-self/ns/net: %s", strerror(errno));
        netns_leave(n);
        netns_close(n);
        return -1;
    }
    return 0;
}

int netns_enter(const struct netns *n)
{
    return setns(n->own, CLONE_NEWNET) < 0 ? -errno : 0;
}

int netns_leave(const struct netns *n)
{
    return setns(n->home, CLONE_NEWNET) < 0 ? -errno : 0;
}

void netns_close(struct netns *n)
{
    if (n->own >= 0)
        close(n->own);
    if (n->home >= 0)
        close(n->home);
    n->own = n->home = -1;
}

int netns_sysctl(const char *path, const char *value)
{
    char full[256];
    snprintf(full, sizeof full, "/proc/sys/%s", path);
    int fd = open(full, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = strlen(value);
    ssize_t w = write(fd, value, n);
    int e = w == (ssize_t)n ? 0 : (w < 0 ? -errno : -EIO);
    close(fd);
    return e;
}

int netns_sysctl_read(const char *path, unsigned long long *value)
{
    char full[256], text[32];
    snprintf(full, sizeof full, "/proc/sys/%s", path);
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t r = read(fd, text, sizeof text - 1);
    int e = r < 0 ? -errno : 0;
    close(fd);
    if (e)
        return e;
    text[r] = '\0';
    char *end;
    errno = 0;
    *value = strtoull(text, &end, 10);
    return end == text || errno ? -EINVAL : 0;
}

/* The child of netns_shell: only system calls between fork and exec (the
 * harness has other threads). Every descriptor but 0-2 is closed, so the
 * command holds no socket or device of another vector. */
static void shell_child(const struct netns *n, const char *cmd, const char *cwd, int out)
{
    int null = open("/dev/null", O_RDONLY);
    if (setns(n->own, CLONE_NEWNET) < 0 || chdir(cwd) < 0 || null < 0 ||
        dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(126);
    close_range(3, ~0u, 0);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read the child's output into out until it closes or the deadline. */
static bool shell_output(int fd, int64_t deadline, char *out, size_t outlen)
{
    size_t k = 0;
    char sink[512];
    for (;;) {
        int64_t left = deadline - ms_now();
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return false;
        bool room = k + 1 < outlen;
        ssize_t r = read(fd, room ? out + k : sink, room ? outlen - 1 - k : sizeof sink);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return true;
        if (room)
            k += (size_t)r;
        out[k] = '\0';
    }
}

int netns_shell(const struct netns *n, const char *cmd, const char *cwd, int timeout_ms,
                char *out, size_t outlen)
{
    int p[2];
    out[0] = '\0';
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t pid = fork();
    if (pid == 0)
        shell_child(n, cmd, cwd, p[1]);
    int e = errno;
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -e;
    }
    bool finished = shell_output(p[0], ms_now() + timeout_ms, out, outlen);
    close(p[0]);
    if (!finished) {
        kill(pid, SIGKILL);
        snprintf(out, outlen, "still running after %d ms: killed", timeout_ms);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
}

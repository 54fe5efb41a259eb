/* Private network namespaces for the tun and linux targets: unshare in the
 * calling thread only (a network namespace is per thread), remember the way
 * home, never name the namespace (so nothing outlives the target). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
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

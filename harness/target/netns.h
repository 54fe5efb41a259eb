/* target/netns.h: private network namespaces for the real-time targets
 * (DESIGN 9). A target opens a fresh, anonymous namespace in the calling
 * thread, creates its TUN device and sockets there, and steps back to the
 * namespace it came from; the namespace lives exactly as long as the
 * descriptors that point into it, so closing the target (or the process
 * dying) deletes it with every device in it. Nothing is ever created in
 * the namespace the harness runs in. */
#ifndef SYNACK_HARNESS_NETNS_H
#define SYNACK_HARNESS_NETNS_H

#include <stddef.h>

struct netns {
    int home;  /* the namespace the thread came from */
    int own;   /* the private one */
};

/* Create a private namespace and move the calling thread into it (leave
 * with netns_leave). 0, or -1 with a message in err (no CAP_SYS_ADMIN). */
int netns_create(struct netns *n, char *err, size_t errlen);
/* Move the calling thread into n's namespace, or back home. 0 or -errno. */
int netns_enter(const struct netns *n);
int netns_leave(const struct netns *n);
/* Close both descriptors (the namespace goes when nothing else holds it). */
void netns_close(struct netns *n);

/* Write value to /proc/sys/<path> as seen from the calling thread's
 * namespace; 0 or -errno (a missing file is -ENOENT). */
int netns_sysctl(const char *path, const char *value);

/* Read /proc/sys/<path> as seen from the calling thread's namespace as
 * an unsigned number; 0 or -errno. */
int netns_sysctl_read(const char *path, unsigned long long *value);

/* Run `/bin/sh -c cmd` in n's namespace with cwd as working directory
 * (packetdrill's shell lines), its standard output and error captured.
 * Returns its exit status (0..255; 128+N when killed by signal N), or
 * -errno if it could not be run; the first part of its output (or why it
 * did not finish: killed after timeout_ms) in out. */
int netns_shell(const struct netns *n, const char *cmd, const char *cwd, int timeout_ms,
                char *out, size_t outlen);

#endif

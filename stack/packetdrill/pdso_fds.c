/* Socket numbers that are real file descriptors (pdso_fds.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "packetdrill/pdso_fds.h"

void pdso_fds_init(struct pdso_fds *t)
{
    for (int i = 0; i < PDSO_FDS_MAX; i++)
        t->fd[i] = -1;
}

int pdso_fd_new(struct pdso_fds *t, int sock)
{
    if (sock < 0 || sock >= PDSO_FDS_MAX)
        return -EMFILE;
    int fd = memfd_create("packetdrill-socket", MFD_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return -e;
    }
    t->fd[sock] = fd;
    t->ino[sock] = st.st_ino;
    return fd;
}

int pdso_fd_sock(const struct pdso_fds *t, int fd)
{
    for (int s = 0; fd >= 0 && s < PDSO_FDS_MAX; s++)
        if (t->fd[s] == fd)
            return s;
    return -1;
}

void pdso_fd_forget(struct pdso_fds *t, int sock)
{
    if (sock < 0 || sock >= PDSO_FDS_MAX || t->fd[sock] < 0)
        return;
    close(t->fd[sock]);
    t->fd[sock] = -1;
}

void pdso_fds_close_all(struct pdso_fds *t)
{
    for (int s = 0; s < PDSO_FDS_MAX; s++) {
        struct stat st;
        if (t->fd[s] >= 0 && fstat(t->fd[s], &st) == 0 && st.st_ino == t->ino[s])
            close(t->fd[s]);
        t->fd[s] = -1;
    }
}

/* stack/packetdrill/pdso_fds.h: socket numbers that are real file
 * descriptors, for objects of packetdrill's SO interface. packetdrill
 * close(2)s the sockets a script leaves open when it ends, so the number
 * an object hands out must be a descriptor of the process: each socket
 * of the stack gets a memfd, and the table maps one to the other. Not
 * locked: the object's own lock guards it. */
#ifndef SYNACK_PDSO_FDS_H
#define SYNACK_PDSO_FDS_H

#include <stdbool.h>
#include <sys/types.h>

#define PDSO_FDS_MAX 1024 /* sockets of the stack: numbers 0 .. PDSO_FDS_MAX-1 */

struct pdso_fds {
    int fd[PDSO_FDS_MAX];     /* by the stack's socket number; -1: none */
    ino_t ino[PDSO_FDS_MAX];  /* the memfd's inode: still ours? */
};

void pdso_fds_init(struct pdso_fds *t);
/* A descriptor for the stack's socket sock: >= 0, or -errno. */
int pdso_fd_new(struct pdso_fds *t, int sock);
/* The stack's socket packetdrill calls fd, or -1. */
int pdso_fd_sock(const struct pdso_fds *t, int fd);
/* The socket is closed: close its descriptor. */
void pdso_fd_forget(struct pdso_fds *t, int sock);
/* At the end: close the descriptors still ours (packetdrill may have
 * closed some, and the numbers may be another file's by now). */
void pdso_fds_close_all(struct pdso_fds *t);

#endif

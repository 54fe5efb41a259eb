/* What our objects of packetdrill's SO interface do not do (pdso_enosys.h). */
#include <errno.h>

#include "packetdrill/pdso_enosys.h"

static int no(void)
{
    errno = ENOSYS;
    return -1;
}

static int no_epoll_create(void *u, int size) { (void)u; (void)size; return no(); }
static int no_epoll_ctl(void *u, int epfd, int op, int fd, struct epoll_event *e)
{
    (void)u; (void)epfd; (void)op; (void)fd; (void)e;
    return no();
}
static int no_epoll_wait(void *u, int epfd, struct epoll_event *e, int max, int timeout)
{
    (void)u; (void)epfd; (void)e; (void)max; (void)timeout;
    return no();
}
static int no_pipe(void *u, int fds[2]) { (void)u; (void)fds; return no(); }
static int no_splice(void *u, int in, loff_t *oin, int out, loff_t *oout, size_t len, unsigned f)
{
    (void)u; (void)in; (void)oin; (void)out; (void)oout; (void)len; (void)f;
    return no();
}

void pdso_enosys(struct packetdrill_interface *ifc)
{
    ifc->epoll_create = no_epoll_create;
    ifc->epoll_ctl = no_epoll_ctl;
    ifc->epoll_wait = no_epoll_wait;
    ifc->pipe = no_pipe;
    ifc->splice = no_splice;
}

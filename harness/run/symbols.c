/* Symbolic constants of system call lines (Linux values, as packetdrill
 * scripts write them) and errno names. */
#include <errno.h>
#include <string.h>

#include <synack/socket.h>

#include "run/run_internal.h"

struct sym {
    const char *name;
    int64_t value;
};

static const struct sym symbols[] = {
    {"AF_INET", 2},
    {"PF_INET", 2},
    {"SOCK_STREAM", 1},
    {"SOCK_NONBLOCK", 04000},
    {"IPPROTO_TCP", 6},
    {"IPPROTO_IP", 0},
    {"SOL_TCP", SYNACK_SOL_TCP},
    {"SOL_IP", SYNACK_IPPROTO_IP},
    {"SOL_SOCKET", SYNACK_SOL_SOCKET},
    {"SO_REUSEADDR", SYNACK_SO_REUSEADDR},
    {"SO_ERROR", SYNACK_SO_ERROR},
    {"SO_SNDBUF", SYNACK_SO_SNDBUF},
    {"SO_RCVBUF", SYNACK_SO_RCVBUF},
    {"SO_KEEPALIVE", SYNACK_SO_KEEPALIVE},
    {"SO_OOBINLINE", SYNACK_SO_OOBINLINE},
    {"SO_LINGER", SYNACK_SO_LINGER},
    {"IP_TOS", SYNACK_IP_TOS},
    {"IP_TTL", SYNACK_IP_TTL},
    {"TCP_NODELAY", SYNACK_TCP_NODELAY},
    {"TCP_MAXSEG", SYNACK_TCP_MAXSEG},
    {"TCP_KEEPIDLE", SYNACK_TCP_KEEPIDLE},
    {"TCP_KEEPINTVL", SYNACK_TCP_KEEPINTVL},
    {"TCP_KEEPCNT", SYNACK_TCP_KEEPCNT},
    {"TCP_INFO", SYNACK_TCP_INFO},
    {"TCP_USER_TIMEOUT", SYNACK_TCP_USER_TIMEOUT},
    {"SHUT_RD", SYNACK_SHUT_RD},
    {"SHUT_WR", SYNACK_SHUT_WR},
    {"SHUT_RDWR", SYNACK_SHUT_RDWR},
    {"MSG_OOB", SYNACK_MSG_OOB},
    {"MSG_PEEK", SYNACK_MSG_PEEK},
    {"MSG_DONTWAIT", SYNACK_MSG_DONTWAIT},
    {"MSG_NOSIGNAL", SYNACK_MSG_NOSIGNAL},
    {"O_RDONLY", 0},
    {"O_WRONLY", 1},
    {"O_RDWR", 2},
    {"O_NONBLOCK", 04000},
    {"F_GETFL", 3},
    {"F_SETFL", 4},
    {"POLLIN", SYNACK_POLLIN},
    {"POLLPRI", SYNACK_POLLPRI},
    {"POLLOUT", SYNACK_POLLOUT},
    {"POLLERR", SYNACK_POLLERR},
    {"POLLHUP", SYNACK_POLLHUP},
    {"POLLRDHUP", SYNACK_POLLRDHUP},
    {"POLLNVAL", 0x020},
    {"INADDR_ANY", 0},
    /* Linux tcpi_state values */
    {"TCP_ESTABLISHED", 1},
    {"TCP_SYN_SENT", 2},
    {"TCP_SYN_RECV", 3},
    {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5},
    {"TCP_TIME_WAIT", 6},
    {"TCP_CLOSE", 7},
    {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},
    {"TCP_LISTEN", 10},
    {"TCP_CLOSING", 11},
};

bool symbol_value(const char *name, int64_t *v)
{
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        if (strcmp(symbols[i].name, name) == 0) {
            *v = symbols[i].value;
            return true;
        }
    }
    int e;
    if (errno_value(name, &e)) { /* getsockopt(SO_ERROR) expects [ECONNREFUSED] */
        *v = e;
        return true;
    }
    return false;
}

#define E(x) {#x, x}
static const struct {
    const char *name;
    int value;
} errnos[] = {
    E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(EBADF), E(EAGAIN), E(ENOMEM), E(EACCES),
    E(EFAULT), E(EBUSY), E(EEXIST), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOSPC), E(EPIPE),
    E(ENOTSOCK), E(EDESTADDRREQ), E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT),
    E(EPROTONOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE), E(EADDRNOTAVAIL),
    E(ENETDOWN), E(ENETUNREACH), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
    E(ENOTCONN), E(ETIMEDOUT), E(ECONNREFUSED), E(EHOSTUNREACH), E(EALREADY),
    E(EINPROGRESS), E(ESHUTDOWN),
};
#undef E

const char *errno_name(int e)
{
    if (e == EWOULDBLOCK)
        return "EAGAIN";
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
        if (errnos[i].value == e)
            return errnos[i].name;
    return NULL;
}

bool errno_value(const char *name, int *e)
{
    if (strcmp(name, "EWOULDBLOCK") == 0) {
        *e = EAGAIN;
        return true;
    }
    for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++) {
        if (strcmp(errnos[i].name, name) == 0) {
            *e = errnos[i].value;
            return true;
        }
    }
    return false;
}

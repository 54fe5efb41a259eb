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
    {"TCP_FASTOPEN", SYNACK_TCP_FASTOPEN},
    {"TCP_FASTOPEN_CONNECT", SYNACK_TCP_FASTOPEN_CONNECT},
    /* synack's switches of the TCP extensions (socket.h); on the linux
     * target they set the namespace's sysctl of the same name */
    {"SYNACK_TCP_WINDOW_SCALING", SYNACK_TCP_WINDOW_SCALING},
    {"SYNACK_TCP_TIMESTAMPS", SYNACK_TCP_TIMESTAMPS},
    {"SYNACK_TCP_SACK", SYNACK_TCP_SACK},
    {"SYNACK_TCP_DSACK", SYNACK_TCP_DSACK},
    {"SYNACK_TCP_ECN", SYNACK_TCP_ECN},
    {"SYNACK_TCP_RECOVERY", SYNACK_TCP_RECOVERY},
    {"SYNACK_TCP_FASTOPEN_MODE", SYNACK_TCP_FASTOPEN_MODE},
    {"SYNACK_RECOVERY_NEWRENO", SYNACK_RECOVERY_NEWRENO},
    {"SYNACK_RECOVERY_SACK", SYNACK_RECOVERY_SACK},
    {"SYNACK_RECOVERY_RACK", SYNACK_RECOVERY_RACK},
    /* Linux tcpi_options bits */
    {"TCPI_OPT_TIMESTAMPS", SYNACK_TCPI_OPT_TIMESTAMPS},
    {"TCPI_OPT_SACK", SYNACK_TCPI_OPT_SACK},
    {"TCPI_OPT_WSCALE", SYNACK_TCPI_OPT_WSCALE},
    {"TCPI_OPT_ECN", SYNACK_TCPI_OPT_ECN},
    {"TCPI_OPT_ECN_SEEN", SYNACK_TCPI_OPT_ECN_SEEN},
    {"TCPI_OPT_SYN_DATA", SYNACK_TCPI_OPT_SYN_DATA},
    {"SYNACK_TCP_ICMP_HARD_ABORT", SYNACK_TCP_ICMP_HARD_ABORT}, /* synack's own */
    {"SYNACK_TCP_MTU_PROBING", SYNACK_TCP_MTU_PROBING},         /* synack's own */
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
    {"NULL", 0},
    /* The rest of the Linux names packetdrill scripts use (values from the
     * kernel's UAPI headers), so every name resolves when the script is
     * read; what a target cannot do with one is its own named skip. */
    {"AF_UNSPEC", 0},
    {"AF_UNIX", 1},
    {"AF_INET6", 10},
    {"PF_INET6", 10},
    {"PF_UNIX", 1},
    {"SOCK_DGRAM", 2},
    {"SOCK_RAW", 3},
    {"SOCK_CLOEXEC", 524288},
    {"IPPROTO_UDP", 17},
    {"IPPROTO_MPTCP", 262}, /* Linux's; synack has no MPTCP */
    {"IPPROTO_IPV6", 41},
    {"IPPROTO_ICMP", 1},
    {"IPPROTO_RAW", 255},
    {"SOL_IPV6", 41},
    {"SO_TYPE", 3},
    {"SO_DONTROUTE", 5},
    {"SO_BROADCAST", 6},
    {"SO_PRIORITY", 12},
    {"SO_REUSEPORT", 15},
    {"SO_RCVLOWAT", 18},
    {"SO_SNDLOWAT", 19},
    {"SO_RCVTIMEO", 20},
    {"SO_SNDTIMEO", 21},
    {"SO_BINDTODEVICE", 25},
    {"SO_ACCEPTCONN", 30},
    {"SO_MARK", 36},
    {"SO_TIMESTAMP", 29},
    {"SO_TIMESTAMPNS", 35},
    {"SO_TIMESTAMPING", 37},
    {"SO_PROTOCOL", 38},
    {"SO_DOMAIN", 39},
    {"SO_MAX_PACING_RATE", 47},
    {"SO_ZEROCOPY", 60},
    {"SO_TXTIME", 61},
    {"SO_MEMINFO", 55},
    {"SO_INCOMING_CPU", 49},
    {"SCM_TIMESTAMPING", 37},
    {"SCM_TSTAMP_SND", 0},
    {"SCM_TSTAMP_SCHED", 1},
    {"SCM_TSTAMP_ACK", 2},
    {"SOF_TIMESTAMPING_TX_HARDWARE", 1},
    {"SOF_TIMESTAMPING_TX_SOFTWARE", 2},
    {"SOF_TIMESTAMPING_RX_HARDWARE", 4},
    {"SOF_TIMESTAMPING_RX_SOFTWARE", 8},
    {"SOF_TIMESTAMPING_SOFTWARE", 16},
    {"SOF_TIMESTAMPING_SYS_HARDWARE", 32},
    {"SOF_TIMESTAMPING_RAW_HARDWARE", 64},
    {"SOF_TIMESTAMPING_OPT_ID", 128},
    {"SOF_TIMESTAMPING_TX_SCHED", 256},
    {"SOF_TIMESTAMPING_TX_ACK", 512},
    {"SOF_TIMESTAMPING_OPT_CMSG", 1024},
    {"SOF_TIMESTAMPING_OPT_TSONLY", 2048},
    {"SOF_TIMESTAMPING_OPT_STATS", 4096},
    {"SOF_TIMESTAMPING_OPT_PKTINFO", 8192},
    {"SOF_TIMESTAMPING_OPT_TX_SWHW", 16384},
    {"SO_EE_ORIGIN_NONE", 0},
    {"SO_EE_ORIGIN_LOCAL", 1},
    {"SO_EE_ORIGIN_ICMP", 2},
    {"SO_EE_ORIGIN_ICMP6", 3},
    {"SO_EE_ORIGIN_TIMESTAMPING", 4},
    {"SO_EE_ORIGIN_ZEROCOPY", 5},
    {"SO_EE_CODE_ZEROCOPY_COPIED", 1},
    {"IP_OPTIONS", 4},
    {"IP_HDRINCL", 3},
    {"IP_RECVOPTS", 6},
    {"IP_RETOPTS", 7},
    {"IP_PKTINFO", 8},
    {"IP_MTU_DISCOVER", 10},
    {"IP_RECVERR", 11},
    {"IP_RECVTTL", 12},
    {"IP_RECVTOS", 13},
    {"IP_MTU", 14},
    {"IP_FREEBIND", 15},
    {"IP_TRANSPARENT", 19},
    {"IP_BIND_ADDRESS_NO_PORT", 24},
    {"IP_LOCAL_PORT_RANGE", 51},
    {"IP_PMTUDISC_DONT", 0},
    {"IP_PMTUDISC_WANT", 1},
    {"IP_PMTUDISC_DO", 2},
    {"IP_PMTUDISC_PROBE", 3},
    {"IPV6_V6ONLY", 26},
    {"IPV6_RECVERR", 25},
    {"IPV6_TCLASS", 67},
    {"IPV6_MTU_DISCOVER", 23},
    {"IPV6_HOPLIMIT", 52},
    {"IPV6_UNICAST_HOPS", 16},
    {"TCP_CORK", 3},
    {"TCP_SYNCNT", 7},
    {"TCP_LINGER2", 8},
    {"TCP_DEFER_ACCEPT", 9},
    {"TCP_WINDOW_CLAMP", 10},
    {"TCP_QUICKACK", 12},
    {"TCP_CONGESTION", 13},
    {"TCP_MD5SIG", 14},
    {"TCP_THIN_LINEAR_TIMEOUTS", 16},
    {"TCP_THIN_DUPACK", 17},
    {"TCP_REPAIR", 19},
    {"TCP_REPAIR_QUEUE", 20},
    {"TCP_QUEUE_SEQ", 21},
    {"TCP_REPAIR_OPTIONS", 22},
    {"TCP_FASTOPEN", 23},
    {"TCP_TIMESTAMP", 24},
    {"TCP_NOTSENT_LOWAT", 25},
    {"TCP_CC_INFO", 26},
    {"TCP_SAVE_SYN", 27},
    {"TCP_SAVED_SYN", 28},
    {"TCP_REPAIR_WINDOW", 29},
    {"TCP_FASTOPEN_CONNECT", 30},
    {"TCP_ULP", 31},
    {"TCP_MD5SIG_EXT", 32},
    {"TCP_FASTOPEN_KEY", 33},
    {"TCP_FASTOPEN_NO_COOKIE", 34},
    {"TCP_ZEROCOPY_RECEIVE", 35},
    {"TCP_INQ", 36},
    {"TCP_CM_INQ", 36},
    {"TCP_TX_DELAY", 37},
    {"TCP_CA_Open", 0},
    {"TCP_CA_Disorder", 1},
    {"TCP_CA_CWR", 2},
    {"TCP_CA_Recovery", 3},
    {"TCP_CA_Loss", 4},
    {"MSG_CTRUNC", 8},
    {"MSG_PROXY", 16},
    {"MSG_TRUNC", 32},
    {"MSG_DONTROUTE", 4},
    {"MSG_EOR", 128},
    {"MSG_WAITALL", 256},
    {"MSG_FIN", 512},
    {"MSG_SYN", 1024},
    {"MSG_CONFIRM", 2048},
    {"MSG_RST", 4096},
    {"MSG_ERRQUEUE", 8192},
    {"MSG_MORE", 32768},
    {"MSG_WAITFORONE", 65536},
    {"MSG_ZEROCOPY", 67108864},
    {"MSG_FASTOPEN", 536870912},
    {"MSG_CMSG_CLOEXEC", 1073741824},
    {"EPOLLIN", 1},
    {"EPOLLPRI", 2},
    {"EPOLLOUT", 4},
    {"EPOLLERR", 8},
    {"EPOLLHUP", 16},
    {"EPOLLRDNORM", 64},
    {"EPOLLRDBAND", 128},
    {"EPOLLWRNORM", 256},
    {"EPOLLWRBAND", 512},
    {"EPOLLMSG", 1024},
    {"EPOLLRDHUP", 8192},
    {"EPOLLEXCLUSIVE", 268435456},
    {"EPOLLWAKEUP", 536870912},
    {"EPOLLONESHOT", 1073741824},
    {"EPOLLET", 2147483648},
    {"EPOLL_CTL_ADD", 1},
    {"EPOLL_CTL_DEL", 2},
    {"EPOLL_CTL_MOD", 3},
    {"EPOLL_CLOEXEC", 524288},
    {"O_CREAT", 64},
    {"O_EXCL", 128},
    {"O_TRUNC", 512},
    {"O_APPEND", 1024},
    {"O_CLOEXEC", 524288},
    {"O_DIRECT", 16384},
    {"O_NDELAY", 2048},
    {"F_DUPFD", 0},
    {"F_GETFD", 1},
    {"F_SETFD", 2},
    {"F_GETLK", 5},
    {"F_SETLK", 6},
    {"F_SETOWN", 8},
    {"F_GETOWN", 9},
    {"F_SETSIG", 10},
    {"F_GETSIG", 11},
    {"FD_CLOEXEC", 1},
    {"SIOCINQ", 21531},
    {"SIOCOUTQ", 21521},
    {"SIOCOUTQNSD", 35147},
    {"FIONREAD", 21531},
    {"FIONBIO", 21537},
    {"SPLICE_F_MOVE", 1},
    {"SPLICE_F_NONBLOCK", 2},
    {"SPLICE_F_MORE", 4},
    {"SPLICE_F_GIFT", 8},
    {"INADDR_LOOPBACK", 2130706433},
    {"INADDR_BROADCAST", 4294967295},
    {"INADDR_NONE", 4294967295},
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
    /* the rest of Linux's, for errno values in arguments (ee_errno=ENOMSG) */
    E(ESRCH), E(ENXIO), E(E2BIG), E(ENOEXEC), E(ECHILD), E(ENOTBLK), E(EXDEV), E(ENODEV),
    E(ENOTDIR), E(EISDIR), E(ENOTTY), E(ETXTBSY), E(EFBIG), E(ESPIPE), E(EROFS), E(EMLINK),
    E(EDOM), E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS), E(ENOTEMPTY),
    E(ELOOP), E(ENOMSG), E(EIDRM), E(ENOSTR), E(ENODATA), E(ETIME), E(ENOSR), E(ENOLINK),
    E(EPROTO), E(EBADMSG), E(EOVERFLOW), E(EILSEQ), E(EUSERS), E(ESOCKTNOSUPPORT),
    E(EPFNOSUPPORT), E(ENETRESET), E(ETOOMANYREFS), E(EHOSTDOWN), E(ESTALE), E(EDQUOT),
    E(ECANCELED), E(ENOKEY), E(EKEYEXPIRED), E(EKEYREVOKED), E(EKEYREJECTED),
    E(EOWNERDEAD), E(ENOTRECOVERABLE), E(ERFKILL), E(EHWPOISON),
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

/* setsockopt and getsockopt: SOL_SOCKET, IPPROTO_TCP and IPPROTO_IP options
 * (DESIGN 4). Options set before a connection exists are applied when its
 * TCB is created; those that matter later are passed to the TCB at once. */
#include <errno.h>
#include <string.h>

#include <synack/socket.h>

#include "core/stack_internal.h"
#include "socket/sock.h"
#include "util/mutant.h"

static int get_int(const void *val, size_t len, int *out)
{
    if (!val || len < sizeof(int))
        return -EINVAL;
    memcpy(out, val, sizeof(int));
    return 0;
}

static int put_int(void *val, size_t *len, int v)
{
    if (!val || !len || *len < sizeof(int))
        return -EINVAL;
    memcpy(val, &v, sizeof(int));
    *len = sizeof(int);
    return 0;
}

static void flag_set(uint32_t *flags, uint32_t f, bool on)
{
    if (on)
        *flags |= f;
    else
        *flags &= ~f;
}

static int set_buffer(struct synack_stack *s, struct sock *sk, int name, int v, uint64_t now)
{
    if (v <= 0)
        return -EINVAL;
    uint32_t n = (uint32_t)v;
    if (n > s->cfg.buf_max)
        n = s->cfg.buf_max;
    if (n < 2048)
        n = 2048;
    if (name == SYNACK_SO_SNDBUF)
        sk->sndbuf = n;
    else {
        sk->rcvbuf = n;
        sk->rcvbuf_set = true; /* the window scale covers this buffer */
    }
    if (!sk->tcb || sk->tcb->state == SYNACK_CLOSED)
        return 0;
    return tcp_set_buffers(&s->tcp, sk->tcb, name == SYNACK_SO_SNDBUF ? n : 0,
                           name == SYNACK_SO_RCVBUF ? n : 0, now);
}

static void apply_keepalive(struct synack_stack *s, struct sock *sk, uint64_t now)
{
    if (sk->tcb && sk->tcb->state != SYNACK_CLOSED)
        tcp_set_keepalive(&s->tcp, sk->tcb, (sk->flags & TF_KEEPALIVE) != 0, sk->keep_idle,
                          sk->keep_intvl, sk->keep_cnt, now);
}

static int set_socket_level(struct synack_stack *s, struct sock *sk, int name, const void *val,
                            size_t len, uint64_t now)
{
    int v;
    if (name == SYNACK_SO_LINGER) {
        if (!val || len < sizeof(struct synack_linger))
            return -EINVAL;
        memcpy(&sk->linger, val, sizeof sk->linger);
        flag_set(&sk->flags, TF_LINGER0, sk->linger.l_onoff && sk->linger.l_linger == 0);
        if (sk->tcb)
            flag_set(&sk->tcb->flags, TF_LINGER0, (sk->flags & TF_LINGER0) != 0);
        return 0;
    }
    if (get_int(val, len, &v) < 0)
        return -EINVAL;
    switch (name) {
    case SYNACK_SO_REUSEADDR:
        sock_port_account(s, sk, -1);
        sk->reuseaddr = v != 0;
        sock_port_account(s, sk, +1);
        return 0;
    case SYNACK_SO_KEEPALIVE: /* MUST-24 */
        flag_set(&sk->flags, TF_KEEPALIVE, v != 0 && !MUTANT(keepalive_off_ignored));
        apply_keepalive(s, sk, now);
        return 0;
    case SYNACK_SO_SNDBUF:
    case SYNACK_SO_RCVBUF:
        return set_buffer(s, sk, name, v, now);
    case SYNACK_SO_OOBINLINE:
        return v ? 0 : -ENOPROTOOPT; /* urgent data is always inline (RFC 6093) */
    default:
        return -ENOPROTOOPT;
    }
}

/* The TO_* bit of a synack extension switch, or 0. */
static uint8_t ext_bit(int name)
{
    switch (name) {
    case SYNACK_TCP_WINDOW_SCALING: return TO_WSCALE;
    case SYNACK_TCP_TIMESTAMPS: return TO_TS;
    case SYNACK_TCP_SACK: return TO_SACK;
    case SYNACK_TCP_DSACK: return TO_DSACK;
    default: return 0;
    }
}

/* The extensions shape the SYN: they are set before connect(), or on a
 * listener for the connections it has yet to accept. */
static int set_extension(struct sock *sk, int name, int v)
{
    if (sk->tcb && sk->tcb->state != SYNACK_LISTEN)
        return -EISCONN;
    uint8_t ext = sk->ext;
    if (name == SYNACK_TCP_ECN) {
        if (v < 0 || v > 2)
            return -EINVAL;
        ext &= (uint8_t) ~(TO_ECN | TO_ECN_OK);
        ext |= (uint8_t)((v == 1 ? TO_ECN : 0) | (v ? TO_ECN_OK : 0));
    } else if (name == SYNACK_TCP_RECOVERY) {
        if (v < 0 || v > SYNACK_RECOVERY_RACK)
            return -EINVAL;
        sk->recovery = (uint8_t)v;
    } else {
        if (v < 0 || v > 1)
            return -EINVAL;
        ext = (uint8_t)(v ? ext | ext_bit(name) : ext & ~ext_bit(name));
    }
    sk->ext = ext;
    if (sk->tcb) {
        sk->tcb->opt_offer = sk->ext;
        sk->tcb->recovery = sk->recovery;
    }
    return 0;
}

/* RFC 7413 Fast Open: the listener's queue, the key of its cookies, the
 * client's deferred connect, and the tcp_fastopen bits of the socket. */
static int set_fastopen(struct sock *sk, int name, const void *val, size_t len)
{
    if (name == SYNACK_TCP_FASTOPEN_KEY) { /* Linux: 16 octets, or 32 with a backup key */
        if (!val || (len != 16 && len != 32))
            return -EINVAL;
        memcpy(sk->tfo_key, val, 16);
        sk->tfo_key_set = true;
    } else {
        int v;
        if (get_int(val, len, &v) < 0 || v < 0)
            return -EINVAL;
        if (name == SYNACK_TCP_FASTOPEN)
            sk->tfo_qlen = (uint32_t)v;
        else if (name == SYNACK_TCP_FASTOPEN_MODE)
            sk->tfo_mode = (uint16_t)v;
        else if (sk->tcb && sk->tcb->state != SYNACK_LISTEN)
            return -EISCONN; /* TCP_FASTOPEN_CONNECT shapes the SYN */
        else
            sk->tfo_connect = v != 0;
    }
    if (sk->tcb)
        tcp_tfo_configure(sk->tcb, sk->tfo_mode, sk->tfo_qlen,
                          sk->tfo_key_set ? sk->tfo_key : NULL);
    return 0;
}

/* TCP_CONGESTION, as Linux: the algorithm's name, at any time; an
 * unknown name is ENOENT. */
static int set_congestion(struct sock *sk, const void *val, size_t len)
{
    if (!val || len == 0)
        return -EINVAL;
    int id = tcp_congestion_by_name(val, len);
    if (id < 0)
        return -ENOENT;
    sk->congestion = (uint8_t)id;
    if (sk->tcb && !tcp_set_congestion(sk->tcb, sk->congestion)) {
        sk->congestion = SYNACK_CONGESTION_NEWRENO; /* BBR's state: no memory */
        return -ENOMEM;
    }
    return 0;
}

/* Linux copies out its 16-octet name field, as much as len asks for. */
static int get_congestion(const struct sock *sk, void *val, size_t *len)
{
    if (!val || !len)
        return -EINVAL;
    char name[16] = {0};
    strncpy(name, tcp_congestion_name(sk->congestion), sizeof name - 1);
    if (*len > sizeof name)
        *len = sizeof name;
    memcpy(val, name, *len);
    return 0;
}

static int set_tcp_level(struct synack_stack *s, struct sock *sk, int name, const void *val,
                         size_t len, uint64_t now)
{
    if (name == SYNACK_TCP_FASTOPEN || name == SYNACK_TCP_FASTOPEN_CONNECT ||
        name == SYNACK_TCP_FASTOPEN_KEY || name == SYNACK_TCP_FASTOPEN_MODE)
        return set_fastopen(sk, name, val, len);
    if (name == SYNACK_TCP_CONGESTION)
        return set_congestion(sk, val, len);
    int v;
    if (get_int(val, len, &v) < 0)
        return -EINVAL;
    switch (name) {
    case SYNACK_TCP_NODELAY: /* MUST-17 */
        if (MUTANT(nodelay_ignored))
            return 0;
        flag_set(&sk->flags, TF_NODELAY, v != 0);
        if (sk->tcb && sk->tcb->state != SYNACK_CLOSED)
            tcp_set_nodelay(&s->tcp, sk->tcb, v != 0, now);
        return 0;
    case SYNACK_TCP_MAXSEG:
        if (v < 64 || v > 65535 - 40)
            return -EINVAL;
        if (sk->tcb && sk->tcb->state != SYNACK_LISTEN)
            return -EISCONN; /* it shapes the SYN: set it before connecting */
        sk->user_mss = (uint16_t)v;
        if (sk->tcb)
            sk->tcb->user_mss = (uint16_t)v;
        return 0;
    case SYNACK_TCP_KEEPIDLE:
    case SYNACK_TCP_KEEPINTVL:
        if (v < 1 || v > 32767)
            return -EINVAL;
        if (!MUTANT(keepidle_ignored))
            *(name == SYNACK_TCP_KEEPIDLE ? &sk->keep_idle : &sk->keep_intvl) =
                (uint64_t)v * SYNACK_SEC; /* MUST-27 */
        apply_keepalive(s, sk, now);
        return 0;
    case SYNACK_TCP_KEEPCNT:
        if (v < 1 || v > 127)
            return -EINVAL;
        sk->keep_cnt = (uint32_t)v;
        apply_keepalive(s, sk, now);
        return 0;
    case SYNACK_TCP_USER_TIMEOUT: /* MUST-21: R2 for this connection */
        if (v < 0)
            return -EINVAL;
        sk->user_timeout = (uint64_t)v * SYNACK_MSEC;
        if (sk->tcb)
            sk->tcb->user_timeout_ms = (uint32_t)v;
        return 0;
    case SYNACK_TCP_WINDOW_SCALING:
    case SYNACK_TCP_TIMESTAMPS:
    case SYNACK_TCP_SACK:
    case SYNACK_TCP_DSACK:
    case SYNACK_TCP_ECN:
    case SYNACK_TCP_RECOVERY:
        return set_extension(sk, name, v);
    case SYNACK_TCP_ICMP_HARD_ABORT: /* SHLD-26 kept, or RFC 5927 5.2 */
        flag_set(&sk->flags, TF_ICMP_HARD_ABORT, v != 0);
        if (sk->tcb)
            flag_set(&sk->tcb->flags, TF_ICMP_HARD_ABORT, v != 0);
        return 0;
    case SYNACK_TCP_MTU_PROBING: /* RFC 4821 7.7 */
        sk->mtu_probing = v != 0;
        if (sk->tcb)
            sk->tcb->mtu_probing = v != 0;
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

/* IP_MTU_DISCOVER (RFC 1191): the socket's choice, and its TCB's. */
static const uint8_t pmtudisc_of[] = {
    [SYNACK_IP_PMTUDISC_DONT] = PMTUD_DONT,
    [SYNACK_IP_PMTUDISC_WANT] = PMTUD_WANT,
    [SYNACK_IP_PMTUDISC_DO] = PMTUD_DO,
    [SYNACK_IP_PMTUDISC_PROBE] = PMTUD_PROBE,
};

static int set_pmtudisc(struct sock *sk, int v)
{
    if (v < 0 || v > SYNACK_IP_PMTUDISC_PROBE)
        return -EINVAL;
    sk->pmtudisc = pmtudisc_of[v];
    if (sk->tcb)
        sk->tcb->pmtudisc = pmtudisc_of[v];
    return 0;
}

static int get_pmtudisc(const struct sock *sk)
{
    for (int v = 0; v <= SYNACK_IP_PMTUDISC_PROBE; v++)
        if (pmtudisc_of[v] == sk->pmtudisc)
            return v;
    return SYNACK_IP_PMTUDISC_WANT;
}

static int set_ip_level(struct sock *sk, int name, const void *val, size_t len)
{
    int v;
    if (get_int(val, len, &v) < 0)
        return -EINVAL;
    if (name == SYNACK_IP_MTU_DISCOVER)
        return set_pmtudisc(sk, v);
    if (v < 0 || v > 255 || (name == SYNACK_IP_TTL && v == 0))
        return -EINVAL;
    if (name == SYNACK_IP_TOS) { /* MUST-48, SHLD-21, SHLD-22 */
        /* the Diffserv bits; the ECN field is TCP's (RFC 3168 5, 6.1.1),
         * as Linux has it for a stream socket */
        sk->tos = MUT(tos_ignored, sk->tos, (uint8_t)(v & ~3));
        if (sk->tcb)
            sk->tcb->tos = sk->tos;
        return 0;
    }
    if (name == SYNACK_IP_TTL) { /* MUST-49 */
        sk->ttl = MUT(ttl_ignored, sk->ttl, (uint8_t)v);
        if (sk->tcb)
            sk->tcb->ttl = sk->ttl;
        return 0;
    }
    return -ENOPROTOOPT;
}

/* IPPROTO_IPV6 (RFC 3493 5, Linux's values) on an AF_INET6 socket: the
 * Hop Limit and Traffic Class are the TTL and TOS of IPv4 (-1 the
 * default); V6ONLY only before bind. */
static int set_ipv6_level(const struct synack_stack *s, struct sock *sk, int name,
                          const void *val, size_t len)
{
    int v;
    if (sk->family != SYNACK_AF_INET6)
        return -ENOPROTOOPT;
    if (get_int(val, len, &v) < 0)
        return -EINVAL;
    switch (name) {
    case SYNACK_IPV6_V6ONLY:
        if (sk->bound)
            return -EINVAL;
        sk->v6only = v != 0;
        return 0;
    case SYNACK_IPV6_MTU_DISCOVER:
        return set_pmtudisc(sk, v);
    case SYNACK_IPV6_UNICAST_HOPS:
        v = v == -1 ? s->cfg.ttl : v;
        return set_ip_level(sk, SYNACK_IP_TTL, &v, sizeof v);
    case SYNACK_IPV6_TCLASS:
        v = v == -1 ? 0 : v;
        return set_ip_level(sk, SYNACK_IP_TOS, &v, sizeof v);
    default:
        return -ENOPROTOOPT;
    }
}

static int get_ip_level(struct synack_stack *s, struct sock *sk, int name, void *val,
                        size_t *len)
{
    if (name == SYNACK_IP_TOS)
        return put_int(val, len, sk->tos);
    if (name == SYNACK_IP_TTL)
        return put_int(val, len, sk->ttl);
    if (name == SYNACK_IP_MTU_DISCOVER)
        return put_int(val, len, get_pmtudisc(sk));
    if (name == SYNACK_IP_MTU) /* Linux: the path's, ENOTCONN when unconnected */
        return sk->tcb && sk->tcb->state >= SYNACK_SYN_SENT
                   ? put_int(val, len, (int)tcp_pmtu(&s->tcp, sk->tcb))
                   : -ENOTCONN;
    return -ENOPROTOOPT;
}

static int get_ipv6_level(struct synack_stack *s, struct sock *sk, int name, void *val,
                          size_t *len)
{
    static const int ip_name[] = {
        [SYNACK_IPV6_UNICAST_HOPS] = SYNACK_IP_TTL, [SYNACK_IPV6_MTU_DISCOVER] = SYNACK_IP_MTU_DISCOVER,
        [SYNACK_IPV6_MTU] = SYNACK_IP_MTU,          [SYNACK_IPV6_TCLASS] = SYNACK_IP_TOS,
    };
    if (sk->family != SYNACK_AF_INET6)
        return -ENOPROTOOPT;
    if (name == SYNACK_IPV6_V6ONLY)
        return put_int(val, len, sk->v6only);
    if (name < 0 || (size_t)name >= sizeof ip_name / sizeof ip_name[0] || !ip_name[name])
        return -ENOPROTOOPT;
    return get_ip_level(s, sk, ip_name[name], val, len);
}

int synack_socket_setsockopt(struct synack_stack *s, int sd, int level, int name,
                             const void *val, size_t len, uint64_t now)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    switch (level) {
    case SYNACK_SOL_SOCKET:
        return set_socket_level(s, sk, name, val, len, now);
    case SYNACK_SOL_TCP:
        return set_tcp_level(s, sk, name, val, len, now);
    case SYNACK_IPPROTO_IP:
        return set_ip_level(sk, name, val, len);
    case SYNACK_IPPROTO_IPV6:
        return set_ipv6_level(s, sk, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

static int get_socket_level(struct sock *sk, int name, void *val, size_t *len)
{
    switch (name) {
    case SYNACK_SO_REUSEADDR:
        return put_int(val, len, sk->reuseaddr);
    case SYNACK_SO_KEEPALIVE:
        return put_int(val, len, (sk->flags & TF_KEEPALIVE) != 0);
    case SYNACK_SO_SNDBUF:
        return put_int(val, len, (int)sk->sndbuf);
    case SYNACK_SO_RCVBUF:
        return put_int(val, len, (int)sk->rcvbuf);
    case SYNACK_SO_OOBINLINE:
        return put_int(val, len, 1);
    case SYNACK_SO_ERROR: /* read and clear */
        return put_int(val, len, sk->tcb ? -tcp_take_error(sk->tcb) : 0);
    case SYNACK_SO_LINGER:
        if (!val || !len || *len < sizeof sk->linger)
            return -EINVAL;
        memcpy(val, &sk->linger, sizeof sk->linger);
        *len = sizeof sk->linger;
        return 0;
    default:
        return -ENOPROTOOPT;
    }
}

static int get_tcp_level(struct synack_stack *s, struct sock *sk, int name, void *val,
                         size_t *len)
{
    switch (name) {
    case SYNACK_TCP_CONGESTION:
        return get_congestion(sk, val, len);
    case SYNACK_TCP_NODELAY:
        return put_int(val, len, (sk->flags & TF_NODELAY) != 0);
    case SYNACK_TCP_MAXSEG:
        if (sk->tcb && sk->tcb->state >= SYNACK_ESTABLISHED)
            return put_int(val, len, sk->tcb->snd_mss);
        return put_int(val, len, sk->user_mss ? sk->user_mss : 536);
    case SYNACK_TCP_KEEPIDLE:
        return put_int(val, len, (int)(sk->keep_idle / SYNACK_SEC));
    case SYNACK_TCP_KEEPINTVL:
        return put_int(val, len, (int)(sk->keep_intvl / SYNACK_SEC));
    case SYNACK_TCP_KEEPCNT:
        return put_int(val, len, (int)sk->keep_cnt);
    case SYNACK_TCP_USER_TIMEOUT:
        return put_int(val, len, (int)(sk->user_timeout / SYNACK_MSEC));
    case SYNACK_TCP_ICMP_HARD_ABORT:
        return put_int(val, len, (sk->flags & TF_ICMP_HARD_ABORT) != 0);
    case SYNACK_TCP_MTU_PROBING:
        return put_int(val, len, sk->mtu_probing);
    case SYNACK_TCP_SOFT_ERROR: {
        struct synack_tcp_info info = {.soft_error = 0};
        if (sk->tcb)
            tcp_status(&s->tcp, sk->tcb, &info);
        return put_int(val, len, -info.soft_error);
    }
    case SYNACK_TCP_WINDOW_SCALING:
    case SYNACK_TCP_TIMESTAMPS:
    case SYNACK_TCP_SACK:
    case SYNACK_TCP_DSACK:
        return put_int(val, len, (sk->ext & ext_bit(name)) != 0);
    case SYNACK_TCP_ECN:
        return put_int(val, len, (sk->ext & TO_ECN) ? 1 : (sk->ext & TO_ECN_OK) ? 2 : 0);
    case SYNACK_TCP_RECOVERY:
        return put_int(val, len, sk->recovery);
    case SYNACK_TCP_FASTOPEN:
        return put_int(val, len, (int)sk->tfo_qlen);
    case SYNACK_TCP_FASTOPEN_CONNECT:
        return put_int(val, len, sk->tfo_connect);
    case SYNACK_TCP_FASTOPEN_MODE:
        return put_int(val, len, sk->tfo_mode);
    case SYNACK_TCP_INFO: {
        struct synack_tcp_info info;
        if (!val || !len || *len < sizeof info)
            return -EINVAL;
        if (sk->tcb)
            tcp_status(&s->tcp, sk->tcb, &info);
        else
            memset(&info, 0, sizeof info);
        memcpy(val, &info, sizeof info);
        *len = sizeof info;
        return 0;
    }
    default:
        return -ENOPROTOOPT;
    }
}

int synack_socket_getsockopt(struct synack_stack *s, int sd, int level, int name, void *val,
                             size_t *len)
{
    struct sock *sk = sock_lookup(s, sd);
    if (!sk)
        return -EBADF;
    switch (level) {
    case SYNACK_SOL_SOCKET:
        return get_socket_level(sk, name, val, len);
    case SYNACK_SOL_TCP:
        return get_tcp_level(s, sk, name, val, len);
    case SYNACK_IPPROTO_IP:
        return get_ip_level(s, sk, name, val, len);
    case SYNACK_IPPROTO_IPV6:
        return get_ipv6_level(s, sk, name, val, len);
    default:
        return -ENOPROTOOPT;
    }
}

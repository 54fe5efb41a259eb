/* libmisbehave-packetdrill.so: a stack under test that misbehaves on
 * purpose, for the tests of the so: target (harness/tests/test_so_target.c).
 * It loads a real object of packetdrill's SO interface (inner=PATH, in
 * practice libsynack-packetdrill.so), passes every call through to it, and
 * at the one call its flags name it crashes, hangs, exits or lies.
 *
 * Flags (comma separated; the rest go to the inner object):
 *   inner=PATH      the object to pass calls to
 *   crash=CALL      SIGSEGV in CALL (init, socket, bind, listen, accept,
 *                   connect, recv, send, close, netdev_send, netdev_receive,
 *                   usleep)
 *   hang=CALL       never return from CALL
 *   exit=CALL       exit(3) in CALL, saying so on stderr
 *   lie=size        netdev_receive says it wrote more than the buffer holds
 *   lie=time        netdev_receive stamps packets an hour ahead of the clock
 *   lie=garbage     netdev_receive hands out 7 octets of 0xff as a datagram
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "packetdrill/packetdrill_so.h"

#define EXPORT __attribute__((visibility("default")))

struct bad {
    struct packetdrill_interface in; /* the inner object */
    char crash[32], hang[32], quit[32], lie[32];
};

static struct bad bad; /* one per process: the host loads one object */

static void misbehave(const char *call)
{
    if (strcmp(bad.crash, call) == 0)
        raise(SIGSEGV); /* as a stray pointer would, without UBSan's notice first */
    if (strcmp(bad.hang, call) == 0)
        for (;;)
            pause();
    if (strcmp(bad.quit, call) == 0) {
        fprintf(stderr, "misbehave: giving up in %s\n", call);
        exit(3);
    }
}

#define U (bad.in.userdata)

static int m_socket(void *u, int d, int t, int p) { (void)u; misbehave("socket"); return bad.in.socket(U, d, t, p); }
static int m_bind(void *u, int fd, const struct sockaddr *a, socklen_t l) { (void)u; misbehave("bind"); return bad.in.bind(U, fd, a, l); }
static int m_listen(void *u, int fd, int b) { (void)u; misbehave("listen"); return bad.in.listen(U, fd, b); }
static int m_accept(void *u, int fd, struct sockaddr *a, socklen_t *l) { (void)u; misbehave("accept"); return bad.in.accept(U, fd, a, l); }
static int m_connect(void *u, int fd, const struct sockaddr *a, socklen_t l) { (void)u; misbehave("connect"); return bad.in.connect(U, fd, a, l); }
static ssize_t m_recv(void *u, int fd, void *b, size_t n, int f) { (void)u; misbehave("recv"); return bad.in.recv(U, fd, b, n, f); }
static ssize_t m_send(void *u, int fd, const void *b, size_t n, int f) { (void)u; misbehave("send"); return bad.in.send(U, fd, b, n, f); }
static int m_close(void *u, int fd) { (void)u; misbehave("close"); return bad.in.close(U, fd); }
static int m_netdev_send(void *u, const void *b, size_t n) { (void)u; misbehave("netdev_send"); return bad.in.netdev_send(U, b, n); }
static int m_usleep(void *u, useconds_t us) { (void)u; misbehave("usleep"); return bad.in.usleep(U, us); }
static void m_free(void *u) { (void)u; bad.in.free(U); }

static int m_netdev_receive(void *u, void *buf, size_t *count, long long *when)
{
    (void)u;
    misbehave("netdev_receive");
    size_t cap = *count;
    int rc = bad.in.netdev_receive(U, buf, count, when);
    if (rc != 0 || *count == 0)
        return rc;
    if (strcmp(bad.lie, "size") == 0)
        *count = cap + 100;
    else if (strcmp(bad.lie, "time") == 0)
        *when += 3600LL * 1000000;
    else if (strcmp(bad.lie, "garbage") == 0)
        memset(buf, 0xff, *count = 7);
    return rc;
}

/* Our flags into bad (inner= into inner), the others into rest. */
static void split_flags(const char *flags, char *inner, char *rest, size_t n)
{
    char *copy = strdup(flags ? flags : "");
    inner[0] = rest[0] = '\0';
    for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *v = strchr(kv, '=');
        v = v ? v + 1 : kv + strlen(kv);
        if (strncmp(kv, "inner=", 6) == 0)
            snprintf(inner, n, "%s", v);
        else if (strncmp(kv, "crash=", 6) == 0)
            snprintf(bad.crash, sizeof bad.crash, "%s", v);
        else if (strncmp(kv, "hang=", 5) == 0)
            snprintf(bad.hang, sizeof bad.hang, "%s", v);
        else if (strncmp(kv, "exit=", 5) == 0)
            snprintf(bad.quit, sizeof bad.quit, "%s", v);
        else if (strncmp(kv, "lie=", 4) == 0)
            snprintf(bad.lie, sizeof bad.lie, "%s", v);
        else
            snprintf(rest + strlen(rest), n - strlen(rest), "%s%s", rest[0] ? "," : "", kv);
    }
    free(copy);
}

EXPORT void packetdrill_interface_init(const char *flags, struct packetdrill_interface *ifc)
{
    char inner[512], rest[512];
    split_flags(flags, inner, rest, sizeof inner);
    misbehave("init");
    void *h = dlopen(inner, RTLD_NOW | RTLD_LOCAL);
    packetdrill_interface_init_t init = h ? (packetdrill_interface_init_t)dlsym(h,
                                                "packetdrill_interface_init") : NULL;
    if (!init) {
        fprintf(stderr, "misbehave: cannot load inner=%s: %s\n", inner, dlerror());
        exit(2);
    }
    init(rest, &bad.in);
    *ifc = bad.in; /* what is not overridden below goes straight through, with
                    * the inner userdata (the overrides use bad.in's too) */
    ifc->free = m_free;
    ifc->socket = m_socket;
    ifc->bind = m_bind;
    ifc->listen = m_listen;
    ifc->accept = m_accept;
    ifc->connect = m_connect;
    ifc->recv = m_recv;
    ifc->send = m_send;
    ifc->close = m_close;
    ifc->netdev_send = m_netdev_send;
    ifc->netdev_receive = m_netdev_receive;
    ifc->usleep = m_usleep;
}

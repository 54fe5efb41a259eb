/* echo_server: synack on a Linux TUN device, echoing every connection on
 * one port back to the kernel's side, on the real clock, through the loop
 * helper (synack/loop.h) and the readiness list (synack_socket_watch).
 *
 *   echo_server [DEVICE [PORT]]     (default synack0, port 7)
 *
 * The device is created, or attached when it exists (stack/apps/synack-ns
 * makes one in a private namespace). synack is 192.0.2.1; a device it
 * creates gets the kernel's side 198.51.100.2, point-to-point. Needs
 * CAP_NET_ADMIN. The device runs with the kernel's offloads (TSO and
 * checksum: whole batches of segments per read and write); set
 * SYNACK_NO_OFFLOAD=1 in the environment for bare datagrams. Stops on
 * SIGINT or SIGTERM; prints what it echoed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/link_tun.h>
#include <synack/synack.h>

#define STACK_ADDR 0xc0000201u  /* 192.0.2.1 */
#define KERNEL_ADDR 0xc6336402u /* 198.51.100.2 */

struct conn {
    int sd;
    uint8_t buf[16384];
    size_t len; /* read, not yet sent back */
};

struct server {
    int listener;
    unsigned long long conns, octets;
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static void serve(struct server *sv, struct synack_stack *s, struct conn *c, uint64_t now)
{
    for (;;) {
        if (c->len == 0) {
            ssize_t r = synack_socket_recv(s, c->sd, c->buf, sizeof c->buf, 0, now);
            if (r == 0 || (r < 0 && r != -EAGAIN)) { /* end of stream, or reset */
                synack_socket_close(s, c->sd, now);
                free(c);
                return;
            }
            if (r < 0)
                return; /* -EAGAIN: wait for the next event */
            c->len = (size_t)r;
        }
        ssize_t w = synack_socket_send(s, c->sd, c->buf, c->len, 0, now);
        if (w < 0)
            return; /* the send buffer is full: POLLOUT comes back */
        memmove(c->buf, c->buf + w, c->len - (size_t)w);
        c->len -= (size_t)w;
        sv->octets += (size_t)w;
    }
}

static void on_events(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    struct server *sv = ctx;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].sd != sv->listener) {
            serve(sv, s, ev[i].user, now);
            continue;
        }
        int sd;
        while ((sd = synack_socket_accept(s, sv->listener, NULL, NULL)) >= 0) {
            struct conn *c = calloc(1, sizeof *c);
            if (!c) {
                synack_socket_abort(s, sd, now);
                continue;
            }
            c->sd = sd;
            sv->conns++;
            synack_socket_watch(s, sd, SYNACK_POLLIN | SYNACK_POLLOUT | SYNACK_WATCH_EDGE, c);
        }
    }
}

int main(int argc, char **argv)
{
    const char *dev = argc > 1 ? argv[1] : "synack0";
    uint16_t port = (uint16_t)(argc > 2 ? atoi(argv[2]) : 7);
    char err[256];
    const char *plain = getenv("SYNACK_NO_OFFLOAD");
    struct synack_tun_config tc = {.name = dev, .offload = !(plain && *plain && *plain != '0')};
    struct synack_tun *t = synack_tun_open(&tc, err, sizeof err);
    if (!t) {
        fprintf(stderr, "echo_server: %s\n", err);
        return 1;
    }
    struct synack_tun_addr ta = {.kernel_addr = KERNEL_ADDR, .peer_addr = STACK_ADDR, .mtu = 1500};
    if (!synack_tun_created(t))
        ta = (struct synack_tun_addr){0}; /* someone configured it: just bring it up */
    if (synack_tun_configure(t, &ta, err, sizeof err) < 0) {
        fprintf(stderr, "echo_server: %s\n", err);
        return 1;
    }
    struct synack_config cfg;
    synack_config_default(&cfg);
    cfg.addr = STACK_ADDR;
    cfg.rng_seed = synack_clock_now();
    struct synack_link link = synack_tun_link(t);
    int e;
    struct synack_stack *s = synack_stack_new(&cfg, &link, &e);
    struct synack_loop *lp = synack_loop_new();
    if (!s || !lp) {
        fprintf(stderr, "echo_server: cannot make the stack: %s\n", strerror(s ? ENOMEM : -e));
        return 1;
    }
    struct server sv = {.listener = synack_socket(s)};
    if (synack_socket_bind(s, sv.listener, 0, port) < 0 || synack_socket_listen(s, sv.listener, 64) < 0)
        return 1;
    synack_socket_watch(s, sv.listener, SYNACK_POLLIN, NULL);
    synack_loop_add_stack(lp, s, on_events, &sv);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("echo_server: listening on 192.0.2.1:%u (%s)\n", port, synack_tun_name(t));
    fflush(stdout);
    int rc = 0;
    while (!stopping && rc >= 0)
        rc = synack_loop_run_tun(lp, t, synack_clock_now() + SYNACK_SEC); /* wake to see a signal */
    printf("echo_server: %llu connections, %llu octets echoed\n", sv.conns, sv.octets);
    synack_loop_free(lp);
    synack_stack_free(s);
    synack_tun_close(t);
    return rc < 0 && rc != -EINTR ? 1 : 0;
}

/* two_stacks: two synack stacks in one process, joined by a memory link on
 * a virtual clock. The client sends 1 MiB, the server echoes it, the client
 * checks every octet. An optional loss rate (percent) impairs the link.
 *
 *   two_stacks [loss%]
 *
 * The loop (synack/loop.h) pumps the link, runs the timers and calls back
 * with the sockets that are ready; exit 0 when the echo is byte-exact. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/synack.h>

#define CLIENT_ADDR 0xc0000201u /* 192.0.2.1 */
#define SERVER_ADDR 0xc0000202u /* 192.0.2.2 */
#define PORT 7
#define TOTAL (1u << 20)

struct app {
    struct synack_loop *loop;
    size_t sent, received;
    uint8_t echo[65536]; /* what the server read and has still to send */
    size_t echo_len;
    bool bad;
};

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 8));
}

/* The server: accept, then send back what it reads; close after the FIN. */
static void on_server(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    struct app *a = ctx;
    for (size_t i = 0; i < n; i++) {
        int sd = ev[i].sd;
        if (ev[i].user == NULL) { /* the listener */
            int c = synack_socket_accept(s, sd, NULL, NULL);
            if (c >= 0)
                synack_socket_watch(s, c, SYNACK_POLLIN | SYNACK_POLLOUT, a);
            continue;
        }
        ssize_t r = a->echo_len ? -1 : synack_socket_recv(s, sd, a->echo, sizeof a->echo, 0, now);
        if (r == 0) /* end of stream: everything was echoed */
            synack_socket_close(s, sd, now);
        if (r > 0)
            a->echo_len = (size_t)r;
        ssize_t w = a->echo_len ? synack_socket_send(s, sd, a->echo, a->echo_len, 0, now) : 0;
        if (w > 0)
            memmove(a->echo, a->echo + w, a->echo_len -= (size_t)w);
    }
}

/* The client: write the pattern, shut down, check what comes back. */
static void on_client(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    struct app *a = ctx;
    uint8_t buf[65536];
    for (size_t i = 0; i < n; i++) {
        int sd = ev[i].sd;
        if ((ev[i].events & SYNACK_POLLOUT) && a->sent < TOTAL) {
            size_t len = TOTAL - a->sent < sizeof buf ? TOTAL - a->sent : sizeof buf;
            for (size_t k = 0; k < len; k++)
                buf[k] = pattern(a->sent + k);
            ssize_t w = synack_socket_send(s, sd, buf, len, 0, now);
            if (w > 0 && (a->sent += (size_t)w) == TOTAL)
                synack_socket_shutdown(s, sd, SYNACK_SHUT_WR, now);
        }
        ssize_t r;
        while ((r = synack_socket_recv(s, sd, buf, sizeof buf, 0, now)) > 0)
            for (ssize_t k = 0; k < r; k++)
                a->bad |= buf[k] != pattern(a->received++);
        if (r == 0 || a->bad)
            synack_loop_stop(a->loop); /* the server closed: all is back */
    }
}

static struct synack_stack *make_stack(struct synack_memlink *l, int end, uint32_t addr)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    c.rng_seed = 1 + (uint64_t)end;
    struct synack_link link = synack_memlink_end(l, end);
    int err;
    return synack_stack_new(&c, &link, &err);
}

int main(int argc, char **argv)
{
    struct synack_memlink_config lc;
    synack_memlink_config_default(&lc);
    lc.delay = 10 * SYNACK_MSEC;
    lc.loss = argc > 1 ? atof(argv[1]) / 100.0 : 0;
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct app a = {.loop = synack_loop_new()};
    struct synack_stack *client = l ? make_stack(l, 0, CLIENT_ADDR) : NULL;
    struct synack_stack *server = l ? make_stack(l, 1, SERVER_ADDR) : NULL;
    if (!client || !server || !a.loop)
        return 1;
    synack_loop_add_stack(a.loop, client, on_client, &a);
    synack_loop_add_stack(a.loop, server, on_server, &a);
    synack_loop_set_memlink(a.loop, l);

    uint64_t now = 0;
    int lsd = synack_socket(server);
    synack_socket_bind(server, lsd, 0, PORT);
    synack_socket_listen(server, lsd, 8);
    synack_socket_watch(server, lsd, SYNACK_POLLIN, NULL);
    int csd = synack_socket(client);
    synack_socket_connect(client, csd, SERVER_ADDR, PORT, now);
    synack_socket_watch(client, csd, SYNACK_POLLIN | SYNACK_POLLOUT | SYNACK_WATCH_EDGE, NULL);
    synack_loop_run(a.loop, &now, 600 * SYNACK_SEC);

    printf("two_stacks: %zu of %u octets echoed back%s in %.3f s of virtual time "
           "(loss %.1f%%, %llu lost)\n",
           a.received, TOTAL, a.bad ? ", NOT byte-exact" : ", byte-exact", now / 1e6,
           lc.loss * 100, (unsigned long long)synack_memlink_stats(l)->lost);
    synack_loop_free(a.loop);
    synack_stack_free(client);
    synack_stack_free(server);
    synack_memlink_free(l);
    return a.received == TOTAL && !a.bad ? 0 : 1;
}

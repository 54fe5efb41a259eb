/* two_stacks: two synack stacks in one process, joined by a memory link on
 * a virtual clock. The client sends 1 MiB, the server echoes it, the client
 * checks every octet. An optional loss rate (percent) impairs the link.
 *
 *   two_stacks [loss%]
 *
 * Exit 0 when the echo is byte-exact. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/synack.h>

#define CLIENT_ADDR 0xc0000201u /* 192.0.2.1 */
#define SERVER_ADDR 0xc0000202u /* 192.0.2.2 */
#define PORT 7
#define TOTAL (1u << 20)

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 8));
}

static struct synack_stack *make_stack(struct synack_memlink *l, int end, uint32_t addr)
{
    struct synack_config c;
    synack_config_default(&c);
    c.addr = addr;
    c.rng_seed = 1 + (uint64_t)end;
    struct synack_link link = synack_memlink_end(l, end);
    int err;
    struct synack_stack *s = synack_stack_new(&c, &link, &err);
    if (!s)
        fprintf(stderr, "two_stacks: %s\n", strerror(-err));
    return s;
}

/* The earliest time anything has work: the link or either stack. */
static uint64_t next_deadline(struct synack_memlink *l, struct synack_stack *st[2])
{
    uint64_t t = synack_memlink_deadline(l);
    for (int i = 0; i < 2; i++) {
        uint64_t d = synack_stack_deadline(st[i]);
        if (d < t)
            t = d;
    }
    return t;
}

struct app {
    int listener, server, client;
    size_t sent, echoed, received;
    uint8_t echo_buf[65536];
    size_t echo_len;
    bool client_closed, bad;
};

/* Every socket of both stacks, every turn: is there anything to do? */
static void app_work(struct app *a, struct synack_stack *st[2], uint64_t now)
{
    uint8_t buf[65536];
    if (a->server < 0) {
        int sd = synack_socket_accept(st[1], a->listener, NULL, NULL);
        if (sd >= 0)
            a->server = sd;
    }
    if (a->server >= 0) {
        if (a->echo_len == 0) {
            ssize_t n = synack_socket_recv(st[1], a->server, a->echo_buf, sizeof a->echo_buf, 0, now);
            if (n > 0)
                a->echo_len = (size_t)n;
            else if (n == 0)
                synack_socket_close(st[1], a->server, now), a->server = -2;
        }
        if (a->server >= 0 && a->echo_len > 0) {
            ssize_t n = synack_socket_send(st[1], a->server, a->echo_buf, a->echo_len, 0, now);
            if (n > 0) {
                memmove(a->echo_buf, a->echo_buf + n, a->echo_len - (size_t)n);
                a->echo_len -= (size_t)n;
                a->echoed += (size_t)n;
            }
        }
    }
    int ev = synack_socket_events(st[0], a->client);
    if ((ev & SYNACK_POLLOUT) && a->sent < TOTAL) {
        size_t n = TOTAL - a->sent < sizeof buf ? TOTAL - a->sent : sizeof buf;
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(a->sent + i);
        ssize_t w = synack_socket_send(st[0], a->client, buf, n, 0, now);
        if (w > 0)
            a->sent += (size_t)w;
    }
    if (a->sent == TOTAL && !a->client_closed) {
        synack_socket_shutdown(st[0], a->client, SYNACK_SHUT_WR, now);
        a->client_closed = true;
    }
    ssize_t r;
    while ((r = synack_socket_recv(st[0], a->client, buf, sizeof buf, 0, now)) > 0) {
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(a->received + (size_t)i))
                a->bad = true;
        a->received += (size_t)r;
    }
}

int main(int argc, char **argv)
{
    struct synack_memlink_config lc;
    memset(&lc, 0, sizeof lc);
    lc.seed = 1;
    lc.delay = 10 * SYNACK_MSEC;
    lc.queue_limit = 10000;
    if (argc > 1)
        lc.loss = atof(argv[1]) / 100.0;
    struct synack_memlink *l = synack_memlink_new(&lc);
    struct synack_stack *st[2] = {make_stack(l, 0, CLIENT_ADDR), make_stack(l, 1, SERVER_ADDR)};
    if (!l || !st[0] || !st[1])
        return 1;

    uint64_t now = 0;
    struct app a = {.server = -1};
    a.listener = synack_socket(st[1]);
    synack_socket_bind(st[1], a.listener, 0, PORT);
    synack_socket_listen(st[1], a.listener, 8);
    a.client = synack_socket(st[0]);
    synack_socket_connect(st[0], a.client, SERVER_ADDR, PORT, now);

    while (a.received < TOTAL && !a.bad && now < 600 * SYNACK_SEC) {
        synack_memlink_pump(l, now, st);
        synack_stack_poll(st[0], now);
        synack_stack_poll(st[1], now);
        app_work(&a, st, now);
        uint64_t next = next_deadline(l, st);
        if (next == SYNACK_TIME_NEVER)
            break;
        now = next > now ? next : now;
    }
    printf("two_stacks: %zu of %u octets echoed back%s in %.3f s of virtual time "
           "(loss %.1f%%, %llu lost)\n",
           a.received, TOTAL, a.bad ? ", NOT byte-exact" : ", byte-exact", now / 1e6,
           lc.loss * 100, (unsigned long long)synack_memlink_stats(l)->lost);
    synack_stack_free(st[0]);
    synack_stack_free(st[1]);
    synack_memlink_free(l);
    return a.received == TOTAL && !a.bad ? 0 : 1;
}

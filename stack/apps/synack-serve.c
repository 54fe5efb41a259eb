/* synack-serve: a server on synack over a TUN device.
 *
 *   synack-serve [--tun NAME --addr A ...] [--port P] --echo
 *   synack-serve [--tun NAME --addr A ...] [--port P] --http DIR
 *
 * --echo sends back every octet it receives; --http serves the files
 * under DIR to GET and HEAD (HTTP/1.1, Connection: close). Many
 * connections at once, one thread, on the loop helper (synack/loop.h):
 * each turn handles the sockets the stack reports ready, so its work is
 * what arrived, not the number of connections; idle connections are
 * found from the oldest end of a list kept in order of activity. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <synack/loop.h>

#include "app.h"

#define REQ_MAX 8192
#define IO_BUF 65536
#define IDLE_TIMEOUT (60 * SYNACK_SEC)
#define CONNS_DEFAULT 16384

enum mode { MODE_NONE, MODE_ECHO, MODE_HTTP };

enum phase {
    PH_REQUEST,  /* http: reading the request head */
    PH_RESPOND,  /* http: sending head and body; echo: echoing */
    PH_DRAIN,    /* our side is shut: read until the peer closes */
};

struct conn {
    int sd;
    enum phase phase;
    int watching; /* the SYNACK_POLL* bits its socket is watched for */
    char peer[64];
    uint64_t last_active;
    struct conn *older, *newer; /* the server's list, by last activity */
    /* an incomplete request head, or echo data not yet sent back: NULL
     * until then (an idle connection holds no buffer) */
    char *in;
    size_t in_len;
    /* http response: head, then the file */
    char head[512];
    size_t head_len, head_off;
    int file;
    off_t file_off, file_len;
    bool head_only;
};

struct server {
    struct app app;
    enum mode mode;
    const char *dir;
    char root[PATH_MAX];
    uint16_t port;
    int listener;
    uint32_t max_conns; /* --max-conns: the stack's max_conns and max_sockets */
    struct conn *oldest, *newest; /* by last activity: idle ones at the old end */
    size_t nconns;
    uint64_t served, accepted, resets, idle_aborts;
    char io[IO_BUF];
};

static void usage(FILE *f)
{
    fputs("usage: synack-serve (--echo | --http DIR) [options]\n"
          "  --echo           send back what each connection sends\n"
          "  --http DIR       serve the files under DIR (GET, HEAD)\n"
          "  --port P         port to listen on (8080)\n"
          "  --max-conns N    connections (and sockets) the stack holds at once (16384)\n"
          "  -v               log each connection (-vv: the stack's counters at exit)\n"
          APP_COMMON_USAGE,
          f);
}

static void log_conn(struct server *sv, struct conn *c, const char *fmt, const char *arg)
{
    if (!sv->app.verbose)
        return;
    fprintf(stderr, "synack-serve: %s ", c->peer);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
}

static void conn_unlink(struct server *sv, struct conn *c)
{
    *(c->older ? &c->older->newer : &sv->oldest) = c->newer;
    *(c->newer ? &c->newer->older : &sv->newest) = c->older;
    c->older = c->newer = NULL;
}

/* Something happened on c at now: it goes to the new end of the list. */
static void conn_touch(struct server *sv, struct conn *c, uint64_t now)
{
    c->last_active = now;
    if (sv->newest == c)
        return;
    if (c->older || c->newer || sv->oldest == c)
        conn_unlink(sv, c);
    c->older = sv->newest;
    *(sv->newest ? &sv->newest->newer : &sv->oldest) = c;
    sv->newest = c;
}

/* close() or abort() also stop the socket's watch. */
static void conn_free(struct server *sv, struct conn *c, bool abort, uint64_t now)
{
    if (abort)
        synack_socket_abort(sv->app.stack, c->sd, now);
    else
        synack_socket_close(sv->app.stack, c->sd, now);
    if (c->file >= 0)
        close(c->file);
    conn_unlink(sv, c);
    sv->nconns--;
    free(c->in);
    free(c);
}

/* ---- HTTP ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decode the path and refuse anything that leaves the root. */
static bool clean_path(const char *in, size_t len, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = in[i];
        if (ch == '?' || ch == '#')
            break;
        if (ch == '%' && i + 2 < len && hexval(in[i + 1]) >= 0 && hexval(in[i + 2]) >= 0) {
            ch = (char)(hexval(in[i + 1]) * 16 + hexval(in[i + 2]));
            i += 2;
        }
        if (ch == '\0' || o + 1 >= n)
            return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    if (out[0] != '/')
        return false;
    /* no ".." segment */
    for (const char *p = out; (p = strstr(p, "..")); p += 2)
        if ((p == out || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
            return false;
    return true;
}

static void respond_status(struct conn *c, int code, const char *reason)
{
    char body[160];
    int bl = snprintf(body, sizeof body, "%d %s\n", code, reason);
    c->head_len = (size_t)snprintf(c->head, sizeof c->head,
                                   "HTTP/1.1 %d %s\r\nServer: synack-serve\r\n"
                                   "Content-Type: text/plain\r\nContent-Length: %d\r\n"
                                   "Connection: close\r\n\r\n%s",
                                   code, reason, bl, c->head_only ? "" : body);
    c->head_off = 0;
    c->file = -1;
}

static const char *content_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0))
        return "text/html";
    if (dot && strcmp(dot, ".txt") == 0)
        return "text/plain";
    return "application/octet-stream";
}

static void http_request(struct server *sv, struct conn *c, const char *req)
{
    const char *eol = strstr(req, "\r\n");
    char method[16], target[2048];
    c->file = -1;
    c->phase = PH_RESPOND;
    if (!eol || sscanf(req, "%15s %2047s HTTP/%*d.%*d", method, target) != 2) {
        respond_status(c, 400, "Bad Request");
        return;
    }
    c->head_only = strcmp(method, "HEAD") == 0;
    if (strcmp(method, "GET") != 0 && !c->head_only) {
        respond_status(c, 501, "Not Implemented");
        return;
    }
    char path[1024];
    if (!clean_path(target, strlen(target), path, sizeof path)) {
        respond_status(c, 403, "Forbidden");
        return;
    }
    char full[PATH_MAX + 1100];
    snprintf(full, sizeof full, "%s%s", sv->root, path);
    struct stat st;
    if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
        strncat(full, full[strlen(full) - 1] == '/' ? "index.html" : "/index.html",
                sizeof full - strlen(full) - 1);
        if (stat(full, &st) != 0) {
            respond_status(c, 403, "Forbidden");
            return;
        }
    }
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        if (errno == EACCES)
            respond_status(c, 403, "Forbidden");
        else
            respond_status(c, 404, "Not Found");
        log_conn(sv, c, "GET %s: not found", path);
        return;
    }
    c->file = fd;
    c->file_off = 0;
    c->file_len = st.st_size;
    c->head_len = (size_t)snprintf(c->head, sizeof c->head,
                                   "HTTP/1.1 200 OK\r\nServer: synack-serve\r\n"
                                   "Content-Type: %s\r\nContent-Length: %lld\r\n"
                                   "Connection: close\r\n\r\n",
                                   content_type(full), (long long)st.st_size);
    c->head_off = 0;
    if (c->head_only) {
        close(fd);
        c->file = -1;
    }
    log_conn(sv, c, "GET %s: 200", path);
}

/* Send what the socket takes; true when the whole response is out. */
static bool http_send(struct server *sv, struct conn *c, uint64_t now, int *err)
{
    struct synack_stack *s = sv->app.stack;
    for (;;) {
        const char *p;
        size_t n;
        if (c->head_off < c->head_len) {
            p = c->head + c->head_off;
            n = c->head_len - c->head_off;
        } else if (c->file >= 0 && c->file_off < c->file_len) {
            size_t want = sizeof sv->io;
            if ((off_t)want > c->file_len - c->file_off)
                want = (size_t)(c->file_len - c->file_off);
            ssize_t r = pread(c->file, sv->io, want, c->file_off);
            if (r <= 0) {
                *err = r < 0 ? errno : EIO;
                return false;
            }
            p = sv->io;
            n = (size_t)r;
        } else {
            return true;
        }
        ssize_t w = synack_socket_send(s, c->sd, p, n, 0, now);
        if (w == -EAGAIN)
            return false;
        if (w < 0) {
            *err = (int)-w;
            return false;
        }
        if (c->head_off < c->head_len)
            c->head_off += (size_t)w;
        else
            c->file_off += w;
    }
}

/* ---- one connection's turn, all at the loop's `now` for the turn, which
 * is not before any time the stack was given (synack/stack.h: time never
 * goes back; nor may the TSval, RFC 7323 5.4): a send at a later time than
 * the shutdown that follows it would date the FIN's segment, and its
 * TSval, before the data's; false when it is finished ---- */

/* The rest of a head that did not come whole, kept by the connection
 * (REQ_MAX, allocated now); false when there is no memory for it. */
static bool keep_in(struct conn *c, const char *text, size_t len, size_t size)
{
    if (!c->in && !(c->in = malloc(size)))
        return false;
    if (text != c->in)
        memcpy(c->in, text, len);
    c->in_len = len;
    return true;
}

static void drop_in(struct conn *c)
{
    free(c->in);
    c->in = NULL;
    c->in_len = 0;
}

/* PH_REQUEST: read the head, into the server's scratch buffer while the
 * connection has none (a head that comes whole is parsed there); -1 error
 * (in *err), 0 closed before asking, 1 more to come, 2 the response is set. */
static int http_read(struct server *sv, struct conn *c, uint64_t now, int *err)
{
    char *req = c->in ? c->in : sv->io;
    ssize_t r = synack_socket_recv(sv->app.stack, c->sd, req + c->in_len,
                                   REQ_MAX - 1 - c->in_len, 0, now);
    if (r == -EAGAIN)
        return 1;
    if (r == 0)
        return 0;
    if (r < 0) {
        *err = (int)-r;
        return -1;
    }
    size_t len = c->in_len + (size_t)r;
    req[len] = '\0';
    if (strstr(req, "\r\n\r\n")) {
        http_request(sv, c, req);
        drop_in(c);
        return 2;
    }
    if (len >= REQ_MAX - 1) {
        drop_in(c);
        c->phase = PH_RESPOND;
        respond_status(c, 431, "Request Header Fields Too Large");
        return 2;
    }
    if (!keep_in(c, req, len, REQ_MAX)) {
        *err = ENOMEM;
        return -1;
    }
    return 1;
}

/* Echo what is in text[0..len) back; what the send buffer cannot take
 * stays with the connection (c->in, allocated then). 1 all sent, 0 some
 * left, -1 error. */
static int echo_send(struct server *sv, struct conn *c, const char *text, size_t len,
                     uint64_t now, int *err)
{
    ssize_t w = synack_socket_send(sv->app.stack, c->sd, text, len, 0, now);
    if (w == -EAGAIN)
        w = 0;
    if (w < 0) {
        *err = (int)-w;
        return -1;
    }
    if ((size_t)w == len) {
        drop_in(c);
        return 1;
    }
    if (text == c->in) {
        memmove(c->in, c->in + w, len - (size_t)w);
        c->in_len = len - (size_t)w;
        return 0;
    }
    if (!keep_in(c, text + w, len - (size_t)w, IO_BUF)) {
        *err = ENOMEM;
        return -1;
    }
    return 0;
}

/* PH_RESPOND, echo: send back what came, read more (into the server's
 * scratch buffer); 0 when the peer's FIN is reached and echoed, 1 more to
 * come, -1 error. */
static int echo_turn(struct server *sv, struct conn *c, uint64_t now, int *err)
{
    struct synack_stack *s = sv->app.stack;
    int sent;
    if (c->in_len && (sent = echo_send(sv, c, c->in, c->in_len, now, err)) < 1)
        return sent < 0 ? -1 : 1; /* read no more until this is out: flow control */
    for (;;) {
        ssize_t r = synack_socket_recv(s, c->sd, sv->io, IO_BUF, 0, now);
        if (r == -EAGAIN)
            return 1;
        if (r == 0) {
            synack_socket_shutdown(s, c->sd, SYNACK_SHUT_WR, now);
            sv->served++;
            return 0;
        }
        if (r < 0) {
            *err = (int)-r;
            return -1;
        }
        if ((sent = echo_send(sv, c, sv->io, (size_t)r, now, err)) < 1)
            return sent < 0 ? -1 : 1;
    }
}

/* PH_DRAIN: read until the peer's FIN; 0 there, 1 more to come, -1 error. */
static int drain(struct server *sv, struct conn *c, uint64_t now, int *err)
{
    for (;;) {
        ssize_t r = synack_socket_recv(sv->app.stack, c->sd, sv->io, sizeof sv->io, 0, now);
        if (r == 0)
            return 0;
        if (r == -EAGAIN)
            return 1;
        if (r < 0) {
            *err = (int)-r;
            return -1;
        }
    }
}

/* What c waits for next: the bits its socket is watched for. */
static int conn_wants(const struct server *sv, const struct conn *c)
{
    if (c->phase == PH_RESPOND && (sv->mode == MODE_HTTP || c->in_len))
        return SYNACK_POLLOUT;
    return SYNACK_POLLIN;
}

static bool conn_turn(struct server *sv, struct conn *c, uint64_t now, bool *abort)
{
    struct synack_stack *s = sv->app.stack;
    int err = 0, r = 1;
    if (c->phase == PH_REQUEST && (r = http_read(sv, c, now, &err)) < 2)
        goto done;
    if (c->phase == PH_RESPOND && sv->mode == MODE_HTTP) {
        if (!http_send(sv, c, now, &err)) {
            r = err ? -1 : 1;
            goto done;
        }
        sv->served++;
        synack_socket_shutdown(s, c->sd, SYNACK_SHUT_WR, now);
        c->phase = PH_DRAIN;
    }
    if (c->phase == PH_RESPOND)
        r = echo_turn(sv, c, now, &err);
    else if (c->phase == PH_DRAIN)
        r = drain(sv, c, now, &err);
done:
    if (r >= 0)
        return r > 0;
    if (err == ECONNRESET)
        sv->resets++;
    log_conn(sv, c, "ended: %s", err == ECONNRESET ? "reset by the peer" : strerror(err));
    *abort = err != ECONNRESET && err != ETIMEDOUT && err != EPIPE;
    return false;
}

static void conn_event(struct server *sv, struct conn *c, uint64_t now)
{
    bool abort = false;
    if (!conn_turn(sv, c, now, &abort)) {
        conn_free(sv, c, abort, now);
        return;
    }
    conn_touch(sv, c, now);
    int want = conn_wants(sv, c);
    if (want != c->watching) {
        synack_socket_watch(sv->app.stack, c->sd, want, c);
        c->watching = want;
    }
}

static void accept_all(struct server *sv, uint64_t now)
{
    struct synack_stack *s = sv->app.stack;
    for (;;) {
        struct synack_addr raddr;
        uint16_t rport;
        int sd = synack_socket_accept_addr(s, sv->listener, &raddr, &rport);
        if (sd < 0)
            return;
        struct conn *c = calloc(1, sizeof *c);
        if (!c) {
            synack_socket_abort(s, sd, now);
            continue;
        }
        c->sd = sd;
        c->file = -1;
        c->phase = sv->mode == MODE_ECHO ? PH_RESPOND : PH_REQUEST;
        app_format_endpoint(&raddr, rport, c->peer, sizeof c->peer);
        sv->nconns++;
        sv->accepted++;
        conn_touch(sv, c, now);
        log_conn(sv, c, "%s", "connected");
        c->watching = conn_wants(sv, c);
        synack_socket_watch(s, sd, c->watching, c); /* what is there now is reported */
    }
}

/* The loop's callback: the ready sockets, the listener's user pointer NULL. */
static void on_events(void *ctx, struct synack_stack *s, const struct synack_event *ev, size_t n,
                      uint64_t now)
{
    (void)s;
    struct server *sv = ctx;
    for (size_t i = 0; i < n; i++) {
        if (ev[i].user)
            conn_event(sv, ev[i].user, now);
        else
            accept_all(sv, now);
    }
}

/* Connections with nothing for IDLE_TIMEOUT, from the old end of the list. */
static void abort_idle(struct server *sv, uint64_t now)
{
    while (sv->oldest && now > sv->oldest->last_active + IDLE_TIMEOUT) {
        log_conn(sv, sv->oldest, "%s", "idle for 60 s: aborted");
        sv->idle_aborts++;
        conn_free(sv, sv->oldest, true, now);
    }
}

/* On --addr, or with --addr6 on [::], which takes IPv4 too (RFC 3493 3.7). */
static int listen_on(struct server *sv)
{
    struct synack_stack *s = sv->app.stack;
    bool v6 = sv->app.addr6.family == SYNACK_AF_INET6;
    struct synack_addr at = v6 ? synack_addr_any(SYNACK_AF_INET6) : synack_addr_from_v4(sv->app.addr);
    sv->listener = synack_socket_family(s, at.family);
    int one = 1, rc = sv->listener < 0 ? sv->listener : 0;
    if (rc == 0)
        rc = synack_socket_setsockopt(s, sv->listener, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR,
                                      &one, sizeof one, synack_clock_now());
    if (rc == 0)
        rc = synack_socket_bind_addr(s, sv->listener, &at, sv->port);
    if (rc == 0)
        rc = synack_socket_listen(s, sv->listener, (int)synack_stack_config(s)->backlog_max);
    if (rc == 0)
        rc = synack_socket_watch(s, sv->listener, SYNACK_POLLIN, NULL);
    return rc;
}

/* Until SIGINT or SIGTERM: the loop, and once a second the idle
 * connections and (-vv) every 10 s what the stack holds. */
static int serve(struct server *sv)
{
    struct synack_loop *lp = synack_loop_new();
    if (!lp || synack_loop_add_stack(lp, sv->app.stack, on_events, sv) < 0) {
        synack_loop_free(lp);
        return -ENOMEM;
    }
    int rc = 0;
    uint64_t next_usage = synack_clock_now() + 10 * SYNACK_SEC;
    while (!app_stopping()) {
        rc = synack_loop_run_tun(lp, sv->app.tun, synack_clock_now() + SYNACK_SEC);
        if (rc < 0 && rc != -EINTR)
            break;
        rc = 0;
        uint64_t now = synack_clock_now();
        abort_idle(sv, now);
        if (sv->app.verbose > 1 && now >= next_usage) {
            app_report_usage(&sv->app);
            next_usage += 10 * SYNACK_SEC;
        }
    }
    synack_loop_free(lp);
    return rc;
}

int main(int argc, char **argv)
{
    static struct server sv;
    app_init(&sv.app, "synack-serve");
    sv.port = 8080;
    sv.max_conns = CONNS_DEFAULT;
    static const struct option longopts[] = {
        APP_COMMON_OPTIONS,
        {"echo", no_argument, NULL, 'e'},
        {"http", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"max-conns", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "vhp:", longopts, NULL)) != -1) {
        char *end;
        long p;
        switch (c) {
        case 'e': sv.mode = MODE_ECHO; break;
        case 'H': sv.mode = MODE_HTTP; sv.dir = optarg; break;
        case 'v': sv.app.verbose++; break;
        case 'h': usage(stdout); return 0;
        case 'p':
            p = strtol(optarg, &end, 10);
            if (!*optarg || *end || p < 1 || p > 65535) {
                fprintf(stderr, "synack-serve: --port: expected 1 to 65535, got '%s'\n", optarg);
                return APP_EXIT_USAGE;
            }
            sv.port = (uint16_t)p;
            break;
        case 'm':
            p = strtol(optarg, &end, 10);
            if (!*optarg || *end || p < 16 || p > 1 << 20) {
                fprintf(stderr, "synack-serve: --max-conns: expected 16 to 1048576, got '%s'\n",
                        optarg);
                return APP_EXIT_USAGE;
            }
            sv.max_conns = (uint32_t)p;
            break;
        default:
            if (c >= APP_OPT_BASE && app_option(&sv.app, c, optarg))
                break;
            usage(stderr);
            return APP_EXIT_USAGE;
        }
    }
    if (sv.mode == MODE_NONE || optind != argc) {
        usage(stderr);
        return APP_EXIT_USAGE;
    }
    if (sv.mode == MODE_HTTP && !realpath(sv.dir, sv.root)) {
        fprintf(stderr, "synack-serve: %s: %s\n", sv.dir, strerror(errno));
        return APP_EXIT_USAGE;
    }
    sv.app.max_conns = sv.max_conns;
    if (!app_start(&sv.app)) {
        app_stop(&sv.app);
        return APP_EXIT_SETUP;
    }
    int rc = listen_on(&sv);
    if (rc < 0) {
        fprintf(stderr, "synack-serve: cannot listen on port %u: %s\n", sv.port, strerror(-rc));
        app_stop(&sv.app);
        return APP_EXIT_SETUP;
    }
    char a[96];
    struct synack_addr v4 = synack_addr_from_v4(sv.app.addr);
    app_format_endpoint(&v4, sv.port, a, sizeof a);
    if (sv.app.addr6.family == SYNACK_AF_INET6) {
        size_t k = strlen(a);
        snprintf(a + k, sizeof a - k, " and ");
        k = strlen(a);
        app_format_endpoint(&sv.app.addr6, sv.port, a + k, sizeof a - k);
    }
    fprintf(stderr, "synack-serve: listening on %s (%s%s) via %s\n", a,
            sv.mode == MODE_ECHO ? "echo" : "http ", sv.mode == MODE_HTTP ? sv.root : "",
            synack_tun_name(sv.app.tun));
    rc = serve(&sv);
    if (rc < 0)
        fprintf(stderr, "synack-serve: %s: %s\n", synack_tun_name(sv.app.tun), strerror(-rc));
    fprintf(stderr, "synack-serve: stopping: %llu connections, %llu served, %llu reset, "
                    "%llu aborted idle\n",
            (unsigned long long)sv.accepted, (unsigned long long)sv.served,
            (unsigned long long)sv.resets, (unsigned long long)sv.idle_aborts);
    uint64_t now = synack_clock_now();
    while (sv.oldest)
        conn_free(&sv, sv.oldest, true, now);
    if (sv.app.verbose > 1)
        app_report_usage(&sv.app);
    app_report(&sv.app);
    app_stop(&sv.app);
    return rc < 0 ? APP_EXIT_SETUP : 0;
}

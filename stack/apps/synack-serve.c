/* synack-serve: a server on synack over a TUN device.
 *
 *   synack-serve [--tun NAME --addr A ...] [--port P] --echo
 *   synack-serve [--tun NAME --addr A ...] [--port P] --http DIR
 *
 * --echo sends back every octet it receives; --http serves the files
 * under DIR to GET and HEAD (HTTP/1.1, Connection: close). Many
 * connections at once, one thread: every turn of the loop looks at every
 * connection. */
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

#include "app.h"

#define REQ_MAX 8192
#define IO_BUF 65536
#define IDLE_TIMEOUT (60 * SYNACK_SEC)

enum mode { MODE_NONE, MODE_ECHO, MODE_HTTP };

enum phase {
    PH_REQUEST,  /* http: reading the request head */
    PH_RESPOND,  /* http: sending head and body; echo: echoing */
    PH_DRAIN,    /* our side is shut: read until the peer closes */
};

struct conn {
    int sd;
    enum phase phase;
    char peer[32];
    uint64_t last_active;
    /* the request, or echo data not yet sent back */
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
    struct conn **conns;
    size_t nconns, cap;
    uint64_t served, accepted, resets;
    char io[IO_BUF];
};

static void usage(FILE *f)
{
    fputs("usage: synack-serve (--echo | --http DIR) [options]\n"
          "  --echo           send back what each connection sends\n"
          "  --http DIR       serve the files under DIR (GET, HEAD)\n"
          "  --port P         port to listen on (8080)\n"
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

static void conn_free(struct server *sv, size_t i, bool abort)
{
    struct conn *c = sv->conns[i];
    uint64_t now = synack_clock_now();
    if (abort)
        synack_socket_abort(sv->app.stack, c->sd, now);
    else
        synack_socket_close(sv->app.stack, c->sd, now);
    if (c->file >= 0)
        close(c->file);
    free(c->in);
    free(c);
    sv->conns[i] = sv->conns[--sv->nconns];
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

static void http_request(struct server *sv, struct conn *c)
{
    char *eol = strstr(c->in, "\r\n");
    char method[16], target[2048];
    c->file = -1;
    c->phase = PH_RESPOND;
    if (!eol || sscanf(c->in, "%15s %2047s HTTP/%*d.%*d", method, target) != 2) {
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
static bool http_send(struct server *sv, struct conn *c, int *err)
{
    struct synack_stack *s = sv->app.stack;
    for (;;) {
        uint64_t now = synack_clock_now();
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
        c->last_active = now;
        if (c->head_off < c->head_len)
            c->head_off += (size_t)w;
        else
            c->file_off += w;
    }
}

/* ---- one connection's turn; false when it is finished ---- */

static bool conn_turn(struct server *sv, struct conn *c, bool *abort)
{
    struct synack_stack *s = sv->app.stack;
    /* the time of the turn, for the idle clock; each call into the stack
     * takes the clock anew: http_send's calls come later than this, and
     * the stack's time never goes back (synack/stack.h), nor does the
     * TSval it sends (RFC 7323 5.4) */
    uint64_t now = synack_clock_now();
    int err = 0;
    if (c->phase == PH_REQUEST) {
        ssize_t r = synack_socket_recv(s, c->sd, c->in + c->in_len, REQ_MAX - 1 - c->in_len, 0,
                                       synack_clock_now());
        if (r > 0) {
            c->in_len += (size_t)r;
            c->in[c->in_len] = '\0';
            c->last_active = now;
            if (strstr(c->in, "\r\n\r\n"))
                http_request(sv, c);
            else if (c->in_len >= REQ_MAX - 1) {
                c->phase = PH_RESPOND;
                respond_status(c, 431, "Request Header Fields Too Large");
            } else
                return true;
        } else if (r == 0) {
            return false; /* closed before asking */
        } else if (r != -EAGAIN) {
            err = (int)-r;
            goto failed;
        } else {
            return true;
        }
    }
    if (c->phase == PH_RESPOND && sv->mode == MODE_HTTP) {
        if (!http_send(sv, c, &err)) {
            if (err)
                goto failed;
            return true;
        }
        sv->served++;
        synack_socket_shutdown(s, c->sd, SYNACK_SHUT_WR, synack_clock_now());
        c->phase = PH_DRAIN;
    }
    if (c->phase == PH_RESPOND && sv->mode == MODE_ECHO) {
        for (;;) {
            if (c->in_len) {
                ssize_t w = synack_socket_send(s, c->sd, c->in, c->in_len, 0, synack_clock_now());
                if (w == -EAGAIN)
                    return true; /* read no more until this is out: flow control */
                if (w < 0) {
                    err = (int)-w;
                    goto failed;
                }
                memmove(c->in, c->in + w, c->in_len - (size_t)w);
                c->in_len -= (size_t)w;
                c->last_active = now;
                if (c->in_len)
                    return true;
            }
            ssize_t r = synack_socket_recv(s, c->sd, c->in, IO_BUF, 0, synack_clock_now());
            if (r == -EAGAIN)
                return true;
            if (r == 0) {
                synack_socket_shutdown(s, c->sd, SYNACK_SHUT_WR, synack_clock_now());
                sv->served++;
                return false; /* echoed everything: close */
            }
            if (r < 0) {
                err = (int)-r;
                goto failed;
            }
            c->in_len = (size_t)r;
            c->last_active = now;
        }
    }
    if (c->phase == PH_DRAIN) {
        for (;;) {
            ssize_t r = synack_socket_recv(s, c->sd, sv->io, sizeof sv->io, 0, synack_clock_now());
            if (r == 0)
                return false;
            if (r == -EAGAIN)
                return true;
            if (r < 0) {
                err = (int)-r;
                goto failed;
            }
        }
    }
    return true;
failed:
    if (err == ECONNRESET)
        sv->resets++;
    log_conn(sv, c, "ended: %s", err == ECONNRESET ? "reset by the peer" : strerror(err));
    *abort = err != ECONNRESET && err != ETIMEDOUT && err != EPIPE;
    return false;
}

static void accept_all(struct server *sv)
{
    for (;;) {
        uint32_t raddr;
        uint16_t rport;
        int sd = synack_socket_accept(sv->app.stack, sv->listener, &raddr, &rport);
        if (sd < 0)
            return;
        struct conn *c = calloc(1, sizeof *c);
        char *in = malloc(sv->mode == MODE_ECHO ? IO_BUF : REQ_MAX);
        if (sv->nconns == sv->cap) {
            size_t cap = sv->cap ? sv->cap * 2 : 64;
            struct conn **v = realloc(sv->conns, cap * sizeof *v);
            if (v) {
                sv->conns = v;
                sv->cap = cap;
            }
        }
        if (!c || !in || sv->nconns == sv->cap) {
            free(c);
            free(in);
            synack_socket_abort(sv->app.stack, sd, synack_clock_now());
            continue;
        }
        c->sd = sd;
        c->in = in;
        c->file = -1;
        c->phase = sv->mode == MODE_ECHO ? PH_RESPOND : PH_REQUEST;
        c->last_active = synack_clock_now();
        char a[20];
        app_format_ipv4(raddr, a, sizeof a);
        snprintf(c->peer, sizeof c->peer, "%s:%u", a, rport);
        sv->conns[sv->nconns++] = c;
        sv->accepted++;
        log_conn(sv, c, "%s", "connected");
    }
}

int main(int argc, char **argv)
{
    static struct server sv;
    app_init(&sv.app, "synack-serve");
    sv.port = 8080;
    static const struct option longopts[] = {
        APP_COMMON_OPTIONS,
        {"echo", no_argument, NULL, 'e'},
        {"http", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
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
    if (!app_start(&sv.app)) {
        app_stop(&sv.app);
        return APP_EXIT_SETUP;
    }
    struct synack_stack *s = sv.app.stack;
    sv.listener = synack_socket(s);
    int one = 1, rc = sv.listener < 0 ? sv.listener : 0;
    if (rc == 0)
        rc = synack_socket_setsockopt(s, sv.listener, SYNACK_SOL_SOCKET, SYNACK_SO_REUSEADDR,
                                      &one, sizeof one, synack_clock_now());
    if (rc == 0)
        rc = synack_socket_bind(s, sv.listener, sv.app.addr, sv.port);
    if (rc == 0)
        rc = synack_socket_listen(s, sv.listener, 128);
    if (rc < 0) {
        fprintf(stderr, "synack-serve: cannot listen on port %u: %s\n", sv.port, strerror(-rc));
        app_stop(&sv.app);
        return APP_EXIT_SETUP;
    }
    char a[20];
    app_format_ipv4(sv.app.addr, a, sizeof a);
    fprintf(stderr, "synack-serve: listening on %s:%u (%s%s) via %s\n", a, sv.port,
            sv.mode == MODE_ECHO ? "echo" : "http ", sv.mode == MODE_HTTP ? sv.root : "",
            synack_tun_name(sv.app.tun));
    while (app_turn(&sv.app, synack_clock_now() + SYNACK_SEC)) {
        accept_all(&sv);
        for (size_t i = 0; i < sv.nconns;) {
            struct conn *cn = sv.conns[i];
            bool abort = false;
            /* A pass over many connections must not hold the stack's timers
             * (a delayed ACK: MUST-40): when one is due, a turn that does
             * not sleep */
            if (synack_tun_deadline(sv.app.tun, s) <= synack_clock_now() && !app_turn(&sv.app, 0))
                break;
            if (!conn_turn(&sv, cn, &abort)) {
                conn_free(&sv, i, abort);
                continue;
            }
            if (synack_clock_now() > cn->last_active + IDLE_TIMEOUT) {
                log_conn(&sv, cn, "%s", "idle for 60 s: aborted");
                conn_free(&sv, i, true);
                continue;
            }
            i++;
        }
    }
    fprintf(stderr, "synack-serve: stopping: %llu connections, %llu served, %llu reset\n",
            (unsigned long long)sv.accepted, (unsigned long long)sv.served,
            (unsigned long long)sv.resets);
    while (sv.nconns)
        conn_free(&sv, sv.nconns - 1, true);
    free(sv.conns);
    app_report(&sv.app);
    app_stop(&sv.app);
    return 0;
}

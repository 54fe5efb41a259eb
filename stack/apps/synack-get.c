/* synack-get: HTTP/1.1 GET through synack on a TUN device.
 *
 *   synack-get [--tun NAME --addr A --peer B ...] [-o FILE] http://IPv4[:port][/path]
 *
 * The body goes to FILE (or standard output); a progress bar goes to
 * standard error for large bodies when it is a terminal (or --progress);
 * the last line on standard error gives the status, size and goodput.
 * Refused, reset and timed-out connections get a message of their own and
 * an exit status of their own (app.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app.h"

#define HEAD_MAX 65536
#define PROGRESS_MIN (1024 * 1024) /* bodies at least this large get a bar */

struct url {
    struct synack_addr addr;
    uint16_t port;
    char host[64];
    const char *path;
};

struct body {
    int out;                 /* where the body goes */
    long long length;        /* Content-Length, or -1 */
    bool chunked;
    long long got;           /* body octets written */
    /* chunked decoding */
    long long chunk_left;    /* octets left in this chunk; -1: reading a size line */
    bool chunk_crlf;         /* a CRLF follows the chunk data */
    bool done;
    char line[64];
    size_t line_len;
};

struct get {
    struct app app;
    struct url url;
    const char *out_path;
    int progress;            /* -1 auto (a terminal), 0 off, 1 on */
    int quiet;
    double connect_timeout;  /* seconds */
    double idle_timeout;     /* seconds without progress */
    int sd;
    char head[HEAD_MAX];
    size_t head_len;
    bool head_done;
    int status;
    char reason[128];
    struct body b;
    uint64_t t_start, t_body, t_last_bar, t_last_progress;
    char peer_text[64];
};

static void usage(FILE *f)
{
    fputs("usage: synack-get [options] http://ADDR[:PORT][/PATH]\n"
          "  -o FILE          write the body to FILE (default: standard output)\n"
          "  --progress       always draw the progress bar; --no-progress never\n"
          "  -q               no summary line\n"
          "  --connect-timeout S  give up on the handshake after S seconds (10)\n"
          "  --timeout S      give up when nothing arrives for S seconds (30)\n"
          "  -v               more detail (-vv: the stack's counters)\n" APP_COMMON_USAGE
          "ADDR is a dotted IPv4 address: synack has no resolver.\n"
          "Exit: 0 ok, 1 HTTP error or short body, 2 usage, 3 refused, 4 reset, 5 timed out,\n"
          "      6 the device or stack could not be set up.\n",
          f);
}

static bool parse_url(const char *s, struct url *u)
{
    if (strncmp(s, "http://", 7) != 0)
        return false;
    s += 7;
    const char *slash = strchr(s, '/');
    size_t hostlen = slash ? (size_t)(slash - s) : strlen(s);
    if (hostlen == 0 || hostlen >= sizeof u->host)
        return false;
    memcpy(u->host, s, hostlen);
    u->host[hostlen] = '\0';
    u->path = slash ? slash : "/";
    char hostonly[64];
    memcpy(hostonly, u->host, hostlen + 1);
    u->port = 80;
    char *h = hostonly, *colon = strchr(hostonly, ':');
    if (hostonly[0] == '[') { /* an IPv6 literal (RFC 3986 3.2.2) */
        char *close = strchr(hostonly, ']');
        if (!close || (close[1] && close[1] != ':'))
            return false;
        *close = '\0';
        h = hostonly + 1;
        colon = close[1] ? close + 1 : NULL;
    }
    if (colon) {
        char *end;
        long p = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || p < 1 || p > 65535)
            return false;
        u->port = (uint16_t)p;
        *colon = '\0';
    }
    return synack_addr_parse(h, strlen(h), &u->addr) &&
           (u->addr.family == SYNACK_AF_INET) == (h == hostonly);
}

/* ---- output ---- */

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void draw_bar(struct get *g, uint64_t now, bool final)
{
    if (!g->progress)
        return;
    if (g->progress < 0 && !(g->b.length >= PROGRESS_MIN || g->b.got >= PROGRESS_MIN))
        return;
    if (!final && now - g->t_last_bar < 100000)
        return;
    g->t_last_bar = now;
    double secs = (now - g->t_body) / 1e6;
    double rate = secs > 0 ? g->b.got * 8 / secs / 1e6 : 0;
    char got[32], total[32];
    app_format_size((double)g->b.got, got, sizeof got);
    if (g->b.length > 0) {
        int width = 30;
        int fill = (int)(g->b.got * width / g->b.length);
        char bar[64];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        app_format_size((double)g->b.length, total, sizeof total);
        fprintf(stderr, "\r[%s] %3lld%%  %s / %s  %.1f Mbit/s ", bar,
                g->b.got * 100 / g->b.length, got, total, rate);
    } else {
        fprintf(stderr, "\r%s  %.1f Mbit/s ", got, rate);
    }
    if (final)
        fputc('\n', stderr);
}

/* ---- the body: identity or chunked ---- */

static bool body_data(struct get *g, const char *p, size_t n)
{
    if (g->b.length >= 0 && g->b.got + (long long)n > g->b.length)
        n = (size_t)(g->b.length - g->b.got); /* ignore what follows the body */
    if (!write_all(g->b.out, p, n)) {
        fprintf(stderr, "%s: writing %s: %s\n", g->app.prog, g->out_path ? g->out_path : "output",
                strerror(errno));
        return false;
    }
    g->b.got += (long long)n;
    if (g->b.length >= 0 && g->b.got >= g->b.length)
        g->b.done = true;
    return true;
}

static bool body_chunked(struct get *g, const char *p, size_t n)
{
    while (n && !g->b.done) {
        if (g->b.chunk_left > 0) {
            size_t take = n < (size_t)g->b.chunk_left ? n : (size_t)g->b.chunk_left;
            if (!write_all(g->b.out, p, take))
                return false;
            g->b.got += (long long)take;
            g->b.chunk_left -= (long long)take;
            p += take;
            n -= take;
            if (g->b.chunk_left == 0)
                g->b.chunk_crlf = true;
            continue;
        }
        /* a line: the CRLF after a chunk, a chunk size, or the trailer */
        char c = *p++;
        n--;
        if (c != '\n') {
            if (g->b.line_len < sizeof g->b.line - 1)
                g->b.line[g->b.line_len++] = c;
            continue;
        }
        g->b.line[g->b.line_len] = '\0';
        g->b.line_len = 0;
        if (g->b.chunk_crlf) {
            g->b.chunk_crlf = false;
            continue;
        }
        if (g->b.chunk_left == 0) { /* after the last chunk: trailer lines, then "" */
            if (g->b.line[0] == '\r' || g->b.line[0] == '\0')
                g->b.done = true;
            continue;
        }
        char *end;
        long long size = strtoll(g->b.line, &end, 16);
        if (end == g->b.line || size < 0) {
            fprintf(stderr, "%s: bad chunk size line '%s'\n", g->app.prog, g->b.line);
            return false;
        }
        g->b.chunk_left = size; /* 0: the last chunk */
    }
    return true;
}

static bool body_feed(struct get *g, const char *p, size_t n)
{
    return g->b.chunked ? body_chunked(g, p, n) : body_data(g, p, n);
}

/* ---- the response head ---- */

static bool parse_head(struct get *g, size_t head_end)
{
    g->head[head_end] = '\0';
    char *save = NULL;
    char *line = strtok_r(g->head, "\r\n", &save);
    if (!line || sscanf(line, "HTTP/%*d.%*d %d", &g->status) != 1) {
        fprintf(stderr, "%s: %s did not answer with HTTP: '%.60s'\n", g->app.prog,
                g->peer_text, line ? line : "");
        return false;
    }
    const char *r = strchr(line, ' ');
    r = r ? strchr(r + 1, ' ') : NULL;
    snprintf(g->reason, sizeof g->reason, "%s", r ? r + 1 : "");
    g->b.length = -1;
    while ((line = strtok_r(NULL, "\r\n", &save))) {
        if (strncasecmp(line, "Content-Length:", 15) == 0)
            g->b.length = strtoll(line + 15, NULL, 10);
        else if (strncasecmp(line, "Transfer-Encoding:", 18) == 0 && strcasestr(line, "chunked"))
            g->b.chunked = true;
        if (g->app.verbose)
            fprintf(stderr, "< %s\n", line);
    }
    if (g->b.chunked) {
        g->b.length = -1;
        g->b.chunk_left = -1;
    }
    if (g->b.length == 0)
        g->b.done = true;
    return true;
}

/* Take what the socket gives; false on a fatal problem. */
static bool on_data(struct get *g, const char *p, size_t n)
{
    if (!g->head_done) {
        size_t room = HEAD_MAX - 1 - g->head_len;
        size_t take = n < room ? n : room;
        memcpy(g->head + g->head_len, p, take);
        size_t old = g->head_len;
        g->head_len += take;
        g->head[g->head_len] = '\0';
        char *end = strstr(g->head, "\r\n\r\n");
        if (!end) {
            if (g->head_len >= HEAD_MAX - 1) {
                fprintf(stderr, "%s: response head longer than %d octets\n", g->app.prog,
                        HEAD_MAX);
                return false;
            }
            return true;
        }
        size_t head_end = (size_t)(end - g->head) + 4;
        size_t rest_off = head_end - old; /* of p */
        g->head_done = true;
        g->t_body = synack_clock_now();
        if (!parse_head(g, head_end))
            return false;
        return body_feed(g, p + rest_off, n - rest_off);
    }
    return body_feed(g, p, n);
}

/* ---- the connection ---- */

static const char *say_error(int e)
{
    switch (e) {
    case ECONNREFUSED: return "connection refused";
    case ECONNRESET: return "connection reset";
    case ETIMEDOUT: return "connection timed out";
    default: return strerror(e);
    }
}

static int exit_for(int e)
{
    switch (e) {
    case ECONNREFUSED: return APP_EXIT_REFUSED;
    case ECONNRESET: case EPIPE: return APP_EXIT_RESET;
    case ETIMEDOUT: return APP_EXIT_TIMEOUT;
    default: return APP_EXIT_HTTP;
    }
}

static int do_connect(struct get *g)
{
    struct synack_stack *s = g->app.stack;
    uint64_t now = synack_clock_now();
    g->t_start = now;
    g->sd = synack_socket_family(s, g->url.addr.family);
    if (g->sd < 0) {
        fprintf(stderr, "%s: socket: %s\n", g->app.prog, strerror(-g->sd));
        return APP_EXIT_SETUP;
    }
    int rc = synack_socket_connect_addr(s, g->sd, &g->url.addr, g->url.port, now);
    if (rc < 0 && rc != -EINPROGRESS) {
        fprintf(stderr, "%s: connect to %s: %s\n", g->app.prog, g->peer_text, strerror(-rc));
        return exit_for(-rc);
    }
    uint64_t limit = now + (uint64_t)(g->connect_timeout * 1e6);
    for (;;) {
        int ev = synack_socket_events(s, g->sd);
        if (ev & SYNACK_POLLERR) {
            int err = 0;
            size_t len = sizeof err;
            synack_socket_getsockopt(s, g->sd, SYNACK_SOL_SOCKET, SYNACK_SO_ERROR, &err, &len);
            if (err == ECONNREFUSED)
                fprintf(stderr, "%s: connection refused by %s: it answered our SYN with a RST "
                                "(nothing listens on that port)\n", g->app.prog, g->peer_text);
            else if (err == ETIMEDOUT)
                fprintf(stderr, "%s: timed out: %s never answered our SYN\n", g->app.prog,
                        g->peer_text);
            else
                fprintf(stderr, "%s: cannot connect to %s: %s\n", g->app.prog, g->peer_text,
                        say_error(err));
            return exit_for(err);
        }
        if (ev & SYNACK_POLLOUT)
            return 0;
        now = synack_clock_now();
        if (now >= limit) {
            struct synack_tcp_info info;
            unsigned tries = 0;
            if (synack_socket_status(s, g->sd, &info) == 0)
                tries = (unsigned)info.total_retrans;
            fprintf(stderr, "%s: timed out: no answer from %s within %.0f s "
                            "(SYN sent %u times)\n", g->app.prog, g->peer_text,
                    g->connect_timeout, tries + 1);
            synack_socket_abort(s, g->sd, now);
            return APP_EXIT_TIMEOUT;
        }
        if (!app_turn(&g->app, limit))
            return APP_EXIT_SETUP;
    }
}

static int send_request(struct get *g)
{
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: synack-get/0.1\r\n"
                     "Accept: */*\r\nConnection: close\r\n\r\n",
                     g->url.path, g->url.host);
    if (n < 0 || (size_t)n >= sizeof req) {
        fprintf(stderr, "%s: URL too long\n", g->app.prog);
        return APP_EXIT_USAGE;
    }
    size_t off = 0;
    while (off < (size_t)n) {
        ssize_t w = synack_socket_send(g->app.stack, g->sd, req + off, (size_t)n - off, 0,
                                       synack_clock_now());
        if (w == -EAGAIN) {
            if (!app_turn(&g->app, SYNACK_TIME_NEVER))
                return APP_EXIT_SETUP;
            continue;
        }
        if (w < 0) {
            fprintf(stderr, "%s: sending the request to %s: %s\n", g->app.prog, g->peer_text,
                    say_error((int)-w));
            return exit_for((int)-w);
        }
        off += (size_t)w;
    }
    return 0;
}

static int receive(struct get *g)
{
    static char buf[65536];
    struct synack_stack *s = g->app.stack;
    g->t_last_progress = synack_clock_now();
    for (;;) {
        uint64_t now = synack_clock_now();
        ssize_t r = synack_socket_recv(s, g->sd, buf, sizeof buf, 0, now);
        if (r > 0) {
            g->t_last_progress = now;
            if (!on_data(g, buf, (size_t)r))
                return APP_EXIT_HTTP;
            draw_bar(g, now, false);
            if (g->b.done)
                return 0;
            continue;
        }
        if (r == 0) { /* the server closed */
            if (!g->head_done) {
                fprintf(stderr, "%s: %s closed the connection before answering\n",
                        g->app.prog, g->peer_text);
                return APP_EXIT_HTTP;
            }
            if (g->b.length >= 0 && g->b.got < g->b.length) {
                fprintf(stderr, "\n%s: %s closed the connection after %lld of %lld octets\n",
                        g->app.prog, g->peer_text, g->b.got, g->b.length);
                return APP_EXIT_HTTP;
            }
            if (g->b.chunked && !g->b.done) {
                fprintf(stderr, "\n%s: %s closed the connection inside a chunked body\n",
                        g->app.prog, g->peer_text);
                return APP_EXIT_HTTP;
            }
            g->b.done = true;
            return 0;
        }
        if (r != -EAGAIN) {
            int e = (int)-r;
            if (e == ECONNRESET)
                fprintf(stderr, "\n%s: connection reset by %s after %lld octets of the body\n",
                        g->app.prog, g->peer_text, g->b.got);
            else
                fprintf(stderr, "\n%s: receiving from %s: %s\n", g->app.prog, g->peer_text,
                        say_error(e));
            return exit_for(e);
        }
        uint64_t limit = g->t_last_progress + (uint64_t)(g->idle_timeout * 1e6);
        if (now >= limit) {
            fprintf(stderr, "\n%s: timed out: nothing from %s for %.0f s (%lld octets of the "
                            "body so far)\n", g->app.prog, g->peer_text, g->idle_timeout,
                    g->b.got);
            synack_socket_abort(s, g->sd, now);
            return APP_EXIT_TIMEOUT;
        }
        if (!app_turn(&g->app, limit))
            return APP_EXIT_SETUP;
    }
}

/* Close and let the stack finish the exchange (our FIN acknowledged), for
 * at most a second. */
static void finish(struct get *g)
{
    uint64_t now = synack_clock_now();
    synack_socket_close(g->app.stack, g->sd, now);
    uint64_t limit = now + SYNACK_SEC;
    while ((now = synack_clock_now()) < limit) {
        uint64_t d = synack_stack_deadline(g->app.stack);
        if (d == SYNACK_TIME_NEVER || d > now + 10 * SYNACK_SEC)
            break; /* nothing in flight: gone, or only TIME-WAIT is left */
        if (!app_turn(&g->app, limit))
            break;
    }
}

int main(int argc, char **argv)
{
    static struct get g;
    app_init(&g.app, "synack-get");
    /* One connection: its receive buffer may grow to 16 MiB while the
     * window limits the server (the holes of a lossy path keep what
     * arrived past them for round trips). synack-serve's stay at 1 MiB:
     * thousands of clients times 16 MiB is no bound. */
    g.app.rcvbuf_max = 16u << 20;
    g.progress = -1;
    g.connect_timeout = 10;
    g.idle_timeout = 30;
    g.b.out = STDOUT_FILENO;
    static const struct option longopts[] = {
        APP_COMMON_OPTIONS,
        {"output", required_argument, NULL, 'o'},
        {"progress", no_argument, NULL, 'P'},
        {"no-progress", no_argument, NULL, 'N'},
        {"connect-timeout", required_argument, NULL, 'C'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "o:qvh", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': g.out_path = optarg; break;
        case 'P': g.progress = 1; break;
        case 'N': g.progress = 0; break;
        case 'q': g.quiet = 1; break;
        case 'v': g.app.verbose++; break;
        case 'h': usage(stdout); return 0;
        case 'C':
        case 'T': {
            double v = strtod(optarg, &end);
            if (!*optarg || *end || v <= 0) {
                fprintf(stderr, "synack-get: expected seconds, got '%s'\n", optarg);
                return APP_EXIT_USAGE;
            }
            *(c == 'C' ? &g.connect_timeout : &g.idle_timeout) = v;
            break;
        }
        default:
            if (c >= APP_OPT_BASE && app_option(&g.app, c, optarg))
                break;
            usage(stderr);
            return APP_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return APP_EXIT_USAGE;
    }
    if (!parse_url(argv[optind], &g.url)) {
        fprintf(stderr, "synack-get: expected http://IPv4[:port][/path] or "
                        "http://[IPv6][:port][/path], got '%s'\n",
                argv[optind]);
        return APP_EXIT_USAGE;
    }
    app_format_endpoint(&g.url.addr, g.url.port, g.peer_text, sizeof g.peer_text);
    if (g.progress < 0 && !isatty(STDERR_FILENO))
        g.progress = 0;
    if (g.out_path) {
        g.b.out = open(g.out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (g.b.out < 0) {
            fprintf(stderr, "synack-get: %s: %s\n", g.out_path, strerror(errno));
            return APP_EXIT_USAGE;
        }
    }
    int rc = APP_EXIT_SETUP;
    if (app_start(&g.app)) {
        rc = do_connect(&g);
        if (rc == 0)
            rc = send_request(&g);
        if (rc == 0)
            rc = receive(&g);
        uint64_t end = synack_clock_now();
        if (rc == 0) {
            draw_bar(&g, end, true);
            finish(&g);
            if (g.status < 200 || g.status > 299)
                rc = APP_EXIT_HTTP;
            if (!g.quiet || rc) {
                double secs = (end - g.t_body) / 1e6;
                fprintf(stderr, "synack-get: %d %s, %lld octets in %.3f s (%.1f Mbit/s goodput)\n",
                        g.status, g.reason, g.b.got, secs,
                        secs > 0 ? g.b.got * 8 / secs / 1e6 : 0.0);
            }
        }
        if (g.app.verbose)
            app_report(&g.app);
    }
    if (app_stopping() && rc != 0)
        fprintf(stderr, "synack-get: interrupted\n");
    app_stop(&g.app);
    if (g.out_path && close(g.b.out) < 0 && rc == 0) {
        fprintf(stderr, "synack-get: %s: %s\n", g.out_path, strerror(errno));
        rc = APP_EXIT_HTTP;
    }
    return rc;
}

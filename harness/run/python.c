/* Python blocks (%{ ... }%) with packetdrill's semantics (code.c): at the
 * block's time the runner takes the TCP_INFO of the socket under test (the
 * last one socket() or accept() gave); when the script has run to its end,
 * one python3 program runs every block in order, in one namespace, each
 * after its snapshot's variables (tcpi_*, SK_MEMINFO_*, the constants).
 * Our program is our own: a failed assertion is reported with its script
 * line, its text and the values of the names in it; a variable packetdrill
 * defines that this target cannot know skips the vector (never passes it);
 * any other exception is an error. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/run_internal.h"

#define PY_MAX_BLOCKS 4096
#define PY_TIMEOUT_MS 60000
#define PY_RESULT_MAX 2048

struct py_block {
    const struct script_event *ev;
    unsigned first_line;      /* script line of the code's first line */
    struct target_tcpi snap;
};

struct py_blocks {
    size_t count, cap;
    struct py_block *b;
};

int run_tcpi(struct runner *r, int sd, struct target_tcpi *out)
{
    if (r->ops->sock_tcpi)
        return r->ops->sock_tcpi(r->t, sd, out);
    struct synack_tcp_info info;
    int rc = r->ops->sock_info(r->t, sd, &info);
    if (rc == 0)
        tcpi_from_status(&info, out);
    return rc;
}

/* The line of the script where the block's code starts: its %{ line. */
static unsigned code_line(const struct script_event *ev)
{
    const char *open = strstr(ev->source, "%{");
    unsigned line = ev->line;
    for (const char *p = ev->source; open && p < open; p++)
        line += *p == '\n';
    return line;
}

void python_event(struct runner *r, const struct script_event *ev)
{
    if (r->sut_child_line) {
        run_error(r, ev, "python block: no socket to take TCP_INFO from: the connection the "
                         "SYN of line %u opened is not accept()ed yet", r->sut_child_line);
        return;
    }
    if (r->sut < 0 || r->fd_map[r->sut] < 0) {
        run_error(r, ev, "python block: no socket to take TCP_INFO from (no socket() or "
                         "accept() yet, or it was closed)");
        return;
    }
    struct py_blocks *pb = r->py;
    if (!pb && !(pb = r->py = calloc(1, sizeof *pb))) {
        run_error(r, ev, "out of memory");
        return;
    }
    if (pb->count == pb->cap) {
        size_t cap = pb->cap ? pb->cap * 2 : 8;
        struct py_block *b = cap <= PY_MAX_BLOCKS ? realloc(pb->b, cap * sizeof *b) : NULL;
        if (!b) {
            run_error(r, ev, "more than %d python blocks", PY_MAX_BLOCKS);
            return;
        }
        pb->b = b;
        pb->cap = cap;
    }
    struct py_block *blk = &pb->b[pb->count];
    blk->ev = ev;
    blk->first_line = code_line(ev);
    int rc = run_tcpi(r, r->fd_map[r->sut], &blk->snap);
    if (rc < 0) {
        run_error(r, ev, "python block: TCP_INFO of fd %d: %s", r->sut,
                  errno_name(-rc) ? errno_name(-rc) : "error");
        return;
    }
    if (r->map.isn_advance_known && blk->snap.count < TCPI_MAX) /* the harness's own */
        blk->snap.f[blk->snap.count++] =
            (struct tcpi_field){"synack_isn_advance", r->map.isn_advance};
    pb->count++;
    char text[300];
    snprintf(text, sizeof text, "%%{ %s }%%", ev->text);
    vector_result_add_row(r->res, LADDER_SYSCALL, LADDER_OK, ev->line, run_now(r), run_now(r),
                          text, "TCP_INFO taken", NULL);
}

void python_free(struct runner *r)
{
    struct py_blocks *pb = r->py;
    if (pb)
        free(pb->b);
    free(pb);
    r->py = NULL;
}

/* ---- the program ------------------------------------------------------------ */

/* Runs each block as packetdrill's generated file does (one namespace,
 * the snapshot's variables first, _file and _line set); the first failure
 * is written to descriptor 3 as KIND<TAB>LINE<TAB>TEXT, else "ok". */
static const char prelude[] =
    "import sys, re, traceback\n"
    "_synack_ns = {'__name__': '__main__', '__builtins__': __builtins__, 'sys': sys,\n"
    "              'traceback': traceback}\n"
    "def _synack_report(kind, line, *fields):\n"
    "    clean = [str(f).replace('\\t', ' ').replace('\\n', ' ') for f in fields]\n"
    "    _synack_out.write('\\t'.join([kind, str(line)] + clean) + '\\n')\n"
    "    _synack_out.flush()\n"
    "def _synack_line(e, first):\n"
    "    line, tb = first, e.__traceback__\n"
    "    while tb is not None:\n"
    "        if tb.tb_frame.f_code.co_filename == '<script>':\n"
    "            line = tb.tb_lineno\n"
    "        tb = tb.tb_next\n"
    "    return line\n"
    "def _synack_values(code, first, line):\n"
    "    lines = code.split('\\n')\n"
    "    text = lines[line - first] if 0 <= line - first < len(lines) else ''\n"
    "    vals = []\n"
    "    for name in dict.fromkeys(re.findall(r'[A-Za-z_][A-Za-z0-9_]*', text)):\n"
    "        v = _synack_ns.get(name)\n"
    "        if isinstance(v, (int, float, str)) and not name.startswith('_'):\n"
    "            vals.append('%s=%r' % (name, v))\n"
    "    return text.strip(), ', '.join(vals)\n"
    "def _synack_block(first, code, names):\n"
    "    _synack_ns.update(names)\n"
    "    _synack_ns['_line'] = first\n"
    "    try:\n"
    "        exec(compile('\\n' * (first - 1) + code, '<script>', 'exec'), _synack_ns)\n"
    "        return True\n"
    "    except SyntaxError as e:\n"
    "        _synack_report('error', e.lineno or first, 'SyntaxError: %s' % e.msg)\n"
    "    except NameError as e:\n"
    "        _synack_report('name', _synack_line(e, first), e.name, 'NameError: %s' % e)\n"
    "    except AssertionError as e:\n"
    "        line = _synack_line(e, first)\n"
    "        text, vals = _synack_values(code, first, line)\n"
    "        _synack_report('assert', line, text, e, vals)\n"
    "    except BaseException as e:\n"
    "        _synack_report('error', _synack_line(e, first), '%s: %s' % (type(e).__name__, e))\n"
    "    return False\n";

struct buf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !b->oom; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if (b->p && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

/* A Python string literal of any text: its octets in hex. */
static void put_text(struct buf *b, const char *text)
{
    put(b, "bytes.fromhex('");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        put(b, "%02x", *p);
    put(b, "').decode('utf-8', 'replace')");
}

static char *program(const struct runner *r, const struct py_blocks *pb)
{
    struct buf b = {0};
    put(&b, "%s", prelude);
    for (size_t i = 0; i < pb->count; i++) {
        const struct py_block *blk = &pb->b[i];
        put(&b, "if not _synack_block(%u, ", blk->first_line);
        put_text(&b, blk->ev->text);
        put(&b, ", {'_file': ");
        put_text(&b, r->s->path);
        uint64_t v;
        for (size_t k = 0; tcpi_constant(k, &v); k++)
            put(&b, ", '%s': %llu", tcpi_constant(k, &v), (unsigned long long)v);
        for (size_t k = 0; k < blk->snap.count; k++)
            put(&b, ", '%s': %llu", blk->snap.f[k].name,
                (unsigned long long)blk->snap.f[k].value);
        put(&b, "}):\n    sys.exit(0)\n");
    }
    put(&b, "_synack_report('ok', 0)\n");
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

/* ---- running it: a python3 process serving programs ----------------------------
 *
 * One process per worker thread (run_options.python, made by the batch),
 * so python3 starts once per thread, not once per vector: each program
 * runs in a namespace of its own (as a file of its own under packetdrill).
 * The protocol on a socket pair (descriptor 3 in the child): LENGTH\n then
 * the program; back LENGTH\n then what it wrote to _synack_out. */

static const char server[] =
    "import io, socket\n"
    "s = socket.socket(fileno=3)\n"
    "rd, wr = s.makefile('rb'), s.makefile('wb')\n"
    "while True:\n"
    "    n = rd.readline()\n"
    "    if not n:\n"
    "        break\n"
    "    src = rd.read(int(n)).decode('utf-8', 'replace')\n"
    "    out = io.StringIO()\n"
    "    try:\n"
    "        exec(compile(src, '<synack>', 'exec'), {'__name__': '__main__', '_synack_out': out})\n"
    "    except SystemExit:\n"
    "        pass\n"
    "    except BaseException as e:\n"
    "        out.write('error\\t0\\t%s: %s\\n' % (type(e).__name__, e))\n"
    "    res = out.getvalue().encode()\n"
    "    wr.write(b'%d\\n' % len(res) + res)\n"
    "    wr.flush()\n";

static int64_t ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct python_host {
    pid_t pid;   /* 0: not started */
    int sock;
};

struct python_host *python_host_new(void)
{
    struct python_host *h = calloc(1, sizeof *h);
    if (h)
        h->sock = -1;
    return h;
}

static void host_stop(struct python_host *h)
{
    if (h->sock >= 0)
        close(h->sock); /* the server reads EOF and ends */
    h->sock = -1;
    if (h->pid > 0) {
        int st;
        int64_t deadline = ms_now() + 1000;
        while (waitpid(h->pid, &st, WNOHANG) == 0 && ms_now() < deadline)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        if (waitpid(h->pid, &st, WNOHANG) == 0) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, &st, 0);
        }
    }
    h->pid = 0;
}

void python_host_free(struct python_host *h)
{
    if (!h)
        return;
    host_stop(h);
    free(h);
}

/* Start the server: 0, or -errno (-ENOENT: no python3). */
static int host_start(struct python_host *h)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    char *argv[] = {"python3", "-I", "-S", "-c", (char *)server, NULL};
    extern char **environ;
    int rc = posix_spawnp(&h->pid, "python3", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        h->pid = 0;
        return -rc;
    }
    h->sock = sv[0];
    return 0;
}

static bool send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Read until "LENGTH\n" and that many octets (the first n-1 kept), or
 * the deadline: the length, -1 on EOF or error, -2 on timeout. */
static long recv_reply(int fd, int64_t deadline, char *out, size_t n)
{
    char head[32];
    size_t hk = 0;
    long want = -1, got = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int64_t left = deadline - ms_now();
        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return -2;
        char chunk[4096];
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        for (ssize_t i = 0; i < r; i++) {
            if (want < 0) {
                if (chunk[i] == '\n') {
                    head[hk] = '\0';
                    want = strtol(head, NULL, 10);
                } else if (hk + 1 < sizeof head)
                    head[hk++] = chunk[i];
                else
                    return -1;
            } else if (got < want) {
                if ((size_t)got + 1 < n)
                    out[got] = chunk[i];
                got++;
            }
        }
        if (want >= 0 && got >= want) {
            out[(size_t)got < n ? (size_t)got : n - 1] = '\0';
            return got;
        }
    }
}

/* Run the program; its verdict line into out. 0, -errno (-ENOENT: no
 * python3), or 1 when it ended without a verdict (why in out). */
static int run_python(struct python_host *h, const char *prog, char *out, size_t n)
{
    if (h->pid == 0) {
        int rc = host_start(h);
        if (rc < 0)
            return rc;
    }
    char head[32];
    size_t len = strlen(prog);
    snprintf(head, sizeof head, "%zu\n", len);
    long got = -1;
    if (send_all(h->sock, head, strlen(head)) && send_all(h->sock, prog, len))
        got = recv_reply(h->sock, ms_now() + PY_TIMEOUT_MS, out, n);
    if (got > 0)
        return 0;
    snprintf(out, n, got == -2 ? "python3 ran more than %d s: stopped"
                               : "python3 ended without a verdict", PY_TIMEOUT_MS / 1000);
    host_stop(h); /* the next program gets a fresh one */
    return 1;
}

static const struct script_event *block_at(const struct py_blocks *pb, unsigned line)
{
    const struct script_event *ev = pb->b[0].ev;
    for (size_t i = 0; i < pb->count; i++)
        if (pb->b[i].first_line <= line)
            ev = pb->b[i].ev;
    return ev;
}

/* Judge the program's verdict line "KIND<TAB>LINE<TAB>TEXT". */
static void verdict(struct runner *r, const struct py_blocks *pb, char *line)
{
    char *field[5] = {0};
    line[strcspn(line, "\n")] = '\0';
    for (size_t i = 0; i < 5 && line; i++)
        field[i] = strsep(&line, "\t");
    const char *kind = field[0] ? field[0] : "", *text = field[2], *more = field[3];
    const char *vals = field[4] && *field[4] ? field[4] : NULL;
    if (strcmp(kind, "ok") == 0)
        return;
    unsigned ln = field[1] ? (unsigned)strtoul(field[1], NULL, 10) : 0;
    struct script_event where = *block_at(pb, ln);
    where.line = ln ? ln : where.line;
    int64_t now = run_now(r);
    if (strcmp(kind, "assert") == 0 && text) {
        bool msg = more && *more;
        vector_result_add_row(r->res, LADDER_SYSCALL, LADDER_MISMATCH, ln, now, now, text, vals,
                              "python");
        run_fail(r, &where, "python", text, vals, now, now,
                 "python: assertion failed: %s%s%s%s%s", text, msg ? "; message: " : "",
                 msg ? more : "", vals ? "; values: " : "", vals ? vals : "");
    } else if (strcmp(kind, "name") == 0 && text && tcpi_exported(text)) {
        run_skip(r, &where, "python: %s is not known on target %s (packetdrill takes it from "
                            "Linux's TCP_INFO)", text, r->ops->name);
    } else {
        run_error(r, &where, "python: %s", strcmp(kind, "name") == 0 && more ? more
                                           : text ? text : "no verdict");
    }
}

void python_finish(struct runner *r)
{
    struct py_blocks *pb = r->py;
    if (!pb || pb->count == 0 || r->failed)
        return;
    struct python_host *own = r->o->python ? NULL : python_host_new();
    struct python_host *h = r->o->python ? r->o->python : own;
    char *prog = program(r, pb);
    char out[PY_RESULT_MAX];
    int rc = prog && h ? run_python(h, prog, out, sizeof out) : -ENOMEM;
    free(prog);
    python_host_free(own);
    if (rc == -ENOENT)
        run_skip(r, pb->b[0].ev, "python blocks need python3, which is not installed");
    else if (rc < 0)
        run_error(r, pb->b[0].ev, "python blocks: cannot run python3: %s", strerror(-rc));
    else if (rc > 0)
        run_error(r, pb->b[0].ev, "python blocks: %s", out);
    else
        verdict(r, pb, out);
}

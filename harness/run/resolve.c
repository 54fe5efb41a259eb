/* run/resolve.c: every name of a script resolved before it runs: system
 * call names (packetdrill's table), errno names, symbols and functions in
 * arguments, so a typo is an error at its line and column, not when (or
 * whether) execution reaches it. Whether a target can do a call is the
 * runner's business (syscalls.c): a named skip, not an error. */
#include <stdio.h>
#include <string.h>

#include "run/run_internal.h"

/* The system calls packetdrill knows (run_system_call.c's table). */
static const char *const packetdrill_calls[] = {
    "socket", "bind", "listen", "accept", "connect", "read", "readv", "recv", "recvfrom",
    "recvmsg", "write", "writev", "send", "sendto", "sendmsg", "fcntl", "ioctl", "close",
    "shutdown", "getsockopt", "setsockopt", "poll", "cap_set", "open", "sendfile",
    "epoll_create", "epoll_ctl", "epoll_wait", "pipe", "splice",
    "psp_rx_assoc", "psp_tx_assoc", /* PSP (Google's): a named skip on every target */
};

/* Functions an argument may call. */
static const char *const functions[] = { "htons", "inet_addr", "inet6_addr" };

static bool in(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

bool run_call_known(const char *name)
{
    return in(packetdrill_calls, sizeof packetdrill_calls / sizeof packetdrill_calls[0], name);
}

bool run_define_value(const struct script *s, const char *name, const char **value)
{
    for (size_t i = 0; i < s->define_count; i++)
        if (strcmp(s->defines[i].name, name) == 0) {
            *value = s->defines[i].value;
            return true;
        }
    return false;
}

static int fail_at(struct script_error *err, unsigned line, unsigned column, const char *what,
                   const char *name)
{
    err->line = line;
    err->column = column;
    snprintf(err->message, sizeof err->message, "unknown %s '%s'", what, name);
    return -1;
}

/* Symbols in value position; the left side of name=value is a field name. */
static int resolve_expr(const struct script *s, const struct script_expr *e,
                        struct script_error *err)
{
    int64_t v;
    const char *def;
    if (!e)
        return 0;
    switch (e->kind) {
    case SCRIPT_EXPR_SYMBOL:
        if (symbol_value(e->str, &v) || run_define_value(s, e->str, &def))
            return 0;
        return fail_at(err, e->line, e->column, "symbol", e->str);
    case SCRIPT_EXPR_CALL:
        if (!in(functions, sizeof functions / sizeof functions[0], e->str))
            return fail_at(err, e->line, e->column, "function", e->str);
        break;
    case SCRIPT_EXPR_ASSIGN:
        return resolve_expr(s, e->rhs, err);
    default:
        break;
    }
    for (size_t i = 0; i < e->count; i++)
        if (resolve_expr(s, e->items[i], err) < 0)
            return -1;
    return 0;
}

int run_resolve(const struct script *s, struct script_error *err)
{
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_event *ev = &s->events[i];
        if (ev->type != SCRIPT_EV_SYSCALL)
            continue;
        const struct script_syscall *sc = &ev->syscall;
        int e;
        /* the name follows the time (and a blocking end): find its column */
        const char *at = strstr(ev->source, sc->name);
        unsigned col = ev->column + (at ? (unsigned)(at - ev->source) : 0);
        if (!run_call_known(sc->name))
            return fail_at(err, ev->line, col, "system call", sc->name);
        if (sc->errno_name && !errno_value(sc->errno_name, &e))
            return fail_at(err, ev->line, col, "errno name", sc->errno_name);
        for (size_t k = 0; k < sc->arg_count; k++)
            if (resolve_expr(s, sc->args[k], err) < 0)
                return -1;
        if (resolve_expr(s, sc->result, err) < 0)
            return -1;
    }
    return 0;
}

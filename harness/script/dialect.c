/* The dialect check (script/dialect.h): a walk over the parsed script
 * against what packetdrill's parser.y and run_system_call.c accept. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "script/dialect.h"

const struct dialect_kind dialect_kinds[] = {
    {"generic-option", "a TCP option written `kind K [len L] [data HEX]`",
     "none: packetdrill writes only the options it knows"},
    {"mutation", "a mutation list after an inbound packet (`{ip.ttl=0, tcp.csum=bad}`)",
     "none: packetdrill builds only well-formed packets"},
    {"window-edge", "a sequence number from the stack's window edge (`wnd_edge-1:wnd_edge+9(10)`)",
     "a number, for a stack whose window the script knows (`65535:65545(10)`)"},
    {"field-order", "`urg` or `win` before `ack`, or `urg` before `win`",
     "`ack N win N urg N`, in that order"},
    {"tcp-info-getsockopt", "getsockopt(fd, SOL_TCP, TCP_INFO, {tcpi_x=v, ...}, ...)",
     "a python block after the line: %{ assert tcpi_x == v }% (the socket under test only)"},
    {"getsockopt-value", "a getsockopt value other than [v] or \"string\" (`...`)",
     "[v], and the length as [N]"},
    {"getsockopt-optlen", "a getsockopt length other than [N]", "[4] for an integer"},
    {"option-value", "a setsockopt value written as a bare integer or symbol",
     "[v] (packetdrill takes a list of one integer)"},
    {"linger-struct", "{l_onoff=N, l_linger=N}", "{onoff=N, linger=N}"},
    {"address-argument", "an address where packetdrill takes `...` (bind, connect, accept)",
     "`...`: the addresses come from --local_ip, --remote_ip and the ports of the options"},
    {"argument-count", "a system call with another number of arguments than packetdrill's",
     "packetdrill's arguments (send and recv take flags, sendto six)"},
    {"synack-symbol", "a name of synack's own (SYNACK_*, synack_soft_error)",
     "none where synack's switch has no Linux socket option; a sysctl line where it has"},
    {"primary-ip", "--primary_ip=A: the stack has a second address, its first, that the "
     "script's packets do not use (a multihomed host)",
     "none: the stack under test has its host's addresses"},
    {NULL, NULL, NULL},
};

struct walk {
    struct dialect_finding *out;
    size_t max, n;
};

static void add(struct walk *w, unsigned line, unsigned column, const char *kind,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add(struct walk *w, unsigned line, unsigned column, const char *kind,
                const char *fmt, ...)
{
    if (w->n < w->max) {
        struct dialect_finding *f = &w->out[w->n];
        f->line = line;
        f->column = column;
        f->kind = kind;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->message, sizeof f->message, fmt, ap);
        va_end(ap);
    }
    w->n++;
}

/* ---- packets ---- */

static void check_packet(struct walk *w, const struct script_event *ev)
{
    const struct script_packet *p = &ev->packet;
    for (size_t i = 0; i < p->opt_count; i++)
        if (p->opts[i].type == SCRIPT_OPT_GENERIC)
            add(w, ev->line, ev->column, "generic-option", "TCP option kind %u written as "
                "`kind K len L data HEX`", p->opts[i].kind);
    if (p->mut_count)
        add(w, p->muts[0].line, p->muts[0].column, "mutation",
            "mutation list ({%s=...%s})", script_mutation_name(p->muts[0].field),
            p->mut_count > 1 ? ", ..." : "");
    if (p->seq_edge)
        add(w, ev->line, ev->column, "window-edge", "sequence number written from %s, the "
            "right edge of the stack's window", SCRIPT_WND_EDGE);
    if (p->fields_reordered)
        add(w, ev->line, ev->column, "field-order", "ack, win and urg not in that order");
}

/* ---- system calls ---- */

/* packetdrill's number of arguments of each call (run_system_call.c). */
static const struct {
    const char *name;
    unsigned lo, hi;
} arity[] = {
    {"socket", 3, 3},   {"bind", 3, 3},     {"listen", 2, 2},     {"accept", 3, 3},
    {"connect", 3, 3},  {"read", 3, 3},     {"readv", 3, 3},      {"recv", 4, 4},
    {"recvfrom", 6, 6}, {"recvmsg", 3, 3},  {"write", 3, 3},      {"writev", 3, 3},
    {"send", 4, 4},     {"sendto", 6, 6},   {"sendmsg", 3, 3},    {"fcntl", 2, 3},
    {"ioctl", 2, 3},    {"close", 1, 1},    {"shutdown", 2, 2},   {"getsockopt", 5, 5},
    {"setsockopt", 5, 5}, {"poll", 3, 3},   {"cap_set", 3, 3},    {"open", 2, 2},
    {"sendfile", 4, 4}, {"epoll_create", 1, 1}, {"epoll_ctl", 4, 4}, {"epoll_wait", 4, 4},
    {"pipe", 1, 1},     {"splice", 6, 6},
};

static bool is_ellipsis(const struct script_expr *e)
{
    return e->kind == SCRIPT_EXPR_ELLIPSIS;
}

static bool is_int_like(const struct script_expr *e)
{
    return e->kind == SCRIPT_EXPR_INT || e->kind == SCRIPT_EXPR_SYMBOL ||
           e->kind == SCRIPT_EXPR_OR;
}

static bool is_list_of_one(const struct script_expr *e)
{
    return e->kind == SCRIPT_EXPR_ARRAY && e->count == 1 && is_int_like(e->items[0]);
}

static bool field_named(const struct script_expr *e, size_t i, const char *name)
{
    return i < e->count && e->items[i]->kind == SCRIPT_EXPR_ASSIGN &&
           e->items[i]->lhs->kind == SCRIPT_EXPR_SYMBOL && strcmp(e->items[i]->lhs->str, name) == 0;
}

/* synack's own names anywhere in an expression. */
static void check_symbols(struct walk *w, const struct script_expr *e)
{
    if (!e)
        return;
    if (e->kind == SCRIPT_EXPR_SYMBOL &&
        (strncmp(e->str, "SYNACK_", 7) == 0 || strncmp(e->str, "synack_", 7) == 0))
        add(w, e->line, e->column, "synack-symbol", "%s is synack's own name", e->str);
    if (e->kind == SCRIPT_EXPR_ASSIGN) {
        check_symbols(w, e->lhs);
        check_symbols(w, e->rhs);
    }
    for (size_t i = 0; i < e->count; i++)
        check_symbols(w, e->items[i]);
}

/* Arguments that packetdrill takes only as `...`. */
static void want_ellipsis(struct walk *w, const struct script_syscall *sc, size_t i, bool or_int)
{
    if (i >= sc->arg_count)
        return;
    const struct script_expr *e = sc->args[i];
    if (!is_ellipsis(e) && !(or_int && is_int_like(e)))
        add(w, e->line, e->column, "address-argument",
            "%s argument %zu: packetdrill takes `...` here", sc->name, i + 1);
}

static void check_setsockopt(struct walk *w, const struct script_syscall *sc)
{
    const struct script_expr *v = sc->args[3];
    if (is_int_like(v))
        add(w, v->line, v->column, "option-value", "setsockopt value without [ ]");
    else if (v->kind == SCRIPT_EXPR_STRUCT && !(v->count == 2 && field_named(v, 0, "onoff") &&
                                                 field_named(v, 1, "linger")))
        add(w, v->line, v->column, "linger-struct", "linger written {l_onoff=, l_linger=}");
}

static void check_getsockopt(struct walk *w, const struct script_syscall *sc)
{
    const struct script_expr *v = sc->args[3], *len = sc->args[4];
    if (v->kind == SCRIPT_EXPR_STRUCT)
        add(w, v->line, v->column, "tcp-info-getsockopt", "getsockopt with {%s=...}",
            v->count && v->items[0]->kind == SCRIPT_EXPR_ASSIGN ? v->items[0]->lhs->str : "");
    else if (!is_list_of_one(v) && v->kind != SCRIPT_EXPR_STRING)
        add(w, v->line, v->column, "getsockopt-value", "getsockopt value neither [v] nor a "
            "string");
    if (!is_list_of_one(len))
        add(w, len->line, len->column, "getsockopt-optlen", "getsockopt length not [N]");
}

static void check_syscall(struct walk *w, const struct script_event *ev)
{
    const struct script_syscall *sc = &ev->syscall;
    for (size_t i = 0; i < sc->arg_count; i++)
        check_symbols(w, sc->args[i]);
    check_symbols(w, sc->result);
    for (size_t i = 0; i < sizeof arity / sizeof arity[0]; i++) {
        if (strcmp(arity[i].name, sc->name) != 0)
            continue;
        if (sc->arg_count < arity[i].lo || sc->arg_count > arity[i].hi) {
            add(w, ev->line, ev->column, "argument-count", "%s with %zu arguments, packetdrill's "
                "takes %u", sc->name, sc->arg_count, arity[i].lo);
            return;
        }
    }
    const char *n = sc->name;
    if (strcmp(n, "bind") == 0 || strcmp(n, "accept") == 0) {
        want_ellipsis(w, sc, 1, false);
        want_ellipsis(w, sc, 2, false);
    } else if (strcmp(n, "connect") == 0) {
        want_ellipsis(w, sc, 1, true); /* or the family: AF_UNSPEC disconnects */
        want_ellipsis(w, sc, 2, false);
    } else if (strcmp(n, "setsockopt") == 0) {
        check_setsockopt(w, sc);
    } else if (strcmp(n, "getsockopt") == 0) {
        check_getsockopt(w, sc);
    }
}

size_t dialect_check(const struct script *s, struct dialect_finding *out, size_t max)
{
    struct walk w = {out, max, 0};
    for (size_t i = 0; i < s->options.given_count; i++)
        if (strcmp(s->options.given[i].name, "primary_ip") == 0)
            add(&w, s->options.given[i].line, s->options.given[i].column, "primary-ip",
                "--primary_ip gives the stack a second address");
    for (size_t i = 0; i < s->event_count; i++) {
        const struct script_event *ev = &s->events[i];
        if (ev->type == SCRIPT_EV_PACKET)
            check_packet(&w, ev);
        else if (ev->type == SCRIPT_EV_SYSCALL)
            check_syscall(&w, ev);
    }
    return w.n;
}

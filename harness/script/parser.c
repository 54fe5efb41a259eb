/* script/parser.c: the script as a whole: header options, events, timing.
 *
 * Packet lines are in parse_packet.c, syscall lines in parse_syscall.c.
 * Entry points, error reporting and the small token helpers live here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/parse.h"

/* ---- errors ------------------------------------------------------------------ */

static int perr_v(struct parser *p, unsigned line, unsigned column, const char *fmt, va_list ap)
{
    if (p->failed)
        return -1;
    p->failed = true;
    p->err->line = line;
    p->err->column = column;
    vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
    return -1;
}

int perr_at(struct parser *p, unsigned line, unsigned column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    perr_v(p, line, column, fmt, ap);
    va_end(ap);
    return -1;
}

int perr(struct parser *p, const struct token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    perr_v(p, t->line, t->column, fmt, ap);
    va_end(ap);
    return -1;
}

int clip40(const char *s, size_t n)
{
    if (n <= 40)
        return (int)n;
    n = 37;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

const char *tok_describe(struct parser *p, const struct token *t)
{
    const char *s = p->buf + t->start;
    size_t n = t->end - t->start;

    if (t->kind == TK_EOF)
        return "end of file";
    if (t->kind == TK_ERROR)
        return "an error";
    snprintf(p->got, sizeof p->got, "'%.*s%s'", clip40(s, n), s, n > 40 ? "..." : "");
    for (char *c = p->got + 1; *c; c++) {
        if (*c == '\n' || *c == '\t' || *c == '\r')
            *c = ' ';
    }
    return p->got;
}

/* What is missing is reported where the line ends, not at the next line's
 * first token (an unclosed "<mss 1000" is an error of its own line). */
int perr_expected(struct parser *p, const char *what)
{
    if (p->prev_line != 0 && p->prev_end > p->construct_start && p->tok.kind != TK_ERROR &&
        !tok_on_same_line(p)) {
        if (p->tok.kind == TK_EOF)
            return perr_at(p, p->prev_line, p->prev_column, "expected %s, got end of file", what);
        return perr_at(p, p->prev_line, p->prev_column, "expected %s at the end of the line, "
                       "got %s on line %u", what, tok_describe(p, &p->tok), p->tok.line);
    }
    return perr(p, &p->tok, "expected %s, got %s", what, tok_describe(p, &p->tok));
}

int script_error_format(const struct script_error *err, char *buf, size_t len)
{
    if (err->line == 0)
        return snprintf(buf, len, "%s: %s", err->file, err->message);
    return snprintf(buf, len, "%s:%u:%u: %s", err->file, err->line, err->column, err->message);
}

/* ---- token helpers ------------------------------------------------------------------ */

bool is_punct(const struct parser *p, char c)
{
    return p->tok.kind == TK_PUNCT && p->tok.punct == c;
}

bool is_word(const struct parser *p, const char *w)
{
    size_t n = strlen(w);
    return p->tok.kind == TK_WORD && p->tok.end - p->tok.start == n &&
           memcmp(p->buf + p->tok.start, w, n) == 0;
}

bool tok_is_word_ci(const struct parser *p, const char *w)
{
    size_t n = strlen(w);
    if (p->tok.kind != TK_WORD || p->tok.end - p->tok.start != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if ((p->buf[p->tok.start + i] | 0x20) != (w[i] | 0x20))
            return false;
    }
    return true;
}

bool tok_on_same_line(const struct parser *p)
{
    return memchr(p->buf + p->prev_end, '\n', p->tok.start - p->prev_end) == NULL;
}

char *span_strdup(const struct parser *p, size_t start, size_t end)
{
    char *s = malloc(end - start + 1);

    if (s == NULL) {
        perr_at((struct parser *)p, 0, 0, "out of memory");
        return NULL;
    }
    memcpy(s, p->buf + start, end - start);
    s[end - start] = '\0';
    return s;
}

char *tok_strdup(const struct parser *p, const struct token *t)
{
    return span_strdup(p, t->start, t->end);
}

bool span_eq(const struct parser *p, struct raw_span s, const char *w)
{
    size_t n = strlen(w);
    return s.end - s.start == n && memcmp(p->buf + s.start, w, n) == 0;
}

int expect_punct(struct parser *p, char c, const char *context)
{
    char what[96];

    if (is_punct(p, c)) {
        advance(p);
        return 0;
    }
    snprintf(what, sizeof what, "'%c' %s", c, context);
    return perr_expected(p, what);
}

/* A define whose value is an unsigned integer (mss MSS with -D MSS=1460). */
static bool define_uint(const struct parser *p, uint64_t max, uint64_t *out)
{
    const char *v = p->tok.kind == TK_WORD
                        ? define_value(p, p->buf + p->tok.start, p->tok.end - p->tok.start)
                        : NULL;
    char *end;

    if (v == NULL || *v < '0' || *v > '9')
        return false;
    errno = 0;
    *out = strtoull(v, &end, 0);
    return *end == '\0' && errno == 0 && *out <= max;
}

int take_uint(struct parser *p, uint64_t max, const char *what, uint64_t *out)
{
    if (define_uint(p, max, out)) {
        advance(p);
        return 0;
    }
    if (p->tok.kind != TK_INT)
        return perr_expected(p, what);
    if (p->tok.overflow || p->tok.num < 0 || (uint64_t)p->tok.num > max)
        return perr(p, &p->tok, "%s %s out of range (0..%llu)", what,
                    tok_describe(p, &p->tok), (unsigned long long)max);
    *out = (uint64_t)p->tok.num;
    advance(p);
    return 0;
}

void *push_elem(struct parser *p, void *arr_ptr, size_t *count, size_t sz)
{
    char **arr = arr_ptr;
    size_t n = *count;

    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n == 0 ? 4 : n * 2;
        char *grown = cap > SIZE_MAX / sz ? NULL : realloc(*arr, cap * sz);
        if (grown == NULL) {
            perr_at(p, 0, 0, "out of memory");
            return NULL;
        }
        *arr = grown;
    }
    memset(*arr + n * sz, 0, sz);
    *count = n + 1;
    return *arr + n * sz;
}

/* ---- header options ---------------------------------------------------------------- */

/* What a header option's value is (packetdrill's config.c takes every one
 * of its command-line options in a script header too). */
enum opt_value {
    OPTV_UINT,       /* an integer min..max into an int64/uint32/uint16 field */
    OPTV_IP,         /* an IPv4 (or IPv6: noted, not run) address */
    OPTV_IP_VERSION, /* ipv4, ipv4-mapped-ipv6, ipv6 */
    OPTV_PERCENT,    /* a number with an optional fraction */
    OPTV_FLAG,       /* no value: sets a bool */
    OPTV_TEXT,       /* any value, kept as written (given[] only) */
    OPTV_DEFINE,     /* NAME=VALUE: a symbol */
};

struct opt_spec {
    const char *name;
    enum opt_value kind;
    uint64_t min, max;
    ptrdiff_t value_off, given_off;  /* in struct script_options; -1: none */
    int width;                       /* octets of the value field */
};

#define OPT_(field, kind, min, max)                                                  \
    { #field, kind, min, max, offsetof(struct script_options, field),                \
      offsetof(struct script_options, field##_given), (int)sizeof(((struct script_options *)0)->field) }
#define OPT_FLAG_(field) { #field, OPTV_FLAG, 0, 0, offsetof(struct script_options, field), -1, 1 }
#define OPT_TEXT_(name) { name, OPTV_TEXT, 0, 0, -1, -1, 0 }

/* packetdrill's options (config.c), in its order. */
static const struct opt_spec opt_specs[] = {
    { "ip_version", OPTV_IP_VERSION, 0, 0, offsetof(struct script_options, ip_version),
      offsetof(struct script_options, ip_version_given), 0 },
    OPT_(bind_port, OPTV_UINT, 1, 65535),
    OPT_TEXT_("code_command"),
    OPT_TEXT_("code_format"),
    OPT_TEXT_("code_sockopt"),
    OPT_(connect_port, OPTV_UINT, 1, 65535),
    OPT_(remote_ip, OPTV_IP, 0, 0),
    OPT_(local_ip, OPTV_IP, 0, 0),
    OPT_TEXT_("gateway_ip"),
    OPT_TEXT_("netmask_ip"),
    OPT_TEXT_("speed"),
    OPT_(mss, OPTV_UINT, 1, 65535),
    OPT_(mtu, OPTV_UINT, 68, 65535),
    OPT_TEXT_("init_scripts"),
    OPT_(tolerance_usecs, OPTV_UINT, 0, 1000000000),
    OPT_(tolerance_percent, OPTV_PERCENT, 0, 100),
    OPT_TEXT_("wire_client"),
    OPT_TEXT_("wire_server"),
    OPT_TEXT_("wire_server_ip"),
    OPT_TEXT_("wire_server_at"),
    OPT_TEXT_("wire_server_port"),
    OPT_TEXT_("wire_client_dev"),
    OPT_TEXT_("wire_server_dev"),
    OPT_TEXT_("so_filename"),
    OPT_TEXT_("so_flags"),
    OPT_FLAG_(tcp_ts_ecr_scaled),
    OPT_(tcp_ts_tick_usecs, OPTV_UINT, 0, 1000000000),
    OPT_FLAG_(strict_segments),
    OPT_TEXT_("non_fatal"),
    OPT_TEXT_("dry_run"),
    OPT_TEXT_("is_anyip"),
    OPT_TEXT_("send_omit_free"),
    OPT_TEXT_("debug"),
    { "define", OPTV_DEFINE, 0, 0, -1, -1, 0 },
    OPT_TEXT_("verbose"),
    OPT_TEXT_("psp_udp_port"), /* Google's PSP: its packets are a named skip */
    OPT_TEXT_("primary_ip"),   /* synack's own: a second address of the stack (runner.h) */
};

static void opt_store(struct script_options *o, const struct opt_spec *spec, uint64_t v)
{
    char *field = (char *)o + spec->value_off;

    if (spec->width == 8) {
        int64_t x = (int64_t)v;
        memcpy(field, &x, sizeof x);
    } else if (spec->width == 4) {
        uint32_t x = (uint32_t)v;
        memcpy(field, &x, sizeof x);
    } else if (spec->width == 2) {
        uint16_t x = (uint16_t)v;
        memcpy(field, &x, sizeof x);
    }
}

static bool is_value_char(int c)
{
    return c > ' ' && c != 0x7f;
}

static bool parse_uint_text(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* "12.5" or "10": a percentage 0..100. */
static bool parse_percent_text(const char *s, size_t n, double *out)
{
    char tmp[32];
    char *end;

    if (n == 0 || n >= sizeof tmp || s[0] < '0' || s[0] > '9')
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *out = strtod(tmp, &end);
    return *end == '\0' && *out <= 100.0;
}

static int opt_ip_version(struct parser *p, struct raw_span v, struct script_options *o)
{
    static const char *const names[] = { [SCRIPT_IPV4] = "ipv4",
                                         [SCRIPT_IPV4_MAPPED_IPV6] = "ipv4-mapped-ipv6",
                                         [SCRIPT_IPV6] = "ipv6" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (span_eq(p, v, names[i])) {
            o->ip_version = (enum script_ip_version)i;
            return 0;
        }
    }
    return perr_at(p, v.line, v.column, "bad value '%.*s' for --ip_version (expected ipv4, "
                   "ipv4-mapped-ipv6 or ipv6)", clip40(p->buf + v.start, v.end - v.start),
                   p->buf + v.start);
}

/* --local_ip / --remote_ip: IPv4 into the field; IPv6 is noted (the runner
 * skips such a script on an IPv4-only target). */
static int opt_ip(struct parser *p, const struct opt_spec *spec, struct raw_span v, uint64_t *out)
{
    const char *s = p->buf + v.start;
    size_t n = v.end - v.start;
    uint32_t addr;
    struct script_options *o = &p->script->options;

    if (synack_ipv4_addr_from_text(s, n, &addr)) {
        *out = addr;
        return 0;
    }
    if (lex_ipv6_text(s, n)) {
        *(strcmp(spec->name, "local_ip") == 0 ? &o->local_ip_v6 : &o->remote_ip_v6) = true;
        *out = 0;
        return 0;
    }
    return perr_at(p, v.line, v.column, "bad value '%.*s' for --%s (expected an IP address)",
                   clip40(s, n), s, spec->name);
}

const char *define_value(const struct parser *p, const char *s, size_t n)
{
    const struct script *sc = p->script;

    for (size_t i = sc->define_count; i-- > 0;) /* the last one given wins */
        if (strlen(sc->defines[i].name) == n && memcmp(sc->defines[i].name, s, n) == 0)
            return sc->defines[i].value;
    return NULL;
}

/* NAME=VALUE of --define. */
static int opt_define(struct parser *p, struct raw_span v)
{
    const char *s = p->buf + v.start, *eq = memchr(s, '=', v.end - v.start);
    struct script_define *d;

    if (eq == NULL || eq == s)
        return perr_at(p, v.line, v.column, "--define needs NAME=VALUE, got '%.*s'",
                       clip40(s, v.end - v.start), s);
    d = push_elem(p, &p->script->defines, &p->script->define_count, sizeof *d);
    if (d == NULL || (d->name = span_strdup(p, v.start, (size_t)(eq - p->buf))) == NULL ||
        (d->value = span_strdup(p, (size_t)(eq - p->buf) + 1, v.end)) == NULL)
        return -1;
    return 0;
}

static int opt_value(struct parser *p, const struct opt_spec *spec, struct raw_span v, uint64_t *out)
{
    const char *s = p->buf + v.start;
    size_t n = v.end - v.start;
    double pct;

    switch (spec->kind) {
    case OPTV_IP_VERSION:
        return opt_ip_version(p, v, &p->script->options);
    case OPTV_IP:
        return opt_ip(p, spec, v, out);
    case OPTV_DEFINE:
        return opt_define(p, v);
    case OPTV_TEXT:
    case OPTV_FLAG:
        return 0;
    case OPTV_PERCENT:
        if (!parse_percent_text(s, n, &pct))
            return perr_at(p, v.line, v.column, "bad value '%.*s' for --%s (expected a "
                           "percentage 0..100)", clip40(s, n), s, spec->name);
        p->script->options.tolerance_percent = pct;
        return 0;
    case OPTV_UINT:
        break;
    }
    if (!parse_uint_text(s, n, out) || *out < spec->min || *out > spec->max)
        return perr_at(p, v.line, v.column, "bad value '%.*s' for --%s (expected an integer %llu..%llu)",
                       clip40(s, n), s, spec->name, (unsigned long long)spec->min,
                       (unsigned long long)spec->max);
    return 0;
}

static const struct opt_spec *opt_find(const struct parser *p, const struct token *t)
{
    const char *name = p->buf + t->start + 2;
    size_t n = t->end - t->start - 2;

    for (size_t i = 0; i < sizeof opt_specs / sizeof opt_specs[0]; i++) {
        if (strlen(opt_specs[i].name) == n && memcmp(opt_specs[i].name, name, n) == 0)
            return &opt_specs[i];
    }
    return NULL;
}

/* Keep the option as written (script_options.given). */
static int opt_record(struct parser *p, const struct token *opt, struct raw_span v, bool has_value)
{
    struct script_options *o = &p->script->options;
    struct script_option_given *g = push_elem(p, &o->given, &o->given_count, sizeof *g);

    if (g == NULL || (g->name = span_strdup(p, opt->start + 2, opt->end)) == NULL)
        return -1;
    g->line = opt->line;
    g->column = opt->column;
    if (has_value && (g->value = span_strdup(p, v.start, v.end)) == NULL)
        return -1;
    return 0;
}

/* The value after '=': a "string" (its inside) or the blank-free text. */
static struct raw_span opt_take_value(struct parser *p)
{
    if (p->tok.kind == TK_STRING) {
        struct raw_span v = { p->tok.start + 1, p->tok.end - 1, p->tok.line, p->tok.column + 1 };
        advance(p);
        return v;
    }
    return take_raw(p, is_value_char);
}

/* --name=value or --name, one per call. */
static int parse_option(struct parser *p)
{
    struct token opt = p->tok;
    int n = clip40(p->buf + opt.start, opt.end - opt.start);
    const struct opt_spec *spec = opt_find(p, &opt);
    struct raw_span v = { 0, 0, 0, 0 };
    uint64_t value = 0;
    bool *given = NULL;

    if (spec == NULL)
        return perr(p, &opt, "unknown option %.*s (not one of packetdrill's)", n, p->buf + opt.start);
    if (spec->given_off >= 0)
        given = (bool *)((char *)&p->script->options + spec->given_off);
    if (given != NULL && *given)
        return perr(p, &opt, "option %.*s given twice", n, p->buf + opt.start);
    advance(p);
    if (spec->kind == OPTV_FLAG) {
        if (is_punct(p, '=') && tok_on_same_line(p))
            return perr(p, &opt, "option %.*s takes no value", n, p->buf + opt.start);
        *(bool *)((char *)&p->script->options + spec->value_off) = true;
        return opt_record(p, &opt, v, false);
    }
    if (!is_punct(p, '=')) {
        if (spec->kind == OPTV_TEXT) /* packetdrill's value-less flags (--dry_run ...) */
            return opt_record(p, &opt, v, false);
        return perr(p, &opt, "option %.*s needs a value (%.*s=VALUE)", n, p->buf + opt.start, n,
                    p->buf + opt.start);
    }
    advance(p);
    v = opt_take_value(p);
    if (v.end == v.start)
        return perr_expected(p, "a value after '='");
    if (opt_value(p, spec, v, &value) < 0)
        return -1;
    if (given != NULL)
        *given = true;
    if (spec->kind == OPTV_UINT || spec->kind == OPTV_IP)
        opt_store(&p->script->options, spec, value);
    return opt_record(p, &opt, v, true);
}

/* ---- timing -------------------------------------------------------------------------- */

/* "0.100" -> 100000 exactly (packetdrill goes through a double). */
static int float_usecs(struct parser *p, const struct token *t, int64_t *out)
{
    const char *s = p->buf + t->start;
    size_t n = t->end - t->start, i = 0;
    int64_t secs = 0, frac = 0;
    int fdigits = 0;

    for (; i < n && s[i] != '.'; i++) {
        if (secs > SCRIPT_TIME_MAX_SECS)
            return perr(p, t, "time %s out of range", tok_describe(p, t));
        secs = secs * 10 + (s[i] - '0');
    }
    for (i++; i < n; i++, fdigits++) {
        if (fdigits < 6)
            frac = frac * 10 + (s[i] - '0');
        else if (s[i] != '0')
            return perr(p, t, "time %s is finer than a microsecond", tok_describe(p, t));
    }
    for (; fdigits < 6; fdigits++)
        frac *= 10;
    if (secs > SCRIPT_TIME_MAX_SECS)
        return perr(p, t, "time %s out of range", tok_describe(p, t));
    *out = secs * 1000000 + frac;
    return 0;
}

static int parse_time_value(struct parser *p, int64_t *out)
{
    struct token t = p->tok;

    if (t.kind != TK_INT && t.kind != TK_FLOAT)
        return perr_expected(p, "time");
    if (p->buf[t.start] == '-')
        return perr(p, &t, "negative time %s", tok_describe(p, &t));
    if (t.kind == TK_INT) {
        if (t.overflow || t.num > SCRIPT_TIME_MAX_SECS)
            return perr(p, &t, "time %s out of range", tok_describe(p, &t));
        *out = t.num * 1000000;
    } else if (float_usecs(p, &t, out) < 0)
        return -1;
    advance(p);
    return 0;
}

/* "~END" after a start time. */
static int parse_range_end(struct parser *p, struct script_timing *tm)
{
    struct token end;

    advance(p);
    if (tm->relative) {
        if (!is_punct(p, '+'))
            return perr_expected(p, "'+' after '~' in a relative time range");
        advance(p);
    } else if (is_punct(p, '+'))
        return perr(p, &p->tok, "time range mixes an absolute start and a relative end");
    end = p->tok;
    if (parse_time_value(p, &tm->end_usecs) < 0)
        return -1;
    if (tm->end_usecs < tm->start_usecs)
        return perr(p, &end, "time range is backwards: end %s is before the start", tok_describe(p, &end));
    tm->kind = SCRIPT_TIME_RANGE;
    return 0;
}

/* "...END" of a blocking syscall; *at records where it was written. */
static int parse_block_end(struct parser *p, struct script_timing *tm, struct token *at)
{
    struct token end;

    *at = p->tok;
    advance(p);
    end = p->tok;
    if (parse_time_value(p, &tm->block_end_usecs) < 0)
        return -1;
    if (tm->kind != SCRIPT_TIME_ABSOLUTE && tm->kind != SCRIPT_TIME_RELATIVE)
        return perr(p, at, "a blocking end time needs a plain start time");
    if (tm->block_end_usecs < tm->start_usecs)
        return perr(p, &end, "blocking end time %s is before the start time", tok_describe(p, &end));
    tm->blocking = true;
    return 0;
}

static int parse_timing(struct parser *p, struct script_timing *tm)
{
    if (is_punct(p, '*')) {
        tm->kind = SCRIPT_TIME_ANY;
        advance(p);
        return 0;
    }
    tm->kind = SCRIPT_TIME_ABSOLUTE;
    if (is_punct(p, '+')) {
        tm->kind = SCRIPT_TIME_RELATIVE;
        tm->relative = true;
        advance(p);
    }
    if (parse_time_value(p, &tm->start_usecs) < 0)
        return -1;
    tm->end_usecs = tm->start_usecs;
    if (is_punct(p, '~'))
        return parse_range_end(p, tm);
    return 0;
}

/* ---- events ------------------------------------------------------------------------------ */

/* `command` or %{ code }%: the text between the delimiters. */
static int take_text(struct parser *p, struct script_event *ev, size_t open, size_t close)
{
    size_t start = p->tok.start + open, end = p->tok.end - close;

    if (ev->type == SCRIPT_EV_PYTHON) {
        while (start < end && (p->buf[start] == ' ' || p->buf[start] == '\t'))
            start++;
        while (end > start && (p->buf[end - 1] == ' ' || p->buf[end - 1] == '\t'))
            end--;
    }
    ev->text = span_strdup(p, start, end);
    if (ev->text == NULL)
        return -1;
    advance(p);
    return 0;
}

static int parse_action(struct parser *p, struct script_event *ev)
{
    if (is_punct(p, '<') || is_punct(p, '>')) {
        ev->type = SCRIPT_EV_PACKET;
        return parse_packet(p, ev);
    }
    if (p->tok.kind == TK_WORD) {
        ev->type = SCRIPT_EV_SYSCALL;
        return parse_syscall(p, ev);
    }
    if (p->tok.kind == TK_COMMAND) {
        ev->type = SCRIPT_EV_COMMAND;
        return take_text(p, ev, 1, 1);
    }
    if (p->tok.kind == TK_CODE) {
        ev->type = SCRIPT_EV_PYTHON;
        return take_text(p, ev, 2, 2);
    }
    return perr_expected(p, "a packet, a system call, a command or a python block");
}

/* packetdrill's semantic checks on an event's time (parser.y, event). */
static int check_event_time(struct parser *p, const struct script_event *ev, const struct token *block_at)
{
    bool outbound = ev->type == SCRIPT_EV_PACKET && ev->packet.direction == SCRIPT_OUTBOUND;

    if (ev->time.blocking && ev->type != SCRIPT_EV_SYSCALL)
        return perr(p, block_at, "a blocking end time '...' is only for system calls");
    if (ev->time.kind == SCRIPT_TIME_ANY && !outbound)
        return perr_at(p, ev->line, ev->column, "event time '*' can only be used with outbound packets");
    if (ev->time.kind == SCRIPT_TIME_RANGE && !outbound)
        return perr_at(p, ev->line, ev->column, "a time range can only be used with outbound packets");
    return 0;
}

static int parse_event(struct parser *p, struct script_event *ev)
{
    struct token block_at = p->tok;

    if (p->tok.kind == TK_COMMAND) { /* untimed: init or cleanup command */
        ev->time.kind = SCRIPT_TIME_NONE;
        ev->type = SCRIPT_EV_COMMAND;
        return take_text(p, ev, 1, 1);
    }
    if (p->tok.kind == TK_OPTION)
        return perr(p, &p->tok, "option %s must come before the first event", tok_describe(p, &p->tok));
    if (parse_timing(p, &ev->time) < 0)
        return -1;
    if (p->tok.kind == TK_ELLIPSIS && parse_block_end(p, &ev->time, &block_at) < 0)
        return -1;
    if (parse_action(p, ev) < 0)
        return -1;
    return check_event_time(p, ev, &block_at);
}

static int parse_events(struct parser *p)
{
    struct script *s = p->script;
    const struct script_event *cleanup = NULL;

    while (p->tok.kind != TK_EOF && !p->failed) {
        struct script_event *ev;
        size_t start = p->tok.start;

        if (cleanup != NULL)
            return perr_at(p, cleanup->line, cleanup->column,
                           "a command without a time must be the first or the last event");
        ev = push_elem(p, &s->events, &s->event_count, sizeof *ev);
        if (ev == NULL)
            return -1;
        ev->line = p->tok.line;
        ev->column = p->tok.column;
        p->construct_start = start;
        if (parse_event(p, ev) < 0)
            return -1;
        ev->source = span_strdup(p, start, p->prev_end);
        if (ev->source == NULL)
            return -1;
        if (ev->time.kind == SCRIPT_TIME_NONE && s->event_count > 1)
            cleanup = ev;
    }
    if (!p->failed && s->event_count == 0) {
        p->construct_start = p->tok.start;
        return perr_expected(p, "an event");
    }
    return p->failed ? -1 : 0;
}

static void parse_script(struct parser *p)
{
    lex_next(p);
    while (p->tok.kind == TK_OPTION) {
        p->construct_start = p->tok.start;
        if (parse_option(p) < 0)
            return;
    }
    parse_events(p);
}

/* ---- entry points ------------------------------------------------------------------------ */

static struct script *script_new(const char *name)
{
    struct script *s = calloc(1, sizeof *s);

    if (s == NULL)
        return NULL;
    s->path = strdup(name);
    if (s->path == NULL) {
        free(s);
        return NULL;
    }
    s->options.tolerance_usecs = SCRIPT_DEFAULT_TOLERANCE_USECS;
    s->options.mtu = SCRIPT_DEFAULT_MTU;
    s->options.bind_port = SCRIPT_DEFAULT_PORT;
    s->options.connect_port = SCRIPT_DEFAULT_PORT;
    s->options.tolerance_percent = SCRIPT_DEFAULT_TOLERANCE_PERCENT;
    return s;
}

static void error_init(struct script_error *err, const char *name)
{
    memset(err, 0, sizeof *err);
    snprintf(err->file, sizeof err->file, "%s", name);
}

/* The command line's -D NAME=VALUE, before the script's own --define. */
static int predefine(struct parser *p, const char *const *defines, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const char *eq = strchr(defines[i], '=');
        if (eq == NULL || eq == defines[i])
            return perr_at(p, 0, 0, "-D needs NAME=VALUE, got '%.*s'",
                           clip40(defines[i], strlen(defines[i])), defines[i]);
        struct script_define *d = push_elem(p, &p->script->defines, &p->script->define_count,
                                            sizeof *d);
        if (d == NULL || (d->name = strndup(defines[i], (size_t)(eq - defines[i]))) == NULL ||
            (d->value = strdup(eq + 1)) == NULL)
            return d == NULL ? -1 : perr_at(p, 0, 0, "out of memory");
    }
    return 0;
}

int script_parse_buffer(const char *buf, size_t len, const char *name, struct script **out,
                        struct script_error *err)
{
    return script_parse_buffer_defines(buf, len, name, NULL, 0, out, err);
}

int script_parse_buffer_defines(const char *buf, size_t len, const char *name,
                                const char *const *defines, size_t count,
                                struct script **out, struct script_error *err)
{
    struct parser p;

    *out = NULL;
    name = name ? name : "<buffer>";
    error_init(err, name);
    memset(&p, 0, sizeof p);
    p.buf = buf ? buf : "";
    p.len = buf ? len : 0;
    p.line = 1;
    p.err = err;
    p.script = script_new(name);
    if (p.script == NULL) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return -1;
    }
    if (predefine(&p, defines, count) == 0 && lex_check_bytes(&p) == 0)
        parse_script(&p);
    if (p.failed) {
        script_free(p.script);
        return -1;
    }
    *out = p.script;
    return 0;
}

static int read_file(const char *path, char **buf, size_t *len, struct script_error *err)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0;
    char *b = NULL;

    if (f == NULL) {
        snprintf(err->message, sizeof err->message, "cannot open: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (b == NULL || cap - n < 2) {
            char *grown = cap > SIZE_MAX / 2 ? NULL : realloc(b, b == NULL ? cap : (cap *= 2));
            if (grown == NULL) {
                snprintf(err->message, sizeof err->message, "out of memory");
                break;
            }
            b = grown;
        }
        got = fread(b + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                snprintf(err->message, sizeof err->message, "cannot read: %s", strerror(errno));
            break;
        }
    }
    fclose(f);
    if (err->message[0] != '\0') {
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

int script_parse_file(const char *path, struct script **out, struct script_error *err)
{
    return script_parse_file_defines(path, NULL, 0, out, err);
}

int script_parse_file_defines(const char *path, const char *const *defines, size_t count,
                              struct script **out, struct script_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    error_init(err, path);
    if (read_file(path, &buf, &len, err) < 0)
        return -1;
    rc = script_parse_buffer_defines(buf, len, path, defines, count, out, err);
    free(buf);
    return rc;
}

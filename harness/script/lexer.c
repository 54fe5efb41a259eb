/* script/lexer.c: tokens of packetdrill's language, comments and their tags
 * (@req, @oracle-expect, @ignore, @app).
 *
 * Follows packetdrill's lexer.l (numbers, words, strings, `commands`,
 * %{ code }%, --options, ...); it does not know the grammar. Comments are
 * skipped here, and requirement tags inside them recorded on the script.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "script/parse.h"

static int peekc(const struct parser *p, size_t k)
{
    return p->pos + k < p->len ? (unsigned char)p->buf[p->pos + k] : -1;
}

static bool is_digit(int c) { return c >= '0' && c <= '9'; }
static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_wordc(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }
static bool is_xdigit(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned col_of(const struct parser *p, size_t off)
{
    return (unsigned)(off - p->line_start + 1);
}

/* Move to off, counting the newlines passed. */
static void skip_to(struct parser *p, size_t off)
{
    for (; p->pos < off; p->pos++) {
        if (p->buf[p->pos] == '\n') {
            p->line++;
            p->line_start = p->pos + 1;
        }
    }
}

static void lex_fail(struct parser *p)
{
    p->tok.kind = TK_ERROR;
    p->tok.end = p->tok.start;
}

/* ---- bytes: NUL and UTF-8 ------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t need;
    unsigned cp;

    if (s[0] < 0xc2 || s[0] > 0xf4)
        return 0;
    need = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
    if (n < need)
        return 0;
    cp = s[0] & (0x7fu >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return need;
}

int lex_check_bytes(struct parser *p)
{
    const unsigned char *s = (const unsigned char *)p->buf;
    unsigned line = 1;
    size_t line_start = 0;

    for (size_t i = 0; i < p->len;) {
        size_t n = 1;
        if (s[i] == 0)
            return perr_at(p, line, (unsigned)(i - line_start + 1), "NUL byte in script");
        if (s[i] >= 0x80 && (n = utf8_len(s + i, p->len - i)) == 0)
            return perr_at(p, line, (unsigned)(i - line_start + 1),
                           "invalid UTF-8 byte 0x%02x", s[i]);
        if (s[i] == '\n') {
            line++;
            line_start = i + 1;
        }
        i += n;
    }
    return 0;
}

/* ---- tags in comments: "@req NAME:ID ...", "@oracle-expect RULE ...",
 * "@ignore FIELD ..." ------------------------------------------------------ */

enum tag_kind { TAG_REQ, TAG_ORACLE, TAG_IGNORE, TAG_APP, TAG_NONE };

static const struct {
    const char *word;
    size_t len;
} tag_words[] = {
    [TAG_REQ] = {"@req", 4},
    [TAG_ORACLE] = {"@oracle-expect", 14},
    [TAG_IGNORE] = {"@ignore", 7},
    [TAG_APP] = {"@app", 4},
};

static enum tag_kind at_tag(const struct parser *p, bool block)
{
    if (p->pos > 0 && is_wordc((unsigned char)p->buf[p->pos - 1]))
        return TAG_NONE;
    for (size_t k = 0; k < sizeof tag_words / sizeof tag_words[0]; k++) {
        size_t n = tag_words[k].len;
        int after = peekc(p, n);
        if (p->pos + n > p->len || memcmp(p->buf + p->pos, tag_words[k].word, n) != 0)
            continue;
        if (after == -1 || after == ' ' || after == '\t' || after == ',' || after == '\n' ||
            after == '\r' || (block && after == '*'))
            return (enum tag_kind)k;
    }
    return TAG_NONE;
}

static bool tag_end(const struct parser *p, bool block)
{
    int c = peekc(p, 0);
    return c == -1 || c == '\n' || c == '\r' || (block && c == '*' && peekc(p, 1) == '/');
}

/* NAME:ID with NAME [A-Za-z0-9_]+ and ID [A-Za-z0-9_.-]+ ending alphanumeric. */
static bool tag_valid(const char *s, size_t n)
{
    size_t i = 0, colon;

    while (i < n && is_wordc((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n - 1 || s[i] != ':')
        return false;
    colon = i++;
    for (; i < n; i++) {
        int c = (unsigned char)s[i];
        if (!is_wordc(c) && c != '.' && c != '-')
            return false;
    }
    return n > colon + 1 && is_wordc((unsigned char)s[n - 1]);
}

/* An oracle rule name: [a-z0-9-]+, at most 63 octets. */
static bool rule_valid(const char *s, size_t n)
{
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit((unsigned char)s[i]) || s[i] == '-'))
            return false;
    return true;
}

static int add_tag(struct parser *p, struct script_req_tag **v, size_t *count, size_t start,
                   size_t end)
{
    struct script_req_tag *t;
    char *text = span_strdup(p, start, end);

    if (text == NULL)
        return -1;
    t = push_elem(p, v, count, sizeof *t);
    if (t == NULL) {
        free(text);
        return -1;
    }
    t->tag = text;
    t->line = p->line;
    t->column = col_of(p, start);
    return 0;
}

/* One word of the @app line (one line per script), appended to s->app. */
static int add_app_word(struct parser *p, const char *w, size_t n)
{
    struct script *s = p->script;
    if (s->app && s->app_line != p->line)
        return perr_at(p, p->line, 1, "a second @app line (the first is line %u)", s->app_line);
    size_t have = s->app ? strlen(s->app) : 0;
    char *a = realloc(s->app, have + n + 2);
    if (a == NULL)
        return perr_at(p, p->line, 1, "out of memory");
    if (have)
        a[have++] = ' ';
    memcpy(a + have, w, n);
    a[have + n] = '\0';
    s->app = a;
    s->app_line = p->line;
    return 0;
}

static int add_word(struct parser *p, enum tag_kind kind, size_t start)
{
    struct script *s = p->script;
    const char *w = p->buf + start;
    size_t n = p->pos - start;

    switch (kind) {
    case TAG_REQ:
        if (!tag_valid(w, n))
            return perr_at(p, p->line, col_of(p, start),
                           "malformed requirement tag '%.*s' (expected NAME:ID)", clip40(w, n), w);
        return add_tag(p, &s->reqs, &s->req_count, start, p->pos);
    case TAG_ORACLE:
        if (!rule_valid(w, n))
            return perr_at(p, p->line, col_of(p, start),
                           "malformed oracle rule name '%.*s' (expected [a-z0-9-]+)", clip40(w, n), w);
        return add_tag(p, &s->oracle_expect, &s->oracle_expect_count, start, p->pos);
    case TAG_IGNORE:
        if (n == 3 && memcmp(w, "psh", 3) == 0) {
            s->ignore_flags |= SYNACK_TCP_PSH;
            return 0;
        }
        if (n == 9 && memcmp(w, "extra-psh", 9) == 0) {
            s->extra_flags |= SYNACK_TCP_PSH;
            return 0;
        }
        return perr_at(p, p->line, col_of(p, start),
                       "@ignore: unknown field '%.*s' (known: psh, extra-psh)", clip40(w, n), w);
    case TAG_APP:
        return add_app_word(p, w, n);
    case TAG_NONE:
        break;
    }
    return 0;
}

/* At a tag word: read its words up to the end of the line or of the comment. */
static int read_tag(struct parser *p, enum tag_kind kind, bool block)
{
    unsigned line = p->line, column = col_of(p, p->pos);
    int words = 0;

    p->pos += tag_words[kind].len;
    for (;;) {
        size_t start;
        while (peekc(p, 0) == ' ' || peekc(p, 0) == '\t' || peekc(p, 0) == ',')
            p->pos++;
        if (tag_end(p, block))
            break;
        start = p->pos;
        while (!tag_end(p, block) && peekc(p, 0) != ' ' && peekc(p, 0) != '\t' &&
               peekc(p, 0) != ',')
            p->pos++;
        if (p->pos - start == tag_words[kind].len &&
            memcmp(p->buf + start, tag_words[kind].word, tag_words[kind].len) == 0)
            continue;
        if (add_word(p, kind, start) < 0)
            return -1;
        words++;
    }
    if (words)
        return 0;
    return perr_at(p, line, column, kind == TAG_REQ ? "@req without a requirement tag"
                                     : kind == TAG_ORACLE ? "@oracle-expect without a rule name"
                                     : kind == TAG_APP    ? "@app without a profile"
                                                          : "@ignore without a field");
}

/* ---- comments and blanks --------------------------------------------------- */

static int skip_line_comment(struct parser *p)
{
    p->pos += 2;
    while (p->pos < p->len && p->buf[p->pos] != '\n') {
        enum tag_kind k = at_tag(p, false);
        if (k != TAG_NONE) {
            if (read_tag(p, k, false) < 0)
                return -1;
            continue;
        }
        p->pos++;
    }
    return 0;
}

static int skip_block_comment(struct parser *p)
{
    unsigned line = p->line, column = col_of(p, p->pos);

    p->pos += 2;
    for (;;) {
        if (p->pos >= p->len)
            return perr_at(p, line, column, "unterminated comment");
        if (peekc(p, 0) == '*' && peekc(p, 1) == '/') {
            p->pos += 2;
            return 0;
        }
        enum tag_kind k = at_tag(p, true);
        if (k != TAG_NONE) {
            if (read_tag(p, k, true) < 0)
                return -1;
            continue;
        }
        skip_to(p, p->pos + 1);
    }
}

static int skip_blanks(struct parser *p)
{
    for (;;) {
        int c = peekc(p, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
            skip_to(p, p->pos + 1);
        else if (c == '/' && peekc(p, 1) == '/') {
            if (skip_line_comment(p) < 0)
                return -1;
        } else if (c == '/' && peekc(p, 1) == '*') {
            if (skip_block_comment(p) < 0)
                return -1;
        } else
            return 0;
    }
}

/* ---- numbers and words ----------------------------------------------------------- */

static void set_int_value(struct parser *p, size_t digits, bool neg, int base)
{
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;

    p->tok.overflow = false;
    for (size_t i = digits; i < p->pos; i++) {
        int c = (unsigned char)p->buf[i];
        unsigned d = is_digit(c) ? (unsigned)(c - '0') : (unsigned)((c | 0x20) - 'a' + 10);
        if (v > (limit - d) / (uint64_t)base) {
            p->tok.overflow = true;
            return;
        }
        v = v * (uint64_t)base + d;
    }
    p->tok.num = neg ? (int64_t)(0 - v) : (int64_t)v;
}

static void lex_word(struct parser *p)
{
    while (is_wordc(peekc(p, 0)))
        p->pos++;
    p->tok.kind = TK_WORD;
}

/* 0x1f: hex, unless more word characters follow (then a word, as flex's
 * longest match makes it). */
static void lex_hex(struct parser *p, size_t start, bool neg)
{
    p->pos = start + 2;
    while (is_xdigit(peekc(p, 0)))
        p->pos++;
    if (!neg && is_wordc(peekc(p, 0))) {
        lex_word(p);
        return;
    }
    p->tok.kind = TK_INT;
    p->tok.hex = true;
    set_int_value(p, start + 2, neg, 16);
}

static void lex_number(struct parser *p)
{
    size_t start = p->pos;
    bool neg = peekc(p, 0) == '-';
    int dots = 0;

    if (neg)
        p->pos++;
    if (peekc(p, 0) == '0' && (peekc(p, 1) == 'x' || peekc(p, 1) == 'X') && is_xdigit(peekc(p, 2))) {
        lex_hex(p, p->pos, neg);
        return;
    }
    while (is_digit(peekc(p, 0)))
        p->pos++;
    if (!neg && p->pos > start && is_wordc(peekc(p, 0))) {
        lex_word(p); /* 1460abc: a word starting with a digit (hex blobs) */
        return;
    }
    while (peekc(p, 0) == '.' && is_digit(peekc(p, 1))) {
        p->pos++;
        while (is_digit(peekc(p, 0)))
            p->pos++;
        dots++;
    }
    if ((dots != 0 && dots != 1 && dots != 3) || (dots == 3 && neg) || is_wordc(peekc(p, 0))) {
        while (is_wordc(peekc(p, 0)) || peekc(p, 0) == '.')
            p->pos++;
        perr_at(p, p->line, p->tok.column, "malformed number '%.*s'",
                clip40(p->buf + start, p->pos - start), p->buf + start);
        lex_fail(p);
        return;
    }
    p->tok.kind = dots == 0 ? TK_INT : dots == 1 ? TK_FLOAT : TK_IPV4;
    if (dots == 0)
        set_int_value(p, start + neg, neg, 10);
}

/* ---- IPv6 addresses --------------------------------------------------------------- */

static bool is_v6c(int c) { return is_xdigit(c) || c == ':' || c == '.'; }

/* An IPv6 address as packetdrill's lexer takes one: with "::" or all eight
 * groups, so that sequence ranges like 1:1001 stay numbers. */
bool lex_ipv6_text(const char *s, size_t n)
{
    char tmp[64];
    unsigned char addr[16];
    int colons = 0;

    if (n < 2 || n >= sizeof tmp)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_v6c((unsigned char)s[i]))
            return false;
        colons += s[i] == ':';
    }
    bool double_colon = false;
    for (size_t i = 0; i + 1 < n; i++)
        double_colon |= s[i] == ':' && s[i + 1] == ':';
    if (!double_colon && colons != 7)
        return false;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return inet_pton(AF_INET6, tmp, addr) == 1;
}

static bool lex_ipv6(struct parser *p)
{
    size_t end = p->pos;

    while (end < p->len && end - p->pos < 64 && is_v6c((unsigned char)p->buf[end]))
        end++;
    while (end > p->pos + 1 && !lex_ipv6_text(p->buf + p->pos, end - p->pos))
        end--; /* the longest address that is one: "2001:db8::1:" is "2001:db8::1" ':' */
    if (end <= p->pos + 1)
        return false;
    p->pos = end;
    p->tok.kind = TK_IPV6;
    return true;
}

/* ---- delimited tokens: "string", `command`, %{ code }% -------------------------- */

static void lex_delimited(struct parser *p, char close, const char *what)
{
    unsigned line = p->line, column = p->tok.column;

    skip_to(p, p->pos + 1);
    for (;;) {
        int c = peekc(p, 0);
        if (c == -1) {
            perr_at(p, line, column, "unterminated %s", what);
            lex_fail(p);
            return;
        }
        if (c == '\\' && peekc(p, 1) != -1) {
            skip_to(p, p->pos + 2);
            continue;
        }
        skip_to(p, p->pos + 1);
        if (c == close)
            return;
    }
}

static void lex_code(struct parser *p)
{
    unsigned line = p->line, column = p->tok.column;

    p->pos += 2;
    for (;;) {
        if (p->pos >= p->len) {
            perr_at(p, line, column, "unterminated python block '%%{'");
            lex_fail(p);
            return;
        }
        if (peekc(p, 0) == '}' && peekc(p, 1) == '%') {
            p->pos += 2;
            p->tok.kind = TK_CODE;
            return;
        }
        skip_to(p, p->pos + 1);
    }
}

static void lex_punct(struct parser *p, int c)
{
    if (c < 0x21 || c > 0x7e) {
        if (c >= 0x80)
            perr_at(p, p->line, p->tok.column, "unexpected non-ASCII character");
        else
            perr_at(p, p->line, p->tok.column, "unexpected control character 0x%02x", c);
        lex_fail(p);
        return;
    }
    p->pos++;
    p->tok.kind = TK_PUNCT;
    p->tok.punct = (char)c;
}

/* Dispatch on the first character of a token. */
static void lex_token(struct parser *p)
{
    int c = peekc(p, 0), c1 = peekc(p, 1);

    if (c == -1)
        p->tok.kind = TK_EOF;
    else if ((is_xdigit(c) || c == ':') && lex_ipv6(p))
        return;
    else if (is_digit(c) || (c == '-' && (is_digit(c1) || (c1 == '.' && is_digit(peekc(p, 2))))) ||
             (c == '.' && is_digit(c1)))
        lex_number(p);
    else if (c == '-' && c1 == '-' && is_wordc(peekc(p, 2))) {
        p->pos += 2;
        lex_word(p);
        p->tok.kind = TK_OPTION;
    } else if (c == '.' && c1 == '.' && peekc(p, 2) == '.') {
        p->pos += 3;
        p->tok.kind = TK_ELLIPSIS;
    } else if (is_wordc(c))
        lex_word(p);
    else if (c == '"') {
        lex_delimited(p, '"', "string");
        if (p->tok.kind != TK_ERROR)
            p->tok.kind = TK_STRING;
    } else if (c == '`') {
        lex_delimited(p, '`', "command '`'");
        if (p->tok.kind != TK_ERROR)
            p->tok.kind = TK_COMMAND;
    } else if (c == '%' && c1 == '{')
        lex_code(p);
    else
        lex_punct(p, c);
}

void lex_next(struct parser *p)
{
    memset(&p->tok, 0, sizeof p->tok);
    if (p->failed || skip_blanks(p) < 0) {
        p->tok.kind = TK_ERROR;
        p->tok.start = p->tok.end = p->pos;
        return;
    }
    p->tok.start = p->pos;
    p->tok.line = p->line;
    p->tok.line_start = p->line_start;
    p->tok.column = col_of(p, p->pos);
    p->tok.kind = TK_EOF; /* lex_fail and the paths below overwrite it */
    lex_token(p);
    if (p->tok.kind != TK_ERROR)
        p->tok.end = p->pos;
}

void mark_prev(struct parser *p, size_t end)
{
    p->prev_end = end;
    p->prev_line = p->line;
    p->prev_column = col_of(p, end);
}

void advance(struct parser *p)
{
    mark_prev(p, p->tok.end);
    lex_next(p);
}

/* ---- raw spans --------------------------------------------------------------- */

static void rewind_to_tok(struct parser *p)
{
    p->pos = p->tok.start;
    p->line = p->tok.line;
    p->line_start = p->tok.line_start;
}

struct raw_span take_raw(struct parser *p, bool (*ok)(int c))
{
    struct raw_span s = { p->tok.start, p->tok.start, p->tok.line, p->tok.column };
    size_t end = p->tok.start;

    if (p->tok.kind == TK_ERROR || p->tok.kind == TK_EOF)
        return s;
    while (end < p->len && p->buf[end] != '\n' && ok((unsigned char)p->buf[end]))
        end++;
    if (end == s.start)
        return s; /* nothing taken: the lookahead stays as it is */
    rewind_to_tok(p);
    p->pos = s.end = end;
    mark_prev(p, end);
    lex_next(p);
    return s;
}

int take_note(struct parser *p, struct raw_span *inner)
{
    struct token open = p->tok;

    rewind_to_tok(p);
    p->pos++;
    inner->start = p->pos;
    inner->line = p->line;
    inner->column = col_of(p, p->pos);
    while (p->pos < p->len && p->buf[p->pos] != ')' && p->buf[p->pos] != '\n')
        p->pos++;
    if (p->pos >= p->len || p->buf[p->pos] != ')')
        return perr(p, &open, "unterminated note: expected ')' on the same line");
    inner->end = p->pos++;
    mark_prev(p, p->pos);
    lex_next(p);
    return 0;
}

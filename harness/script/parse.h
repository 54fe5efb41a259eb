/* script/parse.h: internals shared by the script lexer and parser files.
 *
 * Not for the runner: it uses script.h only. The parser is a hand-written
 * recursive descent over an on-demand lexer with one token of lookahead.
 * The first error wins and stops the parse; everything built so far hangs
 * off the script, so script_free() cleans up on every error path.
 */
#ifndef SYNACK_HARNESS_SCRIPT_PARSE_H
#define SYNACK_HARNESS_SCRIPT_PARSE_H

#include <stdarg.h>
#include <stddef.h>

#include "script/script.h"
#include "synack/wire.h"

enum tok_kind {
    TK_EOF,
    TK_ERROR,    /* the lexer reported an error; the parse is over */
    TK_INT,      /* 42  -1  0x1f */
    TK_FLOAT,    /* 0.1  .5  -0.5 */
    TK_IPV4,     /* 192.0.2.1 (text only; checked where it is used) */
    TK_IPV6,     /* 2001:db8::1 (with "::" or eight groups) */
    TK_WORD,     /* [A-Za-z0-9_]+ that is not a number */
    TK_STRING,   /* "..." */
    TK_COMMAND,  /* `...` */
    TK_CODE,     /* %{ ... }% */
    TK_OPTION,   /* --name */
    TK_ELLIPSIS, /* ... */
    TK_PUNCT,    /* one character: < > ( ) [ ] { } , = | : ~ + * . - ; ... */
};

struct token {
    enum tok_kind kind;
    size_t start, end;      /* byte offsets of the token in the buffer */
    unsigned line, column;
    size_t line_start;      /* offset of the first byte of its line */
    char punct;             /* TK_PUNCT */
    int64_t num;            /* TK_INT */
    bool hex;               /* TK_INT written 0x... */
    bool overflow;          /* TK_INT beyond int64 */
};

/* A stretch of source scanned character by character (flags, hex data,
 * option values, notes): never crosses a line. */
struct raw_span {
    size_t start, end;
    unsigned line, column;
};

struct parser {
    const char *buf;
    size_t len;
    size_t pos;             /* lexer position: just after the lookahead */
    unsigned line;
    size_t line_start;
    struct token tok;       /* the lookahead token */
    size_t prev_end;        /* end offset of the last consumed token */
    unsigned prev_line, prev_column; /* where it ends (column just after it) */
    size_t construct_start; /* offset where the event (or header option) being
                             * parsed begins */
    int depth;              /* expression nesting */
    struct script *script;
    struct script_error *err;
    bool failed;
    char got[96];           /* scratch for describing a token */
};

/* ---- errors (parser.c) ---- */
int perr_at(struct parser *p, unsigned line, unsigned column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int perr(struct parser *p, const struct token *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "'1001'", "end of file", "'\"abc...\"'": for "got X". */
const char *tok_describe(struct parser *p, const struct token *t);
int perr_expected(struct parser *p, const char *what);
/* How many of the n bytes at s to quote in a message: at most 40, never
 * cutting a UTF-8 sequence. */
int clip40(const char *s, size_t n);

/* ---- lexer (lexer.c) ---- */
int lex_check_bytes(struct parser *p);   /* NUL bytes and UTF-8, up front */
bool lex_ipv6_text(const char *s, size_t n); /* an IPv6 address as packetdrill lexes one */
void lex_next(struct parser *p);          /* fill p->tok */
void advance(struct parser *p);           /* consume p->tok, lex the next */
/* The last consumed token ends at end (on the lexer's current line). */
void mark_prev(struct parser *p, size_t end);
/* Rescan from the lookahead's first byte while ok(c) holds, consume that
 * span and lex the token after it. The span may be empty. */
struct raw_span take_raw(struct parser *p, bool (*ok)(int c));
/* The note of a syscall line: from the '(' lookahead to ')' on the same line. */
int take_note(struct parser *p, struct raw_span *inner);

/* ---- token helpers (parser.c) ---- */
bool is_punct(const struct parser *p, char c);
bool is_word(const struct parser *p, const char *w);
bool tok_is_word_ci(const struct parser *p, const char *w);
/* No newline between the last consumed token and the lookahead. */
bool tok_on_same_line(const struct parser *p);
char *tok_strdup(const struct parser *p, const struct token *t);
char *span_strdup(const struct parser *p, size_t start, size_t end);
bool span_eq(const struct parser *p, struct raw_span s, const char *w);
int expect_punct(struct parser *p, char c, const char *context);
/* Take an integer token 0..max ("expected WHAT, got X" otherwise). */
int take_uint(struct parser *p, uint64_t max, const char *what, uint64_t *out);
/* Append one zeroed element to the array *arr_ptr of *count elements of
 * size sz (capacity doubles at powers of two); NULL after "out of memory". */
void *push_elem(struct parser *p, void *arr_ptr, size_t *count, size_t sz);
/* The value of a define (packetdrill's -D NAME=VALUE or a script's --define)
 * named by the n bytes at s, or NULL: packetdrill's lexer puts the value in
 * place of the name (TFO_COOKIE in option data, CODE as an ICMP code). */
const char *define_value(const struct parser *p, const char *s, size_t n);

/* ---- grammar pieces ---- */
int parse_packet(struct parser *p, struct script_event *ev);      /* parse_packet.c */
int parse_syscall(struct parser *p, struct script_event *ev);     /* parse_syscall.c */

/* ---- shared tables (script.c) ---- */
struct script_mut_info {
    const char *name;
    enum script_mut_value kind;
    uint32_t max;
};
extern const struct script_mut_info script_mut_table[SCRIPT_MUT_COUNT];
bool script_icmp_type_lookup(const char *name, size_t n, uint8_t *type);
bool script_icmp_code_lookup(uint8_t type, const char *name, size_t n, uint8_t *code);
void script_expr_free(struct script_expr *e);

#endif

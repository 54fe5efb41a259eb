/* script/parse_syscall.c: system call lines and their expressions.
 *
 *   name(arg, ...) = result [ERRNO] [(note)]
 *
 * Expressions stay trees (the runner evaluates them). packetdrill has one
 * rule per struct it knows (sockaddr, pollfd, linger, msghdr, ...); here a
 * {...} is a generic struct of expressions and name=value members, and any
 * name(...) is a call, so the same scripts parse with fewer rules.
 */
#include <stdlib.h>
#include <string.h>

#include "script/parse.h"

static int parse_element(struct parser *p, struct script_expr **slot);
static int parse_or(struct parser *p, struct script_expr **slot, bool result);

static int enter(struct parser *p, const struct token *t)
{
    if (++p->depth > SCRIPT_MAX_DEPTH)
        return perr(p, t, "nesting too deep (more than %d levels)", SCRIPT_MAX_DEPTH);
    return 0;
}

static struct script_expr *new_expr(struct parser *p, enum script_expr_kind kind, const struct token *t)
{
    struct script_expr *e = calloc(1, sizeof *e);

    if (e == NULL) {
        perr_at(p, 0, 0, "out of memory");
        return NULL;
    }
    e->kind = kind;
    e->line = t->line;
    e->column = t->column;
    return e;
}

static struct script_expr **push_item(struct parser *p, struct script_expr ***items, size_t *count)
{
    return push_elem(p, items, count, sizeof **items);
}

/* (a, b), [a, b] or {a, b}: the lookahead is the opening character. */
static int parse_list(struct parser *p, char close, struct script_expr ***items, size_t *count,
                      const char *what, bool allow_empty)
{
    struct token open = p->tok;

    if (enter(p, &open) < 0)
        return -1;
    advance(p);
    if (allow_empty && is_punct(p, close)) {
        advance(p);
        p->depth--;
        return 0;
    }
    for (;;) {
        struct script_expr **slot = push_item(p, items, count);
        if (slot == NULL || parse_element(p, slot) < 0)
            return -1;
        if (is_punct(p, close))
            break;
        if (!is_punct(p, ','))
            return perr_expected(p, what);
        advance(p);
    }
    advance(p);
    p->depth--;
    return 0;
}

/* "abc" "def" -> "abcdef"; "abc"... is a prefix. */
static int parse_string(struct parser *p, struct script_expr *e)
{
    size_t n = 0, cap = 0;

    while (p->tok.kind == TK_STRING) {
        size_t add = p->tok.end - p->tok.start - 2;
        if (n + add + 1 > cap) {
            size_t want = (n + add + 1) * 2;
            char *grown = realloc(e->str, want);
            if (grown == NULL)
                return perr_at(p, 0, 0, "out of memory");
            e->str = grown;
            cap = want;
        }
        memcpy(e->str + n, p->buf + p->tok.start + 1, add);
        n += add;
        e->str[n] = '\0';
        advance(p);
    }
    if (p->tok.kind == TK_ELLIPSIS) {
        e->prefix = true;
        advance(p);
    }
    return 0;
}

/* SYMBOL or name(args). In a result, '(' must touch the name: "= 0 (note)". */
static int parse_word(struct parser *p, struct script_expr **slot, bool result)
{
    struct token t = p->tok;
    struct script_expr *e;
    bool call;

    advance(p);
    call = is_punct(p, '(') && (!result || p->tok.start == p->prev_end);
    if ((e = new_expr(p, call ? SCRIPT_EXPR_CALL : SCRIPT_EXPR_SYMBOL, &t)) == NULL)
        return -1;
    *slot = e;
    if ((e->str = tok_strdup(p, &t)) == NULL)
        return -1;
    if (!call)
        return 0;
    return parse_list(p, ')', &e->items, &e->count, "',' or ')' in call arguments", true);
}

static int parse_unsupported(struct parser *p)
{
    if (p->tok.kind == TK_FLOAT)
        return perr(p, &p->tok, "unsupported argument form %s: a number with a fraction",
                    tok_describe(p, &p->tok));
    if (p->tok.kind == TK_IPV4)
        return perr(p, &p->tok, "unsupported argument form %s (write inet_addr(\"...\"))",
                    tok_describe(p, &p->tok));
    return perr_expected(p, "expression");
}

static int parse_primary(struct parser *p, struct script_expr **slot, bool result)
{
    struct token t = p->tok;
    enum script_expr_kind kind;
    struct script_expr *e;

    if (t.kind == TK_WORD)
        return parse_word(p, slot, result);
    kind = t.kind == TK_ELLIPSIS ? SCRIPT_EXPR_ELLIPSIS
           : t.kind == TK_INT    ? SCRIPT_EXPR_INT
           : t.kind == TK_STRING ? SCRIPT_EXPR_STRING
           : is_punct(p, '[')    ? SCRIPT_EXPR_ARRAY
           : is_punct(p, '{')    ? SCRIPT_EXPR_STRUCT
                                 : SCRIPT_EXPR_CALL;
    if (kind == SCRIPT_EXPR_CALL)
        return parse_unsupported(p);
    if (t.kind == TK_INT && t.overflow)
        return perr(p, &t, "integer %s out of range", tok_describe(p, &t));
    if ((e = new_expr(p, kind, &t)) == NULL)
        return -1;
    *slot = e;
    e->num = t.num;
    e->hex = t.hex;
    if (kind == SCRIPT_EXPR_STRING)
        return parse_string(p, e);
    if (kind == SCRIPT_EXPR_ARRAY)
        return parse_list(p, ']', &e->items, &e->count, "',' or ']' in array", true);
    if (kind == SCRIPT_EXPR_STRUCT)
        return parse_list(p, '}', &e->items, &e->count, "',' or '}' in struct", false);
    advance(p);
    return 0;
}

/* a|b|c as one OR node with its operands in order. */
static int parse_or(struct parser *p, struct script_expr **slot, bool result)
{
    struct script_expr *or, **first;
    struct token t = p->tok;

    if (parse_primary(p, slot, result) < 0)
        return -1;
    if (!is_punct(p, '|'))
        return 0;
    if ((or = new_expr(p, SCRIPT_EXPR_OR, &t)) == NULL)
        return -1;
    if ((first = push_item(p, &or->items, &or->count)) == NULL) {
        script_expr_free(or);
        return -1;
    }
    *first = *slot;
    *slot = or;
    while (is_punct(p, '|')) {
        struct script_expr **item;
        advance(p);
        if ((item = push_item(p, &or->items, &or->count)) == NULL ||
            parse_primary(p, item, result) < 0)
            return -1;
    }
    return 0;
}

/* An element of a list: an expression, or name=value when the left side
 * is a name or a call (msg_iov(1)=[...], as packetdrill writes). */
static int parse_element(struct parser *p, struct script_expr **slot)
{
    struct token eq;
    struct script_expr *a;
    int rc;

    if (parse_or(p, slot, false) < 0)
        return -1;
    if (!is_punct(p, '=') || ((*slot)->kind != SCRIPT_EXPR_SYMBOL && (*slot)->kind != SCRIPT_EXPR_CALL))
        return 0;
    eq = p->tok;
    if (enter(p, &eq) < 0 || (a = new_expr(p, SCRIPT_EXPR_ASSIGN, &eq)) == NULL)
        return -1;
    a->line = (*slot)->line;
    a->column = (*slot)->column;
    a->lhs = *slot;
    *slot = a;
    advance(p);
    rc = parse_element(p, &a->rhs);
    p->depth--;
    return rc;
}

/* The "(Operation now in progress)" after a result, blanks trimmed. */
static int parse_note(struct parser *p, struct script_syscall *sc)
{
    struct raw_span in;

    if (take_note(p, &in) < 0)
        return -1;
    while (in.start < in.end && (p->buf[in.start] == ' ' || p->buf[in.start] == '\t'))
        in.start++;
    while (in.end > in.start && (p->buf[in.end - 1] == ' ' || p->buf[in.end - 1] == '\t'))
        in.end--;
    sc->note = span_strdup(p, in.start, in.end);
    return sc->note ? 0 : -1;
}

int parse_syscall(struct parser *p, struct script_event *ev)
{
    struct script_syscall *sc = &ev->syscall;
    struct token name = p->tok;

    if ((sc->name = tok_strdup(p, &name)) == NULL)
        return -1;
    advance(p);
    if (!is_punct(p, '('))
        return perr(p, &p->tok, "expected '(' after system call name '%s', got %s", sc->name,
                    tok_describe(p, &p->tok));
    if (parse_list(p, ')', &sc->args, &sc->arg_count, "',' or ')' in system call arguments", true) < 0 ||
        expect_punct(p, '=', "after the system call") < 0 ||
        parse_or(p, &sc->result, true) < 0)
        return -1;
    if (p->tok.kind == TK_WORD && tok_on_same_line(p)) {
        if ((sc->errno_name = tok_strdup(p, &p->tok)) == NULL)
            return -1;
        advance(p);
    }
    return is_punct(p, '(') && tok_on_same_line(p) ? parse_note(p, sc) : 0;
}

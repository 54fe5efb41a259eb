/* script/parse_packet.c: packet lines: '<' or '>', IP info, TCP or ICMP,
 * TCP options, and synack's mutation list.
 *
 * Follows packetdrill's parser.y (tcp_packet_spec, icmp_packet_spec) and its
 * parse-time checks; values stay as written (no relative seq arithmetic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script/parse.h"

/* ---- IP info: [ect0] (tos 0x10) [ttl 64] ------------------------------------ */

static const struct {
    const char *name;
    enum script_ecn ecn;
} ecn_names[] = {
    { "noecn", SCRIPT_ECN_NOECN }, { "ect0", SCRIPT_ECN_ECT0 }, { "ect1", SCRIPT_ECN_ECT1 },
    { "ce", SCRIPT_ECN_CE },       { "ect01", SCRIPT_ECN_ECT01 },
};

static int parse_ecn(struct parser *p, struct script_ip_info *ip, enum script_ecn ecn)
{
    if (ip->ecn != SCRIPT_ECN_UNSPEC || ip->tos_given)
        return perr(p, &p->tok, "more than one ECN codepoint or tos in IP info");
    ip->ecn = ecn;
    advance(p);
    return 0;
}

/* "tos N" or "ttl N": one octet. */
static int parse_ip_octet(struct parser *p, const char *name, bool *given, uint8_t *value)
{
    char what[32];
    uint64_t v;

    snprintf(what, sizeof what, "integer after '%s'", name);
    advance(p);
    if (take_uint(p, 0xff, what, &v) < 0)
        return -1;
    *given = true;
    *value = (uint8_t)v;
    return 0;
}

static int parse_ip_item(struct parser *p, struct script_ip_info *ip)
{
    for (size_t i = 0; i < sizeof ecn_names / sizeof ecn_names[0]; i++) {
        if (tok_is_word_ci(p, ecn_names[i].name))
            return parse_ecn(p, ip, ecn_names[i].ecn);
    }
    if (is_word(p, "tos")) {
        if (ip->ecn != SCRIPT_ECN_UNSPEC || ip->tos_given)
            return perr(p, &p->tok, "more than one ECN codepoint or tos in IP info");
        return parse_ip_octet(p, "tos", &ip->tos_given, &ip->tos);
    }
    if (is_word(p, "ttl")) {
        if (ip->ttl_given)
            return perr(p, &p->tok, "more than one ttl in IP info");
        return parse_ip_octet(p, "ttl", &ip->ttl_given, &ip->ttl);
    }
    if (is_word(p, "flowlabel"))
        return perr(p, &p->tok, "flowlabel is IPv6-only: not supported");
    return perr_expected(p, "ect0, ect1, ect01, ce, noecn, tos N or ttl N in IP info");
}

static int parse_ip_info(struct parser *p, struct script_packet *pkt)
{
    char close = is_punct(p, '[') ? ']' : ')';
    char ctx[48];

    snprintf(ctx, sizeof ctx, "',' or '%c' in IP info", close);
    pkt->ip_given = true;
    advance(p);
    for (;;) {
        if (parse_ip_item(p, &pkt->ip) < 0)
            return -1;
        if (is_punct(p, close)) {
            advance(p);
            return 0;
        }
        if (!is_punct(p, ','))
            return perr_expected(p, ctx);
        advance(p);
    }
}

/* ---- flags and sequence range --------------------------------------------------- */

static bool is_flag_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

static int flag_bit(char c)
{
    switch (c) {
    case 'F': return SYNACK_TCP_FIN;
    case 'S': return SYNACK_TCP_SYN;
    case 'R': return SYNACK_TCP_RST;
    case 'P': return SYNACK_TCP_PSH;
    case '.': return SYNACK_TCP_ACK;
    case 'U': return SYNACK_TCP_URG;
    case 'E': return SYNACK_TCP_ECE;
    case 'W': return SYNACK_TCP_CWR;
    default: return -1;
    }
}

/* An ACE value N (RFC 9768 3.2.2: AE, CWR, ECE as a 3-bit counter) in place
 * of the three ECN flags, which it may not be written beside. */
static int ace_value(struct parser *p, struct script_packet *pkt, char c, bool ecn, unsigned col,
                     unsigned line)
{
    if (ecn)
        return perr_at(p, line, col, "ACE value '%c' beside E, W or A in TCP flags", c);
    unsigned n = (unsigned)(c - '0');
    pkt->ae = (n & 4) != 0;
    pkt->flags |= (uint8_t)(((n & 2) ? SYNACK_TCP_CWR : 0) | ((n & 1) ? SYNACK_TCP_ECE : 0));
    return 0;
}

/* "S.", "F.", "SEW", "." or "-" (no flag), read character by character;
 * AccECN's 'A' (AE) or an ACE value 0..7 (packetdrill's "SEWA", "P5."). */
static int parse_flags(struct parser *p, struct script_packet *pkt)
{
    struct token t = p->tok;
    struct raw_span s = take_raw(p, is_flag_char);
    bool ecn = false, ace = false;

    if (s.end == s.start || (p->buf[s.start] >= '0' && p->buf[s.start] <= '9'))
        return perr(p, &t, "expected TCP flags, got %s", tok_describe(p, &t));
    if (span_eq(p, s, "-"))
        return 0;
    for (size_t i = s.start; i < s.end; i++) {
        char c = p->buf[i];
        int bit = flag_bit(c);
        unsigned col = s.column + (unsigned)(i - s.start);
        bool ecn_flag = c == 'A' || c == 'E' || c == 'W';
        if ((ecn_flag && ace) || (c >= '0' && c <= '7' && ace))
            return perr_at(p, s.line, col, "flag '%c' beside an ACE value in TCP flags", c);
        ecn |= ecn_flag;
        if (c >= '0' && c <= '7') {
            if (ace_value(p, pkt, c, ecn, col, s.line) < 0)
                return -1;
            pkt->ae_flag = ace = true;
            continue;
        }
        if (c == 'A') {
            pkt->ae_flag = pkt->ae = true;
            continue;
        }
        if (bit < 0)
            return perr_at(p, s.line, col, "unknown flag '%c' in TCP flags", c);
        pkt->flags |= (uint8_t)bit;
    }
    return 0;
}

/* start:end(len), with end == start + len (packetdrill's check, no wrap). */
/* synack extension (7): `wnd_edge`, `wnd_edge+N` or `wnd_edge-N`, an offset
 * from the right edge of the window the stack announced last. */
static int parse_edge_term(struct parser *p, const char *what, int64_t *off)
{
    if (!is_word(p, SCRIPT_WND_EDGE))
        return perr(p, &p->tok, "expected %s as %s+N or %s-N, got %s", what, SCRIPT_WND_EDGE,
                    SCRIPT_WND_EDGE, tok_describe(p, &p->tok));
    advance(p);
    *off = 0;
    if (p->tok.kind == TK_INT && p->tok.num < 0 && p->prev_end == p->tok.start) {
        if (p->tok.overflow || p->tok.num < -(int64_t)0xffff)
            return perr(p, &p->tok, "%s offset %s out of range (-65535..65535)", what,
                        tok_describe(p, &p->tok));
        *off = p->tok.num;
        advance(p);
    } else if (is_punct(p, '+') && p->prev_end == p->tok.start) {
        uint64_t n;
        advance(p);
        if (take_uint(p, 0xffff, "offset after '+'", &n) < 0)
            return -1;
        *off = (int64_t)n;
    }
    return 0;
}

/* wnd_edge-1:wnd_edge+9(10): both ends from the edge, the length theirs. */
static int parse_seq_edge(struct parser *p, struct script_packet *pkt)
{
    int64_t a, b;
    uint64_t n;
    struct token len_tok;

    if (parse_edge_term(p, "sequence start", &a) < 0 ||
        expect_punct(p, ':', "after sequence start") < 0 ||
        parse_edge_term(p, "sequence end", &b) < 0 ||
        expect_punct(p, '(', "after sequence end") < 0)
        return -1;
    len_tok = p->tok;
    if (take_uint(p, 0xffff, "payload length", &n) < 0 ||
        expect_punct(p, ')', "after payload length") < 0)
        return -1;
    if (b != a + (int64_t)n)
        return perr(p, &len_tok, "payload length %llu does not match end - start = %lld",
                    (unsigned long long)n, (long long)(b - a));
    pkt->seq_edge = true;
    pkt->seq_start = (uint32_t)a;
    pkt->seq_end = (uint32_t)b;
    pkt->seq_len = (uint16_t)n;
    return 0;
}

static int parse_seq(struct parser *p, uint32_t *start, uint32_t *end, uint16_t *len)
{
    uint64_t a, b, n;
    struct token len_tok;

    if (take_uint(p, UINT32_MAX, "sequence start", &a) < 0 ||
        expect_punct(p, ':', "after sequence start") < 0 ||
        take_uint(p, UINT32_MAX, "sequence end after ':'", &b) < 0 ||
        expect_punct(p, '(', "after sequence end") < 0)
        return -1;
    len_tok = p->tok;
    if (take_uint(p, 0xffff, "payload length", &n) < 0 ||
        expect_punct(p, ')', "after payload length") < 0)
        return -1;
    if (b != a + n)
        return perr(p, &len_tok, "payload length %llu does not match end - start = %lld",
                    (unsigned long long)n, (long long)b - (long long)a);
    *start = (uint32_t)a;
    *end = (uint32_t)b;
    *len = (uint16_t)n;
    return 0;
}

/* One "NAME N" field of a packet line, N in 0..max, at most once. */
static int parse_tcp_field(struct parser *p, const char *name, uint64_t max, bool *given, uint64_t *v)
{
    char what[32];

    if (*given)
        return perr(p, &p->tok, "'%s' given twice", name);
    snprintf(what, sizeof what, "integer after '%s'", name);
    advance(p);
    if (take_uint(p, max, what, v) < 0)
        return -1;
    *given = true;
    return 0;
}

/* ack N, win N, urg N (packetdrill's order; any order here, noted for the
 * dialect check). */
static int parse_tcp_fields(struct parser *p, struct script_packet *pkt)
{
    uint64_t v;

    for (;;) {
        if ((is_word(p, "ack") && (pkt->win_given || pkt->urg_given)) ||
            (is_word(p, "win") && pkt->urg_given))
            pkt->fields_reordered = true;
        if (is_word(p, "ack")) {
            if (parse_tcp_field(p, "ack", UINT32_MAX, &pkt->ack_given, &v) < 0)
                return -1;
            pkt->ack = (uint32_t)v;
        } else if (is_word(p, "win")) {
            if (parse_tcp_field(p, "win", 0xffff, &pkt->win_given, &v) < 0)
                return -1;
            pkt->win = (uint16_t)v;
        } else if (is_word(p, "urg")) {
            if (parse_tcp_field(p, "urg", 0xffff, &pkt->urg_given, &v) < 0)
                return -1;
            pkt->urg = (uint16_t)v;
        } else
            return 0;
    }
}

/* ---- TCP options ------------------------------------------------------------------- */

static bool is_alnum_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Hex digits, or a define's name (TFO_COOKIE). */
static bool is_hex_or_name_char(int c)
{
    return is_alnum_char(c) || c == '_';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The n bytes at s as hex octets (an even number of digits, optional 0x,
 * at most max) into out; errors at the span sp, `what` names the field,
 * `via` the define whose value s is (or NULL). */
static int decode_hex(struct parser *p, struct raw_span sp, const char *s, size_t n,
                      const char *what, const char *via, uint8_t *out, size_t max, size_t *len)
{
    size_t i = 0;

    if (n > 2 && s[0] == '0' && (s[1] | 0x20) == 'x')
        i = 2;
    for (size_t k = i; k < n; k++) {
        if (hexval((unsigned char)s[k]) < 0)
            return via ? perr_at(p, sp.line, sp.column, "bad hex digit '%c' in %s (the value "
                                 "of %s)", s[k], what, via)
                       : perr_at(p, sp.line, sp.column + (unsigned)k, "bad hex digit '%c' in %s",
                                 s[k], what);
    }
    n -= i;
    if (n % 2)
        return perr_at(p, sp.line, sp.column, "odd number of hex digits in %s", what);
    if (n / 2 > max)
        return perr_at(p, sp.line, sp.column, "%s longer than %zu octets", what, max);
    for (size_t k = 0; k < n / 2; k++)
        out[k] = (uint8_t)(hexval((unsigned char)s[i + 2 * k]) << 4 |
                           hexval((unsigned char)s[i + 2 * k + 1]));
    *len = n / 2;
    return 0;
}

/* HEX: hex octets, or the name of a define whose value they are (as
 * packetdrill's lexer substitutes -D TFO_COOKIE=...), into out; `what`
 * names it in messages ("option data"), after is what it follows. */
static int parse_hex(struct parser *p, const char *what, const char *after, uint8_t *out,
                     size_t max, size_t *len)
{
    struct token t = p->tok;
    struct raw_span s = take_raw(p, is_hex_or_name_char);
    const char *text = p->buf + s.start, *def;
    char name[64];

    if (s.end == s.start)
        return perr(p, &t, "expected hex octets after '%s', got %s", after, tok_describe(p, &t));
    def = define_value(p, text, s.end - s.start);
    if (def == NULL)
        return decode_hex(p, s, text, s.end - s.start, what, NULL, out, max, len);
    snprintf(name, sizeof name, "%.*s", clip40(text, s.end - s.start), text);
    return decode_hex(p, s, def, strlen(def), what, name, out, max, len);
}

/* data HEX (generic TCP option). */
static int parse_hex_data(struct parser *p, struct script_tcp_option *o)
{
    size_t n;
    if (parse_hex(p, "option data", "data", o->data, SCRIPT_OPT_DATA_MAX, &n) < 0)
        return -1;
    o->data_len = (uint8_t)n;
    return 0;
}

/* kind K [len L] [data HEX] (synack extension). */
static int parse_generic_option(struct parser *p, struct script_tcp_option *o)
{
    uint64_t v;

    o->type = SCRIPT_OPT_GENERIC;
    if (take_uint(p, 0xff, "option kind after 'kind'", &v) < 0)
        return -1;
    o->kind = (uint8_t)v;
    if (is_word(p, "len")) {
        advance(p);
        if (take_uint(p, 0xff, "option length after 'len'", &v) < 0)
            return -1;
        o->len = (uint8_t)v;
        o->len_given = true;
    }
    if (is_word(p, "data")) {
        advance(p);
        if (parse_hex_data(p, o) < 0)
            return -1;
    }
    if (!o->len_given)
        o->len = (uint8_t)(2 + o->data_len);
    return 0;
}

static int parse_sack_blocks(struct parser *p, struct script_tcp_option *o)
{
    o->type = SCRIPT_OPT_SACK;
    o->kind = TCPOPT_SACK;
    do {
        uint64_t l, r;
        if (o->sack_count == SYNACK_SACK_MAX)
            return perr(p, &p->tok, "more than %d SACK blocks", SYNACK_SACK_MAX);
        if (take_uint(p, UINT32_MAX, "SACK block left edge", &l) < 0 ||
            expect_punct(p, ':', "in SACK block") < 0 ||
            take_uint(p, UINT32_MAX, "SACK block right edge", &r) < 0)
            return -1;
        o->sack[o->sack_count].left = (uint32_t)l;
        o->sack[o->sack_count].right = (uint32_t)r;
        o->sack_count++;
    } while (p->tok.kind == TK_INT);
    o->len = (uint8_t)(2 + 8 * o->sack_count);
    return 0;
}

static int parse_ts_option(struct parser *p, struct script_tcp_option *o)
{
    uint64_t val, ecr;

    o->type = SCRIPT_OPT_TS;
    o->kind = TCPOPT_TIMESTAMP;
    o->len = 10;
    if (!is_word(p, "val"))
        return perr_expected(p, "'val' after 'TS'");
    advance(p);
    if (take_uint(p, UINT32_MAX, "TS val", &val) < 0)
        return -1;
    if (!is_word(p, "ecr"))
        return perr_expected(p, "'ecr' after TS val");
    advance(p);
    if (take_uint(p, UINT32_MAX, "TS ecr", &ecr) < 0)
        return -1;
    o->ts_val = (uint32_t)val;
    o->ts_ecr = (uint32_t)ecr;
    return 0;
}

static bool text_is(const struct parser *p, const struct token *t, const char *w)
{
    size_t n = strlen(w);
    return t->end - t->start == n && memcmp(p->buf + t->start, w, n) == 0;
}

/* FO [HEX], FOEXP [HEX] (RFC 7413 cookie) and md5 HEX (RFC 2385 digest):
 * packetdrill's hex blobs, an even number of hex digits without 0x. */
static int parse_blob_option(struct parser *p, struct script_tcp_option *o, const struct token *t)
{
    bool md5 = text_is(p, t, "md5"), exp = text_is(p, t, "FOEXP");
    unsigned max = md5 ? SCRIPT_MD5_DIGEST_MAX : SCRIPT_FASTOPEN_COOKIE_MAX - (exp ? 2 : 0);

    o->type = md5 ? SCRIPT_OPT_MD5 : exp ? SCRIPT_OPT_FASTOPEN_EXP : SCRIPT_OPT_FASTOPEN;
    o->kind = md5 ? SCRIPT_TCPOPT_MD5 : exp ? SCRIPT_TCPOPT_EXP : SCRIPT_TCPOPT_FASTOPEN;
    if ((p->tok.kind == TK_WORD || p->tok.kind == TK_INT) && tok_on_same_line(p)) {
        if (p->buf[p->tok.start] == '0' && p->tok.end - p->tok.start > 2 &&
            (p->buf[p->tok.start + 1] | 0x20) == 'x')
            return perr(p, &p->tok, "%s takes hex digits without 0x", md5 ? "md5" : "FO");
        if (parse_hex_data(p, o) < 0)
            return -1;
    } else if (md5)
        return perr_expected(p, "hex digest after 'md5'");
    if (o->data_len > max)
        return perr(p, t, "%s of %u octets is longer than %u", md5 ? "md5 digest" : "FO cookie",
                    o->data_len, max);
    o->len = (uint8_t)((exp ? 4 : 2) + o->data_len);
    return 0;
}

/* ECN [e0b N] [ceb N] [e1b N]: AccECN's option (RFC 9768 3.2.3), its
 * counters in the order of one of its two kinds, 172 (e0b ceb e1b) or 174
 * (e1b ceb e0b); none written is kind 172 of length 2. */
static int parse_accecn_option(struct parser *p, struct script_tcp_option *o)
{
    static const char *const order[2][3] = {{"e0b", "ceb", "e1b"}, {"e1b", "ceb", "e0b"}};
    unsigned n = 0, which = 0;

    o->type = SCRIPT_OPT_ACCECN;
    while (n < 3 && p->tok.kind == TK_WORD && tok_on_same_line(p)) {
        struct token f = p->tok;
        if (n == 0 && text_is(p, &f, "e1b"))
            which = 1;
        if (!text_is(p, &f, order[which][n]))
            break;
        advance(p);
        uint64_t v;
        if (take_uint(p, 0xffffff, "24-bit counter after an AccECN field", &v) < 0)
            return -1;
        o->data[3 * n] = (uint8_t)(v >> 16);
        o->data[3 * n + 1] = (uint8_t)(v >> 8);
        o->data[3 * n + 2] = (uint8_t)v;
        n++;
    }
    if (p->tok.kind == TK_WORD && tok_on_same_line(p) &&
        (text_is(p, &p->tok, "e0b") || text_is(p, &p->tok, "ceb") || text_is(p, &p->tok, "e1b")))
        return perr(p, &p->tok, "AccECN fields go e0b ceb e1b (kind 172) or e1b ceb e0b "
                                "(kind 174)");
    o->kind = which ? SCRIPT_TCPOPT_ACCECN1 : SCRIPT_TCPOPT_ACCECN0;
    o->data_len = (uint8_t)(3 * n);
    o->len = (uint8_t)(2 + 3 * n);
    return 0;
}

/* Options without a value: name, type, kind, length. */
static const struct {
    const char *name;
    enum script_opt_type type;
    uint8_t kind, len;
} simple_opts[] = {
    { "nop", SCRIPT_OPT_NOP, TCPOPT_NOP, 1 },
    { "eol", SCRIPT_OPT_EOL, TCPOPT_EOL, 1 },
    { "sackOK", SCRIPT_OPT_SACK_PERM, TCPOPT_SACK_PERM, 2 },
};

static int parse_valued_option(struct parser *p, struct script_tcp_option *o, bool mss)
{
    uint64_t v;

    o->type = mss ? SCRIPT_OPT_MSS : SCRIPT_OPT_WSCALE;
    o->kind = mss ? TCPOPT_MSS : TCPOPT_WSCALE;
    o->len = mss ? 4 : 3;
    if (take_uint(p, mss ? 0xffff : 0xff, mss ? "integer after 'mss'" : "integer after 'wscale'", &v) < 0)
        return -1;
    if (mss)
        o->mss = (uint16_t)v;
    else
        o->wscale = (uint8_t)v;
    return 0;
}

/* packetdrill's MPTCP options (RFC 8684), by their first word. */
static bool is_mptcp_option(const struct parser *p, const struct token *t)
{
    static const char *const names[] = {
        "mpcapable", "mp_capable", "dss", "add_address", "add_addr", "remove_address",
        "mp_join_syn", "mp_join_syn_ack", "mp_join_ack", "mp_prio", "mp_fail", "mp_fastclose",
        "mp_tcprst",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (text_is(p, t, names[i]))
            return true;
    return false;
}

/* An MPTCP option: its name, then fields up to the ',' or '>' that ends
 * it: words, numbers, NAME=VALUE (a value may be a call: sha1_32(key_b))
 * and NAME[...] groups (flags[flag_h], key[ckey,skey]), on one line.
 * Kept as written, blanks collapsed; not built (the runner skips). */
static int parse_mptcp_option(struct parser *p, struct script_tcp_option *o, const struct token *t)
{
    char buf[256];
    size_t n = (size_t)snprintf(buf, sizeof buf, "%.*s", (int)(t->end - t->start),
                                p->buf + t->start);
    int depth = 0;

    o->type = SCRIPT_OPT_MPTCP;
    o->kind = SCRIPT_TCPOPT_MPTCP;
    o->len = 2;
    while (depth > 0 || !(is_punct(p, ',') || is_punct(p, '>'))) {
        struct token f = p->tok;
        bool glue = is_punct(p, '[') || is_punct(p, ']') || is_punct(p, '(') ||
                    is_punct(p, ')') || is_punct(p, '=') || is_punct(p, ',') ||
                    (n > 0 && strchr("[(=,", buf[n - 1]) != NULL);
        if (f.kind == TK_EOF || f.kind == TK_ERROR || !tok_on_same_line(p))
            return perr(p, t, "MPTCP option %.*s without its end (',' or '>') on the line",
                        (int)(t->end - t->start), p->buf + t->start);
        if (f.kind != TK_WORD && f.kind != TK_INT && f.kind != TK_PUNCT && f.kind != TK_IPV4 &&
            f.kind != TK_IPV6)
            return perr(p, &f, "unexpected %s in an MPTCP option", tok_describe(p, &f));
        if (is_punct(p, '[') || is_punct(p, '('))
            depth++;
        else if (is_punct(p, ']') || is_punct(p, ')')) {
            if (--depth < 0)
                return perr(p, &f, "unbalanced %s in an MPTCP option", tok_describe(p, &f));
        }
        if (n + 2 + (f.end - f.start) >= sizeof buf)
            return perr(p, t, "MPTCP option longer than %zu characters", sizeof buf - 1);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%.*s", glue ? "" : " ",
                              (int)(f.end - f.start), p->buf + f.start);
        advance(p);
    }
    o->text = strdup(buf);
    return o->text ? 0 : perr_at(p, 0, 0, "out of memory");
}

static int parse_tcp_option(struct parser *p, struct script_tcp_option *o)
{
    struct token t = p->tok;

    if (t.kind != TK_WORD)
        return perr_expected(p, "TCP option");
    advance(p);
    for (size_t i = 0; i < sizeof simple_opts / sizeof simple_opts[0]; i++) {
        if (text_is(p, &t, simple_opts[i].name)) {
            o->type = simple_opts[i].type;
            o->kind = simple_opts[i].kind;
            o->len = simple_opts[i].len;
            return 0;
        }
    }
    if (text_is(p, &t, "mss") || text_is(p, &t, "wscale"))
        return parse_valued_option(p, o, text_is(p, &t, "mss"));
    if (text_is(p, &t, "sack"))
        return parse_sack_blocks(p, o);
    if (text_is(p, &t, "TS"))
        return parse_ts_option(p, o);
    if (text_is(p, &t, "kind"))
        return parse_generic_option(p, o);
    if (text_is(p, &t, "FO") || text_is(p, &t, "FOEXP") || text_is(p, &t, "md5"))
        return parse_blob_option(p, o, &t);
    if (text_is(p, &t, "ECN"))
        return parse_accecn_option(p, o);
    if (is_mptcp_option(p, &t))
        return parse_mptcp_option(p, o, &t);
    return perr(p, &t, "unknown TCP option %s", tok_describe(p, &t));
}

bool script_packet_has_option(const struct script_packet *pkt, enum script_opt_type type)
{
    for (size_t i = 0; i < pkt->opt_count; i++)
        if (pkt->opts[i].type == type)
            return true;
    return false;
}

size_t script_packet_options_len(const struct script_packet *pkt)
{
    size_t n = 0;

    for (size_t i = 0; i < pkt->opt_count; i++) {
        const struct script_tcp_option *o = &pkt->opts[i];
        n += o->type == SCRIPT_OPT_GENERIC ? 2u + o->data_len
             : o->type == SCRIPT_OPT_EOL || o->type == SCRIPT_OPT_NOP ? 1u
             : o->len;
    }
    return n;
}

/* <opt,opt,...> or <...>. */
static int parse_tcp_options(struct parser *p, struct script_packet *pkt)
{
    struct token open = p->tok;
    size_t octets;

    advance(p);
    if (p->tok.kind == TK_ELLIPSIS) {
        pkt->opts_mode = SCRIPT_OPTS_ANY;
        advance(p);
        if (pkt->direction == SCRIPT_INBOUND)
            return perr(p, &open, "<...> for TCP options can only be used with outbound packets");
        return expect_punct(p, '>', "after '<...'");
    }
    pkt->opts_mode = SCRIPT_OPTS_LIST;
    for (;;) {
        struct script_tcp_option *o = push_elem(p, &pkt->opts, &pkt->opt_count, sizeof *o);
        if (o == NULL || parse_tcp_option(p, o) < 0)
            return -1;
        if (is_punct(p, '>'))
            break;
        if (!is_punct(p, ','))
            return perr_expected(p, "',' or '>' in TCP options");
        advance(p);
    }
    advance(p);
    octets = script_packet_options_len(pkt);
    if (octets > SYNACK_TCP_OPT_MAX)
        return perr(p, &open, "TCP options take %zu octets, more than %u", octets, SYNACK_TCP_OPT_MAX);
    return 0;
}

/* ---- mutations: {field=value, ...} (synack extension) ------------------------------------- */

static bool is_field_char(int c)
{
    return is_alnum_char(c) || c == '_' || c == '.';
}

static int mut_lookup(struct parser *p, struct raw_span s)
{
    for (int i = 0; i < SCRIPT_MUT_COUNT; i++) {
        if (span_eq(p, s, script_mut_table[i].name))
            return i;
    }
    return perr_at(p, s.line, s.column, "unknown mutation field '%.*s'",
                   clip40(p->buf + s.start, s.end - s.start), p->buf + s.start);
}

static int parse_mut_value(struct parser *p, struct script_mutation *m)
{
    const struct script_mut_info *info = &script_mut_table[m->field];
    char what[64];
    uint64_t v;

    if (info->kind == SCRIPT_MUTV_ADDR) {
        uint32_t addr;
        if (p->tok.kind != TK_IPV4 ||
            !synack_ipv4_addr_from_text(p->buf + p->tok.start, p->tok.end - p->tok.start, &addr)) {
            snprintf(what, sizeof what, "an IPv4 address for '%s'", info->name);
            return perr_expected(p, what);
        }
        m->value = addr;
        advance(p);
        return 0;
    }
    if (info->kind == SCRIPT_MUTV_HEX) {
        struct token t = p->tok;
        size_t n;
        if (parse_hex(p, info->name, info->name, m->data, info->max, &n) < 0)
            return -1;
        if (n % 4)
            return perr(p, &t, "'%s' takes a multiple of 4 octets (the header grows in 32-bit "
                        "words), got %zu", info->name, n);
        m->value = (uint32_t)n;
        return 0;
    }
    if (info->kind == SCRIPT_MUTV_CSUM && is_word(p, "bad")) {
        m->bad = true;
        advance(p);
        return 0;
    }
    snprintf(what, sizeof what, info->kind == SCRIPT_MUTV_CSUM ? "'bad' or an integer for '%s'"
                                                              : "an integer for '%s'", info->name);
    if (take_uint(p, info->max, what, &v) < 0)
        return -1;
    m->value = (uint32_t)v;
    return 0;
}

/* One range of ip.frag: START:END or START: (to the end). */
static int parse_frag_range(struct parser *p, struct script_packet *pkt)
{
    struct token t = p->tok;
    struct script_frag *fr;
    uint64_t a, b;

    if (pkt->frag_count == SCRIPT_FRAG_MAX)
        return perr(p, &t, "more than %d fragments", SCRIPT_FRAG_MAX);
    if (take_uint(p, 0xffff, "a fragment's first octet for 'ip.frag'", &a) < 0)
        return -1;
    if (a % 8)
        return perr(p, &t, "a fragment starts at a multiple of 8 octets (the offset is in "
                    "8-octet units), not at %llu", (unsigned long long)a);
    if (expect_punct(p, ':', "after a fragment's first octet") < 0)
        return -1;
    if ((fr = push_elem(p, &pkt->frags, &pkt->frag_count, sizeof *fr)) == NULL)
        return -1;
    fr->start = (uint16_t)a;
    fr->to_end = p->tok.kind != TK_INT;
    if (fr->to_end)
        return 0;
    t = p->tok;
    if (take_uint(p, 0xffff, "a fragment's end for 'ip.frag'", &b) < 0)
        return -1;
    if (b <= a)
        return perr(p, &t, "a fragment ends after it starts: %llu:%llu", (unsigned long long)a,
                    (unsigned long long)b);
    fr->end = (uint16_t)b;
    return 0;
}

static int parse_mutation(struct parser *p, struct script_packet *pkt)
{
    struct token t = p->tok;
    struct raw_span s;
    struct script_mutation *m;
    int field;
    char ctx[48];

    if (t.kind != TK_WORD)
        return perr_expected(p, "mutation field");
    s = take_raw(p, is_field_char);
    if ((field = mut_lookup(p, s)) < 0)
        return -1;
    for (size_t i = 0; i < pkt->mut_count; i++) {
        if (pkt->muts[i].field == (enum script_mut_field)field)
            return perr_at(p, s.line, s.column, "mutation '%s' given twice", script_mut_table[field].name);
    }
    if (pkt->proto != SCRIPT_PROTO_TCP && script_mutation_is_tcp((enum script_mut_field)field))
        return perr_at(p, s.line, s.column, "mutation '%s' needs a TCP packet", script_mut_table[field].name);
    if ((m = push_elem(p, &pkt->muts, &pkt->mut_count, sizeof *m)) == NULL)
        return -1;
    m->field = (enum script_mut_field)field;
    m->line = s.line;
    m->column = s.column;
    snprintf(ctx, sizeof ctx, "after '%s'", script_mut_table[field].name);
    if (expect_punct(p, '=', ctx) < 0)
        return -1;
    if (script_mut_table[field].kind == SCRIPT_MUTV_FRAGS)
        return parse_frag_range(p, pkt);
    return parse_mut_value(p, m);
}

/* A comma followed by a number continues the ranges of ip.frag. */
static bool frag_continues(const struct parser *p, const struct script_packet *pkt)
{
    return p->tok.kind == TK_INT && pkt->mut_count &&
           pkt->muts[pkt->mut_count - 1].field == SCRIPT_MUT_IP_FRAG;
}

static int check_mutations(struct parser *p, const struct script_packet *pkt,
                           const struct token *open)
{
    bool frag = false, trunc = false;
    for (size_t i = 0; i < pkt->mut_count; i++) {
        frag |= pkt->muts[i].field == SCRIPT_MUT_IP_FRAG;
        trunc |= pkt->muts[i].field == SCRIPT_MUT_TRUNCATE;
    }
    return frag && trunc ? perr(p, open, "ip.frag and truncate cannot be combined") : 0;
}

/* packetdrill's fuzz parameters, { mut ip ihl; trun tcp 4 8 }: taken whole
 * up to the '}' (the runner skips such a vector). */
static int parse_fuzz_params(struct parser *p, struct script_packet *pkt, const struct token *open)
{
    pkt->fuzz_given = true;
    while (p->tok.kind != TK_EOF && p->tok.kind != TK_ERROR && !is_punct(p, '}'))
        advance(p);
    if (!is_punct(p, '}'))
        return perr(p, open, "unclosed '{' of fuzz parameters");
    advance(p);
    return 0;
}

static int parse_mutations(struct parser *p, struct script_packet *pkt)
{
    struct token open = p->tok;

    advance(p);
    if (is_word(p, "mut") || is_word(p, "ins") || is_word(p, "trun"))
        return parse_fuzz_params(p, pkt, &open);
    if (pkt->direction != SCRIPT_INBOUND)
        return perr(p, &open, "mutations can only be applied to inbound packets");
    for (;;) {
        if ((frag_continues(p, pkt) ? parse_frag_range(p, pkt) : parse_mutation(p, pkt)) < 0)
            return -1;
        if (is_punct(p, '}')) {
            advance(p);
            return check_mutations(p, pkt, &open);
        }
        if (!is_punct(p, ','))
            return perr_expected(p, "',' or '}' in mutation list");
        advance(p);
    }
}

/* ---- ICMP --------------------------------------------------------------------------------- */

/* type_N / code_N */
static bool numbered_name(const struct parser *p, const char *prefix, uint8_t *out)
{
    size_t n = strlen(prefix), len = p->tok.end - p->tok.start;
    const char *s = p->buf + p->tok.start;
    unsigned v = 0;

    if (p->tok.kind != TK_WORD || len <= n || len > n + 3 || memcmp(s, prefix, n) != 0)
        return false;
    for (size_t i = n; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = (uint8_t)v;
    return v <= 255;
}

static int parse_icmp_type_code(struct parser *p, struct script_icmp *ic)
{
    struct token t = p->tok;

    if (!numbered_name(p, "type_", &ic->type) &&
        (t.kind != TK_WORD || !script_icmp_type_lookup(p->buf + t.start, t.end - t.start, &ic->type)))
        return t.kind == TK_WORD ? perr(p, &t, "unknown ICMP type %s", tok_describe(p, &t))
                                 : perr_expected(p, "ICMP type");
    advance(p);
    if (p->tok.kind != TK_WORD || is_word(p, "mtu") || is_word(p, "id"))
        return 0;
    t = p->tok;
    const char *def = define_value(p, p->buf + t.start, t.end - t.start); /* -D CODE=... */
    if (def != NULL && script_icmp_code_lookup(ic->type, def, strlen(def), &ic->code)) {
        advance(p);
        return 0;
    }
    if (!numbered_name(p, "code_", &ic->code) &&
        !script_icmp_code_lookup(ic->type, p->buf + t.start, t.end - t.start, &ic->code))
        return perr(p, &t, "unknown ICMP code %s for type '%s'", tok_describe(p, &t),
                    script_icmp_type_name(ic->type) ? script_icmp_type_name(ic->type) : "type_N");
    advance(p);
    return 0;
}

/* [start:end(len)], [udp (N)] or [raw (N)] */
static int parse_icmp_echoed(struct parser *p, struct script_icmp *ic)
{
    uint64_t n;

    advance(p);
    ic->echoed_given = true;
    if (is_word(p, "udp") || is_word(p, "raw")) {
        ic->echoed = is_word(p, "udp") ? SCRIPT_ICMP_ECHO_UDP : SCRIPT_ICMP_ECHO_RAW;
        advance(p);
        if (expect_punct(p, '(', "after echoed protocol") < 0 ||
            take_uint(p, 0xffff, "echoed length", &n) < 0 ||
            expect_punct(p, ')', "after echoed length") < 0)
            return -1;
        ic->len = (uint16_t)n;
    } else if (parse_seq(p, &ic->seq_start, &ic->seq_end, &ic->len) < 0)
        return -1;
    return expect_punct(p, ']', "after the echoed packet");
}

static int parse_icmp(struct parser *p, struct script_packet *pkt)
{
    struct script_icmp *ic = &pkt->icmp;
    uint64_t v;

    pkt->proto = SCRIPT_PROTO_ICMP;
    advance(p);
    if (parse_icmp_type_code(p, ic) < 0)
        return -1;
    if (is_word(p, "mtu")) {
        if (ic->type != 3 || ic->code != 4)
            return perr(p, &p->tok, "ICMP mtu is only valid for unreachable frag_needed");
        advance(p);
        if (take_uint(p, 0xffff, "integer after 'mtu'", &v) < 0)
            return -1;
        ic->mtu_given = true;
        ic->mtu = (uint16_t)v;
    }
    if (is_word(p, "id")) {
        advance(p);
        if (take_uint(p, 0xffff, "integer after 'id'", &v) < 0)
            return -1;
        ic->id_given = true;
        ic->echo_id = (uint16_t)v;
    }
    if (is_punct(p, '[') && parse_icmp_echoed(p, ic) < 0)
        return -1;
    return is_punct(p, '{') ? parse_mutations(p, pkt) : 0;
}

/* ---- the packet line ------------------------------------------------------------------------ */

static int parse_ports(struct parser *p, struct script_packet *pkt)
{
    uint64_t s, d;

    if (take_uint(p, 0xffff, "source port", &s) < 0 ||
        expect_punct(p, '>', "between source and destination ports") < 0 ||
        take_uint(p, 0xffff, "destination port", &d) < 0)
        return -1;
    pkt->ports_given = true;
    pkt->sport = (uint16_t)s;
    pkt->dport = (uint16_t)d;
    return 0;
}

/* `udp [SPORT>DPORT] (LEN)` (packetdrill's udp_packet_spec). */
static int parse_udp(struct parser *p, struct script_packet *pkt)
{
    uint64_t n;

    pkt->proto = SCRIPT_PROTO_UDP;
    if (pkt->ip.ecn != SCRIPT_ECN_UNSPEC)
        return perr(p, &p->tok, "ECN can only be used with TCP packets");
    advance(p);
    if (p->tok.kind == TK_INT && parse_ports(p, pkt) < 0)
        return -1;
    if (expect_punct(p, '(', "before the UDP payload length") < 0 ||
        take_uint(p, 0xffff, "UDP payload length", &n) < 0 ||
        expect_punct(p, ')', "after the UDP payload length") < 0)
        return -1;
    pkt->udp_len = (uint16_t)n;
    return 0;
}

/* An encapsulation prefix (packetdrill's packet_prefix): `ipv4 [ip info]
 * A > B:`, `ipv6 ... A > B:`, `gre [flags ...]:`, `mpls (label N, tc N,
 * [S], ttl N) ...:`. Taken whole up to its ':' on the line; the runner
 * skips such a vector (encapsulation is not built). */
static int parse_encap_addrs(struct parser *p, struct script_packet *pkt, bool v6)
{
    enum tok_kind want = v6 ? TK_IPV6 : TK_IPV4;
    struct script_ip_info outer = pkt->ip;

    if ((is_punct(p, '[') || is_punct(p, '(')) && parse_ip_info(p, pkt) < 0)
        return -1;
    pkt->ip = outer; /* the outer header's IP info is not kept */
    if (p->tok.kind != want)
        return perr_expected(p, v6 ? "an IPv6 source address" : "an IPv4 source address");
    advance(p);
    if (expect_punct(p, '>', "between the encapsulation's addresses") < 0)
        return -1;
    if (p->tok.kind != want)
        return perr_expected(p, v6 ? "an IPv6 destination address" : "an IPv4 destination address");
    advance(p);
    return expect_punct(p, ':', "after the encapsulation header");
}

/* PSP's header fields after `psp`: spi N [, vc N]. */
static int parse_psp_fields(struct parser *p, struct script_packet *pkt)
{
    pkt->psp = true;
    if (!is_word(p, "spi"))
        return perr_expected(p, "'spi' after 'psp'");
    advance(p);
    if (p->tok.kind != TK_INT || p->tok.num < 0 || p->tok.num > 0xffffffffLL)
        return perr_expected(p, "a 32-bit SPI after 'spi'");
    advance(p);
    if (!is_punct(p, ','))
        return 0;
    advance(p);
    if (!is_word(p, "vc"))
        return perr_expected(p, "'vc' after 'spi N,'");
    advance(p);
    if (p->tok.kind != TK_INT)
        return perr_expected(p, "a virtualization cookie after 'vc'");
    advance(p);
    return 0;
}

static int parse_encap(struct parser *p, struct script_packet *pkt)
{
    struct token t = p->tok;
    unsigned line = t.line;

    pkt->encap = true;
    advance(p);
    if (text_is(p, &t, "encap")) { /* transport mode: no ':' before the TCP header */
        if (!is_word(p, "psp"))
            return perr_expected(p, "'psp' after 'encap'");
        advance(p);
        return parse_psp_fields(p, pkt);
    }
    if (text_is(p, &t, "psp")) /* tunnel mode, after an ipv4/ipv6 header */
        return parse_psp_fields(p, pkt) < 0 ? -1 : expect_punct(p, ':', "after the PSP header");
    if (text_is(p, &t, "ipv4") || text_is(p, &t, "ipv6"))
        return parse_encap_addrs(p, pkt, text_is(p, &t, "ipv6"));
    while (p->tok.kind != TK_EOF && p->tok.kind != TK_ERROR && p->tok.line == line &&
           !is_punct(p, ':'))
        advance(p);
    if (!is_punct(p, ':'))
        return perr(p, &t, "encapsulation %s without its ':' on the same line", tok_describe(p, &t));
    advance(p);
    return 0;
}

static bool at_encap(const struct parser *p)
{
    static const char *const encaps[] = { "ipv4", "ipv6", "gre", "GREv0", "mpls", "psp",
                                          "encap" };

    for (size_t i = 0; i < sizeof encaps / sizeof encaps[0]; i++) {
        if (is_word(p, encaps[i]))
            return true;
    }
    return false;
}

/* packetdrill's optional "SPORT>DPORT" before the flags: an integer and '>'. */
static bool ports_ahead(const struct parser *p)
{
    size_t i = p->tok.end;

    if (p->tok.kind != TK_INT)
        return false;
    while (i < p->len && (p->buf[i] == ' ' || p->buf[i] == '\t'))
        i++;
    return i < p->len && p->buf[i] == '>';
}

static int parse_tcp(struct parser *p, struct script_packet *pkt, const struct token *dir)
{
    if (ports_ahead(p) && parse_ports(p, pkt) < 0)
        return -1;
    if (parse_flags(p, pkt) < 0)
        return -1;
    if (is_word(p, SCRIPT_WND_EDGE)) {
        if (pkt->direction != SCRIPT_INBOUND)
            return perr(p, &p->tok, "%s is for packets the script sends: an outbound line "
                        "gives the stack's own numbers", SCRIPT_WND_EDGE);
        if (parse_seq_edge(p, pkt) < 0)
            return -1;
    } else if (parse_seq(p, &pkt->seq_start, &pkt->seq_end, &pkt->seq_len) < 0)
        return -1;
    if (parse_tcp_fields(p, pkt) < 0)
        return -1;
    if (is_punct(p, '<') && parse_tcp_options(p, pkt) < 0)
        return -1;
    if (pkt->direction == SCRIPT_INBOUND && !pkt->win_given)
        return perr(p, dir, "window must be specified for inbound packets");
    return is_punct(p, '{') ? parse_mutations(p, pkt) : 0;
}

/* addr[NAME]: an address packetdrill's MPTCP tests name (caddr0, saddr1). */
static int parse_addr_name(struct parser *p)
{
    if (!is_word(p, "addr"))
        return perr_expected(p, "addr[NAME]");
    advance(p);
    if (expect_punct(p, '[', "after 'addr'") < 0)
        return -1;
    if (p->tok.kind != TK_WORD)
        return perr_expected(p, "an address name in addr[...]");
    advance(p);
    return expect_punct(p, ']', "after the address name");
}

/* The subflow addresses of packetdrill's MPTCP tests, before the flags:
 * `addr[SRC] > addr[DST]` or `> addr[DST]` (the source left to the default). */
static int parse_mptcp_addrs(struct parser *p, struct script_packet *pkt)
{
    pkt->mptcp_addrs = true;
    if (!is_punct(p, '>') && parse_addr_name(p) < 0)
        return -1;
    if (expect_punct(p, '>', "between the addr[...] of a subflow") < 0)
        return -1;
    return parse_addr_name(p);
}

int parse_packet(struct parser *p, struct script_event *ev)
{
    struct script_packet *pkt = &ev->packet;
    struct token dir = p->tok;

    pkt->direction = is_punct(p, '<') ? SCRIPT_INBOUND : SCRIPT_OUTBOUND;
    advance(p);
    if ((is_punct(p, '[') || is_punct(p, '(')) && parse_ip_info(p, pkt) < 0)
        return -1;
    if (pkt->ip.ecn == SCRIPT_ECN_ECT01 && pkt->direction == SCRIPT_INBOUND)
        return perr(p, &dir, "[ect01] can only be used with outbound packets");
    while (at_encap(p)) {
        if (parse_encap(p, pkt) < 0)
            return -1;
        if (!pkt->ip_given && (is_punct(p, '[') || is_punct(p, '(')) && parse_ip_info(p, pkt) < 0)
            return -1;
    }
    if (is_word(p, "icmp"))
        return parse_icmp(p, pkt);
    if (is_word(p, "udp"))
        return parse_udp(p, pkt);
    if ((is_word(p, "addr") || is_punct(p, '>')) && parse_mptcp_addrs(p, pkt) < 0)
        return -1;
    return parse_tcp(p, pkt, &dir);
}

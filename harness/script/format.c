/* script/format.c: print packets, syscalls and expressions back in script
 * syntax, for "expected" in failure messages and the report's ladder.
 *
 * What is printed parses back to the same AST (tests check it). Flags are
 * printed in packetdrill's order with '.' last ("SE.", "FP."), since
 * packetdrill's grammar only takes '.' at the end.
 */
#include <stdarg.h>
#include <stdio.h>

#include "script/parse.h"

/* snprintf-style accumulation: len counts everything, buf gets what fits. */
struct sbuf {
    char *buf;
    size_t cap;
    size_t len;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
    va_list ap;
    size_t room = sb->len < sb->cap ? sb->cap - sb->len : 0;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room ? sb->buf + sb->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        sb->len += (size_t)n;
}

static int sb_done(struct sbuf *sb)
{
    if (sb->cap > 0 && sb->len >= sb->cap)
        sb->buf[sb->cap - 1] = '\0';
    else if (sb->cap > 0)
        sb->buf[sb->len] = '\0';
    return sb->len > (size_t)INT32_MAX ? INT32_MAX : (int)sb->len;
}

/* ---- packets ----------------------------------------------------------------------- */

static void fmt_ip(struct sbuf *sb, const struct script_ip_info *ip)
{
    static const char *const ecn[] = { "", "noecn", "ect1", "ect0", "ce", "ect01" };
    const char *sep = "";

    sb_printf(sb, " [");
    if (ip->ecn != SCRIPT_ECN_UNSPEC && (unsigned)ip->ecn < sizeof ecn / sizeof ecn[0]) {
        sb_printf(sb, "%s", ecn[ip->ecn]);
        sep = ", ";
    }
    if (ip->tos_given) {
        sb_printf(sb, "%stos 0x%02x", sep, ip->tos);
        sep = ", ";
    }
    if (ip->ttl_given)
        sb_printf(sb, "%sttl %u", sep, ip->ttl);
    sb_printf(sb, "]");
}

/* The flags, AccECN's AE as 'A' after W (an ACE value prints as its bits). */
static void fmt_flags(struct sbuf *sb, uint8_t flags, bool ae)
{
    static const struct {
        uint8_t bit;
        char c;
    } order[] = {
        { SYNACK_TCP_FIN, 'F' }, { SYNACK_TCP_SYN, 'S' }, { SYNACK_TCP_RST, 'R' },
        { SYNACK_TCP_PSH, 'P' }, { SYNACK_TCP_URG, 'U' }, { SYNACK_TCP_ECE, 'E' },
        { SYNACK_TCP_CWR, 'W' }, { SYNACK_TCP_ACK, '.' },
    };

    sb_printf(sb, " ");
    if (flags == 0 && !ae)
        sb_printf(sb, "-");
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (order[i].bit == SYNACK_TCP_ACK && ae)
            sb_printf(sb, "A");
        if (flags & order[i].bit)
            sb_printf(sb, "%c", order[i].c);
    }
}

static void fmt_option(struct sbuf *sb, const struct script_tcp_option *o)
{
    switch (o->type) {
    case SCRIPT_OPT_EOL: sb_printf(sb, "eol"); break;
    case SCRIPT_OPT_NOP: sb_printf(sb, "nop"); break;
    case SCRIPT_OPT_MSS: sb_printf(sb, "mss %u", o->mss); break;
    case SCRIPT_OPT_WSCALE: sb_printf(sb, "wscale %u", o->wscale); break;
    case SCRIPT_OPT_SACK_PERM: sb_printf(sb, "sackOK"); break;
    case SCRIPT_OPT_TS: sb_printf(sb, "TS val %u ecr %u", o->ts_val, o->ts_ecr); break;
    case SCRIPT_OPT_SACK:
        sb_printf(sb, "sack");
        for (unsigned i = 0; i < o->sack_count && i < SYNACK_SACK_MAX; i++)
            sb_printf(sb, " %u:%u", o->sack[i].left, o->sack[i].right);
        break;
    case SCRIPT_OPT_FASTOPEN:
    case SCRIPT_OPT_FASTOPEN_EXP:
    case SCRIPT_OPT_MD5:
        sb_printf(sb, "%s%s", o->type == SCRIPT_OPT_FASTOPEN ? "FO"
                              : o->type == SCRIPT_OPT_MD5 ? "md5" : "FOEXP",
                  o->data_len ? " " : "");
        for (unsigned i = 0; i < o->data_len && i < SCRIPT_OPT_DATA_MAX; i++)
            sb_printf(sb, "%02x", o->data[i]);
        break;
    case SCRIPT_OPT_ACCECN: {
        static const char *const order[2][3] = {{"e0b", "ceb", "e1b"}, {"e1b", "ceb", "e0b"}};
        unsigned which = o->kind == SCRIPT_TCPOPT_ACCECN1;
        sb_printf(sb, "ECN");
        for (unsigned i = 0; i < 3 && 3 * i + 2 < o->data_len; i++)
            sb_printf(sb, " %s %u", order[which][i],
                      (unsigned)o->data[3 * i] << 16 | (unsigned)o->data[3 * i + 1] << 8 |
                          o->data[3 * i + 2]);
        break;
    }
    case SCRIPT_OPT_MPTCP:
        sb_printf(sb, "%s", o->text ? o->text : "mpcapable");
        break;
    case SCRIPT_OPT_GENERIC:
        sb_printf(sb, "kind %u", o->kind);
        if (o->len_given)
            sb_printf(sb, " len %u", o->len);
        if (o->data_len > 0)
            sb_printf(sb, " data ");
        for (unsigned i = 0; i < o->data_len && i < SCRIPT_OPT_DATA_MAX; i++)
            sb_printf(sb, "%02x", o->data[i]);
        break;
    }
}

static void fmt_options(struct sbuf *sb, const struct script_packet *pkt)
{
    if (pkt->opts_mode == SCRIPT_OPTS_ANY) {
        sb_printf(sb, " <...>");
        return;
    }
    if (pkt->opts_mode != SCRIPT_OPTS_LIST)
        return;
    sb_printf(sb, " <");
    for (size_t i = 0; i < pkt->opt_count; i++) {
        if (i > 0)
            sb_printf(sb, ",");
        fmt_option(sb, &pkt->opts[i]);
    }
    sb_printf(sb, ">");
}

/* wnd_edge-1:wnd_edge+9(10) (extension (7)) */
static void fmt_edge_term(struct sbuf *sb, uint32_t off)
{
    int32_t o = (int32_t)off;
    sb_printf(sb, "%s", SCRIPT_WND_EDGE);
    if (o != 0)
        sb_printf(sb, "%+d", (int)o);
}

static void fmt_seq_edge(struct sbuf *sb, const struct script_packet *pkt)
{
    sb_printf(sb, " ");
    fmt_edge_term(sb, pkt->seq_start);
    sb_printf(sb, ":");
    fmt_edge_term(sb, pkt->seq_end);
    sb_printf(sb, "(%u)", pkt->seq_len);
}

static void fmt_tcp(struct sbuf *sb, const struct script_packet *pkt)
{
    if (pkt->ports_given)
        sb_printf(sb, " %u>%u", pkt->sport, pkt->dport);
    fmt_flags(sb, pkt->flags, pkt->ae);
    if (pkt->seq_edge)
        fmt_seq_edge(sb, pkt);
    else
        sb_printf(sb, " %u:%u(%u)", pkt->seq_start, pkt->seq_end, pkt->seq_len);
    if (pkt->ack_given)
        sb_printf(sb, " ack %u", pkt->ack);
    if (pkt->win_given)
        sb_printf(sb, " win %u", pkt->win);
    if (pkt->urg_given)
        sb_printf(sb, " urg %u", pkt->urg);
    fmt_options(sb, pkt);
}

static void fmt_icmp(struct sbuf *sb, const struct script_icmp *ic)
{
    const char *type = script_icmp_type_name(ic->type);
    const char *code = script_icmp_code_name(ic->type, ic->code);

    if (type)
        sb_printf(sb, " icmp %s", type);
    else
        sb_printf(sb, " icmp type_%u", ic->type);
    if (code)
        sb_printf(sb, " %s", code);
    else if (ic->code != 0)
        sb_printf(sb, " code_%u", ic->code);
    if (ic->mtu_given)
        sb_printf(sb, " mtu %u", ic->mtu);
    if (ic->id_given)
        sb_printf(sb, " id %u", ic->echo_id);
    if (!ic->echoed_given)
        return;
    if (ic->echoed == SCRIPT_ICMP_ECHO_TCP)
        sb_printf(sb, " [%u:%u(%u)]", ic->seq_start, ic->seq_end, ic->len);
    else
        sb_printf(sb, " [%s (%u)]", ic->echoed == SCRIPT_ICMP_ECHO_UDP ? "udp" : "raw", ic->len);
}

static void fmt_frags(struct sbuf *sb, const struct script_packet *pkt)
{
    for (size_t i = 0; i < pkt->frag_count; i++) {
        sb_printf(sb, "%s%u:", i ? "," : "", pkt->frags[i].start);
        if (!pkt->frags[i].to_end)
            sb_printf(sb, "%u", pkt->frags[i].end);
    }
}

static void fmt_mutations(struct sbuf *sb, const struct script_packet *pkt)
{
    if (pkt->mut_count == 0)
        return;
    sb_printf(sb, " {");
    for (size_t i = 0; i < pkt->mut_count; i++) {
        const struct script_mutation *m = &pkt->muts[i];
        enum script_mut_value kind = (unsigned)m->field < SCRIPT_MUT_COUNT
                                         ? script_mut_table[m->field].kind : SCRIPT_MUTV_NUM;
        sb_printf(sb, "%s%s=", i ? ", " : "", script_mutation_name(m->field));
        if (kind == SCRIPT_MUTV_FRAGS)
            fmt_frags(sb, pkt);
        else if (m->bad)
            sb_printf(sb, "bad");
        else if (kind == SCRIPT_MUTV_ADDR)
            sb_printf(sb, "%u.%u.%u.%u", m->value >> 24, (m->value >> 16) & 0xff,
                      (m->value >> 8) & 0xff, m->value & 0xff);
        else if (kind == SCRIPT_MUTV_HEX)
            for (uint32_t k = 0; k < m->value && k < sizeof m->data; k++)
                sb_printf(sb, "%02x", m->data[k]);
        else
            sb_printf(sb, "%u", m->value);
    }
    sb_printf(sb, "}");
}

int script_packet_format(const struct script_packet *pkt, char *buf, size_t len)
{
    struct sbuf sb = { buf, len, 0 };

    sb_printf(&sb, "%c", pkt->direction == SCRIPT_INBOUND ? '<' : '>');
    if (pkt->ip_given)
        fmt_ip(&sb, &pkt->ip);
    if (pkt->proto == SCRIPT_PROTO_ICMP)
        fmt_icmp(&sb, &pkt->icmp);
    else if (pkt->proto == SCRIPT_PROTO_UDP) {
        sb_printf(&sb, " udp");
        if (pkt->ports_given)
            sb_printf(&sb, " %u>%u", pkt->sport, pkt->dport);
        sb_printf(&sb, " (%u)", pkt->udp_len);
    } else
        fmt_tcp(&sb, pkt);
    fmt_mutations(&sb, pkt);
    return sb_done(&sb);
}

/* ---- expressions and syscalls --------------------------------------------------------- */

static void fmt_expr(struct sbuf *sb, const struct script_expr *e);

static void fmt_items(struct sbuf *sb, const struct script_expr *e, const char *sep)
{
    for (size_t i = 0; i < e->count; i++) {
        if (i > 0)
            sb_printf(sb, "%s", sep);
        fmt_expr(sb, e->items[i]);
    }
}

static void fmt_expr(struct sbuf *sb, const struct script_expr *e)
{
    if (e == NULL)
        return;
    switch (e->kind) {
    case SCRIPT_EXPR_ELLIPSIS: sb_printf(sb, "..."); break;
    case SCRIPT_EXPR_INT:
        if (e->hex && e->num >= 0)
            sb_printf(sb, "0x%llx", (unsigned long long)e->num);
        else
            sb_printf(sb, "%lld", (long long)e->num);
        break;
    case SCRIPT_EXPR_STRING: sb_printf(sb, "\"%s\"%s", e->str ? e->str : "", e->prefix ? "..." : ""); break;
    case SCRIPT_EXPR_SYMBOL: sb_printf(sb, "%s", e->str ? e->str : ""); break;
    case SCRIPT_EXPR_OR: fmt_items(sb, e, "|"); break;
    case SCRIPT_EXPR_ASSIGN:
        fmt_expr(sb, e->lhs);
        sb_printf(sb, "=");
        fmt_expr(sb, e->rhs);
        break;
    case SCRIPT_EXPR_ARRAY: sb_printf(sb, "["); fmt_items(sb, e, ", "); sb_printf(sb, "]"); break;
    case SCRIPT_EXPR_STRUCT: sb_printf(sb, "{"); fmt_items(sb, e, ", "); sb_printf(sb, "}"); break;
    case SCRIPT_EXPR_CALL:
        sb_printf(sb, "%s(", e->str ? e->str : "");
        fmt_items(sb, e, ", ");
        sb_printf(sb, ")");
        break;
    }
}

int script_expr_format(const struct script_expr *e, char *buf, size_t len)
{
    struct sbuf sb = { buf, len, 0 };
    fmt_expr(&sb, e);
    return sb_done(&sb);
}

int script_syscall_format(const struct script_syscall *sc, char *buf, size_t len)
{
    struct sbuf sb = { buf, len, 0 };

    sb_printf(&sb, "%s(", sc->name ? sc->name : "");
    for (size_t i = 0; i < sc->arg_count; i++) {
        if (i > 0)
            sb_printf(&sb, ", ");
        fmt_expr(&sb, sc->args[i]);
    }
    sb_printf(&sb, ") = ");
    fmt_expr(&sb, sc->result);
    if (sc->errno_name)
        sb_printf(&sb, " %s", sc->errno_name);
    if (sc->note)
        sb_printf(&sb, " (%s)", sc->note);
    return sb_done(&sb);
}

/* TCP options: walk, decode, encode (RFC 9293 3.1-3.2, RFC 7323, RFC 2018).
 * Options are processed at any alignment (MUST-64); kinds other than EOL and
 * NOP carry a length (MUST-68) and unknown kinds are skipped by it (MUST-6);
 * an illegal length is a specific error (MUST-7). */
#include <string.h>

#include "wire_err.h"
#include "util/mutant.h"

int synack_tcp_opt_next(const uint8_t *opts, size_t len, size_t *off,
                        struct synack_tcp_opt *opt, struct synack_wire_error *err)
{
    size_t o = *off;
    if (o >= len)
        return 0;
    opt->kind = opts[o];
    opt->offset = (uint8_t)o;
    opt->data = NULL;
    if (opt->kind == TCPOPT_EOL || opt->kind == TCPOPT_NOP) {
        opt->len = 1;
        /* RFC 9293 3.1: EOL ends the list; what follows is padding */
        *off = opt->kind == TCPOPT_EOL ? len : o + 1;
        return 1;
    }
    if (o + 1 >= len) {
        wire_fail(err, WIRE_ETCP_OPT_TRUNCATED, o);
        return -1;
    }
    uint8_t l = opts[o + 1];
    if (l == 0 || l == 1) {
        wire_fail(err, l == 0 ? WIRE_ETCP_OPTLEN_ZERO : WIRE_ETCP_OPTLEN_ONE, o + 1);
        return -1;
    }
    if (o + l > len) {
        wire_fail(err, WIRE_ETCP_OPTLEN_OVERRUN, o + 1);
        return -1;
    }
    opt->len = l;
    opt->data = opts + o + 2;
    *off = o + l;
    return 1;
}

/* Check the length of a known kind; 0 if it fits, else the error code. */
static enum synack_wire_err opt_len_check(const struct synack_tcp_opt *opt)
{
    switch (opt->kind) {
    case TCPOPT_MSS:
        return opt->len == 4 ? WIRE_OK : WIRE_ETCP_MSS_LEN;
    case TCPOPT_WSCALE:
        return opt->len == 3 ? WIRE_OK : WIRE_ETCP_WSCALE_LEN;
    case TCPOPT_SACK_PERM:
        return opt->len == 2 ? WIRE_OK : WIRE_ETCP_SACKOK_LEN;
    case TCPOPT_SACK:
        return (opt->len >= 10 && opt->len <= 34 && (opt->len - 2) % 8 == 0) ? WIRE_OK
                                                                              : WIRE_ETCP_SACK_LEN;
    case TCPOPT_TIMESTAMP:
        return opt->len == 10 ? WIRE_OK : WIRE_ETCP_TS_LEN;
    default:
        return WIRE_OK;
    }
}

static uint32_t opt_flag(uint8_t kind)
{
    switch (kind) {
    case TCPOPT_MSS: return TCPOPT_F_MSS;
    case TCPOPT_WSCALE: return TCPOPT_F_WSCALE;
    case TCPOPT_SACK_PERM: return TCPOPT_F_SACK_PERM;
    case TCPOPT_SACK: return TCPOPT_F_SACK;
    case TCPOPT_TIMESTAMP: return TCPOPT_F_TS;
    case TCPOPT_FASTOPEN: return TCPOPT_F_FASTOPEN;
    default: return 0;
    }
}

static void opt_decode(const struct synack_tcp_opt *opt, struct synack_tcp_opts *o)
{
    switch (opt->kind) {
    case TCPOPT_MSS:
        o->mss = synack_get16(opt->data);
        break;
    case TCPOPT_WSCALE:
        o->wscale = opt->data[0];
        break;
    case TCPOPT_SACK:
        o->sack_count = (uint8_t)((opt->len - 2) / 8);
        for (unsigned i = 0; i < o->sack_count; i++) {
            o->sack[i].left = synack_get32(opt->data + 8 * i);
            o->sack[i].right = synack_get32(opt->data + 8 * i + 4);
        }
        break;
    case TCPOPT_TIMESTAMP:
        o->ts_val = synack_get32(opt->data);
        o->ts_ecr = synack_get32(opt->data + 4);
        break;
    case TCPOPT_FASTOPEN: /* the cookie's validity is TCP's to judge */
        o->tfo_len = (uint8_t)(opt->len - 2);
        memcpy(o->tfo_cookie, opt->data, o->tfo_len);
        break;
    default:
        break;
    }
}

int synack_tcp_opts_parse(const uint8_t *opts, size_t len, struct synack_tcp_opts *o,
                          struct synack_wire_error *err)
{
    memset(o, 0, sizeof *o);
    size_t off = 0;
    struct synack_tcp_opt opt;
    struct synack_wire_error e_walk = {WIRE_OK, 0};
    int r;
    /* at: offset of the option just returned (opt.offset is only 8 bits) */
    for (size_t at = 0; (r = synack_tcp_opt_next(opts, len, &off, &opt, &e_walk)) == 1; at = off) {
        if (opt.kind == TCPOPT_EOL) {
            o->present |= TCPOPT_F_EOL;
            o->eol_offset = opt.offset;
            for (size_t i = at + 1; i < len; i++)
                if (opts[i] != 0)
                    o->present |= TCPOPT_F_PAD_NONZERO;
            return WIRE_OK;
        }
        if (opt.kind == TCPOPT_NOP)
            continue;
        enum synack_wire_err e = opt_len_check(&opt);
        if (e != WIRE_OK)
            return wire_fail(err, e, opt.offset + 1u);
        uint32_t f = opt_flag(opt.kind);
        if (f == TCPOPT_F_FASTOPEN && opt.len > 2 + SYNACK_TFO_COOKIE_MAX)
            f = 0; /* longer than any cookie: an option we do not know */
        if (f == 0 && MUTANT(unknown_option_ends_list))
            return WIRE_OK;
        if (f == 0) {
            if (o->unknown_count < UINT8_MAX)
                o->unknown_count++;
            continue;
        }
        if (o->present & f) { /* first occurrence wins */
            o->dup |= f;
            continue;
        }
        o->present |= f;
        opt_decode(&opt, o);
    }
    return r == 0 ? WIRE_OK : wire_fail(err, e_walk.code, e_walk.offset);
}

size_t synack_tcp_opt_put(uint8_t *buf, size_t cap, const struct synack_tcp_opt *opt,
                          struct synack_wire_error *err)
{
    if (opt->kind == TCPOPT_EOL || opt->kind == TCPOPT_NOP) {
        if (cap < 1) {
            wire_fail(err, WIRE_EBUILD_SPACE, 0);
            return 0;
        }
        buf[0] = opt->kind;
        return 1;
    }
    if (opt->len < 2) {
        wire_fail(err, WIRE_EBUILD_FIELD, 1);
        return 0;
    }
    if (cap < opt->len) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    buf[0] = opt->kind;
    buf[1] = opt->len;
    if (opt->len > 2)
        memcpy(buf + 2, opt->data, opt->len - 2u);
    return opt->len;
}

/* Bytes the Linux layout needs for the options present in o. */
static size_t opts_build_len(const struct synack_tcp_opts *o)
{
    size_t n = 0;
    if (o->present & TCPOPT_F_MSS)
        n += 4;
    if (o->present & TCPOPT_F_TS)
        n += 12; /* SACK-perm or NOP NOP, then TS */
    else if (o->present & TCPOPT_F_SACK_PERM)
        n += 4;
    if (o->present & TCPOPT_F_WSCALE)
        n += 4;
    if ((o->present & TCPOPT_F_SACK) && o->sack_count)
        n += 4 + 8u * o->sack_count;
    if (o->present & TCPOPT_F_FASTOPEN)
        n += (2u + o->tfo_len + 3u) & ~3u;
    return n;
}

size_t synack_tcp_opts_build(uint8_t *buf, size_t cap, const struct synack_tcp_opts *o,
                             struct synack_wire_error *err)
{
    size_t need = opts_build_len(o);
    if (need > SYNACK_TCP_OPT_MAX || o->sack_count > SYNACK_SACK_MAX ||
        o->tfo_len > SYNACK_TFO_COOKIE_MAX) {
        wire_fail(err, WIRE_EBUILD_OPTSPACE, 0);
        return 0;
    }
    if (need > cap) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    uint8_t *p = buf;
    if (o->present & TCPOPT_F_MSS) {
        p[0] = TCPOPT_MSS, p[1] = 4;
        synack_put16(p + 2, o->mss);
        p += 4;
    }
    if (o->present & TCPOPT_F_TS) {
        if (o->present & TCPOPT_F_SACK_PERM)
            p[0] = TCPOPT_SACK_PERM, p[1] = 2;
        else
            p[0] = TCPOPT_NOP, p[1] = TCPOPT_NOP;
        p[2] = TCPOPT_TIMESTAMP, p[3] = 10;
        synack_put32(p + 4, o->ts_val);
        synack_put32(p + 8, o->ts_ecr);
        p += 12;
    } else if (o->present & TCPOPT_F_SACK_PERM) {
        p[0] = TCPOPT_NOP, p[1] = TCPOPT_NOP, p[2] = TCPOPT_SACK_PERM, p[3] = 2;
        p += 4;
    }
    if (o->present & TCPOPT_F_WSCALE) {
        p[0] = TCPOPT_NOP, p[1] = TCPOPT_WSCALE, p[2] = 3, p[3] = o->wscale;
        p += 4;
    }
    if ((o->present & TCPOPT_F_SACK) && o->sack_count) {
        p[0] = TCPOPT_NOP, p[1] = TCPOPT_NOP, p[2] = TCPOPT_SACK;
        p[3] = (uint8_t)(2 + 8 * o->sack_count);
        for (unsigned i = 0; i < o->sack_count; i++) {
            synack_put32(p + 4 + 8 * i, o->sack[i].left);
            synack_put32(p + 8 + 8 * i, o->sack[i].right);
        }
        p += 4 + 8u * o->sack_count;
    }
    if (o->present & TCPOPT_F_FASTOPEN) { /* after the rest, NOP-padded, as Linux */
        p[0] = TCPOPT_FASTOPEN, p[1] = (uint8_t)(2 + o->tfo_len);
        memcpy(p + 2, o->tfo_cookie, o->tfo_len);
        p += 2 + o->tfo_len;
        while ((p - buf) % 4)
            *p++ = TCPOPT_NOP;
    }
    return (size_t)(p - buf);
}

/* IPv4 options (RFC 791 3.1): every option's length checked against the
 * header, record route, timestamp and source routes against their layout.
 * Well-formed options of other types are skipped by their length (RFC 1122
 * 3.2.1.8: ignored); nothing here acts on an option. */
#include <string.h>

#include "wire_err.h"

/* IPv4 options have the TLV shape of TCP's (EOL 0 and NOP 1 alone, every
 * other type followed by a length that counts type and length octets), so
 * TCP's walker walks them; its faults become the IPv4 ones. */
static enum synack_wire_err walk_fault(enum synack_wire_err tcp)
{
    switch (tcp) {
    case WIRE_ETCP_OPT_TRUNCATED: return WIRE_EIP_OPT_TRUNCATED;
    case WIRE_ETCP_OPTLEN_ZERO: return WIRE_EIP_OPTLEN_ZERO;
    case WIRE_ETCP_OPTLEN_ONE: return WIRE_EIP_OPTLEN_ONE;
    default: return WIRE_EIP_OPTLEN_OVERRUN;
    }
}

/* Does an area of entries of `entry` octets, starting at octet `first`
 * (1-based), have a whole entry at the pointer, or is it full (pointer past
 * the length)? RFC 791: room for less than a whole entry is an error. */
static bool pointer_ok(const struct synack_tcp_opt *opt, unsigned first, unsigned entry)
{
    unsigned ptr = opt->data[0];
    return ptr >= first && (ptr > opt->len || ptr + entry - 1u <= opt->len);
}

/* Record route, loose and strict source route: type, length, pointer
 * (at least 4), then 4-octet addresses. *at: the offending octet. */
static enum synack_wire_err route_check(const struct synack_tcp_opt *opt, size_t *at)
{
    if (opt->len < 3) {
        *at = opt->offset + 1u;
        return WIRE_EIP_OPT_ROUTE;
    }
    *at = opt->offset + 2u;
    return pointer_ok(opt, 4, 4) ? WIRE_OK : WIRE_EIP_OPT_ROUTE;
}

/* Internet timestamp: type, length, pointer (at least 5), oflw|flg, then
 * 4-octet timestamps (flg 0) or address and timestamp pairs (flg 1, 3). */
static enum synack_wire_err ts_check(const struct synack_tcp_opt *opt, size_t *at)
{
    if (opt->len < 4) {
        *at = opt->offset + 1u;
        return WIRE_EIP_OPT_TS;
    }
    *at = opt->offset + 2u;
    return pointer_ok(opt, 5, (opt->data[1] & 0x0fu) == 0 ? 4 : 8) ? WIRE_OK : WIRE_EIP_OPT_TS;
}

static struct synack_ipv4_optref optref(const struct synack_tcp_opt *opt)
{
    return (struct synack_ipv4_optref){opt->offset, opt->len, opt->data[0]};
}

/* Check one option of a known type and record it; each appears at most
 * once in a datagram (RFC 791), and so does a source route of either kind. */
static enum synack_wire_err opt_take(const struct synack_tcp_opt *opt,
                                     struct synack_ipv4_opts *o, size_t *at)
{
    uint32_t bit = opt->kind == SYNACK_IPOPT_RR   ? SYNACK_IPOPT_F_RR
                   : opt->kind == SYNACK_IPOPT_TS ? SYNACK_IPOPT_F_TS
                   : (opt->kind == SYNACK_IPOPT_LSRR || opt->kind == SYNACK_IPOPT_SSRR)
                       ? SYNACK_IPOPT_F_SRR
                       : 0;
    if (!bit) {
        o->unknown_count++;
        return WIRE_OK;
    }
    *at = opt->offset;
    if (o->present & bit)
        return WIRE_EIP_OPT_DUP;
    enum synack_wire_err e = bit == SYNACK_IPOPT_F_TS ? ts_check(opt, at) : route_check(opt, at);
    if (e != WIRE_OK)
        return e;
    o->present |= bit;
    if (bit == SYNACK_IPOPT_F_RR) {
        o->rr = optref(opt);
    } else if (bit == SYNACK_IPOPT_F_SRR) {
        o->srr = optref(opt);
        o->srr_kind = opt->kind;
    } else {
        o->ts = optref(opt);
        o->ts_flags = opt->data[1] & 0x0fu;
        o->ts_overflow = opt->data[1] >> 4;
    }
    return WIRE_OK;
}

int synack_ipv4_opts_parse(const uint8_t *opts, size_t len, struct synack_ipv4_opts *o,
                           struct synack_wire_error *err)
{
    memset(o, 0, sizeof *o);
    size_t off = 0, at = 0;
    struct synack_tcp_opt opt;
    struct synack_wire_error walk = {WIRE_OK, 0};
    int r;
    while ((r = synack_tcp_opt_next(opts, len, &off, &opt, &walk)) == 1) {
        if (opt.kind == SYNACK_IPOPT_EOL) {
            o->present |= SYNACK_IPOPT_F_EOL; /* the rest is padding (RFC 791) */
            return WIRE_OK;
        }
        if (opt.kind == SYNACK_IPOPT_NOP)
            continue;
        enum synack_wire_err e = opt_take(&opt, o, &at);
        if (e != WIRE_OK)
            return wire_fail(err, e, at);
    }
    return r < 0 ? wire_fail(err, walk_fault(walk.code), walk.offset) : WIRE_OK;
}

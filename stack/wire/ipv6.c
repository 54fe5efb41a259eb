/* IPv6 header parse and build and the walk of its extension header chain
 * (RFC 8200 3, 4). What a host does with what the walk finds (discard,
 * ICMPv6 Parameter Problem, reassembly) lives in stack/ip/, not here. */
#include <string.h>

#include "wire_err.h"

int synack_ipv6_parse(const uint8_t *buf, size_t len, unsigned flags, struct synack_ipv6 *out,
                      struct synack_wire_error *err)
{
    (void)flags; /* IPv6 has no header checksum (RFC 8200 3) */
    if (len < SYNACK_IPV6_HDR)
        return wire_fail(err, WIRE_EIP6_TRUNCATED, len);
    if ((buf[0] >> 4) != 6)
        return wire_fail(err, WIRE_EIP6_VERSION, 0);
    uint16_t plen = synack_get16(buf + 4);
    if (SYNACK_IPV6_HDR + plen > len)
        return wire_fail(err, WIRE_EIP6_PLEN_OVERRUN, 4);
    out->tclass = (uint8_t)((buf[0] << 4) | (buf[1] >> 4));
    out->flow = ((uint32_t)(buf[1] & 0x0fu) << 16) | synack_get16(buf + 2);
    out->plen = plen;
    out->next = buf[6];
    out->hop_limit = buf[7];
    memcpy(out->src, buf + 8, 16);
    memcpy(out->dst, buf + 24, 16);
    out->payload = buf + SYNACK_IPV6_HDR;
    out->payload_len = plen;
    return WIRE_OK;
}

size_t synack_ipv6_build(uint8_t *buf, size_t cap, const struct synack_ipv6 *h,
                         size_t payload_len, struct synack_wire_error *err)
{
    if (cap < SYNACK_IPV6_HDR) {
        wire_fail(err, WIRE_EBUILD_SPACE, 0);
        return 0;
    }
    if (payload_len > 65535u || h->flow > 0xfffffu) {
        wire_fail(err, WIRE_EBUILD_FIELD, payload_len > 65535u ? 4 : 1);
        return 0;
    }
    buf[0] = (uint8_t)(0x60 | (h->tclass >> 4));
    buf[1] = (uint8_t)((h->tclass << 4) | (h->flow >> 16));
    synack_put16(buf + 2, (uint16_t)h->flow);
    synack_put16(buf + 4, (uint16_t)payload_len);
    buf[6] = h->next;
    buf[7] = h->hop_limit;
    memcpy(buf + 8, h->src, 16);
    memcpy(buf + 24, h->dst, 16);
    return SYNACK_IPV6_HDR;
}

/* ---- the extension header chain ---- */

/* RFC 8200 4.2: the options of a hop-by-hop or destination options header,
 * [off, end) of pkt. Pad1 and PadN are padding; the action bits of any
 * other type the host does not know say what to do (00: skip it). */
static int walk_options(const uint8_t *pkt, size_t off, size_t end, struct synack_ipv6_chain *c,
                        struct synack_wire_error *err)
{
    while (off < end) {
        uint8_t type = pkt[off];
        if (type == 0) { /* Pad1 */
            off++;
            continue;
        }
        if (off + 2 > end)
            return wire_fail(err, WIRE_EIP6_OPT_TRUNCATED, off);
        if (off + 2u + pkt[off + 1] > end)
            return wire_fail(err, WIRE_EIP6_OPT_OVERRUN, off + 1);
        bool known = type == 1 /* PadN */ || type == 5 /* Router Alert, RFC 2711 */;
        if (!known && (type >> 6) && !c->opt_off) {
            c->opt_off = (uint16_t)off;
            c->opt_action = (uint8_t)(type >> 6);
        }
        off += 2u + pkt[off + 1];
    }
    return WIRE_OK;
}

/* One extension header of the generic shape (Next Header, Hdr Ext Len in
 * 8-octet units not counting the first 8) at off: its length, or 0 when it
 * runs past len. */
static size_t ext_len(const uint8_t *pkt, size_t len, size_t off)
{
    size_t n = off + 2 <= len ? (pkt[off + 1] + 1u) * 8u : 0;
    return off + n <= len ? n : 0;
}

static void chain_fragment(const uint8_t *pkt, size_t off, size_t ptr,
                           struct synack_ipv6_chain *c)
{
    uint16_t w = synack_get16(pkt + off + 2);
    c->frag = true;
    c->frag_hdr_off = (uint16_t)off;
    c->frag_ptr = (uint16_t)ptr;
    c->frag_offset = (uint16_t)(w & 0xfff8u); /* 13 bits of 8-octet units, shifted by 3 */
    c->frag_more = w & 1u;
    c->frag_id = synack_get32(pkt + off + 4);
}

/* The extension header of type nh at off: its length (0: it ends the walk,
 * *last: it is the last one walked), or a negative wire error. */
static long ext_header(const uint8_t *pkt, size_t len, uint8_t nh, size_t off, size_t ptr,
                       struct synack_ipv6_chain *c, bool *last, struct synack_wire_error *err)
{
    size_t n;
    switch (nh) {
    case SYNACK_IPPROTO_HOPOPTS:
        if (off != SYNACK_IPV6_HDR) /* RFC 8200 4.3: only right after the header */
            return -wire_fail(err, WIRE_EIP6_HBH_NOT_FIRST, ptr);
        c->hbh = true;
        /* fall through */
    case SYNACK_IPPROTO_DSTOPTS:
        if (!(n = ext_len(pkt, len, off)))
            return -wire_fail(err, WIRE_EIP6_EXT_TRUNCATED, off);
        int r = walk_options(pkt, off + 2, off + n, c, err);
        return r ? -r : (long)n;
    case SYNACK_IPPROTO_ROUTING:
        if (!(n = ext_len(pkt, len, off)))
            return -wire_fail(err, WIRE_EIP6_EXT_TRUNCATED, off);
        if (pkt[off + 3] == 0) /* RFC 8200 4.4: Segments Left 0, ignored */
            return (long)n;
        c->routing = true;
        c->rt_type = pkt[off + 2];
        c->rt_segleft = pkt[off + 3];
        c->rt_off = (uint16_t)off;
        return 0;
    case SYNACK_IPPROTO_FRAGMENT:
        if (off + 8 > len)
            return -wire_fail(err, WIRE_EIP6_EXT_TRUNCATED, off);
        chain_fragment(pkt, off, ptr, c);
        *last = c->frag_offset != 0; /* fragment data follows, not headers */
        return 8;
    default: /* an upper layer, or No Next Header (59) */
        return 0;
    }
}

int synack_ipv6_chain_parse(const uint8_t *pkt, size_t len, struct synack_ipv6_chain *c,
                            struct synack_wire_error *err)
{
    memset(c, 0, sizeof *c);
    if (len < SYNACK_IPV6_HDR)
        return wire_fail(err, WIRE_EIP6_TRUNCATED, len);
    size_t off = SYNACK_IPV6_HDR, ptr = 6;
    uint8_t nh = pkt[6];
    bool last = false;
    while (!last) {
        long n = ext_header(pkt, len, nh, off, ptr, c, &last, err);
        if (n < 0)
            return (int)-n;
        if (n == 0)
            break;
        c->count++;
        ptr = off;
        nh = pkt[off];
        off += (size_t)n;
    }
    c->proto = nh;
    c->l4_off = (uint16_t)off;
    c->proto_ptr = (uint16_t)ptr;
    return WIRE_OK;
}

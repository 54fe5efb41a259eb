/* Helpers shared by the wire unit tests; see wire_testutil.h. */
#include <stdlib.h>
#include <string.h>

#include "support/wire_testutil.h"

/* The checksums of this SYN were derived independently of synack, with
 * python3 (a plain sum of 16-bit big-endian words):
 *   tcp = struct.pack('!HHIIBBHHH', 45678, 80, 0x3a4b5c6d, 0, 0xa0, 0x02,
 *                     64240, 0, 0) + bytes.fromhex('020405b40402080a000f42400000000001030307')
 *   ph  = bytes([192,0,2,1, 198,51,100,2, 0,6]) + struct.pack('!H', len(tcp))
 *   s = sum(struct.unpack('!20H', ph + tcp)); fold carries; ~s & 0xffff -> 0xd511
 *   (and the same over the 20-octet IP header -> 0x323f)
 * and confirmed by tshark -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE
 * on a pcap of the packet: "Checksum: 0xd511 [correct]",
 * "Header Checksum: 0x323f [correct]". */
const char wt_syn_hex[] =
    "45 00 00 3c 1c 46 40 00 40 06 32 3f c0 00 02 01 c6 33 64 02"
    "b2 6e 00 50 3a 4b 5c 6d 00 00 00 00 a0 02 fa f0 d5 11 00 00"
    "02 04 05 b4 04 02 08 0a 00 0f 42 40 00 00 00 00 01 03 03 07";

uint64_t wt_rng_next(struct wt_rng *r)
{
    uint64_t z = (r->state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

uint32_t wt_rng_below(struct wt_rng *r, uint32_t n)
{
    return (uint32_t)(wt_rng_next(r) % n);
}

void wt_rng_fill(struct wt_rng *r, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)wt_rng_next(r);
}

uint8_t *wt_copy_exact(const uint8_t *src, size_t len)
{
    uint8_t *p = malloc(len);
    if (len) {
        assert_non_null(p);
        memcpy(p, src, len);
    }
    return p;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t wt_hex(uint8_t *buf, size_t cap, const char *hex)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == '\n')
            continue;
        int d = hex_digit(*p);
        assert_true(d >= 0);
        if (hi < 0) {
            hi = d;
            continue;
        }
        assert_true(n < cap);
        buf[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
    }
    assert_true(hi < 0); /* an odd number of digits */
    return n;
}

size_t wt_ipv4_tcp(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
                   const struct synack_tcp *h, const struct synack_tcp_opts *o,
                   const uint8_t *payload, size_t payload_len)
{
    struct synack_wire_error err = {WIRE_OK, 0};
    uint8_t opts[SYNACK_TCP_OPT_MAX];
    size_t optlen = 0;
    if (o) {
        optlen = synack_tcp_opts_build(opts, sizeof opts, o, &err);
        assert_int_equal(err.code, WIRE_OK);
    }
    assert_true(cap >= 20);
    size_t hlen = synack_tcp_build(buf + 20, cap - 20, h, opts, optlen, &err);
    assert_int_not_equal(hlen, 0);
    assert_true(cap - 20 - hlen >= payload_len);
    if (payload_len)
        memcpy(buf + 20 + hlen, payload, payload_len);
    size_t seglen = hlen + payload_len;
    synack_tcp_checksum_set(buf + 20, seglen, src, dst);
    struct synack_ipv4 ip = {.ttl = 64, .proto = SYNACK_IPPROTO_TCP, .frag = SYNACK_IP_DF,
                             .id = 0x1234, .src = src, .dst = dst};
    assert_int_equal(synack_ipv4_build(buf, cap, &ip, seglen, &err), 20);
    return 20 + seglen;
}

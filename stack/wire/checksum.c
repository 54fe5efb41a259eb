/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Sums are kept in the big-endian interpretation of 16-bit words, whatever
 * the host order, so partial sums from different pieces simply add. */
#include <string.h>

#include <synack/wire.h>

static uint16_t fold16(uint64_t s)
{
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffffffu) + (s >> 32);
    s = (s & 0xffffu) + (s >> 16);
    s = (s & 0xffffu) + (s >> 16);
    return (uint16_t)s;
}

/* One's-complement sum of native-order 16-bit words; the result is byte-
 * order independent up to a final swap (RFC 1071 2.B). 64-bit words are
 * added with their carries counted; a carry out of 2^64 is worth 1 in
 * one's-complement arithmetic modulo 0xffff, so the count is added back. */
static uint16_t sum_native(const uint8_t *p, size_t len)
{
    uint64_t s0 = 0, s1 = 0, c = 0;
    while (len >= 32) {
        uint64_t w[4];
        memcpy(w, p, sizeof w);
        c += __builtin_add_overflow(s0, w[0], &s0);
        c += __builtin_add_overflow(s1, w[1], &s1);
        c += __builtin_add_overflow(s0, w[2], &s0);
        c += __builtin_add_overflow(s1, w[3], &s1);
        p += 32;
        len -= 32;
    }
    uint64_t s;
    c += __builtin_add_overflow(s0, s1, &s);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c += __builtin_add_overflow(s, w, &s);
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    if (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        tail += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        tail += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        uint8_t last[2] = {p[0], 0}; /* pad an odd octet with zero (RFC 1071) */
        uint16_t w;
        memcpy(&w, last, 2);
        tail += w;
    }
    c += __builtin_add_overflow(s, tail, &s);
    return fold16((s & 0xffffffffu) + (s >> 32) + c);
}

uint32_t synack_cksum_add(uint32_t sum, const void *data, size_t len)
{
    uint16_t n = sum_native(data, len);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    n = (uint16_t)((n >> 8) | (n << 8));
#endif
    return sum + n;
}

uint16_t synack_cksum_fold(uint32_t sum)
{
    return (uint16_t)~fold16(sum);
}

uint32_t synack_cksum_pseudo(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
    return (src >> 16) + (src & 0xffffu) + (dst >> 16) + (dst & 0xffffu) + proto + len;
}

uint32_t synack_cksum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
                              uint32_t len)
{
    uint32_t s = synack_cksum_add(0, src, 16);
    s = synack_cksum_add(s, dst, 16);
    return s + (len >> 16) + (len & 0xffffu) + next;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') */
uint16_t synack_cksum_update16(uint16_t hc, uint16_t old_val, uint16_t new_val)
{
    uint32_t s = (uint16_t)~hc + (uint32_t)(uint16_t)~old_val + new_val;
    return (uint16_t)~fold16(s);
}

uint16_t synack_cksum_update32(uint16_t hc, uint32_t old_val, uint32_t new_val)
{
    hc = synack_cksum_update16(hc, (uint16_t)(old_val >> 16), (uint16_t)(new_val >> 16));
    return synack_cksum_update16(hc, (uint16_t)old_val, (uint16_t)new_val);
}

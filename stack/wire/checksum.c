/* The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 * Sums are kept in the big-endian interpretation of 16-bit words, whatever
 * the host order, so partial sums from different pieces simply add. */
#include <stdbool.h>
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

/* One's-complement sum of native-order 16-bit words, copying them to dst
 * on the way when dst is not NULL (one pass: RFC 1071 4.1's "combine with
 * copy"); the result is byte-order independent up to a final swap (RFC
 * 1071 2.B). 64-bit words are added with their carries counted; a carry
 * out of 2^64 is worth 1 in one's-complement arithmetic modulo 0xffff, so
 * the count is added back. */
static uint16_t sum_scalar(uint8_t *dst, const uint8_t *p, size_t len)
{
    uint64_t s0 = 0, s1 = 0, c = 0;
    while (len >= 32) {
        uint64_t w[4];
        memcpy(w, p, sizeof w);
        if (dst) {
            memcpy(dst, w, sizeof w);
            dst += 32;
        }
        c += __builtin_add_overflow(s0, w[0], &s0);
        c += __builtin_add_overflow(s1, w[1], &s1);
        c += __builtin_add_overflow(s0, w[2], &s0);
        c += __builtin_add_overflow(s1, w[3], &s1);
        p += 32;
        len -= 32;
    }
    uint64_t s;
    c += __builtin_add_overflow(s0, s1, &s);
    if (dst)
        memcpy(dst, p, len);
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

/* Wider words where the CPU has them (x86-64 with AVX2 or AVX-512, chosen
 * at run time; gcc and clang both take these attributes): each 64-bit lane
 * adds the two 32-bit halves of its word separately, so no carry is ever
 * lost (2^32 words before a lane could overflow), and the lanes are added
 * at the end. A 32-bit word is worth its two 16-bit halves modulo 0xffff. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CKSUM_WIDE 1
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef uint64_t u64x4 __attribute__((vector_size(32)));

__attribute__((target("avx512f"))) static uint64_t sum_avx512(uint8_t *dst, const uint8_t *p,
                                                              size_t n)
{
    const u64x8 lo = {~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
    u64x8 a = {0}, b = {0};
    for (size_t i = 0; i < n; i += 128) { /* n: a multiple of 128 */
        u64x8 x, y;
        memcpy(&x, p + i, 64);
        memcpy(&y, p + i + 64, 64);
        if (dst) {
            memcpy(dst + i, &x, 64);
            memcpy(dst + i + 64, &y, 64);
        }
        a += (x & lo) + (y & lo);
        b += (x >> 32) + (y >> 32);
    }
    a += b;
    return a[0] + a[1] + a[2] + a[3] + a[4] + a[5] + a[6] + a[7];
}

__attribute__((target("avx2"))) static uint64_t sum_avx2(uint8_t *dst, const uint8_t *p, size_t n)
{
    const u64x4 lo = {~0u, ~0u, ~0u, ~0u};
    u64x4 a = {0}, b = {0};
    for (size_t i = 0; i < n; i += 64) { /* n: a multiple of 64 */
        u64x4 x, y;
        memcpy(&x, p + i, 32);
        memcpy(&y, p + i + 32, 32);
        if (dst) {
            memcpy(dst + i, &x, 32);
            memcpy(dst + i + 32, &y, 32);
        }
        a += (x & lo) + (y & lo);
        b += (x >> 32) + (y >> 32);
    }
    a += b;
    return a[0] + a[1] + a[2] + a[3];
}
#endif

static uint16_t sum_native(uint8_t *dst, const uint8_t *p, size_t len)
{
    uint64_t wide = 0;
    size_t done = 0;
#ifdef CKSUM_WIDE
    if (len >= 256 && __builtin_cpu_supports("avx512f")) {
        done = len & ~(size_t)127;
        wide = sum_avx512(dst, p, done);
    } else if (len >= 128 && __builtin_cpu_supports("avx2")) {
        done = len & ~(size_t)63;
        wide = sum_avx2(dst, p, done);
    }
#endif
    /* the rest starts at an even offset: its words line up */
    uint32_t rest = sum_scalar(dst ? dst + done : NULL, p + done, len - done);
    return done ? fold16(wide + rest) : (uint16_t)rest;
}

/* The native sum as the big-endian sum of a piece at offset `at` of the
 * checksummed data: octets at an odd offset are the low halves of its
 * words (RFC 1071 2.B, byte order independence). */
static uint32_t as_big_endian(uint16_t n, size_t at)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    bool swap = !(at & 1);
#else
    bool swap = at & 1;
#endif
    return swap ? (uint16_t)((n >> 8) | (n << 8)) : n;
}

uint32_t synack_cksum_add(uint32_t sum, const void *data, size_t len)
{
    return sum + as_big_endian(sum_native(NULL, data, len), 0);
}

uint32_t synack_cksum_add_at(uint32_t sum, const void *data, size_t len, size_t at)
{
    return sum + as_big_endian(sum_native(NULL, data, len), at);
}

uint32_t synack_cksum_copy(uint32_t sum, void *dst, const void *src, size_t len, size_t at)
{
    return sum + as_big_endian(sum_native(dst, src, len), at);
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

/* Addresses of either family as one value (synack/wire.h), their text
 * (RFC 4291 2.2 to read, RFC 5952 to write) and their pseudo-header sum.
 * IPv4 is held as ::ffff:a.b.c.d (RFC 4291 2.5.5.2). */
#include <stdio.h>
#include <string.h>

#include <synack/wire.h>

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

struct synack_addr synack_addr_from_v4(uint32_t a)
{
    struct synack_addr r = {.family = SYNACK_AF_INET};
    memcpy(r.a, v4mapped_prefix, 12);
    synack_put32(r.a + 12, a);
    return r;
}

struct synack_addr synack_addr_from_v6(const uint8_t a[16])
{
    struct synack_addr r = {.family = SYNACK_AF_INET6};
    memcpy(r.a, a, 16);
    return r;
}

uint32_t synack_addr_v4(const struct synack_addr *a)
{
    return synack_get32(a->a + 12);
}

bool synack_addr_eq(const struct synack_addr *x, const struct synack_addr *y)
{
    return x->family == y->family && memcmp(x->a, y->a, 16) == 0;
}

struct synack_addr synack_addr_any(uint16_t family)
{
    return family == SYNACK_AF_INET ? synack_addr_from_v4(0)
                                    : (struct synack_addr){.family = family};
}

bool synack_addr_is_any(const struct synack_addr *a)
{
    static const uint8_t zero[16];
    switch (a->family) {
    case SYNACK_AF_INET:
        return synack_addr_v4(a) == 0;
    case SYNACK_AF_INET6:
        return memcmp(a->a, zero, 16) == 0;
    default:
        return true;
    }
}

bool synack_addr_is_v4mapped(const uint8_t a[16])
{
    return memcmp(a, v4mapped_prefix, 12) == 0;
}

struct synack_addr synack_addr_unmap(struct synack_addr a)
{
    if (a.family == SYNACK_AF_INET6 && synack_addr_is_v4mapped(a.a))
        a.family = SYNACK_AF_INET;
    return a;
}

/* ---- text ---- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* One group of 1 to 4 hex digits at s[*i], ending at ':' or the end. */
static bool take_group(const char *s, size_t n, size_t *i, uint16_t *g)
{
    unsigned v = 0, d = 0;
    while (*i < n && s[*i] != ':' && d < 5) {
        int h = hexval(s[*i]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
        (*i)++;
        d++;
    }
    *g = (uint16_t)v;
    return d >= 1 && d <= 4;
}

/* RFC 4291 2.2: eight groups, "::" once for one or more zero groups, and
 * the last 32 bits as a dotted quad. */
static bool parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t g[8];
    int count = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    }
    while (i < n) {
        if (count == 8)
            return false;
        size_t start = i;
        while (i < n && s[i] != ':' && s[i] != '.')
            i++;
        if (i < n && s[i] == '.') { /* the dotted quad ends the address */
            uint32_t v4;
            if (count > 6 || !synack_ipv4_addr_from_text(s + start, n - start, &v4))
                return false;
            g[count++] = (uint16_t)(v4 >> 16);
            g[count++] = (uint16_t)v4;
            i = n;
            break;
        }
        i = start;
        if (!take_group(s, n, &i, &g[count++]))
            return false;
        if (i == n)
            break;
        i++; /* the ':' */
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return false; /* "::" twice */
            gap = count;
            i++;
        } else if (i == n) {
            return false; /* a trailing single ':' */
        }
    }
    if ((gap < 0 && count != 8) || (gap >= 0 && count > 7))
        return false;
    memset(out, 0, 16);
    for (int k = 0; k < count; k++) /* the groups after "::" move to the end */
        synack_put16(out + 2 * (gap >= 0 && k >= gap ? k + 8 - count : k), g[k]);
    return true;
}

bool synack_addr_parse(const char *s, size_t n, struct synack_addr *out)
{
    uint32_t v4;
    if (memchr(s, ':', n) == NULL) {
        if (!synack_ipv4_addr_from_text(s, n, &v4))
            return false;
        *out = synack_addr_from_v4(v4);
        return true;
    }
    uint8_t a[16];
    if (!parse_v6(s, n, a))
        return false;
    *out = synack_addr_from_v6(a);
    return true;
}

/* RFC 5952 4.2: the longest run of two or more zero groups, the first of
 * equal ones. */
static void longest_zero_run(const uint8_t a[16], int *at, int *len)
{
    *at = -1;
    *len = 0;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && synack_get16(a + 2 * j) == 0)
            j++;
        if (j - i > *len && j - i >= 2) {
            *at = i;
            *len = j - i;
        }
        i = j > i ? j : i + 1;
    }
}

int synack_addr_format(const struct synack_addr *a, char *buf, size_t n)
{
    if (a->family == SYNACK_AF_INET) {
        const uint8_t *p = a->a + 12;
        return snprintf(buf, n, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    }
    if (synack_addr_is_v4mapped(a->a)) { /* RFC 5952 5 */
        const uint8_t *p = a->a + 12;
        return snprintf(buf, n, "::ffff:%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    }
    char out[48];
    size_t o = 0;
    int at, len;
    longest_zero_run(a->a, &at, &len);
    for (int i = 0; i < 8; i++) {
        if (i == at) {
            o += (size_t)snprintf(out + o, sizeof out - o, "::");
            i += len - 1;
            continue;
        }
        bool colon = i > 0 && !(at >= 0 && i == at + len);
        o += (size_t)snprintf(out + o, sizeof out - o, "%s%x", colon ? ":" : "",
                              synack_get16(a->a + 2 * i));
    }
    return snprintf(buf, n, "%s", out);
}

uint32_t synack_cksum_pseudo_addr(const struct synack_addr *src, const struct synack_addr *dst,
                                  uint8_t proto, uint32_t len)
{
    if (src->family == SYNACK_AF_INET)
        return synack_cksum_pseudo(synack_addr_v4(src), synack_addr_v4(dst), proto,
                                   (uint16_t)len);
    return synack_cksum_pseudo6(src->a, dst->a, proto, len);
}

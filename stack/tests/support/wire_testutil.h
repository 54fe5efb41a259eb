/* Helpers shared by the wire unit tests (stack/tests/test_wire_*.c): a
 * seeded PRNG, exact-size heap copies so ASan catches any overread, and
 * assertions that compare wire error codes by name and offset. */
#ifndef WIRE_TESTUTIL_H
#define WIRE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <synack/wire.h>

/* splitmix64: a small PRNG whose whole state lives in the caller's struct. */
struct wt_rng {
    uint64_t state;
};
uint64_t wt_rng_next(struct wt_rng *r);
uint32_t wt_rng_below(struct wt_rng *r, uint32_t n); /* 0..n-1, n > 0 */
void wt_rng_fill(struct wt_rng *r, uint8_t *buf, size_t len);

/* A malloc'd copy of exactly len octets (free with free()). */
uint8_t *wt_copy_exact(const uint8_t *src, size_t len);

/* Parse bytes written as hex ("45 00 00 73 ..."; spaces ignored) into buf.
 * Returns the number of octets; fails the test on bad input or overflow. */
size_t wt_hex(uint8_t *buf, size_t cap, const char *hex);

/* A Linux-style SYN, IPv4 + TCP, 60 octets: 192.0.2.1:45678 ->
 * 198.51.100.2:80, seq 0x3a4b5c6d, win 64240, MSS 1460, SACK-permitted,
 * TS 1000000/0, NOP, WS 7 (Linux's option layout). Checksums 0x323f (IP)
 * and 0xd511 (TCP); see wire_testutil.c for how they were derived. */
extern const char wt_syn_hex[];
#define WT_SYN_SRC 0xc0000201u /* 192.0.2.1 */
#define WT_SYN_DST 0xc6336402u /* 198.51.100.2 */

/* IPv4 header (no options) + TCP header built from h and o + payload, with
 * both checksums. Returns the packet length; fails the test on error. */
size_t wt_ipv4_tcp(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
                   const struct synack_tcp *h, const struct synack_tcp_opts *o,
                   const uint8_t *payload, size_t payload_len);

/* A parser's result is rc and err; both must name want_code at want_off.
 * Codes are compared by name so a failure reads "WIRE_E... != WIRE_E...". */
#define assert_wire_err(rc, err, want_code, want_off)                                  \
    do {                                                                               \
        assert_string_equal(synack_wire_errname((enum synack_wire_err)(rc)),          \
                            synack_wire_errname(want_code));                          \
        assert_string_equal(synack_wire_errname((err).code),                          \
                            synack_wire_errname(want_code));                          \
        assert_int_equal((err).offset, (want_off));                                    \
    } while (0)

/* A builder's result is 0 octets and err naming want_code at want_off. */
#define assert_build_err(n, err, want_code, want_off)                                  \
    do {                                                                               \
        assert_int_equal((n), 0);                                                      \
        assert_string_equal(synack_wire_errname((err).code),                          \
                            synack_wire_errname(want_code));                          \
        assert_int_equal((err).offset, (want_off));                                    \
    } while (0)

/* rc is WIRE_OK, or a real error code that err repeats, with an offset no
 * further than len (the first octet past the buffer). */
#define assert_wire_clean(rc, err, len)                                                \
    do {                                                                               \
        if ((rc) != WIRE_OK) {                                                         \
            assert_in_range((rc), WIRE_OK + 1, WIRE_ERR_COUNT - 1);                    \
            assert_int_equal((err).code, (rc));                                        \
            assert_in_range((err).offset, 0, (len));                                   \
        }                                                                              \
    } while (0)

#endif

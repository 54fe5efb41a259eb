/* fuzz/pcap.c: the capture reader (harness/pcap/capture.h), which reads
 * the pcap and pcapng files users give `synack run` and `synack lint`, and
 * the RFC oracle (harness/oracle/) that judges what it reads. Any input
 * gives a capture or one error message, never a crash or a leak; a capture
 * keeps the promises of capture.h (frames numbered in order, datagrams
 * inside the store, no more captured than was on the wire unless allowed);
 * the oracle then takes every datagram without failing.
 *
 * Input: the capture file, as is. It is read twice, with and without
 * CAPTURE_ALLOW_TRUNCATED.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle/oracle.h"
#include "pcap/capture.h"

#define FUZZ_TARGET "pcap"
#include "check.h"

static void read_once(const uint8_t *data, size_t size, unsigned flags)
{
    struct capture *c = (struct capture *)1;
    char err[512];
    err[0] = 0;
    int r = capture_read_buffer(data, size, "fuzz.pcap", flags, &c, err, sizeof err);
    if (r != 0) {
        CHECK(r == -1 && c == NULL, "failure returned %d with a capture", r);
        CHECK(err[0] != 0 && strlen(err) < sizeof err, "failure without a message");
        CHECK(strncmp(err, "fuzz.pcap", 9) == 0, "message does not name the input: %s", err);
        return;
    }
    CHECK(c != NULL && c->name && strcmp(c->name, "fuzz.pcap") == 0, "capture name");
    CHECK(c->count <= c->frames && c->skipped <= c->frames, "%zu datagrams, %u skipped, %u frames",
          c->count, c->skipped, c->frames);
    CHECK(c->frames <= CAPTURE_MAX_FRAMES, "%u frames", c->frames);
    CHECK(capture_linktype_name(c->linktype) != NULL, "linktype name");
    struct oracle *o = oracle_new(NULL);
    if (!o)
        abort();
    unsigned last = 0;
    int64_t t0 = c->count ? c->pkts[0].time_us : 0;
    uint64_t now = 0;
    for (size_t i = 0; i < c->count; i++) {
        const struct cap_packet *p = &c->pkts[i];
        CHECK(p->number > last && p->number <= c->frames, "frame %u after %u of %u", p->number,
              last, c->frames);
        last = p->number;
        CHECK(p->len <= p->wire_len, "frame %u: %zu octets captured of %zu on the wire",
              p->number, p->len, p->wire_len);
        if (!(flags & CAPTURE_ALLOW_TRUNCATED))
            CHECK(p->len == p->wire_len, "frame %u cut short (%zu of %zu) without "
                  "CAPTURE_ALLOW_TRUNCATED", p->number, p->len, p->wire_len);
        CHECK(p->len == 0 || (p->data >= c->store && p->data + p->len >= p->data),
              "frame %u: data outside the store", p->number);
        if (p->len) {
            CHECK(p->data != NULL, "frame %u without data", p->number);
            volatile uint8_t sum = 0; /* every octet readable (ASan checks) */
            for (size_t k = 0; k < p->len; k++)
                sum ^= p->data[k];
            (void)sum;
        }
        /* The oracle wants time that never goes back: give it the offset
         * from the first frame, clamped (a capture may be out of order). */
        int64_t d = p->time_us - t0;
        if (d > 0 && (uint64_t)d > now)
            now = (uint64_t)d;
        oracle_packet_number(o, p->number, p->data, p->len, now, ORACLE_FROM_UNKNOWN);
    }
    oracle_finish(o, now);
    for (size_t i = 0; i < oracle_finding_count(o); i++) {
        const struct oracle_finding *f = oracle_finding_at(o, i);
        char line[512];
        CHECK(f && f->rule && f->rule->name, "finding %zu", i);
        CHECK(oracle_finding_format(f, line, sizeof line) > 0, "finding format");
    }
    oracle_free(o);
    capture_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    read_once(data, size, 0);
    read_once(data, size, CAPTURE_ALLOW_TRUNCATED);
    return 0;
}

#include "driver.h"

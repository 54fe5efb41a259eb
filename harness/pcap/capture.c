/* Reading captures: libpcap opens pcap and pcapng (from a file or, through
 * fmemopen, from memory); this file checks the magic first so a wrong file
 * gets a plain message, takes the link header off each frame, trims link
 * padding by the IPv4 total length or IPv6 payload length and refuses
 * snaplen-truncated datagrams. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <synack/wire.h>

#include "pcap/capture.h"

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86ddu
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88a8u
#define FAMILY_INET 2u /* AF_INET in DLT_NULL / DLT_LOOP headers */
/* AF_INET6 there is the writer's own: Linux 10, the BSDs 24, 28 or 30
 * (libpcap's BSD_AFNUM_INET6_*) */
static const uint32_t family_inet6[] = {10u, 24u, 28u, 30u};

struct reader {
    struct capture *c;
    unsigned flags;
    size_t store_len, store_cap;
    size_t *offsets;       /* of each datagram in store, until the end */
    size_t pkt_cap;
    char *err;
    size_t errlen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(r->err, r->errlen, "%s: %s", r->c->name, msg);
    return -1;
}

const char *capture_linktype_name(int linktype)
{
    switch (linktype) {
    case DLT_EN10MB: return "Ethernet";
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: return "raw IP";
    case DLT_LINUX_SLL: return "Linux cooked";
    case DLT_LINUX_SLL2: return "Linux cooked v2";
    case DLT_NULL:
    case DLT_LOOP: return "BSD loopback";
    default: return "unknown";
    }
}

static bool linktype_supported(int lt)
{
    return strcmp(capture_linktype_name(lt), "unknown") != 0;
}

static bool ethertype_ip(uint16_t type)
{
    return type == ETHERTYPE_IPV4 || type == ETHERTYPE_IPV6;
}

static bool family_ip(uint32_t f)
{
    if (f == FAMILY_INET)
        return true;
    for (size_t i = 0; i < sizeof family_inet6 / sizeof family_inet6[0]; i++)
        if (f == family_inet6[i])
            return true;
    return false;
}

/* The offset of the IP datagram (IPv4 or IPv6) in a frame: >= 0, -1 if
 * the frame is neither (skipped), -2 if its link header is cut short. */
static long ip_offset(int lt, const uint8_t *f, size_t n)
{
    switch (lt) {
    case DLT_EN10MB: {
        size_t off = 12;
        if (n < 14)
            return -2;
        uint16_t type = synack_get16(f + off);
        for (int tags = 0; (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && tags < 2; tags++) {
            off += 4;
            if (n < off + 2)
                return -2;
            type = synack_get16(f + off);
        }
        return ethertype_ip(type) ? (long)off + 2 : -1;
    }
    case DLT_LINUX_SLL:
        if (n < 16)
            return -2;
        return ethertype_ip(synack_get16(f + 14)) ? 16 : -1;
    case DLT_LINUX_SLL2:
        if (n < 20)
            return -2;
        return ethertype_ip(synack_get16(f)) ? 20 : -1;
    case DLT_NULL:
    case DLT_LOOP: {
        if (n < 4)
            return -2;
        uint32_t be = synack_get32(f), le = (uint32_t)f[0] | (uint32_t)f[1] << 8 |
                                          (uint32_t)f[2] << 16 | (uint32_t)f[3] << 24;
        return (family_ip(be) || family_ip(le)) ? 4 : -1;
    }
    default: /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
        if (n < 1)
            return -2;
        return ((f[0] >> 4) == 4 || (f[0] >> 4) == 6) ? 0 : -1;
    }
}

/* The length the datagram's own header gives it, or 0 when it gives
 * none that can be trusted (too short to say, or an impossible length):
 * then the whole frame is taken. */
static size_t ip_length(const uint8_t *ip, size_t avail)
{
    if (avail >= 4 && (ip[0] >> 4) == 4) {
        size_t tot = synack_get16(ip + 2);
        return tot >= 20 ? tot : 0;
    }
    if (avail >= 6 && (ip[0] >> 4) == 6) /* RFC 8200 3 (a jumbogram's 0: not supported) */
        return SYNACK_IPV6_HDR + synack_get16(ip + 4);
    return 0;
}

static int grow_store(struct reader *r, size_t need)
{
    if (r->store_len + need <= r->store_cap)
        return 0;
    size_t cap = r->store_cap ? r->store_cap : 65536;
    while (cap < r->store_len + need)
        cap *= 2;
    uint8_t *s = realloc(r->c->store, cap);
    if (!s)
        return fail(r, "out of memory");
    r->c->store = s;
    r->store_cap = cap;
    return 0;
}

/* A datagram whose IP header does not parse is kept but counted, with the
 * first one's reason, so that no reader skips it without a word. */
static void check_header(struct capture *c, unsigned number, const uint8_t *ip, size_t len)
{
    struct synack_ip_view v;
    struct synack_wire_error we;
    if (synack_ip_view_parse(ip, len, WIRE_PARSE_NO_CHECKSUM, &v, &we) == WIRE_OK)
        return;
    if (c->malformed++ == 0) {
        char why[96];
        synack_wire_error_format(&we, why, sizeof why);
        snprintf(c->malformed_first, sizeof c->malformed_first, "frame %u: %s", number, why);
    }
}

static int add_packet(struct reader *r, const struct pcap_pkthdr *h, const uint8_t *frame)
{
    struct capture *c = r->c;
    unsigned number = c->frames;
    if (h->caplen > h->len)
        return fail(r, "frame %u: %u octets captured of %u on the wire: a broken record header",
                    number, h->caplen, h->len);
    long off = ip_offset(c->linktype, frame, h->caplen);
    if (off == -2) {
        if (h->caplen < h->len)
            return fail(r, "frame %u: only %u of %u octets captured (snaplen %u): the link "
                           "header is cut; capture with a larger snaplen (tcpdump -s 0)",
                        number, h->caplen, h->len, h->caplen);
        return fail(r, "frame %u: %u octets, too short for a %s header", number, h->caplen,
                    capture_linktype_name(c->linktype));
    }
    if (off < 0) {
        c->skipped++;
        return 0;
    }
    const uint8_t *ip = frame + off;
    size_t avail = h->caplen - (size_t)off;
    size_t wire = h->len >= (size_t)off ? h->len - (size_t)off : avail;
    size_t len = avail;
    size_t tot = ip_length(ip, avail);
    if (tot && tot <= wire) {
        wire = tot;               /* link padding is not the datagram's */
        if (len > tot)
            len = tot;
    }
    /* pcapng timestamps (64 bits in units of the file's choosing) can lie
     * beyond what microseconds since 1970 hold in 64 bits. */
    if (h->ts.tv_sec > INT64_MAX / 1000000 - 1 || h->ts.tv_sec < INT64_MIN / 1000000 + 1)
        return fail(r, "frame %u: timestamp %lld s is out of range", number,
                    (long long)h->ts.tv_sec);
    if (len < wire && !(r->flags & CAPTURE_ALLOW_TRUNCATED))
        return fail(r, "frame %u: only %zu of the %zu octets of its IPv%d datagram were "
                       "captured (snaplen %u); capture with a larger snaplen (tcpdump -s 0)",
                    number, len, wire, len && (ip[0] >> 4) == 6 ? 6 : 4, h->caplen);
    if (c->count == r->pkt_cap) {
        size_t cap = r->pkt_cap ? r->pkt_cap * 2 : 256;
        struct cap_packet *p = realloc(c->pkts, cap * sizeof *p);
        size_t *o = realloc(r->offsets, cap * sizeof *o);
        if (p)
            c->pkts = p;
        if (o)
            r->offsets = o;
        if (!p || !o)
            return fail(r, "out of memory");
        r->pkt_cap = cap;
    }
    if (r->store_len + len > CAPTURE_MAX_BYTES)
        return fail(r, "more than %u MiB of IP datagrams: too large", CAPTURE_MAX_BYTES >> 20);
    if (grow_store(r, len ? len : 1) < 0)
        return -1;
    if (len == wire)
        check_header(c, number, ip, len);
    memcpy(c->store + r->store_len, ip, len);
    struct cap_packet *p = &c->pkts[c->count];
    p->number = number;
    p->time_us = (int64_t)h->ts.tv_sec * 1000000 + (int64_t)h->ts.tv_usec;
    p->len = len;
    p->wire_len = wire;
    r->offsets[c->count] = r->store_len;
    r->store_len += len;
    c->count++;
    return 0;
}

/* The first four octets say which format this is; libpcap's own message
 * for a wrong one ("unknown file format") does not show what was found. */
static int check_magic(struct reader *r, FILE *f)
{
    uint8_t m[4];
    size_t n = fread(m, 1, 4, f);
    if (n == 0)
        return fail(r, "empty file: not a capture");
    if (n < 4)
        return fail(r, "truncated file: %zu octets, too short for a capture header", n);
    uint32_t be = synack_get32(m);
    static const uint32_t known[] = {
        0xa1b2c3d4u, 0xd4c3b2a1u, /* pcap, microseconds, either byte order */
        0xa1b23c4du, 0x4d3cb2a1u, /* pcap, nanoseconds */
        0xa1b2cd34u, 0x34cdb2a1u, /* pcap, Kuznetzov's modified format */
        0x0a0d0d0au,              /* pcapng section header block */
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (be == known[i]) {
            r->c->pcapng = be == 0x0a0d0d0au;
            return fseek(f, 0, SEEK_SET) == 0 ? 0 : fail(r, "cannot rewind: %s", strerror(errno));
        }
    return fail(r, "not a pcap or pcapng file (first octets 0x%08x)", be);
}

/* libpcap's reading errors as we say them. */
static int pcap_error(struct reader *r, const char *what, const char *msg, unsigned frame)
{
    if (strstr(msg, "truncated") && frame)
        return fail(r, "frame %u: truncated file (%s)", frame, msg);
    if (strstr(msg, "truncated"))
        return fail(r, "truncated file (%s)", msg);
    if (frame)
        return fail(r, "frame %u: %s: %s", frame, what, msg);
    return fail(r, "%s: %s", what, msg);
}

static int read_stream(struct reader *r, FILE *f)
{
    struct capture *c = r->c;
    if (check_magic(r, f) < 0) {
        fclose(f);
        return -1;
    }
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!p) {
        fclose(f);
        return pcap_error(r, "bad capture header", errbuf, 0);
    }
    c->linktype = pcap_datalink(p);
    int rc = 0;
    if (!linktype_supported(c->linktype)) {
        const char *n = pcap_datalink_val_to_name(c->linktype);
        rc = fail(r, "link type %d (%s) is not supported (Ethernet, raw IP, Linux cooked, "
                     "BSD loopback are)", c->linktype, n ? n : "unnamed");
    }
    while (rc == 0) {
        struct pcap_pkthdr *h;
        const u_char *data;
        int n = pcap_next_ex(p, &h, &data);
        if (n == PCAP_ERROR_BREAK)
            break;
        if (n != 1 && (r->flags & CAPTURE_ALLOW_TRUNCATED) && strstr(pcap_geterr(p), "truncated")) {
            c->cut_frame = c->frames + 1; /* the file ends inside it: keep what came before */
            break;
        }
        if (n != 1) {
            rc = pcap_error(r, "cannot read", pcap_geterr(p), c->frames + 1);
            break;
        }
        if (c->frames >= CAPTURE_MAX_FRAMES) {
            rc = fail(r, "more than %u frames: too large", CAPTURE_MAX_FRAMES);
            break;
        }
        c->frames++;
        if (h->caplen > h->len && h->len != 0) {
            rc = fail(r, "frame %u: captured length %u exceeds its length on the wire %u",
                      c->frames, h->caplen, h->len);
            break;
        }
        rc = add_packet(r, h, data);
    }
    pcap_close(p); /* closes f */
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < c->count; i++)
        c->pkts[i].data = c->store + r->offsets[i];
    return 0;
}

static int read_with(FILE *f, const char *name, unsigned flags, struct capture **out, char *err,
                     size_t errlen, int open_errno)
{
    *out = NULL;
    struct capture *c = calloc(1, sizeof *c);
    struct reader r = {.c = c, .flags = flags, .err = err, .errlen = errlen};
    if (!c || !(c->name = strdup(name ? name : "capture"))) {
        snprintf(err, errlen, "%s: out of memory", name ? name : "capture");
        if (f)
            fclose(f);
        free(c);
        return -1;
    }
    int rc;
    if (!f)
        rc = fail(&r, "%s", strerror(open_errno));
    else
        rc = read_stream(&r, f);
    free(r.offsets);
    if (rc < 0) {
        capture_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

int capture_read_file(const char *path, unsigned flags, struct capture **out, char *err,
                      size_t errlen)
{
    FILE *f = fopen(path, "rb");
    return read_with(f, path, flags, out, err, errlen, errno);
}

int capture_read_buffer(const void *buf, size_t len, const char *name, unsigned flags,
                        struct capture **out, char *err, size_t errlen)
{
    static const uint8_t none[1];
    /* fmemopen refuses a size of 0: an empty buffer reads as an empty file */
    FILE *f = fmemopen((void *)(len ? buf : none), len ? len : 1, "rb");
    if (f && len == 0)
        fseek(f, 1, SEEK_SET);
    return read_with(f, name, flags, out, err, errlen, errno);
}

void capture_free(struct capture *c)
{
    if (!c)
        return;
    free(c->name);
    free(c->pkts);
    free(c->store);
    free(c);
}

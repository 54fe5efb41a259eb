/* A capture conversation as a packetdrill script (translate.h): choose the
 * conversation and the stack's side, place the application's calls, then
 * write one line per packet in the ordinary script syntax. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#include "pcap/translate.h"
#include "script/script.h"

/* One segment of the conversation, parsed. */
struct seg {
    const struct cap_packet *p;
    bool from_stack;
    int64_t t;                 /* script time, microseconds */
    struct synack_tcp th;
};

struct tr {
    const struct capture *cap;
    const struct pcap_meta *meta;
    struct seg *segs;
    size_t n;
    struct conv_endpoint stack, peer;
    bool stack_syn, peer_syn;  /* the side sent a SYN: its numbers are relative */
    uint32_t stack_isn, peer_isn;
    bool passive;              /* the stack received the first SYN */
    uint16_t mtu;
    /* output */
    char *text;
    size_t len, cap_len;
    size_t lines, lines_cap;
    unsigned *line_frame, *line_meta;
    bool oom;
    char *err;
    size_t errlen;
};

static int fail(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct tr *t, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(t->err, t->errlen, "%s: %s", t->cap->name, msg);
    return -1;
}

/* ---- output: text and the line maps ---- */

static void emit_line(struct tr *t, unsigned frame, unsigned meta_line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void emit_line(struct tr *t, unsigned frame, unsigned meta_line, const char *fmt, ...)
{
    char line[1400];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0 || t->oom)
        return;
    size_t ln = strlen(line);
    line[ln++] = '\n';
    if (t->len + ln + 1 > t->cap_len) {
        size_t cap = t->cap_len ? t->cap_len * 2 : 8192;
        while (cap < t->len + ln + 1)
            cap *= 2;
        char *s = realloc(t->text, cap);
        if (!s) {
            t->oom = true;
            return;
        }
        t->text = s;
        t->cap_len = cap;
    }
    if (t->lines == t->lines_cap) {
        size_t cap = t->lines_cap ? t->lines_cap * 2 : 256;
        unsigned *f = realloc(t->line_frame, cap * sizeof *f);
        if (f)
            t->line_frame = f;
        unsigned *m = realloc(t->line_meta, cap * sizeof *m);
        if (m)
            t->line_meta = m;
        if (!f || !m) {
            t->oom = true;
            return;
        }
        t->lines_cap = cap;
    }
    memcpy(t->text + t->len, line, ln);
    t->len += ln;
    t->text[t->len] = '\0';
    t->line_frame[t->lines] = frame;
    t->line_meta[t->lines] = meta_line;
    t->lines++;
}

static const char *ipstr(const struct synack_addr *a, char *buf, size_t n)
{
    synack_addr_format(a, buf, n);
    return buf;
}

/* ---- the conversation and its sides ---- */

static bool is_pure_syn(const struct synack_tcp *th)
{
    return (th->flags & SYNACK_TCP_SYN) && !(th->flags & SYNACK_TCP_ACK);
}

static int choose_stack(struct tr *t, const struct conversation *cv)
{
    const struct pcap_meta *m = t->meta;
    if (m->stack_given) {
        bool a = conv_endpoint_matches(&m->stack, &cv->a);
        bool b = conv_endpoint_matches(&m->stack, &cv->b);
        if (a && b) {
            char s[CONV_ENDPOINT_LEN];
            return fail(t, "both endpoints of the conversation match stack %s: give its port",
                        conv_endpoint_str(&m->stack, s, sizeof s));
        }
        t->stack = a ? cv->a : cv->b;
        t->peer = a ? cv->b : cv->a;
        return 0;
    }
    /* the side that received the first SYN (conv.c puts its sender in a),
     * or that sent it when the application connects */
    bool active = false;
    for (size_t k = 0; k < m->app_count; k++)
        active |= m->app[k].kind == META_APP_CONNECT;
    for (size_t i = 0; i < cv->count; i++) {
        const struct cap_packet *p = &t->cap->pkts[cv->idx[i]];
        struct conv_endpoint src, dst;
        uint8_t flags;
        if (conv_tcp_endpoints(p->data, p->len, &src, &dst, &flags) &&
            (flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN) {
            t->stack = active ? cv->a : cv->b;
            t->peer = active ? cv->b : cv->a;
            return 0;
        }
    }
    return fail(t, "no SYN in the conversation, so which side is the stack is unknown: give "
                   "'stack ADDR:PORT' in the metadata (or --stack)");
}

static int parse_segments(struct tr *t, const struct conversation *cv)
{
    t->segs = calloc(cv->count, sizeof *t->segs);
    if (!t->segs)
        return fail(t, "out of memory");
    int64_t t0 = t->cap->pkts[cv->idx[0]].time_us, last = 0;
    for (size_t i = 0; i < cv->count; i++) {
        struct seg *s = &t->segs[t->n];
        s->p = &t->cap->pkts[cv->idx[i]];
        struct synack_ip_view ip;
        struct synack_wire_error we;
        char e[128];
        int rc = synack_ip_view_parse(s->p->data, s->p->len, WIRE_PARSE_NO_CHECKSUM, &ip, &we);
        if (rc == WIRE_OK)
            rc = synack_ip_view_tcp(&ip, WIRE_PARSE_NO_CHECKSUM, &s->th, &we);
        if (rc != WIRE_OK) {
            synack_wire_error_format(&we, e, sizeof e);
            return fail(t, "frame %u: malformed segment (%s): it cannot be replayed",
                        s->p->number, e);
        }
        if (s->th.payload_len > 65535 - 60)
            return fail(t, "frame %u: %zu octets of data: too long for one segment",
                        s->p->number, s->th.payload_len);
        s->from_stack = synack_addr_eq(&ip.src, &t->stack.addr) && s->th.sport == t->stack.port;
        /* times: relative to the first packet, scaled, never backwards */
        double rel = (double)(s->p->time_us - t0) * t->meta->time_scale;
        s->t = rel < 0 ? 0 : (int64_t)(rel + 0.5);
        if (s->t < last)
            s->t = last;
        last = s->t;
        if (is_pure_syn(&s->th) || (s->th.flags & SYNACK_TCP_SYN)) {
            if (s->from_stack && !t->stack_syn) {
                t->stack_syn = true;
                t->stack_isn = s->th.seq;
                unsigned hdrs = ip.version == 6 ? 60 : 40; /* MSS = MTU - 60 in IPv6 */
                if (s->th.opts.present & TCPOPT_F_MSS && s->th.opts.mss >= 28 &&
                    s->th.opts.mss <= 65535 - hdrs)
                    t->mtu = (uint16_t)(s->th.opts.mss + hdrs);
            } else if (!s->from_stack && !t->peer_syn) {
                t->peer_syn = true;
                t->peer_isn = s->th.seq;
                if (is_pure_syn(&s->th) && !t->stack_syn)
                    t->passive = true;
            }
        }
        t->n++;
    }
    return 0;
}

/* ---- numbers as the script writes them ---- */

static uint32_t rel_stack(const struct tr *t, uint32_t v) { return t->stack_syn ? v - t->stack_isn : v; }
static uint32_t rel_peer(const struct tr *t, uint32_t v) { return t->peer_syn ? v - t->peer_isn : v; }

static size_t options_of(const struct tr *t, const struct seg *s, struct script_tcp_option *opts,
                         size_t max)
{
    /* SACK blocks name the other side's sequence space */
    uint32_t off = s->from_stack ? (t->peer_syn ? t->peer_isn : 0)
                                 : (t->stack_syn ? t->stack_isn : 0);
    return script_options_from_wire(s->th.options, s->th.options_len, off, opts, max);
}

/* The first SYN of one side (with or without ACK), or NULL. */
static const struct synack_tcp *first_syn(const struct tr *t, bool from_stack)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->segs[i].from_stack == from_stack && (t->segs[i].th.flags & SYNACK_TCP_SYN))
            return &t->segs[i].th;
    return NULL;
}

/* The extensions the captured stack did not take up are left out of the
 * peer's SYN, rather than turned off in the stack under test (a switch
 * only synack has): any stack then answers a SYN that offers only what the
 * captured one accepted (RFC 7323 2.2, 3.2; RFC 2018 2), and the exchange
 * after it stays as captured. Options without a stack's answer (MSS, ...)
 * stay, NOPs go with what they aligned. */
static size_t peer_syn_offers(const struct tr *t, struct script_tcp_option *opts, size_t n)
{
    static const struct {
        uint8_t kind;
        uint32_t flag;
    } ext[] = {{TCPOPT_WSCALE, TCPOPT_F_WSCALE}, {TCPOPT_SACK_PERM, TCPOPT_F_SACK_PERM},
               {TCPOPT_TIMESTAMP, TCPOPT_F_TS}};
    const struct synack_tcp *mine = first_syn(t, true);
    uint32_t taken = mine ? mine->opts.present : 0;
    size_t k = 0;
    bool dropped = false;
    for (size_t i = 0; i < n; i++) {
        bool keep = true;
        for (size_t e = 0; e < sizeof ext / sizeof ext[0]; e++)
            if (opts[i].kind == ext[e].kind && !(taken & ext[e].flag))
                keep = false;
        dropped |= !keep;
        if (keep)
            opts[k++] = opts[i];
    }
    if (!dropped)
        return n;
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (opts[i].kind != TCPOPT_NOP)
            opts[m++] = opts[i];
    return m;
}

static void emit_segment(struct tr *t, const struct seg *s)
{
    const struct synack_tcp *th = &s->th;
    struct script_packet sp;
    struct script_tcp_option opts[40];
    memset(&sp, 0, sizeof sp);
    sp.direction = s->from_stack ? SCRIPT_OUTBOUND : SCRIPT_INBOUND;
    sp.proto = SCRIPT_PROTO_TCP;
    sp.flags = th->flags;
    uint32_t seq = s->from_stack ? rel_stack(t, th->seq) : rel_peer(t, th->seq);
    sp.seq_start = seq;
    sp.seq_len = (uint16_t)th->payload_len;
    sp.seq_end = seq + sp.seq_len;
    if (th->flags & SYNACK_TCP_ACK) {
        sp.ack_given = true;
        sp.ack = s->from_stack ? rel_peer(t, th->ack) : rel_stack(t, th->ack);
    }
    if (!s->from_stack || !t->meta->ignore_window) {
        sp.win_given = true;
        sp.win = th->window;
    }
    if ((th->flags & SYNACK_TCP_URG) || th->urg_ptr) {
        sp.urg_given = true;
        sp.urg = th->urg_ptr;
    }
    bool syn_only = (th->flags & (SYNACK_TCP_SYN | SYNACK_TCP_ACK)) == SYNACK_TCP_SYN;
    if (s->from_stack && (t->meta->ignore_options || syn_only)) {
        sp.opts_mode = SCRIPT_OPTS_ANY; /* an active OPEN's SYN offers what the stack has */
    } else if (th->options_len) {
        sp.opts_mode = SCRIPT_OPTS_LIST;
        sp.opt_count = options_of(t, s, opts, 40);
        if (!s->from_stack && syn_only && t->passive)
            sp.opt_count = peer_syn_offers(t, opts, sp.opt_count);
        sp.opts = opts;
        if (sp.opt_count == 0)
            sp.opts_mode = SCRIPT_OPTS_NONE;
    }
    char text[1024];
    script_packet_format(&sp, text, sizeof text);
    emit_line(t, s->p->number, 0, "%" PRId64 ".%06" PRId64 " %s", s->t / 1000000,
              s->t % 1000000, text);
}

/* ---- the application's calls ---- */

struct placed {
    size_t slot;   /* emitted before segment `slot` (slot == n: after the last) */
    int64_t t;
};

/* Where the data octets [from, from+n) of the peer are all in, contiguously:
 * the index of the segment that completes them, or n. */
static size_t peer_data_complete(const struct tr *t, uint32_t from, uint32_t n)
{
    uint32_t base = t->peer_syn ? t->peer_isn + 1 : 0, have = 0; /* octets in order */
    bool started = t->peer_syn;
    for (size_t i = 0; i < t->n; i++) {
        const struct seg *s = &t->segs[i];
        if (s->from_stack || s->th.payload_len == 0)
            continue;
        if (!started) {
            base = s->th.seq;
            started = true;
        }
        uint32_t off = s->th.seq - base + ((s->th.flags & SYNACK_TCP_SYN) ? 1 : 0);
        uint32_t end = off + (uint32_t)s->th.payload_len;
        if (off <= have && end > have)
            have = end;
        if (have >= from + n)
            return i;
    }
    return t->n;
}

/* After segment i: past the stack's pure ACKs that answer it (a call that
 * follows a packet follows what the stack sent at once in reply, as a
 * script would write it), up to its next data, FIN or RST. */
static size_t after_acks(const struct tr *t, size_t i)
{
    size_t slot = i + 1;
    while (slot < t->n && t->segs[slot].from_stack && t->segs[slot].th.payload_len == 0 &&
           !(t->segs[slot].th.flags & (SYNACK_TCP_FIN | SYNACK_TCP_RST | SYNACK_TCP_SYN)))
        slot++;
    return slot;
}

static int place_app(struct tr *t, struct placed *pl)
{
    const struct pcap_meta *m = t->meta;
    size_t cur = 0;
    int64_t cur_t = 0;
    uint32_t written = 0, read = 0;
    for (size_t k = 0; k < m->app_count; k++) {
        const struct meta_app *a = &m->app[k];
        const char *name = meta_app_name(a->kind);
        size_t slot = t->n;
        int64_t when = -1;
        if (a->at_given) {
            when = (int64_t)((double)a->at_us * m->time_scale + 0.5);
            for (slot = 0; slot < t->n && t->segs[slot].t <= when; slot++)
                ;
            if (slot < cur || when < cur_t)
                return fail(t, "%s:%u: app %s at %.6f s comes before the call before it",
                            m->path ? m->path : "metadata", a->line, name, a->at_us / 1e6);
        } else {
            switch (a->kind) {
            case META_APP_LISTEN:
                slot = 0, when = 0;
                break;
            case META_APP_CONNECT:
                for (slot = cur; slot < t->n && !(t->segs[slot].from_stack &&
                                                  is_pure_syn(&t->segs[slot].th)); slot++)
                    ;
                break;
            case META_APP_ACCEPT: {
                size_t i = cur;
                bool synack = false;
                for (; i < t->n; i++) {
                    const struct seg *s = &t->segs[i];
                    if (s->from_stack && (s->th.flags & SYNACK_TCP_SYN))
                        synack = true;
                    else if (synack && !s->from_stack && (s->th.flags & SYNACK_TCP_ACK) &&
                             !(s->th.flags & (SYNACK_TCP_SYN | SYNACK_TCP_RST)) &&
                             s->th.ack == t->stack_isn + 1)
                        break;
                }
                slot = i < t->n ? after_acks(t, i) : t->n + 1;
                if (i < t->n)
                    when = t->segs[slot - 1].t;
                break;
            }
            case META_APP_WRITE: {
                uint32_t target = (t->stack_syn ? t->stack_isn + 1 : 0) + written;
                for (slot = cur; slot < t->n; slot++) {
                    const struct seg *s = &t->segs[slot];
                    uint32_t d = s->th.seq + ((s->th.flags & SYNACK_TCP_SYN) ? 1 : 0);
                    if (s->from_stack && s->th.payload_len &&
                        target - d < (uint32_t)s->th.payload_len)
                        break;
                }
                break;
            }
            case META_APP_READ: {
                size_t i = peer_data_complete(t, read, a->n);
                slot = i < t->n ? after_acks(t, i) : t->n + 1;
                if (i < t->n)
                    when = t->segs[slot - 1].t;
                if (slot < cur)
                    slot = cur, when = cur_t;
                break;
            }
            case META_APP_SHUTDOWN:
            case META_APP_CLOSE:
                for (slot = cur; slot < t->n; slot++) {
                    const struct seg *s = &t->segs[slot];
                    uint8_t want = SYNACK_TCP_FIN | (a->kind == META_APP_CLOSE ? SYNACK_TCP_RST : 0);
                    if (s->from_stack && (s->th.flags & want))
                        break;
                }
                break;
            }
            if (slot > t->n)
                return fail(t, "%s:%u: app %s: the capture does not show it happen (%s); "
                               "give its time with 'at SECONDS'",
                            m->path ? m->path : "metadata", a->line, name,
                            a->kind == META_APP_ACCEPT ? "no ACK completes the handshake"
                                                       : "the peer never sends that much data");
            bool after = a->kind == META_APP_LISTEN || a->kind == META_APP_ACCEPT ||
                         a->kind == META_APP_READ; /* placed after a packet: n is fine */
            if (slot == t->n && !after)
                return fail(t, "%s:%u: app %s: the capture does not show it happen (%s); "
                               "give its time with 'at SECONDS'",
                            m->path ? m->path : "metadata", a->line, name,
                            a->kind == META_APP_CONNECT ? "the stack sends no SYN"
                            : a->kind == META_APP_WRITE ? "the stack never sends those octets"
                            : a->kind == META_APP_SHUTDOWN ? "the stack sends no FIN"
                                                           : "the stack sends no FIN or RST");
            if (when < 0)
                when = slot < t->n ? t->segs[slot].t : cur_t;
        }
        if (slot < cur) {
            slot = cur;
            when = cur_t;
        }
        if (when < cur_t)
            when = cur_t;
        if (a->kind == META_APP_WRITE)
            written += a->n;
        if (a->kind == META_APP_READ)
            read += a->n;
        pl[k].slot = slot;
        pl[k].t = when;
        cur = slot;
        cur_t = when;
    }
    return 0;
}

static int check_app_order(struct tr *t)
{
    const struct pcap_meta *m = t->meta;
    bool opened = false, listening = false, accepted = false;
    for (size_t k = 0; k < m->app_count; k++) {
        const struct meta_app *a = &m->app[k];
        const char *why = NULL;
        switch (a->kind) {
        case META_APP_LISTEN:
            why = opened ? "the socket is already open" : NULL;
            opened = listening = true;
            break;
        case META_APP_CONNECT:
            why = opened ? "the socket is already open" : NULL;
            opened = accepted = true;
            break;
        case META_APP_ACCEPT:
            why = !listening ? "accept needs listen first" : accepted ? "accepted already" : NULL;
            accepted = true;
            break;
        default:
            why = !accepted ? "needs a connection first (connect, or listen and accept)" : NULL;
            break;
        }
        if (why)
            return fail(t, "%s:%u: app %s: %s", m->path ? m->path : "metadata", a->line,
                        meta_app_name(a->kind), why);
    }
    return 0;
}

static void emit_app(struct tr *t, const struct meta_app *a, int64_t when)
{
    char ts[40];
    snprintf(ts, sizeof ts, "%" PRId64 ".%06" PRId64, when / 1000000, when % 1000000);
    int fd = t->passive ? 4 : 3;
    unsigned ml = a->line;
    switch (a->kind) {
    case META_APP_LISTEN:
        emit_line(t, 0, ml, "%s socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", ts);
        emit_line(t, 0, ml, "%s setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0", ts);
        emit_line(t, 0, ml, "%s bind(3, ..., ...) = 0", ts);
        emit_line(t, 0, ml, "%s listen(3, 1) = 0", ts);
        break;
    case META_APP_CONNECT:
        emit_line(t, 0, ml, "%s socket(..., SOCK_STREAM, IPPROTO_TCP) = 3", ts);
        emit_line(t, 0, ml, "%s fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0", ts);
        emit_line(t, 0, ml, "%s connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)", ts);
        break;
    case META_APP_ACCEPT:
        emit_line(t, 0, ml, "%s accept(3, ..., ...) = 4", ts);
        break;
    case META_APP_WRITE:
        emit_line(t, 0, ml, "%s write(%d, ..., %u) = %u", ts, fd, a->n, a->n);
        break;
    case META_APP_READ:
        emit_line(t, 0, ml, "%s read(%d, ..., %u) = %u", ts, fd, a->n, a->n);
        break;
    case META_APP_SHUTDOWN:
        emit_line(t, 0, ml, "%s shutdown(%d, SHUT_WR) = 0", ts, fd);
        break;
    case META_APP_CLOSE:
        emit_line(t, 0, ml, "%s close(%d) = 0", ts, fd);
        break;
    }
}

/* ---- the whole script ---- */

static void emit_header(struct tr *t)
{
    const struct pcap_meta *m = t->meta;
    char s[CONV_ENDPOINT_LEN], p[CONV_ENDPOINT_LEN], a[48];
    const struct seg *first = &t->segs[0], *last = &t->segs[t->n - 1];
    emit_line(t, 0, 0, "// Generated by synack pcap2pkt from %s, frames %u to %u.", t->cap->name,
              first->p->number, last->p->number);
    emit_line(t, 0, 0, "// The stack under test was %s, its peer %s%s.",
              conv_endpoint_str(&t->stack, s, sizeof s), conv_endpoint_str(&t->peer, p, sizeof p),
              t->passive ? " (the script uses port 40000 for it)" : "");
    if (m->description) {
        const char *d = m->description;
        while (*d) { /* wrapped at about 72 columns */
            size_t n = strlen(d);
            if (n > 72) {
                n = 72;
                while (n > 20 && d[n] != ' ')
                    n--;
            }
            emit_line(t, 0, 0, "// %.*s", (int)n, d);
            d += n;
            while (*d == ' ')
                d++;
        }
    }
    if (m->ignore_window || m->ignore_options)
        emit_line(t, 0, 0, "// Not compared (metadata 'ignore'):%s%s", m->ignore_window ? " window" : "",
                  m->ignore_options ? " options" : "");
    if (m->ignore_psh)
        emit_line(t, 0, 0, "// @ignore psh");
    emit_line(t, 0, 0, "--tolerance_usecs=%" PRId64,
              m->tolerance_given ? m->tolerance_us : (int64_t)SCRIPT_DEFAULT_TOLERANCE_USECS);
    if (t->stack.addr.family == SYNACK_AF_INET6) /* runs in an ipv6 pass alone */
        emit_line(t, 0, 0, "--ip_version=ipv6");
    emit_line(t, 0, 0, "--local_ip=%s", ipstr(&t->stack.addr, a, sizeof a));
    emit_line(t, 0, 0, "--remote_ip=%s", ipstr(&t->peer.addr, a, sizeof a));
    if (t->passive)
        emit_line(t, 0, 0, "--bind_port=%u", t->stack.port);
    else
        emit_line(t, 0, 0, "--connect_port=%u", t->peer.port);
    /* (an ipv6 script without --mtu runs with 20 more than the default) */
    bool v6 = t->stack.addr.family == SYNACK_AF_INET6;
    if (t->mtu && (t->mtu != SCRIPT_DEFAULT_MTU || v6))
        emit_line(t, 0, 0, "--mtu=%u", t->mtu);
    for (size_t i = 0; i < m->req_count; i++)
        emit_line(t, 0, 0, "// @req %s", m->reqs[i]);
    for (size_t i = 0; i < m->expect_count; i++)
        emit_line(t, 0, 0, "// @oracle-expect %s", m->oracle_expect[i]);
}

int pcap_translate(const struct capture *cap, const struct pcap_meta *meta,
                   struct pcap_script *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct tr t = {.cap = cap, .meta = meta, .err = err, .errlen = errlen};
    struct conv_list cl;
    const struct conversation *cv;
    struct placed *pl = NULL;
    int rc = -1;
    if (conv_find(cap, &cl, err, errlen) < 0)
        return -1;
    if (conv_select(cap, &cl, meta->stack_given ? &meta->stack : NULL,
                    meta->peer_given ? &meta->peer : NULL, &cv, err, errlen) < 0)
        goto out;
    if (choose_stack(&t, cv) < 0 || parse_segments(&t, cv) < 0 || check_app_order(&t) < 0)
        goto out;
    pl = calloc(meta->app_count ? meta->app_count : 1, sizeof *pl);
    if (!pl) {
        fail(&t, "out of memory");
        goto out;
    }
    if (place_app(&t, pl) < 0)
        goto out;
    emit_header(&t);
    size_t k = 0;
    for (size_t i = 0; i <= t.n; i++) {
        while (k < meta->app_count && pl[k].slot <= i) {
            emit_app(&t, &meta->app[k], pl[k].t);
            k++;
        }
        if (i < t.n)
            emit_segment(&t, &t.segs[i]);
    }
    if (t.oom) {
        fail(&t, "out of memory");
        goto out;
    }
    out->text = t.text;
    out->len = t.len;
    out->lines = t.lines;
    out->line_frame = t.line_frame;
    out->line_meta = t.line_meta;
    out->stack = t.stack;
    out->peer = t.peer;
    t.text = NULL;
    t.line_frame = t.line_meta = NULL;
    rc = 0;
out:
    free(pl);
    free(t.segs);
    free(t.text);
    free(t.line_frame);
    free(t.line_meta);
    conv_list_free(&cl);
    return rc;
}

void pcap_script_free(struct pcap_script *ps)
{
    if (!ps)
        return;
    free(ps->text);
    free(ps->line_frame);
    free(ps->line_meta);
    memset(ps, 0, sizeof *ps);
}

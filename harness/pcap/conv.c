/* TCP conversations of a capture: grouped by the unordered pair of
 * endpoints, in the order their first packets appear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#include "pcap/conv.h"

/* The endpoints of a TCP/IPv4 datagram; false if it is not one (or is a
 * fragment after the first, which carries no ports). */
static bool tcp_endpoints(const struct cap_packet *p, struct conv_endpoint *src,
                          struct conv_endpoint *dst, uint8_t *flags)
{
    struct synack_ipv4 ip;
    struct synack_wire_error we;
    if (synack_ipv4_parse(p->data, p->len, WIRE_PARSE_NO_CHECKSUM, &ip, &we) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP || (ip.frag & SYNACK_IP_OFFMASK) || ip.payload_len < 4)
        return false;
    src->addr = ip.src;
    dst->addr = ip.dst;
    src->port = synack_get16(ip.payload);
    dst->port = synack_get16(ip.payload + 2);
    *flags = ip.payload_len >= 14 ? ip.payload[13] : 0;
    return true;
}

static bool ep_eq(const struct conv_endpoint *x, const struct conv_endpoint *y)
{
    return x->addr == y->addr && x->port == y->port;
}

bool conv_has(const struct conversation *cv, const struct conv_endpoint *ep)
{
    bool any = ep->port == 0;
    return (cv->a.addr == ep->addr && (any || cv->a.port == ep->port)) ||
           (cv->b.addr == ep->addr && (any || cv->b.port == ep->port));
}

static int push_idx(struct conversation *cv, size_t i, size_t *cap)
{
    if (cv->count == *cap) {
        size_t n = *cap ? *cap * 2 : 16;
        size_t *v = realloc(cv->idx, n * sizeof *v);
        if (!v)
            return -1;
        cv->idx = v;
        *cap = n;
    }
    cv->idx[cv->count++] = i;
    return 0;
}

int conv_find(const struct capture *c, struct conv_list *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, *idx_cap = NULL;
    bool oom = false;
    for (size_t i = 0; i < c->count && !oom; i++) {
        struct conv_endpoint s, d;
        uint8_t flags;
        if (!tcp_endpoints(&c->pkts[i], &s, &d, &flags))
            continue;
        size_t k;
        for (k = 0; k < out->count; k++) {
            struct conversation *cv = &out->v[k];
            if ((ep_eq(&cv->a, &s) && ep_eq(&cv->b, &d)) || (ep_eq(&cv->a, &d) && ep_eq(&cv->b, &s)))
                break;
        }
        if (k == out->count) {
            if (out->count == cap) {
                size_t n = cap ? cap * 2 : 8;
                struct conversation *v = realloc(out->v, n * sizeof *v);
                size_t *ic = realloc(idx_cap, n * sizeof *ic);
                if (v)
                    out->v = v;
                if (ic)
                    idx_cap = ic;
                if (!v || !ic) {
                    oom = true;
                    break;
                }
                cap = n;
            }
            memset(&out->v[k], 0, sizeof out->v[k]);
            idx_cap[k] = 0;
            out->v[k].a = s;
            out->v[k].b = d;
            out->count++;
        }
        struct conversation *cv = &out->v[k];
        /* a is the side that sent the first SYN without ACK, when there is one */
        bool pure_syn = (flags & SYNACK_TCP_SYN) && !(flags & SYNACK_TCP_ACK);
        if (pure_syn && !ep_eq(&cv->a, &s)) {
            bool a_sent_syn = false;
            for (size_t j = 0; j < cv->count && !a_sent_syn; j++) {
                struct conv_endpoint s2, d2;
                uint8_t f2;
                tcp_endpoints(&c->pkts[cv->idx[j]], &s2, &d2, &f2);
                a_sent_syn = ep_eq(&s2, &cv->a) && (f2 & SYNACK_TCP_SYN) && !(f2 & SYNACK_TCP_ACK);
            }
            if (!a_sent_syn) {
                cv->b = cv->a;
                cv->a = s;
            }
        }
        if (push_idx(cv, i, &idx_cap[k]) < 0)
            oom = true;
    }
    free(idx_cap);
    if (oom) {
        conv_list_free(out);
        snprintf(err, errlen, "%s: out of memory", c->name);
        return -1;
    }
    if (out->count == 0) {
        snprintf(err, errlen, "%s: no TCP segment in %u frames (%zu IPv4 datagrams)", c->name,
                 c->frames, c->count);
        return -1;
    }
    return 0;
}

void conv_list_free(struct conv_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->v[i].idx);
    free(l->v);
    memset(l, 0, sizeof *l);
}

char *conv_endpoint_str(const struct conv_endpoint *ep, char *buf, size_t len)
{
    uint32_t a = ep->addr;
    if (ep->port)
        snprintf(buf, len, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
                 ep->port);
    else
        snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
    return buf;
}

int conv_endpoint_parse(const char *s, struct conv_endpoint *ep)
{
    unsigned v[4];
    unsigned long port = 0;
    int n = 0;
    if (sscanf(s, "%3u.%3u.%3u.%3u%n", &v[0], &v[1], &v[2], &v[3], &n) != 4)
        return -1;
    if (v[0] > 255 || v[1] > 255 || v[2] > 255 || v[3] > 255)
        return -1;
    const char *rest = s + n;
    if (*rest == ':') {
        char *end;
        if (rest[1] < '0' || rest[1] > '9')
            return -1;
        port = strtoul(rest + 1, &end, 10);
        if (*end || port == 0 || port > 65535)
            return -1;
    } else if (*rest) {
        return -1;
    }
    ep->addr = v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3];
    ep->port = (uint16_t)port;
    return 0;
}

static void describe(const struct capture *c, const struct conversation *cv, char *buf, size_t n)
{
    char a[32], b[32];
    snprintf(buf, n, "%s <> %s (%zu packets, frames %u-%u)", conv_endpoint_str(&cv->a, a, sizeof a),
             conv_endpoint_str(&cv->b, b, sizeof b), cv->count, c->pkts[cv->idx[0]].number,
             c->pkts[cv->idx[cv->count - 1]].number);
}

int conv_select(const struct capture *c, const struct conv_list *l,
                const struct conv_endpoint *stack, const struct conv_endpoint *peer,
                const struct conversation **out, char *err, size_t errlen)
{
    const struct conversation *found = NULL;
    size_t matches = 0;
    for (size_t i = 0; i < l->count; i++) {
        const struct conversation *cv = &l->v[i];
        if ((stack && !conv_has(cv, stack)) || (peer && !conv_has(cv, peer)))
            continue;
        if (!found)
            found = cv;
        matches++;
    }
    if (matches == 1) {
        *out = found;
        return 0;
    }
    char list[900] = "";
    size_t used = 0;
    for (size_t i = 0; i < l->count && used + 2 < sizeof list; i++) {
        const struct conversation *cv = &l->v[i];
        if (matches && ((stack && !conv_has(cv, stack)) || (peer && !conv_has(cv, peer))))
            continue;
        char d[200];
        describe(c, cv, d, sizeof d);
        int w = snprintf(list + used, sizeof list - used, "%s%s", used ? "; " : "", d);
        if (w < 0)
            break;
        used += (size_t)w;
        if (used >= sizeof list)
            used = sizeof list - 1;
    }
    char s1[32] = "", s2[32] = "";
    if (stack)
        conv_endpoint_str(stack, s1, sizeof s1);
    if (peer)
        conv_endpoint_str(peer, s2, sizeof s2);
    if (matches == 0)
        snprintf(err, errlen, "%s: no TCP conversation with %s%s%s%s (there are: %s)", c->name,
                 stack ? "stack " : "", s1, stack && peer ? " and peer " : peer ? "peer " : "",
                 s2, list);
    else
        snprintf(err, errlen,
                 "%s: %zu TCP conversations%s%s%s; choose one with 'peer ADDR:PORT' in the "
                 "metadata (or --peer): %s",
                 c->name, matches, stack ? " with stack " : "", s1, peer ? " and that peer" : "",
                 list);
    *out = NULL;
    return -1;
}

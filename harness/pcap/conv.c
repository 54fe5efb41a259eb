/* TCP conversations of a capture: grouped by the unordered pair of
 * endpoints, in the order their first packets appear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <synack/wire.h>

#include "pcap/conv.h"

bool conv_tcp_endpoints(const uint8_t *pkt, size_t len, struct conv_endpoint *src,
                        struct conv_endpoint *dst, uint8_t *flags)
{
    struct synack_ip_view ip;
    if (synack_ip_view_parse(pkt, len, WIRE_PARSE_NO_CHECKSUM, &ip, NULL) != WIRE_OK ||
        ip.proto != SYNACK_IPPROTO_TCP || ip.fragment || ip.l4_len < 4)
        return false;
    src->addr = ip.src;
    dst->addr = ip.dst;
    src->port = synack_get16(ip.l4);
    dst->port = synack_get16(ip.l4 + 2);
    *flags = ip.l4_len >= 14 ? ip.l4[13] : 0;
    return true;
}

static bool tcp_endpoints(const struct cap_packet *p, struct conv_endpoint *src,
                          struct conv_endpoint *dst, uint8_t *flags)
{
    return conv_tcp_endpoints(p->data, p->len, src, dst, flags);
}

static bool ep_eq(const struct conv_endpoint *x, const struct conv_endpoint *y)
{
    return synack_addr_eq(&x->addr, &y->addr) && x->port == y->port;
}

bool conv_endpoint_matches(const struct conv_endpoint *sel, const struct conv_endpoint *ep)
{
    return synack_addr_eq(&sel->addr, &ep->addr) && (sel->port == 0 || sel->port == ep->port);
}

bool conv_has(const struct conversation *cv, const struct conv_endpoint *ep)
{
    return conv_endpoint_matches(ep, &cv->a) || conv_endpoint_matches(ep, &cv->b);
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
        if (c->malformed)
            snprintf(err, errlen, "%s: no TCP segment in %u frames (%zu IP datagrams, %u of "
                     "them malformed, the first %s)", c->name, c->frames, c->count,
                     c->malformed, c->malformed_first);
        else
            snprintf(err, errlen, "%s: no TCP segment in %u frames (%zu IP datagrams)",
                     c->name, c->frames, c->count);
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
    char a[48];
    synack_addr_format(&ep->addr, a, sizeof a);
    bool v6 = ep->addr.family == SYNACK_AF_INET6;
    if (ep->port)
        snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", a, ep->port);
    else
        snprintf(buf, len, "%s", a);
    return buf;
}

static int parse_port(const char *s, uint16_t *port)
{
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int conv_endpoint_parse(const char *s, struct conv_endpoint *ep)
{
    struct synack_addr a;
    uint16_t port = 0;
    const char *colon = strchr(s, ':');
    if (s[0] == '[') { /* [IPv6]:PORT (RFC 3986 3.2.2's brackets) */
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || !synack_addr_parse(s + 1, (size_t)(close - s - 1), &a) ||
            a.family != SYNACK_AF_INET6 || parse_port(close + 2, &port) < 0)
            return -1;
    } else if (colon && strchr(colon + 1, ':')) { /* IPv6 without a port */
        if (!synack_addr_parse(s, strlen(s), &a) || a.family != SYNACK_AF_INET6)
            return -1;
    } else { /* IPv4[:PORT] */
        size_t n = colon ? (size_t)(colon - s) : strlen(s);
        if (!synack_addr_parse(s, n, &a) || a.family != SYNACK_AF_INET ||
            (colon && parse_port(colon + 1, &port) < 0))
            return -1;
    }
    ep->addr = a;
    ep->port = port;
    return 0;
}

static void describe(const struct capture *c, const struct conversation *cv, char *buf, size_t n)
{
    char a[CONV_ENDPOINT_LEN], b[CONV_ENDPOINT_LEN];
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
    char s1[CONV_ENDPOINT_LEN] = "", s2[CONV_ENDPOINT_LEN] = "";
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

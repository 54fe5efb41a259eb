/* The outbound packet queue of the real-time targets. */
#include <linux/if_packet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "target/pktq.h"

bool pktq_push(struct pktq *q, const uint8_t *pkt, size_t len, int64_t when)
{
    if (q->count == PKTQ_MAX) {
        q->dropped++;
        return false;
    }
    struct pktq_item *p = &q->q[(q->head + q->count) % PKTQ_MAX];
    p->data = malloc(len ? len : 1);
    if (!p->data) {
        q->dropped++;
        return false;
    }
    memcpy(p->data, pkt, len);
    p->len = len;
    p->when = when;
    q->count++;
    return true;
}

bool pktq_pop(struct pktq *q, uint8_t *buf, size_t cap, size_t *len, int64_t *when)
{
    if (q->count == 0)
        return false;
    struct pktq_item *p = &q->q[q->head];
    size_t n = p->len < cap ? p->len : cap;
    memcpy(buf, p->data, n);
    *len = n;
    *when = p->when;
    free(p->data);
    q->head = (q->head + 1) % PKTQ_MAX;
    q->count--;
    return true;
}

void pktq_sniff(struct pktq *q, int psock, uint8_t *buf, size_t cap, int64_t now, bool ipv6,
                uint64_t *not_ipv4)
{
    for (;;) {
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t r = recvfrom(psock, buf, cap, 0, (struct sockaddr *)&from, &fl);
        if (r < 0)
            return;
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue;
        if (r < 1 || ((buf[0] >> 4) != 4 && !(ipv6 && (buf[0] >> 4) == 6))) {
            (*not_ipv4)++;
            continue;
        }
        pktq_push(q, buf, (size_t)r, now);
    }
}

void pktq_clear(struct pktq *q)
{
    while (q->count) {
        free(q->q[q->head].data);
        q->head = (q->head + 1) % PKTQ_MAX;
        q->count--;
    }
}

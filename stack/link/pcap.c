/* pcap recording through libpcap: a dead handle of link type DLT_RAW
 * (LINKTYPE_RAW, raw IPv4) and a dumper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <synack/link_pcap.h>

#define SNAPLEN 65535

struct synack_pcap {
    pcap_t *dead;
    pcap_dumper_t *dumper;
};

struct synack_pcap *synack_pcap_open(const char *path, char *errbuf)
{
    struct synack_pcap *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(errbuf, 256, "out of memory");
        return NULL;
    }
    p->dead = pcap_open_dead(DLT_RAW, SNAPLEN);
    if (!p->dead) {
        snprintf(errbuf, 256, "pcap_open_dead failed");
        free(p);
        return NULL;
    }
    p->dumper = pcap_dump_open(p->dead, path);
    if (!p->dumper) {
        snprintf(errbuf, 256, "%s: %s", path, pcap_geterr(p->dead));
        pcap_close(p->dead);
        free(p);
        return NULL;
    }
    return p;
}

int synack_pcap_write(struct synack_pcap *p, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(now / 1000000u);
    h.ts.tv_usec = (suseconds_t)(now % 1000000u);
    h.caplen = (bpf_u_int32)(len > SNAPLEN ? SNAPLEN : len);
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)p->dumper, &h, pkt);
    return 0;
}

int synack_pcap_close(struct synack_pcap *p)
{
    if (!p)
        return 0;
    int r = 0;
    if (pcap_dump_flush(p->dumper) != 0)
        r = -1;
    pcap_dump_close(p->dumper);
    pcap_close(p->dead);
    free(p);
    return r;
}

void synack_pcap_tap(void *ctx, int end, const uint8_t *pkt, size_t len, uint64_t now)
{
    (void)end;
    synack_pcap_write(ctx, pkt, len, now);
}

static int tee_send(void *ctx, const uint8_t *pkt, size_t len, uint64_t now)
{
    struct synack_pcap_tee *tee = ctx;
    synack_pcap_write(tee->pcap, pkt, len, now);
    return tee->inner.send(tee->inner.ctx, pkt, len, now);
}

struct synack_link synack_pcap_tee_link(struct synack_pcap_tee *tee)
{
    return (struct synack_link){.send = tee_send, .ctx = tee};
}

void synack_pcap_tee_input(struct synack_pcap_tee *tee, const uint8_t *pkt, size_t len,
                           uint64_t now)
{
    synack_pcap_write(tee->pcap, pkt, len, now);
}

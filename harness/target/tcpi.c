/* TCP_INFO by Linux's field names (target/tcpi.h). The list of fields is
 * packetdrill's (code.c, write_tcp_info on Linux); the layout is the
 * kernel's <linux/tcp.h>. */
#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>

#include "target/tcpi.h"

static void add(struct target_tcpi *t, const char *name, uint64_t v)
{
    if (t->count < TCPI_MAX)
        t->f[t->count++] = (struct tcpi_field){name, v};
}

/* Linux tcpi_state numbers of RFC 9293's states. */
static uint64_t linux_state(uint8_t st)
{
    static const uint8_t map[SYNACK_STATE_COUNT] = {
        [SYNACK_CLOSED] = 7,      [SYNACK_LISTEN] = 10,    [SYNACK_SYN_SENT] = 2,
        [SYNACK_SYN_RECEIVED] = 3, [SYNACK_ESTABLISHED] = 1, [SYNACK_FIN_WAIT_1] = 4,
        [SYNACK_FIN_WAIT_2] = 5,  [SYNACK_CLOSE_WAIT] = 8, [SYNACK_CLOSING] = 11,
        [SYNACK_LAST_ACK] = 9,    [SYNACK_TIME_WAIT] = 6,
    };
    return st < SYNACK_STATE_COUNT ? map[st] : 0;
}

void tcpi_from_status(const struct synack_tcp_info *i, struct target_tcpi *out)
{
    uint32_t mss = i->snd_mss ? i->snd_mss : 1;
    out->count = 0;
    add(out, "tcpi_state", linux_state(i->state));
    add(out, "tcpi_retransmits", i->retransmits);
    add(out, "tcpi_backoff", i->backoff);
    add(out, "tcpi_options", i->options); /* what both SYNs negotiated */
    add(out, "tcpi_snd_wscale", i->snd_wscale);
    add(out, "tcpi_rcv_wscale", i->rcv_wscale);
    add(out, "tcpi_rto", i->rto_us);
    add(out, "tcpi_snd_mss", i->snd_mss);
    add(out, "tcpi_advmss", i->rcv_mss); /* the MSS we announced */
    /* Linux counts segments in flight; synack knows octets: at the send
     * MSS, exact when the segments in flight are full-sized (or none). */
    add(out, "tcpi_unacked", (i->unacked + mss - 1) / mss);
    add(out, "tcpi_rtt", i->srtt_us);
    add(out, "tcpi_rttvar", i->rttvar_us);
    add(out, "tcpi_snd_ssthresh", i->ssthresh == UINT32_MAX ? 0x7fffffff : i->ssthresh / mss);
    add(out, "tcpi_snd_cwnd", i->cwnd / mss);
    add(out, "tcpi_total_retrans", i->total_retrans);
}

/* Fields of struct tcp_info that are whole octets, in packetdrill's order. */
#define TCPI_FIELD(f) {"tcpi_" #f, offsetof(struct tcp_info, tcpi_##f), \
                       sizeof(((struct tcp_info *)0)->tcpi_##f)}
static const struct {
    const char *name;
    size_t off, size;
} linux_fields[] = {
    TCPI_FIELD(state), TCPI_FIELD(ca_state), TCPI_FIELD(retransmits), TCPI_FIELD(probes),
    TCPI_FIELD(backoff), TCPI_FIELD(options), TCPI_FIELD(rto), TCPI_FIELD(ato),
    TCPI_FIELD(snd_mss), TCPI_FIELD(rcv_mss), TCPI_FIELD(unacked), TCPI_FIELD(sacked),
    TCPI_FIELD(lost), TCPI_FIELD(retrans), TCPI_FIELD(fackets), TCPI_FIELD(last_data_sent),
    TCPI_FIELD(last_ack_sent), TCPI_FIELD(last_data_recv), TCPI_FIELD(last_ack_recv),
    TCPI_FIELD(pmtu), TCPI_FIELD(rcv_ssthresh), TCPI_FIELD(rtt), TCPI_FIELD(rttvar),
    TCPI_FIELD(snd_ssthresh), TCPI_FIELD(snd_cwnd), TCPI_FIELD(advmss), TCPI_FIELD(reordering),
    TCPI_FIELD(total_retrans), TCPI_FIELD(pacing_rate), TCPI_FIELD(max_pacing_rate),
    TCPI_FIELD(rcv_rtt), TCPI_FIELD(rcv_space), TCPI_FIELD(bytes_acked),
    TCPI_FIELD(bytes_received), TCPI_FIELD(segs_out), TCPI_FIELD(segs_in),
    TCPI_FIELD(notsent_bytes), TCPI_FIELD(min_rtt), TCPI_FIELD(data_segs_in),
    TCPI_FIELD(data_segs_out), TCPI_FIELD(delivery_rate), TCPI_FIELD(busy_time),
    TCPI_FIELD(rwnd_limited), TCPI_FIELD(sndbuf_limited), TCPI_FIELD(delivered),
    TCPI_FIELD(delivered_ce), TCPI_FIELD(bytes_sent), TCPI_FIELD(bytes_retrans),
    TCPI_FIELD(dsack_dups), TCPI_FIELD(reord_seen),
};
#define LINUX_FIELDS (sizeof linux_fields / sizeof linux_fields[0])

/* The bit fields packetdrill exports besides: in the octets after tcpi_options. */
static const char *const linux_bitfields[] = {
    "tcpi_snd_wscale", "tcpi_rcv_wscale", "tcpi_delivery_rate_app_limited",
};

void tcpi_from_linux(const void *tcp_info, size_t len, struct target_tcpi *out)
{
    struct tcp_info ti;
    memset(&ti, 0, sizeof ti);
    memcpy(&ti, tcp_info, len < sizeof ti ? len : sizeof ti);
    const uint8_t *base = (const uint8_t *)&ti;
    out->count = 0;
    for (size_t i = 0; i < LINUX_FIELDS; i++) {
        if (linux_fields[i].off + linux_fields[i].size > len)
            continue; /* an older kernel's shorter struct */
        uint64_t v = 0;
        if (linux_fields[i].size == 1)
            v = base[linux_fields[i].off];
        else if (linux_fields[i].size == 4) {
            uint32_t x;
            memcpy(&x, base + linux_fields[i].off, 4);
            v = x;
        } else
            memcpy(&v, base + linux_fields[i].off, 8);
        add(out, linux_fields[i].name, v);
    }
    if (len >= offsetof(struct tcp_info, tcpi_rto)) {
        add(out, linux_bitfields[0], ti.tcpi_snd_wscale);
        add(out, linux_bitfields[1], ti.tcpi_rcv_wscale);
        add(out, linux_bitfields[2], ti.tcpi_delivery_rate_app_limited);
    }
}

static const char *const meminfo_names[] = {
    "SK_MEMINFO_RMEM_ALLOC", "SK_MEMINFO_RCVBUF", "SK_MEMINFO_WMEM_ALLOC",
    "SK_MEMINFO_SNDBUF", "SK_MEMINFO_FWD_ALLOC", "SK_MEMINFO_WMEM_QUEUED",
    "SK_MEMINFO_OPTMEM", "SK_MEMINFO_BACKLOG", "SK_MEMINFO_DROPS",
};
#define MEMINFO_NAMES (sizeof meminfo_names / sizeof meminfo_names[0])

void tcpi_add_meminfo(const uint32_t *mem, size_t count, struct target_tcpi *out)
{
    for (size_t i = 0; i < count && i < MEMINFO_NAMES; i++)
        add(out, meminfo_names[i], mem[i]);
}

bool tcpi_get(const struct target_tcpi *t, const char *name, uint64_t *v)
{
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->f[i].name, name) == 0) {
            *v = t->f[i].value;
            return true;
        }
    return false;
}

/* What packetdrill emits besides the fields: the constants of every
 * snapshot, and TCP_CC_INFO's names (for BBR, DCTCP, Vegas). */
static const struct {
    const char *name;
    uint64_t value;
} constants[] = {
    {"TCP_ESTABLISHED", 1}, {"TCP_SYN_SENT", 2}, {"TCP_SYN_RECV", 3}, {"TCP_FIN_WAIT1", 4},
    {"TCP_FIN_WAIT2", 5},   {"TCP_TIME_WAIT", 6}, {"TCP_CLOSE", 7},  {"TCP_CLOSE_WAIT", 8},
    {"TCP_LAST_ACK", 9},    {"TCP_LISTEN", 10},  {"TCP_CLOSING", 11},
    {"TCP_CA_Open", 0},     {"TCP_CA_Disorder", 1}, {"TCP_CA_CWR", 2},
    {"TCP_CA_Recovery", 3}, {"TCP_CA_Loss", 4},
    {"TCPI_OPT_TIMESTAMPS", 1}, {"TCPI_OPT_WSCALE", 4}, {"TCPI_OPT_ECN", 8},
    {"TCPI_OPT_SYN_DATA", 32},
};
static const char *const cc_names[] = {
    "bbr_bw_lo", "bbr_bw_hi", "bbr_bw", "bbr_min_rtt", "bbr_pacing_gain", "bbr_cwnd_gain",
    "dctcp_enabled", "dctcp_ce_state", "dctcp_alpha", "dctcp_ab_ecn", "dctcp_ab_tot",
    "tcpv_enabled", "tcpv_rttcnt", "tcp_rtt", "tcp_minrtt",
};

const char *tcpi_constant(size_t i, uint64_t *value)
{
    if (i >= sizeof constants / sizeof constants[0])
        return NULL;
    *value = constants[i].value;
    return constants[i].name;
}

bool tcpi_exported(const char *name)
{
    for (size_t i = 0; i < LINUX_FIELDS; i++)
        if (strcmp(linux_fields[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < sizeof linux_bitfields / sizeof linux_bitfields[0]; i++)
        if (strcmp(linux_bitfields[i], name) == 0)
            return true;
    for (size_t i = 0; i < MEMINFO_NAMES; i++)
        if (strcmp(meminfo_names[i], name) == 0)
            return true;
    for (size_t i = 0; i < sizeof cc_names / sizeof cc_names[0]; i++)
        if (strcmp(cc_names[i], name) == 0)
            return true;
    uint64_t v;
    for (size_t i = 0; tcpi_constant(i, &v); i++)
        if (strcmp(tcpi_constant(i, &v), name) == 0)
            return true;
    return false;
}

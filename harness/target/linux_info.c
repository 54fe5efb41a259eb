/* Linux's struct tcp_info as synack's STATUS (target/linux_info.h). */
#include <string.h>

#include "target/linux_info.h"

/* Linux tcpi_state numbers to RFC 9293 states. */
static uint8_t state_of(uint8_t linux_state)
{
    static const uint8_t map[] = {
        [1] = SYNACK_ESTABLISHED, [2] = SYNACK_SYN_SENT,   [3] = SYNACK_SYN_RECEIVED,
        [4] = SYNACK_FIN_WAIT_1,  [5] = SYNACK_FIN_WAIT_2, [6] = SYNACK_TIME_WAIT,
        [7] = SYNACK_CLOSED,      [8] = SYNACK_CLOSE_WAIT, [9] = SYNACK_LAST_ACK,
        [10] = SYNACK_LISTEN,     [11] = SYNACK_CLOSING,
    };
    return linux_state < sizeof map ? map[linux_state] : SYNACK_CLOSED;
}

void linux_info_convert(const struct tcp_info *ti, struct synack_tcp_info *i)
{
    memset(i, 0, sizeof *i);
    uint32_t mss = ti->tcpi_snd_mss ? ti->tcpi_snd_mss : 1;
    i->state = state_of(ti->tcpi_state);
    i->snd_wscale = ti->tcpi_snd_wscale;
    i->rcv_wscale = ti->tcpi_rcv_wscale;
    i->options = ti->tcpi_options; /* the same bits (SYNACK_TCPI_OPT_*) */
    i->snd_mss = ti->tcpi_snd_mss;
    i->rcv_mss = ti->tcpi_rcv_mss;
    i->srtt_us = ti->tcpi_rtt;
    i->rttvar_us = ti->tcpi_rttvar;
    i->rto_us = ti->tcpi_rto;
    i->cwnd = ti->tcpi_snd_cwnd * mss;
    i->ssthresh = ti->tcpi_snd_ssthresh >= 0x7fffffffu ? UINT32_MAX : ti->tcpi_snd_ssthresh * mss;
    i->unacked = ti->tcpi_unacked * mss;
    i->retransmits = ti->tcpi_retransmits;
    i->total_retrans = ti->tcpi_total_retrans;
    i->backoff = ti->tcpi_backoff;
}

/* run/sample.c: after each event, what the target says of the connection
 * under test (its TCP_INFO), kept on the event's last ladder row so the
 * report can draw cwnd, windows and data in flight beside the packets. The
 * connection is the newest script socket that is neither closed nor
 * listening; a target without sock_info gives nothing. */
#include <stdio.h>

#include "run/run_internal.h"

void run_sample_tcp(struct runner *r, size_t rows_before)
{
    struct vector_result *v = r->res;
    if (!r->ops->sock_info || !r->t || v->ladder_count <= rows_before)
        return;
    for (int fd = RUN_MAX_FDS - 1; fd >= 0; fd--) {
        struct synack_tcp_info i;
        if (r->fd_map[fd] < 0 || r->ops->sock_info(r->t, r->fd_map[fd], &i) < 0 ||
            i.state == SYNACK_CLOSED || i.state == SYNACK_LISTEN || i.state >= SYNACK_STATE_COUNT)
            continue;
        struct ladder_tcp *t = &v->ladder[v->ladder_count - 1].tcp;
        *t = (struct ladder_tcp){.known = true, .cwnd = i.cwnd, .ssthresh = i.ssthresh,
                                 .snd_wnd = i.snd_wnd, .rcv_wnd = i.rcv_wnd,
                                 .in_flight = i.unacked, .srtt_us = (int64_t)i.srtt_us,
                                 .rto_us = (int64_t)i.rto_us};
        snprintf(t->state, sizeof t->state, "%s", synack_state_name((enum synack_state)i.state));
        return;
    }
}

/* RFC 9293 3.10.7.4, eighth step: FIN. A side's FIN fixes the end of its
 * stream: nothing after it, and no FIN elsewhere (data-after-fin). */
#include "oracle/model.h"

void o_check_fin(struct oracle *o, const struct o_side *s, const struct segv *v)
{
    if (!s->fin_sent)
        return;
    uint32_t dend = v->data_start + v->len;
    if (v->len && seq_gt(dend, s->fin_seq))
        o_finding(o, RULE_DATA_AFTER_FIN, "data up to relative %u after its FIN at relative %u",
                  dend - s->iss, s->fin_seq - s->iss);
    else if (HAS(v, SYNACK_TCP_FIN) && dend != s->fin_seq)
        o_finding(o, RULE_DATA_AFTER_FIN, "FIN at relative %u after its FIN at relative %u",
                  dend - s->iss, s->fin_seq - s->iss);
}

/* Its first FIN (a FIN on a SYN belongs to that SYN's incarnation). */
void o_on_fin(struct o_side *s, const struct segv *v)
{
    if (HAS(v, SYNACK_TCP_FIN) && !s->fin_sent && !HAS(v, SYNACK_TCP_SYN)) {
        s->fin_sent = true;
        s->fin_seq = v->data_start + v->len;
    }
}

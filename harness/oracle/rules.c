/* The oracle's rules: name, requirement id (vectors/requirements.tsv) and
 * what each flags. The step files implement them (model.h says which);
 * harness/README.md lists them. */
#include <string.h>

#include "oracle/model.h"

static const struct oracle_rule rules[RULE_COUNT] = {
    [RULE_ACK_UNSENT] = {"ack-of-unsent-data", "RFC9293:3.10.7.4-ack",
                         "an ACK of sequence numbers the other side never sent"},
    [RULE_BEYOND_WINDOW] = {"data-beyond-window", "RFC9293:SHLD-15",
                            "new data beyond the right edge of the window the receiver offered "
                            "(one octet past a closed window is a probe, and allowed)"},
    [RULE_SEQ_OUTSIDE] = {"seq-outside-own-space", "RFC9293:3.10.7.4-seq",
                          "a segment whose sequence number lies before the sender's ISN or "
                          "beyond anything it sent (a hole in its own stream)"},
    [RULE_RST_ANSWERS_RST] = {"rst-answers-rst", "RFC9293:3.10.7.1",
                              "a RST sent in answer to a RST"},
    [RULE_RST_UNACCEPTABLE] = {"rst-seq-unacceptable", "RFC5961:3.2",
                               "a RST in a synchronized connection whose sequence number is "
                               "outside the receiver's window, so it cannot take effect"},
    [RULE_DATA_AFTER_FIN] = {"data-after-fin", "RFC9293:3.10.7.4-fin",
                             "data, or a FIN at another sequence number, after the sender's "
                             "own FIN"},
    [RULE_MSS_NON_SYN] = {"mss-on-non-syn", "RFC9293:MUST-65",
                          "an MSS option on a segment without SYN"},
    [RULE_EXCEEDS_MSS] = {"segment-exceeds-mss", "RFC9293:MUST-16",
                          "more data in a segment than the MSS the receiver announced (536, "
                          "over IPv6 1220, without an MSS option) allows, less the TCP and IP "
                          "options"},
    [RULE_WSCALE] = {"wscale-not-negotiated", "RFC7323:2.2",
                     "a window scale option on a non-SYN segment, or on a SYN-ACK answering a "
                     "SYN that did not offer it"},
    [RULE_TS] = {"timestamps-not-negotiated", "RFC7323:3.2",
                 "a timestamps option on a non-SYN segment when both SYNs did not carry one, "
                 "or on a SYN-ACK answering a SYN without one"},
    [RULE_SACK] = {"sack-not-permitted", "RFC2018:3",
                   "SACK blocks sent to a receiver that did not send SACK-permitted, or "
                   "SACK-permitted on a SYN-ACK answering a SYN without it"},
    [RULE_RTO_MIN] = {"rto-below-minimum", "RFC6298:2.4",
                      "a retransmission by timeout less than 1 s after the timer started"},
    [RULE_RTO_EARLY] = {"retransmit-before-rto", "RFC6298:5",
                        "a retransmission by timeout earlier than the RTO that RFC 6298 gives "
                        "from the RTT samples the capture shows"},
    [RULE_RTO_BACKOFF] = {"rto-no-backoff", "RFC6298:5.5",
                          "a further retransmission by timeout less than 1.5 times the previous "
                          "interval after it (the RTO doubles, up to a cap of at least 60 s)"},
    [RULE_ACK_DELAYED] = {"ack-delayed", "RFC9293:MUST-40",
                          "in-order data or a FIN acknowledged more than 500 ms after its last "
                          "transmission"},
    [RULE_IP_CSUM] = {"bad-ip-checksum", "RFC1122:3.2.1.2",
                      "an IPv4 header checksum that does not verify"},
    [RULE_TCP_CSUM] = {"bad-tcp-checksum", "RFC9293:MUST-2",
                       "a TCP checksum that does not verify (checksums left to the NIC, as a "
                       "capture on the sending host shows them, are recognised and skipped)"},
    [RULE_RESERVED] = {"reserved-bits-set", "RFC9293:3.1-reserved",
                       "reserved bits of the TCP header set (the AE bit is allowed once "
                       "both SYNs negotiated AccECN)"},
    [RULE_BAD_OPTIONS] = {"malformed-options", "RFC9293:MUST-68",
                          "a TCP option with an illegal length, or non-zero padding after EOL "
                          "(MUST-69)"},
    [RULE_TS_ECHO] = {"ts-echo-unsent", "RFC7323:3.2-echo",
                      "a TSecr, on a segment with ACK, above every TSval the other side sent"},
    [RULE_TS_BACKWARDS] = {"ts-val-backwards", "RFC7323:5.4-monotone",
                           "a TSval on new sequence numbers (data, SYN, FIN) below the TSval of "
                           "earlier new ones of the same sender: its timestamp clock went back"},
    [RULE_SACK_BLOCK] = {"sack-block-invalid", "RFC2018:3-block",
                         "a SACK block that is empty or reversed, reaches past what the data "
                         "sender sent, or, not being the first (a D-SACK, RFC 2883), lies at or "
                         "below the cumulative ACK"},
    [RULE_ECN_UNNEGOTIATED] = {"ecn-not-negotiated", "RFC3168:6.1.1-only",
                               "an ECN codepoint, ECE or CWR on a connection whose SYNs did not "
                               "set ECN up (ECE and CWR on the SYN, ECE on the SYN-ACK)"},
    [RULE_ECT_SYN] = {"ect-on-syn", "RFC3168:6.1.1-syn-no-ect",
                      "a SYN sent ECN-capable (ECT or CE in the IP header)"},
    [RULE_ECT_PURE_ACK] = {"ect-on-pure-ack", "RFC3168:6.1.4",
                           "a segment without data, SYN or FIN sent ECN-capable on an ECN "
                           "connection"},
};

size_t oracle_rule_count(void)
{
    return RULE_COUNT;
}

const struct oracle_rule *oracle_rule_at(size_t i)
{
    return i < RULE_COUNT ? &rules[i] : NULL;
}

const struct oracle_rule *oracle_rule_find(const char *name)
{
    for (size_t i = 0; i < RULE_COUNT; i++)
        if (strcmp(rules[i].name, name) == 0)
            return &rules[i];
    return NULL;
}

const struct oracle_rule *oracle_rule_id(enum oracle_rule_id id)
{
    return &rules[id];
}

"""The matrix's option-negotiation axis: vectors/matrix/options/<open>-<option>-<who>.pkt.

For each extension whose use both SYNs settle (RFC 7323 window scale and
timestamps, RFC 2018 SACK-permitted, RFC 3168 ECN setup), each way the
connection opens (passive: the stack listens and answers the peer's SYN;
active: the stack connects and the peer answers its SYN) and each of the
four combinations of who offers it (both, the stack only, the peer only,
neither), one vector: the stack's switch for the extension (synack's
SYNACK_TCP_* socket option; on Linux the namespace's sysctl), the
handshake, the options that must and must not appear in it, what TCP_INFO
says was negotiated, and a segment that shows the extension in use or not.
The other three extensions are switched off on both sides, so each vector
judges one. The rules come from the RFC text (RULES below), not from a
stack.

In an active open the peer "offering" an extension the stack did not ask
for is a SYN-ACK that carries it anyway: every RFC here forbids that
answer, and the stack must not take the extension up from it.
"""

TS_PEER = 100        # the peer's TSval in its SYN or SYN-ACK
TS_STACK = 5000      # the stack's TSval as the script writes it (the runner maps it)
PEER_SHIFT = 7       # the peer's window shift, as Linux offers it
PEER_WIN = 65535

# option: (synack's switch, value when offered, TCPI_OPT_* bit, words, requirement
# ids, the RFC's rule)
RULES = {
    "wscale": ("SYNACK_TCP_WINDOW_SCALING", 1, 0x04, "window scale (RFC 7323 2)",
               ["RFC7323:2.2"],
               "RFC 7323 2.2: window scaling is in use only when both SYNs carried the "
               "option; a SYN-ACK carries it only to answer a SYN that did, and a SYN-ACK "
               "that carries it unasked does not turn it on"),
    "ts": ("SYNACK_TCP_TIMESTAMPS", 1, 0x01, "timestamps (RFC 7323 3)",
           ["RFC7323:3.2", "RFC7323:3.2-ignore"],
           "RFC 7323 3.2: timestamps are in use only when both SYNs carried TSopt; a "
           "SYN-ACK carries it only to answer a SYN that did; otherwise neither side "
           "sends it and one that arrives is ignored"),
    "sack": ("SYNACK_TCP_SACK", 1, 0x02, "SACK-permitted (RFC 2018 2)",
             ["RFC2018:2"],
             "RFC 2018 2: SACK-permitted goes in a SYN, and in a SYN-ACK only to answer a "
             "SYN that carried it; SACK blocks are sent only when both SYNs carried it"),
    "ecn": ("SYNACK_TCP_ECN", 1, 0x08, "ECN setup (RFC 3168 6.1.1)",
            ["RFC3168:6.1.1", "RFC3168:6.1.1-only"],
            "RFC 3168 6.1.1: an ECN-setup SYN (ECE and CWR) asks, an ECN-setup SYN-ACK "
            "(ECE alone) answers it; only then is data sent ECN-capable (ECT); a SYN-ACK "
            "with ECE that answers a SYN which did not ask sets nothing up"),
}

WHO = [("both", True, True), ("stack-only", True, False), ("peer-only", False, True),
       ("neither", False, False)]


def negotiated(stack, peer):
    """Every rule above: in use only when both SYNs carried it."""
    return stack and peer


def switches(opt, stack):
    """The stack's four switches on socket 3 (synack's socket options, every
    synack target has them; on Linux the namespace's sysctls of the same
    name): opt as the vector wants it, the others off."""
    out = []
    for o in ("wscale", "ts", "sack", "ecn"):
        name, on = RULES[o][0], RULES[o][1]
        v = on if (o == opt and stack) else 0
        out.append("+0  setsockopt(3, SOL_TCP, %s, [%d], 4) = 0" % (name, v))
    return out


def peer_opts(opt, offers, ecr):
    """The peer's SYN or SYN-ACK options, laid out as Linux does."""
    parts = ["mss 1000"]
    if offers and opt == "wscale":
        parts.append("nop,wscale %d" % PEER_SHIFT)
    if offers and opt == "ts":
        parts.append("nop,nop,TS val %d ecr %d" % (TS_PEER, ecr))
    if offers and opt == "sack":
        parts.append("nop,nop,sackOK")
    return "<%s>" % ",".join(parts)


def stack_opts(opt, offers, ecr):
    """The stack's SYN or SYN-ACK options: its shift is its own choice
    (RFC 7323 2.3), so a list with window scale is written <...> and the
    shift read from TCP_INFO."""
    if offers and opt == "wscale":
        return "<...>"
    parts = ["mss 1460"]
    if offers and opt == "ts":
        parts.append("nop,nop,TS val %d ecr %d" % (TS_STACK, ecr))
    if offers and opt == "sack":
        parts.append("nop,nop,sackOK")
    return "<%s>" % ",".join(parts)


def ts_opt(val, ecr):
    return "<nop,nop,TS val %d ecr %d>" % (val, ecr)


def tcpi_check(opt, on):
    bit = RULES[opt][2]
    lines = ["+0  %%{ assert (tcpi_options & 0xf) == %d, tcpi_options }%%" % (bit if on else 0)]
    if opt == "wscale":
        if on:
            lines.append("+0  %%{ assert (tcpi_snd_wscale, 1 <= tcpi_rcv_wscale <= 14) == "
                         "(%d, True), (tcpi_snd_wscale, tcpi_rcv_wscale) }%%" % PEER_SHIFT)
        else:
            lines.append("+0  %{ assert (tcpi_snd_wscale, tcpi_rcv_wscale) == (0, 0), "
                         "(tcpi_snd_wscale, tcpi_rcv_wscale) }%")
    return lines


def use_probe(opt, on, fd):
    """A segment that shows the extension in use, or not."""
    if opt == "ts":
        data = "<nop,nop,TS val %d ecr %d>" % (TS_PEER + 20, TS_STACK) if on else ""
        ack = " " + ts_opt(TS_STACK, TS_PEER + 20) if on else ""
        return ["// Use: data from the peer; the stack's ACK carries TSopt only when",
                "// negotiated (echoing the data's TSval).",
                "+.1 < P. 1:11(10) ack 1 win %d%s" % (PEER_WIN, (" " + data) if data else ""),
                "+0~+.5 > . 1:1(0) ack 11%s" % ack]
    if opt == "sack":
        return ["// Use: data past a hole; the duplicate ACK carries a SACK block only",
                "// when negotiated.",
                "+.1 < P. 11:21(10) ack 1 win %d" % PEER_WIN,
                "+0  > . 1:1(0) ack 1%s" % (" <nop,nop,sack 11:21>" if on else "")]
    if opt == "ecn":
        return ["// Use: the stack's data is ECN-capable (ECT(0)) only when negotiated.",
                "+.1 write(%d, ..., 10) = 10" % fd,
                "+0  > [%s] P. 1:11(10) ack 1" % ("ect0" if on else "noecn")]
    return []  # window scale: the shifts in TCP_INFO are its use


def passive(opt, stack, peer):
    on = negotiated(stack, peer)
    ts_on = opt == "ts" and on
    lines = ["0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3",
             "+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0"]
    lines += switches(opt, stack)
    lines += ["+0  bind(3, ..., ...) = 0", "+0  listen(3, 1) = 0"]
    syn = "SEW" if opt == "ecn" and peer else "S"
    synack = "SE." if opt == "ecn" and on else "S."
    lines.append("+.1 < %s 0:0(0) win %d %s" % (syn, PEER_WIN, peer_opts(opt, peer, 0)))
    lines.append("+0  > %s 0:0(0) ack 1 %s" % (synack, stack_opts(opt, on, TS_PEER)))
    ack_opts = " " + ts_opt(TS_PEER + 10, TS_STACK) if ts_on else ""
    lines.append("+.1 < . 1:1(0) ack 1 win %d%s" % (PEER_WIN, ack_opts))
    lines.append("+0  accept(3, ..., ...) = 4")
    lines += tcpi_check(opt, on)
    lines += use_probe(opt, on, 4)
    return lines


def active(opt, stack, peer):
    on = negotiated(stack, peer)
    ts_on = opt == "ts" and on
    lines = ["0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3"]
    lines += switches(opt, stack)
    lines += ["+0  fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0",
              "+0  connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)"]
    syn = "SEW" if opt == "ecn" and stack else "S"
    synack = "SE." if opt == "ecn" and peer else "S."
    lines.append("+0  > %s 0:0(0) %s" % (syn, stack_opts(opt, stack, 0)))
    ecr = TS_STACK if opt == "ts" and stack else 0
    lines.append("+.1 < %s 0:0(0) ack 1 win %d %s" % (synack, PEER_WIN, peer_opts(opt, peer, ecr)))
    lines.append("+0  > . 1:1(0) ack 1%s" % (" " + ts_opt(TS_STACK, TS_PEER) if ts_on else ""))
    lines += tcpi_check(opt, on)
    lines += use_probe(opt, on, 3)
    return lines


def who_words(opn, stack, peer):
    s = "the stack offers it" if stack else "the stack's switch for it is off"
    if opn == "passive":
        p = "the peer's SYN carries it" if peer else "the peer's SYN does not"
    else:
        p = ("the peer's SYN-ACK carries it" + ("" if stack else ", unasked")
             if peer else "the peer's SYN-ACK does not")
    return s, p


def vectors(wrap, header):
    """(relative path, text) for each vector of the axis."""
    for opn, build in (("passive", passive), ("active", active)):
        for opt in ("wscale", "ts", "sack", "ecn"):
            for who, stack, peer in WHO:
                s, p = who_words(opn, stack, peer)
                on = negotiated(stack, peer)
                out = wrap("Option-negotiation axis of the state x event matrix: %s open, "
                           "%s; %s, %s." % (opn, RULES[opt][3], s, p))
                out += wrap(RULES[opt][5] + ".")
                out += wrap("So it is %s: TCP_INFO's tcpi_options %s the bit, and the "
                            "segment after the handshake shows it %s." %
                            ("negotiated" if on else "not negotiated",
                             "has" if on else "lacks", "in use" if on else "unused"))
                out += wrap("The other extensions are off on both sides.")
                out.append("// " + header)
                out.append("// @req " + " ".join(RULES[opt][4]))
                out.append("")
                out += build(opt, stack, peer)
                yield ("options/%s-%s-%s.pkt" % (opn, opt, who), "\n".join(out) + "\n")

"""The RFC 9293 3.10.7 model the matrix expectations come from.

SEGMENT ARRIVES, written from the RFC text (3.10.7.1 CLOSED, 3.10.7.2
LISTEN, 3.10.7.3 SYN-SENT, 3.10.7.4 the other states) with RFC 5961's
checks (3.2 RST, 4.2 SYN, 5.2 ACK), which RFC 9293 carries into 3.10.7.4.
Nothing here looks at what a stack does. Where the RFC leaves a reading
open, the reading is stated in READINGS below and cited by the vectors
that depend on it.

Numbers are the script's, as packetdrill writes them: the peer's relative
to its ISN (it sends its SYN at 0, so IRS = 0), the stack's relative to its
ISS (ISS = 0). The script cannot write a sequence number below the peer's
ISN (packetdrill's start:end(len) has no wrap-around), so the synchronized
states after SYN-RECEIVED start with 100 octets received and read.
"""

import copy

PEER_ISN = 0          # the script's ISN (IRS): its SYN is at 0
RCV_WND = 65535       # the model's stand-in for the stack's window (Conn.right_edge)
PEER_WIN = 32792      # the window the script announces (MAX.SND.WND)
DATA_LEN = 10         # octets of text in a data segment
OUR_MSS = 1460        # the MSS option the stack sends (MTU 1500 - 40)
PEER_MSS = 1000       # the MSS option the script sends

# Readings of the RFC where its text leaves a choice; vectors cite them.
READINGS = {
    "synrcvd-ack-reply":
        "3.10.7.4 first lists SYN-RECEIVED among the states whose unacceptable "
        "segments are answered by <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>; SND.NXT is "
        "ISS+1 there, so the reply is a bare ACK, not a repeated SYN-ACK.",
    "synrcvd-bad-ack":
        "In SYN-RECEIVED an ACK outside SND.UNA < SEG.ACK =< SND.NXT gets "
        "<SEQ=SEG.ACK><CTL=RST> (3.10.7.4 fifth, SYN-RECEIVED; 3.5.2 group 2: "
        "a non-synchronized state); RFC 5961's MAX.SND.WND range is read as the "
        "check of the synchronized states after it.",
    "ack-before-rcv-nxt":
        "RFC 5961 applies the RST and SYN checks (second, fourth) to a segment "
        "anywhere in the window; likewise SEG.ACK is processed (fifth) for any "
        "acceptable segment. Only its text and FIN wait until the segment "
        "reaches RCV.NXT (\"held for later processing\", SHLD-31).",
    "ooo-dup-ack":
        "Text beyond RCV.NXT is held (SHLD-31) and answered by an immediate "
        "duplicate ACK (RFC 5681 3.2 and 4.2: out-of-order data segments SHOULD "
        "be acknowledged immediately; RFC 9293 MAY-13 allows it).",
    "hole-dup-ack":
        "A segment without text beyond RCV.NXT (an ACK, a FIN) shows that what "
        "its sender sent before it has not arrived: it is answered by an "
        "immediate duplicate ACK, as an out-of-order data segment is (RFC 5681 "
        "4.2; Linux does so for a FIN, not for a bare ACK); a FIN there is held "
        "(SHLD-31).",
    "second-fin":
        "After a FIN has been received the stream has ended: a FIN at or after "
        "RCV.NXT cannot be a retransmission (those are old and answered in the "
        "first step) and is ignored like the text of such a segment (3.10.7.4 "
        "seventh: \"This should not occur since a FIN has been received\").",
    "figure-7":
        "In SYN-RECEIVED a SYN-ACK repeating the SYN we hold (SEG.SEQ = IRS) "
        "that acknowledges our SYN completes the handshake (Figure 7 line 6): "
        "its SYN lies left of the window and is trimmed (3.10.7.4 first: "
        "\"trimming off any portions that lie outside the window (including "
        "SYN and FIN)\"), leaving an ACK at RCV.NXT.",
    "ack-delay":
        "An acknowledgment of accepted text or FIN may be delayed, but by less "
        "than 0.5 s (MUST-40): the vector accepts it anywhere in [0, 0.5 s].",
    "syn-sent-refused":
        "3.10.7.3 says \"error: connection reset\" for a RST acknowledging our "
        "SYN; the BSD socket API reports it as ECONNREFUSED.",
}

SYNC_STATES = ("SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
               "CLOSING", "LAST-ACK", "TIME-WAIT")
RECEIVING = ("ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2")   # 3.10.7.4 sixth, seventh
FIN_RCVD = ("CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT")


def u32(x):
    return x % (1 << 32)


def seq_lt(a, b):
    """a < b in sequence space (modulo 2**32)."""
    return u32(a - b) >= 1 << 31


def seq_gt(a, b):
    return seq_lt(b, a)


class Conn:
    """A connection as the RFC describes it (the TCB variables we need)."""

    def __init__(self, state, rcv_nxt=None, snd_una=0, snd_nxt=1, passive=True):
        self.state = state
        self.iss = 0
        self.irs = PEER_ISN
        self.rcv_nxt = rcv_nxt if rcv_nxt is not None else PEER_ISN + 1
        # RCV.NXT + RCV.WND. The window is the stack's choice: the vectors
        # place their segments at or past the edge from the one the stack
        # announced last (wnd_edge, harness/script/script.h extension (7)),
        # and the other positions lie within RCV.NXT + 1010, inside any
        # window of at least that size. RCV_WND stands for it here; no
        # outcome depends on its value.
        self.right_edge = PEER_ISN + 1 + RCV_WND
        self.snd_una = snd_una
        self.snd_nxt = snd_nxt
        self.max_snd_wnd = PEER_WIN
        self.passive = passive
        self.queued_fin = False                    # a FIN that came with a SYN

    def rcv_wnd(self):
        return self.right_edge - self.rcv_nxt

    def copy(self):
        return copy.copy(self)


class Seg:
    """One arriving segment: flags from "SAFRP" and '.', seq, ack, text length."""

    def __init__(self, flags, seq, ack=None, datalen=0, edge_off=None):
        self.flags = flags
        self.seq = seq
        self.ack = ack
        self.datalen = datalen
        self.edge_off = edge_off    # SEG.SEQ written from the window's edge, or None

    def seq_words(self):
        """SEG.SEQ as a vector says it: a number, or from RCV.NXT+RCV.WND."""
        if self.edge_off is None:
            return "%d" % self.seq
        return "RCV.NXT+RCV.WND%s" % ("%+d" % self.edge_off if self.edge_off else "")

    def has(self, f):
        return f in self.flags

    @property
    def seg_len(self):
        return self.datalen + self.has("S") + self.has("F")

    def ctl(self):
        names = [("S", "SYN"), ("F", "FIN"), ("R", "RST"), (".", "ACK"), ("P", "PSH")]
        return ",".join(n for f, n in names if f in self.flags)

    def describe(self):
        s = "<SEQ=%s>" % self.seq_words()
        if self.ack is not None:
            s += "<ACK=%d>" % u32(self.ack)
        s += "<CTL=%s>" % self.ctl()
        if self.datalen:
            s += " with %d octets" % self.datalen
        return s


class Outcome:
    """What the RFC says happens: the replies, then the connection after."""

    def __init__(self, conn):
        self.replies = []       # (when, text): when is "now" or "delayed" (< 0.5 s)
        self.after = conn       # Conn, or None when the TCB is gone
        self.gone = None        # None, "listen" (back to LISTEN), "closed"
        self.signal = None      # errno the user sees: "ECONNRESET", "ECONNREFUSED"
        self.delivered = 0      # octets of text accepted for the user
        self.why = []           # (step, text): the RFC's reasoning, in order
        self.readings = []      # keys of READINGS this outcome depends on
        self.tags = []

    def say(self, step, text):
        self.why.append((step, text))

    def tag(self, *tags):
        for t in tags:
            if t not in self.tags:
                self.tags.append(t)

    def reply(self, text, when="now"):
        self.replies.append((when, text))

    def reading(self, key):
        if key not in self.readings:
            self.readings.append(key)


def out_ack(c):
    return "> . %d:%d(0) ack %d" % (c.snd_nxt, c.snd_nxt, c.rcv_nxt)


def out_fin(c):
    """Our FIN again: <SEQ=SND.NXT-1><ACK=RCV.NXT><CTL=FIN,ACK>."""
    return "> F. %d:%d(0) ack %d" % (c.snd_nxt - 1, c.snd_nxt - 1, c.rcv_nxt)


def out_rst(seq):
    return "> R %d:%d(0)" % (u32(seq), u32(seq))


def out_rst_ack(ack):
    return "> R. 0:0(0) ack %d" % ack


def out_syn_ack(c):
    """Our SYN-ACK. After a passive OPEN it answers the peer's SYN, which
    offers the MSS alone: the MSS is all it may carry. In a simultaneous
    open it repeats our SYN, whose options are the stack's choice (the
    prelude does not check them either): not compared."""
    if not c.passive:
        return "> S. 0:0(0) ack %d <...>" % c.rcv_nxt
    return "> S. 0:0(0) ack %d <mss %d>" % (c.rcv_nxt, OUR_MSS)


# ---- 3.10.7.1 CLOSED -------------------------------------------------------

def arrive_closed(seg):
    o = Outcome(None)
    o.gone = "closed"
    o.tag("RFC9293:3.10.7.1")
    if seg.has("R"):
        o.say("3.10.7.1", "An incoming segment containing a RST is discarded.")
    elif seg.has("."):
        o.say("3.10.7.1", "No TCB; the ACK bit is on: <SEQ=SEG.ACK><CTL=RST>.")
        o.reply(out_rst(seg.ack))
    else:
        o.say("3.10.7.1", "No TCB; the ACK bit is off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN>"
              "<CTL=RST,ACK> (SEG.LEN counts SYN and FIN).")
        o.reply(out_rst_ack(seg.seq + seg.seg_len))
    return o


# ---- 3.10.7.2 LISTEN -------------------------------------------------------

def arrive_listen(seg):
    o = Outcome(None)
    o.gone = "listen"
    o.tag("RFC9293:3.10.7.2")
    if seg.has("R"):
        o.say("3.10.7.2 first", "An incoming RST should be ignored.")
        return o
    if seg.has("."):
        o.say("3.10.7.2 second", "Any acknowledgment is bad in LISTEN: <SEQ=SEG.ACK><CTL=RST>.")
        o.reply(out_rst(seg.ack))
        return o
    if seg.has("S"):
        c = Conn("SYN-RECEIVED", rcv_nxt=seg.seq + 1, passive=True)
        c.irs = seg.seq
        o.after, o.gone = c, None
        o.say("3.10.7.2 third", "SYN: RCV.NXT = SEG.SEQ+1, IRS = SEG.SEQ; send "
              "<SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>; SYN-RECEIVED.")
        o.reply(out_syn_ack(c))
        if seg.has("F"):
            c.queued_fin = True
            o.say("3.10.7.2 third", "The FIN is other control: \"queued for processing "
                  "later\", after ESTABLISHED is reached.")
        return o
    o.say("3.10.7.2 fourth", "Neither RST, ACK nor SYN: drop the segment.")
    return o


# ---- 3.10.7.3 SYN-SENT -----------------------------------------------------

def arrive_syn_sent(c, seg):
    o = Outcome(c.copy())
    c = o.after
    o.tag("RFC9293:3.10.7.3")
    if seg.has("."):
        if seg.ack <= c.iss or seg.ack > c.snd_nxt:
            if seg.has("R"):
                o.say("3.10.7.3 first", "SEG.ACK =< ISS or SEG.ACK > SND.NXT, and the RST "
                      "bit is set: drop the segment.")
            else:
                o.say("3.10.7.3 first", "SEG.ACK =< ISS or SEG.ACK > SND.NXT: send "
                      "<SEQ=SEG.ACK><CTL=RST> and discard the segment.")
                o.reply(out_rst(seg.ack))
            return o
        o.say("3.10.7.3 first", "SND.UNA < SEG.ACK =< SND.NXT: the ACK is acceptable.")
    if seg.has("R"):
        if seg.has("."):
            o.say("3.10.7.3 second", "RST with an acceptable ACK: signal the user, "
                  "enter CLOSED, delete the TCB.")
            o.after, o.gone, o.signal = None, "closed", "ECONNREFUSED"
            o.reading("syn-sent-refused")
            o.tag("RFC9293:MUST-12")
        else:
            o.say("3.10.7.3 second", "RST without ACK: drop the segment.")
        return o
    if seg.has("S"):
        c.irs = seg.seq
        c.rcv_nxt = seg.seq + 1
        if seg.has("."):
            c.snd_una = seg.ack
        if c.snd_una > c.iss:
            c.state = "ESTABLISHED"
            o.say("3.10.7.3 fourth", "SYN with an ACK of our SYN: RCV.NXT = SEG.SEQ+1, "
                  "SND.UNA = SEG.ACK, ESTABLISHED; send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>.")
            o.reply(out_ack(c))
        else:
            c.state = "SYN-RECEIVED"
            c.passive = False
            o.say("3.10.7.3 fourth", "SYN without ACK (simultaneous open, MUST-10): "
                  "SYN-RECEIVED; send <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.")
            o.reply(out_syn_ack(c))
            o.tag("RFC9293:MUST-10")
            if seg.has("F"):
                c.queued_fin = True
                o.say("3.10.7.3 fourth", "The FIN is queued for processing after "
                      "ESTABLISHED is reached.")
        return o
    o.say("3.10.7.3 fifth", "Neither SYN nor RST: drop the segment.")
    return o


# ---- 3.10.7.4 the other states ---------------------------------------------

def acceptable(seq, seg_len, rcv_nxt, wnd):
    """Table 6."""
    def inside(x):
        return rcv_nxt <= x < rcv_nxt + wnd
    if seg_len == 0:
        return seq == rcv_nxt if wnd == 0 else inside(seq)
    if wnd == 0:
        return False
    return inside(seq) or inside(seq + seg_len - 1)


def reset_connection(o, c):
    """3.10.7.4 second, 'exactly RCV.NXT': reset as the state says."""
    o.tag("RFC9293:3.10.7.4-rst")
    if c.state == "SYN-RECEIVED":
        o.tag("RFC9293:MUST-11")
        if c.passive:
            o.say("3.10.7.4 second", "SYN-RECEIVED from a passive OPEN: return to "
                  "LISTEN; the user need not be informed.")
            o.after, o.gone = None, "listen"
        else:
            o.say("3.10.7.4 second", "SYN-RECEIVED from an active OPEN: \"connection "
                  "refused\"; enter CLOSED, delete the TCB.")
            o.after, o.gone, o.signal = None, "closed", "ECONNREFUSED"
            o.tag("RFC9293:MUST-12")
    elif c.state in ("ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT"):
        o.say("3.10.7.4 second", "%s: RECEIVEs and SENDs get \"reset\", the user a "
              "\"connection reset\" signal; enter CLOSED, delete the TCB." % c.state)
        o.after, o.gone, o.signal = None, "closed", "ECONNRESET"
        o.tag("RFC9293:MUST-12")
    else:
        o.say("3.10.7.4 second", "%s: enter CLOSED, delete the TCB." % c.state)
        o.after, o.gone = None, "closed"


def arrive_sync(c, seg):
    o = Outcome(c.copy())
    o.tag("RFC9293:3.10.7.4-seq")
    c = o.after
    seq, seg_len = seg.seq, seg.seg_len
    wnd = c.rcv_wnd()
    has_syn = seg.has("S")

    # Figure 7: the peer's SYN-ACK repeats its SYN and acknowledges ours.
    if (c.state == "SYN-RECEIVED" and has_syn and seg.has(".") and not seg.has("R")
            and seq == c.irs and c.snd_una < seg.ack <= c.snd_nxt):
        o.say("3.10.7.4 first", "SEG.SEQ = IRS: the SYN lies left of the window and "
              "is trimmed; what remains begins at RCV.NXT and is acceptable (Figure 7).")
        o.reading("figure-7")
        o.tag("RFC9293:MUST-10")
        seq, seg_len, has_syn = seq + 1, seg_len - 1, False
    elif acceptable(seq, seg_len, c.rcv_nxt, wnd):
        o.say("3.10.7.4 first", "Acceptable (Table 6): RCV.NXT=%d, SEG.SEQ=%s, SEG.LEN=%d, "
              "RCV.WND the stack's." % (c.rcv_nxt, seg.seq_words(), seg_len))
    else:
        o.say("3.10.7.4 first", "Not acceptable (Table 6): RCV.NXT=%d, SEG.SEQ=%s, "
              "SEG.LEN=%d, RCV.WND the stack's." % (c.rcv_nxt, seg.seq_words(), seg_len))
        if seg.has("R"):
            o.say("3.10.7.4 first", "The RST bit is set: drop the segment (RFC 5961 3.2 "
                  "(1): a RST outside the window is silently dropped).")
            o.tag("RFC5961:3.2")
        else:
            o.say("3.10.7.4 first", "Reply <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drop "
                  "the segment.")
            o.reply(out_ack(c))
            if c.state == "SYN-RECEIVED":
                o.reading("synrcvd-ack-reply")
            if c.state == "TIME-WAIT" and seg.has("F") and seq + seg_len == c.rcv_nxt:
                o.say("3.10.7.4 fifth", "TIME-WAIT: a retransmission of the remote FIN is "
                      "acknowledged and the 2 MSL timeout restarted.")
        return o

    # second: the RST bit, with RFC 5961 3.2
    if seg.has("R"):
        o.tag("RFC5961:3.2")
        if seq != c.rcv_nxt:
            o.say("3.10.7.4 second", "RST inside the window but not at RCV.NXT (RFC 5961 "
                  "3.2 (3)): send the challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, "
                  "drop the segment.")
            o.reply(out_ack(c))
            return o
        o.say("3.10.7.4 second", "RST at exactly RCV.NXT (RFC 5961 3.2 (2)): reset.")
        reset_connection(o, c)
        return o

    # fourth: the SYN bit, with RFC 5961 4.2
    if has_syn:
        if c.state == "SYN-RECEIVED" and c.passive:
            o.say("3.10.7.4 fourth", "SYN in SYN-RECEIVED from a passive OPEN: return "
                  "the connection to LISTEN.")
            o.tag("RFC9293:MUST-11", "RFC9293:3.10.7.4-syn")
            o.after, o.gone = None, "listen"
            return o
        o.say("3.10.7.4 fourth", "SYN in a synchronized state (RFC 5961 4.2): send the "
              "challenge ACK <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, drop the segment.")
        o.tag("RFC5961:4.2")
        if c.state == "SYN-RECEIVED":
            o.tag("RFC9293:MUST-11")
        o.reply(out_ack(c))
        return o

    # fifth: the ACK field
    if not seg.has("."):
        o.say("3.10.7.4 fifth", "The ACK bit is off: drop the segment.")
        o.tag("RFC9293:3.10.7.4-ack")
        return o
    if seq != c.rcv_nxt:
        o.reading("ack-before-rcv-nxt")
    ack = seg.ack
    if c.state == "SYN-RECEIVED":
        if not c.snd_una < ack <= c.snd_nxt:
            o.say("3.10.7.4 fifth", "SYN-RECEIVED, and not SND.UNA < SEG.ACK =< SND.NXT: "
                  "send <SEQ=SEG.ACK><CTL=RST>; the connection stays.")
            o.reply(out_rst(ack))
            o.reading("synrcvd-bad-ack")
            o.tag("RFC9293:3.10.7.4-ack")
            return o
        c.snd_una = ack
        c.state = "ESTABLISHED"
        o.say("3.10.7.4 fifth", "SYN-RECEIVED, SND.UNA < SEG.ACK =< SND.NXT: enter "
              "ESTABLISHED (SND.WND, SND.WL1, SND.WL2 from the segment).")
    else:
        low = u32(c.snd_una - c.max_snd_wnd)
        if seq_gt(ack, c.snd_nxt):
            o.say("3.10.7.4 fifth", "SEG.ACK > SND.NXT acknowledges something not yet "
                  "sent: send an ACK, drop the segment (RFC 5961 5.2 likewise).")
            o.reply(out_ack(c))
            o.tag("RFC5961:5.2", "RFC9293:3.10.7.4-ack")
            return o
        if seq_lt(ack, low):
            o.say("3.10.7.4 fifth", "RFC 5961 5.2 (MAY-12): SEG.ACK below SND.UNA - "
                  "MAX.SND.WND (= %d) is unacceptable: discard, send an ACK." % low)
            o.reply(out_ack(c))
            o.tag("RFC5961:5.2", "RFC9293:MAY-12", "RFC9293:3.10.7.4-ack")
            return o
        if seq_lt(c.snd_una, ack):
            c.snd_una = ack
        fin_acked = c.snd_una == c.snd_nxt
        if c.state == "FIN-WAIT-1" and fin_acked:
            c.state = "FIN-WAIT-2"
            o.say("3.10.7.4 fifth", "FIN-WAIT-1: our FIN is now acknowledged: FIN-WAIT-2.")
            o.tag("RFC9293:3.10.7.4-ack")
        elif c.state == "CLOSING":
            o.tag("RFC9293:3.10.7.4-ack")
            if fin_acked:
                c.state = "TIME-WAIT"
                o.say("3.10.7.4 fifth", "CLOSING: the ACK acknowledges our FIN: TIME-WAIT.")
            else:
                o.say("3.10.7.4 fifth", "CLOSING: the ACK does not acknowledge our FIN: "
                      "ignore the segment.")
                return o
        elif c.state == "LAST-ACK" and fin_acked:
            o.say("3.10.7.4 fifth", "LAST-ACK: our FIN is acknowledged: delete the TCB, "
                  "enter CLOSED.")
            o.tag("RFC9293:3.10.7.4-ack")
            o.after, o.gone = None, "closed"
            return o
        else:
            o.say("3.10.7.4 fifth", "SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT: acceptable"
                  "%s." % ("" if seq_gt(ack, c.snd_una) or c.snd_una == c.snd_nxt
                           else "; it acknowledges nothing new"))

    # sixth (URG: no segment of the matrix has it), seventh, eighth
    text_ok = c.state in RECEIVING
    fin, fin_at = seg.has("F"), seq + seg.datalen    # the FIN, and where it lies
    if seg.datalen:
        if not text_ok:
            o.say("3.10.7.4 seventh", "%s: \"This should not occur since a FIN has been "
                  "received ... Ignore the segment text.\"" % c.state)
            o.tag("RFC9293:3.10.7.4-text")
        elif seq == c.rcv_nxt:
            c.rcv_nxt += seg.datalen
            o.delivered = seg.datalen
            o.say("3.10.7.4 seventh", "The text begins at RCV.NXT: accept it, advance "
                  "RCV.NXT to %d, acknowledge it." % c.rcv_nxt)
            o.tag("RFC9293:3.10.7.4-text")
        else:
            o.say("3.10.7.4 seventh", "The text begins beyond RCV.NXT: hold it for later "
                  "(SHLD-31); acknowledge RCV.NXT at once (a duplicate ACK).")
            o.reading("ooo-dup-ack")
            o.tag("RFC9293:SHLD-31", "RFC5681:3.2-dupack", "RFC9293:MAY-13")
            o.reply(out_ack(c))
    elif text_ok and seq_gt(seq, c.rcv_nxt):
        o.say("3.10.7.4 seventh", "No text, but the segment lies beyond RCV.NXT: what "
              "the peer sent before it has not arrived; acknowledge RCV.NXT at once "
              "(RFC 5681 4.2, a duplicate ACK).")
        o.reading("hole-dup-ack")
        o.tag("RFC5681:4.2-hole")
        o.reply(out_ack(c))
    if c.queued_fin and c.state == "ESTABLISHED":
        fin, fin_at, c.queued_fin = True, c.rcv_nxt, False
        o.say("3.10.7.4 eighth", "ESTABLISHED is reached: the FIN queued with the SYN "
              "is processed now.")
    if fin:
        o.tag("RFC9293:3.10.7.4-fin")
        if c.state in FIN_RCVD:
            o.say("3.10.7.4 eighth", "%s: a FIN has been received already; this one is "
                  "ignored." % c.state)
            o.reading("second-fin")
        elif fin_at != c.rcv_nxt:
            o.say("3.10.7.4 eighth", "The FIN lies beyond RCV.NXT: held with the segment "
                  "(SHLD-31), not processed yet.")
            o.reading("ooo-dup-ack")
        else:
            c.rcv_nxt += 1
            nxt = {"ESTABLISHED": "CLOSE-WAIT", "FIN-WAIT-2": "TIME-WAIT",
                   "FIN-WAIT-1": "TIME-WAIT" if c.snd_una == c.snd_nxt else "CLOSING"}
            c.state = nxt[c.state]
            o.say("3.10.7.4 eighth", "FIN at RCV.NXT: advance RCV.NXT over it (%d), "
                  "acknowledge it, enter %s." % (c.rcv_nxt, c.state))
    return o


def finish_sync(o, before):
    """Add the acknowledgment of accepted text or FIN (3.10.7.4 seventh, eighth)."""
    c = o.after
    if c is not None and c.rcv_nxt != before.rcv_nxt and not o.replies:
        o.reply(out_ack(c), "delayed")
        o.reading("ack-delay")
        o.tag("RFC9293:MUST-40")
    return o


def arrive(c, seg):
    """The outcome of seg arriving at c (None: no TCB; "LISTEN": a listener only)."""
    if c is None:
        return arrive_closed(seg)
    if c == "LISTEN":
        return arrive_listen(seg)
    if c.state == "SYN-SENT":
        return arrive_syn_sent(c, seg)
    return finish_sync(arrive_sync(c, seg), c)

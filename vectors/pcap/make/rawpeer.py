"""A scripted TCP peer on a raw AF_PACKET socket, for captures that need a
peer the kernel would never be: one that drops a segment, withholds ACKs,
answers with a RST of a chosen sequence number or closes its window.

It sends and receives Ethernet frames on one interface of a namespace that
has no address of its own, so the namespace's kernel never answers for it.
Sequence numbers are given relative to each side's ISN, as in packetdrill.
"""
import os
import select
import socket
import struct
import time

ETH_P_IP = 0x0800
FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip2int(a):
    return struct.unpack("!I", socket.inet_aton(a))[0]


def mac_of(ifname):
    with open("/sys/class/net/%s/address" % ifname) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


class Segment:
    def __init__(self, flags, seq, ack, win, payload, opts, t):
        self.flags, self.seq, self.ack, self.win = flags, seq, ack, win
        self.payload, self.opts, self.t = payload, opts, t

    def __repr__(self):
        names = "".join(c for b, c in ((SYN, "S"), (FIN, "F"), (RST, "R"), (PSH, "P"), (ACK, "."))
                        if self.flags & b)
        return "<%s seq=%d ack=%d win=%d len=%d>" % (names, self.seq, self.ack, self.win,
                                                     len(self.payload))


class RawPeer:
    def __init__(self, ifname, my_ip, my_port, stack_ip, stack_port, stack_mac):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
        self.sock.bind((ifname, 0))
        self.my_mac = mac_of(ifname)
        self.stack_mac = stack_mac
        self.my_ip, self.stack_ip = ip2int(my_ip), ip2int(stack_ip)
        self.my_port, self.stack_port = my_port, stack_port
        self.iss = 1000000 + (os.getpid() * 7919) % 1000000
        self.irs = None   # the stack's ISN, learned from its SYN or SYN-ACK
        self.ip_id = 1

    # ---- sending ----
    def send(self, flags, seq=0, ack=0, win=64240, payload=b"", opts=b"", raw=False):
        """seq relative to our ISS (SYN at 0), ack relative to the stack's ISN."""
        if not raw:
            seq = (self.iss + seq) & 0xFFFFFFFF
            if flags & ACK:
                ack = ((self.irs or 0) + ack) & 0xFFFFFFFF
        while len(opts) % 4:
            opts += b"\0"
        off = (20 + len(opts)) // 4
        tcp = struct.pack("!HHIIBBHHH", self.my_port, self.stack_port, seq, ack, off << 4,
                          flags, win, 0, 0) + opts + payload
        pseudo = struct.pack("!IIBBH", self.my_ip, self.stack_ip, 0, 6, len(tcp))
        c = csum(pseudo + tcp)
        tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
        ip = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(tcp), self.ip_id, 0x4000, 64, 6, 0,
                         self.my_ip, self.stack_ip)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        self.ip_id += 1
        self.sock.send(self.stack_mac + self.my_mac + struct.pack("!H", ETH_P_IP) + ip + tcp)

    # ---- receiving ----
    def recv(self, timeout=3.0):
        """The next segment the stack sends us, numbers made relative; None on timeout."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return None
            frame = self.sock.recv(65536)
            seg = self._parse(frame)
            if seg:
                return seg

    def _parse(self, frame):
        if len(frame) < 34 or frame[12:14] != b"\x08\x00":
            return None
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6 or struct.unpack("!I", ip[12:16])[0] != self.stack_ip:
            return None
        tot = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:tot]
        sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", tcp[:16])
        if dport != self.my_port or (self.stack_port is not None and sport != self.stack_port):
            return None
        self.stack_port = sport   # an active open: learn the stack's ephemeral port
        hl = (off >> 4) * 4
        if flags & SYN:
            self.irs = seq
        rel_seq = (seq - (self.irs or 0)) & 0xFFFFFFFF
        rel_ack = (ack - self.iss) & 0xFFFFFFFF
        return Segment(flags, rel_seq, rel_ack, win, tcp[hl:], tcp[20:hl], time.monotonic())

    def expect(self, what, timeout=3.0):
        seg = self.recv(timeout)
        if seg is None:
            raise SystemExit("rawpeer: timed out waiting for %s" % what)
        return seg


def mss_option(mss=1460):
    return struct.pack("!BBH", 2, 4, mss)

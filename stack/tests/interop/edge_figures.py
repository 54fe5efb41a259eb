#!/usr/bin/env python3
"""Figures, not assertions: synack-serve over TUN against three attacks on its
edge (issue 14), packets injected from the kernel's side of the device with
AF_PACKET, the way a user would try them.

  1. Blind ICMP: Destination Unreachable code 4 (MTU 0, 1000) and code 3
     quoting an established connection's 4-tuple and SND.UNA: does the
     connection survive? (icmp_hard_aborts, icmp_pmtu_*)
  2. A SYN whose IPv4 options are malformed (option 7, length 0: the example
     of the issue), and one with well-formed options: answered or dropped?
  3. Stray ACKs to a closed port for S seconds as fast as Python sends them:
     RSTs back per second and per ACK.

Usage (root): edge_figures.py BUILD_DIR [--seconds S] [--serve PATH]
It makes its own namespace (documentation addresses only, RFC 5737) and
deletes it on every exit path. Prints the figures and the stack's counters.
"""
import argparse
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

STACK, KERNEL, DEV, PORT = "192.0.2.1", "198.51.100.2", "sa0", 8080
ETH_P_IP, ETH_P_ALL, PACKET_OUTGOING = 0x0800, 0x0003, 4
# The example: to 192.0.2.1:8080 from 198.51.100.50, IPv4 option 7 with length 0.
BAD_OPTS_SYN = bytes.fromhex(
    "4600002c0001000040068664c6336432c0000201070000004e7a1f90"
    "000000070000000050022000356a0000")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, opts=b"", total=None):
    hl = 20 + len(opts)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hl // 4, 0, total or hl + len(payload), 1, 0,
                    64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(src, dst, sport, dport, seq, ack, flags, opts=b""):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 8192, 0, 0) + opts
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(h))
    c = csum(ph + h)
    return h[:16] + struct.pack("!H", c) + h[18:]


class Tap:
    """AF_PACKET on the kernel's side of the TUN device: send into synack, and
    see what synack sends (everything not PACKET_OUTGOING)."""

    def __init__(self):
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
        self.tx.bind((DEV, ETH_P_IP))
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_ALL))
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 26)
        self.rx.bind((DEV, ETH_P_ALL))
        self.rx.settimeout(0.05)
        self.seen, self.lock, self.stop = [], threading.Lock(), False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                pkt, addr = self.rx.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] != PACKET_OUTGOING and len(pkt) >= 40 and pkt[9] == 6:
                with self.lock:
                    self.seen.append(pkt)

    def send(self, pkt):
        self.tx.sendto(pkt, (DEV, ETH_P_IP))

    def take(self):
        with self.lock:
            s, self.seen = self.seen, []
        return s

    def close(self):
        self.stop = True
        self.thread.join()


def seg_fields(p):
    hl = (p[0] & 15) * 4
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", p[hl:hl + 14])
    return sport, dport, seq, flags, len(p) - hl - (off >> 4) * 4


def echo_ok(s):
    try:
        s.sendall(b"ping")
        return s.recv(16) == b"ping"
    except OSError:
        return False


def icmp_case(tap, code, mtu):
    s = socket.create_connection((STACK, PORT), timeout=2)
    cport = s.getsockname()[1]
    tap.take()
    if not echo_ok(s):
        return "echo failed before"
    time.sleep(0.05)
    nxt = None
    for p in tap.take():  # synack's next sequence number: SND.UNA, nothing in flight
        sport, dport, seq, flags, dlen = seg_fields(p)
        if sport == PORT and dport == cport:
            nxt = seq + dlen
    quoted = ip4(STACK, KERNEL, 6, struct.pack("!HHI", PORT, cport, nxt), total=1500)
    body = struct.pack("!BBHHH", 3, code, 0, 0, mtu) + quoted
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    tap.send(ip4(KERNEL, STACK, 1, body))
    time.sleep(0.1)
    ok = echo_ok(s)
    s.close()
    return "survives" if ok else "ABORTED"


def syn_answered(tap, pkt, sport):
    tap.take()
    tap.send(pkt)
    time.sleep(0.3)
    return any(seg_fields(p)[0] == PORT and seg_fields(p)[1] == sport and seg_fields(p)[3] == 0x12
               for p in tap.take())


def rst_flood(tap, seconds):
    """Stray ACKs for `seconds`; returns (sent, elapsed, RSTs seen by the tap).
    The tap misses some under load: the stack's counters are the exact figure."""
    tap.take()
    pkts = [ip4(KERNEL, STACK, 6, tcp(KERNEL, STACK, 20000 + i, 9, 1000 + i, 5000 + i, 0x10))
            for i in range(4096)]
    t0, n = time.monotonic(), 0
    while time.monotonic() - t0 < seconds:
        for p in pkts[:256]:
            try:
                tap.send(p)
            except OSError:  # the device's queue is full: synack is behind
                pass
        n += 256
        pkts = pkts[256:] + pkts[:256]
    dt = time.monotonic() - t0
    time.sleep(1.5)
    rsts = sum(1 for p in tap.take() if seg_fields(p)[3] & 0x04)
    return n, dt, rsts


def inner(args):
    tap = Tap()
    print("1. blind ICMP Destination Unreachable quoting SND.UNA of an established connection")
    for code, mtu, what in ((4, 0, "code 4, MTU 0   "), (4, 1000, "code 4, MTU 1000"),
                            (3, 0, "code 3 (port)   ")):
        print("   %s: %s" % (what, icmp_case(tap, code, mtu)))
    print("2. SYN with IPv4 options")
    print("   option 7 length 0 (the issue's example): %s" %
          ("answered with SYN-ACK" if syn_answered(tap, BAD_OPTS_SYN, 20090) else "dropped"))
    good = ip4("198.51.100.50", STACK, 6,
               tcp("198.51.100.50", STACK, 20091, PORT, 7, 0, 0x02), opts=b"\x01\x01\x01\x00")
    print("   NOP NOP NOP EOL (well-formed): %s" %
          ("answered with SYN-ACK" if syn_answered(tap, good, 20091) else "dropped"))
    n, dt, rsts = rst_flood(tap, args.seconds)
    print("3. %d stray ACKs to a closed port offered in %.2f s (%.0f/s); the tap saw %d RSTs"
          " back (%.1f/s); exact figures: tcp_in and tcp_rst_* below" % (n, dt, n / dt, rsts, rsts / dt))
    tap.close()


def outer(args):
    here = os.path.dirname(os.path.abspath(__file__))
    ns_tool = os.path.join(here, "..", "..", "apps", "synack-ns")
    serve = args.serve or os.path.join(args.build, "synack-serve")
    ns = "sa-edge-%d" % os.getpid()
    subprocess.run(["sh", ns_tool, "up", ns, DEV, STACK, KERNEL], check=True)
    srv = None
    try:
        log = open("/tmp/%s-serve.log" % ns, "w+")
        srv = subprocess.Popen(["ip", "netns", "exec", ns, serve, "--tun", DEV, "--addr", STACK,
                                "--seed", "1", "--echo", "-vv"], stdout=log, stderr=log)
        for _ in range(100):
            log.seek(0)
            if "listening" in log.read():
                break
            time.sleep(0.05)
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                        "--inner", "--seconds", str(args.seconds), args.build], check=True)
    finally:
        if srv:
            srv.send_signal(signal.SIGINT)
            srv.wait(timeout=10)
            log.seek(0)
            print("counters of synack-serve (non-zero):")
            for line in log.read().splitlines():
                name = line.split()[0] if line.startswith("  ") else ""
                if name.startswith(("icmp_", "ip_drop", "tcp_rst")) or name in (
                        "ip_in", "tcp_in", "tcp_out", "tcp_conn_established"):
                    print("  " + line.strip())
        subprocess.run(["sh", ns_tool, "down", ns])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--serve")
    ap.add_argument("--inner", action="store_true")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("edge_figures: needs root (a namespace and a TUN device)")
        return 77
    inner(args) if args.inner else outer(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

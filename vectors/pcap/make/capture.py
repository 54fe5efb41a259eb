#!/usr/bin/env python3
"""Make the captures of vectors/pcap/: the Linux kernel's own TCP behaviour.

    python3 vectors/pcap/make/capture.py [--out DIR] [NAME...]   (as root)

Each capture runs in two network namespaces this script creates and deletes
(also on errors and signals), joined by a veth pair; nothing leaves them.

  stack namespace  192.0.2.1 on veth "sxs": the kernel TCP under test,
                   driven by a small socket application (the ROLE_STACK
                   functions below); dumpcap captures here.
  peer namespace   198.51.100.2 on veth "sxp": either the kernel too
                   (ROLE_PEER functions with sockets), or, for behaviour
                   no kernel would show (loss, a chosen RST, a closed
                   window), rawpeer.py on an AF_PACKET socket with no
                   address in the namespace.

The scenarios named ipv6-* run over IPv6 instead (RFC 3849's documentation
prefix): the stack 2001:db8::1/64, the peer 2001:db8:1::2/64, each with a
route to the other's prefix on its veth (neighbour discovery between the
two kernels, no duplicate address detection); the same sysctls and route
options apply (Linux's net.ipv4.tcp_* settings are TCP's, either family).

The stack namespace turns off what synack does not implement yet, so the
captures show what can be compared: no timestamps, SACK or window scaling
(net.ipv4.tcp_timestamps, tcp_sack, tcp_window_scaling = 0), no tail loss
probe or RACK (tcp_early_retrans, tcp_recovery = 0), RFC 6298's minimum
RTO of 1 s and RFC 5681's initial window of 3 segments on the route
(rto_min 1000ms, initcwnd 3). Offloads are off on both ends so that the
capture shows real segments with real checksums. Everything else is the
kernel's default. The metadata files (vectors/pcap/NAME.meta) are written
by hand and say what each capture shows.
"""
import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

STACK_IP, PEER_IP = "192.0.2.1", "198.51.100.2"
STACK_IP6, PEER_IP6 = "2001:db8::1", "2001:db8:1::2"
FAMILY = socket.AF_INET  # the roles' family: set from the scenario's name (ipv6-*)
STACK_PORT, PEER_PORT = 8080, 40000
TCP_QUICKACK = 12

# ---- the application on the stack's side (kernel sockets) -------------------


def use_family(name):
    """The roles of an ipv6-* scenario speak IPv6."""
    global FAMILY, STACK_IP, PEER_IP
    if name.startswith("ipv6-"):
        FAMILY, STACK_IP, PEER_IP = socket.AF_INET6, STACK_IP6, PEER_IP6


def listener():
    s = socket.socket(FAMILY)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((STACK_IP, STACK_PORT))
    s.listen(1)
    return s


def delayed_acks(c):
    """Linux starts a connection in quick-ACK mode; synack delays ACKs (RFC
    9293 3.8.6.3). Pingpong mode makes Linux delay and piggyback too."""
    c.setsockopt(socket.IPPROTO_TCP, TCP_QUICKACK, 0)


def read_exactly(c, n):
    got = b""
    while len(got) < n:
        d = c.recv(n - len(got))
        if not d:
            break
        got += d
    return got


def stack_passive_peer_closes():
    s = listener()
    c, _ = s.accept()
    assert c.recv(100) == b""
    time.sleep(0.05)
    c.close()


def stack_passive_request_response():
    s = listener()
    c, _ = s.accept()
    delayed_acks(c)
    read_exactly(c, 100)
    c.send(b"r" * 200)
    time.sleep(0.1)
    c.close()
    time.sleep(0.3)


def stack_active_request_response():
    time.sleep(0.2)
    c = socket.create_connection((PEER_IP, PEER_PORT))
    delayed_acks(c)
    c.send(b"q" * 100)
    read_exactly(c, 200)
    c.close()
    time.sleep(0.3)


def stack_active_peer_closes():
    time.sleep(0.2)
    c = socket.create_connection((PEER_IP, PEER_PORT))
    c.send(b"d" * 1000)
    assert c.recv(10) == b""
    time.sleep(0.05)
    c.close()
    time.sleep(0.3)


def stack_receive_8_segments():
    s = listener()
    c, _ = s.accept()
    delayed_acks(c)
    read_exactly(c, 8 * 1460)
    c.close()
    time.sleep(0.3)


def stack_write_10_segments():
    s = listener()
    c, _ = s.accept()
    time.sleep(0.1)
    c.send(b"b" * (10 * 1460))
    time.sleep(0.3)
    c.close()
    time.sleep(0.3)


def stack_passive_half_close():
    s = listener()
    c, _ = s.accept()
    delayed_acks(c)
    read_exactly(c, 100)
    c.send(b"h" * 100)
    c.shutdown(socket.SHUT_WR)
    read_exactly(c, 50)
    assert c.recv(10) == b""
    c.close()
    time.sleep(0.3)


def stack_listen_only():
    s = listener()
    c, _ = s.accept()
    time.sleep(3)
    c.close()


def stack_listen_write_100():
    s = listener()
    c, _ = s.accept()
    time.sleep(0.1)
    c.send(b"w" * 100)
    time.sleep(5)


def stack_listen_write_4000():
    s = listener()
    c, _ = s.accept()
    time.sleep(0.1)
    c.send(b"z" * 4000)
    time.sleep(2)


def stack_nothing():
    time.sleep(1.5)


def stack_connect_write_100():
    time.sleep(0.2)
    c = socket.socket()
    try:
        c.connect((PEER_IP, PEER_PORT))
        c.send(b"c" * 100)
        time.sleep(1)
    except OSError:
        pass


def stack_connect_refused():
    time.sleep(0.2)
    c = socket.socket()
    try:
        c.connect((PEER_IP, PEER_PORT))
    except OSError:
        pass
    time.sleep(0.5)


# ---- the peer: the kernel too ------------------------------------------------


def peer_connect_close():
    time.sleep(0.3)
    c = socket.create_connection((STACK_IP, STACK_PORT))
    time.sleep(0.1)
    c.close()
    time.sleep(0.3)


def peer_request_response():
    time.sleep(0.3)
    c = socket.create_connection((STACK_IP, STACK_PORT))
    time.sleep(0.1)
    c.send(b"q" * 100)
    read_exactly(c, 200)
    assert c.recv(10) == b""
    c.close()
    time.sleep(0.3)


def peer_server():
    s = socket.socket(FAMILY)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((PEER_IP, PEER_PORT))
    s.listen(1)
    return s


def peer_serve_response():
    c, _ = peer_server().accept()
    read_exactly(c, 100)
    c.send(b"r" * 200)
    assert c.recv(10) == b""
    c.close()
    time.sleep(0.3)


def peer_read_then_close():
    c, _ = peer_server().accept()
    read_exactly(c, 1000)
    time.sleep(0.1)
    c.close()
    time.sleep(0.5)


def peer_half_close():
    time.sleep(0.3)
    c = socket.create_connection((STACK_IP, STACK_PORT))
    time.sleep(0.1)
    c.send(b"q" * 100)
    read_exactly(c, 100)
    assert c.recv(10) == b""
    time.sleep(0.1)
    c.send(b"e" * 50)
    c.close()
    time.sleep(0.3)


# ---- the peer: rawpeer.py ------------------------------------------------------


def raw_peer(port=STACK_PORT):
    from rawpeer import RawPeer
    mac = bytes.fromhex(os.environ["SXCAP_STACK_MAC"].replace(":", ""))
    return RawPeer("sxp", PEER_IP, PEER_PORT, STACK_IP, port, mac)


def raw_handshake(p):
    from rawpeer import SYN, ACK, mss_option
    time.sleep(0.3)
    p.send(SYN, 0, win=64240, opts=mss_option())
    p.expect("SYN-ACK")
    p.send(ACK, 1, 1, win=64240)


def raw_syn_to_closed_port():
    from rawpeer import SYN, mss_option
    p = raw_peer(port=9)
    time.sleep(0.3)
    p.send(SYN, 0, win=64240, opts=mss_option())
    p.expect("RST")


def raw_ack_to_closed_port():
    from rawpeer import ACK
    p = raw_peer(port=9)
    time.sleep(0.3)
    p.irs = 123456789
    p.send(ACK, 1, 1000, win=64240)
    p.expect("RST")


def raw_rst_exact():
    from rawpeer import RST, ACK
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    p.send(RST | ACK, 1, 1, win=0)
    time.sleep(0.3)


def raw_rst_in_window():
    from rawpeer import RST, ACK
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    p.send(RST, 1001, 0, win=0)
    p.expect("challenge ACK")
    time.sleep(0.1)
    p.send(RST, 1, 0, win=0)
    time.sleep(0.3)


def raw_rst_out_of_window():
    from rawpeer import RST, ACK
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    p.send(RST, 200000, 0, win=0)
    time.sleep(0.2)
    p.send(ACK, 0, 1, win=64240)       # an old segment: answered by an ACK
    p.expect("ACK")
    time.sleep(0.1)
    p.send(RST | ACK, 1, 1, win=0)
    time.sleep(0.3)


def raw_syn_in_established():
    from rawpeer import SYN, RST, ACK, mss_option
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    p.send(SYN, 5000, 0, win=64240, opts=mss_option())
    p.expect("challenge ACK")
    time.sleep(0.1)
    p.send(RST | ACK, 1, 1, win=0)
    time.sleep(0.3)


def raw_retransmit_after_loss():
    from rawpeer import ACK
    p = raw_peer()
    raw_handshake(p)
    first = p.expect("data", 2)
    again = p.expect("first retransmission", 3)
    third = p.expect("second retransmission", 4)
    time.sleep(0.1)
    p.send(ACK, 1, third.seq + len(third.payload), win=64240)
    time.sleep(0.3)
    del first, again


def raw_syn_retransmit():
    from rawpeer import SYN, ACK, mss_option
    p = raw_peer(port=None)
    p.expect("SYN", 3)                       # lost
    syn = p.expect("retransmitted SYN", 3)
    p.send(SYN | ACK, 0, 1, win=64240, opts=mss_option())
    p.expect("ACK of the SYN-ACK")
    data = p.expect("data", 3)
    p.send(ACK, 1, 1 + len(data.payload), win=64240)
    time.sleep(0.3)
    del syn


def raw_zero_window():
    from rawpeer import ACK, SYN, mss_option
    p = raw_peer()
    time.sleep(0.3)
    p.send(SYN, 0, win=2920, opts=mss_option())
    p.expect("SYN-ACK")
    p.send(ACK, 1, 1, win=2920)
    end = 1
    while end < 2921:                          # two full segments fill the window
        d = p.expect("window-limited data", 2)
        end = max(end, d.seq + len(d.payload))
    time.sleep(0.01)
    p.send(ACK, 1, end, win=0)                 # the window closes
    time.sleep(0.5)
    p.send(ACK, 1, end, win=4000)              # and opens again
    while end < 4001:
        d = p.expect("the rest", 2)
        end = max(end, d.seq + len(d.payload))
    time.sleep(0.01)
    p.send(ACK, 1, end, win=4000)
    time.sleep(0.3)


def raw_send_8_segments():
    from rawpeer import ACK, PSH, FIN
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    for i in range(8):                         # spaced: each one processed on its own
        p.send(ACK | (PSH if i == 7 else 0), 1 + 1460 * i, 1, win=64240, payload=b"s" * 1460)
        time.sleep(0.002)
    while True:
        seg = p.expect("ACKs, then the FIN", 2)
        if seg.flags & FIN:
            break
    time.sleep(0.01)
    p.send(ACK, 1 + 8 * 1460, 2, win=64240)
    time.sleep(0.01)
    p.send(FIN | ACK, 1 + 8 * 1460, 2, win=64240)
    p.expect("ACK of our FIN")
    time.sleep(0.3)


def raw_ack_each_segment():
    from rawpeer import ACK, FIN
    p = raw_peer()
    raw_handshake(p)
    acked, total = 1, 1 + 10 * 1460
    while acked < total:
        ends = []
        seg = p.expect("a burst of data", 2)
        ends.append(seg.seq + len(seg.payload))
        while True:                            # the rest of the burst
            seg = p.recv(0.005)
            if seg is None:
                break
            ends.append(seg.seq + len(seg.payload))
        for e in sorted(ends):                 # one ACK per segment, 1 ms apart
            time.sleep(0.001)
            p.send(ACK, 1, e, win=64240)
            acked = max(acked, e)
    fin = p.expect("FIN", 2)
    time.sleep(0.01)
    p.send(ACK, 1, fin.seq + 1, win=64240)
    time.sleep(0.01)
    p.send(FIN | ACK, 1, fin.seq + 1, win=64240)
    p.expect("ACK of our FIN")
    time.sleep(0.3)


def raw_out_of_order():
    from rawpeer import ACK, PSH, RST
    p = raw_peer()
    raw_handshake(p)
    time.sleep(0.1)
    p.send(PSH | ACK, 101, 1, win=64240, payload=b"2" * 100)
    p.expect("duplicate ACK")
    time.sleep(0.1)
    p.send(ACK, 1, 1, win=64240, payload=b"1" * 100)
    p.expect("ACK of both")
    time.sleep(0.1)
    p.send(RST | ACK, 201, 1, win=0)
    time.sleep(0.3)


def raw_refuse():
    from rawpeer import RST, ACK
    p = raw_peer(port=None)
    p.expect("SYN", 3)
    p.send(RST | ACK, 0, 1, win=0)
    time.sleep(0.3)


# ---- the scenarios ----------------------------------------------------------------
# name: (peer kind, capture format, stack role, peer role, route options of the stack)

SCENARIOS = {
    "passive-open-peer-closes": ("kernel", "pcap", stack_passive_peer_closes, peer_connect_close, ["quickack", "1"]),
    "passive-request-response": ("kernel", "pcapng", stack_passive_request_response, peer_request_response, []),
    "active-request-response": ("kernel", "pcap", stack_active_request_response, peer_serve_response, []),
    "active-open-peer-closes": ("kernel", "pcap", stack_active_peer_closes, peer_read_then_close, ["quickack", "1"]),
    "receive-ack-every-second-segment": ("raw", "pcap", stack_receive_8_segments, raw_send_8_segments, []),
    "send-slow-start": ("raw", "pcap", stack_write_10_segments, raw_ack_each_segment, []),
    "passive-half-close": ("kernel", "pcap", stack_passive_half_close, peer_half_close, []),
    "syn-to-closed-port": ("raw", "sll", stack_nothing, raw_syn_to_closed_port, []),
    "ack-to-closed-port": ("raw", "pcap", stack_nothing, raw_ack_to_closed_port, []),
    "rst-exact-closes": ("raw", "pcap", stack_listen_only, raw_rst_exact, []),
    "rst-in-window-challenge-ack": ("raw", "pcap", stack_listen_only, raw_rst_in_window, []),
    "rst-out-of-window-ignored": ("raw", "pcap", stack_listen_only, raw_rst_out_of_window, []),
    "syn-in-established-challenge-ack": ("raw", "pcap", stack_listen_only, raw_syn_in_established, []),
    "retransmit-after-loss": ("raw", "pcap", stack_listen_write_100, raw_retransmit_after_loss, []),
    "syn-retransmit": ("raw", "pcapng", stack_connect_write_100, raw_syn_retransmit, []),
    "zero-window-then-update": ("raw", "pcap", stack_listen_write_4000, raw_zero_window, []),
    "out-of-order-receive": ("raw", "pcap", stack_listen_only, raw_out_of_order, []),
    "active-open-refused": ("raw", "pcap", stack_connect_refused, raw_refuse, []),
    # over IPv6, with the kernel as the peer
    "ipv6-passive-open-peer-closes": ("kernel", "pcap", stack_passive_peer_closes, peer_connect_close, ["quickack", "1"]),
    "ipv6-passive-request-response": ("kernel", "pcap", stack_passive_request_response, peer_request_response, []),
    "ipv6-active-request-response": ("kernel", "pcap", stack_active_request_response, peer_serve_response, []),
    "ipv6-active-open-peer-closes": ("kernel", "pcapng", stack_active_peer_closes, peer_read_then_close, ["quickack", "1"]),
    "ipv6-passive-half-close": ("kernel", "pcap", stack_passive_half_close, peer_half_close, []),
}

# ---- namespaces ----------------------------------------------------------------------


def sh(*cmd, ns=None, check=True):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    return subprocess.run(cmd, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Net:
    """Two namespaces and a veth pair, deleted by close() whatever happened."""

    def __init__(self, peer_kind, route_opts, v6=False):
        tag = str(os.getpid())
        self.stack_ns, self.peer_ns = "sxcap-s-" + tag, "sxcap-p-" + tag
        self.made = []
        try:
            for ns in (self.stack_ns, self.peer_ns):
                sh("ip", "netns", "add", ns)
                self.made.append(ns)
            sh("ip", "link", "add", "sxs" + tag, "type", "veth", "peer", "name", "sxp" + tag)
            sh("ip", "link", "set", "sxs" + tag, "netns", self.stack_ns, "name", "sxs")
            sh("ip", "link", "set", "sxp" + tag, "netns", self.peer_ns, "name", "sxp")
            for ns, dev in ((self.stack_ns, "sxs"), (self.peer_ns, "sxp")):
                sh("ip", "link", "set", "lo", "up", ns=ns)
                sh("ip", "link", "set", dev, "up", ns=ns)
                sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", "tx", "off",
                   "rx", "off", ns=ns)
            if v6:
                self.addresses_v6(route_opts)
            sh("ip", "addr", "add", STACK_IP + "/24", "dev", "sxs", ns=self.stack_ns)
            sh("ip", "route", "add", "198.51.100.0/24", "dev", "sxs", "rto_min", "1000ms",
               "initcwnd", "3", *route_opts, ns=self.stack_ns)
            for key in ("tcp_timestamps", "tcp_sack", "tcp_window_scaling", "tcp_early_retrans",
                        "tcp_recovery"):
                sh("sysctl", "-q", "net.ipv4.%s=0" % key, ns=self.stack_ns)
            self.stack_mac = open_mac(self.stack_ns, "sxs")
            self.peer_mac = open_mac(self.peer_ns, "sxp")
            if peer_kind == "kernel":
                sh("ip", "addr", "add", PEER_IP + "/24", "dev", "sxp", ns=self.peer_ns)
                sh("ip", "route", "add", "192.0.2.0/24", "dev", "sxp", ns=self.peer_ns)
            else:   # no address: the kernel of the peer namespace stays silent
                sh("ip", "neigh", "add", PEER_IP, "lladdr", self.peer_mac, "dev", "sxs",
                   "nud", "permanent", ns=self.stack_ns)
        except BaseException:
            self.close()
            raise

    def addresses_v6(self, route_opts):
        """2001:db8::1 and 2001:db8:1::2, each routing to the other on its veth."""
        for ns, dev, addr, other in ((self.stack_ns, "sxs", STACK_IP6, "2001:db8:1::/64"),
                                     (self.peer_ns, "sxp", PEER_IP6, "2001:db8::/64")):
            sh("sysctl", "-q", "net.ipv6.conf.all.disable_ipv6=0", ns=ns)
            sh("sysctl", "-q", "net.ipv6.conf.%s.disable_ipv6=0" % dev, ns=ns)
            sh("ip", "-6", "addr", "add", addr + "/64", "dev", dev, "nodad", ns=ns)
            extra = ["rto_min", "1000ms", "initcwnd", "3", *route_opts] if dev == "sxs" else []
            sh("ip", "-6", "route", "add", other, "dev", dev, *extra, ns=ns)

    def close(self):
        for ns in self.made:
            sh("ip", "netns", "del", ns, check=False)
        self.made = []


def open_mac(ns, dev):
    out = sh("cat", "/sys/class/net/%s/address" % dev, ns=ns).stdout
    return out.strip()


def run_scenario(name, outdir):
    peer_kind, fmt, _, _, route_opts = SCENARIOS[name]
    net = Net(peer_kind, route_opts, v6=name.startswith("ipv6-"))
    tmp = tempfile.mkdtemp(prefix="sxcap-")
    procs = []
    try:
        raw = os.path.join(tmp, "cap")
        iface = "any" if fmt == "sll" else "sxs"
        cmd = ["ip", "netns", "exec", net.stack_ns, "dumpcap", "-q", "-i", iface, "-f", "tcp",
               "-w", raw]
        if fmt != "pcapng":
            cmd.append("-P")
        dump = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(dump)
        for _ in range(100):
            if os.path.exists(raw) and os.path.getsize(raw) > 0:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        env = dict(os.environ, SXCAP_STACK_MAC=net.stack_mac)
        me = os.path.abspath(__file__)
        stack = subprocess.Popen(["ip", "netns", "exec", net.stack_ns, sys.executable, me,
                                  "--role", "stack", name], env=env)
        peer = subprocess.Popen(["ip", "netns", "exec", net.peer_ns, sys.executable, me,
                                 "--role", "peer", name], env=env)
        procs += [stack, peer]
        rc_peer = peer.wait(timeout=30)
        rc_stack = stack.wait(timeout=30)
        time.sleep(0.3)
        dump.send_signal(signal.SIGINT)
        dump.wait(timeout=10)
        ext = ".pcapng" if fmt == "pcapng" else ".pcap"
        dest = os.path.join(outdir, name + ext)
        if rc_peer or rc_stack:
            shutil.copyfile(raw, dest + ".failed")
            raise SystemExit("%s: a role failed (stack %d, peer %d); what was captured: %s.failed"
                             % (name, rc_stack, rc_peer, dest))
        shutil.copyfile(raw, dest)
        print("wrote", dest)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        net.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--role", choices=("stack", "peer"))
    ap.add_argument("--out", default=os.path.dirname(HERE))
    ap.add_argument("names", nargs="*")
    a = ap.parse_args()
    if a.role:
        _, _, stack_fn, peer_fn, _ = SCENARIOS[a.names[0]]
        use_family(a.names[0])
        (stack_fn if a.role == "stack" else peer_fn)()
        return
    if os.geteuid() != 0:
        raise SystemExit("capture.py: needs root (network namespaces)")
    names = a.names or sorted(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            raise SystemExit("capture.py: unknown scenario %s (known: %s)" % (n, ", ".join(sorted(SCENARIOS))))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    for n in names:
        run_scenario(n, a.out)


if __name__ == "__main__":
    main()

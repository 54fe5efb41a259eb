#!/bin/sh
# The TUN example end to end: echo_server in a network namespace this test
# creates and deletes (every exit path), the kernel's TCP as its client.
# Python's socket module sends 1 MiB and 100 short messages on 5 connections
# at once; everything must come back byte-exact.
#   stack/examples/echo_server_test.sh BUILD_DIR
# Exit 77 (skipped, with why) when not root or without /dev/net/tun, ip, python3.
set -u
bin=${1:-build}/examples/echo_server
[ -x "$bin" ] || { echo "FAIL: $bin is not built"; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "skipped: needs root (a network namespace and a TUN device)"; exit 77; }
[ -c /dev/net/tun ] || { echo "skipped: no /dev/net/tun"; exit 77; }
for t in ip python3; do
    command -v $t >/dev/null 2>&1 || { echo "skipped: $t is not installed"; exit 77; }
done
ns=synack-echo-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/synack-echo-XXXXXX") || exit 1
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
ip netns add "$ns" || { echo "FAIL: ip netns add $ns"; exit 1; }
ip -n "$ns" link set lo up
ip netns exec "$ns" "$bin" tun0 7 >"$work/server.log" 2>&1 &
pid=$!
for i in $(seq 50); do
    grep -q listening "$work/server.log" && break
    sleep 0.1
done
grep -q listening "$work/server.log" || { cat "$work/server.log"; echo "FAIL: echo_server did not start"; exit 1; }
ip netns exec "$ns" python3 - <<'PY' || { cat "$work/server.log"; echo "FAIL: echo over TUN"; exit 1; }
import socket, threading, os, sys, hashlib
ok = []
def one(i, size):
    data = os.urandom(size)
    s = socket.create_connection(('192.0.2.1', 7), timeout=20)
    def send():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    th = threading.Thread(target=send); th.start()
    got = bytearray()
    while True:
        b = s.recv(65536)
        if not b:
            break
        got += b
    th.join(); s.close()
    ok.append(bytes(got) == data)
    if bytes(got) != data:
        print(f"connection {i}: sent {len(data)}, got {len(got)} back", file=sys.stderr)
threads = [threading.Thread(target=one, args=(0, 1 << 20))]
threads += [threading.Thread(target=one, args=(i, 100 * i)) for i in range(1, 5)]
for t in threads: t.start()
for t in threads: t.join()
print(f"{sum(ok)} of {len(threads)} connections echoed byte-exact (1 MiB and 4 short ones, at once)")
sys.exit(0 if all(ok) and len(ok) == len(threads) else 1)
PY
kill "$pid"; wait "$pid"; pid=
cat "$work/server.log"
grep -q "5 connections" "$work/server.log" || { echo "FAIL: echo_server did not count 5 connections"; exit 1; }
ip netns del "$ns" && ! ip netns list | grep -q "^$ns" || { echo "FAIL: namespace $ns left"; exit 1; }
echo "PASS: echo_server over TUN in namespace $ns (deleted)"

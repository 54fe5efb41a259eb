#!/bin/sh
# make stress: synack under attack and churn, figures rather than
# assertions (DESIGN: performance is measured, never asserted). Everything
# runs in a namespace this script creates and deletes; addresses only from
# RFC 5737. Run it under `flock /work/locks/heavy` on a shared machine.
#
#   sh stack/tests/stress/run.sh [BUILD_DIR] [CHURN_SECONDS]
#
#   1  1,000,000 spoofed SYNs while 20 legitimate clients connect: how many
#      got through, their worst connect time, synack-serve's RSS
#   2  churn: 10,000 connections per second for CHURN_SECONDS (300), RSS
#      every 10 s (it should stay flat)
#   3  ACK flood and RST flood (1,000,000 each): the counters that moved,
#      then a client still served
#   4  100,000 concurrent connections between two stacks in memory beside
#      the kernel's over veth (stack/bench/conns.sh)
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
CHURN=${2:-300}
TOP=$(cd "$(dirname "$0")/../../.." && pwd)
NS="synack-stress-$$"
SA=192.0.2.1 KA=198.51.100.2 DEV=sa0
[ "$(id -u)" -eq 0 ] || { echo "stress: skipped: needs root"; exit 77; }
for x in synack-serve synflood loadgen stack/bench/bench_conns stack/bench/kernel_conns; do
    [ -x "$B/$x" ] || { echo "stress: skipped: $B/$x is not built (make stress builds it)"; exit 77; }
done
W=$(mktemp -d /tmp/synack-stress.XXXXXX)
SV=""
cleanup() {
    [ -n "$SV" ] && kill "$SV" 2>/dev/null && wait "$SV" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"$TOP/stack/apps/synack-ns" up "$NS" "$DEV" "$SA" "$KA" >/dev/null || { echo "stress: no namespace"; exit 77; }
mkdir -p "$W/www"; echo ok >"$W/www/x"
X() { ip netns exec "$NS" "$@"; }
serve() {
    ip netns exec "$NS" "$B/synack-serve" --tun "$DEV" --addr "$SA" --peer "$KA" --port 8080 \
        --http "$W/www" -vv 2>"$W/serve.log" &
    SV=$!
    i=0; while [ $i -lt 100 ] && ! grep -q listening "$W/serve.log"; do sleep 0.05; i=$((i + 1)); done
}
stop() { kill -INT "$SV"; wait "$SV" 2>/dev/null; SV=""; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$SV/status"; }
counters() { grep -E "^  ($1) " "$W/serve.log" | sed 's/^ */    /'; }

echo "== 1: 1,000,000 spoofed SYNs, 20 legitimate clients meanwhile"
serve; r0=$(rss)
X "$B/synflood" "$DEV" "$SA" 8080 1000000 syn 5 >"$W/flood.log" &
FP=$!
i=1; ok=0; worst=0
while [ $i -le 20 ]; do
    t=$(X curl -s -o /dev/null --connect-timeout 3 -w '%{time_connect}' "http://$SA:8080/x") &&
        ok=$((ok + 1)) && worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
    i=$((i + 1))
done
wait $FP
echo "  $(cat "$W/flood.log")"
echo "  legitimate clients: $ok of 20 connected, worst connect $(awk -v w="$worst" 'BEGIN { printf "%.1f ms", w * 1000 }'); RSS $r0 -> $(rss) kB"
stop; counters "ip_in|tcp_syncache_added|tcp_syncookies_sent|tcp_syncookies_ok|tcp_listen_overflow"

echo "== 2: churn, 10,000 connections per second for $CHURN s"
serve
X "$B/loadgen" "$SA" 8080 /x 10000 "$CHURN" "$SV" | sed 's/^/  /'
stop; counters "tcp_conn_established|tcp_conn_limit|tcp_timewait_evicted|tcp_timewait_expired|tcp_orphan_limit"

for kind in ack rst; do
    echo "== 3: 1,000,000 spoofed ${kind}s, then a client"
    serve; r0=$(rss)
    X "$B/synflood" "$DEV" "$SA" 8080 1000000 "$kind" 7 | sed 's/^/  /'
    t=$(X curl -s -o /dev/null --connect-timeout 3 -w '%{http_code} in %{time_connect} s' "http://$SA:8080/x")
    echo "  client: $t; RSS $r0 -> $(rss) kB"
    stop; counters "ip_in|tcp_rst_sent|tcp_rst_ratelimited|tcp_drop_rst_no_conn|tcp_listen_drop_rst|tcp_syncookies_bad"
done

echo "== 4: 100,000 concurrent connections (stack/bench/conns.sh)"
sh "$TOP/stack/bench/conns.sh" "$B" 100000 | sed 's/^/  /'

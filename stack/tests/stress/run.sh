#!/bin/sh
# make stress: synack under attack and churn, figures rather than
# assertions (DESIGN: performance is measured, never asserted). Everything
# runs in a namespace this script creates and deletes (on every exit path:
# the processes it started there are ended first); addresses only from
# RFC 5737. Run it under `flock -o /work/locks/heavy` on a shared machine,
# in a session of its own whose autogroup is raised (stack/README.md: with
# sched_autogroup, nice alone does not outrank other sessions).
#
#   sh stack/tests/stress/run.sh [BUILD_DIR] [CHURN_SECONDS] [CHURN_RATE]
#   (make stress: STRESS_CHURN_SECONDS, STRESS_CHURN_RATE; STRESS_FLOOD
#   spoofed segments in 1 and 3, 1,000,000; STRESS_CONNS for 4, 100,000;
#   STRESS_PARTS the parts to run, "1 2 3 4")
#
#   1  1,000,000 spoofed SYNs while 20 legitimate clients connect: how many
#      got through, their worst connect time, synack-serve's RSS, and where
#      datagrams were lost: the kernel's queue toward the device (before
#      synack), synack's own counters (every SYN that reached the listener
#      answered or counted), the kernel's backlog (synack's answers), the
#      legitimate clients' SYNs sent again
#   2  churn: CHURN_RATE (10,000) connections per second for CHURN_SECONDS
#      (300): every 10 s the requests done and failed, connect times, the
#      RSS and CPU time of synack-serve and what its stack holds by state
#   3  ACK flood and RST flood (1,000,000 each): the counters that moved,
#      then a client still served
#   4  100,000 concurrent connections between two stacks in memory beside
#      the kernel's over veth (stack/bench/conns.sh): handshakes per second
#      and bytes per idle connection
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
CHURN=${2:-300}
RATE=${3:-10000}
FLOOD=${STRESS_FLOOD:-1000000} # spoofed segments in 1 and 3 (fewer for a quick try)
PARTS=${STRESS_PARTS:-1 2 3 4}
part() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
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
    # every process this script started in its namespace (synack-serve, a
    # flood, loadgen, curl), then the namespace and the device with it
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    [ -n "$SV" ] && wait "$SV" 2>/dev/null
    SV=""
    ip netns del "$NS" 2>/dev/null
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
"$TOP/stack/apps/synack-ns" up "$NS" "$DEV" "$SA" "$KA" >/dev/null || { echo "stress: no namespace"; exit 77; }
mkdir -p "$W/www"; echo ok >"$W/www/x"
X() { ip netns exec "$NS" "$@"; }
serve() {
    dd0=$(dev_drops)
    ip netns exec "$NS" "$B/synack-serve" --tun "$DEV" --addr "$SA" --peer "$KA" --port 8080 \
        --http "$W/www" -vv 2>"$W/serve.log" &
    SV=$!
    i=0; while [ $i -lt 100 ] && ! grep -q listening "$W/serve.log"; do sleep 0.05; i=$((i + 1)); done
}
stop() { kill -INT "$SV"; wait "$SV" 2>/dev/null; SV=""; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$SV/status"; }
counters() { grep -E "^  ($1) " "$W/serve.log" | sed 's/^ */    /'; }
# what synack-serve said of its device and its stack when it stopped, and
# what the kernel dropped on its way to the device during this part
dev_drops() { X cat "/sys/class/net/$DEV/statistics/tx_dropped"; }
serve_report() {
    grep -E "datagrams read|usage:" "$W/serve.log" | tail -n 2 | sed 's/^synack-serve: /    /'
    echo "    dropped by the kernel before synack (its queue to the device full): $(($(dev_drops) - dd0))"
}
# the kernel's TCP counters in the namespace (nstat, iproute2)
kstat() { X nstat -az 2>/dev/null | awk -v re="^($1)\$" '$1 ~ re { printf "    kernel %-24s %s\n", $1, $2 }'; }
# the kernel's backlog drops, all CPUs (softnet_stat column 2, hex): global
backlog_drops() { s=0; while read -r _ d _; do s=$((s + 0x$d)); done </proc/net/softnet_stat; echo $s; }

if part 1; then
echo "== 1: $FLOOD spoofed SYNs, 20 legitimate clients meanwhile"
serve; r0=$(rss); bd0=$(backlog_drops)
X nstat -n >/dev/null 2>&1
X "$B/synflood" "$DEV" "$SA" 8080 "$FLOOD" syn 5 >"$W/flood.log" &
FP=$!
i=1; ok=0; worst=0; fails=""
while [ $i -le 20 ]; do
    if t=$(X curl -s -o /dev/null --connect-timeout 3 -w '%{time_connect}' "http://$SA:8080/x"); then
        ok=$((ok + 1)); worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a) ? b : a }')
    else
        fails="$fails $i"
    fi
    i=$((i + 1))
done
wait $FP
echo "  $(cat "$W/flood.log")"
echo "  legitimate clients: $ok of 20 connected${fails:+ (failed:$fails)}, worst connect $(awk -v w="$worst" 'BEGIN { printf "%.1f ms", w * 1000 }'); RSS $r0 -> $(rss) kB"
stop
echo "  where datagrams were lost:"
serve_report
counters "ip_in|tcp_listen_syn|tcp_syncache_added|tcp_syncookies_sent|tcp_syncookies_ok|tcp_listen_overflow|tcp_syncache_dropped|tcp_conn_limit|link_drop"
echo "    kernel backlog drops (synack's answers, whole machine): $(($(backlog_drops) - bd0))"
kstat "TcpExtTCPSynRetrans|TcpActiveOpens|TcpAttemptFails"
fi

if part 2; then
echo "== 2: churn, $RATE connections per second for $CHURN s"
serve
X nstat -n >/dev/null 2>&1
X "$B/loadgen" "$SA" 8080 /x "$RATE" "$CHURN" "$SV" | sed 's/^/  /'
echo "  what synack's stack held, every 10 s:"
grep "usage:" "$W/serve.log" | sed 's/^synack-serve: usage: /    /'
stop
serve_report
counters "tcp_conn_established|tcp_conn_limit|tcp_listen_overflow|tcp_syncookies_sent|tcp_timewait_reopened|tcp_timewait_evicted|tcp_timewait_expired|tcp_orphan_limit|tcp_retransmits|tcp_rst_sent"
kstat "TcpExtTCPSynRetrans|TcpRetransSegs|TcpExtTCPTimeouts|TcpEstabResets"
fi

part 3 && for kind in ack rst; do
    echo "== 3: $FLOOD spoofed ${kind}s, then a client"
    serve; r0=$(rss)
    X "$B/synflood" "$DEV" "$SA" 8080 "$FLOOD" "$kind" 7 | sed 's/^/  /'
    t=$(X curl -s -o /dev/null --connect-timeout 3 -w '%{http_code} in %{time_connect} s' "http://$SA:8080/x")
    echo "  client: $t; RSS $r0 -> $(rss) kB"
    stop
    serve_report
    counters "ip_in|tcp_rst_sent|tcp_rst_ratelimited|tcp_drop_rst_no_conn|tcp_listen_drop_rst|tcp_syncookies_bad"
done

if part 4; then
echo "== 4: ${STRESS_CONNS:-100000} concurrent connections (stack/bench/conns.sh)"
sh "$TOP/stack/bench/conns.sh" "$B" "${STRESS_CONNS:-100000}" | sed 's/^/  /'
fi

cleanup
trap - EXIT
if ip netns list | grep -q "^$NS\b"; then
    echo "stress: namespace $NS left behind"; exit 1
fi
echo "stress: namespace $NS and its device are gone"

#!/bin/sh
# Goodput through loss on a 20 ms path (and through the interop test's
# loss 3%, reorder 5%, delay 5 ms), synack beside the kernel in the
# same run: synack sending to the kernel (synack-serve to curl) and the
# kernel sending to synack (python3 -m http.server to synack-get), each
# through synack's impairment stage on the data's direction only (the ACKs
# untouched), so both senders meet the same path; and the kernel sending to
# the kernel of a second namespace through the same stage (synack-relay),
# the receiver synack is measured against. bench_bulk's in-memory
# figures are synack to synack on the same loss and RTT. Figures, not
# assertions.
#
#   sh stack/bench/lossy.sh BUILD_DIR     (root, a TUN device; else skipped)
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
TOP=$(cd "$(dirname "$0")/../.." && pwd)
NS="synack-lossy-$$" DEV=sl0 SA=192.0.2.1 KA=198.51.100.2
NS2="synack-lossy2-$$" DEV2=sl1 # the kernel as the receiver, at synack's address
skip() { echo "lossy: skipped: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace and a TUN device)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for t in ip curl python3 ss; do command -v $t >/dev/null 2>&1 || skip "$t is not installed"; done
[ -x "$B/synack-get" ] && [ -x "$B/synack-serve" ] && [ -x "$B/synack-relay" ] ||
    skip "synack-get, synack-serve, synack-relay not built"

WORK=$(mktemp -d /tmp/synack-lossy.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    ip netns del "$NS2" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
"$TOP/stack/apps/synack-ns" up "$NS" "$DEV" "$SA" "$KA" >"$WORK/ns.log" 2>&1 ||
    skip "cannot create a namespace: $(tail -n 1 "$WORK/ns.log")"
"$TOP/stack/apps/synack-ns" up "$NS2" "$DEV2" "$KA" "$SA" >"$WORK/ns.log" 2>&1 ||
    skip "cannot create a namespace: $(tail -n 1 "$WORK/ns.log")"
X() { ip netns exec "$NS" "$@"; }
mkdir "$WORK/www"
head -c $((8 * 1024 * 1024)) /dev/urandom >"$WORK/www/8m.bin"
head -c $((2 * 1024 * 1024)) "$WORK/www/8m.bin" >"$WORK/www/2m.bin"

ip netns exec "$NS" python3 -m http.server 8000 --bind "$KA" --directory "$WORK/www" >/dev/null 2>&1 &
PIDS="$PIDS $!"
i=0
until [ -n "$(X ss -Hltn 'sport = :8000' 2>/dev/null)" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || skip "python3 -m http.server did not start"; sleep 0.05
done

# kernel -> synack: the stage delays and drops what the kernel sends
kernel_sends() { # impairment file seed
    X "$B/synack-get" -v --tun "$DEV" --addr "$SA" --peer "$KA" --timeout 120 \
        --impair "$1,dir=in,seed=$3" -o "$WORK/got" "http://$KA:8000/$2" \
        2>"$WORK/get.log" </dev/null && cmp -s "$WORK/got" "$WORK/www/$2" &&
        sed -n 's/.*(\([0-9.]*\) Mbit\/s goodput).*/\1/p' "$WORK/get.log" || echo "failed"
}
# kernel -> kernel: the same stage between the kernel of NS (the sender,
# its device DEV) and that of NS2 (curl at synack's address, on DEV2)
kernel_to_kernel() { # impairment file seed
    "$B/synack-relay" "$NS" "$DEV" "$NS2" "$DEV2" --impair "$1,seed=$3" 2>"$WORK/relay.log" &
    rl=$!
    if r=$(ip netns exec "$NS2" curl -sS --max-time 300 -o "$WORK/got" -w '%{speed_download}' \
            "http://$KA:8000/$2" 2>/dev/null) && cmp -s "$WORK/got" "$WORK/www/$2"; then
        awk -v b="$r" 'BEGIN { printf "%.2f", b * 8 / 1e6 }'
    else
        echo "failed"
    fi
    kill $rl 2>/dev/null; wait $rl 2>/dev/null
}
# synack -> kernel: the same stage on what synack sends, with synack's
# congestion control cc (reno, cubic, bbr)
synack_sends() { # impairment file seed cc
    # `ip netns exec` execs synack-serve, so $! is synack-serve's pid; its
    # stdout away from the caller's $(...), which would wait for it
    ip netns exec "$NS" "$B/synack-serve" --tun "$DEV" --addr "$SA" --peer "$KA" --port 8080 \
        --http "$WORK/www" --impair "$1,dir=out,seed=$3" --cc "$4" \
        >/dev/null 2>"$WORK/serve.log" &
    sv=$!
    i=0
    until grep -q "listening on" "$WORK/serve.log" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 100 ] && kill -0 $sv 2>/dev/null || break; sleep 0.05
    done
    if r=$(X curl -sS --max-time 300 -o "$WORK/got" -w '%{speed_download}' \
            "http://$SA:8080/$2" 2>/dev/null) && cmp -s "$WORK/got" "$WORK/www/$2"; then
        awk -v b="$r" 'BEGIN { printf "%.2f", b * 8 / 1e6 }'
    else
        echo "failed"
    fi
    kill $sv 2>/dev/null; wait $sv 2>/dev/null
}
# The kernel's sender with each congestion control it has (reno and cubic
# respond to loss as RFC 5681 and RFC 9438 say; bbr does not take random
# loss as congestion), set in the namespace only.
CCS=""
for cc in reno cubic bbr; do
    grep -qw "$cc" /proc/sys/net/ipv4/tcp_available_congestion_control 2>/dev/null && CCS="$CCS $cc"
done
# FN's figure with the kernel's sender on each congestion control in turn
each_cc() { # fn args...
    fn=$1; shift
    for cc in $CCS; do
        # a namespace may only pick what net.ipv4.tcp_allowed_congestion_control lists
        if X sysctl -qw net.ipv4.tcp_congestion_control="$cc" 2>/dev/null; then
            printf ' %15s' "$($fn "$@")"
        else
            printf ' %15s' "not allowed"
        fi
    done
}
echo "== through the impairment stage, on the data only: goodput in Mbit/s"
printf '%-32s %-7s %15s %15s %15s' "impairment" "file" "synack(reno)->" "synack(cubic)->" \
    "synack(bbr)->"
for cc in $CCS; do printf ' %15s' "kernel($cc)->"; done
for cc in $CCS; do printf ' %15s' "($cc)->kernel"; done
echo
# 20 ms with 1% and 5% loss (bench_bulk's paths), and the interop test's stage
for c in "loss=1%,delay=20ms 8m.bin 3" "loss=5%,delay=20ms 2m.bin 5" \
         "loss=3%,reorder=5%,delay=5ms 8m.bin 7"; do
    set -- $c
    printf '%-32s %-7s %15s %15s %15s' "$1" "$2" "$(synack_sends "$1" "$2" "$3" reno)" \
        "$(synack_sends "$1" "$2" "$3" cubic)" "$(synack_sends "$1" "$2" "$3" bbr)"
    each_cc kernel_sends "$1" "$2" "$3"
    each_cc kernel_to_kernel "$1" "$2" "$3"
    echo
done

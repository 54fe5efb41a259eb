#!/bin/sh
# Interop: synack on a TUN device against the Linux kernel and real tools,
# in a network namespace this script creates and always deletes.
#
#   sh stack/tests/interop/run.sh [BUILD_DIR]     (make check-interop)
#
#   1  synack-get downloads 20 MiB from `python3 -m http.server`: digests match
#   2  curl downloads 20 MiB from synack-serve --http: digests match
#   3  both again through netem (loss 3%, reorder 5%, delay 5 ms) on the device
#   3r both again through synack's own impairment stage (same figures, on
#      what the kernel sends into the device, as netem there would; seeded):
#      it stands in for netem where the kernel lacks it
#   3o synack -> kernel, 20 MiB, the same impairment on what synack sends
#      (dir=out): the mirror of 3r's kernel -> synack, the kernel's SACKs
#   3b synack sending 2 MiB through the same impairment in both directions
#   4  ping -c 3 from the kernel to synack
#   5  a kernel connect to a closed synack port: "Connection refused"
#   6  100 concurrent curl clients against synack-serve
#   7  a SYN flood: 300,000 spoofed SYNs into the device (AF_PACKET, from
#      inside the namespace), then 5 curls each connect within 3 s
#   8  churn: 1,100 sequential short requests (more than max_conns, 1024:
#      TIME-WAIT must not hold them) all succeed
#   8h request heads in pieces: one served (200), one past 8 KiB refused (431)
#   1v6, 2v6, 4v6, 5v6  steps 1, 2, 4 and 5 over IPv6 (2001:db8::1 and ::2),
#      the dual-stack server serving IPv4 too
#   +  synack-get's messages for refused, reset and timed-out connections
#   L  synack lint: the RFC oracle finds nothing in synack's packets of
#      every capture the apps wrote, IPv4 and IPv6 (but the SYN flood's:
#      see step 7)
#
# Exit 0 when nothing failed (a step that cannot run here is SKIP, named
# with its reason, never counted as passed); 77 when the whole test cannot
# run (not root, no TUN, a tool missing), with the reason on the last line.
set -u

B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
NSH="$TOP/stack/apps/synack-ns"
GET="$B/synack-get"
SERVE="$B/synack-serve"
NS="synack-iop-$$"
DEV=sa0
SA=192.0.2.1      # synack
KA=198.51.100.2   # the kernel
SA6=2001:db8::1   # synack over IPv6 (steps *v6)
KA6=2001:db8::2
SIZE=$((20 * 1024 * 1024))

skip() { echo "interop: skipped: $*"; exit 77; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and a TUN device)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun in this environment"
for tool in ip curl python3 ping sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed (make deps)"
done
[ -x "$GET" ] && [ -x "$SERVE" ] || skip "$GET and $SERVE are not built (make apps)"
FLOOD="$B/synflood"
[ -x "$FLOOD" ] || skip "$FLOOD is not built (make $FLOOD)"

WORK=$(mktemp -d /tmp/synack-interop.XXXXXX)
PIDS=""
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    PIDS=""
    # anything else this test started in its namespace (a flood, a curl,
    # when a signal came in the middle of a step)
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

"$NSH" up "$NS" "$DEV" "$SA" "$KA" >"$WORK/ns.log" 2>&1 ||
    skip "cannot create a namespace with a TUN device: $(tail -n 1 "$WORK/ns.log")"

X() { ip netns exec "$NS" "$@"; }
# In the background, run `ip netns exec` itself (it execs the command: $! is its pid).

npass=0; nfail=0; nskip=0; SUMMARY=""
result() { # status step text
    SUMMARY="$SUMMARY
$(printf '%-5s %-3s %s' "$1" "$2" "$3")"
    printf '%-5s %-3s %s\n' "$1" "$2" "$3"
    case $1 in PASS) npass=$((npass + 1)) ;; FAIL) nfail=$((nfail + 1)) ;; SKIP) nskip=$((nskip + 1)) ;; esac
}
keep() { # keep captures and logs of a failure where the build is
    mkdir -p "$B/interop-failures"
    cp "$WORK"/*.pcap "$WORK"/*.log "$B/interop-failures/" 2>/dev/null
}

mkdir -p "$WORK/www"
head -c "$SIZE" /dev/urandom >"$WORK/www/big.bin"
head -c 262144 /dev/urandom >"$WORK/www/small.bin"
BIG_SUM=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)
SMALL_SUM=$(sha256sum <"$WORK/www/small.bin" | cut -d' ' -f1)

# Wait until something in the namespace listens on TCP port $1 (without
# connecting: a one-shot server would take the probe for its client).
wait_listen() {
    i=0
    while [ $i -lt 100 ]; do
        [ -n "$(X ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
# Wait until synack-serve says it listens (its log), or it died.
wait_serve() { # log pid
    i=0
    while [ $i -lt 100 ]; do
        grep -q "listening on" "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05; i=$((i + 1))
    done
    return 1
}
mbit() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b * 8 / s / 1e6; else print "?" }'; }

# The kernel's HTTP server for steps 1 and 3.
ip netns exec "$NS" python3 -m http.server 8000 --bind "$KA" --directory "$WORK/www" >"$WORK/pyhttp.log" 2>&1 &
PY=$!; PIDS="$PIDS $PY"
wait_listen 8000 || { result FAIL 1 "python3 -m http.server did not start"; exit 1; }

# judge STEP DIRECTION LABEL FILE RATE: the 20 MiB download against big.bin
judge() {
    if [ "$(sha256sum <"$4" | cut -d' ' -f1)" = "$BIG_SUM" ]; then
        result PASS "$1" "$2, 20 MiB$3: digests match, goodput $5 Mbit/s"
    else
        result FAIL "$1" "$2$3: digest differs"; keep
    fi
}

# step_get STEP LABEL [--impair SPEC]: synack-get 20 MiB from the kernel
step_get() {
    step=$1 label=$2; shift 2
    out="$WORK/get-$step.bin"
    if X "$GET" -v --tun "$DEV" --addr "$SA" --peer "$KA" --connect-timeout 5 --timeout 20 \
            --pcap "$WORK/get-$step.pcap" "$@" -o "$out" "http://$KA:8000/big.bin" \
            2>"$WORK/get-$step.log"; then
        rate=$(sed -n 's/.*(\([0-9.]*\) Mbit\/s goodput).*/\1/p' "$WORK/get-$step.log")
        judge "$step" "kernel -> synack" "$label" "$out" "$rate"
    else
        result FAIL "$step" "kernel -> synack$label: synack-get failed: $(grep -v 'datagrams read' "$WORK/get-$step.log" | tail -n 1)"; keep
    fi
    rm -f "$out"
}

# start_serve TAG [--impair SPEC]: synack-serve --http in the background
start_serve() {
    tag=$1; shift
    ip netns exec "$NS" "$SERVE" --tun "$DEV" --addr "$SA" --peer "$KA" --port 8080 --http "$WORK/www" \
        --pcap "$WORK/serve-$tag.pcap" "$@" 2>"$WORK/serve-$tag.log" &
    SV=$!; PIDS="$PIDS $SV"
    wait_serve "$WORK/serve-$tag.log" "$SV"
}
stop_serve() {
    kill "$SV" 2>/dev/null; wait "$SV" 2>/dev/null
    PIDS=$(echo "$PIDS" | sed "s/ $SV\b//")
}

# step_curl STEP LABEL: curl on the kernel side downloads 20 MiB from synack-serve
step_curl() {
    step=$1 label=$2
    out="$WORK/curl-$step.bin"
    if speed=$(X curl -sS --max-time 90 -o "$out" -w '%{speed_download}' \
            "http://$SA:8080/big.bin" 2>"$WORK/curl-$step.log"); then
        rate=$(awk -v b="$speed" 'BEGIN { printf "%.1f", b * 8 / 1e6 }')
        judge "$step" "synack -> kernel" "$label" "$out" "$rate"
    else
        result FAIL "$step" "synack -> kernel$label: curl failed: $(tail -n 1 "$WORK/curl-$step.log")"; keep
    fi
    rm -f "$out"
}

echo "interop: namespace $NS, $DEV: synack $SA <-> kernel $KA ($(uname -r))"

# ---- 1: kernel -> synack ----
step_get 1 ""

# ---- 2, 4, 5, 6: against synack-serve ----
if start_serve plain; then
    step_curl 2 ""

    # 4: ping
    if X ping -c 3 -i 0.2 -W 2 "$SA" >"$WORK/ping.log" 2>&1; then
        result PASS 4 "ping -c 3 $SA: $(grep -o '[0-9]* received' "$WORK/ping.log")"
    else
        result FAIL 4 "ping -c 3 $SA: $(grep 'received' "$WORK/ping.log")"; keep
    fi

    # 5: a closed port
    msg=$(X python3 -c "
import socket
s = socket.socket(); s.settimeout(5)
try:
    s.connect(('$SA', 9)); print('connected')
except OSError as e:
    print(e.strerror or e)" 2>&1)
    if [ "$msg" = "Connection refused" ]; then
        result PASS 5 "kernel connect to $SA:9 (closed): \"$msg\""
    else
        result FAIL 5 "kernel connect to $SA:9 (closed): \"$msg\""; keep
    fi

    # 6: 100 concurrent clients
    i=1; cpids=""
    while [ $i -le 100 ]; do
        ip netns exec "$NS" curl -sS --max-time 60 -o "$WORK/c$i.bin" "http://$SA:8080/small.bin" \
            2>"$WORK/c$i.err" &
        cpids="$cpids $!"; i=$((i + 1))
    done
    bad=0; i=1
    for p in $cpids; do
        if ! wait "$p" || [ "$(sha256sum <"$WORK/c$i.bin" | cut -d' ' -f1)" != "$SMALL_SUM" ]; then
            bad=$((bad + 1)); [ $bad -eq 1 ] && cp "$WORK/c$i.err" "$WORK/curl-concurrent.log"
        fi
        i=$((i + 1))
    done
    rm -f "$WORK"/c*.bin "$WORK"/c*.err
    if [ $bad -eq 0 ]; then
        result PASS 6 "100 concurrent curl clients, 256 KiB each: all 100 byte-exact"
    else
        result FAIL 6 "100 concurrent curl clients: $bad of 100 failed"; keep
    fi

    stop_serve
else
    result FAIL 2 "synack-serve did not start: $(tail -n 1 "$WORK/serve-plain.log")"; keep
fi

# ---- 7: a SYN flood against a server of its own ----
# Its capture is not linted (step L): with the server's loop saturated by
# the flood, timing rules (a delayed ACK within 0.5 s) can fire on the
# legitimate connections; this step judges service, not timing.
if start_serve flood; then
    # 7: a SYN flood from spoofed sources, then legitimate clients
    if X "$FLOOD" "$DEV" "$SA" 8080 300000 syn 1 >"$WORK/flood.log" 2>&1; then
        slow=""; times=""
        for i in 1 2 3 4 5; do
            t=$(X curl -sS -o /dev/null --connect-timeout 3 --max-time 10 \
                    -w '%{time_connect}' "http://$SA:8080/small.bin" 2>>"$WORK/flood.log") || t=fail
            times="$times $t"
            case $t in fail) slow="$slow $i" ;; esac
        done
        if [ -z "$slow" ]; then
            result PASS 7 "$(sed -n 's/^synflood: \([0-9]*\) .* in \([0-9.]*\) s.*/\1 spoofed SYNs in \2 s/p' "$WORK/flood.log"), then 5 curls connect in:$times s"
        else
            result FAIL 7 "after the SYN flood, curl$slow did not connect within 3 s ($times)"; keep
        fi
    else
        result FAIL 7 "synflood: $(tail -n 1 "$WORK/flood.log")"; keep
    fi
    stop_serve
else
    result FAIL 7 "synack-serve did not start: $(tail -n 1 "$WORK/serve-flood.log")"; keep
fi

# ---- 8: churn, more short connections than max_conns one after another ----
if start_serve churn; then
    echo "churn" >"$WORK/www/churn.txt"
    urls=""; i=0
    while [ $i -lt 1100 ]; do urls="$urls -o /dev/null http://$SA:8080/churn.txt"; i=$((i + 1)); done
    t0=$(date +%s.%N)
    X curl -sS --connect-timeout 3 --max-time 5 -w '%{http_code}\n' $urls \
        >"$WORK/churn.codes" 2>"$WORK/churn.log"
    t1=$(date +%s.%N)
    ok=$(grep -c '^200$' "$WORK/churn.codes")
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    if [ "$ok" -eq 1100 ]; then
        result PASS 8 "churn: 1100 sequential requests, all 1100 served in $secs s"
    else
        result FAIL 8 "churn: $ok of 1100 sequential requests served ($(tail -n 1 "$WORK/churn.log"))"; keep
    fi
    # 8h: request heads in pieces 0.1 s apart (the connection keeps what
    # came in a buffer of its own from the first piece on; it has none
    # before): one served, one past 8 KiB refused with 431
    lines=$(X python3 -c "
import socket, time
def ask(parts):
    s = socket.create_connection(('$SA', 8080), timeout=5)
    for p in parts:
        s.sendall(p); time.sleep(0.1)
    r = b''
    while True:
        d = s.recv(65536)
        if not d: break
        r += d
    return r.split(b'\\r\\n', 1)[0].decode()
print(ask([b'GET /churn.txt HT', b'TP/1.0\\r\\nHost: x\\r\\n', b'\\r\\n']))
print(ask([b'GET /churn.txt HTTP/1.0\\r\\nX: ' + b'a' * 5000, b'a' * 4000 + b'\\r\\n\\r\\n']))" 2>&1)
    case $lines in
    *" 200 "*" 431 "*) result PASS 8h "request heads in pieces: $(echo $lines)" ;;
    *) result FAIL 8h "request heads in pieces: want 200 then 431, got: $(echo $lines)"; keep ;;
    esac
    stop_serve
else
    result FAIL 8 "synack-serve did not start: $(tail -n 1 "$WORK/serve-churn.log")"; keep
fi

# ---- 3: the same through netem, when this kernel has it ----
if tc -n "$NS" qdisc add dev "$DEV" root netem loss 3% reorder 5% delay 5ms \
        >"$WORK/netem.log" 2>&1; then
    step_get 3 " through netem"
    if start_serve netem; then step_curl 3 " through netem"; stop_serve; fi
    tc -n "$NS" qdisc del dev "$DEV" root 2>/dev/null
else
    result SKIP 3 "netem (loss 3% reorder 5% delay 5ms): not available here: $(head -n 1 "$WORK/netem.log")"
fi

# ---- 3r: synack's impairment stage in place of netem ----
# netem on the device's root qdisc impairs what the kernel sends into the
# device, so 3r does exactly that (dir=in: toward synack). 3b adds synack's
# own sending through the same loss, both directions, on a shorter file.
IMP="loss=3%,reorder=5%,delay=5ms"
step_get 3r " through the impairment stage ($IMP, kernel to synack)" --impair "$IMP,dir=in,seed=7"
if start_serve impair --impair "$IMP,dir=in,seed=11"; then
    step_curl 3r " through the impairment stage ($IMP, kernel to synack)"
    stop_serve
fi
# 3o: the same stage on synack's data instead (the kernel's ACKs untouched),
# so each sender meets the same loss: 3r's kernel -> synack beside this
if start_serve out --impair "$IMP,dir=out,seed=17"; then
    step_curl 3o " through the impairment stage ($IMP, synack to kernel)"
    stop_serve
fi
head -c $((2 * 1024 * 1024)) "$WORK/www/big.bin" >"$WORK/www/mid.bin"
MID_SUM=$(sha256sum <"$WORK/www/mid.bin" | cut -d' ' -f1)
if start_serve both --impair "$IMP,dir=both,seed=13"; then
    out="$WORK/curl-3b.bin"
    if speed=$(X curl -sS --max-time 60 -o "$out" -w '%{speed_download}' \
            "http://$SA:8080/mid.bin" 2>"$WORK/curl-3b.log") &&
            [ "$(sha256sum <"$out" | cut -d' ' -f1)" = "$MID_SUM" ]; then
        rate=$(awk -v b="$speed" 'BEGIN { printf "%.1f", b * 8 / 1e6 }')
        result PASS 3b "synack -> kernel, 2 MiB, $IMP both ways: digests match, goodput $rate Mbit/s"
    else
        result FAIL 3b "synack -> kernel, 2 MiB, $IMP both ways: $(tail -n 1 "$WORK/curl-3b.log")"; keep
    fi
    stop_serve
    grep "impairment" "$WORK/serve-both.log" | tail -n 1
fi

# ---- synack-get's own error messages ----
errcase() { # label expected-exit expected-text args...
    label=$1 want=$2 text=$3; shift 3
    X "$GET" --tun "$DEV" --addr "$SA" --peer "$KA" -o /dev/null "$@" 2>"$WORK/err.log"
    rc=$?
    line=$(grep -v '^$' "$WORK/err.log" | tail -n 1)
    if [ $rc -eq "$want" ] && grep -q "$text" "$WORK/err.log"; then
        result PASS + "synack-get, $label: exit $rc, \"$line\""
    else
        result FAIL + "synack-get, $label: exit $rc (want $want), \"$line\""; keep
    fi
}
errcase "closed kernel port" 3 "connection refused" "http://$KA:9/"
ip netns exec "$NS" python3 -c "
import socket, struct
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$KA', 8001)); s.listen(1)
c, _ = s.accept(); c.recv(4096)
c.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n' + b'x' * 1000)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close()
" >/dev/null 2>&1 &
RS=$!; PIDS="$PIDS $RS"
wait_listen 8001 || true
errcase "server resets mid-body" 4 "connection reset" "http://$KA:8001/"
errcase "nobody answers" 5 "timed out" --connect-timeout 2 "http://198.51.100.99:80/"

# ---- 1v6, 2v6, 4v6, 5v6: the same over IPv6 ----
# IPv6 turned on in the namespace (off until now: the kernel's router
# solicitations stay out of the IPv4 steps), the kernel 2001:db8::2/64 on
# the device without duplicate address detection, synack dual-stack with
# --addr6 2001:db8::1 (its server on [::], which takes IPv4 too).
X sh -c 'for f in all default sa0; do echo 0 > /proc/sys/net/ipv6/conf/$f/disable_ipv6; done' \
    2>/dev/null
if ! ip -n "$NS" addr add "$KA6/64" dev "$DEV" nodad 2>"$WORK/v6.log"; then
    result SKIP 1v6 "IPv6 in the namespace: $(tail -n 1 "$WORK/v6.log")"
else
    ip netns exec "$NS" python3 -m http.server 8006 --bind "$KA6" --directory "$WORK/www" \
        >"$WORK/pyhttp6.log" 2>&1 &
    PY6=$!; PIDS="$PIDS $PY6"
    if ! wait_listen 8006; then
        result FAIL 1v6 "python3 -m http.server --bind $KA6 did not start"; keep
    else
        out="$WORK/get-v6.bin"
        if X "$GET" -v --tun "$DEV" --addr "$SA" --addr6 "$SA6" --connect-timeout 5 --timeout 20 \
                --pcap "$WORK/v6-get.pcap" -o "$out" "http://[$KA6]:8006/big.bin" \
                2>"$WORK/v6-get.log"; then
            rate=$(sed -n 's/.*(\([0-9.]*\) Mbit\/s goodput).*/\1/p' "$WORK/v6-get.log")
            judge 1v6 "kernel -> synack over IPv6" "" "$out" "$rate"
        else
            result FAIL 1v6 "kernel -> synack over IPv6: synack-get failed: $(tail -n 1 "$WORK/v6-get.log")"; keep
        fi
        rm -f "$out"
    fi
    if start_serve v6 --addr6 "$SA6"; then
        out="$WORK/curl-v6.bin"
        if speed=$(X curl -sS -g --max-time 90 -o "$out" -w '%{speed_download}' \
                "http://[$SA6]:8080/big.bin" 2>"$WORK/curl-v6.log"); then
            rate=$(awk -v b="$speed" 'BEGIN { printf "%.1f", b * 8 / 1e6 }')
            judge 2v6 "synack -> kernel over IPv6" "" "$out" "$rate"
        else
            result FAIL 2v6 "synack -> kernel over IPv6: curl failed: $(tail -n 1 "$WORK/curl-v6.log")"; keep
        fi
        rm -f "$out"
        # the dual-stack server still serves IPv4
        if X curl -sS --max-time 10 -o /dev/null "http://$SA:8080/small.bin" 2>"$WORK/curl-v6v4.log"; then
            result PASS 2v6 "the same server on [::] serves IPv4 too (::ffff:$KA)"
        else
            result FAIL 2v6 "the server on [::] over IPv4: $(tail -n 1 "$WORK/curl-v6v4.log")"; keep
        fi
        if X ping -6 -c 3 -i 0.2 -W 2 "$SA6" >"$WORK/ping6.log" 2>&1; then
            result PASS 4v6 "ping -6 -c 3 $SA6: $(grep -o '[0-9]* received' "$WORK/ping6.log")"
        else
            result FAIL 4v6 "ping -6 -c 3 $SA6: $(grep 'received' "$WORK/ping6.log")"; keep
        fi
        msg=$(X python3 -c "
import socket
s = socket.socket(socket.AF_INET6); s.settimeout(5)
try:
    s.connect(('$SA6', 9)); print('connected')
except OSError as e:
    print(e.strerror or e)" 2>&1)
        if [ "$msg" = "Connection refused" ]; then
            result PASS 5v6 "kernel connect to [$SA6]:9 (closed): \"$msg\""
        else
            result FAIL 5v6 "kernel connect to [$SA6]:9 (closed): \"$msg\""; keep
        fi
        stop_serve
    else
        result FAIL 2v6 "synack-serve --addr6 $SA6 did not start: $(tail -n 1 "$WORK/serve-v6.log")"; keep
    fi
fi

# ---- L: the RFC oracle over synack's side of every capture ----
# The apps' --pcap captures (what the stack sent and received, at its side
# of any impairment stage, stamped with its own clock), every server
# stopped by now. Each with --late from its app's report: how late that
# process's loop met the stack's deadlines on this machine (a delayed ACK
# due while it waited for a CPU goes when it gets one).
# The IPv6 captures (v6-get; serve-v6, whose [::] server also took an IPv4
# connection) are linted with synack's IPv6 address as the stack too.
caps=$(ls "$WORK"/*.pcap 2>/dev/null | grep -v '/serve-flood\.pcap$')
stacks_of() { # capture: the stack's addresses in it
    case $1 in */v6-*|*/serve-v6.pcap) echo "$SA $SA6" ;; *) echo "$SA" ;; esac
}
lint_late() { # capture: the lateness its app reported, in ms (0 when it did not say)
    sed -n 's/.*deadlines met up to \([0-9.]*\) s late.*/\1/p' "${1%.pcap}.log" 2>/dev/null |
        awk '{ if ($1 * 1000 > m) m = $1 * 1000 } END { printf "%.0f", m + 0 }'
}
if [ ! -x "$B/synack" ]; then
    result SKIP L "synack lint: $B/synack is not built"
elif [ -z "$caps" ]; then
    result FAIL L "synack lint: the apps wrote no capture"; keep
else
    bad=0; lates=""
    : >"$WORK/lint.log"
    for c in $caps; do
        late=$(lint_late "$c")
        lates="$lates $(basename "$c" .pcap) ${late}ms,"
        for s in $(stacks_of "$c"); do
            "$B/synack" lint --stack "$s" --only-stack --late "$late" "$c" >>"$WORK/lint.log" 2>&1 ||
                bad=$((bad + 1))
        done
    done
    if [ $bad -eq 0 ]; then
        result PASS L "synack lint, synack's packets in $(echo "$caps" | wc -l) captures: no finding (loops late by:${lates%,})"
    else
        result FAIL L "synack lint: findings on synack's packets in $bad captures (loops late by:${lates%,})"
        grep '(stack)' "$WORK/lint.log" | head -n 20
        grep -v '(stack)' "$WORK/lint.log"; keep
    fi
fi

# ---- O: the extensions both sides negotiated, as tshark reads the wire ----
# Every SYN and SYN-ACK of a 20 MiB transfer carries SACK-permitted,
# timestamps and a window scale (RFC 2018, RFC 7323; both stacks at their
# defaults), in both roles: synack-get opens to the kernel (get-*), the
# kernel opens to synack-serve (serve-plain, serve-impair). Through the
# impairment stage the receiver that loses data says so in SACK blocks:
# synack receiving (get-3r), the kernel receiving (serve-both). And
# tshark finds nothing malformed and no expert error in any capture.
syn_opts() { # capture: one line per SYN: source, ACK bit, sackOK, TSval, shift
    tshark -r "$1" -Y 'tcp.flags.syn == 1' -T fields -E separator=' ' -e ip.src \
        -e tcp.flags.ack -e tcp.options.sack_perm -e tcp.options.timestamp.tsval \
        -e tcp.options.wscale.shift 2>/dev/null
}
sack_from() { # capture source: segments from source with SACK blocks
    tshark -r "$1" -Y "ip.src == $2 && tcp.options.sack_le" -T fields -e frame.number \
        2>/dev/null | grep -c .
}
if ! command -v tshark >/dev/null 2>&1; then
    result SKIP O "tshark: not installed (make deps)"
else
    bad=""
    for c in get-1 get-3r serve-plain serve-impair; do
        f="$WORK/$c.pcap"
        [ -f "$f" ] || { bad="$bad $c: no capture;"; continue; }
        lines=$(syn_opts "$f")
        # every SYN and SYN-ACK: five fields, none empty
        short=$(echo "$lines" | awk 'NF < 5' | grep -c .)
        syns=$(echo "$lines" | grep -c .)
        roles=$(echo "$lines" | awk '{ a = $2; if (a == "True") a = 1; if (a == "False") a = 0
                                       print $1 "/" a }' | sort -u | tr '\n' ' ')
        if [ "$syns" -lt 2 ] || [ "$short" -ne 0 ]; then
            bad="$bad $c: $short of $syns SYNs lack an option;"
        fi
        case "$c" in
        get-*) roles_want="$SA/0 $KA/1" ;;
        *) roles_want="$KA/0 $SA/1" ;;
        esac
        for w in $roles_want; do
            echo " $roles" | grep -q " $w " || bad="$bad $c: no SYN from ${w%/*} (ACK ${w#*/});"
        done
    done
    n_get=$(sack_from "$WORK/get-3r.pcap" "$SA")
    n_both=$(sack_from "$WORK/serve-both.pcap" "$KA")
    n_out=$(sack_from "$WORK/serve-out.pcap" "$KA")
    [ "$n_get" -gt 0 ] || bad="$bad get-3r: synack sent no SACK block;"
    [ "$n_both" -gt 0 ] || bad="$bad serve-both: the kernel sent no SACK block;"
    [ "$n_out" -gt 0 ] || bad="$bad serve-out: the kernel sent no SACK block;"
    # the packets up to TCP, the text as plain data: HTTP's reassembly takes
    # a hole's retransmission after the response ended for an error, and
    # heuristic dissectors (Thrift, HTTP's leading CRLF) find "errors" in
    # random octets of the body
    for f in $caps; do
        m=$(tshark -r "$f" -o tcp.desegment_tcp_streams:FALSE -d tcp.port==8000,data \
            -d tcp.port==8001,data -d tcp.port==8006,data -d tcp.port==8080,data \
            -Y '_ws.malformed || _ws.expert.severity == error' -T fields \
            -e frame.number 2>&1 | grep -v '^Running as user' | head -n 3 | tr '\n' ' ')
        [ -z "$m" ] || bad="$bad $(basename "$f"): tshark: frames $m;"
    done
    if [ -z "$bad" ]; then
        result PASS O "options: every SYN and SYN-ACK both ways with sackOK, TS and wscale; SACK blocks from synack (get-3r: $n_get) and the kernel (serve-out: $n_out, serve-both: $n_both); tshark: nothing malformed"
    else
        result FAIL O "options:$bad"; keep
    fi
fi

# ---- cleanup, and proof that nothing is left behind ----
cleanup
trap - EXIT
left=""
ip netns list | grep -q "$NS" && left="namespace $NS"
ip -o link | grep -q " $DEV[:@]" && left="$left device $DEV in the root namespace"
if [ -n "$left" ]; then
    result FAIL - "left behind: $left"
else
    result PASS - "cleanup: namespace $NS and $DEV are gone"
fi

echo "interop: $npass passed, $nskip skipped, $nfail failed"
[ $nfail -eq 0 ]

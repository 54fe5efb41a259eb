#!/bin/sh
# harness/tests/pcap_check.sh SYNACK OUTDIR: what `make check-pcap` checks.
#
#   1. every capture of vectors/pcap/ replays on mem;
#   2. `synack pcap2pkt` turns each into a script that passes on its own;
#   3. the Linux captures lint clean (the kernel's packets; the scripted
#      peers of vectors/pcap/make/rawpeer.py break rules on purpose);
#   4. tshark reads every capture synack writes without a warning: the
#      runs of every vector (file format) and of the pcap vectors (no
#      malformed packet either); with root, a `synack record` too.
set -u
synack=$1
out=$2
rm -rf "$out"
mkdir -p "$out/runs" "$out/all" "$out/pkt"
fail=0
say() { printf '%-5s %s\n' "$1" "$2"; }

caps=$(ls vectors/pcap/*.pcap vectors/pcap/*.pcapng 2>/dev/null)
n=$(printf '%s\n' "$caps" | grep -c .)

if "$synack" run -q --pcap-dir "$out/runs" vectors/pcap/; then
    say PASS "replay: $n captures on mem"
else
    say FAIL "replay of vectors/pcap/ on mem"; fail=1
fi

ok=1
for c in $caps; do
    b=$(basename "$c"); b=${b%.*}
    "$synack" pcap2pkt -o "$out/pkt/$b.pkt" "$c" || ok=0
done
if [ $ok -eq 1 ] && "$synack" run -q "$out/pkt/"; then
    say PASS "pcap2pkt: $n scripts, each passes on mem"
else
    say FAIL "pcap2pkt round trip"; fail=1
fi

# the IPv6 captures (ipv6-*) have the stack at 2001:db8::1
caps4=$(printf '%s\n' $caps | grep -v '/ipv6-')
caps6=$(printf '%s\n' $caps | grep '/ipv6-')
# shellcheck disable=SC2086
if "$synack" lint -q --stack 192.0.2.1 --only-stack $caps4 >"$out/lint.txt" &&
   { [ -z "$caps6" ] || "$synack" lint -q --stack 2001:db8::1 --only-stack $caps6 >>"$out/lint.txt"; }; then
    say PASS "lint: no finding on the kernel's packets in $n captures ($(printf '%s\n' $caps6 | grep -c .) over IPv6)"
else
    cat "$out/lint.txt"; say FAIL "lint of vectors/pcap/"; fail=1
fi

# lint --late: the peer's ACK of the stack's data 0.7 s after it (the
# handshake's RTT, 0.1 s, allowed on top of 0.5 s) is found, also with a
# loop 50 ms late; with one 200 ms late it may be the loop's
mkdir -p "$out/late"
cat >"$out/late/late-ack.pkt" <<'PKT'
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 32792 <mss 1000>
+0  > S. 0:0(0) ack 1 <...>
+.1 < . 1:1(0) ack 1 win 32792
+0  accept(3, ..., ...) = 4
+0  write(4, ..., 10) = 10
+0  > P. 1:11(10) ack 1
+.7 < . 1:1(0) ack 11 win 32792
PKT
"$synack" run -q --pcap-dir "$out/late" "$out/late/late-ack.pkt" >/dev/null 2>&1
lc=$(find "$out/late" -name 'late-ack.pcap' | head -n 1) # named as the run names it
n0=$("$synack" lint "$lc" 2>&1 | grep -c 'ack-delayed')
n50=$("$synack" lint --late 50 "$lc" 2>&1 | grep -c 'ack-delayed')
n200=$("$synack" lint --late 200 "$lc" 2>&1 | grep -c 'ack-delayed')
if [ "$n0" = 1 ] && [ "$n50" = 1 ] && [ "$n200" = 0 ]; then
    say PASS "lint --late: an ACK 0.7 s late found, also --late 50; not --late 200"
else
    say FAIL "lint --late: ack-delayed findings $n0 (none), $n50 (--late 50), $n200 (--late 200)"; fail=1
fi

# the commands' errors
printf 'not a capture' >"$out/garbage.pcap"
m1=$("$synack" lint "$out/garbage.pcap" 2>&1); r1=$?
m2=$("$synack" record --target nope vectors/handshake/passive-open.pkt 2>&1); r2=$?
m3=$("$synack" pcap2pkt --stack 192.0.2.999 x.pcap 2>&1); r3=$?
if [ $r1 -eq 1 ] && [ "$m1" = "synack lint: $out/garbage.pcap: not a pcap or pcapng file (first octets 0x6e6f7420)" ] &&
   [ $r2 -eq 1 ] && [ "$m2" = "synack record: target nope is not available" ] &&
   [ $r3 -eq 2 ] && [ "$m3" = "synack pcap2pkt: --stack: expected ADDR[:PORT] (192.0.2.1:8080, [2001:db8::1]:8080), got '192.0.2.999'" ]; then
    say PASS "lint, record and pcap2pkt name what is wrong"
else
    printf '%s\n%s\n%s\n' "$m1" "$m2" "$m3"; say FAIL "command errors"; fail=1
fi

"$synack" run -q --pcap-dir "$out/all" vectors/ >/dev/null 2>&1
mkdir -p "$out/record"
if [ "$(id -u)" = 0 ] && "$synack" record -o "$out/record/passive-open.pcap" \
        vectors/handshake/passive-open.pkt >/dev/null 2>&1; then
    recorded="$out/record/passive-open.pcap"
else
    recorded=""
fi
if ! command -v tshark >/dev/null 2>&1; then
    say SKIP "tshark: not installed (make deps)"
else
    # the runs of every vector carry malformed packets on purpose: the files
    # must read cleanly (capinfos, one process); the pcap vectors' runs and
    # a recording are well-formed traffic: tshark must find nothing malformed
    all=$(find "$out/all" -name '*.pcap' | sort)
    bad=0
    # shellcheck disable=SC2086
    msg=$(capinfos -c $all 2>&1 >/dev/null | grep -v '^Running as user')
    if [ -n "$msg" ]; then
        echo "capinfos: $msg"; bad=1
    fi
    clean=$(find "$out/runs" -name '*.pcap' | sort)
    for f in $clean $recorded; do
        msg=$(tshark -r "$f" -Y _ws.malformed -T fields -e frame.number 2>&1 |
              grep -v '^Running as user')
        if [ -n "$msg" ]; then
            echo "tshark: $f: $msg"; bad=1
        fi
    done
    total=$(printf '%s\n%s\n%s\n' "$all" "$clean" "$recorded" | grep -c .)
    if [ $bad -eq 0 ]; then
        say PASS "tshark: $total captures written by synack read without a warning${recorded:+ (one by synack record)}"
    else
        say FAIL "tshark"; fail=1
    fi
fi
exit $fail

#!/bin/sh
# The command-line convention of synack (harness/cli/opts.h), checked for
# every subcommand: --help and -h print usage on standard output and exit
# 0; an unknown option or a missing operand exits 2 with the usage on
# standard error; outputs that cannot be written and inputs that cannot be
# read exit 2 before anything runs; failed vectors and findings exit 1.
# Prints the table it checked. Run from the repository root:
#   harness/tests/cli_table.sh [build/synack]
set -u
synack=${1:-build/synack}
[ -x "$synack" ] || { echo "FAIL: $synack is not built"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/synack-cli-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
checks=0

# check WHAT WANT_RC STREAM PATTERN -- CMD...: run, compare the exit status,
# and grep PATTERN in STREAM (out, err, or - for none).
check() {
    what=$1 want=$2 stream=$3 pat=$4
    shift 5
    "$@" >"$work/out" 2>"$work/err"
    rc=$?
    checks=$((checks + 1))
    ok=yes
    [ "$rc" -eq "$want" ] || ok="exit $rc, expected $want"
    if [ "$ok" = yes ] && [ "$stream" != - ] && ! grep -q -e "$pat" "$work/$stream"; then
        ok="standard ${stream}put lacks \"$pat\""
    fi
    if [ "$ok" != yes ]; then
        fails=$((fails + 1))
        echo "FAIL  $what: $ok"
        sed 's/^/      out: /' "$work/out" | head -5
        sed 's/^/      err: /' "$work/err" | head -5
    fi
}

cmds="run report coverage pcap2pkt lint lint-script record version"
printf '%-9s %-7s %-7s %-9s %-11s\n' command --help -h "bad opt" "no operand"
for c in $cmds; do
    check "$c --help" 0 out "usage: synack $c" -- "$synack" "$c" --help
    [ -s "$work/err" ] && { fails=$((fails + 1)); echo "FAIL  $c --help wrote to standard error"; }
    h=$rc
    check "$c -h" 0 out "usage: synack $c" -- "$synack" "$c" -h
    s=$rc
    check "$c --no-such-option" 2 err "unknown option '--no-such-option'" -- "$synack" "$c" --no-such-option
    b=$rc
    case $c in
        run|report|pcap2pkt|record) check "$c without operands" 2 err "missing" -- "$synack" "$c"; n=$rc ;;
        lint) check "lint without operands" 2 err "no capture given" -- "$synack" lint; n=$rc ;;
        lint-script) check "lint-script without operands" 2 err "no script given" -- "$synack" lint-script; n=$rc ;;
        *) n=- ;;
    esac
    printf '%-9s %-7s %-7s %-9s %-11s\n' "$c" "$h" "$s" "$b" "$n"
done

# The top level: its usage names every option of every command.
check "synack (no command)" 2 err "usage: synack run" -- "$synack"
check "synack --help" 0 out "usage: synack run" -- "$synack" --help
check "synack help lint" 0 out "--allow-truncated" -- "$synack" help lint
check "synack bogus" 2 err "unknown command 'bogus'" -- "$synack" bogus
"$synack" 2>"$work/top" >/dev/null
for opt in --max-real-time --registry --expect --seed --json --junit --tap --pcap-dir --html \
    --previous --allow-missing --meta --stack --peer --only-stack --allow-truncated --skew --late --rules; do
    checks=$((checks + 1))
    grep -q -e "\[$opt" "$work/top" || { fails=$((fails + 1)); echo "FAIL  top-level usage lacks $opt"; }
done

# Checked before running (exit 2, no vector run).
v=vectors/reset/abort-sends-rst.pkt
check "run --json in a missing folder" 2 err "folder $work/none does not exist" -- \
    "$synack" run --json "$work/none/x.json" "$v"
grep -q PASS "$work/out" && { fails=$((fails + 1)); echo "FAIL  run --json /missing/x ran vectors"; }
check "run --junit on a folder" 2 err "is a folder" -- "$synack" run --junit "$work" "$v"
check "run --html under a file" 2 err "cannot make the folder" -- "$synack" run --html "$v/x" "$v"
check "run -j 0" 2 err "expected 1 to" -- "$synack" run -j 0 "$v"
check "run a missing path" 2 err "No such file" -- "$synack" run "$work/none.pkt"
check "run --target nosuch" 2 err "unknown target" -- "$synack" run --target nosuch "$v"
check "run --offload on mem" 2 err "target mem has no device to offload" -- "$synack" run --offload "$v"
check "coverage --offload on mem" 2 err "target mem has no device to offload" -- "$synack" coverage --offload "$v"
check "report a missing JSON" 2 err "No such file\|cannot" -- "$synack" report --tap "$work/none.json"
check "coverage --json missing" 2 err "No such file" -- "$synack" coverage --json "$work/none.json"
check "lint a missing capture" 2 err "No such file" -- "$synack" lint "$work/none.pcap"
check "pcap2pkt -o in a missing folder" 2 err "does not exist" -- \
    "$synack" pcap2pkt -o "$work/none/x.pkt" vectors/pcap/active-open-refused.pcap

# Exit 0 and 1.
check "run a passing vector" 0 out "1 passed" -- "$synack" run "$v"
sed 's/^+0  > R 1:1(0)$/+0  > R 2:2(0)/' vectors/reset/abort-sends-rst.pkt >"$work/fails.pkt"
if cmp -s "$v" "$work/fails.pkt"; then
    echo "FAIL  could not make a failing copy of $v"; fails=$((fails + 1))
else
    check "run a failing vector" 1 out "FAIL  fails" -- "$synack" run "$work/fails.pkt"
fi

# Names: relative, each file once.
mkdir -p "$work/mine/sub"
cp "$v" "$work/mine/sub/a.pkt"
check "a file given twice runs once" 0 out "^1 vector:" -- \
    "$synack" run "$work/mine/sub/a.pkt" "$work/mine" "$work/mine/sub/a.pkt"
check "names relative to the folder given" 0 out "PASS  mine/sub/a " -- "$synack" run "$work/mine"
grep -q "$work" "$work/out" && { fails=$((fails + 1)); echo "FAIL  an absolute path in a vector's name"; }
check "a file outside vectors/ is named by itself" 0 out "PASS  a " -- "$synack" run "$work/mine/sub/a.pkt"

# A parse error says its location once, at the line where the error is.
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = = 0\n' >"$work/bad.pkt"
check "a parse error" 1 out "2:24: expected expression" -- "$synack" run "$work/bad.pkt"
n=$(grep -o -e "line 2" -e "bad.pkt:2" "$work/out" | wc -l)
checks=$((checks + 1))
[ "$n" -eq 1 ] || { fails=$((fails + 1)); echo "FAIL  the parse error's location is said $n times"; cat "$work/out"; }

# --expect's "unnegotiated": skipped only when the vector fails at the
# stack's SYN-ACK for want of the extension; a later failure stays one, a
# pass is XPASS.
cat >"$work/u1.pkt" <<'EOF'
0   socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0  setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0  setsockopt(3, SOL_TCP, SYNACK_TCP_SACK, [0], 4) = 0
+0  bind(3, ..., ...) = 0
+0  listen(3, 1) = 0
+0  < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop>
+0  > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
EOF
sed 's/^+0  > S\. .*/+0  > S. 0:0(0) ack 1 <...>/' "$work/u1.pkt" >"$work/u3.pkt"
cp "$work/u3.pkt" "$work/u2.pkt"
printf '+.1 < . 1:1(0) ack 1 win 32792\n+0 accept(3, ..., ...) = 4\n+0 write(4, ..., 10) = 10\n+0 > P. 1:12(11) ack 1\n' >>"$work/u2.pkt"
printf 'u%s\tunnegotiated\tbuilt without SACK\n' 1 2 3 >"$work/un.tsv"
check "unnegotiated at the SYN-ACK: skipped" 0 out "SKIP  u1 .*not negotiated by the target: SACK" -- \
    "$synack" run --strict --expect "$work/un.tsv" "$work/u1.pkt"
check "unnegotiated, failing later: a failure" 1 out "FAIL  u2 " -- \
    "$synack" run --strict --expect "$work/un.tsv" "$work/u2.pkt"
check "unnegotiated, passing: stale" 1 out "XPASS u3 " -- \
    "$synack" run --strict --expect "$work/un.tsv" "$work/u3.pkt"

# Captures: one without TCP, one cut off at its end, one without metadata.
python3 - "$work" <<'EOF'
import struct, sys
w = sys.argv[1]
hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)
def csum(b):
    s = sum(struct.unpack('!10H', b))
    s = (s >> 16) + (s & 0xffff)
    return (~(s + (s >> 16))) & 0xffff
ip = bytearray([0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 192, 0, 2, 1, 198, 51, 100, 2])
struct.pack_into('!H', ip, 10, csum(bytes(ip)))
udp = bytes(ip) + bytes(8)
open(w + '/udp.pcap', 'wb').write(hdr + struct.pack('<IIII', 0, 0, len(udp), len(udp)) + udp)
data = open('vectors/pcap/active-open-refused.pcap', 'rb').read()
open(w + '/cut.pcap', 'wb').write(data[:-10])
open(w + '/nometa.pcap', 'wb').write(data)
EOF
check "lint a capture without TCP" 1 err "no TCP segment in 1 frame" -- "$synack" lint "$work/udp.pcap"
check "pcap2pkt a capture without TCP" 1 err "no TCP segment" -- "$synack" pcap2pkt "$work/udp.pcap"
check "lint a capture cut off" 1 err "truncated" -- "$synack" lint "$work/cut.pcap"
check "lint --allow-truncated a capture cut off" 0 out "the 1 complete frame before it was linted" -- \
    "$synack" lint --allow-truncated "$work/cut.pcap"
check "run a capture without its .meta" 1 out "the stack was guessed to be" -- \
    "$synack" run "$work/nometa.pcap"

# A getsockopt value that differs: the actual value, no "at - s".
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 getsockopt(3, SOL_SOCKET, SO_ERROR, [5], [4]) = 0\n' \
    >"$work/gso.pkt"
check "run -v a getsockopt mismatch" 1 out "actual    getsockopt(3, SOL_SOCKET, SO_ERROR, \[0\], \[4\]) = 0" -- \
    "$synack" run -v --junit "$work/gso.xml" "$work/gso.pkt"
checks=$((checks + 1))
if grep -q "at - s\|(nothing)" "$work/gso.xml"; then
    fails=$((fails + 1)); echo "FAIL  JUnit of a getsockopt mismatch:"; cat "$work/gso.xml"
fi

echo "cli: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]

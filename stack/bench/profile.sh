#!/bin/sh
# stack/bench/profile.sh BUILD [bench_bulk options]: where bench_bulk spends
# its instructions, counted by valgrind's callgrind (deterministic: the
# machine's load does not change them, so two builds compare exactly).
# Prints the instructions per segment sent and the functions with the most
# instructions of their own. Default: 16 MiB at MTU 1500, checksums on.
#
#   sh stack/bench/profile.sh build
#   sh stack/bench/profile.sh build --mtu 65535 --offload
#
# perf's hardware counters are not available in every VM (this one says
# "<not supported>" for instructions); perf record -e cpu-clock works and
# gives the same picture in time, less exactly:
#   perf record -e cpu-clock --call-graph dwarf BUILD/stack/bench/bench_bulk --mib 64
set -eu
b=${1:?usage: profile.sh BUILD [bench_bulk options]}
shift
[ $# -gt 0 ] || set -- --mib 16
command -v valgrind >/dev/null || { echo "profile: valgrind is not installed" >&2; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$b/stack/bench/bench_bulk" --json "$@" \
    >"$out/json" 2>"$out/log" || { cat "$out/log" >&2; exit 1; }
segs=$(sed -n 's/.*"segments": \([0-9]*\).*/\1/p' "$out/json")
callgrind_annotate --threshold=99 "$out/cg" 2>/dev/null >"$out/ann"
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$out/ann")
echo "profile: $(cat "$out/json")"
awk -v t="$total" -v s="$segs" 'BEGIN {printf "profile: %.0f instructions per segment sent (%s segments)\n", t / s, s}'
sed -n '/file:function/,$ s/^ *\([0-9,]*\) ( *[0-9.]*%) *[^ ]*:\([^ :]*\) .*/\1 \2/p' "$out/ann" |
    head -n 15 | awk -v t="$total" '{ n = $1; gsub(",", "", n); printf "  %5.1f%%  %s\n", 100 * n / t, $2 }'

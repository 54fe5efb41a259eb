#!/bin/sh
# fuzz/run-afl.sh TARGET SECONDS JOBS: one AFL++ campaign on one fuzz target
# (`make fuzz` runs it after building the binaries).
#
# Instance 1 is the main (-M) on the plain persistent build with the CmpLog
# build as its -c binary; every further job is a secondary (-S), on the
# ASan+UBSan build and the plain build by turns. All sync through one output
# folder; the run stops after SECONDS (-V) and afl-whatsup summarises.
#
# Seeds: corpus/TARGET, corpus/found/TARGET and corpus/regress/TARGET.
# Output: $FUZZ_OUT (default build-fuzz/afl-out/TARGET), wiped first unless
# FUZZ_RESUME=1. Crashes land in OUT/*/crashes/: replay one with
#   build-fuzz/regress/TARGET FILE
set -u
t=${1:?target}; secs=${2:-600}; jobs=${3:-1}
o=${FUZZ_O:-build-fuzz}
out=${FUZZ_OUT:-$o/afl-out/$t}
for b in afl afl-asan afl-cmplog; do
    [ -x "$o/$b/$t" ] || { echo "run-afl: $o/$b/$t is missing (make fuzz builds it)" >&2; exit 1; }
done
command -v afl-fuzz >/dev/null || { echo "run-afl: afl-fuzz not found (mk/packages: afl++)" >&2; exit 1; }

seeds=$o/afl-seeds/$t
rm -rf "$seeds" && mkdir -p "$seeds"
for d in corpus/$t corpus/found/$t corpus/regress/$t; do
    [ -d "$d" ] && for f in "$d"/*; do [ -f "$f" ] && cp "$f" "$seeds/$(basename "$d")-$(basename "$f")"; done
done
[ -n "$(ls "$seeds")" ] || printf 'seed' > "$seeds/empty"

dict=fuzz/$t.dict
[ -f "$dict" ] || dict=fuzz/tcpip.dict
input="-i $seeds"
if [ "${FUZZ_RESUME:-0}" = 1 ] && [ -d "$out" ]; then input="-i -"; else rm -rf "$out"; fi
mkdir -p "$out"

# A shared machine: no CPU pinning, no UI, no core_pattern or governor demands.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
export AFL_NO_UI=1

echo "run-afl: $t for ${secs}s, $jobs instance(s), output $out"
pids=""
afl-fuzz -M main $input -o "$out" -x "$dict" -V "$secs" -c "$o/afl-cmplog/$t" \
    -- "$o/afl/$t" > "$out/main.log" 2>&1 &
pids="$pids $!"
i=1
while [ "$i" -lt "$jobs" ]; do
    if [ $((i % 2)) = 1 ]; then bin=$o/afl-asan/$t; mem="-m none"; else bin=$o/afl/$t; mem=""; fi
    afl-fuzz -S "sec$i" $input -o "$out" -x "$dict" -V "$secs" $mem -- "$bin" \
        > "$out/sec$i.log" 2>&1 &
    pids="$pids $!"
    i=$((i + 1))
done
status=0
for p in $pids; do wait "$p" || status=1; done
[ $status = 0 ] || { echo "run-afl: an instance failed; its log:" >&2; tail -n 20 "$out"/*.log >&2; }

# afl-whatsup's tput calls complain on some terminals; its numbers are fine.
afl-whatsup -s -d "$out" 2>/dev/null
for f in "$out"/*/fuzzer_stats; do
    awk -F' *: *' -v n="$(basename "$(dirname "$f")")" '
        {v[$1] = $2}
        END {printf "run-afl: %-6s %s execs/s, %s execs, %s/%s edges, %s paths, stability %s\n",
             n, v["execs_per_sec"], v["execs_done"], v["edges_found"], v["total_edges"],
             v["corpus_count"], v["stability"]}' "$f"
done
crashes=$(find "$out" -path '*/crashes/id:*' | wc -l)
hangs=$(find "$out" -path '*/hangs/id:*' | wc -l)
echo "run-afl: $t: $crashes crash(es), $hangs hang(s) in $out"
find "$out" -path '*/crashes/id:*' | head -n 20
exit $status

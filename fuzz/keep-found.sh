#!/bin/sh
# fuzz/keep-found.sh TARGET [AFL_OUT]: keep what a campaign found.
# (`make fuzz-found TARGET=...` runs it after `make fuzz`.)
#
# afl-cmin minimises the campaign's queues together with the seeds already
# in corpus/ (generated, found and regress), by the edges each input
# reaches (-e: edges only, not hit counts, to keep the set small); the
# queue entries it keeps, the ones that reach edges no seed reaches, are
# added to corpus/found/TARGET, named by their content hash.
# Crashes are not taken: triage them first (fuzz/README.md).
set -u
t=${1:?target}
o=${FUZZ_O:-build-fuzz}
out=${2:-$o/afl-out/$t}
bin=$o/afl/$t
[ -x "$bin" ] || { echo "keep-found: $bin is missing (make fuzz builds it)" >&2; exit 1; }
[ -d "$out" ] || { echo "keep-found: no campaign in $out" >&2; exit 1; }
command -v afl-cmin >/dev/null || { echo "keep-found: afl-cmin not found" >&2; exit 1; }

work=$o/keep-found/$t
rm -rf "$work" && mkdir -p "$work/in"
n=0
for d in corpus/$t corpus/found/$t corpus/regress/$t; do
    [ -d "$d" ] && for f in "$d"/*; do
        [ -f "$f" ] && cp "$f" "$work/in/seed-$n" && n=$((n + 1))
    done
done
q=0
for f in "$out"/*/queue/id:*; do
    [ -f "$f" ] && cp "$f" "$work/in/queue-$q" && q=$((q + 1))
done
echo "keep-found: $n seeds, $q queue entries"
AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 afl-cmin -e -i "$work/in" -o "$work/min" -- "$bin" \
    > "$work/cmin.log" 2>&1 || { tail -n 20 "$work/cmin.log" >&2; exit 1; }
mkdir -p corpus/found/$t
added=0
for f in "$work/min"/queue-*; do
    [ -f "$f" ] || continue
    # Past 64 KiB and a bit an input only meets the targets' size limits.
    [ "$(wc -c < "$f")" -le 68000 ] || continue
    h=$(sha1sum "$f" | cut -c1-16)
    [ -f "corpus/found/$t/$h" ] || { cp "$f" "corpus/found/$t/$h"; chmod 644 "corpus/found/$t/$h"; added=$((added + 1)); }
done
echo "keep-found: $(ls "$work/min" | wc -l) inputs cover the edges; $added new ones in corpus/found/$t"

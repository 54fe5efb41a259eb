#!/bin/sh
# fuzz/diff-known.sh BIN: the findings of the differential target that it
# knows (fuzz/diff.c, known[]; fuzz/README.md) still show: each input
# corpus/regress/diff/lwip-* must fail when the target reports known
# findings too (SYNACK_DIFF_KNOWN=0). make fuzz-regress runs it, after the
# ordinary replay, in which they pass.
set -u
bin=${1:?binary}
n=0 bad=0
for f in corpus/regress/diff/lwip-*; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    if SYNACK_DIFF_KNOWN=0 "$bin" "$f" >/dev/null 2>&1; then
        echo "diff-known: $f no longer shows its finding (fixed in lwIP? then drop it from known[])" >&2
        bad=$((bad + 1))
    fi
done
echo "diff-known: $n known lwIP findings, $((n - bad)) still found"
[ "$bad" = 0 ]

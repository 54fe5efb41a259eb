#!/bin/sh
# Many idle connections: synack (two stacks in memory, bench_conns) beside
# the Linux kernel (two namespaces over veth, kernel_conns) in the same
# run, and their ratios per level. Figures, not assertions.
#
#   sh stack/bench/conns.sh BUILD_DIR [N]
B=${1:-build}
N=${2:-100000}
S=$(mktemp) K=$(mktemp)
trap 'rm -f "$S" "$K"' EXIT
"$B/stack/bench/bench_conns" "$N" >"$S" || { cat "$S"; exit 1; }
"$B/stack/bench/kernel_conns" "$N" >"$K"; rc=$?
cat "$S"
cat "$K"
[ $rc -eq 0 ] || { echo "conns: the kernel's figures are missing (exit $rc)"; exit 0; }
echo "== synack / kernel, per level. Handshakes per second: synack's per CPU second of the one thread"
echo "   that runs both stacks, the kernel's per wall second of one blocking connect at a time (its"
echo "   work is spread over two processes and softirqs). Memory per connection, both ends: synack's"
echo "   heap in use, the kernel's slab (machine-wide, so other work shows in it)."
awk 'FNR == 1 { f++ }
     f == 1 && $1 ~ /^[0-9]+$/ { hs[$1] = $2; mem[$1] = $3; order[++n] = $1 }
     f == 2 && $1 ~ /^[0-9]+$/ { khs[$1] = $2; kmem[$1] = $3 }
     END {
         printf "%10s %12s %12s %8s %12s %12s %8s\n", "conns", "synack hs/s", "kernel hs/s",
                "ratio", "synack B", "kernel B", "ratio"
         for (i = 1; i <= n; i++) {
             c = order[i]
             if (!(c in khs)) continue
             printf "%10d %12d %12d %8.2f %12d %12d %8.2f\n", c, hs[c], khs[c], hs[c] / khs[c],
                    mem[c], kmem[c], (kmem[c] > 0 ? mem[c] / kmem[c] : 0)
         }
     }' "$S" "$K"

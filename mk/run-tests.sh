#!/bin/sh
# Run test programs one after another and summarise.
# Exit status 77 from a program means "skipped" (it prints why);
# anything else non-zero is a failure.
set -u
pass=0; fail=0; skip=0; failed=""
for t in "$@"; do
    name=$(basename "$t")
    out=$("$t" 2>&1); rc=$?
    case $rc in
        0)  pass=$((pass + 1)); echo "PASS  $name" ;;
        77) skip=$((skip + 1)); echo "SKIP  $name: $(printf '%s\n' "$out" | tail -n 1)" ;;
        *)  fail=$((fail + 1)); failed="$failed $name"
            printf '%s\n' "$out"; echo "FAIL  $name (exit $rc)" ;;
    esac
done
echo "unit: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }

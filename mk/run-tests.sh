#!/bin/sh
# Run test programs one after another and summarise.
# Exit status 77 from a program means "skipped" (it prints why);
# anything else non-zero is a failure.
set -u
pass=0; fail=0; skip=0; failed=""; all_out=""
# An argument may be a command with arguments ("script.sh arg").
for t in "$@"; do
    name=$(basename "${t%% *}")
    out=$(sh -c "$t" 2>&1); rc=$?
    case $rc in
        0)  pass=$((pass + 1)); echo "PASS  $name"; all_out="$all_out
$out" ;;
        77) skip=$((skip + 1)); echo "SKIP  $name: $(printf '%s\n' "$out" | tail -n 1)" ;;
        *)  fail=$((fail + 1)); failed="$failed $name"
            printf '%s\n' "$out"; echo "FAIL  $name (exit $rc)" ;;
    esac
done
cases=$(printf '%s\n' "$all_out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | awk '{s+=$1} END {print s+0}')
echo "unit: $pass programs passed ($cases cmocka cases), $fail failed, $skip skipped"
[ $fail -eq 0 ] || { echo "failed:$failed"; exit 1; }

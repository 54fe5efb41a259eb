#!/bin/sh
# harness/tests/exec_check.sh BUILD: the exec target (harness/target/exec.c)
# with synack's apps as the stacks under test: vectors/exec/ passes (strict),
# a program that never attaches or ends at once is that vector's error with
# the reason, scripts of the other kind are named skips. Needs root and
# /dev/net/tun (each vector runs in a private network namespace): else 77.
set -u
build=${1:?usage: exec_check.sh BUILD}
synack=$build/synack
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ]; then
    echo "exec target: needs root and /dev/net/tun (skipped)"; exit 77
fi
fail=0
check() { # name, expected text, command...
    name=$1 want=$2; shift 2
    out=$("$@" 2>&1)
    if printf '%s\n' "$out" | grep -qF -- "$want"; then
        echo "PASS  $name"
    else
        echo "FAIL  $name: expected '$want' in:"; printf '%s\n' "$out" | sed 's/^/      /'
        fail=1
    fi
}
apps="exec:sh stack/apps/exec-app.sh $build"
check "synack-serve and synack-get judged as black boxes" \
    "4 vectors: 4 passed, 0 failed, 0 errors, 0 skipped" \
    "$synack" run --strict --target "$apps" -j2 vectors/exec/
check "a program that ends before it attaches" \
    "ERROR exec/serve-echo  target exec:true: the stack under test ended (status 0) before it attached to tun0" \
    "$synack" run --target "exec:true" vectors/exec/serve-echo.pkt
check "a program that never attaches" \
    "the stack under test did not attach to tun0 within 5 s" \
    "$synack" run --target "exec:sleep 30" vectors/exec/serve-echo.pkt
check "a program that dies of a signal before it attaches" \
    "the stack under test ended (signal 11) before it attached to tun0 (its last words: \"dying\")" \
    "$synack" run --target "exec:echo dying; kill -SEGV \$\$" vectors/exec/serve-echo.pkt
check "a profile the target cannot read" \
    "@app: expected 'listen PORT ...' or 'connect ADDR:PORT ...', got 'listen eighty echo'" \
    "$synack" run --target "$apps" harness/tests/scripts/exec-bad-profile.pkt
check "system calls on a program: a named skip" \
    "SKIP  handshake/passive-open  line 4: socket(): system calls cannot run on target exec:" \
    "$synack" run --target "$apps" vectors/handshake/passive-open.pkt
check "an @app script on mem: a named skip" \
    "@app: the script is for a stack that is a program (--target exec:COMMAND); target mem runs system calls" \
    "$synack" run --target mem vectors/exec/serve-echo.pkt
exit $fail

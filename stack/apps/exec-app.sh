#!/bin/sh
# stack/apps/exec-app.sh BUILD_DIR: synack's apps as stacks under test for
# the exec target (`synack run --target "exec:sh stack/apps/exec-app.sh
# build" vectors/exec/`): the application profile the script declares
# ($SYNACK_APP, harness/README.md) picks the app and its arguments; the
# device and the addresses come from the environment the target gives.
build=${1:?usage: exec-app.sh BUILD_DIR}
# --no-offload: the target reads the device raw and judges every segment
# as it would be on a wire (no batches of segments, no partial checksums)
common="--tun $SYNACK_TUN --addr $SYNACK_ADDR --seed 1 --no-offload"
set -- $SYNACK_APP
case "$1:$3" in
listen:echo) exec "$build/synack-serve" $common --port "$SYNACK_PORT" --echo ;;
connect:get) exec "$build/synack-get" $common -q -o /dev/null "http://$SYNACK_REMOTE${4:-/}" ;;
*) echo "exec-app.sh: no app for the profile '$SYNACK_APP'" >&2; exit 2 ;;
esac

#!/bin/sh
# Install the Debian packages listed in mk/packages that are missing.
# As root: apt-get install (apt-get update first when a package is not found).
# Otherwise: print the exact command and exit 1.
set -u
here=$(dirname "$0")
pkgs=$(sed -e 's/#.*//' "$here/packages" | tr -s ' \t' '\n' | grep -v '^$')
missing=""
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && { echo "deps: all $(echo $pkgs | wc -w) packages installed"; exit 0; }
echo "deps: missing:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "deps: not root; install them with:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends $missing; then
    echo "deps: a package was not found; running apt-get update and retrying"
    apt-get update || { echo "deps: apt-get update failed" >&2; exit 1; }
    apt-get install -y --no-install-recommends $missing || {
        echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
fi
echo "deps: installed:$missing"

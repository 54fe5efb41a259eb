#!/bin/sh
# Browser test of the HTML report: test_report writes the report of the
# fixtures in harness/tests/data/ (SYNACK_REPORT_OUT), headless Chromium
# loads index.html and a vector page, and we check the rendered DOM and
# that the screenshots are non-empty PNGs. Run from the repository root:
#   harness/tests/report_browser.sh [build/harness/tests/test_report]
# Exit status: 0 passed, 1 failed, 77 skipped (no chromium).
set -u

bin=${1:-${SYNACK_TEST_REPORT:-build/harness/tests/test_report}}

browser=""
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then
        browser=$b
        break
    fi
done
if [ -z "$browser" ]; then
    echo "skipped: chromium is not installed (Debian: apt-get install chromium)"
    exit 77
fi
if [ ! -x "$bin" ]; then
    echo "FAIL: $bin is not built (make tests)"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/synack-browser-XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL: $*"
    exit 1
}

# The browser, isolated: own profile, no network services, no sandbox (root).
browse() {
    profile=$(mktemp -d "$work/profile-XXXXXX")
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update --disable-sync \
        --no-first-run --host-resolver-rules="MAP * ~NOTFOUND" \
        --user-data-dir="$profile" --window-size=1280,900 "$@" 2>>"$work/browser.log"
}

is_png() {
    [ -s "$1" ] || return 1
    magic=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
    [ "$magic" = "89504e470d0a1a0a" ]
}

url() {
    printf 'file://%s\n' "$1" | sed 's/ /%20/g'
}

SYNACK_REPORT_OUT="$work/report" "$bin" >"$work/test.log" 2>&1 ||
    { cat "$work/test.log"; fail "$bin could not write the fixture report"; }
index="$work/report/index.html"
page="$work/report/vectors/reset/rst-in-window.html"
[ -s "$index" ] || fail "no $index"
[ -s "$page" ] || fail "no $page"

browse --dump-dom "$(url "$index")" >"$work/index.dom" ||
    { cat "$work/browser.log"; fail "chromium could not load index.html"; }
for text in "synack conformance report" "6 vectors: 1 passed, 1 failed" \
    "3 passed, 0 failed" "not covered" "handshake/passive-open"; do
    grep -q "$text" "$work/index.dom" || fail "index.html as rendered lacks \"$text\""
done

browse --dump-dom "$(url "$page")" >"$work/page.dom" ||
    { cat "$work/browser.log"; fail "chromium could not load the vector page"; }
for text in "<svg" "field ack differs" "expected: &gt; . 1:1(0) ack 1001" "Oracle findings"; do
    grep -q "$text" "$work/page.dom" || fail "rst-in-window.html as rendered lacks \"$text\""
done

browse --screenshot="$work/index.png" "$(url "$index")" >/dev/null ||
    { cat "$work/browser.log"; fail "chromium could not take a screenshot of index.html"; }
browse --screenshot="$work/page.png" "$(url "$page")" >/dev/null ||
    { cat "$work/browser.log"; fail "chromium could not take a screenshot of the vector page"; }
is_png "$work/index.png" || fail "the screenshot of index.html is not a non-empty PNG"
is_png "$work/page.png" || fail "the screenshot of the vector page is not a non-empty PNG"

echo "PASS: the HTML report renders in $browser (index.html and a vector page)"

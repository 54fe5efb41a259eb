#!/bin/sh
# Browser test of the HTML report: test_report writes the report of the
# fixtures in harness/tests/data/ (SYNACK_REPORT_OUT; with a previous run),
# headless Chromium loads index.html (with and without JavaScript, and with
# a filter in its address) and a vector page, and we check the rendered DOM
# and that the screenshots are non-empty PNGs. The screenshots are kept in
# SHOTS (default build/report-browser/) for a person to look at. Run from
# the repository root:
#   harness/tests/report_browser.sh [build/harness/tests/test_report [SHOTS]]
# Exit status: 0 passed, 1 failed, 77 skipped (no chromium).
set -u

bin=${1:-${SYNACK_TEST_REPORT:-build/harness/tests/test_report}}
shots=${2:-build/report-browser}

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
    "3 passed, 0 failed" "not covered" "handshake/passive-open" \
    '<h2 id="failures">Failures</h2>' "field ack: expected N, got N" \
    "Since the previous run" "1 newly failing" '<details class="folder"' 'id="q"'; do
    grep -q -e "$text" "$work/index.dom" || fail "index.html as rendered lacks \"$text\""
done

# Without JavaScript a browser shows the file as written: everything is in
# it, and the filter box is not (the script adds it, so none shows that
# cannot work).
grep -q 'id="q"' "$index" && fail "index.html as written has a filter box (it needs JavaScript)"
for text in '<h2 id="failures">Failures</h2>' "field ack: expected N, got N" "reset/rst-in-window" \
    "1 newly failing" '<details class="folder"'; do
    grep -q -e "$text" "$index" || fail "index.html as written (no JavaScript) lacks \"$text\""
done

# The filter, from the address: only matching rows stay.
browse --dump-dom "$(url "$index")#q=passive" >"$work/filtered.dom" ||
    { cat "$work/browser.log"; fail "chromium could not load index.html#q=passive"; }
row() { grep -o "<tr id=\"v-$1\"[^>]*>" "$work/filtered.dom"; }
row reset_rst-in-window | grep -q 'display: none' || fail "the filter 'passive' did not hide reset/rst-in-window"
row handshake_passive-open | grep -q 'display: none' && fail "the filter 'passive' hid handshake/passive-open"
grep -q "1 of 6 vectors" "$work/filtered.dom" || fail "the filter does not say how many vectors match"

browse --dump-dom "$(url "$page")" >"$work/page.dom" ||
    { cat "$work/browser.log"; fail "chromium could not load the vector page"; }
for text in "<svg" "field ack differs" "expected: &gt; . 1:1(0) ack 1001" "Oracle findings" \
    "rows placed by time" "in flight"; do
    grep -q "$text" "$work/page.dom" || fail "rst-in-window.html as rendered lacks \"$text\""
done

mkdir -p "$shots" || fail "cannot make $shots"
browse --window-size=1400,2000 --screenshot="$shots/index.png" "$(url "$index")" >/dev/null ||
    { cat "$work/browser.log"; fail "chromium could not take a screenshot of index.html"; }
browse --window-size=1400,2600 --screenshot="$shots/index-filtered.png" \
    "$(url "$index")#q=passive" >/dev/null ||
    { cat "$work/browser.log"; fail "chromium could not take a screenshot of the filtered index"; }
browse --window-size=1400,1400 --screenshot="$shots/page.png" "$(url "$page")" >/dev/null ||
    { cat "$work/browser.log"; fail "chromium could not take a screenshot of the vector page"; }
for png in index index-filtered page; do
    is_png "$shots/$png.png" || fail "the screenshot $shots/$png.png is not a non-empty PNG"
done

echo "PASS: the HTML report renders in $browser (index.html with and without JavaScript, filtered,"
echo "      and a vector page); screenshots in $shots/"

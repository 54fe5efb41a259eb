#!/bin/bash -eu
# Build synack's fuzz targets for ClusterFuzzLite / OSS-Fuzz: one binary per
# target in $OUT, each with its seeds ($OUT/<target>_seed_corpus.zip) and
# dictionary ($OUT/<target>.dict). The engine comes from the environment
# ($CC, $CFLAGS, $LIB_FUZZING_ENGINE), as OSS-Fuzz sets it; FUZZ_LIBFUZZER
# tells fuzz/driver.h to leave main() to that engine.
#
# Without Docker, from the repository root, for example:
#   OUT=build-fuzz/cflite .clusterfuzzlite/build.sh
# (defaults: clang, ASan+UBSan, libFuzzer).
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
CC=${CC:-clang}
CXX=${CXX:-clang++}
CFLAGS=${CFLAGS:--O1 -g -fsanitize=address,undefined -fsanitize=fuzzer-no-link}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
OUT=${OUT:-build-fuzz/cflite}
WORK=${WORK:-$OUT/work}
mkdir -p "$OUT" "$WORK"

flags="-std=c11 -Wall -Wextra -D_DEFAULT_SOURCE -DFUZZ_LIBFUZZER -Istack/include -Istack -Iharness"
stack_src=$(ls stack/util/*.c stack/wire/*.c stack/ip/*.c stack/tcp/*.c stack/core/*.c stack/socket/*.c)
wire_src=$(ls stack/wire/*.c)
script_src="$(ls harness/script/*.c) $wire_src"

# compile TARGET SOURCES...: objects under $WORK/TARGET, the binary in $OUT.
compile() {
    local t=$1; shift
    local objs=""
    for s in "fuzz/$t.c" "$@"; do
        local o="$WORK/$t/${s%.c}.o"
        mkdir -p "$(dirname "$o")"
        $CC $CFLAGS $flags -c "$s" -o "$o"
        objs="$objs $o"
    done
    $CXX $CFLAGS $objs $LIB_FUZZING_ENGINE $EXTRA_LIBS -o "$OUT/$t"
}

EXTRA_LIBS=""
compile wire $wire_src
compile stack $stack_src $(ls harness/oracle/*.c)
compile script $script_src
compile ip_reasm stack/ip/ip_reasm.c $wire_src
targets="wire stack script ip_reasm"
if [ -f fuzz/pcap.c ] && [ -f harness/pcap/capture.c ]; then
    EXTRA_LIBS=$(pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
    compile pcap harness/pcap/capture.c $(ls harness/oracle/*.c) $wire_src
    EXTRA_LIBS=""
    targets="$targets pcap"
fi

for t in $targets; do
    dict=fuzz/$t.dict
    [ -f "$dict" ] || dict=fuzz/tcpip.dict
    cp "$dict" "$OUT/$t.dict"
    dirs=""
    for d in corpus/$t corpus/found/$t corpus/regress/$t; do [ -d "$d" ] && dirs="$dirs $d"; done
    if [ -n "$dirs" ] && command -v zip >/dev/null; then
        rm -f "$OUT/${t}_seed_corpus.zip"
        zip -q -j "$OUT/${t}_seed_corpus.zip" $(find $dirs -type f ! -name 'README*')
    fi
done
echo "build.sh: $targets in $OUT"

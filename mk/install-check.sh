#!/bin/sh
# mk/install-check.sh DIR PREFIX CC LDFLAGS: after `make install
# DESTDIR=DIR/root PREFIX=PREFIX`, build stack/examples/two_stacks.c the way
# a user would, through pkg-config and the installed synack.pc only, once
# against the shared library and once statically, and run both. The .pc
# is relocatable (prefix=${pcfiledir}/../..), so no PKG_CONFIG_SYSROOT_DIR.
set -u
dir=$1 prefix=$2 cc=$3 ldflags=$4
root=$dir/root$prefix
fail() { echo "FAIL  install: $*"; exit 1; }
for f in include/synack/synack.h lib/libsynack.a lib/pkgconfig/synack.pc bin/synack; do
    [ -e "$root/$f" ] || fail "$f is not installed"
done
so=$(cd "$root/lib" && ls libsynack.so.*.*.* 2>/dev/null | head -n 1)
[ -n "$so" ] || fail "no lib/libsynack.so.X.Y.Z"
[ -L "$root/lib/libsynack.so" ] || fail "lib/libsynack.so is not a symlink (for -lsynack)"
soname=$(objdump -p "$root/lib/$so" | awk '$1 == "SONAME" { print $2 }')
[ -L "$root/lib/$soname" ] || fail "no symlink for the soname '$soname'"
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
export PKG_CONFIG_LIBDIR="$root/lib/pkgconfig"
cflags=$(pkg-config --cflags synack) || fail "pkg-config --cflags synack"
libs=$(pkg-config --libs synack) || fail "pkg-config --libs synack"
slibs=$(pkg-config --static --libs synack) || fail "pkg-config --static --libs synack"
case $libs in *pcap*) fail "Libs names libpcap (it belongs in Libs.private): $libs" ;; esac
case $slibs in *pcap*) ;; *) fail "Libs.private lacks libpcap: $slibs" ;; esac
case $cflags in *"$root"*|*/pkgconfig/../../include*) ;; *) fail "--cflags points elsewhere: $cflags" ;; esac
src=stack/examples/two_stacks.c
# shared: the binary must take libsynack from the install, by its soname
$cc -std=c11 -D_DEFAULT_SOURCE $cflags -o "$dir/two_stacks-shared" $src $ldflags $libs ||
    fail "cc $src with pkg-config --cflags --libs synack"
objdump -p "$dir/two_stacks-shared" | grep -q "NEEDED.*$soname" || fail "the example does not need $soname"
LD_LIBRARY_PATH="$root/lib" "$dir/two_stacks-shared" >"$dir/shared.out" ||
    { cat "$dir/shared.out"; fail "two_stacks against the shared library"; }
# static: libsynack.a and its private dependencies
$cc -std=c11 -D_DEFAULT_SOURCE $cflags -o "$dir/two_stacks-static" $src $ldflags \
    "$root/lib/libsynack.a" $(pkg-config --static --libs-only-l synack | sed 's/-lsynack//') ||
    fail "cc $src with libsynack.a and pkg-config --static --libs synack"
objdump -p "$dir/two_stacks-static" | grep -q "NEEDED.*libsynack" && fail "the static build needs libsynack.so"
"$dir/two_stacks-static" >"$dir/static.out" || { cat "$dir/static.out"; fail "two_stacks, static"; }
echo "PASS  install: headers, libsynack.a, $so ($soname), synack.pc (relocatable), synack;"
echo "      two_stacks built by pkg-config, shared and static, both byte-exact"

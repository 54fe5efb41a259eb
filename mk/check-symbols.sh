#!/bin/sh
# mk/check-symbols.sh KIND FILE PATTERN: every symbol FILE exports matches
# the shell PATTERN, or one of its |-separated patterns (make check-symbols).
# KIND is `static` (a .a: its defined global symbols) or `shared` (a .so:
# its dynamic symbol table).
set -f # patterns are matched, never expanded against files
kind=$1 file=$2 pattern=$3
case $kind in
static) syms=$(nm -g --defined-only "$file") ;;
shared) syms=$(nm -D --defined-only "$file") ;;
*) echo "check-symbols: unknown kind '$kind'" >&2; exit 2 ;;
esac || { echo "FAIL  $file: nm cannot read it"; exit 1; }
# (a shared library's version nodes, SYNACK_0, are absolute symbols: not code)
all=$(printf '%s\n' "$syms" | awk 'NF == 3 && $2 != "A" { print $3 }' | sort -u)
matches() {
    old_ifs=$IFS; IFS='|'
    for p in $pattern; do
        case $1 in $p) IFS=$old_ifs; return 0 ;; esac
    done
    IFS=$old_ifs; return 1
}
bad=$(printf '%s\n' "$all" | while read -r s; do
    [ -z "$s" ] || matches "$s" || echo "$s"; done)
if [ -n "$bad" ]; then
    echo "FAIL  $file exports $(echo "$bad" | wc -l) symbols not matching $pattern:"
    echo "$bad" | sed 's/^/      /'
    exit 1
fi
echo "PASS  $file: $(echo "$all" | grep -c .) exported symbols, all $pattern"

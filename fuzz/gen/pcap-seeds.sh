#!/bin/sh
# fuzz/gen/pcap-seeds.sh OUTDIR CAPDIR: seeds of the pcap target (`make
# corpus`). The captures of CAPDIR as they are, and, with editcap (tshark's
# package), each in pcapng, with nanosecond timestamps, and the Ethernet
# ones turned into raw IPv4 (link header chopped): every format and link
# type the reader knows, from real conversations.
set -u
out=$1; src=$2
rm -rf "$out" && mkdir -p "$out"
for f in "$src"/*.pcap "$src"/*.pcapng; do
    [ -f "$f" ] || continue
    b=$(basename "${f%.*}")
    cp "$f" "$out/$b.pcap"
    command -v editcap >/dev/null || continue
    editcap -F pcapng "$f" "$out/$b.pcapng" 2>/dev/null
    editcap -F nsecpcap "$f" "$out/$b-ns.pcap" 2>/dev/null
    if capinfos -E "$f" 2>/dev/null | grep -q Ethernet; then
        editcap -C 14 -T rawip4 "$f" "$out/$b-rawip.pcap" 2>/dev/null
    fi
done
command -v editcap >/dev/null || echo "pcap-seeds: no editcap: only the captures as they are"

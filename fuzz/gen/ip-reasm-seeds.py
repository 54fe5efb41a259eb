#!/usr/bin/env python3
"""fuzz/gen/ip-reasm-seeds.py DIR: seeds of the ip_reasm target (`make corpus`).

One input per case the vectors and unit tests cover: fragments in order,
out of order, duplicated, overlapping, past 65535 octets, a tiny first
fragment, a timeout, a flood that fills the table, a scattered datagram.
The format is fuzz/ip_reasm.c's: a configuration octet, then steps."""
import os
import sys


def frag(key, off, length, mf, variant=0, opt_words=0):
    """A fragment step: payload octets [off, off+length), off a multiple of 8."""
    flags = (1 if mf else 0) | (2 if variant else 0) | (opt_words << 2)
    return bytes([0, key, (off // 8) >> 8, (off // 8) & 0xff, length >> 8, length & 0xff,
                  flags])


def clock(quarter_seconds):
    return bytes([2, quarter_seconds])


def deadline():
    return bytes([3])


CFG_DEFAULT = 0x07          # 8 datagrams, EMTU_R 65535, mem EMTU_R + 60, 60 s
CFG_SHORT = 0x47            # the same with a 1 s timeout
CFG_SMALL = 0x08 | 0x01     # 2 datagrams, EMTU_R 576

SEEDS = {
    "in-order": [CFG_DEFAULT, frag(0, 0, 512, True), frag(0, 512, 508, False)],
    "out-of-order": [CFG_DEFAULT, frag(1, 960, 460, False), frag(1, 480, 480, True),
                     frag(1, 0, 480, True)],
    "duplicate": [CFG_DEFAULT, frag(2, 0, 512, True), frag(2, 0, 512, True),
                  frag(2, 256, 256, True), frag(2, 512, 100, False)],
    "overlap": [CFG_DEFAULT, frag(3, 0, 512, True), frag(3, 504, 516, False),
                frag(3, 512, 508, False)],
    "overlap-other-octets": [CFG_DEFAULT, frag(0, 0, 512, True), frag(0, 0, 512, True, 1),
                             frag(0, 512, 100, False)],
    "oversize": [CFG_DEFAULT, frag(4, 0, 512, True), frag(4, 65512, 40, False)],
    "largest": [CFG_DEFAULT] + [frag(5, k * 4096, 4096, True) for k in range(15)]
               + [frag(5, 15 * 4096, 65515 - 15 * 4096, False)],
    "tiny-first": [CFG_DEFAULT, frag(0, 0, 8, True), frag(0, 8, 100, False),
                   frag(1, 8, 100, False)],
    "emtu-r": [CFG_SMALL, frag(0, 0, 512, True), frag(0, 512, 508, False),
               frag(1, 0, 256, True), frag(1, 256, 300, False)],
    "timeout-first-seen": [CFG_SHORT, frag(0, 0, 512, True), clock(8), frag(0, 512, 100, False)],
    "timeout-deadline": [CFG_DEFAULT, frag(8, 512, 100, False), deadline(),
                         frag(8, 0, 512, True, 0, 3)],
    "flood": [0x10] + [frag(k, 0, 800, True) for k in range(16)] + [frag(0, 800, 100, False)],
    "scattered": [CFG_DEFAULT] + [frag(6, off, 8, True) for off in range(16, 1400, 16)],
    "inconsistent": [CFG_DEFAULT, frag(7, 512, 508, False), frag(7, 256, 760, False),
                     frag(9, 512, 288, False), frag(9, 0, 1016, True)],
    "malformed": [CFG_DEFAULT, frag(10, 0, 500, True), frag(10, 512, 0, True)],
    "options": [CFG_DEFAULT, frag(11, 0, 64, True, 0, 7), frag(11, 64, 64, False, 0, 2)],
    # IPv6 (key & 16): a fragment header, with a hop-by-hop header before it
    # when opt_words is odd
    "v6-in-order": [CFG_DEFAULT, frag(16, 0, 512, True), frag(16, 512, 508, False)],
    "v6-out-of-order-hop-by-hop": [CFG_DEFAULT, frag(17, 960, 460, False, 0, 1),
                                   frag(17, 0, 480, True, 0, 1), frag(17, 480, 480, True, 0, 1)],
    "v6-overlap": [CFG_DEFAULT, frag(18, 0, 512, True), frag(18, 504, 516, False)],
    "v6-past-65535": [CFG_DEFAULT, frag(19, 0, 512, True), frag(19, 65504, 40, False)],
    "v6-timeout": [CFG_SHORT, frag(20, 0, 512, True), clock(8)],
    "v6-and-v4-same-id": [CFG_DEFAULT, frag(16, 0, 512, True), frag(0, 0, 512, True),
                          frag(16, 512, 8, False), frag(0, 512, 8, False)],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, parts in SEEDS.items():
        data = bytes([parts[0]]) + b"".join(parts[1:])
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

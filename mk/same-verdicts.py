#!/usr/bin/env python3
"""mk/same-verdicts.py A.json B.json: the two results files (synack run
--json) give every vector the same verdict. Prints the differences and
exits 1 if any; a vector in one file only is a difference too."""
import json
import sys


def verdicts(path):
    with open(path) as f:
        doc = json.load(f)
    return doc["target"], {v["name"]: (v["status"], v.get("message")) for v in doc["vectors"]}


def main():
    if len(sys.argv) != 3:
        print("usage: same-verdicts.py A.json B.json", file=sys.stderr)
        return 2
    (ta, a), (tb, b) = verdicts(sys.argv[1]), verdicts(sys.argv[2])
    diff = []
    for name in sorted(set(a) | set(b)):
        va, vb = a.get(name, ("absent", None)), b.get(name, ("absent", None))
        if va[0] != vb[0]:
            diff.append(f"  {name}: {ta} {va[0]}, {tb} {vb[0]}"
                        f" ({vb[1] if vb[0] != 'pass' else va[1]})")
    counts = {}
    for status, _ in a.values():
        counts[status] = counts.get(status, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    if diff:
        print(f"FAIL  {tb} and {ta} differ on {len(diff)} of {len(set(a) | set(b))} vectors:")
        print("\n".join(diff))
        return 1
    print(f"PASS  {tb} gives every one of {len(a)} vectors the verdict {ta} gives ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

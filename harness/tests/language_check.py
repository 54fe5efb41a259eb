#!/usr/bin/env python3
"""Run harness/tests/language/ on a target, default and --strict, and check
every script's outcome and message against language/expected.tsv.

    language_check.py SYNACK TARGET [JOBS] [--offload]

On mem it first runs synack lint-script over the folder (every script
plain packetdrill). Both get -D for each line of language/defines.

expected.tsv: script, target (mem, linux or *), mode (default, strict or
*), outcome (pass, fail, skip, error), a piece of the message ('-' for
none). The first row that matches a script, target and mode decides; a
script without one is an error of this check. Exit 0 when all agree.

--offload runs the offload-*.pkt scripts alone with synack run --offload
(the linux target's device with TSO, as packetdrill's); their rows name
the target TARGET+offload ("linux+offload"), before the rows for TARGET."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = os.path.join(HERE, "language")


def expectations():
    rows = []
    with open(os.path.join(FOLDER, "expected.tsv")) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 5:
                sys.exit("expected.tsv:%d: 5 columns expected, got %d" % (n, len(cols)))
            rows.append(cols)
    return rows


def defines():
    """-D NAME=VALUE for each line of language/defines."""
    args = []
    with open(os.path.join(FOLDER, "defines")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                args += ["-D", line]
    return args


def lint(synack):
    """Every script of the folder in plain packetdrill syntax."""
    r = subprocess.run([synack, "lint-script", "-q"] + defines() + [FOLDER])
    return r.returncode == 0


def run(synack, target, strict, jobs, offload):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        paths = [FOLDER]
        if offload:
            paths = sorted(os.path.join(FOLDER, f) for f in os.listdir(FOLDER)
                           if f.startswith("offload-") and f.endswith(".pkt"))
        cmd = [synack, "run", "-q", "--target", target, "-j", jobs, "--json", out] + defines() + paths
        if strict:
            cmd.insert(2, "--strict")
        if offload:
            cmd.insert(2, "--offload")
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            return json.load(f)["vectors"]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    offload = "--offload" in sys.argv
    args = [a for a in sys.argv if a != "--offload"]
    synack, target = args[1], args[2]
    jobs = args[3] if len(args) > 3 else "4"
    key = target + "+offload" if offload else target
    if target == "mem" and not offload and not lint(synack):
        print("language: synack lint-script found scripts not in plain packetdrill syntax")
        return 1
    rows = expectations()
    bad = counted = 0
    for mode in ("default", "strict"):
        for v in run(synack, target, mode == "strict", jobs, offload):
            script = os.path.basename(v["path"])
            want = next((r for r in rows if r[0] == script and r[1] in (key, target, "*")
                         and r[2] in (mode, "*")), None)
            counted += 1
            got, msg = v["status"], v.get("message") or ""
            if want is None:
                print("NOROW %s %s %s: %s %s" % (script, target, mode, got, msg))
                bad += 1
            elif got != want[3] or (want[4] != "-" and want[4] not in msg):
                print("DIFF  %s %s %s: expected %s '%s', got %s '%s'"
                      % (script, target, mode, want[3], want[4], got, msg))
                bad += 1
    print("language on %s: %d runs, %d as expected, %d not" % (key, counted, counted - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

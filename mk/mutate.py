#!/usr/bin/env python3
"""make mutate: the suite against every mutant of the mutation build.

For each mutant of BUILD/mutants (stack/util/mutant.h), run the vectors with
BUILD/synack and SYNACK_MUTANT=<name>, then (with --unit) the stack's unit
tests of the mutation build for each mutant no vector killed. A mutant is
killed when a vector fails, errors, or the run crashes or hangs; unit-only
when only a unit test notices it; survived otherwise. A requirement row is defended when a mutant naming it is
killed by a vector. Writes JSON (--json) and, through `synack report
--mutants`, the report's strength page (--html).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

FAILING = ("fail", "error", "xpass")


def catalogue(build):
    out = subprocess.run([os.path.join(build, "mutants")], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        name, reqs, what = line.split("\t")
        rows.append({"name": name, "reqs": reqs.split(), "what": what})
    return rows


def registry(path):
    """id -> (level, testability) of vectors/requirements.tsv."""
    reg = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("id\t"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 5:
                reg[cols[0]] = (cols[1], cols[4])
    return reg


def run_vectors(args, mutant, tmp):
    """(failing vector names, note) for one mutant; note names a crash or hang."""
    env = dict(os.environ, SYNACK_MUTANT=mutant or "")
    out = os.path.join(tmp, "results.json")
    if os.path.exists(out):
        os.unlink(out)
    cmd = [os.path.join(args.build, "synack"), "run", "--strict", "-j%d" % args.jobs,
           "--json", out] + args.vectors
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True,
                           timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return ["(the run)"], "hang: no result in %d s" % args.timeout
    if not os.path.exists(out):
        return ["(the run)"], "crash: exit %d, no results (%s)" % (
            p.returncode, (p.stderr.strip().splitlines() or ["no message"])[-1])
    with open(out, encoding="utf-8") as f:
        res = json.load(f)
    failing = [v["name"] for v in res["vectors"] if v["status"] in FAILING]
    return failing, None


def run_unit(args, mutant):
    env = dict(os.environ, SYNACK_MUTANT=mutant)
    killers = []
    for t in args.unit:
        try:
            p = subprocess.run([t], env=env, capture_output=True, timeout=args.timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = -1
        if rc not in (0, 77):
            killers.append(os.path.basename(t))
    return killers


def summarise(muts, reg):
    reqs = {}
    for m in muts:
        for r in m["reqs"]:
            q = reqs.setdefault(r, {"id": r, "mutants": [], "defended": False})
            q["mutants"].append(m["name"])
            q["defended"] |= m["status"] == "killed"
    for q in reqs.values():
        level, testability = reg.get(q["id"], ("?", "not in the registry"))
        q["level"], q["testability"] = level, testability
    undefended = sorted(r for r, (lv, te) in reg.items()
                        if lv.startswith("MUST") and not te.startswith("no")
                        and r.startswith("RFC9293:MUST") and r not in reqs)
    count = {s: sum(1 for m in muts if m["status"] == s)
             for s in ("killed", "unit-only", "survived")}
    return sorted(reqs.values(), key=lambda q: q["id"]), undefended, count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", required=True, help="the mutation build (BUILD/synack, BUILD/mutants)")
    ap.add_argument("--synack", help="the synack that writes the HTML report")
    ap.add_argument("--registry", default="vectors/requirements.tsv")
    ap.add_argument("--vectors", action="append", default=[], help="vectors to run (vectors/)")
    ap.add_argument("--unit", default="", help="unit-test programs of the mutation build, blank-separated")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300, help="seconds a run may take (a hang kills)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--html", help="write the report (index and strength.html) here")
    ap.add_argument("--require-killed", action="store_true",
                    help="exit 1 unless every mutant run is killed by a vector (make check's sample)")
    ap.add_argument("--quiet", action="store_true", help="only the summary and what was not killed")
    ap.add_argument("mutants", nargs="*", help="run only these (default: all)")
    args = ap.parse_args()
    args.vectors = args.vectors or ["vectors/"]
    args.unit = args.unit.split()
    cat = catalogue(args.build)
    names = {m["name"] for m in cat}
    unknown = [n for n in args.mutants if n not in names]
    if unknown:
        print("mutate: no such mutant: %s (%s/mutants lists them)" % (" ".join(unknown), args.build),
              file=sys.stderr)
        return 2
    if args.mutants:
        cat = [m for m in cat if m["name"] in args.mutants]
    reg = registry(args.registry)
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="synack-mutate-") as tmp:
        base, note = run_vectors(args, None, tmp)
        if base or note:
            print("mutate: the suite fails without a mutant (%s): %s" % (note or "vectors",
                  " ".join(base[:10])), file=sys.stderr)
            return 1
        if args.html:
            os.makedirs(args.html, exist_ok=True)
            os.replace(os.path.join(tmp, "results.json"),
                       os.path.join(args.html, "results-mem.json"))
        for m in cat:
            t = time.time()
            m["vectors"], m["note"] = run_vectors(args, m["name"], tmp)
            # the unit tests only decide between unit-only and survived
            m["unit"] = run_unit(args, m["name"]) if args.unit and not m["vectors"] else []
            m["status"] = ("killed" if m["vectors"] else
                           "unit-only" if m["unit"] else "survived")
            m["seconds"] = round(time.time() - t, 1)
            if not args.quiet or m["status"] != "killed":
                by = (", ".join(m["vectors"][:3]) + (" ..." if len(m["vectors"]) > 3 else "")
                      if m["vectors"] else ", ".join(m["unit"]))
                print("%-9s %-28s %3d vectors %2d unit  %s%s" % (
                    m["status"].upper(), m["name"], len(m["vectors"]), len(m["unit"]),
                    by, " (%s)" % m["note"] if m["note"] else ""), flush=True)
    reqs, undefended, count = summarise(cat, reg)
    if not args.quiet:
        print("\nper requirement:")
        for q in reqs:
            print("  %-28s %-9s %-12s  %s" % (q["id"], q["level"],
                  "defended" if q["defended"] else "NOT defended", " ".join(q["mutants"])))
        if undefended:
            print("testable RFC 9293 MUSTs with no mutant: %s" % " ".join(undefended))
    ndef = sum(1 for q in reqs if q["defended"])
    print("mutate: %d mutants: %d killed by a vector, %d only by unit tests, %d survived; "
          "%d of %d requirement rows defended; %.0f s" % (
              len(cat), count["killed"], count["unit-only"], count["survived"],
              ndef, len(reqs), time.time() - t0))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"schema": "synack-mutate/1", "unit_run": bool(args.unit),
                       "mutants": cat, "requirements": reqs,
                       "undefended_musts": undefended, "totals": count}, f, indent=1)
    if args.html and args.json and args.synack:
        subprocess.run([args.synack, "report", "--registry", args.registry, "--mutants",
                        args.json, "--html", args.html,
                        os.path.join(args.html, "results-mem.json")], check=True)
    if args.require_killed and count["killed"] != len(cat):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

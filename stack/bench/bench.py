#!/usr/bin/env python3
"""make bench: synack's figures beside the Linux kernel's, measured in one run.

    python3 stack/bench/bench.py BUILD [--out DIR] [--repeat N] [--only NAMES]

Figures (each measured --repeat times, default 3, and given as a range):

  mem-*      stack/bench/bench_bulk: two synack stacks in one thread over the
             memory link, 1 GiB, the stack's default buffers (256 KiB): MTU 1500
             with checksums (like for like with a kernel without offloads) and
             MTU 65535 with the link's checksum offload (like the kernel's
             loopback), Gbit/s of wall time
  veth-*     the kernel's TCP between two network namespaces over a veth pair,
             iperf3 for 3 s, with its offloads (TSO, GSO, GRO, checksum) on,
             and off
  tun-*      stack/bench/bench_tun: synack on a TUN device against the kernel's
             TCP in a namespace of its own, each way, with the device's offloads
             (TSO, checksum) and without (-plain); reads and writes batched
             through io_uring in both (bench_tun --no-batch: one system call
             per datagram)
  conns-*    stack/bench/conns.sh: bench_conns (synack, two stacks in memory)
             beside kernel_conns (the kernel over veth), BENCH_CONNS (100000)
             idle connections: handshakes per second and memory per
             connection, at every level
  fuzz-*     AFL++'s main instance on the stack fuzz target (fuzz/run-afl.sh's
             settings) for BENCH_FUZZ_SECONDS (60), RFC oracle on and off:
             execs/s, and (-cpu) execs per CPU second of afl-fuzz and all it
             forks (perf stat), the per-core rate a busy machine's
             scheduler does not hide
  loss-*     bench_bulk on a 20 ms path with 1% and 5% loss, 1 MiB buffers:
             goodput in virtual time and the sender's cwnd/ssthresh/srtt/rto
             every 10 ms; RFC 5681's congestion control, CUBIC (-cubic) and
             BBR (-bbr); goal 3x the issue's 5.53 and 0.82 Mbit/s
  path-*     bench_bulk on a 100 ms path at 100 Mbit/s with 4 MiB buffers, with
             and without window scaling (RFC 7323): the share of the path used;
             path-ws-bbr with BBR

Prints a table (synack, kernel, ratio, goal), writes DIR/bench.json (default
reports/latest) and, when the synack command is built, DIR/bench.html. A
figure that cannot be measured here (not root, a tool missing) says why and
is left out of the ratios; nothing is asserted. The machine's load average
is recorded at the start and the end: on a shared machine, read ranges.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def run(cmd, timeout=900, env=None, check=True):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, env=env)
    if check and p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                                (p.stderr or p.stdout).strip()[-400:]))
    return p


class Skip(Exception):
    """A figure that cannot be measured here; the message says why."""


def last_json(text):
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("no JSON line in: " + text[-300:])


# ---- synack in memory -------------------------------------------------------

def mem_bulk(b, mtu, offload, mib=1024):
    cmd = [b + "/stack/bench/bench_bulk", "--mib", str(mib), "--mtu", str(mtu), "--json"]
    if offload:
        cmd.append("--offload")
    p = run(cmd, check=False)
    if p.returncode == 77:
        raise Skip(p.stderr.strip() or p.stdout.strip())
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip())
    return last_json(p.stdout)


def mem_loss(b, loss, mib, trace, cc="reno"):
    p = run([b + "/stack/bench/bench_bulk", "--mib", str(mib), "--loss", str(loss),
             "--buf", "1024", "--cc", cc, "--trace", trace, "--json"])
    r = last_json(p.stdout)
    rows = []
    with open(trace) as f:
        next(f)
        for line in f:
            t, cwnd, ssth, srtt, rto = line.strip().split(",")
            rows.append([float(t), int(cwnd), int(ssth), int(srtt), int(rto)])
    r["trace"] = {"columns": ["time_s", "cwnd_bytes", "ssthresh_bytes", "srtt_us", "rto_us"],
                  "rows": rows}
    return r


# ---- the kernel over veth ---------------------------------------------------

def need_root(what):
    if os.geteuid() != 0:
        raise Skip("%s needs root (network namespaces)" % what)
    if not shutil.which("ip"):
        raise Skip("%s needs ip (iproute2)" % what)


def veth_pair(tag):
    """Two namespaces joined by a veth pair: 198.51.100.1 (a) and .2 (b)."""
    a, b = "synack-bench-%d-%s-a" % (os.getpid(), tag), "synack-bench-%d-%s-b" % (os.getpid(), tag)
    cmds = [["ip", "netns", "add", a], ["ip", "netns", "add", b],
            ["ip", "link", "add", "bva", "netns", a, "type", "veth", "peer", "name", "bvb",
             "netns", b],
            ["ip", "-n", a, "addr", "add", "198.51.100.1/24", "dev", "bva"],
            ["ip", "-n", b, "addr", "add", "198.51.100.2/24", "dev", "bvb"]]
    for ns, dev in ((a, "bva"), (b, "bvb")):
        cmds += [["ip", "-n", ns, "link", "set", "lo", "up"],
                 ["ip", "-n", ns, "link", "set", dev, "up"]]
    try:
        for c in cmds:
            run(c)
    except Exception:
        veth_del(a, b)
        raise
    return a, b


def veth_del(a, b):
    for ns in (a, b):
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)


def veth_kernel(offloads, seconds):
    need_root("the kernel over veth")
    if not shutil.which("iperf3"):
        raise Skip("iperf3 is not installed (mk/packages)")
    if not offloads and not shutil.which("ethtool"):
        raise Skip("ethtool is not installed (mk/packages): the offloads cannot be turned off")
    a, b = veth_pair("on" if offloads else "off")
    srv = None
    try:
        if not offloads:
            for ns, dev in ((a, "bva"), (b, "bvb")):
                run(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "tso", "off", "gso", "off",
                     "gro", "off", "tx", "off", "rx", "off"])
        srv = subprocess.Popen(["ip", "netns", "exec", b, "iperf3", "-s", "-1", "-B",
                                "198.51.100.2"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        time.sleep(0.3)  # the server binds its port
        j = {}
        for _ in range(20):
            p = run(["ip", "netns", "exec", a, "iperf3", "-c", "198.51.100.2", "-t",
                     str(seconds), "-J"], check=False, timeout=seconds + 60)
            try:
                j = json.loads(p.stdout)
            except ValueError:
                j = {}
            if "sum_received" in j.get("end", {}):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("iperf3: %s" % (j.get("error") or p.stdout[-300:]))
        return {"gbps": j["end"]["sum_received"]["bits_per_second"] / 1e9}
    finally:
        if srv:
            srv.kill()
            srv.wait()
        veth_del(a, b)


# ---- synack over TUN --------------------------------------------------------

def tun_bulk(b, direction, plain, mib):
    need_root("synack over TUN")
    cmd = [b + "/stack/bench/bench_tun", "--mib", str(mib), "--dir", direction, "--json"]
    if plain:
        cmd.append("--plain")
    p = run(cmd, check=False, timeout=600)
    if p.returncode == 77:
        raise Skip(p.stdout.strip())
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip()[-300:])
    return last_json(p.stdout)


# ---- connections ------------------------------------------------------------

def conns_tables(text):
    """bench_conns's rows (6 columns, 5 before it printed all/end) and
    kernel_conns's (3), by level; conns.sh's own table (7) is left out."""
    syn, ker = {}, {}
    for line in text.splitlines():
        f = line.split()
        if f and f[0].isdigit() and len(f) in (5, 6):
            syn[int(f[0])] = {"handshakes_per_s": float(f[1]), "bytes_per_conn": float(f[2])}
        elif f and f[0].isdigit() and len(f) == 3:
            ker[int(f[0])] = {"handshakes_per_s": float(f[1]), "bytes_per_conn": float(f[2])}
    return syn, ker


def conns(b, n, fig):
    """conns.sh: synack's and the kernel's figures in one run, per level."""
    if not os.path.exists(b + "/stack/bench/bench_conns") or \
            not os.path.exists("stack/bench/conns.sh"):
        raise Skip("bench_conns or stack/bench/conns.sh is missing from this tree")
    p = run(["sh", "stack/bench/conns.sh", b, str(n)], timeout=3600)
    syn, ker = conns_tables(p.stdout)
    if not syn:
        raise RuntimeError("no figures from bench_conns: " + p.stdout[-300:])
    top = max(syn)
    why = None
    if not ker:
        why = next((l for l in p.stdout.splitlines() if "skipped" in l or "missing" in l),
                   "kernel_conns gave no figures")
    for who, rows in (("synack", syn), ("kernel", ker)):
        for key, name in (("handshakes_per_s", "hs"), ("bytes_per_conn", "mem")):
            if top in rows:
                v = rows[top][key]
                fig["conns-%s-%s" % (who, name)] = {
                    "runs": [{"conns": top, key: v, "levels": {str(k): r for k, r in rows.items()}}],
                    "key": key, "min": v, "median": v, "max": v}
            else:
                fig["conns-%s-%s" % (who, name)] = {"skipped": why or "no figure at %d" % top}


def path_bulk(b, ws, cc="reno"):
    mib = 256 if ws else 32
    cmd = [b + "/stack/bench/bench_bulk", "--mib", str(mib), "--delay", "50", "--rate", "100",
           "--buf", "4096", "--cc", cc, "--json"]
    if not ws:
        cmd.append("--no-wscale")
    return last_json(run(cmd).stdout)


# ---- fuzzing ----------------------------------------------------------------

def fuzz_afl(fo, seconds, oracle):
    if not shutil.which("afl-fuzz"):
        raise Skip("afl-fuzz is not installed (mk/packages: afl++)")
    for v in ("afl", "afl-cmplog"):
        if not os.path.exists("%s/%s/stack" % (fo, v)):
            raise Skip("%s/%s/stack is not built" % (fo, v))
    seeds = tempfile.mkdtemp(prefix="synack-bench-seeds-")
    out = tempfile.mkdtemp(prefix="synack-bench-afl-")
    try:
        for d in ("corpus/stack", "corpus/found/stack", "corpus/regress/stack"):
            if os.path.isdir(d):
                for f in os.listdir(d):
                    shutil.copy(os.path.join(d, f), os.path.join(seeds, os.path.basename(d) + "-" + f))
        env = dict(os.environ, AFL_SKIP_CPUFREQ="1", AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1",
                   AFL_NO_AFFINITY="1", AFL_NO_UI="1", SYNACK_FUZZ_ORACLE="1" if oracle else "0")
        # The CPU of afl-fuzz and of every process it forks (perf stat counts
        # children too): execs per CPU second is the per-core rate, which a
        # busy machine's scheduler does not hide as it hides the wall rate.
        cpu_file = out + "/task-clock"
        perf = ["perf", "stat", "-x,", "-e", "task-clock", "-o", cpu_file] \
            if shutil.which("perf") else []
        run(perf + ["afl-fuzz", "-M", "main", "-i", seeds, "-o", out, "-x", "fuzz/tcpip.dict",
                    "-V", str(seconds), "-c", fo + "/afl-cmplog/stack", "--", fo + "/afl/stack"],
            env=env, timeout=seconds + 600)
        stats = {}
        with open(out + "/main/fuzzer_stats") as f:
            for line in f:
                k, _, v = line.partition(":")
                stats[k.strip()] = v.strip()
        r = {"execs_per_s": float(stats["execs_per_sec"]),
             "execs": int(stats["execs_done"]),
             "edges": int(stats["edges_found"]), "seconds": seconds}
        cpu_ms = None
        if perf and os.path.exists(cpu_file):
            with open(cpu_file) as f:
                for line in f:
                    if "task-clock" in line and line.split(",")[0].replace(".", "").isdigit():
                        cpu_ms = float(line.split(",")[0])
        if cpu_ms:
            r["cpu_s"] = cpu_ms / 1000
            r["execs_per_cpu_s"] = r["execs"] / r["cpu_s"]
        return r
    finally:
        shutil.rmtree(seeds, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)


# ---- the table --------------------------------------------------------------

def measure(name, fn, repeat, key):
    """fn() repeat times: {'runs': [...], 'min', 'median', 'max'} or {'skipped': why}."""
    runs = []
    for _ in range(repeat):
        try:
            runs.append(fn())
        except Skip as e:
            return {"skipped": str(e)}
        except Exception as e:  # a failure is a figure that is missing, said loudly
            print("bench: %s: %s" % (name, e), file=sys.stderr)
            return {"skipped": "failed: %s" % e}
    vals = [r[key] for r in runs]
    return {"runs": runs, "key": key, "min": min(vals), "median": statistics.median(vals),
            "max": max(vals)}


def per_cpu(m):
    """The fuzz figure m as execs per CPU second (perf stat's task-clock)."""
    if "skipped" in m:
        return m
    runs = [r for r in m["runs"] if "execs_per_cpu_s" in r]
    if len(runs) != len(m["runs"]):
        return {"skipped": "perf is not installed or counted nothing (mk/packages: linux-perf)"}
    vals = [r["execs_per_cpu_s"] for r in runs]
    return {"runs": runs, "key": "execs_per_cpu_s", "min": min(vals),
            "median": statistics.median(vals), "max": max(vals)}


def span(m, unit_fmt):
    if "skipped" in m:
        return "-"
    if m["min"] == m["max"]:
        return unit_fmt % m["median"]
    return (unit_fmt + "-" + unit_fmt) % (m["min"], m["max"])


ROWS = [
    # id, label, synack figure, kernel figure, unit format, goal (ratio, text)
    ("mem-1500", "in memory, MTU 1500, checksums on (Gbit/s)", "mem-1500", "veth-on", "%.1f",
     None),
    ("mem-1500-nooffl", "  the same against the kernel without offloads", "mem-1500",
     "veth-off", "%.1f", None),
    ("mem-64k", "in memory, MTU 65535, checksum offload (Gbit/s)", "mem-64k", "veth-on", "%.1f",
     2.0),
    ("tun-in", "over TUN, kernel -> synack (Gbit/s)", "tun-in", "veth-on", "%.2f", 0.5),
    ("tun-out", "over TUN, synack -> kernel (Gbit/s)", "tun-out", "veth-on", "%.2f", 0.5),
    ("tun-in-plain", "over TUN without offloads, kernel -> synack", "tun-in-plain", "veth-on",
     "%.2f", None),
    ("tun-out-plain", "over TUN without offloads, synack -> kernel", "tun-out-plain", "veth-on",
     "%.2f", None),
    ("conns-hs", "handshakes per second (idle connections, BENCH_CONNS)", "conns-synack-hs",
     "conns-kernel-hs", "%.0f", None),
    ("conns-mem", "bytes per idle connection (both ends)", "conns-synack-mem",
     "conns-kernel-mem", "%.0f", None),
    ("fuzz-oracle", "stack fuzz target, AFL++ main, oracle on (execs/s)", "fuzz-oracle", None,
     "%.0f", 20000),
    ("fuzz-nooracle", "stack fuzz target, AFL++ main, oracle off (execs/s)", "fuzz-nooracle",
     None, "%.0f", 20000),
    ("fuzz-oracle-cpu", "  oracle on, execs per CPU second (afl-fuzz + target)",
     "fuzz-oracle-cpu", None, "%.0f", 20000),
    ("fuzz-nooracle-cpu", "  oracle off, execs per CPU second (afl-fuzz + target)",
     "fuzz-nooracle-cpu", None, "%.0f", 20000),
    ("loss-1", "1% loss, 20 ms path, NewReno: goodput (Mbit/s, virtual time)", "loss-1", None,
     "%.2f", 16.6),
    ("loss-5", "5% loss, 20 ms path, NewReno: goodput (Mbit/s, virtual time)", "loss-5", None,
     "%.2f", 2.46),
    ("loss-1-cubic", "  1% loss with CUBIC (RFC 9438)", "loss-1-cubic", None, "%.2f", 16.6),
    ("loss-5-cubic", "  5% loss with CUBIC (RFC 9438)", "loss-5-cubic", None, "%.2f", 2.46),
    ("loss-1-bbr", "  1% loss with BBR (draft-ietf-ccwg-bbr)", "loss-1-bbr", None, "%.2f", 16.6),
    ("loss-5-bbr", "  5% loss with BBR (draft-ietf-ccwg-bbr)", "loss-5-bbr", None, "%.2f", 2.46),
    ("path-ws", "100 ms path, 100 Mbit/s, 4 MiB: % of the path, window scaling", "path-ws",
     None, "%.0f", None),
    ("path-nows", "  the same without window scaling", "path-nows", None, "%.0f", None),
    ("path-ws-bbr", "  the same with window scaling, BBR", "path-ws-bbr", None, "%.0f", 80),
]


def table(fig):
    rows = []
    for rid, label, s, k, fmt, goal in ROWS:
        sm = fig.get(s, {"skipped": "not measured"})
        km = fig.get(k) if k else None
        ratio = None
        if km and "skipped" not in sm and "skipped" not in km and km["median"]:
            ratio = sm["median"] / km["median"]
        note = sm.get("skipped") or (km.get("skipped") if km else None)
        if goal and k is None and "skipped" not in sm:
            met = sm["median"] >= goal
        elif goal and ratio is not None:
            met = ratio >= goal
        else:
            met = None
        rows.append({"id": rid, "label": label, "synack": span(sm, fmt),
                     "kernel": span(km, fmt) if km else "",
                     "ratio": ratio, "goal": goal, "met": met, "note": note,
                     "synack_median": sm.get("median"),
                     "kernel_median": km.get("median") if km else None})
    return rows


def print_table(rows):
    print("%-56s %15s %15s %7s %8s" % ("figure", "synack", "kernel", "ratio", "goal"))
    for r in rows:
        ratio = "%.2f" % r["ratio"] if r["ratio"] is not None else ""
        goal = ""
        if r["goal"]:
            goal = (">=%gx" if r["kernel"] else ">=%g") % r["goal"]
            goal += {True: " met", False: " NOT", None: ""}[r["met"]]
        print("%-56s %15s %15s %7s %8s" % (r["label"], r["synack"], r["kernel"], ratio, goal))
        if r["note"]:
            print("%-56s   (%s)" % ("", r["note"][:140]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--out", default="reports/latest")
    ap.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "3")))
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""),
                    help="comma-separated groups: mem,veth,tun,conns,fuzz,loss,path")
    ap.add_argument("--fuzz-build", default="build-fuzz")
    a = ap.parse_args()
    groups = set(a.only.split(",")) if a.only else {"mem", "veth", "tun", "conns", "fuzz",
                                                     "loss", "path"}
    b, rep = a.build, a.repeat
    fuzz_s = int(os.environ.get("BENCH_FUZZ_SECONDS", "60"))
    conns_n = int(os.environ.get("BENCH_CONNS", "100000"))
    tun_mib = int(os.environ.get("BENCH_TUN_MIB", "512"))
    info = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_start": loadavg(),
            "cpus": os.cpu_count(), "kernel": os.uname().release,
            "commit": run(["git", "rev-parse", "--short", "HEAD"], check=False).stdout.strip()}
    print("bench: load average %s at the start, %d CPUs" % (info["load_start"], info["cpus"]))
    fig = {}
    if "mem" in groups:
        fig["mem-1500"] = measure("mem-1500", lambda: mem_bulk(b, 1500, False), rep, "gbps_wall")
        fig["mem-64k"] = measure("mem-64k", lambda: mem_bulk(b, 65535, True), rep, "gbps_wall")
    if "veth" in groups:
        fig["veth-on"] = measure("veth-on", lambda: veth_kernel(True, 3), rep, "gbps")
        fig["veth-off"] = measure("veth-off", lambda: veth_kernel(False, 3), rep, "gbps")
    if "tun" in groups:
        for d, dn in (("in", "to-synack"), ("out", "from-synack")):
            fig["tun-" + d] = measure("tun-" + d, lambda: tun_bulk(b, dn, False, tun_mib),
                                      rep, "gbps")
            fig["tun-%s-plain" % d] = measure("tun-%s-plain" % d,
                                              lambda: tun_bulk(b, dn, True, tun_mib), rep, "gbps")
    if "conns" in groups:
        try:
            conns(b, conns_n, fig)
        except Skip as e:
            fig["conns-synack-hs"] = {"skipped": str(e)}
        except Exception as e:
            print("bench: conns: %s" % e, file=sys.stderr)
            fig["conns-synack-hs"] = {"skipped": "failed: %s" % e}
    if "fuzz" in groups:
        fig["fuzz-oracle"] = measure("fuzz-oracle", lambda: fuzz_afl(a.fuzz_build, fuzz_s, True),
                                     1, "execs_per_s")
        fig["fuzz-nooracle"] = measure("fuzz-nooracle",
                                       lambda: fuzz_afl(a.fuzz_build, fuzz_s, False), 1,
                                       "execs_per_s")
        for f in ("fuzz-oracle", "fuzz-nooracle"):
            fig[f + "-cpu"] = per_cpu(fig[f])
    if "loss" in groups:
        with tempfile.TemporaryDirectory() as td:
            for pct, mib in ((1, 64), (5, 16)):
                for cc, sfx in (("reno", ""), ("cubic", "-cubic"), ("bbr", "-bbr")):
                    fig["loss-%d%s" % (pct, sfx)] = measure(
                        "loss-%d%s" % (pct, sfx),
                        lambda: mem_loss(b, pct, mib, td + "/t.csv", cc), 1,
                        "goodput_mbps_virtual")
    if "path" in groups:
        fig["path-ws"] = measure("path-ws", lambda: path_bulk(b, True), 1, "path_pct")
        fig["path-nows"] = measure("path-nows", lambda: path_bulk(b, False), 1, "path_pct")
        fig["path-ws-bbr"] = measure("path-ws-bbr", lambda: path_bulk(b, True, "bbr"), 1,
                                     "path_pct")
    info["load_end"] = loadavg()
    rows = table(fig)
    print_table(rows)
    print("bench: load average %s at the end" % info["load_end"])
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "bench.json")
    with open(path, "w") as f:
        json.dump({"info": info, "table": rows, "figures": fig}, f, indent=1)
    print("bench: %s" % path)
    synack = os.path.join(b, "synack")
    if os.path.exists(synack):
        p = run([synack, "report", "--bench", path, "--html", a.out], check=False)
        print(p.stdout.strip() or p.stderr.strip())


if __name__ == "__main__":
    main()

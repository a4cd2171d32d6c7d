#!/usr/bin/env python3
"""Helpers for bench/run/run.sh: the parts that are awkward in bash (the runc bundle's config,
memory sums over process sets, medians and the JSON report). run.sh does the orchestration."""
import argparse
import json
import os
import platform
import socket
import statistics
import sys


def cmd_free_port(_args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def cmd_bundle_config(args):
    """Turn umoci's generated config.json into a `true` run: no terminal, private network namespace
    (as --network none), the process's own arguments, and a cgroup under a name we clean up."""
    path = os.path.join(args.bundle, "config.json")
    c = json.load(open(path))
    c["process"]["terminal"] = False
    c["process"]["args"] = args.argv
    ns = c.setdefault("linux", {}).setdefault("namespaces", [])
    if not any(n.get("type") == "network" for n in ns):
        ns.append({"type": "network"})
    c["linux"]["cgroupsPath"] = args.cgroup
    json.dump(c, open(path, "w"), indent=1)


def cmd_burst_bundles(args):
    """One config per burst slot for the runc floor's burst: the floor bundle's config with the rootfs
    as an absolute path (all slots share it; `true` writes nothing) and a cgroup of its own (runs that share one
    cgroup make runc retry its removal for a second)."""
    c = json.load(open(os.path.join(args.bundle, "config.json")))
    c["root"]["path"] = os.path.join(os.path.abspath(args.bundle), c["root"]["path"])
    for i in range(1, args.count + 1):
        d = os.path.join(args.out, str(i))
        os.makedirs(d, exist_ok=True)
        c["linux"]["cgroupsPath"] = f"{args.cgroup}/{i}"
        json.dump(c, open(os.path.join(d, "config.json"), "w"), indent=1)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _status_kb(pid, key):
    for line in _read(f"/proc/{pid}/status").decode(errors="replace").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def _pss_kb(pid):
    for line in _read(f"/proc/{pid}/smaps_rollup").decode(errors="replace").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def _session(pid):
    stat = _read(f"/proc/{pid}/stat").decode(errors="replace")
    if not stat:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[3])  # state ppid pgrp session


def cmd_mem(args):
    """Sum RSS and PSS (kB) over the engine's own processes: every process in the daemon's session
    (dockerd's containerd, berthd's JVM) plus every process whose command line names one of the
    markers (conmon and containerd-shim name the daemon's private roots), minus the workloads
    (processes named by --exclude-comm, i.e. the containers' `sleep`)."""
    sids = set(int(s) for s in args.session)
    rss = pss = n = 0
    names = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        if pid in (os.getpid(), os.getppid()):
            continue  # this helper's own command line names the markers
        comm = _read(f"/proc/{pid}/comm").decode(errors="replace").strip()
        if comm in args.exclude_comm:
            continue
        mine = _session(pid) in sids
        if not mine and args.marker:
            cmdline = _read(f"/proc/{pid}/cmdline").decode(errors="replace")
            mine = any(m in cmdline for m in args.marker)
        if not mine:
            continue
        r = _status_kb(pid, "VmRSS")
        if r == 0:
            continue  # kernel thread or gone
        rss += r
        pss += _pss_kb(pid)
        n += 1
        names[comm] = names.get(comm, 0) + 1
    print(json.dumps({"rss_kb": rss, "pss_kb": pss, "procs": n, "names": names}))


def _median(xs):
    return statistics.median(xs) if xs else None


def cmd_report(args):
    """samples: "metric tool round value status" lines; mem: a JSON lines file of {"key", ...}."""
    samples, failures = {}, {}
    for line in open(args.samples):
        p = line.split()
        if len(p) < 5:
            continue
        key = (p[0], p[1])
        if p[4] == "ok":
            samples.setdefault(key, []).append(float(p[3]))
        else:
            failures.setdefault(key, []).append(int(p[2]))
    notes = {}
    if os.path.exists(args.notes):
        for line in open(args.notes):
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) == 3:
                notes.setdefault(parts[0], {})[parts[1]] = parts[2]
    mem = {}
    if os.path.exists(args.mem):
        for line in open(args.mem):
            if line.strip():
                d = json.loads(line)
                mem[d.pop("key")] = d

    med = {k: _median(v) for k, v in samples.items()}

    def m(metric, tool):
        return med.get((metric, tool))

    def ratio(a, b):
        return round(a / b, 3) if a and b else None

    per_ctr = {}
    for d in ("berthd", "dockerd"):
        base, loaded = mem.get(f"{d}-before"), mem.get(f"{d}-loaded")
        if base and loaded:
            per_ctr[d] = {"rss_kb": round((loaded["rss_kb"] - base["rss_kb"]) / args.ctrs),
                          "pss_kb": round((loaded["pss_kb"] - base["pss_kb"]) / args.ctrs)}
    burst_rate = {d: (args.burst / m("burst", d) if m("burst", d) else None) for d in ("berthd", "dockerd")}
    ratios = {
        "run berthd/dockerd": ratio(m("run", "berthd"), m("run", "dockerd")),
        "exec berthd/dockerd": ratio(m("exec", "berthd"), m("exec", "dockerd")),
        "burst throughput berthd/dockerd": ratio(burst_rate["berthd"], burst_rate["dockerd"]),
        "run berth-cli/dockerd": ratio(m("run", "berth-cli"), m("run", "dockerd")),
        "run berthd/runc": ratio(m("run", "berthd"), m("run", "runc")),
        "run dockerd/runc": ratio(m("run", "dockerd"), m("run", "runc")),
        "run podman/runc": ratio(m("run", "podman"), m("run", "runc")),
    }
    # The floors: a docker command against the null API costs only the docker CLI; raw runc is the
    # runtime's own cost. A run through any engine pays at least both, an exec at least the CLI, and a
    # burst shares the CPUs between at least the CLI and runc. These bound the reachable ratios.
    floor = {}
    if m("run", "null-cli") and m("run", "runc"):
        floor["run"] = m("run", "null-cli") + m("run", "runc")
    if m("exec", "null-cli"):
        floor["exec"] = m("exec", "null-cli")
    rate = {t: (args.burst / m("burst", t) if m("burst", t) else None) for t in ("null-cli", "runc")}
    if rate["null-cli"] and rate["runc"]:
        floor["burst_runs_per_s"] = 1 / (1 / rate["null-cli"] + 1 / rate["runc"])
    best = {
        "run berthd/dockerd at best (CLI + runc floor)": ratio(floor.get("run"), m("run", "dockerd")),
        "exec berthd/dockerd at best (CLI floor)": ratio(floor.get("exec"), m("exec", "dockerd")),
        "burst berthd/dockerd at best (CLI + runc CPU)": ratio(floor.get("burst_runs_per_s"), burst_rate["dockerd"]),
    }
    goals = {
        "run berthd/dockerd <= 0.25": _meets(ratios["run berthd/dockerd"], 0.25, le=True),
        "exec berthd/dockerd <= 0.4": _meets(ratios["exec berthd/dockerd"], 0.4, le=True),
        "burst throughput berthd/dockerd >= 5": _meets(ratios["burst throughput berthd/dockerd"], 5, le=False),
        "berthd per idle container <= 3 MB (RSS)":
            _meets(per_ctr.get("berthd", {}).get("rss_kb", None) and per_ctr["berthd"]["rss_kb"] / 1000, 3, le=True),
    }

    print()
    print(f"container start/exec/burst, image {args.ref} (busybox, present), --network none; "
          f"{args.runs} round(s), median ms")
    print(f"{'what':<34} {'median':>9}  samples")
    rows = [("first", "berthd", "first run (cold)         -> berthd"),
            ("first", "dockerd", "first run (cold)         -> dockerd"),
            ("run", "berthd", "docker run --rm … true   -> berthd"),
            ("run", "dockerd", "docker run --rm … true   -> dockerd"),
            ("run", "berth-cli", "berth run --rm … true    -> berthd"),
            ("run", "podman", "podman run --rm … true"),
            ("run", "runc", "runc run (bundle, floor)"),
            ("run", "null-cli", "docker run --rm … true   -> null API"),
            ("exec", "berthd", "docker exec CTR true     -> berthd"),
            ("exec", "dockerd", "docker exec CTR true     -> dockerd"),
            ("exec", "null-cli", "docker exec CTR true     -> null API")]
    for metric, tool, label in rows:
        v = m(metric, tool)
        fails = failures.get((metric, tool), [])
        fs = f"  ({len(fails)} failed)" if fails else ""
        if v is None:
            why = notes.get(tool, {}).get("unavailable", "no successful run")
            print(f"{label:<34} {'-':>9}  not available ({why}){fs}")
            continue
        s = " ".join(f"{x * 1000:.0f}" for x in samples[(metric, tool)])
        print(f"{label:<34} {v * 1000:>9.0f}  {s}{fs}")
    for d in ("berthd", "dockerd", "null-cli", "runc"):
        v = m("burst", d)
        fails = failures.get(("burst", d), [])
        fs = f"  ({len(fails)} round(s) with failed runs)" if fails else ""
        if v is None:
            print(f"{'burst ' + str(args.burst) + ' @ ' + str(args.par) + ' -> ' + d:<34} {'-':>9}  not available{fs}")
            continue
        s = " ".join(f"{x:.2f}" for x in samples[("burst", d)])
        print(f"{'burst ' + str(args.burst) + ' @ ' + str(args.par) + ' -> ' + d:<34} {v:>8.2f}s  "
              f"{args.burst / v:.1f} runs/s; samples (s): {s}{fs}")
    print()
    print("memory (kB)                        RSS       PSS   processes")
    for d in ("berthd", "dockerd"):
        idle = mem.get(f"{d}-idle")
        if idle:
            print(f"{d + ' idle (daemon' + ('+containerd' if d == 'dockerd' else '') + ')':<30} {idle['rss_kb']:>9} {idle['pss_kb']:>9}   {idle['procs']}")
        if d in per_ctr:
            print(f"{d + ' per running container':<30} {per_ctr[d]['rss_kb']:>9} {per_ctr[d]['pss_kb']:>9}   "
                  f"({args.ctrs} sleep containers; daemon + shims/conmons, workload excluded)")
    print()
    for k, v in ratios.items():
        print(f"{k:<34} {('%.3fx' % v) if v is not None else 'n/a'}")
    print("floors: the null API answers at once (the docker CLI's own cost); runc = raw runc run")
    for k, v in best.items():
        print(f"{k:<48} {('%.3fx' % v) if v is not None else 'n/a'}")
    for k, v in goals.items():
        print(f"goal {k:<40} {v}")
    print(f"load average at the end (1/5/15 min): {' '.join('%.2f' % x for x in os.getloadavg())}"
          f" on {os.cpu_count()} CPUs")

    result = {
        "benchmark": "run", "date": args.date, "image": args.ref, "runs": args.runs,
        "burst": {"runs": args.burst, "parallelism": args.par}, "containers_for_overhead": args.ctrs,
        "host": {"nproc": os.cpu_count(), "kernel": platform.release(), "mem_total_kb": _meminfo("MemTotal"),
                 "loadavg_1_5_15_at_end": list(os.getloadavg())},
        "samples_s": {f"{k[0]}/{k[1]}": v for k, v in samples.items()},
        "medians_s": {f"{k[0]}/{k[1]}": v for k, v in med.items()},
        "failures": {f"{k[0]}/{k[1]}": v for k, v in failures.items()},
        "burst_runs_per_s": burst_rate,
        "memory_kb": mem, "per_container_kb": per_ctr,
        "ratios": ratios, "floors": floor, "best_reachable_ratios": best, "goals": goals, "notes": notes,
        "note": "image present in every engine; --network none; rounds interleave the tools; run = wall "
                "time of the client command; burst = wall time of N runs at parallelism P; memory = RSS/PSS "
                "summed over the daemon's session and its conmon/containerd-shim processes, workloads excluded",
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"results: {args.out}")


def _meets(v, goal, le):
    if v is None:
        return "n/a"
    return "met" if (v <= goal if le else v >= goal) else "missed"


def _meminfo(key):
    try:
        for line in open("/proc/meminfo"):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-port").set_defaults(fn=cmd_free_port)
    b = sub.add_parser("bundle-config")
    b.add_argument("bundle")
    b.add_argument("--cgroup", required=True)
    b.add_argument("argv", nargs="+")
    b.set_defaults(fn=cmd_bundle_config)
    bb = sub.add_parser("burst-bundles")
    bb.add_argument("bundle")
    bb.add_argument("--out", required=True)
    bb.add_argument("--count", type=int, required=True)
    bb.add_argument("--cgroup", required=True)
    bb.set_defaults(fn=cmd_burst_bundles)
    mm = sub.add_parser("mem")
    mm.add_argument("--session", action="append", default=[])
    mm.add_argument("--marker", action="append", default=[])
    mm.add_argument("--exclude-comm", action="append", default=[])
    mm.set_defaults(fn=cmd_mem)
    r = sub.add_parser("report")
    for a in ("--samples", "--notes", "--mem", "--out", "--ref", "--date"):
        r.add_argument(a, required=True)
    for a in ("--runs", "--burst", "--par", "--ctrs"):
        r.add_argument(a, type=int, required=True)
    r.set_defaults(fn=cmd_report)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()

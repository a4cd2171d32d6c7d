#!/usr/bin/env python3
"""Helpers for bench/pull/run.sh: the parts that are awkward in bash (apt source parsing, OCI layout
metadata, medians and the JSON report). Each subcommand prints to stdout; run.sh does the orchestration."""
import argparse
import glob
import gzip
import json
import os
import platform
import re
import socket
import statistics
import sys


def cmd_mirror(args):
    """Print the Debian mirror the host's apt uses for `bookworm` (not -security/-updates), so
    debootstrap goes where apt already goes; deb.debian.org when nothing matches."""
    suite = args.suite
    found = []
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s", line + " ")
            if m and m.group(2) == suite:
                found.append(m.group(1))
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for stanza in re.split(r"\n\s*\n", text):
            fields = {}
            for line in stanza.splitlines():
                if line.startswith("#") or ":" not in line or line[:1].isspace():
                    continue
                k, v = line.split(":", 1)
                fields[k.strip().lower()] = v.split()
            if "deb" in fields.get("types", []) and suite in fields.get("suites", []):
                found.extend(fields.get("uris", []))
    # Prefer a plain Debian archive over anything else that happens to carry the suite name.
    for uri in found:
        if uri.rstrip("/").endswith("/debian"):
            print(uri.rstrip("/"))
            return
    print(found[0].rstrip("/") if found else "http://deb.debian.org/debian")


def cmd_free_port(_args):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def _blob(layout, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(layout, "blobs", algo, hexd)


def cmd_image_meta(args):
    """Describe the image in an OCI layout (tag -> manifest -> config/layers) as JSON, with each
    layer's uncompressed size so the report can state how much data a pull moves and unpacks."""
    index = json.load(open(os.path.join(args.layout, "index.json")))
    desc = next(m for m in index["manifests"]
                if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == args.tag)
    manifest = json.load(open(_blob(args.layout, desc["digest"])))
    layers = []
    for l in manifest["layers"]:
        n = 0
        with gzip.open(_blob(args.layout, l["digest"]), "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                n += len(chunk)
        layers.append({"digest": l["digest"], "mediaType": l["mediaType"], "size": l["size"],
                       "uncompressed": n})
    json.dump({"manifest": desc["digest"], "config": manifest["config"]["digest"], "layers": layers,
               "compressed_total": sum(l["size"] for l in layers),
               "uncompressed_total": sum(l["uncompressed"] for l in layers)}, sys.stdout, indent=1)
    print()


def cmd_report(args):
    """Read the samples (tool run seconds status) and print the table; write the JSON result."""
    tools = args.tools.split(",")
    samples = {t: [] for t in tools}
    cpu = {t: [] for t in tools}
    failures = {t: [] for t in tools}
    for line in open(args.samples):
        parts = line.split()
        if len(parts) < 4:
            continue
        tool, run, secs, status = parts[0], int(parts[1]), float(parts[2]), parts[3]
        if status == "ok":
            samples.setdefault(tool, []).append(secs)
            if len(parts) > 4:
                cpu.setdefault(tool, []).append(float(parts[4]))
        else:
            failures.setdefault(tool, []).append({"run": run, "status": status})
    # notes: "tool<TAB>key<TAB>value" lines (versions, storage driver, why a tool was skipped)
    notes = {}
    if args.notes and os.path.exists(args.notes):
        for line in open(args.notes):
            parts = line.rstrip("\n").split("\t", 2)
            if len(parts) == 3:
                notes.setdefault(parts[0], {})[parts[1]] = parts[2]
    meta = json.load(open(args.image_meta))
    med = {t: (statistics.median(samples[t]) if samples.get(t) else None) for t in tools}
    med_cpu = {t: (statistics.median(cpu[t]) if cpu.get(t) else None) for t in tools}

    def ratio(a, b):
        return round(med[a] / med[b], 3) if med.get(a) and med.get(b) else None

    ratios = {"berthd/dockerd": ratio("berthd", "dockerd"), "berthd/skopeo": ratio("berthd", "skopeo"),
              "dockerd/skopeo": ratio("dockerd", "skopeo"), "berthd/tar": ratio("berthd", "tar")}
    mb = meta["compressed_total"] / 1e6
    print()
    print(f"cold pull of {args.ref}: {len(meta['layers'])} layers, {mb:.1f} MB compressed, "
          f"{meta['uncompressed_total'] / 1e6:.1f} MB uncompressed; {args.runs} run(s), median")
    print(f"{'tool':<8} {'median s':>9} {'MB/s':>7} {'CPU s':>7}  samples (s)")
    for t in tools:
        if med[t] is None:
            why = notes.get(t, {}).get("unavailable") or "no successful run"
            print(f"{t:<8} {'-':>9} {'-':>7} {'-':>7}  {t}: not available ({why})")
            continue
        s = " ".join(f"{x:.2f}" for x in samples[t])
        c = f"{med_cpu[t]:>7.2f}" if med_cpu[t] is not None else f"{'-':>7}"
        print(f"{t:<8} {med[t]:>9.2f} {mb / med[t]:>7.1f} {c}  {s}")
    print(f"load average at the end (1/5/15 min): {' '.join('%.2f' % x for x in os.getloadavg())}"
          f" on {os.cpu_count()} CPUs")
    for k, v in ratios.items():
        print(f"{k:<15} {('%.2fx' % v) if v is not None else 'n/a'}")
    result = {
        "benchmark": "pull", "date": args.date, "image": {"ref": args.ref, **meta},
        "runs": args.runs,
        "host": {"nproc": os.cpu_count(), "kernel": platform.release(),
                 "mem_total_kb": _meminfo("MemTotal"),
                 # other work on the host skews the figures: keep the load next to them
                 "loadavg_1_5_15_at_end": list(os.getloadavg())},
        "tools": {t: {"median_s": med[t], "samples_s": samples.get(t, []),
                      "median_cpu_s": med_cpu[t], "cpu_s": cpu.get(t, []),
                      "failures": failures.get(t, []), **notes.get(t, {})} for t in tools},
        "ratios": ratios,
        "note": "cold = empty daemon root / empty OCI layout per run; registry blobs in page cache "
                "(untimed warm-up copy first); tools interleaved per round; tar = gunzip+untar of the "
                "layer blobs from local disk in order (an unpack floor, not a puller); tar-par the same with "
                "each layer into its own directory at once; CPU s = user+sys of the client command "
                "plus the daemon (and the children it waited for) during the pull",
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"results: {args.out}")


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
    m = sub.add_parser("mirror")
    m.add_argument("--suite", default="bookworm")
    m.set_defaults(fn=cmd_mirror)
    sub.add_parser("free-port").set_defaults(fn=cmd_free_port)
    im = sub.add_parser("image-meta")
    im.add_argument("layout")
    im.add_argument("tag")
    im.set_defaults(fn=cmd_image_meta)
    r = sub.add_parser("report")
    for a in ("--samples", "--image-meta", "--out", "--ref", "--date", "--tools"):
        r.add_argument(a, required=True)
    r.add_argument("--notes")
    r.add_argument("--runs", type=int, required=True)
    r.set_defaults(fn=cmd_report)
    args = p.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()

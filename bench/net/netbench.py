#!/usr/bin/env python3
"""Helpers for bench/net/run.sh: waiting for the first HTTP answer on a published port, medians,
ratios and the JSON report."""
import argparse
import json
import socket
import statistics
import sys
import time


def cmd_first_answer(args):
    """Polls HOST:PORT until an HTTP status line comes back and prints the epoch time of that answer.
    Started before `docker run -d -p` and touching --ready once it polls, so that the interpreter's
    own start-up (~0.4 s on the bench host) is not counted: run.sh takes its start time after --ready
    exists and subtracts. A bare accepted connect is not enough: dockerd's userland proxy accepts
    before the container listens."""
    deadline = time.time() + args.timeout
    open(args.ready, "w").close()
    while time.time() < deadline:
        try:
            with socket.create_connection((args.host, args.port), timeout=1) as s:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = s.recv(64)
                if data.startswith(b"HTTP/"):
                    print(f"{time.time():.6f}")
                    return 0
        except OSError:
            pass
        time.sleep(0.002)
    print("timeout", file=sys.stderr)
    return 1


def cmd_report(args):
    rows = {}
    for line in open(args.samples):
        metric, tool, _round, secs, status = line.split()
        if status == "ok":
            rows.setdefault((metric, tool), []).append(float(secs))
    med = {f"{m}/{t}": statistics.median(v) for (m, t), v in rows.items()}
    out = {"date": args.date, "runs": args.runs, "medians_s": med,
           "samples_s": {f"{m}/{t}": v for (m, t), v in rows.items()},
           "notes": dict(l.rstrip("\n").split("\t", 1) for l in open(args.notes) if "\t" in l)}
    with open("/proc/loadavg") as f:
        out["loadavg"] = f.read().split()[:3]
    print(f"\nbridge networking, image {args.ref}; {args.runs} round(s), median ms")
    print(f"{'what':40s}{'median':>8s}  samples")
    for (m, t), v in sorted(rows.items()):
        print(f"{m + ' -> ' + t:40s}{statistics.median(v) * 1000:8.0f}  " + " ".join(f"{x * 1000:.0f}" for x in v))
    print()
    ratios = {}
    for m in sorted({m for m, _ in rows}):
        b, d = med.get(f"{m}/berthd"), med.get(f"{m}/dockerd")
        if b and d:
            ratios[m] = b / d
            if m == "first":   # one sample each, cold: no goal, shown for honesty
                print(f"{'first run (cold) berthd/dockerd':40s}{b / d:8.3f}x")
                continue
            verdict = "met" if b / d <= 0.3 else "missed"
            print(f"{m + ' berthd/dockerd':40s}{b / d:8.3f}x  goal <= 0.3: {verdict}")
    out["ratios"] = ratios
    print(f"load average at the end: {' '.join(out['loadavg'])}")
    json.dump(out, open(args.out, "w"), indent=1)
    print(f"results: {args.out}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(required=True)
    f = sub.add_parser("first-answer")
    f.add_argument("--host", default="127.0.0.1")
    f.add_argument("--port", type=int, required=True)
    f.add_argument("--ready", required=True)
    f.add_argument("--timeout", type=float, default=30)
    f.set_defaults(fn=cmd_first_answer)
    r = sub.add_parser("report")
    for a in ("samples", "notes", "ref", "date", "out"):
        r.add_argument("--" + a, required=True)
    r.add_argument("--runs", type=int, required=True)
    r.set_defaults(fn=cmd_report)
    a = p.parse_args()
    sys.exit(a.fn(a) or 0)


if __name__ == "__main__":
    main()

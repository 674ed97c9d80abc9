"""Runs the //executor benchmark on aio, uvloop and asyncio, interleaved, and
prints one table with the ratios.

    bazel run --config=opt //bench/executor:compare [-- --rounds 3 --markdown bench/executor/RESULTS.md]

Each measurement is its own process; time is measured inside it around the
workload. The machine's speed drifts by up to 1.8x over minutes, so each
round runs every workload on every runtime back to back (rotating which goes
first), and a ratio is the median over rounds of the per-round ratio.
Every runtime uses its loop's default executor: min(32, cores + 4) threads.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"
RUNTIMES = ["aio", "uvloop", "asyncio"]
PEERS = ["uvloop", "asyncio"]
WORKLOADS = ["roundtrip", "throughput"]
N = {"roundtrip": 10_000, "throughput": 1_000_000}
TARGET_X_UVLOOP = 20
TARGET_MEDIAN_US = 10.0


def command(runtime, workload, n):
    if runtime == "aio":
        return [os.path.join(HERE, "executor_bench"), workload, str(n)]
    flags = ["--uvloop"] if runtime == "uvloop" else []
    return [PYTHON, os.path.join(HERE, "executor_bench.py")] + flags + [workload, str(n)]


def others_cores(interval=0.5):
    """Cores kept busy by other processes (this driver sleeps meanwhile)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = sample()
    time.sleep(interval)
    t1, i1 = sample()
    total = max(1, t1 - t0)
    return (total - (i1 - i0)) / total * (os.cpu_count() or 1)


def wait_for_quiet(max_wait):
    """On a shared machine, waits (up to max_wait s) until other processes use
    under a quarter of a core; returns how many cores they used."""
    waited, busy = 0.0, others_cores()
    while busy > 0.25 and waited < max_wait:
        time.sleep(2.0)
        waited += 2.5
        busy = others_cores()
    return busy


def measure(runtime, workload, n):
    proc = subprocess.run(command(runtime, workload, n), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{runtime} {workload} failed ({proc.returncode}):\n{proc.stderr}")
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"{runtime} {workload}: no RESULT line in\n{proc.stdout}")
    fields = dict(kv.split("=", 1) for kv in line.split()[1:])
    if int(fields["check"]) != n:
        raise RuntimeError(f"{runtime} {workload}: wrong check value {fields['check']}")
    if runtime == "aio" and fields.get("opt") != "1":
        raise RuntimeError("executor_bench was not built with --config=opt")
    return {k: float(v) for k, v in fields.items() if k in ("seconds", "median_us", "p99_us")}


# (workload, metric label, value from one measurement, higher is better)
ROWS = [
    ("roundtrip", "round trip median us", lambda m, n: m["median_us"], False),
    ("roundtrip", "round trip p99 us", lambda m, n: m["p99_us"], False),
    ("throughput", "no-op jobs/s, 1,000 in flight", lambda m, n: n / m["seconds"], True),
]


def fmt(v):
    if v >= 1e6:
        return f"{v / 1e6:.2f}M"
    if v >= 1e4:
        return f"{v / 1e3:.0f}k"
    return f"{v:.3g}"


def machine_info():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    uv = subprocess.run([PYTHON, "-c", "import uvloop; print(uvloop.__version__)"],
                        capture_output=True, text=True).stdout.strip() or "missing"
    rev = "unknown"
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        rev = subprocess.run(["git", "-C", ws, "log", "-1", "--format=%h %cs"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ws, "status", "--porcelain", "--", "loop",
                                "executor", "bench/executor",
                                ":!bench/executor/RESULTS.md"],
                               capture_output=True, text=True).stdout
        if dirty.strip():
            rev += " (+ uncommitted changes)"
    return [
        f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"aio:     {rev}",
        f"cpu:     {cpu} ({os.cpu_count()} cores)",
        f"kernel:  {platform.system()} {platform.release()}",
        f"python:  {PYTHON} {platform.python_version()}, uvloop {uv}",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of " + ",".join(WORKLOADS))
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
    ap.add_argument("--max-wait", type=float, default=60, metavar="SECONDS",
                    help="before each workload of a round, wait up to this long for "
                         "other processes to go quiet (default 60; 0: never)")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write machine info and the table to FILE "
                         "(relative to the workspace under bazel run)")
    args = ap.parse_args()
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w}")
    sizes = {w: max(1_000, int(N[w] * args.scale)) for w in workloads}

    info = machine_info()
    print("\n".join(info), flush=True)
    results = {}  # (workload, runtime) -> list over rounds of measurement dicts
    others = []  # cores used by other processes before each workload group
    for rnd in range(args.rounds):
        shift = rnd % len(RUNTIMES)
        order = RUNTIMES[shift:] + RUNTIMES[:shift]
        for w in workloads:
            busy = wait_for_quiet(args.max_wait) if args.max_wait > 0 else others_cores()
            others.append(busy)
            for rt in order:
                m = measure(rt, w, sizes[w])
                results.setdefault((w, rt), []).append(m)
                extra = f"  median {m['median_us']:.2f} us" if "median_us" in m else ""
                print(f"round {rnd + 1}/{args.rounds}  {w:<10} {rt:<8} {m['seconds']:9.4f} s"
                      f"{extra}", file=sys.stderr, flush=True)
    info.append(f"others:  other processes used median {statistics.median(others):.2f}, "
                f"max {max(others):.2f} of {os.cpu_count()} cores just before each "
                "workload group")
    print(info[-1], flush=True)

    head = ["workload", "metric", "aio", "uvloop", "asyncio", "aio vs uvloop", "aio vs asyncio"]
    rows, ratios = [], {}
    for w, label, f, higher in ROWS:
        if w not in workloads:
            continue
        vals = {rt: [f(m, sizes[w]) for m in results[(w, rt)]] for rt in RUNTIMES}
        # "N x" always means aio is N times better (faster or higher).
        r = {p: statistics.median((a / b if higher else b / a)
                                  for a, b in zip(vals["aio"], vals[p])) for p in PEERS}
        ratios[label] = (r, vals)
        arrow = "(higher is better)" if higher else "(lower is better)"
        rows.append([w, f"{label} {arrow}"] + [fmt(statistics.median(vals[rt]))
                                                for rt in RUNTIMES] +
                    [f"{r[p]:.1f}x" for p in PEERS])
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(wd) if i < 2 else h.rjust(wd)
                       for i, (h, wd) in enumerate(zip(head, widths)))]
    lines.append("  ".join("-" * wd for wd in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(wd) if i < 2 else c.rjust(wd)
                               for i, (c, wd) in enumerate(zip(r, widths))))

    checks = []
    if "roundtrip" in workloads:
        med_vals = ratios["round trip median us"][1]["aio"]
        med = statistics.median(med_vals)
        checks.append(f"  [{'PASS' if med < TARGET_MEDIAN_US else 'MISS'}] run_in_executor "
                      f"round trip median < {TARGET_MEDIAN_US:.0f} us: {med:.2f} us (median of "
                      f"rounds; best round {min(med_vals):.2f} us; per round: " +
                      ", ".join(f"{v:.2f}" for v in med_vals) + ")")
    for label in ("round trip median us", "no-op jobs/s, 1,000 in flight"):
        if label not in ratios:
            continue
        r = ratios[label][0]["uvloop"]
        checks.append(f"  [{'PASS' if r >= TARGET_X_UVLOOP else 'MISS'}] {label} >= "
                      f"{TARGET_X_UVLOOP}x uvloop: {r:.1f}x")
    out = ["", *lines, "",
           "sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in workloads) +
           f"; medians of {args.rounds} interleaved rounds; 'N x' = aio is N times better",
           ]
    if args.scale == 1.0:
        out += ["", "targets (issue 3):", *checks]
    print("\n".join(out), flush=True)
    if args.markdown:
        path = args.markdown
        if not os.path.isabs(path) and os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
            path = os.path.join(os.environ["BUILD_WORKSPACE_DIRECTORY"], path)
        with open(path, "w") as f:
            f.write("# //executor benchmark\n\nPrinted by `bazel run --config=opt "
                    "//bench/executor:compare`:\n\n```\n" + "\n".join(info + out) + "\n```\n")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

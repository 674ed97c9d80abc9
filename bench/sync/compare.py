"""Runs the //sync benchmark on aio, uvloop and asyncio, interleaved, and
prints one table with the ratios.

    bazel run --config=opt //bench/sync:compare [-- --rounds 5 --markdown bench/sync/RESULTS.md]

Each measurement is its own process; time is measured inside it around the
workload (no interpreter start-up). The machine's speed drifts by up to 1.8x
over minutes, so each round runs every workload on every runtime back to back
(rotating which goes first), and a ratio is the median over rounds of the
per-round ratio, which cancels most of the drift.
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
WORKLOADS = ["semaphore", "queue", "queue_bounded"]
N = {"semaphore": 1_000_000, "queue": 1_000_000, "queue_bounded": 1_000_000}
DESCRIPTION = {
    "semaphore": "10,000 tasks, Semaphore(100), acquire+release/s",
    "queue": "1 producer -> 1 consumer, unbounded Queue, items/s",
    "queue_bounded": "1 producer -> 1 consumer, Queue(maxsize=100), items/s",
}
TARGET_X_UVLOOP = 20


def command(runtime, workload, n):
    if runtime == "aio":
        return [os.path.join(HERE, "sync_bench"), workload, str(n)]
    flags = ["--uvloop"] if runtime == "uvloop" else []
    return [PYTHON, os.path.join(HERE, "sync_bench.py")] + flags + [workload, str(n)]


def expected_check(workload, n):
    return n if workload == "semaphore" else n * (n - 1) // 2


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
    if int(fields["check"]) != expected_check(workload, n):
        raise RuntimeError(f"{runtime} {workload}: wrong check value {fields['check']}")
    if runtime == "aio" and fields.get("opt") != "1":
        raise RuntimeError("sync_bench was not built with --config=opt")
    return float(fields["seconds"])


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
                                "sync", "bench/sync", ":!bench/sync/RESULTS.md"],
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
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
    ap.add_argument("--max-wait", type=float, default=60, metavar="SECONDS",
                    help="before each workload of a round, wait up to this long for "
                         "other processes to go quiet (default 60; 0: never)")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write machine info and the table to FILE "
                         "(relative to the workspace under bazel run)")
    args = ap.parse_args()
    sizes = {w: max(10_000, int(N[w] * args.scale)) for w in WORKLOADS}
    sizes["semaphore"] -= sizes["semaphore"] % 10_000

    info = machine_info()
    print("\n".join(info), flush=True)
    seconds = {}  # (workload, runtime) -> list over rounds
    others = []  # cores used by other processes before each workload group
    for rnd in range(args.rounds):
        shift = rnd % len(RUNTIMES)
        order = RUNTIMES[shift:] + RUNTIMES[:shift]
        for w in WORKLOADS:
            busy = wait_for_quiet(args.max_wait) if args.max_wait > 0 else others_cores()
            others.append(busy)
            for rt in order:
                s = measure(rt, w, sizes[w])
                seconds.setdefault((w, rt), []).append(s)
                print(f"round {rnd + 1}/{args.rounds}  {w:<13} {rt:<8} {s:9.4f} s",
                      file=sys.stderr, flush=True)
    info.append(f"others:  other processes used median {statistics.median(others):.2f}, "
                f"max {max(others):.2f} of {os.cpu_count()} cores just before each "
                "workload group")
    print(info[-1], flush=True)

    head = ["workload", "metric (higher is better)", "aio", "uvloop", "asyncio",
            "aio/uvloop", "aio/asyncio"]
    rows, checks = [], []
    for w in WORKLOADS:
        rate = {rt: [sizes[w] / s for s in seconds[(w, rt)]] for rt in RUNTIMES}
        ratio = {p: statistics.median(a / b for a, b in zip(rate["aio"], rate[p]))
                 for p in PEERS}
        rows.append([w, DESCRIPTION[w]] + [fmt(statistics.median(rate[rt])) for rt in RUNTIMES] +
                    [f"{ratio[p]:.1f}x" for p in PEERS])
        ok = ratio["uvloop"] >= TARGET_X_UVLOOP
        checks.append(f"  [{'PASS' if ok else 'MISS'}] {w} >= {TARGET_X_UVLOOP}x uvloop: "
                      f"{ratio['uvloop']:.1f}x (per round: " +
                      ", ".join(f"{a / b:.1f}x" for a, b in zip(rate["aio"], rate["uvloop"])) +
                      ")")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(wd) if i < 2 else h.rjust(wd)
                       for i, (h, wd) in enumerate(zip(head, widths)))]
    lines.append("  ".join("-" * wd for wd in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(wd) if i < 2 else c.rjust(wd)
                               for i, (c, wd) in enumerate(zip(r, widths))))
    out = ["", *lines, "",
           "sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in WORKLOADS) +
           f"; medians of {args.rounds} interleaved rounds",
           ]
    if args.scale == 1.0:
        out += ["", "targets (issue 3):", *checks]
    print("\n".join(out), flush=True)
    if args.markdown:
        path = args.markdown
        if not os.path.isabs(path) and os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
            path = os.path.join(os.environ["BUILD_WORKSPACE_DIRECTORY"], path)
        with open(path, "w") as f:
            f.write("# //sync benchmark\n\nPrinted by `bazel run --config=opt "
                    "//bench/sync:compare`:\n\n```\n" + "\n".join(info + out) + "\n```\n")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

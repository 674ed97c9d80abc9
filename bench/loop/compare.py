"""Runs the loop benchmark on every runtime, interleaved, and prints the table.

    bazel run --config=opt //bench/loop:compare [-- --rounds 5 --markdown FILE]

Each measurement is its own process, started by the small run_measured
launcher (fork/exec/wait4), so the peak RSS (ru_maxrss) belongs to that
runtime and workload alone. Time is measured inside the process around the
workload (no interpreter start-up).

The machine's speed drifts over minutes, so a round runs each workload on
every runtime back to back (rotating which runtime goes first), and the table
shows medians over rounds. Ratios are the median over rounds of the per-round
ratio aio/peer, which cancels most of the drift. On a shared machine other
processes inflate absolute times: before each workload of a round the driver
waits (up to --max-wait s) until they use under a quarter of a core, and it
reports how busy they were.

Runs under Debian's /usr/bin/python3 (compare.sh pins it): the asyncio and
uvloop workloads use the same interpreter, the one python3-uvloop is built for.
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

RUNTIMES = ["aio", "asio", "uvloop", "asyncio"]
PEERS = ["asio", "uvloop", "asyncio"]
LABELS = {"aio": "aio", "asio": "Boost.Asio", "uvloop": "uvloop",
          "asyncio": "asyncio"}
WORKLOADS = ["spawn_join", "timers", "pingpong", "baseline"]
DEFAULT_N = {"spawn_join": 1_000_000, "timers": 100_000, "pingpong": 1_000_000,
             "baseline": 1}
TIMER_MAX_S = 0.100  # the longest sleep (delays are uniform in 0-100 ms)


def command(runtime, workload, n):
    if runtime == "aio":
        return [os.path.join(HERE, "aio_bench"), workload, str(n)]
    if runtime == "asio":
        return [os.path.join(HERE, "asio_bench"), workload, str(n)]
    script = os.path.join(HERE, "asyncio_bench.py")
    flags = ["--uvloop"] if runtime == "uvloop" else []
    return [PYTHON, script] + flags + [workload, str(n)]


def expected_check(workload, n):
    if workload == "spawn_join":
        return n * (n - 1) // 2  # sum of 0..n-1
    if workload == "timers":
        return n  # tasks completed
    if workload == "pingpong":
        half = n // 2  # last tokens seen by the two sides: 2h-2 and 2h-1
        return (2 * half - 2) + (2 * half - 1)
    return 0


WARNED = []


def background_cores(interval=0.5):
    """CPU cores kept busy by other processes over `interval` seconds.

    Sampled while this driver sleeps and no workload runs, so it is someone
    else's work (other builds and tests on a shared machine).
    """
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + v[4]  # idle + iowait
        return sum(v), idle
    t0, i0 = sample()
    time.sleep(interval)
    t1, i1 = sample()
    total = max(1, t1 - t0)
    return (total - (i1 - i0)) / total * (os.cpu_count() or 1)


def wait_for_quiet(max_wait):
    """Waits (up to max_wait s) until other processes use < 0.25 core."""
    waited = 0.0
    bg = background_cores()
    while bg > 0.25 and waited < max_wait:
        time.sleep(2.0)
        waited += 2.5
        bg = background_cores()
    return bg


def measure(runtime, workload, n):
    """Runs one process; returns (seconds, peak RSS in MiB).

    run_measured forks and execs the workload and reports wait4()'s ru_maxrss
    (forking from this Python process directly would count its RSS too).
    """
    proc = subprocess.run([os.path.join(HERE, "run_measured")] +
                          command(runtime, workload, n),
                          capture_output=True, text=True)
    out, err = proc.stdout, proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"{runtime} {workload} failed ({proc.returncode}):\n{err}")
    fields = {}
    maxrss_kb = None
    for line in out.splitlines():
        if line.startswith("RESULT "):
            fields = dict(kv.split("=", 1) for kv in line.split()[1:])
        elif line.startswith("MAXRSS_KB="):
            maxrss_kb = int(line.split("=", 1)[1])
    if not fields or maxrss_kb is None:
        raise RuntimeError(f"{runtime} {workload}: no RESULT line in:\n{out}\n{err}")
    if fields.get("opt") == "0" and not WARNED:
        WARNED.append(True)
        print("WARNING: the C++ workloads are not an optimized build; "
              "use bazel run --config=opt", file=sys.stderr)
    check = int(fields["check"])
    if check != expected_check(workload, n):
        raise RuntimeError(f"{runtime} {workload}: check={check}, expected "
                           f"{expected_check(workload, n)}")
    return float(fields["seconds"]), maxrss_kb / 1024.0


# Each row of the table: (workload, label, unit, function of (seconds, n,
# rss), higher_is_better).
ROWS = [
    ("spawn_join", "tasks/s", lambda s, n, rss: n / s, True),
    ("spawn_join", "peak RSS MiB", lambda s, n, rss: rss, False),
    ("timers", "overhead ms", lambda s, n, rss: (s - TIMER_MAX_S) * 1e3, False),
    ("timers", "peak RSS MiB", lambda s, n, rss: rss, False),
    ("pingpong", "ns/hand-off", lambda s, n, rss: s / n * 1e9, False),
    ("pingpong", "peak RSS MiB", lambda s, n, rss: rss, False),
    ("baseline", "peak RSS MiB", lambda s, n, rss: rss, False),
]


def fmt(v):
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1e6:
        return f"{v / 1e6:.2f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def machine_info():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        uv = subprocess.run([PYTHON, "-c", "import uvloop; print(uvloop.__version__)"],
                            capture_output=True, text=True).stdout.strip() or "missing"
    except OSError:
        uv = "missing"
    boost = "unknown"
    try:
        with open("/usr/include/boost/version.hpp") as f:
            for line in f:
                if line.startswith("#define BOOST_LIB_VERSION"):
                    boost = line.split('"')[1].replace("_", ".")
    except OSError:
        pass
    # Which loop was measured: bazel run exports the workspace directory.
    rev = "unknown"
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        try:
            rev = subprocess.run(["git", "-C", ws, "log", "-1", "--format=%h %cs"],
                                 capture_output=True, text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", ws, "status", "--porcelain", "--",
                                    "loop", "bench/loop"],
                                   capture_output=True, text=True).stdout.strip()
            if dirty:
                rev += " (+ uncommitted changes in loop/ or bench/loop/)"
        except OSError:
            pass
    return [
        f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"aio:     {rev}",
        f"cpu:     {cpu} ({os.cpu_count()} cores)",
        f"kernel:  {platform.system()} {platform.release()}",
        f"python:  {PYTHON} {platform.python_version()}, uvloop {uv}; Boost {boost}",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of " + ",".join(WORKLOADS))
    ap.add_argument("--runtimes", default=",".join(RUNTIMES),
                    help="comma-separated subset of " + ",".join(RUNTIMES))
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
    ap.add_argument("--max-wait", type=float, default=60, metavar="SECONDS",
                    help="before each workload of a round, wait up to this long "
                         "for other processes to go quiet (default 60; 0: never)")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write machine info and the table to FILE "
                         "(relative to the workspace under bazel run)")
    args = ap.parse_args()
    workloads = [w for w in args.workloads.split(",") if w]
    runtimes = [r for r in args.runtimes.split(",") if r]
    for w in workloads:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w}")
    for r in runtimes:
        if r not in RUNTIMES:
            ap.error(f"unknown runtime {r}")
    sizes = {w: max(1, int(DEFAULT_N[w] * args.scale)) for w in workloads}
    if "pingpong" in sizes:
        sizes["pingpong"] -= sizes["pingpong"] % 2  # two sides, n/2 sends each

    info = machine_info()
    print("\n".join(info), flush=True)
    # results[(workload, runtime)] = list over rounds of (seconds, rss)
    results = {}
    background = []  # cores used by other processes before each group
    for rnd in range(args.rounds):
        shift = rnd % len(runtimes)
        order = runtimes[shift:] + runtimes[:shift]
        for w in workloads:
            bg = wait_for_quiet(args.max_wait) if args.max_wait > 0 else background_cores()
            background.append(bg)
            for rt in order:
                s, rss = measure(rt, w, sizes[w])
                results.setdefault((w, rt), []).append((s, rss))
                print(f"round {rnd + 1}/{args.rounds}  {w:<10} {rt:<8} "
                      f"{s:9.4f} s  {rss:7.1f} MiB  (others used {bg:.2f} cores before)",
                      file=sys.stderr, flush=True)

    # Other processes competing for the cores inflate absolute times (ratios
    # are less affected: every runtime of a round sees about the same load).
    info.append(f"others:  other processes used median {statistics.median(background):.2f}, "
                f"max {max(background):.2f} of {os.cpu_count()} cores just before each "
                "workload group")
    print(info[-1], flush=True)

    # ---- the table ----
    cols = [rt for rt in RUNTIMES if rt in runtimes]
    peers = [p for p in PEERS if p in cols] if "aio" in cols else []
    head = ["workload", "metric"] + [LABELS[c] for c in cols] + \
           [f"aio/{LABELS[p]}" for p in peers]
    rows = []
    for w, label, f, higher in ROWS:
        if w not in workloads:
            continue
        n = sizes[w]
        per_round = {rt: [f(s, n, rss) for s, rss in results[(w, rt)]] for rt in cols}
        med = {rt: statistics.median(v) for rt, v in per_round.items()}
        ratios = []
        for p in peers:
            rs = [a / b for a, b in zip(per_round["aio"], per_round[p]) if b > 0]
            ratios.append(statistics.median(rs) if rs else None)
        arrow = "(higher is better)" if higher else "(lower is better)"
        rows.append([w, f"{label} {arrow}"] + [fmt(med[rt]) for rt in cols] +
                    [fmt_ratio(r) for r in ratios])
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    sep = "  "
    lines = [sep.join(h.ljust(wd) if i < 2 else h.rjust(wd)
                      for i, (h, wd) in enumerate(zip(head, widths)))]
    lines.append(sep.join("-" * wd for wd in widths))
    for r in rows:
        lines.append(sep.join(str(c).ljust(wd) if i < 2 else str(c).rjust(wd)
                              for i, (c, wd) in enumerate(zip(r, widths))))
    sizes_line = ("sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in workloads) +
                  f"; medians of {args.rounds} interleaved rounds; peak RSS is the "
                  "whole process (see baseline)")

    # ---- targets (issue 2, section 3) ----
    checks = []

    def med_metric(w, rt, f):
        return statistics.median(f(s, sizes[w], rss) for s, rss in results[(w, rt)])

    def best_metric(w, rt, f):
        return min(f(s, sizes[w], rss) for s, rss in results[(w, rt)])

    def ratio_metric(w, p, f):
        return statistics.median(
            f(a[0], sizes[w], a[1]) / f(b[0], sizes[w], b[1])
            for a, b in zip(results[(w, "aio")], results[(w, p)]))

    tput = ROWS[0][2]
    rss_f = ROWS[1][2]
    over = ROWS[2][2]
    nsph = ROWS[4][2]
    if "aio" in cols:
        if "spawn_join" in workloads:
            if "uvloop" in cols:
                r = ratio_metric("spawn_join", "uvloop", tput)
                checks.append((r >= 30, f"spawn_join >= 30x uvloop tasks/s: {r:.1f}x"))
            if "asio" in cols:
                r = ratio_metric("spawn_join", "asio", tput)
                checks.append((r >= 4, f"spawn_join >= 4x Boost.Asio tasks/s: {r:.2f}x"))
            m = med_metric("spawn_join", "aio", rss_f)
            checks.append((m < 150, f"spawn_join peak RSS < 150 MiB: {m:.1f} MiB"))
        if "timers" in workloads:
            m = med_metric("timers", "aio", over)
            b = best_metric("timers", "aio", over)
            checks.append((m < 20, f"timers overhead < 20 ms: {m:.1f} ms (best round {b:.1f})"))
            if "uvloop" in cols:
                r = ratio_metric("timers", "uvloop", rss_f)
                checks.append((r < 0.2, f"timers peak RSS < 1/5 of uvloop's: {r:.3f}x"))
        if "pingpong" in workloads:
            m = med_metric("pingpong", "aio", nsph)
            b = best_metric("pingpong", "aio", nsph)
            checks.append((m < 50, f"pingpong < 50 ns per hand-off: {m:.1f} ns (best round {b:.1f})"))
    # Pass/miss is judged on the medians; the best round shows what the code
    # does when nothing else competes for the machine.
    check_lines = [f"  [{'PASS' if ok else 'MISS'}] {text}" for ok, text in checks]

    out = ["", *lines, "", sizes_line]
    if check_lines and args.scale == 1.0:
        out += ["", "targets (issue 2):", *check_lines]
    elif check_lines:
        out += ["", "targets (issue 2): not checked, --scale changes the sizes"]
    print("\n".join(out), flush=True)

    if args.markdown:
        path = args.markdown
        if not os.path.isabs(path) and os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
            path = os.path.join(os.environ["BUILD_WORKSPACE_DIRECTORY"], path)
        with open(path, "w") as f:
            f.write("```\n" + "\n".join(info + out) + "\n```\n")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Runs the loop benchmark on every runtime, interleaved, and prints the table.

    bazel run --config=opt //bench/loop:compare [-- --rounds 5 --markdown FILE]

Each measurement is its own process, started by the small measure launcher
(fork/exec/wait4; bench/common/measure.c), so the peak RSS (ru_maxrss)
belongs to that runtime and workload alone. Time is measured inside the process around the
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
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import driver  # noqa: E402  (bench/common/driver.py)
from driver import PYTHON  # noqa: E402

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


def measure(runtime, workload, n):
    """Runs one process; returns (seconds, peak RSS in MiB).

    The measure launcher forks and execs the workload and reports wait4()'s
    ru_maxrss (forking from this Python process directly would count its RSS
    too).
    """
    fields, _, rss, _ = driver.run_measured(command(runtime, workload, n),
                                            f"{runtime} {workload}")
    if fields.get("opt") == "0" and not WARNED:
        WARNED.append(True)
        print("WARNING: the C++ workloads are not an optimized build; "
              "use bazel run --config=opt", file=sys.stderr)
    check = int(fields["check"])
    if check != expected_check(workload, n):
        raise RuntimeError(f"{runtime} {workload}: check={check}, expected "
                           f"{expected_check(workload, n)}")
    return float(fields["seconds"]), rss


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
    return driver.fmt_count(
        v, lambda v: f"{v:.0f}" if abs(v) >= 100 else f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}")


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r:.3g}x" if r < 100 else f"{r:.0f}x"


def boost_version():
    try:
        with open("/usr/include/boost/version.hpp") as f:
            for line in f:
                if line.startswith("#define BOOST_LIB_VERSION"):
                    return line.split('"')[1].replace("_", ".")
    except OSError:
        pass
    return "unknown"


def machine_info():
    rev = driver.aio_revision(["loop", "bench/loop"],
                              " (+ uncommitted changes in loop/ or bench/loop/)")
    return driver.machine_info(rev, f"uvloop {driver.uvloop_version()}; "
                                    f"Boost {boost_version()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    driver.add_common_args(ap, rounds=5)
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of " + ",".join(WORKLOADS))
    ap.add_argument("--runtimes", default=",".join(RUNTIMES),
                    help="comma-separated subset of " + ",".join(RUNTIMES))
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
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

    def progress(rnd, w, rt, m, bg):
        print(f"round {rnd + 1}/{args.rounds}  {w:<10} {rt:<8} "
              f"{m[0]:9.4f} s  {m[1]:7.1f} MiB  (others used {bg:.2f} cores before)",
              file=sys.stderr, flush=True)

    # results[(workload, runtime)] = list over rounds of (seconds, rss)
    results, background = driver.interleave(
        args.rounds, workloads, driver.with_baseline(args, runtimes),
        driver.baseline_measure(lambda rt, w: measure(rt, w, sizes[w])),
        args.max_wait, progress)

    # Other processes competing for the cores inflate absolute times (ratios
    # are less affected: every runtime of a round sees about the same load).
    info.append(driver.others_line(background))
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
        ratios = [driver.median_ratio(per_round["aio"], per_round[p]) for p in peers]
        arrow = "(higher is better)" if higher else "(lower is better)"
        rows.append([w, f"{label} {arrow}"] + [fmt(med[rt]) for rt in cols] +
                    [fmt_ratio(r) for r in ratios])
    lines = driver.table(head, rows)
    baseline = driver.baseline_lines(results, [
        (w, label, lambda m, f=f, n=sizes[w]: f(m[0], n, m[1]), higher)
        for w, label, f, higher in ROWS if w in workloads])
    sizes_line = ("sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in workloads) +
                  f"; medians of {args.rounds} interleaved rounds; peak RSS is the "
                  "whole process (see baseline)")

    # ---- targets ----
    checks = []

    def med_metric(w, rt, f):
        return statistics.median(f(s, sizes[w], rss) for s, rss in results[(w, rt)])

    def best_metric(w, rt, f):
        return min(f(s, sizes[w], rss) for s, rss in results[(w, rt)])

    def ratio_metric(w, p, f):
        def per_round(rt):
            return [f(s, sizes[w], rss) for s, rss in results[(w, rt)]]
        return driver.median_ratio(per_round("aio"), per_round(p))

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
    check_lines = [driver.target(ok, text) for ok, text in checks]

    driver.report(args, info, lines, sizes_line, check_lines, baseline)
    return 0


if __name__ == "__main__":
    sys.exit(main())

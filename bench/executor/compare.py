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
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import driver  # noqa: E402  (bench/common/driver.py)
from driver import PYTHON  # noqa: E402

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


def measure(runtime, workload, n):
    fields, _ = driver.run(command(runtime, workload, n), f"{runtime} {workload}")
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


def machine_info():
    rev = driver.aio_revision(["loop", "executor", "bench/executor",
                               ":!bench/executor/RESULTS.md"])
    return driver.machine_info(rev, f"uvloop {driver.uvloop_version()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    driver.add_common_args(ap, rounds=3)
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of " + ",".join(WORKLOADS))
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
    args = ap.parse_args()
    workloads = [w for w in args.workloads.split(",") if w]
    for w in workloads:
        if w not in WORKLOADS:
            ap.error(f"unknown workload {w}")
    sizes = {w: max(1_000, int(N[w] * args.scale)) for w in workloads}

    info = machine_info()
    print("\n".join(info), flush=True)

    def progress(rnd, w, rt, m, busy):
        extra = f"  median {m['median_us']:.2f} us" if "median_us" in m else ""
        print(f"round {rnd + 1}/{args.rounds}  {w:<10} {rt:<8} {m['seconds']:9.4f} s"
              f"{extra}", file=sys.stderr, flush=True)

    # (workload, runtime) -> measurement dicts per round; cores used by others
    # before each workload group
    results, others = driver.interleave(
        args.rounds, workloads, driver.with_baseline(args, RUNTIMES),
        driver.baseline_measure(lambda rt, w: measure(rt, w, sizes[w])),
        args.max_wait, progress)
    info.append(driver.others_line(others))
    print(info[-1], flush=True)

    head = ["workload", "metric", "aio", "uvloop", "asyncio", "aio vs uvloop", "aio vs asyncio"]
    rows, ratios = [], {}
    for w, label, f, higher in ROWS:
        if w not in workloads:
            continue
        vals = {rt: [f(m, sizes[w]) for m in results[(w, rt)]] for rt in RUNTIMES}
        # "N x" always means aio is N times better (faster or higher).
        r = {p: (driver.median_ratio(vals["aio"], vals[p]) if higher else
                 driver.median_ratio(vals[p], vals["aio"])) for p in PEERS}
        ratios[label] = (r, vals)
        arrow = "(higher is better)" if higher else "(lower is better)"
        rows.append([w, f"{label} {arrow}"] +
                    [driver.fmt_count(statistics.median(vals[rt])) for rt in RUNTIMES] +
                    [f"{r[p]:.1f}x" for p in PEERS])
    lines = driver.table(head, rows)
    baseline = driver.baseline_lines(results, [
        (w, label, lambda m, f=f, n=sizes[w]: f(m, n), higher)
        for w, label, f, higher in ROWS if w in workloads])

    checks = []
    if "roundtrip" in workloads:
        med_vals = ratios["round trip median us"][1]["aio"]
        med = statistics.median(med_vals)
        checks.append(driver.target(
            med < TARGET_MEDIAN_US,
            f"run_in_executor round trip median < {TARGET_MEDIAN_US:.0f} us: {med:.2f} us "
            f"(median of rounds; best round {min(med_vals):.2f} us; per round: " +
            ", ".join(f"{v:.2f}" for v in med_vals) + ")"))
    for label in ("round trip median us", "no-op jobs/s, 1,000 in flight"):
        if label not in ratios:
            continue
        r = ratios[label][0]["uvloop"]
        checks.append(driver.target(r >= TARGET_X_UVLOOP,
                                    f"{label} >= {TARGET_X_UVLOOP}x uvloop: {r:.1f}x"))
    sizes_line = ("sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in workloads) +
                  f"; medians of {args.rounds} interleaved rounds; "
                  "'N x' = aio is N times better")
    driver.report(args, info, lines, sizes_line, checks, baseline,
                  heading="# //executor benchmark\n\nPrinted by `bazel run --config=opt "
                          "//bench/executor:compare`:\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

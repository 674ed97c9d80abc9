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


def measure(runtime, workload, n):
    fields, _ = driver.run(command(runtime, workload, n), f"{runtime} {workload}")
    if int(fields["check"]) != expected_check(workload, n):
        raise RuntimeError(f"{runtime} {workload}: wrong check value {fields['check']}")
    if runtime == "aio" and fields.get("opt") != "1":
        raise RuntimeError("sync_bench was not built with --config=opt")
    return float(fields["seconds"])


def machine_info():
    rev = driver.aio_revision(["loop", "sync", "bench/sync", ":!bench/sync/RESULTS.md"])
    return driver.machine_info(rev, f"uvloop {driver.uvloop_version()}")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    driver.add_common_args(ap, rounds=5)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every workload size (e.g. 0.1 for a smoke run)")
    args = ap.parse_args()
    sizes = {w: max(10_000, int(N[w] * args.scale)) for w in WORKLOADS}
    sizes["semaphore"] -= sizes["semaphore"] % 10_000

    info = machine_info()
    print("\n".join(info), flush=True)

    def progress(rnd, w, rt, s, busy):
        print(f"round {rnd + 1}/{args.rounds}  {w:<13} {rt:<8} {s:9.4f} s",
              file=sys.stderr, flush=True)

    # (workload, runtime) -> seconds per round; cores used by others before
    # each workload group
    seconds, others = driver.interleave(
        args.rounds, WORKLOADS, driver.with_baseline(args, RUNTIMES),
        driver.baseline_measure(lambda rt, w: measure(rt, w, sizes[w])),
        args.max_wait, progress)
    info.append(driver.others_line(others))
    print(info[-1], flush=True)

    head = ["workload", "metric (higher is better)", "aio", "uvloop", "asyncio",
            "aio/uvloop", "aio/asyncio"]
    rows, checks = [], []
    for w in WORKLOADS:
        rate = {rt: [sizes[w] / s for s in seconds[(w, rt)]] for rt in RUNTIMES}
        ratio = {p: driver.median_ratio(rate["aio"], rate[p]) for p in PEERS}
        rows.append([w, DESCRIPTION[w]] +
                    [driver.fmt_count(statistics.median(rate[rt])) for rt in RUNTIMES] +
                    [f"{ratio[p]:.1f}x" for p in PEERS])
        checks.append(driver.target(
            ratio["uvloop"] >= TARGET_X_UVLOOP,
            f"{w} >= {TARGET_X_UVLOOP}x uvloop: {ratio['uvloop']:.1f}x (per round: " +
            ", ".join(f"{a / b:.1f}x" for a, b in zip(rate["aio"], rate["uvloop"])) + ")"))
    lines = driver.table(head, rows)
    baseline = driver.baseline_lines(seconds, [
        (w, DESCRIPTION[w], lambda s, n=sizes[w]: n / s, True) for w in WORKLOADS])
    sizes_line = ("sizes: " + ", ".join(f"{w} n={sizes[w]:,}" for w in WORKLOADS) +
                  f"; medians of {args.rounds} interleaved rounds")
    driver.report(args, info, lines, sizes_line, checks, baseline,
                  heading="# //sync benchmark\n\nPrinted by `bazel run --config=opt "
                          "//bench/sync:compare`:\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

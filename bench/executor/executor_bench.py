"""The //executor benchmark's workloads on Python asyncio (or uvloop with --uvloop).

Usage: /usr/bin/python3 executor_bench.py [--uvloop] <workload> [n]

Same workloads, sizes and output line as executor_bench.cc:
  roundtrip   n sequential `await loop.run_in_executor(None, noop)` on the
              default executor (after 1,000 warm-up calls); median and 99th
              percentile of the per-call latency.
  throughput  n no-op jobs through run_in_executor(None, ...), 1,000 in
              flight at a time (asyncio.gather of 1,000 futures).
Run with Debian's /usr/bin/python3: it is the one with python3-uvloop.
"""

import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import pybench  # noqa: E402  (bench/common/pybench.py)

WARMUP = 1_000
WINDOW = 1_000
RESULTS = {}


def noop():
    return 1


async def roundtrip(n):
    loop = asyncio.get_running_loop()
    run = loop.run_in_executor
    for _ in range(WARMUP):
        await run(None, noop)
    clock = time.perf_counter_ns
    us = []
    check = 0
    for _ in range(n):
        t0 = clock()
        check += await run(None, noop)
        us.append((clock() - t0) / 1e3)
    us.sort()
    RESULTS["median_us"] = us[len(us) // 2]
    RESULTS["p99_us"] = us[len(us) * 99 // 100]
    return check


async def throughput(n):
    loop = asyncio.get_running_loop()
    run = loop.run_in_executor
    check = 0
    done = 0
    while done < n:
        batch = min(WINDOW, n - done)
        check += sum(await asyncio.gather(*[run(None, noop) for _ in range(batch)]))
        done += batch
    return check


WORKLOADS = {"roundtrip": roundtrip, "throughput": throughput}
DEFAULT_N = {"roundtrip": 10_000, "throughput": 1_000_000}


def main(argv):
    parsed = pybench.setup(argv, __doc__, WORKLOADS, DEFAULT_N)
    if parsed is None:
        return 2
    workload, n, loop = parsed
    t0 = time.perf_counter()
    check = loop.run_until_complete(WORKLOADS[workload](n))
    loop.run_until_complete(loop.shutdown_default_executor())
    t1 = time.perf_counter()
    loop.close()
    pybench.print_result(workload, n, t1 - t0, check,
                         "".join(f" {k}={v:.3f}" for k, v in RESULTS.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

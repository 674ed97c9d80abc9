"""The loop benchmark's workloads on Python asyncio (or uvloop with --uvloop).

Usage: /usr/bin/python3 asyncio_bench.py [--uvloop] <workload> [n]

Same workloads, sizes, seeded delays and output line as aio_bench.cc and
asio_bench.cc (see bench_common.h):
  spawn_join  create n tasks returning an int, then join them all with
              create_task + `await t` for each. One run each on this machine
              (n=1M, asyncio / uvloop): await-each 8.1 / 8.3 s, TaskGroup
              8.8 / 8.1 s, gather(*coros) 10.2 / 10.0 s, gather(*tasks)
              12.8 / 12.3 s; await-each ties TaskGroup for fastest and mirrors
              the C++ versions.
  timers      n tasks each asyncio.sleep() a seeded random 0-100 ms.
  pingpong    two tasks pass a token n times; each side awaits a fresh
              loop.create_future() that the other side completes.
  baseline    an empty run (the interpreter's resting RSS).
Run with Debian's /usr/bin/python3: it is the one with python3-uvloop.
"""

import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import pybench  # noqa: E402  (bench/common/pybench.py)

DEFAULT_N = {"spawn_join": 1_000_000, "timers": 100_000, "pingpong": 1_000_000,
             "baseline": 1}
MASK = (1 << 64) - 1


def timer_delays_us(n):
    """splitmix64, seed 42, x mod 100001 microseconds (as bench_common.h)."""
    out = []
    state = 42
    for _ in range(n):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out.append(z % 100_001)
    return out


async def work(i):
    return i


async def spawn_join(n):
    create_task = asyncio.get_running_loop().create_task
    tasks = [create_task(work(i)) for i in range(n)]
    total = 0
    for t in tasks:
        total += await t
    return total


DELAYS_S = []  # filled before the clock starts


async def sleeper(delay_s):
    await asyncio.sleep(delay_s)


async def timers(n):
    create_task = asyncio.get_running_loop().create_task
    tasks = [create_task(sleeper(d)) for d in DELAYS_S]
    for t in tasks:
        await t
    return len(tasks)


async def player(box, me, rounds):
    loop = asyncio.get_running_loop()
    last = 0
    for _ in range(rounds):
        token = await box[me]
        box[me] = loop.create_future()
        box[1 - me].set_result(token + 1)
        last = token
    return last


async def pingpong(n):
    loop = asyncio.get_running_loop()
    box = [loop.create_future(), loop.create_future()]
    a = loop.create_task(player(box, 0, n // 2))
    b = loop.create_task(player(box, 1, n // 2))
    box[0].set_result(0)  # player 0 holds the token first
    return await a + await b


async def baseline(n):
    return 0


WORKLOADS = {"spawn_join": spawn_join, "timers": timers, "pingpong": pingpong,
             "baseline": baseline}


def main(argv):
    parsed = pybench.setup(argv, __doc__, WORKLOADS, DEFAULT_N)
    if parsed is None:
        return 2
    workload, n, loop = parsed
    if workload == "timers":
        DELAYS_S.extend(d / 1e6 for d in timer_delays_us(n))
    t0 = time.perf_counter()
    check = loop.run_until_complete(WORKLOADS[workload](n))
    t1 = time.perf_counter()
    loop.close()
    pybench.print_result(workload, n, t1 - t0, check)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""The //sync benchmark's workloads on Python asyncio (or uvloop with --uvloop).

Usage: /usr/bin/python3 sync_bench.py [--uvloop] <workload> [n]

Same workloads, sizes and output line as sync_bench.cc:
  semaphore      10,000 tasks share asyncio.Semaphore(100); each does
                 n/10,000 rounds of `async with sem: await asyncio.sleep(0)`.
  queue          one producer, one consumer, n items, unbounded asyncio.Queue.
  queue_bounded  the same through asyncio.Queue(maxsize=100).
Run with Debian's /usr/bin/python3: it is the one with python3-uvloop.
"""

import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import pybench  # noqa: E402  (bench/common/pybench.py)

SEMAPHORE_TASKS = 10_000
PERMITS = 100
BOUNDED_MAXSIZE = 100


async def semaphore_worker(sem, rounds, state):
    for _ in range(rounds):
        async with sem:
            state[0] += 1
            if state[0] > state[1]:
                state[1] = state[0]
            await asyncio.sleep(0)
            state[0] -= 1
    return rounds


async def semaphore(n):
    sem = asyncio.Semaphore(PERMITS)
    state = [0, 0]  # inside, peak
    rounds = n // SEMAPHORE_TASKS
    create_task = asyncio.get_running_loop().create_task
    tasks = [create_task(semaphore_worker(sem, rounds, state))
             for _ in range(SEMAPHORE_TASKS)]
    total = 0
    for t in tasks:
        total += await t
    assert state[1] == PERMITS, state
    return total


async def producer(q, n):
    put = q.put
    for i in range(n):
        await put(i)


async def consumer(q, n):
    get = q.get
    s = 0
    for _ in range(n):
        s += await get()
    return s


async def run_queue(n, maxsize):
    q = asyncio.Queue(maxsize)
    loop = asyncio.get_running_loop()
    c = loop.create_task(consumer(q, n))
    p = loop.create_task(producer(q, n))
    await p
    return await c


WORKLOADS = {
    "semaphore": semaphore,
    "queue": lambda n: run_queue(n, 0),
    "queue_bounded": lambda n: run_queue(n, BOUNDED_MAXSIZE),
}


def main(argv):
    parsed = pybench.setup(argv, __doc__, WORKLOADS, dict.fromkeys(WORKLOADS, 1_000_000))
    if parsed is None:
        return 2
    workload, n, loop = parsed
    t0 = time.perf_counter()
    check = loop.run_until_complete(WORKLOADS[workload](n))
    t1 = time.perf_counter()
    loop.close()
    pybench.print_result(workload, n, t1 - t0, check)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

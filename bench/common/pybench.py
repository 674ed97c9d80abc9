"""What the Python workload programs (bench/*/*_bench.py) share: choosing
asyncio's or uvloop's loop from the command line, and the RESULT line their
driver parses (the C++ workloads print it with bench/common/bench_util.h).

Imported from ../common beside the program's own directory (runfiles or the
source tree). Kept to the standard library and asyncio, which the programs
import anyway: it adds nothing to a peak-RSS measurement worth counting.
"""

import asyncio
import sys


def setup(argv, doc, workloads, default_n):
    """Parses `[--uvloop] <workload> [n]`.

    Returns (workload, n, loop) with a new asyncio (or, with --uvloop, uvloop)
    event loop set as the current one; the caller runs and closes it. On a
    usage error prints `doc` to stderr and returns None (exit status 2).
    """
    use_uvloop = "--uvloop" in argv
    args = [a for a in argv[1:] if a != "--uvloop"]
    if not args or args[0] not in workloads:
        print(doc, file=sys.stderr)
        return None
    workload = args[0]
    n = int(args[1]) if len(args) > 1 else default_n[workload]
    if use_uvloop:
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return workload, n, loop


def print_result(workload, n, seconds, check, extra=""):
    """The line for the driver; `extra` is more " key=value" fields or ""."""
    print(f"RESULT workload={workload} n={n} seconds={seconds:.9f} check={check}{extra}",
          flush=True)

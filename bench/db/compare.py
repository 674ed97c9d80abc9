"""Runs the //db benchmark: aio::db against aiomysql, and LOAD DATA LOCAL
INFILE as the server's ceiling, interleaved against one private MariaDB
server, and prints one table with the ratios.

    bazel run --config=opt //bench/db:compare [-- --rounds 3 --markdown bench/db/RESULTS.md]
        [--baseline_bin_dir OTHER_CHECKOUT/bazel-bin]   # + a before/after table

Workloads (100,000 (url, title) rows into an InnoDB table, or 100,000 round
trips): executemany (aio::db: one executemany call; aiomysql: executemany in
batches of 1,000; LOAD DATA LOCAL INFILE of the same rows by the mariadb
client), per_row (16 tasks, one INSERT per statement, autocommit), select1
(16 tasks, SELECT 1). The "ceiling" column is the server's own rate: LOAD
DATA for executemany; for per_row and select1, mariadb-slap (MariaDB's C load
client: 16 threads, one blocking connection each) sending the same statement
text n times in all, its own "seconds to run all queries" (connections are
opened before it starts the clock). Each measurement is its own process under the measure
launcher (client CPU seconds and peak RSS of that process); time is measured
inside it around the workload. The server is started by tools/mariadb.sh in a
fresh directory with its defaults (innodb_flush_log_at_trx_commit=1) and
stopped at the end. Ratios are medians of per-round ratios.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import driver  # noqa: E402
from driver import PYTHON  # noqa: E402

WORKLOADS = ["executemany", "per_row", "select1"]
CLIENTS = {"executemany": ["aio", "aiomysql", "load_data"],
           "per_row": ["aio", "aiomysql", "slap"],
           "select1": ["aio", "aiomysql", "slap"]}
CEILING = {"executemany": "load_data", "per_row": "slap", "select1": "slap"}
SLAP_SQL = {"per_row": "INSERT INTO titles (url, title) VALUES "
                       "('https://example.org/articles/1.html', 'Title of article number 1')",
            "select1": "SELECT 1"}
DESCRIPTION = {
    "executemany": "100k rows, bulk insert, rows/s",
    "per_row": "100k rows, 1 INSERT per statement, 16 tasks, rows/s",
    "select1": "SELECT 1, 16 tasks, round trips/s",
}
N = 100_000


def workspace():
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not ws:
        sys.exit("compare.py: run it with bazel run (it needs tools/mariadb.sh)")
    return ws


def server_start(ws, root):
    out = subprocess.run([os.path.join(ws, "tools", "mariadb.sh"), "start", root],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"compare.py: could not start MariaDB:\n{out.stdout}{out.stderr}")
    url = next(l for l in out.stdout.splitlines() if l.startswith("--db="))[5:]
    return url


def mariadb_cli(sock, sql, local_infile=False):
    cmd = [shutil.which("mariadb") or "/usr/bin/mariadb", "--no-defaults",
           f"--socket={sock}", "-uroot", "aio"]
    if local_infile:
        cmd.insert(2, "--local-infile=1")
    return cmd + ["-e", sql]


def measure(client, workload, n, url, sock, tsv):
    what = f"{client} {workload}"
    if client == "aio":
        fields, cpu, rss, _ = driver.run_measured(
            [os.path.join(HERE, "db_bench"), workload, url, str(n)], what)
        if fields.get("opt") != "1":
            raise RuntimeError("db_bench was not built with --config=opt")
        seconds = float(fields["seconds"])
        check = int(fields["check"])
    elif client == "aiomysql":
        fields, cpu, rss, _ = driver.run_measured(
            [PYTHON, os.path.join(HERE, "db_bench.py"), workload, sock, "aio", str(n)], what)
        seconds = float(fields["seconds"])
        check = int(fields["check"])
    elif client == "slap":
        if workload == "per_row":
            driver.run(mariadb_cli(sock, "TRUNCATE TABLE titles"), "truncate", need_result=False)
        slap = shutil.which("mariadb-slap") or "/usr/bin/mariadb-slap"
        _, cpu, rss, out = driver.run_measured(
            [slap, "--no-defaults", f"--socket={sock}", "-uroot", "--create-schema=aio",
             "--no-drop", "--concurrency=16", f"--number-of-queries={n}",
             f"--query={SLAP_SQL[workload]}"], what, need_result=False)
        line = next((l for l in out.splitlines()
                     if "Average number of seconds to run all queries" in l), None)
        if line is None:
            raise RuntimeError(f"{what}: no timing in mariadb-slap's output:\n{out}")
        seconds = float(line.split(":")[1].split()[0])
        check = n
        if workload == "per_row":
            out = subprocess.run(mariadb_cli(sock, "SELECT COUNT(*) FROM titles") + ["-N"],
                                 capture_output=True, text=True).stdout.strip()
            check = int(out)
    else:
        driver.run(mariadb_cli(sock, "TRUNCATE TABLE titles"), "truncate", need_result=False)
        t0 = time.perf_counter()
        _, cpu, rss, _ = driver.run_measured(
            mariadb_cli(sock, f"LOAD DATA LOCAL INFILE '{tsv}' INTO TABLE titles "
                              "FIELDS TERMINATED BY '\\t' (url, title)", local_infile=True),
            what, need_result=False)
        seconds = time.perf_counter() - t0
        out = subprocess.run(mariadb_cli(sock, "SELECT COUNT(*) FROM titles") + ["-N"],
                             capture_output=True, text=True).stdout.strip()
        check = int(out)
    if check != n:
        raise RuntimeError(f"{what}: check {check}, expected {n}")
    return {"rate": n / seconds, "cpu": cpu, "rss": rss}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    driver.add_common_args(ap, rounds=3)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the row and round-trip counts (0.1: a smoke run)")
    args = ap.parse_args()
    n = max(1000, int(N * args.scale))
    ws = workspace()
    root = tempfile.mkdtemp(prefix="aiodb-bench-", dir="/tmp")
    url = server_start(ws, root)
    sock = os.path.join(root, "mysqld.sock")
    tsv = os.path.join(root, "rows.tsv")
    with open(tsv, "w") as f:
        for i in range(n):
            f.write(f"https://example.org/articles/{i}.html\tTitle of article number {i}\n")
    try:
        rev = driver.aio_revision(["db", "executor", "bench/db", ":!bench/db/RESULTS.md"])
        version = subprocess.run(["/usr/sbin/mariadbd", "--version"], capture_output=True,
                                 text=True).stdout.split(" for ")[0].strip()
        aiomysql = subprocess.run([PYTHON, "-c", "import aiomysql; print(aiomysql.__version__)"],
                                  capture_output=True, text=True).stdout.strip()
        info = driver.machine_info(rev, f"aiomysql {aiomysql}")
        info.append(f"server:  {version}, private (tools/mariadb.sh), unix socket, defaults")
        print("\n".join(info), flush=True)
        results, others = {}, []
        clients = {w: driver.with_baseline(args, CLIENTS[w]) for w in WORKLOADS}
        measure_one = driver.baseline_measure(
            lambda c, w: measure(c, w, n, url, sock, tsv))
        for rnd in range(args.rounds):
            for w in WORKLOADS:
                others.append(driver.wait_for_quiet(args.max_wait))
                for c in driver.rotated(clients[w], rnd):
                    m = measure_one(c, w)
                    results.setdefault((w, c), []).append(m)
                    print(f"round {rnd + 1}/{args.rounds}  {w:<12} {c:<9} "
                          f"{m['rate']:10.0f}/s  cpu {m['cpu']:.2f} s  rss {m['rss']:.0f} MiB",
                          file=sys.stderr, flush=True)
        info.append(driver.others_line(others))
        print(info[-1], flush=True)
    finally:
        subprocess.run([os.path.join(ws, "tools", "mariadb.sh"), "stop", root],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

    def med(w, c, k):
        return statistics.median(m[k] for m in results[(w, c)])

    def rates(w, c):
        return [m["rate"] for m in results[(w, c)]]

    head = ["workload", "metric (higher is better)", "aio::db", "aiomysql", "ceiling",
            "aio/aiomysql", "aio/ceiling"]
    rows, checks = [], []
    for w in WORKLOADS:
        x_my = driver.median_ratio(rates(w, "aio"), rates(w, "aiomysql"))
        x_ceil = driver.median_ratio(rates(w, "aio"), rates(w, CEILING[w]))
        rows.append([w, DESCRIPTION[w],
                     driver.fmt_count(med(w, "aio", "rate")),
                     driver.fmt_count(med(w, "aiomysql", "rate")),
                     driver.fmt_count(med(w, CEILING[w], "rate")),
                     f"{x_my:.2f}x", f"{x_ceil:.0%}"])
    cost_head = ["workload", "client", "client CPU s", "peak RSS MiB"]
    cost = [[w, c, f"{med(w, c, 'cpu'):.2f}", f"{med(w, c, 'rss'):.0f}"]
            for w in WORKLOADS for c in CLIENTS[w]]
    x = {w: driver.median_ratio(rates(w, "aio"), rates(w, "aiomysql")) for w in WORKLOADS}
    ld = driver.median_ratio(rates("executemany", "aio"), rates("executemany", "load_data"))
    checks.append(driver.target(x["executemany"] >= 2, f"executemany >= 2x aiomysql: {x['executemany']:.2f}x"))
    checks.append(driver.target(ld >= 0.8, f"executemany >= 80% of LOAD DATA: {ld:.0%}"))
    checks.append(driver.target(x["per_row"] >= 5, f"one row per statement >= 5x aiomysql: {x['per_row']:.2f}x"))
    checks.append(driver.target(x["select1"] >= 3, f"SELECT 1 round trips >= 3x aiomysql: {x['select1']:.2f}x"))
    lines = driver.table(head, rows) + [""] + driver.table(cost_head, cost)
    baseline = driver.baseline_lines(results, [
        row for w in WORKLOADS for row in (
            (w, DESCRIPTION[w].split(", ")[-1], lambda m: m["rate"], True),
            (w, "client CPU s", lambda m: m["cpu"], False))])
    sizes = f"sizes: n={n:,} rows / round trips per run; medians of {args.rounds} interleaved rounds"
    sizes += ("\nceiling: LOAD DATA LOCAL INFILE (executemany), mariadb-slap "
              "--concurrency=16 (per_row, select1)")
    for w, goal in (("per_row", 5), ("select1", 3)):
        room = driver.median_ratio(rates(w, "slap"), rates(w, "aiomysql"))
        checks.append(f"  [info] {w}: the server's ceiling (mariadb-slap) is {room:.2f}x "
                      f"aiomysql's rate, so {goal}x is {'within' if room >= goal else 'beyond'} "
                      "what any client can reach here")
    checks.append("  (targets from issue 11)")
    driver.report(args, info, lines, sizes, checks, baseline,
                  heading="# //db benchmark\n\nPrinted by `bazel run --config=opt "
                          "//bench/db:compare -- --markdown bench/db/RESULTS.md`:\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

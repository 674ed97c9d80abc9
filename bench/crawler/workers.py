"""The //crawler --job benchmark (issue 13): the cost of keeping a crawl's
whole state in MariaDB, and of sharing it between workers.

    bazel run --config=opt //bench/crawler:workers -- [--rounds 3] [--markdown bench/crawler/RESULTS.md]

The 20,000-page site of compare.py (tests/fixtures/site.h written by
make_site, served by the same private nginx with an access log; --scale
changes the size) is crawled from "/" in each round by:
  memory    //crawler with its in-memory frontier, --out=FILE (compare.py's
            aio command: --concurrency=64 --per_host=64 --obey_robots=false
            --select=h3.info-title.shuang)
  job1      the same flags with --job=bench --db=<private MariaDB>: 1 worker
  job2      2 workers started together on one job
  job4      4 workers on one job
(one machine, so the figure shows the cost of coordination, not more cores:
--per_host=64 holds over the job's workers together, each worker has
--concurrency=64). Each job run starts on an empty database. The server is
a private mariadbd started by tools/mariadb.sh in a fresh directory with
MariaDB's defaults (innodb_flush_log_at_trx_commit=1: a durable commit is
an fsync), on a unix socket.

Measured per run: pages/s = distinct pages nginx served / wall time from
the first worker's start to the last one's exit; the workers' CPU seconds
(summed; bench/common's measure launcher); the database's work from SHOW
GLOBAL STATUS deltas around the run — Questions (statements the clients
sent), Com_select / Com_insert / Com_update / Com_delete / Com_commit,
Rows_read, Handler_write / _update / _delete (rows written; MariaDB 10.11
has no Innodb_rows_*) and Innodb_data_fsyncs — per page; mariadbd's
CPU seconds from /proc/<pid>/stat over the run; and completeness as
compare.py checks it: nginx's access log (every page requested, none twice)
and the records (the job's `titles` table, dumped as JSON lines), plus no
row twice in `titles`. Rounds rotate the order after waiting for a quiet
machine; tables show medians over rounds, ratios are medians of per-round
ratios.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "common"))
sys.path.insert(0, HERE)
import driver  # noqa: E402  (bench/common/driver.py)
import compare  # noqa: E402  (bench/crawler/compare.py: Site, completeness, the aio command)

RUNTIMES = ["memory", "job1", "job2", "job4"]
WORKERS = {"job1": 1, "job2": 2, "job4": 4}
LABELS = {"memory": "//crawler, in-memory frontier", "job1": "--job, 1 worker",
          "job2": "--job, 2 workers", "job4": "--job, 4 workers"}
JOB = "bench"
DB = "crawl"
# MariaDB 10.11 has no Innodb_rows_* any more: rows read are Rows_read (rows
# the storage engines returned to the server), rows written the handler
# writes, updates and deletes (temporary tables are Handler_tmp_*, not
# counted); Innodb_data_fsyncs is what durability costs.
STATUS = ["Questions", "Com_select", "Com_insert", "Com_update", "Com_delete", "Com_commit",
          "Rows_read", "Handler_write", "Handler_update", "Handler_delete",
          "Innodb_data_fsyncs"]
WRITES = ("Handler_write", "Handler_update", "Handler_delete")
MARIADB = shutil.which("mariadb") or "/usr/bin/mariadb"


# ---------------------------------------------------------------- database

class MariaDb:
    """The private server of tools/mariadb.sh in a fresh directory (the
    mechanism bench/db uses); stop() always."""

    def __init__(self, ws):
        self.ws = ws
        self.root = tempfile.mkdtemp(prefix="aiodb-workers-", dir="/tmp")
        out = subprocess.run([os.path.join(ws, "tools", "mariadb.sh"), "start", self.root],
                             capture_output=True, text=True)
        if out.returncode != 0:
            shutil.rmtree(self.root, ignore_errors=True)
            raise RuntimeError(f"could not start MariaDB:\n{out.stdout}{out.stderr}")
        self.sock = os.path.join(self.root, "mysqld.sock")
        with open(os.path.join(self.root, "mariadbd.pid")) as f:
            self.pid = int(f.read().strip())
        self.url = f"mariadb://root@/{DB}?socket={self.sock}"

    def sql(self, statement, database=""):
        """Runs SQL with the mariadb client; returns its rows (tab-separated,
        raw) as lists of strings."""
        cmd = [MARIADB, "--no-defaults", f"--socket={self.sock}", "-uroot", "-N", "-B",
               "--raw", "-e", statement] + ([database] if database else [])
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"mariadb: {statement[:80]}: {p.stderr.strip()}")
        return [l.split("\t") for l in p.stdout.splitlines()]

    def fresh(self):
        self.sql(f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB}")

    def status(self):
        names = ", ".join(f"'{n}'" for n in STATUS)
        rows = self.sql(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")
        return {k: int(v) for k, v in rows}

    def version(self):
        return self.sql("SELECT VERSION()")[0][0]

    def stop(self):
        subprocess.run([os.path.join(self.ws, "tools", "mariadb.sh"), "stop", self.root],
                       capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- runs

def job_cmd(args, site):
    """compare.py's aio command with the job's flags instead of --out."""
    cmd = [c for c in compare.crawl_cmd("aio", args, site.start_url(), "-")
           if not c.startswith("--out=")]
    # `timeout` is the backstop, as in compare.py (SIGINT: a worker stops
    # cleanly, its leases handed back).
    return [compare.TIMEOUT, "-s", "INT", "-k", "20", str(args.time_limit + 60)] + cmd + \
        [f"--job={JOB}", f"--db={args.db.url}", "--progress=none"]


def run_workers(cmds, what):
    """Starts every command at once under the measure launcher; returns
    (wall seconds first start to last exit, summed CPU s, max peak RSS MiB,
    failures)."""
    t0 = time.monotonic()
    procs = [subprocess.Popen([driver.MEASURE] + cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True,
                              preexec_fn=driver.die_with_parent) for cmd in cmds]
    cpu, rss, failures = 0.0, 0.0, []
    for i, p in enumerate(procs):
        out, err = p.communicate()
        line = next((l for l in out.splitlines() if l.startswith("MEASURE ")), None)
        if p.returncode != 0 or line is None:
            failures.append(f"{what} worker {i + 1} failed ({p.returncode}): "
                            f"{(out + err)[-1500:]}")
            continue
        m = driver.parse_kv(line)
        cpu += float(m["cpu_s"])
        rss = max(rss, int(m["maxrss_kb"]) / 1024)
    return time.monotonic() - t0, cpu, rss, failures


def job_run(rt, site, nginx, args, tmp):
    n = WORKERS[rt]
    db = args.db
    db.fresh()
    out = os.path.join(tmp, f"{rt}.jsonl")
    before, cpu0 = db.status(), driver.cpu_seconds(db.pid)
    start = nginx.flush()
    wall, cpu, rss, failures = run_workers([job_cmd(args, site)] * n, LABELS[rt])
    end = nginx.flush()
    db_cpu = driver.cpu_seconds(db.pid) - cpu0
    after = db.status()
    for f in failures:
        print(f"  {f}", file=sys.stderr)
    # A job run whose workers failed counts as incomplete; the run goes on.
    # The records: the job's `titles` as JSON lines, for compare.py's check.
    rows = db.sql("SELECT JSON_OBJECT('url', url, 'title', title) FROM titles", DB) \
        if not failures else []
    with open(out, "w", encoding="utf-8") as f:
        f.writelines(r[0] + "\n" for r in rows)
    doubled = int(db.sql("SELECT COUNT(*) - COUNT(DISTINCT url_hash) FROM titles", DB)[0][0]) \
        if not failures else 0
    c = compare.completeness(site, nginx.lines_between(start, end), out)
    delta = {k: after[k] - before[k] for k in STATUS}
    pages = max(c["fetched"], 1)
    return {"rate": c["fetched"] / wall, "wall": wall, "cpu": cpu, "rss": rss,
            "cpu_per_1k": cpu / pages * 1000, "db_cpu": db_cpu,
            "db_pages_per_cpu_s": c["fetched"] / db_cpu if db_cpu > 0 else float("inf"),
            "per_page": {k: v / pages for k, v in delta.items()},
            "rows_doubled": doubled, "failed": bool(failures),
            **{**c, "complete": c["complete"] and not failures and doubled == 0}}


def memory_run(site, nginx, args, tmp):
    m = compare.crawl_run("aio", site, nginx, args, tmp)
    m.update(db_cpu=0.0, per_page={}, rows_doubled=0)
    return m


# ---------------------------------------------------------------- report

def build_report(args, runs, n):
    med = driver.med
    head = ["crawl", "pages/s", "vs memory", "CPU s / 1000 pages", "peak RSS MiB",
            "DB queries / page", "DB rows read / page", "DB rows written / page",
            "DB CPU s", "pages fetched", "fetched twice", "titles right", "complete"]
    rows = []
    mem = runs.get("memory", [])
    for rt in RUNTIMES:
        rs = runs.get(rt)
        if not rs:
            continue
        ratio = driver.median_ratio([r["rate"] for r in rs], [m["rate"] for m in mem]) \
            if mem and rt != "memory" else None
        if rt == "memory":
            q = rd = wr = dbcpu = "-"
        else:
            q = f"{med([r['per_page'].get('Questions', 0) for r in rs]):.2f}"
            rd = f"{med([r['per_page'].get('Rows_read', 0) for r in rs]):.1f}"
            wr = f"{med([sum(r['per_page'].get(k, 0) for k in WRITES) for r in rs]):.1f}"
            dbcpu = f"{med([r['db_cpu'] for r in rs]):.2f}"
        done = sum(r["complete"] for r in rs)
        failed = sum(r["failed"] for r in rs)
        rows.append([LABELS[rt], f"{med([r['rate'] for r in rs]):,.1f}",
                     "1" if rt == "memory" else (f"{ratio:.2f}" if ratio is not None else "-"),
                     f"{med([r['cpu_per_1k'] for r in rs]):.2f}",
                     f"{med([r['rss'] for r in rs]):.1f}", q, rd, wr, dbcpu,
                     f"{int(med([r['fetched'] for r in rs]))}/{n}",
                     int(med([r['duplicates'] for r in rs])),
                     f"{int(med([r['records_right'] for r in rs]))}/{n}",
                     f"{done}/{len(rs)} rounds" + (f" ({failed} failed)" if failed else "")])
    lines = driver.table(head, rows, left=1)
    # The statements behind "queries / page", per kind.
    kinds = [k for k in STATUS if k.startswith("Com_")] + ["Innodb_data_fsyncs"]
    detail = []
    for rt in RUNTIMES[1:]:
        rs = runs.get(rt)
        if rs:
            detail.append([LABELS[rt]] + [f"{med([r['per_page'].get(k, 0) for r in rs]):.3f}"
                                          for k in kinds])
    if detail:
        lines += ["", "statement executions and fsyncs per page (SHOW GLOBAL STATUS deltas / pages; "
                  "an executemany counts once per row it binds, so Com_* can exceed Questions):",
                  *driver.table(["crawl"] + kinds, detail, left=1)]

    checks = []
    j1 = runs.get("job1")
    r1 = driver.median_ratio([r["rate"] for r in j1], [m["rate"] for m in mem]) \
        if j1 and mem else None
    text = "1 worker with --job >= 70% of the in-memory crawl's pages/s"
    checks.append(driver.target(r1 >= 0.7, f"{text}: {r1:.0%}") if r1 is not None
                  else f"  [----] {text}: not measured")
    jobs = [r for rt in RUNTIMES[1:] for r in runs.get(rt, [])]
    if jobs:
        # What one core of the database could sustain: pages per second of
        # mariadbd CPU (worst run). Batched claims and inserts make this far
        # larger than the crawl's own rate.
        cap = min(r["db_pages_per_cpu_s"] for r in jobs)
        checks.append(driver.target(
            cap >= 10000, "the database is not the bottleneck below 10,000 pages/s (pages per "
            f"mariadbd CPU second, worst run): {cap:,.0f}"))
    j4 = runs.get("job4")
    if j4:
        ok = sum(r["complete"] and r["duplicates"] == 0 and r["rows_doubled"] == 0 for r in j4)
        checks.append(driver.target(ok == len(j4), f"4 workers complete with nothing doubled "
                                    f"(every page fetched once, every title right, no row "
                                    f"twice): {ok} of {len(j4)} rounds"))
    else:
        checks.append("  [----] 4 workers complete with nothing doubled: not measured")
    return lines, checks


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    driver.add_common_args(ap, rounds=3)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="site size relative to 20,000 pages (targets are checked at 1 only)")
    ap.add_argument("--time-limit", type=int, default=300, metavar="SECONDS",
                    help="each crawl stops after this long (default 300)")
    ap.add_argument("--skip", nargs="*", default=[], choices=RUNTIMES)
    ap.add_argument("--crawler", help="the //crawler binary (default: from the runfiles, "
                                      "else bazel-bin/crawler/crawler in the workspace)")
    args = ap.parse_args()
    if args.scale <= 0 or args.rounds < 1 or args.time_limit < 1:
        ap.error("--scale, --rounds and --time-limit must be positive")
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not ws:
        sys.exit("workers.py: run it with bazel run (it needs tools/mariadb.sh)")
    args.aio = compare.aio_binary(args)
    if args.aio is None:
        sys.exit("workers.py: //crawler is not built (bazel build --config=opt //crawler, or "
                 "pass --crawler PATH)")
    runtimes = [r for r in RUNTIMES if r not in args.skip]
    print(f"  //crawler: {args.aio}", file=sys.stderr)

    workdir = tempfile.mkdtemp(prefix="aio-bench-workers-")
    runs, background = {}, []
    args.db = None
    try:
        site = compare.Site(workdir, "site20k", max(1, round(20000 * args.scale)))
        args.db = MariaDb(ws)
        nginx = driver.Nginx([(site.port, site.root)], prefix="aio-bench-workers-nginx-",
                             access_log=True, extra=(
                                 "    location = /list {\n"
                                 "      try_files /list/$arg_cat/$arg_page.html =404;\n"
                                 "    }\n"))
        try:
            tmp = os.path.join(workdir, "out")
            os.makedirs(tmp)
            for rnd in range(args.rounds):
                busy = driver.wait_for_quiet(args.max_wait, background)
                for rt in driver.rotated(runtimes, rnd):
                    m = memory_run(site, nginx, args, tmp) if rt == "memory" else \
                        job_run(rt, site, nginx, args, tmp)
                    runs.setdefault(rt, []).append(m)
                    q = m["per_page"].get("Questions")
                    print(f"  round {rnd + 1} {rt:7s} {m['rate']:9,.1f} pages/s  "
                          f"cpu {m['cpu']:7.2f} s  db cpu {m['db_cpu']:6.2f} s  "
                          + (f"queries/page {q:6.3f}  " if q is not None else "")
                          + f"fetched {m['fetched']}/{site.pages} (+{m['duplicates']} twice)  "
                          f"titles {m['records_right']}/{site.pages}  "
                          f"complete={m['complete']}  (others used {busy:.2f} cores)",
                          file=sys.stderr, flush=True)
            server = args.db.version()
        finally:
            nginx.stop()
    finally:
        if args.db:
            args.db.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    lines, checks = build_report(args, runs, site.pages)
    info = driver.machine_info(driver.aio_revision(["crawler", "db", "bench/crawler",
                                                    ":!bench/crawler/RESULTS.md"]),
                               "driver only")
    info += [f"server:  MariaDB {server}, private (tools/mariadb.sh), unix socket, defaults; "
             f"{driver.first_line([driver.NGINX, '-v'])} (one worker)",
             driver.others_line(background)]
    sizes = (f"sizes: {site.pages:,}-page site; medians of {args.rounds} interleaved rounds; "
             "pages/s = distinct pages served / wall time (first worker's start to last "
             "one's exit); DB figures are SHOW GLOBAL STATUS deltas / pages fetched")
    print("\n".join(info), flush=True)
    driver.report(args, info, lines, sizes, checks,
                  heading="# //crawler benchmark results\n\n")


if __name__ == "__main__":
    sys.exit(main())

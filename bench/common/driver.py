"""What the interleaving benchmark drivers (bench/*/compare.py) share.

One implementation of: machine info, waiting for a quiet machine and
reporting the background load, running one measured process (under the
measure launcher for CPU time and peak RSS) and parsing its RESULT line, the
round-robin order, medians of per-round ratios, the plain text table, target
lines, --markdown output (a marked region of a RESULTS.md, which
bench/update_readme.py copies into bench/README.md), and --baseline_bin_dir
(an older build of the aio workloads run in the same interleaved rounds,
reported as new/old); and the servers and load generators the network
drivers share (a private nginx on 127.0.0.1, `wrk`, a free port, a child's
CPU time from /proc). Each driver keeps what is its own: workloads,
commands, metrics, targets and the table's columns.

Imported by the drivers from their runfiles (compare.py puts this directory
on sys.path); runs under Debian's /usr/bin/python3 like them.
"""

import datetime
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

# Debian's interpreter: the one with python3-uvloop, httpx and aiohttp. The
# Python peers run under it, and so do the drivers (compare.sh pins it).
PYTHON = "/usr/bin/python3"

# ---------------------------------------------------------------- machine


def cpu_model(default="unknown"):
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return default


def uvloop_version():
    try:
        return subprocess.run([PYTHON, "-c", "import uvloop; print(uvloop.__version__)"],
                              capture_output=True, text=True).stdout.strip() or "missing"
    except OSError:
        return "missing"


def aio_revision(paths, dirty_note=" (+ uncommitted changes)"):
    """The commit that was measured ("<hash> <date>"), plus dirty_note when
    `git status` reports changes under `paths` (pathspecs; ":!x" excludes).

    bazel run exports the workspace directory; without it: "unknown".
    """
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if not ws:
        return "unknown"
    try:
        rev = subprocess.run(["git", "-C", ws, "log", "-1", "--format=%h %cs"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ws, "status", "--porcelain", "--", *paths],
                               capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return rev + dirty_note if dirty.strip() else rev


def machine_info(rev, python_extra):
    """The header lines of the plain-text reports (loop, sync, executor)."""
    return [
        f"date:    {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"aio:     {rev}",
        f"cpu:     {cpu_model()} ({os.cpu_count()} cores)",
        f"kernel:  {platform.system()} {platform.release()}",
        f"python:  {PYTHON} {platform.python_version()}, {python_extra}",
    ]


# ---------------------------------------------------------------- quiet


def background_cores(interval=0.5):
    """CPU cores kept busy by other processes over `interval` seconds.

    Sampled while the driver sleeps and none of its workloads runs, so it is
    someone else's work (other builds and tests on a shared machine).
    """
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # total, idle + iowait
    t0, i0 = sample()
    time.sleep(interval)
    t1, i1 = sample()
    total = max(1, t1 - t0)
    return (total - (i1 - i0)) / total * (os.cpu_count() or 1)


def wait_for_quiet(max_wait, record=None):
    """Waits (up to max_wait s; 0: not at all) until other processes use under
    a quarter of a core; returns how many cores they used at the end, also
    appended to the list `record` if one is given (for others_line)."""
    waited, busy = 0.0, background_cores()
    while busy > 0.25 and waited < max_wait:
        time.sleep(2.0)
        waited += 2.5
        busy = background_cores()
    if record is not None:
        record.append(busy)
    return busy


def others_line(background):
    """The report line on the load of other processes (before each group)."""
    return (f"others:  other processes used median {statistics.median(background):.2f}, "
            f"max {max(background):.2f} of {os.cpu_count()} cores just before each "
            "workload group")


# ---------------------------------------------------------------- running


def parse_kv(line):
    """"TAG k=v k=v ..." -> {k: v} (strings)."""
    return dict(kv.split("=", 1) for kv in line.split()[1:])


def run(cmd, what, need_result=True):
    """Runs one measurement process; returns (RESULT fields, stdout).

    Raises RuntimeError, naming `what`, if it fails or (need_result) prints no
    "RESULT k=v ..." line. Inside a baseline measurement (baseline_measure),
    the command's programs of this checkout are those of --baseline_bin_dir.
    """
    return _run(_baseline_cmd_if_active(cmd), what, need_result)


def _run(cmd, what, need_result):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    line = next((l for l in proc.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None and need_result:
        raise RuntimeError(f"{what}: no RESULT line in:\n{proc.stdout}\n{proc.stderr}")
    return (parse_kv(line) if line else {}), proc.stdout


# The launcher beside this file (runfiles): see measure.c.
MEASURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "measure")


def run_measured(cmd, what, need_result=True):
    """run() under the measure launcher; returns (RESULT fields, CPU seconds,
    peak RSS in MiB, stdout) of that one process.

    The launcher forks and execs cmd and reports wait4()'s rusage: forking
    from this Python process directly would count the driver's RSS too.
    """
    fields, out = _run([MEASURE] + _baseline_cmd_if_active(cmd), what, need_result)
    line = next((l for l in out.splitlines() if l.startswith("MEASURE ")), None)
    if line is None:
        raise RuntimeError(f"{what}: no MEASURE line in:\n{out}")
    m = parse_kv(line)
    return fields, float(m["cpu_s"]), int(m["maxrss_kb"]) / 1024, out


def rotated(items, rnd):
    """Round `rnd`'s order: a different runtime goes first each round."""
    k = rnd % len(items)
    return items[k:] + items[:k]


def interleave(rounds, workloads, runtimes, measure, max_wait, progress):
    """Runs every workload on every runtime back to back, `rounds` times.

    Before each workload group it waits for a quiet machine. measure(runtime,
    workload) returns one measurement; progress(rnd, workload, runtime, m,
    busy) reports it. Returns ({(workload, runtime): [m per round]}, [busy
    cores before each group]).
    """
    results, background = {}, []
    for rnd in range(rounds):
        order = rotated(runtimes, rnd)
        for w in workloads:
            busy = wait_for_quiet(max_wait)
            background.append(busy)
            for rt in order:
                m = measure(rt, w)
                results.setdefault((w, rt), []).append(m)
                progress(rnd, w, rt, m, busy)
    return results, background


# ---------------------------------------------------------------- baseline
#
# --baseline_bin_dir DIR: DIR is the bazel-bin of another checkout (an older
# commit) built with --config=opt. Its aio workloads run as one more runtime,
# BASELINE, right after "aio" in every round, so both see the same machine
# state; baseline_lines() prints new/old per metric (median of per-round
# ratios). Only the aio programs are swapped: for a BASELINE measurement, every
# path in a command that points into this checkout's build (runfiles) is
# replaced by the same path under DIR.

BASELINE = "aio@baseline"

# This checkout's workspace root as the drivers see it: bench/common/.. /..
# (the runfiles tree under bazel run).
_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_baseline = {"dir": None, "active": False}


def workspace_path(path):
    """A path given on the command line: under bazel run, relative to the
    workspace (the working directory is the runfiles tree)."""
    if not os.path.isabs(path) and os.environ.get("BUILD_WORKSPACE_DIRECTORY"):
        path = os.path.join(os.environ["BUILD_WORKSPACE_DIRECTORY"], path)
    return path


def with_baseline(args, runtimes, current="aio"):
    """`runtimes`, plus BASELINE right after `current` when --baseline_bin_dir
    is given (then checks the directory). Call once, after parsing."""
    if not getattr(args, "baseline_bin_dir", None):
        return list(runtimes)
    d = os.path.abspath(workspace_path(args.baseline_bin_dir))
    if not os.path.isdir(d):
        raise SystemExit(f"--baseline_bin_dir {args.baseline_bin_dir}: not a directory "
                         "(give the bazel-bin of a checkout built with --config=opt)")
    _baseline["dir"] = d
    out = list(runtimes)
    out.insert(out.index(current) + 1 if current in out else len(out), BASELINE)
    return out


def baseline_cmd(cmd):
    """`cmd` with each path into this checkout's build replaced by the same
    path under --baseline_bin_dir. RuntimeError naming the bazel target to
    build there if a program is missing."""
    d = _baseline["dir"]
    if d is None:
        raise RuntimeError("baseline_cmd: no --baseline_bin_dir")
    out = []
    for arg in cmd:
        if isinstance(arg, str) and arg.startswith(_ROOT + os.sep):
            rel = os.path.relpath(arg, _ROOT)
            arg = os.path.join(d, rel)
            if not os.path.exists(arg):
                pkg, name = os.path.split(rel)
                raise RuntimeError(f"baseline: {arg} does not exist; in that checkout run "
                                   f"bazel build --config=opt //{pkg}:{name}")
        out.append(arg)
    return out


def _baseline_cmd_if_active(cmd):
    return baseline_cmd(cmd) if _baseline["active"] else cmd


def baseline_measure(measure, current="aio"):
    """Wraps measure(runtime, workload): BASELINE is measured as `current`
    with its programs taken from --baseline_bin_dir (also what
    measure's own checks see, e.g. an optimized-build flag)."""
    def wrapped(rt, w):
        if rt != BASELINE:
            return measure(rt, w)
        _baseline["active"] = True
        try:
            return measure(current, w)
        finally:
            _baseline["active"] = False
    return wrapped


def baseline_info():
    """The header line naming the baseline build ("" without one)."""
    d = _baseline["dir"]
    if d is None:
        return ""
    checkout = os.path.dirname(d.rstrip(os.sep))
    try:
        rev = subprocess.run(["git", "-C", checkout, "log", "-1", "--format=%h %cs"],
                             capture_output=True, text=True).stdout.strip()
    except OSError:
        rev = ""
    return f"baseline: {rev or 'unknown commit'} ({d})"


def _plain(v):
    return f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"


def baseline_lines(results, rows, current="aio"):
    """The before/after table: for each (workload, metric label, value of one
    measurement, higher_is_better) in `rows`, the medians of `current` (new)
    and BASELINE (old) and new/old, the median of per-round ratios (so the
    machine's drift cancels). [] without a baseline."""
    if _baseline["dir"] is None:
        return []
    head = ["workload", "metric", "new", "old", "new/old"]
    body = []
    for w, label, f, higher in rows:
        new = [f(m) for m in results.get((w, current), [])]
        old = [f(m) for m in results.get((w, BASELINE), [])]
        if not new or not old:
            continue
        r = median_ratio(new, old)
        arrow = "(higher is better)" if higher else "(lower is better)"
        body.append([w, f"{label} {arrow}", fmt_count(statistics.median(new), _plain),
                     fmt_count(statistics.median(old), _plain), "-" if r is None else f"{r:.3f}"])
    return (["before and after: this checkout (new) vs --baseline_bin_dir (old), "
             "in the same rounds"] + table(head, body)) if body else []


# ---------------------------------------------------------------- numbers


def med(xs):
    """The median, NaN for no values (a peer that did not run)."""
    return statistics.median(xs) if xs else float("nan")


def median_ratio(a, b):
    """Median over rounds of the per-round ratio a/b: the machine's drift over
    minutes cancels. Rounds where b is 0 are left out; None if none is left."""
    rs = [x / y for x, y in zip(a, b) if y > 0]
    return statistics.median(rs) if rs else None


def fmt_count(v, small=lambda v: f"{v:.3g}"):
    """1.23M, 456k, else small(v)."""
    if abs(v) >= 1e6:
        return f"{v / 1e6:.2f}M"
    if abs(v) >= 1e4:
        return f"{v / 1e3:.0f}k"
    return small(v)


def table(head, rows, left=2):
    """A plain-text table: the first `left` columns left-aligned, the others
    (numbers) right-aligned, two spaces apart, a dashed line under the head."""
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]

    def line(cells):
        return "  ".join(str(c).ljust(wd) if i < left else str(c).rjust(wd)
                         for i, (c, wd) in enumerate(zip(cells, widths)))
    return [line(head), "  ".join("-" * wd for wd in widths)] + [line(r) for r in rows]


def target(ok, text):
    """One line of a driver's target list."""
    return f"  [{'PASS' if ok else 'MISS'}] {text}"


# ---------------------------------------------------------------- servers
#
# What the network benchmarks (bench/net, bench/crawler) run beside their
# workloads: a private nginx, wrk as the server's ceiling, and the CPU time
# of a server process they started.

NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def die_with_parent():
    """In a child before exec: SIGKILL it if the driver dies (PR_SET_PDEATHSIG)."""
    import ctypes
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_line(cmd):
    """The first line a program prints (stdout, else stderr): its version;
    "?" if it does not run."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def cpu_ticks(pid):
    """(user, kernel) CPU ticks of a running process so far (/proc/PID/stat;
    CLK_TCK per second)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])  # utime, stime


def cpu_seconds(pid):
    """User + kernel CPU seconds of a running process so far."""
    user, kernel = cpu_ticks(pid)
    return (user + kernel) / CLK_TCK


class Nginx:
    """A private nginx (one worker process, no master, in the foreground) on
    127.0.0.1 serving each (port, root) of `sites`; stop() always.

    Keep-alive without a request limit, sendfile, text/html by default.
    `extra` is put into every server block (locations). access_log=True
    writes "port status request-uri" lines to self.log, buffered (64 KiB) so
    that they cost nginx little; flush() writes the buffer out and
    lines_between() reads a range of it. Without it, no access log.
    """

    def __init__(self, sites, prefix="aio-bench-nginx-", extra="", access_log=False):
        self.prefix = tempfile.mkdtemp(prefix=prefix)
        p = self.prefix
        for d in ("tmp", "logs"):
            os.makedirs(os.path.join(p, d))
        self.log = f"{p}/logs/access.log" if access_log else None
        user = "user root root;\n" if os.geteuid() == 0 else ""
        log = (f"  log_format bench '$server_port $status $request_uri';\n"
               f"  access_log {self.log} bench buffer=64k;\n") if access_log else \
            "  access_log off;\n"
        servers = "".join(f"""  server {{
    listen 127.0.0.1:{port} backlog=4096;
    root {root};
{extra}  }}
""" for port, root in sites)
        conf = f"""daemon off;
master_process off;
worker_processes 1;
{user}error_log {p}/logs/error.log warn;
pid {p}/nginx.pid;
events {{ worker_connections 16384; }}
http {{
{log}  client_body_temp_path {p}/tmp/body;
  proxy_temp_path {p}/tmp/proxy;
  fastcgi_temp_path {p}/tmp/fastcgi;
  uwsgi_temp_path {p}/tmp/uwsgi;
  scgi_temp_path {p}/tmp/scgi;
  default_type text/html;
  keepalive_requests 1000000;
  sendfile on;
  tcp_nopush on;
{servers}}}
"""
        conf_path = os.path.join(p, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen([NGINX, "-p", p + "/", "-c", conf_path,
                                      "-e", f"{p}/logs/error.log"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=die_with_parent)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                for port, _ in sites:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.01)
        err = open(f"{p}/logs/error.log").read()
        self.stop()
        raise RuntimeError("nginx did not start: " + err)

    def flush(self):
        """Writes the buffered log out (SIGUSR1 reopens it, flushing the
        buffer); returns the log's size."""
        self.proc.send_signal(signal.SIGUSR1)
        size, stable = -1, 0
        deadline = time.monotonic() + 5
        while stable < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
            now = os.path.getsize(self.log) if os.path.exists(self.log) else 0
            stable = stable + 1 if now == size else 0
            size = now
        return max(size, 0)

    def lines_between(self, start, end):
        """The log's lines in bytes [start, end) as [port, status, uri]."""
        with open(self.log, "rb") as f:
            f.seek(start)
            data = f.read(end - start)
        return [l.split(" ", 2) for l in data.decode("utf-8", "replace").splitlines() if l]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)


def run_wrk(url, conns, seconds, what="wrk"):
    """`wrk -t1 -cCONNS -dSECONDS URL` under the measure launcher; returns
    {"rate": requests/s, "cpu": wrk's CPU s, "rss": its peak RSS MiB,
    "requests": rate * seconds}."""
    cmd = [WRK, "-t1", f"-c{conns}", f"-d{seconds}s", url]
    _, cpu, rss, out = run_measured(cmd, what, need_result=False)
    rps = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("Requests/sec:")),
               None)
    if rps is None:
        raise RuntimeError(f"{what}: no Requests/sec line in:\n{out}")
    return {"rate": rps, "cpu": cpu, "rss": rss, "requests": rps * seconds}


# ---------------------------------------------------------------- output


def add_common_args(ap, rounds):
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--max-wait", type=float, default=60, metavar="SECONDS",
                    help="before each workload group, wait up to this long for "
                         "other processes to go quiet (default 60; 0: never)")
    ap.add_argument("--markdown", metavar="FILE",
                    help="also write machine info and the tables to FILE (relative to the "
                         "workspace under bazel run), between the driver's markers: the "
                         "rest of FILE is kept; then bench/update_readme.py copies them "
                         "into bench/README.md")
    ap.add_argument("--baseline_bin_dir", metavar="DIR",
                    help="bazel-bin of another checkout (e.g. an older commit) built with "
                         "--config=opt: its aio workloads run beside this checkout's in "
                         "the same interleaved rounds, and a table shows new/old")


def report(args, info, lines, sizes_line, checks, baseline=(), heading=""):
    """Prints a driver's tables, its before/after table (baseline_lines), its
    sizes line and its target lines (checked only at --scale 1: other sizes
    are not what the targets are about), and writes them with the machine
    info to --markdown FILE (a new FILE starts with `heading`)."""
    if baseline_info():
        info = info + [baseline_info()]
        print(info[-1], flush=True)
    out = ["", *lines]
    if baseline:
        out += ["", *baseline]
    out += ["", sizes_line]
    if checks and args.scale == 1.0:
        out += ["", "targets:", *checks]
    elif checks:
        out += ["", "targets: not checked, --scale changes the sizes"]
    print("\n".join(out), flush=True)
    if args.markdown:
        write_markdown(args.markdown, "```\n" + "\n".join(info + out) + "\n```\n", heading)


def bench_label():
    """The running driver's bazel target, e.g. //bench/loop:compare (from
    the path of its compare.py)."""
    rel = os.path.relpath(os.path.dirname(os.path.abspath(sys.argv[0])), _ROOT)
    return f"//{rel}:compare"


def markers(label):
    """The lines that delimit what `label`'s --markdown wrote in a file."""
    return (f"<!-- BEGIN {label} --markdown: written by the driver, do not edit -->",
            f"<!-- END {label} --markdown -->")


def write_markdown(path, text, heading=""):
    """Writes `text` to `path` between the driver's markers. An existing file
    keeps everything outside them (its hand-written analysis); without markers
    the region is appended. A new file starts with `heading`. Under bazel run
    a relative path is taken from the workspace."""
    path = workspace_path(path)
    begin, end = markers(bench_label())
    region = f"{begin}\n{text.rstrip()}\n{end}\n"
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = None
    if old is None:
        new = heading + region
    elif begin in old and end in old:
        i, j = old.index(begin), old.index(end) + len(end)
        new = old[:i] + region.rstrip("\n") + old[j:]
    else:
        new = old.rstrip("\n") + "\n\n" + region
    with open(path, "w") as f:
        f.write(new)
    print(f"wrote {path} ({bench_label()} region)", file=sys.stderr)

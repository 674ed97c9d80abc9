"""The //net benchmarks, every peer interleaved in one run; prints the tables.

    bazel run --config=opt //bench/net:compare -- [--rounds 3] [--markdown FILE]

1. HTTP fetch: a private nginx (one worker process, 127.0.0.1) serves
   20,000 distinct ~2 KB pages; each client fetches all of them with 64 in
   flight: aio::http::Client, a plain C program on the libcurl multi
   interface (the libcurl ceiling: curl_multi_perform + curl_multi_poll),
   the same on libcurl's multi-socket API with a bare epoll loop (what the
   event-loop embedding costs by itself), Python httpx.AsyncClient and aiohttp;
   and `wrk -t1 -c64` on one page (the server's ceiling). Reported: pages/s
   (timed inside each program around the fetches), client CPU seconds and
   peak RSS of the whole process (from wait4 via the `measure` launcher).
2. TCP echo: the same server on aio::net streams (reading into a buffer
   with read_into, the C++ idiom, and with read() returning a std::string
   per chunk, as asyncio's read() returns bytes), asyncio streams, uvloop
   streams and Boost.Asio; one C load client (10 connections, blocking
   send/recv, one thread each) sends 1 KiB / 10 KiB / 100 KiB messages for a
   fixed time. Reported: requests/s and the server's CPU seconds (from
   /proc/<pid>/stat) during the run.

Machine speed drifts over minutes, so each round runs every peer back to back
in a rotating order, tables show medians over rounds, and ratios are medians
of the per-round ratios. Runs under Debian's /usr/bin/python3 (compare.sh
pins it): httpx, aiohttp and uvloop are that interpreter's packages.
"""

import argparse
import datetime
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import driver  # noqa: E402  (bench/common/driver.py)
from driver import CLK_TCK, NGINX, PYTHON, med, parse_kv  # noqa: E402


def binary(name):
    return os.path.join(HERE, name)


# ---------------------------------------------------------------- quiet

BACKGROUND = []  # busy cores measured before each group of runs


def wait_for_quiet(max_wait):
    """driver.wait_for_quiet, recording the load it ended with (a shared
    machine: it drifts over minutes) for the machine section."""
    return driver.wait_for_quiet(max_wait, BACKGROUND)


# ---------------------------------------------------------------- nginx

class Nginx(driver.Nginx):
    """A private nginx on 127.0.0.1 serving `root` on self.port, no access
    log; always stopped."""

    def __init__(self, root):
        self.port = driver.free_port()
        super().__init__([(self.port, root)])


def make_pages(root, n):
    os.makedirs(os.path.join(root, "p"))
    for i in range(n):
        text = f"<html><head><title>page {i}</title></head><body><h1>Page {i}</h1>\n"
        k = 0
        while len(text) < 2000:
            text += f"<p><a href=\"/p/{(i * 7 + k) % n}.html\">link {k}</a> lorem ipsum dolor {i * 31 + k}</p>\n"
            k += 1
        text += "</body></html>\n"
        with open(os.path.join(root, "p", f"{i}.html"), "w") as f:
            f.write(text)


HTTP_PEERS = ["aio", "aio_bare", "libcurl", "libcurl_defaults", "libcurl_socket", "httpx", "aiohttp", "wrk"]
HTTP_LABELS = {"aio": "aio::http::Client",
               "aio_bare": "aio::http::Client, options of the bare C program", "libcurl": "plain libcurl multi (C)",
               "libcurl_defaults": "plain libcurl multi (C), aio's default options",
               "libcurl_socket": "plain libcurl multi_socket + epoll (C)",
               "httpx": "httpx.AsyncClient", "aiohttp": "aiohttp", "wrk": "wrk -t1 -c64 (one page)",
               driver.BASELINE: "aio::http::Client, baseline build (--baseline_bin_dir)"}


def http_run(peer, base, pages, conc, wrk_seconds):
    if peer == driver.BASELINE:  # the aio client of --baseline_bin_dir
        return driver.baseline_measure(
            lambda rt, _: http_run(rt, base, pages, conc, wrk_seconds))(peer, None)
    if peer == "aio":
        cmd = [binary("http_client_bench"), base, str(pages), str(conc)]
    elif peer == "aio_bare":
        cmd = [binary("http_client_bench"), base, str(pages), str(conc), "bare"]
    elif peer == "libcurl":
        cmd = [binary("curl_multi_bench"), base, str(pages), str(conc)]
    elif peer == "libcurl_defaults":
        cmd = [binary("curl_multi_bench"), base, str(pages), str(conc), "defaults"]
    elif peer == "libcurl_socket":
        cmd = [binary("curl_socket_bench"), base, str(pages), str(conc)]
    elif peer in ("httpx", "aiohttp"):
        cmd = [PYTHON, os.path.join(HERE, "http_python_bench.py"), peer, base, str(pages), str(conc)]
    else:
        m = driver.run_wrk(f"{base}/p/0.html", conc, wrk_seconds, what=driver.WRK)
        return {**m, "cpu_per_1k": m["cpu"] / m["requests"] * 1e6}
    result, cpu, rss, out = driver.run_measured(cmd, cmd[0], need_result=False)
    ok = int(result["pages"])
    if ok != pages or int(result["errors"]) != 0:
        raise RuntimeError(f"{peer}: {ok} of {pages} pages, {result['errors']} errors")
    rate = pages / float(result["seconds"])
    return {"rate": rate, "cpu": cpu, "rss": rss, "cpu_per_1k": cpu / pages * 1e6}


def http_bench(args):
    root = tempfile.mkdtemp(prefix="aio-bench-www-")
    try:
        make_pages(root, args.pages)
        nginx = Nginx(root)
        try:
            base = f"http://127.0.0.1:{nginx.port}"
            # Warm nginx's open-file cache and the page cache.
            http_run("libcurl", base, args.pages, args.concurrency, 1)
            runs = {p: [] for p in HTTP_PEERS}
            for r in range(args.rounds):
                order = driver.rotated(HTTP_PEERS, r)
                busy = wait_for_quiet(args.max_wait)
                print(f"  http round {r + 1}: others used {busy:.2f} cores before", file=sys.stderr)
                for peer in order:
                    if peer in args.skip:
                        continue
                    res = http_run(peer, base, args.pages, args.concurrency, args.wrk_seconds)
                    runs[peer].append(res)
                    print(f"  http round {r + 1}: {peer:8s} {res['rate']:10.0f} /s  "
                          f"cpu {res['cpu']:6.2f} s  rss {res['rss']:6.1f} MiB", file=sys.stderr)
            return runs
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------- echo

ECHO_SERVERS = ["aio", "aio_read", "asio", "uvloop", "asyncio"]
ECHO_LABELS = {"aio": "aio::net streams (read_into)",
               "aio_read": "aio::net streams (read -> std::string)", "asio": "Boost.Asio",
               "uvloop": "uvloop streams", "asyncio": "asyncio streams",
               driver.BASELINE: "aio::net streams (read_into), baseline build"}


def server_cmd(server, port):
    if server == driver.BASELINE:  # the aio server of --baseline_bin_dir
        return driver.baseline_cmd(server_cmd("aio", port))
    if server == "aio":
        return [binary("echo_server_aio"), str(port), "read_into"]
    if server == "aio_read":
        return [binary("echo_server_aio"), str(port), "read"]
    if server == "asio":
        return [binary("echo_server_asio"), str(port)]
    flags = ["--uvloop"] if server == "uvloop" else []
    return [PYTHON, os.path.join(HERE, "echo_server.py")] + flags + [str(port)]


def echo_run(server, size, conns, seconds):
    port = driver.free_port()
    proc = subprocess.Popen(server_cmd(server, port), stdout=subprocess.PIPE, text=True,
                            preexec_fn=driver.die_with_parent)
    try:
        line = proc.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"{server} echo server did not start")
        before = driver.cpu_ticks(proc.pid)
        client_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([binary("echo_client"), str(port), str(conns), str(size), str(seconds)],
                             capture_output=True, text=True, check=True).stdout
        client_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        after = driver.cpu_ticks(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    res = parse_kv(next(l for l in out.splitlines() if l.startswith("RESULT ")))
    reqs, secs = int(res["requests"]), float(res["seconds"])
    user = (after[0] - before[0]) / CLK_TCK
    kernel = (after[1] - before[1]) / CLK_TCK
    client = ((client_after.ru_utime + client_after.ru_stime)
              - (client_before.ru_utime + client_before.ru_stime))
    per = 1e6 / max(reqs, 1)
    return {"rate": reqs / secs, "cpu": user + kernel, "us_per_req": (user + kernel) * per,
            "user_us": user * per, "kernel_us": kernel * per, "client_us": client * per,
            "server_cores": (user + kernel) / secs, "busy_cores": (user + kernel + client) / secs}


def echo_bench(args):
    runs = {(s, size): [] for s in ECHO_SERVERS for size in args.sizes}
    for r in range(args.rounds):
        for size in args.sizes:
            busy = wait_for_quiet(args.max_wait)
            print(f"  echo round {r + 1}, {size} B: others used {busy:.2f} cores before",
                  file=sys.stderr)
            for server in driver.rotated(ECHO_SERVERS, r):
                if server in args.skip:
                    continue
                res = echo_run(server, size, args.conns, args.echo_seconds)
                runs[(server, size)].append(res)
                print(f"  echo round {r + 1}: {size:6d} B {server:8s} {res['rate']:10.0f} req/s  "
                      f"server cpu {res['cpu']:5.2f} s", file=sys.stderr)
    return runs


# ---------------------------------------------------------------- report

def ratio_median(a_runs, b_runs, key="rate"):
    r = driver.median_ratio([a[key] for a in a_runs], [b[key] for b in b_runs])
    return float("nan") if r is None else r


def machine_info():
    model = driver.cpu_model("?")

    version = driver.first_line

    pyver = subprocess.run([PYTHON, "-c", "import httpx, aiohttp, uvloop, sys; "
                            "print(sys.version.split()[0], httpx.__version__, aiohttp.__version__, "
                            "uvloop.__version__)"], capture_output=True, text=True).stdout.split()
    return [
        f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- CPU: {model}, {os.cpu_count()} logical CPUs (client, server and load generator share them)",
        f"- Kernel: {platform.release()}",
        f"- libcurl: {version(['curl', '--version'])}",
        f"- nginx: {version([NGINX, '-v'])} (one worker process)",
        f"- Python {pyver[0] if pyver else '?'}: httpx {pyver[1] if len(pyver) > 1 else '?'}, "
        f"aiohttp {pyver[2] if len(pyver) > 2 else '?'}, uvloop {pyver[3] if len(pyver) > 3 else '?'}",
        f"- Compiler: {version(['g++', '--version'])}, bazel --config=opt (-O2)",
        f"- Other processes (a shared machine) used median {med(BACKGROUND):.2f}, max "
        f"{max(BACKGROUND, default=float('nan')):.2f} of {os.cpu_count()} cores just before "
        "each group of runs (the driver waits up to --max-wait s for < 0.25)",
    ] + ([f"- {driver.baseline_info()}"] if driver.baseline_info() else [])


def report(args, http, echo):
    lines = []
    lines.append("## Machine\n")
    lines += machine_info()
    if http:
        lines.append("")
        lines.append(f"## HTTP fetch: {args.pages} pages (~2 KB) from a local nginx, "
                     f"{args.concurrency} in flight ({args.rounds} rounds, medians)\n")
        lines.append("| client | pages/s | client CPU s | CPU ms / 1000 pages | peak RSS MiB |")
        lines.append("|---|---:|---:|---:|---:|")
        for p in HTTP_PEERS:
            rs = http[p]
            if not rs:
                continue
            cpu = f"{med([x['cpu'] for x in rs]):.2f}" if p != "wrk" else f"{med([x['cpu'] for x in rs]):.2f} ({args.wrk_seconds} s run)"
            lines.append(f"| {HTTP_LABELS[p]} | {med([x['rate'] for x in rs]):,.0f} | {cpu} | "
                         f"{med([x['cpu_per_1k'] for x in rs]):.0f} | {med([x['rss'] for x in rs]):.1f} |")
        lines.append("")
        lines.append("| ratio (median of per-round ratios) | pages/s | CPU per page |")
        lines.append("|---|---:|---:|")
        for p in HTTP_PEERS:
            if p in ("aio", "aio_bare") or not http[p] or not http["aio"]:
                continue
            inv = med([b["cpu_per_1k"] / a["cpu_per_1k"] for a, b in zip(http["aio"], http[p])])
            lines.append(f"| aio / {HTTP_LABELS[p]} | {ratio_median(http['aio'], http[p]):.2f}x | "
                         f"{1 / inv:.2f}x |")
        if http["aio_bare"] and http["libcurl"]:
            inv = med([b["cpu_per_1k"] / a["cpu_per_1k"]
                       for a, b in zip(http["aio_bare"], http["libcurl"])])
            lines.append(f"| {HTTP_LABELS['aio_bare']} / {HTTP_LABELS['libcurl']} | "
                         f"{ratio_median(http['aio_bare'], http['libcurl']):.2f}x | {1 / inv:.2f}x |")
        lines.append("")
        lines.append("Targets (HTTP):")
        lines.append("")

        def check(label, a, b, goal):
            if not http[a] or not http[b]:
                return
            r = ratio_median(http[a], http[b])
            verdict = "PASS" if r >= goal else "MISS"
            lines.append(f"- [{verdict}] {label}: {r:.2f}x (goal {goal:.2f}x)")

        check("aio / plain libcurl multi (C), the literal target", "aio", "libcurl", 0.90)
        check("like for like, the C program with aio's default options", "aio",
              "libcurl_defaults", 0.90)
        check("like for like, aio with the bare C program's options", "aio_bare", "libcurl", 0.90)
        check("aio / httpx.AsyncClient", "aio", "httpx", 10.0)
        lines.append("")
        lines.append("'aio's default options' is the same C program with the libcurl options "
                     "aio::http::Client sets by default (Accept-Encoding with decoding, User-Agent, "
                     "connect/total/low-speed timeouts, redirects, body limit, http(s) only): the "
                     "same requests on the wire and the same work in libcurl and nginx, so "
                     "aio / it is the cost of the loop integration alone. 'options of the bare C "
                     "program' is the other way round: aio::http::Client without Accept-Encoding, "
                     "User-Agent and timeouts, as the bare C program.")
    if echo:
        lines.append("")
        lines.append(f"## TCP echo: {args.conns} connections, {args.echo_seconds} s per run "
                     f"({args.rounds} rounds, medians)\n")
        lines.append("| message | server | requests/s | server CPU s | server CPU us / request "
                     "| of it in the kernel | load client CPU us / request |")
        lines.append("|---:|---|---:|---:|---:|---:|---:|")
        for size in args.sizes:
            for s in ECHO_SERVERS:
                rs = echo[(s, size)]
                if not rs:
                    continue
                lines.append(f"| {size // 1024} KiB | {ECHO_LABELS[s]} | {med([x['rate'] for x in rs]):,.0f} | "
                             f"{med([x['cpu'] for x in rs]):.2f} | {med([x['us_per_req'] for x in rs]):.1f} | "
                             f"{med([x['kernel_us'] for x in rs]):.1f} | {med([x['client_us'] for x in rs]):.1f} |")
        lines.append("")
        lines.append("| message | aio / uvloop req/s | aio / Boost.Asio req/s | aio / asyncio req/s | "
                     "server CPU per request: uvloop / aio | Boost.Asio / aio |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for size in args.sizes:
            a = echo[("aio", size)]
            cells = []
            for peer in ("uvloop", "asio", "asyncio"):
                cells.append(f"{ratio_median(a, echo[(peer, size)]):.2f}x" if echo[(peer, size)] else "-")
            for peer in ("uvloop", "asio"):
                b = echo[(peer, size)]
                cells.append(f"{med([y['us_per_req'] / x['us_per_req'] for x, y in zip(a, b)]):.2f}x" if b else "-")
            lines.append(f"| {size // 1024} KiB | " + " | ".join(cells) + " |")
        if driver.BASELINE in ECHO_SERVERS:
            lines.append("")
            lines.append("| message | before and after: aio / baseline build req/s "
                         "| server CPU per request: baseline / aio |")
            lines.append("|---:|---:|---:|")
            for size in args.sizes:
                a, b = echo[("aio", size)], echo[(driver.BASELINE, size)]
                if a and b:
                    cpu = med([y["us_per_req"] / x["us_per_req"] for x, y in zip(a, b)])
                    lines.append(f"| {size // 1024} KiB | {ratio_median(a, b):.3f}x | {cpu:.3f}x |")
        lines.append("")
        lines.append("Targets (TCP echo):")
        lines.append("")
        for size in args.sizes:
            a = echo[("aio", size)]
            for peer, goal in (("uvloop", 2.0), ("asio", 1.0)):
                if not a or not echo[(peer, size)]:
                    continue
                r = ratio_median(a, echo[(peer, size)])
                verdict = "PASS" if r >= goal else "MISS"
                lines.append(f"- [{verdict}] {size // 1024} KiB: aio / {ECHO_LABELS[peer]} "
                             f"{r:.2f}x (goal {goal:.2f}x)")
        lines.append("")
        lines.append("Ceiling. Server and load client share the machine's cores and every "
                     "request costs each of them CPU. Where both runs keep the machine equally "
                     "busy (same cores in use) and no server saturates its one core, requests/s "
                     "scale as 1 / (server CPU + client CPU per request). The server's kernel "
                     "time (recv, send and the loopback TCP path they run, epoll_wait) is the "
                     "same work whoever makes the calls, so if aio's user-space time were zero, "
                     "aio / uvloop would reach at most (uvloop server + client) / (aio kernel + "
                     "client) per request:")
        lines.append("")
        lines.append("| message | cores busy: aio / uvloop run | uvloop server core | "
                     "aio / uvloop measured | ceiling with zero user time in aio | "
                     "ceiling with a free load client too |")
        lines.append("|---:|---:|---:|---:|---:|---:|")
        for size in args.sizes:
            a, u = echo[("aio", size)], echo[("uvloop", size)]
            if not a or not u:
                continue
            busy_a = med([x["busy_cores"] for x in a])
            busy_u = med([y["busy_cores"] for y in u])
            core_u = med([y["server_cores"] for y in u])
            if core_u > 0.95:
                ceil = ceil_free = "- (uvloop's server is CPU-bound)"
            else:
                ceil = "%.2fx" % med([(y["us_per_req"] + y["client_us"])
                                      / (x["kernel_us"] + x["client_us"]) for x, y in zip(a, u)])
                ceil_free = "%.2fx" % med([y["us_per_req"] / x["kernel_us"] for x, y in zip(a, u)])
            lines.append(f"| {size // 1024} KiB | {busy_a:.2f} / {busy_u:.2f} | {core_u:.2f} | "
                         f"{ratio_median(a, u):.2f}x | {ceil} | {ceil_free} |")
    return "\n".join(lines) + "\n"


def main():
    # SIGTERM unwinds like Ctrl-C, so that nginx and echo servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    driver.add_common_args(ap, rounds=3)
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--conns", type=int, default=10)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1024, 10240, 102400])
    ap.add_argument("--echo-seconds", type=float, default=5)
    ap.add_argument("--only", choices=["http", "echo"])
    ap.add_argument("--skip", nargs="*", default=[])
    args = ap.parse_args()
    global HTTP_PEERS, ECHO_SERVERS
    HTTP_PEERS = driver.with_baseline(args, HTTP_PEERS)
    ECHO_SERVERS = driver.with_baseline(args, ECHO_SERVERS)
    http = http_bench(args) if args.only in (None, "http") else None
    echo = echo_bench(args) if args.only in (None, "echo") else None
    text = report(args, http, echo)
    print(text)
    if args.markdown:
        driver.write_markdown(args.markdown, text,
                              heading="# //net benchmark results\n\n"
                              "Produced by `bazel run --config=opt //bench/net:compare -- "
                              "--markdown bench/net/RESULTS.md` (see compare.py for the "
                              "method).\n\n")


if __name__ == "__main__":
    main()

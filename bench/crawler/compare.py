"""The //crawler benchmark: every crawler on the same generated site in one
interleaved run; prints the table, the ratios and issue 12's targets.

    bazel run --config=opt //bench/crawler:compare -- [--rounds 3] [--markdown FILE]

Site: tests/fixtures/site.h written as files by make_site (20,000 pages of
~3 KB, ~20 links each in every equivalent relative form, one
h3.info-title.shuang title each; --scale changes the size), served by a
private nginx (one worker process, 127.0.0.1, sendfile, keep-alive, a
buffered access log) that also serves a 100,000-page copy for the memory
target. Crawled from "/" by:
  aio       //crawler --concurrency=64 --per_host=64 --obey_robots=false
            --select=h3.info-title.shuang --out=FILE
  python    the tutorial's crawler written correctly: asyncio + httpx + lxml,
            64 workers on an asyncio.Queue (python_crawler.py)
  scrapy    Scrapy, 64 concurrent, no delay, robots off, feed export to
            JSON lines (scrapy_crawler.py)
  crawlee   Crawlee's CheerioCrawler, 64 concurrent (crawlee_crawler.cjs;
            needs `npm install crawlee` in --crawlee-dir, else skipped)
and `wrk -t1 -c64` on one page for the server's ceiling.

Measured per run: wall time of the whole process (start-up included: ~1 s
for Scrapy and Crawlee, nothing for aio), its CPU time and peak RSS (wait4,
through bench/common's measure launcher), and completeness checked against
the site's ground truth from two sides: nginx's access log (every page
requested, how many twice, how many requests that are not pages) and the
crawler's output (one record per page with exactly the expected title).
URLs are compared in canonical form (canonical_url.py). pages/s = distinct
pages nginx served / wall time (fetching a page twice is work, not
progress), and CPU per 1,000 pages likewise. Each round runs every crawler back to
back in a rotating order after waiting for a quiet machine; tables show
medians over rounds and ratios are medians of per-round ratios.
"""

import argparse
import collections
import json
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
from driver import NGINX, PYTHON, med  # noqa: E402
from canonical_url import canonical  # noqa: E402

NODE = shutil.which("node") or "/usr/bin/node"
TIMEOUT = "/usr/bin/timeout"

PEERS = ["aio", "python", "scrapy", "crawlee"]
LABELS = {"aio": "//crawler (aio)", "python": "Python asyncio+httpx+lxml",
          "scrapy": "Scrapy", "crawlee": "Crawlee CheerioCrawler",
          "wrk": "wrk -t1 -c64 (one page)",
          driver.BASELINE: "//crawler, baseline build (--baseline_bin_dir)"}
BIG = "site100k"


# ---------------------------------------------------------------- site

class Site:
    """One generated site: files under root, its ground truth and port."""

    def __init__(self, workdir, name, pages):
        self.name, self.pages = name, pages
        self.port = driver.free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.root = os.path.join(workdir, name, "www")
        truth_file = os.path.join(workdir, name, "truth.jsonl")
        os.makedirs(self.root)
        t0 = time.monotonic()
        subprocess.run([os.path.join(HERE, "make_site"), str(pages), self.origin, self.root,
                        truth_file], check=True)
        self.truth = {}
        with open(truth_file, encoding="utf-8") as f:
            for line in f:
                rec = json.loads(line)
                self.truth[rec["url"]] = rec["title"]
        print(f"  site {name}: {pages} pages written in {time.monotonic() - t0:.1f} s",
              file=sys.stderr)

    def start_url(self):
        return self.origin + "/"


def completeness(site, log_lines, out_file):
    """What a crawl requested (nginx's log) and wrote (its output), against
    the site's ground truth."""
    counts = collections.Counter()
    forms = collections.defaultdict(set)  # canonical URL -> request URIs
    other = 0
    for port, _status, uri in log_lines:
        if port != str(site.port):
            continue
        try:
            url = canonical(site.origin + uri)
        except ValueError:
            other += 1
            continue
        if url in site.truth:
            counts[url] += 1
            if len(forms[url]) < 3:
                forms[url].add(uri)
        else:
            other += 1
    records = collections.Counter()
    wrong = unparsable = 0
    try:
        with open(out_file, encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                    url = canonical(rec["url"])
                except (ValueError, KeyError, TypeError):
                    unparsable += 1
                    continue
                if site.truth.get(url) == rec.get("title"):
                    records[url] += 1
                else:
                    wrong += 1
    except OSError:
        pass
    c = {
        "fetched": len(counts),                                  # distinct pages
        "page_requests": sum(counts.values()),
        "duplicates": sum(n - 1 for n in counts.values()),
        "other_requests": other,
        "records_right": len(records),
        "records_duplicate": sum(n - 1 for n in records.values()),
        "records_wrong": wrong + unparsable,
        # A few pages fetched twice, with the request URIs used.
        "twice_examples": [sorted(forms[u]) for u, k in counts.items() if k > 1][:3],
    }
    c["complete"] = (c["fetched"] == site.pages and c["duplicates"] == 0
                     and c["records_right"] == site.pages and c["records_duplicate"] == 0
                     and c["records_wrong"] == 0)
    return c


# ---------------------------------------------------------------- peers

def aio_binary(args):
    """//crawler: --crawler, else the runfiles (a data dependency), else
    the workspace's bazel-bin; None if none exists."""
    candidates = [args.crawler, os.path.join(HERE, "..", "..", "crawler", "crawler")]
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        candidates.append(os.path.join(ws, "bazel-bin", "crawler", "crawler"))
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def crawlee_ok(args):
    return os.path.isdir(os.path.join(args.crawlee_dir, "node_modules", "crawlee")) and \
        os.path.exists(NODE)


def crawl_cmd(peer, args, start, out):
    limit = str(args.time_limit)
    if peer == "aio":
        return [args.aio, f"--start_url={start}", "--concurrency=64", "--per_host=64",
                "--obey_robots=false", "--select=h3.info-title.shuang", f"--out={out}"]
    if peer == "python":
        return [PYTHON, os.path.join(HERE, "python_crawler.py"), start, out, "--workers", "64",
                "--time-limit", limit]
    if peer == "scrapy":
        return [PYTHON, os.path.join(HERE, "scrapy_crawler.py"), start, out, "--time-limit", limit]
    return [NODE, os.path.join(HERE, "crawlee_crawler.cjs"), args.crawlee_dir, start, out, limit]


def crawl_run(peer, site, nginx, args, tmp):
    out = os.path.join(tmp, f"{peer}-{site.name}.jsonl")
    if os.path.exists(out):
        os.remove(out)
    # The peers stop themselves at --time-limit; `timeout` is the backstop
    # (SIGINT first: //crawler's Ctrl-C stops cleanly and flushes).
    cmd = [TIMEOUT, "-s", "INT", "-k", "20", str(args.time_limit + 60)] + \
        crawl_cmd(peer, args, site.start_url(), out)
    start = nginx.flush()
    cwd = os.getcwd()
    os.chdir(tmp)  # Crawlee and Scrapy may write state in the working directory
    try:
        t0 = time.monotonic()
        try:
            fields, cpu, rss, stdout = driver.run_measured(cmd, LABELS[peer], need_result=False)
        except RuntimeError as e:
            # A crawler that fails counts as incomplete; the run goes on.
            print(f"  {LABELS[peer]} failed: {str(e)[-2000:]}", file=sys.stderr)
            fields, cpu, rss = {"failed": "1"}, float("nan"), float("nan")
        wall = time.monotonic() - t0
    finally:
        os.chdir(cwd)
    end = nginx.flush()
    c = completeness(site, nginx.lines_between(start, end), out)
    # Distinct pages: a second fetch of a page is work, but not progress.
    return {"rate": c["fetched"] / wall, "wall": wall, "cpu": cpu, "rss": rss,
            "cpu_per_1k": cpu / max(c["fetched"], 1) * 1000, "stopped": fields.get("stopped") == "1",
            "failed": "failed" in fields, **({**c, "complete": False} if "failed" in fields else c)}


def wrk_run(site, args):
    m = driver.run_wrk(site.origin + "/d0/p1.html", 64, args.wrk_seconds)
    return {**m, "cpu_per_1k": m["cpu"] / max(m["requests"], 1) * 1000}


# ---------------------------------------------------------------- report

def versions():
    first_line = driver.first_line
    py = subprocess.run([PYTHON, "-c", "import scrapy, httpx, lxml.etree as e; "
                         "print(scrapy.__version__, httpx.__version__, "
                         "'.'.join(map(str, e.LXML_VERSION[:3])))"],
                        capture_output=True, text=True).stdout.split() or ["?", "?", "?"]
    return py, first_line([NGINX, "-v"]), first_line([driver.WRK, "-v"]), first_line([NODE, "--version"])


def crawlee_version(args):
    try:
        with open(os.path.join(args.crawlee_dir, "node_modules", "crawlee", "package.json")) as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def build_report(args, runs, background, skipped, sites):
    n = sites["site20k"].pages
    head = ["crawler", "site", "pages/s", "CPU s / 1000 pages", "peak RSS MiB",
            "pages fetched", "fetched twice", "other requests", "titles right", "complete"]
    rows = []
    for w in ["site20k", BIG]:
        for peer in ["aio", driver.BASELINE] + PEERS[1:] + ["wrk"]:
            rs = runs.get((w, peer))
            if not rs:
                continue
            size = sites[w].pages
            if peer == "wrk":
                rows.append([LABELS[peer], f"{size // 1000}k", f"{med([r['rate'] for r in rs]):,.0f}",
                             f"{med([r['cpu_per_1k'] for r in rs]):.2f}",
                             f"{med([r['rss'] for r in rs]):.1f}", "-", "-", "-", "-", "-"])
                continue
            done = sum(r["complete"] for r in rs)
            stopped = " (stopped at the time limit)" if any(r["stopped"] for r in rs) else ""
            if any(r["failed"] for r in rs):
                stopped += f" ({sum(r['failed'] for r in rs)} failed)"
            rows.append([LABELS[peer], f"{size // 1000}k", f"{med([r['rate'] for r in rs]):,.1f}",
                         f"{med([r['cpu_per_1k'] for r in rs]):.2f}",
                         f"{med([r['rss'] for r in rs]):.1f}",
                         f"{int(med([r['fetched'] for r in rs]))}/{size}",
                         int(med([r['duplicates'] for r in rs])),
                         int(med([r['other_requests'] for r in rs])),
                         f"{int(med([r['records_right'] for r in rs]))}/{size}",
                         f"{done}/{len(rs)} rounds{stopped}"])
    lines = driver.table(head, rows)
    aio = runs.get(("site20k", "aio"))
    ratio_lines = []
    for peer in PEERS[1:] + ["wrk"]:
        other = runs.get(("site20k", peer))
        if not aio or not other:
            continue
        r = driver.median_ratio([a["rate"] for a in aio], [b["rate"] for b in other])
        if peer == "wrk":
            ratio_lines.append(f"  aio / {LABELS[peer]}: {r:.3f}x its requests/s")
            continue
        cpu = driver.median_ratio([b["cpu_per_1k"] for b in other], [a["cpu_per_1k"] for a in aio])
        ratio_lines.append(f"  aio / {LABELS[peer]}: {r:.2f}x pages/s, {cpu:.2f}x less CPU per page")
    if ratio_lines:
        lines += ["", "ratios (medians of per-round ratios):", *ratio_lines]
    if skipped:
        lines += ["", *[f"skipped: {s}" for s in skipped]]

    def ratio(peer):
        other = runs.get(("site20k", peer))
        if not aio or not other:
            return None
        return driver.median_ratio([a["rate"] for a in aio], [b["rate"] for b in other])

    def missing(text):
        why = "//crawler is not built" if not args.aio else "no runs"
        return f"  [----] {text}: not measured ({why})"

    checks = []
    if aio:
        done = sum(r["complete"] for r in aio)
        checks.append(driver.target(done == len(aio),
                                    f"//crawler complete on the {n:,}-page site (every page "
                                    f"requested once, every title right): {done} of {len(aio)} "
                                    "rounds"))
    else:
        checks.append(missing(f"//crawler complete on the {n:,}-page site"))
    for peer, goal in (("scrapy", 50), ("python", 10)):
        r = ratio(peer)
        text = f"//crawler pages/s >= {goal}x {LABELS[peer]}'s"
        checks.append(driver.target(r >= goal, f"{text}: {r:.1f}x") if r is not None
                      else missing(text))
    big = runs.get((BIG, "aio"))
    text = f"//crawler peak RSS < 64 MiB on the {sites[BIG].pages:,}-page site" if BIG in sites \
        else "//crawler peak RSS < 64 MiB on the 100,000-page site"
    if big:
        worst = max(r["rss"] for r in big)
        done = sum(r["complete"] for r in big)
        checks.append(driver.target(worst < 64, f"{text}: {worst:.1f} MiB (max over rounds; "
                                    f"complete in {done} of {len(big)})"))
    else:
        checks.append(missing(text))
    r = ratio("wrk")
    text = "goal beyond the targets: //crawler pages/s >= half of wrk's requests/s"
    checks.append(driver.target(2 * r >= 1, f"{text}: {2 * r:.2f}x of half wrk's rate")
                  if r is not None else missing(text))
    rows = [(w, label, f, higher) for w in ("site20k", BIG) for label, f, higher in (
        ("pages/s", lambda m: m["rate"], True),
        ("CPU s / 1000 pages", lambda m: m["cpu_per_1k"], False),
        ("peak RSS MiB", lambda m: m["rss"], False))]
    return lines, checks, driver.baseline_lines(runs, rows)


# ---------------------------------------------------------------- profile

PERF = "/usr/bin/perf"
# Where a crawled page's CPU time goes: each phase is the inclusive share of
# the samples whose call stack passes through one of these functions
# (regular expressions on perf's symbol names). Nested phases overlap:
# canonicalise runs inside extract (links), fetch includes the kernel's
# network work done in libcurl's system calls.
PHASES = [
    ("fetch: libcurl + kernel network", r"curl_multi_socket_action|curl_multi_perform"),
    ("decode: charset to UTF-8", r"aio::crawler::decode_html|iconv"),
    ("parse: gumbo", r"aio::crawler::Document::parse|gumbo_parse"),
    ("extract: links", r"aio::crawler::extract_links"),
    ("extract: selector + text", r"aio::crawler::select_(texts|all)|aio::crawler::element_text"),
    ("canonicalise: resolve + canonical form", r"aio::crawler::resolve_link|aio::crawler::canonicalize"),
    ("frontier: seen / queued", r"aio::crawler::\w*[Ff]rontier"),
    ("output: JSON lines", r"aio::crawler::\w*[Oo]utput|aio::crawler::\w*[Jj]son"),
    ("event loop: epoll_wait", r"epoll_wait"),
]


def perf_report(data, *extra):
    p = subprocess.run([PERF, "report", "-i", data, "--stdio", "--percent-limit", "0.3",
                        *extra], capture_output=True, text=True)
    return p.stdout


def profile(args, site, nginx, tmp):
    """Runs //crawler once under `perf record --call-graph dwarf` and prints
    the share of its CPU samples per library and per phase of a page."""
    import re
    if args.aio is None:
        print("profile: //crawler is not built (bazel build --config=opt //crawler)",
              file=sys.stderr)
        return 1
    if args.keep_profile:
        os.makedirs(args.keep_profile, exist_ok=True)
    data = os.path.join(args.keep_profile or tmp, "perf.data")
    out = os.path.join(tmp, "profile.jsonl")
    cmd = [PERF, "record", "-F", "999", "--call-graph", "dwarf,16384", "-o", data, "--"] + \
        crawl_cmd("aio", args, site.start_url(), out)
    t0 = time.monotonic()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        print(f"profile: perf record failed ({proc.returncode}):\n{proc.stderr}", file=sys.stderr)
        return 1
    pages = sum(1 for _ in open(out, encoding="utf-8", errors="replace")) if os.path.exists(out) else 0
    kept = data if args.keep_profile else "deleted at exit; --keep-profile DIR keeps it"
    print(f"profile: {pages} records in {wall:.1f} s under perf (sampling slows the crawl); "
          f"perf.data: {kept}")
    print("\nself time by library (perf report --no-children --sort dso):")
    for line in perf_report(data, "--no-children", "--sort", "dso", "-g", "none").splitlines():
        if re.match(r"\s+\d+\.\d+%", line):
            print("  " + line.strip())
    children = perf_report(data, "--children", "--sort", "symbol", "-g", "none")
    incl = {}
    for line in children.splitlines():
        m = re.match(r"\s+(\d+\.\d+)%\s+(\d+\.\d+)%\s+\[[.k]\]\s+(.*)", line)
        if m:
            sym = re.sub(r"(\s+-)+\s*$", "", m.group(3)).strip()  # empty columns
            incl[sym] = max(incl.get(sym, 0.0), float(m.group(1)))
    rows = []
    for name, pattern in PHASES:
        rx = re.compile(pattern)
        hits = [v for k, v in incl.items() if rx.search(k)]
        rows.append([name, f"{max(hits):.1f}%" if hits else "< 0.3%", pattern])
    print("\nwhere a page's CPU time goes (inclusive share of samples; phases nest):")
    print("\n".join("  " + l for l in driver.table(["phase", "share", "functions"], rows, left=1)))
    print("\ntop functions by inclusive share (perf report --children --sort symbol):")
    for sym, v in sorted(incl.items(), key=lambda kv: -kv[1])[:30]:
        print(f"  {v:5.1f}%  {sym[:110]}")
    return 0


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    driver.add_common_args(ap, rounds=3)
    ap.add_argument("--scale", type=float, default=1.0,
                    help="site sizes relative to 20,000 and 100,000 pages (targets are "
                         "checked at 1 only)")
    ap.add_argument("--time-limit", type=int, default=300, metavar="SECONDS",
                    help="each crawl stops after this long (default 300)")
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--skip", nargs="*", default=[], choices=PEERS + ["wrk", BIG])
    ap.add_argument("--crawler", help="the //crawler binary (default: from the runfiles, "
                                      "else bazel-bin/crawler/crawler in the workspace)")
    ap.add_argument("--crawlee-dir", default=os.environ.get("AIO_CRAWLEE_DIR", "/tmp/aio-crawlee"),
                    help="where `npm install crawlee` was run (default /tmp/aio-crawlee or "
                         "$AIO_CRAWLEE_DIR)")
    ap.add_argument("--profile", action="store_true",
                    help="instead of the comparison: crawl the site once with //crawler under "
                         "perf record and print where a page's CPU time goes (README.md)")
    ap.add_argument("--serve", action="store_true",
                    help="instead of the comparison: write the site, serve it with nginx, print "
                         "its start URL and wait for Ctrl-C (for profiling by hand)")
    ap.add_argument("--keep-profile", metavar="DIR",
                    help="with --profile: write perf.data to DIR (kept) for perf report")
    args = ap.parse_args()
    if args.scale <= 0 or args.rounds < 1 or args.time_limit < 1:
        ap.error("--scale, --rounds and --time-limit must be positive")

    skipped = []
    args.aio = aio_binary(args)
    peers = [p for p in PEERS if p not in args.skip]
    if args.aio is None and "aio" in peers:
        peers.remove("aio")
        skipped.append("//crawler is not built (bazel build --config=opt //crawler, or pass "
                       "--crawler PATH)")
    if "crawlee" in peers and not crawlee_ok(args):
        peers.remove("crawlee")
        skipped.append(f"Crawlee: no node_modules/crawlee in {args.crawlee_dir} (mkdir -p "
                       f"{args.crawlee_dir} && cd {args.crawlee_dir} && npm install crawlee)")
    for peer in args.skip:
        skipped.append(f"{peer}: --skip")
    if args.aio:
        print(f"  //crawler: {args.aio}", file=sys.stderr)
    # --baseline_bin_dir: that build's //crawler runs right after this one's.
    peers = driver.with_baseline(args, peers) if "aio" in peers else peers

    workdir = tempfile.mkdtemp(prefix="aio-bench-crawler-")
    runs, background = {}, []
    try:
        sites = {"site20k": Site(workdir, "site20k", max(1, round(20000 * args.scale)))}
        if "aio" in peers and BIG not in args.skip and not (args.profile or args.serve):
            sites[BIG] = Site(workdir, BIG, max(1, round(100000 * args.scale)))
        nginx = driver.Nginx([(s.port, s.root) for s in sites.values()],
                             prefix="aio-bench-crawler-nginx-", access_log=True, extra=(
                                 "    location = /list {\n"
                                 "      try_files /list/$arg_cat/$arg_page.html =404;\n"
                                 "    }\n"))
        try:
            tmp = os.path.join(workdir, "out")
            os.makedirs(tmp)
            wrk_run(sites["site20k"], argparse.Namespace(wrk_seconds=1))  # warm up
            if args.profile:
                return profile(args, sites["site20k"], nginx, tmp)
            if args.serve:
                print(f"serving {sites['site20k'].pages} pages at "
                      f"{sites['site20k'].start_url()} (Ctrl-C stops)", flush=True)
                try:
                    while nginx.proc.poll() is None:
                        time.sleep(1)
                except KeyboardInterrupt:
                    pass
                return 0
            order20 = peers + ([] if "wrk" in args.skip else ["wrk"])
            order_big = [p for p in peers if p in ("aio", driver.BASELINE)]
            crawl = driver.baseline_measure(
                lambda peer, w: crawl_run(peer, sites[w], nginx, args, tmp))
            for rnd in range(args.rounds):
                for w in sites:
                    busy = driver.wait_for_quiet(args.max_wait, background)
                    order = driver.rotated(order20, rnd) if w == "site20k" else order_big
                    for peer in order:
                        if peer == "wrk":
                            m = wrk_run(sites[w], args)
                            print(f"  round {rnd + 1} {w}: {peer:8s} {m['rate']:10,.0f} req/s  "
                                  f"(others used {busy:.2f} cores)", file=sys.stderr)
                        else:
                            m = crawl(peer, w)
                            print(f"  round {rnd + 1} {w}: {peer:8s} {m['rate']:10,.1f} pages/s  "
                                  f"cpu {m['cpu']:7.2f} s  rss {m['rss']:7.1f} MiB  "
                                  f"fetched {m['fetched']}/{sites[w].pages} "
                                  f"(+{m['duplicates']} twice, {m['other_requests']} other)  "
                                  f"titles {m['records_right']}/{sites[w].pages}  "
                                  f"complete={m['complete']}  (others used {busy:.2f} cores)",
                                  file=sys.stderr)
                            if m["twice_examples"]:
                                print(f"    fetched twice, e.g. {m['twice_examples']}",
                                      file=sys.stderr)
                        runs.setdefault((w, peer), []).append(m)
        finally:
            nginx.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    lines, checks, baseline = build_report(args, runs, background, skipped, sites)
    py, nginx_v, wrk_v, node_v = versions()
    info = driver.machine_info(driver.aio_revision(["crawler", "bench/crawler", "tests/fixtures"]),
                               f"Scrapy {py[0]}, httpx {py[1]}, lxml {py[2]}")
    info += [f"peers:   {nginx_v} (one worker); {wrk_v.split(' [')[0]}; node {node_v}, "
             f"Crawlee {crawlee_version(args)}",
             driver.others_line(background)]
    sizes = (f"sizes: {sites['site20k'].pages:,}-page site"
             + (f", {sites[BIG].pages:,}-page site (//crawler only)" if BIG in sites else "")
             + f"; medians of {args.rounds} interleaved rounds; time limit {args.time_limit} s "
             "per crawl; pages/s = distinct pages served / wall time of the process")
    print("\n".join(info), flush=True)
    driver.report(args, info, lines, sizes, checks, baseline=baseline,
                  heading="# //crawler benchmark results\n\nProduced by `bazel run --config=opt "
                          "//bench/crawler:compare -- --markdown bench/crawler/RESULTS.md` "
                          "(method: compare.py's docstring and README.md).\n\n")


if __name__ == "__main__":
    sys.exit(main())

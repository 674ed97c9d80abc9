#!/usr/bin/env python3
"""Copies each benchmark's results into bench/README.md.

A driver's --markdown FILE (bench/common/driver.py) writes its output
between two markers in FILE:

    <!-- BEGIN //bench/loop:compare --markdown: written by the driver, do not edit -->
    ...
    <!-- END //bench/loop:compare --markdown -->

bench/README.md holds the same markers where each benchmark's results go.
This script replaces what is between them with what is between the same
markers in bench/<name>/RESULTS.md, so the README's blocks are exactly what
the drivers printed (never pasted). Headings inside a region are moved down
one level (## -> ###) to sit under the README's section heading.

    bench/update_readme.py          # rewrite bench/README.md
    bench/update_readme.py --check  # exit 1, with a diff, if it is out of date

Run it after `bazel run --config=opt //bench/<name>:compare -- --markdown
bench/<name>/RESULTS.md`. CI runs --check.
"""

import argparse
import difflib
import os
import re
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(BENCH, "README.md")
# //bench/<name>:<driver> (compare, or another driver of that benchmark such
# as //bench/crawler:workers); its region is in bench/<name>/RESULTS.md.
BEGIN = re.compile(r"^<!-- BEGIN (//bench/(\w+):\w+) --markdown\b.*-->$", re.M)


def region(text, label, where):
    """(start, end) offsets of the body between label's markers in text."""
    begin = re.search(r"^<!-- BEGIN " + re.escape(label) + r" --markdown\b.*-->\n", text, re.M)
    end = re.search(r"^<!-- END " + re.escape(label) + r" --markdown -->$", text, re.M)
    if not begin or not end or end.start() < begin.end():
        raise SystemExit(f"update_readme: no {label} --markdown region in {where}")
    return begin.end(), end.start()


def demote_headings(body):
    """## x -> ### x, outside ``` code blocks."""
    out, fenced = [], False
    for line in body.splitlines(keepends=True):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            line = "#" + line
        out.append(line)
    return "".join(out)


def updated(readme):
    new = readme
    for m in list(BEGIN.finditer(readme)):
        label, name = m.group(1), m.group(2)
        path = os.path.join(BENCH, name, "RESULTS.md")
        try:
            with open(path) as f:
                results = f.read()
        except OSError as e:
            raise SystemExit(f"update_readme: {label}: cannot read {path}: {e}")
        i, j = region(results, label, path)
        body = demote_headings(results[i:j])
        a, b = region(new, label, README)
        new = new[:a] + body + new[b:]
    return new


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if bench/README.md is out of date")
    args = ap.parse_args()
    with open(README) as f:
        old = f.read()
    if not BEGIN.search(old):
        raise SystemExit(f"update_readme: no --markdown regions in {README}")
    new = updated(old)
    if args.check:
        if new != old:
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                "bench/README.md", "bench/README.md (from bench/*/RESULTS.md)"))
            print("bench/README.md is out of date: run bench/update_readme.py",
                  file=sys.stderr)
            return 1
        return 0
    if new != old:
        with open(README, "w") as f:
            f.write(new)
        print(f"updated {README}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

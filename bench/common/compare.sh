#!/bin/sh
# The launcher of every benchmark driver: `//bench/<name>:compare` runs
# bench/<name>/compare.py with Debian's /usr/bin/python3, the interpreter
# that has python3-uvloop, python3-httpx and python3-aiohttp (the python3
# first on PATH may be another one). Each bench/<name>/BUILD.bazel has
#   sh_binary(name = "compare", srcs = ["//bench/common:compare.sh"], ...)
# and the <name> is that binary's package, taken from this script's path.
# A benchmark's other drivers use it the same way: the sh_binary's own name
# picks the script, e.g. //bench/crawler:workers runs bench/crawler/workers.py.
set -eu
name="$(basename "$(dirname "$0")")"
script="$(basename "$0").py"
dir="${RUNFILES_DIR:-$0.runfiles}/aio/bench/$name"
[ -f "$dir/$script" ] || dir="$(dirname "$0")"
if [ ! -f "$dir/$script" ]; then
  echo "compare.sh: no $script for bench/$name (looked in $dir)" >&2
  exit 2
fi
exec /usr/bin/python3 "$dir/$script" "$@"

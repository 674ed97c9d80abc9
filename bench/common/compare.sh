#!/bin/sh
# The launcher of every benchmark driver: `//bench/<name>:compare` runs
# bench/<name>/compare.py with Debian's /usr/bin/python3, the interpreter
# that has python3-uvloop, python3-httpx and python3-aiohttp (the python3
# first on PATH may be another one). Each bench/<name>/BUILD.bazel has
#   sh_binary(name = "compare", srcs = ["//bench/common:compare.sh"], ...)
# and the <name> is that binary's package, taken from this script's path.
set -eu
name="$(basename "$(dirname "$0")")"
dir="${RUNFILES_DIR:-$0.runfiles}/aio/bench/$name"
[ -f "$dir/compare.py" ] || dir="$(dirname "$0")"
if [ ! -f "$dir/compare.py" ]; then
  echo "compare.sh: no compare.py for bench/$name (looked in $dir)" >&2
  exit 2
fi
exec /usr/bin/python3 "$dir/compare.py" "$@"

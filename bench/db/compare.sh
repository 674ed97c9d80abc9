#!/bin/sh
# Runs compare.py with Debian's /usr/bin/python3 (the interpreter that has
# python3-aiomysql; the python3 first on PATH may be another one).
set -eu
dir="${RUNFILES_DIR:-$0.runfiles}/aio/bench/db"
[ -f "$dir/compare.py" ] || dir="$(dirname "$0")"
exec /usr/bin/python3 "$dir/compare.py" "$@"

#!/usr/bin/env bash
# Like check_output.sh, for examples whose blocking jobs run on real threads:
# their "took X s" line is wall-clock time, so it is checked against bounds
# instead of the golden value: at least <min s> (the blocking work really ran)
# and at most <max s>, well under the time the jobs take one after another
# (so they overlapped) but with room for a slow or loaded machine. Every
# other line must match the golden file exactly.
# usage: check_output_wall_time.sh <example binary> <golden file> <min s> <max s>
set -euo pipefail
bin="$1"
golden="$2"
min="$3"
max="$4"
actual="$(mktemp)"
trap 'rm -f "$actual" "$actual.masked" "$actual.golden"' EXIT
"$bin" --virtual_time >"$actual"
want="$(sed -n 's/^took \([0-9.]*\) s$/\1/p' "$golden")"
got="$(sed -n 's/^took \([0-9.]*\) s$/\1/p' "$actual")"
if [[ -z "$want" || -z "$got" ]]; then
  echo "FAIL: no 'took X s' line (golden: '$want', actual: '$got')" >&2
  cat "$actual" >&2
  exit 1
fi
if ! awk -v g="$got" -v lo="$min" -v hi="$max" \
    'BEGIN { exit !(g >= lo && g <= hi) }'; then
  echo "FAIL: took $got s, expected between $min and $max s (golden: $want s)" >&2
  exit 1
fi
sed 's/^took [0-9.]* s$/took <wall> s/' "$actual" >"$actual.masked"
sed 's/^took [0-9.]* s$/took <wall> s/' "$golden" >"$actual.golden"
if ! diff -u "$actual.golden" "$actual.masked"; then
  echo "FAIL: output of $bin differs from $golden" >&2
  exit 1
fi
echo "OK: $bin (took $got s)"

#!/usr/bin/env bash
# Like check_output.sh, for examples whose blocking jobs run on real threads:
# their "took X s" line is wall-clock time, so it is checked against the
# golden value with a tolerance (the bound also proves the jobs overlapped),
# and every other line must match exactly.
# usage: check_output_wall_time.sh <example binary> <golden file> <tolerance s>
set -euo pipefail
bin="$1"
golden="$2"
tolerance="$3"
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
if ! awk -v g="$got" -v w="$want" -v t="$tolerance" \
    'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; then
  echo "FAIL: took $got s, expected $want s +- $tolerance s" >&2
  exit 1
fi
sed 's/^took [0-9.]* s$/took <wall> s/' "$actual" >"$actual.masked"
sed 's/^took [0-9.]* s$/took <wall> s/' "$golden" >"$actual.golden"
if ! diff -u "$actual.golden" "$actual.masked"; then
  echo "FAIL: output of $bin differs from $golden" >&2
  exit 1
fi
echo "OK: $bin (took $got s)"

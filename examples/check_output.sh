#!/usr/bin/env bash
# Runs an example on virtual time and compares its stdout with the golden file.
# usage: check_output.sh <example binary> <golden file>
set -euo pipefail
bin="$1"
golden="$2"
actual="$(mktemp)"
trap 'rm -f "$actual"' EXIT
"$bin" --virtual_time >"$actual"
if ! diff -u "$golden" "$actual"; then
  echo "FAIL: output of $bin differs from $golden" >&2
  exit 1
fi
echo "OK: $bin"

#!/usr/bin/env bash
# For examples whose lines are printed by worker threads, so their order is
# the threads' (run_in_executor_default, thread_pool_max_workers_5):
# - the lines, as a multiset, are the golden file's (none lost, none extra);
# - each result line "N" comes after its job's start line "第N个foo开始运行";
# - the run took between <min s> and <max s> of wall time: at least what the
#   blocking work needs on the pool's threads (so it really blocked, and no
#   more threads ran at once than the pool has), and well under running the
#   jobs one by one (so they overlapped), with room for a loaded machine.
# usage: check_output_threads.sh <example binary> <golden file> <min s> <max s>
set -euo pipefail
bin="$1"
golden="$2"
min="$3"
max="$4"
actual="$(mktemp)"
trap 'rm -f "$actual" "$actual".sorted "$actual".golden' EXIT
start="$(date +%s.%N)"
"$bin" --virtual_time >"$actual"
end="$(date +%s.%N)"
LC_ALL=C sort "$actual" >"$actual.sorted"
LC_ALL=C sort "$golden" >"$actual.golden"
if ! diff -u "$actual.golden" "$actual.sorted" >&2; then
  echo "FAIL: the lines of $bin (sorted) differ from $golden (sorted)" >&2
  exit 1
fi
if ! awk '
    /^第[0-9]+个foo开始运行$/ { n = $0; gsub(/[^0-9]/, "", n); started[n] = 1; next }
    /^[0-9]+$/ { if (!($0 in started)) { print "result " $0 " before its start line"; bad = 1 } }
    END { exit bad }' "$actual" >&2; then
  echo "FAIL: a result was printed before its job started" >&2
  exit 1
fi
took="$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')"
if ! awk -v t="$took" -v lo="$min" -v hi="$max" \
    'BEGIN { exit !(t >= lo && t <= hi) }'; then
  echo "FAIL: took $took s, expected between $min and $max s" >&2
  exit 1
fi
echo "OK: $bin ($(wc -l <"$actual") lines, took $took s)"

#!/usr/bin/env bash
# A private MariaDB server for trying //db and the crawler's MariaDB output
# without touching a system install: the same setup the tests use.
#
#   tools/mariadb.sh start [DIR]    # install (first time) and start; prints --db=
#   tools/mariadb.sh status [DIR]   # running or not, and the --db= URL
#   tools/mariadb.sh stop [DIR]     # stop it (the data stays in DIR)
#
# DIR defaults to ~/.cache/aio-mariadb. The server listens on a unix socket
# in DIR only (no TCP; set MARIADB_TCP_PORT to also listen on 127.0.0.1), and
# root logs in over it without a password (unix_socket authentication), so
# no password ever appears on a command line. Database `aio` is created.
set -euo pipefail

cmd="${1:-}"
dir="${2:-${HOME}/.cache/aio-mariadb}"
dir="$(mkdir -p "$dir" && cd "$dir" && pwd)"
sock="$dir/mysqld.sock"
pidfile="$dir/mariadbd.pid"
url="mariadb://root@/aio?socket=$sock"

usage() { echo "usage: tools/mariadb.sh start|stop|status [DIR]" >&2; exit 2; }

if (( ${#sock} >= 108 )); then
  echo "mariadb.sh: socket path $sock is ${#sock} bytes; unix sockets need under 108: pick a shorter DIR" >&2
  exit 2
fi

running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "$cmd" in
  start)
    if running; then echo "mariadb.sh: already running (pid $(cat "$pidfile"))"; echo "--db=$url"; exit 0; fi
    for b in mariadb-install-db mariadbd mariadb-admin mariadb; do
      command -v "$b" >/dev/null || [[ -x "/usr/sbin/$b" ]] || { echo "mariadb.sh: $b not found: run tools/setup.sh" >&2; exit 1; }
    done
    mkdir -p "$dir/tmp"
    if [[ ! -d "$dir/data/mysql" ]]; then
      echo "mariadb.sh: creating a new data directory in $dir/data"
      mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" \
        --auth-root-authentication-method=socket --skip-test-db --tmpdir="$dir/tmp" \
        >"$dir/install.log" 2>&1 || { echo "mariadb.sh: mariadb-install-db failed:" >&2; tail -20 "$dir/install.log" >&2; exit 1; }
    fi
    net=(--skip-networking)
    if [[ -n "${MARIADB_TCP_PORT:-}" ]]; then net=(--bind-address=127.0.0.1 --port="$MARIADB_TCP_PORT"); fi
    /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --socket="$sock" \
      --pid-file="$pidfile" --user="$(id -un)" --tmpdir="$dir/tmp" \
      --log-error="$dir/error.log" --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci --max-allowed-packet=64M \
      "${net[@]}" >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
      if mariadb --no-defaults --socket="$sock" -uroot -e "CREATE DATABASE IF NOT EXISTS aio" 2>/dev/null; then
        echo "mariadb.sh: running (pid $(cat "$pidfile")), data in $dir"
        echo "--db=$url"
        exit 0
      fi
      if ! kill -0 $! 2>/dev/null; then echo "mariadb.sh: mariadbd exited:" >&2; tail -20 "$dir/error.log" >&2; exit 1; fi
      sleep 0.1
    done
    echo "mariadb.sh: mariadbd did not answer within 30 s; see $dir/error.log" >&2
    exit 1
    ;;
  stop)
    if ! running; then echo "mariadb.sh: not running"; exit 0; fi
    pid="$(cat "$pidfile")"
    kill "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || { echo "mariadb.sh: stopped"; exit 0; }; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "mariadb.sh: killed (did not stop within 30 s)"
    ;;
  status)
    if running; then echo "mariadb.sh: running (pid $(cat "$pidfile")), data in $dir"; echo "--db=$url"; else echo "mariadb.sh: not running (data in $dir)"; exit 3; fi
    ;;
  *) usage ;;
esac

#!/usr/bin/env bash
# Installs, from Debian 12's packages, exactly what building, testing and
# benchmarking this repository needs. Idempotent: packages already present are
# skipped, and `apt-get update` runs only when something is missing.
# Works as root or through sudo. Prints what it did.
set -euo pipefail

# Build and test.
BUILD_PKGS=(
  bazel-bootstrap g++ libabsl-dev libcurl4-openssl-dev libmariadb-dev
  libgumbo-dev libre2-dev libgtest-dev libgmock-dev mariadb-server mariadb-client nginx-light libboost-dev
  ca-certificates zlib1g-dev libbrotli-dev openssl
)
# Benchmarks' peers (bench/): only with --bench.
BENCH_PKGS=(
  python3-uvloop python3-httpx python3-aiohttp python3-aiomysql python3-scrapy python3-lxml
  wrk linux-perf
)

pkgs=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--bench" ]]; then pkgs+=("${BENCH_PKGS[@]}"); fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "setup.sh: need root or sudo to install packages" >&2; exit 1
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup.sh: all ${#pkgs[@]} packages already installed"
else
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "setup.sh: installed ${#missing[@]} packages"
fi

# Debian's nginx and mariadb packages start system services on install; tests
# start their own private instances on 127.0.0.1, so the system ones are not
# needed. Leave them alone if they were already there.

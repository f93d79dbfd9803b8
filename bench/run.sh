#!/usr/bin/env bash
# Benchmarks `iamsweep scan` live against moto_server and offline on the same
# credential report, for accounts of 1,000 and 5,000 IAM users, and prints a
# markdown table. Needs Go and moto_server (moto[server]==5.2.1) on PATH.
#
#   bash bench/run.sh                       # sizes 1000,5000
#   SIZES=200 RUNS=3 bash bench/run.sh      # quick check
#   bash bench/run.sh -workers 8            # extra flags go to scanbench
set -euo pipefail

cd "$(dirname "$0")/.."
sizes="${SIZES:-1000,5000}"
runs="${RUNS:-5}"

command -v moto_server >/dev/null || { echo "run.sh: moto_server not on PATH (pip install 'moto[server]==5.2.1')" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "building ./cmd/iamsweep and ./bench/scanbench into $tmp" >&2
go build -o "$tmp/iamsweep" ./cmd/iamsweep
go build -o "$tmp/scanbench" ./bench/scanbench

echo "## iamsweep scan benchmark"
echo
echo "- machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sm)"
echo "- $(go version)"
echo "- moto $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown)"
echo "- $("$tmp/iamsweep" --version 2>/dev/null | head -1 || echo "iamsweep version unknown")"
echo "- command: \`SIZES=$sizes RUNS=$runs bash bench/run.sh${*:+ $*}\`"
echo

"$tmp/scanbench" -sizes "$sizes" -bin "$tmp/iamsweep" -runs "$runs" "$@"

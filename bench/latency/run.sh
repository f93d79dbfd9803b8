#!/usr/bin/env bash
# Measures iamsweep behind 20 ms of added latency per AWS call (moto_server
# behind internal/testutil/iamproxy): seed 003's per-user algorithm against
# `iamsweep scan` on 200 aged users, a live scan of 5,000 users at +100
# days, and apply disabling 100 users; the current binary at several
# --parallel values against a baseline binary built from BASE (default:
# the commit before the engine, 73a7735, whose per-user work is serial).
#
#   bash bench/latency/run.sh            # all three
#   BASE=main bash bench/latency/run.sh  # another baseline
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${BASE:-73a7735}"
command -v moto_server >/dev/null || { echo "run.sh: moto_server not on PATH (pip install 'moto[server]==5.2.1')" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/base"
git archive "$base" | tar -x -C "$tmp/base"
(cd "$tmp/base" && go build -o "$tmp/iamsweep-base" ./cmd/iamsweep)
go build -o "$tmp/iamsweep" ./cmd/iamsweep
go build -o "$tmp/latency" ./bench/latency
echo "## 200 aged users: seed 003 vs scan"
"$tmp/latency" -scenario scan -users 200 -bin "$tmp/iamsweep" -base "$tmp/iamsweep-base" -parallel 1,4,8,16,32
echo "## 5,000 users at +100 days: scan"
"$tmp/latency" -scenario scan -users 5000 -seed003=false -bin "$tmp/iamsweep" -base "$tmp/iamsweep-base" -parallel 8,16,32
echo "## apply: disable 100 users"
"$tmp/latency" -scenario apply -users 100 -bin "$tmp/iamsweep" -base "$tmp/iamsweep-base" -parallel 1,8,16,32

#!/usr/bin/env bash
# Measures the fan-out's per-account invocation (docs/scale.md) against
# moto: one member account of USERS users (one key each), seeded by
# bench/orgbench, then one "account" event run in process, timed after a
# warm-up. Needs Go and moto_server (moto[server]==5.2.1).
#
#   USERS=250 bash bench/fanout/run.sh
#   USERS=5000 bash bench/fanout/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
users="${USERS:-250}"
tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_server -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.1; done
go build -o "$tmp/orgbench" ./bench/orgbench
go build -o "$tmp/fanoutbench" ./bench/fanoutbench
ep="http://127.0.0.1:$port"
"$tmp/orgbench" -mode seed -endpoint "$ep" -accounts 1 -users "$users" -ids "$tmp/ids.txt"
"$tmp/fanoutbench" -endpoint "$ep" -account "$(head -1 "$tmp/ids.txt")" -users "$users"

#!/usr/bin/env bash
# Benchmarks an organization-wide scan (internal/org + the scan pipeline)
# against moto_server behind a latency proxy: ACCOUNTS member accounts of
# USERS IAM users each, with --parallel-accounts 1 and 8, and 8 over half
# the accounts (memory flat in the number of accounts). Prints JSON lines
# and a markdown table. Needs Go and moto_server (moto[server]==5.2.1).
#
#   bash bench/org/run.sh                         # 20 accounts x 250 users, 20 ms
#   ACCOUNTS=4 USERS=20 bash bench/org/run.sh     # quick check
set -euo pipefail

cd "$(dirname "$0")/../.."
accounts="${ACCOUNTS:-20}"
users="${USERS:-250}"
latency="${LATENCY:-20ms}"

command -v moto_server >/dev/null || { echo "run.sh: moto_server not on PATH" >&2; exit 1; }
tmp="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
moto_server -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.1; done

go build -o "$tmp/orgbench" ./bench/orgbench
ep="http://127.0.0.1:$port"
"$tmp/orgbench" -mode seed -endpoint "$ep" -accounts "$accounts" -users "$users" -ids "$tmp/ids.txt"

echo "## organization scan: $accounts accounts x $users users, $latency per call"
echo
echo "- machine: $(nproc) CPUs, $(uname -sm); $(go version); moto $(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo unknown)"
echo "- command: \`ACCOUNTS=$accounts USERS=$users LATENCY=$latency bash bench/org/run.sh\`"
echo
# The first run makes every account generate its credential report (moto
# answers the first GetCredentialReport with "not ready"); the measured runs
# reuse the reports, as a scan within 4 hours of another does.
"$tmp/orgbench" -mode run -endpoint "$ep" -ids "$tmp/ids.txt" -accounts "$accounts" -parallel 8 -latency "$latency" >"$tmp/warm.json"
echo "warm-up (reports generated): $(cat "$tmp/warm.json")" >&2
half=$(( accounts / 2 ))
for spec in "$accounts 1" "$accounts 8" "$half 8"; do
  set -- $spec
  "$tmp/orgbench" -mode run -endpoint "$ep" -ids "$tmp/ids.txt" -accounts "$1" -parallel "$2" -latency "$latency" | tee -a "$tmp/runs.json" >&2
done
echo "| accounts | --parallel-accounts | wall | CPU | AWS calls | peak RSS | peak Go heap | users | findings | failed |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
python3 - "$tmp/runs.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"| {r['accounts']} | {r['parallel']} | {r['wall_s']:.1f} s | {r['cpu_s']:.2f} s | {r['calls']} | {r['peak_rss_mib']:.1f} MiB | {r['peak_heap_mib']:.1f} MiB | {r['users']} | {r['findings']} | {r['Failed']} |")
r = json.loads(open(sys.argv[1]).readline())
print()
print("Calls by action (" + str(r['accounts']) + " accounts): " + " ".join(f"{k}={v}" for k, v in sorted(r['by_action'].items())))
PY

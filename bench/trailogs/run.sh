#!/bin/sh
# Measures trailogs.Scan against zcat on generated CloudTrail logs.
# Usage: bench/trailogs/run.sh [-size 2GB] [-runs 2]
set -eu
cd "$(dirname "$0")/../.."
df -h "${TMPDIR:-/tmp}"
go build -o /tmp/trailogs-bench ./bench/trailogs
/tmp/trailogs-bench "$@"
rm -f /tmp/trailogs-bench

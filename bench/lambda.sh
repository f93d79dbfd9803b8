#!/bin/sh
# Figures for docs/unattended.md / BENCHMARKS.md: bootstrap sizes per
# architecture, cold start, and the CPU cost of a 10,000-user Config rule run.
set -eu
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for arch in arm64 amd64; do
  GOOS=linux GOARCH=$arch CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags='-s -w' -o "$out/bootstrap" ./cmd/iamsweep
  (cd "$out" && rm -f b.zip && zip -qj b.zip bootstrap)
  printf '%-6s bootstrap %6.1f MiB, zip %6.1f MiB\n' "$arch" \
    "$(echo "$(stat -c %s "$out/bootstrap") / 1048576" | bc -l)" "$(echo "$(stat -c %s "$out/b.zip") / 1048576" | bc -l)"
done
go test -run '^$' -bench 'ConfigRule|Digest|ColdStart' -benchmem -count 3 ./bench/

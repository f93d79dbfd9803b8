#!/bin/sh
# Measures evidence.Gather against the fake AWS server (CloudTrail, Access
# Advisor, Access Analyzer) for 10, 100 and 1000 users in 2 regions.
# Usage: bench/evidence/run.sh
set -eu
cd "$(dirname "$0")/../.."
echo "cores: $(nproc)  go: $(go env GOVERSION)"
go test -run '^$' -bench BenchmarkGather -benchtime 3x -benchmem ./bench/evidence

#!/bin/sh
# Measures plan/apply disable and delete of N users (default 100) in moto.
# Usage: bench/retire/run.sh [USERS]
set -eu
cd "$(dirname "$0")/../.."
go run ./bench/retire -users "${1:-100}"

// Package bench holds iamsweep's performance benchmarks: the in-process
// BenchmarkOfflineJudge5000 here (go test -bench . -benchmem -run x ./bench/)
// and, in bench/scanbench with bench/run.sh, the end-to-end measurement of
// the built binary against moto_server; in bench/orgbench with
// bench/org/run.sh, an organization-wide scan (internal/org) of many moto
// accounts behind a latency proxy. See BENCHMARKS.md for the figures.
package bench

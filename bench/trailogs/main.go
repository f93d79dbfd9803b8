// Command trailogs-bench measures internal/trailogs.Scan on generated
// CloudTrail logs against `zcat FILES > /dev/null` on the same files, and
// again on the first half of the days to show memory stays flat.
//
//	go run ./bench/trailogs -size 2GB
//
// Scan and zcat each run as a child process so that CPU time and peak RSS
// come from the kernel (rusage) rather than from the Go runtime.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/iamsweep/iamsweep/internal/trailogs"
)

type childResult struct {
	Hits, Files, Skipped int
	Bytes                int64
	// PeakRSSKB is the child's own VmHWM. The rusage maxrss of a child
	// started by a Go program also counts the parent's memory at exec (the
	// child shares the parent's address space until then), so it is only
	// an upper bound.
	PeakRSSKB int64
}

// workerCount is passed to the scan child (0: its default).
var workerCount int

// cleanup is run by check before exiting, so a failure does not leave
// gigabytes behind in the temp dir.
var cleanup = func() {}

func main() {
	var (
		sizeFlag = flag.String("size", "2GB", "uncompressed size of the generated logs (e.g. 2GB, 500MB)")
		dir      = flag.String("dir", "", "where to generate (default: a new temp dir, deleted afterwards)")
		keep     = flag.Bool("keep", false, "keep the generated logs")
		runs     = flag.Int("runs", 2, "runs of each measurement; the fastest is reported")
		child    = flag.Bool("child", false, "internal: run one scan and print its result")
		keysFile = flag.String("keys", "", "internal: wanted key IDs, one per line")
		to       = flag.String("to", "", "internal: scan up to this RFC 3339 time")
		workers  = flag.Int("workers", 0, "scan workers (default: one per CPU)")
	)
	flag.Parse()
	if *child {
		runChild(*dir, *keysFile, *to, *workers)
		return
	}
	size, err := parseSize(*sizeFlag)
	check(err)
	if *dir == "" {
		*dir, err = os.MkdirTemp("", "trailogs-bench-")
		check(err)
		if !*keep {
			d := *dir
			cleanup = func() { os.RemoveAll(d) }
			defer cleanup()
		}
	}
	const days = 8
	start := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	p := newPopulation(rand.New(rand.NewPCG(1, 2)))
	hitRate := 300 / (float64(size) / 1400)
	t0 := time.Now()
	files, err := generate(*dir, size, days, start, p, hitRate, runtime.NumCPU())
	check(err)
	fmt.Printf("generated %d files, %s uncompressed target, in %.1fs (%s)\n", len(files), *sizeFlag, time.Since(t0).Seconds(), *dir)
	keys := filepath.Join(*dir, "wanted-keys.txt")
	check(os.WriteFile(keys, []byte(strings.Join(p.wanted, "\n")), 0o644))

	host, _ := os.Hostname()
	fmt.Printf("machine: %s, %d CPUs (%s), %s/%s, %s\n", host, runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	fmt.Printf("query: %d wanted key IDs\n\n", len(p.wanted))
	// The scan also lists the day after To (files are dated by delivery),
	// so ending on day 2 reads days 0-3: half of the 8 days.
	half := start.AddDate(0, 0, days/2-1).Add(-time.Second).Format(time.RFC3339)
	workerCount = *workers
	shown := workerCount
	if shown == 0 {
		shown = runtime.NumCPU()
	}
	fmt.Printf("scan workers: %d\n\n", shown)
	measureSet("full", *dir, keys, "", *runs)
	measureSet("half", *dir, keys, half, *runs)
}

// listed is what the scan will read, so zcat reads exactly the same files.
func listed(dir, to string) []string {
	q := trailogs.Query{}
	if to != "" {
		t, err := time.Parse(time.RFC3339, to)
		check(err)
		q.From, q.To = t.AddDate(0, 0, -30), t
	}
	src, err := trailogs.OpenSource(context.Background(), dir, nil)
	check(err)
	files, err := src.List(context.Background(), q)
	check(err)
	return files
}

// measureSet runs zcat and the scan on the same files.
func measureSet(label, dir, keys, to string, runs int) {
	files := listed(dir, to)
	self, err := os.Executable()
	check(err)
	var zc, sc measure
	var res childResult
	for range runs {
		m := runZcat(files)
		if zc.wall == 0 || m.wall < zc.wall {
			zc = m
		}
		var out strings.Builder
		cmd := exec.Command(self, "-child", "-dir", dir, "-keys", keys, "-to", to, "-workers", strconv.Itoa(workerCount))
		m = run(cmd, &out)
		check(json.Unmarshal([]byte(out.String()), &res))
		m.maxRSSKB = res.PeakRSSKB
		if sc.wall == 0 || m.wall < sc.wall {
			sc = m
		}
	}
	mb := float64(res.Bytes) / 1e6
	fmt.Printf("== %s: %d files, %.0f MB uncompressed, %d hits, %d skipped\n", label, res.Files, mb, res.Hits, res.Skipped)
	fmt.Printf("%-14s %8s %8s %6s %10s %12s %9s\n", "", "wall s", "cpu s", "cores", "MB/s", "MB/s/core", "peak RSS")
	row := func(name string, m measure) float64 {
		perCore := mb / m.cpu
		fmt.Printf("%-14s %8.2f %8.2f %6.2f %10.0f %12.0f %7.0fMB\n", name, m.wall, m.cpu, m.cpu/m.wall, mb/m.wall, perCore, float64(m.maxRSSKB)/1024)
		return perCore
	}
	z := row("zcat", zc)
	s := row("trailogs.Scan", sc)
	fmt.Printf("scan per-core throughput / zcat single-core throughput = %.2f\n\n", s/z)
}

type measure struct {
	wall, cpu float64
	maxRSSKB  int64
}

// runZcat runs zcat under /usr/bin/time, when there is one, for an exact
// peak RSS (time forks zcat from a small process; see childResult).
func runZcat(files []string) measure {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	check(err)
	defer devnull.Close()
	timeBin, terr := exec.LookPath("/usr/bin/time")
	if terr != nil {
		cmd := exec.Command("zcat", files...)
		cmd.Stdout = devnull
		return run(cmd, nil)
	}
	cmd := exec.Command(timeBin, append([]string{"-f", "maxrss_kb=%M", "zcat"}, files...)...)
	cmd.Stdout = devnull
	var stderr strings.Builder
	m := runErr(cmd, nil, &stderr)
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "maxrss_kb="); ok {
			m.maxRSSKB, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			check(err)
		}
	}
	return m
}

func run(cmd *exec.Cmd, stdout *strings.Builder) measure {
	return runErr(cmd, stdout, nil)
}

func runErr(cmd *exec.Cmd, stdout, stderr *strings.Builder) measure {
	if stdout != nil {
		cmd.Stdout = stdout
	}
	cmd.Stderr = os.Stderr
	if stderr != nil {
		cmd.Stderr = stderr
	}
	t0 := time.Now()
	check(cmd.Run())
	wall := time.Since(t0).Seconds()
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	return measure{wall: wall, cpu: cpu, maxRSSKB: ru.Maxrss}
}

func runChild(dir, keysFile, to string, workers int) {
	raw, err := os.ReadFile(keysFile)
	check(err)
	q := trailogs.Query{KeyIDs: strings.Split(strings.TrimSpace(string(raw)), "\n"), UserNames: []string{"svc-1", "svc-2", "nobody"}}
	if to != "" {
		q.To, err = time.Parse(time.RFC3339, to)
		check(err)
		q.From = q.To.AddDate(0, 0, -30)
	}
	ctx := context.Background()
	src, err := trailogs.OpenSource(ctx, dir, nil)
	check(err)
	res, err := trailogs.Scan(ctx, src, q, trailogs.Options{Workers: workers})
	check(err)
	check(json.NewEncoder(os.Stdout).Encode(childResult{Hits: len(res.Hits), Files: res.FilesRead, Skipped: len(res.Skipped), Bytes: res.BytesRead, PeakRSSKB: vmHWM()}))
}

// vmHWM is this process's peak resident set size in KiB.
func vmHWM() int64 {
	raw, err := os.ReadFile("/proc/self/status")
	check(err)
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			check(err)
			return n
		}
	}
	return 0
}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, suf := range []struct {
		s string
		m int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if strings.HasSuffix(u, suf.s) {
			u, mult = strings.TrimSuffix(u, suf.s), suf.m
			break
		}
	}
	n, err := strconv.ParseFloat(u, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q: use e.g. 2GB or 500MB", s)
	}
	return int64(n * float64(mult)), nil
}

func cpuModel() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "trailogs-bench:", err)
		cleanup()
		os.Exit(1)
	}
}

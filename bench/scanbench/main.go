// Command scanbench measures `iamsweep scan` on seeded accounts: a live scan
// against moto_server (AWS calls made, wall time, CPU, peak RSS) and an
// offline scan of the same credential report.
//
//	go run ./bench/scanbench -sizes 1000,5000 -bin /tmp/iamsweep
//
// Progress goes to stderr; the results, as markdown, to stdout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Targets from the issue.
const (
	targetIAMCalls   = 10
	targetOfflineCPU = 100 * time.Millisecond
	targetOfflineRSS = 64 << 10 // KiB
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == launchArg {
		launch(os.Args[2:])
	}
	sizesFlag := flag.String("sizes", "1000,5000", "comma-separated account sizes (IAM users)")
	bin := flag.String("bin", "", "path to a built iamsweep binary (required)")
	workers := flag.Int("workers", 16, "goroutines creating users")
	runs := flag.Int("runs", 5, "offline scans per figure (median kept)")
	days := flag.Int("days", 100, "the later as-of is this many days after seeding")
	keep := flag.String("keep-reports", "", "write the credential reports to `DIR` and keep them")
	flag.Parse()
	if *bin == "" {
		fail(fmt.Errorf("-bin is required"))
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("bad -sizes entry %q", s))
		}
		sizes = append(sizes, n)
	}
	floor, err := launcherFloor()
	if err != nil {
		fail(err)
	}
	var rows []row
	var seeds []*seedStats
	for _, n := range sizes {
		r, st, err := benchSize(*bin, n, *workers, *runs, *days, *keep)
		if err != nil {
			fail(err)
		}
		rows, seeds = append(rows, r...), append(seeds, st)
	}
	printReport(os.Stdout, sizes, seeds, rows, *days, floor)
}

// benchSize seeds a fresh moto_server with n users and measures every mode.
func benchSize(bin string, n, workers, runs, days int, keep string) ([]row, *seedStats, error) {
	fmt.Fprintf(os.Stderr, "== %d users: starting moto_server\n", n)
	srv, err := motoserver.Start()
	if err != nil {
		return nil, nil, err
	}
	defer srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	st, err := seed(ctx, srv, n, workers)
	if err != nil {
		return nil, nil, fmt.Errorf("seeding %d users: %w", n, err)
	}
	fmt.Fprintf(os.Stderr, "   seeded in %s: %s\n", st.took.Round(100*time.Millisecond), st)

	env := childEnv(srv.URL)
	now := time.Now().UTC()
	asOf := map[string]string{
		"now":                     now.Format(time.RFC3339),
		fmt.Sprintf("+%dd", days): now.AddDate(0, 0, days).Format(time.RFC3339),
	}
	later := fmt.Sprintf("+%dd", days)
	var rows []row
	live := []struct{ mode, asOf string }{
		{"live, no report yet", later},
		{"live", later},
		{"live", "now"},
		{"live, --key-ids=false", later},
	}
	for _, l := range live {
		fmt.Fprintf(os.Stderr, "   %s, as-of %s\n", l.mode, l.asOf)
		r, err := liveScan(bin, env, n, l.mode, asOf[l.asOf])
		if err != nil {
			return nil, nil, err
		}
		r.AsOf = l.asOf
		rows = append(rows, r)
	}
	report, bytes, err := fetchReport(ctx, srv, keep)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching the credential report: %w", err)
	}
	if keep == "" {
		defer os.Remove(report)
	}
	fmt.Fprintf(os.Stderr, "   report: %s, %d bytes\n", report, bytes)
	for _, label := range []string{later, "now"} {
		fmt.Fprintf(os.Stderr, "   offline, as-of %s (%d runs)\n", label, runs)
		r, err := offlineScan(bin, env, n, report, asOf[label], runs)
		if err != nil {
			return nil, nil, err
		}
		r.AsOf = label
		rows = append(rows, r)
	}
	return rows, st, nil
}

func printReport(w *os.File, sizes []int, seeds []*seedStats, rows []row, days int, floorKiB int64) {
	fmt.Fprintln(w, "### Seeded accounts (not measured)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| users | seeding time | account |")
	fmt.Fprintln(w, "|---:|---:|---|")
	for i, n := range sizes {
		fmt.Fprintf(w, "| %d | %s | %s |\n", n, seeds[i].took.Round(100*time.Millisecond), seeds[i])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "### Scans (as-of `now` = just after seeding, `+%dd` = %d days later)\n\n", days, days)
	fmt.Fprintln(w, "| users | mode | as-of | IAM calls | AWS calls | wall | CPU (user+sys) | peak RSS | findings | runs |")
	fmt.Fprintln(w, "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		calls, total := "0 (offline)", "0"
		if r.IAMCalls >= 0 {
			calls, total = strconv.Itoa(r.IAMCalls), strconv.Itoa(r.TotalCalls)
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %.1f MiB | %d | %d |\n",
			r.Size, r.Mode, r.AsOf, calls, total, dur(r.Wall), dur(r.CPU), float64(r.RSSKiB)/1024, r.Findings, r.Runs)
	}
	fmt.Fprintf(w, "\nWall, CPU and peak RSS (ru_maxrss) are measured by a small launcher process; its floor, the peak RSS it reports for /bin/true, is %.1f MiB. Offline figures are the median of the runs (RSS: the highest).\n\n", float64(floorKiB)/1024)
	fmt.Fprintln(w, "### AWS calls by action (live scans)")
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.IAMCalls >= 0 {
			fmt.Fprintf(w, "- %d users, %s, as-of %s: %s\n", r.Size, r.Mode, r.AsOf, formatActions(r.ByAction))
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "### Against the targets")
	fmt.Fprintln(w)
	for _, r := range rows {
		if r.IAMCalls >= 0 {
			fmt.Fprintf(w, "- %d users, %s, as-of %s: %d IAM calls (target <= %d): %s\n", r.Size, r.Mode, r.AsOf, r.IAMCalls, targetIAMCalls, verdict(r.IAMCalls <= targetIAMCalls))
			continue
		}
		fmt.Fprintf(w, "- %d users, offline, as-of %s: CPU %s (target < %s): %s; peak RSS %.1f MiB (target < 64 MiB): %s\n",
			r.Size, r.AsOf, dur(r.CPU), targetOfflineCPU, verdict(r.CPU < targetOfflineCPU), float64(r.RSSKiB)/1024, verdict(r.RSSKiB < targetOfflineRSS))
	}
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func dur(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scanbench:", err)
	os.Exit(1)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/report"
)

// countingWriter counts the output and keeps its tail (the accounts[]
// and summary the organization JSON ends with).
type countingWriter struct {
	n    int64
	tail []byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	c.tail = append(c.tail, p...)
	if len(c.tail) > 1<<20 {
		c.tail = c.tail[len(c.tail)-(1<<19):]
	}
	return len(p), nil
}

// runCLI is `iamsweep scan --accounts-file IDS --parallel-accounts P -o
// json` in-process, the whole command: the engine's account loop and the
// aggregated JSON writer, the output counted and dropped.
func runCLI(ctx context.Context, endpoint string, n int, idsFile string, parallel int, latency time.Duration) error {
	ids, err := readAccounts(idsFile, n)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp("", "orgbench-ids-*.txt")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	fmt.Fprintln(f, strings.Join(ids, "\n"))
	f.Close()
	proxy, err := startDelay(endpoint, latency)
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull} {
		os.Setenv(k, v)
	}
	stopHeap := sampleHeap()
	out := &countingWriter{}
	var errOut bytes.Buffer
	fac := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: out, ErrOut: &errOut}, Now: time.Now}
	asOf := time.Now().AddDate(0, 0, 100).Format(time.DateOnly) // every key unused: one ListAccessKeys per user
	start := time.Now()
	code := root.Main(ctx, fac, []string{"scan", "--endpoint-url", proxy, "--as-of", asOf, "--accounts-file", f.Name(),
		"--parallel-accounts", fmt.Sprint(parallel), "-o", "json"})
	res := result{Accounts: len(ids), Parallel: parallel, LatencyMS: latency.Milliseconds(), WallS: time.Since(start).Seconds()}
	if code != 0 {
		return fmt.Errorf("iamsweep scan exited %d: %s", code, errOut.String())
	}
	// The summary is the document's last object.
	tail := string(out.tail)
	if i := strings.LastIndex(tail, `"summary": `); i >= 0 {
		var sum report.OrgSummary
		if err := json.NewDecoder(strings.NewReader(tail[i+len(`"summary": `):])).Decode(&sum); err == nil {
			res.Users, res.Findings, res.OK, res.Failed = sum.Users, sum.Findings, sum.OK, sum.Failed
		}
	}
	if a := fac.BuiltAWS(); a != nil {
		res.ByAction, res.Calls = a.Calls.Counts(), a.Calls.Total("")
	}
	res.PeakHeapMB = float64(stopHeap()) / (1 << 20)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakRSSMiB = float64(ru.Maxrss) / 1024
		res.CPUS = time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	}
	res.OutputMB = float64(out.n) / (1 << 20)
	return json.NewEncoder(io.Writer(os.Stdout)).Encode(res)
}

// Command fanoutbench measures the fan-out's per-account invocation (the
// Distributed Map's item: enter the account, scan, record to S3) in
// process, against moto seeded by bench/orgbench: wall time, CPU time,
// peak RSS and peak Go heap, for docs/scale.md. bench/fanout/run.sh runs it.
//
//	fanoutbench -endpoint URL -account 111111111111 -users 250
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
)

func main() {
	endpoint := flag.String("endpoint", "", "moto_server URL")
	account := flag.String("account", "", "member account to run in")
	users := flag.Int("users", 0, "users seeded in it (for the output only)")
	flag.Parse()
	if err := run(*endpoint, *account, *users); err != nil {
		fmt.Fprintln(os.Stderr, "fanoutbench:", err)
		os.Exit(1)
	}
}

func run(endpoint, account string, users int) error {
	ctx := context.Background()
	env := map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
		lambdafn.EnvAccounts: account, lambdafn.EnvFanoutResults: "s3://fanout-bench/iamsweep",
	}
	for k, v := range env {
		os.Setenv(k, v)
	}
	f, err := awsx.NewFactory(ctx, awsx.Options{EndpointURL: endpoint})
	if err != nil {
		return err
	}
	s3c := s3.NewFromConfig(f.Config, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fanout-bench")}); err != nil && !strings.Contains(err.Error(), "BucketAlready") {
		return err
	}
	h := &lambdafn.Handler{Getenv: os.Getenv, Log: slog.New(slog.DiscardHandler),
		Clients: func(context.Context) (*lambdafn.Clients, error) {
			return &lambdafn.Clients{SSM: f.SSM(), SNS: f.SNS(), AWS: f}, nil
		}}
	ev, _ := json.Marshal(map[string]any{"iamsweep": "account", "account": map[string]string{"id": account},
		"run": map[string]any{"id": "bench", "as_of": time.Now().Add(100 * 24 * time.Hour).UTC(), "caller": "123456789012"}})
	// Warm-up: moto generates the credential report on the first call.
	if _, err := h.Invoke(ctx, ev); err != nil {
		return err
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	var before syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	start := time.Now()
	out, err := h.Invoke(ctx, ev)
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	var after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano()+after.Stime.Nano()-before.Utime.Nano()-before.Stime.Nano()) * time.Nanosecond
	res, _ := json.Marshal(out)
	fmt.Printf(`{"users":%d,"wall_s":%.2f,"cpu_s":%.2f,"peak_rss_mib":%.1f,"peak_heap_mib":%.1f,"gb_s_at_1024mb":%.2f,"result":%s}`+"\n",
		users, wall.Seconds(), cpu.Seconds(), peakRSS(), float64(peak.Load())/(1<<20), wall.Seconds(), res)
	return nil
}

// peakRSS is VmHWM from /proc/self/status, in MiB.
func peakRSS() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

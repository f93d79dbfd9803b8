// Package bench measures iamsweep; run ./lambda.sh for the unattended
// figures recorded in BENCHMARKS.md.
package bench

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

var asOf = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// account has n users with a mix of passwords and keys, used and idle.
func account(n int) *inventory.Inventory {
	inv := &inventory.Inventory{AccountID: "123456789012"}
	for i := range n {
		u := inventory.User{Name: fmt.Sprintf("user-%05d", i), UserID: fmt.Sprintf("AIDA%016d", i), Path: "/",
			ARN: fmt.Sprintf("arn:aws:iam::123456789012:user/user-%05d", i), Created: asOf.AddDate(-2, 0, 0)}
		if i%2 == 0 {
			u.Password = inventory.Password{Enabled: true, ProfileCreated: asOf.AddDate(-1, 0, 0), LastUsed: asOf.AddDate(0, 0, -(i % 200))}
		}
		for s := 1; s <= i%3; s++ {
			k := inventory.AccessKey{Slot: s, ID: fmt.Sprintf("AKIA%016d", i*2+s), Active: true, LastRotated: asOf.AddDate(0, 0, -300)}
			if i%5 != 0 {
				k.LastUsed = asOf.AddDate(0, 0, -(i % 150))
			}
			u.AccessKeys = append(u.AccessKeys, k)
		}
		inv.Users = append(inv.Users, u)
	}
	return inv
}

func scanned(b *testing.B, n int) *scan.Result {
	set := &exclusion.Set{}
	_ = set.Add(exclusion.Entry{User: "user-0000*", Reason: "bench"})
	res, err := scan.Evaluate(account(n), rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, set, scan.SourceLive, asOf)
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// BenchmarkConfigRuleVerdicts10k: judging 10,000 users and building their
// Config evaluations (the CPU part of a Config rule invocation).
func BenchmarkConfigRuleVerdicts10k(b *testing.B) {
	inv := account(10000)
	set := &exclusion.Set{}
	for b.Loop() {
		res, err := scan.Evaluate(inv, rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, set, scan.SourceLive, asOf)
		if err != nil {
			b.Fatal(err)
		}
		if len(lambdafn.Evaluations(res, asOf)) != 10000 {
			b.Fatal("wrong count")
		}
	}
}

// BenchmarkDigest10k: the notification digest of a 10,000-user scan.
func BenchmarkDigest10k(b *testing.B) {
	res := scanned(b, 10000)
	for b.Loop() {
		d := notify.NewDigest(res, notify.DefaultTop)
		_ = d.Text()
		_ = d.JSON()
	}
}

// BenchmarkColdStart: from exec of the bootstrap to its first request for
// an event (runtime init, AWS configuration, settings check).
// IAMSWEEP_BOOTSTRAP names a bootstrap already built (to compare two).
func BenchmarkColdStart(b *testing.B) {
	bin := os.Getenv("IAMSWEEP_BOOTSTRAP")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "bootstrap")
		build := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", bin, "../cmd/iamsweep")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("%v\n%s", err, out)
		}
	}
	ready := make(chan struct{}, 1)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ready <- struct{}{}
		w.WriteHeader(http.StatusGone) // no event: the runtime exits
	})}
	go srv.Serve(l)
	defer srv.Close()
	for b.Loop() {
		cmd := exec.Command(bin)
		cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + l.Addr().String(), "AWS_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "AWS_EC2_METADATA_DISABLED=true"}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		<-ready
		b.StopTimer()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.StartTimer()
	}
}

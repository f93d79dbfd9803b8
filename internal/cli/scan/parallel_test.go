package scan_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestParallelScanIsByteIdentical: the per-user calls (key IDs) run
// concurrently, yet the JSON is the same bytes whatever --parallel is.
func TestParallelScanIsByteIdentical(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	for i := range 40 {
		name := fmt.Sprintf("svc-%02d", i)
		a.user(name, "/", nil)
		a.key(srv, name, false)
		if i%3 == 0 {
			a.key(srv, name, false)
			a.password(name)
		}
	}
	srv.Env(t)
	now := time.Now().UTC().Truncate(time.Second)
	later := now.Add(100 * 24 * time.Hour).Format(time.RFC3339)
	var outs []string
	for _, n := range []string{"1", "16", "3"} {
		res := clitest.Run(motoserver.Ctx(t), root.Main, now, "", "scan", "--output", "json", "--as-of", later, "--parallel", n)
		if res.Code != 0 {
			t.Fatalf("--parallel %s: exit %d: %s", n, res.Code, res.Stderr)
		}
		outs = append(outs, res.Stdout)
	}
	if outs[0] != outs[1] || outs[0] != outs[2] {
		t.Errorf("scan JSON differs with --parallel 1, 16 and 3:\n%s\n---\n%s", outs[0], outs[1])
	}
	_, r := runScan(t, srv, "--as-of", later, "--parallel", "16")
	named := 0
	for _, f := range r.Findings {
		if f.Rule == "unused-access-key" && f.AccessKeyID != "" {
			named++
		}
	}
	if named != 40+14 {
		t.Errorf("%d unused keys named, want 54", named)
	}
}

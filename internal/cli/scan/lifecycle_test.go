package scan_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestLiveScanReadsLifecycleTags: a live scan judges expiry and owner tags
// with the config's lifecycle settings; a credential report cannot, and
// the scan says so.
func TestLiveScanReadsLifecycleTags(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	a.user("ci-legacy", "/", map[string]string{"end-of-life": yesterday, "owner": "platform@example.com"})
	a.key(srv, "ci-legacy", true)
	a.user("untagged", "/", nil)
	cfg := filepath.Join(t.TempDir(), "iamsweep.yaml")
	if err := os.WriteFile(cfg, []byte("lifecycle:\n  expiry_tags: [end-of-life]\n  require_owner: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, res := runScan(t, srv, "--config", cfg)
	got := strings.Join(findingSet(res), "\n")
	if got != "ci-legacy expired-user\nuntagged missing-owner" {
		t.Errorf("findings:\n%s", got)
	}
	for _, f := range res.Findings {
		if f.Rule == "expired-user" && !strings.Contains(f.Message, "expired "+yesterday+" (tag end-of-life)") {
			t.Errorf("message %q", f.Message)
		}
	}
	for _, u := range res.Users {
		if u.Name == "ci-legacy" && (u.Lifecycle == nil || u.Lifecycle.Owner != "platform@example.com" || u.Lifecycle.ExpiryTag != "end-of-life") {
			t.Errorf("ci-legacy lifecycle %+v", u.Lifecycle)
		}
	}

	// Offline: no tags, no lifecycle rules, and a warning.
	off := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", "scan", "--credential-report", "../../../examples/credential-report.csv",
		"--config", cfg, "--output", "json", "--as-of", "2026-11-23")
	if !strings.Contains(off.Stderr, "a credential report file has no tags, so the lifecycle rules (expiry, owner) cannot run") || strings.Contains(off.Stdout, "missing-owner") {
		t.Errorf("offline: exit %d, stderr %q", off.Code, off.Stderr)
	}
}

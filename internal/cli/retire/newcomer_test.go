package retire_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// A user iamsweep disabled shows as disabled in the scan (with the dates),
// a delete dry run inside the quarantine refuses after one read of the
// user, and a second restore says when the first one was.
func TestDisabledUserAcrossCommands(t *testing.T) {
	a := iamfixture.NewAccount(t)
	a.FullUser("alice")
	retiretest.User(t, a, "moto", nil) // the caller
	retiretest.Env(t, a)

	retiretest.CLI(t, a, 0, "disable", "alice", "--yes", "--reason", "unused (100 days)")

	res := retiretest.CLI(t, a, 0, "scan", "-o", "json")
	var r scan.Result
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatal(err)
	}
	var alice *scan.User
	for i := range r.Users {
		if r.Users[i].Name == "alice" {
			alice = &r.Users[i]
		}
	}
	if alice == nil || alice.Status != scan.StatusDisabled || alice.DisabledAt == nil || alice.DeletableFrom == nil {
		t.Fatalf("alice in the scan: %+v", alice)
	}
	if got := alice.DeletableFrom.Sub(*alice.DisabledAt); got != 14*24*time.Hour {
		t.Errorf("deletable %s after the disable, want the 14-day quarantine", got)
	}
	if r.Summary.Disabled != 1 {
		t.Errorf("summary %+v: want 1 disabled", r.Summary)
	}
	if table := retiretest.CLI(t, a, 0, "scan", "-o", "table"); !strings.Contains(table.Stdout, "Disabled by iamsweep (1") || !strings.Contains(table.Stdout, "1 disabled") {
		t.Errorf("table:\n%s", table.Stdout)
	}
	if !strings.Contains(alice.Tags["iamsweep:reason"], "unused - 100 days") {
		t.Errorf("reason tag %q", alice.Tags["iamsweep:reason"])
	}

	// delete inside the quarantine: refused on GetUser alone
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
	if code := root.Main(a.Ctx, f, []string{"delete", "alice"}); code != 1 || !strings.Contains(errOut.String(), "quarantine") {
		t.Fatalf("delete in quarantine: exit %d: %s", code, errOut.String())
	}
	for _, action := range f.BuiltAWS().Calls.Actions() {
		if action != "iam:GetUser" && action != "sts:GetCallerIdentity" {
			t.Errorf("delete in quarantine read %s before refusing", action)
		}
	}

	retiretest.CLI(t, a, 0, "restore", "alice", "--yes", "--print-password")
	again := retiretest.CLI(t, a, 1, "restore", "alice", "--yes")
	if !strings.Contains(again.Stderr, "already restored on") || strings.Contains(again.Stderr, "did not disable") {
		t.Errorf("second restore: %s", again.Stderr)
	}
}

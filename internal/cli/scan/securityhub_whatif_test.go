package scan_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// hubState is each finding's compliance status and record state, by ID.
func hubState(t *testing.T, ctx context.Context, hub *securityhub.Client) map[string]string {
	t.Helper()
	out := map[string]string{}
	p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Findings {
			status := ""
			if f.Compliance != nil {
				status = string(f.Compliance.Status)
			}
			out[aws.ToString(f.Id)] = status + " " + string(f.RecordState)
		}
	}
	return out
}

// TestWhatIfScanLeavesSecurityHubAlone: Security Hub is the account's
// compliance record, so a what-if run (another as-of, an ad hoc
// exclusion, another threshold) is refused before it can resolve a
// still-failing finding as PASSED; the findings stay FAILED and ACTIVE.
func TestWhatIfScanLeavesSecurityHubAlone(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	// Expired on the real clock: failing now, with no what-if.
	a.user("contractor", "/", map[string]string{lifecycle.TagExpires: "2020-01-01"})
	a.key(srv, "contractor", false)
	a.user("temp", "/", map[string]string{lifecycle.TagExpires: "2021-06-30"})
	ctx := motoserver.Ctx(t)
	hub := securityhub.NewFromConfig(srv.Config())
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	srv.Env(t)
	scan := func(args ...string) clitest.Result {
		return clitest.Run(ctx, root.Main, time.Now(), "", append([]string{"scan", "--output", "json", "--securityhub"}, args...)...)
	}
	if res := scan(); res.Code != 0 {
		t.Fatalf("authoritative scan: exit %d: %s", res.Code, res.Stderr)
	}
	before := hubState(t, ctx, hub)
	failing := 0
	for _, st := range before {
		if st == "FAILED ACTIVE" {
			failing++
		}
	}
	if failing < 2 {
		t.Fatalf("want the expired users failing in Security Hub, got %v", before)
	}
	for _, whatIf := range [][]string{
		{"--as-of", "2020-01-01"},
		{"--exclude", "*"},
		{"--exclude-tag", lifecycle.TagExpires},
		{"--max-unused-days", "3650"},
		{"--rotation-days", "3650"},
	} {
		res := scan(whatIf...)
		if res.Code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", whatIf, res.Code, res.Stderr)
		}
		after := hubState(t, ctx, hub)
		for id, st := range before {
			if after[id] != st {
				t.Errorf("%v: finding %s went from %q to %q", whatIf, id, st, after[id])
			}
		}
		if len(after) != len(before) {
			t.Errorf("%v: %d findings in Security Hub, want %d", whatIf, len(after), len(before))
		}
	}
	// A flag repeating the configured value judges as configured.
	if res := scan("--max-unused-days", "90"); res.Code != 0 {
		t.Errorf("--max-unused-days 90 (the default): exit %d: %s", res.Code, res.Stderr)
	}
}

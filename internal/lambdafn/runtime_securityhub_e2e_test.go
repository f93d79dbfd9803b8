package lambdafn_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestFunctionImportsIntoSecurityHub: with IAMSWEEP_SECURITYHUB=true the
// scheduled scan's findings go to Security Hub, and the next run updates
// them rather than adding more. An event dated elsewhere (a what-if run)
// is refused and leaves every finding FAILED and ACTIVE.
func TestFunctionImportsIntoSecurityHub(t *testing.T) {
	a := newAccount(t)
	a.user("old-ci", false, 1)
	a.user("dave", false, 0)
	ctx := motoserver.Ctx(t)
	// Expired by their tags: failing on the real clock, which is the only
	// clock Security Hub is written on.
	for _, u := range []string{"old-ci", "dave"} {
		if _, err := a.iam.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(u), Tags: []iamtypes.Tag{{Key: aws.String(lifecycle.TagExpires), Value: aws.String("2020-01-01")}}}); err != nil {
			t.Fatal(err)
		}
	}
	hub := securityhub.NewFromConfig(a.srv.Config())
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["IAMSWEEP_SECURITYHUB"] = "true"
	fn := startFunction(t, addr, env)
	ctx = motoserver.Ctx(t) // building the function may take a while on a loaded machine
	now := time.Now().UTC().Truncate(time.Second)
	state := func() map[string]string {
		out := map[string]string{}
		p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page.Findings {
				out[aws.ToString(f.Id)] = string(f.Compliance.Status) + " " + string(f.RecordState)
			}
		}
		return out
	}
	count := func() int { return len(state()) }
	var first int
	for run := range 2 {
		res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": now.Format(time.RFC3339), "detail": map[string]any{}})
		if res.Error {
			t.Fatalf("run %d failed: %s\n%s", run, res.Body, fn.output())
		}
		var out struct {
			SecurityHub *struct{ Imported, Resolved, Unchanged int } `json:"securityhub"`
		}
		if err := json.Unmarshal(res.Body, &out); err != nil || out.SecurityHub == nil {
			t.Fatalf("run %d: %s", run, res.Body)
		}
		// The second run finds everything unchanged and sends nothing.
		if h := out.SecurityHub; run == 0 && h.Imported == 0 || run == 1 && (h.Imported != 0 || h.Unchanged != first) {
			t.Errorf("run %d: %s", run, res.Body)
		}
		if run == 0 {
			first = count()
			if first != out.SecurityHub.Imported {
				t.Errorf("%d findings in the hub, %d imported", first, out.SecurityHub.Imported)
			}
		} else if got := count(); got != first {
			t.Errorf("second run: %d findings, want %d (no duplicates)", got, first)
		}
	}
	before := state()
	for id, st := range before {
		if st != "FAILED ACTIVE" {
			t.Fatalf("finding %s is %q after the runs, want FAILED ACTIVE", id, st)
		}
	}
	// 120 days ahead every key is unused, and a year back nothing had
	// expired yet: neither may rewrite the record.
	for _, at := range []time.Time{now.AddDate(0, 0, 120), time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)} {
		res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": at.Format(time.RFC3339), "detail": map[string]any{}})
		if !res.Error {
			t.Errorf("event dated %s: imported into Security Hub: %s", at, res.Body)
		}
		after := state()
		for id, st := range before {
			if after[id] != st {
				t.Errorf("event dated %s: finding %s went from %q to %q", at, id, st, after[id])
			}
		}
	}
}

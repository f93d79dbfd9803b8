package lambdafn_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestFunctionImportsIntoSecurityHub: with IAMSWEEP_SECURITYHUB=true the
// scheduled scan's findings go to Security Hub, and the next run updates
// them rather than adding more.
func TestFunctionImportsIntoSecurityHub(t *testing.T) {
	a := newAccount(t)
	a.user("old-ci", false, 1)
	a.user("dave", false, 0)
	hub := securityhub.NewFromConfig(a.srv.Config())
	ctx := motoserver.Ctx(t)
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["IAMSWEEP_SECURITYHUB"] = "true"
	fn := startFunction(t, addr, env)
	later := time.Now().UTC().Add(120 * 24 * time.Hour).Truncate(time.Second)
	count := func() int {
		n := 0
		p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Findings)
		}
		return n
	}
	var first int
	for run := range 2 {
		res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": later.Format(time.RFC3339), "detail": map[string]any{}})
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
}

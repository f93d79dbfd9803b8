package race_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// stormRun is what one scan, plan and apply left behind.
type stormRun struct {
	findings, actions, snapshot string
	// steps are each user's audit actions, in the log's order.
	steps     map[string][]string
	throttled int
}

// TestThrottlingStormEndsAsAnUnthrottledRun: behind a proxy that answers
// Throttling past 10 requests per second, scan, plan and apply with 16
// users in flight slow down instead of failing, and end with exactly the
// findings, plan and account of an unthrottled run. The audit log's
// lines stay whole, and each user's steps in order.
func TestThrottlingStormEndsAsAnUnthrottledRun(t *testing.T) {
	calm := stormScenario(t, 0)
	storm := stormScenario(t, 10)
	if storm.throttled == 0 {
		t.Fatal("the proxy throttled nothing: no storm")
	}
	t.Logf("%d requests answered Throttling", storm.throttled)
	if storm.findings != calm.findings {
		t.Errorf("findings under the storm:\n%s\nunthrottled:\n%s", storm.findings, calm.findings)
	}
	if storm.actions != calm.actions {
		t.Errorf("plan under the storm: %s\nunthrottled: %s", storm.actions, calm.actions)
	}
	if storm.snapshot != calm.snapshot {
		t.Errorf("account after the storm:\n%s\nunthrottled:\n%s", storm.snapshot, calm.snapshot)
	}
	if fmt.Sprint(storm.steps) != fmt.Sprint(calm.steps) {
		t.Errorf("audit steps per user under the storm:\n%v\nunthrottled:\n%v", storm.steps, calm.steps)
	}
}

var disabledAt = regexp.MustCompile(`iamsweep:disabled-at=[^;\n]*`)

func stormScenario(t *testing.T, throttle int) stormRun {
	a := iamfixture.NewAccount(t)
	for i := range 6 {
		retiretest.User(t, a, fmt.Sprintf("svc-%02d", i), nil)
	}
	retiretest.Env(t, a)
	a.Proxy.Throttle(throttle)
	// The users look 100 days unused on a clock 100 days ahead: a
	// changing command judges on the (real) clock, never on --as-of.
	clock := retiretest.Later(100)
	retiretest.CLIAt(t, a, clock, 0, "scan", "--parallel", "16", "--output-file", "scan.json")
	retiretest.CLIAt(t, a, clock, 0, "plan", "--no-evidence", "--parallel", "16", "--output-file", "plan.json")
	retiretest.CLIAt(t, a, clock, 0, "apply", "plan.json", "--yes", "--parallel", "16")
	a.Proxy.Throttle(0)

	var out stormRun
	out.throttled = a.Proxy.Throttled()
	out.actions = retiretest.Actions(retiretest.ReadPlan(t, "plan.json"))
	data, err := os.ReadFile("scan.json")
	if err != nil {
		t.Fatal(err)
	}
	var res scan.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	var fs []string
	for _, f := range res.Findings {
		if f.Rule == "unused-access-key" && f.AccessKeyID == "" {
			t.Errorf("throttle %d: %s's key is not named", throttle, f.UserName)
		}
		fs = append(fs, f.UserName+" "+f.Rule+" "+f.Credential)
	}
	sort.Strings(fs)
	out.findings = strings.Join(fs, "\n")
	out.snapshot = disabledAt.ReplaceAllString(iamfixture.Snapshot(t, a.Ctx, a.API, a.API), "iamsweep:disabled-at=T")

	f, err := os.Open(remediate.DefaultAuditLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out.steps = map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r remediate.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("throttle %d: audit line is not whole JSON: %v\n%s", throttle, err, sc.Text())
		}
		if r.Result != "ok" {
			t.Errorf("throttle %d: audit %s %s: %s %s", throttle, r.User, r.Action, r.Result, r.Error)
		}
		out.steps[r.User] = append(out.steps[r.User], r.Action)
	}
	return out
}

package retire_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

func skipReason(p *plan.Plan, user string) string {
	for _, s := range p.Skipped {
		if s.User == user {
			return s.Reason
		}
	}
	return ""
}

// TestPlanDeletesOnlyWithEvidenceAndNoAttempts: bob and erin were disabled
// 15 days ago; somebody still tries bob's (inactive) key.
func TestPlanDeletesOnlyWithEvidenceAndNoAttempts(t *testing.T) {
	a := iamfixture.NewAccount(t)
	bobKey, _ := retiretest.User(t, a, "bob", nil)
	retiretest.User(t, a, "erin", nil)
	retiretest.Env(t, a)
	fake := retiretest.EvidenceServer(t, a)
	// Only the key names the caller: the lookup by key ID must find it,
	// though a disabled user's inactive key is not in the scan.
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{{ID: "b1", Time: time.Now().Add(24 * time.Hour), Name: "ListBuckets", AccessKeyID: bobKey, SourceIP: "10.0.0.9", ErrorCode: "InvalidClientTokenId"}}
	retiretest.CLI(t, a, 0, "disable", "bob", "--yes", "--reason", "unused")
	retiretest.CLI(t, a, 0, "disable", "erin", "--yes", "--reason", "unused")

	// without evidence: nothing is deleted, and the summary says why
	res := retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(15), "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if len(p.Actions) != 0 || skipReason(p, "bob") != plan.NoEvidenceReason || skipReason(p, "erin") != plan.NoEvidenceReason {
		t.Errorf("plan without evidence: %s %+v", retiretest.Actions(p), p.Skipped)
	}
	if !strings.Contains(res.Stdout, "Evidence: none (no evidence") {
		t.Errorf("summary:\n%s", res.Stdout)
	}

	// with evidence: erin goes, bob stays with the attempt as the reason
	res = retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(15), "--gather-evidence", "--output-file", "plan.json")
	p = retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "delete erin" {
		t.Errorf("plan with evidence: %s\n%s", retiretest.Actions(p), res.Stdout)
	}
	if why := skipReason(p, "bob"); !strings.Contains(why, "1 attempt(s) after it was disabled") || !strings.Contains(why, "InvalidClientTokenId") {
		t.Errorf("bob: %q", why)
	}
	if !strings.Contains(res.Stderr, "gathered evidence for 2 user(s) in 1 region(s): 1 unused, 1 in use, 0 unknown, 1 with attempts") {
		t.Errorf("stderr: %s", res.Stderr)
	}
	if ev := p.Actions[0].Evidence; ev == nil || ev.Verdict != "unused" || !strings.Contains(strings.Join(ev.Sources, ","), "cloudtrail") || p.Evidence.GeneratedAt == nil {
		t.Errorf("erin's evidence %+v, plan's %+v", ev, p.Evidence)
	}

	// --no-evidence deletes both, and says so in the plan
	res = retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(15), "--no-evidence", "--output-file", "plan.json")
	p = retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "delete bob, delete erin" || p.Evidence.Mode != plan.EvidenceNone || !strings.Contains(p.Evidence.Note, "--no-evidence") {
		t.Errorf("--no-evidence: %s %+v", retiretest.Actions(p), p.Evidence)
	}
	if !strings.Contains(res.Stdout, "Evidence: none (--no-evidence") {
		t.Errorf("summary:\n%s", res.Stdout)
	}
}

// TestPlanDisablesOnlyUsersProvenUnused: IAM says alice and dave are
// unused; CloudTrail shows dave at work five days ago.
func TestPlanDisablesOnlyUsersProvenUnused(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "alice", nil)
	daveKey, _ := retiretest.User(t, a, "dave", nil)
	retiretest.Env(t, a)
	fake := retiretest.EvidenceServer(t, a)
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{{ID: "d1", Time: time.Now().Add(95 * 24 * time.Hour), Name: "DescribeInstances", UserName: "dave", AccessKeyID: daveKey, SourceIP: "10.1.2.3"}}

	res := retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(100), "--gather-evidence", "--regions", "us-east-1", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "disable alice" || !strings.HasPrefix(skipReason(p, "dave"), "evidence: in-use: used: ") || !strings.Contains(skipReason(p, "dave"), "DescribeInstances") {
		t.Errorf("plan: %s; dave: %q\n%s", retiretest.Actions(p), skipReason(p, "dave"), res.Stdout)
	}
	if fake.Count("account:ListRegions") != 0 {
		t.Error("--regions was not passed through")
	}

	// the same from a dossier file
	retiretest.CLI(t, a, 0, "evidence", "--as-of", retiretest.Days(100), "--regions", "us-east-1", "-o", "json", "--output-file", "ev.json")
	retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(100), "--evidence-file", "ev.json", "--output-file", "plan.json")
	p = retiretest.ReadPlan(t, "plan.json")
	if retiretest.Actions(p) != "disable alice" || p.Evidence.Mode != plan.EvidenceFile || p.Evidence.File != "ev.json" || skipReason(p, "dave") == "" {
		t.Errorf("plan --evidence: %s %+v", retiretest.Actions(p), p.Evidence)
	}

	// a dossier of another account, or too old, is refused
	data, err := os.ReadFile("ev.json")
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(string(data), `"account_id": "123456789012"`, `"account_id": "999988887777"`, 1)
	if err := os.WriteFile("other.json", []byte(other), 0o600); err != nil {
		t.Fatal(err)
	}
	res = retiretest.CLI(t, a, 1, "plan", "--as-of", retiretest.Days(100), "--evidence-file", "other.json")
	if !strings.Contains(res.Stderr, "account 999988887777 but the scan is of account 123456789012") {
		t.Errorf("another account: %s", res.Stderr)
	}
	res = retiretest.CLI(t, a, 1, "plan", "--as-of", retiretest.Days(103), "--evidence-file", "ev.json")
	if !strings.Contains(res.Stderr, "more than 1 day(s) before the plan's as-of") {
		t.Errorf("old dossier: %s", res.Stderr)
	}
	retiretest.CLI(t, a, 2, "plan", "--evidence-file", "ev.json", "--no-evidence")
	retiretest.CLI(t, a, 2, "plan", "--regions", "us-east-1")
	retiretest.CLI(t, a, 2, "plan", "--evidence-file", "missing.json")
}

// TestPlanUnknownIsNeverUnused: CloudTrail denies LookupEvents, so
// neither alice (to disable) nor bob (to delete) is proven unused.
func TestPlanUnknownIsNeverUnused(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "alice", nil)
	retiretest.User(t, a, "bob", nil)
	retiretest.Env(t, a)
	fake := retiretest.EvidenceServer(t, a)
	retiretest.CLI(t, a, 0, "disable", "bob", "--yes", "--reason", "unused")
	fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Action == "cloudtrail:LookupEvents" {
			return "AccessDeniedException"
		}
		return ""
	}
	res := retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(100), "--gather-evidence", "--output-file", "plan.json")
	p := retiretest.ReadPlan(t, "plan.json")
	if len(p.Actions) != 0 {
		t.Errorf("planned on unknown evidence: %s\n%s", retiretest.Actions(p), res.Stdout)
	}
	for _, u := range []string{"alice", "bob"} {
		if why := skipReason(p, u); !strings.Contains(why, "unknown, never treated as unused: could not read cloudtrail in us-east-1 (missing permission cloudtrail:LookupEvents)") {
			t.Errorf("%s: %q", u, why)
		}
	}
}

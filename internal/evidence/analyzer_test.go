package evidence

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

func TestAnalyzerFindsTheUnusedAccessAnalyzerAndReadsEveryPage(t *testing.T) {
	fake := fakeaws.Start(t, "")
	const unused = "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/unused"
	fake.Analyzers["us-east-1"] = []fakeaws.Analyzer{{ARN: "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/external", Name: "external", Type: "ACCOUNT", Status: "ACTIVE"}}
	fake.Analyzers["eu-west-1"] = []fakeaws.Analyzer{
		{ARN: "arn:aws:access-analyzer:eu-west-1:123456789012:analyzer/org", Name: "org", Type: "ORGANIZATION_UNUSED_ACCESS", Status: "ACTIVE"},
		{ARN: unused, Name: "unused", Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"},
	}
	fake.Findings[unused] = []fakeaws.Finding{
		{ID: "f1", UserARN: arnPrefix + "alice", FindingType: "UnusedIAMUserAccessKey", Status: "ACTIVE"},
		{ID: "f2", UserARN: arnPrefix + "alice", FindingType: "UnusedIAMUserPassword", Status: "ACTIVE"},
		{ID: "f3", UserARN: arnPrefix + "bob", FindingType: "UnusedIAMUserAccessKey", Status: "RESOLVED"},
		{ID: "f4", UserARN: arnPrefix + "carol", FindingType: "UnusedIAMUserPassword", Status: "ACTIVE"},
	}
	fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Region == "ap-south-1" {
			return "AccessDeniedException"
		}
		return ""
	}
	a := &AccessAnalyzer{Clients: analyzerClients(fake, []string{"us-east-1", "eu-west-1", "ap-south-1"})}
	got := a.Read(context.Background())
	if got.AnalyzerARN != unused || got.Region != "eu-west-1" {
		t.Errorf("analyzer %s in %s, want the account unused-access one", got.AnalyzerARN, got.Region)
	}
	alice := got.ByUser[arnPrefix+"alice"]
	if alice == nil || !alice.UnusedAccessKey || !alice.UnusedPassword || !slices.Equal(alice.FindingIDs, []string{"f1", "f2"}) {
		t.Errorf("alice: %+v", alice)
	}
	if got.ByUser[arnPrefix+"bob"] != nil {
		t.Error("a resolved finding was read as active")
	}
	if c := got.ByUser[arnPrefix+"carol"]; c == nil || !c.UnusedPassword {
		t.Errorf("carol's finding on the last page was missed: %+v", c)
	}
	if len(got.Errors) != 1 || got.Errors[0].Region != "ap-south-1" || !strings.Contains(got.Errors[0].Error, "access-analyzer:ListAnalyzers") {
		t.Errorf("errors %+v", got.Errors)
	}
}

func TestCompareAnalyzer(t *testing.T) {
	af := &AnalyzerFindings{AnalyzerARN: "arn:x", ByUser: map[string]*AnalyzerView{"arn:a": {AnalyzerARN: "arn:x", UnusedAccessKey: true}}}
	cases := []struct {
		arn, verdict string
		key          bool
		want         string
	}{
		{"arn:a", VerdictUnused, true, AgreementAgrees},
		{"arn:a", VerdictInUse, true, AgreementDisagrees},
		{"arn:b", VerdictUnused, true, AgreementDisagrees},
		{"arn:b", VerdictUnused, false, AgreementAgrees},
		{"arn:b", VerdictInUse, true, AgreementAgrees},
		{"arn:b", VerdictUnknown, true, AgreementUnknown},
	}
	for _, c := range cases {
		u := &UserDossier{ARN: c.arn, Verdict: c.verdict}
		if got := compareAnalyzer(u, af, false, c.key); got.Agreement != c.want {
			t.Errorf("%s %s key=%v: %s (%s), want %s", c.arn, c.verdict, c.key, got.Agreement, got.AgreementDetail, c.want)
		}
	}
	if got := compareAnalyzer(&UserDossier{Verdict: VerdictUnused}, &AnalyzerFindings{}, false, true); got.Agreement != AgreementNoAnalyzer {
		t.Errorf("no analyzer: %+v", got)
	}
}

func TestEnabledRegions(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Regions = []string{"us-east-1", "eu-west-1", "af-south-1"}
	got, err := EnabledRegions(context.Background(), accountClient(fake))
	if err != nil || !slices.Equal(got, []string{"af-south-1", "eu-west-1", "us-east-1"}) {
		t.Errorf("%v %v", got, err)
	}
	fake.Fail = func(fakeaws.Request, int) string { return "AccessDeniedException" }
	if _, err := EnabledRegions(context.Background(), accountClient(fake)); err == nil || !strings.Contains(err.Error(), "pass --regions") || !strings.Contains(err.Error(), "account:ListRegions") {
		t.Errorf("denied: %v", err)
	}
}

// Issue 19.7: when every region refused, the source failed (not partial),
// says so in one line, and never claims "no analyzer found".
func TestAnalyzerFailedEverywhereIsFailed(t *testing.T) {
	fake, subjects := scenario(t)
	fake.Fail = func(r fakeaws.Request, n int) string {
		if strings.HasPrefix(r.Action, "access-analyzer:") {
			return "AccessDeniedException"
		}
		return ""
	}
	regions := make([]string, 38)
	for i := range regions {
		regions[i] = fmt.Sprintf("xx-test-%d", i+1)
	}
	g := &Gatherer{Analyzer: &AccessAnalyzer{Clients: analyzerClients(fake, regions)}, Logs: fakeLogs{}}
	d, err := g.Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf, Regions: regions, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	var run SourceRun
	for _, s := range d.Sources {
		if s.Name == SourceAccessAnalyzer {
			run = s
		}
	}
	if run.Status != RunFailed || !strings.Contains(run.Detail, "all 38 region(s)") || strings.Contains(run.Detail, "no active") ||
		strings.Count(run.Detail, "operation error") != 1 || strings.Contains(run.Detail, "\n") {
		t.Errorf("source %+v, want failed in one line naming all 38 regions and the cause once", run)
	}
	for _, u := range d.Users {
		if u.AccessAnalyzer.Agreement != AgreementUnknown || strings.Count(u.AccessAnalyzer.AgreementDetail, "xx-test-") > 0 {
			t.Errorf("%s: analyzer %+v, want unknown without a list of 38 regions", u.Name, u.AccessAnalyzer)
		}
	}
}

package scan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/testutil/orgfixture"
)

// orgDoc is the organization JSON as a program reads it.
type orgDoc struct {
	Kind     string              `json:"kind"`
	Findings []rules.Finding     `json:"findings"`
	Accounts []report.OrgAccount `json:"accounts"`
	Summary  report.OrgSummary   `json:"summary"`
}

// newOrg: three members with 1, 2 and 3 users (one access key each) and
// an admin in the management account; the second member's role cannot
// be assumed.
func newOrg(t *testing.T) *orgfixture.Org {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 3)
	for i, id := range o.Members {
		for j := range i + 1 {
			o.User(id, fmt.Sprintf("user-%d-%d", i, j))
		}
	}
	o.User(motoserver.AccountID, "admin")
	srv.Env(t)
	return o
}

// runOrg runs iamsweep 100 days from now against the organization; every
// call made as the caller (all but the members' IAM reads) must be
// granted by deploy/policies/org-central.json.
func runOrg(t *testing.T, o *orgfixture.Org, args ...string) clitest.Result {
	t.Helper()
	return runOrgAsOf(t, o, time.Now().UTC().AddDate(0, 0, 100).Format(time.DateOnly), args...)
}

// runOrgAsOf is runOrg as of asOf; "" is the real clock (no --as-of).
func runOrgAsOf(t *testing.T, o *orgfixture.Org, asOf string, args ...string) clitest.Result {
	t.Helper()
	// --as-of is the command's flag: the command comes first.
	full := append([]string{args[0], "--endpoint-url", o.URL}, args[1:]...)
	if asOf != "" {
		full = append([]string{args[0], "--endpoint-url", o.URL, "--as-of", asOf}, args[1:]...)
	}
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, Now: time.Now}
	res := clitest.Result{Code: root.Main(motoserver.Ctx(t), f, full), Stdout: out.String(), Stderr: errOut.String()}
	if a := f.BuiltAWS(); a == nil {
		if res.Code != 2 { // a usage error is refused before any call
			t.Errorf("%v made no AWS call", args)
		}
	} else {
		if a.Calls.Counts()["sts:AssumeRole"] == 0 {
			t.Errorf("%v assumed no role: the policy check proves nothing", args)
		}
		central, err := iampolicy.Load("../../../deploy/policies/org-central.json")
		if err != nil {
			t.Fatal(err)
		}
		for _, action := range a.Calls.Actions() {
			if !strings.HasPrefix(action, "iam:") && !central.Allows(action) && !iampolicy.NeedsNoPermission[action] {
				t.Errorf("%v called %s, which deploy/policies/org-central.json does not allow", args, action)
			}
		}
	}
	return res
}

func TestScanOrgFindsPerAccountAndFailsTheDeniedOne(t *testing.T) {
	o := newOrg(t)
	o.Deny(o.Members[1])
	res := runOrg(t, o, "scan", "--org", "--parallel-accounts", "2", "-o", "json", "--debug")
	if res.Code != 16 {
		t.Fatalf("exit %d, want 16 (some accounts failed): %s", res.Code, res.Stderr)
	}
	var d orgDoc
	if err := json.Unmarshal([]byte(res.Stdout), &d); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.Stdout)
	}
	if d.Kind != "organization" || len(d.Accounts) != 4 || d.Summary.OK != 3 || d.Summary.Failed != 1 {
		t.Fatalf("accounts %+v summary %+v", d.Accounts, d.Summary)
	}
	byID := map[string]report.OrgAccount{}
	for _, a := range d.Accounts {
		byID[a.ID] = a
	}
	if a := byID[o.Members[1]]; a.Status != "failed" || !strings.Contains(a.Error, "AccessDenied") || a.Name != "member-1" {
		t.Errorf("denied member: %+v", a)
	}
	users := map[string][]string{}
	for _, f := range d.Findings {
		if f.Rule == rules.UnusedUser {
			users[f.AccountID] = append(users[f.AccountID], f.UserName)
		}
	}
	for i, id := range o.Members {
		a := byID[id]
		if i == 1 {
			if len(users[id]) != 0 {
				t.Errorf("findings for the failed account: %v", users[id])
			}
			continue
		}
		if a.Status != "ok" || a.Users != i+1 || a.Name != fmt.Sprintf("member-%d", i) || len(users[id]) != i+1 {
			t.Errorf("member %d: %+v, unused users %v", i, a, users[id])
		}
	}
	if a := byID[motoserver.AccountID]; a.Status != "ok" || !slices.Contains(users[motoserver.AccountID], "admin") {
		t.Errorf("management account: %+v %v", a, users[motoserver.AccountID])
	}
	if !strings.Contains(res.Stderr, "account="+o.Members[2]) {
		t.Errorf("--debug logs do not name the account:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stderr, "1 of 4 account(s) failed") {
		t.Errorf("stderr: %s", res.Stderr)
	}

	// The table says the same per account, and ends with the summary.
	res = runOrg(t, o, "scan", "--org", "-o", "table")
	if res.Code != 16 || !strings.Contains(res.Stdout, "Account "+o.Members[2]) ||
		!strings.Contains(res.Stdout, "Accounts as of") || !strings.Contains(res.Stdout, "4 accounts: 3 ok, 1 failed") {
		t.Errorf("table, exit %d:\n%s", res.Code, res.Stdout)
	}
}

func TestScanOrgImportsIntoSecurityHubWithoutDuplicates(t *testing.T) {
	o := newOrg(t)
	hub := securityhub.NewFromConfig(o.Base)
	ctx := motoserver.Ctx(t)
	if _, err := hub.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
		t.Fatal(err)
	}
	// Security Hub is written on the real clock only: users expired by
	// their tag fail now, with no --as-of.
	for _, m := range []int{0, 2} {
		for j := range m + 1 {
			if _, err := o.IAM(o.Members[m]).TagUser(ctx, &iam.TagUserInput{UserName: aws.String(fmt.Sprintf("user-%d-%d", m, j)),
				Tags: []iamtypes.Tag{{Key: aws.String(lifecycle.TagExpires), Value: aws.String("2020-01-01")}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	res := runOrgAsOf(t, o, "", "scan", "--accounts", o.Members[0]+","+o.Members[2], "--securityhub", "-o", "asff")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	var asff struct{ Findings []map[string]any }
	if err := json.Unmarshal([]byte(res.Stdout), &asff); err != nil {
		t.Fatalf("asff: %v\n%s", err, res.Stdout)
	}
	accounts := map[string]bool{}
	for _, f := range asff.Findings {
		for _, k := range []string{"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Resources"} {
			if f[k] == nil {
				t.Errorf("finding %v lacks %s", f["Id"], k)
			}
		}
		accounts[f["AwsAccountId"].(string)] = true
		if f["AwsAccountName"] == nil {
			t.Errorf("finding %v lacks the account name", f["Id"])
		}
	}
	if len(accounts) != 2 || !accounts[o.Members[0]] || !accounts[o.Members[2]] {
		t.Errorf("asff accounts %v", accounts)
	}
	count := func() int {
		n := 0
		p := securityhub.NewGetFindingsPaginator(hub, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
			RecordState: []shtypes.StringFilter{{Value: aws.String("ACTIVE"), Comparison: shtypes.StringFilterComparisonEquals}},
		}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Findings)
		}
		return n
	}
	if got := count(); got != len(asff.Findings) || got == 0 {
		t.Fatalf("%d findings in Security Hub, want the %d written", got, len(asff.Findings))
	}
	if !strings.Contains(res.Stderr, fmt.Sprintf("%d finding(s) imported", len(asff.Findings))) {
		t.Errorf("stderr: %s", res.Stderr)
	}
	res = runOrgAsOf(t, o, "", "scan", "--accounts", o.Members[0]+","+o.Members[2], "--securityhub", "-o", "json")
	if res.Code != 0 {
		t.Fatalf("re-run: exit %d: %s", res.Code, res.Stderr)
	}
	if got := count(); got != len(asff.Findings) {
		t.Errorf("re-run: %d findings, want %d (no duplicates)", got, len(asff.Findings))
	}
	// A what-if across the organization is refused before any account is
	// read: every finding stays FAILED and ACTIVE.
	before := hubState(t, ctx, hub)
	for _, whatIf := range [][]string{{"--as-of", "2020-01-01"}, {"--exclude", "*"}, {"--max-unused-days", "3650"}} {
		res = runOrgAsOf(t, o, "", append([]string{"scan", "--accounts", o.Members[0] + "," + o.Members[2], "--securityhub", "-o", "json"}, whatIf...)...)
		if res.Code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", whatIf, res.Code, res.Stderr)
		}
		after := hubState(t, ctx, hub)
		for id, st := range before {
			if st != "FAILED ACTIVE" || after[id] != st {
				t.Errorf("%v: finding %s %q, then %q; want FAILED ACTIVE throughout", whatIf, id, st, after[id])
			}
		}
	}
}

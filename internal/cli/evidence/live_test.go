package evidence_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// account is moto (IAM, STS, S3) behind the fake (CloudTrail, Access
// Advisor, Access Analyzer, Account), both at one endpoint, judged 100
// days after the users were created.
type account struct {
	t    *testing.T
	ctx  context.Context
	iam  *iam.Client
	fake *fakeaws.Server
	asOf time.Time
	keys map[string]string
}

func newAccount(t *testing.T) *account {
	srv := motoserver.Shared(t)
	srv.Reset(t)
	fake := fakeaws.Start(t, srv.URL)
	fake.Regions = []string{"us-east-1"}
	(&motoserver.Server{URL: fake.URL}).Env(t)
	return &account{
		t: t, ctx: motoserver.Ctx(t), iam: iam.NewFromConfig(srv.Config()), fake: fake,
		asOf: time.Now().UTC().Add(100 * 24 * time.Hour).Truncate(time.Second), keys: map[string]string{},
	}
}

func (a *account) user(name string, tags map[string]string, key bool) {
	a.t.Helper()
	in := &iam.CreateUserInput{UserName: aws.String(name)}
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := a.iam.CreateUser(a.ctx, in); err != nil {
		a.t.Fatal(err)
	}
	if !key {
		return
	}
	out, err := a.iam.CreateAccessKey(a.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		a.t.Fatal(err)
	}
	a.keys[name] = aws.ToString(out.AccessKey.AccessKeyId)
	if _, ok := tags[evidence.DisabledAtTag]; ok {
		_, err := a.iam.UpdateAccessKey(a.ctx, &iam.UpdateAccessKeyInput{UserName: aws.String(name), AccessKeyId: out.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive})
		if err != nil {
			a.t.Fatal(err)
		}
	}
}

func (a *account) ago(days int) time.Time { return a.asOf.Add(-time.Duration(days) * 24 * time.Hour) }

func (a *account) run(args ...string) clitest.Result {
	a.t.Helper()
	full := append(args, "--as-of", a.asOf.Format(time.RFC3339))
	return clitest.Run(a.ctx, root.Main, a.asOf, "", full...)
}

// standard builds alice (unused), bob (used by GitHub Actions) and carol
// (disabled 10 days ago, still tried by an ECS task).
func standard(t *testing.T) *account {
	a := newAccount(t)
	a.user("alice", nil, true)
	a.user("bob", nil, true)
	a.user("carol", map[string]string{evidence.DisabledAtTag: a.ago(10).Format(time.RFC3339)}, true)
	a.fake.Events["us-east-1"] = []fakeaws.TrailEvent{
		{ID: "b1", Time: a.ago(2), Name: "PutObject", UserName: "bob", AccessKeyID: a.keys["bob"], SourceIP: "20.1.2.3", UserAgent: "aws-cli/2 configure-aws-credentials-for-github-actions"},
		{ID: "c1", Time: a.ago(1), Name: "ReceiveMessage", UserName: "carol", AccessKeyID: a.keys["carol"], SourceIP: "10.0.0.9", UserAgent: "aws-sdk-java/2 exec-env/AWS_ECS_FARGATE", ErrorCode: "InvalidClientTokenId"},
	}
	return a
}

func decode(t *testing.T, res clitest.Result) *evidence.Dossier {
	t.Helper()
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	d, err := evidence.Load(strings.NewReader(res.Stdout))
	if err != nil {
		t.Fatalf("%v\n%s", err, res.Stdout)
	}
	return d
}

func TestEvidenceOfEveryCandidate(t *testing.T) {
	a := standard(t)
	d := decode(t, a.run("evidence", "-o", "json"))
	want := map[string]string{"alice": evidence.VerdictUnused, "bob": evidence.VerdictInUse, "carol": evidence.VerdictInUse}
	if len(d.Users) != 3 {
		t.Fatalf("users %d, want 3", len(d.Users))
	}
	for name, v := range want {
		if got := d.Verdict(name); got != v {
			t.Errorf("%s: %s (%s), want %s", name, got, d.User(name).Reason, v)
		}
	}
	if !d.HasAttempts("carol") || len(d.Findings) != 1 || d.Findings[0].Rule != "used-while-disabled" {
		t.Errorf("carol's attempt: findings %+v", d.Findings)
	}
	// carol's key is inactive, so the scan did not read its ID; evidence
	// must have, or the lookup by key could not run.
	if n := countDetail(a.fake, "AccessKeyId="+a.keys["carol"]); n == 0 {
		t.Error("no lookup by carol's key")
	}
	if len(d.Regions) != 1 || d.Regions[0] != "us-east-1" || a.fake.Count("account:ListRegions") == 0 {
		t.Errorf("regions %v: want the account's enabled regions", d.Regions)
	}
	// Distinct: the SDK may retry a request on its own (see fakeaws.Server.Distinct).
	if n := a.fake.Distinct("iam:GenerateServiceLastAccessedDetails"); n != 3 {
		t.Errorf("access advisor jobs for %d user(s), want one per user", n)
	}
	if u := d.User("bob"); u.Advice.Kind != evidence.AdviceOIDCRole {
		t.Errorf("bob's advice %+v", u.Advice)
	}
	if res := a.run("evidence", "carol", "--regions", "us-east-1", "--skip", "access-analyzer,access-advisor", "--fail-on", "high", "-o", "json"); res.Code != 8 {
		t.Errorf("--fail-on high with an attempt: exit %d, want 8", res.Code)
	}
}

func TestEvidenceForNamedUsersAndErrors(t *testing.T) {
	a := standard(t)
	d := decode(t, a.run("evidence", "bob", "--regions", "us-east-1", "--skip", "access-analyzer", "-o", "json"))
	if len(d.Users) != 1 || d.Users[0].Name != "bob" || a.fake.Count("account:ListRegions") != 0 {
		t.Errorf("users %d, ListRegions %d", len(d.Users), a.fake.Count("account:ListRegions"))
	}
	if res := a.run("evidence", "nobody"); res.Code != 1 || !strings.Contains(res.Stderr, `user "nobody" not found`) {
		t.Errorf("unknown user: exit %d %q", res.Code, res.Stderr)
	}
	if res := a.run("evidence", "--output", "sarif"); res.Code != 2 || !strings.Contains(res.Stderr, "add --code DIR") {
		t.Errorf("sarif without --code: exit %d %q", res.Code, res.Stderr)
	}
	if res := a.run("evidence", "--skip", "everything"); res.Code != 2 {
		t.Errorf("bad --skip: exit %d", res.Code)
	}
}

func TestEvidenceDeniedCloudTrailIsUnknownNotUnused(t *testing.T) {
	a := standard(t)
	a.fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Action == "cloudtrail:LookupEvents" {
			return "AccessDeniedException"
		}
		return ""
	}
	d := decode(t, a.run("evidence", "alice", "--regions", "us-east-1", "-o", "json"))
	u := d.User("alice")
	if u.Verdict != evidence.VerdictUnknown || !strings.Contains(u.Reason, "missing permission cloudtrail:LookupEvents") {
		t.Errorf("alice: %s %q", u.Verdict, u.Reason)
	}
}

func TestAthenaSQLNamesTheCandidates(t *testing.T) {
	a := standard(t)
	res := a.run("evidence", "--athena-sql", "--athena-table", "trail")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	// The statement the --athena-table search executes: values are
	// execution parameters, listed after the SQL, never spliced into it.
	for _, s := range []string{`FROM "trail"`, `"accountid" = ?`, "--   'alice'", "--   '" + a.keys["carol"] + "'", "--   '" + motoserver.AccountID + "'"} {
		if !strings.Contains(res.Stdout, s) {
			t.Errorf("SQL lacks %s:\n%s", s, res.Stdout)
		}
	}
	if a.fake.Count("cloudtrail:LookupEvents") != 0 {
		t.Error("--athena-sql must not query CloudTrail")
	}
}

func TestScanEvidenceRaisesUsedWhileDisabled(t *testing.T) {
	a := standard(t)
	res := a.run("scan", "--evidence", "--regions", "us-east-1", "-o", "json")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	var r scan.Result
	if err := json.Unmarshal([]byte(res.Stdout), &r); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		if f.Rule == "used-while-disabled" {
			got = append(got, f.UserName+" "+f.Credential)
		}
	}
	if strings.Join(got, ",") != "carol access_key_1" {
		t.Errorf("used-while-disabled findings %v", got)
	}
	// Only the disabled user was looked up: a scan stays fast.
	for _, rq := range a.fake.Requests() {
		if rq.Action == "cloudtrail:LookupEvents" && !strings.Contains(rq.Detail, "carol") && !strings.Contains(rq.Detail, a.keys["carol"]) {
			t.Errorf("scan --evidence looked up %s", rq.Detail)
		}
	}
	plain := a.run("scan", "-o", "json")
	if strings.Contains(plain.Stdout, "used-while-disabled") || a.fake.Distinct("cloudtrail:LookupEvents") != 2 {
		t.Error("a plain scan must not read CloudTrail")
	}
}

func countDetail(f *fakeaws.Server, detail string) int {
	n := 0
	for _, r := range f.Requests() {
		if r.Detail == detail {
			n++
		}
	}
	return n
}

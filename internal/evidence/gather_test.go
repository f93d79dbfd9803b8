package evidence

import (
	"bytes"
	"context"
	"flag"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func key(name, id string, active bool, lastUsed *time.Time) scan.Credential {
	return scan.Credential{Name: name, AccessKeyID: id, Active: active, LastUsed: lastUsed}
}

func subject(name, status string, tags map[string]string, creds ...scan.Credential) Subject {
	return Subject{User: scan.User{Name: name, ARN: arnPrefix + name, Status: status, Tags: tags, Credentials: creds}, Candidate: []string{rules.UnusedUser}}
}

// scenario is one account with a user for each verdict and each advice.
func scenario(t *testing.T) (*fakeaws.Server, []Subject) {
	fake := fakeaws.Start(t, "")
	old := day0(300, 0)
	subjects := []Subject{
		// alice: nothing anywhere, the analyzer agrees.
		subject("alice", scan.StatusUnused, nil, key("access_key_1", "AKIAALICE", true, &old)),
		// bob: used from GitHub Actions, though the analyzer calls it unused.
		subject("bob", scan.StatusUnused, nil, key("access_key_1", "AKIABOB", true, nil)),
		// carol: disabled, and an ECS task keeps trying its key.
		subject("carol", scan.StatusUnused, map[string]string{DisabledAtTag: day0(10, 0).Format(time.RFC3339)}, key("access_key_1", "AKIACAROL", false, &old)),
		// dave: a person in the console.
		subject("dave", scan.StatusUnused, nil, scan.Credential{Name: "password", Active: true}),
		// erin: Access Advisor's job fails, nothing else found.
		subject("erin", scan.StatusUnused, nil, key("access_key_1", "AKIAERIN", true, nil)),
	}
	fake.Events["us-east-1"] = []fakeaws.TrailEvent{
		{ID: "b1", Time: day0(3, 5), Name: "PutObject", Source: "s3.amazonaws.com", UserName: "bob", AccessKeyID: "AKIABOB", SourceIP: "20.1.2.3", UserAgent: "aws-sdk-js/3.400.0 configure-aws-credentials-for-github-actions"},
		{ID: "b2", Time: day0(4, 5), Name: "GetCallerIdentity", Source: "sts.amazonaws.com", UserName: "bob", AccessKeyID: "AKIABOB", SourceIP: "20.1.2.4", UserAgent: "aws-sdk-js/3.400.0 configure-aws-credentials-for-github-actions"},
		{ID: "c0", Time: day0(20, 0), Name: "ListQueues", Source: "sqs.amazonaws.com", UserName: "carol", AccessKeyID: "AKIACAROL", SourceIP: "10.0.3.4", UserAgent: "aws-sdk-java/2.25.0 exec-env/AWS_ECS_FARGATE"},
		{ID: "c1", Time: day0(2, 1), Name: "ReceiveMessage", Source: "sqs.amazonaws.com", UserName: "carol", AccessKeyID: "AKIACAROL", SourceIP: "10.0.3.4", UserAgent: "aws-sdk-java/2.25.0 exec-env/AWS_ECS_FARGATE", ErrorCode: "InvalidClientTokenId"},
		{ID: "c2", Time: day0(1, 1), Name: "ReceiveMessage", Source: "sqs.amazonaws.com", UserName: "carol", AccessKeyID: "AKIACAROL", SourceIP: "10.0.3.4", UserAgent: "aws-sdk-java/2.25.0 exec-env/AWS_ECS_FARGATE", ErrorCode: "InvalidClientTokenId"},
		{ID: "d1", Time: day0(6, 9), Name: "ConsoleLogin", Source: "signin.amazonaws.com", UserName: "dave", SourceIP: "198.51.100.20", UserAgent: "Mozilla/5.0 (Macintosh)"},
		{ID: "d2", Time: day0(6, 10), Name: "DescribeInstances", Source: "ec2.amazonaws.com", UserName: "dave", SourceIP: "198.51.100.20", UserAgent: "console.amazonaws.com"},
	}
	fake.Services[arnPrefix+"bob"] = []fakeaws.Service{{Namespace: "s3", Name: "Amazon S3", LastAuthenticated: day0(3, 5), Region: "us-east-1"}}
	fake.Services[arnPrefix+"dave"] = []fakeaws.Service{{Namespace: "ec2", Name: "Amazon EC2", LastAuthenticated: day0(6, 10), Region: "us-east-1"}}
	fake.JobFails = map[string]bool{arnPrefix + "erin": true}
	const an = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/unused"
	fake.Analyzers["us-east-1"] = []fakeaws.Analyzer{{ARN: an, Name: "unused", Type: "ACCOUNT_UNUSED_ACCESS", Status: "ACTIVE"}}
	fake.Findings[an] = []fakeaws.Finding{
		{ID: "f-alice", UserARN: arnPrefix + "alice", FindingType: "UnusedIAMUserAccessKey", Status: "ACTIVE"},
		{ID: "f-bob", UserARN: arnPrefix + "bob", FindingType: "UnusedIAMUserAccessKey", Status: "ACTIVE"},
	}
	return fake, subjects
}

func gatherScenario(t *testing.T) *Dossier {
	t.Helper()
	fake, subjects := scenario(t)
	regions := []string{"eu-west-1", "us-east-1"}
	g := &Gatherer{
		CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, regions, fakeclock.New()), Now: asOf},
		Advisor:    &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()},
		Analyzer:   &AccessAnalyzer{Clients: analyzerClients(fake, regions)},
		Logs: fakeLogs{"bob": {Events: []Event{{Time: day0(1, 2), Name: "GetObject", Source: "s3.amazonaws.com", Region: "eu-west-1",
			SourceIP: "20.1.2.3", UserAgent: "aws-sdk-js/3.400.0 configure-aws-credentials-for-github-actions", AccessKeyID: "AKIABOB",
			File: "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/22/x.json.gz", ID: "log-b1"}}}},
		Code: fakeCode{
			"alice": {{Path: "iam.tf", Repo: "infra", Line: 3, Kind: "terraform", TerraformAddress: "aws_iam_user.alice", Matched: "alice", MatchKind: "user-name", Snippet: `name = "alice"`}},
			"bob":   {{Path: ".github/workflows/deploy.yml", Repo: "app", Line: 12, Kind: "github-actions", Matched: "AKIABOB", MatchKind: "access-key-id", Snippet: "AWS_ACCESS_KEY_ID: AKIABOB"}},
			"erin":  {{Path: "deploy/.env", Repo: "app", Commit: "0123456789abcdef0123", Line: 2, Kind: "env-file", Matched: "AKIAERIN", MatchKind: "access-key-id", Snippet: "AWS_SECRET_ACCESS_KEY=[redacted]", InHistoryOnly: true}},
		},
	}
	d, err := g.Gather(context.Background(), Input{AccountID: "123456789012", AsOf: asOf, Now: asOf.Add(time.Hour), Regions: regions, Subjects: subjects})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestGatherVerdictsAdviceAndAttempts(t *testing.T) {
	d := gatherScenario(t)
	want := map[string]struct{ verdict, advice, analyzer string }{
		"alice": {VerdictUnused, AdviceRetire, AgreementAgrees},
		"bob":   {VerdictInUse, AdviceOIDCRole, AgreementDisagrees},
		"carol": {VerdictInUse, AdviceComputeRole, AgreementAgrees},
		"dave":  {VerdictInUse, AdviceIdentityCenter, AgreementAgrees},
		"erin":  {VerdictUnknown, AdviceCompleteEvidence, AgreementUnknown},
	}
	for _, u := range d.Users {
		w := want[u.Name]
		if u.Verdict != w.verdict || u.Advice.Kind != w.advice || u.AccessAnalyzer.Agreement != w.analyzer {
			t.Errorf("%s: verdict %s advice %s analyzer %s; want %+v (reason %q)", u.Name, u.Verdict, u.Advice.Kind, u.AccessAnalyzer.Agreement, w, u.Reason)
		}
	}
	if d.CredentialVerdict("carol", "AKIACAROL") != VerdictInUse || d.CredentialVerdict("alice", "AKIAALICE") != VerdictUnused ||
		d.CredentialVerdict("erin", "AKIAERIN") != VerdictUnknown || d.CredentialVerdict("dave", "password") != VerdictInUse || d.CredentialVerdict("alice", "AKIANONE") != VerdictUnknown {
		t.Error("credential verdicts disagree with the evidence")
	}
	if v := d.Verdict("nobody"); v != VerdictUnknown {
		t.Errorf("a user missing from the dossier is %s, want unknown", v)
	}
	if !d.HasAttempts("carol") || d.HasAttempts("bob") || d.SafeToRetire("carol") || !d.SafeToRetire("alice") || d.SafeToRetire("erin") {
		t.Error("HasAttempts/SafeToRetire disagree with the verdicts")
	}
	carol := d.User("carol")
	if len(carol.Attempts) != 2 || carol.Attempts[0].ErrorCode != "InvalidClientTokenId" {
		t.Errorf("carol's attempts %+v: the two failures after disabled-at, not the use before", carol.Attempts)
	}
	if len(d.Findings) != 1 || d.Findings[0].Rule != rules.UsedWhileDisabled || d.Findings[0].UserName != "carol" || d.Findings[0].Credential != "access_key_1" {
		t.Errorf("findings %+v", d.Findings)
	}
	if erin := d.User("erin"); len(erin.Unknown) != 1 || erin.Unknown[0].Source != SourceAccessAdvisor {
		t.Errorf("erin unknown %+v", erin.Unknown)
	}
	if d.Summary != (Summary{Users: 5, Unused: 1, InUse: 3, Unknown: 1, Attempts: 1}) {
		t.Errorf("summary %+v", d.Summary)
	}
}

func TestAnyProofBeatsAnUnreadableSource(t *testing.T) {
	fake, subjects := scenario(t)
	fake.JobFails = map[string]bool{arnPrefix + "bob": true}
	g := &Gatherer{
		CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, fakeclock.New()), Now: asOf},
		Advisor:    &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()},
	}
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: subjects[1:2]})
	if err != nil {
		t.Fatal(err)
	}
	if u := d.User("bob"); u.Verdict != VerdictInUse || len(u.Unknown) != 1 {
		t.Errorf("bob: %s %+v: a proof of use stands even when another source failed", u.Verdict, u.Unknown)
	}
}

func TestWithoutAnActivitySourceNothingIsUnused(t *testing.T) {
	fake, subjects := scenario(t)
	g := &Gatherer{Advisor: &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()}}
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: subjects[:1]})
	if err != nil {
		t.Fatal(err)
	}
	if v := d.Verdict("alice"); v != VerdictUnknown {
		t.Errorf("alice with Access Advisor only: %s, want unknown", v)
	}
}

func TestMalformedDisabledAtTagIsAnError(t *testing.T) {
	g := &Gatherer{}
	_, err := g.Gather(context.Background(), Input{AsOf: asOf, Subjects: []Subject{subject("x", "", map[string]string{DisabledAtTag: "yesterday"})}})
	if err == nil || !strings.Contains(err.Error(), DisabledAtTag) {
		t.Errorf("err %v", err)
	}
}

func TestDossierGolden(t *testing.T) {
	d := gatherScenario(t)
	for _, format := range []string{FormatTable, FormatMarkdown, FormatJSON} {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Render(&buf, format, d); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "dossier."+format+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/evidence -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from the output (rerun with -update if the change is intended)\n--- got:\n%s", path, buf.String())
			}
		})
	}
}

func TestLoadReadsBackTheJSON(t *testing.T) {
	d := gatherScenario(t)
	var buf bytes.Buffer
	if err := Render(&buf, FormatJSON, d); err != nil {
		t.Fatal(err)
	}
	back, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if back.Verdict("carol") != VerdictInUse || !back.HasAttempts("carol") || !back.SafeToRetire("alice") {
		t.Error("verdicts lost in the JSON round trip")
	}
	if _, err := Load(strings.NewReader(`{"schema_version": 99}`)); err == nil {
		t.Error("a dossier of another schema was accepted")
	}
}

type fakeLogs map[string]*TrailResult

func (f fakeLogs) SearchLogs(_ context.Context, targets []Target, _ Window) (map[string]*TrailResult, SourceRun) {
	out := map[string]*TrailResult{}
	for _, t := range targets {
		out[t.Name] = &TrailResult{}
		if r, ok := f[t.Name]; ok {
			out[t.Name] = r
		}
	}
	return out, SourceRun{Name: SourceLogFiles, Status: RunOK, Detail: "1 file(s), 0 MB read from s3://trail/org"}
}

type fakeCode map[string][]CodeRef

func (f fakeCode) SearchCode(context.Context, []Target) (map[string][]CodeRef, error) { return f, nil }

func TestOnlyWiredCodeReferencesProveUse(t *testing.T) {
	fake, subjects := scenario(t)
	code := fakeCode{
		"alice": {{Path: "iam.tf", Line: 1, Kind: "terraform", TerraformAddress: "aws_iam_user.alice", Matched: "alice", MatchKind: "user-name"}},
		"erin": {
			{Path: ".github/workflows/ci.yml", Line: 4, Kind: "github-actions", Matched: "AKIAERIN", MatchKind: "access-key-id", InHistoryOnly: true, Commit: "0123456789abcdef"},
			{Path: "deploy/.env", Line: 2, Kind: "env-file", Matched: "AKIAERIN", MatchKind: "access-key-id"},
		},
	}
	g := &Gatherer{CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, fakeclock.New()), Now: asOf}, Code: code}
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{subjects[0], subjects[4]}})
	if err != nil {
		t.Fatal(err)
	}
	alice := d.User("alice")
	if alice.Verdict != VerdictUnused || !strings.Contains(alice.Advice.Text, "delete aws_iam_user.alice (iam.tf)") {
		t.Errorf("alice: %s, advice %q: a Terraform resource is not use, but names what to delete", alice.Verdict, alice.Advice.Text)
	}
	erin := d.User("erin")
	if erin.Verdict != VerdictInUse || erin.NewestProof.Source != SourceCode || !strings.Contains(erin.NewestProof.Detail, "deploy/.env:2") {
		t.Errorf("erin: %s %+v: a key in a current .env file is wired in", erin.Verdict, erin.NewestProof)
	}
}

func TestUseNobodyCanAttributeLeavesCredentialsUnknown(t *testing.T) {
	fake := fakeaws.Start(t, "")
	fake.Services[arnPrefix+"frank"] = []fakeaws.Service{{Namespace: "s3", Name: "Amazon S3", LastAuthenticated: day0(1, 0)}}
	g := &Gatherer{
		CloudTrail: &CloudTrailLookup{Clients: trailClients(fake, []string{"us-east-1"}, fakeclock.New()), Now: asOf},
		Advisor:    &AccessAdvisor{IAM: iamClient(fake), Clock: fakeclock.New()},
	}
	s := subject("frank", scan.StatusUnused, nil, key("access_key_1", "AKIAF1", true, nil), key("access_key_2", "AKIAF2", true, nil))
	d, err := g.Gather(context.Background(), Input{AsOf: asOf, Now: asOf, Subjects: []Subject{s}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Verdict("frank") != VerdictInUse || d.CredentialVerdict("frank", "AKIAF1") != VerdictUnknown || d.CredentialVerdict("frank", "AKIAF2") != VerdictUnknown {
		t.Errorf("frank %s, keys %s %s: S3 was used (data events are not in the history) with one of the keys, nobody knows which",
			d.Verdict("frank"), d.CredentialVerdict("frank", "AKIAF1"), d.CredentialVerdict("frank", "AKIAF2"))
	}
	if u := d.User("frank"); u.Advice.Kind != AdviceInvestigate || !strings.Contains(u.Advice.Text, "--cloudtrail-logs") {
		t.Errorf("advice %+v", u.Advice)
	}
}

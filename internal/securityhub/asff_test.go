package securityhub

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

var now = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func days(n int) *int { return &n }

const acct = "111122223333"

// sample has one finding of every rule that maps to a control, and some
// that do not.
func sample() []rules.Finding {
	last := now.AddDate(0, 0, -120)
	return []rules.Finding{
		{AccountID: acct, UserName: "<root_account>", UserARN: "arn:aws:iam::" + acct + ":root", Rule: rules.RootAccessKey, Severity: rules.Critical, Credential: "access_key_1", Message: "the root user has an access key"},
		{AccountID: acct, UserName: "alice", UserARN: "arn:aws:iam::" + acct + ":user/alice", Rule: rules.UnusedAccessKey, Severity: rules.High, Credential: "access_key_1", AccessKeyID: "AKIAALICE", LastUsed: &last, DaysUnused: days(120), Message: "access key 1 (AKIAALICE) last used 2026-07-26, 120 days ago"},
		{AccountID: acct, UserName: "alice", UserARN: "arn:aws:iam::" + acct + ":user/alice", Rule: rules.AccessKeyNotRotated, Severity: rules.Medium, Credential: "access_key_1", AccessKeyID: "AKIAALICE", Message: "access key 1 is 400 days old"},
		{AccountID: acct, UserName: "bob", UserARN: "arn:aws:iam::" + acct + ":user/bob", Rule: rules.UnusedPassword, Severity: rules.Medium, Credential: "password", DaysUnused: days(60), Message: "console password never used, set 2026-09-24, 60 days ago"},
		{AccountID: acct, UserName: "bob", UserARN: "arn:aws:iam::" + acct + ":user/bob", Rule: rules.ConsoleWithoutMFA, Severity: rules.Medium, Credential: "password", Message: "console password without MFA"},
		{AccountID: acct, UserName: "carol", UserARN: "arn:aws:iam::" + acct + ":user/carol", Rule: rules.UnusedUser, Severity: rules.High, Message: "every credential unused"},
		{AccountID: acct, UserName: "dan", UserARN: "arn:aws:iam::" + acct + ":user/dan", Rule: rules.UnusedUser, Severity: rules.High, Message: "excluded", Excluded: true},
	}
}

func meta() Meta {
	return Meta{Partition: "aws", Region: "eu-west-1", ProductARN: ProductARN("aws", "eu-west-1", acct), Now: now,
		AccountNames: map[string]string{acct: "prod"}, Params: scan.Parameters{MaxUnusedDays: 45, RotationDays: 90}}
}

func TestASFFGolden(t *testing.T) {
	docs := FromFindings(sample(), meta())
	if len(docs) != 6 {
		t.Fatalf("%d documents, want 6 (the excluded finding left out)", len(docs))
	}
	for _, d := range docs {
		if err := d.Validate(); err != nil {
			t.Error(err)
		}
	}
	var buf bytes.Buffer
	if err := Write(&buf, docs); err != nil {
		t.Fatal(err)
	}
	goldenfile.Assert(t, "testdata/findings.asff.json.golden", buf.String())
	var back struct{ Findings []map[string]any }
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// ASFF's required top-level fields, as Security Hub documents them.
	for _, f := range back.Findings {
		for _, k := range []string{"AwsAccountId", "CreatedAt", "Description", "GeneratorId", "Id", "ProductArn", "Resources", "SchemaVersion", "Severity", "Title", "Types", "UpdatedAt"} {
			if v, ok := f[k]; !ok || v == "" || v == nil {
				t.Errorf("%v lacks %s", f["Id"], k)
			}
		}
	}
}

func TestControlsFollowTheThresholds(t *testing.T) {
	p := scan.Parameters{MaxUnusedDays: 90, RotationDays: 90}
	cases := []struct {
		f    rules.Finding
		p    scan.Parameters
		want []string
	}{
		{rules.Finding{Rule: rules.UnusedAccessKey, DaysUnused: days(90)}, p, []string{"IAM.8", "IAM.22"}},
		{rules.Finding{Rule: rules.UnusedPassword, DaysUnused: days(50)}, p, []string{"IAM.22"}},
		{rules.Finding{Rule: rules.UnusedPassword, DaysUnused: days(30)}, p, nil},
		{rules.Finding{Rule: rules.UnusedPassword}, scan.Parameters{MaxUnusedDays: 45}, []string{"IAM.22"}},
		{rules.Finding{Rule: rules.AccessKeyNotRotated}, p, []string{"IAM.3"}},
		{rules.Finding{Rule: rules.AccessKeyNotRotated}, scan.Parameters{RotationDays: 30}, nil},
		{rules.Finding{Rule: rules.RootAccessKey}, p, []string{"IAM.4"}},
		{rules.Finding{Rule: rules.MultipleActiveKeys}, p, nil},
	}
	for _, c := range cases {
		if got := Controls(c.f, c.p); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v under %+v: %v, want %v", c.f.Rule, c.f.DaysUnused, c.p, got, c.want)
		}
	}
}

func TestIDsAreStable(t *testing.T) {
	a, b := FromFindings(sample(), meta()), FromFindings(sample(), Meta{Now: now.Add(time.Hour), ProductARN: "x"})
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Errorf("id %s then %s", a[i].ID, b[i].ID)
		}
	}
	if a[1].ID != "iamsweep/111122223333/unused-access-key/alice/access_key_1" {
		t.Errorf("id %s", a[1].ID)
	}
}

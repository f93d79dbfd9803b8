package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func TestOrgJSON(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	d := 120
	one := &scan.Result{AccountID: "111111111111", Parameters: scan.Parameters{MaxUnusedDays: 90, RotationDays: 90},
		Users:   []scan.User{{Name: "alice", Status: "unused", Created: asOf.AddDate(-1, 0, 0)}, {Name: "bob <ops>", Status: "in_use"}},
		Summary: scan.Summary{Users: 2, Findings: 2, BySeverity: map[string]int{"high": 1, "medium": 1}},
		Findings: []rules.Finding{
			{AccountID: "111111111111", UserName: "alice", UserARN: "arn:aws:iam::111111111111:user/alice", Rule: rules.UnusedAccessKey, Severity: rules.High, Credential: "access_key_1", AccessKeyID: "AKIAALICE", DaysUnused: &d, Message: "access key 1 never used"},
			{AccountID: "111111111111", UserName: "bob <ops>", Rule: rules.ConsoleWithoutMFA, Severity: rules.Medium, Credential: "password", Message: "no MFA"},
		}}
	three := &scan.Result{AccountID: "333333333333", Users: []scan.User{{Name: "carol", Status: "disabled"}}, Summary: scan.Summary{Users: 1, BySeverity: map[string]int{}}}
	var buf bytes.Buffer
	w := NewOrgJSON(&buf, asOf, asOf.Add(time.Minute))
	for _, a := range []struct {
		id, name, status, err string
		r                     *scan.Result
	}{
		{"111111111111", "prod", "ok", "", one},
		{"222222222222", "dev", "failed", "assume arn:aws:iam::222222222222:role/iamsweep-member: AccessDenied", nil},
		{"333333333333", "", "ok", "", three},
		{"444444444444", "sandbox", "canceled", "not started: the run was cancelled", nil},
	} {
		if err := w.Account(a.id, a.name, a.status, a.err, a.r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/org.json.golden", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if want, err := os.ReadFile("testdata/org.json.golden"); err != nil || string(want) != buf.String() {
		t.Errorf("testdata/org.json.golden differs (%v; rerun with -update if intended):\n%s", err, buf.String())
	}
	var doc struct {
		Findings   []rules.Finding
		Users      []orgUser
		Parameters scan.Parameters
		Accounts   []OrgAccount
		Summary    OrgSummary
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if len(doc.Findings) != 2 || len(doc.Accounts) != 4 || doc.Summary.Failed != 1 || doc.Summary.Canceled != 1 || doc.Summary.OK != 2 || doc.Summary.Users != 3 || doc.Summary.BySeverity["high"] != 1 {
		t.Errorf("document %+v", doc)
	}
	// The users travel with their account, so a report over the file
	// shows them (issue 22: 0 users per account before).
	if len(doc.Users) != 3 || doc.Users[0].AccountID != "111111111111" || doc.Users[0].Name != "alice" || doc.Users[2].AccountID != "333333333333" || doc.Parameters.MaxUnusedDays != 90 {
		t.Errorf("users %+v parameters %+v", doc.Users, doc.Parameters)
	}

	// No account at all is still a document.
	buf.Reset()
	w = NewOrgJSON(&buf, asOf, asOf)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("empty: %v\n%s", err, buf.String())
	}
}

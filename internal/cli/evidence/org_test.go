package evidence_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
	"github.com/iamsweep/iamsweep/internal/testutil/orgfixture"
)

// TestEvidenceOrgOnAthena: evidence over two member accounts searches the
// organization trail's Athena table (moto's Athena, with the caller's
// credentials) once per account, and --athena-sql prints each account's
// statement; a member whose role cannot be assumed fails alone.
func TestEvidenceOrgOnAthena(t *testing.T) {
	srv := motoserver.Shared(t)
	o := orgfixture.New(t, srv, 3)
	for _, id := range o.Members {
		o.User(id, "old-"+id[len(id)-4:])
	}
	o.Deny(o.Members[1])
	srv.Env(t)
	asOf := time.Now().UTC().AddDate(0, 0, 100).Format(time.DateOnly)
	run := func(args ...string) clitest.Result {
		full := append([]string{"evidence", "--endpoint-url", o.URL, "--as-of", asOf, "--accounts", strings.Join(o.Members, ",")}, args...)
		return clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", full...)
	}
	res := run("--athena-sql", "--athena-table", "security.org_trail", "--regions", "us-east-1")
	if res.Code != 16 {
		t.Fatalf("--athena-sql: exit %d: %s", res.Code, res.Stderr)
	}
	for _, id := range []string{o.Members[0], o.Members[2]} {
		if !strings.Contains(res.Stdout, "-- account "+id) || !strings.Contains(res.Stdout, "--   '"+id+"'") {
			t.Errorf("no statement for %s:\n%s", id, res.Stdout)
		}
	}
	if !strings.Contains(res.Stdout, `FROM "security"."org_trail"`) || !strings.Contains(res.Stdout, "AccessDenied") {
		t.Errorf("statements:\n%s", res.Stdout)
	}

	res = run("--regions", "us-east-1", "--skip", "cloudtrail,access-advisor,access-analyzer", "-o", "table")
	if res.Code != 16 || !strings.Contains(res.Stdout, "=== Account "+o.Members[2]+" (member-2): ok ===") ||
		!strings.Contains(res.Stdout, "Accounts: 2 ok, 1 failed, 0 canceled") {
		t.Errorf("table: exit %d\n%s", res.Code, res.Stdout)
	}

	res = run("--athena-table", "org_trail", "--athena-output", "s3://athena-results/iamsweep/", "--regions", "us-east-1",
		"--skip", "cloudtrail,access-advisor,access-analyzer", "-o", "json")
	if res.Code != 16 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	var doc struct {
		Kind     string
		Accounts []struct {
			ID, Status, Error string
			Dossier           *evidence.Dossier
		}
	}
	if err := json.Unmarshal([]byte(res.Stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, res.Stdout)
	}
	if doc.Kind != "organization-evidence" || len(doc.Accounts) != 3 {
		t.Fatalf("%+v", doc)
	}
	for _, a := range doc.Accounts {
		if a.ID == o.Members[1] {
			if a.Status != "failed" || a.Dossier != nil {
				t.Errorf("denied account: %+v", a)
			}
			continue
		}
		if a.Status != "ok" || a.Dossier == nil || a.Dossier.AccountID != a.ID || a.Dossier.Summary.Users != 1 {
			t.Fatalf("account %s: %+v", a.ID, a)
		}
		found := false
		for _, s := range a.Dossier.Sources {
			if s.Name == evidence.SourceLogFiles && strings.Contains(s.Detail, "athena query") {
				found = true
			}
		}
		if !found {
			t.Errorf("account %s: the Athena search did not run: %+v", a.ID, a.Dossier.Sources)
		}
	}
}

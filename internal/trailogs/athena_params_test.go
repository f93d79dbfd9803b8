package trailogs

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestAthenaQueryGolden(t *testing.T) {
	q := Query{
		AccountID: acct,
		KeyIDs:    []string{"AKIAIOSFODNN7EXAMPLE"},
		UserNames: []string{"deploy-bot", "ci@example.com"},
		From:      time.Date(2026, 8, 25, 0, 0, 0, 0, time.UTC),
		To:        time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Regions:   []string{"us-east-1", "eu-west-1"},
	}
	st := AthenaQuery(OrgTrailTable("security.org_trail"), q)
	assertGolden(t, "testdata/athena-org.golden", st.String())
	if n := strings.Count(st.SQL, "?"); n != len(st.Params) {
		t.Errorf("%d placeholders, %d parameters", n, len(st.Params))
	}
	// Without partitions the account and region are the record's own.
	flat := AthenaQuery(AthenaTable{Name: "cloudtrail_logs"}, q)
	for _, want := range []string{"recipientaccountid = ?", "awsregion IN (?, ?)"} {
		if !strings.Contains(flat.SQL, want) {
			t.Errorf("unpartitioned query lacks %s:\n%s", want, flat.SQL)
		}
	}
	if strings.Contains(flat.SQL, "BETWEEN") {
		t.Errorf("unpartitioned query prunes by day:\n%s", flat.SQL)
	}
}

// Names from IAM never reach the SQL text, whatever they hold.
func FuzzAthenaQueryKeepsValuesOutOfSQL(f *testing.F) {
	f.Add("o'neil", "AKIA'); DROP TABLE x; --", "123456789012")
	f.Add(`"?`, "", "")
	f.Fuzz(func(t *testing.T, user, key, account string) {
		st := AthenaQuery(OrgTrailTable("db.t"), Query{AccountID: account, UserNames: []string{user}, KeyIDs: []string{key}})
		if user != "" && key != "" && account != "" {
			if base := AthenaQuery(OrgTrailTable("db.t"), Query{AccountID: "a", UserNames: []string{"u"}, KeyIDs: []string{"k"}}); st.SQL != base.SQL {
				t.Fatalf("values changed the SQL text:\n%s", st.SQL)
			}
		}
		if strings.Count(st.SQL, "?") != len(st.Params) {
			t.Fatalf("%d placeholders, %d parameters", strings.Count(st.SQL, "?"), len(st.Params))
		}
		for _, p := range st.Params {
			inner := p[1 : len(p)-1]
			if p[0] != '\'' || p[len(p)-1] != '\'' || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
				t.Fatalf("parameter %s is not one string literal", p)
			}
		}
	})
}

func assertGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update to accept):\n%s", path, got)
	}
}

// The coverage query is pruned like the search (account, regions, days)
// and takes every value as a parameter.
func TestAthenaCoverageQuery(t *testing.T) {
	from := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	q := Query{AccountID: "123456789012", Regions: []string{"eu-west-1'"}, From: from, To: from.AddDate(0, 0, 90)}
	st := AthenaCoverageQuery(OrgTrailTable("db.trail"), q)
	for _, want := range []string{`SELECT "region" AS region, "timestamp" AS day`, `FROM "db"."trail"`, `"accountid" = ?`, `"region" IN (?)`, `"timestamp" BETWEEN ? AND ?`, "GROUP BY 1, 2"} {
		if !strings.Contains(st.SQL, want) {
			t.Errorf("no %q in\n%s", want, st.SQL)
		}
	}
	if strings.Contains(st.SQL, "eu-west-1") || len(st.Params) != 6 || st.Params[1] != `'eu-west-1'''` || st.Params[2] != "'2026/09/01'" {
		t.Errorf("params %q\n%s", st.Params, st.SQL)
	}
	if d, ok := OrgTrailTable("t").AthenaDay("2026/09/01"); !ok || !d.Equal(from) {
		t.Errorf("day %v %v", d, ok)
	}
	if _, ok := (AthenaTable{Name: "t"}).AthenaDay("2026/09/01"); ok {
		t.Error("an unpartitioned table's day is substr(eventtime, 1, 10): 2026-09-01")
	}
}

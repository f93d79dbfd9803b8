package trailogs

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

func TestAthenaSQLGolden(t *testing.T) {
	q := Query{
		AccountID: acct,
		KeyIDs:    []string{"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"},
		UserNames: []string{"deploy-bot", "ci@example.com"},
		From:      time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		To:        time.Date(2024, 3, 31, 23, 59, 59, 0, time.FixedZone("x", 3600)),
		Regions:   []string{"us-east-1", "eu-west-1"},
	}
	got := AthenaSQL("default.cloudtrail_logs", q)
	golden := "testdata/athena.golden"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("AthenaSQL =\n%s\nwant\n%s", got, want)
	}
}

func TestAthenaSQLEscapes(t *testing.T) {
	got := AthenaSQL(`my"db.trail`, Query{
		KeyIDs:    []string{"AKIA'); DROP TABLE x; --"},
		UserNames: []string{`o'neil`, `back\slash`},
	})
	for _, want := range []string{
		`FROM "my""db"."trail"`,
		`useridentity.accesskeyid IN ('AKIA''); DROP TABLE x; --')`,
		`useridentity.username IN ('o''neil', 'back\slash')`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "eventtime >=") || strings.Contains(got, "AND awsregion") {
		t.Errorf("open query has bounds:\n%s", got)
	}
	if got := AthenaSQL("t", Query{}); !strings.Contains(got, "WHERE (FALSE)") {
		t.Errorf("empty query matches something:\n%s", got)
	}
}

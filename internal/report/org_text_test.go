package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"
)

// TestOrgTextAndMarkdown: each account's report under a heading naming
// it, failed and canceled accounts with their reason, then the accounts'
// summary; CSV carries the account on every row.
func TestOrgTextAndMarkdown(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	full := fixture(t)
	full.AccountID = "111111111111"
	for i := range full.Findings {
		full.Findings[i].AccountID = "111111111111"
	}
	for _, c := range []struct{ golden, format string }{
		{"org.table.golden", FormatTable},
		{"org.markdown.golden", FormatMarkdown},
		{"org.csv.golden", FormatCSV},
	} {
		var buf bytes.Buffer
		w, err := NewOrg(&buf, c.format, asOf, asOf.Add(time.Minute), Options{Width: 120})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []struct {
			id, name, status, err string
			ok                    bool
		}{
			{"111111111111", "prod", "ok", "", true},
			{"222222222222", "dev", "failed", "assume arn:aws:iam::222222222222:role/iamsweep-member in account 222222222222: AccessDenied: denied", false},
			{"444444444444", "sandbox", "canceled", "not started: the run was cancelled", false},
		} {
			r := full
			if !a.ok {
				r = nil
			}
			if err := w.Account(a.id, a.name, a.status, a.err, r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		path := "testdata/" + c.golden
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if want, err := os.ReadFile(path); err != nil || string(want) != buf.String() {
			t.Errorf("%s differs (%v; rerun with -update if intended):\n%s", path, err, buf.String())
		}
		if c.format == FormatCSV {
			rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1+len(full.Findings)+2 {
				t.Errorf("%d csv rows, want header + %d findings + 2 failed accounts", len(rows), len(full.Findings))
			}
			for _, row := range rows[1:] {
				if row[0] == "" || len(row) != len(csvHeader)+3 {
					t.Errorf("row without its account: %q", row)
				}
			}
		}
	}
}

package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/scan"
)

func TestOrganizationDigestNamesEveryAccountFailedFirst(t *testing.T) {
	res := &scan.Result{AccountID: "999999999999", AsOf: time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC), Source: "live", Summary: scan.Summary{Users: 3}}
	d := NewDigest(res, DefaultTop).WithAccounts([]AccountLine{
		{ID: "111111111111", Name: "prod", Status: "ok", Users: 2, Findings: 1},
		{ID: "222222222222", Name: "dev", Status: "failed", Error: "assume role: AccessDenied"},
		{ID: "333333333333", Status: "ok", Users: 1},
	})
	if d.AccountsTotal != 3 || d.AccountsFailed != 1 || len(d.Accounts) != 3 || !strings.HasPrefix(d.Accounts[0], "222222222222 (dev): failed: assume role") {
		t.Fatalf("digest %+v", d)
	}
	if got := d.Subject(); got != "iamsweep: 0 findings in 3 AWS accounts (1 failed)" {
		t.Errorf("subject %q", got)
	}
	text := d.Text()
	for _, want := range []string{"scanned 3 AWS accounts (1 failed) as of", "111111111111 (prod): ok, 2 users, 1 finding\n", "333333333333: ok, 1 user, 0 findings"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if s := slackText(d); !strings.Contains(s, "3 AWS accounts (1 failed)") || !strings.Contains(s, "• 222222222222 (dev): failed") {
		t.Errorf("slack:\n%s", s)
	}
	many := make([]AccountLine, 60)
	for i := range many {
		many[i] = AccountLine{ID: "1", Status: "ok"}
	}
	if d := NewDigest(res, 1).WithAccounts(many); len(d.Accounts) != MaxAccountLines || d.AccountsTotal != 60 || !strings.Contains(d.Accounts[MaxAccountLines-1], "and 11 more") {
		t.Errorf("60 accounts: %d lines, last %q", len(d.Accounts), d.Accounts[len(d.Accounts)-1])
	}
	if one := NewDigest(res, 1); one.AccountsTotal != 0 || !strings.Contains(one.Subject(), "in account 999999999999") {
		t.Errorf("a single account's digest changed: %q", one.Subject())
	}
}

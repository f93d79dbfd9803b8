package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// A user with a successor (iamsweep migrate) is disabled only once the
// evidence shows the role in use and the key silent since.
func TestSuccessorGate(t *testing.T) {
	day := func(n int) *time.Time { v := asOf.Add(-time.Duration(n) * 24 * time.Hour); return &v }
	const role = "arn:aws:iam::111122223333:role/alice-successor"
	cases := []struct {
		name string
		s    *evidence.Successor
		wait string
	}{
		{"no successor", nil, ""},
		{"role never used", &evidence.Successor{RoleARN: role}, "is not in use yet"},
		{"role use unreadable", &evidence.Successor{RoleARN: role, Error: "missing permission iam:GetRole"}, "could not be read (missing permission iam:GetRole)"},
		{"key used after the role", &evidence.Successor{RoleARN: role, RoleLastUsed: day(20), KeyLastUsed: day(15)}, "the caller still uses the key"},
		{"key used 3 days ago", &evidence.Successor{RoleARN: role, RoleLastUsed: day(1), KeyLastUsed: day(3)}, "less than 7 days ago"},
		{"role in use, key silent", &evidence.Successor{RoleARN: role, RoleLastUsed: day(1), KeyLastUsed: day(30)}, ""},
		{"role in use, key never used", &evidence.Successor{RoleARN: role, RoleLastUsed: day(1)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := dossier(nil)
			d.User("alice").Successor = c.s
			p, skipped := buildWith(t, Params{Evidence: d})
			planned := strings.Contains(actionList(p), "disable alice")
			if c.wait == "" && !planned {
				t.Errorf("alice not disabled: %q", skipped["alice"])
			}
			if c.wait != "" && (planned || !strings.Contains(skipped["alice"], c.wait)) {
				t.Errorf("alice: planned %v, skipped %q, want %q", planned, skipped["alice"], c.wait)
			}
		})
	}
}

// The gate holds keys too: a successor's user keeps its key active until
// the role took over.
func TestSuccessorGateHoldsKeys(t *testing.T) {
	d := dossier(nil)
	d.User("frank").Successor = &evidence.Successor{RoleARN: "arn:aws:iam::111122223333:role/f"}
	p, skipped := buildWith(t, Params{Evidence: d})
	if strings.Contains(actionList(p), "deactivate-key frank") || !strings.Contains(skipped["frank"], "is not in use yet") {
		t.Errorf("actions %s; frank: %q", actionList(p), skipped["frank"])
	}
}

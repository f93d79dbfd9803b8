package evidence

import (
	"errors"
	"testing"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

func TestCandidates(t *testing.T) {
	res := &scan.Result{
		Users: []scan.User{
			{Name: "unused-user", Status: scan.StatusUnused},
			{Name: "idle-key", Status: scan.StatusInUse},
			{Name: "no-mfa", Status: scan.StatusInUse},
			{Name: "excluded", Status: scan.StatusExcluded},
			{Name: "disabled", Status: scan.StatusUnused, Tags: map[string]string{DisabledAtTag: "2026-11-01T00:00:00Z"}},
		},
		Findings: []rules.Finding{
			{UserName: "unused-user", Rule: rules.UnusedUser},
			{UserName: "unused-user", Rule: rules.UnusedAccessKey},
			{UserName: "unused-user", Rule: rules.UnusedAccessKey},
			{UserName: "idle-key", Rule: rules.UnusedAccessKey},
			{UserName: "no-mfa", Rule: rules.ConsoleWithoutMFA},
			{UserName: "excluded", Rule: rules.UnusedUser, Excluded: true},
		},
	}
	got, err := Candidates(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range got {
		names = append(names, s.User.Name)
	}
	if want := "disabled idle-key unused-user"; join(names) != want {
		t.Errorf("candidates %q, want %q", join(names), want)
	}
	if c := got[2].Candidate; len(c) != 2 || c[0] != rules.UnusedUser || c[1] != rules.UnusedAccessKey {
		t.Errorf("unused-user's rules %v", c)
	}
	named, err := Candidates(res, []string{"excluded", "no-mfa", "excluded"})
	if err != nil || len(named) != 2 {
		t.Errorf("named: %d %v: named users are taken as given, once each", len(named), err)
	}
	var nf *awsx.NotFoundError
	if _, err := Candidates(res, []string{"Unused-User"}); !errors.As(err, &nf) {
		t.Errorf("a name in the wrong case: %v", err)
	}
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// TestRetirerDisablesExpiredUsersAndSaysWhenStillUsed: auto-disable acts
// on an expired user even when the evidence shows it in use (expiry is a
// decision already made), and its note carries plan's warning, so the
// report tells the owner loudly.
func TestRetirerDisablesExpiredUsersAndSaysWhenStillUsed(t *testing.T) {
	api := newFakeIAM()
	api.tags = map[string]map[string]string{"ci": {"iamsweep:expires": "2026-10-31", "iamsweep:owner": "platform@example.com"}}
	exp := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	used := asOf.Add(-time.Hour)
	ci := scan.User{Name: "ci", Status: scan.StatusInUse,
		Lifecycle:   &scan.Lifecycle{ExpiryTag: "iamsweep:expires", Expiry: "2026-10-31", ExpiresAt: &exp, Owner: "platform@example.com"},
		Credentials: []scan.Credential{{Name: "access_key_1", AccessKeyID: "AKIACI", Active: true, LastUsed: &used}}}
	res := result(ci)
	res.Findings = []rules.Finding{{AccountID: res.AccountID, UserName: "ci", Rule: rules.ExpiredUser, Severity: rules.High}}
	in := stageInput{Result: res, Settings: settings(), Evidence: dossier(judged("ci", evidence.VerdictInUse, time.Time{}))}
	sum, err := (&testRetirer{IAM: api, Now: func() time.Time { return asOf }}).Retire(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(sum.Notes, "\n")
	if sum.Counts["disable-done"] != 1 || !strings.Contains(notes, "disable ci: done (WARNING: expired 2026-10-31 but used 2026-11-23") ||
		!strings.Contains(notes, "its owner (platform@example.com) must migrate first") {
		t.Errorf("counts %v, notes:\n%s", sum.Counts, notes)
	}
	if len(api.writes) == 0 {
		t.Error("nothing was disabled")
	}
}

package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Without an activity source nothing proves a user unused: every
// candidate is unknown, so the retire stage leaves it alone.
func TestEvidenceWithoutActivitySourceIsUnknown(t *testing.T) {
	res := result(unused("a"), scan.User{Name: "b", Status: scan.StatusInUse})
	res.Findings = []rules.Finding{{Rule: rules.UnusedUser, UserName: "a", Message: "every credential unused"}}
	e := &testEvidence{Gatherer: &evidence.Gatherer{}, Regions: []string{"us-east-1"}}
	sum, d, err := e.Gather(context.Background(), stageInput{Result: res, Settings: settings()})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Users) != 1 || d.Verdict("a") != evidence.VerdictUnknown || sum.Counts["unknown"] != 1 || sum.Counts["users"] != 1 {
		t.Errorf("dossier %+v counts %v", d.Users, sum.Counts)
	}
	if d.AccountID != res.AccountID || !d.AsOf.Equal(res.AsOf) {
		t.Errorf("dossier of %s as of %s, want the scan's %s as of %s", d.AccountID, d.AsOf, res.AccountID, res.AsOf)
	}
}

func TestEvidenceNeedsClients(t *testing.T) {
	res := result(unused("a"))
	res.Findings = []rules.Finding{{Rule: rules.UnusedUser, UserName: "a"}}
	if _, _, err := (&testEvidence{}).Gather(context.Background(), stageInput{Result: res, Settings: settings()}); err == nil || !strings.Contains(err.Error(), "no AWS clients") {
		t.Errorf("err = %v", err)
	}
	// No candidate: nothing to read, no error, and an empty dossier of
	// the scan's account and as-of (every user unknown to plan).
	_, d, err := (&testEvidence{}).Gather(context.Background(), stageInput{Result: result(), Settings: settings()})
	if err != nil || d == nil || len(d.Users) != 0 || d.AccountID != "123456789012" || !d.AsOf.Equal(asOf) {
		t.Errorf("no candidates: %+v %v", d, err)
	}
}

package stages

import (
	"context"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/cli/retire"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Without an activity source nothing proves a user unused: every
// candidate is unknown, so the retire stage leaves it alone.
func TestEvidenceWithoutActivitySourceIsUnknown(t *testing.T) {
	res := result(unused("a"), scan.User{Name: "b", Status: scan.StatusInUse})
	res.Findings = []rules.Finding{{Rule: rules.UnusedUser, UserName: "a", Message: "every credential unused"}}
	e := &Evidence{Gatherer: &evidence.Gatherer{}, Regions: []string{"us-east-1"}}
	sum, verdicts, err := e.Gather(context.Background(), lambdafn.StageInput{Result: res, Settings: settings()})
	if err != nil {
		t.Fatal(err)
	}
	if len(verdicts) != 1 || verdicts["a"] != evidence.VerdictUnknown || sum.Counts["unknown"] != 1 || sum.Counts["users"] != 1 {
		t.Errorf("verdicts %v counts %v", verdicts, sum.Counts)
	}
}

func TestEvidenceNeedsClients(t *testing.T) {
	res := result(unused("a"))
	res.Findings = []rules.Finding{{Rule: rules.UnusedUser, UserName: "a"}}
	if _, _, err := (&Evidence{}).Gather(context.Background(), lambdafn.StageInput{Result: res, Settings: settings()}); err == nil || !strings.Contains(err.Error(), "no AWS clients") {
		t.Errorf("err = %v", err)
	}
	// No candidate: nothing to read, no error.
	if _, v, err := (&Evidence{}).Gather(context.Background(), lambdafn.StageInput{Result: result(), Settings: settings()}); err != nil || len(v) != 0 {
		t.Errorf("no candidates: %v %v", v, err)
	}
}

func TestDefaultsMatchTheCLI(t *testing.T) {
	if lambdafn.DefaultQuarantineDays != retire.DefaultQuarantineDays || lambdafn.DefaultMaxUsers != retire.DefaultMaxUsers {
		t.Error("the Lambda's retire defaults differ from plan's")
	}
}

package retire_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// The quarantine cannot be skipped: not with --quarantine-days 0, not by
// judging a change as of a future --as-of, not with a what-if plan.
func TestQuarantineCannotBeSkipped(t *testing.T) {
	a := iamfixture.NewAccount(t)
	retiretest.User(t, a, "bob", nil)
	retiretest.Env(t, a)
	retiretest.CLI(t, a, 0, "disable", "bob", "--yes", "--reason", "unused")

	res := retiretest.CLI(t, a, 2, "delete", "bob", "--yes", "--quarantine-days", "0")
	if !strings.Contains(res.Stderr, "--quarantine-days 0: must be at least 1 day") {
		t.Errorf("delete --quarantine-days 0: %s", res.Stderr)
	}
	retiretest.CLI(t, a, 2, "plan", "--quarantine-days", "0")
	// a changing command refuses --as-of: it judges on the real clock
	for _, args := range [][]string{
		{"delete", "bob", "--yes", "--as-of", retiretest.Days(15)},
		{"disable", "bob", "--yes", "--as-of", retiretest.Days(15)},
	} {
		res := retiretest.CLI(t, a, 2, args...)
		if !strings.Contains(res.Stderr, "judges the quarantine, staleness and use on the real clock") {
			t.Errorf("%v: %s", args, res.Stderr)
		}
	}
	// a plan as of 15 days ahead is a what-if: it says so, apply refuses it
	res = retiretest.CLI(t, a, 0, "plan", "--as-of", retiretest.Days(15), "--no-evidence", "--output-file", "plan.json")
	if p := retiretest.ReadPlan(t, "plan.json"); retiretest.Actions(p) != "delete bob" || !p.WhatIf() {
		t.Fatalf("what-if plan: %s", retiretest.Actions(p))
	}
	if !strings.Contains(res.Stdout, "WHAT-IF: as of") || !strings.Contains(res.Stdout, "apply refuses this plan") {
		t.Errorf("what-if plan summary:\n%s", res.Stdout)
	}
	res = retiretest.CLI(t, a, 1, "apply", "plan.json", "--yes")
	if !strings.Contains(res.Stderr, "what-if plan cannot be applied") {
		t.Errorf("apply of a what-if plan: %s", res.Stderr)
	}
	retiretest.CLI(t, a, 2, "apply", "plan.json", "--yes", "--as-of", retiretest.Days(15))
	// and a plan made 15 days on (real clock) deletes, one made a day on does not
	retiretest.CLI(t, a, 1, "delete", "bob", "--yes")
	retiretest.CLIAt(t, a, retiretest.Later(15), 0, "plan", "--no-evidence", "--output-file", "plan.json")
	if _, err := a.API.GetUser(a.Ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal("bob was deleted by a refused command")
	}
	retiretest.CLIAt(t, a, retiretest.Later(15), 0, "apply", "plan.json", "--yes", "--backup-dir", "backups")
	if _, err := a.API.GetUser(a.Ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err == nil {
		t.Error("bob survives a plan and apply made after the quarantine")
	}
}

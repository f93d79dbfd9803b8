package race_test

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest/retiretest"
	"github.com/iamsweep/iamsweep/internal/testutil/iamfixture"
)

// TestApplyKilledAndRunAgain kills an apply (two disables, one delete)
// after a seeded random number of API calls, runs it again, and expects
// the state of an uninterrupted run. Apply runs as the engine runs it,
// with users worked on concurrently.
func TestApplyKilledAndRunAgain(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return now }
	// setup builds the account and plans it; u3 was disabled 20 days ago.
	setup := func() (*iamfixture.Account, *plan.Plan) {
		a := iamfixture.NewAccount(t)
		for _, n := range []string{"u1", "u2", "u3"} {
			a.FullUser(n)
		}
		u3, err := remediate.ReadUser(a.Ctx, a.API, "u3", false)
		if err != nil {
			t.Fatal(err)
		}
		early := now.AddDate(0, 0, -20)
		x := &remediate.Executor{API: a.API, Caller: "arn:aws:iam::123456789012:user/admin", Now: func() time.Time { return early }}
		if err := x.Run(a.Ctx, remediate.PlanDisable(u3, x.Caller, "old", early)); err != nil {
			t.Fatal(err)
		}
		retiretest.Env(t, a)
		// about resuming, not evidence: --no-evidence lets u3's delete be planned
		// planned and applied on a clock 100 days ahead (a plan is applied
		// on the clock it was made on, never a what-if)
		retiretest.CLIAt(t, a, retiretest.Later(100), 0, "plan", "--no-evidence", "--output-file", "plan.json")
		p := retiretest.ReadPlan(t, "plan.json")
		if retiretest.Actions(p) != "disable u1, disable u2, delete u3" {
			t.Fatalf("plan: %s", retiretest.Actions(p))
		}
		return a, p
	}
	apply := func(a *iamfixture.Account, api *iam.Client, p *plan.Plan, dir string, clock func() time.Time) []plan.Outcome {
		e := &pipeline.Engine{Settings: pipeline.Defaults(), IAM: api, Now: func() time.Time { return clock().AddDate(0, 0, 100) }}
		e.Settings.Parallel = 8
		cs, err := e.OpenChange(a.Ctx, pipeline.ChangeOptions{
			Identity: &pipeline.Identity{CallerARN: "arn:aws:sts::123456789012:user/moto", AccountID: p.AccountID},
			Backups:  remediate.DirStore{Dir: dir}, Audit: func(remediate.Record) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		outs, _ := cs.ApplyPlan(a.Ctx, p, false, nil)
		return outs
	}
	failed := func(outs []plan.Outcome) error {
		for _, o := range outs {
			if o.Status == plan.StatusFailed {
				return o.Err
			}
		}
		return nil
	}

	a, p := setup()
	calls := &awsx.CallLog{}
	counted := iam.NewFromConfig(a.Cfg, func(o *iam.Options) { o.APIOptions = append(o.APIOptions, calls.Middleware) })
	if err := failed(apply(a, counted, p, t.TempDir(), clock)); err != nil {
		t.Fatal(err)
	}
	want := iamfixture.Snapshot(t, a.Ctx, a.API, a.API)
	total := calls.Total("")

	rng := rand.New(rand.NewPCG(2026, 11))
	for i := 0; i < 2; i++ {
		a, p := setup()
		// one kill in each half of the run, at least one call short of the end
		half := total / 2
		n := 1 + i*half + rng.IntN(half-1)
		t.Logf("killing after %d of %d calls", n, total)
		dir := t.TempDir()
		if err := failed(apply(a, iamfixture.FailingClient(a.Cfg, n), p, dir, clock)); !errors.Is(err, iamfixture.ErrKilled) {
			t.Fatalf("killed after %d calls: %v", n, err)
		}
		// The killed run's claim blocks other runs for the lease; a rerun
		// that early skips its users (TestRerunWithinLease...), one after
		// it takes over and finishes.
		if early := apply(a, a.API, p, dir, clock); failed(early) != nil {
			t.Errorf("kill at call %d: a rerun within the lease failed: %v", n, failed(early))
		} else {
			t.Logf("kill at call %d: a rerun within the lease left a user to the killed run: %v", n, skippedAsBusy(early))
		}
		afterLease := func() time.Time { return now.Add(remediate.ClaimLease + time.Minute) }
		outs := apply(a, a.API, p, dir, afterLease)
		if err := failed(outs); err != nil {
			t.Fatalf("rerun after a kill at call %d: %v", n, err)
		}
		for _, o := range outs {
			if o.Status == plan.StatusSkipped {
				t.Errorf("kill at call %d: rerun skipped %s %s: %s", n, o.Action.Action, o.Action.User, o.Reason)
			}
		}
		if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); stripTimes(got) != stripTimes(want) {
			t.Errorf("killed at call %d then rerun:\n%s\nuninterrupted:\n%s", n, got, want)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "123456789012", "u3-*.json")); len(files) == 0 {
			t.Errorf("kill at call %d: no backup of u3", n)
		}
	}
}

// skippedAsBusy reports whether some user was left to another run.
func skippedAsBusy(outs []plan.Outcome) bool {
	for _, o := range outs {
		if o.Status == plan.StatusSkipped && strings.Contains(o.Reason, "is being changed by run") {
			return true
		}
	}
	return false
}

// stripTimes hides timestamps: a run resumed after the lease writes its
// own disabled-at when the killed one had not written the record yet.
func stripTimes(s string) string { return retiretest.StripTimes(s) }

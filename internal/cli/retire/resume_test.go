package retire_test

import (
	"errors"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
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
		env(t, a)
		// about resuming, not evidence: --no-evidence lets u3's delete be planned
		cli(t, a, 0, "plan", "--as-of", days(100), "--no-evidence", "--output-file", "plan.json")
		p := readPlan(t, "plan.json")
		if actions(p) != "disable u1, disable u2, delete u3" {
			t.Fatalf("plan: %s", actions(p))
		}
		return a, p
	}
	apply := func(a *iamfixture.Account, api *iam.Client, p *plan.Plan, dir string) []plan.Outcome {
		x := &remediate.Executor{API: api, Caller: "arn:aws:sts::123456789012:user/moto", Account: p.AccountID, Now: clock}
		ap := &plan.Applier{API: api, Exec: x, Guard: remediate.Guard{CallerARN: x.Caller}, AsOf: now.AddDate(0, 0, 100), Now: clock, BackupDir: dir, Plan: p}
		e := &pipeline.Engine{Settings: pipeline.Defaults(), Now: clock}
		e.Settings.Parallel = 8
		return e.Apply(a.Ctx, ap, nil, nil)
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
	if err := failed(apply(a, counted, p, t.TempDir())); err != nil {
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
		if err := failed(apply(a, iamfixture.FailingClient(a.Cfg, n), p, dir)); !errors.Is(err, iamfixture.ErrKilled) {
			t.Fatalf("killed after %d calls: %v", n, err)
		}
		outs := apply(a, a.API, p, dir)
		if err := failed(outs); err != nil {
			t.Fatalf("rerun after a kill at call %d: %v", n, err)
		}
		for _, o := range outs {
			if o.Status == plan.StatusSkipped {
				t.Errorf("kill at call %d: rerun skipped %s %s: %s", n, o.Action.Action, o.Action.User, o.Reason)
			}
		}
		if got := iamfixture.Snapshot(t, a.Ctx, a.API, a.API); got != want {
			t.Errorf("killed at call %d then rerun:\n%s\nuninterrupted:\n%s", n, got, want)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "123456789012", "u3-*.json")); len(files) == 0 {
			t.Errorf("kill at call %d: no backup of u3", n)
		}
	}
}

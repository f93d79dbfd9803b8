package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/iamsweep/iamsweep/internal/par"
	"github.com/iamsweep/iamsweep/internal/plan"
)

// preview re-reads every action's user and reports what apply would do,
// in plan order, changing nothing (a dry run).
func (e *Engine) preview(ctx context.Context, ap *plan.Applier, report func(plan.Outcome)) []plan.Outcome {
	return e.eachAction(ctx, ap, func(ctx context.Context, a plan.Action) plan.Outcome { return ap.Prepare(ctx, a) }, report)
}

// apply carries out the plan. First the checks that need no change
// (plan.Applier.Preflight: AWSDenyAll exists, the caller may make the
// calls): when one fails, every action fails with it and no user is
// touched. Then each action's user is claimed for this run, read again
// as its owner (plan.Applier.PrepareOwned) and skipped when the plan's
// facts no longer hold or another live run owns it; then the change. Users are worked on concurrently (Settings.Parallel),
// the actions of one user in plan order. A failed user never stops the
// others (they are independent, and a rerun retries it). Outcomes are
// reported and returned in plan order.
func (e *Engine) apply(ctx context.Context, ap *plan.Applier, report func(plan.Outcome)) []plan.Outcome {
	if ap.Exec.Progress != nil {
		ap.Exec.Progress = &lockedWriter{w: ap.Exec.Progress}
	}
	notes, err := ap.Preflight(ctx)
	for _, n := range notes {
		if ap.Exec.Progress != nil {
			fmt.Fprintln(ap.Exec.Progress, "note: "+n)
		}
	}
	if err != nil {
		outs := make([]plan.Outcome, 0, len(ap.Plan.Actions))
		for _, a := range ap.Plan.Actions {
			o := plan.Outcome{Action: a, Status: plan.StatusFailed, Err: err}
			if report != nil {
				report(o)
			}
			outs = append(outs, o)
		}
		return outs
	}
	return e.eachAction(ctx, ap, func(ctx context.Context, a plan.Action) plan.Outcome {
		o, release := ap.PrepareOwned(ctx, a)
		defer release()
		if o.Status == plan.StatusWouldDo {
			err := ap.Exec.Run(ctx, o.Op)
			o.Status, o.Err = plan.StatusDone, err
			if err != nil {
				o.Status = plan.StatusFailed
			}
		}
		return o
	}, report)
}

// eachAction runs do for every action of the plan, at most Parallel at
// once; an action waits for the previous action of its user, so the
// steps of one user stay in plan order. report gets the outcomes in plan
// order, one at a time.
func (e *Engine) eachAction(ctx context.Context, ap *plan.Applier, do func(context.Context, plan.Action) plan.Outcome, report func(plan.Outcome)) []plan.Outcome {
	acts := ap.Plan.Actions
	outs := make([]plan.Outcome, len(acts))
	finished := make([]chan struct{}, len(acts))
	prev := make([]int, len(acts))
	last := map[string]int{}
	for i, a := range acts {
		finished[i] = make(chan struct{})
		prev[i] = -1
		if j, ok := last[a.User]; ok {
			prev[i] = j
		}
		last[a.User] = i
	}
	par.Ordered(ctx, len(acts), e.Settings.Parallel, func(ctx context.Context, i int) bool {
		defer close(finished[i])
		if prev[i] >= 0 {
			<-finished[prev[i]]
		}
		outs[i] = do(ctx, acts[i])
		return true
	}, func(i int) {
		if report != nil {
			report(outs[i])
		}
	})
	return outs
}

// lockedWriter keeps concurrent progress lines whole.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

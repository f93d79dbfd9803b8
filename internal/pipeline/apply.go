package pipeline

import (
	"context"
	"io"
	"sync"

	"github.com/iamsweep/iamsweep/internal/par"
	"github.com/iamsweep/iamsweep/internal/plan"
)

// BeforeChange runs after a user was read again and found still to
// match the plan, just before the change is made. It may add steps to
// the operation (the Lambda uploads each backup to S3 before anything is
// removed); an error fails that action, with nothing changed.
type BeforeChange func(ctx context.Context, o *plan.Outcome) error

// Preview re-reads every action's user and reports what apply would do,
// in plan order, changing nothing (a dry run).
func (e *Engine) Preview(ctx context.Context, ap *plan.Applier, report func(plan.Outcome)) []plan.Outcome {
	return e.eachAction(ctx, ap, func(ctx context.Context, a plan.Action) plan.Outcome { return ap.Prepare(ctx, a) }, report)
}

// Apply carries out the plan: each action's user is read again
// (plan.Applier.Prepare) and skipped when the plan's facts no longer
// hold, then before runs, then the change. Users are worked on
// concurrently (Settings.Parallel), the actions of one user in plan
// order. A failed user never stops the others (they are independent,
// and a rerun retries it). Outcomes are reported and returned in plan
// order.
func (e *Engine) Apply(ctx context.Context, ap *plan.Applier, before BeforeChange, report func(plan.Outcome)) []plan.Outcome {
	if ap.Exec.Progress != nil {
		ap.Exec.Progress = &lockedWriter{w: ap.Exec.Progress}
	}
	return e.eachAction(ctx, ap, func(ctx context.Context, a plan.Action) plan.Outcome {
		o := ap.Prepare(ctx, a)
		if o.Status == plan.StatusWouldDo {
			var err error
			if before != nil {
				err = before(ctx, &o)
			}
			if err == nil {
				err = ap.Exec.Run(ctx, o.Op)
			}
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

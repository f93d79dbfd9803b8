package pipeline

import (
	"context"

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
	outs := make([]plan.Outcome, 0, len(ap.Plan.Actions))
	for _, a := range ap.Plan.Actions {
		o := ap.Prepare(ctx, a)
		if report != nil {
			report(o)
		}
		outs = append(outs, o)
	}
	return outs
}

// Apply carries out the plan: each action's user is read again
// (plan.Applier.Prepare) and skipped when the plan's facts no longer
// hold, then before runs, then the change. A failed user never stops
// the others (they are independent, and a rerun retries it). Outcomes
// are reported and returned in plan order.
func (e *Engine) Apply(ctx context.Context, ap *plan.Applier, before BeforeChange, report func(plan.Outcome)) []plan.Outcome {
	outs := make([]plan.Outcome, 0, len(ap.Plan.Actions))
	for _, a := range ap.Plan.Actions {
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
		if report != nil {
			report(o)
		}
		outs = append(outs, o)
	}
	return outs
}

package pipeline

import (
	"context"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/plan"
)

// AccountApply is one account's part of a plan across accounts: its
// outcomes in plan order.
type AccountApply struct {
	Outcomes []plan.Outcome
}

// ApplyOrgPlan applies (or previews) a plan across accounts: the total
// cap first (more than maxTotal users in all changes nothing), then each
// account in its own change session (its role, caller, exclusions, rails)
// through ChangeSession.ApplyPlan, exactly as one account's apply. plans
// holds the accounts to apply, sel says how to enter them.
func (e *Engine) ApplyOrgPlan(ctx context.Context, plans map[string]*plan.Plan, sel org.Options, co ChangeOptions, maxTotal int, dryRun bool,
	emit func(org.Result[AccountApply]) error) (org.Summary, error) {
	if _, err := clock.ForChange(co.AsOf, e.nowFunc()); err != nil {
		return org.Summary{}, &ClockError{Err: err}
	}
	total := 0
	sel.Accounts, sel.Exclude = nil, nil
	for id, p := range plans {
		total += p.UsersChanged()
		sel.Accounts = append(sel.Accounts, id)
	}
	if total > maxTotal {
		return org.Summary{}, &plan.TooManyUsersTotalError{Users: total, Max: maxTotal}
	}
	prep, err := e.PrepareOrg(ctx, sel)
	if err != nil {
		return org.Summary{}, err
	}
	return RunAccounts(ctx, e, prep, func(ctx context.Context, ae *Engine, acct org.Account) (AccountApply, error) {
		var res AccountApply
		cs, err := ae.OpenChange(ctx, co)
		if err != nil {
			return res, err
		}
		defer cs.Close()
		res.Outcomes, err = cs.ApplyPlan(ctx, plans[acct.ID], dryRun, nil)
		return res, err
	}, emit)
}

package plan

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
)

// planOrg plans in every selected account through the engine's account
// loop: one file holds each account's plan. An account over --max-users,
// or that cannot be entered, fails alone (its error is in the file; apply
// leaves it alone); more than --max-users-total in all writes nothing.
func planOrg(ctx context.Context, opts *PlanOptions, engine *pipeline.Engine, in pipeline.PlanInput) error {
	f := opts.Factory
	if opts.FromScan != "" || opts.EvidenceFile != "" {
		return cmdutil.FlagErrorf("--from-scan and --evidence-file are one account's: with an account selection, plan scans each account (add --gather-evidence for evidence)")
	}
	p, err := engine.PrepareOrg(ctx, opts.Org.Options)
	if err != nil {
		return err
	}
	op := &plan.OrgPlan{SchemaVersion: plan.SchemaVersion, Kind: plan.OrgKind, CreatedAt: f.Now().UTC(), MaxUsersTotal: opts.MaxUsersTotal}
	var page *htmlreport.OrgPage
	if opts.Output == "html" {
		page = htmlreport.NewOrgPage(plan.OrgKind, in.Scan.AsOf, f.Now())
	}
	type planned struct {
		p     *plan.Plan
		basis pipeline.PlanBasis
	}
	sum, err := pipeline.RunAccounts(ctx, engine, p, func(ctx context.Context, ae *pipeline.Engine, _ org.Account) (planned, error) {
		pl, basis, err := ae.PlanWithBasis(ctx, in)
		return planned{pl, basis}, err
	}, func(r org.Result[planned]) error {
		a := plan.OrgAccount{ID: r.Account.ID, Name: r.Account.Name, Status: r.Status, Error: r.Error}
		if r.Status == org.StatusOK {
			a.Plan = r.Value.p
		}
		op.Accounts = append(op.Accounts, a)
		if page != nil {
			if a.Plan != nil {
				page.Account(a.ID, a.Name, a.Status, a.Error, r.Value.basis.Scan, r.Value.basis.Evidence, a.Plan)
			} else {
				page.Account(a.ID, a.Name, a.Status, a.Error, nil, nil, nil)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if errors.Is(sum.Err(), context.Canceled) {
		return sum.Err()
	}
	if n := op.UsersChanged(); n > opts.MaxUsersTotal {
		_ = plan.WriteOrgSummary(f.IO.ErrOut, op)
		return &plan.TooManyUsersTotalError{Users: n, Max: opts.MaxUsersTotal}
	}
	write := op.Write
	if page != nil {
		write = page.Write
	}
	summary := f.IO.ErrOut
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, write); err != nil {
			return err
		}
		summary = f.IO.Out
	} else if err := write(f.IO.Out); err != nil {
		return err
	}
	_ = plan.WriteOrgSummary(summary, op)
	if opts.OutputFile != "" {
		fmt.Fprintln(summary, wroteLine(f, opts, op.UsersChanged() > 0 || orgHasActions(op)))
	}
	return sum.Err()
}

func orgHasActions(op *plan.OrgPlan) bool {
	for _, a := range op.Accounts {
		if a.Plan != nil && len(a.Plan.Actions) > 0 {
			return true
		}
	}
	return false
}

package apply

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// applied is one account's apply: what was printed, and its failures.
type applied struct {
	out     string
	pending int
}

// applyOrg carries out a plan across accounts: each account's plan in its
// own account (an assumed role, its own rate limiter), every user read
// again there first, exactly as a single-account apply. An account over
// --max-users fails alone before any change; more than --max-users-total
// in all changes nothing. Without --yes it is a dry run.
func applyOrg(ctx context.Context, opts *ApplyOptions, op *plan.OrgPlan) error {
	f := opts.Factory
	sel := opts.Org.Options
	if sel.All || len(sel.OUs) > 0 || sel.AccountsFile != "" {
		return cmdutil.FlagErrorf("the plan names its accounts: drop --org, --ou and --accounts-file (--accounts and --exclude-accounts narrow it)")
	}
	asOf, err := opts.Flags.ParseAsOf(f.Now)
	if err != nil {
		return err
	}
	ov := opts.Flags.Overrides()
	ov.MaxUsers = cmdutil.ChangedInt(opts.flags, "max-users", opts.MaxUsers)
	settings, err := f.Settings(&opts.Flags, ov)
	if err != nil {
		return err
	}
	plans := map[string]*plan.Plan{}
	var ids []string
	total := 0
	for _, a := range op.Accounts {
		if a.Plan == nil || (len(sel.Accounts) > 0 && !slices.Contains(sel.Accounts, a.ID)) || slices.Contains(sel.Exclude, a.ID) {
			continue
		}
		plans[a.ID] = a.Plan
		ids = append(ids, a.ID)
		total += a.Plan.UsersChanged()
	}
	if len(ids) == 0 {
		fmt.Fprintln(f.IO.Out, "nothing to do: the plan holds no account to apply (failed accounts, or none left by --accounts/--exclude-accounts).")
		return nil
	}
	if total > opts.MaxUsersTotal {
		return &plan.TooManyUsersTotalError{Users: total, Max: opts.MaxUsersTotal}
	}
	sel.Accounts, sel.Exclude = ids, nil
	engine := f.Engine(settings)
	p, err := engine.PrepareOrg(ctx, sel)
	if err != nil {
		return err
	}
	var audit *remediate.AuditLog
	if opts.Act.Yes {
		if audit, err = remediate.OpenAuditLog(opts.Act.AuditLog); err != nil {
			return err
		}
		defer audit.Close()
	}
	out := f.IO.Out
	pending := 0
	n := 0
	sum, err := pipeline.RunAccounts(ctx, engine, p, func(ctx context.Context, ae *pipeline.Engine, acct org.Account) (applied, error) {
		return applyAccount(ctx, ae, plans[acct.ID], settings.MaxUsers, opts, asOf, audit)
	}, func(r org.Result[applied]) error {
		if n > 0 {
			fmt.Fprintln(out)
		}
		n++
		label := r.Account.ID
		if r.Account.Name != "" {
			label += " (" + r.Account.Name + ")"
		}
		fmt.Fprintf(out, "=== Account %s ===\n%s", label, r.Value.out)
		if r.Status != org.StatusOK {
			fmt.Fprintf(out, "%s: %s\n", r.Status, r.Error)
		}
		pending += r.Value.pending
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nAccounts: %d ok, %d failed, %d canceled\n", sum.OK, sum.Failed, sum.Canceled)
	if !opts.Act.Yes && sum.Err() == nil {
		if pending == 0 {
			fmt.Fprintln(out, "nothing to do.")
		} else {
			fmt.Fprintln(out, "dry run: nothing was changed. Run again with --yes to make these changes in every account.")
		}
	}
	return sum.Err()
}

// applyAccount is one account's apply, with the account's own caller,
// exclusions (its SSM parameter) and rails; outcomes are kept to be
// printed in account order.
func applyAccount(ctx context.Context, ae *pipeline.Engine, p *plan.Plan, maxUsers int, opts *ApplyOptions, asOf time.Time, audit *remediate.AuditLog) (applied, error) {
	var res applied
	var buf bytes.Buffer
	defer func() { res.out = buf.String() }()
	if n := p.UsersChanged(); n > maxUsers {
		return res, &plan.TooManyUsersError{Users: n, Max: maxUsers}
	}
	id, err := ae.Identity(ctx)
	if err != nil {
		return res, err
	}
	if id.AccountID != p.AccountID {
		return res, fmt.Errorf("the plan is for account %s but its role is in account %s: check --role-arn-template", p.AccountID, id.AccountID)
	}
	set, err := ae.Exclusions(ctx)
	if err != nil {
		return res, err
	}
	a, err := ae.AWS(ctx)
	if err != nil {
		return res, err
	}
	api := a.IAM()
	x := &remediate.Executor{API: api, Caller: id.CallerARN, Account: id.AccountID, Now: opts.Factory.Now, Audit: audit}
	ap := &plan.Applier{API: api, Exec: x, Guard: remediate.Guard{CallerARN: id.CallerARN, Exclusions: set, AsOf: asOf}, AsOf: asOf,
		Now: opts.Factory.Now, BackupDir: opts.BackupDir, Plan: p}
	write := func(o plan.Outcome) { plan.WriteOutcome(&buf, o) }
	if !opts.Act.Yes {
		for _, o := range ae.Preview(ctx, ap, write) {
			if o.Status == plan.StatusWouldDo {
				res.pending++
			}
		}
		res.out = buf.String()
		return res, nil
	}
	failed := 0
	var first error
	for _, o := range ae.Apply(ctx, ap, nil, write) {
		if o.Status == plan.StatusFailed {
			if failed++; first == nil {
				first = o.Err
			}
		}
	}
	res.out = buf.String()
	if failed > 0 {
		return res, fmt.Errorf("%d action(s) failed; fix the cause and run apply again to finish; first: %w", failed, first)
	}
	return res, nil
}

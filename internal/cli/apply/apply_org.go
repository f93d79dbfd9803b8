package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// applyOrg carries out a plan across accounts (pipeline.ApplyOrgPlan):
// each account's plan in its own account and change session, every user
// read again there first, exactly as a single-account apply. An account
// over --max-users fails alone before any change; more than
// --max-users-total in all changes nothing. Without --yes it is a dry run.
func applyOrg(ctx context.Context, opts *ApplyOptions, op *plan.OrgPlan) error {
	f := opts.Factory
	sel := opts.Org.Options
	if sel.All || len(sel.OUs) > 0 || sel.AccountsFile != "" {
		return cmdutil.FlagErrorf("the plan names its accounts: drop --org, --ou and --accounts-file (--accounts and --exclude-accounts narrow it)")
	}
	ov := opts.Flags.Overrides()
	ov.MaxUsers = cmdutil.ChangedInt(opts.flags, "max-users", opts.MaxUsers)
	settings, err := f.Settings(&opts.Flags, ov)
	if err != nil {
		return err
	}
	plans := map[string]*plan.Plan{}
	for _, a := range op.Accounts {
		if a.Plan == nil || (len(sel.Accounts) > 0 && !slices.Contains(sel.Accounts, a.ID)) || slices.Contains(sel.Exclude, a.ID) {
			continue
		}
		plans[a.ID] = a.Plan
	}
	if len(plans) == 0 {
		fmt.Fprintln(f.IO.Out, "nothing to do: the plan holds no account to apply (failed accounts, or none left by --accounts/--exclude-accounts).")
		return nil
	}
	co := cmdutil.ChangeOptions(f, opts.Act, opts.BackupDir)
	co.AsOf = opts.Flags.AsOf
	co.Progress = nil // per-account output is buffered and printed in account order
	if opts.Act.Yes {
		// One audit log for every account's session.
		audit, err := remediate.OpenAuditLog(opts.Act.AuditLog)
		if err != nil {
			return err
		}
		defer audit.Close()
		co.Audit = audit.Write
	}
	out := f.IO.Out
	pending, n := 0, 0
	sum, err := f.Engine(settings).ApplyOrgPlan(ctx, plans, sel, co, opts.MaxUsersTotal, !opts.Act.Yes, func(r org.Result[pipeline.AccountApply]) error {
		if n > 0 {
			fmt.Fprintln(out)
		}
		n++
		label := r.Account.ID
		if r.Account.Name != "" {
			label += " (" + r.Account.Name + ")"
		}
		fmt.Fprintf(out, "=== Account %s ===\n", label)
		for _, o := range r.Value.Outcomes {
			plan.WriteOutcomeWidth(out, o, opts.Factory.IO.WidthFor(out))
		}
		if r.Status != org.StatusOK {
			fmt.Fprintf(out, "%s: %s\n", r.Status, r.Error)
		}
		pending += pipeline.Pending(r.Value.Outcomes)
		return nil
	})
	var ce *pipeline.ClockError
	if errors.As(err, &ce) {
		return &cmdutil.FlagError{Err: err}
	}
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

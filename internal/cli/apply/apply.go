// Package apply is the `iamsweep apply PLAN` command: carry out a plan,
// re-checking every user first (dry run unless confirmed).
package apply

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// ApplyOptions are the apply command's inputs.
type ApplyOptions struct {
	Factory   *cmdutil.Factory
	PlanFile  string
	BackupDir string
	MaxUsers  int
	Act       cmdutil.ActFlags
	Flags     cmdutil.ScanFlags
	// Org and MaxUsersTotal apply a plan across accounts: how to enter
	// each (--role-name, ...), which to leave out, the cap in all.
	Org           cmdutil.OrgFlags
	MaxUsersTotal int
	flags         *pflag.FlagSet
}

// NewCmdApply builds `iamsweep apply PLAN`.
func NewCmdApply(f *cmdutil.Factory, runF func(context.Context, *ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "apply PLAN",
		Short: "Carry out a plan made by 'iamsweep plan' (dry run unless confirmed)",
		Long: `Carry out a plan file. A dry run prints exactly what would be done; the
changes are made with --yes, or after the account ID is typed at a terminal.

Before each user, apply reads it again and skips it, saying why, if anything
the plan relied on changed: a key used after the scan, a new key, a
reactivated key, the console password used or created, the user restored,
disabled again, deleted or recreated. A stale plan never deletes.

Apply is idempotent and resumable: run it again after an interruption and it
finishes what is left. Every change is appended to the audit log. Deletions
write a backup first (see 'iamsweep delete'). Safety rails are checked again
at apply time (root, the caller's own user, exclusions, CloudFormation).

Exits 1 if any action failed, 4 if the first failure was a missing
permission (run apply again to retry).`,
		Example: `  iamsweep apply plan.json            # dry run
  iamsweep apply plan.json --yes      # make the changes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.PlanFile = args[0]
			opts.flags = cmd.Flags()
			if opts.MaxUsers < 1 || opts.MaxUsersTotal < 1 {
				return cmdutil.FlagErrorf("--max-users and --max-users-total must be at least 1")
			}
			if opts.Org.Options.Parallel < 1 {
				return cmdutil.FlagErrorf("invalid --parallel-accounts %d: must be at least 1", opts.Org.Options.Parallel)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.BackupDir, "backup-dir", remediate.DefaultBackupDir, "write deletion backups under `DIR`/ACCOUNT/")
	cmd.Flags().IntVar(&opts.MaxUsers, "max-users", pipeline.DefaultMaxUsers, "refuse a plan that disables or deletes more than `N` users")
	opts.Act.Register(cmd.Flags())
	opts.Flags.RegisterExclusions(cmd.Flags())
	opts.Org.Register(cmd.Flags())
	// A plan across accounts names its accounts; these only narrow it or
	// say how to enter them.
	for _, name := range []string{"org", "ou", "accounts-file"} {
		_ = cmd.Flags().MarkHidden(name)
	}
	cmd.Flags().IntVar(&opts.MaxUsersTotal, "max-users-total", pipeline.DefaultMaxUsersTotal, "refuse a plan across accounts that disables or deletes more than `N` users in all (--max-users caps each account)")
	return cmd
}

func applyRun(ctx context.Context, opts *ApplyOptions) error {
	file, err := os.Open(opts.PlanFile)
	if err != nil {
		return &cmdutil.FlagError{Err: fmt.Errorf("read plan: %w", err)}
	}
	p, op, err := plan.ReadAny(file)
	file.Close()
	if err != nil {
		return &cmdutil.FlagError{Err: fmt.Errorf("%s: %w", opts.PlanFile, err)}
	}
	if op != nil {
		return applyOrg(ctx, opts, op)
	}
	if opts.Org.Enabled() || len(opts.Org.Options.Exclude) > 0 || opts.flags.Changed("parallel-accounts") || opts.flags.Changed("max-users-total") ||
		opts.Org.Options.RoleName != "" || opts.Org.Options.RoleARNTemplate != "" || opts.Org.Options.ExternalID != "" {
		return cmdutil.FlagErrorf("%s is one account's plan: the account flags (--accounts, --role-name, --max-users-total, ...) are for a plan made with an account selection", opts.PlanFile)
	}
	s, err := cmdutil.NewSession(ctx, opts.Factory, &opts.Flags, func(o *pipeline.Overrides) {
		o.MaxUsers = cmdutil.ChangedInt(opts.flags, "max-users", opts.MaxUsers)
	}, opts.Act, opts.BackupDir)
	if err != nil {
		return err
	}
	defer s.Close()
	out := s.F.IO.Out
	write := func(o plan.Outcome) { plan.WriteOutcomeWidth(out, o, s.F.IO.WidthFor(out)) }
	// With --yes there is no preview to confirm: each user is read once,
	// just before it is changed.
	if !opts.Act.Yes {
		outs, err := s.ApplyPlan(ctx, p, true, write)
		if err != nil {
			return err
		}
		if pipeline.Pending(outs) == 0 {
			fmt.Fprintln(out, "nothing to do.")
			return nil
		}
		ok, err := s.Confirmed(opts.Act)
		if err != nil || !ok {
			return err
		}
	}
	_, err = s.ApplyPlan(ctx, p, false, write)
	return err
}

// Package delete is the `iamsweep delete USER` command.
package delete

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// DeleteOptions are the delete command's inputs.
type DeleteOptions struct {
	Factory        *cmdutil.Factory
	User           string
	BackupDir      string
	QuarantineDays int
	Force          bool
	Act            cmdutil.ActFlags
	Flags          cmdutil.ScanFlags
	flags          *pflag.FlagSet
}

// NewCmdDelete builds `iamsweep delete USER`.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "delete USER",
		Short: "Delete a disabled IAM user after quarantine, with a full backup first",
		Long: `Delete an IAM user completely. First a backup of everything about it
(path, tags, groups, inline policy documents, attached policies, boundary,
access key IDs, MFA devices, SSH keys, signing certificates, service-specific
credentials; never a secret) is written to
--backup-dir/ACCOUNT/USER-TIMESTAMP.json (mode 0600). Then every dependency
is removed in the order AWS documents, and the user is deleted.

Only a user disabled by iamsweep at least --quarantine-days ago, with no
credential used since, is deleted, unless --force. 'iamsweep recreate
BACKUP' rebuilds the user (without secrets).`,
		Example: `  iamsweep delete old-ci
  iamsweep delete old-ci --yes --backup-dir /secure/iamsweep-backups`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User, opts.flags = args[0], cmd.Flags()
			if err := plan.CheckQuarantineDays("--quarantine-days", opts.QuarantineDays); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return deleteRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.BackupDir, "backup-dir", remediate.DefaultBackupDir, "write the backup under `DIR`/ACCOUNT/")
	cmd.Flags().IntVar(&opts.QuarantineDays, "quarantine-days", plan.DefaultQuarantineDays, "delete only users disabled at least `N` days ago")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "delete even a user not disabled, still in quarantine, or used since it was disabled")
	opts.Act.Register(cmd.Flags())
	opts.Flags.RegisterExclusions(cmd.Flags())
	return cmd
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	s, err := cmdutil.NewSession(ctx, opts.Factory, &opts.Flags, func(o *pipeline.Overrides) {
		o.QuarantineDays = cmdutil.ChangedInt(opts.flags, "quarantine-days", opts.QuarantineDays)
	}, opts.Act, opts.BackupDir)
	if err != nil {
		return err
	}
	days := s.Settings.QuarantineDays
	if err := s.CheckName(opts.User); err != nil {
		return err
	}
	// Cheap refusals first: one GetUser tells an excluded user, one not
	// disabled or one still in quarantine, before the dozen reads of the
	// backup (and before calls an endpoint might lack).
	head, err := remediate.ReadHead(ctx, s.Reader(), opts.User)
	if err != nil {
		return cmdutil.NotFound(opts.User, err)
	}
	if err := s.Check(head, false); err != nil {
		return err
	}
	if !opts.Force {
		if why := plan.Deletable(head, s.Now(), days); why != "" {
			return &remediate.RefusedError{User: head.Name, Reason: why + " (--force deletes anyway)"}
		}
	}
	stage := progress.Start(ctx, "reading everything "+opts.User+" has, for the backup")
	b, err := remediate.ReadBackup(ctx, s.Reader(), opts.User, s.Account(), s.Caller(), s.Now())
	stage.Done()
	if err != nil {
		return cmdutil.NotFound(opts.User, err)
	}
	u := &b.User
	if err := s.Check(u, false); err != nil {
		return err
	}
	if !opts.Force {
		if why := plan.Deletable(u, s.Now(), days); why != "" {
			return &remediate.RefusedError{User: u.Name, Reason: why + " (--force deletes anyway)"}
		}
		if why := remediate.AsLeft(u); why != "" {
			return &remediate.RefusedError{User: u.Name, Reason: why + " (--force deletes anyway)"}
		}
	}
	op := remediate.PlanDeleteTo(b, s.Backups(), s.Backups().Location(s.Account(), u.Name, s.Now()))
	done, err := s.Do(ctx, op, opts.Act)
	if done {
		fmt.Fprintf(s.F.IO.Out, "backup: %s (rebuild with: iamsweep recreate %s)\n", op.BackupPath, op.BackupPath)
	}
	return err
}

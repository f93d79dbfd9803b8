// Package recreate is the `iamsweep recreate BACKUP` command.
package recreate

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// RecreateOptions are the recreate command's inputs.
type RecreateOptions struct {
	Factory *cmdutil.Factory
	Backup  string
	Act     cmdutil.ActFlags
	Flags   cmdutil.ScanFlags
}

// NewCmdRecreate builds `iamsweep recreate BACKUP`.
func NewCmdRecreate(f *cmdutil.Factory, runF func(context.Context, *RecreateOptions) error) *cobra.Command {
	opts := &RecreateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "recreate BACKUP",
		Short: "Rebuild a deleted user from its backup (without secrets)",
		Long: `Rebuild a user deleted by 'iamsweep delete' from its backup file: path,
tags, groups, inline policies, attached managed policies and permissions
boundary. Credentials are not recreated (a backup holds no secrets): create
new access keys or a console password afterwards. The user is tagged
iamsweep:recreated-from=<old user ID>.`,
		Example: `  iamsweep recreate iamsweep-backups/123456789012/old-ci-20261123T120000Z.json --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Backup = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return recreateRun(cmd.Context(), opts)
		},
	}
	opts.Act.Register(cmd.Flags())
	return cmd
}

func recreateRun(ctx context.Context, opts *RecreateOptions) error {
	b, err := remediate.ReadBackupFile(opts.Backup)
	if err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	s, err := cmdutil.NewSession(ctx, opts.Factory, &opts.Flags, nil, opts.Act, "")
	if err != nil {
		return err
	}
	if b.AccountID != s.Account() {
		return fmt.Errorf("backup is of account %s but the credentials are for account %s: use --profile or --role-arn for %s", b.AccountID, s.Account(), b.AccountID)
	}
	if err := s.Check(&b.User, true); err != nil {
		return err
	}
	_, err = s.Do(ctx, remediate.PlanRecreate(b), opts.Act)
	return err
}

// Package disable is the `iamsweep disable USER` command.
package disable

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// DisableOptions are the disable command's inputs.
type DisableOptions struct {
	Factory *cmdutil.Factory
	User    string
	Reason  string
	Act     cmdutil.ActFlags
	Flags   cmdutil.ScanFlags
}

// NewCmdDisable builds `iamsweep disable USER`.
func NewCmdDisable(f *cmdutil.Factory, runF func(context.Context, *DisableOptions) error) *cobra.Command {
	opts := &DisableOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "disable USER",
		Short: "Disable an IAM user reversibly (keys inactive, console removed, deny-all attached)",
		Long: `Disable an IAM user so that nothing it holds works any more, in a way
'iamsweep restore' undoes exactly:

  1. tag the user iamsweep:state=disabling with the keys about to change
  2. set every active access key Inactive
  3. delete the console login profile (recorded in iamsweep:console-removed)
  4. attach arn:aws:iam::aws:policy/AWSDenyAll (blocks every other credential)
  5. tag iamsweep:state=disabled, iamsweep:disabled-at, -by, -reason

A dry run unless --yes is given or the account ID is typed at the prompt.
Refuses the root user, the caller's own user, excluded users and users
managed by CloudFormation.`,
		Example: `  iamsweep disable old-ci --reason "unused since 2025, ticket OPS-123"
  iamsweep disable old-ci --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return disableRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Reason, "reason", "disabled with iamsweep", "why, a `TEXT` recorded in the iamsweep:reason tag and the audit log")
	opts.Act.Register(cmd.Flags())
	opts.Flags.RegisterExclusions(cmd.Flags())
	return cmd
}

func disableRun(ctx context.Context, opts *DisableOptions) error {
	s, err := cmdutil.NewSession(ctx, opts.Factory, &opts.Flags, nil, opts.Act, "")
	if err != nil {
		return err
	}
	u, err := s.ReadUser(ctx, opts.User, true) // the last use goes into iamsweep:last-used
	if err != nil {
		return err
	}
	if err := s.Check(u, false); err != nil {
		return err
	}
	_, err = s.Do(ctx, remediate.PlanDisable(u, s.Caller(), opts.Reason, s.Now()), opts.Act)
	return err
}

// Package restore is the `iamsweep restore USER` command.
package restore

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/textwrap"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// RestoreOptions are the restore command's inputs.
type RestoreOptions struct {
	Factory *cmdutil.Factory
	User    string
	Act     cmdutil.ActFlags
	Flags   cmdutil.ScanFlags
	// PrintPassword allows the one-time password onto a stdout that is not
	// a terminal (a file, a pipe, a CI log), where it would be stored.
	PrintPassword bool
}

// NewCmdRestore builds `iamsweep restore USER`.
func NewCmdRestore(f *cmdutil.Factory, runF func(context.Context, *RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "restore USER",
		Short: "Undo exactly what 'iamsweep disable' did to a user",
		Long: `Undo exactly what 'iamsweep disable' did, as the user's iamsweep:* tags
record it: reactivate only the keys iamsweep deactivated (keys that were
already inactive stay inactive), detach AWSDenyAll, and, if the console
login was removed, create a new login profile with a generated one-time
password that must be changed at first sign-in. The password is printed
once, here, and is never logged or stored. The state tags are removed last.

Excluded users may be restored (restore only undoes iamsweep's own change).`,
		Example: `  iamsweep restore old-ci --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return restoreRun(cmd.Context(), opts)
		},
	}
	opts.Act.Register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.PrintPassword, "print-password", false, "write the one-time console password even when standard output is not a terminal (a file or CI log would then hold it)")
	return cmd
}

// createsPassword reports whether op will make a one-time console password.
func createsPassword(op *remediate.Operation) bool {
	for _, st := range op.Steps {
		if st.Action == "iam:CreateLoginProfile" {
			return true
		}
	}
	return false
}

func restoreRun(ctx context.Context, opts *RestoreOptions) error {
	s, err := cmdutil.NewSession(ctx, opts.Factory, &opts.Flags, nil, opts.Act, "")
	if err != nil {
		return err
	}
	u, err := s.ReadUser(ctx, opts.User, false)
	if err != nil {
		return err
	}
	if err := s.Check(u, true); err != nil {
		return err
	}
	op, err := remediate.PlanRestore(u, s.Caller(), s.Now())
	if err != nil {
		return err
	}
	// The password is handed to a person once; on a stdout that is not a
	// terminal it would land in a file or a log, so refuse before acting.
	acting := opts.Act.Yes || s.F.IO.StdinTTY
	if acting && createsPassword(op) && !s.F.IO.StdoutTTY && !opts.PrintPassword {
		return cmdutil.FlagErrorf("restoring %s creates a one-time console password, printed once, and standard output is not a terminal: run it at a terminal, or add --print-password to write it to standard output anyway", op.User)
	}
	_, err = s.Do(ctx, op, opts.Act)
	// Shown even when a later step failed: the login profile exists now,
	// and a rerun will not create (or show) another password.
	if op.Password != "" {
		// Wrapped at the terminal's width, never inside the password.
		fmt.Fprintln(s.F.IO.Out, textwrap.Block(fmt.Sprintf("one-time console password for %s (shown once; it must be changed at first sign-in): %s", op.User, op.Password), s.F.IO.WidthFor(s.F.IO.Out)))
	}
	return err
}

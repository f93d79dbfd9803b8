// Package expire is `iamsweep expire USER --on DATE [--owner WHO]`: it sets
// or moves the expiry (and owner) tags the lifecycle rules read. Like every
// changing command it is a dry run unless confirmed, audits each change,
// and refuses the root user, the caller's own user and users managed by
// CloudFormation (their tags belong in the template).
package expire

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Permissions are the actions `expire` calls, as docs/retire.md lists them.
var Permissions = []string{"sts:GetCallerIdentity", "iam:GetUser", "iam:TagUser", "iam:UntagUser"}

// Options are the expire command's inputs.
type Options struct {
	Factory    *cmdutil.Factory
	User       string
	On         string
	Owner      string
	ConfigPath string
	Yes        bool
	AuditLog   string
}

// NewCmdExpire builds `iamsweep expire USER --on DATE`.
func NewCmdExpire(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "expire USER --on DATE [--owner WHO]",
		Short: "Set or move a user's expiry date (and owner) tags",
		Long: `Set the date an IAM user expires, and optionally its owner, in the tags
iamsweep's lifecycle rules read. After that date the scan reports
expired-user and plan disables the user, whether it is used or not; in
the days before, expires-soon tells its owner.

--on takes YYYY-MM-DD (the user may work until the end of that day, UTC)
or an RFC 3339 time. The tag written is the one the user already has
(expires, Expiry, ExpirationDate, ...: the date is moved, not duplicated),
else the first of lifecycle.expiry_tags (iamsweep:expires by default); the
owner likewise (iamsweep:owner).

A dry run unless --yes is given or the account ID is typed at the prompt;
every change goes to the audit log. Refuses the root user, the caller's
own user and users managed by CloudFormation (set the tags in the stack).`,
		Example: `  iamsweep expire contractor-jane --on 2027-03-31 --owner pm@example.com
  iamsweep expire ci-legacy --on 2026-12-31T18:00:00+01:00 --yes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if opts.On == "" {
				return cmdutil.FlagErrorf("--on DATE is required (YYYY-MM-DD or RFC 3339)")
			}
			if _, err := lifecycle.ParseDate(opts.On); err != nil {
				return &cmdutil.FlagError{Err: fmt.Errorf("--on: %w", err)}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return expireRun(cmd.Context(), opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.On, "on", "", "the last `DATE` the user may work (YYYY-MM-DD, end of day UTC) or an RFC 3339 time")
	fs.StringVar(&opts.Owner, "owner", "", "who owns the user and is told before it expires (`WHO`: an e-mail, a team)")
	fs.StringVar(&opts.ConfigPath, "config", "", "YAML configuration `FILE` (lifecycle.expiry_tags and owner_tags)")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "make the changes without asking (default: dry run, or ask for the account ID at a terminal)")
	fs.StringVar(&opts.AuditLog, "audit-log", remediate.DefaultAuditLog, "append a JSON line per change to `FILE` (fsynced per record)")
	return cmd
}

func expireRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	set := lifecycle.Defaults()
	if opts.ConfigPath != "" {
		cfg, err := config.Load(opts.ConfigPath)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		if set, err = cfg.LifecycleSettings(); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	// Setting a date is bookkeeping, not retirement: an excluded user may
	// get one (the exclusion still keeps plan away from it).
	cs, err := f.Engine(pipeline.Defaults()).OpenChange(ctx, cmdutil.ChangeOptions(f, cmdutil.ActFlags{AuditLog: opts.AuditLog}, ""))
	if err != nil {
		return err
	}
	defer cs.Close()
	if err := cs.CheckName(opts.User); err != nil {
		return err
	}
	head, err := remediate.ReadHead(ctx, cs.Reader(), opts.User)
	if err != nil {
		return cmdutil.NotFound(opts.User, err)
	}
	if err := cs.Check(head, true); err != nil {
		return err
	}
	name, tags := head.Name, head.Tags
	op, err := remediate.ExpireOp(lifecycle.ExpireRequest{User: name, Tags: tags, On: opts.On, Owner: opts.Owner}, set)
	if err != nil {
		return &cmdutil.FlagError{Err: err}
	}
	out := f.IO.Out
	fmt.Fprint(out, remediate.Describe(op))
	fmt.Fprint(out, lifecycle.PastNote(name, opts.On, f.Now()))
	if len(op.Steps) == 0 {
		return nil
	}
	if ok := confirmed(f.IO, opts.Yes, cs.Account()); !ok {
		return nil
	}
	if err := cs.Run(ctx, op); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s %s: done\n", op.Kind, name)
	return nil
}

// confirmed says whether to act: --yes, or the account ID typed at a
// terminal; otherwise the command stays a dry run, as every changing one.
func confirmed(io *cmdutil.IOStreams, yes bool, account string) bool {
	if yes {
		return true
	}
	if !io.StdinTTY {
		fmt.Fprintln(io.Out, "dry run: nothing was changed. Run again with --yes to make these changes.")
		return false
	}
	fmt.Fprintf(io.ErrOut, "Type the account ID (%s) to make these changes: ", account)
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if strings.TrimSpace(line) != account {
		fmt.Fprintln(io.Out, "account ID not confirmed: nothing was changed.")
		return false
	}
	return true
}

// Package root assembles the iamsweep command tree and runs it.
package root

import (
	"context"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/textsafe"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/buildinfo"
	"github.com/iamsweep/iamsweep/internal/cli/apply"
	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/delete"
	"github.com/iamsweep/iamsweep/internal/cli/disable"
	"github.com/iamsweep/iamsweep/internal/cli/evidence"
	"github.com/iamsweep/iamsweep/internal/cli/expire"
	"github.com/iamsweep/iamsweep/internal/cli/migrate"
	"github.com/iamsweep/iamsweep/internal/cli/plan"
	"github.com/iamsweep/iamsweep/internal/cli/recreate"
	"github.com/iamsweep/iamsweep/internal/cli/report"
	"github.com/iamsweep/iamsweep/internal/cli/restore"
	"github.com/iamsweep/iamsweep/internal/cli/scan"
	"github.com/iamsweep/iamsweep/internal/cli/version"
	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// NewCmdRoot builds the command tree around f.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	var logLevel string
	var debug, quiet bool
	var parallel int
	cmd := &cobra.Command{
		Use:   "iamsweep <command>",
		Short: "Find, prove and safely retire unused AWS IAM users and credentials",
		Long: `iamsweep finds IAM users and credentials nobody uses any more, proves they
are unused, and retires them safely: disable first, wait, then delete with a
backup. Start with:

  iamsweep scan --credential-report examples/credential-report.csv --as-of 2026-11-23

AWS settings follow the AWS CLI: --profile, --region, --endpoint-url and the
AWS_* environment variables (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_IAM, ...).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildinfo.String(),
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelWarn
			if debug {
				logLevel = "debug"
			}
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return cmdutil.FlagErrorf("invalid --log-level %q: want debug, info, warn or error", logLevel)
			}
			f.Logger = slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: level}))
			if cmd.Flags().Changed("parallel") {
				if parallel < 1 {
					return cmdutil.FlagErrorf("invalid --parallel %d: must be at least 1", parallel)
				}
				f.Parallel = &parallel
			}
			// The SDK's own log lines go through slog.Default.
			slog.SetDefault(f.Logger)
			if err := checkEndpoint(f); err != nil {
				return err
			}
			startProgress(cmd, f, quiet)
			return nil
		},
	}
	// "iamsweep v1.2.0 (go1.26, linux/amd64)", not cobra's "iamsweep
	// version iamsweep ...".
	cmd.SetVersionTemplate("{{.Version}}\n")
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.AWSOptions.Profile, "profile", "", "AWS shared config `PROFILE` (default: AWS_PROFILE or default)")
	pf.StringVar(&f.AWSOptions.Region, "region", "", "AWS `REGION` (default: AWS_REGION, the profile's, or us-east-1 for IAM)")
	pf.StringVar(&f.AWSOptions.EndpointURL, "endpoint-url", "", "send every AWS call to `URL` (a local emulator, a VPC endpoint)")
	pf.StringVar(&f.AWSOptions.RoleARN, "role-arn", "", "assume IAM role `ARN` before calling AWS")
	pf.IntVar(&f.AWSOptions.MaxAttempts, "max-attempts", awsx.DefaultMaxAttempts, "`N` attempts per AWS call, with backoff, before giving up on throttling")
	pf.IntVar(&parallel, "parallel", pipeline.DefaultParallel, "work on at most `N` users at once (per-user IAM calls in flight, under one rate limiter per account)")
	pf.StringVar(&logLevel, "log-level", "warn", "log `LEVEL` on stderr: debug, info, warn, error")
	pf.BoolVar(&debug, "debug", false, "log debug details, including the AWS calls made and raw AWS errors (same as --log-level debug)")
	pf.BoolVarP(&quiet, "quiet", "q", false, "show no progress on stderr while waiting (errors and warnings still show)")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &cmdutil.FlagError{Err: err} })

	cmd.AddCommand(scan.NewCmdScan(f, nil))
	cmd.AddCommand(evidence.NewCmdEvidence(f, nil))
	cmd.AddCommand(report.NewCmdReport(f, nil))
	cmd.AddCommand(version.NewCmdVersion(f))
	cmd.AddCommand(disable.NewCmdDisable(f, nil), restore.NewCmdRestore(f, nil), delete.NewCmdDelete(f, nil), recreate.NewCmdRecreate(f, nil))
	cmd.AddCommand(plan.NewCmdPlan(f, nil), apply.NewCmdApply(f, nil))
	cmd.AddCommand(expire.NewCmdExpire(f, nil))
	cmd.AddCommand(migrate.NewCmdMigrate(f, nil))
	cmd.AddCommand(newCmdCompletion(cmd, f))
	for _, c := range cmd.Commands() {
		switch c.Name() {
		case "report", "version", "completion":
			hideAWSFlags(cmd, c)
		}
	}
	return cmd
}

// awsFlags are the root's flags that act only on AWS calls.
var awsFlags = []string{"profile", "region", "endpoint-url", "role-arn", "max-attempts", "parallel"}

// hideAWSFlags keeps the AWS flags out of the help of a command that calls
// no AWS (report, version, completion), where they would do nothing. They
// stay accepted, so a shared alias with --profile still runs.
func hideAWSFlags(root, c *cobra.Command) {
	def := c.HelpFunc()
	c.SetHelpFunc(func(c *cobra.Command, args []string) {
		for _, name := range awsFlags {
			if fl := root.PersistentFlags().Lookup(name); fl != nil {
				fl.Hidden = true
				defer func() { fl.Hidden = false }()
			}
		}
		def(c, args)
	})
}

// Main runs the CLI with args and returns the process exit code.
func Main(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	ran, err := cmd.ExecuteContextC(ctx)
	f.Progress.Close()
	if a := f.BuiltAWS(); a != nil && f.Logger != nil {
		f.Logger.Debug("aws calls", "total", a.Calls.Total(""), "by_action", a.Calls.Counts())
	}
	if err == nil {
		return cmdutil.ExitOK
	}
	code := cmdutil.ExitCode(err)
	if code == cmdutil.ExitOK || isUsage(err) {
		code = cmdutil.ExitUsage
	}
	// An error may quote a name, a tag or a CloudTrail field: each of its
	// lines goes through the terminal sanitiser (invariant 11).
	fmt.Fprintf(f.IO.ErrOut, "iamsweep: %s\n", textsafe.Lines(err.Error()))
	if d := debugDetail(err); d != "" && f.Logger != nil {
		f.Logger.Debug("raw error", "detail", d)
	}
	var fe *cmdutil.FindingsError
	if code == cmdutil.ExitUsage && !errors.As(err, &fe) {
		fmt.Fprintln(f.IO.ErrOut, helpHint(ran))
	}
	return code
}

// isUsage recognises cobra's own argument and command errors, which are
// plain errors rather than FlagErrors.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "unknown flag", "unknown shorthand"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

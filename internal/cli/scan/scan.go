// Package scan is the `iamsweep scan` command.
package scan

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// Options are the scan command's inputs.
type Options struct {
	Factory    *cmdutil.Factory
	Flags      cmdutil.ScanFlags
	Output     string
	OutputFile string
	FailOn     string
	// Notify are --notify targets (sns:ARN, slack:URL, slack:env:VAR, ...).
	Notify []string
	// NotifyReport stores the HTML report at s3://BUCKET[/PREFIX] and
	// links it in the notifications.
	NotifyReport string
	// Evidence reads CloudTrail for disabled users (used-while-disabled).
	Evidence bool
	Regions  []string
	// Org selects the accounts of an organization run.
	Org cmdutil.OrgFlags
	// SecurityHub imports the findings into the caller's Security Hub.
	SecurityHub bool
}

// NewCmdScan builds the command; runF replaces scanRun in tests of parsing.
func NewCmdScan(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "scan",
		Short: "Find unused IAM users and credentials",
		Long: `Find unused IAM users and credentials in one account.

Reads the IAM credential report (a handful of API calls whatever the number
of users) and judges every user with iamsweep's rules, whose semantics match
AWS Config's iam-user-unused-credentials-check, its SSM remediation document
and Security Hub IAM.3/IAM.4/IAM.5/IAM.8:

` + cmdutil.RulesHelp() + `

Ages are whole UTC days, rounded down; a credential is unused when its age is
at least N. A never-used credential is judged from when it was created.
Excluded users keep their findings, marked excluded, and are never acted on.
A user iamsweep disabled has the status disabled, with the date it becomes
deletable.`,
		Example: `  # judge the bundled example as of its date
  iamsweep scan --credential-report examples/credential-report.csv --as-of 2026-11-23

  # scan the account behind a profile; fail a pipeline on high findings
  iamsweep scan --profile prod --fail-on high

  # judge a report saved with the AWS CLI, as it printed it (JSON, base64
  # or CSV, gzipped or not)
  aws iam get-credential-report > report.json
  iamsweep scan --credential-report report.json --output csv --output-file findings.csv

  # send the counts and top findings to an SNS topic and to Slack
  export IAMSWEEP_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/...
  iamsweep scan --notify sns:arn:aws:sns:eu-west-1:123456789012:iamsweep --notify slack`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmdutil.NormalizeOutputFile(&opts.OutputFile); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return scanRun(cmd.Context(), opts)
		},
	}
	opts.Flags.Register(cmd.Flags())
	opts.Org.Register(cmd.Flags())
	cmd.Flags().BoolVar(&opts.SecurityHub, "securityhub", false, "also import the findings into Security Hub (BatchImportFindings) in the caller's account and --region; findings that no longer hold are resolved")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "output `FORMAT`: "+cmdutil.FormatsHelp(scanFormats())+" (wide: the table with user names and messages whole, not fitted to the terminal; asff: Security Hub's format; default: table on a terminal, json otherwise)")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the output to `FILE` instead of standard output")
	cmd.Flags().StringArrayVar(&opts.Notify, "notify", nil, "also send counts and top findings to `TARGET`: sns:TOPIC_ARN, slack (URL in $IAMSWEEP_SLACK_WEBHOOK_URL), slack:env:VAR, slack:ssm:PARAMETER or slack:URL (repeatable)")
	cmd.Flags().StringVar(&opts.NotifyReport, "notify-report", "", "with --notify, store the HTML report under `s3://BUCKET[/PREFIX]` and link it (pre-signed, 7 days)")
	cmd.Flags().StringVar(&opts.FailOn, "fail-on", "", "exit 8 when a finding not excluded has at least this `SEVERITY` (info, low, medium, high, critical)")
	cmd.Flags().BoolVar(&opts.Evidence, "evidence", false, "also read CloudTrail for users iamsweep disabled and raise used-while-disabled (live scans; slower)")
	cmd.Flags().StringSliceVar(&opts.Regions, "regions", nil, "with --evidence, search these `REGIONS` instead of every enabled region")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(scanFormats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func scanRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := resolveFormat(opts.Output, opts.OutputFile, f.IO.StdoutTTY)
	if err != nil {
		return err
	}
	var failOn rules.Severity
	if opts.FailOn != "" {
		if failOn, err = rules.ParseSeverity(opts.FailOn); err != nil {
			return &cmdutil.FlagError{Err: fmt.Errorf("--fail-on: %w", err)}
		}
	}
	targets, err := parseTargets(opts.Notify)
	if err != nil {
		return err
	}
	if err := checkNotifyReport(opts.NotifyReport, targets); err != nil {
		return err
	}
	if err := opts.Org.Validate(); err != nil {
		return err
	}
	if opts.Org.Enabled() && opts.Flags.CredentialReport != "" {
		return cmdutil.FlagErrorf("--credential-report is one account's: drop it to scan the accounts live, or drop the account selection")
	}
	if opts.Org.Enabled() && len(targets) > 0 {
		return cmdutil.FlagErrorf("--notify is not available with an account selection yet: use --securityhub, or scan each account")
	}
	if opts.SecurityHub && opts.Flags.CredentialReport != "" {
		return cmdutil.FlagErrorf("--securityhub needs a live scan (the findings go to the scanned account's Security Hub): drop --credential-report")
	}
	if opts.Evidence && opts.Flags.CredentialReport != "" {
		return cmdutil.FlagErrorf("--evidence needs a live scan (user tags and CloudTrail): drop --credential-report")
	}
	settings, err := f.Settings(&opts.Flags, opts.Flags.Overrides())
	if err != nil {
		return err
	}
	in, err := opts.Flags.ScanInput(f.Now)
	if err != nil {
		return err
	}
	engine := f.Engine(settings)
	if opts.SecurityHub {
		// Refused before any AWS call: a what-if may not resolve findings.
		if err := engine.CheckAuthoritative(in.AsOf); err != nil {
			return err
		}
	}
	if opts.Org.Enabled() {
		return scanOrg(ctx, opts, engine, in, format, failOn)
	}
	sc, err := engine.Scan(ctx, in)
	if err != nil {
		return err
	}
	if opts.Evidence {
		if err := engine.Attempts(ctx, sc, opts.Regions); err != nil {
			return err
		}
	}
	res := sc.Result
	var meta securityhub.Meta
	switch {
	case opts.SecurityHub || (format == securityhub.FormatASFF && opts.Flags.CredentialReport == ""):
		if meta, err = engine.HubMeta(ctx, nil); err != nil {
			return err
		}
	case format == securityhub.FormatASFF:
		// A saved report needs no credentials, its ASFF neither.
		region := f.AWSOptions.Region
		if region == "" {
			region = os.Getenv("AWS_REGION")
		}
		meta = pipeline.OfflineHubMeta(res, region, f.Now())
	}
	render := func(w io.Writer) error {
		if format == securityhub.FormatASFF {
			return securityhub.Write(w, securityhub.FromResult(res, meta))
		}
		toTerminal := f.IO.StdoutTTY && opts.OutputFile == ""
		width := 0
		if toTerminal {
			width = f.IO.Width // the table fits the terminal; a file keeps lines whole
		}
		return report.Render(w, format, res, report.Options{Color: toTerminal, Width: width})
	}
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, render); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "wrote %d finding(s) for %d user(s) to %s\n", len(res.Findings), len(res.Users), opts.OutputFile)
	} else if err := render(f.IO.Out); err != nil {
		return err
	}
	if err := sendNotifications(ctx, f, targets, res, opts.NotifyReport); err != nil {
		return err
	}
	if err := res.Incomplete(); err != nil {
		return err
	}
	if opts.SecurityHub {
		if err := syncHub(ctx, f, engine, in.AsOf, meta, securityhub.FromResult(res, meta), []string{res.AccountID}); err != nil {
			return err
		}
	}
	if failOn != 0 {
		return failOnFindings(res, failOn)
	}
	return nil
}

func resolveFormat(output, file string, tty bool) (string, error) {
	switch {
	case strings.EqualFold(strings.TrimSpace(output), securityhub.FormatASFF):
		return securityhub.FormatASFF, nil
	case output != "":
		format, err := report.ParseFormat(output)
		if err != nil {
			return "", cmdutil.FlagErrorf("invalid --output %q: want %s", output, cmdutil.FormatsHelp(scanFormats()))
		}
		return format, nil
	case file != "":
		return cmdutil.FormatForFile(file), nil
	case tty:
		return report.FormatTable, nil
	}
	return report.FormatJSON, nil
}

func failOnFindings(res *scan.Result, min rules.Severity) error {
	return cmdutil.RunError(nil, countAtOrAbove(res, min), min)
}

// scanFormats are scan's output formats, in help's order: the report's and
// Security Hub's ASFF. Help, completion and the error read this one list.
func scanFormats() []string { return append(report.Formats(), securityhub.FormatASFF) }

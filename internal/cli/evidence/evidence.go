// Package evidence is the `iamsweep evidence` command: a dossier per
// candidate user proving it unused, in use, or unknown.
package evidence

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/buildinfo"
	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Options are the evidence command's inputs.
type Options struct {
	Factory *cmdutil.Factory
	Flags   cmdutil.ScanFlags
	Users   []string

	Output     string
	OutputFile string

	Regions        []string
	Skip           []string
	MaxEventPages  int
	CloudTrailLogs []string
	AthenaSQL      bool
	AthenaTable    string
	// AthenaDatabase, AthenaWorkgroup and AthenaOutput are the Athena
	// query's context (with --athena-table).
	AthenaDatabase  string
	AthenaWorkgroup string
	AthenaOutput    string
	Code            []string
	// Org selects the accounts of an organization run.
	Org    cmdutil.OrgFlags
	FailOn string

	// Clock paces CloudTrail and Access Advisor; nil is the wall clock.
	Clock clock.Clock
}

// skippable sources, as --skip names them.
var skippable = []string{evidence.SourceCloudTrail, evidence.SourceAccessAdvisor, evidence.SourceAccessAnalyzer}

// NewCmdEvidence builds the command; runF replaces evidenceRun in tests.
func NewCmdEvidence(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "evidence [USER...]",
		Short: "Prove users unused (or not) from CloudTrail, Access Advisor, Access Analyzer, logs and code",
		Long: `Gather the evidence that a user is unused before anyone touches it.

IAM's last-used dates are not proof. For each user (by default every
unused-user and unused-access-key candidate of a scan, and every user
iamsweep has disabled) this reads, over the 90 days before --as-of:

  cloudtrail        CloudTrail event history (LookupEvents) by user name and by
                    access key ID, in every enabled region (or --regions), at
                    most 2 requests per second per region (the API's quota)
  cloudtrail-logs   CloudTrail log files (--cloudtrail-logs s3://BUCKET/PREFIX or
                    DIR): data events such as S3 GetObject are only there
  access-advisor    the services each user last authenticated to
  access-analyzer   an unused-access analyzer's findings, shown beside ours
  code              --code DIR: working trees and git history

and gives one verdict per user:

  unused    every source was read and none shows use
  in-use    something shows use; the newest proof is given
  unknown   a source could not be read (which and why is given); unknown is
            never treated as unused

Events made by a disabled user (tag iamsweep:disabled-at) after it was
disabled are attempts: someone still depends on it. They raise the finding
used-while-disabled; plan must never delete such a user.`,
		Example: `  # every candidate of a live scan, as a table
  iamsweep evidence --profile prod

  # two users, two regions, with data events from the trail's bucket
  iamsweep evidence alice bob --regions us-east-1,eu-west-1 --cloudtrail-logs s3://trail-bucket/prefix

  # print the Athena SQL for the same search instead
  iamsweep evidence --athena-sql --athena-table cloudtrail_logs

  # code references as SARIF for GitHub code scanning
  iamsweep evidence --code ~/src/infra --code ~/src/app --output sarif > refs.sarif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Users = args
			if err := cmdutil.NormalizeOutputFile(&opts.OutputFile); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evidenceRun(cmd.Context(), opts)
		},
	}
	opts.Flags.Register(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVarP(&opts.Output, "output", "o", "", "output `FORMAT`: table, json, markdown, html (the scan with its evidence) or sarif (code references only) (default: table on a terminal, json otherwise)")
	fs.StringVar(&opts.OutputFile, "output-file", "", "write the output to `FILE` instead of standard output")
	fs.StringSliceVar(&opts.Regions, "regions", nil, "search these `REGIONS` (comma-separated) instead of every enabled region")
	fs.StringSliceVar(&opts.Skip, "skip", nil, "leave out `SOURCES`: cloudtrail, access-advisor, access-analyzer (comma-separated)")
	fs.IntVar(&opts.MaxEventPages, "max-event-pages", evidence.DefaultMaxEventPages, "read at most `N` pages of 50 events per CloudTrail lookup (the newest come first)")
	fs.StringArrayVar(&opts.CloudTrailLogs, "cloudtrail-logs", nil, "also search CloudTrail log files at `LOCATION` (s3://BUCKET/PREFIX or a directory; repeatable)")
	fs.BoolVar(&opts.AthenaSQL, "athena-sql", false, "print the Athena statement the --athena-table search runs (SQL and its parameters) and exit")
	fs.StringVar(&opts.AthenaTable, "athena-table", "", "search the organization trail's Athena `TABLE` ([DATABASE.]TABLE, partitioned by accountid, region, timestamp) instead of log files: one query per account (with --athena-sql: default cloudtrail_logs)")
	fs.StringVar(&opts.AthenaDatabase, "athena-database", "", "Athena `DATABASE` of --athena-table (default: the workgroup's)")
	fs.StringVar(&opts.AthenaWorkgroup, "athena-workgroup", "", "Athena `WORKGROUP` the query runs in (default: primary)")
	fs.StringVar(&opts.AthenaOutput, "athena-output", "", "S3 `LOCATION` (s3://BUCKET/PREFIX) for the query's results (default: the workgroup's)")
	opts.Org.Register(fs)
	fs.StringArrayVar(&opts.Code, "code", nil, "search `DIR` (and its git history) for the users' names, ARNs and key IDs (repeatable)")
	fs.StringVar(&opts.FailOn, "fail-on", "", "exit 8 when a finding (used-while-disabled is high) has at least this `SEVERITY`")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(evidence.Formats(), cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("skip", cobra.FixedCompletions(skippable, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func evidenceRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := resolveFormat(opts)
	if err != nil {
		return err
	}
	skip, err := parseSkip(opts.Skip)
	if err != nil {
		return err
	}
	var failOn rules.Severity
	if opts.FailOn != "" {
		if failOn, err = rules.ParseSeverity(opts.FailOn); err != nil {
			return &cmdutil.FlagError{Err: fmt.Errorf("--fail-on: %w", err)}
		}
	}
	if opts.MaxEventPages < 1 {
		return cmdutil.FlagErrorf("invalid --max-event-pages %d: must be at least 1", opts.MaxEventPages)
	}
	settings, err := f.Settings(&opts.Flags, opts.Flags.Overrides())
	if err != nil {
		return err
	}
	in, err := opts.Flags.ScanInput(f.Now)
	if err != nil {
		return err
	}
	if err := opts.Org.Validate(); err != nil {
		return err
	}
	if opts.Org.Enabled() && opts.Flags.CredentialReport != "" {
		return cmdutil.FlagErrorf("--credential-report is one account's: drop it to scan the accounts live, or drop the account selection")
	}
	src := pipeline.SourceOptions{
		Regions: opts.Regions, Skip: skip, MaxEventPages: opts.MaxEventPages,
		CloudTrailLogs: opts.CloudTrailLogs, Code: opts.Code, Clock: opts.Clock,
	}
	if opts.AthenaTable != "" {
		a := athenaOptions(opts, "")
		src.Athena = &a
	}
	engine := f.Engine(settings)
	if opts.Org.Enabled() {
		return evidenceOrg(ctx, opts, engine, in, src, format, failOn)
	}
	res, d, code, sql, err := gatherOne(ctx, opts, engine, in, src)
	if err != nil {
		return err
	}
	if opts.AthenaSQL {
		_, err = io.WriteString(f.IO.Out, sql)
		return err
	}
	render := func(w io.Writer) error {
		if format == evidence.FormatSARIF {
			b, err := code.SARIF(buildinfo.Version)
			if err != nil {
				return err
			}
			_, err = w.Write(append(b, '\n'))
			return err
		}
		if format == formatHTML {
			return htmlreport.Render(w, htmlreport.Input{Scans: []*scan.Result{res}, Dossiers: []*evidence.Dossier{d}})
		}
		width := 0
		if f.IO.StdoutTTY && opts.OutputFile == "" {
			width = f.IO.Width // the table fits the terminal; a file keeps lines whole
		}
		return evidence.RenderWidth(w, format, d, width)
	}
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, render); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "wrote evidence for %d user(s) (%d unused, %d in use, %d unknown) to %s\n",
			d.Summary.Users, d.Summary.Unused, d.Summary.InUse, d.Summary.Unknown, opts.OutputFile)
	} else if err := render(f.IO.Out); err != nil {
		return err
	}
	return cmdutil.RunError(nil, countAtOrAbove(d, failOn), failOn)
}

// formatHTML is rendered by htmlreport with the scan, not by evidence.Render.
const formatHTML = "html"

func resolveFormat(opts *Options) (string, error) {
	var format string
	switch {
	case strings.EqualFold(strings.TrimSpace(opts.Output), formatHTML):
		format = formatHTML
	case opts.Output != "":
		v, err := evidence.ParseFormat(opts.Output)
		if err != nil {
			return "", &cmdutil.FlagError{Err: err}
		}
		format = v
	case opts.OutputFile != "":
		switch cmdutil.FormatForFile(opts.OutputFile) {
		case "markdown":
			format = evidence.FormatMarkdown
		case "table":
			format = evidence.FormatTable
		case formatHTML:
			format = formatHTML
		default:
			format = evidence.FormatJSON
		}
		if strings.HasSuffix(strings.ToLower(opts.OutputFile), ".sarif") {
			format = evidence.FormatSARIF
		}
	case opts.Factory.IO.StdoutTTY:
		format = evidence.FormatTable
	default:
		format = evidence.FormatJSON
	}
	if format == evidence.FormatSARIF && len(opts.Code) == 0 {
		return "", cmdutil.FlagErrorf("--output sarif lists code references: add --code DIR")
	}
	if opts.AthenaSQL && (opts.Output != "" || opts.OutputFile != "") {
		return "", cmdutil.FlagErrorf("--athena-sql prints SQL only: drop --output and --output-file")
	}
	if opts.AthenaTable != "" && len(opts.CloudTrailLogs) > 0 {
		return "", cmdutil.FlagErrorf("--athena-table and --cloudtrail-logs both search the trail's events: give one")
	}
	if opts.AthenaTable == "" && !opts.AthenaSQL && (opts.AthenaDatabase != "" || opts.AthenaWorkgroup != "" || opts.AthenaOutput != "") {
		return "", cmdutil.FlagErrorf("--athena-database, --athena-workgroup and --athena-output go with --athena-table")
	}
	if format == evidence.FormatSARIF && opts.Org.Enabled() {
		return "", cmdutil.FlagErrorf("--output sarif lists one account's code references: drop the account selection")
	}
	return format, nil
}

func parseSkip(vals []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, v := range vals {
		ok := false
		for _, s := range skippable {
			if v == s {
				ok = true
			}
		}
		if !ok {
			return nil, cmdutil.FlagErrorf("invalid --skip %q: want cloudtrail, access-advisor or access-analyzer", v)
		}
		out[v] = true
	}
	return out, nil
}

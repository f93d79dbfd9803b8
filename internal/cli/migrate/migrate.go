// Package migrate is `iamsweep migrate USER`: the least-privilege
// successor of a user that is still needed, as code.
package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/migrate"
	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// Options are the command's settings.
type Options struct {
	Factory      *cmdutil.Factory
	User         string
	EvidenceFile string
	Events       []string
	Trail        cmdutil.TrailFlags
	PoliciesFile string
	Account      string
	To           string
	Format       string
	OutputDir    string
	Repo         string
	Branch       string
	Environment  string
	RoleName     string
	Code         string
	Regions      []string
	AsOf         string
	MaxPages     int
	AWSChecks    bool
	Exact        bool
	// CompareAnalyzer runs Access Analyzer's policy generation with the
	// trail and the role it reads the trail with.
	CompareAnalyzer bool
	AnalyzerTrail   string
	AnalyzerRole    string
}

// NewCmdMigrate builds the command; runF replaces migrateRun in tests.
func NewCmdMigrate(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "migrate USER",
		Short: "Generate the least-privilege successor of a user still in use (OIDC role, instance profile, permission set)",
		Long: `Reads what USER really does (CloudTrail events made with its keys: event
source, name and the resources in the request; Access Advisor from the
evidence dossier or read live), writes a policy allowing exactly that, and the role,
instance profile or Identity Center permission set that replaces the keys,
as Terraform, CloudFormation or JSON, plus the CI workflow change. It
changes nothing in AWS.`,
		Example: `  iamsweep evidence ci-deploy --code . -o json --output-file dossier.json
  iamsweep migrate ci-deploy --evidence-file dossier.json --repo octo-org/app --output-dir successor
  iamsweep migrate ci-deploy --cloudtrail-logs s3://trail-bucket/prefix --evidence-file dossier.json --repo octo-org/app
  iamsweep migrate ci-deploy --events examples/migrate/events --evidence-file examples/migrate/dossier.json \
    --policies-file examples/migrate/current-policies.json --repo octo-org/app --format cloudformation`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.User = args[0]
			if !slices.Contains([]string{migrate.FormatTerraform, migrate.FormatCloudFormation, migrate.FormatJSON}, opts.Format) {
				return cmdutil.FlagErrorf("invalid --format %q: want terraform, cloudformation or json", opts.Format)
			}
			if opts.To != "" && !slices.Contains(migrate.Kinds, opts.To) {
				return cmdutil.FlagErrorf("invalid --to %q: want one of %s", opts.To, strings.Join(migrate.Kinds, ", "))
			}
			if opts.CompareAnalyzer && (opts.AnalyzerTrail == "" || opts.AnalyzerRole == "") {
				return cmdutil.FlagErrorf("--compare-analyzer needs --analyzer-trail ARN and --analyzer-role ARN (the service role Access Analyzer reads the trail with)")
			}
			if err := opts.Trail.Validate(); err != nil {
				return err
			}
			if opts.Trail.AthenaTable != "" && len(opts.Events) > 0 {
				return cmdutil.FlagErrorf("--athena-table and --events both give the trail's events: give one")
			}
			if opts.OutputDir == "" {
				opts.OutputDir = "successor-" + opts.User
			}
			if opts.RoleName == "" {
				opts.RoleName = opts.User + "-successor"
			}
			if runF != nil {
				return runF(opts)
			}
			return migrateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.EvidenceFile, "evidence-file", "", "dossier `FILE` from iamsweep evidence -o json (code references, Access Advisor, advice)")
	opts.Trail.Register(fl, "read the trail's log files at `LOCATION` (s3://BUCKET/PREFIX or a directory; repeatable) instead of the event history: they hold data events too")
	fl.StringSliceVar(&opts.Events, "events", nil, "CloudTrail records (`FILE` or directory: log files .json/.json.gz, lookup-events output) instead of the event history; repeatable")
	fl.StringVar(&opts.PoliciesFile, "policies-file", "", "the user's current policies, `FILE` of JSON [{name, document}], instead of reading IAM")
	fl.StringVar(&opts.Account, "account", "", "account `ID` (offline; default: the dossier's or the records')")
	fl.StringVar(&opts.To, "to", "", "successor `KIND`: "+strings.Join(migrate.Kinds, ", ")+" (default: chosen from the evidence)")
	fl.StringVar(&opts.Format, "format", migrate.FormatTerraform, "output `FORMAT`: terraform, cloudformation or json")
	fl.StringVar(&opts.OutputDir, "output-dir", "", "`DIR` to write to (default successor-USER)")
	fl.StringVar(&opts.Repo, "repo", "", "GitHub `OWNER/REPO` or GitLab GROUP/PROJECT the role trusts")
	fl.StringVar(&opts.Branch, "branch", "", "`BRANCH` the role trusts (default: the workflow's push branch, else main)")
	fl.StringVar(&opts.Environment, "environment", "", "GitHub `ENVIRONMENT` the role trusts instead of a branch (default: the job's)")
	fl.StringVar(&opts.RoleName, "role-name", "", "successor role or permission set `NAME` (default USER-successor)")
	fl.StringVar(&opts.Code, "code", "", "repository `DIR` holding the CI file (default: the dossier's code reference's)")
	fl.StringSliceVar(&opts.Regions, "regions", nil, "`REGIONS` to read the event history in (default: every enabled one)")
	fl.StringVar(&opts.AsOf, "as-of", "", "end of the 90-day window, a `TIME` (2026-03-01 or RFC 3339; default now)")
	fl.BoolVar(&opts.AWSChecks, "aws-checks", false, "also check the policy with IAM's SimulateCustomPolicy and Access Analyzer's ValidatePolicy (needs AWS)")
	fl.BoolVar(&opts.CompareAnalyzer, "compare-analyzer", false, "also run Access Analyzer's policy generation and show the differences (needs --analyzer-trail and --analyzer-role)")
	fl.StringVar(&opts.AnalyzerTrail, "analyzer-trail", "", "trail `ARN` Access Analyzer reads")
	fl.StringVar(&opts.AnalyzerRole, "analyzer-role", "", "service role `ARN` Access Analyzer reads the trail with")
	fl.BoolVar(&opts.Exact, "exact", false, "keep the observed S3 object keys instead of grouping them into their narrowest prefix")
	fl.IntVar(&opts.MaxPages, "max-event-pages", migrate.DefaultMaxEventPages, "`N` pages of 50 events read per lookup")
	return cmd
}

func migrateRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	asOf := f.Now().UTC()
	if opts.AsOf != "" {
		t, err := clock.ParseAsOf(opts.AsOf, f.Now)
		if err != nil {
			return cmdutil.FlagErrorf("invalid --as-of: %v", err)
		}
		asOf = t
	}
	w := evidence.Window{From: asOf.Add(-evidence.WindowDays * 24 * time.Hour), To: asOf}
	var dossier *evidence.UserDossier
	if opts.EvidenceFile != "" {
		file, err := os.Open(opts.EvidenceFile)
		if err != nil {
			return fmt.Errorf("read --evidence-file: %w", err)
		}
		d, err := evidence.Load(file)
		file.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", opts.EvidenceFile, err)
		}
		if dossier = d.User(opts.User); dossier == nil {
			return fmt.Errorf("user %s is not in %s: gather evidence for it (iamsweep evidence %s -o json)", opts.User, opts.EvidenceFile, opts.User)
		}
		if opts.Account == "" {
			opts.Account = d.AccountID
		}
		w = d.Window
	}
	in, current, err := gather(ctx, opts, dossier, w)
	if err != nil {
		return err
	}
	activity := migrate.Observe(in)
	choice, err := migrate.Choose(dossier, activity, opts.To)
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	target := migrate.Target{Account: in.Subject.AccountID, RoleName: migrate.RoleName(opts.RoleName, choice.Kind), Repo: opts.Repo, Branch: opts.Branch, Environment: opts.Environment}
	var workflow []byte
	if choice.Workflow != nil {
		dir := opts.Code
		if dir == "" {
			dir = choice.Workflow.Repo
		}
		if b, err := os.ReadFile(filepath.Join(dir, choice.Workflow.Path)); err == nil {
			workflow = b
			if scope, err := migrate.ReadWorkflow(b, choice.Workflow.Line); err == nil {
				if target.Branch == "" {
					target.Branch = scope.Branch
				}
				if target.Environment == "" && opts.Branch == "" {
					target.Environment = scope.Environment
				}
			}
		} else {
			f.Logger.Warn("workflow not read: no diff", "file", filepath.Join(dir, choice.Workflow.Path), "error", err)
		}
	}
	if target.Branch == "" {
		target.Branch = "main"
	}
	if !opts.offline() && (choice.Kind == migrate.KindGitHub || choice.Kind == migrate.KindGitLab) {
		aws, err := f.AWS(ctx)
		if err != nil {
			return err
		}
		if target.ProviderExists, err = migrate.ProviderExists(ctx, aws.IAM(), choice.Kind); err != nil {
			return err
		}
	}
	s, err := migrate.Build(migrate.BuildInput{User: opts.User, Activity: activity, Choice: choice, Target: target, Current: current, Workflow: workflow, GeneratedAt: f.Now(), Exact: opts.Exact})
	if err != nil {
		return cmdutil.FlagErrorf("%v", err)
	}
	if opts.AWSChecks {
		aws, err := f.AWS(ctx)
		if err != nil {
			return err
		}
		check := migrate.CheckWithAWS(ctx, aws.AccessAnalyzer(), aws.IAM(), s.Policy.Policy, activity)
		s.AWSCheck = &check
	}
	if opts.CompareAnalyzer {
		if err := compareAnalyzer(ctx, opts, s, in); err != nil {
			return err
		}
	}
	files, err := s.Files(opts.Format)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opts.OutputDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", opts.OutputDir, err)
	}
	for _, name := range sortedNames(files) {
		content := files[name]
		if err := cmdutil.WriteFileAtomic(filepath.Join(opts.OutputDir, name), func(w io.Writer) error {
			_, err := io.WriteString(w, content)
			return err
		}); err != nil {
			return err
		}
	}
	fmt.Fprint(f.IO.Out, textsafe.Lines(files["README.md"])) // already inert; kept so for any later writer of it
	fmt.Fprintf(f.IO.Out, "\nWritten to %s: %s\n", textsafe.Line(opts.OutputDir), strings.Join(sortedNames(files), ", "))
	if !s.Proof.OK() {
		return fmt.Errorf("the generated policy failed its proof (see above): report this as a bug")
	}
	return nil
}

// gather reads the records and current policies from files, or live.
func gather(ctx context.Context, opts *Options, dossier *evidence.UserDossier, w evidence.Window) (migrate.Inputs, []migrate.NamedPolicy, error) {
	in := migrate.Inputs{Window: w, Subject: migrate.Subject{Name: opts.User, AccountID: opts.Account}}
	if dossier != nil {
		in.Advisor = dossier.AccessAdvisor
		in.Subject.ARN = dossier.ARN
		for _, c := range dossier.Credentials {
			if c.AccessKeyID != "" {
				in.Subject.KeyIDs = append(in.Subject.KeyIDs, c.AccessKeyID)
			}
		}
	}
	var current []migrate.NamedPolicy
	if opts.PoliciesFile != "" {
		b, err := os.ReadFile(opts.PoliciesFile)
		if err != nil {
			return in, nil, fmt.Errorf("read --policies-file: %w", err)
		}
		if err := json.Unmarshal(b, &current); err != nil {
			return in, nil, fmt.Errorf("%s: want [{\"name\": ..., \"document\": {policy}}]: %w", opts.PoliciesFile, err)
		}
	}
	if opts.offline() {
		var skipped migrate.Skipped
		recs, err := migrate.ReadRecordFiles(append(append([]string{}, opts.Events...), opts.Trail.CloudTrailLogs...), &skipped)
		if err != nil {
			return in, nil, err
		}
		in.Unusable, in.UnusableReasons = skipped.Count, skipped.Reasons
		in.Records, in.TrailRead = recs, true
		in.SourceDetail = "files " + strings.Join(append(append([]string{}, opts.Events...), opts.Trail.CloudTrailLogs...), ", ")
		for _, r := range recs {
			if in.Subject.AccountID == "" {
				in.Subject.AccountID = r.Account()
			}
			in.DataEventsRead = in.DataEventsRead || r.DataEvent()
		}
		if in.Subject.AccountID == "" {
			return in, nil, cmdutil.FlagErrorf("the account is unknown: pass --account")
		}
		return in, current, nil
	}
	return gatherLive(ctx, opts, in, current)
}

// offline: every source of records is a local file or directory, so
// nothing is read from AWS (the account comes from the dossier, the
// records or --account).
func (o *Options) offline() bool {
	if len(o.Events) == 0 && len(o.Trail.CloudTrailLogs) == 0 {
		return false
	}
	return o.Trail.AthenaTable == "" && !slices.ContainsFunc(o.Trail.CloudTrailLogs, func(l string) bool { return strings.HasPrefix(l, "s3://") })
}

func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

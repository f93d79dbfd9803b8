// Package plan is the `iamsweep plan` command: a reviewable plan of the
// users to disable or delete and the keys to deactivate.
package plan

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/clock"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// PlanOptions are the plan command's inputs.
type PlanOptions struct {
	Factory        *cmdutil.Factory
	Flags          cmdutil.ScanFlags
	FromScan       string
	OutputFile     string
	Output         string
	QuarantineDays int
	MaxUsers       int
	// Evidence: a dossier file, gathered now, or explicitly none.
	EvidenceFile   string
	GatherEvidence bool
	NoEvidence     bool
	Regions        []string
	// Clock paces evidence gathering; nil is the wall clock.
	Clock clock.Clock
	// Org selects the accounts of a plan across accounts; MaxUsersTotal
	// caps the users changed in all of them.
	Org           cmdutil.OrgFlags
	MaxUsersTotal int
	flags         *pflag.FlagSet
}

// NewCmdPlan builds `iamsweep plan`.
func NewCmdPlan(f *cmdutil.Factory, runF func(context.Context, *PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Plan which users to disable, delete, and which keys to deactivate",
		Long: `Make a reviewable plan from a live scan (or a saved scan, --from-scan):

` + cmdutil.ActionsHelp() + `

IAM's last-used dates are not proof. With evidence (--gather-evidence reads
it now for exactly the users the plan would change; --evidence-file FILE reads a
dossier from 'iamsweep evidence -o json'), disable and delete need the user's
verdict unused, deactivate-key the key's; in-use and unknown users are left
alone with the reason, and a user somebody tried to use after its disable
(an attempt) is never deleted. Without evidence, disable and deactivate-key
(both reversible) are planned from IAM's dates, but delete is not, unless
--no-evidence says so explicitly: attempts with a disabled key are only
visible in CloudTrail.

The plan records the scan time, the evidence, and per user the facts it
relied on (last-use dates, key IDs and statuses, state tags, the verdict):
'iamsweep apply' skips a user when any of them changed. Excluded users and
users with recent activity are never planned. More than --max-users users to
disable or delete is refused.

Without --output-file the plan JSON goes to standard output and the summary
to standard error.`,
		Example: `  iamsweep plan --gather-evidence --output-file plan.json
  iamsweep evidence -o json --output-file evidence.json && iamsweep plan --evidence-file evidence.json --output-file plan.json
  iamsweep scan --output-file scan.json && iamsweep plan --from-scan scan.json --output-file plan.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.flags = cmd.Flags()
			if err := plan.CheckQuarantineDays("--quarantine-days", opts.QuarantineDays); err != nil {
				return &cmdutil.FlagError{Err: err}
			}
			if opts.MaxUsers < 1 {
				return cmdutil.FlagErrorf("--max-users must be at least 1")
			}
			if err := checkEvidenceFlags(opts); err != nil {
				return err
			}
			if err := cmdutil.NormalizeOutputFile(&opts.OutputFile); err != nil {
				return err
			}
			if err := checkPlanOutput(opts); err != nil {
				return err
			}
			if err := opts.Org.Validate(); err != nil {
				return err
			}
			if opts.MaxUsersTotal < 1 {
				return cmdutil.FlagErrorf("--max-users-total must be at least 1")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return planRun(cmd.Context(), opts)
		},
	}
	opts.Flags.Register(cmd.Flags())
	cmd.Flags().StringVar(&opts.FromScan, "from-scan", "", "plan from a saved scan JSON `FILE` (iamsweep scan --output json) instead of scanning")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the plan JSON (or with -o html the page) to `FILE` (summary on standard output)")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "output `FORMAT`: json (the plan apply reads) or html (a page with the scan, evidence and plan; default when --output-file ends in .html)")
	cmd.Flags().IntVar(&opts.QuarantineDays, "quarantine-days", plan.DefaultQuarantineDays, "plan delete only for users disabled at least `N` days ago")
	cmd.Flags().IntVar(&opts.MaxUsers, "max-users", pipeline.DefaultMaxUsers, "refuse a plan that disables or deletes more than `N` users")
	cmd.Flags().StringVar(&opts.EvidenceFile, "evidence-file", "", "gate the plan on the verdicts of an evidence dossier `FILE` (iamsweep evidence -o json)")
	cmd.Flags().BoolVar(&opts.GatherEvidence, "gather-evidence", false, "gather evidence now (CloudTrail, Access Advisor, Access Analyzer) for the users the plan would change, and gate the plan on it")
	cmd.Flags().BoolVar(&opts.NoEvidence, "no-evidence", false, "plan delete without evidence, on IAM's last-used dates alone (recorded in the plan)")
	cmd.Flags().StringSliceVar(&opts.Regions, "regions", nil, "with --gather-evidence, search these `REGIONS` instead of every enabled region")
	opts.Org.Register(cmd.Flags())
	cmd.Flags().IntVar(&opts.MaxUsersTotal, "max-users-total", pipeline.DefaultMaxUsersTotal, "with an account selection, refuse a plan that disables or deletes more than `N` users in all accounts (--max-users caps each)")
	return cmd
}

func planRun(ctx context.Context, opts *PlanOptions) error {
	f := opts.Factory
	ov := opts.Flags.Overrides()
	ov.QuarantineDays = cmdutil.ChangedInt(opts.flags, "quarantine-days", opts.QuarantineDays)
	ov.MaxUsers = cmdutil.ChangedInt(opts.flags, "max-users", opts.MaxUsers)
	settings, err := f.Settings(&opts.Flags, ov)
	if err != nil {
		return err
	}
	in := pipeline.PlanInput{GatherEvidence: opts.GatherEvidence, NoEvidence: opts.NoEvidence, DeleteInactiveKeys: true,
		Sources: pipeline.SourceOptions{Regions: opts.Regions, Clock: opts.Clock}}
	if opts.FromScan != "" {
		if in.Saved, err = readScan(opts.FromScan); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		if opts.Flags.AsOf != "" {
			if in.AsOf, err = opts.Flags.ParseAsOf(f.Now); err != nil {
				return err
			}
		}
	} else if in.Scan, err = opts.Flags.ScanInput(f.Now); err != nil {
		return err
	}
	if opts.EvidenceFile != "" {
		if in.Evidence, err = readDossier(opts.EvidenceFile); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		in.EvidenceFile = opts.EvidenceFile
	}
	if opts.Org.Enabled() {
		return planOrg(ctx, opts, f.Engine(settings), in)
	}
	p, basis, err := f.Engine(settings).PlanWithBasis(ctx, in)
	var tooMany *plan.TooManyUsersError
	if errors.As(err, &tooMany) {
		_ = plan.WriteSummaryWidth(f.IO.ErrOut, p, f.IO.WidthFor(f.IO.ErrOut))
		return err
	}
	if err != nil {
		return err
	}
	write := p.Write
	if opts.Output == "html" {
		write = planHTML(basis.Scan, basis.Evidence, p)
	}
	summary := f.IO.ErrOut
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, write); err != nil {
			return err
		}
		summary = f.IO.Out
	} else if err := write(f.IO.Out); err != nil {
		return err
	}
	_ = plan.WriteSummaryWidth(summary, p, f.IO.WidthFor(summary))
	if opts.OutputFile != "" {
		fmt.Fprintln(summary, wroteLine(f, opts, len(p.Actions) > 0))
	}
	return basis.Scan.Incomplete()
}

func readScan(path string) (*scan.Result, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read scan: %w", err)
	}
	defer file.Close()
	var res scan.Result
	if err := json.NewDecoder(file).Decode(&res); err != nil {
		return nil, fmt.Errorf("%s is not a scan JSON (iamsweep scan --output json): %w", path, err)
	}
	if res.SchemaVersion != scan.SchemaVersion || res.AccountID == "" {
		return nil, fmt.Errorf("%s: schema %d, account %q: want an iamsweep scan JSON, schema %d", path, res.SchemaVersion, res.AccountID, scan.SchemaVersion)
	}
	return &res, nil
}

// wroteLine says where the output went and what comes next: the real apply
// command, with the AWS and account settings the plan was made with, for
// a plan JSON with actions; for a page, that apply reads the JSON instead.
func wroteLine(f *cmdutil.Factory, opts *PlanOptions, actions bool) string {
	switch {
	case opts.Output == "html":
		return fmt.Sprintf("Wrote %s (a page to review; apply reads the plan JSON: write it with -o json --output-file plan.json).", opts.OutputFile)
	case !actions:
		return fmt.Sprintf("Wrote %s.", opts.OutputFile)
	}
	args := []string{"apply", opts.OutputFile}
	o := opts.Org.Options
	for _, kv := range [][2]string{{"--role-name", o.RoleName}, {"--role-arn-template", o.RoleARNTemplate}, {"--external-id", o.ExternalID}} {
		if kv[1] != "" {
			args = append(args, kv[0], kv[1])
		}
	}
	return fmt.Sprintf("Wrote %s. Review it, then: %s", opts.OutputFile, f.NextCommand(args...))
}

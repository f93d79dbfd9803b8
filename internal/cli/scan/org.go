package scan

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/report"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/securityhub"
)

// scanOrg runs the scan in every selected account through the engine's
// account loop, writes each account's part as it completes, and imports
// the findings into Security Hub when asked. Failed accounts are in the
// output with their reason, and end the run with
// *org.FailedAccountsError (its own exit code).
func scanOrg(ctx context.Context, opts *Options, engine *pipeline.Engine, in pipeline.ScanInput, format string, failOn rules.Severity) error {
	f := opts.Factory
	p, err := engine.PrepareOrg(ctx, opts.Org.Options)
	if err != nil {
		return err
	}
	asff := format == securityhub.FormatASFF
	atOrAbove := 0
	var done *pipeline.OrgScan
	run := func(w io.Writer) error {
		var out report.OrgWriter
		if !asff {
			if out, err = report.NewOrg(w, format, in.AsOf, f.Now(), report.Options{Color: f.IO.StdoutTTY && opts.OutputFile == ""}); err != nil {
				return err
			}
		}
		var runErr error
		done, runErr = engine.ScanOrg(ctx, p, pipeline.OrgScanInput{Scan: in, Attempts: opts.Evidence, Regions: opts.Regions, ASFF: asff || opts.SecurityHub},
			func(r org.Result[*scan.Result]) error {
				if r.Value != nil && failOn != 0 {
					atOrAbove += countAtOrAbove(r.Value, failOn)
				}
				if out == nil {
					return nil
				}
				return out.Account(r.Account.ID, r.Account.Name, r.Status, r.Error, r.Value)
			})
		if runErr != nil {
			return runErr
		}
		if asff {
			return securityhub.Write(w, done.Docs)
		}
		return out.Close()
	}
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, run); err != nil {
			return err
		}
		sum := done.Summary
		fmt.Fprintf(f.IO.ErrOut, "wrote %d account(s) (%d ok, %d failed, %d canceled) to %s\n", sum.Total, sum.OK, sum.Failed, sum.Canceled, opts.OutputFile)
	} else if err := run(f.IO.Out); err != nil {
		return err
	}
	if opts.SecurityHub {
		rep, err := engine.SyncOrgScan(ctx, done)
		if rep != nil {
			printHub(f, done.Meta, *rep)
		}
		if err != nil {
			return err
		}
	}
	return cmdutil.RunError(done.Summary.Err(), atOrAbove, failOn)
}

// syncHub imports docs into the caller's Security Hub and resolves the
// findings of the accounts scanned that no longer hold.
func syncHub(ctx context.Context, f *cmdutil.Factory, engine *pipeline.Engine, asOf time.Time, meta securityhub.Meta, docs []securityhub.Finding, accounts []string) error {
	rep, err := engine.SyncSecurityHub(ctx, asOf, meta, docs, accounts)
	printHub(f, meta, rep)
	return err
}

func printHub(f *cmdutil.Factory, meta securityhub.Meta, rep securityhub.Report) {
	fmt.Fprintf(f.IO.ErrOut, "security hub (%s): %d finding(s) imported, %d resolved, %d refused\n", meta.Region, rep.Imported, rep.Resolved, len(rep.Failed))
}

func countAtOrAbove(res *scan.Result, min rules.Severity) int {
	n := 0
	for _, f := range res.Findings {
		if !f.Excluded && f.Severity >= min {
			n++
		}
	}
	return n
}

package scan

import (
	"context"
	"errors"
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
	names := map[string]string{}
	for _, a := range p.Accounts {
		names[a.ID] = a.Name
	}
	asff := format == securityhub.FormatASFF
	var meta securityhub.Meta
	if asff || opts.SecurityHub {
		if meta, err = engine.HubMeta(ctx, names); err != nil {
			return err
		}
	}
	var docs []securityhub.Finding
	var ok []string
	atOrAbove := 0
	var sum org.Summary
	run := func(w io.Writer) error {
		var out report.OrgWriter
		if !asff {
			if out, err = report.NewOrg(w, format, in.AsOf, f.Now(), report.Options{Color: f.IO.StdoutTTY && opts.OutputFile == ""}); err != nil {
				return err
			}
		}
		var runErr error
		sum, runErr = pipeline.RunAccounts(ctx, engine, p, func(ctx context.Context, ae *pipeline.Engine, _ org.Account) (*scan.Result, error) {
			sc, err := ae.Scan(ctx, in)
			if err != nil {
				return nil, err
			}
			if opts.Evidence {
				if err := ae.Attempts(ctx, sc, opts.Regions); err != nil {
					return nil, err
				}
			}
			return sc.Result, nil
		}, func(r org.Result[*scan.Result]) error {
			res := r.Value
			if r.Status == org.StatusOK && res != nil {
				ok = append(ok, r.Account.ID)
				if asff || opts.SecurityHub {
					docs = append(docs, securityhub.FromResult(res, meta)...)
				}
				if failOn != 0 {
					atOrAbove += countAtOrAbove(res, failOn)
				}
			} else {
				res = nil
			}
			if out == nil {
				return nil
			}
			return out.Account(r.Account.ID, r.Account.Name, r.Status, r.Error, res)
		})
		if runErr != nil {
			return runErr
		}
		if asff {
			return securityhub.Write(w, docs)
		}
		return out.Close()
	}
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, run); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "wrote %d account(s) (%d ok, %d failed, %d canceled) to %s\n", sum.Total, sum.OK, sum.Failed, sum.Canceled, opts.OutputFile)
	} else if err := run(f.IO.Out); err != nil {
		return err
	}
	if opts.SecurityHub && !errors.Is(sum.Err(), context.Canceled) {
		if err := syncHub(ctx, f, engine, in.AsOf, meta, docs, ok); err != nil {
			return err
		}
	}
	return cmdutil.RunError(sum.Err(), atOrAbove, failOn)
}

// syncHub imports docs into the caller's Security Hub and resolves the
// findings of the accounts scanned that no longer hold.
func syncHub(ctx context.Context, f *cmdutil.Factory, engine *pipeline.Engine, asOf time.Time, meta securityhub.Meta, docs []securityhub.Finding, accounts []string) error {
	rep, err := engine.SyncSecurityHub(ctx, asOf, meta, docs, accounts)
	fmt.Fprintf(f.IO.ErrOut, "security hub (%s): %d finding(s) imported, %d resolved, %d refused\n", meta.Region, rep.Imported, rep.Resolved, len(rep.Failed))
	return err
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

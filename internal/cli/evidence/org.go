package evidence

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/pipeline"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// orgAccount is one account's entry in the organization evidence JSON.
type orgAccount struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Status  string            `json:"status"`
	Error   string            `json:"error,omitempty"`
	Dossier *evidence.Dossier `json:"dossier,omitempty"`
}

// evidenceOrg gathers the evidence in every selected account through the
// engine's account loop and writes each account's dossier as it arrives:
// JSON as {"kind": "organization-evidence", "accounts": [...]}, the table
// and Markdown under a heading per account, then a summary line per
// account. With --athena-sql it prints each account's statement instead.
func evidenceOrg(ctx context.Context, opts *Options, engine *pipeline.Engine, in pipeline.ScanInput, src pipeline.SourceOptions, format string, failOn rules.Severity) error {
	f := opts.Factory
	p, err := engine.PrepareOrg(ctx, opts.Org.Options)
	if err != nil {
		return err
	}
	type result struct {
		res *scan.Result
		d   *evidence.Dossier
		sql string
	}
	atOrAbove := 0
	var sum org.Summary
	run := func(w io.Writer) error {
		out := &orgOut{w: w, format: format, sql: opts.AthenaSQL}
		if format == formatHTML && !opts.AthenaSQL {
			// One page, a section per account: what `report` builds.
			out.page = htmlreport.NewOrgPage("organization-evidence", in.AsOf, f.Now())
		}
		out.start(in.AsOf, f.Now())
		var runErr error
		sum, runErr = pipeline.RunAccounts(ctx, engine, p, func(ctx context.Context, ae *pipeline.Engine, acct org.Account) (result, error) {
			res, d, _, sql, err := gatherOne(ctx, opts, ae, in, src)
			return result{res, d, sql}, err
		}, func(r org.Result[result]) error {
			res, d := r.Value.res, r.Value.d
			if r.Status != org.StatusOK {
				res, d = nil, nil
			}
			if d != nil {
				atOrAbove += countAtOrAbove(d, failOn)
			}
			if out.page != nil {
				out.page.Account(r.Account.ID, r.Account.Name, r.Status, r.Error, res, d, nil)
				return nil
			}
			return out.account(r.Account, r.Status, r.Error, d, r.Value.sql)
		})
		if runErr != nil {
			return runErr
		}
		if out.page != nil {
			return out.page.Write(w)
		}
		return out.close(sum)
	}
	if opts.OutputFile != "" {
		if err := cmdutil.WriteFileAtomic(opts.OutputFile, run); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "wrote evidence for %d account(s) (%d ok, %d failed, %d canceled) to %s\n", sum.Total, sum.OK, sum.Failed, sum.Canceled, opts.OutputFile)
	} else if err := run(f.IO.Out); err != nil {
		return err
	}
	return cmdutil.RunError(sum.Err(), atOrAbove, failOn)
}

// orgOut writes an organization evidence run account by account: each
// dossier (or statement) as it arrives, then a line per account.
type orgOut struct {
	w      io.Writer
	format string
	sql    bool
	page   *htmlreport.OrgPage
	n      int
	lines  []string
}

func (o *orgOut) start(asOf, now time.Time) {
	if o.format == evidence.FormatJSON && !o.sql {
		fmt.Fprintf(o.w, "{\n  \"schema_version\": 1,\n  \"kind\": \"organization-evidence\",\n  \"as_of\": %q,\n  \"generated_at\": %q,\n  \"accounts\": [",
			asOf.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
}

func (o *orgOut) account(a org.Account, status, errMsg string, d *evidence.Dossier, sql string) error {
	line := fmt.Sprintf("%s  %-12s  %-8s  ", a.ID, a.Name, status)
	if d != nil {
		line += fmt.Sprintf("%d user(s): %d unused, %d in use, %d unknown, %d with attempts", d.Summary.Users, d.Summary.Unused, d.Summary.InUse, d.Summary.Unknown, d.Summary.Attempts)
	} else {
		line += errMsg
	}
	o.lines = append(o.lines, line)
	first := o.n == 0
	o.n++
	switch {
	case o.sql && status != org.StatusOK:
		_, err := fmt.Fprintf(o.w, "-- account %s (%s): %s: %s\n\n", a.ID, a.Name, status, errMsg)
		return err
	case o.sql:
		_, err := fmt.Fprintf(o.w, "-- account %s (%s)\n%s\n", a.ID, a.Name, sql)
		return err
	case o.format == evidence.FormatJSON:
		b, err := json.MarshalIndent(orgAccount{ID: a.ID, Name: a.Name, Status: status, Error: errMsg, Dossier: d}, "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n    "
		if first {
			sep = "\n    "
		}
		_, err = io.WriteString(o.w, sep+string(b))
		return err
	}
	head := "=== Account %s (%s): %s ===\n"
	if o.format == evidence.FormatMarkdown {
		head = "# Account %s (%s): %s\n\n"
	}
	if !first {
		head = "\n" + head
	}
	fmt.Fprintf(o.w, head, a.ID, a.Name, status)
	if d == nil {
		_, err := fmt.Fprintln(o.w, errMsg)
		return err
	}
	return evidence.Render(o.w, o.format, d)
}

func (o *orgOut) close(sum org.Summary) error {
	switch {
	case o.sql:
		return nil
	case o.format == evidence.FormatJSON:
		if o.n > 0 {
			io.WriteString(o.w, "\n  ")
		}
		_, err := io.WriteString(o.w, "]\n}\n")
		return err
	}
	fmt.Fprintf(o.w, "\nAccounts: %d ok, %d failed, %d canceled\n", sum.OK, sum.Failed, sum.Canceled)
	for _, l := range o.lines {
		if _, err := fmt.Fprintln(o.w, "  "+strings.TrimRight(l, " ")); err != nil {
			return err
		}
	}
	return nil
}

// gatherOne is one account's evidence run: the scan, its candidates (or
// the named users), then the dossier, or with --athena-sql the statement.
func gatherOne(ctx context.Context, opts *Options, engine *pipeline.Engine, in pipeline.ScanInput, src pipeline.SourceOptions) (*scan.Result, *evidence.Dossier, *evidence.CodeDirs, string, error) {
	sc, err := engine.Scan(ctx, in)
	if err != nil {
		return nil, nil, nil, "", err
	}
	res := sc.Result
	subjects, err := evidence.Candidates(res, opts.Users)
	if err != nil {
		return nil, nil, nil, "", err
	}
	if err := engine.FillKeyIDs(ctx, res, sc.Inventory, subjects); err != nil {
		return nil, nil, nil, "", err
	}
	if opts.AthenaSQL {
		sql, err := pipeline.AthenaSQL(athenaOptions(opts, "cloudtrail_logs"), res.AccountID, opts.Regions, subjects, res.AsOf)
		return res, nil, nil, sql, err
	}
	g, code, regions, err := engine.Sources(ctx, src, res.AccountID)
	if err != nil {
		return nil, nil, nil, "", err
	}
	d, err := g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: res.AsOf, Now: opts.Factory.Now(), Regions: regions, Subjects: subjects})
	return res, d, code, "", err
}

// athenaOptions are the --athena-* flags; def is the table when none is
// given.
func athenaOptions(opts *Options, def string) pipeline.AthenaOptions {
	table := opts.AthenaTable
	if table == "" {
		table = def
	}
	return pipeline.AthenaOptions{Table: table, Database: opts.AthenaDatabase, Workgroup: opts.AthenaWorkgroup, Output: opts.AthenaOutput}
}

func countAtOrAbove(d *evidence.Dossier, min rules.Severity) int {
	if min == 0 {
		return 0
	}
	n := 0
	for _, fd := range d.Findings {
		if fd.Severity >= min {
			n++
		}
	}
	return n
}

// Package report is `iamsweep report`: one HTML page from saved scan,
// evidence, plan and organization JSON documents.
package report

import (
	"context"
	"fmt"
	"github.com/iamsweep/iamsweep/internal/plan"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
)

// Options are the report command's inputs.
type Options struct {
	Factory        *cmdutil.Factory
	Files          []string
	Output         string
	OutputFile     string
	Title          string
	QuarantineDays int
}

// NewCmdReport builds the command; runF replaces reportRun in tests of parsing.
func NewCmdReport(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "report FILE.json...",
		Short: "Render saved scan, evidence and plan JSON as one HTML page",
		Long: `Render saved JSON documents as one self-contained HTML page: styles,
script and charts inline, no network request, a strict Content-Security-Policy.

Give any mix of scan (iamsweep scan -o json), evidence (iamsweep evidence
-o json), plan (iamsweep plan --output-file) and organization-run documents;
they are merged per account and user, so a scan with its evidence and its
plan make one page: each finding shows the evidence verdict and what the
plan does. '-' reads standard input.

The page opens with users somebody tried to use after they were disabled,
then totals per rule and severity (per account when there are several), the
plan's effect, users in quarantine with the date each becomes deletable,
charts of days since last use with the threshold marked, a sortable and
filterable findings table, and per-user details.`,
		Example: `  iamsweep scan --output-file scan.json
  iamsweep evidence -o json --output-file evidence.json
  iamsweep plan --evidence-file evidence.json --output-file plan.json
  iamsweep report scan.json evidence.json plan.json --output-file report.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if f := strings.ToLower(strings.TrimSpace(opts.Output)); f != "" && f != "html" {
				// -o is the format in every command; before, it was
				// report's output file, and "-o html" wrote a file named html.
				return cmdutil.FlagErrorf("invalid --output %q: report writes html only; to write a file, use --output-file %s", opts.Output, opts.Output)
			}
			if err := cmdutil.NormalizeOutputFile(&opts.OutputFile); err != nil {
				return err
			}
			if opts.QuarantineDays < 0 {
				return cmdutil.FlagErrorf("--quarantine-days must be 0 or more")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return reportRun(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "html", "output `FORMAT`: html (the only one; -o is the format in every command)")
	cmd.Flags().StringVar(&opts.OutputFile, "output-file", "", "write the page to `FILE` instead of standard output")
	cmd.Flags().StringVar(&opts.Title, "title", "", "page `TITLE` (default: names the account or the number of accounts)")
	cmd.Flags().IntVar(&opts.QuarantineDays, "quarantine-days", plan.DefaultQuarantineDays, "date deletability of disabled users with `N` days of quarantine when no plan of their account says")
	return cmd
}

func reportRun(opts *Options) error {
	f := opts.Factory
	in := htmlreport.Input{Title: opts.Title, QuarantineDays: opts.QuarantineDays}
	for _, name := range opts.Files {
		if err := addFile(&in, name, f.IO.In); err != nil {
			return err
		}
	}
	page, err := htmlreport.Build(in)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error { return htmlreport.Write(w, page) }
	if opts.OutputFile == "" {
		return write(f.IO.Out)
	}
	if err := cmdutil.WriteFileAtomic(opts.OutputFile, write); err != nil {
		return err
	}
	fmt.Fprintf(f.IO.ErrOut, "wrote %d finding(s) for %d account(s) to %s\n", page.Totals.Findings, page.Totals.Accounts, opts.OutputFile)
	return nil
}

func addFile(in *htmlreport.Input, name string, stdin io.Reader) error {
	if name == "-" {
		return in.Add("standard input", stdin)
	}
	file, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	defer file.Close()
	return in.Add(name, file)
}

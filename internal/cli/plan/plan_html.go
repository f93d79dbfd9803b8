package plan

import (
	"io"
	"strings"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/htmlreport"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// checkPlanOutput settles --output: json unless asked, or html when the
// output file says so.
func checkPlanOutput(opts *PlanOptions) error {
	v := strings.ToLower(strings.TrimSpace(opts.Output))
	switch {
	case v == "" && cmdutil.FormatForFile(opts.OutputFile) == "html":
		v = "html"
	case v == "":
		v = "json"
	case v != "json" && v != "html":
		return cmdutil.FlagErrorf("invalid --output %q: want json or html", opts.Output)
	}
	opts.Output = v
	return nil
}

// planHTML writes the plan as a page with the scan and evidence it rests
// on. apply reads only the JSON: save that too to apply it.
func planHTML(res *scan.Result, d *evidence.Dossier, p *plan.Plan) func(io.Writer) error {
	return func(w io.Writer) error {
		in := htmlreport.Input{Scans: []*scan.Result{res}, Plans: []*plan.Plan{p}, QuarantineDays: p.Parameters.QuarantineDays}
		if d != nil {
			in.Dossiers = []*evidence.Dossier{d}
		}
		return htmlreport.Render(w, in)
	}
}

package retire

import (
	"context"
	"fmt"
	"os"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	evidencecmd "github.com/iamsweep/iamsweep/internal/cli/evidence"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// checkEvidenceFlags allows one of --evidence-file, --gather-evidence and
// --no-evidence, and --regions only for gathering.
func checkEvidenceFlags(opts *PlanOptions) error {
	n := 0
	for _, set := range []bool{opts.EvidenceFile != "", opts.GatherEvidence, opts.NoEvidence} {
		if set {
			n++
		}
	}
	if n > 1 {
		return cmdutil.FlagErrorf("--evidence-file, --gather-evidence and --no-evidence exclude each other: give one")
	}
	if len(opts.Regions) > 0 && !opts.GatherEvidence {
		return cmdutil.FlagErrorf("--regions is for --gather-evidence")
	}
	return nil
}

// addEvidence sets the params' evidence from the options: a dossier file,
// one gathered now for exactly the users the plan would act on, or none.
func addEvidence(ctx context.Context, opts *PlanOptions, res *scan.Result, inv *inventory.Inventory, params *plan.Params) error {
	f := opts.Factory
	switch {
	case opts.NoEvidence:
		params.NoEvidence = true
	case opts.EvidenceFile != "":
		d, err := readDossier(opts.EvidenceFile)
		if err != nil {
			return &cmdutil.FlagError{Err: err}
		}
		params.Evidence, params.EvidenceFile = d, opts.EvidenceFile
	case opts.GatherEvidence:
		names := actedOn(res, *params)
		if len(names) == 0 {
			// Nothing to prove: an empty dossier records that evidence was asked for.
			params.Evidence = &evidence.Dossier{SchemaVersion: evidence.SchemaVersion, AccountID: res.AccountID, AsOf: params.AsOf.UTC(), GeneratedAt: f.Now().UTC(), Users: []evidence.UserDossier{}}
			return nil
		}
		subjects, err := evidence.Candidates(res, names)
		if err != nil {
			return err
		}
		d, err := evidencecmd.GatherFor(ctx, f, res, inv, subjects, params.AsOf, evidencecmd.GatherOptions{Regions: opts.Regions, Clock: opts.Clock})
		if err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "gathered evidence for %d user(s) in %d region(s): %d unused, %d in use, %d unknown, %d with attempts after their disable\n",
			d.Summary.Users, len(d.Regions), d.Summary.Unused, d.Summary.InUse, d.Summary.Unknown, d.Summary.Attempts)
		params.Evidence = d
	}
	return nil
}

// actedOn lists the users a plan without evidence gates would change:
// the only ones worth gathering evidence for.
func actedOn(res *scan.Result, params plan.Params) []string {
	params.NoEvidence, params.Evidence, params.MaxUsers = true, nil, 0
	p, err := plan.Build(res, params)
	if p == nil || err != nil {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, a := range p.Actions {
		if !seen[a.User] {
			seen[a.User] = true
			names = append(names, a.User)
		}
	}
	return names
}

func readDossier(path string) (*evidence.Dossier, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read evidence: %w", err)
	}
	defer file.Close()
	d, err := evidence.Load(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (write it with iamsweep evidence -o json)", path, err)
	}
	if d.AccountID == "" || d.AsOf.IsZero() {
		return nil, fmt.Errorf("%s is not an evidence dossier (no account_id or as_of): write it with iamsweep evidence -o json", path)
	}
	return d, nil
}

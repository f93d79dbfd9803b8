package plan

import (
	"fmt"
	"os"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
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

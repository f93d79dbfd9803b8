package pipeline

import (
	"context"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/plan"
)

// Summary is what an unattended stage reports back (the Lambda's response).
type Summary struct {
	Counts map[string]int `json:"counts"`
	Notes  []string       `json:"notes,omitempty"`
	// Plan is what the retire stage applied (the HTML report shows it);
	// nil for the evidence stage or when no plan was made.
	Plan *plan.Plan `json:"-"`
}

// GatherCandidates is the unattended evidence stage: `iamsweep evidence`
// over the scan's candidates, from CloudTrail event history, Access
// Advisor and Access Analyzer (log files and code are read only at a
// terminal). The dossier goes to Retire whole: plan's gates (per-user
// verdicts, attempts since the disable, a dossier that predates the
// disable) need more than verdicts. It is never nil without an error.
func (e *Engine) GatherCandidates(ctx context.Context, sc *Scanned) (Summary, *evidence.Dossier, error) {
	res, log := sc.Result, e.log()
	sum := Summary{Counts: map[string]int{}}
	subjects, err := evidence.Candidates(res, nil)
	if err != nil {
		return sum, nil, err
	}
	if len(subjects) == 0 {
		// Nothing to read; an empty dossier still makes every user
		// unknown to plan, never unused.
		return sum, &evidence.Dossier{SchemaVersion: evidence.SchemaVersion, AccountID: res.AccountID, AsOf: res.AsOf.UTC(),
			GeneratedAt: e.now().UTC(), Users: []evidence.UserDossier{}}, nil
	}
	g, regions := e.Gatherer, e.Regions
	if g == nil {
		if err := e.FillKeyIDs(ctx, res, sc.Inventory, subjects); err != nil {
			return sum, nil, err
		}
		if g, _, regions, err = e.Sources(ctx, SourceOptions{Regions: e.Regions, Unattended: true}, res.AccountID); err != nil {
			return sum, nil, err
		}
	}
	d, err := g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: res.AsOf, Now: e.now(), Regions: regions, Subjects: subjects})
	if err != nil {
		return sum, nil, err
	}
	for _, u := range d.Users {
		log.Info("evidence", "user", u.Name, "verdict", u.Verdict, "reason", u.Reason, "attempts", len(u.Attempts))
	}
	sum.Counts = map[string]int{"users": d.Summary.Users, "unused": d.Summary.Unused, "in-use": d.Summary.InUse,
		"unknown": d.Summary.Unknown, "users-with-attempts": d.Summary.Attempts}
	for _, f := range d.Findings {
		sum.Notes = append(sum.Notes, f.Rule+" "+f.UserName+": "+f.Message)
	}
	for _, s := range d.Sources {
		if s.Status == evidence.RunFailed || s.Status == evidence.RunPartial {
			log.Warn("evidence source", "source", s.Name, "status", s.Status, "detail", s.Detail)
		}
	}
	return sum, d, nil
}

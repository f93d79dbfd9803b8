package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// PlanInput says what to plan from.
type PlanInput struct {
	// Scan is the scan to run, unless Saved is given.
	Scan ScanInput
	// Saved is a saved scan (plan --from-scan); AsOf, when not zero,
	// replaces its as-of. The exclusions are applied to it again.
	Saved *scan.Result
	AsOf  time.Time
	// Evidence: a dossier (EvidenceFile names it in the plan), gathered
	// now for exactly the users the plan would change, or explicitly none.
	Evidence       *evidence.Dossier
	EvidenceFile   string
	GatherEvidence bool
	NoEvidence     bool
	// Sources for GatherEvidence (regions, clock).
	Sources SourceOptions
}

// Plan makes a reviewable plan. With a live scan, every planned user is
// read again so the plan records the facts apply compares with. A plan
// over MaxUsers is returned with a *plan.TooManyUsersError.
func (e *Engine) Plan(ctx context.Context, in PlanInput) (*plan.Plan, error) {
	p, _, err := e.PlanWithBasis(ctx, in)
	return p, err
}

// PlanBasis is what a plan was made from: the scan and the evidence
// dossier (nil without evidence), for a report that shows all three.
type PlanBasis struct {
	Scan     *scan.Result
	Evidence *evidence.Dossier
}

// PlanWithBasis is Plan that also returns what the plan rests on.
func (e *Engine) PlanWithBasis(ctx context.Context, in PlanInput) (*plan.Plan, PlanBasis, error) {
	var b PlanBasis
	p, err := e.plan(ctx, in, &b)
	return p, b, err
}

func (e *Engine) plan(ctx context.Context, in PlanInput, basis *PlanBasis) (*plan.Plan, error) {
	s := e.Settings
	params := plan.Params{Now: e.now(), QuarantineDays: s.QuarantineDays, MaxUsers: s.MaxUsers}
	res := in.Saved
	var inv *inventory.Inventory
	if res != nil {
		params.AsOf = res.AsOf
		if !in.AsOf.IsZero() {
			params.AsOf = in.AsOf
		}
		if err := e.ExcludeMore(ctx, res, params.AsOf); err != nil {
			return nil, err
		}
	} else {
		sc, err := e.Scan(ctx, in.Scan)
		if err != nil {
			return nil, err
		}
		res, inv = sc.Result, sc.Inventory
		params.AsOf = res.AsOf
	}
	params.CallerARN = res.CallerARN
	if err := e.planEvidence(ctx, in, res, inv, &params); err != nil {
		return nil, err
	}
	basis.Scan, basis.Evidence = res, params.Evidence
	p, err := plan.Build(res, params)
	if err != nil {
		return p, err
	}
	if res.Source == scan.SourceLive && in.Saved == nil {
		api, err := e.iam(ctx)
		if err != nil {
			return nil, err
		}
		if err := e.Refresh(ctx, api, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// planEvidence sets the params' evidence from the input: a dossier, one
// gathered now for exactly the users the plan would act on, or none.
func (e *Engine) planEvidence(ctx context.Context, in PlanInput, res *scan.Result, inv *inventory.Inventory, params *plan.Params) error {
	switch {
	case in.NoEvidence:
		params.NoEvidence = true
	case in.Evidence != nil:
		params.Evidence, params.EvidenceFile = in.Evidence, in.EvidenceFile
	case in.GatherEvidence:
		names := actedOn(res, *params)
		if len(names) == 0 {
			// Nothing to prove: an empty dossier records that evidence was asked for.
			params.Evidence = &evidence.Dossier{SchemaVersion: evidence.SchemaVersion, AccountID: res.AccountID, AsOf: params.AsOf.UTC(), GeneratedAt: e.now().UTC(), Users: []evidence.UserDossier{}}
			return nil
		}
		subjects, err := evidence.Candidates(res, names)
		if err != nil {
			return err
		}
		d, err := e.GatherFor(ctx, res, inv, subjects, params.AsOf, in.Sources)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.notes(), "gathered evidence for %d user(s) in %d region(s): %d unused, %d in use, %d unknown, %d with attempts after their disable\n",
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

package stages

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Evidence is the scheduled function's evidence stage: the CLI's
// `evidence` over the scan's candidates, from CloudTrail event history,
// Access Advisor and Access Analyzer (log files and code are CLI-only).
type Evidence struct {
	// Gatherer and Regions replace the sources built from the stage
	// input's AWS factory (tests).
	Gatherer *evidence.Gatherer
	Regions  []string
	// Now is the real time; nil is the wall clock.
	Now func() time.Time
}

// Gather implements lambdafn.EvidenceGatherer. The dossier goes to the
// retire stage whole: plan's gates (per-user verdicts, attempts since the
// disable, a dossier that predates the disable) need more than verdicts.
func (e *Evidence) Gather(ctx context.Context, in lambdafn.StageInput) (lambdafn.StageSummary, *evidence.Dossier, error) {
	res, log := in.Result, logger(in)
	sum := lambdafn.StageSummary{Counts: map[string]int{}}
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
		if in.AWS == nil {
			return sum, nil, errors.New("no AWS clients for the evidence stage")
		}
		if g, regions, err = e.sources(ctx, in, subjects); err != nil {
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

// sources builds what the function reads: CloudTrail event history in
// every enabled region, Access Advisor, Access Analyzer.
func (e *Evidence) sources(ctx context.Context, in lambdafn.StageInput, subjects []evidence.Subject) (*evidence.Gatherer, []string, error) {
	f := in.AWS
	if in.Inventory != nil && in.Result.Source == scan.SourceLive {
		if err := evidence.FillKeyIDs(ctx, &inventory.Live{IAM: f.IAM(), Log: logger(in)}, in.Inventory, subjects); err != nil {
			return nil, nil, err
		}
	}
	regions, err := evidence.ResolveRegions(ctx, f.Account(), e.Regions)
	if err != nil {
		return nil, nil, err
	}
	clock := evidence.RealClock{}
	analyzers := map[string]evidence.AnalyzerAPI{}
	for _, r := range regions {
		analyzers[r] = f.AccessAnalyzer(func(o *accessanalyzer.Options) { o.Region = r })
	}
	g := &evidence.Gatherer{
		CloudTrail: &evidence.CloudTrailLookup{Clients: evidence.LimitedCloudTrail(f.CloudTrail, regions, clock), Now: e.now()},
		Advisor:    &evidence.AccessAdvisor{IAM: f.IAM(), Clock: clock},
		Analyzer:   &evidence.AccessAnalyzer{Clients: analyzers},
		Skipped: map[string]string{
			evidence.SourceLogFiles: "not read by the Lambda (run iamsweep evidence --cloudtrail-logs)",
			evidence.SourceCode:     "not read by the Lambda (run iamsweep evidence --code)",
		},
	}
	return g, regions, nil
}

func (e *Evidence) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

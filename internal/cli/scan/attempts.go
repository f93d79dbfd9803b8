package scan

import (
	"context"
	"fmt"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// addAttempts is `scan --evidence`: it reads CloudTrail's event history for
// the users iamsweep has disabled only (a plain scan stays a handful of IAM
// calls) and raises used-while-disabled for each one someone still tries
// to use.
func addAttempts(ctx context.Context, f *cmdutil.Factory, res *scan.Result, inv *inventory.Inventory, regions []string) error {
	subjects := evidence.DisabledSubjects(res)
	if len(subjects) == 0 || res.Source != scan.SourceLive {
		return nil
	}
	aws, err := f.AWS(ctx)
	if err != nil {
		return err
	}
	if err := evidence.FillKeyIDs(ctx, &inventory.Live{IAM: aws.IAM(), Log: f.Logger}, inv, subjects); err != nil {
		return err
	}
	if regions, err = evidence.ResolveRegions(ctx, aws.Account(), regions); err != nil {
		return err
	}
	g := &evidence.Gatherer{CloudTrail: &evidence.CloudTrailLookup{
		Clients: evidence.LimitedCloudTrail(aws.CloudTrail, regions, evidence.RealClock{}), Now: f.Now(),
	}}
	d, err := g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: res.AsOf, Now: f.Now(), Regions: regions, Subjects: subjects})
	if err != nil {
		return err
	}
	res.AddFindings(d.Findings...)
	for _, u := range d.Users {
		for _, e := range u.Unknown {
			f.Logger.Warn("scan --evidence: could not read every source for a disabled user; attempts may be missed",
				"user", u.Name, "source", e.Source, "region", e.Region, "error", e.Error)
		}
	}
	fmt.Fprintf(f.IO.ErrOut, "checked %d disabled user(s) in %d region(s) for attempts: %d with attempts\n", len(subjects), len(regions), len(d.Findings))
	return nil
}

package evidence

import (
	"context"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// GatherOptions are the evidence settings another command passes through.
type GatherOptions struct {
	// Regions to search; empty means every enabled region.
	Regions []string
	// Clock paces CloudTrail and Access Advisor; nil is the wall clock.
	Clock evidence.Clock
}

// GatherFor builds, as of asOf, the dossier `iamsweep evidence USER...` would for the
// subjects, from its default sources (CloudTrail event history, Access
// Advisor, Access Analyzer; no log files or code). It is how `plan
// --gather-evidence` proves the users it would act on unused. inv is the
// scan's inventory, or nil for a saved scan: the key IDs the scan left
// out are then read from IAM all the same, since attempts with a disabled
// key are found only by its ID.
func GatherFor(ctx context.Context, f *cmdutil.Factory, res *scan.Result, inv *inventory.Inventory, subjects []evidence.Subject, asOf time.Time, o GatherOptions) (*evidence.Dossier, error) {
	aws, err := f.AWS(ctx)
	if err != nil {
		return nil, err
	}
	if inv == nil {
		inv = inventoryOf(subjects)
	}
	if err := evidence.FillKeyIDs(ctx, &inventory.Live{IAM: aws.IAM(), Log: f.Logger}, inv, subjects); err != nil {
		return nil, err
	}
	opts := &Options{Factory: f, Regions: o.Regions, MaxEventPages: evidence.DefaultMaxEventPages, Clock: o.Clock}
	g, _, regions, err := buildGatherer(ctx, opts, map[string]bool{}, res.AccountID)
	if err != nil {
		return nil, err
	}
	return g.Gather(ctx, evidence.Input{AccountID: res.AccountID, AsOf: asOf, Now: f.Now(), Regions: regions, Subjects: subjects})
}

// inventoryOf rebuilds, from a saved scan, the bit of inventory that
// FillKeyIDs matches key IDs against (slots and creation times).
func inventoryOf(subjects []evidence.Subject) *inventory.Inventory {
	inv := &inventory.Inventory{}
	for _, s := range subjects {
		u := inventory.User{Name: s.User.Name, ARN: s.User.ARN}
		for _, c := range s.User.Credentials {
			slot := 0
			switch c.Name {
			case inventory.CredAccessKey1:
				slot = 1
			case inventory.CredAccessKey2:
				slot = 2
			default:
				continue
			}
			u.AccessKeys = append(u.AccessKeys, inventory.AccessKey{Slot: slot, ID: c.AccessKeyID, Active: c.Active, LastRotated: c.Created})
		}
		inv.Users = append(inv.Users, u)
	}
	return inv
}

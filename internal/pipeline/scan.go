package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// ScanInput says what to judge.
type ScanInput struct {
	// ReportFile is a saved credential report ("-" for Stdin); empty scans
	// the account live.
	ReportFile string
	// AsOf is "now" for every judgement.
	AsOf time.Time
}

// Scanned is a scan with what it was made from, for the later stages.
type Scanned struct {
	Result *scan.Result
	// Inventory is the scan's inventory (evidence reads the key IDs the
	// scan left out through it).
	Inventory *inventory.Inventory
	// Exclusions are the ones the scan applied; apply checks them again.
	Exclusions *exclusion.Set
}

// Scan judges every user of the account (or of the report file).
func (e *Engine) Scan(ctx context.Context, in ScanInput) (*Scanned, error) {
	s := e.Settings
	params := s.Params(in.AsOf)
	if err := params.Validate(); err != nil {
		return nil, &SettingsError{Err: fmt.Errorf("%w (--max-unused-days, --rotation-days)", err)}
	}
	set, err := s.staticExclusions()
	if err != nil {
		return nil, err
	}
	opts := scan.Options{Params: params, Exclusions: set, Now: e.nowFunc(), SkipKeyIDs: !s.KeyIDs}
	var collector scan.Collector
	if in.ReportFile != "" {
		if s.ExclusionsSSM != "" {
			return nil, settingsErrorf("--exclusions-ssm needs a live scan; drop --credential-report or the SSM parameter")
		}
		if hasTagEntries(set) {
			fmt.Fprintln(e.notes(), "warning: a credential report file has no tags, so tag exclusions cannot match; scan live to apply them")
		}
		if s.LifecycleConfigured {
			fmt.Fprintln(e.notes(), "warning: a credential report file has no tags, so the lifecycle rules (expiry, owner) cannot run; scan live to apply them")
		}
		collector = &inventory.FileCollector{Path: in.ReportFile, Stdin: e.Stdin}
		opts.Source = scan.SourceFile
	} else {
		if err := e.addSSMExclusions(ctx, set); err != nil {
			return nil, err
		}
		if collector = e.Collector; collector == nil {
			if collector, err = e.live(ctx); err != nil {
				return nil, err
			}
		}
		opts.Source = scan.SourceLive
		// Expiry and owner live in tags, which only a live scan reads.
		lc := s.Lifecycle
		opts.Params.Lifecycle = &lc
	}
	res, inv, err := scan.Run(ctx, collector, opts)
	if err != nil {
		return nil, err
	}
	// Disabled users' deletable dates follow the quarantine in force.
	res.SetQuarantine(s.QuarantineDays)
	// An --as-of the data contradicts judges nonsense without failing.
	for _, w := range scan.AsOfWarnings(in.AsOf, e.now(), inv, opts.Source == scan.SourceLive) {
		fmt.Fprintln(e.notes(), "warning: "+w)
	}
	return &Scanned{Result: res, Inventory: inv, Exclusions: set}, nil
}

// Exclusions builds the exclusion set (the config's entries, the flags',
// the SSM parameter's names) for commands that act on named users.
func (e *Engine) Exclusions(ctx context.Context) (*exclusion.Set, error) {
	set, err := e.Settings.staticExclusions()
	if err != nil {
		return nil, err
	}
	if err := e.addSSMExclusions(ctx, set); err != nil {
		return nil, err
	}
	return set, nil
}

// ExcludeMore applies the exclusions to a saved scan, so an exclusion
// added since the scan still holds.
func (e *Engine) ExcludeMore(ctx context.Context, res *scan.Result, asOf time.Time) error {
	set, err := e.Exclusions(ctx)
	if err != nil {
		return err
	}
	for i := range res.Users {
		u := &res.Users[i]
		if u.Status == scan.StatusExcluded {
			continue
		}
		if reason, ok := set.Match(&inventory.User{Name: u.Name, ARN: u.ARN, Path: u.Path, Tags: u.Tags}, asOf); ok {
			u.Status, u.ExclusionReason = scan.StatusExcluded, reason
		}
	}
	return nil
}

func (s Settings) staticExclusions() (*exclusion.Set, error) {
	set := &exclusion.Set{}
	for _, en := range s.Exclusions {
		if err := set.Add(en); err != nil {
			return nil, &SettingsError{Err: err}
		}
	}
	return set, nil
}

// addSSMExclusions reads the SSM name list now, so an edit applies at the
// next run.
func (e *Engine) addSSMExclusions(ctx context.Context, set *exclusion.Set) error {
	name := e.Settings.ExclusionsSSM
	if name == "" {
		return nil
	}
	api, err := e.ssm(ctx)
	if err != nil {
		return err
	}
	entries, err := exclusion.LoadSSM(ctx, api, name)
	if err != nil {
		return err
	}
	return set.Add(entries...)
}

func hasTagEntries(set *exclusion.Set) bool {
	for _, e := range set.Entries {
		if e.Tag != "" {
			return true
		}
	}
	return false
}

// Package scan is the `iamsweep scan` command. Its Flags are reused by
// every command that starts from a scan (plan, evidence).
package scan

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// Flags are the inputs of a scan, shared by scan, plan and evidence.
type Flags struct {
	CredentialReport string
	AsOf             string
	MaxUnusedDays    int
	RotationDays     int
	Excludes         []string
	ExcludePaths     []string
	ExcludeTags      []string
	ExclusionsSSM    string
	ConfigPath       string
	KeyIDs           bool

	// changed reports whether a flag was given on the command line, so
	// that a flag beats the config file and the config beats the default.
	changed func(name string) bool
}

// Register adds the scan flags to fs.
func (fl *Flags) Register(fs *pflag.FlagSet) {
	fs.StringVar(&fl.CredentialReport, "credential-report", "", "judge a saved credential report `FILE` (- for stdin) instead of reading IAM")
	fs.IntVar(&fl.MaxUnusedDays, "max-unused-days", rules.DefaultDays, "a credential unused for at least `N` days is unused")
	fs.IntVar(&fl.RotationDays, "rotation-days", rules.DefaultDays, "an active key older than `N` days is not rotated")
	fl.RegisterExclusions(fs)
}

// RegisterExclusions adds only --as-of, --config and the exclusion flags:
// what a command acting on named users needs to refuse excluded ones.
func (fl *Flags) RegisterExclusions(fs *pflag.FlagSet) {
	fs.StringVar(&fl.AsOf, "as-of", "", "judge as of this `TIME` (2026-03-01 or RFC 3339); default now")
	fs.StringArrayVar(&fl.Excludes, "exclude", nil, "never act on users matching `NAME_OR_GLOB` (repeatable)")
	fs.StringArrayVar(&fl.ExcludePaths, "exclude-path", nil, "never act on users under IAM `PATH` prefix (repeatable)")
	fs.StringArrayVar(&fl.ExcludeTags, "exclude-tag", nil, "never act on users tagged `KEY[=VALUE]` (repeatable; live scans)")
	fs.StringVar(&fl.ExclusionsSSM, "exclusions-ssm", "", "SSM parameter `NAME` holding comma-separated user names to exclude")
	fs.StringVar(&fl.ConfigPath, "config", "", "YAML configuration `FILE` (thresholds, exclusions with reasons and expiry)")
	fs.BoolVar(&fl.KeyIDs, "key-ids", true, "name unused access keys in findings (one iam:ListAccessKeys per user with an unused key; --key-ids=false keeps a live scan to a fixed handful of calls)")
	fl.changed = func(name string) bool { return fs.Changed(name) }
}

// Config loads the --config file, or returns an empty configuration.
func (fl *Flags) Config() (*config.Config, error) {
	if fl.ConfigPath == "" {
		return &config.Config{}, nil
	}
	cfg, err := config.Load(fl.ConfigPath)
	if err != nil {
		return nil, &cmdutil.FlagError{Err: err}
	}
	return cfg, nil
}

// Exclusions builds the exclusion set from the config file, the flags and
// the SSM parameter (read with ssm), for commands that act on named users.
func (fl *Flags) Exclusions(ctx context.Context, cfg *config.Config, ssmc exclusion.SSMAPI) (*exclusion.Set, error) {
	set := &exclusion.Set{}
	entries, err := cfg.ExclusionEntries()
	if err != nil {
		return nil, &cmdutil.FlagError{Err: err}
	}
	if err := set.Add(entries...); err != nil {
		return nil, &cmdutil.FlagError{Err: err}
	}
	if err := fl.addFlagExclusions(set); err != nil {
		return nil, err
	}
	name := fl.ExclusionsSSM
	if name == "" {
		name = cfg.ExclusionsSSM
	}
	if name != "" {
		e, err := exclusion.LoadSSM(ctx, ssmc, name)
		if err != nil {
			return nil, err
		}
		_ = set.Add(e...)
	}
	return set, nil
}

// IsChanged reports whether the named flag was given on the command line.
func (fl *Flags) IsChanged(name string) bool { return fl.isChanged(name) }

// Scan runs the scan the flags describe.
func (fl *Flags) Scan(ctx context.Context, f *cmdutil.Factory) (*scan.Result, *inventory.Inventory, error) {
	asOf, err := clock.ParseAsOf(fl.AsOf, f.Now)
	if err != nil {
		return nil, nil, &cmdutil.FlagError{Err: err}
	}
	params := rules.Params{AsOf: asOf, MaxUnusedDays: fl.MaxUnusedDays, RotationDays: fl.RotationDays}
	set := &exclusion.Set{}
	ssmName := fl.ExclusionsSSM
	quarantine := 0 // the config's, for the deletable dates
	if fl.ConfigPath != "" {
		cfg, err := config.Load(fl.ConfigPath)
		if err != nil {
			return nil, nil, &cmdutil.FlagError{Err: err}
		}
		if cfg.MaxUnusedDays != 0 && !fl.isChanged("max-unused-days") {
			params.MaxUnusedDays = cfg.MaxUnusedDays
		}
		if cfg.RotationDays != 0 && !fl.isChanged("rotation-days") {
			params.RotationDays = cfg.RotationDays
		}
		if ssmName == "" {
			ssmName = cfg.ExclusionsSSM
		}
		quarantine = cfg.QuarantineDays
		entries, _ := cfg.ExclusionEntries() // validated by Load
		_ = set.Add(entries...)
	}
	if err := params.Validate(); err != nil {
		return nil, nil, &cmdutil.FlagError{Err: fmt.Errorf("%w (--max-unused-days, --rotation-days)", err)}
	}
	if err := fl.addFlagExclusions(set); err != nil {
		return nil, nil, err
	}

	opts := scan.Options{Params: params, Exclusions: set, Now: f.Now, SkipKeyIDs: !fl.KeyIDs}
	var collector scan.Collector
	if fl.CredentialReport != "" {
		if ssmName != "" {
			return nil, nil, cmdutil.FlagErrorf("--exclusions-ssm needs a live scan; drop --credential-report or the SSM parameter")
		}
		if hasTagEntries(set) {
			fmt.Fprintln(f.IO.ErrOut, "warning: a credential report file has no tags, so tag exclusions cannot match; scan live to apply them")
		}
		collector = &inventory.FileCollector{Path: fl.CredentialReport, Stdin: f.IO.In}
		opts.Source = scan.SourceFile
	} else {
		aws, err := f.AWS(ctx)
		if err != nil {
			return nil, nil, err
		}
		if ssmName != "" {
			entries, err := exclusion.LoadSSM(ctx, aws.SSM(), ssmName)
			if err != nil {
				return nil, nil, err
			}
			_ = set.Add(entries...)
		}
		collector = &inventory.Live{IAM: aws.IAM(), STS: aws.STS(), Log: f.Logger}
		opts.Source = scan.SourceLive
	}
	res, inv, err := scan.Run(ctx, collector, opts)
	if err != nil {
		return res, inv, err
	}
	if quarantine != 0 {
		res.SetQuarantine(quarantine)
	}
	if fl.AsOf != "" && inv != nil {
		for _, w := range scan.AsOfWarnings(asOf, f.Now(), inv, opts.Source == scan.SourceLive) {
			fmt.Fprintln(f.IO.ErrOut, "warning: "+w)
		}
	}
	return res, inv, nil
}

func (fl *Flags) isChanged(name string) bool { return fl.changed != nil && fl.changed(name) }

func (fl *Flags) addFlagExclusions(set *exclusion.Set) error {
	for _, n := range fl.Excludes {
		if err := set.Add(exclusion.Entry{User: n, Source: "--exclude"}); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	for _, p := range fl.ExcludePaths {
		if err := set.Add(exclusion.Entry{Path: p, Source: "--exclude-path"}); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	for _, t := range fl.ExcludeTags {
		if err := set.Add(exclusion.Entry{Tag: t, Source: "--exclude-tag"}); err != nil {
			return &cmdutil.FlagError{Err: err}
		}
	}
	return nil
}

func hasTagEntries(set *exclusion.Set) bool {
	for _, e := range set.Entries {
		if e.Tag != "" {
			return true
		}
	}
	return false
}

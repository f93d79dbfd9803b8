package cmdutil

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// ScanFlags are the inputs of a scan, shared by scan, plan and evidence;
// the commands acting on named users register only the exclusion part.
type ScanFlags struct {
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

	fs *pflag.FlagSet
}

// Register adds the scan flags to fs.
func (fl *ScanFlags) Register(fs *pflag.FlagSet) {
	d := pipeline.Defaults()
	fs.StringVar(&fl.CredentialReport, "credential-report", "", "judge a saved credential report `FILE` (- for stdin) instead of reading IAM")
	fs.IntVar(&fl.MaxUnusedDays, "max-unused-days", d.MaxUnusedDays, "a credential unused for at least `N` days is unused")
	fs.IntVar(&fl.RotationDays, "rotation-days", d.RotationDays, "an active key older than `N` days is not rotated")
	fs.BoolVar(&fl.KeyIDs, "key-ids", pipeline.Defaults().KeyIDs, "name unused access keys in findings (one iam:ListAccessKeys per user with an unused key; --key-ids=false keeps a live scan to a fixed handful of calls)")
	fl.RegisterExclusions(fs)
	// --as-of is a what-if for the commands that read only: shown here.
	fs.Lookup("as-of").Hidden = false
}

// RegisterExclusions adds only --as-of (hidden), --config and the exclusion flags:
// what a command acting on named users needs to refuse excluded ones
// (disable, delete, apply). restore and recreate register none: they act
// on excluded users too, so the flags would mean nothing to them.
func (fl *ScanFlags) RegisterExclusions(fs *pflag.FlagSet) {
	fs.StringVar(&fl.AsOf, "as-of", "", "judge as of this `TIME` (2026-03-01 or RFC 3339); default now")
	// A changing command judges on the real clock: it keeps --as-of only
	// to refuse it with the reason, and does not offer it in its help.
	fs.Lookup("as-of").Hidden = true
	fs.StringArrayVar(&fl.Excludes, "exclude", nil, "never act on users matching `NAME_OR_GLOB` (repeatable)")
	fs.StringArrayVar(&fl.ExcludePaths, "exclude-path", nil, "never act on users under IAM `PATH` prefix (repeatable)")
	fs.StringArrayVar(&fl.ExcludeTags, "exclude-tag", nil, "never act on users tagged `KEY[=VALUE]` (repeatable; live scans)")
	fs.StringVar(&fl.ExclusionsSSM, "exclusions-ssm", "", "SSM parameter `NAME` holding comma-separated user names to exclude")
	fs.StringVar(&fl.ConfigPath, "config", "", "YAML configuration `FILE` (thresholds, exclusions with reasons and expiry)")
	fl.fs = fs
}

// Changed reports whether the named flag was given on the command line.
func (fl *ScanFlags) Changed(name string) bool { return fl.fs != nil && fl.fs.Changed(name) }

// Overrides are the flags given on the command line, for
// pipeline.Resolve: a flag beats the config file, which beats the default.
func (fl *ScanFlags) Overrides() pipeline.Overrides {
	o := pipeline.Overrides{ExclusionsSSM: fl.ExclusionsSSM}
	o.MaxUnusedDays = ChangedInt(fl.fs, "max-unused-days", fl.MaxUnusedDays)
	o.RotationDays = ChangedInt(fl.fs, "rotation-days", fl.RotationDays)
	if fl.Changed("key-ids") {
		o.KeyIDs = &fl.KeyIDs
	}
	for _, n := range fl.Excludes {
		o.Exclusions = append(o.Exclusions, exclusion.Entry{User: n, Source: "--exclude"})
	}
	for _, p := range fl.ExcludePaths {
		o.Exclusions = append(o.Exclusions, exclusion.Entry{Path: p, Source: "--exclude-path"})
	}
	for _, t := range fl.ExcludeTags {
		o.Exclusions = append(o.Exclusions, exclusion.Entry{Tag: t, Source: "--exclude-tag"})
	}
	return o
}

// ChangedInt returns &v when the flag was given, else nil.
func ChangedInt(fs *pflag.FlagSet, name string, v int) *int {
	if fs == nil || !fs.Changed(name) {
		return nil
	}
	return &v
}

// Config loads the --config file, or returns nil for none.
func (fl *ScanFlags) Config() (*config.Config, error) {
	if fl.ConfigPath == "" {
		return nil, nil
	}
	cfg, err := config.Load(fl.ConfigPath)
	if err != nil {
		return nil, &FlagError{Err: err}
	}
	return cfg, nil
}

// Settings resolves the settings from o (the flags' Overrides, plus the
// command's own) over the config file.
func (fl *ScanFlags) Settings(o pipeline.Overrides) (pipeline.Settings, error) {
	cfg, err := fl.Config()
	if err != nil {
		return pipeline.Settings{}, err
	}
	return pipeline.Resolve(cfg, o)
}

// ParseAsOf parses --as-of; empty is now.
func (fl *ScanFlags) ParseAsOf(now func() time.Time) (time.Time, error) {
	t, err := clock.ParseAsOf(fl.AsOf, now)
	if err != nil {
		return time.Time{}, &FlagError{Err: err}
	}
	return t, nil
}

// ScanInput is the scan the flags describe.
func (fl *ScanFlags) ScanInput(now func() time.Time) (pipeline.ScanInput, error) {
	asOf, err := fl.ParseAsOf(now)
	return pipeline.ScanInput{ReportFile: fl.CredentialReport, AsOf: asOf}, err
}

// Package pipeline is iamsweep's engine: settings, then scan (with its
// exclusions), evidence, plan and apply, for one account. The CLI commands
// and the Lambda function are front-ends that fill Settings and call it;
// the domain packages (inventory, rules, scan, evidence, plan, remediate)
// know nothing of either.
//
// A front-end resolves the settings once and calls the stages it needs
// (an organization scan is ScanOrg, then SyncOrgScan for Security Hub):
//
//	s, err := pipeline.Resolve(cfg, overrides) // flags or environment over config over defaults
//	e := &pipeline.Engine{Settings: s, AWS: factory, Now: time.Now, Log: log}
//	sc, err := e.Scan(ctx, pipeline.ScanInput{AsOf: asOf})
//	_, d, err := e.GatherCandidates(ctx, sc)                          // evidence
//	sum, err := e.Retire(ctx, pipeline.RetireInput{Scanned: sc, Evidence: d, BeforeChange: hook})
//
// or Plan, then Preview or Apply with a plan.Applier (the CLI). Per-user
// calls run at most Settings.Parallel at a time, one user's steps in
// order, and every result is in the order a serial run gives.
package pipeline

import (
	"errors"
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// Defaults of the settings that are not the rules' own (rules.DefaultDays).
const (
	// DefaultMaxUsers caps how many users one plan or apply disables or
	// deletes.
	DefaultMaxUsers = 20
	// DefaultParallel is how many users are worked on at once: measured in
	// BENCHMARKS.md, 16 is the fastest or tied in every scenario and 32 is
	// slower; beyond, more in flight only means more to throttle.
	DefaultParallel = 16
)

// Settings are what one run works with. Defaults gives the defaults;
// Resolve layers a config file and the explicit overrides on top.
type Settings struct {
	MaxUnusedDays int
	RotationDays  int
	// Exclusions are the config's entries followed by the flags' ones;
	// ExclusionsSSM is read at every run, so an edit applies at the next.
	Exclusions    []exclusion.Entry
	ExclusionsSSM string
	// KeyIDs names unused access keys (one iam:ListAccessKeys per user
	// with an unused-access-key finding).
	KeyIDs bool
	// QuarantineDays and MaxUsers bound plan and apply.
	QuarantineDays int
	MaxUsers       int
	// Parallel bounds the users worked on at once.
	Parallel int
	// Evidence, AutoDisable and AutoDelete switch the unattended stages on;
	// BackupBucket receives each user's backup before an unattended delete.
	Evidence     bool
	AutoDisable  bool
	AutoDelete   bool
	BackupBucket string
	// SecurityHub imports the scheduled scan's findings into Security Hub.
	SecurityHub bool
	// Lifecycle judges the expiry and owner tags (live scans only);
	// LifecycleConfigured says the config asked for it, so an offline scan
	// can warn that a report file has no tags.
	Lifecycle           lifecycle.Settings
	LifecycleConfigured bool
	// AdHoc names the one-off overrides that make the run a what-if
	// (thresholds other than the configured ones, added exclusions);
	// such a run may not write Security Hub (CheckAuthoritative).
	AdHoc []string
}

// Defaults are the settings when nothing is configured.
func Defaults() Settings {
	return Settings{
		MaxUnusedDays: rules.DefaultDays, RotationDays: rules.DefaultDays, KeyIDs: true,
		QuarantineDays: plan.DefaultQuarantineDays, MaxUsers: DefaultMaxUsers, Parallel: DefaultParallel,
		Lifecycle: lifecycle.Defaults(),
	}
}

// Overrides are values given explicitly, by a flag on the command line or
// a variable in the Lambda's environment: nil (or "") is not given.
type Overrides struct {
	MaxUnusedDays  *int
	RotationDays   *int
	QuarantineDays *int
	MaxUsers       *int
	Parallel       *int
	KeyIDs         *bool
	Evidence       *bool
	AutoDisable    *bool
	AutoDelete     *bool
	SecurityHub    *bool
	ExclusionsSSM  string
	BackupBucket   string
	// Exclusions are added to the config's (--exclude, --exclude-path,
	// --exclude-tag).
	Exclusions []exclusion.Entry
	// Standing says the overrides are the deployment's own configuration
	// (the Lambda's environment, set by its template), not a one-off
	// change for this run (a flag): only one-off ones make a what-if.
	Standing bool
}

// SettingsError is a setting that cannot be used: a bad value, a bad
// config file, settings that contradict each other. The CLI exits 2 on it.
type SettingsError struct{ Err error }

func (e *SettingsError) Error() string { return e.Err.Error() }
func (e *SettingsError) Unwrap() error { return e.Err }

func settingsErrorf(format string, args ...any) error {
	return &SettingsError{Err: fmt.Errorf(format, args...)}
}

// Resolve is the one override order, for the CLI and the Lambda alike:
// an explicit value (a changed flag, a set environment variable) beats the
// config (nil for none), which beats the default.
func Resolve(cfg *config.Config, o Overrides) (Settings, error) {
	s := Defaults()
	if cfg != nil {
		setInt(&s.MaxUnusedDays, cfg.MaxUnusedDays)
		setInt(&s.RotationDays, cfg.RotationDays)
		setInt(&s.QuarantineDays, cfg.QuarantineDays)
		setInt(&s.MaxUsers, cfg.MaxUsers)
		s.ExclusionsSSM = cfg.ExclusionsSSM
		entries, err := cfg.ExclusionEntries()
		if err != nil {
			return Settings{}, &SettingsError{Err: err}
		}
		s.Exclusions = entries
		s.Evidence, s.AutoDisable, s.AutoDelete = cfg.Evidence, cfg.AutoDisable, cfg.AutoDelete
		s.BackupBucket = cfg.BackupBucket
		s.SecurityHub = cfg.SecurityHub
		lc, err := cfg.LifecycleSettings()
		if err != nil {
			return Settings{}, &SettingsError{Err: err}
		}
		s.Lifecycle, s.LifecycleConfigured = lc, cfg.Lifecycle != nil
	}
	configured := s
	for _, v := range []struct {
		dst *int
		src *int
	}{{&s.MaxUnusedDays, o.MaxUnusedDays}, {&s.RotationDays, o.RotationDays}, {&s.QuarantineDays, o.QuarantineDays},
		{&s.MaxUsers, o.MaxUsers}, {&s.Parallel, o.Parallel}} {
		if v.src != nil {
			*v.dst = *v.src
		}
	}
	for _, v := range []struct {
		dst *bool
		src *bool
	}{{&s.KeyIDs, o.KeyIDs}, {&s.Evidence, o.Evidence}, {&s.AutoDisable, o.AutoDisable}, {&s.AutoDelete, o.AutoDelete}, {&s.SecurityHub, o.SecurityHub}} {
		if v.src != nil {
			*v.dst = *v.src
		}
	}
	if o.ExclusionsSSM != "" {
		s.ExclusionsSSM = o.ExclusionsSSM
	}
	if o.BackupBucket != "" {
		s.BackupBucket = o.BackupBucket
	}
	if !o.Standing {
		s.AdHoc = o.adHoc(configured, s)
	}
	s.Exclusions = append(s.Exclusions, o.Exclusions...)
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// validate is every rule a setting must meet, whichever layer set it
// (default, config, flag or environment), as one *SettingsError.
func (s Settings) validate() error {
	if s.MaxUnusedDays < 1 || s.RotationDays < 1 {
		return settingsErrorf("invalid thresholds: max unused days %d and rotation days %d must be at least 1 (--max-unused-days, --rotation-days, max_unused_days, rotation_days)", s.MaxUnusedDays, s.RotationDays)
	}
	if err := plan.CheckQuarantineDays("quarantine days (--quarantine-days, quarantine_days)", s.QuarantineDays); err != nil {
		return &SettingsError{Err: err}
	}
	if s.MaxUsers < 1 {
		return settingsErrorf("invalid max users %d: must be at least 1 (--max-users, max_users)", s.MaxUsers)
	}
	if s.Parallel < 1 {
		return settingsErrorf("invalid --parallel %d: must be at least 1", s.Parallel)
	}
	if err := s.Lifecycle.Validate(); err != nil {
		return &SettingsError{Err: err}
	}
	return nil
}

// adHoc lists the overrides that judge differently from the configured
// settings: a threshold given with another value, an exclusion added, the
// SSM exclusion list swapped. Giving a flag its configured value is not a
// what-if.
func (o Overrides) adHoc(configured, s Settings) []string {
	var out []string
	if s.MaxUnusedDays != configured.MaxUnusedDays {
		out = append(out, fmt.Sprintf("--max-unused-days %d (configured %d)", s.MaxUnusedDays, configured.MaxUnusedDays))
	}
	if s.RotationDays != configured.RotationDays {
		out = append(out, fmt.Sprintf("--rotation-days %d (configured %d)", s.RotationDays, configured.RotationDays))
	}
	if len(o.Exclusions) > 0 {
		out = append(out, fmt.Sprintf("%d exclusion(s) from %s", len(o.Exclusions), o.Exclusions[0].Source))
	}
	if s.ExclusionsSSM != configured.ExclusionsSSM {
		out = append(out, "--exclusions-ssm "+s.ExclusionsSSM)
	}
	return out
}

func setInt(dst *int, v int) {
	if v != 0 {
		*dst = v
	}
}

// Params are the rules' thresholds as of asOf.
func (s Settings) Params(asOf time.Time) rules.Params {
	return rules.Params{AsOf: asOf, MaxUnusedDays: s.MaxUnusedDays, RotationDays: s.RotationDays}
}

// CheckStages refuses unattended stage switches that cannot be honoured
// together: the Lambda checks them at start-up, and the deploy templates'
// rules are tested against it.
func (s Settings) CheckStages() error {
	if err := s.checkStages(); err != nil {
		return &SettingsError{Err: err}
	}
	return nil
}

func (s Settings) checkStages() error {
	if s.AutoDelete && !s.AutoDisable {
		return errors.New("auto_delete: true needs auto_disable: true (users are disabled, quarantined, then deleted): set both, or neither (IAMSWEEP_AUTO_DISABLE, IAMSWEEP_AUTO_DELETE)")
	}
	if s.AutoDelete && s.BackupBucket == "" {
		return errors.New("auto_delete: true needs a backup bucket, or a deleted user's backup would be lost with the function's /tmp: set IAMSWEEP_BACKUP_BUCKET or backup_bucket in the config")
	}
	if s.AutoDelete && !s.Evidence {
		// Without a dossier plan deletes nobody, so the switch would
		// silently do nothing; auto_disable alone stays allowed (disable
		// is reversible, and plan disables on IAM's last-used dates).
		return errors.New("auto_delete: true needs evidence: true (attempts with a disabled key are only visible in CloudTrail): set IAMSWEEP_EVIDENCE=true or evidence: true in the config")
	}
	return nil
}

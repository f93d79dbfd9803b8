package lambdafn

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// Settings are what one invocation runs with: the environment beats the
// YAML config in SSM, which beats the defaults (as flags beat --config).
type Settings struct {
	MaxUnusedDays int
	RotationDays  int
	// Exclusions are the config's entries; ExclusionsSSM is read per run.
	Exclusions    []exclusion.Entry
	ExclusionsSSM string
	Targets       []notify.Target
	Evidence      bool
	AutoDisable   bool
	AutoDelete    bool
	// QuarantineDays and MaxUsers bound the retire stage as plan's flags do.
	QuarantineDays int
	MaxUsers       int
	// BackupBucket receives each user's backup before auto-delete.
	BackupBucket string
	// Lifecycle judges the expiry and owner tags, as the CLI's live scan;
	// OwnerTargets send each named owner a report of only their users.
	Lifecycle    lifecycle.Settings
	OwnerTargets []notify.OwnerTarget
}

// Defaults of the retire stage, the same as the CLI's plan and apply.
const (
	DefaultQuarantineDays = 14
	DefaultMaxUsers       = 20
)

// loadSettings reads the environment and, if named, the config parameter.
func (h *Handler) loadSettings(ctx context.Context, api notify.SSMAPI) (*Settings, error) {
	env, err := ReadEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	s := &Settings{MaxUnusedDays: rules.DefaultDays, RotationDays: rules.DefaultDays, QuarantineDays: DefaultQuarantineDays, MaxUsers: DefaultMaxUsers, Lifecycle: lifecycle.Defaults()}
	if env.ConfigSSM != "" {
		cfg, err := loadConfig(ctx, api, env.ConfigSSM)
		if err != nil {
			return nil, err
		}
		if err := s.applyConfig(cfg); err != nil {
			return nil, err
		}
	}
	if env.MaxUnusedDays != 0 {
		s.MaxUnusedDays = env.MaxUnusedDays
	}
	if env.RotationDays != 0 {
		s.RotationDays = env.RotationDays
	}
	if env.ExclusionsSSM != "" {
		s.ExclusionsSSM = env.ExclusionsSSM
	}
	env.applyStages(s)
	if env.SNSTopicARN != "" {
		t, err := notify.ParseTarget("sns:" + env.SNSTopicARN)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSNSTopicARN, err)
		}
		s.Targets = append(s.Targets, t)
	}
	if env.SlackWebhookURL {
		s.Targets = append(s.Targets, notify.Target{Kind: notify.KindSlack, EnvVar: EnvSlackWebhookURL})
	}
	if env.SlackWebhookSSM != "" {
		s.Targets = append(s.Targets, notify.Target{Kind: notify.KindSlack, SSMName: env.SlackWebhookSSM})
	}
	return s, h.checkBuild(s)
}

func (s *Settings) applyConfig(cfg *config.Config) error {
	if cfg.MaxUnusedDays != 0 {
		s.MaxUnusedDays = cfg.MaxUnusedDays
	}
	if cfg.RotationDays != 0 {
		s.RotationDays = cfg.RotationDays
	}
	s.ExclusionsSSM = cfg.ExclusionsSSM
	entries, err := cfg.ExclusionEntries()
	if err != nil {
		return err
	}
	s.Exclusions = entries
	for _, n := range cfg.Notify {
		t, err := notify.ParseTarget(n)
		if err != nil {
			return fmt.Errorf("config notify: %w", err)
		}
		s.Targets = append(s.Targets, t)
	}
	s.Evidence, s.AutoDisable, s.AutoDelete = cfg.Evidence, cfg.AutoDisable, cfg.AutoDelete
	if cfg.QuarantineDays != 0 {
		s.QuarantineDays = cfg.QuarantineDays
	}
	if cfg.MaxUsers != 0 {
		s.MaxUsers = cfg.MaxUsers
	}
	s.BackupBucket = cfg.BackupBucket
	lc, err := cfg.LifecycleSettings()
	s.Lifecycle = lc
	if err != nil {
		return err
	}
	s.OwnerTargets, err = ownerTargets(cfg)
	return err
}

// ownerTargets parses lifecycle.owner_targets, in owner order.
func ownerTargets(cfg *config.Config) ([]notify.OwnerTarget, error) {
	if cfg.Lifecycle == nil {
		return nil, nil
	}
	var out []notify.OwnerTarget
	for _, owner := range slices.Sorted(maps.Keys(cfg.Lifecycle.OwnerTargets)) {
		t, err := notify.ParseTarget(cfg.Lifecycle.OwnerTargets[owner])
		if err != nil {
			return nil, fmt.Errorf("config lifecycle.owner_targets[%q]: %w", owner, err)
		}
		out = append(out, notify.OwnerTarget{Owner: owner, Target: t})
	}
	return out, nil
}

// applyStages lets the environment (the deploy template's switches, which
// also decide the role's permissions) beat the config.
func (env Env) applyStages(s *Settings) {
	for _, b := range []struct {
		v   *bool
		dst *bool
	}{{env.Evidence, &s.Evidence}, {env.AutoDisable, &s.AutoDisable}, {env.AutoDelete, &s.AutoDelete}} {
		if b.v != nil {
			*b.dst = *b.v
		}
	}
	if env.QuarantineDays != 0 {
		s.QuarantineDays = env.QuarantineDays
	}
	if env.MaxUsers != 0 {
		s.MaxUsers = env.MaxUsers
	}
	if env.BackupBucket != "" {
		s.BackupBucket = env.BackupBucket
	}
}

// CheckStages refuses stage switches that cannot be honoured together;
// the deploy templates' rules are tested against it.
func (s *Settings) CheckStages() error {
	if s.AutoDelete && !s.AutoDisable {
		return fmt.Errorf("auto_delete: true needs auto_disable: true (users are disabled, quarantined, then deleted): set both, or neither (%s, %s)", EnvAutoDisable, EnvAutoDelete)
	}
	if s.AutoDelete && s.BackupBucket == "" {
		return fmt.Errorf("auto_delete: true needs a backup bucket, or a deleted user's backup would be lost with the function's /tmp: set %s or backup_bucket in the config", EnvBackupBucket)
	}
	if s.AutoDelete && !s.Evidence {
		// Without a dossier plan deletes nobody, so the switch would
		// silently do nothing; auto_disable alone stays allowed (disable
		// is reversible, and plan disables on IAM's last-used dates).
		return fmt.Errorf("auto_delete: true needs evidence: true (attempts with a disabled key are only visible in CloudTrail): set %s=true or evidence: true in the config", EnvEvidence)
	}
	return nil
}

// checkBuild refuses settings that cannot be honoured, rather than
// silently skipping a stage someone switched on.
func (h *Handler) checkBuild(s *Settings) error {
	if err := s.CheckStages(); err != nil {
		return err
	}
	if s.AutoDisable && h.Retirer == nil {
		return errors.New("auto_disable: true, but no retire stage is wired into this handler (cmd/iamsweep passes stages.New)")
	}
	if s.Evidence && h.Evidence == nil {
		return errors.New("evidence: true, but no evidence stage is wired into this handler (cmd/iamsweep passes stages.New)")
	}
	return nil
}

func loadConfig(ctx context.Context, api notify.SSMAPI, name string) (*config.Config, error) {
	out, err := api.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name), WithDecryption: aws.Bool(true)})
	if awsx.ErrorCode(err) == "ParameterNotFound" {
		return nil, &awsx.NotFoundError{What: "ssm parameter " + name, Fix: "create it or fix " + EnvConfigSSM, Err: err}
	}
	if err != nil {
		return nil, awsx.Classify("ssm:GetParameter", err)
	}
	var value string
	if out.Parameter != nil {
		value = aws.ToString(out.Parameter.Value)
	}
	cfg, err := config.Parse([]byte(value))
	if err != nil {
		return nil, fmt.Errorf("config in ssm parameter %s: %w", name, err)
	}
	return cfg, nil
}

// exclusionSet builds the run's exclusions: the config's entries plus the
// SSM name list, read now so an edit applies at the next run.
func exclusionSet(ctx context.Context, api exclusion.SSMAPI, s *Settings) (*exclusion.Set, error) {
	set := &exclusion.Set{}
	if err := set.Add(s.Exclusions...); err != nil {
		return nil, err
	}
	if s.ExclusionsSSM != "" {
		entries, err := exclusion.LoadSSM(ctx, api, s.ExclusionsSSM)
		if err != nil {
			return nil, err
		}
		if err := set.Add(entries...); err != nil {
			return nil, err
		}
	}
	return set, nil
}

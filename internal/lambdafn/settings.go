package lambdafn

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/notify"
	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// Settings are what one invocation runs with: the engine's settings (the
// environment beats the YAML config in SSM, which beats the defaults, as
// flags beat --config) and where the report goes.
type Settings struct {
	pipeline.Settings
	Targets []notify.Target
	// OwnerTargets send each named owner a report of only their users.
	OwnerTargets []notify.OwnerTarget
	// ReportLocation (s3://BUCKET[/PREFIX]) receives the HTML report,
	// linked from the notifications; empty for none.
	ReportLocation string
}

// loadSettings reads the environment and, if named, the config parameter.
func (h *Handler) loadSettings(ctx context.Context, api notify.SSMAPI) (*Settings, error) {
	env, err := ReadEnv(h.getenv)
	if err != nil {
		return nil, err
	}
	var cfg *config.Config
	if env.ConfigSSM != "" {
		if cfg, err = loadConfig(ctx, api, env.ConfigSSM); err != nil {
			return nil, err
		}
	}
	ps, err := pipeline.Resolve(cfg, env.Overrides())
	if err != nil {
		return nil, err
	}
	s := &Settings{Settings: ps}
	if cfg != nil {
		for _, n := range cfg.Notify {
			t, err := notify.ParseTarget(n)
			if err != nil {
				return nil, fmt.Errorf("config notify: %w", err)
			}
			s.Targets = append(s.Targets, t)
		}
	}
	if s.OwnerTargets, err = ownerTargets(cfg); err != nil {
		return nil, err
	}
	if s.ReportLocation, err = reportLocation(h.getenv, cfg); err != nil {
		return nil, err
	}
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
	// Refuse stage switches that cannot be honoured, rather than silently
	// skipping a stage someone switched on.
	return s, s.CheckStages()
}

// Overrides are the variables that are set, for pipeline.Resolve: the
// environment (the deploy template's switches, which also decide the
// role's permissions) beats the config.
func (env Env) Overrides() pipeline.Overrides {
	o := pipeline.Overrides{
		Evidence: env.Evidence, AutoDisable: env.AutoDisable, AutoDelete: env.AutoDelete, SecurityHub: env.SecurityHub,
		ExclusionsSSM: env.ExclusionsSSM, BackupBucket: env.BackupBucket,
		Standing: true, // the template's configuration, not a what-if
	}
	for _, v := range []struct {
		dst **int
		n   int
	}{{&o.MaxUnusedDays, env.MaxUnusedDays}, {&o.RotationDays, env.RotationDays}, {&o.QuarantineDays, env.QuarantineDays}, {&o.MaxUsers, env.MaxUsers}, {&o.Parallel, env.Parallel}} {
		if v.n != 0 {
			n := v.n
			*v.dst = &n
		}
	}
	return o
}

// ownerTargets parses lifecycle.owner_targets, in owner order.
func ownerTargets(cfg *config.Config) ([]notify.OwnerTarget, error) {
	if cfg == nil || cfg.Lifecycle == nil {
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

package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

// LifecycleConfig is the lifecycle: section: which tags hold a user's
// expiry and owner, and whether they are required.
type LifecycleConfig struct {
	// ExpiryTags and OwnerTags replace the default keys when set.
	ExpiryTags []string `yaml:"expiry_tags"`
	OwnerTags  []string `yaml:"owner_tags"`
	// WarnDays: expires-soon within this many days (default 14); a
	// pointer, as 0 (warn on the last day only) is a valid choice.
	WarnDays      *int   `yaml:"warn_days"`
	RequireExpiry bool   `yaml:"require_expiry"`
	RequireOwner  bool   `yaml:"require_owner"`
	RequireSince  string `yaml:"require_since"`
	// OwnerTargets sends each named owner a report of only their users
	// (scheduled function only; the CLI sends what --notify names), in
	// the syntax of notify: sns:TOPIC_ARN, slack:env:VAR, slack:ssm:NAME.
	OwnerTargets map[string]string `yaml:"owner_targets"`
}

// LifecycleSettings returns the lifecycle rules' settings: the defaults
// with the file's lifecycle: section over them.
func (c *Config) LifecycleSettings() (lifecycle.Settings, error) {
	s := lifecycle.Defaults()
	if c == nil || c.Lifecycle == nil {
		return s, nil
	}
	l := c.Lifecycle
	if len(l.ExpiryTags) > 0 {
		s.ExpiryTags = l.ExpiryTags
	}
	if len(l.OwnerTags) > 0 {
		s.OwnerTags = l.OwnerTags
	}
	if l.WarnDays != nil {
		s.WarnDays = *l.WarnDays
	}
	s.RequireExpiry, s.RequireOwner = l.RequireExpiry, l.RequireOwner
	if l.RequireSince != "" {
		t, err := time.Parse(time.DateOnly, l.RequireSince)
		if err != nil {
			return s, fmt.Errorf("lifecycle.require_since %q: want a date like 2026-01-31", l.RequireSince)
		}
		s.RequireSince = t.UTC()
	}
	if err := s.Validate(); err != nil {
		return s, err
	}
	for owner, t := range l.OwnerTargets {
		if err := checkOwnerTarget(t); err != nil {
			return s, fmt.Errorf("lifecycle.owner_targets[%q]: %w", owner, err)
		}
	}
	return s, nil
}

// checkOwnerTarget applies notify's rules: a webhook URL is a secret and
// never inline, and the value is not echoed (it may be a mistyped one).
func checkOwnerTarget(t string) error {
	switch {
	case strings.HasPrefix(t, "sns:arn:"), strings.HasPrefix(t, "slack:env:"), strings.HasPrefix(t, "slack:ssm:"):
		return nil
	case strings.HasPrefix(t, "slack:http"):
		return errors.New("a webhook URL is a secret: keep it in an environment variable (slack:env:VAR) or an SSM SecureString (slack:ssm:NAME)")
	}
	return errors.New("want sns:TOPIC_ARN, slack:env:VAR or slack:ssm:PARAMETER")
}

package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

func TestLifecycleSection(t *testing.T) {
	c, err := Parse([]byte(`
lifecycle:
  expiry_tags: [end-of-life, expires]
  owner_tags: [team-owner]
  warn_days: 0
  require_expiry: true
  require_owner: true
  require_since: 2026-01-01
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.LifecycleSettings()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.ExpiryTags, []string{"end-of-life", "expires"}) || !slices.Equal(s.OwnerTags, []string{"team-owner"}) ||
		s.WarnDays != 0 || !s.RequireExpiry || !s.RequireOwner || !s.RequireSince.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%+v", s)
	}
}

func TestLifecycleDefaults(t *testing.T) {
	for _, c := range []*Config{nil, {}} {
		s, err := c.LifecycleSettings()
		if err != nil || s.WarnDays != lifecycle.DefaultWarnDays || s.RequireExpiry || s.RequireOwner || s.ExpiryTags[0] != lifecycle.TagExpires || s.OwnerTags[0] != lifecycle.TagOwner {
			t.Errorf("%+v %v", s, err)
		}
	}
}

func TestLifecycleErrors(t *testing.T) {
	for yaml, want := range map[string]string{
		"lifecycle:\n  require_since: soon\n": `lifecycle.require_since "soon": want a date`,
		"lifecycle:\n  warn_days: -1\n":       "lifecycle.warn_days -1",
		"lifecycle:\n  warn_dayz: 3\n":        `unknown key "warn_dayz" in lifecycle (known keys: expiry_tags, owner_tags, warn_days, require_expiry, require_owner, require_since, owner_targets)`,
		"lifecycle:\n  owner_targets: {a@example.com: \"slack:https://h.example/s3cr3t\"}\n": `lifecycle.owner_targets["a@example.com"]: a webhook URL is a secret`,
		"lifecycle:\n  owner_targets: {a@example.com: \"mailto:a\"}\n":                       `lifecycle.owner_targets["a@example.com"]: want sns:TOPIC_ARN`,
		"lifecycle:\n  owner_tags: [\"\"]\n":                                                 "tag key",
	} {
		if _, err := Parse([]byte(yaml)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", yaml, err, want)
		}
	}
}

// Package config reads iamsweep's YAML configuration file. Unknown keys are
// rejected so that a typo never silently turns a safety setting off.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/iamsweep/iamsweep/internal/exclusion"
)

// Config is the file's schema. Zero values mean "not set": flags and
// defaults fill them.
type Config struct {
	MaxUnusedDays int `yaml:"max_unused_days"`
	RotationDays  int `yaml:"rotation_days"`
	// QuarantineDays is how long a user stays disabled before plan may
	// delete it; MaxUsers caps how many users one apply may change.
	QuarantineDays int `yaml:"quarantine_days"`
	MaxUsers       int `yaml:"max_users"`
	// ExcludeTags are KEY or KEY=VALUE; a user with such a tag is excluded.
	ExcludeTags []string `yaml:"exclude_tags"`
	// ExclusionsSSM names an SSM parameter holding comma-separated user names.
	ExclusionsSSM string           `yaml:"exclusions_ssm"`
	Exclusions    []ExclusionEntry `yaml:"exclusions"`

	// Notify lists where the scheduled Lambda sends its report, in the
	// syntax of `scan --notify`: sns:TOPIC_ARN, slack:env:VAR or
	// slack:ssm:PARAMETER (a webhook URL is a secret: never inline it here).
	Notify []string `yaml:"notify"`
	// Evidence asks the scheduled Lambda to gather evidence after the scan.
	Evidence bool `yaml:"evidence"`
	// AutoDisable lets the scheduled Lambda plan and apply the disable
	// stage; AutoDelete additionally lets it delete users whose quarantine
	// has passed. Both are off unless set, and AutoDelete needs AutoDisable.
	AutoDisable bool `yaml:"auto_disable"`
	AutoDelete  bool `yaml:"auto_delete"`
	// BackupBucket is the S3 bucket the Lambda writes each user's backup
	// to before auto-delete deletes it (its /tmp does not outlive it).
	BackupBucket string `yaml:"backup_bucket"`
	// ReportBucket (s3://BUCKET[/PREFIX]) is where the scheduled Lambda
	// stores its HTML report, linked from its notifications.
	ReportBucket string `yaml:"report_bucket"`
	// SecurityHub lets the scheduled Lambda import its findings into
	// Security Hub (the function's account and region) after each scan.
	SecurityHub bool `yaml:"securityhub"`

	// Lifecycle configures the expiry and owner tags (lifecycle.go).
	Lifecycle *LifecycleConfig `yaml:"lifecycle"`
}

// ExclusionEntry is one exception: a reason is required, an expiry optional.
type ExclusionEntry struct {
	User    string `yaml:"user"`
	Path    string `yaml:"path"`
	Tag     string `yaml:"tag"`
	Reason  string `yaml:"reason"`
	Expires string `yaml:"expires"`
}

// Load reads and validates the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates YAML.
func Parse(data []byte) (*Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, clarify(err)
	}
	if _, err := c.ExclusionEntries(); err != nil {
		return nil, err
	}
	if err := c.validateUnattended(); err != nil {
		return nil, err
	}
	if _, err := c.LifecycleSettings(); err != nil {
		return nil, err
	}
	// Zero means "not set", so an explicit 0 must be caught before it is
	// silently replaced by the default.
	var set map[string]any
	_ = yaml.Unmarshal(data, &set)
	for _, k := range []struct {
		key, unit string
		v         int
	}{{"max_unused_days", " day", c.MaxUnusedDays}, {"rotation_days", " day", c.RotationDays}, {"quarantine_days", " day", c.QuarantineDays}, {"max_users", " user", c.MaxUsers}} {
		if _, ok := set[k.key]; ok && k.v < 1 {
			return nil, fmt.Errorf("%s: %d: must be at least 1%s", k.key, k.v, k.unit)
		}
	}
	return &c, nil
}

// unknownField is how yaml.v3 reports a key that KnownFields rejects.
var unknownField = regexp.MustCompile(`^line (\d+): field (.+) not found in type config\.(\w+)$`)

// knownKeys lists the keys of each type, for the unknown-key message.
var knownKeys = map[string]string{
	"Config":          "max_unused_days, rotation_days, quarantine_days, max_users, exclude_tags, exclusions_ssm, exclusions, notify, evidence, auto_disable, auto_delete, backup_bucket, report_bucket, lifecycle",
	"ExclusionEntry":  "user, path, tag, reason, expires",
	"LifecycleConfig": "expiry_tags, owner_tags, warn_days, require_expiry, require_owner, require_since, owner_targets",
}

// clarify rewrites yaml.v3's "field X not found in type config.Config" as
// "line N: unknown key "X" (known keys: ...)".
func clarify(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		if g := unknownField.FindStringSubmatch(m); g != nil {
			where := ""
			switch g[3] {
			case "ExclusionEntry":
				where = " in an exclusion"
			case "LifecycleConfig":
				where = " in lifecycle"
			}
			msgs[i] = fmt.Sprintf("line %s: unknown key %q%s (known keys: %s)", g[1], g[2], where, knownKeys[g[3]])
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// ExclusionEntries converts the file's exceptions, checking each one.
func (c *Config) ExclusionEntries() ([]exclusion.Entry, error) {
	var out []exclusion.Entry
	for i, x := range c.Exclusions {
		e := exclusion.Entry{User: x.User, Path: x.Path, Tag: x.Tag, Reason: x.Reason, Source: "config"}
		if x.Reason == "" {
			return nil, fmt.Errorf("exclusions[%d]: every exception needs a reason", i)
		}
		if x.Expires != "" {
			t, err := time.Parse(time.DateOnly, x.Expires)
			if err != nil {
				return nil, fmt.Errorf("exclusions[%d]: expires %q: want a date like 2027-01-31", i, x.Expires)
			}
			e.Expires = t
		}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("exclusions[%d]: %w", i, err)
		}
		out = append(out, e)
	}
	for i, t := range c.ExcludeTags {
		e := exclusion.Entry{Tag: t, Source: "config exclude_tags"}
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("exclude_tags[%d]: %w", i, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// validateUnattended checks the settings only the Lambda reads, so a typo in
// a notification target fails when the file is read, not at 3 a.m.
func (c *Config) validateUnattended() error {
	if c.AutoDelete && !c.AutoDisable {
		return errors.New("auto_delete: true needs auto_disable: true (users are disabled, quarantined, then deleted)")
	}
	for i, n := range c.Notify {
		switch {
		case strings.HasPrefix(n, "sns:arn:"), strings.HasPrefix(n, "slack:env:"), strings.HasPrefix(n, "slack:ssm:"):
		case strings.HasPrefix(n, "slack:http"):
			return fmt.Errorf("notify[%d]: a webhook URL is a secret: keep it in an environment variable (slack:env:VAR) or an SSM SecureString (slack:ssm:NAME)", i)
		default:
			// The value is not echoed: it may be a mistyped secret.
			return fmt.Errorf("notify[%d]: want sns:TOPIC_ARN, slack:env:VAR or slack:ssm:PARAMETER", i)
		}
	}
	return nil
}

package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFull(t *testing.T) {
	c, err := Parse([]byte(`
max_unused_days: 45
rotation_days: 365
exclude_tags: [owner=security, keep]
exclusions_ssm: /iamsweep/excluded
exclusions:
  - user: ci-*
    reason: CI users, migrating to OIDC
    expires: 2027-01-31
  - path: /service/
    reason: "platform team"
    expires: "2027-02-01"
  - tag: team=data
    reason: data team handles its own
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxUnusedDays != 45 || c.RotationDays != 365 || c.ExclusionsSSM != "/iamsweep/excluded" {
		t.Errorf("config %+v", c)
	}
	es, err := c.ExclusionEntries()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 5 {
		t.Fatalf("entries %+v", es)
	}
	// An unquoted YAML date is read as the date it looks like.
	if es[0].User != "ci-*" || !es[0].Expires.Equal(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)) || es[0].Source != "config" || es[0].Reason != "CI users, migrating to OIDC" {
		t.Errorf("entry 0 %+v", es[0])
	}
	if es[1].Path != "/service/" || !es[1].Expires.Equal(time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("entry 1 %+v", es[1])
	}
	if es[2].Tag != "team=data" || !es[2].Expires.IsZero() {
		t.Errorf("entry 2 %+v", es[2])
	}
	if es[3].Tag != "owner=security" || es[4].Tag != "keep" || es[3].Source != "config exclude_tags" {
		t.Errorf("exclude_tags entries %+v %+v", es[3], es[4])
	}
}

func TestParseEmpty(t *testing.T) {
	for _, s := range []string{"", "# only a comment\n"} {
		c, err := Parse([]byte(s))
		if err != nil || c.MaxUnusedDays != 0 || len(c.Exclusions) != 0 {
			t.Errorf("Parse(%q) = %+v, %v", s, c, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name string
		in   string
		msg  []string
	}{
		{"unknown top-level key", "max_unused_days: 90\nmax_unsued_days: 30\n",
			[]string{`line 2: unknown key "max_unsued_days"`, "known keys: max_unused_days, rotation_days"}},
		{"unknown key in an exclusion", "exclusions:\n  - user: a\n    reason: b\n    expiry: 2027-01-01\n",
			[]string{`line 4: unknown key "expiry" in an exclusion`, "known keys: user, path, tag, reason, expires"}},
		{"missing reason", "exclusions:\n  - user: a\n  - user: b\n    reason: ''\n",
			[]string{"exclusions[0]: every exception needs a reason"}},
		{"bad expires", "exclusions:\n  - user: a\n    reason: b\n    expires: 31/01/2027\n",
			[]string{`exclusions[0]: expires "31/01/2027": want a date like 2027-01-31`}},
		{"expires with a time", "exclusions:\n  - user: a\n    reason: b\n    expires: 2027-01-31T00:00:00Z\n",
			[]string{"want a date like 2027-01-31"}},
		{"two matchers", "exclusions:\n  - user: a\n    path: /b/\n    reason: c\n",
			[]string{"exclusions[0]: exclusion user a: set exactly one of user, path or tag"}},
		{"no matcher", "exclusions:\n  - reason: c\n",
			[]string{"exclusions[0]: exclusion (empty): set exactly one"}},
		{"bad glob", "exclusions:\n  - user: 'ci-['\n    reason: c\n",
			[]string{"exclusions[0]: exclusion user \"ci-[\": bad glob"}},
		{"relative path", "exclusions:\n  - path: service/\n    reason: c\n",
			[]string{"an IAM path starts with /"}},
		{"empty exclude tag", "exclude_tags: ['']\n",
			[]string{"exclude_tags[0]:"}},
		{"exclude tag without key", "exclude_tags: [owner, '=x']\n",
			[]string{`exclude_tags[1]: exclusion tag "=x": want KEY or KEY=VALUE`}},
		{"zero unused days", "max_unused_days: 0\n",
			[]string{"max_unused_days: 0: must be at least 1"}},
		{"negative rotation days", "rotation_days: -1\n",
			[]string{"rotation_days: -1: must be at least 1"}},
		{"wrong type", "max_unused_days: ninety\n",
			[]string{"line 1", "ninety"}},
		{"not a mapping", "- a\n- b\n",
			[]string{"line 1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse([]byte(c.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", cfg)
			}
			for _, m := range c.msg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "iamsweep.yaml")
	if err := os.WriteFile(p, []byte("rotation_days: 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "config "+p+": rotation_days: 0") {
		t.Errorf("Load = %v, want the path and the problem", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read config") {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestExampleConfigLoads(t *testing.T) {
	c, err := Load("../../examples/iamsweep.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxUnusedDays != 90 || c.RotationDays != 90 {
		t.Errorf("thresholds %d %d", c.MaxUnusedDays, c.RotationDays)
	}
	es, err := c.ExclusionEntries()
	if err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var expired, paths, withReason int
	for _, e := range es {
		if e.Expired(asOf) {
			expired++
		}
		if e.Path != "" {
			paths++
		}
		if e.Reason != "" {
			withReason++
		}
	}
	// The example shows one lapsed exception at its as-of date, one path
	// exclusion, and a reason on every configured exception.
	if expired != 1 || paths != 1 || withReason != len(c.Exclusions) || len(c.Exclusions) < 3 {
		t.Errorf("expired %d, paths %d, with reason %d of %d", expired, paths, withReason, len(c.Exclusions))
	}
}

package config

import (
	"strings"
	"testing"
)

func TestUnattendedSettings(t *testing.T) {
	c, err := Parse([]byte("notify:\n  - sns:arn:aws:sns:us-east-1:123456789012:t\n  - slack:ssm:/iamsweep/hook\nauto_disable: true\nauto_delete: true\nevidence: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notify) != 2 || !c.AutoDisable || !c.AutoDelete || !c.Evidence {
		t.Errorf("parsed %+v", c)
	}
	for yaml, want := range map[string]string{
		"auto_delete: true\n":                              "auto_delete: true needs auto_disable: true",
		"notify: [\"slack:https://h.example/T/s3cr3t\"]\n": "keep it in an environment variable",
		"notify: [\"h.example/T/s3cr3t\"]\n":               "notify[0]: want sns:TOPIC_ARN",
		"notfy: []\n":                                      `unknown key "notfy" (known keys: max_unused_days, rotation_days, quarantine_days, max_users, exclude_tags, exclusions_ssm, exclusions, notify, evidence, auto_disable, auto_delete, backup_bucket, report_bucket, lifecycle)`,
	} {
		_, err := Parse([]byte(yaml))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", yaml, err, want)
		} else if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%q: error echoes the secret: %v", yaml, err)
		}
	}
}

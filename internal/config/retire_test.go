package config

import (
	"strings"
	"testing"
)

func TestRetireSettings(t *testing.T) {
	c, err := Parse([]byte("quarantine_days: 21\nmax_users: 50\n"))
	if err != nil || c.QuarantineDays != 21 || c.MaxUsers != 50 {
		t.Fatalf("%+v %v", c, err)
	}
	for _, in := range []string{"quarantine_days: 0\n", "max_users: -1\n"} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), "must be at least 1") {
			t.Errorf("%q: %v", in, err)
		}
	}
	if _, err := Parse([]byte("max_user: 5\n")); err == nil || !strings.Contains(err.Error(), "quarantine_days, max_users") {
		t.Errorf("typo: %v", err)
	}
}

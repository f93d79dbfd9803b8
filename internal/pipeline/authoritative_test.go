package pipeline

import (
	"errors"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/config"
	"github.com/iamsweep/iamsweep/internal/exclusion"
)

func TestCheckAuthoritative(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	cfg := &config.Config{MaxUnusedDays: 120}
	n := func(v int) *int { return &v }
	for _, c := range []struct {
		name string
		o    Overrides
		asOf time.Time
		ok   bool
	}{
		{"configured", Overrides{}, now, true},
		{"a flag repeating the config", Overrides{MaxUnusedDays: n(120)}, now, true},
		{"a scheduled event a minute late", Overrides{}, now.Add(-time.Minute), true},
		{"another threshold", Overrides{MaxUnusedDays: n(3650)}, now, false},
		{"another rotation", Overrides{RotationDays: n(3650)}, now, false},
		{"an exclusion", Overrides{Exclusions: []exclusion.Entry{{User: "*", Source: "--exclude"}}}, now, false},
		{"another SSM list", Overrides{ExclusionsSSM: "/other"}, now, false},
		{"--as-of a year back", Overrides{}, now.AddDate(-1, 0, 0), false},
		{"--as-of ahead", Overrides{}, now.AddDate(0, 0, 100), false},
		{"the Lambda's environment", Overrides{MaxUnusedDays: n(30), Standing: true}, now, true},
	} {
		s, err := Resolve(cfg, c.o)
		if err != nil {
			t.Fatal(err)
		}
		e := &Engine{Settings: s, Now: func() time.Time { return now }}
		err = e.CheckAuthoritative(c.asOf)
		var na *NotAuthoritativeError
		var se *SettingsError
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case !c.ok && (!errors.As(err, &na) || !errors.As(err, &se)):
			t.Errorf("%s: %v, want a *SettingsError wrapping *NotAuthoritativeError", c.name, err)
		}
	}
}

// TestResolveOwnsEverySettingsRule: a bad value from any layer is one
// *SettingsError from Resolve, before any stage runs.
func TestResolveOwnsEverySettingsRule(t *testing.T) {
	n := func(v int) *int { return &v }
	for name, o := range map[string]Overrides{
		"max unused days":  {MaxUnusedDays: n(-1)},
		"rotation days":    {RotationDays: n(-5)},
		"quarantine below": {QuarantineDays: n(-1)},
		"max users":        {MaxUsers: n(-3)},
		"parallel":         {Parallel: n(0)},
	} {
		_, err := Resolve(nil, o)
		var se *SettingsError
		if !errors.As(err, &se) {
			t.Errorf("%s: %v, want a *SettingsError", name, err)
		}
	}
	if err := (Settings{AutoDelete: true}).CheckStages(); !errors.As(err, new(*SettingsError)) {
		t.Errorf("CheckStages: %v, want a *SettingsError", err)
	}
}

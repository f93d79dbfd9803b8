package lambdafn

import (
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/pipeline"
)

// TestRetireOptIn: off by default; the account's entry beats its OUs';
// under two OUs the more careful level; the settings cap the opt-in.
func TestRetireOptIn(t *testing.T) {
	o, err := ParseOptIn("111111111111=delete, ou-ab12-aaaaaaaa=disable,ou-ab12-bbbbbbbb=delete,r-ab12=off")
	if err != nil {
		t.Fatal(err)
	}
	ous := map[string][]string{
		"ou-ab12-aaaaaaaa": {"222222222222", "333333333333"},
		"ou-ab12-bbbbbbbb": {"333333333333", "444444444444", "111111111111"},
		"r-ab12":           {"555555555555"},
	}
	for acct, want := range map[string]string{
		"111111111111": RetireDelete,  // its own entry beats its OU
		"222222222222": RetireDisable, // its OU
		"333333333333": RetireDisable, // the more careful of two OUs
		"444444444444": RetireDelete,
		"555555555555": RetireOff, // opted out
		"666666666666": RetireOff, // not listed: off
	} {
		if got := o.level(acct, ous); got != want {
			t.Errorf("%s: level %q, want %q", acct, got, want)
		}
	}
	on := func(disable, del bool) *Settings {
		return &Settings{Settings: pipeline.Settings{AutoDisable: disable, AutoDelete: del}}
	}
	for _, c := range []struct {
		optIn string
		s     *Settings
		want  string
	}{
		{RetireDelete, on(false, false), RetireOff},
		{RetireDelete, on(true, false), RetireDisable},
		{RetireDelete, on(true, true), RetireDelete},
		{RetireDisable, on(true, true), RetireDisable},
		{RetireOff, on(true, true), RetireOff},
	} {
		if got := effectiveRetire(c.optIn, c.s); got != c.want {
			t.Errorf("opt-in %q with %+v: %q, want %q", c.optIn, c.s.Settings, got, c.want)
		}
	}
}

func TestParseOptInRefuses(t *testing.T) {
	for _, in := range []string{"111111111111", "111111111111=yes", "prod=disable", "12345=disable"} {
		if _, err := ParseOptIn(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

func TestReadFanoutEnv(t *testing.T) {
	env := map[string]string{EnvFanoutResults: "s3://runs/iamsweep", EnvFanoutMaxConcurrency: "200", EnvFanoutToleratedFailure: "2.5"}
	fe, err := ReadFanoutEnv(func(k string) string { return env[k] })
	if err != nil || fe.Bucket != "runs" || fe.MaxConcurrency != 200 || fe.Tolerated != 2.5 {
		t.Fatalf("%+v %v", fe, err)
	}
	if k := fe.key("exec-1", "accounts", "111111111111.json"); k != "iamsweep/runs/exec-1/accounts/111111111111.json" {
		t.Errorf("key %s", k)
	}
	for k, v := range map[string]string{EnvFanoutMaxConcurrency: "0", EnvFanoutToleratedFailure: "101", EnvFanoutResults: "runs"} {
		bad := map[string]string{EnvFanoutResults: "s3://runs"}
		bad[k] = v
		if _, err := ReadFanoutEnv(func(k string) string { return bad[k] }); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: %v", k, v, err)
		}
	}
	if err := (FanoutRun{ID: "../other"}).check(); err == nil {
		t.Error("a run id that leaves the run's prefix is accepted")
	}
}

func FuzzParseOptIn(f *testing.F) {
	f.Add("111111111111=disable,ou-ab12-aaaaaaaa=delete")
	f.Add("r-ab12=off,,")
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOptIn(s)
		if err != nil {
			return
		}
		for _, l := range o.Accounts {
			if l != RetireOff && l != RetireDisable && l != RetireDelete {
				t.Fatalf("level %q", l)
			}
		}
	})
}

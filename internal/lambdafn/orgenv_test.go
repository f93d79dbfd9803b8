package lambdafn

import (
	"slices"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/org"
)

func TestReadOrgEnv(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	got, err := ReadOrgEnv(env(map[string]string{EnvOUs: " ou-ab12-11112222 , ou-ab12-33334444,", EnvExcludeAccounts: "111111111111", EnvRoleName: "iamsweep-member", EnvParallelAccounts: "16"}))
	if err != nil || !got.Enabled() || !slices.Equal(got.Options.OUs, []string{"ou-ab12-11112222", "ou-ab12-33334444"}) ||
		got.Options.RoleName != "iamsweep-member" || got.Options.Parallel != 16 || !slices.Equal(got.Options.Exclude, []string{"111111111111"}) {
		t.Errorf("got %+v, %v", got, err)
	}
	if got, err := ReadOrgEnv(env(nil)); err != nil || got.Enabled() {
		t.Errorf("unset: %+v, %v", got, err)
	}
	if got, _ := ReadOrgEnv(env(map[string]string{EnvOrg: "true"})); !got.Options.All || got.Options.Parallel != org.DefaultParallel {
		t.Errorf("IAMSWEEP_ORG=true: %+v", got)
	}
	for _, bad := range []map[string]string{
		{EnvOrg: "yes"},
		{EnvOrg: "true", EnvParallelAccounts: "0"},
		{EnvRoleName: "iamsweep-member"}, // a role without a selection
		{EnvAccounts: "12345"},
		{EnvOrg: "true", EnvRoleName: "r", EnvRoleARNTemplate: "arn:aws:iam::{account}:role/r"},
	} {
		if _, err := ReadOrgEnv(env(bad)); err == nil || !strings.Contains(err.Error(), "IAMSWEEP_") && !strings.Contains(err.Error(), "organization mode") {
			t.Errorf("%v: err %v", bad, err)
		}
	}
	if !orgSwitchedOn(env(map[string]string{EnvAccounts: "111111111111"})) || orgSwitchedOn(env(map[string]string{EnvRoleName: "x"})) {
		t.Error("orgSwitchedOn")
	}
}

func TestOrgModeRefusesPerAccountStages(t *testing.T) {
	s := &Settings{}
	if err := checkOrgStages(s); err != nil {
		t.Error(err)
	}
	s.AutoDisable = true
	if err := checkOrgStages(s); err == nil {
		t.Error("auto-disable accepted in organization mode")
	}
}

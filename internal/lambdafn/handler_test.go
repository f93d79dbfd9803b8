package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

type fakeSSM map[string]string

func (f fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	v, ok := f[aws.ToString(in.Name)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ParameterNotFound", Message: "not found"}
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(v)}}, nil
}

type fakeConfig struct {
	batches [][]cfgtypes.Evaluation
	tokens  []string
	fail    string // resource ID to report as failed
}

func (f *fakeConfig) PutEvaluations(_ context.Context, in *configservice.PutEvaluationsInput, _ ...func(*configservice.Options)) (*configservice.PutEvaluationsOutput, error) {
	f.batches = append(f.batches, in.Evaluations)
	f.tokens = append(f.tokens, aws.ToString(in.ResultToken))
	out := &configservice.PutEvaluationsOutput{}
	for _, e := range in.Evaluations {
		if aws.ToString(e.ComplianceResourceId) == f.fail {
			out.FailedEvaluations = append(out.FailedEvaluations, e)
		}
	}
	return out, nil
}

var asOf = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

// account has n users: every third has an idle key, every fifth a fresh
// password, user-0007 is listed in SSM.
func account(n int) *inventory.Inventory {
	inv := &inventory.Inventory{AccountID: "123456789012"}
	for i := range n {
		u := inventory.User{Name: fmt.Sprintf("user-%04d", i), UserID: fmt.Sprintf("AIDA%08d", i), Path: "/", Created: asOf.AddDate(-1, 0, 0)}
		if i%3 == 0 {
			u.AccessKeys = []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: asOf.AddDate(0, 0, -200)}}
		}
		if i%5 == 0 {
			u.Password = inventory.Password{Enabled: true, ProfileCreated: asOf.AddDate(0, 0, -300), LastUsed: asOf.AddDate(0, 0, -2)}
		}
		inv.Users = append(inv.Users, u)
	}
	return inv
}

func handler(t *testing.T, inv *inventory.Inventory, params fakeSSM, env map[string]string, cfg *fakeConfig) *Handler {
	t.Helper()
	return &Handler{
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return asOf.Add(time.Hour) },
		Clients: func(context.Context) (*Clients, error) {
			return &Clients{Collector: &truthCollector{truth: inv}, SSM: params, Config: cfg}, nil
		},
	}
}

func configEventJSON(params string) json.RawMessage {
	inv, _ := json.Marshal(map[string]any{"messageType": "ScheduledNotification", "notificationCreationTime": asOf.Format(time.RFC3339), "awsAccountId": "123456789012"})
	ev, _ := json.Marshal(map[string]any{
		"invokingEvent": string(inv), "ruleParameters": params, "resultToken": "token-1",
		"configRuleName": "iamsweep-unused-credentials", "accountId": "123456789012", "version": "1.0",
	})
	return ev
}

func TestConfigRuleSendsEveryUserInBatchesOfAHundred(t *testing.T) {
	cfg := &fakeConfig{}
	h := handler(t, account(250), fakeSSM{"/iamsweep/excluded": "user-0007, user-0009"}, map[string]string{EnvExclusionsSSM: "/iamsweep/excluded"}, cfg)
	out, err := h.Invoke(context.Background(), configEventJSON(`{"MaxCredentialUsageAge":"90"}`))
	if err != nil {
		t.Fatal(err)
	}
	r := out.(*ConfigRuleResult)
	if len(cfg.batches) != 3 || len(cfg.batches[0]) != 100 || len(cfg.batches[1]) != 100 || len(cfg.batches[2]) != 50 || r.Batches != 3 {
		t.Fatalf("batches of %v, result %+v", batchSizes(cfg), r)
	}
	// 84 users (0, 3, ..., 249) have an idle key; 0009 is one of them but excluded.
	if r.NonCompliant != 83 || r.NotApplicable != 2 || r.Compliant != 165 || r.MaxAge != 90 {
		t.Errorf("result %+v", r)
	}
	for _, tok := range cfg.tokens {
		if tok != "token-1" {
			t.Errorf("result token %q", tok)
		}
	}
	got := map[string]cfgtypes.Evaluation{}
	for _, b := range cfg.batches {
		for _, e := range b {
			got[aws.ToString(e.ComplianceResourceId)] = e
		}
	}
	for id, want := range map[string]string{
		"AIDA00000003": "NON_COMPLIANT access key 1 never used, created 2026-05-07, 200 days ago (limit 90)",
		"AIDA00000005": "COMPLIANT every credential used within 90 days: console password 2 days",
		"AIDA00000001": "COMPLIANT no enabled console password or active access key",
		"AIDA00000009": "NOT_APPLICABLE excluded: listed in ssm:/iamsweep/excluded",
	} {
		e := got[id]
		if s := string(e.ComplianceType) + " " + aws.ToString(e.Annotation); s != want {
			t.Errorf("%s: %q\nwant %q", id, s, want)
		}
	}
}

func batchSizes(f *fakeConfig) []int {
	var out []int
	for _, b := range f.batches {
		out = append(out, len(b))
	}
	return out
}

func TestConfigRuleThresholdFromRuleParameters(t *testing.T) {
	cfg := &fakeConfig{}
	h := handler(t, account(4), fakeSSM{}, map[string]string{EnvMaxUnusedDays: "90"}, cfg)
	out, err := h.Invoke(context.Background(), configEventJSON(`{"maxCredentialUsageAge":"365"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := out.(*ConfigRuleResult); r.NonCompliant != 0 || r.MaxAge != 365 {
		t.Errorf("with a 365-day rule: %+v", r)
	}
}

func TestConfigRuleFailedEvaluationsAreAnError(t *testing.T) {
	cfg := &fakeConfig{fail: "AIDA00000002"}
	h := handler(t, account(3), fakeSSM{}, nil, cfg)
	_, err := h.Invoke(context.Background(), configEventJSON(""))
	if err == nil || !strings.Contains(err.Error(), "rejected 1 evaluation(s) (users AIDA00000002)") {
		t.Errorf("err = %v", err)
	}
}

func TestBadEventsAreRefused(t *testing.T) {
	h := handler(t, account(1), fakeSSM{}, nil, &fakeConfig{})
	change, _ := json.Marshal(map[string]string{"invokingEvent": `{"messageType":"ConfigurationItemChangeNotification"}`, "resultToken": "t"})
	for name, c := range map[string]struct {
		payload string
		want    string
	}{
		"unknown event":    {`{"detail-type":"Object Created"}`, "unsupported event"},
		"not an object":    {`[1]`, "not a JSON object"},
		"change trigger":   {string(change), "set the rule's trigger to periodic"},
		"unknown param":    {string(configEventJSON(`{"MaxAge":"90"}`)), `parameter "MaxAge" is unknown`},
		"bad param":        {string(configEventJSON(`{"MaxCredentialUsageAge":"0"}`)), "at least 1"},
		"params not json":  {string(configEventJSON(`90`)), "not a JSON object"},
		"no result token":  {`{"invokingEvent":"{}"}`, "no resultToken"},
		"scheduled is new": {`{"detail-type":"Scheduled Event","time":"yesterday"}`, "scheduled event"},
	} {
		if _, err := h.Invoke(context.Background(), json.RawMessage(c.payload)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestSettingsThatCannotBeHonouredFail(t *testing.T) {
	for name, c := range map[string]struct {
		yaml, want string
		env        map[string]string
	}{
		"auto delete":           {yaml: "auto_delete: true\n", want: "auto_delete: true needs auto_disable: true"},
		"auto delete by env":    {yaml: "auto_disable: false\n", env: map[string]string{EnvAutoDelete: "true"}, want: "auto_delete: true needs auto_disable: true"},
		"auto delete no bucket": {yaml: "auto_disable: true\nauto_delete: true\n", want: "auto_delete: true needs a backup bucket"},
		"env beats config":      {yaml: "auto_disable: true\nauto_delete: true\nbackup_bucket: b\n", env: map[string]string{EnvAutoDisable: "false"}, want: "needs auto_disable: true"},
		"auto delete no evidence": {yaml: "auto_disable: true\nauto_delete: true\nbackup_bucket: b\n",
			want: "auto_delete: true needs evidence: true (attempts with a disabled key are only visible in CloudTrail)"},
		"evidence off by env": {yaml: "auto_disable: true\nauto_delete: true\nbackup_bucket: b\nevidence: true\n", env: map[string]string{EnvEvidence: "false"},
			want: "needs evidence: true"},
		"typo":         {yaml: "auto_disabel: true\n", want: `unknown key "auto_disabel"`},
		"inline slack": {yaml: "notify: [\"slack:https://hooks.slack.com/services/T/B/secret\"]\n", want: "keep it in an environment variable"},
	} {
		env := map[string]string{EnvConfigSSM: "/iamsweep/config"}
		for k, v := range c.env {
			env[k] = v
		}
		h := handler(t, account(1), nil, env, &fakeConfig{})
		_, err := h.loadSettings(context.Background(), fakeSSM{"/iamsweep/config": c.yaml})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") && strings.Contains(err.Error(), "hooks.slack.com") {
			t.Errorf("%s: error echoes the webhook: %v", name, err)
		}
	}
	// A complete config is accepted, and the environment beats it.
	env := map[string]string{EnvConfigSSM: "/c", EnvMaxUsers: "3", EnvBackupBucket: "env-bucket", EnvEvidence: "true"}
	h := handler(t, account(1), nil, env, nil)
	s, err := h.loadSettings(context.Background(), fakeSSM{"/c": "auto_disable: true\nauto_delete: true\nbackup_bucket: b\nquarantine_days: 30\nmax_users: 5\n"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.AutoDisable || !s.AutoDelete || !s.Evidence || s.MaxUsers != 3 || s.QuarantineDays != 30 || s.BackupBucket != "env-bucket" {
		t.Errorf("settings %+v", s)
	}
	// auto_disable without evidence stays allowed: disable is reversible,
	// and plan disables on IAM's last-used dates.
	h2 := handler(t, account(1), nil, map[string]string{EnvConfigSSM: "/c"}, nil)
	if s, err := h2.loadSettings(context.Background(), fakeSSM{"/c": "auto_disable: true\n"}); err != nil || !s.AutoDisable || s.Evidence {
		t.Errorf("auto_disable without evidence: %+v %v", s, err)
	}
}

func TestEnvIsParsedStrictly(t *testing.T) {
	for _, c := range []struct{ k, v, want string }{
		{EnvMaxUnusedDays, "ninety", "want a whole number of days"},
		{EnvRotationDays, "0", "at least 1"},
		{EnvLogLevel, "loud", "want debug, info, warn or error"},
		{EnvAutoDisable, "yes", "want true or false"},
		{EnvMaxUsers, "0", "want a whole number of users"},
		{EnvQuarantineDays, "-1", "at least 1"},
	} {
		if _, err := ReadEnv(func(k string) string { return map[string]string{c.k: c.v}[k] }); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.k) {
			t.Errorf("%s=%s: err = %v", c.k, c.v, err)
		}
	}
}

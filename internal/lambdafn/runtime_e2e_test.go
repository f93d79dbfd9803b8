package lambdafn_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/testutil/cfntemplate"
	"github.com/iamsweep/iamsweep/internal/testutil/iampolicy"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestFunctionServesScheduledAndConfigRuleEvents runs the deployed binary
// against a Lambda Runtime API, moto (IAM, STS, SSM, SNS) and a Config
// PutEvaluations fake, and checks what it answers and what it calls.
func TestFunctionServesScheduledAndConfigRuleEvents(t *testing.T) {
	a := newAccount(t)
	a.user("old-ci", false, 1)
	a.user("alice", true, 0)
	a.user("breakglass", false, 1) // listed in the SSM exclusion parameter
	a.user("svc-legacy", false, 1) // excluded by the config in SSM
	a.user("dave", false, 0)       // no credentials
	topic := a.topic("iamsweep-report")

	var mu sync.Mutex
	var slackPosts []string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &m)
		mu.Lock()
		slackPosts = append(slackPosts, m["text"])
		mu.Unlock()
	}))
	defer slack.Close()
	webhook := slack.URL + "/services/T000/B000/s3cr3tT0k3n"

	a.param("/iamsweep/config", "rotation_days: 365\nexclusions:\n  - user: svc-*\n    reason: owned by the platform team\n", ssmtypes.ParameterTypeString)
	a.param("/iamsweep/excluded", "breakglass,nobody", ssmtypes.ParameterTypeStringList)
	a.param("/iamsweep/slack-webhook", webhook, ssmtypes.ParameterTypeSecureString)

	cfg := &configFake{}
	cfgSrv := httptest.NewServer(cfg)
	defer cfgSrv.Close()

	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_CONFIG_SERVICE": cfgSrv.URL,
		"IAMSWEEP_MAX_UNUSED_DAYS":        "90",
		"IAMSWEEP_CONFIG_SSM":             "/iamsweep/config",
		"IAMSWEEP_EXCLUSIONS_SSM":         "/iamsweep/excluded",
		"IAMSWEEP_SNS_TOPIC_ARN":          topic,
		"IAMSWEEP_SLACK_WEBHOOK_SSM":      "/iamsweep/slack-webhook",
		"IAMSWEEP_LOG_LEVEL":              "debug",
	} {
		env[k] = v
	}
	fn := startFunction(t, addr, env)

	later := time.Now().UTC().Add(120 * 24 * time.Hour).Truncate(time.Second)

	// 1. EventBridge schedule: scan, then SNS and Slack.
	res := rt.invoke(t, map[string]any{
		"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "Scheduled Event",
		"source": "aws.events", "account": "123456789012", "time": later.Format(time.RFC3339), "region": "us-east-1",
		"resources": []string{"arn:aws:events:us-east-1:123456789012:rule/iamsweep-daily"}, "detail": map[string]any{},
	})
	if res.Error {
		t.Fatalf("scheduled event failed: %s\n%s", res.Body, fn.output())
	}
	var sched struct {
		Kind     string
		Summary  struct{ Users, InUse, Unused, Excluded, Findings int }
		Notified []string
	}
	if err := json.Unmarshal(res.Body, &sched); err != nil {
		t.Fatal(err)
	}
	if sched.Kind != "scheduled-scan" || sched.Summary.Users != 5 || sched.Summary.Excluded != 2 || sched.Summary.Unused != 3 {
		t.Errorf("scheduled response %s", res.Body)
	}
	if strings.Join(sched.Notified, " ") != "sns:"+topic+" slack:ssm:/iamsweep/slack-webhook" {
		t.Errorf("notified %q", sched.Notified)
	}
	sent := snsSent(t, topic)
	if len(sent) != 1 || !strings.Contains(sent[0].subject, "in account 123456789012") || !strings.Contains(sent[0].body, "[high] old-ci unused-access-key") {
		t.Errorf("sns got %+v", sent)
	}
	if strings.Contains(sent[0].body, "svc-legacy unused") || !strings.Contains(sent[0].body, "2 excluded") {
		t.Errorf("the config's exclusion did not apply:\n%s", sent[0].body)
	}
	if strings.Contains(sent[0].body, "access-key-not-rotated") {
		t.Errorf("the config's rotation_days did not apply:\n%s", sent[0].body)
	}
	mu.Lock()
	if len(slackPosts) != 1 || !strings.Contains(slackPosts[0], "account `123456789012`") {
		t.Errorf("slack got %q", slackPosts)
	}
	mu.Unlock()

	// 2. Config rule: every user judged and sent in one batch.
	invoking, _ := json.Marshal(map[string]string{"messageType": "ScheduledNotification", "notificationCreationTime": later.Format(time.RFC3339), "awsAccountId": "123456789012"})
	res = rt.invoke(t, map[string]any{
		"version": "1.0", "invokingEvent": string(invoking), "ruleParameters": `{"MaxCredentialUsageAge":"90"}`,
		"resultToken": "opaque-token", "eventLeftScope": false, "configRuleName": "iamsweep-unused-credentials",
		"configRuleArn": "arn:aws:config:us-east-1:123456789012:config-rule/config-rule-abc", "accountId": "123456789012",
	})
	if res.Error {
		t.Fatalf("config rule event failed: %s\n%s", res.Body, fn.output())
	}
	var rule struct {
		Kind                                          string
		Evaluations, Compliant, NonCompliant, Batches int
		NotApplicable                                 int `json:"not_applicable"`
	}
	_ = json.Unmarshal(res.Body, &rule)
	if rule.Kind != "config-rule" || rule.Evaluations != 5 || rule.Batches != 1 {
		t.Errorf("config rule response %s", res.Body)
	}
	if len(cfg.batches) != 1 || cfg.batches[0].ResultToken != "opaque-token" {
		t.Fatalf("PutEvaluations calls: %+v", cfg.batches)
	}
	got := map[string]string{}
	for _, e := range cfg.batches[0].Evaluations {
		got[e.ComplianceResourceId] = e.ComplianceType
		if e.ComplianceResourceType != "AWS::IAM::User" || int64(e.OrderingTimestamp) != later.Unix() || e.Annotation == "" {
			t.Errorf("evaluation %+v", e)
		}
	}
	want := map[string]string{
		a.ids["old-ci"]: "NON_COMPLIANT", a.ids["alice"]: "NON_COMPLIANT", a.ids["breakglass"]: "NOT_APPLICABLE",
		a.ids["svc-legacy"]: "NOT_APPLICABLE", a.ids["dave"]: "COMPLIANT",
	}
	if !equalMaps(got, want) {
		t.Errorf("evaluations %v\nwant %v", got, want)
	}

	// 3. Anything else is an invocation error, not a silent success.
	res = rt.invoke(t, map[string]any{"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2"})
	if !res.Error || !strings.Contains(string(res.Body), "unsupported event") {
		t.Errorf("unsupported event: error=%v %s", res.Error, res.Body)
	}

	// Logs are JSON, carry the request ID and never the webhook.
	logs := fn.logs(t)
	if strings.Contains(fn.output(), "s3cr3tT0k3n") {
		t.Errorf("the webhook URL was logged:\n%s", fn.output())
	}
	ids := map[string]bool{}
	for _, l := range logs {
		if id, ok := l["request_id"].(string); ok {
			ids[id] = true
		}
	}
	if !ids["req-1"] || !ids["req-2"] || !ids["req-3"] {
		t.Errorf("request IDs in logs: %v\n%s", ids, fn.output())
	}
	roleAllowsCalls(t, logs, "config:PutEvaluations", "sns:Publish", "ssm:GetParameter")
}

// roleAllowsCalls checks that the deployed role grants every API call the
// function made, as its debug log counts them, and that the run made the
// calls named in want.
func roleAllowsCalls(t *testing.T, logs []map[string]any, want ...string) {
	t.Helper()
	called := map[string]bool{}
	for _, l := range logs {
		if l["msg"] == "aws calls" {
			for a := range l["by_action"].(map[string]any) {
				called[a] = true
			}
		}
	}
	tpl, err := cfntemplate.Load("../../deploy/cloudformation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	granted := cfntemplate.Actions(cfntemplate.Get(tpl.Resources["FunctionRole"].Properties, "Policies"))
	for a := range called {
		if !slices.Contains(granted, a) && !iampolicy.NeedsNoPermission[a] {
			t.Errorf("the function called %s, which its role in deploy/cloudformation.yaml does not grant", a)
		}
	}
	for _, a := range want {
		if !called[a] {
			t.Errorf("no call of %s logged: %v", a, called)
		}
	}
}

func TestFunctionRefusesAutoDeleteWithoutABackupBucket(t *testing.T) {
	wantRefusedAtStartup(t, "auto_disable: true\nauto_delete: true\n", "auto_delete: true needs a backup bucket")
}

// Without evidence plan deletes nobody: the switch would do nothing, so
// the function refuses it rather than run.
func TestFunctionRefusesAutoDeleteWithoutEvidence(t *testing.T) {
	wantRefusedAtStartup(t, "auto_disable: true\nauto_delete: true\nbackup_bucket: b\n",
		"auto_delete: true needs evidence: true (attempts with a disabled key are only visible in CloudTrail)")
}

// wantRefusedAtStartup starts the function with the config and wants it
// to exit before its first event, saying why.
func wantRefusedAtStartup(t *testing.T, config, want string) {
	a := newAccount(t)
	a.param("/iamsweep/config", config, ssmtypes.ParameterTypeString)
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["IAMSWEEP_CONFIG_SSM"] = "/iamsweep/config"
	fn := startFunction(t, addr, env)
	select {
	case err := <-fn.exited:
		if err == nil {
			t.Errorf("exit status 0, want a failure")
		}
	case <-time.After(60 * time.Second):
		t.Fatal("the function kept running with a configuration it cannot honour")
	}
	fn.exited <- nil // for the cleanup
	if !strings.Contains(fn.output(), want) {
		t.Errorf("stderr:\n%s", fn.output())
	}
	select {
	case <-rt.results:
		t.Error("an invocation was answered")
	default:
	}
	_ = fn.logs(t)
}

type snsMessage struct{ body, subject string }

// snsSent is what topic (made by motoserver.CreateTopic) delivered so far.
func snsSent(t *testing.T, topic string) []snsMessage {
	t.Helper()
	var out []snsMessage
	for _, m := range motoserver.SNSSent(t, context.Background(), topic) {
		out = append(out, snsMessage{body: m.Body, subject: m.Subject})
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

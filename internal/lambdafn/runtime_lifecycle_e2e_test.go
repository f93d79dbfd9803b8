package lambdafn_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// TestScheduledDigestGroupsOwnersApart: the deployed function reads the
// owner and expiry tags live, its SNS report gives each owner a section of
// their own users (and users without an owner their own), and the Config
// rule judges the same scan but stays NON_COMPLIANT only for what the SSM
// remediation fixes: an expired user whose key is in use is COMPLIANT there.
func TestScheduledDigestGroupsOwnersApart(t *testing.T) {
	a := newAccount(t)
	a.user("etl-nightly", false, 1) // owner data: expired, key never used
	a.user("ci-deploy", false, 1)   // owner platform: expires soon (custom key)
	a.user("ci-legacy", false, 1)   // owner platform: expired
	a.user("orphan", false, 1)      // no owner
	a.user("new-intern", false, 0)  // owner data: nothing to report
	now := time.Now().UTC()
	tag := func(user string, kv ...string) {
		t.Helper()
		in := &iam.TagUserInput{UserName: aws.String(user)}
		for i := 0; i < len(kv); i += 2 {
			in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		if _, err := a.iam.TagUser(a.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	day := func(n int) string { return now.AddDate(0, 0, n).Format(time.DateOnly) }
	tag("etl-nightly", "Owner", "data@example.com", "expires", day(-3))
	tag("ci-deploy", "team-owner", "platform@example.com", "end-of-life", day(5))
	tag("ci-legacy", "iamsweep:owner", "platform@example.com", "iamsweep:expires", day(-1))
	tag("new-intern", "owner", "data@example.com")
	tag("orphan", "expires", "end of Q3")
	// The config in SSM adds keys; warn_days as the default.
	topic, platformTopic := a.topic("iamsweep-report"), a.topic("platform-team")
	// platform@example.com also gets a report of only its users.
	a.param("/iamsweep/config", "lifecycle:\n  expiry_tags: [iamsweep:expires, expires, end-of-life]\n  owner_tags: [iamsweep:owner, owner, team-owner]\n"+
		"  owner_targets:\n    platform@example.com: sns:"+platformTopic+"\n", ssmtypes.ParameterTypeString)

	cfg := &configFake{}
	cfgSrv := httptest.NewServer(cfg)
	defer cfgSrv.Close()
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	env["AWS_ENDPOINT_URL_CONFIG_SERVICE"] = cfgSrv.URL
	env["IAMSWEEP_CONFIG_SSM"] = "/iamsweep/config"
	env["IAMSWEEP_SNS_TOPIC_ARN"] = topic
	env["IAMSWEEP_LOG_LEVEL"] = "debug"
	fn := startFunction(t, addr, env)

	at := now.Add(time.Hour).Truncate(time.Second)
	res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events", "time": at.Format(time.RFC3339)})
	if res.Error {
		t.Fatalf("scheduled event failed: %s\n%s", res.Body, fn.output())
	}
	sent := snsSent(t, topic)
	if len(sent) != 1 {
		t.Fatalf("sns got %d messages", len(sent))
	}
	body := sent[0].body
	// section is an owner's heading and its indented findings.
	section := func(owner string) string {
		i := strings.Index(body, "\n  "+owner+": ")
		if i < 0 {
			t.Fatalf("no section for %s:\n%s", owner, body)
		}
		lines := strings.Split(body[i+1:], "\n")
		out := []string{lines[0]}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "    ") {
				break
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	data, platform, none := section("data@example.com"), section("platform@example.com"), section("(no owner tag)")
	if !strings.Contains(data, "1 user, 1 finding") || !strings.Contains(data, "[high] etl-nightly expired-user") || strings.Contains(data, "ci-") {
		t.Errorf("data's section:\n%s", data)
	}
	if !strings.Contains(platform, "2 users") || !strings.Contains(platform, "ci-legacy expired-user") || !strings.Contains(platform, "[info] ci-deploy expires-soon") ||
		strings.Contains(platform, "etl-nightly") || strings.Contains(platform, "orphan") {
		t.Errorf("platform's section:\n%s", platform)
	}
	if !strings.Contains(none, "[medium] orphan invalid-expiry") || strings.Contains(none, "ci-legacy") {
		t.Errorf("the no-owner section:\n%s", none)
	}
	if strings.Index(body, "By owner") > strings.Index(body, "Most severe findings") {
		t.Errorf("owners do not come first:\n%s", body)
	}

	// The owner's own report: only its users, listed in the response.
	var sched struct{ Notified []string }
	_ = json.Unmarshal(res.Body, &sched)
	if strings.Join(sched.Notified, " ") != "sns:"+topic+" sns:"+platformTopic+" (platform@example.com)" {
		t.Errorf("notified %q", sched.Notified)
	}
	own := snsSent(t, platformTopic)
	if len(own) != 1 || !strings.Contains(own[0].subject, "on users of platform@example.com") ||
		!strings.Contains(own[0].body, "ci-legacy expired-user") || !strings.Contains(own[0].body, "ci-deploy expires-soon") ||
		strings.Contains(own[0].body, "etl-nightly") || strings.Contains(own[0].body, "orphan") {
		t.Errorf("platform's own report: %+v", own)
	}

	// The Config rule: expiry never makes a user NON_COMPLIANT (the SSM
	// remediation would not fix it); new keys are unused for 0 days.
	invoking, _ := json.Marshal(map[string]string{"messageType": "ScheduledNotification", "notificationCreationTime": at.Format(time.RFC3339)})
	res = rt.invoke(t, map[string]any{"invokingEvent": string(invoking), "ruleParameters": `{"MaxCredentialUsageAge":"90"}`, "resultToken": "tok", "configRuleName": "iamsweep"})
	if res.Error {
		t.Fatalf("config rule event failed: %s\n%s", res.Body, fn.output())
	}
	for _, b := range cfg.batches {
		for _, e := range b.Evaluations {
			if e.ComplianceType != "COMPLIANT" {
				t.Errorf("%s is %s: %s", e.ComplianceResourceId, e.ComplianceType, e.Annotation)
			}
		}
	}
	// The expired users' keys are named (iam:ListAccessKeys): the role allows it.
	roleAllowsCalls(t, fn.logs(t), "config:PutEvaluations", "sns:Publish", "ssm:GetParameter", "iam:ListAccessKeys")
}

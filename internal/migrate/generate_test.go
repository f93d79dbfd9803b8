package migrate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/policy"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

func activityOf(uses ...Usage) *Activity {
	for i := range uses {
		uses[i].Count, uses[i].First, uses[i].Last = 1, t0, t0
	}
	return &Activity{Uses: uses}
}

func TestGenerateGroupsAndProves(t *testing.T) {
	a := activityOf(
		Usage{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k1"},
		Usage{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k1"},
		Usage{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"},
		Usage{Action: "ecr:GetAuthorizationToken", Resource: "*", Note: "ecr:GetAuthorizationToken: the request names no resource"},
	)
	lp := Generate(a)
	var sids []string
	for _, s := range lp.Policy.Statement {
		sids = append(sids, fmt.Sprintf("%s:%s:%s", s.Sid, strings.Join(s.Action, ","), strings.Join(s.Resource, ",")))
	}
	want := []string{
		"EcrAnyResource:ecr:GetAuthorizationToken:*",
		"S3A:s3:ListBucket:arn:aws:s3:::b",
		"S3B:s3:GetObject,s3:PutObject:arn:aws:s3:::b/k1",
	}
	if !slices.Equal(sids, want) {
		t.Errorf("statements\n%s\nwant\n%s", strings.Join(sids, "\n"), strings.Join(want, "\n"))
	}
	if len(lp.Notes["EcrAnyResource"]) != 1 {
		t.Errorf("notes %v", lp.Notes)
	}
	if p := Prove(lp.Policy, a); !p.OK() || p.Checked != 4 {
		t.Errorf("proof %+v", p)
	}
}

func TestProveCatchesWideGrants(t *testing.T) {
	a := activityOf(Usage{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:q"})
	wide := &policy.Document{Version: policy.Version, Statement: []policy.Statement{
		{Sid: "W", Effect: "Allow", Action: policy.List{"sqs:*"}, Resource: policy.List{"*"}},
	}}
	p := Prove(wide, a)
	if p.OK() || !slices.ContainsFunc(p.Beyond, func(s string) bool { return strings.Contains(s, "sqs:PurgeQueue") }) ||
		!slices.ContainsFunc(p.Beyond, func(s string) bool { return strings.Contains(s, "allows sqs:*") }) ||
		!slices.ContainsFunc(p.Beyond, func(s string) bool { return strings.Contains(s, "iamsweep-never-observed") }) {
		t.Errorf("proof of sqs:* on *: %+v", p)
	}
	narrow := &policy.Document{Version: policy.Version, Statement: []policy.Statement{
		{Effect: "Allow", Action: policy.List{"sqs:SendMessage"}, Resource: policy.List{"arn:aws:sqs:us-east-1:123456789012:other"}},
	}}
	if p := Prove(narrow, a); len(p.NotAllowed) != 1 {
		t.Errorf("a policy missing the observed queue: %+v", p)
	}
}

func TestGenerateCollapsesManyObjects(t *testing.T) {
	var uses []Usage
	for i := range 12 {
		uses = append(uses, Usage{Action: "s3:PutObject", Resource: fmt.Sprintf("arn:aws:s3:::b/builds/%02d/app.zip", i)})
	}
	lp := Generate(activityOf(uses...))
	if got := lp.Policy.Statement[0].Resource; len(got) != 1 || got[0] != "arn:aws:s3:::b/builds/*" {
		t.Errorf("resources %v", got)
	}
}

func TestObserveAttributionAndGaps(t *testing.T) {
	mk := func(user, key, name, errCode string) Record {
		r := Record{EventTime: t0, EventSource: "sqs.amazonaws.com", EventName: name, AWSRegion: "us-east-1", ErrorCode: errCode,
			RequestParameters: map[string]any{"queueUrl": "https://sqs.us-east-1.amazonaws.com/1/q"}}
		r.UserIdentity.Type, r.UserIdentity.UserName, r.UserIdentity.AccessKeyID = "IAMUser", user, key
		return r
	}
	role := mk("ci", "ASIAROLE", "PurgeQueue", "")
	role.UserIdentity.Type = "AssumedRole"
	in := Inputs{
		Subject:   Subject{Name: "ci", KeyIDs: []string{"AKIA1"}},
		Window:    evidence.Window{From: t0.Add(-time.Hour), To: t0.Add(time.Hour)},
		Records:   []Record{mk("ci", "AKIA1", "SendMessage", ""), mk("", "AKIA1", "SendMessage", ""), mk("bob", "AKIA2", "DeleteQueue", ""), role, mk("ci", "AKIA1", "DeleteQueue", "AccessDenied")},
		TrailRead: true,
		Advisor:   &evidence.AdvisorSummary{Services: []evidence.ServiceAccess{{Namespace: "sns", LastAuthenticated: t0}}},
	}
	a := Observe(in)
	if len(a.Uses) != 1 || a.Uses[0].Action != "sqs:SendMessage" || a.Uses[0].Count != 2 {
		t.Errorf("uses %+v", a.Uses)
	}
	if len(a.Denied) != 1 || a.Denied[0].Action != "sqs:DeleteQueue" {
		t.Errorf("denied %+v", a.Denied)
	}
	gaps := strings.Join(a.Missing, "\n")
	for _, want := range []string{"sns: Access Advisor shows use", "data events were not read"} {
		if !strings.Contains(gaps, want) {
			t.Errorf("missing %q in:\n%s", want, gaps)
		}
	}
}

func TestCompare(t *testing.T) {
	a := activityOf(Usage{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Usage{Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:1:key/x"})
	cur, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	c := Compare([]NamedPolicy{{Name: "inline x", Document: cur}}, Generate(a).Policy, a)
	if len(c.Dropped) != 1 || c.Dropped[0].Sid != "All" || !slices.Equal(c.Dropped[0].Kept, []string{"s3:GetObject"}) {
		t.Errorf("dropped %+v", c.Dropped)
	}
	if len(c.NoLongerAllowed) != 1 || !strings.Contains(c.NoLongerAllowed[0], "kms:Decrypt") || !strings.Contains(c.NoLongerAllowed[0], "explicitDeny") {
		t.Errorf("no longer allowed %v", c.NoLongerAllowed)
	}
}

func TestChoose(t *testing.T) {
	for _, c := range []struct {
		agent string
		kind  string
	}{
		{"aws-sdk-java/2 exec-env/AWS_ECS_FARGATE", KindECS},
		{"aws-sdk-go-v2/1 exec-env/AWS_Lambda_go1.x", KindLambda},
		{"aws-cli/2 configure-aws-credentials-for-github-actions", KindGitHub},
		{"Jenkins/2.4 aws-cli/2", KindCI},
	} {
		got, err := Choose(nil, &Activity{UserAgents: []string{c.agent}}, "")
		if err != nil || got.Kind != c.kind {
			t.Errorf("%s: %+v %v, want %s", c.agent, got, err, c.kind)
		}
	}
	if _, err := Choose(nil, &Activity{UserAgents: []string{"aws-cli/2.15"}}, ""); err == nil || !strings.Contains(err.Error(), "--to") {
		t.Errorf("an unknown caller: %v", err)
	}
	if got, _ := Choose(nil, &Activity{Console: true}, ""); got.Kind != KindIdentityCenter {
		t.Errorf("console only: %+v", got)
	}
}

func TestGenerateGroupsKeysIntoTheirPrefix(t *testing.T) {
	a := activityOf(
		Usage{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/builds/17/app.zip"},
		Usage{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/builds/18/app.zip"},
		Usage{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/config.json"},
	)
	lp := Generate(a)
	var got []string
	for _, s := range lp.Policy.Statement {
		got = append(got, strings.Join(s.Action, ",")+" "+strings.Join(s.Resource, ","))
	}
	want := []string{"s3:GetObject arn:aws:s3:::b/config.json", "s3:PutObject arn:aws:s3:::b/builds/*"}
	slices.Sort(got)
	if !slices.Equal(got, want) || len(lp.Widened) != 1 || !strings.Contains(lp.Widened[0], "b/builds/*") || !strings.Contains(lp.Widened[0], "--exact") {
		t.Errorf("statements %q, widened %q", got, lp.Widened)
	}
	if p := Prove(lp.Policy, a); !p.OK() || len(p.Requests) != 3 {
		t.Errorf("proof %+v", p)
	}
	exact := GenerateWith(a, true)
	if len(exact.Widened) != 0 || !slices.Contains(exact.Policy.Statement[0].Resource, "arn:aws:s3:::b/builds/17/app.zip") {
		t.Errorf("--exact: %+v %q", exact.Policy.Statement, exact.Widened)
	}
}

func TestProveChecksAWSActionsAndResources(t *testing.T) {
	a := activityOf(
		Usage{Action: "s3:ListMultipartUploads", Resource: "arn:aws:s3:::b"},
		Usage{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/arn:aws:dynamodb:us-east-1:123456789012:table/T"},
		Usage{Action: "kms:ListAliases", Resource: "arn:aws:kms:us-east-1:123456789012:key/1"},
	)
	p := Prove(Generate(a).Policy, a)
	if len(p.NotAWS) != 3 || p.OK() {
		t.Errorf("proof of requests AWS would not make: %+v", p.NotAWS)
	}
}

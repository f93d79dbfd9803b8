package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/goldenfile"
)

var asOf = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// fixture: a root key, an idle key, a password never used, a busy user
// and an excluded one, some with names Slack would read as markup.
func fixture(t *testing.T) *scan.Result {
	t.Helper()
	day := func(n int) time.Time { return asOf.AddDate(0, 0, -n) }
	inv := &inventory.Inventory{AccountID: "123456789012", Root: &inventory.User{Name: inventory.RootUserName,
		AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: day(900)}}}}
	add := func(u inventory.User) {
		u.ARN = "arn:aws:iam::123456789012:user/" + u.Name
		u.Path = "/"
		inv.Users = append(inv.Users, u)
	}
	add(inventory.User{Name: "ci-deploy", Created: day(800), AccessKeys: []inventory.AccessKey{
		{Slot: 1, ID: "AKIAEXAMPLE000000001", Active: true, LastRotated: day(700), LastUsed: day(200)}}})
	add(inventory.User{Name: "<b>mallory</b>", Created: day(300), Password: inventory.Password{Enabled: true, LastChanged: day(300)}})
	add(inventory.User{Name: "alice", Created: day(500), MFAActive: true, Password: inventory.Password{Enabled: true, LastChanged: day(60), LastUsed: day(1)}})
	add(inventory.User{Name: "break-glass", Created: day(900), Tags: map[string]string{exclusion.TagKey: "emergency access"},
		AccessKeys: []inventory.AccessKey{{Slot: 1, Active: true, LastRotated: day(900)}}})
	res, err := scan.Evaluate(inv, rules.Params{AsOf: asOf, MaxUnusedDays: 90, RotationDays: 90}, &exclusion.Set{}, scan.SourceLive, asOf)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestDigestTextAndSlackMessage(t *testing.T) {
	d := NewDigest(fixture(t), DefaultTop)
	golden(t, "email.golden", d.Subject()+"\n\n"+d.Text())
	golden(t, "slack.golden", slackText(d))
	if d.Top[0].Rule != rules.RootAccessKey || d.ExcludedFindings == 0 {
		t.Errorf("top finding %+v, excluded %d", d.Top[0], d.ExcludedFindings)
	}
}

func TestParseTarget(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T000/B000/s3cr3tT0k3n"
	for in, want := range map[string]string{
		"sns:arn:aws:sns:eu-west-1:123456789012:iamsweep": "sns:arn:aws:sns:eu-west-1:123456789012:iamsweep",
		"slack":                  "slack:env:IAMSWEEP_SLACK_WEBHOOK_URL",
		"slack:env:HOOK":         "slack:env:HOOK",
		"slack:ssm:/iamsweep/wh": "slack:ssm:/iamsweep/wh",
		"slack:" + hook:          "slack webhook https://hooks.slack.com/…",
	} {
		tg, err := ParseTarget(in)
		if err != nil || tg.String() != want {
			t.Errorf("%s: %v %q, want %q", in, err, tg.String(), want)
		}
	}
	for _, in := range []string{"sns:topic", "slack:env:", "slack:ssm:", "slack:ftp://x/" + "s3cr3tT0k3n", "teams:" + hook, ""} {
		_, err := ParseTarget(in)
		if err == nil {
			t.Errorf("%q: no error", in)
		} else if strings.Contains(err.Error(), "s3cr3tT0k3n") {
			t.Errorf("%q: error echoes the secret: %v", in, err)
		}
	}
}

// slackServer records what a webhook receives.
func slackServer(t *testing.T, status int, reply string) (*httptest.Server, *[]map[string]string) {
	var got []map[string]string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &m) != nil {
			t.Errorf("webhook got %s %s %q", r.Method, r.Header.Get("Content-Type"), body)
		}
		got = append(got, m)
		w.WriteHeader(status)
		io.WriteString(w, reply)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func TestSlackWebhookFromEnvironment(t *testing.T) {
	srv, got := slackServer(t, 200, "ok")
	s := &Sender{Getenv: func(k string) string { return map[string]string{"HOOK": srv.URL + "/services/T/B/secret"}[k] }}
	tg, _ := ParseTarget("slack:env:HOOK")
	if err := s.Send(context.Background(), []Target{tg}, fixture(t)); err != nil {
		t.Fatal(err)
	}
	if len(*got) != 1 || !strings.Contains((*got)[0]["text"], "Findings 7: 1 critical, 3 high") || !strings.Contains((*got)[0]["text"], "&lt;b&gt;mallory") {
		t.Errorf("slack got %q", *got)
	}
}

func TestSlackErrorsNeverShowTheURL(t *testing.T) {
	const secret = "/services/T0/B0/s3cr3tT0k3n"
	// Slack's error replies are short words; this one echoes the path.
	srv, _ := slackServer(t, 404, "no_service for "+secret)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for name, hook := range map[string]string{"404": srv.URL + secret, "refused": closed.URL + secret} {
		err := (&Sender{}).Send(context.Background(), []Target{SlackURL(hook)}, fixture(t))
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		if strings.Contains(err.Error(), "s3cr3tT0k3n") || strings.Contains(err.Error(), "/services/") {
			t.Errorf("%s: error shows the webhook: %v", name, err)
		}
		if !strings.Contains(err.Error(), "slack webhook http://127.0.0.1") {
			t.Errorf("%s: error does not name the target: %v", name, err)
		}
	}
	s := &Sender{Getenv: func(string) string { return "" }}
	if err := s.Send(context.Background(), []Target{{Kind: KindSlack, EnvVar: "HOOK"}}, fixture(t)); err == nil || !strings.Contains(err.Error(), "slack:env:HOOK: the environment variable is empty") {
		t.Errorf("empty env: %v", err)
	}
}

type fakeSNS struct{ in []*sns.PublishInput }

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.in = append(f.in, in)
	return &sns.PublishOutput{MessageId: aws.String("m-1")}, nil
}

type fakeSSM map[string]string

func (f fakeSSM) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	if !aws.ToBool(in.WithDecryption) {
		return nil, errors.New("a SecureString must be read WithDecryption")
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Value: aws.String(f[aws.ToString(in.Name)])}}, nil
}

func TestSNSAndSlackFromSSM(t *testing.T) {
	srv, got := slackServer(t, 200, "ok")
	api := &fakeSNS{}
	s := &Sender{SNS: api, SSM: fakeSSM{"/wh": srv.URL + "/x"}}
	sn, _ := ParseTarget("sns:arn:aws:sns:us-east-1:123456789012:t")
	sl, _ := ParseTarget("slack:ssm:/wh")
	if err := s.Send(context.Background(), []Target{sn, sl}, fixture(t)); err != nil {
		t.Fatal(err)
	}
	if len(api.in) != 1 || len(*got) != 1 {
		t.Fatalf("%d publishes, %d slack posts", len(api.in), len(*got))
	}
	in := api.in[0]
	var d Digest
	if err := json.Unmarshal([]byte(aws.ToString(in.MessageAttributes[DigestAttribute].StringValue)), &d); err != nil || d.Findings != 7 || d.AccountID != "123456789012" {
		t.Errorf("digest attribute: %v %+v", err, d)
	}
	if aws.ToString(in.Subject) != "iamsweep: 7 findings in account 123456789012 (4 high or critical)" {
		t.Errorf("subject %q", aws.ToString(in.Subject))
	}
}

func TestSNSMessageFitsTheLimits(t *testing.T) {
	res := fixture(t)
	long := strings.Repeat("x", 40*1024)
	for i := range 30 {
		f := res.Findings[0]
		f.UserName, f.Message = strings.Repeat("é", 80)+string(rune('a'+i)), long
		res.Findings = append(res.Findings, f)
	}
	d := NewDigest(res, 30)
	d.AccountID = strings.Repeat("9", 200) + "\n"
	in := snsInput("arn:aws:sns:us-east-1:123456789012:t", d)
	size := len(aws.ToString(in.Message)) + len(DigestAttribute) + len("String") + len(aws.ToString(in.MessageAttributes[DigestAttribute].StringValue))
	if size > SNSMaxBytes {
		t.Errorf("message and attribute are %d bytes, over SNS's %d", size, SNSMaxBytes)
	}
	subj := aws.ToString(in.Subject)
	if len(subj) > 100 || strings.ContainsAny(subj, "\n\r") {
		t.Errorf("subject %d chars: %q", len(subj), subj)
	}
	if !strings.Contains(aws.ToString(in.Message), "more: run `iamsweep scan`") {
		t.Errorf("the cut findings are not counted in the body")
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

package scan_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestNotifySlackFromAnOfflineScanNeedsNoCredentials(t *testing.T) {
	var posts []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		posts = append(posts, m["text"])
	}))
	defer hook.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_PROFILE", "no-such-profile")
	t.Setenv("IAMSWEEP_SLACK_WEBHOOK_URL", hook.URL+"/services/T/B/s3cr3t")
	res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), fakeReport,
		"scan", "-o", "json", "--as-of", "2026-11-23", "--credential-report", "-", "--notify", "slack")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	if len(posts) != 1 || !strings.Contains(posts[0], "account `111122223333`") || !strings.Contains(posts[0], "Findings 2: 2 high") {
		t.Errorf("slack got %q", posts)
	}
	if !strings.Contains(res.Stderr, "notified slack:env:IAMSWEEP_SLACK_WEBHOOK_URL") || strings.Contains(res.Stderr, "s3cr3t") {
		t.Errorf("stderr %q", res.Stderr)
	}
}

func TestNotifyRejectsABadTargetBeforeScanning(t *testing.T) {
	res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), fakeReport,
		"scan", "--credential-report", "-", "--notify", "slack:hooks.slack.com/services/T/B/s3cr3t")
	if res.Code != 2 || !strings.Contains(res.Stderr, "--notify: notify slack: the webhook is not an http(s) URL") || strings.Contains(res.Stderr, "s3cr3t") {
		t.Errorf("exit %d, stderr %q", res.Code, res.Stderr)
	}
	if res.Stdout != "" {
		t.Errorf("scanned anyway: %q", res.Stdout)
	}
}

func TestNotifySNSFromALiveScan(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	a.user("old-ci", "/", nil)
	a.key(srv, "old-ci", false)
	topic := motoserver.CreateTopic(t, a.ctx, srv.Config(), "iamsweep")
	later := time.Now().UTC().Add(120 * 24 * time.Hour).Format(time.DateOnly)
	res, _ := runScan(t, srv, "--as-of", later, "--notify", "sns:"+topic)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	sent := motoserver.SNSSent(t, a.ctx, topic)
	if len(sent) != 1 {
		t.Fatalf("%d notifications", len(sent))
	}
	body, subject, attrs := sent[0].Body, sent[0].Subject, sent[0].Attributes
	if subject != "iamsweep: 3 findings in account 123456789012 (2 high or critical)" {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(body, "[high] old-ci unused-access-key: access key 1 (AKIA") {
		t.Errorf("body:\n%s", body)
	}
	var digest struct {
		Findings int `json:"findings"`
	}
	if err := json.Unmarshal([]byte(attrs["iamsweep.digest"]), &digest); err != nil || digest.Findings != 3 {
		t.Errorf("digest attribute %v: %v", attrs, err)
	}
}

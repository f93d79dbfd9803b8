package scan_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// --notify-report stores the HTML page in S3 and the e-mail links it with
// a pre-signed URL that serves the page.
func TestNotifyLinksTheHTMLReportStoredInS3(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	a.user("old-ci", "/", nil)
	a.key(srv, "old-ci", false)
	cfg := srv.Config()
	topic := motoserver.CreateTopic(t, a.ctx, cfg, "iamsweep")
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("reports")}); err != nil {
		t.Fatal(err)
	}
	later := time.Now().UTC().Add(120 * 24 * time.Hour).Format(time.DateOnly)
	res, _ := runScan(t, srv, "--as-of", later, "--notify", "sns:"+topic, "--notify-report", "s3://reports/iamsweep")
	if res.Code != 0 || !strings.Contains(res.Stderr, "stored the HTML report under s3://reports/iamsweep") {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	sent := motoserver.SNSSent(t, a.ctx, topic)
	if len(sent) != 1 {
		t.Fatalf("%d notifications", len(sent))
	}
	body := sent[0].Body
	link := regexp.MustCompile(`(?m)^http\S+/reports/iamsweep/iamsweep-123456789012-\d{8}T\d{6}Z\.html\?\S*X-Amz-Signature=\S+$`).FindString(body)
	if link == "" {
		t.Fatalf("no pre-signed link in the e-mail:\n%s", body)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "old-ci") {
		t.Errorf("GET the link: %d %.200s", resp.StatusCode, page)
	}
}

func TestNotifyReportNeedsATargetAndAnS3Location(t *testing.T) {
	for args, want := range map[string]string{
		"--notify-report s3://b":                   "--notify-report links the report in notifications: add --notify TARGET",
		"--notify slack --notify-report reports/x": `--notify-report: invalid report location "reports/x": want s3://BUCKET or s3://BUCKET/PREFIX`,
		"--notify slack --notify-report s3:///x":   `want s3://BUCKET or s3://BUCKET/PREFIX`,
	} {
		full := append([]string{"scan", "--credential-report", "-"}, strings.Fields(args)...)
		res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), fakeReport, full...)
		if res.Code != 2 || !strings.Contains(res.Stderr, want) || res.Stdout != "" {
			t.Errorf("%s: exit %d, stderr %q, want %q before scanning", args, res.Code, res.Stderr, want)
		}
	}
}

package lambdafn_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestFunctionStoresTheHTMLReportAndLinksIt runs the deployed binary with
// IAMSWEEP_REPORT_BUCKET and auto-disable against moto: the page of the
// run (its scan and the plan it applied) lands in moto's S3 under the
// prefix, and the pre-signed link in the SNS e-mail serves it.
func TestFunctionStoresTheHTMLReportAndLinksIt(t *testing.T) {
	a := newAccount(t)
	a.user("idle-ci", false, 1)
	a.user("dave", false, 0)
	topic := a.topic("iamsweep-report")
	s3c := s3.NewFromConfig(a.srv.Config(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(a.ctx, &s3.CreateBucketInput{Bucket: aws.String("iamsweep-reports")}); err != nil {
		t.Fatal(err)
	}
	rt, addr := newRuntimeAPI(t)
	env := awsEnv(a.srv)
	for k, v := range map[string]string{
		"IAMSWEEP_MAX_UNUSED_DAYS": "1",
		"IAMSWEEP_AUTO_DISABLE":    "true",
		"IAMSWEEP_SNS_TOPIC_ARN":   topic,
		"IAMSWEEP_REPORT_BUCKET":   "s3://iamsweep-reports/weekly",
		"IAMSWEEP_LOG_LEVEL":       "debug",
		"TMPDIR":                   t.TempDir(),
	} {
		env[k] = v
	}
	setClock := moveClock(t, env)
	fn := startFunction(t, addr, env)
	setClock(2 * 24 * time.Hour)
	res := rt.invoke(t, map[string]any{"detail-type": "Scheduled Event", "source": "aws.events",
		"time": time.Now().UTC().Add(2 * 24 * time.Hour).Format(time.RFC3339)})
	if res.Error {
		t.Fatalf("scheduled event failed: %s\n%s", res.Body, fn.output())
	}
	a.wantDisabled("idle-ci")

	list, err := s3c.ListObjectsV2(a.ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iamsweep-reports")})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("objects in the report bucket: %v %v", list, err)
	}
	key := aws.ToString(list.Contents[0].Key)
	if !strings.HasPrefix(key, "weekly/iamsweep-123456789012-") || !strings.HasSuffix(key, ".html") {
		t.Errorf("key %q", key)
	}

	sent := snsSent(t, topic)
	if len(sent) != 1 {
		t.Fatalf("sns got %+v", sent)
	}
	link := regexp.MustCompile(`https?://\S+`).FindString(sent[0].body)
	if !strings.Contains(link, "/iamsweep-reports/"+key+"?") || !strings.Contains(link, "X-Amz-Signature=") {
		t.Fatalf("no pre-signed link to %s in the e-mail:\n%s", key, sent[0].body)
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET the link: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	// The plan's effect line shows the retire plan is on the page.
	for _, want := range []string{"<html", "idle-ci", "dave", "123456789012", `class="plan-effect"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	roleAllowsCalls(t, fn.logs(t), "s3:PutObject", "sns:Publish", "iam:AttachUserPolicy")
}

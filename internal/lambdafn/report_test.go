package lambdafn

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/iamsweep/iamsweep/internal/evidence"
)

// pageStore keeps the pages put, and signs links to them.
type pageStore struct{ pages map[string]string }

func (p *pageStore) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := in.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	p.pages[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = b.String()
	return &s3.PutObjectOutput{}, nil
}

func (p *pageStore) PresignGetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	return &v4.PresignedHTTPRequest{Method: http.MethodGet, URL: "https://s3.example/" + aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key) + "?X-Amz-Signature=sig"}, nil
}

// The scheduled run stores one page with the scan, the evidence and the
// retire plan, and the report links it.
func TestScheduledStoresTheHTMLReportAndLinksIt(t *testing.T) {
	topic := &messageSNS{}
	store := &pageStore{pages: map[string]string{}}
	params := fakeSSM{"/c": "auto_disable: true\nevidence: true\nmax_unused_days: 30\nreport_bucket: s3://from-config\n"}
	env := map[string]string{EnvConfigSSM: "/c", EnvSNSTopicARN: "arn:aws:sns:us-east-1:123456789012:r", EnvReportBucket: "s3://reports/weekly"}
	h := handler(t, account(9), params, env, nil)
	inner := h.Clients
	h.Clients = func(ctx context.Context) (*Clients, error) {
		c, err := inner(ctx)
		c.SNS, c.IAM, c.Reports, c.Presign = topic, noIAM{}, store, store
		c.Evidence, c.Regions = &evidence.Gatherer{}, []string{"us-east-1"}
		return c, err
	}
	out, err := h.Invoke(context.Background(), scheduledAt(asOf))
	if err != nil {
		t.Fatal(err)
	}
	if r := out.(*ScheduledResult); r.Retire == nil || r.Evidence == nil {
		t.Fatalf("stages did not run: %+v", r)
	}
	if len(store.pages) != 1 {
		t.Fatalf("pages stored: %v", len(store.pages))
	}
	for key, page := range store.pages {
		if !strings.HasPrefix(key, "reports/weekly/iamsweep-123456789012-") || !strings.HasSuffix(key, ".html") {
			t.Errorf("key %q (the environment beats the config)", key)
		}
		// The scan's users, the dossier's verdicts, the plan's effect.
		for _, want := range []string{"<html", "user-0003", `class="w-verdict"`, `class="plan-effect"`} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
		if len(topic.messages) != 1 || !strings.Contains(topic.messages[0], "https://s3.example/"+key+"?X-Amz-Signature=sig") {
			t.Errorf("the report does not link the page: %q", topic.messages)
		}
	}
}

func TestReportLocationIsCheckedAtStartUp(t *testing.T) {
	for name, c := range map[string]struct {
		env, yaml, want string
	}{
		"env":    {env: "reports/weekly", want: EnvReportBucket + `: invalid report location "reports/weekly"`},
		"config": {yaml: "report_bucket: https://reports\n", want: `config report_bucket: invalid report location`},
	} {
		h := handler(t, nil, fakeSSM{"/c": c.yaml}, map[string]string{EnvConfigSSM: "/c", EnvReportBucket: c.env}, nil)
		if _, err := h.loadSettings(context.Background(), fakeSSM{"/c": c.yaml}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	h := handler(t, nil, nil, map[string]string{EnvConfigSSM: "/c"}, nil)
	s, err := h.loadSettings(context.Background(), fakeSSM{"/c": "report_bucket: s3://b/p\n"})
	if err != nil || s.ReportLocation != "s3://b/p" {
		t.Errorf("config location: %+v %v", s, err)
	}
}

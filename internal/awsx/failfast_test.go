package awsx

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamsweep/iamsweep/internal/progress"
)

// countingTransport counts the HTTP attempts the SDK makes.
type countingTransport struct {
	n    atomic.Int32
	next http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

func testFactory(t *testing.T, endpoint string) (*Factory, *countingTransport) {
	t.Helper()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_PROFILE": "",
		"AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
		"AWS_MAX_ATTEMPTS": "", "AWS_RETRY_MODE": "",
	} {
		t.Setenv(k, v)
	}
	f, err := NewFactory(context.Background(), Options{EndpointURL: endpoint, MaxAttempts: 10})
	if err != nil {
		t.Fatal(err)
	}
	ct := &countingTransport{next: http.DefaultTransport}
	f.Config.HTTPClient = &http.Client{Transport: ct}
	return f, ct
}

func lookupEvents(f *Factory) error {
	_, err := f.CloudTrail().LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{})
	return Classify("cloudtrail:LookupEvents", err)
}

func endpointError(t *testing.T, err error, kind EndpointErrorKind) *EndpointError {
	t.Helper()
	var ee *EndpointError
	if !errors.As(err, &ee) {
		t.Fatalf("error %T %v is not an *EndpointError", err, err)
	}
	if ee.Kind != kind {
		t.Fatalf("kind %d, want %d: %v", ee.Kind, kind, err)
	}
	if ee.Detail() == "" {
		t.Error("no raw detail kept for --debug")
	}
	return ee
}

func TestUnreachableEndpointIsNotRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	f, ct := testFactory(t, "http://"+addr)
	_, err = f.STS().GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	err = Classify("sts:GetCallerIdentity", err)
	ee := endpointError(t, err, Unreachable)
	if got := ct.n.Load(); got != 1 {
		t.Errorf("%d attempts, want 1", got)
	}
	for _, want := range []string{"cannot reach http://" + addr, "sts:GetCallerIdentity", "connection refused"} {
		if !strings.Contains(ee.Error(), want) {
			t.Errorf("message %q lacks %q", ee.Error(), want)
		}
	}
}

func TestHTMLAnswerIsNotImplemented(t *testing.T) {
	for _, status := range []int{200, 404, 500} { // 200: a page where the API should be (issue 22)
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<!doctype html>\n<title>Not Found</title>"))
		}))
		f, _ := testFactory(t, srv.URL)
		err := lookupEvents(f)
		srv.Close()
		ee := endpointError(t, err, NotImplemented)
		if hits.Load() != 1 {
			t.Errorf("HTTP %d: %d attempts, want 1", status, hits.Load())
		}
		if want := "the endpoint does not implement cloudtrail:LookupEvents"; !strings.Contains(ee.Error(), want) {
			t.Errorf("message %q lacks %q", ee.Error(), want)
		}
		if strings.Contains(ee.Error(), "invalid character") {
			t.Errorf("message %q carries the decoder's text", ee.Error())
		}
	}
}

// jsonServer answers CloudTrail's JSON protocol with the statuses given in
// turn, then 200.
func jsonServer(statuses ...int) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(hits.Add(1)) - 1
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-Requestid", "req")
		if i < len(statuses) {
			w.WriteHeader(statuses[i])
			code := "InternalFailure"
			if statuses[i] == 400 {
				code = "ThrottlingException"
			}
			_, _ = w.Write([]byte(`{"__type":"` + code + `","message":"no"}`))
			return
		}
		_, _ = w.Write([]byte(`{"Events":[]}`))
	})), &hits
}

func TestRepeated5xxFailsAfterTwoAttempts(t *testing.T) {
	srv, hits := jsonServer(500, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	defer srv.Close()
	f, _ := testFactory(t, srv.URL)
	ee := endpointError(t, lookupEvents(f), Failing)
	if got := hits.Load(); got < ServerErrorAttempts || got > ServerErrorAttempts+1 {
		t.Errorf("%d attempts, want %d", got, ServerErrorAttempts)
	}
	if ee.Status != 500 || !strings.Contains(ee.Error(), "cloudtrail:LookupEvents failed") {
		t.Errorf("message %q", ee.Error())
	}
}

func TestOne5xxAndThrottlingAreRetried(t *testing.T) {
	for _, statuses := range [][]int{{500}, {400}} {
		srv, hits := jsonServer(statuses...)
		f, _ := testFactory(t, srv.URL)
		err := lookupEvents(f)
		srv.Close()
		if err != nil {
			t.Fatalf("%v: %v", statuses, err)
		}
		if got := int(hits.Load()); got != len(statuses)+1 {
			t.Errorf("%v: %d attempts, want %d", statuses, got, len(statuses)+1)
		}
	}
}

func TestFailFastKeepsAPlainRetryer(t *testing.T) {
	r := FailFast(aws.NopRetryer{})
	if r.MaxAttempts() != 1 {
		t.Fatalf("MaxAttempts %d", r.MaxAttempts())
	}
	if r.IsErrorRetryable(&EndpointError{Kind: Unreachable}) {
		t.Fatal("an unreachable endpoint is retryable")
	}
}

func TestThrottlingIsToldToTheProgressDisplay(t *testing.T) {
	srv, _ := jsonServer(400)
	defer srv.Close()
	f, _ := testFactory(t, srv.URL)
	var logs bytes.Buffer
	r := progress.New(progress.Options{Mode: progress.Log, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := progress.NewContext(context.Background(), r)
	if _, err := f.CloudTrail().LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "throttled by AWS; retrying") {
		t.Errorf("no throttling note: %q", logs.String())
	}
}

// A proxy's 503 page is not "no such API": it is retried once, then fails
// as a failing service.
func TestGatewayPageIsAFailingService(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("<html>busy</html>"))
	}))
	defer srv.Close()
	f, _ := testFactory(t, srv.URL)
	endpointError(t, lookupEvents(f), Failing)
	if n := hits.Load(); n < ServerErrorAttempts || n > ServerErrorAttempts+1 {
		t.Errorf("%d attempts", n)
	}
}

func TestUnknownOperationIsNotImplemented(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"UnknownOperationException","message":"no such operation"}`))
	}))
	defer srv.Close()
	f, _ := testFactory(t, srv.URL)
	ee := endpointError(t, lookupEvents(f), NotImplemented)
	if !strings.Contains(ee.Error(), "does not implement cloudtrail:LookupEvents (it answered HTTP 400 UnknownOperationException)") || hits.Load() != 1 {
		t.Errorf("%d attempts: %v", hits.Load(), ee)
	}
}

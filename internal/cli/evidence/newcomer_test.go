package evidence_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeaws"
)

// Without account:ListRegions the regions come from ec2:DescribeRegions
// (moto answers it), and the verdicts are still made.
func TestEvidenceFallsBackToDescribeRegions(t *testing.T) {
	a := standard(t)
	a.fake.Fail = func(r fakeaws.Request, n int) string {
		if r.Action == "account:ListRegions" {
			return "AccessDeniedException"
		}
		return ""
	}
	d := decode(t, a.run("evidence", "bob", "--skip", "access-analyzer,access-advisor", "-o", "json"))
	if len(d.Regions) < 2 || d.Verdict("bob") != evidence.VerdictInUse {
		t.Errorf("regions %v, bob %s (%s): want regions from DescribeRegions and bob in use", d.Regions, d.Verdict("bob"), d.User("bob").Reason)
	}
}

// A run that needs no AWS call asks for no credentials.
func TestEvidenceWithoutAWSSourcesNeedsNoCredentials(t *testing.T) {
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "deploy.yml"), []byte("env:\n  AWS_ACCESS_KEY_ID: AKIAEXAMPLEDEPLOY001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := clitest.Run(t.Context(), root.Main, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), "",
		"evidence", "--credential-report", "../../../examples/credential-report.csv", "--as-of", "2026-11-23",
		"--code", dir, "--skip", "cloudtrail,access-advisor,access-analyzer", "-o", "json")
	if res.Code != 0 {
		t.Fatalf("exit %d, want 0 without credentials: %s", res.Code, res.Stderr)
	}
}

// An endpoint whose CloudTrail answers 500 with an HTML page (an emulator
// without it): the verdict comes at once as unknown, with a person's
// message, instead of ten attempts with backoff per lookup.
func TestEvidenceAgainstAnEndpointAnswering500(t *testing.T) {
	a := standard(t)
	target, err := url.Parse(a.fake.URL)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	var hits atomic.Int32
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("X-Amz-Target"), "LookupEvents") {
			hits.Add(1)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("<!doctype html><title>500 Internal Server Error</title>"))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	defer broken.Close()
	t.Setenv("AWS_ENDPOINT_URL", broken.URL)
	d := decode(t, a.run("evidence", "alice", "--regions", "us-east-1,eu-west-1", "--skip", "access-analyzer,access-advisor", "-o", "json"))
	u := d.User("alice")
	if u.Verdict != evidence.VerdictUnknown {
		t.Fatalf("alice %s (%s): want unknown", u.Verdict, u.Reason)
	}
	if !strings.Contains(u.Reason, "the endpoint does not implement cloudtrail:LookupEvents") {
		t.Errorf("reason %q: want a person's message", u.Reason)
	}
	// One lookup per region, each answered once: no retries, and the
	// region's other lookups are not tried.
	if n := hits.Load(); n != 2 {
		t.Errorf("%d calls to the failing CloudTrail, want 2 (one per region)", n)
	}
}

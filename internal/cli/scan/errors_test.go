package scan_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// fakeIAM speaks the IAM and STS query protocol (form POST, XML answers)
// so tests can script errors moto cannot produce.
type fakeIAM struct {
	mu sync.Mutex
	// script answers an action's n-th call (from 1) with an error code, or
	// "" for the normal answer.
	script func(action string, n int) string
	calls  map[string]int
	// markers are the distinct pages asked for: a spontaneous SDK retry on
	// loopback (see internal/testutil/fakeaws) may repeat a request.
	markers map[string]bool
	report  string
	pages   [][]string // user names per GetAccountAuthorizationDetails page
}

func (f *fakeIAM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	action := r.Form.Get("Action")
	f.mu.Lock()
	f.calls[action]++
	n := f.calls[action]
	f.mu.Unlock()
	if code := f.script(action, n); code != "" {
		status := http.StatusBadRequest
		if code == "AccessDenied" {
			status = http.StatusForbidden
		}
		if code == "ReportNotPresent" {
			status = http.StatusGone
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>User: arn:aws:iam::111122223333:user/ci is not authorized to perform: iam:%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, code, action)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	switch action {
	case "GetCallerIdentity":
		fmt.Fprint(w, `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/ci</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
	case "GenerateCredentialReport":
		state := "STARTED"
		if n > 1 {
			state = "COMPLETE"
		}
		fmt.Fprintf(w, `<GenerateCredentialReportResponse><GenerateCredentialReportResult><State>%s</State></GenerateCredentialReportResult></GenerateCredentialReportResponse>`, state)
	case "GetCredentialReport":
		fmt.Fprintf(w, `<GetCredentialReportResponse><GetCredentialReportResult><Content>%s</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>%s</GeneratedTime></GetCredentialReportResult></GetCredentialReportResponse>`,
			base64.StdEncoding.EncodeToString([]byte(f.report)), time.Now().UTC().Format(time.RFC3339))
	case "GetAccountAuthorizationDetails":
		page := 0
		f.mu.Lock()
		f.markers[r.Form.Get("Marker")] = true
		f.mu.Unlock()
		if m := r.Form.Get("Marker"); m != "" {
			fmt.Sscan(m, &page)
		}
		var b strings.Builder
		for _, u := range f.pages[page] {
			fmt.Fprintf(&b, `<member><UserName>%s</UserName><Path>/</Path><UserId>ID%s</UserId><Arn>arn:aws:iam::111122223333:user/%s</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>`, u, u, u)
		}
		more := ""
		if page+1 < len(f.pages) {
			more = fmt.Sprintf(`<IsTruncated>true</IsTruncated><Marker>%d</Marker>`, page+1)
		}
		fmt.Fprintf(w, `<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult>%s<UserDetailList>%s</UserDetailList></GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>`, more, b.String())
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `<ErrorResponse><Error><Code>InvalidAction</Code><Message>%s</Message></Error></ErrorResponse>`, action)
	}
}

const fakeReport = `user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
a,arn:aws:iam::111122223333:user/a,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
b,arn:aws:iam::111122223333:user/b,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
`

func runAgainst(t *testing.T, f *fakeIAM, args ...string) clitest.Result {
	t.Helper()
	f.calls, f.markers = map[string]int{}, map[string]bool{}
	if f.report == "" {
		f.report = fakeReport
	}
	if f.pages == nil {
		f.pages = [][]string{{"a"}, {"b"}}
	}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	(&motoserver.Server{URL: srv.URL}).Env(t)
	return clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", append([]string{"scan", "-o", "json", "--as-of", "2026-11-23"}, args...)...)
}

func TestMissingPermissionExitsFourNamingTheAction(t *testing.T) {
	f := &fakeIAM{script: func(action string, n int) string {
		if action == "GetCredentialReport" {
			return "AccessDenied"
		}
		return ""
	}}
	res := runAgainst(t, f)
	if res.Code != 4 || !strings.Contains(res.Stderr, "missing permission iam:GetCredentialReport") {
		t.Errorf("exit %d stderr %q", res.Code, res.Stderr)
	}
}

func TestReportNotPresentIsGeneratedAndPaginatedDetailsAreMerged(t *testing.T) {
	f := &fakeIAM{script: func(action string, n int) string {
		if action == "GetCredentialReport" && n == 1 {
			return "ReportNotPresent"
		}
		return ""
	}}
	res := runAgainst(t, f)
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	// STARTED, then COMPLETE: at least two polls; and both detail pages.
	if f.calls["GenerateCredentialReport"] < 2 || len(f.markers) != 2 {
		t.Errorf("calls %v, pages %v: want 2 generate polls and 2 detail pages", f.calls, f.markers)
	}
	for _, u := range []string{`"user_id": "IDa"`, `"user_id": "IDb"`} {
		if !strings.Contains(res.Stdout, u) {
			t.Errorf("output lacks %s from the second page", u)
		}
	}
}

func TestThrottlingIsRetriedThenReported(t *testing.T) {
	f := &fakeIAM{script: func(action string, n int) string {
		if action == "GetAccountAuthorizationDetails" && n <= 2 {
			return "Throttling"
		}
		return ""
	}}
	if res := runAgainst(t, f); res.Code != 0 {
		t.Fatalf("two throttles then success: exit %d: %s", res.Code, res.Stderr)
	}
	f.script = func(action string, n int) string {
		if action == "GetAccountAuthorizationDetails" {
			return "Throttling"
		}
		return ""
	}
	res := runAgainst(t, f, "--max-attempts", "2")
	if res.Code != 1 || !strings.Contains(res.Stderr, "iam:GetAccountAuthorizationDetails throttled after all retries") {
		t.Errorf("exit %d stderr %q", res.Code, res.Stderr)
	}
	if f.calls["GetAccountAuthorizationDetails"] != 2 {
		t.Errorf("attempts %d, want 2", f.calls["GetAccountAuthorizationDetails"])
	}
}

func TestMissingCredentialsExitsFour(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", "scan", "-o", "json")
	if res.Code != 4 || !strings.Contains(res.Stderr, "no usable aws credentials") {
		t.Errorf("exit %d stderr %q", res.Code, res.Stderr)
	}
}

package scan_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// Issue 19.1: one quote in an IAM path switched the tool off for the whole
// account. Every path and name IAM allows is judged, with its neighbours,
// live and in the plan.
func TestLiveOddPathsAreJudgedWithTheirNeighbours(t *testing.T) {
	srv := motoserver.Shared(t)
	a := newLiveAccount(t, srv)
	odd := map[string]string{
		"quote":     `/a"b/`,
		"comma":     `/a,b/`,
		"a,b+c=d@e": "/!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~/",
		"plain":     "/",
	}
	for name, path := range odd {
		a.user(name, path, map[string]string{"owner": "team =+@:/.-_ x"})
		a.key(srv, name, false)
	}
	asOf := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	_, r := runScan(t, srv, "--as-of", asOf)
	got := map[string]scan.User{}
	for _, u := range r.Users {
		got[u.Name] = u
	}
	for name, path := range odd {
		u, ok := got[name]
		if !ok || u.Path != path || u.Status != scan.StatusUnused {
			t.Errorf("user %q: %+v (found %v), want path %q judged unused", name, u, ok, path)
		}
	}

	out := filepath.Join(t.TempDir(), "plan.json")
	res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", "plan", "--as-of", asOf, "--output-file", out)
	if res.Code != 0 {
		t.Fatalf("plan exit %d: %s", res.Code, res.Stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Actions []struct {
			User   string `json:"user"`
			Action string `json:"action"`
		} `json:"actions"`
	}
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	planned := map[string]string{}
	for _, act := range plan.Actions {
		planned[act.User] = act.Action
	}
	for name := range odd {
		if planned[name] != "disable" {
			t.Errorf("plan for %q = %q, want disable (plan %s)", name, planned[name], b)
		}
	}
}

// Issue 19.5: a missing directory for --output-file is found before any
// AWS call, named as the user gave it.
func TestOutputFileMissingDirectoryBeforeAnyAWSCall(t *testing.T) {
	var calls atomic.Int32
	aws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer aws.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	missing := filepath.Join(t.TempDir(), "nonexistent", "x.json")
	for _, cmd := range [][]string{{"scan"}, {"plan"}, {"evidence", "alice"}} {
		args := append(cmd, "--endpoint-url", aws.URL, "--output-file", missing)
		res := clitest.Run(motoserver.Ctx(t), root.Main, time.Now(), "", args...)
		if res.Code != 2 || !strings.Contains(res.Stderr, "does not exist") || !strings.Contains(res.Stderr, missing) || strings.Contains(res.Stderr, ".tmp-") {
			t.Errorf("%s: exit %d, stderr %q; want a usage error naming %s", cmd[0], res.Code, res.Stderr, missing)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d AWS call(s) before the output path was checked", n)
	}
}

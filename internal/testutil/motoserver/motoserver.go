// Package motoserver starts a private moto_server for integration tests: a
// real AWS API on a free loopback port, reset between tests.
package motoserver

import (
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamsweep/iamsweep/internal/testutil/iamproxy"
)

// AccountID is moto's default account.
const AccountID = "123456789012"

// Server is a running moto_server behind the IAM proxy.
type Server struct {
	// URL is the endpoint tests use: the proxy, which answers the IAM
	// calls moto lacks (service-specific credentials) in IAM's wire
	// protocol and enforces IAM's tag quota, and forwards the rest. Without
	// it every live read of a user's other credentials fails, and a user
	// whose credentials could not be read is rightly unknown.
	URL string
	// MotoURL is moto_server itself.
	MotoURL string
	// Proxy is the IAM proxy in front of moto (faults, holds, latency).
	Proxy     *iamproxy.Proxy
	stopProxy func()
	cmd       *exec.Cmd
	site      string // the directory of sitecustomize.py
}

// siteCustomize makes moto_server read its own package listing once
// instead of on every request (see the file for why and what it leaves).
//
//go:embed python/sitecustomize.py
var siteCustomize []byte

// sitePackages writes sitecustomize.py to a new directory for
// moto_server's PYTHONPATH.
func sitePackages() (string, error) {
	dir, err := os.MkdirTemp("", "motoserver-site-")
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "sitecustomize.py"), siteCustomize, 0o644)
}

// pythonPath puts site before any PYTHONPATH already set.
func pythonPath(site string) string {
	if old := os.Getenv("PYTHONPATH"); old != "" {
		return site + string(os.PathListSeparator) + old
	}
	return site
}

var (
	shared     *Server
	sharedErr  error
	sharedOnce sync.Once
)

// Shared returns one moto_server per test binary, started on first use and
// stopped by Stop (call it from TestMain). Without moto_server the test is
// skipped, except under CI=true where that is a failure. Under -short
// (the edit-test loop: unit tests only) it is skipped too, unless CI=true.
func Shared(t testing.TB) *Server {
	t.Helper()
	SkipIfShort(t)
	sharedOnce.Do(func() { shared, sharedErr = Start() })
	if sharedErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto_server is required in CI: %v", sharedErr)
		}
		t.Skipf("moto_server not available: %v", sharedErr)
	}
	return shared
}

// SkipIfShort skips an integration test under go test -short, except
// under CI=true, where every test runs.
func SkipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("integration test: skipped under -short")
	}
}

// StopShared stops the shared server if one was started.
func StopShared() {
	if shared != nil {
		shared.Stop()
	}
}

// Start runs moto_server on a free loopback port and waits until it answers.
func Start() (*Server, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, fmt.Errorf("moto_server not on PATH (install moto[server]==5.2.1): %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	site, err := sitePackages()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	// Step Functions in moto calls Lambda and S3 through MOTO_PORT.
	cmd.Env = append(os.Environ(), fmt.Sprintf("MOTO_PORT=%d", port), "PYTHONPATH="+pythonPath(site))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{MotoURL: fmt.Sprintf("http://127.0.0.1:%d", port), cmd: cmd, site: site}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.MotoURL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if s.Proxy, s.stopProxy, err = iamproxy.New(s.MotoURL); err != nil {
				s.Stop()
				return nil, err
			}
			s.URL = s.Proxy.URL
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("moto_server did not start on port %d: %s", port, logs.String())
}

// Stop kills the server and its children.
func (s *Server) Stop() {
	if s.stopProxy != nil {
		s.stopProxy()
	}
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
	if s.site != "" {
		_ = os.RemoveAll(s.site)
	}
}

// Reset drops every resource, so each test starts from an empty account.
func (s *Server) Reset(t testing.TB) {
	t.Helper()
	resp, err := http.Post(s.MotoURL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	s.Proxy.Reset()
}

// Config is an SDK configuration pointing at the server with dummy keys.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(s.URL),
	}
}

// Env sets the variables that point a child process or the default
// credential chain at the server for the rest of the test.
func (s *Server) Env(t testing.TB) {
	t.Setenv("AWS_ENDPOINT_URL", s.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
}

// Ctx returns a context bounded so a hung server fails the test.
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// RunWithManagedPolicies is a TestMain for packages whose tests change
// users: moto knows AWS managed policies (AWSDenyAll, which a disable
// attaches) only when told before it starts. It runs the tests, stops the
// shared server and returns the exit code for os.Exit.
func RunWithManagedPolicies(m *testing.M) int {
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	code := m.Run()
	StopShared()
	return code
}

package scan_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	scancmd "github.com/iamsweep/iamsweep/internal/cli/scan"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

var example = filepath.Join("..", "..", "..", "examples", "credential-report.csv")

func TestNewCmdScanParsesFlags(t *testing.T) {
	var got *scancmd.Options
	f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}}
	cmd := scancmd.NewCmdScan(f, func(_ context.Context, o *scancmd.Options) error { got = o; return nil })
	cmd.SetArgs(strings.Fields(`--credential-report r.csv --as-of 2026-01-02 --max-unused-days 45 --exclude ci-* --exclude bob --exclude-path /svc/ --exclude-tag team=x -o csv --output-file out.csv --fail-on high`))
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	fl := got.Flags
	if fl.CredentialReport != "r.csv" || fl.AsOf != "2026-01-02" || fl.MaxUnusedDays != 45 || fl.RotationDays != 90 ||
		strings.Join(fl.Excludes, ",") != "ci-*,bob" || fl.ExcludePaths[0] != "/svc/" || fl.ExcludeTags[0] != "team=x" ||
		got.Output != "csv" || got.OutputFile != "out.csv" || got.FailOn != "high" {
		t.Errorf("parsed options %+v", got)
	}
}

func runCLI(t *testing.T, stdin string, args ...string) clitest.Result {
	t.Helper()
	return clitest.Run(context.Background(), root.Main, time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC), stdin, args...)
}

func TestOfflineScanOfTheExample(t *testing.T) {
	res := runCLI(t, "", "scan", "--credential-report", example, "--as-of", "2026-11-23", "-o", "csv")
	if res.Code != 0 {
		t.Fatalf("exit %d: %s", res.Code, res.Stderr)
	}
	if !strings.HasPrefix(res.Stdout, "account_id,user_name,user_arn,rule,") || !strings.Contains(res.Stdout, "root-access-key") {
		t.Errorf("csv output:\n%s", res.Stdout)
	}
}

func TestReportFromStdinAndOutputFile(t *testing.T) {
	data, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "findings.md")
	res := runCLI(t, string(data), "scan", "--credential-report", "-", "--as-of", "2026-11-23", "--output-file", out)
	if res.Code != 0 || res.Stdout != "" || !strings.Contains(res.Stderr, "wrote ") {
		t.Fatalf("exit %d stdout %q stderr %q", res.Code, res.Stdout, res.Stderr)
	}
	md, _ := os.ReadFile(out)
	if !strings.HasPrefix(string(md), "# iamsweep scan") {
		t.Errorf("the .md file is not markdown:\n%.200s", md)
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	cases := map[string][]string{
		"bad as-of":        {"scan", "--credential-report", example, "--as-of", "last tuesday"},
		"bad output":       {"scan", "--credential-report", example, "-o", "xml"},
		"zero threshold":   {"scan", "--credential-report", example, "--max-unused-days", "0"},
		"unknown flag":     {"scan", "--frobnicate"},
		"bad fail-on":      {"scan", "--credential-report", example, "--fail-on", "severe"},
		"unknown command":  {"sweep"},
		"bad glob":         {"scan", "--credential-report", example, "--exclude", "[a"},
		"missing config":   {"scan", "--credential-report", example, "--config", "/nonexistent.yaml"},
		"ssm with offline": {"scan", "--credential-report", example, "--exclusions-ssm", "/x"},
	}
	for name, args := range cases {
		res := runCLI(t, "", args...)
		if res.Code != 2 || !strings.HasPrefix(res.Stderr, "iamsweep: ") {
			t.Errorf("%s: exit %d stderr %q, want 2", name, res.Code, res.Stderr)
		}
	}
}

func TestMalformedReportExitsOneNamingLine(t *testing.T) {
	bad := "user,arn\nbob,arn:aws:iam::1:user/bob\n"
	res := runCLI(t, bad, "scan", "--credential-report", "-", "--as-of", "2026-11-23")
	if res.Code != 1 || !strings.Contains(res.Stderr, "credential report line 1") || !strings.Contains(res.Stderr, "password_enabled") {
		t.Errorf("exit %d stderr %q", res.Code, res.Stderr)
	}
}

func TestVersionAndCompletion(t *testing.T) {
	if res := runCLI(t, "", "version"); res.Code != 0 || !strings.HasPrefix(res.Stdout, "iamsweep ") {
		t.Errorf("version: %+v", res)
	}
	if res := runCLI(t, "", "completion", "bash"); res.Code != 0 || !strings.Contains(res.Stdout, "__start_iamsweep") {
		t.Errorf("completion bash: exit %d", res.Code)
	}
}

// One row that cannot be read does not sink the scan: the others are
// judged and written, the row is named, and the exit is 1.
func TestBadRowJudgesTheRestAndExitsOne(t *testing.T) {
	data, err := os.ReadFile("../../../examples/credential-report.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	fields := strings.Split(lines[len(lines)-1], ",")
	lines = append(lines,
		"a,b,arn:aws:iam::"+strings.Split(fields[1], ":")[4]+":user/a,b,"+strings.Join(fields[2:], ","), // mended from its ARN
		"c,d,"+strings.Join(fields[1:], ","), // cannot be mended
	)
	res := runCLI(t, strings.Join(lines, "\n")+"\n", "scan", "--credential-report", "-", "--as-of", "2026-11-23", "-o", "json")
	if res.Code != 1 || !strings.Contains(res.Stderr, "1 credential report row(s) could not be read") ||
		!strings.Contains(res.Stderr, fmt.Sprintf("line %d", len(lines))) {
		t.Errorf("exit %d stderr %q", res.Code, res.Stderr)
	}
	if !strings.Contains(res.Stdout, `"name": "a,b"`) || !strings.Contains(res.Stdout, `"bad_rows"`) {
		t.Errorf("stdout lacks the mended user or bad_rows:\n%.2000s", res.Stdout)
	}
}

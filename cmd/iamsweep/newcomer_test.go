package main

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/clitest"
)

// What a newcomer tries in the first hour: each case gives the exit code
// and the words they need to see.
func TestNewcomerCommands(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	cases := []struct {
		args        []string
		code        int
		out, errOut string
		notErr      string
	}{
		{args: []string{"--version"}, code: 0, out: "iamsweep "},
		{args: []string{"completion", "foo"}, code: 2, errOut: `unknown shell "foo"`},
		{args: []string{"completion"}, code: 2, errOut: "name one shell"},
		{args: []string{"completion", "bash"}, code: 0, out: "bash completion"},
		{args: []string{"completion", "--help"}, code: 0, out: "source <(iamsweep completion bash)"},
		{args: []string{"version", "--help"}, code: 0, out: "iamsweep --version"},
		{args: []string{"scan", "--no-such-flag"}, code: 2, errOut: "run 'iamsweep scan --help' for usage", notErr: "run 'iamsweep --help'"},
		{args: []string{"scan", "--endpoint-url", "127.0.0.1:4566", "--credential-report", "../../examples/credential-report.csv"}, code: 2, errOut: "e.g. http://127.0.0.1:4566"},
		{args: []string{"scan", "--credential-report", "../../examples/credential-report.csv", "--as-of", "2026-11-23", "--output-file", "-", "-o", "json"}, code: 0, out: `"schema_version": 1`},
		{args: []string{"scan", "--credential-report", "../../examples/credential-report.csv", "--output-file", "testdata"}, code: 2, errOut: "--output-file testdata is a directory"},
		{args: []string{"scan", "--credential-report", "../../examples/credential-report.csv", "--as-of", "2020-01-01", "-o", "json"}, code: 0, errOut: "before the report's own dates"},
		// issue 22: one exit code per kind of failure, the file named with
		// what it looks like instead.
		{args: []string{"scan", "--credential-report", "testdata/no-such-report.csv"}, code: 2, errOut: "no such file"},
		{args: []string{"apply", "testdata/no-such-plan.json"}, code: 2, errOut: "no such file"},
		{args: []string{"scan", "--credential-report", "../../internal/htmlreport/testdata/example-scan.json"}, code: 2, errOut: "example-scan.json is an iamsweep scan, not an IAM credential report"},
		{args: []string{"scan", "--credential-report", "../../internal/htmlreport/testdata/example.golden.html"}, code: 2, errOut: "is an HTML page, not an IAM credential report"},
		{args: []string{"apply", "../../internal/htmlreport/testdata/example.golden.html"}, code: 2, errOut: "this is an HTML page, not an iamsweep plan"},
		{args: []string{"apply", "../../internal/htmlreport/testdata/example-scan.json"}, code: 2, errOut: "this is an iamsweep scan, not an iamsweep plan"},
		{args: []string{"scan", "-o", "yaml"}, code: 2, errOut: "markdown, html or asff"},
		{args: []string{"report", "../../internal/htmlreport/testdata/example-scan.json", "-o", "report.html"}, code: 2, errOut: "use --output-file report.html"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			res := clitest.Run(context.Background(), root.Main, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), "", c.args...)
			if res.Code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", res.Code, c.code, res.Stdout, res.Stderr)
			}
			if !strings.Contains(res.Stdout, c.out) {
				t.Errorf("stdout lacks %q:\n%s", c.out, res.Stdout)
			}
			if !strings.Contains(res.Stderr, c.errOut) {
				t.Errorf("stderr lacks %q:\n%s", c.errOut, res.Stderr)
			}
			if c.notErr != "" && strings.Contains(res.Stderr, c.notErr) {
				t.Errorf("stderr has %q:\n%s", c.notErr, res.Stderr)
			}
		})
	}
	res := clitest.Run(context.Background(), root.Main, time.Now(), "", "--version")
	if strings.Contains(res.Stdout, "version iamsweep") {
		t.Errorf("--version prints %q", res.Stdout)
	}
}

// Each command shows only the flags it uses.
func TestCommandsShowOnlyTheirFlags(t *testing.T) {
	for cmd, absent := range map[string][]string{
		"restore":  {"--key-ids", "--exclude", "--max-unused-days", "--config"},
		"recreate": {"--key-ids", "--exclude", "--max-unused-days"},
		"delete":   {"--key-ids", "--max-unused-days", "--rotation-days"},
		"disable":  {"--key-ids", "--max-unused-days"},
		"apply":    {"--key-ids", "--max-unused-days"},
	} {
		res := clitest.Run(context.Background(), root.Main, time.Now(), "", cmd, "--help")
		for _, flag := range absent {
			if strings.Contains(res.Stdout, flag+" ") || strings.Contains(res.Stdout, flag+"=") {
				t.Errorf("%s --help lists %s, which it does not use", cmd, flag)
			}
		}
	}
	if res := clitest.Run(context.Background(), root.Main, time.Now(), "", "scan", "--help"); !strings.Contains(res.Stdout, "--key-ids") {
		t.Error("scan lost --key-ids")
	}
}

// A closed port fails at once with what to check, instead of ten attempts
// with backoff and "exceeded maximum number of attempts".
func TestUnreachableEndpointFailsAtOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_ENDPOINT_URL": "",
	} {
		t.Setenv(k, v)
	}
	res := clitest.Run(context.Background(), root.Main, time.Now(), "", "scan", "--endpoint-url", "http://"+addr, "-o", "json")
	if res.Code != 1 || !strings.Contains(res.Stderr, "cannot reach http://"+addr) || strings.Contains(res.Stderr, "maximum number of attempts") {
		t.Errorf("exit %d: %s", res.Code, res.Stderr)
	}
}

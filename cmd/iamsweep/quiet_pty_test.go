package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/creack/pty"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// TestMain lets the test binary be iamsweep itself, so the pty test runs
// the real main path (real streams, real terminal detection).
func TestMain(m *testing.M) {
	if os.Getenv("IAMSWEEP_AS_MAIN") == "1" {
		os.Exit(root.Main(context.Background(), cmdutil.New(), os.Args[1:]))
	}
	os.Exit(m.Run())
}

// onPTY runs iamsweep args on a pseudo-terminal (stdout and stderr both)
// and returns what a person would see.
func onPTY(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "IAMSWEEP_AS_MAIN=1", "TERM=xterm")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, tty) // ends with EIO when the child exits
	return out.String(), cmd.Wait()
}

// With -q a live scan on a terminal prints its table and nothing else:
// no progress line, no log line, no SDK warning ("failed to discard
// remaining HTTP response body" leaked before, issue 22); an error is
// iamsweep's own line.
func TestQuietPrintsOnlyTheResultAndOwnErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("moto test skipped with -short")
	}
	srv, err := motoserver.Start()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer srv.Stop()
	srv.Env(t)
	api := iam.NewFromConfig(srv.Config())
	for _, name := range []string{"alice", "ci-legacy", "eve.martin+contractor@example.com"} {
		if _, err := api.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := onPTY(t, "scan", "-q", "--key-ids=false")
	if err != nil {
		t.Fatalf("scan -q: %v\n%s", err, got)
	}
	if !strings.Contains(got, "3 users") {
		t.Errorf("the table is missing:\n%s", got)
	}
	for _, noise := range []string{"level=", "aws-sdk", "failed to discard", "generating the credential report", "\r"} {
		if noise == "\r" {
			// A live progress line redraws with a carriage return not
			// followed by a newline.
			if strings.Contains(strings.ReplaceAll(got, "\r\n", "\n"), "\r") {
				t.Errorf("a redrawn progress line with -q:\n%q", got)
			}
			continue
		}
		if strings.Contains(got, noise) {
			t.Errorf("-q output has %q:\n%s", noise, got)
		}
	}
	got, err = onPTY(t, "scan", "-q", "--credential-report", "testdata/no-such-report.csv")
	if err == nil {
		t.Fatal("a missing report succeeded")
	}
	lines := strings.Split(strings.TrimSpace(strings.ReplaceAll(got, "\r\n", "\n")), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "iamsweep: ") && !strings.HasPrefix(l, "run 'iamsweep scan --help'") {
			t.Errorf("-q on an error printed %q, which is not iamsweep's own", l)
		}
	}
}

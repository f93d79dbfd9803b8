package progress

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// The helper process is a tiny command with one slow stage; the tests run it
// on a pseudo-terminal and through a pipe, as a person and a script would.
func TestMain(m *testing.M) {
	switch os.Getenv("PROGRESS_HELPER") {
	case "1":
		helper()
		return
	case "accounts":
		accountsHelper()
		return
	}
	os.Exit(m.Run())
}

func helper() {
	quiet := os.Getenv("PROGRESS_QUIET") == "1"
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	r := New(Options{Mode: ModeFor(os.Stderr, quiet), Out: os.Stderr, Logger: logger})
	ctx := NewContext(context.Background(), r)
	s := Start(ctx, "generating the credential report")
	time.Sleep(1500 * time.Millisecond) // the slow stage
	s.Set("CloudTrail us-east-1: 3/10 users")
	time.Sleep(300 * time.Millisecond)
	s.Done()
	quick := Start(ctx, "a quick stage")
	quick.Done()
	r.Close()
	_, _ = os.Stdout.WriteString("RESULT\n")
}

func helperCmd(t *testing.T, quiet bool) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PROGRESS_HELPER=1", "TERM=xterm")
	if quiet {
		cmd.Env = append(cmd.Env, "PROGRESS_QUIET=1")
	}
	return cmd
}

func TestSlowStageShowsItsLineOnATerminal(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	cmd := helperCmd(t, false)
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, tty) // ends with EIO when the child exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"generating the credential report", "CloudTrail us-east-1: 3/10 users", "done", "RESULT"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
	if strings.Contains(got, "a quick stage") {
		t.Errorf("a stage that ended at once was shown:\n%q", got)
	}
	if strings.Contains(got, "level=INFO") {
		t.Errorf("log lines on a terminal that shows progress:\n%q", got)
	}
}

func TestPipedStderrGetsOneLogLinePerStage(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	cmd := helperCmd(t, false)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "generating the credential report") || !strings.Contains(lines[1], "a quick stage") {
		t.Errorf("stderr through a pipe: want one info line per stage, got:\n%s", stderr.String())
	}
	if strings.ContainsAny(stderr.String(), "\x1b\r") {
		t.Errorf("terminal control characters in a pipe: %q", stderr.String())
	}
	if stdout.String() != "RESULT\n" {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestQuietShowsNothing(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	cmd := helperCmd(t, true)
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, tty)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	if got := strings.TrimSpace(out.String()); got != "RESULT" {
		t.Errorf("--quiet on a terminal printed %q", got)
	}
}

func TestNilReporterAndStageDoNothing(t *testing.T) {
	var r *Reporter
	s := r.Stage("x")
	s.Set("y")
	s.Done()
	s.Fail()
	r.Close()
	Start(context.Background(), "z").Done()
}

func TestTerminalWithoutStagesWritesNothing(t *testing.T) {
	var buf bytes.Buffer
	r := New(Options{Mode: Terminal, Out: &buf})
	quick := r.Stage("over before it shows")
	quick.Done()
	r.Close()
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
}

func TestThrottledNotesTheLiveLines(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	var buf bytes.Buffer
	r := New(Options{Mode: Terminal, Out: &buf, ShowAfter: time.Hour})
	defer r.Close()
	s := r.Stage("CloudTrail: 3/10 user lookups")
	s.show() // as if it had lasted ShowAfter
	r.Throttled()
	s.mu.Lock()
	msg := s.tracker.Message
	s.mu.Unlock()
	if msg != "CloudTrail: 3/10 user lookups (throttled, retrying)" {
		t.Errorf("line %q", msg)
	}
	s.Set("CloudTrail: 4/10 user lookups")
	s.Done()
	var nilR *Reporter
	nilR.Throttled()
}

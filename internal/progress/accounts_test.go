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

// accountsHelper is an organization run of three accounts, one failing,
// with a throttled call in the middle and --debug logs on stderr.
func accountsHelper() {
	quiet := os.Getenv("PROGRESS_QUIET") == "1"
	level := slog.LevelInfo
	if os.Getenv("PROGRESS_DEBUG") == "1" {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	r := New(Options{Mode: ModeFor(os.Stderr, quiet), Out: os.Stderr, Logger: logger, ShowAfter: -1})
	ctx := NewContext(context.Background(), r)
	line := FromContext(ctx).Accounts(3)
	time.Sleep(300 * time.Millisecond)
	line.Finished(false, 250, 40, true)
	time.Sleep(300 * time.Millisecond)
	r.Throttled()
	time.Sleep(300 * time.Millisecond)
	line.Finished(true, 0, 0, false)
	logger.Debug("account failed", "account", "222222222222")
	time.Sleep(300 * time.Millisecond)
	line.Finished(false, 100, 2, true)
	time.Sleep(300 * time.Millisecond)
	line.End()
	r.Close()
	_, _ = os.Stdout.WriteString("RESULT\n")
}

func accountsCmd(env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "PROGRESS_HELPER=accounts", "TERM=xterm"), env...)
	return cmd
}

func runOnPTY(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 120})
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer tty.Close()
	var out bytes.Buffer
	_, _ = io.Copy(&out, tty)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v\n%s", err, out.String())
	}
	return out.String()
}

func TestAccountsLineOnATerminal(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	got := runOnPTY(t, accountsCmd())
	for _, want := range []string{
		"accounts: 1/3 done · 250 users · 40 findings",
		"40 findings (throttled", // the note, cut to the line's width
		"accounts: 2/3 done, 1 failed · 250 users · 40 findings",
		"accounts: 3/3 done, 1 failed · 350 users · 42 findings",
		"failed", "RESULT",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got)
		}
	}
}

func TestAccountsLineKeepsDebugLogs(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	got := runOnPTY(t, accountsCmd("PROGRESS_DEBUG=1"))
	for _, want := range []string{"accounts: 3/3 done, 1 failed", "level=DEBUG msg=\"account failed\" account=222222222222"} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal output with debug logs lacks %q:\n%q", want, got)
		}
	}
}

func TestAccountsLineQuietAndPiped(t *testing.T) {
	t.Parallel() // a helper process each, waiting on real time
	if got := strings.TrimSpace(runOnPTY(t, accountsCmd("PROGRESS_QUIET=1"))); got != "RESULT" {
		t.Errorf("--quiet on a terminal printed %q", got)
	}
	cmd := accountsCmd()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("helper: %v\n%s", err, stderr.String())
	}
	// Through a pipe: one info line when the run starts, no live line.
	if strings.ContainsAny(stderr.String(), "\x1b\r") || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "accounts: 0/3 done") {
		t.Errorf("stderr through a pipe: %q", stderr.String())
	}
}

func TestNilAccountsDoNothing(t *testing.T) {
	var r *Reporter
	a := r.Accounts(3)
	a.Finished(true, 1, 1, true)
	a.End()
}

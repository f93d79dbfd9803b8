package lambdafn_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/lambdafn"
)

// moveClock gives the function a clock the test moves: it returns a
// setter of the offset from the real clock. A test that sends a scheduled
// event days ahead moves the function's clock by as much, since the
// changing stages refuse an event time ahead of the clock.
func moveClock(t *testing.T, env map[string]string) func(time.Duration) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "clock-offset")
	env[lambdafn.EnvTestOnlyClockFile] = path
	return func(d time.Duration) {
		t.Helper()
		if err := os.WriteFile(path, []byte(d.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDeployedBinaryRefusesTheTestClock builds the binary with the tags it
// is deployed with (lambda.norpc, no iamsweep_testclock; the cgo setting is
// the test run's, as in bootstrap) and starts it with the test clock set:
// it must exit at start-up, before asking for an event.
func TestDeployedBinaryRefusesTheTestClock(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-ldflags=-s -w", "-o", bin, "../../cmd/iamsweep")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// The runtime address answers nothing: the binary must not get as far.
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=127.0.0.1:1", "HOME=" + t.TempDir(),
		lambdafn.EnvTestOnlyClockFile + "=" + filepath.Join(t.TempDir(), "clock-offset")}
	out, err := cmd.CombinedOutput()
	if err == nil || ctx.Err() != nil {
		t.Fatalf("exit %v (timeout %v), want a failure at start-up:\n%s", err, ctx.Err(), out)
	}
	if !strings.Contains(string(out), "IAMSWEEP_TEST_ONLY_CLOCK_FILE is set, but this binary was not built for tests") {
		t.Errorf("output:\n%s", out)
	}
}

package lambdafn_test

import (
	"os"
	"path/filepath"
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

package lambdafn

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// EnvTestOnlyClockFile is for the runtime tests, never for a deployed
// function: it names a file holding a Go duration ("480h") added to the
// real clock, read at every reading of the clock, so a test that moves
// the scheduled event's time forward moves the function's clock with it
// (the changing stages refuse an event time ahead of the clock). An absent
// or empty file is no offset. Only a binary built with the
// iamsweep_testclock build tag honours it; any other refuses to start
// when it is set, so a deployed function always runs on the real clock.
const EnvTestOnlyClockFile = "IAMSWEEP_TEST_ONLY_CLOCK_FILE"

// testClock returns the test clock, or nil (the real clock) when the
// variable is unset.
func testClock(getenv func(string) string) (func() time.Time, error) {
	path := strings.TrimSpace(getenv(EnvTestOnlyClockFile))
	if path == "" {
		return nil, nil
	}
	if !testClockBuild {
		return nil, fmt.Errorf("%s is set, but this binary was not built for tests (build tag iamsweep_testclock): unset it; a deployed function runs on the real clock", EnvTestOnlyClockFile)
	}
	return func() time.Time {
		b, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			panic(fmt.Sprintf("%s: %v", EnvTestOnlyClockFile, err))
		}
		var d time.Duration
		if s := strings.TrimSpace(string(b)); s != "" {
			if d, err = time.ParseDuration(s); err != nil {
				panic(fmt.Sprintf("%s: %v", EnvTestOnlyClockFile, err))
			}
		}
		return time.Now().Add(d)
	}, nil
}

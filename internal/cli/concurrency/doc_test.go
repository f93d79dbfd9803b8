// Package concurrency_test guards iamsweep's speed against seriality: a
// loop that makes one AWS call per user must run under the engine's
// concurrency (internal/par). It fails on a serial loop, not on time.
package concurrency_test

import (
	"os"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	// apply attaches AWSDenyAll, which moto knows only when asked.
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

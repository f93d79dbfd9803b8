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
	os.Exit(motoserver.RunWithManagedPolicies(m))
}

// Package race_test races iamsweep's changing commands against each other
// and against a throttling storm, in moto. These tests mostly wait (on
// throttled calls, backoffs, a second run's delay), so they run as their
// own test binary, beside the CPU-bound ones of the retire package instead
// of after them.
package race_test

import (
	"os"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	os.Exit(motoserver.RunWithManagedPolicies(m))
}

package remediate_test

import (
	"os"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	os.Exit(motoserver.RunWithManagedPolicies(m))
}

package remediate_test

import (
	"os"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	// moto knows AWS managed policies such as AWSDenyAll only when asked.
	os.Setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

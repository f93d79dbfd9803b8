package migrate_test

import (
	"os"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.StopShared()
	os.Exit(code)
}

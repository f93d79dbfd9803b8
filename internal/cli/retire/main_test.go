package retire_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/iamsweep/iamsweep/internal/testutil/motoserver"
)

// goldenDir is absolute: tests change directory.
var goldenDir, _ = filepath.Abs("testdata")

func TestMain(m *testing.M) {
	if args := os.Getenv("IAMSWEEP_PTY_ARGS"); args != "" {
		os.Exit(ptyHelper(args)) // the binary, run under a pseudo-terminal
	}
	os.Exit(motoserver.RunWithManagedPolicies(m))
}

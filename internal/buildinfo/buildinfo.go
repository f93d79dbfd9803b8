// Package buildinfo says which build of iamsweep is running, for the
// version command, the Lambda's start-up log and SARIF output.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with
// -ldflags "-X github.com/iamsweep/iamsweep/internal/buildinfo.Version=v1.2.3".
var Version = "dev"

// String describes the build.
func String() string {
	v := Version
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return fmt.Sprintf("iamsweep %s (%s, %s/%s)", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

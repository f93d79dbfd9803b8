//go:build iamsweep_testclock

package lambdafn

// testClockBuild: this binary was built for the runtime tests.
const testClockBuild = true

//go:build !iamsweep_testclock

package lambdafn

// testClockBuild: this binary ignores no clock variable; it refuses one.
const testClockBuild = false

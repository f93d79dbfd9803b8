// Package clitest runs the iamsweep command tree in-process with captured
// streams, as a person or a pipeline would run the binary.
package clitest

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
)

// Result is one run's exit code and output.
type Result struct {
	Code   int
	Stdout string
	Stderr string
}

// Runner is the entry point to test (root.Main); passed in to avoid an
// import cycle with the packages under test.
type Runner func(ctx context.Context, f *cmdutil.Factory, args []string) int

// Run executes args with stdin and the given real clock.
func Run(ctx context.Context, main Runner, now time.Time, stdin string, args ...string) Result {
	var out, errOut bytes.Buffer
	f := &cmdutil.Factory{
		IO:  &cmdutil.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut},
		Now: func() time.Time { return now },
	}
	code := main(ctx, f, args)
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// Command iamsweep finds, proves and safely retires unused AWS IAM users.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
)

func main() {
	if os.Getenv("GOGC") == "" {
		// A run is a short batch: half the collections for a little more
		// memory cut the offline 5,000-user scan's CPU by ~25% (BENCHMARKS.md).
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if lambdafn.InLambda() {
		// The same binary, deployed as a Lambda function's bootstrap.
		if err := lambdafn.Serve(ctx); err != nil {
			os.Exit(1)
		}
		return
	}
	code := root.Main(ctx, cmdutil.New(), os.Args[1:])
	stop()
	os.Exit(code)
}

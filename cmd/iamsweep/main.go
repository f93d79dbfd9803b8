// Command iamsweep finds, proves and safely retires unused AWS IAM users.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
	"github.com/iamsweep/iamsweep/internal/lambdafn"
	"github.com/iamsweep/iamsweep/internal/lambdafn/stages"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	if lambdafn.InLambda() {
		// The same binary, deployed as a Lambda function's bootstrap.
		if err := lambdafn.Serve(ctx, stages.New()); err != nil {
			os.Exit(1)
		}
		return
	}
	code := root.Main(ctx, cmdutil.New(), os.Args[1:])
	stop()
	os.Exit(code)
}

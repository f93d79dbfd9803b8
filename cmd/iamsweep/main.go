// Command iamsweep finds, proves and safely retires unused AWS IAM users.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/iamsweep/iamsweep/internal/cli/cmdutil"
	"github.com/iamsweep/iamsweep/internal/cli/root"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := root.Main(ctx, cmdutil.New(), os.Args[1:])
	stop()
	os.Exit(code)
}

package lambdafn

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/buildinfo"
)

// RuntimeAPIEnv is set by Lambda; its presence switches the binary to
// Lambda mode.
const RuntimeAPIEnv = "AWS_LAMBDA_RUNTIME_API"

// InLambda reports whether the process runs under a Lambda runtime.
func InLambda() bool { return os.Getenv(RuntimeAPIEnv) != "" }

// Serve runs the Lambda runtime loop. It returns only if the settings are
// wrong at start-up (the function then fails to initialise, visibly, in
// its logs); otherwise the loop runs until Lambda stops the process.
func Serve(ctx context.Context) error {
	env, err := ReadEnv(os.Getenv)
	if err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("bad configuration", "error", err.Error())
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: env.LogLevel}))
	// aws-lambda-go reports handler errors through the standard log
	// package; this turns those lines into JSON too.
	slog.SetDefault(log)
	now, err := testClock(os.Getenv)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		return err
	}
	h := &Handler{Getenv: os.Getenv, Log: log, Now: now}
	var (
		once    sync.Once
		clients *Clients
		calls   *awsx.CallLog
		cerr    error
	)
	h.Clients = func(ctx context.Context) (*Clients, error) {
		once.Do(func() {
			f, err := awsx.NewFactory(ctx, awsx.Options{})
			if err != nil {
				cerr = err
				return
			}
			calls = f.Calls
			// The engine builds the collector and the IAM client from f,
			// with the settings' parallelism.
			clients = &Clients{SSM: f.SSM(), SNS: f.SNS(), Config: f.ConfigService(), AWS: f}
		})
		return clients, cerr
	}
	// Fail at start-up, not at the first 3 a.m. run, when the settings ask
	// for what this build cannot do or the config parameter is wrong.
	c, err := h.Clients(ctx)
	if err == nil {
		_, err = h.loadSettings(ctx, c.SSM)
	}
	if err == nil {
		err = h.checkOrgStartup(ctx, c)
	}
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		return fmt.Errorf("start-up: %w", err)
	}
	log.Info("ready", "version", buildinfo.String())
	invoke := func(ctx context.Context, payload json.RawMessage) (any, error) {
		out, err := h.Invoke(ctx, payload)
		if calls != nil {
			log.Debug("aws calls", "total", calls.Total(""), "by_action", calls.Counts())
		}
		return out, err
	}
	lambda.StartWithOptions(invoke, lambda.WithContext(ctx))
	return nil
}

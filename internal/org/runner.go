package org

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// DefaultParallel is --parallel-accounts' default.
const DefaultParallel = 8

// Account run statuses.
const (
	StatusOK       = "ok"
	StatusFailed   = "failed"
	StatusCanceled = "canceled"
)

// Result is how one account went. Value is the work's result (nil-able
// when it failed); Error is the reason, for people and the JSON output.
type Result[T any] struct {
	Account  Account
	Status   string
	Error    string
	Err      error `json:"-"`
	Value    T
	Duration time.Duration
}

// Work is the per-account function: the same pipeline as a single-account
// run, given the account's configuration.
type Work[T any] func(ctx context.Context, acct Account, cfg aws.Config) (T, error)

// Configurer gives an account's configuration; *Access is one.
type Configurer interface {
	Config(ctx context.Context, account string) (aws.Config, error)
}

// Runner runs Work in many accounts.
type Runner struct {
	// Parallel accounts at once; zero is DefaultParallel.
	Parallel int
	// Access gives each account its configuration.
	Access Configurer
	// AccountTimeout, when positive, bounds one account's work: a report
	// that never completes fails that account, not the run.
	AccountTimeout time.Duration
}

// Summary counts accounts by status.
type Summary struct {
	Total, OK, Failed, Canceled int
}

// Err is a *FailedAccountsError when some accounts failed, the context's
// error when the run was cancelled, else nil.
func (s Summary) Err() error {
	if s.Failed > 0 {
		return &FailedAccountsError{Failed: s.Failed, Total: s.Total}
	}
	if s.Canceled > 0 {
		return context.Canceled
	}
	return nil
}

// FailedAccountsError says some accounts failed while the others
// completed; the engine maps it to its own exit code.
type FailedAccountsError struct{ Failed, Total int }

func (e *FailedAccountsError) Error() string {
	return fmt.Sprintf("%d of %d account(s) failed: see each account's error in the output, fix it (usually the member role) and run again with --accounts", e.Failed, e.Total)
}

// Run calls work once per account, at most Parallel at a time, and emits
// each result in the order of accounts as soon as it and all before it
// are done. At most 2×Parallel results wait to be emitted, so memory does
// not grow with the number of accounts: emit should write the account's
// part of the output and let it go.
//
// A failing account (its role cannot be assumed, work returns an error or
// panics, AccountTimeout passes) is emitted as failed and the others go
// on. When ctx is cancelled no new account starts; accounts not started
// are emitted as canceled, and Run returns after the running ones stop.
// An error from emit stops the run the same way and is returned.
func Run[T any](ctx context.Context, r Runner, accounts []Account, work Work[T], emit func(Result[T]) error) (Summary, error) {
	parallel := r.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	running := make(chan struct{}, parallel)
	window := make(chan struct{}, 2*parallel)
	type slot struct {
		res  chan Result[T]
		held bool // holds a window token, released once emitted
	}
	slots := make(chan slot, 2*parallel)
	canceled := func(acct Account) Result[T] {
		return Result[T]{Account: acct, Status: StatusCanceled, Error: "not started: the run was cancelled", Err: context.Cause(ctx)}
	}

	go func() {
		defer close(slots)
		for _, acct := range accounts {
			s := slot{res: make(chan Result[T], 1)}
			// Take a window token before starting: results leave in
			// order, so a slow account holds back at most 2×Parallel.
			select {
			case window <- struct{}{}:
				s.held = true
			case <-ctx.Done():
			}
			if !s.held || ctx.Err() != nil {
				s.res <- canceled(acct)
				slots <- s
				continue
			}
			slots <- s
			select {
			case running <- struct{}{}:
			case <-ctx.Done():
				s.res <- canceled(acct)
				continue
			}
			go func() {
				defer func() { <-running }()
				s.res <- runOne(ctx, r, acct, work)
			}()
		}
	}()

	var sum Summary
	var emitErr error
	for s := range slots {
		res := <-s.res
		if s.held {
			<-window
		}
		sum.Total++
		switch res.Status {
		case StatusOK:
			sum.OK++
		case StatusFailed:
			sum.Failed++
		default:
			sum.Canceled++
		}
		if emitErr == nil {
			if err := emit(res); err != nil {
				emitErr = err
				cancel()
			}
		}
	}
	return sum, emitErr
}

func runOne[T any](ctx context.Context, r Runner, acct Account, work Work[T]) (res Result[T]) {
	start := time.Now()
	res.Account = acct
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.Err = StatusFailed, fmt.Errorf("internal error in account %s: %v\n%s", acct.ID, p, debug.Stack())
			res.Error = fmt.Sprintf("internal error: %v (please report it)", p)
		}
		res.Duration = time.Since(start)
	}()
	if r.AccountTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, r.AccountTimeout, fmt.Errorf("account %s did not finish within %s", acct.ID, r.AccountTimeout))
		defer cancel()
	}
	var cfg aws.Config
	var err error
	if r.Access != nil {
		cfg, err = r.Access.Config(ctx, acct.ID)
	}
	if err == nil {
		res.Value, err = work(ctx, acct, cfg)
	}
	switch {
	case err == nil:
		res.Status = StatusOK
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		res.Status, res.Err, res.Error = StatusCanceled, err, "stopped: the run was cancelled"
	case ctx.Err() != nil && context.Cause(ctx) != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.Status, res.Err, res.Error = StatusFailed, err, context.Cause(ctx).Error()
	default:
		res.Status, res.Err, res.Error = StatusFailed, err, err.Error()
	}
	return res
}

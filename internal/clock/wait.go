package clock

import (
	"context"
	"errors"
	"time"
)

// Clock is the time a rate limiter and a poller see; tests pass a fake.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// Real is the wall clock.
type Real struct{}

// Now returns the current time.
func (Real) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (Real) Sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d) }

// Or is c, or the wall clock when c is nil (a zero-valued option).
func Or(c Clock) Clock {
	if c == nil {
		return Real{}
	}
	return c
}

// Sleep waits d or until ctx is done, whichever comes first; it is the one
// wait every retry, backoff and poll goes through, so a cancelled run
// never sits out a timer.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is how Poll waits between looks: First, doubling up to Max, for
// at most Timeout in all.
type Backoff struct {
	First, Max, Timeout time.Duration
}

// ErrPollTimeout is Poll's answer when the next wait would pass the
// timeout; callers wrap it with what was still running and what to do.
var ErrPollTimeout = errors.New("still running at the time limit")

// Poll calls check until it reports done or fails, waiting between calls
// as b says. AWS's asynchronous jobs (credential report, Access Advisor,
// Athena, policy generation) all end this way: a job finishes, fails, or
// the run gives up before the limit rather than after it.
func Poll(ctx context.Context, c Clock, b Backoff, check func(ctx context.Context) (done bool, err error)) error {
	c = Or(c)
	deadline := c.Now().Add(b.Timeout)
	wait := b.First
	for {
		done, err := check(ctx)
		if err != nil || done {
			return err
		}
		if c.Now().Add(wait).After(deadline) {
			return ErrPollTimeout
		}
		if err := c.Sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(wait*2, b.Max)
	}
}

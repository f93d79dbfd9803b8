// Package ratelimit spaces AWS calls to a quota (a token bucket in the SDK's
// middleware stack), so a run stays under it instead of earning throttles.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"

	"github.com/iamsweep/iamsweep/internal/clock"
)

// Limiter is a token bucket holding at most Burst tokens, refilled at Rate
// per second. Wait takes one token, sleeping until one is available.
type Limiter struct {
	clk      clock.Clock
	interval time.Duration
	burst    float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// New allows rate requests per second with bursts of burst (>= 1).
// The bucket starts full.
func New(rate float64, burst int, clk clock.Clock) *Limiter {
	if burst < 1 {
		burst = 1
	}
	return &Limiter{clk: clock.Or(clk), interval: time.Duration(float64(time.Second) / rate), burst: float64(burst), tokens: float64(burst)}
}

// Wait blocks until the caller may send one request.
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clk.Now()
	if !l.last.IsZero() {
		l.tokens += float64(now.Sub(l.last)) / float64(l.interval)
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	// Taking the token now, even if it goes negative, reserves this
	// caller's slot: concurrent callers queue behind it in order.
	l.tokens--
	var wait time.Duration
	if l.tokens < 0 {
		wait = time.Duration(-l.tokens * float64(l.interval))
	}
	l.mu.Unlock()
	return l.clk.Sleep(ctx, wait)
}

// Middleware waits for the limiter before every attempt of an SDK call,
// retries included (it sits after the retry middleware).
func (l *Limiter) Middleware(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("iamsweepRateLimit",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if err := l.Wait(ctx); err != nil {
				return middleware.FinalizeOutput{}, middleware.Metadata{}, err
			}
			return next.HandleFinalize(ctx, in)
		}), "Retry", middleware.After)
}

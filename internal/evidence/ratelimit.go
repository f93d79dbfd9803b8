package evidence

import (
	"context"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// Clock is the time a rate limiter and a poller see; tests pass a fake.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns the current time.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
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

// CloudTrailLookupRate is LookupEvents' quota: 2 requests per second per
// account per region. Exceeding it only earns ThrottlingExceptions, so the
// client spaces its requests instead of relying on retries.
const CloudTrailLookupRate = 2

// Limiter is a token bucket holding at most Burst tokens, refilled at Rate
// per second. Wait takes one token, sleeping until one is available.
type Limiter struct {
	clock    Clock
	interval time.Duration
	burst    float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// NewLimiter allows rate requests per second with bursts of burst (>= 1).
// The bucket starts full.
func NewLimiter(rate float64, burst int, clock Clock) *Limiter {
	if burst < 1 {
		burst = 1
	}
	if clock == nil {
		clock = RealClock{}
	}
	return &Limiter{clock: clock, interval: time.Duration(float64(time.Second) / rate), burst: float64(burst), tokens: float64(burst)}
}

// Wait blocks until the caller may send one request.
func (l *Limiter) Wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
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
	return l.clock.Sleep(ctx, wait)
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

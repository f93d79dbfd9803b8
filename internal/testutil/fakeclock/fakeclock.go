// Package fakeclock is a clock.Clock for tests that advances only when
// someone sleeps, so tests see exact times and never wait.
package fakeclock

import (
	"context"
	"sync"
	"time"
)

// Start is where every new Clock stands.
var Start = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// Clock is a virtual clock safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a Clock at Start.
func New() *Clock { return &Clock{now: Start} }

// Now is the virtual time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep moves the clock forward by d at once; it fails only when ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
	}
	return ctx.Err()
}

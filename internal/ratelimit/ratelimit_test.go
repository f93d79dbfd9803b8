package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
)

// cloudTrailLookupRate is evidence.CloudTrailLookupRate, the quota the
// limiter was built for.
const cloudTrailLookupRate = 2

func TestLimiterSpacesRequestsAtTwoPerSecond(t *testing.T) {
	clk := fakeclock.New()
	l := New(cloudTrailLookupRate, 1, clk)
	start := clk.Now()
	var at []time.Duration
	for range 7 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = append(at, clk.Now().Sub(start))
	}
	for i, d := range at {
		if want := time.Duration(i) * 500 * time.Millisecond; d != want {
			t.Errorf("request %d at %v, want %v (all: %v)", i, d, want, at)
		}
	}
	// In any one-second window at most 2 requests start (plus the edge).
	for i := range at {
		n := 0
		for _, d := range at[i:] {
			if d < at[i]+time.Second {
				n++
			}
		}
		if n > cloudTrailLookupRate {
			t.Errorf("%d requests in the second after %v", n, at[i])
		}
	}
}

func TestLimiterRefillsAfterIdleButNotBeyondBurst(t *testing.T) {
	clk := fakeclock.New()
	l := New(2, 2, clk)
	ctx := context.Background()
	_ = l.Wait(ctx)
	_ = l.Wait(ctx) // burst of two: no wait yet
	if got := clk.Now().Sub(fakeclock.Start); got != 0 {
		t.Fatalf("burst of 2 waited %v", got)
	}
	_ = clk.Sleep(ctx, 10*time.Second) // idle: bucket refills to 2, not 20
	before := clk.Now()
	for range 3 {
		_ = l.Wait(ctx)
	}
	if got := clk.Now().Sub(before); got != 500*time.Millisecond {
		t.Errorf("after idle, 3 requests took %v; want 500ms (burst 2 then one interval)", got)
	}
}

func TestLimiterStopsOnCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l := New(2, 1, clock.Real{})
	_ = l.Wait(context.Background())
	if err := l.Wait(ctx); err == nil {
		t.Error("Wait on a cancelled context returned nil")
	}
}

package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/testutil/fakeclock"
)

func TestPollBacksOffAndGivesUpBeforeTheLimit(t *testing.T) {
	clk := fakeclock.New()
	var at []time.Duration
	err := clock.Poll(context.Background(), clk, clock.Backoff{First: time.Second, Max: 4 * time.Second, Timeout: 12 * time.Second}, func(context.Context) (bool, error) {
		at = append(at, clk.Now().Sub(fakeclock.Start))
		return false, nil
	})
	if !errors.Is(err, clock.ErrPollTimeout) {
		t.Fatalf("err = %v, want ErrPollTimeout", err)
	}
	// 0, +1, +2, +4, +4 = 11 s; the next wait (4 s) would pass 12 s.
	want := []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 11 * time.Second}
	if len(at) != len(want) {
		t.Fatalf("looked at %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Errorf("look %d at %v, want %v", i, at[i], want[i])
		}
	}
}

func TestPollStopsOnDoneOrError(t *testing.T) {
	n := 0
	err := clock.Poll(context.Background(), fakeclock.New(), clock.Backoff{First: time.Second, Max: time.Second, Timeout: time.Hour}, func(context.Context) (bool, error) {
		n++
		return n == 3, nil
	})
	if err != nil || n != 3 {
		t.Errorf("done on the 3rd look: err %v after %d looks", err, n)
	}
	boom := errors.New("boom")
	err = clock.Poll(context.Background(), fakeclock.New(), clock.Backoff{First: time.Second, Max: time.Second, Timeout: time.Hour}, func(context.Context) (bool, error) { return false, boom })
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want boom", err)
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep on a cancelled context: %v", err)
	}
}

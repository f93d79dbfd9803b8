// Package par runs per-user work concurrently with a bound on the work
// in flight, while results and errors stay in input order: the output of
// a run does not depend on how many calls were in flight.
package par

import (
	"context"
	"sync"
)

// Do calls fn(ctx, i) for every i in [0, n), at most limit at a time
// (limit < 1 is 1), starting them in index order. After a call fails no
// call of a higher index starts (lower ones still run); Do waits for the
// started ones and returns the error of the lowest index, which is the
// error a serial loop stopping at its first failure would return.
func Do(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	errs := make([]error, n)
	// lowest is the lowest index that failed so far: an index above it
	// does not start (a serial loop would have stopped before it), but one
	// below it still runs, since its error, if any, is the one to return.
	lowest := n
	var mu sync.Mutex
	Ordered(ctx, n, limit, func(ctx context.Context, i int) bool {
		mu.Lock()
		stop := i > lowest
		mu.Unlock()
		if stop {
			return false
		}
		if err := fn(ctx, i); err != nil {
			errs[i] = err
			mu.Lock()
			lowest = min(lowest, i)
			mu.Unlock()
		}
		return true
	}, nil)
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Ordered calls fn(ctx, i) for every i in [0, n), at most limit at a time,
// starting them in index order, and calls emit(i) (if not nil) in index
// order as soon as i and every index before it are done, from one
// goroutine at a time: output streams in input order. fn returns false
// when it did nothing (emit is still called). Ordered returns when every
// emit has returned.
func Ordered(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) bool, emit func(i int)) {
	if limit < 1 {
		limit = 1
	}
	if limit > n {
		limit = n
	}
	if limit <= 1 {
		for i := range n {
			fn(ctx, i)
			if emit != nil {
				emit(i)
			}
		}
		return
	}
	done := make([]chan struct{}, n)
	for i := range done {
		done[i] = make(chan struct{})
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				defer close(done[i])
				fn(ctx, i)
			})
		}
	})
	for i := range n {
		<-done[i]
		if emit != nil {
			emit(i)
		}
	}
	wg.Wait()
}

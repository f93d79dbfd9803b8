package org

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func accountsN(n int) []Account {
	out := make([]Account, n)
	for i := range out {
		out[i] = Account{ID: fmt.Sprintf("%012d", i+1), Name: fmt.Sprintf("acct-%d", i+1)}
	}
	return out
}

// fakeAccess fails the accounts in deny, as an AssumeRole refused.
type fakeAccess struct{ deny map[string]bool }

func (f fakeAccess) Config(_ context.Context, id string) (aws.Config, error) {
	if f.deny[id] {
		return aws.Config{}, &AssumeError{Account: id, RoleARN: "arn:aws:iam::" + id + ":role/X", Err: errors.New("AccessDenied")}
	}
	return aws.Config{Region: "us-east-1"}, nil
}

func TestRunIsolatesFailuresAndEmitsInOrder(t *testing.T) {
	accts := accountsN(30)
	r := Runner{Parallel: 4, Access: fakeAccess{deny: map[string]bool{accts[3].ID: true}}}
	var mu sync.Mutex
	var peak, now int32
	work := func(ctx context.Context, a Account, cfg aws.Config) (string, error) {
		n := atomic.AddInt32(&now, 1)
		defer atomic.AddInt32(&now, -1)
		mu.Lock()
		peak = max(peak, n)
		mu.Unlock()
		switch a.ID {
		case accts[7].ID:
			return "", errors.New("scp denies iam:GetCredentialReport")
		case accts[11].ID:
			panic("boom")
		}
		return "done " + a.Name, nil
	}
	var got []Result[string]
	sum, err := Run(context.Background(), r, accts, work, func(res Result[string]) error {
		got = append(got, res)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum != (Summary{Total: 30, OK: 27, Failed: 3}) {
		t.Errorf("summary %+v", sum)
	}
	var fe *FailedAccountsError
	if !errors.As(sum.Err(), &fe) || fe.Failed != 3 {
		t.Errorf("summary error %v, want 3 failed accounts", sum.Err())
	}
	for i, res := range got {
		if res.Account != accts[i] {
			t.Fatalf("result %d is %s: results must come in account order", i, res.Account.ID)
		}
		want := StatusOK
		if i == 3 || i == 7 || i == 11 {
			want = StatusFailed
		}
		if res.Status != want {
			t.Errorf("%s: %s (%s), want %s", res.Account.ID, res.Status, res.Error, want)
		}
	}
	if got[3].Error == "" || got[7].Error != "scp denies iam:GetCredentialReport" || got[11].Error != "internal error: boom (please report it)" {
		t.Errorf("reasons: %q / %q / %q", got[3].Error, got[7].Error, got[11].Error)
	}
	if got[0].Value != "done acct-1" {
		t.Errorf("value %q", got[0].Value)
	}
	if peak > 4 {
		t.Errorf("%d accounts ran at once, want at most 4", peak)
	}
}

// A slow first account must not let the others pile up unemitted: at most
// 2×Parallel results wait, whatever the number of accounts.
func TestRunBoundsResultsWaitingBehindASlowAccount(t *testing.T) {
	accts := accountsN(50)
	release := make(chan struct{})
	var started atomic.Int32
	work := func(ctx context.Context, a Account, _ aws.Config) (int, error) {
		started.Add(1)
		if a.ID == accts[0].ID {
			<-release
		}
		return 1, nil
	}
	done := make(chan Summary)
	go func() {
		sum, _ := Run(context.Background(), Runner{Parallel: 2}, accts, work, func(Result[int]) error { return nil })
		done <- sum
	}()
	// Wait until the producer is stuck on the window, then check it.
	for started.Load() < 4 {
		runtime.Gosched()
	}
	for range 1000 {
		runtime.Gosched()
	}
	if n := started.Load(); n > 4 {
		t.Errorf("%d accounts started while the first was still running, want at most 2×2", n)
	}
	close(release)
	if sum := <-done; sum.OK != 50 {
		t.Errorf("summary %+v", sum)
	}
}

func TestRunCancelReturnsWhatIsDone(t *testing.T) {
	accts := accountsN(20)
	ctx, cancel := context.WithCancel(context.Background())
	work := func(ctx context.Context, a Account, _ aws.Config) (int, error) {
		if a.ID == accts[5].ID {
			cancel() // Ctrl-C while account 6 runs
			<-ctx.Done()
			return 0, ctx.Err()
		}
		return 1, nil
	}
	var got []Result[int]
	sum, err := Run(ctx, Runner{Parallel: 1}, accts, work, func(res Result[int]) error {
		got = append(got, res)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 20 || sum.OK != 5 || sum.Canceled != 15 || sum.Failed != 0 {
		t.Fatalf("summary %+v, %d results", sum, len(got))
	}
	if got[4].Status != StatusOK || got[5].Status != StatusCanceled || got[19].Status != StatusCanceled {
		t.Errorf("statuses %s %s %s", got[4].Status, got[5].Status, got[19].Status)
	}
	if !errors.Is(sum.Err(), context.Canceled) {
		t.Errorf("summary error %v", sum.Err())
	}
}

func TestRunStopsWhenEmitFails(t *testing.T) {
	accts := accountsN(10)
	var calls int
	_, err := Run(context.Background(), Runner{Parallel: 1}, accts, func(context.Context, Account, aws.Config) (int, error) { return 1, nil },
		func(Result[int]) error {
			calls++
			return errors.New("disk full")
		})
	if err == nil || err.Error() != "disk full" || calls != 1 {
		t.Errorf("err %v after %d emits", err, calls)
	}
}

package pipeline

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/org"
)

// regionPerAccount gives each account a configuration told apart by its
// region, and refuses one account as an assume-role failure would.
type regionPerAccount struct{ refuse string }

func (r regionPerAccount) Config(_ context.Context, account string) (aws.Config, error) {
	if account == r.refuse {
		return aws.Config{}, errors.New("AccessDenied")
	}
	return aws.Config{Region: "r-" + account}, nil
}

// safeBuffer keeps concurrent log lines whole.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// TestRunAccountsGivesEachAccountItsOwnEngine: every account's engine
// builds clients from that account's configuration, logs name the
// account, organization-wide clients stay the caller's, and a refused
// account fails alone.
func TestRunAccountsGivesEachAccountItsOwnEngine(t *testing.T) {
	caller := &awsx.Factory{Config: aws.Config{Region: "caller"}, Calls: &awsx.CallLog{}}
	var logs safeBuffer
	e := &Engine{Settings: Defaults(), AWS: func(context.Context) (*awsx.Factory, error) { return caller, nil },
		Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	p := &org.Prepared{
		Accounts: []org.Account{{ID: "111111111111", Name: "a"}, {ID: "222222222222", Name: "b"}, {ID: "333333333333", Name: "c"}},
		Runner:   org.Runner{Parallel: 2, Access: regionPerAccount{refuse: "222222222222"}},
	}
	var got []string
	sum, err := RunAccounts(context.Background(), e, p, func(ctx context.Context, ae *Engine, acct org.Account) (string, error) {
		f, err := ae.AWS(ctx)
		if err != nil {
			return "", err
		}
		c, err := ae.centralAWS(ctx)
		if err != nil {
			return "", err
		}
		if f.Calls != caller.Calls {
			t.Errorf("%s: the account's clients do not count into the run's call log", acct.ID)
		}
		ae.log().Info("working")
		return f.Config.Region + "/" + c.Config.Region, nil
	}, func(r org.Result[string]) error {
		got = append(got, r.Account.ID+" "+r.Status+" "+r.Value)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "111111111111 ok r-111111111111/caller|222222222222 failed |333333333333 ok r-333333333333/caller"
	if strings.Join(got, "|") != want {
		t.Errorf("results %q\nwant %q", strings.Join(got, "|"), want)
	}
	var fe *org.FailedAccountsError
	if !errors.As(sum.Err(), &fe) || fe.Failed != 1 {
		t.Errorf("summary %+v", sum)
	}
	for _, id := range []string{"111111111111", "333333333333"} {
		if !strings.Contains(logs.b.String(), "msg=working account="+id) {
			t.Errorf("no log line names account %s:\n%s", id, logs.b.String())
		}
	}
}

package pipeline

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// TestRunAccountsCountsEveryAccountOnTheLiveLine: the accounts line ends
// with every account counted, the one refused before its work started
// among the failed, and the scans' users and findings summed.
func TestRunAccountsCountsEveryAccountOnTheLiveLine(t *testing.T) {
	var logs safeBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx := progress.NewContext(context.Background(), progress.New(progress.Options{Mode: progress.Log, Logger: logger}))
	e := &Engine{Settings: Defaults(), Log: slog.New(slog.DiscardHandler)}
	p := &org.Prepared{
		Accounts: []org.Account{{ID: "111111111111"}, {ID: "222222222222"}, {ID: "333333333333"}},
		Runner:   org.Runner{Parallel: 1, Access: regionPerAccount{refuse: "222222222222"}},
	}
	sum, err := RunAccounts(ctx, e, p, func(context.Context, *Engine, org.Account) (*scan.Result, error) {
		return &scan.Result{Summary: scan.Summary{Users: 5, Findings: 2}}, nil
	}, func(org.Result[*scan.Result]) error { return nil })
	if err != nil || sum.Failed != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	out := logs.b.String()
	if !strings.Contains(out, "accounts: 0/3 done") || !strings.Contains(out, "accounts: 3/3 done, 1 failed · 10 users · 4 findings") {
		t.Errorf("progress lines:\n%s", out)
	}
}

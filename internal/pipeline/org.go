package pipeline

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamsweep/iamsweep/internal/awsx"
	"github.com/iamsweep/iamsweep/internal/org"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// DefaultMaxUsersTotal caps the users one plan or apply across accounts
// disables or deletes in all (--max-users-total; --max-users caps each
// account).
const DefaultMaxUsersTotal = 100

// PrepareOrg resolves the organization options with the caller's
// configuration: the accounts, the runner that enters them, and who the
// caller is. Only called when o.Enabled().
func (e *Engine) PrepareOrg(ctx context.Context, o org.Options) (*org.Prepared, error) {
	a, err := e.aws(ctx)
	if err != nil {
		return nil, err
	}
	return org.Prepare(ctx, a.Config, o)
}

// ForAccount is the engine of one account of an organization run: the
// same settings, clients built from the account's configuration (an
// assumed role with its own rate limiter, or the caller's own), and logs
// that name the account. Organization-wide resources (the Athena table of
// the organization trail) stay the caller's.
func (e *Engine) ForAccount(acct org.Account, cfg aws.Config) *Engine {
	c := *e
	central := e.central
	if central == nil {
		central = e.AWS
	}
	var calls *awsx.CallLog
	if central != nil {
		// The factory's call log is already in cfg's middleware (cfg is
		// derived from the caller's); keep it for the debug summary.
		if f, err := central(context.Background()); err == nil && f != nil {
			calls = f.Calls
		}
	}
	f := &awsx.Factory{Config: cfg, Calls: calls}
	c.AWS = func(context.Context) (*awsx.Factory, error) { return f, nil }
	c.central = central
	c.Log = e.log().With("account", acct.ID)
	return &c
}

// RunAccounts runs work once per account of p, in parallel
// (--parallel-accounts), each with its own engine (ForAccount), and emits
// every account's result in account order as it completes. It is the one
// account loop of the CLI and the Lambda; failures stay with their
// account (see org.Run).
func RunAccounts[T any](ctx context.Context, e *Engine, p *org.Prepared, work func(ctx context.Context, ae *Engine, acct org.Account) (T, error), emit func(org.Result[T]) error) (org.Summary, error) {
	log := e.log()
	// The live line counts accounts as they end, not as they are emitted
	// in order, so a slow account does not hide the others' progress.
	// An account that fails before its work starts (the role cannot be
	// assumed) or panics is counted when it is emitted.
	line := progress.FromContext(ctx).Accounts(len(p.Accounts))
	defer line.End()
	var counted sync.Map
	return org.Run(ctx, p.Runner, p.Accounts, func(ctx context.Context, acct org.Account, cfg aws.Config) (T, error) {
		ae := e.ForAccount(acct, cfg)
		ae.log().Debug("account started", "name", acct.Name)
		v, err := work(ctx, ae, acct)
		if err != nil {
			ae.log().Debug("account failed", "error", err.Error())
			line.Finished(ctx.Err() == nil, 0, 0, false)
		} else {
			ae.log().Debug("account done")
			users, findings, ok := progressCounts(v)
			line.Finished(false, users, findings, ok)
		}
		counted.Store(acct.ID, true)
		return v, err
	}, func(r org.Result[T]) error {
		if _, done := counted.Load(r.Account.ID); !done {
			line.Finished(r.Status == org.StatusFailed, 0, 0, false)
		}
		if r.Status != org.StatusOK {
			log.Warn("account "+r.Status, "account", r.Account.ID, "name", r.Account.Name, "error", r.Error)
		}
		return emit(r)
	})
}

// progressCounter is a per-account result that knows its users and
// findings, for the live line.
type progressCounter interface {
	ProgressCounts() (users, findings int)
}

// progressCounts reads the users and findings of one account's result,
// when its kind has them (scans; plans and applies do not).
func progressCounts(v any) (users, findings int, ok bool) {
	switch r := v.(type) {
	case *scan.Result:
		if r != nil {
			return r.Summary.Users, r.Summary.Findings, true
		}
	case progressCounter:
		u, f := r.ProgressCounts()
		return u, f, true
	}
	return 0, 0, false
}

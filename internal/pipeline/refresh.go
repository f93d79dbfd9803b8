package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/iamsweep/iamsweep/internal/par"
	"github.com/iamsweep/iamsweep/internal/plan"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Refresh re-reads each planned user so the plan records exactly the facts
// apply will compare with; a user deleted or changed since the scan is
// moved to Skipped with the reason. The CLI's live plan and the Lambda's
// retire stage both call it. Users are read concurrently (once each, at
// most Settings.Parallel at a time); the plan is then updated in its
// order, so the result does not depend on the parallelism.
func (e *Engine) Refresh(ctx context.Context, api remediate.IAMAPI, p *plan.Plan) error {
	var users []string
	index := map[string]int{}
	for _, a := range p.Actions {
		if _, ok := index[a.User]; !ok {
			index[a.User] = len(users)
			users = append(users, a.User)
		}
	}
	states := make([]*remediate.UserState, len(users))
	stage := progress.Start(ctx, fmt.Sprintf("re-reading the %d planned user(s)", len(users)))
	defer stage.Done()
	var read atomic.Int64
	err := par.Do(ctx, len(users), e.Settings.Parallel, func(ctx context.Context, i int) error {
		defer func() { stage.Set(fmt.Sprintf("re-reading the planned users: %d/%d", read.Add(1), len(users))) }()
		cur, err := remediate.ReadUser(ctx, api, users[i], true)
		if errors.Is(err, remediate.ErrNoSuchUser) {
			return nil // states[i] stays nil: deleted
		}
		states[i] = cur
		return err
	})
	if err != nil {
		return err
	}
	kept := p.Actions[:0]
	for _, a := range p.Actions {
		cur := states[index[a.User]]
		if cur == nil {
			p.Skipped = append(p.Skipped, plan.Skip{User: a.User, Reason: "deleted while planning"})
			continue
		}
		if why := plan.Stale(a, cur, p.ScanGeneratedAt); why != "" {
			p.Skipped = append(p.Skipped, plan.Skip{User: a.User, Reason: "changed while planning: " + why})
			continue
		}
		keptBy := a.Facts.KeptBy // the fresh read has no SSH keys or certificates
		a.Facts = plan.FactsFromState(cur)
		a.Facts.KeptBy = keptBy
		kept = append(kept, a)
	}
	p.Actions = kept
	return nil
}

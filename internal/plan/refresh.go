package plan

import (
	"context"
	"errors"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Refresh re-reads each planned user so the plan records exactly the facts
// apply will compare with; a user deleted or changed since the scan is
// moved to Skipped with the reason. The CLI's live plan and the Lambda's
// retire stage both call it.
func Refresh(ctx context.Context, api remediate.IAMAPI, p *Plan) error {
	kept := p.Actions[:0]
	for _, a := range p.Actions {
		cur, err := remediate.ReadUser(ctx, api, a.User, true)
		if errors.Is(err, remediate.ErrNoSuchUser) {
			p.Skipped = append(p.Skipped, Skip{User: a.User, Reason: "deleted while planning"})
			continue
		}
		if err != nil {
			return err
		}
		if why := Stale(a, cur, p.ScanGeneratedAt); why != "" {
			p.Skipped = append(p.Skipped, Skip{User: a.User, Reason: "changed while planning: " + why})
			continue
		}
		a.Facts = FactsFromState(cur)
		kept = append(kept, a)
	}
	p.Actions = kept
	return nil
}

package plan

import (
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
)

// MinQuarantineDays is the shortest quarantine anything accepts (flag,
// config, Lambda environment): a disabled user stays at least a day, so
// that its owner can notice and complain before it is deleted.
const MinQuarantineDays = 1

// DefaultQuarantineDays is how long a user stays disabled before it may
// be deleted when nothing else is configured: the one default plan,
// delete, the engine's settings and the HTML report all start from.
const DefaultQuarantineDays = 14

// CheckQuarantineDays refuses a quarantine shorter than MinQuarantineDays.
func CheckQuarantineDays(what string, n int) error {
	if n < MinQuarantineDays {
		return fmt.Errorf("%s %d: must be at least %d day: the quarantine is the time a user's owner has to notice before it is deleted (delete --force overrides it for one named user)", what, n, MinQuarantineDays)
	}
	return nil
}

// whatIfSlack tolerates the moments between reading the clock for the
// as-of and for the creation time.
const whatIfSlack = time.Minute

// WhatIf reports whether the plan was made as of a time after it was made
// (a future --as-of): a what-if, which apply refuses.
func (p *Plan) WhatIf() bool {
	return !p.CreatedAt.IsZero() && p.AsOf.After(p.CreatedAt.Add(whatIfSlack))
}

// WhatIfError means apply was given a plan made with a future --as-of.
type WhatIfError struct{ AsOf, CreatedAt time.Time }

func (e *WhatIfError) Error() string {
	return fmt.Sprintf("the plan was made as of %s, %d day(s) after it was made (%s): a what-if plan cannot be applied, because a change is judged on the real clock (quarantine, staleness, unused); make the plan again without a future --as-of",
		e.AsOf.Format(time.RFC3339), clock.DaysSince(e.CreatedAt, e.AsOf), e.CreatedAt.Format(time.RFC3339))
}

// CheckApplicable refuses a plan that is a what-if, or whose as-of is
// still in the future at now (the real time apply runs at).
func (p *Plan) CheckApplicable(now time.Time) error {
	if p.WhatIf() || p.AsOf.After(now.Add(whatIfSlack)) {
		return &WhatIfError{AsOf: p.AsOf, CreatedAt: p.CreatedAt}
	}
	return nil
}

package evidence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Each AWS source gets a time budget, so that a source that cannot answer
// (an endpoint failing in a way retries do not recognise, a region that
// hangs) makes its users unknown in bounded time instead of holding up the
// whole dossier. The budget grows with the calls a source must make, since
// CloudTrail's LookupEvents is held to 2 calls a second per region; the
// figures are documented in docs/evidence.md.

// Budget is a source's time: Base plus PerCall for each call it must make.
type Budget struct {
	Base    time.Duration
	PerCall time.Duration
}

// For is the budget for a source making calls calls.
func (b Budget) For(calls int) time.Duration { return b.Base + time.Duration(calls)*b.PerCall }

// DefaultBudgets: CloudTrail counts the lookups of one region (regions run
// in parallel), each 0.5 s at the rate limit, so 1 s a lookup leaves room
// for retries and extra pages; Access Advisor one job per user; Access
// Analyzer a fixed handful of calls. Log files and code are read locally or
// streamed and have none.
var DefaultBudgets = map[string]Budget{
	SourceCloudTrail:     {Base: time.Minute, PerCall: time.Second},
	SourceAccessAdvisor:  {Base: time.Minute, PerCall: 2 * time.Second},
	SourceAccessAnalyzer: {Base: 2 * time.Minute},
}

// budgeted runs sources under their budgets and remembers which ran out.
type budgeted struct {
	budgets map[string]Budget
	parent  context.Context
	spent   map[string]time.Duration // source -> budget, for those that ran out
	ctxs    map[string]context.Context
	budget  map[string]time.Duration
}

func newBudgeted(ctx context.Context, budgets map[string]Budget) *budgeted {
	if budgets == nil {
		budgets = DefaultBudgets
	}
	return &budgeted{budgets: budgets, parent: ctx, spent: map[string]time.Duration{},
		ctxs: map[string]context.Context{}, budget: map[string]time.Duration{}}
}

// ctx returns the context source runs under; call before starting it.
func (b *budgeted) ctx(source string, calls int) (context.Context, context.CancelFunc) {
	bud, ok := b.budgets[source]
	if !ok || bud.For(calls) <= 0 {
		return b.parent, func() {}
	}
	d := bud.For(calls)
	ctx, cancel := context.WithTimeout(b.parent, d)
	b.ctxs[source], b.budget[source] = ctx, d
	return ctx, cancel
}

// settle notes, after every source finished, which ran out of time.
func (b *budgeted) settle() {
	if b.parent.Err() != nil {
		return
	}
	for source, ctx := range b.ctxs {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			b.spent[source] = b.budget[source]
		}
	}
}

// annotate says in the dossier which sources ran out of time, and replaces
// the SDK's "context deadline exceeded" on their users with the reason.
func (b *budgeted) annotate(d *Dossier) {
	if len(b.spent) == 0 {
		return
	}
	for i := range d.Sources {
		if bud, ok := b.spent[d.Sources[i].Name]; ok {
			d.Sources[i].Detail = fmt.Sprintf("stopped at its time budget of %s; %s", bud, d.Sources[i].Detail)
		}
	}
	for i := range d.Users {
		for j, e := range d.Users[i].Unknown {
			if bud, ok := b.spent[e.Source]; ok && strings.Contains(e.Error, context.DeadlineExceeded.Error()) {
				d.Users[i].Unknown[j].Error = fmt.Sprintf("not read within the source's time budget of %s", bud)
			}
		}
	}
}

// lookupsPerRegion is how many LookupEvents one region makes: one by user
// name and one per access key.
func lookupsPerRegion(targets []Target) int {
	n := 0
	for _, t := range targets {
		n += 1 + len(t.KeyIDs)
	}
	return n
}

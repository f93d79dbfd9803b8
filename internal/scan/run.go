package scan

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/progress"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// Collector produces an inventory (live from IAM, or from a report file).
type Collector interface {
	Collect(ctx context.Context) (*inventory.Inventory, error)
}

// Enricher is implemented by live collectors: it reads the few per-user
// facts the credential report lacks, only for users where they matter.
type Enricher interface {
	FillProfileDates(ctx context.Context, inv *inventory.Inventory, names []string) error
	FillKeyIDs(ctx context.Context, inv *inventory.Inventory, names []string) error
}

// UserReader is implemented by live collectors: in one pool of calls it
// reads the credentials the report lacks (SSH public keys,
// service-specific credentials) of others and the access key IDs of keyed.
type UserReader interface {
	FillUserReads(ctx context.Context, inv *inventory.Inventory, others, keyed []string) error
}

// Options configure a scan.
type Options struct {
	Params     rules.Params
	Exclusions *exclusion.Set
	Source     string
	// Now is the real clock for generated_at.
	Now func() time.Time
	// SkipKeyIDs leaves access keys unnamed, so a live scan makes a fixed
	// handful of calls however many users have key findings.
	SkipKeyIDs bool
}

// Run collects, enriches where the collector can, and evaluates.
func Run(ctx context.Context, c Collector, opts Options) (*Result, *inventory.Inventory, error) {
	if err := opts.Params.Validate(); err != nil {
		return nil, nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	inv, err := c.Collect(ctx)
	if err != nil {
		return nil, nil, err
	}
	e, live := c.(Enricher)
	if live {
		if names := profileDatesNeeded(inv, opts.Params); len(names) > 0 {
			stage := progress.Start(ctx, fmt.Sprintf("reading the login profiles of %d user(s)", len(names)))
			err := e.FillProfileDates(ctx, inv, names)
			stage.Done()
			if err != nil {
				return nil, nil, err
			}
		}
	}
	res, err := Evaluate(inv, opts.Params, opts.Exclusions, opts.Source, now())
	if err != nil || !live {
		return res, inv, err
	}
	// SSH keys and service-specific credentials keep a user from
	// unused-user; they are read for the candidates only. Key IDs are read
	// for the users with a key finding, which the other credentials do not
	// change, so both reads share one pool of calls.
	others := ruleUsers(res, rules.UnusedUser)
	var keyed []string
	if !opts.SkipKeyIDs {
		keyed = keyFindingUsers(res)
	}
	r, reads := c.(UserReader)
	if !reads {
		others = nil
	}
	if len(others) == 0 && len(keyed) == 0 {
		return res, inv, nil
	}
	var stage *progress.Stage
	if len(keyed) > 0 {
		stage = progress.Start(ctx, fmt.Sprintf("naming the unused access keys of %d user(s) (--key-ids=false skips this)", len(keyed)))
	}
	if reads {
		err = r.FillUserReads(ctx, inv, others, keyed)
	} else {
		err = e.FillKeyIDs(ctx, inv, keyed)
	}
	stage.Done()
	if err != nil {
		return nil, nil, err
	}
	res, err = Evaluate(inv, opts.Params, opts.Exclusions, opts.Source, now())
	return res, inv, err
}

// profileDatesNeeded lists users whose never-used password looks young by
// the report's password_last_changed while the user is old: the login
// profile may be older (a reset password), and AWS's remediation judges from
// the profile. Elsewhere the profile's date cannot change the verdict, so
// no call is made.
func profileDatesNeeded(inv *inventory.Inventory, p rules.Params) []string {
	var out []string
	for _, u := range inv.Users {
		pw := u.Password
		// The profile was created between the user and the last change, so
		// it can only flip the verdict when the user itself is old enough.
		if pw.Enabled && pw.LastUsed.IsZero() && clock.DaysSince(u.Created, p.AsOf) >= p.MaxUnusedDays &&
			(pw.LastChanged.IsZero() || clock.DaysSince(pw.LastChanged, p.AsOf) < p.MaxUnusedDays) {
			out = append(out, u.Name)
		}
	}
	return out
}

// keyFindingUsers lists users with an unused access key (the keys a plan
// deactivates and evidence looks up by ID) and expired users (whose plan
// names the key still in use). Rotation and multiple-key findings are
// advice and do not cost a call per user.
func keyFindingUsers(r *Result) []string {
	return ruleUsers(r, rules.UnusedAccessKey, rules.InactiveAccessKey, rules.ExpiredUser)
}

// ruleUsers lists, once each, the users with a finding of one of ruleIDs.
func ruleUsers(r *Result, ruleIDs ...string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		if slices.Contains(ruleIDs, f.Rule) && !seen[f.UserName] {
			seen[f.UserName] = true
			out = append(out, f.UserName)
		}
	}
	return out
}

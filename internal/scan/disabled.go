package scan

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"time"
)

// A user iamsweep disabled has no active credential, so the rules alone
// would call it unused (or, from a report read before the disable, in use):
// neither tells a person what is going on. It gets the status disabled,
// with the disable date and the day the quarantine lets it be deleted.
// The state tags are read with remediate's parser, the one that restore
// and delete trust, so every command agrees on who is disabled.

// markDisabled gives out the disabled status when the tags say iamsweep
// disabled it, and reports whether it did.
func markDisabled(out *User, tags map[string]string) bool {
	st := statetag.ParseState(tags)
	if !st.Disabled() || st.DisabledAt.IsZero() {
		return false
	}
	at := st.DisabledAt.UTC()
	// DeletableFrom waits for SetQuarantine: the quarantine is a setting
	// of the engine, not of the judgement.
	out.Status, out.DisabledAt = StatusDisabled, &at
	return true
}

// SetQuarantine sets the deletable dates for a quarantine of days (the
// one in force), counted as delete and plan count it.
func (r *Result) SetQuarantine(days int) {
	for i := range r.Users {
		u := &r.Users[i]
		if u.DisabledAt != nil {
			from := u.DisabledAt.AddDate(0, 0, days)
			u.DeletableFrom = &from
		}
	}
}

// DisabledUsers lists the users with the disabled status, in scan order.
func (r *Result) DisabledUsers() []User {
	var out []User
	for _, u := range r.Users {
		if u.Status == StatusDisabled {
			out = append(out, u)
		}
	}
	return out
}

// Deletable reports whether a disabled user's quarantine is over at asOf.
func (u User) Deletable(asOf time.Time) bool {
	return u.DeletableFrom != nil && !asOf.Before(*u.DeletableFrom)
}

package remediate

import (
	"fmt"
	"github.com/iamsweep/iamsweep/internal/statetag"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
)

// The checks a change makes on what it has just read, never on what a plan
// file says: a plan says what was intended, the fresh read says whether it
// is still true.

// UsedWithin says why u is not unused for days at now, from the fresh
// read: any access key used (whatever its status now) or the console
// password used less than days ago, an active key or a password never
// used but set less than days ago, or a user younger than days. "" means
// the unused rule holds.
func (u *UserState) UsedWithin(days int, now time.Time) string {
	if days <= 0 {
		return ""
	}
	recent := func(t time.Time) bool { return !t.IsZero() && clock.DaysSince(t, now) < days }
	if !u.Created.IsZero() && recent(u.Created) {
		return fmt.Sprintf("the user was created %s, less than %d days ago", u.Created.Format(time.DateOnly), days)
	}
	for _, k := range u.Keys {
		if why := k.UsedWithin(days, now); why != "" {
			return why
		}
	}
	if recent(u.PasswordLastUsed) {
		return fmt.Sprintf("the console password was used %s, less than %d days ago", u.PasswordLastUsed.Format(time.DateOnly), days)
	}
	if u.LoginProfile && u.PasswordLastUsed.IsZero() && recent(u.loginProfileCreated) {
		return fmt.Sprintf("the console password was set %s and never used, less than %d days ago", u.loginProfileCreated.Format(time.DateOnly), days)
	}
	return ""
}

// UsedWithin says why the key is not unused for days at now: used less
// than days ago, or active, never used and created less than days ago.
func (k Key) UsedWithin(days int, now time.Time) string {
	if days <= 0 {
		return ""
	}
	if !k.LastUsed.IsZero() && clock.DaysSince(k.LastUsed, now) < days {
		return fmt.Sprintf("access key %s was used %s, less than %d days ago", k.ID, k.LastUsed.Format(time.DateOnly), days)
	}
	if k.LastUsed.IsZero() && k.Active() && !k.Created.IsZero() && clock.DaysSince(k.Created, now) < days {
		return fmt.Sprintf("access key %s was created %s and never used, less than %d days ago", k.ID, k.Created.Format(time.DateOnly), days)
	}
	return ""
}

// AsLeft says how u differs from the way iamsweep's disable left it, or
// "": fully disabled by the state tag (with its date), no active key, no
// console login, AWSDenyAll attached. A user re-enabled by hand is never
// deleted, whatever its state tag says.
func AsLeft(u *UserState) string {
	since := u.State.DisabledAt.Format(time.RFC3339)
	reenabled := func(what string) string {
		return fmt.Sprintf("re-enabled outside iamsweep since %s (%s): not deleted; restore or disable it again", since, what)
	}
	switch {
	case !u.State.Disabled() || u.State.DisabledAt.IsZero():
		return fmt.Sprintf("its %s tag says %q, not a completed disable with a date", statetag.TagState, u.State.State)
	case u.LoginProfile:
		return reenabled("it has a console password again")
	case !u.DenyAttached:
		return reenabled(DenyAllPolicyARN + " is no longer attached")
	}
	for _, k := range u.Keys {
		if k.Active() {
			return reenabled("access key " + k.ID + " is active")
		}
	}
	return ""
}

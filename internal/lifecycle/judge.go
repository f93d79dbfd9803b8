package lifecycle

import (
	"fmt"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/inventory"
)

// ParseDate reads an expiry: YYYY-MM-DD is the end of that day in UTC (the
// user may work all of its last day), RFC 3339 is that instant. It returns
// the first instant at which the user is expired.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC().Add(clock.Day), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD (the end of that day, UTC) or RFC 3339 (2026-10-31T18:00:00+02:00)", s)
}

// Status is what the tags say about one user.
type Status struct {
	// ExpiryTag and ExpiryValue are the tag read (empty: none).
	ExpiryTag   string
	ExpiryValue string
	// ExpiresAt is the first instant the user is expired; zero when there
	// is no expiry tag or its value is unreadable (DateError says why).
	ExpiresAt time.Time
	DateError error
	// OwnerTag and Owner are the owner tag read (empty: none).
	OwnerTag string
	Owner    string
}

// HasExpiry reports whether the user carries an expiry tag (readable or not).
func (s Status) HasExpiry() bool { return s.ExpiryTag != "" }

// Expired reports whether the expiry has passed at asOf.
func (s Status) Expired(asOf time.Time) bool {
	return !s.ExpiresAt.IsZero() && !asOf.Before(s.ExpiresAt)
}

// dateOnly reports whether the tag holds a date without a time.
func (s Status) dateOnly() bool {
	_, err := time.Parse(time.DateOnly, strings.TrimSpace(s.ExpiryValue))
	return err == nil
}

// DaysLeft counts whole days from asOf to the expiry: for a date, calendar
// days to that last day (0 on the day itself); for an instant, whole days
// rounded down. Negative once expired.
func (s Status) DaysLeft(asOf time.Time) int {
	if s.dateOnly() {
		today := asOf.UTC().Truncate(clock.Day)
		return clock.DaysSince(today, s.ExpiresAt.Add(-clock.Day))
	}
	return clock.DaysSince(asOf, s.ExpiresAt)
}

// DaysAgo counts whole days since the expiry: for a date, calendar days
// since that last day (1 on the day after); for an instant, rounded down.
func (s Status) DaysAgo(asOf time.Time) int {
	if s.dateOnly() {
		return -s.DaysLeft(asOf)
	}
	return clock.DaysSince(s.ExpiresAt, asOf)
}

// Date is the expiry as people write it: the last day the user may work
// for a date-only tag, else the instant in UTC.
func (s Status) Date() string {
	if s.ExpiresAt.IsZero() {
		return ""
	}
	if s.dateOnly() {
		return s.ExpiresAt.Add(-clock.Day).Format(time.DateOnly)
	}
	return s.ExpiresAt.Format(time.RFC3339)
}

// Read reads a user's lifecycle tags with the settings' keys.
func Read(tags map[string]string, set Settings) Status {
	var st Status
	if len(tags) == 0 {
		return st
	}
	folded := fold(tags)
	if k, v, ok := lookup(set.ExpiryTags, tags, folded); ok {
		st.ExpiryTag, st.ExpiryValue = k, v
		st.ExpiresAt, st.DateError = ParseDate(v)
	}
	if k, v, ok := lookup(set.OwnerTags, tags, folded); ok && strings.TrimSpace(v) != "" {
		st.OwnerTag, st.Owner = k, strings.TrimSpace(v)
	}
	return st
}

// Required reports whether the policy requires tags on u: the user was
// created on or after RequireSince.
func (s Settings) Required(u *inventory.User) bool {
	return s.RequireSince.IsZero() || !u.Created.Before(s.RequireSince)
}

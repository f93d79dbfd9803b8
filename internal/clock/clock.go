// Package clock turns --as-of into the "now" that every judgement uses, and
// counts ages the way AWS's remediation document does.
package clock

import (
	"fmt"
	"strings"
	"time"
)

// Day is the length of the whole days ages are counted in.
const Day = 24 * time.Hour

// ParseAsOf reads a date (2026-03-01, taken as midnight UTC) or an RFC 3339
// time. An empty string means the real now.
func ParseAsOf(s string, now func() time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now().UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("invalid --as-of %q: want a date (2026-03-01) or an RFC 3339 time (2026-03-01T12:00:00Z)", s)
}

// ForChange is "now" for a command that changes IAM: the real time.
// --as-of is a what-if for scan, evidence and plan; a change judged as of
// another time could delete a user disabled a second ago, so a changing
// command refuses it.
func ForChange(asOf string, now func() time.Time) (time.Time, error) {
	if strings.TrimSpace(asOf) != "" {
		return time.Time{}, fmt.Errorf("--as-of %s: a command that changes IAM judges the quarantine, staleness and use on the real clock; --as-of is a what-if for scan, evidence and plan only: drop it", asOf)
	}
	return now().UTC(), nil
}

// DaysSince is the age of t at now in whole days, rounded down, exactly as
// Python's (now - t).days in AWSConfigRemediation-RevokeUnusedIAMUserCredentials:
// 89 days and 23 hours is 89. A t after now gives a negative age.
func DaysSince(t, now time.Time) int {
	d := now.Sub(t)
	days := d / Day
	if d%Day < 0 {
		days-- // floor, not truncation, for times after now
	}
	return int(days)
}

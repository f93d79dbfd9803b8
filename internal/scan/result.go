// Package scan turns an inventory into a judged result: rules, then
// exclusions, then per-user status. Its Result is the JSON that `scan`
// writes and `plan --from-scan` reads back.
package scan

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// SchemaVersion changes when Result changes incompatibly.
const SchemaVersion = 1

// User statuses.
const (
	StatusInUse    = "in-use"
	StatusUnused   = "unused"
	StatusExcluded = "excluded"
	// StatusDisabled: iamsweep disabled the user (its state tags say so);
	// it waits out the quarantine before it may be deleted.
	StatusDisabled = "disabled"
	// StatusUnknown: every password and key is unused, but the user's SSH
	// public keys or service-specific credentials could not be read
	// (Unreadable says why): it is never disabled or deleted on this scan.
	StatusUnknown = "unknown"
)

// Result is one account's scan.
type Result struct {
	SchemaVersion int       `json:"schema_version"`
	AccountID     string    `json:"account_id"`
	AsOf          time.Time `json:"as_of"`
	GeneratedAt   time.Time `json:"generated_at"`
	// Source is "live" or "credential-report-file".
	Source            string     `json:"source"`
	CallerARN         string     `json:"caller_arn,omitempty"`
	ReportGeneratedAt time.Time  `json:"report_generated_at,omitzero"`
	Parameters        Parameters `json:"parameters"`
	Summary           Summary    `json:"summary"`
	// BadRows are credential report rows that could not be read: the
	// users on them are not judged, so the result is incomplete. (Before
	// Users: the report streams the last three fields.)
	BadRows  []inventory.RowProblem `json:"bad_rows,omitempty"`
	Users    []User                 `json:"users"`
	Findings []rules.Finding        `json:"findings"`
	// ExpiredExclusions are exceptions past their expiry: they no longer
	// protect anyone and should be renewed or removed.
	ExpiredExclusions []exclusion.Entry `json:"expired_exclusions"`
}

// IncompleteError means some report rows could not be read: everything
// else was judged and written, but the result must not pass for complete.
type IncompleteError struct{ Rows []inventory.RowProblem }

func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d credential report row(s) could not be read; every other user was judged, these were not:", len(e.Rows))
	for _, r := range e.Rows {
		b.WriteString("\n  " + r.Problem)
	}
	return b.String()
}

// Incomplete returns an *IncompleteError when rows could not be read.
func (r *Result) Incomplete() error {
	if len(r.BadRows) == 0 {
		return nil
	}
	return &IncompleteError{Rows: r.BadRows}
}

// Parameters records the thresholds the judgement used.
type Parameters struct {
	MaxUnusedDays int `json:"max_unused_days"`
	RotationDays  int `json:"rotation_days"`
}

// Summary counts users and findings.
type Summary struct {
	Users      int            `json:"users"`
	InUse      int            `json:"in_use"`
	Unused     int            `json:"unused"`
	Excluded   int            `json:"excluded"`
	Disabled   int            `json:"disabled"`
	Unknown    int            `json:"unknown,omitempty"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
}

// User is one IAM user's verdict with the facts it rests on.
type User struct {
	Name            string    `json:"name"`
	ARN             string    `json:"arn"`
	UserID          string    `json:"user_id,omitempty"`
	Path            string    `json:"path"`
	Created         time.Time `json:"created"`
	Status          string    `json:"status"`
	ExclusionReason string    `json:"exclusion_reason,omitempty"`
	// DisabledAt and DeletableFrom are set for a user iamsweep disabled:
	// when, and the first day the quarantine allows deleting it.
	DisabledAt    *time.Time        `json:"disabled_at,omitempty"`
	DeletableFrom *time.Time        `json:"deletable_from,omitempty"`
	MFAActive     bool              `json:"mfa_active"`
	Tags          map[string]string `json:"tags,omitempty"`
	// Lifecycle is what the expiry and owner tags say (live scans).
	Lifecycle   *Lifecycle   `json:"lifecycle,omitempty"`
	Credentials []Credential `json:"credentials"`
	// KeptBy names the user's active credentials whose use IAM's dates do
	// not show (signing certificates, SSH public keys, service-specific
	// credentials): deleting such a user needs evidence covering them.
	KeptBy []string `json:"kept_by,omitempty"`
	// Unreadable is why the user's SSH public keys or service-specific
	// credentials could not be read live: what they would show is
	// unknown, so plan neither disables nor deletes the user.
	Unreadable string `json:"unreadable,omitempty"`
}

// Lifecycle is a user's expiry and owner as read from its tags.
type Lifecycle struct {
	// ExpiryTag and Expiry are the tag and its value as written.
	ExpiryTag string `json:"expiry_tag,omitempty"`
	Expiry    string `json:"expiry,omitempty"`
	// ExpiresAt is the first instant the user is expired (null when there
	// is no expiry or it is not a date).
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Owner     string     `json:"owner,omitempty"`
}

// Credential is a password or access key with its last use.
type Credential struct {
	// Name is password, access_key_1 or access_key_2.
	Name        string `json:"name"`
	AccessKeyID string `json:"access_key_id,omitempty"`
	// Active is true for an enabled password or an active key.
	Active bool `json:"active"`
	// Created is when the password was set or the key created.
	Created time.Time `json:"created,omitzero"`
	// LastUsed is null when never used.
	LastUsed *time.Time `json:"last_used"`
	// DaysUnused counts from the last use, or from creation if never used;
	// never negative: a use after the as-of time is 0 with Note saying so.
	DaysUnused int `json:"days_unused"`
	// Note explains a number that would mislead: "used after the as-of
	// time", or the creation date counted from the user's.
	Note string `json:"note,omitempty"`
}

// AddFindings appends findings raised outside the rules (evidence's
// used-while-disabled, from `scan --evidence`) and recounts the summary.
func (r *Result) AddFindings(fs ...rules.Finding) {
	if len(fs) == 0 {
		return
	}
	r.Findings = append(r.Findings, fs...)
	sort.SliceStable(r.Findings, func(i, j int) bool { return rules.Less(r.Findings[i], r.Findings[j]) })
	r.Summary = summarize(r)
}

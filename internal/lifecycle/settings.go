// Package lifecycle reads a user's expiry date and owner from its tags and
// judges them: expired, expiring soon, or missing where the account's
// policy requires them. Tags come only from a live scan
// (GetAccountAuthorizationDetails); a saved credential report has none.
package lifecycle

import (
	"fmt"
	"strings"
	"time"
)

// Tag keys iamsweep writes (iamsweep expire) and reads first.
const (
	TagExpires = "iamsweep:expires"
	TagOwner   = "iamsweep:owner"
)

// DefaultWarnDays is how many days before its expiry a user is reported
// as expiring soon.
const DefaultWarnDays = 14

// DefaultExpiryTags and DefaultOwnerTags are the keys read when the config
// names none: iamsweep's own first, then the spellings teams already use.
// Keys are compared regardless of case (IAM refuses two keys on one user
// that differ only in case), so "Owner" and "owner" are one entry.
var (
	DefaultExpiryTags = []string{TagExpires, "expires", "expiry", "expiration", "ExpirationDate", "expiration-date", "expiry-date", "expires-on", "end-date"}
	DefaultOwnerTags  = []string{TagOwner, "owner", "contact", "owner-email", "OwnerEmail", "created-by"}
)

// Settings are the lifecycle part of the configuration.
type Settings struct {
	// ExpiryTags and OwnerTags are read in order; the first present wins.
	ExpiryTags []string
	OwnerTags  []string
	// WarnDays: a user expiring within this many days is expires-soon.
	WarnDays int
	// RequireExpiry and RequireOwner raise missing-expiry and
	// missing-owner for users created on or after RequireSince (zero: all).
	RequireExpiry bool
	RequireOwner  bool
	RequireSince  time.Time
}

// Defaults returns the settings used when the config says nothing.
func Defaults() Settings {
	return Settings{ExpiryTags: DefaultExpiryTags, OwnerTags: DefaultOwnerTags, WarnDays: DefaultWarnDays}
}

// Validate refuses settings that cannot be honoured.
func (s Settings) Validate() error {
	if s.WarnDays < 0 {
		return fmt.Errorf("lifecycle.warn_days %d: must be 0 or more", s.WarnDays)
	}
	if len(s.ExpiryTags) == 0 || len(s.OwnerTags) == 0 {
		return fmt.Errorf("lifecycle: expiry_tags and owner_tags need at least one key each")
	}
	for _, k := range append(append([]string{}, s.ExpiryTags...), s.OwnerTags...) {
		if strings.TrimSpace(k) == "" || len(k) > 128 {
			return fmt.Errorf("lifecycle: tag key %q: want 1 to 128 characters", k)
		}
	}
	return nil
}

// WriteKey is the key `iamsweep expire` writes for the expiry or owner:
// the one the user already has (so a date is moved, never duplicated under
// a second spelling), else the first configured key.
func WriteKey(keys []string, tags map[string]string) string {
	if k, _, ok := lookup(keys, tags, fold(tags)); ok {
		return k
	}
	return keys[0]
}

// fold maps each lower-cased tag key to the key as the user spells it,
// once per user, so each key looked up costs a map lookup, not a loop.
func fold(tags map[string]string) map[string]string {
	folded := make(map[string]string, len(tags))
	for k := range tags {
		folded[strings.ToLower(k)] = k
	}
	return folded
}

// lookup finds the first of keys among tags, regardless of case, and
// returns the key as the user spells it.
func lookup(keys []string, tags, folded map[string]string) (string, string, bool) {
	if len(tags) == 0 {
		return "", "", false
	}
	for _, want := range keys {
		if v, ok := tags[want]; ok {
			return want, v, true
		}
		if k, ok := folded[strings.ToLower(want)]; ok {
			return k, tags[k], true
		}
	}
	return "", "", false
}

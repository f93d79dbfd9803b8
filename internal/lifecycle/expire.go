package lifecycle

import (
	"fmt"
	"strings"
	"time"
)

// MaxTagValue is IAM's limit on a tag value.
const MaxTagValue = 256

// ExpireRequest is what `iamsweep expire` asks for one user.
type ExpireRequest struct {
	User string
	// Tags are the user's current tags (GetUser).
	Tags map[string]string
	// On is the new expiry as written: YYYY-MM-DD or RFC 3339.
	On string
	// Owner, when not empty, is set or moved too.
	Owner string
}

// TagChange is one tag `iamsweep expire` sets or moves on a user.
type TagChange struct {
	// What is "expiry" or "owner".
	What, Key, Value string
	// Old is the value before, when Had.
	Old string
	Had bool
}

// ExpireChanges is what setting or moving a user's expiry (and owner)
// changes. A tag the user already has under one of the accepted spellings
// is rewritten in place, never duplicated under iamsweep's key; a tag
// already holding the value is left alone, so running it twice is a no-op.
// remediate.ExpireOp turns the changes into steps.
func ExpireChanges(req ExpireRequest, set Settings) ([]TagChange, error) {
	on := strings.TrimSpace(req.On)
	if _, err := ParseDate(on); err != nil {
		return nil, fmt.Errorf("--on: %w", err)
	}
	owner := strings.TrimSpace(req.Owner)
	if len(owner) > MaxTagValue {
		return nil, fmt.Errorf("--owner is %d characters: IAM tag values hold at most %d", len(owner), MaxTagValue)
	}
	var out []TagChange
	add := func(what, key, value string) {
		old, had := req.Tags[key]
		if had && old == value {
			return
		}
		out = append(out, TagChange{What: what, Key: key, Value: value, Old: old, Had: had})
	}
	add("expiry", WriteKey(set.ExpiryTags, req.Tags), on)
	if owner != "" {
		add("owner", WriteKey(set.OwnerTags, req.Tags), owner)
	}
	return out, nil
}

// PastNote says, for a dry run, what an expiry in the past means.
func PastNote(user, on string, asOf time.Time) string {
	t, err := ParseDate(on)
	if err != nil || asOf.Before(t) {
		return ""
	}
	return fmt.Sprintf("note: %s is already past: %s is expired from now on, and the next plan disables it\n", strings.TrimSpace(on), user)
}

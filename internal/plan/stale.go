package plan

import (
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/remediate"
)

// Stale says why the facts a plan action relied on no longer hold for the
// user as read now, or "" when they do. Changes iamsweep itself makes
// (keys deactivated or deleted, the login profile removed by an earlier,
// interrupted run) are progress, not staleness; anything that suggests
// someone uses or changed the user is.
func Stale(a Action, cur *remediate.UserState, scanAt time.Time) string {
	f := a.Facts
	if why := expiryMoved(a, cur.Tags); why != "" {
		return why
	}
	// restored-at has whole seconds: one in the scan's second counts as
	// after it (skipping is the safe side).
	if r := cur.State.RestoredAt; !r.IsZero() && !r.Before(scanAt.Truncate(time.Second)) && !r.Equal(f.State.RestoredAt) {
		return fmt.Sprintf("the user was restored at %s, after the scan: somebody needs it", r.Format(time.RFC3339))
	}
	if f.UserID != "" && cur.UserID != "" && f.UserID != cur.UserID {
		return "the user was deleted and created again since the scan (its user ID changed)"
	}
	idsKnown := true
	for _, k := range f.AccessKeys {
		if k.ID == "" {
			idsKnown = false
		}
	}
	if !idsKnown && len(cur.Keys) > len(f.AccessKeys) {
		return "an access key was created after the scan"
	}
	for _, k := range cur.Keys {
		pk, found := findKey(f.AccessKeys, k.ID)
		switch {
		case !found && idsKnown:
			return fmt.Sprintf("access key %s was created after the scan", k.ID)
		case found && !pk.Active && k.Active():
			return fmt.Sprintf("access key %s was made active again after the scan", k.ID)
		}
		since := scanAt
		if found && pk.LastUsed != nil {
			since = *pk.LastUsed
		} else if found {
			since = time.Time{}
		}
		if later(k.LastUsed, since) {
			return fmt.Sprintf("access key %s was used at %s, after the scan", k.ID, k.LastUsed.Format(time.RFC3339))
		}
	}
	var pwSince time.Time
	if f.PasswordLastUsed != nil {
		pwSince = *f.PasswordLastUsed
	}
	if later(cur.PasswordLastUsed, pwSince) {
		return fmt.Sprintf("the console password was used at %s, after the scan", cur.PasswordLastUsed.Format(time.RFC3339))
	}
	if !f.PasswordEnabled && cur.LoginProfile {
		return "a console password was created after the scan"
	}
	switch a.Action {
	case ActionDelete:
		if !cur.State.Disabled() {
			return fmt.Sprintf("the user is no longer disabled (iamsweep:state is %q): it was restored since the plan", cur.State.State)
		}
		if !cur.State.DisabledAt.Equal(f.State.DisabledAt) {
			return fmt.Sprintf("the user was disabled again at %s since the plan", cur.State.DisabledAt.Format(time.RFC3339))
		}
	case ActionDeactivateKey:
		if cur.State.State != f.State.State {
			return fmt.Sprintf("the user's iamsweep:state changed from %q to %q since the plan", f.State.State, cur.State.State)
		}
	}
	return ""
}

func findKey(keys []KeyFact, id string) (KeyFact, bool) {
	for _, k := range keys {
		if k.ID == id && id != "" {
			return k, true
		}
	}
	return KeyFact{}, false
}

// later reports t after since, to the second: the credential report and
// GetAccessKeyLastUsed give the same instant with different precision.
func later(t, since time.Time) bool {
	return !t.IsZero() && t.Truncate(time.Second).After(since.Truncate(time.Second))
}

package rules

import (
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/remediate"
)

// lastKnownUse, for a user iamsweep disabled, is the newest use of any of the user's credentials, active
// or not, and the use recorded in the state tags when iamsweep disabled
// the user (the login profile's last use goes with the profile).
// Other users keep today's message: their inactive keys are findings of
// their own.
func lastKnownUse(u *inventory.User) time.Time {
	if remediate.ParseState(u.Tags).State == "" && u.Tags[remediate.TagLastUsed] == "" {
		return time.Time{}
	}
	last := remediate.LastUsedBeforeDisable(u.Tags)
	if u.Password.LastUsed.After(last) {
		last = u.Password.LastUsed
	}
	for _, k := range u.AccessKeys {
		if k.LastUsed.After(last) {
			last = k.LastUsed
		}
	}
	return last.UTC()
}

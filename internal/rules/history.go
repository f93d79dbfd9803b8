package rules

import (
	"github.com/iamsweep/iamsweep/internal/statetag"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

// lastKnownUse, for a user iamsweep disabled, is the newest use of any of the user's credentials, active
// or not, and the use recorded in the state tags when iamsweep disabled
// the user (the login profile's last use goes with the profile).
// Other users keep today's message: their inactive keys are findings of
// their own.
func lastKnownUse(u *inventory.User) time.Time {
	if statetag.ParseState(u.Tags).State == "" && u.Tags[statetag.TagLastUsed] == "" {
		return time.Time{}
	}
	last := statetag.LastUsedBeforeDisable(u.Tags)
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

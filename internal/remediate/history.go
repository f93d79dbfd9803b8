package remediate

import (
	"time"

	"github.com/iamsweep/iamsweep/internal/statetag"
)

// withLastUse adds statetag.TagLastUsed to the tags a disable writes: the
// newest of the password's and the keys' last use read before the change,
// or the value recorded by an earlier (interrupted) disable. Nothing is
// written when no use is known, so an unread last use never reads as
// "never".
func withLastUse(tags map[string]string, u *UserState) map[string]string {
	if v := u.Tags[statetag.TagLastUsed]; v != "" {
		tags[statetag.TagLastUsed] = v
		return tags
	}
	last := u.PasswordLastUsed
	for _, k := range u.Keys {
		if k.LastUsed.After(last) {
			last = k.LastUsed
		}
	}
	if !last.IsZero() {
		tags[statetag.TagLastUsed] = last.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	return tags
}

package remediate

import (
	"time"
)

// TagLastUsed keeps the user's last use before iamsweep disabled it (RFC
// 3339), because disabling erases what the last-used fields show: the
// login profile goes (with its last use) and inactive keys stop counting,
// so "last used" would fall back to "never, since the user was created".
// Written at the first disable (an interrupted one's value is kept) and
// removed by restore with the other state tags: the user is live again.
const TagLastUsed = "iamsweep:last-used"

// withLastUse adds TagLastUsed to the tags a disable writes: the newest of
// the password's and the keys' last use read before the change, or the
// value recorded by an earlier (interrupted) disable. Nothing is written
// when no use is known, so an unread last use never reads as "never".
func withLastUse(tags map[string]string, u *UserState) map[string]string {
	if v := u.Tags[TagLastUsed]; v != "" {
		tags[TagLastUsed] = v
		return tags
	}
	last := u.PasswordLastUsed
	for _, k := range u.Keys {
		if k.LastUsed.After(last) {
			last = k.LastUsed
		}
	}
	if !last.IsZero() {
		tags[TagLastUsed] = last.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	return tags
}

// LastUsedBeforeDisable reads TagLastUsed; zero when absent or malformed.
func LastUsedBeforeDisable(tags map[string]string) time.Time {
	t, err := time.Parse(time.RFC3339, tags[TagLastUsed])
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

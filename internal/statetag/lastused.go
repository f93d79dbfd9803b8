package statetag

import "time"

// TagLastUsed keeps the user's last use before iamsweep disabled it (RFC
// 3339), because disabling erases what the last-used fields show: the
// login profile goes (with its last use) and inactive keys stop counting,
// so "last used" would fall back to "never, since the user was created".
// Written at the first disable (an interrupted one's value is kept) and
// removed by restore with the other state tags: the user is live again.
const TagLastUsed = "iamsweep:last-used"

// LastUsedBeforeDisable reads TagLastUsed; zero when absent or malformed.
func LastUsedBeforeDisable(tags map[string]string) time.Time {
	t, err := time.Parse(time.RFC3339, tags[TagLastUsed])
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

package rules

import (
	"fmt"
	"strings"

	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
)

// appendLifecycleFindings judges the expiry and owner tags. Expiry is a
// decision someone already made, so an expired user is a retirement
// candidate whether or not it is used; plan disables it (never deletes it
// directly).
func appendLifecycleFindings(out []Finding, account string, u *inventory.User, p Params) []Finding {
	set := p.Lifecycle
	if set == nil {
		return out
	}
	st := lifecycle.Read(u.Tags, *set)
	owner := ""
	if st.Owner != "" {
		owner = "; owner " + st.Owner
	}
	switch {
	case st.DateError != nil:
		f := base(account, u, InvalidExpiry, Medium)
		f.Message = fmt.Sprintf("tag %s=%q is not a date, so the expiry is not enforced: write YYYY-MM-DD or RFC 3339 (iamsweep expire %s --on DATE)%s",
			st.ExpiryTag, st.ExpiryValue, u.Name, owner)
		out = append(out, f)
	case st.Expired(p.AsOf):
		days := st.DaysAgo(p.AsOf)
		f := base(account, u, ExpiredUser, High)
		f.DaysUnused = nil
		f.Message = fmt.Sprintf("expired %s (tag %s), %s%s: retire it (plan disables it), or move the date with iamsweep expire %s --on DATE",
			st.Date(), st.ExpiryTag, sinceText(days), owner, u.Name)
		out = append(out, f)
	case st.HasExpiry() && st.DaysLeft(p.AsOf) <= set.WarnDays:
		left := st.DaysLeft(p.AsOf)
		when := "today"
		if left > 0 {
			when = "in " + plural(left, "day")
		}
		f := base(account, u, ExpiresSoon, Info)
		f.Message = fmt.Sprintf("expires %s (tag %s), %s%s: its owner should migrate or extend it (iamsweep expire %s --on DATE)",
			st.Date(), st.ExpiryTag, when, owner, u.Name)
		out = append(out, f)
	}
	if set.RequireExpiry && !st.HasExpiry() && set.Required(u) {
		f := base(account, u, MissingExpiry, Low)
		f.Message = fmt.Sprintf("created %s without an expiry tag (%s)%s: set one with iamsweep expire %s --on DATE",
			day(u.Created), keyList(set.ExpiryTags), owner, u.Name)
		out = append(out, f)
	}
	if set.RequireOwner && st.Owner == "" && set.Required(u) {
		f := base(account, u, MissingOwner, Low)
		f.Message = fmt.Sprintf("created %s without an owner tag (%s): set one with iamsweep expire %s --on DATE --owner WHO",
			day(u.Created), keyList(set.OwnerTags), u.Name)
		out = append(out, f)
	}
	return out
}

// keyList names the first keys read, so the message says what to write.
func keyList(keys []string) string {
	if len(keys) > 3 {
		return strings.Join(keys[:3], ", ") + ", ..."
	}
	return strings.Join(keys, ", ")
}

func sinceText(days int) string {
	if days < 1 {
		return "less than a day ago"
	}
	return plural(days, "day") + " ago"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

package scan

import (
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/inventory"
)

// An --as-of that contradicts the data judges nonsense without failing:
// before the report's own dates, a credential used "later" than now has a
// negative age and counts as fresh; far in the future on live data, every
// credential ages by the gap. Both are legitimate in a what-if, so they
// are warnings, not errors.

// futureSlack is how far ahead of the clock --as-of may be on live data
// before it is worth a warning (time zones, a date typed for tomorrow).
const futureSlack = 24 * time.Hour

// AsOfWarnings returns the warnings about asOf for inv; now is the real
// time, live whether inv was read from AWS just now.
func AsOfWarnings(asOf, now time.Time, inv *inventory.Inventory, live bool) []string {
	var out []string
	if latest, what := latestDate(inv); !latest.IsZero() && latest.After(asOf) {
		out = append(out, fmt.Sprintf("--as-of %s is before the report's own dates (%s %s): those credentials look fresher than they are; use a later --as-of",
			asOf.UTC().Format(time.RFC3339), what, latest.UTC().Format(time.RFC3339)))
	}
	if live && asOf.After(now.Add(futureSlack)) {
		out = append(out, fmt.Sprintf("--as-of %s is %d day(s) after the real time on live data: every credential is judged as if that much older",
			asOf.UTC().Format(time.RFC3339), int(asOf.Sub(now).Hours()/24)))
	}
	return out
}

// latestDate is the newest date in the inventory and what it is.
func latestDate(inv *inventory.Inventory) (time.Time, string) {
	var latest time.Time
	var what string
	see := func(t time.Time, w string) {
		if t.After(latest) {
			latest, what = t, w
		}
	}
	users := inv.Users
	if inv.Root != nil {
		users = append(users[:len(users):len(users)], *inv.Root)
	}
	for _, u := range users {
		see(u.Created, u.Name+" created")
		see(u.Password.LastUsed, u.Name+" password last used")
		see(u.Password.LastChanged, u.Name+" password set")
		for _, k := range u.AccessKeys {
			see(k.LastRotated, fmt.Sprintf("%s access key %d created", u.Name, k.Slot))
			see(k.LastUsed, fmt.Sprintf("%s access key %d last used", u.Name, k.Slot))
		}
	}
	return latest, what
}

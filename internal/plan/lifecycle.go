package plan

import (
	"fmt"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/evidence"
	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// expiredUsers lists the users with an expired-user finding that is not
// excluded: expiry is a decision someone already made, so they are
// retired whether or not they are used (disabled first, never deleted
// directly: delete follows the quarantine as for any disabled user).
func expiredUsers(res *scan.Result) map[string]bool {
	out := map[string]bool{}
	for _, f := range res.Findings {
		if f.Rule == rules.ExpiredUser && !f.Excluded {
			out[f.UserName] = true
		}
	}
	return out
}

// expiredAction plans the disable of an expired user, or says why not.
// Use is no veto, but it is said loudly: disabling a user still at work
// breaks whoever uses it, so its owner must migrate first.
func expiredAction(u scan.User, facts Facts, asOf time.Time, d *evidence.Dossier) (act Action, skip string) {
	l := u.Lifecycle
	// A scan without the lifecycle block (written by hand) still has the
	// finding: the plan then says less, and checks no tag at apply.
	tag, value, owner := "an expiry tag", "(see the scan's finding)", ""
	var expiresAt time.Time
	if l != nil {
		tag, value, owner = "tag "+l.ExpiryTag, l.Expiry, l.Owner
		if l.ExpiresAt != nil {
			expiresAt = *l.ExpiresAt
		}
	}
	if r := facts.State.RestoredAt; !r.IsZero() && r.After(expiresAt) {
		return act, fmt.Sprintf("expired %s (%s) but restored %s, after its expiry: somebody needed it; move the expiry (iamsweep expire %s --on DATE) or disable it by hand",
			value, tag, r.Format(time.DateOnly), u.Name)
	}
	act = Action{Action: ActionDisable, User: u.Name, UserARN: u.ARN, Facts: facts}
	if l != nil && l.ExpiryTag != "" {
		act.Expiry = &ExpiryFact{Tag: l.ExpiryTag, Value: l.Expiry}
	}
	act.Reason = fmt.Sprintf("expired-user: expired %s (%s)", value, tag)
	if owner != "" {
		act.Reason += ", owner " + owner
	}
	if w := useWarning(u, facts, expiresAt, value, asOf, owner, d); w != "" {
		act.Warning = w
	}
	if d != nil {
		if du := d.User(u.Name); du != nil {
			act.Evidence = &ActionEvidence{Verdict: du.Verdict, Reason: du.Reason, Sources: sourcesRead(d, du)}
		}
	}
	return act, ""
}

// useWarning says when a user was used after its expiry, by IAM's dates
// or by the evidence, with the migration advice when there is some.
func useWarning(u scan.User, facts Facts, expiresAt time.Time, value string, asOf time.Time, owner string, d *evidence.Dossier) string {
	var last time.Time
	what := ""
	if t := facts.PasswordLastUsed; t != nil && t.After(last) {
		last, what = *t, "the console password"
	}
	for _, k := range facts.AccessKeys {
		if k.Active && k.LastUsed != nil && k.LastUsed.After(last) {
			last, what = *k.LastUsed, "access key "+k.ID
			if k.ID == "" {
				what = "an access key"
			}
		}
	}
	used := !last.IsZero() && last.After(expiresAt)
	advice := ""
	if d != nil {
		if du := d.User(u.Name); du != nil && (du.Verdict == evidence.VerdictInUse || len(du.Attempts) > 0) {
			used = true
			advice = du.Advice.Text
			if du.NewestProof != nil && du.NewestProof.Time.After(last) {
				last, what = du.NewestProof.Time, du.Reason
			}
		}
	}
	if !used {
		return ""
	}
	who := "its owner"
	if owner != "" {
		who = "its owner (" + owner + ")"
	}
	w := fmt.Sprintf("WARNING: expired %s but used %s (%s) by %s: %s must migrate first, or disabling it breaks what uses it",
		value, last.UTC().Format(time.DateOnly), daysAgo(last, asOf), what, who)
	if advice != "" {
		w += "; " + advice
	}
	return w
}

func daysAgo(t, asOf time.Time) string {
	switch n := clock.DaysSince(t, asOf); {
	case n < 1:
		return "less than a day ago"
	case n == 1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", n)
	}
}

// expiryMoved says why an expired-user action no longer holds: its expiry
// tag was changed or removed since the plan (the owner moved the date).
func expiryMoved(a Action, tags map[string]string) string {
	if a.Expiry == nil {
		return ""
	}
	v, ok := tags[a.Expiry.Tag]
	switch {
	case !ok:
		return fmt.Sprintf("its expiry tag %s was removed since the plan", a.Expiry.Tag)
	case v != a.Expiry.Value:
		return fmt.Sprintf("its expiry tag %s was moved from %s to %s since the plan", a.Expiry.Tag, a.Expiry.Value, v)
	}
	return ""
}

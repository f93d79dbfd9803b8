package scan

import (
	"sort"
	"time"

	"github.com/iamsweep/iamsweep/internal/clock"
	"github.com/iamsweep/iamsweep/internal/exclusion"
	"github.com/iamsweep/iamsweep/internal/inventory"
	"github.com/iamsweep/iamsweep/internal/lifecycle"
	"github.com/iamsweep/iamsweep/internal/rules"
)

// Source tells where an inventory came from.
const (
	SourceLive = "live"
	SourceFile = "credential-report-file"
)

// Evaluate judges inv at p.AsOf and applies the exclusions. generatedAt is
// the real time of the scan, recorded beside the as-of time.
func Evaluate(inv *inventory.Inventory, p rules.Params, ex *exclusion.Set, source string, generatedAt time.Time) (*Result, error) {
	findings, err := rules.Evaluate(inv, p)
	if err != nil {
		return nil, err
	}
	res := &Result{
		SchemaVersion:     SchemaVersion,
		AccountID:         inv.AccountID,
		AsOf:              p.AsOf.UTC(),
		GeneratedAt:       generatedAt.UTC().Truncate(time.Second), // the README shows seconds; nanoseconds are noise
		Source:            source,
		CallerARN:         inv.CallerARN,
		ReportGeneratedAt: inv.ReportGeneratedAt,
		Parameters:        Parameters{MaxUnusedDays: p.MaxUnusedDays, RotationDays: p.RotationDays},
		Users:             []User{},
		Findings:          []rules.Finding{},
		ExpiredExclusions: []exclusion.Entry{},
		BadRows:           inv.BadRows,
	}
	excluded := map[string]string{}
	byName := map[string]*inventory.User{}
	for i := range inv.Users {
		u := &inv.Users[i]
		byName[u.Name] = u
		if reason, ok := ex.Match(u, p.AsOf); ok {
			excluded[u.Name] = reason
		}
	}
	unused := map[string]bool{}
	for i := range findings {
		f := &findings[i]
		if reason, ok := excluded[f.UserName]; ok {
			f.Excluded, f.ExclusionReason = true, reason
		}
		if f.Rule == rules.UnusedUser {
			unused[f.UserName] = true
		}
	}
	res.Findings = findings
	if lapsed := expiredFindings(inv, ex, p.AsOf, excluded); len(lapsed) > 0 {
		res.Findings = append(res.Findings, lapsed...)
		// Keep a lapsed exception's warning beside the user's other findings.
		sort.SliceStable(res.Findings, func(i, j int) bool { return rules.Less(res.Findings[i], res.Findings[j]) })
	}
	res.ExpiredExclusions = append(res.ExpiredExclusions, ex.ExpiredEntries(p.AsOf)...)

	for i := range inv.Users {
		u := &inv.Users[i]
		out := userResult(u, p.AsOf)
		if p.Lifecycle != nil {
			out.Lifecycle = lifecycleOf(u, *p.Lifecycle)
		}
		switch reason, ok := excluded[u.Name]; {
		case ok:
			out.Status, out.ExclusionReason = StatusExcluded, reason
		case markDisabled(&out, u.Tags):
		case unused[u.Name] && u.OtherCredentialsError != "":
			out.Status = StatusUnknown
		case unused[u.Name]:
			out.Status = StatusUnused
		default:
			out.Status = StatusInUse
		}
		res.Users = append(res.Users, out)
	}
	res.Summary = summarize(res)
	return res, nil
}

// expiredFindings reports each user an expired exception would still have
// protected, so the lapse is seen where the user's findings are.
func expiredFindings(inv *inventory.Inventory, ex *exclusion.Set, asOf time.Time, excluded map[string]string) []rules.Finding {
	var out []rules.Finding
	for _, e := range ex.ExpiredEntries(asOf) {
		for i := range inv.Users {
			u := &inv.Users[i]
			if !e.Matches(u) {
				continue
			}
			f := rules.Finding{
				AccountID: inv.AccountID, UserName: u.Name, UserARN: u.ARN,
				Rule: rules.ExpiredExclusionRule, Severity: rules.Low,
				Message: "exception (" + e.Reason + ") expired " + e.Expires.Format(time.DateOnly) + ": the user is judged again; renew or remove the exception",
			}
			if reason, ok := excluded[u.Name]; ok {
				f.Excluded, f.ExclusionReason = true, reason
			}
			out = append(out, f)
		}
	}
	return out
}

// lifecycleOf is what the user's lifecycle tags say, or nil when none.
func lifecycleOf(u *inventory.User, set lifecycle.Settings) *Lifecycle {
	st := lifecycle.Read(u.Tags, set)
	if st.ExpiryTag == "" && st.Owner == "" {
		return nil
	}
	l := &Lifecycle{ExpiryTag: st.ExpiryTag, Expiry: st.ExpiryValue, Owner: st.Owner}
	if !st.ExpiresAt.IsZero() {
		t := st.ExpiresAt
		l.ExpiresAt = &t
	}
	return l
}

func userResult(u *inventory.User, asOf time.Time) User {
	out := User{
		Name: u.Name, ARN: u.ARN, UserID: u.UserID, Path: u.Path, Created: u.Created.UTC(),
		MFAActive: u.MFAActive, Tags: u.Tags, Credentials: []Credential{}, KeptBy: rules.KeptBy(u),
		Unreadable: u.OtherCredentialsError,
	}
	if u.Password.Enabled {
		created := u.Password.ProfileCreated
		if created.IsZero() {
			created = u.Password.LastChanged
		}
		out.Credentials = append(out.Credentials, credential(inventory.CredPassword, "", true, created, u.Password.LastUsed, u.Created, asOf))
	}
	for _, k := range u.AccessKeys {
		out.Credentials = append(out.Credentials, credential(inventory.CredentialName(k.Slot), k.ID, k.Active, k.LastRotated, k.LastUsed, u.Created, asOf))
	}
	return out
}

func credential(name, id string, active bool, created, lastUsed, userCreated, asOf time.Time) Credential {
	c := Credential{Name: name, AccessKeyID: id, Active: active, Created: created.UTC()}
	since := lastUsed
	if since.IsZero() {
		since = created
	}
	if since.IsZero() {
		since = userCreated
		c.Note = "never used; its creation date is not in the report, so counted from the user's, " + userCreated.UTC().Format(time.DateOnly)
	}
	if !lastUsed.IsZero() {
		t := lastUsed.UTC()
		c.LastUsed = &t
	}
	c.DaysUnused = clock.DaysSince(since, asOf)
	if c.DaysUnused < 0 {
		c.DaysUnused = 0
		c.Note = "used after the as-of time"
		if lastUsed.IsZero() {
			c.Note = "created after the as-of time"
		}
	}
	return c
}

func summarize(r *Result) Summary {
	s := Summary{Users: len(r.Users), Findings: len(r.Findings), BySeverity: map[string]int{}}
	for _, u := range r.Users {
		switch u.Status {
		case StatusInUse:
			s.InUse++
		case StatusUnused:
			s.Unused++
		case StatusExcluded:
			s.Excluded++
		case StatusDisabled:
			s.Disabled++
		case StatusUnknown:
			s.Unknown++
		}
	}
	for _, f := range r.Findings {
		s.BySeverity[f.Severity.String()]++
	}
	return s
}

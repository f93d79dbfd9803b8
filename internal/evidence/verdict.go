package evidence

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// decide sets the user's verdict from the proofs and unreadable sources
// gathered: any proof of use makes it in-use (the newest proof is shown);
// otherwise an unreadable source makes it unknown; only a user every
// source was read for, with no proof, is unused.
func decide(u *UserDossier, searched []string, w Window) {
	defer decideCredentials(u, w)
	if p := newestProof(u.proofs); p != nil {
		u.Verdict, u.NewestProof = VerdictInUse, p
		u.Reason = "used: " + describeProof(*p)
		if len(u.Attempts) > 0 {
			u.Reason = fmt.Sprintf("%d attempt(s) after it was disabled; newest: %s", len(u.Attempts), describeProof(*p))
		}
		return
	}
	if len(u.Unknown) > 0 {
		u.Verdict = VerdictUnknown
		u.Reason = unknownReason(u.Unknown)
		return
	}
	u.Verdict = VerdictUnused
	u.Reason = "no use found in " + strings.Join(searched, ", ")
}

func decideCredentials(u *UserDossier, w Window) {
	// Access Advisor and code show use without saying which credential:
	// then a credential without its own proof may be the one used.
	unattributed := false
	for _, p := range u.proofs {
		if p.Source == SourceAccessAdvisor || p.Source == SourceCode {
			unattributed = true
		}
	}
	for i := range u.Credentials {
		c := &u.Credentials[i]
		switch {
		case (c.LastEvent != nil && w.Contains(*c.LastEvent)) || (c.IAMLastUsed != nil && w.Contains(*c.IAMLastUsed)):
			c.Verdict = VerdictInUse
		case len(u.Unknown) > 0 || unattributed:
			c.Verdict = VerdictUnknown
		default:
			c.Verdict = VerdictUnused
		}
	}
}

// newestProof prefers the newest timed proof; a timeless one (a reference
// in code) is shown only when nothing has a time.
func newestProof(ps []Proof) *Proof {
	if len(ps) == 0 {
		return nil
	}
	sorted := append([]Proof(nil), ps...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.After(sorted[j].Time) })
	p := sorted[0]
	return &p
}

func describeProof(p Proof) string {
	if p.Source == "" {
		return strings.TrimSpace(p.Time.UTC().Format(time.RFC3339) + " " + p.Detail)
	}
	if p.Time.IsZero() {
		return fmt.Sprintf("%s (%s)", p.Detail, p.Source)
	}
	return fmt.Sprintf("%s %s (%s)", p.Time.UTC().Format(time.RFC3339), p.Detail, p.Source)
}

// eventProof describes an event as proof of use.
func eventProof(source string, e Event) Proof {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.ErrorCode != "" {
		b.WriteString(" failed with " + e.ErrorCode)
	}
	if e.SourceIP != "" {
		b.WriteString(" from " + e.SourceIP)
	}
	if e.Region != "" {
		b.WriteString(" in " + e.Region)
	}
	if e.AccessKeyID != "" {
		b.WriteString(" with key " + e.AccessKeyID)
	}
	return Proof{Source: source, Time: e.Time, Detail: b.String()}
}

// Verdict returns the named user's verdict, or unknown when the dossier
// has no entry for it: absence of evidence is never proof of disuse.
// `plan` uses it to keep in-use and unknown users out of a retirement.
func (d *Dossier) Verdict(user string) string {
	if u := d.User(user); u != nil && u.Verdict != "" {
		return u.Verdict
	}
	return VerdictUnknown
}

// HasAttempts reports whether someone tried to use the named user after it
// was disabled. `plan` must never delete such a user.
func (d *Dossier) HasAttempts(user string) bool {
	u := d.User(user)
	return u != nil && len(u.Attempts) > 0
}

// CredentialVerdict returns the verdict of one credential of the user (an
// access key ID, or "password"), or unknown when the dossier lacks it.
func (d *Dossier) CredentialVerdict(user, credential string) string {
	u := d.User(user)
	if u == nil {
		return VerdictUnknown
	}
	for _, c := range u.Credentials {
		if (c.AccessKeyID != "" && c.AccessKeyID == credential) || c.Name == credential {
			if c.Verdict != "" {
				return c.Verdict
			}
		}
	}
	return VerdictUnknown
}

// SafeToRetire is true only for a user proven unused with no attempts.
func (d *Dossier) SafeToRetire(user string) bool {
	return d.Verdict(user) == VerdictUnused && !d.HasAttempts(user)
}

// User returns the named user's dossier, or nil.
func (d *Dossier) User(name string) *UserDossier {
	for i := range d.Users {
		if d.Users[i].Name == name {
			return &d.Users[i]
		}
	}
	return nil
}

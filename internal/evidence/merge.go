package evidence

import (
	"fmt"
	"sort"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
	"github.com/iamsweep/iamsweep/internal/scan"
)

// merger folds each source's findings about one user into its dossier.
type merger struct {
	u *UserDossier
	t Target
	w Window
}

// maxDistinct bounds the distinct values listed per summary field.
const maxDistinct = 20

func (m merger) trail(source string, r *TrailResult, dst **Activity) {
	if r == nil {
		return
	}
	m.u.Unknown = append(m.u.Unknown, r.Errors...)
	var inWindow []Event
	for _, e := range r.Events {
		if m.w.Contains(e.Time) {
			inWindow = append(inWindow, e)
		}
	}
	*dst = summarizeActivity(inWindow, r.Truncated)
	if len(inWindow) == 0 {
		return
	}
	m.u.proofs = append(m.u.proofs, eventProof(source, inWindow[0]))
	for _, e := range inWindow {
		if !m.t.DisabledAt.IsZero() && e.Time.After(m.t.DisabledAt) {
			m.u.Attempts = append(m.u.Attempts, e)
		}
		for i := range m.u.Credentials {
			c := &m.u.Credentials[i]
			if (c.AccessKeyID != "" && c.AccessKeyID == e.AccessKeyID) || (c.Name == "password" && e.Name == "ConsoleLogin") {
				c.Events++
				if c.LastEvent == nil || e.Time.After(*c.LastEvent) {
					t := e.Time
					c.LastEvent = &t
				}
			}
		}
	}
	sort.SliceStable(m.u.Attempts, func(i, j int) bool { return m.u.Attempts[i].Time.After(m.u.Attempts[j].Time) })
}

func (m merger) advisor(r AdvisorResult) {
	if r.Err != nil {
		m.u.Unknown = append(m.u.Unknown, *r.Err)
		return
	}
	m.u.AccessAdvisor = r.Summary
	if r.Summary == nil {
		return
	}
	for _, s := range r.Summary.Services {
		if m.w.Contains(s.LastAuthenticated) {
			detail := "authenticated to " + s.Namespace
			if s.Region != "" {
				detail += " in " + s.Region
			}
			m.u.proofs = append(m.u.proofs, Proof{Source: SourceAccessAdvisor, Time: s.LastAuthenticated, Detail: detail})
			return // services are newest first
		}
	}
}

func (m merger) code(refs []CodeRef, err error) {
	if err != nil {
		m.u.Unknown = append(m.u.Unknown, SourceError{Source: SourceCode, Error: err.Error()})
		return
	}
	m.u.CodeRefs = append(m.u.CodeRefs, refs...)
	for _, r := range refs {
		if !wiresCredentials(r) {
			continue
		}
		where := fmt.Sprintf("%s:%d", r.Path, r.Line)
		if r.Repo != "" {
			where = r.Repo + "/" + where
		}
		m.u.proofs = append(m.u.proofs, Proof{Source: SourceCode, Detail: fmt.Sprintf("%s referenced in %s (%s)", r.Matched, where, r.Kind)})
	}
}

// wiresCredentials reports whether a reference shows the user wired into
// something that runs: a current CI file, .env or credentials file, or an
// access key ID anywhere in the tree. A Terraform resource only says who
// manages the user (advice names the address to delete), a mention in
// history only says who once used it.
func wiresCredentials(r CodeRef) bool {
	if r.InHistoryOnly {
		return false
	}
	switch r.Kind {
	case "github-actions", "jenkins", "gitlab-ci", "env-file", "credentials-file":
		return true
	}
	return r.MatchKind == "access-key-id"
}

// iamLastUsed turns IAM's own last-used dates into proof when they fall
// in the window: the scan may call a user unused under a shorter
// --max-unused-days, or the user may have been named explicitly.
func (m merger) iamLastUsed(u scan.User) {
	for _, c := range u.Credentials {
		if c.LastUsed != nil && m.w.Contains(*c.LastUsed) {
			m.u.proofs = append(m.u.proofs, Proof{Source: SourceIAMLastUsed, Time: c.LastUsed.UTC(), Detail: c.Name + " last used"})
		}
	}
}

func summarizeActivity(evs []Event, truncated bool) *Activity {
	a := &Activity{Events: len(evs), Truncated: truncated, EventNames: []string{}, SourceIPs: []string{}, UserAgents: []string{}, Regions: []string{}, ErrorCodes: []string{}}
	if len(evs) == 0 {
		return a
	}
	last := evs[0]
	a.LastEvent = &last
	first := evs[len(evs)-1].Time
	a.FirstEvent = &first
	a.EventNames = distinct(evs, func(e Event) string { return e.Name })
	a.SourceIPs = distinct(evs, func(e Event) string { return e.SourceIP })
	a.UserAgents = distinct(evs, func(e Event) string { return e.UserAgent })
	a.Regions = distinct(evs, func(e Event) string { return e.Region })
	a.ErrorCodes = distinct(evs, func(e Event) string { return e.ErrorCode })
	return a
}

// distinct lists the most frequent values first (ties by name), at most
// maxDistinct of them.
func distinct(evs []Event, f func(Event) string) []string {
	n := map[string]int{}
	for _, e := range evs {
		if v := f(e); v != "" {
			n[v]++
		}
	}
	out := make([]string, 0, len(n))
	for v := range n {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if n[out[i]] != n[out[j]] {
			return n[out[i]] > n[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) > maxDistinct {
		out = out[:maxDistinct]
	}
	return out
}

// attemptFindings raises used-while-disabled for every user with attempts.
func attemptFindings(d *Dossier) []rules.Finding {
	out := []rules.Finding{}
	for _, u := range d.Users {
		if len(u.Attempts) == 0 {
			continue
		}
		e := u.Attempts[0]
		f := rules.Finding{
			AccountID: d.AccountID, UserName: u.Name, UserARN: u.ARN, Rule: rules.UsedWhileDisabled,
			Severity: rules.High, AccessKeyID: e.AccessKeyID, LastUsed: timePtr(e.Time),
			Message: fmt.Sprintf("%d attempt(s) to use the user after it was disabled on %s; newest %s: someone still depends on it, find them before deleting",
				len(u.Attempts), u.DisabledAt.UTC().Format(time.DateOnly), describeProof(eventProof("", e))),
		}
		for _, c := range u.Credentials {
			if c.AccessKeyID != "" && c.AccessKeyID == e.AccessKeyID {
				f.Credential = c.Name
			}
		}
		if f.Credential == "" && e.Name == "ConsoleLogin" {
			f.Credential = "password"
		}
		out = append(out, f)
	}
	return out
}

func timePtr(t time.Time) *time.Time { return &t }

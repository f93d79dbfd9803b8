package evidence

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

// A source that fails usually fails the same way everywhere: a missing
// permission in 38 regions is one problem, not 38 (issue 22.4). Failures
// are grouped per source by their gist (awsx.Gist), with the regions and
// users they hit; the source's line in the dossier says it once, and a
// user's reason names the source and points there.

// SourceFailure is one way a source failed: the gist, the first full error
// text with that gist, and where it happened.
type SourceFailure struct {
	Gist string `json:"gist"`
	// Error is the first error with this gist, whole.
	Error   string   `json:"error"`
	Regions []string `json:"regions,omitempty"`
	// Users counts the users it left unread.
	Users int `json:"users"`
}

// groupFailures groups errors of one source by gist, in the order first
// seen, each with its sorted distinct regions. users is how many users
// the errors came from (1 for one user's errors).
func groupFailures(errs []SourceError, userOf func(i int) string) []SourceFailure {
	var out []SourceFailure
	idx := map[string]int{}
	usersSeen := map[string]map[string]bool{}
	for i, e := range errs {
		g := awsx.Gist(e.Error)
		j, ok := idx[g]
		if !ok {
			j = len(out)
			idx[g] = j
			out = append(out, SourceFailure{Gist: g, Error: e.Error})
			usersSeen[g] = map[string]bool{}
		}
		if e.Region != "" && !slices.Contains(out[j].Regions, e.Region) {
			out[j].Regions = append(out[j].Regions, e.Region)
		}
		if u := userOf(i); !usersSeen[g][u] {
			usersSeen[g][u] = true
			out[j].Users++
		}
	}
	for i := range out {
		slices.Sort(out[i].Regions)
	}
	return out
}

// where says where a failure happened: its regions (named when few,
// counted when many).
func (f SourceFailure) where() string {
	switch n := len(f.Regions); {
	case n == 0:
		return ""
	case n <= 3:
		return " in " + strings.Join(f.Regions, ", ")
	default:
		return fmt.Sprintf(" in %d regions", n)
	}
}

// describeFailures is the one line of a source's failures: "failed in 38
// regions: missing permission cloudtrail:LookupEvents".
func describeFailures(fs []SourceFailure) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, "failed"+f.where()+": "+f.Gist)
	}
	return strings.Join(parts, "; ")
}

// unknownReason is an unknown user's reason: each unreadable source once,
// with its failures' gist, pointing to the source lines for the rest.
func unknownReason(errs []SourceError) string {
	var sources []string
	bySource := map[string][]SourceError{}
	for _, e := range errs {
		if _, ok := bySource[e.Source]; !ok {
			sources = append(sources, e.Source)
		}
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	parts := make([]string, 0, len(sources))
	for _, s := range sources {
		for _, f := range groupFailures(bySource[s], func(int) string { return "" }) {
			parts = append(parts, s+f.where()+" ("+f.Gist+")")
		}
	}
	return "could not read " + strings.Join(parts, "; ") + ": see the dossier's sources"
}

// UnreadableLines are a user's unreadable sources, one line per source and
// gist, for the per-user dossier.
func UnreadableLines(errs []SourceError) []string {
	var out []string
	var sources []string
	bySource := map[string][]SourceError{}
	for _, e := range errs {
		if _, ok := bySource[e.Source]; !ok {
			sources = append(sources, e.Source)
		}
		bySource[e.Source] = append(bySource[e.Source], e)
	}
	for _, s := range sources {
		for _, f := range groupFailures(bySource[s], func(int) string { return "" }) {
			out = append(out, s+f.where()+": "+f.Gist)
		}
	}
	return out
}

// sourceFailures groups the failures of one source over all users.
func sourceFailures(users []UserDossier, source string) []SourceFailure {
	var errs []SourceError
	var who []string
	for _, u := range users {
		for _, e := range u.Unknown {
			if e.Source == source {
				errs = append(errs, e)
				who = append(who, u.Name)
			}
		}
	}
	return groupFailures(errs, func(i int) string { return who[i] })
}

// annotateFailures puts each failed or partial source's grouped failures
// on its line.
func annotateFailures(d *Dossier) {
	for i := range d.Sources {
		s := &d.Sources[i]
		if s.Status == RunFailed || s.Status == RunPartial {
			s.Failures = sourceFailures(d.Users, s.Name)
		}
	}
}
